"""The leaderboard server's edges: an unexpected error, the ``server`` extra missing, ``serve --host``.

The board is the test suite's logistic toy (fast to create). Commands run as
users run them: the installed ``casestudies`` script in its own process,
with every wait bounded.
"""

from __future__ import annotations

import importlib
import json
import re
import selectors
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

import casestudies as cs
import casestudies.leaderboard as lb
from _tools import clean_environment, installed_script
from casestudies.cli._main import main
from casestudies.leaderboard import create_app

TOY = "plugin-toy-v1"
SEED = 17
WAIT_SECONDS = 60.0  # the longest any test waits for a server to start or answer

UNASSIGNED = "192.0.2.1"
"""TEST-NET-1 (RFC 5737): never an address of this machine, so a server asked to listen there fails at once."""

SECRET_PATH = "/srv/boards/spring-secret.sqlite"
"""What an unexpected error's text may hold (a path, a query): it must never reach the participant."""


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    store = tmp_path_factory.mktemp("server") / "board.sqlite"
    created = cs.Leaderboard.create(
        store, scenario=TOY, params={"n_rows": 2000}, seed=SEED, feedback="exact", daily_limit=None, name="spring"
    )
    with created:
        tokens = {name: created.add_participant(name) for name in ("ana", "bo")}
    return store, tokens


def _predictions_csv() -> bytes:
    case = cs.make(TOY, seed=SEED, n_rows=2000)
    truth = case.reveal()
    frame = pd.DataFrame({case.id_column: truth[case.id_column], "prediction": truth["probability"]})
    return frame.to_csv(index=False).encode()


def _fail(*args: object, **kwargs: object) -> object:
    raise RuntimeError(f"database file {SECRET_PATH} is malformed")


# -- the 500 handler ---------------------------------------------------------------------------------------------------

INTERNAL_ERROR = {
    "error": {
        "type": "InternalError",
        "message": "the server failed on this request (RuntimeError); the host can find it in the server's log.",
        "problems": [],
    }
}


