"""Score a predictions dataset against a holdout stored by :func:`casestudies.generate`, in bounded memory.

:func:`score_dataset` reads the stored holdout and a predictions dataset in
step, a chunk of rows at a time, keeping only what the metrics need (the
positives and, per part, the negatives' scores: 8 bytes a row), and returns
the same scores and intervals as scoring the same values in memory.

Examples
--------
>>> import tempfile
>>> import numpy as np, pandas as pd
>>> import casestudies as cs
>>> folder = tempfile.mkdtemp()
>>> manifest = cs.generate("fraud-v1", seed=3, out=folder, partition_rows=5_000, n_customers=200, n_days=14)
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
from typing import TYPE_CHECKING, Final

import numpy as np

from casestudies.case._generate import MANIFEST
from casestudies.core import dataset_files, describe_value, iter_columns, spec
from casestudies.exceptions import InvalidParameterError
from casestudies.scoring import BINARY_N_BOOT, BinaryAccumulator, metric_arguments

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["score_dataset"]

_PARTS: Final[tuple[str, str]] = ("public", "private")
_SCORE_CHUNK_ROWS: Final[int] = 1_000_000  # rows read at a time when scoring: a few tens of MB


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
