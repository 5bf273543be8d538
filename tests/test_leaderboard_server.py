"""The leaderboard over HTTP: the JSON API, its errors and limits, curl, and the page in a real headless browser.

The server runs on a fixed clock, so the daily limit's UTC day cannot turn
over mid-test; every wait (a thread, a process, the browser) has a deadline.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
import uvicorn
from fastapi.testclient import TestClient

import casestudies as cs
from casestudies.leaderboard._server import bind, create_app
from leaderboard_support import WAIT_SECONDS, FixedClock

SCENARIO = "fraud-v1"
PARAMS = {"n_customers": 300, "n_days": 14, "fraud_intensity": 5.0}
SEED = 2_718_281_828
LIMIT = 400_000
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CLOCK = FixedClock()


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make(SCENARIO, seed=SEED, **PARAMS)


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    store = tmp_path / "board.sqlite"
    board = cs.Leaderboard.create(
        store, scenario=SCENARIO, params=PARAMS, seed=SEED, daily_limit=3, name="spring class"
    )
    tokens = {name: board.add_participant(name) for name in ("ana", "bo")}
    board.dispose()
    return store, tokens


@pytest.fixture
def client(served: tuple[Path, dict[str, str]]) -> Iterator[TestClient]:
    store, _ = served
    with TestClient(create_app(store, max_upload_bytes=LIMIT, clock=CLOCK)) as test_client:
        yield test_client


def csv_of(case: cs.Case, values: np.ndarray) -> bytes:
    frame = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": values})
    return frame.to_csv(index=False, float_format="%.5g").encode()


def good_csv(case: cs.Case, seed: int = 0) -> bytes:
    return csv_of(case, np.random.default_rng(seed).random(len(case.test)))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dump(store: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}


# -- the API -------------------------------------------------------------------------


def test_submit_with_a_bearer_token_or_a_form_token(
    client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    _, tokens = served
    response = client.post(
        "/api/submissions",
        files={"file": ("p.csv", good_csv(case))},
        data={"label": "random"},
        headers=auth(tokens["ana"]),
    )
    assert response.status_code == 201, response.text
    feedback = response.json()
    assert (feedback["participant"], feedback["number"], feedback["label"], feedback["improved"]) == (
        "ana",
        1,
        "random",
        True,
    )
    assert feedback["remaining_today"] == 2 and feedback["message"].startswith("Submission 1: public average precision")
    response = client.post(
        "/api/submissions", files={"file": ("p.csv", good_csv(case, 1))}, data={"token": tokens["bo"]}
    )
    assert response.status_code == 201 and response.json()["participant"] == "bo"
    parquet = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": 0.5}).to_parquet(index=False)
    response = client.post("/api/submissions", files={"file": ("p.parquet", parquet)}, headers=auth(tokens["bo"]))
    assert response.status_code == 201 and response.json()["number"] == 2
    standings = client.get("/api/standings").json()
    assert [row["participant"] for row in standings["public"]] and standings["private"] is None
    assert {row["participant"]: row["submissions"] for row in standings["public"]} == {"ana": 1, "bo": 2}


def test_invalid_files_get_the_librarys_problems_as_json_and_change_nothing(
    client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = served
    before = dump(store)
    ids = case.test[case.id_column]
    values = np.random.default_rng(3).random(len(case.test))
    bad = {
        "missing.csv": csv_of(case, values)[: len(csv_of(case, values)) // 2].rsplit(b"\n", 1)[0] + b"\n",
        "nan.csv": csv_of(case, np.where(np.arange(len(values)) < 3, np.nan, values)),
        "infinite.csv": csv_of(case, np.where(np.arange(len(values)) < 2, np.inf, values)),
        "columns.csv": pd.DataFrame({"id": ids, "score": values}).to_csv(index=False).encode(),
        "text.csv": pd.DataFrame({"id": ids, "prediction": "high"}).to_csv(index=False).encode(),
        "garbage.parquet": b"PAR1 this is not parquet",
        "predictions.xlsx": b"x",
    }
    for name, content in bad.items():
        response = client.post("/api/submissions", files={"file": (name, content)}, headers=auth(tokens["ana"]))
        assert response.status_code == 422, name
        error = response.json()["error"]
        assert error["type"] == "SubmissionError"
        suffix = "".join(Path(name).suffixes)
        path = store.parent / f"same{suffix}"
        path.write_bytes(content)
        with pytest.raises(cs.exceptions.SubmissionError) as library:
            case.score(path, baselines=False)
        expected = [problem.to_dict() for problem in library.value.problems]
        assert [(p["code"], p["expected"]) for p in error["problems"]] == [
            (p["code"], p["expected"]) for p in expected
        ], name
    assert dump(store) == before


def test_upload_limit_refuses_large_bodies_before_parsing(
    client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = served
    before = dump(store)
    big = good_csv(case) * (LIMIT // len(good_csv(case)) + 1)
    assert len(big) > LIMIT
    declared = client.post("/api/submissions", files={"file": ("p.csv", big)}, headers=auth(tokens["ana"]))
    assert declared.status_code == 413
    problem = declared.json()["error"]["problems"][0]
    assert problem["code"] == "TOO_LARGE" and problem["expected"] == f"an upload of at most {LIMIT:,} bytes"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(LIMIT // 10_000 + 1):
            yield b"x" * 10_000

    streamed = client.post(
        "/api/submissions",
        content=chunks(),
        headers={**auth(tokens["ana"]), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413 and streamed.json()["error"]["problems"][0]["code"] == "TOO_LARGE"
    assert dump(store) == before


def test_tokens_limits_and_closing_give_clear_json_errors(
    client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case
) -> None:
    store, tokens = served
    for headers in ({}, auth("not-a-token"), {"Authorization": "Basic abc"}):
        response = client.post("/api/submissions", files={"file": ("p.csv", good_csv(case))}, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["type"] == "InvalidTokenError" and response.json()["error"]["problems"] == []
    missing = client.post("/api/submissions", headers=auth(tokens["ana"]))
    assert missing.status_code == 422 and "field named 'file'" in missing.json()["error"]["problems"][0]["hint"]
    for seed in range(3):
        assert (
            client.post(
                "/api/submissions", files={"file": ("p.csv", good_csv(case, seed))}, headers=auth(tokens["ana"])
            ).status_code
            == 201
        )
    before = dump(store)
    limited = client.post("/api/submissions", files={"file": ("p.csv", good_csv(case, 9))}, headers=auth(tokens["ana"]))
    assert limited.status_code == 429 and limited.json()["error"]["type"] == "SubmissionLimitError"
    assert dump(store) == before
    cs.Leaderboard.open(store).close()
    closed = client.post("/api/submissions", files={"file": ("p.csv", good_csv(case, 9))}, headers=auth(tokens["bo"]))
    assert closed.status_code == 409 and closed.json()["error"]["type"] == "LeaderboardClosedError"
    standings = client.get("/api/standings").json()
    assert standings["closed"] and standings["private"][0]["participant"] == "ana"
    assert client.get("/api/nothing-here").json()["error"]["type"] == "HTTPError"


def test_own_history_and_selection(client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case) -> None:
    _, tokens = served
    for seed in range(2):
        client.post("/api/submissions", files={"file": ("p.csv", good_csv(case, seed))}, headers=auth(tokens["ana"]))
    mine = client.get("/api/me/submissions", headers=auth(tokens["ana"])).json()
    assert mine["participant"] == "ana" and [row["number"] for row in mine["submissions"]] == [1, 2]
    assert set(mine["submissions"][0]) == {
        "number",
        "received_at",
        "label",
        "score",
        "best",
        "improved",
        "predictions_sha256",
        "selected",
    }
    assert client.get("/api/me/submissions", headers=auth(tokens["bo"])).json()["submissions"] == []
    chosen = client.post("/api/me/selection", json={"numbers": [2]}, headers=auth(tokens["ana"]))
    assert chosen.status_code == 200 and chosen.json() == {"participant": "ana", "selected": [2]}
    wrong = client.post("/api/me/selection", json={"numbers": [5]}, headers=auth(tokens["ana"]))
    assert wrong.status_code == 400 and "no submissions numbered [5]" in wrong.json()["error"]["message"]


def test_nothing_secret_is_reachable(client: TestClient, served: tuple[Path, dict[str, str]], case: cs.Case) -> None:
    _, tokens = served
    client.post("/api/submissions", files={"file": ("p.csv", good_csv(case))}, headers=auth(tokens["ana"]))
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/board",
        "/api/standings",
        "/api/submissions",
        "/api/me/submissions",
        "/api/me/selection",
    }
    assert spec["paths"]["/api/submissions"]["post"]["responses"]["422"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/ErrorModel")
    texts = [client.get(path).text for path in ("/", "/api/board", "/api/standings", "/openapi.json", "/app.js")]
    texts.append(client.get("/api/me/submissions", headers=auth(tokens["ana"])).text)
    labels = "".join(map(str, case.reveal()[case.target].to_numpy()))
    for text in texts:
        assert str(SEED) not in text
        assert labels[:200] not in text
        assert "private_score" not in text and "public_score" not in text
    for path in (
        "/api/holdout",
        "/api/labels",
        "/api/seed",
        "/api/submissions/1",
        "/api/participants",
        "/data/labels.csv",
    ):
        assert client.get(path).status_code in (404, 405), path


def test_page_is_built_for_phones_and_escapes_names(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "spring class" in page.text and "<td>ana</td>" in page.text


# -- a real server: curl and the CLI ---------------------------------------------------------------


@contextlib.contextmanager
def live_server(store: Path) -> Iterator[str]:
    """Uvicorn in a thread on a socket that listens before the thread starts (no waiting for it)."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(
        uvicorn.Config(create_app(store, max_upload_bytes=LIMIT, clock=CLOCK), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)
        assert not thread.is_alive(), "the server thread did not stop"
        sock.close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_submit_with_curl(served: tuple[Path, dict[str, str]], case: cs.Case, tmp_path: Path) -> None:
    store, tokens = served
    path = tmp_path / "predictions.csv"
    path.write_bytes(good_csv(case))
    with live_server(store) as url:
        command = [
            "curl",
            "-sS",
            "--max-time",
            "60",
            "-H",
            f"Authorization: Bearer {tokens['bo']}",
            "-F",
            f"file=@{path}",
            f"{url}/api/submissions",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)
        assert json.loads(done.stdout)["participant"] == "bo"
        refused = subprocess.run(
            [*command[:5], "Authorization: Bearer wrong", *command[6:]],
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
        assert json.loads(refused.stdout)["error"]["type"] == "InvalidTokenError"


# -- the page in a real headless browser ----------------------------------------------------------


@pytest.fixture(params=[True], ids=["javascript"])
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium on a phone-sized window; ``request.param``: whether pages may run scripts."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    webdriver: Any = None
    try:
        from selenium import webdriver
    except ImportError:
        missing.append("the selenium package")
    if missing:
        message = (
            f"the browser test needs {missing} (Debian: apt-get install chromium chromium-driver; pip install selenium)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert webdriver is not None
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    flags = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-quic",
    ]
    flags += [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]  # nothing leaves the machine
    flags += [f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=390,844"]
    if not request.param:
        flags.append("--blink-settings=scriptEnabled=false")
    for flag in flags:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_page_in_a_headless_browser_on_a_phone_sized_screen(
    browser: Any, served: tuple[Path, dict[str, str]], case: cs.Case, tmp_path: Path
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    store, tokens = served
    good = tmp_path / "predictions.csv"
    good.write_bytes(good_csv(case))
    partial = tmp_path / "partial.csv"
    partial.write_bytes(b"\n".join(good_csv(case).splitlines()[:-10]) + b"\n")
    with live_server(store) as url:
        # A phone: 390 x 844 CSS pixels, touch, mobile viewport rules.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
        )
        driver.get(url + "/")
        find = driver.find_element
        assert find(By.TAG_NAME, "h1").text == "spring class"
        rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "#standings tbody tr")]
        assert any(row.startswith("ana") or " ana " in f" {row} " for row in rows)
        # Readable on a phone: nothing wider than the screen.
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert driver.execute_script("return window.innerWidth") == 390
        assert driver.execute_script(
            "const box = document.querySelector('.scroll'); return box.scrollWidth <= box.clientWidth"
        )
        assert driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)") >= 14

        def submit(token: str, path: Path, label: str) -> tuple[str, str]:
            for field in ("token", "label"):
                find(By.ID, field).clear()
            find(By.ID, "token").send_keys(token)
            find(By.ID, "file").send_keys(str(path))
            find(By.ID, "label").send_keys(label)
            driver.execute_script("document.getElementById('result').textContent = ''")
            find(By.ID, "send").click()
            WebDriverWait(driver, 60).until(
                lambda d: d.find_element(By.ID, "result").get_attribute("class") in ("ok", "error")
            )
            result = find(By.ID, "result")
            return result.get_attribute("class"), result.text

        kind, text = submit(tokens["ana"], partial, "partial")
        assert kind == "error" and "[MISSING_IDS]" in text and "Predict on every row" in text
        kind, text = submit("wrong-token", good, "x")
        assert kind == "error" and "belongs to no participant" in text
        kind, text = submit(tokens["ana"], good, "random scores")
        assert kind == "ok" and text.startswith("Submission 1: public average precision")

        def ana_has_one_submission(d: Any) -> bool:
            rows = [
                row.find_elements(By.TAG_NAME, "td") for row in d.find_elements(By.CSS_SELECTOR, "#standings tbody tr")
            ]
            return any(len(cells) == 5 and cells[1].text == "ana" and cells[3].text == "1" for cells in rows)

        # The page re-renders the table as it refreshes; a row read mid-refresh is stale, so read again.
        WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,)).until(ana_has_one_submission)
        driver.save_screenshot(str(tmp_path / "leaderboard-phone.png"))
    assert (tmp_path / "leaderboard-phone.png").stat().st_size > 1000
    history = cs.Leaderboard.open(store).history("ana")
    assert history["label"].tolist() == ["random scores"]  # the two refused uploads stored nothing


@pytest.mark.parametrize("browser", [False], ids=["no-javascript"], indirect=True)
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_without_javascript_the_form_posts_and_no_token_reaches_a_url(
    browser: Any, served: tuple[Path, dict[str, str]], case: cs.Case, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    store, tokens = served
    good = tmp_path / "predictions.csv"
    good.write_bytes(good_csv(case))
    with live_server(store) as url:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(url + "/")  # the page's script does not run: the form must work on its own
        driver.find_element(By.ID, "token").send_keys(tokens["bo"])
        driver.find_element(By.ID, "file").send_keys(str(good))
        driver.find_element(By.ID, "label").send_keys("no script")
        driver.find_element(By.ID, "send").click()
        WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.current_url != url + "/")
        assert driver.current_url == url + "/api/submissions"  # posted: nothing of the form in the address
        assert tokens["bo"] not in driver.current_url
        answer = json.loads(driver.find_element(By.TAG_NAME, "body").text)
        assert (answer["participant"], answer["label"], answer["number"]) == ("bo", "no script", 1)
    assert cs.Leaderboard.open(store).history("bo")["label"].tolist() == ["no script"]
