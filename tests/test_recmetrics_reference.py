"""Recommender metrics against independent references.

Every top-N and rating metric is recomputed three ways: with scikit-learn where
it has the metric, with a plain per-user (or per-row) loop written here on real
data of the movies generators, reached the way a user reaches it
(``case.score`` / ``case.evaluate``), on the whole holdout and on its public
and private parts; and on tiny hand-worked cases whose values are written down
with their arithmetic.

Definitions checked (see ``casestudies.scoring._recmetrics``): a held-out
rating of 4 or 5 stars makes a movie relevant to its user; ``NDCG@k`` has
binary gains, discount ``1 / log2(rank + 1)`` and the ideal DCG of
``min(k, n_relevant)`` relevant movies; ``precision@k`` divides the hits by
``k``, ``recall@k`` by the user's relevant movies; ``AP@k`` sums the
precision at each hit's rank and divides by ``min(k, n_relevant)``. Per-user
values are averaged over users. ``coverage`` counts distinct recommended
movies over the catalogue; ``mean_popularity`` averages, over every
recommended slot, the share of training users who rated the movie.

Tolerance: where the reference sums the same numbers in another order (a loop
against matrix products and cumulative sums), floating-point rounding differs
by about ``n * 2.2e-16``, below 1e-13 for the few thousand terms here; every
comparison uses 1e-12 (the largest difference seen is 4e-15), many orders of
magnitude below the effect of a wrong discount, normaliser or mask. The
simulator's expected rating is recomputed here with ``math.erf`` instead of
scipy's ``ndtr``; the two agree to 2e-15.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LinearRegression
from sklearn.metrics import (
    average_precision_score,
    mean_absolute_error,
    ndcg_score,
    precision_score,
    recall_score,
    root_mean_squared_error,
)

import casestudies as cs
from casestudies.case import host_view
from casestudies.scenarios.movies import MostPopular
from casestudies.scoring import TopNContext
from casestudies.scoring._recmetrics import (
    _CHUNK_CELLS,
    _boot_means,
    rating_scores,
    topn_per_user,
    topn_scores,
)

K = 10
TOL = 1e-12  # see the module docstring: summation order only
PARTS = ("all", "public", "private")
SEEDS = (0, 1)
SMALL_TOPN = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}
SMALL_RATING = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}

Scores = Mapping[str, Mapping[str, Mapping[str, float]]]


def _close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=TOL, abs_tol=TOL)


def _expected_rating(world: Any, user_id: int, movie_id: int) -> float:
    """The simulator's truth, written plainly: ``1 + sum_c Phi((latent - c) / sigma)``, 1-based ids."""
    u, m = user_id - 1, movie_id - 1
    latent = float(world.user_bias[u]) + float(world.movie_bias[m])
    for a, b in zip(world.user_factors[u], world.movie_factors[m], strict=True):
        latent += float(a) * float(b)
    sigma = float(world.noise_sd)
    stars = 1.0
    for cut in world.thresholds:
        stars += 0.5 * (1.0 + math.erf((latent - float(cut)) / (sigma * math.sqrt(2.0))))
    return stars


# ---------------------------------------------------------------------------
# Top-N: the reference loop
# ---------------------------------------------------------------------------


