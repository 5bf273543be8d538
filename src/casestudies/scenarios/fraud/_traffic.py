"""The fraud world and its traffic: customers and terminals, genuine payments, the four fraud mechanisms.

Every fraud scenario draws from these pieces: ``fraud-v1`` the whole period
at once (:mod:`~casestudies.scenarios.fraud._simulator`), ``fraud-v2`` a day
at a time (:mod:`~casestudies.scenarios.fraud._daily`), and the redraws of
the lessons (:mod:`~casestudies.scenarios.fraud._redraw`). The story and the
published facts behind the numbers are told in ``_simulator``'s docstring.
A log is a :class:`_Log` of columns; parts (genuine payments, each
mechanism's) are merged in time order by :func:`_merge`.

Examples
--------
>>> import numpy as np
>>> world = _make_world(50, 80, np.random.default_rng(0))
>>> weekday = np.arange(7) % 7
>>> log = _genuine(world, weekday, 5e-4, np.random.default_rng(1))
>>> bool((log.t >= 0).all() and (log.t < 7 * DAY).all()), int(log.mechanism.max())
(True, 0)
>>> MECHANISMS[0], CATEGORIES[0]
('none', 'grocery')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.special import ndtri

from casestudies.scenarios.fraud._arrays import CHUNK_ROWS, Merge, chunks, quantile_index

__all__ = ["CATEGORIES", "CATEGORY_DTYPE", "CHANNELS", "DAY", "EPOCH_WEEKDAY", "HOUR", "MECHANISMS"]

CATEGORIES: tuple[str, ...] = (
    "grocery",
    "restaurant",
    "fuel",
    "pharmacy",
    "apparel",
    "electronics",
    "travel",
    "entertainment",
    "digital_goods",
    "home_garden",
)
"""Fixed category list of the ``merchant_category`` column."""

CHANNELS: tuple[str, ...] = ("in_store", "online")
"""Fixed category list of the ``channel`` column."""

MECHANISMS: tuple[str, ...] = (
    "none",
    "compromised_terminal",
    "compromised_card",
    "card_testing",
    "account_takeover",
)
"""Fixed category list of ``truth.mechanism``."""

CATEGORY_DTYPE: Final = pd.CategoricalDtype(list(CATEGORIES))
"""Dtype of the ``merchant_category`` column (the features read its codes)."""
_CHANNEL_DTYPE: Final = pd.CategoricalDtype(list(CHANNELS))
_MECHANISM_DTYPE: Final = pd.CategoricalDtype(list(MECHANISMS))


DAY: Final[int] = 86_400
"""Seconds in a day: the log's times are int64 seconds from midnight of the first day."""
HOUR: Final[int] = 3_600
"""Seconds in an hour."""
EPOCH_WEEKDAY: Final[int] = 3
# Merchant categories: typical amount in currency units, share among shops,
# share among online merchants, attractiveness to fraudsters.
_CAT_SCALE = np.array([30.0, 25.0, 40.0, 20.0, 50.0, 90.0, 120.0, 30.0, 15.0, 55.0])
_CAT_STORE = np.array([0.25, 0.22, 0.12, 0.08, 0.10, 0.04, 0.02, 0.07, 0.0, 0.10])
_CAT_ONLINE = np.array([0.06, 0.08, 0.0, 0.03, 0.20, 0.15, 0.12, 0.10, 0.20, 0.06])
_CAT_FRAUD = np.array([0.3, 0.3, 0.3, 0.3, 1.0, 4.0, 2.0, 0.7, 3.0, 1.0])
# Relative genuine activity by hour of day and by weekday (Monday first).
_LEGIT_HOURS = np.array(
    [0.8, 0.45, 0.3, 0.25, 0.3, 0.6, 1.6, 3.2, 4.6, 5.0, 5.4, 6.0,
     6.8, 6.4, 5.8, 5.8, 6.2, 6.8, 7.0, 6.6, 5.6, 4.4, 3.0, 1.7]
)  # fmt: skip
_WEEKLY = np.array([0.96, 0.97, 0.99, 1.0, 1.08, 1.12, 0.88])
_ONLINE_TERMINAL_SHARE = 0.1
_MAP_SIZE: Final[float] = 100.0  # shops lie on a _MAP_SIZE x _MAP_SIZE square
_ZIPF_EXPONENT: Final[float] = 0.8  # popularity of the online merchant of rank r is r ** -_ZIPF_EXPONENT
_N_USUAL_SHOPS, _N_USUAL_ONLINE, _N_NEIGHBOURS = 8, 4, 16
_P_NEW_SHOP, _P_NEW_ONLINE = 0.04, 0.2
_AMOUNT_SIGMA = 0.6
_MIN_AMOUNT_CENTS: Final[float] = 25.0  # smallest payment a terminal accepts (0.25)
_ONLINE_DISPUTE_BOOST: Final[float] = 0.5  # genuine online payments are disputed 1.5 times as often
# Mechanism rates per day, per shop terminal (skimmers) or per customer.
_RATE_SKIMMER = 1.2e-4
_RATE_CARD = 3.5e-4
_RATE_TESTING = 3.0e-4
_RATE_TAKEOVER = 4.5e-4
# Probability that a fraudster transaction ends as a confirmed chargeback.
_REPORT_FRAUD, _REPORT_PROBE = 0.9, 0.6
# How the mechanisms behave (see the module docstring).
_SKIMMER_DAYS: Final[tuple[int, int]] = (21, 35)  # a skimmer stays on its terminal for this many days
_CARD_DAYS: Final[tuple[int, int]] = (10, 18)  # a stolen card is used for this many days
_P_ONLINE_CARD_FRAUD: Final[float] = 0.65  # share of a stolen card's payments made online
_CARD_AMOUNT_FACTOR: Final[float] = 5.0  # a stolen card spends this many times the owner's usual amount
_CASH_OUT_FACTOR: Final[float] = 4.0  # large online orders after card testing or a takeover, times usual
_FRAUD_AMOUNT_SIGMA: Final[float] = 0.5  # lognormal noise of fraudsters' amounts
_PROBE_CENTS: Final[tuple[int, int]] = (50, 301)  # card-testing probes cost 0.50 to 3.00 (upper end excluded)
_MAX_EXTRA_PROBES: Final[int] = 6  # a bot makes 2 + min(Poisson, this) probes: 2 to 8


