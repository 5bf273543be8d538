"""Boards of the rating, top-N and regression tasks: their metrics, uploads and the Ladder's unit of independence.

A binary board keeps its labels in the store and scores from them alone
(:mod:`casestudies.leaderboard._feedback`). The other tasks validate against
more than a label column -- which users are tested, which movies each has
already rated, the catalogue -- and score against hidden truth a label vector
cannot hold (the relevant movies of every test user, each pair's expected
rating). Their boards therefore regenerate the case from the board's secret
seed and parameters when opened (checked against the stored fingerprint, and
cached per process), and use the task's own validator on the case's own
submission context: an upload is in the task's format and every problem is
listed at once, exactly as :meth:`Case.score` would list them.

The metrics a board ranks by
----------------------------
Every metric such a board offers is the mean of a per-row quantity, or its
square root: squared and absolute errors (``rmse``, ``mae``, ``true_rmse``)
for ratings and regression, per-user ranking quality (NDCG, precision,
recall, MAP at 10, true rating of the list) for top-N. The exact public and
private scores are these means on each part, which equal the task's own
estimates; the Ladder's replicates come from the same decomposition.
Catalogue-level metrics (coverage, exposure Gini) and the unseen-pair
metrics (which need a model object, not an upload) are not offered.

The unit of independence
------------------------
The parameter-free Ladder compares a submission with a participant's best by
a paired bootstrap of the public part. A rating test set holds many rows of
one user, and those rows are not independent (the user's taste and
strictness are shared), so the bootstrap resamples **users**, each with all
of its public rows; a top-N test row is a user; a regression row is a house.
Resampling rows of a rating board would understate the standard error of a
difference and let noise through as improvements.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from casestudies.case import Case, host_view, make
from casestudies.core import did_you_mean, metric_names
from casestudies.exceptions import CaseStudiesError, InvalidParameterError, LeaderboardError
from casestudies.leaderboard._feedback import Scores
from casestudies.leaderboard._settings import BoardHoldout
from casestudies.scoring import TOPN_K, SubmissionContext, Task, TaskContext, TopNContext, topn_per_user

BINARY: Final[str] = "binary"
"""The task whose boards keep their labels in the store (the original board)."""

TASK_BOARD_METRICS: Final[Mapping[str, tuple[str, ...]]] = {
    "rating": ("rmse", "mae", "true_rmse"),
    "topn": ("ndcg_at_10", "precision_at_10", "recall_at_10", "map_at_10", "true_rating_at_10"),
    "regression": ("rmse", "mae", "true_rmse"),
}
"""Metrics a board of each non-binary task can rank by: means of a per-row quantity (or their square root)."""

_TOPN_COLUMNS: Final[Mapping[str, int]] = {
    "ndcg_at_10": 0,
    "precision_at_10": 1,
    "recall_at_10": 2,
    "map_at_10": 3,
    "true_rating_at_10": 4,
}
"""Column of each top-N metric in :func:`casestudies.scoring.topn_per_user`'s per-user matrix."""

_EXPECTED_COLUMNS: Final[Mapping[str, str]] = {"rating": "expected_rating", "regression": "expected"}
"""The truth column holding each held-out row's noise-free expectation, per task (as the task scores it)."""

_ROOTED: Final[frozenset[str]] = frozenset({"rmse", "true_rmse"})
"""Metrics that are the square root of their per-row mean."""

_UNIT_SPAWN_KEY: Final[int] = 0x1ADE
"""Spawn key of the unit resamples' streams (distinct from the binary board's)."""

_CHUNK_CELLS: Final[int] = 1 << 21
"""Cells (replicates x units) of one count matrix: bounds its memory to 8 MiB of float32."""

_CACHE_CELLS: Final[int] = 1 << 23
"""Boards up to this many cells keep their count matrices; larger ones redraw them."""

_CASES_KEPT: Final[int] = 4
"""Regenerated cases a process keeps (one per open board, typically)."""

_RATED_SAMPLE: Final[float] = 3.0
"""What the handout's sample rating submission predicts when the training data has no ratings."""


class ScoresSubmissions(Protocol):
    """What a board asks of its scorer: the exact public and private scores and the public replicates."""

    def score(self, values: NDArray[np.float64]) -> Scores: ...


def board_task(scenario_task: str) -> bool:
    """Whether a task's boards are served by this module (every task but binary).

    Examples
    --------
    >>> board_task("rating"), board_task("binary")
    (True, False)
    """
    return scenario_task != BINARY


