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
from casestudies.core._blocks import FRAMES, KNOWN_LABELS, PLANNER_NAME, BlockPlan, BlockPlanner, block_planner_of
from casestudies.core._data import ScenarioData
from casestudies.core._export import FORMATS, FileFormat, PublicCase, read_frames, write_case
from casestudies.core._fingerprint import fingerprint, fingerprint_chunks
from casestudies.core._html import Markup, element, escape, join, load_template, render
from casestudies.core._metricinfo import (
    BINARY_N_BOOT,
    BOARD_ONLY_METRICS,
    DEFAULT_N_BOOT,
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
from casestudies.core._progress import PROGRESS_ENV, Progress, progress_enabled, track
from casestudies.core._redraw import (
    RedrawFunction,
    TruthFunction,
    check_draw,
    data_seed,
    redraw_of,
    redraw_seed,
    redrawable,
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
from casestudies.core._size import SizeEstimate, SizeEstimator, default_size, size_estimate
from casestudies.core._spec import TASK_TYPES, ParameterSpec, ScenarioSpec, parse_id
from casestudies.core._stream import (
    DEFAULT_PARTITION_ROWS,
    as_written,
    dataset_files,
    fingerprint_dataset,
    iter_columns,
    partition_bounds,
    write_partition,
    write_partitions,
)
from casestudies.core._vocabulary import NEUTRAL_VOCABULARY, VOCABULARY_WORDS, Vocabulary, vocabulary
from casestudies.core._words import counted, possessive

__all__ = [
    "BINARY_N_BOOT",
    "BOARD_ONLY_METRICS",
    "DEFAULT_N_BOOT",
    "DEFAULT_PARTITION_ROWS",
    "FORMATS",
    "FRAMES",
    "KNOWN_LABELS",
    "METRICS",
    "NEUTRAL_VOCABULARY",
    "PLANNER_NAME",
    "PROGRESS_ENV",
    "SEED_LIKE",
    "TASK_TYPES",
    "VERSION",
    "VOCABULARY_WORDS",
    "AnyString",
    "BlockPlan",
    "BlockPlanner",
    "Boolean",
    "Choice",
    "FileFormat",
    "FloatRange",
    "IntRange",
    "Markup",
    "MetricInfo",
    "Optional",
    "ParameterSpec",
    "Progress",
    "PublicCase",
    "RedrawFunction",
    "Rule",
    "ScenarioData",
    "ScenarioSpec",
    "SizeEstimate",
    "SizeEstimator",
    "TruthFunction",
    "Vocabulary",
    "as_written",
    "block_planner_of",
    "catalog_dir",
    "check",
    "check_all",
    "check_draw",
    "closest",
    "counted",
    "data_seed",
    "dataset_files",
    "default_size",
    "describe_value",
    "did_you_mean",
    "element",
    "escape",
    "fingerprint",
    "fingerprint_chunks",
    "fingerprint_dataset",
    "generator_of",
    "higher_is_better",
    "iter_columns",
    "join",
    "list_scenarios",
    "load_object",
    "load_template",
    "metric_info",
    "metric_label",
    "metric_names",
    "parse_id",
    "partition_bounds",
    "possessive",
    "progress_enabled",
    "read_frames",
    "redraw_of",
    "redraw_seed",
    "redrawable",
    "register",
    "registry",
    "render",
    "resolve_params",
    "size_estimate",
    "spec",
    "track",
    "unknown_parameter_message",
    "vocabulary",
    "write_case",
    "write_partition",
    "write_partitions",
]

present_as_public(ParameterSpec, ScenarioData, ScenarioSpec, list_scenarios, register, registry, spec)
