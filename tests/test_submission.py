"""Submission validation: every ProblemCode, every accepted form, one error for all problems."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.exceptions import Problem, ProblemCode, SubmissionError, SubmissionWarning
from casestudies.scoring._submission import validate_binary

IDS = np.array([10, 11, 12, 13], dtype=np.int64)
GOOD = np.array([0.1, 0.9, 0.3, 0.5])


def validate(predictions: object, *, probabilities: bool = True) -> np.ndarray:
    return validate_binary(predictions, scenario_id="demo-v1", ids=IDS, id_column="row_id", probabilities=probabilities)


def problems_of(predictions: object) -> tuple[Problem, ...]:
    with pytest.raises(SubmissionError) as info:
        validate(predictions)
    error = info.value
    assert type(error) is SubmissionError  # never a pandas or numpy error
    assert error.scenario_id == "demo-v1"
    for problem in error.problems:
        assert isinstance(problem.code, ProblemCode)
        assert problem.expected and problem.received and problem.hint, problem
        assert str(problem) in str(error)
    return error.problems


def codes_of(predictions: object) -> list[str]:
    return [problem.code.value for problem in problems_of(predictions)]


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make("plugin-toy-v1", seed=5, n_rows=400)


# -- accepted forms ------------------------------------------------------------------


def test_array_and_list_in_test_order() -> None:
    np.testing.assert_array_equal(validate(GOOD), GOOD)
    np.testing.assert_array_equal(validate(GOOD.tolist()), GOOD)
    np.testing.assert_array_equal(validate(tuple(GOOD)), GOOD)
    np.testing.assert_array_equal(validate(GOOD.reshape(-1, 1)), GOOD)
    np.testing.assert_array_equal(validate(GOOD.astype(np.float32)), GOOD.astype(np.float32).astype(np.float64))
    assert validate(GOOD).dtype == np.float64


def test_result_is_a_writable_copy() -> None:
    submitted = GOOD.copy()
    result = validate(submitted)
    result[0] = 0.7
    assert submitted[0] == 0.1


def test_series_indexed_by_id_aligns_in_any_order() -> None:
    order = [3, 1, 0, 2]
    shuffled = pd.Series(GOOD[order], index=IDS[order])
    np.testing.assert_array_equal(validate(shuffled), GOOD)


def test_series_with_string_or_float_ids_aligns() -> None:
    np.testing.assert_array_equal(validate(pd.Series(GOOD[::-1], index=[str(i) for i in IDS[::-1]])), GOOD)
    np.testing.assert_array_equal(validate(pd.Series(GOOD, index=IDS.astype(float))), GOOD)


@pytest.mark.parametrize("id_name", ["row_id", "id"])
def test_dataframe_with_id_and_prediction(id_name: str) -> None:
    frame = pd.DataFrame({id_name: IDS[::-1], "prediction": GOOD[::-1]})
    np.testing.assert_array_equal(validate(frame), GOOD)
    np.testing.assert_array_equal(validate(frame[["prediction", id_name]]), GOOD)


def test_dataframe_indexed_by_id_or_with_only_a_prediction_column() -> None:
    np.testing.assert_array_equal(validate(pd.DataFrame({"row_id": IDS, "prediction": GOOD}).set_index("row_id")), GOOD)
    np.testing.assert_array_equal(validate(pd.DataFrame({"prediction": GOOD})), GOOD)


def test_dataframe_with_string_ids() -> None:
    frame = pd.DataFrame({"row_id": [str(i) for i in IDS], "prediction": GOOD})
    np.testing.assert_array_equal(validate(frame), GOOD)


def test_csv_and_parquet_files(tmp_path: Path) -> None:
    frame = pd.DataFrame({"row_id": IDS[::-1], "prediction": GOOD[::-1]})
    frame.to_csv(tmp_path / "predictions.csv", index=False)
    frame.to_parquet(tmp_path / "predictions.parquet", index=False)
    frame.to_csv(tmp_path / "predictions.csv.gz", index=False)
    for name in ("predictions.csv", "predictions.parquet", "predictions.csv.gz"):
        np.testing.assert_array_equal(validate(tmp_path / name), GOOD)
        np.testing.assert_array_equal(validate(str(tmp_path / name)), GOOD)


def test_csv_with_ids_written_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    lines = ["id,prediction"] + [f'"{i:06d}",{p}' for i, p in zip(IDS, GOOD, strict=True)]  # quoted, zero-padded
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.testing.assert_array_equal(validate(path), GOOD)
    floats = tmp_path / "floats.csv"
    floats.write_text(
        "row_id,prediction\n" + "".join(f"{i}.0,{p}\n" for i, p in zip(IDS, GOOD, strict=True)), encoding="utf-8"
    )
    np.testing.assert_array_equal(validate(floats), GOOD)


def test_parquet_with_string_ids(tmp_path: Path) -> None:
    path = tmp_path / "predictions.parquet"
    pd.DataFrame({"row_id": pd.array([str(i) for i in IDS], dtype="string"), "prediction": GOOD}).to_parquet(path)
    np.testing.assert_array_equal(validate(path), GOOD)


def test_scores_outside_unit_interval_are_fine_when_not_probabilities() -> None:
    np.testing.assert_array_equal(validate(GOOD * 10 - 3, probabilities=False), GOOD * 10 - 3)


def test_booleans_and_nullable_floats_are_numbers() -> None:
    np.testing.assert_array_equal(validate(np.array([True, False, True, False])), [1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(validate(pd.array(GOOD, dtype="Float64")), GOOD)


# -- every problem code ---------------------------------------------------------------


def test_wrong_length_message_is_the_api() -> None:
    (problem,) = problems_of(GOOD[:3])
    assert problem == Problem(
        ProblemCode.WRONG_LENGTH,
        "4 predictions (one per holdout row)",
        "3",
        "Predict on case.test without dropping or adding rows.",
    )
    assert codes_of(np.append(GOOD, 0.5)) == ["WRONG_LENGTH"]


def test_missing_duplicate_and_unknown_ids_together() -> None:
    frame = pd.DataFrame({"row_id": [10, 10, 11, 99], "prediction": [0.1, 0.2, 0.3, 0.4]})
    problems = problems_of(frame)
    assert [p.code for p in problems] == [ProblemCode.DUPLICATE_IDS, ProblemCode.UNKNOWN_IDS, ProblemCode.MISSING_IDS]
    duplicate, unknown, missing = problems
    assert duplicate.received == "1 repeated id, e.g. [10]"
    assert unknown.received == "1 id that is not in the test set, e.g. [99]"
    assert missing.received == "none for 2 ids, e.g. [12, 13]"
    assert missing.expected == "a prediction for every one of the 4 test ids"


def test_series_with_default_range_index_is_unknown_ids_with_a_hint() -> None:
    (problem,) = problems_of(pd.Series(GOOD))
    assert problem.code is ProblemCode.UNKNOWN_IDS
    assert "series.to_numpy()" in problem.hint


def test_non_finite_values_are_located() -> None:
    values = GOOD.copy()
    values[1], values[3] = np.nan, np.inf
    (problem,) = problems_of(values)
    assert problem.code is ProblemCode.NON_FINITE
    assert problem.received == "2 NaN or infinite values at positions [1, 3]"
    (by_id,) = problems_of(pd.Series(values, index=IDS))
    assert by_id.received == "2 NaN or infinite values at ids [11, 13]"


def test_out_of_range() -> None:
    (problem,) = problems_of(np.array([-0.5, 0.5, 1.5, 0.2]))
    assert problem.code is ProblemCode.OUT_OF_RANGE
    assert problem.received == "2 values outside, range [-0.5, 1.5]"
    assert "predict_proba" in problem.hint and "expit" in problem.hint


@pytest.mark.parametrize(
    "values",
    [
        np.array(["a", "b", "c", "d"]),
        ["0.1", "high", 0.3, 0.4],
        np.array([0.1, 0.2, 0.3, 0.4 + 1j]),
        np.array([{"a": 1}, 0.2, 0.3, 0.4], dtype=object),
    ],
    ids=["strings", "mixed", "complex", "objects"],
)
def test_non_numeric(values: object) -> None:
    assert codes_of(values) == ["NON_NUMERIC"]


def test_non_numeric_examples_are_shown() -> None:
    (problem,) = problems_of(["0.1", "high", 0.3, "low"])
    assert problem.received == "2 values that are not numbers, e.g. ['high', 'low'] at positions [1, 3]"


@pytest.mark.parametrize(
    "empty",
    [[], np.array([]), pd.Series([], dtype=float), pd.DataFrame({"row_id": [], "prediction": []}), pd.DataFrame()],
    ids=["list", "array", "series", "frame", "bare-frame"],
)
def test_empty(empty: object) -> None:
    assert codes_of(empty) == ["EMPTY"]


def test_empty_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "predictions.csv"
    path.write_text("row_id,prediction\n", encoding="utf-8")
    assert codes_of(path) == ["EMPTY"]


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (pd.DataFrame({"row_id": IDS, "score": GOOD}), "columns ['row_id', 'score']"),
        (pd.DataFrame({"score": GOOD}), "columns ['score']"),
        (pd.DataFrame({"row_id": IDS, "id": IDS, "prediction": GOOD}), "columns ['row_id', 'id', 'prediction']"),
        (pd.DataFrame({"row_id": IDS, "score": GOOD, "x": GOOD}), "columns ['row_id', 'score', 'x']"),
    ],
)
def test_wrong_columns(frame: pd.DataFrame, fragment: str) -> None:
    problems = problems_of(frame)
    assert [p.code for p in problems] == [ProblemCode.WRONG_COLUMNS]
    assert problems[0].received == fragment
    assert problems[0].expected == "exactly two columns: 'row_id' (or 'id') and 'prediction'"


def test_csv_written_with_its_index_is_read_with_a_hint(tmp_path: Path) -> None:
    """The index column is unambiguous extra data: it is ignored, and the warning says how to avoid it."""
    path = tmp_path / "predictions.csv"
    pd.DataFrame({"row_id": IDS, "prediction": GOOD}).to_csv(path)  # index=True by mistake
    with pytest.warns(SubmissionWarning, match=re.escape("to_csv(index=False)")):
        np.testing.assert_array_equal(validate(path), GOOD)


@pytest.mark.parametrize(
    "value",
    [{"row_id": 10}, {10, 11}, 0.5, iter(GOOD), object()],
    ids=["dict", "set", "float", "iterator", "object"],
)
def test_wrong_type(value: object) -> None:
    assert codes_of(value) == ["WRONG_TYPE"]


def test_a_string_is_read_as_a_path() -> None:
    (problem,) = problems_of("not a path")
    assert problem == Problem(
        ProblemCode.UNREADABLE_FILE,
        "a readable .csv or .parquet file with columns id,prediction",
        "'not a path' with suffix ''",
        "Save predictions as .csv or .parquet.",
    )


def test_none_is_wrong_type_with_a_return_hint() -> None:
    (problem,) = problems_of(None)
    assert problem.code is ProblemCode.WRONG_TYPE and problem.received == "None"
    assert "returns them" in problem.hint


def test_predict_proba_output_is_read_as_the_positive_column() -> None:
    """Rows summing to 1 over two columns are predict_proba output: the second column is the positive class."""
    proba = np.column_stack([1 - GOOD, GOOD])
    np.testing.assert_array_equal(validate(proba), GOOD)
    np.testing.assert_array_equal(validate(pd.DataFrame(proba)), GOOD)
    (problem,) = problems_of(np.column_stack([GOOD, GOOD]))  # two columns that are not probabilities of two classes
    assert problem == Problem(
        ProblemCode.WRONG_SHAPE, "shape (4,)", "shape (4, 2)", "If these come from predict_proba, pass proba[:, 1]."
    )


@pytest.mark.parametrize(
    "value",
    [np.zeros((4, 3)), np.zeros((2, 2, 1)), np.float64(0.5), [[0.1], [0.2, 0.3]]],
    ids=["3-cols", "3-d", "scalar", "ragged"],
)
def test_wrong_shape(value: object) -> None:
    assert codes_of(value) == ["WRONG_SHAPE"]


def test_series_with_a_multiindex() -> None:
    series = pd.Series(GOOD, index=pd.MultiIndex.from_arrays([IDS, IDS]))
    assert codes_of(series) == ["WRONG_SHAPE"]


def test_unhashable_ids_are_a_submission_error() -> None:
    frame = pd.DataFrame({"row_id": [[10], [11], [12], [13]], "prediction": GOOD})
    assert codes_of(frame) == ["WRONG_TYPE"]


def test_masked_entries_count_as_missing() -> None:
    masked = np.ma.array(GOOD, mask=[False, True, False, False])
    (problem,) = problems_of(masked)
    assert problem.code is ProblemCode.NON_FINITE and problem.received == "1 NaN or infinite values at positions [1]"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    (problem,) = problems_of(path)
    assert problem == Problem(
        ProblemCode.UNREADABLE_FILE,
        "a readable .csv or .parquet file with columns id,prediction",
        f"no file at {str(path)!r}",
        "Check the path.",
    )


def test_wrongly_suffixed_file(tmp_path: Path) -> None:
    path = tmp_path / "predictions.xlsx"
    path.write_bytes(b"PK\x03\x04")
    (problem,) = problems_of(path)
    assert problem.code is ProblemCode.UNREADABLE_FILE
    assert problem.received == f"{str(path)!r} with suffix '.xlsx'"
    assert problem.hint == "Save predictions as .csv or .parquet."


@pytest.mark.parametrize(
    ("name", "content"),
    [("bad.parquet", b"this is not parquet"), ("bad.csv", b"\x00\xff\xfe binary\n\x00"), ("empty.csv", b"")],
)
def test_unreadable_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    # Parquet without its magic bytes, bytes that are not UTF-8 (pandas reads CSV as UTF-8, strictly), no
    # bytes at all: none of them parses, whatever the pandas version.
    (problem,) = problems_of(path)
    assert problem.code is ProblemCode.UNREADABLE_FILE
    assert problem.received.startswith(f"{str(path)!r}, which could not be parsed ("), problem.received


def test_a_folder_is_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "predictions.csv"
    folder.mkdir()
    assert codes_of(folder) == ["UNREADABLE_FILE"]


# -- all problems at once ---------------------------------------------------------------


def test_several_problems_in_one_error() -> None:
    values = [0.1, np.nan, 2.0, "x", 0.3]
    problems = problems_of(values)
    assert [p.code.value for p in problems] == ["WRONG_LENGTH", "NON_NUMERIC", "NON_FINITE", "OUT_OF_RANGE"]


def test_several_id_and_value_problems_in_one_error() -> None:
    frame = pd.DataFrame({"row_id": [10, 11, 11, 12, 77], "prediction": [0.5, np.nan, 0.2, 3.0, 0.1]})
    codes = codes_of(frame)
    assert codes == ["DUPLICATE_IDS", "UNKNOWN_IDS", "MISSING_IDS", "NON_FINITE", "OUT_OF_RANGE"]


def test_error_message_lists_every_problem() -> None:
    with pytest.raises(SubmissionError) as info:
        validate([0.1, np.nan, 2.0])
    lines = str(info.value).splitlines()
    assert lines[0] == "submission for 'demo-v1' has 3 problems:"
    assert lines[1] == (
        "  - [WRONG_LENGTH] expected 4 predictions (one per holdout row); got 3. "
        "Predict on case.test without dropping or adding rows."
    )
    assert lines[2].startswith("  - [NON_FINITE]") and lines[3].startswith("  - [OUT_OF_RANGE]")
    assert [p.to_dict()["code"] for p in info.value.problems] == ["WRONG_LENGTH", "NON_FINITE", "OUT_OF_RANGE"]


def test_problems_are_plain_data() -> None:
    (problem,) = problems_of(GOOD[:3])
    assert problem.to_dict() == {
        "code": "WRONG_LENGTH",
        "expected": "4 predictions (one per holdout row)",
        "received": "3",
        "hint": "Predict on case.test without dropping or adding rows.",
    }


# -- through case.score ---------------------------------------------------------------------


def test_case_score_accepts_every_form(case: cs.Case, tmp_path: Path) -> None:
    ids = case.test[case.id_column].to_numpy()
    scores = np.linspace(0.01, 0.99, len(ids))

    def scored(form: object) -> str:  # as JSON: NaN metrics (no costs here) compare equal
        return json.dumps(case.score(form, baselines=False).to_dict()["submission"]["scores"], sort_keys=True)

    expected = scored(scores)
    order = np.random.default_rng(0).permutation(len(ids))
    frame = pd.DataFrame({case.id_column: ids[order], "prediction": scores[order]})
    frame.to_csv(tmp_path / "p.csv", index=False)
    frame.rename(columns={case.id_column: "id"}).to_parquet(tmp_path / "p.parquet")
    forms = [
        scores.tolist(),
        pd.Series(scores[order], index=ids[order]),
        frame,
        tmp_path / "p.csv",
        str(tmp_path / "p.parquet"),
    ]
    for form in forms:
        assert scored(form) == expected


def test_case_score_reports_problems_with_the_case_id(case: cs.Case) -> None:
    n = len(case.test)
    with pytest.raises(SubmissionError) as info:
        case.score(np.full(n - 2, 0.5), baselines=False)
    (problem,) = info.value.problems
    assert info.value.scenario_id == "plugin-toy-v1"
    assert problem.expected == f"{n} predictions (one per holdout row)" and problem.received == f"{n - 2}"
    assert str(info.value).startswith("submission for 'plugin-toy-v1' has 1 problem:\n")


@pytest.mark.parametrize(
    "bad",
    [None, {}, set(), "missing.csv", np.array(["x"] * 10), pd.DataFrame({"a": [1]}), np.zeros((3, 2)), [np.nan]],
    ids=["none", "dict", "set", "path", "strings", "frame", "proba", "nan"],
)
def test_case_score_raises_only_submission_errors(case: cs.Case, bad: object) -> None:
    with pytest.raises(SubmissionError) as info:
        case.score(bad, baselines=False)
    assert type(info.value) is SubmissionError
    assert info.value.problems and all(p.expected and p.received and p.hint for p in info.value.problems)


def test_case_score_with_wrong_ids_names_the_id_column(case: cs.Case) -> None:
    ids = case.test[case.id_column].to_numpy()
    frame = pd.DataFrame({case.id_column: ids + 1_000_000, "prediction": 0.5})
    with pytest.raises(SubmissionError, match=re.escape("only ids from case.test['row_id']")):
        case.score(frame, baselines=False)
