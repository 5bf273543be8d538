"""One board's rows in the store: its state, participants, submissions and final selections.

Every method takes the connection of a transaction the caller opened on
the store (``store.read()`` or ``store.write()``), so a caller composes
"check, decide, append" atomically. Writes only ever append (the store's triggers
refuse anything else), except the one change of the board row, from open
to closed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final, cast

import pandas as pd
import sqlalchemy as sa

from casestudies.core import did_you_mean
from casestudies.exceptions import LeaderboardClosedError, UnknownParticipantError
from casestudies.leaderboard._feedback import Best
from casestudies.leaderboard._participants import check_new_names
from casestudies.leaderboard._settings import unpack_floats
from casestudies.leaderboard._standings import SUBMISSION_COLUMNS
from casestudies.leaderboard._store import Store, boards, participants, selections, submissions

HISTORY_COLUMNS: Final[list[str]] = [
    "number",
    "received_at",
    "label",
    "score",
    "best",
    "improved",
    "predictions_sha256",
]
"""A participant's own submissions, as they were told about them."""

RECORD_COLUMNS: Final[list[str]] = [
    "participant",
    "number",
    "received_at",
    "label",
    "predictions_sha256",
    "public_score",
    "private_score",
    "released_score",
    "best_score",
    "improved",
]
"""Every submission, host-side."""

_OWN_SCORE_COLUMNS: Final[list[str]] = ["number", "released_score", "created_at"]


