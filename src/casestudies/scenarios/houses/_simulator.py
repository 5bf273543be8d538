"""House-price simulator behind the ``houses-*`` scenarios: a regression that plants the faults of linear
regression's assumptions.

.. versionadded:: 1.0

The story
---------
An estate agency in a mid-sized city wants to value homes from their sales
over four years (2020 to 2023). Each row is one sale: ``sale_date``,
``neighbourhood`` (nine, from the Old Town to the Greenbelt), ``floor_area_m2``,
``rooms``, ``age_years`` (of the building) and ``distance_km`` to the centre; the
target is the sale ``price`` in euros. Rows are in sale order.

**What drives the price.** The mean price is linear in the columns::

    120,000 + 2,400 floor_area + 5,000 rooms - 400 age - 4,000 distance + 9,000 years since 2020
            + neighbourhood effect (drawn once per world, sd 25,000)

plus, each a knob recorded in ``case.reveal("world")``:

``nonlinear``
    ``30 * nonlinear * (age - 55)²``: new builds and period houses sell at a premium.
``interaction``
    ``-80 * interaction * (area - 110) * (distance - 6)``: a square metre is worth less far out.
``heteroscedastic``
    The noise sd is ``noise * 300,000 * (mean / 300,000) ** heteroscedastic``: spread grows with the level.
``log_target``
    The price is log-normal around the mean (``log price = log mean + noise``, neighbourhood effects and the
    noise on the log scale): a skewed, positive target whose right scale is the log.
``collinear``
    Rooms follow floor area (``area / 25``) with noise of sd ``1 - 0.9 collinear`` rooms: at 1, rooms and floor
    area are nearly the same column.
``influential``
    That many estates of 700 to 1,200 m² in the training rows; the market pays nothing beyond 400 m², so they sit
    far off any line through the others (high leverage, large Cook's distance).
``entry_errors``
    That many training rows typed wrong: a price with an extra zero, or a floor area entered in square feet.
``omitted``
    An unobserved school quality, correlated -0.6 with distance, adds ``30,000 * omitted`` euros per sd: a
    model without it over-states how much distance costs.
``autocorrelation``
    The noise is an AR(1) process in sale order with this coefficient (agents' pricing drifts).

``truth`` holds, per holdout row, ``expected`` (E[price | observed columns]), ``noise_var`` (its conditional
variance: the noise and the unobserved school quality) and ``lower``/``upper``, the true 10 % and 90 % quantiles.
Entry errors and estates are planted in the training rows only; the truth describes the error-free market.

With ``random_faults = true`` each graded fault (``nonlinearity``, ``heteroscedasticity``, ``multicollinearity``,
``influential_points``, ``autocorrelation``) is present with probability 0.5, its strength drawn from
:data:`~casestudies.scenarios.houses._world.RANDOM_RANGES`.

**Redraw contract.** :func:`redraw` draws a fresh training set from the same world (knobs, neighbourhood
effects), new rows independent for every draw; :func:`truth` gives E[price | row] and Var[price | row] for any
frame of the scenario's columns.

References
----------
Wooldridge, *Introductory Econometrics*, ch. 3, 8, 9 and 12 (omitted-variable bias, heteroscedasticity,
functional form, serial correlation); De Cock, "Ames, Iowa: Alternative to the Boston Housing Data", Journal of
Statistics Education 19(3), 2011 (columns, skewed prices, the large houses the author advises to remove).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from casestudies.core import ScenarioData, check_draw, data_seed, redraw_seed
from casestudies.scenarios.houses._world import (
    AREA_CAP,
    DEFAULT_KNOBS,
    N_DAYS,
    NEIGHBOURHOODS,
    ROOM_AREA,
    START,
    World,
    build_world,
    draw_random_knobs,
    faults,
    moments,
    price_mean_var,
    price_quantile,
)

__all__ = ["COLUMNS", "generate", "redraw", "truth"]

COLUMNS: Final[tuple[str, ...]] = (
    "house_id",
    "sale_date",
    "neighbourhood",
    "floor_area_m2",
    "rooms",
    "age_years",
    "distance_km",
    "price",
)
"""The columns of every frame, in order (``price`` is the target)."""

TARGET: Final[str] = "price"
ID_COLUMN: Final[str] = "house_id"
FIRST_ID: Final[int] = 100_001
"""House ids are numbered in sale order from here."""
REDRAW_ID_BLOCK: Final[int] = 10_000_000
"""Ids of redraw ``d`` start at ``(d + 1) * REDRAW_ID_BLOCK``: never an id of the case itself."""

INTERVAL_QUANTILES: Final[tuple[float, float]] = (0.1, 0.9)
"""The truth's ``lower`` and ``upper``: the true quantiles of an 80 % interval (the default ``interval_level``)."""

SQFT_PER_M2: Final[float] = 10.7639
"""An entry error records the floor area in square feet."""

