"""Coding exercises: the catalog, start, the hidden batteries against mutants, hostile code, results, evaluate.

The batteries' power is shown on the mutants in ``tests/exercise_mutants/<exercise>.toml``:
each is the reference solution with one plausible mistake, kept as exact text
edits on it, and names the hidden test that must catch it (``caught_by``). Running a
test in-process (:func:`_run_test`) checks the battery itself; the child
process, its limits and the command line are tested separately below.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import casestudies as cs
from casestudies.coding import CheckResult, Limits, TestRecord, check_exercise, exercise, start_exercise
from casestudies.coding._child import load_module
from casestudies.coding._harness import Context, TestFailure
from casestudies.coding._imports import banned_imports
from casestudies.exceptions import ExerciseError
from exercise_mutants import Edit, Mutant, MutantDrift, apply_edits, load_mutants

IDS = (
    "decision-tree-v1",
    "gradient-descent-v1",
    "knn-kmeans-v1",
    "logistic-regression-v1",
    "metrics-v1",
    "preprocessing-v1",
)
MUTANTS = load_mutants()
QUICK_MUTANTS = {  # one per exercise in the quick subset; every mutant runs in the slow one
    "decision_tree_v1/strict_less_in_predict",
    "gradient_descent_v1/gradient_missing_1_over_n",
    "knn_kmeans_v1/kmeans_never_updates",
    "logistic_regression_v1/gradient_sign",
    "metrics_v1/auc_ties_by_order",
    "preprocessing_v1/scale_on_train_and_test",
}


def _run_test(exercise_id: str, solution: Path | Mutant, test_name: str, *, seed: int = 0) -> TestFailure | None:
    """Run one hidden test in this process on a solution file or a mutant; its failure, or None when it passes."""
    chosen = exercise(exercise_id)
    if isinstance(solution, Mutant):
        tag = re.sub(r"\W", "_", f"{exercise_id}_mutant_{solution.name}")
        module = solution.load(f"test_solution_{tag}")
    else:
        tag = re.sub(r"\W", "_", f"{exercise_id}_{solution.parent.name}_{solution.stem}")
        module = load_module(solution, f"test_solution_{tag}")
    battery = load_module(chosen.battery, f"test_battery_{tag}").BATTERY
    context = Context(
        module,
        load_module(chosen.reference, f"test_ref_{tag}"),
        seed,
        examples=30,  # property-based tests: fewer examples than a learner's check, for a quick suite
    )
    (test,) = [item for item in battery.tests if item.name == test_name]
    try:
        test.function(context)
    except TestFailure as failure:
        return failure
    except Exception as err:  # what the learner's code raises fails the test (the child reports it the same way)
        return TestFailure(f"raised {type(err).__name__}: {err}", test.hint)
    return None


def _mutant_param(mutant: Mutant) -> object:
    marks = () if mutant.label in QUICK_MUTANTS else (pytest.mark.slow,)
    return pytest.param(mutant, id=mutant.label, marks=marks)


# -- the catalog and start ---------------------------------------------------------


def test_catalog_has_the_six_exercises_with_their_files() -> None:
    assert tuple(item.id for item in cs.exercises()) == IDS
    for item in cs.exercises():
        names = {path.name for path in item.folder.iterdir()}
        assert {"README.md", "solution.py.template", "test_public.py.template", "reference.py", "battery.py"} <= names
        assert {"exercise.toml", "rubric.toml"} <= names
        assert "sklearn" in item.banned and set(item.points) >= {"rules", "correctness", "edge", "speed"}
    models = {item.id: item.evaluate.task for item in cs.exercises() if item.evaluate.estimator}
    assert models == {
        "decision-tree-v1": "binary",
        "gradient-descent-v1": "regression",
        "knn-kmeans-v1": "binary",
        "logistic-regression-v1": "binary",
    }


def test_every_battery_has_gradient_edge_and_speed_tests_where_the_issue_asks() -> None:
    kinds = {
        item.id: {test.kind for test in load_module(item.battery, f"kinds_{item.folder.name}").BATTERY.tests}
        for item in cs.exercises()
    }
    assert all({"correctness", "edge", "speed"} <= found for found in kinds.values()), kinds
    assert "gradient" in kinds["logistic-regression-v1"] and "gradient" in kinds["gradient-descent-v1"]


def test_unknown_exercise_names_the_closest() -> None:
    with pytest.raises(ExerciseError, match=re.escape("no exercise 'metric-v1'. Did you mean 'metrics-v1'?")):
        exercise("metric-v1")


def test_start_writes_the_learner_files_and_keeps_the_hidden_ones_out(tmp_path: Path) -> None:
    folder = start_exercise("logistic-regression-v1", tmp_path / "lr")
    assert sorted(path.name for path in folder.iterdir()) == [
        "README.md",
        "exercise.json",
        "solution.py",
        "test_public.py",
    ]
    assert json.loads((folder / "exercise.json").read_text())["exercise"] == "logistic-regression-v1"
    assert (
        "numpy only" in (folder / "README.md").read_text()
        or "numpy and the standard library" in (folder / "README.md").read_text()
    )
    (folder / "solution.py").write_text("# my work\n")
    with pytest.raises(ExerciseError, match="already exists and would be replaced"):
        start_exercise("logistic-regression-v1", folder)
    assert (folder / "solution.py").read_text() == "# my work\n"


def test_check_without_a_solution_says_what_it_expected(tmp_path: Path) -> None:
    with pytest.raises(ExerciseError, match=re.escape("expected a folder with solution.py")):
        check_exercise(tmp_path)
    (tmp_path / "solution.py").write_text("x = 1\n")
    with pytest.raises(ExerciseError, match="Pass the exercise id"):
        check_exercise(tmp_path)
    with pytest.raises(
        ExerciseError, match=re.escape("no hidden test 'sigmoid_stable'. Did you mean 'sigmoid_is_stable'")
    ):
        check_exercise(tmp_path, exercise_id="logistic-regression-v1", tests=["sigmoid_stable"])


# -- the rules check and the result ------------------------------------------------


def test_banned_imports_are_found_by_line_however_they_are_written() -> None:
    source = "import numpy as np\nimport sklearn.linear_model as lm\nfrom scipy import stats\n__import__('sklearn')\n"
    found = [(item.module, item.line) for item in banned_imports(source, ("sklearn", "scipy"))]
    assert found == [("sklearn.linear_model", 2), ("scipy", 3), ("sklearn", 4)]
    assert banned_imports("import numpy\nimport sklearnish\n", ("sklearn",)) == []


def test_result_renders_every_record_and_escapes_html() -> None:
    records = (
        TestRecord("solution_imports", "rules", True, seconds=0.1),
        TestRecord(
            "f1_zero_division", "edge", False, "f1([0], [0]): expected 0.0, got nan.", "Return 0.0 <always>.", 0.2
        ),
        TestRecord("metrics_are_vectorised", "speed", False, "took 30 times the reference's time.", "No loop.", 3.0),
    )
    result = CheckResult("metrics-v1", "m/solution.py", 5, records, {"rules": 1.0, "edge": 2.0, "speed": 1.0})
    assert not result.passed and result.n_passed == 1
    assert result.score == pytest.approx(1 / 4)  # rules 1 point earned of 1 + 2 + 1
    data = json.loads(result.to_json())
    assert [record["name"] for record in data["tests"]] == [
        "solution_imports",
        "f1_zero_division",
        "metrics_are_vectorised",
    ]
    assert data["tests"][0]["hint"] == "" and data["tests"][1]["hint"] == "Return 0.0 <always>."
    text = str(result)
    assert "FAIL  f1_zero_division [edge]" in text and "hint: Return 0.0 <always>." in text
    assert "&lt;always&gt;" in result.to_html() and "<always>" not in result.to_html()
    assert "| f1_zero_division | edge | FAILED |" in result.to_markdown()


# -- the batteries against the mutants ------------------------------------------------


def test_there_are_at_least_eight_mutants_per_exercise() -> None:
    counts = {item: sum(1 for mutant in MUTANTS if mutant.exercise == item) for item in IDS}
    assert all(count >= 8 for count in counts.values()), counts


def test_every_mutant_applies_to_the_current_reference_and_names_a_hidden_test() -> None:
    # Quick, so a reference edit that breaks a slow mutant's edits fails the quick subset too.
    batteries = {item: load_module(exercise(item).battery, f"mutant_names_{item.replace('-', '_')}") for item in IDS}
    for mutant in MUTANTS:
        assert mutant.caught_by in {test.name for test in batteries[mutant.exercise].BATTERY.tests}, mutant.label
        assert mutant.mistake and mutant.source() != exercise(mutant.exercise).reference.read_text(encoding="utf-8")


def test_mutant_edits_fail_loudly_when_the_reference_drifts() -> None:
    reference = "def f(x):\n    return x + 1  # one\n\n\ndef g(x):\n    return x + 1\n"
    assert apply_edits(reference, (Edit("return x + 1  #", "return x - 1  #"),), "m") == reference.replace(
        "x + 1  #", "x - 1  #"
    )
    with pytest.raises(
        MutantDrift, match=re.escape("expected the text 'return x * 2' exactly once in the reference, found it 0")
    ):
        apply_edits(reference, (Edit("return x * 2", "return x * 3"),), "m")
    with pytest.raises(MutantDrift, match="exactly once in the reference, found it 2 times"):
        apply_edits(reference, (Edit("return x + 1", "return x - 1"),), "m")
    with pytest.raises(MutantDrift, match="found it 0 times"):  # the first edit replaced the second one's text
        apply_edits(reference, (Edit("x + 1  # one", "x"), Edit("+ 1  # one", "- 1")), "m")
    with pytest.raises(MutantDrift, match="parses to the same program"):  # a comment is no mistake
        apply_edits(reference, (Edit("# one", "# two"),), "m")


@pytest.mark.parametrize("mutant", [_mutant_param(mutant) for mutant in MUTANTS])
def test_mutant_fails_the_test_that_names_its_mistake(mutant: Mutant) -> None:
    exercise_id, test_name = mutant.exercise, mutant.caught_by
    failure = _run_test(exercise_id, mutant, test_name)
    assert failure is not None, f"{mutant.label} ({mutant.mistake}) passed {test_name}: the battery misses this mistake"
    assert failure.message.strip()
    assert _run_test(exercise_id, exercise(exercise_id).reference, test_name) is None  # the reference passes it


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes_every_hidden_test(exercise_id: str) -> None:
    # In this process, for speed: the child runs the whole battery on a reference in the take-home round trip
    # (tests/test_exercise_cli.py), and the hostile solution below exercises its limits.
    names = [test.name for test in load_module(exercise(exercise_id).battery, f"names_{exercise_id}").BATTERY.tests]
    assert len(names) >= 12
    failures = {name: _run_test(exercise_id, exercise(exercise_id).reference, name, seed=1) for name in names}
    assert not {name: failure.message for name, failure in failures.items() if failure is not None}


# -- hostile solutions ------------------------------------------------------------------

HOSTILE = """
import os
import sys
import time

