"""Exact aggregates of a set of binary-scored rows, and the metrics computed from them.

Levels are the distinct scores of the positives, in descending order. Every
binary metric reads the data only through a handful of ``O(P)`` aggregates
(``P`` = number of positives): the positives at each level, and the negatives
scored above it and tied with it. :func:`_metrics_from_aggregates` turns a
batch of them (exact, or resampled by the bootstrap of ``_metrics``) into the
resampled metrics; :func:`_negative_groups` groups the gaps between levels
whose negatives the bootstrap redraws together.

Examples
--------
>>> import numpy as np
>>> agg = _aggregate(np.array([0.9, 0.4]), [np.array([0.1, 0.4, 0.5])], None, 0.4)
>>> agg.pos_per_level.tolist(), agg.neg_above.tolist(), agg.neg_tied.tolist(), agg.n_alerts
([1.0, 1.0], [0.0, 1.0], [0.0, 1.0], 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

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

# Floor of the row count of a tied group at the cut: below it only where the
# group holds no positive (w_top == 0), whose alerted share is then unused.
_EMPTY_GROUP_ROWS: Final[float] = 1e-12
# alert_budget * n_rows is rounded to this many decimals before the ceiling, so
# float noise (0.005 * 1000 = 5.000000000000001) adds no alert.
_ALERT_DIGITS: Final[int] = 9

_FloatArray: TypeAlias = NDArray[np.floating[Any]]


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
    levels: NDArray[np.float64]  # the levels' scores
    pos_order: NDArray[np.intp]  # positions of the sorted positives among those given, in the order given

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
        levels=levels,
        pos_order=order,
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


class _Scratch:
    """Work arrays reused by every chunk of replicates of a part, by name.

    Each chunk would otherwise allocate a dozen fresh arrays of
    ``batch x n_levels`` and fault their pages in again; these are allocated
    once, at the largest shape asked, and handed out as contiguous views.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, NDArray[Any]] = {}

    def array(self, name: str, shape: tuple[int, int], dtype: type[np.generic] | np.dtype[Any]) -> NDArray[Any]:
        """An uninitialised array of ``shape``, sharing memory with the previous array of that name."""
        size = shape[0] * shape[1]
        flat = self._arrays.get(name)
        if flat is None or flat.dtype != dtype or flat.shape[0] < size:
            flat = self._arrays[name] = np.empty(size, dtype=dtype)
        return flat[:size].reshape(shape)


def _metrics_from_aggregates(
    *,
    w: _FloatArray,
    tp: _FloatArray,
    neg_above: _FloatArray,
    neg_tied: _FloatArray | None,
    copies: _FloatArray | None,
    agg: _Aggregates,
    review_cost: float,
    budget_guess: int,
    scratch: _Scratch,
) -> _FloatArray:
    """The resampled metrics for a batch of (possibly resampled) aggregates.

    ``w``, ``tp`` (its cumulative sum along the levels), ``neg_above`` and
    ``neg_tied`` have shape ``(batch, n_levels)``: positives at each level and
    at it or above, negatives above / tied with it (None: no ties).
    ``copies`` (``(batch, n_pos)``) is how many times each sorted positive is
    present, None for once each. Negative counts may be fractional. The class
    totals are those of ``agg`` (the bootstrap is stratified). Only the first
    levels, up to the first one that holds no alert in any row, enter the
    alert-budget metrics; ``budget_guess`` is where the search for it starts.
    Temporaries are views of ``scratch``.

    Returns an array of shape ``(len(_RESAMPLED), batch)``.
    """
    n_pos, n_neg, n_alerts = agg.n_pos, agg.n_neg, agg.n_alerts
    batch = w.shape[0]
    out = np.full((len(_RESAMPLED), batch), np.nan)
    if n_pos and n_neg:
        # Average precision: sum over levels of (recall step) x precision.
        # tp >= 1 wherever w >= 1, so the floor of 1 only touches levels that
        # contribute 0 (a positive not drawn in a replicate).
        work = np.add(tp, neg_above, out=scratch.array("work", w.shape, w.dtype))
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
    rows_before = np.subtract(tp[:, :levels], w_top, out=scratch.array("rows_before", w_top.shape, w.dtype))
    rows_before += neg_above[:, :levels]
    tied_rows = scratch.array("tied_rows", w_top.shape, w.dtype)
    if neg_tied is None:
        np.maximum(w_top, _EMPTY_GROUP_ROWS, out=tied_rows)
    else:
        np.add(w_top, neg_tied[:, :levels], out=tied_rows)
        np.maximum(tied_rows, _EMPTY_GROUP_ROWS, out=tied_rows)
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
            weighted = np.multiply(copies[:, :end], costs[:end], out=scratch.array("weighted", (batch, end), w.dtype))
        if levels == 0:
            alerted_cost = np.zeros(batch)
        else:
            if agg.n_levels < n_pos:  # tied positives: sum costs per level
                weighted = np.add.reduceat(weighted, agg.level_starts[:levels], axis=1)
            alerted_cost = np.einsum("ij,ij->i", weighted, alerted_share)
        out[4] = (total - alerted_cost + review_cost * n_alerts) / agg.n_rows
    return out


def _alerted_levels(agg: _Aggregates) -> int:
    """Number of levels holding at least part of an alert, exactly."""
    tp = np.cumsum(agg.pos_per_level)
    rows_before = tp - agg.pos_per_level + agg.neg_above
    return int(np.count_nonzero(rows_before < agg.n_alerts))


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
