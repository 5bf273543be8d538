"""What every ``casestudies`` subcommand shares: the parser, ``--param``, exit codes, printing and errors.

Argument definitions and handlers alike import from here; this module
imports no subcommand. The parser is built from it on every start,
``--help`` included, so it imports pandas and the report only for type
hints.

Exit codes: :data:`EXIT_OK` success; :data:`EXIT_PIPELINE` the user's
pipeline raised or did not finish in ``--timeout`` seconds; :data:`EXIT_USAGE`
usage or input error; :data:`EXIT_INTERRUPTED` Ctrl-C (one line, no
traceback); :data:`EXIT_BROKEN_PIPE` the reader of standard output went away
(``casestudies list | head``), quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from casestudies.core import did_you_mean, spec
from casestudies.exceptions import CaseStudiesError, InvalidParameterError, PipelineError, ScenarioDeprecationWarning

if TYPE_CHECKING:
    import pandas as pd

    from casestudies.report import Report

__all__ = [
    "CLI_PHRASES",
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PIPELINE",
    "EXIT_USAGE",
    "Handler",
    "Parser",
    "add_param_argument",
    "cli_message",
    "interrupted",
    "jsonable",
    "parse_param",
    "parse_params",
    "positive_seconds",
    "print_json",
    "print_report",
    "print_table",
    "quiet_broken_pipe",
    "run_handler",
]

EXIT_OK: Final = 0
EXIT_PIPELINE: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 128 + signal.SIGINT  # 130, what shells report for Ctrl-C
EXIT_BROKEN_PIPE: Final = 128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else 141  # 141, as a shell's SIGPIPE

Handler = Callable[[argparse.Namespace], int]
"""What runs one subcommand: parsed arguments in, exit code out."""

CLI_PHRASES: Final[tuple[tuple[str, str], ...]] = (
    # (regular expression over a library message, what a command line user types instead), in order
    (r"\bcasestudies\.list_scenarios\(\)", "`casestudies list`"),
    (r"\bmake\('[^']*'(?:, seed=\d+)?\): seed must be(?: None or)?", "--seed must be"),
    (r"\bmake\('[^']*'(?:, seed=\d+)?\): unknown parameter\b", "unknown --param"),
    (r"\bmake\('[^']*'(?:, seed=\d+)?\): (\w+) must be\b", r"--param \1 must be"),
    (r"\bmake\('[^']*'(?:, seed=\d+)?\): ", ""),
    (r"\b(?:casestudies\.|cs\.)?make\('([^']+)'\)", r"`casestudies generate \1`"),
    (r"\bValid parameters: ", "Valid --param names: "),
    (r"\b(?:casestudies\.)?Leaderboard\.close\(\)", "`casestudies leaderboard close`"),
    (r"\b(?:casestudies\.)?Leaderboard\.create\([^)]*\)", "`casestudies leaderboard create`"),
    (
        r"\bOpen it with (?:casestudies\.)?Leaderboard\.open\(store, name=('[^']*')\)",
        r"Use it with `--name \1` in the other `casestudies leaderboard` commands",
    ),
    (r"\bcasestudies\.generate\('[^']*', seed=\.\.\., out='DIR', \.\.\.\), or on the command line: ", ""),
    (
        r"\bwith casestudies\.generate\(\.\.\., out='DIR'\)",
        "with `casestudies generate ID --out DIR --partition-rows N`",
    ),
    (r"\bpass memory_check=False to make\(\), or set (\w+)=0 \(the command line too\)", r"set \1=0"),
    (r"\bcase\.score\([^)]*\)", "`casestudies score`"),
    (r"\bcase\.test\[('[^']*')\]", r"the \1 column of the test file"),
    (r"\bin case\.test order\b", "in the test file's row order"),
    (r"\bcase\.test\b", "the test file of `casestudies generate`"),
)
"""How a library message names Python calls, and the command-line words that replace them.

Applied by :func:`cli_message` to every error the command line prints, so
the library's messages stay Python's and the command line's stay its own.
"""

_TRUE_WORDS: Final = ("true", "1", "yes")
_FALSE_WORDS: Final = ("false", "0", "no")


class Parser(argparse.ArgumentParser):
    """argparse with 'did you mean' for mistyped sub-commands."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and ``message`` (with the closest sub-command, if any) and exit with code 2."""
        if "invalid choice:" in message and self._subparsers is not None:
            choices = [name for action in self._subparsers._group_actions for name in getattr(action, "choices", {})]
            typed = message.split("invalid choice: ", 1)[1].split("'")[1] if "'" in message else ""
            hint = did_you_mean(typed, choices)
            if hint:
                message += "." + hint
        super().error(message)


def add_param_argument(parser: argparse.ArgumentParser, *, help_text: str) -> None:
    """Add the repeatable ``--param NAME=VALUE`` option that :func:`parse_params` reads."""
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help=help_text)


