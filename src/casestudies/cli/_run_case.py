"""Handlers of ``casestudies generate``, ``evaluate`` and ``score`` (loaded by ``cli._main.main``).

``evaluate --pipeline`` takes a built-in baseline's name or a
``package.module:attribute`` reference to the user's own code: an estimator,
a factory returning one, or a function ``f(X_train, y_train, X_test)``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Final, cast

from casestudies.case import Case, make
from casestudies.cli._common import (
    EXIT_OK,
    EXIT_PIPELINE,
    parse_params,
    print_report,
)
from casestudies.cli._run_stream import generate_partitioned
from casestudies.core import FileFormat, did_you_mean, load_object, spec, write_case
from casestudies.exceptions import InvalidParameterError, PipelineTimeoutError
from casestudies.report import Report
from casestudies.scoring import user_error

__all__ = ["evaluate", "generate", "load_pipeline", "score"]

_PIPELINE_FUNCTION_ARITY: Final = 3  # f(X_train, y_train, X_test) is a pipeline; fewer required arguments, a factory


def _make_case(args: argparse.Namespace) -> Case:
    progress = False if getattr(args, "quiet", False) else None  # None: bars only on a terminal
    return make(args.scenario_id, seed=args.seed, progress=progress, **parse_params(args.param, args.scenario_id))


def generate(args: argparse.Namespace) -> int:
    """``casestudies generate``: write a case's training data and test features, print what was written.

    The files are written into a temporary folder beside ``--out`` and moved
    into place at the end, so an error or Ctrl-C leaves no partial output.
    """
    if getattr(args, "partition_rows", None) is not None:
        return generate_partitioned(args)
    case = _make_case(args)
    written = _write_case_whole(case, Path(args.out), args.format)
    print(f"{case.id} seed {case.seed}: {len(case.train):,} training rows, {len(case.test):,} test rows")
    for path in written:
        print(f"  wrote {path}")
    print(f"Score predictions with: casestudies score {case.id} --seed {case.seed} predictions.csv")
    return EXIT_OK


def _write_case_whole(case: Case, out: Path, file_format: FileFormat) -> list[Path]:
    """:func:`write_case` into a temporary sibling of ``out``, then move the files into ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        staged = write_case(case, staging, format=file_format)
        if not out.exists():
            staging.rename(out)  # one step: the folder appears complete or not at all
            return [out / path.name for path in staged]
        written = []
        for path in staged:  # an existing folder keeps its other files; ours replace their namesakes
            os.replace(path, out / path.name)
            written.append(out / path.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def evaluate(args: argparse.Namespace) -> int:
    """``casestudies evaluate``: fit the ``--pipeline`` on a case and print its report.

    With ``--timeout SECONDS`` the pipeline fits and predicts in a separate
    process (``Case.evaluate(..., timeout=)``) that is stopped at the
    deadline: the command then prints ``error: your pipeline did not finish
    in N s`` and exits with :data:`EXIT_PIPELINE`, printing no partial report.
    """
    scenario = spec(args.scenario_id)
    pipeline = load_pipeline(args.pipeline, scenario.id)
    case = _make_case(args)
    try:
        report = case.evaluate(pipeline, baselines=not args.no_baselines, timeout=args.timeout)
    except PipelineTimeoutError as err:
        message = (
            f"error: your pipeline did not finish in {err.seconds:g} s (--timeout {err.seconds:g}: fitting and "
            "predicting); its process was stopped. Make the pipeline faster, try it on a smaller case with --param, "
            "or raise --timeout."
        )
        print(message, file=sys.stderr)
        return EXIT_PIPELINE
    _print_and_save(report, args)
    return EXIT_OK


def score(args: argparse.Namespace) -> int:
    """``casestudies score``: score a predictions file on the case's hidden holdout and print the report."""
    case = _make_case(args)
    _print_and_save(case.score(args.predictions, baselines=not args.no_baselines), args)
    return EXIT_OK


def _print_and_save(report: Report, args: argparse.Namespace) -> None:
    """Print the report; with ``--html PATH``, also write its page (figures drawn only then)."""
    audience = getattr(args, "audience", "technical")
    if audience == "technical" or args.json:
        print_report(report, args.json)
    else:
        print(report.summary(audience=audience))
    if args.html:
        path = Path(args.html)
        report.to_html(path, audience=audience)
        print(f"wrote {path} (open it in a browser; it works offline)", file=sys.stderr)


def load_pipeline(reference: str, scenario_id: str) -> object:
    """The pipeline named by ``--pipeline``: a built-in baseline, or the user's ``module:attribute``.

    Raises
    ------
    InvalidParameterError
        If ``reference`` names no baseline, no importable module or no attribute of it.
    PipelineError
        If the user's module or factory raises.
    """
    baselines = spec(scenario_id).baselines
    if reference in baselines:
        factory = cast("Callable[[], object]", load_object(baselines[reference]))  # baselines name factories
        return factory()
    if ":" not in reference:
        options = ", ".join(baselines)
        message = (
            f"--pipeline must be a built-in baseline ({options}) or 'package.module:factory'; "
            f"got {reference!r}.{did_you_mean(reference, baselines)}"
        )
        raise InvalidParameterError(message)
    module_name, _, attribute = reference.partition(":")
    module = _import_user_module(reference, module_name)
    if not hasattr(module, attribute):
        names = [name for name in vars(module) if not name.startswith("_")]
        message = (
            f"--pipeline {reference!r}: module {module_name!r} has no attribute {attribute!r}."
            f"{did_you_mean(attribute, names)}"
        )
        raise InvalidParameterError(message)
    return _as_pipeline(getattr(module, attribute), reference)


def _import_user_module(reference: str, module_name: str) -> ModuleType:
    """Import the user's module, from the current folder too, as ``python -m`` would."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ImportError as err:
        message = (
            f"--pipeline {reference!r}: cannot import module {module_name!r} ({err}). "
            "Run from the folder that contains it or install it."
        )
        raise InvalidParameterError(message) from err
    except Exception as err:
        raise user_error(f"module {module_name}", "import", err) from err


def _as_pipeline(target: object, reference: str) -> object:
    """An estimator instance or a pipeline function as is; a factory (or class) called."""
    if hasattr(target, "fit") and not inspect.isclass(target):
        return target
    if callable(target):
        return target if _required_positionals(target) >= _PIPELINE_FUNCTION_ARITY else _call_factory(target, reference)
    message = (
        f"--pipeline {reference!r} is a {type(target).__name__}; "
        "expected an estimator, a factory returning one, or a function f(X_train, y_train, X_test)."
    )
    raise InvalidParameterError(message)


def _required_positionals(function: Callable[..., object]) -> int:
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # no introspectable signature: treat it as a factory
        return 0
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in parameters if p.default is p.empty and p.kind in positional)


def _call_factory(factory: Callable[[], object], reference: str) -> object:
    try:
        return factory()
    except Exception as err:
        raise user_error(reference, "the factory call", err) from err
