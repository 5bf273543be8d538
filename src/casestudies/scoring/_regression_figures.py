"""The figures of a regression task: predicted vs actual, residuals, error and interval coverage by fifth.

Every figure is computed on the whole holdout from the values each report
row was scored from, so its numbers are the report's: the squared errors of
the five target-level fifths average (weighted by their rows) to the
report's RMSE squared, and the coverage of the five predicted-level fifths
averages to its ``interval_coverage``. Scatter plots show at most
:data:`SCATTER_POINTS` rows (every n-th row of the holdout, the same rows
for every series).

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring._regression_figures import fifths
>>> fifths(np.array([5.0, 1.0, 4.0, 2.0, 3.0])).tolist()
[4, 0, 3, 1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from casestudies.report import FigureSpec, Marker, Series
from casestudies.scoring._figures import ScoredRow, interval_figure, row_label, row_role

SCATTER_POINTS: Final[int] = 600
"""Rows shown in a scatter plot: enough to see the shape, few enough to read (and to keep the page small)."""

N_FIFTHS: Final[int] = 5
"""Groups of equal size by level (of the target, or of the prediction)."""

FIFTHS: Final[tuple[str, ...]] = ("lowest", "2nd", "middle", "4th", "highest")
"""Names of the fifths on the x axis."""


def fifths(values: np.ndarray) -> np.ndarray:
    """The fifth (0 to 4) of each value by rank: five groups of equal size, ties split by position."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(len(values))
    groups: np.ndarray = ranks * N_FIFTHS // max(1, len(values))
    return groups


