"""Generation speed against ``make_classification``, and streamed generation's rows/s and peak memory.

Run ``python benchmarks/bench_scale.py`` (add ``--large`` for a 50 M-row
``fraud-v2`` log, 55,000 customers x (365 + 90) days; a few minutes). It
prints, in one run:

* ``make("fraud-v1")`` at defaults against scikit-learn's
  ``make_classification`` of the same rows (train + test) and columns (the
  seven features and the target), median of interleaved repeats, and the
  ratio of rows/s (target: at least 2); then each in a loop of its own, where
  make reuses the memory its previous call freed (printed apart: the
  interleaved figure is the target's), with the page faults of one make in
  each (fresh memory touched: what the interleaved calls pay for);
* ``casestudies.generate`` of about 5 M rows of ``fraud-v1`` (generated
  whole, then written) and of ``fraud-v2`` (generated a day at a time, a
  partition held at a time), and 50 M of ``fraud-v2`` with ``--large``, each
  in a fresh process: wall time, rows/s and the process's peak RSS
  (``ru_maxrss`` of the child; target at 50 M: 1 GiB);
* ``casestudies.score_dataset`` of a predictions dataset of its test rows
  (written a partition at a time) against the stored holdout, in a fresh
  process: time and peak RSS (target at 50 M: 2 GiB);
* a 10 M-row ``fraud-v2`` generation with ``engine="local"``, and with
  ``engine="dask"`` on a local cluster of 1 and of 2 workers (fresh process
  each, cluster start included), with the fingerprints, which must agree
  (target: 2 workers at least 1.7 times faster than 1); the cluster is
  started and a first small case generated before the timed one (imports
  and first calls on the client and the workers), both printed apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sklearn.datasets import make_classification

try:
    import casestudies as cs
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import casestudies as cs

# Parameters of the streamed runs: rows ~ customers x (train + test days) x 2 payments a day.
STREAMED = {
    "5M": {"n_customers": 50_000, "n_days": 40, "n_test_days": 10},
    "10M": {"n_customers": 100_000, "n_days": 40, "n_test_days": 10},
    "50M": {"n_customers": 55_000, "n_days": 365, "n_test_days": 90},
}
STREAMED_SCENARIO = "fraud-v2"  # generated a day at a time; fraud-v1 is generated whole, then written
_CHILD = """
import json, resource, sys, time
import casestudies as cs
scenario, params, out, partition_rows = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
engine = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
warm = engine.pop("warm", False)
cluster_start = warm_up = 0.0
if engine.get("workers"):  # a running local cluster, started first: generation is timed, start-up apart
    from casestudies.case._dask import local_cluster  # the cluster generate(engine="dask") starts
    started = time.perf_counter()
    cluster = local_cluster(engine.pop("workers"))
    engine["scheduler"] = cluster.scheduler_address
    cluster_start = time.perf_counter() - started
if warm:  # a first small case: the client's and the workers' imports and first calls, timed apart
    import tempfile
    started = time.perf_counter()
    cs.generate(scenario, seed=1, out=tempfile.mkdtemp(), n_customers=200, n_days=7, n_test_days=7, **engine)
    warm_up = time.perf_counter() - started
started = time.perf_counter()
manifest = cs.generate(
    scenario, seed=0, out=out, partition_rows=partition_rows, memory_check=False, progress=False, **engine, **params
)
seconds = time.perf_counter() - started
rows = sum(frame["rows"] for frame in manifest["frames"].values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_bytes": peak, "fingerprint": manifest["fingerprint"],
                  "cluster_start": cluster_start, "warm_up": warm_up}))
"""
_SCORE_CHILD = """
import json, resource, sys, time
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
import casestudies as cs
from casestudies.core import dataset_files
out = sys.argv[1]
predictions = f"{out}/predictions"
import os; os.makedirs(predictions)
for index, path in enumerate(dataset_files(f"{out}/learner/test")):  # one partition at a time
    test = pq.read_table(path, columns=["transaction_id", "amount"])
    score = np.log1p(test.column("amount").to_numpy())
    pq.write_table(pa.table({"transaction_id": test.column("transaction_id"), "prediction": score}),
                   f"{predictions}/part-{index:05d}.parquet")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
started = time.perf_counter()
scores = cs.score_dataset(f"{out}/host", predictions)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
rows = json.load(open(f"{out}/host/manifest.json"))["holdout"]["rows"]
print(json.dumps({"rows": rows, "seconds": seconds, "peak_bytes": peak, "before_bytes": before}))
"""


def _minor_faults() -> int:
    """Page faults of this process so far that needed no disk: fresh memory touched for the first time."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def generation_ratio(repeats: int = 5) -> dict[str, float]:
    """Median seconds of ``make("fraud-v1")`` at defaults and of ``make_classification`` of its shape.

    Also the median page faults of one ``make`` in each loop: the interleaved
    calls fault in what ``make_classification``'s frees returned to the system.
    """
    case = cs.make("fraud-v1", seed=0)
    n_rows = len(case.train) + len(case.test)
    n_features = case.train.shape[1] - 1
    ours, theirs, faults = [], [], []
    for seed in range(repeats):
        before, started = _minor_faults(), time.perf_counter()
        cs.make("fraud-v1", seed=seed + 1)
        ours.append(time.perf_counter() - started)
        faults.append(_minor_faults() - before)
        started = time.perf_counter()
        make_classification(n_samples=n_rows, n_features=n_features, random_state=seed)
        theirs.append(time.perf_counter() - started)
    make_s, sklearn_s = statistics.median(ours), statistics.median(theirs)
    # The same calls in two loops of their own: make's arrays then reuse memory its previous call freed, where
    # after make_classification's larger frees they are faulted in afresh (the interleaved figure is the target's).
    alone, alone_faults = [], []
    for seed in range(repeats):
        before, started = _minor_faults(), time.perf_counter()
        cs.make("fraud-v1", seed=seed + 1)
        alone.append(time.perf_counter() - started)
        alone_faults.append(_minor_faults() - before)
    sklearn_alone = []
    for seed in range(repeats):
        started = time.perf_counter()
        make_classification(n_samples=n_rows, n_features=n_features, random_state=seed)
        sklearn_alone.append(time.perf_counter() - started)
    return {
        "rows": n_rows,
        "columns": n_features + 1,
        "make_s": make_s,
        "sklearn_s": sklearn_s,
        "make_alone_s": statistics.median(alone),
        "sklearn_alone_s": statistics.median(sklearn_alone),
        "make_faults": statistics.median(faults),
        "make_alone_faults": statistics.median(alone_faults),
    }


