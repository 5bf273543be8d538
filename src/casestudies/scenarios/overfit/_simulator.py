"""Subscription-churn simulator behind the ``overfit-*`` scenarios: a train/test gap with planted causes.

.. versionadded:: 1.0

The story
---------
A broadband-and-TV subscription provider takes a monthly snapshot of its
customers and wants to predict who cancels within the next 90 days
(``churned``). The training extract covers 24 monthly snapshots (January 2022
to December 2023); the holdout is the next three months (January to March
2024), scored later. Every row is one customer at one snapshot.

**What drives churn.** The true log-odds of churning is a fixed, known
function of seven observed columns (no hidden state)::

    logit = b + 1.35 * ( - 1.1 (log tenure_months - 2.9) + 0.9 (monthly_charges - 70) / 28
                         + 1.3 [contract_type = month-to-month] - 1.3 [contract_type = two-year]
                         + 0.55 support_calls_90d + 1.0 [payment_method = electronic_check]
                         + 0.6 late_payments_12m - 0.8 (log streaming_hours_week - 2.3) / 0.6 )
            + g[snapshot month]

with ``b`` solved so that the training churn rate is ``positive_rate``, and
``g`` the month effects (zero unless ``temporal`` is on). ``truth.probability``
is this probability, so it is Bayes-optimal *and* a function of columns every
pipeline sees (``oracle_observable=True``): its ROC-AUC is about 0.93, no
single legitimate column exceeds about 0.75. ``total_charges`` (tenure times
charges), ``region``, ``age``, ``num_lines``, ``paperless_billing`` and the
``n_noise_features`` product-usage columns carry no information beyond that.

**Planted causes of a train/test gap** (each a knob; each recorded in
``case.reveal("world")["faults"]`` with the columns it concerns):

``high_dimensional``
    ``n_noise_features`` usage metrics with realistic names and no signal;
    present when there are fewer than 10 training rows per feature.
``label_noise``
    A share ``label_noise`` of the *training* labels is replaced by a random
    draw with the churn rate (1.0 = labels independent of everything).
    Holdout labels are clean.
``target_leakage``
    One column (its name is drawn from the seed: ``days_since_last_login``,
    ``retention_calls_30d``, ``cancellation_page_visits`` or
    ``winback_offer_sent``) is always present. With ``leakage`` > 0 it is
    written *after* the outcome in the training extract, from the recorded
    label, so it separates churners almost perfectly in train; in the
    holdout it is filled before the outcome and carries no information (same
    distribution, no link to the label).
``identifier``
    ``identifiers`` columns that are unique per row (a record number in
    extract order, an account code, an e-mail hash): memorisable, never seen
    again in the holdout.
``covariate_shift``
    The holdout's ``n_shifted_columns`` columns (the first a churn driver)
    are drawn with their latent mean moved by ``shift`` standard deviations;
    the churn function does not change.
``duplicates``
    A share ``duplicates`` of holdout rows are near-copies of training rows
    (the same customers exported twice, new record ids, small jitter in
    measured amounts) and share their churn event with the training copy.
    Their ``truth.probability`` is the probability given the training copy's
    recorded label, which a pipeline can see.
``temporal``
    Month effects ``g ~ N(0, temporal^2)`` on the log-odds (promotions,
    price changes, outages): a random split of the time-ordered extract lets
    a model learn each month's effect from its neighbours, which does not
    carry to the holdout's new months.
``class_imbalance``
    ``positive_rate`` at or below 0.1.

With ``random_faults = true`` the knobs are drawn from the seed (each cause
present with probability 0.5, strengths and sizes from
:data:`RANDOM_FAULT_RANGES`, which keeps every planted cause detectable in
principle), for practice and for testing diagnostics.

References
----------
Kapoor & Narayanan, "Leakage and the reproducibility crisis in machine-
learning-based science", Patterns 4(9), 2023 (kinds of leakage). Zhang et
al., "Understanding deep learning requires rethinking generalization", ICLR
2017 (random labels). Kaggle "Don't Overfit! II" (250 rows, 300 features).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.pipeline import Pipeline

from casestudies.core import ScenarioData
from casestudies.diagnostics import identifier_check, leakage_scan
from casestudies.exceptions import InvalidParameterError
from casestudies.preprocessing import TabularEncoder, as_frame, require_rows_and_columns
from casestudies.scoring import FAULT_KINDS

__all__ = [
    "CONTRACT_TYPES",
    "FAULT_KINDS",
    "INFORMATIVE_COLUMNS",
    "LEAK_COLUMN_NAMES",
    "PAYMENT_METHODS",
    "RANDOM_FAULT_RANGES",
    "ColumnScreen",
    "SelectedLogistic",
    "churn_logit",
    "expert_pipeline",
    "generate",
    "naive_pipeline",
    "regularised_pipeline",
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

LEAK_COLUMN_NAMES: Final[tuple[str, ...]] = (
    "days_since_last_login",
    "retention_calls_30d",
    "cancellation_page_visits",
    "winback_offer_sent",
)
"""Names the seed picks from for the column that leaks the label when ``leakage`` > 0."""

_IDENTIFIER_NAMES: Final[tuple[str, ...]] = ("record_number", "account_code", "email_hash")
_BENIGN_COLUMNS: Final[tuple[str, ...]] = ("total_charges", "paperless_billing", "region", "age", "num_lines")
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

SIGNAL_SCALE: Final[float] = 1.35
TRAIN_MONTHS: Final[int] = 24
TEST_MONTHS: Final[int] = 3
START_MONTH: Final[str] = "2022-01"
HIGH_DIMENSIONAL_ROWS_PER_FEATURE: Final[float] = 10.0
IMBALANCE_RATE: Final[float] = 0.1

RANDOM_FAULT_RANGES: Final[dict[str, object]] = {
    "probability_present": 0.5,
    "positive_rate": {"class_imbalance": (0.04, 0.08), "balanced": (0.18, 0.40)},
    "n_train": {"high_dimensional": (300, 600), "otherwise": (1500, 3000), "max": 6000},
    "min_expected_positives": {"label_noise": 500, "temporal": 200, "otherwise": 30},
    "min_rows_label_noise": 2500,
    "n_noise_features": {"high_dimensional_per_row": (0.5, 1.5), "high_dimensional_max": 1500, "otherwise": (0, 30)},
    "label_noise": (0.25, 0.4),
    "leakage": (0.7, 1.0),
    "identifiers": (1, 2),
    "shift": (0.8, 1.5),
    "n_shifted_columns": (1, 3),
    "duplicates": (0.05, 0.2),
    "temporal": (1.0, 1.6),
}
"""What ``random_faults`` draws from (uniform; ints inclusive).

