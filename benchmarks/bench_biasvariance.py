"""Time the bias-variance lab against fitting the same pipeline ``n_draws`` times in a plain loop.

Run ``python benchmarks/bench_biasvariance.py [--draws 20] [--repeats 3]``. It prints the median wall time of

* **baseline**: ``n_draws`` sequential ``clone(pipeline).fit(X, y)`` on training sets drawn beforehand (the
  fits alone, the least any lab must spend);
* **fits + predicts**: the same loop, each model also predicting the test rows (which the lab must do);
* **lab, n_jobs=1**: ``casestudies.bias_variance(case, pipeline, n_draws=..., n_jobs=1)``, which also draws
  each training set, predicts the test rows and computes the split and its standard errors;
* **lab, n_jobs=2**: the same on two joblib workers;

and the ratios lab / baseline (target: at most 1.2 on one core, below 1 with two). Each repeat runs the three
contenders in turn, so a change in machine load hits all of them alike. The pipelines: a random forest on
``houses-v1`` (1,500 rows) and the naive logistic regression on ``overfit-v1`` (250 rows, 300+ columns).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import make_pipeline

try:
    import casestudies as cs
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import casestudies as cs
from casestudies.core import redraw_of
from casestudies.preprocessing import TabularEncoder
from casestudies.scenarios.overfit import naive_pipeline


def _contenders(scenario_id: str, pipeline: object, n_draws: int) -> dict[str, Callable[[], object]]:
    case = cs.make(scenario_id, seed=0)
    redraw, _ = redraw_of(case.spec, where="benchmark")
    frames = [redraw(dict(case.params), case.seed, draw, None) for draw in range(n_draws)]
    training = [(frame.drop(columns=[case.target]), frame[case.target]) for frame in frames]

    def baseline() -> None:
        for X, y in training:
            clone(pipeline).fit(X, y)  # type: ignore[attr-defined]

    def fits_and_predictions() -> None:
        for X, y in training:
            clone(pipeline).fit(X, y).predict(case.test)  # type: ignore[attr-defined]

    def lab(n_jobs: int) -> Callable[[], object]:
        return lambda: cs.bias_variance(case, pipeline, n_draws=n_draws, n_jobs=n_jobs, progress=False)

    return {
        "baseline": baseline,
        "fits + predicts": fits_and_predictions,
        "lab, n_jobs=1": lab(1),
        "lab, n_jobs=2": lab(2),
    }


def run(scenario_id: str, pipeline: object, *, n_draws: int, repeats: int) -> dict[str, float]:
    """Median seconds of each contender (interleaved repeats), after one warm-up run of each."""
    contenders = _contenders(scenario_id, pipeline, n_draws)
    for work in contenders.values():
        work()  # warm-up: imports, joblib's worker pool
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, work in contenders.items():
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = {
        "houses-v1, random forest": (
            "houses-v1",
            make_pipeline(TabularEncoder(drop=["house_id"]), RandomForestRegressor(n_estimators=30, random_state=0)),
        ),
        "overfit-v1, naive logistic regression": ("overfit-v1", naive_pipeline()),
    }
    for label, (scenario_id, pipeline) in cases.items():
        seconds = run(scenario_id, pipeline, n_draws=args.draws, repeats=args.repeats)
        base = seconds["baseline"]
        print(f"{label}: {args.draws} draws, median of {args.repeats}")
        for name, value in seconds.items():
            ratio = "" if name == "baseline" else f"  ratio {value / base:.2f}"
            print(f"  {name:15s} {value:7.2f} s{ratio}")


if __name__ == "__main__":
    main()
