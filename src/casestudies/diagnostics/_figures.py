"""The figures of the diagnostics: each check's plot data as a :class:`~casestudies.report.FigureSpec`.

A diagnostic returns its figure with its finding (``finding.figures``); the
report's renderer draws it. Titles say what the figure shows about *this*
data (the verdict), so a figure read alone still teaches its lesson.

Examples
--------
>>> from casestudies.diagnostics._figures import fit_gap_figure
>>> spec = fit_gap_figure(train=0.99, cv=0.71, holdout=0.70, folds={"train": [0.99, 0.98], "cv": [0.70, 0.72]})
>>> spec.title
'Train 0.990 vs cross-validation 0.710 vs holdout 0.700: the model fits noise'
>>> spec.series[0].x
('train', 'cross-validation', 'holdout')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final, cast

import numpy as np

from casestudies.report import FigureSpec, Marker, Series

_AUC: Final[str] = "ROC-AUC (0.5 = chance, 1 = perfect)"
"""The score axis of the pipeline checks."""

TRAIN_GAP_SHOWN: Final[float] = 0.1
"""Train - validation gap the fit-gap title calls fitting noise (the diagnostic's own threshold)."""

HOLDOUT_GAP_SHOWN: Final[float] = 0.05
"""Validation - holdout gap the fit-gap title calls unrepresentative validation (the diagnostic's own threshold)."""


def _value(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def fit_gap_figure(
    *, train: float, cv: float, holdout: float | None, folds: Mapping[str, Sequence[float | None]]
) -> FigureSpec:
    """Bars of train, cross-validation and holdout ROC-AUC, the folds' range on the first two."""
    values = (train, cv, _value(holdout))
    spread = [[_value(v) for v in folds.get(key, ())] for key in ("train", "cv")]
    low = (*(min(s) if s else v for s, v in zip(spread, values, strict=False)), values[2])
    high = (*(max(s) if s else v for s, v in zip(spread, values, strict=False)), values[2])
    if train - cv >= TRAIN_GAP_SHOWN:
        lesson = "the model fits noise"
    elif holdout is not None and cv - holdout >= HOLDOUT_GAP_SHOWN:
        lesson = "validation is easier than the holdout"
    elif holdout is not None and holdout - cv >= HOLDOUT_GAP_SHOWN:
        lesson = "the holdout is easier than validation"
    else:
        lesson = "no gap worth worrying about"
    shown = f" vs holdout {holdout:.3f}" if holdout is not None else ""
    return FigureSpec(
        name="fit_gap",
        kind="bars",
        title=f"Train {train:.3f} vs cross-validation {cv:.3f}{shown}: {lesson}",
        x_label="where the pipeline is scored",
        y_label=_AUC,
        series=(
            Series("ROC-AUC (range over folds)", ("train", "cross-validation", "holdout"), values, "data", low, high),
        ),
        caption=(
            "The same pipeline scored on the rows it was fitted on, on held-out folds of the training data, and on "
            "the hidden holdout. A drop from train to validation is overfitting; a drop from validation to holdout "
            "means the validation does not look like the holdout."
        ),
        y_limits=(0.0, 1.05),
    )


def _curve_lesson(verdict: str, train: float, validation: float) -> str:
    if verdict == "variance":
        return f"High variance: train {train:.3f} vs validation {validation:.3f}, more rows would help"
    if verdict == "bias":
        return f"High bias: train {train:.3f} and validation {validation:.3f} both low, a richer model would help"
    return f"Converged: train {train:.3f}, validation {validation:.3f}; more of the same rows changes little"


def learning_figure(
    sizes: Sequence[int], train: Sequence[Sequence[float]], validation: Sequence[Sequence[float]], *, verdict: str
) -> FigureSpec:
    """Train and validation ROC-AUC against training rows, with a band of one standard deviation over folds."""
    means = [sum(folds) / len(folds) for folds in (train[-1], validation[-1])]
    x = tuple(float(n) for n in sizes)
    return FigureSpec(
        name="learning_curve",
        kind="learning_curve",
        title=_curve_lesson(verdict, means[0], means[1]),
        x_label="training rows",
        y_label=_AUC,
        series=(
            Series("train", x, (), "data", samples=tuple(tuple(f) for f in train)),
            Series("validation", x, (), "data", samples=tuple(tuple(f) for f in validation)),
        ),
        caption=(
            "Mean ROC-AUC over cross-validation folds at growing training sizes; bands are one standard deviation. "
            "A gap that closes as rows are added is variance; two low curves that meet are bias."
        ),
    )


def validation_figure(
    parameter: str,
    values: Sequence[object],
    train: Sequence[Sequence[float]],
    validation: Sequence[Sequence[float]],
    *,
    current: object,
    best: object,
    side: str,
) -> FigureSpec:
    """Train and validation ROC-AUC against one complexity parameter, the current value marked."""
    lessons = {
        "best": f"{parameter}={current} is at the sweet spot",
        "too_flexible": f"{parameter}={current} is too flexible: {parameter}={best} validates better",
        "too_rigid": f"{parameter}={current} is too rigid: {parameter}={best} validates better",
    }
    labels = tuple("no limit" if v is None else str(v) for v in values)
    at = [str(v) for v in values].index(str(current)) if str(current) in [str(v) for v in values] else 0
    return FigureSpec(
        name="validation_curve",
        kind="validation_curve",
        title=lessons.get(side, f"Validation curve of {parameter}"),
        x_label=f"{parameter} (values in sweep order)",
        y_label=_AUC,
        series=(
            Series("train", labels, (), "data", samples=tuple(tuple(f) for f in train)),
            Series("validation", labels, (), "data", samples=tuple(tuple(f) for f in validation)),
        ),
        markers=(Marker(f"current {parameter}={current}", "x", float(at)),),
        caption=(
            "Mean ROC-AUC over folds for each value of the parameter, bands one standard deviation. Where train "
            "keeps rising and validation falls, the model is memorising."
        ),
    )


def column_bars(
    name: str,
    title: str,
    columns: Sequence[str],
    values: Sequence[float | None],
    *,
    axis: str,
    threshold: float,
    threshold_label: str,
    flagged: Sequence[str],
    caption: str,
) -> FigureSpec:
    """Horizontal bars of one number per column, strongest first, with the flagging threshold."""
    flagged_set = set(flagged)
    marked = tuple(f"{c} (flagged)" if c in flagged_set else c for c in columns)
    return FigureSpec(
        name=name,
        kind="bars",
        title=title,
        x_label="column",
        y_label=axis,
        series=(Series(axis, marked, tuple(_value(v) for v in values), "data"),),
        markers=(Marker(threshold_label, "x", threshold),),
        caption=caption,
    )


def distance_figure(edges: Sequence[float], counts: Sequence[int], *, threshold: float, flagged: bool) -> FigureSpec:
    """Histogram of each holdout row's distance to its nearest training row, relative to the median (bin edges)."""
    bins = tuple(float(e) for e in edges)
    lesson = (
        "Many holdout rows sit on top of training rows: the holdout is partly a copy"
        if flagged
        else "No pile-up near zero: holdout rows are not copies of training rows"
    )
    return FigureSpec(
        name="near_duplicates",
        kind="histogram",
        title=lesson,
        x_label="distance to the nearest training row (1 = the median distance)",
        y_label="holdout rows",
        series=(Series("holdout rows", bins, tuple(float(c) for c in counts), "data"),),
        markers=(Marker(f"near-copy threshold ({threshold:g} x median)", "x", threshold),),
        caption="Rows left of the threshold are near-copies; distances beyond twice the median are not shown.",
    )


def rate_figure(
    name: str, title: str, x: Sequence[int], rates: Sequence[float | None], *, x_label: str, caption: str
) -> FigureSpec:
    """A label rate along an ordered axis (months, score deciles)."""
    values = tuple(_value(v) for v in rates)
    top = max((v for v in values if math.isfinite(v)), default=1.0)
    return FigureSpec(
        name=name,
        kind="lines",
        title=title,
        x_label=x_label,
        y_label="share of positive labels",
        series=(Series("label rate", tuple(float(v) for v in x), values, "data"),),
        caption=caption,
        y_limits=(0.0, min(1.0, 1.15 * top) if top > 0 else 1.0),
    )


def _column(figure: Mapping[str, object], key: str) -> tuple[float, ...]:
    values = figure.get(key, ())
    assert isinstance(values, Sequence)  # the regression checks write plain lists
    return tuple(float(v) for v in values)


def _influence_figure(evidence: Mapping[str, object], figure: Mapping[str, object], cook: float) -> FigureSpec:
    flagged = bool(evidence.get("flagged"))
    largest = float(cast(float, evidence.get("max_cooks_distance", float("nan"))))
    return FigureSpec(
        name="leverage_cooks",
        kind="scatter",
        title=(
            f"Some rows move the fit on their own (largest Cook's distance {largest:.3g})"
            if flagged
            else f"No row moves the fit on its own (largest Cook's distance {largest:.3g})"
        ),
        x_label="leverage (hat value: how unusual the row's columns are)",
        y_label="Cook's distance (change of the fit without the row)",
        series=(Series("training rows", _column(figure, "leverage"), _column(figure, "cooks_distance"), "data"),),
        markers=(Marker(f"Cook's distance {cook:g}", "y", cook),),
        caption="Rows far right are unusual; rows high up change the coefficients when left out. Check both first.",
    )


def _linearity_figure(evidence: Mapping[str, object], figure: Mapping[str, object]) -> FigureSpec:
    flagged = bool(evidence.get("flagged"))
    return FigureSpec(
        name="linearity",
        kind="scatter",
        title=(
            "The residuals bend with the fitted value: the mean is not a straight line in the columns"
            if flagged
            else "The residuals stay flat across the fitted values: a straight-line mean fits"
        ),
        x_label="fitted value (target units)",
        y_label="residual (target units)",
        series=(
            Series("training rows", _column(figure, "fitted"), _column(figure, "residual"), "data"),
            Series("LOWESS smooth", _column(figure, "smooth_fitted"), _column(figure, "smooth_residual"), "chance"),
        ),
        markers=(Marker("no error", "y", 0.0),),
        caption="Residuals of the linear fit against its fitted values, with a local smooth; a curve is a missed "
        "non-linear effect.",
    )


def _scale_figure(evidence: Mapping[str, object], figure: Mapping[str, object]) -> FigureSpec:
    flagged = bool(evidence.get("flagged"))
    return FigureSpec(
        name="scale_location",
        kind="scatter",
        title=(
            "The spread of the residuals grows with the level: constant-width intervals under-cover dear rows"
            if flagged
            else "The spread of the residuals does not change with the level"
        ),
        x_label="fitted value (target units)",
        y_label="sqrt(|residual|) (sqrt of target units)",
        series=(Series("training rows", _column(figure, "fitted"), _column(figure, "sqrt_abs_residual"), "data"),),
        caption="A cloud that widens to the right is heteroscedastic (Breusch-Pagan in the finding).",
    )


def _qq_figure(evidence: Mapping[str, object], figure: Mapping[str, object]) -> FigureSpec:
    theoretical, sample = _column(figure, "theoretical"), _column(figure, "sample")
    slope, intercept = np.polyfit(theoretical, sample, 1) if len(theoretical) > 1 else (1.0, 0.0)
    ends = (min(theoretical, default=0.0), max(theoretical, default=0.0))
    flagged = bool(evidence.get("flagged"))
    return FigureSpec(
        name="qq_normal",
        kind="scatter",
        title=(
            "The residuals' tails leave the normal line: intervals of ± z·sd are off"
            if flagged
            else "The residuals follow the normal line"
        ),
        x_label="normal quantile (standard deviations)",
        y_label="ordered residual (target units)",
        series=(
            Series("residuals", theoretical, sample, "data"),
            Series("normal (least-squares line)", ends, tuple(slope * x + intercept for x in ends), "chance"),
        ),
        caption="Normal Q-Q plot (scipy's probplot): points on the line are normal; an S or a bend is heavy tails "
        "or skew.",
    )


def _acf_figure(evidence: Mapping[str, object], figure: Mapping[str, object]) -> FigureSpec:
    flagged = bool(evidence.get("flagged"))
    statistic = float(cast(float, evidence.get("durbin_watson", float("nan"))))
    return FigureSpec(
        name="autocorrelation",
        kind="lines",
        title=(
            f"Errors of neighbouring sales are correlated (Durbin-Watson {statistic:.2f}, 2 = independent)"
            if flagged
            else f"Errors in time order look independent (Durbin-Watson {statistic:.2f})"
        ),
        x_label="lag (sales apart, in time order)",
        y_label="autocorrelation of the residuals",
        series=(Series("autocorrelation", _column(figure, "lag"), _column(figure, "autocorrelation"), "data"),),
        markers=(Marker("independent", "y", 0.0),),
        y_limits=(-1.0, 1.05),
    )


def _vif_figure(evidence: Mapping[str, object], vif_threshold: float) -> FigureSpec:
    vif = cast(Mapping[str, float], evidence.get("vif", {}))
    ordered = sorted(vif, key=lambda name: -vif[name])
    high = [name for name in ordered if vif[name] > vif_threshold]
    return column_bars(
        "vif",
        f"{', '.join(high)} nearly repeat other columns: their coefficients swing"
        if high
        else "No column nearly repeats the others",
        ordered,
        [vif[name] for name in ordered],
        axis="variance inflation factor (1 = independent)",
        threshold=vif_threshold,
        threshold_label=f"VIF {vif_threshold:g}",
        flagged=high,
        caption="How much each coefficient's variance is inflated by the other columns; over 10 is a warning.",
    )


def regression_check_figures(
    name: str, evidence: Mapping[str, object], *, cook: float, vif: float
) -> tuple[FigureSpec, ...]:
    """The figure of one regression assumption check, from its evidence (``evidence["figure"]``: plain lists).

    Examples
    --------
    >>> evidence = {"flagged": False, "figure": {"theoretical": [-1.0, 0.0, 1.0], "sample": [-2.0, 0.1, 2.0]}}
    >>> spec = regression_check_figures("normality", evidence, cook=0.5, vif=10.0)[0]
    >>> spec.name, spec.series[0].y
    ('qq_normal', (-2.0, 0.1, 2.0))
    """
    figure = cast(Mapping[str, object], evidence.get("figure", {}))
    if name == "influence":
        return (_influence_figure(evidence, figure, cook),)
    if name == "residuals_vs_fitted":
        return (_linearity_figure(evidence, figure),)
    if name == "heteroscedasticity":
        return (_scale_figure(evidence, figure),)
    if name == "normality":
        return (_qq_figure(evidence, figure),)
    if name == "autocorrelation":
        return (_acf_figure(evidence, figure),)
    if name == "multicollinearity":
        return (_vif_figure(evidence, vif),)
    return ()
