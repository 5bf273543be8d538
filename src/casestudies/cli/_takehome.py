"""``casestudies takehome create|grade``: the take-home commands' arguments.

Added to the main parser by :func:`add_commands`; their handlers live in
:mod:`casestudies.cli._run_takehome`, imported only when one of them runs
(see :mod:`casestudies.cli._main`). Errors reach the user as ``error: ...``
lines and exit code 2.
"""

from __future__ import annotations

import argparse

from casestudies.cli._common import Parser, add_param_argument, positive_seconds

__all__ = ["add_commands"]

_HANDLERS = "casestudies.cli._run_takehome"


def _add_create(actions: argparse._SubParsersAction[Parser]) -> None:
    create = actions.add_parser("create", help="write one bundle per candidate and a private interviewer key")
    create.add_argument("scenario_id", help="scenario id, e.g. fraud-v1 (see `casestudies list`)")
    create.add_argument("--candidates", required=True, help="comma-separated candidate names, e.g. alice,bob")
    create.add_argument("--out", required=True, help="output folder (gets bundles/ and key/)")
    create.add_argument("--zip", action="store_true", help="also write bundles/<candidate>.zip, ready to send")
    add_param_argument(create, help_text="override a generator parameter (repeatable)")
    create.add_argument(
        "--tolerance",
        metavar="T",
        help="largest spread of difficulty across variants: 0.05, or oracle=0.05,reference=0.12",
    )
    create.add_argument(
        "--max-redraws", type=int, default=8, help="variants that may be redrawn to meet the tolerance (default 8)"
    )
    create.add_argument(
        "--no-baselines",
        action="store_true",
        help="measure difficulty by the oracle only (fast; no reference pipeline)",
    )
    create.add_argument("--rubric", metavar="FILE", help="a rubric TOML file replacing the scenario's")
    create.add_argument("--hours", type=float, help="time guidance in the README (default: the rubric's)")
    create.add_argument(
        "--seed", type=int, help="seed of the secrets, for reproducible demos only; omit it for real take-homes"
    )
    create.add_argument("--force", action="store_true", help="replace a take-home already in --out")
    create.add_argument("--json", action="store_true", help="print what was written as JSON")
    create.add_argument("--quiet", action="store_true", help="no progress bars or progress lines")
    create.set_defaults(run=f"{_HANDLERS}:create")


def _add_grade(actions: argparse._SubParsersAction[Parser]) -> None:
    grade = actions.add_parser("grade", help="grade a submission (or a folder of them) against the key")
    grade.add_argument("key", help="the key folder written by `takehome create` (OUT/key)")
    grade.add_argument("candidate", nargs="?", help="candidate name")
    grade.add_argument("submission", nargs="?", help="the candidate's submission.csv (or .parquet)")
    grade.add_argument(
        "--diagnosis", metavar="FILE", help="the candidate's diagnosis file, for scenarios that grade one"
    )
    grade.add_argument(
        "--all", metavar="FOLDER", help="grade a folder of <candidate>.csv files into one comparison table"
    )
    grade.add_argument("--bundles", metavar="FOLDER", help="the bundles to check (default: bundles/ next to the key)")
    grade.add_argument("--json", action="store_true", help="print the grades as JSON")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="stop grading a candidate after this many seconds: reported as failed, the others graded (exit 1)",
    )
    grade.set_defaults(run=f"{_HANDLERS}:grade")


def add_commands(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``takehome create`` and ``takehome grade`` to the ``casestudies`` sub-commands."""
    takehome = commands.add_parser("takehome", help="take-home tasks: candidate bundles, interviewer keys, grading")
    actions = takehome.add_subparsers(dest="takehome_command", required=True, metavar="ACTION")
    _add_create(actions)
    _add_grade(actions)
