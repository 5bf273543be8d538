"""Long, independent test work run in the background, while the test process waits or goes on.

Notebooks (each in a kernel of its own) and scenario contracts (each in a worker process) depend on no other test.
Run in turn, a kernel works while the test process waits for it, so one of a CI machine's two cores idles. Here the
notebooks of test_notebooks.py start with the session, one kernel beside the test process (a second once the test
process only waits for them); a take-home's starter notebook starts when its take-home is created; the contracts
start together, in two worker processes, when their module starts. Each test still asserts on its own result:
``Future.result()`` re-raises the notebook's cell error or the contract's ``ScenarioContractError`` in the test that
waits for it. Only the work of tests the session selected is started (``selected``), and the session stops the pools
when it ends (``stop``, called from conftest.py).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import casestudies as cs
from _tools import notebook_errors

__all__ = [
    "WORKERS",
    "check_scenario_in_background",
    "hurry_session_notebooks",
    "selected",
    "session_notebook",
    "start_notebook",
    "start_session_notebooks",
    "stop",
]

WORKERS = 2
"""Kernels or worker processes at once: the CI machine has two cores."""

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Each kernel or worker computes on one thread: with two of them (or one beside the test process) on two cores,
OpenMP threads (scikit-learn's gradient boosting, LightGBM) would otherwise outnumber the cores and spin waiting for
one another. Results do not depend on it: only how the work is spread over threads."""

_pools: dict[str, Executor] = {}


NOTEBOOK_TEST = "test_notebook_runs"
"""The test of test_notebooks.py, parametrized by ``path``: its notebooks start with the session."""

_session_notebooks: dict[str, tuple[Path, Future[list[dict[str, object]]]]] = {}


def start_notebook(
    path: Path, *, timeout: int, cache: Path, pool: str = "notebooks", workers: int = WORKERS
) -> Future[list[dict[str, object]]]:
    """Execute the notebook at ``path`` in the background; the future gives its cells' error outputs.

    The kernel gets the tests' reference cache explicitly: the per-test environment (conftest.py) is set and unset
    around each test, and the kernel may start between two tests. Its stdout and stderr go to a file beside the
    notebook, never into the captured output of whichever test runs meanwhile. ``pool`` names the queue (created
    with ``workers`` kernels at once the first time it is named).
    """
    if pool not in _pools:
        _pools[pool] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=pool)
    env = {**os.environ, **ONE_THREAD, "CASESTUDIES_CACHE_DIR": str(cache)}
    return _pools[pool].submit(_execute, path, timeout, env)


def start_session_notebooks(request: pytest.FixtureRequest, folder: pytest.TempPathFactory, cache: Path) -> None:
    """Start the notebooks of the selected ``test_notebook_runs`` tests as the session starts (conftest.py).

    One kernel runs at a time, while the test process computes on the other core; once the test process only waits
    for them, ``hurry_session_notebooks`` adds a second. Each notebook runs on a copy, in a folder of its own.
    """
    items = request.session.items
    paths = [item.callspec.params["path"] for item in items if getattr(item, "originalname", None) == NOTEBOOK_TEST]
    for path in paths:
        copy = folder.mktemp(path.stem) / path.name
        shutil.copy(path, copy)
        run = start_notebook(copy, timeout=600, cache=cache, pool="session-notebooks", workers=1)
        _session_notebooks[path.name] = copy, run


def hurry_session_notebooks(cache: Path) -> None:
    """A second kernel for the session's notebooks not started yet: the test process now only waits for them."""
    for name, (copy, run) in list(_session_notebooks.items()):
        if run.cancel():
            second = start_notebook(copy, timeout=600, cache=cache, pool="notebooks-second", workers=1)
            _session_notebooks[name] = copy, second


def session_notebook(path: Path) -> Future[list[dict[str, object]]]:
    """The run of the notebook at ``path`` started with the session."""
    return _session_notebooks[path.name][1]


def _execute(path: Path, timeout: int, env: dict[str, str]) -> list[dict[str, object]]:
    with path.with_name(path.stem + ".kernel.log").open("w", encoding="utf-8") as log:
        return notebook_errors(path, timeout=timeout, env=env, stdout=log, stderr=subprocess.STDOUT)


def check_scenario_in_background(spec: cs.ScenarioSpec, *, params: dict[str, object], cache: Path) -> Future[None]:
    """Run ``check_scenario(spec, params=params)`` in a worker process; the future raises what the check raised.

    Workers are fresh interpreters (``spawn``: nothing of the test process's threads or state is inherited) that
    use the tests' reference cache, so the references they fit serve the later tests too. A spec the worker's
    registry lacks (registered by the test suite, such as plugin-toy-v1) is registered there from its plain data.
    """
    if "contracts" not in _pools:
        _pools["contracts"] = ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(cache), list(sys.path)),
        )
    return _pools["contracts"].submit(_check_in_worker, spec.to_dict(), params)


def _start_worker(cache: str, path: list[str]) -> None:
    os.environ.update({**ONE_THREAD, "CASESTUDIES_CACHE_DIR": cache})  # before numpy or scikit-learn load
    sys.path[:] = path


def _check_in_worker(spec_data: dict[str, object], params: dict[str, object]) -> None:
    from casestudies.testing import check_scenario  # in the worker only: conftest.py imports this module

    scenario_id = str(spec_data["id"])
    if scenario_id not in cs.registry():
        cs.register(spec_data)
    try:
        check_scenario(cs.spec(scenario_id), params=params)
    except Exception as err:
        try:
            pickle.dumps(err)
        except Exception:  # an error the pool cannot send back whole: send its type, message and traceback
            raise AssertionError("".join(traceback.format_exception(err))) from None
        raise


def selected(request: pytest.FixtureRequest, test: str, **params: object) -> bool:
    """Whether this session runs the test function ``test`` with these parameters (``-k`` and ``-m`` applied)."""
    for item in request.session.items:
        if getattr(item, "originalname", None) != test:
            continue
        callspec = getattr(item, "callspec", None)
        given = callspec.params if callspec is not None else {}
        if all(given.get(name) == value for name, value in params.items()):
            return True
    return False


def stop(*kinds: str) -> None:
    """Cancel the work not started yet and wait for the running work: of ``kinds`` ("notebooks", "contracts"), or all.

    The contracts' module stops its workers when it ends, so that they hold no memory through the rest of the session;
    the session stops whatever is left.
    """
    for kind in kinds or list(_pools):
        pool = _pools.pop(kind, None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
