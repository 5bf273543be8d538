"""``casestudies leaderboard ...``: create, add, submit, show, select, close, export, serve, practice, history.

The store is ``--store PATH_OR_URL`` (default: ``$CASESTUDIES_STORE``, else
``leaderboard.sqlite`` in the current folder). ``submit``, ``show`` and
``select`` also work against a served board with ``--url`` (and ``--token``
or ``$CASESTUDIES_TOKEN``), so participants never need the store.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd

from casestudies import exceptions
from casestudies.core import FORMATS
from casestudies.exceptions import (
    InvalidParameterError,
    LeaderboardError,
    Problem,
    ProblemCode,
    SubmissionError,
)
from casestudies.leaderboard._board import Leaderboard, PracticeLog
from casestudies.leaderboard._feedback import FEEDBACK_MODES

EXIT_OK = 0
_TIMEOUT_SECONDS = 120.0


def _default_store() -> str:
    return os.environ.get("CASESTUDIES_STORE") or "leaderboard.sqlite"


def _optional_number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float | None:
        if text.lower() in ("none", "off", "no"):
            return None
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'an int' if kind is int else 'a number'} or 'none'; got {text!r}"
            ) from None

    return parse


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=None,
        help="SQLite file or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)",
    )
    parser.add_argument("--board", default=None, help="board name (may be omitted when the store holds one)")


def _remote_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="address of a served board, e.g. http://127.0.0.1:8000 (instead of --store)")
    parser.add_argument("--token", default=None, help="your participant token with --url (default: $CASESTUDIES_TOKEN)")


def _print_table(table: pd.DataFrame) -> None:
    if table.empty:
        print("(nobody yet)")
        return
    shown = table.astype(object).where(table.notna(), "—")
    print(shown.to_string(index=False))


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, default=str))


def _jsonable(table: pd.DataFrame) -> list[dict[str, Any]]:
    records = json.loads(table.to_json(orient="records"))
    return [
        {key: (None if isinstance(value, float) and not math.isfinite(value) else value) for key, value in row.items()}
        for row in records
    ]


# -- talking to a served board ----------------------------------------------------


def _raise_remote(status: int, payload: dict[str, Any], url: str) -> None:
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        raise LeaderboardError(
            f"{url} answered HTTP {status} without a casestudies error body; is it a casestudies leaderboard server?"
        )
    kind = str(error.get("type", ""))
    message = str(error.get("message", f"HTTP {status}"))
    problems = tuple(
        Problem(
            ProblemCode(p["code"]) if p.get("code") in ProblemCode._value2member_map_ else ProblemCode.WRONG_TYPE,
            str(p.get("expected", "")),
            str(p.get("received", "")),
            str(p.get("hint", "")),
        )
        for p in error.get("problems") or []
    )
    if kind == "SubmissionError" and problems:
        scenario = message.split("'")[1] if message.startswith("submission for '") else "the leaderboard"
        raise SubmissionError(scenario, problems)
    cls = getattr(exceptions, kind, None)
    if (
        isinstance(cls, type)
        and issubclass(cls, exceptions.CaseStudiesError)
        and cls not in (SubmissionError, exceptions.PipelineError)
    ):
        raise cls(message)
    raise LeaderboardError(f"{url} refused the request (HTTP {status}): {message}")


def _request(
    url: str,
    *,
    method: str = "GET",
    token: str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            return dict(json.loads(response.read().decode("utf-8")))
    except urllib.error.HTTPError as err:
        try:
            payload = json.loads(err.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            payload = {}
        _raise_remote(err.code, payload, url)
        raise  # pragma: no cover - _raise_remote always raises
    except urllib.error.URLError as err:
        raise LeaderboardError(
            f"cannot reach {url} ({err.reason}). Check the address and that the host's server is running."
        ) from err
    except (TimeoutError, ConnectionError) as err:
        raise LeaderboardError(
            f"cannot reach {url} ({err}). Check the address and that the host's server is running."
        ) from err


def _multipart(fields: dict[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    boundary = "casestudies-" + secrets.token_hex(12)
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


def _base(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise InvalidParameterError(
            f"--url must start with http:// or https://; got {url!r}. Use the address the host's `casestudies leaderboard serve` printed."
        )
    return url.rstrip("/")


def _token(args: argparse.Namespace) -> str:
    token = args.token or os.environ.get("CASESTUDIES_TOKEN", "")
    if not token:
        raise exceptions.InvalidTokenError(
            "--url needs your participant token: pass --token TOKEN or set $CASESTUDIES_TOKEN. The host gives you one."
        )
    return str(token)


# -- commands ---------------------------------------------------------------------


def _open(args: argparse.Namespace) -> Leaderboard:
    return Leaderboard.open(args.store or _default_store(), args.board)


def _cmd_create(args: argparse.Namespace) -> int:
    from casestudies.cli._main import _parse_param  # the core CLI's one parser of --param

    params = dict(_parse_param(text, args.scenario) for text in args.param)
    store = args.store or _default_store()
    board = Leaderboard.create(
        store,
        scenario=args.scenario,
        name=args.name,
        params=params,
        feedback=args.feedback,
        metric=args.metric,
        digits=args.digits,
        step=args.step,
        alpha=args.alpha,
        daily_limit=args.daily_limit,
        n_final=args.final,
        seed=args.seed,
        export_to=args.export_to,
        export_format=args.format,
    )
    with board:
        tokens = {name: board.add_participant(name) for name in args.participant}
        info = board.info()
        if args.json:
            _print_json({"board": info, "tokens": tokens, "store": store, "data": args.export_to})
            return EXIT_OK
        print(
            f"created leaderboard {board.name!r} in {store}: {info['scenario_id']}, ranked by {info['metric']} on {info['n_public']:,} public rows ({info['n_private']:,} private); feedback: {info['feedback']}"
        )
        print("the seed is secret: it stays in the store, with the holdout labels; keep the store to yourself")
        if args.export_to:
            print(f"participants' data (no labels, no seed) written to {args.export_to}")
        if tokens:
            print("\nparticipant tokens (shown once; only their hashes are stored):")
            for name, token in tokens.items():
                print(f"  {name}: {token}")
    return EXIT_OK


def _cmd_add(args: argparse.Namespace) -> int:
    with _open(args) as board:
        tokens = {name: board.add_participant(name) for name in args.names}
    if args.json:
        _print_json(tokens)
    else:
        print("participant tokens (shown once; only their hashes are stored):")
        for name, token in tokens.items():
            print(f"  {name}: {token}")
    return EXIT_OK


def _cmd_submit(args: argparse.Namespace) -> int:
    path = Path(args.predictions)
    if args.url:
        if not path.is_file():
            raise InvalidParameterError(
                f"no predictions file at {str(path)!r}. Write one with columns id (or the id column) and prediction."
            )
        body, content_type = _multipart({"label": args.label} if args.label else {}, "file", path)
        feedback = _request(
            _base(args.url) + "/api/submissions",
            method="POST",
            token=_token(args),
            body=body,
            content_type=content_type,
        )
    else:
        if not args.participant:
            raise InvalidParameterError(
                "submit needs --participant NAME with a local store, or --url and --token for a served board."
            )
        with _open(args) as board:
            feedback = board.submit(args.participant, str(path), label=args.label).to_dict()
    if args.json:
        _print_json(feedback)
    else:
        print(feedback["message"])
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    if args.url:
        base = _base(args.url)
        if args.mine:
            data = _request(base + "/api/me/submissions", token=_token(args))
            if args.json:
                _print_json(data)
            else:
                _print_table(pd.DataFrame(data["submissions"]))
            return EXIT_OK
        data = _request(base + "/api/standings")
        if args.json:
            _print_json(data)
            return EXIT_OK
        rows = data["private"] if (args.private and data["private"] is not None) else data["public"]
        print(
            f"{data['board']} — {'final (private)' if rows is data['private'] else 'public'} standings by {data['metric']}"
        )
        _print_table(pd.DataFrame(rows))
        return EXIT_OK
    with _open(args) as board:
        if args.participant:
            table = board.history(args.participant)
            title = f"{args.participant}'s submissions on {board.name}"
        else:
            table = board.standings(private=args.private)
            title = f"{board.name} — {'final (private)' if args.private else 'public'} standings by {board.info()['metric']}"
        if args.json:
            _print_json({"board": board.info(), "rows": _jsonable(table)})
            return EXIT_OK
        print(title)
        _print_table(table)
    return EXIT_OK


def _cmd_select(args: argparse.Namespace) -> int:
    if args.url:
        body = json.dumps({"numbers": args.numbers}).encode()
        chosen = _request(
            _base(args.url) + "/api/me/selection",
            method="POST",
            token=_token(args),
            body=body,
            content_type="application/json",
        )["selected"]
    else:
        if not args.participant:
            raise InvalidParameterError(
                "select needs --participant NAME with a local store, or --url and --token for a served board."
            )
        with _open(args) as board:
            chosen = board.select(args.participant, args.numbers)
    print(f"final submissions: {', '.join(map(str, chosen))}")
    return EXIT_OK


def _cmd_close(args: argparse.Namespace) -> int:
    with _open(args) as board:
        table = board.close()
        if args.json:
            _print_json({"board": board.info(), "rows": _jsonable(table)})
            return EXIT_OK
        print(f"closed {board.name!r}; final standings on the private part:")
        _print_table(table)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    with _open(args) as board:
        written = board.export_data(args.out, format=args.format) if args.data else board.export_results(args.out)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        from casestudies.leaderboard._server import serve
    except ImportError as err:
        raise LeaderboardError(str(err)) from err

    def announce(text: str) -> None:
        print(text, flush=True)

    serve(
        args.store or _default_store(),
        args.board,
        host=args.host,
        port=args.port,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        announce=announce,
    )
    return EXIT_OK


def _cmd_practice(args: argparse.Namespace) -> int:
    from casestudies.case._case import make
    from casestudies.cli._main import _parse_param

    params = dict(_parse_param(text, args.scenario_id) for text in args.param)
    case = make(args.scenario_id, seed=args.seed, **params)
    report = case.score(args.predictions, name=args.name or Path(args.predictions).name, baselines=False)
    log = PracticeLog(args.store or _default_store(), user=args.user)
    try:
        row = log.record(report)
        if args.json:
            _print_json(row)
        else:
            print(
                f"recorded: {row['name']} — {row['metric']} public {row['public_score']:.4f}, private {row['private_score']:.4f}"
            )
            print(log.summary(case.id))
    finally:
        log.dispose()
    return EXIT_OK


def _cmd_history(args: argparse.Namespace) -> int:
    log = PracticeLog(args.store or _default_store(), user=args.user)
    try:
        table = log.history(args.scenario_id)
        if args.json:
            _print_json(_jsonable(table))
            return EXIT_OK
        _print_table(table)
        if args.scenario_id:
            print(log.summary(args.scenario_id))
    finally:
        log.dispose()
    return EXIT_OK


def add_commands(commands: Any) -> None:
    """Add ``leaderboard`` and its sub-commands to the ``casestudies`` parser's sub-parsers."""
    from casestudies.cli._main import _Parser

    board = commands.add_parser(
        "leaderboard", help="run a leaderboard (create, submit, show, close, export, serve) or keep a practice history"
    )
    actions = board.add_subparsers(dest="leaderboard_command", required=True, metavar="ACTION", parser_class=_Parser)

    create = actions.add_parser("create", help="create a board from a scenario with a secret seed")
    create.add_argument(
        "--store",
        default=None,
        help="SQLite file (created if missing) or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)",
    )
    create.add_argument("--scenario", required=True, help="scenario id, e.g. fraud-v1")
    create.add_argument("--name", default="leaderboard", help="the board's name (default: leaderboard)")
    create.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="generator parameter (repeatable)"
    )
    create.add_argument(
        "--feedback",
        choices=FEEDBACK_MODES,
        default="parameter-free",
        help="what participants see (default: parameter-free Ladder)",
    )
    create.add_argument("--metric", default=None, help="rank by this metric (default: the scenario's; or 'accuracy')")
    create.add_argument("--digits", type=int, default=5, help="decimals of released scores (default: 5)")
    create.add_argument(
        "--step", type=float, default=0.01, help="fixed-step Ladder's step in metric units (default: 0.01)"
    )
    create.add_argument(
        "--alpha",
        type=_optional_number(float),
        default=0.05,
        help="parameter-free Ladder's level; 'none' for Blum & Hardt's 1-SE rule (default: 0.05)",
    )
    create.add_argument(
        "--daily-limit",
        type=_optional_number(int),
        default=5,
        help="submissions per participant per UTC day, or 'none' (default: 5)",
    )
    create.add_argument(
        "--final",
        type=int,
        default=2,
        help="submissions each participant may select for the private standing (default: 2)",
    )
    create.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="NAME",
        help="add a participant and print their token (repeatable)",
    )
    create.add_argument(
        "--export-to", default=None, metavar="DIR", help="write the participants' data (no labels, no seed) here"
    )
    create.add_argument("--format", choices=FORMATS, default="parquet", help="data file format for --export-to")
    create.add_argument(
        "--seed", type=int, default=None, help="fixed seed, for demos and tests only (default: a secret one)"
    )
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(run=_cmd_create)

    add = actions.add_parser("add", help="add participants and print their tokens")
    _store_argument(add)
    add.add_argument("names", nargs="+", metavar="NAME")
    add.add_argument("--json", action="store_true", help="print JSON")
    add.set_defaults(run=_cmd_add)

    submit = actions.add_parser("submit", help="submit a predictions file (local store, or --url and --token)")
    submit.add_argument("predictions", help="CSV or Parquet file with columns id (or the id column) and prediction")
    _store_argument(submit)
    submit.add_argument("--participant", help="your name on a local store")
    _remote_arguments(submit)
    submit.add_argument("--label", default=None, help="a note to yourself, e.g. the model's name")
    submit.add_argument("--json", action="store_true", help="print JSON")
    submit.set_defaults(run=_cmd_submit)

    show = actions.add_parser("show", help="print the standings (or one participant's submissions)")
    _store_argument(show)
    _remote_arguments(show)
    show.add_argument("--private", action="store_true", help="final standings on the private part (after close)")
    show.add_argument("--participant", help="a participant's own submissions (local store)")
    show.add_argument("--mine", action="store_true", help="your own submissions (with --url and --token)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(run=_cmd_show)

    select = actions.add_parser("select", help="choose the submissions that count for the private standing")
    select.add_argument("numbers", nargs="+", type=int, metavar="NUMBER")
    _store_argument(select)
    select.add_argument("--participant", help="your name on a local store")
    _remote_arguments(select)
    select.set_defaults(run=_cmd_select)

    close = actions.add_parser("close", help="close the board and print the final (private) standings")
    _store_argument(close)
    close.add_argument("--json", action="store_true", help="print JSON")
    close.set_defaults(run=_cmd_close)

    export = actions.add_parser("export", help="write the board's results, or the participants' data with --data")
    _store_argument(export)
    export.add_argument("--out", required=True, metavar="DIR", help="output folder")
    export.add_argument(
        "--data",
        action="store_true",
        help="write the participants' data (train, test features, prompt) instead of results",
    )
    export.add_argument("--format", choices=FORMATS, default="parquet", help="data file format with --data")
    export.set_defaults(run=_cmd_export)

    serve = actions.add_parser("serve", help="serve the board over HTTP: a page, a JSON API, an OpenAPI spec")
    _store_argument(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--max-upload-mb", type=float, default=16.0, help="largest accepted upload in MiB (default: 16)")
    serve.set_defaults(run=_cmd_serve)

    practice = actions.add_parser("practice", help="score predictions on a case and add them to your practice history")
    practice.add_argument("scenario_id")
    practice.add_argument("predictions", help="CSV or Parquet file with columns id (or the id column) and prediction")
    practice.add_argument("--seed", type=int, required=True, help="seed of the case the predictions were made for")
    practice.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="generator parameter (repeatable)"
    )
    practice.add_argument(
        "--store",
        default=None,
        help="SQLite file or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)",
    )
    practice.add_argument("--user", default="me", help="whose history (default: me)")
    practice.add_argument("--name", default=None, help="name of this attempt (default: the file name)")
    practice.add_argument("--json", action="store_true", help="print JSON")
    practice.set_defaults(run=_cmd_practice)

    history = actions.add_parser("history", help="print your practice history and its trend")
    history.add_argument("scenario_id", nargs="?", default=None)
    history.add_argument(
        "--store",
        default=None,
        help="SQLite file or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)",
    )
    history.add_argument("--user", default="me", help="whose history (default: me)")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(run=_cmd_history)
