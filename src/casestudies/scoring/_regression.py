"""Regression on a real-valued target: validation, metrics with bootstrap intervals, and findings.

A submission is one real number per test row (a point prediction) and,
optionally, a prediction interval per row: a table with ``prediction``,
``lower`` and ``upper`` columns (or an ``(n, 3)`` array in that column order).
The interval's nominal coverage is the spec's ``scoring.interval_level``
(default :data:`DEFAULT_INTERVAL_LEVEL`): its bounds are read as the
``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles.

Metrics (lower is better unless said): ``rmse``, ``mae``; ``rmsle`` (RMSE of
``log1p``, predictions below 0 count as 0; NaN when a target is negative);
``mape`` (NaN unless every target is positive); ``r2`` (higher is better);
``true_rmse`` (against the true conditional mean: what the noise hides);
with intervals ``interval_coverage``, ``interval_width`` and ``pinball_loss``
(mean pinball loss of the two bounds at their quantiles). Every interval is a
95 % percentile bootstrap over held-out rows: each metric is a function of
per-row means (squared error, absolute error, ...), so one matrix of
multinomial resampling counts gives every metric of every replicate (the
machinery of the rating metrics, :mod:`casestudies.scoring._recmetrics`).

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring import regression_scores
>>> y = np.array([100.0, 200.0, 300.0, 400.0])
>>> s = regression_scores(y, y + 10.0, y, parts={"all": np.ones(4, bool)}, rng=np.random.default_rng(0))
>>> s["all"]["rmse"]["estimate"], s["all"]["mae"]["estimate"], round(s["all"]["r2"]["estimate"], 4)
(10.0, 10.0, 0.992)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData, ScenarioSpec, metric_names
from casestudies.exceptions import Problem, ProblemCode, SubmissionError
from casestudies.report import Entry, FigureSpec, Finding, Scores
from casestudies.scoring._adapters import PipelineRun, run_pipeline
from casestudies.scoring._figures import ScoredRow
from casestudies.scoring._metrics import DEFAULT_N_BOOT
from casestudies.scoring._reading import read_prediction_file
from casestudies.scoring._recmetrics import _boot_means
from casestudies.scoring._regression_figures import regression_figures
from casestudies.scoring._submission import (
    ACCEPTED_FORMS,
    PREDICTION_COLUMN,
    RowForm,
    ValueRule,
    raise_unreadable,
    row_submission,
    warn_ignored,
)
from casestudies.scoring._task import (
    SubmissionContext,
    TableTask,
    TaskContext,
    find_reference,
    frame_checks,
    public_private,
)

__all__ = [
    "ASSUMPTION_FAULTS",
    "ASSUMPTION_KINDS",
    "DEFAULT_INTERVAL_LEVEL",
    "INTERVAL_COLUMNS",
    "REGRESSION_METRIC_NAMES",
    "RegressionTask",
    "interval_level",
    "regression_scores",
    "validate_regression",
]

ASSUMPTION_FAULTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "nonlinearity": "the mean is not linear in the columns (a curved effect or an interaction)",
        "heteroscedasticity": "the noise's spread changes with the level (or a column)",
        "multicollinearity": "some columns nearly repeat others (coefficients unstable, predictions fine)",
        "influential_points": "a few rows (entry errors, out-of-range cases) pull the fit on their own",
        "autocorrelation": "errors of neighbouring rows (in time order) are correlated",
    }
)
"""Broken assumptions of linear regression a diagnosis can name (``houses-*``), each with what it means."""

ASSUMPTION_KINDS: Final[tuple[str, ...]] = tuple(ASSUMPTION_FAULTS)
"""The kinds of :data:`ASSUMPTION_FAULTS`, in order."""

REGRESSION_METRIC_NAMES: Final[tuple[str, ...]] = metric_names("regression")
"""The metrics of a regression report, in order (labels and directions in :mod:`casestudies.core`)."""

DEFAULT_INTERVAL_LEVEL: Final[float] = 0.8
"""Nominal coverage of submitted intervals when the spec says none: an 80 % interval's bounds are the 10 % and
90 % quantiles, close enough to the centre to be estimated from a few hundred rows."""

INTERVAL_COLUMNS: Final[tuple[str, str]] = ("lower", "upper")
"""Columns of a submission table that hold a prediction interval's bounds."""

TRUTH_COLUMN: Final[str] = "expected"
"""Column of a regression scenario's truth: the true conditional mean E[y | row] of each held-out row."""

