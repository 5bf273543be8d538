"""The ``casestudies`` command line, run as users run it: the installed console script, in a subprocess.

The subprocesses run the ``casestudies`` script installed beside the test's
interpreter, without ``PYTHONPATH``: in CI the package is installed from the
wheel (``pip install ".[test]"``), so these tests check what users get,
scenario catalog and templates included. The test suite's plugin scenario
reaches them the way a user's plugin would: through a real
``casestudies.scenarios`` entry point, a minimal ``.dist-info`` folder beside
the plugin module in one folder on the path, which also exercises plugin
discovery.

Each command is a fresh interpreter, and almost all of its time is Python
importing the package and its libraries, not the work asked for: the
module's cost is the sum of its commands' start-ups. So every command the
selected tests need starts in one queue as the first of them is set up
(``started``), and each fixture waits only for its own commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from _tools import clean_environment, in_ci, installed_script
from casestudies.case import _cache as cache_module
from casestudies.cli._main import build_parser, main
from casestudies.core import _registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # a dependency of the package on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
TOY = "plugin-toy-v1"
SMALL = ["--param", "n_rows=300"]
SEED = 4
TIMEOUT = 120  # seconds for one command; the slowest here takes a few
UNKNOWN_TOY = "error: no scenario 'plugin-tpy-v1'. Did you mean 'plugin-toy-v1'? Run `casestudies list` to see all."

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


def run_script(args: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> Run:
    """Run the installed ``casestudies`` script with ``args``, as a user's shell would."""
    done = subprocess.run(
        [installed_script(), *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=TIMEOUT
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    site = folder / "site"  # the plugin as a user would have it installed: module and metadata side by side
    dist = site / "casestudies_test_plugin-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: casestudies-test-plugin\nVersion: 0.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text("[casestudies.scenarios]\ntoy = plugin_scenario:SPEC\n", encoding="utf-8")
    shutil.copy(Path(__file__).with_name("plugin_scenario.py"), site / "plugin_scenario.py")
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
def runs(started: Started) -> dict[str, Run]:
    """Every command run with the plugin's folder as the only path addition; their exit codes and output.

    They start with the task types' commands, in ``started`` below.
    """
    return started.wait(COMMANDS)


def assert_clean_error(run: Run, code: int) -> None:
    assert run.code == code, run
    assert "Traceback (most recent call last)" not in run.err or code == 1, run.err
    assert run.out == "", run.out


# -- the script is this environment's, and in CI the installed package, not the source tree -------


def test_script_belongs_to_this_environment_and_in_ci_runs_the_installed_package(tmp_path: Path) -> None:
    script = Path(installed_script())
    if script.suffix != ".exe":  # a POSIX script names its interpreter on its first line
        shebang = script.read_text(encoding="utf-8").splitlines()[0]
        assert Path(shebang.removeprefix("#!").strip()).parent == Path(sys.executable).parent, shebang
    probe = "import casestudies; print(casestudies.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=clean_environment(), capture_output=True, text=True, timeout=60
    )
    package_file = done.stdout.strip()
    assert Path(package_file).resolve() == Path(cs.__file__).resolve()  # the script runs what the tests import
    if in_ci():  # CI installs the wheel, never the source tree (an editable install would hide missing files)
        assert not Path(package_file).resolve().is_relative_to(ROOT / "src"), package_file


def test_building_the_parser_loads_no_data_library(tmp_path: Path) -> None:
    # Every command starts by building the whole parser (cli/_main.py), so what its argument modules import, every
    # `casestudies --help`, `list` or usage error pays: pandas and SciPy alone take twice the rest of the start.
    heavy = ("pandas", "scipy", "sklearn", "matplotlib")
    probe = (
        "import sys; from casestudies.cli._main import build_parser; build_parser().parse_args(['list']); "
        f"print(sorted(name for name in {heavy!r} if name in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=clean_environment(), capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, "[]\n"), done


# -- successes -----------------------------------------------------------------------------


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_list(runs: dict[str, Run]) -> None:
    run = runs["list"]
    assert run.code == 0 and run.err == ""
    rows = {line.split()[0]: line.split(None, 1)[1] for line in run.out.splitlines()}
    assert set(rows) == {path.stem for path in (ROOT / "scenarios").glob("*.toml")} | {TOY}  # the installed catalog
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
    assert run.err == (
        "warning: 'plugin-toy' has no version; using 'plugin-toy-v1'. "
        "Pass 'plugin-toy-v1' to keep results reproducible.\n"
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
    # The references went to the session's throwaway cache (conftest.py), never the user's: this very case's entry.
    case = cs.make(TOY, seed=SEED, n_rows=300)
    key = cache_module.reference_key(case.spec, case.params, SEED, case.fingerprint)
    assert cache_module._entry_path(TOY, key).is_file(), cache_module._entry_path(TOY, key)


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


# -- every task type, and the package files, from the installed script (slow: about ten commands) ---------


@dataclass(frozen=True)
class TaskRun:
    """A built-in scenario of one task type, small, and what its report must show."""

    scenario_id: str
    params: dict[str, object]
    baseline: str  # evaluated by name with --pipeline
    floor: str  # a know-nothing baseline every real pipeline beats
    lower_is_better: bool  # of the scenario's primary metric
    oracle_metric: str = ""  # a higher-is-better metric where the oracle is best by construction; "": the primary

    def param_args(self) -> list[str]:
        return [arg for name, value in self.params.items() for arg in ("--param", f"{name}={value}")]


TASK_SEED = 3
TASKS = {
    "binary": TaskRun("fraud-v1", {"n_customers": 300, "n_days": 35}, "simple", "prior", lower_is_better=False),
    "rating": TaskRun(  # RMSE: an error, lower is better
        "movies-rating-v1",
        {"n_users": 60, "n_movies": 150, "n_ratings": 2400, "n_unseen_pairs": 500},
        "biases",
        "random",
        lower_is_better=True,
    ),
    "topn": TaskRun(
        "movies-topn-v1",
        {"n_users": 60, "n_movies": 150, "n_ratings": 2400},
        "most_popular",
        "random",
        lower_is_better=False,
        # On observed NDCG the oracle may trail popular picks (the README says why); on true taste it is best.
        oracle_metric="true_rating_at_10",
    ),
}
TAKEHOME_PARAMS = ("--param", "n_customers=300", "--param", "n_days=35")


def write_predictions(task: str, case: cs.Case, path: Path) -> None:
    """Random predictions in the task's own file format, rows shuffled."""
    rng = np.random.default_rng(1)
    n_rows = len(case.test)
    if task == "binary":  # one probability per transaction
        frame = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": rng.random(n_rows)})
    elif task == "rating":  # one rating per (user, movie) pair
        frame = case.test[["user_id", "movie_id"]].assign(rating=rng.uniform(1.0, 5.0, n_rows))
    else:  # ten movies each user has not rated, ranked
        movies = case.tables["movies"]["movie_id"].to_numpy()
        rated = case.train.groupby("user_id")["movie_id"].agg(set)
        rows = []
        for user in case.test["user_id"]:
            unrated = [movie for movie in movies if movie not in rated.get(user, set())]
            picks = rng.choice(unrated, size=10, replace=False)
            rows += [(user, movie, rank) for rank, movie in enumerate(picks, start=1)]
        frame = pd.DataFrame(rows, columns=["user_id", "movie_id", "rank"])
    frame.sample(frac=1.0, random_state=0).to_csv(path, index=False)


def takehome_create_then_grade(folder: Path, env: Mapping[str, str]) -> Run:
    """``takehome create`` for one candidate, then ``takehome grade`` of random predictions on their variant.

    The run of ``grade``, or of ``create`` if that failed.
    """
    create = ("takehome", "create", "fraud-v1", "--candidates", "ann", "--out", "th", "--seed", "5", "--no-baselines")
    created = run_script((*create, *TAKEHOME_PARAMS), cwd=folder, env=env)
    if created.code != 0:
        return created
    ids = pd.read_csv(folder / "th" / "bundles" / "ann" / "data" / "test.csv")["transaction_id"]
    scores = np.random.default_rng(2).random(len(ids))
    pd.DataFrame({"transaction_id": ids, "prediction": scores}).to_csv(folder / "ann.csv", index=False)
    return run_script(("takehome", "grade", "th/key", "ann", "ann.csv", "--json"), cwd=folder, env=env)


@dataclass
class TaskRuns:
    folder: Path
    cases: dict[str, cs.Case] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)


@dataclass
class Started:
    """The module's commands, started in one queue: the runs by name, and the task types' folder and cases."""

    tasks_folder: Path
    cases: dict[str, cs.Case] = field(default_factory=dict)
    futures: dict[str, Future[Run]] = field(default_factory=dict)

    def wait(self, names: Iterable[str]) -> dict[str, Run]:
        """The runs of ``names``, once they have ended."""
        return {name: self.futures[name].result() for name in names}


def used_here(request: pytest.FixtureRequest, fixture: str) -> bool:
    """Whether a test of this module that the session runs (``-k`` and ``-m`` applied) uses ``fixture``."""
    module = request.module
    return any(
        getattr(item, "module", None) is module and fixture in item.fixturenames for item in request.session.items
    )


@pytest.fixture(scope="module")
def started(request: pytest.FixtureRequest, work: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """Every command the selected tests of this module need, started at once in one queue of cores + 1.

    One queue keeps both cores busy from the first command to the last, where a queue per fixture idled a core at
    the end of each, and the task types' commands go on while the tests of ``runs`` check theirs. Longest first:
    the take-home (two commands in a row), then the commands that load the Case and scikit-learn; the task types'
    cases are made here while those run. A group starts only if a selected test uses it (the quick subset uses
    ``runs`` only). The commands inherit the session's reference cache from the environment (conftest.py sets it
    from the session's start), never the user's.
    """
    result = Started(tmp_path_factory.mktemp("tasks"))
    plugin_env, task_env = clean_environment(PYTHONPATH=str(work / "site")), clean_environment()
    with_tasks, with_plugin = used_here(request, "task_runs"), used_here(request, "runs")
    pool = ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1, thread_name_prefix="cli")

    def start(name: str, job: Callable[[], Run]) -> None:
        result.futures[name] = pool.submit(job)

    def task_args(spec: TaskRun) -> tuple[str, ...]:
        return (spec.scenario_id, "--seed", str(TASK_SEED), *spec.param_args())

    try:
        if with_tasks:
            start("takehome", partial(takehome_create_then_grade, result.tasks_folder, task_env))
            for task, spec in TASKS.items():
                evaluate = ("evaluate", *task_args(spec), "--pipeline", spec.baseline, "--json")
                start(f"evaluate-{task}", partial(run_script, evaluate, cwd=result.tasks_folder, env=task_env))
        if with_plugin:  # evaluate and score first: they import the most
            for name, args in sorted(COMMANDS.items(), key=lambda item: item[1][0] not in ("evaluate", "score")):
                start(name, partial(run_script, args, cwd=work, env=plugin_env))
        if with_tasks:
            for task, spec in TASKS.items():
                case = result.cases[task] = cs.make(spec.scenario_id, seed=TASK_SEED, **spec.params)
                write_predictions(task, case, result.tasks_folder / f"{task}.csv")
                score = ("score", *task_args(spec), f"{task}.csv", "--json", "--no-baselines")
                start(f"score-{task}", partial(run_script, score, cwd=result.tasks_folder, env=task_env))
        yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def task_runs(started: Started) -> TaskRuns:
    """Each task type evaluated and scored, and a take-home created and graded, with nothing on PYTHONPATH."""
    names = ["takehome", *(f"{kind}-{task}" for task in TASKS for kind in ("evaluate", "score"))]
    return TaskRuns(started.tasks_folder, started.cases, started.wait(names))


def estimate(entry: Mapping[str, Any], part: str, metric: str) -> float:
    return float(entry["scores"][part][metric]["estimate"])


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_evaluate_a_builtin_baseline_on_every_task_type(task_runs: TaskRuns, task: str) -> None:
    spec, case, run = TASKS[task], task_runs.cases[task], task_runs.runs[f"evaluate-{task}"]
    assert case.spec.task == task  # the table covers every task type
    assert run.code == 0, run.err
    report = json.loads(run.out)
    # --param reached the generator: the CLI's case is the one made in Python with the same seed and parameters.
    assert (report["scenario_id"], report["seed"], report["fingerprint"]) == (case.id, TASK_SEED, case.fingerprint)
    references, submission = {entry["name"]: entry for entry in report["references"]}, report["submission"]
    assert {spec.baseline, spec.floor, "oracle"} <= set(references)
    # The pipeline named on the command line is that baseline: same data, same model, same scores to the last bit.
    assert submission["scores"] == references[spec.baseline]["scores"]
    metric, direction = report["metric"], -1.0 if spec.lower_is_better else 1.0
    floor_entry, oracle_entry = references[spec.floor], references["oracle"]
    for part in ("public", "private"):
        # Any model that learns beats a know-nothing one, and none beats the simulator's truth.
        floor, you = (direction * estimate(entry, part, metric) for entry in (floor_entry, submission))
        assert floor < you, (part, metric, floor, you)
        if spec.oracle_metric:
            you, oracle = (estimate(entry, part, spec.oracle_metric) for entry in (submission, oracle_entry))
        else:
            you, oracle = (direction * estimate(entry, part, metric) for entry in (submission, oracle_entry))
        assert you < oracle, (part, spec.oracle_metric or metric, you, oracle)


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS)
def test_score_a_file_in_the_tasks_format_matches_python(task_runs: TaskRuns, task: str) -> None:
    case, run = task_runs.cases[task], task_runs.runs[f"score-{task}"]
    assert run.code == 0, run.err
    from_cli = json.loads(run.out)
    in_python = json.loads(case.score(task_runs.folder / f"{task}.csv", baselines=False).to_json())
    assert from_cli["fingerprint"] == case.fingerprint
    assert from_cli["submission"]["scores"] == in_python["submission"]["scores"]


@pytest.mark.slow
def test_takehome_uses_the_shipped_rubric_and_report_template(task_runs: TaskRuns) -> None:
    graded = task_runs.runs["takehome"]
    assert graded.code == 0, (graded.args, graded.err)
    key = task_runs.folder / "th" / "key"
    # The rubric comes from the catalog's take-home file, shipped in the package.
    rubric = tomllib.loads((ROOT / "scenarios" / "takehome" / "fraud-v1.toml").read_text(encoding="utf-8"))
    written = json.loads((key / "rubric.json").read_text(encoding="utf-8"))
    assert [item["topic"] for item in written["rubric"]] == [item["topic"] for item in rubric["rubric"]]
    # The HTML report is the shipped page template with its style sheet, byte for byte.
    css = (ROOT / "src" / "casestudies" / "report" / "templates" / "document.css").read_text(encoding="utf-8")
    html = (key / "grades" / "ann.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>") and css.strip() in html
    # The grade printed is the grade of the same file in Python.
    in_python = cs.grade_takehome(key, {"ann": task_runs.folder / "ann.csv"}, write=False).grades["ann"].to_dict()
    assert json.loads(graded.out)["ann"]["scores"] == json.loads(json.dumps(in_python["scores"]))


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
    assert run.err == UNKNOWN_TOY + "\n"


def test_bad_parameter(runs: dict[str, Run]) -> None:
    run = runs["bad-param-range"]
    assert_clean_error(run, 2)
    assert run.err == "error: --param n_rows must be an int between 200 and 100000; got -5 (int).\n"


def test_bad_predictions_file(runs: dict[str, Run]) -> None:
    run = runs["bad-predictions"]
    assert_clean_error(run, 2)
    lines = run.err.splitlines()
    assert lines[0] == "error: submission for 'plugin-toy-v1' has 1 problem:"
    assert lines[1].startswith(
        "  - [WRONG_COLUMNS] expected exactly two columns: 'row_id' (or 'id') and 'prediction'; "
        "got columns ['row_id', 'score']."
    )


@pytest.mark.parametrize(
    ("name", "last_line", "frames"),
    [
        ("pipeline-raises", "ZeroDivisionError: my_helper divided by zero", ["my_model", "my_helper"]),
        ("factory-raises", "RuntimeError: my factory is broken", ["broken_factory"]),
    ],
)
def test_users_code_raising_exits_1_with_only_their_traceback(
    runs: dict[str, Run], work: Path, name: str, last_line: str, frames: list[str]
) -> None:
    run = runs[name]
    assert_clean_error(run, 1)
    kind = last_line.split(":")[0]
    assert run.err.startswith("error: your pipeline ") and f" raised {kind} during " in run.err
    # Every frame shown is the user's own code: none of the package's (cli/, scoring/ ...), none of Python's.
    shown = re.findall(r'^  File "(.+)", line \d+, in (\S+)$', run.err, flags=re.MULTILINE)
    assert shown == [(str(work / "mymod.py"), function) for function in frames], run.err
    assert run.err.rstrip().splitlines()[-1] == last_line


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
    choices = next(action.choices for action in parser._actions if action.dest == "command")
    assert choices is not None
    assert list(choices)[:5] == ["list", "show", "generate", "evaluate", "score"]
    assert {"takehome", "leaderboard"} <= set(choices)


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
        ("rate=nan", "error: --param rate must be a number between 0 and 1; got nan (float)."),
        ("rate=1.5", "error: --param rate must be a number between 0 and 1; got 1.5 (float)."),
        ("flag=maybe", "error: --param flag must be True or False; got 'maybe'."),
        ("mode=c", "error: --param mode must be one of 'a', 'b'; got 'c' (str)."),
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
        (["show", "plugin-tpy-v1"], UNKNOWN_TOY),
        (
            ["generate", TOY, "--seed", "1", "--param", "n_rows=abc", "--out", "never"],
            "error: --param n_rows must be an int between 200 and 100000; got 'abc'.",
        ),
        (
            ["generate", TOY, "--seed", "1", "--param", "n_row=300", "--out", "never"],
            "error: unknown --param 'n_row'. Did you mean 'n_rows'? "
            "Valid --param names: n_rows (an int between 200 and 100000).",
        ),
        (
            ["generate", TOY, "--seed", "-3", "--out", "never"],
            f"error: --seed must be an int between 0 and {2**63 - 1}; got -3 (int).",
        ),
        (
            ["evaluate", TOY, "--seed", "1", "--pipeline", "prir"],
            "error: --pipeline must be a built-in baseline (prior, expert) or 'package.module:factory'; "
            "got 'prir'. Did you mean 'prior'?",
        ),
        (["evaluate", "plugin-tpy-v1", "--seed", "1", "--pipeline", "prior"], UNKNOWN_TOY),
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
        "  - [UNREADABLE_FILE] expected a readable .csv or .parquet file with columns id,prediction; "
        f"got no file at {str(work / 'nowhere.csv')!r}. Check the path.",
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
