"""The houses world: knobs, latent state, and the true conditional mean, variance and quantiles of a sale price.

Everything the generator, :func:`~casestudies.scenarios.houses._simulator.redraw` and
:func:`~casestudies.scenarios.houses._simulator.truth` share lives here, so the three agree by construction.

Examples
--------
>>> import numpy as np
>>> world = build_world(dict(DEFAULT_KNOBS), np.random.default_rng(0))
>>> len(world.effects) == len(NEIGHBOURHOODS)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy.special import ndtri

NEIGHBOURHOODS: Final[tuple[tuple[str, float, float], ...]] = (
    ("Old Town", 0.8, 0.10),
    ("Riverside", 2.0, 0.12),
    ("University", 2.8, 0.10),
    ("Harbour", 3.5, 0.09),
    ("Eastgate", 5.0, 0.13),
    ("Hillcrest", 6.5, 0.10),
    ("Northfield", 8.0, 0.14),
    ("Westmoor", 10.0, 0.12),
    ("Greenbelt", 13.0, 0.10),
)
"""Neighbourhood name, typical distance to the centre (km) and share of sales."""

START: Final[str] = "2020-01-01"
N_DAYS: Final[int] = 4 * 365
"""Sales run over four years from ``START``."""

BASE_PRICE: Final[float] = 120_000.0
PER_M2: Final[float] = 2_400.0
PER_ROOM: Final[float] = 5_000.0
PER_YEAR_OF_AGE: Final[float] = -400.0
PER_KM: Final[float] = -4_000.0
PER_YEAR_OF_MARKET: Final[float] = 9_000.0
"""Coefficients of the linear part of the mean price (euros): a ``+2,400 €/m²`` market that rises ``9,000 €`` a
year; each is the effect with every other observed column held fixed. Chosen so that the cheapest combination of
columns (40 m², one room, 110 years old, 16 km out, the cheapest neighbourhood) still has a mean price near
75,000 euros: the noise almost never makes a price negative."""

NEIGHBOURHOOD_SD: Final[float] = 25_000.0
"""Spread of the neighbourhoods' price effects (drawn once per world, in euros; ``0.3`` on the log scale)."""
LOG_NEIGHBOURHOOD_SD: Final[float] = 0.3

AGE_CURVE: Final[float] = 30.0
"""Euros per squared year away from 55 years when ``nonlinear = 1``: new builds and listed period houses both sell
at a premium (up to about 90,000 € at 0 or 110 years), mid-century houses at a discount."""
AGE_CENTRE: Final[float] = 55.0

INTERACTION: Final[float] = -80.0
"""Euros per (m² above 110) per (km beyond 6) when ``interaction = 1``: a square metre is worth less far out
(-7,200 euros for a 200 m² house 7 km further out than usual)."""
AREA_CENTRE: Final[float] = 110.0
KM_CENTRE: Final[float] = 6.0

AREA_CAP: Final[float] = 400.0
"""Floor area beyond which the market pays nothing more (estates sell like 400 m² houses): only the planted
``influential`` estates are larger."""

REFERENCE_PRICE: Final[float] = 300_000.0
"""The level at which the noise sd is ``noise`` times this price; with ``heteroscedastic = h`` it is multiplied by
``(mean price / REFERENCE_PRICE) ** h``."""
MIN_LEVEL: Final[float] = 0.15
"""Mean price / reference below which the noise stops shrinking (and the floor of the mean price)."""

SCHOOL_CORRELATION: Final[float] = 0.6
"""Correlation of the unobserved school quality with closeness to the centre (the omitted-variable bias)."""
SCHOOL_EFFECT: Final[float] = 30_000.0
"""Euros per sd of school quality when ``omitted = 1`` (0.12 on the log scale)."""
LOG_SCHOOL_EFFECT: Final[float] = 0.12
KM_SD: Final[float] = 3.7
"""Sd of distance over the neighbourhoods' mix (km): school quality is -0.6 sd per sd of distance, plus noise."""

ROOM_AREA: Final[float] = 25.0
"""Square metres per room on average."""

DEFAULT_KNOBS: Final[Mapping[str, object]] = {
    "nonlinear": 0.0,
    "interaction": 0.0,
    "heteroscedastic": 0.0,
    "log_target": False,
    "collinear": 0.0,
    "influential": 0,
    "entry_errors": 0,
    "omitted": 0.0,
    "autocorrelation": 0.0,
    "noise": 0.08,
}
"""The knobs of a world and their neutral values (the generator's parameters of the same names)."""

