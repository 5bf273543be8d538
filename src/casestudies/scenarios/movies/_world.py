"""movies-v2: a MovieLens-like streaming service for recommender case studies.

The generative story
--------------------
1. **Movies** get a release date (classics and recent films; a few percent
   come out during the observed period), one to three of 18 genres, a
   generated title, a latent *appeal* ``z`` (how widely it is promoted and
   seen; normal, plus a share ``obscure_share`` of obscure titles that
   makes the rarely rated tail) and a latent factor vector
   ``q`` built from its genres plus an individual part.
2. **Users** get an age, a gender, an *activity* (how many movies they rate,
   at least 20; a gamma draw raised to a power, which gives ML-100K's
   quartiles), their visits (a first day, one sitting or a few sessions; see
   :mod:`~casestudies.scenarios.movies._timeline`), a taste vector ``p``
   over the latent factors (a few dimensions dominate, as in real rating
   matrices) and an interest that drifts over their sequence.
3. Every (user, movie) pair has a latent score
   ``s = b_user + b_movie + p . q`` where the movie bias grows with appeal, so
   that widely seen movies are also better liked.  A star rating is
   ``1 + #{thresholds below s + noise}`` with Gaussian noise, so the
   **expected rating** of every pair, rated or not, is known in closed form:
   ``E[stars] = 1 + sum_k Phi((s - c_k) / sigma)``.
4. **Who rates what** is missing-not-at-random: a user picks their movies
   with weights ``exp(a * appeal + b * s + interest + age and hype)``: popular
   movies, movies the user likes and fresh releases are over-represented,
   and nobody picks a movie released after their last visit
   (``mnar=False`` makes exposure uniformly random).  Picks are drawn without
   replacement with the Gumbel top-k trick, vectorised by blocks of users;
   a movie nobody picked then replaces the least-drawn pick of the user
   most drawn to it, so every catalogue movie is rated, as in MovieLens.
5. **Time**: each user rates popular, loved, recent movies first and the
   ones their drifting interest leads to last, in sessions of ratings
   seconds apart; nobody rates a movie before its release (September 1997
   to April 1998, as in MovieLens-100K).

The thresholds ``c_k`` are quantiles of the latent scores of all pairs at
fixed population star shares, shifted together so that the self-selected
ratings average ML-100K's 3.53 stars; turning MNAR off keeps them, so it
lowers the observed ratings, as on Yahoo! R3 and Coat.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import ndtr

from casestudies.scenarios.movies._timeline import (
    ORDER_APPEAL,
    ORDER_LIKING,
    ORDER_RECENCY,
    START,
    Visits,
    age_years,
    draw_visits,
    exposure_by_age,
    release_dates,
    stamp,
)

__all__ = ["GENRES", "MovieWorld", "expected_ratings", "simulate_world"]

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
_OBSERVED_MEAN: Final[float] = 3.53  # mean stars of the self-selected ratings (ML-100K: 3.530)
_MAX_SHIFT: Final[float] = 10.0  # threshold shifts are searched in +/- this (latent units; a shift is about 0.1)
_APPEAL_SD: Final[float] = 1.0  # appeal is normal: exposure log-normal, as LensKit fits ML-1M's popularity
# Plus a share of obscure titles hardly anyone sees (ML-100K's one-rating movies): the parameter obscure_share.
_OBSCURE_SHIFT: Final[float] = 1.85
_APPEAL_BIAS = 0.2  # how much better liked widely seen movies are
_TASTE_SD = 0.23  # spread of user tastes: the weight of personal taste in what users seek and pick
# In the stars, personal taste weighs the parameter taste_weight times that (exposure is unchanged by it), and
# each user's noise sd is noise_sd times a log-normal factor of log-sd noise_spread (ratings-weighted mean square
# 1): some users rate consistently, others erratically. ML-100K: the sd of a user's stars around their own mean
# varies over users by 0.205 (0.164 among the heaviest quarter of ratings); one noise for all (movies-v2) gives
# 0.14 (0.09), noise_spread 0.25 gives 0.18 (0.14), and with it the library's matrix factorisation overfits as on
# u.data (test - train RMSE 0.090 over seeds 0-9; movies-v2: 0.081; u.data: 0.091).
_INTEREST_WEIGHT = 0.8  # extra exposure log-odds per unit of personal taste (users seek their genres)
_INTEREST_TASTE = 0.3  # correlation between what users seek out and what they like
_MOVIE_FACTOR_SD: Final[float] = 0.55  # spread of every latent movie dimension over the catalogue
_TASTE_DECAY: Final[float] = 0.4  # each latent taste dimension has this share of the spread of the one before
_DRIFT_SD: Final[float] = 0.3  # how far what a user seeks out moves over their sequence (interest has sd 1)
_MOVIE_BIAS_SD: Final[float] = 0.43  # spread of movies' quality beyond their appeal
_USER_BIAS_SD: Final[float] = 0.245  # spread of users' rating levels (ML-100K: user means have sd 0.445)

# Size checks of simulate_world.
_MAX_DENSITY: Final[float] = 0.8  # at most this share of all (user, movie) pairs can be rated
_MAX_MIN_RATINGS_SHARE: Final[float] = 0.6  # min_ratings may ask for at most this share of the catalog
# Movies and titles.
_TITLE_FORM_SHARES: Final[list[float]] = [0.45, 0.25, 0.2, 0.1]  # "The A B", "B of C", "A Bs", "A B in C"
_SEQUEL_SHARE: Final[float] = 0.05  # titles numbered as a sequel
_SEQUEL_NUMBERS: Final[tuple[int, int]] = (2, 4)  # a sequel is number 2 or 3 (upper end excluded)
# Users.
_AGE_RANGE: Final[tuple[int, int]] = (7, 73)  # youngest and oldest users, as in MovieLens-100K
_MALE_SHARE: Final[float] = 0.71  # MovieLens-100K: 670 of 943 users
_MAX_RATED_SHARE: Final[float] = 0.44  # the most active users rate this share of the catalog (ML-100K: 737 of 1,682)
# User activity beyond min_ratings: a gamma draw raised to a power below 1 (a wide body, a tamed top), which
# gives ML-100K's quartiles (33, 65, 148 ratings), max / median and Gini together; a lognormal cannot.
_ACTIVITY_SHAPE: Final[float] = 0.4
_ACTIVITY_POWER: Final[float] = 0.75
_MAX_SCALE: Final[float] = 1e12  # the activity scale search gives up doubling here (budget unreachable)
_BISECTION_STEPS: Final[int] = 100  # halvings of the activity scale interval: float64 precision and more
# Latent model and exposure.
_THRESHOLD_SAMPLE: Final[int] = 200_000  # pairs sampled for the star thresholds: quantiles to about 0.002
_BLOCK_CELLS: Final[int] = 2_000_000  # exposure keys drawn at once (users x movies): 16 MB of float64


def _blocks(n_rows: int, width: int) -> list[slice]:
    """Slices of ``range(n_rows)`` in blocks of at most :data:`_BLOCK_CELLS` cells of ``width`` columns."""
    rows = max(1, _BLOCK_CELLS // max(1, width))
    return [slice(start, start + rows) for start in range(0, n_rows, rows)]


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
        Standard deviation of the rating noise (its ratings-weighted root mean square over users).
    user_noise : numpy.ndarray
        Each user's standard deviation of the rating noise, shape ``(n_users,)`` (``noise_sd`` for all if not
        given, as in movies-v1 and v2).
    taste_weight : float
        How much more personal taste weighs in the stars than in what users pick (``user_factors`` are those of
        the stars; exposure divides this out).
    """

    __slots__ = (
        "movie_bias",
        "movie_factors",
        "noise_sd",
        "taste_weight",
        "thresholds",
        "user_bias",
        "user_factors",
        "user_noise",
    )

    def __init__(
        self,
        user_bias: np.ndarray,
        movie_bias: np.ndarray,
        user_factors: np.ndarray,
        movie_factors: np.ndarray,
        thresholds: np.ndarray,
        noise_sd: float,
        user_noise: np.ndarray | None = None,
        taste_weight: float = 1.0,
    ) -> None:
        self.user_bias = user_bias
        self.movie_bias = movie_bias
        self.user_factors = user_factors
        self.movie_factors = movie_factors
        self.thresholds = thresholds
        self.noise_sd = noise_sd
        self.user_noise = np.full(len(user_bias), noise_sd) if user_noise is None else user_noise
        self.taste_weight = taste_weight

    @property
    def n_users(self) -> int:
        return len(self.user_bias)

    @property
    def n_movies(self) -> int:
        return len(self.movie_bias)

    def latent(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """Latent scores of the (user index, movie index) pairs.

        Scored by blocks of pairs, so the gathered factor rows stay a few MB
        whatever the number of pairs (each score is computed alone: the
        blocks do not change a bit of it).
        """
        scores = np.empty(len(users), dtype=np.float64)
        for part in _blocks(len(scores), self.user_factors.shape[1]):
            block_users, block_movies = users[part], movies[part]
            scores[part] = (
                self.user_bias[block_users]
                + self.movie_bias[block_movies]
                + np.einsum("ij,ij->i", self.user_factors[block_users], self.movie_factors[block_movies])
            )
        return scores

    def expected(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """Expected star rating of the (user index, movie index) pairs."""
        return expected_ratings(self.latent(users, movies), self.thresholds, self.user_noise[users])

    def expected_block(self, users: np.ndarray) -> np.ndarray:
        """Expected ratings of ``users`` (indices) for every movie, shape ``(len(users), n_movies)``."""
        scores = (
            self.user_bias[users, None] + self.movie_bias[None, :] + self.user_factors[users] @ self.movie_factors.T
        )
        return expected_ratings(scores, self.thresholds, self.user_noise[users, None])


def expected_ratings(latent: np.ndarray, thresholds: np.ndarray, noise_sd: float | np.ndarray) -> np.ndarray:
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
    form = rng.choice(4, size=n, p=_TITLE_FORM_SHARES)
    sequel = rng.random(n) < _SEQUEL_SHARE
    titles = []
    for i in range(n):
        a, b, c = _ADJECTIVES[adjective[i]], _NOUNS[noun[i]], _PLACES[place[i]]
        text = (f"The {a} {b}", f"{b} of {c}", f"{a} {b}s", f"A {b} in {c}")[form[i]]
        if sequel[i]:
            text += f" {int(rng.integers(*_SEQUEL_NUMBERS))}"
        titles.append(f"{text} ({years[i]})")
    return np.array(titles, dtype=object)


def _user_counts(n_users: int, n_movies: int, n_ratings: int, min_ratings: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: at least ``min_ratings``, heavy right tail, summing to ``n_ratings``."""
    cap = max(min_ratings, int(_MAX_RATED_SHARE * n_movies))
    extra = rng.gamma(_ACTIVITY_SHAPE, 1.0, size=n_users) ** _ACTIVITY_POWER
    extra[np.argmax(extra)] *= _MAX_SCALE  # the most active user rates the cap (ML-100K: 737 of 1,682 movies)
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
    """The catalog: release date and year, genres (one bool column per genre), appeal and title of every movie."""

    release: np.ndarray
    years: np.ndarray
    genres: np.ndarray
    appeal: np.ndarray
    titles: np.ndarray


@dataclass(frozen=True, slots=True)
class _Users:
    """Demographics of every user, how many movies each rates and when they visit."""

    ages: np.ndarray
    gender: np.ndarray
    occupation: np.ndarray
    counts: np.ndarray
    visits: Visits


def simulate_world(
    params: Mapping[str, object], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, MovieWorld]:
    """Simulate movies, users and their observed ratings.

    Parameters
    ----------
    params : Mapping
        ``n_users``, ``n_movies``, ``n_ratings``, ``n_factors``, ``mnar``,
        ``noise_sd``, ``noise_spread``, ``taste_weight``, ``min_ratings``
        and ``obscure_share`` (see the scenario TOML files).
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
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.9, min_ratings=20,
    ...               obscure_share=0.25, noise_spread=0.25, taste_weight=1.1)
    >>> ratings, movies, users, world = simulate_world(params, np.random.default_rng(0))
    >>> len(ratings), int(ratings.groupby("user_id").size().min()) >= 20
    (2000, True)
    >>> bool(world.user_noise.min() < 0.9 < world.user_noise.max())  # some users rate more consistently than others
    True
    """
    n_users = int(params["n_users"])  # type: ignore[call-overload]
    n_movies = int(params["n_movies"])  # type: ignore[call-overload]
    n_ratings = int(params["n_ratings"])  # type: ignore[call-overload]
    n_factors = int(params["n_factors"])  # type: ignore[call-overload]
    noise_sd = float(params["noise_sd"])  # type: ignore[arg-type]
    min_ratings = int(params["min_ratings"])  # type: ignore[call-overload]
    obscure_share = float(params["obscure_share"])  # type: ignore[arg-type]
    noise_spread = float(params["noise_spread"])  # type: ignore[arg-type]
    taste_weight = float(params["taste_weight"])  # type: ignore[arg-type]
    _check_sizes(n_users, n_movies, n_ratings, min_ratings)
    movie_rng, user_rng, latent_rng, pick_rng, time_rng = rng.spawn(5)
    mnar = bool(params["mnar"])
    movies = _draw_movies(n_movies, obscure_share, movie_rng)
    users = _draw_users(n_users, n_movies, n_ratings, min_ratings, user_rng)
    world, interest, drift = _draw_latent(
        movies, n_users, n_factors, (noise_sd, noise_spread), taste_weight, users.counts, latent_rng
    )
    # What a user seeks drifts from interest to interest + drift over their sequence: they pick by the average.
    seek = interest + 0.5 * drift
    user_index, movie_index = _pick(world, movies, seek, users, mnar, pick_rng)
    # The star cut points are shifted so that self-selected ratings average ML-100K's 3.53 stars; without MNAR,
    # from the picks the same users would have made with it, so the two worlds share their thresholds.
    selected = (user_index, movie_index) if mnar else _pick(world, movies, seek, users, True, pick_rng)
    _center_thresholds(world, selected)
    del selected
    # The rating noise, the order of each user's ratings and their timestamps come from one stream, in this order.
    # Arrays of one value per rating are built in place or by blocks: at ML-20M scale each is 160 MB.
    latent = world.latent(user_index, movie_index)
    noisy = time_rng.normal(0.0, noise_sd, size=len(latent))
    stars = np.empty(len(latent), dtype=np.int8)
    expected = np.empty(len(latent), dtype=np.float64)
    for part in _blocks(len(latent), len(world.thresholds)):
        user_noise = world.user_noise[user_index[part]]
        noisy[part] *= user_noise / noise_sd  # each user's own noise (the same draws: 1 for every user in v2)
        noisy[part] += latent[part]
        stars[part] = 1 + np.searchsorted(world.thresholds, noisy[part])
        expected[part] = expected_ratings(latent[part], world.thresholds, user_noise)
    del latent, noisy
    order_key = _order_keys(world, movies, users, drift, (user_index, movie_index), mnar, time_rng)
    timestamps = stamp(user_index, order_key, movies.release, movie_index, users.visits, time_rng)
    del order_key
    columns = {
        "user_id": user_index,
        "movie_id": movie_index,
        "timestamp": timestamps,
        "rating": stars,
        "expected_rating": expected,
    }
    del user_index, movie_index, timestamps, stars, expected
    return _ratings_frame(columns), _movies_frame(movies), _users_frame(users), world


def _ratings_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The ratings sorted by time, user and movie, from per-rating arrays (user and movie indices 0-based).

    The pairs are unique, so the order is total. ``columns`` is emptied as
    the frame is built, one sorted column at a time, without further copies.
    """
    order = np.lexsort((columns["movie_id"], columns["user_id"], columns["timestamp"]))
    sorted_columns: dict[str, np.ndarray] = {}
    for name in list(columns):
        values = columns.pop(name)[order]
        if name in ("user_id", "movie_id"):
            values = values.astype(np.int64, copy=False)
            values += 1
        elif name == "timestamp":
            values = values.astype("datetime64[ms]")
        sorted_columns[name] = values
    del order
    return pd.DataFrame(sorted_columns, copy=False)


def _check_sizes(n_users: int, n_movies: int, n_ratings: int, min_ratings: int) -> None:
    """Raise unless ``n_ratings`` ratings of at least ``min_ratings`` per user fit the users and movies."""
    too_dense = n_ratings > _MAX_DENSITY * n_users * n_movies
    if too_dense or min_ratings * n_users > n_ratings or min_ratings > _MAX_MIN_RATINGS_SHARE * n_movies:
        message = (
            f"movies: n_ratings={n_ratings} does not fit {n_users} users x {n_movies} movies with at least "
            f"{min_ratings} ratings each; expected min_ratings * n_users <= n_ratings <= {_MAX_DENSITY} * n_users "
            "* n_movies. Lower n_ratings or raise n_users / n_movies."
        )
        raise ValueError(message)


def _draw_movies(
    n_movies: int, obscure_share: float, rng: np.random.Generator, obscure_shift: float = _OBSCURE_SHIFT
) -> _Movies:
    """Movies: release date, genres, title, appeal (obscure titles' appeal lowered by ``obscure_shift``)."""
    release = release_dates(n_movies, rng)
    years = release.astype("datetime64[Y]").astype(np.int64) + 1970
    genres = rng.random((n_movies, len(GENRES))) < _GENRE_RATE
    none = ~genres.any(axis=1)
    genres[none, rng.choice(len(GENRES), size=int(none.sum()), p=_GENRE_RATE / _GENRE_RATE.sum())] = True
    # Appeal: normal, plus a share of obscure titles few people ever see (the long tail).
    appeal = rng.normal(0.0, _APPEAL_SD, size=n_movies) - obscure_shift * (rng.random(n_movies) < obscure_share)
    titles = _titles(n_movies, years, rng)
    return _Movies(release=release, years=years, genres=genres, appeal=appeal, titles=titles)


def _draw_users(n_users: int, n_movies: int, n_ratings: int, min_ratings: int, rng: np.random.Generator) -> _Users:
    """Users: demographics, activity."""
    youngest, oldest = _AGE_RANGE
    ages = np.clip(np.round(rng.gamma(6.0, 5.5, size=n_users) + youngest), youngest, oldest).astype(np.int64)
    gender = np.where(rng.random(n_users) < _MALE_SHARE, "M", "F")
    occupation = rng.choice(np.array(_OCCUPATIONS, dtype=object), size=n_users)
    counts = _user_counts(n_users, n_movies, n_ratings, min_ratings, rng)
    return _Users(ages=ages, gender=gender, occupation=occupation, counts=counts, visits=draw_visits(counts, rng))


def _spread(draws: np.ndarray, sd: float | np.ndarray) -> np.ndarray:
    """``draws`` centred and scaled to standard deviation ``sd`` exactly (per column): every world weighs
    biases and tastes alike, so its realism does not hang on the luck of one seed."""
    spread: np.ndarray = (draws - draws.mean(axis=0)) / draws.std(axis=0) * sd
    return spread


def _draw_latent(
    movies: _Movies,
    n_users: int,
    n_factors: int,
    noise: tuple[float, float],
    taste_weight: float,
    counts: np.ndarray,
    rng: np.random.Generator,
    user_bias_sd: float = _USER_BIAS_SD,
) -> tuple[MovieWorld, np.ndarray, np.ndarray]:
    """Latent model: genre-driven movie factors, tastes, biases (popular movies are better liked).

    Returns the world and what each user seeks out (a vector over the latent
    factors): partly their taste, partly independent of how they rate.
    ``noise`` is ``(noise_sd, noise_spread)``: the rating noise and the
    log-sd of each user's factor on it; ``counts`` (ratings per user) weigh
    the users' noise so that its ratings-weighted root mean square is
    ``noise_sd``.
    """
    noise_sd, noise_spread = noise
    genres = movies.genres
    n_movies = len(genres)
    genre_embedding = rng.normal(0.0, 0.5, size=(len(GENRES), n_factors))
    genre_part = genres @ genre_embedding / np.sqrt(genres.sum(axis=1, keepdims=True))
    movie_factors = genre_part + rng.normal(0.0, 0.3, size=(n_movies, n_factors))
    # Every dimension equally spread over the catalogue, so the weight of taste is the same in every world.
    movie_factors *= _MOVIE_FACTOR_SD / movie_factors.std(axis=0)
    # A few tastes matter much more than the rest (the spectrum of real rating matrices falls off quickly).
    scale = _TASTE_DECAY ** np.arange(n_factors)
    user_factors = _spread(rng.standard_normal((n_users, n_factors)), _TASTE_SD * scale / np.sqrt(np.mean(scale**2)))
    own_interest = np.sqrt(1 - _INTEREST_TASTE**2) * rng.standard_normal((n_users, n_factors))
    interest = _INTEREST_TASTE * user_factors / _TASTE_SD + own_interest
    user_factors *= taste_weight  # _exposure divides it out again
    movie_bias = _APPEAL_BIAS * movies.appeal + _spread(rng.standard_normal(n_movies), _MOVIE_BIAS_SD)
    user_bias = _spread(rng.standard_normal(n_users), user_bias_sd)
    # Thresholds: quantiles of latent + noise over a large sample of all pairs.
    su, sm = rng.integers(n_users, size=_THRESHOLD_SAMPLE), rng.integers(n_movies, size=_THRESHOLD_SAMPLE)
    sample = (
        user_bias[su]
        + movie_bias[sm]
        + np.einsum("ij,ij->i", user_factors[su], movie_factors[sm])
        + rng.normal(0.0, noise_sd, size=_THRESHOLD_SAMPLE)
    )
    thresholds = np.quantile(sample, _POPULATION_CUMSHARE)
    drift = rng.normal(0.0, _DRIFT_SD, size=(n_users, n_factors))
    # From a child stream, so every draw above and below is that of a world with one noise for all users.
    consistency = np.exp(noise_spread * rng.spawn(1)[0].standard_normal(n_users))
    user_noise = noise_sd * consistency / np.sqrt((counts * consistency**2).sum() / counts.sum())
    world = MovieWorld(
        user_bias, movie_bias, user_factors, movie_factors, thresholds, noise_sd, user_noise, taste_weight
    )
    return world, interest, drift


def _center_thresholds(world: MovieWorld, selected: tuple[np.ndarray, np.ndarray]) -> None:
    """Shift the star thresholds, in place, so the expected rating of the ``selected`` pairs averages 3.53."""
    latent = world.latent(*selected)

    noise = world.user_noise[selected[0]]

    def gap(shift: float) -> float:
        return float(expected_ratings(latent - shift, world.thresholds, noise).mean()) - _OBSERVED_MEAN

    world.thresholds = world.thresholds + brentq(gap, -_MAX_SHIFT, _MAX_SHIFT)


def _pick(
    world: MovieWorld,
    movies: _Movies,
    interest: np.ndarray,
    users: _Users,
    mnar: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Who rates what: Gumbel top-k per user, by blocks of users; (user index, movie index) of every rating."""
    n_users, n_movies = world.n_users, world.n_movies
    counts = users.counts
    rows, cols = [], []
    block = max(1, _BLOCK_CELLS // n_movies)
    order = np.arange(n_movies)
    for start in range(0, n_users, block):
        block_users = np.arange(start, min(n_users, start + block))
        keys = _exposure(world, movies, interest, users, block_users, mnar) + rng.gumbel(
            size=(len(block_users), n_movies)
        )
        most = counts[block_users].max()
        top = np.argpartition(-keys, most - 1, axis=1) if most < n_movies else np.tile(order, (len(block_users), 1))
        for offset, user in enumerate(block_users):
            k = counts[user]
            candidates = top[offset, :most]
            chosen = candidates[np.argsort(-keys[offset, candidates], kind="stable")[:k]]
            rows.append(np.full(k, user))
            cols.append(np.sort(chosen))
    user_index, movie_index = np.concatenate(rows), np.concatenate(cols)
    _rate_every_movie(world, movies, interest, users, mnar, user_index, movie_index, rng)
    return user_index, movie_index


def _exposure(
    world: MovieWorld,
    movies: _Movies,
    interest: np.ndarray,
    users: _Users,
    block: np.ndarray,
    mnar: bool,
    cols: np.ndarray | None = None,
) -> np.ndarray:
    """Exposure log-odds of the users ``block`` to the movies ``cols`` (all by default), shape ``(block, cols)``.

    Popularity, liking, interest, age and hype add up; a movie released
    after a user's last visit gets ``-inf``. Without MNAR every movie is
    equally likely (0 everywhere).
    """
    cols = np.arange(world.n_movies) if cols is None else cols
    if not mnar:
        return np.zeros((len(block), len(cols)))
    seen_at = users.visits.seen_at(block, movies.release[cols])
    released = (movies.release[cols] - START).astype(np.int64).astype(np.float64)[None, :]
    factors = world.movie_factors[cols]
    keys: np.ndarray = _POPULARITY_WEIGHT * movies.appeal[cols][None, :] + exposure_by_age(seen_at - released)
    liking = world.user_factors[block] @ factors.T / world.taste_weight + world.movie_bias[cols][None, :]
    keys += _LIKING_WEIGHT * liking
    keys += _INTEREST_WEIGHT * (interest[block] @ factors.T)
    keys[seen_at > users.visits.last[block, None]] = -np.inf
    return keys


def _rate_every_movie(
    world: MovieWorld,
    movies: _Movies,
    interest: np.ndarray,
    users: _Users,
    mnar: bool,
    user_index: np.ndarray,
    movie_index: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Give every movie nobody picked one rating, in place; the catalogue is the rated set, as in MovieLens.

    For each such movie the user most drawn to it (exposure plus a Gumbel
    draw) swaps it in for their least-drawn pick of a movie others rated too,
    so every user keeps their number of ratings.
    """
    n_movies = world.n_movies
    movie_counts = np.bincount(movie_index, minlength=n_movies)
    everyone = np.arange(world.n_users)
    starts = np.r_[0, np.cumsum(users.counts)]  # user_index is grouped by user, in user order
    for movie in np.flatnonzero(movie_counts == 0):
        drawn = _exposure(world, movies, interest, users, everyone, mnar, np.array([movie]))[:, 0]
        if not np.isfinite(drawn).any():  # released after everyone left: the latest visitor comes back for it
            drawn = np.where(users.visits.last == users.visits.last.max(), 0.0, -np.inf)
        user = int(np.argmax(drawn + rng.gumbel(size=len(drawn))))
        slots = np.arange(starts[user], starts[user + 1])
        shared = slots[movie_counts[movie_index[slots]] > 1]
        own = _exposure(world, movies, interest, users, np.array([user]), mnar, movie_index[shared])[0]
        slot = shared[np.argmin(own)]
        movie_counts[movie_index[slot]] -= 1
        movie_index[slot] = movie
        movie_counts[movie] += 1


def _order_keys(
    world: MovieWorld,
    movies: _Movies,
    users: _Users,
    drift: np.ndarray,
    ratings: tuple[np.ndarray, np.ndarray],
    mnar: bool,
    rng: np.random.Generator,
) -> np.ndarray:
    """How early each rating comes in its user's sequence (higher: earlier); random without MNAR.

    Popular, loved and recent movies come first; movies in the direction
    the user's interest drifts towards come last.
    """
    user_index, movie_index = ratings
    keys: np.ndarray = rng.gumbel(size=len(user_index))  # the noise; the rest is added block by block, in place
    if not mnar:
        return keys
    released = (movies.release - START).astype(np.int64).astype(np.float64)
    for part in _blocks(len(keys), drift.shape[1]):
        block_users, block_movies = user_index[part], movie_index[part]
        age = users.visits.first[block_users] - released[block_movies]
        drifting = np.einsum("ij,ij->i", drift[block_users], world.movie_factors[block_movies])
        keys[part] = (
            ORDER_APPEAL * movies.appeal[block_movies]
            + ORDER_LIKING * world.latent(block_users, block_movies)
            - ORDER_RECENCY * age_years(age)
            - _INTEREST_WEIGHT * drifting
            + keys[part]
        )
    return keys


def _movies_frame(movies: _Movies) -> pd.DataFrame:
    """The public ``movies`` table."""
    genres = ["|".join(g for g, on in zip(GENRES, row, strict=True) if on) for row in movies.genres]
    frame: pd.DataFrame = pd.DataFrame(
        {
            "movie_id": np.arange(1, len(movies.years) + 1, dtype=np.int64),
            "title": pd.array(movies.titles, dtype="string"),
            "year": movies.years,
            "release_date": pd.to_datetime(movies.release).astype("datetime64[s]"),
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
