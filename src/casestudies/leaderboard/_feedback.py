"""What a leaderboard tells a participant: board metrics and scores, paired bootstrap, the Ladder, the message.

The feedback mechanisms
-----------------------
``exact``
    Kaggle-style: every submission's public score, rounded to ``digits``
    decimals. Precise feedback is what lets a participant overfit the public
    part (Blum & Hardt's boosting attack; Whitehill 2017 recovered labels from
    rounded log-loss).
``ladder``
    Blum & Hardt's fixed-step Ladder, with the step ``step`` (η) in the
    metric's own units: a submission is released only when its public score
    beats the participant's released best by more than η; the released value
    is then the score rounded to a multiple of η. Otherwise the old best is
    shown again.
``parameter-free`` (the default)
    Blum & Hardt's parameter-free Ladder: a submission is released only when
    a one-sided *paired* test says it beats the participant's current best.

The paired test with a metric that has no per-example loss
----------------------------------------------------------
Blum & Hardt's parameter-free Ladder takes the standard deviation of the
per-example loss differences between the new submission and the current
best. Average precision (our default metric) is not a mean of per-example
losses, so that standard deviation does not exist. We estimate the same
quantity -- the standard error of the paired difference of the public scores
-- with a **paired, label-stratified bootstrap of the public part**: ``n_boot``
resamples of the public rows (positives and negatives resampled separately,
so each replicate keeps the class counts, as in the core's intervals), drawn
once per board from its secret seed and shared by every submission, so the
new submission and the current best are always scored on the same resamples
(common random numbers). Each submission stores its ``n_boot`` replicate
scores; the standard error of the difference is the standard deviation of
the replicate differences. For a decomposable metric (``accuracy``) this is
the bootstrap estimate of Blum & Hardt's ``s / sqrt(n)``.

The critical value: a multiplicity correction
---------------------------------------------
Blum & Hardt accept when the improvement exceeds one standard error. Against
their own boosting attack (n = 4000, k = 400, 0-1 loss) that still leaks
about 0.013 of accuracy (their code: loss 0.484 for a true 0.50; we measure
+0.0126 on average over ten seeds, ``benchmarks/bench_ladder_attack.py``),
because among 400 random submissions a few clear one standard error by
chance and the attacker learns which. We keep their paired test but control
its false acceptances over a participant's sequence of tries: the m-th
submission compared with the same best must clear ``z_m * SE`` with
``z_m = Phi^{-1}(1 - alpha / (m (m + 1)))``. The levels ``alpha / (m (m+1))``
sum to ``alpha`` over all m (alpha-spending), so a participant who submits
nothing better than their best is shown a new best with probability at most
``alpha`` (default 0.05) before their next real improvement, however many
times they try. The attack then leaks +0.003 on average (at most 0.009 over
ten seeds). With ``alpha=None`` the test is Blum & Hardt's original
one-standard-error rule. Real improvements are still released: the first try
against a best needs about 2 standard errors, the tenth about 3.3, and
paired differences between related models have small standard errors (on
the default fraud-v1 board a sequence of models improving average precision
by 0.02-0.15 is released step by step). A participant who tunes blindly
learns less, which is the point of the Ladder.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from casestudies.core import BOARD_ONLY_METRICS as BOARD_ONLY_METRIC_INFO
from casestudies.core import metric_label
from casestudies.leaderboard._settings import BoardHoldout
from casestudies.scoring import binary_metrics

FeedbackMode = Literal["exact", "ladder", "parameter-free"]

BOARD_ONLY_METRIC_NAMES: Final[tuple[str, ...]] = tuple(info.name for info in BOARD_ONLY_METRIC_INFO)
"""Metrics a board may use beyond the scenario's own: ``accuracy`` (score >= 0.5 read as 1)."""

RESAMPLED_METRICS: Final[tuple[str, ...]] = (
    "average_precision",
    "roc_auc",
    "precision_at_budget",
    "recall_at_budget",
    "expected_cost",
)
"""Scenario metrics a board can rank by: the binary metrics the paired bootstrap knows how to resample."""

ACCURACY_THRESHOLD: Final[float] = 0.5
"""``accuracy`` reads a score at or above this as a positive prediction (scores are probabilities)."""

_CHUNK_CELLS: Final[int] = 1 << 21
"""Cells (replicates x public rows) of one count matrix: bounds its memory to 8 MiB of float32."""

_CACHE_CELLS: Final[int] = 1 << 23
"""Boards up to this many cells keep their count matrices (32 MiB of float32); larger ones redraw them."""

_BOOT_SPAWN_KEY: Final[int] = 0x1ADD
"""Spawn key of the resamples' streams: far above the few children a generator spawns, so no stream is shared."""

