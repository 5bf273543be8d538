"""The host side of a Case: what features that keep secrets (leaderboards, take-homes,
the scenario contract, diagnostics) may read of it, behind one documented door.

A learner never needs this module: everything here is hidden truth or its
machinery. Features import :func:`host_view` instead of reaching into a
Case's private attributes, so the Case can change its insides freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from casestudies.case._case import Case, Scored
from casestudies.scoring import Holdout, Task, TaskContext


class CaseHost:
    """Host-side view of one :class:`~casestudies.Case`.

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.case import host_view
    >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
    >>> host = host_view(case)
    >>> len(host.holdout.labels) == len(case.test)
    True
    >>> host.oracle().entry.kind
    'oracle'
    """

    __slots__ = ("_case",)

    def __init__(self, case: Case) -> None:
        self._case = case

    @property
    def task(self) -> Task:
        """The task type of the case."""
        return self._case._task

    @property
    def context(self) -> TaskContext:
        """What the task runs and scores on: the private train and test frames and the holdout."""
        return self._case._context

    @property
    def holdout(self) -> Holdout:
        """Labels, truth, public/private parts, costs and task extras of the holdout."""
        return self._case._context.holdout

    @property
    def train(self) -> pd.DataFrame:
        """The case's own training frame (a copy; unaffected by changes to ``case.train``)."""
        train: pd.DataFrame = self._case._train.copy()
        return train

    @property
    def test(self) -> pd.DataFrame:
        """The case's own public test frame (a copy)."""
        test: pd.DataFrame = self._case._test.copy()
        return test

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """The public side tables (copies)."""
        return MappingProxyType({name: table.copy() for name, table in self._case._tables.items()})

    @property
    def oracle_observable(self) -> bool:
        """True if the oracle uses only observable data (Bayes-optimal), False if it sees hidden state."""
        return self._case._oracle_observable

    @property
    def oracle_description(self) -> str:
        """One line saying what the oracle row is for this case."""
        return self._case._oracle_description()

    def score(
        self,
        predictions: object,
        *,
        name: str,
        kind: str = "submission",
        description: str = "",
        parts: Mapping[str, np.ndarray] | None = None,
    ) -> Scored:
        """Validate and score ``predictions`` with the case's common random numbers.

        ``parts`` replaces the public/private parts, e.g. ``{"all": mask}`` for
        an interval on the whole holdout.
        """
        return self._case._score(
            predictions,
            name=name,
            output="predictions",
            fit_seconds=None,
            predict_seconds=None,
            kind=kind,
            description=description,
            parts=parts,
        )

    def score_values(self, values: np.ndarray, *, name: str, parts: Mapping[str, np.ndarray] | None = None) -> Scored:
        """Score values that already passed the task's validation (no second validation)."""
        return self._case._score_values(
            values, name=name, output="predictions", fit_seconds=None, predict_seconds=None, parts=parts
        )

    def oracle(self, *, parts: Mapping[str, np.ndarray] | None = None) -> Scored:
        """The oracle's row and the values it submits."""
        return self._case._score_oracle(parts)

    def references(self) -> list[Scored]:
        """Every baseline, the expert reference and the oracle, with their values (fitted once, cached)."""
        return self._case._scored_references()


def host_view(case: Case) -> CaseHost:
    """The host-side view of ``case`` (see :class:`CaseHost`)."""
    if not isinstance(case, Case):
        raise TypeError(f"host_view() takes a casestudies.Case; got {type(case).__name__}.")
    return CaseHost(case)
