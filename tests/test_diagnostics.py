"""Diagnostics: each check flags its cause on generated data, stays quiet without it, and reports evidence."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline

import casestudies as cs
from casestudies.case import host_view
from casestudies.diagnostics import (
    DIAGNOSTICS,
    TabularEncoder,
    adversarial_validation,
    class_balance,
    default_diagnostics,
    diagnosis_from_findings,
    dimensionality,
    fit_gap,
    identifier_check,
    label_noise,
    leakage_scan,
    near_duplicates,
    run_diagnostics,
    temporal_split,
    validation_curve,
)
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.overfit import naive_pipeline

DATA_DIAGNOSTICS = [name for name, spec in DIAGNOSTICS.items() if not spec.needs_pipeline]


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.simplefilter("ignore", category=UserWarning)


def _world(case: cs.Case) -> dict:
    return case.reveal("world")["faults"]  # type: ignore[return-value]


# -- the encoder ---------------------------------------------------------------------


def test_encoder_handles_numbers_categories_dates_and_unseen_levels() -> None:
    train = pd.DataFrame(
        {
            "amount": [1.0, 3.0, None, 7.0],
            "plan": pd.Categorical(["a", "b", "a", "c"]),
            "when": pd.to_datetime(["2024-01-15", "2024-02-15", "2024-03-15", "2024-04-15"]),
            "id": [10, 11, 12, 13],
        }
    )
    encoder = TabularEncoder(drop=["id"], add_log=True).fit(train)
    assert encoder.feature_names_ == ["amount", "when", "log1p(amount)", "plan=a", "plan=b", "plan=c"]
    matrix = encoder.transform(train)
    assert matrix.shape == (4, 6) and np.isfinite(matrix).all()
    np.testing.assert_allclose(matrix[:, :3].mean(axis=0), 0.0, atol=1e-12)  # standardised, median-imputed
    test = train.assign(plan=pd.Categorical(["z", "a", "b", "c"]))
    assert encoder.transform(test)[0, 3:].sum() == 0.0  # an unseen level is all zeros
    assert TabularEncoder(max_categories=2).fit(train).levels_ == {}


def test_encoder_accepts_arrays_and_says_what_is_missing() -> None:
    assert TabularEncoder().fit_transform(np.arange(6.0).reshape(3, 2)).shape == (3, 2)
    encoder = TabularEncoder().fit(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))
    with pytest.raises(InvalidParameterError, match=re.escape("X lacks columns ['b'] seen in fit")):
        encoder.transform(pd.DataFrame({"a": [1.0]}))


# -- data diagnostics, on generated data ----------------------------------------------


def test_identifier_check_names_planted_identifiers_only() -> None:
    case = cs.make("overfit-v1", seed=0, n_train=500, n_test=500, n_noise_features=30, identifiers=3)
    finding = identifier_check(case.X_train, case.test, exclude=[case.id_column])
    assert sorted(finding.evidence["columns"]) == sorted(_world(case)["identifier"]["columns"])
    assert finding.evidence["flagged"] and finding.evidence["fault"] == "identifier"
    clean = cs.make("overfit-v1", seed=0, n_train=500, n_test=500, n_noise_features=30)
    assert identifier_check(clean.X_train, clean.test, exclude=[clean.id_column]).evidence["columns"] == []
    # Without the exclusion the declared id column is an identifier too.
    assert identifier_check(clean.X_train, clean.test).evidence["columns"] == ["customer_id"]


def test_leakage_scan_finds_the_leak_and_only_the_leak() -> None:
    case = cs.make("overfit-leaky-v1", seed=1, n_train=800, n_test=300)
    finding = leakage_scan(case.X_train, case.y_train, exclude=[case.id_column])
    assert finding.evidence["columns"] == _world(case)["target_leakage"]["columns"]
    assert finding.evidence["auc"][finding.evidence["columns"][0]] > 0.95
    # Under heavy imbalance and few rows, legitimate tenure gets strong but not flagged.
    rare = cs.make("overfit-v1", seed=1, n_train=800, n_test=300, n_noise_features=30, positive_rate=0.05)
    quiet = leakage_scan(rare.X_train, rare.y_train, exclude=[rare.id_column])
    assert quiet.evidence["columns"] == [] and not quiet.evidence["flagged"]
    assert max(quiet.evidence["auc"].values()) > 0.7


def test_adversarial_validation_names_shifted_columns() -> None:
    case = cs.make("overfit-v1", seed=2, n_train=1000, n_test=1000, n_noise_features=40, shift=1.2, n_shifted_columns=3)
    finding = adversarial_validation(case.X_train, case.test, exclude=[case.id_column])
    truth = _world(case)["covariate_shift"]
    assert (
        set(truth["columns"]) <= set(finding.evidence["columns"]) <= set(truth["columns"]) | set(truth["also_affected"])
    )
    assert finding.evidence["auc"] > 0.75


def test_near_duplicates_counts_the_copies() -> None:
    case = cs.make("overfit-v1", seed=3, n_train=800, n_test=500, n_noise_features=20, duplicates=0.1, identifiers=1)
    exclude = [case.id_column, *_world(case)["identifier"]["columns"]]
    finding = near_duplicates(case.X_train, case.test, exclude=exclude)
    assert finding.evidence["n_rows"] == 50 and finding.evidence["flagged"]
    clean = cs.make("overfit-v1", seed=3, n_train=800, n_test=500, n_noise_features=20)
    assert near_duplicates(clean.X_train, clean.test, exclude=[clean.id_column]).evidence["n_rows"] == 0


def test_near_duplicates_are_judged_against_twins_within_train() -> None:
    """Coarse columns (a customer's repeat purchases) make exact matches common everywhere: not copies."""
    rng = np.random.default_rng(0)

    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "channel": rng.choice(["web", "app"], n),
                "category": rng.choice(list("abcd"), n),
                "items": rng.integers(1, 3, n),
            }
        )

    train, test = frame(600), frame(300)
    finding = near_duplicates(train, test)
    assert finding.evidence["share"] > 0.9 and finding.evidence["share_within_train"] > 0.9
    assert not finding.evidence["flagged"] and "too coarse" in finding.text


