from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import background_runs
import casestudies as cs
import plugin_scenario

cs.register(plugin_scenario.SPEC)


@pytest.fixture(scope="session")
def reference_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's reference cache folder (notebooks started in the background get it explicitly)."""
    return tmp_path_factory.mktemp("reference-cache")


@pytest.fixture(scope="session", autouse=True)
def _no_user_cache_at_all(reference_cache: Path) -> Iterator[None]:
    """The session's own cache from its first fixture on: module fixtures run before the per-test one below."""
    with pytest.MonkeyPatch.context() as session:
        session.setenv("CASESTUDIES_CACHE_DIR", str(reference_cache))
        yield


@pytest.fixture(autouse=True)
def _own_reference_cache(reference_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests share one throwaway reference cache: never the user's, and reset after a test that changes it.

    Subprocesses (the installed command, notebooks) inherit it through the environment.
    """
    monkeypatch.setenv("CASESTUDIES_CACHE_DIR", str(reference_cache))


@pytest.fixture(scope="session", autouse=True)
def _notebooks_from_the_start(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, reference_cache: Path
) -> None:
    """The notebooks of test_notebooks.py start with the session, in a kernel beside the tests (background_runs)."""
    background_runs.start_session_notebooks(request, tmp_path_factory, reference_cache)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Work started in the background (background_runs) never outlives the session."""
    background_runs.stop()
