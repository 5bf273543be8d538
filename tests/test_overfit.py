"""The overfit-* scenarios: planted causes, Bayes-optimal truth, the lessons they must teach, grading."""

from __future__ import annotations

import json
import re
import warnings
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import binom
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

import casestudies as cs
from casestudies.diagnostics import TabularEncoder, adversarial_validation, learning_curve
from casestudies.diagnostics._common import _auc, _folds
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.overfit import (
    FAULT_KINDS,
    INFORMATIVE_COLUMNS,
    LEAK_COLUMN_NAMES,
    RANDOM_FAULT_RANGES,
    churn_logit,
    expert_pipeline,
    naive_pipeline,
    regularised_pipeline,
)
from casestudies.scenarios.overfit._knobs import draw_knobs

PRESETS = ("overfit-v1", "overfit-leaky-v1", "overfit-shift-v1", "overfit-all-v1", "overfit-random-v1")


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.simplefilter("ignore", category=UserWarning)


def _train_test_auc(case: cs.Case, model: object, drop: tuple[str, ...] = ()) -> tuple[float, float]:
    """ROC-AUC of ``model`` on its own training rows and on the hidden holdout."""
    X, y = case.X_train.drop(columns=list(drop)), case.y_train.to_numpy()
    fitted = clone(model).fit(X, y)
    train = _auc(y, fitted.predict_proba(X)[:, 1])
    test = case.score(
        fitted.predict_proba(case.test.drop(columns=list(drop)))[:, 1], baselines=False
    ).submission.estimate("roc_auc")
    return train, test


def _cv_auc(case: cs.Case, model: object, drop: tuple[str, ...] = ()) -> float:
    """Mean ROC-AUC over a random (stratified) 5-fold split of the training rows."""
    X, y = case.X_train.drop(columns=list(drop)), case.y_train.to_numpy()
    scores = []
    for train_rows, valid_rows in _folds(y, 5, 0):
        fitted = clone(model).fit(X.iloc[train_rows], y[train_rows])
        scores.append(_auc(y[valid_rows], fitted.predict_proba(X.iloc[valid_rows])[:, 1]))
    return float(np.mean(scores))


def _forest() -> Pipeline:
    return Pipeline(
        [("encode", TabularEncoder()), ("model", RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1))]
    )


# -- the presets ----------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", PRESETS)
def test_presets_are_registered_with_the_interview_question(scenario_id: str) -> None:
    spec = cs.spec(scenario_id)
    assert spec.metric == "roc_auc" and spec.task == "binary"
    assert "What steps" in spec.prompt and "grade_diagnosis" in spec.prompt
    assert set(spec.baselines) == {"prior", "naive", "regularised", "expert"}
    assert set(spec.parameters) >= {
        "n_train",
        "label_noise",
        "leakage",
        "identifiers",
        "shift",
        "duplicates",
        "temporal",
        "positive_rate",
        "random_faults",
    }


def test_everything_at_once_plants_every_cause_and_names_existing_columns() -> None:
    case = cs.make("overfit-all-v1", seed=4, n_test=600)
    world = case.reveal("world")
    assert world["present"] == list(FAULT_KINDS)
    for kind, fault in world["faults"].items():
        assert fault["present"], kind
        assert set(fault["columns"]) <= set(case.train.columns), kind
    assert world["faults"]["target_leakage"]["columns"][0] in LEAK_COLUMN_NAMES
    assert len(world["faults"]["identifier"]["columns"]) == 2
    drivers = {"tenure_months", "monthly_charges", "contract_type", "streaming_hours_week", "support_calls_90d"}
    assert drivers & set(world["faults"]["covariate_shift"]["columns"])
    # The generator's facts on the data card say nothing about the planted causes (the preset's
    # parameters are public by design: random_faults is the blind mode).
    card = json.dumps({key: value for key, value in case.data_card.items() if key != "parameters"}, default=str)
    assert not any(
        word in card for word in ("noise", "leak", "shift", "duplicate", "identifier", "temporal", "month_effect")
    )


