"""The standings tables: who ranks where, publicly and, after the close, on the private part.

Pure functions of the rows read from the store: every participant (id and
name, in the order they were added), every submission, and the final
selections. Ties rank by who reached the score first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

SUBMISSION_COLUMNS: Final[list[str]] = [
    "participant_id",
    "number",
    "created_at",
    "improved",
    "best_score",
    "released_score",
    "private_score",
]
"""The submission columns the standings are computed from, in the order they are read."""

_PUBLIC_COLUMNS: Final[list[str]] = ["participant", "score", "submissions", "last_submission"]
_PRIVATE_COLUMNS: Final[list[str]] = [
    "participant",
    "private_score",
    "public_score",
    "final_submissions",
    "submissions",
    "last_submission",
]


def ranked(records: list[dict[str, object]], columns: list[str], column: str, *, higher: bool) -> pd.DataFrame:
    """Sort best first (ties: who reached it first); rank the scored, the rest last without a rank."""
    table = pd.DataFrame.from_records(records, columns=[*columns, "_reached"])
    value = table[column].astype(float)
    table["_key"] = -value if higher else value
    order = ["_key", "_reached", "participant"]
    table = table.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)
    scored = table[column].notna().to_numpy()
    ranks = pd.Series([index + 1 if ok else None for index, ok in enumerate(scored)], dtype="Int64")
    table.insert(0, "rank", ranks)
    result: pd.DataFrame = table.drop(columns=["_key", "_reached"])
    return result


def public_table(people: Sequence[Any], rows: pd.DataFrame, *, higher: bool) -> pd.DataFrame:
    """``rank, participant, score, submissions, last_submission``: each participant's released best."""
    records: list[dict[str, object]] = []
    for participant_id, name in people:
        mine = rows[rows["participant_id"] == participant_id]
        if mine.empty:
            records.append(
                {"participant": name, "score": math.nan, "submissions": 0, "last_submission": None, "_reached": ""}
            )
            continue
        last = mine.iloc[-1]
        reached = mine[mine["improved"].astype(bool)].iloc[-1]["created_at"]
        records.append(
            {
                "participant": name,
                "score": float(last["best_score"]),
                "submissions": len(mine),
                "last_submission": last["created_at"],
                "_reached": reached,
            }
        )
    return ranked(records, _PUBLIC_COLUMNS, "score", higher=higher)


def finals(mine: pd.DataFrame, chosen: list[int] | None, *, higher: bool, n_final: int) -> pd.DataFrame:
    """The submissions that count: the participant's choice, else their ``n_final`` best released ones.

    The default ranks by the scores the participant was shown, never by
    exact scores a Ladder withheld, so it reveals nothing new.
    """
    if chosen:
        counted: pd.DataFrame = mine[mine["number"].isin(chosen)]
        return counted
    shown = mine[mine["released_score"].notna()]
    key = shown["released_score"].astype(float)
    order = shown.assign(_key=-key if higher else key).sort_values(["_key", "number"], kind="stable")
    best: pd.DataFrame = order.head(n_final)
    return best


def private_table(
    people: Sequence[Any],
    rows: pd.DataFrame,
    chosen: Mapping[int, list[int]],
    *,
    higher: bool,
    n_final: int,
) -> pd.DataFrame:
    """``rank, participant, private_score, public_score, final_submissions, submissions, last_submission``."""
    records: list[dict[str, object]] = []
    for participant_id, name in people:
        mine = rows[rows["participant_id"] == participant_id]
        if mine.empty:
            records.append(
                {
                    "participant": name,
                    "private_score": math.nan,
                    "public_score": math.nan,
                    "final_submissions": "",
                    "submissions": 0,
                    "last_submission": None,
                    "_reached": "",
                }
            )
            continue
        counted = finals(mine, chosen.get(int(participant_id)), higher=higher, n_final=n_final)
        scores = counted["private_score"]
        records.append(
            {
                "participant": name,
                "private_score": float(scores.max() if higher else scores.min()),
                "public_score": float(mine.iloc[-1]["best_score"]),
                "final_submissions": ", ".join(str(int(number)) for number in sorted(counted["number"])),
                "submissions": len(mine),
                "last_submission": mine.iloc[-1]["created_at"],
                "_reached": str(counted["created_at"].min()),
            }
        )
    return ranked(records, _PRIVATE_COLUMNS, "private_score", higher=higher)
