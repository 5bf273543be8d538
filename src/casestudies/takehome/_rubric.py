"""Take-home rubrics: data next to the scenario presets, or a generic one built from the spec.

A scenario's rubric and take-home settings live in
``scenarios/takehome/<id>.toml`` (see :class:`Rubric`); a scenario without
one gets :meth:`Rubric.generic`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final, cast

from casestudies.core import ScenarioSpec, catalog_dir, vocabulary
from casestudies.core import spec as _spec
from casestudies.exceptions import TakehomeError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["DEFAULT_TOLERANCE", "Rubric", "RubricItem", "takehome_rubric"]

DEFAULT_TOLERANCE: Final[Mapping[str, float]] = MappingProxyType({"oracle": 0.05, "reference": 0.10})
"""Default largest spread (max - min) across variants of the oracle's and of the reference pipeline's primary metric."""
MEASURES: Final = ("oracle", "reference")
"""What the difficulty check measures on each variant: the oracle's and the reference pipeline's primary metric."""
DEFAULT_HOURS: Final = 4.0
"""Time guidance of the README when the rubric gives none: a working afternoon."""
MAX_HOURS: Final = 100.0
"""Longest time guidance accepted: beyond it the number is a typo, not a take-home."""
GENERIC_SOURCE: Final = "generic rubric built from the scenario spec"

_GRADER_PATTERN: Final = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")  # "module:function"
_RUBRIC_KEYS: Final = frozenset(
    {"scenario", "hours", "tolerance", "reference", "diagnosis", "diagnosis_prompt", "write_up", "rubric"}
)
_REQUIRED_ITEM_KEYS: Final = frozenset({"topic", "points", "strong"})
_ITEM_KEYS: Final = _REQUIRED_ITEM_KEYS | {"weak"}
_GENERIC_WRITE_UP: Final = (
    "How did you validate, and how much do you trust that estimate?",
    "Which metric did you optimise, and why does it fit the business problem?",
    "What would you do next with more time or data?",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RubricItem:
    """One topic a strong take-home answer covers.

    Attributes
    ----------
    topic : str
        Short name ("Accuracy misleads").
    points : float
        Weight in the rubric.
    strong : str
        What a strong answer says or does.
    weak : str
        A typical weak answer, to recognise it.
    """

    topic: str
    points: float
    strong: str
    weak: str = ""

    def to_dict(self) -> dict[str, str | float]:
        """Plain data (as written in the rubric file)."""
        return {"topic": self.topic, "points": self.points, "strong": self.strong, "weak": self.weak}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rubric:
    """A scenario's take-home rubric and settings.

    Read from ``scenarios/takehome/<scenario id>.toml`` when the scenario has
    one, else built from the spec (:meth:`generic`). The file::

        scenario = "fraud-v1"
        hours = 4                      # time guidance in the README
        tolerance = {oracle = 0.05, reference = 0.12}   # largest spread across variants (or one number for both)
        reference = "expert"           # baseline used as the reference pipeline
        diagnosis = ""                 # "module:function" grading a diagnosis file; "" = none
        diagnosis_prompt = ""          # what the candidate writes in diagnosis.md (README)
        write_up = ["question", ...]   # what the write-up should answer (README)

        [[rubric]]
        topic = "Accuracy misleads"
        points = 2
        strong = "what a strong answer covers"
        weak = "a typical weak answer"

    A ``diagnosis`` grader is called as ``grader(path, case)`` with the
    candidate's diagnosis file and their variant's Case, and returns
    ``{"points", "max_points", "items", "summary"}``.

    Examples
    --------
    >>> import casestudies as cs
    >>> rubric = cs.takehome_rubric("fraud-v1")
    >>> rubric.reference, rubric.items[0].topic
    ('expert', 'Accuracy misleads')
    """

    scenario_id: str
    items: tuple[RubricItem, ...]
    hours: float = DEFAULT_HOURS
    tolerance: Mapping[str, float] | None = None
    reference: str | None = None
    diagnosis: str = ""
    diagnosis_prompt: str = ""
    write_up: tuple[str, ...] = _GENERIC_WRITE_UP
    source: str = GENERIC_SOURCE

    @property
    def points(self) -> float:
        """Total points."""
        return float(sum(item.points for item in self.items))

    def to_dict(self) -> dict[str, object]:
        """Plain data; :meth:`from_dict` inverts it."""
        return {
            "scenario": self.scenario_id,
            "hours": self.hours,
            "tolerance": None if self.tolerance is None else dict(self.tolerance),
            "reference": self.reference,
            "diagnosis": self.diagnosis,
            "diagnosis_prompt": self.diagnosis_prompt,
            "write_up": list(self.write_up),
            "rubric": [item.to_dict() for item in self.items],
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, source: str) -> Rubric:
        """Build a rubric from a parsed rubric file, reporting every problem at once.

        Raises
        ------
        TakehomeError
            If keys are unknown, required ones missing or values of the wrong type.
        """
        problems: list[str] = []
        unknown = sorted(set(data) - _RUBRIC_KEYS - {"source"})
        if unknown:
            problems.append(f"unknown keys {unknown}; valid keys are {sorted(_RUBRIC_KEYS)}")
        scenario_id = data.get("scenario")
        if not isinstance(scenario_id, str) or not scenario_id:
            problems.append(f"'scenario' must be the scenario id, like 'fraud-v1'; got {scenario_id!r}")
        items = _read_items(data.get("rubric", []), problems)
        hours = data.get("hours", DEFAULT_HOURS)
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= MAX_HOURS:
            problems.append(f"'hours' must be a number between 0 and {MAX_HOURS:g}; got {hours!r}")
        tolerance = None
        try:
            tolerance = tolerances(data.get("tolerance"), None)
        except ValueError as err:
            problems.append(f"'tolerance' {err}")
        diagnosis = _read_texts(data, problems)
        write_up = data.get("write_up", list(_GENERIC_WRITE_UP))
        if not isinstance(write_up, list) or not all(isinstance(line, str) for line in write_up):
            problems.append(f"'write_up' must be a list of strings; got {write_up!r}")
            write_up = list(_GENERIC_WRITE_UP)
        if problems:
            raise TakehomeError(f"invalid take-home rubric {source}: " + "; ".join(problems) + ".")
        return cls(
            scenario_id=cast(str, scenario_id),
            items=tuple(items),
            hours=float(cast(float, hours)),
            tolerance=None if data.get("tolerance") is None else tolerance,
            reference=cast("str | None", data.get("reference")) or None,
            diagnosis=diagnosis,
            diagnosis_prompt=str(data.get("diagnosis_prompt") or ""),
            write_up=tuple(cast(list[str], write_up)),
            source=source,
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Rubric:
        """Read a rubric TOML file.

        Raises
        ------
        TakehomeError
            If the file cannot be read or parsed, or its content is invalid.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            message = (
                f"cannot read take-home rubric {str(path)!r}: {err}. Write it in the format of casestudies.Rubric."
            )
            raise TakehomeError(message) from err
        return cls.from_dict(data, source=f"rubric file {path.name}")

    @classmethod
    def generic(cls, spec: ScenarioSpec, *, faults: bool = False) -> Rubric:
        """A rubric built from the spec alone: works for any scenario.

        ``faults=True`` adds a diagnosis topic, for scenarios that plant causes.
        """
        items = [_FRAMING, _metric_item(spec), _VALIDATION, _baselines_item(spec)]
        if "alert_budget" in spec.scoring:
            budget = float(cast(float, spec.scoring["alert_budget"]))
            items.append(
                RubricItem(
                    topic="Operating point",
                    points=2,
                    strong=(
                        f"Chooses what to act on under the {vocabulary(spec).budget} (the top {budget:.1%} of rows), "
                        "and reports precision and recall there."
                    ),
                    weak="A default 0.5 threshold, or no threshold at all.",
                )
            )
        if faults:
            items.append(_DIAGNOSIS)
        items += [_LEAKAGE, _COMMUNICATION]
        return cls(scenario_id=spec.id, items=tuple(items), source=GENERIC_SOURCE)


