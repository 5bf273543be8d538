"""Score a predictions dataset against a holdout stored by :func:`casestudies.generate`, in bounded memory.

:func:`score_dataset` reads the stored holdout and a predictions dataset in
step, a chunk of rows at a time, keeping only what the metrics need (the
positives and, per part, the negatives' scores: 8 bytes a row), and returns
the same scores and intervals as scoring the same values in memory.
:func:`score_dataset_report` gives them as a :class:`~casestudies.Report`
(what ``casestudies score-dataset`` prints). On a terminal a progress bar
counts the rows read, then the bootstrap replicates' step.

Predictions are a Parquet file or a folder of Parquet files read in the
natural order of their names (``part.2`` before ``part.10``, as
``dask.dataframe.to_parquet`` names them; ``part-00002`` as ``generate`` does).

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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

import numpy as np

from casestudies.case._memory import format_size, limit_source, memory_limit
from casestudies.case._read import host_folder
from casestudies.core import (
    Boolean,
    IntRange,
    Optional,
    Progress,
    check,
    describe_value,
    iter_columns,
    size_estimate,
    spec,
)
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Entry, Report
from casestudies.scoring import BINARY_N_BOOT, BinaryAccumulator, describe, metric_arguments

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["in_memory_note", "score_dataset", "score_dataset_report", "scoring_command"]

_PARTS: Final[tuple[str, str]] = ("public", "private")
_SCORE_CHUNK_ROWS: Final[int] = 1_000_000  # rows read at a time when scoring: a few tens of MB
_N_BOOT_RULE: Final = IntRange(2, 100_000)  # binary_scores_with_ci's rule, checked before the rows are read
_PROGRESS_RULE: Final = Optional(Boolean())
_DIGITS: Final = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class _Scored:
    scenario_id: str
    seed: int
    fingerprint: str
    scores: dict[str, dict[str, dict[str, float]]]
    counts: dict[str, int]


def scoring_command(manifest: Mapping[str, object], host: Path) -> str:
    """The command that scores predictions of a case written by ``generate``: streamed when its task allows.

    A binary case is scored against ``host`` a chunk at a time; any other is
    generated again in memory from its id, seed and parameters (only those
    that differ from the defaults are given).

    Examples
    --------
    >>> from pathlib import Path
    >>> scoring_command({"scenario_id": "fraud-v2", "seed": 1, "params": {}}, Path("big/host"))
    'casestudies score-dataset big/host PREDICTIONS'
    >>> manifest = {"scenario_id": "movies-rating-v4", "seed": 1, "params": {"n_users": 500}}
    >>> scoring_command(manifest, Path("big/host"))
    'casestudies score movies-rating-v4 --seed 1 --param n_users=500 PREDICTIONS'
    """
    scenario_id = str(manifest["scenario_id"])
    if spec(scenario_id).task == "binary":
        return f"casestudies score-dataset {host} PREDICTIONS"
    defaults = spec(scenario_id).defaults
    params = cast("Mapping[str, object]", manifest.get("params") or {})
    given = "".join(
        f" --param {name}={str(value).lower() if isinstance(value, bool) else value}"
        for name, value in params.items()
        if defaults.get(name) != value
    )
    return f"casestudies score {scenario_id} --seed {manifest['seed']}{given} PREDICTIONS"


def in_memory_note(manifest: Mapping[str, object]) -> str:
    """What :func:`scoring_command` costs in memory when it generates the case again; empty for a streamed one.

    Examples
    --------
    >>> note = in_memory_note({"scenario_id": "movies-rating-v4", "seed": 1, "params": {}})
    >>> note.startswith("it generates the case again in memory: about ")
    True
    >>> in_memory_note({"scenario_id": "fraud-v2", "seed": 1, "params": {}})
    ''
    """
    scenario = spec(str(manifest["scenario_id"]))
    if scenario.task == "binary":
        return ""
    params = {**scenario.defaults, **cast("Mapping[str, object]", manifest.get("params") or {})}
    needed = size_estimate(scenario, params).bytes
    note = f"it generates the case again in memory: about {format_size(needed)}"
    limit = memory_limit()
    if limit is not None and needed > limit:
        note += f", over the limit of {format_size(limit)} ({limit_source(limit)}): score it where there is that much"
    return note


def score_dataset(
    host: str | Path, predictions: str | Path, *, n_boot: int = BINARY_N_BOOT, progress: bool | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Score a predictions dataset against a holdout stored by :func:`generate`, in bounded memory.

    Parameters
    ----------
    host : str or Path
        The ``host`` folder written by :func:`generate`, or the folder given
        to it as ``out`` (its ``host`` folder is used).
    predictions : str or Path
        A Parquet file or a folder of Parquet files with the id column and
        ``prediction``, one finite score per test row, in test order.
    n_boot : int, default=1000
        Bootstrap replicates per part.
    progress : bool or None, default=None
        Show a progress bar; None: only on a terminal or in a notebook
        (``CASESTUDIES_PROGRESS`` decides otherwise).

    Returns
    -------
    dict
        ``scores[part][metric] == {"estimate", "low", "high"}`` for ``public``,
        ``private`` and ``all``: the values ``make``'s case gives the same
        predictions (same seed, so the same resamples).

    Raises
    ------
    InvalidParameterError
        If ``host`` is not a host folder (a learner's folder holds no labels),
        the scenario is not a binary one, or the predictions are missing, not
        Parquet, or miss a column, rows, ids in test order or finite numbers.

    Examples
    --------
    See the module docstring.
    """
    return _score(host, predictions, n_boot=n_boot, progress=progress).scores


