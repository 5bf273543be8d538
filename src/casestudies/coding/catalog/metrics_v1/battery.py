"""Hidden battery of metrics-v1: every metric against scikit-learn's on inputs drawn by hypothesis.

Labels and scores come from small arrays that hypothesis draws and shrinks
(numpy draws them, unshrunk, where hypothesis is not installed)
(ties, a single class, all-zero predictions and one row come up by design,
and are also listed as explicit examples), seeded by the battery's seed.
scikit-learn's ``zero_division=0`` matches the README's rule; its R² for a
constant target is the README's (1.0 when exact, else 0.0).

Examples
--------
>>> [test.name for test in BATTERY.tests][:2]
['confusion_matrix_matches_sklearn', 'accuracy_matches_sklearn']
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from functools import partial
from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn import metrics

from casestudies.coding._harness import Battery, Context, TestFailure, check_close, check_equal, check_raises

HYPOTHESIS: Final = importlib.util.find_spec("hypothesis") is not None
"""hypothesis draws and shrinks the inputs when installed (the test extra); otherwise numpy draws them, unshrunk."""
if HYPOTHESIS:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

BATTERY: Final = Battery("metrics-v1")
Array = npt.NDArray[np.float64]
_MAX_ROWS: Final = 30  # small arrays: hypothesis shrinks a failure to a handful of rows a learner can check by hand
_SCORES: Final = [round(0.1 * step, 1) for step in range(11)]  # one decimal: many ties

Rows = list[tuple[int, float]]  # (label, prediction or score) per row: lists of rows shrink fast and well
_PAIRS: Final = "pairs"  # labels and 0/1 predictions, one row or more
_SCORED: Final = "scored"  # labels and scores with ties, two rows or more
Pair = tuple[Sequence[float], Sequence[float]]
_ALL_ZERO: Final[Pair] = ([0, 1, 1, 0], [0, 0, 0, 0])
_ONE_CLASS: Final[Pair] = ([1, 1, 1], [1, 0, 1])
_NO_POSITIVE: Final[Pair] = ([0, 0, 0], [0, 0, 0])


def _property(
    ctx: Context,
    draw: str,
    check: Callable[[Array, Array], None],
    *examples: Pair,
) -> None:
    """Run ``check`` on drawn pairs (and the explicit ``examples`` first); a failure names the smallest input."""

    def run(pair: Pair) -> None:
        first, second = np.asarray(pair[0], dtype=np.float64), np.asarray(pair[1], dtype=np.float64)
        try:
            check(first, second)
        except TestFailure as failure:
            raise TestFailure(f"{failure.message} Input: {pair[0]} and {pair[1]}.", failure.hint) from None

    def run_rows(rows: Rows) -> None:
        run(([label for label, _ in rows], [value for _, value in rows]))

    for case in examples:
        run(case)
    if not HYPOTHESIS:
        rng = ctx.rng(99)
        for _ in range(ctx.examples):
            n = int(rng.integers(1 if draw == _PAIRS else 2, _MAX_ROWS + 1))
            second = rng.integers(0, 2, n) if draw == _PAIRS else rng.choice(_SCORES, n)
            run((rng.integers(0, 2, n).tolist(), second.tolist()))
        return
    values = st.integers(0, 1) if draw == _PAIRS else st.sampled_from(_SCORES)
    rows = st.lists(st.tuples(st.integers(0, 1), values), min_size=1 if draw == _PAIRS else 2, max_size=_MAX_ROWS)
    runner = settings(max_examples=ctx.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))(
        hypothesis_seed(ctx.seed)(given(rows)(run_rows))
    )
    runner()


def _same(ctx: Context, name: str, expected: Callable[[Array, Array], float]) -> Callable[[Array, Array], None]:
    def check(first: Array, second: Array) -> None:
        check_close(ctx.member(name)(first, second), expected(first, second), what=f"{name}", rtol=1e-9, atol=1e-12)

    return check


@BATTERY.test(hint="Rows are the true class, columns the predicted one: [[tn, fp], [fn, tp]].")
def confusion_matrix_matches_sklearn(ctx: Context) -> None:
    def check(truth: Array, predicted: Array) -> None:
        expected = metrics.confusion_matrix(truth, predicted, labels=[0, 1])
        check_equal(
            np.asarray(ctx.member("confusion_matrix")(truth, predicted)).astype(int), expected, what="confusion_matrix"
        )

    _property(ctx, _PAIRS, check, _ALL_ZERO, _ONE_CLASS)


@BATTERY.test(hint="The share of rows where y_pred equals y_true.")
def accuracy_matches_sklearn(ctx: Context) -> None:
    _property(ctx, _PAIRS, _same(ctx, "accuracy", metrics.accuracy_score), _ALL_ZERO)


@BATTERY.test(
    hint="tp / (tp + fp): among rows predicted positive, the share truly positive; 0.0 when none is predicted."
)
def precision_matches_sklearn(ctx: Context) -> None:
    expected = partial(metrics.precision_score, zero_division=0.0)
    _property(ctx, _PAIRS, _same(ctx, "precision", expected), _ALL_ZERO, _NO_POSITIVE)


@BATTERY.test(hint="tp / (tp + fn): among truly positive rows, the share predicted positive; 0.0 without positives.")
def recall_matches_sklearn(ctx: Context) -> None:
    expected = partial(metrics.recall_score, zero_division=0.0)
    _property(ctx, _PAIRS, _same(ctx, "recall", expected), _ALL_ZERO, _NO_POSITIVE)


@BATTERY.test(kind="edge", hint="When precision + recall is 0 (no true positive), F1 is 0.0: never divide by zero.")
def f1_zero_division(ctx: Context) -> None:
    for truth, predicted in (_ALL_ZERO, _NO_POSITIVE, ([1, 0], [0, 1])):
        check_close(ctx.member("f1")(np.array(truth), np.array(predicted)), 0.0, what=f"f1({truth}, {predicted})")


@BATTERY.test(hint="F1 = 2 P R / (P + R) = 2 tp / (2 tp + fp + fn).")
def f1_matches_sklearn(ctx: Context) -> None:
    expected = partial(metrics.f1_score, zero_division=0.0)
    _property(ctx, _PAIRS, _same(ctx, "f1", expected), _ALL_ZERO)


@BATTERY.test(hint="A positive and a negative with the same score count 1/2 (use mid-ranks, or group tied scores).")
def roc_auc_with_ties_matches_sklearn(ctx: Context) -> None:
    def check(truth: Array, scores: Array) -> None:
        if truth.min() == truth.max():
            return
        check_close(
            ctx.member("roc_auc")(truth, scores), metrics.roc_auc_score(truth, scores), what="roc_auc", rtol=1e-9
        )

    _property(ctx, _SCORED, check, ([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]))


@BATTERY.test(kind="edge", hint="ROC-AUC is undefined with one class in y_true: raise ValueError.")
def roc_auc_one_class_raises(ctx: Context) -> None:
    check_raises(
        lambda: ctx.member("roc_auc")(np.ones(4), np.linspace(0, 1, 4)), ValueError, what="roc_auc(all positive)"
    )


@BATTERY.test(
    hint="Step sum over distinct scores, highest first: sum (R_k - R_{k-1}) * P_k, tied scores as one threshold."
)
def average_precision_matches_sklearn(ctx: Context) -> None:
    def check(truth: Array, scores: Array) -> None:
        if not truth.any():
            return
        check_close(
            ctx.member("average_precision")(truth, scores),
            metrics.average_precision_score(truth, scores),
            what="average_precision",
            rtol=1e-9,
        )

    _property(ctx, _SCORED, check, ([0, 1, 1, 0], [0.5, 0.5, 0.2, 0.9]))


@BATTERY.test(hint="Mean of -[y log p + (1 - y) log(1 - p)] over rows (natural log).")
def log_loss_matches_sklearn(ctx: Context) -> None:
    rng = ctx.rng(1)
    for n in (1, 7, 100):
        truth, proba = rng.integers(0, 2, n), rng.uniform(0.01, 0.99, n)
        expected = metrics.log_loss(truth, proba, labels=[0, 1])
        check_close(ctx.member("log_loss")(truth, proba), expected, what=f"log_loss on {n} rows", rtol=1e-9)


@BATTERY.test(
    kind="edge", hint="Clip p to [1e-15, 1 - 1e-15] before the log: a confident mistake costs ~34.5, not inf."
)
def log_loss_clips(ctx: Context) -> None:
    value = ctx.member("log_loss")(np.array([1, 0]), np.array([0.0, 1.0]))
    expected = -(np.log(1e-15) + np.log(1 - (1 - 1e-15))) / 2  # clipped exactly as the README says
    check_close(value, expected, what="log_loss([1, 0], [0.0, 1.0])", rtol=1e-9)


@BATTERY.test(hint="RMSE = sqrt(mean((y - y_hat)^2)); MAE = mean(|y - y_hat|); R2 = 1 - SS_res / SS_tot.")
def regression_metrics_match_sklearn(ctx: Context) -> None:
    rng = ctx.rng(2)
    for n in (1, 5, 200):
        truth, predicted = rng.normal(size=n) * 10, rng.normal(size=n) * 10
        check_close(
            ctx.member("rmse")(truth, predicted),
            np.sqrt(metrics.mean_squared_error(truth, predicted)),
            what=f"rmse on {n} rows",
        )
        check_close(
            ctx.member("mae")(truth, predicted), metrics.mean_absolute_error(truth, predicted), what=f"mae on {n} rows"
        )
        if n > 1:
            check_close(ctx.member("r2")(truth, predicted), metrics.r2_score(truth, predicted), what=f"r2 on {n} rows")


@BATTERY.test(
    kind="edge", hint="SS_tot is 0 for a constant y: R2 is 1.0 for an exact prediction, else 0.0 (no division)."
)
def r2_constant_target(ctx: Context) -> None:
    check_close(ctx.member("r2")(np.full(4, 3.0), np.full(4, 3.0)), 1.0, what="r2(constant, exact)")
    check_close(ctx.member("r2")(np.full(4, 3.0), np.array([3.0, 2.0, 3.0, 4.0])), 0.0, what="r2(constant, inexact)")


@BATTERY.test(kind="edge", hint="Check the input first: an empty array raises ValueError in every metric.")
def empty_input_raises(ctx: Context) -> None:
    empty = np.array([])
    for name in (
        "confusion_matrix",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "average_precision",
        "log_loss",
        "rmse",
        "mae",
        "r2",
    ):
        check_raises(partial(ctx.member(name), empty, empty), ValueError, what=f"{name}([], [])")


@BATTERY.test(
    kind="speed",
    hint="No Python loop over rows: count with np.bincount / boolean sums, rank with one sort.",
    seconds=60,
)
def metrics_are_vectorised(ctx: Context) -> None:
    rng = ctx.rng(3)
    n = 300_000
    truth, predicted, scores = rng.integers(0, 2, n), rng.integers(0, 2, n), np.round(rng.random(n), 3)
    for name, second in (("confusion_matrix", predicted), ("roc_auc", scores), ("average_precision", scores)):
        ctx.speed(
            partial(ctx.member(name), truth, second),
            partial(getattr(ctx.reference, name), truth, second),
            max_ratio=8,
            what=f"{name} on {n:,} rows",
        )