def _read_items(raw_items: object, problems: list[str]) -> list[RubricItem]:
    """The ``[[rubric]]`` tables as items; what is wrong with them goes to ``problems``."""
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("needs at least one [[rubric]] table with topic, points and strong")
        return []
    items = []
    for number, raw in enumerate(raw_items, 1):
        if not isinstance(raw, Mapping):
            problems.append(f"[[rubric]] number {number} must be a table; got {raw!r}")
            continue
        missing = sorted(_REQUIRED_ITEM_KEYS - set(raw))
        extra = sorted(set(raw) - _ITEM_KEYS)
        points = raw.get("points")
        if missing or extra:
            problems.append(
                f"[[rubric]] number {number}: missing {missing}, unknown {extra}; valid keys are {sorted(_ITEM_KEYS)}"
            )
        elif isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            problems.append(f"[[rubric]] {raw.get('topic')!r}: points must be a positive number; got {points!r}")
        else:
            items.append(
                RubricItem(
                    topic=str(raw["topic"]),
                    points=float(points),
                    strong=str(raw["strong"]),
                    weak=str(raw.get("weak", "")),
                )
            )
    return items


def _read_texts(data: Mapping[str, object], problems: list[str]) -> str:
    """Check the string settings; return the diagnosis grader (``""``: none)."""
    for text_key in ("reference", "diagnosis", "diagnosis_prompt"):
        value = data.get(text_key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{text_key!r} must be a string; got {value!r}")
    diagnosis = data.get("diagnosis") or ""
    if diagnosis and not _GRADER_PATTERN.fullmatch(str(diagnosis)):
        problems.append(f"'diagnosis' must be 'module:function'; got {diagnosis!r}")
    return str(diagnosis)


# -- the generic rubric's topics ----------------------------------------------------

_FRAMING: Final = RubricItem(
    topic="Framing",
    points=2,
    strong=(
        "Restates the business problem of the prompt as a prediction task: one score per row, what the label means, "
        "who acts on the scores and what a mistake costs."
    ),
    weak="Jumps to a model without saying what decision the scores support.",
)
_VALIDATION: Final = RubricItem(
    topic="Validation",
    points=2,
    strong=(
        "Holds out data the way the test set is held out (later in time when rows have timestamps), tunes on "
        "validation data only, and reports how uncertain the estimate is."
    ),
    weak="A random split on time-ordered data, or tuning on the same data that is reported.",
)
_DIAGNOSIS: Final = RubricItem(
    topic="Diagnosis",
    points=3,
    strong=(
        "Names the causes of the gap between training and test performance that are present, each with evidence "
        "(a check that would come out differently without it), names the columns involved, and rules the others out."
    ),
    weak="Lists every textbook cause without evidence, or stops at 'the model overfits'.",
)
_LEAKAGE: Final = RubricItem(
    topic="Leakage",
    points=1,
    strong="Checks that no feature uses information unavailable at prediction time.",
    weak="Features computed over the whole dataset, future rows included.",
)
_COMMUNICATION: Final = RubricItem(
    topic="Communication",
    points=1,
    strong="A short, honest write-up: what worked, what did not, what to do next.",
    weak="A notebook dump without conclusions.",
)


def _metric_item(spec: ScenarioSpec) -> RubricItem:
    metric = spec.metric.replace("_", " ")
    if spec.task == "binary":
        strong = (
            f"Optimises and reports {metric}, explains why it fits; when positives are rare, shows why accuracy "
            "misleads (predicting all negatives is highly accurate and useless)."
        )
    else:
        strong = (
            f"Optimises and reports {metric}, explains why it fits and what it misses: held-out ratings exist only "
            "for what users chose to watch (missing not at random)."
        )
    return RubricItem(
        topic="Metric",
        points=2,
        strong=strong,
        weak="Reports accuracy, or a metric without saying why it matters here.",
    )


def _baselines_item(spec: ScenarioSpec) -> RubricItem:
    if spec.task == "binary":
        strong = "Compares with a know-nothing baseline (the positive rate) and a simple model before anything complex."
    else:
        strong = (
            "Compares with simple baselines (the global mean and user + movie biases for ratings; most-popular for "
            "recommendations) before anything complex."
        )
    return RubricItem(
        topic="Baselines",
        points=1,
        strong=strong,
        weak="Only one model, with nothing to compare it to.",
    )


def tolerances(given: object, fallback: Mapping[str, float] | None) -> dict[str, float]:
    """``{"oracle": ..., "reference": ...}`` from a number, a mapping, or None (the fallback, else the default).

    Raises
    ------
    ValueError
        Saying what was expected, if ``given`` is neither.
    """
    if given is None:
        return dict(fallback if fallback is not None else DEFAULT_TOLERANCE)
    expected = (
        "must be a positive number (a spread in the primary metric's units: 0.05 of average precision, "
        "2000 euros of RMSE) or a table {oracle = ..., reference = ...} of such numbers"
    )
    if isinstance(given, Mapping):
        unknown = sorted(set(map(str, given)) - set(MEASURES))
        if unknown:
            raise ValueError(f"{expected}; got unknown keys {unknown}")
        values = {
            **dict(fallback if fallback is not None else DEFAULT_TOLERANCE),
            **{str(key): value for key, value in given.items()},
        }
    else:
        values = dict.fromkeys(MEASURES, given)
    for value in values.values():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{expected}; got {given!r}")
    return {measure: float(cast(float, value)) for measure, value in values.items()}


def _rubric_path(scenario_id: str) -> Path:
    return catalog_dir() / "takehome" / f"{scenario_id}.toml"


def takehome_rubric(scenario_id: str, /, *, rubric: str | os.PathLike[str] | None = None) -> Rubric:
    """Return the take-home rubric of a scenario.

    Parameters
    ----------
    scenario_id : str
        A registered scenario id.
    rubric : path, optional
        A rubric TOML file to use instead of the scenario's own.

    Returns
    -------
    Rubric
        From ``rubric``, else the scenario's ``scenarios/takehome/<id>.toml``,
        else :meth:`Rubric.generic`.

    Raises
    ------
    TakehomeError
        If the rubric file is invalid or written for another scenario.

    Examples
    --------
    >>> import casestudies as cs
    >>> [item.topic for item in cs.takehome_rubric("fraud-v1").items][:3]
    ['Accuracy misleads', 'PR-AUC vs ROC-AUC', 'Threshold under the alert budget']
    """
    scenario = _spec(scenario_id)
    if rubric is not None:
        found = Rubric.from_file(rubric)
    elif _rubric_path(scenario.id).is_file():
        found = Rubric.from_file(_rubric_path(scenario.id))
    else:
        return Rubric.generic(scenario)
    if found.scenario_id != scenario.id:
        message = (
            f"{found.source} is written for {found.scenario_id!r}, not {scenario.id!r}; "
            f"set scenario = {scenario.id!r} in it or pick the rubric of {scenario.id!r}."
        )
        raise TakehomeError(message)
    if found.reference is not None and found.reference not in scenario.baselines:
        message = (
            f"{found.source}: reference {found.reference!r} is not a baseline of {scenario.id!r}; "
            f"choose one of {sorted(scenario.baselines)}."
        )
        raise TakehomeError(message)
    return found
