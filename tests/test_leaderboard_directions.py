"""Which way is better, for every metric a board can rank by (issue 16).

A board stores ``higher_is_better`` from :func:`casestudies.core.higher_is_better`
and ranks, releases and compares by it; a metric read the wrong way ranks a
board backwards (the old name-based rule took ``rmse`` for higher-is-better).
Every metric a board of any registered scenario can use is pinned here, and
so are the rating and top-N metrics the boards of those tasks will rank by.
"""

from __future__ import annotations

import pytest

from casestudies.core import higher_is_better, registry
from casestudies.leaderboard._feedback import board_metrics

PINNED = {
    "average_precision": True,
    "roc_auc": True,
    "precision_at_budget": True,
    "recall_at_budget": True,
    "expected_cost": False,
    "accuracy": True,
    # rating and top-N tasks
    "rmse": False,
    "mae": False,
    "true_rmse": False,
    "unseen_true_rmse": False,
    "ndcg_at_10": True,
    "precision_at_10": True,
    "recall_at_10": True,
    "map_at_10": True,
    "true_rating_at_10": True,
    "ndcg_at_10_cold_start": True,
}


def test_every_board_metric_has_a_pinned_direction() -> None:
    usable = set()
    for scenario in registry().values():
        usable |= set(board_metrics((scenario.metric, *scenario.secondary_metrics)))
    assert usable <= set(PINNED), f"pin the direction of {sorted(usable - set(PINNED))} in PINNED"


@pytest.mark.parametrize("metric", sorted(PINNED))
def test_metric_direction_is_the_pinned_one(metric: str) -> None:
    assert higher_is_better(metric) is PINNED[metric]
