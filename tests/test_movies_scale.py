"""The movies world at scale: blocks that bound memory change no byte, and the memory guard's estimate.

Nothing here times or measures memory (benchmarks/bench_movies_scale.py does):
these tests check that generating by blocks gives the bytes of one block, and
the estimator's arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.scenarios.movies import _simulator, _world

WORLD = {
    "n_factors": 4,
    "noise_sd": 0.725,
    "noise_spread": 0.25,
    "taste_weight": 1.1,
    "min_ratings": 20,
    "obscure_share": 0.25,
}
ML_20M = {"n_users": 138_493, "n_movies": 26_744, "n_ratings": 20_000_000}


@pytest.mark.parametrize("mnar", [True, False])
def test_blocks_do_not_change_the_ratings(monkeypatch: pytest.MonkeyPatch, mnar: bool) -> None:
    # Tiny blocks (a few users, a hundred-odd ratings, not dividing any count) against blocks larger than the case.
    params = {**WORLD, "n_users": 150, "n_movies": 300, "n_ratings": 9_000, "mnar": mnar}
    monkeypatch.setattr(_world, "_BLOCK_CELLS", 10**9)
    whole, _, _, whole_world = _world.simulate_world(params, np.random.default_rng(3))
    monkeypatch.setattr(_world, "_BLOCK_CELLS", 997)
    blocked, _, _, blocked_world = _world.simulate_world(params, np.random.default_rng(3))
    pd.testing.assert_frame_equal(whole, blocked, check_exact=True)
    assert np.array_equal(whole_world.thresholds, blocked_world.thresholds)
    users, movies = np.arange(150).repeat(300), np.tile(np.arange(300), 150)
    assert np.array_equal(blocked_world.latent(users, movies), whole_world.latent(users, movies))


def test_the_ratings_frame_is_sorted_by_time_user_and_movie() -> None:
    params = {**WORLD, "n_users": 60, "n_movies": 120, "n_ratings": 2_000, "mnar": True}
    ratings = _world.simulate_world(params, np.random.default_rng(0))[0]
    expected = ratings.sort_values(["timestamp", "user_id", "movie_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ratings, expected, check_exact=True)
    assert list(ratings.dtypes.astype(str)) == ["int64", "int64", "datetime64[ms]", "int8", "float64"]
    assert ratings["user_id"].min() == 1 and ratings["movie_id"].min() == 1  # 1-based ids


def _estimate(scenario_id: str, **params: object) -> int:
    return _simulator.estimate_size({**cs.spec(scenario_id).defaults, **params}).bytes


def test_at_ml_20m_scale_the_estimate_grows_by_its_bytes_per_rating() -> None:
    # Stamping and splitting dominate: each rating more costs PEAK_BYTES_PER_RATING, whatever the task.
    for scenario_id in ("movies-rating-v2", "movies-topn-v2"):
        more = _estimate(scenario_id, **{**ML_20M, "n_ratings": ML_20M["n_ratings"] + 1_000})
        assert more - _estimate(scenario_id, **ML_20M) == 1_000 * _simulator.PEAK_BYTES_PER_RATING
    # The Case holds train and test twice (33 bytes a rating each time: three int64 ids, a timestamp and the stars).
    assert _estimate("movies-rating-v2", **ML_20M) > 2 * 33 * ML_20M["n_ratings"]


def test_every_user_s_session_starts_count() -> None:
    # More movies raise the most active user's ratings, hence the most sessions anyone has: a slot per user each.
    small, large = (_estimate("movies-rating-v2", **{**ML_20M, "n_movies": n}) for n in (26_744, 100_000))
    extra_sessions = _simulator._SESSION_ROOM * _simulator._MAX_RATED_SHARE * (100_000 - 26_744) / 40.0
    assert large - small == pytest.approx(_simulator._BYTES_PER_SESSION_SLOT * ML_20M["n_users"] * extra_sessions, 1e-6)


def test_a_small_case_with_a_large_catalogue_is_bounded_by_its_blocks() -> None:
    few = {"n_users": 30_000, "n_movies": 100_000, "n_ratings": 600_000}
    # Top-N: the oracle scores 500 test users against every movie at once, whatever the number of ratings.
    oracle = _simulator._BYTES_PER_ORACLE_CELL * 500 * 100_000
    assert _estimate("movies-topn-v2", **few) >= oracle > _estimate("movies-rating-v2", **few) / 2
    # Picking: the exposure keys of a block of users x every movie; ML-100K is one block of 943 x 1,682.
    ml_100k = _estimate("movies-rating-v2", n_users=943, n_movies=1682, n_ratings=100_000)
    assert ml_100k >= _simulator._BYTES_PER_EXPOSURE_CELL * 943 * 1682
