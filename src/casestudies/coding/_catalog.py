"""The exercise catalog: each exercise a package folder of data files and two modules.

``casestudies/coding/catalog/<name>_v<N>/`` holds, for the exercise
``<name>-v<N>``:

- ``exercise.toml``: id, title, summary, the banned libraries, the default
  hidden seed and limits, and what ``exercise evaluate`` plugs in (the
  estimator class, its parameters, the task and the compatible scenarios);
- ``rubric.toml``: points per kind of hidden test and the interviewer's
  items (as take-home rubrics are data);
- what the learner gets: ``README.md``, ``solution.py.template`` and
  ``test_public.py.template`` (written as ``solution.py`` and
  ``test_public.py`` by :func:`start_exercise`);
- what the learner never gets: ``reference.py`` (a solution that passes
  every test) and ``battery.py`` (the hidden tests, see
  :mod:`casestudies.coding._harness`).

Examples
--------
>>> [item.id for item in exercises()][:2]
['decision-tree-v1', 'gradient-descent-v1']
>>> exercise("logistic-regression-v1").evaluate.estimator
'LogisticRegression'
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final, cast

from casestudies.core import did_you_mean
from casestudies.exceptions import ExerciseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found]  # installed on Python 3.10 only

__all__ = ["EvaluateSpec", "Exercise", "exercise", "exercises"]

_CATALOG: Final = "casestudies.coding.catalog"
LEARNER_FILES: Final = {
    "README.md": "README.md",
    "solution.py": "solution.py.template",
    "test_public.py": "test_public.py.template",
}
"""What the learner's folder gets: file written -> file of the catalog."""
HIDDEN_FILES: Final = ("reference.py", "battery.py")


@dataclass(frozen=True, slots=True)
class EvaluateSpec:
    """How ``exercise evaluate`` plugs a solution into a scenario.

    Attributes
    ----------
    estimator : str
        The class of ``solution.py`` to fit (empty: the exercise has no model to evaluate).
    params : Mapping
        Its keyword arguments.
    task : str
        The task type of compatible scenarios (``"binary"``, ``"regression"``).
    scenarios : tuple of str
        Scenarios it is meant for (any scenario of the task works).
    """

    estimator: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    task: str = ""
    scenarios: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Exercise:
    """A coding exercise of the catalog.

    Attributes
    ----------
    id : str
        ``name-vN``, e.g. ``"logistic-regression-v1"``.
    title, summary : str
    banned : tuple of str
        Libraries the solution may not import (checked by an AST scan, not a sandbox).
    seed : int
        Default seed of the hidden data.
    seconds : float
        Time limit of each hidden test.
    points : Mapping[str, float]
        Rubric points per kind of hidden test.
    rubric : tuple of Mapping
        The interviewer's items: ``topic``, ``points``, ``look_for``.
    evaluate : EvaluateSpec
    folder : Path
        The catalog folder with the templates, the reference and the battery.
    """

    id: str
    title: str
    summary: str
    banned: tuple[str, ...]
    seed: int
    seconds: float
    points: Mapping[str, float]
    rubric: tuple[Mapping[str, object], ...]
    evaluate: EvaluateSpec
    folder: Path

    @property
    def reference(self) -> Path:
        """The reference solution (hidden from learners)."""
        return self.folder / "reference.py"

    @property
    def battery(self) -> Path:
        """The hidden battery."""
        return self.folder / "battery.py"

    def to_dict(self) -> dict[str, object]:
        """Plain data (what ``exercise list --json`` prints)."""
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "banned": list(self.banned),
            "seed": self.seed,
            "seconds": self.seconds,
            "points": dict(self.points),
            "evaluate": {
                "estimator": self.evaluate.estimator,
                "task": self.evaluate.task,
                "scenarios": list(self.evaluate.scenarios),
            },
        }

    def __str__(self) -> str:
        return f"{self.id:<24} {self.title}"


def _read(folder: Path) -> Exercise:
    meta = tomllib.loads((folder / "exercise.toml").read_text(encoding="utf-8"))
    rubric = tomllib.loads((folder / "rubric.toml").read_text(encoding="utf-8"))
    evaluate = cast(dict[str, object], meta.get("evaluate", {}))
    return Exercise(
        id=str(meta["id"]),
        title=str(meta["title"]),
        summary=str(meta["summary"]),
        banned=tuple(str(name) for name in meta["banned"]),
        seed=int(meta.get("seed", 0)),
        seconds=float(meta.get("seconds", 20.0)),
        points=MappingProxyType({str(kind): float(value) for kind, value in rubric["points"].items()}),
        rubric=tuple(MappingProxyType(dict(item)) for item in rubric.get("items", [])),
        evaluate=EvaluateSpec(
            estimator=str(evaluate.get("estimator", "")),
            params=MappingProxyType(dict(cast(dict[str, object], evaluate.get("params", {})))),
            task=str(evaluate.get("task", "")),
            scenarios=tuple(str(name) for name in cast(list[object], evaluate.get("scenarios", []))),
        ),
        folder=folder,
    )


@cache
def _catalog() -> Mapping[str, Exercise]:
    root = Path(str(resources.files(_CATALOG)))
    found = [_read(folder) for folder in sorted(root.iterdir()) if (folder / "exercise.toml").is_file()]
    return MappingProxyType({item.id: item for item in sorted(found, key=lambda item: item.id)})


def exercises() -> tuple[Exercise, ...]:
    """Every exercise of the catalog, by id.

    Returns
    -------
    tuple of Exercise

    See Also
    --------
    start_exercise : Write an exercise's starting folder.

    Examples
    --------
    >>> import casestudies as cs
    >>> "metrics-v1" in [item.id for item in cs.exercises()]
    True
    """
    return tuple(_catalog().values())


def exercise(exercise_id: str) -> Exercise:
    """The exercise ``exercise_id``.

    Raises
    ------
    ExerciseError
        If there is no such exercise (with the closest id).

    Examples
    --------
    >>> import casestudies as cs
    >>> cs.exercise("metrics-v1").title
    'Classification and regression metrics from scratch'
    """
    catalog = _catalog()
    if exercise_id not in catalog:
        message = (
            f"no exercise {exercise_id!r}.{did_you_mean(str(exercise_id), catalog)} "
            f"Run `casestudies exercise list` to see all: {', '.join(catalog)}."
        )
        raise ExerciseError(message)
    return catalog[exercise_id]
