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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple, cast

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from casestudies.core import ScenarioData, SizeEstimate
from casestudies.scenarios.overfit._columns import (
    BASE_COLUMNS,
    IDENTIFIER_NAMES,
    INFORMATIVE_COLUMNS,
    LEAK_COLUMN_NAMES,
    SHIFTABLE_BENIGN,
    SHIFTABLE_DRIVERS,
    START_MONTH,
    draw_base_columns,
    draw_identifier_values,
    draw_leak_values,
    draw_months,
    draw_noise_columns,
    draw_noise_names,
)
from casestudies.scenarios.overfit._knobs import KNOBS, RANDOM_FAULT_RANGES, Knobs, draw_knobs
from casestudies.scoring import FAULT_KINDS

__all__ = [
    "HIGH_DIMENSIONAL_ROWS_PER_FEATURE",
    "IMBALANCE_RATE",
    "SIGNAL_SCALE",
    "TEST_MONTHS",
    "TRAIN_MONTHS",
    "churn_logit",
    "generate",
]

SIGNAL_SCALE: Final[float] = 1.35
"""Multiplier of the churn drivers' log-odds: sets the oracle's ROC-AUC near 0.93."""
TRAIN_MONTHS: Final[int] = 24
"""Monthly snapshots in the training extract (January 2022 to December 2023)."""
TEST_MONTHS: Final[int] = 3
"""Monthly snapshots in the holdout (January to March 2024)."""
HIGH_DIMENSIONAL_ROWS_PER_FEATURE: Final[float] = 10.0
"""With noise columns and fewer training rows per feature than this, ``high_dimensional`` is present."""
IMBALANCE_RATE: Final[float] = 0.1
"""At or below this churn rate, ``class_imbalance`` is present."""

_INTERCEPT_BRACKET: Final[tuple[float, float]] = (-30.0, 30.0)
"""Where the intercept is searched: wide enough for any churn rate a float64 mean can express."""
_INTERCEPT_TOLERANCE: Final[float] = 1e-10
"""Absolute tolerance of the intercept search."""
_TWIN_JITTER: Final[float] = 0.005
"""A near-duplicate's measured amounts move by this share of the column's standard deviation."""
_FIRST_CUSTOMER_ID: Final[int] = 1_000_000
_N_CUSTOMER_IDS: Final[int] = 9_000_000
"""Customer ids are distinct draws from ``_FIRST_CUSTOMER_ID`` on: seven digits."""


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
    logit: np.ndarray = SIGNAL_SCALE * (
        -1.1 * (np.log(tenure) - 2.9)
        + 0.9 * (charges - 70.0) / 28.0
        + 1.3 * (contract == "month-to-month")
        - 1.3 * (contract == "two-year")
        + 0.55 * calls
        + 1.0 * (payment == "electronic_check")
        + 0.6 * late
        - 0.8 * (np.log(hours) - 2.3) / 0.6
    )
    return logit


def _intercept(logits: np.ndarray, rate: float) -> float:
    """Intercept that makes the mean churn probability equal ``rate``."""
    low, high = _INTERCEPT_BRACKET
    return float(brentq(lambda b: float(expit(logits + b).mean()) - rate, low, high, xtol=_INTERCEPT_TOLERANCE))


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


class _Streams(NamedTuple):
    """The generator's child streams, in spawn order: the order fixes which seed each stage gets.

    ``reserved`` is spawned but unused, so that the number of children spawned
    from the caller's generator stays what it has always been.
    """

    knobs: np.random.Generator  # the knobs, in random_faults mode
    names: np.random.Generator  # noise, leak and identifier column names; where the leak column sits
    shift: np.random.Generator  # which columns the holdout shifts, and in which direction
    train_base: np.random.Generator
    train_noise: np.random.Generator
    test_base: np.random.Generator
    test_noise: np.random.Generator
    months: np.random.Generator  # snapshot months, train then test
    labels: np.random.Generator  # month effects, then train and test outcomes
    label_noise: np.random.Generator
    leak: np.random.Generator
    ids: np.random.Generator  # customer ids and identifier columns
    duplicates: np.random.Generator
    reserved: np.random.Generator

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> _Streams:
        """One child of ``rng`` per field, in field order."""
        return cls(*rng.spawn(len(cls._fields)))


