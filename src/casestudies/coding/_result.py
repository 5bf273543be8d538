"""What checking a solution returns: one record per hidden test, data first, then text, Markdown and HTML.

Examples
--------
>>> records = (
...     TestRecord("solution_imports", "rules", True),
...     TestRecord("f1_zero_division", "edge", False, "f1([0, 0], [0, 0]): expected 0.0, got nan.",
...                "Return 0.0 when precision + recall is 0."),
... )
>>> result = CheckResult("metrics-v1", "lr/solution.py", 0, records, {"rules": 1.0, "edge": 2.0})
>>> result.passed, result.n_passed, round(result.score, 3)
(False, 1, 0.333)
>>> print(str(result).splitlines()[3])
FAIL  f1_zero_division [edge]
>>> result.to_dict()["tests"][1]["hint"]
'Return 0.0 when precision + recall is 0.'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from casestudies.report import Document

__all__ = ["CheckResult", "TestRecord"]

_DEFAULT_POINTS: Final = 1.0  # points of a kind of test the rubric does not weigh


@dataclass(frozen=True, slots=True)
class TestRecord:
    """The outcome of one hidden test.

    Attributes
    ----------
    name : str
        The test's name, e.g. ``"roc_auc_with_ties"``.
    kind : str
        ``"rules"``, ``"correctness"``, ``"gradient"``, ``"edge"`` or ``"speed"``.
    passed : bool
    message : str
        What was expected and what was received (empty when passed).
    hint : str
        Where the mistake usually is (shown when the test fails).
    seconds : float
        How long the test ran.
    """

    __test__ = False  # not a pytest test class

    name: str
    kind: str
    passed: bool
    message: str = ""
    hint: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """Plain data: name, kind, passed, message, hint, seconds."""
        return {
            "name": self.name,
            "kind": self.kind,
            "passed": self.passed,
            "message": self.message,
            "hint": self.hint if not self.passed else "",
            "seconds": self.seconds,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The hidden battery's verdict on one solution.

    Attributes
    ----------
    exercise_id : str
    solution : str
        The file checked.
    seed : int
        Seed of the hidden data (the same seed gives the same tests).
    records : tuple of TestRecord
        One per test, in the order they ran.
    points : Mapping[str, float]
        The rubric's points per kind of test; each test of a kind gets an
        equal share of its kind's points.
    """

    exercise_id: str
    solution: str
    seed: int
    records: tuple[TestRecord, ...]
    points: Mapping[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True if every test passed."""
        return all(record.passed for record in self.records)

    @property
    def n_passed(self) -> int:
        """How many tests passed."""
        return sum(record.passed for record in self.records)

    @property
    def failed(self) -> tuple[TestRecord, ...]:
        """The tests that failed."""
        return tuple(record for record in self.records if not record.passed)

    def _weights(self) -> dict[str, float]:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.kind] = counts.get(record.kind, 0) + 1
        return {
            record.name: self.points.get(record.kind, _DEFAULT_POINTS) / counts[record.kind] for record in self.records
        }

    @property
    def score(self) -> float:
        """Share of the rubric's points earned, from 0 to 1."""
        weights = self._weights()
        total = sum(weights.values())
        earned = sum(weights[record.name] for record in self.records if record.passed)
        return earned / total if total else 0.0

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data: the summary and one record per test."""
        return {
            "exercise_id": self.exercise_id,
            "solution": self.solution,
            "seed": self.seed,
            "passed": self.passed,
            "n_tests": len(self.records),
            "n_passed": self.n_passed,
            "score": self.score,
            "tests": [record.to_dict() for record in self.records],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def summary(self) -> str:
        """One line: how many tests passed and the score."""
        verdict = "all passed" if self.passed else f"{len(self.failed)} failed"
        return (
            f"{self.exercise_id}: {self.n_passed}/{len(self.records)} hidden tests passed ({verdict}); "
            f"score {self.score:.0%}"
        )

    def __str__(self) -> str:
        lines = [self.summary(), ""]
        for record in self.records:
            lines.append(f"{'ok  ' if record.passed else 'FAIL'}  {record.name} [{record.kind}]")
            if not record.passed:
                lines += [f"      {line}" for line in record.message.splitlines()]
                if record.hint:
                    lines.append(f"      hint: {record.hint}")
        return "\n".join(lines)

    def to_document(self) -> Document:
        """The result as a :class:`~casestudies.report.Document` (a table of tests, then each failure)."""
        doc = Document(f"Exercise {self.exercise_id}: hidden tests")
        doc.para(self.summary() + f". Solution: {self.solution}; hidden data seed {self.seed}.")
        doc.table(
            ["test", "kind", "result", "seconds"],
            [
                [record.name, record.kind, "passed" if record.passed else "FAILED", f"{record.seconds:.2f}"]
                for record in self.records
            ],
            markup=False,
        )
        if self.failed:
            doc.heading("What failed, and where to look")
            doc.terms([(record.name, f"{record.message} Hint: {record.hint}".strip()) for record in self.failed])
        return doc

    def to_markdown(self) -> str:
        """The result in Markdown."""
        return self.to_document().to_markdown()

    def to_html(self) -> str:
        """The result as a standalone HTML page."""
        return self.to_document().to_html()

    def _repr_html_(self) -> str:
        return self.to_document().to_html_fragment()
