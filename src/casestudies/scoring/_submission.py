"""The one validator of submissions: every problem found, then one error.

Shared reading and checking, and the binary task's validator; the
recommender tasks' validators are in :mod:`._submission_recommender`.

Checks that do not depend on each other all run: the values are checked
(numbers, finite, in range) whatever is wrong with the ids or the shape, and
the ids whatever is wrong with the values, so one error lists every problem.
Values and ids are read element by element with Python's own rules
(``float(text)``, ``int(text)``), never by a cast that wraps around: an id
of ``2**64`` is an id that is not in the test set, not ``-2**63``.
"""

from __future__ import annotations

import decimal
import fractions
import math
import numbers
import os
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Final

import numpy as np
import pandas as pd

from casestudies.core import counted
from casestudies.exceptions import Problem, ProblemCode, SubmissionError, SubmissionWarning
from casestudies.scoring._reading import read_prediction_file as read_prediction_file  # re-exported

PREDICTION_COLUMN: Final[str] = "prediction"

EXAMPLES: Final[int] = 3
"""Offending values quoted in a message; more are summed up as ``... (N in all)``."""

MAX_SHOWN_CHARS: Final[int] = 80
"""A value quoted in a message is cut to this many characters (with an ellipsis): no id or text is echoed whole."""

MAX_SHOWN_COLUMNS: Final[int] = 20
"""Column names listed in a message; a wider table is summed up as ``... (N in all)``."""

PROBA_TOLERANCE: Final[float] = 1e-6
"""Rows of a two-column table summing to 1 within this are read as ``predict_proba`` output (float32 rounding)."""

_INT64_BOUND: Final[int] = 2**63
"""Ids are compared as int64: whole numbers in [-2**63, 2**63) fit, larger ones are ids no test set has."""

_DIGITS: Final[re.Pattern[str]] = re.compile(r"[+-]?[0-9]+")
"""An integer written out; one longer than ``int()`` reads (4300 digits) is still a whole number."""

_PACKAGE_PREFIX: Final[str] = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

ACCEPTED_FORMS: Final[str] = (
    "an array in case.test order, a Series indexed by id, a DataFrame with id and prediction columns, "
    "or a CSV/Parquet path"
)


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to :data:`MAX_SHOWN_CHARS` characters."""
    if isinstance(value, np.generic) and not isinstance(value, (np.datetime64, np.timedelta64)):
        value = value.item()  # 0.5, not np.float64(0.5); dates keep their numpy form (.item() may give an int)
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def examples(values: Sequence[object] | np.ndarray | pd.Index) -> str:
    """The first few ``values`` as a list for a message, with how many there are when some are left out.

    Examples
    --------
    >>> examples([3, 1, 4, 1, 5])
    '[3, 1, 4, ... (5 in all)]'
    >>> examples(["x" * 100])[:12], len(examples(["x" * 100]))
    ("['xxxxxxxxxx", 82)
    """
    shown_values = [shown(value) for value in list(values[:EXAMPLES])]
    more = "" if len(values) <= EXAMPLES else f", ... ({len(values)} in all)"
    return "[" + ", ".join(shown_values) + more + "]"


def column_list(names: Sequence[str]) -> str:
    """Column names for a message: ``['a', 'b']``, the first :data:`MAX_SHOWN_COLUMNS` of a wide table."""
    listed = ", ".join(shown(name) for name in names[:MAX_SHOWN_COLUMNS])
    more = "" if len(names) <= MAX_SHOWN_COLUMNS else f", ... ({len(names)} in all)"
    return f"[{listed}{more}]"


def column_names(frame: pd.DataFrame) -> list[str]:
    """The frame's column names as text, without the byte-order mark a UTF-8 CSV may start with."""
    return [str(column).lstrip("\ufeff") for column in frame.columns]


# ---------------------------------------------------------------------------
# Reading values and ids, one element at a time where numpy cannot say
# ---------------------------------------------------------------------------


