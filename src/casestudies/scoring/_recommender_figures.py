"""The figures of the recommender tasks: where rating errors fall, calibration, the long tail, cold start, truth.

Rating reports show RMSE by user activity and by movie popularity (each a
fifth of the held-out rows, by training ratings), predicted ratings against
the true expected rating, and public vs private intervals. Top-N reports
show the long tail (the share of recommendations that go to the most-rated
movies, against what the catalogue holds), NDCG@10 of cold-start and warm
users, and each row's observed NDCG@10 against the true expected rating of
what it recommends (where the oracle's picks score low on observed ratings).

The uniformly random baseline is left out of the rating figures: its
errors are off the scale of the others (it is in the report's table).

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring._recommender_figures import activity_bins
>>> labels, codes = activity_bins(np.array([1, 2, 3, 10, 20, 40, 80, 90, 95, 200]), n_bins=2)
>>> labels, codes.tolist()
(('1–20', '40–200'), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from casestudies.report import FigureSpec, Series
from casestudies.scoring._figures import ScoredRow, interval_figure, row_label, row_role
from casestudies.scoring._recmetrics import TopNContext, topn_per_user

ACTIVITY_BINS: Final[int] = 5
"""Groups of held-out rows by training ratings of their user (or movie): fifths."""

CALIBRATION_BINS: Final[int] = 10
"""Groups of held-out rows by predicted rating in the calibration figure: tenths."""

LEFT_OUT: Final[frozenset[str]] = frozenset({"random"})
"""Baselines left out of the rating figures (their errors are off the others' scale)."""

TOP_SHARE: Final[float] = 0.1
"""The long-tail title quotes the share of recommendations that go to this top share of the catalogue."""


def activity_bins(counts: np.ndarray, *, n_bins: int = ACTIVITY_BINS) -> tuple[tuple[str, ...], np.ndarray]:
    """Quantile groups of ``counts`` (ratings per user or movie): a label per group ("1–12") and each row's group."""
    codes = pd.qcut(pd.Series(counts).rank(method="first"), n_bins, labels=False).to_numpy(dtype=np.int64)
    labels = tuple(f"{int(counts[codes == g].min())}–{int(counts[codes == g].max())}" for g in range(n_bins))
    return labels, codes


def _rmse_by(groups: np.ndarray, labels: np.ndarray, rows: Sequence[ScoredRow], n_groups: int) -> list[Series]:
    series = []
    for entry, values in rows:
        rmse = [float(np.sqrt(np.mean((values[groups == g] - labels[groups == g]) ** 2))) for g in range(n_groups)]
        series.append(Series(row_label(entry), (), tuple(rmse), row_role(entry)))
    return series


def _rmse_figure(
    name: str, what: str, counts: np.ndarray, labels: np.ndarray, rows: Sequence[ScoredRow], *, key: bool
) -> FigureSpec:
    names, groups = activity_bins(counts)
    series = [Series(s.label, names, s.y, s.role) for s in _rmse_by(groups, labels, rows, len(names))]
    mine = series[0].y
    return FigureSpec(
        name=name,
        kind="lines",
        title=(
            f"Where you fail: RMSE {float(mine[0]):.2f} on the {what} with fewest training ratings, "
            f"{float(mine[-1]):.2f} on those with most"
        ),
        x_label=f"training ratings of the {what[:-1]} (fifths of the held-out rows)",
        y_label="RMSE (stars)",
        series=tuple(series),
        caption=(
            f"Held-out ratings split into fifths by how many training ratings their {what[:-1]} has. Models learn "
            f"little about sparse {what}; the oracle's curve is the noise no model can remove. "
            "The random baseline is off this scale (see the table)."
        ),
        key=key,
    )


def _calibration_figure(rows: Sequence[ScoredRow], expected: np.ndarray) -> FigureSpec:
    series = []
    for entry, values in rows:
        if entry.kind == "oracle":
            continue
        order = np.argsort(values, kind="stable")
        chunks = np.array_split(order, CALIBRATION_BINS)
        x = tuple(float(values[c].mean()) for c in chunks if c.size)
        y = tuple(float(expected[c].mean()) for c in chunks if c.size)
        series.append(Series(row_label(entry), x, y, row_role(entry)))
    low = min(min(float(v) for v in s.x + s.y) for s in series)
    high = max(max(float(v) for v in s.x + s.y) for s in series)
    series.append(Series("ideal: prediction = true taste", (low, high), (low, high), "chance"))
    return FigureSpec(
        name="rating_calibration",
        kind="lines",
        title="Predicted vs true taste: below the diagonal, predictions promise more than users would feel",
        x_label="predicted rating (mean per tenth of the held-out rows, stars)",
        y_label="true expected rating (stars)",
        series=tuple(series),
        caption=(
            "Held-out rows split into tenths by predicted rating; each point is the tenth's mean prediction against "
            "the simulator's true expected rating of the same pairs (noise removed)."
        ),
    )


def rating_figures(
    labels: np.ndarray, expected: np.ndarray, test: pd.DataFrame, train: pd.DataFrame, rows: Sequence[ScoredRow]
) -> list[FigureSpec]:
    """RMSE by user activity and movie popularity, calibration against true taste, public vs private."""
    shown = [row for row in rows if row[0].kind == "submission" or row[0].name not in LEFT_OUT]
    user_counts = train["user_id"].value_counts()
    movie_counts = train["movie_id"].value_counts()
    per_user = test["user_id"].map(user_counts).fillna(0).to_numpy(dtype=np.int64)
    per_movie = test["movie_id"].map(movie_counts).fillna(0).to_numpy(dtype=np.int64)
    return [
        _rmse_figure("rmse_by_user_activity", "users", per_user, labels, shown, key=True),
        _rmse_figure("rmse_by_movie_popularity", "movies", per_movie, labels, shown, key=True),
        _calibration_figure(shown, expected),
        interval_figure(rows, "rmse", task="rating"),
    ]


def _long_tail(context: TopNContext, rows: Sequence[ScoredRow], coverage: dict[str, float]) -> FigureSpec:
    popularity = context.popularity[1:]  # index 0 is no movie
    order = np.argsort(-popularity, kind="stable")  # most-rated first
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    grid = np.unique(np.r_[np.linspace(0, len(order), 101).round().astype(np.int64), round(TOP_SHARE * len(order))])
    x = tuple((100.0 * grid / len(order)).tolist())
    catalogue = np.r_[0.0, np.cumsum(popularity[order])] / max(popularity.sum(), 1e-12)
    series = [Series("catalogue: share of training ratings", x, tuple(catalogue[grid].tolist()), "chance")]
    top_share = {}
    for entry, values in rows:
        counts = np.bincount(rank[np.asarray(values).ravel() - 1], minlength=len(order)).astype(np.float64)
        cumulative = np.r_[0.0, np.cumsum(counts)] / max(counts.sum(), 1.0)
        top_share[entry.kind] = float(cumulative[round(TOP_SHARE * len(order))])
        series.append(Series(row_label(entry), x, tuple(cumulative[grid].tolist()), row_role(entry)))
    return FigureSpec(
        name="long_tail",
        kind="lines",
        title=(
            f"Popularity bias: {top_share['submission']:.0%} of your recommendations are among the "
            f"{TOP_SHARE:.0%} most-rated movies; you cover {coverage['submission']:.1%} of the catalogue"
        ),
        x_label="movies, most-rated first (% of the catalogue)",
        y_label="cumulative share of recommendations",
        series=tuple(series),
        caption=(
            "How recommendations spread over the catalogue ordered by popularity. A curve that shoots up at the left "
            "recommends the same few hits to everyone; the dotted curve is how training ratings themselves spread."
        ),
        key=True,
        x_limits=(0.0, 100.0),
        y_limits=(0.0, 1.02),
    )


def _cold_warm(context: TopNContext, rows: Sequence[ScoredRow]) -> FigureSpec | None:
    cold = np.asarray(context.cold_start, dtype=bool)
    if not cold.any() or cold.all():
        return None
    names = tuple(row_label(entry) for entry, _ in rows)
    cold_ndcg, warm_ndcg = [], []
    for _, values in rows:
        ndcg = topn_per_user(np.asarray(values), context)[:, 0]
        cold_ndcg.append(float(ndcg[cold].mean()))
        warm_ndcg.append(float(ndcg[~cold].mean()))
    return FigureSpec(
        name="cold_start",
        kind="bars",
        title=(
            f"Cold-start users: your NDCG@10 is {cold_ndcg[0]:.3f} for the {int(cold.sum())} users with few "
            f"ratings, {warm_ndcg[0]:.3f} for the rest"
        ),
        x_label="",
        y_label="NDCG@10 (held-out ratings >= 4 are relevant)",
        series=(
            Series(f"cold-start users ({int(cold.sum())})", names, tuple(cold_ndcg), "data"),
            Series(f"warm users ({int((~cold).sum())})", names, tuple(warm_ndcg), "data"),
        ),
        caption="A model that knows nothing about a user falls back on what it knows about movies: popularity.",
    )


def _observed_vs_true(rows: Sequence[ScoredRow]) -> FigureSpec:
    series = [
        Series(
            row_label(entry), (entry.estimate("ndcg_at_10"),), (entry.estimate("true_rating_at_10"),), row_role(entry)
        )
        for entry, _ in rows
    ]
    oracle = [entry for entry, _ in rows if entry.kind == "oracle"]
    mine = rows[0][0]
    title = f"You: NDCG@10 {mine.estimate('ndcg_at_10'):.3f}, true taste {mine.estimate('true_rating_at_10'):.2f} stars"
    if oracle:
        title += (
            f"; the oracle's picks: {oracle[0].estimate('ndcg_at_10'):.3f} and "
            f"{oracle[0].estimate('true_rating_at_10'):.2f}. Observed metrics reward what people rate"
        )
    overlap = ""
    oracle_rows = [values for entry, values in rows if entry.kind == "oracle"]
    if oracle_rows:
        mine_values, best = np.asarray(rows[0][1]), np.asarray(oracle_rows[0])
        shared = np.mean([np.isin(a, b).mean() for a, b in zip(mine_values, best, strict=True)])
        overlap = f" {shared:.0%} of your recommendations are also in the oracle's lists."
    return FigureSpec(
        name="observed_vs_true",
        kind="scatter",
        title=title,
        x_label="NDCG@10 on held-out ratings (observed)",
        y_label="true expected rating of the recommended movies (stars)",
        series=tuple(series),
        caption=(
            "Each point is one row of the report. The oracle recommends each user's truly best unseen movies; "
            "held-out ratings mostly cover popular movies, so it can score below popular picks." + overlap
        ),
        key=True,
    )


def topn_figures(context: TopNContext, rows: Sequence[ScoredRow], *, metric: str) -> list[FigureSpec]:
    """The long tail, cold start vs warm, observed vs true taste, public vs private."""
    coverage = {entry.kind: entry.estimate("coverage") for entry, _ in rows}
    figures = [_long_tail(context, rows, coverage), _observed_vs_true(rows)]
    cold = _cold_warm(context, rows)
    if cold is not None:
        figures.append(cold)
    figures.append(interval_figure(rows, metric, task="topn"))
    return figures
