"""Reference pipelines of the ``overfit-*`` scenarios, from a rushed first attempt to a careful analyst.

The scenario catalog points at the three factories by ``"module:function"``
strings; each report row's description is the first line of the factory's
docstring. :class:`ColumnScreen` and :class:`SelectedLogistic` are the
expert's own steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from casestudies.diagnostics import identifier_check, leakage_scan
from casestudies.exceptions import InvalidParameterError
from casestudies.preprocessing import TabularEncoder, as_frame, require_rows_and_columns

__all__ = ["ColumnScreen", "SelectedLogistic", "expert_pipeline", "naive_pipeline", "regularised_pipeline"]

_MAX_FOLDS: Final[int] = 3
"""Folds of the cross-validation that picks ``C`` (fewer when the rarest class has fewer rows)."""

_MIN_FOLDS: Final[int] = 2
"""Below this many folds there is no cross-validation: every ``C`` scores the same and the first wins."""

_PROBABILITY_FLOOR: Final[float] = 1e-9
"""Validation probabilities are clipped to at least this, so one confident miss costs a finite log-loss."""


class ColumnScreen(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Drop columns a careful analyst would not feed a model: identifiers, single-column leaks, dates.

    In :meth:`fit` it runs :func:`casestudies.diagnostics.identifier_check`
    and :func:`casestudies.diagnostics.leakage_scan` on the training rows and
    remembers the flagged columns; :meth:`transform` drops them (and every
    date column when ``drop_dates``) from any frame.

    Parameters
    ----------
    drop : sequence of str, default=("customer_id",)
        Columns always dropped (the row id).
    drop_dates : bool, default=True
        Drop date columns: month effects of the past do not carry to new months.
    leak_threshold : float, default=0.85
        Single-feature ROC-AUC at which a column is treated as a leak.

    Attributes
    ----------
    dropped_ : list of str
        Every column removed, for inspection.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-leaky-v1", seed=0, n_train=500, n_test=300)
    >>> screen = ColumnScreen().fit(case.X_train, case.y_train)
    >>> leaks = case.reveal("world")["faults"]["target_leakage"]["columns"]
    >>> screen.dropped_ == ["customer_id", "snapshot_date", *leaks]
    True
    """

    def __init__(
        self, drop: Sequence[str] = ("customer_id",), drop_dates: bool = True, leak_threshold: float = 0.85
    ) -> None:
        self.drop = drop
        self.drop_dates = drop_dates
        self.leak_threshold = leak_threshold

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []  # returns a DataFrame of the kept columns
        return tags

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> ColumnScreen:
        """Find the columns to drop."""
        X = as_frame(X, "ColumnScreen.fit")
        require_rows_and_columns(X, "ColumnScreen.fit")
        self.n_features_in_ = X.shape[1]
        base = [c for c in self.drop if c in X.columns]
        if self.drop_dates:
            base += [c for c in X.columns if X[c].dtype.kind == "M" and c not in base]
        ids = list(identifier_check(X, X, exclude=base).evidence["columns"])  # type: ignore[call-overload]
        leaks: list[str] = []
        if y is not None and len(np.unique(np.asarray(y))) == 2:
            labels = pd.Series(np.asarray(y))
            scan = leakage_scan(X, labels, exclude=[*base, *ids], threshold=self.leak_threshold)
            leaks = list(scan.evidence["columns"])  # type: ignore[call-overload]
        self.dropped_ = [*base, *ids, *leaks]
        return self

    def transform(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """``X`` without the dropped columns."""
        check_is_fitted(self, "dropped_")
        frame = as_frame(X, "ColumnScreen.transform")
        if not isinstance(X, pd.DataFrame) and frame.shape[1] != self.n_features_in_:
            message = (
                f"ColumnScreen.transform: X has {frame.shape[1]} features, but ColumnScreen is expecting "
                f"{self.n_features_in_} features as input; pass the training columns."
            )
            raise InvalidParameterError(message)
        kept: pd.DataFrame = frame.drop(columns=[c for c in self.dropped_ if c in frame.columns])
        return kept


class SelectedLogistic(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """L1 logistic regression whose strength ``C`` is picked by 3-fold log-loss from a short grid.

    Parameters
    ----------
    Cs : sequence of float, default=(0.02, 0.05, 0.2, 1.0)
    random_state : int, default=0
    """

    def __init__(self, Cs: Sequence[float] = (0.02, 0.05, 0.2, 1.0), random_state: int = 0) -> None:
        self.Cs = Cs
        self.random_state = random_state

    def _model(self, c: float, n_classes: int) -> LogisticRegression:
        solver = "liblinear" if n_classes == 2 else "saga"
        return LogisticRegression(C=c, l1_ratio=1.0, solver=solver, max_iter=1000, random_state=self.random_state)

    def fit(self, X: np.ndarray, y: object) -> SelectedLogistic:
        """Pick ``C`` by cross-validated log-loss, then refit on all rows."""
        X, y_values = validate_data(self, X, y)
        check_classification_targets(y_values)
        self.classes_, codes = np.unique(y_values, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise InvalidParameterError(
                f"SelectedLogistic.fit: y needs at least 2 classes; got {n_classes} class ({self.classes_.tolist()})."
            )
        n_folds = int(min(_MAX_FOLDS, np.bincount(codes).min()))
        losses = [self._cross_validated_loss(X, codes, c, n_classes, n_folds) for c in self.Cs]
        self.C_ = float(self.Cs[int(np.argmin(losses))])
        self.model_ = self._model(self.C_, n_classes).fit(X, codes)
        return self

    def _cross_validated_loss(self, X: np.ndarray, codes: np.ndarray, c: float, n_classes: int, n_folds: int) -> float:
        """Summed validation log-loss of strength ``c`` over ``n_folds`` stratified folds (0 without folds)."""
        loss = 0.0
        if n_folds < _MIN_FOLDS:
            return loss
        folds = StratifiedKFold(n_folds, shuffle=True, random_state=self.random_state)
        for train_rows, valid_rows in folds.split(X, codes):
            model = self._model(c, n_classes).fit(X[train_rows], codes[train_rows])
            p = np.clip(model.predict_proba(X[valid_rows]), _PROBABILITY_FLOOR, 1.0)
            columns = np.searchsorted(model.classes_, codes[valid_rows])
            loss -= float(np.sum(np.log(p[np.arange(len(valid_rows)), np.minimum(columns, p.shape[1] - 1)])))
        return loss

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return np.asarray(self.model_.predict_proba(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels."""
        probabilities = self.predict_proba(X)
        labels: np.ndarray = self.classes_[np.argmax(probabilities, axis=1)]
        return labels


def naive_pipeline() -> Pipeline:
    """Every column one-hot or scaled into an unregularised logistic regression (what a rushed first attempt does).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TabularEncoder()`` + ``LogisticRegression(C=1e4)``.
    """
    return Pipeline([("encode", TabularEncoder()), ("model", LogisticRegression(C=1e4, max_iter=5000))])


def regularised_pipeline() -> Pipeline:
    """Every column into an L1-regularised logistic regression (C = 0.05): regularisation, no data checks.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TabularEncoder()`` + L1 ``LogisticRegression(C=0.05)``.
    """
    return Pipeline(
        [
            ("encode", TabularEncoder()),
            ("model", LogisticRegression(C=0.05, l1_ratio=1.0, solver="liblinear", max_iter=1000)),
        ]
    )


def expert_pipeline() -> Pipeline:
    """Screen out identifiers, leaks and dates, add logs of counts and amounts, \
then an L1 logistic regression with its strength picked by CV.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``ColumnScreen()`` + ``TabularEncoder(max_categories=50, add_log=True)`` + ``SelectedLogistic()``.
    """
    return Pipeline(
        [
            ("screen", ColumnScreen()),
            ("encode", TabularEncoder(max_categories=50, add_log=True)),
            ("model", SelectedLogistic()),
        ]
    )
