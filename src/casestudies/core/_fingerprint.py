"""Stable content hashes of data frames.

numpy and pandas are imported where they are used, not at the top: the
command line's parser imports the core folder and must start fast.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def _update(digest: hashlib._Hash, series: pd.Series) -> None:
    import numpy as np
    import pandas as pd

    digest.update(f"{series.name}|{series.dtype}|{len(series)}\n".encode())
    if isinstance(series.dtype, pd.CategoricalDtype):
        digest.update("\x1f".join(map(str, series.cat.categories)).encode())
        digest.update(np.ascontiguousarray(series.cat.codes.to_numpy(), dtype="<i4").tobytes())
    elif series.dtype.kind in "biufcmM":
        values = series.to_numpy()
        if values.dtype.kind in "mM":
            values = values.view("i8")
        digest.update(np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).tobytes())
    else:
        digest.update("\x1f".join("\x00" if pd.isna(value) else str(value) for value in series).encode())


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
