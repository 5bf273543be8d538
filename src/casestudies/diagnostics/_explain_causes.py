"""Where a binary model fails, by true cause: recall at the alert budget per mechanism of the positives.

The simulator knows why each positive is positive (fraud: the mechanism
that made the transaction; overfit: whether a holdout row is a
near-duplicate of a training row). :func:`failure_by_cause` splits the
recall at the alert budget by that cause for the submission, the expert
reference and the oracle, with Wilson intervals, and names the cause where
the submission is weakest. Rows tied at the alert cut get their expected
share of the remaining alerts, as the report's own ``recall_at_budget``
does, so the per-cause recalls add back to the overall recall, weighted by
the cause counts.

Examples
--------
>>> import numpy as np
>>> alert_shares(np.array([0.9, 0.5, 0.5, 0.1]), 2).tolist()
[1.0, 0.5, 0.5, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from casestudies.core import Vocabulary
from casestudies.report import FigureSpec, Finding, Series

CAUSE_COLUMNS: Final[tuple[str, ...]] = ("mechanism", "duplicate_of")
"""Columns of a holdout's truth that say why a row is what it is, in the order they are looked for."""

BACKGROUND: Final[str] = "none"
"""The ``mechanism`` of a positive no fraud mechanism made (a genuine payment disputed)."""

BACKGROUND_WORDS: Final[str] = "background dispute"
"""How such positives are named in the breakdown; never named as the weak spot."""

MIN_CAUSE_POSITIVES: Final[int] = 5
"""A cause with fewer positives in the holdout is shown but never named as the weak spot (its recall is noise)."""

CONFIDENCE: Final[float] = 0.95
"""Level of the Wilson intervals of the per-cause recalls."""

ROLE_OF_KIND: Final[dict[str, str]] = {"submission": "submission", "reference": "reference", "oracle": "oracle"}


def alert_shares(scores: np.ndarray, n_alerts: int) -> np.ndarray:
    """Each row's expected share of an alert when the top ``n_alerts`` scores are alerted, ties split evenly.

    Examples
    --------
    >>> import numpy as np
    >>> alert_shares(np.array([3.0, 1.0, 2.0]), 1).tolist()
    [1.0, 0.0, 0.0]
    """
    values = np.asarray(scores, dtype=np.float64)
    ordered = np.sort(values)
    above = values.size - np.searchsorted(ordered, values, side="right")
    tied = np.searchsorted(ordered, values, side="right") - np.searchsorted(ordered, values, side="left")
    shares: np.ndarray = np.clip((n_alerts - above) / tied, 0.0, 1.0)
    return shares


def cause_labels(truth: pd.DataFrame) -> np.ndarray | None:
    """The true cause of every holdout row, as words, from the truth's cause column; None when it has none.

    Examples
    --------
    >>> import pandas as pd
    >>> cause_labels(pd.DataFrame({"mechanism": ["none", "card_testing"]})).tolist()
    ['background dispute', 'card testing']
    >>> cause_labels(pd.DataFrame({"probability": [0.5]})) is None
    True
    """
    if "mechanism" in truth.columns:
        words = truth["mechanism"].astype(str).str.replace("_", " ", regex=False)
        labels: np.ndarray = np.where(words == BACKGROUND, BACKGROUND_WORDS, words).astype(str)
        return labels
    if "duplicate_of" in truth.columns:
        twin = truth["duplicate_of"].to_numpy() != 0
        if not twin.any():
            return None
        return np.where(twin, "near-duplicate of a training row", "new snapshot").astype(str)
    return None


@dataclass(frozen=True, slots=True)
class CauseRecall:
    """One row's recall at the budget within one cause: caught positives (expected), positives, interval."""

    caught: float
    positives: int
    low: float
    high: float

    @property
    def recall(self) -> float:
        """Share of the cause's positives caught (NaN without positives)."""
        return self.caught / self.positives if self.positives else math.nan


def _recall(caught: float, positives: int) -> CauseRecall:
    if positives == 0:
        return CauseRecall(caught, positives, math.nan, math.nan)
    low, high = proportion_confint(caught, positives, alpha=1.0 - CONFIDENCE, method="wilson")
    return CauseRecall(caught, positives, float(low), float(high))