ESTATE_AREA: Final[tuple[float, float]] = (700.0, 1200.0)
"""Floor area of the planted estates (m²): well beyond :data:`AREA_CAP`."""

_KNOB_NAMES: Final[tuple[str, ...]] = tuple(DEFAULT_KNOBS)


@dataclass(frozen=True, slots=True)
class _Streams:
    knobs: np.random.SeedSequence
    world: np.random.SeedSequence
    rows: np.random.SeedSequence
    split: np.random.SeedSequence


def _streams(rng: np.random.Generator) -> _Streams:
    """Named child streams of the generator's ``rng`` (the same ones whenever the same ``rng`` is given)."""
    root = np.random.SeedSequence(rng.integers(0, 2**63, size=4).tolist())
    knobs, world, rows, split = root.spawn(4)
    return _Streams(knobs, world, rows, split)


def _world(params: Mapping[str, object], streams: _Streams) -> World:
    knobs = {name: params.get(name, DEFAULT_KNOBS[name]) for name in _KNOB_NAMES}
    if bool(params.get("random_faults", False)):
        knobs = draw_random_knobs(knobs, np.random.default_rng(streams.knobs))
    return build_world(knobs, np.random.default_rng(streams.world))


def _features(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Observed columns of ``n`` sales, in sale order (no price yet)."""
    shares = np.array([share for _, _, share in NEIGHBOURHOODS])
    codes = rng.choice(len(NEIGHBOURHOODS), size=n, p=shares / shares.sum())
    centres = np.array([km for _, km, _ in NEIGHBOURHOODS])
    distance = np.round(np.clip(centres[codes] + rng.normal(0.0, 1.0, size=n), 0.2, None), 2)
    area = np.round(np.clip(np.exp(rng.normal(np.log(105.0), 0.38, size=n)), 40.0, 350.0), 1)
    age = rng.integers(0, 111, size=n)
    days = np.sort(rng.integers(0, N_DAYS, size=n))
    return pd.DataFrame(
        {
            "sale_date": pd.Timestamp(START) + pd.to_timedelta(days, unit="D"),
            "neighbourhood": np.array([name for name, _, _ in NEIGHBOURHOODS], dtype=object)[codes],
            "floor_area_m2": area,
            "age_years": age.astype(np.int64),
            "distance_km": distance,
        }
    )


def _rooms(area: np.ndarray, collinear: float, rng: np.random.Generator) -> np.ndarray:
    noise_sd = 1.0 - 0.9 * collinear
    rooms = np.rint(area / ROOM_AREA + rng.normal(0.0, noise_sd, size=len(area)))
    return np.clip(rooms, 1, None).astype(np.int64)


def _ar1(n: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    """A stationary AR(1) series of unit variance: ``e[t] = rho e[t-1] + sqrt(1 - rho²) z[t]``."""
    shocks = rng.standard_normal(n)
    start = rng.standard_normal()
    gain = np.sqrt(1.0 - rho**2)
    series, _ = lfilter([gain], [1.0, -rho], shocks, zi=[rho * start])
    return np.asarray(series, dtype=np.float64)


def _sales(
    world: World, n: int, rng: np.random.Generator, *, trainable: np.ndarray | None = None, typos: bool = True
) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """``n`` sales with prices, in sale order; estates and entry errors planted among the ``trainable`` positions.

    Returns the frame (without ids) and the positions of the planted estates and entry errors.
    """
    features_rng, rooms_rng, plant_rng, noise_rng, school_rng = (np.random.default_rng(s) for s in rng.spawn(5))
    frame = _features(n, features_rng)
    candidates = np.arange(n) if trainable is None else np.flatnonzero(trainable)
    n_estates = min(int(world.knob("influential")), len(candidates) // 10)
    n_errors = min(int(world.knob("entry_errors")), len(candidates) // 10) if typos else 0
    chosen = plant_rng.choice(candidates, size=n_estates + n_errors, replace=False)
    estates, errors = np.sort(chosen[:n_estates]), np.sort(chosen[n_estates:])
    area = frame["floor_area_m2"].to_numpy().copy()
    area[estates] = np.round(plant_rng.uniform(*ESTATE_AREA, size=n_estates), 1)
    frame["floor_area_m2"] = area
    frame.insert(3, "rooms", _rooms(area, world.knob("collinear"), rooms_rng))
    m = moments(world, frame)
    noise = _ar1(n, world.knob("autocorrelation"), noise_rng) * m.noise_sd
    # The school quality's part unexplained by distance: sd sqrt(1 - 0.6²) of quality, times its price effect.
    omitted_sd = np.sqrt(np.maximum(m.scale**2 - m.noise_sd**2, 0.0))
    working = m.location + noise + omitted_sd * school_rng.standard_normal(n)
    frame[TARGET] = np.exp(working) if world.log_target else working
    price_typos, area_typos = errors[::2], errors[1::2]
    frame.loc[price_typos, TARGET] = frame.loc[price_typos, TARGET] * 10.0
    frame.loc[area_typos, "floor_area_m2"] = np.round(frame.loc[area_typos, "floor_area_m2"] * SQFT_PER_M2, 1)
    return frame, {"estates": estates.tolist(), "entry_errors": errors.tolist(), "price_typos": price_typos.tolist()}


def _with_ids(frame: pd.DataFrame, first: int) -> pd.DataFrame:
    frame.insert(0, ID_COLUMN, np.arange(first, first + len(frame), dtype=np.int64))
    return frame[list(COLUMNS)]


def _truth(world: World, frame: pd.DataFrame) -> pd.DataFrame:
    mean, variance = price_mean_var(world, frame)
    low, high = INTERVAL_QUANTILES
    return pd.DataFrame(
        {
            "expected": mean,
            "noise_var": variance,
            "lower": price_quantile(world, frame, low),
            "upper": price_quantile(world, frame, high),
        }
    )


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate a houses case (see the module docstring).

    Parameters
    ----------
    params : Mapping
        ``n_train``, ``n_test``, the knobs of
        :data:`~casestudies.scenarios.houses._world.DEFAULT_KNOBS` and ``random_faults``.
    rng : numpy.random.Generator
        All randomness.

    Examples
    --------
    >>> import numpy as np
    >>> data = generate({"n_train": 300, "n_test": 200, "nonlinear": 1.0}, np.random.default_rng(0))
    >>> data.train.shape, data.target, data.hidden["faults"]["nonlinearity"]["present"]
    ((300, 8), 'price', True)
    """
    n_train, n_test = int(cast(int, params["n_train"])), int(cast(int, params["n_test"]))
    streams = _streams(rng)
    world = _world(params, streams)
    in_test = np.zeros(n_train + n_test, dtype=bool)
    in_test[np.random.default_rng(streams.split).choice(n_train + n_test, size=n_test, replace=False)] = True
    frame, planted = _sales(world, n_train + n_test, np.random.default_rng(streams.rows), trainable=~in_test)
    frame = _with_ids(frame, FIRST_ID)
    ids = frame[ID_COLUMN].to_numpy()
    train = frame[~in_test].reset_index(drop=True)
    test = frame[in_test].reset_index(drop=True)
    typo_rows = planted["entry_errors"]
    hidden = {
        "knobs": dict(world.knobs),
        "faults": faults(world),
        "neighbourhood_effects": {
            name: float(e) for (name, _, _), e in zip(NEIGHBOURHOODS, world.effects, strict=True)
        },
        "entry_error_ids": [int(ids[i]) for i in typo_rows],
        "estate_ids": [int(ids[i]) for i in planted["estates"]],
        "area_cap_m2": AREA_CAP,
        "scale": "log" if world.log_target else "linear",
    }
    return ScenarioData(
        train=train,
        test=test,
        target=TARGET,
        id_column=ID_COLUMN,
        truth=_truth(world, test),
        train_truth=_truth(world, train),
        info={
            "period": f"{START} to 2023-12-31",
            "neighbourhoods": len(NEIGHBOURHOODS),
            "price_unit": "EUR",
        },
        hidden=hidden,
        oracle_observable=True,
    )


def redraw(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None) -> pd.DataFrame:
    """A fresh training set from the world of ``make(id, seed=seed, **params)``: same knobs and neighbourhood
    effects, new sales (estates included, as in the case's training rows), their noise autocorrelated in sale
    order when ``autocorrelation`` is on. Entry errors are the agency's typing, not the market: a redraw has none,
    so its prices follow :func:`truth`.

    Examples
    --------
    >>> params = {"n_train": 300, "n_test": 200, "random_faults": False}
    >>> first, again = redraw(params, 7, 0, None), redraw(params, 7, 0, None)
    >>> first.equals(again), first.equals(redraw(params, 7, 1, None)), len(redraw(params, 7, 0, 120))
    (True, False, 120)
    """
    world = _world(params, _streams(np.random.default_rng(data_seed(seed))))
    check_draw("houses redraw", draw, n_rows)
    n = int(cast(int, params["n_train"])) if n_rows is None else int(n_rows)
    frame, _ = _sales(world, n, np.random.default_rng(redraw_seed(seed, draw)), typos=False)
    return _with_ids(frame, (int(draw) + 1) * REDRAW_ID_BLOCK).reset_index(drop=True)


def truth(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """E[price | row] and Var[price | row] of any frame of the houses columns, in the world of
    ``make(id, seed=seed, **params)`` (conditioning on the observed columns; the school quality is unobserved).

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=3, n_train=300, n_test=200)
    >>> mean, noise_var = truth(case.params, 3, case.test)
    >>> bool(np.allclose(mean, case.reveal()["expected"]))
    True
    """
    world = _world(params, _streams(np.random.default_rng(data_seed(seed))))
    return price_mean_var(world, frame)
