"""Coding exercises from scratch: start, check against a hidden battery, evaluate on a scenario.

:func:`exercises` lists the catalog; :func:`start_exercise` writes a folder
with the task (README.md), stubs (solution.py) and visible tests;
:func:`check_exercise` runs the hidden battery on it in a child process
with time, memory and output limits and returns a :class:`CheckResult`
(one record per test: name, passed, message, hint);
:func:`evaluate_exercise` plugs the learner's estimator into a scenario
through the normal ``Case.evaluate`` and its Report.

Inside the folder: ``_catalog`` (the exercises as data), ``_check`` (start
and check), ``_runner`` and ``_child`` (the child process and its limits),
``_harness`` (what batteries are made of), ``_imports`` (the rules check),
``_result`` (results and their renderings), ``_evaluate`` (the scenario
adapter), ``catalog/`` (one package per exercise: templates, reference,
battery, rubric).

Examples
--------
>>> from casestudies.coding import exercise
>>> exercise("knn-kmeans-v1").title
'k-nearest neighbours and k-means from scratch'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from casestudies._public import present_as_public
from casestudies.coding._catalog import EvaluateSpec, Exercise, exercise, exercises
from casestudies.coding._check import check_exercise, exercise_of, start_exercise
from casestudies.coding._result import CheckResult, TestRecord
from casestudies.coding._runner import Limits

if TYPE_CHECKING:
    from casestudies.coding._evaluate import LearnerModel, evaluate_exercise, learner_pipeline

# scikit-learn and the Case load only when a solution is evaluated on a scenario: the checker's child
# process imports this folder and must start fast.
_LAZY = dict.fromkeys(("LearnerModel", "evaluate_exercise", "learner_pipeline"), "casestudies.coding._evaluate")

__all__ = [
    "CheckResult",
    "EvaluateSpec",
    "Exercise",
    "LearnerModel",
    "Limits",
    "TestRecord",
    "check_exercise",
    "evaluate_exercise",
    "exercise",
    "exercise_of",
    "exercises",
    "learner_pipeline",
    "start_exercise",
]

present_as_public(CheckResult, Exercise, TestRecord, check_exercise, exercise, exercises, start_exercise)


def __getattr__(name: str) -> object:
    """Load the scenario adapter on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'casestudies.coding' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    if name == "evaluate_exercise":
        present_as_public(value)
    globals()[name] = value
    return value
