"""The rules check: which libraries a solution imports, read from its source (an AST scan).

This is a check of what the file says, not a sandbox: code that builds a
module name at run time, or execs a string, gets past it. It catches the
honest mistake (``from sklearn.metrics import roc_auc_score`` in a task that
says "numpy only") and says so by line.

Examples
--------
>>> source = '''import numpy as np
... from sklearn.metrics import f1_score
... import importlib
... importlib.import_module('scipy')'''
>>> [(found.module, found.line) for found in banned_imports(source, ("sklearn", "scipy"))]
[('sklearn.metrics', 2), ('scipy', 4)]
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["BannedImport", "banned_imports"]

_DYNAMIC = frozenset({"__import__", "import_module"})  # calls that import a module named by a string


@dataclass(frozen=True, slots=True)
class BannedImport:
    """A banned module a solution imports, and the line that does."""

    module: str
    line: int


def _imported(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno
        elif isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in _DYNAMIC and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, node.lineno


def banned_imports(source: str, banned: Sequence[str]) -> list[BannedImport]:
    """Every import in ``source`` of a module in ``banned`` (or a submodule of one), in line order.

    Raises
    ------
    SyntaxError
        If ``source`` is not valid Python.
    """
    tree = ast.parse(source)
    found = [
        BannedImport(module, line)
        for module, line in _imported(tree)
        if any(module == name or module.startswith(name + ".") for name in banned)
    ]
    return sorted(found, key=lambda item: item.line)
