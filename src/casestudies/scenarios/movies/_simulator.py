"""The ``movies-rating-*`` and ``movies-topn-*`` cases: a simulated world, split into train and holdout.

``generate_rating`` holds out a share of every user's ratings (at random or
the latest) and keeps the expected rating of every held-out pair and of a
sample of pairs nobody rated. ``generate_topn`` holds out every user's latest
ratings, and all but the first few of the cold-start users', and keeps what
the top-N metrics need: the relevant held-out movies, what each user has
seen, and the oracle's recommendations from the world's expected ratings.
The world itself is simulated in :mod:`casestudies.scenarios.movies._world`
(``-v2``: release dates, sessions and drifting interests, a realistic tail;
``-v3``: the same world whose users also differ in how consistently they
rate, with the weight of personal taste in the stars to match) or, frozen
as released, :mod:`casestudies.scenarios.movies._world_v1` (``-v1``); the
splits are the same for every version.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse

from casestudies.core import ScenarioData, SizeEstimate
from casestudies.scenarios.movies._timeline import _RATINGS_PER_SESSION
from casestudies.scenarios.movies._world import _BLOCK_CELLS, _MAX_RATED_SHARE, GENRES, MovieWorld, simulate_world
from casestudies.scenarios.movies._world_v1 import simulate_world as simulate_world_v1
from casestudies.scoring import TOPN_K, TopNContext

__all__ = [
    "V2_WORLD",
    "generate_rating",
    "generate_rating_v2",
    "generate_rating_v3",
    "generate_topn",
    "generate_topn_v2",
    "generate_topn_v3",
]

V2_WORLD: Final[dict[str, object]] = {"noise_spread": 0.0, "taste_weight": 1.0}
"""The world of the ``-v2`` ids, as released: one rating noise for every user, and personal taste weighing in
the stars as in what users pick (``-v3`` declares both as parameters)."""

_Simulate = Callable[
    [Mapping[str, object], np.random.Generator], tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, MovieWorld]
]
"""A world simulator: ``simulate_world`` of ``_world`` (v2) or of ``_world_v1``."""

# Holdouts and truth.
_UNSEEN_EXTRA_DRAWS: Final[int] = 100  # candidate unseen pairs: twice the number wanted plus this many
_RATED_BLOCK: Final[int] = 2_000_000  # ratings looked up at once among the unseen-pair candidates
_RELEVANT_STARS: Final[int] = 4  # a held-out rating of this many stars or more is relevant
_ORACLE_BLOCK_USERS: Final[int] = 500  # users whose expected ratings of every movie are computed at once


def rating_matrix(ratings: pd.DataFrame, n_users: int, n_movies: int) -> sparse.csr_matrix:
    """Sparse ``(n_users, n_movies)`` matrix of the stars in ``ratings`` (ids are 1-based)."""
    return sparse.csr_matrix(
        (
            ratings["rating"].to_numpy(dtype=np.float64),
            (ratings["user_id"].to_numpy() - 1, ratings["movie_id"].to_numpy() - 1),
        ),
        shape=(n_users, n_movies),
    )


def _holdout_mask(ratings: pd.DataFrame, fraction: float, split: str, rng: np.random.Generator) -> np.ndarray:
    """Per user, the last (temporal) or a random ``floor(fraction * n_u)`` ratings are held out."""
    users = ratings["user_id"].to_numpy()
    key = (
        ratings["timestamp"].to_numpy().astype(np.int64).astype(np.float64)
        if split == "temporal"
        else rng.random(len(ratings))
    )
    order = np.lexsort((-key, users))  # by user, latest / random-first within user
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    position = np.arange(len(order)) - np.repeat(starts, sizes)
    held = position < np.repeat(np.floor(fraction * sizes).astype(np.int64), sizes)
    mask = np.zeros(len(ratings), dtype=bool)
    mask[order] = held
    return mask


def _seen_matrix(train: pd.DataFrame, n_users: int, n_movies: int) -> sparse.csr_matrix:
    """``seen[user_id, movie_id] == 1`` for training pairs (1-based ids, row/column 0 unused)."""
    return sparse.csr_matrix(
        (np.ones(len(train), dtype=np.int8), (train["user_id"].to_numpy(), train["movie_id"].to_numpy())),
        shape=(n_users + 1, n_movies + 1),
    )


def _info(ratings: pd.DataFrame, n_users: int, n_movies: int, params: Mapping[str, object]) -> dict[str, object]:
    per_user = np.bincount(ratings["user_id"].to_numpy(), minlength=n_users + 1)[1:]
    return {
        "n_users": n_users,
        "n_movies": n_movies,
        "n_ratings": len(ratings),
        "density": round(len(ratings) / (n_users * n_movies), 5),
        "median_ratings_per_user": float(np.median(per_user)),
        "min_ratings_per_user": int(per_user.min()),
        "mean_rating": round(float(ratings["rating"].mean()), 4),
        "period": f"{ratings['timestamp'].min():%Y-%m-%d} to {ratings['timestamp'].max():%Y-%m-%d}",
        "missing_not_at_random": bool(params["mnar"]),
    }


def _hidden(world: MovieWorld, params: Mapping[str, object]) -> dict[str, object]:
    return {
        "thresholds": [round(float(c), 6) for c in world.thresholds],
        "noise_sd": float(world.noise_sd),
        "n_factors": int(world.user_factors.shape[1]),
        "missing_not_at_random": bool(params["mnar"]),
    }


_COLUMNS = ["rating_id", "user_id", "movie_id", "timestamp", "rating"]


def generate_rating(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-rating-v1`` case: predict held-out star ratings.

    Every user's ratings are split, a ``test_fraction`` of each user's ratings
    held out (at random, or the latest ones with ``split="temporal"``).
    Besides the held-out stars the truth holds every held-out pair's expected
    rating, and the Case keeps a uniform sample of ``n_unseen_pairs`` pairs
    nobody rated with their expected ratings (full-catalog truth).

    Parameters
    ----------
    params : Mapping
        Parameters declared in ``movies-rating-v1.toml``.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    ScenarioData
        ``train``/``test`` ratings (``rating_id, user_id, movie_id, timestamp,
        rating``), ``tables`` ``movies`` and ``users``, truth ``expected_rating``.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.7,
    ...               min_ratings=20, test_fraction=0.2, split="random", n_unseen_pairs=500)
    >>> data = generate_rating(params, np.random.default_rng(0))
    >>> len(data.train) + len(data.test), sorted(data.tables)
    (2000, ['movies', 'users'])
    """
    return _generate_rating(params, rng, simulate_world_v1)


