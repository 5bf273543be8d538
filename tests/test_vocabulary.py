"""A binary scenario's findings and take-home texts speak its own words (the spec's ``[vocabulary]``).

Churn (``overfit-*``) has customers, churners, a retention team and a call
budget; fraud has transactions, frauds, the fraud team and the alert budget;
a scenario that declares nothing gets neutral words. A
finding that is only true of rare positives (the accuracy paradox, "so few
positives") is shown only when the positives are rare.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

import casestudies as cs
from casestudies.core import NEUTRAL_VOCABULARY, VOCABULARY_WORDS, ScenarioSpec, Vocabulary, spec, vocabulary
from casestudies.exceptions import RegistrationError

FRAUD_WORDS = ("review team", "alert budget", "alert", "transaction", "amount", "fraud", "so few positives")
"""Words of the fraud story that have no place in another scenario's text (case-insensitive)."""

OVERFIT_PARAMS = {"n_train": 300, "n_test": 400}
FRAUD_PARAMS = {"n_customers": 300, "n_days": 35}
OVERFIT_IDS = ("overfit-v1", "overfit-all-v1", "overfit-leaky-v1", "overfit-random-v1", "overfit-shift-v1")


def _fraud_words_in(text: str) -> list[str]:
    return [word for word in FRAUD_WORDS if re.search(re.escape(word), text, flags=re.IGNORECASE)]


def _findings_text(report: cs.Report) -> str:
    return "\n".join(f"{finding.title}: {finding.text}" for finding in report.findings)


def _oracle_report(scenario_id: str, params: dict[str, int]) -> cs.Report:
    case = cs.make(scenario_id, seed=2, **params)
    return case.score(case.reveal()["probability"].to_numpy(), name="truth", baselines=False)


@pytest.fixture(scope="module")
def churn_report() -> cs.Report:
    return _oracle_report("overfit-v1", OVERFIT_PARAMS)


@pytest.fixture(scope="module")
def fraud_report() -> cs.Report:
    return _oracle_report("fraud-v1", FRAUD_PARAMS)


def test_churn_findings_speak_churn(churn_report: cs.Report) -> None:
    text = _findings_text(churn_report)
    assert _fraud_words_in(text) == [], text
    budget = next(finding for finding in churn_report.findings if finding.id == "alert_budget")
    assert budget.title == "At the call budget (top 10.0%)"
    assert re.fullmatch(
        r"calling your top \d+ scores, [\d.]+% of calls are churners and they catch [\d.]+% of all churners\.",
        budget.text,
    ), budget.text
    assert "which is what the retention team sees" in text


def test_findings_of_rare_positives_are_shown_only_when_positives_are_rare(
    churn_report: cs.Report, fraud_report: cs.Report
) -> None:
    # Churn's positive rate is about a quarter: predicting all negatives is far from "highly accurate".
    churn_prevalence = churn_report.submission.scores["all"]["prevalence"]["estimate"]
    assert churn_prevalence > 0.1
    assert "accuracy_paradox" not in {finding.id for finding in churn_report.findings}
    pr_vs_roc = next(finding for finding in churn_report.findings if finding.id == "pr_vs_roc")
    assert "few" not in pr_vs_roc.text and "easy negatives" not in pr_vs_roc.text
    # Fraud's positives are rare (well under 1 %): both findings stay.
    assert fraud_report.submission.scores["all"]["prevalence"]["estimate"] < 0.01
    assert {"accuracy_paradox", "pr_vs_roc"} <= {finding.id for finding in fraud_report.findings}


def test_fraud_findings_keep_their_words(fraud_report: cs.Report) -> None:
    # Fraud's words, read from fraud-v1's [vocabulary] table: frauds, the fraud team, alerts, the alert budget.
    by_id = {finding.id: finding for finding in fraud_report.findings}
    assert by_id["pr_vs_roc"].text.endswith(
        "With so few frauds ROC-AUC is carried by the many easy negatives; average precision says how clean "
        "the top of your ranking is, which is what the fraud team sees."
    )
    assert by_id["alert_budget"].title == "At the alert budget (top 0.5%)"
    assert re.fullmatch(
        r"reviewing your top \d+ scores, [\d.]+% of alerts are frauds and they catch [\d.]+% of all frauds\. "
        r"Cost per transaction \(missed amounts plus review cost\) is [\d.]+\.",
        by_id["alert_budget"].text,
    ), by_id["alert_budget"].text
    assert re.search(r"catches none of the [\d,]+ frauds \(prevalence", by_id["accuracy_paradox"].text)


