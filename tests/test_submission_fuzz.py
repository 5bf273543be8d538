"""Property-based tests of every task's submission validator (binary, rating, top-N).

Hypothesis generates submissions around real, small cases: valid ones
damaged a few rows at a time (ids dropped, repeated, retyped, made text,
huge or NaN; values made NaN, infinite, text, out of range), tables with
random columns and cells, and files of random bytes or of valid content in
random encodings. Three properties hold for every one:

1. the validator returns values or raises :class:`SubmissionError`, nothing
   else (and no numpy or pandas warning escapes);
2. every problem it lists is true of the input: each ``ProblemCode``'s
   claim, and its count, is re-derived here from the raw input with plain
   Python (``float(text)``, ``int(text)``), independently of the validators;
   when it accepts, the values it returns are the input's, matched by id;
3. a valid submission shuffled or re-typed (int, float or text ids, Series
   or frame, CSV or Parquet, extra columns, predict_proba columns) gives
   the same values, hence the same scores.

The damaged submissions are checked against a real case's first test rows
(:data:`ROWS`: the real ids and dtypes, a small haystack), the valid ones
against :data:`VALID_ROWS` rows, and one end-to-end test scores a form of
each kind through ``case.score`` on the whole case.

Runs: by default 1,850 examples (binary 850, rating 500, top-N 500),
deterministic (``derandomize``), about 12 s of CPU on our 2-core machines.
``CASESTUDIES_FUZZ_SCALE=5 python -m pytest tests/test_submission_fuzz.py``
runs five times as many (a few thousand per task, about a minute), drawn at
random, so each such run explores anew.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casestudies as cs
from casestudies.case import host_view
from casestudies.exceptions import Problem, ProblemCode, SubmissionError, SubmissionWarning
from casestudies.scenarios.movies import MostPopular
from casestudies.scoring import SubmissionContext

SCALE = int(os.environ.get("CASESTUDIES_FUZZ_SCALE", "1"))

ROWS = 60
"""Test rows the damaged submissions are validated against: a real case's first rows (fast, same ids and dtypes)."""

VALID_ROWS = 300
"""Test rows of the valid submissions that are shuffled and retyped."""


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings: ``examples`` times :data:`SCALE`; deterministic at the default scale; no database."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the input, re-read with plain Python ------------------------------------------------------------


def py_scalar(value: object) -> object:
    """numpy scalars as Python ones (dates and times stay as they are)."""
    if isinstance(value, (np.number, np.bool_, np.str_)):
        return value.item()
    return value


