"""movies-v4: realism of the simulated MovieLens-like world and the two recommender tasks.

How realism is tested
---------------------
Every statistic the generator decides (not one it is handed: the number of
ratings, the density and the minimum per user are inputs) is measured on
the worlds of ``SEEDS`` (fixed before any band below was chosen). The test
asserts that the mean over the seeds, plus and minus ``N_SE`` standard errors
across seeds, lies inside a band around the figure of the real data; each
band says where it comes from. A dependency upgrade that only reshuffles the
random streams moves the mean by about one standard error and keeps the
interval inside; a regression that moves the statistic out of the band
fails.

Real figures: MovieLens-100K (Harper & Konstan 2015), measured on its
public ``u.data`` with the same code as the generated worlds (star shares,
mean, sd, median and max activity, top-20 % share, item Gini and the
popularity-quality correlation agree with REFERENCES.md, "Movie ratings";
the user-mean sd and the share of rarely rated movies with issue 16); RMSEs
of this library's own baselines on ``u.data`` under the rating task's
protocol (each user's ratings 80/20 at random, 5 splits); the Surprise
benchmark table; the LensKit data description of ML-1M for its item Gini.
Where the generator misses a real figure the test is marked
``xfail(strict=True)`` with the measured gap, so it turns into a failure
(XPASS) as soon as the generator is recalibrated; issue 16 closed the six
such gaps of ML-100K (activity quartiles, never-rated movies, the
rarely-rated tail, the user-mean spread, the bias baseline's level and the
temporal top-N difficulty), and the ``-v3`` ids the seventh (matrix
factorisation overfitting as on ``u.data``: users differ in how
consistently they rate). The star mean is calibrated (the thresholds are
shifted to 3.53 stars), so its band guards that calibration. The tests run
on the current world, ``RATING`` and ``TOPN``: the ``-v4`` ids, v3's world
drawn a block of users at a time (``_world_v4``) so it streams at any size,
with four constants recalibrated to keep every band (obscure titles'
appeal, users' level spread, and the defaults ``noise_sd`` and
``taste_weight``: see ``ML100K``). The worlds of the ``-v1`` to ``-v3`` ids
are frozen as released (``_world_v1``; ``_world`` with ``V2_WORLD`` or
v3's parameters): their data is guarded by the golden fingerprints of
tests/test_contract.py, not re-tested here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.exceptions import InvalidParameterError, PipelineError, ProblemCode, SubmissionError
from casestudies.scenarios.movies import BiasBaseline, GlobalMean, ItemKNN, MatrixFactorization, MostPopular
from casestudies.scenarios.movies._recommenders import RandomRating
from casestudies.scenarios.movies._world import GENRES
from casestudies.scenarios.movies._world_v4 import simulate_world

ML100K = {
    "n_users": 943,
    "n_movies": 1682,
    "n_ratings": 100_000,
    "n_factors": 10,
    "noise_sd": 0.775,  # v3: 0.725 (v4's calibration: the bias baseline's RMSE, test_bias_baseline_rmse_...)
    "noise_spread": 0.25,
    "taste_weight": 1.15,  # v3: 1.1 (v4's calibration: the SVD-style gain of tests/test_movies_time.py)
    "min_ratings": 20,
    "mnar": True,
    "obscure_share": 0.25,
}
RATING, TOPN = "movies-rating-v4", "movies-topn-v4"
"""The current world's ids: the realism tests run on them (ML100K is their default world)."""
# ML-1M's shape (every user >= 20 ratings too) with the obscure share its tail is calibrated to (the TOMLs' help).
ML1M = {**ML100K, "n_users": 6040, "n_movies": 3706, "n_ratings": 1_000_209, "obscure_share": 0.09}
SMALL_RATING = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}
SMALL_TOPN = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}

SEEDS = (0, 1, 2, 3, 4)
"""The worlds every realism statistic is measured on, chosen before the bands."""
N_SE = 3
"""Half-width of the interval around the mean over ``SEEDS``, in standard errors across seeds."""

