"""Handlers of ``casestudies takehome create|grade`` (loaded by ``cli._main.main`` when one of them runs)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from casestudies.cli._common import EXIT_OK, EXIT_PIPELINE, parse_params
from casestudies.core import PROGRESS_ENV
from casestudies.exceptions import InvalidParameterError
from casestudies.takehome import create_takehome, grade_takehome

__all__ = ["create", "grade"]


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


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def create(args: argparse.Namespace) -> int:
    """``casestudies takehome create``: write the candidates' bundles and the interviewer's key."""
    if args.quiet:
        os.environ[PROGRESS_ENV] = "off"  # this process only: the variants' bars are drawn deep in the library
    takehome = create_takehome(
        args.scenario_id,
        candidates=args.candidates,
        out=args.out,
        seed=args.seed,
        params=parse_params(args.param, args.scenario_id),
        zip_bundles=args.zip,
        tolerance=_tolerance(args.tolerance),
        max_redraws=args.max_redraws,
        baselines=not args.no_baselines,
        rubric=args.rubric,
        hours=args.hours,
        overwrite=args.force,
        progress=None if args.quiet else _progress,
    )
    print(json.dumps(takehome.to_dict(), indent=2) if args.json else takehome)
    return EXIT_OK


def grade(args: argparse.Namespace) -> int:
    """``casestudies takehome grade``: grade one candidate's submission, or a folder of them with ``--all``.

    With ``--timeout SECONDS`` each candidate is graded in a separate process; one that does not finish is
    reported as failed, the others are graded, and the command exits with :data:`EXIT_PIPELINE`.
    """
    if args.all is not None:
        if args.candidate is not None or args.diagnosis is not None:
            message = (
                "takehome grade: pass either CANDIDATE SUBMISSION [--diagnosis FILE] or --all FOLDER, not both; "
                "with --all, name diagnosis files <candidate>.diagnosis.md inside FOLDER."
            )
            raise InvalidParameterError(message)
        grading = grade_takehome(
            args.key,
            args.all,
            bundles=args.bundles,
            errors="record",
            progress=False if args.quiet else None,
            timeout=args.timeout,
        )
    else:
        if args.candidate is None or args.submission is None:
            message = (
                "takehome grade: expected KEY CANDIDATE SUBMISSION "
                "(e.g. `casestudies takehome grade out/key alice submission.csv`) or KEY --all FOLDER."
            )
            raise InvalidParameterError(message)
        diagnoses = {args.candidate: args.diagnosis} if args.diagnosis is not None else None
        grading = grade_takehome(
            args.key,
            {args.candidate: args.submission},
            diagnoses=diagnoses,
            bundles=args.bundles,
            progress=False if args.quiet else None,
            timeout=args.timeout,
        )
    if args.json:
        print(json.dumps({name: result.to_dict() for name, result in grading.grades.items()}, indent=2))
    else:
        print(grading)
    failed = [name for name, result in grading.grades.items() if result.status == "failed"]
    if failed:  # the others are graded and printed; the exit status says that not all of them are
        print(f"error: grading did not finish for {', '.join(failed)} (--timeout {args.timeout:g}).", file=sys.stderr)
        return EXIT_PIPELINE
    return EXIT_OK