Each cause is present with probability 0.5, independently, except that
``label_noise`` and ``class_imbalance`` are never planted together (when both
are drawn, a coin keeps one). The training size then grows until the expected
number of positives reaches ``min_expected_positives`` of the causes present,
and to ``min_rows_label_noise`` rows under label noise (capped at
``n_train["max"]``). These rules keep every planted cause detectable in
principle: even with the true probabilities as the score, 20-40 % random
labels among a few hundred rows (or fewer than ~400 positives) cannot be
told from a weaker signal (likelihood ratio under 10 in most draws), a probe
fitted on the noisy labels needs about 2,500 rows to see them, and month
effects need about 200 positives to stand out of binomial noise over 24
months (``benchmarks/bench_overfit_diagnostics.py`` measures how often our
diagnostics find each cause).
"""

_KNOBS: Final[tuple[str, ...]] = (
    "n_train",
    "n_noise_features",
    "label_noise",
    "leakage",
    "identifiers",
    "shift",
    "n_shifted_columns",
    "duplicates",
    "temporal",
    "positive_rate",
)


# ---------------------------------------------------------------------------
# The churn function
# ---------------------------------------------------------------------------


def churn_logit(frame: pd.DataFrame) -> np.ndarray:
    """Log-odds of churn from the seven churn drivers, without intercept or month effect.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with the columns of :data:`INFORMATIVE_COLUMNS`.

    Returns
    -------
    numpy.ndarray
        One float per row; the simulator adds an intercept and, under
        ``temporal``, the month's effect, then applies the logistic function.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.DataFrame({"tenure_months": [18], "contract_type": ["month-to-month"],
    ...                     "monthly_charges": [70.0], "payment_method": ["card"],
    ...                     "support_calls_90d": [0], "late_payments_12m": [0],
    ...                     "streaming_hours_week": [10.0]})
    >>> round(float(churn_logit(row)[0]), 3)
    1.765
    """
    tenure = frame["tenure_months"].to_numpy(dtype=np.float64)
    charges = frame["monthly_charges"].to_numpy(dtype=np.float64)
    contract = frame["contract_type"].astype(str).to_numpy()
    payment = frame["payment_method"].astype(str).to_numpy()
    calls = frame["support_calls_90d"].to_numpy(dtype=np.float64)
    late = frame["late_payments_12m"].to_numpy(dtype=np.float64)
    hours = frame["streaming_hours_week"].to_numpy(dtype=np.float64)
    return SIGNAL_SCALE * (
        -1.1 * (np.log(tenure) - 2.9)
        + 0.9 * (charges - 70.0) / 28.0
        + 1.3 * (contract == "month-to-month")
        - 1.3 * (contract == "two-year")
        + 0.55 * calls
        + 1.0 * (payment == "electronic_check")
        + 0.6 * late
        - 0.8 * (np.log(hours) - 2.3) / 0.6
    )


# ---------------------------------------------------------------------------
# Knobs
# ---------------------------------------------------------------------------


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _draw_knobs(rng: np.random.Generator) -> dict[str, object]:
    """Draw every fault knob from the seed (``random_faults`` mode; see :data:`RANDOM_FAULT_RANGES`)."""
    ranges: dict = RANDOM_FAULT_RANGES  # type: ignore[type-arg]
    on = {kind: bool(rng.random() < ranges["probability_present"]) for kind in FAULT_KINDS}
    if on["label_noise"] and on["class_imbalance"]:
        keep = "label_noise" if rng.random() < 0.5 else "class_imbalance"
        on["label_noise" if keep == "class_imbalance" else "class_imbalance"] = False
    rates = ranges["positive_rate"]
    rate = round(_uniform(rng, rates["class_imbalance"] if on["class_imbalance"] else rates["balanced"]), 4)
    sizes = ranges["n_train"]
    low, high = sizes["high_dimensional"] if on["high_dimensional"] else sizes["otherwise"]
    n_train = int(rng.integers(low, high + 1))
    needed = ranges["min_expected_positives"]
    positives = max([needed["otherwise"]] + [needed[kind] for kind in ("label_noise", "temporal") if on[kind]])
    n_train = max(n_train, int(np.ceil(positives / rate)))
    if on["label_noise"]:
        n_train = max(n_train, ranges["min_rows_label_noise"])
    n_train = min(n_train, sizes["max"])
    noise = ranges["n_noise_features"]
    if on["high_dimensional"]:
        per_row = _uniform(rng, noise["high_dimensional_per_row"])
        n_noise = min(int(round(per_row * n_train)), noise["high_dimensional_max"])
    else:
        n_noise = int(rng.integers(noise["otherwise"][0], noise["otherwise"][1] + 1))
    knobs: dict[str, object] = {"positive_rate": rate, "n_train": n_train, "n_noise_features": n_noise}
    knobs["label_noise"] = round(_uniform(rng, ranges["label_noise"]), 4) if on["label_noise"] else 0.0
    knobs["leakage"] = round(_uniform(rng, ranges["leakage"]), 4) if on["target_leakage"] else 0.0
    knobs["identifiers"] = (
        int(rng.integers(ranges["identifiers"][0], ranges["identifiers"][1] + 1)) if on["identifier"] else 0
    )
    knobs["shift"] = round(_uniform(rng, ranges["shift"]), 4) if on["covariate_shift"] else 0.0
    knobs["n_shifted_columns"] = int(rng.integers(ranges["n_shifted_columns"][0], ranges["n_shifted_columns"][1] + 1))
    knobs["duplicates"] = round(_uniform(rng, ranges["duplicates"]), 4) if on["duplicates"] else 0.0
    knobs["temporal"] = round(_uniform(rng, ranges["temporal"]), 4) if on["temporal"] else 0.0
    return knobs


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


def _noise_names(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Names of ``n`` noise columns: a few categorical ones, the rest usage metrics."""
    n_categorical = min(len(_NOISE_CATEGORICALS), n // 10)
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


def _base_columns(n: int, shifts: Mapping[str, float], rng: np.random.Generator) -> dict[str, object]:
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


def _noise_columns(
    n: int, numeric: list[str], categorical: list[str], shifts: Mapping[str, float], rng: np.random.Generator
) -> dict[str, object]:
    """Usage metrics and profile categories with no link to churn."""
    latent_rng, count_rng = rng.spawn(2)
    z = _latent(n, [*numeric, *categorical], shifts, latent_rng)
    columns: dict[str, object] = {}
    counts = count_rng.spawn(max(1, len(numeric)))
    for i, name in enumerate(numeric):
        value = z[name]
        kind = i % 4
        if name.startswith(("sessions", "app_opens", "errors", "speed_tests", "searches", "shares")) and kind != 3:
            columns[name] = counts[i].poisson(np.exp(1.0 + 0.6 * value)).astype(np.int64)
        elif kind == 3:
            columns[name] = np.round(norm.cdf(value), 4)  # a share, e.g. of weekend usage
        else:
            columns[name] = np.round(np.exp(2.0 + 0.8 * value), 2)
    for name in categorical:
        levels = _NOISE_CATEGORICALS[name]
        shares = tuple(np.full(len(levels), 1.0 / len(levels)))
        columns[name] = _ordered_categories(z[name], shares, levels)
    return columns


def _leak_values(name: str, labels: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """The leak column: latent ``z + 4 * strength * label`` on the column's own scale."""
    latent = rng.standard_normal(labels.size) + 4.0 * strength * labels
    if name == "days_since_last_login":
        return np.round(np.exp(1.2 + 0.7 * latent)).astype(np.int64)
    if name == "retention_calls_30d":
        return rng.poisson(np.exp(-0.3 + 1.0 * latent)).astype(np.int64)
    if name == "cancellation_page_visits":
        return rng.poisson(np.exp(0.2 + 1.0 * latent)).astype(np.int64)
    return np.round(norm.cdf(latent - 1.0), 4)  # winback_offer_sent: a propensity score the CRM wrote


def _identifier_values(name: str, n_train: int, n_test: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Unique-per-row values of one identifier column for train (extract order) and test."""
    if name == "record_number":
        base = int(rng.integers(100_000, 900_000))
        train = base + np.arange(n_train, dtype=np.int64)
        test = base + n_train + int(rng.integers(1_000, 50_000)) + np.arange(n_test, dtype=np.int64)
        return train, test
    n = n_train + n_test
    width = 8 if name == "account_code" else 12
    codes = rng.choice(16**width - 16 ** (width - 1), size=n, replace=False) + 16 ** (width - 1)
    text = np.array([format(int(code), "x") for code in codes], dtype=object)
    if name == "account_code":
        text = np.array([f"AC-{code.upper()}" for code in text], dtype=object)
    return text[:n_train], text[n_train:]


def _months(n: int, first: int, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Month index and snapshot timestamp (random day and hour in the month)."""
    month = np.sort(rng.integers(first, first + count, size=n))
    start = np.datetime64(START_MONTH, "M") + month.astype("timedelta64[M]")
    start_days = start.astype("datetime64[D]")
    end_days = (start + np.timedelta64(1, "M")).astype("datetime64[D]")
    length = (end_days - start_days).astype(np.int64)
    offset = np.floor(rng.random(n) * length * 86_400).astype(np.int64)
    stamp = start_days.astype("datetime64[s]") + offset.astype("timedelta64[s]")
    return month, stamp.astype("datetime64[ns]")


def _intercept(logits: np.ndarray, rate: float) -> float:
    """Intercept that makes the mean churn probability equal ``rate``."""
    return float(brentq(lambda b: float(expit(logits + b).mean()) - rate, -30.0, 30.0, xtol=1e-10))


def _twin_probability(p: np.ndarray, recorded: np.ndarray, noise: float, prior: float) -> np.ndarray:
    """P(churn | features, recorded training label of the twin) under replacement noise."""
    keep_one = (1.0 - noise) + noise * prior  # P(recorded 1 | churned)
    false_one = noise * prior  # P(recorded 1 | stayed)
    with np.errstate(invalid="ignore", divide="ignore"):
        given_one = keep_one * p / (keep_one * p + false_one * (1.0 - p))
        given_zero = (1.0 - keep_one) * p / ((1.0 - keep_one) * p + (1.0 - false_one) * (1.0 - p))
    return np.where(recorded == 1, np.nan_to_num(given_one, nan=1.0), np.nan_to_num(given_zero, nan=0.0))


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Simulate a churn extract with the requested causes of a train/test gap.

    Parameters
    ----------
    params : Mapping
        Validated values of every parameter declared in the ``overfit-*``
        TOML files: ``n_train``, ``n_test``, ``n_noise_features``,
        ``label_noise``, ``leakage``, ``identifiers``, ``shift``,
        ``n_shifted_columns``, ``duplicates``, ``temporal``,
        ``positive_rate`` and ``random_faults`` (which, when true, draws every
        knob but ``n_test`` from the seed).
    rng : numpy.random.Generator
        Source of all randomness; child streams are spawned per concern.

    Returns
    -------
    ScenarioData
        ``train`` and ``test`` (sorted by snapshot date), ``truth`` with the
        Bayes-optimal ``probability`` per holdout row, ``info`` for the data
        card and ``hidden`` with every knob and, per fault kind of
        :data:`FAULT_KINDS`, whether it is present and which columns it
        concerns.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_train=300, n_test=400, n_noise_features=12, label_noise=0.0,
    ...               leakage=0.8, identifiers=1, shift=0.0, n_shifted_columns=1,
    ...               duplicates=0.0, temporal=0.0, positive_rate=0.2, random_faults=False)
    >>> data = generate(params, np.random.default_rng(0))
    >>> data.train.shape, data.test.shape
    ((300, 29), (400, 29))
    >>> faults = data.hidden["faults"]
    >>> [kind for kind, fault in faults.items() if fault["present"]]
    ['target_leakage', 'identifier']
    >>> faults["target_leakage"]["columns"], faults["identifier"]["columns"]
    (['winback_offer_sent'], ['email_hash'])
    """
    streams = rng.spawn(14)
    n_test = int(params["n_test"])  # type: ignore[call-overload]
    random_mode = bool(params["random_faults"])
    knobs = _draw_knobs(streams[0]) if random_mode else {name: params[name] for name in _KNOBS}
    n_train = int(knobs["n_train"])  # type: ignore[call-overload]
    n_noise = int(knobs["n_noise_features"])  # type: ignore[call-overload]
    label_noise = float(knobs["label_noise"])  # type: ignore[arg-type]
    leakage = float(knobs["leakage"])  # type: ignore[arg-type]
    n_identifiers = int(knobs["identifiers"])  # type: ignore[call-overload]
    shift = float(knobs["shift"])  # type: ignore[arg-type]
    n_shifted = int(knobs["n_shifted_columns"])  # type: ignore[call-overload]
    duplicates = float(knobs["duplicates"])  # type: ignore[arg-type]
    temporal = float(knobs["temporal"])  # type: ignore[arg-type]
    rate = float(knobs["positive_rate"])  # type: ignore[arg-type]

    # Which columns: names drawn from their own stream so sizes do not move them.
    name_rng = streams[1]
    numeric_noise, categorical_noise = _noise_names(n_noise, name_rng)
    leak_name = LEAK_COLUMN_NAMES[int(name_rng.integers(len(LEAK_COLUMN_NAMES)))]
    identifier_names = [
        _IDENTIFIER_NAMES[i]
        for i in np.sort(name_rng.choice(len(_IDENTIFIER_NAMES), size=n_identifiers, replace=False))
    ]

    # Covariate shift: the first shifted column is a churn driver, the others any feature.
    shift_rng = streams[2]
    shiftable_drivers = [
        "tenure_months",
        "monthly_charges",
        "contract_type",
        "streaming_hours_week",
        "support_calls_90d",
    ]
    shiftable_other = ["age", "region", "num_lines", *numeric_noise, *categorical_noise]
    shifted: list[str] = []
    shifts: dict[str, float] = {}
    if shift > 0:
        first = shiftable_drivers[int(shift_rng.integers(len(shiftable_drivers)))]
        pool = [name for name in shiftable_drivers + shiftable_other if name != first]
        others = [pool[i] for i in shift_rng.choice(len(pool), size=min(n_shifted - 1, len(pool)), replace=False)]
        shifted = [first, *others]
        shifts = {name: float(shift * shift_rng.choice([-1.0, 1.0])) for name in shifted}

    # Features and snapshot months, train and test from separate streams.
    train_cols = _base_columns(n_train, {}, streams[3])
    train_cols |= _noise_columns(n_train, numeric_noise, categorical_noise, {}, streams[4])
    test_cols = _base_columns(n_test, shifts, streams[5])
    test_cols |= _noise_columns(n_test, numeric_noise, categorical_noise, shifts, streams[6])
    train_month, train_stamp = _months(n_train, 0, TRAIN_MONTHS, streams[7])
    test_month, test_stamp = _months(n_test, TRAIN_MONTHS, TEST_MONTHS, streams[7])

    # Labels: the churn function plus month effects, intercept matched to the rate.
    label_rng, noise_rng, leak_rng, id_rng, dup_rng = streams[8], streams[9], streams[10], streams[11], streams[12]
    month_effect = temporal * label_rng.standard_normal(TRAIN_MONTHS + TEST_MONTHS)
    train_logit = churn_logit(pd.DataFrame(train_cols)) + month_effect[train_month]
    test_logit = churn_logit(pd.DataFrame(test_cols)) + month_effect[test_month]
    intercept = _intercept(train_logit, rate)
    train_p = expit(train_logit + intercept)
    test_p = expit(test_logit + intercept)
    train_y = (label_rng.random(n_train) < train_p).astype(np.int8)
    test_y = (label_rng.random(n_test) < test_p).astype(np.int8)

    # Training label noise: replaced by a draw with the churn rate.
    corrupted = noise_rng.random(n_train) < label_noise
    replacement = (noise_rng.random(n_train) < rate).astype(np.int8)
    recorded = np.where(corrupted, replacement, train_y).astype(np.int8)

    # Leak column: from the recorded label in train, unrelated to the label in test.
    leak_train_rng, leak_test_rng, leak_draw_rng = leak_rng.spawn(3)
    train_cols[leak_name] = _leak_values(leak_name, recorded, leakage, leak_train_rng)
    unrelated = (leak_draw_rng.random(n_test) < recorded.mean()).astype(np.int8)
    test_cols[leak_name] = _leak_values(leak_name, unrelated, leakage, leak_test_rng)

    # Near-duplicates: holdout rows replaced by jittered copies of training rows.
    truth_p = test_p.copy()
    twin_of = np.full(n_test, -1, dtype=np.int64)
    n_dup = int(round(duplicates * n_test))
    if n_dup:
        pick_rng, place_rng, jitter_rng = dup_rng.spawn(3)
        sources = np.sort(pick_rng.choice(n_train, size=min(n_dup, n_train), replace=False))
        targets = np.sort(place_rng.choice(n_test, size=sources.size, replace=False))
        sources = pick_rng.permutation(sources)
        for name, values in train_cols.items():
            copied = values.codes[sources] if isinstance(values, pd.Categorical) else np.asarray(values)[sources]
            if isinstance(values, np.ndarray) and values.dtype.kind == "f":
                scale = 0.005 * float(np.std(values)) if values.size > 1 else 0.0
                decimals = 4 if name == leak_name or "share" in name else 2
                copied = np.round(copied + scale * jitter_rng.standard_normal(sources.size), decimals)
            target_values = test_cols[name]
            if isinstance(target_values, pd.Categorical):
                codes = target_values.codes.copy()
                codes[targets] = copied
                test_cols[name] = pd.Categorical.from_codes(codes, categories=target_values.categories)
            else:
                target_values = np.asarray(target_values).copy()
                target_values[targets] = copied
                test_cols[name] = target_values
        test_y[targets] = train_y[sources]
        truth_p[targets] = _twin_probability(train_p[sources], recorded[sources], label_noise, rate)
        twin_of[targets] = sources

    # Ids: unique customer ids across both frames; identifier columns.
    ids = id_rng.choice(9_000_000, size=n_train + n_test, replace=False) + 1_000_000
    identifiers = {
        name: _identifier_values(name, n_train, n_test, child)
        for name, child in zip(identifier_names, id_rng.spawn(len(identifier_names)))
    }

    feature_order = [
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
    ]
    extra = [*numeric_noise, *categorical_noise]
    position = int(name_rng.integers(0, len(extra) + 1))
    extra.insert(position, leak_name)
    ordered = [*feature_order[:9], *feature_order[9:], *extra]

    def frame(
        cols: dict[str, object], customer: np.ndarray, stamp: np.ndarray, ident: int, y: np.ndarray
    ) -> pd.DataFrame:
        data: dict[str, object] = {"customer_id": customer, "snapshot_date": stamp}
        for name in identifier_names:
            data[name] = identifiers[name][ident]
        for name in ordered:
            data[name] = cols[name]
        data["churned"] = y
        return pd.DataFrame(data)

    train = frame(train_cols, ids[:n_train], train_stamp, 0, recorded)
    test = frame(test_cols, ids[n_train:], test_stamp, 1, test_y)
    for name in identifier_names:
        if train[name].dtype == object:
            train[name] = train[name].astype("string")
            test[name] = test[name].astype("string")

    truth = pd.DataFrame(
        {
            "probability": truth_p,
            "month_effect": month_effect[np.where(twin_of >= 0, train_month[np.maximum(twin_of, 0)], test_month)],
            "duplicate_of": np.where(twin_of >= 0, ids[np.maximum(twin_of, 0)], 0),
        }
    )
    train_truth = pd.DataFrame(
        {"probability": train_p, "churned_actual": train_y, "label_corrupted": corrupted & (recorded != train_y)}
    )

    n_features = len(ordered) + len(identifier_names) + 1  # + snapshot_date
    derived = [name for name in ("total_charges",) if {"tenure_months", "monthly_charges"} & set(shifted)]
    faults: dict[str, dict[str, object]] = {
        "high_dimensional": {
            "present": n_noise > 0 and n_train / n_features < HIGH_DIMENSIONAL_ROWS_PER_FEATURE,
            "columns": [],
            "n_train": n_train,
            "n_features": n_features,
            "n_noise_features": n_noise,
            "rows_per_feature": round(n_train / n_features, 3),
        },
        "label_noise": {
            "present": label_noise > 0,
            "columns": [],
            "rate": label_noise,
            "n_corrupted": int(corrupted.sum()),
            "n_changed": int((recorded != train_y).sum()),
        },
        "target_leakage": {
            "present": leakage > 0,
            "columns": [leak_name] if leakage > 0 else [],
            "strength": leakage,
            "candidate_column": leak_name,
        },
        "identifier": {"present": n_identifiers > 0, "columns": list(identifier_names)},
        "covariate_shift": {
            "present": shift > 0,
            "columns": sorted(shifted),
            "also_affected": derived,
            "directly_shifted": {name: round(value, 4) for name, value in shifts.items()},
            "shift_sd": shift,
        },
        "duplicates": {
            "present": n_dup > 0,
            "columns": [],
            "share": duplicates,
            "n_rows": n_dup,
        },
        "temporal": {
            "present": temporal > 0,
            "columns": ["snapshot_date"] if temporal > 0 else [],
            "month_effect_sd": temporal,
        },
        "class_imbalance": {"present": rate <= IMBALANCE_RATE, "columns": [], "positive_rate": rate},
    }
    hidden = {
        "mode": "random_faults" if random_mode else "knobs",
        "knobs": {name: (value.item() if hasattr(value, "item") else value) for name, value in knobs.items()},
        "faults": faults,
        "present": [kind for kind in FAULT_KINDS if faults[kind]["present"]],
        "informative_columns": list(INFORMATIVE_COLUMNS) + (["snapshot_date"] if temporal > 0 else []),
        "intercept": round(intercept, 6),
        "month_effects": [round(float(value), 6) for value in month_effect],
        "train_labels_changed_by_noise": [int(value) for value in ids[:n_train][recorded != train_y]],
    }
    info = {
        "n_train": n_train,
        "n_test": n_test,
        "n_features": n_features,
        "train_period": f"{START_MONTH} to 2023-12 (24 monthly snapshots)",
        "test_period": "2024-01 to 2024-03 (3 monthly snapshots)",
        "target_definition": "churned = 1 if the customer cancelled within 90 days after the snapshot",
        "train_churn_rate": float(recorded.mean()),
    }
    return ScenarioData(
        train=train,
        test=test,
        target="churned",
        id_column="customer_id",
        truth=truth,
        train_truth=train_truth,
        info=info,
        hidden=hidden,
        oracle_observable=True,
    )


# ---------------------------------------------------------------------------
# Reference pipelines
# ---------------------------------------------------------------------------


class ColumnScreen(TransformerMixin, BaseEstimator):
    """Drop columns a careful analyst would not feed a model: identifiers, single-column leaks, dates.

    In :meth:`fit` it runs :func:`casestudies.diagnostics._checks.identifier_check`
    and :func:`casestudies.diagnostics._checks.leakage_scan` on the training rows and
    remembers the flagged columns; :meth:`transform` drops them (and every
    date column when ``drop_dates``) from any frame.

    Parameters
    ----------
    drop : sequence of str, default=("customer_id",)
        Columns always dropped (the row id).
    drop_dates : bool, default=True
        Drop date columns: month effects of the past do not carry to new months.
    leak_threshold : float, default=0.85
        Single-feature ROC-AUC at which a column is treated as a leak.

    Attributes
    ----------
    dropped_ : list of str
        Every column removed, for inspection.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-leaky-v1", seed=0, n_train=500, n_test=300)
    >>> screen = ColumnScreen().fit(case.X_train, case.y_train)
    >>> screen.dropped_ == ["customer_id", "snapshot_date", *case.reveal("world")["faults"]["target_leakage"]["columns"]]
    True
    """

    def __init__(
        self, drop: Sequence[str] = ("customer_id",), drop_dates: bool = True, leak_threshold: float = 0.85
    ) -> None:
        self.drop = drop
        self.drop_dates = drop_dates
        self.leak_threshold = leak_threshold

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []  # returns a DataFrame of the kept columns
        return tags

    def fit(self, X: pd.DataFrame, y: object = None) -> ColumnScreen:
        """Find the columns to drop."""

        X = as_frame(X, "ColumnScreen.fit")
        require_rows_and_columns(X, "ColumnScreen.fit")
        self.n_features_in_ = X.shape[1]
        base = [c for c in self.drop if c in X.columns]
        if self.drop_dates:
            base += [c for c in X.columns if X[c].dtype.kind == "M" and c not in base]
        ids = list(identifier_check(X, X, exclude=base).evidence["columns"])  # type: ignore[call-overload]
        leaks: list[str] = []
        if y is not None and len(np.unique(np.asarray(y))) == 2:
            leaks = list(
                leakage_scan(
                    X, pd.Series(np.asarray(y)), exclude=[*base, *ids], threshold=self.leak_threshold
                ).evidence["columns"]
            )  # type: ignore[call-overload]
        self.dropped_ = [*base, *ids, *leaks]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` without the dropped columns."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "dropped_")
        frame = as_frame(X, "ColumnScreen.transform")
        if not isinstance(X, pd.DataFrame) and frame.shape[1] != self.n_features_in_:
            message = f"ColumnScreen.transform: X has {frame.shape[1]} features, but ColumnScreen is expecting {self.n_features_in_} features as input; pass the training columns."
            raise InvalidParameterError(message)
        return frame.drop(columns=[c for c in self.dropped_ if c in frame.columns])


class SelectedLogistic(ClassifierMixin, BaseEstimator):
    """L1 logistic regression whose strength ``C`` is picked by 3-fold log-loss from a short grid.

    Parameters
    ----------
    Cs : sequence of float, default=(0.02, 0.05, 0.2, 1.0)
    random_state : int, default=0
    """

    def __init__(self, Cs: Sequence[float] = (0.02, 0.05, 0.2, 1.0), random_state: int = 0) -> None:
        self.Cs = Cs
        self.random_state = random_state

    def _model(self, c: float, n_classes: int) -> object:
        from sklearn.linear_model import LogisticRegression

        solver = "liblinear" if n_classes == 2 else "saga"
        return LogisticRegression(C=c, l1_ratio=1.0, solver=solver, max_iter=1000, random_state=self.random_state)

    def fit(self, X: np.ndarray, y: object) -> SelectedLogistic:
        """Pick ``C`` by cross-validated log-loss, then refit on all rows."""
        from sklearn.model_selection import StratifiedKFold
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import validate_data

        X, y_values = validate_data(self, X, y)
        check_classification_targets(y_values)
        self.classes_, codes = np.unique(y_values, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise InvalidParameterError(
                f"SelectedLogistic.fit: y needs at least 2 classes; got {n_classes} class ({self.classes_.tolist()})."
            )
        n_folds = int(min(3, np.bincount(codes).min()))
        losses = []
        for c in self.Cs:
            loss = 0.0
            if n_folds >= 2:
                for train_rows, valid_rows in StratifiedKFold(
                    n_folds, shuffle=True, random_state=self.random_state
                ).split(X, codes):
                    model = self._model(c, n_classes).fit(X[train_rows], codes[train_rows])  # type: ignore[attr-defined]
                    p = np.clip(model.predict_proba(X[valid_rows]), 1e-9, 1.0)  # type: ignore[attr-defined]
                    columns = np.searchsorted(model.classes_, codes[valid_rows])  # type: ignore[attr-defined]
                    loss -= float(np.sum(np.log(p[np.arange(len(valid_rows)), np.minimum(columns, p.shape[1] - 1)])))
            losses.append(loss)
        self.C_ = float(self.Cs[int(np.argmin(losses))])
        self.model_ = self._model(self.C_, n_classes).fit(X, codes)  # type: ignore[attr-defined]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return np.asarray(self.model_.predict_proba(X))  # type: ignore[attr-defined]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]


def naive_pipeline() -> Pipeline:
    """Every column one-hot or scaled into an unregularised logistic regression (what a rushed first attempt does).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TabularEncoder()`` + ``LogisticRegression(C=1e4)``.
    """
    from sklearn.linear_model import LogisticRegression

    return Pipeline([("encode", TabularEncoder()), ("model", LogisticRegression(C=1e4, max_iter=5000))])


def regularised_pipeline() -> Pipeline:
    """Every column into an L1-regularised logistic regression (C = 0.05): regularisation, no data checks.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TabularEncoder()`` + L1 ``LogisticRegression(C=0.05)``.
    """
    from sklearn.linear_model import LogisticRegression

    return Pipeline(
        [
            ("encode", TabularEncoder()),
            ("model", LogisticRegression(C=0.05, l1_ratio=1.0, solver="liblinear", max_iter=1000)),
        ]
    )


def expert_pipeline() -> Pipeline:
    """Screen out identifiers, leaks and dates, add logs of counts and amounts, then an L1 logistic regression with its strength picked by CV.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``ColumnScreen()`` + ``TabularEncoder(max_categories=50, add_log=True)`` + ``SelectedLogistic()``.
    """

    return Pipeline(
        [
            ("screen", ColumnScreen()),
            ("encode", TabularEncoder(max_categories=50, add_log=True)),
            ("model", SelectedLogistic()),
        ]
    )
