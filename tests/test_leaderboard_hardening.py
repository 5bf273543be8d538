"""What a hostile participant, a careless host and a new user broke in the leaderboard, each kept broken-proof.

Decompression bombs against a served board (its peak memory read from
``/proc``), refused uploads counted per participant, a bounded number of
uploads read at once, a full disk and a read-only store answering 503 with
nothing stored and no path named, echoed values cut short, the page's form,
framing and docs, private store files, no lock files left behind, and
participants added all at once or not at all under names that cannot be
confused.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import sqlite3
import stat
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

pytest.importorskip("fastapi")
import uvicorn
from fastapi.testclient import TestClient

import casestudies as cs
from casestudies.exceptions import InvalidParameterError, LeaderboardError, ProblemCode, SubmissionError
from casestudies.leaderboard._server import DEFAULT_MAX_PARSES, DEFAULT_MAX_REJECTIONS, _error, bind, create_app
from casestudies.leaderboard._store import Store
from casestudies.scoring import read_prediction_file
from leaderboard_support import WAIT_SECONDS, FixedClock, served_in_a_process

SCENARIO = "fraud-v1"
PARAMS = {"n_customers": 300, "n_days": 14, "fraud_intensity": 5.0}
SEED = 2_718_281_828
LINE = b"4735917771,0.5\n"  # one row of a plausible submission, repeated
MEMBER_BYTES = 10 * 1024 * 1024
PEAK_MARGIN_KB = 300 * 1024
"""The server's peak resident memory may grow by at most 300 MB while it refuses bombs.

Refusing reads in 1 MiB chunks, at most two uploads at a time; today's
code, which let pandas materialise them, peaked at 2.1 GB on the 300 KB
``.csv.gz`` alone.
"""


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make(SCENARIO, seed=SEED, **PARAMS)


@pytest.fixture(scope="module")
def empty_board(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a store holding one board and nobody yet, made once (a board takes a second to create)."""
    store = tmp_path_factory.mktemp("template") / "board.sqlite"
    cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=SEED, daily_limit=None).dispose()
    return store.read_bytes()  # disposed: every row is in the file, none in a -wal


@pytest.fixture
def board(tmp_path: Path, empty_board: bytes) -> tuple[Path, dict[str, str]]:
    store = tmp_path / "board.sqlite"
    store.write_bytes(empty_board)
    created = cs.Leaderboard.open(store)
    tokens = {name: created.add_participant(name) for name in ("ana", "bo")}
    created.dispose()
    return store, tokens


def csv_of(case: cs.Case, values: np.ndarray, ids: object = None) -> bytes:
    frame = pd.DataFrame({case.id_column: case.test[case.id_column] if ids is None else ids, "prediction": values})
    return frame.to_csv(index=False).encode()


def good_csv(case: cs.Case, seed: int = 0) -> bytes:
    return csv_of(case, np.random.default_rng(seed).random(len(case.test)))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dump(store: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}


