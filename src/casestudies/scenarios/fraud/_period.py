"""``fraud-v1``'s log of the whole period, put in time order once and built in that order.

Genuine payments are drawn customer by customer (the order of the draws is
part of the bytes), so the log is a permutation of them merged with the
fraudsters' transactions. Fresh memory is what costs most here (every new
array is page-faulted in), so the log is built in the order that needs the
least of it:

1. the genuine payments' times first, and the time order of the whole log
   (:func:`time_order`), before any other column exists;
2. then each column of the genuine payments in customer order, gathered in
   time order at once, for the training and test rows only (the label-delay
   gap is drawn but never gathered);
3. amounts and probabilities computed in time order from the gathered
   columns and the raw noise draws (not computed in customer order and then
   gathered), skimmers applied there, and the fraudsters' rows put in place.

Every value is the one ``_traffic._merge`` of the parts gives: the same draws,
in the same order, and the same arithmetic on each element.

Examples
--------
>>> import numpy as np
>>> order = time_order(np.array([5, 1, 9, 3]), np.array([-2, 4]), (4, 6, 10))
>>> order.rows.tolist(), order.n_train, order.n_gap, order.n_test
([1, 3, 2], 2, 2, 1)
>>> order.take(np.array([50, 10, 90, 30]), np.array([-20, 40])).tolist()
[10, 30, 90]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.scenarios.fraud._arrays import CHUNK_ROWS, chunks, stable_order
from casestudies.scenarios.fraud._traffic import (
    _AMOUNT_SIGMA,
    _CAT_SCALE,
    _CHANNEL_DTYPE,
    _LEGIT_HOUR_TABLE,
    _MECHANISM_DTYPE,
    _MIN_AMOUNT_CENTS,
    _ONLINE_DISPUTE_BOOST,
    _WEEKLY,
    CATEGORY_DTYPE,
    DAY,
    HOUR,
    _noise_table,
    _skim,
    _Skimmers,
    _usual_terminals,
    _World,
)

__all__ = [
    "Columns",
    "Order",
    "frames",
    "genuine_columns",
    "genuine_payments",
    "genuine_times",
    "labels",
    "skim",
    "time_order",
]

_HOUR_SECONDS: Final = _LEGIT_HOUR_TABLE * HOUR
"""Seconds from midnight to the start of the hour, per quantile of the genuine hour of day."""


def genuine_times(world: _World, weekday: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The genuine payments' times (int64 seconds) in customer order, and each customer's number of payments.

    A Poisson process per customer at the peak weekday rate, thinned by
    weekday; then the hour of day and the second within it. These are the
    first draws of the genuine stream; :func:`genuine_payments` continues it.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._traffic import _make_world
    >>> world = _make_world(30, 50, np.random.default_rng(0))
    >>> t, counts = genuine_times(world, np.arange(7), np.random.default_rng(1))
    >>> bool(t.size == counts.sum()), bool((t >= 0).all() and (t < 7 * 86_400).all())
    (True, True)
    """
    peak = _WEEKLY.max()
    drawn = rng.poisson(world.rate * peak * weekday.size)
    n_drawn = int(drawn.sum())
    day = rng.integers(0, weekday.size, n_drawn, dtype=np.int32)
    kept = np.empty(n_drawn, dtype=bool)
    share = _WEEKLY[weekday] / peak
    u, scratch = np.empty(min(n_drawn, CHUNK_ROWS)), np.empty(min(n_drawn, CHUNK_ROWS))
    for rows in chunks(n_drawn):  # uniforms drawn a chunk at a time are those of one call
        n = rows.stop - rows.start
        np.less(rng.random(out=u[:n]), np.take(share, day[rows], out=scratch[:n]), out=kept[rows])
    counts = np.zeros_like(drawn)
    some = drawn > 0
    if n_drawn:
        counts[some] = np.add.reduceat(kept, (np.cumsum(drawn) - drawn)[some], dtype=np.intp)
    day = np.compress(kept, day)
    del kept
    hour = rng.integers(0, 1 << 16, day.size, dtype=np.uint16)
    second = rng.integers(0, HOUR, day.size, dtype=np.int32)  # the same draws as int64, in half the memory
    t = np.empty(day.size, dtype=np.int64)
    for rows in chunks(t.size):
        out = t[rows]
        np.multiply(day[rows], DAY, out=out)
        out += np.take(_HOUR_SECONDS, hour[rows].astype(np.intp))
        out += second[rows]
    return t, counts


