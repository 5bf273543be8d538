"""The block plan of the ``movies-*-v4`` cases: v4's world (:mod:`._world_v4`) split a block of users at a time.

Both tasks hold out a number of every user's ratings fixed by the plan
(``floor(test_fraction * n_u)``, as v3), so the rows of ``train`` and, for
the rating task, of ``test`` are counted without drawing a rating:

- **rating**: the held-out ratings are each user's latest (``split =
  "temporal"``) or drawn at random within the user from the stream of
  (seed, block); the rows are the ratings of each frame in by-user, time
  order, ``rating_id`` numbering all ratings in that order.
- **top-N**: each user's latest ratings are held out, and all but the first
  ``cold_start_ratings`` of the cold-start users (drawn in the plan). A test
  row is a user with at least one held-out rating of 4 or 5 stars: which
  users those are is known once the blocks are drawn, so the plan counts
  them in one pass over the blocks, kept with the plan (one number a user).

Examples
--------
>>> import numpy as np
>>> import casestudies as cs
>>> params = {**cs.spec("movies-rating-v4").defaults, "n_users": 250, "n_movies": 300, "n_ratings": 9_000}
>>> plan = MoviePlan(params, np.random.SeedSequence(0), "rating")
>>> rows, truth = plan.rows("test", 10, 20)
>>> len(rows), list(truth.columns), plan.n_rows("train") + plan.n_rows("test")
(10, ['expected_rating'], 9000)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.core import SizeEstimate
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.movies._timeline import END, START
from casestudies.scenarios.movies._world_v4 import (
    BLOCK_USERS,
    COLD,
    HOLDOUT,
    UNSEEN,
    BlockRatings,
    BlockWorld,
    child_stream,
)
from casestudies.scoring import TOPN_K

__all__ = ["COLUMNS", "RELEVANT_STARS", "MoviePlan", "Whole", "estimate_size"]

COLUMNS: Final[list[str]] = ["rating_id", "user_id", "movie_id", "timestamp", "rating"]
"""The columns of a ratings frame (the test frame of the rating task too, with the target)."""
RELEVANT_STARS: Final[int] = 4
"""A held-out rating of this many stars or more is relevant (top-N)."""
_KEPT_BLOCKS: Final[int] = 2  # blocks a plan keeps drawn: a partition boundary falls inside at most one
_UNSEEN_EXTRA_DRAWS: Final[int] = 100  # candidate unseen pairs of a block: twice the number wanted plus this many
_TASKS: Final[tuple[str, str]] = ("rating", "topn")


@dataclass(frozen=True, slots=True)
class _Block:
    """One block of users split for the task: its rows of each frame, their truth, and the held-out ratings."""

    train: pd.DataFrame
    train_truth: pd.DataFrame
    test: pd.DataFrame
    truth: pd.DataFrame
    heldout: pd.DataFrame  # top-N: every held-out rating (the scorer's context); rating: empty


@dataclass(frozen=True, slots=True)
class Whole:
    """Every block's frames, concatenated (what ``make`` holds), and the rating task's unseen pairs."""

    train: pd.DataFrame
    train_truth: pd.DataFrame
    test: pd.DataFrame
    truth: pd.DataFrame
    heldout: pd.DataFrame
    unseen: pd.DataFrame


class MoviePlan:
    """Rows of a ``movies-rating-v4`` or ``movies-topn-v4`` case by range (see the module docstring).

    Holds the parameters and the seed (and, for top-N once counted, the test
    users); the world is drawn where it is first needed and not pickled.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import casestudies as cs
    >>> params = {**cs.spec("movies-topn-v4").defaults, "n_users": 250, "n_movies": 300, "n_ratings": 9_000}
    >>> plan = MoviePlan(params, np.random.SeedSequence(4), "topn")
    >>> whole, _ = plan.rows("train", 0, plan.n_rows("train"))
    >>> pieces = [plan.rows("train", start, min(start + 997, len(whole)))[0] for start in range(0, len(whole), 997)]
    >>> pd.concat(pieces, ignore_index=True).equals(whole)
    True
    """

    target: str = "rating"
    cost_column: str | None = None

    def __init__(self, params: Mapping[str, object], seed_seq: np.random.SeedSequence, task: str) -> None:
        if task not in _TASKS:
            raise ValueError(f"movies-v4: task must be one of {_TASKS}; got {task!r}.")
        self._params = dict(params)
        self._seed_seq = seed_seq
        self.task = task
        self.id_column = "rating_id" if task == "rating" else "user_id"
        self._world: BlockWorld | None = None
        self._test_users: np.ndarray | None = None
        self._kept: dict[int, _Block] = {}
        self._labels: dict[int, np.ndarray] = {}  # each drawn block's test labels (stars, or relevant counts)
        self._lock = threading.Lock()  # a worker may run several partitions of one plan in threads

    def __getstate__(self) -> dict[str, object]:
        # Parameters, seed and (top-N) the test users: the world is redrawn where it is used.
        return {
            "params": self._params,
            "seed_seq": self._seed_seq,
            "task": self.task,
            "test_users": self._test_users,
            "labels": self._labels,  # a byte a held-out rating, or a count a test user: a few MB at most
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["params"], state["seed_seq"], state["task"])  # type: ignore[misc]
        self._test_users = state["test_users"]  # type: ignore[assignment]
        self._labels = state["labels"]  # type: ignore[assignment]

    # -- what the plan knows without drawing a rating ---------------------------------------

    @property
    def world(self) -> BlockWorld:
        """The world's per-user and per-movie draws (drawn on first use)."""
        with self._lock:
            if self._world is None:
                self._world = BlockWorld(self._params, self._seed_seq)
            return self._world

    @property
    def counts(self) -> np.ndarray:
        """Ratings of every user."""
        counts: np.ndarray = self.world.users.counts
        return counts

    @property
    def held(self) -> np.ndarray:
        """Held-out ratings of every user: ``floor(test_fraction * n_u)``, and the cold-start users' later ones."""
        counts = self.counts
        held = np.floor(float(self._params["test_fraction"]) * counts).astype(np.int64)  # type: ignore[arg-type]
        if self.task == "topn":
            kept = np.minimum(int(self._params["cold_start_ratings"]), counts - held)  # type: ignore[call-overload]
            held = np.where(self.cold, counts - kept, held)
        return held

    @property
    def cold(self) -> np.ndarray:
        """Cold-start users (top-N): they keep only their first ``cold_start_ratings`` ratings in train."""
        share = float(self._params["cold_start_fraction"])  # type: ignore[arg-type]
        cold: np.ndarray = child_stream(self._seed_seq, COLD).random(self.world.n_users) < share
        return cold

    def n_rows(self, frame: str) -> int:
        """Rows of ``"train"`` or ``"test"`` (top-N test users are counted in one pass over the blocks)."""
        n_rows = int(self._block_rows(frame).sum())
        if frame == "test" and n_rows == 0:
            self._refuse_empty_test()
        return n_rows

    def _refuse_empty_test(self) -> None:
        """A case with nothing to score is refused, with what to change."""
        params = self._params
        held = f"each user holds out test_fraction={params['test_fraction']} of their ratings, rounded down"
        if self.task == "rating":
            problem = f"these parameters hold out no rating: {held}, and that is 0 for every user"
        else:
            problem = f"these parameters leave no user to recommend for: {held}, and none holds out 4 or 5 stars"
        message = f"movies-{self.task}-v4: {problem} (min_ratings={params['min_ratings']}, "
        message += f"n_ratings={params['n_ratings']}, n_users={params['n_users']})."
        raise InvalidParameterError(message + " Raise min_ratings, n_ratings or test_fraction.")

    def _block_rows(self, frame: str) -> np.ndarray:
        """Rows of ``frame`` in every block."""
        world = self.world
        starts = np.arange(0, world.n_users, BLOCK_USERS)
        if frame == "train":
            return np.add.reduceat(self.counts - self.held, starts)
        if frame != "test":
            raise ValueError(f"movies-v4: frame must be 'train' or 'test'; got {frame!r}.")
        if self.task == "rating":
            return np.add.reduceat(self.held, starts)
        return np.bincount(self.test_users // BLOCK_USERS, minlength=world.n_blocks)

    @property
    def test_users(self) -> np.ndarray:
        """Top-N: indices of the users with at least one relevant held-out rating (one pass over the blocks)."""
        if self._test_users is None:
            found = [self._block(block).test["user_id"].to_numpy() - 1 for block in range(self.world.n_blocks)]
            self._test_users = np.concatenate(found)
        return self._test_users

    def info(self, n_train: int, n_test: int, train_positives: int) -> dict[str, object]:
        """Data-card facts, from the plan's counts (the stars' mean is the card's ``train_mean_rating``)."""
        del train_positives  # the card states it
        world, counts = self.world, self.counts
        facts: dict[str, object] = {
            "n_users": world.n_users,
            "n_movies": world.n_movies,
            "n_ratings": int(counts.sum()),
            "density": round(int(counts.sum()) / (world.n_users * world.n_movies), 5),
            "median_ratings_per_user": float(np.median(counts)),
            "min_ratings_per_user": int(counts.min()),
            "period": f"{START.astype('datetime64[D]')} to {END.astype('datetime64[D]')}",
            "row_order": "by user, then time",
            "missing_not_at_random": world.mnar,
        }
        if self.task == "topn":
            facts.update(test_users=n_test, cold_start_users=int(self.cold[self.test_users].sum()), k=TOPN_K)
        else:
            facts.update(heldout_ratings=n_test, training_ratings=n_train)
        return facts

    def tables(self) -> dict[str, pd.DataFrame]:
        """The public side tables, ``movies`` and ``users``."""
        return self.world.tables()

    # -- the rows ------------------------------------------------------------------------------

    def rows(self, frame: str, start: int, stop: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rows ``start:stop`` of ``frame`` (target included, if the frame has it) and their truth."""
        per_block = self._block_rows(frame)
        n_rows = int(per_block.sum())
        if not 0 <= start <= stop <= n_rows:
            raise IndexError(f"movies-v4: rows {start}:{stop} of {frame!r}, which holds {n_rows:,} rows.")
        before = np.concatenate([[0], np.cumsum(per_block)])
        first = min(int(np.searchsorted(before, start, side="right")) - 1, len(per_block) - 1)
        last = max(int(np.searchsorted(before, stop, side="left")), first + 1)
        # Only the frame asked for is kept of each block (a top-N test partition spans every block: its other
        # frames would be the whole case).
        frames, truths = [], []
        for block in range(first, last):
            split = self._block(block)
            frames.append(getattr(split, frame))
            truths.append(split.train_truth if frame == "train" else split.truth)
        rows = pd.concat(frames, ignore_index=True)
        truth = pd.concat(truths)
        offset = int(before[first])
        window = slice(start - offset, stop - offset)
        return rows.iloc[window].reset_index(drop=True), truth.iloc[window].reset_index(drop=True)

    def known_labels(self, start: int, stop: int) -> np.ndarray | None:
        """The task labels of test rows ``start:stop`` (stars; top-N: relevant counts), if their blocks were drawn.

        Examples
        --------
        >>> import numpy as np
        >>> import casestudies as cs
        >>> params = {**cs.spec("movies-rating-v4").defaults, "n_users": 150, "n_movies": 300, "n_ratings": 6_000}
        >>> plan = MoviePlan(params, np.random.SeedSequence(0), "rating")
        >>> plan.known_labels(0, 10) is None
        True
        >>> _ = plan.rows("train", 0, plan.n_rows("train"))  # draws every block
        >>> np.array_equal(plan.known_labels(0, 10), plan.rows("test", 0, 10)[0]["rating"])
        True
        """
        per_block = self._block_rows("test")
        before = np.concatenate([[0], np.cumsum(per_block)])
        first = min(int(np.searchsorted(before, start, side="right")) - 1, len(per_block) - 1)
        last = max(int(np.searchsorted(before, stop, side="left")), first + 1)
        if any(block not in self._labels for block in range(first, last)):
            return None
        labels = np.concatenate([self._labels[block] for block in range(first, last)])
        offset = int(before[first])
        known: np.ndarray = labels[start - offset : stop - offset]
        return known

    def whole(self) -> Whole:
        """Every block once: the frames ``make`` holds, and (rating) the unseen pairs of full-catalog truth."""
        blocks, unseen = [], []
        for block in range(self.world.n_blocks):
            blocks.append(self._block(block))
            if self.task == "rating":
                unseen.append(self._unseen(block, blocks[-1]))
        if self.task == "topn":
            self._test_users = np.concatenate([block.test["user_id"].to_numpy() - 1 for block in blocks])

        def joined(name: str) -> pd.DataFrame:
            frames: list[pd.DataFrame] = [getattr(block, name) for block in blocks]
            return pd.concat(frames, ignore_index=True)

        if not any(len(block.test) for block in blocks):
            self._refuse_empty_test()
        no_pairs = pd.DataFrame({"user_id": np.empty(0, np.int64), "movie_id": np.empty(0, np.int64)})
        return Whole(
            train=joined("train"),
            train_truth=joined("train_truth"),
            test=joined("test"),
            truth=joined("truth"),
            heldout=joined("heldout"),
            unseen=pd.concat(unseen, ignore_index=True) if unseen else no_pairs,
        )

    def _block(self, block: int) -> _Block:
        with self._lock:
            kept = self._kept.get(block)
        if kept is not None:
            return kept
        split = self._split(block, self.world.block(block))  # drawn outside the lock: the same bytes in any thread
        labels = split.test["rating"] if self.task == "rating" else split.truth["n_relevant"]
        with self._lock:
            while len(self._kept) >= _KEPT_BLOCKS:
                del self._kept[next(iter(self._kept))]
            self._kept[block] = split
            self._labels[block] = labels.to_numpy()
        return split

    def _split(self, block: int, drawn: BlockRatings) -> _Block:
        """The block's ratings as frames, split into train and holdout."""
        users = self.world.block_users(block)
        counts, held = self.counts[users], self.held[users]
        first_id = int(self.counts[: users[0]].sum()) + 1
        ratings = pd.DataFrame(
            {
                "rating_id": np.arange(first_id, first_id + len(drawn.users), dtype=np.int64),
                "user_id": drawn.users + 1,
                "movie_id": drawn.movies + 1,
                "timestamp": drawn.timestamps.astype("datetime64[ms]"),
                "rating": drawn.stars,
            }
        )
        expected = pd.DataFrame({"expected_rating": drawn.expected})
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        position = np.arange(len(drawn.users)) - starts  # each rating's place in its user's sequence
        if self.task == "rating" and str(self._params["split"]) == "random":
            key = child_stream(self._seed_seq, HOLDOUT, block).random(len(position))
            rank = np.empty(len(position), dtype=np.int64)
            order = np.lexsort((key, drawn.users))
            rank[order] = np.arange(len(order)) - starts  # rank of the key within the user
            is_held = rank < np.repeat(held, counts)
        else:  # the latest ratings: each user's last ones (top-N: all but the cold-start users' first few)
            is_held = position >= np.repeat(counts - held, counts)
        train = ratings[~is_held].reset_index(drop=True)
        train_truth = expected[~is_held].reset_index(drop=True)
        heldout = ratings[is_held].reset_index(drop=True)
        if self.task == "rating":
            truth = expected[is_held].reset_index(drop=True)
            return _Block(train, train_truth, heldout, truth, heldout.iloc[:0])
        test, truth = self._topn_truth(users, heldout)
        return _Block(train, train_truth, test, truth, heldout)

    def _topn_truth(self, users: np.ndarray, heldout: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Test users of the block (a relevant held-out rating) and their truth, as v3's."""
        first = users[0]
        local = heldout["user_id"].to_numpy() - 1 - first
        relevant = heldout[heldout["rating"].to_numpy() >= RELEVANT_STARS]
        relevant_local = relevant["user_id"].to_numpy() - 1 - first
        n_heldout = np.bincount(local, minlength=len(users))
        n_relevant = np.bincount(relevant_local, minlength=len(users))
        test_users = np.flatnonzero(n_relevant > 0)
        ordered = relevant.sort_values(["user_id", "movie_id"])
        lists = ordered.groupby("user_id")["movie_id"].agg(lambda movies: "|".join(map(str, movies)))
        ids = (users[test_users] + 1).astype(np.int64)
        truth = pd.DataFrame(
            {
                "n_heldout": n_heldout[test_users].astype(np.int64),
                "n_relevant": n_relevant[test_users].astype(np.int64),
                "cold_start": self.cold[users][test_users],
                "relevant_movies": pd.array(lists.reindex(ids).to_numpy(), dtype="string"),
            }
        )
        return pd.DataFrame({"user_id": ids}), truth

    def _unseen(self, block: int, split: _Block) -> pd.DataFrame:
        """The block's share of the unseen pairs: uniformly random pairs of its users nobody rated."""
        world = self.world
        users = world.block_users(block)
        n_unseen = int(self._params["n_unseen_pairs"])  # type: ignore[call-overload]
        wanted = n_unseen * (users[-1] + 1) // world.n_users - n_unseen * users[0] // world.n_users
        rng = child_stream(self._seed_seq, UNSEEN, block)
        n_draws = 2 * wanted + _UNSEEN_EXTRA_DRAWS
        draw_u = rng.integers(users[0], users[-1] + 1, size=n_draws) + 1
        draw_m = rng.integers(1, world.n_movies + 1, size=n_draws)
        keys = draw_u * (world.n_movies + 1) + draw_m
        rated = np.concatenate(
            [
                frame["user_id"].to_numpy() * (world.n_movies + 1) + frame["movie_id"].to_numpy()
                for frame in (split.train, split.test)
            ]
        )
        keep = ~np.isin(keys, rated) & ~pd.Series(keys).duplicated().to_numpy()
        return pd.DataFrame({"user_id": draw_u[keep][:wanted], "movie_id": draw_m[keep][:wanted]})


# The memory guard's model of make's peak on a v4 case, beyond the imports (make holds the whole case; a streamed
# one holds a block and a partition, whatever the size: benchmarks/bench_movies_scale.py). Measured at ML-1M scale
# (fresh processes): 258 MiB for movies-rating-v4 and 324 MiB for movies-topn-v4 beyond the imports.
_FIXED_BYTES: Final[int] = 64 * 2**20  # modules imported on the way, allocator slack
_BYTES_PER_EXPOSURE_CELL: Final[int] = 56  # a block's float64 exposure keys and their temporaries
_BYTES_PER_USER: Final[int] = 400  # per-user draws: counts, visits, factors, drift, interest (10 factors)
_BYTES_PER_MOVIE: Final[int] = 600  # per-movie draws and the movies table (titles, genres)
_BYTES_PER_MADE_RATING: Final[int] = 220  # make: the frames of every rating, joined from the blocks' (about 200)
_BYTES_PER_SPLIT_RATING: Final[int] = 100  # top-N make: held-out frame, seen matrix, relevant matrix (about 70)
_BYTES_PER_ORACLE_CELL: Final[int] = 48  # top-N oracle: expected ratings of 500 test users x every movie


def estimate_size(params: Mapping[str, object]) -> SizeEstimate:
    """Rows and peak memory of ``make`` on a ``movies-*-v4`` parameter set, without generating it.

    ``casestudies.generate`` streams a v4 case a block of users and a
    partition at a time: its peak does not grow with the number of ratings
    and needs no estimate.

    Examples
    --------
    >>> import casestudies as cs
    >>> estimate_size(cs.spec("movies-rating-v4").defaults).rows
    120000
    >>> ml_1m = dict(cs.spec("movies-topn-v4").defaults, n_users=6040, n_movies=3706, n_ratings=1_000_209)
    >>> round(estimate_size(ml_1m).bytes / 2**20)  # MiB; 324 measured beyond the imports
    478
    """
    n_users, n_movies = int(params["n_users"]), int(params["n_movies"])  # type: ignore[call-overload]
    n_ratings = int(params["n_ratings"])  # type: ignore[call-overload]
    rows = n_ratings + int(params.get("n_unseen_pairs", 0))  # type: ignore[call-overload]
    block = _BYTES_PER_EXPOSURE_CELL * min(n_users, BLOCK_USERS) * n_movies
    per_entity = _BYTES_PER_USER * n_users + _BYTES_PER_MOVIE * n_movies
    peak = _FIXED_BYTES + per_entity + block + _BYTES_PER_MADE_RATING * rows
    if "cold_start_fraction" in params:  # a top-N case
        peak += _BYTES_PER_SPLIT_RATING * n_ratings + _BYTES_PER_ORACLE_CELL * min(n_users, 500) * n_movies
    return SizeEstimate(rows, peak, f"{rows:,} ratings and pairs to predict")
