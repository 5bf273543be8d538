"""Every notebook in notebooks/ runs top to bottom without error.

The notebooks start with the session, in a kernel beside the other tests (conftest.py, background_runs); each test
waits for its own notebook and fails with its cell's error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from background_runs import hurry_session_notebooks, session_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.fixture(scope="module", autouse=True)
def _second_kernel(reference_cache: Path) -> None:
    """From here on the test process only waits for the notebooks: those not started yet get a second kernel."""
    hurry_session_notebooks(reference_cache)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    assert not session_notebook(path).result()
