"""The memory guard of :func:`casestudies.read`: how big a frame would be in pandas, from the Parquet metadata alone.

``read(engine="pandas")`` asks :func:`frame_size` before loading anything:
the rows (from each partition's footer) times the bytes each selected column
takes in pandas. The pandas dtypes are those the read gives (an empty table
with the files' schema, converted as :func:`read` converts): fixed-width
columns (numbers, dates, flags) cost their item size a row, exactly;
categorical ones their codes a row plus their categories; text columns a
pointer or an offset a row plus the text, whose length the metadata tells
only roughly (the plain-encoded size, or the length of the smallest and the
largest value of a dictionary-encoded column). No row is read.

The limit, its environment variables and the override are ``make``'s (see
:mod:`casestudies.case._memory`): a quarter of the memory available, or
``CASESTUDIES_MEMORY_LIMIT``; ``read(..., memory_check=False)`` or
``CASESTUDIES_MEMORY_CHECK=0`` go past it. Reading holds the Arrow table and
the frame at once for a moment, so the quarter still leaves room.

Examples
--------
>>> import tempfile
>>> import casestudies as cs
>>> from casestudies.core import dataset_files
>>> out = tempfile.mkdtemp()
>>> _ = cs.generate("fraud-v2", seed=0, out=out, n_customers=100, n_days=7, n_test_days=7)
>>> size = frame_size(dataset_files(f"{out}/learner/train"), ["transaction_id", "amount", "is_fraud"])
>>> size.bytes == size.rows * (8 + 8 + 1)  # int64, float64 and int8: their item sizes, exactly
True
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from casestudies.case._memory import MEMORY_CHECK_ENV, format_size, limit_source, memory_guard_on, memory_limit
from casestudies.core import as_written
from casestudies.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["FrameSize", "check_read_memory", "frame_size"]

_POINTER: Final[int] = np.dtype(object).itemsize
"""An object column holds a pointer a row, as an Arrow-backed text column holds an offset."""
_STR_OBJECT: Final[int] = sys.getsizeof("")
"""A Python ``str`` before its characters (what ``memory_usage(deep=True)`` counts for object text)."""
_PLAIN_LENGTH: Final[int] = 4
"""Parquet's plain encoding writes each text value after its length in 4 bytes."""
_SHOWN_COLUMNS: Final[int] = 3  # the widest columns named in a refusal


@dataclass(frozen=True, slots=True)
class FrameSize:
    """The estimated size of a frame in pandas: its rows and each column's bytes.

    Examples
    --------
    >>> FrameSize(rows=1_000, columns={"id": 8_000, "label": 1_000}).bytes
    9000
    """

    rows: int
    columns: Mapping[str, int] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        """All the columns' bytes."""
        return sum(self.columns.values())

    def widest(self, count: int) -> list[tuple[str, float]]:
        """The ``count`` columns that take the most bytes a row, with those bytes, widest first."""
        ranked = sorted(self.columns.items(), key=lambda item: -item[1])[:count]
        return [(name, size / max(self.rows, 1)) for name, size in ranked]


@dataclass(slots=True)
class _Chunks:
    """What the footers say of one column over every row group of every partition."""

    nulls: int = 0
    stored: int = 0  # uncompressed bytes in the file
    dictionary: int = 0  # bytes of the largest dictionary page (or chunk, where there is none)
    text: int = 0  # estimated bytes of text


def frame_size(files: Sequence[Path], columns: Sequence[str] | None) -> FrameSize:
    """The size in pandas of ``columns`` (all when None) of the Parquet ``files``, from their footers only.

    Examples
    --------
    See the module docstring.
    """
    import pyarrow.parquet as pq

    schema = pq.read_schema(files[0])
    names = list(schema.names) if columns is None else list(columns)
    empty = as_written(schema.empty_table().select(names))  # the dtypes read() gives, from no rows
    totals = {name: _Chunks() for name in names}
    rows = 0
    for path in files:
        metadata = pq.read_metadata(path)
        rows += metadata.num_rows
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                chunk = row_group.column(index)
                found = totals.get(chunk.path_in_schema.split(".")[0])
                if found is not None:
                    _add_chunk(found, chunk)
    dtypes = {str(name): dtype for name, dtype in empty.dtypes.items()}
    sizes = {name: _column_bytes(dtypes.get(name), schema.field(name).type, totals[name], rows) for name in names}
    return FrameSize(rows=rows, columns=sizes)


