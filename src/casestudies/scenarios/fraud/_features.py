"""Engineered features of the ``fraud-v1`` transaction log, from the labelled history.

The signal of the fraud scenario lives in histories, not in single columns:
a customer's usual amounts, hours and terminals, bursts of payments, and a
terminal's fraud share over labels old enough to be known.
:class:`TransactionFeatures` computes them for any rows, using only each
row's past and, for label-based features, only labels at least
``label_delay_days`` old.

Algorithm: every window feature is a difference of cumulative sums over rows
sorted by an int64 key that is monotone in (group, time), found with
``searchsorted``: one sort per grouping and O(n log n) in all, no Python loop
over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from casestudies.scenarios.fraud._traffic import CATEGORY_DTYPE, DAY, EPOCH_WEEKDAY, HOUR

__all__ = ["FEATURES", "SIMPLE_FEATURES", "TransactionFeatures"]

_SMALL_AMOUNT: Final[float] = 5.0
"""Amount (currency units) under which a payment counts as small: card-testing probes are 0.50 to 3.00."""

_WINDOWS_DAYS: Final[tuple[int, ...]] = (1, 7, 30)
"""Lengths of the customer and terminal history windows, in days."""

_RATIO_WINDOW_DAYS: Final[int] = 30
"""Window of the customer's usual amount that ``log_amount_to_cust_mean_30d`` compares with."""

_GAP_CAP_DAYS: Final[int] = 30
"""Cap of the time since the customer's previous transaction; a first transaction counts as this long."""

_NIGHT_END_HOUR: Final[int] = 6
"""``is_night`` covers the hours before this one: genuine activity is lowest from midnight to 6 am."""

_SATURDAY: Final[int] = 5
"""Weekday code of Saturday (Monday = 0): ``is_weekend`` is Saturday and Sunday."""

FEATURES: tuple[str, ...] = (
    "log_amount",
    "hour",
    "weekday",
    "is_night",
    "is_weekend",
    "is_online",
    "merchant_category",
    "cust_n_tx_1h",
    "cust_n_small_1h",
    *(f"cust_n_tx_{w}d" for w in _WINDOWS_DAYS),
    *(f"cust_mean_amount_{w}d" for w in _WINDOWS_DAYS),
    "log_amount_to_cust_mean_30d",
    "log_seconds_since_prev",
    "new_terminal",
    *(f"terminal_n_tx_{w}d" for w in _WINDOWS_DAYS),
    *(f"terminal_risk_{w}d" for w in _WINDOWS_DAYS),
)
"""Names of every feature :class:`TransactionFeatures` can compute."""

SIMPLE_FEATURES: tuple[str, ...] = (
    "log_amount",
    "log_amount_to_cust_mean_30d",
    "is_night",
    "is_online",
    "new_terminal",
    "cust_n_small_1h",
    "log_seconds_since_prev",
    "terminal_risk_7d",
    "terminal_risk_30d",
)
"""The few features used by :func:`~casestudies.scenarios.fraud.simple_baseline`."""


class TransactionFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Engineered features of card transactions from the labelled history.

    ``fit`` stores the labelled log; ``transform`` computes, for each row of
    ``X``, features from that history plus ``X`` itself, using only the past
    of each row and, for label-based features, only labels at least
    ``label_delay_days`` old. Transforming the training rows (``fit_transform``
    inside a pipeline) therefore never uses a row's own label.

    Features (see :data:`FEATURES`): log amount, hour, weekday, night
    (0--6 h), weekend, online, merchant category code; the customer's
    transaction count in the last hour and of small amounts (under 5.00) in
    the last hour; count and mean amount over 1, 7 and 30 days (current row
    included); log ratio of the amount to the customer's mean over the
    previous 30 days; log seconds since the customer's previous transaction;
    whether the customer has not used the terminal before; the terminal's
    count of labelled transactions and fraud share over 1, 7 and 30 days
    ending ``label_delay_days`` before the row.

    Parameters
    ----------
    label_delay_days : int, default=7
        Age a label must have before a feature may use it.
    features : sequence of str or None, default=None
        Output columns, in order; None means all of :data:`FEATURES`.

    Attributes
    ----------
    history_ : pandas.DataFrame
        The labelled log seen in ``fit`` (columns ``transaction_id``, ``t``,
        ``customer_id``, ``terminal_id``, ``amount``, ``label``).
    feature_names_out_ : numpy.ndarray
        Names of the output columns.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.fraud._simulator import generate
    >>> params = dict(n_customers=200, n_terminals=300, n_days=28, n_test_days=7,
    ...               label_delay_days=7, fraud_intensity=1.0, dispute_rate=5e-4,
    ...               start_date="2025-01-06")
    >>> data = generate(params, np.random.default_rng(0))
    >>> X, y = data.train.drop(columns="is_fraud"), data.train["is_fraud"]
    >>> features = TransactionFeatures().fit(X, y).transform(data.test)
    >>> features.shape[0] == len(data.test)
    True
    """

    history_: pd.DataFrame
    feature_names_out_: np.ndarray

    def __init__(self, label_delay_days: int = 7, features: Sequence[str] | None = None) -> None:
        self.label_delay_days = label_delay_days
        self.features = features

    def fit(self, X: pd.DataFrame, y: object = None) -> TransactionFeatures:
        """Store the labelled history.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw log with ``transaction_id``, ``timestamp``, ``customer_id``,
            ``terminal_id``, ``amount``, ``merchant_category`` and ``channel``.
        y : array-like of 0/1, required
            Fraud labels of the rows of ``X``.

        Returns
        -------
        TransactionFeatures
            The fitted transformer.
        """
        names = list(FEATURES if self.features is None else self.features)
        unknown = sorted(set(names) - set(FEATURES))
        if unknown:
            message = f"TransactionFeatures: unknown feature names {unknown}; choose from {list(FEATURES)}."
            raise ValueError(message)
        if y is None:
            message = "TransactionFeatures.fit needs the labels y of the training log; got None."
            raise ValueError(message)
        labels = np.asarray(y, dtype=np.float64)
        if labels.shape != (len(X),):
            message = (
                f"TransactionFeatures.fit: y must hold one label per row of X "
                f"({len(X)} rows); got shape {labels.shape}."
            )
            raise ValueError(message)
        self.history_ = _raw(X).assign(label=labels)
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Compute the engineered features of the rows of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw log rows (training rows or later ones); any target column is
            ignored.

        Returns
        -------
        pandas.DataFrame
            One row per row of ``X`` (same index), float64 columns
            ``feature_names_out_``.
        """
        history = self.history_
        rows = _raw(X)
        new = ~np.isin(rows["transaction_id"].to_numpy(), history["transaction_id"].to_numpy())
        log = pd.concat([history, rows[new].assign(label=np.nan)], ignore_index=True)
        observed = _spans([history["t"].to_numpy(), rows["t"].to_numpy()[new]])
        features = _features(log, DAY * int(self.label_delay_days), observed)
        position = pd.Index(log["transaction_id"]).get_indexer(rows["transaction_id"])
        out: pd.DataFrame = features.iloc[position][list(self.feature_names_out_)]
        out.index = X.index
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns."""
        names: np.ndarray = self.feature_names_out_.copy()
        return names


_RAW_COLUMNS = (
    "transaction_id", "timestamp", "customer_id", "terminal_id",
    "amount", "merchant_category", "channel",
)  # fmt: skip


def _raw(X: pd.DataFrame) -> pd.DataFrame:
    """The raw columns the features need, time as int64 seconds."""
    missing = [c for c in _RAW_COLUMNS if c not in getattr(X, "columns", ())]
    if missing:
        message = (
            f"TransactionFeatures expects a DataFrame of the raw fraud-v1 log with "
            f"columns {list(_RAW_COLUMNS)}; missing {missing}. Pass the case's "
            f"train or test frame, not a feature matrix."
        )
        raise ValueError(message)
    t = pd.to_datetime(X["timestamp"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    category = pd.Categorical(X["merchant_category"], dtype=CATEGORY_DTYPE).codes
    raw: pd.DataFrame = pd.DataFrame(
        {
            "transaction_id": X["transaction_id"].to_numpy(np.int64),
            "t": t,
            "customer_id": X["customer_id"].to_numpy(np.int64),
            "terminal_id": X["terminal_id"].to_numpy(np.int64),
            "amount": X["amount"].to_numpy(np.float64),
            "category": category.astype(np.float64),
            "online": (X["channel"].astype(str) == "online").to_numpy(np.float64),
        }
    )
    return raw


@dataclass(frozen=True, slots=True)
class _KeySpace:
    """Where the (group, time) keys of one log live: see :func:`_group_key`."""

    t0: int  # earliest time of the log
    pad: int  # seconds between groups: the longest look-back of any window
    stride: int  # key distance between consecutive groups

    @classmethod
    def of(cls, t: np.ndarray, delay_s: int) -> _KeySpace:
        """Key space of times ``t`` whose windows reach back ``delay_s`` plus the longest window."""
        t0 = int(t.min())
        pad = delay_s + max(_WINDOWS_DAYS) * DAY + 1
        stride = int(t.max()) - t0 + 2 * pad + 1
        return cls(t0=t0, pad=pad, stride=stride)


def _features(log: pd.DataFrame, delay_s: int, observed: list[tuple[int, int]]) -> pd.DataFrame:
    """All features for every row of ``log`` (NaN label = not known yet).

    ``observed`` lists the disjoint time spans (seconds) the log covers;
    customer counts are scaled up for the part of a window outside them.
    """
    t = log["t"].to_numpy()
    space = _KeySpace.of(t, delay_s)
    out = _calendar_features(log, t)
    out |= _customer_features(log, t, space, observed)
    out["new_terminal"] = _new_terminal(log, t)
    out |= _terminal_features(log, t, space, delay_s)
    features: pd.DataFrame = pd.DataFrame({name: np.asarray(v, dtype=np.float64) for name, v in out.items()})
    return features


def _calendar_features(log: pd.DataFrame, t: np.ndarray) -> dict[str, np.ndarray]:
    """Features of the row alone: amount, time of day and week, channel, category."""
    hour = (t // HOUR) % 24
    weekday = (t // DAY + EPOCH_WEEKDAY) % 7
    return {
        "log_amount": np.log1p(log["amount"].to_numpy()),
        "hour": hour,
        "weekday": weekday,
        "is_night": hour < _NIGHT_END_HOUR,
        "is_weekend": weekday >= _SATURDAY,
        "is_online": log["online"].to_numpy(),
        "merchant_category": log["category"].to_numpy(),
    }


def _customer_features(
    log: pd.DataFrame, t: np.ndarray, space: _KeySpace, observed: list[tuple[int, int]]
) -> dict[str, np.ndarray]:
    """Customer windows over the past, current row included, in the log's row order."""
    amount = log["amount"].to_numpy()
    customer = log["customer_id"].to_numpy()
    by_customer = np.lexsort((t, customer))
    ct, cg, camount = t[by_customer], customer[by_customer], amount[by_customer]
    key = _group_key(cg, ct - space.t0, space.stride, space.pad)
    cust: dict[str, np.ndarray] = {
        "cust_n_tx_1h": _window(key, key - HOUR, np.ones(key.size))[0],
        "cust_n_small_1h": _window(key, key - HOUR, (camount < _SMALL_AMOUNT) * 1.0)[1],
    }
    for w in _WINDOWS_DAYS:
        count, total = _window(key, key - w * DAY, camount)
        overlap = (np.minimum(ct, b) - np.maximum(ct - w * DAY, a) for a, b in observed)
        seen = sum(np.clip(o, 0, None) for o in overlap)
        scale = w * DAY / np.clip(seen, DAY, w * DAY)
        cust[f"cust_n_tx_{w}d"], cust[f"cust_mean_amount_{w}d"] = count * scale, total / count
    log_amount = np.log(camount)
    n_30d, log_sum = _window(key, key - _RATIO_WINDOW_DAYS * DAY, log_amount)
    usual = (log_sum - log_amount) / np.maximum(n_30d - 1, 1)  # previous rows only
    cust["log_amount_to_cust_mean_30d"] = np.where(n_30d > 1, log_amount - usual, 0.0)
    same = np.r_[False, cg[1:] == cg[:-1]]
    since = np.where(same, np.diff(ct, prepend=ct[0]), _GAP_CAP_DAYS * DAY)
    cust["log_seconds_since_prev"] = np.log1p(np.minimum(since, _GAP_CAP_DAYS * DAY))
    out: dict[str, np.ndarray] = {}
    for name, values in cust.items():
        out[name] = np.empty(t.size)
        out[name][by_customer] = values
    return out