def score_dataset_report(
    host: str | Path,
    predictions: str | Path,
    *,
    n_boot: int = BINARY_N_BOOT,
    progress: bool | None = None,
    name: str | None = None,
) -> Report:
    """:func:`score_dataset` as a :class:`~casestudies.Report`: the scores beside the case and holdout sizes.

    The report has no reference rows (no baselines, expert or oracle: they
    would need the case in memory) and no findings; its text is the table
    ``casestudies score`` prints, and ``to_dict()`` holds every interval.

    Parameters
    ----------
    host, predictions, n_boot, progress
        As in :func:`score_dataset`.
    name : str, optional
        Label of the submission; by default the predictions' file or folder name.

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np, pandas as pd
    >>> import casestudies as cs
    >>> from casestudies.case import score_dataset_report
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.generate("fraud-v1", seed=3, out=out, n_customers=200, n_days=14)
    >>> test = cs.read(out, "test", columns=["transaction_id"])
    >>> test.assign(prediction=0.5).to_parquet(f"{out}/flat.parquet")
    >>> report = score_dataset_report(out, f"{out}/flat.parquet")
    >>> report.holdout["all"] == len(test), report.submission.estimate("roc_auc")
    (True, 0.5)
    """
    scored = _score(host, predictions, n_boot=n_boot, progress=progress)
    scenario = spec(scored.scenario_id)
    entry = Entry(
        name=name or describe(Path(predictions)),
        kind="submission",
        description="predictions read from a Parquet dataset",
        output="predictions",
        fit_seconds=None,
        predict_seconds=None,
        scores=scored.scores,
    )
    return Report(
        scenario_id=scenario.id,
        seed=scored.seed,
        fingerprint=scored.fingerprint,
        task=scenario.task,
        metric=scenario.metric,
        metrics=(scenario.metric, *scenario.secondary_metrics),
        scoring=dict(scenario.scoring),
        holdout=scored.counts,
        submission=entry,
    )


