"""Binary-classification metrics and their stratified-bootstrap intervals.

Pure numpy. Every metric is computed from a handful of exact ``O(P)``
aggregates (``P`` = number of positives), so scoring a million rows costs one
``np.sort`` of the negative scores plus work proportional to ``P``:

* the positives, sorted by descending score and grouped into distinct score
  *levels* (ties grouped, as scikit-learn does);
* for every level, the number of negatives scored strictly above it and the
  number tied with it (two ``searchsorted`` calls into the sorted negatives).

Average precision, ROC AUC and the alert-budget metrics depend on the data
only through these aggregates, which is also what makes the bootstrap cheap:
a replicate only has to redraw how many copies of each positive it holds and
how many negatives fall into each gap between consecutive levels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from casestudies.core import FloatRange, IntRange, Rule, check_all, metric_names
from casestudies.scoring._metrics_checks import as_inputs, as_parts, check_rng

__all__ = [
    "BINARY_METRIC_NAMES",
    "BINARY_N_BOOT",
    "DEFAULT_ALERT_BUDGET",
    "DEFAULT_N_BOOT",
    "DEFAULT_REVIEW_COST",
    "binary_metrics",
    "binary_scores_with_ci",
]

BINARY_METRIC_NAMES: Final[tuple[str, ...]] = metric_names("binary")
"""Keys of :func:`binary_metrics`, in order."""

DEFAULT_ALERT_BUDGET: Final[float] = 0.005
"""Share of rows a review team can look at (0.5 %), when a scenario states none."""

BINARY_N_BOOT: Final[int] = 1000
"""Bootstrap replicates used by :func:`binary_scores_with_ci` (see its docstring)."""

DEFAULT_N_BOOT: Final[int] = 200
"""Replicates of the row bootstraps (rating and regression scores), whose cost grows with the rows.