N_STRATA: Final[int] = 5
"""The public/private split is stratified by quintile of the held-out target, so both parts span its range."""

CALIBRATED_COVERAGE: Final[float] = 0.05
"""Coverage within 5 points of the nominal level counts as calibrated (about 2 standard errors at 300 rows)."""

_NAN = float("nan")
_INTERVAL: Final[tuple[float, float]] = (0.025, 0.975)
"""Quantiles of the bootstrap replicates that bound a 95 % percentile interval."""

# Per-row columns whose means every metric is computed from, in this order.
_COLUMNS: Final[tuple[str, ...]] = (
    "se",
    "ae",
    "sle",
    "ape",
    "y",
    "y2",
    "tse",
    "inside",
    "width",
    "pinball",
    "error",
)
_AT: Final[dict[str, int]] = {name: j for j, name in enumerate(_COLUMNS)}

_VALUES_RULE: Final[ValueRule] = ValueRule(
    non_numeric_hint="Convert predictions to floats in the target's units (no text, no class labels).",
)


def interval_level(scoring: Mapping[str, object]) -> float:
    """The nominal coverage of submitted intervals: the spec's ``interval_level``, else the default.

    Examples
    --------
    >>> interval_level({}), interval_level({"interval_level": 0.9})
    (0.8, 0.9)
    """
    return float(cast(float, scoring.get("interval_level", DEFAULT_INTERVAL_LEVEL)))


