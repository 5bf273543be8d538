"""Public pieces of the overfit-* scenarios: the churn function, reference pipelines, fault kinds.

Examples
--------
>>> from casestudies.scenarios.overfit import FAULT_KINDS, expert_pipeline
>>> [name for name, _ in expert_pipeline().steps]
['screen', 'encode', 'model']
>>> FAULT_KINDS[:3]
('high_dimensional', 'label_noise', 'target_leakage')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casestudies._public import lazy_face
from casestudies.scenarios.overfit._columns import INFORMATIVE_COLUMNS, LEAK_COLUMN_NAMES
from casestudies.scenarios.overfit._knobs import RANDOM_FAULT_RANGES
from casestudies.scenarios.overfit._simulator import churn_logit
from casestudies.scoring import FAULT_KINDS

if TYPE_CHECKING:
    from casestudies.preprocessing import TabularEncoder
    from casestudies.scenarios.overfit._pipelines import (
        ColumnScreen,
        SelectedLogistic,
        expert_pipeline,
        naive_pipeline,
        regularised_pipeline,
    )

# scikit-learn and the diagnostics the pipelines screen with load only when a pipeline is built: generating or
# scoring a case needs neither.
_LAZY: dict[str, str] = {
    "TabularEncoder": "casestudies.preprocessing",
    **dict.fromkeys(
        ("ColumnScreen", "SelectedLogistic", "expert_pipeline", "naive_pipeline", "regularised_pipeline"),
        "casestudies.scenarios.overfit._pipelines",
    ),
}

__all__ = [
    "FAULT_KINDS",
    "INFORMATIVE_COLUMNS",
    "LEAK_COLUMN_NAMES",
    "RANDOM_FAULT_RANGES",
    "ColumnScreen",
    "SelectedLogistic",
    "TabularEncoder",
    "churn_logit",
    "expert_pipeline",
    "naive_pipeline",
    "regularised_pipeline",
]


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)
