"""The explanations drawn: importance rankings and partial dependence as figures, and the stakeholder view as data."""

from __future__ import annotations

import dataclasses
import html
import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import casestudies as cs
from casestudies.core import redraw_of
from casestudies.diagnostics import TabularEncoder, importance_vs_truth

LEAKY = {"seed": 0, "n_train": 600, "n_test": 300, "n_noise_features": 2}


@pytest.fixture(scope="module")
def leaky() -> tuple[cs.Case, object]:
    case = cs.make("overfit-leaky-v1", **LEAKY)
    return case, make_pipeline(TabularEncoder(), LogisticRegression(max_iter=500))


def test_plotted_importances_are_the_findings_numbers(leaky: tuple[cs.Case, object]) -> None:
    case, model = leaky
    finding = importance_vs_truth(case, model, n_repeats=1)
    figures = {figure.name: figure for figure in finding.figures}
    bars = figures["importance_vs_truth"]
    mine, truth = finding.evidence["model"], finding.evidence["truth"]
    assert isinstance(mine, dict) and isinstance(truth, dict)
    shown = bars.series_named("your model")
    # the bars are the model's ten strongest columns, strongest first, at the finding's values
    assert list(shown.x) == sorted(mine, key=lambda column: -mine[column])[: len(shown.x)]
    assert list(shown.y) == [mine[column] for column in shown.x]
    assert list(bars.series_named("true importance").y) == [truth[column] for column in shown.x]
    assert shown.x[0] == finding.evidence["top_model"] == "winback_offer_sent"


def test_partial_dependence_is_drawn_beside_the_true_effect(leaky: tuple[cs.Case, object]) -> None:
    case, model = leaky
    finding = importance_vs_truth(case, model, n_repeats=1)
    curves = finding.evidence["partial_dependence"]
    assert isinstance(curves, dict) and curves
    figures = {figure.name: figure for figure in finding.figures}
    _, function = redraw_of(case.spec, where="test")
    held = case.X_train.iloc[int(len(case.X_train) * 0.7) :]  # the held-out rows the finding measured on
    for column, curve in curves.items():
        figure = figures[f"partial_dependence_{column}"]
        assert figure.kind == "lines" and column in figure.title
        assert list(figure.series_named("your model").x) == curve["grid"]
        assert list(figure.series_named("your model").y) == curve["average"]
        # the true curve is the truth function averaged over the held-out rows with the column set to each value
        value = curve["grid"][-1]
        expected = float(np.mean(function(case.params, case.seed, held.assign(**{column: value}))[0]))
        assert figure.series_named("truth").y[-1] == pytest.approx(expected, rel=1e-12)
    # the leak does not enter the true function: its true curve is flat, while the model's climbs steeply
    leak = figures["partial_dependence_winback_offer_sent"]
    assert np.ptp(leak.series_named("truth").y) == 0.0
    assert np.ptp(leak.series_named("your model").y) > 0.2


@pytest.mark.slow
def test_report_page_shows_the_explanation_figures_and_json_has_the_stakeholder_view(
    leaky: tuple[cs.Case, object],
) -> None:
    case, model = leaky
    report = case.evaluate(model, diagnostics=["importance"])
    finding = next(f for f in report.findings if f.id == "importance_vs_truth")
    page = report.to_html()
    for figure in finding.figures:
        assert f"<title>{html.escape(figure.title)}</title>" in page
    assert page.count("<svg") == len(report.figure_specs())
    view = report.stakeholder
    assert view is not None and view.available
    data = json.loads(report.to_json())["stakeholder"]
    assert data["paragraphs"] == list(view.paragraphs) and data["numbers"] == dict(view.numbers)
    assert data["figure"]["series"][0]["y"] == list(view.figure.series[0].y)  # type: ignore[union-attr]
    assert "stakeholder" not in dataclasses.replace(report, stakeholder=None).to_dict()  # none computed: none shown
