"""Write a scenario that declares a block plan partition by partition, holding one partition at a time.

:func:`casestudies.generate` comes here for a scenario whose generator
module defines ``plan_blocks`` (see :mod:`casestudies.core._blocks`), such as
``fraud-v2``. Every partition is one call of :func:`write_rows`: it asks the
plan for its rows (only the days they fall on are drawn), writes the
learner's partition and, for ``test``, the host's holdout partition, and
returns counts. The calls run here or as Dask tasks; either way the files
are the same, and their fingerprint is ``make``'s.

Two things need the whole test set and are done after it is written: the
public/private split, stratified by label like ``make``'s (the labels are
gathered, one byte a row, and each holdout partition gets its ``part``
column), and the fingerprint, recomputed from the files a column at a time.

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

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from casestudies.case._card import CardFacts, data_card
from casestudies.case._case import _split_parts
from casestudies.case._dask import run_calls
from casestudies.core import (
    BlockPlan,
    BlockPlanner,
    ScenarioSpec,
    fingerprint_dataset,
    partition_bounds,
    track,
    write_partition,
)
from casestudies.exceptions import RegistrationError
from casestudies.scoring import for_spec

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["StreamSettings", "Streamed", "hidden_frame", "stream_blocks", "write_rows"]

_PART_FILE: Final[str] = "part-{:05d}.parquet"
_STAGING: Final[str] = ".staging"  # holdout partitions being rewritten, swapped in whole


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
    labels: np.ndarray | None  # the test partition's labels, for the public/private split


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

    columns: dict[str, object] = {id_column: ids, "label": np.asarray(labels, dtype=np.int8)}
    if part is not None:
        columns["part"] = np.asarray(part, dtype=np.int8)
    if costs is not None:
        columns["cost"] = np.asarray(costs, dtype=np.float64)
    for name in truth.columns:
        columns[f"truth_{name}"] = truth[name].to_numpy()
    return pd.DataFrame(columns)


def write_rows(plan: BlockPlan, frame: str, index: int, start: int, stop: int, folder: Path) -> _Piece:
    """Write partition ``index`` of ``frame`` (rows ``start:stop``): the learner's rows and the host's holdout.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, casestudies as cs
    >>> from casestudies.core import block_planner_of
    >>> planner = block_planner_of(cs.spec("fraud-v2"))
    >>> plan = planner({**cs.spec("fraud-v2").defaults, "n_customers": 60, "n_days": 7}, np.random.default_rng(0))
    >>> write_rows(plan, "test", 0, 0, 50, Path(tempfile.mkdtemp())).rows
    50
    """
    rows, truth = plan.rows(frame, start, stop)
    for name in (f"learner/{frame}", "host/holdout"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    labels = rows[plan.target].to_numpy()
    columns = {str(name): str(dtype) for name, dtype in rows.dtypes.items()}
    if frame != "test":
        write_partition(rows, folder / "learner" / frame, index)
        return _Piece(len(rows), int(labels.sum()), columns, None)
    write_partition(rows.drop(columns=[plan.target]), folder / "learner" / "test", index)
    costs = None if plan.cost_column is None else rows[plan.cost_column].to_numpy()
    hidden = hidden_frame(plan.id_column, rows[plan.id_column].to_numpy(), labels, None, costs, truth)
    write_partition(hidden, folder / "host" / "holdout", index)
    return _Piece(len(rows), int(labels.sum()), columns, labels.astype(np.int8))


def add_part(folder: Path, index: int, part: np.ndarray) -> None:
    """Give holdout partition ``index`` its ``part`` column after ``label``: written aside, then swapped in."""
    import pandas as pd

    holdout = folder / "host" / "holdout"
    hidden = pd.read_parquet(holdout / _PART_FILE.format(index))
    hidden.insert(list(hidden.columns).index("label") + 1, "part", np.asarray(part, dtype=np.int8))
    staging = folder / "host" / _STAGING
    staging.mkdir(exist_ok=True)
    written = write_partition(hidden, staging, index)  # the writer of a holdout written whole: the same bytes
    os.replace(written, holdout / written.name)


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
    if scenario.task != "binary":
        message = (
            f"generate({scenario.id!r}): block plans are written for binary scenarios; got task {scenario.task!r}."
        )
        raise RegistrationError(message + " Drop plan_blocks from its generator module, or make the task binary.")
    data_seed, holdout_seed, _ = np.random.SeedSequence(seed).spawn(3)  # as make() splits the seed
    plan = planner(params, np.random.default_rng(data_seed))
    folder = settings.folder
    jobs: list[tuple[str, int, int, int]] = []
    counts: dict[str, tuple[int, int]] = {}
    for frame in ("train", "test"):
        bounds = partition_bounds(plan.n_rows(frame), settings.partition_rows)
        counts[frame] = (plan.n_rows(frame), len(bounds))
        jobs += [(frame, index, start, stop) for index, (start, stop) in enumerate(bounds)]
    calls = [(write_rows, (plan, *job, folder)) for job in jobs]
    pieces = _run(calls, settings, f"writing {scenario.id}", "partition", shared=plan)
    test_pieces = [piece for (frame, *_), piece in zip(jobs, pieces, strict=True) if frame == "test"]
    labels = np.concatenate([piece.labels for piece in test_pieces if piece.labels is not None])
    strata = for_spec(scenario).strata(labels)  # as make() stratifies the split
    public = _split_parts(strata, scenario.public_fraction, np.random.default_rng(holdout_seed))["public"]
    part = np.where(public, 0, 1).astype(np.int8)
    test_bounds = partition_bounds(len(labels), settings.partition_rows)
    # The fingerprint reads the learner's files while the holdout's are given their parts: neither waits.
    with ThreadPoolExecutor(max_workers=1) as background:
        hashing = background.submit(fingerprint_dataset, folder / "learner" / "train", folder / "learner" / "test")
        _run(
            [(add_part, (folder, index, part[start:stop])) for index, (start, stop) in enumerate(test_bounds)],
            settings,
            f"splitting {scenario.id}'s holdout",
            "partition",
        )
        fingerprint = hashing.result()
    (folder / "host" / _STAGING).rmdir()
    n_train, n_test = counts["train"][0], counts["test"][0]
    train_positives = sum(piece.positives for (frame, *_), piece in zip(jobs, pieces, strict=True) if frame == "train")
    facts = CardFacts(
        seed=seed,
        params=params,
        target=plan.target,
        id_column=plan.id_column,
        train_rows=n_train,
        test_rows=n_test,
        train_target_mean=train_positives / n_train if n_train else float("nan"),
        columns=pieces[0].columns,
        tables={},
        fingerprint=fingerprint,
        info=plan.info(n_train, n_test, train_positives),
    )
    return Streamed(counts, plan.cost_column is not None, fingerprint, data_card(scenario, facts))


def _run(
    calls: Sequence[tuple[Callable[..., object], tuple[object, ...]]],
    settings: StreamSettings,
    label: str,
    unit: str,
    *,
    shared: object = None,
) -> list[_Piece]:
    if settings.engine == "dask":
        pieces = run_calls(calls, workers=settings.workers, scheduler=settings.scheduler, shared=shared)
        return pieces  # type: ignore[return-value]
    bar = track(calls, label, enabled=settings.progress, unit=unit)
    return [function(*arguments) for function, arguments in bar]  # type: ignore[misc]
