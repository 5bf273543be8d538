"""Time scoring 1,000,000 rows against one ``numpy.argsort`` and scikit-learn.

Run ``python benchmarks/bench_scoring.py``. It prints the median time of

* ``binary_scores_with_ci``: every metric of ``casestudies.scoring._metrics`` with
  bootstrap intervals for a public (30 %) and a private (70 %) part;
* scikit-learn's ``roc_auc_score`` + ``average_precision_score`` on all rows,
  point estimates only;
* one ``numpy.argsort`` of the same scores;

* the full ``Case.score`` path: validation, then the public, private and whole
  holdout parts, each with intervals (the whole holdout merges its parts'
  sorted negatives instead of sorting again, and its replicates are the
  unions of theirs instead of new draws);

and the ratios ours / argsort (target: at most 2), full path / argsort (target:
at most 2.5) and ours / scikit-learn. ``--n-boot`` changes the replicates.
The data: 0.5 % positives, informative scores (label + Gaussian noise) and
log-normal amounts as costs. Each repeat runs the contenders in turn, so a
change in machine load hits all of them alike. The ratios are given in wall
time and in CPU time of this process (``time.process_time``): on a machine
shared with other work the wall ratios swing by 10 % from run to run as the
load comes and goes, the CPU ratios much less, and they are close to the wall
ratios of an idle machine.

:func:`scoring_benchmark` returns the same numbers for other scripts
(``benchmarks/bench_core.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

try:
    from casestudies.scoring._metrics import BINARY_N_BOOT, binary_scores_with_ci
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from casestudies.scoring._metrics import BINARY_N_BOOT, binary_scores_with_ci
from casestudies.scoring._submission import validate_binary


def _benchmark_data(n_rows: int, prevalence: float, public_fraction: float, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.random(n_rows) < prevalence
    scores = 1.5 * labels + rng.normal(size=n_rows)
    amounts = rng.lognormal(mean=4.0, sigma=1.0, size=n_rows)
    public = rng.random(n_rows) < public_fraction
    return {"labels": labels, "scores": scores, "amounts": amounts, "public": public}


def scoring_benchmark(
    *,
    n_rows: int = 1_000_000,
    prevalence: float = 0.005,
    public_fraction: float = 0.3,
    n_boot: int = BINARY_N_BOOT,
    repeats: int = 21,
    seed: int = 0,
) -> dict[str, float | int]:
    """Median wall time (ms) of scoring ``n_rows`` rows, and the ratios.

    Returns
    -------
    dict
        ``n_rows``, ``n_positives``, ``n_boot``, ``repeats``, ``ours_ms``,
        ``sklearn_ms`` (ROC AUC + average precision, no intervals),
        ``argsort_ms``, ``sort_ms`` (``np.sort``, for reference),
        ``ratio_vs_argsort``, ``ratio_vs_sklearn`` (ours / theirs),
        ``full_path_ms`` and ``full_path_ratio_vs_argsort``, all in wall time;
        ``cpu_ratio_vs_argsort`` and ``cpu_full_path_ratio_vs_argsort``, the
        same ratios in CPU time.
    """
    data = _benchmark_data(n_rows, prevalence, public_fraction, seed)
    labels, scores, amounts, public = data["labels"], data["scores"], data["amounts"], data["public"]
    parts = {"public": public, "private": ~public}

    def ours() -> object:
        return binary_scores_with_ci(
            labels, scores, parts=parts, costs=amounts, n_boot=n_boot, rng=np.random.default_rng(seed)
        )

    ids = np.arange(n_rows, dtype=np.int64)
    all_parts = {**parts, "all": np.ones(n_rows, dtype=bool)}

    def full_path() -> object:
        # What Case.score does with an array (BinaryTask.validate, then BinaryTask.score): validate, then score
        # the public and private parts and the whole holdout, each with intervals.
        values = validate_binary(scores, scenario_id="bench", ids=ids, id_column="id", probabilities=False)
        return binary_scores_with_ci(
            labels, values, parts=all_parts, costs=amounts, n_boot=n_boot, rng=np.random.default_rng(seed)
        )

    def sklearn() -> object:
        return roc_auc_score(labels, scores), average_precision_score(labels, scores)

    contenders: dict[str, Callable[[], object]] = {
        "ours": ours,
        "full_path": full_path,
        "sklearn": sklearn,
        "argsort": lambda: np.argsort(scores),
        "sort": lambda: np.sort(scores),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    cpu_times: dict[str, list[float]] = {name: [] for name in contenders}
    for work in contenders.values():  # warm-up (imports, page faults)
        work()
    for _ in range(repeats):
        for name, work in contenders.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            work()
            times[name].append(time.perf_counter() - started)
            cpu_times[name].append(time.process_time() - cpu_started)
    ms = {name: 1e3 * statistics.median(values) for name, values in times.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_times.items()}
    return {
        "n_rows": n_rows,
        "n_positives": int(labels.sum()),
        "n_boot": n_boot,
        "repeats": repeats,
        "ours_ms": ms["ours"],
        "full_path_ms": ms["full_path"],
        "sklearn_ms": ms["sklearn"],
        "argsort_ms": ms["argsort"],
        "sort_ms": ms["sort"],
        "ratio_vs_argsort": ms["ours"] / ms["argsort"],
        "ratio_vs_sklearn": ms["ours"] / ms["sklearn"],
        "full_path_ratio_vs_argsort": ms["full_path"] / ms["argsort"],
        "cpu_ratio_vs_argsort": cpu["ours"] / cpu["argsort"],
        "cpu_full_path_ratio_vs_argsort": cpu["full_path"] / cpu["argsort"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=BINARY_N_BOOT, help="bootstrap replicates per part")
    parser.add_argument("--repeats", type=int, default=21, help="timed runs of each contender")
    args = parser.parse_args()
    result = scoring_benchmark(n_boot=args.n_boot, repeats=args.repeats)
    print(
        f"scoring {result['n_rows']:,} rows ({result['n_positives']:,} positives), public 30 % / private 70 %, "
        f"{result['n_boot']} bootstrap replicates, median of {result['repeats']} runs:"
    )
    print(f"  binary_scores_with_ci (all metrics + 95 % CIs) {result['ours_ms']:8.1f} ms")
    print(f"  full Case.score path (validation + all parts)  {result['full_path_ms']:8.1f} ms")
    print(f"  sklearn roc_auc + average_precision (no CIs)   {result['sklearn_ms']:8.1f} ms")
    print(f"  numpy.argsort                                  {result['argsort_ms']:8.1f} ms")
    print(f"  numpy.sort (reference)                         {result['sort_ms']:8.1f} ms")
    print(
        f"  ours / argsort: {result['ratio_vs_argsort']:.2f}x wall, "
        f"{result['cpu_ratio_vs_argsort']:.2f}x CPU (target <= 2)"
    )
    print(f"  ours / sklearn: {result['ratio_vs_sklearn']:.2f}x")
    print(
        f"  full path / argsort: {result['full_path_ratio_vs_argsort']:.2f}x wall, "
        f"{result['cpu_full_path_ratio_vs_argsort']:.2f}x CPU (target <= 2.5)"
    )


if __name__ == "__main__":
    main()
