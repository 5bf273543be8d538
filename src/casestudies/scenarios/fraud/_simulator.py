"""Card-transaction fraud simulator behind the ``fraud-v1`` scenario.

.. versionadded:: 1.0

The story
---------
A card issuer's transaction log: ``n_days`` of training history, then a gap
of ``label_delay_days`` whose transactions are not given (their chargebacks
are not confirmed yet when the model is trained), then ``n_test_days`` to
score. At the defaults (2,000 customers, 56 + 7 + 14 days) that is about
220,000 training and 56,000 test transactions, 0.4--0.7 % of them fraud.

**World.** Terminals are shops scattered on a 100 x 100 map (90 %) or
online merchants (10 %, Zipf-like popularity); each has one of ten merchant
categories with its own typical amount. Customers carry a hidden profile:
daily activity (gamma, mean 2 transactions a day), share of online spending
(beta, mean 0.29), spending scale (lognormal, sigma 1) and a propensity to
dispute. Each lives near a home shop and has eight usual shops among the 16
nearest to it and four favourite online merchants, used with Zipf weights;
4 % of in-store and 20 % of online payments go somewhere new.

**Genuine activity.** Per customer and day, a Poisson number of payments
with a weekly cycle (busier Fridays and Saturdays, quieter Sundays) and a
daily cycle that is low between midnight and 6 am (2.5 % of payments).
Amounts are customer scale x category scale x lognormal noise (sigma 0.6),
in currency units with two decimals: right-skewed, mean about 2.3 times the median. Any genuine payment
may end in a chargeback with the small background probability
``dispute_rate`` (customer-specific, 1.5 times higher online).

**Fraud mechanisms.** Poisson processes whose rates scale with
``fraud_intensity`` and with the population, started before the first day
so the log opens in a steady state:

``compromised_terminal``
    A skimmer sits on a shop terminal for 21--35 days. Each genuine payment
    there is fraudulent with a terminal-specific probability (beta, mean
    0.6). Amounts and customers look normal; only the terminal's fraud
    record gives it away, and only once its labels are old enough to be
    known.
``compromised_card``
    A stolen card is used for 10--18 days, in sessions of one to four
    payments within an hour about every other day, at any hour, online
    (65 %, mostly electronics, digital goods, travel) or at shops anywhere
    on the map, for about five times the card's usual amount. The owner
    keeps using the card.
``card_testing``
    A bot checks a stolen card with 2--8 tiny online payments (0.50 to
    3.00) about a minute apart at one merchant, then cashes out with large
    online purchases within hours.
``account_takeover``
    Someone logs into an online account between midnight and 6 am and
    places two or more large orders within an hour.

**Labels are stochastic.** Each transaction has a true probability of
ending as a confirmed fraud chargeback given the full hidden state: 90 % for
a fraudster's purchase (not every fraud is reported), 60 % for a
card-testing probe, the skimmer's probability at a compromised terminal,
the dispute rate otherwise. ``is_fraud`` is a Bernoulli draw of it from its
own random stream. ``truth.probability`` is therefore the Bayes-optimal
score, but it uses hidden state (which cards and terminals are
compromised), so it is a clairvoyant upper bound (``oracle_observable`` is
False). ``truth.mechanism`` names the mechanism that set it (``none``: only
the dispute rate applies).

**What a model can see** is the raw log. The signal lives in histories: a
customer's usual amounts, hours and terminals, bursts of payments, and a
terminal's fraud share over labels at least ``label_delay_days`` old (see
:class:`~casestudies.scenarios.fraud.TransactionFeatures`). No raw column
reaches a ROC-AUC of 0.8 on its own. With the engineered features an
unlimited decision tree memorises the
training labels (average precision 1.0) and scores about 0.1 on test, the
logistic-regression baseline about 0.25--0.4, LightGBM about 0.45--0.6 (at
ROC-AUCs above 0.9), and the oracle about 0.85. Part of the gap to the oracle
cannot be closed: terminals skimmed since the last known label look clean.

Randomness: one child stream each for the world, genuine activity, every
mechanism, the labels and the id base, spawned from the ``rng`` argument
(named in ``_Streams``, in spawn order).
Transaction ids increase with time (gap included) from a seed-dependent
base. Generation is vectorised (discrete draws and normal noise use 2**16
quantile lookup tables), sorts once, by radix, and builds each column in time
order with as little fresh memory as it can (see
:mod:`~casestudies.scenarios.fraud._period`): about 0.03 s at the defaults.

References
----------
Le Borgne, Siblini, Lebichot, Bontempi, "Reproducible Machine Learning for
Credit Card Fraud Detection - Practical Handbook", 2022, chapter 3: the
simulator this story extends (customers and terminals on a map, skimmed
terminals, compromised cards, features with a 7-day label delay).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData, SizeEstimate
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.fraud._arrays import to_datetime
from casestudies.scenarios.fraud._period import (
    Columns,
    frames,
    genuine_columns,
    genuine_payments,
    genuine_times,
    labels,
    skim,
    time_order,
)
from casestudies.scenarios.fraud._traffic import (
    _RATE_CARD,
    _RATE_SKIMMER,
    _RATE_TAKEOVER,
    _RATE_TESTING,
    CATEGORIES,
    DAY,
    EPOCH_WEEKDAY,
    _card_testing,
    _compromised_cards,
    _Log,
    _make_world,
    _skimmer_schedule,
    _takeovers,
    _World,
)

__all__ = ["generate"]


_MECHANISM_HELP: dict[str, str] = {
    "none": "genuine transaction; only the small background dispute rate applies",
    "compromised_terminal": (
        "skimmer on a shop terminal for 21-35 days; each transaction there is "
        "fraudulent with a terminal-specific probability"
    ),
    "compromised_card": (
        "stolen card used by a fraudster for 10-18 days: inflated amounts at "
        "unusual terminals, often online, at any hour"
    ),
    "card_testing": "burst of tiny online payments within minutes, then large online purchases",
    "account_takeover": "night-time login to an online account, two or more large orders within an hour",
}
"""Weekday of 1970-01-01 (a Thursday; Monday = 0), to turn days since the epoch into weekdays."""
_ID_BASE_RANGE: Final[tuple[int, int]] = (10**9, 9 * 10**9)
"""Range of the seed-dependent first transaction id: ids keep ten digits at any log size."""


_FIRST_MIDNIGHT: Final = np.datetime64(pd.Timestamp.min.ceil("D").date(), "s")
"""The first midnight pandas' nanosecond timestamps hold."""
_LAST_MIDNIGHT: Final = np.datetime64(pd.Timestamp.max.floor("D").date(), "s")
"""The last midnight pandas' nanosecond timestamps hold."""


