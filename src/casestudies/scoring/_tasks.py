"""The registry of task types: which implementation a spec's ``task`` names."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from casestudies.core import ScenarioSpec
from casestudies.scoring._binary import BinaryTask
from casestudies.scoring._recommender import RatingTask, TopNTask
from casestudies.scoring._regression import RegressionTask
from casestudies.scoring._task import Task

TASKS: Final[Mapping[str, Task]] = MappingProxyType(
    {"binary": BinaryTask(), "rating": RatingTask(), "topn": TopNTask(), "regression": RegressionTask()}
)
"""One instance per task type; tasks hold no state."""


def for_spec(spec: ScenarioSpec) -> Task:
    """The task implementation of a spec.

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.scoring import for_spec
    >>> [type(for_spec(cs.spec(name))).__name__ for name in ("fraud-v1", "movies-rating-v1", "movies-topn-v1")]
    ['BinaryTask', 'RatingTask', 'TopNTask']
    """
    return TASKS[spec.task]