def _score(host: str | Path, predictions: str | Path, *, n_boot: int, progress: bool | None) -> _Scored:
    """Read the holdout and the predictions in step; the scores, the case they belong to and the rows of each part."""
    found = host_folder(host, where="score_dataset()")
    manifest = found.manifest
    scenario_id, seed = str(manifest["scenario_id"]), cast("int", manifest["seed"])
    where = f"score_dataset({scenario_id!r})"
    check(where, "n_boot", n_boot, _N_BOOT_RULE)
    check(where, "progress", progress, _PROGRESS_RULE)
    if manifest.get("task") != "binary":
        message = f"{where}: streamed scoring supports binary scenarios; got task {manifest.get('task')!r}."
        command = scoring_command(manifest, Path(host))
        raise InvalidParameterError(f"{message} Score it in memory ({in_memory_note(manifest)}): {command}")
    id_column = str(manifest["id_column"])
    files = _prediction_files(Path(predictions), id_column, where)
    accumulator = BinaryAccumulator(_PARTS)
    holdout = manifest["holdout"]
    expected = int(holdout["rows"]) if isinstance(holdout, dict) else 0
    hidden_columns = [id_column, "label", "part"] + (["cost"] if manifest.get("has_cost") else [])
    hidden = _rechunk(iter_columns(found.path / "holdout", hidden_columns), _SCORE_CHUNK_ROWS)
    submitted = _rechunk(_prediction_chunks(files, id_column), _SCORE_CHUNK_ROWS)
    seen = 0
    per_part = np.zeros(len(_PARTS), dtype=np.int64)
    with Progress(f"{where}: reading", total=expected, enabled=progress, unit="row") as bar:
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
                bad = int((~np.isfinite(values)).sum())
                message = f"{where}: predictions must be finite; got {bad} NaN or infinite values"
                raise InvalidParameterError(message + " (or blanks). Replace them before scoring.")
            costs = truth["cost"].to_numpy() if "cost" in truth else None
            part = truth["part"].to_numpy()
            accumulator.add(truth["label"].to_numpy(), values, costs, part)
            per_part += np.bincount(part, minlength=len(_PARTS))[: len(_PARTS)]
            seen += len(truth)
            bar.advance(len(truth))
    if next(submitted, None) is not None:
        message = f"{where}: expected {expected:,} predictions, one per test row; got more."
        raise InvalidParameterError(message + " Predict on learner/test only.")
    score_seed = np.random.SeedSequence(seed).spawn(3)[2]  # as make() splits the seed
    arguments = metric_arguments(spec(scenario_id).scoring)
    with Progress(where, total=1, enabled=progress) as bar, bar.step(f"{n_boot:,} bootstrap replicates a part"):
        scores = accumulator.scores(rng=np.random.default_rng(score_seed), n_boot=n_boot, **arguments)
    counts = {name: int(count) for name, count in zip(_PARTS, per_part, strict=True)}
    fingerprint = str(manifest["fingerprint"])
    return _Scored(scenario_id, seed, fingerprint, scores=scores, counts={**counts, "all": seen})


def _natural_key(path: Path) -> list[int | str]:
    """Sort key of a file name with its numbers compared as numbers: ``part.2`` before ``part.10``."""
    return [int(piece) if piece.isdigit() else piece for piece in _DIGITS.split(path.name)]


def _prediction_files(path: Path, id_column: str, where: str) -> list[Path]:
    """The predictions' Parquet files in row order, each checked to hold the id column and numeric predictions."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.exists():
        message = f"{where}: no predictions file or folder at {str(path)!r}."
        raise InvalidParameterError(message + " Check the path; write predictions with DataFrame.to_parquet.")
    files = [path] if path.is_file() else sorted(path.glob("*.parquet"), key=_natural_key)
    if not files:
        message = f"{where}: predictions must be a Parquet file or a folder of .parquet files; {str(path)!r} has none."
        raise InvalidParameterError(message + " Write them with DataFrame.to_parquet.")
    for file in files:
        try:
            schema = pq.read_schema(file)
        except (pa.ArrowException, OSError) as err:
            message = f"{where}: predictions must be Parquet; {file.name} is not a Parquet file ({err})."
            hint = " Write them with DataFrame.to_parquet; a CSV file is scored in memory by case.score."
            raise InvalidParameterError(message + hint) from err
        missing = [name for name in (id_column, "prediction") if name not in schema.names]
        if missing:
            message = f"{where}: predictions need columns {id_column!r} and 'prediction'; {file.name} lacks {missing}."
            raise InvalidParameterError(message + f" Found {describe_value(schema.names)}.")
        kind = schema.field("prediction").type
        if not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
            message = f"{where}: 'prediction' must hold numbers (a score per row); {file.name} stores {kind}."
            raise InvalidParameterError(message + " Convert the column with astype(float) before writing it.")
    return files


def _prediction_chunks(files: list[Path], id_column: str) -> Iterator[object]:
    import pyarrow.parquet as pq

    for file in files:
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
