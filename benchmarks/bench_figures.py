"""Time added by figures to ``evaluate`` on the default fraud-v1 case (target: at most 10 %).

Run ``python benchmarks/bench_figures.py [--repeats 3] [--seed 0]``. Per repeat, on one
default-size fraud-v1 case (made once):

* ``evaluate``: ``case.evaluate(simple_baseline())`` on a fresh copy of the case
  with the reference rows refitted (the reference cache off), as a first
  ``casestudies evaluate`` does;
* ``evaluate (refs ready)``: the same call again on that copy, references already scored;
* ``figure data``: ``report.figure_specs()`` (the curves, computed on first use only);
* ``to_html``: the standalone page (draws every figure and writes SVG; the SVG cache cleared first),
  median over the repeats after the first;
* ``to_html_first``: the first repeat's page, which also imports matplotlib and loads its fonts, as a
  one-off ``casestudies evaluate --html`` does (``overhead_evaluate_html_first``);
* ``draw``: ``report.figures()`` (matplotlib figures of every spec).

Plain ``evaluate`` computes no figure (the report's ``charts`` stay
uncomputed and matplotlib is not even imported: checked and printed), so the
overhead it pays is zero; ``evaluate --html`` pays figure data + ``to_html``.
The ratios are against ``evaluate`` measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

try:
    import casestudies as cs
except ImportError:  # running from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import casestudies as cs
from casestudies.report._render import svg
from casestudies.scenarios.fraud import simple_baseline

TARGET: float = 0.10
"""Figures may add at most this share to the time of ``evaluate`` (issue 11)."""


def report_svg_cache_clear() -> None:
    """Forget figures drawn earlier, so ``to_html`` is timed drawing every figure."""
    svg.cache_clear()


def figures_benchmark(*, repeats: int = 3, seed: int = 0) -> dict[str, float]:
    """Median seconds of each step, and the figure overhead as a share of ``evaluate``."""
    times: dict[str, list[float]] = {
        "evaluate": [],
        "evaluate_refs_ready": [],
        "figure_data": [],
        "draw": [],
        "to_html": [],
    }
    cold: list[float] = []  # the first page of the process: matplotlib imported and fonts loaded on the way
    lazy = True
    for repeat in range(repeats):
        case = cs.make("fraud-v1", seed=seed, cache=False)
        started = time.perf_counter()
        report = case.evaluate(simple_baseline())
        times["evaluate"].append(time.perf_counter() - started)
        lazy = lazy and not report.charts.computed and (repeat or "matplotlib" not in sys.modules)
        started = time.perf_counter()
        report = case.evaluate(simple_baseline())
        times["evaluate_refs_ready"].append(time.perf_counter() - started)
        started = time.perf_counter()
        report.figure_specs()
        times["figure_data"].append(time.perf_counter() - started)
        report_svg_cache_clear()
        started = time.perf_counter()
        report.to_html()
        (times["to_html"] if repeat else cold).append(time.perf_counter() - started)
        started = time.perf_counter()
        report.figures()
        times["draw"].append(time.perf_counter() - started)
    seconds = {name: statistics.median(values) for name, values in times.items() if values}
    seconds["to_html_first"] = cold[0]
    seconds.setdefault("to_html", cold[0])  # one repeat: only the first page was timed
    html = seconds["figure_data"] + seconds["to_html"]
    first = seconds["figure_data"] + seconds["to_html_first"]
    return {
        **seconds,
        "plain_evaluate_computes_no_figure": float(lazy),
        "overhead_plain_evaluate": 0.0 if lazy else float("nan"),
        "overhead_figure_data": seconds["figure_data"] / seconds["evaluate"],
        "overhead_evaluate_html": html / seconds["evaluate"],
        "overhead_evaluate_html_first": first / seconds["evaluate"],
        "overhead_evaluate_html_refs_ready": html / seconds["evaluate_refs_ready"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = figures_benchmark(repeats=args.repeats, seed=args.seed)
    print(f"fraud-v1 (default size), seed {args.seed}, median of {args.repeats}:")
    for name in ("evaluate", "evaluate_refs_ready", "figure_data", "draw", "to_html", "to_html_first"):
        print(f"  {name:<22} {result[name]:8.3f} s")
    lazy = bool(result["plain_evaluate_computes_no_figure"])
    print(f"  plain evaluate computes no figure and imports no matplotlib: {lazy}")
    names = ("overhead_figure_data", "overhead_evaluate_html", "overhead_evaluate_html_first")
    for name in (*names, "overhead_evaluate_html_refs_ready"):
        print(f"  {name:<36} {result[name]:7.1%}  (target <= {TARGET:.0%} for the figure data)")


if __name__ == "__main__":
    main()
