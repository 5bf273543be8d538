"""Data-quality checks of numeric columns: unit mix-ups by source, and outliers judged entry error or heavy tail.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> income = np.exp(rng.normal(10.8, 0.4, 3000))
>>> source = rng.choice(["north", "south"], 3000)
>>> frame = pd.DataFrame({"income": np.where(source == "south", income / 12, income), "source": source})
>>> unit_mixtures(frame).evidence["mixtures"]["income"]["factor"]
12.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from casestudies.diagnostics._quality import text_columns
from casestudies.preprocessing import is_numeric
from casestudies.report import Finding

__all__ = ["UNIT_FACTORS", "outliers", "unit_mixtures"]

UNIT_FACTORS: Final[dict[float, str]] = {
    12.0: "months per year",
    100.0: "cents per unit, or percent",
    1000.0: "thousands (grams, metres, milli-units)",
    2.54: "centimetres per inch",
    2.20462: "pounds per kilogram",
    1.60934: "kilometres per mile",
    3.28084: "feet per metre",
    52.0: "weeks per year",
    4.345: "weeks per month",
    60.0: "minutes per hour",
}
"""Ratios between units that systems mix up, and what each usually means."""
UNIT_TOLERANCE: Final[float] = 0.08
"""Group medians must be within 8 % of a known unit ratio (medians of a few hundred rows vary by a few %)."""
UNIT_MIN_RATIO: Final[float] = 2.0
"""Group medians closer than this are not a unit mix-up (1.6 km/mile aside, real groups differ that much)."""
UNIT_GROUP_ROWS: Final[int] = 200
UNIT_GROUP_LEVELS: Final[int] = 12
"""Grouping columns: at most this many levels, each with this many rows."""

FENCE_IQR: Final[float] = 3.0
"""Far-out values lie beyond the quartiles by 3 interquartile ranges, on a log scale (Tukey's far-out values);
a column with some and no entry-error cluster has a heavy tail."""
DECADE_SHIFT: Final[tuple[float, float]] = (0.7, 1.3)
"""An entry-error cluster sits this many decades from the median (an extra zero or a misplaced point: 1)."""
GAP_DECADES: Final[float] = 0.2
"""Empty gap (in decades) between the bulk and an entry-error cluster: typos jump over it, a heavy tail fills
it (past its fifth-largest value a Pareto tail leaves such a gap about 1 time in 100)."""
ERROR_SHARE: Final[float] = 0.05
"""Entry errors are rare: beyond this share of the values an outlying cluster is a unit or a population."""
MIN_OUTLIERS: Final[int] = 5


def _groupings(frame: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    grouping = []
    for column in text_columns(frame, exclude):
        counts = frame[column].value_counts()
        if 2 <= len(counts) <= UNIT_GROUP_LEVELS and int(counts.iloc[-1]) >= UNIT_GROUP_ROWS:
            grouping.append(column)
    return grouping


def _closest_factor(ratio: float) -> float | None:
    for factor in UNIT_FACTORS:
        if abs(ratio / factor - 1.0) <= UNIT_TOLERANCE:
            return factor
    return None


def _reference_median(medians: pd.Series, sizes: pd.Series) -> float:
    """The median of the unit most rows share: levels within :data:`UNIT_MIN_RATIO` of each other agree."""
    best, best_rows = float(medians.iloc[0]), -1
    for median in medians.to_numpy(dtype=np.float64):
        ratios = np.maximum(medians / median, median / medians)
        rows = int(sizes.reindex(medians.index[ratios.to_numpy() < UNIT_MIN_RATIO]).sum())
        if rows > best_rows:
            best, best_rows = float(median), rows
    return best


def unit_mixtures(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Numeric columns whose values split by a source (or any grouping column) in a ratio like 12, 100 or 2.54.

    For each numeric column and each grouping column (text, 2 to
    :data:`UNIT_GROUP_LEVELS` levels of at least :data:`UNIT_GROUP_ROWS`
    rows), the median of each group is compared with the median of the
    largest group; a ratio of at least :data:`UNIT_MIN_RATIO` within
    :data:`UNIT_TOLERANCE` of a ratio of :data:`UNIT_FACTORS` is a unit
    mix-up. Divide the group's values by the factor (or multiply).

    Returns
    -------
    Finding
        ``evidence["mixtures"]``: column to the grouping column, the group(s)
        in another unit, the factor and what it usually means.
    """
    mixtures: dict[str, dict[str, object]] = {}
    cells: dict[str, list[int]] = {}
    figure: dict[str, dict[str, float]] = {}
    groupings = _groupings(frame, exclude)
    for column in (str(c) for c in frame.columns if c not in exclude):
        series = frame[column]
        if not is_numeric(series) or series.dtype.kind == "b":
            continue
        values = series.to_numpy(dtype=np.float64)
        for grouping in groupings:
            medians = pd.Series(values).where(values > 0).groupby(frame[grouping].to_numpy()).median().dropna()
            sizes = frame[grouping].value_counts()
            if len(medians) < 2:
                continue
            reference = _reference_median(medians, sizes)
            odd: dict[str, float] = {}
            for level, median in medians.items():
                ratio = max(median, reference) / min(median, reference) if min(median, reference) > 0 else 0.0
                factor = _closest_factor(ratio) if ratio >= UNIT_MIN_RATIO else None
                if factor is not None:
                    odd[str(level)] = factor if median > reference else 1.0 / factor
            if odd:
                factor = max(odd.values(), key=lambda f: max(f, 1 / f))
                big = max(factor, 1 / factor)
                mixtures[column] = {
                    "grouping": grouping,
                    "groups": odd,
                    "factor": round(big, 5),
                    "meaning": UNIT_FACTORS.get(round(big, 5), ""),
                }
                rows = frame[grouping].isin(list(odd)).to_numpy() & np.isfinite(values)
                cells[column] = [int(i) for i in np.flatnonzero(rows)]
                figure[column] = {str(k): float(v) for k, v in medians.items()}
                break
    text = (
        "Values in another unit for one source: "
        + "; ".join(
            f"{c} where {m['grouping']} is {', '.join(m['groups'])} (x{m['factor']:g}: {m['meaning']})"  # type: ignore[arg-type]
            for c, m in mixtures.items()
        )
        + ". Convert them before scaling or comparing."
        if mixtures
        else "No column's values split by a source in a unit ratio."
    )
    return Finding(
        "unit_mixtures",
        "Unit and scale mix-ups",
        text,
        {
            "flagged": bool(mixtures),
            "faults": {"unit_mixture": list(mixtures)} if mixtures else {},
            "mixtures": mixtures,
            "cells": cells,
            "figure": {"kind": "group_medians", "medians": figure},
        },
    )


def _side(log_values: np.ndarray, median: float, fence: float, upper: bool) -> dict[str, object]:
    """Judge one side: entry errors (a small cluster a decade away, past an empty gap) or a heavy tail.

    The widest gap between consecutive values beyond the quartile, with at
    least :data:`MIN_OUTLIERS` values past it, splits the side; ``boundary``
    is the gap's middle (log10).
    """
    beyond_fence = int((log_values > fence).sum() if upper else (log_values < fence).sum())
    tail = np.sort(log_values[log_values > median] if upper else -log_values[log_values < median])
    if tail.size <= MIN_OUTLIERS:
        return {"n_far": beyond_fence, "judgement": "heavy_tail" if beyond_fence else "none"}
    gaps = np.diff(tail)[: tail.size - MIN_OUTLIERS]  # gap i leaves tail.size - i - 1 values past it
    widest = int(np.argmax(gaps))
    past = tail[widest + 1 :]
    gap = float(gaps[widest])
    shift = float(np.median(past) - (median if upper else -median))
    is_error = (
        gap >= GAP_DECADES
        and past.size <= ERROR_SHARE * log_values.size
        and DECADE_SHIFT[0] <= shift <= DECADE_SHIFT[1]
    )
    boundary = float(tail[widest] + gap / 2)
    judgement = "entry_error" if is_error else ("heavy_tail" if beyond_fence else "none")
    return {
        "n_far": beyond_fence,
        "n": int(past.size) if is_error else 0,
        "gap_decades": round(gap, 3),
        "decades_from_median": round(shift, 3),
        "boundary": round(boundary if upper else -boundary, 6),
        "judgement": judgement,
    }


def outliers(
    frame: pd.DataFrame, *, exclude: Sequence[str] = (), ignore: Mapping[str, Sequence[float]] | None = None
) -> Finding:
    """Far-out values of positive numeric columns, each side judged **entry error** or **heavy tail**.

    On a log10 scale, each side of the median is split at its widest gap
    between consecutive values (with at least :data:`MIN_OUTLIERS` values
    past it). The values past the gap are entry errors (fix them: divide by
    10, move the point) when the gap is empty enough (:data:`GAP_DECADES`),
    they are few (:data:`ERROR_SHARE`) and they sit about a decade from the
    median (:data:`DECADE_SHIFT`): typing slips move a value by a factor of
    ten, while a genuine heavy tail (high earners, big savings) thins out
    continuously and must not be clipped. A side with values beyond
    :data:`FENCE_IQR` interquartile ranges and no such cluster is a heavy
    tail. Values of ``ignore`` (sentinels found earlier) are left out.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> rate = rng.uniform(6, 25, 4000)
    >>> rate[:40] *= 10
    >>> income = 30_000 * (1 + rng.pareto(2.0, 4000))
    >>> result = outliers(pd.DataFrame({"rate": rate, "income": income}))
    >>> result.evidence["faults"], result.evidence["sides"]["income"]["upper"]["judgement"]
    ({'entry_errors': ['rate']}, 'heavy_tail')
    """
    ignore = ignore or {}
    sides: dict[str, dict[str, dict[str, object]]] = {}
    cells: dict[str, list[int]] = {}
    errors: list[str] = []
    heavy: list[str] = []
    for column in (str(c) for c in frame.columns if c not in exclude):
        series = frame[column]
        if not is_numeric(series) or series.dtype.kind == "b":
            continue
        values = series.to_numpy(dtype=np.float64)
        usable = np.isfinite(values) & (values > 0) & ~np.isin(values, list(ignore.get(column, [])))
        if usable.sum() < 4 * MIN_OUTLIERS:
            continue
        log_values = np.where(usable, np.log10(np.where(usable, values, 1.0)), np.nan)
        q1, median, q3 = np.nanquantile(log_values, [0.25, 0.5, 0.75])
        iqr = q3 - q1
        if iqr <= 0:
            continue
        finite = log_values[usable]
        judged = {
            "upper": _side(finite, float(median), float(q3 + FENCE_IQR * iqr), upper=True),
            "lower": _side(finite, float(median), float(q1 - FENCE_IQR * iqr), upper=False),
        }
        if all(side["judgement"] == "none" for side in judged.values()):
            continue
        sides[column] = judged
        error_rows = np.zeros(len(values), dtype=bool)
        with np.errstate(invalid="ignore"):
            if judged["upper"]["judgement"] == "entry_error":
                error_rows |= usable & (log_values > judged["upper"]["boundary"])
            if judged["lower"]["judgement"] == "entry_error":
                error_rows |= usable & (log_values < judged["lower"]["boundary"])
        if error_rows.any():
            errors.append(column)
            cells[column] = [int(i) for i in np.flatnonzero(error_rows)]
        elif any(side["judgement"] == "heavy_tail" for side in judged.values()):
            heavy.append(column)
    parts = []
    if errors:
        parts.append(f"entry errors (a factor of ten off, past an empty band) in {', '.join(errors)}: fix them")
    if heavy:
        parts.append(f"a genuine heavy tail in {', '.join(heavy)}: keep those values (log-transform, do not clip)")
    text = "; ".join(parts).capitalize() + "." if parts else "No far-out values."
    return Finding(
        "outliers",
        "Outliers: entry errors or heavy tail?",
        text,
        {
            "flagged": bool(errors),
            "faults": {"entry_errors": errors} if errors else {},
            "heavy_tail": heavy,
            "sides": sides,
            "cells": cells,
        },
    )
