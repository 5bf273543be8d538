"""Start-up cost of the package and its command line, against the interpreter itself.

Run ``python benchmarks/bench_startup.py`` (with the package installed). It
prints the median wall time, over fresh processes, of

* ``python -c pass`` (the interpreter alone: the baseline);
* ``python -c "import casestudies"`` (the public face; names load on first use);
* ``casestudies --help`` (target: under 0.5 s);
* ``casestudies list`` (reads the scenario catalog);
* ``casestudies score`` of a small predictions file without baselines (fraud-v1 at 300 customers and 35 days:
  makes the case and scores the file; fits nothing, so it needs no scikit-learn);
* ``python -c "import pandas"`` (for scale: what the face avoids importing);

and each one's ratio to the baseline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import casestudies as cs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds

REPEATS = 7
HELP_TARGET_SECONDS = 0.5
SMALL_FRAUD = {"n_customers": 300, "n_days": 35}


def _command(*argv: str) -> list[str]:
    executable = shutil.which("casestudies")
    if argv and argv[0] == "casestudies":
        if executable is None:
            return [sys.executable, "-m", "casestudies", *argv[1:]]
        return [executable, *argv[1:]]
    return [sys.executable, *argv]


def _time(argv: list[str]) -> float:
    return median_seconds(lambda: subprocess.run(argv, check=True, capture_output=True), REPEATS)


def _predictions_file(folder: Path) -> Path:
    """A predictions file (random scores) for fraud-v1 at seed 0 and the small size :func:`main` scores."""
    case = cs.make("fraud-v1", seed=0, **SMALL_FRAUD)
    path = folder / "predictions.csv"
    scores = np.random.default_rng(0).random(len(case.test))
    pd.DataFrame({"id": case.test[case.id_column], "prediction": scores}).to_csv(path, index=False)
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _report(_predictions_file(Path(folder)))


def _report(predictions: Path) -> None:
    params = [arg for name, value in SMALL_FRAUD.items() for arg in ("--param", f"{name}={value}")]
    score = ["score", "fraud-v1", "--seed", "0", *params, "--no-baselines", "--quiet", str(predictions)]
    cases = {
        "python -c pass": _command("-c", "pass"),
        "import casestudies": _command("-c", "import casestudies"),
        "casestudies --help": _command("casestudies", "--help"),
        "casestudies list": _command("casestudies", "list"),
        "casestudies score file": _command("casestudies", *score),
        "import pandas": _command("-c", "import pandas"),
    }
    _time(cases["python -c pass"])  # warm the file cache
    baseline = _time(cases["python -c pass"])
    print(f"{'command':<22} {'median s':>9} {'x python':>9}")
    for name, argv in cases.items():
        seconds = baseline if name == "python -c pass" else _time(argv)
        print(f"{name:<22} {seconds:>9.3f} {seconds / baseline:>9.1f}")
        if name == "casestudies --help":
            verdict = "meets" if seconds < HELP_TARGET_SECONDS else "MISSES"
            print(f"{'':<22} {verdict} the {HELP_TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