def test_a_spec_without_vocabulary_speaks_neutral_words() -> None:
    toy = cs.make("plugin-toy-v1", seed=2, n_rows=1000)
    assert vocabulary(toy.spec) == NEUTRAL_VOCABULARY
    report = toy.score(toy.reveal()["probability"].to_numpy(), baselines=False)
    text = _findings_text(report)
    assert _fraud_words_in(text) == [], text
    budget = next(finding for finding in report.findings if finding.id == "alert_budget")
    assert budget.title == "At the action budget (top 5.0%)"
    assert budget.text.startswith("acting on your top ") and " of flagged rows are positives " in budget.text


@pytest.mark.parametrize("scenario_id", OVERFIT_IDS)
def test_every_churn_scenario_declares_churn_words(scenario_id: str) -> None:
    words = vocabulary(spec(scenario_id))
    assert (words.positives, words.team, words.budget) == ("churners", "the retention team", "call budget")


@pytest.mark.parametrize(("scenario_id", "params"), [("overfit-v1", OVERFIT_PARAMS), ("fraud-v1", FRAUD_PARAMS)])
def test_takehome_texts_speak_the_scenarios_words(scenario_id: str, params: dict[str, int], tmp_path: Path) -> None:
    cs.create_takehome(scenario_id, candidates=["ann"], out=tmp_path, seed=1, params=params, baselines=False)
    readme = (tmp_path / "bundles" / "ann" / "README.md").read_text(encoding="utf-8")
    notebook = json.loads((tmp_path / "bundles" / "ann" / "starter.ipynb").read_text(encoding="utf-8"))
    cells = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    rubric = (tmp_path / "key" / "rubric.md").read_text(encoding="utf-8")
    if scenario_id == "fraud-v1":
        # The fraud bundle's metric sentences in fraud's words.
        assert (
            "precision at the alert budget: the share of true positives among the top 0.5% of rows by score "
            "(the alerts the fraud team can handle)." in readme
        )
        assert "the amounts of the frauds you miss plus 5.0 per reviewed alert" in readme
        return
    assert _fraud_words_in(readme + cells + rubric) == [], _fraud_words_in(readme + cells + rubric)
    assert "recall at the call budget: the share of all churners that fall in the top 10.0% of rows" in readme
    assert "Chooses what to act on under the call budget (the top 10.0% of rows)" in rubric


def test_vocabulary_round_trips_with_the_spec() -> None:
    fraud = spec("fraud-v1")
    assert dict(fraud.vocabulary)["team"] == "the fraud team"
    assert ScenarioSpec.from_dict(fraud.to_dict()) == fraud
    assert vocabulary(ScenarioSpec.from_dict(fraud.to_dict())) == vocabulary(fraud)


def test_vocabulary_holds_only_known_words() -> None:
    toy = spec("plugin-toy-v1")
    with pytest.raises(RegistrationError, match=re.escape("unknown vocabulary word 'teem'. Did you mean 'team'?")):
        dataclasses.replace(toy, vocabulary={"teem": "the ops team"})
    with pytest.raises(RegistrationError, match=re.escape("vocabulary word 'row' must be a non-empty string; got 3")):
        dataclasses.replace(toy, vocabulary={"row": 3})
    with pytest.raises(RegistrationError, match="vocabulary must be a table of words"):
        dataclasses.replace(toy, vocabulary=["row"])
    partial = dataclasses.replace(toy, vocabulary={"row": "patient"})
    assert vocabulary(partial) == Vocabulary(row="patient")  # the words left out stay neutral
    assert set(VOCABULARY_WORDS) == {field.name for field in dataclasses.fields(Vocabulary)}
