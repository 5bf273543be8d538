"""The columns of the ``overfit-*`` churn extract and how each is drawn.

Every feature comes from a standard-normal latent per column (moved by
``shift`` standard deviations in a shifted holdout) mapped onto the column's
own scale: counts are Poisson, amounts lognormal, categories cut the latent
at quantiles of their shares. Noise columns get realistic product-usage
names. The leak and identifier columns, and the snapshot months, have their
own drawing functions here; which of them are planted is decided in
:mod:`casestudies.scenarios.overfit._simulator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = [
    "BASE_COLUMNS",
    "CONTRACT_TYPES",
    "IDENTIFIER_NAMES",
    "INFORMATIVE_COLUMNS",
    "LEAK_COLUMN_NAMES",
    "LEAK_SEPARATION",
    "PAYMENT_METHODS",
    "REGIONS",
    "SHIFTABLE_BENIGN",
    "SHIFTABLE_DRIVERS",
    "START_MONTH",
    "YES_NO",
    "draw_base_columns",
    "draw_identifier_values",
    "draw_leak_values",
    "draw_months",
    "draw_noise_columns",
    "draw_noise_names",
]

CONTRACT_TYPES: Final[tuple[str, ...]] = ("month-to-month", "one-year", "two-year")
PAYMENT_METHODS: Final[tuple[str, ...]] = ("card", "bank_transfer", "electronic_check", "mailed_check")
REGIONS: Final[tuple[str, ...]] = ("north", "south", "east", "west", "central", "coastal")
YES_NO: Final[tuple[str, ...]] = ("no", "yes")

INFORMATIVE_COLUMNS: Final[tuple[str, ...]] = (
    "tenure_months",
    "contract_type",
    "monthly_charges",
    "payment_method",
    "support_calls_90d",
    "late_payments_12m",
    "streaming_hours_week",
)
"""The columns the churn probability depends on (besides ``snapshot_date`` under ``temporal``)."""

BASE_COLUMNS: Final[tuple[str, ...]] = (
    "tenure_months",
    "contract_type",
    "monthly_charges",
    "total_charges",
    "payment_method",
    "paperless_billing",
    "support_calls_90d",
    "late_payments_12m",
    "streaming_hours_week",
    "region",
    "age",
    "num_lines",
)
"""The churn drivers and the benign customer columns, in the extract's column order."""

SHIFTABLE_DRIVERS: Final[tuple[str, ...]] = (
    "tenure_months",
    "monthly_charges",
    "contract_type",
    "streaming_hours_week",
    "support_calls_90d",
)
"""Churn drivers a covariate shift may move first (so that the shift matters to the churn rate)."""

SHIFTABLE_BENIGN: Final[tuple[str, ...]] = ("age", "region", "num_lines")
"""Benign base columns a covariate shift may also move (besides every noise column)."""

LEAK_COLUMN_NAMES: Final[tuple[str, ...]] = (
    "days_since_last_login",
    "retention_calls_30d",
    "cancellation_page_visits",
    "winback_offer_sent",
)
"""Names the seed picks from for the column that leaks the label when ``leakage`` > 0."""

IDENTIFIER_NAMES: Final[tuple[str, ...]] = ("record_number", "account_code", "email_hash")
"""Names of the unique-per-row identifier columns, in the order they are planted."""

_NOISE_METRICS: Final[tuple[str, ...]] = (
    "minutes",
    "sessions",
    "data_gb",
    "page_views",
    "app_opens",
    "errors",
    "speed_tests",
    "downloads",
    "searches",
    "shares",
)
_NOISE_COUNT_METRICS: Final[tuple[str, ...]] = ("sessions", "app_opens", "errors", "speed_tests", "searches", "shares")
_NOISE_SERVICES: Final[tuple[str, ...]] = (
    "tv",
    "mobile",
    "broadband",
    "music",
    "cloud",
    "gaming",
    "news",
    "sports",
    "kids",
    "voip",
)
_NOISE_WINDOWS: Final[tuple[str, ...]] = ("7d", "30d", "90d", "180d", "365d", "lifetime")
_NOISE_CATEGORICALS: Final[dict[str, tuple[str, ...]]] = {
    "device_os": ("android", "ios", "windows", "macos", "other"),
    "router_model": ("hx200", "hx300", "zq10", "zq20"),
    "preferred_contact": ("email", "phone", "sms", "app"),
    "marketing_segment": ("value", "family", "premium", "student", "senior"),
    "acquisition_channel": ("online", "store", "phone", "partner"),
    "favourite_genre": ("drama", "sport", "kids", "news", "comedy", "documentary"),
    "household_type": ("single", "couple", "family", "shared"),
    "plan_bundle": ("tv_only", "broadband_only", "tv_broadband", "triple"),
    "language": ("en", "es", "fr", "other"),
    "billing_cycle": ("early", "mid", "late"),
}
_NOISE_COLUMNS_PER_CATEGORICAL: Final[int] = 10
"""One noise column in this many is a profile category (up to one per name in ``_NOISE_CATEGORICALS``)."""
_NOISE_KINDS: Final[int] = 4
"""Numeric noise columns cycle through this many kinds; the last kind of each cycle is a share in [0, 1]."""