def genuine_payments(
    world: _World, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer, terminal and noise draw (uint16 quantile) of the genuine payments, in customer order.

    Continues the stream :func:`genuine_times` started: each payment is
    online with the customer's online share, at a usual or a new terminal,
    and draws the lognormal noise of its amount (turned into cents by
    :func:`genuine_columns`, once in time order).

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._traffic import _make_world
    >>> world = _make_world(30, 50, np.random.default_rng(0))
    >>> customer, terminal, noise = genuine_payments(world, np.array([2] * 30), np.random.default_rng(1))
    >>> customer[:4].tolist(), terminal.size, noise.dtype.name
    ([0, 0, 1, 1], 60, 'uint16')
    """
    customer = np.repeat(np.arange(counts.size), counts)
    online = np.empty(customer.size, dtype=bool)
    u, share = np.empty(min(customer.size, CHUNK_ROWS)), np.empty(min(customer.size, CHUNK_ROWS))
    for rows in chunks(customer.size):  # uniforms drawn a chunk at a time are those of one call
        n = rows.stop - rows.start
        np.less(rng.random(out=u[:n]), np.take(world.online_share, customer[rows], out=share[:n]), out=online[rows])
    terminal = _usual_terminals(world, customer, online, rng)
    del online
    return customer, terminal, rng.integers(0, 1 << 16, customer.size, dtype=np.uint16)


@dataclass(frozen=True, slots=True)
class Order:
    """The time order of the training and test rows of genuine payments and fraudsters' transactions.

    Built by :func:`time_order`; :meth:`take` puts a column of both in that order.

    Examples
    --------
    >>> import numpy as np
    >>> order = time_order(np.array([3, 0]), np.array([1]), (2, 2, 4))
    >>> order.take(np.array([30.0, 0.0]), np.array([10.0])).tolist()
    [0.0, 10.0, 30.0]
    """

    rows: np.ndarray  # each row's position in the genuine payments and the fraud log laid end to end
    fraud_at: np.ndarray  # the rows holding fraudsters' transactions
    fraud_rows: np.ndarray  # their positions in the fraud log
    n_train: int
    n_gap: int  # rows of the label-delay gap, left out
    n_test: int

    def take(self, genuine: np.ndarray, fraud: np.ndarray) -> np.ndarray:
        """A column of the genuine payments and the same column of the fraud log, in time order."""
        merged: np.ndarray = np.take(genuine, self.rows, mode="clip")  # the fraud rows are put in place below
        merged[self.fraud_at] = fraud[self.fraud_rows]
        return merged


def time_order(genuine_t: np.ndarray, fraud_t: np.ndarray, ends: tuple[int, int, int]) -> Order:
    """Stable time order of both logs laid end to end, rows before 0 or from the period's end left out.

    ``ends`` are the end of the training days, the start of the test days and
    the end of the period, in seconds; ``genuine_t`` must lie inside the period.

    Examples
    --------
    >>> import numpy as np
    >>> order = time_order(np.array([7, 2, 2]), np.array([2, 12]), (5, 5, 10))
    >>> order.rows.tolist(), order.fraud_at.tolist(), order.fraud_rows.tolist()
    ([1, 2, 3, 0], [2], [0])
    """
    head = genuine_t.size
    order = stable_order(np.concatenate([genuine_t, fraud_t]))
    first = int(np.count_nonzero(fraud_t < 0))
    train_end, test_start = (
        int(np.count_nonzero(genuine_t < end) + np.count_nonzero(fraud_t < end)) for end in ends[:2]
    )
    last = head + int(np.count_nonzero(fraud_t < ends[2]))
    n_train, n_test = train_end - first, last - test_start
    order[train_end : train_end + n_test] = order[test_start:last]  # the test rows right after the training rows
    rows = order[first : train_end + n_test]
    fraud_at = np.flatnonzero(rows >= head)
    return Order(rows, fraud_at, rows[fraud_at] - head, n_train, test_start - train_end, n_test)


def genuine_columns(
    world: _World, customer: np.ndarray, terminal: np.ndarray, noise: np.ndarray, dispute_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Genuine payments' amounts in whole cents (from their noise draws) and chargeback probabilities.

    The amount is ``_traffic._amount``'s: customer scale x category scale x
    lognormal noise, rounded, at least the smallest payment. The probability
    is dispute rate x the customer's dispute propensity x (1 + boost if
    online), at most 1: a genuine payment is online exactly when its terminal is.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._traffic import _make_world
    >>> world = _make_world(30, 50, np.random.default_rng(0))
    >>> terminal, noise = np.array([np.flatnonzero(world.is_online)[0], 4]), np.array([0, 65535], np.uint16)
    >>> cents, p = genuine_columns(world, np.array([0, 1]), terminal, noise, 1e-3)
    >>> bool((cents >= 25).all() and (cents == np.round(cents)).all()), bool(p[0] == world.dispute[0] * 1e-3 * 1.5)
    (True, True)
    """
    cents, probability = np.empty(customer.size), np.empty(customer.size)
    scratch = np.empty(min(customer.size, CHUNK_ROWS))
    category_scale = _CAT_SCALE[world.category]
    noise_table = _noise_table(1.0, _AMOUNT_SIGMA)
    # The same products as element by element: (dispute x rate) per customer, (1 + boost x online) per terminal.
    dispute = world.dispute * dispute_rate
    boost = world.is_online * _ONLINE_DISPUTE_BOOST + 1.0
    for rows in chunks(customer.size):
        who, where, factor = customer[rows], terminal[rows], scratch[: rows.stop - rows.start]
        out = cents[rows]
        np.take(world.scale, who, out=out)
        out *= np.take(category_scale, where, out=factor)
        out *= np.take(noise_table, noise[rows].astype(np.intp), out=factor)
        np.round(out, out=out)
        np.maximum(out, _MIN_AMOUNT_CENTS, out=out)
        out = probability[rows]
        np.take(dispute, who, out=out)
        out *= np.take(boost, where, out=factor)
        np.minimum(out, 1.0, out=out)
    return cents, probability


def skim(skimmers: _Skimmers, t: np.ndarray, terminal: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Apply the skimmers to every row, taken as genuine; the mechanism column (0 where none strikes).

    The fraudsters' rows get their own probability and mechanism afterwards,
    over whatever this gave them.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._traffic import _Skimmers
    >>> skimmers = _Skimmers(np.array([1, 0]), np.array([0.0]), np.array([25.0]), np.array([0.5]))  # on terminal 1
    >>> probability = np.zeros(3)
    >>> skim(skimmers, np.array([10, 20, 30]), np.array([1, 0, 1]), probability).tolist(), probability.tolist()
    ([1, 0, 0], [0.5, 0.0, 0.0])
    """
    mechanism = np.zeros(t.size, dtype=np.int8)
    _skim(skimmers, t, terminal, probability, mechanism)
    return mechanism


def labels(probability: np.ndarray, n_train: int, n_gap: int, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli draws of ``probability`` (training rows, then test rows) as int8.

    One uniform is drawn per row of the log, the ``n_gap`` rows between
    training and test included: the draws of labelling the whole log.

    Examples
    --------
    >>> import numpy as np
    >>> labels(np.array([1.0, 0.0]), 1, 5, np.random.default_rng(0)).tolist()
    [1, 0]
    """
    label = np.empty(probability.size, dtype=np.int8)
    flags = label.view(bool)  # True is 1
    scratch = np.empty(min(max(probability.size, n_gap), CHUNK_ROWS))
    for rows in chunks(n_train):
        np.less(rng.random(out=scratch[: rows.stop - rows.start]), probability[rows], out=flags[rows])
    for rows in chunks(n_gap):  # drawn, as they were for the whole log, and left
        rng.random(out=scratch[: rows.stop - rows.start])
    for rows in chunks(probability.size - n_train):
        test = slice(n_train + rows.start, n_train + rows.stop)
        np.less(rng.random(out=scratch[: rows.stop - rows.start]), probability[test], out=flags[test])
    return label


@dataclass(frozen=True, slots=True)
class Columns:
    """A log's columns in time order, as the frames show them (amounts in currency units).

    Examples
    --------
    >>> import numpy as np
    >>> columns = Columns(*(np.arange(4) for _ in range(8)))
    >>> columns[1:3].ids.tolist()
    [1, 2]
    """

    ids: np.ndarray
    timestamps: np.ndarray
    customer: np.ndarray
    terminal: np.ndarray
    amount: np.ndarray
    label: np.ndarray
    probability: np.ndarray
    mechanism: np.ndarray

    def __getitem__(self, rows: slice) -> Columns:
        """The columns of ``rows`` (views)."""
        return Columns(*(getattr(self, name)[rows] for name in self.__slots__))


def frames(world: _World, columns: Columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public log and the hidden truth of ``columns``, without copying them.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._traffic import _make_world
    >>> world = _make_world(30, 50, np.random.default_rng(0))
    >>> public, truth = frames(world, Columns(*(np.zeros(2, dtype=np.int8) for _ in range(8))))
    >>> public.shape, truth.shape
    ((2, 8), (2, 2))
    """
    terminal = columns.terminal
    # The codes are looked up in the world's tables, in range by construction: no validation pass.
    category = pd.Categorical.from_codes(np.take(world.category, terminal), dtype=CATEGORY_DTYPE, validate=False)
    channel = pd.Categorical.from_codes(
        np.take(world.is_online.view(np.int8), terminal), dtype=_CHANNEL_DTYPE, validate=False
    )
    public = {
        "transaction_id": columns.ids,
        "timestamp": columns.timestamps,
        "customer_id": columns.customer,
        "terminal_id": terminal,
        "amount": columns.amount,
        "merchant_category": category,
        "channel": channel,
        "is_fraud": columns.label,
    }
    mechanism = pd.Categorical.from_codes(columns.mechanism, dtype=_MECHANISM_DTYPE)
    truth = {"probability": columns.probability, "mechanism": mechanism}
    return pd.DataFrame(public, copy=False), pd.DataFrame(truth, copy=False)
