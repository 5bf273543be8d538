"""Ranking-trained top-N references: EASE and implicit-feedback ALS.

Both learn from who-rated-what only (a rating, whatever its stars, is a
positive) and rank unseen movies, like :class:`ItemKNN`; they are the
strong baselines of the top-N literature (Steck 2019; Hu, Koren & Volinsky
2008).

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from casestudies.scenarios.movies._recommenders import _Index, _lookup, _seen, _top_k

__all__ = ["EASE", "ImplicitALS"]


def _interactions(ratings: pd.DataFrame) -> tuple[_Index, sparse.csr_matrix]:
    index = _Index(ratings)
    matrix = sparse.csr_matrix((np.ones(len(index.u)), (index.u, index.m)), shape=(len(index.users), len(index.movies)))
    return index, matrix


class EASE:
    """Steck's EASE: item-item weights ``B = I - P / diag(P)``, ``P = (X'X + lambda I)^-1``, zero diagonal.

    Parameters
    ----------
    reg : float
        The ridge penalty ``lambda`` (a few hundred on MovieLens scale).

    Examples
    --------
    >>> import pandas as pd
    >>> ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3], "movie_id": [10, 11, 10, 12, 11],
    ...                         "rating": [5, 3, 4, 2, 4]})
    >>> EASE(reg=1.0).fit(ratings).recommend([3], k=2)["movie_id"].tolist()
    [10, 12]
    """

    def __init__(self, reg: float = 300.0) -> None:
        self.reg = reg

    def fit(self, ratings: pd.DataFrame) -> EASE:
        index, matrix = _interactions(ratings)
        gram = (matrix.T @ matrix).toarray()
        gram[np.diag_indices_from(gram)] += self.reg
        inverse = np.linalg.inv(gram)
        weights = -inverse / np.diag(inverse)[None, :]
        np.fill_diagonal(weights, 0.0)
        self.weights_, self.matrix_, self.users_, self.movies_ = weights, matrix, index.users, index.movies
        self.seen_ = _seen(ratings)
        return self

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        """Top ``k`` unseen movies by ``x_u B`` for each user (unknown users: by popularity)."""
        users = np.asarray(users)
        up, uf = _lookup(self.users_, users)
        scores = np.asarray(self.matrix_[up] @ self.weights_)
        scores[~uf] = np.asarray(self.matrix_.sum(axis=0)).ravel()[None, :]
        return _top_k(users, scores, self.movies_, self.seen_, k)


class ImplicitALS:
    """Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008), fitted by alternating least squares.

    Every rated pair is a positive with confidence ``1 + alpha``, every other
    pair a zero with confidence 1; ``n_factors`` factors, ridge ``reg``.

    Examples
    --------
    >>> import pandas as pd
    >>> ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3], "movie_id": [10, 11, 10, 12, 11],
    ...                         "rating": [5, 3, 4, 2, 4]})
    >>> len(ImplicitALS(n_factors=2, n_iter=3).fit(ratings).recommend([3], k=2))
    2
    """

    def __init__(
        self, n_factors: int = 32, reg: float = 10.0, alpha: float = 5.0, n_iter: int = 10, seed: int = 0
    ) -> None:
        self.n_factors = n_factors
        self.reg = reg
        self.alpha = alpha
        self.n_iter = n_iter
        self.seed = seed

    def fit(self, ratings: pd.DataFrame) -> ImplicitALS:
        index, matrix = _interactions(ratings)
        rng = np.random.default_rng(self.seed)
        x = rng.normal(0.0, 0.01, size=(len(index.users), self.n_factors))
        y = rng.normal(0.0, 0.01, size=(len(index.movies), self.n_factors))
        by_movie = matrix.T.tocsr()
        for _ in range(self.n_iter):
            x = self._solve(matrix, y)
            y = self._solve(by_movie, x)
        self.user_factors_, self.movie_factors_ = x, y
        self.users_, self.movies_ = index.users, index.movies
        self.popularity_ = np.asarray(matrix.sum(axis=0)).ravel()
        self.seen_ = _seen(ratings)
        return self

    def _solve(self, rows: sparse.csr_matrix, other: np.ndarray) -> np.ndarray:
        """Factors of every row given the other side's: ``(Y'Y + a Y_r'Y_r + reg I) x = (1 + a) Y_r' 1``."""
        gram = other.T @ other + self.reg * np.eye(self.n_factors)
        systems = np.empty((rows.shape[0], self.n_factors, self.n_factors))
        sums = np.empty((rows.shape[0], self.n_factors))
        for row in range(rows.shape[0]):
            block = other[rows.indices[rows.indptr[row] : rows.indptr[row + 1]]]
            systems[row] = gram + self.alpha * (block.T @ block)
            sums[row] = block.sum(axis=0)
        solved: np.ndarray = np.linalg.solve(systems, (1.0 + self.alpha) * sums[:, :, None])[:, :, 0]
        return solved

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        """Top ``k`` unseen movies by ``x_u . y_i`` for each user (unknown users: by popularity)."""
        users = np.asarray(users)
        up, uf = _lookup(self.users_, users)
        scores = self.user_factors_[up] @ self.movie_factors_.T
        scores[~uf] = self.popularity_[None, :]
        return _top_k(users, scores, self.movies_, self.seen_, k)
