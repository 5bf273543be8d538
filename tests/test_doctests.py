"""Every docstring example in the installed package runs and prints what it says.

The examples are collected from the imported ``casestudies`` (the installed
wheel in CI, the source tree in an editable install), so they test what users
get. Each module's examples are run under that module's name: the module
docstring, and every class and function the module defines (the public ones
present themselves as ``casestudies.Name``, so they are found by where they are
written, not by their ``__module__``). A module that yields no example fails:
an empty run is not a test. Private modules with nothing a user reaches are
listed in :data:`NOTHING_TO_SHOW` with the reason, and a test keeps that list
honest.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import io
import pkgutil
from types import ModuleType

import pytest

import casestudies

ALL_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(casestudies.__path__, prefix="casestudies.")
    if info.name != "casestudies.__main__"  # importing it runs the command line
)

# Private modules that define no class or function a face re-exports: implementation detail
# whose behaviour the unit tests check, and whose examples would show nothing a
# user can call. ``test_nothing_to_show_is_honest`` fails when one of them
# gains an example or a re-exported name, so the list cannot hide a module that
# should have examples.
NOTHING_TO_SHOW: dict[str, str] = {
    "casestudies._version": "the version string, read by casestudies.__version__",
    "casestudies.case._timeout_child": "the child program of timeout=, run by casestudies.case._timeout as python -m",
    "casestudies.cli._leaderboard": "builds the 'leaderboard' subcommand parser",
    "casestudies.cli._run_case": "handlers of generate/evaluate/score, run through casestudies.cli.main",
    "casestudies.cli._run_catalog": "handlers of list/show, run through casestudies.cli.main",
    "casestudies.cli._run_exercise": "handlers of the exercise subcommands, run through casestudies.cli.main",
    "casestudies.cli._run_leaderboard": "handlers of the leaderboard subcommands, run through casestudies.cli.main",
    "casestudies.cli._run_serve": "handler of 'serve', run through casestudies.cli.main",
    "casestudies.cli._run_takehome": "handlers of the takehome subcommands, run through casestudies.cli.main",
    "casestudies.cli._takehome": "builds the 'takehome' subcommand parser",
    "casestudies.diagnostics._common": "constants and helpers shared by the diagnostic checks",
    "casestudies.leaderboard._create": "writes a new board's rows, reached through Leaderboard.create",
    "casestudies.leaderboard._handout": "writes the participants' files, reached through Leaderboard.create",
    "casestudies.leaderboard._ledger": "the store's submission rows, reached through Leaderboard",
    "casestudies.leaderboard._modes": "the feedback-mode names, shown by the casestudies.leaderboard example",
    "casestudies.leaderboard._page": "the board's HTML page, reached through the server",
    "casestudies.leaderboard._standings": "ranking tables, reached through Leaderboard.standings",
    "casestudies.scenarios.movies._baselines": "catalog entry points of the movie reference pipelines",
    "casestudies.scenarios.overfit._columns": "column draws of the overfit simulator",
    "casestudies.scenarios.overfit._knobs": "the overfit simulator's hidden knobs",
    "casestudies.takehome._bundle": "writes a candidate's bundle, reached through create_takehome",
    "casestudies.takehome._check": "the round trip's checks, reached through check_takehome",
    "casestudies.takehome._diagnosis": "diagnosis graders, reached through grade_takehome",
    "casestudies.takehome._difficulty": "equal difficulty across variants, reached through create_takehome",
    "casestudies.takehome._layout": "file names and JSON helpers of bundles and keys",
    "casestudies.takehome._variant": "secrets and disguised ids, reached through create_takehome",
    "casestudies.takehome._verify": "integrity of key and bundle, reached through grade_takehome",
}

MODULES = ["casestudies", *(name for name in ALL_MODULES if name not in NOTHING_TO_SHOW)]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _top_level_definitions(module: ModuleType) -> list[str]:
    """Names of the classes and functions written at the top level of the module's source."""
    tree = ast.parse(inspect.getsource(module))
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return [node.name for node in tree.body if isinstance(node, kinds)]


def _collect(module_name: str) -> list[doctest.DocTest]:
    """The module docstring's examples and those of every class and function the module defines.

    The finder's own walk keeps objects whose ``__module__`` is this module;
    public objects say ``casestudies``, so they are found through the source
    of the module that defines them and run without its globals, as a user
    would run them. ``casestudies`` itself defines nothing: its own run is its
    docstring only (its namespace caches public names once they are used).
    """
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(module, module_name)
    if module_name == "casestudies":
        return [test for test in tests if test.name == "casestudies"]
    for name in _top_level_definitions(module):
        value = getattr(module, name)
        if getattr(value, "__module__", None) == casestudies.__name__:
            tests += finder.find(value, f"casestudies.{name}", module=False, globs={})
    return tests


def _face_exports() -> set[int]:
    """Identities of every object a face (a module without ``_`` in its own name) lists in ``__all__``."""
    exported: set[int] = set()
    for name in ["casestudies", *ALL_MODULES]:
        if name.rsplit(".", 1)[-1].startswith("_"):
            continue
        face = importlib.import_module(name)
        exported.update(id(getattr(face, attribute)) for attribute in getattr(face, "__all__", ()))
    return exported


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    output = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in _collect(module_name):
        runner.run(test, out=output.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, output.getvalue()
    assert result.attempted > 0, (
        f"{module_name} has no docstring example: add a runnable example to its module docstring or its "
        "public functions, or, for a private module nothing re-exports, list it in NOTHING_TO_SHOW with the reason"
    )


def test_nothing_to_show_is_honest() -> None:
    """Only private modules that define no re-exported name and have no example are left out."""
    exported = _face_exports()
    for module_name, reason in NOTHING_TO_SHOW.items():
        assert module_name in ALL_MODULES, f"{module_name} no longer exists; drop it from NOTHING_TO_SHOW"
        assert module_name.rsplit(".", 1)[-1].startswith("_"), f"{module_name} is public: it needs examples"
        assert reason, module_name
        module = importlib.import_module(module_name)
        reexported = [
            name
            for name in _top_level_definitions(module)
            if not name.startswith("_") and id(getattr(module, name)) in exported
        ]
        assert not reexported, f"{module_name} defines re-exported {reexported}: it needs examples"
        n_examples = sum(len(test.examples) for test in _collect(module_name))
        assert n_examples == 0, f"{module_name} has examples now: drop it from NOTHING_TO_SHOW"


def test_public_api_has_examples() -> None:
    """The front doors carry runnable examples (STYLE rule 15)."""
    for name in ("make", "list_scenarios", "spec", "register"):
        assert ">>>" in (getattr(casestudies, name).__doc__ or ""), name
