"""``casestudies generate --partition-rows N``: a case as partitioned Parquet, the holdout apart.

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

from casestudies.case import HOST_DIR, LEARNER_DIR, generate
from casestudies.cli._common import EXIT_OK, parse_params
from casestudies.exceptions import InvalidParameterError

__all__ = ["generate_partitioned"]


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
        print(f"  {out / LEARNER_DIR / name}/: {facts['rows']:,} rows in {facts['partitions']} partitions")
    print(f"  {out / LEARNER_DIR}/: prompt.md, data_card.json, manifest.json (hand this folder to the learner)")
    print(f"  {out / HOST_DIR}/: the hidden holdout (keep it; score with casestudies.score_dataset)")
    return EXIT_OK
