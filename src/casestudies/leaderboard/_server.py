"""Serve one leaderboard over HTTP (FastAPI + uvicorn): a page, a JSON API, an OpenAPI spec.

Participants submit with their token -- by ``casestudies leaderboard submit
--url ... --token ...``, by curl, or with the page's form. The labels, the
host's seed, other participants' predictions (never stored) and exact scores
behind a Ladder have no route: the API answers only with what
:meth:`Leaderboard.submit`, :meth:`Leaderboard.standings` and
:meth:`Leaderboard.history` release.

Needs the ``server`` extra: ``pip install "casestudies[server]"``.

A hostile participant is expected. Request bodies are capped
(:class:`UploadLimit`); an upload is read within bounds on what it holds
once decompressed (see :class:`~casestudies.leaderboard._submitting.FileBounds`),
at most ``max_parses`` at a time; each participant may have at most
``max_rejections`` uploads refused an hour. Errors name no server path and
quote no value longer than 80 characters; a store that cannot be written
(full disk, read-only) answers 503 with nothing stored. ``/docs`` is a page
of the server's own (no Swagger UI from a CDN): the API is described by
``/openapi.json``.

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

import collections
import datetime as dt
import json
import math
import os
import re
import socket
import tempfile
import threading
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Annotated, Any, Final

import pandas as pd

from casestudies.core import counted
from casestudies.exceptions import (
    CaseStudiesError,
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardClosedError,
    LeaderboardError,
    Problem,
    ProblemCode,
    StoreError,
    SubmissionError,
    SubmissionLimitError,
    UnknownParticipantError,
)
from casestudies.leaderboard._board import Leaderboard
from casestudies.leaderboard._page import CONTENT_SECURITY_POLICY, docs_page, page, script
from casestudies.leaderboard._settings import MAX_LABEL_CHARS, MAX_SHOWN_CHARS, Clock, Feedback, StoreLike, shown
from casestudies.leaderboard._store import storage_problem, utc_now

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

DEFAULT_MAX_UPLOAD_BYTES: Final[int] = 16 * 1024 * 1024
"""Largest request body read by default (16 MiB): room for a large test set's two columns, refusing floods early."""

SUFFIXES: Final[tuple[str, ...]] = (".csv", ".csv.gz", ".parquet", ".pq", ".txt")
"""Upload suffixes passed on to the validator as they are; any other is reduced to a harmless one."""

LISTEN_BACKLOG: Final[int] = 128
"""Connections the listening socket queues while the server is busy accepting others."""

DEFAULT_MAX_PARSES: Final[int] = 2
"""Uploads read and scored at once (the rest wait): memory stays a small multiple of one upload's."""

PARSE_WAIT_SECONDS: Final[float] = 60.0
"""How long an upload waits for its turn to be read before the server answers 503 (busy)."""

DEFAULT_MAX_REJECTIONS: Final[int] = 20
"""Uploads a participant may have refused per :data:`REJECTION_WINDOW`: plenty to fix a file, not a flood."""

REJECTION_WINDOW: Final[dt.timedelta] = dt.timedelta(hours=1)
"""The sliding window over which refused uploads are counted."""

MAX_MESSAGE_CHARS: Final[int] = 2_000
"""Characters of any one text of an error body (message, or a problem's field); more is cut with an ellipsis."""

_LONG_QUOTED: Final = re.compile(f"'[^'\\n]{{{MAX_SHOWN_CHARS},}}'|\"[^\"\\n]{{{MAX_SHOWN_CHARS},}}\"")
"""A quoted value longer than :data:`MAX_SHOWN_CHARS`, as ``repr`` writes it into a message."""

_LONG_WORD: Final = re.compile(f"[^\\s…]{{{MAX_SHOWN_CHARS + 1},}}")
"""A run of more than :data:`MAX_SHOWN_CHARS` characters without a space (or a cut's ellipsis): an unquoted value."""

