"""The ``fraud-v2`` generator: ``fraud-v1``'s world, drawn a day at a time so that any size streams.

.. versionadded:: 0.1

The story, the columns, the mechanisms and their rates are ``fraud-v1``'s
(see :mod:`casestudies.scenarios.fraud._simulator`). What differs is how the
randomness is laid out, so that a log far larger than memory can be written
a partition at a time, on one machine or many, with the same bytes:

- **the world** (customers, terminals, usual shops) and **every fraud
  schedule** (skimmed terminals, stolen cards, card tests, takeovers, with
  their transactions) come from one stream each. They are small (fraud is
  under 1 % of the log) and every piece of work recomputes them;
- **each day's genuine payments** come from a stream keyed by the seed and
  the day: first each customer's number of payments that day (Poisson at
  the customer's rate times the weekday's factor; ``fraud-v1`` draws the
  whole period at the peak rate and thins it, the same process), then
  times, terminals and amounts;
- **each day's labels** come from a stream keyed by the seed and the day.

So the rows of any day range are produced without the other days, and the
number of rows of every day is known from one Poisson draw per customer and
day, before anything else is drawn: that is how a writer cuts partitions of
a fixed number of rows and numbers the transactions (ids increase with
time, gap included, from a seed-dependent base).

Examples
--------
>>> import numpy as np
>>> import casestudies as cs
>>> params = {**cs.spec("fraud-v2").defaults, "n_customers": 200, "n_days": 14, "n_test_days": 7}
>>> plan = plan_blocks(params, np.random.default_rng(0))
>>> rows, truth = plan.rows("test", 0, 5)
>>> len(rows), list(truth.columns)
(5, ['probability', 'mechanism'])
>>> whole = generate(params, np.random.default_rng(0))
>>> len(whole.test) == plan.n_rows("test")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData
from casestudies.scenarios.fraud._arrays import to_datetime
from casestudies.scenarios.fraud._simulator import _ID_BASE_RANGE, _frames, _info, _Labelled, _Settings, estimate_size
from casestudies.scenarios.fraud._traffic import (
    _AMOUNT_SIGMA,
    _LEGIT_HOUR_TABLE,
    _ONLINE_DISPUTE_BOOST,
    _RATE_CARD,
    _RATE_SKIMMER,
    _RATE_TAKEOVER,
    _RATE_TESTING,
    _WEEKLY,
    DAY,
    EPOCH_WEEKDAY,
    _amount,
    _card_testing,
    _compromised_cards,
    _Log,
    _make_world,
    _merge,
    _skimmers,
    _takeovers,
    _time_of_day,
    _usual_terminals,
    _World,
)

__all__ = ["FraudPlan", "estimate_size", "generate", "plan_blocks"]

SCENARIO: Final[str] = "fraud-v2"
# Keys of the child streams under the generator's seed: one per concern, and per day for the daily ones.
_WORLD, _SKIMMERS, _CARDS, _TESTING, _TAKEOVERS, _IDS, _GENUINE, _LABELS = range(8)
_KEPT_DAYS: Final[int] = 2  # days a plan keeps generated: a partition boundary falls inside at most one


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Simulate the whole ``fraud-v2`` log in memory: the rows a :class:`FraudPlan` streams, concatenated.

    Parameters
    ----------
    params : Mapping
        Validated values of the parameters declared in ``fraud-v2.toml``
        (those of ``fraud-v1``).
    rng : numpy.random.Generator
        Source of all randomness: its seed sequence keys the world's, the
        schedules' and every day's streams.

    Returns
    -------
    ScenarioData
        As ``fraud-v1``'s: ``train`` and ``test`` logs in time order, the hidden
        ``truth`` and ``train_truth``, and data-card ``info``.

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> params = {**cs.spec("fraud-v2").defaults, "n_customers": 100, "n_days": 7, "n_test_days": 7}
    >>> data = generate(params, np.random.default_rng(1))
    >>> data.train["timestamp"].is_monotonic_increasing, data.test["transaction_id"].is_unique
    (True, True)
    """
    plan = plan_blocks(params, rng)
    train, train_truth = plan.rows("train", 0, plan.n_rows("train"))
    test, truth = plan.rows("test", 0, plan.n_rows("test"))
    return ScenarioData(
        train=train,
        test=test,
        target=plan.target,
        id_column=plan.id_column,
        truth=truth,
        train_truth=train_truth,
        cost_column=plan.cost_column,
        info=plan.info(len(train), len(test), int(train[plan.target].sum())),
        oracle_observable=False,
    )


