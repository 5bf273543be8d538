"""Handlers of ``casestudies leaderboard ...`` (loaded by ``cli._main.main`` when one of them runs).

A local board is opened from the store; with ``--url`` the participant's
commands (submit, show, select) go to a served board through
:class:`~casestudies.leaderboard.RemoteBoard` instead. ``serve``
lives in :mod:`casestudies.cli._run_serve`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from casestudies.case import make
from casestudies.cli._common import EXIT_OK, jsonable, parse_params, print_json, print_table
from casestudies.cli._leaderboard import store_of
from casestudies.exceptions import InvalidParameterError, InvalidTokenError
from casestudies.leaderboard import Leaderboard, PracticeLog, RemoteBoard

__all__ = ["add", "close", "create", "export", "history", "practice", "select", "show", "submit"]

TOKEN_VARIABLE: Final = "CASESTUDIES_TOKEN"


def _open(args: argparse.Namespace) -> Leaderboard:
    return Leaderboard.open(store_of(args), args.board)


def _remote(args: argparse.Namespace, *, needs_token: bool) -> RemoteBoard:
    """The served board of ``--url``, checked here so that the messages name the flags."""
    if not args.url.startswith(RemoteBoard.SCHEMES):
        message = (
            f"--url must start with http:// or https://; got {args.url!r}. "
            "Use the address the host's `casestudies leaderboard serve` printed."
        )
        raise InvalidParameterError(message)
    token = args.token or os.environ.get(TOKEN_VARIABLE, "")
    if needs_token and not token:
        message = "--url needs your participant token: pass --token TOKEN or set $CASESTUDIES_TOKEN."
        raise InvalidTokenError(message + " The host gives you one.")
    return RemoteBoard(args.url, str(token) or None)


def _print_tokens(tokens: Mapping[str, str]) -> None:
    print("participant tokens (shown once; only their hashes are stored):")
    for name, token in tokens.items():
        print(f"  {name}: {token}")


def create(args: argparse.Namespace) -> int:
    """``leaderboard create``: a board with a secret seed, its participants' tokens, and their data if asked."""
    params = parse_params(args.param, args.scenario)
    store = store_of(args)
    Leaderboard.check_names(args.participant)
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
        tokens = board.add_participants(args.participant)
        info = board.info()
        if args.json:
            print_json({"board": info, "tokens": tokens, "store": store, "data": args.export_to})
            return EXIT_OK
        print(
            f"created leaderboard {board.name!r} in {store}: {info['scenario_id']}, ranked by {info['metric']} "
            f"on {info['n_public']:,} public rows ({info['n_private']:,} private); feedback: {info['feedback']}"
        )
        print("the seed is secret: it stays in the store, with the holdout labels; keep the store to yourself")
        if args.export_to:
            print(f"participants' data (no labels, no seed) written to {args.export_to}")
        if tokens:
            print()
            _print_tokens(tokens)
    return EXIT_OK


def add(args: argparse.Namespace) -> int:
    """``leaderboard add``: add participants and print their tokens."""
    with _open(args) as board:
        tokens = board.add_participants(args.names)
    if args.json:
        print_json(tokens)
    else:
        _print_tokens(tokens)
    return EXIT_OK


def submit(args: argparse.Namespace) -> int:
    """``leaderboard submit``: submit a predictions file to a local store or, with ``--url``, a served board."""
    path = Path(args.predictions)
    feedback: Mapping[str, object]
    if args.url:
        if not path.is_file():
            raise InvalidParameterError(
                f"no predictions file at {str(path)!r}. Write one in the board's upload format: columns id (or the "
                "id column) and prediction, or user_id, movie_id, rank for a top-N board (see upload_format.md "
                "in the handout)."
            )
        feedback = _remote(args, needs_token=True).submit(path, label=args.label)
    else:
        if not args.participant:
            raise InvalidParameterError(
                "submit needs --participant NAME with a local store, or --url and --token for a served board."
            )
        with _open(args) as board:
            feedback = board.submit(args.participant, str(path), label=args.label).to_dict()
    if args.json:
        print_json(feedback)
    else:
        print(feedback["message"])
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    """``leaderboard show``: the standings, or one participant's submissions, of a local or served board."""
    return _show_remote(args) if args.url else _show_local(args)


