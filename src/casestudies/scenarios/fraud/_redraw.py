"""Fresh training logs from the world of a ``fraud-v1`` case, and the true fraud probability of its rows.

.. versionadded:: 1.1

What stays and what is new
--------------------------
A redraw rebuilds the case's world from the stream ``make`` gave the
generator: the same customers (profiles, usual terminals), the same
terminals, and the same **compromise schedule**: which shop terminals carry
a skimmer from when to when (and how often it strikes), which cards are
stolen for which days, which cards a bot tests and when, whose online
account is taken over and when. Everything else is drawn anew, from a
stream of its own per ``draw``: the customers' genuine payments, the
fraudsters' sessions inside the scheduled windows, and the chargeback
labels. The redraw holds the ``n_days`` training days (the first
``n_rows`` transactions of them when asked), so every redraw shares the
test period's compromised terminals and cards with the case, as the real
training log does.

Transaction ids of redraw ``d`` are ``(d + 1) * 10**10`` plus the case's id
base plus the position in the log: they never collide with the case's ids
(which stay below ``10**10``) and name the row's draw.

What the truth conditions on
----------------------------
:func:`truth` gives, for rows of the case (train or test) or of any redraw,
found by ``transaction_id``, the probability the simulator drew the label
from: ``P(is_fraud = 1 | the row's columns, the world, the row's origin)``,
where the origin (a customer's own payment, a fraudster's purchase, a
card-testing probe) is hidden state no pipeline sees. The noise term of a
bias-variance split is then ``p (1 - p)`` given that origin, and what a
model cannot know about the origin shows in its bias², a floor no pipeline
goes below.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.core import check_draw, data_seed, redraw_seed
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.fraud._arrays import to_datetime
from casestudies.scenarios.fraud._simulator import _ID_BASE_RANGE, _frames, _Labelled, _Settings, _Streams, generate
from casestudies.scenarios.fraud._traffic import (
    _RATE_CARD,
    _RATE_SKIMMER,
    _RATE_TAKEOVER,
    _RATE_TESTING,
    EPOCH_WEEKDAY,
    _card_schedule,
    _card_sessions,
    _genuine,
    _make_world,
    _merge,
    _skimmers,
    _takeover_orders,
    _takeover_schedule,
    _testing_bursts,
    _testing_schedule,
    _World,
)

__all__ = ["ID_STRIDE", "redraw", "truth"]

ID_STRIDE: Final[int] = 10**10
"""Redraw ``d`` numbers its transactions from ``(d + 1) * ID_STRIDE``: case ids stay below it (a ten-digit base
plus fewer than 10**9 rows)."""

_CACHED_CASES: Final[int] = 2
"""Worlds and case logs kept per process: a lab run needs one; two let a contract check and a lab interleave."""


def _key(params: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(params.items()))


@lru_cache(maxsize=_CACHED_CASES)
def _world(seed: int, settings: _Settings) -> _World:
    """The case's customers and terminals, drawn from the same stream as in ``make``."""
    streams = _Streams.spawn(np.random.default_rng(data_seed(seed)))
    return _make_world(settings.n_customers, settings.n_terminals, streams.world)


def _redrawn_log(params: Mapping[str, object], seed: int, draw: int) -> tuple[_World, _Labelled, int]:
    """The whole redrawn training log of ``draw``, its world and its number of rows."""
    settings = _Settings.from_params(params)
    settings.check_period()
    world = _world(int(seed), settings)
    case = _Streams.spawn(np.random.default_rng(data_seed(seed)))  # the schedule's streams, as make drew them
    fresh = _Streams.spawn(np.random.default_rng(redraw_seed(seed, draw)))  # everything else, new per draw
    n_total, intensity = settings.n_total, settings.intensity
    first_day = settings.start.astype("datetime64[D]").astype(np.int64)
    weekday = (first_day + EPOCH_WEEKDAY + np.arange(settings.n_days)) % 7
    genuine = _genuine(world, weekday, settings.dispute_rate, fresh.genuine)
    _skimmers(world, genuine, n_total, _RATE_SKIMMER * intensity, case.skimmers)  # same terminals and windows
    parts = [
        genuine,
        _card_sessions(world, _card_schedule(world, n_total, _RATE_CARD * intensity, case.cards), fresh.cards),
        _testing_bursts(
            world, _testing_schedule(world, n_total, _RATE_TESTING * intensity, case.card_testing), fresh.card_testing
        ),
        _takeover_orders(
            world, _takeover_schedule(world, n_total, _RATE_TAKEOVER * intensity, case.takeovers), fresh.takeovers
        ),
    ]
    log = _merge(parts, settings.n_days)
    base = int(case.ids.integers(*_ID_BASE_RANGE))
    labelled = _Labelled(
        log=log,
        label=(fresh.labels.random(log.t.size) < log.probability).astype(np.int8),
        ids=(draw + 1) * ID_STRIDE + base + np.arange(log.t.size, dtype=np.int64),
        timestamps=to_datetime(settings.start, log.t),
    )
    return world, labelled, log.t.size


