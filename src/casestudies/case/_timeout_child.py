"""The child side of :mod:`casestudies.case._timeout`: ``python -m casestudies.case._timeout_child FOLDER``.

Reads the request from ``FOLDER``, puts the parent's module search path
first, says it is ready (the parent's deadline starts), calls the function,
says it is done (the deadline ends) and writes ``(True, result)`` or
``(False, exception)`` back. Nothing imports
this module: it runs only as a program.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from casestudies.case._timeout import DONE_FILE, READY_FILE, REQUEST_FILE, RESULT_FILE, dumps
from casestudies.exceptions import InvalidParameterError, PipelineError


def main(argv: list[str]) -> int:
    """Run the request in ``argv[1]``; the exit status is 0 whenever a result (or an error) was written."""
    folder = Path(argv[1])
    path, payload = pickle.loads((folder / REQUEST_FILE).read_bytes())
    sys.path[:0] = [entry for entry in path if entry not in sys.path]  # the parent's imports work here too
    outcome: tuple[bool, object]
    try:
        function, args = pickle.loads(payload)
    except Exception as err:  # a function pickled by reference that this interpreter cannot import
        message = (
            f"timeout=: the separate process cannot load the pipeline ({type(err).__name__}: {err}). Define it in "
            "an importable module (or install cloudpickle, which sends notebook code by value), or call without "
            "timeout."
        )
        outcome = (False, InvalidParameterError(message))
    else:
        (folder / READY_FILE).touch()
        try:
            outcome = (True, function(*args))
        except Exception as err:  # the caller raises it as if the call had been made there
            outcome = (False, err)
        (folder / DONE_FILE).touch()
    try:
        data = dumps(outcome)
    except Exception as err:
        error = PipelineError(
            f"timeout=: the result cannot be sent back from the separate process ({type(err).__name__}: {err}).",
            stage="result",
            user_traceback="",
        )
        data = dumps((False, error))
    (folder / RESULT_FILE).write_bytes(data)
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # now: the result is written, and tearing the interpreter down is not the pipeline's time
