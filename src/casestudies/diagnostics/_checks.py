"""Diagnostics: small checks that each answer one question about a train/test gap.

Every diagnostic takes plain frames (training features and labels, holdout
features) and, for some, the user's pipeline, and returns a
:class:`~casestudies.Finding` whose ``evidence`` holds the numbers, the data
for a plot and, when the check speaks to a known cause, ``flagged`` and
``fault`` (one of :data:`FAULT_KINDS`) with the ``columns`` concerned. Nothing
here is specific to one scenario; :func:`diagnose` runs a set of them on a
:class:`~casestudies.Case`, and :func:`diagnosis_from_findings` turns the
flagged findings into a gradable :class:`~casestudies.Diagnosis`.

The checks never read holdout labels. ``fit_gap`` reports the holdout score
the caller passes in (``Case.evaluate`` passes the one it has just computed).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"x": rng.normal(size=400), "code": [f"c{i}" for i in range(400)]})
>>> y = pd.Series((X["x"] + rng.normal(size=400) > 0).astype(int))
>>> identifier_check(X, X.assign(code=[f"d{i}" for i in range(400)])).evidence["columns"]
['code']
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from casestudies.core import FloatRange, IntRange, Optional, ScenarioSpec, check, closest, describe_value, spec
from casestudies.exceptions import InvalidParameterError
from casestudies.preprocessing import (
    TabularEncoder,
    is_categorical,
    is_datetime,
    is_numeric,
    months_since_epoch,
)
from casestudies.report import Finding
from casestudies.scoring import FAULT_KINDS

if TYPE_CHECKING:
    from casestudies.case._case import Case
    from casestudies.scoring import Diagnosis

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "DEFAULT_DIAGNOSTICS",
    "DIAGNOSTICS",
    "FAULT_KINDS",
    "DiagnosticsReport",
    "TabularEncoder",
    "adversarial_validation",
    "class_balance",
    "default_diagnostics",
    "diagnose",
    "diagnosis_from_findings",
    "dimensionality",
    "fit_gap",
    "identifier_check",
    "label_noise",
    "leakage_scan",
    "learning_curve",
    "near_duplicates",
    "run_diagnostics",
    "temporal_split",
    "validation_curve",
]


# Thresholds, documented in each diagnostic's docstring.
LEAK_AUC: Final[float] = 0.85
IDENTIFIER_UNIQUE_SHARE: Final[float] = 0.5
SHIFT_COLUMN_AUC: Final[float] = 0.1  # |AUC - 0.5| of one column, train vs holdout
SHIFT_MODEL_AUC: Final[float] = 0.6
DUPLICATE_RELATIVE_DISTANCE: Final[float] = 0.1
DUPLICATE_SHARE: Final[float] = 0.01
ROWS_PER_FEATURE: Final[float] = 10.0
IMBALANCE_SHARE: Final[float] = 0.1
NOISE_RATE: Final[float] = 0.1
NOISE_LR: Final[float] = 10.0
TEMPORAL_P_VALUE: Final[float] = 1e-3


# ---------------------------------------------------------------------------
# Small numerical helpers
# ---------------------------------------------------------------------------


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC via ranks (ties count 1/2); NaN when one class is absent."""
    from scipy.stats import rankdata

    y = np.asarray(y).astype(bool)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _auc_se(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley-McNeil standard error of a ROC-AUC."""
    if not math.isfinite(auc) or n_pos == 0 or n_neg == 0:
        return float("nan")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (n_pos * n_neg)
    return math.sqrt(max(variance, 0.0))


def _folds(y: np.ndarray, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    n_splits = max(
        2, min(n_splits, int(np.bincount(np.asarray(y, dtype=np.int64)).min()) if len(np.unique(y)) > 1 else 2)
    )
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def _r(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _probe_logistic(C: float = 1.0, l1: bool = False) -> object:
    from sklearn.linear_model import LogisticRegression

    if l1:
        return LogisticRegression(C=C, l1_ratio=1.0, solver="liblinear", max_iter=500)
    return LogisticRegression(C=C, max_iter=500)


def _oof_predictions(
    X: np.ndarray, y: np.ndarray, make_model: Callable[[], object], folds: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Out-of-fold probabilities of a fresh model per fold."""
    out = np.zeros(len(y))
    for train_rows, valid_rows in folds:
        model = make_model()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[train_rows], y[train_rows])  # type: ignore[attr-defined]
        out[valid_rows] = model.predict_proba(X[valid_rows])[:, 1]  # type: ignore[attr-defined]
    return out


def _finding(diagnostic: str, title: str, text: str, evidence: Mapping[str, object]) -> Finding:
    return Finding(diagnostic, title, text, {"diagnostic": diagnostic, **evidence})


def _skipped(diagnostic: str, title: str, reason: str) -> Finding:
    return _finding(
        diagnostic, title, f"skipped: {reason}", {"flagged": False, "fault": None, "columns": [], "skipped": reason}
    )


# ---------------------------------------------------------------------------
# Pipeline-based diagnostics
# ---------------------------------------------------------------------------


def _pipeline_scores(
    pipeline: object, X_fit: pd.DataFrame, y_fit: pd.Series, X_eval: Sequence[pd.DataFrame]
) -> list[np.ndarray]:
    """Fit ``pipeline`` (cloned) on one frame and score several, as the core loop does."""
    from casestudies.scoring import run_pipeline

    if hasattr(pipeline, "fit"):
        from sklearn.base import clone

        model = clone(pipeline)  # type: ignore[arg-type]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_fit, y_fit)
        from casestudies.scoring import positive_scores

        return [np.asarray(positive_scores(model, frame, "")[0], dtype=np.float64) for frame in X_eval]
    return [np.asarray(run_pipeline(pipeline, X_fit, y_fit, frame).predictions, dtype=np.float64) for frame in X_eval]