def test_clean_case_plants_nothing_but_small_n() -> None:
    case = cs.make("overfit-v1", seed=0)
    world = case.reveal("world")
    assert world["present"] == ["high_dimensional"]
    # The size the generator reports is the frame it built: every column but the id and the label is a
    # feature, and there are more of them than rows.
    high = world["faults"]["high_dimensional"]
    n_features = case.train.shape[1] - 2
    assert high["n_features"] == n_features
    assert high["rows_per_feature"] == round(len(case.train) / n_features, 3) < 1  # p >= n
    # Nothing else is planted: labels as drawn, no month effect, no twin in the holdout.
    assert world["faults"]["label_noise"]["n_changed"] == 0 and world["train_labels_changed_by_noise"] == []
    assert set(world["month_effects"]) == {0.0}
    assert (case.reveal()["duplicate_of"] <= 0).all()


def test_truth_is_the_churn_function_of_observable_columns() -> None:
    """Bayes-optimal from what a pipeline sees: intercept + churn drivers + month effect of snapshot_date."""
    case = cs.make(
        "overfit-v1", seed=3, n_train=400, n_test=800, n_noise_features=5, temporal=1.0, shift=1.0, n_shifted_columns=2
    )
    world, revealed = case.reveal("world"), case.reveal()
    month = (case.test["snapshot_date"].dt.year - 2022) * 12 + case.test["snapshot_date"].dt.month - 1
    expected = expit(churn_logit(case.test) + world["intercept"] + np.asarray(world["month_effects"])[month.to_numpy()])
    np.testing.assert_allclose(revealed["probability"], expected, rtol=1e-4, atol=1e-6)
    assert set(INFORMATIVE_COLUMNS) <= set(case.test.columns)


def test_holdout_labels_are_draws_of_the_truth() -> None:
    case = cs.make("overfit-shift-v1", seed=1, n_test=20_000)
    revealed = case.reveal()
    # Calibration by decile: observed churn rate within 0.03 of the mean true probability.
    deciles = pd.qcut(revealed["probability"], 10, labels=False)
    table = revealed.groupby(deciles).agg(p=("probability", "mean"), y=("churned", "mean"))
    assert np.abs(table["p"] - table["y"]).max() < 0.03


def test_near_duplicates_share_the_training_event_and_their_truth_uses_it() -> None:
    case = cs.make("overfit-v1", seed=2, n_train=600, n_test=600, n_noise_features=10, duplicates=0.2)
    revealed = case.reveal()
    twins = revealed[revealed["duplicate_of"] > 0]
    assert len(twins) == 120
    train = case.train.set_index("customer_id")
    source = train.loc[twins["duplicate_of"].to_numpy()]
    # Without label noise the training copy's label is the event: the truth is that label.
    np.testing.assert_array_equal(twins["probability"].to_numpy(), source["churned"].to_numpy())
    np.testing.assert_array_equal(twins["churned"].to_numpy(), source["churned"].to_numpy())
    test = case.test.set_index("customer_id").loc[twins["customer_id"].to_numpy()]
    assert (test["contract_type"].to_numpy() == source["contract_type"].to_numpy()).all()
    assert np.allclose(test["monthly_charges"].to_numpy(), source["monthly_charges"].to_numpy(), atol=1.0)


def test_twin_truth_under_label_noise_is_the_posterior_given_the_recorded_label() -> None:
    case = cs.make("overfit-v1", seed=5, n_train=3000, n_test=1500, n_noise_features=5, duplicates=0.3, label_noise=0.4)
    revealed = case.reveal()
    twins = revealed[revealed["duplicate_of"] > 0]
    recorded = case.train.set_index("customer_id").loc[twins["duplicate_of"].to_numpy(), "churned"].to_numpy()
    # A recorded 1 is more likely a real churn than a recorded 0, but neither is certain any more.
    assert 0 < twins["probability"][recorded == 0].mean() < twins["probability"][recorded == 1].mean() < 1
    # And the posterior is calibrated: churn rates among twins match it.
    for label in (0, 1):
        part = twins[recorded == label]
        assert abs(part["churned"].mean() - part["probability"].mean()) < 0.06


