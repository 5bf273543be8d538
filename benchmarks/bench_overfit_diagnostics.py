"""Grade casestudies' own diagnostics on random-faults cases, like a learner's diagnosis.

For each seed, ``make("overfit-random-v1", seed=seed)`` plants a random set of
causes of a train/test gap; the data diagnostics (those that need no
pipeline) run via ``casestudies.diagnose``; their combined diagnosis is graded
with ``case.grade_diagnosis``. The table reports, per cause:

* recall: share of cases where the cause was planted and claimed;
* false alarms: share of cases where it was not planted but claimed;
* for causes with columns, column recall and wrongly named columns.

Targets (issue 3): recall >= 0.95 and false alarms <= 0.05 for every cause.

Usage::

    python benchmarks/bench_overfit_diagnostics.py              # 100 cases, seeds 0..99
    python benchmarks/bench_overfit_diagnostics.py --cases 20 --first-seed 1000
    python benchmarks/bench_overfit_diagnostics.py --json out.json --misses

Runtime: about 1-2 s per case on one free core (sizes are drawn per seed).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import casestudies as cs
from casestudies.diagnostics import DIAGNOSTICS

DATA_DIAGNOSTICS = [name for name, spec in DIAGNOSTICS.items() if not spec.needs_pipeline]


def run(n_cases: int, first_seed: int, show_misses: bool) -> dict[str, object]:
    present = defaultdict(int)
    absent = defaultdict(int)
    found = defaultdict(int)
    false_alarms = defaultdict(int)
    column_truth = defaultdict(int)
    column_found = defaultdict(int)
    column_wrong = defaultdict(int)
    seconds = defaultdict(float)
    misses = []
    perfect = 0
    started = time.perf_counter()
    for seed in range(first_seed, first_seed + n_cases):
        case = cs.make("overfit-random-v1", seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cs.diagnose(case, diagnostics=DATA_DIAGNOSTICS, seed=0)
        for name, value in result.seconds.items():
            seconds[name] += value
        grade = case.grade_diagnosis(result.diagnosis)
        perfect += grade.perfect
        for kind in cs.FAULT_KINDS:
            if kind in grade.present:
                present[kind] += 1
                found[kind] += kind in grade.found
            else:
                absent[kind] += 1
                false_alarms[kind] += kind in grade.wrongly_claimed
        world = case.reveal("world")
        for kind, part in grade.columns.items():
            column_truth[kind] += len(world["faults"][kind]["columns"])
            column_found[kind] += len(part["found"])
            column_wrong[kind] += len(part["wrongly_claimed"])
        if show_misses and (grade.missed or grade.wrongly_claimed or not grade.perfect):
            misses.append({"seed": seed, "knobs": world["knobs"], "grade": grade.to_dict()})
    elapsed = time.perf_counter() - started
    table = {}
    for kind in cs.FAULT_KINDS:
        row: dict[str, object] = {
            "present": present[kind],
            "recall": found[kind] / present[kind] if present[kind] else None,
            "absent": absent[kind],
            "false_alarm_rate": false_alarms[kind] / absent[kind] if absent[kind] else None,
        }
        if kind in column_truth:
            row["column_recall"] = column_found[kind] / column_truth[kind] if column_truth[kind] else None
            row["wrong_columns"] = column_wrong[kind]
        table[kind] = row
    return {
        "cases": n_cases,
        "first_seed": first_seed,
        "perfect_cases": perfect,
        "seconds_total": round(elapsed, 1),
        "seconds_per_case": round(elapsed / n_cases, 3),
        "seconds_per_diagnostic_per_case": {name: round(value / n_cases, 3) for name, value in seconds.items()},
        "table": table,
        "misses": misses,
        "python": platform.python_version(),
    }


def _fmt(value: object) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--misses", action="store_true", help="list every case with a miss or a false alarm")
    args = parser.parse_args()
    result = run(args.cases, args.first_seed, args.misses)
    print(
        f"{result['cases']} random-faults cases (seeds {args.first_seed}..{args.first_seed + args.cases - 1}), "
        f"{result['seconds_per_case']:.2f} s per case, {result['perfect_cases']} graded perfect\n"
    )
    print(
        f"{'cause':<18}{'planted':>8}{'recall':>8}{'absent':>8}"
        f"{'false alarms':>14}{'column recall':>15}{'wrong columns':>15}"
    )
    ok = True
    for kind, row in result["table"].items():  # type: ignore[union-attr]
        print(
            f"{kind:<18}{row['present']:>8}{_fmt(row['recall']):>8}{row['absent']:>8}{_fmt(row['false_alarm_rate']):>14}"
            f"{_fmt(row.get('column_recall')) if 'column_recall' in row else '':>15}{row.get('wrong_columns', ''):>15}"
        )
        ok &= (row["recall"] is None or row["recall"] >= 0.95) and (
            row["false_alarm_rate"] is None or row["false_alarm_rate"] <= 0.05
        )
    print("\nseconds per case by diagnostic:", result["seconds_per_diagnostic_per_case"])
    print("targets (recall >= 0.95, false alarms <= 0.05):", "met" if ok else "NOT met")
    for miss in result["misses"]:  # type: ignore[union-attr]
        grade = miss["grade"]
        print(
            f"seed {miss['seed']}: missed {grade['missed']}, wrongly claimed {grade['wrongly_claimed']}, "
            f"columns {grade['columns']}; knobs {miss['knobs']}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
