"""``timeout=``: a pipeline (or a candidate's grading) that does not finish is stopped and reported, not waited on.

``Case.evaluate(..., timeout=)`` runs the pipeline in a fresh interpreter
(:mod:`casestudies.case._timeout`); ``grade_takehome(..., timeout=)`` does so
per candidate and records one that runs late as ``failed``, grading the
others; the command line's ``--timeout`` calls the library. A hang is made
the way users meet one: a pipeline that never returns, and a submission
"file" that never delivers its bytes (a FIFO nobody writes, as a stuck
network mount behaves).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import casestudies as cs
import casestudies.case._timeout as timeout_module
from casestudies.cli import main
from casestudies.exceptions import InvalidParameterError, PipelineError, PipelineTimeoutError

TOY = "plugin-toy-v1"
LIMIT = 2.0  # seconds: the deadline of the hanging cases; past the child's start-up, which is not counted
MARGIN = 60.0  # seconds of start-up and clean-up a loaded 2-core machine may add; a hang would never end
PID_FILE = "pipeline.pid"


def hang(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
    """A pipeline that writes its process id where the test can find it, then never returns."""
    Path(os.environ["CASESTUDIES_TEST_PID_DIR"], PID_FILE).write_text(str(os.getpid()), encoding="utf-8")
    while True:
        time.sleep(0.05)


def leave(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
    sys.exit(3)


def fail(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
    raise ValueError("the user's own error")


@pytest.fixture(scope="module")
def toy_case() -> cs.Case:
    return cs.make(TOY, seed=4, n_rows=1000)


def _without_timings(data: object) -> object:
    if isinstance(data, dict):
        return {key: _without_timings(value) for key, value in data.items() if not str(key).endswith("seconds")}
    if isinstance(data, list):
        return [_without_timings(value) for value in data]
    return data


@pytest.mark.slow
def test_a_hanging_pipeline_is_stopped_and_reported(
    toy_case: cs.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASESTUDIES_TEST_PID_DIR", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(PipelineTimeoutError) as caught:
        toy_case.evaluate(hang, baselines=False, timeout=LIMIT)
    elapsed = time.monotonic() - started
    assert str(caught.value).startswith(f"your pipeline did not finish in {LIMIT:g} s (evaluate(): timeout={LIMIT:g})")
    assert caught.value.seconds == LIMIT and isinstance(caught.value, TimeoutError)
    assert LIMIT <= elapsed < LIMIT + MARGIN
    pid = int((tmp_path / PID_FILE).read_text(encoding="utf-8"))  # it was the pipeline that ran, in its own process
    assert pid != os.getpid()
    with pytest.raises(ProcessLookupError):  # and that process is gone
        os.kill(pid, 0)


@pytest.mark.slow
def test_a_pipeline_that_finishes_gives_the_same_report() -> None:
    # The rating task: its run carries extras (predictions on unseen pairs) back as well.
    params = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 500}
    case = cs.make("movies-rating-v1", seed=4, **params)
    baseline = cs.core.load_object(list(case.spec.baselines.values())[-1])()  # the scenario's expert reference
    plain = case.evaluate(baseline, baselines=False)
    limited = case.evaluate(baseline, baselines=False, timeout=600)
    assert _without_timings(limited.to_dict()) == _without_timings(plain.to_dict())


@pytest.mark.slow
def test_openmp_in_this_process_does_not_hang_the_timed_pipeline(toy_case: cs.Case) -> None:
    # A process that has run OpenMP code leaves a fork()ed child hanging at its first parallel loop; the timed
    # pipeline runs in a fresh interpreter, so a model this process already fitted fits there as well.
    X, y = toy_case.train[["a", "b", "noise"]], toy_case.train["label"]
    HistGradientBoostingClassifier(max_iter=5).fit(X, y)  # OpenMP threads now exist here
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0)
    report = toy_case.evaluate(model, baselines=False, timeout=120)
    assert report.primary("all") == toy_case.evaluate(model, baselines=False).primary("all")


@pytest.mark.slow
def test_errors_of_the_timed_pipeline_come_back_as_they_are(toy_case: cs.Case) -> None:
    with pytest.raises(PipelineError, match=r"ended without a result: the pipeline called sys\.exit\(\)"):
        toy_case.evaluate(leave, baselines=False, timeout=120)


@pytest.mark.slow
def test_without_cloudpickle_importable_pipelines_still_travel(
    toy_case: cs.Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain pickle, with the read-only mappings of the case's context: a module-level function goes by reference.
    monkeypatch.setattr(timeout_module, "_cloudpickle", None)
    with pytest.raises(PipelineError, match="the user's own error") as caught:
        toy_case.evaluate(fail, baselines=False, timeout=120)
    assert "ValueError: the user's own error" in caught.value.user_traceback

    def local(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(X_test))

    with pytest.raises(InvalidParameterError, match="timeout=120 runs the pipeline in a separate process"):
        toy_case.evaluate(local, baselines=False, timeout=120)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "5", True])
def test_timeout_must_be_a_positive_number_of_seconds(toy_case: cs.Case, value: object) -> None:
    message = f"evaluate(): timeout must be None or a positive, finite number of seconds; got {value!r}"
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}"):
        toy_case.evaluate(fail, baselines=False, timeout=value)  # type: ignore[arg-type]


# -- take-home grading --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy_takehome(tmp_path_factory: pytest.TempPathFactory) -> cs.Takehome:
    out = tmp_path_factory.mktemp("takehome")
    return cs.create_takehome(
        TOY, candidates=["ann", "ben"], out=out, seed=3, params={"n_rows": 1000}, baselines=False, tolerance=0.5
    )


def _stuck_file(folder: Path) -> Path:
    """A submission path whose reading never ends: a FIFO that nobody writes to."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes (os.mkfifo) are POSIX only")
    path = folder / "ann.csv"
    os.mkfifo(path)
    return path


