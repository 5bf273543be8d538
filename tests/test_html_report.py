"""Every report kind as one standalone HTML page, opened in headless Chromium (Debian's package).

Each page must need nothing from elsewhere (no URL in the file, no request
made while it loads), show every figure as an inline SVG with a title, log
no console error and fit a 390 px phone screen without sideways scrolling.
Screenshots at 390 px and 1280 px are kept in ``tests/artifacts/`` (ignored
by git) for a person to look at.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _tools import installed_script, require_module
from figure_cases import FRAUD_SMALL, KINDS, report

pytestmark = pytest.mark.slow  # a browser and four reports: tens of seconds on 2 cores

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = (390, 1280)
"""A phone (iPhone 12-15 CSS width) and a laptop."""

_URL = re.compile(r"\b(?:https?:|ftp:|file:)?//[\w.-]+", re.IGNORECASE)
_SVG = re.compile(r"<svg\b[^>]*>(.*?)</svg>", re.DOTALL)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium that keeps its console log, with nothing leaving the machine.

    Scrollbars are shown, as in a desktop browser narrowed to a phone's width: they take room from the page.
    """
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    if missing:
        message = f"the browser test needs {missing} (Debian: apt-get install chromium chromium-driver)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    webdriver = require_module("selenium.webdriver", 'python -m pip install ".[test]"')
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _check_file(page: str, n_figures: int) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not _URL.findall(page), f"external references in the page: {sorted(set(_URL.findall(page)))[:5]}"
    assert "<img" not in page and "<link" not in page and "@import" not in page
    svgs = _SVG.findall(page)
    assert len(svgs) == n_figures
    for body in svgs:
        assert re.match(r"<title>[^<]{10,}</title>", body), body[:120]


@pytest.mark.parametrize("kind", KINDS)
def test_report_page_in_a_headless_browser(browser: Any, kind: str) -> None:
    result = report(kind)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"report-{kind}.html"
    page = result.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    specs = result.figure_specs()
    _check_file(page, len(specs))
    for width in WIDTHS:
        browser.set_window_size(width, 900)
        browser.get(path.resolve().as_uri())
        state = browser.execute_script(
            "return {svgs: Array.from(document.querySelectorAll('figure > svg')).map("
            "  s => [s.querySelector('title') && s.querySelector('title').textContent, s.getBoundingClientRect().width,"
            "        s.parentElement.getBoundingClientRect().width]),"
            " requests: performance.getEntriesByType('resource').map(e => e.name),"
            " scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,"
            " height: document.documentElement.scrollHeight}"
        )
        assert state["requests"] == []  # nothing fetched: the page is whole
        shown = [title for title, _, _ in state["svgs"]]  # key figures first, beside the findings
        assert shown == [spec.title for spec in specs if spec.key] + [spec.title for spec in specs if not spec.key]
        for _, drawn, column in state["svgs"]:
            assert 0 < drawn <= column + 0.5  # every figure scales into its column
        assert state["scrollWidth"] <= state["clientWidth"], f"{kind} scrolls sideways at {width} px"
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, errors
        browser.set_window_size(width, min(int(state["height"]) + 120, 16_000))
        shot = ARTIFACTS / f"report-{kind}-{width}px.png"
        assert browser.save_screenshot(str(shot))
        print(f"screenshot: {shot}")


def test_evaluate_writes_the_page_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    params = [arg for key, value in FRAUD_SMALL.items() for arg in ("--param", f"{key}={value}")]
    command = [installed_script(), "evaluate", "fraud-v1", "--pipeline", "simple", "--seed", "1", *params]
    done = subprocess.run(
        [*command, "--json", "--html", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("{")  # --json output stays pure JSON; the note goes to stderr
    assert f"wrote {out}" in done.stderr
    page = out.read_text(encoding="utf-8")
    _check_file(page, page.count("<figure"))
    assert "<title>Your ranking" in page and "alert budget" in page


def test_leaderboard_page_shows_progress_and_fits_a_phone(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np
    import pandas as pd

    import casestudies as cs
    from casestudies.leaderboard import _page
    from casestudies.leaderboard._page import page
    from casestudies.scenarios.fraud import expert_pipeline

    board = cs.Leaderboard.create(
        tmp_path / "lb.sqlite", scenario="fraud-v1", name="spring", params=FRAUD_SMALL, feedback="exact", seed=1
    )
    long_name = "a-participant-with-a-very-long-name-that-has-no-spaces"
    board.add_participants(["ana", long_name])
    case = cs.make("fraud-v1", seed=1, **FRAUD_SMALL)
    rng = np.random.default_rng(0)
    truth = case.reveal()["probability"].to_numpy()
    for who, n_submissions in (("ana", 3), (long_name, 2)):
        for number in range(n_submissions):
            noisy = np.clip(truth + rng.normal(scale=0.05 / (number + 1), size=len(truth)), 0, 1)
            path = tmp_path / f"{number}.csv"
            pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": noisy}).to_csv(path, index=False)
            board.submit(who, path)

    # The reference scores were stored when the board was created: rendering the page computes none.
    def refit(*args: object) -> object:
        raise AssertionError("the page refitted the reference rows instead of reading the stored scores")

    monkeypatch.setattr(_page, "_computed_references", refit)
    html = str(page(board, address="http://127.0.0.1:8000"))
    svgs = _SVG.findall(html)
    # One chart per participant who submitted, in standings order (ana's noise is smaller: ana leads).
    assert len(svgs) == 2
    assert svgs[0].startswith("<title>ana: best public AP by submission")
    assert svgs[1].startswith(f"<title>{long_name}: best public AP by submission")
    # The expert line is the expert pipeline's public score, as evaluate reports it for that pipeline.
    expert = case.evaluate(expert_pipeline()).primary("public")
    for chart in svgs:
        assert f"expert: {expert:.5f}" in chart and "prior:" in chart and "simple:" in chart
    path = ARTIFACTS / "leaderboard.html"
    ARTIFACTS.mkdir(exist_ok=True)
    path.write_text(html, encoding="utf-8")
    browser.set_window_size(390, 900)
    browser.get(path.resolve().as_uri())
    widths = browser.execute_script(
        "const box = document.querySelector('.scroll');"
        "return [document.documentElement.scrollWidth, window.innerWidth, box.scrollWidth, box.clientWidth]"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths  # the standings fit: no sideways scrolling
    browser.set_window_size(390, int(browser.execute_script("return document.documentElement.scrollHeight")) + 80)
    assert browser.save_screenshot(str(ARTIFACTS / "leaderboard-390px.png"))
