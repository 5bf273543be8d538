"""The stakeholder view of a binary report: per 10,000 rows, what acting on the top scores does for the business.

Every number is read from the report's own rows (the whole-holdout
estimates and intervals of ``recall_at_budget``, ``prevalence`` and
``expected_cost``) or is a count the report states (rows, alert budget), so
each one traces to the technical report; the text uses the scenario's
``[vocabulary]`` and names no metric.

Examples
--------
>>> per_10k(0.0123)
123.0
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from casestudies.core import ScenarioSpec, Vocabulary
from casestudies.report import Entry, FigureSpec, Series, StakeholderView
from casestudies.scoring import DEFAULT_ALERT_BUDGET

PER: Final[int] = 10_000
"""Rows the stakeholder figures are stated for."""


def per_10k(share: float) -> float:
    """A per-row share as a count per 10,000 rows."""
    return round(share * PER, 6)


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def _saves(value: float, *, verb: bool = True) -> str:
    """``saves 1,200`` or ``loses 300`` (``save``/``lose`` with ``verb=False``)."""
    word = ("saves" if verb else "save") if value >= 0 else ("loses" if verb else "lose")
    return f"{word} {_amount(abs(value))}"


def _saving(value: float) -> str:
    return f"saving {_amount(value)}" if value >= 0 else f"losing {_amount(-value)}"


def _count(value: float) -> str:
    if 0 < value < 1:
        return "fewer than one"
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def binary_view(
    spec: ScenarioSpec,
    words: Vocabulary,
    submission: Entry,
    *,
    costs: np.ndarray | None,
    labels: np.ndarray,
    weak_spot: str = "",
) -> StakeholderView:
    """The stakeholder view of a binary report (see the module docstring).

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scenarios.fraud import simple_baseline
    >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
    >>> view = case.evaluate(simple_baseline()).stakeholder
    >>> round(view.numbers["alerts"], 1)  # 46 alerts (0.5 % of 9,039 rows, rounded up) per 10,000 rows
    50.9
    """
    scores = submission.scores["all"]
    budget = float(spec.scoring.get("alert_budget", DEFAULT_ALERT_BUDGET))  # type: ignore[arg-type]
    n_rows = len(labels)
    alerts = per_10k(math.ceil(round(budget * n_rows, 9)) / n_rows)
    positives = per_10k(float(scores["prevalence"]["estimate"]))
    recall = scores["recall_at_budget"]
    caught, low, high = (positives * float(recall[key]) for key in ("estimate", "low", "high"))
    random_caught = alerts / PER * positives
    numbers: dict[str, float] = {
        "alerts": alerts,
        "positives": positives,
        "caught": caught,
        "caught_low": low,
        "caught_high": high,
        "random_caught": random_caught,
    }
    row, team = words.row, words.team
    paragraphs = [
        f"Out of every {PER:,} {row}s, about {_count(positives)} are {words.positives}. With the model, {team} "
        f"handles {_count(alerts)} {words.alerts} per {PER:,} {row}s (its {words.budget}) and reaches "
        f"{_count(caught)} of the {_count(positives)} {words.positives}: most likely between {_count(low)} and "
        f"{_count(high)}, given the size of this test period. Picking the same number at random "
        f"would reach {_count(random_caught)}; doing nothing reaches none.",
    ]
    bars = {"no model": 0.0, "at random": random_caught, "with the model": caught}
    unit = f"{words.positives} reached per {PER:,} {row}s"
    if costs is not None and "expected_cost" in scores:
        cost = scores["expected_cost"]
        review = float(spec.scoring.get("review_cost", 0.0))  # type: ignore[arg-type]
        no_model = per_10k(float(np.sum(costs[labels == 1])) / n_rows)
        spent = per_10k(float(cost["estimate"]))
        review_total = alerts * review
        saved = no_model - spent
        lost = spent - review_total
        random_saved = no_model * alerts / PER - review_total
        numbers |= {
            "no_model_loss": no_model,
            "money_saved": saved,
            "money_saved_low": no_model - per_10k(float(cost["high"])),
            "money_saved_high": no_model - per_10k(float(cost["low"])),
            "money_lost": lost,
            "review_cost": review_total,
            "random_saved": random_saved,
        }
        paragraphs.append(
            f"In money, per {PER:,} {row}s: without a model the {words.positives} would cost {_amount(no_model)}. "
            f"With it, {_amount(lost)} is still lost and the {words.alerts} cost {_amount(review_total)} to handle, "
            f"so the model {_saves(saved)} (most likely between {_saving(numbers['money_saved_low'])} and "
            f"{_saving(numbers['money_saved_high'])}). Handling the same number at random would "
            f"{_saves(random_saved, verb=False)}."
        )
        bars = {"no model": 0.0, "at random": random_saved, "with the model": saved}
        unit = f"money saved per {PER:,} {row}s"
    if weak_spot:
        paragraphs.append(weak_spot)
    figure = FigureSpec(
        name="business_view",
        kind="bars",
        title=f"What the model does per {PER:,} {row}s, against doing nothing and picking at random",
        x_label="",
        y_label=unit,
        series=(Series(unit, tuple(bars), tuple(bars.values()), role="submission"),),
        key=True,
    )
    return StakeholderView(f"What the model would do for {team}", tuple(paragraphs), numbers, figure)


def refused(task: str, reason: str) -> StakeholderView:
    """A view that says why a report of ``task`` has none."""
    return StakeholderView("", (), {}, None, refusal=f"the stakeholder view of {task} tasks {reason}")
