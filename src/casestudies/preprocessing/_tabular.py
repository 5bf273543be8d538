"""Preprocessing shared by the diagnostics' probes and the scenarios' reference pipelines.

:class:`TabularEncoder` turns a mixed-type frame (numbers, categories, dates)
into a numeric matrix; the column-kind helpers say which is which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from casestudies.core import describe_value
from casestudies.exceptions import InvalidParameterError

__all__ = [
    "TabularEncoder",
    "as_frame",
    "is_categorical",
    "is_datetime",
    "is_numeric",
    "months_since_epoch",
    "require_rows_and_columns",
]

_NS_PER_MONTH: Final[float] = 86_400e9 * 30.436875
"""Nanoseconds in a mean Gregorian month (365.2425 / 12 = 30.436875 days)."""

_FLAG_LEVELS: Final[int] = 2
"""A numeric column with at most this many distinct values is a flag, not a count: ``add_log`` leaves it."""


def is_datetime(series: pd.Series) -> bool:
    return series.dtype.kind == "M" or isinstance(series.dtype, pd.DatetimeTZDtype)


def is_numeric(series: pd.Series) -> bool:
    return series.dtype.kind in "biuf" and not isinstance(series.dtype, pd.CategoricalDtype)


def is_categorical(series: pd.Series) -> bool:
    return not is_numeric(series) and not is_datetime(series)


def months_since_epoch(series: pd.Series) -> np.ndarray:
    """Datetime values as (fractional) months since 1970, NaT as NaN."""
    values = pd.to_datetime(series)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(None)
    nanoseconds = values.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    nanoseconds[values.isna().to_numpy()] = np.nan
    return nanoseconds / _NS_PER_MONTH


class TabularEncoder(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type hints
    """Turn a mixed-type frame into a numeric matrix: scale numbers, one-hot categories, months for dates.

    Numeric columns are imputed with the training median and (optionally)
    standardised; categorical, string and boolean columns are one-hot encoded
    (levels unseen in training become all zeros); datetime columns become
    months since 1970 (a number, so a linear model can use a trend and a tree
    can split on time). Columns in ``drop`` are removed first.

    Parameters
    ----------
    drop : sequence of str, default=()
        Columns to ignore (ids, known identifiers, leaky columns).
    scale : bool, default=True
        Standardise numeric and date columns with the training mean and sd.
    max_categories : int or None, default=None
        Categorical columns with more distinct training values than this are
        dropped instead of one-hot encoded; ``None`` keeps them all (and lets a
        model memorise an identifier, which is sometimes the point).
    add_log : bool, default=False
        Also add ``log1p`` of every numeric column that is never negative in
        training (counts, amounts, durations), so a linear model can use
        multiplicative effects.

    Attributes
    ----------
    columns_ : list of str
        Input columns used.
    feature_names_ : list of str
        Output column names.
    sources_ : list of str
        For each output column, the input column it comes from.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, None], "b": ["x", "y", "x"],
    ...                   "t": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    >>> encoder = TabularEncoder().fit(X)
    >>> encoder.feature_names_
    ['a', 't', 'b=x', 'b=y']
    >>> encoder.transform(X).shape
    (3, 4)
    """

    def __init__(
        self, drop: Sequence[str] = (), scale: bool = True, max_categories: int | None = None, add_log: bool = False
    ) -> None:
        self.drop = drop
        self.scale = scale
        self.max_categories = max_categories
        self.add_log = add_log

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def fit(self, X: pd.DataFrame | ArrayLike, y: object = None) -> TabularEncoder:
        """Learn medians, scales and category levels from ``X``."""
        frame = as_frame(X, "TabularEncoder.fit")
        require_rows_and_columns(frame, "TabularEncoder.fit")
        self.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        dropped = set(self.drop)
        self.columns_ = [str(c) for c in frame.columns if c not in dropped]
        self.numeric_ = [c for c in self.columns_ if is_numeric(frame[c])]
        self.dates_ = [c for c in self.columns_ if is_datetime(frame[c])]
        self.levels_: dict[str, list[str]] = {}
        for column in self.columns_:
            if column in self.numeric_ or column in self.dates_:
                continue
            levels = sorted(frame[column].dropna().astype(str).unique().tolist())
            if self.max_categories is None or len(levels) <= self.max_categories:
                self.levels_[column] = levels
        self.logged_: list[str] = []
        if self.add_log:
            for column in self.numeric_:
                values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
                if (
                    np.isfinite(values).any()
                    and np.nanmin(values) >= 0
                    and np.unique(values[np.isfinite(values)]).size > _FLAG_LEVELS
                ):
                    self.logged_.append(column)
        dense = self._dense(frame)
        self.median_ = np.nanmedian(dense, axis=0) if dense.size else np.zeros(dense.shape[1])
        self.median_ = np.where(np.isfinite(self.median_), self.median_, 0.0)
        filled = np.where(np.isnan(dense), self.median_, dense)
        self.mean_ = filled.mean(axis=0) if self.scale and len(filled) else np.zeros(dense.shape[1])
        sd = filled.std(axis=0) if self.scale and len(filled) else np.ones(dense.shape[1])
        self.scale_ = np.where(sd > 0, sd, 1.0)
        self.feature_names_ = [*self.numeric_, *self.dates_, *(f"log1p({c})" for c in self.logged_)]
        self.sources_ = [*self.numeric_, *self.dates_, *self.logged_]
        for column, levels in self.levels_.items():
            self.feature_names_ += [f"{column}={level}" for level in levels]
            self.sources_ += [column] * len(levels)
        return self

    def _dense(self, frame: pd.DataFrame) -> np.ndarray:
        parts = [frame[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in self.numeric_]
        parts += [months_since_epoch(frame[c]) for c in self.dates_]
        parts += [
            np.log1p(np.clip(frame[c].to_numpy(dtype=np.float64, na_value=np.nan), 0, None))
            for c in getattr(self, "logged_", [])
        ]
        return np.column_stack(parts) if parts else np.zeros((len(frame), 0))

    def transform(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Encode ``X`` with what :meth:`fit` learned."""
        check_is_fitted(self, "columns_")
        frame = as_frame(X, "TabularEncoder.transform")
        if not isinstance(X, pd.DataFrame) and frame.shape[1] != self.n_features_in_:
            message = (
                f"TabularEncoder.transform: X has {frame.shape[1]} features, but TabularEncoder is expecting "
                f"{self.n_features_in_} features as input; pass the training columns."
            )
            raise InvalidParameterError(message)
        missing = [c for c in self.columns_ if c not in frame.columns]
        if missing:
            message = (
                f"TabularEncoder.transform: X lacks columns {missing} seen in fit; "
                "pass a frame with the training columns."
            )
            raise InvalidParameterError(message)
        dense = self._dense(frame)
        dense = np.where(np.isnan(dense), self.median_, dense)
        if self.scale:
            dense = (dense - self.mean_) / self.scale_
        blocks = [dense]
        for column, levels in self.levels_.items():
            values = frame[column].astype(str).to_numpy()
            index = {level: i for i, level in enumerate(levels)}
            codes = np.array([index.get(value, -1) for value in values], dtype=np.int64)
            block = np.zeros((len(frame), len(levels)))
            known = codes >= 0
            block[np.flatnonzero(known), codes[known]] = 1.0
            blocks.append(block)
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(self.feature_names_, dtype=object)


