"""Taking a submission in: reading its file within the board's bounds, then deciding and storing it atomically.

:meth:`Leaderboard.submit` reads a file within :class:`FileBounds`,
validates and scores outside any transaction (the slow part), then
:func:`store_submission` checks the daily limit, asks the feedback mechanism
what to release and appends the row, in one write transaction.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from casestudies.exceptions import SubmissionLimitError
from casestudies.leaderboard._feedback import Scores, decide, feedback_message
from casestudies.leaderboard._ledger import Ledger
from casestudies.leaderboard._settings import (
    PROBABILITY,
    SCORES,
    BoardSettings,
    Clock,
    Feedback,
    none_if_nan,
    pack_floats,
)
from casestudies.leaderboard._store import Store, timestamp
from casestudies.scoring import read_prediction_file, wants_probabilities

ROWS_PER_TEST_ROW: Final[int] = 2
"""A file may hold up to twice the test set's rows (plus :data:`SPARE_ROWS`): duplicates are reported, not refused."""

SPARE_ROWS: Final[int] = 1_000
"""Rows a file may hold beyond twice the test set, so a small board still gets its problems listed."""

BYTES_PER_ROW: Final[int] = 96
"""Decompressed bytes a file may spend per row allowed: an id (a UUID is 36), a float's repr (up to 24), commas."""

MAX_COLUMNS: Final[int] = 64
"""Columns a submitted file may hold: two are needed; a whole test frame with its predictions fits."""


def submission_scoring(scoring: Mapping[str, float], *, probabilities: bool, metric: str) -> dict[str, object]:
    """The scoring table a board's submissions are validated with.

    A board stores its scenario's metric settings and whether its
    submissions must be probabilities (decided when it was created, from its
    metric and the scenario's scoring table); this rebuilds a table that
    says the same to :func:`casestudies.scoring.wants_probabilities`, with
    the reason: the board's metric when it reads scores as probabilities,
    the scenario's declaration otherwise.

    Examples
    --------
    >>> submission_scoring({}, probabilities=False, metric="roc_auc")
    {'metrics': ['roc_auc'], 'predictions': 'score'}
    >>> submission_scoring({}, probabilities=True, metric="accuracy")
    {'metrics': ['accuracy']}
    """
    table: dict[str, object] = {**scoring, "metrics": [metric]}
    if not probabilities:
        table["predictions"] = SCORES
    elif not wants_probabilities({}, metrics=[metric]):
        table["predictions"] = PROBABILITY
    return table


@dataclass(frozen=True, slots=True)
class FileBounds:
    """What a submitted file may hold once decompressed, for a test set of ``n_test`` rows."""

    max_rows: int
    max_bytes: int
    max_columns: int

    @classmethod
    def for_test_set(cls, n_test: int) -> FileBounds:
        """Room for every test row twice over, at :data:`BYTES_PER_ROW` bytes a row."""
        max_rows = ROWS_PER_TEST_ROW * n_test + SPARE_ROWS
        return cls(max_rows=max_rows, max_bytes=max_rows * BYTES_PER_ROW, max_columns=MAX_COLUMNS)

    def read(self, path: str | os.PathLike[str], *, scenario_id: str, shown_as: str | None = None) -> pd.DataFrame:
        """The file as a DataFrame, refused with ``TOO_LARGE`` before it is materialised if it holds more.

        Raises
        ------
        SubmissionError
            If the file is unreadable or holds more than the bounds.
        """
        return read_prediction_file(
            path,
            scenario_id=scenario_id,
            max_rows=self.max_rows,
            max_bytes=self.max_bytes,
            max_columns=self.max_columns,
            shown_as=shown_as,
        )


def store_submission(
    store: Store,
    ledger: Ledger,
    settings: BoardSettings,
    clock: Clock,
    participant: str,
    label: str,
    digest: str,
    scores: Scores,
) -> Feedback:
    """Decide what to release and append the submission, in one write transaction; say what was released.

    Raises
    ------
    SubmissionLimitError
        If the participant has used up today's submissions (UTC day of ``clock()``).
    LeaderboardClosedError
        If the board was closed meanwhile.
    """
    s = settings
    with store.write() as conn:
        ledger.require_open(conn)
        participant_id = ledger.participant_id(conn, participant, lock=True)
        now = clock()
        day = now.astimezone(dt.timezone.utc).date().isoformat()
        today = ledger.count_on(conn, participant_id, day)
        if s.daily_limit is not None and today >= s.daily_limit:
            message = (
                f"{participant!r} has made {today} of {s.daily_limit} submissions allowed on leaderboard "
                f"{s.name!r} today ({day}, UTC). "
                "Try again after midnight UTC; meanwhile compare models on a validation split of the training data."
            )
            raise SubmissionLimitError(message)
        best = ledger.current_best(conn, participant_id)
        number = ledger.next_number(conn, participant_id)
        decision = decide(
            s.feedback,
            public=scores.public,
            replicates=scores.replicates,
            best=best,
            higher=s.higher,
            digits=s.digits,
            step=s.step,
            alpha=s.alpha,
        )
        received_at = timestamp(now)
        values = {
            "number": number,
            "created_at": received_at,
            "day": day,
            "label": label,
            "predictions_sha256": digest,
            "public_score": scores.public,
            "private_score": scores.private,
            "improved": decision.improved,
            "released_score": none_if_nan(decision.released),
            "best_score": decision.best,
            "threshold": decision.threshold,
            "replicates": None if scores.replicates is None else pack_floats(scores.replicates),
        }
        ledger.append(conn, participant_id, values)
    remaining = None if s.daily_limit is None else s.daily_limit - today - 1
    message = feedback_message(
        decision,
        number=number,
        first=best is None,
        remaining=remaining,
        mode=s.feedback,
        metric=s.metric,
        digits=s.digits,
        step=s.step,
    )
    return Feedback(
        board=s.name,
        participant=participant,
        number=number,
        received_at=received_at,
        label=label,
        metric=s.metric,
        feedback=s.feedback,
        score=none_if_nan(decision.released),
        best=decision.best,
        improved=decision.improved,
        submissions_today=today + 1,
        remaining_today=remaining,
        predictions_sha256=digest,
        message=message,
    )
