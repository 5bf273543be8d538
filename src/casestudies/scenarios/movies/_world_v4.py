"""movies-v4: v3's world laid out in blocks of users, so that any size is generated a block at a time.

The story, the parameters and the calibration constants are v3's (see
:mod:`casestudies.scenarios.movies._world`). What differs is where each draw
comes from, so that the ratings of any range of users are produced without
the others, in any process, with the same bytes:

- **Everything of one value per user or per movie** (movies and their
  titles, users, their numbers of ratings, visits, tastes, biases, drift,
  consistency, the star thresholds) is drawn once, from streams keyed by the
  seed and the concern, as v3 draws it.
- **Every movie's guaranteed rating** is assigned in the plan too: v3 gives
  the movies nobody picked to the user most drawn to them, which needs
  everyone's picks; v4 gives *every* movie one rater, drawn among
  :data:`FORCED_CANDIDATES` random users with probability growing with
  their exposure to it (a softmax, as v3's argmax of exposure plus a Gumbel
  draw), who rates it in place of their least-drawn pick. Nobody holds
  more than half their ratings this way.
- **The thresholds** are shifted so that the self-selected ratings average
  3.53 stars, as in v3, but measured on the picks of a sample of
  :data:`CENTER_USERS` users (all users up to that size), drawn in the plan.
- **Everything of one value per rating** (picks, stars, order, timestamps)
  is drawn per block of :data:`BLOCK_USERS` consecutive users, from a stream
  keyed by the seed and the block. The block size is a constant of the
  version, not the partition size.

Ratings are ordered by user, then time, then movie, as MovieLens-20M's
``ratings.csv`` is by user.

.. versionadded:: 0.4
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.scenarios.movies._timeline import Visits, stamp
from casestudies.scenarios.movies._world import (
    MovieWorld,
    _center_thresholds,
    _check_sizes,
    _draw_latent,
    _draw_movies,
    _draw_users,
    _exposure,
    _Movies,
    _movies_frame,
    _order_keys,
    _Users,
    _users_frame,
    expected_ratings,
)

__all__ = [
    "BLOCK_USERS",
    "CENTER_USERS",
    "FORCED_CANDIDATES",
    "OBSCURE_SHIFT",
    "USER_BIAS_SD",
    "BlockRatings",
    "BlockWorld",
    "child_stream",
    "seed_sequence",
    "simulate_world",
]

BLOCK_USERS: Final[int] = 100
"""Users whose ratings are drawn from one stream: a constant of the version (not the partition size)."""
CENTER_USERS: Final[int] = 2_000
"""Users whose picks the star thresholds are centred on (all of them in smaller worlds)."""
FORCED_CANDIDATES: Final[int] = 256
"""Random users a movie's guaranteed rater is drawn among (a chunk of as many movies shares them)."""
# Obscure titles are less seen than in v3 (1.85): every movie's guaranteed rating lifts the rarely rated tail, and
# this brings its share of movies with at most 5 ratings back to ML-100K's 0.228 (0.229 over seeds 0-4; 1.85
# gives 0.192) and the item Gini to its 0.629 (0.629; 1.85 gives 0.616).
OBSCURE_SHIFT: Final[float] = 2.4
# v4's noise_sd default is 0.775 (v3: 0.725), which brings the bias baseline's RMSE back to ML-100K's 0.944
# (0.725 gives 0.936 over seeds 0-4); users' levels spread more than v3's (0.245) to keep the sd of their mean
# stars at ML-100K's 0.445 under that noise (0.245 gives 0.420 at noise_sd 0.75, 0.28 gives 0.439).
# Its taste_weight default is 1.15 (v3: 1.1), so personal taste keeps its worth under that noise: the SGD
# matrix factorisation's gain over the biases is 0.0099 over seeds 0-4 (real 0.010; 1.1 gives 0.0043 on seed 3).
USER_BIAS_SD: Final[float] = 0.28
_MAX_FORCED_SHARE: Final[float] = 0.5  # at most this share of a user's ratings are guaranteed ones
# Keys of the child streams of the generator's seed: one per concern, and per block for the ratings.
MOVIES, USERS, LATENT, FORCED, CENTER, BLOCK, HOLDOUT, UNSEEN, COLD = range(9)


def child_stream(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """The stream of ``root`` keyed by ``key``: fixed by the seed, not by the order work is done in.

    Examples
    --------
    >>> import numpy as np
    >>> root = np.random.SeedSequence(1)
    >>> float(child_stream(root, 5, 2).random()) == float(child_stream(root, 5, 2).random())
    True
    """
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key), pool_size=root.pool_size)
    return np.random.default_rng(child)


@dataclass(frozen=True, slots=True)
class BlockRatings:
    """One block's ratings, by user, then time, then movie: 0-based user and movie indices."""

    users: np.ndarray
    movies: np.ndarray
    timestamps: np.ndarray  # datetime64[s]
    stars: np.ndarray  # int8
    expected: np.ndarray


