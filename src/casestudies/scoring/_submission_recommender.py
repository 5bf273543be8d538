"""Validators of the recommender tasks' submissions: ratings of pairs and top-N lists."""

from __future__ import annotations

import os
from typing import Final, Protocol

import numpy as np
import pandas as pd

from casestudies.exceptions import Problem, ProblemCode, SubmissionError
from casestudies.scoring._submission import EXAMPLES, as_numbers, examples, read_prediction_file, validate_binary

PAIR_COLUMNS: Final[tuple[str, str]] = ("user_id", "movie_id")
RATING_FORMS: Final[str] = (
    "an array in case.test order, a DataFrame with user_id, movie_id and rating columns "
    "(or the id column and prediction), or a CSV/Parquet path"
)
TOPN_FORMS: Final[str] = (
    "a DataFrame with user_id, movie_id and rank columns (rank 1..k), "
    "a 2-d array of movie ids (one row per case.test user, best first), or a CSV/Parquet path"
)

MIN_STARS: Final[float] = 1.0
MAX_STARS: Final[float] = 5.0
"""The star scale of the movies world: ratings, and predictions of them, lie in [MIN_STARS, MAX_STARS]."""


class RatedLookup(Protocol):
    """``seen[user_ids, movie_ids]``: nonzero where the user rated the movie in train (a scipy sparse matrix)."""

    def __getitem__(self, key: tuple[np.ndarray, np.ndarray], /) -> object: ...


def _int_column(frame: pd.DataFrame, column: str, problems: list[Problem]) -> np.ndarray | None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        problems.append(
            Problem(
                ProblemCode.NON_NUMERIC,
                f"integer {column} values",
                f"{int(bad.sum())} missing or non-integer values, e.g. {examples(frame[column][bad].tolist())}",
                f"Use the {column} values of case.train / case.tables exactly as given.",
            )
        )
        return None
    integers: np.ndarray = values.to_numpy().astype(np.int64)
    return integers


def _unknown(values: np.ndarray, known: np.ndarray, what: str, where: str, problems: list[Problem]) -> np.ndarray:
    unknown = ~np.isin(values, known)
    if unknown.any():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                f"{what} from {where}",
                f"{int(unknown.sum())} rows with {what} that do not exist, e.g. {examples(np.unique(values[unknown]))}",
                f"Only use {what} listed in {where}.",
            )
        )
    return unknown


def _pair_keys(users: np.ndarray, movies: np.ndarray, n_movies: int) -> np.ndarray:
    return users.astype(np.int64) * (int(n_movies) + 1) + movies.astype(np.int64)


def _pairs(users: np.ndarray, movies: np.ndarray) -> list[tuple[int, int]]:
    """``(user_id, movie_id)`` pairs as plain ints, for messages."""
    return [(int(user), int(movie)) for user, movie in zip(users, movies, strict=True)]


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
    >>> known = {"test": test, "id_column": "rating_id", "users": np.array([1, 2]), "n_movies": 5}
    >>> validate_rating(sub, scenario_id="demo-v1", **known)
    array([2. , 4.5])
    >>> bad = pd.DataFrame({"user_id": [1, 1, 9], "movie_id": [3, 3, 3], "rating": [np.nan, 6.0, 3.0]})
    >>> try:
    ...     validate_rating(bad, scenario_id="demo-v1", **known)
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
    if isinstance(predictions, pd.DataFrame) and {*PAIR_COLUMNS} <= {str(c) for c in predictions.columns}:
        numbers = _pair_ratings(predictions, test=test, users=users, n_movies=n_movies, problems=problems)
    else:
        numbers = _row_ratings(predictions, scenario_id=scenario_id, test=test, id_column=id_column, problems=problems)
    if numbers is not None and len(numbers):
        _check_stars(numbers, problems)
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    assert numbers is not None
    return numbers


