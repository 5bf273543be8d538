"""Running a pipeline where it can be stopped: a fresh Python process, killed at the deadline.

``Case.evaluate(..., timeout=seconds)``, ``grade_takehome(..., timeout=...)``
and the command line's ``--timeout`` all come here. The function and its
arguments are pickled into a temporary folder (with ``cloudpickle`` when it is
installed, so functions and classes defined in a notebook or a script travel
by value; else with :mod:`pickle`, so they must be importable), a new
interpreter (:data:`CHILD_MODULE`) runs it, and its result (or the exception
it raised) comes back the same way.

Why a new interpreter and not :func:`os.fork`: a process that has already run
OpenMP code (LightGBM, scikit-learn's histogram gradient boosting) leaves a
forked child hanging at its first parallel loop, and ``multiprocessing``'s
spawn re-runs a script's top-level code in the child. The deadline starts
when the child is ready to call the function (after its imports) and ends
when the function returns, so it measures the pipeline, not the
interpreter's start-up nor the trip back; those have their own bound,
:data:`STARTUP_SECONDS`.

On POSIX the child runs in its own session: Ctrl-C in a terminal reaches this
process only, which stops the child and lets the interrupt through.

Examples
--------
>>> from casestudies.case._timeout import run_with_timeout
>>> run_with_timeout(divmod, 7, 2, seconds=None, where="demo()")  # no limit: called here
(3, 1)
>>> run_with_timeout(divmod, 7, 2, seconds=60, where="demo()")  # in a child process
(3, 1)
"""

from __future__ import annotations

import importlib
import io
import math
import numbers
import os
import pickle
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Final, TypeVar, cast

from casestudies.core import describe_value
from casestudies.exceptions import InvalidParameterError, PipelineError, PipelineTimeoutError

_cloudpickle: types.ModuleType | None
try:  # pickles notebook- and script-defined functions by value; a dependency of joblib (scikit-learn's) since 1.6
    _cloudpickle = importlib.import_module("cloudpickle")
except ImportError:  # pragma: no cover - exercised without cloudpickle
    _cloudpickle = None

__all__ = [
    "CHILD_MODULE",
    "DONE_FILE",
    "READY_FILE",
    "REQUEST_FILE",
    "RESULT_FILE",
    "STARTUP_SECONDS",
    "check_timeout",
    "dumps",
    "read_only",
    "run_with_timeout",
]

T = TypeVar("T")

CHILD_MODULE: Final = "casestudies.case._timeout_child"
"""The module the child interpreter runs (``python -m``); apart, so importing the package never runs it."""

REQUEST_FILE: Final = "request.pickle"
"""What to run: the parent's module search path and the pickled ``(function, args)``."""

READY_FILE: Final = "ready"
"""Written by the child when it is about to call the function: the deadline starts then."""

DONE_FILE: Final = "done"
"""Written by the child when the function has returned (or raised): the deadline ends there, before the result is
pickled (pickling a report may draw its figures, which is not the pipeline's time)."""

RESULT_FILE: Final = "result.pickle"
"""What came back: ``(True, result)`` or ``(False, exception)``."""

STARTUP_SECONDS: Final = 300.0
"""Longest wait for the child to import what the pipeline needs, and to send the result back (a cold start on a
loaded machine takes seconds; an import that hangs must still end)."""

_POLL_SECONDS: Final = 0.02
"""How often the parent looks for the child's ready file while it starts (a file, so it works on every OS)."""


def check_timeout(where: str, seconds: object) -> float | None:
    """``seconds`` as a float, or None; raise :class:`InvalidParameterError` unless it is positive and finite.

    Examples
    --------
    >>> from casestudies.case._timeout import check_timeout
    >>> check_timeout("evaluate()", 2), check_timeout("evaluate()", None)
    (2.0, None)
    """
    if seconds is None:
        return None
    value = math.nan if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) else float(seconds)
    if math.isfinite(value) and value > 0:
        return value
    message = f"{where}: timeout must be None or a positive, finite number of seconds; got {describe_value(seconds)}."
    raise InvalidParameterError(message)


def read_only(items: dict[object, object]) -> types.MappingProxyType[object, object]:
    """A read-only view of ``items``: how :class:`_Pickler` rebuilds a ``MappingProxyType`` (pickle cannot name it)."""
    return types.MappingProxyType(items)


