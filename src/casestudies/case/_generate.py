"""Generate a case to disk as partitioned Parquet, and score a predictions dataset against it.

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

:func:`score_dataset` reads the stored holdout and a predictions dataset in
step, a chunk of rows at a time, keeping only what the metrics need (the
positives and, per part, the negatives' scores: 8 bytes a row), and returns
the same scores and intervals as scoring the same values in memory.

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
>>> test = pd.read_parquet(f"{folder}/learner/test")
>>> predictions = pd.DataFrame({"transaction_id": test["transaction_id"], "prediction": np.full(len(test), 0.5)})
>>> predictions.to_parquet(f"{folder}/predictions.parquet")
>>> scores = cs.score_dataset(f"{folder}/host", f"{folder}/predictions.parquet")
>>> scores["all"]["roc_auc"]["estimate"]
0.5
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
    dataset_files,
    describe_value,
    iter_columns,
    spec,
    track,
    write_partitions,
)
from casestudies.exceptions import InvalidParameterError
from casestudies.scoring import BINARY_N_BOOT, BinaryAccumulator, metric_arguments

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HOST_DIR", "LEARNER_DIR", "generate", "score_dataset"]

LEARNER_DIR: Final[str] = "learner"
"""Subfolder of ``out`` with what a learner is handed."""
HOST_DIR: Final[str] = "host"
"""Subfolder of ``out`` with the hidden holdout (labels, parts, costs, truth)."""
MANIFEST: Final[str] = "manifest.json"
_PARTS: Final[tuple[str, str]] = ("public", "private")
_SCORE_CHUNK_ROWS: Final[int] = 1_000_000  # rows read at a time when scoring: a few tens of MB
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


def score_dataset(
    host: str | Path, predictions: str | Path, *, n_boot: int = BINARY_N_BOOT
) -> dict[str, dict[str, dict[str, float]]]:
    """Score a predictions dataset against a holdout stored by :func:`generate`, in bounded memory.

    Parameters
    ----------
    host : str or Path
        The ``host`` folder written by :func:`generate`.
    predictions : str or Path
        A Parquet file or a folder of ``part-*.parquet`` files with the id
        column and ``prediction``, one finite score per test row, in test order.
    n_boot : int, default=1000
        Bootstrap replicates per part.

    Returns
    -------
    dict
        ``scores[part][metric] == {"estimate", "low", "high"}`` for ``public``,
        ``private`` and ``all``: the values ``make``'s case gives the same
        predictions (same seed, so the same resamples).

    Raises
    ------
    InvalidParameterError
        If the scenario is not a binary one, or the predictions miss a
        column, rows, ids in test order or finite values.

    Examples
    --------
    See the module docstring.
    """
    folder = Path(host)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    where = f"score_dataset({manifest['scenario_id']!r})"
    if manifest["task"] != "binary":
        message = f"{where}: streamed scoring supports binary scenarios; got task {manifest['task']!r}. Use case.score."
        raise InvalidParameterError(message)
    id_column = str(manifest["id_column"])
    accumulator = BinaryAccumulator(_PARTS)
    expected = int(manifest["holdout"]["rows"])
    hidden_columns = [id_column, "label", "part"] + (["cost"] if manifest.get("has_cost") else [])
    hidden = _rechunk(iter_columns(folder / "holdout", hidden_columns), _SCORE_CHUNK_ROWS)
    submitted = _rechunk(_prediction_chunks(Path(predictions), id_column, where), _SCORE_CHUNK_ROWS)
    seen = 0
    for truth in hidden:
        chunk = next(submitted, None)
        if chunk is None or len(chunk) != len(truth):
            got = seen + (0 if chunk is None else len(chunk))
            message = f"{where}: expected {expected:,} predictions, one per test row; got {got:,} or fewer."
            raise InvalidParameterError(message + " Predict on every row of learner/test, in order.")
        ids, values = chunk[id_column].to_numpy(), chunk["prediction"].to_numpy(dtype=np.float64)
        if not np.array_equal(ids, truth[id_column].to_numpy()):
            first = seen + int(np.argmax(ids != truth[id_column].to_numpy()))
            message = f"{where}: predictions must be in test order; row {first:,} has the wrong {id_column}."
            raise InvalidParameterError(message + " Keep the order of learner/test.")
        if not np.isfinite(values).all():
            message = f"{where}: predictions must be finite; got {int((~np.isfinite(values)).sum())} NaN or infinite"
            raise InvalidParameterError(message + " values. Replace them before scoring.")
        costs = truth["cost"].to_numpy() if "cost" in truth else None
        accumulator.add(truth["label"].to_numpy(), values, costs, truth["part"].to_numpy())
        seen += len(truth)
    if next(submitted, None) is not None:
        message = f"{where}: expected {expected:,} predictions, one per test row; got more."
        raise InvalidParameterError(message + " Predict on learner/test only.")
    score_seed = np.random.SeedSequence(int(manifest["seed"])).spawn(3)[2]  # as make() splits the seed
    arguments = metric_arguments(spec(str(manifest["scenario_id"])).scoring)
    return accumulator.scores(rng=np.random.default_rng(score_seed), n_boot=n_boot, **arguments)


def _prediction_chunks(path: Path, id_column: str, where: str) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    files = [path] if path.is_file() else dataset_files(path)
    if not files:
        message = f"{where}: predictions must be a Parquet file or a folder of part-*.parquet files; got {path}."
        raise InvalidParameterError(message + " Write them with DataFrame.to_parquet.")
    for file in files:
        names = pq.read_schema(file).names
        missing = [name for name in (id_column, "prediction") if name not in names]
        if missing:
            message = f"{where}: predictions need columns {id_column!r} and 'prediction'; {file.name} lacks {missing}."
            raise InvalidParameterError(message + f" Found {describe_value(names)}.")
        yield from pq.ParquetFile(file).iter_batches(columns=[id_column, "prediction"], batch_size=_SCORE_CHUNK_ROWS)


def _rechunk(chunks: Iterator[object], size: int) -> Iterator[pd.DataFrame]:
    """Frames of exactly ``size`` rows (the last one shorter) from frames or record batches of any size."""
    import pandas as pd

    pending: list[pd.DataFrame] = []
    held = 0
    for chunk in chunks:
        frame = chunk if isinstance(chunk, pd.DataFrame) else chunk.to_pandas()  # type: ignore[attr-defined]
        pending.append(frame)
        held += len(frame)
        while held >= size:
            whole = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0].reset_index(drop=True)
            yield whole.iloc[:size]
            rest = whole.iloc[size:]
            pending, held = [rest], len(rest)
    if held:
        yield pd.concat(pending, ignore_index=True)
