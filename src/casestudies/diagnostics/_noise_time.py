"""Diagnostics built on an out-of-fold probe: label noise and time effects a random split hides.

Both fit the same probe (:func:`_fit_probe`): a screened logistic regression
scored out of fold on every row, whose logit summarises what the features say
about the label. :func:`label_noise` asks whether the label rate flattens out
at the extremes of that score (random labels); :func:`temporal_split` whether
month indicators explain the label beyond it (a time effect).

Examples
--------
Half the training labels redrawn at random, then month effects on churn.
The probes are small models: one BLAS thread each keeps them fast on a busy
machine (:func:`casestudies.diagnose` does this for you).

>>> import casestudies as cs
>>> from threadpoolctl import threadpool_limits
>>> from casestudies.diagnostics import label_noise, temporal_split
>>> small = {"n_train": 2000, "n_test": 200, "n_noise_features": 10}
>>> noisy = cs.make("overfit-v1", seed=0, label_noise=0.5, **small)
>>> monthly = cs.make("overfit-v1", seed=0, temporal=1.5, **small)
>>> with threadpool_limits(limits=1):
...     noise = label_noise(noisy.X_train, noisy.y_train, exclude=[noisy.id_column])
...     months = temporal_split(monthly.X_train, monthly.y_train, exclude=[monthly.id_column])
>>> noise.evidence["flagged"], noise.evidence["rate"] >= 0.1
(True, True)
>>> months.evidence["flagged"], months.evidence["time_column"]
(True, 'snapshot_date')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from casestudies.diagnostics._common import (
    MAX_CATEGORIES,
    NOISE_LR,
    NOISE_RATE,
    TEMPORAL_P_VALUE,
    _auc,
    _finding,
    _folds,
    _oof_predictions,
    _r,
    _skipped,
)
from casestudies.diagnostics._figures import rate_figure
from casestudies.preprocessing import TabularEncoder, is_datetime, months_since_epoch
from casestudies.report import Finding

# Probabilities are kept this far from 0 and 1 so that their logs stay finite.
_PROBABILITY_FLOOR: Final[float] = 1e-12
# Added to the norms of the correlation screen so that a constant column divides by a positive number.
_NORM_FLOOR: Final[float] = 1e-12
# The probe's probabilities are clipped this far from 0 and 1 before taking their logit.
_LOGIT_CLIP: Final[float] = 1e-6
# Encoded columns the probe keeps: the ones most correlated with the label in the fold.
_SCREENED_COLUMNS: Final[int] = 20
# Iterations allowed to the probe's and to the likelihood-ratio tests' logistic regressions.
_PROBE_MAX_ITER: Final[int] = 1000
_GLM_MAX_ITER: Final[int] = 2000
# Inverse penalty of the likelihood-ratio tests' regressions: close to unpenalised maximum likelihood.
_UNPENALISED_C: Final[float] = 1e4
# Inverse penalty of the model scored on random and on blocked folds: lightly regularised, as a user's would be.
_OPTIMISM_C: Final[float] = 1.0
# Shares of random labels profiled by the noise model: 0 to 0.9 in steps of 0.02.
_MAX_NOISE_RATE: Final[float] = 0.9
_NOISE_RATES: Final[int] = 46
# Bins of the probe's score in which the label rate is shown.
_SCORE_BINS: Final[int] = 10
# Calendar months a time column must span before a month effect can be told from noise.
_MIN_MONTHS: Final[int] = 3
# Folds of the probe that temporal_split fits.
_PROBE_FOLDS: Final[int] = 5
# Folds of the random split and blocks of months of the blocked split that are compared.
_TEMPORAL_FOLDS: Final[int] = 5
# Month positions compared with this tolerance (they are floats).
_TIME_TOLERANCE: Final[float] = 1e-9


def _noise_model_fit(score: NDArray[np.float64], y: NDArray[np.int64], prior: float) -> tuple[float, float, float]:
    """Fit P(y=1|s) = r*prior + (1-r)*sigmoid(a + b*s) by profile likelihood over r.

    Returns ``(r, log-likelihood at r, log-likelihood at r = 0)``.
    """
    from scipy.optimize import minimize
    from scipy.special import expit

    s = (score - score.mean()) / (score.std() or 1.0)
    labels = y.astype(np.float64)

    def nll(theta: NDArray[np.float64], r: float) -> tuple[float, NDArray[np.float64]]:
        z = expit(theta[0] + theta[1] * s)
        q = np.clip(r * prior + (1.0 - r) * z, _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)
        value = -float(np.sum(labels * np.log(q) + (1 - labels) * np.log(1 - q)))
        weight = (1.0 - r) * z * (1 - z) * (labels / q - (1 - labels) / (1 - q))
        return value, -np.array([weight.sum(), (weight * s).sum()])

    theta = np.array([np.log(prior / (1 - prior)), 1.0])
    profile = []
    for r in np.linspace(0.0, _MAX_NOISE_RATE, _NOISE_RATES):
        result = minimize(nll, theta, args=(float(r),), jac=True, method="L-BFGS-B")
        theta = result.x
        profile.append((float(r), -float(result.fun)))
    best_r, best_ll = max(profile, key=lambda item: item[1])
    return best_r, best_ll, profile[0][1]


class _ScreenedLogistic:
    """Keep the ``k`` columns most correlated with the label, then a lightly regularised logistic regression.

    Screening inside each fold keeps the probe honest and fast when there are
    far more columns than signal (a lasso on thousands of noise columns
    shrinks and scatters the real effects).
    """

    def __init__(self, k: int = _SCREENED_COLUMNS, C: float = 1.0) -> None:
        self.k = k
        self.C = C

    def fit(self, X: NDArray[np.float64], y: NDArray[np.int64]) -> _ScreenedLogistic:
        from sklearn.linear_model import LogisticRegression

        centred = X - X.mean(axis=0)
        yc = y - y.mean()
        norms = np.sqrt((centred**2).sum(axis=0)) * np.sqrt((yc**2).sum()) + _NORM_FLOOR
        self.columns_ = np.argsort(-np.abs(centred.T @ yc) / norms, kind="stable")[: self.k]
        self.model_ = LogisticRegression(C=self.C, max_iter=_PROBE_MAX_ITER).fit(X[:, self.columns_], y)
        return self

    def predict_proba(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(self.model_.predict_proba(X[:, self.columns_]), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Probe:
    """Out-of-fold logit of a screened logistic probe on every feature but dates."""

    logit: NDArray[np.float64]
    auc: float


def _fit_probe(X: pd.DataFrame, y: NDArray[np.int64], *, exclude: Sequence[str], n_splits: int, seed: int) -> _Probe:
    """The probe's out-of-fold logit on every row, and its ROC-AUC."""
    keep = [c for c in X.columns if c not in exclude and not is_datetime(X[c])]
    matrix = TabularEncoder(max_categories=MAX_CATEGORIES, add_log=True).fit_transform(X[keep])
    predicted = _oof_predictions(matrix, y, _ScreenedLogistic, _folds(y, n_splits, seed))
    p = np.clip(predicted, _LOGIT_CLIP, 1 - _LOGIT_CLIP)
    return _Probe(np.log(p / (1 - p)), _auc(y, p))