def _loop_topn(
    recommended: Sequence[Sequence[int]],
    relevant: Sequence[set[int]],
    cold: Sequence[bool],
    true_rating: Callable[[int, int], float],
    popularity: Mapping[int, float],
    n_movies: int,
) -> dict[str, float]:
    """Every top-N metric of the given users, one user and one rank at a time."""
    sums = {"ndcg_at_10": 0.0, "precision_at_10": 0.0, "recall_at_10": 0.0, "map_at_10": 0.0}
    true_sum = 0.0
    cold_sum, n_cold = 0.0, 0
    for row, (movies, liked, is_cold) in enumerate(zip(recommended, relevant, cold, strict=True)):
        k = len(movies)
        dcg, hits, precision_sum = 0.0, 0, 0.0
        for rank, movie in enumerate(movies, start=1):
            if movie in liked:
                hits += 1
                dcg += 1.0 / math.log2(rank + 1)
                precision_sum += hits / rank
        ideal = 0.0
        for rank in range(1, min(k, len(liked)) + 1):
            ideal += 1.0 / math.log2(rank + 1)
        ndcg = dcg / ideal
        sums["ndcg_at_10"] += ndcg
        sums["precision_at_10"] += hits / k
        sums["recall_at_10"] += hits / len(liked)
        sums["map_at_10"] += precision_sum / min(k, len(liked))
        user_true = 0.0
        for movie in movies:
            user_true += true_rating(row, movie)
        true_sum += user_true / k
        if is_cold:
            cold_sum += ndcg
            n_cold += 1
    n_users = len(recommended)
    result = {name: total / n_users for name, total in sums.items()}
    result["true_rating_at_10"] = true_sum / n_users
    result["ndcg_at_10_cold_start"] = cold_sum / n_cold if n_cold else math.nan
    distinct: set[int] = set()
    popularity_sum, n_slots = 0.0, 0
    for movies in recommended:
        for movie in movies:
            distinct.add(movie)
            popularity_sum += popularity[movie]
            n_slots += 1
    result["coverage"] = len(distinct) / n_movies
    result["mean_popularity"] = popularity_sum / n_slots
    result["n_users"] = n_users
    result["n_cold_start"] = n_cold
    return result


def _sklearn_topn(recommended: np.ndarray, relevant: Sequence[set[int]], n_movies: int) -> dict[str, float]:
    """NDCG@k, precision@k and recall@k from scikit-learn on indicator matrices (column j = movie j + 1)."""
    n_users, k = recommended.shape
    y_true = np.zeros((n_users, n_movies), dtype=np.int64)
    y_score = np.zeros((n_users, n_movies))
    for row in range(n_users):
        y_true[row, [movie - 1 for movie in relevant[row]]] = 1
        y_score[row, recommended[row] - 1] = np.arange(k, 0, -1)  # rank 1 scores highest; the rest tie at 0
    y_pred = (y_score > 0).astype(np.int64)
    return {
        "ndcg_at_10": float(ndcg_score(y_true, y_score, k=k)),
        # Exactly k movies are predicted per user, so the sample-averaged precision is hits / k.
        "precision_at_10": float(precision_score(y_true, y_pred, average="samples", zero_division=0)),
        "recall_at_10": float(recall_score(y_true, y_pred, average="samples", zero_division=0)),
    }


class _TopNData:
    """A top-N case and what the references need of it, in ``case.test`` order."""

    def __init__(self, seed: int) -> None:
        self.case = cs.make("movies-topn-v1", seed=seed, **SMALL_TOPN)
        self.users = self.case.test["user_id"].to_numpy()
        revealed = self.case.reveal()
        assert (revealed["user_id"].to_numpy() == self.users).all()
        self.part = revealed["part"].to_numpy()
        self.cold = revealed["cold_start"].to_numpy().astype(bool)
        extras = host_view(self.case).holdout.extras
        heldout = extras["heldout"]
        liked: dict[int, set[int]] = {}
        for user, movie, stars in zip(heldout["user_id"], heldout["movie_id"], heldout["rating"], strict=True):
            if stars >= 4:
                liked.setdefault(int(user), set()).add(int(movie))
        self.relevant = [liked[int(user)] for user in self.users]
        self.world = extras["world"]
        self.n_movies = int(self.case.params["n_movies"])
        train = self.case.train
        self.seen: dict[int, set[int]] = {}
        raters: dict[int, set[int]] = {}
        for user, movie in zip(train["user_id"], train["movie_id"], strict=True):
            self.seen.setdefault(int(user), set()).add(int(movie))
            raters.setdefault(int(movie), set()).add(int(user))
        n_train_users = len(self.seen)
        self.popularity = {movie: len(raters.get(movie, ())) / n_train_users for movie in range(1, self.n_movies + 1)}

    def mask(self, part: str) -> np.ndarray:
        return np.ones(len(self.users), dtype=bool) if part == "all" else self.part == part

    def mixed(self, seed: int) -> np.ndarray:
        """A random mix of each user's relevant movies and other unseen movies, shuffled: hits at every rank."""
        rng = np.random.default_rng(seed)
        rows = []
        for user, liked in zip(self.users, self.relevant, strict=True):
            n_hits = int(rng.integers(0, min(K, len(liked)) + 1))
            hits = rng.choice(sorted(liked), size=n_hits, replace=False).tolist()
            others = [m for m in range(1, self.n_movies + 1) if m not in liked and m not in self.seen[int(user)]]
            picks = hits + rng.choice(others, size=K - n_hits, replace=False).tolist()
            rows.append(rng.permutation(picks))
        return np.array(rows, dtype=np.int64)

    def reference(self, recommended: np.ndarray, part: str) -> dict[str, float]:
        rows = np.flatnonzero(self.mask(part))
        users = self.users[rows]

        def truth(row: int, movie: int) -> float:
            return _expected_rating(self.world, int(users[row]), movie)

        return _loop_topn(
            [[int(m) for m in recommended[r]] for r in rows],
            [self.relevant[r] for r in rows],
            [bool(self.cold[r]) for r in rows],
            truth,
            self.popularity,
            self.n_movies,
        )


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def topn(request: pytest.FixtureRequest) -> _TopNData:
    return _TopNData(request.param)


