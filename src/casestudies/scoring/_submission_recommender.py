"""Validators of the recommender tasks' submissions: ratings of pairs and top-N lists.

As for the binary task, every check whose input is readable runs: a text
rating, an unknown user and a repeated pair are all reported in one error.
Ids are read as whole numbers element by element (:func:`whole_numbers`):
text such as ``"12"`` is the id 12, and an id too large for int64 is an id
that does not exist, never a wrapped-around one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import pandas as pd

from casestudies.core import counted
from casestudies.exceptions import Problem, ProblemCode, SubmissionError
from casestudies.scoring._reading import read_prediction_file
from casestudies.scoring._submission import (
    EXAMPLES,
    PREDICTION_COLUMN,
    RowForm,
    ValueRule,
    check_values,
    column_list,
    column_names,
    examples,
    raise_unreadable,
    row_submission,
    warn_ignored,
    whole_numbers,
)

PAIR_COLUMNS: Final[tuple[str, str]] = ("user_id", "movie_id")
RATING_COLUMN: Final[str] = "rating"
RATING_FORMS: Final[str] = (
    "an array in case.test order, a DataFrame with user_id, movie_id and rating columns "
    "(or the id column and prediction), or a CSV/Parquet path"
)
TOPN_COLUMNS: Final[tuple[str, str, str]] = ("user_id", "movie_id", "rank")
TOPN_FORMS: Final[str] = (
    "a DataFrame with user_id, movie_id and rank columns (rank 1..k), "
    "a 2-d array of movie ids (one row per case.test user, best first), or a CSV/Parquet path"
)

MIN_STARS: Final[float] = 1.0
MAX_STARS: Final[float] = 5.0
"""The star scale of the movies world: ratings, and predictions of them, lie in [MIN_STARS, MAX_STARS]."""

STARS: Final[ValueRule] = ValueRule(
    low=MIN_STARS,
    high=MAX_STARS,
    range_expected=f"ratings on the {MIN_STARS:g}-{MAX_STARS:g} star scale",
    range_hint=f"Clip predictions: np.clip(predictions, {MIN_STARS:g}, {MAX_STARS:g}).",
    non_numeric_hint="Convert predictions to floats (predicted stars), not labels or text.",
    non_finite_hint="Every pair needs a number: fall back to the user's or the global mean.",
)
"""Each predicted rating: a finite number on the star scale."""


class RatedLookup(Protocol):
    """``seen[user_ids, movie_ids]``: nonzero where the user rated the movie in train (a scipy sparse matrix)."""

    def __getitem__(self, key: tuple[np.ndarray, np.ndarray], /) -> object: ...


@dataclass(frozen=True, slots=True)
class _Ids:
    """A column of submitted ids: as given, as int64, which fit int64 and which are whole numbers beyond it."""

    raw: np.ndarray
    values: np.ndarray
    fits: np.ndarray
    beyond: np.ndarray

    def unknown(self, known: np.ndarray, what: str, where: str, problems: list[Problem]) -> np.ndarray:
        """Mask of the rows whose id is a whole number not in ``known``, recorded as one problem."""
        unknown: np.ndarray = (self.fits & ~np.isin(self.values, known)) | self.beyond
        if unknown.any():
            shown_ids = np.concatenate([pd.unique(self.values[unknown & self.fits]), pd.unique(self.raw[self.beyond])])
            problems.append(
                Problem(
                    ProblemCode.UNKNOWN_IDS,
                    f"{what} from {where}",
                    f"{counted(int(unknown.sum()), f'row with {what} that do not exist')}, e.g. {examples(shown_ids)}",
                    f"Only use {what} listed in {where}.",
                )
            )
        return unknown


def _integer_column(frame: pd.DataFrame, names: list[str], column: str, problems: list[Problem]) -> _Ids:
    """The column's whole numbers, recording the values that are missing or not whole numbers."""
    raw = np.asarray(frame.iloc[:, names.index(column)].to_numpy())
    values, fits, beyond = whole_numbers(raw)
    bad = ~fits & ~beyond
    if bad.any():
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                f"integer {column} values",
                f"{int(bad.sum())} missing or non-integer values, e.g. {examples(raw[bad])}",
                f"Use the {column} values of case.train / case.tables exactly as given.",
            )
        )
    return _Ids(raw, values, fits, beyond)


