"""The stakeholder view of a regression report, and the importances wired into regression ``evaluate``."""

from __future__ import annotations

import re

import numpy as np
import pytest

import casestudies as cs
from casestudies.scenarios.houses import linear_pipeline

JARGON = re.compile(r"\b(RMSE|MAE|MAPE|RMSLE|R²|R2|error|residual|metric|baseline|oracle|mean)\b", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
SMALL = {"n_train": 400, "n_test": 300}


@pytest.fixture(scope="module")
def houses() -> tuple[cs.Case, cs.Report, np.ndarray]:
    case = cs.make("houses-v1", seed=2, **SMALL)
    guess = np.full(len(case.test), 300_000.0)  # a flat guess: its misses are plain to compute by hand
    return case, case.score(guess, name="flat guess"), guess


def test_regression_view_states_the_reports_misses_in_euros(houses: tuple[cs.Case, cs.Report, np.ndarray]) -> None:
    case, report, guess = houses
    view = report.stakeholder
    assert view is not None and view.available
    numbers = view.numbers
    assert numbers["model_typical"] == report.submission.estimate("mae", "all")
    assert numbers["no_model_typical"] == report.reference("mean").estimate("mae", "all")  # "no model" = the mean
    assert numbers["oracle_typical"] == report.reference("oracle").estimate("mae", "all")
    price = case.reveal()["price"].to_numpy()
    top = price >= np.quantile(price, 0.8)
    assert top.sum() == pytest.approx(0.2 * len(price), abs=1)
    assert numbers["top_from"] == price[top].min()
    assert numbers["model_top"] == pytest.approx(np.mean(np.abs(price[top] - guess[top])), rel=1e-12)
    assert numbers["model_top_low"] < numbers["model_top"] < numbers["model_top_high"]
    text = report.summary(audience="stakeholder")
    assert JARGON.search(text) is None, JARGON.search(text)
    assert "€" in text and "price" in text
    quoted = {f"{abs(value):,.0f}" for value in numbers.values()} | {f"{len(price):,}"}
    for number in NUMBER.findall(text):
        assert number in quoted, f"{number} is not one of the view's numbers"
    assert f"€{numbers['model_typical']:,.0f}" in text and f"€{numbers['no_model_top']:,.0f}" in text


def test_a_better_model_misses_less_than_no_model_and_no_less_than_the_truth() -> None:
    case = cs.make("houses-v1", seed=3, **SMALL)
    report = case.evaluate(linear_pipeline(), diagnostics=["importance"])
    numbers = report.stakeholder.numbers  # type: ignore[union-attr]
    # the oracle is the true expected price: its miss is the noise alone, the least any model misses in expectation
    assert numbers["oracle_typical"] <= numbers["model_typical"] < numbers["no_model_typical"] / 2
    finding = next(f for f in report.findings if f.id == "importance_vs_truth")  # the regression hook runs it
    truth = finding.evidence["truth"]
    assert isinstance(truth, dict) and truth["house_id"] == 0.0 and truth["floor_area_m2"] > 0.0
    assert finding.evidence["top_model"] == "floor_area_m2"
    assert {"partial_dependence_floor_area_m2", "importance_vs_truth"} <= {f.name for f in finding.figures}
    assert [f.id for f in case.evaluate(linear_pipeline(), diagnostics=None).findings].count("importance_vs_truth") == 0
