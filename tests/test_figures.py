"""Figures are checked for content: the curves are the report's numbers, drawn as they were computed.

Every report kind is built once (``figure_cases``); the checks recompute what
a figure shows from the case's revealed holdout, independently of the code
that built the figure (scikit-learn's ``average_precision_score``, our own
``binary_metrics`` at each alert count, plain numpy), and read the drawn
matplotlib figure back to check the renderer drew the data it was given.
"""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.lines import Line2D

import casestudies as cs
from casestudies.report import FigureSpec
from casestudies.scoring import binary_metrics
from figure_cases import KINDS, fraud_case, report

pytestmark = pytest.mark.slow  # the reports fit pipelines and references: a few seconds each on 2 cores

SEEDS = (1, 2)
"""Two fraud cases: the content checks must hold on each, not on one lucky draw."""


def _spec(kind: str, name: str, seed: int = 1) -> FigureSpec:
    specs = {spec.name: spec for spec in report(kind, seed).figure_specs()}
    return specs[name]


def _step_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    """Average precision of a plotted PR curve: the step-wise sum scikit-learn uses (recall decreasing)."""
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def _envelope(recall: np.ndarray, precision: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Interpolated precision at each recall of ``grid``: the best precision at that recall or more."""
    return np.array([precision[recall >= r].max() for r in grid])


# -- binary ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_plotted_average_precision_is_the_reports(seed: int) -> None:
    from sklearn.metrics import average_precision_score

    result = report("fraud", seed)
    spec = _spec("fraud", "pr_curve", seed)
    holdout = fraud_case(seed).reveal()
    labels = holdout["is_fraud"].to_numpy()
    entries = {"you": result.submission, "oracle": result.reference("oracle"), "prior": result.reference("prior")}
    for label, entry in entries.items():
        series = spec.series_named(label)
        recall, precision = np.asarray(series.x, float), np.asarray(series.y, float)
        assert _step_ap(recall, precision) == pytest.approx(entry.estimate("average_precision"), rel=1e-12)
        assert series.value == entry.estimate("average_precision")
    # The oracle's AP, recomputed by scikit-learn from the revealed truth: the figure plots the truth's curve.
    oracle_ap = average_precision_score(labels, holdout["probability"].to_numpy())
    assert _step_ap(np.asarray(spec.series_named("oracle").x), np.asarray(spec.series_named("oracle").y)) == (
        pytest.approx(oracle_ap, rel=1e-12)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_oracle_pr_curve_dominates_the_priors(seed: int) -> None:
    spec = _spec("fraud", "pr_curve", seed)
    prevalence = report("fraud", seed).submission.estimate("prevalence")
    grid = np.linspace(0.01, 1.0, 100)
    oracle, prior = spec.series_named("oracle"), spec.series_named("prior")
    best = _envelope(np.asarray(oracle.x, float), np.asarray(oracle.y, float), grid)
    flat = _envelope(np.asarray(prior.x, float), np.asarray(prior.y, float), grid)
    # A constant score alerts everyone at once: its precision is the prevalence at every recall.
    np.testing.assert_allclose(flat, prevalence, rtol=1e-12)
    assert (best >= flat).all()
    assert (best > 2 * flat).mean() > 0.9  # the truth ranks far better than chance over most of the range
    marker = spec.markers[0]
    assert marker.axis == "y" and marker.at == pytest.approx(prevalence)


def test_drawn_pr_figure_shows_the_spec() -> None:
    spec = _spec("fraud", "pr_curve")
    figure = report("fraud").figures()["pr_curve"]
    ax = figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    you = report("fraud").submission.estimate("average_precision")
    line = lines[f"you (AP {you:.3f})"]
    np.testing.assert_array_equal(line.get_xdata(), np.asarray(spec.series_named("you").x))
    np.testing.assert_array_equal(line.get_ydata(), np.asarray(spec.series_named("you").y))
    # The title is the spec's, broken into lines that fit the figure's width (same words, same order).
    assert ax.get_title(loc="left").split() == spec.title.split() and "\n" in ax.get_title(loc="left")
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend() is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_cost_curve_is_the_reports_cost_with_the_budget_and_the_minimum_marked(seed: int) -> None:
    result = report("fraud", seed)
    spec = _spec("fraud", "cost_curve", seed)
    case = fraud_case(seed)
    labels = case.reveal()["is_fraud"].to_numpy()
    costs = case.test["amount"].to_numpy()
    n_rows = len(labels)
    budget = float(case.spec.scoring["alert_budget"])
    review = float(case.spec.scoring["review_cost"])
    budget_marker, cheapest_marker = spec.markers
    n_alerts = math.ceil(budget * n_rows)
    assert budget_marker.at == pytest.approx(100 * n_alerts / n_rows)
    x = np.asarray(spec.series_named("you").x, float)
    at_budget = int(np.flatnonzero(np.isclose(x, budget_marker.at))[0])
    for label, entry in (("you", result.submission), ("prior", result.reference("prior"))):
        plotted = spec.series_named(label).y[at_budget]
        assert plotted == pytest.approx(entry.estimate("expected_cost"), rel=1e-9)
    # The cheapest alert count, found by scoring every count up to the plotted range with binary_metrics.
    scores = report_values_of_submission(seed)
    counts = np.arange(0, round(x[-1] * n_rows / 100) + 1)
    brute = [
        binary_metrics(labels, scores, costs=costs, alert_budget=k / n_rows, review_cost=review)["expected_cost"]
        for k in counts
    ]
    cheapest = int(counts[int(np.argmin(brute))])
    assert cheapest_marker.at == pytest.approx(100 * cheapest / n_rows)
    assert min(spec.series_named("you").y) == pytest.approx(min(brute), rel=1e-9)


def report_values_of_submission(seed: int) -> np.ndarray:
    """The simple baseline's scores of the holdout, as ``evaluate`` computed them (same pipeline, same data)."""
    from casestudies.scenarios.fraud import simple_baseline

    case = fraud_case(seed)
    model = simple_baseline().fit(case.X_train, case.y_train)
    scores: np.ndarray = model.predict_proba(case.test)[:, 1]
    return scores


@pytest.mark.parametrize("seed", SEEDS)
def test_oracle_reliability_points_lie_on_the_diagonal(seed: int) -> None:
    """The oracle submits the true probabilities: each tenth's positives are binomial around its mean prediction.

    An exact binomial test per tenth (conservative: the count of a tenth of mixed probabilities varies less than a
    binomial's), Bonferroni over the ten tenths at a 0.1 % family-wise level: a calibrated curve fails it once in a
    thousand cases; squared or halved probabilities fail it on these seeds (p < 1e-4).
    """
    from scipy.stats import binomtest

    spec = _spec("fraud", "reliability", seed)
    oracle = spec.series_named("oracle")
    rows_per_bin = round(len(fraud_case(seed).test) / 10)  # quantile bins of continuous probabilities: equal sizes
    for predicted, observed in zip(oracle.x, oracle.y, strict=True):
        positives = round(float(observed) * rows_per_bin)
        assert binomtest(positives, rows_per_bin, float(predicted)).pvalue > 0.001 / 10


def test_score_distributions_sum_to_one_per_class() -> None:
    spec = _spec("fraud", "score_distribution")
    for series in spec.series:
        assert len(series.x) == len(series.y) + 1  # bin edges around every bar
        assert sum(float(v) for v in series.y) == pytest.approx(1.0)


def test_public_private_intervals_are_the_reports() -> None:
    result = report("fraud")
    spec = _spec("fraud", "public_private")
    public = spec.series_named("public part")
    assert public.y[0] == "you"
    scores = result.submission.scores["public"]["average_precision"]
    assert (public.x[0], public.low[0], public.high[0]) == (scores["estimate"], scores["low"], scores["high"])


# -- overfit diagnostics -----------------------------------------------------------------------------------------


def test_overfit_diagnostics_figures_show_their_evidence() -> None:
    result = report("overfit")
    evidence = {finding.id: finding.evidence for finding in result.findings}
    fit_gap = _spec("overfit", "fit_gap").series[0]
    assert fit_gap.y[:2] == pytest.approx((evidence["fit_gap"]["train"], evidence["fit_gap"]["cv"]), abs=1e-4)
    learning = _spec("overfit", "learning_curve")
    means = [float(np.nanmean(fold)) for fold in learning.series_named("validation").samples]
    assert means == pytest.approx(evidence["learning_curve"]["validation"], abs=1e-4)
    leak = _spec("overfit", "leakage_scan")
    flagged = [str(name) for name in leak.series[0].x if str(name).endswith("(flagged)")]
    assert flagged == [f"{column} (flagged)" for column in evidence["leakage_scan"]["columns"]]
    assert leak.markers[0].at == evidence["leakage_scan"]["threshold"]
    duplicates = _spec("overfit", "near_duplicates").series[0]
    assert sum(float(v) for v in duplicates.y) <= result.holdout["all"]  # holdout rows within twice the median


def test_every_figure_reads_in_greyscale() -> None:
    """Within a figure, no two labelled lines share both line style and marker: colour is never the only cue."""
    for kind in KINDS:
        for name, figure in report(kind).figures().items():
            ax = figure.axes[0]
            assert ax.get_title(loc="left") and ax.get_xlabel(), (kind, name)
            lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
            cues = [(str(line.get_linestyle()), str(line.get_marker())) for line in lines]
            assert len(set(cues)) == len(cues), (kind, name, cues)  # grey levels alone are too close to tell apart
            if len(lines) > 1 and any(isinstance(line, Line2D) for line in lines):
                assert ax.get_legend() is not None, (kind, name)


# -- movies ------------------------------------------------------------------------------------------------------


def test_rmse_by_activity_partitions_the_holdout() -> None:
    """The fifths split every held-out row once: their squared errors add up to the report's RMSE."""
    result = report("rating")
    for name in ("rmse_by_user_activity", "rmse_by_movie_popularity"):
        spec = _spec("rating", name)
        assert len(spec.series_named("you").x) == 5
        n_rows = result.holdout["all"]
        # Fifths by rank: sizes differ by at most one row in about 2,400, so the plain mean of the fifths' squared
        # errors is the overall MSE to within 1e-3; a fifth that missed or repeated rows would be off by percents.
        assert n_rows > 2_000
        for label, entry in (("you", result.submission), ("oracle", result.reference("oracle"))):
            mse = float(np.mean(np.square(np.asarray(spec.series_named(label).y, float))))
            assert mse == pytest.approx(entry.estimate("rmse") ** 2, rel=1e-3)


def test_topn_figures_agree_with_the_report() -> None:
    result = report("topn")
    long_tail = _spec("topn", "long_tail")
    for series in long_tail.series:
        assert float(series.y[-1]) == pytest.approx(1.0)  # every recommendation is somewhere in the catalogue
        assert all(float(b) >= float(a) - 1e-12 for a, b in zip(series.y, series.y[1:], strict=False))
    popular = long_tail.series_named("most_popular")
    top = int(np.flatnonzero(np.isclose(np.asarray(popular.x, float), 10.0))[0])
    # Most-popular recommends the hits a user has not rated yet: nearly all within the top tenth of the catalogue
    # (1682 / 10 movies); uniformly random picks put about a tenth there (fewer: users have rated more hits).
    assert float(popular.y[top]) > 0.95
    assert float(long_tail.series_named("random").y[top]) < 0.2
    cold = _spec("topn", "cold_start")
    assert cold.series[0].y[0] == pytest.approx(result.submission.estimate("ndcg_at_10_cold_start"), rel=1e-12)
    n_cold = result.submission.estimate("n_cold_start")
    n_users = result.submission.estimate("n_users")
    mixed = (n_cold * float(cold.series[0].y[0]) + (n_users - n_cold) * float(cold.series[1].y[0])) / n_users
    assert mixed == pytest.approx(result.submission.estimate("ndcg_at_10"), rel=1e-9)
    truth = _spec("topn", "observed_vs_true").series_named("oracle")
    assert truth.y[0] == result.reference("oracle").estimate("true_rating_at_10")


# -- the report's API --------------------------------------------------------------------------------------------


def test_figures_are_computed_only_when_asked_for() -> None:
    code = (
        "import sys, casestudies as cs\n"
        "from casestudies.scenarios.fraud import simple_baseline\n"
        "case = cs.make('fraud-v1', seed=1, n_customers=300, n_days=35)\n"
        "report = case.evaluate(simple_baseline())\n"
        "print(report.charts.computed, 'matplotlib' in sys.modules)\n"
        "report.figure_specs()\n"
        "print(report.charts.computed, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.split() == ["False", "False", "True", "False"]


def test_unknown_figure_name_lists_the_figures() -> None:
    with pytest.raises(cs.InvalidParameterError, match=r"no figure 'pr_curv' \(did you mean 'pr_curve'\?\)"):
        report("fraud").plot("pr_curv")


def test_plot_outside_a_notebook_says_where_figures_are(capsys: pytest.CaptureFixture[str]) -> None:
    report("fraud").plot("cost_curve")
    assert "report.figures()" in capsys.readouterr().out


def test_a_pickled_report_keeps_its_figures() -> None:
    result = report("fraud")
    copy = pickle.loads(pickle.dumps(result))
    assert copy.figure_specs() == result.figure_specs()
    assert copy == result and copy.to_json() == result.to_json()


def test_markdown_writes_figures_beside_it(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "write-up"
    text = report("fraud").to_markdown(folder)
    assert (folder / "report.md").read_text(encoding="utf-8") == text
    for spec in report("fraud").figure_specs():
        assert f"]({spec.name}.svg)" in text
        assert (folder / f"{spec.name}.svg").read_text(encoding="utf-8").startswith("<svg xmlns=")
    assert json.loads(report("fraud").to_json())["scenario_id"] == "fraud-v1"


def test_take_home_grading_report_shows_the_key_figures() -> None:
    from casestudies.takehome import CandidateGrade

    result = report("fraud")
    scores = result.submission.scores["all"]
    grade = CandidateGrade("ada", "fraud-v1", "average_precision", "graded", scores=scores, report=result)
    page = grade.to_html()
    key = [spec for spec in result.figure_specs() if spec.key]
    assert [spec.name for spec in key] == ["pr_curve", "cost_curve"]
    for spec in key:
        assert f"<title>{spec.title}</title>" in page.replace("&#x27;", "'")
    assert "<svg" not in grade.to_markdown() and f"_Figure: {key[0].title}" in grade.to_markdown()


def test_an_interval_that_misses_its_estimate_is_drawn() -> None:
    """Percentile bootstrap intervals of skewed metrics can lie beside the estimate; the figure still draws."""
    from casestudies.report import Series
    from casestudies.report._render import draw

    spec = FigureSpec(
        "intervals",
        "intervals",
        "Public vs private",
        "AP",
        "",
        (Series("public", (0.30,), ("you",), low=(0.31,), high=(0.4,)),),
    )
    low, high = draw(spec).axes[0].get_xlim()
    assert low < 0.30 < 0.4 < high
