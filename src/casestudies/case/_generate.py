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

What bounds memory: each partition is converted and written before the next,
so writing adds one partition to what generation holds. Generation itself
is ``make``'s: a scenario whose generator draws its randomness over the
whole population at once (``fraud-v1`` draws every customer's payments from
one stream and sorts the log by time) cannot produce its rows block by block
without changing its bytes, so its peak is that of ``make``'s generation.

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
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

import numpy as np

from casestudies.case._case import Case, make
from casestudies.case._dask import check_engine, write_frames_dask
from casestudies.case._host import host_view
from casestudies.core import (
    DEFAULT_PARTITION_ROWS,
    IntRange,
    check,
    track,
    write_partitions,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HOST_DIR", "LEARNER_DIR", "MANIFEST", "generate"]

LEARNER_DIR: Final[str] = "learner"
"""Subfolder of ``out`` with what a learner is handed."""
HOST_DIR: Final[str] = "host"
"""Subfolder of ``out`` with the hidden holdout (labels, parts, costs, truth)."""
MANIFEST: Final[str] = "manifest.json"
_PARTITION_RULE = IntRange(1, None)


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
        As in :func:`casestudies.make`.
    engine : {"local", "dask"}, default="local"
        ``"dask"`` writes each partition as a task on a Dask cluster (the
        optional extra ``casestudies[dask]``); the files and fingerprint are
        the same.
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

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> manifest = cs.generate("fraud-v1", seed=0, out=tempfile.mkdtemp(), partition_rows=1_000,
    ...                        n_customers=100, n_days=7, n_test_days=7)
    >>> test = manifest["frames"]["test"]
    >>> test["partitions"] == -(-test["rows"] // 1_000)  # ceil(rows / partition_rows)
    True
    """
    check(f"generate({scenario_id!r})", "partition_rows", partition_rows, _PARTITION_RULE)
    check_engine(engine, workers=workers, scheduler=scheduler)
    case = make(scenario_id, seed=seed, progress=progress, cache=False, memory_check=memory_check, **params)
    folder = Path(out)
    learner, host = folder / LEARNER_DIR, folder / HOST_DIR
    public = {"train": case.train, "test": case.test, **{f"tables/{k}": v for k, v in case.tables.items()}}
    holdout = _holdout_frame(case)
    frames = {f"{LEARNER_DIR}/{name}": frame for name, frame in public.items()}
    frames[f"{HOST_DIR}/holdout"] = holdout
    if engine == "dask":
        counts = write_frames_dask(
            frames,
            folder,
            partition_rows=partition_rows,
            workers=workers,
            scheduler=None if scheduler is None else str(scheduler),
        )
    else:
        shown = cast("bool | None", progress)  # checked by make above
        counts = {}
        for name, frame in track(list(frames.items()), f"writing {case.id}", enabled=shown, unit="frame"):
            counts[name] = len(write_partitions(frame, folder / name, partition_rows=partition_rows))
    written = {
        name: {"rows": len(frame), "partitions": counts[f"{LEARNER_DIR}/{name}"]} for name, frame in public.items()
    }
    (learner / "prompt.md").write_text(case.prompt, encoding="utf-8")
    (learner / "data_card.json").write_text(json.dumps(case.data_card, indent=2, default=str), encoding="utf-8")
    common = {
        "scenario_id": case.id,
        "seed": case.seed,
        "params": {key: _jsonable(value) for key, value in case.params.items()},
        "fingerprint": case.fingerprint,
        "id_column": case.id_column,
        "partition_rows": partition_rows,
    }
    manifest: dict[str, object] = {
        **common,
        "frames": written,
        "open_with": {
            "pandas": f"pandas.read_parquet('{LEARNER_DIR}/train')",
            "dask": f"dask.dataframe.read_parquet('{LEARNER_DIR}/train')",
        },
        "submit": f"a Parquet file or folder with columns {case.id_column!r} and 'prediction', in test order",
    }
    (learner / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    host_manifest = {
        **common,
        "task": case.spec.task,
        "has_cost": "cost" in holdout.columns,
        "holdout": {"rows": len(holdout), "partitions": counts[f"{HOST_DIR}/holdout"]},
    }
    (host / MANIFEST).write_text(json.dumps(host_manifest, indent=2), encoding="utf-8")
    return manifest


def _jsonable(value: object) -> object:
    return value if isinstance(value, (bool, int, float, str)) or value is None else str(value)


def _holdout_frame(case: Case) -> pd.DataFrame:
    """The hidden side of a case as one frame in test order (ids, labels, part, cost, truth)."""
    import pandas as pd

    from_host = host_view(case)
    holdout = from_host.holdout
    columns: dict[str, object] = {
        from_host.context.submission.id_column: from_host.context.submission.ids,
        "label": np.asarray(holdout.labels),
        "part": np.where(holdout.parts["public"], 0, 1).astype(np.int8),
    }
    if holdout.costs is not None:
        columns["cost"] = holdout.costs
    for name in holdout.truth.columns:
        columns[f"truth_{name}"] = holdout.truth[name].to_numpy()
    return pd.DataFrame(columns)
