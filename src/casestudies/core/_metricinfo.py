"""Every metric the package reports, declared once: its task, labels and direction.

Ranking features (the leaderboard, take-home grading, reports) ask
:func:`higher_is_better` for a metric's direction; nobody re-derives it from
the metric's name.

Examples
--------
>>> from casestudies.core import higher_is_better, metric_names
>>> higher_is_better("average_precision"), higher_is_better("rmse"), higher_is_better("expected_cost")
(True, False, False)
>>> metric_names("rating")[:2]
('rmse', 'mae')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from casestudies.core._params import did_you_mean
from casestudies.exceptions import InvalidParameterError

Direction = Literal["higher", "lower"]


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """What a metric is called and which way is better.

    ``direction`` is ``None`` for figures that describe the data or the
    output (prevalence, counts, coverage, signed errors) rather than rank it.
    """

    name: str
    task: str
    label: str
    short: str
    direction: Direction | None


def _m(name: str, task: str, label: str, short: str, direction: Direction | None) -> MetricInfo:
    return MetricInfo(name, task, label, short, direction)


METRICS: Final[tuple[MetricInfo, ...]] = (
    _m("average_precision", "binary", "average precision", "AP", "higher"),
    _m("roc_auc", "binary", "ROC-AUC", "ROC-AUC", "higher"),
    _m("precision_at_budget", "binary", "precision @ budget", "precision@budget", "higher"),
    _m("recall_at_budget", "binary", "recall @ budget", "recall@budget", "higher"),
    _m("expected_cost", "binary", "cost per row (missed positives' cost + review cost per alert)", "cost/row", "lower"),
    _m(
        "accuracy_all_negative",
        "binary",
        "accuracy of predicting 'negative' for every row",
        "accuracy(all negative)",
        None,
    ),
    _m("prevalence", "binary", "prevalence", "prevalence", None),
    _m("n_rows", "binary", "rows", "rows", None),
    _m("n_positives", "binary", "positives", "positives", None),
    _m("rmse", "rating", "RMSE (stars, lower is better)", "RMSE", "lower"),
    _m("mae", "rating", "MAE (stars, lower is better)", "MAE", "lower"),
    _m("true_rmse", "rating", "RMSE against the true expected rating of the held-out pairs", "true RMSE", "lower"),
    _m(
        "unseen_true_rmse",
        "rating",
        "RMSE against the true expected rating of random unrated pairs (full catalogue)",
        "unseen RMSE",
        "lower",
    ),
    _m("unseen_bias", "rating", "mean error on random unrated pairs (positive = optimistic)", "unseen bias", None),
    _m("mean_error", "rating", "mean prediction minus mean held-out star", "mean error", None),
    _m("calibration_slope", "rating", "slope of held-out stars on predictions (1 is ideal)", "calibration slope", None),
    _m("n_rows", "rating", "rows", "rows", None),
    _m("ndcg_at_10", "topn", "NDCG@10 (held-out ratings >= 4 are relevant)", "NDCG@10", "higher"),
    _m("precision_at_10", "topn", "precision@10", "P@10", "higher"),
    _m("recall_at_10", "topn", "recall@10", "R@10", "higher"),
    _m("map_at_10", "topn", "MAP@10", "MAP@10", "higher"),
    _m("coverage", "topn", "catalogue coverage (share of movies recommended to anyone)", "coverage", None),
    _m(
        "mean_popularity",
        "topn",
        "mean popularity of recommended movies (share of users who rated them)",
        "popularity",
        None,
    ),
    _m(
        "true_rating_at_10",
        "topn",
        "true expected rating of the recommended movies (full-catalog truth)",
        "true stars@10",
        "higher",
    ),
    _m("ndcg_at_10_cold_start", "topn", "NDCG@10 of cold-start users", "NDCG@10 cold", "higher"),
    _m("n_users", "topn", "users", "users", None),
    _m("n_cold_start", "topn", "cold-start users", "cold-start users", None),
)
"""Every metric of every task, in the order each task reports them."""

BOARD_ONLY_METRICS: Final[tuple[MetricInfo, ...]] = (
    _m("accuracy", "binary", "accuracy (score >= 0.5 read as positive)", "accuracy", "higher"),
)
"""Metrics a leaderboard may rank by beyond a scenario's own."""

_BY_NAME: Final[dict[str, MetricInfo]] = {info.name: info for info in (*METRICS, *BOARD_ONLY_METRICS)}


def metric_names(task: str) -> tuple[str, ...]:
    """Names of the metrics a task reports, in order."""
    return tuple(info.name for info in METRICS if info.task == task)


def metric_info(metric: str) -> MetricInfo:
    """The declaration of ``metric``.

    Raises
    ------
    InvalidParameterError
        If no metric of that name exists.
    """
    try:
        return _BY_NAME[metric]
    except KeyError:
        message = f"no metric {metric!r}.{did_you_mean(metric, _BY_NAME)} Known metrics: {', '.join(sorted(_BY_NAME))}."
        raise InvalidParameterError(message) from None


def higher_is_better(metric: str) -> bool:
    """True if a higher value of ``metric`` is better.

    Raises
    ------
    InvalidParameterError
        If the metric is unknown or describes rather than ranks (e.g. ``prevalence``).
    """
    info = metric_info(metric)
    if info.direction is None:
        ranked = sorted(name for name, item in _BY_NAME.items() if item.direction is not None)
        message = f"metric {metric!r} describes the output and does not rank it; rank by one of {', '.join(ranked)}."
        raise InvalidParameterError(message)
    return info.direction == "higher"


def metric_label(metric: str, *, short: bool = False) -> str:
    """Human label of a metric (``short`` for table headers); the name itself if unknown."""
    info = _BY_NAME.get(metric)
    if info is None:
        return metric.replace("_", " ")
    return info.short if short else info.label