def _per_row(
    labels: np.ndarray, predictions: np.ndarray, expected: np.ndarray, bounds: np.ndarray | None, level: float
) -> np.ndarray:
    error = predictions - labels
    log_error = np.log1p(np.clip(predictions, 0.0, None)) - np.log1p(np.where(labels >= 0, labels, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(labels > 0, np.abs(error) / np.where(labels > 0, labels, 1.0), np.nan)
    n = len(labels)
    inside = width = pinball = np.full(n, np.nan)
    if bounds is not None:
        lower, upper = bounds[:, 0], bounds[:, 1]
        inside = ((labels >= lower) & (labels <= upper)).astype(np.float64)
        width = upper - lower
        low_q, high_q = (1.0 - level) / 2.0, (1.0 + level) / 2.0
        pinball = (_pinball(labels, lower, low_q) + _pinball(labels, upper, high_q)) / 2.0
    per_row = [error**2, np.abs(error), log_error**2, ape, labels, labels**2, (predictions - expected) ** 2]
    return np.column_stack([*per_row, inside, width, pinball, error])


def _pinball(labels: np.ndarray, quantile: np.ndarray, tau: float) -> np.ndarray:
    """Pinball (quantile) loss of ``quantile`` at level ``tau``: ``tau * (y - q)`` above it, ``(1 - tau) * (q - y)``
    below."""
    gap = labels - quantile
    loss: np.ndarray = np.maximum(tau * gap, (tau - 1.0) * gap)
    return loss


def _r2(means: np.ndarray) -> np.ndarray:
    variance = means[..., _AT["y2"]] - means[..., _AT["y"]] ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        r2: np.ndarray = np.where(variance > 0, 1.0 - means[..., _AT["se"]] / variance, np.nan)
    return r2


_FROM_MEANS: Final[Mapping[str, Callable[[np.ndarray], np.ndarray]]] = {
    "rmse": lambda m: np.sqrt(m[..., _AT["se"]]),
    "mae": lambda m: m[..., _AT["ae"]],
    "rmsle": lambda m: np.sqrt(m[..., _AT["sle"]]),
    "mape": lambda m: m[..., _AT["ape"]],
    "r2": _r2,
    "true_rmse": lambda m: np.sqrt(m[..., _AT["tse"]]),
    "interval_coverage": lambda m: m[..., _AT["inside"]],
    "interval_width": lambda m: m[..., _AT["width"]],
    "pinball_loss": lambda m: m[..., _AT["pinball"]],
    "mean_error": lambda m: m[..., _AT["error"]],
}
"""Each metric as a function of the per-row column means (of the holdout, or of one bootstrap replicate)."""


def regression_scores(
    labels: np.ndarray,
    predictions: np.ndarray,
    expected: np.ndarray,
    *,
    parts: Mapping[str, np.ndarray],
    rng: np.random.Generator,
    bounds: np.ndarray | None = None,
    level: float = DEFAULT_INTERVAL_LEVEL,
    n_boot: int = DEFAULT_N_BOOT,
) -> dict[str, dict[str, dict[str, float]]]:
    """Every regression metric with a 95 % bootstrap interval, per part of the holdout.

    Parameters
    ----------
    labels, predictions, expected : numpy.ndarray
        Held-out targets, point predictions and true conditional means, one per row.
    parts : Mapping of str to bool mask
        Parts of the holdout (public, private, all).
    rng : numpy.random.Generator
        For the bootstrap (pass the same seed to compare submissions on common resamples).
    bounds : numpy.ndarray of shape (n, 2), optional
        Lower and upper interval bounds; without them the interval metrics are NaN.
    level : float, default=0.8
        Nominal coverage of the intervals (their bounds are the ``(1 -+ level) / 2`` quantiles).
    n_boot : int, default=200
        Bootstrap replicates.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 2.0, 3.0, 4.0]); p = np.array([1.5, 2.0, 2.5, 5.0])
    >>> bounds = np.column_stack([p - 1.0, p + 1.0])
    >>> s = regression_scores(y, p, y, parts={"all": np.ones(4, bool)}, rng=np.random.default_rng(0), bounds=bounds)
    >>> round(s["all"]["rmse"]["estimate"], 4), s["all"]["mae"]["estimate"], s["all"]["interval_coverage"]["estimate"]
    (0.6124, 0.5, 1.0)
    """
    columns = _per_row(labels, predictions, expected, bounds, level)
    result: dict[str, dict[str, dict[str, float]]] = {}
    for part, mask in parts.items():
        rows = columns[mask]
        scores = {name: {"estimate": _NAN, "low": _NAN, "high": _NAN} for name in _FROM_MEANS}
        if len(rows):
            point = rows.mean(axis=0)
            # Columns with a NaN (no interval, or MAPE of a non-positive target) give NaN metrics, without intervals.
            usable = np.isfinite(point)
            boots = _boot_means(np.where(np.isfinite(rows), rows, 0.0), rng, n_boot)
            boots[:, ~usable] = np.nan
            for name, metric in _FROM_MEANS.items():
                estimate = float(metric(point))
                replicates = metric(boots)
                finite = replicates[np.isfinite(replicates)]
                low, high = np.quantile(finite, _INTERVAL) if finite.size and np.isfinite(estimate) else (_NAN, _NAN)
                scores[name] = {"estimate": estimate, "low": float(low), "high": float(high)}
        n_rows = float(mask.sum())
        scores["n_rows"] = {"estimate": n_rows, "low": n_rows, "high": n_rows}
        result[part] = {name: scores[name] for name in REGRESSION_METRIC_NAMES}
    return result


def _interval_frame(frame: pd.DataFrame) -> bool:
    names = [str(name) for name in frame.columns]
    return all(column in names for column in INTERVAL_COLUMNS)


def validate_regression(predictions: object, *, scenario_id: str, ids: np.ndarray, id_column: str) -> np.ndarray:
    """Turn a regression submission into float predictions (and interval bounds) in ``case.test`` order.

    Parameters
    ----------
    predictions : array-like, pandas.Series, pandas.DataFrame or path
        Point predictions: an array in ``case.test`` order, a Series indexed
        by id, a DataFrame with ``id_column`` (or ``id``) and ``prediction``,
        or a CSV/Parquet file of it. With intervals: a DataFrame (or file)
        that also has ``lower`` and ``upper`` columns, or an ``(n, 3)``
        array of prediction, lower, upper.
    scenario_id : str
        For messages.
    ids : numpy.ndarray
        The expected ids, in ``case.test`` order.
    id_column : str
        Name of the id column.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)`` of predictions, or ``(n, 3)`` of prediction, lower and upper.

    Raises
    ------
    SubmissionError
        Listing every problem at once (wrong length, non-finite values,
        lower bounds above upper ones...).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ids = np.array([7, 8])
    >>> validate_regression([250.0, 310.5], scenario_id="demo-v1", ids=ids, id_column="house_id")
    array([250. , 310.5])
    >>> table = pd.DataFrame({"house_id": [8, 7], "prediction": [310.0, 250.0], "lower": [280.0, 200.0],
    ...                       "upper": [350.0, 300.0]})
    >>> validate_regression(table, scenario_id="demo-v1", ids=ids, id_column="house_id")
    array([[250., 200., 300.],
           [310., 280., 350.]])
    >>> reversed_bounds = table.assign(lower=[400.0, 200.0])
    >>> try:
    ...     validate_regression(reversed_bounds, scenario_id="demo-v1", ids=ids, id_column="house_id")
    ... except SubmissionError as err:
    ...     print(err.problems[0].code.name)
    OUT_OF_RANGE
    """
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    problems: list[Problem] = []
    try:
        if isinstance(predictions, pd.DataFrame) and _interval_frame(predictions):
            values = _interval_submission(predictions, ids=ids, id_column=id_column, scenario_id=scenario_id)
            problems.extend(values[1])
            result = values[0]
        elif isinstance(predictions, np.ndarray) and predictions.ndim == 2 and predictions.shape[1] == 3:
            frame = pd.DataFrame(predictions, columns=[PREDICTION_COLUMN, *INTERVAL_COLUMNS])
            values = _interval_submission(frame, ids=ids, id_column=id_column, scenario_id=scenario_id)
            problems.extend(values[1])
            result = values[0]
        else:
            form = RowForm(id_column, _VALUES_RULE, proba=False)
            submitted, result = row_submission(
                predictions, ids=ids, form=form, scenario_id=scenario_id, problems=problems
            )
            if not problems:
                warn_ignored(submitted.ignored, matched_by=f"the {id_column!r} and {PREDICTION_COLUMN!r} columns")
    except SubmissionError:
        raise
    except Exception as err:
        raise raise_unreadable(scenario_id, predictions, ACCEPTED_FORMS, err) from err
    if problems or result is None:
        raise SubmissionError(scenario_id, tuple(problems))
    return result


def _interval_submission(
    frame: pd.DataFrame, *, ids: np.ndarray, id_column: str, scenario_id: str
) -> tuple[np.ndarray | None, list[Problem]]:
    """The prediction, lower and upper columns of a table, each read like a point submission, then checked
    for order."""
    problems: list[Problem] = []
    names = [str(name) for name in frame.columns]
    id_names = [name for name in (id_column, "id") if name in names][:1]
    columns = []
    for column in (PREDICTION_COLUMN, *INTERVAL_COLUMNS):
        if column not in names:
            problems.append(
                Problem(
                    ProblemCode.WRONG_COLUMNS,
                    f"a {column!r} column beside {', '.join(repr(c) for c in INTERVAL_COLUMNS)}",
                    f"columns {names}",
                    "Submit point predictions in 'prediction' and the interval in 'lower' and 'upper'.",
                )
            )
            continue
        part = frame[[*id_names, column]].rename(columns={column: PREDICTION_COLUMN})
        form = RowForm(id_column, _VALUES_RULE, proba=False)
        _, values = row_submission(part, ids=ids, form=form, scenario_id=scenario_id, problems=problems)
        columns.append(values)
    if problems or any(values is None for values in columns):
        return None, problems
    result = np.column_stack(cast(list[np.ndarray], columns))
    reversed_rows = np.flatnonzero(result[:, 1] > result[:, 2])
    if reversed_rows.size:
        problems.append(
            Problem(
                ProblemCode.OUT_OF_RANGE,
                "lower <= upper on every row",
                f"{reversed_rows.size} rows with lower above upper, e.g. positions {reversed_rows[:3].tolist()}",
                "Swap the bounds, or build them as prediction -/+ a non-negative half-width.",
            )
        )
        return None, problems
    return result, problems


class RegressionTask(TableTask):
    """Predict a real-valued target (and, optionally, an interval): RMSE, MAE, RMSLE, MAPE, R² and coverage."""

    def check(self, data: ScenarioData) -> list[str]:
        problems = frame_checks(data, TRUTH_COLUMN)
        if not problems:
            for name, frame in (("train", data.train), ("test", data.test)):
                target = pd.to_numeric(frame[data.target], errors="coerce")
                if not np.isfinite(target.to_numpy(dtype=np.float64)).all():
                    problems.append(f"{name} target {data.target!r} must be finite numbers")
        return problems

    def labels(self, data: ScenarioData) -> np.ndarray:
        values: np.ndarray = data.test[data.target].to_numpy(dtype=np.float64)
        return values

    def strata(self, labels: np.ndarray) -> np.ndarray:
        if len(labels) == 0:
            return np.zeros(0, dtype=np.int64)
        edges = np.quantile(labels, np.linspace(0.0, 1.0, N_STRATA + 1)[1:-1])
        strata: np.ndarray = np.searchsorted(edges, labels, side="right").astype(np.int64)
        return strata

    def oracle(self, context: TaskContext) -> object:
        truth = context.holdout.truth
        expected = truth[TRUTH_COLUMN].to_numpy(dtype=np.float64)
        if all(column in truth.columns for column in INTERVAL_COLUMNS):
            return np.column_stack([expected, *(truth[c].to_numpy(dtype=np.float64) for c in INTERVAL_COLUMNS)])
        return expected

    def run(self, pipeline: object, context: TaskContext) -> PipelineRun:
        return run_pipeline(pipeline, context.X_train, context.y_train, context.test)

    def validate(self, predictions: object, context: SubmissionContext) -> np.ndarray:
        return validate_regression(
            predictions, scenario_id=context.scenario_id, ids=context.ids, id_column=context.id_column
        )

    def score(
        self,
        values: np.ndarray,
        context: TaskContext,
        *,
        rng: np.random.Generator,
        parts: Mapping[str, np.ndarray] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> Scores:
        holdout = context.holdout
        expected = holdout.truth[TRUTH_COLUMN].to_numpy(dtype=np.float64)
        points, bounds = (values[:, 0], values[:, 1:3]) if values.ndim == 2 else (values, None)
        return regression_scores(
            holdout.labels,
            points,
            expected,
            parts=holdout.parts if parts is None else parts,
            rng=rng,
            bounds=bounds,
            level=interval_level(context.spec.scoring),
        )

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return regression_findings(submission, references, spec=spec)

    def figures(self, context: TaskContext, rows: Sequence[ScoredRow]) -> list[FigureSpec]:
        return regression_figures(
            context.holdout.labels,
            rows,
            metric=context.spec.metric,
            level=interval_level(context.spec.scoring),
            unit=context.target,
        )


def regression_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """How far from the noise floor, which metric tells what, and whether the intervals hold their promise."""
    findings = []
    rmse, mae = submission.estimate("rmse"), submission.estimate("mae")
    oracle = find_reference(references, "oracle")
    mean = find_reference(references, "baseline", "mean")
    if oracle is not None:
        best = oracle.estimate("rmse")
        text = (
            f"your RMSE is {rmse:,.3g}; predicting every row's true conditional mean gives {best:,.3g}, "
            "the noise floor no model can beat."
        )
        evidence: dict[str, object] = {"submission": rmse, "oracle": best}
        if mean is not None:
            floor = mean.estimate("rmse")
            span = floor - best
            share = (floor - rmse) / span if span > 0 else _NAN
            text += f" Predicting the training mean gives {floor:,.3g}"
            text += f"; you close {share:.0%} of that gap." if np.isfinite(share) else "."
            evidence |= {"mean_baseline": floor, "share_of_gap_closed": share}
        findings.append(Finding("oracle_gap", "Distance to the best possible", text, evidence))
    ratio = rmse / mae if mae > 0 else _NAN
    if np.isfinite(ratio):
        text = f"RMSE / MAE = {ratio:.2f} (1.25 for normal errors): " + (
            "a few large errors dominate RMSE; MAE and MAPE may rank models differently."
            if ratio > 1.4
            else "errors are of similar size; the metrics should agree."
        )
        rmsle, mape = submission.estimate("rmsle"), submission.estimate("mape")
        if np.isfinite(mape):
            text += (
                f" MAPE {mape:.1%} and RMSLE {rmsle:.3f} weigh errors relative to the target, so cheap rows "
                "count as much as dear ones; RMSE weighs the target's units, so dear rows dominate."
            )
        findings.append(
            Finding(
                "error_metrics", "Which error metric?", text, {"rmse_over_mae": ratio, "rmsle": rmsle, "mape": mape}
            )
        )
    coverage = submission.estimate("interval_coverage")
    if np.isfinite(coverage):
        level = interval_level(spec.scoring)
        verdict = (
            "calibrated"
            if abs(coverage - level) <= CALIBRATED_COVERAGE
            else ("too narrow: widen them" if coverage < level else "too wide: narrow them")
        )
        text = (
            f"your {level:.0%} intervals hold {coverage:.1%} of the held-out targets ({verdict}); mean width "
            f"{submission.estimate('interval_width'):,.3g}, pinball loss {submission.estimate('pinball_loss'):,.3g}. "
            "Under heteroscedastic noise an interval of constant width over-covers cheap rows and under-covers "
            "dear ones, even when its overall coverage is right."
        )
        findings.append(
            Finding(
                "interval_coverage",
                "Prediction intervals",
                text,
                {"coverage": coverage, "level": level, "width": submission.estimate("interval_width")},
            )
        )
    findings += public_private(submission, spec.metric)
    return findings