def _scored(topn: _TopNData, recommender: str) -> tuple[np.ndarray, Scores]:
    """Recommendations of ``recommender`` and their scores, reached as a user reaches them."""
    if recommender == "mixed":
        recommended = topn.mixed(seed=7)
        report = topn.case.score(recommended, baselines=False)
    else:
        table = MostPopular().fit(topn.case.train).recommend(topn.users, K)
        recommended = table.sort_values(["user_id", "rank"])["movie_id"].to_numpy().reshape(-1, K)
        recommended = recommended[np.argsort(np.argsort(topn.users))]
        report = topn.case.evaluate(MostPopular(), baselines=False, diagnostics=None)
    return recommended, report.submission.scores


@pytest.mark.parametrize("recommender", ["mixed", "most_popular"])
def test_topn_metrics_match_a_per_user_loop(topn: _TopNData, recommender: str) -> None:
    recommended, scores = _scored(topn, recommender)
    for part in PARTS:
        expected = topn.reference(recommended, part)
        actual = {name: scores[part][name]["estimate"] for name in expected}
        mismatched = {
            name: (actual[name], value)
            for name, value in expected.items()
            if not (_close(actual[name], value) or (math.isnan(value) and math.isnan(actual[name])))
        }
        assert not mismatched, f"{part}: (package, loop) {mismatched}"


def _sklearn_average_precision_at_k(recommended: np.ndarray, relevant: Sequence[set[int]]) -> np.ndarray:
    """Per-user AP@k: scikit-learn's AP over the k recommended movies, rescaled from ``/ hits`` to ``/ min(k, R)``.

    ``average_precision_score`` on the ranked k movies sums the precision at each hit and divides by the hits;
    AP@k divides the same sum by ``min(k, n_relevant)`` instead. A user without a hit has AP@k = 0.
    """
    k = recommended.shape[1]
    values = np.zeros(len(recommended))
    for row, (movies, liked) in enumerate(zip(recommended, relevant, strict=True)):
        hits = np.array([movie in liked for movie in movies], dtype=np.int64)
        if hits.any():
            ap_over_hits = average_precision_score(hits, np.arange(k, 0, -1))
            values[row] = ap_over_hits * hits.sum() / min(k, len(liked))
    return values


@pytest.mark.parametrize("recommender", ["mixed", "most_popular"])
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_topn_ranking_metrics_match_sklearn(topn: _TopNData, recommender: str) -> None:
    recommended, scores = _scored(topn, recommender)
    average_precision = _sklearn_average_precision_at_k(recommended, topn.relevant)
    for part in PARTS:
        mask = topn.mask(part)
        rows = np.flatnonzero(mask)
        expected = _sklearn_topn(recommended[rows], [topn.relevant[r] for r in rows], topn.n_movies)
        expected["map_at_10"] = float(average_precision[rows].mean())
        cold = np.flatnonzero(mask & topn.cold)
        assert cold.size > 0  # every part of these cases holds cold-start users
        expected["ndcg_at_10_cold_start"] = _sklearn_topn(
            recommended[cold], [topn.relevant[r] for r in cold], topn.n_movies
        )["ndcg_at_10"]
        for name, value in expected.items():
            assert _close(scores[part][name]["estimate"], value), (part, name, scores[part][name]["estimate"], value)


