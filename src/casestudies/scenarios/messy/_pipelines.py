"""Reference pipelines of the ``messy-*`` scenarios, and the careful analyst's cleaning step.

:class:`QualityCleaner` learns its fixes from :func:`casestudies.diagnostics.profile_quality`
on the training rows and applies them to any frame; the catalog points at
:func:`naive_pipeline` and :func:`careful_pipeline` by ``"module:function"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, RobustScaler, StandardScaler, TargetEncoder
from sklearn.utils.validation import check_is_fitted

from casestudies.diagnostics import BOOLEAN_TOKENS, TRUE_TOKENS, parse_numbers, profile_quality
from casestudies.preprocessing import as_frame

__all__ = [
    "DATE_FORMATS",
    "HIGH_CARDINALITY",
    "QualityCleaner",
    "careful_pipeline",
    "high_cardinality_columns",
    "low_cardinality_columns",
    "naive_pipeline",
    "parse_dates",
]

DATE_FORMATS: Final[tuple[str, ...]] = ("%Y-%m-%d", "%d.%m.%Y", "%b %d %Y", "%d/%m/%Y", "%m/%d/%Y")
"""Date formats tried in order (day first for dotted dates, as European systems write them)."""
HIGH_CARDINALITY: Final[int] = 50
"""Text columns with more levels than this are target-encoded (cross-fitted), the others one-hot encoded."""
_MIN_FREQUENCY: Final[int] = 20
"""Levels rarer than this share one one-hot column (and so do unseen ones)."""
_SECONDS_PER_DAY: Final[float] = 86_400.0
_TARGET_FOLDS: Final[int] = 5
"""Folds of the target encoder's cross-fitting: each row's encoding comes from the other folds' labels."""


def parse_dates(series: pd.Series) -> pd.Series:
    """Dates written as text in several formats (:data:`DATE_FORMATS`), as timestamps; unreadable ones blank.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_dates(pd.Series(["2023-01-05", "05.01.2023", "Jan 05 2023"])).dt.strftime("%Y-%m-%d").tolist()
    ['2023-01-05', '2023-01-05', '2023-01-05']
    """
    if series.dtype.kind == "M":
        return series
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[s]")
    for pattern in DATE_FORMATS:
        todo = parsed.isna() & series.notna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(series[todo], format=pattern, errors="coerce")
    return parsed


