"""Recommender tasks on the movies world: rating prediction and top-N recommendation.

Examples
--------
The holdout's public/private split is stratified by rounded stars (ratings)
and by the number of relevant movies, capped at 10 (top-N users):

>>> import numpy as np
>>> from casestudies.scoring import RatingTask, TopNTask
>>> RatingTask().strata(np.array([3.4, 4.6, 1.0]))
array([3., 5., 1.])
>>> TopNTask().strata(np.array([0, 3, 25]))
array([ 0,  3, 10])
>>> RatingTask().label_name("rating"), TopNTask().label_name("rating")
('rating', 'n_relevant')
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from typing import Final, Protocol, cast

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData, ScenarioSpec
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Entry, FigureSpec, Finding, Scores
from casestudies.scoring._adapters import PipelineRun, describe, user_error
from casestudies.scoring._figures import ScoredRow
from casestudies.scoring._recmetrics import TOPN_K, TopNContext, rating_scores, topn_scores
from casestudies.scoring._recommender_figures import rating_figures, topn_figures
from casestudies.scoring._submission_recommender import (
    MAX_STARS,
    MIN_STARS,
    RatedLookup,
    validate_rating,
    validate_topn,
)
from casestudies.scoring._task import (
    SubmissionContext,
    TableTask,
    TaskContext,
    find_reference,
    frame_checks,
    public_private,
)

RELEVANT_STRATA_CAP: Final[int] = 10
"""Test users with this many relevant movies or more share one stratum when the holdout is split."""

CALIBRATED_SLOPES: Final[tuple[float, float]] = (0.9, 1.1)
"""Calibration slopes within 10 % of the ideal 1 count as well calibrated."""

CALIBRATED_SHIFT: Final[float] = 0.05
"""Mean error, in stars, below which predictions count as centred."""


class _Fits(Protocol):
    def fit(self, ratings: pd.DataFrame) -> object: ...


class _PredictsRatings(_Fits, Protocol):
    def predict(self, pairs: pd.DataFrame) -> object: ...


class _Recommends(_Fits, Protocol):
    def recommend(self, users: np.ndarray, k: int) -> object: ...


def _fresh(pipeline: object, methods: str) -> object:
    """A copy of the user's recommender (never fitted in place); a class is an error."""
    if isinstance(pipeline, type):
        message = (
            f"recommender must be an instance with {methods}, a function or predictions; "
            f"got the class {pipeline.__name__}. Pass an instance: {pipeline.__name__}()."
        )
        raise InvalidParameterError(message)
    if hasattr(pipeline, "get_params"):
        from sklearn.base import clone  # imported when needed: keeps `import casestudies` light

        try:
            return clone(pipeline)
        except (TypeError, RuntimeError):
            pass
    return copy.deepcopy(pipeline)


def _needs(context: SubmissionContext, keys: tuple[str, ...], how: str) -> Mapping[str, object]:
    """The task extras validation needs; only a case holds them."""
    if not all(key in context.extras for key in keys):
        message = f"validating a submission of {context.scenario_id!r} needs the case it was made for; call {how}."
        raise InvalidParameterError(message)
    return context.extras


def _k(scoring: Mapping[str, object]) -> int:
    """Recommendations per user: the spec's ``k`` (a TOML integer), else :data:`TOPN_K`."""
    return int(cast(int, scoring.get("k", TOPN_K)))


def _n_movies(extras: Mapping[str, object]) -> int:
    return int(cast(int, extras["n_movies"]))  # the movies generator's catalogue size


def _timed_fit(model: _Fits, name: str, train: pd.DataFrame) -> float:
    started = time.perf_counter()
    try:
        model.fit(train)
    except Exception as err:
        raise user_error(name, "fit", err) from err
    return time.perf_counter() - started


def _unseen_predictions(model: _PredictsRatings, extras: Mapping[str, object]) -> dict[str, object]:
    """The model's ratings of random pairs nobody rated (full-catalog truth), when it can give them all."""
    if "unseen_pairs" not in extras:
        return {}
    pairs = cast(pd.DataFrame, extras["unseen_pairs"])  # the movies generator's frame of unrated pairs
    try:
        unseen = np.asarray(model.predict(pairs.copy()), dtype=np.float64)
        if unseen.shape == (len(pairs),) and np.isfinite(unseen).all():
            return {"unseen": np.clip(unseen, MIN_STARS, MAX_STARS)}
    except Exception:
        pass  # optional: without them the unseen-pair metrics are NaN
    return {}


