"""The reference-score cache: a second ``casestudies score`` of the same case against scoring alone.

Run ``python benchmarks/bench_cache.py [--customers N] [--repeats R]`` (the
package installed). In a fresh cache folder (``CASESTUDIES_CACHE_DIR``) it
generates a fraud-v1 case (defaults: 2,000 customers, 56 + 14 days), writes a
predictions file, and prints the median wall time, over fresh processes, of

* ``casestudies score ... --no-baselines``: scoring alone (the process, the
  case, the submission's scores), the baseline of this benchmark;
* ``casestudies score ...`` with an empty cache: the baselines, the expert
  reference and the oracle refitted (the first run);
* ``casestudies score ...`` with the cache filled by that run (every later run);

and the ratios of the last two to scoring alone (target: cached <= 1.5x).
The same three are also timed inside one process (``Case.score``), where
process start and generation do not dilute the ratio.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import casestudies as cs
from _timing import median_seconds
from casestudies.case import cache_info, clear_cache

TARGET_RATIO = 1.5
SEED = 11


def _command(*argv: str) -> list[str]:
    executable = shutil.which("casestudies")
    return [executable, *argv] if executable else [sys.executable, "-m", "casestudies", *argv]


def _run(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=os.environ)
    return time.perf_counter() - started


def command_line(customers: int, repeats: int, folder: Path) -> dict[str, float]:
    """Median seconds of ``casestudies score`` without references, uncached and cached."""
    params = ["--param", f"n_customers={customers}"]
    case = cs.make("fraud-v1", seed=SEED, n_customers=customers, cache=False)
    predictions = folder / "predictions.csv"
    pd.DataFrame({"transaction_id": case.test["transaction_id"], "prediction": 0.01}).to_csv(predictions, index=False)
    score = _command("score", "fraud-v1", "--seed", str(SEED), *params, str(predictions), "--quiet")
    alone = median_seconds(lambda: _run([*score, "--no-baselines"]), repeats)
    uncached, cached = [], []
    for _ in range(repeats):
        clear_cache()
        uncached.append(_run(score))
        entries = cache_info().files
        cached.append(_run(score))
        if cache_info().files != entries:  # the source changed between the runs (a development checkout)
            print("  note: the second run missed the cache (package source changed); timing it again")
            cached[-1] = _run(score)
    return {"alone": alone, "uncached": float(np.median(uncached)), "cached": float(np.median(cached))}


def in_process(customers: int, repeats: int) -> dict[str, float]:
    """Median seconds of ``Case.score`` without references, with them refitted, and with them from the cache."""
    case = cs.make("fraud-v1", seed=SEED, n_customers=customers)
    values = np.full(len(case.test), 0.01)

    def fresh(cache: bool) -> cs.Case:
        return cs.make("fraud-v1", seed=SEED, n_customers=customers, cache=cache)

    cases = [fresh(True) for _ in range(repeats)]  # generation is not what is timed
    alone = median_seconds(lambda: case.score(values, baselines=False), repeats)
    uncached = median_seconds(lambda: fresh(False).score(values), 1)
    clear_cache()
    case.score(values)  # fills the cache
    cached = float(np.median([_timed(functools.partial(item.score, values)) for item in cases]))
    return {"alone": alone, "uncached": uncached, "cached": cached}


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000, help="n_customers of the fraud-v1 case")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CASESTUDIES_CACHE_DIR"] = str(Path(folder) / "cache")
        os.environ["CASESTUDIES_PROGRESS"] = "off"
        print(f"fraud-v1, n_customers={args.customers}, seed {SEED}; median of {args.repeats}")
        for title, timings in (
            ("casestudies score (fresh processes)", command_line(args.customers, args.repeats, Path(folder))),
            ("Case.score (one process)", in_process(args.customers, args.repeats)),
        ):
            alone = timings["alone"]
            print(f"{title}:")
            print(f"  scoring alone (--no-baselines)  {alone:8.3f} s   1.00x")
            print(
                f"  references refitted (uncached)  {timings['uncached']:8.3f} s  {timings['uncached'] / alone:5.2f}x"
            )
            verdict = "ok" if timings["cached"] / alone <= TARGET_RATIO else "over target"
            print(
                f"  references from the cache       {timings['cached']:8.3f} s  {timings['cached'] / alone:5.2f}x"
                f"   (target <= {TARGET_RATIO}x: {verdict})"
            )


if __name__ == "__main__":
    main()
