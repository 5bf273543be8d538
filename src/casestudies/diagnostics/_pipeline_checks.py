"""Diagnostics that refit the user's pipeline: the fit gap, the learning curve and the validation curve.

Each one clones the pipeline for every fit (the user's object is never
changed) and scores it by ROC-AUC on the rows it was fitted on and on
held-out rows of the training data, as the core loop would.

Examples
--------
The naive churn pipeline on 250 rows and 100 noise columns fits its
training rows perfectly and does far worse on held-out ones:

>>> import casestudies as cs
>>> from threadpoolctl import threadpool_limits
>>> from casestudies.diagnostics import fit_gap, learning_curve
>>> from casestudies.scenarios.overfit import naive_pipeline
>>> case = cs.make("overfit-v1", seed=0, n_noise_features=100)
>>> with threadpool_limits(limits=1):  # small fits: one BLAS thread each, as casestudies.diagnose does
...     gap = fit_gap(naive_pipeline(), case.X_train, case.y_train, n_splits=3)
...     curve = learning_curve(naive_pipeline(), case.X_train, case.y_train, sizes=(0.3, 1.0), n_splits=2)
>>> gap.evidence["train"], gap.evidence["train_minus_cv"] >= 0.1
(1.0, True)
>>> curve.evidence["verdict"]
'variance'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from casestudies.diagnostics._common import _auc, _finding, _folds, _r, _skipped
from casestudies.diagnostics._figures import fit_gap_figure, learning_figure, validation_figure
from casestudies.report import Finding
from casestudies.scoring import positive_scores, run_pipeline

TRAIN_GAP: Final[float] = 0.1
"""Train - validation ROC-AUC from which the model fits patterns (or noise) that do not recur in new rows."""
HOLDOUT_GAP: Final[float] = 0.05
"""|Validation - holdout| ROC-AUC from which validation does not represent the holdout."""

# Smallest training subset a learning curve fits on.
_MIN_CURVE_ROWS: Final[int] = 10
# Rows of each class a learning-curve subset keeps (when it can), so that its ROC-AUC is defined.
_MIN_ROWS_PER_CLASS: Final[int] = 2
# Gain in validation ROC-AUC over the last step of the learning curve that counts as still rising.
_STILL_RISING: Final[float] = 0.005
# Validation ROC-AUC under which a model whose curves are close is too simple (or the signal weak): bias.
_LOW_VALIDATION_AUC: Final[float] = 0.7
# Train - validation ROC-AUC under which the two learning curves are close.
_CLOSE_GAP: Final[float] = 0.05
# Validation ROC-AUC within which the current value of a parameter is as good as the best one.
_NEAR_BEST: Final[float] = 0.01

# Complexity parameters: name -> True when a larger value means a more flexible model.
_COMPLEXITY: Final[dict[str, bool]] = {
    "C": True,
    "max_depth": True,
    "num_leaves": True,
    "max_leaf_nodes": True,
    "n_neighbors": False,
    "min_samples_leaf": False,
    "min_child_samples": False,
    "alpha": False,
    "reg_lambda": False,
    "l2_regularization": False,
}
# Complexity parameters for which None is a value (no limit) rather than unset.
_NONE_MEANS_UNLIMITED: Final[tuple[str, ...]] = ("max_depth", "max_leaf_nodes")
# Default sweep of each complexity parameter: five values over the range that matters in practice.
_GRIDS: Final[Mapping[str, tuple[object, ...]]] = {
    "C": (0.003, 0.03, 0.3, 3.0, 30.0),
    "alpha": (0.0001, 0.01, 0.1, 1.0, 10.0),
    "reg_lambda": (0.0001, 0.01, 0.1, 1.0, 10.0),
    "l2_regularization": (0.0001, 0.01, 0.1, 1.0, 10.0),
    "max_depth": (1, 2, 4, 8, None),
    "num_leaves": (2, 4, 8, 31, 128),
    "max_leaf_nodes": (2, 4, 8, 31, 128),
    "min_samples_leaf": (1, 5, 20, 50, 100),
    "min_child_samples": (1, 5, 20, 50, 100),
    "n_neighbors": (1, 5, 15, 50, 150),
}

_Folds = list[tuple[NDArray[np.intp], NDArray[np.intp]]]


def _pipeline_scores(
    pipeline: object, X_fit: pd.DataFrame, y_fit: pd.Series, X_eval: Sequence[pd.DataFrame]
) -> list[NDArray[np.float64]]:
    """Fit ``pipeline`` (cloned) on one frame and score several, as the core loop does."""
    if hasattr(pipeline, "fit"):
        from sklearn.base import clone

        model = clone(pipeline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_fit, y_fit)
        return [np.asarray(positive_scores(model, frame, "")[0], dtype=np.float64) for frame in X_eval]
    return [np.asarray(run_pipeline(pipeline, X_fit, y_fit, frame).predictions, dtype=np.float64) for frame in X_eval]


def _is_pipeline(pipeline: object) -> bool:
    """Whether ``pipeline`` can be fitted (an estimator or a function), as opposed to predictions."""
    return pipeline is not None and (
        hasattr(pipeline, "fit") or (callable(pipeline) and not isinstance(pipeline, type))
    )


def _fold_scores(pipeline: object, X: pd.DataFrame, y: pd.Series, splits: _Folds) -> tuple[list[float], list[float]]:
    """ROC-AUC of ``pipeline`` per fold on the rows it was fitted on and on the rows held out."""
    y_values = np.asarray(y, dtype=np.int64)
    train_scores, valid_scores = [], []
    for train_rows, valid_rows in splits:
        fit_X, valid_X = X.iloc[train_rows], X.iloc[valid_rows]
        on_train, on_valid = _pipeline_scores(pipeline, fit_X, y.iloc[train_rows], [fit_X, valid_X])
        train_scores.append(_auc(y_values[train_rows], on_train))
        valid_scores.append(_auc(y_values[valid_rows], on_valid))
    return train_scores, valid_scores


def fit_gap(
    pipeline: object,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    holdout_score: float | None = None,
    n_splits: int = 5,
    seed: int = 0,
) -> Finding:
    """Train vs cross-validation vs holdout ROC-AUC of one pipeline: where does the score drop?

    The pipeline is fitted on each of ``n_splits`` stratified folds; the
    finding reports its mean ROC-AUC on the rows it was fitted on (train),
    on the rows held out (cross-validation) and the holdout score passed in.

    * train - CV >= 0.1: the model fits noise it cannot reproduce on new rows
      of the same data (variance: too flexible for the data, label noise,
      memorised identifiers);
    * CV - holdout >= 0.05: the validation does not represent the holdout
      (leakage, a shifted holdout, a time split, duplicates within train).

    Parameters
    ----------
    pipeline : estimator or callable
        What ``Case.evaluate`` accepts (not precomputed predictions).
    X, y : pandas.DataFrame, pandas.Series
        Training features and labels.
    holdout_score : float, optional
        ROC-AUC of the same pipeline on the holdout.
    n_splits : int, default=5
    seed : int, default=0

    Returns
    -------
    Finding
        ``fit_gap`` with ``train``, ``cv``, ``holdout``, the per-fold scores
        and both gaps.
    """
    splits = _folds(np.asarray(y, dtype=np.int64), n_splits, seed)
    train_scores, valid_scores = _fold_scores(pipeline, X, y, splits)
    train, cv = float(np.mean(train_scores)), float(np.mean(valid_scores))
    n_folds = len(valid_scores)
    cv_se = float(np.std(valid_scores, ddof=1) / np.sqrt(n_folds)) if n_folds > 1 else float("nan")
    gap_train = train - cv
    gap_holdout = cv - float(holdout_score) if holdout_score is not None else float("nan")
    text = (
        f"ROC-AUC {train:.3f} on the rows it was fitted on, {cv:.3f} in {n_folds}-fold cross-validation (± {cv_se:.3f})"
    )
    if holdout_score is not None:
        text += f" and {holdout_score:.3f} on the hidden holdout"
    text += ". " + _fit_gap_verdict(gap_train, gap_holdout)
    holdout = _r(holdout_score) if holdout_score is not None else None
    evidence: dict[str, object] = {
        "flagged": False,
        "fault": None,
        "columns": [],
        "train": _r(train),
        "cv": _r(cv),
        "cv_standard_error": _r(cv_se),
        "holdout": holdout,
        "train_minus_cv": _r(gap_train),
        "cv_minus_holdout": _r(gap_holdout),
        "plot": {"kind": "bar", "x": ["train", "cv", "holdout"], "y": [_r(train), _r(cv), holdout]},
        "folds": {"train": [_r(v) for v in train_scores], "cv": [_r(v) for v in valid_scores]},
    }
    figure = fit_gap_figure(
        train=train, cv=cv, holdout=holdout_score, folds={"train": train_scores, "cv": valid_scores}
    )
    return _finding("fit_gap", "Train vs validation vs holdout", text, evidence, (figure,))


def _fit_gap_verdict(gap_train: float, gap_holdout: float) -> str:
    """What the two gaps of :func:`fit_gap` say, as one capitalised sentence."""
    verdicts = []
    if gap_train >= TRAIN_GAP:
        verdicts.append(
            f"the {gap_train:.2f} drop from train to validation is overfitting: "
            "the model fits patterns (or noise) that do not recur in new rows"
        )
    if math.isfinite(gap_holdout) and gap_holdout >= HOLDOUT_GAP:
        verdicts.append(
            f"validation is {gap_holdout:.2f} above the holdout: the validation rows are easier than the holdout "
            "(leakage, a shifted holdout, time, duplicates)"
        )
    if math.isfinite(gap_holdout) and gap_holdout <= -HOLDOUT_GAP:
        verdicts.append(
            f"the holdout is {-gap_holdout:.2f} above validation: some holdout rows may be copies of training rows"
        )
    verdict = "; ".join(verdicts) + "." if verdicts else "no gap worth worrying about."
    return verdict[:1].upper() + verdict[1:]


def learning_curve(
    pipeline: object,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    sizes: Sequence[float] = (0.15, 0.3, 0.6, 1.0),
    n_splits: int = 3,
    seed: int = 0,
) -> Finding:
    """Score vs training size: would more data help (variance) or not (bias)?

    For each of ``n_splits`` folds, the pipeline is fitted on growing shares
    of the fold's training rows and scored (ROC-AUC) on those rows and on the
    fold's validation rows.

    * a large train-validation gap that narrows as rows are added, with the
      validation score still rising: **variance** - more rows, fewer
      features or stronger regularisation help;
    * both curves low and close together: **bias** - the model is too
      simple for the signal;
    * both flat and close: more of the same data will not change much.

    Returns
    -------
    Finding
        ``learning_curve`` with ``sizes`` (rows), ``train`` and ``validation``
        scores per size (the plot) and ``verdict``.
    """
    n_rows, train_folds, valid_folds = _learning_scores(pipeline, X, y, sizes=sizes, n_splits=n_splits, seed=seed)
    train, valid = [float(np.nanmean(v)) for v in train_folds], [float(np.nanmean(v)) for v in valid_folds]
    gaps = [t - v for t, v in zip(train, valid, strict=True)]
    verdict, text = _learning_verdict(n_rows, train, valid, gaps)
    train_shown, valid_shown = [_r(v) for v in train], [_r(v) for v in valid]
    evidence = {
        "flagged": verdict == "variance",
        "fault": None,
        "columns": [],
        "verdict": verdict,
        "sizes": n_rows,
        "train": train_shown,
        "validation": valid_shown,
        "gap": [_r(v) for v in gaps],
        "plot": {
            "kind": "line",
            "x": n_rows,
            "y": {"train": train_shown, "validation": valid_shown},
            "x_label": "training rows",
            "y_label": "ROC-AUC",
        },
    }
    figure = learning_figure(n_rows, train_folds, valid_folds, verdict=verdict)
    return _finding("learning_curve", "Learning curve", text, evidence, (figure,))


def _learning_scores(
    pipeline: object, X: pd.DataFrame, y: pd.Series, *, sizes: Sequence[float], n_splits: int, seed: int
) -> tuple[list[int], list[list[float]], list[list[float]]]:
    """Rows per size, and the train and validation ROC-AUC per size and fold."""
    y_values = np.asarray(y, dtype=np.int64)
    rng = np.random.default_rng(seed)
    n_rows: list[int] = []
    train_curve: list[list[float]] = [[] for _ in sizes]
    valid_curve: list[list[float]] = [[] for _ in sizes]
    for train_rows, valid_rows in _folds(y_values, n_splits, seed):
        order = rng.permutation(train_rows)
        for i, share in enumerate(sizes):
            n = max(_MIN_CURVE_ROWS, round(share * len(order)))
            subset = _stratified_head(order, y_values, n)
            fit_X = X.iloc[subset]
            on_train, on_valid = _pipeline_scores(pipeline, fit_X, y.iloc[subset], [fit_X, X.iloc[valid_rows]])
            train_curve[i].append(_auc(y_values[subset], on_train))
            valid_curve[i].append(_auc(y_values[valid_rows], on_valid))
            if len(n_rows) < len(sizes):
                n_rows.append(n)
    return n_rows, train_curve, valid_curve


def _learning_verdict(n_rows: list[int], train: list[float], valid: list[float], gaps: list[float]) -> tuple[str, str]:
    """``variance``, ``bias`` or ``converged``, and the sentence that explains it."""
    slope = valid[-1] - valid[-2] if len(valid) > 1 else 0.0
    if gaps[-1] >= TRAIN_GAP:
        trend = "is still rising" if slope > _STILL_RISING else "has flattened"
        text = (
            f"at {n_rows[-1]:,} rows the model scores {train[-1]:.3f} on its own rows and {valid[-1]:.3f} on new ones "
            f"(gap {gaps[-1]:.2f}); the gap was {gaps[0]:.2f} at {n_rows[0]:,} rows and validation {trend}: "
            "high variance. More rows, fewer features or stronger regularisation will help more than a bigger model."
        )
        return "variance", text
    if valid[-1] < _LOW_VALIDATION_AUC and gaps[-1] < _CLOSE_GAP:
        text = (
            f"train ({train[-1]:.3f}) and validation ({valid[-1]:.3f}) are both low and close: high bias "
            "(or little signal). A richer model or better features, not more rows."
        )
        return "bias", text
    text = (
        f"train {train[-1]:.3f}, validation {valid[-1]:.3f} at {n_rows[-1]:,} rows (gap {gaps[-1]:.2f}, "
        f"was {gaps[0]:.2f} at {n_rows[0]:,}); more of the same data will change little."
    )
    return "converged", text


def _stratified_head(order: NDArray[np.intp], y: NDArray[np.int64], n: int) -> NDArray[np.intp]:
    """First ``n`` rows of ``order`` keeping both classes (at least 2 of each when possible)."""
    head = order[:n]
    for label in (0, 1):
        if (y[head] == label).sum() < _MIN_ROWS_PER_CLASS:
            extra = order[n:][y[order[n:]] == label][:_MIN_ROWS_PER_CLASS]
            head = np.concatenate([head, extra])
    return head


def _complexity_parameter(pipeline: object) -> tuple[str, object] | None:
    """The first known complexity parameter of ``pipeline`` that holds a number, and its value."""
    if not hasattr(pipeline, "get_params"):
        return None
    params = pipeline.get_params(deep=True)
    for name in _COMPLEXITY:
        candidates = [key for key in params if key == name or key.endswith("__" + name)]
        for key in sorted(candidates, key=len, reverse=True):
            value = params[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return key, value
            if value is None and name in _NONE_MEANS_UNLIMITED:
                return key, value
    return None


def _grid(name: str, value: object) -> list[object]:
    """The default sweep of parameter ``name`` (its current ``value`` alone for an unknown one)."""
    return list(_GRIDS.get(name.rsplit("__", 1)[-1], (value,)))


def _grid_key(value: object) -> float:
    """Sort key of a grid value: ``None`` (no limit) after every number."""
    return float("inf") if value is None else float(value)  # type: ignore[arg-type]


def validation_curve(
    pipeline: object,
    X: pd.DataFrame,
    y: pd.Series,
    *,
    param: str | None = None,
    values: Sequence[object] | None = None,
    n_splits: int = 3,
    seed: int = 0,
) -> Finding:
    """Score vs one complexity parameter: is the pipeline on the right side of the sweet spot?

    Without ``param``, the first known complexity parameter of the pipeline
    (``C``, ``max_depth``, ``num_leaves``, ``max_leaf_nodes``, ``n_neighbors``,
    ``min_samples_leaf``, ``min_child_samples``, ``alpha``, ``reg_lambda``,
    ``l2_regularization``, in that order) is swept over a default grid around
    its current value. The finding says where the current value sits
    relative to the best validation score and by how much the train -
    validation gap changes.

    Returns
    -------
    Finding
        ``validation_curve`` with the grid, train and validation ROC-AUC per
        value, the best value and the current one. Skipped (``skipped`` in the
        evidence) for pipelines without a known complexity parameter.
    """
    if param is not None and hasattr(pipeline, "get_params"):
        found: tuple[str, object] | None = (param, pipeline.get_params()[param])
    else:
        found = _complexity_parameter(pipeline)
    if found is None:
        reason = "the pipeline has no complexity parameter I know (pass param=...)"
        return _skipped("validation_curve", "Validation curve", reason)
    name, current = found
    grid = list(values) if values is not None else _grid(name, current)
    if current not in grid:
        grid = sorted([*grid, current], key=_grid_key)
    train_folds, valid_folds = _sweep(pipeline, X, y, name=name, grid=grid, n_splits=n_splits, seed=seed)
    train, valid = [float(np.mean(v)) for v in train_folds], [float(np.mean(v)) for v in valid_folds]
    best = int(np.nanargmax(valid))
    at = grid.index(current)
    shown = [None if v is None else (float(v) if isinstance(v, float) else v) for v in grid]
    side, text = _validation_verdict(name, current, grid, shown, train, valid, best=best, at=at)
    train_shown, valid_shown = [_r(v) for v in train], [_r(v) for v in valid]
    evidence = {
        "flagged": side == "too_flexible",
        "fault": None,
        "columns": [],
        "parameter": name,
        "current": current,
        "best": grid[best],
        "side": side,
        "values": shown,
        "train": train_shown,
        "validation": valid_shown,
        "plot": {
            "kind": "line",
            "x": [str(v) for v in shown],
            "y": {"train": train_shown, "validation": valid_shown},
            "x_label": name,
            "y_label": "ROC-AUC",
        },
    }
    figure = validation_figure(name, shown, train_folds, valid_folds, current=current, best=grid[best], side=side)
    return _finding("validation_curve", "Validation curve", text, evidence, (figure,))


def _sweep(
    pipeline: object, X: pd.DataFrame, y: pd.Series, *, name: str, grid: list[object], n_splits: int, seed: int
) -> tuple[list[list[float]], list[list[float]]]:
    """Train and validation ROC-AUC per fold for each value of parameter ``name``."""
    from sklearn.base import clone

    splits = _folds(np.asarray(y, dtype=np.int64), n_splits, seed)
    train, valid = [], []
    for value in grid:
        model = clone(pipeline).set_params(**{name: value})
        train_scores, valid_scores = _fold_scores(model, X, y, splits)
        train.append(train_scores)
        valid.append(valid_scores)
    return train, valid


def _validation_verdict(
    name: str,
    current: object,
    grid: list[object],
    shown: list[object],
    train: list[float],
    valid: list[float],
    *,
    best: int,
    at: int,
) -> tuple[str, str]:
    """Where the current value sits (``best``, ``too_flexible`` or ``too_rigid``), and the sentence."""
    if valid[best] - valid[at] < _NEAR_BEST:
        text = (
            f"{name}={current} is at (or within {_NEAR_BEST:g} of) the best validation ROC-AUC {valid[best]:.3f} "
            f"over {shown}."
        )
        return "best", text
    more_flexible = _COMPLEXITY.get(name.rsplit("__", 1)[-1], True)
    toward = "stronger regularisation" if (best < at) == more_flexible else "a more flexible model"
    side = "too_flexible" if toward == "stronger regularisation" else "too_rigid"
    text = (
        f"{name}={current} gives validation ROC-AUC {valid[at]:.3f} (train {train[at]:.3f}); "
        f"{name}={grid[best]} gives {valid[best]:.3f} (train {train[best]:.3f}): move toward {toward}."
    )
    return side, text
