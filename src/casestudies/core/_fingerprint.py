"""Stable content hashes of data frames.

numpy and pandas are imported where they are used, not at the top: the
command line's parser imports the core folder and must start fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def _update(digest: hashlib._Hash, series: pd.Series) -> None:
    _update_header(digest, str(series.name), str(series.dtype), len(series))
    _update_values(digest, series, first=True)


def _update_header(digest: hashlib._Hash, name: str, dtype: str, length: int) -> None:
    digest.update(f"{name}|{dtype}|{length}\n".encode())


def _update_values(digest: hashlib._Hash, series: pd.Series, *, first: bool) -> None:
    """Hash a column's values; a column may come in consecutive chunks (``first`` only for the first).

    The bytes hashed for a column in chunks are those of the whole column:
    categories once, then the codes; fixed-width values as one buffer; text
    values joined by ``\x1f`` across chunks as well.
    """
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        if first:
            digest.update("\x1f".join(map(str, series.cat.categories)).encode())
        # hashlib reads any C-contiguous buffer: no bytes copy of the column
        digest.update(np.ascontiguousarray(series.cat.codes.to_numpy(), dtype="<i4").data)
    elif series.dtype.kind in "biufcmM":
        values = series.to_numpy()
        if values.dtype.kind in "mM":
            values = values.view("i8")
        digest.update(np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).data)
    elif len(series):
        text = "\x1f".join("\x00" if pd.isna(value) else str(value) for value in series)
        digest.update((text if first else "\x1f" + text).encode())


def fingerprint(*frames: pd.DataFrame) -> str:
    """SHA-256 of the frames' column names, dtypes and values, platform independent.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> fingerprint(a) == fingerprint(a.copy())
    True
    >>> fingerprint(a) == fingerprint(a.assign(x=[1, 3]))
    False
    """
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(f"frame {frame.shape}\n".encode())
        for column in frame.columns:
            _update(digest, frame[column])
    return digest.hexdigest()


def fingerprint_chunks(frames: Iterable[tuple[int, Sequence[str], Callable[[str], Iterable[pd.Series]]]]) -> str:
    """:func:`fingerprint` of frames that are read a column at a time, in chunks of rows.

    Each frame is ``(n_rows, columns, chunks)`` where ``chunks(column)`` yields
    the column's values in consecutive chunks (for example one per Parquet
    partition), all of one dtype. The digest equals :func:`fingerprint` of the
    whole frames, and only one chunk of one column is held at a time.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2, 3], "y": pd.Categorical(["a", "b", "a"]), "z": ["u", "v", "w"]})
    >>> halves = lambda column: (a[column][:2], a[column][2:])
    >>> fingerprint_chunks([(3, list(a.columns), halves)]) == fingerprint(a)
    True
    """
    import pandas as pd

    digest = hashlib.sha256()
    for n_rows, columns, chunks in frames:
        digest.update(f"frame {(n_rows, len(columns))}\n".encode())
        for column in columns:
            started = False  # values hashed yet (text chunks are joined, so the separator goes between them)
            for index, chunk in enumerate(chunks(column)):
                categorical = isinstance(chunk.dtype, pd.CategoricalDtype)
                if index == 0:
                    _update_header(digest, str(column), str(chunk.dtype), n_rows)
                _update_values(digest, chunk, first=index == 0 if categorical else not started)
                started = started or len(chunk) > 0
    return digest.hexdigest()
