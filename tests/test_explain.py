"""Explaining a model: where it fails by true cause, and what it relies on against the true drivers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

import casestudies as cs
from casestudies.core import redraw_of, spec
from casestudies.diagnostics import TabularEncoder, importance_vs_truth
from casestudies.diagnostics._explain_causes import alert_shares
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.overfit import expert_pipeline

SMALL_FRAUD = {"n_customers": 300, "n_days": 35}
CLEAN_OVERFIT = {"n_train": 1500, "n_test": 300, "n_noise_features": 2, "leakage": 0.0, "temporal": 0.0}

RANK_CORRELATION_FLOOR = 0.8
"""A good model on a clean preset ranks the columns like the truth: the expert pipeline's Spearman correlation was
0.89, 0.92, 0.89, 0.89, 0.89 on seeds 1-5 (measured while writing this test); the floor leaves room for noise
and is checked on seeds 11 and 12, never used to set it."""


def _by_cause(report: cs.Report) -> dict[str, dict[str, dict[str, float]]]:
    finding = next(f for f in report.findings if f.id == "failure_by_cause")
    return finding.evidence["recall"]  # type: ignore[return-value]


@pytest.mark.parametrize("score", ["amount", "online"])
def test_per_cause_recall_adds_back_to_the_reports_recall(score: str) -> None:
    # "online" (0 or 1) ties hundreds of rows at the alert cut: tied rows get their expected share of the
    # remaining alerts, as the report's metric does.
    case = cs.make("fraud-v1", seed=3, **SMALL_FRAUD)
    amount = case.test["amount"].to_numpy()
    scores = amount if score == "amount" else (case.test["channel"] == "online").to_numpy(dtype=float)
    report = case.score(scores, name="amount", baselines=False)
    mine = _by_cause(report)["amount"]
    counts = np.array([cause["positives"] for cause in mine.values()])
    recalls = np.array([cause["estimate"] for cause in mine.values()])
    overall = report.submission.estimate("recall_at_budget", "all")
    assert counts.sum() == report.submission.estimate("n_positives", "all")
    assert float(counts @ recalls / counts.sum()) == pytest.approx(overall, abs=1e-12)
    # the causes are the simulator's mechanisms, as reveal() holds them
    revealed = case.reveal()
    positives = revealed.loc[revealed["is_fraud"] == 1, "mechanism"].astype(str).str.replace("_", " ")
    expected = positives.replace("none", "background dispute").value_counts().to_dict()
    assert {name: cause["positives"] for name, cause in mine.items()} == expected


def test_alert_shares_split_ties_at_the_cut() -> None:
    shares = alert_shares(np.array([5.0, 3.0, 3.0, 3.0, 1.0]), 2)
    assert shares.tolist() == pytest.approx([1.0, 1 / 3, 1 / 3, 1 / 3, 0.0])
    assert shares.sum() == pytest.approx(2.0)


@pytest.mark.slow
def test_weakest_cause_is_named_in_words() -> None:
    # A score that knows the truth but is blind to card testing: that is the weak spot, named in words.
    case = cs.make("fraud-v1", seed=3, **SMALL_FRAUD)
    revealed = case.reveal()
    blind = revealed["probability"].to_numpy() * (revealed["mechanism"] != "card_testing").to_numpy()
    report = case.score(blind, name="amount")
    finding = next(f for f in report.findings if f.id == "failure_by_cause")
    mine = finding.evidence["recall"]["amount"]  # type: ignore[index]
    assert finding.evidence["weakest"] == "card testing"
    assert mine["card testing"]["estimate"] < 0.1 < mine["compromised card"]["estimate"]
    assert f"but {mine['card testing']['estimate']:.0%} of card testing ones" in finding.text
    assert "yours to win back" in finding.text  # the oracle catches them
    assert "card testing" in report.summary(audience="stakeholder")
    assert {"amount", "oracle", "expert"} <= set(finding.evidence["recall"])  # type: ignore[arg-type]


@pytest.mark.slow
def test_oracle_is_best_per_cause_in_expectation() -> None:
    # The oracle ranks by the true probability given the hidden mechanism: on average over seeds it catches at
    # least as large a share of every mechanism as a model that sees only the amount.
    oracle: dict[str, list[float]] = {}
    amount: dict[str, list[float]] = {}
    for seed in (1, 2, 3, 4):
        case = cs.make("fraud-v1", seed=seed, **SMALL_FRAUD)
        table = _by_cause(case.score(case.test["amount"].to_numpy(), name="amount"))
        for cause, values in table["oracle"].items():
            if cause != "background dispute":
                oracle.setdefault(cause, []).append(values["estimate"])
                amount.setdefault(cause, []).append(table["amount"][cause]["estimate"])
    assert len(oracle) == 4
    for cause in oracle:
        assert np.mean(oracle[cause]) >= np.mean(amount[cause]), cause


def test_overfit_duplicates_are_a_cause() -> None:
    case = cs.make("overfit-v1", seed=2, n_train=400, n_test=400, n_noise_features=2, duplicates=0.3)
    report = case.score(np.arange(len(case.test), dtype=float), baselines=False)
    mine = _by_cause(report)[report.submission.name]
    assert set(mine) == {"near-duplicate of a training row", "new snapshot"}


def test_no_cause_breakdown_without_causes() -> None:
    case = cs.make("overfit-v1", seed=2, n_train=400, n_test=400, n_noise_features=2)
    report = case.score(np.arange(len(case.test), dtype=float), baselines=False)
    assert "failure_by_cause" not in [f.id for f in report.findings]


# -- importance vs truth ----------------------------------------------------------------------------------------


def _logistic() -> object:
    # Histogram boosting would do as well but takes ~25x longer here (OpenMP threads on a shared 2-core machine).
    return make_pipeline(TabularEncoder(), LogisticRegression(max_iter=500))


@pytest.mark.slow
def test_leaky_preset_model_leans_on_the_leak_the_truth_ranks_last() -> None:
    case = cs.make("overfit-leaky-v1", seed=0, n_train=800, n_test=300, n_noise_features=2)
    leak = case.reveal("world")["faults"]["target_leakage"]["columns"][0]  # type: ignore[index]
    # Through evaluate(), as the other diagnostics run: "importance" is an opt-in diagnostic name.
    report = case.evaluate(_logistic(), baselines=False, diagnostics=["leakage_scan", "importance"])
    assert [f.id for f in report.findings][-2:] == ["leakage_scan", "importance_vs_truth"]
    finding = report.findings[-1]
    model, truth = finding.evidence["model"], finding.evidence["truth"]
    assert finding.evidence["top_model"] == leak
    assert truth[leak] == 0.0 == min(truth.values())  # type: ignore[index]
    assert finding.evidence["leaned_on_non_drivers"] == [leak]
    assert leak in finding.text and "does not depend on at all" in finding.text
    assert model[leak] > 0.1  # type: ignore[index]
    assert "importance_vs_truth" in {figure.name for figure in finding.figures}


def test_true_importance_is_exact_for_columns_outside_the_truth() -> None:
    case = cs.make("overfit-v1", seed=4, n_train=300, n_test=400, n_noise_features=3)
    _, truth = redraw_of(spec("overfit-v1"), where="test")
    frame = case.test.copy()
    y = case.reveal()["churned"].to_numpy()
    base = roc_auc_score(y, truth(case.params, case.seed, frame)[0])
    rng = np.random.default_rng(0)
    for column in ("region", "age", "total_charges", "customer_id"):
        shuffled = frame.assign(**{column: frame[column].to_numpy()[rng.permutation(len(frame))]})
        assert roc_auc_score(y, truth(case.params, case.seed, shuffled)[0]) == base
    shuffled = frame.assign(tenure_months=frame["tenure_months"].to_numpy()[rng.permutation(len(frame))])
    assert roc_auc_score(y, truth(case.params, case.seed, shuffled)[0]) < base - 0.02


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_good_model_on_clean_preset_ranks_like_the_truth(seed: int) -> None:
    case = cs.make("overfit-v1", seed=seed, **CLEAN_OVERFIT)
    finding = importance_vs_truth(case, expert_pipeline(), n_repeats=2)
    assert finding.evidence["rank_correlation"] >= RANK_CORRELATION_FLOOR
    # total_charges is tenure times charges (overfit simulator docstring): a stand-in for two drivers, the only
    # non-driver a good model may lean on.
    assert set(finding.evidence["leaned_on_non_drivers"]) <= {"total_charges"}  # type: ignore[arg-type]
    assert finding.evidence["ignored_drivers"] == []


def test_importance_refuses_what_does_not_apply() -> None:
    movies = cs.make("movies-rating-v1", seed=0, n_users=60, n_movies=60, n_ratings=1500)
    with pytest.raises(InvalidParameterError, match="rating task scored by 'rmse'"):
        importance_vs_truth(movies, _logistic())
    case = cs.make("overfit-v1", seed=0, n_train=200, n_test=200, n_noise_features=2)
    with pytest.raises(InvalidParameterError, match="scikit-learn estimator"):
        importance_vs_truth(case, lambda X, y, T: np.zeros(len(T)))


@pytest.mark.slow
def test_hidden_state_truth_says_so() -> None:
    case = cs.make("fraud-v1", seed=1, **SMALL_FRAUD)
    finding = importance_vs_truth(case, _logistic(), n_repeats=1)
    assert finding.evidence["truth"] is None and finding.evidence["rank_correlation"] is None
    assert "hidden state" in finding.text
    # The spec maps each hidden mechanism to the observed columns that reveal it, and the finding quotes the map.
    assert finding.evidence["reveals"] == {name: list(columns) for name, columns in case.spec.reveals.items()}
    assert set(case.spec.reveals) == {"compromised_terminal", "compromised_card", "card_testing", "account_takeover"}
    text = finding.text.replace("*", "")
    for name, columns in case.spec.reveals.items():
        assert f"{name.replace('_', ' ')}: " in text and f"(seen in {', '.join(columns)})" in text, name


def test_importance_is_refused_before_fitting_where_it_does_not_apply() -> None:
    case = cs.make("movies-topn-v1", seed=0, n_users=60, n_movies=60, n_ratings=1500)

    def never(*args: object) -> None:
        raise AssertionError("the pipeline must not run")

    with pytest.raises(InvalidParameterError, match="topn task scored by 'ndcg_at_10'"):
        case.evaluate(never, diagnostics=["importance"])


def test_regression_importances_use_the_truth_too() -> None:
    case = cs.make("houses-v1", seed=0)
    finding = importance_vs_truth(case, make_pipeline(TabularEncoder(), RidgeCV()), n_repeats=2)
    truth, model = finding.evidence["truth"], finding.evidence["model"]
    assert truth["house_id"] == 0.0  # type: ignore[index]  # the price does not depend on the id
    assert finding.evidence["top_model"] == max(truth, key=truth.get) == "floor_area_m2"  # type: ignore[arg-type]
    assert model["floor_area_m2"] > 0  # type: ignore[index]
