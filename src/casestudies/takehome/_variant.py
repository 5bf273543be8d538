"""A candidate's variant: a secret per candidate, the disguised frames, the answer key, the commitment.

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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, make
from casestudies.core import Progress, ScenarioSpec
from casestudies.exceptions import TakehomeError
from casestudies.report import Entry

_COMMITMENT_DOMAIN: Final = b"casestudies-takehome-commitment/1\n"
_ID_LOW: Final = 10**14  # bundle ids: 15-digit integers, exact in float64 and JSON
_ID_HIGH: Final = 10**15
_SEED_BITS: Final = 63  # the variant seed: a non-negative int64
_ID_KEY_BYTES: Final = 32  # 256-bit key of the bundle's ids and row order
_SALT_BYTES: Final = 16  # 128-bit salt: makes the commitment hiding

ENTITY_TABLES: Final[Mapping[str, str]] = MappingProxyType({"user_id": "users", "movie_id": "movies"})
"""Entity id columns of recommender tasks -> the side table that lists them; remapped across every frame."""


@dataclass(frozen=True, slots=True)
class Secret:
    """What the key keeps of one variant and the bundle never shows."""

    variant_seed: int  # the seed of make()
    id_key: str  # 256-bit hex: ids and row order of the bundle
    salt: str  # 128-bit hex: makes the commitment hiding

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Secret:
        """A fresh secret from the take-home's generator."""
        seed = int(rng.integers(0, 2**_SEED_BITS - 1, dtype=np.int64))
        return cls(seed, rng.bytes(_ID_KEY_BYTES).hex(), rng.bytes(_SALT_BYTES).hex())

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Secret:
        """The secret stored in a candidate's key record (``secret.json``)."""
        return cls(int(cast(int, record["variant_seed"])), str(record["id_key"]), str(record["salt"]))


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
class Disguise:
    """The bundle's frames of a variant and how they map to the Case's rows."""

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


def disguise(case: Case, secret: Secret) -> Disguise:
    """Replace the ids by keyed random ones and shuffle the test rows (both from ``secret.id_key``)."""
    if case.spec.task != "binary":
        return _disguise_entities(case, secret)
    ids_ss, order_ss = np.random.SeedSequence(int(secret.id_key, 16)).spawn(2)
    column = case.id_column
    host = host_view(case)  # the case's own frames: a learner's edits to case.train never reach a bundle
    train, test = host.train, host.test
    integer = pd.api.types.is_integer_dtype(train[column].dtype)
    n_train, n_test = len(train), len(test)
    ids = _random_ids(n_train + n_test, integer=integer, rng=np.random.default_rng(ids_ss))
    order = np.random.default_rng(order_ss).permutation(n_test)
    train[column] = ids[:n_train]
    test[column] = ids[n_train:]
    test = test.iloc[order].reset_index(drop=True)
    return Disguise(train, test, order, ids[n_train:])


def _disguise_entities(case: Case, secret: Secret) -> Disguise:
    """Recommender tasks: every user and movie gets a keyed random id, the same in train, test and the side tables;
    row ids (``rating_id``) are redrawn and the test rows shuffled, all from ``secret.id_key``."""
    ids_ss, order_ss, *entity_ss = np.random.SeedSequence(int(secret.id_key, 16)).spawn(2 + len(ENTITY_TABLES))
    host = host_view(case)
    tables = {name: table.copy() for name, table in host.tables.items()}
    train, test = host.train, host.test
    entity_ids = _remap_entities(case, (train, test), tables, entity_ss)
    _redraw_row_ids(case, train, test, entity_ids, np.random.default_rng(ids_ss))
    test_ids = test[case.id_column].to_numpy()
    order = np.random.default_rng(order_ss).permutation(len(test))
    test = test.iloc[order].reset_index(drop=True)
    for name, table in tables.items():  # ordered by the new ids: table row order reveals nothing either
        key = next((column for column in entity_ids if column in table.columns and ENTITY_TABLES[column] == name), None)
        if key is not None:
            tables[name] = table.sort_values(key, kind="stable").reset_index(drop=True)
    return Disguise(train, test, order, test_ids, MappingProxyType(tables), MappingProxyType(entity_ids))


