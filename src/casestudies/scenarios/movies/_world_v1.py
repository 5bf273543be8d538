"""movies-rating-v1 and movies-topn-v1, frozen: the world as released in version 0.1.

A released scenario id never changes its data, so this module keeps the
generative story of the first movies world exactly as it was released; the
``-v2`` scenarios use :mod:`casestudies.scenarios.movies._world`. Only the
parts that ``-v2`` changed live here; the catalogue vocabulary, the latent
model (:class:`~casestudies.scenarios.movies._world.MovieWorld`), titles and
size checks are shared, and the golden fingerprints of the ``-v1`` ids guard
that they stay put.

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
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.scenarios.movies._world import (
    _GENRE_RATE,
    _OCCUPATIONS,
    GENRES,
    MovieWorld,
    _check_sizes,
    _titles,
    expected_ratings,
)

__all__ = ["simulate_world"]

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

# Movies.
_LATEST_YEAR: Final[int] = 1998  # release year of the newest movies (the period ends in April 1998)
_MEAN_MOVIE_AGE: Final[float] = 7.0  # movie ages in years are exponential with this mean
_MAX_MOVIE_AGE: Final[int] = 78  # the oldest movies are from 1920
# Users.
_AGE_RANGE: Final[tuple[int, int]] = (7, 73)  # youngest and oldest users, as in MovieLens-100K
_MALE_SHARE: Final[float] = 0.71  # MovieLens-100K: 670 of 943 users
_MAX_RATED_SHARE: Final[float] = 0.44  # the most active users rate this share of the catalog (ML-100K: 737 of 1,682)
_ACTIVITY_SIGMA: Final[float] = 1.15  # lognormal spread of user activity beyond min_ratings
_MAX_SCALE: Final[float] = 1e12  # the activity scale search gives up doubling here (budget unreachable)
_BISECTION_STEPS: Final[int] = 100  # halvings of the activity scale interval: float64 precision and more
# Latent model and exposure.
_THRESHOLD_SAMPLE: Final[int] = 200_000  # pairs sampled for the star thresholds: quantiles to about 0.002
_BLOCK_CELLS: Final[int] = 2_000_000  # exposure keys drawn at once (users x movies): 16 MB of float64
# Activity windows, as shares of the whole period.
_START_SKEW: Final[float] = 1.5  # a user's first rating is at u ** _START_SKEW of the period: early starts
_LATEST_START_SHARE: Final[float] = 0.9  # every user starts before this share of the period has passed
_MEAN_ACTIVE_SHARE: Final[float] = 0.25  # mean length of a user's active window
_MIN_ACTIVE_SECONDS: Final[float] = 3600.0  # every user is active for at least an hour


def _user_counts(n_users: int, n_movies: int, n_ratings: int, min_ratings: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: at least ``min_ratings``, heavy right tail, summing to ``n_ratings``."""
    cap = max(min_ratings, int(_MAX_RATED_SHARE * n_movies))
    extra = rng.lognormal(0.0, _ACTIVITY_SIGMA, size=n_users)
    budget = n_ratings - min_ratings * n_users
    room = cap - min_ratings

    def total(scale: float) -> int:
        return int(np.minimum(np.floor(scale * extra), room).sum())

    low, high = 0.0, 1.0
    while total(high) < budget and high < _MAX_SCALE:
        high *= 2.0
    for _ in range(_BISECTION_STEPS):  # bisection on the scale; the remainder is spread one by one below
        middle = (low + high) / 2.0
        low, high = (middle, high) if total(middle) < budget else (low, middle)
    counts = min_ratings + np.minimum(np.floor(low * extra), room).astype(np.int64)
    missing = n_ratings - int(counts.sum())
    order = np.argsort(-(low * extra - np.floor(low * extra)), kind="stable")
    order = order[counts[order] < cap]
    counts[order[: max(0, missing)]] += 1
    return counts


@dataclass(frozen=True, slots=True)
class _Movies:
    """The catalog: release year, genres (one bool column per genre), appeal and title of every movie."""

    years: np.ndarray
    genres: np.ndarray
    appeal: np.ndarray
    titles: np.ndarray