@dataclass(frozen=True, slots=True)
class _Names:
    """Names of the columns beyond the base ones, and where the leak column sits among them."""

    numeric_noise: list[str]
    categorical_noise: list[str]
    leak: str
    identifiers: list[str]
    extra: list[str]  # noise columns with the leak column inserted

    @property
    def ordered(self) -> list[str]:
        """Every feature column after the identifiers, in the extract's order."""
        return [*BASE_COLUMNS, *self.extra]


@dataclass(frozen=True, slots=True)
class _Shift:
    """The holdout's covariate shift: shifted columns, first a churn driver, and each one's shift in sd."""

    columns: list[str]
    shifts: dict[str, float]


@dataclass(frozen=True, slots=True)
class _Snapshots:
    """Month index and snapshot timestamp of every training and holdout row."""

    train_month: np.ndarray
    train_stamp: np.ndarray
    test_month: np.ndarray
    test_stamp: np.ndarray


@dataclass(frozen=True, slots=True)
class _Outcomes:
    """True churn probabilities and outcomes, before any label noise or duplicates."""

    month_effect: np.ndarray
    intercept: float
    train_p: np.ndarray
    test_p: np.ndarray
    train_y: np.ndarray
    test_y: np.ndarray


@dataclass(frozen=True, slots=True)
class _Recorded:
    """The training labels as recorded in the extract, after label noise."""

    corrupted: np.ndarray  # rows whose label was replaced by a random draw
    labels: np.ndarray


@dataclass(frozen=True, slots=True)
class _Twins:
    """The holdout after near-duplicates: labels, true probabilities and each row's training twin."""

    test_y: np.ndarray
    truth_p: np.ndarray
    twin_of: np.ndarray  # training row of each holdout row's twin, -1 for none
    n_rows: int


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
    streams = _Streams.spawn(rng)
    random_mode = bool(params["random_faults"])
    knob_values = draw_knobs(streams.knobs) if random_mode else {name: params[name] for name in KNOBS}
    knobs = Knobs.of(knob_values, n_test=int(params["n_test"]))  # type: ignore[call-overload]

    # The world: column names, the holdout's shift, features and snapshot months.
    names = _draw_names(knobs, streams.names)
    shift = _draw_shift(knobs, names, streams.shift)
    train_cols, test_cols = _draw_features(knobs, names, shift, streams)
    snapshots = _draw_snapshots(knobs, streams.months)
    outcomes = _draw_outcomes(train_cols, test_cols, snapshots, knobs, streams.labels)

    # The planted faults (high dimensions, identifiers and imbalance come with the knobs).
    recorded = _corrupt_labels(outcomes.train_y, knobs, streams.label_noise)
    train_cols[names.leak], test_cols[names.leak] = _draw_leak(names.leak, recorded.labels, knobs, streams.leak)
    twins = _plant_duplicates(train_cols, test_cols, outcomes, recorded, names.leak, knobs, streams.duplicates)
    ids, identifiers = _draw_ids(knobs, names, streams.ids)

    # The split, the truth and the records.
    n_train = knobs.n_train
    train = _frame(train_cols, ids[:n_train], snapshots.train_stamp, identifiers, 0, recorded.labels, names)
    test = _frame(test_cols, ids[n_train:], snapshots.test_stamp, identifiers, 1, twins.test_y, names)
    for name in names.identifiers:
        if train[name].dtype == object:
            train[name] = train[name].astype("string")
            test[name] = test[name].astype("string")
    n_features = len(names.ordered) + len(names.identifiers) + 1  # + snapshot_date
    faults = _faults(knobs, names, shift, outcomes, recorded, twins, n_features)
    return ScenarioData(
        train=train,
        test=test,
        target="churned",
        id_column="customer_id",
        truth=_truth(twins, outcomes, snapshots, ids),
        train_truth=pd.DataFrame(
            {
                "probability": outcomes.train_p,
                "churned_actual": outcomes.train_y,
                "label_corrupted": recorded.corrupted & (recorded.labels != outcomes.train_y),
            }
        ),
        info=_info(knobs, n_features, recorded),
        hidden=_hidden(knob_values, random_mode, faults, knobs, outcomes, recorded, ids),
        oracle_observable=True,
    )


