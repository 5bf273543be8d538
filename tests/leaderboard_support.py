"""Shared by the leaderboard's tests: a fixed clock, a served board in its own process, lines read with a
deadline, and the PostgreSQL server the store's tests run against (``.ci/postgres.sh`` starts one)."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import importlib.util
import json
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa

POSTGRES_VARIABLE = "CASESTUDIES_TEST_POSTGRES_URL"
POSTGRES_HOW = (
    f"set {POSTGRES_VARIABLE} to a server this test may create databases on, or start a throwaway one "
    "with `source .ci/postgres.sh` (installs PostgreSQL 15 from Debian when missing; "
    "`bash .ci/postgres.sh stop` stops it)"
)
WAIT_SECONDS = 120.0
"""The longest any test here waits for a process to say something: far above the slowest start seen (~5 s)."""

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


class FixedClock:
    """A clock that says what it is told: the daily limit's UTC day never turns over mid-test."""

    def __init__(self, now: dt.datetime = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class Lines:
    """The lines a process writes, read by a thread, so that waiting for one has a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def next(self, timeout: float = WAIT_SECONDS) -> str | None:
        """The next line; None when the stream ended. Fails the test after ``timeout`` seconds of silence."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no line from the process in {timeout:.0f} s")


def postgres_url() -> str:
    """The PostgreSQL server's URL; the test is skipped without one (and fails under CI=true, which must run it)."""
    url = os.environ.get(POSTGRES_VARIABLE, "")
    missing = "" if url else f"no PostgreSQL server for the store's tests: {POSTGRES_HOW}"
    if url and importlib.util.find_spec("psycopg") is None:  # the driver of URLs like postgresql+psycopg://
        missing = "the PostgreSQL tests need the psycopg driver: pip install 'psycopg[binary]'"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    return url


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards), as a SQLAlchemy URL."""
    url = postgres_url()
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"casestudies_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


def _without_file_overrides() -> None:
    """In the child, before exec: drop root's power to ignore file modes, so a read-only folder is read-only."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@dataclass
class Served:
    """A leaderboard served by ``casestudies.leaderboard.serve`` in a process of its own."""

    url: str
    process: subprocess.Popen[str]

    def status(self) -> dict[str, int]:
        """The process's memory figures from ``/proc/<pid>/status``, in kB (``VmHWM``: its peak resident size)."""
        figures = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                figures[key] = int(value.split()[0])
        return figures


@contextlib.contextmanager
def served_in_a_process(store: Path, *, as_unprivileged: bool = False, **options: Any) -> Iterator[Served]:
    """Serve ``store`` on 127.0.0.1 in a child process; stop it (SIGKILL) when done.

    ``as_unprivileged``: as root, the child runs without the power to override
    file modes (what any non-root server runs with).
    """
    script = (
        "import sys, json; from casestudies.leaderboard import serve; "
        "serve(sys.argv[1], port=0, announce=lambda text: print(text, flush=True), **json.loads(sys.argv[2]))"
    )
    preexec = _without_file_overrides if as_unprivileged and os.geteuid() == 0 else None
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a chatty server never blocks on it
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(store), json.dumps(options)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            preexec_fn=preexec,  # only prctl, safe between fork and exec
        )
        try:
            assert process.stdout is not None
            line = Lines(process.stdout).next()
            if not line or " on http://" not in line:
                process.kill()
                process.wait(timeout=WAIT_SECONDS)
                log.seek(0)
                pytest.fail(f"the server did not start: {line!r}\n{log.read()[-3000:]}")
            url = line.split(" on ", 1)[1].split()[0].rstrip("/")
            yield Served(url, process)
        finally:
            process.kill()
            process.wait(timeout=WAIT_SECONDS)