def _is_pipeline(pipeline: object) -> bool:
    return pipeline is not None and (
        hasattr(pipeline, "fit") or (callable(pipeline) and not isinstance(pipeline, type))
    )


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
    y_values = np.asarray(y, dtype=np.int64)
    train_scores, valid_scores = [], []
    for train_rows, valid_rows in _folds(y_values, n_splits, seed):
        fit_X, valid_X = X.iloc[train_rows], X.iloc[valid_rows]
        on_train, on_valid = _pipeline_scores(pipeline, fit_X, y.iloc[train_rows], [fit_X, valid_X])
        train_scores.append(_auc(y_values[train_rows], on_train))
        valid_scores.append(_auc(y_values[valid_rows], on_valid))
    train, cv = float(np.mean(train_scores)), float(np.mean(valid_scores))
    cv_se = float(np.std(valid_scores, ddof=1) / np.sqrt(len(valid_scores))) if len(valid_scores) > 1 else float("nan")
    gap_train = train - cv
    parts = [
        f"ROC-AUC {train:.3f} on the rows it was fitted on, {cv:.3f} in {len(valid_scores)}-fold cross-validation (± {cv_se:.3f})"
    ]
    gap_holdout = float("nan")
    if holdout_score is not None:
        gap_holdout = cv - float(holdout_score)
        parts.append(f"and {holdout_score:.3f} on the hidden holdout")
    text = ", ".join(parts[:1]) + (" " + parts[1] if len(parts) > 1 else "") + ". "
    verdicts = []
    if gap_train >= 0.1:
        verdicts.append(
            f"the {gap_train:.2f} drop from train to validation is overfitting: the model fits patterns (or noise) that do not recur in new rows"
        )
    if math.isfinite(gap_holdout) and gap_holdout >= 0.05:
        verdicts.append(
            f"validation is {gap_holdout:.2f} above the holdout: the validation rows are easier than the holdout (leakage, a shifted holdout, time, duplicates)"
        )
    if math.isfinite(gap_holdout) and gap_holdout <= -0.05:
        verdicts.append(
            f"the holdout is {-gap_holdout:.2f} above validation: some holdout rows may be copies of training rows"
        )
    verdict = "; ".join(verdicts) + "." if verdicts else "no gap worth worrying about."
    text += verdict[:1].upper() + verdict[1:]
    evidence: dict[str, object] = {
        "flagged": False,
        "fault": None,
        "columns": [],
        "train": _r(train),
        "cv": _r(cv),
        "cv_standard_error": _r(cv_se),
        "holdout": _r(holdout_score) if holdout_score is not None else None,
        "train_minus_cv": _r(gap_train),
        "cv_minus_holdout": _r(gap_holdout),
        "plot": {
            "kind": "bar",
            "x": ["train", "cv", "holdout"],
            "y": [_r(train), _r(cv), _r(holdout_score) if holdout_score is not None else None],
        },
        "folds": {"train": [_r(v) for v in train_scores], "cv": [_r(v) for v in valid_scores]},
    }
    return _finding("fit_gap", "Train vs validation vs holdout", text, evidence)


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
    y_values = np.asarray(y, dtype=np.int64)
    folds = _folds(y_values, n_splits, seed)
    rng = np.random.default_rng(seed)
    n_rows: list[int] = []
    train_curve: list[list[float]] = [[] for _ in sizes]
    valid_curve: list[list[float]] = [[] for _ in sizes]
    for train_rows, valid_rows in folds:
        order = rng.permutation(train_rows)
        for i, share in enumerate(sizes):
            n = max(10, int(round(share * len(order))))
            subset = _stratified_head(order, y_values, n)
            fit_X = X.iloc[subset]
            on_train, on_valid = _pipeline_scores(pipeline, fit_X, y.iloc[subset], [fit_X, X.iloc[valid_rows]])
            train_curve[i].append(_auc(y_values[subset], on_train))
            valid_curve[i].append(_auc(y_values[valid_rows], on_valid))
            if len(n_rows) < len(sizes):
                n_rows.append(n)
    train = [float(np.nanmean(v)) for v in train_curve]
    valid = [float(np.nanmean(v)) for v in valid_curve]
    gaps = [t - v for t, v in zip(train, valid)]
    slope = valid[-1] - valid[-2] if len(valid) > 1 else 0.0
    if gaps[-1] >= 0.1:
        verdict = "variance"
        text = (
            f"at {n_rows[-1]:,} rows the model scores {train[-1]:.3f} on its own rows and {valid[-1]:.3f} on new ones (gap {gaps[-1]:.2f}); "
            f"the gap was {gaps[0]:.2f} at {n_rows[0]:,} rows and validation {'is still rising' if slope > 0.005 else 'has flattened'}: "
            "high variance. More rows, fewer features or stronger regularisation will help more than a bigger model."
        )
    elif valid[-1] < 0.7 and gaps[-1] < 0.05:
        verdict = "bias"
        text = f"train ({train[-1]:.3f}) and validation ({valid[-1]:.3f}) are both low and close: high bias (or little signal). A richer model or better features, not more rows."
    else:
        verdict = "converged"
        text = f"train {train[-1]:.3f}, validation {valid[-1]:.3f} at {n_rows[-1]:,} rows (gap {gaps[-1]:.2f}, was {gaps[0]:.2f} at {n_rows[0]:,}); more of the same data will change little."
    evidence = {
        "flagged": verdict == "variance",
        "fault": None,
        "columns": [],
        "verdict": verdict,
        "sizes": n_rows,
        "train": [_r(v) for v in train],
        "validation": [_r(v) for v in valid],
        "gap": [_r(v) for v in gaps],
        "plot": {
            "kind": "line",
            "x": n_rows,
            "y": {"train": [_r(v) for v in train], "validation": [_r(v) for v in valid]},
            "x_label": "training rows",
            "y_label": "ROC-AUC",
        },
    }
    return _finding("learning_curve", "Learning curve", text, evidence)


