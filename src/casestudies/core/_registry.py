"""The registry of scenario specs: built-ins from the catalog, plugins, files."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from importlib import metadata, resources
from pathlib import Path
from types import FrameType, MappingProxyType
from typing import TYPE_CHECKING, cast

from casestudies.core._data import ScenarioData
from casestudies.core._params import TIMESTAMP_DAYS, Rule, check, did_you_mean, unknown_parameter_message
from casestudies.core._spec import ParameterSpec, ScenarioSpec, parse_id
from casestudies.exceptions import (
    InvalidParameterError,
    RegistrationError,
    ScenarioDeprecationWarning,
    UnknownScenarioError,
)

if TYPE_CHECKING:
    import numpy as np

ENTRY_POINT_GROUP = "casestudies.scenarios"
Generator = Callable[[Mapping[str, object], "np.random.Generator"], ScenarioData]

_REGISTRY: dict[str, ScenarioSpec] = {}
_LOADED = False
_LOADING = False
_PACKAGE_PREFIX = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_stacklevel() -> int:
    """``stacklevel`` for ``warnings.warn`` that points at the first caller outside casestudies.

    A fixed stacklevel is wrong for one of ``spec()`` (called by the user) and
    ``make()`` (which calls ``spec``); a warning attributed to a frame that is
    not the user's is also hidden by Python's default DeprecationWarning filter.
    """
    frame: FrameType | None = sys._getframe(1)  # the function that warns (stacklevel=1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_PREFIX):
        frame = frame.f_back
        level += 1
    return level


def catalog_dir() -> Path:
    """Folder of the shipped scenario files: inside the wheel, or the source tree."""
    packaged = Path(str(resources.files("casestudies"))) / "_catalog"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "scenarios"


def _ensure_loaded() -> None:
    """Load the shipped catalog and the entry-point plugins, once.

    ``_LOADED`` is set only after everything loaded, so a failure is raised
    again on the next call instead of leaving a silently partial registry;
    ``_LOADING`` stops plugins that call ``register()`` while being imported
    from loading everything again.
    """
    global _LOADED, _LOADING
    if _LOADED or _LOADING:
        return
    _LOADING = True
    try:
        for path in sorted(catalog_dir().glob("*.toml")):
            _add(ScenarioSpec.from_file(path))
        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            for item in _entry_point_specs(entry_point):
                _add(item)
        _LOADED = True
    finally:
        _LOADING = False


def _entry_point_specs(entry_point: metadata.EntryPoint) -> list[ScenarioSpec]:
    where = f"entry point {entry_point.name!r} = {entry_point.value!r} in group {ENTRY_POINT_GROUP!r}"
    try:
        provided = entry_point.load()
        specs = provided() if callable(provided) else provided
    except Exception as err:
        message = f"{where} failed to load ({type(err).__name__}: {err}). Fix or uninstall the plugin that declares it."
        raise RegistrationError(message) from err
    items = (
        [specs]
        if isinstance(specs, (ScenarioSpec, Mapping))
        else list(specs)
        if isinstance(specs, (list, tuple))
        else None
    )
    if items is None:
        message = (
            f"{where} must give a ScenarioSpec, a list of them, or a function returning either; "
            f"got {type(specs).__name__}."
        )
        raise RegistrationError(message)
    return [item if isinstance(item, ScenarioSpec) else ScenarioSpec.from_dict(item) for item in items]


def _add(spec: ScenarioSpec) -> None:
    existing = _REGISTRY.get(spec.id)
    if existing is not None:
        if existing == spec:
            return
        message = (
            f"scenario {spec.id!r} is already registered with a different spec; a released id never changes. "
            f"Register the new spec as '{spec.name}-v{spec.version + 1}'."
        )
        raise RegistrationError(message)
    _REGISTRY[spec.id] = spec


def register(spec: ScenarioSpec | Mapping[str, object] | str | Path) -> ScenarioSpec:
    """Register a scenario from a spec, its plain-data form or a TOML file.

    Parameters
    ----------
    spec : ScenarioSpec, Mapping or path
        The scenario to add. A path is read with :meth:`ScenarioSpec.from_file`.

    Returns
    -------
    ScenarioSpec
        The registered spec.

    Raises
    ------
    RegistrationError
        If the spec is malformed or its id is taken by a different spec.

    Examples
    --------
    >>> import dataclasses, casestudies as cs
    >>> small = dataclasses.replace(cs.spec("fraud-v1"), id="tinyfraud-v1", summary="fraud-v1, smaller")
    >>> cs.register(small).id
    'tinyfraud-v1'
    """
    _ensure_loaded()
    if isinstance(spec, (str, Path)):
        spec = ScenarioSpec.from_file(spec)
    elif not isinstance(spec, ScenarioSpec):
        spec = ScenarioSpec.from_dict(spec)
    _add(spec)
    return spec


def registry() -> Mapping[str, ScenarioSpec]:
    """Return a read-only view of every registered spec, by id."""
    _ensure_loaded()
    return MappingProxyType(_REGISTRY)


def list_scenarios() -> dict[str, str]:
    """Return the registered scenario ids with their one-line summaries.

    Examples
    --------
    >>> import casestudies as cs
    >>> "fraud-v1" in cs.list_scenarios()
    True
    """
    _ensure_loaded()
    return {scenario_id: _REGISTRY[scenario_id].summary for scenario_id in sorted(_REGISTRY)}


def spec(scenario_id: str) -> ScenarioSpec:
    """Return the spec registered under ``scenario_id``.

    An unversioned name (``"fraud"``) resolves to its latest version with a
    :class:`~casestudies.exceptions.ScenarioDeprecationWarning`: pin the
    version so results stay reproducible.

    Raises
    ------
    UnknownScenarioError
        If no scenario has that id; the message suggests the closest one.

    Examples
    --------
    >>> import casestudies as cs
    >>> cs.spec("fraud-v1").title
    'Card-transaction fraud'
    """
    _ensure_loaded()
    _check_id_type(scenario_id)
    found = _REGISTRY.get(scenario_id)
    if found is not None:
        if found.deprecated:
            warnings.warn(
                f"{scenario_id!r} is deprecated; {found.deprecated}",
                ScenarioDeprecationWarning,
                stacklevel=_user_stacklevel(),
            )
        return found
    if parse_id(scenario_id) is None:
        versions = [item for item in _REGISTRY.values() if item.name == scenario_id]
        if versions:
            latest = max(versions, key=lambda item: item.version)
            message = (
                f"{scenario_id!r} has no version; using {latest.id!r}. Pass {latest.id!r} to keep results reproducible."
            )
            warnings.warn(message, ScenarioDeprecationWarning, stacklevel=_user_stacklevel())
            return latest
    message = f"no scenario {scenario_id!r}.{did_you_mean(scenario_id, _REGISTRY)} "
    message += "Run casestudies.list_scenarios() to see all."
    raise UnknownScenarioError(message)


def _check_id_type(scenario_id: object) -> None:
    """Refuse an id that is not a string (callers without a type checker pass anything)."""
    if not isinstance(scenario_id, str):
        message = f"scenario_id must be a string like 'fraud-v1'; got {scenario_id!r} ({type(scenario_id).__name__})."
        raise UnknownScenarioError(message)


def _rule_of(parameter: ParameterSpec) -> Rule:
    """The declared rule; a free ``str`` parameter named ``*_date`` is an ISO date pandas can hold.

    The naming convention is the declaration: a date is a string in the
    scenario files, and one word per concept makes ``*_date`` always mean one.
    """
    if parameter.type == "str" and not parameter.choices and parameter.name.endswith("_date"):
        return TIMESTAMP_DAYS
    return parameter.rule()


def resolve_params(scenario: ScenarioSpec, overrides: Mapping[str, object], *, where: str) -> dict[str, object]:
    """Merge overrides into the defaults, checking names, types and ranges."""
    rules = {name: _rule_of(parameter) for name, parameter in scenario.parameters.items()}
    for name in overrides:
        if name not in rules:
            raise InvalidParameterError(unknown_parameter_message(where, name, rules))
    params = scenario.defaults | dict(overrides)
    for name, rule in rules.items():
        check(where, name, params[name], rule)
        value = params[name]
        if hasattr(value, "item") and not isinstance(value, (bool, int, float, str)):
            params[name] = value.item()  # numpy scalars -> plain Python values (JSON-friendly cards)
    return params


def load_object(target: str) -> object:
    """Import ``'module:attribute'`` and return the attribute."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return cast(object, getattr(module, attribute))


def generator_of(scenario: ScenarioSpec) -> Generator:
    """Import the scenario's generator function."""
    try:
        return cast(Generator, load_object(scenario.generator))
    except (ImportError, AttributeError) as err:
        message = f"scenario {scenario.id!r}: cannot import generator {scenario.generator!r}: {err}."
        raise RegistrationError(message) from err
