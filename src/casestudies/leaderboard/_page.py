"""The board's web page, its style and its script: package files in ``templates/``, filled here.

``page.html`` is the skeleton, ``standings.html`` one standings table and
``submit.html`` the submission form; ``page.css`` is inlined into the page
and ``page.js`` is served as is at ``/app.js`` (the page's policy allows
scripts from the page's own origin only). Every value is escaped by
:func:`casestudies.core.render`; rows are built with
:func:`casestudies.core.element`.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from collections.abc import Mapping
from typing import Any, Final, cast

import pandas as pd
import sqlalchemy as sa

from casestudies.case import make
from casestudies.core import Markup, element, join, load_template, metric_label, render
from casestudies.leaderboard._board import Leaderboard
from casestudies.leaderboard._create import reference_scores
from casestudies.leaderboard._settings import MAX_LABEL_CHARS
from casestudies.leaderboard._store import boards
from casestudies.report import FigureSpec, Marker, Series, figure_html

CONTENT_SECURITY_POLICY: Final[str] = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The pages' policy: their own script only (``/app.js``), their inline style, no other origin;
forms post to the server only, and no other site may frame a page (no clickjacking of the token form)."""

_PACKAGE: Final[str] = "casestudies.leaderboard"
_MISSING: Final[str] = "—"
_SHORT_TIME: Final = slice(5, 16)
"""``MM-DDTHH:MM`` of an ISO-8601 timestamp: short enough for a phone's column."""

_MODES: Final[Mapping[str, str]] = {
    "parameter-free": (
        "a new public score is shown only when a paired test says it beats your best (the Ladder), "
        "so the board cannot be climbed by trial and error"
    ),
    "ladder": "a new public score is shown only when it beats your best by more than {step} (the Ladder)",
    "exact": "every public score is shown, rounded to {digits} decimals",
}
"""What the page says each feedback mode shows."""

CHART_CACHE: Final[int] = 256
"""Participant charts kept drawn: a page redraws only the charts of participants who submitted since."""


@functools.cache
def template(name: str) -> str:
    """The text of a template file of the page (read once)."""
    return load_template(_PACKAGE, name)


def script() -> str:
    """The page's script, served at ``/app.js``."""
    return template("page.js")


def _format_time(value: object) -> str:
    """``MM-DD HH:MM`` (UTC) of a stored time."""
    if not isinstance(value, str) or len(value) < _SHORT_TIME.stop:
        return _MISSING
    return value[_SHORT_TIME].replace("T", " ")


def _format_score(value: object, digits: int) -> str:
    if not isinstance(value, numbers.Real) or not math.isfinite(value):
        return _MISSING
    return f"{float(value):.{digits}f}"


def _rows(table: pd.DataFrame, score_column: str, digits: int) -> Markup:
    """The table's rows as ``<tr>`` elements, or one row saying nobody has joined."""
    rows = []
    for record in table.to_dict("records"):
        rank = "" if pd.isna(record["rank"]) else str(int(record["rank"]))
        cells = [
            element("td", rank, class_="num"),
            element("td", str(record["participant"])),
            element("td", _format_score(record[score_column], digits), class_="num"),
            element("td", int(record["submissions"]), class_="num"),
            element("td", _format_time(record["last_submission"])),
        ]
        rows.append(element("tr", join(cells)))
    return join(rows) or element("tr", element("td", "No participants yet.", colspan=5))


def _standings(
    table: pd.DataFrame, *, table_id: str, heading: str, subheading: str, column: str, digits: int
) -> Markup:
    rows = _rows(table, column, digits)
    return render(template("standings.html"), heading=heading, subheading=subheading, table_id=table_id, rows=rows)


def _sections(leaderboard: Leaderboard, *, closed: bool, metric: str, digits: int) -> Markup:
    """The standings tables: the final ones first once the board is closed."""
    sections = []
    if closed:
        final = leaderboard.standings(private=True)
        subheading = f"private part · {metric}"
        sections.append(
            _standings(
                final,
                table_id="private",
                heading="Final standings",
                subheading=subheading,
                column="private_score",
                digits=digits,
            )
        )
    heading = "Public standings, as shown before the close" if closed else "Public standings"
    public = leaderboard.standings()
    sections.append(
        _standings(public, table_id="standings", heading=heading, subheading=metric, column="score", digits=digits)
    )
    return join(sections)


