"""The stakeholder page opened in headless Chromium: whole, one titled figure, readable on a phone.

The screenshot at 390 px is kept in ``tests/artifacts/`` (ignored by git) for a person to read as a
non-technical reader would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import test_html_report
from figure_cases import report

pytestmark = pytest.mark.slow  # a browser and a fraud report: several seconds on 2 cores

browser = test_html_report.browser  # the same headless Chromium, with nothing leaving the machine
ARTIFACTS: Path = test_html_report.ARTIFACTS
PHONE = 390
"""An iPhone 12-15 CSS width."""

_JARGON = re.compile(r"\b(AP|AUC|ROC|NDCG|RMSE|precision|recall|metric|holdout|baseline)\b", re.IGNORECASE)


@pytest.mark.parametrize("kind", ["fraud", "topn", "houses"])
def test_stakeholder_page_in_a_headless_browser(browser: Any, kind: str) -> None:
    result = report(kind)
    view = result.stakeholder
    assert view is not None and view.available and view.figure is not None
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"stakeholder-{kind}.html"
    page = result.to_html(path, audience="stakeholder")
    test_html_report._check_file(page, 1)  # whole (no URL, script or image), one inline SVG with a title
    browser.set_window_size(PHONE, 900)
    browser.get(path.resolve().as_uri())
    state = browser.execute_script(
        "return {title: document.querySelector('h1') && document.querySelector('h1').textContent,"
        " svgs: Array.from(document.querySelectorAll('figure > svg')).map("
        "  s => [s.querySelector('title').textContent, s.getBoundingClientRect().width,"
        "        s.parentElement.getBoundingClientRect().width]),"
        " text: document.body.innerText,"
        " requests: performance.getEntriesByType('resource').map(e => e.name),"
        " scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,"
        " height: document.documentElement.scrollHeight}"
    )
    assert state["requests"] == []
    assert state["title"] == view.title
    assert [title for title, _, _ in state["svgs"]] == [view.figure.title]
    for _, drawn, column in state["svgs"]:
        assert 0 < drawn <= column + 0.5
    assert state["scrollWidth"] <= state["clientWidth"], f"the {kind} page scrolls sideways at {PHONE} px"
    for paragraph in view.paragraphs:  # every paragraph is shown, and none speaks the jargon of the technical report
        assert " ".join(paragraph.split()) in " ".join(state["text"].split())
    assert not _JARGON.findall(state["text"]), _JARGON.findall(state["text"])
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    browser.set_window_size(PHONE, min(int(state["height"]) + 120, 16_000))
    shot = ARTIFACTS / f"stakeholder-{kind}-{PHONE}px.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
