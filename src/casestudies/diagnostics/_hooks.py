"""How the Case runs a scenario's diagnostics without importing this folder.

The Case sits below the diagnostics, so it looks :func:`plan_for_case` and
:func:`run_for_case` up by name (``casestudies.case.DIAGNOSTICS_PLAN`` and ``DIAGNOSTICS_RUN``) instead of importing it.
"""

from __future__ import annotations

from casestudies.case import Case, host_view
from casestudies.diagnostics._explain_hooks import IMPORTANCE, importance_for_case, split_importance
from casestudies.diagnostics._regression import regression_diagnostics, regression_names
from casestudies.diagnostics._run import resolve, run_diagnostics
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Finding


def plan_for_case(case: Case, choice: object) -> tuple[str, ...]:
    """The diagnostics ``choice`` (the ``diagnostics=`` argument of ``evaluate``) selects for ``case``.

    Called before the pipeline is fitted, so a bad argument fails fast.
    """
    where = f"evaluate() of {case.spec.id!r}"
    importance, choice = split_importance(case, choice)  # diagnostics=[..., "importance"]: checked here
    if case.spec.task == "regression":
        names = regression_names(choice, case.spec, where)
        return (*names, IMPORTANCE) if importance else names
    names = resolve(choice, case.spec, where)
    if names and case.spec.task != "binary":
        message = (
            f"{where}: the diagnostics {list(names)} are for binary tasks; this is a {case.spec.task} task. "
            "Pass diagnostics=None; its own checks (popularity bias, coverage, cold start, missing-not-at-random) "
            "are in report.findings."
        )
        raise InvalidParameterError(message)
    return (*names, IMPORTANCE) if importance else names


def run_for_case(
    case: Case, names: tuple[str, ...], *, pipeline: object, holdout_score: float | None
) -> tuple[Finding, ...]:
    """Run the named diagnostics on the case's own data (not the learner's copies)."""
    names, explained = importance_for_case(case, names, pipeline)
    if case.spec.task == "regression":
        checks = regression_diagnostics(case).findings if names else ()
        return (*(finding for finding in checks if finding.id in names), *explained)
    context = host_view(case).context
    found = run_diagnostics(
        names,
        X_train=context.X_train,
        y_train=context.y_train,
        X_test=context.test,
        id_column=case.id_column,
        pipeline=pipeline,
        holdout_score=holdout_score,
        scenario_id=case.spec.id,
    )
    return (*found.findings, *explained)
