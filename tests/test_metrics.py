"""Metrics: exactness against scikit-learn and brute force, and the bootstrap intervals."""

from __future__ import annotations

import itertools
import math
import re
import warnings

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from casestudies.exceptions import InvalidParameterError
from casestudies.scoring import _metrics
from casestudies.scoring._metrics import BINARY_METRIC_NAMES, binary_metrics, binary_scores_with_ci

RESAMPLED = _metrics._RESAMPLED


def _fraud_like(n_rows: int, prevalence: float, seed: int, *, separation: float = 1.5, decimals: int | None = None):
    rng = np.random.default_rng(seed)
    labels = rng.random(n_rows) < prevalence
    scores = separation * labels + rng.normal(size=n_rows)
    if decimals is not None:
        scores = np.round(scores, decimals)
    amounts = rng.lognormal(4.0, 1.0, size=n_rows)
    return labels, scores, amounts


# ---------------------------------------------------------------------------
# Point estimates
# ---------------------------------------------------------------------------


def _sklearn_cases():
    rng = np.random.default_rng(42)
    cases = []
    for n_rows, prevalence in [(50, 0.3), (997, 0.05), (5_000, 0.01), (20_000, 0.5)]:
        labels = rng.random(n_rows) < prevalence
        labels[:2] = [True, False]
        noise = rng.normal(size=n_rows)
        cases.append((f"continuous-{n_rows}", labels, labels + noise))
        cases.append((f"rounded-{n_rows}", labels, np.round(labels + noise, 1)))
        cases.append(
            (
                f"three-levels-{n_rows}",
                labels,
                rng.integers(0, 3, size=n_rows) + 0.5 * labels * rng.integers(0, 2, size=n_rows),
            )
        )
    labels = rng.random(300) < 0.2
    labels[:2] = [True, False]
    cases.append(("constant", labels, np.full(300, 0.7)))
    cases.append(("int-labels-and-scores", labels.astype(np.int64), rng.integers(0, 10, size=300)))
    cases.append(("perfect", labels, labels.astype(float)))
    cases.append(("reversed", labels, -labels.astype(float)))
    return cases


@pytest.mark.parametrize(
    ("labels", "scores"), [case[1:] for case in _sklearn_cases()], ids=[case[0] for case in _sklearn_cases()]
)
def test_ranking_metrics_equal_sklearn(labels, scores):
    metrics = binary_metrics(labels, scores)
    assert abs(metrics["average_precision"] - average_precision_score(labels, scores)) <= 1e-12
    assert abs(metrics["roc_auc"] - roc_auc_score(labels, scores)) <= 1e-12


def _brute_force_budget(labels, scores, costs, n_alerts, review_cost):
    """Average precision/recall/cost at the top n_alerts over every tie-breaking order."""
    n_rows = len(labels)
    totals = np.zeros(3)
    count = 0
    for permutation in itertools.permutations(range(n_rows)):
        order = np.lexsort((np.array(permutation), -scores))  # ties broken by a random rank
        alerted = np.zeros(n_rows, dtype=bool)
        alerted[order[:n_alerts]] = True
        caught = np.count_nonzero(labels & alerted)
        missed_cost = costs[labels & ~alerted].sum()
        totals += [caught / n_alerts, caught / labels.sum(), (missed_cost + review_cost * n_alerts) / n_rows]
        count += 1
    return totals / count


def test_budget_metrics_equal_brute_force_expectation_over_tie_breaks():
    labels = np.array([1, 0, 1, 1, 0, 1, 0], dtype=bool)
    scores = np.array([3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 0.0])
    costs = np.array([10.0, 0.0, 20.0, 30.0, 0.0, 40.0, 0.0])
    for n_alerts in range(1, 8):
        metrics = binary_metrics(labels, scores, costs=costs, alert_budget=n_alerts / 7, review_cost=2.5)
        expected = _brute_force_budget(labels, scores, costs, n_alerts, 2.5)
        got = [metrics["precision_at_budget"], metrics["recall_at_budget"], metrics["expected_cost"]]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=f"n_alerts={n_alerts}")