def gzip_bomb(n_members: int) -> bytes:
    """A ``.csv.gz`` of :data:`LINE` repeated: ``n_members`` gzip members of 10 MiB each, concatenated (RFC 1952).

    Each member compresses about 500-fold, so 15 members weigh ~300 KB and inflate to 150 MiB.
    """
    member = gzip.compress(LINE * (MEMBER_BYTES // len(LINE)), compresslevel=9, mtime=0)
    return gzip.compress(b"transaction_id,prediction\n", mtime=0) + member * n_members


def parquet_bomb(n_groups: int, rows_per_group: int = 1_000_000) -> bytes:
    """A zstd Parquet file of ``n_groups`` constant row groups: ~9 KB a group, 16 bytes a row once read."""
    table = pa.table(
        {
            "transaction_id": np.full(rows_per_group, 4735917771, dtype=np.int64),
            "prediction": np.full(rows_per_group, 0.5),
        }
    )
    buffer = io.BytesIO()
    with pq.ParquetWriter(buffer, table.schema, compression="zstd") as writer:
        for _ in range(n_groups):
            writer.write_table(table)
    return buffer.getvalue()


# -- 1. decompression bombs ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_bombs_are_refused_before_they_inflate_and_the_server_stays_small(
    board: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = board
    bombs = {
        "small.csv.gz": gzip_bomb(15),  # ~300 KB -> 150 MiB of text
        "large.csv.gz": gzip_bomb(300),  # ~6 MB -> 3 GiB of text
        "groups.parquet": parquet_bomb(100),  # ~1 MB -> 100 M rows, 1.6 GB of columns
    }
    assert len(bombs["small.csv.gz"]) < 400_000 and len(bombs["groups.parquet"]) < 2_000_000
    with served_in_a_process(store) as server, httpx.Client(timeout=WAIT_SECONDS) as client:

        def send(name: str, content: bytes, token: str = tokens["ana"]) -> httpx.Response:
            return client.post(f"{server.url}/api/submissions", files={"file": (name, content)}, headers=auth(token))

        # Warm up: everything a refusal and an acceptance import and allocate is in the baseline.
        assert send("good.csv", good_csv(case), tokens["bo"]).status_code == 201
        assert send("short.csv", good_csv(case)[:5_000], tokens["bo"]).status_code == 422
        parquet = pd.read_csv(io.BytesIO(good_csv(case))).to_parquet()
        assert send("good.parquet", parquet, tokens["bo"]).status_code == 201
        idle = server.status()["VmHWM"]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=6) as pool:  # each kind, twice, all at once
            answers = list(pool.map(lambda item: send(*item), [*bombs.items(), *bombs.items()]))
        elapsed = time.monotonic() - started
        peak = server.status()["VmHWM"]
        for (name, _), answer in zip([*bombs.items(), *bombs.items()], answers, strict=True):
            assert answer.status_code == 413, (name, answer.text[:500])
            problem = answer.json()["error"]["problems"][0]
            assert problem["code"] == "TOO_LARGE" and problem["received"].startswith(f"'{name}', which holds")
        assert peak - idle < PEAK_MARGIN_KB, f"peak resident memory grew by {(peak - idle) / 1024:.0f} MB"
        assert elapsed < 60, f"refusing six bombs took {elapsed:.0f} s"
        assert send("again.csv", good_csv(case, 1)).status_code == 201  # the server is fine


def test_the_library_reads_files_within_bounds_even_by_default(tmp_path: Path, case: cs.Case) -> None:
    # 31 members of 10 MiB: 21.7 M lines, over the default 20 M rows; 21 groups of 1 M rows likewise.
    gz, parquet = tmp_path / "bomb.csv.gz", tmp_path / "bomb.parquet"
    gz.write_bytes(gzip_bomb(31))
    parquet.write_bytes(parquet_bomb(21))
    tracemalloc.start()
    try:
        for path in (gz, parquet):
            with pytest.raises(SubmissionError) as refused:
                case.score(path, baselines=False)
            assert [problem.code for problem in refused.value.problems] == [ProblemCode.TOO_LARGE]
            assert "20,000,000 rows" in refused.value.problems[0].expected
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024**2, f"refusing allocated {peak / 1024**2:.0f} MiB"  # 1 MiB chunks, not the file
    # A board reads within its test set's size: twice its rows plus 1,000, at 96 bytes a row.
    board = cs.Leaderboard.create(tmp_path / "b.sqlite", scenario=SCENARIO, params=PARAMS, seed=SEED)
    board.add_participant("ana")
    small = tmp_path / "small.csv.gz"
    small.write_bytes(gzip_bomb(1))
    with pytest.raises(SubmissionError, match=r"at most 17,702 rows, 64 columns and 1,699,392 bytes"):
        board.submit("ana", small)
    assert len(case.test) == 8_351  # 2 * 8,351 + 1,000 = 17,702 rows; 96 bytes each
    assert board.submissions().empty


def test_a_file_just_within_the_bounds_is_read(tmp_path: Path) -> None:
    rows = 1_000
    path = tmp_path / "p.csv.gz"
    path.write_bytes(gzip.compress(b"id,prediction\n" + LINE * rows))
    assert len(read_prediction_file(path, scenario_id=SCENARIO, max_rows=rows)) == rows
    with pytest.raises(SubmissionError, match="holds more than 999 rows"):
        read_prediction_file(path, scenario_id=SCENARIO, max_rows=rows - 1)
    with pytest.raises(SubmissionError, match=r"holds more than 14,999 bytes once decompressed"):
        read_prediction_file(path, scenario_id=SCENARIO, max_bytes=rows * len(LINE) - 1)
    with pytest.raises(SubmissionError, match="holds more than 1 columns"):
        read_prediction_file(path, scenario_id=SCENARIO, max_columns=1)


def test_refused_uploads_count_toward_a_limit_per_participant(
    board: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = board
    clock = FixedClock()
    before = dump(store)
    with TestClient(create_app(store, clock=clock)) as client:

        def send(content: bytes, token: str) -> int:
            response = client.post("/api/submissions", files={"file": ("p.csv", content)}, headers=auth(token))
            return response.status_code

        bad = good_csv(case)[:5_000]
        assert [send(bad, tokens["ana"]) for _ in range(DEFAULT_MAX_REJECTIONS)] == [422] * DEFAULT_MAX_REJECTIONS
        limited = client.post(
            "/api/submissions", files={"file": ("p.csv", good_csv(case))}, headers=auth(tokens["ana"])
        )
        assert limited.status_code == 429 and limited.json()["error"]["type"] == "SubmissionLimitError"
        assert "20 uploads refused in the last 60 minutes" in limited.json()["error"]["message"]
        assert "read after 13:00 UTC" in limited.json()["error"]["message"]  # an hour after the first refusal
        assert dump(store) == before
        assert send(good_csv(case), tokens["bo"]) == 201  # per participant
        clock.advance(minutes=59)
        assert send(good_csv(case), tokens["ana"]) == 429
        clock.advance(minutes=1)
        assert send(good_csv(case), tokens["ana"]) == 201


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_at_most_two_uploads_are_read_at_once(
    board: tuple[Path, dict[str, str]], case: cs.Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, tokens = board
    active, most = 0, 0
    lock = threading.Lock()
    validate = cs.Leaderboard.validate

    def slow_validate(self: cs.Leaderboard, predictions: object) -> np.ndarray:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.4)  # long enough that six uploads sent at once overlap here
            return validate(self, predictions)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(cs.Leaderboard, "validate", slow_validate)
    with live_server(store) as url, httpx.Client(timeout=WAIT_SECONDS) as client:

        def send(seed: int) -> int:
            files = {"file": ("p.csv", good_csv(case, seed))}
            return client.post(f"{url}/api/submissions", files=files, headers=auth(tokens["ana"])).status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert list(pool.map(send, range(6))) == [201] * 6
    assert most == DEFAULT_MAX_PARSES == 2


@contextlib.contextmanager
def live_server(store: Path) -> Iterator[str]:
    """Uvicorn in a thread of this process (so a test can patch what it runs)."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(store, clock=FixedClock()), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)
        sock.close()


# -- 6. storage failures and echoed values ---------------------------------------------------------------------


def test_a_full_disk_answers_503_naming_no_path_and_stores_nothing(
    board: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    # SQLite's max_page_count makes it answer SQLITE_FULL ("database or disk is full") as a full disk does,
    # through the same code path, without filling a real disk.
    store, tokens = board
    app = create_app(store)
    engine = app.state.leaderboard._store.engine

    @sa.event.listens_for(engine, "connect")
    def no_room_to_grow(dbapi_connection: sqlite3.Connection, record: object) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    with TestClient(app) as client:
        for seed in range(20):  # the first few fit in the pages' free space
            before = dump(store)
            files = {"file": ("p.csv", good_csv(case, seed))}
            response = client.post("/api/submissions", files=files, headers=auth(tokens["ana"]))
            if response.status_code != 201:
                break
        assert response.status_code == 503, response.text
        error = response.json()["error"]
        assert error["type"] == "StoreError" and "disk is full" in error["message"]
        assert "Nothing was stored" in error["message"]
        assert str(store.parent) not in response.text and "sqlite" not in response.text
    assert dump(store) == before


@pytest.mark.slow
def test_a_read_only_store_answers_503_and_stores_nothing(board: tuple[Path, dict[str, str]], case: cs.Case) -> None:
    # A real read-only folder: the server runs without root's power to ignore file modes (as any server should).
    source, tokens = board
    folder = Path(tempfile.mkdtemp(prefix="casestudies-readonly-"))
    store = folder / "board.sqlite"
    store.write_bytes(source.read_bytes())
    try:
        with served_in_a_process(store, as_unprivileged=True) as server, httpx.Client(timeout=WAIT_SECONDS) as client:
            assert client.get(f"{server.url}/api/standings").status_code == 200  # reading opened the store
            before = dump(store)
            folder.chmod(0o500)
            files = {"file": ("p.csv", good_csv(case))}
            response = client.post(f"{server.url}/api/submissions", files=files, headers=auth(tokens["ana"]))
            assert response.status_code == 503, response.text
            assert "read-only" in response.json()["error"]["message"] and str(folder) not in response.text
            assert client.get(f"{server.url}/api/standings").status_code == 200  # still readable
        assert dump(store) == before
    finally:
        folder.chmod(0o700)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def test_upload_errors_name_the_upload_not_a_server_path(board: tuple[Path, dict[str, str]], case: cs.Case) -> None:
    store, tokens = board
    with TestClient(create_app(store)) as client:
        for name, content in (
            ("garbage.parquet", b"PAR1 this is not parquet"),
            ("broken.csv.gz", b"\x1f\x8b not gzip"),
            ("empty.csv", b""),
        ):
            response = client.post("/api/submissions", files={"file": (name, content)}, headers=auth(tokens["ana"]))
            assert response.status_code == 422
            assert f"'{name}', which could not be parsed" in response.text
            assert tempfile.gettempdir() not in response.text and "casestudies-upload" not in response.text


def test_echoed_values_are_cut_to_80_characters(board: tuple[Path, dict[str, str]], case: cs.Case) -> None:
    store, tokens = board
    ids = case.test[case.id_column].astype(str).to_numpy()
    ids[0] = "1" * 5_000  # within the file's bounds: one id of 5,000 digits, first among unknown ids as text
    with TestClient(create_app(store)) as client:

        def send(content: bytes, name: str = "p.csv") -> httpx.Response:
            return client.post("/api/submissions", files={"file": (name, content)}, headers=auth(tokens["ana"]))

        long_id = send(csv_of(case, np.full(len(ids), 0.5), ids))
        assert long_id.status_code == 422 and len(long_id.content) < 3_000
        assert "11111" in long_id.text and "1" * 81 not in long_id.text and "…" in long_id.text
        huge_id = send(b"transaction_id,prediction\n" + b"7" * 15_000_000 + b",0.5\n")  # 15 MB: over the bounds
        assert huge_id.status_code == 413 and len(huge_id.content) < 3_000
        long_name = send(b"PAR1 not parquet", "n" * 300 + ".parquet")
        assert long_name.status_code == 422 and "'" + "n" * 70 in long_name.text and "n" * 81 not in long_name.text
        numbers = client.post("/api/me/selection", json={"numbers": list(range(100_000))}, headers=auth(tokens["ana"]))
        assert numbers.status_code == 400 and len(numbers.content) < 1_000
        assert "got 100000 ([0, 1, 2, ... (100000 in all)])" in numbers.json()["error"]["message"]


def test_the_server_cuts_every_echoed_value_whatever_a_message_holds() -> None:
    # The library's messages cut what they quote; the server's error bodies guarantee it for any message.
    message = f"ids e.g. ['{'x' * 15_000_000}', 'short'] and a run {'y' * 1_000} and a list {list(range(10_000))}"
    body = json.loads(_error(422, "SubmissionError", message, [{"received": message}]).body)["error"]
    for text in (body["message"], body["problems"][0]["received"]):
        assert len(text) <= 2_000 and "'short'" in text
        assert max(len(quoted) for quoted in re.findall(r"'[^']*'", text)) <= 80
        assert max(len(word) for word in re.findall(r"[^\s'\[\],]+", text)) <= 80


# -- 18. the page and the docs ---------------------------------------------------------------------------------


def test_the_page_fills_its_address_posts_its_form_and_cannot_be_framed(
    board: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = board
    with TestClient(create_app(store), base_url="http://class.example:8000") as client:
        page = client.get("/")
        assert "{this address}" not in page.text
        assert "http://class.example:8000/api/submissions" in page.text
        form = re.search(r"<form [^>]*>", page.text)
        assert form is not None and 'method="post"' in form[0] and 'action="/api/submissions"' in form[0]
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
        # What a browser without JavaScript sends: the form's own fields, as multipart.
        fields = {"token": tokens["ana"], "label": "no script"}
        posted = client.post("/api/submissions", data=fields, files={"file": ("predictions.csv", good_csv(case))})
        assert posted.status_code == 201 and posted.json()["label"] == "no script"


def test_docs_are_served_without_any_other_site(board: tuple[Path, dict[str, str]]) -> None:
    store, _ = board
    with TestClient(create_app(store)) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200 and "/openapi.json" in docs.text and 'href="/"' in docs.text
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
        assert re.findall(r"(?:src|href)=\"(?:https?:)?//", docs.text) == []  # nothing loaded from elsewhere
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").json()["paths"]


# -- 5. private files, 18. no lock files left behind -------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A common umask, which leaves new files world-readable unless they are created otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_the_store_and_the_record_are_readable_by_their_owner_only(tmp_path: Path, case: cs.Case) -> None:
    store = tmp_path / "secret.sqlite"
    board = cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=SEED)
    seen: dict[str, int] = {}

    @sa.event.listens_for(board._store.engine, "after_cursor_execute")
    def inside_a_write(conn: object, cursor: object, statement: str, *args: object) -> None:
        lock = tmp_path / "secret.sqlite.writer-lock"
        if statement.startswith("INSERT INTO participants") and lock.exists():
            seen["lock"] = mode(lock)

    board.add_participant("ana")
    assert mode(store) == 0o600
    for side in ("-wal", "-shm"):  # SQLite's own files, while the board is open
        assert mode(tmp_path / f"secret.sqlite{side}") == 0o600
    assert seen == {"lock": 0o600}
    board.submit("ana", np.full(len(case.test), 0.5))
    written = board.export_results(tmp_path / "record")
    assert mode(tmp_path / "record") == 0o700 and {mode(path) for path in written} == {0o600}
    assert list(tmp_path.glob("*.writer-lock")) == []


def test_no_writer_lock_is_left_behind(tmp_path: Path, case: cs.Case) -> None:
    store = tmp_path / "board.sqlite"
    board = cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=SEED, feedback="exact")
    for name in ("ana", "bo"):
        board.add_participant(name)
    board.submit("ana", np.full(len(case.test), 0.5))
    board.select("ana", [1])
    board.close()
    cs.PracticeLog(store).record(case.score(np.full(len(case.test), 0.5), baselines=False))
    assert sorted(path.name for path in tmp_path.iterdir() if "writer-lock" in path.name) == []


def test_writers_still_queue_when_the_lock_file_comes_and_goes(tmp_path: Path, case: cs.Case) -> None:
    store = tmp_path / "board.sqlite"
    board = cs.Leaderboard.create(store, scenario=SCENARIO, params=PARAMS, seed=SEED, daily_limit=None)
    names = [f"t{index}" for index in range(6)]
    for name in names:
        board.add_participant(name)
    values = np.random.default_rng(0).random(len(case.test))
    with ThreadPoolExecutor(max_workers=6) as pool:  # threads of one process queue on the lock file too
        numbers = list(pool.map(lambda name: [board.submit(name, values).number for _ in range(5)], names))
    assert numbers == [[1, 2, 3, 4, 5]] * 6
    assert len(board.submissions()) == 30 and list(tmp_path.glob("*.writer-lock")) == []


def test_the_writers_queue_admits_one_writer_at_a_time_though_its_file_comes_and_goes(tmp_path: Path) -> None:
    # The queue in front of SQLite's own lock: a writer that waited on a lock file its holder removed
    # must queue again on the new one, not write alongside the writer that created it.
    store = Store(tmp_path / "queue.sqlite", create=True)
    inside, most = 0, 0
    lock = threading.Lock()

    def write_once(_: int) -> None:
        nonlocal inside, most
        with store._writers_queue():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.002)
            with lock:
                inside -= 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write_once, range(200)))
    assert most == 1
    assert list(tmp_path.glob("*.writer-lock")) == []


# -- 3. participants: all at once, under names that cannot be confused -----------------------------------------


@pytest.fixture
def fresh(tmp_path: Path, empty_board: bytes) -> Iterator[cs.Leaderboard]:
    store = tmp_path / "names.sqlite"
    store.write_bytes(empty_board)
    with cs.Leaderboard.open(store) as opened:
        yield opened


def test_participants_are_added_all_or_none(fresh: cs.Leaderboard) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape("name must be 1-100 letters")):
        fresh.add_participants(["ana", "bo", "<script>"])
    with pytest.raises(InvalidParameterError, match=re.escape("got 2 that are not: ['<b>', '']")):
        fresh.add_participants(["ana", "<b>", ""])
    with pytest.raises(LeaderboardError, match=re.escape("'Ana ' reads as 'ana' (given before it)")):
        fresh.add_participants(["ana", "bo", "Ana "])
    assert fresh.participants() == []
    tokens = fresh.add_participants(["ana", "bo"])
    assert list(tokens) == ["ana", "bo"] and len(set(tokens.values())) == 2
    assert [fresh.authenticate(tokens[name]) for name in tokens] == ["ana", "bo"]
    with pytest.raises(LeaderboardError, match=re.escape("'BO' reads as 'bo' (already on the board)")):
        fresh.add_participants(["cy", "BO"])
    assert fresh.participants() == ["ana", "bo"]  # cy was not added either
    with pytest.raises(InvalidParameterError, match="names must be a list of names; got the single string 'cy'"):
        fresh.add_participants("cy")
    assert cs.Leaderboard.check_names(["cy", "dee"]) == ["cy", "dee"]
    with pytest.raises(LeaderboardError, match="names on a leaderboard must differ"):
        cs.Leaderboard.check_names(["cy", "CY"])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ana", "Ana"),  # case
        ("ana", "ana "),  # a trailing space
        ("ana maría", "ana  maría"),  # a run of spaces
        ("straße", "STRASSE"),  # case folding, not just lowering
        ("bo", "ｂｏ"),  # full-width letters (NFKC)
        ("ana", "\u0430na"),  # a Cyrillic а
        ("ocean", "\u043e\u0441\u0435\u0430n"),  # Cyrillic о, с, е, а
        ("kiwi", "\u03ba\u03b9wi"),  # Greek κ, ι
        ("NINA", "\u039dINA"),  # a Greek capital Ν
        ("pax", "\u0440\u0430\u0445"),  # Cyrillic р, а, х
    ],
)
def test_names_that_read_alike_are_refused(fresh: cs.Leaderboard, first: str, second: str) -> None:
    fresh.add_participant(first)
    with pytest.raises(LeaderboardError, match=re.escape(f"reads as {first!r} (already on the board)")):
        fresh.add_participant(second)
    assert fresh.participants() == [first]


def test_names_that_only_look_close_are_distinct(fresh: cs.Leaderboard) -> None:
    # ν (Greek nu) looks like v, so κινo reads as "kivo", not "kino"; á is another letter than a.
    names = ["ana", "anna", "ána", "ana2", "an a", "ana.b", "Ἀνα", "kino", "\u03ba\u03b9\u03bdo"]
    for name in names:
        fresh.add_participant(name)
    assert fresh.participants() == names  # stored as given, not normalised


@pytest.mark.parametrize("url", ["://nothing", "postgresql://ann:s3cret@host:notaport/db"])
def test_a_store_url_that_cannot_be_parsed_is_a_store_error_without_its_password(url: str) -> None:
    with pytest.raises(cs.exceptions.StoreError, match="cannot be parsed") as refused:
        cs.Leaderboard.open(url)
    assert "s3cret" not in str(refused.value)
