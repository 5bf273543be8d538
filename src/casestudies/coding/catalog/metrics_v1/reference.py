"""Reference solution of metrics-v1 (hidden from learners): numpy only, O(n log n) for the ranking metrics.

ROC-AUC is the Mann-Whitney statistic on mid-ranks (a tie counts one
half); average precision is scikit-learn's step sum ``sum (R_k - R_{k-1}) P_k``
over the distinct scores from the highest down.

Examples
--------
>>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).tolist()
[[2, 0], [1, 1]]
>>> f1([0, 0], [0, 0])
0.0
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_CLIP = 1e-15  # log loss clips probabilities to [1e-15, 1 - 1e-15] so that a confident mistake costs ~34.5, not inf


def _pair(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    first, second = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if first.size == 0 or first.shape != second.shape:
        raise ValueError(f"expected two non-empty arrays of the same length; got {first.size} and {second.size}")
    return first, second


def confusion_matrix(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """[[tn, fp], [fn, tp]] of 0/1 labels."""
    truth, predicted = _pair(y_true, y_pred)
    counts = np.bincount((2 * truth + predicted).astype(np.int64), minlength=4)
    return counts.reshape(2, 2).astype(np.int64)


def accuracy(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Share of rows predicted right."""
    truth, predicted = _pair(y_true, y_pred)
    return float(np.mean(truth == predicted))


def precision(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """tp / (tp + fp); 0.0 when nothing is predicted positive."""
    (_, fp), (_, tp) = confusion_matrix(y_true, y_pred)
    return float(tp / (tp + fp)) if tp + fp else 0.0


def recall(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """tp / (tp + fn); 0.0 when there is no positive."""
    _, (fn, tp) = confusion_matrix(y_true, y_pred)
    return float(tp / (tp + fn)) if tp + fn else 0.0


def f1(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """2 tp / (2 tp + fp + fn): the harmonic mean of precision and recall; 0.0 when both are 0."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def _ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Mid-ranks (1-based): tied values share the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mid = (starts + ends + 1) / 2
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mid, ends - starts)
    return ranks


def roc_auc(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> float:
    """Probability that a random positive scores above a random negative, ties counting 1/2.

    Raises ValueError when y_true holds one class only.
    """
    truth, scores = _pair(y_true, y_score)
    positive = truth == 1
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        raise ValueError("ROC-AUC needs both classes in y_true")
    rank_sum = float(_ranks(scores)[positive].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def average_precision(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> float:
    """sum over distinct thresholds, highest first, of (R_k - R_{k-1}) * P_k. ValueError without a positive."""
    truth, scores = _pair(y_true, y_score)
    if not truth.any():
        raise ValueError("average precision needs at least one positive in y_true")
    order = np.argsort(-scores, kind="mergesort")
    ordered, labels = scores[order], truth[order]
    last = np.r_[np.flatnonzero(ordered[1:] != ordered[:-1]), len(ordered) - 1]
    tp = np.cumsum(labels)[last]
    predicted = last + 1
    precision_k = tp / predicted
    recall_k = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall_k]) * precision_k))


def log_loss(y_true: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Mean of -[y log p + (1 - y) log(1 - p)], p clipped to [1e-15, 1 - 1e-15]."""
    truth, proba = _pair(y_true, p)
    clipped = np.clip(proba, _CLIP, 1 - _CLIP)
    return float(-np.mean(truth * np.log(clipped) + (1 - truth) * np.log(1 - clipped)))


def rmse(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Root mean squared error."""
    truth, predicted = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((truth - predicted) ** 2)))


def mae(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Mean absolute error."""
    truth, predicted = _pair(y_true, y_pred)
    return float(np.mean(np.abs(truth - predicted)))


def r2(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """1 - SS_res / SS_tot; for a constant y_true, 1.0 when predicted exactly and 0.0 otherwise."""
    truth, predicted = _pair(y_true, y_pred)
    residual = float(np.sum((truth - predicted) ** 2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1 - residual / total