@dataclass(frozen=True, slots=True)
class _World:
    """Hidden population: customer profiles and terminals."""

    rate: np.ndarray  # genuine transactions per day, per customer
    online_share: np.ndarray
    scale: np.ndarray  # spending scale per customer
    dispute: np.ndarray  # dispute propensity per customer (mean 1)
    usual: np.ndarray  # (n_customers, usual shops + usual online merchants) terminal ids
    shops: np.ndarray  # terminal ids of shops
    online: np.ndarray  # terminal ids of online merchants
    online_cdf: np.ndarray  # popularity of online merchants, cumulative
    fraud_cdf: np.ndarray  # fraudsters' choice of online merchants, cumulative
    category: np.ndarray  # category code per terminal id
    is_online: np.ndarray  # bool per terminal id


@dataclass(slots=True)
class _Log:
    """Columns of a batch of transactions (times in seconds from the start)."""

    t: np.ndarray
    customer: np.ndarray
    terminal: np.ndarray
    amount: np.ndarray
    probability: np.ndarray
    mechanism: np.ndarray


def _merge(parts: list[_Log], n_total: int, *, release: bool = False) -> _Log:
    """The parts' transactions inside the ``n_total`` days, in time order (``release``: empty the parts as merged)."""

    def column(field: str) -> list[np.ndarray]:
        columns = [getattr(part, field) for part in parts]
        for part in parts if release else ():
            setattr(part, field, np.empty(0, getattr(part, field).dtype))
        return columns

    # Ordered by (time, position): a stable sort of the times gives the same order on any machine.
    head = parts[0].t.size
    merge = Merge.of(np.concatenate(column("t")), head=head, low=0, high=n_total * DAY)
    return _Log(merge.keys, *(merge.take(column(field)) for field in _Log.__slots__[1:]))


