"""Take-home tasks for interviewers: per-candidate bundles, an answer key, grading.

Two front doors: :func:`create_takehome` writes one candidate bundle per
candidate and one private interviewer key; :func:`grade_takehome` checks a
submission against the key and writes grading reports. Both are also the
``casestudies takehome create|grade`` commands.

How a variant is hidden
-----------------------
Every candidate gets their own variant: the scenario generated from a fresh
secret seed (63 bits drawn from a 128-bit entropy pool; never written to the
bundle). Because every variant of a scenario may use the same id values,
the bundle's ids are replaced by random ids drawn from the candidate's own
secret key, and the test rows are shuffled with it: ids and row order carry
no information about the labels, and a submission made for another
candidate's variant shares no ids with this one, so it is recognised and
rejected by name.

Recommender tasks (rating, top-N) identify users and movies rather than
rows: every ``user_id`` and ``movie_id`` gets a keyed random id of its own,
the same in train, test and the side tables (``users``, ``movies``, written
as ``data/<table>.parquet|csv`` and sorted by the new ids), ``rating_id``
values are redrawn, and the test rows are shuffled. The grader maps a
submission back to the generator's ids through the key before scoring. For
these tasks "ids and row order carry no label information" is checked with
the Spearman correlation of the labels (held-out stars; relevant movies per
user) with ids and row position (per user and per movie for entity ids),
since ROC-AUC needs binary labels.

The bundle's ``manifest.json`` holds a hash that *commits* to the key: a
SHA-256 over the candidate's key record (scenario, parameters, secret seed,
id key, a random salt, the fingerprints of the data and of the answer key).
The salt makes it hiding (nothing can be learned from it), the hash makes it
binding (the key cannot be changed afterwards without the grader noticing).

Equal difficulty
----------------
The variants of one batch come from the same generator and parameters, so
they are equally hard in expectation; a finite holdout still makes one draw
luckier than another. ``create_takehome`` scores each variant's oracle and
reference pipeline on its whole holdout and redraws, one at a time, the
variant furthest from the batch's median until the spread (max - min) of
both is at most ``tolerance``, then records the spread in the key.

The key as data
---------------
A scenario's rubric and take-home settings live next to its preset, in
``scenarios/takehome/<id>.toml`` (see :class:`Rubric`); a scenario without
one gets a generic rubric built from its spec. Scenarios that plant causes
(``case.reveal("world")["faults"]``, the overfit family) get their
diagnosis graded by ``Case.grade_diagnosis``; a rubric may name another
*diagnosis grader*, ``"module:function"`` called as ``grader(path, case)``
(see :class:`casestudies.takehome._grade.DiagnosisGrader`);
``grade_takehome`` reports "not supported" for scenarios with neither.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import cast

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, make
from casestudies.core import (
    SEED_LIKE,
    Boolean,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    ScenarioSpec,
    catalog_dir,
    check_all,
    fingerprint,
    resolve_params,
)
from casestudies.core import spec as _spec
from casestudies.exceptions import InvalidParameterError, TakehomeError, TakehomeIntegrityError
from casestudies.report import Entry
from casestudies.scoring import FAULT_KINDS
from casestudies.takehome._content import (
    DIAGNOSIS_FILE,
    FAULTS,
    FAULTS_FILE,
    FAULTS_TEMPLATE_FILE,
    NOTEBOOK_FILE,
    SUBMISSION_FILE,
    TEMPLATE_FILE,
    instructions_document,
    readme_document,
    rubric_document,
    starter_notebook,
    submission_template,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "DEFAULT_TOLERANCE",
    "Difficulty",
    "Rubric",
    "RubricItem",
    "Takehome",
    "TakehomeError",
    "TakehomeIntegrityError",
    "create_takehome",
    "takehome_rubric",
]

KEY_FORMAT = "casestudies-takehome-key/1"
BUNDLE_FORMAT = "casestudies-takehome-bundle/1"
_COMMITMENT_DOMAIN = b"casestudies-takehome-commitment/1\n"
DEFAULT_TOLERANCE: Mapping[str, float] = MappingProxyType({"oracle": 0.05, "reference": 0.10})
"""Default largest spread (max - min) across variants of the oracle's and of the reference pipeline's primary metric."""
MEASURES = ("oracle", "reference")
DEFAULT_HOURS = 4.0
GENERIC_SOURCE = "generic rubric built from the scenario spec"
_CANDIDATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ID_LOW, _ID_HIGH = 10**14, 10**15  # bundle ids: 15-digit integers, exact in float64 and JSON


# ---------------------------------------------------------------------------
# Rubrics: data next to the scenario presets, or a generic one from the spec
# ---------------------------------------------------------------------------


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


_RUBRIC_KEYS = {"scenario", "hours", "tolerance", "reference", "diagnosis", "diagnosis_prompt", "write_up", "rubric"}
_ITEM_KEYS = {"topic", "points", "strong", "weak"}
_GENERIC_WRITE_UP = (
    "How did you validate, and how much do you trust that estimate?",
    "Which metric did you optimise, and why does it fit the business problem?",
    "What would you do next with more time or data?",
)


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

    A ``diagnosis`` grader is called as ``grader(path, case)`` with the
    candidate's diagnosis file and their variant's Case, and returns
    ``{"points", "max_points", "items", "summary"}``.
        write_up = ["question", ...]   # what the write-up should answer (README)

        [[rubric]]
        topic = "Accuracy misleads"
        points = 2
        strong = "what a strong answer covers"
        weak = "a typical weak answer"

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
        problems = []
        unknown = sorted(set(data) - _RUBRIC_KEYS - {"source"})
        if unknown:
            problems.append(f"unknown keys {unknown}; valid keys are {sorted(_RUBRIC_KEYS)}")
        scenario_id = data.get("scenario")
        if not isinstance(scenario_id, str) or not scenario_id:
            problems.append(f"'scenario' must be the scenario id, like 'fraud-v1'; got {scenario_id!r}")
        raw_items = data.get("rubric", [])
        items = []
        if not isinstance(raw_items, list) or not raw_items:
            problems.append("needs at least one [[rubric]] table with topic, points and strong")
            raw_items = []
        for number, raw in enumerate(raw_items, 1):
            if not isinstance(raw, Mapping):
                problems.append(f"[[rubric]] number {number} must be a table; got {raw!r}")
                continue
            missing = sorted({"topic", "points", "strong"} - set(raw))
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
        hours = data.get("hours", DEFAULT_HOURS)
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 100:
            problems.append(f"'hours' must be a number between 0 and 100; got {hours!r}")
        tolerance = None
        try:
            tolerance = _tolerances(data.get("tolerance"), None)
        except ValueError as err:
            problems.append(f"'tolerance' {err}")
        for text_key in ("reference", "diagnosis", "diagnosis_prompt"):
            value = data.get(text_key)
            if value is not None and not isinstance(value, str):
                problems.append(f"{text_key!r} must be a string; got {value!r}")
        diagnosis = data.get("diagnosis") or ""
        if diagnosis and not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", str(diagnosis)):
            problems.append(f"'diagnosis' must be 'module:function'; got {diagnosis!r}")
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
            diagnosis=str(diagnosis),
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
            raise TakehomeError(
                f"cannot read take-home rubric {str(path)!r}: {err}. Write it in the format of casestudies.Rubric."
            ) from err
        return cls.from_dict(data, source=f"rubric file {path.name}")

    @classmethod
    def generic(cls, spec: ScenarioSpec, *, faults: bool = False) -> Rubric:
        """A rubric built from the spec alone: works for any scenario.

        ``faults=True`` adds a diagnosis topic, for scenarios that plant causes.
        """
        metric = spec.metric.replace("_", " ")
        items = [
            RubricItem(
                topic="Framing",
                points=2,
                strong="Restates the business problem of the prompt as a prediction task: one score per row, what the label means, who acts on the scores and what a mistake costs.",
                weak="Jumps to a model without saying what decision the scores support.",
            ),
            RubricItem(
                topic="Metric",
                points=2,
                strong=(
                    f"Optimises and reports {metric}, explains why it fits; when positives are rare, shows why accuracy misleads (predicting all negatives is highly accurate and useless)."
                    if spec.task == "binary"
                    else f"Optimises and reports {metric}, explains why it fits and what it misses: held-out ratings exist only for what users chose to watch (missing not at random)."
                ),
                weak="Reports accuracy, or a metric without saying why it matters here.",
            ),
            RubricItem(
                topic="Validation",
                points=2,
                strong="Holds out data the way the test set is held out (later in time when rows have timestamps), tunes on validation data only, and reports how uncertain the estimate is.",
                weak="A random split on time-ordered data, or tuning on the same data that is reported.",
            ),
            RubricItem(
                topic="Baselines",
                points=1,
                strong=(
                    "Compares with a know-nothing baseline (the positive rate) and a simple model before anything complex."
                    if spec.task == "binary"
                    else "Compares with simple baselines (the global mean and user + movie biases for ratings; most-popular for recommendations) before anything complex."
                ),
                weak="Only one model, with nothing to compare it to.",
            ),
        ]
        if "alert_budget" in spec.scoring:
            budget = float(cast(float, spec.scoring["alert_budget"]))
            items.append(
                RubricItem(
                    topic="Operating point",
                    points=2,
                    strong=f"Chooses what to act on under the alert budget (the top {budget:.1%} of rows), and reports precision and recall there.",
                    weak="A default 0.5 threshold, or no threshold at all.",
                )
            )
        if faults:
            items.append(
                RubricItem(
                    topic="Diagnosis",
                    points=3,
                    strong="Names the causes of the gap between training and test performance that are present, each with evidence (a check that would come out differently without it), names the columns involved, and rules the others out.",
                    weak="Lists every textbook cause without evidence, or stops at 'the model overfits'.",
                )
            )
        items += [
            RubricItem(
                topic="Leakage",
                points=1,
                strong="Checks that no feature uses information unavailable at prediction time.",
                weak="Features computed over the whole dataset, future rows included.",
            ),
            RubricItem(
                topic="Communication",
                points=1,
                strong="A short, honest write-up: what worked, what did not, what to do next.",
                weak="A notebook dump without conclusions.",
            ),
        ]
        return cls(scenario_id=spec.id, items=tuple(items), source=GENERIC_SOURCE)


def _tolerances(given: object, fallback: Mapping[str, float] | None) -> dict[str, float]:
    """``{"oracle": ..., "reference": ...}`` from a number, a mapping, or None (the fallback, else the default).

    Raises
    ------
    ValueError
        Saying what was expected, if ``given`` is neither.
    """
    if given is None:
        return dict(fallback if fallback is not None else DEFAULT_TOLERANCE)
    expected = "must be a number in (0, 1] or a table {oracle = ..., reference = ...} of such numbers"
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
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
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
        raise TakehomeError(
            f"{found.source} is written for {found.scenario_id!r}, not {scenario.id!r}; set scenario = {scenario.id!r} in it or pick the rubric of {scenario.id!r}."
        )
    if found.reference is not None and found.reference not in scenario.baselines:
        raise TakehomeError(
            f"{found.source}: reference {found.reference!r} is not a baseline of {scenario.id!r}; choose one of {sorted(scenario.baselines)}."
        )
    return found


# ---------------------------------------------------------------------------
# Variants: a secret per candidate, the disguised frames, the references
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Secret:
    variant_seed: int  # the seed of make()
    id_key: str  # 256-bit hex: ids and row order of the bundle
    salt: str  # 128-bit hex: makes the commitment hiding

    @classmethod
    def draw(cls, rng: np.random.Generator) -> _Secret:
        return cls(int(rng.integers(0, 2**63 - 1, dtype=np.int64)), rng.bytes(32).hex(), rng.bytes(16).hex())


def _random_ids(n_rows: int, *, integer: bool, rng: np.random.Generator) -> np.ndarray:
    """``n_rows`` distinct random ids: 15-digit ints, or 16-character hex strings."""
    values = rng.integers(_ID_LOW, _ID_HIGH, size=n_rows, dtype=np.int64)
    while True:
        repeated = pd.Series(values).duplicated().to_numpy()
        if not repeated.any():
            break
        values[repeated] = rng.integers(_ID_LOW, _ID_HIGH, size=int(repeated.sum()), dtype=np.int64)
    if integer:
        return values
    return np.array([f"{value:016x}" for value in values], dtype=object)


@dataclass(frozen=True, slots=True)
class _Disguise:
    train: pd.DataFrame  # bundle train: new ids, original row order
    test: pd.DataFrame  # bundle test: new ids, shuffled rows
    order: np.ndarray  # bundle test row i is case.test row order[i]
    test_ids: np.ndarray  # bundle id of each case.test row, in case order
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # side tables with the same remapped ids
    entity_ids: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )  # column -> (source ids, bundle ids)

    def frames(self) -> tuple[pd.DataFrame, ...]:
        """Everything the bundle holds as data, in a fixed order (for the data fingerprint)."""
        return (self.train, self.test, *self.tables.values())


# Entity id columns of recommender tasks: remapped consistently across train, test and side tables.
_ENTITY_TABLES = {"user_id": "users", "movie_id": "movies"}


def _disguise(case: Case, secret: _Secret) -> _Disguise:
    """Replace the ids by keyed random ones and shuffle the test rows (both from ``secret.id_key``)."""
    if case.spec.task != "binary":
        return _disguise_entities(case, secret)
    ids_ss, order_ss = np.random.SeedSequence(int(secret.id_key, 16)).spawn(2)
    column = case.id_column
    integer = pd.api.types.is_integer_dtype(case.train[column].dtype)
    n_train, n_test = len(case.train), len(case.test)
    ids = _random_ids(n_train + n_test, integer=integer, rng=np.random.default_rng(ids_ss))
    order = np.random.default_rng(order_ss).permutation(n_test)
    train = case.train.copy()
    train[column] = ids[:n_train]
    test = case.test.copy()
    test[column] = ids[n_train:]
    test = test.iloc[order].reset_index(drop=True)
    return _Disguise(train, test, order, ids[n_train:])


def _disguise_entities(case: Case, secret: _Secret) -> _Disguise:
    """Recommender tasks: every user and movie gets a keyed random id, the same in train, test and the side tables;
    row ids (``rating_id``) are redrawn and the test rows shuffled, all from ``secret.id_key``."""
    ids_ss, order_ss, *entity_ss = np.random.SeedSequence(int(secret.id_key, 16)).spawn(2 + len(_ENTITY_TABLES))
    host = host_view(case)
    tables = {name: table.copy() for name, table in host.tables.items()}
    train, test = host.train, host.test
    entity_ids: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for (column, table_name), ss in zip(_ENTITY_TABLES.items(), entity_ss, strict=True):
        if table_name not in tables or column not in tables[table_name].columns:
            continue
        source = tables[table_name][column].to_numpy()
        bundle = _random_ids(len(source), integer=True, rng=np.random.default_rng(ss))
        entity_ids[column] = (source, bundle)
        lookup = pd.Index(source)
        for frame in (train, test, *tables.values()):
            if column in frame.columns:
                position = lookup.get_indexer(frame[column].to_numpy())
                if (position < 0).any():
                    raise TakehomeError(
                        f"{case.spec.id}: {column} values of the data are missing from the {table_name!r} table; cannot remap them."
                    )
                frame[column] = bundle[position]
    row_columns = [
        column
        for column in dict.fromkeys((case.id_column, "rating_id"))
        if column not in entity_ids and (column in train.columns or column in test.columns)
    ]
    rng = np.random.default_rng(ids_ss)
    for column in row_columns:
        n_train = len(train) if column in train.columns else 0
        n_test = len(test) if column in test.columns else 0
        ids = _random_ids(n_train + n_test, integer=True, rng=rng)
        if n_train:
            train[column] = ids[:n_train]
        if n_test:
            test[column] = ids[n_train:]
    test_ids = test[case.id_column].to_numpy()
    order = np.random.default_rng(order_ss).permutation(len(test))
    test = test.iloc[order].reset_index(drop=True)
    for name, table in tables.items():  # ordered by the new ids: table row order reveals nothing either
        key = next(
            (column for column in entity_ids if column in table.columns and _ENTITY_TABLES[column] == name), None
        )
        if key is not None:
            tables[name] = table.sort_values(key, kind="stable").reset_index(drop=True)
    return _Disguise(train, test, order, test_ids, MappingProxyType(tables), MappingProxyType(entity_ids))


def _score_seeded(case: Case, values: np.ndarray) -> dict[str, dict[str, float]]:
    """Every metric on the whole holdout with a bootstrap interval (the case's common random numbers)."""
    host = host_view(case)
    everything = np.ones(len(host.holdout.labels), dtype=bool)
    scored = host.score_values(values, name="whole holdout", parts={"all": everything})
    return {metric: dict(values) for metric, values in scored.entry.scores["all"].items()}


def _reference_runs(case: Case, *, baselines: bool) -> list[tuple[Entry, np.ndarray]]:
    """The references of a case with their predictions: every baseline (when asked) and the oracle."""
    host = host_view(case)
    scored = host.references() if baselines else [host.oracle()]
    return [(item.entry, np.asarray(item.values)) for item in scored]


@dataclass(frozen=True, slots=True)
class _Variant:
    candidate: str
    secret: _Secret
    case: Case
    disguise: _Disguise
    references: tuple[dict[str, object], ...]  # {"entry": Entry.to_dict(), "all": scores with CI}
    oracle: float
    reference: float | None

    def difficulty(self) -> dict[str, float]:
        found = {"oracle": self.oracle}
        if self.reference is not None:
            found["reference"] = self.reference
        return found


def _draw_variant(
    candidate: str,
    scenario: ScenarioSpec,
    params: Mapping[str, object],
    secret: _Secret,
    *,
    baselines: bool,
    reference: str | None,
) -> _Variant:
    case = make(scenario.id, seed=secret.variant_seed, **params)
    disguise = _disguise(case, secret)
    runs = _reference_runs(case, baselines=baselines)
    references = tuple({"entry": entry.to_dict(), "all": _score_seeded(case, values)} for entry, values in runs)
    by_name = {entry.name: entry for entry, _ in runs}
    oracle = by_name["oracle"].estimate(scenario.metric)
    reference_score = (
        by_name[reference].estimate(scenario.metric) if reference is not None and reference in by_name else None
    )
    return _Variant(candidate, secret, case, disguise, references, oracle, reference_score)


def _answer_key(variant: _Variant) -> pd.DataFrame:
    """The hidden labels and truth in the bundle's ids and row order; ``source_id`` is the generator's id.

    Recommender tasks also get the bundle's ``user_id``/``movie_id`` of each row (rating), and
    ``relevant_movies`` in bundle movie ids (top-N).
    """
    case = variant.case
    disguise = variant.disguise
    revealed = case.reveal().iloc[disguise.order].reset_index(drop=True)
    revealed.insert(len(revealed.columns), "source_id", revealed[case.id_column].to_numpy())
    revealed[case.id_column] = disguise.test.loc[:, case.id_column].to_numpy()
    for column in disguise.entity_ids:
        if column != case.id_column and column in disguise.test.columns:
            revealed[column] = disguise.test[column].to_numpy()
    if "relevant_movies" in revealed.columns and "movie_id" in disguise.entity_ids:
        source, bundle = disguise.entity_ids["movie_id"]
        to_bundle = dict(zip(source.tolist(), bundle.tolist(), strict=True))
        revealed["relevant_movies"] = pd.array(
            [
                "|".join(str(to_bundle[int(movie)]) for movie in str(text).split("|"))
                if isinstance(text, str) and text
                else text
                for text in revealed["relevant_movies"].tolist()
            ],
            dtype="string",
        )
    return revealed


# ---------------------------------------------------------------------------
# Difficulty
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difficulty:
    """How hard each candidate's variant is, measured on its whole holdout.

    Attributes
    ----------
    metric : str
        The scenario's primary metric.
    reference : str or None
        The baseline used as the reference pipeline (None: oracle only).
    tolerance : Mapping
        ``"oracle"`` / ``"reference"`` -> largest allowed spread (max - min)
        of that measure across variants.
    scores : Mapping
        ``candidate -> {"oracle": value, "reference": value}``.
    spread : Mapping
        ``"oracle"`` / ``"reference"`` -> max - min across the variants.
    redraws : int
        Variants drawn again because they fell outside the tolerance.
    rejected : tuple of Mapping
        The measures of the variants that were redrawn.
    """

    metric: str
    reference: str | None
    tolerance: Mapping[str, float]
    scores: Mapping[str, Mapping[str, float]]
    spread: Mapping[str, float]
    redraws: int = 0
    rejected: tuple[Mapping[str, float], ...] = ()

    def table(self) -> pd.DataFrame:
        """One row per candidate: the oracle's and the reference's primary metric."""
        frame = pd.DataFrame.from_dict({name: dict(values) for name, values in self.scores.items()}, orient="index")
        frame.index.name = "candidate"
        return frame

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "metric": self.metric,
            "reference": self.reference,
            "tolerance": dict(self.tolerance),
            "scores": {name: dict(values) for name, values in self.scores.items()},
            "spread": dict(self.spread),
            "redraws": self.redraws,
            "rejected": [dict(values) for values in self.rejected],
        }

    def __str__(self) -> str:
        parts = []
        for measure, spread in self.spread.items():
            values = [values[measure] for values in self.scores.values()]
            label = "oracle" if measure == "oracle" else f"{self.reference} reference"
            parts.append(
                f"{label} {min(values):.3f}-{max(values):.3f} (spread {spread:.3f}, tolerance {self.tolerance[measure]:g})"
            )
        redrawn = f"; {self.redraws} variant{'s' if self.redraws != 1 else ''} redrawn" if self.redraws else ""
        return f"difficulty ({self.metric.replace('_', ' ')}, whole holdout): " + ", ".join(parts) + redrawn


