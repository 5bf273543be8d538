"""movies-v1: a MovieLens-like streaming service for recommender case studies.

The generative story
--------------------
1. **Movies** get a release year, one to three of 18 genres, a generated
   title, a latent *appeal* ``z`` (how widely it is promoted and seen) and a
   latent factor vector ``q`` built from its genres plus an individual part.
2. **Users** get an age, a gender, an *activity* (how many movies they rate,
   at least 20) and a taste vector ``p`` over the same latent factors.
3. Every (user, movie) pair has a latent score
   ``s = b_user + b_movie + p . q`` where the movie bias grows with appeal, so
   that widely seen movies are also better liked.  A star rating is
   ``1 + #{thresholds below s + noise}`` with Gaussian noise, so the
   **expected rating** of every pair, rated or not, is known in closed form:
   ``E[stars] = 1 + sum_k Phi((s - c_k) / sigma)``.
4. **Who rates what** is missing-not-at-random: a user picks their movies
   with weights ``exp(a * log popularity + b * s)``, i.e. popular movies and
   movies the user likes are over-represented (``mnar=False`` makes exposure
   uniformly random).  Picks are drawn without replacement with the Gumbel
   top-k trick, vectorised by blocks of users.
5. **Timestamps** fall inside each user's active window (September 1997 to
   April 1998, as in MovieLens-100K).

The thresholds ``c_k`` are fixed quantiles of the latent scores of all pairs,
so turning MNAR off lowers the observed ratings, as on Yahoo! R3 and Coat.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from casestudies.core import ScenarioData
from casestudies.scoring import TopNContext

__all__ = ["GENRES", "MovieWorld", "expected_ratings", "generate_rating", "generate_topn", "simulate_world"]

GENRES = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
    "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)  # fmt: skip
# How common each genre is among movies (MovieLens-like: drama and comedy dominate).
_GENRE_RATE = np.array(
    [0.15, 0.08, 0.03, 0.07, 0.30, 0.07, 0.03, 0.43, 0.02, 0.015, 0.05, 0.03, 0.035, 0.15, 0.06, 0.15, 0.04, 0.02]
)

_ADJECTIVES = (
    "Last", "Silent", "Broken", "Hidden", "Lost", "Golden", "Dark", "Little", "Secret", "Wild", "Final", "Crimson",
    "Lonely", "Distant", "Midnight", "Burning", "Frozen", "Forgotten", "Perfect", "Endless", "Savage", "Quiet",
    "Electric", "Sweet", "Restless", "Royal", "Stolen", "Hollow", "Bright", "Velvet",
)  # fmt: skip
_NOUNS = (
    "Summer", "River", "Stranger", "Promise", "City", "Heart", "Road", "Kingdom", "Game", "Shadow", "Island",
    "Letter", "Witness", "Garden", "Horizon", "Train", "Dream", "Harvest", "Mirror", "Storm", "Voyage", "Angel",
    "Detective", "Frontier", "Symphony", "Empire", "Circus", "Fortune", "Hunter", "Season",
)  # fmt: skip
_PLACES = (
    "Paris",
    "Texas",
    "Manhattan",
    "the North",
    "Casablanca",
    "Vegas",
    "the Moon",
    "Brooklyn",
    "Rome",
    "the Valley",
)
_OCCUPATIONS = (
    "student",
    "engineer",
    "educator",
    "programmer",
    "writer",
    "administrator",
    "librarian",
    "scientist",
    "artist",
    "healthcare",
    "retired",
    "other",
)

# Population cumulative shares of stars over all pairs (not only the observed
# ones): thresholds c_k are these quantiles of the latent score + noise.
_POPULATION_CUMSHARE = np.array([0.19, 0.385, 0.69, 0.92])
_POPULARITY_WEIGHT = 1.3  # exposure log-odds per unit of appeal
_LIKING_WEIGHT = 1.3  # exposure log-odds per unit of latent score
_OBSCURE_SHARE = 0.3
_OBSCURE_SHIFT = 2.2
_APPEAL_BIAS = 0.2  # how much better liked widely seen movies are
_TASTE_SD = 0.3  # spread of user tastes: the weight of personal taste in a rating
_INTEREST_WEIGHT = 0.8  # extra exposure log-odds per unit of personal taste (users seek their genres)
_INTEREST_TASTE = 0.3  # correlation between what users seek out and what they like
_START = np.datetime64("1997-09-20T00:00:00", "s")
_END = np.datetime64("1998-04-22T23:59:59", "s")


class MovieWorld:
    """The simulator's full state: every latent needed for the truth of any pair.

    Attributes
    ----------
    user_bias, movie_bias : numpy.ndarray
        Additive biases of the latent score.
    user_factors, movie_factors : numpy.ndarray
        Latent taste and movie vectors, shapes ``(n_users, f)`` and ``(n_movies, f)``.
    thresholds : numpy.ndarray
        The four star cut points ``c_1 < ... < c_4`` of the latent score.
    noise_sd : float
        Standard deviation of the rating noise.
    """

    __slots__ = ("movie_bias", "movie_factors", "noise_sd", "thresholds", "user_bias", "user_factors")

    def __init__(
        self,
        user_bias: np.ndarray,
        movie_bias: np.ndarray,
        user_factors: np.ndarray,
        movie_factors: np.ndarray,
        thresholds: np.ndarray,
        noise_sd: float,
    ) -> None:
        self.user_bias = user_bias
        self.movie_bias = movie_bias
        self.user_factors = user_factors
        self.movie_factors = movie_factors
        self.thresholds = thresholds
        self.noise_sd = noise_sd

    @property
    def n_users(self) -> int:
        return len(self.user_bias)

    @property
    def n_movies(self) -> int:
        return len(self.movie_bias)

    def latent(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """Latent scores of the (user index, movie index) pairs."""
        return (
            self.user_bias[users]
            + self.movie_bias[movies]
            + np.einsum("ij,ij->i", self.user_factors[users], self.movie_factors[movies])
        )

    def expected(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """Expected star rating of the (user index, movie index) pairs."""
        return expected_ratings(self.latent(users, movies), self.thresholds, self.noise_sd)

    def expected_block(self, users: np.ndarray) -> np.ndarray:
        """Expected ratings of ``users`` (indices) for every movie, shape ``(len(users), n_movies)``."""
        scores = (
            self.user_bias[users, None] + self.movie_bias[None, :] + self.user_factors[users] @ self.movie_factors.T
        )
        return expected_ratings(scores, self.thresholds, self.noise_sd)


def expected_ratings(latent: np.ndarray, thresholds: np.ndarray, noise_sd: float) -> np.ndarray:
    """Expected stars ``1 + sum_k Phi((s - c_k) / sigma)`` of latent scores ``s``.

    Examples
    --------
    >>> import numpy as np
    >>> expected_ratings(np.array([-10.0, 0.0, 10.0]), np.array([-1.0, -0.5, 0.5, 1.0]), 0.5).round(3)
    array([1., 3., 5.])
    """
    total = np.ones_like(latent, dtype=np.float64)
    for cut in thresholds:
        total += ndtr((latent - cut) / noise_sd)
    return total


def _titles(n: int, years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    adjective = rng.integers(len(_ADJECTIVES), size=n)
    noun = rng.integers(len(_NOUNS), size=n)
    place = rng.integers(len(_PLACES), size=n)
    form = rng.choice(4, size=n, p=[0.45, 0.25, 0.2, 0.1])
    sequel = rng.random(n) < 0.05
    titles = []
    for i in range(n):
        a, b, c = _ADJECTIVES[adjective[i]], _NOUNS[noun[i]], _PLACES[place[i]]
        text = (f"The {a} {b}", f"{b} of {c}", f"{a} {b}s", f"A {b} in {c}")[form[i]]
        if sequel[i]:
            text += f" {int(rng.integers(2, 4))}"
        titles.append(f"{text} ({years[i]})")
    return np.array(titles, dtype=object)


def _user_counts(n_users: int, n_movies: int, n_ratings: int, min_ratings: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: at least ``min_ratings``, heavy right tail, summing to ``n_ratings``."""
    cap = max(min_ratings, int(0.44 * n_movies))
    extra = rng.lognormal(0.0, 1.15, size=n_users)
    budget = n_ratings - min_ratings * n_users
    room = cap - min_ratings

    def total(scale: float) -> int:
        return int(np.minimum(np.floor(scale * extra), room).sum())

    low, high = 0.0, 1.0
    while total(high) < budget and high < 1e12:
        high *= 2.0
    for _ in range(100):  # bisection on the scale; the remainder is spread one by one below
        middle = (low + high) / 2.0
        low, high = (middle, high) if total(middle) < budget else (low, middle)
    counts = min_ratings + np.minimum(np.floor(low * extra), room).astype(np.int64)
    missing = n_ratings - int(counts.sum())
    order = np.argsort(-(low * extra - np.floor(low * extra)), kind="stable")
    order = order[counts[order] < cap]
    counts[order[: max(0, missing)]] += 1
    return counts