# Real MovieLens-100K, from u.data (943 users, 1,682 movies, all rated, 100,000 ratings).
REAL_STAR_SHARES = (0.0611, 0.1137, 0.2715, 0.3417, 0.2120)
REAL_MEAN_STARS, REAL_SD_STARS = 3.530, 1.126
REAL_MEDIAN_PER_USER, REAL_MAX_PER_USER = 65, 737  # max / median = 11.3
REAL_QUARTILES_PER_USER = (33, 148)
REAL_USER_ACTIVITY_GINI = 0.472
REAL_TOP20_SHARE, REAL_ITEM_GINI = 0.646, 0.629  # LensKit's ML-100K description: item Gini 0.629 too
REAL_SHARE_AT_MOST_5 = 0.228  # of the movies, those with at most 5 ratings (issue 16)
REAL_POPULARITY_QUALITY = 0.516  # corr(log number of ratings, mean stars) over movies; REFERENCES: about +0.5
REAL_USER_MEAN_SD = 0.445  # sd of users' mean stars (issue 16)
REAL_USER_CONSISTENCY_SPREAD = 0.205  # sd over users of each user's own sd of stars (u.data: 0.2051)
# This library's baselines on u.data, rating task protocol (80/20 per user at random), mean of 5 splits.
REAL_RMSE = {"random": 1.520, "biases": 0.944, "matrix_factorization": 0.916}  # Surprise: 1.518, 0.944, SVD 0.934
REAL_MF_OVERFIT = 0.091  # matrix factorisation: test RMSE - train RMSE (biases: 0.021)
# LensKit's description of ML-1M: item Gini 0.634 over its 3,705 rated movies.
REAL_ML1M_ITEM_GINI = 0.634


def _gini(counts: np.ndarray) -> float:
    values = np.sort(counts.astype(np.float64))
    n = len(values)
    return float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum()))


def _movie_counts(ratings: pd.DataFrame, n_movies: int) -> np.ndarray:
    """Ratings of every catalogue movie (0 for movies nobody rated)."""
    return np.bincount(ratings["movie_id"].to_numpy(), minlength=n_movies + 1)[1:]


def _around(target: float, tolerance: float) -> tuple[float, float]:
    return target - tolerance, target + tolerance


def assert_interval_within(values: Iterable[float], band: tuple[float, float], what: str) -> None:
    """The mean of ``values`` (one per seed) +/- ``N_SE`` standard errors lies inside ``band``."""
    found = np.asarray(list(values), dtype=np.float64)
    mean = float(found.mean())
    se = float(found.std(ddof=1) / np.sqrt(len(found)))
    low, high = mean - N_SE * se, mean + N_SE * se
    assert band[0] <= low and high <= band[1], (
        f"{what}: mean {mean:.4f} over {len(found)} seeds, +/- {N_SE} standard errors [{low:.4f}, {high:.4f}]; "
        f"expected inside [{band[0]:.4f}, {band[1]:.4f}]. Per seed: {np.round(found, 4).tolist()}"
    )


World = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


@pytest.fixture(scope="module")
def worlds() -> list[World]:
    """ML-100K-sized worlds of every seed in ``SEEDS`` (about 0.3 s each)."""
    return [simulate_world(ML100K, np.random.default_rng(seed))[:3] for seed in SEEDS]


def _per_user(world: World) -> np.ndarray:
    return world[0].groupby("user_id").size().to_numpy()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_activity_matches_ml100k(worlds: list[World]) -> None:
    for ratings, _, _ in worlds:
        assert not ratings.duplicated(["user_id", "movie_id"]).any()  # each user rates a movie at most once
    # How much history a typical and a heavy user has: +/- 10 % of the real figures (the one-seed band was
    # 50-80 for the median and >= 8 for max / median).
    medians = [np.median(_per_user(world)) for world in worlds]
    assert_interval_within(medians, _around(REAL_MEDIAN_PER_USER, 0.1 * REAL_MEDIAN_PER_USER), "median per user")
    real_ratio = REAL_MAX_PER_USER / REAL_MEDIAN_PER_USER
    ratios = [_per_user(world).max() / np.median(_per_user(world)) for world in worlds]
    assert_interval_within(ratios, _around(real_ratio, 0.1 * real_ratio), "max / median ratings per user")
    # Concentration of activity over users (Gini of ratings per user), +/- 0.03 as the item Gini below.
    ginis = [_gini(_per_user(world)) for world in worlds]
    assert_interval_within(ginis, _around(REAL_USER_ACTIVITY_GINI, 0.03), "Gini of ratings per user")


def test_activity_quartiles_match_ml100k(worlds: list[World]) -> None:
    for quantile, real in zip((0.25, 0.75), REAL_QUARTILES_PER_USER, strict=True):
        values = [np.quantile(_per_user(world), quantile) for world in worlds]
        assert_interval_within(values, _around(real, 0.1 * real), f"{quantile:.0%} quantile of ratings per user")


