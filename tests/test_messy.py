"""The messy-* scenarios: the planted mess and its record, grade_cleaning, the data-quality diagnostics."""

from __future__ import annotations

import importlib.util
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom
from threadpoolctl import threadpool_limits

import casestudies as cs
from casestudies.case import host_view
from casestudies.diagnostics import profile_quality
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.messy import KIND_COLUMNS, KNOBS, RANDOM_MESS_RANGES, STATE_VARIANTS
from casestudies.scenarios.messy._knobs import draw_knobs
from casestudies.scoring import QUALITY_KINDS, CleaningTruth

SMALL = {"n_train": 4000, "n_test": 1500}
OFF: dict[str, object] = dict.fromkeys(KNOBS, 0.0) | dict.fromkeys(
    ("unit_mixture", "text_numbers", "text_dates", "text_booleans", "useless_columns"), False
)
"""Every kind of mess switched off: the clean world as exported."""


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # Small fits: one thread each avoids oversubscribing a shared machine (timings only, not results).
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield


def _truth(case: cs.Case) -> CleaningTruth:
    truth = host_view(case).context.holdout.extras["cleaning"]
    assert isinstance(truth, CleaningTruth)
    return truth


@pytest.fixture(scope="module")
def messy() -> cs.Case:
    return cs.make("messy-v1", seed=3, **SMALL)


# -- the generator: every defect where the record says, at the level the knob says ------------------------------------


def test_defect_table_matches_the_frames(messy: cs.Case) -> None:
    """Clean cells equal the truth; dirty cells differ from it (or are blank); the world counts them right."""
    truth = _truth(messy)
    world = messy.reveal("world")["faults"]
    assert truth.dirty[truth.id_column].equals(messy.train[messy.id_column])
    for column in truth.clean.columns:
        if column in (truth.id_column, truth.target):
            continue
        defects = truth.defects[column].to_numpy(dtype=object)
        dirty = messy.train[column].astype(str).to_numpy()
        clean = truth.clean[column].astype(str).to_numpy()
        copies = truth.duplicate_of != 0  # near copies are retyped, so only originals must match exactly
        assert (dirty[(defects == "") & ~copies] == clean[(defects == "") & ~copies]).all(), column
        if str(defects[0]).startswith("text_"):  # the type is the defect: "2022-01-01" as text is still text
            assert messy.train[column].dtype != truth.clean[column].dtype, column
        else:
            assert (dirty[defects != ""] != clean[defects != ""]).all(), column
    for kind in QUALITY_KINDS:
        if kind in ("duplicate_rows", "unseen_levels", "useless_columns"):
            continue
        assert world[kind]["n_train"] == int((truth.defects.to_numpy() == kind).sum()) > 0
        assert world[kind]["columns"] == list(KIND_COLUMNS[kind])
    assert world["duplicate_rows"]["n_train"] == int((truth.duplicate_of != 0).sum())


def test_missing_mechanisms_follow_their_knobs() -> None:
    """MCAR at its rate everywhere; MAR at its rate in branch_north and a tenth elsewhere; MNAR on high debt."""
    knobs = OFF | {"missing_mcar": 0.2, "missing_mar": 0.5, "missing_mnar": 0.2}
    case = cs.make("messy-v1", seed=11, n_train=10_000, n_test=500, **knobs)
    train = case.train
    n = len(train)
    # Binomial 99.9 % bounds: a generator drawing the wrong rate (or ignoring the source) falls outside.
    low, high = binom.ppf([0.0005, 0.9995], n, 0.2) / n
    assert low <= train["employment_years"].isna().mean() <= high
    north = train["source_system"] == "branch_north"
    assert abs(train.loc[north, "credit_history_years"].isna().mean() - 0.5) < 0.03
    assert abs(train.loc[~north, "credit_history_years"].isna().mean() - 0.05) < 0.015
    clean = _truth(case).clean
    dti = clean["monthly_debt"] * 12 / clean["annual_income"]
    blank = train["monthly_debt"].isna()
    assert abs(blank.mean() - 0.2) < 0.02
    # Blanks grow like rank^3: the blank rows' median debt-to-income rank is 0.5^(1/4) = 0.84 (vs 0.5 at random).
    rank = dti.rank(pct=True)
    assert rank[blank].median() > 0.8
    # ... and so the blank predicts default (missingness that predicts the label).
    assert train.loc[blank, case.target].mean() > 1.3 * train.loc[~blank, case.target].mean()


