"""Metrics of rating prediction and top-N recommendation, with bootstrap intervals.

Rating metrics are lower-is-better errors; top-N metrics are higher-is-better
except ``mean_popularity`` (descriptive). Intervals are percentile bootstrap
intervals over test rows (rating) or test users (top-N), 95 %.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse

from casestudies.core import metric_names
from casestudies.scoring._metrics import DEFAULT_N_BOOT

__all__ = [
    "RATING_METRIC_NAMES",
    "TOPN_K",
    "TOPN_METRIC_NAMES",
    "TopNContext",
    "diversity_per_user",
    "exposure_gini",
    "novelty_per_user",
    "rating_scores",
    "topn_per_user",
    "topn_scores",
]

RATING_METRIC_NAMES: Final[tuple[str, ...]] = metric_names("rating")
"""``rmse``/``mae``: against the held-out stars. ``true_rmse``: against each held-out pair's
expected rating (noise removed). ``unseen_true_rmse``/``unseen_bias``: against the expected
rating of uniformly random pairs the user never rated (full-catalog truth; needs a model
object that can predict them, NaN for files). ``mean_error``: mean prediction minus mean star;
``calibration_slope``: slope of the stars regressed on the predictions (1 = well calibrated,
below 1 = predictions too spread out)."""

TOPN_K: Final[int] = 10
TOPN_METRIC_NAMES: Final[tuple[str, ...]] = metric_names("topn")
"""Ranking quality against held-out ratings >= 4 (``ndcg``, ``precision``, ``recall``, ``map``),
catalogue ``coverage`` (share of movies recommended to anyone), ``mean_popularity`` (share of
training users who rated a recommended movie, averaged), beyond accuracy (Kaminskas & Bridge 2016):
``novelty`` (mean self-information), ``intra_list_diversity`` (by genre) and ``exposure_gini``,
``true_rating_at_10`` (mean expected rating of what was recommended: full-catalog truth) and NDCG
of cold-start users alone."""

_NAN = float("nan")

_INTERVAL: Final[tuple[float, float]] = (0.025, 0.975)
"""Quantiles of the bootstrap replicates that bound a 95 % percentile interval."""

_CHUNK_CELLS: Final[int] = 2_000_000
"""Replicates x rows drawn at once: bounds a chunk's counts (and row draws) to 16 MB each."""

_MIN_SPREAD: Final[float] = 1e-9
"""Variance of the predictions below which they are constant and the calibration slope is undefined."""


def _identity(values: np.ndarray) -> np.ndarray:
    return values


def _interval(estimate: float, low: float = _NAN, high: float = _NAN) -> dict[str, float]:
    return {"estimate": float(estimate), "low": float(low), "high": float(high)}


