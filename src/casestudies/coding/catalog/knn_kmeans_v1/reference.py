"""Reference solution of knn-kmeans-v1 (hidden from learners): brute-force neighbours and Lloyd's k-means.

Squared distances come from ``|a|^2 + |b|^2 - 2 a.b`` (one matrix product,
clipped at 0). kNN votes among the ``k`` nearest training rows (a tie goes to
the smallest label); k-means alternates nearest-centre assignment and
centre means until the centres move (in total squared distance) by at most
``tol``, keeping a centre that loses all its rows.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
>>> KNNClassifier(n_neighbors=1).fit(X, np.array([0, 0, 1, 1])).predict(np.array([[4.0]])).tolist()
[1]
>>> KMeans(n_clusters=2, init=np.array([[0.0], [1.0]])).fit(X).cluster_centers_.ravel().tolist()
[0.05, 5.05]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def _rows(X: npt.ArrayLike) -> Array:
    values = np.asarray(X, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"expected a 2-D array with at least one row; got shape {values.shape}")
    return values


def pairwise_sq_distances(A: npt.ArrayLike, B: npt.ArrayLike) -> Array:
    """Squared Euclidean distances, shape (len(A), len(B))."""
    left, right = _rows(A), _rows(B)
    squared = np.sum(left**2, axis=1)[:, None] + np.sum(right**2, axis=1)[None, :] - 2 * left @ right.T
    clipped: Array = np.maximum(squared, 0.0)
    return clipped


class KNNClassifier:
    """Majority vote of the n_neighbors nearest training rows (Euclidean distance)."""

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> KNNClassifier:
        """Store the training rows; sets classes_; returns self. ValueError when n_neighbors > rows."""
        self.X_ = _rows(X)
        labels = np.asarray(y)
        if labels.shape != (len(self.X_),):
            raise ValueError("y must hold one label per row of X")
        if not 1 <= self.n_neighbors <= len(self.X_):
            raise ValueError(f"n_neighbors must be between 1 and the {len(self.X_)} training rows")
        self.classes_, self.codes_ = np.unique(labels, return_inverse=True)
        return self

    def predict_proba(self, X: npt.ArrayLike) -> Array:
        """Share of each class among the neighbours, columns in the order of classes_."""
        distances = pairwise_sq_distances(X, self.X_)
        nearest = np.argpartition(distances, self.n_neighbors - 1, axis=1)[:, : self.n_neighbors]
        votes = self.codes_[nearest]
        counts = (votes[:, :, None] == np.arange(len(self.classes_))).sum(axis=1)
        shares: Array = counts / self.n_neighbors
        return shares

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.generic]:
        """The most frequent class among the neighbours (the smallest label on a tie)."""
        picked: npt.NDArray[np.generic] = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return picked


class KMeans:
    """Lloyd's k-means from init (an array of centres) or n_clusters distinct random rows (seeded)."""

    def __init__(
        self,
        n_clusters: int = 8,
        max_iter: int = 300,
        tol: float = 1e-10,
        init: npt.ArrayLike | None = None,
        seed: int = 0,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.seed = seed

    def fit(self, X: npt.ArrayLike) -> KMeans:
        """Sets cluster_centers_, labels_, inertia_ and n_iter_; returns self."""
        data = _rows(X)
        if not 1 <= self.n_clusters <= len(data):
            raise ValueError(f"n_clusters must be between 1 and the {len(data)} rows")
        if self.init is None:
            rows = np.random.default_rng(self.seed).choice(len(data), self.n_clusters, replace=False)
            centres = data[rows].copy()
        else:
            centres = np.array(self.init, dtype=np.float64)
        self.n_iter_ = 0
        for iteration in range(1, self.max_iter + 1):
            self.n_iter_ = iteration
            labels = np.argmin(pairwise_sq_distances(data, centres), axis=1)
            counts = np.bincount(labels, minlength=self.n_clusters)
            sums = np.zeros_like(centres)
            np.add.at(sums, labels, data)
            updated = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
            shift = float(np.sum((updated - centres) ** 2))
            centres = updated
            if shift <= self.tol:
                break
        self.cluster_centers_: Array = centres
        distances = pairwise_sq_distances(data, centres)
        self.labels_ = np.argmin(distances, axis=1)
        self.inertia_ = float(np.sum(distances[np.arange(len(data)), self.labels_]))
        return self

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Index of the nearest centre of each row."""
        nearest: npt.NDArray[np.intp] = np.argmin(pairwise_sq_distances(X, self.cluster_centers_), axis=1)
        return nearest