@pytest.mark.slow
def test_grading_that_does_not_finish_is_failed_and_the_others_are_graded(
    toy_takehome: cs.Takehome, tmp_path: Path
) -> None:
    stuck = _stuck_file(tmp_path)
    ben = toy_takehome.bundles["ben"] / "submission_template.csv"
    started = time.monotonic()
    grading = cs.grade_takehome(toy_takehome.key, {"ann": stuck, "ben": ben}, timeout=LIMIT)
    assert time.monotonic() - started < 2 * (LIMIT + MARGIN)
    ann, graded = grading["ann"], grading["ben"]
    assert ann.status == "failed" and ann.scores is None
    assert ann.error.startswith(f"grading ann did not finish in {LIMIT:g} s (grade_takehome(): timeout={LIMIT:g})")
    assert graded.status == "graded"  # the other candidate, graded as without a timeout
    plain = cs.grade_takehome(toy_takehome.key, {"ben": ben}, write=False)["ben"]
    assert json.dumps(graded.scores, sort_keys=True) == json.dumps(plain.scores, sort_keys=True)
    written = json.loads(ann.files["json"].read_text(encoding="utf-8"))
    assert (written["status"], written["error"]) == ("failed", ann.error)
    assert "## Why grading failed" in ann.files["markdown"].read_text(encoding="utf-8")
    table = grading.table().set_index("candidate")
    assert table.loc["ann", "status"] == "failed" and table.loc["ann", "problems"] == ann.error
    assert str(ann).splitlines()[:2] == ["ann: failed", f"  {ann.error}"]


@pytest.mark.slow
def test_takehome_grade_command_has_a_timeout(
    toy_takehome: cs.Takehome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stuck = _stuck_file(tmp_path)
    code = main(["takehome", "grade", str(toy_takehome.key), "ann", str(stuck), "--timeout", f"{LIMIT:g}", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert out.startswith(f"ann: failed\n  grading ann did not finish in {LIMIT:g} s"), out
    assert err == f"error: grading did not finish for ann (--timeout {LIMIT:g}).\n"


def test_grade_takehome_checks_its_timeout(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    message = "grade_takehome(): timeout must be None or a positive, finite number of seconds; got -2 (int)."
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        cs.grade_takehome(toy_takehome.key, {"ann": template}, write=False, timeout=-2)
