"""Exceptions and warnings raised by casestudies.

Every error derives from :class:`CaseStudiesError`; leaves also derive from the
built-in exception they refine, so ``except ValueError`` keeps working.
Messages say what was expected, what was received and how to fix it.

Examples
--------
>>> import casestudies as cs
>>> try:
...     cs.make("frad-v1")
... except cs.exceptions.UnknownScenarioError as err:
...     print(err)
no scenario 'frad-v1'. Did you mean 'fraud-v1'? Run casestudies.list_scenarios() to see all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "CaseStudiesError",
    "ExerciseError",
    "InvalidParameterError",
    "InvalidTokenError",
    "LeaderboardClosedError",
    "LeaderboardError",
    "PipelineError",
    "PipelineTimeoutError",
    "Problem",
    "ProblemCode",
    "RegistrationError",
    "ScenarioDeprecationWarning",
    "StoreError",
    "SubmissionError",
    "SubmissionLimitError",
    "SubmissionWarning",
    "TakehomeError",
    "TakehomeIntegrityError",
    "UnknownLeaderboardError",
    "UnknownParticipantError",
    "UnknownScenarioError",
]


class CaseStudiesError(Exception):
    """Root of every error raised by casestudies."""


class InvalidParameterError(CaseStudiesError, ValueError):
    """A parameter is unknown, of the wrong type or out of range."""


class UnknownScenarioError(CaseStudiesError, LookupError):
    """No scenario is registered under the requested id."""


class RegistrationError(CaseStudiesError, ValueError):
    """A scenario spec is malformed or clashes with a registered one."""


class ProblemCode(str, enum.Enum):
    """Stable codes of the problems a submission can have."""

    EMPTY = "EMPTY"
    WRONG_TYPE = "WRONG_TYPE"
    WRONG_COLUMNS = "WRONG_COLUMNS"
    WRONG_LENGTH = "WRONG_LENGTH"
    WRONG_SHAPE = "WRONG_SHAPE"
    MISSING_IDS = "MISSING_IDS"
    DUPLICATE_IDS = "DUPLICATE_IDS"
    UNKNOWN_IDS = "UNKNOWN_IDS"
    NON_NUMERIC = "NON_NUMERIC"
    NON_FINITE = "NON_FINITE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    UNREADABLE_FILE = "UNREADABLE_FILE"
    BAD_RANKS = "BAD_RANKS"
    ALREADY_RATED = "ALREADY_RATED"
    WRONG_VARIANT = "WRONG_VARIANT"
    TOO_LARGE = "TOO_LARGE"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a submission.

    Attributes
    ----------
    code : ProblemCode
        Stable machine-readable kind.
    expected : str
        What a valid submission has.
    received : str
        What this one has (counts and a few examples).
    hint : str
        How to fix it.
    """

    code: ProblemCode
    expected: str
    received: str
    hint: str

    def __str__(self) -> str:
        return f"[{self.code.value}] expected {self.expected}; got {self.received}. {self.hint}"

    def to_dict(self) -> dict[str, str]:
        """Return the problem as plain JSON-serialisable data."""
        return {
            "code": self.code.value,
            "expected": self.expected,
            "received": self.received,
            "hint": self.hint,
        }


class SubmissionError(CaseStudiesError, ValueError):
    """A submission has one or more problems; all of them are in ``problems``."""

    def __init__(self, scenario_id: str, problems: tuple[Problem, ...]) -> None:
        self.scenario_id = scenario_id
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"submission for {scenario_id!r} has {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuild from the data, not the message, so the error survives pickling (multiprocessing, joblib).
        return (type(self), (self.scenario_id, self.problems))


class PipelineError(CaseStudiesError, RuntimeError):
    """The user's pipeline raised while fitting or predicting.

    The original exception is the ``__cause__``; ``user_traceback`` holds its
    formatted traceback with casestudies' own frames removed.
    """

    def __init__(self, message: str, *, stage: str, user_traceback: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.user_traceback = user_traceback

    def __reduce__(self) -> tuple[object, ...]:
        # The keyword-only fields are not in ``args``; keep them through pickling.
        return (_rebuild_pipeline_error, (type(self), str(self), self.stage, self.user_traceback))


def _rebuild_pipeline_error(cls: type[PipelineError], message: str, stage: str, user_traceback: str) -> PipelineError:
    return cls(message, stage=stage, user_traceback=user_traceback)


class PipelineTimeoutError(PipelineError, TimeoutError):
    """The user's pipeline did not finish in the ``timeout`` it was given; its process was stopped.

    ``seconds`` holds the limit. Also a :class:`TimeoutError`, so generic handlers keep working.
    """

    def __init__(self, message: str, *, seconds: float) -> None:
        super().__init__(message, stage="timeout", user_traceback="")
        self.seconds = seconds

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_timeout_error, (type(self), str(self), self.seconds))


def _rebuild_timeout_error(cls: type[PipelineTimeoutError], message: str, seconds: float) -> PipelineTimeoutError:
    return cls(message, seconds=seconds)


class LeaderboardError(CaseStudiesError):
    """A leaderboard operation cannot be done as asked."""


class StoreError(LeaderboardError, RuntimeError):
    """A leaderboard store is missing, unreadable or of an unknown schema version."""


class UnknownLeaderboardError(LeaderboardError, LookupError):
    """No leaderboard of that name is in the store."""


class UnknownParticipantError(LeaderboardError, LookupError):
    """No participant of that name is on the leaderboard."""


class InvalidTokenError(LeaderboardError, PermissionError):
    """A participant token is missing or matches no participant of the leaderboard."""


class LeaderboardClosedError(LeaderboardError, RuntimeError):
    """The leaderboard is closed; it takes no more submissions or selections."""


class SubmissionLimitError(LeaderboardError, RuntimeError):
    """The participant has used up today's submissions."""


class TakehomeError(CaseStudiesError, ValueError):
    """A take-home cannot be created or graded as asked (bad folder, unknown candidate, ...)."""


class TakehomeIntegrityError(TakehomeError):
    """The key or a bundle changed after creation: grading stops rather than trust it."""


class ExerciseError(CaseStudiesError, ValueError):
    """A coding exercise cannot be started, checked or evaluated as asked (unknown id, folder, scenario, ...)."""


class ScenarioDeprecationWarning(DeprecationWarning):
    """A scenario id resolves to a version that is deprecated or not pinned."""


class SubmissionWarning(UserWarning):
    """A submission was accepted, but part of it was not read (for example extra columns)."""