class QualityCleaner(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Fix what :func:`~casestudies.diagnostics.profile_quality` finds in the training rows, in any frame.

    Learned in :meth:`fit`: useless columns (dropped), numbers, dates and
    booleans typed as text (parsed), sentinels (blanked), category variants
    (mapped to the canonical level), unit mix-ups (converted) and entry
    errors (moved back by a factor of ten, judged against the training
    quartiles). Genuine heavy tails are left alone, and blanks stay blank
    (impute in the model, with an indicator). Rows are never dropped: a
    transformer keeps its rows (drop duplicated rows yourself before fitting).

    Parameters
    ----------
    drop : sequence of str, default=()
        Columns always dropped (ids).
    as_numbers : bool, default=False
        Return dates as days since 1970 and booleans as 0/1 (for models) instead of timestamps and booleans.

    Attributes
    ----------
    report_ : QualityReport
        The profile of the training rows.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("messy-v1", seed=0, n_train=3000, n_test=1000)
    >>> cleaned = QualityCleaner().fit(case.X_train).transform(case.X_train)
    >>> cleaned["state"].value_counts().size, str(cleaned["has_cosigner"].dtype)
    (10, 'boolean')
    """

    def __init__(self, drop: Sequence[str] = (), as_numbers: bool = False) -> None:
        self.drop = drop
        self.as_numbers = as_numbers

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []
        return tags

    def fit(self, X: pd.DataFrame, y: object = None) -> QualityCleaner:
        """Profile the training rows and remember the fixes."""
        frame = as_frame(X, "QualityCleaner.fit")
        self.n_features_in_ = frame.shape[1]
        self.report_ = profile_quality(frame.drop(columns=[c for c in self.drop if c in frame.columns]))
        evidence = {finding.id: finding.evidence for finding in self.report_.findings}
        self.useless_ = list(evidence["useless_columns"]["reasons"])  # type: ignore[call-overload]
        self.types_ = dict(evidence["text_types"]["faults"])  # type: ignore[call-overload]
        self.sentinels_ = dict(evidence["sentinel_values"]["sentinels"])  # type: ignore[call-overload]
        self.variants_ = dict(evidence["category_variants"]["canonical"])  # type: ignore[call-overload]
        self.units_ = dict(evidence["unit_mixtures"]["mixtures"])  # type: ignore[call-overload]
        self.fences_ = self._fences(evidence["outliers"])
        return self

    @staticmethod
    def _fences(evidence: object) -> dict[str, dict[str, float]]:
        """Per column with entry errors: the log10 boundaries past which a value is moved back by a factor of ten."""
        fences: dict[str, dict[str, float]] = {}
        faults = evidence.get("faults", {}) if isinstance(evidence, dict) else {}
        sides = evidence.get("sides", {}) if isinstance(evidence, dict) else {}
        for column in faults.get("entry_errors", []):
            judged = sides[column]
            upper, lower = judged["upper"], judged["lower"]
            fences[column] = {
                "upper": float(upper["boundary"]) if upper["judgement"] == "entry_error" else np.inf,
                "lower": float(lower["boundary"]) if lower["judgement"] == "entry_error" else -np.inf,
            }
        return fences

    def _numbers(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        values = frame[column]
        if column in self.types_.get("text_numbers", []):
            values = parse_numbers(values)
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan).copy()
        numbers[np.isin(numbers, self.sentinels_.get(column, []))] = np.nan
        for level, factor in self.units_.get(column, {}).get("groups", {}).items():
            rows = (frame[self.units_[column]["grouping"]] == level).to_numpy()
            numbers[rows] /= factor
        return numbers

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The frame with every learned fix applied (same rows)."""
        check_is_fitted(self, "report_")
        frame = as_frame(X, "QualityCleaner.transform")
        out = frame.drop(columns=[c for c in [*self.drop, *self.useless_] if c in frame.columns])
        for column in out.columns:
            out[column] = self._clean_column(frame, str(column))
        return out

    def _clean_column(self, frame: pd.DataFrame, column: str) -> pd.Series:
        series = frame[column]
        if column in self.types_.get("text_booleans", []):
            folded = series.astype(str).str.strip().str.casefold()
            known = folded.isin(list(BOOLEAN_TOKENS)) & series.notna()
            result: pd.Series = folded.isin(list(TRUE_TOKENS)).astype("boolean").where(known, pd.NA)
            return result.astype(np.float64) if self.as_numbers else result
        if column in self.types_.get("text_dates", []) or series.dtype.kind == "M":
            dates = parse_dates(series)
            if self.as_numbers:
                return dates.astype("int64").where(dates.notna()).astype(np.float64) / _SECONDS_PER_DAY
            return dates
        numeric = series.dtype.kind in "iuf" or column in self.types_.get("text_numbers", [])
        if numeric:
            values = self._numbers(frame, column)
            if column in self.fences_:
                fence = self.fences_[column]
                with np.errstate(divide="ignore", invalid="ignore"):
                    logs = np.log10(values)
                values = np.where(
                    logs > fence["upper"], values / 10.0, np.where(logs < fence["lower"], values * 10.0, values)
                )
            return pd.Series(values, index=series.index, name=column)
        texts = series.astype(object)
        codes = set(self.sentinels_.get(column, []))
        texts = texts.where(~texts.isin(list(codes)), np.nan)
        return texts.replace(self.variants_.get(column, {}))


def high_cardinality_columns(X: pd.DataFrame) -> list[str]:
    """Text columns with more than :data:`HIGH_CARDINALITY` levels (employers, zip codes).

    Examples
    --------
    >>> import pandas as pd
    >>> high_cardinality_columns(pd.DataFrame({"a": [str(i) for i in range(60)], "b": ["x"] * 60}))
    ['a']
    """
    return [str(c) for c in X.columns if X[c].dtype.kind in "OT" and X[c].nunique() > HIGH_CARDINALITY]


def low_cardinality_columns(X: pd.DataFrame) -> list[str]:
    """Text and boolean columns with at most :data:`HIGH_CARDINALITY` levels.

    Examples
    --------
    >>> import pandas as pd
    >>> low_cardinality_columns(pd.DataFrame({"a": [str(i) for i in range(60)], "b": ["x"] * 60}))
    ['b']
    """
    kinds = [c for c in X.columns if X[c].dtype.kind in "OTb" or str(X[c].dtype) in ("str", "string", "boolean")]
    return [str(c) for c in kinds if X[c].nunique() <= HIGH_CARDINALITY]


def naive_pipeline() -> Pipeline:
    """The columns pandas reads as numbers, mean-imputed and scaled, into a logistic regression (a rushed first go).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted: a ColumnTransformer keeping the numeric columns (``SimpleImputer()`` + ``StandardScaler()``,
        the rest dropped) + ``LogisticRegression``.
    """
    encode = ColumnTransformer(
        [("numbers", make_pipeline(SimpleImputer(), StandardScaler()), make_column_selector(dtype_include="number"))]
    )
    return Pipeline([("encode", encode), ("model", LogisticRegression(max_iter=2000))])


def careful_pipeline() -> Pipeline:
    """Clean what the profile finds, impute with indicators, one-hot rare-aware, cross-fitted target encoding, \
gradient boosting.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted: ``QualityCleaner(drop=["application_id"], as_numbers=True)``; median
        ``SimpleImputer(add_indicator=True)`` + ``RobustScaler`` for numbers; ``OneHotEncoder(min_frequency=20,
        handle_unknown="infrequent_if_exist")`` for categories; ``TargetEncoder`` (cross-fitted) for the
        high-cardinality ones; ``HistGradientBoostingClassifier``.
    """
    encode = ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="median", add_indicator=True), RobustScaler()),
                make_column_selector(dtype_include="number"),
            ),
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(
                        min_frequency=_MIN_FREQUENCY, handle_unknown="infrequent_if_exist", sparse_output=False
                    ),
                ),
                low_cardinality_columns,
            ),
            (
                "employers",
                TargetEncoder(target_type="binary", cv=StratifiedKFold(_TARGET_FOLDS, shuffle=True, random_state=0)),
                high_cardinality_columns,
            ),
        ]
    )
    return Pipeline(
        [
            ("clean", QualityCleaner(drop=["application_id"], as_numbers=True)),
            ("encode", encode),
            ("model", HistGradientBoostingClassifier(random_state=0)),
        ]
    )
