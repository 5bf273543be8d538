"""Task types: how a submission is validated, scored and explained."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from . import _metrics, _recmetrics
from ._adapters import PipelineRun, describe, run_pipeline, user_error
from ._data import ScenarioData
from ._report import Entry, Finding, Scores
from ._spec import ScenarioSpec
from ._submission import validate_binary, validate_rating, validate_topn
from .exceptions import InvalidParameterError

if TYPE_CHECKING:
    from ._case import Case

_METRIC_ARGS = ("alert_budget", "review_cost")


class Task(Protocol):
    """What every task type provides to the core loop.

    ``check``/``public_test``/``labels``/``strata`` turn a generator's
    :class:`ScenarioData` into a Case's public test frame and hidden labels;
    ``run`` fits and applies a pipeline; ``validate`` turns a submission into
    values; ``score`` scores them per holdout part; ``oracle`` gives the
    simulator's best submission; ``findings`` explains a score.
    """

    def check(self, data: ScenarioData) -> list[str]: ...

    def public_test(self, data: ScenarioData) -> pd.DataFrame: ...

    def labels(self, data: ScenarioData) -> np.ndarray: ...

    def label_name(self, target: str) -> str: ...

    def strata(self, labels: np.ndarray) -> np.ndarray: ...

    def oracle(self, case: Case) -> object: ...

    def run(self, pipeline: object, case: Case) -> PipelineRun: ...

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object], case: Case | None = None) -> np.ndarray: ...

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator, case: Case | None = None, extra: Mapping[str, object] | None = None) -> Scores:
        """Metrics with bootstrap intervals per part; point estimates only for ``all``."""
        kwargs = {name: float(scoring[name]) for name in _METRIC_ARGS if name in scoring}  # type: ignore[arg-type]
        with_ci = {name: mask for name, mask in parts.items() if name != "all"}
        result = _metrics.binary_scores_with_ci(labels, values, parts=with_ci, costs=costs, rng=rng, **kwargs)
        if "all" in parts:
            point = _metrics.binary_metrics(labels, values, costs=costs, **kwargs)
            result["all"] = {name: {"estimate": float(value), "low": float("nan"), "high": float("nan")} for name, value in point.items()}
        return result

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]: ...


def _frame_checks(data: ScenarioData, truth_column: str) -> list[str]:
    problems = []
    for name, frame in (("train", data.train), ("test", data.test)):
        for column in (data.target, data.id_column):
            if column not in frame.columns:
                problems.append(f"{name} has no column {column!r}")
    if not problems:
        if list(data.train.columns) != list(data.test.columns):
            problems.append("train and test columns differ")
        if len(data.truth) != len(data.test) or truth_column not in data.truth.columns:
            problems.append(f"truth must have a {truth_column!r} column and one row per test row")
        all_ids = pd.concat([data.train[data.id_column], data.test[data.id_column]], ignore_index=True)
        if all_ids.duplicated().any():
            problems.append(f"{data.id_column!r} values repeat across train and test")
    return problems


class _TableTask:
    """Tasks whose test rows are the holdout rows with the target column removed."""

    def public_test(self, data: ScenarioData) -> pd.DataFrame:
        return data.test.drop(columns=[data.target])

    def label_name(self, target: str) -> str:
        return target


class BinaryTask(_TableTask):
    """Binary classification scored by ranking metrics on an imbalanced holdout."""

    def check(self, data: ScenarioData) -> list[str]:
        return _frame_checks(data, "probability")

    def labels(self, data: ScenarioData) -> np.ndarray:
        return data.test[data.target].to_numpy().astype(np.int8)

    def strata(self, labels: np.ndarray) -> np.ndarray:
        return labels

    def oracle(self, case: Case) -> object:
        return case._holdout.truth["probability"].to_numpy()

    def run(self, pipeline: object, case: Case) -> PipelineRun:
        return run_pipeline(pipeline, case.X_train, case.y_train, case._test.copy())

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object], case: Case | None = None) -> np.ndarray:
        probabilities = scoring.get("predictions", "probability") == "probability"
        return validate_binary(predictions, scenario_id=case_id, ids=ids, id_column=id_column, probabilities=probabilities)

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator, case: Case | None = None, extra: Mapping[str, object] | None = None) -> Scores:
        kwargs = {name: float(scoring[name]) for name in _METRIC_ARGS if name in scoring}  # type: ignore[arg-type]
        return _metrics.binary_scores_with_ci(labels, values, parts=parts, costs=costs, rng=rng, **kwargs)

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return binary_findings(submission, references, spec=spec)


def _ref(references: Sequence[Entry], kind: str, name: str | None = None) -> Entry | None:
    for entry in references:
        if entry.kind == kind and (name is None or entry.name == name):
            return entry
    return None


def binary_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """The questions an interviewer asks about an imbalanced binary score."""
    all_ = submission.scores["all"]
    findings = []
    prevalence = all_["prevalence"]["estimate"]
    accuracy = all_["accuracy_all_negative"]["estimate"]
    n_pos = int(all_["n_positives"]["estimate"])
    findings.append(
        Finding(
            "accuracy_paradox",
            "Accuracy misleads",
            f"predicting 'negative' for every row is {accuracy:.2%} accurate and catches none of the "
            f"{n_pos:,} positives (prevalence {prevalence:.2%}); judge models by ranking quality at the top instead.",
            {"accuracy_all_negative": accuracy, "prevalence": prevalence},
        )
    )
    ap = all_["average_precision"]["estimate"]
    auc = all_["roc_auc"]["estimate"]
    findings.append(
        Finding(
            "pr_vs_roc",
            "PR-AUC vs ROC-AUC",
            f"your ROC-AUC is {auc:.3f} but your average precision is {ap:.3f} (a random ranking gets {prevalence:.3f}). "
            "With so few positives ROC-AUC is carried by the many easy negatives; average precision says how clean "
            "the top of your ranking is, which is what a review team sees.",
            {"roc_auc": auc, "average_precision": ap, "random_average_precision": prevalence},
        )
    )
    budget = float(spec.scoring.get("alert_budget", 0.005))  # type: ignore[arg-type]
    precision = all_["precision_at_budget"]["estimate"]
    recall = all_["recall_at_budget"]["estimate"]
    n_alerts = int(np.ceil(budget * all_["n_rows"]["estimate"]))
    cost = all_["expected_cost"]["estimate"]
    prior = _ref(references, "baseline", "prior")
    cost_text = ""
    if np.isfinite(cost):
        cost_text = f" Cost per transaction (missed amounts plus review cost) is {cost:.2f}"
        if prior is not None:
            cost_text += f" against {prior.estimate('expected_cost'):.2f} for a model that knows nothing"
        cost_text += "."
    findings.append(
        Finding(
            "alert_budget",
            f"At the alert budget (top {budget:.1%})",
            f"reviewing your top {n_alerts:,} scores, {precision:.1%} of alerts are positives and they catch {recall:.1%} of "
            f"all positives.{cost_text}",
            {"alert_budget": budget, "n_alerts": n_alerts, "precision": precision, "recall": recall, "expected_cost": cost},
        )
    )
    oracle = _ref(references, "oracle")
    expert = _ref(references, "reference")
    if oracle is not None:
        mine = submission.estimate(spec.metric)
        best = oracle.estimate(spec.metric)
        text = f"your {spec.metric.replace('_', ' ')} is {mine:.3f}; the oracle reaches {best:.3f} ({oracle.description})."
        evidence: dict[str, object] = {"submission": mine, "oracle": best}
        if expert is not None:
            reference = expert.estimate(spec.metric)
            floor = prior.estimate(spec.metric) if prior is not None else prevalence
            span = reference - floor
            share = (mine - floor) / span if span > 0 else float("nan")
            text += f" The expert reference, which sees only observable data, reaches {reference:.3f}"
            if np.isfinite(share):
                text += f"; you cover {share:.0%} of the way from a know-nothing model to it"
            text += "."
            evidence |= {"expert": reference, "share_of_expert": share}
        findings.append(Finding("oracle_gap", "Distance to the best possible", text, evidence))
    public = submission.scores["public"][spec.metric]
    private = submission.scores["private"][spec.metric]
    widths = (public["high"] - public["low"], private["high"] - private["low"])
    if min(widths) > 0:
        overlap = public["low"] <= private["high"] and private["low"] <= public["high"]
        verdict = (
            "the intervals overlap, so the difference is noise."
            if overlap
            else "the intervals do not overlap; do not tune against the public score."
        )
        findings.append(
            Finding(
                "public_private",
                "Public vs private holdout",
                f"public {public['estimate']:.3f} [{public['low']:.3f}, {public['high']:.3f}] vs private "
                f"{private['estimate']:.3f} [{private['low']:.3f}, {private['high']:.3f}]: {verdict}",
                {"public": public["estimate"], "private": private["estimate"], "overlap": overlap},
            )
        )
    return findings


# -- recommender tasks -----------------------------------------------------------


def _fresh(pipeline: object, kind: str, methods: str) -> object:
    """A copy of the user's recommender (never fitted in place); a class is an error."""
    if isinstance(pipeline, type):
        message = f"recommender must be an instance with {methods}, a function or predictions; got the class {pipeline.__name__}. Pass an instance: {pipeline.__name__}()."
        raise InvalidParameterError(message)
    if hasattr(pipeline, "get_params"):
        from sklearn.base import clone

        try:
            return clone(pipeline)  # type: ignore[arg-type]
        except (TypeError, RuntimeError):
            pass
    return copy.deepcopy(pipeline)


