"""Start-up cost of the package and its command line, against the interpreter itself.

Run ``python benchmarks/bench_startup.py`` (with the package installed). It
prints the median wall time, over fresh processes, of

* ``python -c pass`` (the interpreter alone: the baseline);
* ``python -c "import casestudies"`` (the public face; names load on first use);
* ``casestudies --help`` (target: under 0.5 s);
* ``casestudies list`` (reads the scenario catalog);
* ``python -c "import pandas"`` (for scale: what the face avoids importing);

and each one's ratio to the baseline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds

REPEATS = 7
HELP_TARGET_SECONDS = 0.5


def _command(*argv: str) -> list[str]:
    executable = shutil.which("casestudies")
    if argv and argv[0] == "casestudies":
        if executable is None:
            return [sys.executable, "-m", "casestudies", *argv[1:]]
        return [executable, *argv[1:]]
    return [sys.executable, *argv]


def _time(argv: list[str]) -> float:
    return median_seconds(lambda: subprocess.run(argv, check=True, capture_output=True), REPEATS)


def main() -> None:
    cases = {
        "python -c pass": _command("-c", "pass"),
        "import casestudies": _command("-c", "import casestudies"),
        "casestudies --help": _command("casestudies", "--help"),
        "casestudies list": _command("casestudies", "list"),
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
