"""The task layer: what every task type provides, and the host-side context it works on.

A task type (binary, rating, top-N…) says how a generator's data becomes a
public test frame and hidden labels, how a pipeline is run, how a submission
is validated and scored, what the oracle submits and which findings explain a
score. The Case builds one :class:`TaskContext` and hands it to its task;
nothing here imports the Case.

Examples
--------
>>> import pandas as pd, casestudies as cs
>>> from casestudies.scoring import BinaryTask, SubmissionContext
>>> test = pd.DataFrame({"id": [11, 12, 13], "amount": [5.0, 80.0, 12.5]})
>>> context = SubmissionContext(scenario_id="fraud-v1", id_column="id", test=test, scoring={})
>>> context.ids
array([11, 12, 13])
>>> BinaryTask().validate([0.1, 0.9, 0.3], context)
array([0.1, 0.9, 0.3])
>>> try:
...     BinaryTask().validate([0.1, 0.9], context)
... except cs.SubmissionError as err:
...     print(err.problems[0].code.name)
WRONG_LENGTH
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Protocol

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData, ScenarioSpec
from casestudies.report import Entry, Finding, Scores
from casestudies.scoring._adapters import PipelineRun


@dataclass(frozen=True, slots=True)
class Holdout:
    """The hidden side of a case: labels, truth, the public/private parts and task extras."""

    labels: np.ndarray
    truth: pd.DataFrame
    parts: Mapping[str, np.ndarray]
    costs: np.ndarray | None = None
    extras: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"<hidden holdout: {len(self.labels)} rows>"


@dataclass(frozen=True, slots=True)
class SubmissionContext:
    """What validating a submission needs: the rows it must cover and the task's host-side extras."""

    scenario_id: str
    id_column: str
    test: pd.DataFrame
    scoring: Mapping[str, object]
    extras: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ids(self) -> np.ndarray:
        """Row ids of the test frame, in order."""
        return self.test[self.id_column].to_numpy()


@dataclass(frozen=True, slots=True)
class TaskContext:
    """What a task needs from a case to run a pipeline and score it (host side, never shown to a learner)."""

    spec: ScenarioSpec
    train: pd.DataFrame
    target: str
    submission: SubmissionContext
    holdout: Holdout

    @property
    def test(self) -> pd.DataFrame:
        """The public test frame (a copy)."""
        test: pd.DataFrame = self.submission.test.copy()
        return test

    @property
    def X_train(self) -> pd.DataFrame:
        """Training features (a copy)."""
        features: pd.DataFrame = self.train.drop(columns=[self.target])
        return features

    @property
    def y_train(self) -> pd.Series:
        """Training labels (a copy)."""
        labels: pd.Series = self.train[self.target].copy()
        return labels


class Task(Protocol):
    """What every task type provides to the core loop.

    ``check``/``public_test``/``labels``/``strata`` turn a generator's
    :class:`ScenarioData` into a case's public test frame and hidden labels;
    ``run`` fits and applies a pipeline; ``validate`` turns a submission into
    values; ``score`` scores them per holdout part; ``oracle`` gives the
    simulator's best submission; ``findings`` explains a score.
    """

    def check(self, data: ScenarioData) -> list[str]: ...

    def public_test(self, data: ScenarioData) -> pd.DataFrame: ...

    def labels(self, data: ScenarioData) -> np.ndarray: ...

    def label_name(self, target: str) -> str: ...

    def strata(self, labels: np.ndarray) -> np.ndarray: ...

    def oracle(self, context: TaskContext) -> object: ...

    def run(self, pipeline: object, context: TaskContext) -> PipelineRun: ...

    def validate(self, predictions: object, context: SubmissionContext) -> np.ndarray: ...

    def score(
        self,
        values: np.ndarray,
        context: TaskContext,
        *,
        rng: np.random.Generator,
        parts: Mapping[str, np.ndarray] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> Scores: ...

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]: ...