class RatingTask(TableTask):
    """Predict held-out star ratings: RMSE and MAE, plus full-catalog truth."""

    def check(self, data: ScenarioData) -> list[str]:
        problems = frame_checks(data, "expected_rating")
        for column in ("user_id", "movie_id"):
            if column not in data.test.columns:
                problems.append(f"test has no column {column!r}")
        return problems

    def labels(self, data: ScenarioData) -> np.ndarray:
        stars: np.ndarray = data.test[data.target].to_numpy().astype(np.float64)
        return stars

    def strata(self, labels: np.ndarray) -> np.ndarray:
        stars: np.ndarray = np.rint(labels)
        return stars

    def oracle(self, context: TaskContext) -> object:
        return context.holdout.truth["expected_rating"].to_numpy()

    def run(self, pipeline: object, context: TaskContext) -> PipelineRun:
        name = describe(pipeline)
        if isinstance(pipeline, type) or hasattr(pipeline, "fit"):
            # It has fit; a missing predict raises in the try below and is reported as the user's error.
            model = cast(_PredictsRatings, _fresh(pipeline, "fit(ratings) and predict(pairs)"))
            fit_seconds = _timed_fit(model, name, context.train.copy())
            started = time.perf_counter()
            try:
                predictions = np.asarray(model.predict(context.test), dtype=np.float64)
            except Exception as err:
                raise user_error(name, "predict", err) from err
            predict_seconds = time.perf_counter() - started
            extra = _unseen_predictions(model, context.holdout.extras)
            return PipelineRun(name, predictions, fit_seconds, predict_seconds, "predict", extra)
        if callable(pipeline):
            started = time.perf_counter()
            try:
                predictions = pipeline(context.train.copy(), context.test)
            except Exception as err:
                raise user_error(name, "the call", err) from err
            return PipelineRun(name, predictions, time.perf_counter() - started, None, "callable")
        return PipelineRun(name, pipeline, None, None, "predictions")

    def validate(self, predictions: object, context: SubmissionContext) -> np.ndarray:
        extras = _needs(context, ("user_ids", "n_movies"), "case.score(predictions)")
        return validate_rating(
            predictions,
            scenario_id=context.scenario_id,
            test=context.test,
            id_column=context.id_column,
            users=np.asarray(extras["user_ids"]),
            n_movies=_n_movies(extras),
        )

    def score(
        self,
        values: np.ndarray,
        context: TaskContext,
        *,
        rng: np.random.Generator,
        parts: Mapping[str, np.ndarray] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> Scores:
        holdout = context.holdout
        expected = holdout.truth["expected_rating"].to_numpy()
        unseen = None
        if extra and "unseen" in extra:
            unseen = (np.asarray(extra["unseen"]), np.asarray(holdout.extras["unseen_expected"]))
        parts = holdout.parts if parts is None else parts
        return rating_scores(holdout.labels, values, expected, parts=parts, rng=rng, unseen=unseen)

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return rating_findings(submission, references, spec=spec)

    def figures(self, context: TaskContext, rows: Sequence[ScoredRow]) -> list[FigureSpec]:
        """RMSE by user activity and movie popularity, predicted vs true taste, public vs private."""
        holdout = context.holdout
        expected = holdout.truth["expected_rating"].to_numpy()
        return rating_figures(holdout.labels, expected, context.submission.test, context.train, rows)


class TopNTask:
    """Recommend k movies per test user: NDCG@10 and friends, plus full-catalog truth."""

    def check(self, data: ScenarioData) -> list[str]:
        problems = []
        if data.target not in data.train.columns:
            problems.append(f"train has no column {data.target!r}")
        if data.id_column not in data.test.columns:
            problems.append(f"test has no column {data.id_column!r}")
        elif not data.test[data.id_column].is_unique:
            problems.append(f"test {data.id_column!r} values repeat")
        if len(data.truth) != len(data.test) or "n_relevant" not in data.truth.columns:
            problems.append("truth must have an 'n_relevant' column and one row per test user")
        if "context" not in data.extras or "oracle" not in data.extras:
            problems.append("extras must hold the scoring 'context' and the 'oracle' recommendations")
        return problems

    def public_test(self, data: ScenarioData) -> pd.DataFrame:
        test: pd.DataFrame = data.test.drop(columns=[data.target], errors="ignore")
        return test

    def labels(self, data: ScenarioData) -> np.ndarray:
        n_relevant: np.ndarray = data.truth["n_relevant"].to_numpy().astype(np.int64)
        return n_relevant

    def label_name(self, target: str) -> str:
        return "n_relevant"

    def strata(self, labels: np.ndarray) -> np.ndarray:
        capped: np.ndarray = np.minimum(labels, RELEVANT_STRATA_CAP)
        return capped

    def oracle(self, context: TaskContext) -> object:
        return context.holdout.extras["oracle"]

    def run(self, pipeline: object, context: TaskContext) -> PipelineRun:
        name = describe(pipeline)
        k = _k(context.spec.scoring)
        users = context.submission.test["user_id"].to_numpy()
        if isinstance(pipeline, type) or hasattr(pipeline, "fit"):
            # It has fit; a missing recommend raises in the try below and is reported as the user's error.
            model = cast(_Recommends, _fresh(pipeline, "fit(ratings) and recommend(users, k)"))
            fit_seconds = _timed_fit(model, name, context.train.copy())
            started = time.perf_counter()
            try:
                recommendations = model.recommend(users.copy(), k)
            except Exception as err:
                raise user_error(name, "recommend", err) from err
            return PipelineRun(name, recommendations, fit_seconds, time.perf_counter() - started, "recommend")
        if callable(pipeline):
            started = time.perf_counter()
            try:
                recommendations = pipeline(context.train.copy(), users.copy(), k)
            except Exception as err:
                raise user_error(name, "the call", err) from err
            return PipelineRun(name, recommendations, time.perf_counter() - started, None, "callable")
        return PipelineRun(name, pipeline, None, None, "predictions")

    def validate(self, predictions: object, context: SubmissionContext) -> np.ndarray:
        extras = _needs(context, ("seen", "n_movies"), "case.score(recommendations)")
        return validate_topn(
            predictions,
            scenario_id=context.scenario_id,
            users=context.ids,
            k=_k(context.scoring),
            seen=cast(RatedLookup, extras["seen"]),  # the movies generator's sparse matrix of training ratings
            n_movies=_n_movies(extras),
        )

    def score(
        self,
        values: np.ndarray,
        context: TaskContext,
        *,
        rng: np.random.Generator,
        parts: Mapping[str, np.ndarray] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> Scores:
        holdout = context.holdout
        scoring_context = cast(TopNContext, holdout.extras["context"])  # checked present by TopNTask.check
        return topn_scores(values, scoring_context, parts=holdout.parts if parts is None else parts, rng=rng)

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return topn_findings(submission, references, spec=spec)

    def figures(self, context: TaskContext, rows: Sequence[ScoredRow]) -> list[FigureSpec]:
        """The long tail, cold-start vs warm users, observed vs true taste, public vs private."""
        scoring_context = cast(TopNContext, context.holdout.extras["context"])  # checked present by check()
        return topn_figures(scoring_context, rows, metric=context.spec.metric)


def rating_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """What an interviewer asks about a rating predictor: how far from the truth, and MNAR."""
    findings = []
    rmse = submission.estimate("rmse")
    oracle = find_reference(references, "oracle")
    mean = find_reference(references, "baseline", "global_mean")
    biases = find_reference(references, "baseline", "biases")
    if oracle is not None:
        best = oracle.estimate("rmse")
        text = (
            f"your RMSE is {rmse:.3f}; predicting every pair's true expected rating gives {best:.3f}, "
            "the noise floor no model can beat."
        )
        evidence: dict[str, object] = {"submission": rmse, "oracle": best}
        if mean is not None and biases is not None:
            text += (
                f" The global mean scores {mean.estimate('rmse'):.3f} and user + movie biases "
                f"{biases.estimate('rmse'):.3f}: "
                "most of the attainable gain comes from biases, not from personal taste."
            )
            evidence |= {"global_mean": mean.estimate("rmse"), "biases": biases.estimate("rmse")}
        findings.append(Finding("oracle_gap", "Distance to the best possible", text, evidence))
    unseen, bias = submission.estimate("unseen_true_rmse"), submission.estimate("unseen_bias")
    if np.isfinite(unseen):
        text = (
            "on movies users never chose to rate, your predictions are off the true expected rating by "
            f"{unseen:.3f} RMSE (held-out rated pairs: {submission.estimate('true_rmse'):.3f}) and {bias:+.2f} stars "
            "on average. People rate what they expect to like, so a model trained on observed ratings is optimistic "
            "about the rest of the catalogue (missing not at random)."
        )
        findings.append(
            Finding(
                "missing_not_at_random",
                "Ratings are missing not at random",
                text,
                {"unseen_true_rmse": unseen, "unseen_bias": bias},
            )
        )
    slope, shift = submission.estimate("calibration_slope"), submission.estimate("mean_error")
    if np.isfinite(slope):
        low, high = CALIBRATED_SLOPES
        verdict = (
            "well calibrated"
            if low <= slope <= high and abs(shift) < CALIBRATED_SHIFT
            else ("too spread out: shrink them towards the mean" if slope < low else "too timid: they hug the mean")
        )
        text = (
            f"regressing the held-out stars on your predictions gives a slope of {slope:.2f} (1 is ideal) "
            f"and your predictions are off by {shift:+.3f} stars on average: {verdict}."
        )
        findings.append(
            Finding(
                "rating_calibration",
                "Rating-scale calibration",
                text,
                {"calibration_slope": slope, "mean_error": shift},
            )
        )
    findings += public_private(submission, spec.metric)
    return findings


def topn_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """Popularity bias, coverage, cold start and observed-vs-true quality of a recommender."""
    findings = []
    ndcg = submission.estimate("ndcg_at_10")
    popular = find_reference(references, "baseline", "most_popular")
    oracle = find_reference(references, "oracle")
    coverage, popularity = submission.estimate("coverage"), submission.estimate("mean_popularity")
    text = (
        f"you recommend {coverage:.1%} of the catalogue; "
        f"the movies you recommend were rated by {popularity:.1%} of training users on average."
    )
    evidence: dict[str, object] = {"coverage": coverage, "mean_popularity": popularity}
    if popular is not None:
        text += (
            f" Most-popular covers {popular.estimate('coverage'):.1%} with NDCG@10 "
            f"{popular.estimate('ndcg_at_10'):.3f} (yours {ndcg:.3f}): "
            "on held-out ratings popular movies look good because people mostly rate popular movies."
        )
        evidence |= {
            "most_popular_coverage": popular.estimate("coverage"),
            "most_popular_ndcg": popular.estimate("ndcg_at_10"),
        }
    findings.append(Finding("popularity_bias", "Popularity bias and coverage", text, evidence))
    true = submission.estimate("true_rating_at_10")
    if oracle is not None:
        best = oracle.estimate("true_rating_at_10")
        text = (
            "the simulator knows how much each user would like every movie: "
            f"your recommendations have a true expected rating of {true:.2f} stars; "
            f"the best possible top-10 reaches {best:.2f}, "
            f"yet scores only {oracle.estimate('ndcg_at_10'):.3f} NDCG@10 on the held-out ratings. "
            "Offline ranking metrics reward predicting what people will rate, not what they would enjoy."
        )
        findings.append(
            Finding(
                "full_catalog_truth",
                "Observed metrics vs true taste",
                text,
                {"true_rating_at_10": true, "oracle_true_rating_at_10": best},
            )
        )
    findings += _beyond_accuracy(submission, references)
    cold = submission.estimate("ndcg_at_10_cold_start")
    n_cold = int(submission.estimate("n_cold_start"))
    if n_cold:
        text = (
            f"for the {n_cold} cold-start users (few training ratings) "
            f"your NDCG@10 is {cold:.3f} against {ndcg:.3f} overall."
        )
        if popular is not None:
            text += f" Most-popular gets {popular.estimate('ndcg_at_10_cold_start'):.3f} on them: a sensible fallback."
        findings.append(
            Finding("cold_start", "Cold-start users", text, {"ndcg_cold_start": cold, "n_cold_start": n_cold})
        )
    findings += public_private(submission, spec.metric)
    return findings


def _beyond_accuracy(submission: Entry, references: Sequence[Entry]) -> list[Finding]:
    """Novelty, diversity and exposure beside NDCG, and what the best offline model gives up against the oracle."""
    names = ("novelty", "intra_list_diversity", "exposure_gini")
    values = {name: submission.estimate(name) for name in names}
    if not all(np.isfinite(value) for value in values.values()):
        return []
    text = (
        f"your recommendations carry {values['novelty']:.2f} bits of novelty (self-information of their "
        f"popularity), a genre diversity of {values['intra_list_diversity']:.2f} within a list and an exposure "
        f"Gini of {values['exposure_gini']:.2f} over the catalogue (1: everyone is shown the same few movies)."
    )
    evidence: dict[str, object] = dict(values)
    oracle = find_reference(references, "oracle")
    baselines = [entry for entry in references if entry.kind == "baseline"]
    if oracle is not None and baselines:
        best = max(baselines, key=lambda entry: entry.estimate("ndcg_at_10"))
        text += (
            f" The best baseline offline, {best.name} (NDCG@10 {best.estimate('ndcg_at_10'):.3f}), recommends movies "
            f"users would rate {best.estimate('true_rating_at_10'):.2f} stars on average, with novelty "
            f"{best.estimate('novelty'):.2f}; the oracle's picks would get {oracle.estimate('true_rating_at_10'):.2f} "
            f"stars with novelty {oracle.estimate('novelty'):.2f}, yet score NDCG@10 "
            f"{oracle.estimate('ndcg_at_10'):.3f}. "
            "The oracle recommends what users would love; offline metrics reward what they will rate."
        )
        evidence |= {
            "best_offline": best.name,
            "best_offline_ndcg": best.estimate("ndcg_at_10"),
            "best_offline_true_rating": best.estimate("true_rating_at_10"),
            "oracle_ndcg": oracle.estimate("ndcg_at_10"),
            "oracle_true_rating": oracle.estimate("true_rating_at_10"),
        }
    return [Finding("beyond_accuracy", "Beyond accuracy: novelty, diversity, exposure", text, evidence)]
