"""Generate a case to disk as partitioned Parquet: the learner's folder and the host's holdout apart.

:func:`generate` writes what ``make`` returns, in two folders::

    OUT/learner/            what a learner is handed
        train/part-*.parquet    the training log, in row order, partitions of ``partition_rows`` rows
        test/part-*.parquet     the test features (no target)
        tables/NAME/part-*.parquet  public side tables, if the scenario has any
        prompt.md, data_card.json, manifest.json
    OUT/host/               kept by whoever scores (never handed out)
        holdout/part-*.parquet  id, label, part (0 public, 1 private), cost, truth_* columns, in test order
        manifest.json

The manifest holds the fingerprint, which equals ``make(...).fingerprint``
for any partition size (the same rows in the same order), and
:func:`casestudies.core.fingerprint_dataset` recomputes it from the files
one column of one partition at a time.

What bounds memory depends on the scenario:

- a scenario whose generator module declares a block plan (``fraud-v2``,
  drawn a day at a time; ``movies-rating-v4`` and ``movies-topn-v4``, a
  block of users at a time) is generated a partition at a time
  (:mod:`casestudies.case._stream_blocks`): the peak is a few partitions,
  whatever the size of the case, and ``engine="dask"`` generates the
  partitions on the workers;
- any other is generated whole by ``make`` and then written a partition at
  a time: its peak is ``make``'s (``fraud-v1`` draws every customer's
  payments from one stream and sorts the whole log, so it cannot be produced
  block by block without changing its bytes).

Everything is written in a private staging folder inside ``out`` and moved
into place at the end, so an interrupted run leaves no half-written case;
``host/`` is readable by its owner only; an ``out`` that already holds a
case is refused rather than mixed with the new one.

:func:`casestudies.score_dataset` scores a predictions dataset against the
stored holdout.

Examples
--------
>>> import tempfile
>>> import numpy as np, pandas as pd
>>> import casestudies as cs
>>> from casestudies.core import fingerprint_dataset
>>> folder = tempfile.mkdtemp()
>>> manifest = cs.generate("fraud-v1", seed=3, out=folder, partition_rows=5_000, n_customers=200, n_days=14)
>>> manifest["fingerprint"] == cs.make("fraud-v1", seed=3, n_customers=200, n_days=14).fingerprint
True
>>> fingerprint_dataset(f"{folder}/learner/train", f"{folder}/learner/test") == manifest["fingerprint"]
True
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

import numpy as np

from casestudies.case._case import SEED_BITS, Case, make
from casestudies.case._dask import check_engine, write_frames_dask
from casestudies.case._host import host_view
from casestudies.case._stream_blocks import StreamSettings, hidden_frame, stream_blocks
from casestudies.core import (
    DEFAULT_PARTITION_ROWS,
    SEED_LIKE,
    BlockPlanner,
    Boolean,
    IntRange,
    Optional,
    ScenarioSpec,
    block_planner_of,
    check,
    resolve_params,
    spec,
    track,
    write_partitions,
)
from casestudies.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HOST_DIR", "LEARNER_DIR", "MANIFEST", "generate"]

LEARNER_DIR: Final[str] = "learner"
"""Subfolder of ``out`` with what a learner is handed."""
HOST_DIR: Final[str] = "host"
"""Subfolder of ``out`` with the hidden holdout (labels, parts, costs, truth)."""
MANIFEST: Final[str] = "manifest.json"
_PARTITION_RULE = IntRange(1, None)
_STAGING_PREFIX: Final[str] = ".generating-"


def generate(
    scenario_id: str,
    /,
    *,
    seed: int | None = None,
    out: str | Path,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    # Typed object and checked by make, as there: callers forward generator parameters as **dict[str, object].
    progress: object = None,
    memory_check: object = True,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    **params: object,
) -> dict[str, object]:
    """Generate a case and write it as partitioned Parquet, the holdout apart (see the module docstring).

    Parameters
    ----------
    scenario_id : str
        A registered id such as ``"fraud-v1"``.
    seed : int or None, default=None
        As in :func:`casestudies.make`; the seed used is in the manifest.
    out : str or Path
        Folder to write ``learner/`` and ``host/`` into.
    partition_rows : int, default=1_000_000
        Rows per Parquet partition. The bytes do not depend on it.
    progress, memory_check, **params
        As in :func:`casestudies.make` (a scenario generated a partition at a
        time needs no memory check).
    engine : {"local", "dask"}, default="local"
        ``"dask"`` runs each partition as a task on a Dask cluster (the
        optional extra ``casestudies[dask]``): generated and written there for
        a scenario with a block plan, written there otherwise. The files and
        fingerprint are the same.
    workers : int, optional
        With ``engine="dask"``: workers of the local cluster (default 1), or
        partitions kept in flight per worker on a given scheduler.
    scheduler : str, optional
        With ``engine="dask"``: address of a running scheduler
        (``"tcp://host:8786"``) instead of a local cluster; its workers must
        see ``out``.

    Returns
    -------
    dict
        The learner's manifest: scenario id, seed, parameters, fingerprint,
        rows and partitions of each frame, and how to open the folders.

    Raises
    ------
    InvalidParameterError
        If a parameter is invalid (as in :func:`casestudies.make`), or
        ``out`` already holds ``learner/`` or ``host/``.

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> manifest = cs.generate("fraud-v2", seed=0, out=tempfile.mkdtemp(), partition_rows=1_000,
    ...                        n_customers=100, n_days=7, n_test_days=7)
    >>> test = manifest["frames"]["test"]
    >>> test["partitions"] == -(-test["rows"] // 1_000)  # ceil(rows / partition_rows)
    True
    """
    where = f"generate({scenario_id!r})"
    check(where, "partition_rows", partition_rows, _PARTITION_RULE)
    check_engine(engine, workers=workers, scheduler=scheduler)
    scenario = spec(scenario_id)
    planner = block_planner_of(scenario)
    folder = Path(out)
    _check_unused(folder, where)
    folder.mkdir(parents=True, exist_ok=True)
    # Everything is written in a private staging folder and moved into place at the end: an interrupted or failed
    # run leaves no half-written case behind, and the host's holdout is never readable by others.
    stage = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=folder))
    try:
        if planner is None:
            case = make(scenario_id, seed=seed, progress=progress, cache=False, memory_check=memory_check, **params)
            shown = cast("bool | None", progress)  # checked by make
            written = _write_case(
                case, stage, partition_rows, shown, engine=engine, workers=workers, scheduler=scheduler
            )
        else:
            check(where, "seed", seed, SEED_LIKE)
            check(where, "progress", progress, Optional(Boolean()))
            check(where, "memory_check", memory_check, Boolean())  # nothing to check: a partition is held at a time
            resolved = resolve_params(scenario, params, where=where)
            used_seed = secrets.randbits(SEED_BITS) if seed is None else int(seed)
            settings = StreamSettings(stage, partition_rows, cast("bool | None", progress), engine, workers, scheduler)
            written = _write_blocks(scenario, planner, resolved, used_seed, settings)
        manifest = _write_manifests(stage, scenario, written, partition_rows)
        (stage / HOST_DIR).chmod(0o700)
        for name in (LEARNER_DIR, HOST_DIR):
            os.rename(stage / name, folder / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest


def _write_manifests(stage: Path, scenario: ScenarioSpec, written: _Written, partition_rows: int) -> dict[str, object]:
    """The learner's prompt, data card and manifest, and the host's manifest; return the learner's manifest."""
    learner, host = stage / LEARNER_DIR, stage / HOST_DIR
    (learner / "prompt.md").write_text(scenario.prompt, encoding="utf-8")
    (learner / "data_card.json").write_text(json.dumps(written.data_card, indent=2, default=str), encoding="utf-8")
    common = {
        "scenario_id": scenario.id,
        "seed": written.seed,
        "params": {key: _jsonable(value) for key, value in written.params.items()},
        "fingerprint": written.fingerprint,
        "id_column": written.id_column,
        "partition_rows": partition_rows,
    }
    manifest: dict[str, object] = {
        **common,
        "frames": {name: {"rows": rows, "partitions": parts} for name, (rows, parts) in written.frames.items()},
        "open_with": {
            "pandas": f"pandas.read_parquet('{LEARNER_DIR}/train')",
            "dask": f"dask.dataframe.read_parquet('{LEARNER_DIR}/train')",
            "casestudies": f"casestudies.read('{LEARNER_DIR}', 'train')  # engine='dask' for a dask.dataframe",
        },
        "submit": (
            f"a Parquet file or folder with columns {written.id_column!r} and 'prediction', in test order"
            if scenario.task == "binary"
            else f"a CSV or Parquet file of predictions, as `casestudies show {scenario.id}` describes"
        ),
    }
    (learner / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    host_manifest = {
        **common,
        "task": scenario.task,
        "has_cost": written.has_cost,
        "holdout": {"rows": written.holdout[0], "partitions": written.holdout[1]},
    }
    (host / MANIFEST).write_text(json.dumps(host_manifest, indent=2), encoding="utf-8")
    return manifest


@dataclass(frozen=True, slots=True)
class _Written:
    """What was written, for the manifests: frames and holdout as (rows, partitions)."""

    scenario: ScenarioSpec
    seed: int
    params: Mapping[str, object]
    fingerprint: str
    id_column: str
    frames: dict[str, tuple[int, int]]
    holdout: tuple[int, int]
    has_cost: bool
    data_card: dict[str, object]


def _write_blocks(
    scenario: ScenarioSpec,
    planner: BlockPlanner,
    params: Mapping[str, object],
    seed: int,
    settings: StreamSettings,
) -> _Written:
    """Write a case from its block plan, a partition at a time."""
    streamed = stream_blocks(scenario, planner, params, seed, settings)
    return _Written(
        scenario=scenario,
        seed=seed,
        params=params,
        fingerprint=streamed.fingerprint,
        id_column=str(streamed.data_card["id_column"]),
        frames=dict(streamed.counts),  # train, test and any side tables, as the whole path lists them
        holdout=streamed.counts["test"],
        has_cost=streamed.has_cost,
        data_card=streamed.data_card,
    )


def _write_case(
    case: Case,
    folder: Path,
    partition_rows: int,
    progress: bool | None,
    *,
    engine: str,
    workers: int | None,
    scheduler: str | None,
) -> _Written:
    """Write a case ``make`` generated whole: its frames cut into partitions, here or as Dask tasks."""
    public = {"train": case.train, "test": case.test, **{f"tables/{k}": v for k, v in case.tables.items()}}
    holdout = _holdout_frame(case)
    frames = {f"{LEARNER_DIR}/{name}": frame for name, frame in public.items()}
    frames[f"{HOST_DIR}/holdout"] = holdout
    if engine == "dask":
        counts = write_frames_dask(frames, folder, partition_rows=partition_rows, workers=workers, scheduler=scheduler)
    else:
        counts = {}
        for name, frame in track(list(frames.items()), f"writing {case.id}", enabled=progress, unit="frame"):
            counts[name] = len(write_partitions(frame, folder / name, partition_rows=partition_rows))
    return _Written(
        scenario=case.spec,
        seed=case.seed,
        params=case.params,
        fingerprint=case.fingerprint,
        id_column=case.id_column,
        frames={name: (len(frame), counts[f"{LEARNER_DIR}/{name}"]) for name, frame in public.items()},
        holdout=(len(holdout), counts[f"{HOST_DIR}/holdout"]),
        has_cost="cost" in holdout.columns,
        data_card=case.data_card,
    )


def _check_unused(folder: Path, where: str) -> None:
    """Refuse an ``out`` that already holds a case: its partitions would mix with the new ones, its key be lost."""
    taken = [name for name in (LEARNER_DIR, HOST_DIR) if (folder / name).exists()]
    if taken:
        message = (
            f"{where}: out={str(folder)!r} already holds {' and '.join(f'{name}/' for name in taken)} of a generated "
            "case; writing there would mix its partitions with the new ones and replace its hidden holdout. "
            "Choose a new folder, or delete those first."
        )
        raise InvalidParameterError(message)


def _jsonable(value: object) -> object:
    return value if isinstance(value, (bool, int, float, str)) or value is None else str(value)


def _holdout_frame(case: Case) -> pd.DataFrame:
    """The hidden side of a case as one frame in test order (ids, labels, part, cost, truth)."""
    from_host = host_view(case)
    holdout = from_host.holdout
    part = np.where(holdout.parts["public"], 0, 1)
    ids = from_host.context.submission.ids
    return hidden_frame(from_host.context.submission.id_column, ids, holdout.labels, part, holdout.costs, holdout.truth)