LEAK_SEPARATION: Final[float] = 4.0
"""Shift, in standard deviations, of a churner's leak latent at ``leakage = 1``."""

START_MONTH: Final[str] = "2022-01"
"""Month of the first training snapshot."""

_SECONDS_PER_DAY: Final[int] = 86_400
_RECORD_NUMBER_BASE: Final[tuple[int, int]] = (100_000, 900_000)
"""Range of the first record number: six digits."""
_RECORD_NUMBER_GAP: Final[tuple[int, int]] = (1_000, 50_000)
"""Records exported between the training extract and the holdout: record numbers jump by this much."""
_HEX_WIDTHS: Final[dict[str, int]] = {"account_code": 8, "email_hash": 12}
"""Hex digits of the code-like identifiers."""


def draw_noise_names(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Names of ``n`` noise columns: a few categorical ones, the rest usage metrics."""
    n_categorical = min(len(_NOISE_CATEGORICALS), n // _NOISE_COLUMNS_PER_CATEGORICAL)
    categorical = list(_NOISE_CATEGORICALS)[:n_categorical]
    pool = [
        f"{metric}_{service}_{window}"
        for service in _NOISE_SERVICES
        for metric in _NOISE_METRICS
        for window in _NOISE_WINDOWS
    ]
    n_numeric = n - n_categorical
    if n_numeric <= len(pool):
        chosen = np.sort(rng.choice(len(pool), size=n_numeric, replace=False))
        numeric = [pool[i] for i in chosen]
    else:
        numeric = [pool[i % len(pool)] + ("" if i < len(pool) else f"_{i // len(pool) + 1}") for i in range(n_numeric)]
    return numeric, categorical


def _ordered_categories(z: np.ndarray, shares: tuple[float, ...], categories: tuple[str, ...]) -> pd.Categorical[str]:
    cuts = norm.ppf(np.cumsum(shares)[:-1])
    return pd.Categorical.from_codes(np.digitize(z, cuts).astype(np.int8), categories=pd.Index(list(categories)))


def _latent(n: int, columns: list[str], shifts: Mapping[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One standard-normal latent per column, its mean moved by ``shifts[column]``."""
    z = rng.standard_normal((len(columns), n))
    return {name: z[i] + shifts.get(name, 0.0) for i, name in enumerate(columns)}


def draw_base_columns(n: int, shifts: Mapping[str, float], rng: np.random.Generator) -> dict[str, object]:
    """The churn drivers and the benign customer columns."""
    latent_rng, count_rng, extra_rng = rng.spawn(3)
    names = [*INFORMATIVE_COLUMNS, "paperless_billing", "region", "age", "num_lines"]
    z = _latent(n, names, shifts, latent_rng)
    tenure = np.clip(np.round(72.0 * norm.cdf(z["tenure_months"]) ** 1.4), 1, 72).astype(np.int64)
    charges = np.round(20.0 + 100.0 * norm.cdf(0.9 * z["monthly_charges"]), 2)
    calls_rng, late_rng = count_rng.spawn(2)
    columns: dict[str, object] = {
        "tenure_months": tenure,
        "contract_type": _ordered_categories(z["contract_type"], (0.55, 0.25, 0.20), CONTRACT_TYPES),
        "monthly_charges": charges,
        "total_charges": np.round(tenure * charges * extra_rng.uniform(0.92, 1.04, n), 2),
        "payment_method": _ordered_categories(z["payment_method"], (0.30, 0.25, 0.30, 0.15), PAYMENT_METHODS),
        "paperless_billing": _ordered_categories(z["paperless_billing"], (0.4, 0.6), YES_NO),
        "support_calls_90d": calls_rng.poisson(np.exp(0.2 + 0.5 * z["support_calls_90d"])).astype(np.int64),
        "late_payments_12m": late_rng.poisson(np.exp(-0.9 + 0.7 * z["late_payments_12m"])).astype(np.int64),
        "streaming_hours_week": np.round(np.exp(2.3 + 0.6 * z["streaming_hours_week"]), 1),
        "region": _ordered_categories(z["region"], (0.2, 0.2, 0.15, 0.15, 0.2, 0.1), REGIONS),
        "age": np.clip(np.round(45.0 + 14.0 * z["age"]), 18, 90).astype(np.int64),
        "num_lines": np.clip(np.round(np.exp(0.4 + 0.5 * z["num_lines"])), 1, 6).astype(np.int64),
    }
    return columns


def draw_noise_columns(
    n: int, numeric: list[str], categorical: list[str], shifts: Mapping[str, float], rng: np.random.Generator
) -> dict[str, object]:
    """Usage metrics and profile categories with no link to churn."""
    latent_rng, count_rng = rng.spawn(2)
    z = _latent(n, [*numeric, *categorical], shifts, latent_rng)
    columns: dict[str, object] = {}
    counts = count_rng.spawn(max(1, len(numeric)))
    share_kind = _NOISE_KINDS - 1
    for i, name in enumerate(numeric):
        value = z[name]
        kind = i % _NOISE_KINDS
        if name.startswith(_NOISE_COUNT_METRICS) and kind != share_kind:
            columns[name] = counts[i].poisson(np.exp(1.0 + 0.6 * value)).astype(np.int64)
        elif kind == share_kind:
            columns[name] = np.round(norm.cdf(value), 4)  # a share, e.g. of weekend usage
        else:
            columns[name] = np.round(np.exp(2.0 + 0.8 * value), 2)
    for name in categorical:
        levels = _NOISE_CATEGORICALS[name]
        shares = tuple(np.full(len(levels), 1.0 / len(levels)))
        columns[name] = _ordered_categories(z[name], shares, levels)
    return columns


def draw_leak_values(name: str, labels: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """The leak column: latent ``z + LEAK_SEPARATION * strength * label`` on the column's own scale."""
    latent = rng.standard_normal(labels.size) + LEAK_SEPARATION * strength * labels
    if name == "days_since_last_login":
        return np.round(np.exp(1.2 + 0.7 * latent)).astype(np.int64)
    if name == "retention_calls_30d":
        return rng.poisson(np.exp(-0.3 + 1.0 * latent)).astype(np.int64)
    if name == "cancellation_page_visits":
        return rng.poisson(np.exp(0.2 + 1.0 * latent)).astype(np.int64)
    propensity: np.ndarray = np.round(norm.cdf(latent - 1.0), 4)  # winback_offer_sent: a score the CRM wrote
    return propensity


def draw_identifier_values(
    name: str, n_train: int, n_test: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Unique-per-row values of one identifier column for train (extract order) and test."""
    if name == "record_number":
        base = int(rng.integers(*_RECORD_NUMBER_BASE))
        train = base + np.arange(n_train, dtype=np.int64)
        test = base + n_train + int(rng.integers(*_RECORD_NUMBER_GAP)) + np.arange(n_test, dtype=np.int64)
        return train, test
    n = n_train + n_test
    width = _HEX_WIDTHS[name]
    codes = rng.choice(16**width - 16 ** (width - 1), size=n, replace=False) + 16 ** (width - 1)
    text = np.array([format(int(code), "x") for code in codes], dtype=object)
    if name == "account_code":
        text = np.array([f"AC-{code.upper()}" for code in text], dtype=object)
    return text[:n_train], text[n_train:]


def draw_months(n: int, first: int, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Month index and snapshot timestamp (random day and hour in the month)."""
    month = np.sort(rng.integers(first, first + count, size=n))
    start = np.datetime64(START_MONTH, "M") + month.astype("timedelta64[M]")
    start_days = start.astype("datetime64[D]")
    end_days = (start + np.timedelta64(1, "M")).astype("datetime64[D]")
    length = (end_days - start_days).astype(np.int64)
    offset = np.floor(rng.random(n) * length * _SECONDS_PER_DAY).astype(np.int64)
    stamp = start_days.astype("datetime64[s]") + offset.astype("timedelta64[s]")
    return month, stamp.astype("datetime64[ns]")
