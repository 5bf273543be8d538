"""Write a scenario that declares a block plan partition by partition, holding one partition at a time.

:func:`casestudies.generate` comes here for a scenario whose generator
module defines ``plan_blocks`` (see :mod:`casestudies.core._blocks`), such as
``fraud-v2`` (a day at a time) or ``movies-rating-v4`` and ``movies-topn-v4``
(a block of users at a time). Every partition is one call of
:func:`write_rows`: it asks the plan for its rows (only the days or blocks
they fall on are drawn), writes the learner's partition and, for ``test``,
the host's holdout partition (labels and public view as the scenario's task
gives them: a binary or star target, or a top-N user's relevant count), and
returns counts. The plan's side tables (``movies``, ``users``) are written
whole, as ``make``'s case holds them, and fingerprinted with the frames.
The calls run here or as Dask tasks; either way the files are the same,
and their fingerprint is ``make``'s.

The holdout's public/private split is stratified by label over the whole
test set, like ``make``'s, so the test labels come first: the first pass
writes the training partitions, then gathers the test labels (one byte a
row; a plan that kept them while drawing the training rows' blocks hands
them over without drawing again); the split is then drawn,
and the second pass writes the test partitions, each holdout partition
with its ``part`` column. The fingerprint, recomputed from the files a
column at a time, hashes the training files during the second pass and
the test files after it.

Examples
--------
>>> import tempfile
>>> import casestudies as cs
>>> folder = tempfile.mkdtemp()
>>> params = {"n_customers": 100, "n_days": 7, "n_test_days": 7}
>>> manifest = cs.generate("fraud-v2", seed=1, out=folder, partition_rows=1_000, **params)
>>> manifest["fingerprint"] == cs.make("fraud-v2", seed=1, **params).fingerprint
True
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from casestudies.case._card import CardFacts, data_card
from casestudies.case._case import _split_parts
from casestudies.case._dask import dask_runner
from casestudies.core import (
    FRAMES,
    KNOWN_LABELS,
    BlockPlan,
    BlockPlanner,
    ScenarioData,
    ScenarioSpec,
    fingerprint_dataset,
    partition_bounds,
    track,
    write_partition,
    write_partitions,
)
from casestudies.scoring import BinaryTask, Task, for_spec

if TYPE_CHECKING:
    import pandas as pd

_Calls = list[tuple[Callable[..., object], tuple[object, ...]]]
_BINARY: Task = BinaryTask()  # the task of a plan's rows unless told: a binary target in the test rows

__all__ = ["StreamSettings", "Streamed", "hidden_frame", "stream_blocks", "write_rows"]


@dataclass(frozen=True, slots=True)
class Streamed:
    """What :func:`stream_blocks` wrote: rows and partitions per frame, the fingerprint and the data card."""

    counts: Mapping[str, tuple[int, int]]  # frame -> (rows, partitions)
    has_cost: bool
    fingerprint: str
    data_card: dict[str, object]


@dataclass(frozen=True, slots=True)
class _Piece:
    """Counts returned by one partition's writer."""

    rows: int
    positives: int
    columns: dict[str, str]


def hidden_frame(
    id_column: str,
    ids: np.ndarray,
    labels: np.ndarray,
    part: np.ndarray | None,
    costs: np.ndarray | None,
    truth: pd.DataFrame,
) -> pd.DataFrame:
    """The host's holdout rows: id, label, part (0 public, 1 private; left out until known), cost, ``truth_*``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = hidden_frame("id", np.arange(2), np.array([0, 1]), None, None, pd.DataFrame({"p": [0.1, 0.9]}))
    >>> list(frame.columns)
    ['id', 'label', 'truth_p']
    """
    import pandas as pd

    # Stars and binary labels take a byte; counts (a top-N user's relevant movies) keep their width.
    wide = labels.dtype.kind in "iu" and labels.dtype.itemsize > 1
    columns: dict[str, object] = {id_column: ids, "label": np.asarray(labels, dtype=np.int64 if wide else np.int8)}
    if part is not None:
        columns["part"] = np.asarray(part, dtype=np.int8)
    if costs is not None:
        columns["cost"] = np.asarray(costs, dtype=np.float64)
    for name in truth.columns:
        columns[f"truth_{name}"] = truth[name].to_numpy()
    return pd.DataFrame(columns)


