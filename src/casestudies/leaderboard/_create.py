"""Creating a board: its metric chosen, its holdout drawn from the case and checked, its row written.

:meth:`Leaderboard.create` runs these steps in order; each raises the error
that names what to change before anything is written to the store.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import sqlalchemy as sa

from casestudies.case import Case, host_view, make
from casestudies.core import (
    SEED_LIKE,
    AnyString,
    Choice,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    ScenarioSpec,
    did_you_mean,
    higher_is_better,
)
from casestudies.exceptions import CaseStudiesError, InvalidParameterError, LeaderboardError, UnknownLeaderboardError
from casestudies.leaderboard._feedback import board_metrics, metric_value
from casestudies.leaderboard._modes import FEEDBACK_MODES
from casestudies.leaderboard._settings import BoardHoldout
from casestudies.leaderboard._store import Store, boards
from casestudies.leaderboard._taskboard import BINARY, TaskBoard, choose_task_metric, task_board_for, task_of
from casestudies.scoring import metric_arguments, wants_probabilities

CREATE_RULES: Final[dict[str, Rule]] = {
    "scenario": AnyString(),
    "name": AnyString(),
    "feedback": Choice(FEEDBACK_MODES),
    "digits": IntRange(1, 12),
    "step": FloatRange(1e-9, 1e9),
    "alpha": Optional(FloatRange(1e-9, 0.5)),
    "n_boot": IntRange(20, 100_000),
    "daily_limit": Optional(IntRange(1, 1_000_000)),
    "n_final": IntRange(1, 100),
    "seed": SEED_LIKE,
}
"""The settings :meth:`Leaderboard.create` checks, with the ranges it accepts."""


_CONSTANT_SCORE: Final[float] = 0.5
"""The score of a submission that rates every row alike: a metric that can rank a part gives it a finite value."""


def choose_metric(where: str, scenario_spec: ScenarioSpec, metric: str | None) -> tuple[str, bool]:
    """The metric a board ranks by and whether its submissions must be probabilities.

    A board is scored by its one metric, so, as a case scored by rank-based
    metrics only, it takes any finite score unless that metric reads scores
    as probabilities (``accuracy``) or the scenario declares probabilities.

    Raises
    ------
    InvalidParameterError
        If the scenario's board cannot rank by ``metric`` (``accuracy`` needs a
        scenario whose predictions are probabilities).
    """
    available = board_metrics((scenario_spec.metric, *scenario_spec.secondary_metrics))
    chosen = scenario_spec.metric if metric is None else metric
    if chosen not in available or (chosen == "accuracy" and not wants_probabilities(scenario_spec.scoring)):
        hint = did_you_mean(str(chosen), available)
        message = f"{where}: metric must be one of {list(available)} for {scenario_spec.id!r}; got {chosen!r}.{hint}"
        raise InvalidParameterError(message)
    return chosen, wants_probabilities(scenario_spec.scoring, metrics=(chosen,))


def board_holdout(case: Case, scoring: Mapping[str, float]) -> BoardHoldout:
    """The holdout a board keeps of a case: ids, labels, public mask, costs and metric settings."""
    revealed = case.reveal()
    costs = host_view(case).holdout.costs
    return BoardHoldout(
        ids=case.test[case.id_column].to_numpy(),
        labels=revealed[case.target].to_numpy().astype(np.int8),
        public=(revealed["part"] == "public").to_numpy(),
        costs=None if costs is None else np.asarray(costs, dtype=np.float64),
        scoring=dict(scoring),
    )


def check_rankable(where: str, metric: str, holdout: BoardHoldout) -> None:
    """Refuse a holdout part on which ``metric`` cannot tell submissions apart.

    Raises
    ------
    InvalidParameterError
        If a part has a single class, or the metric is undefined on it.
    """
    for part, mask in (("public", holdout.public), ("private", holdout.private)):
        labels = holdout.labels[mask]
        costs = None if holdout.costs is None else holdout.costs[mask]
        constant = np.full(len(labels), _CONSTANT_SCORE)
        if labels.min() == labels.max() or not math.isfinite(
            metric_value(metric, labels, constant, costs=costs, scoring=holdout.scoring)
        ):
            counts = f"{int(labels.sum())} positives and {int((labels == 0).sum())} negatives"
            message = (
                f"{where}: {metric} cannot rank submissions on the {part} part of this holdout ({counts}). "
                "Generate more rows (see params) or pick another metric."
            )
            raise InvalidParameterError(message)


@dataclass(frozen=True, slots=True)
class PreparedBoard:
    """A new board's case, metric and holdout, checked before anything is written."""

    case: Case
    holdout: BoardHoldout
    metric: str
    probabilities: bool
    task: str


