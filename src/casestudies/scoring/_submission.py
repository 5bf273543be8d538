"""The one validator of submissions: every problem found, then one error."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from casestudies.exceptions import Problem, ProblemCode, SubmissionError

PREDICTION_COLUMN = "prediction"
_EXAMPLES = 3


def _examples(values: Sequence[object] | np.ndarray | pd.Index) -> str:
    shown = [repr(value.item() if isinstance(value, np.generic) else value) for value in list(values)[:_EXAMPLES]]
    more = "" if len(values) <= _EXAMPLES else f", ... ({len(values)} in all)"
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
    return pd.Series(frame[PREDICTION_COLUMN].to_numpy(), index=pd.Index(frame[id_names[0]].to_numpy()))


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
                f"{len(duplicated)} repeated ids, e.g. {_examples(duplicated.unique())}",
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
                f"{len(unknown)} ids that are not in the test set, e.g. {_examples(unknown)}",
                "Predict on case.test (the holdout) and keep its id column unchanged.",
            )
        )
    if len(missing):
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"a prediction for every one of the {len(ids)} test ids",
                f"none for {len(missing)} ids, e.g. {_examples(missing)}",
                "Predict on every row of case.test without filtering.",
            )
        )
    if len(duplicated) or len(unknown) or len(missing):
        return None
    return series.set_axis(index).reindex(expected).to_numpy()


def _as_numbers(values: np.ndarray, ids: np.ndarray | None, problems: list[Problem]) -> np.ndarray:
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
        return np.full(values.shape, 0.5)  # the error is recorded; don't report NON_FINITE on top
    objects = pd.Series(values, dtype=object)
    # np.array(..., copy) because pandas may hand out a read-only view (copy-on-write).
    numbers = np.array(pd.to_numeric(objects, errors="coerce"), dtype=np.float64)
    bad = np.isnan(numbers) & ~pd.isna(objects).to_numpy()
    if bad.any():
        where = (
            f" at ids {_examples(ids[bad])}" if ids is not None else f" at positions {_examples(np.flatnonzero(bad))}"
        )
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                "numbers",
                f"{int(bad.sum())} values that are not numbers, e.g. {_examples(values[bad])}{where}",
                "Convert predictions to floats (scores or probabilities), not labels or text.",
            )
        )
        numbers[bad] = 0.5  # keep other checks meaningful; the error is already recorded
    return numbers


ACCEPTED_FORMS = "an array in case.test order, a Series indexed by id, a DataFrame with id and prediction columns, or a CSV/Parquet path"


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
    n_expected = len(ids)
    values: np.ndarray | None = None
    row_ids: np.ndarray | None = None

    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    if isinstance(predictions, pd.DataFrame):
        frame = predictions
        if len(frame) == 0:
            problems.append(
                Problem(
                    ProblemCode.EMPTY,
                    f"{n_expected} predictions",
                    f"a table with no rows (columns {[str(c) for c in frame.columns]})",
                    "Predict on case.test.",
                )
            )
        elif frame.shape[1] == 1 and frame.columns[0] == PREDICTION_COLUMN and frame.index.name is None:
            values = _array_values(frame[PREDICTION_COLUMN].to_numpy(), n_expected, problems)
        else:
            series = _frame_to_series(frame, id_column, problems)
            if series is not None:
                values = _series_values(series, ids, id_column, problems)
                row_ids = ids
    elif isinstance(predictions, pd.Series):
        values = _series_values(predictions, ids, id_column, problems)
        row_ids = ids
    elif predictions is None:
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                ACCEPTED_FORMS,
                "None",
                "If a function of yours made these predictions, make sure it returns them.",
            )
        )
    elif isinstance(predictions, (np.ndarray, list, tuple)) or hasattr(predictions, "__array__"):
        values = _array_values(predictions, n_expected, problems)
    else:
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                ACCEPTED_FORMS,
                f"{type(predictions).__name__}",
                "See casestudies.Case.score for the accepted forms.",
            )
        )

    numbers = None
    if values is not None and len(values):
        numbers = _as_numbers(np.asarray(values), row_ids, problems)
        position = row_ids if row_ids is not None and len(row_ids) == len(numbers) else None
        non_finite = ~np.isfinite(numbers)
        if non_finite.any():
            where = (
                f"ids {_examples(position[non_finite])}"
                if position is not None
                else f"positions {_examples(np.flatnonzero(non_finite))}"
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
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    assert numbers is not None
    return numbers


# -- rating and top-N submissions ---------------------------------------------

PAIR_COLUMNS = ("user_id", "movie_id")
RATING_FORMS = "an array in case.test order, a DataFrame with user_id, movie_id and rating columns (or the id column and prediction), or a CSV/Parquet path"
TOPN_FORMS = "a DataFrame with user_id, movie_id and rank columns (rank 1..k), a 2-d array of movie ids (one row per case.test user, best first), or a CSV/Parquet path"


def _int_column(frame: pd.DataFrame, column: str, problems: list[Problem]) -> np.ndarray | None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                f"integer {column} values",
                f"{int(bad.sum())} missing or non-integer values, e.g. {_examples(frame[column][bad].tolist())}",
                f"Use the {column} values of case.train / case.tables exactly as given.",
            )
        )
        return None
    return values.to_numpy().astype(np.int64)


def _unknown(values: np.ndarray, known: np.ndarray, what: str, where: str, problems: list[Problem]) -> np.ndarray:
    unknown = ~np.isin(values, known)
    if unknown.any():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"{what} from {where}",
                f"{int(unknown.sum())} rows with {what} that do not exist, e.g. {_examples(np.unique(values[unknown]))}",
                f"Only use {what} listed in {where}.",
            )
        )
    return unknown


def _pair_keys(users: np.ndarray, movies: np.ndarray, n_movies: int) -> np.ndarray:
    return users.astype(np.int64) * (int(n_movies) + 1) + movies.astype(np.int64)


def validate_rating(
    predictions: object,
    *,
    scenario_id: str,
    test: pd.DataFrame,
    id_column: str,
    users: np.ndarray,
    n_movies: int,
) -> np.ndarray:
    """Turn a rating-task submission into predicted ratings in ``case.test`` order.

    Parameters
    ----------
    predictions : array-like, pandas.Series, pandas.DataFrame or path
        An array in ``case.test`` order; a Series indexed by ``id_column``; a
        DataFrame with ``user_id, movie_id, rating`` (one row per test pair)
        or with ``id_column`` and ``prediction``; or a CSV/Parquet file.
    scenario_id : str
        For messages.
    test : pandas.DataFrame
        ``case.test``: ``id_column``, ``user_id`` and ``movie_id`` per row.
    id_column : str
        Name of the row-id column.
    users : numpy.ndarray
        Every known user id.
    n_movies : int
        Movie ids run from 1 to ``n_movies``.

    Returns
    -------
    numpy.ndarray
        Float64 predicted ratings, each in [1, 5].

    Raises
    ------
    SubmissionError
        Listing every problem at once: unknown users or movies, pairs not in
        the test set, duplicate or missing pairs, NaN, ratings outside 1..5.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> test = pd.DataFrame({"rating_id": [7, 8], "user_id": [1, 2], "movie_id": [3, 3]})
    >>> sub = pd.DataFrame({"user_id": [2, 1], "movie_id": [3, 3], "rating": [4.5, 2.0]})
    >>> validate_rating(sub, scenario_id="demo-v1", test=test, id_column="rating_id", users=np.array([1, 2]), n_movies=5)
    array([2. , 4.5])
    >>> bad = pd.DataFrame({"user_id": [1, 1, 9], "movie_id": [3, 3, 3], "rating": [np.nan, 6.0, 3.0]})
    >>> try:
    ...     validate_rating(bad, scenario_id="demo-v1", test=test, id_column="rating_id", users=np.array([1, 2]), n_movies=5)
    ... except SubmissionError as err:
    ...     print([problem.code.value for problem in err.problems])
    ['UNKNOWN_IDS', 'DUPLICATE_IDS', 'MISSING_IDS', 'NON_FINITE', 'OUT_OF_RANGE']
    """
    try:
        return _validate_rating(
            predictions, scenario_id=scenario_id, test=test, id_column=id_column, users=users, n_movies=n_movies
        )
    except SubmissionError:
        raise
    except Exception as err:
        problem = Problem(
            ProblemCode.WRONG_TYPE,
            RATING_FORMS,
            f"a {type(predictions).__name__} that could not be read ({type(err).__name__}: {err})",
            "See casestudies.Case.score for the accepted forms.",
        )
        raise SubmissionError(scenario_id, (problem,)) from err


def _validate_rating(
    predictions: object, *, scenario_id: str, test: pd.DataFrame, id_column: str, users: np.ndarray, n_movies: int
) -> np.ndarray:
    problems: list[Problem] = []
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    numbers: np.ndarray | None = None
    if isinstance(predictions, pd.DataFrame) and {*PAIR_COLUMNS} <= {str(c) for c in predictions.columns}:
        frame = predictions
        extra = sorted({str(c) for c in frame.columns} - {*PAIR_COLUMNS, "rating"})
        if "rating" not in frame.columns or extra:
            problems.append(
                Problem(
                    ProblemCode.WRONG_COLUMNS,
                    "exactly the columns user_id, movie_id, rating",
                    f"columns {[str(c) for c in frame.columns]}",
                    "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...}); write files with index=False.",
                )
            )
        if len(frame) == 0:
            problems.append(
                Problem(
                    ProblemCode.EMPTY,
                    f"{len(test)} predictions",
                    "a table with no rows",
                    "Predict every (user_id, movie_id) pair of case.test.",
                )
            )
        user = _int_column(frame, "user_id", problems)
        movie = _int_column(frame, "movie_id", problems)
        if "rating" in frame.columns and len(frame) and user is not None and movie is not None:
            bad_user = _unknown(user, users, "user ids", "case.train", problems)
            bad_movie = _unknown(movie, np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
            keys = _pair_keys(user, movie, n_movies)
            expected = _pair_keys(test["user_id"].to_numpy(), test["movie_id"].to_numpy(), n_movies)
            duplicated = pd.Series(keys).duplicated().to_numpy()
            if duplicated.any():
                problems.append(
                    Problem(
                        ProblemCode.DUPLICATE_IDS,
                        "each (user_id, movie_id) pair once",
                        f"{int(duplicated.sum())} repeated pairs, e.g. {_examples([(int(u), int(m)) for u, m in zip(user[duplicated], movie[duplicated])])}",
                        "Keep one prediction per pair (drop_duplicates(['user_id', 'movie_id'])).",
                    )
                )
            stray = ~np.isin(keys, expected) & ~bad_user & ~bad_movie
            if stray.any():
                problems.append(
                    Problem(
                        ProblemCode.UNKNOWN_IDS,
                        "only the (user_id, movie_id) pairs of case.test",
                        f"{int(stray.sum())} pairs that are not in the test set, e.g. {_examples([(int(u), int(m)) for u, m in zip(user[stray], movie[stray])])}",
                        "Predict exactly the pairs listed in case.test.",
                    )
                )
            missing = ~np.isin(expected, keys)
            if missing.any():
                problems.append(
                    Problem(
                        ProblemCode.MISSING_IDS,
                        f"a prediction for each of the {len(test)} test pairs",
                        f"none for {int(missing.sum())} pairs, e.g. {_examples([tuple(map(int, row)) for row in test.loc[missing, [*PAIR_COLUMNS]].to_numpy()[:3]])}",
                        "Predict every pair of case.test, including users or movies your model knows little about (fall back to a mean).",
                    )
                )
            values = _as_numbers(frame["rating"].to_numpy(), None, problems)
            numbers = values
            if not problems:
                numbers = pd.Series(values, index=keys).reindex(expected).to_numpy()
    else:
        try:
            numbers = validate_binary(
                predictions,
                scenario_id=scenario_id,
                ids=test[id_column].to_numpy(),
                id_column=id_column,
                probabilities=False,
            )
        except SubmissionError as err:
            problems.extend(err.problems)
            numbers = None
        if isinstance(predictions, pd.DataFrame) and problems and problems[0].code == ProblemCode.WRONG_COLUMNS:
            problems[0] = Problem(
                ProblemCode.WRONG_COLUMNS,
                f"columns user_id, movie_id, rating (or {id_column!r} and 'prediction')",
                problems[0].received,
                "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...}).",
            )
    if numbers is not None and len(numbers):
        non_finite = ~np.isfinite(numbers)
        if non_finite.any() and not any(p.code == ProblemCode.NON_FINITE for p in problems):
            problems.append(
                Problem(
                    ProblemCode.NON_FINITE,
                    "finite ratings",
                    f"{int(non_finite.sum())} NaN or infinite values",
                    "Every pair needs a number: fall back to the user's or the global mean.",
                )
            )
        finite = numbers[np.isfinite(numbers)]
        if finite.size and (finite.min() < 1.0 or finite.max() > 5.0):
            problems.append(
                Problem(
                    ProblemCode.OUT_OF_RANGE,
                    "ratings on the 1-5 star scale",
                    f"{int(((finite < 1) | (finite > 5)).sum())} values outside, range [{finite.min():.4g}, {finite.max():.4g}]",
                    "Clip predictions: np.clip(predictions, 1, 5).",
                )
            )
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    assert numbers is not None
    return numbers


def validate_topn(
    predictions: object,
    *,
    scenario_id: str,
    users: np.ndarray,
    k: int,
    seen: object,
    n_movies: int,
) -> np.ndarray:
    """Turn a top-N submission into a ``(len(users), k)`` matrix of movie ids, best first.

    Parameters
    ----------
    predictions : pandas.DataFrame, array-like or path
        A DataFrame (or CSV/Parquet file) with ``user_id, movie_id, rank``
        and ranks 1..k for every test user; or a 2-d array of movie ids with
        one row per ``users`` entry, best first.
    scenario_id : str
        For messages.
    users : numpy.ndarray
        The test users (``case.test['user_id']``), in order.
    k : int
        Recommendations per user.
    seen : scipy.sparse matrix
        ``seen[user_id, movie_id]`` is nonzero when the user rated the movie in train.
    n_movies : int
        Movie ids run from 1 to ``n_movies``.

    Raises
    ------
    SubmissionError
        Listing every problem at once: unknown or missing users, unknown
        movies, duplicate movies for a user, ranks that are not 1..k, movies
        the user already rated in train, NaN.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from scipy import sparse
    >>> seen = sparse.csr_matrix(([1], ([1], [2])), shape=(3, 6))
    >>> sub = pd.DataFrame({"user_id": [1, 1, 2, 2], "movie_id": [4, 3, 1, 2], "rank": [2, 1, 1, 2]})
    >>> validate_topn(sub, scenario_id="demo-v1", users=np.array([1, 2]), k=2, seen=seen, n_movies=5)
    array([[3, 4],
           [1, 2]])
    >>> bad = pd.DataFrame({"user_id": [1, 1, 7], "movie_id": [2, 2, 9], "rank": [1, 3, 1]})
    >>> try:
    ...     validate_topn(bad, scenario_id="demo-v1", users=np.array([1, 2]), k=2, seen=seen, n_movies=5)
    ... except SubmissionError as err:
    ...     print([problem.code.value for problem in err.problems])
    ['UNKNOWN_IDS', 'UNKNOWN_IDS', 'MISSING_IDS', 'DUPLICATE_IDS', 'BAD_RANKS', 'ALREADY_RATED']
    """
    try:
        return _validate_topn(predictions, scenario_id=scenario_id, users=users, k=k, seen=seen, n_movies=n_movies)
    except SubmissionError:
        raise
    except Exception as err:
        problem = Problem(
            ProblemCode.WRONG_TYPE,
            TOPN_FORMS,
            f"a {type(predictions).__name__} that could not be read ({type(err).__name__}: {err})",
            "See casestudies.Case.score for the accepted forms.",
        )
        raise SubmissionError(scenario_id, (problem,)) from err


def _validate_topn(
    predictions: object, *, scenario_id: str, users: np.ndarray, k: int, seen: object, n_movies: int
) -> np.ndarray:
    problems: list[Problem] = []
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    if isinstance(predictions, (np.ndarray, list, tuple)) and not isinstance(predictions, pd.DataFrame):
        array = np.asarray(predictions, dtype=object)
        if array.ndim != 2 or array.shape != (len(users), k):
            problem = Problem(
                ProblemCode.WRONG_SHAPE,
                f"shape ({len(users)}, {k}): one row of {k} movie ids per case.test user",
                f"shape {array.shape}",
                "Or pass a DataFrame with user_id, movie_id, rank.",
            )
            raise SubmissionError(scenario_id, (problem,))
        predictions = pd.DataFrame(
            {
                "user_id": np.repeat(users, k),
                "movie_id": array.ravel(),
                "rank": np.tile(np.arange(1, k + 1), len(users)),
            }
        )
    if not isinstance(predictions, pd.DataFrame):
        got = "None" if predictions is None else type(predictions).__name__
        raise SubmissionError(
            scenario_id,
            (
                Problem(
                    ProblemCode.WRONG_TYPE,
                    TOPN_FORMS,
                    got,
                    "If a function of yours made these recommendations, make sure it returns them.",
                ),
            ),
        )
    frame = predictions
    columns = [str(c) for c in frame.columns]
    if sorted(columns) != ["movie_id", "rank", "user_id"]:
        problem = Problem(
            ProblemCode.WRONG_COLUMNS,
            "exactly the columns user_id, movie_id, rank",
            f"columns {columns}",
            "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rank': ...}); write files with index=False.",
        )
        raise SubmissionError(scenario_id, (problem,))
    if len(frame) == 0:
        raise SubmissionError(
            scenario_id,
            (
                Problem(
                    ProblemCode.EMPTY,
                    f"{k} recommendations for each of {len(users)} users",
                    "a table with no rows",
                    "Recommend for every user in case.test.",
                ),
            ),
        )
    user = _int_column(frame, "user_id", problems)
    movie = _int_column(frame, "movie_id", problems)
    rank = _int_column(frame, "rank", problems)
    if user is None or movie is None or rank is None:
        raise SubmissionError(scenario_id, tuple(problems))
    unknown_user = _unknown(user, users, "user ids", "case.test['user_id']", problems)
    unknown_movie = _unknown(movie, np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
    missing = ~np.isin(users, user)
    if missing.any():
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"recommendations for each of the {len(users)} test users",
                f"none for {int(missing.sum())} users, e.g. {_examples(users[missing])}",
                "Recommend for every user in case.test, cold-start users included (fall back to popular movies).",
            )
        )
    pair = pd.DataFrame({"u": user, "m": movie})
    dup = pair.duplicated().to_numpy()
    if dup.any():
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                "each movie at most once per user",
                f"{int(dup.sum())} repeated (user_id, movie_id) pairs, e.g. {_examples([(int(a), int(b)) for a, b in zip(user[dup], movie[dup])])}",
                "Recommend k distinct movies per user.",
            )
        )
    ranked = pd.DataFrame({"u": user, "r": rank})
    good_rank = (rank >= 1) & (rank <= k) & ~ranked.duplicated().to_numpy()
    per_user = pd.Series(good_rank).groupby(user).agg(["sum", "size"])
    wrong = per_user[(per_user["sum"] != k) | (per_user["size"] != k)].index.to_numpy()
    wrong = wrong[np.isin(wrong, users)]
    if len(wrong):
        problems.append(
            Problem(
                ProblemCode.BAD_RANKS,
                f"ranks 1..{k}, each exactly once, for every user",
                f"{len(wrong)} users whose ranks are not 1..{k}, e.g. {_examples(wrong)} (rank values seen: {_examples(np.unique(rank))})",
                f"Give each user exactly {k} rows ranked 1 (best) to {k}.",
            )
        )
    ok = ~unknown_user & ~unknown_movie
    rated = np.zeros(len(frame), dtype=bool)
    if ok.any():
        rated[ok] = np.asarray(seen[user[ok], movie[ok]]).ravel() != 0  # type: ignore[index]
    if rated.any():
        problems.append(
            Problem(
                ProblemCode.ALREADY_RATED,
                "only movies the user has not rated in case.train",
                f"{int(rated.sum())} recommendations of already-rated movies, e.g. {_examples([(int(a), int(b)) for a, b in zip(user[rated], movie[rated])])} (user_id, movie_id)",
                "Remove each user's training movies before taking the top k.",
            )
        )
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    position = pd.Index(users).get_indexer(user)
    result = np.zeros((len(users), k), dtype=np.int64)
    result[position, rank - 1] = movie
    return result
