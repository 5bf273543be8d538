"""The arguments of ``casestudies leaderboard ACTION``: running a board, and keeping a practice history.

The actions: create, add, submit, show, select, close, export, serve,
practice and history.

The store is ``--store PATH_OR_URL`` (default: ``$CASESTUDIES_STORE``, else
``leaderboard.sqlite`` in the current folder). ``submit``, ``show`` and
``select`` also work against a served board with ``--url`` (and ``--token``
or ``$CASESTUDIES_TOKEN``), so participants never need the store.

Added to the main parser by :func:`add_commands`; the handlers live in
:mod:`casestudies.cli._run_leaderboard` (and ``serve`` in
:mod:`casestudies.cli._run_serve`), imported only when one of them runs (see
:mod:`casestudies.cli._main`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Final, TypeAlias

from casestudies.cli._common import Parser, add_param_argument
from casestudies.core import FORMATS
from casestudies.leaderboard import FEEDBACK_MODES

__all__ = ["add_commands", "store_of"]

_HANDLERS = "casestudies.cli._run_leaderboard"
_SERVE = "casestudies.cli._run_serve:serve"

_Actions: TypeAlias = "argparse._SubParsersAction[Parser]"

STORE_VARIABLE: Final = "CASESTUDIES_STORE"
DEFAULT_STORE: Final = "leaderboard.sqlite"
_OFF_WORDS: Final = ("none", "off", "no")
_STORE_HELP: Final = "SQLite file or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)"
_PREDICTIONS_HELP: Final = "CSV or Parquet file with columns id (or the id column) and prediction"


def store_of(args: argparse.Namespace) -> str:
    """The store a leaderboard command works on: ``--store``, else ``$CASESTUDIES_STORE``, else the default file."""
    return str(args.store or os.environ.get(STORE_VARIABLE) or DEFAULT_STORE)


def _optional_number(kind: type[int] | type[float]) -> Callable[[str], int | float | None]:
    """An argparse ``type`` for an int (or float) that may also be switched off with ``none``."""

    def parse(text: str) -> int | float | None:
        if text.lower() in _OFF_WORDS:
            return None
        try:
            return kind(text)
        except ValueError:
            expected = "an int" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {expected} or 'none'; got {text!r}") from None

    return parse


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=None, help=_STORE_HELP)
    parser.add_argument("--board", default=None, help="board name (may be omitted when the store holds one)")


def _remote_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="address of a served board, e.g. http://127.0.0.1:8000 (instead of --store)")
    parser.add_argument("--token", default=None, help="your participant token with --url (default: $CASESTUDIES_TOKEN)")


def _json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _add_create(actions: _Actions) -> None:
    create = actions.add_parser("create", help="create a board from a scenario with a secret seed")
    create.add_argument(
        "--store",
        default=None,
        help="SQLite file (created if missing) or SQLAlchemy URL (default: $CASESTUDIES_STORE or leaderboard.sqlite)",
    )
    create.add_argument("--scenario", required=True, help="scenario id, e.g. fraud-v1")
    create.add_argument("--name", default="leaderboard", help="the board's name (default: leaderboard)")
    add_param_argument(create, help_text="generator parameter (repeatable)")
    _add_create_rules(create)
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
    _json_argument(create)
    create.set_defaults(run=f"{_HANDLERS}:create")


def _add_create_rules(create: argparse.ArgumentParser) -> None:
    """The board's rules: feedback mode, metric, released digits, Ladder settings, limits."""
    create.add_argument(
        "--feedback",
        choices=FEEDBACK_MODES,
        default="parameter-free",
        help="what participants see (default: parameter-free Ladder)",
    )
    create.add_argument(
        "--metric",
        default=None,
        help=(
            "rank by this metric (default: the scenario's primary; binary boards also take 'accuracy'; "
            "rating and regression boards rmse, mae or true_rmse; top-N boards the @10 ranking metrics)"
        ),
    )
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


