"""Turn whatever the user hands in into predictions, timing the work."""

from __future__ import annotations

import copy
import importlib
import os
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, cast, runtime_checkable

import numpy as np
import pandas as pd

from casestudies.exceptions import InvalidParameterError, PipelineError

# Traceback frames from these places are ours (the whole package: the CLI calls user factories too)
# or Python's, not the user's.
_HIDDEN_PREFIXES: Final[tuple[str, ...]] = (
    *{
        str(folder) + os.sep
        for folder in (
            Path(__file__).parent.parent,
            Path(__file__).resolve().parent.parent,
            Path(importlib.__file__).resolve().parent,
        )
    },
    "<frozen importlib",
)

_CONVERSION_FRAMES: Final[frozenset[str]] = frozenset(
    {"check_array", "validate_data", "_asarray_with_order", "__array__"}
)
"""Functions where scikit-learn turns a frame into a float matrix: a failure there is a column of the wrong kind."""

_CONVERSION_WORDS: Final[tuple[str, ...]] = ("could not convert", "float() argument", "dtype", "timestamp", "categor")
"""Words of the errors estimators outside scikit-learn (LightGBM, XGBoost) raise on a column they cannot use."""

_NAMED_COLUMNS: Final[int] = 8
"""Non-numeric columns named in the message; more are counted, not listed (overfit-v1 has hundreds)."""

_SQUASH_RANGE: Final[float] = 10.0
"""Decision values up to this size go through the logistic as they are; larger ones are scaled down (see squash)."""


@runtime_checkable
class Estimator(Protocol):
    """Anything with scikit-learn's ``fit`` and ``predict``."""

    def fit(self, X: pd.DataFrame, y: pd.Series) -> object: ...

    def predict(self, X: pd.DataFrame) -> object: ...


PipelineFunction = Callable[[pd.DataFrame, pd.Series, pd.DataFrame], object]


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """Predictions of one pipeline run and what it cost."""

    name: str
    predictions: object
    fit_seconds: float | None
    predict_seconds: float | None
    output: str  # predict_proba | decision_function | predict | recommend | callable | predictions
    extra: Mapping[str, object] | None = None  # task-specific by-products (e.g. predictions on unseen pairs)


def describe(pipeline: object) -> str:
    """Short human name of a pipeline object."""
    if isinstance(pipeline, (str, os.PathLike)):
        return f"file {Path(pipeline).name}"
    if isinstance(pipeline, (np.ndarray, pd.Series, pd.DataFrame, list, tuple)):
        return "precomputed predictions"
    steps = getattr(pipeline, "steps", None)
    if isinstance(steps, list) and steps:
        return " → ".join(type(step).__name__ for _, step in steps)
    if callable(pipeline) and not hasattr(pipeline, "fit"):
        return getattr(pipeline, "__qualname__", type(pipeline).__name__)
    return type(pipeline).__name__


def _user_traceback(err: BaseException) -> str:
    frames = [
        frame for frame in traceback.extract_tb(err.__traceback__) if not frame.filename.startswith(_HIDDEN_PREFIXES)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(err), err)
    return "".join(lines)


def squash(decision: np.ndarray) -> np.ndarray:
    """Map decision-function values into (0, 1) without changing their order.

    The logistic function alone rounds every value above about 37 to exactly
    1.0 in float64, turning distinct scores into ties; values are therefore
    first divided by ``max(1, max|d| / 10)``, which keeps the usual range
    unchanged and only shrinks large ones.

    Examples
    --------
    >>> import numpy as np
    >>> np.unique(squash(np.array([40.0, 50.0, 60.0]))).size
    3
    """
    finite = np.abs(decision[np.isfinite(decision)])
    scale = max(1.0, float(finite.max()) / _SQUASH_RANGE) if finite.size else 1.0
    from scipy.special import expit  # imported when needed: keeps `import casestudies` light

    squashed: np.ndarray = expit(decision / scale)
    return squashed


def user_error(name: str, stage: str, err: BaseException) -> PipelineError:
    """A :class:`PipelineError` for an exception raised by the user's own code."""
    return _fail(name, stage, err)


def non_numeric_columns(X: pd.DataFrame) -> list[str]:
    """Columns of ``X`` that an estimator expecting numbers cannot take (dates, categories, text).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [1.0], "flag": [True], "day": pd.to_datetime(["2024-01-01"]), "kind": ["a"]})
    >>> non_numeric_columns(frame)
    ['day', 'kind']
    """
    return [
        str(column)
        for column, dtype in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]


def _column_kind_failure(err: BaseException, X: pd.DataFrame) -> list[str]:
    """The non-numeric columns of ``X`` when ``err`` is an estimator failing to turn them into numbers, else []."""
    columns = non_numeric_columns(X)
    if not columns or not isinstance(err, (TypeError, ValueError)):
        return []
    functions = {frame.name for frame in traceback.extract_tb(err.__traceback__)}
    text = str(err).lower()
    if functions & _CONVERSION_FRAMES or any(word in text for word in _CONVERSION_WORDS):
        return columns
    return []


