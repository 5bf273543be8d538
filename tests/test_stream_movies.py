"""Streamed movies: movies-rating-v4 and movies-topn-v4 written a block of users at a time, with make's bytes.

The v4 movies world draws everything of one value per rating per block of users, from a stream fixed by the
seed and the block (tests/test_movies.py tests its realism). Here: the files ``generate`` streams (learner
frames, side tables, host holdout, data card) equal what ``make`` holds, for two partition sizes and for Dask
clusters of 1 and 2 workers, and the stream path is the one used (the case is never built whole).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import casestudies as cs
from casestudies.case import _generate
from casestudies.case._generate import _holdout_frame
from casestudies.core import as_written, block_planner_of, fingerprint_dataset
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.movies import _plan_v4, _world_v4

# Small enough for CI: three blocks of users, about 7,000 training ratings; several partitions of 997 rows.
PARAMS = {"n_users": 250, "n_movies": 300, "n_ratings": 9_000}
SEED = 5
IDS = ("movies-rating-v4", "movies-topn-v4")


@pytest.fixture(scope="module", params=IDS)
def case(request: pytest.FixtureRequest) -> cs.Case:
    return cs.make(request.param, seed=SEED, **PARAMS)


def _assert_like_make(case: cs.Case, out: object, manifest: dict[str, object]) -> None:
    learner, host = out / "learner", out / "host"  # type: ignore[operator]
    assert manifest["fingerprint"] == case.fingerprint
    tables = [learner / "tables" / name for name in case.tables]
    assert fingerprint_dataset(learner / "train", learner / "test", *tables) == case.fingerprint
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "train"), case.train, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "test"), case.test, check_exact=True)
    for name, table in case.tables.items():
        pd.testing.assert_frame_equal(as_written(pq.read_table(learner / "tables" / name)), table)
    # the host's holdout: labels, public/private parts and truth, as the whole path writes make's case
    pd.testing.assert_frame_equal(pd.read_parquet(host / "holdout"), _holdout_frame(case), check_exact=True)
    card = json.loads((learner / "data_card.json").read_text())
    assert card == json.loads(json.dumps(case.data_card, default=str))


@pytest.mark.slow  # two streams per id: about 2 s on 2 cores
@pytest.mark.parametrize("partition_rows", [997, 10**7])
def test_streamed_movies_are_make_s_case(case: cs.Case, tmp_path: object, partition_rows: int) -> None:
    manifest = cs.generate(case.id, seed=SEED, out=tmp_path, partition_rows=partition_rows, **PARAMS)
    _assert_like_make(case, tmp_path, manifest)
    n_train = manifest["frames"]["train"]["partitions"]  # type: ignore[index]
    assert n_train == -(-len(case.train) // partition_rows)


def test_the_stream_path_is_used_not_the_whole_one(
    case: cs.Case, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert block_planner_of(case.spec) is not None

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("generate built the case whole")

    monkeypatch.setattr(_generate, "make", whole)
    manifest = cs.generate(case.id, seed=SEED, out=tmp_path, partition_rows=2_000, **PARAMS)
    assert manifest["fingerprint"] == case.fingerprint


@pytest.mark.slow  # local Dask clusters of 1 and 2 workers: about 6 s on 2 cores
@pytest.mark.parametrize("workers", [1, 2])
def test_dask_streams_make_s_case(case: cs.Case, tmp_path: object, workers: int) -> None:
    manifest = cs.generate(
        case.id, seed=SEED, out=tmp_path, partition_rows=997, engine="dask", workers=workers, **PARAMS
    )
    _assert_like_make(case, tmp_path, manifest)


def test_rows_in_any_pieces_concatenate_to_the_same_bytes(case: cs.Case) -> None:
    planner = block_planner_of(case.spec)
    assert planner is not None
    data_seed = np.random.SeedSequence(SEED).spawn(3)[0]  # as make() splits the seed
    params = {**case.spec.defaults, **PARAMS}
    plan = planner(params, np.random.default_rng(data_seed))
    n_rows = plan.n_rows("train")
    assert n_rows == len(case.train)  # counted without drawing a rating
    # Pieces that straddle the blocks of 100 users, backwards, each from a fresh plan (a fresh process).
    bounds = [0, 1, 613, 2_900, 2_901, n_rows]
    pieces = []
    for start, stop in reversed(list(itertools.pairwise(bounds))):
        fresh = planner(params, np.random.default_rng(data_seed))
        pieces.append(fresh.rows("train", start, stop)[0])
    pd.testing.assert_frame_equal(pd.concat(pieces[::-1], ignore_index=True), case.train, check_exact=True)


def test_rows_are_counted_without_drawing_a_rating(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a writer cuts partitions by: the plan knows each user's ratings and held-out count (v3's
    # floor(test_fraction * n_u)) before any block is drawn; only top-N's test users need the blocks' stars.
    def no_draws(self: _world_v4.BlockWorld, block: int) -> None:
        raise AssertionError(f"block {block} drawn")

    params = {**cs.spec("movies-rating-v4").defaults, **PARAMS}
    with monkeypatch.context() as patch:
        patch.setattr(_world_v4.BlockWorld, "block", no_draws)
        rating = _plan_v4.MoviePlan(params, np.random.SeedSequence(SEED), "rating")
        n_train, n_test = rating.n_rows("train"), rating.n_rows("test")
        topn = _plan_v4.MoviePlan({**cs.spec("movies-topn-v4").defaults, **PARAMS}, np.random.SeedSequence(1), "topn")
        n_topn_train = topn.n_rows("train")
    assert n_train + n_test == PARAMS["n_ratings"]
    assert n_test == int(np.floor(0.2 * rating.counts).sum())
    assert len(rating.rows("train", 0, n_train)[0]) == n_train and len(rating.rows("test", 0, n_test)[0]) == n_test
    assert len(topn.rows("train", 0, n_topn_train)[0]) == n_topn_train


@pytest.mark.parametrize("scenario_id", ["movies-rating-v4", "movies-topn-v4"])
def test_parameters_that_hold_out_nothing_are_refused_before_anything_is_written(scenario_id, tmp_path):
    # 600 users with one rating each: a fifth of one rating, rounded down, is none; a case with nothing to score.
    params = {"n_users": 600, "n_movies": 50, "n_ratings": 600, "min_ratings": 1}
    with pytest.raises(InvalidParameterError, match=r"Raise min_ratings, n_ratings or test_fraction\.$"):
        cs.make(scenario_id, seed=3, **params)
    with pytest.raises(InvalidParameterError, match=r"test_fraction=0\.2 of their ratings, rounded down"):
        cs.generate(scenario_id, seed=3, out=tmp_path / "case", partition_rows=100, **params)
    assert not (tmp_path / "case").exists() or not any((tmp_path / "case").iterdir())


def test_guaranteed_raters_never_take_more_than_half_of_a_user_s_ratings():
    # Far more movies than ratings: once every user's half is taken, the rest get no guaranteed rater, rather than
    # all landing on one user (who would then rate a run of movies chosen by index, not by taste).
    params = {**cs.spec("movies-rating-v4").defaults, "n_users": 30, "n_movies": 2000, "n_ratings": 600}
    world = _plan_v4.MoviePlan(params, np.random.SeedSequence(0), "rating").world
    assigned = world.forced[world.forced >= 0]
    assert (np.bincount(assigned, minlength=world.n_users) <= world.users.counts // 2).all()
    assert (world.forced == -1).any() and len(assigned) == (world.users.counts // 2).sum()
