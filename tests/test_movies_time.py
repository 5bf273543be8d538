"""movies-v2: time in the world (issue 16), the Surprise-style SGD reference, and the ML-1M-scale tail.

Real figures are measured on MovieLens-100K's public ``u.data`` and ``u.item``
with the same code as the generated worlds (see tests/test_movies.py for how
realism is tested: fixed seeds, the mean over seeds +/- 3 standard errors
inside a band around the real figure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.scenarios.movies import BiasBaseline, SGDMatrixFactorization
from casestudies.scenarios.movies._world_v4 import simulate_world  # the current world, as tests/test_movies.py
from casestudies.scoring._recmetrics import diversity_per_user, exposure_gini, novelty_per_user
from test_movies import ML100K, RATING, SEEDS, _around, assert_interval_within, ml1m_movie_counts

# Real ML-100K (u.data, u.item).
REAL_RELEASED_IN_PERIOD = 0.046  # share of movies released on or after 20 September 1997
REAL_ONE_DAY_USERS = 0.677  # share of users whose ratings all fall within one day
REAL_LAST_FIRST_POPULARITY = 129 / 221  # mean popularity of a user's last fifth of ratings / first fifth
REAL_LAST_FIRST_STARS = 3.32 - 3.62  # mean stars of a user's last fifth minus first fifth
# Surprise's table on ML-100K: SVD 0.934, BaselineOnly 0.944 (gain 0.010); SGDMatrixFactorization on u.data,
# this library's rating protocol, three splits: 0.931-0.933 against BiasBaseline's 0.939-0.942 (gain 0.009-0.010).
REAL_SGD_GAIN = 0.010
# LensKit's ML-1M description fits item popularity with a log-normal (s = 1.70, loc = -0.77, scale = 95.9):
# P(count <= 5) = Phi(log((5.5 + 0.77) / 95.9) / 1.70) = 0.054.
REAL_ML1M_SHARE_AT_MOST_5 = 0.054

TIME_SEEDS = SEEDS[:3]


@pytest.fixture(scope="module")
def timed_worlds() -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [simulate_world(ML100K, np.random.default_rng(seed))[:2] for seed in TIME_SEEDS]


def _fifths(ratings: pd.DataFrame) -> pd.DataFrame:
    """Mean popularity and stars of each fifth of every user's time-ordered ratings."""
    counts = ratings["movie_id"].map(ratings["movie_id"].value_counts())
    ordered = ratings.assign(popularity=counts).sort_values(["user_id", "timestamp"], kind="stable")
    rank = ordered.groupby("user_id").cumcount() / ordered.groupby("user_id")["user_id"].transform("size")
    fifth = np.minimum((rank * 5).astype(int), 4)
    return ordered.groupby(fifth)[["popularity", "rating"]].mean()


