"""The ``casestudies`` command line: list, show, generate, evaluate, score.

Exit codes: 0 success; 1 the user's pipeline raised; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Callable, Sequence

from casestudies.case._case import Case, make
from casestudies.core import FORMATS, ParameterSpec, closest, list_scenarios, load_object, spec, write_case
from casestudies.core import VERSION as __version__
from casestudies.exceptions import CaseStudiesError, InvalidParameterError, PipelineError, ScenarioDeprecationWarning
from casestudies.scoring import user_error

EXIT_OK, EXIT_PIPELINE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with 'did you mean' for mistyped sub-commands."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if "invalid choice:" in message and self._subparsers is not None:
            choices = [name for action in self._subparsers._group_actions for name in getattr(action, "choices", {})]
            typed = message.split("invalid choice: ", 1)[1].split("'")[1] if "'" in message else ""
            suggestion = closest(typed, choices)
            if suggestion:
                message += f". Did you mean {suggestion!r}?"
        super().error(message)


def _parse_param(text: str, scenario_id: str) -> tuple[str, object]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise InvalidParameterError(f"--param expects NAME=VALUE, like --param n_customers=500; got {text!r}.")
    declared: ParameterSpec | None = spec(scenario_id).parameters.get(name)
    if declared is None:
        return name, raw  # make() reports the unknown name with the valid ones
    try:
        if declared.type == "int":
            return name, int(raw)
        if declared.type == "float":
            return name, float(raw)
        if declared.type == "bool":
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return name, raw.lower() in ("true", "1", "yes")
    except ValueError:
        message = f"--param {name} must be {declared.rule().describe()}; got {raw!r}."
        raise InvalidParameterError(message) from None
    return name, raw


def _make_case(args: argparse.Namespace) -> Case:
    params = dict(_parse_param(text, args.scenario_id) for text in args.param)
    return make(args.scenario_id, seed=args.seed, **params)


def _add_case_arguments(parser: argparse.ArgumentParser, *, seed_required: bool = False) -> None:
    parser.add_argument("scenario_id", help="scenario id, e.g. fraud-v1 (see `casestudies list`)")
    seed_help = "seed of the case" + (
        " the predictions were made for (required)" if seed_required else "; omitted: a fresh seed, printed"
    )
    parser.add_argument("--seed", type=int, required=seed_required, help=seed_help)
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="override a generator parameter (repeatable)"
    )


def _cmd_list(args: argparse.Namespace) -> int:
    scenarios = list_scenarios()
    width = max(map(len, scenarios), default=0)
    for scenario_id, summary in scenarios.items():
        print(f"{scenario_id.ljust(width)}  {summary}")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    scenario = spec(args.scenario_id)
    print(f"{scenario.id} — {scenario.title}\n{scenario.summary}\n")
    print(f"task: {scenario.task}   metric: {scenario.metric}   also: {', '.join(scenario.secondary_metrics)}")
    print(f"holdout: {scenario.public_fraction:.0%} public, {1 - scenario.public_fraction:.0%} private")
    print(
        f"baselines: {', '.join(scenario.baselines)} (use with `casestudies evaluate {scenario.id} --pipeline NAME`)\n"
    )
    print("parameters (--param NAME=VALUE):")
    for name, parameter in scenario.parameters.items():
        print(f"  {name} = {parameter.default!r}  ({parameter.rule().describe()})")
        if parameter.help:
            print(textwrap.fill(parameter.help, width=88, initial_indent="      ", subsequent_indent="      "))
    print("\n" + scenario.prompt.strip())
    return EXIT_OK


def _cmd_generate(args: argparse.Namespace) -> int:
    case = _make_case(args)
    written = write_case(case, args.out, format=args.format)
    print(f"{case.id} seed {case.seed}: {len(case.train):,} training rows, {len(case.test):,} test rows")
    for path in written:
        print(f"  wrote {path}")
    print(f"Score predictions with: casestudies score {case.id} --seed {case.seed} predictions.csv")
    return EXIT_OK


def _call_factory(factory: Callable[[], object], reference: str) -> object:
    try:
        return factory()
    except Exception as err:
        raise user_error(reference, "the factory call", err) from err


def _load_pipeline(reference: str, scenario_id: str) -> object:
    baselines = spec(scenario_id).baselines
    if reference in baselines:
        return load_object(baselines[reference])()  # type: ignore[operator]
    if ":" not in reference:
        options = ", ".join(baselines)
        suggestion = closest(reference, baselines)
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        message = (
            f"--pipeline must be a built-in baseline ({options}) or 'package.module:factory'; got {reference!r}.{hint}"
        )
        raise InvalidParameterError(message)
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InvalidParameterError(
            f"--pipeline {reference!r}: cannot import module {module_name!r} ({err}). Run from the folder that contains it or install it."
        ) from err
    except Exception as err:
        raise user_error(f"module {module_name}", "import", err) from err
    if not hasattr(module, attribute):
        names = [name for name in vars(module) if not name.startswith("_")]
        suggestion = closest(attribute, names)
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        raise InvalidParameterError(
            f"--pipeline {reference!r}: module {module_name!r} has no attribute {attribute!r}.{hint}"
        )
    target = getattr(module, attribute)
    if hasattr(target, "fit") and not inspect.isclass(target):
        return target
    if callable(target):
        try:
            parameters = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):  # no introspectable signature: treat it as a factory
            parameters = []
        required = [
            p for p in parameters if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        return target if len(required) >= 3 else _call_factory(target, reference)
    raise InvalidParameterError(
        f"--pipeline {reference!r} is a {type(target).__name__}; expected an estimator, a factory returning one, or a function f(X_train, y_train, X_test)."
    )


def _print_report(report: object, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))  # type: ignore[attr-defined]
    else:
        print(report)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    scenario = spec(args.scenario_id)
    pipeline = _load_pipeline(args.pipeline, scenario.id)
    case = _make_case(args)
    _print_report(case.evaluate(pipeline, baselines=not args.no_baselines), args.json)
    return EXIT_OK


def _cmd_score(args: argparse.Namespace) -> int:
    case = _make_case(args)
    _print_report(case.score(args.predictions, baselines=not args.no_baselines), args.json)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``casestudies`` command."""
    parser = _Parser(prog="casestudies", description="ML interview case studies as scored exercises on simulated data.")
    parser.add_argument("--version", action="version", version=f"casestudies {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("list", help="list the registered scenarios").set_defaults(run=_cmd_list)

    show = commands.add_parser("show", help="describe a scenario: prompt, parameters, metric")
    show.add_argument("scenario_id")
    show.set_defaults(run=_cmd_show)

    generate = commands.add_parser("generate", help="write a case's training data and test features (no labels)")
    _add_case_arguments(generate)
    generate.add_argument("--out", required=True, help="output folder")
    generate.add_argument("--format", choices=FORMATS, default="parquet")
    generate.set_defaults(run=_cmd_generate)

    for name, helptext, run in (
        ("evaluate", "fit a pipeline and score it on the hidden holdout", _cmd_evaluate),
        ("score", "score a file of predictions on the hidden holdout", _cmd_score),
    ):
        command = commands.add_parser(name, help=helptext)
        _add_case_arguments(command, seed_required=name == "score")
        if name == "evaluate":
            command.add_argument(
                "--pipeline", required=True, help="built-in baseline name (see `show`) or package.module:factory"
            )
        else:
            command.add_argument("predictions", help="CSV or Parquet file with columns id,prediction")
        command.add_argument("--json", action="store_true", help="print the report as JSON")
        command.add_argument("--no-baselines", action="store_true", help="skip baselines, expert reference and oracle")
        command.set_defaults(run=run)

    from casestudies.cli._takehome import add_commands as add_takehome_commands

    add_takehome_commands(commands)
    from casestudies.cli._leaderboard import add_commands as add_leaderboard_commands

    add_leaderboard_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        _show_scenario_warnings_once()
        try:
            return int(args.run(args))
        except PipelineError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_PIPELINE
        except CaseStudiesError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as err:  # files and folders given on the command line
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