def per_cause_recall(
    labels: np.ndarray, causes: np.ndarray, scores: np.ndarray, n_alerts: int
) -> dict[str, CauseRecall]:
    """Recall at ``n_alerts`` alerts per cause of the positives, in order of the causes' counts.

    Examples
    --------
    >>> import numpy as np
    >>> labels, causes = np.array([1, 1, 1, 0]), np.array(["a", "a", "b", "x"])
    >>> {k: v.recall for k, v in per_cause_recall(labels, causes, np.array([4.0, 1.0, 3.0, 2.0]), 2).items()}
    {'a': 0.5, 'b': 1.0}
    """
    positive = np.asarray(labels) == 1
    shares = alert_shares(scores, n_alerts)
    names, counts = np.unique(causes[positive], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return {str(names[i]): _recall(float(shares[positive & (causes == names[i])].sum()), int(counts[i])) for i in order}


def _weakest(mine: dict[str, CauseRecall]) -> str | None:
    eligible = {
        name: item
        for name, item in mine.items()
        if item.positives >= MIN_CAUSE_POSITIVES and name != BACKGROUND_WORDS  # a dispute is no fraud to catch
    }
    if len(eligible) < 2:
        return None
    return min(eligible, key=lambda name: eligible[name].recall)


def failure_by_cause(
    labels: np.ndarray,
    causes: np.ndarray,
    rows: Sequence[tuple[str, str, np.ndarray]],
    *,
    budget: float,
    words: Vocabulary,
) -> Finding:
    """The finding "where it fails, by true cause" for ``rows`` (name, kind, scores), the submission first.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.core import NEUTRAL_VOCABULARY
    >>> labels = np.array([1] * 10 + [0] * 90)
    >>> causes = np.array(["bursts"] * 5 + ["takeovers"] * 5 + ["genuine"] * 90)
    >>> scores = np.r_[np.full(5, 2.0), np.zeros(5), np.linspace(1.0, 0.5, 90)]
    >>> rows = [("you", "submission", scores)]
    >>> finding = failure_by_cause(labels, causes, rows, budget=0.1, words=NEUTRAL_VOCABULARY)
    >>> finding.evidence["weakest"], finding.evidence["recall"]["you"]["takeovers"]["estimate"]
    ('takeovers', 0.0)
    """
    n_alerts = min(len(labels), math.ceil(round(budget * len(labels), 9)))
    table = {name: per_cause_recall(labels, causes, scores, n_alerts) for name, _, scores in rows}
    mine_name = rows[0][0]
    mine = table[mine_name]
    strongest = max(mine, key=lambda name: -math.inf if math.isnan(mine[name].recall) else mine[name].recall)
    weakest = _weakest(mine)
    if weakest is not None and mine[weakest].recall >= mine[strongest].recall:
        weakest = None  # every cause caught alike: no weak spot to name
    text = ", ".join(f"{mine[name].recall:.0%} of {mine[name].positives} {name}" for name in mine)
    text = f"At the {words.budget} ({n_alerts:,} {words.alerts}), you catch {text}."
    if weakest is not None:
        text += (
            f" Your weak spot: you catch {mine[strongest].recall:.0%} of {strongest} {words.positives} but "
            f"{mine[weakest].recall:.0%} of {weakest} ones."
        )
        oracle = next((table[name] for name, kind, _ in rows if kind == "oracle"), None)
        if oracle is not None and weakest in oracle:
            best = oracle[weakest].recall
            whose = (
                "yours to win back" if best > mine[weakest].recall + 0.1 else "inherent: even the oracle misses them"
            )
            text += f" The oracle catches {best:.0%} of those: the misses are {whose}."
    evidence: dict[str, object] = {
        "alerts": n_alerts,
        "weakest": weakest,
        "recall": {
            name: {
                cause: {"estimate": item.recall, "low": item.low, "high": item.high, "positives": item.positives}
                for cause, item in per.items()
            }
            for name, per in table.items()
        },
    }
    causes_shown = tuple(mine)
    series = tuple(
        Series(
            label=name,
            x=tuple(table[name][cause].recall * 100 for cause in causes_shown),
            y=causes_shown,
            role=ROLE_OF_KIND.get(kind, "baseline"),  # type: ignore[arg-type]
            low=tuple(table[name][cause].low * 100 for cause in causes_shown),
            high=tuple(table[name][cause].high * 100 for cause in causes_shown),
        )
        for name, kind, _ in rows
    )
    figure = FigureSpec(
        name="recall_by_cause",
        kind="intervals",
        title=f"Which {words.positives} the {words.budget} catches, by true cause",
        x_label=f"{words.positives} caught at the {words.budget} (%, 95 % interval)",
        y_label="true cause",
        series=series,
        caption="Misses the oracle shares are inherent; the others are your model's.",
    )
    return Finding("failure_by_cause", "Where it fails, by true cause", text, evidence, figures=(figure,))
