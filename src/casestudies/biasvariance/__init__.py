"""The bias–variance lab: expected error split into noise, bias² and variance over fresh training draws.

A simulator can draw as many training sets from the same world as it likes
and knows the true function and the noise, so the split is exact up to Monte
Carlo error: :func:`bias_variance` for one pipeline, :func:`bias_variance_curve`
over a complexity parameter or the training size.
:func:`bootstrap_bias_variance` is the usual one-training-set estimate, for
comparison (its "bias" holds the label noise).

Examples
--------
>>> from casestudies.biasvariance import squared_split
>>> import numpy as np
>>> split = squared_split(np.array([[1.0], [1.0], [1.0]]), np.array([0.0]), np.array([0.5]), loss="squared")
>>> split.parts["variance"].value, split.expected.value
(0.0, 1.5)
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.biasvariance._bootstrap import BootstrapEstimate, bootstrap_bias_variance
from casestudies.biasvariance._decompose import IDENTITY_Z, Estimate, Split, squared_split, zero_one_split
from casestudies.biasvariance._lab import DEFAULT_DRAWS, LAB_TASKS, bias_variance, bias_variance_curve
from casestudies.biasvariance._result import BiasVarianceCurve, BiasVarianceResult, LabSetting

__all__ = [
    "DEFAULT_DRAWS",
    "IDENTITY_Z",
    "LAB_TASKS",
    "BiasVarianceCurve",
    "BiasVarianceResult",
    "BootstrapEstimate",
    "Estimate",
    "LabSetting",
    "Split",
    "bias_variance",
    "bias_variance_curve",
    "bootstrap_bias_variance",
    "squared_split",
    "zero_one_split",
]

present_as_public(bias_variance, bias_variance_curve)
