"""Frozen, versioned scenario specs and their TOML form."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Literal, cast

from casestudies.core._metricinfo import metric_names
from casestudies.core._params import AnyString, Boolean, Choice, FloatRange, IntRange, Rule, closest
from casestudies.core._vocabulary import vocabulary_problems
from casestudies.exceptions import RegistrationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found]  # installed on Python 3.10 only

ID_PATTERN = re.compile(r"(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*?)-v(?P<version>[1-9][0-9]*)")

TaskType = Literal["binary", "rating", "topn", "regression"]
TASK_TYPES: tuple[str, ...] = ("binary", "rating", "topn", "regression")
_METRICS: dict[str, tuple[str, ...]] = {
    "binary": metric_names("binary"),
    "rating": metric_names("rating"),
    "topn": metric_names("topn"),
    "regression": metric_names("regression"),
}
_TARGET_PATTERN = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


def _is_target(value: object) -> bool:
    """True for a ``'module:attribute'`` import string."""
    return isinstance(value, str) and _TARGET_PATTERN.fullmatch(value) is not None


def _reveals_problems(reveals: object) -> list[str]:
    """What is wrong with a spec's ``[reveals]`` table: it maps mechanism names to lists of column names."""
    example = 'e.g. compromised_terminal = ["terminal_id", "timestamp"]'
    if not isinstance(reveals, Mapping):
        return [f"reveals must be a table of mechanism = [columns] ({example}); got {reveals!r}"]
    problems = []
    for mechanism, columns in reveals.items():
        if (
            isinstance(columns, str)
            or not isinstance(columns, (list, tuple))
            or not columns
            or not all(isinstance(column, str) and column for column in columns)
        ):
            problems.append(
                f"reveals.{mechanism} must be a non-empty list of column names ({example}); got {columns!r}"
            )
    return problems


def _redraw_problems(redraw: object, truth: object) -> list[str]:
    """What is wrong with a spec's ``redraw`` and ``truth`` fields: both empty, or both ``'module:function'``."""
    problems = [
        f"{name} must be '' or 'module:function'; got {value!r}"
        for name, value in (("redraw", redraw), ("truth", truth))
        if value != "" and not _is_target(value)
    ]
    if not problems and (redraw == "") != (truth == ""):
        given, missing = ("redraw", "truth") if truth == "" else ("truth", "redraw")
        problems.append(
            f"{given} is set but {missing} is not: the bias-variance lab needs both (a fresh training set and the "
            "true mean of the rows it predicts); set both or neither"
        )
    return problems


ParameterType = Literal["int", "float", "bool", "str"]
PARAMETER_TYPES: tuple[str, ...] = ("int", "float", "bool", "str")


