"""Public pieces of the messy-* scenarios: the clean world's default function, the mess, reference pipelines.

Examples
--------
>>> from casestudies.scenarios.messy import KIND_COLUMNS, careful_pipeline
>>> KIND_COLUMNS["missing_mnar"]
('monthly_debt',)
>>> [name for name, _ in careful_pipeline().steps]
['clean', 'encode', 'model']
"""

from __future__ import annotations

from casestudies.scenarios.messy._knobs import KNOBS, RANDOM_MESS_RANGES
from casestudies.scenarios.messy._mess import KIND_COLUMNS, STATE_VARIANTS, USELESS_COLUMNS
from casestudies.scenarios.messy._pipelines import (
    QualityCleaner,
    careful_pipeline,
    high_cardinality_columns,
    low_cardinality_columns,
    naive_pipeline,
    parse_dates,
)
from casestudies.scenarios.messy._world import default_logit

__all__ = [
    "KIND_COLUMNS",
    "KNOBS",
    "RANDOM_MESS_RANGES",
    "STATE_VARIANTS",
    "USELESS_COLUMNS",
    "QualityCleaner",
    "careful_pipeline",
    "default_logit",
    "high_cardinality_columns",
    "low_cardinality_columns",
    "naive_pipeline",
    "parse_dates",
]