@pytest.mark.parametrize("route", ["standings", "submit", "page"])
def test_unexpected_error_is_a_json_500_without_details(
    board: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    store, tokens = board
    app = create_app(store)
    with TestClient(app, raise_server_exceptions=False) as client:
        if route == "standings":
            monkeypatch.setattr(cs.Leaderboard, "standings", _fail)
            response = client.get("/api/standings")
        elif route == "submit":
            monkeypatch.setattr(cs.Leaderboard, "submit", _fail)
            response = client.post(
                "/api/submissions",
                files={"file": ("p.csv", _predictions_csv())},
                headers={"Authorization": f"Bearer {tokens['ana']}"},
            )
        else:
            monkeypatch.setattr(cs.Leaderboard, "standings", _fail)
            response = client.get("/")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        assert response.json() == INTERNAL_ERROR
        for leak in (SECRET_PATH, "malformed", "Traceback", str(store), 'File "'):
            assert leak not in response.text
        monkeypatch.undo()
        assert client.get("/api/standings").status_code == 200  # the server keeps serving


def test_unexpected_error_still_reaches_the_server(
    board: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler answers the participant and lets the error through to the server, which logs it for the host.
    monkeypatch.setattr(cs.Leaderboard, "standings", _fail)
    with TestClient(create_app(board[0])) as client, pytest.raises(RuntimeError, match=re.escape(SECRET_PATH)):
        client.get("/api/standings")


SERVE_FAILING = """
import sys
import casestudies as cs
from casestudies.cli._main import main

def fail(*args, **kwargs):
    raise RuntimeError("database file {path} is malformed")

cs.Leaderboard.standings = fail
raise SystemExit(main(sys.argv[1:]))
"""


def _announced(process: subprocess.Popen[str], timeout: float = WAIT_SECONDS) -> str:
    """The first line the server prints (its address), waiting at most ``timeout`` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            _, err = process.communicate(timeout=WAIT_SECONDS)
            pytest.fail(f"the server announced nothing in {timeout:.0f} s; stderr: {err!r}")
    return process.stdout.readline()


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.terminate()
    try:
        return process.communicate(timeout=WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=WAIT_SECONDS)


@pytest.mark.slow
def test_served_board_logs_the_unexpected_error_for_the_host(board: tuple[Path, dict[str, str]]) -> None:
    store, _ = board
    command = [
        sys.executable,
        "-c",
        SERVE_FAILING.format(path=SECRET_PATH),
        "leaderboard",
        "serve",
        "--store",
        str(store),
        "--port",
        "0",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_environment()
    )
    try:
        match = re.search(r"on (http://127\.0\.0\.1:\d+)/", _announced(process))
        assert match, "no address announced"
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{match.group(1)}/api/standings", timeout=WAIT_SECONDS)
        assert caught.value.code == 500
        assert json.loads(caught.value.read()) == INTERNAL_ERROR
    finally:
        _, err = _stop(process)
    assert "Traceback" in err and f"RuntimeError: database file {SECRET_PATH} is malformed" in err  # in the log


# -- without the server extra ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_fastapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose Python cannot import FastAPI, as after ``pip install .`` without ``[server]``."""
    folder = tmp_path_factory.mktemp("no-server-extra")
    (folder / "sitecustomize.py").write_text("import sys\n\nsys.modules['fastapi'] = None  # not installed\n")
    return clean_environment(PYTHONPATH=str(folder))


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=WAIT_SECONDS * 2, check=False)


@pytest.mark.slow
def test_serve_without_the_server_extra_says_what_to_install(
    board: tuple[Path, dict[str, str]], no_fastapi: dict[str, str]
) -> None:
    store, _ = board
    command = [installed_script(), "leaderboard", "serve", "--store", str(store), "--host", UNASSIGNED]
    done = _run(command, no_fastapi)
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert done.stderr.startswith("error: the leaderboard server needs the 'server' extra: pip install "), done.stderr
    assert "[server]" in done.stderr and "Traceback" not in done.stderr
    # Only the server needs the extra: the host's other commands still work.
    shown = _run([installed_script(), "leaderboard", "show", "--store", str(store)], no_fastapi)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("spring — public standings by average_precision")


@pytest.mark.slow
def test_the_server_module_without_its_extra_raises_import_error(no_fastapi: dict[str, str]) -> None:
    code = "import casestudies.leaderboard as lb\ntry:\n    lb.create_app\nexcept ImportError as err:\n    print(err)\n"
    done = _run([sys.executable, "-c", code], no_fastapi)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("the leaderboard server needs the 'server' extra: pip install "), done.stdout


def test_serve_without_the_server_extra_exits_2_in_process(
    board: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The quick twin of the test above: FastAPI made unimportable in this process, the server's modules unloaded.
    modules = ("casestudies.leaderboard._server", "casestudies.cli._run_serve")
    for module in modules:
        importlib.import_module(module)  # loaded now, so that the loaded modules are what teardown puts back
    for module in modules:
        monkeypatch.delitem(sys.modules, module)
    for name in ("serve", "create_app"):  # the package keeps what it loaded on first use
        if name in vars(lb):
            monkeypatch.delattr(lb, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)  # type: ignore[arg-type]
    # An address this machine does not have: were the extra not missing, binding would fail at once, not serve.
    code = main(["leaderboard", "serve", "--store", str(board[0]), "--host", UNASSIGNED, "--port", "0"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("error: the leaderboard server needs the 'server' extra: pip install "), captured.err
    assert captured.err.count("\n") == 1  # one line, no traceback
    monkeypatch.undo()
    assert main(["leaderboard", "show", "--store", str(board[0])]) == 0  # this process's server code is back
    assert callable(importlib.import_module("casestudies.cli._run_serve").serve_board)


def _readme_server_install() -> str:
    """The command the README gives for the server extra."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`(pip install [^`]*\[server\][^`]*)`", readme)
    assert match, "the README no longer says how to install the server extra"
    return match.group(1)


@pytest.mark.slow
def test_serve_without_the_server_extra_gives_the_readme_command(
    board: tuple[Path, dict[str, str]], no_fastapi: dict[str, str]
) -> None:
    command = [installed_script(), "leaderboard", "serve", "--store", str(board[0]), "--host", UNASSIGNED]
    done = _run(command, no_fastapi)
    assert done.returncode == 2
    assert _readme_server_install() in done.stderr, done.stderr


# -- serve --host ------------------------------------------------------------------------------------------------------

OTHER_LOOPBACK = "127.0.0.2"
"""A loopback address other than the default 127.0.0.1 (Linux routes all of 127.0.0.0/8 to the loopback)."""


def _can_bind(host: str) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, 0))
        except OSError:
            return False
    return True


@pytest.fixture
def served_on_other_loopback(board: tuple[Path, dict[str, str]]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    if not _can_bind(OTHER_LOOPBACK):
        pytest.skip(f"this system cannot listen on {OTHER_LOOPBACK} (only Linux routes all of 127/8 to loopback)")
    command = [installed_script(), "leaderboard", "serve", "--store", str(board[0]), "--host", OTHER_LOOPBACK]
    process = subprocess.Popen(
        [*command, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_environment()
    )
    try:
        yield _announced(process), process
    finally:
        _stop(process)


@pytest.mark.slow
def test_serve_listens_on_the_host_it_is_given(served_on_other_loopback: tuple[str, subprocess.Popen[str]]) -> None:
    line, _ = served_on_other_loopback
    match = re.fullmatch(r"serving leaderboard 'spring' on http://127\.0\.0\.2:(\d+)/  \(Ctrl-C to stop\)\n", line)
    assert match, line
    port = int(match.group(1))
    with urllib.request.urlopen(f"http://{OTHER_LOOPBACK}:{port}/api/board", timeout=WAIT_SECONDS) as response:
        assert json.loads(response.read())["name"] == "spring"
    with pytest.raises(ConnectionRefusedError):  # nothing listens on the default host's port
        socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS).close()


@pytest.mark.slow
def test_serve_on_an_address_it_does_not_have_names_it(board: tuple[Path, dict[str, str]]) -> None:
    command = [installed_script(), "leaderboard", "serve", "--store", str(board[0]), "--host", UNASSIGNED]
    done = _run([*command, "--port", "0"], clean_environment())
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert UNASSIGNED in done.stderr and "--host" in done.stderr, done.stderr


def test_predictions_of_the_toy_board_score_as_submitted(board: tuple[Path, dict[str, str]]) -> None:
    # The submit route the 500 test patches works unpatched, with the same file: the 500 is the patch's doing.
    store, tokens = board
    with TestClient(create_app(store)) as client:
        response = client.post(
            "/api/submissions",
            files={"file": ("p.csv", _predictions_csv())},
            headers={"Authorization": f"Bearer {tokens['bo']}"},
        )
    assert response.status_code == 201, response.text
    case = cs.make(TOY, seed=SEED, n_rows=2000)
    truth = case.reveal()
    public = (truth["part"] == "public").to_numpy()
    expected = _average_precision(truth[case.target].to_numpy()[public], truth["probability"].to_numpy()[public])
    assert response.json()["score"] == round(expected, 5)


def _average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision written out: the mean, over positives, of the precision at each positive's rank."""
    order = np.argsort(-scores, kind="stable")
    hits = labels[order] == 1
    assert len(np.unique(scores)) == len(scores)  # no ties: the plain formula applies
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())