def _child(*arguments: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", *arguments], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def streamed(scenario: str, params: dict[str, int], partition_rows: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Rows, seconds and peak RSS of one ``generate``, then of ``score_dataset`` on it, each in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        generated = _child(_CHILD, scenario, json.dumps(params), out, str(partition_rows))
        scored = _child(_SCORE_CHILD, out)
    return generated, scored


DASK_SIZE = "10M"
DASK_PARTITION_ROWS = 1_000_000  # a task regenerates the day it starts in: a tenth of a partition


def dask_run(engine: dict[str, object]) -> dict[str, Any]:
    """Seconds of one ``generate`` of the :data:`DASK_SIZE` log with ``engine`` options, in a fresh process."""
    with tempfile.TemporaryDirectory() as out:
        arguments = (
            STREAMED_SCENARIO,
            json.dumps(STREAMED[DASK_SIZE]),
            out,
            str(DASK_PARTITION_ROWS),
            json.dumps(engine),
        )
        return _child(_CHILD, *arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also stream a 50 M-row fraud-v2 log (minutes)")
    parser.add_argument("--repeats", type=int, default=11, help="interleaved repeats of the generation ratio")
    parser.add_argument("--partition-rows", type=int, default=1_000_000, help="rows per Parquet partition")
    args = parser.parse_args()
    ratio = generation_ratio(args.repeats)
    rows = ratio["rows"]
    print(f"make('fraud-v1') at defaults: {rows:,} rows x {ratio['columns']} columns, median of {args.repeats}:")
    print(
        f"  make                 {ratio['make_s']:7.3f} s  {rows / ratio['make_s']:12,.0f} rows/s"
        f"  ({ratio['make_faults']:,.0f} page faults a call)"
    )
    print(f"  make_classification  {ratio['sklearn_s']:7.3f} s  {rows / ratio['sklearn_s']:12,.0f} rows/s")
    print(f"  rows/s ratio make / make_classification: {ratio['sklearn_s'] / ratio['make_s']:.2f}x (target >= 2)")
    alone = ratio["sklearn_alone_s"] / ratio["make_alone_s"]
    print(
        f"  each in a loop of its own: make {ratio['make_alone_s']:.3f} s, make_classification "
        f"{ratio['sklearn_alone_s']:.3f} s, ratio {alone:.2f}x (make's memory reused from its previous call: "
        f"{ratio['make_alone_faults']:,.0f} page faults a call)"
    )
    runs = [("fraud-v1", "5M"), (STREAMED_SCENARIO, "5M")] + ([(STREAMED_SCENARIO, "50M")] if args.large else [])
    print(f"generation to Parquet ({args.partition_rows:,} rows per partition), fresh process each:")
    for scenario, size in runs:
        run, scored = streamed(scenario, STREAMED[size], args.partition_rows)
        speed, peak = run["rows"] / run["seconds"], run["peak_bytes"]
        print(
            f"  {scenario} {size:>4}: {run['rows']:12,.0f} rows in {run['seconds']:7.1f} s = {speed:10,.0f} rows/s, "
            f"peak RSS {peak / 2**30:5.2f} GiB ({peak / run['rows']:.0f} bytes/row)"
        )
        print(
            f"          score_dataset of its {scored['rows']:,.0f} test rows (1,000 replicates): "
            f"{scored['seconds']:.1f} s, peak RSS {scored['peak_bytes'] / 2**30:.2f} GiB "
            f"({scored['before_bytes'] / 2**30:.2f} GiB before scoring)"
        )
    print(
        f"Dask: the {DASK_SIZE} {STREAMED_SCENARIO} log, partitions of {DASK_PARTITION_ROWS:,} rows, "
        "fresh process each:"
    )
    timings = {}
    for label, engine in (("local", {"warm": True}), ("dask, 1 worker", {"engine": "dask", "workers": 1, "warm": True}),
                          ("dask, 2 workers", {"engine": "dask", "workers": 2, "warm": True})):  # fmt: skip
        run = timings[label] = dask_run(engine)
        start = f" (before it: cluster start {run['cluster_start']:.1f} s, " if run["cluster_start"] else " ("
        start += f"a first small case {run['warm_up']:.1f} s)"
        print(f"  {label:16s} {run['seconds']:6.1f} s  fingerprint {run['fingerprint'][:16]}{start}")
    one, two = timings["dask, 1 worker"]["seconds"], timings["dask, 2 workers"]["seconds"]
    same = len({run["fingerprint"] for run in timings.values()}) == 1
    print(f"  1 worker / 2 workers: {one / two:.2f}x faster with 2 (target >= 1.7); same bytes: {same}")


if __name__ == "__main__":
    main()