def number_of(value: object) -> float | None:
    """``value`` as a float; NaN when it is missing; None when it is not a number.

    Text is read by ``float()`` (an empty cell is missing, as a CSV reader
    reads it); numbers too large for a float64 become infinite.

    Examples
    --------
    >>> number_of(" 0.25 "), number_of(True), number_of("high"), number_of(None)
    (0.25, 1.0, None, nan)
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan
        try:
            return float(text)
        except ValueError:
            return None
    if isinstance(value, (int, fractions.Fraction)):  # bool included
        try:
            return float(value)
        except OverflowError:  # beyond float64's range
            return math.inf if value > 0 else -math.inf
    if isinstance(value, (np.bool_, numbers.Real, decimal.Decimal)):
        try:
            return float(value)
        except ValueError:  # Decimal("sNaN")
            return math.nan
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    return None


def as_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fresh float64 copies of ``values`` (NaN where missing or not a number) and the mask of non-numbers."""
    kind = values.dtype.kind
    if kind in "biuf":
        return np.array(values, dtype=np.float64), np.zeros(len(values), dtype=bool)
    if kind not in "OU":
        return np.full(len(values), np.nan), np.ones(len(values), dtype=bool)  # complex, bytes, dates, ...
    parsed = [number_of(value) for value in values.astype(object)]
    text = np.fromiter((number is None for number in parsed), dtype=bool, count=len(parsed))
    numbers_ = np.fromiter((math.nan if n is None else n for n in parsed), dtype=np.float64, count=len(parsed))
    return numbers_, text


def whole_number_of(value: object) -> int | None:
    """``value`` as a Python int when it is a whole number (``12``, ``12.0``, ``"0012"``), else None.

    Examples
    --------
    >>> whole_number_of("0012"), whole_number_of(12.0), whole_number_of(2**64), whole_number_of("x")
    (12, 12, 18446744073709551616, None)
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            if _DIGITS.fullmatch(text):  # beyond int()'s digit limit: a whole number, and no int64
                return -_INT64_BOUND - 1 if text.startswith("-") else _INT64_BOUND
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, decimal.Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    if isinstance(value, fractions.Fraction):
        return int(value) if value.denominator == 1 else None
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if math.isfinite(number) and number.is_integer() else None
    return None


def whole_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``values`` as int64, the mask of whole numbers within int64 and the mask of whole numbers beyond it."""
    n = len(values)
    integers = np.zeros(n, dtype=np.int64)
    beyond = np.zeros(n, dtype=bool)
    kind = values.dtype.kind
    if kind == "i":
        return values.astype(np.int64), np.ones(n, dtype=bool), beyond
    if kind == "u":
        fits = values < np.uint64(_INT64_BOUND)
        integers[fits] = values[fits].astype(np.int64)
        return integers, fits, ~fits
    if kind == "f":
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(values) & (np.mod(values, 1) == 0)
        fits = whole & (values >= -float(_INT64_BOUND)) & (values < float(_INT64_BOUND))
        integers[fits] = values[fits].astype(np.int64)
        return integers, fits, whole & ~fits
    fits = np.zeros(n, dtype=bool)
    if kind in "OU":
        for i, value in enumerate(values.astype(object)):
            number = whole_number_of(value)
            if number is None:
                continue
            if -_INT64_BOUND <= number < _INT64_BOUND:
                integers[i], fits[i] = number, True
            else:
                beyond[i] = True
    return integers, fits, beyond


_CONTAINERS: Final[tuple[type, ...]] = (
    list,
    tuple,
    dict,
    set,
    frozenset,
    np.ndarray,
    pd.Series,
    pd.Index,
    pd.DataFrame,
)


def is_single_value(value: object) -> bool:
    """False for containers (lists, dicts, arrays...) and anything unhashable, which cannot be an id."""
    if isinstance(value, _CONTAINERS):
        return False
    try:
        hash(value)
    except TypeError:
        return False
    return True


def non_scalars(values: np.ndarray) -> np.ndarray:
    """Mask of entries that are not single values (see :func:`is_single_value`)."""
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((not is_single_value(v) for v in values), dtype=bool, count=len(values))


