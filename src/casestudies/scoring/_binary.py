"""Binary classification on an imbalanced holdout: validation, scoring and findings.

Examples
--------
>>> import numpy as np, casestudies as cs
>>> from casestudies.scoring import BinaryTask, metric_arguments
>>> metric_arguments(cs.spec("fraud-v1").scoring)  # the spec's settings of the alert-budget metrics
{'alert_budget': 0.005, 'review_cost': 5.0}
>>> BinaryTask().strata(np.array([0, 1, 1, 0]))  # the public/private split is stratified by label
array([0, 1, 1, 0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Final, cast

import numpy as np

from casestudies.core import ScenarioData, ScenarioSpec, Vocabulary, counted, vocabulary
from casestudies.report import Entry, FigureSpec, Finding, Scores
from casestudies.scoring._adapters import PipelineRun, run_pipeline
from casestudies.scoring._binary_figures import binary_figures
from casestudies.scoring._figures import ScoredRow
from casestudies.scoring._metrics import (
    BINARY_METRIC_NAMES,
    DEFAULT_ALERT_BUDGET,
    DEFAULT_REVIEW_COST,
    binary_scores_with_ci,
)
from casestudies.scoring._submission import validate_binary
from casestudies.scoring._task import (
    SubmissionContext,
    TableTask,
    TaskContext,
    find_reference,
    frame_checks,
    public_private_finding,
)

METRIC_ARGUMENTS: Final[tuple[str, ...]] = ("alert_budget", "review_cost")
"""Scoring settings of a spec passed on to the binary metrics."""

_PartMetrics = Mapping[str, Mapping[str, float]]  # metric -> estimate/low/high, of one part

RARE_POSITIVES: Final = 0.1
"""Prevalence below which the positives are rare and the findings say so (the accuracy paradox, ROC-AUC carried by
easy negatives): predicting all negatives is then over 90 % accurate. The same line as the ``class_balance``
diagnostic's ``IMBALANCE_SHARE``. At a higher prevalence (churn's 20-30 %) those findings would be untrue, so they
are not shown."""


def metric_arguments(scoring: Mapping[str, object]) -> dict[str, float]:
    """The binary metrics' keyword arguments from a spec's scoring table."""
    # The scoring table of a spec holds TOML numbers; float() refuses anything else.
    return {name: float(cast(float, scoring[name])) for name in METRIC_ARGUMENTS if name in scoring}


RANK_BASED_METRICS: Final[frozenset[str]] = frozenset(
    {"average_precision", "roc_auc", "precision_at_budget", "recall_at_budget", "expected_cost"}
)
"""Binary metrics that read the scores only through their order, ties included.

