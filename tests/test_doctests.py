"""Every docstring example in the installed package runs and prints what it says.

The examples are collected from the imported ``casestudies`` (the installed
wheel in CI, the source tree in an editable install), so they test what users
get.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import casestudies

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(casestudies.__path__, prefix="casestudies.")
    if info.name != "casestudies.__main__"
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _public_face_tests(finder: doctest.DocTestFinder) -> list[doctest.DocTest]:
    """The face's own docstring, and every public class and function with its methods.

    Public objects present themselves as ``casestudies.Name``, so the finder's
    "defined in this module" test would skip their methods in the module that
    defines them; they are collected here instead.
    """
    tests = finder.find(casestudies, "casestudies")
    for name in casestudies.__all__:
        value = getattr(casestudies, name)
        if getattr(value, "__module__", None) == "casestudies":
            tests += finder.find(value, f"casestudies.{name}", module=False, globs={})
    return tests


@pytest.mark.parametrize("module_name", ["casestudies", *MODULES])
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    output = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = _public_face_tests(finder) if module_name == "casestudies" else finder.find(module, module_name)
    for test in tests:
        runner.run(test, out=output.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, output.getvalue()


def test_public_api_has_examples() -> None:
    """The front doors carry runnable examples (STYLE rule 15)."""
    for name in ("make", "list_scenarios", "spec", "register"):
        assert ">>>" in (getattr(casestudies, name).__doc__ or ""), name
