"""The cleaning grade's figure: detection precision and recall per defect kind, collateral damage named."""

from __future__ import annotations

import re

import pytest

import casestudies as cs
from casestudies.case import host_view
from casestudies.scoring import CleaningTruth


@pytest.fixture(scope="module")
def messy() -> cs.Case:
    return cs.make("messy-v1", seed=5, n_train=1500, n_test=500)


def _truth(case: cs.Case) -> CleaningTruth:
    truth = host_view(case).context.holdout.extras["cleaning"]
    assert isinstance(truth, CleaningTruth)
    return truth


def test_figure_bars_are_the_grades_rates_and_damage_is_named(messy: cs.Case) -> None:
    truth = _truth(messy)
    cleaned = truth.clean[truth.duplicate_of == 0].copy()
    old = cleaned["age"] >= 75  # blank every old age: clean cells broken, collateral damage in the age column
    cleaned["age"] = cleaned["age"].astype(float).where(~old)
    grade = messy.grade_cleaning(cleaned)
    spec = grade.figure()
    assert spec.kind == "bars"
    kinds = [*grade.by_kind, "all defects"]
    names = [str(name) for name in spec.series[0].x]
    assert [re.sub(r" \(.*\)$", "", name) for name in names] == kinds
    for label in ("precision", "recall"):
        bars = spec.series_named(label).y
        assert list(bars[:-1]) == [100 * grade.by_kind[kind][label] for kind in grade.by_kind]
        assert bars[-1] == pytest.approx(100 * getattr(grade, label))
    assert grade.n_damaged > 0
    assert names[-1] == f"all defects ({grade.n_damaged:,} broken)"
    for name, kind in zip(names, kinds[:-1], strict=False):
        damaged = int(grade.by_kind[kind]["n_damaged"])
        assert name == (f"{kind} ({damaged:,} broken)" if damaged else kind)
    assert f"{grade.n_damaged:,} clean cells or rows broken" in spec.caption
    page = grade._repr_html_()
    assert page.count("<svg") == 1 and spec.title in page


def test_a_perfect_cleaning_says_nothing_was_broken(messy: cs.Case) -> None:
    truth = _truth(messy)
    grade = messy.grade_cleaning(truth.clean[truth.duplicate_of == 0])
    spec = grade.figure()
    assert set(spec.series_named("recall").y) == {100.0}
    assert "No clean cell or row was broken." in spec.caption
    assert not any("broken" in str(name) for name in spec.series[0].x)