def _number(value: float) -> str:
    """A number in the target's units, readable: 27,980 rather than 2.798e+04."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _points(values: np.ndarray) -> np.ndarray:
    points: np.ndarray = values[:, 0] if values.ndim == 2 else values
    return points


def _rmse(labels: np.ndarray, points: np.ndarray) -> float:
    return float(np.sqrt(np.mean((labels - points) ** 2)))


def _shown(n_rows: int) -> np.ndarray:
    """Positions of the rows a scatter plot shows: every n-th row of the holdout."""
    return np.arange(0, n_rows, max(1, -(-n_rows // SCATTER_POINTS)))


def _predicted_vs_actual(labels: np.ndarray, rows: Sequence[ScoredRow], unit: str) -> FigureSpec:
    shown = _shown(len(labels))
    chosen = [rows[0]] + [row for row in rows[1:] if row[0].kind == "oracle"]
    baselines = [row for row in rows if row[0].kind == "baseline"]
    chosen[1:1] = baselines[:1]  # the simplest baseline (the first declared) as the floor
    series = [
        Series(row_label(entry), tuple(labels[shown].tolist()), tuple(_points(values)[shown].tolist()), row_role(entry))
        for entry, values in chosen
    ]
    low, high = float(labels.min()), float(labels.max())
    series.append(Series("perfect prediction", (low, high), (low, high), "chance"))
    mine = _rmse(labels, _points(rows[0][1]))
    lesson = f"Your predictions against the actual {unit}: RMSE {_number(mine)}"
    best = [_rmse(labels, _points(values)) for entry, values in rows if entry.kind == "oracle"]
    lesson += f"; the oracle's {_number(best[0])} is the noise no model removes" if best else ""
    return FigureSpec(
        name="predicted_vs_actual",
        kind="scatter",
        title=lesson,
        x_label=f"actual {unit}",
        y_label=f"predicted {unit}",
        series=tuple(series),
        caption=(
            "Each point is a held-out row (every n-th row is shown). Points on the diagonal are exact; the oracle "
            "predicts the true mean, so its spread around the diagonal is the noise in the target itself."
        ),
        key=True,
    )


def _residuals(labels: np.ndarray, rows: Sequence[ScoredRow], unit: str) -> FigureSpec:
    shown = _shown(len(labels))
    points = _points(rows[0][1])
    residuals = labels - points
    slope = float(np.corrcoef(points, np.abs(residuals))[0, 1]) if np.ptp(points) > 0 else 0.0
    lesson = (
        f"Your errors grow with the prediction (correlation of |residual| and fit {slope:.2f}): try a log target"
        if slope >= FUNNEL_CORRELATION
        else f"Your residuals keep one spread across the fitted values (correlation {slope:.2f})"
    )
    return FigureSpec(
        name="residuals_vs_fitted",
        kind="scatter",
        title=lesson,
        x_label=f"your prediction ({unit})",
        y_label=f"actual - predicted ({unit})",
        series=(Series("you", tuple(points[shown].tolist()), tuple(residuals[shown].tolist()), "submission"),),
        markers=(Marker("no error", "y", 0.0),),
        caption=(
            "Residuals against the fitted values. A funnel (spread growing to the right) means the errors scale "
            "with the price; a curve means the model misses a non-linear effect."
        ),
    )


FUNNEL_CORRELATION: Final[float] = 0.2
"""Correlation of the absolute residual with the fitted value above which the title calls the spread growing."""


def _error_by_fifth(labels: np.ndarray, rows: Sequence[ScoredRow], unit: str) -> FigureSpec:
    groups = fifths(labels)
    series = []
    for entry, values in rows:
        errors = (labels - _points(values)) ** 2
        by_group = [float(np.sqrt(errors[groups == g].mean())) for g in range(N_FIFTHS)]
        series.append(Series(row_label(entry), FIFTHS, tuple(by_group), row_role(entry)))
    mine = series[0].y
    worst = int(np.argmax(np.asarray(mine, dtype=np.float64)))
    return FigureSpec(
        name="error_by_fifth",
        kind="lines",
        title=f"Your error is largest in the {FIFTHS[worst]} fifth of {unit}s (RMSE {_number(float(mine[worst]))})",
        x_label=f"fifth of the held-out rows by actual {unit}",
        y_label=f"RMSE ({unit})",
        series=tuple(series),
        caption=(
            "Held-out rows split into five equal groups by their actual value. A baseline that predicts one number "
            "fails at both ends; where you sit above the oracle is what your model still misses."
        ),
    )


def _coverage_by_fifth(labels: np.ndarray, rows: Sequence[ScoredRow], level: float, unit: str) -> FigureSpec | None:
    with_intervals = [(entry, values) for entry, values in rows if values.ndim == 2]
    if not with_intervals or with_intervals[0][0].kind != "submission":
        return None
    series = []
    for entry, values in with_intervals:
        groups = fifths(values[:, 0])
        inside = (labels >= values[:, 1]) & (labels <= values[:, 2])
        by_group = [float(inside[groups == g].mean()) for g in range(N_FIFTHS)]
        series.append(Series(row_label(entry), FIFTHS, tuple(by_group), row_role(entry)))
    mine = np.asarray(series[0].y, dtype=np.float64)
    worst = int(np.argmax(np.abs(mine - level)))
    return FigureSpec(
        name="interval_coverage",
        kind="bars",
        title=(
            f"Your {level:.0%} intervals cover {mine[worst]:.0%} of rows in the {FIFTHS[worst]} fifth of predictions"
        ),
        x_label=f"fifth of the held-out rows by predicted {unit}",
        y_label="share of actual values inside the interval",
        series=tuple(series),
        markers=(Marker(f"nominal {level:.0%}", "y", level),),
        caption=(
            "A well-calibrated interval covers its nominal share in every group, not only on average: intervals of "
            "one width for every house are too wide for cheap ones and too narrow for dear ones."
        ),
        y_limits=(0.0, 1.05),
    )


def regression_figures(
    labels: np.ndarray, rows: Sequence[ScoredRow], *, metric: str, level: float, unit: str
) -> list[FigureSpec]:
    """Every figure of a regression report, the submission's row first in ``rows``."""
    figures = [_predicted_vs_actual(labels, rows, unit), _residuals(labels, rows, unit)]
    coverage = _coverage_by_fifth(labels, rows, level, unit)
    if coverage is not None:
        figures.append(coverage)
    figures.append(_error_by_fifth(labels, rows, unit))
    figures.append(interval_figure(rows, metric, task="regression"))
    return figures