# ---------------------------------------------------------------------------
# Checking values
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValueRule:
    """What each submitted value must be: a number, finite and, when bounded, within ``[low, high]``."""

    low: float | None = None
    high: float | None = None
    range_expected: str = ""
    range_hint: str = ""
    non_numeric_hint: str = "Convert predictions to floats (scores or probabilities), not labels or text."
    non_finite_hint: str = "Impute or fix the rows your pipeline could not score; every row needs a number."


SCORES: Final[ValueRule] = ValueRule()
"""Any finite number: for metrics that read scores only through their order."""


def probability_rule(reason: str | None = None) -> ValueRule:
    """Values in [0, 1], saying why (``reason``: which metric needs probabilities) when known."""
    because = f" ({reason})" if reason else ""
    return ValueRule(
        low=0.0,
        high=1.0,
        range_expected=f"probabilities in [0, 1]{because}",
        range_hint="Use predict_proba(X)[:, 1], or map scores through a sigmoid (scipy.special.expit).",
    )


def _where(labels: np.ndarray | None, mask: np.ndarray) -> str:
    if labels is not None:
        return f"ids {examples(labels[mask])}"
    return f"positions {examples(np.flatnonzero(mask))}"


def check_values(values: np.ndarray, labels: np.ndarray | None, rule: ValueRule, problems: list[Problem]) -> np.ndarray:
    """Float64 values after recording those that are not numbers, not finite or outside the rule's range.

    ``labels`` name each value in messages (the submitted ids), or None for positions. Each value is
    reported under one problem at most: text is not also called NaN, nor a NaN out of range.
    """
    if values.dtype.kind == "c":
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                "real numbers",
                "complex numbers",
                "Pass real scores, e.g. np.real(scores) or the scores' magnitude.",
            )
        )
        return np.full(len(values), np.nan)
    numbers_, text = as_numbers(values)
    if text.any():
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                "numbers",
                counted(int(text.sum()), "value that is not a number", "values that are not numbers")
                + f", e.g. {examples(values[text])} "
                f"at {_where(labels, text)}",
                rule.non_numeric_hint,
            )
        )
    is_finite = np.isfinite(numbers_)
    non_finite = ~is_finite & ~text
    if non_finite.any():
        problems.append(
            Problem(
                ProblemCode.NON_FINITE,
                "finite numbers",
                f"{int(non_finite.sum())} NaN or infinite values at {_where(labels, non_finite)}",
                rule.non_finite_hint,
            )
        )
    # No copy of a million finite scores, and no range pass without a range.
    finite = numbers_ if is_finite.all() else numbers_[is_finite]
    low = -math.inf if rule.low is None else rule.low
    high = math.inf if rule.high is None else rule.high
    outside = finite[(finite < low) | (finite > high)] if rule.low is not None or rule.high is not None else finite[:0]
    if outside.size:
        problems.append(
            Problem(
                ProblemCode.OUT_OF_RANGE,
                rule.range_expected,
                f"{counted(outside.size, 'value outside')}, range [{finite.min():.4g}, {finite.max():.4g}]",
                rule.range_hint,
            )
        )
    return numbers_


# ---------------------------------------------------------------------------
# Matching ids
# ---------------------------------------------------------------------------


