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
how many negatives fall into each gap between consecutive levels. The
aggregates and the metrics computed from them live in ``_metrics_kernel``;
the resampling is here. A part made of earlier parts (the whole holdout)
reuses their draws (:class:`_UnionReplicates`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from casestudies.core import BINARY_N_BOOT, DEFAULT_N_BOOT, FloatRange, IntRange, Rule, check_all, metric_names
from casestudies.scoring._metrics_checks import as_inputs, as_parts, check_rng
from casestudies.scoring._metrics_kernel import (
    _RESAMPLED,
    _aggregate,
    _Aggregates,
    _alerted_levels,
    _FloatArray,
    _gap_sizes,
    _metrics_from_aggregates,
    _negative_groups,
    _Scratch,
)

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

DEFAULT_REVIEW_COST: Final[float] = 5.0
"""Cost of reviewing one alerted row, in the unit of the costs, when a scenario states none."""

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


def _point_metrics(agg: _Aggregates, review_cost: float) -> dict[str, float]:
    """Exact metrics of one set of rows."""
    resampled = _metrics_from_aggregates(
        w=agg.pos_per_level[None, :],
        tp=np.cumsum(agg.pos_per_level)[None, :],
        neg_above=agg.neg_above[None, :],
        neg_tied=agg.neg_tied[None, :] if agg.neg_tied.any() else None,
        copies=None,
        agg=agg,
        review_cost=review_cost,
        budget_guess=agg.n_levels,
        scratch=_Scratch(),
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


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def _spread(
    before: _FloatArray,
    counts: _FloatArray,
    group: NDArray[np.intp],
    share: _FloatArray,
    out: _FloatArray,
    tmp: _FloatArray,
) -> _FloatArray:
    """Negatives down to each cut, into ``out``: the start of the cut's group plus its share of the group."""
    np.take(counts, group, axis=1, out=out, mode="clip")  # "clip": no bounds check, so take writes out directly
    out *= share
    out += np.take(before, group, axis=1, out=tmp, mode="clip")
    return out


_Cuts: TypeAlias = tuple[NDArray[np.intp], _FloatArray]  # per cut: its negative group, and the share of it above


def _replicate_metrics(
    agg: _Aggregates,
    counts: NDArray[np.intp],
    neg_above: _FloatArray,
    neg_tied: _FloatArray | None,
    *,
    review_cost: float,
    budget_guess: int,
    scratch: _Scratch,
) -> _FloatArray:
    """The resampled metrics of a chunk of replicates, given the copies of each sorted positive (``counts``)."""
    shape = neg_above.shape
    copies = scratch.array("copies", counts.shape, _REPLICATE_DTYPE)
    np.copyto(copies, counts, casting="unsafe")
    if agg.n_levels < agg.n_pos:  # tied positives: copies per level
        counts = np.add.reduceat(counts, agg.level_starts, axis=1)
        w = scratch.array("w", shape, _REPLICATE_DTYPE)
        np.copyto(w, counts, casting="unsafe")
    else:
        w = copies
    # Counts are cumulated in integers: exact at any size, and several times
    # faster than a floating-point cumsum.
    tp = scratch.array("tp", shape, _REPLICATE_DTYPE)
    np.copyto(tp, np.cumsum(counts, axis=1, out=scratch.array("tp_int", shape, counts.dtype)), casting="unsafe")
    return _metrics_from_aggregates(
        w=w,
        tp=tp,
        neg_above=neg_above,
        neg_tied=neg_tied,
        copies=copies,
        agg=agg,
        review_cost=review_cost,
        budget_guess=budget_guess,
        scratch=scratch,
    )


class _Replicates:
    """Stratified-bootstrap replicates of one part, drawn from its own generator, chunk by chunk.

    The negatives' group counts of every replicate are drawn at once; the
    positives' copies chunk by chunk (:meth:`chunk`), and ``counts`` keeps
    the last chunk's for a part made of this one and others
    (:class:`_UnionReplicates`).
    """

    def __init__(
        self,
        agg: _Aggregates,
        *,
        review_cost: float,
        n_boot: int,
        rng: np.random.Generator,
        scratch: _Scratch,
        max_groups: int = _MAX_NEGATIVE_GROUPS,
    ) -> None:
        self.agg, self._review_cost, self._rng, self._scratch = agg, review_cost, rng, scratch
        gap_sizes = _gap_sizes(agg)
        group, self._group_sizes, share = _negative_groups(agg, gap_sizes, max_groups)
        if agg.n_neg:
            drawn = rng.multinomial(agg.n_neg, self._group_sizes / agg.n_neg, size=n_boot)
        else:
            drawn = np.zeros((n_boot, self._group_sizes.shape[0]), dtype=np.int64)
        self._neg_counts = drawn.astype(_REPLICATE_DTYPE)
        self._neg_before = (np.cumsum(drawn, axis=1) - drawn).astype(_REPLICATE_DTYPE)
        gap_above = 2 * np.arange(agg.n_levels)  # the gap just above each level
        self._above: _Cuts = (group[gap_above], share[gap_above].astype(_REPLICATE_DTYPE))
        self._tied: _Cuts | None = None
        if agg.neg_tied.any():  # down to the end of the gap tied with each level
            self._tied = (group[gap_above + 1], share[gap_above + 1].astype(_REPLICATE_DTYPE))
        self._budget_guess = 2 * _alerted_levels(agg) + _BUDGET_GUESS_MARGIN
        self.chunk_size = max(1, min(_CHUNK, _CHUNK_CELLS // max(agg.n_pos, 1)))
        self.counts: NDArray[np.intp] = np.zeros((0, agg.n_pos), dtype=np.intp)

    def cuts(self, neg_above: NDArray[np.intp]) -> _Cuts:
        """Group and share of it above each cut, for cuts with ``neg_above`` of this part's negatives above them."""
        ends = np.cumsum(self._group_sizes)
        group = np.minimum(np.searchsorted(ends, neg_above, side="left"), ends.shape[0] - 1)
        size = self._group_sizes[group]
        share = np.zeros(group.shape[0])
        np.divide(neg_above - (ends[group] - size), size, out=share, where=size > 0)
        return group, share.astype(_REPLICATE_DTYPE)

    def spread(self, lo: int, hi: int, cuts: _Cuts, out: _FloatArray) -> _FloatArray:
        """Negatives above each cut in replicates ``lo:hi``, into ``out``."""
        tmp = self._scratch.array("spread_tmp", out.shape, _REPLICATE_DTYPE)
        return _spread(self._neg_before[lo:hi], self._neg_counts[lo:hi], *cuts, out, tmp)

    def chunk(self, lo: int, hi: int) -> _FloatArray:
        """Replicates ``lo:hi`` of the resampled metrics, shape ``(5, hi - lo)``."""
        n_pos, shape = self.agg.n_pos, (hi - lo, self.agg.n_levels)
        # Which positives each replicate holds: n_pos draws with replacement.
        draws = self._rng.integers(0, max(n_pos, 1), size=(hi - lo, n_pos))
        draws += (np.arange(hi - lo) * n_pos)[:, None]
        self.counts = np.bincount(draws.reshape(-1), minlength=(hi - lo) * n_pos).reshape(hi - lo, n_pos)
        neg_above = self.spread(lo, hi, self._above, self._scratch.array("neg_above", shape, _REPLICATE_DTYPE))
        neg_tied = None
        if self._tied is not None:
            neg_tied = self.spread(lo, hi, self._tied, self._scratch.array("neg_tied", shape, _REPLICATE_DTYPE))
            neg_tied -= neg_above
        return _replicate_metrics(
            self.agg,
            self.counts,
            neg_above,
            neg_tied,
            review_cost=self._review_cost,
            budget_guess=self._budget_guess,
            scratch=self._scratch,
        )


class _UnionReplicates:
    """Replicates of a part that is the disjoint union of others (the whole holdout): the union of theirs.

    Each piece is resampled within itself, so a replicate of the union is
    stratified by piece and class and costs no draw of its own: its positives
    are the pieces' copies, and the negatives above each of its levels are,
    piece by piece, the piece's group counts spread at the union's levels as
    :func:`_spread` does at the piece's own. ``pieces`` holds, per piece, its
    replicates, the positions of its positives (in the order it was given
    them) among the union's (in the order the union was given them), and its
    sorted negatives.
    """

    def __init__(
        self,
        agg: _Aggregates,
        pieces: Sequence[tuple[_Replicates, NDArray[np.intp], NDArray[np.float64]]],
        *,
        review_cost: float,
        scratch: _Scratch,
    ) -> None:
        self.agg, self._review_cost, self._scratch = agg, review_cost, scratch
        rank = np.empty(agg.n_pos, dtype=np.intp)
        rank[agg.pos_order] = np.arange(agg.n_pos)  # position of each given positive once sorted
        ascending = agg.levels[::-1]  # searchsorted is fastest with ascending needles
        self._pieces: list[tuple[_Replicates, int, _Cuts, _Cuts | None]] = []
        # The union's sorted positives, as positions among the pieces' sorted positives laid end to end.
        self._source = np.empty(agg.n_pos, dtype=np.intp)
        offset = 0
        for replicates, positions, negatives in pieces:
            n_neg = negatives.shape[0]
            above = replicates.cuts(n_neg - np.searchsorted(negatives, ascending, side="right")[::-1])
            at_or_above = None
            if agg.neg_tied.any():
                at_or_above = replicates.cuts(n_neg - np.searchsorted(negatives, ascending, side="left")[::-1])
            self._pieces.append((replicates, offset, above, at_or_above))
            self._source[rank[positions[replicates.agg.pos_order]]] = offset + np.arange(replicates.agg.n_pos)
            offset += replicates.agg.n_pos
        self._budget_guess = 2 * _alerted_levels(agg) + _BUDGET_GUESS_MARGIN
        self.chunk_size = max(1, min(_CHUNK, _CHUNK_CELLS // max(agg.n_pos, 1)))

    def chunk(self, lo: int, hi: int) -> _FloatArray:
        """Replicates ``lo:hi``, from the pieces' chunk ``lo:hi`` (drawn just before)."""
        shape = (hi - lo, self.agg.n_levels)
        laid = self._scratch.array("laid", (hi - lo, self.agg.n_pos), np.intp)
        neg_above = self._scratch.array("neg_above", shape, _REPLICATE_DTYPE)
        neg_tied = self._scratch.array("neg_tied", shape, _REPLICATE_DTYPE) if self.agg.neg_tied.any() else None
        piece_part = self._scratch.array("piece_part", shape, _REPLICATE_DTYPE)
        for index, (replicates, offset, above, at_or_above) in enumerate(self._pieces):
            laid[:, offset : offset + replicates.agg.n_pos] = replicates.counts
            replicates.spread(lo, hi, above, neg_above if index == 0 else piece_part)
            if index:
                neg_above += piece_part
            if neg_tied is not None and at_or_above is not None:
                replicates.spread(lo, hi, at_or_above, neg_tied if index == 0 else piece_part)
                if index:
                    neg_tied += piece_part
        if neg_tied is not None:
            neg_tied -= neg_above
        counts = self._scratch.array("counts", laid.shape, np.intp)
        np.take(laid, self._source, axis=1, out=counts, mode="clip")
        return _replicate_metrics(
            self.agg,
            counts,
            neg_above,
            neg_tied,
            review_cost=self._review_cost,
            budget_guess=self._budget_guess,
            scratch=self._scratch,
        )


# Per part: None, or the earlier parts it is the disjoint union of, each as (index, positions of its positives among
# the union's, its sorted negatives); see _UnionReplicates.
_Union: TypeAlias = Sequence[tuple[int, NDArray[np.intp], NDArray[np.float64]]] | None


def _replicates(
    aggregates: Sequence[_Aggregates],
    unions: Sequence[_Union],
    streams: Sequence[np.random.Generator],
    *,
    review_cost: float,
    n_boot: int,
    max_groups: int = _MAX_NEGATIVE_GROUPS,
) -> NDArray[np.float64]:
    """Replicates of every part, shape ``(n_parts, 5, n_boot)``, all parts chunk by chunk together.

    A part that is the disjoint union of earlier parts, each resampled on its
    own, is resampled as the union of their replicates (its stream is unused);
    any other part from its own stream. Drawing in chunks of any size gives the
    same draws, so a part's replicates do not depend on the others (up to the
    single-precision rounding of the cost sums, whose BLAS blocking follows the
    chunk, which shrinks only when a part holds over 80,000 positives).
    """
    scratch = _Scratch()
    plans: list[_Replicates | _UnionReplicates] = []
    for agg, union, stream in zip(aggregates, unions, streams, strict=True):
        pieces = [
            (plan, positions, negatives)
            for index, positions, negatives in union or ()
            if isinstance(plan := plans[index], _Replicates)
        ]
        if union and len(pieces) == len(union):
            plans.append(_UnionReplicates(agg, pieces, review_cost=review_cost, scratch=scratch))
        else:
            plans.append(
                _Replicates(
                    agg, review_cost=review_cost, n_boot=n_boot, rng=stream, scratch=scratch, max_groups=max_groups
                )
            )
    out = np.empty((len(plans), len(_RESAMPLED), n_boot))
    chunk = min(plan.chunk_size for plan in plans)
    for lo in range(0, n_boot, chunk):
        hi = min(lo + chunk, n_boot)
        for index, plan in enumerate(plans):
            out[index, :, lo:hi] = plan.chunk(lo, hi)
    return out


def _bootstrap_part(
    agg: _Aggregates,
    *,
    review_cost: float,
    n_boot: int,
    rng: np.random.Generator,
    max_groups: int = _MAX_NEGATIVE_GROUPS,
) -> NDArray[np.float64]:
    """Stratified-bootstrap replicates of the resampled metrics of one part, shape ``(5, n_boot)``."""
    replicates: NDArray[np.float64] = _replicates(
        [agg], [None], [rng], review_cost=review_cost, n_boot=n_boot, max_groups=max_groups
    )[0]
    return replicates


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
        call takes about 1.5 times one ``np.argsort`` of the scores, and
        adding the whole holdout as a third part (merged from the other two:
        no new sort, no new draws) about 2.1 times (CPU time,
        ``benchmarks/bench_scoring.py``).
    confidence : float, default=0.95
        Coverage of the percentile intervals.
    rng : numpy.random.Generator
        Source of the resampling. The same generator state gives the same
        intervals. One child stream is spawned per part (``rng.spawn``), so
        each part's interval depends only on its position in ``parts`` (and,
        for a part that is the disjoint union of earlier parts, on theirs).

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

    A part that is exactly the disjoint union of earlier parts (the whole
    holdout after its public and private parts) is not resampled again: its
    replicates are the unions of theirs, a bootstrap stratified by part and
    class, at no cost in random draws. The public/private split is random, so
    conditioning on it moves nothing in expectation: on 20,000 rows its
    intervals agree with row-level bootstraps stratified by part and class or
    by class alone as closely as the single-part intervals do (endpoints
    within 6 % of the width, widths within 6 %; the tests allow 10 %), and
    in 1,000 simulated holdouts of 4,000 rows (5 % positives) the 95 %
    interval of the whole holdout's ROC AUC covers the population value
    93.8 % of the time, against 93.6 % for a class-stratified resampling of
    the whole (percentile intervals run a little short at 200 positives).

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
    positives = np.flatnonzero(labels)
    aggregates: list[_Aggregates] = []
    unions: list[_Union] = []
    pieces: list[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]] = []
    for mask in masks.values():
        agg, sorted_negatives, inside = _aggregate_piece(
            labels, score_values, cost_values, mask, float(alert_budget), pieces
        )
        union = None
        if inside is not None and all(len(pieces[index][1]) == 1 for index in inside):
            rows = positives[mask[positives]]
            union = [
                (index, np.searchsorted(rows, positives[pieces[index][0][positives]]), pieces[index][1][0])
                for index in inside
            ]
        aggregates.append(agg)
        unions.append(union)
        pieces.append((mask, sorted_negatives))
    replicates = _replicates(
        aggregates, unions, rng.spawn(len(masks)), review_cost=float(review_cost), n_boot=int(n_boot)
    )
    return {
        name: _part_scores(agg, part_replicates, review_cost=float(review_cost), tail=tail)
        for name, agg, part_replicates in zip(masks, aggregates, replicates, strict=True)
    }


def _part_scores(
    agg: _Aggregates, replicates: NDArray[np.float64], *, review_cost: float, tail: float
) -> dict[str, dict[str, float]]:
    """Estimates and percentile bounds of every metric of one part, given its replicates."""
    point = _point_metrics(agg, review_cost)
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
    return _aggregate_piece(labels, scores, costs, mask, alert_budget, ())[0]


def _aggregate_piece(
    labels: NDArray[np.bool_],
    scores: NDArray[np.float64],
    costs: NDArray[np.float64] | None,
    mask: NDArray[np.bool_] | None,
    alert_budget: float,
    pieces: Sequence[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]],
) -> tuple[_Aggregates, tuple[NDArray[np.float64], ...], list[int] | None]:
    """Aggregates of the rows selected by ``mask``, its negatives' scores, sorted, and the pieces it is made of.

    ``pieces`` are row sets already aggregated (mask, their sorted negatives).
    When the mask is exactly the disjoint union of those of them inside it (the
    whole holdout after its public and private parts), their sorted negatives
    are merged by counting (:func:`_aggregate`) instead of sorting the
    negatives again: the work is then ``O(n_rows)`` comparisons of masks plus
    ``O(P log n_rows)``, not a sort. The last item lists those pieces (their
    indices), or is None.
    """
    pos_index = np.flatnonzero(labels)
    if mask is not None:
        pos_index = pos_index[mask[pos_index]]
    pos_costs = None if costs is None else costs[pos_index]
    inside = None if mask is None else _disjoint_union(mask, pieces)
    if inside is None:
        negatives = ~labels if mask is None else mask & ~labels
        selected = np.compress(negatives, scores)
        selected.sort()  # in place: a fresh array already
        sorted_negatives: tuple[NDArray[np.float64], ...] = (selected,)
    else:
        sorted_negatives = tuple(negatives for index in inside for negatives in pieces[index][1])
    return _aggregate(scores[pos_index], sorted_negatives, pos_costs, alert_budget), sorted_negatives, inside


def _disjoint_union(
    mask: NDArray[np.bool_], pieces: Sequence[tuple[NDArray[np.bool_], tuple[NDArray[np.float64], ...]]]
) -> list[int] | None:
    """The indices of the pieces that tile ``mask`` exactly, or None if they do not."""
    inside = [index for index, (piece_mask, _) in enumerate(pieces) if not np.any(piece_mask & ~mask)]
    if not inside:
        return None
    cover = np.zeros(mask.shape[0], dtype=np.uint8)
    for index in inside:
        cover += pieces[index][0]
    if not np.array_equal(cover, mask):
        return None
    return inside
