"""Reading a predictions file within bounds on what it holds, not what it weighs.

The upload limit of a server counts compressed bytes; a ``.csv.gz`` of one
repeated line, or a zstd Parquet file of constant row groups, inflates a
thousandfold and more. :func:`read_prediction_file` counts before it
materialises: a gzip stream is decompressed and counted in chunks (constant
memory), a Parquet file's footer and metadata are checked before any page is
decompressed. The validators of every task read files through it.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import Final

import pandas as pd

from casestudies.exceptions import Problem, ProblemCode, SubmissionError

DEFAULT_MAX_FILE_ROWS: Final[int] = 20_000_000
"""Rows a predictions file may hold by default: twice the largest test set of the catalog (10 M ratings)."""

DEFAULT_MAX_FILE_BYTES: Final[int] = 1024**3
"""Bytes a predictions file may hold once decompressed, by default: 1 GiB, about 100 bytes a row of that test set."""

DEFAULT_MAX_FILE_COLUMNS: Final[int] = 1_000
"""Columns a predictions file may hold by default: a whole test frame with its predictions fits many times over."""

MAX_PARQUET_FOOTER_BYTES: Final[int] = 1024**2
"""A Parquet footer (the file's metadata) larger than 1 MiB is refused before it is parsed; a real one is a few KB."""

MAX_SHOWN_CHARS: Final[int] = 80
"""Characters of a file's reader error quoted in a message; longer text is cut with an ellipsis."""

_CHUNK_BYTES: Final[int] = 1024**2
"""Decompressed bytes counted at a time: memory stays flat whatever the file inflates to."""

_PARQUET_TAIL_BYTES: Final[int] = 8
"""A Parquet file ends with its footer's length (4 bytes, little-endian) and the magic ``PAR1``."""


def read_prediction_file(
    path: str | os.PathLike[str],
    *,
    scenario_id: str,
    max_rows: int = DEFAULT_MAX_FILE_ROWS,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_columns: int = DEFAULT_MAX_FILE_COLUMNS,
    shown_as: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet file of predictions into a DataFrame, within size bounds.

    The bounds hold for what the file *holds*, not what it weighs: a
    ``.csv.gz`` is decompressed as a stream and counted (bytes, lines, the
    header's columns) before pandas reads it; a Parquet file's footer size and
    metadata (rows, columns, uncompressed sizes of its row groups) are checked
    before any data page is decompressed. A small compressed file that
    inflates to gigabytes is refused at the cost of reading up to the bound,
    in constant memory.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.csv.gz``, ``.txt``, ``.parquet`` or ``.pq`` file.
    scenario_id : str
        For the error message.
    max_rows, max_bytes, max_columns : int
        Most rows, decompressed bytes and columns accepted (defaults: room for
        the largest test set of the catalog).
    shown_as : str, optional
        The name to show in messages instead of ``path`` (a server shows the
        upload's name, not its temporary file); cut to 80 characters.

    Raises
    ------
    SubmissionError
        With an ``UNREADABLE_FILE`` problem if the file is missing or cannot
        be parsed, or a ``TOO_LARGE`` one if it holds more than the bounds.

    Examples
    --------
    >>> import gzip, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "bomb.csv.gz")
    >>> with gzip.open(path, "wb") as out:
    ...     _ = out.write(b"id,prediction\\n" + b"1,0.5\\n" * 10_000)
    >>> try:
    ...     read_prediction_file(path, scenario_id="demo-v1", max_rows=1_000, shown_as="bomb.csv.gz")
    ... except SubmissionError as err:
    ...     print(err.problems[0].received)
    'bomb.csv.gz', which holds more than 1,000 rows
    """
    path = Path(path)
    shown = str(path) if shown_as is None else _cut(shown_as)
    suffixes = "".join(path.suffixes[-2:]).lower()
    expected = "a readable .csv or .parquet file with columns id,prediction"
    try:
        found = None
        if suffixes.endswith((".parquet", ".pq")):
            found = _parquet_excess(path, max_rows=max_rows, max_bytes=max_bytes, max_columns=max_columns)
            if found is None:
                return pd.read_parquet(path)
        elif suffixes.endswith((".csv", ".csv.gz", ".txt")):
            found = _csv_excess(path, max_rows=max_rows, max_bytes=max_bytes, max_columns=max_columns)
            if found is None:
                return pd.read_csv(path)
    except FileNotFoundError:
        problem = Problem(ProblemCode.UNREADABLE_FILE, expected, f"no file at {shown!r}", "Check the path.")
        raise SubmissionError(scenario_id, (problem,)) from None
    except Exception as err:
        received = f"{shown!r}, which could not be parsed ({type(err).__name__}: {_cut(str(err))})"
        problem = Problem(
            ProblemCode.UNREADABLE_FILE,
            expected,
            received,
            "Write the file with DataFrame.to_csv(index=False) or to_parquet().",
        )
        raise SubmissionError(scenario_id, (problem,)) from None
    if found is not None:
        problem = Problem(
            ProblemCode.TOO_LARGE,
            f"a file of at most {max_rows:,} rows, {max_columns:,} columns and {max_bytes:,} bytes once decompressed",
            f"{shown!r}, which holds {found}",
            "Submit one row per test id with only the id and prediction columns.",
        )
        raise SubmissionError(scenario_id, (problem,))
    received = f"{shown!r} with suffix {_cut(path.suffix)!r}"
    problem = Problem(ProblemCode.UNREADABLE_FILE, expected, received, "Save predictions as .csv or .parquet.")
    raise SubmissionError(scenario_id, (problem,))


def _cut(text: str) -> str:
    """``text``, cut to :data:`MAX_SHOWN_CHARS` with an ellipsis."""
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def _csv_excess(path: Path, *, max_rows: int, max_bytes: int, max_columns: int) -> str | None:
    """What a CSV (plain or gzip) holds beyond the bounds, counted as a stream; None within them."""
    if not path.name.lower().endswith(".gz") and path.stat().st_size > max_bytes:
        return f"{path.stat().st_size:,} bytes"
    stream: io.BufferedIOBase
    with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb") as stream:
        size = lines = 0
        columns = 1
        while chunk := stream.read(_CHUNK_BYTES):
            if lines == 0:  # still in the header: its commas are the columns
                columns += chunk.split(b"\n", 1)[0].count(b",")
                if columns > max_columns:
                    return f"more than {max_columns:,} columns"
            size += len(chunk)
            lines += chunk.count(b"\n")
            if size > max_bytes:
                return f"more than {max_bytes:,} bytes once decompressed"
            if lines > max_rows + 1:  # the header's line, then one per row
                return f"more than {max_rows:,} rows"
    return None


def _parquet_excess(path: Path, *, max_rows: int, max_bytes: int, max_columns: int) -> str | None:
    """What a Parquet file's metadata says it holds beyond the bounds; None within them.

    Only the footer is read (after checking its length): the rows and
    uncompressed sizes of every row group and column chunk, before any page
    is decompressed.
    """
    import pyarrow.parquet as pq  # pandas' own Parquet engine; loaded when a Parquet file is read, as pandas does

    size = path.stat().st_size
    if size >= 2 * _PARQUET_TAIL_BYTES:
        with path.open("rb") as stream:
            stream.seek(size - _PARQUET_TAIL_BYTES)
            tail = stream.read(_PARQUET_TAIL_BYTES)
        footer = int.from_bytes(tail[:4], "little")
        if tail[4:] == b"PAR1" and footer > MAX_PARQUET_FOOTER_BYTES:
            return f"a footer of {footer:,} bytes (at most {MAX_PARQUET_FOOTER_BYTES:,})"
    metadata = pq.ParquetFile(path).metadata
    if metadata.num_columns > max_columns:
        return f"{metadata.num_columns:,} columns"
    groups = [metadata.row_group(index) for index in range(metadata.num_row_groups)]
    rows = max(metadata.num_rows, sum(group.num_rows for group in groups))
    if rows > max_rows:
        return f"{rows:,} rows"
    inflated = sum(
        max(group.total_byte_size, sum(group.column(j).total_uncompressed_size for j in range(group.num_columns)))
        for group in groups
    )
    if inflated > max_bytes:
        return f"{inflated:,} bytes once decompressed"
    return None