def plan_blocks(params: Mapping[str, object], rng: np.random.Generator) -> FraudPlan:
    """The block plan of a ``fraud-v2`` case (the streaming hook, see :mod:`casestudies.core`).

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> plan = plan_blocks(cs.spec("fraud-v2").defaults, np.random.default_rng(0))
    >>> plan.n_rows("train") > plan.n_rows("test") > 0
    True
    """
    seed_seq = rng.bit_generator.seed_seq
    if not isinstance(seed_seq, np.random.SeedSequence):
        message = f"{SCENARIO}: the generator needs a numpy Generator seeded from a SeedSequence; got {rng!r}."
        raise TypeError(message + " Pass numpy.random.default_rng(seed).")
    return FraudPlan(dict(params), seed_seq)


class FraudPlan:
    """Rows of a ``fraud-v2`` case by range, each day generated from its own streams (see the module docstring).

    Holds the parameters and the seed; the world, the fraud schedules and
    the days' row counts are computed when first needed and not pickled.

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> params = {**cs.spec("fraud-v2").defaults, "n_customers": 100, "n_days": 7, "n_test_days": 7}
    >>> plan = plan_blocks(params, np.random.default_rng(2))
    >>> whole, _ = plan.rows("train", 0, plan.n_rows("train"))
    >>> pieces = [plan.rows("train", start, min(start + 97, len(whole)))[0] for start in range(0, len(whole), 97)]
    >>> pd.concat(pieces, ignore_index=True).equals(whole)
    True
    """

    target: str = "is_fraud"
    id_column: str = "transaction_id"
    cost_column: str | None = "amount"

    def __init__(self, params: dict[str, object], seed_seq: np.random.SeedSequence) -> None:
        self._params = params
        self._seed_seq = seed_seq
        self.settings = _Settings.from_params(params, SCENARIO)
        self.settings.check_period()
        self._reset()

    def _reset(self) -> None:
        self._world: _World | None = None
        self._fraud: _Log | None = None
        self._fraud_days: np.ndarray | None = None
        self._day_rows: np.ndarray | None = None
        self._kept: dict[int, tuple[_Log, np.ndarray]] = {}

    def __getstate__(self) -> dict[str, object]:
        # Parameters, seed and the days' row counts (a few kilobytes): the rest is recomputed where it is used.
        return {"params": self._params, "seed_seq": self._seed_seq, "day_rows": self.day_rows}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["params"], state["seed_seq"])  # type: ignore[misc]
        self._day_rows = state["day_rows"]  # type: ignore[assignment]

    # -- the counts --------------------------------------------------------------

    def n_rows(self, frame: str) -> int:
        """Rows of ``"train"`` or ``"test"``, from the days' counts (nothing else is drawn)."""
        first, last = self._days_of(frame)
        return int(self.day_rows[first:last].sum())

    @property
    def day_rows(self) -> np.ndarray:
        """Transactions of every simulated day, gap included: the day's genuine payments and its frauds."""
        if self._day_rows is None:
            fraud_rows = np.diff(self._fraud_bounds)
            genuine = [int(self._genuine_counts(day)[1].sum()) for day in range(self.settings.n_total)]
            self._day_rows = np.asarray(genuine, dtype=np.int64) + fraud_rows
        return self._day_rows

    def info(self, n_train: int, n_test: int, train_positives: int) -> dict[str, object]:
        """Data-card facts: ``fraud-v1``'s, from the counts."""
        no_rows = pd.DataFrame({self.target: np.empty(0, dtype=np.int8)})
        facts = _info(self.settings, no_rows, no_rows)
        facts.update(n_train=n_train, n_test=n_test, train_fraud_rate=train_positives / n_train if n_train else 0.0)
        return facts

    def tables(self) -> dict[str, pd.DataFrame]:
        """No side tables: a fraud log is one frame."""
        return {}

    # -- the rows ----------------------------------------------------------------

    def rows(self, frame: str, start: int, stop: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rows ``start:stop`` of ``frame`` (target included) and their truth: only the days they fall on are drawn."""
        first, last = self._days_of(frame)
        n_rows = self.n_rows(frame)
        if not 0 <= start <= stop <= n_rows:
            raise IndexError(f"{SCENARIO}: rows {start}:{stop} of {frame!r}, which holds {n_rows:,} rows.")
        before = np.concatenate([[0], np.cumsum(self.day_rows[first:last])])  # rows before each day of the frame
        from_day = min(first + int(np.searchsorted(before, start, side="right")) - 1, last - 1)
        to_day = max(first + int(np.searchsorted(before, stop, side="left")), from_day + 1)
        days = [self._day(day) for day in range(from_day, to_day)]
        offset = int(before[from_day - first])
        logs = [log for log, _ in days]
        log = _Log(*(np.concatenate([getattr(part, name) for part in logs]) for name in _Log.__slots__))
        label = np.concatenate([labels for _, labels in days])
        first_row = int(self.day_rows[:from_day].sum())  # transactions before from_day, gap included
        labelled = _Labelled(
            log=log,
            label=label,
            ids=self._id_base + first_row + np.arange(log.t.size, dtype=np.int64),
            timestamps=to_datetime(self.settings.start, log.t),
        )
        return _frames(self.world, labelled, slice(start - offset, stop - offset))

    def _days_of(self, frame: str) -> tuple[int, int]:
        settings = self.settings
        if frame == "train":
            return 0, settings.n_days
        if frame == "test":
            return settings.n_days + settings.delay, settings.n_total
        raise ValueError(f"{SCENARIO}: frame must be 'train' or 'test'; got {frame!r}.")

    def _day(self, day: int) -> tuple[_Log, np.ndarray]:
        """One day's transactions in time order, and their labels."""
        if day not in self._kept:
            if len(self._kept) >= _KEPT_DAYS:
                del self._kept[next(iter(self._kept))]
            genuine = self._genuine(day)
            _skimmers(self.world, genuine, self.settings.n_total, self._rate(_RATE_SKIMMER), self._stream(_SKIMMERS))
            low, high = self._fraud_bounds[day : day + 2]
            fraud = _Log(*(getattr(self.fraud, name)[low:high] for name in _Log.__slots__))
            log = _merge([genuine, fraud], self.settings.n_total)
            label = (self._stream(_LABELS, day).random(log.t.size) < log.probability).astype(np.int8)
            self._kept[day] = (log, label)
        return self._kept[day]

    def _genuine_counts(self, day: int) -> tuple[np.random.Generator, np.ndarray]:
        """The day's stream, and each customer's genuine payments that day: its first draw."""
        weekday = (self._first_day + EPOCH_WEEKDAY + day) % 7
        rng = self._stream(_GENUINE, day)
        return rng, rng.poisson(self.world.rate * _WEEKLY[weekday])

    def _genuine(self, day: int) -> _Log:
        """Customers' own payments on ``day``, with the background dispute probability."""
        rng, counts = self._genuine_counts(day)
        world = self.world
        customer = np.repeat(np.arange(counts.size), counts)
        n = customer.size
        t = day * DAY + _time_of_day(_LEGIT_HOUR_TABLE, n, rng)
        online = rng.random(n) < world.online_share[customer]
        terminal = _usual_terminals(world, customer, online, rng)  # a usual terminal or a new one, as fraud-v1
        amount = _amount(world, customer, terminal, 1.0, _AMOUNT_SIGMA, rng)
        dispute = self.settings.dispute_rate * world.dispute[customer] * (1.0 + _ONLINE_DISPUTE_BOOST * online)
        return _Log(t.astype(np.int64), customer, terminal, amount, np.minimum(dispute, 1.0), np.zeros(n, np.int8))

    # -- what every piece of work recomputes ---------------------------------------

    @property
    def world(self) -> _World:
        """Customers and terminals."""
        if self._world is None:
            self._world = _make_world(self.settings.n_customers, self.settings.n_terminals, self._stream(_WORLD))
        return self._world

    @property
    def fraud(self) -> _Log:
        """Every fraudster transaction of the period (stolen cards, card tests, takeovers), in time order."""
        if self._fraud is None:
            world, n_total = self.world, self.settings.n_total
            parts = [
                _compromised_cards(world, n_total, self._rate(_RATE_CARD), self._stream(_CARDS)),
                _card_testing(world, n_total, self._rate(_RATE_TESTING), self._stream(_TESTING)),
                _takeovers(world, n_total, self._rate(_RATE_TAKEOVER), self._stream(_TAKEOVERS)),
            ]
            self._fraud = _merge(parts, n_total)
        return self._fraud

    @property
    def _fraud_bounds(self) -> np.ndarray:
        """Index of each day's first fraudster transaction, and the end."""
        if self._fraud_days is None:
            midnights = np.arange(self.settings.n_total + 1, dtype=np.int64) * DAY
            self._fraud_days = np.searchsorted(self.fraud.t, midnights)
        return self._fraud_days

    @property
    def _id_base(self) -> int:
        return int(self._stream(_IDS).integers(*_ID_BASE_RANGE))

    @property
    def _first_day(self) -> int:
        return int(self.settings.start.astype("datetime64[D]").astype(np.int64))

    def _rate(self, per_day: float) -> float:
        return per_day * self.settings.intensity

    def _stream(self, *key: int) -> np.random.Generator:
        """The child stream of the generator's seed keyed by ``key``: fixed by the seed, not by the work's order."""
        root = self._seed_seq
        child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key), pool_size=root.pool_size)
        return np.random.default_rng(child)