def test_mixed_recommendations_exercise_every_branch(topn: _TopNData) -> None:
    """The loop comparison means something only if hits land at many ranks and some users have > k relevant."""
    recommended = topn.mixed(seed=7)
    hit_ranks = {
        rank for row, liked in zip(recommended, topn.relevant, strict=True) for rank, m in enumerate(row) if m in liked
    }
    assert hit_ranks == set(range(K))
    n_relevant = np.array([len(liked) for liked in topn.relevant])
    assert (n_relevant > K).sum() >= 10 and (n_relevant < K).sum() >= 10


# ---------------------------------------------------------------------------
# Top-N: two users, six movies, k = 3, worked by hand
# ---------------------------------------------------------------------------
#
# user A (row 0): relevant {2, 4},       recommended [2, 3, 4] -> hits at ranks 1 and 3, not cold start
# user B (row 1): relevant {1, 3, 4, 5}, recommended [5, 2, 1] -> hits at ranks 1 and 3, cold start
# popularity by movie id 1..6: 0.5, 0.25, 0.75, 1.0, 0.0, 0.5
# true rating of A for movies 2, 3, 4: 4.5, 3.0, 4.0; of B for movies 5, 2, 1: 2.5, 3.5, 5.0


def _tiny_topn() -> tuple[np.ndarray, TopNContext]:
    relevant = sparse.csr_matrix(
        np.array(
            [
                [0, 0, 1, 0, 1, 0, 0],  # column = movie id, column 0 unused
                [0, 1, 0, 1, 1, 1, 0],
            ]
        )
    )
    truth = np.array(
        [
            [0.0, 1.0, 4.5, 3.0, 4.0, 1.0, 1.0],
            [0.0, 5.0, 3.5, 1.0, 1.0, 2.5, 1.0],
        ]
    )
    context = TopNContext(
        relevant=relevant,
        n_relevant=np.array([2, 4]),
        cold_start=np.array([False, True]),
        popularity=np.array([0.0, 0.5, 0.25, 0.75, 1.0, 0.0, 0.5]),
        true_rating=lambda rows, movies: truth[rows, movies],
        n_movies=6,
    )
    return np.array([[2, 3, 4], [5, 2, 1]]), context


TINY_NDCG_A = 0.9197207891481876  # DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309297535714575
TINY_NDCG_B = 0.7039180890341347  # DCG = 1.5; IDCG over min(k=3, 4) = 3 ranks = 1 + 0.6309297535714575 + 0.5 = 2.1309
TINY_AP_A = 0.8333333333333334  # (P@1 + P@3) / min(3, 2) = (1/1 + 2/3) / 2
TINY_AP_B = 0.5555555555555556  # (1/1 + 2/3) / min(3, 4) = (5/3) / 3


def test_tiny_topn_per_user_by_hand() -> None:
    recommended, context = _tiny_topn()
    per_user = topn_per_user(recommended, context)  # columns: ndcg, precision, recall, ap, true rating
    expected = np.array(
        [
            # precision = 2 hits / k=3; recall = 2 hits / 2 relevant; true = (4.5 + 3.0 + 4.0) / 3 = 11.5 / 3
            [TINY_NDCG_A, 0.6666666666666666, 1.0, TINY_AP_A, 3.8333333333333335],
            # precision = 2 / 3; recall = 2 hits / 4 relevant; true = (2.5 + 3.5 + 5.0) / 3 = 11 / 3
            [TINY_NDCG_B, 0.6666666666666666, 0.5, TINY_AP_B, 3.6666666666666665],
        ]
    )
    np.testing.assert_allclose(per_user, expected, rtol=0, atol=TOL)
    # The hand-worked NDCG is scikit-learn's too (y_true/y_score columns = movies 1..6).
    y_true = np.array([[0, 1, 0, 1, 0, 0], [1, 0, 1, 1, 1, 0]])
    y_score = np.array([[0, 3, 2, 1, 0, 0], [1, 2, 0, 0, 3, 0]])
    assert ndcg_score(y_true[:1], y_score[:1], k=3) == pytest.approx(TINY_NDCG_A, abs=TOL)
    assert ndcg_score(y_true[1:], y_score[1:], k=3) == pytest.approx(TINY_NDCG_B, abs=TOL)


