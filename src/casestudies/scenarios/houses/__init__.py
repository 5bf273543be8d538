"""houses: a regression family (house prices) that plants the faults of linear regression's assumptions.

The generator, :func:`redraw` (a fresh training set from the same world) and :func:`truth` (the true mean and
noise variance of any rows) are described in :mod:`casestudies.scenarios.houses._simulator`.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.scenarios.houses import COLUMNS, truth
>>> case = cs.make("houses-v1", seed=0, n_train=200, n_test=100)
>>> tuple(case.train.columns) == COLUMNS
True
>>> mean, noise_var = truth(case.params, 0, case.test)
>>> bool((noise_var > 0).all())
True
"""

from __future__ import annotations

from casestudies.scenarios.houses._pipelines import (
    expert_pipeline,
    linear_pipeline,
    log_linear_pipeline,
    mean_baseline,
    median_baseline,
    ridge_pipeline,
)
from casestudies.scenarios.houses._simulator import COLUMNS, generate, redraw, truth
from casestudies.scenarios.houses._world import DEFAULT_KNOBS, NEIGHBOURHOODS, RANDOM_RANGES

__all__ = [
    "COLUMNS",
    "DEFAULT_KNOBS",
    "NEIGHBOURHOODS",
    "RANDOM_RANGES",
    "expert_pipeline",
    "generate",
    "linear_pipeline",
    "log_linear_pipeline",
    "mean_baseline",
    "median_baseline",
    "redraw",
    "ridge_pipeline",
    "truth",
]
