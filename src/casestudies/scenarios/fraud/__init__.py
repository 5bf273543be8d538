"""Public pieces of the fraud-v1 scenario: feature engineering and reference pipelines.

Examples
--------
>>> from casestudies.scenarios.fraud import TransactionFeatures, expert_pipeline
>>> expert_pipeline().steps[0][0]
'features'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casestudies._public import lazy_face
from casestudies.scenarios.fraud._traffic import CATEGORIES, CHANNELS, MECHANISMS

if TYPE_CHECKING:
    from casestudies.scenarios.fraud._features import FEATURES, SIMPLE_FEATURES, TransactionFeatures
    from casestudies.scenarios.fraud._pipelines import expert_pipeline, simple_baseline

# scikit-learn loads only when the features or pipelines are used: generating or scoring a case needs neither.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("FEATURES", "SIMPLE_FEATURES", "TransactionFeatures"), "casestudies.scenarios.fraud._features"),
    **dict.fromkeys(("expert_pipeline", "simple_baseline"), "casestudies.scenarios.fraud._pipelines"),
}

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


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)