def simulate_world(
    params: Mapping[str, object], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, MovieWorld]:
    """Simulate movies, users and their observed ratings.

    Parameters
    ----------
    params : Mapping
        ``n_users``, ``n_movies``, ``n_ratings``, ``n_factors``, ``mnar``,
        ``noise_sd`` and ``min_ratings`` (see the scenario TOML files).
    rng : numpy.random.Generator
        Source of all randomness; child streams per concern.

    Returns
    -------
    ratings : pandas.DataFrame
        ``user_id, movie_id, timestamp, rating, expected_rating``, sorted by time.
    movies, users : pandas.DataFrame
        Public side tables.
    world : MovieWorld
        The latent state.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.9, min_ratings=20)
    >>> ratings, movies, users, world = simulate_world(params, np.random.default_rng(0))
    >>> len(ratings), int(ratings.groupby("user_id").size().min()) >= 20
    (2000, True)
    """
    n_users, n_movies, n_ratings = int(params["n_users"]), int(params["n_movies"]), int(params["n_ratings"])  # type: ignore[call-overload]
    n_factors, noise_sd, min_ratings = int(params["n_factors"]), float(params["noise_sd"]), int(params["min_ratings"])  # type: ignore[call-overload, arg-type]
    mnar = bool(params["mnar"])
    if n_ratings > 0.8 * n_users * n_movies or min_ratings * n_users > n_ratings or min_ratings > 0.6 * n_movies:
        message = (
            f"movies: n_ratings={n_ratings} does not fit {n_users} users x {n_movies} movies with at least "
            f"{min_ratings} ratings each; expected min_ratings * n_users <= n_ratings <= 0.8 * n_users * n_movies. "
            "Lower n_ratings or raise n_users / n_movies."
        )
        raise ValueError(message)
    movie_rng, user_rng, latent_rng, pick_rng, time_rng = rng.spawn(5)

    # Movies: year, genres, title, appeal.
    years = (1998 - np.minimum(np.floor(movie_rng.exponential(7.0, size=n_movies)), 78)).astype(np.int64)
    genres = movie_rng.random((n_movies, len(GENRES))) < _GENRE_RATE
    none = ~genres.any(axis=1)
    genres[none, movie_rng.choice(len(GENRES), size=int(none.sum()), p=_GENRE_RATE / _GENRE_RATE.sum())] = True
    # Appeal: normal, plus a share of obscure titles few people ever see (the long tail).
    appeal = movie_rng.standard_normal(n_movies) - _OBSCURE_SHIFT * (movie_rng.random(n_movies) < _OBSCURE_SHARE)
    titles = _titles(n_movies, years, movie_rng)

    # Users: demographics, activity.
    ages = np.clip(np.round(user_rng.gamma(6.0, 5.5, size=n_users) + 7), 7, 73).astype(np.int64)
    gender = np.where(user_rng.random(n_users) < 0.71, "M", "F")
    occupation = user_rng.choice(np.array(_OCCUPATIONS, dtype=object), size=n_users)
    counts = _user_counts(n_users, n_movies, n_ratings, min_ratings, user_rng)

    # Latent model: genre-driven movie factors, tastes, biases (popular movies are better liked).
    genre_embedding = latent_rng.normal(0.0, 0.5, size=(len(GENRES), n_factors))
    movie_factors = genres @ genre_embedding / np.sqrt(genres.sum(axis=1, keepdims=True)) + latent_rng.normal(
        0.0, 0.3, size=(n_movies, n_factors)
    )
    user_factors = latent_rng.normal(0.0, _TASTE_SD, size=(n_users, n_factors))
    # What users seek out (genres, styles): partly their taste, partly independent of how they rate.
    interest = _INTEREST_TASTE * user_factors / _TASTE_SD + np.sqrt(
        1 - _INTEREST_TASTE**2
    ) * latent_rng.standard_normal((n_users, n_factors))
    movie_bias = _APPEAL_BIAS * appeal + latent_rng.normal(0.0, 0.4, size=n_movies)
    user_bias = latent_rng.normal(0.0, 0.42, size=n_users)
    # Thresholds: quantiles of latent + noise over a large sample of all pairs.
    su, sm = latent_rng.integers(n_users, size=200_000), latent_rng.integers(n_movies, size=200_000)
    sample = (
        user_bias[su]
        + movie_bias[sm]
        + np.einsum("ij,ij->i", user_factors[su], movie_factors[sm])
        + latent_rng.normal(0.0, noise_sd, size=200_000)
    )
    thresholds = np.quantile(sample, _POPULATION_CUMSHARE)
    world = MovieWorld(user_bias, movie_bias, user_factors, movie_factors, thresholds, noise_sd)

    # Who rates what: Gumbel top-k per user, by blocks of users.
    popularity_weight, liking_weight = (_POPULARITY_WEIGHT, _LIKING_WEIGHT) if mnar else (0.0, 0.0)
    rows, cols = [], []
    block = max(1, 2_000_000 // n_movies)
    order = np.arange(n_movies)
    for start in range(0, n_users, block):
        users = np.arange(start, min(n_users, start + block))
        keys = popularity_weight * appeal[None, :] + pick_rng.gumbel(size=(len(users), n_movies))
        if liking_weight:
            keys += liking_weight * (user_factors[users] @ movie_factors.T + movie_bias[None, :])
            keys += _INTEREST_WEIGHT * (interest[users] @ movie_factors.T)
        top = (
            np.argpartition(-keys, counts[users].max() - 1, axis=1)
            if counts[users].max() < n_movies
            else np.tile(order, (len(users), 1))
        )
        for offset, user in enumerate(users):
            k = counts[user]
            candidates = top[offset, : counts[users].max()]
            chosen = candidates[np.argsort(-keys[offset, candidates], kind="stable")[:k]]
            rows.append(np.full(k, user))
            cols.append(np.sort(chosen))
    user_index = np.concatenate(rows)
    movie_index = np.concatenate(cols)
    latent = world.latent(user_index, movie_index)
    noisy = latent + time_rng.normal(0.0, noise_sd, size=len(latent))
    stars = (1 + np.searchsorted(thresholds, noisy)).astype(np.int8)
    expected = expected_ratings(latent, thresholds, noise_sd)

    # Timestamps: each user is active in a window inside the period.
    span = float((_END - _START).astype(np.int64))
    first = time_rng.random(n_users) ** 1.5 * span * 0.9
    length = np.minimum(span - first, time_rng.exponential(0.25 * span, size=n_users) + 3600.0)
    offsets = first[user_index] + time_rng.random(len(user_index)) * length[user_index]
    timestamps = _START + offsets.astype(np.int64).astype("timedelta64[s]")

    ratings = pd.DataFrame(
        {
            "user_id": (user_index + 1).astype(np.int64),
            "movie_id": (movie_index + 1).astype(np.int64),
            "timestamp": pd.to_datetime(timestamps).astype("datetime64[ms]"),
            "rating": stars,
            "expected_rating": expected,
        }
    )
    ratings = ratings.sort_values(["timestamp", "user_id", "movie_id"], kind="stable").reset_index(drop=True)
    movies = pd.DataFrame(
        {
            "movie_id": np.arange(1, n_movies + 1, dtype=np.int64),
            "title": pd.array(titles, dtype="string"),
            "year": years,
            "genres": pd.array(["|".join(g for g, on in zip(GENRES, row) if on) for row in genres], dtype="string"),
        }
    )
    users_frame = pd.DataFrame(
        {
            "user_id": np.arange(1, n_users + 1, dtype=np.int64),
            "age": ages,
            "gender": pd.array(gender, dtype="string"),
            "occupation": pd.array(occupation.astype(str), dtype="string"),
        }
    )
    return ratings, movies, users_frame, world


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
    world_rng, split_rng, unseen_rng = rng.spawn(3)
    ratings, movies, users, world = simulate_world(params, world_rng)
    n_users, n_movies = world.n_users, world.n_movies
    ratings.insert(0, "rating_id", np.arange(1, len(ratings) + 1, dtype=np.int64))
    held = _holdout_mask(ratings, float(params["test_fraction"]), str(params["split"]), split_rng)  # type: ignore[arg-type]
    train, test = (
        ratings.loc[~held, _COLUMNS].reset_index(drop=True),
        ratings.loc[held, _COLUMNS].reset_index(drop=True),
    )
    truth = pd.DataFrame({"expected_rating": ratings.loc[held, "expected_rating"].to_numpy()})
    # Full-catalog truth: uniformly random pairs nobody rated.
    n_unseen = int(params["n_unseen_pairs"])  # type: ignore[call-overload]
    rated = set((ratings["user_id"].to_numpy() * (n_movies + 1) + ratings["movie_id"].to_numpy()).tolist())
    draw_u = unseen_rng.integers(1, n_users + 1, size=2 * n_unseen + 100)
    draw_m = unseen_rng.integers(1, n_movies + 1, size=2 * n_unseen + 100)
    keys = draw_u * (n_movies + 1) + draw_m
    keep = np.array([key not in rated for key in keys.tolist()]) & ~pd.Series(keys).duplicated().to_numpy()
    unseen = pd.DataFrame({"user_id": draw_u[keep][:n_unseen], "movie_id": draw_m[keep][:n_unseen]})
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
    world_rng, split_rng = rng.spawn(2)
    ratings, movies, users, world = simulate_world(params, world_rng)
    n_users, n_movies = world.n_users, world.n_movies
    ratings.insert(0, "rating_id", np.arange(1, len(ratings) + 1, dtype=np.int64))
    held = _holdout_mask(ratings, float(params["test_fraction"]), "temporal", split_rng)  # type: ignore[arg-type]
    cold_users = np.flatnonzero(split_rng.random(n_users) < float(params["cold_start_fraction"])) + 1  # type: ignore[arg-type]
    is_cold = np.isin(ratings["user_id"].to_numpy(), cold_users)
    first = ratings.groupby("user_id").cumcount().to_numpy()  # ratings are sorted by time
    held |= is_cold & (first >= int(params["cold_start_ratings"]))  # type: ignore[call-overload]
    train = ratings.loc[~held, _COLUMNS].reset_index(drop=True)
    heldout = ratings.loc[held]
    relevant = heldout[heldout["rating"] >= 4]
    test_users = np.unique(relevant["user_id"].to_numpy())
    row_of = np.full(n_users + 1, -1, dtype=np.int64)
    row_of[test_users] = np.arange(len(test_users))
    relevant_matrix = sparse.csr_matrix(
        (np.ones(len(relevant)), (row_of[relevant["user_id"].to_numpy()], relevant["movie_id"].to_numpy())),
        shape=(len(test_users), n_movies + 1),
    )
    n_relevant = np.diff(relevant_matrix.indptr)
    n_heldout = np.bincount(heldout["user_id"].to_numpy(), minlength=n_users + 1)[test_users]
    cold = np.isin(test_users, cold_users)
    seen = _seen_matrix(train, n_users, n_movies)
    popularity = np.r_[0.0, np.bincount(train["movie_id"].to_numpy(), minlength=n_movies + 1)[1:] / n_users]
    user_index = test_users - 1

    def true_rating(rows: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        return world.expected(user_index[rows], movie_ids - 1)

    context = TopNContext(relevant_matrix, n_relevant, cold, popularity, true_rating, n_movies)
    k = 10
    oracle = np.empty((len(test_users), k), dtype=np.int64)
    for start in range(0, len(test_users), 500):
        block = test_users[start : start + 500]
        scores = world.expected_block(block - 1)
        scores[seen[block][:, 1:].toarray() > 0] = -np.inf
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(
            top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable"), axis=1
        )
        oracle[start : start + len(block)] = top + 1
    relevant_sorted = relevant.sort_values(["user_id", "movie_id"])
    lists = relevant_sorted.groupby("user_id")["movie_id"].agg(lambda m: "|".join(map(str, m)))
    truth = pd.DataFrame(
        {
            "n_heldout": n_heldout.astype(np.int64),
            "n_relevant": n_relevant.astype(np.int64),
            "cold_start": cold,
            "relevant_movies": pd.array(lists.reindex(test_users).to_numpy(), dtype="string"),
        }
    )
    info = _info(ratings, n_users, n_movies, params) | {
        "test_users": len(test_users),
        "cold_start_users": int(cold.sum()),
        "k": k,
    }
    return ScenarioData(
        train=train,
        test=pd.DataFrame({"user_id": test_users.astype(np.int64)}),
        target="rating",
        id_column="user_id",
        truth=truth,
        info=info,
        hidden=_hidden(world, params),
        tables={"movies": movies, "users": users},
        extras={
            "n_movies": n_movies,
            "seen": seen,
            "context": context,
            "oracle": oracle,
            "world": world,
            "heldout": heldout[_COLUMNS].reset_index(drop=True),
        },
    )


def rating_baseline(name: str) -> object:
    """Factory of a built-in rating baseline by name (see :mod:`._recommenders`)."""
    from casestudies.scenarios.movies import _recommenders as r

    return {
        "random": r.RandomRating,
        "global_mean": r.GlobalMean,
        "movie_mean": r.MovieMean,
        "biases": r.BiasBaseline,
        "matrix_factorization": r.MatrixFactorization,
    }[name]()


def random_rating() -> object:
    """Random stars drawn from a normal with the training mean and sd."""
    return rating_baseline("random")


def global_mean() -> object:
    """The global mean rating for every pair."""
    return rating_baseline("global_mean")


def movie_mean() -> object:
    """Each movie's (shrunk) mean rating."""
    return rating_baseline("movie_mean")


def biases() -> object:
    """Global mean + user bias + movie bias (regularised)."""
    return rating_baseline("biases")


def matrix_factorization() -> object:
    """Biased matrix factorisation (10 factors, ALS)."""
    return rating_baseline("matrix_factorization")


def random_topn() -> object:
    """Uniformly random unseen movies."""
    from casestudies.scenarios.movies._recommenders import RandomTopN

    return RandomTopN()


def most_popular() -> object:
    """The most-rated movies the user has not rated."""
    from casestudies.scenarios.movies._recommenders import MostPopular

    return MostPopular()


def item_knn() -> object:
    """Item-based kNN on who-rated-what (cosine, 50 neighbours)."""
    from casestudies.scenarios.movies._recommenders import ItemKNN

    return ItemKNN()


def matrix_factorization_topn() -> object:
    """Top predicted ratings of a biased matrix factorisation."""
    from casestudies.scenarios.movies._recommenders import MatrixFactorization

    return MatrixFactorization()