def _add_chunk(totals: _Chunks, chunk: pq.ColumnChunkMetaData) -> None:
    values = int(chunk.num_values)
    statistics = chunk.statistics if chunk.is_stats_set else None
    nulls = int(statistics.null_count) if statistics is not None and statistics.has_null_count else 0
    stored = int(chunk.total_uncompressed_size)
    totals.nulls += nulls
    totals.stored += stored
    page = int(chunk.data_page_offset - chunk.dictionary_page_offset) if chunk.has_dictionary_page else stored
    totals.dictionary = max(totals.dictionary, page)
    present = values - nulls
    plain = max(stored - _PLAIN_LENGTH * present, 0)  # exact for plain text, a little over for distinct values
    if chunk.has_dictionary_page and statistics is not None and statistics.has_min_max:
        # a dictionary holds each value once: repeated values are told only by a typical length
        typical = (_length(statistics.min) + _length(statistics.max)) / 2
        plain = max(plain, int(present * typical))
    totals.text += plain


def _length(value: object) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    return len(value) if isinstance(value, bytes) else 0


def _column_bytes(dtype: Any, arrow_type: pa.DataType, chunks: _Chunks, rows: int) -> int:
    """Bytes of one column in pandas, as ``memory_usage(deep=True)`` counts them."""
    import pyarrow as pa

    if isinstance(dtype, pd.CategoricalDtype):
        codes = arrow_type.index_type.bit_width // 8 if pa.types.is_dictionary(arrow_type) else 4
        return rows * codes + chunks.dictionary  # the categories: about one partition's dictionary
    text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_binary(arrow_type)
    text = text or pa.types.is_large_binary(arrow_type) or pa.types.is_string_view(arrow_type)
    if text and isinstance(dtype, pd.StringDtype | pd.ArrowDtype) and getattr(dtype, "storage", "pyarrow") == "pyarrow":
        validity = -(-rows // 8) if chunks.nulls else 0
        return rows * _POINTER + chunks.text + validity  # Arrow buffers: an offset a row and the text
    if text:
        return rows * _POINTER + (rows - chunks.nulls) * _STR_OBJECT + chunks.text  # a Python str a value
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and chunks.nulls:
        return rows * np.dtype(np.float64).itemsize  # integers with missing values come back as floats
    if isinstance(dtype, np.dtype) and dtype.kind == "b" and chunks.nulls:
        return rows * (_POINTER + sys.getsizeof(True))  # flags with missing values come back as objects
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        return rows * dtype.itemsize
    numpy = getattr(dtype, "numpy_dtype", None)
    if isinstance(numpy, np.dtype) and numpy.kind != "O":
        return rows * (numpy.itemsize + 1)  # a masked extension array: values and a byte of mask a row
    return chunks.stored  # nested or other values: about their size in the file, decoded


def check_read_memory(
    files: Sequence[Path], columns: Sequence[str] | None, *, where: str, dask_call: str, enforce: bool = True
) -> FrameSize | None:
    """Refuse to load ``files`` into pandas if they need more than :func:`memory_limit`; return the estimate.

    None when the guard is off (``enforce=False``, ``CASESTUDIES_MEMORY_CHECK=0``) or no limit is known:
    nothing is estimated then.

    Raises
    ------
    InvalidParameterError
        With what was estimated, the limit, and the three ways on: Dask (``dask_call``), fewer
        columns, or the override.

    Examples
    --------
    >>> import os, tempfile
    >>> import casestudies as cs
    >>> from casestudies.core import dataset_files
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.generate("fraud-v2", seed=0, out=out, n_customers=300, n_days=60, n_test_days=7)
    >>> files = dataset_files(f"{out}/learner/train")
    >>> os.environ["CASESTUDIES_MEMORY_LIMIT"] = "1MB"
    >>> try:
    ...     check_read_memory(files, None, where="read('train')", dask_call="read(OUT, 'train', engine='dask')")
    ... except cs.exceptions.InvalidParameterError as err:
    ...     print(str(err)[:57])
    read('train'): engine='pandas' would load about 2 MB into
    >>> check_read_memory(files, ["is_fraud"], where="read('train')", dask_call="").bytes < 10**6
    True
    >>> del os.environ["CASESTUDIES_MEMORY_LIMIT"]
    """
    if not memory_guard_on(enforce):
        return None
    limit = memory_limit()
    if limit is None:
        return None
    size = frame_size(files, columns)
    if size.bytes <= limit:
        return size
    widest = ", ".join(f"{name} {width:.0f}" for name, width in size.widest(_SHOWN_COLUMNS))
    message = (
        f"{where}: engine='pandas' would load about {format_size(size.bytes)} into memory ({size.rows:,} rows x "
        f"{len(size.columns)} columns, about {size.bytes / max(size.rows, 1):.0f} bytes a row; widest, in bytes a "
        f"row: {widest}), estimated from the Parquet metadata; the limit is {format_size(limit)} "
        f"({limit_source(limit)}). To go on: open it lazily, a partition at a time, with engine='dask': "
        f"{dask_call}; or load fewer columns with columns=[...]; or, to load it in memory anyway, pass "
        f"memory_check=False to read(), or set {MEMORY_CHECK_ENV}=0."
    )
    raise InvalidParameterError(message)