def test_units_variants_and_entry_errors_are_the_stated_transformations(messy: cs.Case) -> None:
    truth = _truth(messy)
    dirty, clean, defects = messy.train, truth.clean, truth.defects
    originals = truth.duplicate_of == 0  # near copies had their income rounded again
    south = (dirty["source_system"] == "branch_south") & (defects["annual_income"] == "unit_mixture") & originals
    assert south.any()
    np.testing.assert_allclose(dirty.loc[south, "annual_income"] * 12, clean.loc[south, "annual_income"], rtol=1e-3)
    online = defects["loan_amount"] == "unit_mixture"
    assert (dirty.loc[online, "source_system"] == "online").all()
    np.testing.assert_allclose(dirty.loc[online, "loan_amount"], clean.loc[online, "loan_amount"] * 100)
    variants = defects["state"] == "category_variants"
    allowed = {(code, spelling) for code, spellings in STATE_VARIANTS.items() for spelling in spellings}
    assert set(zip(clean.loc[variants, "state"], dirty.loc[variants, "state"], strict=True)) <= allowed
    errors = defects["interest_rate"] == "entry_errors"
    ratio = dirty.loc[errors, "interest_rate"] / clean.loc[errors, "interest_rate"]
    assert set(np.round(ratio, 6)) == {10.0, 0.1}


def test_unseen_levels_only_in_the_holdout() -> None:
    case = cs.make("messy-v1", seed=5, **SMALL)
    train_levels, test_levels = set(case.train["loan_purpose"]), set(case.test["loan_purpose"])
    new = test_levels - train_levels
    assert new == {"green_energy", "crypto_investment", "tuition_abroad"}
    share = case.test["loan_purpose"].isin(new).mean()
    assert abs(share - case.params["unseen_levels"]) < 0.02


def test_random_mess_draws_kinds_from_the_seed() -> None:
    """Each kind planted with probability 1/2, its level inside RANDOM_MESS_RANGES; the case records the draw."""
    draws = [draw_knobs(np.random.default_rng(seed)) for seed in range(200)]
    low, high = binom.ppf([0.0005, 0.9995], 200, 0.5)  # 99.9 % bounds of a fair coin over 200 seeds
    for name in KNOBS:
        planted = [draw[name] for draw in draws if draw[name]]
        assert low <= len(planted) <= high, name
        bounds = RANDOM_MESS_RANGES[name]
        if bounds is not None:
            assert all(bounds[0] <= level <= bounds[1] for level in planted), name
    world = cs.make("messy-random-v1", seed=4, n_train=300, n_test=200).reveal("world")
    assert world["mode"] == "random_mess"
    assert world["present"] == [k for k in QUALITY_KINDS if world["faults"][k]["present"]]
    assert world["knobs"]["duplicates"] == world["faults"]["duplicate_rows"]["level"]


# -- grade_cleaning --------------------------------------------------------------------------------------------------


def test_clean_truth_scores_perfectly_and_untouched_scores_nothing(messy: cs.Case) -> None:
    truth = _truth(messy)
    perfect = messy.grade_cleaning(truth.clean[truth.duplicate_of == 0])
    assert perfect.f1 == 1.0 and perfect.n_damaged == 0
    assert all(stats["f1"] == 1.0 and stats["repair_accuracy"] == 1.0 for stats in perfect.by_kind.values())
    untouched = messy.grade_cleaning(messy.train)
    assert untouched.recall == 0.0 and untouched.n_damaged == 0
    assert set(untouched.missed()) == set(messy.reveal("world")["present"]) - {"unseen_levels"}


