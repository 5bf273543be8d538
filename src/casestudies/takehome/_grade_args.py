"""Checks of :func:`~casestudies.takehome.grade_takehome`'s arguments before anything is read or written,
and the grade of a candidate whose grading ran out of time.

Each message names the argument, what it must be, what was received and how
to call it instead; callers without type checking (a notebook, a script)
otherwise meet a raw ``TypeError`` from :class:`pathlib.Path`.

Examples
--------
>>> from casestudies.takehome._grade_args import check_grade_arguments
>>> check_grade_arguments(key="out/key", diagnoses=None, bundles=None, timeout=None)
>>> try:
...     check_grade_arguments(key=42, diagnoses=None, bundles=None, timeout=None)
... except Exception as err:
...     print(err)
grade_takehome(): key must be the path (str or os.PathLike) of a take-home key folder or of the take-home folder \
holding it; got 42 (int). Pass the folder `casestudies takehome create` wrote, e.g. 'takehome/key'.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Final, TypeGuard

from casestudies.case import check_timeout
from casestudies.core import describe_value
from casestudies.exceptions import InvalidParameterError, PipelineTimeoutError, TakehomeError
from casestudies.takehome._results import CandidateGrade
from casestudies.takehome._verify import Verified

__all__ = ["check_candidate_names", "check_grade_arguments", "failed_grade"]

_WHERE: Final = "grade_takehome()"


def _is_path(value: object) -> TypeGuard[str | os.PathLike[str]]:
    return isinstance(value, (str, os.PathLike)) and bool(os.fspath(value))


def check_grade_arguments(*, key: object, diagnoses: object, bundles: object, timeout: object) -> None:
    """Raise :class:`InvalidParameterError` for a ``key``, ``diagnoses``, ``bundles`` or ``timeout`` of a wrong kind."""
    if not _is_path(key):
        message = (
            f"{_WHERE}: key must be the path (str or os.PathLike) of a take-home key folder or of the take-home "
            f"folder holding it; got {describe_value(key)}. Pass the folder `casestudies takehome create` wrote, "
            "e.g. 'takehome/key'."
        )
        raise InvalidParameterError(message)
    if bundles is not None and not _is_path(bundles):
        message = (
            f"{_WHERE}: bundles must be None or the path (str or os.PathLike) of the bundles folder; got "
            f"{describe_value(bundles)}. Leave it out to check bundles/ next to the key."
        )
        raise InvalidParameterError(message)
    if diagnoses is not None and not isinstance(diagnoses, Mapping):
        example = repr(os.fspath(diagnoses)) if _is_path(diagnoses) else "'alice.diagnosis.md'"
        message = (
            f"{_WHERE}: diagnoses must be a mapping {{candidate: diagnosis file}} or None; got "
            f"{describe_value(diagnoses)}. For one candidate, pass {{'alice': {example}}}."
        )
        raise InvalidParameterError(message)
    check_timeout(_WHERE, timeout)


def check_candidate_names(names: Iterable[object], candidates: Iterable[str], *, argument: str) -> None:
    """Raise :class:`TakehomeError` for a key of ``submissions`` or ``diagnoses`` that is not a candidate's name.

    Only the type is checked here; :meth:`Key.require` then says whether a name is in the key.
    """
    for name in names:
        if not isinstance(name, str):
            message = (
                f"{_WHERE}: {argument} must map candidate names (str) to files; got the candidate "
                f"{describe_value(name)}. Use the names the take-home was created with: {sorted(candidates)}."
            )
            raise TakehomeError(message)


def failed_grade(
    scenario_id: str, candidate: str, metric: str, verified: Verified, err: PipelineTimeoutError
) -> CandidateGrade:
    """The grade of a candidate whose grading did not finish in its timeout: ``status="failed"``, saying why."""
    error = f"{err} The other candidates were graded; grade this one again with a larger timeout."
    return CandidateGrade(
        candidate, scenario_id, metric, "failed", checks=verified.checks, not_checked=verified.not_checked, error=error
    )