_OTHER_SUFFIX: Final = re.compile(r"\.[a-z0-9]{1,12}")
"""An unknown suffix kept for the validator's message only when it is short and plain."""

_FILE_HELP: Final[str] = "CSV (.csv, .csv.gz) or Parquet file with the id column (or id) and prediction."
_LABEL_HELP: Final[str] = "A note to yourself, e.g. the model's name."
_TOKEN_HELP: Final[str] = "Your token, if you cannot send an Authorization header."

_Authorization = Annotated[str | None, Header(description="Bearer TOKEN")]

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
    status: {"model": ErrorModel} for status in (400, 401, 404, 409, 413, 422, 429, 503)
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


def bounded(text: str) -> str:
    """``text`` with every echoed value cut to :data:`MAX_SHOWN_CHARS` and the whole to :data:`MAX_MESSAGE_CHARS`.

    An echoed value is a quoted one (as ``repr`` writes it) or a run of
    characters without a space; each is cut with an ellipsis. The library's
    messages already cut what they quote; this is the server's guarantee
    whatever a message holds.

    Examples
    --------
    >>> text = bounded("unknown ids, e.g. ['" + "x" * 10_000 + "']")
    >>> text[:24], text[-4:], len(text.split("e.g. [")[1]) - 1  # the quoted value, quotes included
    ("unknown ids, e.g. ['xxxx", "x…']", 80)
    """
    text = _LONG_QUOTED.sub(lambda found: found[0][: MAX_SHOWN_CHARS - 2] + "…" + found[0][0], text)
    text = _LONG_WORD.sub(lambda found: found[0][: MAX_SHOWN_CHARS - 1] + "…", text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _error(status: int, kind: str, message: str, problems: list[dict[str, str]] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    listed = [{key: bounded(str(value)) for key, value in problem.items()} for problem in problems or []]
    body = {"error": {"type": kind, "message": bounded(message), "problems": listed}}
    return JSONResponse(body, status_code=status, headers=headers)


def _unavailable(reason: str) -> JSONResponse:
    """503: the store (or the server's disk) cannot take the request now; nothing was stored."""
    message = (
        f"the leaderboard cannot store anything right now: {reason}. Nothing was stored. "
        "Try again later; if it persists, tell the host."
    )
    return _error(503, "StoreError", message)


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
    return found if _OTHER_SUFFIX.fullmatch(found) else ".unknown"  # refused by the validator, with its suffix


def _upload_name(filename: str | None) -> str:
    """The upload's file name as shown in messages: its last part, cut to :data:`MAX_SHOWN_CHARS`."""
    name = Path(filename or "predictions.csv").name
    return name if len(name) <= MAX_SHOWN_CHARS else name[: MAX_SHOWN_CHARS - 1] + "…"


class Rejections:
    """Uploads refused per participant over a sliding window; too many and further uploads are refused unread.

    A refused upload costs the server a read; counting them bounds what a
    participant can make it spend on files that fail (the daily limit counts
    only stored submissions).
    """

    def __init__(self, limit: int, *, clock: Clock, window: dt.timedelta = REJECTION_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._refused: dict[str, collections.deque[dt.datetime]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def _recent(self, participant: str, now: dt.datetime) -> collections.deque[dt.datetime]:
        times = self._refused[participant]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, participant: str) -> None:
        """Refuse to read another upload of a participant who has had too many refused lately.

        Raises
        ------
        SubmissionLimitError
            Saying when the next upload will be read.
        """
        with self._lock:
            now = self._clock()
            times = self._recent(participant, now)
            if len(times) < self.limit:
                return
            again = (times[0] + self.window).astimezone(dt.timezone.utc).strftime("%H:%M UTC")
        minutes = int(self.window.total_seconds() // 60)
        message = (
            f"{shown(participant)} has had {counted(len(times), 'upload')} refused "
            f"in the last {counted(minutes, 'minute')}, "
            f"the most this board reads; the next upload is read after {again}. "
            "Meanwhile check files against the sample submission (its columns and ids) before uploading them."
        )
        raise SubmissionLimitError(message)

    def record(self, participant: str) -> None:
        """Count a refused upload of a participant."""
        with self._lock:
            now = self._clock()
            self._recent(participant, now).append(now)


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
    max_parses: int = DEFAULT_MAX_PARSES,
    max_rejections: int = DEFAULT_MAX_REJECTIONS,
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
    max_parses : int, default=2
        Uploads read and scored at once; others wait their turn (up to a minute, then 503).
    max_rejections : int, default=20
        Uploads a participant may have refused in an hour; more are answered 429 unread.
    clock : callable, optional
        Returns the current time (timezone-aware); for tests. The board's
        daily limit and the refused-upload window follow it.

    Returns
    -------
    fastapi.FastAPI
    """
    leaderboard = Leaderboard.open(store, board, clock=clock)
    info = leaderboard.info()
    app = FastAPI(
        title=f"casestudies leaderboard: {leaderboard.name}",
        version="1",
        description=_description(info),
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; /docs is the server's own page instead
        redoc_url=None,
    )
    app.state.leaderboard = leaderboard
    _add_error_handlers(app)
    _add_page(app, leaderboard)
    _add_board_routes(app, leaderboard, info)
    intake = _Intake(threading.BoundedSemaphore(max_parses), Rejections(max_rejections, clock=clock or utc_now))
    _add_participant_routes(app, leaderboard, intake)
    app.add_middleware(UploadLimit, max_bytes=max_upload_bytes)
    return app


def _description(info: Mapping[str, object]) -> str:
    """The OpenAPI description: what the board ranks and how to submit."""
    return (
        f"Scenario {info['scenario_id']}, ranked by {info['metric']} on the public part of a hidden holdout "
        f"({info['feedback']} feedback). "
        f"Submit a CSV or Parquet file with columns {info['id_column']} (or id) and prediction, "
        "with your token as `Authorization: Bearer TOKEN`. "
        'Errors are JSON: {"error": {"type", "message", "problems"}}.'
    )


def _add_error_handlers(app: FastAPI) -> None:
    """Every error as JSON ``{"error": {"type", "message", "problems"}}``, library errors with their status."""

    @app.exception_handler(CaseStudiesError)
    async def _library_error(request: Request, err: CaseStudiesError) -> JSONResponse:
        if isinstance(err, StoreError):  # its message names the store's path: say what is wrong, not where
            return _unavailable(storage_problem(err))
        status = next((code for kind, code in _STATUS if isinstance(err, kind)), 400)
        problems = [problem.to_dict() for problem in err.problems] if isinstance(err, SubmissionError) else []
        if isinstance(err, SubmissionError) and any(p.code is ProblemCode.TOO_LARGE for p in err.problems):
            status = 413
        return _error(status, type(err).__name__, str(err), problems)

    @app.exception_handler(OSError)
    async def _os_error(request: Request, err: OSError) -> JSONResponse:
        return _unavailable(storage_problem(err))

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, err: RequestValidationError) -> JSONResponse:
        problems = []
        for item in err.errors():
            where = ".".join(str(part) for part in item.get("loc", ()))
            hint = "Send a multipart form with the file in a field named 'file' (curl -F file=@predictions.csv)."
            received = str(item.get("msg", "invalid"))
            problems.append(Problem(ProblemCode.WRONG_TYPE, f"a valid field {where}", received, hint).to_dict())
        return _error(422, "RequestValidationError", "the request does not have the expected fields.", problems)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, err: Exception) -> JSONResponse:
        message = f"the server failed on this request ({type(err).__name__}); the host can find it in the server's log."
        return _error(500, "InternalError", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        return _error(err.status_code, "HTTPError", str(err.detail))


def _add_page(app: FastAPI, leaderboard: Leaderboard) -> None:
    """The page at ``/`` and its script at ``/app.js`` (outside the API's schema)."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def board_page(request: Request) -> HTMLResponse:
        address = str(request.base_url).rstrip("/")
        return HTMLResponse(
            page(leaderboard, address=address), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        address = str(request.base_url).rstrip("/")
        return HTMLResponse(
            docs_page(leaderboard, address=address), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
        )

    @app.get("/app.js", include_in_schema=False)
    def board_script() -> Response:
        return Response(script(), media_type="text/javascript")


def _add_board_routes(app: FastAPI, leaderboard: Leaderboard, info: Mapping[str, object]) -> None:
    """What anyone may read: the board's settings and the standings."""

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


class _Intake:
    """How uploads get in: a few read at once (``parses``), and a count of each participant's refused ones."""

    def __init__(self, parses: threading.BoundedSemaphore, rejections: Rejections) -> None:
        self.parses = parses
        self.rejections = rejections

    def submit(
        self, leaderboard: Leaderboard, participant: str, path: str, *, name: str, label: str | None
    ) -> Feedback:
        """Read, validate, score and store one upload, in its turn; a refused one is counted.

        Raises
        ------
        starlette.exceptions.HTTPException
            503, if no slot frees up within :data:`PARSE_WAIT_SECONDS`.
        SubmissionError
            If the upload is refused (counted against the participant).
        """
        self.rejections.check(participant)
        if not self.parses.acquire(timeout=PARSE_WAIT_SECONDS):
            message = (
                f"the server is busy scoring other submissions (waited {PARSE_WAIT_SECONDS:.0f} s for a turn). "
                "Nothing was stored; try again in a minute."
            )
            raise StarletteHTTPException(503, detail=message)
        try:
            return leaderboard.submit(participant, path, label=label, file_name=name)
        except SubmissionError:
            self.rejections.record(participant)
            raise
        finally:
            self.parses.release()


def _add_participant_routes(app: FastAPI, leaderboard: Leaderboard, intake: _Intake) -> None:
    """What a participant does with their token: submit, read their history, choose their final submissions."""

    @app.post(
        "/api/submissions",
        status_code=201,
        response_model=FeedbackModel,
        responses=_ERRORS,
        summary="Submit predictions (multipart form, field 'file')",
    )
    def submit(
        file: Annotated[UploadFile, File(description=_FILE_HELP)],
        label: Annotated[str | None, Form(max_length=MAX_LABEL_CHARS, description=_LABEL_HELP)] = None,
        token: Annotated[str | None, Form(description=_TOKEN_HELP)] = None,
        authorization: _Authorization = None,
    ) -> dict[str, object]:
        participant = leaderboard.authenticate(_bearer(authorization, token))
        handle, path = tempfile.mkstemp(suffix=_suffix_of(file.filename), prefix="casestudies-upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(file.file.read())
            return intake.submit(
                leaderboard, participant, path, name=_upload_name(file.filename), label=label
            ).to_dict()
        finally:
            os.unlink(path)

    @app.get(
        "/api/me/submissions",
        response_model=HistoryModel,
        responses=_ERRORS,
        summary="Your own submissions, as you were told about them",
    )
    def my_submissions(authorization: _Authorization = None) -> dict[str, Any]:
        participant = leaderboard.authenticate(_bearer(authorization, None))
        return {"participant": participant, "submissions": _records(leaderboard.history(participant))}

    @app.post(
        "/api/me/selection",
        response_model=SelectionModel,
        responses=_ERRORS,
        summary="Choose the submissions that count for the private standing",
    )
    def select(request: SelectionRequest, authorization: _Authorization = None) -> dict[str, Any]:
        participant = leaderboard.authenticate(_bearer(authorization, None))
        return {"participant": participant, "selected": leaderboard.select(participant, request.numbers)}


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
    sock.listen(LISTEN_BACKLOG)
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