class _Pickler(pickle.Pickler):
    """:mod:`pickle` that also carries the read-only mappings (``MappingProxyType``) specs and reports hold."""

    def reducer_override(self, obj: object) -> tuple[Callable[..., object], tuple[object, ...]]:
        if isinstance(obj, types.MappingProxyType):
            return (read_only, (dict(obj),))
        return cast("tuple[Callable[..., object], tuple[object, ...]]", NotImplemented)  # the usual reduction


def dumps(value: object) -> bytes:
    """Pickle ``value`` for the other process: cloudpickle when installed, else pickle with read-only mappings."""
    if _cloudpickle is not None:
        return cast(bytes, _cloudpickle.dumps(value))
    buffer = io.BytesIO()
    _Pickler(buffer).dump(value)
    return buffer.getvalue()


def run_with_timeout(
    function: Callable[..., T], /, *args: object, seconds: float | None, where: str, subject: str = "your pipeline"
) -> T:
    """``function(*args)``, in a child process stopped after ``seconds`` (``None``: called here, no limit).

    ``where`` names the caller in messages (``"Case.evaluate()"``), ``subject`` what ran late.

    Raises
    ------
    PipelineTimeoutError
        If the call did not return in ``seconds``.
    PipelineError
        If the child ended without a result (the pipeline called ``sys.exit`` or crashed the interpreter).
    InvalidParameterError
        If ``function`` or its arguments cannot be sent to another process.
    Exception
        Whatever ``function`` raised, as it raised it.
    """
    limit = check_timeout(where, seconds)
    if limit is None:
        return function(*args)
    with tempfile.TemporaryDirectory(prefix="casestudies-timeout-") as name:
        folder = Path(name)
        try:
            payload = dumps((function, args))
        except Exception as err:
            message = (
                f"{where}: timeout={limit:g} runs the pipeline in a separate process, which needs to pickle it; "
                f"this one cannot be pickled ({type(err).__name__}: {err}). Define it at the top level of a "
                "module (or install cloudpickle), or call without timeout."
            )
            raise InvalidParameterError(message) from err
        (folder / REQUEST_FILE).write_bytes(pickle.dumps((list(sys.path), payload)))
        _run_child(folder, limit, where, subject)
        outcome = (folder / RESULT_FILE).read_bytes() if (folder / RESULT_FILE).is_file() else None
    if outcome is None:
        raise PipelineError(
            f"{where}: the pipeline's process ended without a result: the pipeline called sys.exit() or crashed "
            "Python. Run it without timeout to see where.",
            stage="run",
            user_traceback="",
        )
    ok, value = pickle.loads(outcome)
    if not ok:
        raise cast(BaseException, value)
    return cast(T, value)


def _wait_for(marker: Path, child: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait until ``marker`` exists or the child has ended (True), or ``seconds`` pass (False)."""
    deadline = time.monotonic() + seconds
    while not marker.exists() and child.poll() is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


def _run_child(folder: Path, limit: float, where: str, subject: str) -> None:
    """Start the child on ``folder``; give it :data:`STARTUP_SECONDS` to get ready, ``limit`` seconds to run the
    function and :data:`STARTUP_SECONDS` to send the result back; kill it when late, or on Ctrl-C."""
    sys.stdout.flush()  # the child shares the terminal: keep the order of what each prints
    sys.stderr.flush()
    child = subprocess.Popen(
        [sys.executable, "-m", CHILD_MODULE, str(folder)], start_new_session=os.name == "posix", close_fds=True
    )
    try:
        if not _wait_for(folder / READY_FILE, child, STARTUP_SECONDS):
            message = (
                f"{where}: the pipeline's process did not start in {STARTUP_SECONDS:g} s (importing what the "
                "pipeline needs). Check that its modules import quickly, or call without timeout."
            )
            raise PipelineError(message, stage="start", user_traceback="")
        if not _wait_for(folder / DONE_FILE, child, limit):
            raise PipelineTimeoutError(
                f"{subject} did not finish in {limit:g} s ({where}: timeout={limit:g}); its process was stopped. "
                "Make it faster, try it on a smaller case, or raise the timeout.",
                seconds=limit,
            )
        try:
            child.wait(timeout=STARTUP_SECONDS)
        except subprocess.TimeoutExpired:
            message = f"{where}: the result could not be sent back in {STARTUP_SECONDS:g} s; call without timeout."
            raise PipelineError(message, stage="result", user_traceback="") from None
    finally:
        if child.poll() is None:  # late, or interrupted (Ctrl-C) while waiting: stop it, then let the error through
            child.kill()
            child.wait()