def generate_rating_v2(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-rating-v2`` case: :func:`generate_rating`'s split of the v2 world (:data:`V2_WORLD`).

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.68,
    ...               min_ratings=20, obscure_share=0.25, test_fraction=0.2, split="random", n_unseen_pairs=500)
    >>> data = generate_rating_v2(params, np.random.default_rng(0))
    >>> len(data.train) + len(data.test), "release_date" in data.tables["movies"]
    (2000, True)
    """
    return _generate_rating({**params, **V2_WORLD}, rng, simulate_world)


def generate_rating_v3(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-rating-v3`` case: v2's, in a world whose users differ in how consistently they rate.

    ``noise_spread`` and ``taste_weight`` are parameters here (v2 fixes them
    at :data:`V2_WORLD`).

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.725,
    ...               noise_spread=0.25, taste_weight=1.1, min_ratings=20, obscure_share=0.25, test_fraction=0.2,
    ...               split="random", n_unseen_pairs=500)
    >>> data = generate_rating_v3(params, np.random.default_rng(0))
    >>> len(data.train) + len(data.test), "release_date" in data.tables["movies"]
    (2000, True)
    """
    return _generate_rating(params, rng, simulate_world)


def _generate_rating(params: Mapping[str, object], rng: np.random.Generator, simulate: _Simulate) -> ScenarioData:
    world_rng, split_rng, unseen_rng = rng.spawn(3)
    ratings, movies, users, world = simulate(params, world_rng)
    n_users, n_movies = world.n_users, world.n_movies
    ratings.insert(0, "rating_id", np.arange(1, len(ratings) + 1, dtype=np.int64))
    held = _holdout_mask(ratings, float(params["test_fraction"]), str(params["split"]), split_rng)  # type: ignore[arg-type]
    train, test = (
        ratings.loc[~held, _COLUMNS].reset_index(drop=True),
        ratings.loc[held, _COLUMNS].reset_index(drop=True),
    )
    truth = pd.DataFrame({"expected_rating": ratings.loc[held, "expected_rating"].to_numpy()})
    unseen = _unseen_pairs(ratings, n_users, n_movies, int(params["n_unseen_pairs"]), unseen_rng)  # type: ignore[call-overload]
    unseen_expected = world.expected(unseen["user_id"].to_numpy() - 1, unseen["movie_id"].to_numpy() - 1)
    return ScenarioData(
        train=train,
        test=test,
        target="rating",
        id_column="rating_id",
        truth=truth,
        train_truth=pd.DataFrame({"expected_rating": ratings.loc[~held, "expected_rating"].to_numpy()}),
        info=_info(ratings, n_users, n_movies, params),
        hidden=_hidden(world, params),
        tables={"movies": movies, "users": users},
        extras={
            "n_movies": n_movies,
            "user_ids": np.arange(1, n_users + 1),
            "unseen_pairs": unseen,
            "unseen_expected": unseen_expected,
            "world": world,
        },
    )