def frame_checks(data: ScenarioData, truth_column: str) -> list[str]:
    problems = []
    for name, frame in (("train", data.train), ("test", data.test)):
        for column in (data.target, data.id_column):
            if column not in frame.columns:
                problems.append(f"{name} has no column {column!r}")
    if not problems:
        if list(data.train.columns) != list(data.test.columns):
            problems.append("train and test columns differ")
        if len(data.truth) != len(data.test) or truth_column not in data.truth.columns:
            problems.append(f"truth must have a {truth_column!r} column and one row per test row")
        if _ids_repeat(data.train[data.id_column].to_numpy(), data.test[data.id_column].to_numpy()):
            problems.append(f"{data.id_column!r} values repeat across train and test")
    return problems


def _ids_repeat(train: np.ndarray, test: np.ndarray) -> bool:
    """Whether an id occurs twice in train and test together.

    Integer ids increasing through train, then test (a log's) are told
    unique without joining the two (a copy of every id); others by a hash
    table.
    """
    parts = [ids for ids in (train, test) if ids.size]
    increasing = all(ids.dtype.kind in "iu" and bool((ids[1:] > ids[:-1]).all()) for ids in parts)
    if increasing and (len(parts) < 2 or parts[0][-1] < parts[1][0]):
        return False
    all_ids = pd.Index(np.concatenate([train, test]) if train.dtype == test.dtype else [*train, *test])
    return bool(all_ids.duplicated().any())


class TableTask:
    """Tasks whose test rows are the holdout rows with the target column removed."""

    def public_test(self, data: ScenarioData) -> pd.DataFrame:
        test: pd.DataFrame = data.test.drop(columns=[data.target])
        return test

    def label_name(self, target: str) -> str:
        return target


def find_reference(references: Sequence[Entry], kind: str, name: str | None = None) -> Entry | None:
    for entry in references:
        if entry.kind == kind and (name is None or entry.name == name):
            return entry
    return None


def _interval_text(values: Mapping[str, float]) -> str:
    return f"{values['estimate']:.3f} [{values['low']:.3f}, {values['high']:.3f}]"


_Z95: Final[float] = 1.959963984540054
"""Normal quantile of a two-sided 95 % interval: turns an interval's width into a standard error and back."""


def public_private_finding(public: Mapping[str, float], private: Mapping[str, float]) -> Finding:
    """Whether a metric's public and private scores differ by more than noise, and what that means for tuning.

    The verdict tests the *difference*, not whether two intervals overlap
    (two 95 % intervals can overlap while the difference is significant).
    Public and private are disjoint rows, resampled by independent bootstrap
    streams, so the difference's standard error is the two standard errors
    (each 95 % interval's width / 3.92) added in quadrature; the difference's
    95 % interval is the estimate ± 1.96 of it.

    Examples
    --------
    >>> public = {"estimate": 0.377, "low": 0.360, "high": 0.394}
    >>> private = {"estimate": 0.350, "low": 0.333, "high": 0.367}
    >>> finding = public_private_finding(public, private)
    >>> finding.evidence["overlap"], finding.evidence["significant"]
    (True, True)
    """
    overlap = public["low"] <= private["high"] and private["low"] <= public["high"]
    difference = public["estimate"] - private["estimate"]
    errors = [(part["high"] - part["low"]) / (2 * _Z95) for part in (public, private)]
    half_width = _Z95 * math.hypot(*errors)
    low, high = difference - half_width, difference + half_width
    significant = not (low <= 0.0 <= high)
    interval = f"difference {difference:+.3f} [{low:+.3f}, {high:+.3f}]"
    verdict = (
        f"the {interval} excludes 0, so it is more than noise; do not tune against the public score."
        if significant
        else f"the {interval} includes 0, so the difference is noise."
    )
    return Finding(
        "public_private",
        "Public vs private holdout",
        f"public {_interval_text(public)} vs private {_interval_text(private)}: {verdict}",
        {
            "public": public["estimate"],
            "private": private["estimate"],
            "difference": difference,
            "difference_low": low,
            "difference_high": high,
            "significant": significant,
            "overlap": overlap,
        },
    )


def public_private(submission: Entry, metric: str) -> list[Finding]:
    """The public-vs-private finding of ``metric``, when both intervals are defined."""
    public, private = submission.scores["public"][metric], submission.scores["private"][metric]
    if not (np.isfinite(public["low"]) and np.isfinite(private["low"])):
        return []
    return [public_private_finding(public, private)]
