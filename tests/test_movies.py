"""movies-v1: realism of the simulated MovieLens-like world and the two recommender tasks.

Targets come from the real ML-100K (Harper & Konstan 2015) and the Surprise
benchmark table, see the "Movie ratings" section of REFERENCES.md.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.exceptions import InvalidParameterError, PipelineError, ProblemCode, SubmissionError
from casestudies.scenarios.movies import BiasBaseline, GlobalMean, ItemKNN, MatrixFactorization, MostPopular
from casestudies.scenarios.movies._world import GENRES, simulate_world

ML100K = {
    "n_users": 943,
    "n_movies": 1682,
    "n_ratings": 100_000,
    "n_factors": 10,
    "noise_sd": 0.8,
    "min_ratings": 20,
    "mnar": True,
}
SMALL_RATING = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}
SMALL_TOPN = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}


def _gini(counts: np.ndarray) -> float:
    values = np.sort(counts.astype(np.float64))
    n = len(values)
    return float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum()))


@pytest.fixture(scope="module", params=[0, 1], ids=["seed0", "seed1"])
def world(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ratings, movies, users, _ = simulate_world(ML100K, np.random.default_rng(request.param))
    return ratings, movies, users


def test_scale_and_activity_match_ml100k(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    ratings, movies, users = world
    assert len(ratings) == 100_000 and len(movies) == 1682 and len(users) == 943
    assert not ratings.duplicated(["user_id", "movie_id"]).any()
    density = len(ratings) / (943 * 1682)
    assert abs(density - 0.063) <= 0.005
    per_user = ratings.groupby("user_id").size()
    assert per_user.min() >= 20 and len(per_user) == 943
    assert 50 <= per_user.median() <= 80
    assert per_user.max() / per_user.median() >= 8


def test_star_distribution_matches_ml100k(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    stars = world[0]["rating"]
    shares = stars.value_counts(normalize=True).sort_index().to_numpy()
    np.testing.assert_allclose(shares, [0.061, 0.114, 0.272, 0.342, 0.212], atol=0.03)
    assert abs(stars.mean() - 3.53) <= 0.05
    assert abs(stars.std() - 1.13) <= 0.07


def test_long_tail_and_popularity_quality_link(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    ratings = world[0]
    counts = ratings.groupby("movie_id").size().reindex(range(1, 1683), fill_value=0).to_numpy()
    top = np.sort(counts)[::-1][: int(0.2 * len(counts))].sum() / counts.sum()
    assert 0.60 <= top <= 0.70
    assert 0.60 <= _gini(counts) <= 0.66
    assert (counts <= 5).mean() >= 0.20
    means = ratings.groupby("movie_id")["rating"].mean()
    rated = counts[means.index.to_numpy() - 1]
    corr = np.corrcoef(np.log(rated), means.to_numpy())[0, 1]
    assert 0.3 <= corr <= 0.6


def test_side_tables_are_plausible(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    _, movies, users = world
    assert movies["title"].str.fullmatch(r".+ \((19|20)\d\d\)").all()
    assert movies["title"].nunique() > 0.9 * len(movies)
    assert (movies["title"].str.extract(r"\((\d{4})\)$")[0].astype(int) == movies["year"]).all()
    genres = {genre for text in movies["genres"] for genre in text.split("|")}
    assert genres <= set(GENRES) and len(genres) >= 15
    assert movies["year"].between(1920, 1998).all() and movies["year"].median() >= 1990
    assert users["age"].between(7, 73).all() and set(users["gender"]) == {"M", "F"}


def test_expected_rating_is_the_mean_of_the_stars(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    ratings = world[0]
    assert abs(ratings["rating"].mean() - ratings["expected_rating"].mean()) < 0.02
    # Within bins of the expected rating, the average star is that expected rating.
    bins = pd.cut(ratings["expected_rating"], [1, 2.5, 3, 3.5, 4, 5])
    grouped = ratings.groupby(bins, observed=True).agg(stars=("rating", "mean"), expected=("expected_rating", "mean"))
    np.testing.assert_allclose(grouped["stars"], grouped["expected"], atol=0.05)


def test_turning_mnar_off_removes_self_selection() -> None:
    observed, *_ = simulate_world(ML100K, np.random.default_rng(0))
    random_exposure, *_ = simulate_world({**ML100K, "mnar": False}, np.random.default_rng(0))
    # Users rate what they like: randomly exposed ratings are much lower (as on Yahoo! R3 / Coat).
    assert random_exposure["rating"].mean() < observed["rating"].mean() - 0.5
    counts = random_exposure.groupby("movie_id").size().reindex(range(1, 1683), fill_value=0).to_numpy()
    assert _gini(counts) < 0.2
    assert random_exposure.groupby("user_id").size().min() >= 20


def test_timestamps_lie_in_the_ml100k_period(world: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    stamps = world[0]["timestamp"]
    assert stamps.is_monotonic_increasing
    assert stamps.min() >= pd.Timestamp("1997-09-20") and stamps.max() <= pd.Timestamp("1998-04-23")


def test_too_many_ratings_for_the_catalogue_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=re.escape("Lower n_ratings or raise n_users / n_movies")):
        cs.make("movies-rating-v1", seed=0, n_users=40, n_movies=60, n_ratings=2_000)


# -- movies-rating-v1 --------------------------------------------------------------


@pytest.fixture(scope="module")
def rating_case() -> cs.Case:
    return cs.make("movies-rating-v1", seed=0)


@pytest.fixture(scope="module")
def rating_report(rating_case: cs.Case) -> cs.Report:
    return rating_case.evaluate(BiasBaseline(), name="biases")


def test_rating_case_shape(rating_case: cs.Case) -> None:
    assert rating_case.target == "rating" and rating_case.id_column == "rating_id"
    assert list(rating_case.test.columns) == ["rating_id", "user_id", "movie_id", "timestamp"]
    assert set(rating_case.tables) == {"movies", "users"}
    assert len(rating_case.train) + len(rating_case.test) == 100_000
    assert 0.19 <= len(rating_case.test) / 100_000 <= 0.2
    # Every test pair's user is known from train.
    assert set(rating_case.test["user_id"]) <= set(rating_case.train["user_id"])
    revealed = rating_case.reveal()
    assert {"rating", "expected_rating", "part"} <= set(revealed.columns)


def test_rating_baselines_reproduce_the_surprise_ordering(rating_report: cs.Report) -> None:
    rmse = {entry.name: entry.estimate("rmse") for entry in rating_report.references}
    assert 1.4 <= rmse["random"] <= 1.6
    assert (
        rmse["random"]
        > rmse["global_mean"]
        > rmse["movie_mean"]
        > rmse["biases"]
        > rmse["matrix_factorization"]
        > rmse["oracle"]
    )
    assert 0.93 <= rmse["biases"] <= 0.96
    assert 0.005 <= rmse["biases"] - rmse["matrix_factorization"] <= 0.03


def test_matrix_factorisation_overfits_visibly(rating_case: cs.Case) -> None:
    train = rating_case.train

    def train_rmse(model: object) -> float:
        model.fit(train)  # type: ignore[attr-defined]
        return float(np.sqrt(np.mean((model.predict(train) - train["rating"]) ** 2)))  # type: ignore[attr-defined]

    def test_rmse(model: object) -> float:
        return rating_case.score(model.fit(train).predict(rating_case.test), baselines=False).submission.estimate(
            "rmse"
        )  # type: ignore[attr-defined]

    mf_gap = test_rmse(MatrixFactorization()) - train_rmse(MatrixFactorization())
    bias_gap = test_rmse(BiasBaseline()) - train_rmse(BiasBaseline())
    assert mf_gap > 0.08 and mf_gap > 2.5 * bias_gap  # biases barely overfit; MF visibly does


def test_full_catalog_truth_exposes_mnar_optimism(rating_report: cs.Report) -> None:
    submission = rating_report.submission
    assert submission.estimate("true_rmse") < submission.estimate("rmse")
    assert submission.estimate("unseen_true_rmse") > submission.estimate("true_rmse") + 0.2
    assert submission.estimate("unseen_bias") > 0.3  # optimistic about movies nobody chose
    codes = [finding.id for finding in rating_report.findings]
    assert "missing_not_at_random" in codes and "oracle_gap" in codes


def test_without_mnar_the_unseen_bias_vanishes() -> None:
    case = cs.make("movies-rating-v1", seed=0, mnar=False, **SMALL_RATING)
    report = case.evaluate(BiasBaseline(), baselines=False)
    assert abs(report.submission.estimate("unseen_bias")) < 0.1


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


# -- movies-topn-v1 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def topn_case() -> cs.Case:
    return cs.make("movies-topn-v1", seed=0)


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


def test_topn_baselines_reproduce_the_known_ordering(topn_report: cs.Report) -> None:
    ndcg = {entry.name: entry.estimate("ndcg_at_10") for entry in topn_report.references}
    assert ndcg["random"] < 0.25 * ndcg["most_popular"]
    assert ndcg["most_popular"] < ndcg["item_knn"]
    popular = topn_report.reference("most_popular")
    assert popular.estimate("coverage") <= 0.10
    assert (
        popular.estimate("mean_popularity")
        > topn_report.reference("item_knn").estimate("mean_popularity")
        > topn_report.reference("random").estimate("mean_popularity")
    )


def test_topn_full_catalog_truth(topn_report: cs.Report) -> None:
    oracle = topn_report.reference("oracle")
    popular = topn_report.reference("most_popular")
    # The truly best movies are not the ones people happen to rate next: observed NDCG under-rates them.
    assert oracle.estimate("true_rating_at_10") > popular.estimate("true_rating_at_10") + 0.5
    assert oracle.estimate("ndcg_at_10") < topn_report.reference("item_knn").estimate("ndcg_at_10")
    codes = [finding.id for finding in topn_report.findings]
    assert {"popularity_bias", "full_catalog_truth", "cold_start"} <= set(codes)


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


def test_ml1m_scale_parameters_generate() -> None:
    case = cs.make("movies-rating-v1", seed=0, n_users=6040, n_movies=3706, n_ratings=1_000_209, n_unseen_pairs=1_000)
    assert len(case.train) + len(case.test) == 1_000_209
    assert case.data_card["density"] == pytest.approx(0.0447, abs=0.001)


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