def parse_id(scenario_id: object) -> tuple[str, int] | None:
    """Split ``'name-vN'`` into ``(name, N)``; None when it is not of that form (or not a string).

    Examples
    --------
    >>> parse_id("fraud-v1")
    ('fraud', 1)
    >>> parse_id("movies-rating-v12")
    ('movies-rating', 12)
    >>> parse_id("fraud") is None
    True
    >>> parse_id("fraud-v1\\n") is None
    True
    """
    if not isinstance(scenario_id, str):
        return None
    match = ID_PATTERN.fullmatch(scenario_id)
    if match is None:
        return None
    return match["name"], int(match["version"])


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterSpec:
    """One declared generator parameter: type, default, range and help text."""

    name: str
    type: ParameterType
    default: object
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", tuple(self.choices))
        problems = []
        if self.type not in PARAMETER_TYPES:
            problems.append(f"type must be one of {list(PARAMETER_TYPES)}; got {self.type!r}")
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                problems.append(f"{bound} must be a number; got {value!r}")
        if not problems and self.min is not None and self.max is not None and self.min > self.max:
            problems.append(f"min ({self.min!r}) must not exceed max ({self.max!r})")
        if (self.min is not None or self.max is not None) and self.type not in ("int", "float"):
            problems.append(f"min and max apply to int and float parameters only, not {self.type!r}")
        if self.choices and (self.type != "str" or not all(isinstance(option, str) for option in self.choices)):
            problems.append("choices must be strings of a 'str' parameter")
        if not problems and not self.rule().accepts(self.default):
            problems.append(f"default must be {self.rule().describe()}; got {self.default!r}")
        if problems:
            raise RegistrationError(f"parameter {self.name!r}: " + "; ".join(problems) + ".")

    def rule(self) -> Rule:
        """Return the validation rule of this parameter."""
        if self.type == "int":
            low = None if self.min is None else int(self.min)
            high = None if self.max is None else int(self.max)
            return IntRange(low, high)
        if self.type == "float":
            return FloatRange(self.min, self.max)
        if self.type == "bool":
            return Boolean()
        return Choice(self.choices) if self.choices else AnyString()

    def to_dict(self) -> dict[str, object]:
        """Plain-data form (as written in the TOML file)."""
        data: dict[str, object] = {"type": self.type, "default": self.default, "help": self.help}
        if self.min is not None:
            data["min"] = self.min
        if self.max is not None:
            data["max"] = self.max
        if self.choices:
            data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioSpec:
    """A frozen, versioned description of a scenario.

    A released spec never changes what it generates for a given seed; a change
    of data, defaults or metric is a new version (``name-v(N+1)``).

    Examples
    --------
    >>> import casestudies as cs
    >>> spec = cs.spec("fraud-v1")
    >>> spec.name, spec.version, spec.task, spec.metric
    ('fraud', 1, 'binary', 'average_precision')
    >>> cs.ScenarioSpec.from_dict(spec.to_dict()) == spec
    True
    """

    id: str
    title: str
    summary: str
    task: TaskType
    generator: str
    metric: str
    prompt: str
    secondary_metrics: tuple[str, ...] = ()
    public_fraction: float = 0.3
    parameters: Mapping[str, ParameterSpec] = field(default_factory=dict)
    scoring: Mapping[str, object] = field(default_factory=dict)
    baselines: Mapping[str, str] = field(default_factory=dict)
    diagnostics: tuple[str, ...] = ()
    deprecated: str = ""
    redraw: str = ""  # 'module:function' drawing a fresh training set from the case's world ("" = cannot)
    truth: str = ""  # 'module:function' giving the true mean and noise variance of any rows of that world
    vocabulary: Mapping[str, str] = field(default_factory=dict)  # the story's words (core._vocabulary)
    # Where the truth runs through hidden state: each hidden mechanism -> the observed columns that reveal it.
    reveals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if parse_id(self.id) is None:
            problems.append(f"id must look like 'name-vN' (lower-case name, version >= 1); got {self.id!r}")
        for text_field in ("title", "summary", "prompt", "deprecated"):
            if not isinstance(getattr(self, text_field), str):
                problems.append(f"{text_field} must be a string; got {getattr(self, text_field)!r}")
        if self.task not in TASK_TYPES:
            problems.append(f"task must be one of {list(TASK_TYPES)}; got {self.task!r}")
        if not _is_target(self.generator):
            problems.append(f"generator must be 'module:function'; got {self.generator!r}")
        # The fields as given: from_dict passes whatever a TOML file or a plugin holds.
        fraction: object = self.public_fraction
        diagnostics: object = self.diagnostics
        secondary: object = self.secondary_metrics
        parameters: object = self.parameters
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 < fraction < 1.0:
            problems.append(f"public_fraction must be a number strictly between 0 and 1; got {fraction!r}")
        for mapping_field in ("parameters", "scoring", "baselines"):
            if not isinstance(getattr(self, mapping_field), Mapping):
                problems.append(f"{mapping_field} must be a table; got {getattr(self, mapping_field)!r}")
        if isinstance(diagnostics, str) or not isinstance(diagnostics, (list, tuple)):
            problems.append(f"diagnostics must be a list of diagnostic names; got {diagnostics!r}")
        elif not all(isinstance(name, str) and name for name in diagnostics):
            problems.append(f"diagnostics must be non-empty strings; got {list(diagnostics)!r}")
        if isinstance(secondary, str) or not isinstance(secondary, (list, tuple)):
            problems.append(f"secondary_metrics must be a list of metric names; got {secondary!r}")
        elif self.task in TASK_TYPES:
            known = _METRICS[self.task]
            for metric in (self.metric, *secondary):
                if metric not in known:
                    suggestion = closest(str(metric), known)
                    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
                    problems.append(f"unknown {self.task} metric {metric!r}{hint}; known metrics are {list(known)}")
        if isinstance(self.baselines, Mapping):
            for name, target in self.baselines.items():
                if not _is_target(target):
                    problems.append(f"baseline {name!r} must be 'module:factory'; got {target!r}")
        if isinstance(parameters, Mapping):
            for name, parameter in parameters.items():
                if not isinstance(parameter, ParameterSpec) or parameter.name != name:
                    problems.append(f"parameter {name!r} must be a ParameterSpec named {name!r}; got {parameter!r}")
        problems += _redraw_problems(self.redraw, self.truth)
        problems += vocabulary_problems(self.vocabulary)
        problems += _reveals_problems(self.reveals)
        if problems:
            raise RegistrationError(f"invalid scenario spec {self.id!r}: " + "; ".join(problems) + ".")
        object.__setattr__(self, "secondary_metrics", tuple(self.secondary_metrics))
        object.__setattr__(self, "diagnostics", tuple(self.diagnostics))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "scoring", MappingProxyType(dict(self.scoring)))
        object.__setattr__(self, "baselines", MappingProxyType(dict(self.baselines)))
        object.__setattr__(self, "vocabulary", MappingProxyType(dict(self.vocabulary)))
        reveals = {mechanism: tuple(columns) for mechanism, columns in self.reveals.items()}
        object.__setattr__(self, "reveals", MappingProxyType(reveals))

    def __hash__(self) -> int:
        # Equal specs have equal ids; the mappings inside are read-only views.
        return hash(self.id)

    @property
    def name(self) -> str:
        """The id without its version suffix."""
        return cast(tuple[str, int], parse_id(self.id))[0]

    @property
    def version(self) -> int:
        """The version number N of ``name-vN``."""
        return cast(tuple[str, int], parse_id(self.id))[1]

    @property
    def defaults(self) -> dict[str, object]:
        """Default value of every generator parameter."""
        return {name: parameter.default for name, parameter in self.parameters.items()}

    def to_dict(self) -> dict[str, object]:
        """Plain-data form; ``ScenarioSpec.from_dict`` inverts it exactly."""
        data: dict[str, object] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "parameters":
                value = {name: parameter.to_dict() for name, parameter in value.items()}
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            data[item.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ScenarioSpec:
        """Build a spec from plain data (a parsed TOML file or ``to_dict()``).

        Raises
        ------
        RegistrationError
            If keys are unknown or required ones are missing.
        """
        given: object = data  # callers without a type checker pass anything
        if not isinstance(given, Mapping):
            message = (
                "a scenario spec must be a ScenarioSpec, a mapping or the path of a TOML file; "
                f"got {type(given).__name__}."
            )
            raise RegistrationError(message)
        scenario_id = data.get("id", "<no id>")
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            message = f"invalid scenario spec {scenario_id!r}: unknown keys {unknown}; valid keys are {sorted(known)}."
            raise RegistrationError(message)
        values = dict(data)
        raw_parameters = values.pop("parameters", {})
        if not isinstance(raw_parameters, Mapping):
            raise RegistrationError(f"invalid scenario spec {scenario_id!r}: [parameters] must be a table.")
        parameters = {}
        parameter_keys = sorted(item.name for item in fields(ParameterSpec) if item.name != "name")
        for name, raw in raw_parameters.items():
            if not isinstance(raw, Mapping):
                message = f"invalid scenario spec {scenario_id!r}: [parameters.{name}] must be a table; got {raw!r}."
                raise RegistrationError(message)
            unknown = sorted(set(raw) - set(parameter_keys))
            if unknown:
                message = (
                    f"invalid scenario spec {scenario_id!r}: parameter {name!r} has unknown keys {unknown}; "
                    f"valid keys are {parameter_keys}."
                )
                raise RegistrationError(message)
            try:
                parameter = dict(raw)
                parameter["choices"] = tuple(parameter.get("choices", ()))
                parameters[name] = ParameterSpec(name=name, **parameter)
            except TypeError as err:
                message = f"invalid scenario spec {scenario_id!r}: parameter {name!r}: {err}."
                raise RegistrationError(message) from err
            except RegistrationError as err:  # ParameterSpec's own checks; add the scenario id
                raise RegistrationError(f"invalid scenario spec {scenario_id!r}: {err}") from err
        try:
            # The spec checks its own values (__post_init__); unknown or missing keys raise TypeError.
            return cast(Callable[..., ScenarioSpec], cls)(parameters=parameters, **values)
        except TypeError as err:
            message = f"invalid scenario spec {scenario_id!r}: {err}."
            raise RegistrationError(message) from err

    @classmethod
    def from_file(cls, path: str | Path) -> ScenarioSpec:
        """Read a spec from a TOML file of the ``scenarios/`` catalog.

        Raises
        ------
        RegistrationError
            If the file cannot be parsed or its id does not match its name.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise RegistrationError(f"cannot read scenario file {str(path)!r}: {err}.") from err
        spec = cls.from_dict(data)
        if path.stem != spec.id:
            message = f"scenario file {str(path)!r} declares id {spec.id!r}; rename the file to '{spec.id}.toml'."
            raise RegistrationError(message)
        return spec