def test_star_distribution_matches_ml100k(worlds: list[World]) -> None:
    # Each star's share within 2 points of the real one (a third of the rarest star's share, 6.1 %; the
    # one-seed band was 3 points); the mean within 0.05 stars, the sd within 0.05.
    for star, real in enumerate(REAL_STAR_SHARES, start=1):
        shares = [float((world[0]["rating"] == star).mean()) for world in worlds]
        assert_interval_within(shares, _around(real, 0.02), f"share of {star}-star ratings")
    assert_interval_within([world[0]["rating"].mean() for world in worlds], _around(REAL_MEAN_STARS, 0.05), "mean")
    assert_interval_within([world[0]["rating"].std() for world in worlds], _around(REAL_SD_STARS, 0.05), "sd")


def test_long_tail_and_popularity_quality_link(worlds: list[World]) -> None:
    # Over the whole catalogue (every real ML-100K movie is rated, so the real figure is the same on either).
    counts = [_movie_counts(world[0], ML100K["n_movies"]) for world in worlds]
    top = [np.sort(c)[::-1][: int(0.2 * len(c))].sum() / c.sum() for c in counts]
    assert_interval_within(top, (0.60, 0.70), f"share of ratings on the top 20 % of movies (real {REAL_TOP20_SHARE})")
    assert_interval_within([_gini(c) for c in counts], (0.60, 0.66), f"item Gini (real {REAL_ITEM_GINI})")
    # A long tail of rarely rated movies (every movie is rated: see test_every_catalogue_movie_is_rated).
    rare = [float((c <= 5).mean()) for c in counts]
    assert_interval_within(rare, (0.20, 1.0), f"share of movies with <= 5 ratings (real {REAL_SHARE_AT_MOST_5})")
    # Popular movies are better liked (real +0.52; the band keeps the lesson visible and excludes no link).
    correlations = []
    for (ratings, _, _), c in zip(worlds, counts, strict=True):
        means = ratings.groupby("movie_id")["rating"].mean()
        correlations.append(np.corrcoef(np.log(c[means.index.to_numpy() - 1]), means.to_numpy())[0, 1])
    assert_interval_within(
        correlations, (0.3, 0.6), f"corr(log popularity, mean stars) (real {REAL_POPULARITY_QUALITY})"
    )


def test_every_catalogue_movie_is_rated(worlds: list[World]) -> None:
    never = [int((_movie_counts(world[0], ML100K["n_movies"]) == 0).sum()) for world in worlds]
    assert never == [0] * len(worlds)


def test_rarely_rated_tail_matches_ml100k(worlds: list[World]) -> None:
    counts = [_movie_counts(world[0], ML100K["n_movies"]) for world in worlds]
    shares = [float((c[c > 0] <= 5).mean()) for c in counts]
    # Issue 16 asks for at least 0.20; +/- 0.03 around the real share.
    assert_interval_within(shares, _around(REAL_SHARE_AT_MOST_5, 0.03), "share of rated movies with <= 5 ratings")


def test_user_means_spread_like_ml100k(worlds: list[World]) -> None:
    spreads = [world[0].groupby("user_id")["rating"].mean().std() for world in worlds]
    assert_interval_within(spreads, (0.40, 0.48), f"sd of users' mean stars (real {REAL_USER_MEAN_SD})")


def test_users_differ_in_how_consistently_they_rate(worlds: list[World]) -> None:
    # Some users rate nearly everything alike, others use the whole scale: on u.data each user's own sd of stars
    # varies over users by 0.205. One rating noise for every user (movies-v2) gives 0.14; each user's own noise
    # (noise_spread 0.25) about 0.18. The band: within a quarter of the real spread.
    spreads = [world[0].groupby("user_id")["rating"].std().std() for world in worlds]
    real = REAL_USER_CONSISTENCY_SPREAD
    assert_interval_within(spreads, _around(real, 0.25 * real), f"sd over users of their own sd of stars (real {real})")


def test_side_tables_are_plausible(worlds: list[World]) -> None:
    for _, movies, users in worlds:
        assert movies["title"].str.fullmatch(r".+ \((19|20)\d\d\)").all()
        assert movies["title"].nunique() > 0.9 * len(movies)
        assert (movies["title"].str.extract(r"\((\d{4})\)$")[0].astype(int) == movies["year"]).all()
        genres = {genre for text in movies["genres"] for genre in text.split("|")}
        assert genres <= set(GENRES) and len(genres) >= 15
        assert movies["year"].between(1920, 1998).all() and movies["year"].median() >= 1990
        assert users["age"].between(7, 73).all() and set(users["gender"]) == {"M", "F"}