def test_label_noise_estimates_the_rate_when_the_data_allow_it() -> None:
    noisy = cs.make("overfit-v1", seed=4, n_train=3000, n_test=200, n_noise_features=10, label_noise=0.3)
    found = label_noise(noisy.X_train, noisy.y_train, exclude=[noisy.id_column])
    assert found.evidence["flagged"] and 0.15 <= found.evidence["rate"] <= 0.45
    clean = cs.make("overfit-v1", seed=4, n_train=3000, n_test=200, n_noise_features=10)
    quiet = label_noise(clean.X_train, clean.y_train, exclude=[clean.id_column])
    assert not quiet.evidence["flagged"] and quiet.evidence["rate"] < 0.1
    decile = found.evidence["plot"]["y"]["label_rate"]
    assert decile[0] > 0.03 and decile[-1] < 0.9  # the floor and ceiling random labels leave


def test_temporal_split_sees_month_effects_and_the_optimism_of_random_folds() -> None:
    case = cs.make("overfit-v1", seed=5, n_train=2000, n_test=300, n_noise_features=10, temporal=1.2)
    found = temporal_split(case.X_train, case.y_train, X_test=case.test, exclude=[case.id_column])
    assert found.evidence["flagged"] and found.evidence["p_value"] < 1e-6
    assert found.evidence["auc_random_split"] > found.evidence["auc_blocked_split"] + 0.02
    assert found.evidence["holdout_after_train"] is True
    clean = cs.make("overfit-v1", seed=5, n_train=2000, n_test=300, n_noise_features=10)
    assert not temporal_split(clean.X_train, clean.y_train, exclude=[clean.id_column]).evidence["flagged"]
    no_dates = temporal_split(clean.X_train.drop(columns=["snapshot_date"]), clean.y_train)
    assert no_dates.evidence["skipped"] == "no date column"


def test_dimensionality_and_class_balance() -> None:
    wide = cs.make("overfit-v1", seed=0, n_test=200)
    finding = dimensionality(wide.X_train, wide.y_train, exclude=[wide.id_column])
    assert finding.evidence["flagged"] and finding.evidence["rows_per_column"] < 1
    narrow = cs.make("overfit-v1", seed=0, n_train=2000, n_test=200, n_noise_features=10, positive_rate=0.05)
    assert not dimensionality(narrow.X_train, narrow.y_train, exclude=[narrow.id_column]).evidence["flagged"]
    balance = class_balance(narrow.y_train)
    assert balance.evidence["flagged"] and balance.evidence["minority_share"] < 0.1
    assert not class_balance(wide.y_train).evidence["flagged"]