class _Streams(NamedTuple):
    """The generator's child streams, in spawn order: the order fixes which seed each concern gets."""

    world: np.random.Generator
    genuine: np.random.Generator
    skimmers: np.random.Generator
    cards: np.random.Generator
    card_testing: np.random.Generator
    takeovers: np.random.Generator
    labels: np.random.Generator
    ids: np.random.Generator

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> _Streams:
        """One child of ``rng`` per field, in field order."""
        return cls(*rng.spawn(len(cls._fields)))


@dataclass(frozen=True, slots=True)
class _Settings:
    """The generator's parameters, typed."""

    n_customers: int
    n_terminals: int
    n_days: int  # training days
    n_test_days: int
    delay: int  # label delay: days between train and test
    intensity: float  # multiplier on every fraud mechanism's rate
    dispute_rate: float
    start: np.datetime64  # midnight of the first day, datetime64[s]
    scenario: str = "fraud-v1"  # the id its messages name

    @classmethod
    def from_params(cls, params: Mapping[str, object], scenario: str = "fraud-v1") -> _Settings:
        """Read the validated parameters of ``fraud-v1.toml`` (or of a scenario sharing them)."""
        return cls(
            n_customers=int(params["n_customers"]),  # type: ignore[call-overload]
            n_terminals=int(params["n_terminals"]),  # type: ignore[call-overload]
            n_days=int(params["n_days"]),  # type: ignore[call-overload]
            n_test_days=int(params["n_test_days"]),  # type: ignore[call-overload]
            delay=int(params["label_delay_days"]),  # type: ignore[call-overload]
            intensity=float(params["fraud_intensity"]),  # type: ignore[arg-type]
            dispute_rate=float(params["dispute_rate"]),  # type: ignore[arg-type]
            start=_parse_date(str(params["start_date"]), scenario),
            scenario=scenario,
        )

    def check_period(self) -> None:
        """Raise :class:`InvalidParameterError` unless every simulated day fits pandas' ``Timestamp`` range.

        Timestamps are nanoseconds in an int64: outside 1677-09-21 .. 2262-04-11
        they wrap around silently (a 9999 start gives 1816, a 2262 one puts the
        test weeks before the training weeks).
        """
        first_day, last_end = _FIRST_MIDNIGHT, _LAST_MIDNIGHT
        end = self.start + np.timedelta64(self.n_total, "D")  # midnight after the last simulated day
        if first_day <= self.start and end <= last_end:
            return
        latest = (last_end - np.timedelta64(self.n_total, "D")).astype("datetime64[D]")
        message = (
            f"{self.scenario}: start_date {self.start.astype('datetime64[D]')} plus the simulated period "
            f"(n_days {self.n_days} + label_delay_days {self.delay} + n_test_days {self.n_test_days} = "
            f"{self.n_total} days) must lie between {first_day.astype('datetime64[D]')} and "
            f"{last_end.astype('datetime64[D]')}, the days pandas timestamps can hold. "
            f"Choose a start_date from {first_day.astype('datetime64[D]')} to {latest}, or fewer days."
        )
        raise InvalidParameterError(message)

    @property
    def n_total(self) -> int:
        """Days simulated: training, gap and test."""
        return self.n_days + self.delay + self.n_test_days


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Simulate a card issuer's transaction log with labelled fraud.

    Parameters
    ----------
    params : Mapping
        Validated values of every parameter declared in ``fraud-v1.toml``:
        ``n_customers``, ``n_terminals``, ``n_days`` (training days),
        ``n_test_days``, ``label_delay_days`` (gap between train and test),
        ``fraud_intensity`` (multiplier on every fraud mechanism's rate),
        ``dispute_rate`` (background chargeback probability of a genuine
        transaction) and ``start_date`` (ISO date of the first day).
    rng : numpy.random.Generator
        Source of all randomness; child streams are spawned per concern.

    Returns
    -------
    ScenarioData
        ``train`` and ``test`` logs sorted by time, the hidden ``truth`` and
        ``train_truth`` (true probability and mechanism per row) and data-card
        ``info``.

    Raises
    ------
    InvalidParameterError
        If ``start_date`` is not an ISO date, or the simulated period (from
        ``start_date``, ``n_days + label_delay_days + n_test_days`` days long)
        does not fit pandas' ``Timestamp`` range, 1677-09-22 to 2262-04-11.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_customers=200, n_terminals=300, n_days=28, n_test_days=7,
    ...               label_delay_days=7, fraud_intensity=1.0, dispute_rate=5e-4,
    ...               start_date="2025-01-06")
    >>> data = generate(params, np.random.default_rng(0))
    >>> list(data.train.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['transaction_id', 'timestamp', 'customer_id', 'terminal_id', 'amount',
     'merchant_category', 'channel', 'is_fraud']
    """
    settings = _Settings.from_params(params)
    settings.check_period()
    streams = _Streams.spawn(rng)
    world = _make_world(settings.n_customers, settings.n_terminals, streams.world)
    columns, n_train = _whole_log(world, settings, streams)
    train, train_truth = frames(world, columns[:n_train])
    test, truth = frames(world, columns[n_train:])
    return ScenarioData(
        train=train,
        test=test,
        target="is_fraud",
        id_column="transaction_id",
        truth=truth,
        train_truth=train_truth,
        cost_column="amount",
        info=_info(settings, train, test),
        oracle_observable=False,
    )


def _whole_log(world: _World, settings: _Settings, streams: _Streams) -> tuple[Columns, int]:
    """The training and test rows of the period's log, in time order, and the number of training rows.

    The rows of ``_merge`` of the genuine payments (skimmers applied) and of
    every mechanism's transactions, labelled, numbered and timestamped as if
    the whole log were: see :mod:`~casestudies.scenarios.fraud._period` for
    the order the columns are built in.
    """
    n_total, intensity = settings.n_total, settings.intensity
    first_day = settings.start.astype("datetime64[D]").astype(np.int64)
    weekday = (first_day + EPOCH_WEEKDAY + np.arange(n_total)) % 7
    t, counts = genuine_times(world, weekday, streams.genuine)
    parts = [
        _compromised_cards(world, n_total, _RATE_CARD * intensity, streams.cards),
        _card_testing(world, n_total, _RATE_TESTING * intensity, streams.card_testing),
        _takeovers(world, n_total, _RATE_TAKEOVER * intensity, streams.takeovers),
    ]
    fraud = _Log(*(np.concatenate([getattr(part, field) for part in parts]) for field in _Log.__slots__))
    test_start = settings.n_days + settings.delay
    order = time_order(t, fraud.t, (settings.n_days * DAY, test_start * DAY, n_total * DAY))
    seconds = order.take(t, fraud.t)
    del t  # each column in customer order is dropped once in time order: fresh memory costs page faults
    customer, terminal, noise = genuine_payments(world, counts, streams.genuine)
    customer = order.take(customer, fraud.customer)
    terminal = order.take(terminal, fraud.terminal)
    noise = np.take(noise, order.rows, mode="clip")  # the fraud rows' amounts are put in place below
    fraud_at, fraud_rows, n_train, n_gap = order.fraud_at, order.fraud_rows, order.n_train, order.n_gap
    del order  # its rows keep the whole sort alive
    amount, probability = genuine_columns(world, customer, terminal, noise, settings.dispute_rate)
    del noise
    skimmers = _skimmer_schedule(world, n_total, _RATE_SKIMMER * intensity, streams.skimmers)
    mechanism = skim(skimmers, seconds, terminal, probability)
    # The fraudsters' rows, over the genuine payments' values computed there (skimmers included).
    for column, values in ((amount, fraud.amount), (probability, fraud.probability), (mechanism, fraud.mechanism)):
        column[fraud_at] = values[fraud_rows]
    amount /= 100.0
    label = labels(probability, n_train, n_gap, streams.labels)
    # Ids follow the issuer's sequence, gap included, from a seed-dependent base.
    ids = np.arange(seconds.size, dtype=np.int64)
    ids += streams.ids.integers(*_ID_BASE_RANGE)
    ids[n_train:] += n_gap
    timestamps = to_datetime(settings.start, seconds, out=seconds)
    return Columns(ids, timestamps, customer, terminal, amount, label, probability, mechanism), n_train


@dataclass(frozen=True, slots=True)
class _Labelled:
    """The whole simulated log with its drawn labels, transaction ids and timestamps."""

    log: _Log
    label: np.ndarray
    ids: np.ndarray
    timestamps: np.ndarray


def _frames(world: _World, labelled: _Labelled, rows: slice) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public log and the hidden truth of a slice of the labelled log."""
    log = labelled.log
    columns = Columns(
        ids=labelled.ids[rows],
        timestamps=labelled.timestamps[rows],
        customer=log.customer[rows],
        terminal=log.terminal[rows],
        amount=log.amount[rows] / 100.0,
        label=labelled.label[rows],
        probability=log.probability[rows],
        mechanism=log.mechanism[rows],
    )
    return frames(world, columns)


def _info(settings: _Settings, train: pd.DataFrame, test: pd.DataFrame) -> dict[str, object]:
    """Facts for the data card."""
    day = np.timedelta64(1, "D")
    start_day = settings.start.astype("datetime64[D]")
    n_days, delay = settings.n_days, settings.delay
    return {
        "n_train": len(train),
        "n_test": len(test),
        "n_customers": settings.n_customers,
        "n_terminals": settings.n_terminals,
        "train_start": str(start_day),
        "train_end": str(start_day + n_days * day - day),
        "gap_days": delay,
        "test_start": str(start_day + (n_days + delay) * day),
        "test_end": str(start_day + (settings.n_total - 1) * day),
        "label_delay_days": delay,
        # The mean of the 0/1 labels: their count over the rows (a float64 sum of 0s and 1s is exact).
        "train_fraud_rate": int(np.count_nonzero(train["is_fraud"].to_numpy())) / len(train) if len(train) else 0.0,
        "amount_unit": "currency units, two decimals",
        "merchant_categories": list(CATEGORIES),
        "mechanisms": dict(_MECHANISM_HELP),
    }


def _parse_date(value: str, scenario: str) -> np.datetime64:
    """Midnight of an ISO date, as ``datetime64[s]``."""
    try:
        midnight: np.datetime64 = np.datetime64(value, "D").astype("datetime64[s]")
    except (ValueError, OverflowError) as err:
        message = f"{scenario}: start_date must be an ISO date like '2025-01-06'; got {value!r}."
        raise InvalidParameterError(message) from err
    return midnight


MEAN_DAILY_PAYMENTS: Final[float] = 2.0
"""Mean genuine payments per customer and day (the gamma(2, 1) activity above); fraud adds under 1 %."""

PEAK_BYTES_PER_PAYMENT: Final[int] = 160
"""Peak memory of ``make`` per simulated payment, the Case's copies included: 148-197 bytes measured at
0.5-2.4 million rows (the fixed cost weighs less as the log grows), 138 at 45.7 million."""


def estimate_size(params: Mapping[str, object]) -> SizeEstimate:
    """Rows and peak memory of a ``fraud-v1`` parameter set, without generating it (the memory guard's hook).

    Rows are customers x (training + test days) x the mean daily payments; the
    label-delay gap is simulated too, so it counts towards memory.

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scenarios.fraud._simulator import estimate_size
    >>> estimate = estimate_size(cs.spec("fraud-v1").defaults)
    >>> estimate.rows
    280000
    """
    customers = int(params["n_customers"])  # type: ignore[call-overload]
    days = int(params["n_days"]) + int(params["n_test_days"])  # type: ignore[call-overload]
    simulated = days + int(params["label_delay_days"])  # type: ignore[call-overload]
    rows = round(customers * days * MEAN_DAILY_PAYMENTS)
    peak = round(customers * simulated * MEAN_DAILY_PAYMENTS) * PEAK_BYTES_PER_PAYMENT
    detail = f"{customers:,} customers x {days} days x {MEAN_DAILY_PAYMENTS:g} payments a day"
    return SizeEstimate(rows, peak, detail)