def test_leak_column_separates_churners_in_train_only() -> None:
    case = cs.make("overfit-leaky-v1", seed=0, n_train=1500, n_test=1500)
    leak = case.reveal("world")["faults"]["target_leakage"]["columns"][0]
    train_auc = _auc(case.y_train.to_numpy(), case.train[leak].to_numpy(dtype=float))
    test_auc = _auc(case.reveal()["churned"].to_numpy(), case.test[leak].to_numpy(dtype=float))
    assert train_auc > 0.95
    assert abs(test_auc - 0.5) < 0.04
    # Same distribution in both: the leak does not show up as a shift.
    assert (
        abs(_auc(np.r_[np.zeros(1500), np.ones(1500)], np.r_[case.train[leak], case.test[leak]].astype(float)) - 0.5)
        < 0.04
    )


def test_without_leakage_the_candidate_column_is_harmless() -> None:
    case = cs.make("overfit-shift-v1", seed=0, n_train=1500, shift=0.0)
    fault = case.reveal("world")["faults"]["target_leakage"]
    assert not fault["present"] and fault["columns"] == []
    assert abs(_auc(case.y_train.to_numpy(), case.train[fault["candidate_column"]].to_numpy(dtype=float)) - 0.5) < 0.05


def test_identifier_columns_are_unique_and_never_seen_again() -> None:
    case = cs.make("overfit-v1", seed=1, n_train=500, n_test=500, identifiers=3)
    columns = case.reveal("world")["faults"]["identifier"]["columns"]
    assert sorted(columns) == ["account_code", "email_hash", "record_number"]
    for column in columns:
        assert case.train[column].is_unique and case.test[column].is_unique
        assert not set(case.train[column]) & set(case.test[column])


def test_class_imbalance_follows_the_positive_rate() -> None:
    rare = cs.make("overfit-v1", seed=1, n_train=4000, n_noise_features=5, positive_rate=0.05)
    common = cs.make("overfit-v1", seed=1, n_train=4000, n_noise_features=5, positive_rate=0.3)
    assert rare.reveal("world")["faults"]["class_imbalance"]["present"]
    assert not common.reveal("world")["faults"]["class_imbalance"]["present"]
    assert abs(rare.y_train.mean() - 0.05) < 0.012 and abs(common.y_train.mean() - 0.3) < 0.025


def test_label_noise_changes_training_labels_only() -> None:
    clean = cs.make("overfit-v1", seed=8, n_train=2000, n_noise_features=5)
    noisy = cs.make("overfit-v1", seed=8, n_train=2000, n_noise_features=5, label_noise=0.3)
    fault = noisy.reveal("world")["faults"]["label_noise"]
    changed = int((clean.y_train != noisy.y_train).sum())
    assert changed == fault["n_changed"] == len(noisy.reveal("world")["train_labels_changed_by_noise"])
    # Replacement by a draw with the churn rate flips about r * 2 pi (1 - pi) of the labels.
    assert 0.3 * 2 * 0.25 * 0.75 * 2000 * 0.75 < changed < 0.3 * 2 * 0.25 * 0.75 * 2000 * 1.25
    assert noisy.reveal().equals(clean.reveal())  # the holdout is untouched


# Each cause is drawn with probability 0.5 (RANDOM_FAULT_RANGES["probability_present"], written out here so a
# changed value is caught). Label noise and class imbalance are never planted together: when both are drawn a
# fair coin keeps one, so each is present with probability 0.5 x (0.5 + 0.5 x 0.5) = 0.375.
PRESENCE_PROBABILITY = dict.fromkeys(FAULT_KINDS, 0.5) | {"label_noise": 0.375, "class_imbalance": 0.375}
STRENGTH_KNOB = {
    "label_noise": "label_noise",
    "target_leakage": "leakage",
    "identifier": "identifiers",
    "covariate_shift": "shift",
    "duplicates": "duplicates",
    "temporal": "temporal",
}


def _presence_interval(n: int, p: float) -> tuple[int, int]:
    """Two-sided 99.9 % binomial interval of how many of ``n`` draws plant a cause of probability ``p``."""
    low, high = binom.interval(0.999, n, p)
    return int(low), int(high)


def _assert_presence_counts(present: list[set[str]]) -> None:
    """Each cause is present as often as its probability says, within a 99.9 % binomial interval."""
    for kind, p in PRESENCE_PROBABILITY.items():
        count = sum(kind in kinds for kinds in present)
        low, high = _presence_interval(len(present), p)
        assert low <= count <= high, f"{kind}: present in {count} of {len(present)} draws; expected {low}-{high}"
    assert not any({"label_noise", "class_imbalance"} <= kinds for kinds in present)