# -- pipeline diagnostics -------------------------------------------------------------


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_fit_gap_and_validation_curve_on_an_overfitting_pipeline() -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)
    gap = fit_gap(naive_pipeline(), case.X_train, case.y_train, holdout_score=0.66)
    assert gap.evidence["train"] > 0.99 and gap.evidence["train_minus_cv"] > 0.2
    assert "overfitting" in gap.text and gap.text.split(". ")[1][0].isupper()
    curve = validation_curve(naive_pipeline(), case.X_train, case.y_train)
    evidence = curve.evidence
    assert evidence["parameter"] == "model__C" and evidence["current"] == 10000.0
    # Stronger L2 does not fix ranking on p >= n data, but the curve still says where the best C sits.
    assert len(evidence["validation"]) == len(evidence["values"])
    assert evidence["validation"][evidence["values"].index(evidence["best"])] == max(evidence["validation"])
    l1 = Pipeline(
        [("encode", TabularEncoder()), ("model", LogisticRegression(C=10.0, l1_ratio=1.0, solver="liblinear"))]
    )
    l1_curve = validation_curve(l1, case.X_train, case.y_train)
    assert l1_curve.evidence["side"] == "too_flexible" and l1_curve.evidence["best"] < 10.0
    assert "stronger regularisation" in l1_curve.text


def test_validation_curve_is_skipped_without_a_complexity_parameter() -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)
    finding = validation_curve(lambda X, y, Z: np.full(len(Z), 0.5), case.X_train, case.y_train)
    assert finding.evidence["skipped"].startswith("the pipeline has no complexity parameter")


def test_budget_skips_the_curves_of_slow_pipelines() -> None:
    case = cs.make("overfit-v1", seed=0, n_train=300, n_test=300, n_noise_features=10)
    result = run_diagnostics(
        ["fit_gap", "learning_curve", "validation_curve"],
        X_train=case.X_train,
        y_train=case.y_train,
        X_test=case.test,
        id_column=case.id_column,
        pipeline=naive_pipeline(),
        budget_seconds=0.0,
    )
    assert result["learning_curve"].evidence["skipped"].startswith("would take about")
    assert "budget_seconds=None" in result["validation_curve"].text
    assert "skipped" not in result["fit_gap"].evidence


# -- the front door -------------------------------------------------------------------


def test_diagnose_runs_the_data_checks_and_adds_up_to_a_gradable_diagnosis() -> None:
    case = cs.make("overfit-leaky-v1", seed=0, n_train=1500, n_test=800, identifiers=1)
    result = cs.diagnose(case, diagnostics=DATA_DIAGNOSTICS)
    assert [finding.id for finding in result.findings] == DATA_DIAGNOSTICS
    assert set(result.seconds) == set(DATA_DIAGNOSTICS)
    grade = case.grade_diagnosis(result.diagnosis)
    assert grade.perfect, grade
    assert result.diagnosis.claimed() == ("target_leakage", "identifier", "temporal")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["diagnosis"]["target_leakage"] == _world(case)["target_leakage"]["columns"]
    assert "diagnosis: target_leakage, identifier, temporal" in str(result)
    assert "Diagnostics for overfit-leaky-v1" in result._repr_html_()
    with pytest.raises(KeyError, match="no diagnostic 'fit_gap' in this report"):
        result["fit_gap"]


def test_diagnose_with_a_pipeline_reports_the_gap_to_the_holdout() -> None:
    case = cs.make("overfit-v1", seed=1, n_test=500)
    result = cs.diagnose(case, naive_pipeline(), diagnostics=["fit_gap"])
    evidence = result["fit_gap"].evidence
    # The holdout score is the pipeline's ROC-AUC on the hidden holdout, computed here with scikit-learn.
    fitted = naive_pipeline().fit(case.X_train, case.y_train)
    holdout_auc = roc_auc_score(host_view(case).holdout.labels, fitted.predict_proba(case.test)[:, 1])
    assert evidence["holdout"] == pytest.approx(holdout_auc, abs=5e-5)  # evidence is rounded to 4 decimals
    assert evidence["cv_minus_holdout"] == pytest.approx(evidence["cv"] - evidence["holdout"], abs=1e-4)
    assert evidence["train"] - evidence["holdout"] > 0.2
    assert evidence["plot"]["x"] == ["train", "cv", "holdout"]


def test_pipeline_diagnostics_are_skipped_for_predictions() -> None:
    case = cs.make("overfit-v1", seed=1, n_test=300)
    result = cs.diagnose(case, np.full(len(case.test), 0.5), diagnostics=["fit_gap", "class_balance"])
    assert result["fit_gap"].evidence["skipped"].startswith("needs a pipeline")
    assert not result.diagnosis.claimed()


