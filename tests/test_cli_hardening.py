"""The command line under stress: Ctrl-C, a closed pipe, hanging pipelines, bad dates, Python-speaking messages.

Each test drives the installed ``casestudies`` script in a subprocess, as a
user's shell would (see ``tests/test_cli.py``), except where an in-process
call is the only way to make the failure happen at a known moment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
import casestudies.cli._run_case as run_case
from _tools import clean_environment, installed_script
from casestudies.cli import main
from casestudies.cli._common import CLI_PHRASES, cli_message
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.fraud._simulator import generate as fraud_generate

TIMEOUT = 120  # seconds for one command; these take a few
STARTED = "started.flag"

USER_MODULE = f"""
import time
from pathlib import Path


def hang(X_train, y_train, X_test):
    Path({STARTED!r}).write_text("fit started")
    while True:
        time.sleep(0.1)
"""


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "slowmod.py").write_text(USER_MODULE, encoding="utf-8")
    return tmp_path


def run_script(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_script(), *args], cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=TIMEOUT
    )


def hanging_evaluate(*extra: str) -> list[str]:
    return ["evaluate", "overfit-v1", "--seed", "1", "--param", "n_test=200", "--pipeline", "slowmod:hang", *extra]


# -- item 18: Ctrl-C, broken pipe, no partial output ------------------------------------------------


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_the_commands() -> Iterator[None]:
    """The commands started here get SIGINT at its default, as from a terminal user's shell.

    A test run started as a background job (``pytest ... &`` in a script) has SIGINT ignored, and a command it
    starts would inherit that and never see the Ctrl-C these tests send.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # caught handlers reset to default in a child
    yield
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
def test_ctrl_c_prints_one_line_and_exits_130(work: Path) -> None:
    child = subprocess.Popen(
        [installed_script(), *hanging_evaluate("--no-baselines")],
        cwd=work,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + TIMEOUT
    while not (work / STARTED).exists():  # interrupt while the user's pipeline runs, as a user would
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["casestudies: interrupted (Ctrl-C)."], err


def test_ctrl_c_while_writing_leaves_no_partial_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In process: the interrupt must land between two files, which a signal from outside cannot aim at.
    real_write_case = run_case.write_case

    def write_then_interrupt(case: object, out: Path, *, format: str) -> list[Path]:
        real_write_case(case, out, format=format)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # as if Ctrl-C came right after the files were written, before any message

    monkeypatch.setattr(run_case, "write_case", write_then_interrupt)
    out = tmp_path / "case"
    try:
        code = main(["generate", "overfit-v1", "--seed", "1", "--param", "n_test=200", "--out", str(out)])
    except KeyboardInterrupt:  # caught here so that the failure does not stop the whole test session
        code = None
    assert code == 130, "Ctrl-C must end the command with one line and exit code 130"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "the temporary folder must be removed too"


def test_generate_writes_the_side_tables_a_learner_needs(tmp_path: Path) -> None:
    # A movies prompt points at the movies' titles and genres and the users' demographics: they must be on disk too.
    params = {"n_users": 60, "n_movies": 80, "n_ratings": 2_000}
    out = tmp_path / "case"
    argv = ["generate", "movies-topn-v4", "--seed", "3", "--out", str(out), "--format", "csv"]
    assert main([*argv, *(arg for name, value in params.items() for arg in ("--param", f"{name}={value}"))]) == 0
    case = cs.make("movies-topn-v4", seed=3, **params)
    for name, table in case.tables.items():
        back = pd.read_csv(out / f"{name}.csv")
        assert list(back.columns) == list(table.columns) and len(back) == len(table)
        assert back[back.columns[0]].tolist() == table[table.columns[0]].tolist()


def test_generate_into_an_existing_folder_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "case"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code = main(["generate", "overfit-v1", "--seed", "1", "--param", "n_test=200", "--out", str(out)])
    assert code == 0
    names = sorted(path.name for path in out.iterdir())
    assert names == ["data_card.json", "notes.txt", "prompt.md", "test.parquet", "train.parquet"]
    assert [path.name for path in tmp_path.iterdir()] == ["case"]


def test_reader_closing_the_pipe_early_is_quiet(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [installed_script(), "show", "fraud-v1"],
        cwd=tmp_path,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    child.stdout.close()  # the reader is gone before the command prints: `casestudies show fraud-v1 | true`
    _, err = child.communicate(timeout=TIMEOUT)
    assert err.decode() == ""
    assert child.returncode == 141  # 128 + SIGPIPE, what a shell reports for a command killed by a closed pipe


def test_python_m_casestudies_broken_pipe_too(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "casestudies", "list"],
            cwd=tmp_path,
            env=clean_environment(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141


# -- item 17: the command line's errors name commands, not Python calls ------------------------------

PYTHON_PHRASES = ("list_scenarios()", "make(", "case.test", "case.score", "Leaderboard.")


TRANSLATIONS = [  # messages as the library words them (scoring, case, registry, leaderboard), and the command line's
    (
        "no scenario 'frad-v1'. Did you mean 'fraud-v1'? Run casestudies.list_scenarios() to see all.",
        "no scenario 'frad-v1'. Did you mean 'fraud-v1'? Run `casestudies list` to see all.",
    ),
    (
        "make('fraud-v1'): n_days must be an int between 7 and 365; got -1 (int).",
        "--param n_days must be an int between 7 and 365; got -1 (int).",
    ),
    (
        "make('fraud-v1', seed=3): seed must be None or an int between 0 and 9; got -3 (int).",
        "--seed must be an int between 0 and 9; got -3 (int).",
    ),
    (
        "make('fraud-v1'): unknown parameter 'nope'. Valid parameters: n_days (an int between 7 and 365).",
        "unknown --param 'nope'. Valid --param names: n_days (an int between 7 and 365).",
    ),
    (
        "make('fraud-v1'): the simulated period ends after 2262-04-11.",
        "the simulated period ends after 2262-04-11.",
    ),
    (
        "Predict on case.test (the holdout) and keep its id column unchanged.",
        "Predict on the test file of `casestudies generate` (the holdout) and keep its id column unchanged.",
    ),
    ("only ids from case.test['transaction_id']", "only ids from the 'transaction_id' column of the test file"),
    ("an array in case.test order", "an array in the test file's row order"),
    (
        "revealed when the host closes it (Leaderboard.close()).",
        "revealed when the host closes it (`casestudies leaderboard close`).",
    ),
    (
        "no leaderboard store at 'x'. Create one with casestudies.Leaderboard.create(...).",
        "no leaderboard store at 'x'. Create one with `casestudies leaderboard create`.",
    ),
    (
        "Open it with Leaderboard.open(store, name='lb') or pick another name.",
        "Use it with `--name 'lb'` in the other `casestudies leaderboard` commands or pick another name.",
    ),
    ("(try casestudies.make('overfit-random-v1')).", "(try `casestudies generate overfit-random-v1`)."),
    ("pass the predictions to case.score().", "pass the predictions to `casestudies score`."),
    ("a file named make_case.test.csv", "a file named make_case.test.csv"),  # words that only look alike stay
    (
        "write it to disk: casestudies.generate('fraud-v2', seed=..., out='DIR', ...), or on the command line: "
        "casestudies generate fraud-v2 --out DIR --partition-rows 1000000",
        "write it to disk: casestudies generate fraud-v2 --out DIR --partition-rows 1000000",
    ),
    (
        "generate one partition at a time with casestudies.generate(..., out='DIR') from one of",
        "generate one partition at a time with `casestudies generate ID --out DIR --partition-rows N` from one of",
    ),
    (
        "To generate it in memory anyway, pass memory_check=False to make(), or set CASESTUDIES_MEMORY_CHECK=0 "
        "(the command line too).",
        "To generate it in memory anyway, set CASESTUDIES_MEMORY_CHECK=0.",
    ),
]


@pytest.mark.parametrize(("library", "command_line"), TRANSLATIONS)
def test_translation_table(library: str, command_line: str) -> None:
    assert cli_message(library) == command_line


def test_every_rule_of_the_table_is_exercised() -> None:
    # each row of CLI_PHRASES must match one of the library phrases above, or it is dead weight
    for pattern, _ in CLI_PHRASES:
        assert any(re.search(pattern, library) for library, _ in TRANSLATIONS), pattern


@pytest.mark.slow
def test_errors_printed_by_the_command_line_name_commands(tmp_path: Path) -> None:
    case = cs.make("overfit-v1", seed=1, n_test=200)
    ids = case.test[case.id_column].to_numpy()
    wrong = pd.DataFrame({case.id_column: ids + 10**9, "prediction": 0.5})  # ids that are not in the test set
    wrong.to_csv(tmp_path / "wrong_ids.csv", index=False)
    commands = {
        "unknown": ["show", "frad-v1"],
        "range": ["generate", "fraud-v1", "--seed", "1", "--param", "n_days=-1", "--out", "never"],
        "seed": ["generate", "fraud-v1", "--seed", "-3", "--out", "never"],
        "unknown-param": ["generate", "fraud-v1", "--seed", "1", "--param", "n_dayz=9", "--out", "never"],
        "ids": ["score", "overfit-v1", "--seed", "1", "--param", "n_test=200", "wrong_ids.csv", "--no-baselines"],
    }
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(commands, pool.map(lambda args: run_script(args, tmp_path), commands.values()), strict=True))
    for name, run in done.items():
        assert run.returncode == 2, (name, run.stderr)
        assert run.stderr.startswith("error: "), (name, run.stderr)
        assert not [phrase for phrase in PYTHON_PHRASES if phrase in run.stderr], (name, run.stderr)
    assert "Run `casestudies list` to see all." in done["unknown"].stderr
    assert done["range"].stderr == "error: --param n_days must be an int between 7 and 365; got -1 (int).\n"
    assert done["seed"].stderr.startswith("error: --seed must be an int between 0 and ")
    assert done["unknown-param"].stderr.startswith("error: unknown --param 'n_dayz'. Did you mean 'n_days'?")
    assert "the test file of `casestudies generate`" in done["ids"].stderr


# -- item 10: dates outside pandas' Timestamp range are refused, not wrapped -------------------------

# pd.Timestamp holds 1677-09-21 00:12:43 .. 2262-04-11 23:47:16 (int64 nanoseconds): whole days 1677-09-22 .. 2262-04-10
SHORT = {"n_customers": 50, "n_terminals": 20, "n_days": 7, "label_delay_days": 0, "n_test_days": 1}  # 8 days


def test_malformed_date_is_a_clean_usage_error(tmp_path: Path) -> None:
    run = run_script(["generate", "fraud-v1", "--seed", "1", "--param", "start_date=notadate", "--out", "x"], tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr == (
        "error: --param start_date must be an ISO date (YYYY-MM-DD) between 1677-09-22 and 2262-04-11; "
        "got 'notadate' (str).\n"
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("start_date", ["notadate", "2025-02-30", "20250106", "9999-12-31", "1677-09-21", "1500-01-01"])
def test_dates_the_rule_refuses(start_date: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"start_date must be an ISO date \(YYYY-MM-DD\) between"):
        cs.make("fraud-v1", seed=1, start_date=start_date, **SHORT)


def test_period_running_past_2262_is_refused_with_the_latest_start() -> None:
    with pytest.raises(InvalidParameterError, match=r"Choose a start_date from 1677-09-22 to 2262-04-03, or fewer"):
        cs.make("fraud-v1", seed=1, start_date="2262-04-04", **SHORT)  # 2262-04-04 + 8 days > 2262-04-11
    with pytest.raises(InvalidParameterError, match=r"n_test_days 14 = 77 days"):
        cs.make("fraud-v1", seed=1, start_date="2262-04-01")  # the example: test data before train


@pytest.mark.parametrize(("start_date", "days"), [("2262-04-03", 8), ("1677-09-22", 8)])
def test_the_extreme_periods_that_fit_keep_time_in_order(start_date: str, days: int) -> None:
    case = cs.make("fraud-v1", seed=1, start_date=start_date, **SHORT)
    start = pd.Timestamp(start_date)
    train, test = case.train["timestamp"], case.test["timestamp"]
    assert train.min() >= start and test.max() < start + pd.Timedelta(days=days)
    assert train.is_monotonic_increasing and test.is_monotonic_increasing
    assert train.max() < test.min()


@pytest.mark.parametrize("start_date", ["9999-12-31", "2262-04-05", "1500-01-01"])
def test_the_generator_itself_refuses_periods_pandas_cannot_hold(start_date: str) -> None:
    # called directly, without make's parameter table: its own cross-parameter check
    params = {**SHORT, "n_terminals": 300, "fraud_intensity": 1.0, "dispute_rate": 5e-4, "start_date": start_date}
    with pytest.raises(InvalidParameterError, match="the days pandas timestamps can hold"):
        fraud_generate(params, np.random.default_rng(0))


# -- item 9: --timeout stops a pipeline that never returns ---------------------------------------------


@pytest.mark.slow
def test_timeout_stops_a_hanging_pipeline_and_reports_it(work: Path) -> None:
    started = time.monotonic()
    run = run_script([*hanging_evaluate("--no-baselines", "--json"), "--timeout", "4"], work)
    elapsed = time.monotonic() - started
    assert run.returncode == 1, run.stderr  # the README's "your pipeline raised" code: the user's code is at fault
    assert run.stdout == ""  # no partial report
    assert run.stderr.startswith("error: your pipeline did not finish in 4 s (--timeout 4"), run.stderr
    assert "Traceback" not in run.stderr
    assert (work / STARTED).exists()  # it was the pipeline that ran out of time, not the start-up
    assert elapsed < TIMEOUT / 2  # stopped at the deadline (plus start-up on a busy machine), not hung


@pytest.mark.slow
def test_timeout_leaves_a_pipeline_that_finishes_unchanged(tmp_path: Path) -> None:
    args = ["evaluate", "overfit-v1", "--seed", "1", "--param", "n_test=200", "--pipeline", "prior", "--json"]
    plain, limited = run_script(args, tmp_path), run_script([*args, "--timeout", "100"], tmp_path)
    assert plain.returncode == limited.returncode == 0, (plain.stderr, limited.stderr)
    assert without_timings(json.loads(limited.stdout)) == without_timings(json.loads(plain.stdout))
    assert limited.stderr == plain.stderr


def without_timings(data: object) -> object:
    """A report's JSON without its measured durations (``seconds``, ``*_seconds``), which differ from run to run."""
    if isinstance(data, dict):
        return {key: without_timings(value) for key, value in data.items() if not str(key).endswith("seconds")}
    if isinstance(data, list):
        return [without_timings(value) for value in data]
    return data


@pytest.mark.slow
def test_timeout_keeps_the_exit_code_of_an_error(tmp_path: Path) -> None:
    run = run_script(["evaluate", "frad-v1", "--seed", "1", "--pipeline", "prior", "--timeout", "100"], tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: no scenario 'frad-v1'.")


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_timeout_must_be_a_positive_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", "overfit-v1", "--pipeline", "prior", "--timeout", value])
    assert exit_.value.code == 2
    assert f"argument --timeout: expected a positive number of seconds, like --timeout 600; got '{value}'" in (
        capsys.readouterr().err
    )


@pytest.mark.slow
@pytest.mark.parametrize("to_group", [True, False], ids=["terminal-ctrl-c", "kill-int-parent-only"])
def test_ctrl_c_during_timeout_wait_stops_the_child_too(work: Path, to_group: bool) -> None:
    child = subprocess.Popen(
        [installed_script(), *hanging_evaluate("--no-baselines", "--timeout", "100")],
        cwd=work,
        env=clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the test can check no member outlives it
    )
    try:
        interrupt_and_check(child, work, to_group)
    finally:  # whatever failed, leave no hanging pipeline behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def interrupt_and_check(child: subprocess.Popen[str], work: Path, to_group: bool) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not (work / STARTED).exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    if to_group:
        os.killpg(child.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    else:
        child.send_signal(signal.SIGINT)  # `kill -INT`: the parent alone must stop its child
    out, err = child.communicate(timeout=TIMEOUT)
    assert child.returncode == 130, (out, err)
    assert err.strip().splitlines() == ["casestudies: interrupted (Ctrl-C)."], err
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no process of the group is left running the pipeline
        os.killpg(child.pid, 0)