def test_random_faults_draw_each_cause_with_its_documented_probability() -> None:
    """2,000 draws of the knobs: 926-1,074 plant each cause of probability 0.5, 679-822 each of 0.375.

    A cause drawn with probability 0.45 would be expected 900 times, 0.55 1,100 times: outside.
    """
    rng = np.random.default_rng(0)
    present = []
    for knobs in (draw_knobs(rng) for _ in range(2000)):
        kinds = {kind for kind, knob in STRENGTH_KNOB.items() if knobs[knob] > 0}
        kinds |= {"class_imbalance"} if knobs["positive_rate"] <= 0.1 else set()
        # Under 10 rows per feature: the noise columns alone reach that when the cause is drawn, never otherwise.
        kinds |= {"high_dimensional"} if knobs["n_noise_features"] > knobs["n_train"] / 10 else set()
        present.append(kinds)
    _assert_presence_counts(present)


@pytest.mark.slow  # 24 full cases, up to 6,000 rows by 1,500 columns: about 8 s
def test_random_faults_draw_from_the_seed_within_the_documented_ranges() -> None:
    worlds = [cs.make("overfit-random-v1", seed=seed, n_test=200).reveal("world") for seed in range(24)]
    assert cs.make("overfit-random-v1", seed=3, n_test=200).reveal("world") == worlds[3]
    _assert_presence_counts([set(world["present"]) for world in worlds])  # 4-20 of 24 at 0.5, 2-17 at 0.375
    assert len({tuple(world["present"]) for world in worlds}) > 18
    needed = RANDOM_FAULT_RANGES["min_expected_positives"]
    for world in worlds:
        knobs, present = world["knobs"], world["present"]
        # The causes present are exactly those the drawn knobs plant.
        for kind, knob in STRENGTH_KNOB.items():
            assert (kind in present) == (knobs[knob] > 0), kind
        assert ("class_imbalance" in present) == (knobs["positive_rate"] <= 0.1)
        assert ("high_dimensional" in present) == (
            knobs["n_train"] / world["faults"]["high_dimensional"]["n_features"] < 10
        )
        if "label_noise" in present:
            assert knobs["n_train"] >= 2500  # min_rows_label_noise
            assert knobs["n_train"] * knobs["positive_rate"] >= needed["label_noise"] - 1
            assert 0.25 <= knobs["label_noise"] <= 0.4
        if "temporal" in present:
            assert knobs["n_train"] * knobs["positive_rate"] >= needed["temporal"] - 1
        if "target_leakage" in present:
            assert 0.7 <= knobs["leakage"] <= 1.0


# -- the lessons ------------------------------------------------------------------


def test_lesson_p_ge_n_perfect_train_poor_test_and_l1_closes_the_gap() -> None:
    """p >= n: unregularised train AUC >= 0.99, test <= 0.8; strong L1 closes the gap by at least half.

    Measured (seeds 0-2): unregularised 1.000 / 0.667-0.692 (gap 0.31-0.33); L1 (C = 0.05) gap 0.015-0.078.
    Strong L2 does *not* close the ROC-AUC gap (0.24-0.30 even at C = 1e-6): shrinking all coefficients
    together keeps the in-sample ranking that p >= n makes perfect, and AUC only sees rankings.
    """
    case = cs.make("overfit-v1", seed=0)
    assert case.train.shape[1] - 2 >= len(case.train)  # p >= n
    naive_train, naive_test = _train_test_auc(case, naive_pipeline())
    l1_train, l1_test = _train_test_auc(case, regularised_pipeline())
    assert naive_train >= 0.99 and naive_test <= 0.8
    assert l1_train - l1_test <= 0.5 * (naive_train - naive_test)
    assert l1_test > naive_test + 0.1


NOISE_SEEDS = range(16)
NOISE_LEVELS = (0.0, 0.2, 0.4)