import numpy as np


def sigmoid(z):
    while True:
        pass


def log_loss(X, y, w, b, alpha=0.0):
    hog = []
    while True:
        hog.append(bytearray(10**7))


def log_loss_gradient(X, y, w, b, alpha=0.0):
    sys.exit(3)


class LogisticRegression:
    def __init__(self, alpha=0.0, max_iter=100, tol=1e-8):
        self.alpha, self.max_iter, self.tol = alpha, max_iter, tol

    def fit(self, X, y):
        if self.max_iter == 50:
            os._exit(7)
        if self.alpha == 0.05:
            while True:
                print("x" * 10_000)
        if self.alpha == 1.0:
            while True:
                try:
                    time.sleep(100)
                except BaseException:
                    pass
        self.coef_, self.intercept_ = np.zeros(np.shape(X)[1]), 0.0
        return self

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)

    def predict(self, X):
        return np.ones(len(X), dtype=int)
"""


@pytest.mark.slow
def test_hostile_solution_fails_each_test_within_the_limits(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text(HOSTILE)
    limits = Limits(seconds=1.0, memory=300 << 20)
    result = check_exercise(tmp_path, exercise_id="logistic-regression-v1", limits=limits)
    by_name = {record.name: record for record in result.records}
    expected = {
        "sigmoid_is_stable": "did not finish within the time limit of 1 s",
        "loss_matches_definition": "ran out of memory",
        "gradient_matches_finite_differences": "called sys.exit(3)",
        "fit_l2_matches_sklearn": "printed more than 1,000,000 characters",
        "intercept_not_penalised": "stopped by the checker after 4 s",
        "separable_data_stays_finite": "exit code 7",
    }
    for name, message in expected.items():
        assert not by_name[name].passed and message in by_name[name].message, (name, by_name[name].message)
    assert by_name["one_row"].passed  # a test after a killed child still ran, in a new one
    assert (
        len(result.records)
        == len(load_module(exercise("logistic-regression-v1").battery, "hostile_count").BATTERY.tests) + 2
    )


@pytest.mark.slow
def test_solution_exiting_on_import_fails_every_test_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "solution.py").write_text("import sklearn\nimport sys\nsys.exit(1)\n")
    result = check_exercise(tmp_path, exercise_id="metrics-v1", tests=["accuracy_matches_sklearn", "f1_zero_division"])
    names = {record.name: record for record in result.records}
    assert "sklearn (line 1)" in names["imports_only_allowed_libraries"].message
    assert "called sys.exit(1)" in names["solution_imports"].message
    assert names["f1_zero_division"].message.startswith("not run: solution.py did not import")


# -- evaluate on a scenario ------------------------------------------------------------


def test_evaluate_refuses_what_does_not_fit(tmp_path: Path) -> None:
    metrics = start_exercise("metrics-v1", tmp_path / "m")
    with pytest.raises(ExerciseError, match="writes functions, not a model"):
        cs.evaluate_exercise(metrics, "fraud-v1")
    lr = start_exercise("logistic-regression-v1", tmp_path / "lr")
    with pytest.raises(ExerciseError, match=r"fits a binary model, but scenario 'houses-v1' is a regression task\. "):
        cs.evaluate_exercise(lr, "houses-v1")


@pytest.mark.slow
def test_evaluated_reference_scores_beside_sklearn_on_the_same_features(tmp_path: Path) -> None:
    folder = start_exercise("logistic-regression-v1", tmp_path / "lr")
    shutil.copy(exercise("logistic-regression-v1").reference, folder / "solution.py")
    report = cs.evaluate_exercise(folder, "fraud-v1", seed=3, params={"n_customers": 400, "n_days": 40})
    own = report.to_dict()
    rows = {entry["name"]: entry for entry in own["references"]} | {"you": own["submission"]}
    mine, simple = rows["you"]["scores"]["all"]["roc_auc"], rows["simple"]["scores"]["all"]["roc_auc"]
    # Both are logistic regressions on the same scaled features (scikit-learn's with C=1, ours with a tiny L2):
    # their rankings, hence ROC-AUC, agree closely; a broken adapter (wrong column, unscaled, labels) would not.
    assert mine["estimate"] == pytest.approx(simple["estimate"], abs=0.02)
    assert mine["estimate"] > 0.55


def test_learner_model_runs_the_learners_class(tmp_path: Path) -> None:
    folder = start_exercise("knn-kmeans-v1", tmp_path / "knn")
    shutil.copy(exercise("knn-kmeans-v1").reference, folder / "solution.py")
    model = cs.coding.LearnerModel(str(folder / "solution.py"), "KNNClassifier", {"n_neighbors": 1}, "binary")
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    fitted = model.fit(X, np.array([0, 0, 1, 1]))
    assert fitted.predict_proba(np.array([[0.2], [10.4]]))[:, 1].tolist() == [0.0, 1.0]
    assert list(fitted.classes_) == [0, 1]


# -- the learner's public tests ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", IDS)
def test_public_tests_pass_on_the_reference_and_fail_on_the_stubs(exercise_id: str, tmp_path: Path) -> None:
    folder = start_exercise(exercise_id, tmp_path / "ex")
    stubs = subprocess.run([sys.executable, "test_public.py"], cwd=folder, capture_output=True, text=True, check=False)
    assert stubs.returncode != 0 and "NotImplementedError" in stubs.stderr
    shutil.copy(exercise(exercise_id).reference, folder / "solution.py")
    done = subprocess.run([sys.executable, "test_public.py"], cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok  ") >= 3


def test_metrics_battery_draws_with_numpy_where_hypothesis_is_missing() -> None:
    """hypothesis is a test extra: a core install draws the property tests' inputs with numpy (seeded, unshrunk)."""
    chosen = exercise("metrics-v1")
    battery_module = load_module(chosen.battery, "metrics_battery_without_hypothesis")
    battery_module.HYPOTHESIS = False
    tests = {test.name: test for test in battery_module.BATTERY.tests}
    reference = load_module(chosen.reference, "metrics_reference_without_hypothesis")
    (ties_by_order,) = [item for item in MUTANTS if item.label == "metrics_v1/auc_ties_by_order"]
    mutant = ties_by_order.load("metrics_mutant_without_hypothesis")
    tests["roc_auc_with_ties_matches_sklearn"].function(Context(reference, reference, 0, examples=40))
    with pytest.raises(TestFailure, match=r"roc_auc: expected .* Input: \["):
        tests["roc_auc_with_ties_matches_sklearn"].function(Context(mutant, reference, 0, examples=40))