def match_ids(row_ids: np.ndarray, ids: np.ndarray, id_column: str, problems: list[Problem]) -> np.ndarray | None:
    """Position in ``ids`` of each submitted id, or None after recording duplicates, unknown and missing ids."""
    containers = non_scalars(row_ids)
    if containers.any():
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                f"one {id_column} value per row",
                counted(int(containers.sum()), "id that is not a single value", "ids that are not single values")
                + f", e.g. {examples(row_ids[containers])}",
                f"Use case.test[{id_column!r}] as it is.",
            )
        )
        return None
    expected = pd.Index(ids)
    integer_ids = ids.dtype.kind == "i" or (ids.dtype.kind == "u" and (ids < np.uint64(_INT64_BOUND)).all())
    beyond = np.zeros(len(row_ids), dtype=bool)
    if integer_ids:
        keys, valid, beyond = whole_numbers(row_ids)
        expected = pd.Index(ids.astype(np.int64))
    else:
        keys, valid = row_ids, np.ones(len(row_ids), dtype=bool)
    positions = np.full(len(row_ids), -1, dtype=np.intp)
    positions[valid] = expected.get_indexer(keys[valid])  # test ids are unique (the scenario contract)
    unknown = positions < 0
    repeated = np.zeros(len(row_ids), dtype=bool)
    repeated[valid] = pd.Series(keys[valid]).duplicated().to_numpy()
    if repeated.any():
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                f"each {id_column} once",
                f"{counted(int(repeated.sum()), 'repeated id')}, e.g. {examples(pd.unique(keys[repeated]))}",
                "Keep one prediction per id (drop_duplicates).",
            )
        )
    if unknown.any():
        shown_ids = np.concatenate([pd.unique(keys[unknown & valid]), pd.unique(row_ids[unknown & ~valid])])
        not_whole = unknown & ~valid & ~beyond
        note = ""
        if integer_ids and not_whole.any():
            n_not_whole = len(pd.unique(row_ids[not_whole]))
            not_whole_text = counted(n_not_whole, "of them not a whole number", "of them not whole numbers")
            note = f" ({not_whole_text}, unlike the test ids)"
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"only ids from case.test[{id_column!r}]",
                f"{counted(len(shown_ids), 'id that is not in the test set')}, e.g. {examples(shown_ids)}{note}",
                "Predict on case.test (the holdout) and keep its id column unchanged.",
            )
        )
    missing = ~expected.isin(keys[valid])
    if missing.any():
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"a prediction for every one of the {counted(len(ids), 'test id')}",
                f"none for {counted(int(missing.sum()), 'id')}, e.g. {examples(ids[missing])}",
                "Predict on every row of case.test without filtering.",
            )
        )
    if repeated.any() or unknown.any() or missing.any():
        return None
    return positions


# ---------------------------------------------------------------------------
# The forms of a per-row submission
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowForm:
    """How a task takes one value per test row: the id column, the value columns and the value rule."""

    id_column: str
    rule: ValueRule
    value_columns: tuple[str, ...] = (PREDICTION_COLUMN,)
    proba: bool = True  # read two columns of predict_proba output as the positive class's scores
    columns_expected: str = ""
    columns_hint: str = ""
    forms: str = ACCEPTED_FORMS

    @property
    def id_names(self) -> tuple[str, ...]:
        return (self.id_column,) if self.id_column == "id" else (self.id_column, "id")


@dataclass(slots=True)
class Submitted:
    """What a per-row submission holds: values and the ids they are given for (None: in test order)."""

    values: np.ndarray | None = None
    row_ids: np.ndarray | None = None
    ignored: tuple[str, ...] = ()


def _positive_proba(block: np.ndarray, names: Sequence[str] | None) -> np.ndarray | None:
    """The positive class's column of two columns of ``predict_proba`` output, None if it is not that.

    Rows of probabilities summing to 1 are predict_proba's; the positive class
    is its second column (scikit-learn sorts ``classes_``, so 1 comes after
    0 and True after False). Named columns must say so: ``0, 1`` or
    ``False, True``.
    """
    if block.ndim != 2 or block.shape[1] != 2 or block.dtype.kind not in "biuf" or not len(block):
        return None
    values = block.astype(np.float64)
    if not (np.isfinite(values).all() and values.min() >= 0.0 and values.max() <= 1.0):
        return None
    if np.abs(values.sum(axis=1) - 1.0).max() > PROBA_TOLERANCE:
        return None
    if names is not None and [name.strip().lower() for name in names] not in (["0", "1"], ["false", "true"]):
        return None
    positive: np.ndarray = values[:, 1].copy()
    return positive