def _stratified_head(order: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """First ``n`` rows of ``order`` keeping both classes (at least 2 of each when possible)."""
    head = order[:n]
    for label in (0, 1):
        if (y[head] == label).sum() < 2:
            extra = order[n:][y[order[n:]] == label][:2]
            head = np.concatenate([head, extra])
    return head


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


def _complexity_parameter(pipeline: object) -> tuple[str, object] | None:
    if not hasattr(pipeline, "get_params"):
        return None
    params = pipeline.get_params(deep=True)
    for name in _COMPLEXITY:
        candidates = [key for key in params if key == name or key.endswith("__" + name)]
        for key in sorted(candidates, key=len, reverse=True):
            value = params[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (value is not None):
                return key, value
            if value is None and name in ("max_depth", "max_leaf_nodes"):
                return key, value
    return None


def _grid(name: str, value: object) -> list[object]:
    base = name.rsplit("__", 1)[-1]
    if base == "C":
        return [0.003, 0.03, 0.3, 3.0, 30.0]
    if base in ("alpha", "reg_lambda", "l2_regularization"):
        return [0.0001, 0.01, 0.1, 1.0, 10.0]
    if base in ("max_depth",):
        return [1, 2, 4, 8, None]
    if base in ("num_leaves", "max_leaf_nodes"):
        return [2, 4, 8, 31, 128]
    if base in ("min_samples_leaf", "min_child_samples"):
        return [1, 5, 20, 50, 100]
    if base == "n_neighbors":
        return [1, 5, 15, 50, 150]
    return [value]


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
    found = (
        (param, pipeline.get_params()[param])
        if param is not None and hasattr(pipeline, "get_params")
        else _complexity_parameter(pipeline)
    )  # type: ignore[attr-defined]
    if found is None:
        return _skipped(
            "validation_curve", "Validation curve", "the pipeline has no complexity parameter I know (pass param=...)"
        )
    name, current = found
    grid = list(values) if values is not None else _grid(name, current)
    if current not in grid:
        grid = sorted([*grid, current], key=lambda v: float("inf") if v is None else float(v))  # type: ignore[arg-type]
    y_values = np.asarray(y, dtype=np.int64)
    folds = _folds(y_values, n_splits, seed)
    from sklearn.base import clone

    train, valid = [], []
    for value in grid:
        model = clone(pipeline).set_params(**{name: value})  # type: ignore[arg-type, attr-defined]
        t_scores, v_scores = [], []
        for train_rows, valid_rows in folds:
            fit_X = X.iloc[train_rows]
            on_train, on_valid = _pipeline_scores(model, fit_X, y.iloc[train_rows], [fit_X, X.iloc[valid_rows]])
            t_scores.append(_auc(y_values[train_rows], on_train))
            v_scores.append(_auc(y_values[valid_rows], on_valid))
        train.append(float(np.mean(t_scores)))
        valid.append(float(np.mean(v_scores)))
    best = int(np.nanargmax(valid))
    at = grid.index(current)
    more_flexible = _COMPLEXITY.get(name.rsplit("__", 1)[-1], True)
    shown = [None if v is None else (float(v) if isinstance(v, float) else v) for v in grid]
    if valid[best] - valid[at] < 0.01:
        text = f"{name}={current} is at (or within 0.01 of) the best validation ROC-AUC {valid[best]:.3f} over {shown}."
        side = "best"
    else:
        toward = "stronger regularisation" if (best < at) == more_flexible else "a more flexible model"
        side = "too_flexible" if toward == "stronger regularisation" else "too_rigid"
        text = (
            f"{name}={current} gives validation ROC-AUC {valid[at]:.3f} (train {train[at]:.3f}); {name}={grid[best]} gives {valid[best]:.3f} "
            f"(train {train[best]:.3f}): move toward {toward}."
        )
    evidence = {
        "flagged": side == "too_flexible",
        "fault": None,
        "columns": [],
        "parameter": name,
        "current": current,
        "best": grid[best],
        "side": side,
        "values": shown,
        "train": [_r(v) for v in train],
        "validation": [_r(v) for v in valid],
        "plot": {
            "kind": "line",
            "x": [str(v) for v in shown],
            "y": {"train": [_r(v) for v in train], "validation": [_r(v) for v in valid]},
            "x_label": name,
            "y_label": "ROC-AUC",
        },
    }
    return _finding("validation_curve", "Validation curve", text, evidence)


# ---------------------------------------------------------------------------
# Data diagnostics
# ---------------------------------------------------------------------------


def dimensionality(X: pd.DataFrame, y: pd.Series, *, exclude: Sequence[str] = ()) -> Finding:
    """Rows per feature: is the model asked to learn more than the data can support?

    Counts the feature columns (less ``exclude``) and their one-hot width.
    Fewer than 10 training rows per column (the classic rule of thumb for a
    linear model) is flagged as ``high_dimensional``: an unregularised model
    can fit the training labels exactly whatever they are.
    """
    frame = X.drop(columns=[c for c in exclude if c in X.columns])
    n_rows, n_columns = len(frame), frame.shape[1]
    width = 0
    for column in frame.columns:
        series = frame[column]
        width += 1 if (is_numeric(series) or is_datetime(series)) else max(1, int(series.nunique()))
    per_column = n_rows / max(n_columns, 1)
    minority = int(min(np.bincount(np.asarray(y, dtype=np.int64), minlength=2)))
    flagged = per_column < ROWS_PER_FEATURE
    text = (
        f"{n_rows:,} training rows for {n_columns:,} feature columns ({width:,} after one-hot encoding): {per_column:.1f} rows per column"
        f" and {minority / max(n_columns, 1):.1f} minority-class rows per column. "
    )
    text += (
        "With fewer rows than features a model can separate any labelling of the training rows, so train scores say nothing; "
        "regularise (L1 selects a few columns), select features, or get more rows."
        if flagged
        else "Enough rows for the number of columns."
    )
    evidence = {
        "flagged": flagged,
        "fault": "high_dimensional",
        "columns": [],
        "n_rows": n_rows,
        "n_columns": n_columns,
        "encoded_width": width,
        "rows_per_column": _r(per_column, 3),
        "minority_rows_per_column": _r(minority / max(n_columns, 1), 3),
    }
    return _finding("dimensionality", "Rows per feature", text, evidence)


def identifier_check(X_train: pd.DataFrame, X_test: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Columns that identify rows: memorisable in train, never seen again in the holdout.

    A text or categorical column is flagged when at least half of its
    training values are distinct; an integer column when at least 95 % are
    distinct and either fewer than 10 % of the holdout values occur in train
    or the sorted values step by one (a row number). Floats are measurements,
    not identifiers, and are not checked. Columns in ``exclude`` (the
    declared id column) are skipped.
    """
    rows = []
    flagged = []
    n = len(X_train)
    for column in X_train.columns:
        if column in exclude or column not in X_test.columns:
            continue
        series = X_train[column]
        if is_datetime(series) or series.dtype.kind == "f" or series.dtype.kind == "b" or n < 20:
            continue
        unique_share = float(series.nunique()) / n
        seen = float(X_test[column].isin(set(series.dropna().tolist())).mean()) if len(X_test) else float("nan")
        is_identifier = False
        if is_categorical(series):
            is_identifier = unique_share >= IDENTIFIER_UNIQUE_SHARE
        elif unique_share >= 0.95:
            steps = np.diff(np.sort(series.dropna().to_numpy(dtype=np.float64)))
            is_identifier = seen < 0.1 or (steps.size > 0 and float(np.mean(steps == 1)) >= 0.9)
        rows.append({"column": str(column), "unique_share": _r(unique_share), "holdout_values_seen_in_train": _r(seen)})
        if is_identifier:
            flagged.append(str(column))
    rows.sort(key=lambda r: -float(r["unique_share"] or 0))  # type: ignore[arg-type]
    if flagged:
        details = "; ".join(
            f"{r['column']} ({r['unique_share']:.0%} distinct, {r['holdout_values_seen_in_train']:.0%} of holdout values seen in train)"
            for r in rows
            if r["column"] in flagged
        )
        text = (
            f"{len(flagged)} column(s) identify rows: {details}. A model can memorise them (one-hot codes, splits on row numbers) "
            "and gain nothing on the holdout, whose values are new. Drop them."
        )
    else:
        text = "No column other than the declared id identifies rows."
    evidence = {"flagged": bool(flagged), "fault": "identifier", "columns": flagged, "table": rows[:10]}
    return _finding("identifiers", "Identifier columns", text, evidence)


def _single_feature_auc(series: pd.Series, y: np.ndarray, seed: int) -> float:
    if is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(values).all():
            return float("nan")
        values = np.where(np.isnan(values), np.nanmedian(values), values)
        auc = _auc(y, values)
        return max(auc, 1.0 - auc)
    codes = series.astype(str).to_numpy()
    encoded = np.zeros(len(y))
    prior = float(y.mean())
    for train_rows, valid_rows in _folds(y, 5, seed):
        frame = pd.DataFrame({"code": codes[train_rows], "y": y[train_rows]})
        stats = frame.groupby("code")["y"].agg(["sum", "count"])
        rate = (stats["sum"] + 10 * prior) / (stats["count"] + 10)  # smoothed target rate
        encoded[valid_rows] = pd.Series(codes[valid_rows]).map(rate).fillna(prior).to_numpy()
    auc = _auc(y, encoded)
    return max(auc, 1.0 - auc)


def leakage_scan(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    exclude: Sequence[str] = (),
    threshold: float = LEAK_AUC,
    seed: int = 0,
) -> Finding:
    """Single-feature leakage scan: does one column alone predict the label far better than it should?

    Each column (numbers by their rank, categories by an out-of-fold
    target-rate encoding; ``exclude`` and date columns skipped) is scored
    alone by ROC-AUC against the training labels. A legitimate driver of a
    business outcome rarely reaches 0.85 on its own; a column written after
    the outcome (a cancellation flag, days since last login recorded after
    the customer left) routinely does. A column is flagged when even the
    lower end of its AUC, ``AUC - 2 SE`` (Hanley-McNeil standard error),
    reaches ``threshold``, so a lucky column among few positives is not.
    Flagged columns should be traced back to when they are filled in, and
    dropped if after the outcome.

    Returns
    -------
    Finding
        ``leakage_scan`` with every column's single-feature AUC (top 15 in
        ``plot``) and the flagged ``columns``.
    """
    y_values = np.asarray(y, dtype=np.int64)
    scores = {}
    for column in X.columns:
        if column in exclude or is_datetime(X[column]):
            continue
        scores[str(column)] = _single_feature_auc(X[column], y_values, seed)
    ranked = sorted(((c, s) for c, s in scores.items() if math.isfinite(s)), key=lambda item: -item[1])
    n_pos = int(y_values.sum())
    n_neg = len(y_values) - n_pos
    lower = {c: a - 2 * _auc_se(a, n_pos, n_neg) for c, a in ranked}
    flagged = [c for c, _ in ranked if lower[c] >= threshold]
    if flagged:
        shown = ", ".join(f"{c} (AUC {scores[c]:.3f} alone, at least {lower[c]:.3f})" for c in flagged)
        runner_up = next((s for c, s in ranked if c not in flagged), float("nan"))
        text = (
            f"{shown} predict(s) the label almost on their own; the best other column reaches {runner_up:.3f}. "
            "A single column this strong is usually written after the outcome (leakage): check when it is filled in, "
            "and drop it if the value would not be known at prediction time."
        )
    else:
        top = ", ".join(f"{c} {s:.3f}" for c, s in ranked[:3])
        text = f"no column predicts the label suspiciously well on its own (best: {top}; a leak would reach {threshold:.2f} even at AUC - 2 SE)."
    evidence = {
        "flagged": bool(flagged),
        "fault": "target_leakage",
        "columns": flagged,
        "threshold": threshold,
        "auc": {c: _r(s) for c, s in ranked},
        "auc_lower": {c: _r(lower[c]) for c, _ in ranked[:15]},
        "plot": {
            "kind": "bar",
            "x": [c for c, _ in ranked[:15]],
            "y": [_r(s) for _, s in ranked[:15]],
            "y_label": "single-feature ROC-AUC",
        },
    }
    return _finding("leakage_scan", "Single-feature leakage scan", text, evidence)


def _numeric_shift_auc(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, float]:
    """Train-vs-holdout AUC of each numeric column alone, all columns at once."""
    from scipy.stats import rankdata

    if train.shape[1] == 0:
        return {}
    values = np.vstack(
        [train.to_numpy(dtype=np.float64, na_value=np.nan), test.to_numpy(dtype=np.float64, na_value=np.nan)]
    )
    medians = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
    values = np.where(np.isnan(values), np.where(np.isfinite(medians), medians, 0.0), values)
    ranks = rankdata(values, axis=0)
    n_train, n_test = len(train), len(test)
    auc = (ranks[n_train:].sum(axis=0) - n_test * (n_test + 1) / 2) / (n_train * n_test)
    return {str(c): float(a) for c, a in zip(train.columns, auc)}


def _column_shift_auc(train: pd.Series, test: pd.Series) -> float:
    """Train-vs-holdout AUC of one categorical column alone (0.5 = same distribution)."""
    is_test = np.r_[np.zeros(len(train)), np.ones(len(test))]
    codes_train = train.astype(str)
    codes_test = test.astype(str)
    share_train = codes_train.value_counts(normalize=True)
    share_test = codes_test.value_counts(normalize=True)
    ratio = (share_test + 1e-3) / (share_train.reindex(share_test.index).fillna(0) + 1e-3)
    ratio = ratio.reindex(share_train.index.union(share_test.index)).fillna(1e-3 / (share_train + 1e-3))
    score = np.r_[codes_train.map(ratio).to_numpy(dtype=np.float64), codes_test.map(ratio).to_numpy(dtype=np.float64)]
    return _auc(is_test, score)


def adversarial_validation(
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    n_splits: int = 3,
    max_rows: int = 4000,
    seed: int = 0,
) -> Finding:
    """Adversarial validation: can a model tell training rows from holdout rows, and by which columns?

    A gradient-boosted classifier learns to separate training rows from
    holdout rows (mean ROC-AUC over 3 folds): about 0.5 means the holdout
    looks like the training data; 0.7 or more means it does not. With few
    rows and many columns the cross-validated AUC of a model that can learn
    nothing falls a little *below* 0.5 (held-out rows pull their own class
    away), never above. Each column
    is also compared alone (ROC-AUC of the column, or of its category's
    holdout/train frequency ratio): columns with |AUC - 0.5| >= 0.1 are named
    as shifted. ``exclude`` (ids, identifiers) and date columns are left out:
    they separate any two extracts by construction.

    Returns
    -------
    Finding
        ``adversarial_validation`` with the model's ``auc``, every column's
        ``column_auc`` and the shifted ``columns``.
    """
    from lightgbm import LGBMClassifier

    keep = [c for c in X_train.columns if c not in exclude and not is_datetime(X_train[c]) and c in X_test.columns]
    rng = np.random.default_rng(seed)
    train, test = X_train[keep], X_test[keep]
    if len(train) + len(test) > max_rows:
        share = max_rows / (len(train) + len(test))
        train = train.iloc[np.sort(rng.choice(len(train), max(50, int(share * len(train))), replace=False))]
        test = test.iloc[np.sort(rng.choice(len(test), max(50, int(share * len(test))), replace=False))]
    numeric = [c for c in keep if is_numeric(X_train[c])]
    column_auc = _numeric_shift_auc(X_train[numeric], X_test[numeric])
    column_auc |= {str(c): _column_shift_auc(X_train[c], X_test[c]) for c in keep if c not in numeric}
    shifted = sorted(
        (c for c, a in column_auc.items() if math.isfinite(a) and abs(a - 0.5) >= SHIFT_COLUMN_AUC),
        key=lambda c: -abs(column_auc[c] - 0.5),
    )
    encoder = TabularEncoder(scale=False, max_categories=50).fit(pd.concat([train, test], ignore_index=True))
    matrix = encoder.transform(pd.concat([train, test], ignore_index=True))
    is_test = np.r_[np.zeros(len(train), dtype=np.int64), np.ones(len(test), dtype=np.int64)]

    def make() -> object:
        return LGBMClassifier(
            n_estimators=50,
            learning_rate=0.1,
            num_leaves=15,
            min_child_samples=40,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.3,
            reg_lambda=1.0,
            max_bin=63,
            random_state=seed,
            n_jobs=1,
            verbose=-1,
        )

    fold_auc = []
    if matrix.shape[1]:
        for train_rows, valid_rows in _folds(is_test, n_splits, seed):
            fold_auc.append(
                _auc(
                    is_test[valid_rows], _oof_predictions(matrix, is_test, make, [(train_rows, valid_rows)])[valid_rows]
                )
            )
    # Mean of per-fold AUCs: pooling out-of-fold scores mixes folds' calibrations.
    auc = float(np.mean(fold_auc)) if fold_auc else 0.5
    flagged = bool(shifted) or auc >= SHIFT_MODEL_AUC
    if flagged:
        named = ", ".join(f"{c} ({column_auc[c]:.2f})" for c in shifted[:6]) or "no single column"
        text = (
            f"a classifier tells training rows from holdout rows with ROC-AUC {auc:.3f} (0.5 = indistinguishable): the holdout is drawn "
            f"from a different distribution. Shifted columns (train-vs-holdout AUC alone): {named}. Expect validation scores to overstate "
            "holdout scores; reweight training rows toward the holdout, or make the model robust to these columns."
        )
    else:
        text = f"a classifier cannot tell training rows from holdout rows (ROC-AUC {auc:.3f}; 0.5 = indistinguishable): no covariate shift."
    top = sorted(column_auc.items(), key=lambda item: -abs(item[1] - 0.5))[:15]
    evidence = {
        "flagged": flagged,
        "fault": "covariate_shift",
        "columns": shifted,
        "auc": _r(auc),
        "column_auc": {c: _r(a) for c, a in top},
        "plot": {
            "kind": "bar",
            "x": [c for c, _ in top],
            "y": [_r(abs(a - 0.5)) for _, a in top],
            "y_label": "|train-vs-holdout AUC - 0.5|",
        },
    }
    return _finding("adversarial_validation", "Adversarial validation (covariate shift)", text, evidence)


def near_duplicates(
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    relative_distance: float = DUPLICATE_RELATIVE_DISTANCE,
) -> Finding:
    """Near-duplicate rows across train and holdout: is the holdout partly a copy of the training data?

    Features (less ``exclude`` and dates) are standardised and one-hot
    encoded; each holdout row's nearest training row is found. A holdout row
    whose distance is below ``relative_distance`` (0.1) times the median
    nearest-neighbour distance is a near-duplicate. The same is measured for
    300 training rows against the other training rows: coarse columns make
    near-twins common *within* any extract. If the holdout's share exceeds
    that baseline by 1 % or more, the holdout score partly measures memory,
    not generalisation; deduplicate (by customer, not by row) before splitting.
    """
    from sklearn.metrics import pairwise_distances_argmin_min

    keep = [c for c in X_train.columns if c not in exclude and not is_datetime(X_train[c]) and c in X_test.columns]
    if not keep or not len(X_train) or not len(X_test):
        return _skipped("near_duplicates", "Near-duplicates across train and holdout", "no comparable columns")
    encoder = TabularEncoder(max_categories=50).fit(X_train[keep])
    a, b = encoder.transform(X_test[keep]), encoder.transform(X_train[keep])
    categorical = np.array([s not in encoder.numeric_ for s in encoder.sources_])
    a[:, categorical] *= 2.0**-0.5  # a differing category moves a row by 1, like one sd of a number
    b[:, categorical] *= 2.0**-0.5
    _, distance = pairwise_distances_argmin_min(a, b)
    median = float(np.median(distance)) if distance.size else float("nan")
    threshold = (relative_distance * median if median > 0 else 0.0) + 1e-6  # the tolerance keeps exact copies exact
    close = distance <= threshold
    share = float(close.mean())
    # Baseline: how often a training row has a near-twin among the *other* training rows. Coarse,
    # low-dimensional data (a customer's repeat purchases) has many; only the excess across the split counts.
    sample = (
        np.random.default_rng(0).choice(len(b), size=min(len(b), 300), replace=False)
        if len(b) > 1
        else np.array([], dtype=np.int64)
    )
    within = []
    for start in range(0, sample.size, 100):
        rows = sample[start : start + 100]
        block = _sq_distances(b[rows], b)
        block[np.arange(len(rows)), rows] = np.inf
        within.append(np.sqrt(block.min(axis=1)))
    baseline = float((np.concatenate(within) <= threshold).mean()) if within else 0.0
    excess = share - baseline
    flagged = excess >= DUPLICATE_SHARE and int(close.sum()) >= 3
    if flagged:
        text = (
            f"{int(close.sum()):,} holdout rows ({share:.1%}) are near-copies of training rows (distance below {relative_distance:g} x the median "
            f"nearest-neighbour distance {median:.2f}), against {baseline:.1%} of training rows with a near-twin in train. The holdout score on them "
            "measures memory; a model that memorises looks better than it is on genuinely new customers. Deduplicate by entity before splitting."
        )
    elif share >= DUPLICATE_SHARE:
        text = (
            f"{share:.1%} of holdout rows have a near-identical training row, but so do {baseline:.1%} of training rows among themselves: "
            "the columns are too coarse to tell records apart, not copies across the split."
        )
    else:
        text = f"no near-duplicates between train and holdout ({int(close.sum())} rows under the threshold; median nearest distance {median:.2f})."
    hist, edges = np.histogram(distance / median if median > 0 else distance, bins=20, range=(0.0, 2.0))
    evidence = {
        "flagged": flagged,
        "fault": "duplicates",
        "columns": [],
        "n_rows": int(close.sum()),
        "share": _r(share),
        "share_within_train": _r(baseline),
        "median_distance": _r(median),
        "plot": {
            "kind": "histogram",
            "x": [_r(e) for e in edges[:-1]],
            "y": hist.tolist(),
            "x_label": "nearest training row, relative distance",
        },
    }
    return _finding("near_duplicates", "Near-duplicates across train and holdout", text, evidence)


def _sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``a`` and ``b`` (clipped at 0)."""
    return np.maximum((a**2).sum(axis=1)[:, None] - 2.0 * a @ b.T + (b**2).sum(axis=1)[None, :], 0.0)


def _noise_model_fit(score: np.ndarray, y: np.ndarray, prior: float) -> tuple[float, float, float]:
    """Fit P(y=1|s) = r*prior + (1-r)*sigmoid(a + b*s) by profile likelihood over r.

    Returns ``(r, log-likelihood at r, log-likelihood at r = 0)``.
    """
    from scipy.optimize import minimize
    from scipy.special import expit

    s = (score - score.mean()) / (score.std() or 1.0)
    y = y.astype(np.float64)

    def nll(theta: np.ndarray, r: float) -> tuple[float, np.ndarray]:
        z = expit(theta[0] + theta[1] * s)
        q = np.clip(r * prior + (1.0 - r) * z, 1e-12, 1 - 1e-12)
        value = -float(np.sum(y * np.log(q) + (1 - y) * np.log(1 - q)))
        weight = (1.0 - r) * z * (1 - z) * (y / q - (1 - y) / (1 - q))
        return value, -np.array([weight.sum(), (weight * s).sum()])

    theta = np.array([np.log(prior / (1 - prior)), 1.0])
    profile = []
    for r in np.linspace(0.0, 0.9, 46):
        result = minimize(nll, theta, args=(float(r),), jac=True, method="L-BFGS-B")
        theta = result.x
        profile.append((float(r), -float(result.fun)))
    best_r, best_ll = max(profile, key=lambda item: item[1])
    return best_r, best_ll, profile[0][1]


class _ScreenedLogistic:
    """Keep the ``k`` columns most correlated with the label, then a lightly regularised logistic regression.

    Screening inside each fold keeps the probe honest and fast when there are
    far more columns than signal (a lasso on thousands of noise columns
    shrinks and scatters the real effects).
    """

    def __init__(self, k: int = 20, C: float = 1.0) -> None:
        self.k = k
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray) -> _ScreenedLogistic:
        from sklearn.linear_model import LogisticRegression

        centred = X - X.mean(axis=0)
        yc = y - y.mean()
        norms = np.sqrt((centred**2).sum(axis=0)) * np.sqrt((yc**2).sum()) + 1e-12
        self.columns_ = np.argsort(-np.abs(centred.T @ yc) / norms, kind="stable")[: self.k]
        self.model_ = LogisticRegression(C=self.C, max_iter=1000).fit(X[:, self.columns_], y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X[:, self.columns_])


@dataclass(frozen=True, slots=True)
class _Probe:
    """Out-of-fold logit of a screened logistic probe on every feature but dates."""

    logit: np.ndarray
    auc: float


def _fit_probe(X: pd.DataFrame, y: np.ndarray, *, exclude: Sequence[str], n_splits: int, seed: int) -> _Probe:
    keep = [c for c in X.columns if c not in exclude and not is_datetime(X[c])]
    matrix = TabularEncoder(max_categories=50, add_log=True).fit_transform(X[keep])
    p = np.clip(_oof_predictions(matrix, y, _ScreenedLogistic, _folds(y, n_splits, seed)), 1e-6, 1 - 1e-6)
    return _Probe(np.log(p / (1 - p)), _auc(y, p))


def _month_codes(
    X: pd.DataFrame, exclude: Sequence[str], time_column: str | None = None
) -> tuple[str | None, np.ndarray]:
    dates = [c for c in X.columns if is_datetime(X[c]) and c not in exclude]
    column = time_column if time_column is not None else (dates[0] if dates else None)
    if column is None:
        return None, np.zeros(len(X), dtype=np.int64)
    return column, pd.factorize(np.floor(months_since_epoch(X[column])), sort=True)[0].astype(np.int64)


def _glm(features: np.ndarray, y: np.ndarray, C: float = 1e4) -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000).fit(features, y)


