"""Binary metrics of a holdout read in chunks: the same scores as in memory, in bounded memory.

A holdout larger than memory (a Parquet dataset of predictions scored against
a stored holdout) arrives in chunks of rows. :class:`BinaryAccumulator` keeps
only what the metrics need (see ``_metrics``): the scores and costs of the
positives, and the scores of the negatives of each part, as float64 (8 bytes
a negative; the frames themselves are never held). At the end each part's
negatives are sorted once and the whole holdout merges its parts' sorted
negatives and resamples as the union of their replicates, exactly as
:func:`binary_scores_with_ci` does, so the estimates and intervals equal the
in-memory ones given the same generator.

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring._metrics import binary_scores_with_ci
>>> gen = np.random.default_rng(0)
>>> y = gen.random(3000) < 0.05
>>> s = y + gen.normal(size=3000)
>>> cost = gen.lognormal(4.0, 1.0, size=3000)
>>> part = (gen.random(3000) < 0.3).astype(np.int8) ^ 1  # 0 public, 1 private
>>> acc = BinaryAccumulator(("public", "private"))
>>> for lo in range(0, 3000, 1000):
...     acc.add(y[lo:lo + 1000], s[lo:lo + 1000], cost[lo:lo + 1000], part[lo:lo + 1000])
>>> streamed = acc.scores(rng=np.random.default_rng(1), n_boot=200)
>>> parts = {"public": part == 0, "private": part == 1, "all": np.ones(3000, bool)}
>>> streamed == binary_scores_with_ci(y, s, parts=parts, costs=cost, rng=np.random.default_rng(1), n_boot=200)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from casestudies.core import check_all
from casestudies.scoring._metrics import (
    _SCORES_WITH_CI_RULES,
    BINARY_N_BOOT,
    DEFAULT_ALERT_BUDGET,
    DEFAULT_REVIEW_COST,
    _part_scores,
    _replicates,
    _Union,
)
from casestudies.scoring._metrics_checks import check_rng
from casestudies.scoring._metrics_kernel import _aggregate, _Aggregates

__all__ = ["WHOLE_PART", "BinaryAccumulator"]

WHOLE_PART = "all"
"""Name of the whole holdout in the scores, after the parts (as ``make`` names it)."""


class BinaryAccumulator:
    """Collect a binary holdout chunk by chunk, then score its parts and the whole.

    Parameters
    ----------
    parts : sequence of str
        Names of the disjoint parts; a chunk gives each row's part as an index
        into them.

    Examples
    --------
    >>> import numpy as np
    >>> acc = BinaryAccumulator(("public", "private"))
    >>> acc.add(np.array([1, 0, 0, 1]), np.array([0.9, 0.2, 0.4, 0.3]), None, np.array([0, 0, 1, 1]))
    >>> acc.n_rows
    4
    """

    def __init__(self, parts: Sequence[str]) -> None:
        self.parts = tuple(parts)
        self.n_rows = 0
        self._pos: list[list[NDArray[np.float64]]] = [[] for _ in self.parts]
        self._pos_costs: list[list[NDArray[np.float64]]] = [[] for _ in self.parts]
        self._neg: list[list[NDArray[np.float64]]] = [[] for _ in self.parts]
        self._all_pos: list[NDArray[np.float64]] = []
        self._all_pos_part: list[NDArray[np.integer]] = []  # the part of each positive
        self._all_pos_costs: list[NDArray[np.float64]] = []
        self._costs = False

    def add(
        self,
        labels: NDArray[np.integer] | NDArray[np.bool_],
        scores: NDArray[np.floating],
        costs: NDArray[np.floating] | None,
        part: NDArray[np.integer],
    ) -> None:
        """Add a chunk of rows, in holdout order: 0/1 labels, scores, costs (or None) and part indices."""
        positive = np.asarray(labels).astype(bool)
        values = np.asarray(scores, dtype=np.float64)
        cost_values = None if costs is None else np.asarray(costs, dtype=np.float64)
        self._costs = cost_values is not None
        self._all_pos.append(values[positive])
        self._all_pos_part.append(np.asarray(part)[positive])
        if cost_values is not None:
            self._all_pos_costs.append(cost_values[positive])
        for index in range(len(self.parts)):
            inside = part == index
            chosen = inside & positive
            self._pos[index].append(values[chosen])
            if cost_values is not None:
                self._pos_costs[index].append(cost_values[chosen])
            self._neg[index].append(values[inside & ~positive])
        self.n_rows += int(values.shape[0])

    def scores(
        self,
        *,
        rng: np.random.Generator,
        alert_budget: float = DEFAULT_ALERT_BUDGET,
        review_cost: float = DEFAULT_REVIEW_COST,
        n_boot: int = BINARY_N_BOOT,
        confidence: float = 0.95,
    ) -> dict[str, dict[str, dict[str, float]]]:
        """Scores of every part, then of the whole holdout, as :func:`binary_scores_with_ci` returns them."""
        where = "BinaryAccumulator.scores()"
        check_all(
            where,
            _SCORES_WITH_CI_RULES,
            {"alert_budget": alert_budget, "review_cost": review_cost, "n_boot": n_boot, "confidence": confidence},
        )
        check_rng(where, rng)
        tail = (1.0 - float(confidence)) / 2.0
        names = (*self.parts, WHOLE_PART)
        aggregates: list[_Aggregates] = []
        sorted_negatives: list[NDArray[np.float64]] = []
        for index in range(len(self.parts)):
            negatives = np.concatenate(self._neg[index])
            self._neg[index] = []  # the parts' lists are freed as soon as they are sorted
            negatives.sort()
            sorted_negatives.append(negatives)
            aggregates.append(self._aggregate(self._pos[index], self._pos_costs[index], (negatives,), alert_budget))
        aggregates.append(self._aggregate(self._all_pos, self._all_pos_costs, tuple(sorted_negatives), alert_budget))
        # The whole holdout is the disjoint union of the parts (see binary_scores_with_ci).
        pos_part = np.concatenate(self._all_pos_part)
        whole: _Union = [
            (index, np.flatnonzero(pos_part == index), negatives) for index, negatives in enumerate(sorted_negatives)
        ]
        replicates = _replicates(
            aggregates,
            [None] * len(self.parts) + [whole],
            rng.spawn(len(names)),
            review_cost=float(review_cost),
            n_boot=int(n_boot),
        )
        return {
            name: _part_scores(agg, part_replicates, review_cost=float(review_cost), tail=tail)
            for name, agg, part_replicates in zip(names, aggregates, replicates, strict=True)
        }

    def _aggregate(
        self,
        pos: list[NDArray[np.float64]],
        pos_costs: list[NDArray[np.float64]],
        sorted_negatives: tuple[NDArray[np.float64], ...],
        alert_budget: float,
    ) -> _Aggregates:
        costs = np.concatenate(pos_costs) if self._costs else None
        return _aggregate(np.concatenate(pos), sorted_negatives, costs, float(alert_budget))
