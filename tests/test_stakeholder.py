"""The stakeholder view: the result in the business's words, no metric jargon, every number traceable."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.cli import main
from casestudies.exceptions import InvalidParameterError

SMALL_FRAUD = {"n_customers": 300, "n_days": 35}
JARGON = re.compile(r"\b(AP|AUC|ROC|NDCG|RMSE|precision|recall)\b", re.IGNORECASE)
NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")


@pytest.fixture(scope="module")
def fraud() -> tuple[cs.Case, cs.Report]:
    # A score that knows the truth but is blind to card testing (fast, and it has a weak spot to tell).
    case = cs.make("fraud-v1", seed=3, **SMALL_FRAUD)
    revealed = case.reveal()
    blind = revealed["probability"].to_numpy() * (revealed["mechanism"] != "card_testing").to_numpy()
    return case, case.score(blind, name="blind to card testing", baselines=False)


def _quoted(value: float) -> set[str]:
    """How the view may print a number: whole with thousands separators, or one decimal below 10."""
    return {f"{value:,.0f}", f"{value:,.1f}"}


@pytest.mark.slow
def test_fraud_view_has_no_jargon_and_every_number_traces(fraud: tuple[cs.Case, cs.Report]) -> None:
    _, report = fraud
    text = report.summary(audience="stakeholder")
    assert JARGON.search(text) is None, JARGON.search(text)
    view = report.stakeholder
    assert view is not None
    allowed = {"10,000"} | {"0", "100"}  # the unit, and the percentages of the weak-spot sentence are checked below
    for value in view.numbers.values():
        allowed |= _quoted(value) | _quoted(abs(value))  # a negative saving is said as a loss
    finding = next(f for f in report.findings if f.id == "failure_by_cause")
    for per in finding.evidence["recall"].values():  # type: ignore[union-attr]
        allowed |= {f"{cause['estimate']:.0%}".rstrip("%") for cause in per.values()}
        allowed |= {f"{cause['positives']:,}" for cause in per.values()}  # how many of each cause there were
    for number in NUMBER.findall(text):
        assert number in allowed, f"{number} is not a figure of the technical report"
    for word in ("transactions", "alerts", "the fraud team", "alert budget", "frauds"):
        assert word in text
    blind = finding.evidence["recall"]["blind to card testing"]  # type: ignore[index]
    testing = blind["card testing"]["positives"]
    assert f"Where it falls short: it finds 0% of the {testing} card testing frauds" in " ".join(text.split())


@pytest.mark.slow
def test_money_saved_is_the_cost_metric_against_no_model(fraud: tuple[cs.Case, cs.Report]) -> None:
    case, report = fraud
    numbers = report.stakeholder.numbers  # type: ignore[union-attr]
    revealed = case.reveal()
    amounts = case.test["amount"].to_numpy()
    no_model = amounts[revealed["is_fraud"].to_numpy() == 1].sum() / len(amounts) * 10_000
    assert numbers["no_model_loss"] == pytest.approx(no_model)
    cost = report.submission.scores["all"]["expected_cost"]
    assert numbers["money_saved"] == pytest.approx(no_model - cost["estimate"] * 10_000)
    assert numbers["money_saved_low"] == pytest.approx(no_model - cost["high"] * 10_000)
    # lost + review cost is what the cost metric adds up; alerts are the budget's share of rows
    assert numbers["money_lost"] + numbers["review_cost"] == pytest.approx(cost["estimate"] * 10_000)
    assert numbers["review_cost"] == pytest.approx(numbers["alerts"] * report.scoring["review_cost"])  # type: ignore[operator]
    all_scores = report.submission.scores["all"]
    caught = all_scores["recall_at_budget"]["estimate"] * all_scores["prevalence"]["estimate"] * 10_000
    assert numbers["caught"] == pytest.approx(caught)
    # a model that knows nothing, picking at random, saves the budget's share of the losses minus its reviews
    assert numbers["random_saved"] == pytest.approx(no_model * numbers["alerts"] / 10_000 - numbers["review_cost"])


def test_churn_view_speaks_of_calls_and_churners() -> None:
    case = cs.make("overfit-leaky-v1", seed=2, n_train=400, n_test=400, n_noise_features=2)
    report = case.score(case.reveal()["probability"].to_numpy(), baselines=False)
    text = report.summary(audience="stakeholder")
    assert JARGON.search(text) is None
    assert "calls per 10,000 customers" in text and "churners" in text
    assert "money" not in text  # no costs in this story
    numbers = report.stakeholder.numbers  # type: ignore[union-attr]
    assert numbers["alerts"] == pytest.approx(1_000)  # the retention team calls 10 % of customers


@pytest.mark.slow
def test_stakeholder_page_is_one_page_with_one_figure(fraud: tuple[cs.Case, cs.Report], tmp_path: Path) -> None:
    _, report = fraud
    page = report.to_html(tmp_path / "view.html", audience="stakeholder")
    assert (tmp_path / "view.html").read_text(encoding="utf-8") == page
    assert page.count("<svg") == 1 and "<script" not in page
    visible = re.sub(r"<svg.*?</svg>|<style.*?</style>|<[^>]+>", " ", page, flags=re.S)
    assert JARGON.search(visible) is None, JARGON.search(visible)


def test_unknown_audience_and_tasks_without_a_view_refuse_clearly() -> None:
    case = cs.make("fraud-v1", seed=1, **SMALL_FRAUD)
    report = case.score(np.zeros(len(case.test)), baselines=False)
    with pytest.raises(InvalidParameterError, match="did you mean 'stakeholder'"):
        report.summary(audience="stakeholders")
    movies = cs.make("movies-rating-v1", seed=0, n_users=60, n_movies=60, n_ratings=1500)
    rated = movies.score(np.full(len(movies.test), 3.5), baselines=False)
    with pytest.raises(InvalidParameterError, match=r"rating tasks is not built: .* movies-topn-v1"):
        rated.summary(audience="stakeholder")
    assert rated.summary() == str(rated)


def test_cli_audience_stakeholder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = cs.make("fraud-v1", seed=1, **SMALL_FRAUD)
    predictions = tmp_path / "p.csv"
    case.test[[case.id_column]].assign(prediction=case.test["amount"]).to_csv(predictions, index=False)
    page = tmp_path / "p.html"
    argv = ["score", "fraud-v1", str(predictions), "--seed", "1", "--param", "n_customers=300"]
    argv += ["--param", "n_days=35", "--no-baselines", "--audience", "stakeholder", "--html", str(page)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("What the model would do for the fraud team") and JARGON.search(out) is None
    assert page.read_text(encoding="utf-8").count("<svg") == 1


def test_topn_view_counts_users_given_a_film_they_like() -> None:
    case = cs.make("movies-topn-v1", seed=0, n_users=120, n_movies=80, n_ratings=3000)
    revealed = case.reveal()
    # Each user's list: the ten lowest movie ids they have not rated in training; served when one of them is
    # among the user's held-out movies rated 4 or 5.
    seen = case.train.groupby("user_id")["movie_id"].agg(set)
    catalogue = sorted(case.tables["movies"]["movie_id"])
    lists = {user: [m for m in catalogue if m not in seen.get(user, set())][:10] for user in case.test["user_id"]}
    submission = pd.DataFrame(
        [(user, movie, rank + 1) for user, movies in lists.items() for rank, movie in enumerate(movies)],
        columns=["user_id", "movie_id", "rank"],
    )
    report = case.score(submission, baselines=False)
    liked = [set(map(int, filter(None, str(text).split("|")))) for text in revealed["relevant_movies"]]
    able = [bool(movies) for movies in liked]
    hits = [bool(movies & set(lists[user])) for movies, user in zip(liked, revealed["user_id"], strict=True)]
    expected = sum(hits) / sum(able) * 100
    view = report.stakeholder
    assert view is not None and view.numbers["estimate"] == pytest.approx(expected)
    text = report.summary(audience="stakeholder")
    assert JARGON.search(text) is None
    assert f"in front of {expected:.0f} " in text
    finding = next(f for f in report.findings if f.id == "served_by_group")
    assert finding.evidence["eligible_users"] == sum(able)  # the technical report carries the same count
