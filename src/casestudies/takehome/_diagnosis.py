"""Grading a candidate's diagnosis file with the key's diagnosis grader.

The grader is named in ``key.json``: ``"faults"`` for scenarios that plant
causes (graded by ``Case.grade_diagnosis``), a ``"module:function"``
:class:`DiagnosisGrader` named by the rubric, or ``""`` (none: the write-up is
graded by hand).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol, cast

from casestudies.case import Case
from casestudies.core import load_object
from casestudies.exceptions import InvalidParameterError, TakehomeError
from casestudies.scoring import DiagnosisGrade
from casestudies.takehome._layout import DIAGNOSIS_FILE, FAULTS, FAULTS_FILE, RUBRIC_NOTES_FILE

_VERDICTS: Final = (
    ("found", "found"),
    ("missed", "missed"),
    ("wrongly_claimed", "wrongly claimed"),
    ("correctly_absent", "correctly ruled out or left out"),
)  # attribute of a DiagnosisGrade -> note of its items
_EARNS_A_POINT: Final = ("found", "correctly_absent")


@dataclass(frozen=True, slots=True)
class DiagnosisResult:
    """The grade of a candidate's diagnosis file.

    Attributes
    ----------
    status : {"graded", "not supported", "not submitted", "failed"}
        ``"not supported"`` when the scenario has no diagnosis grader.
    points, max_points : float or None
        Points earned and available.
    items : tuple of Mapping
        One mapping per graded item (``item``, ``points``, ``max_points``, ``note``).
    summary : str
        One or two sentences for the report.
    """

    status: Literal["graded", "not supported", "not submitted", "failed"]
    points: float | None = None
    max_points: float | None = None
    items: tuple[Mapping[str, object], ...] = ()
    summary: str = ""

    @property
    def score(self) -> float | None:
        """Share of the points earned, in [0, 1]; None unless graded."""
        if self.points is None or not self.max_points:
            return None
        return self.points / self.max_points

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "score": self.score,
            "items": [dict(item) for item in self.items],
            "summary": self.summary,
        }

    def __str__(self) -> str:
        if self.status == "graded":
            return f"{self.points:g} / {self.max_points:g}"
        return self.status


class DiagnosisGrader(Protocol):
    """A scenario's diagnosis grader, named in its rubric as ``"module:function"``.

    Called with the candidate's diagnosis file and their variant's
    :class:`~casestudies.Case` (``case.reveal("world")`` holds the planted
    truth); returns a mapping ``{"points", "max_points", "items", "summary"}``
    (items: ``{"item", "points", "max_points", "note"}``), or a
    :class:`DiagnosisResult`, or the :class:`~casestudies.DiagnosisGrade` of
    :meth:`Case.grade_diagnosis <casestudies.Case.grade_diagnosis>`.
    """

    def __call__(self, path: Path, case: Case) -> object: ...


def _from_fault_grade(grade: DiagnosisGrade) -> DiagnosisResult:
    """A :class:`DiagnosisResult` from ``Case.grade_diagnosis``'s grade: a point per cause, a point per column list."""
    items: list[dict[str, object]] = []
    for attribute, note in _VERDICTS:
        for kind in cast(Sequence[str], getattr(grade, attribute)):
            points = 1.0 if attribute in _EARNS_A_POINT else 0.0
            items.append({"item": kind, "points": points, "max_points": 1.0, "note": note})
    for kind, part in grade.columns.items():
        named = len(part["found"]) + len(part["missed"]) + len(part["wrongly_claimed"])
        notes = [
            f"{label.replace('_', ' ')}: {', '.join(part[label])}"
            for label in ("found", "missed", "wrongly_claimed")
            if part[label]
        ]
        items.append(
            {
                "item": f"{kind} columns",
                "points": len(part["found"]) / named if named else 1.0,
                "max_points": 1.0,
                "note": "; ".join(notes),
            }
        )
    present, found, wrong = grade.present, grade.found, grade.wrongly_claimed
    summary = (
        f"{len(found)} of {len(present)} planted causes found ({', '.join(present) or 'none planted'}); "
        f"{len(wrong)} claimed wrongly."
    )
    points = float(sum(cast(float, item["points"]) for item in items))
    return DiagnosisResult("graded", round(points, 6), float(len(items)), tuple(items), summary)


def _from_mapping(result: object, grader: str) -> DiagnosisResult:
    """A :class:`DiagnosisResult` from what a ``module:function`` grader returned."""
    try:
        mapping = cast(Mapping[str, object], result)
        items = tuple(dict(item) for item in cast(Sequence[Mapping[str, object]], mapping.get("items", ())))
        return DiagnosisResult(
            "graded",
            float(cast(float, mapping["points"])),
            float(cast(float, mapping["max_points"])),
            items,
            str(mapping.get("summary", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return DiagnosisResult(
            "failed",
            summary=(
                f"the diagnosis grader {grader} returned {result!r}; "
                f"expected a mapping with points, max_points, items and summary ({err})."
            ),
        )


def grade_diagnosis(grader: str, diagnosis: str | os.PathLike[str] | None, case: Case) -> DiagnosisResult:
    """Grade with the key's grader: ``"faults"`` (``Case.grade_diagnosis``), ``"module:function"``, or ``""`` (none).

    Raises
    ------
    TakehomeError
        If ``diagnosis`` names no file.
    """
    if not grader:
        return DiagnosisResult(
            "not supported",
            summary=f"{case.spec.id} has no diagnosis grader; grade the write-up by hand with {RUBRIC_NOTES_FILE}.",
        )
    expected = FAULTS_FILE if grader == FAULTS else DIAGNOSIS_FILE
    if diagnosis is None:
        return DiagnosisResult(
            "not submitted", summary=f"no diagnosis file; pass the candidate's {expected} with --diagnosis."
        )
    path = Path(diagnosis)
    if not path.is_file():
        raise TakehomeError(f"no diagnosis file at {str(path)!r}; expected the candidate's {expected}.")
    if grader == FAULTS:
        try:
            return _from_fault_grade(case.grade_diagnosis(path))
        except InvalidParameterError as err:
            return DiagnosisResult("failed", summary=f"the diagnosis file could not be graded: {err}")
    try:
        function = cast(DiagnosisGrader, load_object(grader))
        result = function(path, case)
    except Exception as err:
        return DiagnosisResult("failed", summary=f"the diagnosis grader {grader} raised {type(err).__name__}: {err}")
    if isinstance(result, DiagnosisResult):
        return result
    if isinstance(result, DiagnosisGrade):
        return _from_fault_grade(result)
    return _from_mapping(result, grader)
