"""Where a rating model fails: error by kind of user and movie, for you, the best baseline and the oracle."""

from __future__ import annotations

import numpy as np
import pytest

import casestudies as cs
from casestudies.diagnostics._explain_rating import rating_groups
from casestudies.report import Finding

RATING_SMALL = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}


@pytest.fixture(scope="module")
def rating_case() -> cs.Case:
    return cs.make("movies-rating-v1", seed=4, **RATING_SMALL)


def _finding(report: cs.Report) -> Finding:
    return next(f for f in report.findings if f.id == "error_by_group")


@pytest.mark.slow
def test_group_errors_add_back_to_the_reports_error_and_name_the_weak_spot(rating_case: cs.Case) -> None:
    case = rating_case
    expected = case.reveal()["expected_rating"].to_numpy()
    groups = rating_groups(case.train, case.test)
    niche = groups["niche movies"]
    # the truth everywhere except on niche movies, where it guesses a flat 3: the weak spot is niche movies
    guess = np.where(niche, 3.0, expected)
    report = case.score(guess, name="blind to niche movies")
    finding = _finding(report)
    table = finding.evidence["error"]
    mine = table["blind to niche movies"]  # type: ignore[index]
    for sparse, rest in (("least active users", "other users"), ("niche movies", "other movies")):
        rows = mine[sparse]["rows"] + mine[rest]["rows"]
        assert rows == report.holdout["all"]
        # mean squared errors weighted by the group sizes give back the whole holdout's
        squared = (
            mine[sparse]["rows"] * mine[sparse]["estimate"] ** 2 + mine[rest]["rows"] * mine[rest]["estimate"] ** 2
        )
        assert np.sqrt(squared / rows) == pytest.approx(report.submission.estimate("rmse", "all"), rel=1e-9)
    assert finding.evidence["weakest"] == "niche movies"
    assert "Your weak spot: niche movies" in finding.text and "yours to win back" in finding.text
    # shown: yours, the best baseline (least error on the whole holdout) and the oracle
    baselines = [e for e in report.references if e.kind == "baseline"]
    best = min(baselines, key=lambda e: e.estimate("rmse", "all"))
    assert list(table) == ["blind to niche movies", best.name, "oracle"]  # type: ignore[arg-type]
    figure = finding.figures[0]
    assert figure.series_named(best.name).x == tuple(table[best.name][g]["estimate"] for g in groups)  # type: ignore[index]
    for name in table:  # type: ignore[union-attr]
        for group in groups:
            item = table[name][group]  # type: ignore[index]
            assert item["low"] <= item["estimate"] <= item["high"]


def test_sparse_groups_are_the_least_rated_in_training(rating_case: cs.Case) -> None:
    case = rating_case
    groups = rating_groups(case.train, case.test)
    counts = case.test["user_id"].map(case.train["user_id"].value_counts()).fillna(0).to_numpy()
    sparse = groups["least active users"]
    assert sparse.any() and (~sparse).any()
    assert counts[sparse].max() < counts[~sparse].min()
    # about a fifth of the holdout's users are in the sparse group (ties at the cut may add a few)
    users = case.test["user_id"].to_numpy()
    share = len(set(users[sparse])) / len(set(users))
    assert 0.15 <= share <= 0.3
