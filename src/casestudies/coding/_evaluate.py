"""Plugging a learner's from-scratch model into a scenario: their estimator through the normal ``Case.evaluate``.

:class:`LearnerModel` is a scikit-learn estimator that loads the learner's
``solution.py`` and fits the exercise's class (``LogisticRegression``,
``DecisionTreeClassifier``, ...) on plain float arrays. The scenario's own
feature step comes from its first baseline that is a scikit-learn
``Pipeline`` (fraud-v1's ``simple``: features, scaling, logistic
regression); its last step is replaced by the learner's model (with a
``StandardScaler`` in front when the steps before it have none, since
gradient descent needs scaled columns), so the report places the learner's
model beside scikit-learn's on the same features. The learner's code runs
in this process: it is their own code on their own machine (the hidden
battery is where limits apply).

Examples
--------
>>> from casestudies.coding._evaluate import LearnerModel
>>> LearnerModel(solution="lr/solution.py", estimator="LogisticRegression").get_params()["estimator"]
'LogisticRegression'
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from casestudies.case import make
from casestudies.coding._catalog import Exercise
from casestudies.coding._check import exercise_of
from casestudies.coding._child import load_module
from casestudies.core import load_object, registry
from casestudies.core import spec as _spec
from casestudies.exceptions import ExerciseError
from casestudies.report import Report

__all__ = ["LearnerModel", "evaluate_exercise", "learner_pipeline"]


class LearnerModel(BaseEstimator):  # type: ignore[misc]
    """The learner's class from ``solution``, fitted on float arrays, as a scikit-learn estimator.

    Parameters
    ----------
    solution : str
        Path of the learner's solution.py.
    estimator : str
        The class to fit, e.g. ``"LogisticRegression"``.
    params : Mapping, optional
        Its keyword arguments.
    task : str, default="binary"
        ``"binary"``: ``predict_proba`` is the learner's; ``"regression"``: ``predict``.
    """

    def __init__(
        self,
        solution: str = "",
        estimator: str = "",
        params: Mapping[str, object] | None = None,
        task: str = "binary",
    ) -> None:
        self.solution = solution
        self.estimator = estimator
        self.params = params
        self.task = task

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> LearnerModel:
        """Load solution.py, fit the learner's class on ``X`` and ``y`` as float arrays."""
        path = Path(self.solution)
        name = "casestudies_learner_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        module = load_module(path, name)
        cls = getattr(module, self.estimator, None)
        if cls is None:
            raise ExerciseError(f"{str(path)!r} defines no {self.estimator!r}; keep the class name of the stub.")
        labels = np.asarray(y, dtype=np.float64)
        self.model_ = cls(**dict(self.params or {}))
        self.model_.fit(np.asarray(X, dtype=np.float64), labels)
        if self.task == "binary":
            self.classes_ = np.array([0, 1])
        return self

    def predict(self, X: npt.ArrayLike) -> Any:
        """The learner's ``predict``."""
        return np.asarray(self.model_.predict(np.asarray(X, dtype=np.float64)))

    def predict_proba(self, X: npt.ArrayLike) -> Any:
        """The learner's ``predict_proba`` (binary tasks)."""
        return np.asarray(self.model_.predict_proba(np.asarray(X, dtype=np.float64)))


def _compatible(chosen: Exercise) -> list[str]:
    return [item.id for item in registry().values() if item.task == chosen.evaluate.task]


def learner_pipeline(chosen: Exercise, solution: Path, scenario_id: str) -> tuple[Pipeline, str]:
    """The scenario's feature steps followed by the learner's model, and the baseline they come from.

    Raises
    ------
    ExerciseError
        If the exercise has no model to evaluate, the scenario's task does
        not fit it, or the scenario has no baseline pipeline to take features from.
    """
    plugged = chosen.evaluate
    if not plugged.estimator:
        raise ExerciseError(
            f"exercise {chosen.id!r} writes functions, not a model, so it has nothing to evaluate on a scenario; "
            "`casestudies exercise check` grades it."
        )
    scenario = _spec(scenario_id)
    if scenario.task != plugged.task:
        message = (
            f"exercise {chosen.id!r} fits a {plugged.task} model, but scenario {scenario.id!r} is a {scenario.task} "
            f"task. Compatible scenarios: {', '.join(_compatible(chosen))}."
        )
        raise ExerciseError(message)
    for name, target in scenario.baselines.items():
        built = load_object(target)
        pipeline = built() if callable(built) else None
        if isinstance(pipeline, Pipeline) and len(pipeline.steps) >= 2:
            steps = list(pipeline.steps[:-1])
            if not any(isinstance(step, StandardScaler) for _, step in steps):
                steps.append(("scale", StandardScaler()))
            model = LearnerModel(str(solution), plugged.estimator, dict(plugged.params), plugged.task)
            return Pipeline([*steps, ("model", model)]), name
    raise ExerciseError(
        f"scenario {scenario.id!r} has no baseline pipeline with a feature step to plug a model into; "
        f"try one of {', '.join(plugged.scenarios) or ', '.join(_compatible(chosen))}."
    )


def evaluate_exercise(
    path: str | os.PathLike[str],
    scenario_id: str,
    /,
    *,
    exercise_id: str | None = None,
    seed: int | None = None,
    baselines: bool = True,
    params: Mapping[str, object] | None = None,
) -> Report:
    """Score the learner's from-scratch model on a scenario, beside the scenario's baselines.

    The scenario's feature step (from its first baseline pipeline) feeds the
    learner's class from ``solution.py``; the pipeline goes through the
    normal :meth:`Case.evaluate`, so the report is the usual one, with the
    scikit-learn baseline on the same features in it.

    Parameters
    ----------
    path : path
        The exercise folder or its solution.py.
    scenario_id : str
        A scenario of the exercise's task, e.g. ``"fraud-v1"``.
    exercise_id : str, optional
        Which exercise, when the folder has no exercise.json.
    seed : int, optional
        Seed of the case.
    baselines : bool, default=True
        Score the scenario's baselines beside it.
    params : Mapping, optional
        Generator parameters (smaller cases run faster).

    Returns
    -------
    Report

    Raises
    ------
    ExerciseError
        If the exercise has no model, or the scenario's task does not fit it.

    Examples
    --------
    >>> import shutil, tempfile, casestudies as cs
    >>> folder = cs.start_exercise("logistic-regression-v1", tempfile.mkdtemp())
    >>> _ = shutil.copy(cs.exercise("logistic-regression-v1").reference, folder / "solution.py")
    >>> report = cs.evaluate_exercise(folder, "fraud-v1", seed=0, params={"n_customers": 300, "n_days": 35})
    >>> report.submission.name
    'your LogisticRegression (logistic-regression-v1)'
    """
    chosen, solution = exercise_of(path, exercise_id)
    pipeline, _ = learner_pipeline(chosen, solution, scenario_id)
    case = make(scenario_id, seed=seed, **cast(dict[str, Any], dict(params or {})))
    return case.evaluate(pipeline, name=f"your {chosen.evaluate.estimator} ({chosen.id})", baselines=baselines)