def parse_param(text: str, scenario_id: str) -> tuple[str, object]:
    """Split ``NAME=VALUE`` and convert VALUE to the type the scenario declares for NAME.

    An undeclared NAME passes through as a string, so that ``make`` reports it
    together with the valid names.

    Raises
    ------
    InvalidParameterError
        If ``text`` has no ``=`` or VALUE does not convert to the declared type.
    UnknownScenarioError
        If ``scenario_id`` names no registered scenario.
    """
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise InvalidParameterError(f"--param expects NAME=VALUE, like --param n_customers=500; got {text!r}.")
    declared = spec(scenario_id).parameters.get(name)
    if declared is None:
        return name, raw
    try:
        if declared.type == "int":
            return name, int(raw)
        if declared.type == "float":
            return name, float(raw)
        if declared.type == "bool":
            if raw.lower() not in (*_TRUE_WORDS, *_FALSE_WORDS):
                raise ValueError(raw)
            return name, raw.lower() in _TRUE_WORDS
    except ValueError:
        message = f"--param {name} must be {declared.rule().describe()}; got {raw!r}."
        raise InvalidParameterError(message) from None
    return name, raw


def parse_params(texts: Sequence[str], scenario_id: str) -> dict[str, object]:
    """Every ``--param`` of a command line, by name (the last one wins), see :func:`parse_param`."""
    return dict(parse_param(text, scenario_id) for text in texts)


def positive_seconds(text: str) -> float:
    """The value of a ``--timeout``: a positive, finite number of seconds (for argparse's ``type=``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, like --timeout 600; got {text!r}")
    return value


def print_json(data: object) -> None:
    """Print ``data`` as indented JSON; what JSON cannot hold (timestamps, paths) prints as text."""
    print(json.dumps(data, indent=2, default=str))


def print_table(table: pd.DataFrame) -> None:
    """Print a table without its index, missing values as ``—``, or ``(nobody yet)`` when it is empty."""
    if table.empty:
        print("(nobody yet)")
        return
    shown = table.astype(object).where(table.notna(), "—")
    print(shown.to_string(index=False))


def jsonable(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-ready records, with NaN and infinities as ``None``."""
    records = json.loads(table.to_json(orient="records"))
    return [
        {key: (None if isinstance(value, float) and not math.isfinite(value) else value) for key, value in row.items()}
        for row in records
    ]


def print_report(report: Report, as_json: bool) -> None:
    """Print a report as text, or as the JSON of ``report.to_dict()``."""
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report)


def run_handler(handler: Handler, args: argparse.Namespace) -> int:
    """Run a subcommand; print a library error as one ``error: ...`` line and return its exit code.

    The user's pipeline raising gives :data:`EXIT_PIPELINE`; any other
    :class:`~casestudies.exceptions.CaseStudiesError`, and files or folders
    that cannot be read or written, give :data:`EXIT_USAGE`. Scenario
    deprecation warnings print once each as ``warning: ...``. A closed
    standard output (the reader of a pipe exited) ends the command quietly
    with :data:`EXIT_BROKEN_PIPE`.
    """
    with warnings.catch_warnings():
        _show_scenario_warnings_once()
        try:
            code = int(handler(args))
            sys.stdout.flush()  # a closed pipe shows here, inside the handling below, not at exit
            return code
        except BrokenPipeError:
            return quiet_broken_pipe()
        except PipelineError as err:
            return _print_error(err, EXIT_PIPELINE)
        except CaseStudiesError as err:
            return _print_error(err, EXIT_USAGE)
        except OSError as err:  # files and folders given on the command line
            return _print_error(err, EXIT_USAGE)


def quiet_broken_pipe() -> int:
    """End quietly after the reader of standard output went away; return :data:`EXIT_BROKEN_PIPE`.

    The Python documentation's recipe (``signal`` module, "Note on SIGPIPE"):
    point standard output at ``os.devnull`` so that the interpreter's final
    flush of what is still buffered does not raise again at exit.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (an embedding program): nothing to redirect
        pass
    return EXIT_BROKEN_PIPE


def interrupted() -> int:
    """Print one line for Ctrl-C and return :data:`EXIT_INTERRUPTED`."""
    with contextlib.suppress(OSError):  # stderr closed too: the exit code still says it
        print("casestudies: interrupted (Ctrl-C).", file=sys.stderr)
    return EXIT_INTERRUPTED


def cli_message(text: str) -> str:
    """A library message in command-line words: each Python phrase of :data:`CLI_PHRASES` replaced.

    Examples
    --------
    >>> cli_message("no scenario 'frad-v1'. Run casestudies.list_scenarios() to see all.")
    "no scenario 'frad-v1'. Run `casestudies list` to see all."
    >>> cli_message("make('fraud-v1'): n_days must be an int between 7 and 365; got -1 (int).")
    '--param n_days must be an int between 7 and 365; got -1 (int).'
    """
    for pattern, replacement in CLI_PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


def _print_error(err: Exception, code: int) -> int:
    print(f"error: {cli_message(str(err))}", file=sys.stderr)
    return code


def _show_scenario_warnings_once() -> None:
    """Print each ScenarioDeprecationWarning once as ``warning: ...`` (call inside catch_warnings).

    Python hides DeprecationWarnings outside ``__main__`` by default, and a
    command line user must still learn that ``fraud`` resolved to ``fraud-v1``.
    """
    warnings.simplefilter("always", ScenarioDeprecationWarning)
    original = warnings.showwarning
    seen: set[str] = set()

    def show(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
        if issubclass(category, ScenarioDeprecationWarning):
            if str(message) not in seen:
                seen.add(str(message))
                print(f"warning: {message}", file=sys.stderr)
            return
        original(message, category, *args, **kwargs)  # type: ignore[arg-type]

    warnings.showwarning = show  # restored by the enclosing catch_warnings
