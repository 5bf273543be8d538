"""Time movies-v1 at MovieLens-1M scale: generation and scoring.

Run ``python benchmarks/bench_movies.py`` (add ``--small`` for ML-100K). It
prints the median wall time of

* generating ``movies-rating-v1`` and ``movies-topn-v1`` (6,040 users, 3,706
  movies, 1,000,209 ratings; ``casestudies.make``);
* scoring a submission (``case.score``: validation + metrics with bootstrap
  intervals), for ~200,000 held-out ratings and for 10 movies x ~6,000 users;
* fitting and applying the built-in biases and item-kNN baselines through
  ``case.evaluate`` (no reference rows).

Targets: generation under 30 s, scoring under 5 s per task on a laptop core.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import casestudies as cs
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import casestudies as cs
from casestudies.scenarios.movies._recommenders import BiasBaseline, ItemKNN, MostPopular

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds

ML1M = {"n_users": 6040, "n_movies": 3706, "n_ratings": 1_000_209}
ML100K: dict[str, int] = {}


def movies_benchmark(scale: dict[str, int], repeats: int = 3) -> dict[str, float]:
    """Median seconds of each step at ``scale`` (generator parameters)."""
    result = {}
    result["make rating"] = median_seconds(lambda: cs.make("movies-rating-v1", seed=0, **scale), repeats)
    result["make topn"] = median_seconds(lambda: cs.make("movies-topn-v1", seed=0, **scale), repeats)
    rating = cs.make("movies-rating-v1", seed=0, **scale)
    topn = cs.make("movies-topn-v1", seed=0, **scale)
    predictions = BiasBaseline().fit(rating.train).predict(rating.test)
    recommendations = MostPopular().fit(topn.train).recommend(topn.test["user_id"].to_numpy(), 10)
    result["score rating"] = median_seconds(lambda: rating.score(predictions, baselines=False), repeats)
    result["score topn"] = median_seconds(lambda: topn.score(recommendations, baselines=False), repeats)
    result["evaluate biases"] = median_seconds(lambda: rating.evaluate(BiasBaseline(), baselines=False), 1)
    result["evaluate item-kNN"] = median_seconds(lambda: topn.evaluate(ItemKNN(), baselines=False), 1)
    return result


def main() -> None:
    scale = ML100K if "--small" in sys.argv else ML1M
    label = "ML-100K" if scale is ML100K else "ML-1M"
    for name, seconds in movies_benchmark(scale).items():
        print(f"{label:8s} {name:20s} {seconds:8.2f} s")


if __name__ == "__main__":
    main()
