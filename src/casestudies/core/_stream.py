"""Frames as partitioned Parquet datasets: written a partition at a time, read back a column at a time.

A dataset is a folder of ``part-00000.parquet``, ``part-00001.parquet``, …
holding consecutive rows in order, each of at most ``partition_rows`` rows
(one partition, possibly empty, for an empty frame). pandas, pyarrow, Polars,
DuckDB and ``dask.dataframe.read_parquet`` read the folder as one table.

pyarrow is imported where it is used: the command line's parser imports the
core folder and must start fast.

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> from casestudies.core import fingerprint, fingerprint_dataset, write_partitions
>>> frame = pd.DataFrame({"x": range(10), "y": pd.Categorical(list("ababababab"))})
>>> folder = tempfile.mkdtemp()
>>> [path.name for path in write_partitions(frame, folder, partition_rows=4)]
['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']
>>> fingerprint_dataset(folder) == fingerprint(frame)
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casestudies.core._fingerprint import fingerprint_chunks

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "DEFAULT_PARTITION_ROWS",
    "as_written",
    "dataset_files",
    "fingerprint_dataset",
    "iter_columns",
    "partition_bounds",
    "write_partition",
    "write_partitions",
]

DEFAULT_PARTITION_ROWS: Final[int] = 1_000_000
"""Rows per Parquet partition by default: about 40-80 MB of a fraud log in memory while it is written, and
partitions large enough that readers are not slowed by many small files."""

_PART_NAME: Final[str] = "part-{:05d}.parquet"
_READERS: Final[int] = 2  # threads reading ahead while a fingerprint is hashed
_READ_AHEAD: Final[int] = 4  # column pieces read ahead: a few partitions' worth of one column


def write_partitions(frame: pd.DataFrame, folder: str | Path, *, partition_rows: int) -> list[Path]:
    """Write ``frame`` as a Parquet dataset of partitions of at most ``partition_rows`` rows, in row order.

    Each partition is converted and written before the next is taken, so
    beyond ``frame`` itself only one partition is held.

    Returns
    -------
    list of Path
        The partition files, in row order.
    """

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index, (start, stop) in enumerate(partition_bounds(len(frame), partition_rows)):
        written.append(write_partition(frame.iloc[start:stop], out, index))
    return written


def partition_bounds(n_rows: int, partition_rows: int) -> list[tuple[int, int]]:
    """``(start, stop)`` rows of each partition of a frame of ``n_rows`` rows (one, empty, if it has none).

    Examples
    --------
    >>> partition_bounds(10, 4), partition_bounds(0, 4)
    ([(0, 4), (4, 8), (8, 10)], [(0, 0)])
    """
    return [(start, min(start + partition_rows, n_rows)) for start in range(0, max(n_rows, 1), partition_rows)]


def write_partition(piece: pd.DataFrame, folder: str | Path, index: int) -> Path:
    """Write one partition, ``part-{index:05d}.parquet`` in ``folder``; the same bytes in any process.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> write_partition(pd.DataFrame({"x": [1, 2]}), tempfile.mkdtemp(), 3).name
    'part-00003.parquet'
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(folder) / _PART_NAME.format(index)
    pq.write_table(pa.Table.from_pandas(piece, preserve_index=False), path)
    return path


def dataset_files(folder: str | Path) -> list[Path]:
    """The partitions of a dataset folder, in row order."""
    return sorted(Path(folder).glob("part-*.parquet"))


def iter_columns(folder: str | Path, columns: list[str]) -> Iterator[pd.DataFrame]:
    """The given columns of a dataset, one partition at a time, as pandas frames."""
    import pyarrow.parquet as pq

    for path in dataset_files(folder):
        yield pq.read_table(path, columns=columns).to_pandas()