def test_constant_predictor_alerts_budget_not_everything():
    labels, _, amounts = _fraud_like(10_000, 0.02, 0)
    metrics = binary_metrics(labels, np.zeros(10_000), costs=amounts, alert_budget=0.01, review_cost=5.0)
    n_alerts = 100
    assert metrics["precision_at_budget"] == pytest.approx(labels.mean(), abs=1e-12)
    assert metrics["recall_at_budget"] == pytest.approx(n_alerts / 10_000, abs=1e-12)
    missed = amounts[labels].sum() * (1 - n_alerts / 10_000)
    assert metrics["expected_cost"] == pytest.approx((missed + 5.0 * n_alerts) / 10_000, rel=1e-12)


def test_budget_counts_alerts_with_ceil_and_no_float_drift():
    labels = np.zeros(1000, dtype=bool)
    labels[:10] = True
    scores = -np.arange(1000.0)  # positives on top, no ties
    metrics = binary_metrics(labels, scores, alert_budget=0.005)  # 0.005 * 1000 == 5.000000000000001
    assert metrics["precision_at_budget"] == 1.0 and metrics["recall_at_budget"] == 0.5
    metrics = binary_metrics(labels, scores, alert_budget=0.0051)  # ceil(5.1) == 6
    assert metrics["recall_at_budget"] == 0.6


def test_base_rate_metrics_and_keys():
    labels, scores, _ = _fraud_like(2_000, 0.05, 1)
    metrics = binary_metrics(labels, scores)
    assert tuple(metrics) == BINARY_METRIC_NAMES
    assert metrics["n_rows"] == 2_000 and metrics["n_positives"] == int(labels.sum())
    assert metrics["prevalence"] == labels.mean()
    assert metrics["accuracy_all_negative"] == pytest.approx(1 - labels.mean(), abs=1e-15)
    assert math.isnan(metrics["expected_cost"])  # no costs given


def test_negative_rows_costs_are_ignored():
    labels, scores, amounts = _fraud_like(500, 0.1, 2)
    with_nan = amounts.copy()
    with_nan[~labels] = np.nan
    assert binary_metrics(labels, scores, costs=with_nan) == binary_metrics(labels, scores, costs=amounts)