def _remap_entities(
    case: Case,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    tables: Mapping[str, pd.DataFrame],
    streams: list[np.random.SeedSequence],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Give each user and movie a keyed random id in every frame (in place); return ``column -> (source, bundle)``."""
    entity_ids: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for (column, table_name), ss in zip(ENTITY_TABLES.items(), streams, strict=True):
        if table_name not in tables or column not in tables[table_name].columns:
            continue
        source = tables[table_name][column].to_numpy()
        bundle = _random_ids(len(source), integer=True, rng=np.random.default_rng(ss))
        entity_ids[column] = (source, bundle)
        lookup = pd.Index(source)
        for frame in (*frames, *tables.values()):
            if column in frame.columns:
                position = lookup.get_indexer(frame[column].to_numpy())
                if (position < 0).any():
                    message = (
                        f"{case.spec.id}: {column} values of the data are missing from the {table_name!r} table; "
                        "cannot remap them."
                    )
                    raise TakehomeError(message)
                frame[column] = bundle[position]
    return entity_ids


def _redraw_row_ids(
    case: Case,
    train: pd.DataFrame,
    test: pd.DataFrame,
    entity_ids: Mapping[str, object],
    rng: np.random.Generator,
) -> None:
    """Replace the row ids (the id column, ``rating_id``) of train and test by random ones, in place."""
    row_columns = [
        column
        for column in dict.fromkeys((case.id_column, "rating_id"))
        if column not in entity_ids and (column in train.columns or column in test.columns)
    ]
    for column in row_columns:
        n_train = len(train) if column in train.columns else 0
        n_test = len(test) if column in test.columns else 0
        ids = _random_ids(n_train + n_test, integer=True, rng=rng)
        if n_train:
            train[column] = ids[:n_train]
        if n_test:
            test[column] = ids[n_train:]


def score_seeded(case: Case, values: np.ndarray) -> dict[str, dict[str, float]]:
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
class Variant:
    """One candidate's variant: its secret, Case, disguise and reference scores."""

    candidate: str
    secret: Secret
    case: Case
    disguise: Disguise
    references: tuple[dict[str, object], ...]  # {"entry": Entry.to_dict(), "all": scores with CI}
    oracle: float
    reference: float | None

    def difficulty(self) -> dict[str, float]:
        """``{"oracle": score, "reference": score}`` of the primary metric (no reference: oracle only)."""
        found = {"oracle": self.oracle}
        if self.reference is not None:
            found["reference"] = self.reference
        return found


def draw_variant(
    candidate: str,
    scenario: ScenarioSpec,
    params: Mapping[str, object],
    secret: Secret,
    *,
    baselines: bool,
    reference: str | None,
    progress: bool | None = None,
) -> Variant:
    """Generate a variant from its secret, disguise it and score its references on the whole holdout.

    ``progress`` shows a bar over the three steps (see :func:`casestudies.core.progress_enabled`).
    """
    with Progress(f"{candidate}'s variant", total=3, enabled=progress) as bar:
        with bar.step("generating"):
            case = make(scenario.id, seed=secret.variant_seed, progress=False, **params)
            hidden = disguise(case, secret)
        with bar.step("fitting the references" if baselines else "the oracle"):
            runs = _reference_runs(case, baselines=baselines)
        with bar.step("scoring them on the whole holdout"):
            references = tuple({"entry": entry.to_dict(), "all": score_seeded(case, values)} for entry, values in runs)
    by_name = {entry.name: entry for entry, _ in runs}
    oracle = by_name["oracle"].estimate(scenario.metric)
    reference_score = (
        by_name[reference].estimate(scenario.metric) if reference is not None and reference in by_name else None
    )
    return Variant(candidate, secret, case, hidden, references, oracle, reference_score)


def answer_key(case: Case, hidden: Disguise) -> pd.DataFrame:
    """The hidden labels and truth in the bundle's ids and row order; ``source_id`` is the generator's id.

    Recommender tasks also get the bundle's ``user_id``/``movie_id`` of each row (rating), and
    ``relevant_movies`` in bundle movie ids (top-N).
    """
    revealed: pd.DataFrame = case.reveal().iloc[hidden.order].reset_index(drop=True)
    revealed.insert(len(revealed.columns), "source_id", revealed[case.id_column].to_numpy())
    revealed[case.id_column] = hidden.test.loc[:, case.id_column].to_numpy()
    for column in hidden.entity_ids:
        if column != case.id_column and column in hidden.test.columns:
            revealed[column] = hidden.test[column].to_numpy()
    if "relevant_movies" in revealed.columns and "movie_id" in hidden.entity_ids:
        source, bundle = hidden.entity_ids["movie_id"]
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


def _canonical(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str).encode()


def commitment(record: Mapping[str, object]) -> str:
    """SHA-256 of the key record without its own ``commitment`` field."""
    body = {key: value for key, value in record.items() if key != "commitment"}
    return hashlib.sha256(_COMMITMENT_DOMAIN + _canonical(body)).hexdigest()