def test_tiny_topn_scores_by_hand() -> None:
    recommended, context = _tiny_topn()
    public = np.array([True, False])
    parts = {"public": public, "private": ~public, "all": np.ones(2, dtype=bool)}
    scores = topn_scores(recommended, context, parts=parts, rng=np.random.default_rng(0), n_boot=20)
    expected = {
        "all": {
            "ndcg_at_10": 0.811819439091161,  # (0.9197207891481876 + 0.7039180890341347) / 2
            "precision_at_10": 0.6666666666666666,  # (2/3 + 2/3) / 2
            "recall_at_10": 0.75,  # (1 + 0.5) / 2
            "map_at_10": 0.6944444444444444,  # (5/6 + 5/9) / 2 = 25/36
            "coverage": 0.8333333333333334,  # distinct {1, 2, 3, 4, 5} = 5 of 6 movies (6 slots would give 1.0)
            "mean_popularity": 0.4583333333333333,  # (0.25 + 0.75 + 1.0 + 0.0 + 0.25 + 0.5) / 6 slots = 2.75 / 6
            # -log2(popularity), an unrated movie counting as the least popular rated one (0.25):
            # A (2 + 0.41503749927884376 + 0) / 3 = 0.8050124997596146, B (2 + 2 + 1) / 3
            "novelty": 1.2358395832131406,  # (0.8050124997596146 + 1.6666666666666667) / 2
            "intra_list_diversity": math.nan,  # no genres in this context
            # times shown, movies 1..6: 1, 2, 1, 1, 1, 0; sorted 0,1,1,1,1,2 with weights 2i - n - 1 = -5..5
            "exposure_gini": 0.2777777777777778,  # (-3 - 1 + 1 + 3 + 10) / (6 movies * 6 slots)
            "true_rating_at_10": 3.75,  # (11.5/3 + 11/3) / 2 = 22.5 / 6
            "ndcg_at_10_cold_start": TINY_NDCG_B,  # B is the only cold-start user
            "n_users": 2,
            "n_cold_start": 1,
        },
        "public": {
            "ndcg_at_10": TINY_NDCG_A,
            "precision_at_10": 0.6666666666666666,
            "recall_at_10": 1.0,
            "map_at_10": TINY_AP_A,
            "coverage": 0.5,  # {2, 3, 4}: 3 of 6
            "mean_popularity": 0.6666666666666666,  # (0.25 + 0.75 + 1.0) / 3
            "novelty": 0.8050124997596146,
            "intra_list_diversity": math.nan,
            "exposure_gini": 0.5,  # shown once: movies 2, 3, 4 of 6; (1 + 3 + 5) / (6 * 3)
            "true_rating_at_10": 3.8333333333333335,
            "ndcg_at_10_cold_start": math.nan,  # no cold-start user in this part
            "n_users": 1,
            "n_cold_start": 0,
        },
        "private": {
            "ndcg_at_10": TINY_NDCG_B,
            "precision_at_10": 0.6666666666666666,
            "recall_at_10": 0.5,
            "map_at_10": TINY_AP_B,
            "coverage": 0.5,  # {5, 2, 1}: 3 of 6
            "mean_popularity": 0.25,  # (0.0 + 0.25 + 0.5) / 3
            "novelty": 1.6666666666666667,
            "intra_list_diversity": math.nan,
            "exposure_gini": 0.5,  # shown once: movies 1, 2, 5 of 6
            "true_rating_at_10": 3.6666666666666665,
            "ndcg_at_10_cold_start": TINY_NDCG_B,
            "n_users": 1,
            "n_cold_start": 1,
        },
    }
    for part, metrics in expected.items():
        assert list(scores[part]) == list(metrics)
        for name, value in metrics.items():
            actual = scores[part][name]["estimate"]
            assert (math.isnan(actual) and math.isnan(value)) or actual == pytest.approx(value, abs=TOL), (
                part,
                name,
                actual,
                value,
            )


