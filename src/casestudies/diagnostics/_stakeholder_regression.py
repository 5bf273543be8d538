"""The stakeholder view of a regression report: how far off the estimates are, in the target's own units.

For the whole test period the typical miss is the report's own mean absolute
error (estimate and interval) of the submission, of the ``mean`` baseline
("no model": every case valued at the average) and of the oracle (the true
expected value: what no model can beat). For the fifth of cases with the
highest true value, the same average miss is computed on those rows, with a
Student-t interval (statsmodels). The text uses the scenario's target name
and unit (the data card's ``<target>_unit``) and names no metric.

Examples
--------
>>> money(21_300.4, "EUR"), money(12.7, "kg"), money(-3.0, "")
('€21,300', '13 kg', '-3')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
from statsmodels.stats.weightstats import DescrStatsW

from casestudies.report import Entry, FigureSpec, Series, StakeholderView

TOP_SHARE: Final[float] = 0.2
"""The share of cases with the highest true value whose typical miss is stated on its own ("the dearest fifth")."""

NO_MODEL: Final[str] = "mean"
"""The baseline that stands for "no model": every case valued at the training average."""

SYMBOLS: Final[dict[str, str]] = {"EUR": "€", "USD": "$", "GBP": "£"}
"""Units written as a symbol before the amount; any other unit is written after it."""


def money(value: float, unit: str) -> str:
    """An amount rounded to a whole number, with its unit (a currency symbol before it, any other unit after).

    Examples
    --------
    >>> money(1234.5, "USD")
    '$1,234'
    """
    amount = f"{value:,.0f}"
    if unit in SYMBOLS:
        return f"-{SYMBOLS[unit]}{amount[1:]}" if amount.startswith("-") else f"{SYMBOLS[unit]}{amount}"
    return f"{amount} {unit}" if unit else amount


def _points(values: np.ndarray) -> np.ndarray:
    """A row's point prediction (the oracle's rows also hold an interval: its first column is the point)."""
    array = np.asarray(values, dtype=np.float64)
    return array[:, 0] if array.ndim == 2 else array


def _top_miss(labels: np.ndarray, values: np.ndarray, top: np.ndarray) -> tuple[float, float, float]:
    misses = DescrStatsW(np.abs(_points(values)[top] - labels[top]))
    low, high = misses.tconfint_mean(alpha=0.05)
    return float(misses.mean), float(low), float(high)


def regression_view(
    rows: Sequence[tuple[Entry, np.ndarray]], labels: np.ndarray, *, target: str, unit: str, row: str
) -> StakeholderView:
    """The stakeholder view of a regression report (see the module docstring); ``rows`` hold the submission first.

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scenarios.houses import linear_pipeline
    >>> case = cs.make("houses-v1", seed=0, n_train=400, n_test=300)
    >>> view = case.evaluate(linear_pipeline()).stakeholder
    >>> view.paragraphs[0].split(" (")[0]  # the report's average miss, in euros
    'The price estimate is off by €22,984 on average'
    """
    labels = np.asarray(labels, dtype=np.float64)
    top = labels >= np.quantile(labels, 1.0 - TOP_SHARE)
    cut = float(labels[top].min())
    numbers: dict[str, float] = {"top_from": cut}
    kinds = {"submission": "model", NO_MODEL: "no_model", "oracle": "oracle"}
    for entry, values in rows:
        key = kinds.get(entry.kind if entry.kind in ("submission", "oracle") else entry.name)
        if key is None or f"{key}_typical" in numbers:
            continue
        mae = entry.scores["all"]["mae"]
        numbers |= {
            f"{key}_typical": mae["estimate"],
            f"{key}_typical_low": mae["low"],
            f"{key}_typical_high": mae["high"],
        }
        numbers |= dict(
            zip((f"{key}_top", f"{key}_top_low", f"{key}_top_high"), _top_miss(labels, values, top), strict=True)
        )
    paragraphs = [
        f"The {target} estimate is off by {money(numbers['model_typical'], unit)} on average (most likely between "
        f"{money(numbers['model_typical_low'], unit)} and {money(numbers['model_typical_high'], unit)}, given the "
        f"{len(labels):,} {row}s of this test period). For the fifth of {row}s with the highest {target} (from "
        f"{money(cut, unit)} up), it is off by {money(numbers['model_top'], unit)} on average (most likely between "
        f"{money(numbers['model_top_low'], unit)} and {money(numbers['model_top_high'], unit)})."
    ]
    groups = {"model": "your model"}
    if "no_model_typical" in numbers:
        groups = {"no_model": "no model", **groups}
        paragraphs.append(
            f"Without a model, giving every {row} the average {target} would be off by "
            f"{money(numbers['no_model_typical'], unit)} on average, and by {money(numbers['no_model_top'], unit)} "
            "for that highest fifth."
        )
    if "oracle_typical" in numbers:
        groups["oracle"] = "best possible"
        paragraphs.append(
            f"Even an estimate that knew the true average {target} of every {row} like it would be off by "
            f"{money(numbers['oracle_typical'], unit)} (and {money(numbers['oracle_top'], unit)} for the highest "
            f"fifth): {target}s of similar {row}s differ by that much, so no model can do better."
        )
    names = tuple(groups.values())
    series = (
        Series(f"all {row}s", names, tuple(numbers[f"{key}_typical"] for key in groups), role="submission"),
        Series("highest fifth", names, tuple(numbers[f"{key}_top"] for key in groups), role="reference"),
    )
    figure = FigureSpec(
        name="business_view",
        kind="bars",
        title=f"How far off the {target} estimate is, on average",
        x_label="",
        y_label=f"average miss ({unit})" if unit else "average miss",
        series=series,
        key=True,
    )
    return StakeholderView(f"How close the {target} estimates are", tuple(paragraphs), numbers, figure)