def _loglik(model: object, features: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(model.predict_proba(features)[:, 1], 1e-12, 1 - 1e-12)  # type: ignore[attr-defined]
    return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def label_noise(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    exclude: Sequence[str] = (),
    n_splits: int = 5,
    seed: int = 0,
) -> Finding:
    """Label-noise estimate: are some training labels random?

    A probe gives every training row an out-of-fold score: the 20 encoded
    columns (numbers, their ``log1p``, one-hot categories) most correlated
    with the label in the fold, into a logistic regression; month indicators
    of the first date column are added on top. If a share ``r`` of labels was replaced by random draws with
    the class rate ``pi``, the label rate among rows the probe is sure about
    stops at ``r*pi`` (at the bottom) and ``1 - r*(1 - pi)`` (at the top)
    instead of going to 0 and 1. The check fits
    ``P(y=1|s) = r*pi + (1 - r) * sigmoid(a + b*s)`` by profile likelihood and
    flags noise when ``r`` >= 0.1 and the likelihood-ratio statistic against
    ``r = 0`` is >= 10. Possible only when the features carry strong signal
    for a good share of rows and there are a few hundred positives; below
    that, random labels look exactly like a weaker signal. ``exclude`` should
    list ids, identifiers and leaky columns.

    Returns
    -------
    Finding
        ``label_noise`` with the estimated ``rate``, the likelihood ratio,
        and the label rate per decile of the probe's score (the plot).
    """
    y_values = np.asarray(y, dtype=np.int64)
    probe = _fit_probe(X, y_values, exclude=exclude, n_splits=n_splits, seed=seed)
    return _label_noise(X, y_values, probe, exclude=exclude)


def _label_noise(X: pd.DataFrame, y_values: np.ndarray, probe: _Probe, *, exclude: Sequence[str]) -> Finding:
    column, months = _month_codes(X, exclude)
    score = probe.logit
    if column is not None and months.max() > 0:  # month effects are not noise
        features = np.column_stack([score, np.eye(int(months.max()) + 1)[months][:, 1:]])
        score = _glm(features, y_values).decision_function(features)  # type: ignore[attr-defined]
    prior = float(y_values.mean())
    rate, ll_noise, ll_clean = _noise_model_fit(score, y_values, prior)
    lr = 2.0 * (ll_noise - ll_clean)
    flagged = rate >= NOISE_RATE and lr >= NOISE_LR
    deciles = np.array_split(np.argsort(score), 10)
    decile_rate = [float(y_values[idx].mean()) for idx in deciles]
    if flagged:
        text = (
            f"about {rate:.0%} of training labels look random: among the rows a probe is surest are positive only {decile_rate[-1]:.0%} are "
            f"labelled so, and {decile_rate[0]:.1%} of the surest negatives are labelled positive (likelihood ratio {lr:.0f} against clean labels). "
            "A flexible model will memorise these labels; prefer regularised models, and audit how labels are recorded."
        )
    else:
        text = (
            f"no sign of random labels (estimated rate {rate:.0%}, likelihood ratio {lr:.1f} against clean labels; the label rate runs from "
            f"{decile_rate[0]:.1%} to {decile_rate[-1]:.1%} across the probe's score deciles)."
        )
    evidence = {
        "flagged": flagged,
        "fault": "label_noise",
        "columns": [],
        "rate": _r(rate),
        "likelihood_ratio": _r(lr, 2),
        "probe_auc": _r(probe.auc),
        "plot": {
            "kind": "line",
            "x": list(range(1, 11)),
            "y": {"label_rate": [_r(v) for v in decile_rate]},
            "x_label": "decile of out-of-fold probe score",
        },
    }
    return _finding("label_noise", "Label noise", text, evidence)


def temporal_split(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    X_test: pd.DataFrame | None = None,
    time_column: str | None = None,
    exclude: Sequence[str] = (),
    seed: int = 0,
) -> Finding:
    """Time-ordered data: does the label move with time in a way features do not explain?

    Rows are grouped by calendar month of ``time_column`` (the first date
    column when not given). A probe on the other features (as in
    :func:`label_noise`) gives an out-of-fold score; a likelihood-ratio test asks whether month
    indicators improve on it (``p < 0.001`` is flagged). If they do, a random
    split lets a model learn each month's effect from its neighbours and
    validation looks better than any future month will. The finding shows the
    size of that optimism: the probe plus months scored with random folds and
    with folds of whole months. Validate with time-ordered splits (train on
    the past, validate on the next period).
    """
    y_values = np.asarray(y, dtype=np.int64)
    column, months = _month_codes(X, exclude, time_column)
    if column is None:
        return _skipped("temporal_split", "Time-ordered data", "no date column")
    if int(months.max()) + 1 < 3:
        return _skipped("temporal_split", "Time-ordered data", f"{column} spans fewer than 3 months")
    probe = _fit_probe(X, y_values, exclude=[*exclude, column], n_splits=5, seed=seed)
    return _temporal(X, y_values, probe, column=column, months=months, X_test=X_test, seed=seed)


def _temporal(
    X: pd.DataFrame,
    y_values: np.ndarray,
    probe: _Probe,
    *,
    column: str,
    months: np.ndarray,
    X_test: pd.DataFrame | None,
    seed: int,
) -> Finding:
    from scipy.stats import chi2

    n_periods = int(months.max()) + 1
    after = None
    if X_test is not None and column in X_test.columns and len(X_test):
        after = bool(np.nanmin(months_since_epoch(X_test[column])) >= np.nanmax(months_since_epoch(X[column])) - 1e-9)
    base = probe.logit[:, None]
    with_months = np.column_stack([probe.logit, np.eye(n_periods)[months][:, 1:]])
    lr = max(
        0.0,
        2.0
        * (_loglik(_glm(with_months, y_values), with_months, y_values) - _loglik(_glm(base, y_values), base, y_values)),
    )
    p_value = float(chi2.sf(lr, n_periods - 1))
    # How optimistic a random split is: the same model scored on random folds and on blocks of months.
    blocks = np.array_split(np.arange(n_periods), 5)
    block_folds = [(np.flatnonzero(~np.isin(months, b)), np.flatnonzero(np.isin(months, b))) for b in blocks if b.size]
    block_folds = [(t, v) for t, v in block_folds if len(np.unique(y_values[t])) == 2 and v.size]
    scores = {}
    for name, folds in (("random", _folds(y_values, 5, seed)), ("blocked", block_folds)):
        oof = np.zeros(len(y_values))
        design = np.column_stack([probe.logit, np.eye(n_periods)[months][:, 1:]])
        for train_rows, valid_rows in folds:
            model = _glm(design[train_rows], y_values[train_rows], C=1.0)
            oof[valid_rows] = model.decision_function(design[valid_rows])  # type: ignore[attr-defined]
        scores[name] = _auc(y_values, oof)
    flagged = p_value < TEMPORAL_P_VALUE
    rates = pd.Series(y_values).groupby(months).mean()
    if flagged:
        text = (
            f"the label rate moves from month to month more than the features explain (likelihood ratio {lr:.0f} on {n_periods - 1} df, "
            f"p = {p_value:.1e}; monthly rates from {rates.min():.0%} to {rates.max():.0%}). A random split lets a model learn each month from its "
            f"neighbours: the same model scores {scores['random']:.3f} with random folds and {scores['blocked']:.3f} with folds of whole months. "
            + ("The holdout is later than every training row, so " if after else "")
            + "validate on later periods than you train on."
        )
    else:
        text = f"the label rate does not move with {column} beyond what the features explain (likelihood ratio {lr:.0f} on {n_periods - 1} df, p = {p_value:.2f}): a random split is safe in this respect."
    evidence = {
        "flagged": flagged,
        "fault": "temporal",
        "columns": [column] if flagged else [],
        "time_column": column,
        "n_periods": n_periods,
        "likelihood_ratio": _r(lr, 2),
        "p_value": float(f"{p_value:.3g}"),
        "auc_random_split": _r(scores["random"]),
        "auc_blocked_split": _r(scores["blocked"]),
        "holdout_after_train": after,
        "plot": {
            "kind": "line",
            "x": [int(i) for i in rates.index],
            "y": {"label_rate": [_r(v) for v in rates.to_numpy()]},
            "x_label": "month (index)",
        },
    }
    return _finding("temporal_split", "Time-ordered data", text, evidence)


def class_balance(y: pd.Series) -> Finding:
    """Class balance: is the minority class rare enough that accuracy and small folds mislead?"""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=2)
    share = float(counts.min() / counts.sum()) if counts.sum() else float("nan")
    flagged = bool(share < IMBALANCE_SHARE)
    text = f"{counts[1]:,} positives and {counts[0]:,} negatives in train (minority share {share:.1%}). "
    text += (
        "Accuracy is dominated by the majority class; judge by ROC-AUC or average precision, stratify folds, and expect noisy scores."
        if flagged
        else "Balanced enough for ordinary validation."
    )
    evidence = {
        "flagged": flagged,
        "fault": "class_imbalance",
        "columns": [],
        "minority_share": _r(share),
        "n_positive": int(counts[1]),
        "n_negative": int(counts[0]),
    }
    return _finding("class_balance", "Class balance", text, evidence)


