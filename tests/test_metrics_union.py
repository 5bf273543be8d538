"""The whole holdout's bootstrap: the union of its parts' replicates, checked against row-level bootstraps."""

from __future__ import annotations

import numpy as np
import pytest

from _tools import scored_holdout
from casestudies.scoring import _metrics
from casestudies.scoring._metrics import binary_metrics, binary_scores_with_ci
from casestudies.scoring._metrics_stream import BinaryAccumulator

RESAMPLED = _metrics._RESAMPLED


@pytest.mark.parametrize("decimals", [None, 1])
def test_a_part_made_of_one_earlier_part_reproduces_its_replicates(decimals):
    # The union of one piece has the piece's levels, positives and negatives: spreading the piece's group counts
    # at the union's levels must give back exactly the piece's own replicates, ties included.
    labels, scores, amounts, _ = scored_holdout(6_000, 0.05, 1, decimals=decimals)
    everything = np.ones(labels.shape[0], dtype=bool)
    result = binary_scores_with_ci(
        labels,
        scores,
        parts={"first": everything, "again": everything},
        costs=amounts,
        n_boot=300,
        alert_budget=0.02,
        rng=np.random.default_rng(2),
    )
    assert result["again"] == result["first"]
    assert result["first"]["roc_auc"]["low"] < result["first"]["roc_auc"]["high"]


def test_the_parts_intervals_do_not_depend_on_the_whole_holdout_being_scored():
    labels, scores, amounts, public = scored_holdout(8_000, 0.03, 3)
    parts = {"public": public, "private": ~public}

    def run(extra):
        return binary_scores_with_ci(
            labels, scores, parts=parts | extra, costs=amounts, n_boot=200, rng=np.random.default_rng(4)
        )

    with_whole = run({"all": np.ones(labels.shape[0], dtype=bool)})
    without = run({})
    assert {name: with_whole[name] for name in parts} == without


def test_replicates_do_not_depend_on_the_chunk_size(monkeypatch):
    # Parts are resampled chunk by chunk together, in chunks as small as the largest part needs: a part's draws, and
    # so its intervals, must not depend on how many replicates a chunk holds.
    labels, scores, amounts, public = scored_holdout(8_000, 0.05, 7, decimals=2)
    parts = {"public": public, "private": ~public, "all": np.ones(labels.shape[0], dtype=bool)}

    def run():
        return binary_scores_with_ci(
            labels, scores, parts=parts, costs=amounts, n_boot=150, rng=np.random.default_rng(8)
        )

    default = run()
    monkeypatch.setattr(_metrics, "_CHUNK", 7)
    smaller = run()
    for part, metrics in default.items():
        for metric, cell in metrics.items():
            if metric == "expected_cost":  # summed by BLAS, whose blocking follows the chunk: float32 rounding only
                assert smaller[part][metric] == pytest.approx(cell, rel=1e-6), (part, metric)
            else:  # counts only: the same draws give the same bits
                assert smaller[part][metric] == cell, (part, metric)


def test_streamed_whole_holdout_equals_the_in_memory_one():
    labels, scores, amounts, public = scored_holdout(9_000, 0.04, 5, decimals=1)
    part = np.where(public, 0, 1)
    accumulator = BinaryAccumulator(("public", "private"))
    for lo in range(0, labels.shape[0], 2_500):
        rows = slice(lo, lo + 2_500)
        accumulator.add(labels[rows], scores[rows], amounts[rows], part[rows])
    streamed = accumulator.scores(rng=np.random.default_rng(6), n_boot=200)
    parts = {"public": public, "private": ~public, "all": np.ones(labels.shape[0], dtype=bool)}
    in_memory = binary_scores_with_ci(
        labels, scores, parts=parts, costs=amounts, n_boot=200, rng=np.random.default_rng(6)
    )
    assert streamed == in_memory


def _naive_bootstrap(labels, scores, costs, strata, *, n_boot, seed, alert_budget):
    """Row-level bootstrap stratified by ``strata``: resample each stratum's rows, score exactly."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(strata == stratum) for stratum in np.unique(strata)]
    replicates = np.empty((len(RESAMPLED), n_boot))
    for b in range(n_boot):
        rows = np.concatenate([group[rng.integers(0, len(group), len(group))] for group in groups])
        metrics = binary_metrics(labels[rows], scores[rows], costs=costs[rows], alert_budget=alert_budget)
        replicates[:, b] = [metrics[name] for name in RESAMPLED]
    return np.quantile(replicates, [0.025, 0.975], axis=1)


@pytest.mark.slow  # two row-level bootstraps of 2,000 replicates: several seconds on 2 cores
def test_whole_holdout_intervals_agree_with_row_level_bootstraps():
    # The union of the parts' replicates is a bootstrap stratified by part and class. Against a row-level bootstrap
    # stratified the same way, and against one stratified by class only (the public/private split is random, so
    # conditioning on it moves nothing in expectation), endpoints within 10 % of the interval width and widths within
    # 10 %: the tolerance of the single-part agreement tests in test_metrics.py (Monte-Carlo noise with 2,000
    # replicates a side is 2-4 % of the width; the discrete budget metrics move in steps of one alert, ~3 %).
    labels, scores, amounts, public = scored_holdout(20_000, 0.05, 8)
    parts = {"public": public, "private": ~public, "all": np.ones(labels.shape[0], dtype=bool)}
    result = binary_scores_with_ci(
        labels, scores, parts=parts, costs=amounts, alert_budget=0.02, n_boot=2_000, rng=np.random.default_rng(10)
    )
    ours = np.array([[result["all"][metric][bound] for metric in RESAMPLED] for bound in ("low", "high")])
    for strata in (2 * labels + public, labels.astype(int)):
        reference = _naive_bootstrap(labels, scores, amounts, strata, n_boot=2_000, seed=9, alert_budget=0.02)
        width = reference[1] - reference[0]
        gap = np.abs(ours - reference).max(axis=0) / width
        width_ratio = (ours[1] - ours[0]) / width
        assert (gap <= 0.10).all(), dict(zip(RESAMPLED, gap.round(3), strict=True))
        assert (np.abs(width_ratio - 1) <= 0.10).all(), dict(zip(RESAMPLED, width_ratio.round(3), strict=True))
