"""The child process that runs a hidden battery on a learner's solution: ``python -m casestudies.coding._child JOB``.

The parent (:mod:`casestudies.coding._runner`) writes a job file (JSON:
the solution, battery and reference paths, the tests to run, the seed and
the limits) and watches the results file this process appends to, one JSON
line per event: ``{"event": "start", "test": ...}`` before a test runs and
``{"event": "result", ...}`` after. Here, every test runs under an alarm
(its time limit), with ``sys.stdout``/``sys.stderr`` replaced by a
:class:`CappedStream`, and the whole process under an address-space limit
(``RLIMIT_AS``, set once the battery's libraries are loaded, so the limit is
the learner's budget on top of them) and a file-size limit. Whatever the
learner's code raises (``SystemExit`` and ``MemoryError`` included) becomes
that test's failure; what kills the process (``os._exit``, a segfault, a
loop the alarm cannot interrupt) the parent sees and reports.

Examples
--------
>>> stream = CappedStream(limit=10)
>>> stream.write("hello")
5
>>> try:
...     stream.write("hello world")
... except OutputLimit as err:
...     print(err)
printed more than 10 characters (through print or sys.stdout/sys.stderr)
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import json
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType, ModuleType
from typing import IO, Final

from casestudies.coding._harness import Battery, Context, TestCase, TestFailure

__all__ = ["CappedStream", "OutputLimit", "TimeUp", "load_module", "main"]

_TRACEBACK_LINES: Final = 6  # last lines of a learner's traceback shown in a message: the line that raised is last
_FILE_LIMIT: Final = 64 << 20  # bytes any one file the child writes may reach: results lines are small
LOAD_TEST: Final = "solution_imports"


class TimeUp(BaseException):
    """The test ran past its time limit (a BaseException, so ``except Exception`` in learner code cannot swallow it)."""


class OutputLimit(BaseException):
    """The learner's code printed more than the output cap."""


class CappedStream(io.TextIOBase):
    """A text stream that keeps count of what is written and stops the test past ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written += len(text)
        if self.written > self.limit:
            raise OutputLimit(f"printed more than {self.limit:,} characters (through print or sys.stdout/sys.stderr)")
        return len(text)


def load_module(path: Path, name: str) -> ModuleType:
    """Import the Python file ``path`` as a module called ``name`` (its folder first on ``sys.path``)."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeUp


def _virtual_bytes() -> int:
    """The process's current address-space size (Linux); 0 where /proc is missing."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def _limit_resources(memory: int) -> None:
    """Address space: what is loaded now plus ``memory`` bytes; files: :data:`_FILE_LIMIT` (writes past it fail)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = ((resource.RLIMIT_AS, _virtual_bytes() + memory), (resource.RLIMIT_FSIZE, _FILE_LIMIT))
    for which, wanted in limits:
        _, hard = resource.getrlimit(which)
        value = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):  # a platform that refuses: the parent's time limit holds
            resource.setrlimit(which, (value, hard))


def _learner_traceback(err: BaseException, solution: Path) -> str:
    """The end of the traceback, from the first frame in the learner's file on (empty when none is)."""
    frames = traceback.extract_tb(err.__traceback__)
    own = [index for index, frame in enumerate(frames) if Path(frame.filename) == solution]
    if not own:
        return ""
    lines = traceback.format_list(frames[own[0] :])
    text = "".join(lines).rstrip().splitlines()[-_TRACEBACK_LINES:]
    return "\n".join(text)


def _describe(err: BaseException, *, seconds: float, memory: int, solution: Path) -> str:
    """The failure message of an exception raised while a test ran the learner's code."""
    if isinstance(err, TimeUp):
        return f"did not finish within the time limit of {seconds:g} s (an endless loop, or far too slow)."
    if isinstance(err, OutputLimit):
        return f"{err}; remove the print calls, the checker caps output to keep every run readable."
    if isinstance(err, MemoryError):
        return f"ran out of memory: the limit is {memory >> 20:,} MB on top of the libraries (MemoryError)."
    if isinstance(err, SystemExit):
        return f"called sys.exit({err.code!r}) (or raised SystemExit); return values instead of exiting."
    where = _learner_traceback(err, solution)
    text = f"raised {type(err).__name__}: {err}"
    return f"{text}\n{where}" if where else text


def _record(handle: IO[str], data: dict[str, object]) -> None:
    handle.write(json.dumps(data) + "\n")
    handle.flush()


def _run_test(
    test: TestCase, context: Context, *, seconds: float, output: int, memory: int, solution: Path
) -> dict[str, object]:
    limit = test.seconds or seconds
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = CappedStream(output)
    start = time.perf_counter()
    message, hint, passed = "", "", False
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            test.function(context)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        passed = True
    except TestFailure as failure:
        message, hint = failure.message, failure.hint or test.hint
    except BaseException as err:  # the learner's code: anything it raises is this test's failure
        message, hint = _describe(err, seconds=limit, memory=memory, solution=solution), test.hint
        if isinstance(err, MemoryError):
            gc.collect()  # give the next test its memory back
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    seconds_taken = round(time.perf_counter() - start, 4)
    return {"test": test.name, "kind": test.kind, "passed": passed, "message": message, "hint": hint} | {
        "seconds": seconds_taken
    }


def main(job_path: str) -> int:
    """Run the job in ``job_path``; results go to the job's results file. Returns the exit code (0)."""
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    solution = Path(job["solution"])
    battery_module = load_module(Path(job["battery"]), "casestudies_hidden_battery")
    battery: Battery = battery_module.BATTERY
    reference = load_module(Path(job["reference"]), "casestudies_reference_solution")
    wanted = list(job["tests"])
    seconds, output, memory = float(job["seconds"]), int(job["output"]), int(job["memory"])
    signal.signal(signal.SIGALRM, _alarm)
    with Path(job["results"]).open("a", encoding="utf-8") as handle:
        _limit_resources(memory)
        first = bool(job["record_load"])  # a restarted child loads the solution again without recording it
        if first:
            _record(handle, {"event": "start", "test": LOAD_TEST})
        holder: list[ModuleType] = []
        load = TestCase(LOAD_TEST, "rules", "", lambda ctx: holder.append(load_module(solution, "solution")))
        result = _run_test(
            load, Context(reference, reference, 0), seconds=seconds, output=output, memory=memory, solution=solution
        )
        result["hint"] = "Run `python solution.py` and `python test_public.py` in your folder to see the error."
        if first:
            _record(handle, {"event": "result", **result})
        loaded = holder[0] if holder else None
        load_error = str(result["message"])
        context = Context(loaded or reference, reference, int(job["seed"]), examples=int(job["examples"]))
        for test in battery.tests:
            if test.name not in wanted:
                continue
            _record(handle, {"event": "start", "test": test.name})
            if loaded is None:
                result = {"test": test.name, "kind": test.kind, "passed": False, "hint": test.hint, "seconds": 0.0}
                result["message"] = f"not run: solution.py did not import ({load_error.splitlines()[0]})"
            else:
                result = _run_test(test, context, seconds=seconds, output=output, memory=memory, solution=solution)
            _record(handle, {"event": "result", **result})
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1]))
