"""The clean world of the ``messy-*`` scenarios: loan applications before any mess, and who defaults.

Every column is drawn here without a defect; :mod:`._mess` then dirties a
copy. :func:`default_logit` is the known function of the clean columns that
gives each application its true probability of default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

__all__ = [
    "CANONICAL_STATES",
    "EMPLOYER_EFFECT_SD",
    "NUMERIC_COLUMNS",
    "PURPOSES",
    "SOURCES",
    "UNSEEN_PURPOSES",
    "default_logit",
    "draw_applications",
    "intercept_for_rate",
]

SOURCES: Final[tuple[str, ...]] = ("branch_north", "branch_south", "online")
"""The three systems the extract was merged from."""
_SOURCE_SHARES: Final[tuple[float, ...]] = (0.35, 0.30, 0.35)

CANONICAL_STATES: Final[dict[str, float]] = {
    "NY": 0.15,
    "CA": 0.10,
    "TX": 0.0,
    "FL": 0.20,
    "IL": -0.10,
    "PA": -0.05,
    "OH": 0.05,
    "GA": 0.15,
    "NC": -0.15,
    "MI": 0.10,
}
"""State code to its effect on the log-odds of default."""
_STATE_SHARES: Final[tuple[float, ...]] = (0.16, 0.18, 0.14, 0.12, 0.08, 0.07, 0.07, 0.06, 0.06, 0.06)

PURPOSES: Final[dict[str, tuple[float, float]]] = {
    "debt_consolidation": (0.38, 0.25),
    "credit_card": (0.22, 0.10),
    "home_improvement": (0.12, -0.20),
    "car": (0.10, -0.10),
    "medical": (0.06, 0.40),
    "business": (0.05, 0.50),
    "moving": (0.03, 0.20),
    "wedding": (0.025, -0.15),
    "boat": (0.002, 0.30),
    "solar_panels": (0.002, -0.30),
    "vacation": (0.002, 0.45),
}
"""Loan purpose to (share of applications, effect on the log-odds); the last three are rare levels."""

UNSEEN_PURPOSES: Final[dict[str, float]] = {"green_energy": -0.2, "crypto_investment": 0.9, "tuition_abroad": 0.3}
"""Products launched after the training period: present in the holdout only (when ``unseen_levels`` > 0)."""

EMPLOYER_EFFECT_SD: Final[float] = 0.6
"""Standard deviation of the employers' effects on the log-odds (industry and job stability)."""
_N_EMPLOYERS: Final[int] = 2500
_EMPLOYER_ZIPF: Final[float] = 1.05
"""Employer sizes fall like rank^-1.05: a few large employers, thousands with one or two applicants."""

NUMERIC_COLUMNS: Final[tuple[str, ...]] = (
    "age",
    "annual_income",
    "loan_amount",
    "monthly_debt",
    "interest_rate",
    "credit_history_years",
    "employment_years",
    "savings_balance",
)
"""The numeric columns of the clean world."""

_INCOME_LOG_MEAN: Final[float] = 10.85  # median income about 51,500
_INCOME_LOG_SD: Final[float] = 0.42
_INCOME_TAIL_SHARE: Final[float] = 0.06
"""Share of incomes drawn from a Pareto tail above the 90th percentile: genuine heavy-tail values."""
_INCOME_TAIL_ALPHA: Final[float] = 2.2
_SIGNAL_SCALE: Final[float] = 1.0
_INTERCEPT_BRACKET: Final[tuple[float, float]] = (-30.0, 30.0)
_START: Final[np.datetime64] = np.datetime64("2022-01-01")
_TRAIN_DAYS: Final[int] = 730
_TEST_DAYS: Final[int] = 91