def _draw_names(knobs: Knobs, rng: np.random.Generator) -> _Names:
    """Which columns: names drawn from their own stream, so sizes and other draws do not move them."""
    numeric, categorical = draw_noise_names(knobs.n_noise, rng)
    leak = LEAK_COLUMN_NAMES[int(rng.integers(len(LEAK_COLUMN_NAMES)))]
    chosen = np.sort(rng.choice(len(IDENTIFIER_NAMES), size=knobs.n_identifiers, replace=False))
    extra = [*numeric, *categorical]
    extra.insert(int(rng.integers(0, len(extra) + 1)), leak)
    return _Names(
        numeric_noise=numeric,
        categorical_noise=categorical,
        leak=leak,
        identifiers=[IDENTIFIER_NAMES[i] for i in chosen],
        extra=extra,
    )


def _draw_shift(knobs: Knobs, names: _Names, rng: np.random.Generator) -> _Shift:
    """Covariate shift: the first shifted column is a churn driver, the others any feature."""
    if not knobs.shift > 0:
        return _Shift(columns=[], shifts={})
    drivers = list(SHIFTABLE_DRIVERS)
    others = [*SHIFTABLE_BENIGN, *names.numeric_noise, *names.categorical_noise]
    first = drivers[int(rng.integers(len(drivers)))]
    pool = [name for name in drivers + others if name != first]
    chosen = rng.choice(len(pool), size=min(knobs.n_shifted - 1, len(pool)), replace=False)
    columns = [first, *(pool[i] for i in chosen)]
    shifts = {name: float(knobs.shift * rng.choice([-1.0, 1.0])) for name in columns}
    return _Shift(columns=columns, shifts=shifts)


def _draw_features(
    knobs: Knobs, names: _Names, shift: _Shift, streams: _Streams
) -> tuple[dict[str, object], dict[str, object]]:
    """Base and noise columns of train and holdout, each part from its own stream."""
    numeric, categorical = names.numeric_noise, names.categorical_noise
    train_cols = draw_base_columns(knobs.n_train, {}, streams.train_base)
    train_cols |= draw_noise_columns(knobs.n_train, numeric, categorical, {}, streams.train_noise)
    test_cols = draw_base_columns(knobs.n_test, shift.shifts, streams.test_base)
    test_cols |= draw_noise_columns(knobs.n_test, numeric, categorical, shift.shifts, streams.test_noise)
    return train_cols, test_cols


def _draw_snapshots(knobs: Knobs, rng: np.random.Generator) -> _Snapshots:
    """Snapshot months: the training months first, then the holdout's, from one stream."""
    train_month, train_stamp = draw_months(knobs.n_train, 0, TRAIN_MONTHS, rng)
    test_month, test_stamp = draw_months(knobs.n_test, TRAIN_MONTHS, TEST_MONTHS, rng)
    return _Snapshots(train_month=train_month, train_stamp=train_stamp, test_month=test_month, test_stamp=test_stamp)


