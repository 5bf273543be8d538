"""Baselines and reference pipelines of the ``houses-*`` scenarios.

Examples
--------
>>> import casestudies as cs
>>> case = cs.make("houses-v1", seed=0, n_train=400, n_test=200)
>>> model = linear_pipeline().fit(case.X_train, case.y_train)
>>> model.predict(case.test).shape
(200,)
"""

from __future__ import annotations

from typing import Final

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, RidgeCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import SplineTransformer

from casestudies.preprocessing import TabularEncoder

ID_COLUMN: Final[str] = "house_id"

RIDGE_ALPHAS: Final[tuple[float, ...]] = (0.1, 1.0, 10.0, 100.0)
"""Penalties the ridge reference chooses from by cross-validation (features standardised)."""


def mean_baseline() -> DummyRegressor:
    """Know-nothing model: predicts the training mean price for every house."""
    return DummyRegressor(strategy="mean")


def median_baseline() -> DummyRegressor:
    """Know-nothing model: predicts the training median price (the MAE-optimal constant)."""
    return DummyRegressor(strategy="median")


def linear_pipeline() -> Pipeline:
    """Ordinary least squares on every column (dates as a trend, neighbourhoods one-hot)."""
    return make_pipeline(TabularEncoder(drop=[ID_COLUMN]), LinearRegression())


def log_linear_pipeline() -> TransformedTargetRegressor:
    """Least squares on log(price), predictions exponentiated back (a median, not a mean, of the price)."""
    return TransformedTargetRegressor(regressor=linear_pipeline(), func=np.log, inverse_func=np.exp)


def ridge_pipeline() -> Pipeline:
    """Ridge regression on standardised columns, the penalty chosen by cross-validation."""
    return make_pipeline(TabularEncoder(drop=[ID_COLUMN]), RidgeCV(alphas=RIDGE_ALPHAS))


def expert_pipeline() -> Pipeline:
    """Splines of every numeric column into ridge: catches curved effects without hand-made terms."""
    return make_pipeline(
        TabularEncoder(drop=[ID_COLUMN]),
        SplineTransformer(n_knots=5, degree=3),
        RidgeCV(alphas=RIDGE_ALPHAS),
    )
