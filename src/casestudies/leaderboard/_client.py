"""A participant's client of a served leaderboard: submit, read the standings, select, over HTTP.

The server is :func:`casestudies.leaderboard._server.serve`; this client
needs none of its libraries, only the standard library (:mod:`urllib`, and a
multipart body built by hand), so a participant can submit without the
``server`` extra. The server answers errors with a JSON body
``{"error": {"type", "message", "problems"}}``; the client raises the
matching :mod:`casestudies.exceptions` class, so a remote submission fails
the way a local one does.

Examples
--------
>>> board = RemoteBoard("http://127.0.0.1:8000/", token="...")
>>> board.url
'http://127.0.0.1:8000'
>>> RemoteBoard("ftp://host")
Traceback (most recent call last):
...
casestudies.exceptions.InvalidParameterError: RemoteBoard: url must start with http:// or https://; got 'ftp://host'...
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Final, TypedDict, cast

import casestudies.exceptions as exceptions
from casestudies.exceptions import InvalidParameterError, LeaderboardError, Problem, ProblemCode, SubmissionError

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "History", "RemoteBoard", "Selection", "Standings"]

DEFAULT_TIMEOUT_SECONDS: Final = 120.0  # scoring a large upload on a busy class server takes a while
_BOUNDARY_BYTES: Final = 12  # random bytes in a multipart boundary: never found in an uploaded file by chance


class Standings(TypedDict):
    """What ``GET /api/standings`` answers: public rows, and private rows once the board is closed."""

    board: str
    metric: str
    higher_is_better: bool
    closed: bool
    public: list[dict[str, object]]
    private: list[dict[str, object]] | None


class History(TypedDict):
    """What ``GET /api/me/submissions`` answers: the participant's submissions, as they were told about them."""

    participant: str
    submissions: list[dict[str, object]]


class Selection(TypedDict):
    """What ``POST /api/me/selection`` answers: the submissions that count for the private standing."""

    participant: str
    selected: list[int]


