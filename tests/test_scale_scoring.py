"""Scoring at scale: the whole holdout merged from its parts, and single-precision replicates."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from _tools import scored_holdout
from casestudies.scoring import BINARY_N_BOOT, _metrics
from casestudies.scoring._metrics import binary_scores_with_ci


@pytest.mark.parametrize("decimals", [None, 1])
def test_whole_holdout_merged_from_its_parts_equals_sorting_it(decimals):
    labels, scores, amounts, public = scored_holdout(20_000, 0.03, 3, decimals=decimals)
    everything = np.ones(labels.shape[0], dtype=bool)
    pieces = []
    for mask in (public, ~public):
        _, negatives, _ = _metrics._aggregate_piece(labels, scores, amounts, mask, 0.01, pieces)
        pieces.append((mask, negatives))
    merged, merged_negatives, _ = _metrics._aggregate_piece(labels, scores, amounts, everything, 0.01, pieces)
    assert len(merged_negatives) == 2  # merged, not sorted again
    direct = _metrics._aggregate_rows(labels, scores, amounts, None, 0.01)
    for field in ("n_rows", "n_pos", "n_neg", "n_alerts"):
        assert getattr(merged, field) == getattr(direct, field)
    for field in ("level_starts", "pos_per_level", "neg_above", "neg_tied", "pos_costs"):
        np.testing.assert_array_equal(getattr(merged, field), getattr(direct, field))
    # and the whole-holdout estimates equal an independent implementation
    result = binary_scores_with_ci(
        labels,
        scores,
        parts={"public": public, "private": ~public, "all": everything},
        costs=amounts,
        n_boot=50,
        rng=np.random.default_rng(0),
    )
    assert result["all"]["roc_auc"]["estimate"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert result["all"]["average_precision"]["estimate"] == pytest.approx(
        average_precision_score(labels, scores), abs=1e-12
    )


def test_overlapping_parts_are_not_merged():
    labels, scores, amounts, _ = scored_holdout(20_000, 0.03, 4)
    n_rows = labels.shape[0]
    first = np.arange(n_rows) < 0.6 * n_rows
    last = np.arange(n_rows) >= 0.4 * n_rows  # overlaps `first`: together they are not a tiling
    result = binary_scores_with_ci(
        labels,
        scores,
        parts={"first": first, "last": last, "all": np.ones(n_rows, dtype=bool)},
        costs=amounts,
        n_boot=50,
        rng=np.random.default_rng(0),
    )
    assert result["all"]["n_rows"]["estimate"] == n_rows
    assert result["all"]["roc_auc"]["estimate"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert result["all"]["average_precision"]["estimate"] == pytest.approx(
        average_precision_score(labels, scores), abs=1e-12
    )


def test_single_precision_replicates_match_double_precision(monkeypatch):
    labels, scores, amounts, _ = scored_holdout(50_000, 0.03, 5)
    aggregates = _metrics._aggregate_rows(labels, scores, amounts, None, 0.005)
    single = _metrics._bootstrap_part(aggregates, review_cost=5.0, n_boot=200, rng=np.random.default_rng(1))
    monkeypatch.setattr(_metrics, "_REPLICATE_DTYPE", np.float64)
    double = _metrics._bootstrap_part(aggregates, review_cost=5.0, n_boot=200, rng=np.random.default_rng(1))
    # Same draws, only rounding differs: float32 sums of ~1,500 terms are good to
    # about 1e-6 relative, four orders below the Monte-Carlo spread of a replicate.
    spread = double.std(axis=1)
    assert (np.abs(single - double).max(axis=1) <= 1e-4 * spread).all()


def test_binary_default_is_a_thousand_replicates():
    # 95 % percentile intervals want about 1,000 replicates (25 in each tail).
    assert BINARY_N_BOOT == 1000
    labels, scores, amounts, public = scored_holdout(4_000, 0.03, 6)
    parts = {"public": public, "private": ~public}
    default = binary_scores_with_ci(labels, scores, parts=parts, costs=amounts, rng=np.random.default_rng(2))
    explicit = binary_scores_with_ci(
        labels, scores, parts=parts, costs=amounts, n_boot=1000, rng=np.random.default_rng(2)
    )
    assert default == explicit