def test_tiny_topn_ideal_dcg_stops_at_k() -> None:
    """One user, twelve relevant movies of twenty, k = 10, hits at ranks 1, 2 and 10 only."""
    relevant = sparse.csr_matrix(np.r_[0, np.ones(12), np.zeros(8)].reshape(1, -1))  # movies 1..12 relevant
    context = TopNContext(relevant, np.array([12]), np.array([False]), np.zeros(21), lambda r, m: np.ones(len(r)), 20)
    recommended = np.array([[1, 2, 13, 14, 15, 16, 17, 18, 19, 3]])
    ndcg, precision, recall, ap, _ = topn_per_user(recommended, context)[0]
    # DCG = 1/log2(2) + 1/log2(3) + 1/log2(11) = 1 + 0.6309297535714575 + 0.2890648263178879 = 1.9199945798893454
    # IDCG = sum over ranks 1..10 (not 12) of 1/log2(rank + 1) = 4.543559338088346
    assert ndcg == pytest.approx(0.42257499837058643, abs=TOL)  # 1.9199945798893454 / 4.543559338088346
    assert precision == pytest.approx(0.3, abs=TOL)  # 3 hits / k=10
    assert recall == pytest.approx(0.25, abs=TOL)  # 3 hits / 12 relevant
    assert ap == pytest.approx(0.23, abs=TOL)  # (1/1 + 2/2 + 3/10) / min(10, 12) = 2.3 / 10


# ---------------------------------------------------------------------------
# Rating: a deterministic model, sklearn and a per-row loop
# ---------------------------------------------------------------------------


class _UserMovieMeans:
    """Global mean plus user and movie offsets, clipped to the star scale; unknown ids get no offset."""

    def fit(self, ratings: pd.DataFrame) -> _UserMovieMeans:
        self.mean_ = float(ratings["rating"].mean())
        self.user_ = (ratings.groupby("user_id")["rating"].mean() - self.mean_).to_dict()
        self.movie_ = (ratings.groupby("movie_id")["rating"].mean() - self.mean_).to_dict()
        return self

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        values = [
            self.mean_ + self.user_.get(user, 0.0) + self.movie_.get(movie, 0.0)
            for user, movie in zip(pairs["user_id"], pairs["movie_id"], strict=True)
        ]
        return np.clip(np.array(values), 1.0, 5.0)  # within the scale, so the case's own clipping changes nothing


def _loop_rating(stars: Sequence[float], predicted: Sequence[float], truth: Sequence[float]) -> dict[str, float]:
    n = len(stars)
    squared = absolute = signed = true_squared = 0.0
    for y, p, e in zip(stars, predicted, truth, strict=True):
        squared += (p - y) ** 2
        absolute += abs(p - y)
        signed += p - y
        true_squared += (p - e) ** 2
    mean_p, mean_y = sum(predicted) / n, sum(stars) / n
    covariance = variance = 0.0
    for y, p in zip(stars, predicted, strict=True):
        covariance += (p - mean_p) * (y - mean_y)
        variance += (p - mean_p) ** 2
    return {
        "rmse": math.sqrt(squared / n),
        "mae": absolute / n,
        "true_rmse": math.sqrt(true_squared / n),
        "mean_error": signed / n,
        "calibration_slope": covariance / variance,  # least-squares slope of the stars on the predictions
        "n_rows": n,
    }


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def rating(request: pytest.FixtureRequest) -> tuple[cs.Case, Scores]:
    case = cs.make("movies-rating-v1", seed=request.param, **SMALL_RATING)
    report = case.evaluate(_UserMovieMeans(), baselines=False, diagnostics=None)
    return case, report.submission.scores


def test_rating_metrics_match_sklearn_and_a_per_row_loop(rating: tuple[cs.Case, Scores]) -> None:
    case, scores = rating
    predicted = _UserMovieMeans().fit(case.train).predict(case.test)
    revealed = case.reveal()
    stars = revealed["rating"].to_numpy()
    truth = revealed["expected_rating"].to_numpy()
    for part in PARTS:
        mask = np.ones(len(stars), dtype=bool) if part == "all" else revealed["part"].to_numpy() == part
        y, p, e = stars[mask], predicted[mask], truth[mask]
        loop = _loop_rating(y.tolist(), p.tolist(), e.tolist())
        reference = {
            "rmse": root_mean_squared_error(y, p),
            "mae": mean_absolute_error(y, p),
            "true_rmse": root_mean_squared_error(e, p),
            "calibration_slope": float(LinearRegression().fit(p.reshape(-1, 1), y).coef_[0]),
        }
        for name, value in loop.items():
            assert _close(scores[part][name]["estimate"], value), (part, name, scores[part][name]["estimate"], value)
        for name, value in reference.items():
            assert _close(scores[part][name]["estimate"], value), (part, name, scores[part][name]["estimate"], value)


