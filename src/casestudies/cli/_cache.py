"""``casestudies cache info|clear``: the reference-score cache's arguments.

Added to the main parser by :func:`add_commands`; the handlers live in
:mod:`casestudies.cli._run_cache`, imported only when one of them runs (see
:mod:`casestudies.cli._main`).
"""

from __future__ import annotations

import argparse

from casestudies.cli._common import Parser

__all__ = ["add_commands"]

_HANDLERS = "casestudies.cli._run_cache"


def add_commands(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``cache info`` and ``cache clear`` to the ``casestudies`` sub-commands.

    Examples
    --------
    >>> from casestudies.cli._cache import add_commands
    >>> from casestudies.cli._common import Parser
    >>> parser = Parser(prog="casestudies")
    >>> add_commands(parser.add_subparsers(parser_class=Parser))
    >>> parser.parse_args(["cache", "clear"]).run
    'casestudies.cli._run_cache:clear'
    """
    cache = commands.add_parser(
        "cache",
        help="the cached scores of reference rows: where they are, how big, clear them",
        description=(
            "The reference rows of a report (baselines, expert reference, oracle) are scored once per case "
            "and kept in a user cache folder, so the next `casestudies score` of the same case does not refit "
            "them. Set CASESTUDIES_CACHE_DIR to use another folder."
        ),
    )
    actions = cache.add_subparsers(dest="cache_command", required=True, metavar="ACTION", parser_class=Parser)
    info = actions.add_parser("info", help="print the cache folder, the number of cached cases and their size")
    info.add_argument("--json", action="store_true", help="print it as JSON")
    info.set_defaults(run=f"{_HANDLERS}:info")
    clear = actions.add_parser("clear", help="delete every cached reference score")
    clear.set_defaults(run=f"{_HANDLERS}:clear")
