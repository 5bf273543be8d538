"""Metric declarations: one direction per name, each task's own wording."""

from __future__ import annotations

from collections import defaultdict

from casestudies.core import METRICS, metric_label


def test_a_name_shared_by_tasks_ranks_the_same_way_in_each() -> None:
    """Ranking code asks for a direction by name alone, so tasks sharing a name must agree on it."""
    directions: dict[str, set[str | None]] = defaultdict(set)
    for info in METRICS:
        directions[info.name].add(info.direction)
    assert {name: found for name, found in directions.items() if len(found) > 1} == {}


def test_each_task_reads_its_own_label_of_a_shared_name() -> None:
    assert "stars" in metric_label("rmse", task="rating")
    assert "target units" in metric_label("rmse", task="regression")
    assert "stars" not in metric_label("mae", task="regression")
    # Without a task, the first declaration; an unknown task falls back to it too.
    assert metric_label("rmse") == metric_label("rmse", task="rating") == metric_label("rmse", task="nope")