def test_diagnosis_from_findings_merges_columns_and_states_absences() -> None:
    case = cs.make("overfit-v1", seed=0, n_train=600, n_test=300, n_noise_features=10, identifiers=2)
    findings = [identifier_check(case.X_train, case.test, exclude=["customer_id"]), class_balance(case.y_train)]
    diagnosis = diagnosis_from_findings(findings)
    assert diagnosis.columns("identifier") == tuple(sorted(_world(case)["identifier"]["columns"]))
    assert len(diagnosis.columns("identifier")) == 2
    assert diagnosis.ruled_out() == ("class_imbalance",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"diagnostics": ["leakage_scn"]},
            "diagnose('overfit-v1'): unknown diagnostic 'leakage_scn' (did you mean 'leakage_scan'?); choose from",
        ),
        ({"diagnostics": 3}, "diagnose('overfit-v1'): diagnostics must be 'default', 'all', None or a list of names"),
        ({"n_splits": 1}, "diagnose('overfit-v1'): n_splits must be an int between 2 and 20; got 1 (int)."),
        (
            {"budget_seconds": -1.0},
            "diagnose('overfit-v1'): budget_seconds must be None or a number >= 0; got -1.0 (float).",
        ),
    ],
)
def test_diagnose_rejects_bad_arguments_with_the_standard_message(kwargs: dict, message: str) -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        cs.diagnose(case, **kwargs)


# -- inside evaluate --------------------------------------------------------------------


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_evaluate_appends_the_default_diagnostics_for_overfit_scenarios() -> None:
    case = cs.make("overfit-leaky-v1", seed=0, n_train=600, n_test=400)
    report = case.evaluate(naive_pipeline(), baselines=False)
    ids = [finding.id for finding in report.findings]
    assert ids[-len(DIAGNOSTICS) :] == list(DIAGNOSTICS)
    leak = next(f for f in report.findings if f.id == "leakage_scan")
    assert leak.evidence["flagged"] and leak.evidence["seconds"] >= 0
    assert report.to_json()  # evidence is plain data
    assert "Single-feature leakage scan" in str(report)
    only = case.evaluate(naive_pipeline(), baselines=False, diagnostics=["class_balance"])
    assert [f.id for f in only.findings][-1] == "class_balance"
    none = case.evaluate(naive_pipeline(), baselines=False, diagnostics=None)
    assert not {f.id for f in none.findings} & set(DIAGNOSTICS)


def test_evaluate_rejects_unknown_diagnostics_before_fitting() -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)

    def never(X, y, Z):
        raise AssertionError("the pipeline must not run")

    with pytest.raises(
        InvalidParameterError,
        match=re.escape("evaluate() of 'overfit-v1': unknown diagnostic 'labelnoise' (did you mean 'label_noise'?)"),
    ):
        case.evaluate(never, diagnostics=["labelnoise"])


def test_default_set_is_per_scenario_family() -> None:
    assert default_diagnostics("overfit-random") == tuple(DIAGNOSTICS)
    plugin = next(scenario_id for scenario_id in cs.list_scenarios() if scenario_id.startswith("plugin-"))
    case = cs.make(plugin, seed=0)
    report = case.evaluate(lambda X, y, Z: np.full(len(Z), 0.5), baselines=False)
    assert not {f.id for f in report.findings} & set(DIAGNOSTICS)
    report = case.evaluate(
        lambda X, y, Z: np.full(len(Z), 0.5), baselines=False, diagnostics=["class_balance", "leakage_scan"]
    )
    assert [f.id for f in report.findings][-2:] == ["leakage_scan", "class_balance"]


@pytest.mark.parametrize("name", ["TabularEncoder", "SelectedLogistic", "ColumnScreen"])
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_our_estimators_pass_scikit_learn_checks(name: str) -> None:
    from sklearn.utils.estimator_checks import check_estimator

    from casestudies.scenarios import overfit

    estimator = getattr(overfit, name)(drop=()) if name == "ColumnScreen" else getattr(overfit, name)()
    results = check_estimator(estimator, on_fail=None)
    assert [r["check_name"] for r in results if r["status"] == "failed"] == []


def test_diagnose_refuses_non_binary_tasks_with_a_pointer() -> None:
    other = [scenario_id for scenario_id in cs.list_scenarios() if cs.spec(scenario_id).task != "binary"]
    if not other:
        pytest.skip("no non-binary scenario registered")
    spec = cs.spec(other[0])
    small = {name: p.min for name, p in spec.parameters.items() if p.type == "int" and p.min is not None}
    case = cs.make(spec.id, seed=0, **small)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            f"these diagnostics are for binary tasks (0/1 labels, ROC-AUC); {spec.id!r} is a {spec.task} task"
        ),
    ):
        cs.diagnose(case)
