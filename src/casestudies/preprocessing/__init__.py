"""Preprocessing shared by the diagnostics and the scenarios' reference pipelines.

Examples
--------
>>> import pandas as pd
>>> from casestudies.preprocessing import TabularEncoder, is_categorical
>>> frame = pd.DataFrame({"plan": ["basic", "premium", "basic"], "tenure": [3, 12, 40]})
>>> [is_categorical(frame[column]) for column in frame]
[True, False]
>>> TabularEncoder().fit(frame).transform(frame).shape  # tenure scaled, plan one-hot
(3, 3)
"""

from __future__ import annotations

from casestudies.preprocessing._tabular import (
    TabularEncoder,
    as_frame,
    is_categorical,
    is_datetime,
    is_numeric,
    months_since_epoch,
    require_rows_and_columns,
)

__all__ = [
    "TabularEncoder",
    "as_frame",
    "is_categorical",
    "is_datetime",
    "is_numeric",
    "months_since_epoch",
    "require_rows_and_columns",
]
