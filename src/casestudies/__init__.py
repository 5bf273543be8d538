"""casestudies: classic ML interview case studies as runnable, scored exercises.

Examples
--------
>>> import casestudies as cs
>>> "fraud-v1" in cs.list_scenarios()
True
"""

from __future__ import annotations

from casestudies import exceptions
from casestudies.case._case import Case, make
from casestudies.core import VERSION as __version__
from casestudies.core import ParameterSpec, ScenarioData, ScenarioSpec, list_scenarios, register, registry, spec
from casestudies.diagnostics._checks import DiagnosticsReport, diagnose
from casestudies.leaderboard._board import Leaderboard, PracticeLog
from casestudies.report import Entry, Finding, Report
from casestudies.scoring import FAULT_KINDS, Diagnosis, DiagnosisGrade
from casestudies.takehome._create import Rubric, Takehome, create_takehome, takehome_rubric
from casestudies.takehome._grade import CandidateGrade, Grading, grade_takehome

__all__ = [
    "FAULT_KINDS",
    "CandidateGrade",
    "Case",
    "Diagnosis",
    "DiagnosisGrade",
    "DiagnosticsReport",
    "Entry",
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