def py_number(value: object) -> float | None:
    """The documented reading of one value: a float, NaN when missing, None when not a number."""
    value = py_scalar(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int):
        return float(value) if abs(value) < 2**1023 else math.copysign(math.inf, value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan
        try:
            return float(text)
        except ValueError:
            return None
    return None


def py_whole(value: object) -> int | None:
    """The documented reading of one id: a Python int for a whole number (12, 12.0, '0012'), else None."""
    value = py_scalar(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                value = float(value.strip())
            except ValueError:
                return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def fits_int64(number: int | None) -> bool:
    return number is not None and -(2**63) <= number < 2**63


def is_container(value: object) -> bool:
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        return True
    try:
        hash(value)
    except TypeError:
        return True
    return False


def shape_of(value: object) -> tuple[int, ...] | None:
    """numpy's shape of a nested sequence, None for a ragged one."""
    try:
        return np.shape(np.asarray(value, dtype=object))
    except ValueError:
        return None


def is_predict_proba(array: np.ndarray) -> bool:
    """Two columns of probabilities, each row summing to 1: predict_proba output (the positive class second)."""
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "biuf" or not len(array):
        return False
    rows = array.astype(float).tolist()
    return all(
        all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in row) and abs(row[0] + row[1] - 1.0) <= 1e-6 for row in rows
    )


def names_of(frame: pd.DataFrame) -> list[str]:
    return [str(column).lstrip("\ufeff") for column in frame.columns]


def count(problem: Problem) -> int:
    """The count a problem's ``received`` starts with ('3 ids ...', 'none for 3 ids ...')."""
    words = problem.received.split()
    return int((words[2] if words[0] == "none" else words[0]).replace(",", ""))


def read_back(path: Path) -> pd.DataFrame | None:
    """The file as pandas reads it, None if it cannot (the documented suffixes only)."""
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt")):
            return pd.read_csv(path)
    except Exception:
        return None
    return None


# -- validators under test ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Target:
    """A case's validator, the test rows a submission must cover and a valid submission of them."""

    case: cs.Case
    context: SubmissionContext
    valid: pd.DataFrame  # a valid table submission

    def __repr__(self) -> str:
        return f"Target({self.case.id!r}, {len(self.test)} rows)"

    def validate(self, submission: object) -> np.ndarray:
        return host_view(self.case).task.validate(submission, self.context)

    @property
    def id_column(self) -> str:
        return self.context.id_column

    @property
    def test(self) -> pd.DataFrame:
        return self.context.test

    @property
    def ids(self) -> np.ndarray:
        return self.context.ids

    def first(self, n_rows: int, **scoring: object) -> Target:
        """The same validator on the first ``n_rows`` test rows (the real ids and dtypes; a smaller haystack)."""
        test = self.test.iloc[:n_rows]
        column = "user_id" if "rank" in self.valid.columns else self.id_column
        valid = self.valid[self.valid[column].isin(test[column])]
        context = SubmissionContext(
            self.context.scenario_id, self.id_column, test, {**self.context.scoring, **scoring}, self.context.extras
        )
        return Target(self.case, context, valid)


def run(target: Target, submission: object) -> tuple[np.ndarray | None, tuple[Problem, ...], list[str]]:
    """Property 1: values or a SubmissionError; returns them with the problems and our warnings."""
    error: SubmissionError | None = None
    values: np.ndarray | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            values = target.validate(submission)
        except SubmissionError as err:
            error = err
    problems: tuple[Problem, ...] = ()
    if error is not None:
        assert type(error) is SubmissionError
        assert error.problems, "an error without problems"
        for problem in error.problems:
            assert problem.expected and problem.received and problem.hint, problem
        problems = error.problems
    ours = []
    for warning in caught:
        text = str(warning.message)
        assert warning.category is SubmissionWarning and text.startswith("the submission's columns "), text
        ours.append(text)
    assert not (ours and problems), "warned about a submission that was refused"
    return values, problems, ours


@pytest.fixture(scope="module")
def fraud() -> Target:
    case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
    valid = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": case.reveal()["probability"]})
    return Target(case, host_view(case).context.submission, valid)


@pytest.fixture(scope="module")
def rating() -> Target:
    case = cs.make("movies-rating-v1", seed=0, n_users=200, n_movies=400, n_ratings=12_000, n_unseen_pairs=2_000)
    ratings = np.random.default_rng(0).uniform(1.0, 5.0, len(case.test)).round(3)
    valid = case.test[["rating_id", "user_id", "movie_id"]].assign(rating=ratings)
    return Target(case, host_view(case).context.submission, valid)


@pytest.fixture(scope="module")
def topn() -> Target:
    case = cs.make("movies-topn-v1", seed=0, n_users=300, n_movies=500, n_ratings=18_000, cold_start_fraction=0.1)
    valid = MostPopular().fit(case.train).recommend(case.test["user_id"].to_numpy(), 10)
    return Target(case, host_view(case).context.submission, valid)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# -- strategies ---------------------------------------------------------------------------------------------

TEXT = st.text(alphabet="0123456789.e+-_ xnaifINFAy", max_size=6)
ODD_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    TEXT,
    st.sampled_from(["nan", "", " 0.5 ", "1e3", "inf", "-Infinity", "0x10", "1_0", "４", None, True, False]),
    st.just(1 + 2j),
)
ODD_IDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 1e30, np.nan, None, "", "x", True, 1.5, (1,), "0x1"]),
    TEXT,
    st.floats(allow_nan=True, allow_infinity=True),
)
COLUMN_NAMES = st.sampled_from(
    ["prediction", "id", "rating", "rank", "user_id", "movie_id", "score", "Unnamed: 0", "x", "0", "1", "\ufeffid"]
)