def _spreads(variants: Mapping[str, _Variant]) -> dict[str, float]:
    measures = [variant.difficulty() for variant in variants.values()]
    spreads = {}
    for measure in measures[0]:
        values = np.array([values[measure] for values in measures], dtype=np.float64)
        spreads[measure] = float(values.max() - values.min()) if np.isfinite(values).all() else float("inf")
    return spreads


def _furthest(
    variants: Mapping[str, _Variant], history: Sequence[Mapping[str, float]], tolerance: Mapping[str, float]
) -> str:
    """The candidate whose variant is furthest from the median of every draw so far, in tolerances (ties: the later one)."""
    centre = {measure: float(np.nanmedian([values[measure] for values in history])) for measure in history[0]}

    def distance(name: str) -> float:
        found = variants[name].difficulty()
        gaps = [abs(found[measure] - centre[measure]) / tolerance[measure] for measure in centre]
        return max(gap if math.isfinite(gap) else math.inf for gap in gaps)

    names = list(variants)
    return max(names, key=lambda name: (distance(name), names.index(name)))


# ---------------------------------------------------------------------------
# Commitments and checksums
# ---------------------------------------------------------------------------


def _canonical(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str).encode()


def _commitment(record: Mapping[str, object]) -> str:
    """SHA-256 of the key record without its own ``commitment`` field."""
    body = {key: value for key, value in record.items() if key != "commitment"}
    return hashlib.sha256(_COMMITMENT_DOMAIN + _canonical(body)).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def _read_json(path: Path, what: str) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TakehomeIntegrityError(
            f"{what} is missing: no file {str(path)!r}. Restore the folder written by `casestudies takehome create`."
        ) from None
    except (OSError, ValueError) as err:
        raise TakehomeIntegrityError(
            f"{what} {str(path)!r} cannot be read ({err}); it was changed after creation."
        ) from err
    if not isinstance(data, dict):
        raise TakehomeIntegrityError(f"{what} {str(path)!r} is not a JSON object; it was changed after creation.")
    return data


