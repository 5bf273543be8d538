"""Running user pipelines: cloning, the output used, timing, and the user's errors."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

import casestudies as cs
from casestudies.case import host_view
from casestudies.exceptions import InvalidParameterError, PipelineError, SubmissionError
from casestudies.scoring._adapters import describe, run_pipeline, squash

PACKAGE_DIR = os.path.dirname(cs.__file__)
FEATURES = ["a", "b", "noise"]


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make("plugin-toy-v1", seed=2, n_rows=1000)


def numeric_logistic() -> object:
    return make_pipeline(ColumnTransformer([("num", StandardScaler(), FEATURES)]), LogisticRegression())


def assert_scored_as(report: cs.Report, case: cs.Case, scores: object) -> None:
    """The report's submission scores are those of ``scores``, computed here with scikit-learn on the hidden labels.

    Both metrics read scores only through their order, so any monotone map of
    ``scores`` (the logistic squash of a decision function) scores the same.
    """
    holdout = host_view(case).holdout
    values = np.asarray(scores, dtype=np.float64)
    for part, rows in holdout.parts.items():
        labels, part_scores = holdout.labels[rows], values[rows]
        expected = {
            "average_precision": average_precision_score(labels, part_scores),
            "roc_auc": roc_auc_score(labels, part_scores),
        }
        for metric, value in expected.items():
            assert report.submission.estimate(metric, part) == pytest.approx(value, abs=1e-12), (part, metric)


# -- estimators ------------------------------------------------------------------------


def test_estimator_is_cloned_and_left_unfitted(case: cs.Case) -> None:
    model = numeric_logistic()
    before = model.get_params(deep=False)
    report = case.evaluate(model, baselines=False)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert model.get_params(deep=False).keys() == before.keys()
    assert report.submission.output == "predict_proba"
    assert report.submission.name == "ColumnTransformer → LogisticRegression"
    fitted = clone(model).fit(case.X_train, case.y_train)
    assert_scored_as(report, case, fitted.predict_proba(case.test)[:, 1])


def test_predict_proba_positive_column_is_used(case: cs.Case) -> None:
    model = clone(numeric_logistic()).fit(case.X_train, case.y_train)
    run = run_pipeline(numeric_logistic(), case.X_train, case.y_train, case.test)
    np.testing.assert_allclose(run.predictions, model.predict_proba(case.test)[:, 1])
    assert run.output == "predict_proba"


def test_positive_column_follows_classes_order(case: cs.Case) -> None:
    class Reversed(ClassifierMixin, BaseEstimator):
        def fit(self, X: pd.DataFrame, y: pd.Series) -> Reversed:
            self.classes_ = np.array([1, 0])
            return self

        def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
            positive = np.linspace(0.1, 0.9, len(X))
            return np.column_stack([positive, 1 - positive])

    run = run_pipeline(Reversed(), case.X_train, case.y_train, case.test)
    np.testing.assert_allclose(run.predictions, np.linspace(0.1, 0.9, len(case.test)))


def test_decision_function_is_mapped_to_unit_interval_with_ranks_unchanged(case: cs.Case) -> None:
    svc = make_pipeline(ColumnTransformer([("num", StandardScaler(), FEATURES)]), LinearSVC(random_state=0))
    run = run_pipeline(svc, case.X_train, case.y_train, case.test)
    decision = clone(svc).fit(case.X_train, case.y_train).decision_function(case.test)
    scores = np.asarray(run.predictions)
    assert run.output == "decision_function"
    assert np.all((scores > 0) & (scores < 1))
    np.testing.assert_array_equal(rankdata(scores), rankdata(decision))
    report = case.evaluate(svc, baselines=False)
    assert report.submission.output == "decision_function"
    assert_scored_as(report, case, decision)  # ranks unchanged, so the raw decision values score the same


def test_large_decision_values_do_not_become_ties(case: cs.Case) -> None:
    class Confident(BaseEstimator):
        def fit(self, X: pd.DataFrame, y: pd.Series) -> Confident:
            return self

        def decision_function(self, X: pd.DataFrame) -> np.ndarray:
            return 40.0 + np.arange(len(X), dtype=float)  # logistic(40) == 1.0 in float64

        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return np.ones(len(X))

    run = run_pipeline(Confident(), case.X_train, case.y_train, case.test)
    scores = np.asarray(run.predictions)
    assert np.all((scores > 0) & (scores < 1))
    assert len(np.unique(scores)) == len(case.test)
    np.testing.assert_array_equal(rankdata(scores), np.arange(1, len(case.test) + 1))


def test_squash_keeps_small_values_on_the_logistic_curve() -> None:
    values = np.array([-3.0, 0.0, 2.0])
    np.testing.assert_allclose(squash(values), 1 / (1 + np.exp(-values)))
    assert squash(np.array([np.nan, 1.0]))[0] != squash(np.array([np.nan, 1.0]))[0]  # NaN stays NaN


def test_predict_only_estimator_uses_predict(case: cs.Case) -> None:
    class Labels(BaseEstimator):
        def fit(self, X: pd.DataFrame, y: pd.Series) -> Labels:
            return self

        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return (X["a"].to_numpy() > 1).astype(int)

    run = run_pipeline(Labels(), case.X_train, case.y_train, case.test)
    assert run.output == "predict"
    np.testing.assert_array_equal(run.predictions, (case.test["a"] > 1).astype(int))


def test_imbalanced_learn_pipeline(case: cs.Case) -> None:
    pipeline = make_imb_pipeline(
        ColumnTransformer([("num", "passthrough", FEATURES)]),
        RandomUnderSampler(random_state=0),
        LogisticRegression(),
    )
    report = case.evaluate(pipeline)
    with pytest.raises(NotFittedError):
        check_is_fitted(pipeline)
    assert report.submission.output == "predict_proba"
    assert report.submission.name == "ColumnTransformer → RandomUnderSampler → LogisticRegression"
    assert report.primary("all") > report.reference("prior").estimate("average_precision") + 0.1
    fitted = clone(pipeline).fit(case.X_train, case.y_train)  # the sampler's random_state makes the fit replayable
    assert_scored_as(report, case, fitted.predict_proba(case.test)[:, 1])


def test_fit_and_predict_times_are_recorded(case: cs.Case) -> None:
    report = case.evaluate(LogisticRegression(), baselines=False)
    assert report.submission.fit_seconds is not None and report.submission.fit_seconds > 0
    assert report.submission.predict_seconds is not None and report.submission.predict_seconds >= 0
    scored = case.score(np.full(len(case.test), 0.5), baselines=False)
    assert scored.submission.fit_seconds is None and scored.submission.predict_seconds is None


def test_object_without_get_params_is_deep_copied(case: cs.Case) -> None:
    class Plain:
        def __init__(self) -> None:
            self.fitted = False

        def fit(self, X: pd.DataFrame, y: pd.Series) -> Plain:
            self.fitted = True
            return self

        def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
            return np.column_stack([np.full(len(X), 0.5), np.full(len(X), 0.5)])

    plain = Plain()
    run = run_pipeline(plain, case.X_train, case.y_train, case.test)
    assert plain.fitted is False
    assert run.output == "predict_proba"


def test_estimator_class_instead_of_instance(case: cs.Case) -> None:
    expected = (
        "pipeline must be an estimator instance, a function f(X_train, y_train, X_test) or predictions; "
        "got an estimator class, LogisticRegression. Pass an instance: LogisticRegression()."
    )
    with pytest.raises(InvalidParameterError) as info:
        case.evaluate(LogisticRegression, baselines=False)
    assert str(info.value) == expected


# -- callables and precomputed predictions -----------------------------------------------


def test_callable_gets_train_and_test(case: cs.Case) -> None:
    seen = {}

    def my_scores(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        seen["shapes"] = (X_train.shape, y_train.shape, X_test.shape)
        seen["target_in_X"] = case.target in X_train.columns or case.target in X_test.columns
        return np.clip(X_test["a"].to_numpy() / 10 + 0.5, 0, 1)

    report = case.evaluate(my_scores, baselines=False)
    assert seen["shapes"] == (case.X_train.shape, case.y_train.shape, case.test.shape)
    assert seen["target_in_X"] is False
    assert report.submission.name == "test_callable_gets_train_and_test.<locals>.my_scores"
    assert report.submission.output == "callable"
    assert report.submission.fit_seconds is not None and report.submission.predict_seconds is None
    assert_scored_as(report, case, np.clip(case.test["a"].to_numpy() / 10 + 0.5, 0, 1))


def test_callable_cannot_change_the_case(case: cs.Case) -> None:
    before = case.fingerprint, case.test.copy(), case.train.copy()

    def vandal(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        X_test["a"] = 0.0
        del X_train["a"]
        return np.full(len(X_test), 0.5)

    case.evaluate(vandal, baselines=False)
    assert case.fingerprint == before[0]
    pd.testing.assert_frame_equal(case.test, before[1])
    pd.testing.assert_frame_equal(case.train, before[2])


def test_callable_returning_nothing_is_a_submission_error(case: cs.Case) -> None:
    def forgot_to_return(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> None:
        X_test.mean(numeric_only=True)

    with pytest.raises(SubmissionError, match=re.escape("[WRONG_TYPE]")):
        case.evaluate(forgot_to_return, baselines=False)


def test_precomputed_predictions(case: cs.Case) -> None:
    scores = np.full(len(case.test), 0.2)
    report = case.evaluate(scores, baselines=False)
    assert report.submission.output == "predictions"
    assert report.submission.name == "precomputed predictions"
    assert_scored_as(report, case, scores)  # a constant: average precision is each part's positive rate


def test_describe() -> None:
    assert describe(LogisticRegression()) == "LogisticRegression"
    assert describe(numeric_logistic()) == "ColumnTransformer → LogisticRegression"
    assert describe([0.1]) == "precomputed predictions"
    assert describe("preds.csv") == "file preds.csv"
    assert describe(len) == "len"


# -- errors in the user's code --------------------------------------------------------------


def my_feature_step(X: pd.DataFrame) -> pd.DataFrame:
    raise ValueError("my feature step cannot handle these columns")


class MyFeatures(TransformerMixin, BaseEstimator):
    def __init__(self, fail_in: str = "fit") -> None:
        self.fail_in = fail_in

    def fit(self, X: pd.DataFrame, y: object = None) -> MyFeatures:
        if self.fail_in == "fit":
            my_feature_step(X)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if self.fail_in == "transform" and len(X) < 500:  # the test rows only
            my_feature_step(X)
        return X[FEATURES]


def assert_users_error(error: PipelineError, function: str, stage: str, original: type[BaseException]) -> None:
    message = str(error)
    assert error.stage == stage
    assert isinstance(error.__cause__, original)
    assert f"raised {original.__name__} during {stage}" in message
    assert function in message and function in error.user_traceback
    assert __file__ in error.user_traceback
    assert PACKAGE_DIR + os.sep not in message, "casestudies' own frames must be hidden"
    assert f"casestudies{os.sep}_adapters.py" not in message and f"casestudies{os.sep}_case.py" not in message


def test_error_during_fit_names_the_users_function(case: cs.Case) -> None:
    pipeline = make_pipeline(MyFeatures(fail_in="fit"), LogisticRegression())
    with pytest.raises(PipelineError) as info:
        case.evaluate(pipeline, baselines=False)
    assert_users_error(info.value, "my_feature_step", "fit", ValueError)
    assert str(info.value).startswith(
        "your pipeline MyFeatures → LogisticRegression raised ValueError during fit: "
        "my feature step cannot handle these columns"
    )


def test_error_during_predict_names_the_users_function(case: cs.Case) -> None:
    pipeline = make_pipeline(MyFeatures(fail_in="transform"), LogisticRegression())
    with pytest.raises(PipelineError) as info:
        case.evaluate(pipeline, baselines=False)
    assert_users_error(info.value, "my_feature_step", "predict", ValueError)


def test_error_in_a_callable_names_the_users_function(case: cs.Case) -> None:
    def my_model(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        return my_helper(X_test)

    def my_helper(X: pd.DataFrame) -> np.ndarray:
        return X["no_such_column"].to_numpy()

    with pytest.raises(PipelineError) as info:
        case.evaluate(my_model, baselines=False)
    assert_users_error(info.value, "my_helper", "the call", KeyError)
    assert "my_model" in str(info.value)


def test_pipeline_error_is_a_runtime_error(case: cs.Case) -> None:
    def broken(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        raise ZeroDivisionError("nope")

    with pytest.raises(RuntimeError):
        case.evaluate(broken, baselines=False)