def as_float(value: object) -> object:
    """``float(value)`` where Python can, else the value unchanged (retyping an id column keeps odd ids odd)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return value


def positions(n: int) -> st.SearchStrategy[list[int]]:
    """Up to four row positions of a table of ``n`` rows (repeats allowed)."""
    return st.lists(st.integers(min_value=0, max_value=max(n - 1, 0)), max_size=4)


@st.composite
def damaged(draw: st.DrawFn, valid: pd.DataFrame, id_columns: tuple[str, ...], value_column: str) -> pd.DataFrame:
    """A valid table damaged a few rows at a time: rows dropped or repeated, ids and values made odd."""
    frame = valid.copy()
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        action = draw(st.sampled_from(["drop", "repeat", "odd_id", "odd_value", "shuffle", "retype"]))
        where = draw(positions(len(frame)))
        if action == "drop":
            frame = frame.drop(index=frame.index[where])
        elif action == "repeat":
            frame = pd.concat([frame, frame.iloc[where]])
        elif action == "shuffle":
            frame = frame.sample(frac=1.0, random_state=draw(st.integers(0, 9)))
        elif action == "retype":
            column = draw(st.sampled_from(id_columns))
            kind = draw(st.sampled_from([as_float, str, lambda v: str(v).zfill(12), lambda v: f" {v} "]))
            frame[column] = [kind(v) for v in frame[column]]
        elif where:
            column = draw(st.sampled_from(id_columns)) if action == "odd_id" else value_column
            cells = draw(
                st.lists(ODD_IDS if action == "odd_id" else ODD_VALUES, min_size=len(where), max_size=len(where))
            )
            frame[column] = frame[column].astype(object)
            for row, cell in zip(where, cells, strict=True):
                if row < len(frame):
                    frame.iat[row, frame.columns.get_loc(column)] = cell
    if draw(st.booleans()):
        frame = frame.assign(**{draw(COLUMN_NAMES.filter(lambda c: c not in frame.columns)): 0.5})
    return frame


@st.composite
def random_frame(draw: st.DrawFn, id_values: list[object]) -> pd.DataFrame:
    """A small table of random columns (names from the ones validators look for) and random cells."""
    names = draw(st.lists(COLUMN_NAMES, max_size=4))
    n_rows = draw(st.integers(min_value=0, max_value=6))
    cells = st.one_of(ODD_VALUES, st.sampled_from(id_values))
    columns = [draw(st.lists(cells, min_size=n_rows, max_size=n_rows)) for _ in names]
    frame = pd.DataFrame(dict(enumerate(columns)) if columns else {}, index=range(n_rows))
    frame.columns = pd.Index(names, dtype=object)
    return frame


def written(draw: st.DrawFn, frame: pd.DataFrame, folder: Path) -> Path:
    """``frame`` as a CSV (in a random encoding), gzipped CSV or Parquet file, or a file of random bytes."""
    kind = draw(st.sampled_from(["csv", "csv.gz", "parquet", "bytes", "encoded"]))
    path = folder / f"submission.{draw(st.sampled_from(['csv', 'parquet', 'txt', 'pq', 'csv.gz', 'xlsx']))}"
    if kind == "bytes":
        path.write_bytes(draw(st.binary(max_size=300)))
        return path
    if kind == "parquet":
        path = folder / "submission.parquet"
        try:
            frame.to_parquet(path, index=False)
            return path
        except Exception:  # mixed-type columns: pyarrow refuses them, so they go as CSV
            kind = "csv"
    path = folder / ("submission.csv.gz" if kind == "csv.gz" else "submission.csv")
    if kind == "encoded":
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
        path.write_bytes(frame.to_csv(index=False).encode(encoding, errors="replace"))
    else:
        frame.to_csv(path, index=False)
    return path


# -- the claims of each problem, checked against the input ----------------------------------------------


def check_values(problems: tuple[Problem, ...], values: list[object], low: float, high: float) -> None:
    """NON_NUMERIC, NON_FINITE and OUT_OF_RANGE, with their exact counts."""
    readings = [py_number(value) for value in values]
    for problem in problems:
        if problem.code is ProblemCode.NON_NUMERIC and problem.expected == "real numbers":
            assert any(isinstance(value, complex) or np.iscomplexobj(value) for value in values)
        elif problem.code is ProblemCode.NON_NUMERIC and problem.expected == "numbers":
            assert count(problem) == sum(reading is None for reading in readings)
        elif problem.code is ProblemCode.NON_FINITE:
            assert count(problem) == sum(r is not None and not math.isfinite(r) for r in readings)
        elif problem.code is ProblemCode.OUT_OF_RANGE:
            outside = [r for r in readings if r is not None and math.isfinite(r) and not low <= r <= high]
            assert count(problem) == len(outside)


def check_ids(problems: tuple[Problem, ...], submitted: list[object], expected: np.ndarray) -> None:
    """DUPLICATE_IDS, UNKNOWN_IDS, MISSING_IDS and WRONG_TYPE of ids, against the ids as given."""
    wholes = [py_whole(value) for value in submitted]
    known = {int(i) for i in expected}
    in_range = [w for w in wholes if fits_int64(w)]
    for problem in problems:
        if problem.code is ProblemCode.DUPLICATE_IDS:
            assert count(problem) == len(in_range) - len(set(in_range))
        elif problem.code is ProblemCode.UNKNOWN_IDS:
            unknown = [w for w in wholes if w not in known]
            assert 1 <= count(problem) <= len(unknown)
        elif problem.code is ProblemCode.MISSING_IDS:
            assert count(problem) == len(known - set(wholes))
        elif problem.code is ProblemCode.WRONG_TYPE:
            assert any(is_container(value) for value in submitted)


def rows_of(
    frame: pd.DataFrame, id_column: str, value_columns: tuple[str, ...]
) -> tuple[list[object], list[object]] | None:
    """(ids, values) of a table the documented rules accept by id, None if they do not."""
    names = names_of(frame)
    ids = [name for name in (id_column, "id") if name in names]
    values = [name for name in value_columns if name in names]
    if frame.index.name is not None and not ids and str(frame.index.name) in (id_column, "id"):
        frame = frame.reset_index()
        names, ids = names_of(frame), [str(frame.columns[0])]
    if len(ids) != 1 or len(values) != 1 or names.count(ids[0]) != 1 or names.count(values[0]) != 1:
        return None
    return frame.iloc[:, names.index(ids[0])].tolist(), frame.iloc[:, names.index(values[0])].tolist()


def check_row_submission(
    target: Target, submission: object, low: float, high: float, value_columns: tuple[str, ...] = ("prediction",)
) -> None:
    """Properties 1 and 2 for a per-row submission (binary, or ratings given per row)."""
    values, problems, warned = run(target, submission)
    codes = {p.code for p in problems}
    if isinstance(submission, (str, Path)):
        submission = read_back(Path(submission))
        if submission is None:
            assert [p.code for p in problems] == [ProblemCode.UNREADABLE_FILE]
            return
    assert ProblemCode.UNREADABLE_FILE not in codes
    if not isinstance(submission, (pd.DataFrame, pd.Series, np.ndarray, list, tuple)):
        assert codes == {ProblemCode.WRONG_TYPE}
        return
    if ProblemCode.EMPTY in codes:
        assert len(submission) == 0
        return
    if isinstance(submission, pd.DataFrame):
        check_frame(target, submission, values, problems, warned, low, high, value_columns)
    elif isinstance(submission, pd.Series):
        index = submission.index
        if isinstance(index, pd.MultiIndex):
            assert ProblemCode.WRONG_SHAPE in codes
        elif isinstance(index, pd.RangeIndex) and index[0] not in set(target.ids.tolist()):
            assert ProblemCode.UNKNOWN_IDS in codes
        else:
            check_by_id(target, index.tolist(), submission.tolist(), values, problems, low, high)
            return
        check_values(problems, submission.tolist(), low, high)
    else:
        check_in_order(target, np.asarray(submission), values, problems, low, high)


def check_frame(
    target: Target,
    frame: pd.DataFrame,
    values: np.ndarray | None,
    problems: tuple[Problem, ...],
    warned: list[str],
    low: float,
    high: float,
    value_columns: tuple[str, ...],
) -> None:
    """The claims about a table of values, by id or in order."""
    codes = {p.code for p in problems}
    rows = rows_of(frame, target.id_column, value_columns)
    if ProblemCode.WRONG_COLUMNS in codes:
        assert rows is None
        return
    if rows is None:  # accepted as values in order: one value column, or predict_proba columns
        names = names_of(frame)
        block = frame.to_numpy()
        in_order = block[:, 0] if names in ([name] for name in value_columns) else block
        check_in_order(target, in_order, values, problems, low, high)
        return
    ids, raw = rows
    check_by_id(target, ids, raw, values, problems, low, high)
    if values is not None:
        named = set(names_of(frame)) - set(value_columns) - {target.id_column, "id"}
        assert bool(named) == bool(warned)
        for text in warned:
            assert all(repr(name) in text for name in named)


def check_by_id(
    target: Target,
    ids: list[object],
    raw: list[object],
    values: np.ndarray | None,
    problems: tuple[Problem, ...],
    low: float,
    high: float,
) -> None:
    check_ids(problems, ids, target.ids)
    check_values(problems, raw, low, high)
    if values is not None:
        by_id = dict(zip((py_whole(i) for i in ids), raw, strict=True))
        assert values.tolist() == [py_number(by_id[int(i)]) for i in target.ids]


def check_in_order(
    target: Target, array: np.ndarray, values: np.ndarray | None, problems: tuple[Problem, ...], low: float, high: float
) -> None:
    codes = {p.code for p in problems}
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if is_predict_proba(array):
        array = array[:, 1]
    if ProblemCode.WRONG_SHAPE in codes:
        assert array.ndim != 1
        return
    assert array.ndim == 1
    assert (ProblemCode.WRONG_LENGTH in codes) == (len(array) != len(target.ids))
    check_values(problems, array.tolist(), low, high)
    if values is not None:
        assert values.tolist() == [py_number(value) for value in array.tolist()]


# -- binary ---------------------------------------------------------------------------------------------------


@st.composite
def binary_submissions(draw: st.DrawFn, target: Target, folder: Path) -> object:
    ids = target.valid[target.id_column].tolist()
    kind = draw(st.sampled_from(["damaged", "damaged", "array", "random", "file", "file", "series", "other"]))
    if kind == "other":
        return draw(st.sampled_from([None, {"id": 1}, {0.5}, 0.5, "missing.csv", iter([0.5]), b"0.5", object()]))
    if kind == "array":
        values = draw(damaged(target.valid, (target.id_column,), "prediction"))["prediction"].to_numpy()
        if draw(st.booleans()):
            values = values[: draw(st.integers(min_value=0, max_value=len(values)))]
        if draw(st.booleans()):
            values = np.column_stack([values, values]) if draw(st.booleans()) else values.reshape(-1, 1)
        return values
    frame = (
        draw(random_frame([*ids[:5], "id"]))
        if kind == "random"
        else draw(damaged(target.valid, (target.id_column,), "prediction"))
    )
    if kind == "damaged" and draw(st.booleans()):
        frame = frame.rename(columns={target.id_column: "id"})
    if kind == "file":
        return written(draw, frame, folder)
    if kind == "series":
        by_id = frame.set_index(frame.columns[0])[frame.columns[1]]
        return by_id.reset_index(drop=True) if draw(st.booleans()) else by_id
    return frame


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_fuzz_binary_scores(fraud: Target, folder: Path) -> None:
    target = fraud.first(ROWS)

    @fuzz(450)
    @given(submission=binary_submissions(target, folder))
    def check(submission: object) -> None:
        check_row_submission(target, submission, -math.inf, math.inf)

    check()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_fuzz_binary_probabilities(fraud: Target, folder: Path) -> None:
    target = fraud.first(ROWS, metrics=["accuracy"])  # a metric that reads probabilities (a board by accuracy)

    @fuzz(300)
    @given(submission=binary_submissions(target, folder))
    def check(submission: object) -> None:
        check_row_submission(target, submission, 0.0, 1.0)

    check()


@st.composite
def retyped_binary(draw: st.DrawFn, target: Target, folder: Path) -> object:
    """The valid submission in another form: shuffled, ids retyped, as a Series, file, proba columns..."""
    frame = target.valid.sample(frac=1.0, random_state=draw(st.integers(0, 2**16)))
    id_type = draw(st.sampled_from(["int", "float", "str", "padded", "object"]))
    ids = frame[target.id_column]
    frame[target.id_column] = {
        "int": ids,
        "float": ids.astype(float),
        "str": ids.astype(str),
        "padded": ids.map(lambda v: f"{v:012d}"),
        "object": ids.astype(object),
    }[id_type]
    form = draw(st.sampled_from(["frame", "id", "indexed", "series", "extra", "proba", "file", "in_order"]))
    if form == "id":
        return frame.rename(columns={target.id_column: "id"})
    if form == "indexed":
        return frame.set_index(target.id_column)
    if form == "series":
        return frame.set_index(target.id_column)["prediction"]
    if form == "extra":
        name = draw(COLUMN_NAMES.filter(lambda c: c.lstrip("\ufeff") not in (*frame.columns, "id", "0", "1")))
        return frame.assign(**{name: "note"})
    if form == "proba":
        p = frame["prediction"]
        return frame.drop(columns="prediction").assign(**{"0": 1.0 - p, "1": p})
    if form == "file":
        path = folder / f"valid.{draw(st.sampled_from(['csv', 'parquet', 'csv.gz']))}"
        if path.suffix == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=False)
        return path
    if form == "in_order":
        return target.valid["prediction"].to_numpy() if draw(st.booleans()) else target.valid["prediction"].tolist()
    return frame


def test_fuzz_binary_valid_forms_give_the_same_values(fraud: Target, folder: Path) -> None:
    target = fraud.first(VALID_ROWS)
    expected = target.valid["prediction"].to_numpy()

    @fuzz(100)
    @given(submission=retyped_binary(target, folder))
    def check(submission: object) -> None:
        values, problems, _ = run(target, submission)
        assert not problems, problems
        assert values is not None
        # "1 - p" then "1 - (1 - p)" is p only up to rounding: the proba form is compared as such.
        if isinstance(submission, pd.DataFrame) and "1" in submission.columns:
            np.testing.assert_allclose(values, expected, rtol=0, atol=1e-15)
        else:
            np.testing.assert_array_equal(values, expected)

    check()


# -- rating -------------------------------------------------------------------------------------------------


def check_pairs(target: Target, frame: pd.DataFrame, problems: tuple[Problem, ...], values: np.ndarray | None) -> None:
    """The claims about a user_id, movie_id, rating table."""
    names = names_of(frame)
    codes = [p.code for p in problems]
    if ProblemCode.EMPTY in codes:
        assert len(frame) == 0
    value_names = [name for name in ("rating", "prediction") if name in names]
    if ProblemCode.WRONG_COLUMNS in codes:
        assert len(value_names) != 1 or any(names.count(name) > 1 for name in ("user_id", "movie_id", *value_names))
        return
    if len(frame) == 0:
        return
    users = [py_whole(v) for v in frame.iloc[:, names.index("user_id")].tolist()]
    movies = [py_whole(v) for v in frame.iloc[:, names.index("movie_id")].tolist()]
    raw = frame.iloc[:, names.index(value_names[0])].tolist()
    known_users = {int(u) for u in target.context.extras["user_ids"]}  # type: ignore[attr-defined]
    n_movies = int(target.context.extras["n_movies"])  # type: ignore[call-overload]
    test_pairs = set(zip(target.test["user_id"].tolist(), target.test["movie_id"].tolist(), strict=True))
    known = [
        (u, m) for u, m in zip(users, movies, strict=True) if u in known_users and m is not None and 1 <= m <= n_movies
    ]
    for problem in problems:
        if problem.code is ProblemCode.NON_NUMERIC and problem.expected.startswith("integer"):
            assert count(problem) == sum(w is None for w in (users if "user_id" in problem.expected else movies))
        elif problem.code is ProblemCode.UNKNOWN_IDS and problem.expected.startswith("user ids"):
            assert 1 <= count(problem) <= sum(u is not None and u not in known_users for u in users)
        elif problem.code is ProblemCode.UNKNOWN_IDS and problem.expected.startswith("movie ids"):
            assert 1 <= count(problem) <= sum(m is not None and not 1 <= m <= n_movies for m in movies)
        elif problem.code is ProblemCode.UNKNOWN_IDS:
            assert count(problem) == sum(pair not in test_pairs for pair in known)
        elif problem.code is ProblemCode.DUPLICATE_IDS:
            assert count(problem) == len(known) - len(set(known))
        elif problem.code is ProblemCode.MISSING_IDS:
            assert count(problem) == len(test_pairs - set(known))
    check_values(problems, raw, 1.0, 5.0)
    if values is not None:
        by_pair = dict(zip(zip(users, movies, strict=True), raw, strict=True))
        pairs = zip(target.test["user_id"].tolist(), target.test["movie_id"].tolist(), strict=True)
        assert values.tolist() == [py_number(by_pair[pair]) for pair in pairs]


@st.composite
def rating_submissions(draw: st.DrawFn, target: Target, folder: Path) -> object:
    kind = draw(st.sampled_from(["pairs", "pairs", "rows", "array", "random", "file"]))
    ids = target.valid["user_id"].tolist()[:3] + target.valid["rating_id"].tolist()[:3]
    if kind == "array":
        return draw(damaged(target.valid, ("rating_id",), "rating"))["rating"].to_numpy()
    if kind == "rows":
        frame = draw(damaged(target.valid.drop(columns=["user_id", "movie_id"]), ("rating_id",), "rating"))
        return frame.rename(columns={"rating": draw(st.sampled_from(["rating", "prediction"]))})
    frame = (
        draw(random_frame(ids)) if kind == "random" else draw(damaged(target.valid, ("user_id", "movie_id"), "rating"))
    )
    if kind == "file":
        return written(draw, frame, folder)
    return frame


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_fuzz_rating(rating: Target, folder: Path) -> None:
    target = rating.first(ROWS)

    @fuzz(400)
    @given(submission=rating_submissions(target, folder))
    def check(submission: object) -> None:
        frame = read_back(submission) if isinstance(submission, Path) else submission
        if isinstance(submission, Path) and frame is None:
            _, problems, _ = run(rating, submission)
            assert [p.code for p in problems] == [ProblemCode.UNREADABLE_FILE]
        elif isinstance(frame, pd.DataFrame) and {"user_id", "movie_id"} <= set(names_of(frame)):
            values, problems, _ = run(rating, submission)
            check_pairs(rating, frame, problems, values)
        else:
            check_row_submission(rating, submission, 1.0, 5.0, ("prediction", "rating"))

    check()


@st.composite
def retyped_rating(draw: st.DrawFn, target: Target, folder: Path) -> object:
    frame = target.valid.sample(frac=1.0, random_state=draw(st.integers(0, 2**16)))
    column = draw(st.sampled_from(["rating_id", "user_id", "movie_id"]))
    frame[column] = frame[column].astype(draw(st.sampled_from([float, str, object, np.int32])))
    form = draw(st.sampled_from(["pairs", "assign", "rows", "series", "file", "in_order"]))
    if form == "pairs":
        return frame.drop(columns="rating_id")
    if form == "assign":  # case.test.assign(rating=...), shuffled and retyped
        return frame.assign(timestamp=0)
    if form == "rows":
        return frame[["rating_id", "rating"]].rename(
            columns={"rating": draw(st.sampled_from(["rating", "prediction"]))}
        )
    if form == "series":
        return frame.set_index("rating_id")["rating"]
    if form == "file":
        path = folder / f"valid.{draw(st.sampled_from(['csv', 'parquet']))}"
        if path.suffix == ".parquet":
            frame.drop(columns="rating_id").to_parquet(path)
        else:
            frame.drop(columns="rating_id").to_csv(path, index=False)
        return path
    return target.valid["rating"].to_numpy()


def test_fuzz_rating_valid_forms_give_the_same_values(rating: Target, folder: Path) -> None:
    target = rating.first(VALID_ROWS)
    expected = target.valid["rating"].to_numpy()

    @fuzz(100)
    @given(submission=retyped_rating(target, folder))
    def check(submission: object) -> None:
        values, problems, _ = run(target, submission)
        assert not problems, problems
        np.testing.assert_array_equal(values, expected)  # type: ignore[arg-type]

    check()


# -- top-N ----------------------------------------------------------------------------------------------------


def check_topn(target: Target, submission: object, problems: tuple[Problem, ...], values: np.ndarray | None) -> None:
    """The claims about a top-N submission."""
    users = target.test["user_id"].tolist()
    k = 10
    codes = [p.code for p in problems]
    if isinstance(submission, Path):
        submission = read_back(submission)
        if submission is None:
            assert codes == [ProblemCode.UNREADABLE_FILE]
            return
    if ProblemCode.WRONG_TYPE in codes:
        assert not isinstance(submission, (pd.DataFrame, np.ndarray, list, tuple))
        return
    if ProblemCode.WRONG_SHAPE in codes:
        assert not isinstance(submission, pd.DataFrame) and shape_of(submission) != (len(users), k)
        return
    if not isinstance(submission, pd.DataFrame):
        frame = pd.DataFrame(
            {
                "user_id": np.repeat(users, k),
                "movie_id": np.asarray(submission, dtype=object).ravel(),
                "rank": np.tile(np.arange(1, k + 1), len(users)),
            }
        )
    else:
        frame = submission
    names = names_of(frame)
    if ProblemCode.WRONG_COLUMNS in codes:
        assert any(names.count(name) != 1 for name in ("user_id", "movie_id", "rank"))
        return
    if ProblemCode.EMPTY in codes:
        assert len(frame) == 0
        return
    column = {
        name: [py_whole(v) for v in frame.iloc[:, names.index(name)].tolist()]
        for name in ("user_id", "movie_id", "rank")
    }
    extras = target.context.extras
    n_movies, seen = int(extras["n_movies"]), extras["seen"]
    test_users = set(users)
    rows = list(zip(column["user_id"], column["movie_id"], column["rank"], strict=True))
    for problem in problems:
        if problem.code is ProblemCode.NON_NUMERIC:
            name = problem.expected.split()[1]
            assert count(problem) == sum(value is None for value in column[name])
        elif problem.code is ProblemCode.UNKNOWN_IDS and problem.expected.startswith("user ids"):
            assert count(problem) == sum(u is not None and u not in test_users for u in column["user_id"])
        elif problem.code is ProblemCode.UNKNOWN_IDS:
            assert count(problem) == sum(m is not None and not 1 <= m <= n_movies for m in column["movie_id"])
        elif problem.code is ProblemCode.MISSING_IDS:
            assert count(problem) == len(test_users - set(column["user_id"]))
        elif problem.code is ProblemCode.DUPLICATE_IDS:
            pairs = [(u, m) for u, m, _ in rows if fits_int64(u) and fits_int64(m)]
            assert count(problem) == len(pairs) - len(set(pairs))
        elif problem.code is ProblemCode.BAD_RANKS:
            ranks: dict[int, list[int | None]] = {}
            for u, _, r in rows:
                if u in test_users:
                    ranks.setdefault(u, []).append(r)
            assert count(problem) == sum(
                sorted(r for r in got if r is not None) != list(range(1, k + 1)) or None in got
                for got in ranks.values()
            )
        elif problem.code is ProblemCode.ALREADY_RATED:
            rated = [
                (u, m)
                for u, m, _ in rows
                if u in test_users and m is not None and 1 <= m <= n_movies and seen[u, m] != 0
            ]
            assert count(problem) == len(rated)
    if values is not None:
        for u, m, r in rows:
            assert values[users.index(u), r - 1] == m


@st.composite
def topn_submissions(draw: st.DrawFn, target: Target, folder: Path) -> object:
    kind = draw(st.sampled_from(["damaged", "damaged", "array", "random", "file", "other"]))
    if kind == "other":
        return draw(st.sampled_from([None, {"user_id": 1}, 3.5, "nowhere.csv", [[1, 2], [3]]]))
    frame = draw(damaged(target.valid, ("user_id", "movie_id", "rank"), "movie_id"))
    if kind == "array":
        ordered = target.valid.sort_values(["user_id", "rank"])
        matrix = ordered["movie_id"].to_numpy().reshape(-1, 10)[np.argsort(np.argsort(target.test["user_id"]))]
        matrix = matrix.astype(object)
        for row, col, cell in draw(
            st.lists(st.tuples(st.integers(0, len(matrix) - 1), st.integers(0, 9), ODD_IDS), max_size=3)
        ):
            matrix[row, col] = cell
        return matrix[: draw(st.integers(min_value=len(matrix) - 1, max_value=len(matrix)))]
    if kind == "random":
        return draw(random_frame([*target.valid["user_id"].tolist()[:3], 1, 2, 10]))
    if kind == "file":
        return written(draw, frame, folder)
    return frame


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_fuzz_topn(topn: Target, folder: Path) -> None:
    target = topn.first(ROWS // 10)

    @fuzz(400)
    @given(submission=topn_submissions(target, folder))
    def check(submission: object) -> None:
        values, problems, _ = run(target, submission)
        if isinstance(submission, str):  # a path that does not exist
            assert [p.code for p in problems] == [ProblemCode.UNREADABLE_FILE]
            return
        check_topn(target, submission, problems, values)

    check()


@st.composite
def retyped_topn(draw: st.DrawFn, target: Target, folder: Path) -> object:
    frame = target.valid.sample(frac=1.0, random_state=draw(st.integers(0, 2**16)))
    for column in draw(st.lists(st.sampled_from(["user_id", "movie_id", "rank"]), max_size=3, unique=True)):
        frame[column] = frame[column].astype(draw(st.sampled_from([float, str, object, np.int16])))
    form = draw(st.sampled_from(["frame", "extra", "file", "array"]))
    if form == "extra":
        return frame.assign(score=1.0)
    if form == "file":
        path = folder / f"valid.{draw(st.sampled_from(['csv', 'parquet']))}"
        if path.suffix == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=False)
        return path
    if form == "array":
        ordered = target.valid.sort_values(["user_id", "rank"])
        matrix = ordered["movie_id"].to_numpy().reshape(-1, 10)[np.argsort(np.argsort(target.test["user_id"]))]
        return matrix.tolist() if draw(st.booleans()) else matrix
    return frame


def test_fuzz_topn_valid_forms_give_the_same_values(topn: Target, folder: Path) -> None:
    target = topn.first(VALID_ROWS // 10)
    expected = target.validate(target.valid)

    @fuzz(100)
    @given(submission=retyped_topn(target, folder))
    def check(submission: object) -> None:
        values, problems, _ = run(target, submission)
        assert not problems, problems
        np.testing.assert_array_equal(values, expected)  # type: ignore[arg-type]

    check()


def test_retyped_forms_score_identically_through_case_score(fraud: Target, rating: Target, topn: Target) -> None:
    """Equal values give equal scores: checked end to end once per task, on a form of each kind."""
    fraud_forms = [
        fraud.valid.astype({fraud.id_column: str}).iloc[::-1],
        fraud.valid.set_index(fraud.id_column)["prediction"],
    ]
    rating_forms = [
        rating.valid.drop(columns="rating_id").astype({"user_id": float}).iloc[::-1],
        rating.valid["rating"].to_numpy(),
    ]
    for target, forms in ((fraud, fraud_forms), (rating, rating_forms), (topn, [topn.valid.astype({"movie_id": str})])):
        expected = scores_json(
            target.case.score(target.valid.drop(columns="rating_id", errors="ignore"), baselines=False)
        )
        for form in forms:
            assert scores_json(target.case.score(form, baselines=False)) == expected


def scores_json(report: cs.Report) -> str:
    """Every metric, estimate and interval of a report's submission (JSON: NaN compares equal)."""
    return json.dumps(report.to_dict()["submission"]["scores"], sort_keys=True)
