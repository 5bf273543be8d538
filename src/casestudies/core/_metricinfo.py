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

BINARY_N_BOOT: Final[int] = 1000
"""Bootstrap replicates of the binary scores (``casestudies.scoring.binary_scores_with_ci``).

Kept with the metrics' vocabulary, so the command line states it without loading the scoring library.
"""

DEFAULT_N_BOOT: Final[int] = 200
"""Replicates of the row bootstraps (rating and regression scores), whose cost grows with the rows.

The binary scores resample aggregates instead of rows and afford
:data:`BINARY_N_BOOT`.
"""


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
    _m("novelty", "topn", "novelty: mean -log2(share of training users who rated) of what is shown", "novelty", None),
    _m(
        "intra_list_diversity",
        "topn",
        "intra-list diversity: mean 1 - genre Jaccard over pairs of a user's recommendations",
        "diversity",
        None,
    ),
    _m("exposure_gini", "topn", "Gini of how often each catalogue movie is recommended", "exposure Gini", None),
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
    _m("rmse", "regression", "RMSE (target units, lower is better)", "RMSE", "lower"),
    _m("mae", "regression", "MAE (target units, lower is better)", "MAE", "lower"),
    _m("rmsle", "regression", "RMSLE (error of log(1 + y); predictions below 0 count as 0)", "RMSLE", "lower"),
    _m("mape", "regression", "MAPE (mean absolute error as a share of the target; positive targets)", "MAPE", "lower"),
    _m("r2", "regression", "R² (1 - squared error / variance of the held-out targets)", "R²", "higher"),
    _m("true_rmse", "regression", "RMSE against the true conditional mean of the held-out rows", "true RMSE", "lower"),
    _m("interval_coverage", "regression", "share of held-out targets inside the submitted intervals", "coverage", None),
    _m("interval_width", "regression", "mean width of the submitted intervals", "interval width", None),
    _m(
        "pinball_loss", "regression", "pinball loss of the interval bounds (mean of both quantiles)", "pinball", "lower"
    ),
    _m("mean_error", "regression", "mean prediction minus mean held-out target", "mean error", None),
    _m("n_rows", "regression", "rows", "rows", None),
)
"""Every metric of every task, in the order each task reports them."""

BOARD_ONLY_METRICS: Final[tuple[MetricInfo, ...]] = (
    _m("accuracy", "binary", "accuracy (score >= 0.5 read as positive)", "accuracy", "higher"),
)
"""Metrics a leaderboard may rank by beyond a scenario's own."""

_BY_TASK: Final[dict[tuple[str, str], MetricInfo]] = {
    (info.task, info.name): info for info in (*METRICS, *BOARD_ONLY_METRICS)
}
# A name shared by several tasks (rmse: stars for ratings, target units for regression) means its first declaration
# when no task is given; direction is the same for every task that shares a name (tests/test_metricinfo.py).
_BY_NAME: Final[dict[str, MetricInfo]] = {}
for _info in (*METRICS, *BOARD_ONLY_METRICS):
    _BY_NAME.setdefault(_info.name, _info)


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


def metric_label(metric: str, *, short: bool = False, task: str | None = None) -> str:
    """Human label of a metric (``short`` for table headers); the name itself if unknown.

    ``task`` picks the task's own wording where several tasks share a metric name.

    Examples
    --------
    >>> from casestudies.core import metric_label
    >>> metric_label("rmse", task="rating"), metric_label("rmse", task="regression")
    ('RMSE (stars, lower is better)', 'RMSE (target units, lower is better)')
    """
    info = _BY_TASK.get((task, metric)) if task is not None else None
    info = info or _BY_NAME.get(metric)
    if info is None:
        return metric.replace("_", " ")
    return info.short if short else info.label
