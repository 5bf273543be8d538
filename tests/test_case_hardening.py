"""Hardening of the core loop: the Case's data cannot be corrupted, reports agree with themselves,
the oracle is described per task, and raw mixed-type data gets a useful error (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

import casestudies as cs
from casestudies.case import host_view
from casestudies.exceptions import InvalidParameterError, PipelineError
from casestudies.scenarios.fraud import simple_baseline
from casestudies.scoring._task import public_private_finding


def _small_fraud() -> cs.Case:
    return cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)


def _primary_scores(report: cs.Report) -> list[tuple[str, float]]:
    return [(entry.name, entry.estimate(report.metric)) for entry in (report.submission, *report.references)]


def _amount_model(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
    model = LogisticRegression(max_iter=200).fit(X_train[["amount"]], y_train)
    scores: np.ndarray = model.predict_proba(X_test[["amount"]])[:, 1]
    return scores


# -- item 4: a pipeline or the user cannot corrupt the Case ------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda case: case.train.__setitem__("is_fraud", 1),
        lambda case: case.test.__setitem__("amount", 0.0),
        lambda case: setattr(case, "train", case.train.iloc[:100]),
    ],
    ids=["relabel-train", "overwrite-test-column", "drop-train-rows"],
)
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_evaluate_refuses_edited_public_frames_and_restore_recovers(edit: object) -> None:
    case = _small_fraud()
    before = case.evaluate(_amount_model, diagnostics=None, baselines=False)
    edit(case)  # type: ignore[operator]
    # Fitting would silently use the case's own data while the learner thinks their edit counts.
    with pytest.raises(InvalidParameterError, match=re.escape("case.restore()")) as info:
        case.evaluate(_amount_model, diagnostics=None, baselines=False)
    assert "edited" in str(info.value) and "case.score()" in str(info.value)
    case.restore()
    after = case.evaluate(_amount_model, diagnostics=None, baselines=False)
    assert after.fingerprint == before.fingerprint == case.fingerprint
    assert _primary_scores(after) == _primary_scores(before)


def test_refusal_names_the_changed_column() -> None:
    case = _small_fraud()
    case.train["is_fraud"] = 1
    with pytest.raises(InvalidParameterError, match=r"case\.train \(changed column\(s\) is_fraud\)"):
        case.evaluate(DummyClassifier(), diagnostics=None, baselines=False)


@pytest.mark.slow  # fits the scenario's baselines twice (about 7 s)
def test_pipeline_writing_into_its_inputs_changes_nothing_later() -> None:
    case = _small_fraud()
    first = case.evaluate(_amount_model, name="first", diagnostics=None)

    def vandal(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        X_train["amount"] = 0.0
        y_train[:] = 1
        X_test["amount"] = -1.0
        X_test.iloc[:5, 0] = -1
        return np.linspace(0.0, 1.0, len(case.test))

    case.evaluate(vandal, diagnostics=None)
    # The vandal's writes reach neither the learner's frames nor the case's own (evaluate would refuse otherwise).
    second = case.evaluate(_amount_model, name="first", diagnostics=None)
    assert _primary_scores(second) == _primary_scores(first)
    again = _small_fraud()
    assert second.fingerprint == first.fingerprint == again.fingerprint
    assert case.train.equals(again.train) and case.test.equals(again.test)


def test_score_keeps_working_after_edits_and_reports_the_case_data() -> None:
    # score() only compares predictions with the hidden labels; a learner who cleaned case.train and
    # fitted on it themselves scores here, and the fingerprint still names the data the labels belong to.
    case = _small_fraud()
    case.train = case.train.dropna()
    case.train["amount"] = case.train["amount"].clip(upper=1_000.0)
    model = LogisticRegression(max_iter=200).fit(case.train[["amount"]], case.train["is_fraud"])
    report = case.score(model.predict_proba(case.test[["amount"]])[:, 1], baselines=False)
    assert report.fingerprint == case.fingerprint


# -- item 19: a plain estimator on raw mixed-type data --------------------------------------------


def test_plain_estimator_on_mixed_types_names_columns_and_the_fix() -> None:
    case = cs.make("overfit-v1", seed=0, n_train=400, n_test=300)
    with pytest.raises(PipelineError) as info:
        case.evaluate(LogisticRegression(), baselines=False, diagnostics=None)
    message = str(info.value)
    assert info.value.stage == "fit"
    assert "snapshot_date (datetime64" in message and "contract_type (category)" in message
    n_non_numeric = sum(not pd.api.types.is_numeric_dtype(dtype) for dtype in case.X_train.dtypes)
    assert f"{n_non_numeric} non-numeric column(s)" in message
    assert "casestudies.preprocessing.TabularEncoder()" in message and "ColumnTransformer" in message
    assert message.count("Traceback (most recent call last)") == 1
    assert info.value.user_traceback.rstrip() in message


def test_column_kind_hint_only_when_columns_are_the_cause() -> None:
    class Broken(DummyClassifier):
        def fit(self, X: pd.DataFrame, y: pd.Series, sample_weight: object = None) -> Broken:
            raise ValueError("learning rate must be positive")

    case = _small_fraud()
    with pytest.raises(PipelineError, match="learning rate must be positive") as info:
        case.evaluate(Broken(), baselines=False, diagnostics=None)
    assert "TabularEncoder" not in str(info.value)
    # Numeric columns only: the same estimator class that failed above fits, no hint needed.
    numeric = case.evaluate(_amount_model, baselines=False, diagnostics=None)
    assert numeric.submission.estimate("roc_auc") > 0.5


# -- item 16: what the oracle is, per task ----------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_says_what_the_oracle_is_per_task() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "best score possible" not in text
    section = text[text.index("### What the oracle is") :]
    assert "true probability" in section and "Bayes-optimal" in section and "clairvoyant" in section
    assert "true expected rating" in section and "noise floor" in section
    assert "truly best unseen movies" in section and "below popular picks" in section


def test_topn_oracle_is_not_called_an_upper_bound() -> None:
    # On movies-topn-v1 the oracle's observed NDCG@10 can be below item-kNN's; its row must not claim a bound.
    topn = host_view(cs.make("movies-topn-v1", seed=0, n_users=100, n_movies=200, n_ratings=5_000))
    assert "upper bound" not in topn.oracle_description
    assert "best unseen movies" in topn.oracle_description and "below popular picks" in topn.oracle_description
    rating = host_view(cs.make("movies-rating-v1", seed=0, n_users=100, n_movies=200, n_ratings=5_000))
    assert "noise floor" in rating.oracle_description


# -- item 14: the report's numbers agree with each other ----------------------------------------------


def _table_cells(text: str, row_start: str) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    header = next(line for line in lines if "AP public" in line)
    row = next(line for line in lines if line.startswith(row_start))
    # The label column has no header: put an empty one back so header and row cells line up.
    return ["", *re.split(r"\s{2,}", header.strip())], re.split(r"\s{2,}", row.strip())


@pytest.mark.slow  # fits the fraud baselines (about 4 s)
def test_report_shows_the_figure_its_text_quotes_and_marks_the_baseline_you_passed() -> None:
    case = _small_fraud()
    report = case.evaluate(simple_baseline(), diagnostics=None)
    text = str(report)
    header, row = _table_cells(text, "you")
    quoted = f"{report.primary('all'):.3f}"
    # The PR-vs-ROC finding quotes the whole-holdout AP; the table has that column now.
    assert f"average precision is {quoted}" in text
    assert row[header.index("AP*")] == quoted
    # The submission is the scenario's own simple baseline: same predictions, so identical scores.
    assert row[0] == "you (= baseline: simple)"
    assert "baseline: simple (= you)" in text and "expert reference (= you)" not in text
    assert report.same_as_submission() is report.reference("simple")


def test_report_does_not_mark_a_different_submission_as_a_baseline() -> None:
    case = _small_fraud()
    report = case.score(np.linspace(0.0, 1.0, len(case.test)), name="ramp", baselines=False)
    assert report.same_as_submission() is None
    assert "(= " not in str(report)


def test_report_never_cuts_the_pipeline_name() -> None:
    case = _small_fraud()
    name = "StandardScaler → PolynomialFeatures → LogisticRegression(C=0.1)"
    report = case.score(np.linspace(0.0, 1.0, len(case.test)), name=name, baselines=False)
    assert name in str(report)
    assert "…" not in str(report)
    assert name in report._repr_html_().replace("&gt;", ">")


def test_public_private_verdict_tests_the_difference_not_interval_overlap() -> None:
    # Two 95 % intervals of half-width 0.017 overlap while the difference 0.027 has standard error
    # sqrt(2) * 0.017 / 1.96 = 0.0123, so its interval [0.003, 0.051] excludes 0: not noise.
    public = {"estimate": 0.377, "low": 0.360, "high": 0.394}
    private = {"estimate": 0.350, "low": 0.333, "high": 0.367}
    finding = public_private_finding(public, private)
    assert finding.evidence["overlap"] is True and finding.evidence["significant"] is True
    assert "noise" not in finding.text.replace("more than noise", "")
    assert finding.evidence["difference_low"] == pytest.approx(0.027 - 1.96 * 2**0.5 * 0.017 / 1.96, abs=1e-6)
    # Half as far apart: the difference's interval contains 0 and the verdict is noise.
    closer = {"estimate": 0.3635, "low": 0.3465, "high": 0.3805}
    assert public_private_finding(public, closer).evidence["significant"] is False
    assert "is noise" in public_private_finding(public, closer).text