def test_expected_rating_is_the_mean_of_the_stars(worlds: list[World]) -> None:
    for ratings, _, _ in worlds:
        assert abs(ratings["rating"].mean() - ratings["expected_rating"].mean()) < 0.02
        # Within bins of the expected rating, the average star is that expected rating.
        bins = pd.cut(ratings["expected_rating"], [1, 2.5, 3, 3.5, 4, 5])
        grouped = ratings.groupby(bins, observed=True).agg(
            stars=("rating", "mean"), expected=("expected_rating", "mean")
        )
        np.testing.assert_allclose(grouped["stars"], grouped["expected"], atol=0.05)


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_turning_mnar_off_removes_self_selection(worlds: list[World]) -> None:
    drops, gini_gaps = [], []
    for seed, (observed, _, _) in zip(SEEDS, worlds, strict=True):
        random_exposure, *_ = simulate_world({**ML100K, "mnar": False}, np.random.default_rng(seed))
        # Users rate what they like: randomly exposed ratings are much lower (as on Yahoo! R3 / Coat).
        drops.append(observed["rating"].mean() - random_exposure["rating"].mean())
        # Uniform exposure: movie j's count is a sum over users of Bernoulli(k_u / n_movies), so its mean is
        # mu = sum p_u, its variance sum p_u (1 - p_u), and the Gini of near-normal counts is sd / (mu sqrt(pi)).
        p = np.bincount(random_exposure["user_id"].to_numpy())[1:] / ML100K["n_movies"]
        theory = np.sqrt((p * (1 - p)).sum()) / (p.sum() * np.sqrt(np.pi))
        gini_gaps.append(_gini(_movie_counts(random_exposure, ML100K["n_movies"])) - theory)
    assert_interval_within(drops, (0.5, np.inf), "mean stars, self-selected minus randomly exposed")
    # The normal approximation (counts near 59, skew 0.13) and the sample Gini's bias are under 0.002.
    assert_interval_within(gini_gaps, (-0.005, 0.005), "item Gini under uniform exposure minus its theory")


def test_timestamps_lie_in_the_ml100k_period(worlds: list[World]) -> None:
    for ratings, _, _ in worlds:
        stamps = ratings["timestamp"]
        # Rows by user, then time (as MovieLens-20M's ratings.csv): v1-v3 sorted them by time over everyone.
        by_user = ratings.sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(ratings, by_user, check_exact=True)
        assert stamps.min() >= pd.Timestamp("1997-09-20") and stamps.max() <= pd.Timestamp("1998-04-23")


@functools.cache
def ml1m_movie_counts(seed: int) -> np.ndarray:
    """Ratings of every catalogue movie in the ML-1M-scale world of ``seed`` (about 3 s; two tests share it)."""
    ratings, *_ = simulate_world(ML1M, np.random.default_rng(seed))
    return _movie_counts(ratings, ML1M["n_movies"])


@pytest.mark.slow
def test_ml1m_scale_item_concentration_matches_ml1m() -> None:
    """At ML-1M scale the popularity concentration stays that of the real ML-1M."""
    ginis = []
    for seed in SEEDS:
        counts = ml1m_movie_counts(seed)
        ginis.append(_gini(counts[counts > 0]))  # over rated movies, as LensKit counts ML-1M's items
    assert_interval_within(ginis, _around(REAL_ML1M_ITEM_GINI, 0.03), "ML-1M-scale item Gini of rated movies")


def test_presets_are_the_current_defaults_and_the_documented_ml1m_values() -> None:
    # The realism tests simulate ML100K and ML1M directly: ML100K is what make() draws by default, and ML1M is what
    # the parameters' help tells users to pass for ML-1M scale (the tail calibrated in test_movies_time).
    for scenario_id in (RATING, TOPN):
        spec = cs.spec(scenario_id)
        assert {name: spec.defaults[name] for name in ML100K} == ML100K
        for name in ("n_users", "n_movies", "n_ratings", "obscure_share"):
            assert f"{ML1M[name]} for ML-1M scale" in spec.parameters[name].help, name


def test_too_many_ratings_for_the_catalogue_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=re.escape("Lower n_ratings or raise n_users / n_movies")):
        cs.make(RATING, seed=0, n_users=40, n_movies=60, n_ratings=2_000)


# -- movies-rating-v4 --------------------------------------------------------------


@pytest.fixture(scope="module")
def rating_case() -> cs.Case:
    return cs.make(RATING, seed=0)


@pytest.fixture(scope="module")
def rating_report(rating_case: cs.Case) -> cs.Report:
    return rating_case.evaluate(BiasBaseline(), name="biases")


