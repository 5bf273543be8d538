"""Handlers of ``casestudies list`` and ``casestudies show``: the scenario catalog (loaded by ``cli._main.main``)."""

from __future__ import annotations

import argparse
import textwrap
from typing import Final

from casestudies.cli._common import EXIT_OK
from casestudies.core import list_scenarios as registered_scenarios
from casestudies.core import spec

__all__ = ["list_scenarios", "show"]

_HELP_WIDTH: Final = 88  # a parameter's help wraps to this many columns, indent included
_HELP_INDENT: Final = " " * 6


def list_scenarios(args: argparse.Namespace) -> int:
    """``casestudies list``: one line per registered scenario, its id and summary."""
    scenarios = registered_scenarios()
    width = max(map(len, scenarios), default=0)
    for scenario_id, summary in scenarios.items():
        print(f"{scenario_id.ljust(width)}  {summary}")
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    """``casestudies show ID``: title, task, metrics, holdout split, baselines, parameters and prompt."""
    scenario = spec(args.scenario_id)
    print(f"{scenario.id} — {scenario.title}\n{scenario.summary}\n")
    print(f"task: {scenario.task}   metric: {scenario.metric}   also: {', '.join(scenario.secondary_metrics)}")
    print(f"holdout: {scenario.public_fraction:.0%} public, {1 - scenario.public_fraction:.0%} private")
    usage = f"use with `casestudies evaluate {scenario.id} --pipeline NAME`"
    print(f"baselines: {', '.join(scenario.baselines)} ({usage})\n")
    print("parameters (--param NAME=VALUE):")
    for name, parameter in scenario.parameters.items():
        print(f"  {name} = {parameter.default!r}  ({parameter.rule().describe()})")
        if parameter.help:
            print(
                textwrap.fill(
                    parameter.help, width=_HELP_WIDTH, initial_indent=_HELP_INDENT, subsequent_indent=_HELP_INDENT
                )
            )
    print("\n" + scenario.prompt.strip())
    return EXIT_OK