def _add_participant_actions(actions: _Actions) -> None:
    """add, submit, show and select: what participants (and the host, for ``add``) do during the run."""
    add = actions.add_parser("add", help="add participants and print their tokens")
    _store_argument(add)
    add.add_argument("names", nargs="+", metavar="NAME")
    _json_argument(add)
    add.set_defaults(run=f"{_HANDLERS}:add")

    submit = actions.add_parser("submit", help="submit a predictions file (local store, or --url and --token)")
    submit.add_argument("predictions", help=_PREDICTIONS_HELP)
    _store_argument(submit)
    submit.add_argument("--participant", help="your name on a local store")
    _remote_arguments(submit)
    submit.add_argument("--label", default=None, help="a note to yourself, e.g. the model's name")
    _json_argument(submit)
    submit.set_defaults(run=f"{_HANDLERS}:submit")

    show = actions.add_parser("show", help="print the standings (or one participant's submissions)")
    _store_argument(show)
    _remote_arguments(show)
    show.add_argument("--private", action="store_true", help="final standings on the private part (after close)")
    show.add_argument("--participant", help="a participant's own submissions (local store)")
    show.add_argument("--mine", action="store_true", help="your own submissions (with --url and --token)")
    _json_argument(show)
    show.set_defaults(run=f"{_HANDLERS}:show")

    select = actions.add_parser("select", help="choose the submissions that count for the private standing")
    select.add_argument("numbers", nargs="+", type=int, metavar="NUMBER")
    _store_argument(select)
    select.add_argument("--participant", help="your name on a local store")
    _remote_arguments(select)
    select.set_defaults(run=f"{_HANDLERS}:select")


def _add_host_actions(actions: _Actions) -> None:
    """close, export and serve: what the host does with the board."""
    close = actions.add_parser("close", help="close the board and print the final (private) standings")
    _store_argument(close)
    _json_argument(close)
    close.set_defaults(run=f"{_HANDLERS}:close")

    export = actions.add_parser("export", help="write the board's results, or the participants' data with --data")
    _store_argument(export)
    export.add_argument("--out", required=True, metavar="DIR", help="output folder")
    export.add_argument(
        "--data",
        action="store_true",
        help="write the participants' data (train, test features, prompt) instead of results",
    )
    export.add_argument("--format", choices=FORMATS, default="parquet", help="data file format with --data")
    export.set_defaults(run=f"{_HANDLERS}:export")

    serve = actions.add_parser("serve", help="serve the board over HTTP: a page, a JSON API, an OpenAPI spec")
    _store_argument(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--max-upload-mb", type=float, default=16.0, help="largest accepted upload in MiB (default: 16)")
    serve.set_defaults(run=_SERVE)


def _add_practice_actions(actions: _Actions) -> None:
    """practice and history: one person's scores over time, no board needed."""
    practice = actions.add_parser("practice", help="score predictions on a case and add them to your practice history")
    practice.add_argument("scenario_id")
    practice.add_argument("predictions", help=_PREDICTIONS_HELP)
    practice.add_argument("--seed", type=int, required=True, help="seed of the case the predictions were made for")
    add_param_argument(practice, help_text="generator parameter (repeatable)")
    practice.add_argument("--store", default=None, help=_STORE_HELP)
    practice.add_argument("--user", default="me", help="whose history (default: me)")
    practice.add_argument("--name", default=None, help="name of this attempt (default: the file name)")
    _json_argument(practice)
    practice.set_defaults(run=f"{_HANDLERS}:practice")

    history = actions.add_parser("history", help="print your practice history and its trend")
    history.add_argument("scenario_id", nargs="?", default=None)
    history.add_argument("--store", default=None, help=_STORE_HELP)
    history.add_argument("--user", default="me", help="whose history (default: me)")
    _json_argument(history)
    history.set_defaults(run=f"{_HANDLERS}:history")


def add_commands(commands: _Actions) -> None:
    """Add ``leaderboard`` and its sub-commands to the ``casestudies`` parser's sub-parsers."""
    board = commands.add_parser(
        "leaderboard", help="run a leaderboard (create, submit, show, close, export, serve) or keep a practice history"
    )
    actions = board.add_subparsers(dest="leaderboard_command", required=True, metavar="ACTION", parser_class=Parser)
    _add_create(actions)
    _add_participant_actions(actions)
    _add_host_actions(actions)
    _add_practice_actions(actions)