def test_rating_case_shape(rating_case: cs.Case) -> None:
    assert rating_case.target == "rating" and rating_case.id_column == "rating_id"
    assert list(rating_case.test.columns) == ["rating_id", "user_id", "movie_id", "timestamp"]
    assert set(rating_case.tables) == {"movies", "users"}
    # The split holds out floor(test_fraction * n) of each user's n ratings, and only that.
    per_user = pd.concat([rating_case.train, rating_case.test]).groupby("user_id").size()
    held = rating_case.test.groupby("user_id").size().reindex(per_user.index, fill_value=0)
    assert (held == np.floor(0.2 * per_user).astype(int)).all()
    # Every test pair's user is known from train.
    assert set(rating_case.test["user_id"]) <= set(rating_case.train["user_id"])
    revealed = rating_case.reveal()
    assert {"rating", "expected_rating", "part"} <= set(revealed.columns)


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_rating_baselines_reproduce_the_surprise_ordering(rating_report: cs.Report) -> None:
    rmse = {entry.name: entry.estimate("rmse") for entry in rating_report.references}
    # The ordering of the Surprise table (levels against the real data: the multi-seed tests below).
    assert (
        rmse["random"]
        > rmse["global_mean"]
        > rmse["movie_mean"]
        > rmse["biases"]
        > rmse["matrix_factorization"]
        > rmse["oracle"]
    )


def _rmse(predicted: np.ndarray, stars: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predicted - stars) ** 2)))


@pytest.fixture(scope="module")
def rating_runs() -> list[dict[str, float]]:
    """Per seed of ``SEEDS``, default movies-rating-v4: held-out RMSE of three baselines and two training RMSEs."""
    runs = []
    for seed in SEEDS:
        case = cs.make(RATING, seed=seed)
        stars = case.reveal().set_index("rating_id").loc[case.test["rating_id"], "rating"].to_numpy()
        run = {"random": _rmse(RandomRating().fit(case.train).predict(case.test), stars)}
        for name, model in (("biases", BiasBaseline()), ("matrix_factorization", MatrixFactorization())):
            model.fit(case.train)
            run[name] = _rmse(model.predict(case.test), stars)
            run[f"{name}_train"] = _rmse(model.predict(case.train), case.train["rating"].to_numpy())
        runs.append(run)
    return runs


@pytest.mark.slow
def test_rating_rmse_matches_ml100k(rating_runs: list[dict[str, float]]) -> None:
    # Random stars: Surprise's NormalPredictor 1.518, RandomRating on u.data 1.520 (the one-seed band: 1.4-1.6).
    random = [run["random"] for run in rating_runs]
    assert_interval_within(random, (1.4, 1.6), f"random RMSE (real {REAL_RMSE['random']})")
    # The bias baseline's level within the span of the Surprise table's models around it (BaselineOnly 0.944 to
    # SVD++ 0.919 on ML-100K: 0.025); the calibration target is tighter (test_bias_baseline_rmse_matches_ml100k).
    biases = [run["biases"] for run in rating_runs]
    assert_interval_within(biases, _around(REAL_RMSE["biases"], 0.025), "bias baseline RMSE")
    # Personal taste is worth something, not everything: matrix factorisation beats the biases by 0.010 in the
    # Surprise table (SVD), by 0.028 with this library's models on u.data; issue 16 asks for 0.005-0.03.
    gains = [run["biases"] - run["matrix_factorization"] for run in rating_runs]
    real_gain = REAL_RMSE["biases"] - REAL_RMSE["matrix_factorization"]
    assert_interval_within(gains, (0.005, 0.03), f"biases RMSE - matrix factorisation RMSE (real {real_gain:.3f})")


@pytest.mark.slow
def test_bias_baseline_rmse_matches_ml100k(rating_runs: list[dict[str, float]]) -> None:
    # Surprise's BaselineOnly scores 0.944 on ML-100K, this library's BiasBaseline 0.944 on u.data. Within 0.010,
    # the gap between Surprise's BaselineOnly and SVD: a level off by more misstates the comparisons taught.
    biases = [run["biases"] for run in rating_runs]
    assert_interval_within(biases, _around(REAL_RMSE["biases"], 0.010), "bias baseline RMSE")


@pytest.mark.slow
def test_matrix_factorisation_overfits_visibly(rating_runs: list[dict[str, float]]) -> None:
    # On u.data the library's matrix factorisation loses 0.091 RMSE from train to test, the biases 0.021. With one
    # rating noise for every user (movies-v2) it lost 0.0837 +/- 0.0039 on these seeds (0.0806 over seeds 0-9):
    # what it memorises in training is mostly the noise of users who rate erratically (test_users_differ_in_...).
    overfit = [run["matrix_factorization"] - run["matrix_factorization_train"] for run in rating_runs]
    assert_interval_within(overfit, (0.08, 0.11), f"MF test - train RMSE (real {REAL_MF_OVERFIT})")
    ratios = [
        (run["matrix_factorization"] - run["matrix_factorization_train"]) / (run["biases"] - run["biases_train"])
        for run in rating_runs
    ]
    assert_interval_within(ratios, (2.5, np.inf), "MF overfitting / biases overfitting (real 4.3)")


