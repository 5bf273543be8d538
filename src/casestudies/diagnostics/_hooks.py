"""How the Case runs a scenario's diagnostics without importing this folder.

The Case sits below the diagnostics, so it looks :func:`plan_for_case` and
:func:`run_for_case` up by name (``casestudies.case.DIAGNOSTICS_PLAN`` and ``DIAGNOSTICS_RUN``) instead of importing it.
"""

from __future__ import annotations

from typing import cast

from casestudies.case import Case, host_view
from casestudies.diagnostics._explain_importance import check_task, importance_vs_truth
from casestudies.diagnostics._regression import regression_diagnostics, regression_names
from casestudies.diagnostics._run import resolve, run_diagnostics
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Finding

IMPORTANCE = "importance"
"""The name that asks ``evaluate(diagnostics=[...])`` for :func:`importance_vs_truth` (opt-in: it refits)."""


def split_importance(case: Case, choice: object) -> tuple[bool, object]:
    """Whether a ``diagnostics=`` argument asks for the importances, and the argument without that name.

    Refuses at once (before any fitting) a task the importances do not apply to.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-v1", seed=0, n_test=300)
    >>> split_importance(case, ["fit_gap", "importance"]), split_importance(case, "default")
    ((True, ['fit_gap']), (False, 'default'))
    >>> split_importance(case, "importance")
    (True, None)
    """
    wanted = choice == IMPORTANCE or (isinstance(choice, (list, tuple)) and IMPORTANCE in choice)
    if not wanted:
        return False, choice
    check_task(case)
    return True, None if choice == IMPORTANCE else [name for name in cast(list[object], choice) if name != IMPORTANCE]


def importance_for_case(
    case: Case, names: tuple[str, ...], pipeline: object
) -> tuple[tuple[str, ...], tuple[Finding, ...]]:
    """The names left for the other diagnostics, and the importance finding when ``names`` asks for it."""
    if IMPORTANCE not in names:
        return names, ()
    return tuple(name for name in names if name != IMPORTANCE), (importance_vs_truth(case, pipeline),)


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