def _frame_submission(frame: pd.DataFrame, form: RowForm, n_expected: int, problems: list[Problem]) -> Submitted:
    """Values of a DataFrame submission: in order, or with the ids they belong to; problems recorded."""
    names = column_names(frame)
    if len(frame) == 0:
        problems.append(
            Problem(
                ProblemCode.EMPTY,
                counted(n_expected, "prediction"),
                f"a table with no rows (columns {column_list(names)})",
                "Predict on case.test.",
            )
        )
        return Submitted()
    id_names = [name for name in form.id_names if name in names]
    if not id_names and frame.index.name is not None and str(frame.index.name) in form.id_names:
        index_name = str(frame.index.name)  # a frame indexed by id: the index is its id column
        frame = frame.reset_index(names=index_name)
        names = column_names(frame)
        id_names = [index_name]
    value_names = [name for name in form.value_columns if name in names]
    used = [*id_names[:1], *value_names[:1]]
    if len(id_names) <= 1 and len(value_names) == 1 and all(names.count(name) == 1 for name in used):
        if id_names:
            ignored = tuple(name for name in names if name not in used)
            return Submitted(_column(frame, names, value_names[0]), _column(frame, names, id_names[0]), ignored)
        if len(names) == 1 and frame.index.name is None:
            return _in_order(_column(frame, names, value_names[0]), n_expected, problems)
    rest = [i for i, name in enumerate(names) if name not in id_names]
    if form.proba and not value_names and len(id_names) <= 1 and len(rest) == 2 and len(set(names)) == len(names):
        positive = _positive_proba(frame.iloc[:, rest].to_numpy(), [names[i] for i in rest])
        if positive is not None:
            if id_names:
                return Submitted(positive, _column(frame, names, id_names[0]))
            return _in_order(positive, n_expected, problems)
    problems.append(_wrong_columns(frame, names, id_names, value_names, form))
    return Submitted()


def _column(frame: pd.DataFrame, names: list[str], name: str) -> np.ndarray:
    values: np.ndarray = frame.iloc[:, names.index(name)].to_numpy()
    return values


def _wrong_columns(
    frame: pd.DataFrame, names: list[str], id_names: list[str], value_names: list[str], form: RowForm
) -> Problem:
    value = form.value_columns[0]
    hint = form.columns_hint or (
        f"Build it as pd.DataFrame({{{form.id_column!r}: case.test[{form.id_column!r}], {value!r}: scores}}); "
        "other columns are ignored."
    )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        hint = f"Give each column its own name ({column_list(repeated)} appear more than once). " + hint
    elif len(value_names) > 1:
        hint = f"Keep one of the columns {column_list(value_names)}. " + hint
    elif value_names and not id_names and len(names) > 1:
        hint = (
            f"Keep the id column {form.id_column!r} so rows can be matched, or pass frame[{value_names[0]!r}]"
            ".to_numpy() for values in case.test order. " + hint
        )
    elif any(name.startswith("Unnamed: ") for name in names):
        hint = "Write the file with DataFrame.to_csv(index=False), so the index is not saved as a column. " + hint
    elif (
        form.proba
        and not value_names
        and len(names) - len(id_names) == 2
        and all(dtype.kind in "biuf" for dtype in frame.dtypes)
    ):
        hint = "These look like predict_proba output: keep only the positive class, proba[:, 1]. " + hint
    expected = form.columns_expected or f"exactly two columns: {form.id_column!r} (or 'id') and {value!r}"
    return Problem(ProblemCode.WRONG_COLUMNS, expected, f"columns {column_list(names)}", hint)


def _array_submission(predictions: object, form: RowForm, n_expected: int, problems: list[Problem]) -> Submitted:
    """Values of an array-like submission in test order; problems recorded."""
    try:
        if np.ma.isMaskedArray(predictions):
            masked = np.ma.asarray(predictions)
            array = np.ma.getdata(masked).astype(object)
            array[np.ma.getmaskarray(masked)] = None  # masked entries are missing values
        else:
            array = np.asarray(predictions)
            if array.dtype.kind in "US" and isinstance(predictions, (list, tuple)):
                # numpy turns [0.1, nan, "x"] into strings ('nan' included); keep each item as given
                array = np.asarray(predictions, dtype=object)
    except (ValueError, TypeError) as err:
        problems.append(
            Problem(
                ProblemCode.WRONG_SHAPE,
                "a 1-d sequence of numbers",
                f"{type(predictions).__name__} that numpy cannot read as an array ({shown(str(err))})",
                "Pass one number per test row.",
            )
        )
        return Submitted()
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim == 2 and form.proba:
        positive = _positive_proba(array, None)
        if positive is not None:
            array = positive
    if array.ndim != 1:
        hint = (
            "If these come from predict_proba, pass proba[:, 1]."
            if form.proba and array.ndim == 2 and array.shape[1] == 2
            else "Pass one number per test row."
        )
        problems.append(Problem(ProblemCode.WRONG_SHAPE, f"shape ({n_expected},)", f"shape {array.shape}", hint))
        return Submitted()
    if len(array) == 0:
        problems.append(
            Problem(ProblemCode.EMPTY, counted(n_expected, "prediction"), "an empty sequence", "Predict on case.test.")
        )
        return Submitted()
    return _in_order(array, n_expected, problems)


