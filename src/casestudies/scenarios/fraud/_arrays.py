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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["CHUNK_ROWS", "Merge", "chunks", "quantile_index", "stable_order", "to_datetime"]

CHUNK_ROWS: Final[int] = 1 << 16
"""Rows per chunk of the element-wise steps: a chunk's temporaries stay in the cache, not page-faulted in afresh."""

GUIDE_BITS: Final[int] = 12
""":func:`quantile_index` first looks a uniform up among ``2**GUIDE_BITS`` equal buckets of ``[0, 1)``."""

RADIX_BITS: Final[int] = 16
"""numpy sorts integers of at most 16 bits stably by radix (in linear time), wider ones by comparison."""


def chunks(n: int) -> Iterator[slice]:
    """Consecutive slices of at most :data:`CHUNK_ROWS` rows covering ``range(n)``.

    Examples
    --------
    >>> [(rows.start, rows.stop) for rows in chunks(CHUNK_ROWS + 1)] == [(0, CHUNK_ROWS), (CHUNK_ROWS, CHUNK_ROWS + 1)]
    True
    """
    return (slice(start, min(start + CHUNK_ROWS, n)) for start in range(0, n, CHUNK_ROWS))


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
    # The high digits (t >> 16 rounds down, so that t = high * 2**16 + low for negative t too) minus the
    # smallest, cast to 8 or 16 bits as they are computed: modulo 2**8 or 2**16 the difference is still exact.
    dtype = np.dtype(np.uint8 if span >> 8 == 0 else np.uint16)
    digits = np.right_shift(t, RADIX_BITS, out=np.empty(t.size, dtype=dtype), casting="unsafe")
    digits -= dtype.type(base & (1 << 8 * dtype.itemsize) - 1)
    low = np.argsort(t.astype(np.uint16), kind="stable")  # the cast keeps the low 16 bits (two's complement)
    order: np.ndarray = low[np.argsort(digits[low], kind="stable")]
    return order


def quantile_index(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Outcomes of uniforms ``u`` in ``[0, 1)`` by inverse CDF: ``np.searchsorted(cdf, u)``, faster for many ``u``.

    A binary search per uniform is slow on unsorted keys (every step a
    mispredicted branch). Each uniform's bucket among ``2**GUIDE_BITS`` equal
    ones of ``[0, 1)`` already decides it unless an entry of ``cdf`` falls in
    that bucket (``u * 2**GUIDE_BITS`` and its floor are exact); only those
    few uniforms are searched.

    Examples
    --------
    >>> import numpy as np
    >>> cdf = np.array([0.1, 0.25, 0.25, 0.7, 1.0])
    >>> u = np.random.default_rng(0).random(1000)
    >>> bool((quantile_index(cdf, u) == np.searchsorted(cdf, u)).all())
    True
    """
    size = 1 << GUIDE_BITS
    guide = np.searchsorted(cdf, np.arange(size + 1) / size)  # entries below each bucket's lower end
    flat = u.ravel()
    bucket = (flat * size).astype(np.intp)
    index: np.ndarray = guide[bucket]
    bucket += 1
    unsure = np.flatnonzero(guide[bucket] != index)  # an entry lies in the bucket: search those uniforms
    index[unsure] = np.searchsorted(cdf, flat[unsure])
    return index.reshape(u.shape)


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


def to_datetime(start: np.datetime64, seconds: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``start`` plus int64 ``seconds`` as ``datetime64[ns]``, by integer arithmetic (numpy's casts are far slower).

    The caller makes sure the nanoseconds fit in an int64 (pandas' range).
    ``out`` (int64, may be ``seconds`` itself) receives the nanoseconds.

    Examples
    --------
    >>> import numpy as np
    >>> to_datetime(np.datetime64("2025-01-06", "s"), np.array([0, 90]))
    array(['2025-01-06T00:00:00.000000000', '2025-01-06T00:01:30.000000000'],
          dtype='datetime64[ns]')
    """
    nanoseconds: np.ndarray = np.add(seconds, start.astype(np.int64), out=out)
    nanoseconds *= 1_000_000_000
    return nanoseconds.view("datetime64[ns]")
