"""The one validator of submissions: every problem found, then one error.

Shared reading and checking, and the binary task's validator; the
recommender tasks' validators are in :mod:`._submission_recommender`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from casestudies.exceptions import Problem, ProblemCode, SubmissionError

PREDICTION_COLUMN: Final[str] = "prediction"

EXAMPLES: Final[int] = 3
"""Offending values quoted in a message; more are summed up as ``... (N in all)``."""

_PLACEHOLDER: Final[float] = 0.5
"""Stands in for a value whose problem is already recorded, so later checks (finite, range) pass over it."""

ACCEPTED_FORMS: Final[str] = (
    "an array in case.test order, a Series indexed by id, a DataFrame with id and prediction columns, "
    "or a CSV/Parquet path"
)


def examples(values: Sequence[object] | np.ndarray | pd.Index) -> str:
    """The first few ``values`` as a list for a message, with how many there are when some are left out."""
    shown = [repr(value.item() if isinstance(value, np.generic) else value) for value in list(values)[:EXAMPLES]]
    more = "" if len(values) <= EXAMPLES else f", ... ({len(values)} in all)"
    return "[" + ", ".join(shown) + more + "]"


def read_prediction_file(path: str | os.PathLike[str], *, scenario_id: str) -> pd.DataFrame:
    """Read a CSV or Parquet file of predictions into a DataFrame.

    Raises
    ------
    SubmissionError
        With an ``UNREADABLE_FILE`` problem if the file is missing or cannot
        be parsed.
    """
    path = Path(path)
    suffixes = "".join(path.suffixes[-2:]).lower()
    expected = "a readable .csv or .parquet file with columns id,prediction"
    try:
        if suffixes.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if suffixes.endswith((".csv", ".csv.gz", ".txt")):
            return pd.read_csv(path)
    except FileNotFoundError:
        problem = Problem(ProblemCode.UNREADABLE_FILE, expected, f"no file at {str(path)!r}", "Check the path.")
        raise SubmissionError(scenario_id, (problem,)) from None
    except Exception as err:
        received = f"{str(path)!r}, which could not be parsed ({type(err).__name__}: {err})"
        problem = Problem(
            ProblemCode.UNREADABLE_FILE,
            expected,
            received,
            "Write the file with DataFrame.to_csv(index=False) or to_parquet().",
        )
        raise SubmissionError(scenario_id, (problem,)) from None
    received = f"{str(path)!r} with suffix {path.suffix!r}"
    problem = Problem(ProblemCode.UNREADABLE_FILE, expected, received, "Save predictions as .csv or .parquet.")
    raise SubmissionError(scenario_id, (problem,))


def _frame_to_series(frame: pd.DataFrame, id_column: str, problems: list[Problem]) -> pd.Series | None:
    columns = [str(column) for column in frame.columns]
    id_names = [name for name in (id_column, "id") if name in columns]
    if not id_names and frame.index.name in (id_column, "id"):
        frame = frame.reset_index()
        columns = [str(column) for column in frame.columns]
        id_names = [str(frame.columns[0])]
    has_prediction = PREDICTION_COLUMN in columns
    if len(id_names) != 1 or not has_prediction or len(columns) != 2:
        hint = f"Build it as pd.DataFrame({{{id_column!r}: case.test[{id_column!r}], 'prediction': scores}})."
        if any(column.startswith("Unnamed: ") for column in columns):
            hint = (
                "Write the file with DataFrame.to_csv(index=False), so the index is not saved as an extra column. "
                + hint
            )
        elif (
            not id_names
            and not has_prediction
            and len(columns) == 2
            and all(kind in "biuf" for kind in frame.dtypes.map(lambda dtype: dtype.kind))
        ):
            hint = "These look like predict_proba output: keep only the positive class, proba[:, 1]. " + hint
        problems.append(
            Problem(
                ProblemCode.WRONG_COLUMNS,
                f"exactly two columns: {id_column!r} (or 'id') and {PREDICTION_COLUMN!r}",
                f"columns {columns}",
                hint,
            )
        )
        if len(id_names) < 1 or not has_prediction:
            return None
    series: pd.Series = pd.Series(frame[PREDICTION_COLUMN].to_numpy(), index=pd.Index(frame[id_names[0]].to_numpy()))
    return series


def _align_by_id(series: pd.Series, ids: np.ndarray, id_column: str, problems: list[Problem]) -> np.ndarray | None:
    index = series.index
    if index.dtype != ids.dtype:
        converted = pd.to_numeric(pd.Series(index), errors="coerce") if ids.dtype.kind in "iu" else None
        if converted is not None and not converted.isna().any() and (converted % 1 == 0).all():
            index = pd.Index(converted.astype(ids.dtype).to_numpy())
    duplicated = index[index.duplicated()]
    if len(duplicated):
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                f"each {id_column} once",
                f"{len(duplicated)} repeated ids, e.g. {examples(duplicated.unique())}",
                "Keep one prediction per id (drop_duplicates).",
            )
        )
    expected = pd.Index(ids)
    unknown = index.difference(expected)
    missing = expected.difference(index)
    if len(unknown):
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"only ids from case.test[{id_column!r}]",
                f"{len(unknown)} ids that are not in the test set, e.g. {examples(unknown)}",
                "Predict on case.test (the holdout) and keep its id column unchanged.",
            )
        )
    if len(missing):
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"a prediction for every one of the {len(ids)} test ids",
                f"none for {len(missing)} ids, e.g. {examples(missing)}",
                "Predict on every row of case.test without filtering.",
            )
        )
    if len(duplicated) or len(unknown) or len(missing):
        return None
    aligned: np.ndarray = series.set_axis(index).reindex(expected).to_numpy()
    return aligned


def as_numbers(values: np.ndarray, ids: np.ndarray | None, problems: list[Problem]) -> np.ndarray:
    if values.dtype.kind in "biuf":
        return np.array(values, dtype=np.float64)  # always a fresh, writable copy
    if values.dtype.kind == "c":
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                "real numbers",
                "complex numbers",
                "Pass real scores, e.g. np.real(scores) or the scores' magnitude.",
            )
        )
        return np.full(values.shape, _PLACEHOLDER)
    objects = pd.Series(values, dtype=object)
    # np.array(..., copy) because pandas may hand out a read-only view (copy-on-write).
    numbers = np.array(pd.to_numeric(objects, errors="coerce"), dtype=np.float64)
    bad = np.isnan(numbers) & ~pd.isna(objects).to_numpy()
    if bad.any():
        where = f" at ids {examples(ids[bad])}" if ids is not None else f" at positions {examples(np.flatnonzero(bad))}"
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                "numbers",
                f"{int(bad.sum())} values that are not numbers, e.g. {examples(values[bad])}{where}",
                "Convert predictions to floats (scores or probabilities), not labels or text.",
            )
        )
        numbers[bad] = _PLACEHOLDER
    return numbers


def _array_values(predictions: object, n_expected: int, problems: list[Problem]) -> np.ndarray | None:
    """Values of an array-like submission in test order, or None after recording its problems."""
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
                f"{type(predictions).__name__} that numpy cannot read as an array ({err})",
                "Pass one number per test row.",
            )
        )
        return None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        hint = (
            "If these come from predict_proba, pass proba[:, 1]."
            if array.ndim == 2 and array.shape[1] == 2
            else "Pass one number per test row."
        )
        problems.append(Problem(ProblemCode.WRONG_SHAPE, f"shape ({n_expected},)", f"shape {array.shape}", hint))
        return None
    if len(array) == 0:
        problems.append(
            Problem(ProblemCode.EMPTY, f"{n_expected} predictions", "an empty sequence", "Predict on case.test.")
        )
        return None
    if len(array) != n_expected:
        problems.append(
            Problem(
                ProblemCode.WRONG_LENGTH,
                f"{n_expected} predictions (one per holdout row)",
                f"{len(array)}",
                "Predict on case.test without dropping or adding rows.",
            )
        )
    return array


def _series_values(series: pd.Series, ids: np.ndarray, id_column: str, problems: list[Problem]) -> np.ndarray | None:
    """Values of a Series indexed by id, aligned with ``ids``, or None after recording its problems."""
    if len(series) == 0:
        problems.append(Problem(ProblemCode.EMPTY, f"{len(ids)} predictions", "no rows", "Predict on case.test."))
        return None
    if isinstance(series.index, pd.MultiIndex):
        problems.append(
            Problem(
                ProblemCode.WRONG_SHAPE,
                f"a Series indexed by {id_column} alone",
                f"a Series with a {series.index.nlevels}-level MultiIndex {list(series.index.names)}",
                f"Index it by case.test[{id_column!r}] only (series.droplevel(...) or reset_index()).",
            )
        )
        return None
    if isinstance(series.index, pd.RangeIndex) and not np.isin(series.index[:1], ids).all():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"a Series indexed by {id_column}",
                f"a Series with a default RangeIndex {series.index[0]}..{series.index[-1]}",
                f"Index it by case.test[{id_column!r}], or pass series.to_numpy() for predictions in case.test order.",
            )
        )
        return None
    return _align_by_id(series, ids, id_column, problems)


def validate_binary(
    predictions: object,
    *,
    scenario_id: str,
    ids: np.ndarray,
    id_column: str,
    probabilities: bool = True,
) -> np.ndarray:
    """Turn a binary-task submission into float scores in ``case.test`` order.

    Parameters
    ----------
    predictions : array-like, pandas.Series, pandas.DataFrame or path
        An array in ``case.test`` row order; a Series indexed by id; a
        DataFrame with columns ``id_column`` (or ``id``) and ``prediction``;
        or the path of a CSV/Parquet file with those columns.
    scenario_id : str
        For messages.
    ids : numpy.ndarray
        The expected ids, in ``case.test`` order.
    id_column : str
        Name of the id column.
    probabilities : bool, default=True
        Require values in [0, 1].

    Returns
    -------
    numpy.ndarray
        Float64 scores aligned with ``ids``.

    Raises
    ------
    SubmissionError
        Listing every problem found, each with what was expected, what was
        received and how to fix it.

    Examples
    --------
    >>> import numpy as np
    >>> validate_binary([0.1, 0.9], scenario_id="demo-v1", ids=np.array([10, 11]), id_column="row_id")
    array([0.1, 0.9])
    >>> try:
    ...     validate_binary([0.1, float("nan"), 2.0], scenario_id="demo-v1", ids=np.array([10, 11]), id_column="row_id")
    ... except SubmissionError as err:
    ...     print([problem.code.value for problem in err.problems])
    ['WRONG_LENGTH', 'NON_FINITE', 'OUT_OF_RANGE']
    """
    try:
        return _validate_binary(
            predictions, scenario_id=scenario_id, ids=ids, id_column=id_column, probabilities=probabilities
        )
    except SubmissionError:
        raise
    except Exception as err:
        problem = Problem(
            ProblemCode.WRONG_TYPE,
            ACCEPTED_FORMS,
            f"a {type(predictions).__name__} that could not be read ({type(err).__name__}: {err})",
            "See casestudies.Case.score for the accepted forms.",
        )
        raise SubmissionError(scenario_id, (problem,)) from err


def _validate_binary(
    predictions: object, *, scenario_id: str, ids: np.ndarray, id_column: str, probabilities: bool
) -> np.ndarray:
    problems: list[Problem] = []
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    values, row_ids = _submitted_values(predictions, ids=ids, id_column=id_column, problems=problems)
    numbers = None
    if values is not None and len(values):
        numbers = _checked_numbers(values, row_ids, probabilities=probabilities, problems=problems)
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    assert numbers is not None
    return numbers


def _submitted_values(
    predictions: object, *, ids: np.ndarray, id_column: str, problems: list[Problem]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The submitted values in test order, and the ids they were matched by (None for values given in order)."""
    if isinstance(predictions, pd.DataFrame):
        return _frame_values(predictions, ids=ids, id_column=id_column, problems=problems)
    if isinstance(predictions, pd.Series):
        return _series_values(predictions, ids, id_column, problems), ids
    if predictions is None:
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                ACCEPTED_FORMS,
                "None",
                "If a function of yours made these predictions, make sure it returns them.",
            )
        )
        return None, None
    if isinstance(predictions, (np.ndarray, list, tuple)) or hasattr(predictions, "__array__"):
        return _array_values(predictions, len(ids), problems), None
    problems.append(
        Problem(
            ProblemCode.WRONG_TYPE,
            ACCEPTED_FORMS,
            f"{type(predictions).__name__}",
            "See casestudies.Case.score for the accepted forms.",
        )
    )
    return None, None