def task_metrics(task: str, scenario_metrics: tuple[str, ...]) -> tuple[str, ...]:
    """The metrics a board of a non-binary scenario can rank by, in the scenario's order.

    Examples
    --------
    >>> task_metrics("rating", ("rmse", "mae", "true_rmse", "unseen_true_rmse"))
    ('rmse', 'mae', 'true_rmse')
    >>> task_metrics("topn", ("ndcg_at_10", "coverage", "precision_at_10"))
    ('ndcg_at_10', 'precision_at_10')
    """
    usable = TASK_BOARD_METRICS.get(task, ())
    return tuple(name for name in scenario_metrics if name in usable and name in metric_names(task))


def choose_task_metric(
    where: str, scenario_id: str, task: str, scenario_metrics: tuple[str, ...], metric: str | None
) -> str:
    """The metric a non-binary board ranks by: the scenario's primary metric by default.

    Raises
    ------
    InvalidParameterError
        If the board cannot rank by ``metric`` (the message lists those it can).

    Examples
    --------
    >>> choose_task_metric("create()", "movies-rating-v1", "rating", ("rmse", "mae"), None)
    'rmse'
    """
    available = task_metrics(task, scenario_metrics)
    chosen = scenario_metrics[0] if metric is None else metric
    if chosen not in available:
        hint = did_you_mean(str(chosen), available)
        message = (
            f"{where}: metric must be one of {list(available)} for {scenario_id!r} (a {task} board ranks by "
            f"metrics that average over held-out rows); got {chosen!r}.{hint}"
        )
        raise InvalidParameterError(message)
    return chosen


@functools.lru_cache(maxsize=_CASES_KEPT)
def _regenerated(scenario_id: str, seed: int, params: str) -> Case:
    return make(scenario_id, seed=seed, **json.loads(params))


def board_case(scenario_id: str, seed: int, params: Mapping[str, object], fingerprint: str) -> Case:
    """The board's case regenerated from its seed and parameters (cached per process).

    Raises
    ------
    LeaderboardError
        If the installed generator no longer makes the board's data.
    """
    case = _regenerated(scenario_id, int(seed), json.dumps(dict(params), sort_keys=True, default=str))
    if case.fingerprint != fingerprint:  # pragma: no cover - a changed generator
        message = (
            f"scenario {scenario_id!r} no longer generates the board's data (fingerprint changed); "
            "open the board with the casestudies version that created it."
        )
        raise LeaderboardError(message)
    return case