def _unseen_pairs(
    ratings: pd.DataFrame, n_users: int, n_movies: int, n_unseen: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Full-catalog truth: up to ``n_unseen`` distinct, uniformly random pairs nobody rated."""
    n_draws = 2 * n_unseen + _UNSEEN_EXTRA_DRAWS
    draw_u = rng.integers(1, n_users + 1, size=n_draws)
    draw_m = rng.integers(1, n_movies + 1, size=n_draws)
    keys = draw_u * (n_movies + 1) + draw_m
    # Which candidates were rated: the ratings are looked up among the few candidates, a block at a time.
    candidates = np.unique(keys)
    rated = np.zeros(len(candidates), dtype=bool)
    users, movies = ratings["user_id"].to_numpy(), ratings["movie_id"].to_numpy()
    for start in range(0, len(users), _RATED_BLOCK):
        block = users[start : start + _RATED_BLOCK] * (n_movies + 1) + movies[start : start + _RATED_BLOCK]
        where = np.minimum(np.searchsorted(candidates, block), len(candidates) - 1)
        rated[where[candidates[where] == block]] = True
    keep = ~rated[np.searchsorted(candidates, keys)] & ~pd.Series(keys).duplicated().to_numpy()
    unseen: pd.DataFrame = pd.DataFrame({"user_id": draw_u[keep][:n_unseen], "movie_id": draw_m[keep][:n_unseen]})
    return unseen


@dataclass(frozen=True, slots=True)
class _TopNSplit:
    """The top-N holdout: held-out ratings, the users to recommend for and their relevant movies."""

    train: pd.DataFrame
    heldout: pd.DataFrame
    relevant: pd.DataFrame  # held-out ratings of _RELEVANT_STARS or more
    test_users: np.ndarray  # ids of users with at least one relevant held-out rating
    cold: np.ndarray  # per test user: a cold-start user


def generate_topn(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-topn-v1`` case: recommend k movies per test user.

    Each user's latest ``test_fraction`` of ratings is held out; a
    ``cold_start_fraction`` of users keep only their first
    ``cold_start_ratings`` ratings in train (the rest held out). Test users
    are those with at least one held-out rating of 4 or 5 stars (relevant).

    Parameters
    ----------
    params : Mapping
        Parameters declared in ``movies-topn-v1.toml``.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    ScenarioData
        ``train`` ratings, ``test`` one row per user to recommend for
        (``user_id``), ``tables``, per-user truth (``n_heldout``,
        ``n_relevant``, ``cold_start``, ``relevant_movies``) and the hidden
        scoring context and oracle recommendations.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=80, n_movies=150, n_ratings=3_000, n_factors=4, mnar=True, noise_sd=0.7, min_ratings=20,
    ...               test_fraction=0.2, cold_start_fraction=0.1, cold_start_ratings=5)
    >>> data = generate_topn(params, np.random.default_rng(0))
    >>> list(data.test.columns), bool(data.truth["n_relevant"].min() >= 1)
    (['user_id'], True)
    """
    return _generate_topn(params, rng, simulate_world_v1)


def generate_topn_v2(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-topn-v2`` case: :func:`generate_topn`'s split of the v2 world (:data:`V2_WORLD`).

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=80, n_movies=150, n_ratings=3_000, n_factors=4, mnar=True, noise_sd=0.68,
    ...               min_ratings=20, obscure_share=0.25, test_fraction=0.2, cold_start_fraction=0.1,
    ...               cold_start_ratings=5)
    >>> data = generate_topn_v2(params, np.random.default_rng(0))
    >>> list(data.test.columns), "release_date" in data.tables["movies"]
    (['user_id'], True)
    """
    return _generate_topn({**params, **V2_WORLD}, rng, simulate_world)


def generate_topn_v3(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-topn-v3`` case: v2's, in a world whose users differ in how consistently they rate.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=80, n_movies=150, n_ratings=3_000, n_factors=4, mnar=True, noise_sd=0.725,
    ...               noise_spread=0.25, taste_weight=1.1, min_ratings=20, obscure_share=0.25, test_fraction=0.2,
    ...               cold_start_fraction=0.1, cold_start_ratings=5)
    >>> data = generate_topn_v3(params, np.random.default_rng(0))
    >>> list(data.test.columns), bool(data.truth["n_relevant"].min() >= 1)
    (['user_id'], True)
    """
    return _generate_topn(params, rng, simulate_world)


def _generate_topn(params: Mapping[str, object], rng: np.random.Generator, simulate: _Simulate) -> ScenarioData:
    world_rng, split_rng = rng.spawn(2)
    ratings, movies, users, world = simulate(params, world_rng)
    n_users, n_movies = world.n_users, world.n_movies
    ratings.insert(0, "rating_id", np.arange(1, len(ratings) + 1, dtype=np.int64))
    split = _split_topn(ratings, params, n_users, split_rng)
    test_users = split.test_users
    context, seen = topn_context(world, split.train, split.relevant, test_users, split.cold, movies)
    n_relevant = context.n_relevant
    info = _info(ratings, n_users, n_movies, params) | {
        "test_users": len(test_users),
        "cold_start_users": int(split.cold.sum()),
        "k": TOPN_K,
    }
    return ScenarioData(
        train=split.train,
        test=pd.DataFrame({"user_id": test_users.astype(np.int64)}),
        target="rating",
        id_column="user_id",
        truth=_topn_truth(split, n_users, n_relevant),
        info=info,
        hidden=_hidden(world, params),
        tables={"movies": movies, "users": users},
        extras={
            "n_movies": n_movies,
            "seen": seen,
            "context": context,
            "oracle": _oracle_topn(world, test_users, seen),
            "world": world,
            "heldout": split.heldout[_COLUMNS].reset_index(drop=True),
        },
    )


def topn_context(
    world: MovieWorld,
    train: pd.DataFrame,
    relevant: pd.DataFrame,
    test_users: np.ndarray,
    cold: np.ndarray,
    movies: pd.DataFrame,
) -> tuple[TopNContext, sparse.csr_matrix]:
    """What the top-N scorer knows of a split (relevant movies per test user, popularity, true ratings, genres),
    and the users' seen movies in training.

    ``relevant`` holds the held-out ratings that count (``user_id``,
    ``movie_id``); ``test_users`` the ids of the test rows, in order;
    ``cold`` which of them are cold-start users.
    """
    n_users, n_movies = world.n_users, world.n_movies
    row_of = np.full(n_users + 1, -1, dtype=np.int64)
    row_of[test_users] = np.arange(len(test_users))
    relevant_matrix = sparse.csr_matrix(
        (np.ones(len(relevant)), (row_of[relevant["user_id"].to_numpy()], relevant["movie_id"].to_numpy())),
        shape=(len(test_users), n_movies + 1),
    )
    seen = _seen_matrix(train, n_users, n_movies)
    train_counts = np.bincount(train["movie_id"].to_numpy(), minlength=n_movies + 1)[1:]
    popularity = np.r_[0.0, train_counts / n_users]
    user_index = test_users - 1

    def true_rating(rows: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        return world.expected(user_index[rows], movie_ids - 1)

    genres = movies["genres"].str.get_dummies("|").reindex(columns=list(GENRES), fill_value=0).to_numpy(dtype=bool)
    genre_rows = np.vstack([np.zeros((1, len(GENRES)), dtype=bool), genres])  # row = movie id
    n_relevant = np.diff(relevant_matrix.indptr)
    context = TopNContext(relevant_matrix, n_relevant, cold, popularity, true_rating, n_movies, genre_rows)
    return context, seen


def _split_topn(
    ratings: pd.DataFrame, params: Mapping[str, object], n_users: int, rng: np.random.Generator
) -> _TopNSplit:
    """Hold out each user's latest ratings, and all but the first few of the cold-start users'."""
    held = _holdout_mask(ratings, float(params["test_fraction"]), "temporal", rng)  # type: ignore[arg-type]
    cold_users = np.flatnonzero(rng.random(n_users) < float(params["cold_start_fraction"])) + 1  # type: ignore[arg-type]
    is_cold = np.isin(ratings["user_id"].to_numpy(), cold_users)
    first = ratings.groupby("user_id").cumcount().to_numpy()  # ratings are sorted by time
    held |= is_cold & (first >= int(params["cold_start_ratings"]))  # type: ignore[call-overload]
    heldout = ratings.loc[held]
    relevant = heldout[heldout["rating"] >= _RELEVANT_STARS]
    test_users = np.unique(relevant["user_id"].to_numpy())
    return _TopNSplit(
        train=ratings.loc[~held, _COLUMNS].reset_index(drop=True),
        heldout=heldout,
        relevant=relevant,
        test_users=test_users,
        cold=np.isin(test_users, cold_users),
    )


def _topn_truth(split: _TopNSplit, n_users: int, n_relevant: np.ndarray) -> pd.DataFrame:
    """Per test user: held-out and relevant counts, cold start, and the relevant movie ids joined by ``|``."""
    n_heldout = np.bincount(split.heldout["user_id"].to_numpy(), minlength=n_users + 1)[split.test_users]
    relevant_sorted = split.relevant.sort_values(["user_id", "movie_id"])
    lists = relevant_sorted.groupby("user_id")["movie_id"].agg(lambda m: "|".join(map(str, m)))
    truth: pd.DataFrame = pd.DataFrame(
        {
            "n_heldout": n_heldout.astype(np.int64),
            "n_relevant": n_relevant.astype(np.int64),
            "cold_start": split.cold,
            "relevant_movies": pd.array(lists.reindex(split.test_users).to_numpy(), dtype="string"),
        }
    )
    return truth


def _oracle_topn(world: MovieWorld, test_users: np.ndarray, seen: sparse.csr_matrix) -> np.ndarray:
    """The ``TOPN_K`` unseen movies of highest expected rating per test user, best first (movie ids)."""
    k = TOPN_K
    oracle = np.empty((len(test_users), k), dtype=np.int64)
    for start in range(0, len(test_users), _ORACLE_BLOCK_USERS):
        block = test_users[start : start + _ORACLE_BLOCK_USERS]
        scores = world.expected_block(block - 1)
        scores[seen[block][:, 1:].toarray() > 0] = -np.inf
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_first = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
        oracle[start : start + len(block)] = np.take_along_axis(top, best_first, axis=1) + 1
    return oracle


# The memory guard's model of make's peak, beyond what the process held before: the largest of three moments
# (picking, stamping and splitting, the top-N oracle), calibrated on the peak RSS of fresh processes
# (benchmarks/bench_movies_scale.py): movies-rating-v2 needed 0.08 GB at ML-100K, 0.23-0.25 GB at ML-1M and
# 4.0 GB at ML-20M (20 M ratings) beyond the imports.
PEAK_BYTES_PER_RATING: Final[int] = 210
"""Peak memory of ``make`` per rating (or kept unseen pair) while ratings are stamped and split, the Case's copies
included: 200 bytes measured at ML-20M scale and 180-200 at ML-1M (beside fixed costs); 5 % more for safety."""
_FIXED_BYTES: Final[int] = 48 * 2**20  # modules imported on the way, allocator slack: RSS beyond the arrays
_BYTES_PER_SESSION_SLOT: Final[int] = 8  # stamping: each user's session start shares, as many as anyone's sessions
_SESSION_ROOM: Final[float] = 1.25  # the most sessions of any user, over its expected number (Poisson spread)
_BYTES_PER_EXPOSURE_CELL: Final[int] = 56  # picking: float64 keys of a block of users x every movie (52 measured)
_BYTES_PER_PICK: Final[int] = 32  # picking: each rating's user and movie index, twice while the blocks are joined
_BYTES_PER_ORACLE_CELL: Final[int] = 48  # top-N oracle: expected ratings of a block of test users x every movie
_BYTES_PER_SPLIT_RATING: Final[int] = 110  # top-N: ratings, train, held-out frames and seen matrix (92 measured)


def estimate_size(params: Mapping[str, object]) -> SizeEstimate:
    """Rows and peak memory of a ``movies-*`` parameter set, without generating it (the memory guard's hook).

    The peak is the largest of three moments, plus fixed costs: picking
    (the exposure of a block of users to every movie), stamping and
    splitting (a few arrays and frames per rating, and every user's
    session start times) and, for top-N cases, the oracle (expected
    ratings of a block of test users for every movie).

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scenarios.movies._simulator import estimate_size
    >>> estimate_size(cs.spec("movies-rating-v1").defaults).rows
    120000
    >>> ml_20m = dict(cs.spec("movies-rating-v2").defaults, n_users=138_493, n_movies=26_744, n_ratings=20_000_000)
    >>> round(estimate_size(ml_20m).bytes / 2**30, 1)  # GiB; 3.7 measured beyond the imports (bench_movies_scale)
    4.3
    """
    n_users, n_movies = int(params["n_users"]), int(params["n_movies"])  # type: ignore[call-overload]
    n_ratings = int(params["n_ratings"])  # type: ignore[call-overload]
    rows = n_ratings + int(params.get("n_unseen_pairs", 0))  # type: ignore[call-overload]
    most_rated = max(int(params.get("min_ratings", 0)), _MAX_RATED_SHARE * n_movies)  # type: ignore[call-overload]
    most_sessions = 2 + _SESSION_ROOM * most_rated / _RATINGS_PER_SESSION
    stamping = PEAK_BYTES_PER_RATING * rows + _BYTES_PER_SESSION_SLOT * n_users * most_sessions
    block_cells = min(n_users * n_movies, max(_BLOCK_CELLS, n_movies))
    picking = _BYTES_PER_EXPOSURE_CELL * block_cells + _BYTES_PER_PICK * n_ratings
    oracle = 0
    if "cold_start_fraction" in params:  # a top-N case
        oracle = _BYTES_PER_ORACLE_CELL * min(n_users, _ORACLE_BLOCK_USERS) * n_movies
        oracle += _BYTES_PER_SPLIT_RATING * n_ratings
    peak = _FIXED_BYTES + round(max(stamping, picking, oracle))
    return SizeEstimate(rows, peak, f"{rows:,} ratings and pairs to predict")
