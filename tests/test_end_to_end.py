"""The core loop on fraud-v1, end to end, with the pipelines learners actually write."""

from __future__ import annotations

import json

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler
from lightgbm import LGBMClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import casestudies as cs
from casestudies.scenarios.fraud import TransactionFeatures

SMALL = {"n_customers": 600, "n_days": 42}


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make("fraud-v1", seed=11, **SMALL)


@pytest.fixture(scope="module")
def undersampled(case: cs.Case) -> cs.Report:
    pipeline = make_imb_pipeline(
        TransactionFeatures(), StandardScaler(), RandomUnderSampler(random_state=0), LogisticRegression(max_iter=1000)
    )
    return case.evaluate(pipeline, name="undersampled LR")


@pytest.fixture(scope="module")
def boosted(case: cs.Case) -> cs.Report:
    pipeline = make_pipeline(
        TransactionFeatures(),
        LGBMClassifier(n_estimators=150, learning_rate=0.05, random_state=0, n_jobs=1, verbose=-1),
    )
    return case.evaluate(pipeline, name="LightGBM")


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_imbalanced_learn_pipeline_is_scored_against_every_reference(undersampled: cs.Report) -> None:
    names = [entry.name for entry in undersampled.references]
    assert names == ["prior", "simple", "expert", "oracle"]
    ap = undersampled.submission.estimate("average_precision")
    prior = undersampled.reference("prior").estimate("average_precision")
    oracle = undersampled.reference("oracle").estimate("average_precision")
    assert prior < ap < oracle
    assert undersampled.submission.fit_seconds > 0 and undersampled.submission.predict_seconds > 0
    assert undersampled.submission.output == "predict_proba"


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_lightgbm_pipeline_beats_the_prior_and_trails_the_oracle(boosted: cs.Report) -> None:
    ap = boosted.submission.estimate("average_precision")
    assert (
        boosted.reference("prior").estimate("average_precision") * 10
        < ap
        < boosted.reference("oracle").estimate("average_precision")
    )
    for part in ("public", "private"):
        interval = boosted.submission.scores[part]["average_precision"]
        assert interval["low"] < interval["estimate"] < interval["high"]


def test_report_is_plain_json_and_readable(boosted: cs.Report) -> None:
    data = json.loads(json.dumps(boosted.to_dict(), allow_nan=False))
    assert data["scenario_id"] == "fraud-v1" and data["metric"] == "average_precision"
    assert {finding["id"] for finding in data["findings"]} >= {
        "accuracy_paradox",
        "pr_vs_roc",
        "alert_budget",
        "oracle_gap",
    }
    paradox = next(f for f in data["findings"] if f["id"] == "accuracy_paradox")
    assert paradox["evidence"]["accuracy_all_negative"] > 0.99
    text = str(boosted)
    assert "oracle" in text and "expert reference" in text and "Accuracy misleads" in text
    html = boosted._repr_html_()
    assert html.count("<tr") == 1 + 1 + len(boosted.references)
    assert boosted.submission.name in html  # the full pipeline name, untruncated


def test_score_of_the_same_predictions_matches_evaluate(case: cs.Case) -> None:
    model = make_pipeline(
        TransactionFeatures(), LGBMClassifier(n_estimators=50, random_state=0, n_jobs=1, verbose=-1)
    ).fit(case.X_train, case.y_train)
    scores = model.predict_proba(case.test)[:, 1]
    by_array = case.score(scores, baselines=False)
    shuffled = np.random.default_rng(0).permutation(len(scores))
    frame = case.test[[case.id_column]].assign(prediction=scores).iloc[shuffled]
    by_frame = case.score(frame, baselines=False)
    assert by_array.submission.scores == by_frame.submission.scores


def test_oracle_scores_the_true_probabilities_and_is_named_a_clairvoyant_bound(
    case: cs.Case, boosted: cs.Report
) -> None:
    oracle = boosted.reference("oracle")
    # fraud-v1's probability depends on which terminals and cards are compromised, which no pipeline sees.
    assert oracle.description == "clairvoyant upper bound: the true probabilities given hidden state no pipeline sees"
    assert oracle.output == "truth"
    revealed = case.reveal()
    for part in ("all", "public", "private"):
        rows = revealed if part == "all" else revealed[revealed["part"] == part]
        labels, truth = rows[case.target], rows["probability"]
        assert oracle.estimate("average_precision", part) == pytest.approx(
            average_precision_score(labels, truth), abs=1e-12
        )
        assert oracle.estimate("roc_auc", part) == pytest.approx(roc_auc_score(labels, truth), abs=1e-12)


def test_an_observable_oracle_is_named_bayes_optimal() -> None:
    toy = cs.make("plugin-toy-v1", seed=0, n_rows=400)  # its probability uses only the public columns
    report = toy.score(np.full(len(toy.test), 0.5))
    assert report.reference("oracle").description == (
        "Bayes-optimal: the true probabilities, attainable from the observable data"
    )


def test_holdout_split_is_stratified_and_label_free(case: cs.Case) -> None:
    revealed = case.reveal()
    public = revealed[revealed["part"] == "public"][case.target].mean()
    private = revealed[revealed["part"] == "private"][case.target].mean()
    assert abs(public - private) < 0.1 * revealed[case.target].mean() + 1e-3
    assert abs((revealed["part"] == "public").mean() - case.spec.public_fraction) < 0.01


def test_seed_none_is_recorded_and_replays() -> None:
    first = cs.make("fraud-v1", **SMALL)
    assert isinstance(first.seed, int)
    assert cs.make("fraud-v1", seed=first.seed, **SMALL).fingerprint == first.fingerprint
