"""Fresh training extracts from the world of an ``overfit-*`` case, and the true churn probability of its rows.

.. versionadded:: 1.1

What stays and what is new
--------------------------
A redraw rebuilds the case's world from the stream ``make`` gave the
generator: the knobs (drawn from the seed under ``random_faults``), the
column names (noise, leak and identifier columns), the month effects and
the intercept of the churn function (solved on the case's own training
rows). It then draws a new training extract from that world, from a stream
of its own per ``draw``: new customers and snapshot months, new churn
outcomes, the same share of label noise, a leak column written from the
new recorded labels, new identifier values. The holdout's covariate shift
and near-duplicates concern the holdout only and are not redrawn.

What the truth conditions on
----------------------------
:func:`truth` gives ``P(label = 1 | churn drivers, snapshot month, world)``:
for holdout months (2024) the churn probability itself, the holdout's
labels being clean; for training months (2022-2023) the probability of the
*recorded* label, ``(1 - label_noise) p + label_noise * positive_rate``. It
does not condition on the leak column or the identifiers (they say nothing
about the holdout's labels). A holdout row of the case that is a
near-duplicate of a training row gets the case's own truth (the probability
given its twin's recorded label).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd
from scipy.special import expit

from casestudies.core import check_draw, data_seed, redraw_seed
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.overfit._columns import (
    START_MONTH,
    draw_base_columns,
    draw_identifier_values,
    draw_leak_values,
    draw_months,
    draw_noise_columns,
)
from casestudies.scenarios.overfit._knobs import KNOBS, Knobs, draw_knobs
from casestudies.scenarios.overfit._simulator import (
    _FIRST_CUSTOMER_ID,
    _N_CUSTOMER_IDS,
    TEST_MONTHS,
    TRAIN_MONTHS,
    _corrupt_labels,
    _draw_names,
    _frame,
    _intercept,
    _Names,
    _Streams,
    churn_logit,
    generate,
)

__all__ = ["redraw", "truth"]

_CACHED_CASES: Final[int] = 2
"""Worlds kept per process: a lab run needs one; two let a contract check and a lab interleave."""


@dataclass(frozen=True, slots=True)
class _World:
    """What every redraw of one case shares."""

    knobs: Knobs
    names: _Names
    month_effect: np.ndarray
    intercept: float


def _key(params: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(params.items()))


@lru_cache(maxsize=_CACHED_CASES)
def _world(seed: int, key: tuple[tuple[str, object], ...]) -> _World:
    """The case's knobs, names, month effects and intercept, from the same streams as in ``make``."""
    params = dict(key)
    streams = _Streams.spawn(np.random.default_rng(data_seed(seed)))
    knob_values = draw_knobs(streams.knobs) if bool(params["random_faults"]) else {name: params[name] for name in KNOBS}
    knobs = Knobs.of(knob_values, n_test=int(params["n_test"]))  # type: ignore[call-overload]
    names = _draw_names(knobs, streams.names)
    # The intercept is solved on the case's training rows: their churn drivers and months, as make drew them.
    base = draw_base_columns(knobs.n_train, {}, streams.train_base)
    month, _ = draw_months(knobs.n_train, 0, TRAIN_MONTHS, streams.months)
    month_effect = knobs.temporal * streams.labels.standard_normal(TRAIN_MONTHS + TEST_MONTHS)
    intercept = _intercept(churn_logit(pd.DataFrame(base)) + month_effect[month], knobs.rate)
    return _World(knobs=knobs, names=names, month_effect=month_effect, intercept=intercept)


class _Fresh:
    """The streams of one redraw, one per concern."""

    def __init__(self, seed: int, draw: int) -> None:
        rng = np.random.default_rng(redraw_seed(seed, draw))
        self.base, self.noise, self.months, self.labels, self.label_noise, self.leak, self.ids = rng.spawn(7)


