"""Array routines behind the fraud simulator's speed, each giving exactly the result of the plain numpy call.

Generating a log is a few dozen passes over arrays of a few hundred thousand
rows: what costs is sorting, gathering, and fresh memory (every new array is
page-faulted in). These routines sort by radix, gather without first
concatenating, and convert times with integer arithmetic.

Examples
--------
>>> import numpy as np
>>> t = np.array([5, -3, 5, 0, 70_000])
>>> stable_order(t).tolist() == np.argsort(t, kind="stable").tolist()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["Merge", "stable_order", "to_datetime"]

RADIX_BITS: Final[int] = 16
"""numpy sorts integers of at most 16 bits stably by radix (in linear time), wider ones by comparison."""


def stable_order(t: np.ndarray) -> np.ndarray:
    """Positions that sort int64 ``t`` stably (ties keep their order), as ``np.argsort(t, kind="stable")``.

    When ``t`` spans less than ``2**32`` (515 simulated days span less than
    ``2**26`` seconds), two stable radix passes, on the low 16 bits and then
    on the rest, sort it (an LSD radix sort): about twice as fast as one
    comparison sort of 64-bit keys.

    Examples
    --------
    >>> import numpy as np
    >>> stable_order(np.array([3, 1, 3, -1])).tolist()
    [3, 1, 0, 2]
    """
    if not t.size:
        return np.argsort(t, kind="stable")
    base = int(t.min()) >> RADIX_BITS
    span = (int(t.max()) >> RADIX_BITS) - base  # of the high digits
    if span >> RADIX_BITS:
        return np.argsort(t, kind="stable")
    high = t >> RADIX_BITS  # rounds down, so that t = high * 2**16 + low for negative t too
    high -= base
    digits = high.astype(np.uint8 if span >> 8 == 0 else np.uint16)
    del high
    low = np.argsort(t.astype(np.uint16), kind="stable")  # the cast keeps the low 16 bits (two's complement)
    order: np.ndarray = low[np.argsort(digits[low], kind="stable")]
    return order


@dataclass(frozen=True, slots=True)
class Merge:
    """Rows of several parts merged in stable order of their keys, those in ``[low, high)`` only.

    Built by :meth:`of` from the parts' keys; :meth:`take` then merges any
    column of the parts the same way. The first part is taken to hold most
    rows (the genuine payments): columns are gathered from it directly and the
    other parts' rows put in place, without first copying everything into one
    array.

    Examples
    --------
    >>> import numpy as np
    >>> merge = Merge.of(np.array([4, 1, 9, 1, 2]), head=3, low=0, high=9)
    >>> merge.keys.tolist()
    [1, 1, 2, 4]
    >>> merge.take([np.array([10, 11, 12]), np.array([13, 14])]).tolist()
    [11, 13, 14, 10]
    """

    keys: np.ndarray  # the kept keys, sorted
    order: np.ndarray  # each merged row's position in the parts laid end to end
    head: int  # rows of the first part
    rest: np.ndarray  # merged rows from the other parts
    rest_order: np.ndarray  # their positions in the other parts laid end to end

    @classmethod
    def of(cls, keys: np.ndarray, *, head: int, low: int, high: int) -> Merge:
        """The merge of parts whose keys, laid end to end, are ``keys``; the first part has ``head`` rows."""
        order = stable_order(keys)
        ordered = keys[order]
        first, last = np.searchsorted(ordered, (low, high))
        order = order[first:last]
        rest = np.flatnonzero(order >= head)
        return cls(ordered[first:last], order, head, rest, order[rest] - head)

    def take(self, columns: Sequence[np.ndarray]) -> np.ndarray:
        """One column of every part (in the parts' order) merged: the concatenation's rows in merged order."""
        if not self.head or len({column.dtype for column in columns}) > 1:  # (then the concatenation's dtype)
            merged: np.ndarray = np.concatenate(columns)[self.order]
            return merged
        merged = np.take(columns[0], self.order, mode="clip")  # rows of the other parts are patched below
        merged[self.rest] = np.concatenate(columns[1:])[self.rest_order]
        return merged


def to_datetime(start: np.datetime64, seconds: np.ndarray) -> np.ndarray:
    """``start`` plus int64 ``seconds`` as ``datetime64[ns]``, by integer arithmetic (numpy's casts are far slower).

    The caller makes sure the nanoseconds fit in an int64 (pandas' range).

    Examples
    --------
    >>> import numpy as np
    >>> to_datetime(np.datetime64("2025-01-06", "s"), np.array([0, 90]))
    array(['2025-01-06T00:00:00.000000000', '2025-01-06T00:01:30.000000000'],
          dtype='datetime64[ns]')
    """
    nanoseconds = seconds + start.astype(np.int64)
    nanoseconds *= 1_000_000_000
    return nanoseconds.view("datetime64[ns]")
