"""Generation in blocks: the hook a scenario declares to be generated a piece at a time, in bounded memory.

A generator's module may define ``plan_blocks(params, rng) -> BlockPlan``
beside its generator function (the name is :data:`PLANNER_NAME`). The plan
is cheap to build and to send to another process: it knows how many rows
``train`` and ``test`` hold, and produces any range of their rows on demand,
the same rows ``generate(params, rng)`` returns for the same ``rng`` seed.
Its randomness is drawn per block (a day, a block of users…) from streams
fixed by the seed and the block, not by which rows are asked for, so rows
generated in any pieces, in any process, concatenate to the same bytes.
The test rows' labels and the learner's view of them are the scenario
task's (``Task.labels``, ``Task.public_test``) on the rows and truth a plan
returns, as ``make`` builds its holdout: a binary or rating target is a
column of the rows, a top-N user's count of relevant movies a column of the
truth. Side tables (``tables()``) are written whole beside the frames.

``casestudies.generate`` uses the hook when the scenario has one: it writes
each Parquet partition from ``plan.rows(frame, start, stop)``, locally or as
Dask tasks, holding one partition at a time.

Examples
--------
>>> from casestudies.core import block_planner_of, spec
>>> block_planner_of(spec("fraud-v2")) is not None, block_planner_of(spec("fraud-v1")) is None
(True, True)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, Protocol, cast

from casestudies.core._registry import generator_of
from casestudies.core._spec import ScenarioSpec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["FRAMES", "KNOWN_LABELS", "PLANNER_NAME", "BlockPlan", "BlockPlanner", "block_planner_of"]

PLANNER_NAME: Final[str] = "plan_blocks"
"""Name of the optional block planner in a generator's module."""

KNOWN_LABELS: Final[str] = "known_labels"
"""Name of a plan's optional ``known_labels(start, stop) -> numpy.ndarray | None``: the task labels of test rows
``start:stop`` if the plan already drew their blocks (``None`` otherwise), which spares drawing them again for the
public/private split. The movies plans keep them while the training rows are drawn."""

FRAMES: Final[tuple[str, str]] = ("train", "test")
"""The frames a plan generates, in the order a case holds them."""


class BlockPlan(Protocol):
    """A scenario's rows, generated a range at a time (see the module docstring).

    A plan must pickle (Dask sends it to workers), so it holds parameters and
    seeds, not data.
    """

    target: str
    id_column: str
    cost_column: str | None

    def n_rows(self, frame: str) -> int:
        """Rows of ``frame`` (``"train"`` or ``"test"``), counted without generating them."""
        ...

    def rows(self, frame: str, start: int, stop: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rows ``start:stop`` of ``frame``, the target included, and their hidden truth (one row each)."""
        ...

    def info(self, n_train: int, n_test: int, train_positives: int) -> dict[str, object]:
        """The data card's facts, from the counts a writer gathers on the way (``train_positives``: the training
        target's sum)."""
        ...

    def tables(self) -> dict[str, pd.DataFrame]:
        """The public side tables (one row per entity, such as movies and users: they fit in memory); may be empty."""
        ...


BlockPlanner = Callable[[Mapping[str, object], "np.random.Generator"], BlockPlan]


def block_planner_of(scenario: ScenarioSpec) -> BlockPlanner | None:
    """The scenario's block planner, or ``None`` when it is generated whole.

    Examples
    --------
    >>> from casestudies.core import block_planner_of, spec
    >>> block_planner_of(spec("movies-rating-v3")) is None, block_planner_of(spec("movies-rating-v4")) is None
    (True, False)
    """
    generator_of(scenario)  # imports the generator's module, or says clearly why it cannot
    planner = getattr(sys.modules.get(scenario.generator.partition(":")[0]), PLANNER_NAME, None)
    return cast(BlockPlanner, planner) if callable(planner) else None