def redraw(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None = None) -> pd.DataFrame:
    """A fresh training extract from the world of ``make(id, seed=seed, **params)`` (any ``overfit-*`` id).

    Parameters
    ----------
    params : Mapping
        Every generator parameter (``case.params``).
    seed : int
        The case's seed.
    draw : int
        Which redraw (>= 0): each one is independent of the others and of the case's rows.
    n_rows : int or None, default=None
        Training rows; None gives as many as the case has.

    Returns
    -------
    pandas.DataFrame
        Columns and dtypes of ``case.train``, sorted by snapshot date.

    Raises
    ------
    InvalidParameterError
        If ``draw`` or ``n_rows`` is not a valid count.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-leaky-v1", seed=3, n_train=300, n_test=300)
    >>> fresh = redraw(case.params, 3, 0, 500)
    >>> fresh.shape[0], list(fresh.columns) == list(case.train.columns)
    (500, True)
    """
    check_draw("overfit redraw", draw, n_rows, min_rows=2)
    world = _world(int(seed), _key(params))
    knobs, names = world.knobs, world.names
    n = knobs.n_train if n_rows is None else int(n_rows)
    fresh = _Fresh(int(seed), int(draw))
    cols = draw_base_columns(n, {}, fresh.base)
    cols |= draw_noise_columns(n, names.numeric_noise, names.categorical_noise, {}, fresh.noise)
    month, stamp = draw_months(n, 0, TRAIN_MONTHS, fresh.months)
    p = expit(churn_logit(pd.DataFrame(cols)) + world.month_effect[month] + world.intercept)
    churned = (fresh.labels.random(n) < p).astype(np.int8)
    recorded = _corrupt_labels(churned, dataclasses.replace(knobs, n_train=n), fresh.label_noise)
    cols[names.leak] = draw_leak_values(names.leak, recorded.labels, knobs.leakage, fresh.leak)
    ids = fresh.ids.choice(_N_CUSTOMER_IDS, size=n, replace=False) + _FIRST_CUSTOMER_ID
    children = fresh.ids.spawn(len(names.identifiers))
    identifiers = {
        name: draw_identifier_values(name, n, 0, child) for name, child in zip(names.identifiers, children, strict=True)
    }
    frame = _frame(cols, ids, stamp, identifiers, 0, recorded.labels, names)
    for name in names.identifiers:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype("string")
    return frame


@lru_cache(maxsize=_CACHED_CASES)
def _twins(seed: int, key: tuple[tuple[str, object], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Customer ids (sorted) and truth of the case's holdout rows that are near-duplicates of training rows."""
    data = generate(dict(key), np.random.default_rng(data_seed(seed)))
    is_twin = data.truth["duplicate_of"].to_numpy() != 0
    ids = data.test["customer_id"].to_numpy()[is_twin]
    order = np.argsort(ids)
    return ids[order], data.truth["probability"].to_numpy()[is_twin][order]


def truth(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """True probability ``m`` that a row's label is 1, and its variance ``m (1 - m)``.

    Rows of the training months get the probability of their recorded
    (possibly noisy) label, rows of the holdout months that of a clean one;
    see the module docstring for what this conditions on.

    Parameters
    ----------
    params : Mapping
        Every generator parameter (``case.params``).
    seed : int
        The case's seed.
    frame : pandas.DataFrame
        Rows with the churn drivers and ``snapshot_date`` (``case.train``, ``case.test`` or a :func:`redraw`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(m, m * (1 - m))``, one value per row.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-v1", seed=3, n_test=300)
    >>> m, noise = truth(case.params, 3, case.test)
    >>> bool(np.allclose(m, case.reveal()["probability"]))
    True
    """
    world = _world(int(seed), _key(params))
    knobs = world.knobs
    stamps = frame["snapshot_date"].to_numpy().astype("datetime64[M]")
    month = (stamps - np.datetime64(START_MONTH, "M")).astype(np.int64)
    if month.size and (month.min() < 0 or month.max() >= world.month_effect.size):
        message = (
            f"overfit truth: snapshot_date must fall in {START_MONTH} to 2024-03, the months of the extract and "
            f"its holdout; got dates from {stamps.min()} to {stamps.max()}."
        )
        raise InvalidParameterError(message)
    p = expit(churn_logit(frame) + world.month_effect[month] + world.intercept)
    training = month < TRAIN_MONTHS
    mean = np.where(training, (1.0 - knobs.label_noise) * p + knobs.label_noise * knobs.rate, p)
    if knobs.duplicates > 0:
        twin_ids, twin_truth = _twins(int(seed), _key(params))
        if twin_ids.size:
            ids = frame["customer_id"].to_numpy()
            at = np.minimum(np.searchsorted(twin_ids, ids), twin_ids.size - 1)
            mean = np.where(~training & (twin_ids[at] == ids), twin_truth[at], mean)
    return mean, mean * (1.0 - mean)
