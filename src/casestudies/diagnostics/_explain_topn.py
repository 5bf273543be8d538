"""Top-N recommendations explained: which users get a film they like, by kind of user, and the stakeholder view.

A user is *served* when their top-N list holds at least one of the movies
they rated 4 or 5 in the held-out period (the truth's ``relevant_movies``);
only users with such a movie can be served. :func:`served_by_group` splits
the share served by true user group (cold-start users, who had almost no
ratings in training, against established ones), for the submission, the
references and the oracle, with Wilson intervals.

Examples
--------
>>> import numpy as np, pandas as pd
>>> truth = pd.DataFrame({"relevant_movies": ["1|2", "", "5"], "cold_start": [False, False, True]})
>>> served(truth, np.array([[2, 9], [1, 2], [7, 8]])).tolist(), eligible(truth).tolist()
([True, False, False], [True, False, True])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, cast

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from casestudies.report import FigureSpec, Finding, Role, Series, StakeholderView

GROUPS: Final[dict[bool, str]] = {True: "cold-start users", False: "established users"}
"""Words of the two user groups of the truth's ``cold_start`` column."""

ROLES: Final[dict[str, str]] = {"submission": "submission", "reference": "reference", "oracle": "oracle"}


def _relevant(truth: pd.DataFrame) -> list[set[int]]:
    return [{int(item) for item in str(text).split("|") if item} for text in truth["relevant_movies"].fillna("")]


def eligible(truth: pd.DataFrame) -> np.ndarray:
    """Users with at least one held-out movie rated 4 or 5 (the only ones a list can serve)."""
    return np.array([bool(movies) for movies in _relevant(truth)])


def served(truth: pd.DataFrame, lists: np.ndarray) -> np.ndarray:
    """Whether each user's list holds one of their held-out movies rated 4 or 5."""
    return np.array([bool(movies & {int(m) for m in row}) for movies, row in zip(_relevant(truth), lists, strict=True)])


def _share(hits: int, users: int) -> dict[str, float]:
    if users == 0:
        return {"estimate": float("nan"), "low": float("nan"), "high": float("nan"), "users": 0}
    low, high = proportion_confint(hits, users, alpha=0.05, method="wilson")
    return {"estimate": hits / users, "low": float(low), "high": float(high), "users": users}


def served_by_group(truth: pd.DataFrame, rows: Sequence[tuple[str, str, np.ndarray]]) -> Finding:
    """The finding "who gets a film they like": share of users served, overall and per user group.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> truth = pd.DataFrame({"relevant_movies": ["1", "2", "3", "4"], "cold_start": [False, False, True, True]})
    >>> finding = served_by_group(truth, [("you", "submission", np.array([[1], [2], [9], [4]]))])
    >>> served = finding.evidence["served"]["you"]
    >>> served["all"]["estimate"], served["cold-start users"]["estimate"]
    (0.75, 0.5)
    """
    able = eligible(truth)
    cold = truth["cold_start"].to_numpy(dtype=bool)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name, _, lists in rows:
        hit = served(truth, lists) & able
        table[name] = {"all": _share(int(hit.sum()), int(able.sum()))}
        for flag, group in GROUPS.items():
            mask = able & (cold == flag)
            table[name][group] = _share(int(hit[mask].sum()), int(mask.sum()))
    mine = table[rows[0][0]]
    text = (
        f"Of the {int(able.sum())} users who rated a held-out film 4 or 5, your lists give "
        f"{mine['all']['estimate']:.0%} at least one of those films"
    )
    parts = [f"{mine[group]['estimate']:.0%} of {group}" for group in GROUPS.values() if mine[group]["users"]]
    text += f" ({', '.join(parts)})." if len(parts) > 1 else "."
    groups = tuple(group for group in GROUPS.values() if mine[group]["users"])
    series = tuple(
        Series(
            label=name,
            x=tuple(table[name][g]["estimate"] * 100 for g in groups),
            y=groups,
            role=cast(Role, ROLES.get(kind, "baseline")),
            low=tuple(table[name][g]["low"] * 100 for g in groups),
            high=tuple(table[name][g]["high"] * 100 for g in groups),
        )
        for name, kind, _ in rows
    )
    figure = FigureSpec(
        name="served_by_group",
        kind="intervals",
        title="Who gets at least one film they like, by kind of user",
        x_label="users given a film they rated 4 or 5 (%, 95 % interval)",
        y_label="user group",
        series=series,
    )
    evidence: dict[str, object] = {"served": table, "eligible_users": int(able.sum())}
    return Finding("served_by_group", "Who gets a film they like", text, evidence, figures=(figure,))


def topn_view(finding: Finding) -> StakeholderView:
    """The stakeholder view of a top-N report, from the :func:`served_by_group` finding (the submission first)."""
    table = cast(dict[str, dict[str, dict[str, float]]], finding.evidence["served"])
    name = next(iter(table))
    mine = table[name]["all"]
    numbers = {key: mine[key] * 100 for key in ("estimate", "low", "high")}
    paragraphs = [
        f"Out of every 100 users who went on to rate a film 4 or 5, the recommendations put at least one of those "
        f"films in front of {numbers['estimate']:.0f} (most likely between {numbers['low']:.0f} and "
        f"{numbers['high']:.0f}, given how many users this period holds)."
    ]
    bars = {"your recommendations": numbers["estimate"]}  # short names: they fit beside the bars on a phone
    for other, groups in list(table.items())[1:]:
        if other in ("oracle", "most_popular"):
            share = groups["all"]["estimate"] * 100
            numbers[other] = share
            if other == "oracle":
                bars["knowing their taste"] = share
                sentence = f"Recommending from each user's true taste would reach {share:.0f} of them"
                if share < numbers["estimate"]:  # it ranks by expected rating, not by what was watched
                    sentence += (
                        " (it picks the films each user would rate highest, not the ones they happened to watch "
                        "in this period, so it can be beaten)"
                    )
                paragraphs.append(f"{sentence}.")
            else:
                bars["most popular films"] = share
                paragraphs.append(f"Recommending the most popular films to everyone would reach {share:.0f} of them.")
    cold = table[name][GROUPS[True]]
    warm = table[name][GROUPS[False]]
    if cold["users"] and warm["users"] and warm["estimate"] - cold["estimate"] >= 0.2:
        numbers |= {"cold": cold["estimate"] * 100, "warm": warm["estimate"] * 100}
        paragraphs.append(
            f"Where it falls short: new users with few ratings get a film they like {numbers['cold']:.0f} times in "
            f"100, against {numbers['warm']:.0f} for established users."
        )
    figure = FigureSpec(
        name="business_view",
        kind="bars",
        title="Users given at least one film they like, out of 100",
        x_label="",
        y_label="users served per 100",
        series=(Series("users served per 100", tuple(bars), tuple(bars.values()), role="submission"),),
        key=True,
    )
    return StakeholderView("What the recommendations would do for your users", tuple(paragraphs), numbers, figure)
