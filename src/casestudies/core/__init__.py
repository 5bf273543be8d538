"""Foundation: scenario specs, parameter rules, the registry, generated data, fingerprints, export.

Everything else in the package builds on this folder; it imports nothing above it.

Examples
--------
>>> from casestudies.core import IntRange, parse_id, spec
>>> parse_id("fraud-v1")
('fraud', 1)
>>> spec("fraud-v1").task, spec("fraud-v1").metric
('binary', 'average_precision')
>>> IntRange(100, 1_000_000).describe()
'an int between 100 and 1000000'
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies._version import VERSION
from casestudies.core._data import ScenarioData
from casestudies.core._export import FORMATS, FileFormat, PublicCase, read_frames, write_case
from casestudies.core._fingerprint import fingerprint
from casestudies.core._html import Markup, element, escape, join, load_template, render
from casestudies.core._metricinfo import (
    BOARD_ONLY_METRICS,
    METRICS,
    MetricInfo,
    higher_is_better,
    metric_info,
    metric_label,
    metric_names,
)
from casestudies.core._params import (
    SEED_LIKE,
    AnyString,
    Boolean,
    Choice,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    check,
    check_all,
    closest,
    describe_value,
    did_you_mean,
    unknown_parameter_message,
)
from casestudies.core._registry import (
    catalog_dir,
    generator_of,
    list_scenarios,
    load_object,
    register,
    registry,
    resolve_params,
    spec,
)
from casestudies.core._spec import TASK_TYPES, ParameterSpec, ScenarioSpec, parse_id

__all__ = [
    "BOARD_ONLY_METRICS",
    "FORMATS",
    "METRICS",
    "SEED_LIKE",
    "TASK_TYPES",
    "VERSION",
    "AnyString",
    "Boolean",
    "Choice",
    "FileFormat",
    "FloatRange",
    "IntRange",
    "Markup",
    "MetricInfo",
    "Optional",
    "ParameterSpec",
    "PublicCase",
    "Rule",
    "ScenarioData",
    "ScenarioSpec",
    "catalog_dir",
    "check",
    "check_all",
    "closest",
    "describe_value",
    "did_you_mean",
    "element",
    "escape",
    "fingerprint",
    "generator_of",
    "higher_is_better",
    "join",
    "list_scenarios",
    "load_object",
    "load_template",
    "metric_info",
    "metric_label",
    "metric_names",
    "parse_id",
    "read_frames",
    "register",
    "registry",
    "render",
    "resolve_params",
    "spec",
    "unknown_parameter_message",
    "write_case",
]

present_as_public(ParameterSpec, ScenarioData, ScenarioSpec, list_scenarios, register, registry, spec)