def test_clipping_every_outlier_shows_collateral_damage(messy: cs.Case) -> None:
    """Tukey-clipping income and savings clips the genuine heavy tail: damage, in those columns only."""
    truth = _truth(messy)
    cleaned = truth.clean[truth.duplicate_of == 0].copy()
    for column in ("annual_income", "savings_balance"):
        q1, q3 = cleaned[column].quantile([0.25, 0.75])
        cleaned[column] = cleaned[column].clip(upper=q3 + 1.5 * (q3 - q1))
    grade = messy.grade_cleaning(cleaned)
    clipped = cleaned["annual_income"] != truth.clean.loc[cleaned.index, "annual_income"]
    was_clean = truth.defects.loc[cleaned.index, "annual_income"] == ""  # dirty cells clipped are bad repairs
    true_income = truth.clean.loc[cleaned.index, "annual_income"]
    far = (cleaned["annual_income"] - true_income).abs() > 0.01 * true_income  # beyond the repair tolerance
    assert grade.by_column["annual_income"]["n_false_alarms"] == (clipped & was_clean).sum() > 50
    assert grade.by_column["annual_income"]["n_damaged"] == (far & was_clean).sum() > 50
    assert grade.by_kind["unit_mixture"]["n_repaired"] < grade.by_kind["unit_mixture"]["n_detected"]
    # savings were text (every cell dirty): clipping them turns repairs into wrong ones instead of damage.
    assert grade.by_column["savings_balance"]["n_damaged"] == 0
    assert grade.by_kind["text_numbers"]["n_dirty"] - grade.by_kind["text_numbers"]["n_repaired"] > 50
    assert grade.n_damaged == sum(stats["n_damaged"] for stats in grade.by_column.values())
    assert grade.by_column["age"]["n_damaged"] == 0
    assert grade.by_kind["unit_mixture"]["precision"] < 1.0  # false alarms count against the column's kinds


def test_partial_cleaning_is_graded_kind_by_kind(messy: cs.Case) -> None:
    """Fixing only the state variants, and wrongly blanking every age of 80: exact counts per kind and column."""
    truth = _truth(messy)
    cleaned = messy.train.copy()
    variants = truth.defects["state"] == "category_variants"
    cleaned.loc[variants, "state"] = truth.clean.loc[variants, "state"]
    old = (cleaned["age"] == 80) & (truth.defects["age"] == "")
    cleaned["age"] = cleaned["age"].astype(float).where(~old)
    grade = messy.grade_cleaning(cleaned)
    assert grade.by_kind["category_variants"]["n_repaired"] == variants.sum()
    assert grade.by_kind["category_variants"]["recall"] == 1.0
    assert grade.by_column["age"]["n_false_alarms"] == grade.by_column["age"]["n_damaged"] == old.sum() > 0
    assert grade.by_kind["sentinels"]["n_detected"] == 0
    dropped = messy.grade_cleaning(cleaned.drop(index=cleaned.index[truth.duplicate_of != 0]))
    assert dropped.by_kind["duplicate_rows"]["recall"] == 1.0
    assert dropped.rows_dropped_wrongly == ()


def test_dropping_originals_is_collateral(messy: cs.Case) -> None:
    truth = _truth(messy)
    kept = messy.train.iloc[100:]
    grade = messy.grade_cleaning(kept)
    originals = [int(i) for i in truth.dirty[truth.id_column].iloc[:100] if i not in set(truth.duplicate_of)]
    assert set(originals) <= set(grade.rows_dropped_wrongly)
    assert grade.by_kind["duplicate_rows"]["n_false_alarms"] == len(grade.rows_dropped_wrongly)


def test_grade_cleaning_refuses_wrong_rows_and_columns_naming_them(messy: cs.Case) -> None:
    train = messy.train
    with pytest.raises(InvalidParameterError, match=r"columns not in case\.train: \['missing_debt'\]"):
        messy.grade_cleaning(train.assign(missing_debt=train["monthly_debt"].isna()))
    with pytest.raises(InvalidParameterError, match=r"columns of case\.train missing: \['state'\]"):
        messy.grade_cleaning(train.drop(columns=["state"]))
    stranger = train.iloc[:3].assign(application_id=[1, 2, 3])
    with pytest.raises(InvalidParameterError, match=r"ids not in case\.train: \[1, 2, 3\]"):
        messy.grade_cleaning(pd.concat([train, stranger]))
    with pytest.raises(InvalidParameterError, match=rf"ids repeated: \[{train['application_id'].iloc[0]}\]"):
        messy.grade_cleaning(pd.concat([train, train.iloc[:1]]))
    with pytest.raises(InvalidParameterError, match="expected a pandas DataFrame"):
        messy.grade_cleaning(train.to_numpy())
    with pytest.raises(InvalidParameterError, match="keeps no clean truth"):
        cs.make("fraud-v1", seed=0, n_customers=300, n_days=35).grade_cleaning(train)


def test_cleaning_grade_renders(messy: cs.Case) -> None:
    grade = messy.grade_cleaning(messy.train)
    data = json.loads(json.dumps(grade.to_dict()))
    assert data["overall"]["recall"] == 0.0 and data["overall"]["precision"] is None
    assert "| missing_mnar |" in str(grade) and "<table" in grade._repr_html_()