def _show_remote(args: argparse.Namespace) -> int:
    if args.mine:
        mine = _remote(args, needs_token=True).submissions()
        if args.json:
            print_json(mine)
        else:
            print_table(pd.DataFrame(mine["submissions"]))
        return EXIT_OK
    standings = _remote(args, needs_token=False).standings()
    if args.json:
        print_json(standings)
        return EXIT_OK
    private = standings["private"] if args.private else None
    which = "public" if private is None else "final (private)"
    print(f"{standings['board']} — {which} standings by {standings['metric']}")
    print_table(pd.DataFrame(standings["public"] if private is None else private))
    return EXIT_OK


def _show_local(args: argparse.Namespace) -> int:
    with _open(args) as board:
        if args.participant:
            table = board.history(args.participant)
            title = f"{args.participant}'s submissions on {board.name}"
        else:
            table = board.standings(private=args.private)
            which = "final (private)" if args.private else "public"
            title = f"{board.name} — {which} standings by {board.info()['metric']}"
        if args.json:
            print_json({"board": board.info(), "rows": jsonable(table)})
            return EXIT_OK
        print(title)
        print_table(table)
    return EXIT_OK


def select(args: argparse.Namespace) -> int:
    """``leaderboard select``: choose the submissions that count for the private standing."""
    if args.url:
        chosen = _remote(args, needs_token=True).select(args.numbers)
    else:
        if not args.participant:
            raise InvalidParameterError(
                "select needs --participant NAME with a local store, or --url and --token for a served board."
            )
        with _open(args) as board:
            chosen = board.select(args.participant, args.numbers)
    print(f"final submissions: {', '.join(map(str, chosen))}")
    return EXIT_OK


def close(args: argparse.Namespace) -> int:
    """``leaderboard close``: close the board and print the final standings on the private part."""
    with _open(args) as board:
        table = board.close()
        if args.json:
            print_json({"board": board.info(), "rows": jsonable(table)})
            return EXIT_OK
        print(f"closed {board.name!r}; final standings on the private part:")
        print_table(table)
    return EXIT_OK


def export(args: argparse.Namespace) -> int:
    """``leaderboard export``: write the board's results, or with ``--data`` the participants' data."""
    with _open(args) as board:
        written = board.export_data(args.out, format=args.format) if args.data else board.export_results(args.out)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def practice(args: argparse.Namespace) -> int:
    """``leaderboard practice``: score predictions on a case and record them in the practice history."""
    case = make(args.scenario_id, seed=args.seed, **parse_params(args.param, args.scenario_id))
    report = case.score(args.predictions, name=args.name or Path(args.predictions).name, baselines=False)
    log = PracticeLog(store_of(args), user=args.user)
    try:
        row = log.record(report)
        if args.json:
            print_json(row)
        else:
            scores = f"public {row['public_score']:.4f}, private {row['private_score']:.4f}"
            print(f"recorded: {row['name']} — {row['metric']} {scores}")
            print(log.summary(case.id))
    finally:
        log.dispose()
    return EXIT_OK


def history(args: argparse.Namespace) -> int:
    """``leaderboard history``: the practice history, and its trend for one scenario."""
    log = PracticeLog(store_of(args), user=args.user)
    try:
        table = log.history(args.scenario_id)
        if args.json:
            print_json(jsonable(table))
            return EXIT_OK
        print_table(table)
        if args.scenario_id:
            print(log.summary(args.scenario_id))
    finally:
        log.dispose()
    return EXIT_OK