def test_unseen_metrics_match_a_per_pair_loop(rating: tuple[cs.Case, Scores]) -> None:
    case, scores = rating
    extras = host_view(case).holdout.extras
    pairs, world = extras["unseen_pairs"], extras["world"]
    predicted = _UserMovieMeans().fit(case.train).predict(pairs)
    squared = signed = 0.0
    for (user, movie), p in zip(pairs[["user_id", "movie_id"]].itertuples(index=False), predicted, strict=True):
        gap = p - _expected_rating(world, int(user), int(movie))
        squared += gap**2
        signed += gap
    n = len(pairs)
    assert n == SMALL_RATING["n_unseen_pairs"]
    for part in PARTS:  # the unseen pairs are not in the holdout: the same value on every part
        assert _close(scores[part]["unseen_true_rmse"]["estimate"], math.sqrt(squared / n))
        assert _close(scores[part]["unseen_bias"]["estimate"], signed / n)
    # A file of predictions cannot predict unseen pairs: those two metrics are NaN, the others unchanged.
    from_file = case.score(_UserMovieMeans().fit(case.train).predict(case.test), baselines=False)
    assert math.isnan(from_file.submission.estimate("unseen_true_rmse"))
    assert math.isnan(from_file.submission.estimate("unseen_bias"))
    assert from_file.submission.estimate("rmse") == scores["all"]["rmse"]["estimate"]


# ---------------------------------------------------------------------------
# Rating: two users, five rows, worked by hand
# ---------------------------------------------------------------------------
#
# row  user  stars  prediction  expected | error = pred - stars   pred - expected
#  0    1     4       3.5        3.75    |  -0.5                    -0.25
#  1    1     2       2.5        2.25    |  +0.5                    +0.25
#  2    1     5       4.0        4.5     |  -1.0                    -0.5
#  3    2     3       3.5        3.0     |  +0.5                    +0.5
#  4    2     1       2.0        1.5     |  +1.0                    +0.5
# public = user 1 (rows 0-2), private = user 2 (rows 3-4)
# unseen pairs: predictions 3.0, 4.0, 2.5 against expected 3.5, 3.0, 2.0 -> gaps -0.5, +1.0, +0.5