# -- diagnostics -----------------------------------------------------------------------------------------------------


def test_profile_finds_every_planted_kind_and_its_columns(messy: cs.Case) -> None:
    report = profile_quality(messy.train, messy.test, target=messy.target, id_column=messy.id_column)
    grade = messy.grade_diagnosis(report.diagnosis)
    assert grade.perfect, str(grade)
    assert len(grade.found) == len(QUALITY_KINDS)
    canonical = report["category_variants"].evidence["canonical"]["state"]
    assert canonical["New York"] == "NY" and canonical[" ca"] == "CA"  # initials; case and spaces
    assert canonical["Texas"] == "TX" and canonical["michigan"] == "MI"  # a code's letters in order
    assert report["unit_mixtures"].evidence["mixtures"]["annual_income"]["groups"] == {
        "branch_south": pytest.approx(1 / 12)
    }
    assert report["outliers"].evidence["heavy_tail"][0] == "annual_income"
    json.dumps(report.to_dict())


@pytest.mark.slow
def test_profile_of_the_clean_world_claims_nothing() -> None:
    """No defect planted: no kind claimed (the heavy income tail is judged genuine, not an entry error)."""
    for seed in range(2):
        case = cs.make("messy-v1", seed=seed, **SMALL, **OFF)
        report = profile_quality(case.train, case.test, target=case.target, id_column=case.id_column)
        assert report.diagnosis.claimed() == (), str(report)
        assert "annual_income" in report["outliers"].evidence["heavy_tail"]


def test_quality_kinds_grade_like_faults(messy: cs.Case) -> None:
    grade = messy.grade_diagnosis({"missing_mnar": ["monthly_debt", "age"], "label_noise": True})
    assert grade.found == ("missing_mnar",)
    assert grade.columns["missing_mnar"] == {"found": ("monthly_debt",), "missed": (), "wrongly_claimed": ("age",)}
    assert "label_noise" in grade.wrongly_claimed and "duplicate_rows" in grade.missed
    with pytest.raises(InvalidParameterError, match="did you mean 'sentinels'"):
        messy.grade_diagnosis({"sentinel": True})


def _bench() -> object:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_messy.py"
    spec = importlib.util.spec_from_file_location("bench_messy", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_benchmark_small_version() -> None:
    """A few held-out random cases: every planted kind found, none claimed wrongly, cells found (issue 12 targets)."""
    bench = _bench()
    results = bench.run(range(200, 204), n_train=5000, n_test=2000)  # type: ignore[attr-defined]
    table = bench.summarise(results)  # type: ignore[attr-defined]
    for kind, row in table.items():
        if row["present"]:
            assert row["recall"] == 1.0, kind
            assert row["cell_f1"] >= 0.95, (kind, row)
        if row["absent"]:
            assert row["false_alarms"] == 0.0, kind


# -- take-homes and leaderboards -------------------------------------------------------------------------------------


def test_takehome_rubric_covers_the_cleaning_topics() -> None:
    rubric = cs.takehome_rubric("messy-v1")
    assert rubric.source.endswith("messy-v1.toml") and rubric.points == 14
    topics = {item.topic for item in rubric.items}
    assert {"Missing-data mechanisms", "Missing indicator", "Outlier judgement", "Duplicates"} <= topics
    # The bundle round trip itself (check_takehome) runs in the scenario contract, with this rubric.


@pytest.mark.slow
def test_leaderboard_scores_a_messy_board_like_the_case(tmp_path: Path) -> None:
    params = {**SMALL, "n_train": 1500}
    board = cs.Leaderboard.create(
        tmp_path / "board.sqlite", scenario="messy-v1", params=params, seed=5, feedback="exact"
    )
    board.add_participant("ana")
    case = cs.make("messy-v1", seed=5, **params)
    truth = case.reveal()["probability"].to_numpy()
    feedback = board.submit("ana", truth, label="oracle")
    expected = case.score(truth, baselines=False).to_dict()["submission"]["scores"]["public"]["roc_auc"]["estimate"]
    assert feedback.score == round(expected, 5)
    worse = board.submit("ana", truth + np.random.default_rng(0).normal(0, 0.3, truth.size), label="blurred")
    assert worse.score < feedback.score and not worse.improved