def _draw_outcomes(
    train_cols: Mapping[str, object],
    test_cols: Mapping[str, object],
    snapshots: _Snapshots,
    knobs: Knobs,
    rng: np.random.Generator,
) -> _Outcomes:
    """Labels: the churn function plus month effects, intercept matched to the rate."""
    month_effect = knobs.temporal * rng.standard_normal(TRAIN_MONTHS + TEST_MONTHS)
    train_logit = churn_logit(pd.DataFrame(train_cols)) + month_effect[snapshots.train_month]
    test_logit = churn_logit(pd.DataFrame(test_cols)) + month_effect[snapshots.test_month]
    intercept = _intercept(train_logit, knobs.rate)
    train_p = expit(train_logit + intercept)
    test_p = expit(test_logit + intercept)
    train_y = (rng.random(knobs.n_train) < train_p).astype(np.int8)
    test_y = (rng.random(knobs.n_test) < test_p).astype(np.int8)
    return _Outcomes(
        month_effect=month_effect,
        intercept=intercept,
        train_p=train_p,
        test_p=test_p,
        train_y=train_y,
        test_y=test_y,
    )


def _corrupt_labels(train_y: np.ndarray, knobs: Knobs, rng: np.random.Generator) -> _Recorded:
    """Training label noise: a share ``label_noise`` replaced by a draw with the churn rate."""
    corrupted = rng.random(knobs.n_train) < knobs.label_noise
    replacement = (rng.random(knobs.n_train) < knobs.rate).astype(np.int8)
    return _Recorded(corrupted=corrupted, labels=np.where(corrupted, replacement, train_y).astype(np.int8))