class Ledger:
    """The rows of board ``board_id`` (named ``board`` in messages) in an open store."""

    def __init__(self, store: Store, board_id: int, board: str) -> None:
        self.store = store
        self.board_id = board_id
        self.board = board

    # -- the board row ---------------------------------------------------------

    def closed_at(self, conn: sa.Connection) -> str | None:
        """When the board was closed; None while it is open."""
        query = sa.select(boards.c.closed_at).where(boards.c.id == self.board_id)
        return cast("str | None", conn.execute(query).scalar())

    def require_open(self, conn: sa.Connection, *, exclusive: bool = False) -> None:
        """Refuse to go on with a closed board; on PostgreSQL, lock its row (shared, or ``exclusive``).

        Raises
        ------
        LeaderboardClosedError
            If the board is closed.
        """
        query = sa.select(boards.c.closed_at).where(boards.c.id == self.board_id)
        if not self.store.is_sqlite:  # SQLite: the write transaction already excludes every other writer
            # Submissions share the board row's lock; close() takes it alone, so it
            # waits for submissions in flight and later ones see the board closed.
            # Adding participants takes it alone too: the names on the board cannot change meanwhile.
            query = query.with_for_update(read=not exclusive)
        closed_at = conn.execute(query).scalar()
        if closed_at is not None:
            message = (
                f"leaderboard {self.board!r} was closed at {closed_at}; it takes no more submissions or selections. "
                "See its final standings with standings(private=True)."
            )
            raise LeaderboardClosedError(message)

    def close(self, conn: sa.Connection, at: str) -> None:
        """Mark the board closed at ``at`` (the one change its row allows)."""
        conn.execute(
            boards.update().where(boards.c.id == self.board_id, boards.c.closed_at.is_(None)).values(closed_at=at)
        )

    # -- participants ----------------------------------------------------------

    def people(self, conn: sa.Connection) -> list[tuple[int, str]]:
        """``(id, name)`` of every participant, in the order they were added."""
        query = sa.select(participants.c.id, participants.c.name).where(participants.c.board_id == self.board_id)
        return [(int(pid), str(name)) for pid, name in conn.execute(query.order_by(participants.c.id)).all()]

    def count_participants(self, conn: sa.Connection) -> int:
        """How many participants the board has."""
        query = sa.select(sa.func.count()).select_from(participants).where(participants.c.board_id == self.board_id)
        return int(conn.execute(query).scalar() or 0)

    def add_participants(
        self, conn: sa.Connection, people: Sequence[tuple[str, str]], *, created_at: str, where: str
    ) -> None:
        """Append participants, given as ``(name, token_sha256)``: all of them or, on an error, none.

        Raises
        ------
        LeaderboardError
            If a name reads like one on the board or like another of them
            (see :func:`~casestudies.leaderboard._participants.name_key`).
        """
        on_board = participants.c.board_id == self.board_id
        existing = conn.execute(sa.select(participants.c.name).where(on_board)).scalars()
        check_new_names(where, [name for name, _ in people], existing, board=self.board)
        rows = [
            {"board_id": self.board_id, "name": name, "token_sha256": digest, "created_at": created_at}
            for name, digest in people
        ]
        if rows:
            conn.execute(participants.insert(), rows)

    def token_owner(self, conn: sa.Connection, token_sha256: str) -> str | None:
        """The name of the participant whose token has this hash, if any."""
        query = sa.select(participants.c.name).where(
            participants.c.board_id == self.board_id, participants.c.token_sha256 == token_sha256
        )
        name = conn.execute(query).scalar()
        return None if name is None else str(name)

    def participant_id(self, conn: sa.Connection, participant: str, *, lock: bool) -> int:
        """The id of a participant, locked for the transaction when ``lock`` (PostgreSQL).

        Raises
        ------
        UnknownParticipantError
            If the board has no participant of that name (the closest is suggested).
        """
        on_board = participants.c.board_id == self.board_id
        query = sa.select(participants.c.id).where(on_board, participants.c.name == participant)
        if lock and not self.store.is_sqlite:
            query = query.with_for_update()
        found = conn.execute(query).scalar()
        if found is None:
            names = list(conn.execute(sa.select(participants.c.name).where(on_board)).scalars())
            hint = did_you_mean(str(participant), names) or " The host adds participants with add_participant()."
            raise UnknownParticipantError(f"no participant {participant!r} on leaderboard {self.board!r}.{hint}")
        return int(found)

    # -- submissions -----------------------------------------------------------

    def count_on(self, conn: sa.Connection, participant_id: int, day: str) -> int:
        """A participant's submissions on a UTC day (``YYYY-MM-DD``)."""
        c = submissions.c
        query = sa.select(sa.func.count()).select_from(submissions).where(c.participant_id == participant_id)
        return int(conn.execute(query.where(c.day == day)).scalar() or 0)

    def next_number(self, conn: sa.Connection, participant_id: int) -> int:
        """The number the participant's next submission gets (1, 2, ...)."""
        query = sa.select(sa.func.max(submissions.c.number)).where(submissions.c.participant_id == participant_id)
        return int(conn.execute(query).scalar() or 0) + 1

    def current_best(self, conn: sa.Connection, participant_id: int) -> Best | None:
        """The participant's latest improving submission and how many came after it; None before the first."""
        c = submissions.c
        row = conn.execute(
            sa.select(c.number, c.public_score, c.best_score, c.replicates)
            .where(c.participant_id == participant_id, c.improved.is_(True))
            .order_by(c.number.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        later = conn.execute(
            sa.select(sa.func.count())
            .select_from(submissions)
            .where(c.participant_id == participant_id, c.number > row.number)
        ).scalar()
        return Best(
            number=int(row.number),
            public=float(row.public_score),
            released=float(row.best_score),
            replicates=unpack_floats(row.replicates),
            tries_since=int(later or 0),
        )

    def append(self, conn: sa.Connection, participant_id: int, values: Mapping[str, object]) -> None:
        """Append a submission of a participant (``values``: the other columns)."""
        conn.execute(submissions.insert().values(board_id=self.board_id, participant_id=participant_id, **values))

    def numbers(self, conn: sa.Connection, participant_id: int) -> set[int]:
        """The numbers of a participant's submissions."""
        query = sa.select(submissions.c.number).where(submissions.c.participant_id == participant_id)
        return {int(number) for number in conn.execute(query).scalars()}

    def standing_rows(self, conn: sa.Connection) -> pd.DataFrame:
        """Every submission of the board, by participant and number, with :data:`SUBMISSION_COLUMNS`."""
        c = submissions.c
        query = sa.select(
            c.participant_id, c.number, c.created_at, c.improved, c.best_score, c.released_score, c.private_score
        )
        rows = conn.execute(query.where(c.board_id == self.board_id).order_by(c.participant_id, c.number)).all()
        table: pd.DataFrame = pd.DataFrame(rows, columns=SUBMISSION_COLUMNS)
        return table

    def history(self, conn: sa.Connection, participant_id: int) -> pd.DataFrame:
        """A participant's submissions as released, with :data:`HISTORY_COLUMNS`."""
        c = submissions.c
        query = sa.select(
            c.number, c.created_at, c.label, c.released_score, c.best_score, c.improved, c.predictions_sha256
        )
        rows = conn.execute(query.where(c.participant_id == participant_id).order_by(c.number)).all()
        table: pd.DataFrame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
        table["improved"] = table["improved"].astype(bool)
        return table

    def own_scores(self, conn: sa.Connection, participant_id: int) -> pd.DataFrame:
        """A participant's released scores (``number, released_score, created_at``), for the default finals."""
        c = submissions.c
        query = sa.select(c.number, c.released_score, c.created_at).where(c.participant_id == participant_id)
        table: pd.DataFrame = pd.DataFrame(conn.execute(query.order_by(c.number)).all(), columns=_OWN_SCORE_COLUMNS)
        return table

    def record(self, conn: sa.Connection) -> pd.DataFrame:
        """Every submission of the board, host-side, with :data:`RECORD_COLUMNS`."""
        c = submissions.c
        rows = conn.execute(
            sa.select(
                participants.c.name,
                c.number,
                c.created_at,
                c.label,
                c.predictions_sha256,
                c.public_score,
                c.private_score,
                c.released_score,
                c.best_score,
                c.improved,
            )
            .join(participants, participants.c.id == c.participant_id)
            .where(c.board_id == self.board_id)
            .order_by(c.id)
        ).all()
        table: pd.DataFrame = pd.DataFrame(rows, columns=RECORD_COLUMNS)
        table["improved"] = table["improved"].astype(bool)
        return table

    # -- final selections ------------------------------------------------------

    def selections(self, conn: sa.Connection) -> dict[int, list[int]]:
        """Each participant's latest choice of final submissions, by participant id."""
        rows = conn.execute(
            sa.select(selections.c.participant_id, selections.c.numbers)
            .join(participants, participants.c.id == selections.c.participant_id)
            .where(participants.c.board_id == self.board_id)
            .order_by(selections.c.id)
        ).all()
        return {int(participant_id): json.loads(numbers) for participant_id, numbers in rows}  # the latest wins

    def select(self, conn: sa.Connection, participant_id: int, numbers: list[int], *, created_at: str) -> None:
        """Append a participant's choice of final submissions."""
        conn.execute(
            selections.insert().values(
                participant_id=participant_id, numbers=json.dumps(numbers), created_at=created_at
            )
        )
