"""Grade the linear-regression diagnostics on random-faults house-price cases, like a learner's diagnosis.

For each seed, ``make("houses-random-v1", seed=seed)`` breaks a random set of
the assumptions of linear regression (each of ``nonlinearity``,
``heteroscedasticity``, ``multicollinearity``, ``influential_points`` and
``autocorrelation`` with probability 0.5, of random strength);
``casestudies.diagnostics.regression_diagnostics`` checks them and its
diagnosis is graded with ``case.grade_diagnosis``.

Two sets of seeds, never mixed:

* tuning seeds (default 0..49): the statistic behind each check, on cases
  where its fault was planted and where it was not. The thresholds shipped in
  ``casestudies/diagnostics/_regression.py`` were set in the gap these show;
* held-out seeds (default 10000..10099): the graded result, per fault:
  recall (planted and claimed) and false alarms (not planted, claimed).

Targets (issue 13): recall >= 0.95 and false alarms <= 0.05 for every fault, on the held-out seeds.

Usage::

    python benchmarks/bench_houses_diagnostics.py                  # 50 tuning + 100 held-out cases
    python benchmarks/bench_houses_diagnostics.py --tuning 0 --cases 20 --json out.json

Runtime: about 0.5 s per case on one free core.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import casestudies as cs
from casestudies.diagnostics import _regression as checks
from casestudies.diagnostics import regression_diagnostics
from casestudies.scoring import ASSUMPTION_KINDS

SCENARIO = "houses-random-v1"

# The statistic each fault's check compares with its threshold (finding, evidence key, threshold, flags when).
STATISTICS = {
    "nonlinearity": ("residuals_vs_fitted", "p_value", checks.SIGNIFICANCE, "below"),
    "heteroscedasticity": ("heteroscedasticity", "breusch_pagan_p", checks.SIGNIFICANCE, "below"),
    "autocorrelation": ("autocorrelation", "durbin_watson", 2.0 - checks.DURBIN_WATSON_GAP, "below"),
    "multicollinearity": ("multicollinearity", "max_vif", checks.VIF_THRESHOLD, "above"),
    "influential_points": ("influence", "n_rows", 0.5, "above"),
}


def _statistic(report: object, kind: str) -> float:
    finding_id, key, _, _ = STATISTICS[kind]
    evidence = report[finding_id].evidence  # type: ignore[index]
    if key == "max_vif":
        return max(evidence["vif"].values(), default=1.0)
    if key == "n_rows":
        return float(len(evidence["rows"]))
    return float(evidence[key])


def tune(seeds: range) -> dict[str, dict[str, float]]:
    """Per fault: the statistic's range over cases with and without it (the gap the threshold sits in)."""
    values: dict[str, dict[bool, list[float]]] = defaultdict(lambda: {True: [], False: []})
    for seed in seeds:
        case = cs.make(SCENARIO, seed=seed)
        report = regression_diagnostics(case)
        faults = case.reveal("world")["faults"]
        for kind in ASSUMPTION_KINDS:
            values[kind][bool(faults[kind]["present"])].append(_statistic(report, kind))
    table = {}
    for kind in ASSUMPTION_KINDS:
        _, _, threshold, side = STATISTICS[kind]
        planted, absent = values[kind][True], values[kind][False]
        table[kind] = {
            "threshold": threshold,
            "flags_when": side,
            "planted_n": len(planted),
            "planted_weakest": (max(planted) if side == "below" else min(planted)) if planted else float("nan"),
            "absent_n": len(absent),
            "absent_closest": (min(absent) if side == "below" else max(absent)) if absent else float("nan"),
        }
    return table


def grade(seeds: range, show_misses: bool) -> dict[str, object]:
    present, absent, found, false_alarms = (defaultdict(int) for _ in range(4))
    seconds: dict[str, float] = defaultdict(float)
    misses, perfect = [], 0
    started = time.perf_counter()
    for seed in seeds:
        case = cs.make(SCENARIO, seed=seed)
        report = regression_diagnostics(case)
        for name, value in report.seconds.items():
            seconds[name] += value
        result = case.grade_diagnosis(report.diagnosis)
        perfect += result.perfect
        for kind in ASSUMPTION_KINDS:
            if kind in result.present:
                present[kind] += 1
                found[kind] += kind in result.found
            else:
                absent[kind] += 1
                false_alarms[kind] += kind in result.wrongly_claimed
        if show_misses and not result.perfect:
            misses.append({"seed": seed, "knobs": case.reveal("world")["knobs"], "grade": result.to_dict()})
    elapsed = time.perf_counter() - started
    table = {
        kind: {
            "planted": present[kind],
            "recall": found[kind] / present[kind] if present[kind] else float("nan"),
            "not_planted": absent[kind],
            "false_alarm_rate": false_alarms[kind] / absent[kind] if absent[kind] else float("nan"),
        }
        for kind in ASSUMPTION_KINDS
    }
    return {
        "cases": len(seeds),
        "perfect": perfect,
        "faults": table,
        "seconds_total": elapsed,
        "seconds_per_check": {name: value / len(seeds) for name, value in seconds.items()},
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning", type=int, default=50, help="tuning cases (seeds 0..N-1); 0 to skip")
    parser.add_argument("--cases", type=int, default=100, help="held-out cases graded")
    parser.add_argument("--first-seed", type=int, default=10_000, help="first held-out seed")
    parser.add_argument("--misses", action="store_true", help="list the cases graded imperfect")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.first_seed < args.tuning:
        parser.error("held-out seeds must not overlap the tuning seeds (0..tuning-1)")

    print(f"python {platform.python_version()}, casestudies diagnostics of {SCENARIO}")
    results: dict[str, object] = {}
    if args.tuning:
        tuned = tune(range(args.tuning))
        results["tuning"] = tuned
        print(f"\ntuning seeds 0..{args.tuning - 1}: each statistic's weakest planted and closest absent value")
        print(f"{'fault':<20}{'threshold':>11}{'flags':>7}{'planted':>9}{'weakest':>12}{'absent':>8}{'closest':>12}")
        for kind, row in tuned.items():
            print(
                f"{kind:<20}{row['threshold']:>11.3g}{row['flags_when']:>7}{row['planted_n']:>9}"
                f"{row['planted_weakest']:>12.3g}{row['absent_n']:>8}{row['absent_closest']:>12.3g}"
            )
    held = grade(range(args.first_seed, args.first_seed + args.cases), args.misses)
    results["held_out"] = held
    print(f"\nheld-out seeds {args.first_seed}..{args.first_seed + args.cases - 1}: graded diagnosis")
    print(f"{'fault':<20}{'planted':>9}{'recall':>9}{'absent':>8}{'false alarms':>14}   target")
    ok = True
    for kind, row in held["faults"].items():  # type: ignore[union-attr]
        meets = row["recall"] >= 0.95 and row["false_alarm_rate"] <= 0.05
        ok &= meets
        print(
            f"{kind:<20}{row['planted']:>9}{row['recall']:>9.2f}{row['not_planted']:>8}{row['false_alarm_rate']:>14.2f}"
            f"   {'met' if meets else 'MISSED'}"
        )
    print(f"perfect diagnoses: {held['perfect']} of {held['cases']}; {held['seconds_total']:.1f} s in all")
    for miss in held["misses"]:  # type: ignore[union-attr]
        print("  imperfect:", json.dumps(miss))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