# ---------------------------------------------------------------------------
# The front door
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spec:
    question: str
    needs_pipeline: bool


DIAGNOSTICS: Final[Mapping[str, _Spec]] = {
    "fit_gap": _Spec("How far apart are train, validation and holdout scores?", True),
    "learning_curve": _Spec("Would more rows help?", True),
    "validation_curve": _Spec("Is the model too flexible or too rigid?", True),
    "dimensionality": _Spec("Are there enough rows per feature?", False),
    "identifiers": _Spec("Does a column identify rows?", False),
    "leakage_scan": _Spec("Does one column predict the label suspiciously well?", False),
    "adversarial_validation": _Spec("Does the holdout look like the training data?", False),
    "near_duplicates": _Spec("Are holdout rows copies of training rows?", False),
    "label_noise": _Spec("Are some training labels random?", False),
    "temporal_split": _Spec("Does time leak through a random split?", False),
    "class_balance": _Spec("Is one class rare?", False),
}
"""Every diagnostic :func:`diagnose` can run, with the question it answers."""

DEFAULT_DIAGNOSTICS: Final[tuple[str, ...]] = tuple(DIAGNOSTICS)
"""The set ``diagnostics="default"`` runs for scenarios that plant causes of a gap."""


def default_diagnostics(scenario_id: str) -> tuple[str, ...]:
    """The diagnostics ``evaluate(diagnostics="default")`` runs for a scenario: its spec's ``diagnostics``.

    Examples
    --------
    >>> default_diagnostics("overfit-leaky-v1")[:2]
    ('fit_gap', 'learning_curve')
    >>> default_diagnostics("fraud-v1")
    ()
    """
    return spec(scenario_id).diagnostics