class RemoteBoard:
    """A leaderboard served over HTTP, seen by one participant.

    Parameters
    ----------
    url : str
        The server's address, e.g. ``http://127.0.0.1:8000`` (a trailing ``/`` is dropped).
    token : str or None, default=None
        The participant's token, given by the host. Reading the standings needs
        none; submitting, listing one's own submissions and selecting do.
    timeout : float, default=DEFAULT_TIMEOUT_SECONDS
        Seconds to wait for each answer.

    Raises
    ------
    InvalidParameterError
        If ``url`` is not an ``http://`` or ``https://`` address.

    See Also
    --------
    Leaderboard : the same operations on a local store.
    """

    SCHEMES: ClassVar[tuple[str, ...]] = ("http://", "https://")
    """The address schemes a served board answers on."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if not url.startswith(self.SCHEMES):
            message = (
                f"RemoteBoard: url must start with http:// or https://; got {url!r}. "
                "Use the address the board's server printed when it started."
            )
            raise InvalidParameterError(message)
        self._url = url.rstrip("/")
        self._token = token or None
        self._timeout = timeout

    @property
    def url(self) -> str:
        """The server's address, without a trailing ``/``."""
        return self._url

    def __repr__(self) -> str:
        return f"RemoteBoard({self._url!r})"  # never the token

    def submit(self, path: str | os.PathLike[str], *, label: str | None = None) -> dict[str, object]:
        """Upload a predictions file; return the feedback the board releases.

        Parameters
        ----------
        path : str or path-like
            CSV or Parquet file with the id column (or ``id``) and ``prediction``.
        label : str or None, default=None
            A note to yourself, e.g. the model's name.

        Returns
        -------
        dict
            The same fields as :meth:`Feedback.to_dict` of a local submission,
            ``message`` among them.

        Raises
        ------
        InvalidTokenError
            If this client has no token, or the board knows no participant by it.
        SubmissionError
            If the file has problems; ``problems`` lists every one.
        LeaderboardError
            If the server cannot be reached or refuses the upload.
        OSError
            If the file cannot be read.
        """
        token = self._require_token("submitting")
        body, content_type = _multipart({"label": label} if label else {}, "file", Path(path))
        answer = self._request("/api/submissions", method="POST", token=token, body=body, content_type=content_type)
        return dict(answer)

    def standings(self) -> Standings:
        """The public standings, and the private ones after the host closed the board.

        Raises
        ------
        LeaderboardError
            If the server cannot be reached or answers with an error.
        """
        return cast(Standings, self._request("/api/standings"))  # the server's StandingsModel

    def submissions(self) -> History:
        """This participant's own submissions, as they were told about them.

        Raises
        ------
        InvalidTokenError
            If this client has no token, or the board knows no participant by it.
        LeaderboardError
            If the server cannot be reached or answers with an error.
        """
        token = self._require_token("listing your submissions")
        return cast(History, self._request("/api/me/submissions", token=token))  # the server's HistoryModel

    def select(self, numbers: Sequence[int]) -> list[int]:
        """Choose the submissions that count for the private standing; return the numbers chosen.

        Raises
        ------
        InvalidTokenError
            If this client has no token, or the board knows no participant by it.
        LeaderboardError
            If a number is not one of this participant's submissions, too many are
            chosen, or the server cannot be reached.
        """
        token = self._require_token("selecting submissions")
        body = json.dumps({"numbers": list(numbers)}).encode()
        answer = self._request(
            "/api/me/selection", method="POST", token=token, body=body, content_type="application/json"
        )
        return list(cast(Selection, answer)["selected"])  # the server's SelectionModel

    def _require_token(self, doing: str) -> str:
        if self._token is None:
            message = f"{doing} on {self._url} needs your participant token: RemoteBoard(url, token=...). "
            raise exceptions.InvalidTokenError(message + "The host gives you one.")
        return self._token

    def _request(
        self,
        route: str,
        *,
        method: str = "GET",
        token: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Mapping[str, object]:
        url = self._url + route
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return dict(json.loads(response.read().decode("utf-8")))
        except urllib.error.HTTPError as err:
            raise _remote_error(err.code, _error_payload(err), url) from err
        except urllib.error.URLError as err:
            raise _unreachable(url, err.reason) from err
        except (TimeoutError, ConnectionError) as err:
            raise _unreachable(url, err) from err


def _unreachable(url: str, reason: object) -> LeaderboardError:
    return LeaderboardError(f"cannot reach {url} ({reason}). Check the address and that the host's server is running.")


def _error_payload(err: urllib.error.HTTPError) -> object:
    try:
        return json.loads(err.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}


def _problem(record: Mapping[str, object]) -> Problem:
    """One problem of a remote error body; an unknown code reads as WRONG_TYPE."""
    try:
        code = ProblemCode(record.get("code"))
    except ValueError:
        code = ProblemCode.WRONG_TYPE
    return Problem(code, str(record.get("expected", "")), str(record.get("received", "")), str(record.get("hint", "")))


def _remote_error(status: int, payload: object, url: str) -> exceptions.CaseStudiesError:
    """The :mod:`casestudies.exceptions` error a server's error answer stands for."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return LeaderboardError(
            f"{url} answered HTTP {status} without a casestudies error body; is it a casestudies leaderboard server?"
        )
    kind = str(error.get("type", ""))
    message = str(error.get("message", f"HTTP {status}"))
    problems = tuple(_problem(record) for record in error.get("problems") or [])
    if kind == "SubmissionError" and problems:
        scenario = message.split("'")[1] if message.startswith("submission for '") else "the leaderboard"
        return SubmissionError(scenario, problems)
    cls = getattr(exceptions, kind, None)
    if (
        isinstance(cls, type)
        and issubclass(cls, exceptions.CaseStudiesError)
        and cls not in (SubmissionError, exceptions.PipelineError)
    ):
        return cls(message)
    return LeaderboardError(f"{url} refused the request (HTTP {status}): {message}")


def _multipart(fields: Mapping[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with text ``fields`` and one file; return it and its content type."""
    boundary = "casestudies-" + secrets.token_hex(_BOUNDARY_BYTES)
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode("utf-8"),
        ]
    safe_name = path.name.replace('"', "_")
    lines += [
        f"--{boundary}".encode(),
        f'Content-Disposition: form-data; name="{file_field}"; filename="{safe_name}"'.encode(),
        b"Content-Type: application/octet-stream",
        b"",
        path.read_bytes(),
    ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