def _boot_means(columns: np.ndarray, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    """Bootstrap replicates of the column means of ``columns`` (rows resampled), shape ``(n_boot, m)``.

    Each replicate draws ``n`` row indices; they are counted per row, so a
    chunk of replicates' means is one matrix product (over ten times faster
    than gathering the drawn rows at 200,000 rows, over three times faster
    than drawing the counts as multinomials at 20,000).
    """
    n = len(columns)
    out = np.empty((n_boot, columns.shape[1]))
    step = max(1, _CHUNK_CELLS // max(1, n))
    for start in range(0, n_boot, step):
        size = min(n_boot, start + step) - start
        picks = rng.integers(n, size=(size, n))
        picks += np.arange(0, size * n, n)[:, None]  # replicate r counts its rows in cells r * n to r * n + n - 1
        counts = np.bincount(picks.ravel(), minlength=size * n).reshape(size, n)
        out[start : start + size] = counts @ columns / n
    return out


def _with_ci(
    columns: np.ndarray,
    names: tuple[str, ...],
    transforms: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    rng: np.random.Generator,
    n_boot: int,
) -> dict[str, dict[str, float]]:
    if len(columns) == 0:
        return {name: _interval(_NAN) for name in names}
    point = columns.mean(axis=0)
    boots = _boot_means(columns, rng, n_boot)
    result = {}
    for j, name in enumerate(names):
        transform = transforms.get(name, _identity)
        estimate = float(transform(np.array([point[j]]))[0])
        replicate = transform(boots[:, j])
        finite = replicate[np.isfinite(replicate)]
        low, high = np.quantile(finite, _INTERVAL) if finite.size else (_NAN, _NAN)
        result[name] = _interval(estimate, low, high)
    return result


def rating_scores(
    labels: np.ndarray,
    predictions: np.ndarray,
    expected: np.ndarray,
    *,
    parts: Mapping[str, np.ndarray],
    rng: np.random.Generator,
    unseen: tuple[np.ndarray, np.ndarray] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
) -> dict[str, dict[str, dict[str, float]]]:
    """RMSE, MAE and truth-based errors per part of the holdout.

    Parameters
    ----------
    labels, predictions, expected : numpy.ndarray
        Held-out stars, predicted ratings and true expected ratings, one per test row.
    parts : Mapping of str to bool mask
        Parts of the holdout (public, private, all).
    rng : numpy.random.Generator
        For the bootstrap.
    unseen : (predictions, expected) or None
        Predictions and expected ratings on random unrated pairs (full-catalog truth).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 3.0, 5.0]); p = np.array([2.0, 3.0, 4.0])
    >>> s = rating_scores(y, p, y, parts={"all": np.ones(3, bool)}, rng=np.random.default_rng(0))
    >>> round(s["all"]["rmse"]["estimate"], 4), s["all"]["mae"]["estimate"]
    (0.8165, 0.6666666666666666)
    """
    error = predictions - labels
    columns = np.column_stack([error**2, np.abs(error), (predictions - expected) ** 2])
    names = ("rmse", "mae", "true_rmse")
    root = {"rmse": np.sqrt, "true_rmse": np.sqrt}
    if unseen is not None:
        gap = unseen[0] - unseen[1]
        unseen_rmse, unseen_bias = float(np.sqrt(np.mean(gap**2))), float(np.mean(gap))
    else:
        unseen_rmse = unseen_bias = _NAN
    result: dict[str, dict[str, dict[str, float]]] = {}
    for part, mask in parts.items():
        scores = _with_ci(columns[mask], names, root, rng, n_boot)
        scores["unseen_true_rmse"] = _interval(unseen_rmse)
        scores["unseen_bias"] = _interval(unseen_bias)
        scores["mean_error"] = _interval(float(error[mask].mean()) if mask.any() else _NAN)
        spread = float(np.var(predictions[mask])) if mask.sum() > 1 else 0.0
        slope = _NAN
        if spread > _MIN_SPREAD:
            slope = float(np.cov(predictions[mask], labels[mask], bias=True)[0, 1] / spread)
        scores["calibration_slope"] = _interval(slope)
        scores["n_rows"] = _interval(int(mask.sum()), int(mask.sum()), int(mask.sum()))
        result[part] = {name: scores[name] for name in RATING_METRIC_NAMES}
    return result


@dataclass(frozen=True, slots=True)
class TopNContext:
    """What the top-N scorer knows about the holdout, one row per test user.

    Attributes
    ----------
    relevant : scipy.sparse.csr_matrix
        ``(n_test_users, n_movies + 1)`` with 1 where a held-out rating >= 4 (column = movie id).
    n_relevant : numpy.ndarray
        Relevant held-out movies per test user.
    cold_start : numpy.ndarray
        Bool mask of cold-start test users.
    popularity : numpy.ndarray
        Share of training users who rated each movie, indexed by movie id (index 0 unused).
    true_rating : Callable
        ``true_rating(rows, movie_ids) -> expected ratings`` for test-user rows.
    n_movies : int
        Size of the catalogue.
    genres : numpy.ndarray or None
        ``(n_movies + 1, n_genres)`` bool, the genres of each movie id (row 0 unused), for intra-list
        diversity; None leaves it NaN.
    """

    relevant: sparse.csr_matrix
    n_relevant: np.ndarray
    cold_start: np.ndarray
    popularity: np.ndarray
    true_rating: Callable[[np.ndarray, np.ndarray], np.ndarray]
    n_movies: int
    genres: np.ndarray | None = None


def topn_per_user(recommended: np.ndarray, context: TopNContext) -> np.ndarray:
    """Per-user ``ndcg, precision, recall, ap, true_rating`` of a ``(n_users, k)`` id matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> rel = sparse.csr_matrix(np.array([[0, 1, 0, 1]]))
    >>> ctx = TopNContext(rel, np.array([2]), np.array([False]), np.zeros(4), lambda r, m: np.full(len(r), 4.0), 3)
    >>> topn_per_user(np.array([[1, 2, 3]]), ctx)[0].round(3).tolist()
    [0.92, 0.667, 1.0, 0.833, 4.0]
    """
    n_users, k = recommended.shape
    rows = np.repeat(np.arange(n_users), k)
    hits = np.asarray(context.relevant[rows, recommended.ravel()]).reshape(n_users, k).astype(np.float64)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)[np.clip(np.minimum(context.n_relevant, k) - 1, 0, k - 1)]
    ndcg = np.where(context.n_relevant > 0, hits @ discount / ideal, 0.0)
    n_hits = hits.sum(axis=1)
    precision = n_hits / k
    recall = np.where(context.n_relevant > 0, n_hits / np.maximum(context.n_relevant, 1), 0.0)
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    ap = (precision_at * hits).sum(axis=1) / np.maximum(np.minimum(context.n_relevant, k), 1)
    true = context.true_rating(rows, recommended.ravel()).reshape(n_users, k).mean(axis=1)
    return np.column_stack([ndcg, precision, recall, ap, true])


def novelty_per_user(recommended: np.ndarray, popularity: np.ndarray) -> np.ndarray:
    """Mean self-information ``-log2(popularity)`` of each user's recommendations (Kaminskas & Bridge 2016).

    ``popularity`` is the share of training users who rated each movie id; a
    movie nobody rated in training counts as rated by one user (the smallest
    positive share).

    Examples
    --------
    >>> import numpy as np
    >>> novelty_per_user(np.array([[1, 2]]), np.array([0.0, 0.5, 0.125])).tolist()
    [2.0]
    """
    floor = popularity[popularity > 0].min() if (popularity > 0).any() else 1.0
    information: np.ndarray = -np.log2(np.maximum(popularity[recommended], floor)).mean(axis=1)
    return information


def diversity_per_user(recommended: np.ndarray, genres: np.ndarray) -> np.ndarray:
    """Intra-list diversity: mean ``1 - Jaccard(genres)`` over the pairs of each user's recommendations.

    Examples
    --------
    >>> import numpy as np
    >>> genres = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=bool)
    >>> diversity_per_user(np.array([[1, 2, 3]]), genres).round(3).tolist()
    [0.667]
    """
    chosen = genres[recommended].astype(np.float64)  # (users, k, genres)
    shared = np.einsum("ukg,ulg->ukl", chosen, chosen)
    sizes = chosen.sum(axis=2)
    union = sizes[:, :, None] + sizes[:, None, :] - shared
    similarity = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    k = recommended.shape[1]
    pairs = np.triu_indices(k, 1)
    diversity: np.ndarray = 1.0 - similarity[:, pairs[0], pairs[1]].mean(axis=1)
    return diversity


def exposure_gini(recommended: np.ndarray, n_movies: int) -> float:
    """Gini of how often each of the ``n_movies`` catalogue movies (ids 1..n) is recommended (0 = even exposure).

    Examples
    --------
    >>> import numpy as np
    >>> exposure_gini(np.array([[1, 2], [2, 1]]), 4)
    0.5
    """
    counts = np.sort(np.bincount(recommended.ravel(), minlength=n_movies + 1)[1 : n_movies + 1].astype(np.float64))
    if counts.sum() == 0:
        return _NAN
    ranks = 2 * np.arange(1, n_movies + 1) - n_movies - 1
    return float(ranks @ counts / (n_movies * counts.sum()))


def topn_scores(
    recommended: np.ndarray,
    context: TopNContext,
    *,
    parts: Mapping[str, np.ndarray],
    rng: np.random.Generator,
    n_boot: int = DEFAULT_N_BOOT,
) -> dict[str, dict[str, dict[str, float]]]:
    """Top-N metrics with bootstrap intervals over users, per part.

    Parameters
    ----------
    recommended : numpy.ndarray
        ``(n_test_users, k)`` movie ids, best first, rows in ``case.test`` order.
    context : TopNContext
        The holdout's relevance and truth.
    parts : Mapping of str to bool mask
        Parts of the test users.
    rng : numpy.random.Generator
        For the bootstrap.
    """
    per_user = topn_per_user(recommended, context)
    diversity = (
        diversity_per_user(recommended, context.genres)
        if context.genres is not None
        else np.full(len(recommended), _NAN)
    )
    per_user = np.column_stack([per_user, novelty_per_user(recommended, context.popularity), diversity])
    names = (
        "ndcg_at_10",
        "precision_at_10",
        "recall_at_10",
        "map_at_10",
        "true_rating_at_10",
        "novelty",
        "intra_list_diversity",
    )
    result: dict[str, dict[str, dict[str, float]]] = {}
    for part, mask in parts.items():
        scores = _with_ci(per_user[mask], names, {}, rng, n_boot)
        chosen = recommended[mask]
        scores["coverage"] = _interval(np.unique(chosen).size / context.n_movies if chosen.size else _NAN)
        scores["mean_popularity"] = _interval(float(context.popularity[chosen].mean()) if chosen.size else _NAN)
        scores["exposure_gini"] = _interval(exposure_gini(chosen, context.n_movies) if chosen.size else _NAN)
        cold = mask & context.cold_start
        cold_ndcg = _with_ci(per_user[cold][:, :1], ("ndcg_at_10",), {}, rng, n_boot)
        scores["ndcg_at_10_cold_start"] = cold_ndcg["ndcg_at_10"]
        scores["n_users"] = _interval(int(mask.sum()), int(mask.sum()), int(mask.sum()))
        scores["n_cold_start"] = _interval(int(cold.sum()), int(cold.sum()), int(cold.sum()))
        result[part] = {name: scores[name] for name in TOPN_METRIC_NAMES}
    return result