@dataclass(frozen=True, slots=True)
class DiagnosticsReport:
    """Findings of :func:`diagnose`, their cost, and the diagnosis they add up to.

    Attributes
    ----------
    scenario_id : str
    findings : tuple of Finding
        One per diagnostic run, in order.
    seconds : Mapping
        Wall time of each diagnostic.
    diagnosis : Diagnosis
        The causes the flagged findings claim (see :func:`diagnosis_from_findings`).
    """

    scenario_id: str
    findings: tuple[Finding, ...]
    seconds: Mapping[str, float]
    diagnosis: Diagnosis

    def __getitem__(self, name: str) -> Finding:
        for finding in self.findings:
            if finding.id == name:
                return finding
        raise KeyError(f"no diagnostic {name!r} in this report; it has {[f.id for f in self.findings]}.")

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data."""
        from casestudies.report import to_plain_data

        return to_plain_data(  # type: ignore[return-value]
            {
                "scenario_id": self.scenario_id,
                "findings": [finding.to_dict() for finding in self.findings],
                "seconds": dict(self.seconds),
                "diagnosis": self.diagnosis.to_dict(),
            }
        )

    def __str__(self) -> str:
        import textwrap

        lines = [f"diagnostics for {self.scenario_id} ({sum(self.seconds.values()):.1f} s):"]
        for finding in self.findings:
            mark = "!" if finding.evidence.get("flagged") else "-"
            lines.append(
                textwrap.fill(
                    f"{finding.title}: {finding.text}", width=92, initial_indent=f"  {mark} ", subsequent_indent="    "
                )
            )
        claimed = self.diagnosis.claimed()
        lines.append("diagnosis: " + (", ".join(claimed) if claimed else "no cause found"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        items = "".join(
            f"<li>{'⚠️ ' if f.evidence.get('flagged') else ''}<b>{html.escape(f.title)}</b>: {html.escape(f.text)}</li>"
            for f in self.findings
        )
        claimed = ", ".join(self.diagnosis.claimed()) or "no cause found"
        return f"<div><h4>Diagnostics for {html.escape(self.scenario_id)}</h4><ul>{items}</ul><p><b>Diagnosis:</b> {html.escape(claimed)}</p></div>"


def diagnosis_from_findings(findings: Sequence[Finding]) -> Diagnosis:
    """The :class:`~casestudies.Diagnosis` a set of findings claims: every flagged fault, with its columns.

    Kinds no finding speaks to are left unstated; kinds checked and not
    flagged are stated absent.
    """
    from casestudies.scoring import Diagnosis

    causes: dict[str, bool | list[str]] = {}
    for finding in findings:
        kind = finding.evidence.get("fault")
        if not isinstance(kind, str) or finding.evidence.get("skipped"):
            continue
        if finding.evidence.get("flagged"):
            columns = list(finding.evidence.get("columns") or [])  # type: ignore[call-overload]
            previous = causes.get(kind)
            merged = sorted(set(columns) | set(previous if isinstance(previous, list) else []))
            causes[kind] = merged if merged else True
        else:
            causes.setdefault(kind, False)
    return Diagnosis(causes)


_DIAGNOSE_RULES = {
    "n_splits": IntRange(2, 20),
    "seed": IntRange(0, 2**32 - 1),
    "budget_seconds": Optional(FloatRange(0.0, None)),
}
DEFAULT_BUDGET_SECONDS: Final[float] = 10.0
"""Pipeline refits the learning and validation curves may cost, projected from ``fit_gap``'s fits."""
_CURVE_FITS: Final[dict[str, int]] = {"learning_curve": 12, "validation_curve": 18}


