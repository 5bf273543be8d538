"""Where a rating model fails, by kind of user and movie: error on the least active users and on niche movies.

The simulator's ratings are the true expected rating plus noise, so part of
every error is inherent. :func:`rating_by_group` splits the holdout rows by
how much the training data says about them (users and movies in the least
rated fifth, by their number of training ratings: the nearest thing to cold
start in a random split) and gives the root mean squared error in each group
for the submission, the best baseline and the oracle, with 95 % intervals
(a Student-t interval on the mean squared error, whose square roots bound the
root). It names the group where the submission is weakest, and says whether
the oracle shares the weakness.

Examples
--------
>>> import numpy as np
>>> low, high = rmse_interval(np.array([1.0, -1.0, 1.0, -1.0]))
>>> low <= 1.0 <= high
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from casestudies.report import FigureSpec, Finding, Series

SPARSE_SHARE: Final[float] = 0.2
"""Users (movies) with the fewest training ratings, as a share of those in the holdout, that make the sparse group."""

MIN_ROWS: Final[int] = 30
"""A group with fewer holdout rows is shown but never named as the weak spot."""

CLEAR_GAP: Final[float] = 0.05
"""The submission's error (in stars) above the oracle's from which a weakness counts as the model's own."""

ROLE_OF_KIND: Final[dict[str, str]] = {"submission": "submission", "baseline": "baseline", "oracle": "oracle"}


def rmse_interval(errors: np.ndarray) -> tuple[float, float]:
    """95 % interval of the root mean squared error: the square roots of a t-interval of the mean squared error."""
    if errors.size < 2:
        return math.nan, math.nan
    low, high = DescrStatsW(np.square(errors)).tconfint_mean(alpha=0.05)
    return math.sqrt(max(float(low), 0.0)), math.sqrt(float(high))


def rating_groups(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, np.ndarray]:
    """Masks of the holdout rows by kind of user and movie, from the training ratings of each.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"user_id": [1, 1, 1, 2], "movie_id": [7, 7, 8, 7]})
    >>> test = pd.DataFrame({"user_id": [1, 2, 3], "movie_id": [8, 9, 7]})
    >>> {name: mask.tolist() for name, mask in rating_groups(train, test).items()}["least active users"]
    [False, False, True]
    """
    groups = {}
    for column, sparse, rest in (
        ("user_id", "least active users", "other users"),
        ("movie_id", "niche movies", "other movies"),
    ):
        counts = test[column].map(train[column].value_counts()).fillna(0).to_numpy()
        per_id = pd.Series(counts, index=test[column].to_numpy()).groupby(level=0).first()
        cut = float(np.quantile(per_id.to_numpy(), SPARSE_SHARE))
        sparse_rows = counts <= cut
        groups[sparse] = sparse_rows
        groups[rest] = ~sparse_rows
    return groups


def rating_by_group(
    labels: np.ndarray, groups: dict[str, np.ndarray], rows: Sequence[tuple[str, str, np.ndarray]]
) -> Finding:
    """The finding "where it fails" of a rating task for ``rows`` (name, kind, predictions), the submission first.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([4.0, 4.0, 2.0, 2.0])
    >>> groups = {"a": np.array([True, True, False, False]), "b": np.array([False, False, True, True])}
    >>> finding = rating_by_group(labels, groups, [("you", "submission", np.array([4.0, 4.0, 3.0, 3.0]))])
    >>> finding.evidence["error"]["you"]["b"]["estimate"]
    1.0
    """
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name, _, values in rows:
        errors = np.asarray(values, dtype=np.float64) - labels
        table[name] = {}
        for group, mask in groups.items():
            low, high = rmse_interval(errors[mask])
            estimate = float(np.sqrt(np.mean(np.square(errors[mask])))) if mask.any() else math.nan
            table[name][group] = {"estimate": estimate, "low": low, "high": high, "rows": int(mask.sum())}
    mine_name = rows[0][0]
    mine = table[mine_name]
    eligible = [group for group in groups if mine[group]["rows"] >= MIN_ROWS]
    weakest = max(eligible, key=lambda group: mine[group]["estimate"]) if eligible else None
    text = ", ".join(f"{mine[group]['estimate']:.2f} on {mine[group]['rows']:,} ratings of {group}" for group in mine)
    text = f"Your typical error in stars (root mean squared): {text}."
    oracle = next((table[name] for name, kind, _ in rows if kind == "oracle"), None)
    if weakest is not None:
        text += f" Your weak spot: {weakest} ({mine[weakest]['estimate']:.2f} stars)."
        if oracle is not None:
            gap = mine[weakest]["estimate"] - oracle[weakest]["estimate"]
            whose = "yours to win back" if gap > CLEAR_GAP else "inherent: the ratings' own noise"
            text += f" The oracle errs by {oracle[weakest]['estimate']:.2f} there: the rest is {whose}."
    shown = tuple(groups)
    series = tuple(
        Series(
            label=name,
            x=tuple(table[name][group]["estimate"] for group in shown),
            y=shown,
            role=ROLE_OF_KIND.get(kind, "baseline"),  # type: ignore[arg-type]
            low=tuple(table[name][group]["low"] for group in shown),
            high=tuple(table[name][group]["high"] for group in shown),
        )
        for name, kind, _ in rows
    )
    figure = FigureSpec(
        name="error_by_group",
        kind="intervals",
        title="Which users and movies the model rates worst",
        x_label="typical error (stars, root mean squared, 95 % interval)",
        y_label="kind of user or movie",
        series=series,
        caption="The oracle's error is the ratings' own noise; what lies above it is the model's.",
    )
    evidence: dict[str, object] = {"error": table, "weakest": weakest}
    return Finding("error_by_group", "Where it fails, by kind of user and movie", text, evidence, figures=(figure,))