# ---------------------------------------------------------------------------
# create_takehome
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Takehome:
    """What :func:`create_takehome` wrote.

    Attributes
    ----------
    scenario_id : str
    out : Path
        The take-home folder.
    key : Path
        The interviewer key folder (``out / "key"``): keep it private.
    bundles : Mapping[str, Path]
        Candidate -> bundle folder (``out / "bundles" / candidate``).
    zips : Mapping[str, Path]
        Candidate -> zip of the bundle (empty unless asked for).
    difficulty : Difficulty
        Each variant's oracle and reference scores, their spread and the tolerance.
    """

    scenario_id: str
    out: Path
    key: Path
    bundles: Mapping[str, Path]
    zips: Mapping[str, Path]
    difficulty: Difficulty

    def to_dict(self) -> dict[str, object]:
        """Plain data (paths as strings)."""
        return {
            "scenario_id": self.scenario_id,
            "out": str(self.out),
            "key": str(self.key),
            "bundles": {name: str(path) for name, path in self.bundles.items()},
            "zips": {name: str(path) for name, path in self.zips.items()},
            "difficulty": self.difficulty.to_dict(),
        }

    def __str__(self) -> str:
        count = len(self.bundles)
        lines = [
            f"{self.scenario_id} take-home for {count} candidate{'s' if count != 1 else ''} in {self.out}",
            f"  {self.difficulty}",
        ]
        for name, path in self.bundles.items():
            extra = f" and {self.zips[name]}" if name in self.zips else ""
            lines.append(f"  send {name}: {path}{extra}")
        lines.append(f"  keep private: {self.key} (answer keys, secret seeds, rubric)")
        first = next(iter(self.bundles), "CANDIDATE")
        lines.append(f"Grade with: casestudies takehome grade {self.key} {first} {SUBMISSION_FILE}")
        return "\n".join(lines)