def _new_terminal(log: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Whether each row is the customer's first use of the terminal."""
    customer = log["customer_id"].to_numpy()
    terminal = log["terminal_id"].to_numpy()
    by_time = np.argsort(t, kind="stable")
    first_use = ~pd.DataFrame({"c": customer[by_time], "k": terminal[by_time]}).duplicated()
    new_terminal = np.empty(t.size)
    new_terminal[by_time] = first_use.to_numpy()
    return new_terminal


def _terminal_features(log: pd.DataFrame, t: np.ndarray, space: _KeySpace, delay_s: int) -> dict[str, np.ndarray]:
    """Terminal count and fraud share of known labels over each window.

    The windows end ``delay_s`` before the row, or at the last known label
    when that is earlier (rows after a gap).
    """
    terminal = log["terminal_id"].to_numpy()
    label = log["label"].to_numpy()
    known = np.flatnonzero(~np.isnan(label))
    lab = known[np.lexsort((t[known], terminal[known]))]
    lab_key = _group_key(terminal[lab], t[lab] - space.t0, space.stride, space.pad)
    horizon = int(t[known].max()) + 1 if known.size else space.t0
    end = _group_key(terminal, np.minimum(t - delay_s, horizon) - space.t0, space.stride, space.pad)
    fraud_cum = np.r_[0.0, np.cumsum(label[lab])]
    hi = np.searchsorted(lab_key, end, side="left")  # labels strictly before the end
    out: dict[str, np.ndarray] = {}
    for w in _WINDOWS_DAYS:
        lo = np.searchsorted(lab_key, end - w * DAY, side="left")
        count = (hi - lo).astype(np.float64)
        frauds = fraud_cum[hi] - fraud_cum[lo]
        out[f"terminal_n_tx_{w}d"] = count
        out[f"terminal_risk_{w}d"] = np.where(count > 0, frauds / np.maximum(count, 1), 0.0)
    return out


def _spans(times: list[np.ndarray]) -> list[tuple[int, int]]:
    """Disjoint time spans covered by batches of transaction times."""
    spans = sorted((int(b.min()), int(b.max()) + 1) for b in times if b.size)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _group_key(group: np.ndarray, t: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Int64 key, monotone in (group, t), with ``pad`` seconds between groups.

    ``t`` must lie in ``[0, stride - 2 * pad)``, so a key moved back by up to
    ``pad`` stays inside its own group.
    """
    key: np.ndarray = group * stride + t + pad
    return key


def _window(key: np.ndarray, lower: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of ``values`` over rows with ``lower < key <= own key``.

    Rows must be sorted by ``key``; the upper end is the row itself.
    """
    index = np.arange(key.size)
    start = np.searchsorted(key, lower, side="right")
    count = (index - start + 1).astype(np.float64)
    cumulative = np.r_[0.0, np.cumsum(values)]
    return count, cumulative[index + 1] - cumulative[start]
