"""Reference solution of decision-tree-v1 (hidden from learners): CART, vectorised per feature.

At a node, each feature's values are sorted once; cumulative class counts
give every split's child impurities at once, so a node costs O(d n log n).
A split sends ``x <= threshold`` left, with the threshold halfway between
two consecutive distinct values (as scikit-learn). A node is a leaf when it
is pure, at ``max_depth``, smaller than ``2 * min_samples_leaf``, or has no
split leaving ``min_samples_leaf`` rows on each side; otherwise it takes
the split of largest impurity decrease (the first feature, then the lowest
threshold, on a tie).

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
>>> tree = DecisionTreeClassifier(max_depth=1).fit(X, np.array([0, 0, 1, 1]))
>>> tree.predict(np.array([[1.5], [1.6]])).tolist(), best_split(X, np.array([0, 0, 1, 1]))
([0, 1], (0, 1.5))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def _proportions(y: npt.ArrayLike) -> Array:
    _, counts = np.unique(np.asarray(y), return_counts=True)
    shares: Array = counts / counts.sum()
    return shares


def gini(y: npt.ArrayLike) -> float:
    """1 - sum_k p_k^2 over the class shares of the labels y."""
    shares = _proportions(y)
    return float(1 - np.sum(shares**2))


def entropy(y: npt.ArrayLike) -> float:
    """-sum_k p_k log2 p_k over the class shares of the labels y."""
    shares = _proportions(y)
    return float(-np.sum(shares * np.log2(shares)))


def _impurity(counts: Array, criterion: str) -> Array:
    """Impurity of each row of class counts (rows with zero total give 0)."""
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    if criterion == "gini":
        values: Array = 1 - np.sum(shares**2, axis=1)
        return values
    logs = np.log2(shares, out=np.zeros_like(shares), where=shares > 0)
    entropies: Array = -np.sum(shares * logs, axis=1)
    return entropies


def _best(
    X: Array, codes: npt.NDArray[np.int64], n_classes: int, criterion: str, min_leaf: int
) -> tuple[int, float] | None:
    n = len(codes)
    best: tuple[float, int, float] | None = None
    onehot = np.eye(n_classes)[codes]
    total = onehot.sum(axis=0)
    for feature in range(X.shape[1]):
        order = np.argsort(X[:, feature], kind="mergesort")
        values = X[order, feature]
        left = np.cumsum(onehot[order], axis=0)[:-1]  # left counts when the first i + 1 rows go left
        size = np.arange(1, n)
        valid = (values[1:] > values[:-1]) & (size >= min_leaf) & (n - size >= min_leaf)
        if not valid.any():
            continue
        weighted = (size * _impurity(left, criterion) + (n - size) * _impurity(total - left, criterion)) / n
        weighted = np.where(valid, weighted, np.inf)
        position = int(np.argmin(weighted))
        if best is None or weighted[position] < best[0]:
            best = (float(weighted[position]), feature, float((values[position] + values[position + 1]) / 2))
    return None if best is None else (best[1], best[2])


def best_split(
    X: npt.ArrayLike, y: npt.ArrayLike, criterion: str = "gini", min_samples_leaf: int = 1
) -> tuple[int, float] | None:
    """(feature, threshold) of the split with the largest impurity decrease, or None when no split is valid."""
    features = np.asarray(X, dtype=np.float64)
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    return _best(features, codes.astype(np.int64), len(classes), criterion, min_samples_leaf)


@dataclass
class _Node:
    counts: Array
    feature: int = -1
    threshold: float = 0.0
    left: _Node | None = None
    right: _Node | None = None


class DecisionTreeClassifier:
    """A CART classifier: criterion "gini" or "entropy", max_depth (None: unlimited), min_samples_leaf."""

    def __init__(self, criterion: str = "gini", max_depth: int | None = None, min_samples_leaf: int = 1) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> DecisionTreeClassifier:
        """Grow the tree; sets classes_ (sorted labels); returns self."""
        features = np.asarray(X, dtype=np.float64)
        labels = np.asarray(y)
        if features.ndim != 2 or features.shape[0] == 0 or labels.shape != (features.shape[0],):
            raise ValueError(
                f"expected X of shape (n, d) with n >= 1 and y of shape (n,); got {features.shape} and {labels.shape}"
            )
        self.classes_, codes = np.unique(labels, return_inverse=True)
        self.root_ = self._grow(features, codes.astype(np.int64), 0)
        return self

    def _grow(self, X: Array, codes: npt.NDArray[np.int64], depth: int) -> _Node:
        counts = np.bincount(codes, minlength=len(self.classes_)).astype(np.float64)
        node = _Node(counts)
        if (
            np.count_nonzero(counts) <= 1
            or (self.max_depth is not None and depth >= self.max_depth)
            or len(codes) < 2 * self.min_samples_leaf
        ):
            return node
        split = _best(X, codes, len(self.classes_), self.criterion, self.min_samples_leaf)
        if split is None:
            return node
        node.feature, node.threshold = split
        goes_left = X[:, node.feature] <= node.threshold
        node.left = self._grow(X[goes_left], codes[goes_left], depth + 1)
        node.right = self._grow(X[~goes_left], codes[~goes_left], depth + 1)
        return node

    def get_depth(self) -> int:
        """Depth of the fitted tree (a single leaf has depth 0)."""

        def depth(node: _Node | None) -> int:
            if node is None or node.left is None:
                return 0
            return 1 + max(depth(node.left), depth(node.right))

        return depth(self.root_)

    def predict_proba(self, X: npt.ArrayLike) -> Array:
        """Class shares of each row's leaf, columns in the order of classes_."""
        features = np.asarray(X, dtype=np.float64)
        out = np.empty((len(features), len(self.classes_)))
        stack = [(self.root_, np.arange(len(features)))]
        while stack:  # route all rows down together: one vectorised comparison per node
            node, rows = stack.pop()
            if node.left is None or node.right is None:
                out[rows] = node.counts / node.counts.sum()
                continue
            goes_left = features[rows, node.feature] <= node.threshold
            stack += [(node.left, rows[goes_left]), (node.right, rows[~goes_left])]
        return out

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.generic]:
        """The most frequent class of each row's leaf (the smallest label on a tie)."""
        picked: npt.NDArray[np.generic] = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return picked
