"""Built-in recommenders: the reference rows of the movies reports, and examples of the interface.

Rating predictors implement ``fit(ratings) -> self`` and ``predict(pairs) ->
array`` where ``ratings`` has ``user_id, movie_id, rating`` columns and
``pairs`` ``user_id, movie_id``. Top-N recommenders implement ``fit(ratings)``
and ``recommend(users, k) -> DataFrame`` with ``user_id, movie_id, rank``
(``rank`` 1..k), never recommending a movie the user rated in ``ratings``.
All learned state sits in trailing-underscore attributes; ``__init__`` only
stores its arguments.

Examples
--------
>>> import pandas as pd
>>> ratings = pd.DataFrame({"user_id": [1, 1, 2, 2, 3], "movie_id": [10, 11, 10, 12, 11], "rating": [5, 3, 4, 2, 4]})
>>> model = BiasBaseline().fit(ratings)
>>> model.predict(pd.DataFrame({"user_id": [3], "movie_id": [12]})).round(2)
array([3.49])
>>> MostPopular().fit(ratings).recommend([3], k=2)
   user_id  movie_id  rank
0        3        10     1
1        3        12     2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, cast

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = [
    "BiasBaseline",
    "GlobalMean",
    "ItemKNN",
    "MatrixFactorization",
    "MostPopular",
    "MovieMean",
    "RandomRating",
    "RandomTopN",
]


_MIN_STARS: Final[float] = 1.0
_MAX_STARS: Final[float] = 5.0
"""Predicted ratings are clipped to the star scale."""

_REG_USER: Final[float] = 15.0
_REG_MOVIE: Final[float] = 10.0
_BIAS_ITERATIONS: Final[int] = 10
"""Default ridge penalties (in pseudo-ratings) and sweeps of the bias fit, shared by the bias and MF models."""

_FACTOR_INIT_SD: Final[float] = 0.1
"""Spread of the random starting movie factors of the matrix factorisation."""


class _Index:
    """Dense 0-based codes of the user and movie ids seen in training."""

    def __init__(self, ratings: pd.DataFrame) -> None:
        self.users = np.unique(ratings["user_id"].to_numpy())
        self.movies = np.unique(ratings["movie_id"].to_numpy())
        self.u = np.searchsorted(self.users, ratings["user_id"].to_numpy())
        self.m = np.searchsorted(self.movies, ratings["movie_id"].to_numpy())
        self.r = ratings["rating"].to_numpy(dtype=np.float64)


def _lookup(known: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``ids`` in the sorted array ``known`` and a mask of the ids that are known."""
    position = np.clip(np.searchsorted(known, ids), 0, max(0, len(known) - 1))
    found = known[position] == ids if len(known) else np.zeros(len(ids), dtype=bool)
    return position, found