@pytest.fixture(scope="module")
def noise_cases() -> dict[tuple[int, float], cs.Case]:
    """The same world at three label-noise rates (features and holdout identical), per seed."""
    return {
        (seed, noise): cs.make(
            "overfit-v1", seed=seed, n_train=1000, n_test=2000, n_noise_features=20, label_noise=noise
        )
        for seed in NOISE_SEEDS
        for noise in NOISE_LEVELS
    }


def _mean_and_se(values: list[float] | np.ndarray) -> tuple[float, float]:
    """Mean over seeds and its standard error (spread across seeds / sqrt(number of seeds))."""
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1) / np.sqrt(array.size))


@pytest.mark.slow  # 24 forests: about 8 s
def test_lesson_gap_grows_with_label_noise(noise_cases: dict[tuple[int, float], cs.Case]) -> None:
    """A fully grown forest fits every training label; the holdout pays for each random one.

    Theory: replacing a share r of the labels by draws independent of the features scales the covariance of
    the recorded label with any function of the features by (1 - r), so the training labels carry less
    signal while the forest still fits all of them (train AUC 1): the holdout AUC drops and the gap grows
    with r. For a pure memoriser the drop is exact (next test). Measured over 8 seeds: each step of 0.2 adds
    0.025 to the gap (standard error 0.004); every step's mean must exceed 3 standard errors.
    """
    gaps = []
    for seed in NOISE_SEEDS[:8]:
        row = []
        for noise in NOISE_LEVELS:
            train, test = _train_test_auc(noise_cases[seed, noise], _forest())
            assert train > 0.99
            row.append(train - test)
        gaps.append(row)
    steps = np.diff(np.asarray(gaps), axis=1)  # per seed: gap(0.2) - gap(0), gap(0.4) - gap(0.2)
    for step in steps.T:
        mean, se = _mean_and_se(step)
        assert mean > 3 * se, (mean, se)


@pytest.mark.slow  # 48 one-nearest-neighbour fits: about 5 s
def test_label_noise_shrinks_a_memorisers_holdout_auc_by_one_minus_the_rate(
    noise_cases: dict[tuple[int, float], cs.Case],
) -> None:
    """Replacement noise at rate r shrinks a memoriser's holdout AUC - 0.5 by exactly (1 - r), on average.

    A 1-nearest-neighbour model scores each holdout row with its neighbour's recorded label: the true one
    with probability 1 - r, otherwise a draw with the churn rate p independent of everything. Its true- and
    false-positive rates become (1 - r) TPR + r p and (1 - r) FPR + r p, and AUC - 0.5 = (TPR - FPR) / 2.
    Noise that depended on the features or the label (flips, say) would shrink it by another factor.
    """
    for seed in NOISE_SEEDS:  # the premise: noise touches the training labels only, not the neighbours
        clean = noise_cases[seed, 0.0]
        for noise in NOISE_LEVELS[1:]:
            assert noise_cases[seed, noise].X_train.equals(clean.X_train)
            assert noise_cases[seed, noise].test.equals(clean.test)
    memoriser = Pipeline([("encode", TabularEncoder()), ("model", KNeighborsClassifier(n_neighbors=1))])
    excess = np.array(
        [
            [_train_test_auc(noise_cases[seed, noise], memoriser)[1] - 0.5 for noise in NOISE_LEVELS]
            for seed in NOISE_SEEDS
        ]
    )
    mean, se = _mean_and_se(excess[:, 0])
    assert mean > 3 * se, (mean, se)  # the clean labels carry signal to lose
    for column, noise in enumerate(NOISE_LEVELS[1:], start=1):
        mean, se = _mean_and_se(excess[:, column] - (1 - noise) * excess[:, 0])
        assert abs(mean) < 3 * se, (noise, mean, se)