@pytest.mark.parametrize("present", [False, True], ids=["no-positives", "no-negatives"])
def test_one_class_gives_nan_without_warnings(present):
    labels = np.full(400, present)
    scores = np.random.default_rng(0).normal(size=400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics = binary_metrics(labels, scores, costs=np.ones(400))
        result = binary_scores_with_ci(
            labels, scores, parts={"all": np.ones(400, bool)}, costs=np.ones(400), rng=np.random.default_rng(0)
        )
    for name in ("average_precision", "roc_auc"):
        assert math.isnan(metrics[name])
        assert all(math.isnan(value) for value in result["all"][name].values())
    assert metrics["precision_at_budget"] == float(present)
    assert math.isnan(metrics["recall_at_budget"]) == (not present)
    assert result["all"]["precision_at_budget"] == {
        "estimate": float(present),
        "low": float(present),
        "high": float(present),
    }


# ---------------------------------------------------------------------------
# Bootstrap intervals
# ---------------------------------------------------------------------------


def test_estimates_are_the_exact_metrics_of_each_part():
    labels, scores, amounts = _fraud_like(30_000, 0.02, 3, decimals=2)
    public = np.random.default_rng(4).random(30_000) < 0.3
    parts = {"public": public, "private": ~public, "all": np.ones(30_000, bool)}
    result = binary_scores_with_ci(labels, scores, parts=parts, costs=amounts, rng=np.random.default_rng(0))
    assert list(result) == ["public", "private", "all"]
    for name, mask in parts.items():
        expected = binary_metrics(labels[mask], scores[mask], costs=amounts[mask])
        assert {metric: value["estimate"] for metric, value in result[name].items()} == expected
        for metric in ("n_rows", "n_positives", "prevalence", "accuracy_all_negative"):
            cell = result[name][metric]
            assert cell["low"] == cell["estimate"] == cell["high"]


def test_intervals_contain_the_estimate_and_shrink_with_more_data():
    widths = {}
    for n_rows in (5_000, 80_000):
        labels, scores, amounts = _fraud_like(n_rows, 0.03, 5)
        result = binary_scores_with_ci(
            labels,
            scores,
            parts={"all": np.ones(n_rows, bool)},
            costs=amounts,
            alert_budget=0.02,
            rng=np.random.default_rng(1),
        )
        for metric in RESAMPLED:
            cell = result["all"][metric]
            assert cell["low"] <= cell["estimate"] <= cell["high"], (n_rows, metric, cell)
            assert cell["low"] < cell["high"]
        widths[n_rows] = {metric: result["all"][metric]["high"] - result["all"][metric]["low"] for metric in RESAMPLED}
    for metric in RESAMPLED:  # 16x the rows: about 1/4 of the width
        assert widths[80_000][metric] < 0.5 * widths[5_000][metric], metric


def test_same_rng_state_gives_the_same_intervals():
    labels, scores, amounts = _fraud_like(20_000, 0.01, 6)
    public = np.random.default_rng(7).random(20_000) < 0.3
    parts = {"public": public, "private": ~public}

    def run(seed):
        return binary_scores_with_ci(labels, scores, parts=parts, costs=amounts, rng=np.random.default_rng(seed))

    assert run(0) == run(0)
    assert run(0)["private"]["average_precision"] != run(1)["private"]["average_precision"]
    # One child stream per part: dropping a later part leaves earlier ones unchanged.
    only_public = binary_scores_with_ci(
        labels, scores, parts={"public": public}, costs=amounts, rng=np.random.default_rng(0)
    )
    assert only_public["public"] == run(0)["public"]


def _naive_stratified_bootstrap(labels, scores, costs, *, n_boot, seed, alert_budget):
    """Row-level stratified bootstrap: resample positive and negative rows, score exactly."""
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(labels), np.flatnonzero(~labels)
    replicates = np.empty((len(RESAMPLED), n_boot))
    for b in range(n_boot):
        rows = np.concatenate(
            [
                positives[rng.integers(0, len(positives), len(positives))],
                negatives[rng.integers(0, len(negatives), len(negatives))],
            ]
        )
        metrics = binary_metrics(labels[rows], scores[rows], costs=costs[rows], alert_budget=alert_budget)
        replicates[:, b] = [metrics[name] for name in RESAMPLED]
    return replicates


def _compare(replicates, reference, confidence=0.95):
    """Worst endpoint gap and width ratio per metric, in units of the reference width."""
    tail = (1 - confidence) / 2
    ours = np.quantile(replicates, [tail, 1 - tail], axis=1)
    theirs = np.quantile(reference, [0.025, 0.975], axis=1)
    width = theirs[1] - theirs[0]
    return np.abs(ours - theirs).max(axis=0) / width, (ours[1] - ours[0]) / width


# Endpoints within 10 % of the interval width and widths within 10 %. With
# 2,000 replicates on each side the Monte-Carlo noise is about 2-4 % of the
# width; percentile endpoints of the discrete budget metrics also move in
# steps of one alert (about 3 % of the width here).
ENDPOINT_TOLERANCE = 0.10
WIDTH_TOLERANCE = 0.10
AGREEMENT_CASES = {
    # coarsened negatives (2,000 gaps > 256 groups), rare positives
    "rare": {"n_rows": 20_000, "prevalence": 0.05, "separation": 1.5, "decimals": None},
    # coarsened negatives where they carry half of the variance
    "balanced": {"n_rows": 20_000, "prevalence": 0.5, "separation": 0.5, "decimals": None},
    # heavy ties between and across classes: few gaps, exact bootstrap
    "ties": {"n_rows": 20_000, "prevalence": 0.05, "separation": 1.5, "decimals": 0},
}


@pytest.mark.parametrize("case", list(AGREEMENT_CASES))
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_intervals_agree_with_a_naive_stratified_bootstrap(case):
    params = AGREEMENT_CASES[case]
    labels, scores, amounts = _fraud_like(
        params["n_rows"], params["prevalence"], 8, separation=params["separation"], decimals=params["decimals"]
    )
    alert_budget = 0.02
    reference = _naive_stratified_bootstrap(labels, scores, amounts, n_boot=2_000, seed=9, alert_budget=alert_budget)
    aggregates = _metrics._aggregate_rows(labels, scores, amounts, None, alert_budget)
    replicates = _metrics._bootstrap_part(aggregates, review_cost=5.0, n_boot=2_000, rng=np.random.default_rng(10))
    gap, width_ratio = _compare(replicates, reference)
    assert (gap <= ENDPOINT_TOLERANCE).all(), dict(zip(RESAMPLED, gap.round(3), strict=True))
    assert (np.abs(width_ratio - 1) <= WIDTH_TOLERANCE).all(), dict(zip(RESAMPLED, width_ratio.round(3), strict=True))
    # The tolerance is tight enough to catch a broken interval: a 90 % one
    # reported as 95 % ...
    _, narrow = _compare(replicates, reference, confidence=0.90)
    assert (np.abs(narrow - 1) > WIDTH_TOLERANCE).any()
    if case == "balanced":
        # ... or one that does not resample the negatives (a single group
        # spreads their fixed total proportionally).
        frozen = _metrics._bootstrap_part(
            aggregates, review_cost=5.0, n_boot=2_000, rng=np.random.default_rng(10), max_groups=1
        )
        frozen_gap, frozen_width = _compare(frozen, reference)
        assert (frozen_gap > ENDPOINT_TOLERANCE).any() and (np.abs(frozen_width - 1) > WIDTH_TOLERANCE).any()


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------

_GOOD = {"y_true": [0, 1, 0, 1], "scores": [0.1, 0.9, 0.3, 0.2]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"y_true": [0, 2, 0, 1]}, "y_true must hold only 0 and 1; got other values such as [2]"),
        ({"y_true": [[0, 1, 0, 1]]}, "y_true must be a non-empty 1-D array"),
        ({"scores": [0.1, np.nan, 0.3, 0.2]}, "scores must be finite; got 1 NaN or infinite values"),
        ({"scores": [0.1, 0.9, 0.3]}, "scores must be a 1-D numeric array with one value per row (4)"),
        ({"costs": [1.0, np.inf, 0.0, 2.0]}, "costs must be finite (on positive rows)"),
        ({"alert_budget": 1.5}, "alert_budget must be a number between 0 and 1; got 1.5 (float)"),
        ({"review_cost": -1.0}, "review_cost must be a number >= 0; got -1.0 (float)"),
    ],
)
def test_invalid_inputs_raise_with_the_standard_message(changes, message):
    kwargs = {**_GOOD, **changes}
    with pytest.raises(InvalidParameterError, match=re.escape(f"binary_metrics(): {message}")):
        binary_metrics(kwargs.pop("y_true"), kwargs.pop("scores"), **kwargs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"parts": {"public": np.array([1, 0, 1, 0])}},
            "parts['public'] must be a bool mask of shape (4,); got dtype int64",
        ),
        ({"parts": {"public": np.zeros(4, bool)}}, "parts['public'] must select at least one row"),
        ({"parts": {}}, "parts must be a non-empty mapping"),
        ({"rng": 0}, "rng must be a numpy.random.Generator; got 0 (int). Pass rng=numpy.random.default_rng(seed)."),
        ({"n_boot": 1}, "n_boot must be an int between 2 and 100000; got 1 (int)"),
        ({"confidence": 95}, "confidence must be a number between 0.5 and 0.999; got 95 (int)"),
    ],
)
def test_invalid_interval_inputs_raise_with_the_standard_message(changes, message):
    kwargs = {**_GOOD, "parts": {"public": np.ones(4, bool)}, "rng": np.random.default_rng(0), **changes}
    with pytest.raises(InvalidParameterError, match=re.escape(f"binary_scores_with_ci(): {message}")):
        binary_scores_with_ci(kwargs.pop("y_true"), kwargs.pop("scores"), **kwargs)
