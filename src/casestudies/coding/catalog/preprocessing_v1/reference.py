"""Reference solution of preprocessing-v1 (hidden from learners): splits, folds, scaling and one-hot encoding.

The split takes ``ceil(test_size * n)`` test rows from the front of
``np.random.default_rng(seed).permutation(n)``; k-fold gives the first
``n % k`` folds one extra row, as scikit-learn's ``KFold``. Scalers and
encoders learn on the rows given to ``fit`` only and apply what they
learned to any rows after.

Examples
--------
>>> import numpy as np
>>> scaler = StandardScaler().fit(np.array([[1.0], [3.0]]))
>>> scaler.transform(np.array([[5.0]])).tolist()
[[3.0]]
>>> OneHotEncoder().fit(np.array([["b"], ["a"]])).transform(np.array([["a"], ["z"]])).tolist()
[[1.0, 0.0], [0.0, 0.0]]
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def train_test_split(
    X: npt.ArrayLike, y: npt.ArrayLike, test_size: float = 0.25, seed: int = 0
) -> tuple[npt.NDArray[np.generic], npt.NDArray[np.generic], npt.NDArray[np.generic], npt.NDArray[np.generic]]:
    """(X_train, X_test, y_train, y_test): ceil(test_size * n) test rows, rows of X and y kept together."""
    features, target = np.asarray(X), np.asarray(y)
    n = len(features)
    n_test = math.ceil(test_size * n)
    if len(target) != n or n_test == 0 or n_test >= n:
        raise ValueError(f"cannot split {n} rows with test_size={test_size}: both parts need a row")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return features[train], features[test], target[train], target[test]


def kfold_indices(
    n_rows: int, n_splits: int = 5, shuffle: bool = False, seed: int = 0
) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """(train, test) row indices of each fold; the first n_rows % n_splits folds have one extra row."""
    if not 2 <= n_splits <= n_rows:
        raise ValueError(f"n_splits must be between 2 and n_rows={n_rows}; got {n_splits}")
    order = np.random.default_rng(seed).permutation(n_rows) if shuffle else np.arange(n_rows)
    sizes = np.full(n_splits, n_rows // n_splits)
    sizes[: n_rows % n_splits] += 1
    folds = []
    start = 0
    for size in sizes:
        test = order[start : start + size]
        mask = np.ones(n_rows, dtype=bool)
        mask[test] = False
        folds.append((np.flatnonzero(mask), test))
        start += size
    return folds


class StandardScaler:
    """(x - mean) / std per column, learned by fit (population std; a constant column gets scale 1)."""

    def fit(self, X: npt.ArrayLike) -> StandardScaler:
        """Learn mean_ and scale_; returns self."""
        values = np.asarray(X, dtype=np.float64)
        if values.ndim != 2 or len(values) == 0:
            raise ValueError(f"expected a 2-D array with at least one row; got shape {values.shape}")
        self.mean_: Array = values.mean(axis=0)
        std = values.std(axis=0)
        self.scale_: Array = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X: npt.ArrayLike) -> Array:
        """Scale with what fit learned."""
        scaled: Array = (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_
        return scaled

    def fit_transform(self, X: npt.ArrayLike) -> Array:
        """fit, then transform the same rows."""
        return self.fit(X).transform(X)


def scale_train_test(X_train: npt.ArrayLike, X_test: npt.ArrayLike) -> tuple[Array, Array]:
    """Both parts scaled with statistics of the training rows only (no leakage from the test rows)."""
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


class OneHotEncoder:
    """One 0/1 column per (column, category) seen in fit, categories sorted; an unknown category is all zeros."""

    def fit(self, X: npt.ArrayLike) -> OneHotEncoder:
        """Learn categories_ (sorted unique values per column); returns self."""
        values = np.asarray(X)
        if values.ndim != 2 or len(values) == 0:
            raise ValueError(f"expected a 2-D array with at least one row; got shape {values.shape}")
        self.categories_ = [np.unique(values[:, column]) for column in range(values.shape[1])]
        return self

    def transform(self, X: npt.ArrayLike) -> Array:
        """The 0/1 matrix, blocks of columns in the order of the input columns."""
        values = np.asarray(X)
        blocks = []
        for column, categories in enumerate(self.categories_):
            position = np.searchsorted(categories, values[:, column])
            inside = np.minimum(position, len(categories) - 1)
            known = categories[inside] == values[:, column]
            block = np.zeros((len(values), len(categories)))
            block[np.flatnonzero(known), inside[known]] = 1.0
            blocks.append(block)
        return np.hstack(blocks)