def _pair_ratings(
    frame: pd.DataFrame, *, test: pd.DataFrame, users: np.ndarray, n_movies: int, problems: list[Problem]
) -> np.ndarray | None:
    """Ratings of a ``user_id, movie_id, rating`` frame in ``test`` order (as given if it has problems)."""
    extra = sorted({str(c) for c in frame.columns} - {*PAIR_COLUMNS, "rating"})
    if "rating" not in frame.columns or extra:
        problems.append(
            Problem(
                ProblemCode.WRONG_COLUMNS,
                "exactly the columns user_id, movie_id, rating",
                f"columns {[str(c) for c in frame.columns]}",
                "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...}); "
                "write files with index=False.",
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
    if "rating" not in frame.columns or not len(frame) or user is None or movie is None:
        return None
    keys = _pair_keys(user, movie, n_movies)
    expected = _pair_keys(test["user_id"].to_numpy(), test["movie_id"].to_numpy(), n_movies)
    _check_pairs(user, movie, keys, expected, test=test, users=users, n_movies=n_movies, problems=problems)
    values = as_numbers(frame["rating"].to_numpy(), None, problems)
    if problems:
        return values
    aligned: np.ndarray = pd.Series(values, index=keys).reindex(expected).to_numpy()
    return aligned


def _check_pairs(
    user: np.ndarray,
    movie: np.ndarray,
    keys: np.ndarray,
    expected: np.ndarray,
    *,
    test: pd.DataFrame,
    users: np.ndarray,
    n_movies: int,
    problems: list[Problem],
) -> None:
    """Unknown users or movies, repeated pairs, pairs not in the test set and test pairs left out."""
    bad_user = _unknown(user, users, "user ids", "case.train", problems)
    bad_movie = _unknown(movie, np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
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
    stray = ~np.isin(keys, expected) & ~bad_user & ~bad_movie
    if stray.any():
        problems.append(
            Problem(
                ProblemCode.UNKNOWN_IDS,
                "only the (user_id, movie_id) pairs of case.test",
                f"{int(stray.sum())} pairs that are not in the test set, "
                f"e.g. {examples(_pairs(user[stray], movie[stray]))}",
                "Predict exactly the pairs listed in case.test.",
            )
        )
    missing = ~np.isin(expected, keys)
    if missing.any():
        # The first few only: the message states the count itself.
        shown = test.loc[missing, [*PAIR_COLUMNS]].to_numpy()[:EXAMPLES]
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"a prediction for each of the {len(test)} test pairs",
                f"none for {int(missing.sum())} pairs, e.g. {examples(_pairs(shown[:, 0], shown[:, 1]))}",
                "Predict every pair of case.test, including users or movies your model knows little about "
                "(fall back to a mean).",
            )
        )


def _row_ratings(
    predictions: object, *, scenario_id: str, test: pd.DataFrame, id_column: str, problems: list[Problem]
) -> np.ndarray | None:
    """Ratings given per test row (an array, a Series or an id/prediction frame), read like a binary submission."""
    try:
        return validate_binary(
            predictions,
            scenario_id=scenario_id,
            ids=test[id_column].to_numpy(),
            id_column=id_column,
            probabilities=False,
        )
    except SubmissionError as err:
        problems.extend(err.problems)
    if isinstance(predictions, pd.DataFrame) and problems and problems[0].code == ProblemCode.WRONG_COLUMNS:
        problems[0] = Problem(
            ProblemCode.WRONG_COLUMNS,
            f"columns user_id, movie_id, rating (or {id_column!r} and 'prediction')",
            problems[0].received,
            "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rating': ...}).",
        )
    return None


def _check_stars(numbers: np.ndarray, problems: list[Problem]) -> None:
    """Every rating a finite number on the star scale."""
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
    if finite.size and (finite.min() < MIN_STARS or finite.max() > MAX_STARS):
        outside = int(((finite < MIN_STARS) | (finite > MAX_STARS)).sum())
        problems.append(
            Problem(
                ProblemCode.OUT_OF_RANGE,
                f"ratings on the {MIN_STARS:g}-{MAX_STARS:g} star scale",
                f"{outside} values outside, range [{finite.min():.4g}, {finite.max():.4g}]",
                f"Clip predictions: np.clip(predictions, {MIN_STARS:g}, {MAX_STARS:g}).",
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
    predictions: object, *, scenario_id: str, users: np.ndarray, k: int, seen: RatedLookup, n_movies: int
) -> np.ndarray:
    if isinstance(predictions, (str, os.PathLike)):
        predictions = read_prediction_file(predictions, scenario_id=scenario_id)
    frame = _topn_frame(predictions, scenario_id=scenario_id, users=users, k=k)
    problems: list[Problem] = []
    user = _int_column(frame, "user_id", problems)
    movie = _int_column(frame, "movie_id", problems)
    rank = _int_column(frame, "rank", problems)
    if user is None or movie is None or rank is None:
        raise SubmissionError(scenario_id, tuple(problems))
    unknown_user = _unknown(user, users, "user ids", "case.test['user_id']", problems)
    unknown_movie = _unknown(movie, np.arange(1, n_movies + 1), "movie ids", "case.tables['movies']", problems)
    _check_users_and_movies(user, movie, users=users, problems=problems)
    _check_ranks(user, rank, users=users, k=k, problems=problems)
    _check_unrated(user[~unknown_user & ~unknown_movie], movie[~unknown_user & ~unknown_movie], seen, problems)
    if problems:
        raise SubmissionError(scenario_id, tuple(problems))
    position = pd.Index(users).get_indexer(user)
    result = np.zeros((len(users), k), dtype=np.int64)
    result[position, rank - 1] = movie
    return result


def _topn_frame(predictions: object, *, scenario_id: str, users: np.ndarray, k: int) -> pd.DataFrame:
    """The submission as a ``user_id, movie_id, rank`` frame; raises on a wrong shape, type or columns, or no rows."""
    if isinstance(predictions, (np.ndarray, list, tuple)):
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
        problem = Problem(
            ProblemCode.WRONG_TYPE,
            TOPN_FORMS,
            got,
            "If a function of yours made these recommendations, make sure it returns them.",
        )
        raise SubmissionError(scenario_id, (problem,))
    columns = [str(c) for c in predictions.columns]
    if sorted(columns) != ["movie_id", "rank", "user_id"]:
        problem = Problem(
            ProblemCode.WRONG_COLUMNS,
            "exactly the columns user_id, movie_id, rank",
            f"columns {columns}",
            "Build it as pd.DataFrame({'user_id': ..., 'movie_id': ..., 'rank': ...}); write files with index=False.",
        )
        raise SubmissionError(scenario_id, (problem,))
    if len(predictions) == 0:
        problem = Problem(
            ProblemCode.EMPTY,
            f"{k} recommendations for each of {len(users)} users",
            "a table with no rows",
            "Recommend for every user in case.test.",
        )
        raise SubmissionError(scenario_id, (problem,))
    return predictions


def _check_users_and_movies(user: np.ndarray, movie: np.ndarray, *, users: np.ndarray, problems: list[Problem]) -> None:
    """Every test user served, and no movie twice for a user."""
    missing = ~np.isin(users, user)
    if missing.any():
        problems.append(
            Problem(
                ProblemCode.MISSING_IDS,
                f"recommendations for each of the {len(users)} test users",
                f"none for {int(missing.sum())} users, e.g. {examples(users[missing])}",
                "Recommend for every user in case.test, cold-start users included (fall back to popular movies).",
            )
        )
    dup = pd.DataFrame({"u": user, "m": movie}).duplicated().to_numpy()
    if dup.any():
        problems.append(
            Problem(
                ProblemCode.DUPLICATE_IDS,
                "each movie at most once per user",
                f"{int(dup.sum())} repeated (user_id, movie_id) pairs, e.g. {examples(_pairs(user[dup], movie[dup]))}",
                "Recommend k distinct movies per user.",
            )
        )


def _check_ranks(user: np.ndarray, rank: np.ndarray, *, users: np.ndarray, k: int, problems: list[Problem]) -> None:
    """Ranks 1..k, each exactly once, for every test user."""
    good_rank = (rank >= 1) & (rank <= k) & ~pd.DataFrame({"u": user, "r": rank}).duplicated().to_numpy()
    per_user = pd.Series(good_rank).groupby(user).agg(["sum", "size"])
    wrong = per_user[(per_user["sum"] != k) | (per_user["size"] != k)].index.to_numpy()
    wrong = wrong[np.isin(wrong, users)]
    if len(wrong):
        problems.append(
            Problem(
                ProblemCode.BAD_RANKS,
                f"ranks 1..{k}, each exactly once, for every user",
                f"{len(wrong)} users whose ranks are not 1..{k}, e.g. {examples(wrong)} "
                f"(rank values seen: {examples(np.unique(rank))})",
                f"Give each user exactly {k} rows ranked 1 (best) to {k}.",
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
                f"{int(rated.sum())} recommendations of already-rated movies, "
                f"e.g. {examples(_pairs(user[rated], movie[rated]))} (user_id, movie_id)",
                "Remove each user's training movies before taking the top k.",
            )
        )