def _make_world(n_customers: int, n_terminals: int, rng: np.random.Generator) -> _World:
    """Draw customer profiles, terminals and each customer's usual terminals."""
    n_online = min(max(1, round(_ONLINE_TERMINAL_SHARE * n_terminals)), n_terminals - 1)
    is_online = np.zeros(n_terminals, dtype=bool)
    is_online[rng.choice(n_terminals, n_online, replace=False)] = True
    shops, online = np.flatnonzero(~is_online), np.flatnonzero(is_online)
    category = np.empty(n_terminals, dtype=np.int8)
    category[shops] = rng.choice(len(CATEGORIES), shops.size, p=_CAT_STORE / _CAT_STORE.sum())
    category[online] = rng.choice(len(CATEGORIES), n_online, p=_CAT_ONLINE / _CAT_ONLINE.sum())
    popularity = 1.0 / rng.permutation(np.arange(1, n_online + 1)) ** _ZIPF_EXPONENT
    online_cdf = _cdf(popularity)
    fraud_cdf = _cdf(popularity * _CAT_FRAUD[category[online]])

    # Customers live near a home shop and use shops among its nearest neighbours.
    shop_xy = rng.uniform(0, _MAP_SIZE, (shops.size, 2))
    k = min(_N_NEIGHBOURS, shops.size)
    home = rng.integers(0, shops.size, n_customers)
    homes, where = np.unique(home, return_inverse=True)  # only shops someone lives near need their neighbours
    neighbours = cKDTree(shop_xy).query(shop_xy[homes], k=k)[1].reshape(homes.size, k)
    usual_shops = shops[neighbours[where.reshape(n_customers, 1), rng.integers(0, k, (n_customers, _N_USUAL_SHOPS))]]
    usual_online = online[quantile_index(online_cdf, rng.random((n_customers, _N_USUAL_ONLINE)))]
    return _World(
        rate=rng.gamma(2.0, 1.0, n_customers),
        online_share=rng.beta(2.0, 5.0, n_customers),
        scale=rng.lognormal(0.0, 1.0, n_customers),
        dispute=rng.gamma(0.5, 2.0, n_customers),
        # Slot _N_USUAL_SHOPS (new shop) and the last (new merchant) are overwritten.
        usual=np.hstack([usual_shops, usual_shops[:, :1], usual_online, usual_online[:, :1]]),
        shops=shops,
        online=online,
        online_cdf=online_cdf,
        fraud_cdf=fraud_cdf,
        category=category,
        is_online=is_online,
    )


def _cdf(weights: np.ndarray) -> np.ndarray:
    """Normalised cumulative weights, for inverse-CDF sampling."""
    cdf: np.ndarray = np.cumsum(weights)
    cdf /= cdf[-1]
    return cdf


def _table(weights: np.ndarray) -> np.ndarray:
    """Lookup table for fast sampling: entry ``u`` is the outcome of quantile ``u / 2**16``."""
    return np.searchsorted(_cdf(weights), (np.arange(1 << 16) + 0.5) / (1 << 16))