_CREATE_RULES: dict[str, Rule] = {
    "seed": SEED_LIKE,
    "max_redraws": IntRange(0, 100),
    "hours": Optional(FloatRange(0.25, 100.0)),
    "zip_bundles": Boolean(),
    "baselines": Boolean(),
    "overwrite": Boolean(),
}


def _candidate_names(candidates: Sequence[str] | str, where: str) -> list[str]:
    if isinstance(candidates, str):
        names = [name.strip() for name in candidates.split(",") if name.strip()]
    elif isinstance(candidates, Iterable):
        names = list(candidates)
    else:
        raise TakehomeError(
            f"{where}: candidates must be a list of names or a comma-separated string like 'alice,bob'; got {candidates!r}."
        )
    if not names:
        raise TakehomeError(f"{where}: candidates is empty; pass at least one name, like candidates=['alice', 'bob'].")
    bad = [name for name in names if not isinstance(name, str) or not _CANDIDATE_NAME.fullmatch(name)]
    if bad:
        message = (
            f"{where}: candidate names become folder names, so they must start with a letter or digit and use only letters, "
            f"digits, '.', '_' and '-' (at most 64 characters); got {bad!r}. Use e.g. 'alice_smith'."
        )
        raise TakehomeError(message)
    folded: dict[str, str] = {}
    repeated = []
    for name in names:
        if name.lower() in folded:
            repeated.append(f"{folded[name.lower()]!r}/{name!r}")
        folded[name.lower()] = name
    if repeated:
        raise TakehomeError(
            f"{where}: candidate names must be unique (ignoring case); repeated: {', '.join(repeated)}."
        )
    return names


