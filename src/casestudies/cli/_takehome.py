"""``casestudies takehome create|grade``: the take-home commands of the command line.

Added to the main parser by :func:`add_commands`; errors reach the user
through ``casestudies.cli._main.main`` as ``error: ...`` lines and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from casestudies.exceptions import InvalidParameterError
from casestudies.takehome._create import create_takehome
from casestudies.takehome._grade import grade_takehome

__all__ = ["add_commands"]


def _tolerance(text: str | None) -> float | dict[str, float] | None:
    """``0.05`` or ``oracle=0.05,reference=0.12``."""
    if text is None:
        return None
    try:
        if "=" not in text:
            return float(text)
        pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError:
        message = f"--tolerance expects a number like 0.05, or oracle=0.05,reference=0.12; got {text!r}."
        raise InvalidParameterError(message) from None


def _cmd_create(args: argparse.Namespace) -> int:
    from casestudies.cli._main import _parse_param

    params = dict(_parse_param(text, args.scenario_id) for text in args.param)
    takehome = create_takehome(
        args.scenario_id,
        candidates=args.candidates,
        out=args.out,
        seed=args.seed,
        params=params,
        zip_bundles=args.zip,
        tolerance=_tolerance(args.tolerance),
        max_redraws=args.max_redraws,
        baselines=not args.no_baselines,
        rubric=args.rubric,
        hours=args.hours,
        overwrite=args.force,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(json.dumps(takehome.to_dict(), indent=2) if args.json else takehome)
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    if args.all is not None:
        if args.candidate is not None or args.diagnosis is not None:
            raise InvalidParameterError(
                "takehome grade: pass either CANDIDATE SUBMISSION [--diagnosis FILE] or --all FOLDER, not both; with --all, name diagnosis files <candidate>.diagnosis.md inside FOLDER."
            )
        grading = grade_takehome(args.key, args.all, bundles=args.bundles, errors="record")
    else:
        if args.candidate is None or args.submission is None:
            raise InvalidParameterError(
                "takehome grade: expected KEY CANDIDATE SUBMISSION (e.g. `casestudies takehome grade out/key alice submission.csv`) or KEY --all FOLDER."
            )
        diagnoses = {args.candidate: args.diagnosis} if args.diagnosis is not None else None
        grading = grade_takehome(args.key, {args.candidate: args.submission}, diagnoses=diagnoses, bundles=args.bundles)
    if args.json:
        print(json.dumps({name: grade.to_dict() for name, grade in grading.grades.items()}, indent=2))
    else:
        print(grading)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``takehome create`` and ``takehome grade`` to the ``casestudies`` sub-commands."""
    takehome = commands.add_parser("takehome", help="take-home tasks: candidate bundles, interviewer keys, grading")
    actions = takehome.add_subparsers(dest="takehome_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="write one bundle per candidate and a private interviewer key")
    create.add_argument("scenario_id", help="scenario id, e.g. fraud-v1 (see `casestudies list`)")
    create.add_argument("--candidates", required=True, help="comma-separated candidate names, e.g. alice,bob")
    create.add_argument("--out", required=True, help="output folder (gets bundles/ and key/)")
    create.add_argument("--zip", action="store_true", help="also write bundles/<candidate>.zip, ready to send")
    create.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="override a generator parameter (repeatable)"
    )
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
    create.set_defaults(run=_cmd_create)

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
    grade.set_defaults(run=_cmd_grade)