def test_full_catalog_truth_exposes_mnar_optimism(rating_report: cs.Report) -> None:
    submission = rating_report.submission
    assert submission.estimate("true_rmse") < submission.estimate("rmse")
    assert submission.estimate("unseen_true_rmse") > submission.estimate("true_rmse") + 0.2
    assert submission.estimate("unseen_bias") > 0.3  # optimistic about movies nobody chose
    codes = [finding.id for finding in rating_report.findings]
    assert "missing_not_at_random" in codes and "oracle_gap" in codes


def test_without_mnar_the_unseen_bias_vanishes() -> None:
    case = cs.make(RATING, seed=0, mnar=False, **SMALL_RATING)
    report = case.evaluate(BiasBaseline(), baselines=False)
    assert abs(report.submission.estimate("unseen_bias")) < 0.1


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_rating_accepts_callables_frames_and_files(rating_case: cs.Case, tmp_path: object) -> None:
    model = GlobalMean().fit(rating_case.train)
    expected = rating_case.score(model.predict(rating_case.test), baselines=False).submission.estimate("rmse")

    def predict(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
        return np.full(len(test), train["rating"].mean())

    assert rating_case.evaluate(predict, baselines=False).submission.estimate("rmse") == pytest.approx(expected)
    pairs = (
        rating_case.test[["user_id", "movie_id"]]
        .assign(rating=model.predict(rating_case.test))
        .sample(frac=1.0, random_state=0)
    )
    assert rating_case.score(pairs, baselines=False).submission.estimate("rmse") == pytest.approx(expected)
    path = tmp_path / "ratings.csv"  # type: ignore[operator]
    pairs.to_csv(path, index=False)
    assert rating_case.score(str(path), baselines=False).submission.estimate("rmse") == pytest.approx(expected)


def test_rating_submission_problems_are_all_reported(rating_case: cs.Case) -> None:
    pairs = rating_case.test[["user_id", "movie_id"]].assign(rating=3.5).iloc[:-1].copy()
    pairs.loc[pairs.index[0], "rating"] = np.nan
    pairs.loc[pairs.index[1], "rating"] = 7.0
    pairs.loc[pairs.index[2], "user_id"] = 99_999
    pairs.loc[pairs.index[3], "movie_id"] = 99_999
    pairs = pd.concat([pairs, pairs.iloc[[5]]])
    with pytest.raises(SubmissionError) as caught:
        rating_case.score(pairs)
    codes = [problem.code for problem in caught.value.problems]
    assert codes.count(ProblemCode.UNKNOWN_IDS) == 2  # the unknown user and the unknown movie
    assert {
        ProblemCode.DUPLICATE_IDS,
        ProblemCode.MISSING_IDS,
        ProblemCode.NON_FINITE,
        ProblemCode.OUT_OF_RANGE,
    } <= set(codes)
    text = str(caught.value)
    assert "99999" in text and "np.clip" in text


def test_rating_rejects_classes_and_reports_user_errors(rating_case: cs.Case) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape("Pass an instance: BiasBaseline()")):
        rating_case.evaluate(BiasBaseline, baselines=False)

    class Broken:
        def fit(self, ratings: pd.DataFrame) -> Broken:
            raise RuntimeError("no data for me")

        def predict(self, pairs: pd.DataFrame) -> np.ndarray:
            return np.zeros(len(pairs))

    with pytest.raises(PipelineError, match="no data for me"):
        rating_case.evaluate(Broken(), baselines=False)


def test_user_models_are_not_fitted_in_place(rating_case: cs.Case) -> None:
    model = BiasBaseline()
    rating_case.evaluate(model, baselines=False)
    assert not hasattr(model, "mean_")


def test_rating_report_renders(rating_report: cs.Report) -> None:
    text = str(rating_report)
    assert "RMSE" in text and "baseline: matrix_factorization" in text and "oracle" in text
    assert rating_report.to_dict()["task"] == "rating"
    assert "<table>" in rating_report._repr_html_()


# -- movies-topn-v4 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def topn_case() -> cs.Case:
    return cs.make(TOPN, seed=0)