def _month_codes(
    X: pd.DataFrame, exclude: Sequence[str], time_column: str | None = None
) -> tuple[str | None, NDArray[np.int64]]:
    """The time column (the first date column unless given) and each row's calendar month, numbered from 0."""
    dates = [c for c in X.columns if is_datetime(X[c]) and c not in exclude]
    column = time_column if time_column is not None else (dates[0] if dates else None)
    if column is None:
        return None, np.zeros(len(X), dtype=np.int64)
    return column, pd.factorize(np.floor(months_since_epoch(X[column])), sort=True)[0].astype(np.int64)


def _with_months(score: NDArray[np.float64], months: NDArray[np.int64]) -> NDArray[np.float64]:
    """``score`` beside one indicator per month but the first."""
    indicators = np.eye(int(months.max()) + 1)[months][:, 1:]
    return np.column_stack([score, indicators])


def _glm(features: NDArray[np.float64], y: NDArray[np.int64], C: float = _UNPENALISED_C) -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=_GLM_MAX_ITER).fit(features, y)


def _loglik(model: object, features: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    predicted = model.predict_proba(features)[:, 1]  # type: ignore[attr-defined]
    p = np.clip(predicted, _PROBABILITY_FLOOR, 1 - _PROBABILITY_FLOOR)
    return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def label_noise(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    exclude: Sequence[str] = (),
    n_splits: int = 5,
    seed: int = 0,
) -> Finding:
    """Label-noise estimate: are some training labels random?

    A probe gives every training row an out-of-fold score: the 20 encoded
    columns (numbers, their ``log1p``, one-hot categories) most correlated
    with the label in the fold, into a logistic regression; month indicators
    of the first date column are added on top. If a share ``r`` of labels was replaced by random draws with
    the class rate ``pi``, the label rate among rows the probe is sure about
    stops at ``r*pi`` (at the bottom) and ``1 - r*(1 - pi)`` (at the top)
    instead of going to 0 and 1. The check fits
    ``P(y=1|s) = r*pi + (1 - r) * sigmoid(a + b*s)`` by profile likelihood and
    flags noise when ``r`` >= 0.1 and the likelihood-ratio statistic against
    ``r = 0`` is >= 10. Possible only when the features carry strong signal
    for a good share of rows and there are a few hundred positives; below
    that, random labels look exactly like a weaker signal. ``exclude`` should
    list ids, identifiers and leaky columns.

    Returns
    -------
    Finding
        ``label_noise`` with the estimated ``rate``, the likelihood ratio,
        and the label rate per decile of the probe's score (the plot).
    """
    y_values = np.asarray(y, dtype=np.int64)
    probe = _fit_probe(X, y_values, exclude=exclude, n_splits=n_splits, seed=seed)
    return _label_noise(X, y_values, probe, exclude=exclude)


def _label_noise(X: pd.DataFrame, y_values: NDArray[np.int64], probe: _Probe, *, exclude: Sequence[str]) -> Finding:
    """:func:`label_noise` from a probe already fitted."""
    column, months = _month_codes(X, exclude)
    score = probe.logit
    if column is not None and months.max() > 0:  # month effects are not noise
        features = _with_months(score, months)
        score = _glm(features, y_values).decision_function(features)  # type: ignore[attr-defined]
    prior = float(y_values.mean())
    rate, ll_noise, ll_clean = _noise_model_fit(score, y_values, prior)
    lr = 2.0 * (ll_noise - ll_clean)
    flagged = rate >= NOISE_RATE and lr >= NOISE_LR
    bins = np.array_split(np.argsort(score), _SCORE_BINS)
    bin_rate = [float(y_values[idx].mean()) for idx in bins]
    if flagged:
        text = (
            f"about {rate:.0%} of training labels look random: among the rows a probe is surest are positive "
            f"only {bin_rate[-1]:.0%} are labelled so, and {bin_rate[0]:.1%} of the surest negatives are labelled "
            f"positive (likelihood ratio {lr:.0f} against clean labels). A flexible model will memorise these labels; "
            "prefer regularised models, and audit how labels are recorded."
        )
    else:
        text = (
            f"no sign of random labels (estimated rate {rate:.0%}, likelihood ratio {lr:.1f} against clean labels; "
            f"the label rate runs from {bin_rate[0]:.1%} to {bin_rate[-1]:.1%} across the probe's score deciles)."
        )
    evidence = {
        "flagged": flagged,
        "fault": "label_noise",
        "columns": [],
        "rate": _r(rate),
        "likelihood_ratio": _r(lr, 2),
        "probe_auc": _r(probe.auc),
        "plot": {
            "kind": "line",
            "x": list(range(1, _SCORE_BINS + 1)),
            "y": {"label_rate": [_r(v) for v in bin_rate]},
            "x_label": "decile of out-of-fold probe score",
        },
    }
    lesson = (
        f"About {rate:.0%} of labels look random: the surest rows are not all labelled so"
        if flagged
        else "The label rate climbs cleanly with the probe's score: no sign of random labels"
    )
    figure = rate_figure(
        "label_noise",
        lesson,
        list(range(1, _SCORE_BINS + 1)),
        bin_rate,
        x_label="tenth of the training rows, by out-of-fold probe score (1 = surest negative)",
        caption="With clean labels the surest tenths sit near 0 and near 1; random labels pull both ends inwards.",
    )
    return _finding("label_noise", "Label noise", text, evidence, (figure,))


def temporal_split(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    X_test: pd.DataFrame | None = None,
    time_column: str | None = None,
    exclude: Sequence[str] = (),
    seed: int = 0,
) -> Finding:
    """Time-ordered data: does the label move with time in a way features do not explain?

    Rows are grouped by calendar month of ``time_column`` (the first date
    column when not given). A probe on the other features (as in
    :func:`label_noise`) gives an out-of-fold score; a likelihood-ratio test asks whether month
    indicators improve on it (``p < 0.001`` is flagged). If they do, a random
    split lets a model learn each month's effect from its neighbours and
    validation looks better than any future month will. The finding shows the
    size of that optimism: the probe plus months scored with random folds and
    with folds of whole months. Validate with time-ordered splits (train on
    the past, validate on the next period).
    """
    y_values = np.asarray(y, dtype=np.int64)
    column, months = _month_codes(X, exclude, time_column)
    if column is None or not _spans_enough_months(months):
        return _temporal_skipped(column)
    probe = _fit_probe(X, y_values, exclude=[*exclude, column], n_splits=_PROBE_FOLDS, seed=seed)
    return _temporal(X, y_values, probe, column=column, months=months, X_test=X_test, seed=seed)


def _spans_enough_months(months: NDArray[np.int64]) -> bool:
    """Whether the rows span enough calendar months for :func:`temporal_split` to test a month effect."""
    return int(months.max()) + 1 >= _MIN_MONTHS


def _temporal_skipped(column: str | None) -> Finding:
    """The skipped :func:`temporal_split` finding: no time column, or one that spans too few months."""
    reason = "no date column" if column is None else f"{column} spans fewer than {_MIN_MONTHS} months"
    return _skipped("temporal_split", "Time-ordered data", reason)


def _temporal(
    X: pd.DataFrame,
    y_values: NDArray[np.int64],
    probe: _Probe,
    *,
    column: str,
    months: NDArray[np.int64],
    X_test: pd.DataFrame | None,
    seed: int,
) -> Finding:
    """:func:`temporal_split` from a probe already fitted, on a time column that spans enough months."""
    n_periods = int(months.max()) + 1
    after = _holdout_after_train(X, X_test, column)
    lr, p_value = _month_effect(probe.logit, months, y_values)
    scores = _split_optimism(_with_months(probe.logit, months), months, y_values, seed=seed)
    flagged = p_value < TEMPORAL_P_VALUE
    rates = pd.Series(y_values).groupby(months).mean()
    if flagged:
        text = (
            "the label rate moves from month to month more than the features explain "
            f"(likelihood ratio {lr:.0f} on {n_periods - 1} df, p = {p_value:.1e}; "
            f"monthly rates from {rates.min():.0%} to {rates.max():.0%}). A random split lets a model learn each "
            f"month from its neighbours: the same model scores {scores['random']:.3f} with random folds and "
            f"{scores['blocked']:.3f} with folds of whole months. "
            + ("The holdout is later than every training row, so " if after else "")
            + "validate on later periods than you train on."
        )
    else:
        text = (
            f"the label rate does not move with {column} beyond what the features explain "
            f"(likelihood ratio {lr:.0f} on {n_periods - 1} df, p = {p_value:.2f}): "
            "a random split is safe in this respect."
        )
    evidence = {
        "flagged": flagged,
        "fault": "temporal",
        "columns": [column] if flagged else [],
        "time_column": column,
        "n_periods": n_periods,
        "likelihood_ratio": _r(lr, 2),
        "p_value": float(f"{p_value:.3g}"),
        "auc_random_split": _r(scores["random"]),
        "auc_blocked_split": _r(scores["blocked"]),
        "holdout_after_train": after,
        "plot": {
            "kind": "line",
            "x": [int(i) for i in rates.index],
            "y": {"label_rate": [_r(v) for v in rates.to_numpy()]},
            "x_label": "month (index)",
        },
    }
    lesson = (
        f"The label rate moves with the month (p = {p_value:.1e}): validate on later months"
        if flagged
        else "The label rate does not move with the month beyond the features: a random split is safe"
    )
    figure = rate_figure(
        "month_effects",
        lesson,
        [int(i) for i in rates.index],
        list(rates.to_numpy()),
        x_label=f"month of {column} (0 = first month of the training data)",
        caption="Share of positive labels per calendar month of the training data.",
    )
    return _finding("temporal_split", "Time-ordered data", text, evidence, (figure,))


def _holdout_after_train(X: pd.DataFrame, X_test: pd.DataFrame | None, column: str) -> bool | None:
    """Whether every holdout row is dated at or after the last training row (None without holdout dates)."""
    if X_test is None or column not in X_test.columns or not len(X_test):
        return None
    first_test = np.nanmin(months_since_epoch(X_test[column]))
    return bool(first_test >= np.nanmax(months_since_epoch(X[column])) - _TIME_TOLERANCE)


def _month_effect(
    logit: NDArray[np.float64], months: NDArray[np.int64], y_values: NDArray[np.int64]
) -> tuple[float, float]:
    """Likelihood-ratio statistic of month indicators on top of the probe's logit, and its p-value."""
    from scipy.stats import chi2

    n_periods = int(months.max()) + 1
    base = logit[:, None]
    with_months = _with_months(logit, months)
    gain = _loglik(_glm(with_months, y_values), with_months, y_values) - _loglik(_glm(base, y_values), base, y_values)
    lr = max(0.0, 2.0 * gain)
    return lr, float(chi2.sf(lr, n_periods - 1))


def _split_optimism(
    design: NDArray[np.float64], months: NDArray[np.int64], y_values: NDArray[np.int64], *, seed: int
) -> dict[str, float]:
    """How optimistic a random split is: one model's out-of-fold ROC-AUC on random folds and on blocks of months."""
    blocks = np.array_split(np.arange(int(months.max()) + 1), _TEMPORAL_FOLDS)
    block_folds = [(np.flatnonzero(~np.isin(months, b)), np.flatnonzero(np.isin(months, b))) for b in blocks if b.size]
    block_folds = [(t, v) for t, v in block_folds if len(np.unique(y_values[t])) == 2 and v.size]
    scores = {}
    for name, splits in (("random", _folds(y_values, _TEMPORAL_FOLDS, seed)), ("blocked", block_folds)):
        oof = np.zeros(len(y_values))
        for train_rows, valid_rows in splits:
            model = _glm(design[train_rows], y_values[train_rows], C=_OPTIMISM_C)
            oof[valid_rows] = model.decision_function(design[valid_rows])  # type: ignore[attr-defined]
        scores[name] = _auc(y_values, oof)
    return scores
