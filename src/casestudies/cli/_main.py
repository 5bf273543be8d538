"""The ``casestudies`` command line: list, show, generate, evaluate, score, and the take-home and leaderboard groups.

Exit codes: 0 success; 1 the user's pipeline raised (or did not finish in
``--timeout`` seconds); 2 usage or input error; 130 interrupted with Ctrl-C
(one line, no traceback, no half-written output); 141 the reader of standard
output went away (``casestudies list | head``), quietly.

How a command runs: the parser is built from the argument modules only
(this one, :mod:`casestudies.cli._leaderboard` and
:mod:`casestudies.cli._takehome`), which load what the arguments need
(choices, defaults) and none of the handlers, so ``casestudies --help``
does not import the Case, scikit-learn or a feature's machinery. Each
sub-command names its handler as a ``"module:function"`` string in its
``run`` default, for example ``"casestudies.cli._run_case:evaluate"``;
:func:`main` imports that one module with :mod:`importlib` after parsing
(:func:`resolve_handler`), and the handler modules (``_run_*``) import the
library at their top. This is the one place where the command line imports
its own modules lazily, on purpose.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import cast

from casestudies._version import VERSION
from casestudies.cli import _biasvariance, _cache, _exercise, _leaderboard, _takehome
from casestudies.cli._common import (
    Handler,
    Parser,
    add_param_argument,
    interrupted,
    positive_seconds,
    quiet_broken_pipe,
    run_handler,
)
from casestudies.cli._stream import add_engine_arguments, add_score_dataset_command
from casestudies.core import FORMATS

__all__ = ["build_parser", "main", "resolve_handler"]

_CATALOG = "casestudies.cli._run_catalog"
_CASE = "casestudies.cli._run_case"


def _add_case_arguments(parser: argparse.ArgumentParser, *, seed_required: bool = False) -> None:
    parser.add_argument("scenario_id", help="scenario id, e.g. fraud-v1 (see `casestudies list`)")
    seed_help = "seed of the case" + (
        " the predictions were made for (required)" if seed_required else "; omitted: a fresh seed, printed"
    )
    parser.add_argument("--seed", type=int, required=seed_required, help=seed_help)
    add_param_argument(parser, help_text="override a generator parameter (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars (they show only on a terminal anyway)")


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--no-baselines", action="store_true", help="skip baselines, expert reference and oracle")
    parser.add_argument("--html", metavar="PATH", help="also write the report with its figures as one HTML page")
    parser.add_argument(
        "--audience",
        choices=("technical", "stakeholder"),
        default="technical",
        help="stakeholder: what the model does for the business, in its words, without metric names",
    )


def _add_case_commands(commands: argparse._SubParsersAction[Parser]) -> None:
    commands.add_parser("list", help="list the registered scenarios").set_defaults(run=f"{_CATALOG}:list_scenarios")

    show = commands.add_parser("show", help="describe a scenario: prompt, parameters, metric")
    show.add_argument("scenario_id")
    show.set_defaults(run=f"{_CATALOG}:show")

    generate = commands.add_parser("generate", help="write a case's training data and test features (no labels)")
    _add_case_arguments(generate)
    generate.add_argument("--out", required=True, help="output folder")
    generate.add_argument("--format", choices=FORMATS, default="parquet")
    generate.add_argument(
        "--partition-rows",
        type=int,
        metavar="N",
        help="stream: write learner/ (train, test as Parquet partitions of N rows) and host/ (the holdout)",
    )
    add_engine_arguments(generate)
    generate.set_defaults(run=f"{_CASE}:generate")

    evaluate = commands.add_parser("evaluate", help="fit a pipeline and score it on the hidden holdout")
    _add_case_arguments(evaluate)
    evaluate.add_argument(
        "--pipeline", required=True, help="built-in baseline name (see `show`) or package.module:factory"
    )
    evaluate.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="stop the pipeline's fitting and predicting after this many seconds (exit 1: 'your pipeline did not "
        "finish'); default: no limit",
    )
    _add_report_arguments(evaluate)
    evaluate.set_defaults(run=f"{_CASE}:evaluate")

    score = commands.add_parser("score", help="score a file of predictions on the hidden holdout")
    _add_case_arguments(score, seed_required=True)
    score.add_argument("predictions", help="CSV or Parquet file with columns id,prediction")
    _add_report_arguments(score)
    score.set_defaults(run=f"{_CASE}:score")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``casestudies`` command (its handlers are not imported)."""
    parser = Parser(prog="casestudies", description="ML interview case studies as scored exercises on simulated data.")
    parser.add_argument("--version", action="version", version=f"casestudies {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    _add_case_commands(commands)
    add_score_dataset_command(commands)
    _takehome.add_commands(commands)
    _leaderboard.add_commands(commands)
    _biasvariance.add_commands(commands)
    _exercise.add_commands(commands)
    _cache.add_commands(commands)
    return parser


def resolve_handler(reference: str) -> Handler:
    """Import the handler named ``"package.module:function"`` (the lazy step described above)."""
    module_name, _, function = reference.partition(":")
    return cast(Handler, getattr(importlib.import_module(module_name), function))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> from casestudies.cli import main
    >>> main(["show", "overfit-v1"])  # doctest: +ELLIPSIS
    overfit-v1 — Churn: high train score, low test score
    ...
    baselines: prior, naive, regularised, expert (use with `casestudies evaluate overfit-v1 --pipeline NAME`)
    ...
    0
    """
    try:
        args = build_parser().parse_args(argv)
        return run_handler(resolve_handler(args.run), args)
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:  # while argparse printed --help or usage
        return quiet_broken_pipe()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
