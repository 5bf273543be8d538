"""Serve one leaderboard over HTTP (FastAPI + uvicorn): a page, a JSON API, an OpenAPI spec.

Participants submit with their token -- by ``casestudies leaderboard submit
--url ... --token ...``, by curl, or with the page's form. The labels, the
host's seed, other participants' predictions (never stored) and exact scores
behind a Ladder have no route: the API answers only with what
:meth:`Leaderboard.submit`, :meth:`Leaderboard.standings` and
:meth:`Leaderboard.history` release.

Needs the ``server`` extra: ``pip install "casestudies[server]"``.

Examples
--------
>>> import casestudies as cs, tempfile, os
>>> from casestudies.leaderboard._server import create_app
>>> store = os.path.join(tempfile.mkdtemp(), "lb.sqlite")
>>> _ = cs.Leaderboard.create(store, scenario="fraud-v1", params={"n_customers": 300, "n_days": 35}, seed=4)
>>> app = create_app(store)
>>> sorted(path for path in app.openapi()["paths"] if path.startswith("/api"))
['/api/board', '/api/me/selection', '/api/me/submissions', '/api/standings', '/api/submissions']
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import socket
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import pandas as pd

from casestudies.exceptions import (
    CaseStudiesError,
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardClosedError,
    LeaderboardError,
    Problem,
    ProblemCode,
    SubmissionError,
    SubmissionLimitError,
    UnknownParticipantError,
)
from casestudies.leaderboard._board import Clock, Leaderboard, StoreLike

try:
    import uvicorn
    from fastapi import FastAPI, File, Form, Header, Request, UploadFile
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from pydantic import BaseModel, Field
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as err:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"the leaderboard server needs the 'server' extra: pip install \"casestudies[server]\" ({err})."
    ) from err

DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024
SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq", ".txt")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# -- JSON shapes (they make the OpenAPI spec) ------------------------------------


class ProblemModel(BaseModel):
    code: str = Field(description="Stable problem code, e.g. WRONG_LENGTH, MISSING_IDS, NON_FINITE, TOO_LARGE.")
    expected: str
    received: str
    hint: str


class ErrorBody(BaseModel):
    type: str = Field(description="The casestudies exception class, e.g. SubmissionError, InvalidTokenError.")
    message: str
    problems: list[ProblemModel] = Field(
        default_factory=list, description="Every problem of a rejected submission, as in the library."
    )


class ErrorModel(BaseModel):
    error: ErrorBody


class FeedbackModel(BaseModel):
    board: str
    participant: str
    number: int
    received_at: str
    label: str
    metric: str
    feedback: str
    score: float | None = Field(
        description="This submission's public score as released; null when the Ladder withholds it."
    )
    best: float
    improved: bool
    submissions_today: int
    remaining_today: int | None
    predictions_sha256: str
    message: str


class StandingsModel(BaseModel):
    board: str
    metric: str
    higher_is_better: bool
    closed: bool
    public: list[dict[str, Any]]
    private: list[dict[str, Any]] | None = Field(description="Final standings, after the host closes the board.")


class HistoryModel(BaseModel):
    participant: str
    submissions: list[dict[str, Any]]


class SelectionRequest(BaseModel):
    numbers: list[int] = Field(description="Submission numbers that count for the private standing.")


class SelectionModel(BaseModel):
    participant: str
    selected: list[int]


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorModel} for status in (400, 401, 404, 409, 413, 422, 429)
}

_STATUS: tuple[tuple[type[CaseStudiesError], int], ...] = (
    (SubmissionError, 422),
    (InvalidTokenError, 401),
    (UnknownParticipantError, 404),
    (LeaderboardClosedError, 409),
    (SubmissionLimitError, 429),
    (InvalidParameterError, 400),
    (LeaderboardError, 400),
)


def _error(status: int, kind: str, message: str, problems: list[dict[str, str]] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        {"error": {"type": kind, "message": message, "problems": problems or []}}, status_code=status, headers=headers
    )


def _too_large(limit: int, received: str) -> Problem:
    return Problem(
        ProblemCode.TOO_LARGE,
        f"an upload of at most {limit:,} bytes",
        received,
        "Submit only the id and prediction columns; compress the CSV (.csv.gz) or use Parquet.",
    )


class UploadLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with a 413 JSON error before any parsing."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, f"a declared body of {int(declared):,} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, f"more than {self.max_bytes:,} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, received: str) -> None:
        problem = _too_large(self.max_bytes, received)
        response = _error(413, "SubmissionError", f"upload too large: {problem}", [problem.to_dict()])
        await response(scope, receive, send)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    rows = json.loads(table.to_json(orient="records"))
    return [
        {key: (None if isinstance(value, float) and not math.isfinite(value) else value) for key, value in row.items()}
        for row in rows
    ]


def _suffix_of(filename: str | None) -> str:
    """The upload's suffix, for the validator to pick a reader by; harmless characters only."""
    name = Path(filename or "predictions.csv").name.lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return suffix
    found = Path(name).suffix
    return (
        found if re.fullmatch(r"\.[a-z0-9]{1,12}", found) else ".unknown"
    )  # refused by the validator, with its suffix


