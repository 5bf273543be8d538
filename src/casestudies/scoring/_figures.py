"""How a task declares its figures: the data of each, built from the scored rows of a report.

A task type that has figures implements :class:`DeclaresFigures`: given the
case's :class:`TaskContext` and the rows of a report (the submission first,
then the baselines, the expert reference and the oracle, each with the
values it was scored from) it returns :class:`~casestudies.report.FigureSpec`
values, plain data the report's one renderer draws. The Case hands a report
a :class:`~casestudies.report.FigureSource` that calls :func:`task_figures`
on first use only.

Examples
--------
>>> import numpy as np, casestudies as cs
>>> from casestudies.scoring import BinaryTask, task_figures
>>> isinstance(BinaryTask(), DeclaresFigures)
True
>>> task_figures(object(), None, [])  # a task without figures has none
()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol, runtime_checkable

import numpy as np

from casestudies.core import metric_label
from casestudies.report import Entry, FigureSpec, Role, Series
from casestudies.scoring._task import TaskContext

ScoredRow = tuple[Entry, np.ndarray]
"""One row of a report and the validated values it was scored from."""

ROW_ROLES: Final[dict[str, Role]] = {
    "submission": "submission",
    "baseline": "baseline",
    "reference": "reference",
    "oracle": "oracle",
}
"""The figure role of each kind of report row."""

ROW_NAMES: Final[dict[str, str]] = {"submission": "you", "reference": "expert", "oracle": "oracle"}
"""Legend name of a row by kind; baselines go by their own name."""


@runtime_checkable
class DeclaresFigures(Protocol):
    """A task type with figures."""

    def figures(self, context: TaskContext, rows: Sequence[ScoredRow]) -> list[FigureSpec]: ...


def task_figures(task: object, context: TaskContext | None, rows: Sequence[ScoredRow]) -> tuple[FigureSpec, ...]:
    """The figures ``task`` declares for ``rows`` (the submission first); none when it declares none."""
    if context is None or not rows or not isinstance(task, DeclaresFigures):
        return ()
    return tuple(task.figures(context, rows))


def row_label(entry: Entry) -> str:
    """The legend name of a report row: ``you``, a baseline's name, ``expert`` or ``oracle``."""
    return ROW_NAMES.get(entry.kind, entry.name)


def row_role(entry: Entry) -> Role:
    """The figure role of a report row."""
    return ROW_ROLES.get(entry.kind, "data")


def interval_figure(rows: Sequence[ScoredRow], metric: str, *, task: str, name: str = "public_private") -> FigureSpec:
    """Public and private estimates of ``metric`` for every row, with their 95 % intervals.

    The title says whether the submission's public and private scores
    differ by more than their intervals allow.
    """
    labels = tuple(row_label(entry) for entry, _ in rows)
    series = []
    parts: tuple[tuple[str, Role], ...] = (("public", "submission"), ("private", "reference"))
    for part, role in parts:
        values = [entry.scores[part][metric] for entry, _ in rows]
        series.append(
            Series(
                f"{part} part",
                tuple(float(v["estimate"]) for v in values),
                labels,
                role=role,
                low=tuple(float(v["low"]) for v in values),
                high=tuple(float(v["high"]) for v in values),
            )
        )
    mine = rows[0][0].scores
    public, private = mine["public"][metric], mine["private"][metric]
    apart = public["low"] > private["high"] or private["low"] > public["high"]
    label = metric_label(metric, short=True, task=task)
    lesson = (
        f"Your public and private {label} differ beyond noise: do not tune on the public score"
        if apart
        else f"Your public and private {label} agree within their intervals: the gap is noise"
    )
    return FigureSpec(
        name=name,
        kind="intervals",
        title=lesson,
        x_label=f"{metric_label(metric, task=task)} (95 % bootstrap interval)",
        y_label="",
        series=tuple(series),
        caption=(
            "Each row is scored on the public and the private part of the hidden holdout; the bars are 95 % "
            "bootstrap intervals. Leaderboards show the public part and rank the final standing by the private one."
        ),
    )