@pytest.mark.slow  # 16 forests: about 4 s
def test_lesson_random_labels_train_perfect_test_at_chance() -> None:
    """Zhang et al. 2017 on tabular data: a forest memorises random labels and ranks the holdout at chance.

    Theory: labels drawn independently of the features carry nothing, so the expected holdout ROC-AUC is
    0.5; the mean over 16 seeds must lie within 3 standard errors (across seeds) of it. Each seed's forest
    is a different random function of features that do predict churn, so its AUC strays from 0.5 by chance
    in either direction: the AUCs spread more (sd 0.05) than the Hanley-McNeil standard error of one AUC
    (0.022), which counts only the holdout's sampling. The spread across seeds is therefore the yardstick,
    and it can be no smaller than Hanley-McNeil's.
    """
    trains, tests, hanley_mcneil = [], [], []
    for seed in range(16):
        case = cs.make("overfit-v1", seed=seed, n_train=500, n_test=1000, n_noise_features=20, label_noise=1.0)
        train, test = _train_test_auc(case, _forest())
        trains.append(train)
        tests.append(test)
        n_pos = int(case.reveal()["churned"].sum())
        n_neg = len(case.test) - n_pos
        # Hanley & McNeil (1982) at AUC 0.5: Q1 - A^2 = Q2 - A^2 = 1/12.
        hanley_mcneil.append(np.sqrt((0.25 + (n_pos + n_neg - 2) / 12) / (n_pos * n_neg)))
    assert min(trains) > 0.99
    mean, se = _mean_and_se(tests)
    assert abs(mean - 0.5) < 3 * se, (mean, se)
    assert np.std(tests, ddof=1) >= np.mean(hanley_mcneil)


def test_lesson_leakage_random_split_validation_beats_holdout_and_dropping_closes_it() -> None:
    """Measured (seeds 0-2): validation 0.35-0.43 above the holdout with the leak, -0.02-0.0 without."""
    case = cs.make("overfit-leaky-v1", seed=0, n_train=1500, n_test=1500)
    leak = case.reveal("world")["faults"]["target_leakage"]["columns"][0]
    model = regularised_pipeline()
    with_leak = _cv_auc(case, model) - _train_test_auc(case, model)[1]
    without = _cv_auc(case, model, drop=(leak,)) - _train_test_auc(case, model, drop=(leak,))[1]
    assert with_leak >= 0.1
    assert abs(without) <= 0.04


def test_lesson_adversarial_validation_sees_shift_and_nothing_without() -> None:
    """Measured (seeds 0-2): AUC 0.81-0.88 with the shift, 0.491-0.505 without."""
    on = cs.make("overfit-shift-v1", seed=0)
    off = cs.make("overfit-shift-v1", seed=0, shift=0.0)
    found = adversarial_validation(on.X_train, on.test, exclude=["customer_id"]).evidence
    none = adversarial_validation(off.X_train, off.test, exclude=["customer_id"]).evidence
    assert found["auc"] >= 0.7
    assert abs(none["auc"] - 0.5) <= 0.03 and none["columns"] == []
    assert set(on.reveal("world")["faults"]["covariate_shift"]["columns"]) <= set(found["columns"])


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_lesson_learning_curve_gap_shrinks_with_more_rows() -> None:
    """Measured (seed 0): gap 0.39, 0.34, 0.27, 0.24 at 150, 300, 600, 1,000 rows."""
    case = cs.make("overfit-v1", seed=0, n_train=1500)
    evidence = learning_curve(naive_pipeline(), case.X_train, case.y_train).evidence
    gaps = evidence["gap"]
    assert evidence["sizes"] == sorted(evidence["sizes"])
    assert gaps[-1] < gaps[0] - 0.08
    assert all(later <= earlier + 0.02 for earlier, later in pairwise(gaps))


@pytest.mark.slow  # 8 fits on two full cases: about 6 s
def test_lesson_oracle_beats_every_pipeline() -> None:
    """Measured: oracle 0.93-0.97 against at most 0.93 for the best pipeline, on every seed."""
    pipelines = {
        "naive": naive_pipeline(),
        "regularised": regularised_pipeline(),
        "forest": _forest(),
        "expert": expert_pipeline(),
    }
    margins = {name: [] for name in pipelines}
    for seed in range(2):
        case = cs.make("overfit-all-v1", seed=seed, n_test=1500)
        oracle = case.score(case.reveal()["probability"].to_numpy(), baselines=False).submission.estimate("roc_auc")
        for name, pipeline in pipelines.items():
            margins[name].append(oracle - _train_test_auc(case, pipeline)[1])
    for name, values in margins.items():
        assert np.mean(values) > 0.05, name
        assert min(values) > 0, name