def _draw_leak(
    name: str, recorded: np.ndarray, knobs: Knobs, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Leak column: from the recorded label in train, unrelated to the label in the holdout."""
    leak_train_rng, leak_test_rng, leak_draw_rng = rng.spawn(3)
    train = draw_leak_values(name, recorded, knobs.leakage, leak_train_rng)
    unrelated = (leak_draw_rng.random(knobs.n_test) < recorded.mean()).astype(np.int8)
    test = draw_leak_values(name, unrelated, knobs.leakage, leak_test_rng)
    return train, test


def _plant_duplicates(
    train_cols: Mapping[str, object],
    test_cols: dict[str, object],
    outcomes: _Outcomes,
    recorded: _Recorded,
    leak: str,
    knobs: Knobs,
    rng: np.random.Generator,
) -> _Twins:
    """Near-duplicates: holdout rows replaced by jittered copies of training rows (``test_cols`` in place)."""
    test_y = outcomes.test_y.copy()
    truth_p = outcomes.test_p.copy()
    twin_of = np.full(knobs.n_test, -1, dtype=np.int64)
    n_dup = round(knobs.duplicates * knobs.n_test)
    if n_dup:
        pick_rng, place_rng, jitter_rng = rng.spawn(3)
        sources = np.sort(pick_rng.choice(knobs.n_train, size=min(n_dup, knobs.n_train), replace=False))
        targets = np.sort(place_rng.choice(knobs.n_test, size=sources.size, replace=False))
        sources = pick_rng.permutation(sources)
        _copy_rows(train_cols, test_cols, sources, targets, leak, jitter_rng)
        test_y[targets] = outcomes.train_y[sources]
        twin_p = outcomes.train_p[sources]
        truth_p[targets] = _twin_probability(twin_p, recorded.labels[sources], knobs.label_noise, knobs.rate)
        twin_of[targets] = sources
    return _Twins(test_y=test_y, truth_p=truth_p, twin_of=twin_of, n_rows=n_dup)


def _copy_rows(
    train_cols: Mapping[str, object],
    test_cols: dict[str, object],
    sources: np.ndarray,
    targets: np.ndarray,
    leak: str,
    rng: np.random.Generator,
) -> None:
    """Write training rows ``sources`` over holdout rows ``targets``, jittering measured amounts."""
    for name, values in train_cols.items():
        copied = values.codes[sources] if isinstance(values, pd.Categorical) else np.asarray(values)[sources]
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            scale = _TWIN_JITTER * float(np.std(values)) if values.size > 1 else 0.0
            decimals = 4 if name == leak or "share" in name else 2
            copied = np.round(copied + scale * rng.standard_normal(sources.size), decimals)
        target_values = test_cols[name]
        if isinstance(target_values, pd.Categorical):
            codes = target_values.codes.copy()
            codes[targets] = copied
            test_cols[name] = pd.Categorical.from_codes(codes, categories=target_values.categories)
        else:
            target_values = np.asarray(target_values).copy()
            target_values[targets] = copied
            test_cols[name] = target_values


def _draw_ids(
    knobs: Knobs, names: _Names, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Customer ids, unique across both frames, and the identifier columns' train and holdout values."""
    n_train, n_test = knobs.n_train, knobs.n_test
    ids = rng.choice(_N_CUSTOMER_IDS, size=n_train + n_test, replace=False) + _FIRST_CUSTOMER_ID
    children = rng.spawn(len(names.identifiers))
    identifiers = {
        name: draw_identifier_values(name, n_train, n_test, child)
        for name, child in zip(names.identifiers, children, strict=True)
    }
    return ids, identifiers


def _frame(
    cols: Mapping[str, object],
    customer: np.ndarray,
    stamp: np.ndarray,
    identifiers: Mapping[str, tuple[np.ndarray, np.ndarray]],
    part: int,
    y: np.ndarray,
    names: _Names,
) -> pd.DataFrame:
    """One frame of the extract: ids, snapshot date, identifiers (``part`` 0 train, 1 holdout), features, label."""
    data: dict[str, object] = {"customer_id": customer, "snapshot_date": stamp}
    for name in names.identifiers:
        data[name] = identifiers[name][part]
    for name in names.ordered:
        data[name] = cols[name]
    data["churned"] = y
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame


def _truth(twins: _Twins, outcomes: _Outcomes, snapshots: _Snapshots, ids: np.ndarray) -> pd.DataFrame:
    """Per holdout row: the Bayes-optimal probability, the month effect that applied and the twin's id."""
    twin_of = twins.twin_of
    is_twin = twin_of >= 0
    twin = np.maximum(twin_of, 0)
    month = np.where(is_twin, snapshots.train_month[twin], snapshots.test_month)
    truth: pd.DataFrame = pd.DataFrame(
        {
            "probability": twins.truth_p,
            "month_effect": outcomes.month_effect[month],
            "duplicate_of": np.where(is_twin, ids[twin], 0),
        }
    )
    return truth


def _faults(
    knobs: Knobs,
    names: _Names,
    shift: _Shift,
    outcomes: _Outcomes,
    recorded: _Recorded,
    twins: _Twins,
    n_features: int,
) -> dict[str, dict[str, object]]:
    """Per fault kind of :data:`FAULT_KINDS`: whether it is present, the columns it concerns, its size."""
    changed = recorded.labels != outcomes.train_y
    derived = [name for name in ("total_charges",) if {"tenure_months", "monthly_charges"} & set(shift.columns)]
    rows_per_feature = knobs.n_train / n_features
    return {
        "high_dimensional": {
            "present": knobs.n_noise > 0 and rows_per_feature < HIGH_DIMENSIONAL_ROWS_PER_FEATURE,
            "columns": [],
            "n_train": knobs.n_train,
            "n_features": n_features,
            "n_noise_features": knobs.n_noise,
            "rows_per_feature": round(rows_per_feature, 3),
        },
        "label_noise": {
            "present": knobs.label_noise > 0,
            "columns": [],
            "rate": knobs.label_noise,
            "n_corrupted": int(recorded.corrupted.sum()),
            "n_changed": int(changed.sum()),
        },
        "target_leakage": {
            "present": knobs.leakage > 0,
            "columns": [names.leak] if knobs.leakage > 0 else [],
            "strength": knobs.leakage,
            "candidate_column": names.leak,
        },
        "identifier": {"present": knobs.n_identifiers > 0, "columns": list(names.identifiers)},
        "covariate_shift": {
            "present": knobs.shift > 0,
            "columns": sorted(shift.columns),
            "also_affected": derived,
            "directly_shifted": {name: round(value, 4) for name, value in shift.shifts.items()},
            "shift_sd": knobs.shift,
        },
        "duplicates": {
            "present": twins.n_rows > 0,
            "columns": [],
            "share": knobs.duplicates,
            "n_rows": twins.n_rows,
        },
        "temporal": {
            "present": knobs.temporal > 0,
            "columns": ["snapshot_date"] if knobs.temporal > 0 else [],
            "month_effect_sd": knobs.temporal,
        },
        "class_imbalance": {"present": knobs.rate <= IMBALANCE_RATE, "columns": [], "positive_rate": knobs.rate},
    }


def _hidden(
    knob_values: Mapping[str, object],
    random_mode: bool,
    faults: Mapping[str, Mapping[str, object]],
    knobs: Knobs,
    outcomes: _Outcomes,
    recorded: _Recorded,
    ids: np.ndarray,
) -> dict[str, object]:
    """What ``case.reveal("world")`` shows: the knobs, the faults and the latent effects."""
    changed = recorded.labels != outcomes.train_y
    return {
        "mode": "random_faults" if random_mode else "knobs",
        "knobs": {name: (value.item() if hasattr(value, "item") else value) for name, value in knob_values.items()},
        "faults": faults,
        "present": [kind for kind in FAULT_KINDS if faults[kind]["present"]],
        "informative_columns": list(INFORMATIVE_COLUMNS) + (["snapshot_date"] if knobs.temporal > 0 else []),
        "intercept": round(outcomes.intercept, 6),
        "month_effects": [round(float(value), 6) for value in outcomes.month_effect],
        "train_labels_changed_by_noise": [int(value) for value in ids[: knobs.n_train][changed]],
    }


def _info(knobs: Knobs, n_features: int, recorded: _Recorded) -> dict[str, object]:
    """Facts for the data card."""
    return {
        "n_train": knobs.n_train,
        "n_test": knobs.n_test,
        "n_features": n_features,
        "train_period": f"{START_MONTH} to 2023-12 (24 monthly snapshots)",
        "test_period": "2024-01 to 2024-03 (3 monthly snapshots)",
        "target_definition": "churned = 1 if the customer cancelled within 90 days after the snapshot",
        "train_churn_rate": float(recorded.labels.mean()),
    }


PEAK_BYTES_PER_CELL: Final[int] = 24
"""Peak memory of ``make`` per generated cell, the Case's copies included: 20.4 bytes measured at 40,000 rows x
1,016 columns, 22.5 at 100,000 x 36."""

_OTHER_COLUMNS: Final[int] = 20
"""Columns besides the noise ones, at most (ids, snapshot, signal, leak, identifier and shifted columns)."""


def estimate_size(params: Mapping[str, object]) -> SizeEstimate:
    """Rows and peak memory of an ``overfit-*`` parameter set, without generating it (the memory guard's hook).

    With ``random_faults`` the training size and the noise columns are drawn
    from the seed, so the largest they can be drawn is assumed.

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scenarios.overfit._simulator import estimate_size
    >>> estimate_size(cs.spec("overfit-v1").defaults).rows
    2250
    """
    n_train = int(params["n_train"])  # type: ignore[call-overload]
    n_noise = int(params["n_noise_features"])  # type: ignore[call-overload]
    if params.get("random_faults"):
        ranges = cast(dict[str, dict[str, int]], RANDOM_FAULT_RANGES)
        n_train = max(n_train, ranges["n_train"]["max"])
        n_noise = max(n_noise, ranges["n_noise_features"]["high_dimensional_max"])
    rows = n_train + int(params["n_test"])  # type: ignore[call-overload]
    columns = n_noise + _OTHER_COLUMNS
    return SizeEstimate(rows, rows * columns * PEAK_BYTES_PER_CELL, f"{rows:,} rows x {columns:,} columns")
