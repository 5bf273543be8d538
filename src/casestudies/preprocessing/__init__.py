"""Preprocessing shared by the diagnostics and the scenarios' reference pipelines."""

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
