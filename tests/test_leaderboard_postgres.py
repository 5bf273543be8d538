"""The same leaderboard code on PostgreSQL.

Runs when ``CASESTUDIES_TEST_POSTGRES_URL`` names a server this test may create
databases on, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(with the ``psycopg`` driver installed); each test gets a fresh database.
``source .ci/postgres.sh`` starts a throwaway server on a Unix socket and sets
the variable; CI does so, and there these tests fail rather than skip without
one. The concurrency and SIGKILL tests of ``test_leaderboard_concurrency.py``
run on PostgreSQL too.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

import casestudies as cs
from casestudies.exceptions import InvalidParameterError, LeaderboardError, StoreError
from leaderboard_support import POSTGRES_HOW, postgres_database

SCENARIO = "fraud-v1"
PARAMS = {"n_customers": 300, "n_days": 14, "fraud_intensity": 5.0}


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the test server; skipped without one (how to start one is in the message)."""
    with postgres_database() as url:
        yield url


def test_the_skip_message_says_how_to_run_these_tests() -> None:
    assert "source .ci/postgres.sh" in POSTGRES_HOW and "CASESTUDIES_TEST_POSTGRES_URL" in POSTGRES_HOW


def test_a_board_on_postgresql_scores_like_one_in_sqlite(database: str, tmp_path: Path) -> None:
    case = cs.make(SCENARIO, seed=3, **PARAMS)
    boards = [
        cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=3, daily_limit=None)
        for store in (database, tmp_path / "b.sqlite")
    ]
    rng = np.random.default_rng(0)
    submissions = [rng.random(len(case.test)) for _ in range(3)] + [case.reveal()["probability"].to_numpy()]
    for board in boards:
        board.add_participant("ana")
        for values in submissions:
            board.submit("ana", values)
        board.select("ana", [4])
        board.close()
    postgres, sqlite = (board.submissions() for board in boards)
    columns = [
        "number",
        "predictions_sha256",
        "public_score",
        "private_score",
        "released_score",
        "best_score",
        "improved",
    ]
    assert postgres[columns].equals(sqlite[columns])
    assert (
        boards[0]
        .standings(private=True)
        .drop(columns="last_submission")
        .equals(boards[1].standings(private=True).drop(columns="last_submission"))
    )


def test_stored_rows_cannot_be_changed_on_postgresql(database: str) -> None:
    board = cs.Leaderboard.create(database, scenario=SCENARIO, params=PARAMS, seed=3)
    board.add_participant("ana")
    board.submit("ana", np.full(board.info()["n_public"] + board.info()["n_private"], 0.5))  # type: ignore[operator]
    engine = sa.create_engine(database)
    for statement in (
        "UPDATE submissions SET public_score = 1",
        "DELETE FROM submissions",
        "DELETE FROM participants",
        "UPDATE boards SET seed = 1",
    ):
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match=r"never changed|only changes once"):
            conn.exec_driver_sql(statement)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE casestudies_meta SET value = '7' WHERE key = 'schema_version'")
    engine.dispose()
    with pytest.raises(StoreError, match="schema version 7, newer"):
        cs.Leaderboard.open(database)


def _submit_many(store: str, participant: str, count: int, start: Any, out: Any) -> None:
    board = cs.Leaderboard.open(store)
    info = board.info()
    rng = np.random.default_rng(len(participant))
    start.wait()
    out.send([board.submit(participant, rng.random(info["n_public"] + info["n_private"])).number for _ in range(count)])  # type: ignore[operator]
    out.close()


def test_concurrent_processes_on_postgresql(database: str) -> None:
    board = cs.Leaderboard.create(database, scenario=SCENARIO, params=PARAMS, seed=3, daily_limit=None)
    names = [f"p{index}" for index in range(4)]
    for name in names:
        board.add_participant(name)
    board.dispose()
    context = multiprocessing.get_context("fork")
    start = context.Event()
    pipes, workers = [], []
    for name in names:
        receive, send = context.Pipe(duplex=False)
        workers.append(context.Process(target=_submit_many, args=(database, name, 25, start, send)))
        workers[-1].start()
        send.close()
        pipes.append(receive)
    start.set()
    for receive, worker in zip(pipes, workers, strict=True):
        assert receive.poll(300)
        assert receive.recv() == list(range(1, 26))
        worker.join(timeout=60)
        assert worker.exitcode == 0
    table = cs.Leaderboard.open(database).submissions()
    assert len(table) == 100 and not table.duplicated(["participant", "number"]).any()


def test_participants_are_added_all_or_none_on_postgresql(database: str) -> None:
    board = cs.Leaderboard.create(database, scenario=SCENARIO, params=PARAMS, seed=3)
    board.add_participant("ana")
    with pytest.raises(InvalidParameterError, match=re.escape("got '<b>'")):
        board.add_participants(["bo", "cy", "<b>"])
    with pytest.raises(LeaderboardError, match=re.escape("'\u0430na' reads as 'ana' (already on the board)")):
        board.add_participants(["bo", "\u0430na"])  # a Cyrillic а
    assert board.participants() == ["ana"]
    tokens = board.add_participants(["bo", "cy"])
    assert [board.authenticate(tokens[name]) for name in ("bo", "cy")] == ["bo", "cy"]
    assert board.participants() == ["ana", "bo", "cy"]