@functools.lru_cache(maxsize=8)
def _computed_references(scenario_id: str, seed: int, params: str, metric: str) -> tuple[tuple[str, float], ...]:
    """Reference scores of a board created before they were stored with it (computed once per process)."""
    case = make(scenario_id, seed=seed, **json.loads(params))
    return tuple(reference_scores(case, metric).items())


def _references(leaderboard: Leaderboard, metric: str) -> tuple[tuple[str, float], ...]:
    """The public scores of the reference rows, as stored when the board was created."""
    settings = leaderboard._settings  # the board's own settings: the secret seed never leaves this module
    with leaderboard._store.read() as conn:
        raw = conn.execute(sa.select(boards.c.settings).where(boards.c.id == settings.id)).scalar_one()
    stored = json.loads(raw).get("reference_scores")
    if isinstance(stored, dict):
        return tuple((str(name), float(value)) for name, value in stored.items())
    return _computed_references(
        settings.scenario_id, settings.seed, json.dumps(settings.params, sort_keys=True), metric
    )


@functools.lru_cache(maxsize=CHART_CACHE)
def _chart_html(spec: FigureSpec) -> Markup:
    """A chart drawn once per distinct content (a new submission makes a new spec)."""
    return figure_html(spec)


def _history_charts(leaderboard: Leaderboard, *, metric: str, higher: bool, digits: int) -> Markup:
    """One chart per participant who submitted: best released public score by submission, and the lines to beat."""
    table = leaderboard.standings()
    names = [str(name) for name, n in zip(table["participant"], table["submissions"], strict=True) if n]
    label = metric_label(metric, short=True)
    better = "higher" if higher else "lower"
    markers = tuple(
        Marker(f"{name}: {value:.{digits}f}", "y", value) for name, value in _references(leaderboard, metric)
    )
    charts = []
    for number, name in enumerate(names, start=1):
        shown = leaderboard.history(name).dropna(subset=["best"])
        if not len(shown):
            continue
        x = tuple(float(v) for v in shown["number"])
        spec = FigureSpec(
            name=f"history-{number}",
            kind="lines",
            title=f"{name}: best public {label} by submission ({better} is better)",
            x_label="submission number",
            y_label=f"best public {label} released so far",
            series=(Series(name, x, tuple(float(v) for v in shown["best"]), "submission"),),
            markers=markers,
        )
        charts.append(_chart_html(spec))
    if not charts:
        return Markup("")
    caption = element(
        "p",
        "Each participant's best released public score after each submission, in standings order; the flat lines "
        "are the scenario's reference models (a model that knows nothing, a simple one, an expert's) scored on "
        "the same public part.",
        class_="note",
    )
    return join([element("h2", "Progress"), caption, element("div", join(charts), class_="charts")])


def page(leaderboard: Leaderboard, *, address: str) -> Markup:
    """The board's page: its settings in a sentence, the standings and, while open, the submission form.

    ``address`` is the server's address as the browser reached it (for the curl example).
    """
    info = leaderboard.info()
    # info() is typed loosely for JSON; its feedback settings come from BoardSettings.feedback_settings().
    settings = cast("Mapping[str, Any]", info["feedback_settings"])
    digits = int(settings["digits"])
    closed = info["closed_at"] is not None
    metric = str(info["metric"]).replace("_", " ")
    mode = _MODES[str(info["feedback"])].format(step=settings.get("step"), digits=digits)
    daily = info["daily_limit"]
    limit = "no daily limit" if daily is None else f"{daily} submissions per day (UTC)"
    if closed:
        form = element("p", "This leaderboard is closed.", class_="closed")
    else:
        form = render(template("submit.html"), id_column=str(info["id_column"]), max_label_chars=MAX_LABEL_CHARS)
    return render(
        template("page.html"),
        title=str(info["name"]),
        css=Markup(template("page.css")),
        scenario_id=str(info["scenario_id"]),
        metric=metric,
        direction="higher is better" if info["higher_is_better"] else "lower is better",
        mode=mode,
        limit=limit,
        sections=_sections(leaderboard, closed=closed, metric=metric, digits=digits),
        chart=_history_charts(
            leaderboard, metric=str(info["metric"]), higher=bool(info["higher_is_better"]), digits=digits
        ),
        form=form,
        address=address,
    )


def docs_page(leaderboard: Leaderboard, *, address: str) -> Markup:
    """``/docs``: the API in a page of the server's own, offline; the full description is ``/openapi.json``."""
    info = leaderboard.info()
    return render(
        template("docs.html"),
        title=str(info["name"]),
        css=Markup(template("page.css")),
        id_column=str(info["id_column"]),
        address=address,
    )