def test_tiny_rating_scores_by_hand() -> None:
    stars = np.array([4.0, 2.0, 5.0, 3.0, 1.0])
    predicted = np.array([3.5, 2.5, 4.0, 3.5, 2.0])
    truth = np.array([3.75, 2.25, 4.5, 3.0, 1.5])
    unseen = (np.array([3.0, 4.0, 2.5]), np.array([3.5, 3.0, 2.0]))
    public = np.array([True, True, True, False, False])
    parts = {"public": public, "private": ~public, "all": np.ones(5, dtype=bool)}
    scores = rating_scores(stars, predicted, truth, parts=parts, rng=np.random.default_rng(0), unseen=unseen, n_boot=20)
    unseen_rmse = 0.7071067811865476  # sqrt((0.25 + 1.0 + 0.25) / 3) = sqrt(0.5)
    unseen_bias = 0.3333333333333333  # (-0.5 + 1.0 + 0.5) / 3
    expected = {
        "all": {
            "rmse": 0.7416198487095663,  # sqrt((0.25 + 0.25 + 1 + 0.25 + 1) / 5) = sqrt(0.55)
            "mae": 0.7,  # (0.5 + 0.5 + 1 + 0.5 + 1) / 5
            "true_rmse": 0.4183300132670378,  # sqrt((0.0625 + 0.0625 + 0.25 + 0.25 + 0.25) / 5) = sqrt(0.175)
            "unseen_true_rmse": unseen_rmse,
            "unseen_bias": unseen_bias,
            "mean_error": 0.1,  # (-0.5 + 0.5 - 1 + 0.5 + 1) / 5; = mean prediction 3.1 - mean star 3.0
            # pred - 3.1 = .4 -.6 .9 .4 -1.1; stars - 3 = 1 -1 2 0 -2; cov = 5.0 / 5 = 1; var(pred) = 2.7 / 5 = 0.54
            "calibration_slope": 1.8518518518518516,  # 1 / 0.54 (regressing the other way would give 1 / 2 = 0.5)
            "n_rows": 5,
        },
        "public": {
            "rmse": 0.7071067811865476,  # sqrt((0.25 + 0.25 + 1) / 3) = sqrt(0.5)
            "mae": 0.6666666666666666,  # (0.5 + 0.5 + 1) / 3
            "true_rmse": 0.3535533905932738,  # sqrt((0.0625 + 0.0625 + 0.25) / 3) = sqrt(0.125)
            "unseen_true_rmse": unseen_rmse,
            "unseen_bias": unseen_bias,
            "mean_error": -0.3333333333333333,  # (-0.5 + 0.5 - 1) / 3
            # pred - 10/3 = 1/6 -5/6 2/3; stars - 11/3 = 1/3 -5/3 4/3; cov = (42/18) / 3; var = (42/36) / 3
            "calibration_slope": 2.0,
            "n_rows": 3,
        },
        "private": {
            "rmse": 0.7905694150420949,  # sqrt((0.25 + 1) / 2) = sqrt(0.625)
            "mae": 0.75,  # (0.5 + 1) / 2
            "true_rmse": 0.5,  # sqrt((0.25 + 0.25) / 2)
            "unseen_true_rmse": unseen_rmse,
            "unseen_bias": unseen_bias,
            "mean_error": 0.75,  # (0.5 + 1) / 2
            "calibration_slope": 1.3333333333333333,  # cov = (0.75 * 1 + 0.75 * 1) / 2 = 0.75; var = 0.5625
            "n_rows": 2,
        },
    }
    for part, metrics in expected.items():
        assert list(scores[part]) == list(metrics)
        for name, value in metrics.items():
            actual = scores[part][name]["estimate"]
            assert actual == pytest.approx(value, abs=TOL), (part, name, actual, value)


def test_tiny_rating_slope_is_nan_without_spread_and_unseen_is_nan_without_pairs() -> None:
    stars, predicted = np.array([4.0, 2.0, 5.0]), np.array([3.0, 3.0, 3.0])
    scores = rating_scores(stars, predicted, stars, parts={"all": np.ones(3, dtype=bool)}, rng=np.random.default_rng(0))
    assert math.isnan(scores["all"]["calibration_slope"]["estimate"])  # constant predictions: no slope
    assert scores["all"]["mean_error"]["estimate"] == pytest.approx(-2 / 3, abs=TOL)  # 3 - (4 + 2 + 5) / 3
    assert math.isnan(scores["all"]["unseen_true_rmse"]["estimate"])
    assert math.isnan(scores["all"]["unseen_bias"]["estimate"])


def test_row_bootstrap_is_the_mean_of_drawn_rows() -> None:
    # A replicate of the row bootstrap is the mean of n rows drawn uniformly with replacement: the reference gathers
    # each replicate's rows from the same generator (one draw of n indices per replicate, in order) and averages
    # them. 40 replicates of 60,000 rows span two chunks of _CHUNK_CELLS cells. The two sum the same numbers in
    # another order (about n * 2.2e-16 apart).
    n, n_boot = 60_000, 40
    assert n_boot > _CHUNK_CELLS // n  # more than one chunk
    case = cs.make("movies-rating-v2", seed=4, n_users=900, n_movies=1_500, n_ratings=80_000, n_unseen_pairs=100)
    stars = case.train["rating"].to_numpy(np.float64)[:n]
    columns = np.column_stack([stars, stars**2, np.log(stars)])
    reference_rng = np.random.default_rng(11)
    reference = np.stack([columns[reference_rng.integers(n, size=n)].mean(axis=0) for _ in range(n_boot)])
    np.testing.assert_allclose(_boot_means(columns, np.random.default_rng(11), n_boot), reference, rtol=0, atol=1e-12)
