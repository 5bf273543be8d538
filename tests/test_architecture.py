"""The package's house rules: one-way imports, folder faces, a cheap ``import casestudies``.

import-linter (run in CI) checks the layers between folders; these tests check
what it does not: that nothing imports another folder's private modules, that
no import hides inside a function, that the module graph has no cycle, that no
module grows past the size where it should be split, and that the public face
loads nothing heavy.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import casestudies

PACKAGE_DIR = Path(casestudies.__file__).parent
MAX_MODULE_LINES = 800
HEAVY = ("lightgbm", "sqlalchemy", "fastapi", "uvicorn", "matplotlib", "sklearn", "pandas")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


MODULES = dict(_modules())


def _folder(module: str) -> str:
    """``casestudies.core._spec`` -> ``core``; top-level modules are their own folder."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imports(module: str, *, top_level_only: bool) -> Iterator[tuple[str, list[str], int, bool]]:
    """(imported module, names, line, at module level) for every import of a casestudies module."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("casestudies"):
            target, names = node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            found = [alias.name for alias in node.names if alias.name.startswith("casestudies")]
            if not found:
                continue
            target, names = found[0], []
        else:
            continue
        holder = parents.get(node)
        in_type_checking = False
        at_top = True
        while holder is not None:
            if isinstance(holder, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                at_top = False
            if isinstance(holder, ast.If) and "TYPE_CHECKING" in ast.unparse(holder.test):
                in_type_checking = True
            holder = parents.get(holder)
        if top_level_only and (not at_top or in_type_checking):
            continue
        yield target, names, node.lineno, at_top


def test_modules_were_found() -> None:
    assert {"casestudies.core", "casestudies.case._case", "casestudies.cli"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_reach_across_folders(module: str) -> None:
    """Another folder is used through its face (``casestudies.core``), never its ``_private`` modules or names."""
    here = _folder(module)
    wrong = []
    for target, names, line, _ in _imports(module, top_level_only=False):
        there = _folder(target)
        if there == here or there in ("", "_version", "_public"):
            continue
        private_module = any(part.startswith("_") for part in target.split(".")[2:])
        private_names = [name for name in names if name.startswith("_")]
        if private_module or private_names:
            wrong.append(f"line {line}: from {target} import {', '.join(names)}")
    assert not wrong, f"{module} reaches into another folder's private parts: {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_of_the_package_inside_functions(module: str) -> None:
    """Imports of our own modules sit at the top; one inside a function is a cycle being dodged."""
    hidden = [
        f"line {line}: {target}" for target, _, line, at_top in _imports(module, top_level_only=False) if not at_top
    ]
    assert not hidden, f"{module} imports package modules inside functions: {hidden}"


def _graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports at load time.

    ``from pkg import sub`` where ``sub`` is a module is an edge to ``pkg.sub``;
    any other name from a package is an edge to the package's ``__init__``.
    The implicit "a module's package loads first" edges are left out: that is
    how Python loads packages, not a dependency between modules.
    """
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for module in MODULES:
        for target, names, _, _ in _imports(module, top_level_only=True):
            if target not in MODULES:
                continue
            submodules = {f"{target}.{name}" for name in names if f"{target}.{name}" in MODULES}
            graph[module] |= submodules
            if len(submodules) < len(names) or not names:
                graph[module].add(target)
        graph[module].discard(module)
    return graph


def test_module_graph_has_no_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_past_the_split_size(module: str) -> None:
    n_lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_MODULE_LINES, f"{module} has {n_lines} lines; split it by concern (limit {MAX_MODULE_LINES})"


def test_import_casestudies_loads_nothing_heavy() -> None:
    code = "import sys, json, casestudies; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)))"
    result = subprocess.run(
        [sys.executable, "-c", code % (HEAVY,)], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_public_face_exports_what_users_catch_and_call() -> None:
    expected = {
        "make", "list_scenarios", "spec", "register", "registry", "Case", "Report", "Leaderboard",
        "create_takehome", "grade_takehome", "diagnose",
        "SubmissionError", "PipelineError", "InvalidParameterError", "UnknownScenarioError", "RegistrationError",
        "CaseStudiesError", "ScenarioDeprecationWarning", "TakehomeError", "LeaderboardError",
    }  # fmt: skip
    assert expected <= set(casestudies.__all__)
    assert issubclass(casestudies.SubmissionError, casestudies.CaseStudiesError)
    assert casestudies.SubmissionError is casestudies.exceptions.SubmissionError


@pytest.mark.parametrize("name", sorted(set(casestudies.__all__) - {"exceptions", "FAULT_KINDS"}))
def test_public_names_print_as_casestudies(name: str) -> None:
    """Users see ``casestudies.Case``, not the private module that defines it."""
    value = getattr(casestudies, name)
    expected = "casestudies.exceptions" if name in casestudies.exceptions.__all__ else "casestudies"
    assert value.__module__ == expected, f"casestudies.{name} prints as {value.__module__}.{name}"


def test_every_folder_face_lists_what_it_exports() -> None:
    for module in MODULES:
        if _is_package(module) and module != "casestudies":
            face = importlib.import_module(module)
            exported = getattr(face, "__all__", None)
            assert exported is not None, f"{module}/__init__.py must name what the rest of the package may use"
            for name in exported:
                assert hasattr(face, name), f"{module}.{name} is in __all__ but missing"


def test_walk_packages_sees_every_module() -> None:
    walked = {info.name for info in pkgutil.walk_packages(casestudies.__path__, prefix="casestudies.")}
    assert set(MODULES) - {"casestudies"} <= walked
