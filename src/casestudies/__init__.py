"""casestudies: classic ML interview case studies as runnable, scored exercises.

The names below are the public face. They load on first use, so
``import casestudies`` stays cheap: generators, scikit-learn, LightGBM, the
leaderboard's database and server libraries are imported only when a feature
that needs them is used.

Examples
--------
>>> import casestudies as cs
>>> "fraud-v1" in cs.list_scenarios()
True
>>> issubclass(cs.SubmissionError, ValueError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casestudies import exceptions
from casestudies._public import lazy_face
from casestudies._version import VERSION
from casestudies.exceptions import (
    CaseStudiesError,
    ExerciseError,
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardClosedError,
    LeaderboardError,
    PipelineError,
    Problem,
    ProblemCode,
    RegistrationError,
    ScenarioDeprecationWarning,
    StoreError,
    SubmissionError,
    SubmissionLimitError,
    SubmissionWarning,
    TakehomeError,
    TakehomeIntegrityError,
    UnknownLeaderboardError,
    UnknownParticipantError,
    UnknownScenarioError,
)

if TYPE_CHECKING:
    from casestudies.biasvariance import bias_variance, bias_variance_curve
    from casestudies.case import Case, generate, make, read, score_dataset
    from casestudies.coding import (
        CheckResult,
        Exercise,
        check_exercise,
        evaluate_exercise,
        exercise,
        exercises,
        start_exercise,
    )
    from casestudies.core import ParameterSpec, ScenarioData, ScenarioSpec, list_scenarios, register, registry, spec
    from casestudies.diagnostics import DiagnosticsReport, diagnose
    from casestudies.leaderboard import Leaderboard, PracticeLog
    from casestudies.report import Entry, Finding, Report
    from casestudies.scoring import FAULT_KINDS, CleaningGrade, Diagnosis, DiagnosisGrade
    from casestudies.takehome import (
        CandidateGrade,
        Grading,
        Rubric,
        Takehome,
        create_takehome,
        grade_takehome,
        takehome_rubric,
    )

__version__ = VERSION

# Public name -> the folder that defines it; imported on first access.
_LAZY: dict[str, str] = {
    "bias_variance": "casestudies.biasvariance",
    "bias_variance_curve": "casestudies.biasvariance",
    "Case": "casestudies.case",
    "make": "casestudies.case",
    "generate": "casestudies.case",
    "score_dataset": "casestudies.case",
    "read": "casestudies.case",
    "ParameterSpec": "casestudies.core",
    "ScenarioData": "casestudies.core",
    "ScenarioSpec": "casestudies.core",
    "list_scenarios": "casestudies.core",
    "register": "casestudies.core",
    "registry": "casestudies.core",
    "spec": "casestudies.core",
    "DiagnosticsReport": "casestudies.diagnostics",
    "diagnose": "casestudies.diagnostics",
    "CheckResult": "casestudies.coding",
    "Exercise": "casestudies.coding",
    "check_exercise": "casestudies.coding",
    "evaluate_exercise": "casestudies.coding",
    "exercise": "casestudies.coding",
    "exercises": "casestudies.coding",
    "start_exercise": "casestudies.coding",
    "Leaderboard": "casestudies.leaderboard",
    "PracticeLog": "casestudies.leaderboard",
    "Entry": "casestudies.report",
    "Finding": "casestudies.report",
    "Report": "casestudies.report",
    "FAULT_KINDS": "casestudies.scoring",
    "CleaningGrade": "casestudies.scoring",
    "Diagnosis": "casestudies.scoring",
    "DiagnosisGrade": "casestudies.scoring",
    "CandidateGrade": "casestudies.takehome",
    "Grading": "casestudies.takehome",
    "Rubric": "casestudies.takehome",
    "Takehome": "casestudies.takehome",
    "create_takehome": "casestudies.takehome",
    "grade_takehome": "casestudies.takehome",
    "takehome_rubric": "casestudies.takehome",
}

__all__ = [
    "FAULT_KINDS",
    "CandidateGrade",
    "Case",
    "CaseStudiesError",
    "CheckResult",
    "CleaningGrade",
    "Diagnosis",
    "DiagnosisGrade",
    "DiagnosticsReport",
    "Entry",
    "Exercise",
    "ExerciseError",
    "Finding",
    "Grading",
    "InvalidParameterError",
    "InvalidTokenError",
    "Leaderboard",
    "LeaderboardClosedError",
    "LeaderboardError",
    "ParameterSpec",
    "PipelineError",
    "PracticeLog",
    "Problem",
    "ProblemCode",
    "RegistrationError",
    "Report",
    "Rubric",
    "ScenarioData",
    "ScenarioDeprecationWarning",
    "ScenarioSpec",
    "StoreError",
    "SubmissionError",
    "SubmissionLimitError",
    "SubmissionWarning",
    "Takehome",
    "TakehomeError",
    "TakehomeIntegrityError",
    "UnknownLeaderboardError",
    "UnknownParticipantError",
    "UnknownScenarioError",
    "bias_variance",
    "bias_variance_curve",
    "check_exercise",
    "create_takehome",
    "diagnose",
    "evaluate_exercise",
    "exceptions",
    "exercise",
    "exercises",
    "generate",
    "grade_takehome",
    "list_scenarios",
    "make",
    "read",
    "register",
    "registry",
    "score_dataset",
    "spec",
    "start_exercise",
    "takehome_rubric",
]


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)
