"""What scoring a predictions file loads: only what the report uses, not the diagnostics that fit models.

Every report adds its explanations (``casestudies.case.EXPLAIN_RUN``), so the
explanation modules load on every ``casestudies score`` and ``case.score``;
the checks that fit models and the opt-in importances (which pull in
``sklearn.inspection`` and with it scikit-learn's ensembles and trees) must
not. Each probe runs in a fresh interpreter, as a user's command or notebook
would: this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from _tools import clean_environment

SIZES: dict[str, dict[str, int]] = {
    "fraud-v1": {"n_customers": 300, "n_days": 35},  # binary, with causes in its truth; its doctest size
    "overfit-v1": {"n_test": 300},  # binary; its package also holds the pipelines, which screen with diagnostics
}
SEED = 0

OPT_IN = (
    "sklearn.inspection",
    "casestudies.diagnostics._explain_importance",  # opt-in: evaluate(diagnostics=["importance"])
    "casestudies.diagnostics._hooks",  # plans and runs evaluate()'s diagnostics
    "casestudies.diagnostics._run",
    "casestudies.diagnostics._data_checks",
    "casestudies.diagnostics._pipeline_checks",
    "casestudies.diagnostics._noise_time",
    "casestudies.diagnostics._regression",
    "casestudies.diagnostics._quality_profile",
    "casestudies.preprocessing",
)
"""Modules a file's report never uses: loading any of them is start-up paid for nothing."""

REPORT = """
import json, sys
{score}
print(json.dumps({{"findings": findings, "loaded": [name for name in {watched!r} if name in sys.modules],
                  "sklearn": sorted(name for name in sys.modules if name.split(".")[0] == "sklearn")[:3]}}))
"""

SCORE_BY_CLI = """
import contextlib, io
from casestudies.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["score", {scenario!r}, "--seed", "{seed}", *{params!r}, "--no-baselines", "--quiet", "--json",
                 {path!r}])
findings = [finding["id"] for finding in json.loads(out.getvalue())["findings"]] if code == 0 else [code]
"""

SCORE_IN_NOTEBOOK = """
import casestudies as cs
case = cs.make({scenario!r}, seed={seed}, **{sizes!r})
findings = [finding.id for finding in case.score({path!r}, baselines=False).findings]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("startup")


def _predictions(scenario: str, folder: Path) -> tuple[Path, list[str]]:
    """A predictions file for the small case, and the findings of its report scored here (all modules loaded)."""
    case = cs.make(scenario, seed=SEED, **SIZES[scenario])
    path = folder / f"{scenario}.csv"
    scores = np.random.default_rng(SEED).random(len(case.test))
    pd.DataFrame({"id": case.test[case.id_column], "prediction": scores}).to_csv(path, index=False)
    return path, [finding.id for finding in case.score(path, baselines=False).findings]


def _probe(code: str, folder: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=clean_environment(CASESTUDIES_CACHE_DIR=str(folder / "cache")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow  # a fresh interpreter that makes and scores a case: about 2 s on a 2-core machine
@pytest.mark.parametrize(("scenario", "how"), [("fraud-v1", "cli"), ("fraud-v1", "case.score"), ("overfit-v1", "cli")])
def test_scoring_a_file_loads_no_opt_in_diagnostic(scenario: str, how: str, folder: Path) -> None:
    path, expected = _predictions(scenario, folder)
    sizes = SIZES[scenario]
    params = [arg for name, value in sizes.items() for arg in ("--param", f"{name}={value}")]
    score = (SCORE_BY_CLI if how == "cli" else SCORE_IN_NOTEBOOK).format(
        scenario=scenario, seed=SEED, params=params, sizes=sizes, path=str(path)
    )
    result = _probe(REPORT.format(score=score, watched=OPT_IN), folder)
    # The same report as with every module loaded: the explanations still run (fraud-v1's truth records causes).
    assert result["findings"] == expected, result
    assert scenario != "fraud-v1" or "failure_by_cause" in expected
    assert result["loaded"] == [], f"scoring a file by {how} loaded {result['loaded']}, which its report never uses"
    # Neither the generators nor the scoring of a file fit anything: the scenarios' features and pipelines (the only
    # users of scikit-learn on this path) load when a baseline or the expert pipeline is built.
    assert result["sklearn"] == [], f"scoring a file by {how} loaded scikit-learn: {result['sklearn']}"


@pytest.mark.slow  # a fresh interpreter that makes a case and fits a dummy on it: about 2 s
def test_evaluate_loads_the_importances_only_when_asked(folder: Path) -> None:
    score = """
import casestudies as cs
from sklearn.dummy import DummyClassifier
case = cs.make("fraud-v1", seed={seed}, **{sizes!r})
findings = [finding.id for finding in case.evaluate(DummyClassifier(), baselines=False).findings]
""".format(seed=SEED, sizes=SIZES["fraud-v1"])
    result = _probe(REPORT.format(score=score, watched=("sklearn.inspection",)), folder)
    assert "failure_by_cause" in result["findings"], result
    assert result["loaded"] == [], "evaluate() without diagnostics=['importance'] loaded sklearn.inspection"
