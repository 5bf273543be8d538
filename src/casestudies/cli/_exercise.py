"""``casestudies exercise list|start|check|evaluate``: the coding exercises' arguments.

Added to the main parser by :func:`add_commands`; the handlers live in
:mod:`casestudies.cli._run_exercise`, imported only when one of them runs.
``exercise check`` exits 0 when every hidden test passes and 1 when one
fails, so scripts can use it.

Examples
--------
>>> from casestudies.cli._main import build_parser
>>> args = build_parser().parse_args(["exercise", "check", "lr/", "--json"])
>>> args.run, args.path, args.json
('casestudies.cli._run_exercise:check', 'lr/', True)
"""

from __future__ import annotations

import argparse

from casestudies.cli._common import Parser, add_param_argument

__all__ = ["add_commands"]

_HANDLERS = "casestudies.cli._run_exercise"


def add_commands(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``exercise list|start|check|evaluate`` to the ``casestudies`` sub-commands."""
    group = commands.add_parser("exercise", help="coding exercises from scratch, checked by a hidden battery")
    actions = group.add_subparsers(dest="exercise_command", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="list the exercises")
    listing.add_argument("--json", action="store_true", help="print the exercises as JSON")
    listing.set_defaults(run=f"{_HANDLERS}:list_exercises")

    start = actions.add_parser("start", help="write an exercise's folder: README.md, solution.py stubs, public tests")
    start.add_argument("exercise_id", help="exercise id, e.g. logistic-regression-v1 (see `exercise list`)")
    start.add_argument("--out", required=True, help="folder to write into (created if missing)")
    start.add_argument("--force", action="store_true", help="replace a solution.py already in --out")
    start.set_defaults(run=f"{_HANDLERS}:start")

    check = actions.add_parser("check", help="run the hidden battery on a solution: pass/fail and a hint per test")
    check.add_argument("path", help="the exercise folder (or its solution.py)")
    check.add_argument("--exercise", metavar="ID", help="the exercise id, when the folder has no exercise.json")
    check.add_argument("--seed", type=int, help="seed of the hidden data (default: the exercise's)")
    check.add_argument("--test", action="append", default=None, metavar="NAME", help="run only this test (repeatable)")
    check.add_argument("--html", metavar="FILE", help="also write the result as an HTML page")
    check.add_argument("--json", action="store_true", help="print the result as JSON (one record per test)")
    check.set_defaults(run=f"{_HANDLERS}:check")

    evaluate = actions.add_parser("evaluate", help="score your model on a scenario, beside scikit-learn's")
    evaluate.add_argument("path", help="the exercise folder (or its solution.py)")
    evaluate.add_argument("scenario_id", help="a scenario of the exercise's task, e.g. fraud-v1")
    evaluate.add_argument("--exercise", metavar="ID", help="the exercise id, when the folder has no exercise.json")
    evaluate.add_argument("--seed", type=int, help="seed of the case")
    add_param_argument(evaluate, help_text="override a generator parameter (repeatable)")
    evaluate.add_argument("--no-baselines", action="store_true", help="skip baselines, expert reference and oracle")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(run=f"{_HANDLERS}:evaluate")
