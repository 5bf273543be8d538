"""Every notebook in notebooks/ runs top to bottom without error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _tools import notebook_errors

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    assert not notebook_errors(copy, timeout=600)