def _names(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct employer names built from word lists (two words and a legal suffix)."""
    first = ["Northwind", "Bluewater", "Redstone", "Summit", "Harbor", "Pioneer", "Granite", "Silver", "Maple"]
    first += ["Cedar", "Atlas", "Beacon", "Evergreen", "Falcon", "Liberty", "Meridian", "Orchard", "Prairie"]
    first += ["Quarry", "Riverside", "Sterling", "Trident", "Union", "Valley", "Westfield", "Keystone", "Lakeside"]
    second = ["Logistics", "Health", "Foods", "Systems", "Builders", "Energy", "Retail", "Motors", "Finance"]
    second += ["Media", "Labs", "Textiles", "Farms", "Dental", "Freight", "Software", "Hotels", "Print"]
    second += ["Plastics", "Security", "Clinics", "Schools", "Bakery", "Steel", "Travel", "Insurance", "Design"]
    suffix = ["Inc", "LLC", "Co", "Group", "Ltd", "Partners", "Corp", "Holdings", "Services", "& Sons"]
    combos = [f"{a} {b} {c}" for a in first for b in second for c in suffix]
    chosen = rng.choice(len(combos), size=n, replace=False)
    return [combos[i] for i in chosen]


def draw_applications(
    n_rows: int,
    *,
    start_day: int,
    n_days: int,
    employers: list[str],
    unseen_share: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Clean application rows (no id, no label), every column from the one stream ``rng``."""
    source = rng.choice(len(SOURCES), size=n_rows, p=_SOURCE_SHARES)
    age = np.clip(np.round(21 + rng.gamma(3.2, 6.5, n_rows)), 21, 80).astype(np.int64)
    log_income = _INCOME_LOG_MEAN + 0.006 * (age - 40) + _INCOME_LOG_SD * rng.standard_normal(n_rows)
    tail = rng.random(n_rows) < _INCOME_TAIL_SHARE
    tail_base = np.exp(_INCOME_LOG_MEAN + 1.28 * _INCOME_LOG_SD)
    tail_income = tail_base * (1.0 + rng.pareto(_INCOME_TAIL_ALPHA, n_rows))
    income = np.round(np.where(tail, tail_income, np.exp(log_income)), -2)
    loan = np.round(np.exp(np.log(income) * 0.55 + 3.6 + 0.4 * rng.standard_normal(n_rows)), -1)
    loan = np.clip(loan, 1000.0, 250_000.0)
    dti = rng.beta(2.2, 6.0, n_rows) * 0.75
    debt = np.round(income / 12.0 * dti, 2)
    history = np.round(np.minimum(age - 18, rng.gamma(2.6, 3.4, n_rows)), 1)
    employment = np.round(np.minimum(age - 18, rng.exponential(6.0, n_rows)), 1)
    risk = rng.standard_normal(n_rows)
    rate = np.round(np.clip(12.5 + 3.2 * risk + 6.0 * (dti - 0.2), 5.5, 29.9), 2)
    savings = np.round(np.exp(np.log(income) - 1.3 + 1.0 * rng.standard_normal(n_rows)), 2)
    home_draw = rng.random(n_rows)
    own_share = np.clip((age - 21) / 90.0, 0.0, 0.5)
    home = np.where(home_draw < own_share, "own", np.where(home_draw < own_share + 0.35, "mortgage", "rent"))
    states = list(CANONICAL_STATES)
    state = np.asarray(states)[rng.choice(len(states), size=n_rows, p=_STATE_SHARES)]
    purposes = list(PURPOSES)
    shares = np.asarray([share for share, _ in PURPOSES.values()])
    purpose = np.asarray(purposes, dtype=object)[rng.choice(len(purposes), size=n_rows, p=shares / shares.sum())]
    if unseen_share > 0:
        new = rng.random(n_rows) < unseen_share
        unseen = list(UNSEEN_PURPOSES)
        purpose[new] = np.asarray(unseen, dtype=object)[rng.integers(0, len(unseen), int(new.sum()))]
    weights = 1.0 / np.arange(1, len(employers) + 1) ** _EMPLOYER_ZIPF
    employer = np.asarray(employers, dtype=object)[rng.choice(len(employers), size=n_rows, p=weights / weights.sum())]
    cosigner = rng.random(n_rows) < 0.12
    day = np.sort(rng.integers(0, n_days, n_rows)) + start_day
    frame = pd.DataFrame(
        {
            "application_date": (_START + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "source_system": np.asarray(SOURCES)[source],
            "age": age,
            "annual_income": income,
            "loan_amount": loan,
            "monthly_debt": debt,
            "interest_rate": rate,
            "credit_history_years": history,
            "employment_years": employment,
            "savings_balance": savings,
            "home_ownership": home,
            "state": state,
            "loan_purpose": purpose.astype(str),
            "employer": employer.astype(str),
            "has_cosigner": cosigner,
        }
    )
    return frame


def employer_table(rng: np.random.Generator) -> tuple[list[str], dict[str, float]]:
    """The employers (largest first) and each one's effect on the log-odds."""
    names = _names(_N_EMPLOYERS, rng)
    effects = EMPLOYER_EFFECT_SD * rng.standard_normal(len(names))
    return names, {name: float(effect) for name, effect in zip(names, effects, strict=True)}


def default_logit(frame: pd.DataFrame, employer_effects: Mapping[str, float]) -> np.ndarray:
    """Log-odds of default from the clean columns, without the intercept.

    Parameters
    ----------
    frame : pandas.DataFrame
        Clean rows from :func:`draw_applications`.
    employer_effects : Mapping
        Employer name to its effect (from the case's hidden truth).

    Returns
    -------
    numpy.ndarray
        One float per row.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.DataFrame({"annual_income": [51500.0], "loan_amount": [15000.0], "monthly_debt": [858.0],
    ...                     "interest_rate": [12.5], "age": [40], "credit_history_years": [8.0],
    ...                     "employment_years": [6.0], "savings_balance": [14000.0], "home_ownership": ["rent"],
    ...                     "state": ["TX"], "loan_purpose": ["car"], "employer": ["x"], "has_cosigner": [False]})
    >>> round(float(default_logit(row, {"x": 0.0})[0]), 3)
    0.397
    """
    income = frame["annual_income"].to_numpy(dtype=np.float64)
    loan = frame["loan_amount"].to_numpy(dtype=np.float64)
    debt = frame["monthly_debt"].to_numpy(dtype=np.float64)
    dti = debt * 12.0 / income
    state = frame["state"].map(CANONICAL_STATES).fillna(0.0).to_numpy(dtype=np.float64)
    purpose_effects = {name: effect for name, (_, effect) in PURPOSES.items()} | UNSEEN_PURPOSES
    purpose = frame["loan_purpose"].map(purpose_effects).fillna(0.0).to_numpy(dtype=np.float64)
    employer = frame["employer"].map(employer_effects).fillna(0.0).to_numpy(dtype=np.float64)
    logit: np.ndarray = _SIGNAL_SCALE * (
        6.5 * (dti - 0.2)
        - 0.55 * (np.log(income) - _INCOME_LOG_MEAN) / _INCOME_LOG_SD
        + 0.7 * (np.log(loan / income) + 1.3)
        + 0.09 * (frame["interest_rate"].to_numpy(dtype=np.float64) - 12.5)
        - 0.015 * (frame["age"].to_numpy(dtype=np.float64) - 40.0)
        - 0.06 * (frame["credit_history_years"].to_numpy(dtype=np.float64) - 8.0)
        - 0.05 * (frame["employment_years"].to_numpy(dtype=np.float64) - 6.0)
        - 0.15 * (np.log(frame["savings_balance"].to_numpy(dtype=np.float64)) - 9.55)
        + 0.45 * (frame["home_ownership"].to_numpy() == "rent")
        - 0.5 * frame["has_cosigner"].to_numpy(dtype=bool)
        + state
        + purpose
        + employer
    )
    return logit


def intercept_for_rate(logits: np.ndarray, rate: float) -> float:
    """Intercept that makes the mean probability of default equal ``rate``."""
    low, high = _INTERCEPT_BRACKET
    return float(brentq(lambda b: float(expit(logits + b).mean()) - rate, low, high, xtol=1e-10))


def day_ranges() -> tuple[tuple[int, int], tuple[int, int]]:
    """(start day, number of days) of the training period (2022-2023) and of the holdout (2024 Q1)."""
    return (0, _TRAIN_DAYS), (_TRAIN_DAYS, _TEST_DAYS)
