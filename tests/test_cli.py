"""The ``casestudies`` command line, run as users run it: in a subprocess.

The subprocesses find the test suite's plugin scenario through a real
``casestudies.scenarios`` entry point (a minimal ``.dist-info`` folder on
PYTHONPATH), which also exercises plugin discovery. The commands are started
together and awaited once, so the whole file costs a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.cli._main import build_parser, main
from casestudies.core import _registry

ROOT = Path(__file__).resolve().parents[1]
TOY = "plugin-toy-v1"
SMALL = ["--param", "n_rows=300"]
SEED = 4

USER_MODULE = """
from sklearn.linear_model import LogisticRegression


def factory():
    return LogisticRegression(max_iter=200)


def broken_factory():
    raise RuntimeError("my factory is broken")


def my_model(X_train, y_train, X_test):
    return my_helper(X_test)


def my_helper(X):
    raise ZeroDivisionError("my_helper divided by zero")
"""


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    dist = folder / "site" / "casestudies_test_plugin-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: casestudies-test-plugin\nVersion: 0.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text("[casestudies.scenarios]\ntoy = plugin_scenario:SPEC\n", encoding="utf-8")
    (folder / "mymod.py").write_text(USER_MODULE, encoding="utf-8")
    case = cs.make(TOY, seed=SEED, n_rows=300)
    ids = case.test[case.id_column].to_numpy()
    scores = np.random.default_rng(0).random(len(ids))
    pd.DataFrame({case.id_column: ids, "prediction": scores}).to_csv(folder / "predictions.csv", index=False)
    pd.DataFrame({case.id_column: ids, "score": scores}).to_csv(folder / "bad_columns.csv", index=False)
    (folder / "a_file").write_text("not a folder", encoding="utf-8")
    return folder


COMMANDS: dict[str, tuple[str, ...]] = {
    # successes
    "list": ("list",),
    "show-unversioned": ("show", "plugin-toy"),
    "generate-parquet": ("generate", TOY, "--seed", str(SEED), *SMALL, "--out", "out_parquet"),
    "generate-csv": ("generate", TOY, "--seed", str(SEED), *SMALL, "--out", "out_csv", "--format", "csv"),
    "evaluate-prior": ("evaluate", TOY, "--seed", str(SEED), *SMALL, "--pipeline", "prior", "--json"),
    "evaluate-factory": ("evaluate", TOY, "--seed", str(SEED), *SMALL, "--pipeline", "mymod:factory", "--no-baselines"),
    "score": ("score", TOY, "--seed", str(SEED), *SMALL, "predictions.csv", "--json", "--no-baselines"),
    # usage and input errors: exit 2 (more of them run in-process below)
    "typo-command": ("lst",),
    "unknown-id": ("show", "plugin-tpy-v1"),
    "bad-param-range": ("generate", TOY, "--seed", "1", "--param", "n_rows=-5", "--out", "never"),
    "bad-predictions": ("score", TOY, "--seed", str(SEED), *SMALL, "bad_columns.csv"),
    # the user's code raised: exit 1
    "pipeline-raises": ("evaluate", TOY, "--seed", "1", *SMALL, "--pipeline", "mymod:my_model", "--no-baselines"),
    "factory-raises": ("evaluate", TOY, "--seed", "1", *SMALL, "--pipeline", "mymod:broken_factory", "--no-baselines"),
}


@pytest.fixture(scope="module")
def runs(work: Path) -> dict[str, Run]:
    """Run every command, a few at a time; return their exit codes and output."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONWARNINGS", "PYTHONSTARTUP")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests"), str(work / "site")])

    def run(args: tuple[str, ...]) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "casestudies", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120
        )
        return Run(args, done.returncode, done.stdout, done.stderr)

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1) as pool:
        return dict(zip(COMMANDS, pool.map(run, COMMANDS.values())))


