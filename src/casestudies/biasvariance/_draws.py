"""Fitting pipelines on fresh training draws, in parallel, with progress.

One task per training draw: the worker draws the training set itself (so
data generation runs in parallel too), fits a clone of every pipeline it is
given on it and predicts the evaluation rows. Several pipelines per task
(the settings of a complexity sweep) share one draw: common random numbers,
so a curve's points differ by the setting, not by the luck of the draws.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from casestudies.core import Progress, RedrawFunction
from casestudies.exceptions import InvalidParameterError
from casestudies.scoring import describe, user_error

__all__ = ["DrawTask", "fit_predict", "run_draws"]

Output = Literal["probability", "value"]
"""What a pipeline must predict: the probability of class 1 (binary tasks) or the value itself (regression)."""


def _as_vector(values: object, n_rows: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.shape != (n_rows,):
        message = (
            f"the bias-variance lab expects one prediction per evaluation row ({n_rows}) from {name}; got an array of "
            f"shape {array.shape}. Return one number per row of X_test."
        )
        raise InvalidParameterError(message)
    if not np.isfinite(array).all():
        message = (
            f"the bias-variance lab expects finite predictions from {name}; got {int((~np.isfinite(array)).sum())} "
            "NaN or infinite value(s). Check the pipeline's imputation and its output."
        )
        raise InvalidParameterError(message)
    return array


def fit_predict(pipeline: object, X: pd.DataFrame, y: pd.Series, X_eval: pd.DataFrame, output: Output) -> np.ndarray:
    """Fit a clone of ``pipeline`` on ``(X, y)`` and predict ``X_eval`` (the probability of class 1 if asked).

    A callable ``f(X_train, y_train, X_test)`` is called instead. Errors of
    the user's code become :class:`~casestudies.exceptions.PipelineError`.

    Examples
    --------
    >>> from sklearn.dummy import DummyRegressor
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
    >>> fit_predict(DummyRegressor(), X, pd.Series([1.0, 2.0, 6.0]), X, "value")
    array([3., 3., 3.])
    """
    name = describe(pipeline)
    if hasattr(pipeline, "fit"):
        from sklearn.base import clone  # keeps `import casestudies` light

        try:
            model = clone(pipeline)
        except (TypeError, RuntimeError):
            model = copy.deepcopy(pipeline)
        try:
            model.fit(X, y)
        except Exception as err:
            raise user_error(name, "fit", err) from err
        try:
            if output == "probability" and hasattr(model, "predict_proba"):
                proba = np.asarray(model.predict_proba(X_eval))
                classes = list(getattr(model, "classes_", [0, 1]))
                values: object = proba[:, classes.index(1)] if 1 in classes else np.zeros(len(X_eval))
            else:
                values = model.predict(X_eval)
        except Exception as err:
            raise user_error(name, "predict", err) from err
        return _as_vector(values, len(X_eval), name)
    if callable(pipeline):
        function = pipeline
        try:
            values = function(X, y, X_eval)
        except Exception as err:
            raise user_error(name, "the call", err) from err
        return _as_vector(values, len(X_eval), name)
    message = (
        f"the bias-variance lab needs a pipeline to fit on every draw: an estimator with fit and predict (or "
        f"predict_proba) or a function f(X_train, y_train, X_test); got {type(pipeline).__name__}. Predictions "
        "alone cannot be refitted on new training sets."
    )
    raise InvalidParameterError(message)


@dataclass(frozen=True, slots=True)
class DrawTask:
    """Everything a worker needs for one training draw (picklable: joblib ships it to the worker)."""

    redraw: RedrawFunction
    params: Mapping[str, object]
    seed: int
    draw: int
    n_rows: int | None
    target: str
    pipelines: Sequence[object]
    X_eval: pd.DataFrame
    output: Output
    key: int  # the task's place in the caller's list


def _run(task: DrawTask) -> tuple[int, np.ndarray, int]:
    """Draw the training set, fit and predict every pipeline: (key, predictions k x n, training rows)."""
    frame = task.redraw(dict(task.params), task.seed, task.draw, task.n_rows)
    X, y = frame.drop(columns=[task.target]), frame[task.target]
    predictions = np.stack([fit_predict(p, X, y, task.X_eval, task.output) for p in task.pipelines])
    return task.key, predictions, len(frame)


def _results(tasks: Sequence[DrawTask], n_jobs: int) -> Iterator[tuple[int, np.ndarray, int]]:
    if n_jobs == 1:
        yield from map(_run, tasks)
        return
    from joblib import Parallel, delayed  # keeps `import casestudies` light

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from parallel(delayed(_run)(task) for task in tasks)


def run_draws(
    tasks: Sequence[DrawTask], *, n_jobs: int, progress: bool | None, title: str
) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """Run every task (in parallel when ``n_jobs != 1``) with a progress bar; predictions and sizes by task key.

    Raises
    ------
    PipelineError
        The first error the user's pipeline raised, with its traceback.
    """
    predictions: dict[int, np.ndarray] = {}
    sizes: dict[int, int] = {}
    with Progress(title, total=len(tasks), enabled=progress, unit="draw") as bar:
        for key, values, n_rows in _results(tasks, n_jobs):
            predictions[key], sizes[key] = values, n_rows
            bar.advance()
    return predictions, sizes
