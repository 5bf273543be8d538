"""The movies world at MovieLens scales: generation time and peak memory, each against a baseline in the same run.

Run ``python benchmarks/bench_movies_scale.py`` for ML-100K and ML-1M; add
``--large`` for ML-20M (138,493 users x 26,744 movies x 20 M ratings: the
scenario's largest ``n_ratings``, 263 short of the real ML-20M's
20,000,263; the ``-v3`` ids need several GB and many minutes). ``--scenario``
picks among ``movies-rating-v3``, ``movies-topn-v3``, ``movies-rating-v4`` and
``movies-topn-v4`` (all by default). The ``-v4`` ids stream a block of users
and a partition at a time (``make`` is never called): their peak must not
grow with the number of ratings.

Every run is a fresh process, so its peak RSS (``ru_maxrss``) is its own:

* ``casestudies.generate`` of the scenario to partitioned Parquet (``-v3``:
  builds the case with ``make``, then writes a partition at a time; ``-v4``:
  streams it): wall time, rows/s, and the peak RSS when ``make`` returned
  (``-v3``) and at the end;
* the guard's estimate (``estimate_size``) beside the measured peak;
* two baselines of the same number of rows, each in a fresh process:
  numpy drawing random ``(user_id, movie_id, timestamp, rating)`` rows into
  a pandas frame (the least a generator of such a table does), and
  ``scipy.sparse`` building a CSR matrix of the random ratings from COO
  triples (the least a rating pipeline does with them).

It prints the ratios of time and of peak RSS to each baseline. Peaks
include the interpreter and its imports (printed: the RSS before ``make``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# The children import the casestudies of this checkout, installed or not.
_SOURCE = str(Path(__file__).resolve().parents[1] / "src")
SCALES = {
    "ML-100K": {"n_users": 943, "n_movies": 1682, "n_ratings": 100_000},
    "ML-1M": {"n_users": 6040, "n_movies": 3706, "n_ratings": 1_000_209},
    "ML-20M": {"n_users": 138_493, "n_movies": 26_744, "n_ratings": 20_000_000},
}
SCENARIOS = ("movies-rating-v3", "movies-topn-v3", "movies-rating-v4", "movies-topn-v4")
_GENERATE = """
import json, resource, sys, time
import casestudies as cs
import casestudies.case._generate as generating
from casestudies.core import size_estimate
scenario, params, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
marks = {}
make = generating.make
def timed_make(*args, **kwargs):
    marks["before_bytes"] = rss()
    started = time.perf_counter()
    case = make(*args, **kwargs)
    marks["make_s"], marks["make_peak_bytes"] = time.perf_counter() - started, rss()
    return case
generating.make = timed_make
marks["start_bytes"] = rss()
started = time.perf_counter()
manifest = cs.generate(scenario, seed=0, out=out, partition_rows=1_000_000, memory_check=False, **params)
seconds = time.perf_counter() - started
estimate = size_estimate(cs.spec(scenario), {**cs.spec(scenario).defaults, **params}).bytes
print(json.dumps({"seconds": seconds, "peak_bytes": rss(), "estimate_bytes": estimate, **marks,
                  "fingerprint": manifest["fingerprint"]}))
"""
_NUMPY = """
import json, resource, sys, time
import numpy as np, pandas as pd
n_users, n_movies, n = (int(value) for value in sys.argv[1:4])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
rng = np.random.default_rng(0)
frame = pd.DataFrame({
    "user_id": rng.integers(1, n_users + 1, size=n),
    "movie_id": rng.integers(1, n_movies + 1, size=n),
    "timestamp": np.datetime64("1997-09-20", "ms") + rng.integers(0, 214 * 86_400_000, size=n).astype("m8[ms]"),
    "rating": rng.integers(1, 6, size=n, dtype=np.int8),
}, copy=False)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
frame_bytes = int(frame.memory_usage().sum())
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "before_bytes": before, "frame_bytes": frame_bytes}))
"""
_SPARSE = """
import json, resource, sys, time
import numpy as np
from scipy import sparse
n_users, n_movies, n = (int(value) for value in sys.argv[1:4])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
rng = np.random.default_rng(0)
users, movies = rng.integers(n_users, size=n), rng.integers(n_movies, size=n)
stars = rng.integers(1, 6, size=n).astype(np.float64)
matrix = sparse.coo_matrix((stars, (users, movies)), shape=(n_users, n_movies)).tocsr()
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "before_bytes": before}))
"""


def _child(*arguments: str) -> dict[str, Any]:
    path = os.pathsep.join(filter(None, [_SOURCE, os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-c", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": path})
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def generate_run(scenario: str, scale: dict[str, int]) -> dict[str, Any]:
    """Seconds and peak RSS of one ``generate`` (and of its ``make``) in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        return _child(_GENERATE, scenario, json.dumps(scale), out)


def baselines(scale: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Seconds and peak RSS of the two baselines of ``scale``'s ratings, each in a fresh process."""
    sizes = [str(scale[key]) for key in ("n_users", "n_movies", "n_ratings")]
    return {"numpy rows -> pandas": _child(_NUMPY, *sizes), "scipy COO -> CSR": _child(_SPARSE, *sizes)}


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:6.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also ML-20M (20 M ratings; GBs and many minutes)")
    parser.add_argument("--scenario", choices=SCENARIOS, action="append", help="scenario(s) to run (default both)")
    args = parser.parse_args()
    scenarios = args.scenario or list(SCENARIOS)
    scales = ["ML-100K", "ML-1M", "ML-20M"] if args.large else ["ML-100K", "ML-1M"]
    print("generate(...) to Parquet (1,000,000 rows per partition) vs baselines of as many rows; fresh process each")
    for label in scales:
        scale = SCALES[label]
        n = scale["n_ratings"]
        base = baselines(scale)
        print(f"{label}: {scale['n_users']:,} users x {scale['n_movies']:,} movies x {n:,} ratings")
        for name, run in base.items():
            extra = f", the frame itself {run['frame_bytes'] / 2**20:,.0f} MiB" if "frame_bytes" in run else ""
            print(f"  baseline {name:22s} {run['seconds']:8.2f} s  peak RSS {_gib(run['peak_bytes'])}{extra}")
        for scenario in scenarios:
            run = generate_run(scenario, scale)
            peak, before = run["peak_bytes"], run.get("before_bytes", run["start_bytes"])
            how = (
                f"make {run['make_s']:.1f} s, peak {_gib(run['make_peak_bytes'])}"
                if "make_s" in run
                else "streamed, make never called"
            )
            print(
                f"  {scenario:31s} {run['seconds']:8.2f} s  {n / run['seconds']:9,.0f} rows/s  peak RSS {_gib(peak)} "
                f"({how}; {before / 2**20:.0f} MiB before; fingerprint {run['fingerprint'][:12]})"
            )
            if "make_s" in run:
                print(
                    f"    {(peak - before) / n:5.0f} bytes/rating beyond the imports; guard's estimate "
                    f"{_gib(run['estimate_bytes'])} = {run['estimate_bytes'] / (peak - before):.2f}x that"
                )
            else:  # the guard's estimate is make's (the whole case in memory), which the stream never holds
                print(
                    f"    {(peak - before) / n:5.0f} bytes/rating beyond the imports; make would need about "
                    f"{_gib(run['estimate_bytes'])} (the guard's estimate)"
                )
            for name, baseline in base.items():
                print(
                    f"    vs {name:22s} time {run['seconds'] / baseline['seconds']:7.1f}x   "
                    f"peak RSS {peak / baseline['peak_bytes']:5.2f}x"
                )


if __name__ == "__main__":
    main()