def _in_order(values: np.ndarray, n_expected: int, problems: list[Problem]) -> Submitted:
    """Values given in test order: one per test row."""
    if len(values) != n_expected:
        problems.append(
            Problem(
                ProblemCode.WRONG_LENGTH,
                f"{counted(n_expected, 'prediction')} (one per holdout row)",
                f"{len(values)}",
                "Predict on case.test without dropping or adding rows.",
            )
        )
    return Submitted(values)


def _series_submission(series: pd.Series, ids: np.ndarray, form: RowForm, problems: list[Problem]) -> Submitted:
    """Values of a Series indexed by id, with those ids; problems recorded."""
    values = series.to_numpy()
    if len(series) == 0:
        problems.append(Problem(ProblemCode.EMPTY, counted(len(ids), "prediction"), "no rows", "Predict on case.test."))
        return Submitted()
    if isinstance(series.index, pd.MultiIndex):
        problems.append(
            Problem(
                ProblemCode.WRONG_SHAPE,
                f"a Series indexed by {form.id_column} alone",
                f"a Series with a {series.index.nlevels}-level MultiIndex {list(series.index.names)}",
                f"Index it by case.test[{form.id_column!r}] only (series.droplevel(...) or reset_index()).",
            )
        )
        return Submitted(values)  # the values are still checked, by position
    if isinstance(series.index, pd.RangeIndex) and not np.isin(series.index[:1], ids).all():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"a Series indexed by {form.id_column}",
                f"a Series with a default RangeIndex {series.index[0]}..{series.index[-1]}",
                f"Index it by case.test[{form.id_column!r}], or pass series.to_numpy() for predictions in "
                "case.test order.",
            )
        )
        return Submitted(values)
    return Submitted(values, series.index.to_numpy())


def row_submission(
    predictions: object, *, ids: np.ndarray, form: RowForm, scenario_id: str, problems: list[Problem]
) -> tuple[Submitted, np.ndarray | None]:
    """Read a per-row submission and check it whole: its form, its values, its ids.

    Returns what was submitted and, when no problem was found, the values as
    float64 in the order of ``ids``. Problems are appended to ``problems``.
    """
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    if isinstance(predictions, pd.DataFrame):
        submitted = _frame_submission(predictions, form, len(ids), problems)
    elif isinstance(predictions, pd.Series):
        submitted = _series_submission(predictions, ids, form, problems)
    elif predictions is None:
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                form.forms,
                "None",
                "If a function of yours made these predictions, make sure it returns them.",
            )
        )
        submitted = Submitted()
    elif isinstance(predictions, (np.ndarray, list, tuple)) or hasattr(predictions, "__array__"):
        submitted = _array_submission(predictions, form, len(ids), problems)
    else:
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                form.forms,
                type(predictions).__name__,
                "See casestudies.Case.score for the accepted forms.",
            )
        )
        submitted = Submitted()
    if submitted.values is None:
        return submitted, None
    positions = None
    if submitted.row_ids is not None:
        positions = match_ids(submitted.row_ids, ids, form.id_column, problems)
    numbers_ = check_values(submitted.values, submitted.row_ids, form.rule, problems)
    if problems:
        return submitted, None
    if positions is None:
        return submitted, numbers_
    aligned = np.empty(len(ids), dtype=np.float64)
    aligned[positions] = numbers_
    return submitted, aligned


