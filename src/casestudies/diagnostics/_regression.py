"""Diagnostics of the assumptions of linear regression, one question each, with ``statsmodels``.

Every check fits ordinary least squares of the target on the columns
(numbers as they are, dates as years since the first, categories one-hot
with the first level dropped, ids left out) and returns a
:class:`~casestudies.Finding` whose ``evidence`` holds the statistics, the
figure data (``figure``: a dict of plain lists) and, when it speaks to a
fault of :data:`casestudies.scoring.ASSUMPTION_FAULTS`, ``flagged`` and
``fault``:

==========================  =======================================================  ======================
check                       statistic                                                fault
==========================  =======================================================  ======================
``influence``               leverage, Cook's distance, studentised residuals          ``influential_points``
``residuals_vs_fitted``     Wald test (HC3) of squares and pairwise products          ``nonlinearity``
``heteroscedasticity``      Breusch-Pagan (Koenker) on the fitted level; White        ``heteroscedasticity``
``normality``               Jarque-Bera, skewness, kurtosis; Q-Q data                 (none: a lesson)
``autocorrelation``         Durbin-Watson in time order; autocorrelations             ``autocorrelation``
``multicollinearity``       VIF, condition number; covariance vs correlation          ``multicollinearity``
==========================  =======================================================  ======================

The checks run in that order in :func:`regression_diagnostics`: rows found
influential are left out of the later ones (a typo with an extra zero would
otherwise dominate every test), and the later tests read the residuals of
the *flexible* fit (squares and products added), so that a curved mean is
not mistaken for changing spread or for autocorrelation. Thresholds were
tuned on 50 seeds of ``houses-random-v1`` and graded on 100 others
(``benchmarks/bench_houses_diagnostics.py``). ``statsmodels`` is imported
when a check runs, so ``import casestudies`` stays light.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.diagnostics import regression_diagnostics
>>> case = cs.make("houses-random-v1", seed=3)
>>> report = regression_diagnostics(case)
>>> report.diagnosis.claimed()
('influential_points', 'autocorrelation')
>>> case.grade_diagnosis(report.diagnosis).perfect
True
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view
from casestudies.core import ScenarioSpec
from casestudies.diagnostics._figures import regression_check_figures
from casestudies.diagnostics._run import DiagnosticsReport, checked_names, diagnosis_from_findings
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Finding

__all__ = [
    "REGRESSION_DIAGNOSTICS",
    "autocorrelation",
    "heteroscedasticity",
    "influence",
    "linear_design",
    "multicollinearity",
    "normality",
    "regression_diagnostics",
    "regression_names",
    "residuals_vs_fitted",
]

SIGNIFICANCE: Final[float] = 1e-3
"""p-value under which the nonlinearity and heteroscedasticity tests flag: with five faults graded per case, a
test at 5 % would raise a false alarm on one case in four; at 0.1 % the tests keep their power on 1,500 rows."""
DURBIN_WATSON_GAP: Final[float] = 0.2
"""|Durbin-Watson - 2| from which errors count as autocorrelated: about 4 standard errors (2 / sqrt(n)) at 1,500
rows, and a lag-1 autocorrelation of 0.1."""
VIF_THRESHOLD: Final[float] = 10.0
"""Variance inflation factor from which a column's coefficient counts as unstable (the textbook rule: 90 % of its
variance explained by the other columns)."""
COOK_THRESHOLD: Final[float] = 0.5
"""Cook's distance from which one row moves the whole fit (Cook and Weisberg: 0.5 worth a look, 1 influential)."""
ROBUST_RESIDUAL: Final[float] = 25.0
"""|Residual| / (1.4826 MAD of the residuals) from which a row is not noise whatever the spread: noise whose sd
grows fourfold from the typical row to the dearest stays under 25 robust sd for millions of rows, while a price
with an extra zero sits 50 or more away. (The pooled sd would be inflated by the very rows sought.)"""
LEVERAGE_MULTIPLE: Final[float] = 10.0
"""Leverage, in multiples of its mean p / n, from which a row sits so far from the others that it sets the slope on
its own (Hoaglin and Welsch's rule is 2 or 3 times; 10 keeps to rows far outside the bulk)."""
INFLUENCE_PASSES: Final[int] = 3
"""Refits without the rows found so far: several outliers mask each other in the first fit."""
MAX_CATEGORIES: Final[int] = 30
"""Categorical columns with more levels than this are left out of the design (an identifier, not a factor)."""
MAX_POINTS: Final[int] = 2_000
"""Rows kept in the figure data (an evenly spaced subsample beyond it)."""
ACF_LAGS: Final[int] = 10
"""Autocorrelations shown in the autocorrelation figure."""

