"""Task types: how a submission is validated, scored and explained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from . import _metrics
from ._report import Entry, Finding, Scores
from ._spec import ScenarioSpec
from ._submission import validate_binary

_METRIC_ARGS = ("alert_budget", "review_cost")


class Task(Protocol):
    """What every task type provides to the core loop."""

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object]) -> np.ndarray: ...

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator) -> Scores:
        """Metrics with bootstrap intervals per part; point estimates only for ``all``."""
        kwargs = {name: float(scoring[name]) for name in _METRIC_ARGS if name in scoring}  # type: ignore[arg-type]
        with_ci = {name: mask for name, mask in parts.items() if name != "all"}
        result = _metrics.binary_scores_with_ci(labels, values, parts=with_ci, costs=costs, rng=rng, **kwargs)
        if "all" in parts:
            point = _metrics.binary_metrics(labels, values, costs=costs, **kwargs)
            result["all"] = {name: {"estimate": float(value), "low": float("nan"), "high": float("nan")} for name, value in point.items()}
        return result

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]: ...


class BinaryTask:
    """Binary classification scored by ranking metrics on an imbalanced holdout."""

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object]) -> np.ndarray:
        probabilities = scoring.get("predictions", "probability") == "probability"
        return validate_binary(predictions, scenario_id=case_id, ids=ids, id_column=id_column, probabilities=probabilities)

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator) -> Scores:
        kwargs = {name: float(scoring[name]) for name in _METRIC_ARGS if name in scoring}  # type: ignore[arg-type]
        return _metrics.binary_scores_with_ci(labels, values, parts=parts, costs=costs, rng=rng, **kwargs)

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return binary_findings(submission, references, spec=spec)


def _ref(references: Sequence[Entry], kind: str, name: str | None = None) -> Entry | None:
    for entry in references:
        if entry.kind == kind and (name is None or entry.name == name):
            return entry
    return None


def binary_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """The questions an interviewer asks about an imbalanced binary score."""
    all_ = submission.scores["all"]
    findings = []
    prevalence = all_["prevalence"]["estimate"]
    accuracy = all_["accuracy_all_negative"]["estimate"]
    n_pos = int(all_["n_positives"]["estimate"])
    findings.append(
        Finding(
            "accuracy_paradox",
            "Accuracy misleads",
            f"predicting 'negative' for every row is {accuracy:.2%} accurate and catches none of the "
            f"{n_pos:,} positives (prevalence {prevalence:.2%}); judge models by ranking quality at the top instead.",
            {"accuracy_all_negative": accuracy, "prevalence": prevalence},
        )
    )
    ap = all_["average_precision"]["estimate"]
    auc = all_["roc_auc"]["estimate"]
    findings.append(
        Finding(
            "pr_vs_roc",
            "PR-AUC vs ROC-AUC",
            f"your ROC-AUC is {auc:.3f} but your average precision is {ap:.3f} (a random ranking gets {prevalence:.3f}). "
            "With so few positives ROC-AUC is carried by the many easy negatives; average precision says how clean "
            "the top of your ranking is, which is what a review team sees.",
            {"roc_auc": auc, "average_precision": ap, "random_average_precision": prevalence},
        )
    )
    budget = float(spec.scoring.get("alert_budget", 0.005))  # type: ignore[arg-type]
    precision = all_["precision_at_budget"]["estimate"]
    recall = all_["recall_at_budget"]["estimate"]
    n_alerts = int(np.ceil(budget * all_["n_rows"]["estimate"]))
    cost = all_["expected_cost"]["estimate"]
    prior = _ref(references, "baseline", "prior")
    cost_text = ""
    if np.isfinite(cost):
        cost_text = f" Cost per transaction (missed amounts plus review cost) is {cost:.2f}"
        if prior is not None:
            cost_text += f" against {prior.estimate('expected_cost'):.2f} for a model that knows nothing"
        cost_text += "."
    findings.append(
        Finding(
            "alert_budget",
            f"At the alert budget (top {budget:.1%})",
            f"reviewing your top {n_alerts:,} scores, {precision:.1%} of alerts are positives and they catch {recall:.1%} of "
            f"all positives.{cost_text}",
            {"alert_budget": budget, "n_alerts": n_alerts, "precision": precision, "recall": recall, "expected_cost": cost},
        )
    )
    oracle = _ref(references, "oracle")
    expert = _ref(references, "reference")
    if oracle is not None:
        best = oracle.estimate(spec.metric)
        text = f"your {spec.metric.replace('_', ' ')} is {ap:.3f}; the oracle reaches {best:.3f} ({oracle.description})."
        evidence: dict[str, object] = {"submission": ap, "oracle": best}
        if expert is not None:
            reference = expert.estimate(spec.metric)
            floor = prior.estimate(spec.metric) if prior is not None else prevalence
            span = reference - floor
            share = (ap - floor) / span if span > 0 else float("nan")
            text += f" The expert reference, which sees only observable data, reaches {reference:.3f}"
            if np.isfinite(share):
                text += f"; you cover {share:.0%} of the way from a know-nothing model to it"
            text += "."
            evidence |= {"expert": reference, "share_of_expert": share}
        findings.append(Finding("oracle_gap", "Distance to the best possible", text, evidence))
    public = submission.scores["public"][spec.metric]
    private = submission.scores["private"][spec.metric]
    widths = (public["high"] - public["low"], private["high"] - private["low"])
    if min(widths) > 0:
        overlap = public["low"] <= private["high"] and private["low"] <= public["high"]
        verdict = (
            "the intervals overlap, so the difference is noise."
            if overlap
            else "the intervals do not overlap; do not tune against the public score."
        )
        findings.append(
            Finding(
                "public_private",
                "Public vs private holdout",
                f"public {public['estimate']:.3f} [{public['low']:.3f}, {public['high']:.3f}] vs private "
                f"{private['estimate']:.3f} [{private['low']:.3f}, {private['high']:.3f}]: {verdict}",
                {"public": public["estimate"], "private": private["estimate"], "overlap": overlap},
            )
        )
    return findings


_TASKS: dict[str, Task] = {"binary": BinaryTask()}


def for_spec(spec: ScenarioSpec) -> Task:
    """The task implementation of a spec."""
    return _TASKS[spec.task]