def _timed_fit(model: object, name: str, train: pd.DataFrame) -> float:
    started = time.perf_counter()
    try:
        model.fit(train)  # type: ignore[attr-defined]
    except Exception as err:  # noqa: BLE001 - the user's code, reported as theirs
        raise user_error(name, "fit", err) from err
    return time.perf_counter() - started


class RatingTask(_TableTask):
    """Predict held-out star ratings: RMSE and MAE, plus full-catalog truth."""

    def check(self, data: ScenarioData) -> list[str]:
        problems = _frame_checks(data, "expected_rating")
        for column in ("user_id", "movie_id"):
            if column not in data.test.columns:
                problems.append(f"test has no column {column!r}")
        return problems

    def labels(self, data: ScenarioData) -> np.ndarray:
        return data.test[data.target].to_numpy().astype(np.float64)

    def strata(self, labels: np.ndarray) -> np.ndarray:
        return np.rint(labels)

    def oracle(self, case: Case) -> object:
        return case._holdout.truth["expected_rating"].to_numpy()

    def run(self, pipeline: object, case: Case) -> PipelineRun:
        name = describe(pipeline)
        if isinstance(pipeline, type) or hasattr(pipeline, "fit"):
            model = _fresh(pipeline, "rating", "fit(ratings) and predict(pairs)")
            fit_seconds = _timed_fit(model, name, case.train.copy())
            started = time.perf_counter()
            try:
                predictions = np.asarray(model.predict(case.test.copy()), dtype=np.float64)  # type: ignore[attr-defined]
            except Exception as err:  # noqa: BLE001
                raise user_error(name, "predict", err) from err
            predict_seconds = time.perf_counter() - started
            extras = case._holdout.extras
            extra: dict[str, object] = {}
            if "unseen_pairs" in extras:
                try:
                    unseen = np.asarray(model.predict(extras["unseen_pairs"].copy()), dtype=np.float64)  # type: ignore[attr-defined, union-attr]
                    if unseen.shape == (len(extras["unseen_pairs"]),) and np.isfinite(unseen).all():  # type: ignore[arg-type]
                        extra["unseen"] = np.clip(unseen, 1.0, 5.0)
                except Exception:  # noqa: BLE001 - full-catalog truth is a bonus; the main score stands
                    pass
            return PipelineRun(name, predictions, fit_seconds, predict_seconds, "predict", extra)
        if callable(pipeline):
            started = time.perf_counter()
            try:
                predictions = pipeline(case.train.copy(), case.test.copy())
            except Exception as err:  # noqa: BLE001
                raise user_error(name, "the call", err) from err
            return PipelineRun(name, predictions, time.perf_counter() - started, None, "callable")
        return PipelineRun(name, pipeline, None, None, "predictions")

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object], case: Case | None = None) -> np.ndarray:
        if case is None:
            raise InvalidParameterError(f"validating a rating submission of {case_id!r} needs the Case; call case.score(predictions).")
        extras = case._holdout.extras
        return validate_rating(predictions, scenario_id=case_id, test=case._test, id_column=id_column, users=np.asarray(extras["user_ids"]), n_movies=int(extras["n_movies"]))  # type: ignore[call-overload]

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator, case: Case | None = None, extra: Mapping[str, object] | None = None) -> Scores:
        assert case is not None
        expected = case._holdout.truth["expected_rating"].to_numpy()
        unseen = None
        if extra and "unseen" in extra:
            unseen = (np.asarray(extra["unseen"]), np.asarray(case._holdout.extras["unseen_expected"]))
        return _recmetrics.rating_scores(labels, values, expected, parts=parts, rng=rng, unseen=unseen)

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return rating_findings(submission, references, spec=spec)


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
        return data.test.drop(columns=[data.target], errors="ignore")

    def labels(self, data: ScenarioData) -> np.ndarray:
        return data.truth["n_relevant"].to_numpy().astype(np.int64)

    def label_name(self, target: str) -> str:
        return "n_relevant"

    def strata(self, labels: np.ndarray) -> np.ndarray:
        return np.minimum(labels, 10)

    def oracle(self, case: Case) -> object:
        return case._holdout.extras["oracle"]

    def run(self, pipeline: object, case: Case) -> PipelineRun:
        name = describe(pipeline)
        k = int(case.spec.scoring.get("k", _recmetrics.TOPN_K))  # type: ignore[call-overload]
        users = case.test["user_id"].to_numpy()
        if isinstance(pipeline, type) or hasattr(pipeline, "fit"):
            model = _fresh(pipeline, "topn", "fit(ratings) and recommend(users, k)")
            fit_seconds = _timed_fit(model, name, case.train.copy())
            started = time.perf_counter()
            try:
                recommendations = model.recommend(users.copy(), k)  # type: ignore[attr-defined]
            except Exception as err:  # noqa: BLE001
                raise user_error(name, "recommend", err) from err
            return PipelineRun(name, recommendations, fit_seconds, time.perf_counter() - started, "recommend")
        if callable(pipeline):
            started = time.perf_counter()
            try:
                recommendations = pipeline(case.train.copy(), users.copy(), k)
            except Exception as err:  # noqa: BLE001
                raise user_error(name, "the call", err) from err
            return PipelineRun(name, recommendations, time.perf_counter() - started, None, "callable")
        return PipelineRun(name, pipeline, None, None, "predictions")

    def validate(self, predictions: object, *, case_id: str, ids: np.ndarray, id_column: str, scoring: Mapping[str, object], case: Case | None = None) -> np.ndarray:
        if case is None:
            raise InvalidParameterError(f"validating a top-N submission of {case_id!r} needs the Case; call case.score(recommendations).")
        extras = case._holdout.extras
        k = int(scoring.get("k", _recmetrics.TOPN_K))  # type: ignore[call-overload]
        return validate_topn(predictions, scenario_id=case_id, users=ids, k=k, seen=extras["seen"], n_movies=int(extras["n_movies"]))  # type: ignore[call-overload]

    def score(self, labels: np.ndarray, values: np.ndarray, *, parts: Mapping[str, np.ndarray], costs: np.ndarray | None, scoring: Mapping[str, object], rng: np.random.Generator, case: Case | None = None, extra: Mapping[str, object] | None = None) -> Scores:
        assert case is not None
        context = case._holdout.extras["context"]
        return _recmetrics.topn_scores(values, context, parts=parts, rng=rng)  # type: ignore[arg-type]

    def findings(self, submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
        return topn_findings(submission, references, spec=spec)


def _public_private(submission: Entry, metric: str) -> list[Finding]:
    public, private = submission.scores["public"][metric], submission.scores["private"][metric]
    if not (np.isfinite(public["low"]) and np.isfinite(private["low"])):
        return []
    overlap = public["low"] <= private["high"] and private["low"] <= public["high"]
    verdict = "the intervals overlap, so the difference is noise." if overlap else "the intervals do not overlap; do not tune against the public score."
    text = f"public {public['estimate']:.3f} [{public['low']:.3f}, {public['high']:.3f}] vs private {private['estimate']:.3f} [{private['low']:.3f}, {private['high']:.3f}]: {verdict}"
    return [Finding("public_private", "Public vs private holdout", text, {"public": public["estimate"], "private": private["estimate"], "overlap": overlap})]


def rating_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """What an interviewer asks about a rating predictor: how far from the truth, and MNAR."""
    findings = []
    rmse = submission.estimate("rmse")
    oracle = _ref(references, "oracle")
    mean = _ref(references, "baseline", "global_mean")
    biases = _ref(references, "baseline", "biases")
    if oracle is not None:
        best = oracle.estimate("rmse")
        text = f"your RMSE is {rmse:.3f}; predicting every pair's true expected rating gives {best:.3f}, the noise floor no model can beat."
        evidence: dict[str, object] = {"submission": rmse, "oracle": best}
        if mean is not None and biases is not None:
            text += f" The global mean scores {mean.estimate('rmse'):.3f} and user + movie biases {biases.estimate('rmse'):.3f}: most of the attainable gain comes from biases, not from personal taste."
            evidence |= {"global_mean": mean.estimate("rmse"), "biases": biases.estimate("rmse")}
        findings.append(Finding("oracle_gap", "Distance to the best possible", text, evidence))
    unseen, bias = submission.estimate("unseen_true_rmse"), submission.estimate("unseen_bias")
    if np.isfinite(unseen):
        text = (
            f"on movies users never chose to rate, your predictions are off the true expected rating by {unseen:.3f} RMSE "
            f"(held-out rated pairs: {submission.estimate('true_rmse'):.3f}) and {bias:+.2f} stars on average. "
            "People rate what they expect to like, so a model trained on observed ratings is optimistic about the rest of the catalogue (missing not at random)."
        )
        findings.append(Finding("missing_not_at_random", "Ratings are missing not at random", text, {"unseen_true_rmse": unseen, "unseen_bias": bias}))
    slope, shift = submission.estimate("calibration_slope"), submission.estimate("mean_error")
    if np.isfinite(slope):
        verdict = "well calibrated" if 0.9 <= slope <= 1.1 and abs(shift) < 0.05 else ("too spread out: shrink them towards the mean" if slope < 0.9 else "too timid: they hug the mean")
        text = f"regressing the held-out stars on your predictions gives a slope of {slope:.2f} (1 is ideal) and your predictions are off by {shift:+.3f} stars on average: {verdict}."
        findings.append(Finding("rating_calibration", "Rating-scale calibration", text, {"calibration_slope": slope, "mean_error": shift}))
    findings += _public_private(submission, spec.metric)
    return findings


def topn_findings(submission: Entry, references: Sequence[Entry], *, spec: ScenarioSpec) -> list[Finding]:
    """Popularity bias, coverage, cold start and observed-vs-true quality of a recommender."""
    findings = []
    ndcg = submission.estimate("ndcg_at_10")
    popular = _ref(references, "baseline", "most_popular")
    oracle = _ref(references, "oracle")
    coverage, popularity = submission.estimate("coverage"), submission.estimate("mean_popularity")
    text = f"you recommend {coverage:.1%} of the catalogue; the movies you recommend were rated by {popularity:.1%} of training users on average."
    evidence: dict[str, object] = {"coverage": coverage, "mean_popularity": popularity}
    if popular is not None:
        text += (
            f" Most-popular covers {popular.estimate('coverage'):.1%} with NDCG@10 {popular.estimate('ndcg_at_10'):.3f} (yours {ndcg:.3f}): "
            "on held-out ratings popular movies look good because people mostly rate popular movies."
        )
        evidence |= {"most_popular_coverage": popular.estimate("coverage"), "most_popular_ndcg": popular.estimate("ndcg_at_10")}
    findings.append(Finding("popularity_bias", "Popularity bias and coverage", text, evidence))
    true = submission.estimate("true_rating_at_10")
    if oracle is not None:
        best = oracle.estimate("true_rating_at_10")
        text = (
            f"the simulator knows how much each user would like every movie: your recommendations have a true expected rating of {true:.2f} stars; "
            f"the best possible top-10 reaches {best:.2f}, yet scores only {oracle.estimate('ndcg_at_10'):.3f} NDCG@10 on the held-out ratings. "
            "Offline ranking metrics reward predicting what people will rate, not what they would enjoy."
        )
        findings.append(Finding("full_catalog_truth", "Observed metrics vs true taste", text, {"true_rating_at_10": true, "oracle_true_rating_at_10": best}))
    cold = submission.estimate("ndcg_at_10_cold_start")
    n_cold = int(submission.estimate("n_cold_start"))
    if n_cold:
        text = f"for the {n_cold} cold-start users (few training ratings) your NDCG@10 is {cold:.3f} against {ndcg:.3f} overall."
        if popular is not None:
            text += f" Most-popular gets {popular.estimate('ndcg_at_10_cold_start'):.3f} on them: a sensible fallback."
        findings.append(Finding("cold_start", "Cold-start users", text, {"ndcg_cold_start": cold, "n_cold_start": n_cold}))
    findings += _public_private(submission, spec.metric)
    return findings


_TASKS: dict[str, Task] = {"binary": BinaryTask(), "rating": RatingTask(), "topn": TopNTask()}


def for_spec(spec: ScenarioSpec) -> Task:
    """The task implementation of a spec."""
    return _TASKS[spec.task]