def assert_clean_error(run: Run, code: int) -> None:
    assert run.code == code, run
    assert "Traceback (most recent call last)" not in run.err or code == 1, run.err
    assert run.out == "", run.out


# -- successes -----------------------------------------------------------------------------


def test_list(runs: dict[str, Run]) -> None:
    run = runs["list"]
    assert run.code == 0 and run.err == ""
    rows = {line.split()[0]: line.split(None, 1)[1] for line in run.out.splitlines()}
    assert rows[TOY] == "A logistic toy scenario registered by the test suite."
    assert len({line.index(line.split(None, 1)[1]) for line in run.out.splitlines()}) == 1  # one aligned column


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", TOY]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith(f"{TOY} — Plugin toy\n")
    assert "  n_rows = 4000  (an int between 200 and 100000)" in captured.out.splitlines()
    assert "baselines: prior, expert" in captured.out


def test_unversioned_id_prints_one_warning_line(runs: dict[str, Run]) -> None:
    run = runs["show-unversioned"]
    assert run.code == 0
    assert (
        run.err
        == "warning: 'plugin-toy' has no version; using 'plugin-toy-v1'. Pass 'plugin-toy-v1' to keep results reproducible.\n"
    )
    assert run.out.startswith(f"{TOY} — ")


@pytest.mark.parametrize(("name", "suffix"), [("generate-parquet", "parquet"), ("generate-csv", "csv")])
def test_generate(runs: dict[str, Run], work: Path, name: str, suffix: str) -> None:
    run = runs[name]
    assert run.code == 0 and run.err == ""
    folder = work / f"out_{suffix}"
    read = pd.read_parquet if suffix == "parquet" else pd.read_csv
    train, test = read(folder / f"train.{suffix}"), read(folder / f"test.{suffix}")
    case = cs.make(TOY, seed=SEED, n_rows=300)
    assert (len(train), len(test)) == (len(case.train), len(case.test))
    assert case.target in train.columns and case.target not in test.columns
    assert list(test.columns) == list(case.test.columns)
    assert json.loads((folder / "data_card.json").read_text(encoding="utf-8"))["fingerprint"] == case.fingerprint
    assert (folder / "prompt.md").read_text(encoding="utf-8") == case.prompt
    assert f"Score predictions with: casestudies score {TOY} --seed {SEED} predictions.csv" in run.out


def test_evaluate_builtin_baseline_as_json(runs: dict[str, Run]) -> None:
    run = runs["evaluate-prior"]
    assert run.code == 0 and "error" not in run.err and "Traceback" not in run.err  # sklearn may warn
    report = json.loads(run.out)
    assert report["scenario_id"] == TOY and report["seed"] == SEED
    assert report["submission"]["name"] == "DummyClassifier"
    assert {entry["name"] for entry in report["references"]} == {"prior", "expert", "oracle"}


def test_evaluate_factory_from_the_working_folder(runs: dict[str, Run]) -> None:
    run = runs["evaluate-factory"]
    assert run.code == 0 and run.err == ""
    assert "pipeline: LogisticRegression" in run.out


def test_score_file_matches_scoring_in_python(runs: dict[str, Run], work: Path) -> None:
    run = runs["score"]
    assert run.code == 0 and run.err == ""
    from_cli = json.loads(run.out)
    case = cs.make(TOY, seed=SEED, n_rows=300)
    in_python = json.loads(json.dumps(case.score(work / "predictions.csv", baselines=False).to_dict()))
    assert from_cli["submission"]["scores"] == in_python["submission"]["scores"]
    assert from_cli["fingerprint"] == case.fingerprint


# -- errors: exit 2 with one `error: ...` message, exit 1 when the user's code raised ----------


def test_mistyped_command_suggests_the_right_one(runs: dict[str, Run]) -> None:
    run = runs["typo-command"]
    assert_clean_error(run, 2)
    last = run.err.splitlines()[-1]  # argparse's quoting of the choices varies across Python versions
    assert last.startswith("casestudies: error: argument COMMAND: invalid choice: 'lst' (choose from ")
    assert last.endswith(". Did you mean 'list'?")