The binary scores resample aggregates instead of rows and afford
:data:`BINARY_N_BOOT`.
"""

DEFAULT_REVIEW_COST: Final[float] = 5.0
"""Cost of reviewing one alerted row, in the unit of the costs, when a scenario states none."""

# Metrics recomputed in every replicate, in the order of the rows of the
# replicate matrix built by ``_metrics_from_aggregates``. The others keep the
# class counts, which the stratified bootstrap does not move: their interval
# is the estimate itself.
_RESAMPLED: Final[tuple[str, ...]] = (
    "average_precision",
    "roc_auc",
    "precision_at_budget",
    "recall_at_budget",
    "expected_cost",
)

# Negatives are resampled exactly per group of adjacent gaps between positive
# levels; at most this many groups (see ``_negative_groups``).
_MAX_NEGATIVE_GROUPS: Final[int] = 256
# Bootstrap replicates are computed in single precision: counts stay exact
# (below 2**24 rows) and the rounding of the sums (relative 1e-6) is far below
# the Monte-Carlo noise of an endpoint, while the memory traffic halves. Point
# estimates are always computed in double precision.
_REPLICATE_DTYPE: Final = np.float32
# A bound within a few single-precision roundings of the (double) estimate is the estimate: otherwise a metric
# every replicate reproduces exactly (say precision 1.0 at a small budget) gets an interval that misses it by 1e-8.
_REPLICATE_RTOL: Final[float] = 4 * float(np.finfo(np.float32).eps)
# Replicates processed together: at most _CHUNK, and at most _CHUNK_CELLS
# (replicates x positives) so that memory stays bounded for large parts.
_CHUNK: Final[int] = 25
_CHUNK_CELLS: Final[int] = 1 << 21
# A replicate starts looking for its alert cut at twice the exact number of
# alerted levels plus this many: resampling rarely moves the cut further, and
# when it does the search doubles from there.
_BUDGET_GUESS_MARGIN: Final[int] = 8
# Floor of the row count of a tied group at the cut: below it only where the
# group holds no positive (w_top == 0), whose alerted share is then unused.
_EMPTY_GROUP_ROWS: Final[float] = 1e-12
# alert_budget * n_rows is rounded to this many decimals before the ceiling, so
# float noise (0.005 * 1000 = 5.000000000000001) adds no alert.
_ALERT_DIGITS: Final[int] = 9

_FloatArray: TypeAlias = NDArray[np.floating[Any]]

_BINARY_METRICS_RULES: dict[str, Rule] = {
    "alert_budget": FloatRange(0.0, 1.0),
    "review_cost": FloatRange(0.0, None),
}
_SCORES_WITH_CI_RULES: dict[str, Rule] = {
    **_BINARY_METRICS_RULES,
    "n_boot": IntRange(2, 100_000),
    "confidence": FloatRange(0.5, 0.999),
}


# ---------------------------------------------------------------------------
# Exact aggregates
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Aggregates:
    """Everything the metrics need from one set of rows (exact counts).

    Levels are the distinct scores of the positives, in descending order.
    """

    n_rows: int
    n_pos: int
    n_neg: int
    n_alerts: int
    level_starts: NDArray[np.intp]  # first position of each level among sorted positives
    pos_per_level: NDArray[np.float64]  # positives at each level
    neg_above: NDArray[np.float64]  # negatives scored strictly above each level
    neg_tied: NDArray[np.float64]  # negatives scored equal to each level
    pos_costs: NDArray[np.float64] | None  # costs of positives, sorted like the levels

    @property
    def n_levels(self) -> int:
        return int(self.pos_per_level.shape[0])


def _aggregate(
    pos_scores: NDArray[np.float64],
    sorted_negatives: Sequence[NDArray[np.float64]],
    pos_costs: NDArray[np.float64] | None,
    alert_budget: float,
) -> _Aggregates:
    """Exact level aggregates of some positives and the union of disjoint sorted negative arrays.

    The negatives of a row set that is the disjoint union of other row sets are
    the union of theirs, so a part's aggregates come from its pieces' sorted
    negatives with two ``searchsorted`` calls per piece, without sorting again.
    """
    n_pos = int(pos_scores.shape[0])
    n_neg = sum(int(negatives.shape[0]) for negatives in sorted_negatives)
    n_rows = n_pos + n_neg
    order = np.argsort(-pos_scores, kind="stable")
    pos_sorted = pos_scores[order]
    is_start = np.empty(n_pos, dtype=bool)
    if n_pos:
        is_start[0] = True
        np.not_equal(pos_sorted[1:], pos_sorted[:-1], out=is_start[1:])
    level_starts = np.flatnonzero(is_start)
    levels = pos_sorted[level_starts]
    pos_per_level = np.diff(np.append(level_starts, n_pos)).astype(np.float64)
    at_most = np.zeros(levels.shape[0], dtype=np.intp)
    below = np.zeros(levels.shape[0], dtype=np.intp)
    # searchsorted is fastest with ascending needles; levels are descending.
    for negatives in sorted_negatives:
        at_most += np.searchsorted(negatives, levels[::-1], side="right")[::-1]
        below += np.searchsorted(negatives, levels[::-1], side="left")[::-1]
    return _Aggregates(
        n_rows=n_rows,
        n_pos=n_pos,
        n_neg=n_neg,
        n_alerts=_n_alerts(alert_budget, n_rows),
        level_starts=level_starts,
        pos_per_level=pos_per_level,
        neg_above=(n_neg - at_most).astype(np.float64),
        neg_tied=(at_most - below).astype(np.float64),
        pos_costs=None if pos_costs is None else pos_costs[order],
    )


def _n_alerts(alert_budget: float, n_rows: int) -> int:
    """``ceil(alert_budget * n_rows)``, immune to ``0.005 * 1000 = 5.000000000000001``."""
    return min(n_rows, math.ceil(round(alert_budget * n_rows, _ALERT_DIGITS)))


def _first_unalerted_level(
    tp: _FloatArray,
    w: _FloatArray,
    neg_above: _FloatArray,
    n_alerts: int,
    guess: int,
) -> int:
    """Smallest ``L`` such that no level ``>= L`` holds an alert in any row.

    The number of rows ranked above a level never decreases down the levels,
    so it suffices that every row has ``n_alerts`` rows above level ``L``.
    """
    n_levels = tp.shape[1]
    level = max(guess, 1)
    while level < n_levels:
        rows_before = tp[:, level] - w[:, level] + neg_above[:, level]
        if bool((rows_before >= n_alerts).all()):
            return level
        level *= 2
    return int(n_levels)


def _metrics_from_aggregates(
    *,
    w: _FloatArray,
    neg_above: _FloatArray,
    neg_tied: _FloatArray | None,
    copies: _FloatArray | None,
    agg: _Aggregates,
    review_cost: float,
    budget_guess: int,
) -> _FloatArray:
    """The resampled metrics for a batch of (possibly resampled) aggregates.

    ``w``, ``neg_above`` and ``neg_tied`` have shape ``(batch, n_levels)``:
    positives at each level and negatives above / tied with it (None: no
    ties). ``copies`` (``(batch, n_pos)``) is how many times each sorted
    positive is present, None for once each. Negative counts may be
    fractional. The class totals are those of ``agg`` (the bootstrap is
    stratified). Only the first levels, up to the first one that holds no
    alert in any row, enter the alert-budget metrics; ``budget_guess`` is
    where the search for it starts.

    Returns an array of shape ``(len(_RESAMPLED), batch)``.
    """
    n_pos, n_neg, n_alerts = agg.n_pos, agg.n_neg, agg.n_alerts
    batch = w.shape[0]
    out = np.full((len(_RESAMPLED), batch), np.nan)
    tp = np.cumsum(w, axis=1)
    if n_pos and n_neg:
        # Average precision: sum over levels of (recall step) x precision.
        # tp >= 1 wherever w >= 1, so the floor of 1 only touches levels that
        # contribute 0 (a positive not drawn in a replicate).
        work = np.add(tp, neg_above)
        if neg_tied is not None:
            work += neg_tied
        np.maximum(work, 1.0, out=work)
        np.divide(tp, work, out=work)
        out[0] = np.einsum("ij,ij->i", w, work) / n_pos
        # ROC AUC: P(pos > neg) + P(pos = neg) / 2.
        if neg_tied is not None:
            work = np.multiply(neg_tied, 0.5, out=work)
            work += neg_above
        else:
            work = neg_above
        out[1] = 1.0 - np.einsum("ij,ij->i", w, work) / (n_pos * n_neg)
    # Alert budget: the top n_alerts rows; a tied group straddling the cut is
    # alerted in proportion to the slots left in it (random tie-breaking, in
    # expectation).
    levels = _first_unalerted_level(tp, w, neg_above, n_alerts, budget_guess)
    w_top = w[:, :levels]
    rows_before = tp[:, :levels] - w_top + neg_above[:, :levels]
    tied_rows = w_top if neg_tied is None else w_top + neg_tied[:, :levels]
    tied_rows = np.maximum(tied_rows, _EMPTY_GROUP_ROWS)
    alerted_share = np.subtract(n_alerts, rows_before, out=rows_before)
    alerted_share /= tied_rows
    np.clip(alerted_share, 0.0, 1.0, out=alerted_share)
    alerted_pos = np.einsum("ij,ij->i", w_top, alerted_share)
    if n_alerts:
        out[2] = alerted_pos / n_alerts
    if n_pos:
        out[3] = alerted_pos / n_pos
    costs = agg.pos_costs
    if costs is not None:
        end = int(agg.level_starts[levels]) if levels < agg.n_levels else n_pos
        if copies is None:
            total = np.full(batch, costs.sum())
            weighted = np.broadcast_to(costs[:end], (batch, end))
        else:
            costs = costs.astype(copies.dtype, copy=False)
            total = copies @ costs
            weighted = copies[:, :end] * costs[:end]
        if levels == 0:
            alerted_cost = np.zeros(batch)
        else:
            if agg.n_levels < n_pos:  # tied positives: sum costs per level
                weighted = np.add.reduceat(weighted, agg.level_starts[:levels], axis=1)
            alerted_cost = np.einsum("ij,ij->i", weighted, alerted_share)
        out[4] = (total - alerted_cost + review_cost * n_alerts) / agg.n_rows
    return out


def _point_metrics(agg: _Aggregates, review_cost: float) -> dict[str, float]:
    """Exact metrics of one set of rows."""
    resampled = _metrics_from_aggregates(
        w=agg.pos_per_level[None, :],
        neg_above=agg.neg_above[None, :],
        neg_tied=agg.neg_tied[None, :] if agg.neg_tied.any() else None,
        copies=None,
        agg=agg,
        review_cost=review_cost,
        budget_guess=agg.n_levels,
    )[:, 0]
    if agg.n_pos and agg.n_neg:
        # ROC AUC from exact integer counts: no rounding before the division.
        twice_above = int(
            np.dot(agg.pos_per_level.astype(np.int64), (2 * agg.neg_above + agg.neg_tied).astype(np.int64))
        )
        resampled[1] = 1.0 - twice_above / (2 * agg.n_pos * agg.n_neg)
    metrics: dict[str, float] = {name: float(value) for name, value in zip(_RESAMPLED, resampled, strict=True)}
    prevalence = agg.n_pos / agg.n_rows
    metrics["accuracy_all_negative"] = 1.0 - prevalence
    metrics["prevalence"] = prevalence
    metrics["n_rows"] = agg.n_rows
    metrics["n_positives"] = agg.n_pos
    return {name: metrics[name] for name in BINARY_METRIC_NAMES}


def _alerted_levels(agg: _Aggregates) -> int:
    """Number of levels holding at least part of an alert, exactly."""
    tp = np.cumsum(agg.pos_per_level)
    rows_before = tp - agg.pos_per_level + agg.neg_above
    return int(np.count_nonzero(rows_before < agg.n_alerts))


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def _gap_sizes(agg: _Aggregates) -> NDArray[np.float64]:
    """Negatives in each of the ``2 L + 1`` gaps, from the top.

    Gaps: above level 0, tied with level 0, between levels 0 and 1, tied with
    level 1, ..., below the last level.
    """
    cum = np.empty(2 * agg.n_levels + 1)
    cum[0:-1:2] = agg.neg_above
    cum[1::2] = agg.neg_above + agg.neg_tied
    cum[-1] = agg.n_neg
    return np.diff(cum, prepend=0.0)


def _negative_groups(
    agg: _Aggregates, gap_sizes: NDArray[np.float64], max_groups: int
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    """Group the negative gaps into at most ``max_groups`` runs of adjacent gaps.

    A replicate redraws the number of negatives in each *group* exactly
    (multinomial) and spreads it over the group's gaps in proportion to their
    sizes: each negative's contribution is replaced by its group's mean, so the
    only variance lost is the within-group variance of a negative's influence
    on the metrics. With few gaps each gap is its own group and the bootstrap
    is exact.

    Boundaries sit at equal steps of a cumulative measure adding three
    normalised shares: negatives (bounds a group's size), positives (a
    negative's influence on ROC AUC changes by 1/P per positive it passes) and
    the derivative of average precision with respect to a negative passing a
    level, ``w tp / (tp + fp)^2`` (large near the top). The gap holding the
    alert cut is a group of its own, so the number of negatives above the cut
    is resampled exactly.

    Returns the group of every gap, the size of every group and, for every
    gap, the share of its group's negatives down to the end of the gap.
    """
    n_gaps = gap_sizes.shape[0]
    if n_gaps <= max_groups:
        group: NDArray[np.intp] = np.arange(n_gaps, dtype=np.intp)
    else:
        w = agg.pos_per_level
        tp = np.cumsum(w)
        ap_slope = w * tp / np.maximum(tp + agg.neg_above + agg.neg_tied, 1.0) ** 2
        weight = gap_sizes / max(agg.n_neg, 1)
        weight[1::2] += w / agg.n_pos + ap_slope / ap_slope.sum()
        cum = np.cumsum(weight)
        n_base = max_groups - 2
        base = np.minimum(((cum - 0.5 * weight) * (n_base / cum[-1])).astype(np.intp), n_base - 1)
        rows = gap_sizes.copy()
        rows[1::2] += w  # tied positives are rows too
        cut = int(np.searchsorted(np.cumsum(rows), agg.n_alerts - 0.5))
        index = np.arange(n_gaps)
        key = 3 * base + (index >= cut) + (index > cut)
        group = np.unique(key, return_inverse=True)[1].reshape(-1)
    group_sizes = np.bincount(group, weights=gap_sizes).astype(np.float64, copy=False)
    group_start = np.cumsum(group_sizes) - group_sizes
    inside = np.cumsum(gap_sizes) - group_start[group]
    size = group_sizes[group]
    share: NDArray[np.float64] = np.ones(n_gaps)
    np.divide(inside, size, out=share, where=size > 0)
    return group, group_sizes, share


def _spread(before: _FloatArray, counts: _FloatArray, runs: NDArray[np.intp], share: _FloatArray) -> _FloatArray:
    """Negatives down to the end of each level's gap: its group's start plus its share of the group."""
    spread = np.repeat(counts, runs, axis=1)
    spread *= share
    spread += np.repeat(before, runs, axis=1)
    return spread


def _bootstrap_part(
    agg: _Aggregates,
    *,
    review_cost: float,
    n_boot: int,
    rng: np.random.Generator,
    max_groups: int = _MAX_NEGATIVE_GROUPS,
) -> NDArray[np.float64]:
    """Stratified-bootstrap replicates of the resampled metrics, shape ``(5, n_boot)``."""
    n_pos, n_neg, n_levels = agg.n_pos, agg.n_neg, agg.n_levels
    gap_sizes = _gap_sizes(agg)
    group, group_sizes, share = _negative_groups(agg, gap_sizes, max_groups)
    if n_neg:
        neg_counts = rng.multinomial(n_neg, group_sizes / n_neg, size=n_boot).astype(_REPLICATE_DTYPE)
    else:
        neg_counts = np.zeros((n_boot, group_sizes.shape[0]), dtype=_REPLICATE_DTYPE)
    neg_before = np.cumsum(neg_counts, axis=1) - neg_counts
    gap_above = 2 * np.arange(n_levels)  # the gap just above each level
    # Groups are runs of adjacent gaps, so gathering a group's value for every
    # level is repeating it once per level whose gap lies in it.
    n_groups = group_sizes.shape[0]
    runs_above = np.bincount(group[gap_above], minlength=n_groups)
    runs_tied = np.bincount(group[gap_above + 1], minlength=n_groups)
    s_above = share[gap_above].astype(_REPLICATE_DTYPE)
    s_tied = share[gap_above + 1].astype(_REPLICATE_DTYPE)
    any_tied = bool(agg.neg_tied.any())
    tied_positives = n_levels < n_pos
    budget_guess = 2 * _alerted_levels(agg) + _BUDGET_GUESS_MARGIN
    out = np.empty((len(_RESAMPLED), n_boot))
    chunk = max(1, min(_CHUNK, _CHUNK_CELLS // max(n_pos, 1)))
    for lo in range(0, n_boot, chunk):
        hi = min(lo + chunk, n_boot)
        # Which positives each replicate holds: n_pos draws with replacement.
        draws = rng.integers(0, max(n_pos, 1), size=(hi - lo, n_pos))
        draws += (np.arange(hi - lo) * n_pos)[:, None]
        counts = np.bincount(draws.reshape(-1), minlength=(hi - lo) * n_pos)
        copies = counts.reshape(hi - lo, n_pos).astype(_REPLICATE_DTYPE)
        w = np.add.reduceat(copies, agg.level_starts, axis=1) if tied_positives else copies
        neg_above = _spread(neg_before[lo:hi], neg_counts[lo:hi], runs_above, s_above)
        neg_tied = None
        if any_tied:
            neg_tied = _spread(neg_before[lo:hi], neg_counts[lo:hi], runs_tied, s_tied)
            neg_tied -= neg_above
        out[:, lo:hi] = _metrics_from_aggregates(
            w=w,
            neg_above=neg_above,
            neg_tied=neg_tied,
            copies=copies,
            agg=agg,
            review_cost=review_cost,
            budget_guess=budget_guess,
        )
    return out


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def binary_metrics(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    costs: ArrayLike | None = None,
    alert_budget: float = DEFAULT_ALERT_BUDGET,
    review_cost: float = DEFAULT_REVIEW_COST,
) -> dict[str, float]:
    """Score binary predictions: ranking, alert-budget, cost and base-rate metrics.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True labels, 0/1 or bool.
    scores : array-like of shape (n_rows,)
        Finite scores; higher means more likely positive. Only their order
        matters.
    costs : array-like of shape (n_rows,), default=None
        Cost of missing each row if it is positive (for fraud: the amount).
        Only the positives' costs are read; they must be finite.
        ``expected_cost`` is NaN without it.
    alert_budget : float, default=0.005
        Share of rows that can be reviewed: the top
        ``K = ceil(alert_budget * n_rows)`` rows by score are alerted.
    review_cost : float, default=5.0
        Cost of reviewing one alerted row.

    Returns
    -------
    dict of str to float
        Keys, in this order (:data:`BINARY_METRIC_NAMES`):

        ``average_precision``
            Equal to :func:`sklearn.metrics.average_precision_score`
            (step-wise, tied scores form one step).
        ``roc_auc``
            Equal to :func:`sklearn.metrics.roc_auc_score` (ties count 1/2).
        ``precision_at_budget``, ``recall_at_budget``
            Precision and recall of the ``K`` alerts. Rows tied at the cut are
            broken at random, in expectation: the tied group contributes
            (alert slots left) / (rows in the group) of each of its rows, so a
            constant score gets precision = prevalence and recall = K / n_rows.
        ``expected_cost``
            Cost per row at that operating point: (costs of the positives not
            alerted + ``review_cost * K``) / n_rows, fractional for ties as above.
        ``accuracy_all_negative``
            Accuracy of predicting 0 for every row: high on rare positives,
            whatever the model (the accuracy paradox).
        ``prevalence``, ``n_rows``, ``n_positives``
            Base rate and counts (counts are ints).

        If one class is absent, ``average_precision`` and ``roc_auc`` are
        NaN (no warning); without positives ``recall_at_budget`` is NaN too.

    Raises
    ------
    InvalidParameterError
        If the arrays are not 1-D and of equal length, labels are not 0/1,
        scores or the positives' costs are not finite, or a parameter is out
        of range.

    See Also
    --------
    binary_scores_with_ci : The same metrics with bootstrap intervals, per part.

    Examples
    --------
    >>> y = [0, 0, 1, 1, 0, 1, 0, 0]
    >>> s = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.1, 0.3]
    >>> m = binary_metrics(y, s, costs=[0, 0, 40, 10, 0, 70, 0, 0], alert_budget=0.25)
    >>> round(m["average_precision"], 4), round(m["roc_auc"], 4)
    (0.9167, 0.9333)
    >>> m["precision_at_budget"], round(m["recall_at_budget"], 4), m["expected_cost"]
    (1.0, 0.6667, 6.25)
    """
    where = "binary_metrics()"
    check_all(where, _BINARY_METRICS_RULES, {"alert_budget": alert_budget, "review_cost": review_cost})
    labels, score_values, cost_values = as_inputs(where, y_true, scores, costs)
    agg = _aggregate_rows(labels, score_values, cost_values, None, float(alert_budget))
    return _point_metrics(agg, float(review_cost))


def binary_scores_with_ci(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    parts: Mapping[str, ArrayLike],
    costs: ArrayLike | None = None,
    alert_budget: float = DEFAULT_ALERT_BUDGET,
    review_cost: float = DEFAULT_REVIEW_COST,
    n_boot: int = BINARY_N_BOOT,
    confidence: float = 0.95,
    rng: np.random.Generator,
) -> dict[str, dict[str, dict[str, float]]]:
    """Metrics of each part of a holdout with stratified-bootstrap intervals.

    Parameters
    ----------
    y_true, scores, costs, alert_budget, review_cost
        As in :func:`binary_metrics`.
    parts : mapping of str to bool array of shape (n_rows,)
        Named row masks, for example ``{"public": m, "private": ~m}``. Parts
        may overlap; each is scored on its own.
    n_boot : int, default=1000
        Bootstrap replicates per part. About 1,000 are wanted for 95 %
        percentile intervals: each tail then holds 25 replicates and the
        Monte-Carlo error of an endpoint is about 4 % of the half-width.
        Time grows linearly with it, but a replicate costs work proportional
        to the part's positives and negative groups, not its rows: on
        1,000,000 rows with 0.5 % positives (public 30 % / private 70 %) the
        call takes about 1.4 times one ``np.argsort`` of the scores, and
        adding the whole holdout as a third part (merged from the other two,
        not sorted again) about 2.3 times (``benchmarks/bench_scoring.py``).
    confidence : float, default=0.95
        Coverage of the percentile intervals.
    rng : numpy.random.Generator
        Source of the resampling. The same generator state gives the same
        intervals. One child stream is spawned per part (``rng.spawn``), so
        each part's interval depends only on its position in ``parts``.

    Returns
    -------
    dict
        ``result[part][metric] == {"estimate": ..., "low": ..., "high": ...}``
        for every part and every key of :func:`binary_metrics`. Estimates are
        exact (those of :func:`binary_metrics` on the part's rows).
        ``low``/``high`` are percentile bounds. Class counts are kept in every
        replicate, so ``n_rows``, ``n_positives``, ``prevalence`` and
        ``accuracy_all_negative`` have ``low == high == estimate``.

    Raises
    ------
    InvalidParameterError
        As :func:`binary_metrics`; also if a part is not a bool mask of length
        n_rows or selects no row, or ``rng`` is not a ``numpy.random.Generator``.

    Notes
    -----
    The bootstrap is stratified by class: each replicate draws ``P``
    positives from the part's positives and ``N`` negatives from its
    negatives, with replacement. Positives are resampled exactly (how many
    copies of each). For negatives only their counts in the gaps between
    consecutive positive score levels matter; adjacent gaps are merged into
    at most 256 groups whose counts are drawn exactly (multinomial), each
    group's count being spread over its gaps in proportion to their sizes.
    Boundaries are placed where a negative's influence on the metrics changes
    fastest, and the alert cut is a boundary, so the intervals match a naive
    row-level stratified bootstrap: on 20,000 rows with 5 % or 50 %
    positives, endpoints differ by at most 3.5 % of the interval width and
    widths by at most 4 % (2,000 replicates each, the Monte-Carlo noise
    level; the tests allow 10 %). When the gaps are few (heavily tied
    scores) the bootstrap is exact. Point estimates never use the grouping.

    See Also
    --------
    binary_metrics : The point estimates alone.

    Examples
    --------
    >>> import numpy as np
    >>> gen = np.random.default_rng(0)
    >>> y = gen.random(4000) < 0.05
    >>> s = y + gen.normal(size=4000)
    >>> public = gen.random(4000) < 0.3
    >>> res = binary_scores_with_ci(y, s, parts={"public": public, "private": ~public},
    ...                             rng=np.random.default_rng(1))
    >>> auc = res["private"]["roc_auc"]
    >>> auc["low"] < auc["estimate"] < auc["high"]
    True
    >>> res["public"]["n_rows"]["low"] == res["public"]["n_rows"]["estimate"]
    True
    """
    where = "binary_scores_with_ci()"
    check_all(
        where,
        _SCORES_WITH_CI_RULES,
        {"alert_budget": alert_budget, "review_cost": review_cost, "n_boot": n_boot, "confidence": confidence},
    )
    check_rng(where, rng)
    labels, score_values, cost_values = as_inputs(where, y_true, scores, costs)
    masks = as_parts(where, parts, labels.shape[0])
    tail = (1.0 - float(confidence)) / 2.0
    result: dict[str, dict[str, dict[str, float]]] = {}
    pieces: list[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]] = []
    for (name, mask), stream in zip(masks.items(), rng.spawn(len(masks)), strict=True):
        agg, sorted_negatives = _aggregate_part(labels, score_values, cost_values, mask, float(alert_budget), pieces)
        pieces.append((mask, sorted_negatives))
        result[name] = _part_scores(agg, review_cost=float(review_cost), n_boot=int(n_boot), rng=stream, tail=tail)
    return result


def _part_scores(
    agg: _Aggregates, *, review_cost: float, n_boot: int, rng: np.random.Generator, tail: float
) -> dict[str, dict[str, float]]:
    """Estimates and percentile bounds of every metric of one part."""
    point = _point_metrics(agg, review_cost)
    replicates = _bootstrap_part(agg, review_cost=review_cost, n_boot=n_boot, rng=rng)
    if agg.n_pos and agg.n_neg:
        bounds = np.quantile(replicates, [tail, 1.0 - tail], axis=1)
    else:  # keep NaN metrics NaN without numpy's all-NaN warnings
        bounds = np.full((2, len(_RESAMPLED)), np.nan)
        defined = ~np.isnan(replicates).any(axis=1)
        bounds[:, defined] = np.quantile(replicates[defined], [tail, 1.0 - tail], axis=1)
    intervals = {metric: (float(bounds[0, i]), float(bounds[1, i])) for i, metric in enumerate(_RESAMPLED)}
    scores = {}
    for metric, estimate in point.items():
        low, high = (
            estimate if math.isclose(bound, estimate, rel_tol=_REPLICATE_RTOL) else bound
            for bound in intervals.get(metric, (estimate, estimate))
        )
        scores[metric] = {"estimate": estimate, "low": low, "high": high}
    return scores


# ---------------------------------------------------------------------------
# Row selection
# ---------------------------------------------------------------------------


def _aggregate_rows(
    labels: NDArray[np.bool_],
    scores: NDArray[np.float64],
    costs: NDArray[np.float64] | None,
    mask: NDArray[np.bool_] | None,
    alert_budget: float,
) -> _Aggregates:
    """Aggregates of the rows selected by ``mask`` (all rows if None)."""
    return _aggregate_part(labels, scores, costs, mask, alert_budget, ())[0]


def _aggregate_part(
    labels: NDArray[np.bool_],
    scores: NDArray[np.float64],
    costs: NDArray[np.float64] | None,
    mask: NDArray[np.bool_] | None,
    alert_budget: float,
    pieces: Sequence[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]],
) -> tuple[_Aggregates, tuple[NDArray[np.float64], ...]]:
    """Aggregates of the rows selected by ``mask`` and its negatives' scores, sorted.

    ``pieces`` are row sets already aggregated (mask, their sorted negatives).
    When the mask is exactly the disjoint union of those of them inside it (the
    whole holdout after its public and private parts), their sorted negatives
    are merged by counting (:func:`_aggregate`) instead of sorting the
    negatives again: the work is then ``O(n_rows)`` comparisons of masks plus
    ``O(P log n_rows)``, not a sort.
    """
    pos_index = np.flatnonzero(labels)
    if mask is not None:
        pos_index = pos_index[mask[pos_index]]
    pos_costs = None if costs is None else costs[pos_index]
    union = None if mask is None else _disjoint_union(mask, pieces)
    if union is None:
        negatives = ~labels if mask is None else mask & ~labels
        sorted_negatives: tuple[NDArray[np.float64], ...] = (np.sort(np.compress(negatives, scores)),)
    else:
        sorted_negatives = union
    return _aggregate(scores[pos_index], sorted_negatives, pos_costs, alert_budget), sorted_negatives


def _disjoint_union(
    mask: NDArray[np.bool_], pieces: Sequence[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]]
) -> tuple[NDArray[np.float64], ...] | None:
    """The sorted negatives of the pieces that tile ``mask`` exactly, or None if they do not."""
    inside = [piece for piece in pieces if not np.any(piece[0] & ~mask)]
    if not inside:
        return None
    cover = np.zeros(mask.shape[0], dtype=np.uint8)
    for piece_mask, _ in inside:
        cover += piece_mask
    if not np.array_equal(cover, mask):
        return None
    return tuple(negatives for _, arrays in inside for negatives in arrays)
