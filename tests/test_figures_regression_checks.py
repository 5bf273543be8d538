"""The regression assumption checks' figures show their evidence: Q-Q quantiles, VIF bars, Cook's distances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from casestudies.diagnostics import regression_diagnostics
from casestudies.report import FigureSpec

SEEDS = (0, 1)
"""Two draws: the Q-Q check must hold on each."""


def _data(seed: int, n: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    """Three columns, two of them nearly copies of each other, and a linear target with normal noise."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    X = pd.DataFrame({"a": a, "a_copy": a + rng.normal(scale=0.1, size=n), "b": rng.normal(size=n)})
    y = 2.0 * X["a"] - X["b"] + rng.normal(size=n)
    return X, y.to_numpy()


def _figures(X: pd.DataFrame, y: np.ndarray) -> dict[str, FigureSpec]:
    report = regression_diagnostics(X, y)
    return {spec.name: spec for finding in report.findings for spec in finding.figures}


@pytest.mark.parametrize("seed", SEEDS)
def test_qq_figure_plots_scipys_probplot_quantiles(seed: int) -> None:
    import statsmodels.api as sm

    X, y = _data(seed)
    report = regression_diagnostics(X, y)
    influence = next(f for f in report.findings if f.id == "influence")
    kept = np.setdiff1d(np.arange(len(y)), np.asarray(influence.evidence["rows"], dtype=np.int64))
    residuals = sm.OLS(y[kept], sm.add_constant(X.to_numpy()[kept])).fit().resid
    (theoretical, ordered), _ = stats.probplot(residuals, dist="norm")
    spec = {s.name: s for f in report.findings for s in f.figures}["qq_normal"]
    points = spec.series_named("residuals")
    np.testing.assert_allclose(points.x, theoretical, rtol=1e-12)
    np.testing.assert_allclose(points.y, ordered, rtol=1e-9, atol=1e-9)
    assert "follow the normal line" in spec.title  # normal noise: Jarque-Bera does not reject at these seeds


def test_vif_bars_are_statsmodels_variance_inflation_factors() -> None:
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X, y = _data(0)
    spec = _figures(X, y)["vif"]
    exog = sm.add_constant(X.to_numpy(), has_constant="add")
    expected = {name: variance_inflation_factor(exog, j + 1) for j, name in enumerate(X.columns)}
    shown = dict(zip(spec.series[0].x, spec.series[0].y, strict=True))
    # a and a_copy share all but 1 % of their variance: VIF about 100, far over the threshold of 10.
    assert shown["a (flagged)"] == pytest.approx(expected["a"]) and shown["a (flagged)"] > 10
    assert shown["b"] == pytest.approx(expected["b"]) and shown["b"] < 2
    assert spec.markers[0].at == 10.0


def test_an_outlier_stands_out_in_the_cooks_distance_figure() -> None:
    X, y = _data(0)
    y = y.copy()
    y[int(np.argmax(X["b"].to_numpy()))] += 40.0  # one gross error on a high-leverage row
    spec = _figures(X, y)["leverage_cooks"]
    cooks = np.asarray(spec.series[0].y, dtype=np.float64)
    assert cooks.max() > spec.markers[0].at and "move the fit" in spec.title and not spec.title.startswith("No")