def _pair_keys(users: np.ndarray, movies: np.ndarray, n_movies: int) -> np.ndarray:
    return users.astype(np.int64) * (int(n_movies) + 1) + movies.astype(np.int64)


def _pairs(users: np.ndarray, movies: np.ndarray) -> list[tuple[int, int]]:
    """``(user_id, movie_id)`` pairs as plain ints, for messages."""
    return [(int(user), int(movie)) for user, movie in zip(users, movies, strict=True)]


def _columns_problem(names: list[str], required: tuple[str, ...], expected: str, build: str) -> Problem | None:
    """WRONG_COLUMNS when a required column is absent or named twice; other columns are allowed."""
    missing = [name for name in required if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in required})
    if not missing and not repeated:
        return None
    hint = f"Build it as {build}; other columns are ignored; write files with index=False."
    if repeated:
        hint = f"Give each column its own name ({column_list(repeated)} appear more than once). " + hint
    return Problem(ProblemCode.WRONG_COLUMNS, expected, f"columns {column_list(names)}", hint)


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
        DataFrame with ``user_id, movie_id, rating`` (one row per test pair,
        ``case.test.assign(rating=...)`` included: other columns are ignored
        with a warning that names them) or with ``id_column`` and
        ``prediction``; or a CSV/Parquet file.
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
        the test set, duplicate or missing pairs, text, NaN, ratings outside 1..5.

    Warns
    -----
    UserWarning
        When a table's columns other than those read were ignored.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> test = pd.DataFrame({"rating_id": [7, 8], "user_id": [1, 2], "movie_id": [3, 3]})
    >>> sub = pd.DataFrame({"user_id": [2, 1], "movie_id": [3, 3], "rating": [4.5, 2.0]})
    >>> known = {"test": test, "id_column": "rating_id", "users": np.array([1, 2]), "n_movies": 5}
    >>> validate_rating(sub, scenario_id="demo-v1", **known)
    array([2. , 4.5])
    >>> bad = pd.DataFrame({"user_id": [1, 1, 9], "movie_id": [3, 3, 3], "rating": [np.nan, 6.0, "high"]})
    >>> try:
    ...     validate_rating(bad, scenario_id="demo-v1", **known)
    ... except SubmissionError as err:
    ...     print([problem.code.value for problem in err.problems])
    ['UNKNOWN_IDS', 'DUPLICATE_IDS', 'MISSING_IDS', 'NON_NUMERIC', 'NON_FINITE', 'OUT_OF_RANGE']
    """
    problems: list[Problem] = []
    try:
        if isinstance(predictions, (str, os.PathLike)):
            predictions = read_prediction_file(predictions, scenario_id=scenario_id)
        if isinstance(predictions, pd.DataFrame) and {*PAIR_COLUMNS} <= {*column_names(predictions)}:
            ratings, ignored = _pair_ratings(predictions, test=test, users=users, n_movies=n_movies, problems=problems)
            matched_by = "the 'user_id', 'movie_id' and rating"
        else:
            form = RowForm(
                id_column,
                STARS,
                value_columns=(PREDICTION_COLUMN, RATING_COLUMN),
                proba=False,
                columns_expected=f"columns user_id, movie_id, rating (or {id_column!r} and 'prediction')",
                columns_hint="Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...}); "
                "other columns are ignored.",
                forms=RATING_FORMS,
            )
            submitted, ratings = row_submission(
                predictions, ids=test[id_column].to_numpy(), form=form, scenario_id=scenario_id, problems=problems
            )
            ignored, matched_by = submitted.ignored, f"the {id_column!r} and prediction"
    except SubmissionError:
        raise
    except Exception as err:
        raise raise_unreadable(scenario_id, predictions, RATING_FORMS, err) from err
    if problems or ratings is None:
        raise SubmissionError(scenario_id, tuple(problems))
    warn_ignored(ignored, matched_by=f"{matched_by} columns")
    return ratings


def _pair_ratings(
    frame: pd.DataFrame, *, test: pd.DataFrame, users: np.ndarray, n_movies: int, problems: list[Problem]
) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Ratings of a ``user_id, movie_id, rating`` frame in ``test`` order (None after problems), and ignored columns."""
    names = column_names(frame)
    values = [name for name in (RATING_COLUMN, PREDICTION_COLUMN) if name in names]
    value = values[0] if values else RATING_COLUMN
    problem = _columns_problem(
        names,
        (*PAIR_COLUMNS, value),
        "exactly the columns user_id, movie_id, rating",
        "pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...})",
    )
    if problem is None and len(values) > 1:
        problem = Problem(
            ProblemCode.WRONG_COLUMNS,
            "exactly the columns user_id, movie_id, rating",
            f"columns {column_list(names)}",
            "Keep one of the columns 'rating' and 'prediction'.",
        )
    if problem is not None:
        problems.append(problem)
    if len(frame) == 0:
        problems.append(
            Problem(
                ProblemCode.EMPTY,
                counted(len(test), "prediction"),
                "a table with no rows",
                "Predict every (user_id, movie_id) pair of case.test.",
            )
        )
        return None, ()
    if any(names.count(name) > 1 for name in PAIR_COLUMNS):
        return None, ()
    user = _integer_column(frame, names, "user_id", problems)
    movie = _integer_column(frame, names, "movie_id", problems)
    bad_user = user.unknown(users, "user ids", "case.train", problems)
    bad_movie = movie.unknown(np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
    known = user.fits & movie.fits & ~bad_user & ~bad_movie
    expected = _pair_keys(test["user_id"].to_numpy(), test["movie_id"].to_numpy(), n_movies)
    keys = _pair_keys(user.values[known], movie.values[known], n_movies)
    _check_pairs(user.values[known], movie.values[known], keys, expected, test=test, problems=problems)
    ratings = None
    if problem is None:
        ratings = check_values(frame.iloc[:, names.index(value)].to_numpy(), None, STARS, problems)
    if problems or ratings is None:
        return None, ()
    aligned: np.ndarray = pd.Series(ratings, index=keys).reindex(expected).to_numpy()
    return aligned, tuple(name for name in names if name not in (*PAIR_COLUMNS, value))


def _check_pairs(
    user: np.ndarray,
    movie: np.ndarray,
    keys: np.ndarray,
    expected: np.ndarray,
    *,
    test: pd.DataFrame,
    problems: list[Problem],
) -> None:
    """Repeated pairs, pairs not in the test set and test pairs left out (``user``, ``movie``: known ids only)."""
    duplicated = pd.Series(keys).duplicated().to_numpy()
    if duplicated.any():
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                "each (user_id, movie_id) pair once",
                f"{int(duplicated.sum())} repeated pairs, e.g. {examples(_pairs(user[duplicated], movie[duplicated]))}",
                "Keep one prediction per pair (drop_duplicates(['user_id', 'movie_id'])).",
            )
        )
    stray = ~np.isin(keys, expected)
    if stray.any():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                "only the (user_id, movie_id) pairs of case.test",
                f"{counted(int(stray.sum()), 'pair that is not in the test set')}, "
                f"e.g. {examples(_pairs(user[stray], movie[stray]))}",
                "Predict exactly the pairs listed in case.test.",
            )
        )
    missing = ~np.isin(expected, keys)
    if missing.any():
        # The first few only: the message states the count itself.
        shown_pairs = test.loc[missing, [*PAIR_COLUMNS]].to_numpy()[:EXAMPLES]
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"a prediction for each of the {counted(len(test), 'test pair')}",
                f"none for {counted(int(missing.sum()), 'pair')}, "
                f"e.g. {examples(_pairs(shown_pairs[:, 0], shown_pairs[:, 1]))}",
                "Predict every pair of case.test, including users or movies your model knows little about "
                "(fall back to a mean).",
            )
        )