def as_written(table: pa.Table) -> pd.DataFrame:
    """A table read from Parquet as the pandas frame that was written, datetime units included.

    Parquet has no timestamps in seconds: a ``datetime64[s]`` column is stored
    in milliseconds and comes back as ``datetime64[ms]``, the same instants in
    another dtype. The pandas metadata in the file records the dtype written;
    this puts the unit back, so a frame read from a dataset equals the one
    written (and has its fingerprint).

    Examples
    --------
    >>> import tempfile, pandas as pd, pyarrow.parquet as pq
    >>> written = pd.DataFrame({"day": pd.to_datetime(["2025-01-06"]).astype("datetime64[s]")})
    >>> path = tempfile.mkdtemp() + "/x.parquet"
    >>> written.to_parquet(path)
    >>> str(pd.read_parquet(path)["day"].dtype), str(as_written(pq.read_table(path))["day"].dtype)
    ('datetime64[ms]', 'datetime64[s]')
    """
    frame: pd.DataFrame = table.to_pandas()
    metadata = table.schema.pandas_metadata or {}
    written = {str(column["name"]): str(column["numpy_type"]) for column in metadata.get("columns", [])}
    restored = {
        name: written[str(name)]
        for name, dtype in frame.dtypes.items()
        if dtype.kind == "M"
        and written.get(str(name), "").startswith("datetime64[")
        and str(dtype) != written[str(name)]
    }
    return frame.astype(restored) if restored else frame


def fingerprint_dataset(*folders: str | Path, wait: Callable[[int], object] | None = None) -> str:
    """:func:`fingerprint` of the frames stored as datasets, read one column of one partition at a time.

    The next few column pieces are read by threads while the current one is
    hashed (Parquet decoding and SHA-256 both run outside the interpreter
    lock): at most :data:`_READ_AHEAD` pieces are held. ``wait(i)``, if
    given, is called before folder ``i`` is first looked at: a writer can
    start hashing the first frames while it still writes the last.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from casestudies.core import fingerprint
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_partitions(pd.DataFrame({"x": [1, 2, 3]}), folder, partition_rows=2)
    >>> fingerprint_dataset(folder, wait=print) == fingerprint(pd.DataFrame({"x": [1, 2, 3]}))
    0
    True
    """
    with ThreadPoolExecutor(max_workers=_READERS) as pool:
        return fingerprint_chunks(_layouts(pool, folders, wait))


def _layouts(
    pool: ThreadPoolExecutor, folders: tuple[str | Path, ...], wait: Callable[[int], object] | None
) -> Iterator[tuple[int, list[str], Callable[[str], Iterator[pd.Series]]]]:
    """Each folder's rows, columns and column pieces, the folder looked at only when its frame is hashed."""
    import pyarrow.parquet as pq

    for index, folder in enumerate(folders):
        if wait is not None:
            wait(index)
        files = dataset_files(folder)
        n_rows = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
        columns = [name for name in pq.read_schema(files[0]).names if not name.startswith("__index_level_")]
        pieces = _read_ahead(pool, [(path, column) for column in columns for path in files])

        def chunks(column: str, files: list[Path] = files, pieces: Iterator[pd.Series] = pieces) -> Iterator[pd.Series]:
            for _ in files:  # the reads are in hashing order: this column's pieces come next
                yield next(pieces)

        yield n_rows, columns, chunks


def _read_column(path: Path, column: str) -> pd.Series:
    import pyarrow.parquet as pq

    # ParquetFile reads one file without pyarrow.dataset's discovery: about a sixth less work a piece
    piece: pd.Series = as_written(pq.ParquetFile(path).read(columns=[column], use_threads=False))[column]
    return piece


def _read_ahead(pool: ThreadPoolExecutor, reads: list[tuple[Path, str]]) -> Iterator[pd.Series]:
    """The column pieces of ``reads`` in order, the next :data:`_READ_AHEAD` read in the background."""
    ahead: deque[Future[pd.Series]] = deque()
    for path, column in reads:
        ahead.append(pool.submit(_read_column, path, column))
        if len(ahead) > _READ_AHEAD:
            yield ahead.popleft().result()
    while ahead:
        yield ahead.popleft().result()
