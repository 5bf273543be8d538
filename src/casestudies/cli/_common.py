"""What every ``casestudies`` subcommand shares: the parser, ``--param``, exit codes, printing and errors.

Argument definitions and handlers alike import from here; this module
imports no subcommand. The parser is built from it on every start,
``--help`` included, so it imports pandas and the report only for type
hints.

Exit codes: :data:`EXIT_OK` success; :data:`EXIT_PIPELINE` the user's
pipeline raised; :data:`EXIT_USAGE` usage or input error.
"""

from __future__ import annotations

import argparse
import json
import math
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
    "EXIT_OK",
    "EXIT_PIPELINE",
    "EXIT_USAGE",
    "Handler",
    "Parser",
    "add_param_argument",
    "jsonable",
    "parse_param",
    "parse_params",
    "print_json",
    "print_report",
    "print_table",
    "run_handler",
]

EXIT_OK: Final = 0
EXIT_PIPELINE: Final = 1
EXIT_USAGE: Final = 2

Handler = Callable[[argparse.Namespace], int]
"""What runs one subcommand: parsed arguments in, exit code out."""

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
    deprecation warnings print once each as ``warning: ...``.
    """
    with warnings.catch_warnings():
        _show_scenario_warnings_once()
        try:
            return int(handler(args))
        except PipelineError as err:
            return _print_error(err, EXIT_PIPELINE)
        except CaseStudiesError as err:
            return _print_error(err, EXIT_USAGE)
        except OSError as err:  # files and folders given on the command line
            return _print_error(err, EXIT_USAGE)


def _print_error(err: Exception, code: int) -> int:
    print(f"error: {err}", file=sys.stderr)
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