def _draw(table: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` outcomes from a :func:`_table` (probabilities exact to 2**-16)."""
    return table[rng.integers(0, 1 << 16, n, dtype=np.uint16)]


def _slot_table(k: int, p_new: float) -> np.ndarray:
    """Usual-terminal slot ``0..k-1`` with Zipf weights, or ``k`` for a new one."""
    zipf = 1.0 / np.arange(1, k + 1)
    slots: np.ndarray = _table(np.r_[(1 - p_new) * zipf / zipf.sum(), p_new]).astype(np.int8)  # draws of 1 byte
    return slots


_NORMAL_TABLE = ndtri((np.arange(1 << 16) + 0.5) / (1 << 16))  # N(0, 1) quantiles
_SHOP_SLOTS = _slot_table(_N_USUAL_SHOPS, _P_NEW_SHOP)
_ONLINE_SLOTS = _slot_table(_N_USUAL_ONLINE, _P_NEW_ONLINE)
_LEGIT_HOUR_TABLE = _table(_LEGIT_HOURS)
_FRAUD_HOUR_TABLE = _table(_LEGIT_HOURS / _LEGIT_HOURS.sum() + 1.0 / 24)


def _time_of_day(table: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight: hour drawn from ``table``, uniform within the hour."""
    seconds: np.ndarray = _draw(table, n, rng) * HOUR
    seconds += rng.integers(0, HOUR, n, dtype=np.int32)  # the same draws as int64, in half the memory
    return seconds


def _amount(
    world: _World, customer: np.ndarray, terminal: np.ndarray, median: float, sigma: float,
    rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Amounts in whole cents (the log shows them / 100): customer scale x category scale x lognormal noise."""
    noise = _draw(_noise_table(median, sigma), customer.size, rng)
    cents: np.ndarray = world.scale[customer] * _CAT_SCALE[world.category][terminal]
    cents *= noise
    np.round(cents, out=cents)
    np.maximum(cents, _MIN_AMOUNT_CENTS, out=cents)
    return cents


@functools.cache
def _noise_table(median: float, sigma: float) -> np.ndarray:
    """Lognormal noise in cents per quantile of :data:`_NORMAL_TABLE` (one ``exp`` per quantile, not per payment)."""
    return np.exp(np.log(median * 100) + sigma * _NORMAL_TABLE)  # type: ignore[no-any-return]


def _random_shops(world: _World, n: int, rng: np.random.Generator) -> np.ndarray:
    """Shops drawn uniformly, wherever they are."""
    return world.shops[rng.integers(0, world.shops.size, n)]


def _popular_merchants(world: _World, n: int, rng: np.random.Generator) -> np.ndarray:
    """Online merchants drawn by popularity."""
    merchants: np.ndarray = world.online[quantile_index(world.online_cdf, rng.random(n))]
    return merchants


def _fraud_terminal(world: _World, p_online: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Terminals a fraudster picks: attractive merchants online, any shop otherwise."""
    online = world.online[np.searchsorted(world.fraud_cdf, rng.random(n))]
    shop = world.shops[rng.integers(0, world.shops.size, n)]
    return np.where(rng.random(n) < p_online, online, shop)


def _fraud_log(
    t: np.ndarray, customer: np.ndarray, terminal: np.ndarray, amount: np.ndarray,
    probability: float, mechanism: str,
) -> _Log:  # fmt: skip
    """A batch of fraudster transactions sharing one probability and mechanism."""
    return _Log(
        t=np.floor(t).astype(np.int64),
        customer=customer,
        terminal=terminal,
        amount=amount,
        probability=np.full(t.size, probability),
        mechanism=np.full(t.size, MECHANISMS.index(mechanism), dtype=np.int8),
    )


def _genuine(world: _World, weekday: np.ndarray, dispute_rate: float, rng: np.random.Generator) -> _Log:
    """Customers' own transactions, with the background dispute probability."""
    # Poisson process per customer at the peak weekday rate, thinned by weekday.
    peak = _WEEKLY.max()
    customer = np.repeat(np.arange(world.rate.size), rng.poisson(world.rate * peak * weekday.size))
    day = rng.integers(0, weekday.size, customer.size, dtype=np.int32)  # the int64 draws, in half the memory
    kept = rng.random(customer.size) < (_WEEKLY[weekday] / peak)[day]
    customer, day = np.compress(kept, customer), np.compress(kept, day)  # faster than a boolean index
    n = customer.size
    t = _time_of_day(_LEGIT_HOUR_TABLE, n, rng)
    t += np.multiply(day, DAY, out=day)  # in place, and temporaries dropped early: fresh memory costs page faults
    del day
    online = rng.random(n) < world.online_share[customer]
    terminal = _usual_terminals(world, customer, online, rng)
    amount = _amount(world, customer, terminal, 1.0, _AMOUNT_SIGMA, rng)
    probability = world.dispute[customer]  # dispute_rate x dispute x (1 + boost if online), at most 1
    probability *= dispute_rate
    probability *= online * _ONLINE_DISPUTE_BOOST + 1.0
    np.minimum(probability, 1.0, out=probability)
    return _Log(t, customer, terminal, amount, probability, np.zeros(n, dtype=np.int8))


def _usual_terminals(world: _World, customer: np.ndarray, online: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each payment's terminal: a usual one (shops first, then online merchants, Zipf weights) or a new one."""
    n = customer.size
    shop_draw = rng.integers(0, 1 << 16, n, dtype=np.uint16)  # the draws of _draw(_SHOP_SLOTS, n, rng)
    online_draw = rng.integers(0, 1 << 16, n, dtype=np.uint16)
    terminal = np.empty(n, dtype=np.int64)
    new_shop, new_online = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
    width = world.usual.shape[1]
    usual = world.usual.ravel()
    index = np.empty(min(n, CHUNK_ROWS), dtype=np.int64)
    for rows in chunks(n):  # a chunk's temporaries stay in the cache
        shop_slot = np.take(_SHOP_SLOTS, shop_draw[rows].astype(np.intp))
        online_slot = np.take(_ONLINE_SLOTS, online_draw[rows].astype(np.intp))
        # The slot: after the usual shops if online, else the shop slot (arithmetic: far faster than np.where).
        slot = online_slot + (_N_USUAL_SHOPS + 1)
        slot -= shop_slot
        slot *= online[rows].view(np.int8)
        slot += shop_slot
        # A new shop is the shop slot past the usual ones, a new merchant the last online slot.
        np.equal(slot, _N_USUAL_SHOPS, out=new_shop[rows])
        np.equal(slot, _N_USUAL_SHOPS + 1 + _N_USUAL_ONLINE, out=new_online[rows])
        at = index[: rows.stop - rows.start]
        np.multiply(customer[rows], width, out=at)
        at += slot
        np.take(usual, at, out=terminal[rows])
    del shop_draw, online_draw
    at_new_shop, at_new_online = np.flatnonzero(new_shop), np.flatnonzero(new_online)
    terminal[at_new_shop] = _random_shops(world, at_new_shop.size, rng)
    terminal[at_new_online] = _popular_merchants(world, at_new_online.size, rng)
    return terminal


class _Skimmers(NamedTuple):
    """Skimmed shop terminals: which, from when to when (seconds from the first day), how often they strike."""

    slot: np.ndarray  # per terminal id: its skimmer's index, or the number of skimmers if it has none
    onset: np.ndarray
    end: np.ndarray
    q: np.ndarray  # probability that a payment at the terminal during the period is fraudulent

    @property
    def size(self) -> int:
        """Number of skimmers."""
        return self.q.size


def _skimmer_schedule(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Skimmers:
    """Compromise shop terminals for 21-35 days (every draw of the skimmers' stream)."""
    span = n_total + _SKIMMER_DAYS[1]
    n = min(int(rng.poisson(rate * world.shops.size * span)), world.shops.size)
    terminals = rng.choice(world.shops, n, replace=False)
    onset = rng.uniform(-_SKIMMER_DAYS[1], n_total, n) * DAY
    end = onset + rng.uniform(*_SKIMMER_DAYS, n) * DAY
    q = rng.beta(3.0, 2.0, n)
    slot = np.full(world.category.size, n)  # n = "not compromised"
    slot[terminals] = np.arange(n)
    return _Skimmers(slot, onset, end, q)


def _skim(
    skimmers: _Skimmers, t: np.ndarray, terminal: np.ndarray, probability: np.ndarray, mechanism: np.ndarray
) -> None:
    """Update a log of genuine payments in place where a skimmer strikes: its ``probability`` and ``mechanism``."""
    # Only the few rows at a compromised terminal are compared with its period.
    at = np.flatnonzero(np.take(skimmers.slot < skimmers.size, terminal))
    s = skimmers.slot[terminal[at]]
    inside = (t[at] >= skimmers.onset[s]) & (t[at] < skimmers.end[s])
    hit = at[inside]
    probability[hit] = 1.0 - (1.0 - skimmers.q[s[inside]]) * (1.0 - probability[hit])
    mechanism[hit] = MECHANISMS.index("compromised_terminal")


def _skimmers(world: _World, log: _Log, n_total: int, rate: float, rng: np.random.Generator) -> None:
    """Compromise shop terminals for 21-35 days; update ``log`` in place."""
    _skim(_skimmer_schedule(world, n_total, rate, rng), log.t, log.terminal, log.probability, log.mechanism)


def _compromised_cards(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Log:
    """A fraudster spends each stolen card in short sessions for 10-18 days."""
    return _card_sessions(world, _card_schedule(world, n_total, rate, rng), rng)


class _Schedule(NamedTuple):
    """When a fraud mechanism strikes whom: its victims and their start times (part of the world)."""

    victim: np.ndarray
    start: np.ndarray  # days (stolen cards) or seconds (card testing, takeovers) from the first day
    duration: np.ndarray  # days a stolen card is used; empty for the other mechanisms


def _card_schedule(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Schedule:
    """Which cards are stolen, from which day, for how many days."""
    n_customers = world.rate.size
    n = min(int(rng.poisson(rate * n_customers * (n_total + _CARD_DAYS[1]))), n_customers)
    victim = rng.choice(n_customers, n, replace=False)
    onset = rng.uniform(-_CARD_DAYS[1], n_total, n)
    return _Schedule(victim, onset, rng.uniform(*_CARD_DAYS, n))


def _card_sessions(world: _World, schedule: _Schedule, rng: np.random.Generator) -> _Log:
    """The stolen cards' payments: sessions of one to four payments within an hour, about every other day."""
    victim, onset, duration = schedule
    n = victim.size
    card = np.repeat(np.arange(n), rng.poisson(rng.gamma(2.0, 0.25, n) * duration))
    day = np.floor(onset[card] + rng.random(card.size) * duration[card])
    start = day * DAY + _time_of_day(_FRAUD_HOUR_TABLE, card.size, rng)
    session = np.repeat(np.arange(card.size), 1 + rng.poisson(1.2, card.size))
    t = start[session] + rng.uniform(0, HOUR, session.size)
    customer = victim[card[session]]
    terminal = _fraud_terminal(world, _P_ONLINE_CARD_FRAUD, session.size, rng)
    amount = _amount(world, customer, terminal, _CARD_AMOUNT_FACTOR, _FRAUD_AMOUNT_SIGMA, rng)
    return _fraud_log(t, customer, terminal, amount, _REPORT_FRAUD, "compromised_card")


def _card_testing(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Log:
    """Bursts of tiny online probes a minute apart, then large purchases."""
    return _testing_bursts(world, _testing_schedule(world, n_total, rate, rng), rng)


def _testing_schedule(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Schedule:
    """Which cards a bot tests, and when (seconds from the first day)."""
    n_customers = world.rate.size
    n = int(rng.poisson(rate * n_customers * n_total))
    victim = rng.integers(0, n_customers, n)
    return _Schedule(victim, rng.uniform(0, n_total * DAY, n), np.empty(0))


def _testing_bursts(world: _World, schedule: _Schedule, rng: np.random.Generator) -> _Log:
    """The probes and cash-out purchases of every scheduled card test."""
    victim, start, _ = schedule
    n = victim.size
    n_probe = 2 + np.minimum(rng.poisson(2.5, n), _MAX_EXTRA_PROBES)
    probe_event = np.repeat(np.arange(n), n_probe)
    gaps = rng.exponential(45.0, probe_event.size)
    elapsed = np.cumsum(gaps)
    first = np.cumsum(n_probe) - n_probe
    elapsed -= np.repeat(elapsed[first] - gaps[first], n_probe)
    merchant = world.online[np.searchsorted(world.fraud_cdf, rng.random(n))]
    probes = _fraud_log(
        start[probe_event] + elapsed,
        victim[probe_event],
        merchant[probe_event],
        rng.integers(*_PROBE_CENTS, probe_event.size).astype(np.float64),
        _REPORT_PROBE,
        "card_testing",
    )
    n_buy = 1 + rng.poisson(0.8, n)
    buy_event = np.repeat(np.arange(n), n_buy)
    t_buy = start[buy_event] + 600 + rng.exponential(2 * HOUR, buy_event.size)
    terminal = _fraud_terminal(world, 1.0, buy_event.size, rng)
    amount = _amount(world, victim[buy_event], terminal, _CASH_OUT_FACTOR, _FRAUD_AMOUNT_SIGMA, rng)
    buys = _fraud_log(t_buy, victim[buy_event], terminal, amount, _REPORT_FRAUD, "card_testing")
    return _Log(*(np.concatenate([getattr(probes, f), getattr(buys, f)]) for f in _Log.__slots__))


def _takeovers(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Log:
    """Night-time online account takeovers: two or more large orders within an hour."""
    return _takeover_orders(world, _takeover_schedule(world, n_total, rate, rng), rng)


def _takeover_schedule(world: _World, n_total: int, rate: float, rng: np.random.Generator) -> _Schedule:
    """Whose account is taken over, and when (seconds from the first day, between midnight and 5 am)."""
    n_customers = world.rate.size
    n = int(rng.poisson(rate * n_customers * n_total))
    victim = rng.integers(0, n_customers, n)
    return _Schedule(victim, rng.integers(0, n_total, n) * DAY + rng.uniform(0, 5 * HOUR, n), np.empty(0))


def _takeover_orders(world: _World, schedule: _Schedule, rng: np.random.Generator) -> _Log:
    """The large online orders of every scheduled takeover."""
    victim, start, _ = schedule
    n = victim.size
    k = 2 + rng.poisson(1.0, n)
    event = np.repeat(np.arange(n), k)
    t = start[event] + rng.uniform(0, HOUR, event.size)
    terminal = _fraud_terminal(world, 1.0, event.size, rng)
    amount = _amount(world, victim[event], terminal, _CASH_OUT_FACTOR, _FRAUD_AMOUNT_SIGMA, rng)
    return _fraud_log(t, victim[event], terminal, amount, _REPORT_FRAUD, "account_takeover")