@pytest.fixture(scope="module")
def topn_report(topn_case: cs.Case) -> cs.Report:
    return topn_case.evaluate(ItemKNN(), name="knn")


def test_topn_case_shape(topn_case: cs.Case) -> None:
    assert list(topn_case.test.columns) == ["user_id"]
    revealed = topn_case.reveal()
    assert (revealed["n_relevant"] >= 1).all()
    assert revealed["cold_start"].sum() >= 20
    cold_users = revealed.loc[revealed["cold_start"], "user_id"]
    assert (topn_case.train[topn_case.train["user_id"].isin(cold_users)].groupby("user_id").size() == 5).all()
    # Held-out ratings are each user's latest.
    last_train = topn_case.train.groupby("user_id")["timestamp"].max()
    assert (last_train.loc[revealed["user_id"]].to_numpy() <= pd.Timestamp("1998-04-23")).all()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_topn_baselines_reproduce_the_known_ordering(topn_report: cs.Report) -> None:
    ndcg = {entry.name: entry.estimate("ndcg_at_10") for entry in topn_report.references}
    assert ndcg["random"] < 0.25 * ndcg["most_popular"]
    assert ndcg["most_popular"] < ndcg["item_knn"]
    # Ranking-trained models lead, as in published results and on u.data (same protocol: most-popular 0.113,
    # item-kNN 0.174, EASE 0.186, implicit ALS 0.168).
    assert ndcg["item_knn"] < ndcg["ease"] and ndcg["most_popular"] < ndcg["implicit_als"]
    popular = topn_report.reference("most_popular")
    assert popular.estimate("coverage") <= 0.10
    assert (
        popular.estimate("mean_popularity")
        > topn_report.reference("item_knn").estimate("mean_popularity")
        > topn_report.reference("random").estimate("mean_popularity")
    )


# Issue 16: real ML-100K under the top-N task's protocol (each user's latest 20 % held out, 5 % cold-start users,
# relevant = 4-5 stars), NDCG@10 by this library's scorer.
REAL_TOPN_NDCG = {"most_popular": 0.113, "item_knn": 0.174}


@pytest.mark.slow
def test_topn_temporal_ndcg_matches_ml100k() -> None:
    found: dict[str, list[float]] = {name: [] for name in REAL_TOPN_NDCG}
    for seed in SEEDS:
        case = cs.make(TOPN, seed=seed)
        users = case.test["user_id"].to_numpy()
        for name, model in (("most_popular", MostPopular()), ("item_knn", ItemKNN())):
            table = model.fit(case.train).recommend(users, 10)
            found[name].append(case.score(table, baselines=False).submission.estimate("ndcg_at_10"))
    for name, values in found.items():
        assert_interval_within(values, _around(REAL_TOPN_NDCG[name], 0.25 * REAL_TOPN_NDCG[name]), f"{name} NDCG@10")


def test_topn_full_catalog_truth(topn_report: cs.Report) -> None:
    oracle = topn_report.reference("oracle")
    popular = topn_report.reference("most_popular")
    # The truly best movies are not the ones people happen to rate next: observed NDCG under-rates them.
    assert oracle.estimate("true_rating_at_10") > popular.estimate("true_rating_at_10") + 0.5
    assert oracle.estimate("ndcg_at_10") < topn_report.reference("item_knn").estimate("ndcg_at_10")
    codes = [finding.id for finding in topn_report.findings]
    assert {"popularity_bias", "full_catalog_truth", "cold_start"} <= set(codes)


@pytest.mark.slow
def test_beyond_accuracy_and_what_offline_metrics_reward(topn_report: cs.Report) -> None:
    rows = {entry.name: entry for entry in topn_report.references}
    popular, random, knn, oracle = rows["most_popular"], rows["random"], rows["item_knn"], rows["oracle"]
    # Most-popular shows everyone the same few movies (Dacrema et al.: a strong but narrow baseline): the least
    # novel lists and the most concentrated exposure; random lists are the most novel and the most even.
    novelty = {name: entry.estimate("novelty") for name, entry in rows.items()}
    gini = {name: entry.estimate("exposure_gini") for name, entry in rows.items()}
    assert min(novelty, key=novelty.__getitem__) == "most_popular"
    assert max(novelty, key=novelty.__getitem__) == "random"
    assert max(gini, key=gini.__getitem__) == "most_popular" and min(gini, key=gini.__getitem__) == "random"
    assert random.estimate("exposure_gini") < 0.5 < popular.estimate("exposure_gini")
    # Item-kNN recommends neighbours of what you rated: less genre diversity within a list than chance.
    assert knn.estimate("intra_list_diversity") < random.estimate("intra_list_diversity")
    # The lesson, measured: the oracle's lists are the ones users would love most (highest true stars), and more
    # novel than the best offline model's, yet score below it on held-out NDCG.
    best = max((e for e in topn_report.references if e.kind == "baseline"), key=lambda e: e.estimate("ndcg_at_10"))
    assert oracle.estimate("true_rating_at_10") == max(e.estimate("true_rating_at_10") for e in rows.values())
    assert oracle.estimate("true_rating_at_10") > best.estimate("true_rating_at_10") + 0.3
    assert oracle.estimate("novelty") > best.estimate("novelty")
    assert oracle.estimate("ndcg_at_10") < best.estimate("ndcg_at_10")
    finding = next(f for f in topn_report.findings if f.id == "beyond_accuracy")
    assert finding.evidence["best_offline"] == best.name and "what they will rate" in finding.text