def warn_ignored(ignored: Sequence[str], *, matched_by: str) -> None:
    """Warn that the columns ``ignored`` of an accepted table were not read, naming them."""
    if not ignored:
        return
    message = (
        f"the submission's columns {column_list(list(ignored))} were ignored: only {matched_by} were read. "
        "Drop them before submitting to silence this warning."
    )
    if any(name.startswith("Unnamed: ") for name in ignored):
        message += " ('Unnamed: ...' is an index saved with the file: write it with to_csv(index=False).)"
    warnings.warn(message, SubmissionWarning, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """``stacklevel`` for ``warnings.warn`` that points at the first caller outside casestudies."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_PREFIX):
        frame = frame.f_back
        level += 1
    return level


def raise_unreadable(scenario_id: str, predictions: object, forms: str, err: Exception) -> SubmissionError:
    """The error for a submission that broke a check in a way no check foresaw (a bug of ours, said plainly)."""
    problem = Problem(
        ProblemCode.WRONG_TYPE,
        forms,
        f"a {type(predictions).__name__} that could not be read ({type(err).__name__}: {shown(str(err))})",
        "See casestudies.Case.score for the accepted forms.",
    )
    return SubmissionError(scenario_id, (problem,))


def validate_binary(
    predictions: object,
    *,
    scenario_id: str,
    ids: np.ndarray,
    id_column: str,
    probabilities: bool = True,
    reason: str | None = None,
) -> np.ndarray:
    """Turn a binary-task submission into float scores in ``case.test`` order.

    Parameters
    ----------
    predictions : array-like, pandas.Series, pandas.DataFrame or path
        An array in ``case.test`` row order (or ``predict_proba`` output: two
        columns whose rows sum to 1, of which the second is read); a Series
        indexed by id; a DataFrame with columns ``id_column`` (or ``id``) and
        ``prediction``, other columns being ignored with a warning that names
        them; or the path of a CSV/Parquet file with those columns.
    scenario_id : str
        For messages.
    ids : numpy.ndarray
        The expected ids, in ``case.test`` order.
    id_column : str
        Name of the id column.
    probabilities : bool, default=True
        Require values in [0, 1]; otherwise any finite number is taken.
    reason : str, optional
        Why probabilities are required (which metric reads them as such),
        quoted in the message of values outside [0, 1].

    Returns
    -------
    numpy.ndarray
        Float64 scores aligned with ``ids``.

    Raises
    ------
    SubmissionError
        Listing every problem found, each with what was expected, what was
        received and how to fix it.

    Warns
    -----
    SubmissionWarning
        When a table's columns other than the id and the prediction were ignored.

    Examples
    --------
    >>> import numpy as np
    >>> validate_binary([0.1, 0.9], scenario_id="demo-v1", ids=np.array([10, 11]), id_column="row_id")
    array([0.1, 0.9])
    >>> validate_binary([[0.9, 0.1], [0.2, 0.8]], scenario_id="demo-v1", ids=np.array([10, 11]), id_column="row_id")
    array([0.1, 0.8])
    >>> try:
    ...     validate_binary([0.1, float("nan"), 2.0], scenario_id="demo-v1", ids=np.array([10, 11]), id_column="row_id")
    ... except SubmissionError as err:
    ...     print([problem.code.value for problem in err.problems])
    ['WRONG_LENGTH', 'NON_FINITE', 'OUT_OF_RANGE']
    """
    form = RowForm(id_column, probability_rule(reason) if probabilities else SCORES)
    problems: list[Problem] = []
    try:
        submitted, values = row_submission(predictions, ids=ids, form=form, scenario_id=scenario_id, problems=problems)
    except SubmissionError:
        raise
    except Exception as err:
        raise raise_unreadable(scenario_id, predictions, ACCEPTED_FORMS, err) from err
    if problems or values is None:
        raise SubmissionError(scenario_id, tuple(problems))
    warn_ignored(submitted.ignored, matched_by=f"the {id_column!r} and {PREDICTION_COLUMN!r} columns")
    return values
