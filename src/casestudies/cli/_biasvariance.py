"""``casestudies bias-variance``: the bias-variance lab's arguments.

Added to the main parser by :func:`add_commands`; the handler lives in
:mod:`casestudies.cli._run_biasvariance`, imported only when the command
runs (see :mod:`casestudies.cli._main`).

Examples
--------
>>> from casestudies.cli._main import build_parser
>>> args = build_parser().parse_args(["bias-variance", "overfit-v1", "--pipeline", "naive", "--train-sizes", "100,300"])
>>> args.train_sizes, args.draws
([100, 300], 30)
"""

from __future__ import annotations

import argparse

from casestudies.cli._common import Parser, add_param_argument

__all__ = ["add_commands"]

_HANDLERS = "casestudies.cli._run_biasvariance"


def _int_list(text: str) -> list[int]:
    """``--train-sizes 100,300,1000``: positive integers separated by commas."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 2:
        raise argparse.ArgumentTypeError(
            f"expected sizes of 2 rows or more separated by commas, like 100,300; got {text!r}"
        )
    return values


def add_commands(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``bias-variance`` to the main parser."""
    lab = commands.add_parser(
        "bias-variance",
        help="split a pipeline's expected error into noise, bias² and variance over fresh training draws",
    )
    lab.add_argument("scenario_id", help="a scenario that can redraw its training data, e.g. overfit-v1")
    lab.add_argument("--seed", type=int, help="seed of the case; omitted: a fresh seed, printed")
    add_param_argument(lab, help_text="override a generator parameter (repeatable)")
    lab.add_argument("--pipeline", required=True, help="built-in baseline name (see `show`) or package.module:factory")
    lab.add_argument("--draws", type=int, default=30, help="training draws (default 30, at least 3)")
    lab.add_argument("--train-size", type=int, help="rows per training draw (default: as many as the case's)")
    lab.add_argument("--jobs", type=int, default=1, help="parallel workers (default 1; -1 for every core)")
    sweep = lab.add_mutually_exclusive_group()
    sweep.add_argument(
        "--sweep", metavar="PARAM=V1,V2,...", help="a curve over a pipeline parameter, e.g. model__max_depth=1,2,4,8"
    )
    sweep.add_argument("--train-sizes", type=_int_list, metavar="N1,N2,...", help="a curve over training sizes")
    lab.add_argument("--json", action="store_true", help="print the result as JSON")
    lab.add_argument("--quiet", action="store_true", help="no progress bar")
    lab.set_defaults(run=f"{_HANDLERS}:bias_variance_command")