def redraw(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None = None) -> pd.DataFrame:
    """A fresh training log from the world of ``make("fraud-v1", seed=seed, **params)``.

    Parameters
    ----------
    params : Mapping
        Every generator parameter (``case.params``).
    seed : int
        The case's seed.
    draw : int
        Which redraw (>= 0): each one is independent of the others and of the case's rows.
    n_rows : int or None, default=None
        Keep the first ``n_rows`` transactions (a shorter history); None keeps the ``n_days`` training days.

    Returns
    -------
    pandas.DataFrame
        Columns and dtypes of ``case.train``, sorted by time.

    Raises
    ------
    InvalidParameterError
        If ``draw`` or ``n_rows`` is not a valid count, or ``n_rows`` exceeds the log's length.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("fraud-v1", seed=3, n_customers=200, n_days=21)
    >>> fresh = redraw(case.params, 3, 0)
    >>> list(fresh.columns) == list(case.train.columns)
    True
    >>> bool(fresh["transaction_id"].isin(case.train["transaction_id"]).any())
    False
    """
    check_draw("fraud-v1 redraw", draw, n_rows)
    world, labelled, _ = _redrawn_log(params, seed, int(draw))
    n_train = labelled.ids.size
    if n_rows is not None and n_rows > n_train:
        message = (
            f"fraud-v1 redraw: n_rows={n_rows} asks for more transactions than draw {draw} holds ({n_train} in "
            f"{params['n_days']} days). Ask for at most {n_train} rows, or raise n_days."
        )
        raise InvalidParameterError(message)
    train, _ = _frames(world, labelled, slice(0, n_train if n_rows is None else int(n_rows)))
    return train


@lru_cache(maxsize=_CACHED_CASES)
def _case_rows(seed: int, key: tuple[tuple[str, object], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Ids (sorted) and true probabilities of every train and test row of the case."""
    data = generate(dict(key), np.random.default_rng(data_seed(seed)))
    train_truth = cast(pd.DataFrame, data.train_truth)  # fraud's generator always records it
    ids = np.concatenate([data.train["transaction_id"].to_numpy(), data.test["transaction_id"].to_numpy()])
    probability = np.concatenate([train_truth["probability"].to_numpy(), data.truth["probability"].to_numpy()])
    order = np.argsort(ids)
    return ids[order], probability[order]


def truth(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """True fraud probability ``p`` and label variance ``p (1 - p)`` of rows of the case or of its redraws.

    Rows are found by ``transaction_id``; the probability conditions on the
    row's columns, the world and the row's hidden origin (see the module
    docstring).

    Parameters
    ----------
    params : Mapping
        Every generator parameter (``case.params``).
    seed : int
        The case's seed.
    frame : pandas.DataFrame
        Rows with a ``transaction_id`` column: from ``case.train``, ``case.test`` or :func:`redraw`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(p, p * (1 - p))``, one value per row.

    Raises
    ------
    InvalidParameterError
        If some ids belong to no row of the case or of a redraw.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("fraud-v1", seed=3, n_customers=200, n_days=21)
    >>> p, noise = truth(case.params, 3, case.test)
    >>> bool((p == case.reveal()["probability"].to_numpy()).all())
    True
    """
    ids = frame["transaction_id"].to_numpy(dtype=np.int64)
    p = np.full(ids.size, np.nan)
    own = ids < ID_STRIDE
    known, probability = _case_rows(int(seed), _key(params))
    at = np.minimum(np.searchsorted(known, ids[own]), known.size - 1)
    found = known[at] == ids[own]
    p[np.flatnonzero(own)[found]] = probability[at[found]]
    draws = ids // ID_STRIDE - 1
    for draw in np.unique(draws[~own]):
        rows = np.flatnonzero(draws == draw)
        _, labelled, n = _redrawn_log(params, seed, int(draw))
        position = ids[rows] - labelled.ids[0] if n else np.full(rows.size, -1)
        inside = (position >= 0) & (position < n)
        p[rows[inside]] = labelled.log.probability[position[inside]]
    missing = np.flatnonzero(np.isnan(p))
    if missing.size:
        shown = ", ".join(str(value) for value in ids[missing[:5]])
        message = (
            f"fraud-v1 truth: {missing.size} transaction_id(s) belong to no row of the case (seed {seed}) or of its "
            f"redraws, e.g. {shown}. Pass rows of case.train, case.test or redraw(case.params, seed, draw), with the "
            "case's params and seed."
        )
        raise InvalidParameterError(message)
    return p, p * (1.0 - p)