_FLOAT32_EXACT_ROWS: Final[int] = 1 << 24
"""float32 holds every integer count below 2**24 exactly; larger public parts count in float64."""


def board_metrics(scenario_metrics: tuple[str, ...]) -> tuple[str, ...]:
    """Metrics a board of a scenario can rank by."""
    return tuple(name for name in scenario_metrics if name in RESAMPLED_METRICS) + BOARD_ONLY_METRIC_NAMES


def metric_value(
    metric: str,
    labels: NDArray[np.int8],
    scores: NDArray[np.float64],
    *,
    costs: NDArray[np.float64] | None,
    scoring: Mapping[str, float],
) -> float:
    """The exact value of a board metric on one set of rows.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 1, 0], dtype=np.int8)
    >>> metric_value("accuracy", y, np.array([0.2, 0.7, 0.4, 0.1]), costs=None, scoring={})
    0.75
    >>> round(metric_value("average_precision", y, np.array([0.2, 0.7, 0.4, 0.1]), costs=None, scoring={}), 4)
    1.0
    """
    if metric == "accuracy":
        return float(np.mean((scores >= ACCURACY_THRESHOLD) == (labels == 1)))
    return float(binary_metrics(labels, scores, costs=costs, **dict(scoring))[metric])


class PairedBootstrap:
    """Label-stratified bootstrap counts of the public rows, shared by every submission of a board.

    Replicate ``b`` holds ``counts[b, i]`` copies of public row ``i``; the
    counts come from the board's secret seed, so every process that opens the
    board draws the same resamples, and a stored replicate vector can be
    compared with a new one replicate by replicate.
    """

    def __init__(self, labels: NDArray[np.int8], *, n_boot: int, seed: int) -> None:
        self.labels = labels
        self.n_boot = n_boot
        self.seed = seed
        self._positives = np.flatnonzero(labels == 1)
        self._negatives = np.flatnonzero(labels != 1)
        n_rows = len(labels)
        self._chunk = max(1, min(n_boot, _CHUNK_CELLS // max(n_rows, 1)))
        self._cache: list[NDArray[np.floating]] | None = None if n_boot * n_rows > _CACHE_CELLS else []

    def _draw(self, index: int, size: int) -> NDArray[np.floating]:
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(_BOOT_SPAWN_KEY, index)))
        n_rows = len(self.labels)
        # Integer counts held as floats for fast arithmetic; float32 is exact below 2**24 rows.
        dtype = np.float32 if n_rows < _FLOAT32_EXACT_ROWS else np.float64
        counts: NDArray[np.floating] = np.zeros(size * n_rows, dtype=dtype)
        offsets = (np.arange(size) * n_rows)[:, None]
        for rows in (self._positives, self._negatives):
            if len(rows):
                picks = rows[rng.integers(0, len(rows), size=(size, len(rows)))]
                np.add(
                    counts,
                    np.bincount((picks + offsets).ravel(), minlength=size * n_rows),
                    out=counts,
                    casting="unsafe",
                )
        return counts.reshape(size, n_rows)

    def chunks(self) -> Iterator[NDArray[np.floating]]:
        """Count matrices of shape ``(replicates, public rows)``, ``n_boot`` replicates in all."""
        if self._cache:
            yield from self._cache
            return
        for index, start in enumerate(range(0, self.n_boot, self._chunk)):
            counts = self._draw(index, min(self._chunk, self.n_boot - start))
            if self._cache is not None:
                self._cache.append(counts)
            yield counts

    def replicates(
        self,
        metric: str,
        scores: NDArray[np.float64],
        *,
        costs: NDArray[np.float64] | None,
        scoring: Mapping[str, float],
    ) -> NDArray[np.float64]:
        """The metric of ``scores`` (public rows) on every resample, shape ``(n_boot,)``."""
        parts = [
            _replicate_chunk(metric, self.labels, scores, counts, costs=costs, scoring=scoring)
            for counts in self.chunks()
        ]
        return np.concatenate(parts)