RANDOM_RANGES: Final[Mapping[str, tuple[float, float]]] = {
    "nonlinear": (0.5, 1.0),
    "interaction": (0.5, 1.0),
    "heteroscedastic": (0.8, 1.5),
    "collinear": (0.9, 1.0),
    "influential": (3, 8),
    "entry_errors": (3, 10),
    "autocorrelation": (0.35, 0.7),
}
"""What ``random_faults`` draws each planted knob from (uniform; counts inclusive). The lower ends keep every
planted fault detectable by its diagnostic on 1,500 rows; each graded fault is present with probability 0.5."""


@dataclass(frozen=True, slots=True)
class World:
    """The latent state every row of one world shares: the knobs and each neighbourhood's price effect."""

    knobs: Mapping[str, object]
    effects: np.ndarray
    """One price effect per neighbourhood (euros, or log-price units when ``log_target``)."""

    def knob(self, name: str) -> float:
        """A numeric knob as a float."""
        value = self.knobs[name]
        return float(value) if isinstance(value, (int, float)) else 0.0

    @property
    def log_target(self) -> bool:
        """True when the price is log-normal around its mean (multiplicative noise: the log scale is right)."""
        return bool(self.knobs["log_target"])


def build_world(knobs: Mapping[str, object], rng: np.random.Generator) -> World:
    """The latent state of a world: neighbourhood effects drawn from ``rng`` (the world stream)."""
    sd = LOG_NEIGHBOURHOOD_SD if knobs["log_target"] else NEIGHBOURHOOD_SD
    effects = rng.normal(0.0, sd, size=len(NEIGHBOURHOODS))
    return World(knobs=dict(knobs), effects=effects - effects.mean())


def draw_random_knobs(knobs: Mapping[str, object], rng: np.random.Generator) -> dict[str, object]:
    """``random_faults`` mode: each graded fault present with probability 0.5, its strength from
    :data:`RANDOM_RANGES`; ``log_target``, ``omitted`` and ``noise`` keep their given values."""
    drawn = dict(knobs)
    present = rng.random(5) < 0.5
    uniform = rng.random(8)
    counts = rng.integers(0, 1_000_000, size=2)
    for name in ("nonlinear", "interaction", "heteroscedastic", "collinear", "autocorrelation"):
        drawn[name] = 0.0
    drawn["influential"] = drawn["entry_errors"] = 0

    def scaled(name: str, u: float) -> float:
        low, high = RANDOM_RANGES[name]
        return round(low + (high - low) * u, 3)

    if present[0]:
        drawn["nonlinear"] = scaled("nonlinear", uniform[0])
        drawn["interaction"] = scaled("interaction", uniform[1]) if uniform[2] < 0.5 else 0.0
    if present[1]:
        drawn["heteroscedastic"] = scaled("heteroscedastic", uniform[3])
    if present[2]:
        drawn["collinear"] = scaled("collinear", uniform[4])
    if present[3]:
        low, high = RANDOM_RANGES["influential"]
        drawn["influential"] = int(low + counts[0] % (high - low + 1))
        low, high = RANDOM_RANGES["entry_errors"]
        drawn["entry_errors"] = int(low + counts[1] % (high - low + 1)) if uniform[5] < 0.5 else 0
    if present[4]:
        drawn["autocorrelation"] = scaled("autocorrelation", uniform[6])
    return drawn


def faults(world: World) -> dict[str, dict[str, object]]:
    """The graded faults a world plants (``case.reveal("world")["faults"]``), each with its strength."""
    knob = world.knob
    return {
        "nonlinearity": {
            "present": knob("nonlinear") > 0 or knob("interaction") > 0,
            "nonlinear": knob("nonlinear"),
            "interaction": knob("interaction"),
            "columns": [
                name for name, on in (("age_years", knob("nonlinear")), ("floor_area_m2", knob("interaction"))) if on
            ],
        },
        "heteroscedasticity": {"present": knob("heteroscedastic") > 0, "strength": knob("heteroscedastic")},
        "multicollinearity": {
            "present": knob("collinear") > 0,
            "strength": knob("collinear"),
            "columns": ["floor_area_m2", "rooms"] if knob("collinear") > 0 else [],
        },
        "influential_points": {
            "present": knob("influential") > 0 or knob("entry_errors") > 0,
            "n_estates": int(knob("influential")),
            "n_entry_errors": int(knob("entry_errors")),
        },
        "autocorrelation": {"present": knob("autocorrelation") > 0, "strength": knob("autocorrelation")},
    }