def _bearer(authorization: str | None, form_token: str | None) -> str:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return (form_token or "").strip()


def create_app(
    store: StoreLike,
    board: str | None = None,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    clock: Clock | None = None,
) -> FastAPI:
    """The ASGI application serving one leaderboard.

    Parameters
    ----------
    store : str or path-like
        The board's store (SQLite file or SQLAlchemy URL).
    board : str, optional
        The board's name; may be omitted when the store holds one.
    max_upload_bytes : int, default=16 MiB
        Larger request bodies are refused with 413 before they are parsed.
    clock : callable, optional
        Returns the current time (timezone-aware); for tests.

    Returns
    -------
    fastapi.FastAPI
    """
    leaderboard = Leaderboard.open(store, board, clock=clock)
    info = leaderboard.info()
    app = FastAPI(
        title=f"casestudies leaderboard: {leaderboard.name}",
        version="1",
        description=(
            f"Scenario {info['scenario_id']}, ranked by {info['metric']} on the public part of a hidden holdout "
            f"({info['feedback']} feedback). Submit a CSV or Parquet file with columns {info['id_column']} (or id) and prediction, "
            'with your token as `Authorization: Bearer TOKEN`. Errors are JSON: {"error": {"type", "message", "problems"}}.'
        ),
    )
    app.state.leaderboard = leaderboard

    @app.exception_handler(CaseStudiesError)
    async def _library_error(request: Request, err: CaseStudiesError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(err, kind)), 400)
        problems = [problem.to_dict() for problem in err.problems] if isinstance(err, SubmissionError) else []
        return _error(status, type(err).__name__, str(err), problems)

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, err: RequestValidationError) -> JSONResponse:
        problems = []
        for item in err.errors():
            where = ".".join(str(part) for part in item.get("loc", ()))
            hint = "Send a multipart form with the file in a field named 'file' (curl -F file=@predictions.csv)."
            problems.append(
                Problem(
                    ProblemCode.WRONG_TYPE, f"a valid field {where}", str(item.get("msg", "invalid")), hint
                ).to_dict()
            )
        return _error(422, "RequestValidationError", "the request does not have the expected fields.", problems)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        message = f"the server failed on this request ({type(err).__name__}); the host can find it in the server's log."
        return _error(500, "InternalError", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        return _error(err.status_code, "HTTPError", str(err.detail))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(
            _page(leaderboard),
            headers={
                "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
            },
        )

    @app.get("/app.js", include_in_schema=False)
    def script() -> Response:
        return Response(_SCRIPT, media_type="text/javascript")

    @app.get("/api/board", summary="The board's public settings")
    def board_info() -> dict[str, Any]:
        return leaderboard.info()

    @app.get("/api/standings", response_model=StandingsModel, summary="Public standings; private ones after the close")
    def standings() -> dict[str, Any]:
        closed = leaderboard.closed
        return {
            "board": leaderboard.name,
            "metric": info["metric"],
            "higher_is_better": info["higher_is_better"],
            "closed": closed,
            "public": _records(leaderboard.standings()),
            "private": _records(leaderboard.standings(private=True)) if closed else None,
        }

    @app.post(
        "/api/submissions",
        status_code=201,
        response_model=FeedbackModel,
        responses=_ERRORS,
        summary="Submit predictions (multipart form, field 'file')",
    )
    def submit(
        file: UploadFile = File(
            description="CSV (.csv, .csv.gz) or Parquet file with the id column (or id) and prediction."
        ),
        label: str | None = Form(
            default=None, max_length=200, description="A note to yourself, e.g. the model's name."
        ),
        token: str | None = Form(default=None, description="Your token, if you cannot send an Authorization header."),
        authorization: str | None = Header(default=None, description="Bearer TOKEN"),
    ) -> dict[str, object]:
        participant = leaderboard.authenticate(_bearer(authorization, token))
        suffix = _suffix_of(file.filename)
        handle, path = tempfile.mkstemp(suffix=suffix, prefix="casestudies-upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(file.file.read())
            return leaderboard.submit(participant, path, label=label).to_dict()
        finally:
            os.unlink(path)

    @app.get(
        "/api/me/submissions",
        response_model=HistoryModel,
        responses=_ERRORS,
        summary="Your own submissions, as you were told about them",
    )
    def my_submissions(authorization: str | None = Header(default=None, description="Bearer TOKEN")) -> dict[str, Any]:
        participant = leaderboard.authenticate(_bearer(authorization, None))
        return {"participant": participant, "submissions": _records(leaderboard.history(participant))}

    @app.post(
        "/api/me/selection",
        response_model=SelectionModel,
        responses=_ERRORS,
        summary="Choose the submissions that count for the private standing",
    )
    def select(
        request: SelectionRequest, authorization: str | None = Header(default=None, description="Bearer TOKEN")
    ) -> dict[str, Any]:
        participant = leaderboard.authenticate(_bearer(authorization, None))
        return {"participant": participant, "selected": leaderboard.select(participant, request.numbers)}

    app.add_middleware(UploadLimit, max_bytes=max_upload_bytes)
    return app


def _format_time(value: object) -> str:
    """``MM-DD HH:MM`` (UTC): short enough for a phone's column."""
    if not isinstance(value, str) or len(value) < 16:
        return "—"
    return value[5:16].replace("T", " ")


def _format_score(value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def _rows_html(table: pd.DataFrame, score_column: str, digits: int) -> str:
    rows = []
    for record in table.to_dict("records"):
        rank = "" if pd.isna(record["rank"]) else str(int(record["rank"]))
        rows.append(
            "<tr>"
            f"<td class='num'>{html.escape(rank)}</td>"
            f"<td>{html.escape(str(record['participant']))}</td>"
            f"<td class='num'>{_format_score(record[score_column], digits)}</td>"
            f"<td class='num'>{int(record['submissions'])}</td>"
            f"<td>{html.escape(_format_time(record['last_submission']))}</td>"
            "</tr>"
        )
    return "".join(rows) or "<tr><td colspan='5'>No participants yet.</td></tr>"


def _page(leaderboard: Leaderboard) -> str:
    info = leaderboard.info()
    settings = dict(info["feedback_settings"])  # type: ignore[call-overload]
    digits = int(settings["digits"])
    closed = info["closed_at"] is not None
    metric = str(info["metric"]).replace("_", " ")
    direction = "higher is better" if info["higher_is_better"] else "lower is better"
    mode = {
        "parameter-free": "a new public score is shown only when a paired test says it beats your best (the Ladder), so the board cannot be climbed by trial and error",
        "ladder": f"a new public score is shown only when it beats your best by more than {settings.get('step')} (the Ladder)",
        "exact": f"every public score is shown, rounded to {digits} decimals",
    }[str(info["feedback"])]
    limit = "no daily limit" if info["daily_limit"] is None else f"{info['daily_limit']} submissions per day (UTC)"
    sections = []
    if closed:
        final = leaderboard.standings(private=True)
        sections.append(
            f"<h2>Final standings <span class='sub'>private part · {html.escape(metric)}</span></h2><div class='scroll'><table id='private'><thead><tr><th>#</th><th>Participant</th>"
            f"<th class='num'>Score</th><th class='num'>Subs</th><th>Last (UTC)</th></tr></thead><tbody>{_rows_html(final, 'private_score', digits)}</tbody></table></div>"
        )
    public = leaderboard.standings()
    sections.append(
        f"<h2>{'Public standings' if not closed else 'Public standings, as shown before the close'} <span class='sub'>{html.escape(metric)}</span></h2>"
        "<div class='scroll'><table id='standings'><thead><tr><th>#</th><th>Participant</th>"
        f"<th class='num'>Score</th><th class='num'>Subs</th><th>Last (UTC)</th></tr></thead><tbody>{_rows_html(public, 'score', digits)}</tbody></table></div>"
    )
    form = (
        "<p class='closed'>This leaderboard is closed.</p>"
        if closed
        else (
            "<h2>Submit</h2><form id='submit-form' enctype='multipart/form-data'>"
            "<label>Token <input id='token' name='token' type='password' autocomplete='current-password' required></label>"
            f"<label>Predictions (CSV or Parquet: {html.escape(str(info['id_column']))} or id, prediction) <input id='file' name='file' type='file' accept='.csv,.gz,.parquet,.pq' required></label>"
            "<label>Note <input id='label' name='label' type='text' maxlength='200' placeholder='e.g. lightgbm, 300 trees'></label>"
            "<button id='send' type='submit'>Submit</button></form>"
            "<div id='result' role='status' aria-live='polite'></div>"
        )
    )
    title = html.escape(str(info["name"]))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — leaderboard</title>
<style>
:root {{ color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }}
body {{ margin: 0 auto; max-width: 46rem; padding: 1rem; line-height: 1.45; font-size: 1rem; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }} h2 {{ font-size: 1.15rem; margin-top: 1.5rem; }}
.meta {{ color: GrayText; font-size: .9rem; overflow-wrap: anywhere; }}
.sub {{ font-weight: 400; font-size: .9rem; color: GrayText; }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: .95rem; }}
th, td {{ padding: .45rem .3rem; border-bottom: 1px solid #8884; text-align: left; white-space: nowrap; }}
td:nth-child(2) {{ white-space: normal; overflow-wrap: anywhere; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
form {{ display: grid; gap: .75rem; }}
label {{ display: grid; gap: .25rem; font-size: .95rem; }}
input, button {{ font: inherit; padding: .6rem; border-radius: .4rem; border: 1px solid #8888; max-width: 100%; box-sizing: border-box; }}
button {{ cursor: pointer; font-weight: 600; }}
#result {{ margin-top: .75rem; white-space: pre-wrap; }}
#result.error {{ color: #b00020; }} #result.ok {{ color: #1b6e20; }}
.closed {{ font-weight: 600; }}
</style></head>
<body>
<h1>{title}</h1>
<p class="meta">Scenario <b>{html.escape(str(info["scenario_id"]))}</b> · ranked by {html.escape(metric)} ({direction}) on the public part of a hidden holdout;
the private part decides the final standing. Feedback: {html.escape(mode)}. {html.escape(limit)}.</p>
{"".join(sections)}
{form}
<p class="meta">API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> · curl -H "Authorization: Bearer TOKEN" -F file=@predictions.csv {{this address}}/api/submissions</p>
<script src="/app.js"></script>
</body></html>"""


_SCRIPT = r"""
(function () {
  const form = document.getElementById("submit-form");
  if (!form) return;
  const result = document.getElementById("result");
  const show = (text, kind) => { result.textContent = text; result.className = kind; };
  const fmt = (value, digits) => (value === null || value === undefined) ? "—" : Number(value).toFixed(digits);
  const when = (value) => (value && value.length >= 16) ? value.slice(5, 16).replace("T", " ") : "—";
  async function refresh() {
    const [board, standings] = await Promise.all([fetch("/api/board").then(r => r.json()), fetch("/api/standings").then(r => r.json())]);
    const digits = board.feedback_settings.digits;
    const body = document.querySelector("#standings tbody");
    body.replaceChildren();
    for (const row of standings.public) {
      const tr = document.createElement("tr");
      const cells = [[row.rank === null ? "" : String(row.rank), "num"], [row.participant, ""], [fmt(row.score, digits), "num"], [String(row.submissions), "num"], [when(row.last_submission), ""]];
      for (const [text, cls] of cells) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); }
      body.appendChild(tr);
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = document.getElementById("token").value.trim();
    const data = new FormData();
    data.append("file", document.getElementById("file").files[0]);
    const label = document.getElementById("label").value;
    if (label) data.append("label", label);
    show("Scoring…", "");
    let response;
    try {
      response = await fetch("/api/submissions", { method: "POST", body: data, headers: { "Authorization": "Bearer " + token } });
    } catch (err) { show("Could not reach the server: " + err, "error"); return; }
    const payload = await response.json().catch(() => ({ error: { message: "HTTP " + response.status, problems: [] } }));
    if (response.ok) {
      show(payload.message, "ok");
      await refresh();
    } else {
      const problems = (payload.error.problems || []).map(p => "• [" + p.code + "] expected " + p.expected + "; got " + p.received + ". " + p.hint);
      show([payload.error.message.split("\n")[0], ...problems].join("\n"), "error");
    }
  });
})();
"""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    store: StoreLike,
    board: str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve a leaderboard until interrupted (Ctrl-C).

    Binds ``host:port`` first (``port=0``: a free port), then calls
    ``announce`` with the address, then serves.
    """
    app = create_app(store, board, max_upload_bytes=max_upload_bytes)
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"serving leaderboard {app.state.leaderboard.name!r} on http://{shown}:{bound_port}/  (Ctrl-C to stop)")
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.leaderboard.dispose()