def _weighted_average_precision(
    labels: NDArray[np.int8], scores: NDArray[np.float64], counts: NDArray[np.floating]
) -> NDArray[np.float64]:
    """Average precision of each resample (tied scores form one step, as in scikit-learn).

    Only the score levels that hold a positive contribute; at each, precision
    is (weighted positives so far) / (weighted rows so far).
    """
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    ends = np.flatnonzero(np.r_[ordered[1:] != ordered[:-1], True])  # last position of each tie group
    positions = np.flatnonzero(labels[order] == 1)
    weights = counts[:, order]
    tp_running = np.cumsum(weights[:, positions], axis=1)
    np.cumsum(weights, axis=1, out=weights)  # rows seen so far, in place
    groups = np.unique(np.searchsorted(ends, positions))  # tie groups that hold a positive
    tp = tp_running[:, np.searchsorted(positions, ends[groups], side="right") - 1]
    seen = weights[:, ends[groups]]
    gained = np.diff(tp, axis=1, prepend=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.einsum("ij,ij->i", gained, tp / np.maximum(seen, 1.0)) / tp[:, -1]
    return np.asarray(values, dtype=np.float64)


def _weighted_roc_auc(
    labels: NDArray[np.int8], scores: NDArray[np.float64], counts: NDArray[np.floating]
) -> NDArray[np.float64]:
    """ROC AUC of each resample: P(positive scored above a negative) + half the ties."""
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    weights = counts[:, order]
    positive = labels[order] == 1
    pos = np.add.reduceat(weights * positive, starts, axis=1)
    neg = np.add.reduceat(weights * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.einsum("ij,ij->i", pos, below + 0.5 * neg, dtype=np.float64) / (n_pos.astype(np.float64) * n_neg)
    return np.asarray(values, dtype=np.float64)


def _replicate_chunk(
    metric: str,
    labels: NDArray[np.int8],
    scores: NDArray[np.float64],
    counts: NDArray[np.floating],
    *,
    costs: NDArray[np.float64] | None,
    scoring: Mapping[str, float],
) -> NDArray[np.float64]:
    if metric == "accuracy":
        correct = ((scores >= ACCURACY_THRESHOLD) == (labels == 1)).astype(counts.dtype)
        # einsum, not a BLAS matrix product: as fast, and the same sums on every machine
        hits = np.einsum("ij,j->i", counts, correct)
        return np.asarray(hits, dtype=np.float64) / len(labels)  # each replicate has len(labels) rows
    if metric == "average_precision":
        return _weighted_average_precision(labels, scores, counts)
    if metric == "roc_auc":
        return _weighted_roc_auc(labels, scores, counts)
    # Other metrics: score each resample explicitly (slower, exact).
    out = np.empty(counts.shape[0])
    for b in range(counts.shape[0]):
        rows = np.repeat(np.arange(len(labels)), counts[b].astype(np.int64))
        out[b] = metric_value(
            metric, labels[rows], scores[rows], costs=None if costs is None else costs[rows], scoring=scoring
        )
    return out


@dataclass(frozen=True, slots=True)
class Scores:
    """A validated submission's exact scores (host-side) and its paired-bootstrap replicates."""

    public: float
    private: float
    replicates: NDArray[np.float64] | None


class HoldoutScorer:
    """Scores submissions on a board's holdout: both parts exactly, the public part on every resample.

    The resamples are drawn on first use and shared by every thread of the process.
    """

    def __init__(self, holdout: BoardHoldout, *, metric: str, n_boot: int, seed: int, replicate: bool) -> None:
        self.holdout = holdout
        self.metric = metric
        self.n_boot = n_boot
        self.seed = seed
        self.replicate = replicate
        self._bootstrap: PairedBootstrap | None = None
        self._lock = threading.Lock()

    def _paired_bootstrap(self) -> PairedBootstrap:
        with self._lock:
            if self._bootstrap is None:
                labels = self.holdout.labels[self.holdout.public]
                bootstrap = PairedBootstrap(labels, n_boot=self.n_boot, seed=self.seed)
                for _ in bootstrap.chunks():  # fill its cache once, under the lock
                    pass
                self._bootstrap = bootstrap
            return self._bootstrap

    def score(self, values: NDArray[np.float64]) -> Scores:
        """Exact public and private scores of validated values; their replicates when ``replicate``."""
        holdout, costs = self.holdout, self.holdout.costs
        exact = {}
        for part, mask in (("public", holdout.public), ("private", holdout.private)):
            part_costs = None if costs is None else costs[mask]
            labels = holdout.labels[mask]
            exact[part] = metric_value(self.metric, labels, values[mask], costs=part_costs, scoring=holdout.scoring)
        replicates = None
        if self.replicate:
            public = holdout.public
            replicates = self._paired_bootstrap().replicates(
                self.metric, values[public], costs=None if costs is None else costs[public], scoring=holdout.scoring
            )
        return Scores(exact["public"], exact["private"], replicates)


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Best:
    """A participant's current best: its exact public score, released value and replicates."""

    number: int
    public: float
    released: float
    replicates: NDArray[np.float64] | None
    tries_since: int  # submissions compared with this best so far


@dataclass(frozen=True, slots=True)
class Decision:
    """What the mechanism decided for one submission."""

    improved: bool
    released: float  # this submission's released value (NaN when not released)
    best: float  # the participant's released best after it
    threshold: float | None  # improvement the submission had to clear (metric units), if any


def _round(value: float, digits: int) -> float:
    return float(round(value, digits))


def critical_value(tries: int, alpha: float | None) -> float:
    """The paired test's critical value for the ``tries``-th comparison with one best.

    ``alpha=None`` gives Blum & Hardt's one standard error.

    Examples
    --------
    >>> round(critical_value(1, 0.05), 3), round(critical_value(10, 0.05), 3), critical_value(7, None)
    (1.96, 3.317, 1.0)
    """
    if alpha is None:
        return 1.0
    return -NormalDist().inv_cdf(alpha / (tries * (tries + 1)))


def decide(
    mode: str,
    *,
    public: float,
    replicates: NDArray[np.float64] | None,
    best: Best | None,
    higher: bool,
    digits: int,
    step: float,
    alpha: float | None,
) -> Decision:
    """Apply a feedback mechanism to one new submission.

    Parameters
    ----------
    mode : {"exact", "ladder", "parameter-free"}
    public : float
        Exact public score of the new submission.
    replicates : ndarray or None
        Its paired-bootstrap replicates (parameter-free mode).
    best : Best or None
        The participant's current best, None before their first submission.
    higher : bool
        Whether higher scores are better.
    digits, step, alpha
        Rounding of released values, the fixed Ladder's step, the paired test's level.

    Examples
    --------
    >>> settings = {"higher": True, "digits": 5, "step": 0.01, "alpha": 0.05}
    >>> d = decide("ladder", public=0.512, replicates=None, best=None, **settings)
    >>> d.improved, d.released
    (True, 0.51)
    >>> previous = Best(number=1, public=0.512, released=0.51, replicates=None, tries_since=0)
    >>> decide("ladder", public=0.519, replicates=None, best=previous, **settings).best
    0.51
    """
    sign = 1.0 if higher else -1.0
    if mode == "exact":
        released = _round(public, digits)
        if best is None:
            return Decision(True, released, released, None)
        improved = sign * (released - best.released) > 0
        return Decision(improved, released, released if improved else best.released, None)
    if mode == "ladder":
        if best is None or sign * (public - best.released) > step:
            released = _round(round(public / step) * step, digits)
            return Decision(True, released, released, step)
        return Decision(False, math.nan, best.released, step)
    # parameter-free
    released = _round(public, digits)
    if best is None:
        return Decision(True, released, released, None)
    assert replicates is not None and best.replicates is not None
    differences = sign * (replicates - best.replicates)
    finite = differences[np.isfinite(differences)]
    standard_error = float(np.std(finite, ddof=1)) if len(finite) > 1 else math.inf
    threshold = critical_value(best.tries_since + 1, alpha) * standard_error
    if sign * (public - best.public) > threshold:
        return Decision(True, released, released, threshold)
    return Decision(False, math.nan, best.released, threshold)


def _shown(value: float, digits: int) -> str:
    """A released value as text: ``digits`` decimals without trailing zeros."""
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def feedback_message(
    decision: Decision,
    *,
    number: int,
    first: bool,
    remaining: int | None,
    mode: str,
    metric: str,
    digits: int,
    step: float,
) -> str:
    """What a participant reads about submission ``number``: its released score or why none is shown.

    Examples
    --------
    >>> decision = Decision(improved=True, released=0.51, best=0.51, threshold=0.01)
    >>> feedback_message(
    ...     decision, number=1, first=True, remaining=4, mode="ladder", metric="roc_auc", digits=5, step=0.01
    ... )
    'Submission 1: public ROC-AUC 0.51. 4 submissions left today.'
    """
    label = metric_label(metric)
    left = "" if remaining is None else f" {remaining} submission{'s' if remaining != 1 else ''} left today."
    best = _shown(decision.best, digits) if math.isfinite(decision.best) else "n/a"
    if mode == "exact":
        text = f"Submission {number}: public {label} {_shown(decision.released, digits)}"
        if first:
            text += " (your first)."
        else:
            text += " — a new best." if decision.improved else f"; your best stays {best}."
        return text + left
    if decision.improved:
        if first:
            return f"Submission {number}: public {label} {best}.{left}"
        how = (
            f"by more than the Ladder's step of {step:g}"
            if mode == "ladder"
            else "clearly (a paired test on the public part)"
        )
        return f"Submission {number} beats your best {how}: public {label} {best}.{left}"
    why = (
        f"by more than the Ladder's step of {step:g}"
        if mode == "ladder"
        else "clearly enough to tell from noise on the public part"
    )
    return (
        f"Submission {number} does not beat your best {why}; your public {label} stays {best}. "
        f"The board shows only clear improvements, so it cannot be climbed by trial and error.{left}"
    )
