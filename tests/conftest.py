from __future__ import annotations

from pathlib import Path

import pytest

import casestudies as cs
import plugin_scenario

cs.register(plugin_scenario.SPEC)


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reference-cache")


@pytest.fixture(autouse=True)
def _own_reference_cache(_session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests share one throwaway reference cache: never the user's, and reset after a test that changes it.

    Subprocesses (the installed command, notebooks) inherit it through the environment.
    """
    monkeypatch.setenv("CASESTUDIES_CACHE_DIR", str(_session_cache))
