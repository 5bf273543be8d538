"""Counted nouns and possessives in what users read: "1 id", "2 ids", "bob's", never "1 ids" or "'bob''s".

The helper (:func:`casestudies.core.counted`) on its own, then the messages
that once read wrong, each made by a real case with a count of one and of two.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.core import counted, possessive, spec
from casestudies.exceptions import ProblemCode, SubmissionError
from casestudies.takehome._content import rubric_document

TOY = "plugin-toy-v1"


@pytest.mark.parametrize(
    ("count", "noun", "plural", "expected"),
    [
        (0, "report", None, "0 reports"),
        (1, "report", None, "1 report"),
        (2, "report", None, "2 reports"),
        (12_345, "row", None, "12,345 rows"),
        (1, "id that is not in the test set", None, "1 id that is not in the test set"),
        (2, "id that is not in the test set", None, "2 ids that are not in the test set"),
        (2, "test pair", None, "2 test pairs"),
        (2, "value outside", None, "2 values outside"),
        (2, "user whose ranks are not 1..10", None, "2 users whose ranks are not 1..10"),
        (np.int64(1), "topic", None, "1 topic"),
        (3, "query", "queries", "3 queries"),
        (1, "query", "queries", "1 query"),
    ],
)
def test_counted_agrees_with_its_count(count: int, noun: str, plural: str | None, expected: str) -> None:
    assert counted(count, noun, plural) == expected


def test_possessive_of_a_name_has_no_quotes() -> None:
    assert possessive("alice") == "alice's"
    assert possessive("alice.v2") == "alice.v2's"


@pytest.fixture(scope="module")
def toy_case() -> cs.Case:
    return cs.make(TOY, seed=5, n_rows=1000)


def _problems(case: cs.Case, frame: pd.DataFrame) -> dict[ProblemCode, str]:
    with pytest.raises(SubmissionError) as caught:
        case.score(frame, baselines=False)
    return {problem.code: problem.received for problem in caught.value.problems}


@pytest.mark.parametrize(("n_wrong", "ids", "none_for"), [(1, "1 id that is", "1 id"), (2, "2 ids that are", "2 ids")])
def test_unknown_and_missing_ids_are_counted(toy_case: cs.Case, n_wrong: int, ids: str, none_for: str) -> None:
    frame = pd.DataFrame({"row_id": toy_case.test["row_id"].to_numpy(), "prediction": 0.5})
    frame.loc[: n_wrong - 1, "row_id"] = -1 - np.arange(n_wrong)  # ids no test row has
    received = _problems(toy_case, frame)
    assert received[ProblemCode.UNKNOWN_IDS].startswith(f"{ids} not in the test set, e.g. "), received
    assert received[ProblemCode.MISSING_IDS].startswith(f"none for {none_for}, e.g. "), received


@pytest.mark.parametrize(("n_text", "start"), [(1, "1 value that is not a number"), (2, "2 values that are not")])
def test_text_predictions_are_counted(toy_case: cs.Case, n_text: int, start: str) -> None:
    values = np.full(len(toy_case.test), 0.5, dtype=object)
    values[:n_text] = "high"
    frame = pd.DataFrame({"row_id": toy_case.test["row_id"].to_numpy(), "prediction": values})
    received = _problems(toy_case, frame)
    assert received[ProblemCode.NON_NUMERIC].startswith(f"{start}"), received


def test_practice_summary_counts_its_reports(toy_case: cs.Case, tmp_path: Path) -> None:
    log = cs.PracticeLog(tmp_path / "me.sqlite")
    constant = np.full(len(toy_case.test), 0.5)
    log.record(toy_case.score(constant, name="first", baselines=False))
    assert log.summary(TOY).startswith(f"{TOY}: 1 report; "), log.summary(TOY)
    log.record(toy_case.score(constant, name="second", baselines=False))
    assert log.summary(TOY).startswith(f"{TOY}: 2 reports; "), log.summary(TOY)
    log.dispose()


@pytest.mark.parametrize(("n_items", "words"), [(1, "1 topic, 2 points"), (2, "2 topics, 4 points")])
def test_rubric_counts_its_topics(n_items: int, words: str) -> None:
    items = [{"topic": f"topic {i}", "points": 2.0, "strong": "says so"} for i in range(n_items)]
    document = rubric_document(
        spec(TOY), items=items, source="a test", diagnosis="", facts=[], fact_header=["candidate"], worlds={}
    )
    assert f"Source: a test. {words}. " in document.to_markdown()
