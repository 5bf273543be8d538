"""The options of ``casestudies generate --partition-rows`` that choose where partitions are written.

The handler is :mod:`casestudies.cli._run_stream`, imported only when the command runs.

Examples
--------
>>> from casestudies.cli._main import build_parser
>>> args = build_parser().parse_args(
...     ["generate", "fraud-v1", "--out", "case", "--partition-rows", "1000000", "--engine", "dask", "--workers", "2"]
... )
>>> args.engine, args.workers, args.scheduler
('dask', 2, None)
"""

from __future__ import annotations

import argparse

__all__ = ["add_engine_arguments"]


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