def as_frame(X: object, where: str) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if hasattr(X, "toarray"):
        message = (
            f"{where}: sparse input is not supported; got {type(X).__name__}. "
            "Pass a DataFrame or a dense array (X.toarray())."
        )
        raise InvalidParameterError(message)
    array = np.asarray(X)
    if array.dtype.kind == "c":
        message = (
            f"{where}: Complex data not supported; got dtype {array.dtype}. "
            "Pass real numbers, categories, strings or dates."
        )
        raise InvalidParameterError(message)
    if array.ndim != 2:
        message = (
            f"{where}: X must be a pandas DataFrame or a 2-D array; "
            f"got {describe_value(X)} with {array.ndim} dimension(s). "
            "Reshape your data to one row per sample (array.reshape(-1, 1) for a single feature)."
        )
        raise InvalidParameterError(message)
    frame: pd.DataFrame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    return frame


def require_rows_and_columns(frame: pd.DataFrame, where: str) -> None:
    """Raise the scikit-learn-style error for an empty frame (estimator checks expect it)."""
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        message = (
            f"{where}: found {frame.shape[0]} sample(s) and {frame.shape[1]} feature(s) (shape={frame.shape}) "
            "while a minimum of 1 is required; "
            "pass at least one row and one column."
        )
        raise InvalidParameterError(message)
