"""The figures of a binary task: PR and ROC curves, cost vs alerts, reliability, score distributions, intervals.

Every curve is computed on the whole holdout (public and private parts
together), from the values each row was scored from, so a figure's numbers
are the report's: the PR curve of a row integrates (step-wise) to its
average precision, and its cost curve at the alert budget is its
``expected_cost``. Curves come from scikit-learn (``precision_recall_curve``
with ``drop_intermediate=True``, which keeps every point where recall moves,
so the average precision of the plotted points is exact; ``roc_curve``;
``calibration_curve``).

The cost of alerting the top ``k`` rows is (costs of the positives not
alerted + ``review_cost * k``) / rows, with tied scores alerted in
proportion (linear between the ends of a tied group), as ``expected_cost``
counts them.

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring._binary_figures import cost_curve
>>> labels = np.array([1, 0, 1, 0]); scores = np.array([0.9, 0.8, 0.3, 0.1]); costs = np.array([40.0, 0, 10, 0])
>>> cost_curve(labels, scores, costs, np.array([0, 1, 2, 4]), review_cost=5.0).tolist()
[12.5, 3.75, 5.0, 5.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np

from casestudies.report import FigureSpec, Marker, Series
from casestudies.scoring._figures import ScoredRow, interval_figure, row_label, row_role
from casestudies.scoring._metrics import DEFAULT_ALERT_BUDGET, DEFAULT_REVIEW_COST

COST_POINTS: Final[int] = 240
"""Alert counts at which each cost curve is drawn (plus the budget and the cheapest count, exactly)."""

COST_RANGE: Final[float] = 4.0
"""The cost figure shows alert shares up to this many times the budget (further when the cheapest lies beyond)."""

RELIABILITY_BINS: Final[int] = 10
"""Quantile bins of the reliability curve: ten rows of the curve, each holding a tenth of the holdout."""

SCORE_BINS: Final[int] = 30
"""Bins of the score distributions."""

LOG_PREVALENCE: Final[float] = 0.05
"""Below this prevalence, probabilities span orders of magnitude: reliability and score axes are logarithmic."""

_LOW_QUANTILE: Final[float] = 0.001
"""Scores below this quantile are gathered in the first bin of a logarithmic score histogram."""


def cost_curve(
    labels: np.ndarray, scores: np.ndarray, costs: np.ndarray, alerts: np.ndarray, *, review_cost: float
) -> np.ndarray:
    """Cost per row of alerting the top ``alerts[i]`` rows by score, ties alerted in proportion."""
    n_rows = len(labels)
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    caught = np.cumsum(np.where(labels[order] == 1, costs[order], 0.0))
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])  # last row of each tied group
    at_ends = np.interp(alerts, np.r_[0, ends + 1], np.r_[0.0, caught[ends]])
    total = float(caught[-1]) if n_rows else 0.0
    cost: np.ndarray = (total - at_ends + review_cost * np.asarray(alerts, dtype=np.float64)) / n_rows
    return cost


def _cheapest(labels: np.ndarray, scores: np.ndarray, costs: np.ndarray, *, review_cost: float) -> int:
    """The alert count of least cost (a cost curve is linear within tied groups: its minimum is at a group end)."""
    ranked = np.sort(scores)[::-1]
    ends = np.r_[0, np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True]) + 1]
    values = cost_curve(labels, scores, costs, ends, review_cost=review_cost)
    return int(ends[int(np.argmin(values))])


def _pr_figure(labels: np.ndarray, rows: Sequence[ScoredRow], prevalence: float) -> FigureSpec:
    from sklearn.metrics import precision_recall_curve

    series = []
    for entry, values in rows:
        precision, recall, _ = precision_recall_curve(labels, values, drop_intermediate=True)
        ap = entry.estimate("average_precision")
        series.append(
            Series(row_label(entry), tuple(recall.tolist()), tuple(precision.tolist()), row_role(entry), value=ap)
        )
    mine = rows[0][0].estimate("average_precision")
    best = [entry.estimate("average_precision") for entry, _ in rows if entry.kind == "oracle"]
    lesson = f"Your ranking's precision at each recall: AP {mine:.3f}"
    lesson += f" against the oracle's {best[0]:.3f}" if best else ""
    lesson += f"; a random ranking gets {prevalence:.3f}"
    return FigureSpec(
        name="pr_curve",
        kind="pr_curve",
        title=lesson,
        x_label="recall (share of all positives caught)",
        y_label="precision (share of alerts that are positive)",
        series=tuple(series),
        markers=(Marker(f"prevalence {prevalence:.2%} (a random ranking)", "y", prevalence),),
        caption=(
            "Precision-recall curves on the whole holdout; AP in the legend is the report's average precision. "
            "The closer a curve hugs the top right, the cleaner the top of its ranking; the oracle's curve is the "
            "best any model can do here."
        ),
        key=True,
        x_limits=(0.0, 1.0),
        y_limits=(0.0, 1.02),
    )


def _roc_figure(labels: np.ndarray, rows: Sequence[ScoredRow], prevalence: float) -> FigureSpec:
    from sklearn.metrics import roc_curve

    series = []
    for entry, values in rows:
        fpr, tpr, _ = roc_curve(labels, values, drop_intermediate=True)
        auc = entry.estimate("roc_auc")
        series.append(Series(row_label(entry), tuple(fpr.tolist()), tuple(tpr.tolist()), row_role(entry), value=auc))
    series.append(Series("chance", (0.0, 1.0), (0.0, 1.0), "chance"))
    mine = rows[0][0]
    lesson = (
        f"ROC-AUC {mine.estimate('roc_auc'):.3f} looks strong, yet AP is {mine.estimate('average_precision'):.3f}: "
        f"with {prevalence:.2%} positives ROC is carried by easy negatives"
    )
    return FigureSpec(
        name="roc_curve",
        kind="roc_curve",
        title=lesson,
        x_label="false-positive rate (share of negatives alerted)",
        y_label="true-positive rate (recall)",
        series=tuple(series),
        caption=(
            "ROC curves of the same rankings. A false-positive rate of 1 % sounds small, but with so few positives "
            "it means many more false alerts than true ones: compare with the precision-recall curves."
        ),
    )


def _cost_figure(
    labels: np.ndarray, costs: np.ndarray, rows: Sequence[ScoredRow], *, budget: float, review_cost: float
) -> FigureSpec:
    n_rows = len(labels)
    n_alerts = min(n_rows, math.ceil(round(budget * n_rows, 9)))
    mine = rows[0][1]
    cheapest = _cheapest(labels, mine, costs, review_cost=review_cost)
    top = min(n_rows, max(math.ceil(COST_RANGE * n_alerts), math.ceil(1.3 * cheapest), 10))
    alerts = np.unique(np.r_[np.linspace(0, top, COST_POINTS).round().astype(np.int64), n_alerts, cheapest])
    shares = tuple((100.0 * alerts / n_rows).tolist())
    series = []
    for entry, values in rows:
        curve = cost_curve(labels, values, costs, alerts, review_cost=review_cost)
        series.append(Series(row_label(entry), shares, tuple(curve.tolist()), row_role(entry)))
    at_budget = float(cost_curve(labels, mine, costs, np.array([n_alerts]), review_cost=review_cost)[0])
    lowest = float(cost_curve(labels, mine, costs, np.array([cheapest]), review_cost=review_cost)[0])
    lesson = (
        f"At the alert budget ({budget:.1%} of rows) you pay {at_budget:.2f} per row; "
        f"your cheapest point, alerting {100 * cheapest / n_rows:.2f} %, costs {lowest:.2f}"
    )
    return FigureSpec(
        name="cost_curve",
        kind="lines",
        title=lesson,
        x_label="rows alerted, top scores first (% of rows)",
        y_label="cost per row (missed positives' cost + reviews)",
        series=tuple(series),
        markers=(
            Marker(f"alert budget ({budget:.1%})", "x", 100.0 * n_alerts / n_rows),
            Marker(f"your cheapest ({100 * cheapest / n_rows:.2f} %)", "x", 100.0 * cheapest / n_rows),
        ),
        caption=(
            f"Alerting more rows catches more positives but costs {review_cost:g} per review. The report's cost per "
            "row is each curve's value at the budget line; where a curve bottoms out is the alert rate that "
            "model would choose without a budget."
        ),
        key=True,
        x_limits=(0.0, float(shares[-1])),
    )


def _is_probability(values: np.ndarray) -> bool:
    return bool(values.size) and float(values.min()) >= 0.0 and float(values.max()) <= 1.0


def _reliability_figure(labels: np.ndarray, rows: Sequence[ScoredRow], prevalence: float) -> FigureSpec | None:
    from sklearn.calibration import calibration_curve

    series = []
    for entry, values in rows:
        if not _is_probability(values) or np.unique(values).size < 2:  # a constant score has no curve
            continue
        observed, predicted = calibration_curve(labels, values, n_bins=RELIABILITY_BINS, strategy="quantile")
        series.append(Series(row_label(entry), tuple(predicted.tolist()), tuple(observed.tolist()), row_role(entry)))
    if not series:
        return None
    yours = series[0].label == "you"
    logarithmic = prevalence < LOG_PREVALENCE
    caption = (
        "Each point is a tenth of the holdout, by predicted probability: its mean prediction against the share that "
        "was positive. On the diagonal, a probability means what it says (needed to set a threshold by cost)."
    )
    if not yours:
        caption += " Your scores are not probabilities in [0, 1], so only the references are shown."
    if logarithmic:
        caption += " Both axes are logarithmic: with rare positives most predictions are tiny."
    return FigureSpec(
        name="reliability",
        kind="reliability",
        title="Reliability: do predicted probabilities match observed rates?",
        x_label="mean predicted probability (per tenth of the holdout)",
        y_label="observed share of positives",
        series=tuple(series),
        caption=caption,
        x_log=logarithmic,
        y_log=logarithmic,
    )


def _distribution_figure(labels: np.ndarray, values: np.ndarray) -> FigureSpec:
    positive = labels == 1
    logarithmic = _is_probability(values) and float(values.min()) > 0.0
    if logarithmic:
        low = max(float(np.quantile(values, _LOW_QUANTILE)), float(values.min()))
        edges = np.geomspace(low, float(values.max()), SCORE_BINS + 1)
    else:
        edges = np.linspace(float(values.min()), float(values.max()), SCORE_BINS + 1)
    if edges[0] == edges[-1]:
        edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    clipped = np.clip(values, edges[0], edges[-1])
    shares = []
    for mask in (positive, ~positive):
        counts, _ = np.histogram(clipped[mask], bins=edges)
        shares.append(counts / max(int(mask.sum()), 1))
    series = [
        Series(name, tuple(edges.tolist()), tuple(share.tolist()), "data")
        for name, share in zip(("positives", "negatives"), shares, strict=True)
    ]
    overlap = float(np.minimum(*shares).sum())
    return FigureSpec(
        name="score_distribution",
        kind="histogram",
        title=f"Your scores of positives and negatives overlap by {overlap:.0%}: alerts there are coin flips",
        x_label="your score" + (" (log scale)" if logarithmic else ""),
        y_label="share of the class's rows",
        series=tuple(series),
        caption=(
            "How your scores spread for the positive and the negative rows of the holdout (each class sums to 1). "
            "The further apart, the better the ranking; the overlap is the share of rows both classes have in "
            "common bins."
        ),
        x_log=logarithmic,
    )


def binary_figures(
    labels: np.ndarray,
    costs: np.ndarray | None,
    rows: Sequence[ScoredRow],
    *,
    metric: str,
    alert_budget: float = DEFAULT_ALERT_BUDGET,
    review_cost: float = DEFAULT_REVIEW_COST,
) -> list[FigureSpec]:
    """Every figure of a binary report; ``rows`` is the submission first, then the references."""
    prevalence = float(np.mean(labels == 1))
    figures = [_pr_figure(labels, rows, prevalence), _roc_figure(labels, rows, prevalence)]
    if costs is not None:
        figures.append(_cost_figure(labels, costs, rows, budget=alert_budget, review_cost=review_cost))
    reliability = _reliability_figure(labels, rows, prevalence)
    if reliability is not None:
        figures.append(reliability)
    figures.append(_distribution_figure(labels, rows[0][1]))
    figures.append(interval_figure(rows, metric, task="binary"))
    return figures