def resolve(diagnostics: object, scenario: ScenarioSpec, where: str) -> tuple[str, ...]:
    """The diagnostic names a ``diagnostics=`` argument selects for ``scenario``."""
    if diagnostics is None:
        return ()
    if isinstance(diagnostics, str):
        if diagnostics == "default":
            return scenario.diagnostics
        if diagnostics == "all":
            return DEFAULT_DIAGNOSTICS
        diagnostics = [diagnostics]
    if not isinstance(diagnostics, (list, tuple)):
        message = f"{where}: diagnostics must be 'default', 'all', None or a list of names from {list(DIAGNOSTICS)}; got {describe_value(diagnostics)}."
        raise InvalidParameterError(message)
    unknown = [name for name in diagnostics if name not in DIAGNOSTICS]
    if unknown:
        hint = closest(str(unknown[0]), DIAGNOSTICS)
        message = (
            f"{where}: unknown diagnostic {unknown[0]!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
            + f"; choose from {list(DIAGNOSTICS)}."
        )
        raise InvalidParameterError(message)
    return tuple(diagnostics)


def run_diagnostics(
    names: Sequence[str],
    *,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    X_test: pd.DataFrame,
    id_column: str | None,
    pipeline: object = None,
    holdout_score: float | None = None,
    scenario_id: str = "",
    n_splits: int = 5,
    seed: int = 0,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
) -> DiagnosticsReport:
    """Run named diagnostics on frames (the engine behind :func:`diagnose` and ``Case.evaluate``)."""
    from threadpoolctl import threadpool_limits

    # Probes are small: one thread each avoids oversubscribing busy machines.
    with threadpool_limits(limits=1):
        return _run(
            names,
            X_train=X_train,
            y_train=y_train,
            X_test=X_test,
            id_column=id_column,
            pipeline=pipeline,
            holdout_score=holdout_score,
            scenario_id=scenario_id,
            n_splits=n_splits,
            seed=seed,
            budget_seconds=budget_seconds,
        )