class BlockWorld:
    """Everything of one value per user or movie, drawn in the plan, and the ratings of any block on demand.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=250, n_movies=300, n_ratings=9_000, n_factors=4, mnar=True, noise_sd=0.725,
    ...               noise_spread=0.25, taste_weight=1.1, min_ratings=20, obscure_share=0.25)
    >>> world = BlockWorld(params, np.random.SeedSequence(0))
    >>> drawn = world.block(2)  # users 200 to 249
    >>> world.n_blocks, int(drawn.users.min()), len(drawn.users) == int(world.users.counts[200:].sum())
    (3, 200, True)
    """

    def __init__(self, params: Mapping[str, object], root: np.random.SeedSequence) -> None:
        n_users = int(params["n_users"])  # type: ignore[call-overload]
        n_movies = int(params["n_movies"])  # type: ignore[call-overload]
        n_ratings = int(params["n_ratings"])  # type: ignore[call-overload]
        min_ratings = int(params["min_ratings"])  # type: ignore[call-overload]
        _check_sizes(n_users, n_movies, n_ratings, min_ratings)
        self.root = root
        self.mnar = bool(params["mnar"])
        noise = (float(params["noise_sd"]), float(params["noise_spread"]))  # type: ignore[arg-type]
        obscure = float(params["obscure_share"])  # type: ignore[arg-type]
        self.movies: _Movies = _draw_movies(n_movies, obscure, child_stream(root, MOVIES), OBSCURE_SHIFT)
        self.users: _Users = _draw_users(n_users, n_movies, n_ratings, min_ratings, child_stream(root, USERS))
        world, interest, drift = _draw_latent(
            self.movies,
            n_users,
            int(params["n_factors"]),  # type: ignore[call-overload]
            noise,
            float(params["taste_weight"]),  # type: ignore[arg-type]
            self.users.counts,
            child_stream(root, LATENT),
            USER_BIAS_SD,
        )
        self.world: MovieWorld = world
        self.drift = drift
        # What a user seeks drifts from interest to interest + drift over their sequence: they pick by the average.
        self.seek = interest + 0.5 * drift
        self.forced = self._assign_every_movie(child_stream(root, FORCED))
        self._center(child_stream(root, CENTER))

    @property
    def n_users(self) -> int:
        return self.world.n_users

    @property
    def n_movies(self) -> int:
        return self.world.n_movies

    @property
    def n_blocks(self) -> int:
        return -(-self.n_users // BLOCK_USERS)

    def block_users(self, block: int) -> np.ndarray:
        """Indices of the users of ``block``."""
        return np.arange(block * BLOCK_USERS, min(self.n_users, (block + 1) * BLOCK_USERS))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The public side tables, as v3 writes them."""
        return {"movies": _movies_frame(self.movies), "users": _users_frame(self.users)}

    # -- the plan's draws ---------------------------------------------------------------

    def _assign_every_movie(self, rng: np.random.Generator) -> np.ndarray:
        """Every movie's guaranteed rater (a user index), drawn a chunk of movies at a time.

        No user gets more than half their ratings this way; when every user's
        half is taken (far more movies than ratings), the remaining movies get
        no guaranteed rater (``-1``) and may go unrated.
        """
        n_users, n_movies = self.n_users, self.n_movies
        room = np.floor(_MAX_FORCED_SHARE * self.users.counts).astype(np.int64)
        rater = np.empty(n_movies, dtype=np.int64)
        latest = self.users.visits.last
        for start in range(0, n_movies, FORCED_CANDIDATES):
            chunk = np.arange(start, min(n_movies, start + FORCED_CANDIDATES))
            candidates = np.sort(rng.choice(n_users, size=min(n_users, FORCED_CANDIDATES), replace=False))
            keys = _exposure(self.world, self.movies, self.seek, self.users, candidates, self.mnar, chunk)
            keys = keys + rng.gumbel(size=keys.shape)
            for column, movie in enumerate(chunk):  # a few hundred movies: each takes the best candidate with room
                drawn = np.where(room[candidates] > 0, keys[:, column], -np.inf)
                if np.isfinite(drawn).any():
                    user = int(candidates[np.argmax(drawn)])
                elif (room > 0).any():  # released after every candidate left, or none has room: the latest with room
                    user = int(np.argmax(np.where(room > 0, latest, -np.inf)))
                else:
                    rater[movie] = -1
                    continue
                rater[movie] = user
                room[user] -= 1
        return rater

    def _center(self, rng: np.random.Generator) -> None:
        """Shift the thresholds so that the picks of a sample of users average 3.53 stars (v3: of all users)."""
        n_sample = min(self.n_users, CENTER_USERS)
        sample = np.sort(rng.choice(self.n_users, size=n_sample, replace=False))
        users, movies = [], []
        for start in range(0, n_sample, BLOCK_USERS):
            # Always the exposure of the self-selected world: without MNAR the thresholds are those it would have.
            picked_users, picked_movies = self._pick(sample[start : start + BLOCK_USERS], True, rng, forced=False)
            users.append(picked_users)
            movies.append(picked_movies)
        _center_thresholds(self.world, (np.concatenate(users), np.concatenate(movies)))

    # -- one block's ratings --------------------------------------------------------------

    def _pick(
        self, block_users: np.ndarray, mnar: bool, rng: np.random.Generator, *, forced: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who rates what, for ``block_users``: Gumbel top-k of exposure, the guaranteed movies first."""
        n_movies = self.n_movies
        counts = self.users.counts[block_users]
        keys = _exposure(self.world, self.movies, self.seek, self.users, block_users, mnar)
        keys += rng.gumbel(size=keys.shape)
        if forced:
            own = np.flatnonzero((self.forced >= block_users[0]) & (self.forced <= block_users[-1]))
            keys[self.forced[own] - block_users[0], own] = np.inf
        most = int(counts.max())
        top = np.argpartition(-keys, most - 1, axis=1)[:, :most] if most < n_movies else None
        rows, cols = [], []
        for offset, user in enumerate(block_users):
            k = int(counts[offset])
            candidates = np.arange(n_movies) if top is None else top[offset]
            chosen = candidates[np.argsort(-keys[offset, candidates], kind="stable")[:k]]
            rows.append(np.full(k, user, dtype=np.int64))
            cols.append(np.sort(chosen))
        return np.concatenate(rows), np.concatenate(cols)

    def block(self, block: int) -> BlockRatings:
        """The ratings of the users of ``block``, from the block's own stream."""
        rng = child_stream(self.root, BLOCK, block)
        block_users = self.block_users(block)
        user_index, movie_index = self._pick(block_users, self.mnar, rng)
        world = self.world
        latent = world.latent(user_index, movie_index)
        user_noise = world.user_noise[user_index]
        noisy = latent + rng.normal(0.0, 1.0, size=len(latent)) * user_noise
        stars = (1 + np.searchsorted(world.thresholds, noisy)).astype(np.int8)
        expected = expected_ratings(latent, world.thresholds, user_noise)
        order_key = _order_keys(world, self.movies, self.users, self.drift, (user_index, movie_index), self.mnar, rng)
        visits = self.users.visits
        local = Visits(
            first=visits.first[block_users], last=visits.last[block_users], sessions=visits.sessions[block_users]
        )
        local_users = user_index - block_users[0]
        timestamps = stamp(local_users, order_key, self.movies.release, movie_index, local, rng)
        order = np.lexsort((movie_index, timestamps, user_index))
        return BlockRatings(
            users=user_index[order],
            movies=movie_index[order],
            timestamps=timestamps[order],
            stars=stars[order],
            expected=expected[order],
        )


def simulate_world(
    params: Mapping[str, object], rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, MovieWorld]:
    """Simulate the v4 world whole: every block's ratings, concatenated (for studying the world itself).

    Parameters
    ----------
    params : Mapping
        As v3's :func:`casestudies.scenarios.movies._world.simulate_world`.
    rng : numpy.random.Generator
        Seeded from a SeedSequence: its seed keys every stream of the world.

    Returns
    -------
    ratings : pandas.DataFrame
        ``user_id, movie_id, timestamp, rating, expected_rating``, by user, then time.
    movies, users : pandas.DataFrame
        Public side tables.
    world : MovieWorld
        The latent state.

    Examples
    --------
    >>> import numpy as np
    >>> params = dict(n_users=60, n_movies=120, n_ratings=2_000, n_factors=4, mnar=True, noise_sd=0.725,
    ...               min_ratings=20, obscure_share=0.25, noise_spread=0.25, taste_weight=1.1)
    >>> ratings, movies, users, world = simulate_world(params, np.random.default_rng(0))
    >>> len(ratings), bool(ratings["user_id"].is_monotonic_increasing), ratings["movie_id"].nunique()
    (2000, True, 120)
    """
    blocks = BlockWorld(params, seed_sequence(rng))
    parts = [blocks.block(block) for block in range(blocks.n_blocks)]
    ratings = pd.DataFrame(
        {
            "user_id": np.concatenate([part.users for part in parts]) + 1,
            "movie_id": np.concatenate([part.movies for part in parts]) + 1,
            "timestamp": np.concatenate([part.timestamps for part in parts]).astype("datetime64[ms]"),
            "rating": np.concatenate([part.stars for part in parts]),
            "expected_rating": np.concatenate([part.expected for part in parts]),
        }
    )
    tables = blocks.tables()
    return ratings, tables["movies"], tables["users"], blocks.world


def seed_sequence(rng: np.random.Generator) -> np.random.SeedSequence:
    """The SeedSequence ``rng`` was seeded from (every v4 stream is keyed under it).

    Examples
    --------
    >>> import numpy as np
    >>> seed_sequence(np.random.default_rng(3)).entropy
    3
    """
    seed_seq = rng.bit_generator.seed_seq
    if not isinstance(seed_seq, np.random.SeedSequence):
        message = f"movies-v4: the generator needs a numpy Generator seeded from a SeedSequence; got {rng!r}."
        raise TypeError(message + " Pass numpy.random.default_rng(seed).")
    return seed_seq