def _fail_on_columns(name: str, stage: str, err: BaseException, columns: list[str], X: pd.DataFrame) -> PipelineError:
    user_tb = _user_traceback(err)
    named = ", ".join(f"{column} ({X[column].dtype})" for column in columns[:_NAMED_COLUMNS])
    more = f" and {len(columns) - _NAMED_COLUMNS} more" if len(columns) > _NAMED_COLUMNS else ""
    message = (
        f"your pipeline {name} raised {type(err).__name__} during {stage}: {err}\n"
        f"{name} takes numbers only, but the data has {len(columns)} non-numeric column(s): {named}{more}. "
        "Encode them first: put casestudies.preprocessing.TabularEncoder() in front "
        f"(sklearn.pipeline.make_pipeline(TabularEncoder(), {name.split(' → ')[-1]}(...))), which one-hot encodes "
        "categories and text and turns dates into numbers, or use a sklearn.compose.ColumnTransformer that does "
        f"the same; or drop those columns.\n{user_tb}"
    ).rstrip()
    return PipelineError(message, stage=stage, user_traceback=user_tb)


def _fail_fitting(name: str, stage: str, err: BaseException, X: pd.DataFrame) -> PipelineError:
    columns = _column_kind_failure(err, X)
    return _fail_on_columns(name, stage, err, columns, X) if columns else _fail(name, stage, err)


def _fail(name: str, stage: str, err: BaseException) -> PipelineError:
    user_tb = _user_traceback(err)
    message = f"your pipeline {name} raised {type(err).__name__} during {stage}: {err}\n{user_tb}".rstrip()
    return PipelineError(message, stage=stage, user_traceback=user_tb)


def positive_scores(model: object, X_test: pd.DataFrame, name: str) -> tuple[object, str]:
    """Scores of the positive class from a fitted model, and the method that gave them.

    ``predict_proba`` (its column for class 1) when present, else
    ``decision_function`` through :func:`squash`, else ``predict``.
    """
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X_test))
        classes = list(getattr(model, "classes_", [0, 1]))
        column = classes.index(1) if 1 in classes else proba.shape[1] - 1
        return proba[:, column] if proba.ndim == 2 else proba, "predict_proba"
    if hasattr(model, "decision_function"):
        return squash(np.asarray(model.decision_function(X_test), dtype=np.float64)), "decision_function"
    # The last resort: a model without predict raises AttributeError, which the caller reports as the user's error.
    return cast(Estimator, model).predict(X_test), "predict"


def run_pipeline(pipeline: object, X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> PipelineRun:
    """Fit ``pipeline`` on the training data and predict the test rows.

    Estimators are cloned (the user's object is never fitted or changed);
    ``predict_proba`` is used when present, else ``decision_function`` mapped
    into (0, 1) by :func:`squash` (ranks unchanged), else ``predict``. A
    callable gets ``(X_train, y_train, X_test)``. Anything else is taken as
    predictions. Errors raised by the user's code become
    :class:`~casestudies.exceptions.PipelineError` with the user's traceback;
    a class instead of an instance raises
    :class:`~casestudies.exceptions.InvalidParameterError`.
    """
    name = describe(pipeline)
    if isinstance(pipeline, type):
        kind = "an estimator class" if hasattr(pipeline, "fit") else "a class"
        message = (
            f"pipeline must be an estimator instance, a function f(X_train, y_train, X_test) or predictions; "
            f"got {kind}, {pipeline.__name__}. Pass an instance: {pipeline.__name__}()."
        )
        raise InvalidParameterError(message)
    if isinstance(pipeline, Estimator) or hasattr(pipeline, "fit"):
        from sklearn.base import clone  # imported when needed: keeps `import casestudies` light

        try:
            model = clone(pipeline)
        except (TypeError, RuntimeError):
            model = copy.deepcopy(pipeline)
        started = time.perf_counter()
        try:
            model.fit(X_train, y_train)
        except Exception as err:
            raise _fail_fitting(name, "fit", err, X_train) from err
        fitted = time.perf_counter()
        try:
            scores, output = positive_scores(model, X_test, name)
        except Exception as err:
            raise _fail_fitting(name, "predict", err, X_test) from err
        return PipelineRun(name, scores, fitted - started, time.perf_counter() - fitted, output)
    if callable(pipeline):
        started = time.perf_counter()
        try:
            scores = pipeline(X_train, y_train, X_test)
        except Exception as err:
            raise _fail(name, "the call", err) from err
        return PipelineRun(name, scores, time.perf_counter() - started, None, "callable")
    return PipelineRun(name, pipeline, None, None, "predictions")