REGRESSION_DIAGNOSTICS: Final[dict[str, str]] = {
    "influence": "Do a few rows pull the fit on their own?",
    "residuals_vs_fitted": "Is the mean linear in the columns?",
    "heteroscedasticity": "Is the noise's spread constant?",
    "normality": "Are the errors normal (and does it matter)?",
    "autocorrelation": "Are neighbouring errors (in time) independent?",
    "multicollinearity": "Do some columns repeat others?",
}
"""Every check of :func:`regression_diagnostics`, in the order it runs, with the question it answers."""


def linear_design(X: pd.DataFrame, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """The design matrix the checks fit (without the constant): numbers, dates as years, categories one-hot.

    Missing numbers are filled with the column median; categorical columns with more than
    :data:`MAX_CATEGORIES` levels and constant columns are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"id": [1, 2, 3], "area": [50.0, 80.0, None], "town": ["a", "b", "a"],
    ...                   "sold": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01"])})
    >>> linear_design(X, exclude=["id"]).round(2).to_dict(orient="list")
    {'area': [50.0, 80.0, 65.0], 'sold': [0.0, 1.0, 2.0], 'town=b': [0.0, 1.0, 0.0]}
    """
    columns: dict[str, np.ndarray] = {}
    dummies = []
    for name in X.columns:
        if name in exclude:
            continue
        values = X[name]
        if pd.api.types.is_bool_dtype(values):
            columns[str(name)] = values.to_numpy(dtype=np.float64)
        elif pd.api.types.is_numeric_dtype(values):
            numbers = values.to_numpy(dtype=np.float64)
            columns[str(name)] = np.where(np.isnan(numbers), np.nanmedian(numbers), numbers)
        elif pd.api.types.is_datetime64_any_dtype(values):
            days = (values - values.min()).dt.total_seconds().to_numpy(dtype=np.float64) / 86_400.0
            columns[str(name)] = days / 365.25
        elif values.nunique() <= MAX_CATEGORIES:
            levels = pd.get_dummies(values.astype("string"), prefix=str(name), prefix_sep="=", drop_first=True)
            dummies.append(levels.astype(np.float64))
    design = pd.concat([pd.DataFrame(columns, index=X.index), *dummies], axis=1)
    constant = design.columns[design.nunique() <= 1]
    return design.drop(columns=constant)


def _time_order(X: pd.DataFrame) -> np.ndarray:
    """Row positions in time order: by the first datetime column, else as given."""
    for name in X.columns:
        if pd.api.types.is_datetime64_any_dtype(X[name]):
            order: np.ndarray = np.argsort(X[name].to_numpy(), kind="stable")
            return order
    return np.arange(len(X))


def _numeric_columns(X: pd.DataFrame, design: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    """The design's columns that are numbers of ``X`` (not dummies, not dates)."""
    return [
        str(name)
        for name in X.columns
        if name not in exclude
        and str(name) in design.columns
        and pd.api.types.is_numeric_dtype(X[name])
        and not pd.api.types.is_bool_dtype(X[name])
    ]


def _subsample(n: int) -> np.ndarray:
    return np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(np.int64)


@dataclass
class _Fits:
    """What the checks share: the design, the linear fit, the influential rows and the flexible fit."""

    X: pd.DataFrame
    y: np.ndarray
    design: pd.DataFrame
    numeric: list[str]
    linear: object  # statsmodels RegressionResults on every row
    kept: np.ndarray  # rows not influential
    kept_linear: object  # the linear fit on the kept rows
    flexible: object  # the flexible fit (squares and products added) on the kept rows, HC3 covariance
    added: list[str]  # the added terms' names


def _flexible_terms(design: pd.DataFrame, numeric: Sequence[str]) -> pd.DataFrame:
    """Squares and pairwise products of the standardised numeric columns (what a curved mean would need)."""
    scaled = (design[list(numeric)] - design[list(numeric)].mean()) / design[list(numeric)].std(ddof=0)
    terms = {}
    for i, first in enumerate(numeric):
        terms[f"{first}²"] = scaled[first] ** 2
        for second in numeric[i + 1 :]:
            terms[f"{first}×{second}"] = scaled[first] * scaled[second]
    return pd.DataFrame(terms, index=design.index)


def _influence_measures(linear: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cook's distance, leverage and externally studentised residuals of every row.

    statsmodels' ``resid_studentized_external`` refits without each row (seconds on a few thousand rows); the
    internal residuals give the same values through the identity
    ``t_i = r_i * sqrt((n - p - 1) / (n - p - r_i²))`` (Belsley, Kuh and Welsch, 1980, eq. 2.10).
    """
    from statsmodels.stats.outliers_influence import OLSInfluence

    influence = OLSInfluence(linear)
    cooks = np.asarray(influence.cooks_distance[0])
    leverage = np.asarray(influence.hat_matrix_diag)
    internal = np.asarray(influence.resid_studentized_internal)
    n, p = len(internal), int(linear.df_model) + 1  # type: ignore[attr-defined]  # statsmodels has no stubs
    with np.errstate(divide="ignore", invalid="ignore"):
        external = internal * np.sqrt((n - p - 1) / np.maximum(n - p - internal**2, 1e-12))
    return cooks, leverage, external


def _influential(fit: object) -> np.ndarray:
    """Rows of ``fit`` that pull it on their own: Cook's distance, a robust residual or an extreme leverage."""
    cooks, leverage, _ = _influence_measures(fit)
    residuals = np.asarray(fit.resid)  # type: ignore[attr-defined]  # statsmodels has no stubs
    scale = 1.4826 * np.median(np.abs(residuals - np.median(residuals)))
    robust = np.abs(residuals) / scale if scale > 0 else np.zeros(len(residuals))
    mean_leverage = leverage.mean()
    flagged: np.ndarray = (
        (cooks > COOK_THRESHOLD) | (robust > ROBUST_RESIDUAL) | (leverage > LEVERAGE_MULTIPLE * mean_leverage)
    )
    return flagged


def _fit(X: pd.DataFrame, y: object, exclude: Sequence[str]) -> _Fits:
    import statsmodels.api as sm

    target = np.asarray(y, dtype=np.float64)
    if target.ndim != 1 or len(target) != len(X) or not np.isfinite(target).all():
        message = (
            f"the regression diagnostics need one finite target value per row of X ({len(X)} rows); "
            f"got {target.shape} values with {int(np.sum(~np.isfinite(target)))} not finite. "
            "Drop rows without a target."
        )
        raise InvalidParameterError(message)
    design = linear_design(X, exclude=exclude)
    numeric = _numeric_columns(X, design, exclude)
    exog = sm.add_constant(design.to_numpy(dtype=np.float64), has_constant="add")
    linear = sm.OLS(target, exog).fit(method="qr")
    kept = np.ones(len(target), dtype=bool)
    kept_linear = linear
    for _ in range(INFLUENCE_PASSES):
        rows = np.flatnonzero(kept)
        flagged = _influential(kept_linear)
        if not flagged.any():
            break
        kept[rows[flagged]] = False
        kept_linear = sm.OLS(target[kept], exog[kept]).fit(method="qr")
    extra = _flexible_terms(design[kept], numeric)
    flexible_exog = np.column_stack([exog[kept], extra.to_numpy(dtype=np.float64)])
    flexible = sm.OLS(target[kept], flexible_exog).fit(method="qr", cov_type="HC3")
    return _Fits(X, target, design, numeric, linear, kept, kept_linear, flexible, list(extra.columns))


def _finding(name: str, title: str, text: str, evidence: dict[str, object]) -> Finding:
    figures = regression_check_figures(name, evidence, cook=COOK_THRESHOLD, vif=VIF_THRESHOLD)
    return Finding(name, title, text, {"question": REGRESSION_DIAGNOSTICS[name], **evidence}, figures=figures)


def _influence(fits: _Fits) -> Finding:
    cooks, leverage, studentized = _influence_measures(fits.linear)
    flagged_rows = np.flatnonzero(~fits.kept)
    worst = np.argsort(-cooks)[:5]
    flagged = bool(flagged_rows.size)
    text = (
        f"{flagged_rows.size} rows move the fit on their own (Cook's distance over {COOK_THRESHOLD:g}, a residual "
        f"beyond {ROBUST_RESIDUAL:g} robust sd or a leverage over {LEVERAGE_MULTIPLE:g} times the mean); the largest "
        f"Cook's distance is {cooks.max():.3g}. Check them for "
        "entry errors or cases outside the population before fitting; they are left out of the checks below."
        if flagged
        else f"no row moves the fit on its own (largest Cook's distance {cooks.max():.3g}, under {COOK_THRESHOLD:g})."
    )
    shown = _subsample(len(cooks))
    return _finding(
        "influence",
        "Leverage and Cook's distance",
        text,
        {
            "flagged": flagged,
            "fault": "influential_points",
            "rows": flagged_rows.tolist(),
            "max_cooks_distance": float(cooks.max()),
            "max_leverage": float(leverage.max()),
            "max_abs_studentized": float(np.abs(studentized).max()),
            "worst_rows": worst.tolist(),
            "figure": {
                "leverage": leverage[shown].tolist(),
                "studentized_residual": studentized[shown].tolist(),
                "cooks_distance": cooks[shown].tolist(),
            },
        },
    )


def _residuals_vs_fitted(fits: _Fits) -> Finding:
    from statsmodels.nonparametric.smoothers_lowess import lowess

    flexible = fits.flexible
    n_base = fits.kept_linear.model.exog.shape[1]  # type: ignore[attr-defined]  # statsmodels has no stubs
    n_added = len(fits.added)
    if n_added:
        restriction = np.zeros((n_added, n_base + n_added))
        restriction[:, n_base:] = np.eye(n_added)
        test = flexible.wald_test(restriction, use_f=True, scalar=True)  # type: ignore[attr-defined]
        statistic, p_value = float(test.statistic), float(test.pvalue)
        t_values = np.abs(np.asarray(flexible.tvalues)[n_base:])  # type: ignore[attr-defined]
        top = [fits.added[i] for i in np.argsort(-t_values)[:3]]
    else:
        statistic, p_value, top = float("nan"), 1.0, []
    flagged = p_value < SIGNIFICANCE
    fitted = np.asarray(fits.kept_linear.fittedvalues)  # type: ignore[attr-defined]
    residuals = np.asarray(fits.kept_linear.resid)  # type: ignore[attr-defined]
    smooth = lowess(residuals, fitted, frac=0.3, it=0, return_sorted=True)
    shown = _subsample(len(fitted))
    text = (
        f"squares and products of the columns improve the fit (Wald F = {statistic:.1f}, p = {p_value:.2g}; strongest "
        f"terms {', '.join(top)}): the mean is curved. Add those terms, splines or a log scale, or use a model that "
        "finds curves itself; the residuals-vs-fitted plot bends."
        if flagged
        else f"squares and products of the columns add nothing significant (p = {p_value:.2g}): a straight-line mean "
        "fits; the residuals-vs-fitted plot is flat."
    )
    return _finding(
        "residuals_vs_fitted",
        "Residuals vs fitted (linearity)",
        text,
        {
            "flagged": flagged,
            "fault": "nonlinearity",
            "wald_f": statistic,
            "p_value": p_value,
            "strongest_terms": top,
            "figure": {
                "fitted": fitted[shown].tolist(),
                "residual": residuals[shown].tolist(),
                "smooth_fitted": smooth[:, 0].tolist(),
                "smooth_residual": smooth[:, 1].tolist(),
            },
        },
    )


def _heteroscedasticity(fits: _Fits) -> Finding:
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import het_breuschpagan, het_white

    residuals = np.asarray(fits.flexible.resid)  # type: ignore[attr-defined]
    fitted = np.asarray(fits.flexible.fittedvalues)  # type: ignore[attr-defined]
    _, bp_p, _, _ = het_breuschpagan(residuals, sm.add_constant(fitted), robust=True)
    linear_exog = fits.kept_linear.model.exog  # type: ignore[attr-defined]
    with (
        warnings.catch_warnings()
    ):  # products of two dummies of one column are all zero: White's design is rank-deficient
        warnings.simplefilter("ignore")
        white_statistic, white_p, _, _ = het_white(np.asarray(fits.kept_linear.resid), linear_exog)  # type: ignore[attr-defined]
    bp_p = float(bp_p)
    flagged = bp_p < SIGNIFICANCE
    order = np.argsort(fitted)
    thirds = np.array_split(order, 3)
    spreads = [float(np.std(residuals[part])) for part in thirds]
    shown = _subsample(len(fitted))
    text = (
        f"the spread of the residuals grows with the level (Breusch-Pagan p = {bp_p:.2g}; residual sd "
        f"{spreads[0]:,.3g} in the cheapest third, {spreads[2]:,.3g} in the dearest). Coefficients stay unbiased but "
        "their usual standard errors are wrong (use HC3), and intervals of constant width under-cover the high "
        "values: model the spread, or the log of the target."
        if flagged
        else f"the spread of the residuals does not change with the level (Breusch-Pagan p = {bp_p:.2g})."
    )
    return _finding(
        "heteroscedasticity",
        "Constant variance (Breusch-Pagan, White)",
        text,
        {
            "flagged": flagged,
            "fault": "heteroscedasticity",
            "breusch_pagan_p": bp_p,
            "white_statistic": float(white_statistic),
            "white_p": float(white_p),
            "residual_sd_by_third": spreads,
            "figure": {
                "fitted": fitted[shown].tolist(),
                "sqrt_abs_residual": np.sqrt(np.abs(residuals[shown])).tolist(),
            },
        },
    )


def _normality(fits: _Fits) -> Finding:
    from scipy import stats
    from statsmodels.stats.stattools import jarque_bera

    residuals = np.asarray(fits.kept_linear.resid)  # type: ignore[attr-defined]
    statistic, p_value, skew, kurtosis = (float(v) for v in jarque_bera(residuals))
    (theoretical, ordered), _ = stats.probplot(residuals, dist="norm")
    shown = _subsample(len(ordered))
    flagged = p_value < SIGNIFICANCE
    text = (
        f"the residuals are not normal (Jarque-Bera p = {p_value:.2g}, skewness {skew:.2f}, kurtosis {kurtosis:.2f}; "
        "normal is 0 and 3). Point predictions and coefficients hardly suffer (least squares needs no normality, "
        "and with many rows the standard errors are fine), but intervals built as prediction ± z·sd are off: take "
        "their bounds from quantiles of the residuals, or model the log."
        if flagged
        else f"the residuals look normal (Jarque-Bera p = {p_value:.2g}): intervals from ± z·sd are reasonable."
    )
    return _finding(
        "normality",
        "Normal errors (Q-Q, Jarque-Bera)",
        text,
        {
            "flagged": flagged,
            "jarque_bera": statistic,
            "p_value": p_value,
            "skewness": skew,
            "kurtosis": kurtosis,
            "figure": {"theoretical": theoretical[shown].tolist(), "sample": ordered[shown].tolist()},
        },
    )


def _autocorrelation(fits: _Fits) -> Finding:
    from statsmodels.stats.stattools import durbin_watson
    from statsmodels.tsa.stattools import acf

    order = _time_order(fits.X.iloc[np.flatnonzero(fits.kept)])
    residuals = np.asarray(fits.flexible.resid)[order]  # type: ignore[attr-defined]
    statistic = float(durbin_watson(residuals))
    correlations = acf(residuals, nlags=ACF_LAGS, fft=True)
    flagged = abs(statistic - 2.0) > DURBIN_WATSON_GAP
    text = (
        f"neighbouring errors in time are correlated (Durbin-Watson {statistic:.2f}, 2 means independent; lag-1 "
        f"autocorrelation {correlations[1]:.2f}). Predictions stay unbiased but standard errors and p-values are too "
        "optimistic, and a random split leaks the neighbours' errors: validate on later periods."
        if flagged
        else f"errors in time order look independent (Durbin-Watson {statistic:.2f}; 2 means independent)."
    )
    return _finding(
        "autocorrelation",
        "Independent errors (Durbin-Watson)",
        text,
        {
            "flagged": flagged,
            "fault": "autocorrelation",
            "durbin_watson": statistic,
            "lag1": float(correlations[1]),
            "figure": {"lag": list(range(ACF_LAGS + 1)), "autocorrelation": correlations.tolist()},
        },
    )


def _multicollinearity(fits: _Fits) -> Finding:
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    numeric = fits.design.loc[fits.kept, fits.numeric]
    exog = sm.add_constant(numeric.to_numpy(dtype=np.float64), has_constant="add")
    vif = {name: float(variance_inflation_factor(exog, j + 1)) for j, name in enumerate(fits.numeric)}
    standardised = (numeric - numeric.mean()) / numeric.std(ddof=0)
    condition = float(np.linalg.cond(standardised.to_numpy(dtype=np.float64))) if len(fits.numeric) else 1.0
    high = [name for name, value in vif.items() if value > VIF_THRESHOLD]
    flagged = bool(high)
    covariance, correlation = numeric.cov(), numeric.corr()
    pair = _most_correlated(correlation)
    text = (
        f"{', '.join(high)} have variance inflation factors over {VIF_THRESHOLD:g} "
        f"({', '.join(f'{vif[name]:.0f}' for name in high)}; condition number {condition:.0f}): their coefficients "
        "swing from sample to sample and their signs may not mean what they seem, while the predictions barely "
        "change. Drop one, combine them, or regularise (ridge)."
        if flagged
        else f"no column is nearly a combination of the others (largest VIF {max(vif.values(), default=1.0):.1f}, "
        f"condition number {condition:.0f})."
    )
    if pair is not None:
        first, second = pair
        i, j = fits.numeric.index(first), fits.numeric.index(second)
        text += (
            f" Covariance vs correlation on the same columns: {first} and {second} have covariance "
            f"{covariance.to_numpy()[i, j]:,.3g} (in their units, so it says little) and correlation "
            f"{correlation.to_numpy()[i, j]:.2f} (unit-free, -1 to 1: how much one repeats the other)."
        )
    return _finding(
        "multicollinearity",
        "Multicollinearity (VIF, condition number)",
        text,
        {
            "flagged": flagged,
            "fault": "multicollinearity",
            "columns": high,
            "vif": vif,
            "condition_number": condition,
            "figure": {
                "columns": list(fits.numeric),
                "covariance": covariance.to_numpy().tolist(),
                "correlation": correlation.to_numpy().tolist(),
            },
        },
    )


def _most_correlated(correlation: pd.DataFrame) -> tuple[str, str] | None:
    values = np.abs(correlation.to_numpy(dtype=np.float64))
    if values.shape[0] < 2:
        return None
    np.fill_diagonal(values, -1.0)
    i, j = np.unravel_index(int(np.nanargmax(values)), values.shape)
    names = [str(name) for name in correlation.columns]
    return names[int(i)], names[int(j)]


_CHECKS = {
    "influence": _influence,
    "residuals_vs_fitted": _residuals_vs_fitted,
    "heteroscedasticity": _heteroscedasticity,
    "normality": _normality,
    "autocorrelation": _autocorrelation,
    "multicollinearity": _multicollinearity,
}


def influence(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Do a few rows pull the fit on their own? Leverage, Cook's distance and studentised residuals.

    Flags rows with Cook's distance over :data:`COOK_THRESHOLD`, a residual beyond
    :data:`ROBUST_RESIDUAL` robust sd or a leverage over :data:`LEVERAGE_MULTIPLE` times
    the mean, refitting without them up to :data:`INFLUENCE_PASSES` times (fault ``influential_points``).

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=400, n_test=100, influential=3)
    >>> finding = influence(case.X_train, case.y_train, exclude=["house_id"])
    >>> finding.evidence["flagged"], len(finding.evidence["rows"]) >= 3
    (True, True)
    """
    return _influence(_fit(X, y, exclude))


def residuals_vs_fitted(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Is the mean linear in the columns? A Wald test (HC3) of squares and pairwise products, and the plot data.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=800, n_test=100, nonlinear=1.0)
    >>> residuals_vs_fitted(case.X_train, case.y_train, exclude=["house_id"]).evidence["strongest_terms"][0]
    'age_years²'
    """
    return _residuals_vs_fitted(_fit(X, y, exclude))


def heteroscedasticity(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Is the noise's spread constant? Breusch-Pagan (Koenker) on the fitted level, and White's test.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=800, n_test=100, heteroscedastic=1.5)
    >>> heteroscedasticity(case.X_train, case.y_train, exclude=["house_id"]).evidence["flagged"]
    True
    """
    return _heteroscedasticity(_fit(X, y, exclude))


def normality(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Are the errors normal? Jarque-Bera, skewness and kurtosis, and Q-Q data (a lesson: intervals care).

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=800, n_test=100, log_target=True, noise=0.4)
    >>> normality(case.X_train, case.y_train, exclude=["house_id"]).evidence["skewness"] > 0.5
    True
    """
    return _normality(_fit(X, y, exclude))


def autocorrelation(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Are neighbouring errors independent? Durbin-Watson in the order of the first date column.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=800, n_test=100, autocorrelation=0.7)
    >>> autocorrelation(case.X_train, case.y_train, exclude=["house_id"]).evidence["durbin_watson"] < 1.5
    True
    """
    return _autocorrelation(_fit(X, y, exclude))


def multicollinearity(X: pd.DataFrame, y: object, *, exclude: Sequence[str] = ()) -> Finding:
    """Do some columns repeat others? VIF per numeric column, the condition number, covariance vs correlation.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=800, n_test=100, collinear=1.0)
    >>> multicollinearity(case.X_train, case.y_train, exclude=["house_id"]).evidence["columns"]
    ['floor_area_m2', 'rooms']
    """
    return _multicollinearity(_fit(X, y, exclude))


def regression_names(choice: object, scenario: ScenarioSpec, where: str) -> tuple[str, ...]:
    """The checks a ``diagnostics=`` argument selects for a regression scenario (``evaluate``'s hook).

    ``"default"`` is the spec's ``diagnostics`` list, ``"all"`` every check of
    :data:`REGRESSION_DIAGNOSTICS`, ``None`` none, or a list of their names.

    Examples
    --------
    >>> import casestudies as cs
    >>> regression_names("all", cs.spec("houses-v1"), "example")[:2]
    ('influence', 'residuals_vs_fitted')
    >>> regression_names(None, cs.spec("houses-v1"), "example")
    ()
    """
    if choice is None:
        return ()
    if choice == "default":
        return tuple(name for name in REGRESSION_DIAGNOSTICS if name in scenario.diagnostics)
    if choice == "all":
        return tuple(REGRESSION_DIAGNOSTICS)
    names = checked_names(choice, REGRESSION_DIAGNOSTICS, where, listing="the regression checks are")
    return tuple(name for name in REGRESSION_DIAGNOSTICS if name in names)


def regression_diagnostics(
    case_or_X: Case | pd.DataFrame,
    y: object = None,
    *,
    exclude: Sequence[str] = (),
    log_target: bool = False,
) -> DiagnosticsReport:
    """Check every assumption of linear regression on a case's training data (or on ``X`` and ``y``).

    Parameters
    ----------
    case_or_X : Case or pandas.DataFrame
        A regression case (its own training data is read, and its id column
        left out), or the features.
    y : array-like, optional
        The target, when ``case_or_X`` is a frame.
    exclude : sequence of str, default=()
        Columns left out of the design (ids, known identifiers).
    log_target : bool, default=False
        Check the model of ``log(y)`` instead (the target must be positive).

    Returns
    -------
    DiagnosticsReport
        One finding per check of :data:`REGRESSION_DIAGNOSTICS`, their cost,
        and the diagnosis the flagged ones add up to (gradable with
        :meth:`Case.grade_diagnosis <casestudies.Case.grade_diagnosis>`).

    Raises
    ------
    InvalidParameterError
        For a case that is not a regression, a missing ``y``, or a non-positive target with ``log_target``.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=600, n_test=100, nonlinear=0.0, heteroscedastic=0.0, collinear=1.0)
    >>> report = regression_diagnostics(case)
    >>> report.diagnosis.claimed()
    ('multicollinearity',)
    >>> case.grade_diagnosis(report.diagnosis).perfect
    True
    """
    scenario_id = ""
    if isinstance(case_or_X, Case):
        scenario_id = case_or_X.spec.id
        if case_or_X.spec.task != "regression":
            message = (
                f"regression_diagnostics({scenario_id!r}): these checks are for regression tasks; this is a "
                f"{case_or_X.spec.task} task. Use casestudies.diagnose(case) for binary cases."
            )
            raise InvalidParameterError(message)
        context = host_view(case_or_X).context
        X, target = context.X_train, context.y_train.to_numpy(dtype=np.float64)
        exclude = [case_or_X.id_column, *exclude]
    else:
        if y is None:
            raise InvalidParameterError(
                "regression_diagnostics(X, y): pass the target y beside the features X, or pass a Case."
            )
        X, target = case_or_X, np.asarray(y, dtype=np.float64)
    if log_target:
        if not (target > 0).all():
            message = (
                f"regression_diagnostics: log_target=True needs a positive target; got {int((target <= 0).sum())} "
                "values at or below 0. Check them, or pass log_target=False."
            )
            raise InvalidParameterError(message)
        target = np.log(target)
    from threadpoolctl import threadpool_limits

    findings, seconds = [], {}
    # Small least-squares problems: one thread each avoids oversubscribing busy machines.
    with threadpool_limits(limits=1):
        started = time.perf_counter()
        fits = _fit(X, target, exclude)
        fit_seconds = time.perf_counter() - started
        for name, check in _CHECKS.items():
            started = time.perf_counter()
            findings.append(check(fits))
            seconds[name] = round(time.perf_counter() - started + (fit_seconds if name == "influence" else 0.0), 4)
    return DiagnosticsReport(scenario_id, tuple(findings), seconds, diagnosis_from_findings(findings))