def _task_view(task: Task, plan: BlockPlan, rows: pd.DataFrame, truth: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """The labels of test rows and the learner's view of them, as the task gives them for ``make``'s holdout."""
    data = ScenarioData(train=rows.iloc[:0], test=rows, target=plan.target, id_column=plan.id_column, truth=truth)
    return task.labels(data), task.public_test(data)


def test_labels(plan: BlockPlan, start: int, stop: int, task: Task) -> np.ndarray:
    """The labels of test rows ``start:stop`` (a byte a row when they fit): what the public/private split needs.

    Examples
    --------
    >>> import numpy as np, casestudies as cs
    >>> from casestudies.core import block_planner_of
    >>> planner = block_planner_of(cs.spec("fraud-v2"))
    >>> plan = planner({**cs.spec("fraud-v2").defaults, "n_customers": 60, "n_days": 7}, np.random.default_rng(0))
    >>> from casestudies.scoring import BinaryTask
    >>> test_labels(plan, 0, 50, BinaryTask()).dtype
    dtype('int8')
    """
    known = getattr(plan, KNOWN_LABELS, None)  # a plan may know them from the blocks it drew on the way
    labels = known(start, stop) if callable(known) else None
    if labels is None:
        labels, _ = _task_view(task, plan, *plan.rows("test", start, stop))
    small = labels.size == 0 or (labels.min() >= np.iinfo(np.int8).min and labels.max() <= np.iinfo(np.int8).max)
    return labels.astype(np.int8) if small else labels


def write_rows(
    plan: BlockPlan,
    frame: str,
    index: int,
    start: int,
    stop: int,
    folder: Path,
    part: np.ndarray | None = None,
    task: Task = _BINARY,
) -> _Piece:
    """Write partition ``index`` of ``frame`` (rows ``start:stop``): the learner's rows and, for test, the holdout.

    ``part`` is the test rows' public/private split (0 public, 1 private).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, casestudies as cs
    >>> from casestudies.core import block_planner_of
    >>> planner = block_planner_of(cs.spec("fraud-v2"))
    >>> plan = planner({**cs.spec("fraud-v2").defaults, "n_customers": 60, "n_days": 7}, np.random.default_rng(0))
    >>> write_rows(plan, "test", 0, 0, 50, Path(tempfile.mkdtemp()), np.zeros(50, np.int8)).rows
    50
    """
    rows, truth = plan.rows(frame, start, stop)
    (folder / "learner" / frame).mkdir(parents=True, exist_ok=True)
    columns = {str(name): str(dtype) for name, dtype in rows.dtypes.items()}
    if frame != "test":
        write_partition(rows, folder / "learner" / frame, index)
        return _Piece(len(rows), int(rows[plan.target].to_numpy().sum(dtype=np.int64)), columns)
    (folder / "host" / "holdout").mkdir(parents=True, exist_ok=True)
    labels, public = _task_view(task, plan, rows, truth)
    write_partition(public, folder / "learner" / "test", index)
    costs = None if plan.cost_column is None else rows[plan.cost_column].to_numpy()
    hidden = hidden_frame(plan.id_column, rows[plan.id_column].to_numpy(), labels, part, costs, truth)
    write_partition(hidden, folder / "host" / "holdout", index)
    return _Piece(len(rows), 0, columns)


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """Where and how :func:`stream_blocks` writes."""

    folder: Path
    partition_rows: int
    progress: bool | None
    engine: str
    workers: int | None
    scheduler: str | None


def stream_blocks(
    scenario: ScenarioSpec,
    planner: BlockPlanner,
    params: Mapping[str, object],
    seed: int,
    settings: StreamSettings,
) -> Streamed:
    """Write ``learner/train``, ``learner/test`` and ``host/holdout`` of a case from its block plan.

    Examples
    --------
    See the module docstring.
    """
    task = for_spec(scenario)
    data_seed, holdout_seed, _ = np.random.SeedSequence(seed).spawn(3)  # as make() splits the seed
    plan = planner(params, np.random.default_rng(data_seed))
    folder, learner = settings.folder, settings.folder / "learner"
    bounds = {frame: partition_bounds(plan.n_rows(frame), settings.partition_rows) for frame in FRAMES}
    counts = {frame: (plan.n_rows(frame), len(bounds[frame])) for frame in FRAMES}
    with _engine(settings, plan) as run:
        # First pass: the test labels, for the split, and the training partitions.
        # The training partitions first: a plan that draws a test row's block on the way may keep its label.
        first: _Calls = [
            (write_rows, (plan, "train", index, *rows, folder)) for index, rows in enumerate(bounds["train"])
        ]
        first += [(test_labels, (plan, start, stop, task)) for start, stop in bounds["test"]]
        done = run(first, f"writing {scenario.id}")
        train_pieces = cast("list[_Piece]", done[: len(bounds["train"])])
        labels = np.concatenate(cast("list[np.ndarray]", done[len(bounds["train"]) :]))
        strata = task.strata(labels)  # as make() stratifies the split
        public = _split_parts(strata, scenario.public_fraction, np.random.default_rng(holdout_seed))["public"]
        part = np.where(public, 0, 1).astype(np.int8)
        # Second pass: the test partitions, while the training files are hashed; then the test files.
        second: _Calls = [
            (write_rows, (plan, "test", index, start, stop, folder, part[start:stop], task))
            for index, (start, stop) in enumerate(bounds["test"])
        ]
        tables = _write_tables(plan, learner / "tables", settings.partition_rows)
        counts.update({f"tables/{name}": rows_parts for name, rows_parts in tables.items()})
        test_written = threading.Event()
        with ThreadPoolExecutor(max_workers=1) as background:
            hashing = background.submit(
                fingerprint_dataset,
                learner / "train",
                learner / "test",
                *(learner / "tables" / name for name in tables),
                wait=lambda index: index and test_written.wait(),
            )
            try:
                test_pieces = cast("list[_Piece]", run(second, f"writing {scenario.id}'s test set"))
            finally:
                test_written.set()
            fingerprint = hashing.result()
    pieces = train_pieces + test_pieces
    n_train, n_test = counts["train"][0], counts["test"][0]
    train_positives = sum(piece.positives for piece in train_pieces)
    facts = CardFacts(
        seed=seed,
        params=params,
        target=plan.target,
        id_column=plan.id_column,
        train_rows=n_train,
        test_rows=n_test,
        train_target_mean=train_positives / n_train if n_train else float("nan"),
        columns=pieces[0].columns,
        tables={name: rows for name, (rows, _) in tables.items()},
        fingerprint=fingerprint,
        info=plan.info(n_train, n_test, train_positives),
    )
    return Streamed(counts, plan.cost_column is not None, fingerprint, data_card(scenario, facts))


def _write_tables(plan: BlockPlan, folder: Path, partition_rows: int) -> dict[str, tuple[int, int]]:
    """Write the plan's public side tables (one value per entity: they fit in memory) as the whole path writes them."""
    written = {}
    for name, table in plan.tables().items():
        written[name] = (len(table), len(write_partitions(table, folder / name, partition_rows=partition_rows)))
    return written


@contextlib.contextmanager
def _engine(settings: StreamSettings, plan: BlockPlan) -> Iterator[Callable[[_Calls, str], list[object]]]:
    """Run batches of calls here, with a progress bar, or on one Dask cluster that is sent ``plan`` once."""
    if settings.engine == "dask":
        with dask_runner(workers=settings.workers, scheduler=settings.scheduler) as on_cluster:
            yield lambda calls, label: on_cluster(calls, plan)
        return

    def here(calls: _Calls, label: str) -> list[object]:
        bar = track(calls, label, enabled=settings.progress, unit="partition")
        return [function(*arguments) for function, arguments in bar]

    yield here
