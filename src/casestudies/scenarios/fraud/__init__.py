"""Public pieces of the fraud-v1 scenario: feature engineering and reference pipelines.

Examples
--------
>>> from casestudies.scenarios.fraud import TransactionFeatures, expert_pipeline
>>> expert_pipeline().steps[0][0]
'features'
"""

from __future__ import annotations

from casestudies.scenarios.fraud._features import FEATURES, SIMPLE_FEATURES, TransactionFeatures
from casestudies.scenarios.fraud._pipelines import expert_pipeline, simple_baseline
from casestudies.scenarios.fraud._traffic import CATEGORIES, CHANNELS, MECHANISMS

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "FEATURES",
    "MECHANISMS",
    "SIMPLE_FEATURES",
    "TransactionFeatures",
    "expert_pipeline",
    "simple_baseline",
]