@dataclass(frozen=True, slots=True)
class TaskBoard:
    """A non-binary board's view of its case: the task, its validator's context, parts and units.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=200, n_test=200)
    >>> board = TaskBoard.of(case)
    >>> board.task_name, int(board.public.sum() + (~board.public).sum()) == len(case.test)
    ('regression', True)
    """

    task_name: str
    task: Task
    context: TaskContext
    public: NDArray[np.bool_]
    units: NDArray[np.int64]
    k: int

    @classmethod
    def of(cls, case: Case) -> TaskBoard:
        """The board view of a case of a non-binary task."""
        host = host_view(case)
        context = host.context
        task_name = context.spec.task
        public = np.asarray(host.holdout.parts["public"], dtype=bool)
        if task_name == "rating":  # all of a user's rows are one unit
            units = pd.factorize(context.submission.test["user_id"])[0].astype(np.int64)
        else:
            units = np.arange(len(public), dtype=np.int64)
        k = int(str(context.spec.scoring.get("k", TOPN_K))) if task_name == "topn" else 1
        return cls(task_name, host.task, context, public, units, k)

    @property
    def submission(self) -> SubmissionContext:
        """What the task's validator checks an upload against."""
        return self.context.submission

    @property
    def file_rows(self) -> int:
        """Rows a complete upload holds: one per test row, or ``k`` per test user for top-N."""
        return len(self.public) * self.k

    def holdout(self) -> BoardHoldout:
        """What the store keeps: ids and the public mask (labels stay with the regenerated case)."""
        n_rows = len(self.public)
        return BoardHoldout(
            ids=self.submission.ids,
            labels=np.zeros(n_rows, dtype=np.int8),
            public=self.public.copy(),
            costs=None,
            scoring={},
        )

    def validate(self, predictions: object) -> NDArray[np.float64]:
        """The task's own validation of an upload (every problem at once)."""
        values: NDArray[np.float64] = self.task.validate(predictions, self.submission)
        return values

    def per_row(self, metric: str, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """The per-row quantity whose mean (or its root) is ``metric``."""
        holdout = self.context.holdout
        if self.task_name == "topn":
            per_user = topn_per_user(np.asarray(values), _topn_context(holdout.extras))
            column: NDArray[np.float64] = per_user[:, _TOPN_COLUMNS[metric]].astype(np.float64)
            return column
        points = values[:, 0] if values.ndim == 2 else values  # regression uploads may carry interval bounds
        target = (
            holdout.truth[_EXPECTED_COLUMNS[self.task_name]].to_numpy(dtype=np.float64)
            if metric == "true_rmse"
            else np.asarray(holdout.labels, dtype=np.float64)
        )
        error = np.asarray(points, dtype=np.float64) - target
        return np.abs(error) if metric == "mae" else error**2

    def check_rankable(self, where: str) -> None:
        """Refuse a holdout whose parts are too small to compare submissions on.

        Raises
        ------
        InvalidParameterError
            If a part has fewer than two units (users or rows).
        """
        for part, mask in (("public", self.public), ("private", ~self.public)):
            n_units = np.unique(self.units[mask]).size
            if n_units < 2:
                unit = "users" if self.task_name in ("rating", "topn") else "rows"
                message = (
                    f"{where}: the {part} part of this holdout has {n_units} {unit}; a board needs at least 2 "
                    "to compare submissions. Generate more rows (see params)."
                )
                raise InvalidParameterError(message)

    def scorer(self, metric: str, *, n_boot: int, seed: int, replicate: bool) -> UnitScorer:
        """A scorer of ``metric`` whose replicates resample this task's units."""
        return UnitScorer(self, metric, n_boot=n_boot, seed=seed, replicate=replicate)

    def reference_scores(self, case: Case, metric: str) -> dict[str, float]:
        """Public ``metric`` of the scenario's baselines and expert, for the page's lines to beat."""
        try:
            rows = host_view(case).references()
        except CaseStudiesError:  # pragma: no cover - a reference that cannot be fitted: no lines
            return {}
        scores = {}
        for row in rows:
            if row.entry.kind in ("baseline", "expert") and metric in row.entry.scores["public"]:
                value = row.entry.estimate(metric, "public")
                if math.isfinite(value):
                    scores[row.entry.name] = float(value)
        return scores


def _topn_context(extras: Mapping[str, object]) -> TopNContext:
    context = extras["context"]
    if not isinstance(context, TopNContext):  # pragma: no cover - checked by TopNTask.check
        raise LeaderboardError("a top-N holdout must carry its scoring context")
    return context


class UnitScorer:
    """Scores a non-binary board's submissions: both parts exactly, the public part on unit resamples.

    Replicate ``b`` draws the public part's units (users for ratings and
    top-N, rows otherwise) with replacement and takes every public row of
    each drawn unit as many times as it was drawn; the metric is the mean of
    the per-row quantity over the resampled rows (its root for RMSE). The
    draws come from the board's secret seed, so every process shares them and
    replicates of different submissions are paired.

    Examples
    --------
    >>> import numpy as np, casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=200, n_test=200)
    >>> scorer = TaskBoard.of(case).scorer("rmse", n_boot=50, seed=1, replicate=True)
    >>> scores = scorer.score(np.full(len(case.test), float(case.y_train.mean())))
    >>> scores.replicates.shape, bool(scores.public > 0)
    ((50,), True)
    """

    def __init__(self, board: TaskBoard, metric: str, *, n_boot: int, seed: int, replicate: bool) -> None:
        self.board = board
        self.metric = metric
        self.n_boot = n_boot
        self.seed = seed
        self.replicate = replicate
        self._transform: Callable[[NDArray[np.float64]], NDArray[np.float64]] = (
            np.sqrt if metric in _ROOTED else np.asarray
        )
        public_units = board.units[board.public]
        self._unit_index, self._n_units = _compact(public_units)
        self._rows_per_unit = np.bincount(self._unit_index, minlength=self._n_units).astype(np.float64)
        n_cells = n_boot * self._n_units
        self._chunk = max(1, min(n_boot, _CHUNK_CELLS // max(self._n_units, 1)))
        self._cache: list[NDArray[np.float32]] | None = None if n_cells > _CACHE_CELLS else []
        self._lock = threading.Lock()

    def _draw(self, index: int, size: int) -> NDArray[np.float32]:
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(_UNIT_SPAWN_KEY, index)))
        n = self._n_units
        picks = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
        counts = np.bincount(picks.ravel(), minlength=size * n).astype(np.float32)
        return counts.reshape(size, n)

    def _chunks(self) -> Iterator[NDArray[np.float32]]:
        with self._lock:
            if self._cache:
                yield from self._cache
                return
            drawn = []
            for index, start in enumerate(range(0, self.n_boot, self._chunk)):
                counts = self._draw(index, min(self._chunk, self.n_boot - start))
                drawn.append(counts)
                yield counts
            if self._cache is not None:
                self._cache.extend(drawn)

    def _value(self, per_row: NDArray[np.float64]) -> float:
        return float(self._transform(np.array([np.mean(per_row)]))[0]) if len(per_row) else math.nan

    def score(self, values: NDArray[np.float64]) -> Scores:
        """Exact public and private scores of validated values; their replicates when ``replicate``."""
        per_row = self.board.per_row(self.metric, values)
        public = self.board.public
        exact_public, exact_private = self._value(per_row[public]), self._value(per_row[~public])
        replicates = None
        if self.replicate:
            sums = np.bincount(self._unit_index, weights=per_row[public], minlength=self._n_units)
            parts = []
            for counts in self._chunks():
                totals = counts.astype(np.float64) @ sums
                rows = counts.astype(np.float64) @ self._rows_per_unit
                parts.append(self._transform(totals / rows))
            replicates = np.concatenate(parts)
        return Scores(exact_public, exact_private, replicates)


def _compact(units: NDArray[np.int64]) -> tuple[NDArray[np.int64], int]:
    """Units renumbered 0..m-1 (m distinct units), with m."""
    unique, index = np.unique(units, return_inverse=True)
    return index.astype(np.int64), int(unique.size)


# ---------------------------------------------------------------------------
# What the handout says about uploads
# ---------------------------------------------------------------------------


def sample_submission(case: Case) -> pd.DataFrame:
    """A valid upload of the case's task, built from the training data only (no holdout).

    Ratings and regression: the training mean for every test row. Top-N:
    the most-rated training movies each test user has not rated, ranked.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("houses-v1", seed=0, n_train=200, n_test=200)
    >>> list(sample_submission(case).columns)
    ['house_id', 'prediction']
    """
    task = host_view(case).context.spec.task
    if task != "topn":
        mean = float(case.y_train.mean()) if len(case.train) else _RATED_SAMPLE
        return pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": mean})
    k = int(str(host_view(case).context.spec.scoring.get("k", TOPN_K)))
    train = case.train
    popular = train["movie_id"].value_counts().index.to_numpy()
    rated = train.groupby("user_id")["movie_id"].agg(set)
    rows = []
    for user in case.test["user_id"]:
        seen = rated.get(user, set())
        picks = [movie for movie in popular if movie not in seen][:k]
        rows += [(user, movie, rank) for rank, movie in enumerate(picks, start=1)]
    return pd.DataFrame(rows, columns=["user_id", "movie_id", "rank"])


def upload_format(task: str, id_column: str, k: int = TOPN_K) -> str:
    """How a board of ``task`` reads an upload, in Markdown for the participants' handout.

    Examples
    --------
    >>> print(upload_format("rating", "rating_id").splitlines()[0])
    # What to upload
    """
    head = "# What to upload\n\nA CSV or Parquet file; `sample_submission.csv` is a valid one.\n\n"
    if task == "topn":
        body = (
            f"Columns `user_id, movie_id, rank`: for **every** test user (`test` lists them), exactly {k} movies "
            f"they have not rated in `train`, ranked 1 (best) to {k}, so {k} rows per user. Movie ids must be in "
            "the catalogue; no movie twice for one user.\n"
        )
    elif task == "regression":
        body = (
            f"Columns `{id_column}, prediction`: one row per test row, a finite prediction of the target in its "
            "own units. You may add `lower` and `upper` (a prediction interval, lower <= upper); the board ranks by "
            "the point prediction.\n"
        )
    elif task == "rating":
        body = (
            f"Columns `{id_column}, prediction`: one row per test row (a user–movie pair), the predicted star "
            "rating, a finite number (ratings run from 1 to 5).\n"
        )
    else:
        body = (
            f"Columns `{id_column}, prediction`: one row per test row, a score (higher means more likely "
            "positive); a probability when the board's metric reads one.\n"
        )
    tail = (
        "\nEvery problem of a refused file is listed at once (missing or unknown ids, duplicates, values out of "
        "range), so one fix-up round is enough.\n"
    )
    return head + body + tail


def task_of(case: Case) -> str:
    """The task type of a case (``binary``, ``rating``, ``topn``, ``regression``)."""
    return host_view(case).context.spec.task


def settings_task(settings_json: str | bytes | None) -> str:
    """The task a stored board's settings name (boards from before task types are binary).

    Examples
    --------
    >>> settings_task('{"task": "rating"}'), settings_task('{"digits": 5}')
    ('rating', 'binary')
    """
    stored = json.loads(settings_json or "{}")
    return str(stored.get("task", BINARY)) if isinstance(stored, dict) else BINARY


def task_board_for(case: Case, where: str) -> TaskBoard:
    """The board view of a case, refused when its task has no board support.

    Raises
    ------
    InvalidParameterError
        If the case's task is not one this module knows.
    """
    task = task_of(case)
    if task not in TASK_BOARD_METRICS:  # pragma: no cover - a task type added without board support
        hint = did_you_mean(task, tuple(TASK_BOARD_METRICS))
        message = f"{where}: boards support tasks {[BINARY, *TASK_BOARD_METRICS]}; got {task!r}.{hint}"
        raise InvalidParameterError(message)
    return TaskBoard.of(case)
