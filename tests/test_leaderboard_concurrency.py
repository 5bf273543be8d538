"""Several processes submitting to one board at once, and a writer killed mid-submission: on SQLite and PostgreSQL.

The PostgreSQL runs need a server (``source .ci/postgres.sh`` starts a throwaway
one); they are skipped without it, and fail under ``CI=true``. Every wait on
another process has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

import casestudies as cs
from leaderboard_support import WAIT_SECONDS, Lines, postgres_database

SCENARIO = "fraud-v1"
PARAMS = {"n_customers": 300, "n_days": 14, "fraud_intensity": 5.0}
N_WORKERS = 8
N_SUBMISSIONS = 100

WORKER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import casestudies as cs

    store, participant, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    board = cs.Leaderboard.open(store)
    info = board.info()
    rng = np.random.default_rng(seed)
    for index in range(count):
        values = rng.random(info["n_public"] + info["n_private"])
        feedback = board.submit(participant, values, label=f"{participant} {index}")
        print(json.dumps({"number": feedback.number, "sha": feedback.predictions_sha256}), flush=True)
    """
)

# Pauses inside the write transaction of submission ``pause_at``, right after its
# INSERT, and says so; the parent then kills it with SIGKILL.
VICTIM = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from sqlalchemy import event
    import casestudies as cs

    store, pause_at = sys.argv[1], int(sys.argv[2])
    board = cs.Leaderboard.open(store)
    info = board.info()
    state = {"index": 0}

    @event.listens_for(board._store.engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO SUBMISSIONS") and state["index"] == pause_at:
            print("IN-TRANSACTION", flush=True)
            sys.stdin.readline()  # never answered: the parent kills this process here

    rng = np.random.default_rng(99)
    for index in range(pause_at + 1):
        state["index"] = index
        feedback = board.submit("victim", rng.random(info["n_public"] + info["n_private"]))
        print(json.dumps({"number": feedback.number, "sha": feedback.predictions_sha256}), flush=True)
    """
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def board_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A board with eight workers, a victim and a survivor: in a SQLite file, or in a fresh PostgreSQL database."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            store = str(tmp_path / "board.sqlite")
        else:
            store = stack.enter_context(postgres_database())
        board = cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=5, daily_limit=None)
        board.add_participants([*(f"p{index}" for index in range(N_WORKERS)), "victim", "survivor"])
        board.dispose()
        yield store
        if request.param == "sqlite":  # the last writer out removed the queue's lock file, even after a SIGKILL
            assert list(tmp_path.glob("*.writer-lock")) == []


_STORED = (
    "SELECT p.name, s.number, s.predictions_sha256 FROM submissions s "
    "JOIN participants p ON p.id = s.participant_id ORDER BY s.id"
)


def stored(store: str) -> list[tuple[str, int, str]]:
    """Every stored submission, in the order stored; a SQLite file is checked for integrity first."""
    if "://" not in store:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return conn.execute(_STORED).fetchall()
    engine = sa.create_engine(store)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(_STORED).all()]  # type: ignore[misc]
    finally:
        engine.dispose()


def _submit_many(store: str, participant: str, seed: int, count: int, start: Any, out: Any) -> None:
    """One writer process: wait for the start signal, submit ``count`` predictions, report each."""
    board = cs.Leaderboard.open(store)
    info = board.info()
    rng = np.random.default_rng(seed)
    start.wait()
    reported = []
    for index in range(count):
        feedback = board.submit(
            participant, rng.random(info["n_public"] + info["n_private"]), label=f"{participant} {index}"
        )  # type: ignore[operator]
        reported.append((feedback.number, feedback.predictions_sha256))
    out.send(reported)
    out.close()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_eight_processes_submit_one_hundred_each_none_lost_none_duplicated(board_store: str) -> None:
    # Forked from this already-initialised process, so the eight spend their time
    # submitting rather than importing; each opens the board on its own.
    context = multiprocessing.get_context("fork")
    start = context.Event()
    pipes, workers = [], []
    try:
        for index in range(N_WORKERS):
            receive, send = context.Pipe(duplex=False)
            worker = context.Process(
                target=_submit_many, args=(board_store, f"p{index}", index, N_SUBMISSIONS, start, send), daemon=True
            )
            worker.start()
            send.close()
            pipes.append(receive)
            workers.append(worker)
        start.set()  # all eight submit at once
        reported = {}
        for index, (receive, worker) in enumerate(zip(pipes, workers, strict=True)):
            assert receive.poll(300), f"worker p{index} reported nothing"
            reported[f"p{index}"] = receive.recv()
            worker.join(timeout=60)
            assert worker.exitcode == 0
    finally:
        for worker in workers:  # none outlives the test, whatever failed
            if worker.is_alive():
                worker.kill()
                worker.join(timeout=60)
    rows = stored(board_store)
    assert len(rows) == N_WORKERS * N_SUBMISSIONS
    assert len({(name, number) for name, number, _ in rows}) == len(rows)  # no duplicates
    for name, feedback in reported.items():
        mine = [(number, sha) for who, number, sha in rows if who == name]
        assert [number for number, _ in mine] == list(range(1, N_SUBMISSIONS + 1))  # none lost, in order
        assert mine == feedback  # exactly what each process was told
    assert len({sha for *_, sha in rows}) == len(rows)
    standings = cs.Leaderboard.open(board_store).standings()
    assert standings.set_index("participant")["submissions"].to_dict() == {
        **{f"p{i}": N_SUBMISSIONS for i in range(N_WORKERS)},
        "victim": 0,
        "survivor": 0,
    }


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_writer_killed_inside_its_transaction_leaves_every_committed_submission(
    board_store: str, tmp_path: Path
) -> None:
    script = tmp_path / "victim.py"
    script.write_text(VICTIM)
    victim = subprocess.Popen(
        [sys.executable, str(script), board_store, "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed = []
    try:
        assert victim.stdout is not None
        lines = Lines(victim.stdout)
        while (line := lines.next(WAIT_SECONDS)) is not None and line.strip() != "IN-TRANSACTION":
            committed.append(json.loads(line))
        if line is None:
            victim.kill()
            pytest.fail(f"the victim ended before pausing: {victim.communicate(timeout=WAIT_SECONDS)[1][-3000:]}")
        # The victim holds the write lock with an uncommitted row: readers still read, and do not see it.
        board = cs.Leaderboard.open(board_store)
        assert board.standings().set_index("participant").loc["victim", "submissions"] == 3
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=WAIT_SECONDS)  # waits, and closes the pipes
    assert victim.returncode == -signal.SIGKILL
    rows = [(number, sha) for name, number, sha in stored(board_store) if name == "victim"]
    assert rows == [(item["number"], item["sha"]) for item in committed]
    # The lock died with the process: writing goes on, numbering continues.
    rng = np.random.default_rng(1)
    n_rows = board.info()["n_public"] + board.info()["n_private"]  # type: ignore[operator]
    assert board.submit("survivor", rng.random(n_rows)).number == 1
    assert board.submit("victim", rng.random(n_rows)).number == 4


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_writer_killed_at_an_arbitrary_moment_loses_nothing_it_reported(board_store: str, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    writer = subprocess.Popen(
        [sys.executable, str(script), board_store, "victim", "7", "1000"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reported = []
    try:
        assert writer.stdout is not None
        lines = Lines(writer.stdout)
        while len(reported) < 25:
            line = lines.next(WAIT_SECONDS)
            if line is None:
                writer.kill()
                pytest.fail(f"the writer ended early: {writer.communicate(timeout=WAIT_SECONDS)[1][-3000:]}")
            reported.append(json.loads(line))
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=WAIT_SECONDS)  # waits, and closes the pipes
    rows = [(number, sha) for name, number, sha in stored(board_store) if name == "victim"]
    assert len(rows) >= 25
    assert [number for number, _ in rows] == list(range(1, len(rows) + 1))
    assert rows[:25] == [(item["number"], item["sha"]) for item in reported]
    board = cs.Leaderboard.open(board_store)
    assert (
        board.submit("victim", np.full(board.info()["n_public"] + board.info()["n_private"], 0.5)).number
        == len(rows) + 1
    )  # type: ignore[operator]