def _prepare_out(out: Path, *, overwrite: bool, where: str) -> None:
    taken = [out / part for part in ("key", "bundles") if (out / part).exists()]
    if taken and not overwrite:
        message = (
            f"{where}: {str(out)!r} already holds a take-home ({', '.join(path.name + '/' for path in taken)}); "
            "creating another would destroy its key. Choose another folder, or pass overwrite=True (--force) to replace it."
        )
        raise TakehomeError(message)
    for path in taken:
        shutil.rmtree(path)
    out.mkdir(parents=True, exist_ok=True)


def _pick_reference(scenario: ScenarioSpec, rubric: Rubric, baselines: bool) -> str | None:
    if not baselines:
        return None
    if rubric.reference is not None:
        return rubric.reference
    if "expert" in scenario.baselines:
        return "expert"
    others = [name for name in scenario.baselines if name != "prior"]
    return others[-1] if others else None


def create_takehome(
    scenario_id: str,
    /,
    *,
    candidates: Sequence[str] | str,
    out: str | os.PathLike[str],
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    zip_bundles: bool = False,
    tolerance: float | Mapping[str, float] | None = None,
    max_redraws: int = 8,
    baselines: bool = True,
    rubric: str | os.PathLike[str] | None = None,
    hours: float | None = None,
    overwrite: bool = False,
    progress: Callable[[str], object] | None = None,
) -> Takehome:
    """Write a take-home: one bundle per candidate and a private interviewer key.

    Each candidate gets their own variant of the scenario (a secret seed,
    keyed random ids, shuffled test rows); the variants are checked to be
    equally hard. Writes ``out/bundles/<candidate>/`` (README.md,
    ``data/train|test.parquet|csv``, ``submission_template.csv``,
    ``starter.ipynb``, ``manifest.json``), optionally
    ``out/bundles/<candidate>.zip``, and ``out/key/``.

    Parameters
    ----------
    scenario_id : str
        A registered scenario id, e.g. ``"fraud-v1"``.
    candidates : list of str or str
        Candidate names (folder-safe), or a comma-separated string.
    out : path
        Folder to write into; created if needed.
    seed : int or None, default=None
        Seed of the secrets. Leave it None for real take-homes (128 bits of
        fresh entropy); an int makes the whole take-home reproducible, and
        anyone who knows it can rebuild every key.
    params : Mapping, optional
        Generator parameters, as for :func:`casestudies.make`.
    zip_bundles : bool, default=False
        Also write ``bundles/<candidate>.zip``, ready to send.
    tolerance : float or Mapping, optional
        Largest spread (max - min) across variants of the oracle's and of the
        reference pipeline's primary metric on the whole holdout: one number
        for both, or ``{"oracle": ..., "reference": ...}``. Default: the
        rubric's, else :data:`DEFAULT_TOLERANCE` (0.05 and 0.10).
    max_redraws : int, default=8
        Variants that may be drawn again to meet the tolerance.
    baselines : bool, default=True
        Fit the scenario's baselines on each variant: the reference
        pipeline's score joins the difficulty check and grades are placed
        against them. False measures difficulty by the oracle alone (fast).
    rubric : path, optional
        A rubric TOML file replacing the scenario's (see :class:`Rubric`).
    hours : float, optional
        Time guidance in the README; default the rubric's.
    overwrite : bool, default=False
        Replace a take-home already in ``out``.
    progress : callable, optional
        Called with a line of text as each variant is drawn and scored (the
        command line prints them; fitting the reference takes a while).

    Returns
    -------
    Takehome
        Paths written and the measured :class:`Difficulty`.

    Raises
    ------
    TakehomeError
        If a candidate name is invalid, ``out`` already holds a take-home, or
        no batch of variants meets the tolerance within ``max_redraws``.
    InvalidParameterError
        If a parameter is out of range.

    See Also
    --------
    grade_takehome : Grade submissions against the key.

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> out = tempfile.mkdtemp()
    >>> takehome = cs.create_takehome("fraud-v1", candidates=["alice", "bob"], out=out, seed=1,
    ...                               params={"n_customers": 300, "n_days": 35}, baselines=False)
    >>> sorted(takehome.bundles), takehome.key.name
    (['alice', 'bob'], 'key')
    >>> sorted(path.name for path in takehome.bundles["alice"].iterdir())
    ['README.md', 'data', 'manifest.json', 'starter.ipynb', 'submission_template.csv']
    """
    scenario = _spec(scenario_id)
    where = f"create_takehome({scenario.id!r})"
    check_all(
        where,
        _CREATE_RULES,
        {
            "seed": seed,
            "max_redraws": max_redraws,
            "hours": hours,
            "zip_bundles": zip_bundles,
            "baselines": baselines,
            "overwrite": overwrite,
        },
    )
    names = _candidate_names(candidates, where)
    resolved = resolve_params(scenario, dict(params or {}), where=where)
    chosen = takehome_rubric(scenario.id, rubric=rubric)
    try:
        limit = _tolerances(tolerance, chosen.tolerance)
    except ValueError as err:
        raise InvalidParameterError(f"{where}: tolerance {err}") from None
    reference = _pick_reference(scenario, chosen, baselines)
    out_dir = Path(out)
    _prepare_out(out_dir, overwrite=overwrite, where=where)

    rng = np.random.default_rng(np.random.SeedSequence(seed) if seed is not None else np.random.SeedSequence())

    def draw(name: str) -> _Variant:
        variant = _draw_variant(name, scenario, resolved, _Secret.draw(rng), baselines=baselines, reference=reference)
        if progress is not None:
            measured = ", ".join(f"{measure} {value:.3f}" for measure, value in variant.difficulty().items())
            progress(
                f"drew {name}'s variant: {len(variant.case.train):,} training and {len(variant.case.test):,} test rows; {scenario.metric} {measured}"
            )
        return variant

    variants = {name: draw(name) for name in names}
    history = [variant.difficulty() for variant in variants.values()]
    rejected: list[dict[str, float]] = []
    while any(spread > limit[measure] for measure, spread in _spreads(variants).items()):
        if len(rejected) >= max_redraws:
            spreads = ", ".join(
                f"{measure} {value:.3f} (tolerance {limit[measure]:g})" for measure, value in _spreads(variants).items()
            )
            message = (
                f"{where}: after {max_redraws} redraws the variants' {scenario.metric} still spreads by {spreads}. "
                "The holdout is probably too small for that tolerance: pass a larger tolerance (--tolerance), more "
                "test rows through params, or more redraws (max_redraws)."
            )
            raise TakehomeError(message)
        worst = _furthest(variants, history, limit)
        if progress is not None:
            spreads = ", ".join(f"{measure} {value:.3f}" for measure, value in _spreads(variants).items())
            progress(
                f"spread {spreads} is over the tolerance; redrawing {worst}'s variant (the furthest from the median)"
            )
        rejected.append(variants[worst].difficulty())
        variants[worst] = draw(worst)
        history.append(variants[worst].difficulty())

    difficulty = Difficulty(
        metric=scenario.metric,
        reference=reference,
        tolerance=MappingProxyType({measure: limit[measure] for measure in _spreads(variants)}),
        scores={name: variant.difficulty() for name, variant in variants.items()},
        spread=_spreads(variants),
        redraws=len(rejected),
        rejected=tuple(rejected),
    )
    hours_text = float(hours if hours is not None else chosen.hours)
    first = next(iter(variants.values()))
    faults = isinstance(first.case.reveal("world").get("faults"), Mapping)
    if faults and chosen.source == GENERIC_SOURCE:
        chosen = Rubric.generic(scenario, faults=True)
    grader = chosen.diagnosis or (FAULTS if faults else "")
    bundles, zips, records = {}, {}, {}
    key_dir = out_dir / "key"
    for name, variant in variants.items():
        bundle_dir = out_dir / "bundles" / name
        records[name] = _write_variant(
            variant,
            bundle_dir=bundle_dir,
            key_dir=key_dir / "candidates" / name,
            scenario=scenario,
            params=resolved,
            rubric=chosen,
            hours=hours_text,
            grader=grader,
        )
        bundles[name] = bundle_dir
        if zip_bundles:
            zips[name] = _zip_bundle(bundle_dir)
    _write_key(
        key_dir,
        scenario=scenario,
        params=resolved,
        rubric=chosen,
        variants=variants,
        records=records,
        difficulty=difficulty,
        zipped=zip_bundles,
        baselines=baselines,
        grader=grader,
    )
    return Takehome(scenario.id, out_dir, key_dir, MappingProxyType(bundles), MappingProxyType(zips), difficulty)