Each is computed from the positives' score levels and, for every level, the
negatives ranked above it and tied with it (``_metrics``); the alert budget
alerts the top ``ceil(alert_budget * n_rows)`` rows by rank, and the expected
cost is the cost of that alert set. Any strictly increasing map of the scores
(log-odds, ranks) leaves every one of them unchanged.
"""

SCORE_FREE_METRICS: Final[frozenset[str]] = frozenset({"accuracy_all_negative", "prevalence", "n_rows", "n_positives"})
"""Binary figures that describe the holdout and do not read the scores at all."""

PROBABILITY_METRICS: Final[Mapping[str, str]] = MappingProxyType(
    {"accuracy": "accuracy reads a score at or above 0.5 as a positive prediction"}
)
"""Metrics that read a score as a probability, each with the reason, said in the error of a score outside [0, 1]."""

PROBABILITY: Final[str] = "probability"
"""The ``predictions`` entry of a scoring table that declares its submissions probabilities in [0, 1]."""


def probability_metrics(metrics: Iterable[str]) -> dict[str, str]:
    """The metrics among ``metrics`` that need probabilities in [0, 1], each with the reason.

    A metric neither rank-based (:data:`RANK_BASED_METRICS`) nor score-free
    (:data:`SCORE_FREE_METRICS`) needs them: the reason is its entry in
    :data:`PROBABILITY_METRICS`, or, for a metric nobody declared, that it is
    not known to read scores by rank alone.

    Examples
    --------
    >>> probability_metrics(["average_precision", "roc_auc", "prevalence"])
    {}
    >>> probability_metrics(["roc_auc", "accuracy"])
    {'accuracy': 'accuracy reads a score at or above 0.5 as a positive prediction'}
    """
    return {
        metric: PROBABILITY_METRICS.get(metric, f"{metric} is not known to read scores only by their order")
        for metric in metrics
        if metric not in RANK_BASED_METRICS and metric not in SCORE_FREE_METRICS
    }


def probability_reason(scoring: Mapping[str, object], *, metrics: Iterable[str]) -> str | None:
    """Why submissions scored by ``metrics`` must be probabilities in [0, 1]; None when any finite score will do.

    Probabilities when one of the metrics needs them (see
    :func:`probability_metrics`), or when the scoring table's ``predictions``
    entry declares them (``"probability"``); any finite score otherwise.

    Examples
    --------
    >>> probability_reason({}, metrics=["average_precision", "roc_auc"]) is None
    True
    >>> probability_reason({}, metrics=["average_precision", "accuracy"])
    'accuracy reads a score at or above 0.5 as a positive prediction'
    >>> probability_reason({"predictions": "probability"}, metrics=["roc_auc"])
    "the scoring settings declare predictions = 'probability'"
    """
    needing = probability_metrics(metrics)
    if needing:
        return "; ".join(needing.values())
    if scoring.get("predictions") == PROBABILITY:
        return f"the scoring settings declare predictions = {PROBABILITY!r}"
    return None


def wants_probabilities(scoring: Mapping[str, object], *, metrics: Iterable[str] | None = None) -> bool:
    """True if submissions must be probabilities in [0, 1].

    With ``metrics`` (those the submissions are scored by), as
    :func:`probability_reason` decides. Without, from the scoring table's
    ``predictions`` entry alone, probabilities when it says nothing: the
    reading of a caller that does not yet know which metrics will score
    (a leaderboard may rank by ``accuracy``).

    Examples
    --------
    >>> wants_probabilities({}, metrics=["average_precision"]), wants_probabilities({})
    (False, True)
    """
    if metrics is None:
        return scoring.get("predictions", PROBABILITY) == PROBABILITY
    return probability_reason(scoring, metrics=metrics) is not None


def scored_by(scoring: Mapping[str, object]) -> tuple[str, ...]:
    """The metrics a binary submission is scored by: the scoring table's ``metrics`` entry, else every binary metric.

    A case reports every binary metric (:data:`BINARY_METRIC_NAMES`); a
    caller that scores by others (a leaderboard ranking by ``accuracy``)
    says so in ``metrics``.
    """
    listed = scoring.get("metrics")
    if isinstance(listed, (list, tuple)):
        return tuple(str(metric) for metric in listed)
    return BINARY_METRIC_NAMES


class BinaryTask(TableTask):
    """Binary classification scored by ranking metrics on an imbalanced holdout."""

    def check(self, data: ScenarioData) -> list[str]:
        return frame_checks(data, "probability")

    def labels(self, data: ScenarioData) -> np.ndarray:
        return data.test[data.target].to_numpy().astype(np.int8)

    def strata(self, labels: np.ndarray) -> np.ndarray:
        return labels

    def oracle(self, context: TaskContext) -> object:
        return context.holdout.truth["probability"].to_numpy()

    def run(self, pipeline: object, context: TaskContext) -> PipelineRun:
        return run_pipeline(pipeline, context.X_train, context.y_train, context.test)

    def validate(self, predictions: object, context: SubmissionContext) -> np.ndarray:
        reason = probability_reason(context.scoring, metrics=scored_by(context.scoring))
        return validate_binary(
            predictions,
            scenario_id=context.scenario_id,
            ids=context.ids,
            id_column=context.id_column,
            probabilities=reason is not None,
            reason=reason,
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
        arguments = metric_arguments(context.spec.scoring)
        return binary_scores_with_ci(
            holdout.labels,
            values,
            parts=holdout.parts if parts is None else parts,
            costs=holdout.costs,
            rng=rng,
            alert_budget=arguments.get("alert_budget", DEFAULT_ALERT_BUDGET),
            review_cost=arguments.get("review_cost", DEFAULT_REVIEW_COST),
        )

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return binary_findings(submission, references, spec=spec)

    def figures(self, context: TaskContext, rows: Sequence[ScoredRow]) -> list[FigureSpec]:
        """PR and ROC curves, cost vs alerts, reliability, score distributions and public/private intervals."""
        arguments = metric_arguments(context.spec.scoring)
        return binary_figures(
            context.holdout.labels,
            context.holdout.costs,
            rows,
            metric=context.spec.metric,
            alert_budget=arguments.get("alert_budget", DEFAULT_ALERT_BUDGET),
            review_cost=arguments.get("review_cost", DEFAULT_REVIEW_COST),
        )


def binary_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """The questions an interviewer asks about an imbalanced binary score."""
    all_ = submission.scores["all"]
    prior = find_reference(references, "baseline", "prior")
    words = vocabulary(spec)
    rare = all_["prevalence"]["estimate"] < RARE_POSITIVES
    findings = [_accuracy_paradox(all_, words)] if rare else []
    findings += [_pr_vs_roc(all_, words, rare=rare), _alert_budget(all_, prior, spec=spec, words=words)]
    oracle = find_reference(references, "oracle")
    if oracle is not None:
        expert = find_reference(references, "reference")
        findings.append(_oracle_gap(submission, oracle, expert, prior, spec=spec))
    public = submission.scores["public"][spec.metric]
    private = submission.scores["private"][spec.metric]
    widths = (public["high"] - public["low"], private["high"] - private["low"])
    if min(widths) > 0:
        findings.append(public_private_finding(public, private))
    return findings


def _accuracy_paradox(all_: _PartMetrics, words: Vocabulary) -> Finding:
    prevalence = all_["prevalence"]["estimate"]
    accuracy = all_["accuracy_all_negative"]["estimate"]
    n_pos = int(all_["n_positives"]["estimate"])
    return Finding(
        "accuracy_paradox",
        "Accuracy misleads",
        f"predicting 'negative' for every row is {accuracy:.2%} accurate and catches none of the "
        f"{counted(n_pos, words.positive, words.positives)} (prevalence {prevalence:.2%}); "
        "judge models by ranking quality at the top instead.",
        {"accuracy_all_negative": accuracy, "prevalence": prevalence},
    )


def _pr_vs_roc(all_: _PartMetrics, words: Vocabulary, *, rare: bool) -> Finding:
    prevalence = all_["prevalence"]["estimate"]
    ap = all_["average_precision"]["estimate"]
    auc = all_["roc_auc"]["estimate"]
    whole = (
        f"With so few {words.positives} ROC-AUC is carried by the many easy negatives"
        if rare
        else "ROC-AUC weighs the whole ranking alike"
    )
    return Finding(
        "pr_vs_roc",
        "PR-AUC vs ROC-AUC",
        f"your ROC-AUC is {auc:.3f} but your average precision is {ap:.3f} "
        f"(a random ranking gets {prevalence:.3f}). "
        f"{whole}; average precision says how clean the top of your ranking is, which is what {words.team} sees.",
        {"roc_auc": auc, "average_precision": ap, "random_average_precision": prevalence},
    )


def _alert_budget(all_: _PartMetrics, prior: Entry | None, *, spec: ScenarioSpec, words: Vocabulary) -> Finding:
    # The scoring table of a spec holds TOML numbers; float() refuses anything else.
    budget = float(cast(float, spec.scoring.get("alert_budget", DEFAULT_ALERT_BUDGET)))
    precision = all_["precision_at_budget"]["estimate"]
    recall = all_["recall_at_budget"]["estimate"]
    n_alerts = int(np.ceil(budget * all_["n_rows"]["estimate"]))
    cost = all_["expected_cost"]["estimate"]
    cost_text = ""
    if np.isfinite(cost):
        cost_text = f" Cost per {words.row} ({words.cost}) is {cost:.2f}"
        if prior is not None:
            cost_text += f" against {prior.estimate('expected_cost'):.2f} for a model that knows nothing"
        cost_text += "."
    return Finding(
        "alert_budget",
        f"At the {words.budget} (top {budget:.1%})",
        f"{words.acting} your top {counted(n_alerts, 'score')}, {precision:.1%} of {words.alerts} are "
        f"{words.positives} and they catch {recall:.1%} of all {words.positives}.{cost_text}",
        {
            "alert_budget": budget,
            "n_alerts": n_alerts,
            "precision": precision,
            "recall": recall,
            "expected_cost": cost,
        },
    )


def _oracle_gap(
    submission: Entry, oracle: Entry, expert: Entry | None, prior: Entry | None, *, spec: ScenarioSpec
) -> Finding:
    mine = submission.estimate(spec.metric)
    best = oracle.estimate(spec.metric)
    text = f"your {spec.metric.replace('_', ' ')} is {mine:.3f}; the oracle reaches {best:.3f} ({oracle.description})."
    evidence: dict[str, object] = {"submission": mine, "oracle": best}
    if expert is not None:
        reference = expert.estimate(spec.metric)
        prevalence = submission.scores["all"]["prevalence"]["estimate"]
        floor = prior.estimate(spec.metric) if prior is not None else prevalence
        span = reference - floor
        share = (mine - floor) / span if span > 0 else float("nan")
        text += f" The expert reference, which sees only observable data, reaches {reference:.3f}"
        if np.isfinite(share):
            text += f"; you cover {share:.0%} of the way from a know-nothing model to it"
        text += "."
        evidence |= {"expert": reference, "share_of_expert": share}
    return Finding("oracle_gap", "Distance to the best possible", text, evidence)
