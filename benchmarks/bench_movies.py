"""Time the movies world against a baseline measured in the same run, at ML-100K and ML-1M scale.

Run ``python benchmarks/bench_movies.py`` (add ``--small`` for ML-100K only).
Timings on a shared machine are noisy, so every figure is printed beside a
**baseline measured in the same run**: building a ``scipy.sparse`` CSR
matrix of the same number of random (user, movie, stars) triples, the least
any rating pipeline does with such a table. At each scale it prints the
median wall time and its ratio to the baseline of

* simulating the world (``simulate_world``: users, movies, release dates,
  exposure, picks, order and timestamps);
* generating ``movies-rating-v3`` and ``movies-topn-v3`` (``casestudies.make``:
  world + split + truth);
* scoring a submission (``case.score``: validation + metrics with bootstrap
  intervals) on each task;
* fitting the Surprise-style SGD reference (``SGDMatrixFactorization``) at
  ML-100K scale only (20 epochs over 80,000 ratings).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import sparse

try:
    import casestudies as cs
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import casestudies as cs
from casestudies.scenarios.movies import BiasBaseline, MostPopular, SGDMatrixFactorization
from casestudies.scenarios.movies._world import simulate_world

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds

WORLD = {"n_factors": 10, "noise_sd": 0.725, "noise_spread": 0.25, "taste_weight": 1.1, "min_ratings": 20, "mnar": True}
# The v3 presets of the parameters' help: ML-100K is the default; ML-1M's tail needs its own obscure share.
SCALES: dict[str, dict[str, float]] = {
    "ML-100K": {"n_users": 943, "n_movies": 1682, "n_ratings": 100_000, "obscure_share": 0.25},
    "ML-1M": {"n_users": 6040, "n_movies": 3706, "n_ratings": 1_000_209, "obscure_share": 0.09},
}


def sparse_baseline(scale: dict[str, float], repeats: int) -> float:
    """Median seconds to build a CSR matrix of ``n_ratings`` random triples (the baseline)."""
    rng = np.random.default_rng(0)
    n, n_users, n_movies = int(scale["n_ratings"]), int(scale["n_users"]), int(scale["n_movies"])
    users = rng.integers(n_users, size=n)
    movies = rng.integers(n_movies, size=n)
    stars = rng.integers(1, 6, size=n).astype(np.float64)
    shape = (n_users, n_movies)
    return median_seconds(lambda: sparse.csr_matrix((stars, (users, movies)), shape=shape), repeats)


def movies_benchmark(label: str, scale: dict[str, float], repeats: int) -> dict[str, float]:
    """Median seconds of each step at ``scale``; the baseline first."""
    result = {"baseline: scipy.sparse CSR of the ratings": sparse_baseline(scale, max(repeats, 5))}
    result["simulate_world"] = median_seconds(
        lambda: simulate_world({**WORLD, **scale}, np.random.default_rng(0)), repeats
    )
    result["make movies-rating-v3"] = median_seconds(lambda: cs.make("movies-rating-v3", seed=0, **scale), repeats)
    result["make movies-topn-v3"] = median_seconds(lambda: cs.make("movies-topn-v3", seed=0, **scale), repeats)
    rating = cs.make("movies-rating-v3", seed=0, **scale)
    topn = cs.make("movies-topn-v3", seed=0, **scale)
    predictions = BiasBaseline().fit(rating.train).predict(rating.test)
    recommendations = MostPopular().fit(topn.train).recommend(topn.test["user_id"].to_numpy(), 10)
    result["score rating"] = median_seconds(lambda: rating.score(predictions, baselines=False), repeats)
    result["score topn"] = median_seconds(lambda: topn.score(recommendations, baselines=False), repeats)
    if label == "ML-100K":
        result["fit SGD reference (20 epochs)"] = median_seconds(lambda: SGDMatrixFactorization().fit(rating.train), 1)
    return result


def main() -> None:
    labels = ["ML-100K"] if "--small" in sys.argv else list(SCALES)
    for label in labels:
        timings = movies_benchmark(label, SCALES[label], repeats=3 if label == "ML-100K" else 1)
        baseline = next(iter(timings.values()))
        for name, seconds in timings.items():
            print(f"{label:8s} {name:45s} {seconds:8.3f} s  {seconds / baseline:9.1f} x baseline")


if __name__ == "__main__":
    main()