def test_unknown_id(runs: dict[str, Run]) -> None:
    run = runs["unknown-id"]
    assert_clean_error(run, 2)
    assert (
        run.err
        == "error: no scenario 'plugin-tpy-v1'. Did you mean 'plugin-toy-v1'? Run casestudies.list_scenarios() to see all.\n"
    )


def test_bad_parameter(runs: dict[str, Run]) -> None:
    run = runs["bad-param-range"]
    assert_clean_error(run, 2)
    assert run.err == "error: make('plugin-toy-v1'): n_rows must be an int between 200 and 100000; got -5 (int).\n"


def test_bad_predictions_file(runs: dict[str, Run]) -> None:
    run = runs["bad-predictions"]
    assert_clean_error(run, 2)
    lines = run.err.splitlines()
    assert lines[0] == "error: submission for 'plugin-toy-v1' has 1 problem:"
    assert lines[1].startswith(
        "  - [WRONG_COLUMNS] expected exactly two columns: 'row_id' (or 'id') and 'prediction'; got columns ['row_id', 'score']."
    )


@pytest.mark.parametrize(
    ("name", "function", "kind"),
    [("pipeline-raises", "my_helper", "ZeroDivisionError"), ("factory-raises", "broken_factory", "RuntimeError")],
)
def test_users_code_raising_exits_1_with_their_traceback(
    runs: dict[str, Run], name: str, function: str, kind: str
) -> None:
    run = runs[name]
    assert_clean_error(run, 1)
    assert run.err.startswith("error: your pipeline ")
    assert f"raised {kind}" in run.err and function in run.err and "mymod.py" in run.err
    assert f"casestudies{os.sep}_cli.py" not in run.err and f"casestudies{os.sep}_adapters.py" not in run.err


# -- in-process: help, version, parameter parsing ---------------------------------------------


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["generate"], ["evaluate"], ["score"]])
def test_every_help_exits_0(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: casestudies")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out == f"casestudies {cs.__version__}\n"


def test_parser_commands() -> None:
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.dest == "command")
    assert list(subparsers.choices)[:5] == ["list", "show", "generate", "evaluate", "score"]
    assert {"takehome", "leaderboard"} <= set(subparsers.choices)