def _pairs(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return pairs["user_id"].to_numpy(), pairs["movie_id"].to_numpy()


def _clip(values: np.ndarray) -> np.ndarray:
    clipped: np.ndarray = np.clip(values, _MIN_STARS, _MAX_STARS)
    return clipped


class RandomRating:
    """Random stars: normal draws with the training mean and sd (Surprise's NormalPredictor)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, ratings: pd.DataFrame) -> RandomRating:
        stars = ratings["rating"].to_numpy(dtype=np.float64)
        self.mean_, self.sd_ = float(stars.mean()), float(stars.std())
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return _clip(rng.normal(self.mean_, self.sd_, size=len(pairs)))


class GlobalMean:
    """The mean of all training ratings, for every pair."""

    def fit(self, ratings: pd.DataFrame) -> GlobalMean:
        self.mean_ = float(ratings["rating"].mean())
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        return np.full(len(pairs), self.mean_)


class MovieMean:
    """Each movie's mean training rating, shrunk towards the global mean by ``shrinkage`` pseudo-ratings."""

    def __init__(self, shrinkage: float = 5.0) -> None:
        self.shrinkage = shrinkage

    def fit(self, ratings: pd.DataFrame) -> MovieMean:
        index = _Index(ratings)
        self.mean_ = float(index.r.mean())
        sums = np.bincount(index.m, index.r - self.mean_, minlength=len(index.movies))
        counts = np.bincount(index.m, minlength=len(index.movies))
        self.movies_, self.offset_ = index.movies, sums / (counts + self.shrinkage)
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        _, movies = _pairs(pairs)
        position, found = _lookup(self.movies_, movies)
        return _clip(self.mean_ + np.where(found, self.offset_[position], 0.0))


def _fit_biases(index: _Index, reg_user: float, reg_movie: float, n_iter: int) -> tuple[float, np.ndarray, np.ndarray]:
    mean = float(index.r.mean())
    bu, bm = np.zeros(len(index.users)), np.zeros(len(index.movies))
    cu, cm = np.bincount(index.u, minlength=len(bu)), np.bincount(index.m, minlength=len(bm))
    for _ in range(n_iter):
        bm = np.bincount(index.m, index.r - mean - bu[index.u], minlength=len(bm)) / (cm + reg_movie)
        bu = np.bincount(index.u, index.r - mean - bm[index.m], minlength=len(bu)) / (cu + reg_user)
    return mean, bu, bm


class BiasBaseline:
    """Global mean + user bias + movie bias, fitted by regularised alternating least squares."""

    def __init__(
        self, reg_user: float = _REG_USER, reg_movie: float = _REG_MOVIE, n_iter: int = _BIAS_ITERATIONS
    ) -> None:
        self.reg_user = reg_user
        self.reg_movie = reg_movie
        self.n_iter = n_iter

    def fit(self, ratings: pd.DataFrame) -> BiasBaseline:
        index = _Index(ratings)
        self.mean_, self.user_bias_, self.movie_bias_ = _fit_biases(index, self.reg_user, self.reg_movie, self.n_iter)
        self.users_, self.movies_ = index.users, index.movies
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        users, movies = _pairs(pairs)
        up, uf = _lookup(self.users_, users)
        mp, mf = _lookup(self.movies_, movies)
        return _clip(self.mean_ + np.where(uf, self.user_bias_[up], 0.0) + np.where(mf, self.movie_bias_[mp], 0.0))


def _solve_side(
    rows: np.ndarray, cols: np.ndarray, target: np.ndarray, other: np.ndarray, n_rows: int, reg: float
) -> np.ndarray:
    """Ridge solutions ``x_r = argmin sum (t - x_r . other_c)^2 + reg |x_r|^2`` for every row, batched."""
    f = other.shape[1]
    vectors = other[cols]
    gram = np.empty((n_rows, f, f))
    for a in range(f):
        for b in range(a, f):
            gram[:, a, b] = gram[:, b, a] = np.bincount(rows, vectors[:, a] * vectors[:, b], minlength=n_rows)
    rhs = np.stack([np.bincount(rows, vectors[:, a] * target, minlength=n_rows) for a in range(f)], axis=1)
    gram += reg * np.eye(f)
    return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]


