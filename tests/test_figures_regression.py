"""Regression figures are the report's numbers: error by fifth, interval coverage, predicted vs actual."""

from __future__ import annotations

import numpy as np
import pytest

from casestudies.report import FigureSpec
from figure_cases import houses_case, houses_report

pytestmark = pytest.mark.slow  # fits the houses references: a few seconds on 2 cores

SEEDS = (1, 2)


def _spec(name: str, seed: int) -> FigureSpec:
    return {spec.name: spec for spec in houses_report(seed).figure_specs()}[name]


@pytest.mark.parametrize("seed", SEEDS)
def test_oracle_points_lie_closer_to_the_diagonal_than_the_mean_baselines(seed: int) -> None:
    spec = _spec("predicted_vs_actual", seed)
    truth = houses_case(seed).reveal()[houses_case(seed).target].to_numpy()

    def distance(label: str) -> float:
        series = spec.series_named(label)
        return float(np.mean(np.abs(np.asarray(series.y, float) - np.asarray(series.x, float))))

    # The oracle predicts the true mean price, so it misses only the sale noise; a constant misses the spread too.
    assert distance("oracle") < 0.5 * distance("mean")
    assert set(spec.series_named("you").x) <= set(truth.tolist())  # x is the actual price of held-out rows


@pytest.mark.parametrize("seed", SEEDS)
def test_error_by_fifth_averages_to_the_reports_rmse(seed: int) -> None:
    result = houses_report(seed)
    spec = _spec("error_by_fifth", seed)
    n_rows = len(houses_case(seed).test)
    sizes = np.bincount(np.arange(n_rows) * 5 // n_rows, minlength=5)  # five groups of equal size
    for label, entry in (("you", result.submission), ("oracle", result.reference("oracle"))):
        by_fifth = np.asarray(spec.series_named(label).y, float)
        # Mean squared error over all rows is the size-weighted mean of the groups' mean squared errors.
        overall = np.sqrt(np.sum(sizes * by_fifth**2) / n_rows)
        assert overall == pytest.approx(entry.estimate("rmse"), rel=1e-9)
    # A constant prediction errs most at both ends of the price range: its middle fifth is its best.
    mean = np.asarray(spec.series_named("mean").y, float)
    assert mean[2] < mean[0] and mean[2] < mean[4]


@pytest.mark.parametrize("seed", SEEDS)
def test_interval_coverage_by_fifth_averages_to_the_reports_coverage(seed: int) -> None:
    result = houses_report(seed)
    spec = _spec("interval_coverage", seed)
    n_rows = len(houses_case(seed).test)
    sizes = np.bincount(np.arange(n_rows) * 5 // n_rows, minlength=5)
    coverage = np.asarray(spec.series_named("you").y, float)
    assert np.sum(sizes * coverage) / n_rows == pytest.approx(result.submission.estimate("interval_coverage"))
    assert spec.markers[0].at == pytest.approx(0.8)  # houses-v1 asks for 80 % intervals


def test_residuals_are_actual_minus_predicted() -> None:
    spec = _spec("residuals_vs_fitted", 1)
    truth = houses_case(1).reveal()
    points, residuals = (np.asarray(v, float) for v in (spec.series[0].x, spec.series[0].y))
    actual = truth[houses_case(1).target].to_numpy()
    # Each plotted point (fitted, residual) must match one held-out row: fitted + residual is that row's price.
    assert np.isin(np.round(points + residuals, 6), np.round(actual, 6)).all()
