"""``casestudies generate --partition-rows N`` (a case as partitioned Parquet, the holdout apart) and ``score-dataset``.

``score-dataset HOST PREDICTIONS`` scores a predictions dataset against the
host folder a chunk at a time (:func:`casestudies.score_dataset`) and prints
the report ``casestudies score`` prints, without reference rows; ``--json``
prints its data with every interval. Its errors (a missing folder, a
learner's folder given as the host, predictions that are not Parquet, lack a
column or a row) print as one ``error:`` line with exit code 2.

Examples
--------
>>> from casestudies.cli._main import build_parser
>>> args = build_parser().parse_args(["generate", "fraud-v1", "--out", "case", "--partition-rows", "500000"])
>>> args.partition_rows
500000
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casestudies.case import HOST_DIR, LEARNER_DIR, generate, in_memory_note, score_dataset_report, scoring_command
from casestudies.cli._common import EXIT_OK, parse_params, print_report
from casestudies.core import counted
from casestudies.exceptions import InvalidParameterError

__all__ = ["generate_partitioned", "score_dataset"]


def generate_partitioned(args: argparse.Namespace) -> int:
    """Write ``--out``/learner (train, test, prompt, data card, manifest) and ``--out``/host (the holdout)."""
    if args.format != "parquet":
        message = f"--partition-rows writes Parquet datasets; got --format {args.format}. Drop --format or use parquet."
        raise InvalidParameterError(message)
    out = Path(args.out)
    manifest = generate(
        args.scenario_id,
        seed=args.seed,
        out=out,
        partition_rows=args.partition_rows,
        progress=False if args.quiet else None,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        **parse_params(args.param, args.scenario_id),
    )
    frames = manifest["frames"]
    assert isinstance(frames, dict)
    print(f"{manifest['scenario_id']} seed {manifest['seed']}: fingerprint {manifest['fingerprint']}")
    for name, facts in frames.items():
        rows, partitions = counted(facts["rows"], "row"), counted(facts["partitions"], "partition")
        print(f"  {out / LEARNER_DIR / name}/: {rows} in {partitions}")
    print(f"  {out / LEARNER_DIR}/: prompt.md, data_card.json, manifest.json (hand this folder to the learner)")
    host = out / HOST_DIR
    note = in_memory_note(manifest)
    scoring = f"score with `{scoring_command(manifest, host)}`" + (f"; {note}" if note else "")
    print(f"  {host}/: the hidden holdout (keep it; {scoring})")
    return EXIT_OK


def score_dataset(args: argparse.Namespace) -> int:
    """``casestudies score-dataset HOST PREDICTIONS``: score a predictions dataset in chunks, print the report."""
    progress = False if args.quiet else None  # None: a bar only on a terminal
    report = score_dataset_report(args.host, args.predictions, n_boot=args.n_boot, progress=progress)
    print_report(report, args.json)
    return EXIT_OK