def _design(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    dates = pd.to_datetime(frame["sale_date"])
    years = ((dates - pd.Timestamp(START)).dt.days / 365.0).to_numpy(dtype=np.float64)
    codes = pd.Categorical(frame["neighbourhood"], categories=[name for name, _, _ in NEIGHBOURHOODS]).codes
    return {
        "area": frame["floor_area_m2"].to_numpy(dtype=np.float64),
        "rooms": frame["rooms"].to_numpy(dtype=np.float64),
        "age": frame["age_years"].to_numpy(dtype=np.float64),
        "km": frame["distance_km"].to_numpy(dtype=np.float64),
        "years": years,
        "codes": np.asarray(codes, dtype=np.int64),
    }


def school_mean(km: np.ndarray) -> np.ndarray:
    """E[school quality | distance]: quality is standardised, correlated -0.6 with distance."""
    mean: np.ndarray = -SCHOOL_CORRELATION * (km - KM_CENTRE) / KM_SD
    return mean


@dataclass(frozen=True, slots=True)
class Moments:
    """The truth of a set of rows: the working-scale mean and sd of the price given the observed columns."""

    location: np.ndarray
    """E[W | row] where W is the price (or its log, when ``log_target``)."""
    scale: np.ndarray
    """Sd of W given the row: the noise and the unobserved school quality."""
    noise_sd: np.ndarray
    """Sd of the noise part alone (what the autocorrelated errors are scaled by)."""


def moments(world: World, frame: pd.DataFrame) -> Moments:
    """The conditional distribution of each row's price given its observed columns, on the working scale."""
    x = _design(frame)
    knob = world.knob
    area = np.minimum(x["area"], AREA_CAP)
    structural = (
        BASE_PRICE
        + PER_M2 * area
        + PER_ROOM * x["rooms"]
        + PER_YEAR_OF_AGE * x["age"]
        + PER_KM * x["km"]
        + PER_YEAR_OF_MARKET * x["years"]
        + knob("nonlinear") * AGE_CURVE * (x["age"] - AGE_CENTRE) ** 2
        + knob("interaction") * INTERACTION * (area - AREA_CENTRE) * (x["km"] - KM_CENTRE)
    )
    effects = world.effects[x["codes"]]
    school = school_mean(x["km"])
    school_var = 1.0 - SCHOOL_CORRELATION**2
    if world.log_target:
        location = np.log(np.maximum(structural, MIN_LEVEL * REFERENCE_PRICE)) + effects
        location = location + knob("omitted") * LOG_SCHOOL_EFFECT * school
        level = np.exp(location) / REFERENCE_PRICE
        noise_sd = knob("noise") * np.maximum(level, MIN_LEVEL) ** knob("heteroscedastic")
        omitted_var = (knob("omitted") * LOG_SCHOOL_EFFECT) ** 2 * school_var
    else:
        location = np.maximum(structural + effects, MIN_LEVEL * REFERENCE_PRICE)
        location = location + knob("omitted") * SCHOOL_EFFECT * school
        level = location / REFERENCE_PRICE
        noise_sd = knob("noise") * REFERENCE_PRICE * np.maximum(level, MIN_LEVEL) ** knob("heteroscedastic")
        omitted_var = (knob("omitted") * SCHOOL_EFFECT) ** 2 * school_var
    return Moments(location=location, scale=np.sqrt(noise_sd**2 + omitted_var), noise_sd=noise_sd)


def price_mean_var(world: World, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """E[price | row] and Var[price | row] (log-normal moments when ``log_target``)."""
    m = moments(world, frame)
    if not world.log_target:
        return m.location, m.scale**2
    variance = m.scale**2
    mean = np.exp(m.location + variance / 2.0)
    return mean, np.expm1(variance) * np.exp(2.0 * m.location + variance)


def price_quantile(world: World, frame: pd.DataFrame, q: float) -> np.ndarray:
    """The ``q`` quantile of each row's price given its observed columns."""
    m = moments(world, frame)
    value: np.ndarray = m.location + float(ndtri(q)) * m.scale
    return np.exp(value) if world.log_target else value
