"""Open a case written by :func:`casestudies.generate` as a pandas or Dask frame, the hidden holdout kept apart.

:func:`read` takes the folder ``generate`` wrote (``OUT``), its ``learner``
folder (what a learner is handed, wherever it was copied) or its ``host``
folder, and a frame name: ``"train"``, ``"test"``, ``"tables/NAME"`` for a
scenario's side tables, or ``"holdout"``. The manifest each folder holds says
which it is, so a folder that was renamed or moved still opens.

The holdout (labels, public/private part, costs, truth) opens only when both
are explicit: ``frame="holdout"`` *and* the host folder itself. Reading the
training data from a host folder, or the holdout from ``OUT`` or a learner
folder, is refused with the way to do it on purpose: a learner's code that
is pointed at the wrong folder learns nothing it should not, and an
interviewer who wants the labels says so twice.

``engine="pandas"`` loads the frame into memory (pass ``columns=`` to load
less); ``engine="dask"`` returns a lazy ``dask.dataframe`` with one Dask
partition per Parquet partition, nothing read until computed. Dask is the
optional extra ``casestudies[dask]``.

With pandas, ``read`` first estimates the frame's size in memory from the
Parquet metadata alone (rows from the footers, bytes a row from the
selected columns' types) and refuses, before reading a row, above the limit
``make`` uses: a quarter of the available memory, or
``CASESTUDIES_MEMORY_LIMIT``. The message gives the estimate, the limit and
the ways on: ``engine="dask"``, ``columns=[...]``, or
``memory_check=False`` (``CASESTUDIES_MEMORY_CHECK=0``) to load it anyway.

Examples
--------
>>> import tempfile
>>> import casestudies as cs
>>> folder = tempfile.mkdtemp()
>>> _ = cs.generate("fraud-v1", seed=3, out=folder, partition_rows=1_000, n_customers=100, n_days=14)
>>> train = cs.read(folder, "train")
>>> len(train) == len(cs.make("fraud-v1", seed=3, n_customers=100, n_days=14).train)
True
>>> cs.read(f"{folder}/learner", "test", columns=["transaction_id", "amount"]).columns.tolist()
['transaction_id', 'amount']
>>> sorted(cs.read(f"{folder}/host", "holdout").columns)[:3]
['cost', 'label', 'part']
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from casestudies.case._generate import HOST_DIR, LEARNER_DIR, MANIFEST
from casestudies.case._read_size import check_read_memory
from casestudies.core import AnyString, Boolean, Choice, as_written, check, dataset_files, describe_value, did_you_mean
from casestudies.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = ["HOLDOUT_FRAME", "READ_ENGINES", "CaseFolder", "case_folder", "host_folder", "read"]

READ_ENGINES: Final[tuple[str, ...]] = ("pandas", "dask")
"""What :func:`read` returns: a pandas DataFrame in memory, or a lazy ``dask.dataframe``."""
HOLDOUT_FRAME: Final[str] = "holdout"
"""The one frame of a host folder: the hidden holdout."""
_SHOWN_ENTRIES: Final[int] = 8  # entries of a folder quoted in a message


@dataclass(frozen=True, slots=True)
class CaseFolder:
    """A folder written by :func:`casestudies.generate`: which side it is, its manifest and its frames.

    Attributes
    ----------
    path : Path
        The learner or the host folder.
    kind : {"learner", "host"}
        ``"learner"``: train, test, side tables, prompt and data card;
        ``"host"``: the hidden holdout.
    manifest : dict
        Its ``manifest.json``.
    given : Path
        The folder the caller named (``OUT`` or ``path`` itself).

    Examples
    --------
    >>> import tempfile
    >>> import casestudies as cs
    >>> from casestudies.case import case_folder
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.generate("fraud-v1", seed=0, out=out, n_customers=100, n_days=7, n_test_days=7)
    >>> found = case_folder(out, where="read()")
    >>> found.kind, found.frames
    ('learner', ('train', 'test'))
    """

    path: Path
    kind: Literal["learner", "host"]
    manifest: dict[str, object]
    given: Path

    @property
    def frames(self) -> tuple[str, ...]:
        """The frames this folder holds, as :func:`read` names them."""
        if self.kind == "host":
            return (HOLDOUT_FRAME,)
        frames = self.manifest.get("frames")
        return tuple(str(name) for name in frames) if isinstance(frames, dict) else ()


def case_folder(folder: str | Path, *, where: str) -> CaseFolder:
    """The generated folder at ``folder`` (``OUT`` resolves to ``OUT/learner``), checked by its manifest.

    Raises
    ------
    InvalidParameterError
        If ``folder`` does not exist or holds no manifest of :func:`casestudies.generate`
        (in it or in its ``learner`` subfolder).

    Examples
    --------
    See :class:`CaseFolder`.
    """
    given = Path(folder)
    if not given.is_dir():
        there = "a file" if given.exists() else "nothing"
        message = (
            f"{where}: expected the folder written by casestudies.generate (or its learner or host folder); "
            f"found {there} at {str(given)!r}. Check the path, or write one with casestudies.generate(ID, out=...)."
        )
        raise InvalidParameterError(message)
    for path in (given, given / LEARNER_DIR):
        manifest = _manifest(path)
        if manifest is not None:
            kind: Literal["learner", "host"] = "host" if HOLDOUT_FRAME in manifest else "learner"
            return CaseFolder(path=path, kind=kind, manifest=manifest, given=given)
    entries = sorted(entry.name for entry in given.iterdir())
    shown = ", ".join(entries[:_SHOWN_ENTRIES]) + (", ..." if len(entries) > _SHOWN_ENTRIES else "")
    message = (
        f"{where}: {str(given)!r} is not a case written by casestudies.generate: expected {MANIFEST} in it or "
        f"in {LEARNER_DIR}/; it holds {shown or 'nothing'}. Point at the folder given as out=, or at its "
        f"{LEARNER_DIR}/ or {HOST_DIR}/ folder."
    )
    raise InvalidParameterError(message)


def host_folder(folder: str | Path, *, where: str) -> CaseFolder:
    """The host folder at ``folder``, or ``folder/host`` when ``folder`` is the ``OUT`` that ``generate`` wrote.

    Raises
    ------
    InvalidParameterError
        If ``folder`` is not a generated case, or is a learner's folder (which holds no holdout).

    Examples
    --------
    >>> import tempfile
    >>> import casestudies as cs
    >>> from casestudies.case import host_folder
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.generate("fraud-v1", seed=0, out=out, n_customers=100, n_days=7, n_test_days=7)
    >>> host_folder(out, where="score_dataset()").path.name
    'host'
    """
    given = Path(folder)
    beside = given / HOST_DIR
    found = case_folder(beside if _manifest(beside) is not None else given, where=where)
    if found.kind != "host":
        message = (
            f"{where}: expected the host folder written by casestudies.generate (the hidden holdout); "
            f"{str(given)!r} is a learner's folder (frames {', '.join(found.frames)}), which holds no labels. "
            f"Pass the {HOST_DIR}/ folder written beside it, or the folder given to generate as out=."
        )
        raise InvalidParameterError(message)
    return found


@overload
def read(
    folder: str | Path,
    frame: str = "train",
    *,
    engine: Literal["pandas"] = "pandas",
    columns: Sequence[str] | None = None,
    memory_check: bool = True,
) -> pd.DataFrame: ...


@overload
def read(
    folder: str | Path,
    frame: str = "train",
    *,
    engine: Literal["dask"],
    columns: Sequence[str] | None = None,
    memory_check: bool = True,
) -> dd.DataFrame: ...


def read(
    folder: str | Path,
    frame: str = "train",
    *,
    engine: str = "pandas",
    columns: Sequence[str] | None = None,
    memory_check: bool = True,
) -> pd.DataFrame | dd.DataFrame:
    """Open a frame of a case written by :func:`casestudies.generate` (see the module docstring).

    Parameters
    ----------
    folder : str or Path
        The folder given to ``generate`` as ``out``, its ``learner`` folder
        (wherever it was copied), or, for the holdout only, its ``host`` folder.
    frame : str, default="train"
        ``"train"``, ``"test"``, ``"tables/NAME"`` (a scenario's side tables,
        listed in the manifest's ``frames``), or ``"holdout"`` with the host folder.
    engine : {"pandas", "dask"}, default="pandas"
        ``"pandas"`` reads the frame into memory; ``"dask"`` returns a lazy
        ``dask.dataframe`` with one partition per Parquet partition
        (``pip install "casestudies[dask]"``).
    columns : sequence of str, optional
        Read only these columns, in this order.
    memory_check : bool, default=True
        With ``engine="pandas"``, estimate the frame's size in memory from
        the Parquet metadata first and refuse, before reading a row, above
        the limit :func:`casestudies.make` uses (a quarter of the available
        memory, or ``CASESTUDIES_MEMORY_LIMIT``). ``False`` (or
        ``CASESTUDIES_MEMORY_CHECK=0``) loads it anyway. Dask reads nothing
        up front and is never refused.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The frame's rows in their order, with the dtypes ``make`` gives them.

    Raises
    ------
    InvalidParameterError
        If ``folder`` is not a generated case, ``frame`` is not one of its
        frames (the message lists them), the holdout is asked of a folder
        other than the host one (or the host folder for another frame), a
        column is unknown, Dask is asked for but not installed, or, with
        pandas, the frame would need more memory than the limit (the message
        gives the estimate and the ways on: ``engine="dask"``, ``columns=``,
        ``memory_check=False``).

    Examples
    --------
    >>> import tempfile
    >>> import casestudies as cs
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.generate("fraud-v1", seed=0, out=out, n_customers=100, n_days=7, n_test_days=7)
    >>> cs.read(out, "test").shape[0] == cs.read(f"{out}/host", "holdout").shape[0]
    True
    >>> cs.read(out, "holdout")
    Traceback (most recent call last):
    ...
    casestudies.exceptions.InvalidParameterError: read('holdout'): the holdout opens from the host folder ...
    """
    where = f"read({frame!r})"
    check(where, "frame", frame, AnyString())
    check(where, "engine", engine, Choice(READ_ENGINES))
    check(where, "memory_check", memory_check, Boolean())
    if columns is not None and (isinstance(columns, str) or not all(isinstance(name, str) for name in columns)):
        message = f"{where}: columns must be a list of column names; got {describe_value(columns)}."
        raise InvalidParameterError(message + " Pass columns=['a', 'b'], or None for all of them.")
    found = case_folder(folder, where=where)
    path = _frame_path(found, frame, where)
    files = dataset_files(path)
    if not files:
        message = (
            f"{where}: the manifest of {str(found.path)!r} lists {frame!r}, but {str(path)!r} holds no "
            "part-*.parquet file: the folder was moved or copied in part. Copy the whole folder, or generate again."
        )
        raise InvalidParameterError(message)
    chosen = None if columns is None else list(columns)
    if chosen is not None:
        _check_columns(chosen, files[0], where)
    if engine == "dask":
        return _dask_dataframe(where).read_parquet(str(path), columns=chosen)  # type: ignore[no-any-return]
    some = "" if chosen is None else f", columns={chosen!r}"
    dask_call = f"casestudies.read({str(folder)!r}, {frame!r}, engine='dask'{some})"
    check_read_memory(files, chosen, where=where, dask_call=dask_call, enforce=memory_check)
    import pyarrow.parquet as pq

    return as_written(pq.read_table(path, columns=chosen))  # datetime units as written (Parquet has no seconds)


def _manifest(folder: Path) -> dict[str, object] | None:
    """The manifest ``generate`` wrote in ``folder`` (one with a fingerprint), or None."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return manifest if isinstance(manifest, dict) and "fingerprint" in manifest else None


def _frame_path(found: CaseFolder, frame: str, where: str) -> Path:
    """The dataset folder of ``frame``, after refusing the holdout from anything but the host folder."""
    if found.kind == "host":
        if frame != HOLDOUT_FRAME:
            message = (
                f"{where}: {str(found.given)!r} is the host folder: it holds only the hidden holdout (labels and "
                f"truth). A learner's frames are in the {LEARNER_DIR}/ folder written beside it, e.g. "
                f"read({str(found.path.parent / LEARNER_DIR)!r}, {frame!r}); to read the holdout on purpose, "
                f"pass frame={HOLDOUT_FRAME!r}."
            )
            raise InvalidParameterError(message)
        return found.path / HOLDOUT_FRAME
    if frame == HOLDOUT_FRAME:
        host = found.path.parent / HOST_DIR
        way = (
            f"read({str(host)!r}, {HOLDOUT_FRAME!r})"
            if _manifest(host) is not None
            else f"read(HOST, {HOLDOUT_FRAME!r}) with the {HOST_DIR}/ folder generate wrote beside this one"
        )
        message = (
            f"{where}: the holdout opens from the host folder itself, never from {str(found.given)!r} "
            f"(which holds {', '.join(found.frames)}), so it is never read by accident from what a learner is "
            f"handed. Pass the host folder: {way}."
        )
        raise InvalidParameterError(message)
    if frame not in found.frames:
        message = (
            f"{where}: {str(found.path)!r} has no frame {frame!r}; it has {', '.join(map(repr, found.frames))}."
            f"{did_you_mean(frame, found.frames)}"
        )
        raise InvalidParameterError(message)
    return found.path / frame


def _check_columns(columns: list[str], first: Path, where: str) -> None:
    import pyarrow.parquet as pq

    names = [name for name in pq.read_schema(first).names if not name.startswith("__index_level_")]
    unknown = [name for name in columns if name not in names]
    if unknown:
        hint = did_you_mean(unknown[0], names)
        message = f"{where}: no column {unknown[0]!r} in this frame; it has {', '.join(names)}.{hint}"
        raise InvalidParameterError(message)


def _dask_dataframe(where: str) -> Any:
    """``dask.dataframe``, or an error that says how to install it (Dask is an optional extra)."""
    try:
        return importlib.import_module("dask.dataframe")  # the module: Dask's names are reached through it
    except ImportError as err:
        message = (
            f"{where}: engine='dask' needs dask.dataframe, which is not installed. "
            "Install it with: pip install \"casestudies[dask]\", or pass engine='pandas' (with columns= to read less)."
        )
        raise InvalidParameterError(message) from err