class MatrixFactorization:
    """Biased matrix factorisation ``mu + b_u + b_i + p_u . q_i`` fitted by alternating least squares.

    Biases are fitted first (as :class:`BiasBaseline`), then ``n_factors``
    latent factors on the residuals with ridge penalty ``reg`` per rating.
    """

    def __init__(self, n_factors: int = 10, reg: float = 15.0, n_iter: int = 10, seed: int = 0) -> None:
        self.n_factors = n_factors
        self.reg = reg
        self.n_iter = n_iter
        self.seed = seed

    def fit(self, ratings: pd.DataFrame) -> MatrixFactorization:
        index = _Index(ratings)
        self.mean_, self.user_bias_, self.movie_bias_ = _fit_biases(index, _REG_USER, _REG_MOVIE, _BIAS_ITERATIONS)
        residual = index.r - self.mean_ - self.user_bias_[index.u] - self.movie_bias_[index.m]
        rng = np.random.default_rng(self.seed)
        q = rng.normal(0.0, _FACTOR_INIT_SD, size=(len(index.movies), self.n_factors))
        p = np.zeros((len(index.users), self.n_factors))
        for _ in range(self.n_iter):
            p = _solve_side(index.u, index.m, residual, q, len(index.users), self.reg)
            q = _solve_side(index.m, index.u, residual, p, len(index.movies), self.reg)
        self.user_factors_, self.movie_factors_ = p, q
        self.users_, self.movies_ = index.users, index.movies
        self.seen_ = _seen(ratings)
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        users, movies = _pairs(pairs)
        up, uf = _lookup(self.users_, users)
        mp, mf = _lookup(self.movies_, movies)
        both = uf & mf
        interaction = np.where(both, np.einsum("ij,ij->i", self.user_factors_[up], self.movie_factors_[mp]), 0.0)
        return _clip(
            self.mean_ + np.where(uf, self.user_bias_[up], 0.0) + np.where(mf, self.movie_bias_[mp], 0.0) + interaction
        )

    def score_all(self, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted ratings of known ``users`` for every training movie: ``(scores, movie_ids)``."""
        up, uf = _lookup(self.users_, np.asarray(users))
        scores = self.mean_ + self.movie_bias_[None, :] + self.user_factors_[up] @ self.movie_factors_.T
        scores += np.where(uf, self.user_bias_[up], 0.0)[:, None]
        scores[~uf] = (self.mean_ + self.movie_bias_)[None, :]
        return scores, self.movies_

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        """Top ``k`` unseen movies by predicted rating for each user."""
        users = np.asarray(users)
        scores, movies = self.score_all(users)
        return _top_k(users, scores, movies, self.seen_, k)


def _seen(ratings: pd.DataFrame) -> dict[int, np.ndarray]:
    grouped = ratings.groupby("user_id")["movie_id"]
    # The group keys are user ids, integers; cast narrows pandas' scalar union for the type checker.
    return {int(cast(int, user)): np.asarray(movies) for user, movies in grouped}


def _top_k(
    users: np.ndarray, scores: np.ndarray, movies: np.ndarray, seen: dict[int, np.ndarray], k: int
) -> pd.DataFrame:
    """The ``k`` best-scoring movies per user (row of ``scores``), excluding movies each user has seen."""
    scores = np.array(scores, dtype=np.float64)
    for row, user in enumerate(users):
        rated = seen.get(int(user))
        if rated is not None and len(rated):
            position = np.searchsorted(movies, rated)
            position = position[(position < len(movies)) & (movies[np.minimum(position, len(movies) - 1)] == rated)]
            scores[row, position] = -np.inf
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable"), axis=1)
    recommended: pd.DataFrame = pd.DataFrame(
        {
            "user_id": np.repeat(users, k),
            "movie_id": movies[order].ravel(),
            "rank": np.tile(np.arange(1, k + 1), len(users)),
        }
    )
    return recommended


class RandomTopN:
    """Uniformly random unseen movies."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, ratings: pd.DataFrame) -> RandomTopN:
        self.movies_ = np.unique(ratings["movie_id"].to_numpy())
        self.seen_ = _seen(ratings)
        return self

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        users = np.asarray(users)
        scores = np.random.default_rng(self.seed).random((len(users), len(self.movies_)))
        return _top_k(users, scores, self.movies_, self.seen_, k)


class MostPopular:
    """The most-rated movies each user has not rated yet."""

    def fit(self, ratings: pd.DataFrame) -> MostPopular:
        self.movies_, counts = np.unique(ratings["movie_id"].to_numpy(), return_counts=True)
        self.counts_ = counts.astype(np.float64)
        self.seen_ = _seen(ratings)
        return self

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        users = np.asarray(users)
        return _top_k(users, np.tile(self.counts_, (len(users), 1)), self.movies_, self.seen_, k)


class ItemKNN:
    """Item-based k-nearest neighbours on who-rated-what (cosine similarity, ``n_neighbors`` per movie)."""

    def __init__(self, n_neighbors: int = 50, shrinkage: float = 10.0) -> None:
        self.n_neighbors = n_neighbors
        self.shrinkage = shrinkage

    def fit(self, ratings: pd.DataFrame) -> ItemKNN:
        index = _Index(ratings)
        matrix = sparse.csr_matrix(
            (np.ones(len(index.u)), (index.u, index.m)), shape=(len(index.users), len(index.movies))
        )
        co = (matrix.T @ matrix).toarray()
        norms = np.sqrt(np.diag(co))
        similarity = co / (np.outer(norms, norms) + self.shrinkage)
        np.fill_diagonal(similarity, 0.0)
        k = min(self.n_neighbors, similarity.shape[1] - 1)
        if k > 0:
            weakest = np.argpartition(-similarity, k, axis=1)[:, k:]
            np.put_along_axis(similarity, weakest, 0.0, axis=1)
        self.similarity_ = sparse.csr_matrix(similarity)
        self.matrix_, self.users_, self.movies_ = matrix, index.users, index.movies
        self.seen_ = _seen(ratings)
        return self

    def recommend(self, users: Sequence[int] | np.ndarray, k: int = 10) -> pd.DataFrame:
        users = np.asarray(users)
        up, uf = _lookup(self.users_, users)
        scores = np.asarray((self.matrix_[up] @ self.similarity_).todense())
        scores[~uf] = 0.0
        return _top_k(users, scores, self.movies_, self.seen_, k)
