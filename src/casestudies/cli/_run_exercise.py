"""Handlers of ``casestudies exercise list|start|check|evaluate`` (loaded by ``cli._main.main`` when one runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from casestudies.cli._common import EXIT_OK, EXIT_PIPELINE, parse_params, print_json, print_report
from casestudies.coding import check_exercise, evaluate_exercise, exercises, start_exercise

__all__ = ["check", "evaluate", "list_exercises", "start"]


def list_exercises(args: argparse.Namespace) -> int:
    """``casestudies exercise list``: every exercise with its title."""
    found = exercises()
    if args.json:
        print_json([item.to_dict() for item in found])
    else:
        for item in found:
            print(item)
        print("Start one with: casestudies exercise start ID --out FOLDER")
    return EXIT_OK


def start(args: argparse.Namespace) -> int:
    """``casestudies exercise start``: write the exercise's folder."""
    folder = start_exercise(args.exercise_id, args.out, overwrite=args.force)
    print(f"{args.exercise_id}: wrote README.md, solution.py and test_public.py in {folder}")
    print(f"Read README.md, fill in solution.py, then: casestudies exercise check {folder}")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    """``casestudies exercise check``: the hidden battery's verdict; exit 1 when a test fails."""
    result = check_exercise(args.path, exercise_id=args.exercise, seed=args.seed, tests=args.test)
    if args.html is not None:
        Path(args.html).write_text(result.to_html(), encoding="utf-8")
    if args.json:
        print_json(result.to_dict())
    else:
        print(result)
    return EXIT_OK if result.passed else EXIT_PIPELINE


def evaluate(args: argparse.Namespace) -> int:
    """``casestudies exercise evaluate``: the learner's model on a scenario, through the normal report."""
    report = evaluate_exercise(
        args.path,
        args.scenario_id,
        exercise_id=args.exercise,
        seed=args.seed,
        baselines=not args.no_baselines,
        params=parse_params(args.param, args.scenario_id),
    )
    print_report(report, args.json)
    return EXIT_OK
