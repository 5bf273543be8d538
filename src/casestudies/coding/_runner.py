"""Running a hidden battery on a learner's solution in a child process, within limits, never hanging.

The parent writes a job file and starts ``python -m casestudies.coding._child``
in its own session, then watches the results file the child appends to. A
test that runs past its time limit plus :data:`GRACE` seconds (a loop the
child's alarm cannot interrupt, or code that swallows it) gets the child
killed; a child that dies (``os._exit``, a signal, the system's memory
killer) is seen by its exit. Either way the running test fails with a
message saying what happened, and a new child runs the tests left, so one
bad function costs its own tests only. The child's own limits (alarm,
address space, capped output) are described in
:mod:`casestudies.coding._child`.

Examples
--------
>>> Limits().seconds, Limits().memory >> 20
(20.0, 1024)
>>> describe_exit(-9)
'the process was killed by SIGKILL (the system stops a process that exhausts memory this way)'
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from casestudies.coding._child import LOAD_TEST
from casestudies.coding._harness import TestCase
from casestudies.coding._result import TestRecord

__all__ = ["GRACE", "Limits", "describe_exit", "run_battery"]

GRACE: Final = 3.0  # seconds past a test's limit before the parent kills the child: the child's alarm comes first
_POLL: Final = 0.02  # seconds between looks at the child; the cost of a check is the child's, not this loop's
_STDERR_SHOWN: Final = 800  # characters of the child's stderr quoted when it dies unexpectedly
_THREAD_VARIABLES: Final = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""One thread for numerical libraries in the child: timings compare like with like, and the limits hold."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits of one check.

    Attributes
    ----------
    seconds : float
        Time limit of each test (a test may declare a longer one).
    memory : int
        Bytes of address space the learner's code may add to the loaded libraries.
    output : int
        Characters the learner's code may print per test.
    startup : float
        Seconds the child may take to load the battery's libraries.
    """

    seconds: float = 20.0
    memory: int = 1 << 30
    output: int = 1_000_000
    startup: float = 120.0


def describe_exit(code: int) -> str:
    """What a child's exit code says about how it ended."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = " (the system stops a process that exhausts memory this way)" if name == "SIGKILL" else ""
        return f"the process was killed by {name}{why}"
    return f"the process ended with exit code {code} (os._exit or a crash) before the test finished"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    return env


@dataclass
class _Watch:
    """What the parent has read of one child's results file."""

    path: Path
    position: int = 0
    current: str | None = None
    since: float = 0.0

    def read(self, records: dict[str, TestRecord]) -> None:
        with self.path.open("r", encoding="utf-8") as handle:
            handle.seek(self.position)
            while True:
                line = handle.readline()
                if not line.endswith("\n"):
                    break
                self.position = handle.tell()
                event = json.loads(line)
                self.since = time.monotonic()
                if event["event"] == "start":
                    self.current = str(event["test"])
                    continue
                records[str(event["test"])] = TestRecord(
                    str(event["test"]),
                    str(event["kind"]),
                    bool(event["passed"]),
                    str(event["message"]),
                    str(event["hint"]),
                    float(event["seconds"]),
                )
                self.current = None


def _stderr_tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            text = handle.read(64_000).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text[-_STDERR_SHOWN:]


def _run_child(
    job: dict[str, object], folder: Path, index: int, limits: Limits, tests: dict[str, TestCase]
) -> tuple[dict[str, TestRecord], str | None, str]:
    """Run one child; returns its records, the test it was running when it ended badly, and why it ended."""
    results, errors = folder / f"results-{index}.jsonl", folder / f"stderr-{index}.txt"
    results.touch()
    job_path = folder / f"job-{index}.json"
    job_path.write_text(json.dumps(job | {"results": str(results)}), encoding="utf-8")
    records: dict[str, TestRecord] = {}
    watch = _Watch(results, since=time.monotonic())
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "casestudies.coding._child", str(job_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=_environment(),
            cwd=folder,
            start_new_session=True,
        )
        why = ""
        try:
            while process.poll() is None:
                watch.read(records)
                test = tests.get(watch.current or "")
                allowed = (test.seconds or limits.seconds) + GRACE if test else limits.seconds + limits.startup
                if watch.current == LOAD_TEST:
                    allowed = limits.seconds + GRACE
                if time.monotonic() - watch.since > allowed:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    why = f"stopped by the checker after {allowed:g} s: an endless loop, or far too slow"
                    break
                time.sleep(_POLL)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    watch.read(records)
    if not why and watch.current is not None:
        why = describe_exit(process.returncode)
    if not why and process.returncode != 0:
        why = f"{describe_exit(process.returncode)}: {_stderr_tail(errors)}"
    return records, watch.current, why


def run_battery(
    *,
    solution: Path,
    battery: Path,
    reference: Path,
    tests: Sequence[TestCase],
    seed: int,
    limits: Limits,
    examples: int,
) -> list[TestRecord]:
    """Run ``tests`` of the battery on ``solution`` in child processes; one record per test (solution load first).

    Never raises for what the learner's code does: a test that hangs, crashes
    or exhausts memory is a failed record, and the tests after it still run.
    """
    by_name = {test.name: test for test in tests}
    records: dict[str, TestRecord] = {}
    remaining = [test.name for test in tests]
    with tempfile.TemporaryDirectory(prefix="casestudies-check-") as scratch:
        folder = Path(scratch)
        index = 0
        while remaining or index == 0:
            job: dict[str, object] = {
                "solution": str(solution.resolve()),
                "battery": str(battery),
                "reference": str(reference),
                "tests": remaining,
                "seed": seed,
                "seconds": limits.seconds,
                "memory": limits.memory,
                "output": limits.output,
                "examples": examples,
                "record_load": index == 0,
            }
            found, current, why = _run_child(job, folder, index, limits, by_name)
            index += 1
            records.update(found)
            if not found and current is None and not why:
                why = "not run: the checker's child process ran none of these tests (not in the battery)"
            if current is not None and current not in records:
                test = by_name.get(current)
                records[current] = TestRecord(
                    current, test.kind if test else "rules", False, f"{why}.", test.hint if test else ""
                )
                if current == LOAD_TEST:
                    why = f"not run: solution.py did not import ({why})"
                    current = None
            if current is None and why:  # the child failed outside any test: the rest cannot run
                for name in remaining:
                    if name not in records:
                        records[name] = TestRecord(name, by_name[name].kind, False, why, by_name[name].hint)
            remaining = [name for name in remaining if name not in records]
    ordered = [LOAD_TEST, *(test.name for test in tests)]
    return [records[name] for name in ordered if name in records]