def _run(
    names: Sequence[str],
    *,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    X_test: pd.DataFrame,
    id_column: str | None,
    pipeline: object,
    holdout_score: float | None,
    scenario_id: str,
    n_splits: int,
    seed: int,
    budget_seconds: float | None,
) -> DiagnosticsReport:
    findings: list[Finding] = []
    seconds: dict[str, float] = {}
    base_exclude = [id_column] if id_column else []
    started = time.perf_counter()
    ids = identifier_check(X_train, X_test, exclude=base_exclude)
    id_seconds = time.perf_counter() - started
    exclude = [*base_exclude, *ids.evidence["columns"]]  # type: ignore[misc]
    leaks: list[str] = []
    probe: _Probe | None = None
    has_pipeline = _is_pipeline(pipeline)
    order = [name for name in DIAGNOSTICS if name in names]
    if ("label_noise" in order or "temporal_split" in order) and "leakage_scan" not in order:
        leaks = list(leakage_scan(X_train, y_train, exclude=exclude, seed=seed).evidence["columns"])  # type: ignore[call-overload]
    seconds_per_fit: float | None = None
    for name in order:
        started = time.perf_counter()
        spec = DIAGNOSTICS[name]
        projected = None if seconds_per_fit is None else seconds_per_fit * _CURVE_FITS.get(name, 0)
        if spec.needs_pipeline and not has_pipeline:
            finding = _skipped(
                name,
                name.replace("_", " ").capitalize(),
                "needs a pipeline (an estimator or a function), not predictions",
            )
        elif budget_seconds is not None and projected is not None and projected > budget_seconds:
            reason = (
                f"would take about {projected:.0f} s ({_CURVE_FITS[name]} fits at {seconds_per_fit:.1f} s each), over the "
                f"{budget_seconds:g} s budget; run casestudies.diagnose(case, pipeline, diagnostics=[{name!r}], budget_seconds=None) to force it"
            )
            finding = _skipped(name, name.replace("_", " ").capitalize(), reason)
        elif name == "fit_gap":
            finding = fit_gap(pipeline, X_train, y_train, holdout_score=holdout_score, n_splits=n_splits, seed=seed)
            seconds_per_fit = (time.perf_counter() - started) / n_splits
        elif name == "learning_curve":
            finding = learning_curve(pipeline, X_train, y_train, seed=seed)
        elif name == "validation_curve":
            finding = validation_curve(pipeline, X_train, y_train, seed=seed)
        elif name == "dimensionality":
            finding = dimensionality(X_train, y_train, exclude=exclude)
        elif name == "identifiers":
            finding = ids
        elif name == "leakage_scan":
            finding = leakage_scan(X_train, y_train, exclude=exclude, seed=seed)
            leaks = list(finding.evidence["columns"])  # type: ignore[call-overload]
        elif name == "adversarial_validation":
            finding = adversarial_validation(X_train, X_test, exclude=exclude, n_splits=3, seed=seed)
        elif name == "near_duplicates":
            finding = near_duplicates(X_train, X_test, exclude=exclude)
        elif name in ("label_noise", "temporal_split"):
            y_values = np.asarray(y_train, dtype=np.int64)
            column, months = _month_codes(X_train, exclude)
            if probe is None:
                probe = _fit_probe(X_train, y_values, exclude=[*exclude, *leaks], n_splits=n_splits, seed=seed)
            if name == "label_noise":
                finding = _label_noise(X_train, y_values, probe, exclude=exclude)
            elif column is None or int(months.max()) + 1 < 3:
                finding = temporal_split(
                    X_train, y_train, X_test=X_test, exclude=exclude, seed=seed
                )  # the skip message
            else:
                finding = _temporal(X_train, y_values, probe, column=column, months=months, X_test=X_test, seed=seed)
        else:
            finding = class_balance(y_train)
        seconds[name] = round(time.perf_counter() - started + (id_seconds if name == "identifiers" else 0.0), 4)
        findings.append(
            Finding(finding.id, finding.title, finding.text, {**finding.evidence, "seconds": seconds[name]})
        )
    return DiagnosticsReport(scenario_id, tuple(findings), seconds, diagnosis_from_findings(findings))


def diagnose(
    case: Case,
    pipeline: object = None,
    *,
    diagnostics: str | Sequence[str] | None = "all",
    holdout_score: float | None = None,
    n_splits: int = 5,
    seed: int = 0,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
) -> DiagnosticsReport:
    """Run diagnostics on a case (and a pipeline): why is the holdout score what it is?

    Parameters
    ----------
    case : Case
        From :func:`casestudies.make`.
    pipeline : estimator or callable, optional
        Needed by ``fit_gap``, ``learning_curve`` and ``validation_curve``
        (skipped without one). It is cloned for every fit, never changed.
    diagnostics : "all", "default", None or list of str, default="all"
        Which checks to run; names and questions in :data:`DIAGNOSTICS`.
        ``"default"`` is the scenario's default set (what ``evaluate`` runs).
    holdout_score : float, optional
        The pipeline's holdout ROC-AUC, for ``fit_gap``; computed (one more
        fit) when a pipeline is given and this is not.
    n_splits : int, default=5
        Folds of the cross-validations.
    seed : int, default=0
        Seed of folds and probes.
    budget_seconds : float or None, default=10
        ``learning_curve`` (12 fits) and ``validation_curve`` (up to 18) are
        skipped, with the reason, when ``fit_gap``'s fits project them above
        this many seconds; ``None`` runs them whatever they cost.

    Returns
    -------
    DiagnosticsReport
        ``findings`` (one per check), ``seconds`` (cost of each), and the
        ``diagnosis`` they add up to, gradable with
        :meth:`Case.grade_diagnosis`.

    Raises
    ------
    InvalidParameterError
        For an unknown diagnostic name, an out-of-range parameter, or a case
        whose task is not binary.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-leaky-v1", seed=3, n_train=600, n_test=600)
    >>> result = cs.diagnose(case, diagnostics=["identifiers", "leakage_scan", "class_balance"])
    >>> leak = result["leakage_scan"].evidence["columns"]
    >>> leak == case.reveal("world")["faults"]["target_leakage"]["columns"]
    True
    >>> case.grade_diagnosis(result.diagnosis).found
    ('target_leakage',)
    """
    where = f"diagnose({case.spec.id!r})"
    for name, value in (("n_splits", n_splits), ("seed", seed), ("budget_seconds", budget_seconds)):
        check(where, name, value, _DIAGNOSE_RULES[name])  # type: ignore[arg-type]
    names = resolve(diagnostics, case.spec, where)
    if case.spec.task != "binary":
        message = (
            f"{where}: these diagnostics are for binary tasks (0/1 labels, ROC-AUC); {case.spec.id!r} is a {case.spec.task} task. "
            "Its own checks are in the findings of case.evaluate(...)."
        )
        raise InvalidParameterError(message)
    if holdout_score is None and _is_pipeline(pipeline) and "fit_gap" in names:
        holdout_score = case.evaluate(pipeline, baselines=False, diagnostics=None).submission.estimate("roc_auc")
    return run_diagnostics(
        names,
        X_train=case.X_train,
        y_train=case.y_train,
        X_test=case.test,
        id_column=case.id_column,
        pipeline=pipeline,
        holdout_score=holdout_score,
        scenario_id=case.spec.id,
        n_splits=n_splits,
        seed=seed,
        budget_seconds=budget_seconds,
    )
