"""Progress bars: when they show, what they say, and that they stay out of logs."""

from __future__ import annotations

import io
import sys
import time
import types
from pathlib import Path

import pytest

import casestudies as cs
from casestudies.cli import main
from casestudies.core import PROGRESS_ENV, Progress, progress_enabled, track
from casestudies.scenarios.baselines import prior

SMALL = {"n_customers": 200, "n_days": 21, "n_test_days": 7}
DELAY = 0.2  # the bars' delay in these tests (1 s in use), so a "slow" step takes a fraction of a second


class _Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _terminal(monkeypatch: pytest.MonkeyPatch) -> _Terminal:
    """Make standard error a terminal, in the test's body (pytest's capture replaces it between phases)."""
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    monkeypatch.setattr("casestudies.core._progress.DELAY_SECONDS", DELAY)
    return stream


def test_explicit_choice_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROGRESS_ENV, "on")
    assert progress_enabled(False) is False
    monkeypatch.setenv(PROGRESS_ENV, "off")
    assert progress_enabled(True) is True
    assert progress_enabled(None) is False


def test_auto_follows_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch)
    assert progress_enabled() is True
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # redirected to a file or a CI log
    assert progress_enabled() is False
    monkeypatch.setenv(PROGRESS_ENV, "1")
    assert progress_enabled() is True
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setenv(PROGRESS_ENV, "off")  # a terminal, but bars switched off
    assert progress_enabled() is False


def test_a_jupyter_kernel_is_watched_and_an_imported_ipykernel_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    # A notebook's standard error is no terminal, yet a person reads it: IPython's running shell has a kernel. A
    # script that only imports ipykernel (notebook runners do) writes to a log like any other script.
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    shell: object = None
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert progress_enabled() is False  # IPython imported, no shell running
    shell = types.SimpleNamespace()  # a terminal IPython: no kernel
    assert progress_enabled() is False
    shell = types.SimpleNamespace(kernel=object())  # a Jupyter kernel
    assert progress_enabled() is True


def test_a_slow_step_draws_its_label_and_elapsed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    with Progress("references of fraud-v1", total=2, enabled=None) as bar:
        with bar.step("fitting expert"):
            time.sleep(DELAY + 0.6)  # past the delay: the background tick (every 0.5 s) must redraw
        drawn_while_running = terminal.getvalue()
        with bar.step("scoring the oracle"):
            pass
    assert "references of fraud-v1: fitting expert" in drawn_while_running
    assert "0/2" in drawn_while_running  # drawn before the step finished: a sign of life, not only at the end
    assert bar.done == 2


def test_quick_tasks_print_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    assert list(track(range(3), "quick", enabled=True)) == [0, 1, 2]
    assert terminal.getvalue() == ""


def test_disabled_bars_print_nothing_even_when_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    with Progress("slow", total=1, enabled=False) as bar, bar.step("waiting"):
        time.sleep(DELAY + 0.3)
    assert terminal.getvalue() == ""
    assert bar.done == 1


@pytest.mark.slow
def test_evaluate_shows_the_pipeline_and_the_references(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal(monkeypatch)
    monkeypatch.setattr("casestudies.core._progress.DELAY_SECONDS", 0.0)  # every bar shows, however fast
    case = cs.make("fraud-v1", seed=5, cache=False, **SMALL)
    case.evaluate(prior(), name="prior again", diagnostics=None)
    drawn = terminal.getvalue()
    assert "evaluate fraud-v1: fitting prior again" in drawn
    assert "references of fraud-v1: fitting expert" in drawn
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    cs.make("fraud-v1", seed=5, cache=False, progress=False, **SMALL).evaluate(prior())
    assert quiet.getvalue() == ""


@pytest.mark.slow
def test_command_line_bars_follow_the_terminal_and_quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    params = [arg for name, value in SMALL.items() for arg in ("--param", f"{name}={value}")]
    argv = ["generate", "fraud-v1", "--seed", "5", *params, "--format", "csv"]
    terminal = _terminal(monkeypatch)
    monkeypatch.setattr("casestudies.core._progress.DELAY_SECONDS", 0.0)  # every bar shows, however fast
    assert main([*argv, "--out", str(tmp_path / "shown")]) == 0
    assert "make('fraud-v1')" in terminal.getvalue()
    quiet = _terminal(monkeypatch)
    monkeypatch.setattr("casestudies.core._progress.DELAY_SECONDS", 0.0)
    assert main([*argv, "--out", str(tmp_path / "quiet"), "--quiet"]) == 0
    assert quiet.getvalue() == ""
    piped = io.StringIO()  # a log file or a CI log: not a terminal
    monkeypatch.setattr(sys, "stderr", piped)
    assert main([*argv, "--out", str(tmp_path / "piped")]) == 0
    assert piped.getvalue() == ""