def test_topn_accepts_callables_arrays_and_files(topn_case: cs.Case, tmp_path: object) -> None:
    model = MostPopular().fit(topn_case.train)
    table = model.recommend(topn_case.test["user_id"].to_numpy(), 10)
    expected = topn_case.score(table, baselines=False).submission.estimate("ndcg_at_10")

    def recommend(train: pd.DataFrame, users: np.ndarray, k: int) -> pd.DataFrame:
        return MostPopular().fit(train).recommend(users, k)

    assert topn_case.evaluate(recommend, baselines=False).submission.estimate("ndcg_at_10") == pytest.approx(expected)
    matrix = table.sort_values(["user_id", "rank"])["movie_id"].to_numpy().reshape(-1, 10)
    order = np.argsort(np.argsort(topn_case.test["user_id"].to_numpy()))
    assert topn_case.score(matrix[order], baselines=False).submission.estimate("ndcg_at_10") == pytest.approx(expected)
    path = tmp_path / "top10.csv"  # type: ignore[operator]
    table.sample(frac=1.0, random_state=1).to_csv(path, index=False)
    assert topn_case.score(path, baselines=False).submission.estimate("ndcg_at_10") == pytest.approx(expected)


def test_topn_submission_problems_are_all_reported(topn_case: cs.Case) -> None:
    table = MostPopular().fit(topn_case.train).recommend(topn_case.test["user_id"].to_numpy(), 10)
    users = topn_case.test["user_id"].to_numpy()
    rated = topn_case.train.loc[topn_case.train["user_id"] == users[0], "movie_id"].iloc[0]
    bad = table.copy()
    bad.loc[(bad["user_id"] == users[0]) & (bad["rank"] == 1), "movie_id"] = rated  # already rated in train
    bad.loc[(bad["user_id"] == users[1]) & (bad["rank"] == 2), "rank"] = 11  # ranks not 1..10
    bad.loc[(bad["user_id"] == users[2]) & (bad["rank"] == 3), "movie_id"] = 10**6  # unknown movie
    bad = bad[bad["user_id"] != users[3]]  # a missing user
    bad = pd.concat([bad, pd.DataFrame({"user_id": [10**6], "movie_id": [1], "rank": [1]})])  # an unknown user
    with pytest.raises(SubmissionError) as caught:
        topn_case.score(bad)
    codes = [problem.code for problem in caught.value.problems]
    assert codes.count(ProblemCode.UNKNOWN_IDS) == 2
    assert {ProblemCode.MISSING_IDS, ProblemCode.BAD_RANKS, ProblemCode.ALREADY_RATED} <= set(codes)
    text = str(caught.value)
    assert "already-rated" in text and "ranks 1..10" in text
    with pytest.raises(SubmissionError, match="exactly the columns user_id, movie_id, rank"):
        topn_case.score(table.rename(columns={"rank": "position"}))
    with pytest.raises(SubmissionError, match=re.escape(f"shape ({len(users)}, 10)")):
        topn_case.score(np.ones((3, 10), dtype=int))


def test_rating_scale_calibration_is_diagnosed(rating_case: cs.Case) -> None:
    model = BiasBaseline().fit(rating_case.train)
    good = model.predict(rating_case.test)
    spread = np.clip(model.mean_ + 2.0 * (good - model.mean_), 1, 5)  # same ranking, twice the spread
    slopes = {}
    for name, values in (("good", good), ("spread", spread)):
        report = rating_case.score(values, name=name, baselines=False)
        slopes[name] = report.submission.estimate("calibration_slope")
        finding = next(f for f in report.findings if f.id == "rating_calibration")
    assert 0.9 <= slopes["good"] <= 1.15
    assert slopes["spread"] < 0.7 and "too spread out" in finding.text
