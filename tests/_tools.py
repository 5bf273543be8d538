"""External programs the tests run: found, or a skip for developers and a failure in CI.

A developer without curl or Chromium still gets a green quick run, with the
command that installs what is missing in the skip reason. CI must run
everything, so under ``CI=true`` a missing program fails the test instead of
hiding it behind a skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

__all__ = ["clean_environment", "in_ci", "installed_script", "require_module", "require_tool"]

INSTALL_PACKAGE = 'python -m pip install ".[test]"'
"""How the ``casestudies`` console script gets into the test's environment (the README's test command)."""


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str, install_hint: str, *, folder: Path | None = None) -> str:
    """The path of the program ``name``; skip (developers) or fail (CI) when it is missing.

    Parameters
    ----------
    name : str
        The program, e.g. ``"curl"``.
    install_hint : str
        The command that installs it, e.g. ``"apt-get install -y curl"``.
    folder : Path, default=None
        Look only in this folder instead of on ``PATH``.
    """
    found = shutil.which(name, path=None if folder is None else str(folder))
    if found is None:
        where = f"in {folder}" if folder is not None else "on PATH"
        message = f"this test runs {name!r}, which is not installed ({where}); install it with: {install_hint}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def require_module(name: str, install_hint: str) -> ModuleType:
    """The Python module ``name``; skip (developers) or fail (CI) when it cannot be imported.

    For the optional packages of the ``test`` extra (``fastapi``, ``selenium``);
    works at module level too, where ``pytest.importorskip`` would skip in CI.
    """
    try:
        return importlib.import_module(name)
    except ImportError as err:
        message = f"this test imports {name!r}, which is not installed ({err}); install it with: {install_hint}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)


def installed_script(name: str = "casestudies") -> str:
    """The console script ``name`` installed beside the running interpreter, as users run it.

    The script of this very environment (``Path(sys.executable).parent``), not
    the first one on ``PATH``, so the tests run the package they import.
    """
    return require_tool(name, INSTALL_PACKAGE, folder=Path(sys.executable).parent)


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no ``PYTHONPATH`` (nothing from the source tree), plus ``extra``.

    ``PYTHONWARNINGS`` and ``PYTHONSTARTUP`` are dropped too, so a developer's
    settings do not change what the commands print.
    """
    dropped = ("PYTHONPATH", "PYTHONWARNINGS", "PYTHONSTARTUP", "PYTHONHOME")
    return {**{key: value for key, value in os.environ.items() if key not in dropped}, **extra}


def notebook_errors(path: Path, *, timeout: int, **kernel_options: object) -> list[dict[str, object]]:
    """Execute the notebook at ``path`` in its own folder and return the error outputs of its cells.

    ``kernel_options`` go to the kernel's launch (``env``, ``stderr``: see ``background_runs``).
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute(**kernel_options)
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def scored_holdout(n_rows: int, prevalence: float, seed: int, *, decimals: int | None = None) -> tuple[Any, ...]:
    """A synthetic binary holdout: labels, informative scores (ties with ``decimals``), amounts, a public mask."""
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = rng.random(n_rows) < prevalence
    scores = 1.5 * labels + rng.normal(size=n_rows)
    if decimals is not None:  # ties within and across classes
        scores = np.round(scores, decimals)
    amounts = rng.lognormal(4.0, 1.0, size=n_rows)
    public = rng.random(n_rows) < 0.3
    return labels, scores, amounts, public