def _diagnosis_prompt(grader: str, rubric: Rubric) -> tuple[str, str]:
    """The README's line about the diagnosis file, and the file's name."""
    if grader == FAULTS:
        causes = ", ".join(f"`{kind}`" for kind in FAULT_KINDS)
        default = (
            "which causes of the gap between training and test performance you believe are present, and which columns they concern, "
            'as a JSON table such as `{"target_leakage": ["some_column"], "label_noise": false}` (true, false, or the list of columns). '
            f"Causes: {causes}. Start from `{FAULTS_TEMPLATE_FILE}`."
        )
        return rubric.diagnosis_prompt or default, FAULTS_FILE
    if grader:
        return (
            rubric.diagnosis_prompt or "your diagnosis of the problem, with the evidence for each point.",
            DIAGNOSIS_FILE,
        )
    return "", ""


def _write_variant(
    variant: _Variant,
    *,
    bundle_dir: Path,
    key_dir: Path,
    scenario: ScenarioSpec,
    params: Mapping[str, object],
    rubric: Rubric,
    hours: float,
    grader: str,
) -> dict[str, object]:
    """Write one bundle and the candidate's part of the key; return the record kept in key.json."""
    case = variant.case
    train, test = variant.disguise.train, variant.disguise.test
    data_dir = bundle_dir / "data"
    data_dir.mkdir(parents=True)
    for name, frame in (("train", train), ("test", test), *variant.disguise.tables.items()):
        frame.to_parquet(data_dir / f"{name}.parquet", index=False)
        frame.to_csv(data_dir / f"{name}.csv", index=False)
    k = int(cast(int, scenario.scoring.get("k", 10)))
    submission_template(
        scenario.task, train=train, test=test, target=case.target, id_column=case.id_column, k=k
    ).to_csv(bundle_dir / TEMPLATE_FILE, index=False)
    notebook = starter_notebook(
        title=scenario.title,
        target=case.target,
        id_column=case.id_column,
        task=scenario.task,
        tables=tuple(variant.disguise.tables),
        k=k,
    )
    (bundle_dir / NOTEBOOK_FILE).write_text(notebook, encoding="utf-8")
    if grader == FAULTS:
        template_causes = dict.fromkeys(FAULT_KINDS, False)
        (bundle_dir / FAULTS_TEMPLATE_FILE).write_text(json.dumps(template_causes, indent=2) + "\n", encoding="utf-8")
    diagnosis_prompt, diagnosis_file = _diagnosis_prompt(grader, rubric)
    readme = readme_document(
        scenario,
        candidate=variant.candidate,
        train=train,
        test=test,
        target=case.target,
        id_column=case.id_column,
        hours=hours,
        write_up=rubric.write_up,
        diagnosis_prompt=diagnosis_prompt,
        diagnosis_file=diagnosis_file,
        tables=variant.disguise.tables,
    )
    (bundle_dir / "README.md").write_text(readme.to_markdown(), encoding="utf-8")

    key_dir.mkdir(parents=True)
    answer = _answer_key(variant)
    answer.to_parquet(key_dir / "answer_key.parquet", index=False)
    _write_json(key_dir / "references.json", list(variant.references))
    _write_json(key_dir / "world.json", case.reveal("world"))
    data_fingerprint = fingerprint(*variant.disguise.frames())
    record: dict[str, object] = {
        "format": KEY_FORMAT,
        "candidate": variant.candidate,
        "scenario_id": scenario.id,
        "params": dict(params),
        "variant_seed": variant.secret.variant_seed,
        "id_key": variant.secret.id_key,
        "salt": variant.secret.salt,
        "id_column": case.id_column,
        "target": case.target,
        "data_fingerprint": data_fingerprint,
        "answer_fingerprint": fingerprint(answer),
        "references_sha256": _sha256(key_dir / "references.json"),
        "world_sha256": _sha256(key_dir / "world.json"),
    }
    record["commitment"] = _commitment(record)
    _write_json(key_dir / "secret.json", record)

    files = {
        path.relative_to(bundle_dir).as_posix(): _sha256(path)
        for path in sorted(bundle_dir.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": BUNDLE_FORMAT,
        "scenario_id": scenario.id,
        "title": scenario.title,
        "candidate": variant.candidate,
        "created": date.today().isoformat(),
        "casestudies_version": _version(),
        "rows": {"train": len(train), "test": len(test)},
        "id_column": case.id_column,
        "target": case.target,
        "data_fingerprint": data_fingerprint,
        "answer_key_commitment": record["commitment"],
        "commitment": "SHA-256 over the interviewer's key record of this bundle (salted); `casestudies takehome grade` verifies it.",
        "files": files,
    }
    _write_json(bundle_dir / "manifest.json", manifest)
    return {
        "commitment": record["commitment"],
        "manifest_sha256": _sha256(bundle_dir / "manifest.json"),
        "data_fingerprint": data_fingerprint,
        "difficulty": variant.difficulty(),
    }


def _version() -> str:
    from casestudies.core import VERSION as __version__

    return __version__


def _zip_bundle(bundle_dir: Path) -> Path:
    """``bundles/<candidate>.zip`` holding ``<candidate>/...``, byte-reproducible (fixed timestamps)."""
    target = bundle_dir.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bundle_dir.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(
                    f"{bundle_dir.name}/{path.relative_to(bundle_dir).as_posix()}", date_time=(2020, 1, 1, 0, 0, 0)
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    return target


def _variant_facts(
    variants: Mapping[str, _Variant], reference: str | None, metric: str
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the rubric's table of each variant's holdout: size, base rate, scores."""
    label = metric.replace("_", " ")
    shown = ["oracle", *[name for name in (reference, "prior") if name is not None]]
    tables = [
        {
            str(cast(Mapping[str, object], item["entry"])["name"]): cast(Mapping[str, Mapping[str, float]], item["all"])
            for item in variant.references
        }
        for variant in variants.values()
    ]
    shown = [name for name in dict.fromkeys(shown) if all(name in table for table in tables)]
    if any("n_positives" not in table["oracle"] for table in tables):  # not a binary task
        header = ["candidate", "test rows", *[f"{name} {label}" for name in shown]]
        rows = [
            [
                variant.candidate,
                f"{len(variant.case.test):,}",
                *[f"{table[name][metric]['estimate']:.3f}" for name in shown],
            ]
            for variant, table in zip(variants.values(), tables, strict=True)
        ]
        return header, rows
    header = [
        "candidate",
        "test rows",
        "positives",
        "positive rate",
        "accuracy of all-negative",
        *[f"{name} {label}" for name in shown],
    ]
    rows = []
    for variant, table in zip(variants.values(), tables, strict=True):
        oracle = table["oracle"]
        rows.append(
            [
                variant.candidate,
                f"{len(variant.case.test):,}",
                f"{int(oracle['n_positives']['estimate']):,}",
                f"{oracle['prevalence']['estimate']:.3%}",
                f"{oracle['accuracy_all_negative']['estimate']:.2%}",
                *[f"{table[name][metric]['estimate']:.3f}" for name in shown],
            ]
        )
    return header, rows


def _write_key(
    key_dir: Path,
    *,
    scenario: ScenarioSpec,
    params: Mapping[str, object],
    rubric: Rubric,
    variants: Mapping[str, _Variant],
    records: Mapping[str, Mapping[str, object]],
    difficulty: Difficulty,
    zipped: bool,
    baselines: bool,
    grader: str,
) -> None:
    header, facts = _variant_facts(variants, difficulty.reference, scenario.metric)
    worlds = {name: variant.case.reveal("world") for name, variant in variants.items()}
    rubric_doc = rubric_document(
        scenario,
        items=[item.to_dict() for item in rubric.items],
        source=rubric.source,
        diagnosis=grader,
        facts=facts,
        fact_header=header,
        worlds=worlds,
    )
    (key_dir / "rubric.md").write_text(rubric_doc.to_markdown(), encoding="utf-8")
    _write_json(key_dir / "rubric.json", rubric.to_dict())
    instructions = instructions_document(
        scenario_id=scenario.id,
        title=scenario.title,
        candidates=list(variants),
        tolerance=difficulty.tolerance,
        metric=scenario.metric,
        reference=difficulty.reference,
        zipped=zipped,
        diagnosis_file=_diagnosis_prompt(grader, rubric)[1],
    )
    (key_dir / "README.md").write_text(instructions.to_markdown(), encoding="utf-8")
    difficulty.table().to_csv(key_dir / "difficulty.csv")
    _write_json(
        key_dir / "key.json",
        {
            "format": KEY_FORMAT,
            "scenario_id": scenario.id,
            "title": scenario.title,
            "params": dict(params),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "casestudies_version": _version(),
            "baselines": baselines,
            "diagnosis": grader,
            "candidates": {name: dict(record) for name, record in records.items()},
            "difficulty": difficulty.to_dict(),
        },
    )