def _frame_values(
    frame: pd.DataFrame, *, ids: np.ndarray, id_column: str, problems: list[Problem]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Values of a DataFrame submission: a lone prediction column in order, or predictions by id."""
    if len(frame) == 0:
        problems.append(
            Problem(
                ProblemCode.EMPTY,
                f"{len(ids)} predictions",
                f"a table with no rows (columns {[str(c) for c in frame.columns]})",
                "Predict on case.test.",
            )
        )
        return None, None
    if frame.shape[1] == 1 and frame.columns[0] == PREDICTION_COLUMN and frame.index.name is None:
        return _array_values(frame[PREDICTION_COLUMN].to_numpy(), len(ids), problems), None
    series = _frame_to_series(frame, id_column, problems)
    if series is None:
        return None, None
    return _series_values(series, ids, id_column, problems), ids


def _checked_numbers(
    values: np.ndarray, row_ids: np.ndarray | None, *, probabilities: bool, problems: list[Problem]
) -> np.ndarray:
    """The values as float64, after recording those that are not numbers, not finite or (if asked) not in [0, 1]."""
    numbers = as_numbers(np.asarray(values), row_ids, problems)
    position = row_ids if row_ids is not None and len(row_ids) == len(numbers) else None
    non_finite = ~np.isfinite(numbers)
    if non_finite.any():
        where = (
            f"ids {examples(position[non_finite])}"
            if position is not None
            else f"positions {examples(np.flatnonzero(non_finite))}"
        )
        problems.append(
            Problem(
                ProblemCode.NON_FINITE,
                "finite numbers",
                f"{int(non_finite.sum())} NaN or infinite values at {where}",
                "Impute or fix the rows your pipeline could not score; every row needs a number.",
            )
        )
    finite = numbers[np.isfinite(numbers)]
    if probabilities and finite.size and (finite.min() < 0.0 or finite.max() > 1.0):
        outside = finite[(finite < 0.0) | (finite > 1.0)]
        problems.append(
            Problem(
                ProblemCode.OUT_OF_RANGE,
                "probabilities in [0, 1]",
                f"{outside.size} values outside, range [{finite.min():.4g}, {finite.max():.4g}]",
                "Use predict_proba(X)[:, 1], or map scores through a sigmoid (scipy.special.expit).",
            )
        )
    return numbers
