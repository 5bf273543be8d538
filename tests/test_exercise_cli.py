"""The exercise loop from the installed ``casestudies`` script, and the exercise take-home round trip.

``start`` -> ``check`` (stubs fail, the reference passes, JSON records) ->
``evaluate`` on fraud-v1, as a learner runs them; then ``takehome create
exercise:...`` -> a candidate's solution -> ``takehome grade``, as an
interviewer runs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import casestudies as cs
from _tools import clean_environment, installed_script
from casestudies.exceptions import TakehomeIntegrityError

pytestmark = pytest.mark.slow
TIMEOUT = 600  # seconds: a check starts a child that imports scikit-learn; the machine may be busy


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_script(), *args], cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=TIMEOUT
    )


def test_start_check_evaluate_from_the_command_line(tmp_path: Path) -> None:
    listed = _run("exercise", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "logistic-regression-v1" in listed.stdout and "metrics-v1" in listed.stdout

    started = _run("exercise", "start", "logistic-regression-v1", "--out", "lr", cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert sorted(path.name for path in (tmp_path / "lr").iterdir()) == [
        "README.md",
        "exercise.json",
        "solution.py",
        "test_public.py",
    ]
    again = _run("exercise", "start", "logistic-regression-v1", "--out", "lr", cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.startswith("error: ") and "--force" in again.stderr

    stubs = _run("exercise", "check", "lr", "--test", "sigmoid_is_stable", "--json", cwd=tmp_path)
    assert stubs.returncode == 1, stubs.stderr  # a failed test: exit 1, for scripts
    records = json.loads(stubs.stdout)["tests"]
    assert [record["name"] for record in records] == [
        "imports_only_allowed_libraries",
        "solution_imports",
        "sigmoid_is_stable",
    ]
    assert records[2] | {"seconds": 0} == {
        "name": "sigmoid_is_stable",
        "kind": "edge",
        "passed": False,
        "message": records[2]["message"],
        "hint": "exp(-z) overflows for z = -1000: use np.logaddexp, or compute each sign apart.",
        "seconds": 0,
    }
    assert records[2]["message"].startswith("raised NotImplementedError: write sigmoid")

    shutil.copy(cs.exercise("logistic-regression-v1").reference, tmp_path / "lr" / "solution.py")
    chosen = ("--test", "fit_l2_matches_sklearn", "--test", "separable_data_stays_finite")  # every test: slow suite
    checked = _run("exercise", "check", "lr", *chosen, "--html", "result.html", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "4/4 hidden tests passed (all passed)" in checked.stdout
    assert "separable_data_stays_finite" in (tmp_path / "result.html").read_text()

    evaluated = _run(
        "exercise",
        "evaluate",
        "lr",
        "fraud-v1",
        "--seed",
        "1",
        "--param",
        "n_customers=300",
        "--param",
        "n_days=35",
        "--no-baselines",
        "--json",
        cwd=tmp_path,
    )  # fmt: skip  (the baselines beside it: test_evaluated_reference_scores_beside_sklearn_on_the_same_features)
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["scenario_id"] == "fraud-v1" and report["submission"]["name"].startswith("your LogisticRegression")
    assert report["submission"]["scores"]["all"]["roc_auc"]["estimate"] > 0.55  # it learned: 0.5 is chance

    wrong = _run("exercise", "evaluate", "lr", "houses-v1", cwd=tmp_path)
    assert wrong.returncode == 2 and "Compatible scenarios: " in wrong.stderr and "fraud-v1" in wrong.stderr


def test_exercise_takehome_round_trip(tmp_path: Path) -> None:
    created = _run(
        "takehome", "create", "exercise:logistic-regression-v1", "--candidates", "alice,bob", "--out", "th",
        "--seed", "4", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["kind"] == "exercise"
    out = tmp_path / "th"
    for name in ("alice", "bob"):
        bundle = out / "bundles" / name
        assert sorted(path.name for path in bundle.iterdir()) == [
            "README.md",
            "manifest.json",
            "solution.py",
            "test_public.py",
        ]
        readme = (bundle / "README.md").read_text()
        assert "## This take-home" in readme and "casestudies exercise check" not in readme
    key = out / "key"
    assert sorted(path.name for path in (key / "hidden").iterdir()) == ["battery.py", "reference.py"]
    assert stat.S_IMODE((key / "hidden" / "battery.py").stat().st_mode) == 0o600
    assert stat.S_IMODE(key.stat().st_mode) == 0o700
    seeds = {name: entry["seed"] for name, entry in json.loads((key / "key.json").read_text())["candidates"].items()}
    assert seeds["alice"] != seeds["bob"]

    solution = out / "bundles" / "alice" / "solution.py"
    shutil.copy(cs.exercise("logistic-regression-v1").reference, solution)
    graded = _run("takehome", "grade", str(key), "alice", str(solution), "--json", cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    grade = json.loads(graded.stdout)["alice"]
    assert grade["status"] == "graded" and grade["tests"]["passed"] and grade["tests"]["seed"] == seeds["alice"]
    assert (key / "grades" / "alice.md").read_text().startswith("# Take-home grade: alice")

    bob = _run("takehome", "grade", str(key), "bob", str(out / "bundles" / "bob" / "solution.py"), cwd=tmp_path)
    assert bob.returncode == 0 and "bob: logistic-regression-v1: 2/17 hidden tests passed" in bob.stdout

    battery = key / "hidden" / "battery.py"
    os.chmod(battery, 0o600)
    battery.write_text(battery.read_text() + "\n# changed\n")
    with pytest.raises(TakehomeIntegrityError, match=re.escape("hidden/battery.py is missing or changed")):
        cs.grade_takehome(key, {"alice": solution}, write=False)