@dataclass(frozen=True, slots=True)
class _Users:
    """Demographics of every user and how many movies each rates."""

    ages: np.ndarray
    gender: np.ndarray
    occupation: np.ndarray
    counts: np.ndarray


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

    Raises
    ------
    ValueError
        If ``n_ratings`` does not fit the users and movies.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.9, min_ratings=20)
    >>> ratings, movies, users, world = simulate_world(params, np.random.default_rng(0))
    >>> len(ratings), int(ratings.groupby("user_id").size().min()) >= 20
    (2000, True)
    """
    n_users = int(params["n_users"])  # type: ignore[call-overload]
    n_movies = int(params["n_movies"])  # type: ignore[call-overload]
    n_ratings = int(params["n_ratings"])  # type: ignore[call-overload]
    n_factors = int(params["n_factors"])  # type: ignore[call-overload]
    noise_sd = float(params["noise_sd"])  # type: ignore[arg-type]
    min_ratings = int(params["min_ratings"])  # type: ignore[call-overload]
    _check_sizes(n_users, n_movies, n_ratings, min_ratings)
    movie_rng, user_rng, latent_rng, pick_rng, time_rng = rng.spawn(5)
    movies = _draw_movies(n_movies, movie_rng)
    users = _draw_users(n_users, n_movies, n_ratings, min_ratings, user_rng)
    world, interest = _draw_latent(movies, n_users, n_factors, noise_sd, latent_rng)
    user_index, movie_index = _pick(world, movies.appeal, interest, users.counts, bool(params["mnar"]), pick_rng)
    # The rating noise and then the timestamps come from one stream, in this order.
    latent = world.latent(user_index, movie_index)
    noisy = latent + time_rng.normal(0.0, noise_sd, size=len(latent))
    stars = (1 + np.searchsorted(world.thresholds, noisy)).astype(np.int8)
    expected = expected_ratings(latent, world.thresholds, noise_sd)
    timestamps = _timestamps(n_users, user_index, time_rng)
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
    return ratings, _movies_frame(movies), _users_frame(users), world


def _draw_movies(n_movies: int, rng: np.random.Generator) -> _Movies:
    """Movies: year, genres, title, appeal."""
    age = np.minimum(np.floor(rng.exponential(_MEAN_MOVIE_AGE, size=n_movies)), _MAX_MOVIE_AGE)
    years = (_LATEST_YEAR - age).astype(np.int64)
    genres = rng.random((n_movies, len(GENRES))) < _GENRE_RATE
    none = ~genres.any(axis=1)
    genres[none, rng.choice(len(GENRES), size=int(none.sum()), p=_GENRE_RATE / _GENRE_RATE.sum())] = True
    # Appeal: normal, plus a share of obscure titles few people ever see (the long tail).
    appeal = rng.standard_normal(n_movies) - _OBSCURE_SHIFT * (rng.random(n_movies) < _OBSCURE_SHARE)
    titles = _titles(n_movies, years, rng)
    return _Movies(years=years, genres=genres, appeal=appeal, titles=titles)


def _draw_users(n_users: int, n_movies: int, n_ratings: int, min_ratings: int, rng: np.random.Generator) -> _Users:
    """Users: demographics, activity."""
    youngest, oldest = _AGE_RANGE
    ages = np.clip(np.round(rng.gamma(6.0, 5.5, size=n_users) + youngest), youngest, oldest).astype(np.int64)
    gender = np.where(rng.random(n_users) < _MALE_SHARE, "M", "F")
    occupation = rng.choice(np.array(_OCCUPATIONS, dtype=object), size=n_users)
    counts = _user_counts(n_users, n_movies, n_ratings, min_ratings, rng)
    return _Users(ages=ages, gender=gender, occupation=occupation, counts=counts)


def _draw_latent(
    movies: _Movies, n_users: int, n_factors: int, noise_sd: float, rng: np.random.Generator
) -> tuple[MovieWorld, np.ndarray]:
    """Latent model: genre-driven movie factors, tastes, biases (popular movies are better liked).

    Returns the world and what each user seeks out (a vector over the latent
    factors): partly their taste, partly independent of how they rate.
    """
    genres = movies.genres
    n_movies = len(genres)
    genre_embedding = rng.normal(0.0, 0.5, size=(len(GENRES), n_factors))
    genre_part = genres @ genre_embedding / np.sqrt(genres.sum(axis=1, keepdims=True))
    movie_factors = genre_part + rng.normal(0.0, 0.3, size=(n_movies, n_factors))
    user_factors = rng.normal(0.0, _TASTE_SD, size=(n_users, n_factors))
    own_interest = np.sqrt(1 - _INTEREST_TASTE**2) * rng.standard_normal((n_users, n_factors))
    interest = _INTEREST_TASTE * user_factors / _TASTE_SD + own_interest
    movie_bias = _APPEAL_BIAS * movies.appeal + rng.normal(0.0, 0.4, size=n_movies)
    user_bias = rng.normal(0.0, 0.42, size=n_users)
    # Thresholds: quantiles of latent + noise over a large sample of all pairs.
    su, sm = rng.integers(n_users, size=_THRESHOLD_SAMPLE), rng.integers(n_movies, size=_THRESHOLD_SAMPLE)
    sample = (
        user_bias[su]
        + movie_bias[sm]
        + np.einsum("ij,ij->i", user_factors[su], movie_factors[sm])
        + rng.normal(0.0, noise_sd, size=_THRESHOLD_SAMPLE)
    )
    thresholds = np.quantile(sample, _POPULATION_CUMSHARE)
    return MovieWorld(user_bias, movie_bias, user_factors, movie_factors, thresholds, noise_sd), interest


def _pick(
    world: MovieWorld,
    appeal: np.ndarray,
    interest: np.ndarray,
    counts: np.ndarray,
    mnar: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Who rates what: Gumbel top-k per user, by blocks of users; (user index, movie index) of every rating."""
    n_users, n_movies = world.n_users, world.n_movies
    popularity_weight, liking_weight = (_POPULARITY_WEIGHT, _LIKING_WEIGHT) if mnar else (0.0, 0.0)
    rows, cols = [], []
    block = max(1, _BLOCK_CELLS // n_movies)
    order = np.arange(n_movies)
    for start in range(0, n_users, block):
        users = np.arange(start, min(n_users, start + block))
        keys = popularity_weight * appeal[None, :] + rng.gumbel(size=(len(users), n_movies))
        if liking_weight:
            keys += liking_weight * (world.user_factors[users] @ world.movie_factors.T + world.movie_bias[None, :])
            keys += _INTEREST_WEIGHT * (interest[users] @ world.movie_factors.T)
        most = counts[users].max()
        top = np.argpartition(-keys, most - 1, axis=1) if most < n_movies else np.tile(order, (len(users), 1))
        for offset, user in enumerate(users):
            k = counts[user]
            candidates = top[offset, :most]
            chosen = candidates[np.argsort(-keys[offset, candidates], kind="stable")[:k]]
            rows.append(np.full(k, user))
            cols.append(np.sort(chosen))
    return np.concatenate(rows), np.concatenate(cols)


def _timestamps(n_users: int, user_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Timestamps: each user is active in a window inside the period."""
    span = float((_END - _START).astype(np.int64))
    first = rng.random(n_users) ** _START_SKEW * span * _LATEST_START_SHARE
    length = np.minimum(span - first, rng.exponential(_MEAN_ACTIVE_SHARE * span, size=n_users) + _MIN_ACTIVE_SECONDS)
    offsets = first[user_index] + rng.random(len(user_index)) * length[user_index]
    stamps: np.ndarray = _START + offsets.astype(np.int64).astype("timedelta64[s]")
    return stamps


def _movies_frame(movies: _Movies) -> pd.DataFrame:
    """The public ``movies`` table."""
    genres = ["|".join(g for g, on in zip(GENRES, row, strict=True) if on) for row in movies.genres]
    frame: pd.DataFrame = pd.DataFrame(
        {
            "movie_id": np.arange(1, len(movies.years) + 1, dtype=np.int64),
            "title": pd.array(movies.titles, dtype="string"),
            "year": movies.years,
            "genres": pd.array(genres, dtype="string"),
        }
    )
    return frame


def _users_frame(users: _Users) -> pd.DataFrame:
    """The public ``users`` table."""
    frame: pd.DataFrame = pd.DataFrame(
        {
            "user_id": np.arange(1, len(users.ages) + 1, dtype=np.int64),
            "age": users.ages,
            "gender": pd.array(users.gender, dtype="string"),
            "occupation": pd.array(users.occupation.astype(str), dtype="string"),
        }
    )
    return frame