def validate_topn(
    predictions: object,
    *,
    scenario_id: str,
    users: np.ndarray,
    k: int,
    seen: RatedLookup,
    n_movies: int,
) -> np.ndarray:
    """Turn a top-N submission into a ``(len(users), k)`` matrix of movie ids, best first.

    Parameters
    ----------
    predictions : pandas.DataFrame, array-like or path
        A DataFrame (or CSV/Parquet file) with ``user_id, movie_id, rank``
        and ranks 1..k for every test user (other columns are ignored with a
        warning that names them); or a 2-d array of movie ids with one row
        per ``users`` entry, best first.
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
        the user already rated in train, ids that are not integers.

    Warns
    -----
    UserWarning
        When a table's columns other than user_id, movie_id and rank were ignored.

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
    problems: list[Problem] = []
    try:
        if isinstance(predictions, (str, os.PathLike)):
            predictions = read_prediction_file(predictions, scenario_id=scenario_id)
        frame = _topn_frame(predictions, users=users, k=k, problems=problems)
        result = (
            None
            if frame is None
            else _topn_matrix(frame, users=users, k=k, seen=seen, n_movies=n_movies, problems=problems)
        )
    except SubmissionError:
        raise
    except Exception as err:
        raise raise_unreadable(scenario_id, predictions, TOPN_FORMS, err) from err
    if problems or result is None or frame is None:
        raise SubmissionError(scenario_id, tuple(problems))
    names = column_names(frame)
    warn_ignored([name for name in names if name not in TOPN_COLUMNS], matched_by="user_id, movie_id and rank")
    return result


def _topn_matrix(
    frame: pd.DataFrame, *, users: np.ndarray, k: int, seen: RatedLookup, n_movies: int, problems: list[Problem]
) -> np.ndarray | None:
    """Every check of a ``user_id, movie_id, rank`` table; the matrix of movie ids when none failed."""
    names = column_names(frame)
    user = _integer_column(frame, names, "user_id", problems)
    movie = _integer_column(frame, names, "movie_id", problems)
    rank = _integer_column(frame, names, "rank", problems)
    unknown_user = user.unknown(users, "user ids", "case.test['user_id']", problems)
    unknown_movie = movie.unknown(np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
    _check_users_and_movies(user, movie, users=users, problems=problems)
    test_user = user.fits & ~unknown_user
    _check_ranks(user.values[test_user], rank.values[test_user], rank.fits[test_user], k=k, problems=problems)
    known = test_user & movie.fits & ~unknown_movie
    _check_unrated(user.values[known], movie.values[known], seen, problems)
    if problems:
        return None
    position = pd.Index(users).get_indexer(user.values)
    result = np.zeros((len(users), k), dtype=np.int64)
    result[position, rank.values - 1] = movie.values
    return result


def _topn_frame(predictions: object, *, users: np.ndarray, k: int, problems: list[Problem]) -> pd.DataFrame | None:
    """The submission as a ``user_id, movie_id, rank`` table; None after a wrong shape, type, columns or no rows."""
    if isinstance(predictions, (np.ndarray, list, tuple)):
        try:
            array = np.asarray(predictions, dtype=object)
        except (ValueError, TypeError):
            array = None
        if array is not None and array.size == 0:
            problems.append(
                Problem(
                    ProblemCode.EMPTY,
                    f"{counted(k, 'recommendation')} for each of {counted(len(users), 'user')}",
                    "an empty sequence",
                    "Recommend for every user in case.test: one row of movie ids per user, best first.",
                )
            )
            return None
        if array is None or array.shape != (len(users), k):
            got = "a ragged sequence" if array is None else f"shape {array.shape}"
            problems.append(
                Problem(
                    ProblemCode.WRONG_SHAPE,
                    f"shape ({len(users)}, {k}): one row of {k} movie ids per case.test user",
                    got,
                    "Or pass a DataFrame with user_id, movie_id, rank.",
                )
            )
            return None
        predictions = pd.DataFrame(
            {
                "user_id": np.repeat(users, k),
                "movie_id": array.ravel(),
                "rank": np.tile(np.arange(1, k + 1), len(users)),
            }
        )
    if not isinstance(predictions, pd.DataFrame):
        got = "None" if predictions is None else type(predictions).__name__
        problems.append(
            Problem(
                ProblemCode.WRONG_TYPE,
                TOPN_FORMS,
                got,
                "If a function of yours made these recommendations, make sure it returns them.",
            )
        )
        return None
    names = column_names(predictions)
    problem = _columns_problem(
        names,
        TOPN_COLUMNS,
        "exactly the columns user_id, movie_id, rank",
        "pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rank': ...})",
    )
    if problem is not None:
        problems.append(problem)
    if len(predictions) == 0:
        problems.append(
            Problem(
                ProblemCode.EMPTY,
                f"{counted(k, 'recommendation')} for each of {counted(len(users), 'user')}",
                "a table with no rows",
                "Recommend for every user in case.test.",
            )
        )
    return None if problems else predictions


def _check_users_and_movies(user: _Ids, movie: _Ids, *, users: np.ndarray, problems: list[Problem]) -> None:
    """Every test user served, and no movie twice for a user."""
    missing = ~np.isin(users, user.values[user.fits])
    if missing.any():
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"recommendations for each of the {counted(len(users), 'test user')}",
                f"none for {counted(int(missing.sum()), 'user')}, e.g. {examples(users[missing])}",
                "Recommend for every user in case.test, cold-start users included (fall back to popular movies).",
            )
        )
    both = user.fits & movie.fits
    dup = pd.DataFrame({"u": user.values[both], "m": movie.values[both]}).duplicated().to_numpy()
    if dup.any():
        pairs = _pairs(user.values[both][dup], movie.values[both][dup])
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                "each movie at most once per user",
                f"{counted(int(dup.sum()), 'repeated (user_id, movie_id) pair')}, e.g. {examples(pairs)}",
                "Recommend k distinct movies per user.",
            )
        )


def _check_ranks(user: np.ndarray, rank: np.ndarray, fits: np.ndarray, *, k: int, problems: list[Problem]) -> None:
    """Ranks 1..k, each exactly once, for every test user (``user``: the rows of test users)."""
    good_rank = fits & (rank >= 1) & (rank <= k) & ~pd.DataFrame({"u": user, "r": rank}).duplicated().to_numpy()
    served, row_user = np.unique(user, return_inverse=True)
    n_good = np.bincount(row_user, weights=good_rank, minlength=len(served))
    n_rows = np.bincount(row_user, minlength=len(served))
    wrong = served[(n_good != k) | (n_rows != k)]
    if len(wrong):
        problems.append(
            Problem(
                ProblemCode.BAD_RANKS,
                f"ranks 1..{k}, each exactly once, for every user",
                f"{counted(len(wrong), f'user whose ranks are not 1..{k}')}, e.g. {examples(wrong)} "
                f"(rank values seen: {examples(np.unique(rank[fits]))})",
                f"Give each user exactly {counted(k, 'row')} ranked 1 (best) to {k}.",
            )
        )


def _check_unrated(user: np.ndarray, movie: np.ndarray, seen: RatedLookup, problems: list[Problem]) -> None:
    """No movie the user already rated in train (``user`` and ``movie``: the known ones only)."""
    rated = np.asarray(seen[user, movie]).ravel() != 0 if len(user) else np.zeros(0, dtype=bool)
    if rated.any():
        problems.append(
            Problem(
                ProblemCode.ALREADY_RATED,
                "only movies the user has not rated in case.train",
                f"{counted(int(rated.sum()), 'recommendation of already-rated movies')}, "
                f"e.g. {examples(_pairs(user[rated], movie[rated]))} (user_id, movie_id)",
                "Remove each user's training movies before taking the top k.",
            )
        )
