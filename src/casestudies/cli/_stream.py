"""Arguments of the commands for cases on disk: ``generate --partition-rows`` options and ``score-dataset``.

The handlers are in :mod:`casestudies.cli._run_stream`, imported only when a command runs.

Examples
--------
>>> from casestudies.cli._main import build_parser
>>> args = build_parser().parse_args(
...     ["generate", "fraud-v1", "--out", "case", "--partition-rows", "1000000", "--engine", "dask", "--workers", "2"]
... )
>>> args.engine, args.workers, args.scheduler
('dask', 2, None)
>>> args = build_parser().parse_args(["score-dataset", "case/host", "predictions/", "--n-boot", "200"])
>>> args.host, args.predictions, args.n_boot, args.run
('case/host', 'predictions/', 200, 'casestudies.cli._run_stream:score_dataset')
"""

from __future__ import annotations

import argparse

from casestudies.cli._common import Parser
from casestudies.core import BINARY_N_BOOT  # core's: the parser must not load the scoring library

__all__ = ["add_engine_arguments", "add_score_dataset_command"]

_HANDLERS = "casestudies.cli._run_stream"


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--engine``, ``--workers`` and ``--scheduler`` to ``generate``."""
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="with --partition-rows: write the partitions here (local) or as tasks on a Dask cluster "
        '(pip install "casestudies[dask]"); the bytes are the same',
    )
    parser.add_argument("--workers", type=int, help="with --engine dask: workers of the local cluster (default 1)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="with --engine dask: a running scheduler, tcp://host:port"
    )


def add_score_dataset_command(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``score-dataset HOST PREDICTIONS`` to the ``casestudies`` sub-commands."""
    score = commands.add_parser(
        "score-dataset",
        help="score a Parquet file or folder of predictions against a holdout written by generate --partition-rows",
        description=(
            "Score predictions of a case written by `casestudies generate --partition-rows` against its host folder, "
            "a chunk of rows at a time (bounded memory at any size). Prints the same scores and intervals as "
            "`casestudies score`, without the reference rows."
        ),
    )
    score.add_argument("host", help="the host/ folder written by generate (or the --out folder above it)")
    score.add_argument(
        "predictions", help="Parquet file or folder of Parquet files: the id column and prediction, in test order"
    )
    score.add_argument(
        "--n-boot",
        type=int,
        default=BINARY_N_BOOT,
        metavar="N",
        help=f"bootstrap replicates per part for the intervals (default {BINARY_N_BOOT})",
    )
    score.add_argument("--json", action="store_true", help="print the report as JSON (every interval)")
    score.add_argument("--quiet", action="store_true", help="no progress bar (it shows only on a terminal anyway)")
    score.set_defaults(run=f"{_HANDLERS}:score_dataset")
