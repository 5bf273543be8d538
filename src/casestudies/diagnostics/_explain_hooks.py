"""How the Case adds the explanations to every report without importing this folder.

The Case sits below the diagnostics, so it looks :func:`explain_for_case` up
by name (``casestudies.case.EXPLAIN_RUN``). Given the scored rows of a report
(the submission first, then the references, each with the values it was
scored from), it returns the "where it fails, by true cause" finding (binary
scenarios whose truth records a cause; for top-N, who gets a film they like, by kind of user; for ratings, the
error by kind of user and movie) and the stakeholder view.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from casestudies.case import Case, host_view
from casestudies.core import NEUTRAL_VOCABULARY, vocabulary
from casestudies.diagnostics._explain_causes import MIN_CAUSE_POSITIVES, cause_labels, failure_by_cause
from casestudies.diagnostics._explain_rating import rating_by_group, rating_groups
from casestudies.diagnostics._explain_topn import served_by_group, topn_view
from casestudies.diagnostics._stakeholder_regression import regression_view
from casestudies.diagnostics._stakeholder_view import binary_view, refused
from casestudies.report import Entry, Finding, StakeholderView
from casestudies.scoring import DEFAULT_ALERT_BUDGET

SHOWN_KINDS = ("submission", "reference", "oracle")
"""Rows the per-cause breakdown shows: yours, the expert reference and the oracle."""

_NOT_YET = {
    "rating": (
        "is not built: a rating model recommends nothing by itself; score a top-N list of its best predictions "
        "on movies-topn-v1 for the share of users given a film they like"
    ),
}


def _weak_spot(finding: Finding, noun: str) -> str:
    weakest = finding.evidence.get("weakest")
    recall = finding.evidence.get("recall")
    if not isinstance(weakest, str) or not isinstance(recall, dict):
        return ""
    mine = next(iter(recall.values()))
    strongest = max(mine, key=lambda cause: mine[cause]["estimate"] if mine[cause]["positives"] else -1.0)
    weak, strong = mine[weakest], mine[strongest]
    if strong["estimate"] - weak["estimate"] < 0.2 or weak["positives"] < MIN_CAUSE_POSITIVES:
        return ""
    return (
        f"Where it falls short: it finds {weak['estimate']:.0%} of the {weak['positives']:.0f} {weakest} {noun} in "
        f"this period, against {strong['estimate']:.0%} of the {strong['positives']:.0f} {strongest} ones."
    )


def _rating_finding(case: Case, rows: Sequence[tuple[Entry, np.ndarray]], labels: np.ndarray) -> Finding:
    """The error by kind of user and movie for the submission, the best baseline (lowest error) and the oracle."""
    baselines = [(entry, values) for entry, values in rows if entry.kind == "baseline"]
    best = min(baselines, key=lambda row: row[0].estimate(case.spec.metric), default=None)
    shown = [rows[0], *([best] if best is not None else []), *(row for row in rows if row[0].kind == "oracle")]
    groups = rating_groups(case.train, case.test)
    return rating_by_group(labels, groups, [(entry.name, entry.kind, values) for entry, values in shown])


def explain_for_case(
    case: Case, rows: Sequence[tuple[Entry, np.ndarray]]
) -> tuple[tuple[Finding, ...], StakeholderView]:
    """The per-cause finding (when the case's truth records causes) and the stakeholder view of a report.

    Examples
    --------
    >>> import casestudies as cs
    >>> import numpy as np
    >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
    >>> report = case.score(np.zeros(len(case.test)), baselines=False)
    >>> [finding.id for finding in report.findings][-1], report.stakeholder.available
    ('failure_by_cause', True)
    """
    spec = case.spec
    holdout = host_view(case).context.holdout
    if spec.task == "topn" and {"relevant_movies", "cold_start"} <= set(holdout.truth.columns):
        shown = [(e.name, e.kind, v) for e, v in rows if e.kind in SHOWN_KINDS or e.name == "most_popular"]
        finding = served_by_group(holdout.truth, shown)
        return (finding,), topn_view(finding)
    if spec.task == "rating":
        return (_rating_finding(case, rows, np.asarray(holdout.labels)),), refused(spec.task, _NOT_YET["rating"])
    if spec.task == "regression":
        target = str(case.data_card.get("target", "target"))
        unit = str(case.data_card.get(f"{target}_unit", ""))
        words = vocabulary(spec)
        row = "case" if words.row == NEUTRAL_VOCABULARY.row else words.row
        return (), regression_view(rows, np.asarray(holdout.labels), target=target, unit=unit, row=row)
    if spec.task != "binary":
        return (), refused(spec.task, _NOT_YET.get(spec.task, "is not available"))
    words = vocabulary(spec)
    labels = np.asarray(holdout.labels)
    findings: tuple[Finding, ...] = ()
    weak = ""
    causes = cause_labels(holdout.truth)
    if causes is not None and labels.sum() > 0:
        shown = [(entry.name, entry.kind, values) for entry, values in rows if entry.kind in SHOWN_KINDS]
        budget = float(spec.scoring.get("alert_budget", DEFAULT_ALERT_BUDGET))  # type: ignore[arg-type]
        finding = failure_by_cause(labels, causes, shown, budget=budget, words=words)
        findings = (finding,)
        weak = _weak_spot(finding, words.positives)
    view = binary_view(spec, words, rows[0][0], costs=holdout.costs, labels=labels, weak_spot=weak)
    return findings, view
