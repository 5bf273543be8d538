"""Speed of the core loop against named baselines, measured in one run.

Run ``python benchmarks/bench_core.py``. It prints:

* fraud-v1 generation rows/s (``casestudies.make`` at default parameters, and
  the generator alone) against ``sklearn.datasets.make_classification`` with
  the same number of rows and columns; target: at least 2x its rate;
* scoring time of 1,000,000 rows (all metrics with bootstrap intervals for the
  public and private parts) against scikit-learn's ``roc_auc_score`` +
  ``average_precision_score`` and against one ``numpy.argsort`` of the same
  scores; target: within 2x one argsort.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import MappingProxyType

import numpy as np
from sklearn.datasets import make_classification

sys.path.insert(0, str(Path(__file__).resolve().parent))

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
import casestudies as cs
from _timing import median_seconds
from bench_scoring import scoring_benchmark
from casestudies.core._registry import generator_of


def generation_benchmark(repeats: int = 5) -> dict[str, float]:
    """fraud-v1 rows/s at defaults vs make_classification of the same shape."""
    spec = cs.spec("fraud-v1")
    case = cs.make("fraud-v1", seed=0)
    n_rows = len(case.train) + len(case.test)
    n_columns = case.train.shape[1]
    generate = generator_of(spec)
    params = MappingProxyType(spec.defaults)
    make_seconds = median_seconds(lambda: cs.make("fraud-v1", seed=1), repeats)
    generator_seconds = median_seconds(lambda: generate(params, np.random.default_rng(1)), repeats)
    sklearn_seconds = median_seconds(
        lambda: make_classification(n_samples=n_rows, n_features=n_columns, random_state=1), repeats
    )
    return {
        "n_rows": n_rows,
        "n_columns": n_columns,
        "make_rows_per_s": n_rows / make_seconds,
        "generator_rows_per_s": n_rows / generator_seconds,
        "make_classification_rows_per_s": n_rows / sklearn_seconds,
        "make_ratio": sklearn_seconds / make_seconds,
        "generator_ratio": sklearn_seconds / generator_seconds,
    }


def main() -> None:
    gen = generation_benchmark()
    print(f"fraud-v1 generation at defaults: {gen['n_rows']:,} rows x {gen['n_columns']} columns")
    print(f"  casestudies.make        {gen['make_rows_per_s']:>12,.0f} rows/s")
    print(f"  generator alone         {gen['generator_rows_per_s']:>12,.0f} rows/s")
    print(f"  make_classification     {gen['make_classification_rows_per_s']:>12,.0f} rows/s (same rows and columns)")
    print(f"  ratio make / make_classification rate:      {gen['make_ratio']:.2f}x (target >= 2)")
    print(f"  ratio generator / make_classification rate: {gen['generator_ratio']:.2f}x")
    score = scoring_benchmark()
    print()
    print(
        f"scoring {score['n_rows']:,} rows ({score['n_positives']:,} positives), "
        f"{score['n_boot']} bootstrap replicates, median of {score['repeats']}:"
    )
    print(f"  metrics + CIs, public and private   {score['ours_ms']:8.1f} ms")
    print(f"  full Case.score path (+ validation and whole-holdout point estimates) {score['full_path_ms']:.1f} ms")
    print(f"  sklearn roc_auc + average_precision {score['sklearn_ms']:8.1f} ms (no CIs)")
    print(f"  one numpy.argsort                   {score['argsort_ms']:8.1f} ms")
    print(f"  ratio metrics+CIs / argsort: {score['ratio_vs_argsort']:.2f}x (target <= 2)")
    print(f"  ratio full path / argsort:   {score['full_path_ratio_vs_argsort']:.2f}x")
    print(f"  ratio metrics+CIs / sklearn: {score['ratio_vs_sklearn']:.2f}x")


if __name__ == "__main__":
    main()