def test_expert_reference_beats_the_naive_baseline_where_it_matters() -> None:
    case = cs.make("overfit-leaky-v1", seed=2, n_train=1500, n_test=1500)
    report = case.score(np.full(len(case.test), 0.5))
    assert report.reference("expert").estimate("roc_auc") > report.reference("naive").estimate("roc_auc") + 0.1
    assert report.reference("oracle").estimate("roc_auc") > report.reference("expert").estimate("roc_auc")


# -- grading a diagnosis ------------------------------------------------------------


def test_grade_diagnosis_says_found_missed_and_wrong() -> None:
    case = cs.make("overfit-all-v1", seed=0, n_test=400)
    faults = case.reveal("world")["faults"]
    leak = faults["target_leakage"]["columns"][0]
    shifted = faults["covariate_shift"]["columns"]
    grade = case.grade_diagnosis(
        {
            "target_leakage": [leak, "tenure_months"],
            "covariate_shift": shifted[:1],
            "label_noise": True,
            "duplicates": False,
        }
    )
    assert grade.found == ("label_noise", "target_leakage", "covariate_shift")
    assert set(grade.missed) == set(FAULT_KINDS) - {"label_noise", "target_leakage", "covariate_shift"}
    assert grade.wrongly_claimed == ()
    assert grade.columns["target_leakage"] == {"found": (leak,), "missed": (), "wrongly_claimed": ("tenure_months",)}
    assert grade.columns["covariate_shift"]["missed"] == tuple(shifted[1:])
    assert not grade.perfect and grade.recall == 3 / 8
    text = str(grade)
    assert "3 of 8 causes found" in text and "wrongly claimed tenure_months" in text
    assert json.loads(json.dumps(grade.to_dict()))["found"] == ["label_noise", "target_leakage", "covariate_shift"]


def test_grade_diagnosis_of_a_clean_case_flags_false_alarms() -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)
    grade = case.grade_diagnosis(["high_dimensional", "temporal"])
    assert grade.found == ("high_dimensional",) and grade.wrongly_claimed == ("temporal",) and grade.missed == ()
    assert "temporal" not in grade.correctly_absent and "label_noise" in grade.correctly_absent


def test_grade_diagnosis_reads_json_and_toml_files(tmp_path: pytest.TempPathFactory) -> None:
    case = cs.make("overfit-leaky-v1", seed=0, n_train=400, n_test=300)
    leak = case.reveal("world")["faults"]["target_leakage"]["columns"][0]
    json_file = tmp_path / "diagnosis.json"  # type: ignore[operator]
    json_file.write_text(json.dumps({"causes": {"target_leakage": [leak], "temporal": True}}))
    toml_file = tmp_path / "diagnosis.toml"  # type: ignore[operator]
    toml_file.write_text(f'target_leakage = ["{leak}"]\ntemporal = true\nlabel_noise = false\n')
    for path in (json_file, toml_file, str(toml_file)):
        grade = case.grade_diagnosis(path)
        assert grade.perfect and grade.found == ("target_leakage", "temporal")


@pytest.mark.parametrize(
    ("diagnosis", "message"),
    [
        ({"label_nois": True}, "unknown cause 'label_nois' in diagnosis; did you mean 'label_noise'?"),
        (
            {"label_noise": "yes"},
            "diagnosis cause 'label_noise' must be true, false or a list of column names; got 'yes' (str).",
        ),
        (42, "a diagnosis must be a Diagnosis, a dict, a list of cause names or a .json/.toml path; got 42 (int)."),
        (
            "diagnosis.txt",
            "a diagnosis must be a Diagnosis, a dict, a list of cause names or a .json/.toml path; "
            "got 'diagnosis.txt' (str).",
        ),
    ],
)
def test_malformed_diagnoses_say_what_was_expected(diagnosis: object, message: str) -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        case.grade_diagnosis(diagnosis)


def test_grade_diagnosis_needs_a_scenario_with_planted_causes() -> None:
    plugin = next(scenario_id for scenario_id in cs.list_scenarios() if scenario_id.startswith("plugin-"))
    case = cs.make(plugin, seed=0)
    with pytest.raises(
        InvalidParameterError, match=re.escape(f"{plugin!r} plants no causes to grade a diagnosis against")
    ):
        case.grade_diagnosis({"label_noise": True})