@pytest.mark.slow
def test_time_moves_like_ml100k(timed_worlds: list[tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    released, one_day, popularity, stars = [], [], [], []
    for ratings, movies in timed_worlds:
        release = movies.set_index("movie_id")["release_date"]
        # Nobody rates a movie before its release.
        assert (ratings["timestamp"] >= ratings["movie_id"].map(release)).all()
        released.append(float((movies["release_date"] >= pd.Timestamp("1997-09-20")).mean()))
        span = ratings.groupby("user_id")["timestamp"].agg(lambda t: t.max() - t.min())
        one_day.append(float((span < pd.Timedelta(days=1)).mean()))
        fifths = _fifths(ratings)
        popularity.append(fifths["popularity"].iloc[-1] / fifths["popularity"].iloc[0])
        stars.append(fifths["rating"].iloc[-1] - fifths["rating"].iloc[0])
    # New releases arrive during the period: within 3 points of the real 4.6 %.
    assert_interval_within(released, _around(REAL_RELEASED_IN_PERIOD, 0.03), "share released during the period")
    # Most users rate in one sitting; the rest come back (within 10 points of the real share).
    assert_interval_within(one_day, _around(REAL_ONE_DAY_USERS, 0.10), "share of users rating within a day")
    # Users rate popular, loved movies first: the last fifth is less popular and less liked (bands of about a
    # third of the real effect; no order at all gives 1.0 and 0.0).
    assert_interval_within(popularity, _around(REAL_LAST_FIRST_POPULARITY, 0.15), "popularity, last / first fifth")
    assert_interval_within(stars, _around(REAL_LAST_FIRST_STARS, 0.12), "stars, last minus first fifth")


def test_new_releases_draw_a_burst_that_fades(timed_worlds: list[tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    for ratings, movies in timed_worlds:
        release = movies.set_index("movie_id")["release_date"]
        new = movies.loc[movies["release_date"] >= pd.Timestamp("1997-09-20"), "movie_id"]
        rated = ratings[ratings["movie_id"].isin(new)]
        delay = (rated["timestamp"] - rated["movie_id"].map(release)).dt.days
        room = (pd.Timestamp("1998-04-23") - rated["movie_id"].map(release)).dt.days
        # Hype: most of a new release's ratings come in the first half of the time it had, more than the
        # uniform 50 % of a movie rated at a steady rate.
        assert float((delay < room / 2).mean()) > 0.6


@pytest.mark.slow
def test_surprise_style_svd_beats_the_biases_on_every_seed() -> None:
    gains = []
    for seed in SEEDS:
        case = cs.make(RATING, seed=seed)
        stars = case.reveal().set_index("rating_id").loc[case.test["rating_id"], "rating"].to_numpy()
        errors = {}
        for name, model in (("biases", BiasBaseline()), ("svd", SGDMatrixFactorization())):
            predicted = model.fit(case.train).predict(case.test)
            errors[name] = float(np.sqrt(np.mean((predicted - stars) ** 2)))
        gains.append(errors["biases"] - errors["svd"])
    # Issue 16: 0.005-0.03 on every seed, as on the real data (real gain 0.010).
    assert min(gains) >= 0.005 and max(gains) <= 0.03, f"SVD gain over biases per seed: {np.round(gains, 4)}"


@pytest.mark.slow
def test_ml1m_scale_rarely_rated_tail() -> None:
    # With ML-1M's preset (obscure_share=0.09, as the TOMLs' help says; the default 0.25 gives 0.085-0.091), on the
    # worlds the ML-1M item Gini test uses: within 2 points of the real share (the ML-100K default's is 0.228).
    shares = []
    for seed in SEEDS:
        counts = ml1m_movie_counts(seed)
        assert (counts > 0).all()  # every catalogue movie is rated, at any scale
        shares.append(float((counts <= 5).mean()))
    assert_interval_within(shares, _around(REAL_ML1M_SHARE_AT_MOST_5, 0.02), "ML-1M share of movies with <= 5")


def test_intra_list_diversity_matches_a_direct_count() -> None:
    rng = np.random.default_rng(0)
    genres = rng.random((30, 6)) < 0.3
    recommended = np.stack([rng.choice(np.arange(1, 30), size=5, replace=False) for _ in range(8)])
    expected = []
    for row in recommended:
        pairs = [(a, b) for i, a in enumerate(row) for b in row[i + 1 :]]
        distances = []
        for a, b in pairs:
            union = (genres[a] | genres[b]).sum()
            distances.append(1.0 - ((genres[a] & genres[b]).sum() / union if union else 0.0))
        expected.append(np.mean(distances))
    np.testing.assert_allclose(diversity_per_user(recommended, genres), expected)
    popularity = np.r_[0.0, rng.random(29)]
    np.testing.assert_allclose(
        novelty_per_user(recommended, popularity), -np.log2(popularity[recommended]).mean(axis=1)
    )
    counts = np.sort(np.bincount(recommended.ravel(), minlength=30)[1:])
    # Gini as the mean absolute difference over twice the mean, over the 29 catalogue movies.
    direct = np.abs(counts[:, None] - counts[None, :]).mean() / (2 * counts.mean())
    assert exposure_gini(recommended, 29) == pytest.approx(direct)
