"""casestudies: classic ML interview case studies as runnable, scored exercises.

Examples
--------
>>> import casestudies as cs
>>> "fraud-v1" in cs.list_scenarios()
True
"""

from __future__ import annotations

from . import exceptions
from ._case import Case, make
from ._data import ScenarioData
from ._diagnosis import FAULT_KINDS, Diagnosis, DiagnosisGrade
from ._diagnostics import DiagnosticsReport, diagnose
from ._leaderboard import Leaderboard, PracticeLog
from ._registry import list_scenarios, register, registry, spec
from ._report import Entry, Finding, Report
from ._spec import ParameterSpec, ScenarioSpec
from ._takehome import Rubric, Takehome, create_takehome, takehome_rubric
from ._takehome_grade import CandidateGrade, Grading, grade_takehome

__version__ = "0.1.0"

__all__ = [
    "CandidateGrade",
    "Case",
    "Diagnosis",
    "DiagnosisGrade",
    "DiagnosticsReport",
    "Entry",
    "FAULT_KINDS",
    "Finding",
    "Grading",
    "Leaderboard",
    "ParameterSpec",
    "PracticeLog",
    "Report",
    "Rubric",
    "ScenarioData",
    "ScenarioSpec",
    "Takehome",
    "create_takehome",
    "diagnose",
    "exceptions",
    "grade_takehome",
    "list_scenarios",
    "make",
    "register",
    "registry",
    "spec",
    "takehome_rubric",
]