@pytest.fixture
def typed_toy() -> object:
    """A scenario with float, bool and choice parameters (the plugin generator ignores them)."""
    cs.list_scenarios()
    saved = dict(_registry._REGISTRY)
    data = cs.spec(TOY).to_dict()
    data["id"] = "typedtoy-v1"
    data["parameters"] = {
        "n_rows": {"type": "int", "default": 200, "min": 200, "max": 1000},
        "rate": {"type": "float", "default": 0.5, "min": 0.0, "max": 1.0},
        "flag": {"type": "bool", "default": False},
        "mode": {"type": "str", "default": "a", "choices": ["a", "b"]},
    }
    yield cs.register(data)
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("rate=high", "error: --param rate must be a number between 0 and 1; got 'high'."),
        ("rate=nan", "error: make('typedtoy-v1'): rate must be a number between 0 and 1; got nan (float)."),
        ("rate=1.5", "error: make('typedtoy-v1'): rate must be a number between 0 and 1; got 1.5 (float)."),
        ("flag=maybe", "error: --param flag must be True or False; got 'maybe'."),
        ("mode=c", "error: make('typedtoy-v1'): mode must be one of 'a', 'b'; got 'c' (str)."),
        ("n_rows", "error: --param expects NAME=VALUE, like --param n_customers=500; got 'n_rows'."),
    ],
)
def test_param_values_are_parsed_by_declared_type(
    typed_toy: object, tmp_path: Path, capsys: pytest.CaptureFixture[str], param: str, message: str
) -> None:
    code = main(["generate", "typedtoy-v1", "--seed", "0", "--param", param, "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.err == message + "\n" and captured.out == ""


def test_param_values_reach_the_case(typed_toy: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "typedtoy-v1", "--seed", "0", "--out", str(tmp_path)]
    for param in ("rate=0.25", "flag=yes", "mode=b", "n_rows=300"):
        args += ["--param", param]
    assert main(args) == 0
    card = json.loads((tmp_path / "data_card.json").read_text(encoding="utf-8"))
    assert card["parameters"] == {"n_rows": 300, "rate": 0.25, "flag": True, "mode": "b"}
    assert "typedtoy-v1 seed 0: 210 training rows, 90 test rows" in capsys.readouterr().out


# -- in-process: every input error is one `error: ...` message and exit code 2 -----------------


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "plugin-tpy-v1"],
            "error: no scenario 'plugin-tpy-v1'. Did you mean 'plugin-toy-v1'? Run casestudies.list_scenarios() to see all.",
        ),
        (
            ["generate", TOY, "--seed", "1", "--param", "n_rows=abc", "--out", "never"],
            "error: --param n_rows must be an int between 200 and 100000; got 'abc'.",
        ),
        (
            ["generate", TOY, "--seed", "1", "--param", "n_row=300", "--out", "never"],
            "error: make('plugin-toy-v1'): unknown parameter 'n_row'. Did you mean 'n_rows'? Valid parameters: n_rows (an int between 200 and 100000).",
        ),
        (
            ["generate", TOY, "--seed", "-3", "--out", "never"],
            f"error: make('plugin-toy-v1'): seed must be None or an int between 0 and {2**63 - 1}; got -3 (int).",
        ),
        (
            ["evaluate", TOY, "--seed", "1", "--pipeline", "prir"],
            "error: --pipeline must be a built-in baseline (prior, expert) or 'package.module:factory'; got 'prir'. Did you mean 'prior'?",
        ),
        (
            ["evaluate", "plugin-tpy-v1", "--seed", "1", "--pipeline", "prior"],
            "error: no scenario 'plugin-tpy-v1'. Did you mean 'plugin-toy-v1'? Run casestudies.list_scenarios() to see all.",
        ),
    ],
)
def test_input_errors_in_process(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(args, capsys) == (2, "", message + "\n")


def test_missing_pipeline_module(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["evaluate", TOY, "--seed", "1", "--pipeline", "no_such_module_xyz:factory"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("error: --pipeline 'no_such_module_xyz:factory': cannot import module 'no_such_module_xyz'")


def test_missing_pipeline_attribute(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code, out, err = run_main(["evaluate", TOY, "--seed", "1", "--pipeline", "mymod:factry"], capsys)
    assert (code, out, err) == (
        2,
        "",
        "error: --pipeline 'mymod:factry': module 'mymod' has no attribute 'factry'. Did you mean 'factory'?\n",
    )


def test_missing_predictions_file(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["score", TOY, "--seed", "1", str(work / "nowhere.csv")], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: submission for 'plugin-toy-v1' has 1 problem:",
        f"  - [UNREADABLE_FILE] expected a readable .csv or .parquet file with columns id,prediction; got no file at {str(work / 'nowhere.csv')!r}. Check the path.",
    ]


def test_output_folder_that_is_a_file(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(["generate", TOY, "--seed", "1", *SMALL, "--out", str(work / "a_file")], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "a_file" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["score", TOY, "predictions.csv"], "the following arguments are required: --seed"),
        (["generate", TOY], "the following arguments are required: --out"),
        (["generate", TOY, "--out", "x", "--format", "xlsx"], "invalid choice: 'xlsx'"),
        (["generate", TOY, "--out", "x", "--seed", "abc"], "invalid int value: 'abc'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(args, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("usage: casestudies") and fragment in err