def prepare_board(
    where: str, scenario_spec: ScenarioSpec, metric: str | None, *, seed: int, params: Mapping[str, object]
) -> PreparedBoard:
    """Choose the metric, generate the case, draw the holdout the store keeps and check it can rank.

    A binary board keeps its labels; a board of another task keeps ids and
    the public mask and scores against its regenerated case
    (:mod:`casestudies.leaderboard._taskboard`).

    Raises
    ------
    InvalidParameterError
        If the metric is not available for the scenario's task, or a part cannot rank submissions.
    """
    task = scenario_spec.task
    if task == BINARY:
        chosen, probabilities = choose_metric(where, scenario_spec, metric)
    else:
        scenario_metrics = (scenario_spec.metric, *scenario_spec.secondary_metrics)
        chosen, probabilities = choose_task_metric(where, scenario_spec.id, task, scenario_metrics, metric), False
    case = make(scenario_spec.id, seed=seed, **dict(params))
    if task == BINARY:
        holdout = board_holdout(case, metric_arguments(scenario_spec.scoring))
        check_rankable(where, chosen, holdout)
    else:
        view = task_board_for(case, where)
        view.check_rankable(where)
        holdout = view.holdout()
    return PreparedBoard(case, holdout, chosen, probabilities, task)


REFERENCE_ROWS: Final[tuple[str, ...]] = ("prior", "simple", "expert")
"""Reference rows whose public scores the board's page draws as lines to beat (those the scenario has)."""

_NEUTRAL_SCORE: Final[float] = 0.5
"""The constant submission scored to obtain the reference rows (its own score is not kept)."""


def reference_scores(case: Case, metric: str) -> dict[str, float]:
    """Public ``metric`` of the scenario's reference rows on the board's case, stored with the board.

    The rows are fitted as ``evaluate`` fits them (from the reference cache
    when it holds them), once, when the board is created: the page reads them.
    A scenario whose references cannot be scored by ``metric`` has none.
    Boards of other tasks than binary draw the scenario's baselines and expert.
    """
    if task_of(case) != BINARY:
        return TaskBoard.of(case).reference_scores(case, metric)
    try:
        report = case.score(np.full(len(case.test), _NEUTRAL_SCORE), name="constant")
        scores = {
            entry.name: entry.estimate(metric, "public")
            for entry in report.references
            if entry.name in REFERENCE_ROWS and metric in entry.scores["public"]
        }
    except CaseStudiesError:  # a task the constant cannot be submitted to: no lines to beat
        return {}
    return {name: float(value) for name, value in scores.items() if math.isfinite(value)}


def board_row(
    case: Case,
    holdout: BoardHoldout,
    *,
    name: str,
    seed: int,
    metric: str,
    probabilities: bool,
    feedback: str,
    settings: Mapping[str, object],
    daily_limit: int | None,
    n_final: int,
    created_at: str,
) -> dict[str, object]:
    """The ``boards`` row of a new board (still open)."""
    return {
        "name": name,
        "scenario_id": case.id,
        "params": json.dumps(dict(case.params), sort_keys=True, default=str),
        "seed": int(seed),
        "fingerprint": case.fingerprint,
        "id_column": case.id_column,
        "probabilities": probabilities,
        "metric": metric,
        "higher_is_better": higher_is_better(metric),
        "feedback": feedback,
        "settings": json.dumps({**settings, "reference_scores": reference_scores(case, metric)}, sort_keys=True),
        "daily_limit": daily_limit,
        "n_final": n_final,
        "holdout": holdout.pack(),
        "n_public": int(holdout.public.sum()),
        "n_private": int(holdout.private.sum()),
        "created_at": created_at,
        "closed_at": None,
    }


def insert_board(opened: Store, row: Mapping[str, object]) -> None:
    """Write a new board's row, unless the store has a board of that name.

    Raises
    ------
    LeaderboardError
        If the name is taken; nothing is written.
    """
    name = row["name"]
    with opened.write() as conn:
        taken = conn.execute(sa.select(boards.c.id).where(boards.c.name == name)).first()
        if taken is not None:
            message = (
                f"store {opened.location!r} already has a leaderboard named {name!r}. "
                f"Open it with Leaderboard.open(store, name={name!r}) or pick another name."
            )
            raise LeaderboardError(message)
        conn.execute(boards.insert().values(**row))


def only_board(opened: Store, names: list[str]) -> str:
    """The one board of a store opened without a name.

    Raises
    ------
    UnknownLeaderboardError
        If the store holds no board or several.
    """
    if len(names) != 1:
        listing = f"it has {names}" if names else "it has none yet"
        message = f"store {opened.location!r} holds {len(names)} leaderboards; name the one to open ({listing})."
        raise UnknownLeaderboardError(message)
    return names[0]
