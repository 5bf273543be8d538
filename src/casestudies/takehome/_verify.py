"""Reading the interviewer key and checking that nothing changed since creation.

Before a submission is graded, :func:`verify` checks the candidate's key
record against its commitment, the key's files against the record, the
bundle (when at hand) against its manifest, and the data and labels
regenerated from the secret seed against both. Any difference raises
:class:`~casestudies.exceptions.TakehomeIntegrityError`.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.case import Case, make
from casestudies.core import did_you_mean, fingerprint
from casestudies.exceptions import TakehomeError, TakehomeIntegrityError
from casestudies.report import Entry
from casestudies.takehome._layout import (
    ANSWER_KEY_FILE,
    BUNDLES_DIR,
    KEY_DIR,
    KEY_FILE,
    KEY_FORMAT,
    MANIFEST_FILE,
    REFERENCES_FILE,
    RUBRIC_FILE,
    SECRET_FILE,
    WORLD_FILE,
    candidate_key_dir,
    read_json,
    sha256,
)
from casestudies.takehome._rubric import Rubric
from casestudies.takehome._variant import Disguise, Secret, answer_key, commitment, disguise

_RESTORE: Final = "Restore the key from a backup, or create a new take-home."
_REGENERATIONS_KEPT: Final = 4  # variants kept generated: a batch of grades regenerates each variant once


@dataclass(frozen=True, slots=True)
class Key:
    """An interviewer key folder, read and checked for its format."""

    folder: Path
    data: Mapping[str, object]
    rubric: Rubric

    @property
    def scenario_id(self) -> str:
        """The scenario of the take-home."""
        return str(self.data["scenario_id"])

    @property
    def candidates(self) -> Mapping[str, Mapping[str, object]]:
        """Candidate -> their record in ``key.json`` (commitment, manifest checksum, difficulty)."""
        return cast(Mapping[str, Mapping[str, object]], self.data["candidates"])

    def candidate_dir(self, name: str) -> Path:
        """The key's folder of one candidate's variant."""
        return candidate_key_dir(self.folder, name)

    def require(self, name: str) -> None:
        """Raise :class:`TakehomeError` unless ``name`` is a candidate of this key."""
        if name not in self.candidates:
            message = (
                f"no candidate {name!r} in the take-home key {str(self.folder)!r}; "
                f"it has {sorted(self.candidates)}.{did_you_mean(name, self.candidates)}"
            )
            raise TakehomeError(message)


def load_key(key: str | os.PathLike[str]) -> Key:
    """Read a key folder (or the take-home folder holding it).

    Raises
    ------
    TakehomeError
        If the folder holds no key, or a key of another format.
    """
    folder = Path(key)
    if not (folder / KEY_FILE).is_file() and (folder / KEY_DIR / KEY_FILE).is_file():
        folder = folder / KEY_DIR  # the take-home folder itself
    if not (folder / KEY_FILE).is_file():
        message = (
            f"{str(folder)!r} is not a take-home key: expected a folder with {KEY_FILE}, "
            f"written by `casestudies takehome create` (its {KEY_DIR}/ folder)."
        )
        raise TakehomeError(message)
    data = read_json(folder / KEY_FILE, f"the key's {KEY_FILE}")
    if data.get("format") != KEY_FORMAT:
        message = (
            f"{str(folder)!r} holds a take-home key in format {data.get('format')!r}; "
            f"this casestudies reads {KEY_FORMAT!r}. "
            f"Grade it with the casestudies version that created it ({data.get('casestudies_version')})."
        )
        raise TakehomeError(message)
    stored = read_json(folder / RUBRIC_FILE, f"the key's {RUBRIC_FILE}")
    rubric = Rubric.from_dict(
        {key: value for key, value in stored.items() if key != "source"}, source=f"{RUBRIC_FILE} of the key"
    )
    return Key(folder, data, rubric)


def default_bundles(key: Key) -> Path:
    """Where the bundles of a key are unless told otherwise: ``bundles/`` next to ``key/``."""
    return key.folder.parent / BUNDLES_DIR


@dataclass(frozen=True, slots=True)
class Verified:
    """A candidate's variant, regenerated and checked against the key (and the bundle, when at hand)."""

    candidate: str
    case: Case
    record: Mapping[str, object]
    test_ids: np.ndarray  # bundle ids in case.test order
    references: tuple[Entry, ...]
    references_all: Mapping[str, Mapping[str, Mapping[str, float]]]
    checks: tuple[str, ...]
    bundle_checked: bool
    disguise: Disguise | None = None


@functools.lru_cache(maxsize=_REGENERATIONS_KEPT)
def _regenerate(scenario_id: str, seed: int, params: str) -> Case:
    """``make`` of a variant, cached: grading a batch or the same candidate again regenerates once.

    Safe because ``make`` is deterministic; every integrity comparison is still
    made on each call.
    """
    return make(scenario_id, seed=seed, **json.loads(params))


def regenerate(record: Mapping[str, object]) -> tuple[Case, Disguise]:
    """The Case of a key record's variant and its disguise, rebuilt from the secret seed and id key."""
    secret = Secret.from_record(record)
    case = _regenerate(str(record["scenario_id"]), secret.variant_seed, json.dumps(record["params"], sort_keys=True))
    return case, disguise(case, secret)


def _tampered(candidate: str, what: str, fix: str) -> TakehomeIntegrityError:
    return TakehomeIntegrityError(f"take-home of {candidate!r}: {what}; it was changed after creation. {fix}")


def verify(key: Key, candidate: str, bundle_dir: Path | None) -> Verified:
    """Check the candidate's key against its commitment, the bundle and a regeneration from the seed.

    Raises
    ------
    TakehomeError
        If ``candidate`` is not in the key.
    TakehomeIntegrityError
        If anything changed since creation.
    """
    key.require(candidate)
    folder = key.candidate_dir(candidate)
    record = read_json(folder / SECRET_FILE, f"the key of {candidate!r}")
    checks = [*_check_key_files(key, candidate, folder, record)]
    bundle_checked = False
    if bundle_dir is not None and (bundle_dir / MANIFEST_FILE).is_file():
        checks.append(_check_bundle(key, candidate, bundle_dir, record))
        bundle_checked = True
    case, hidden = regenerate(record)
    checks.append(_check_regeneration(key, candidate, case, hidden, record))
    stored_refs = json.loads((folder / REFERENCES_FILE).read_text(encoding="utf-8"))
    references = tuple(Entry(**item["entry"]) for item in stored_refs)
    references_all = {item["entry"]["name"]: item["all"] for item in stored_refs}
    return Verified(
        candidate, case, record, hidden.test_ids, references, references_all, tuple(checks), bundle_checked, hidden
    )


def _check_key_files(key: Key, candidate: str, folder: Path, record: Mapping[str, object]) -> list[str]:
    """The key record matches its commitment; references, world and answer key match the record."""
    stored = key.candidates[candidate]
    if record.get("commitment") != commitment(record) or record.get("commitment") != stored.get("commitment"):
        raise _tampered(candidate, f"the key record ({SECRET_FILE}) no longer matches its commitment", _RESTORE)
    for name, field_name in ((REFERENCES_FILE, "references_sha256"), (WORLD_FILE, "world_sha256")):
        if not (folder / name).is_file() or sha256(folder / name) != record.get(field_name):
            raise _tampered(candidate, f"{name} of the key differs from the one committed to", _RESTORE)
    try:
        answer = pd.read_parquet(folder / ANSWER_KEY_FILE)
    except Exception as err:
        raise _tampered(candidate, f"{ANSWER_KEY_FILE} cannot be read ({type(err).__name__})", _RESTORE) from err
    if fingerprint(answer) != record.get("answer_fingerprint"):
        raise _tampered(candidate, f"{ANSWER_KEY_FILE} differs from the answer key committed to", _RESTORE)
    return ["key record matches its commitment", "answer key matches the commitment"]


def _check_bundle(key: Key, candidate: str, bundle_dir: Path, record: Mapping[str, object]) -> str:
    """The bundle's manifest commits to this key and every file matches its checksum."""
    manifest_path = bundle_dir / MANIFEST_FILE
    manifest = read_json(manifest_path, f"the manifest of {candidate!r}'s bundle")
    resend = f"Grade against the bundle as sent ({BUNDLES_DIR}/{candidate}/ or its zip)."
    if manifest.get("answer_key_commitment") != record["commitment"]:
        raise _tampered(candidate, "the bundle's manifest commits to a different answer key than the key holds", resend)
    if sha256(manifest_path) != key.candidates[candidate].get("manifest_sha256"):
        raise _tampered(candidate, f"the bundle's {MANIFEST_FILE} differs from the one written at creation", resend)
    files = cast(Mapping[str, str], manifest.get("files", {}))
    changed = [
        name
        for name, digest in files.items()
        if not (bundle_dir / name).is_file() or sha256(bundle_dir / name) != digest
    ]
    if changed:
        raise _tampered(candidate, f"bundle files differ from their checksums in {MANIFEST_FILE}: {changed}", resend)
    return f"bundle manifest and {len(files)} file checksums match"


def _check_regeneration(key: Key, candidate: str, case: Case, hidden: Disguise, record: Mapping[str, object]) -> str:
    """The data and labels regenerated from the secret seed match the bundle's and the answer key's fingerprints."""
    if fingerprint(*hidden.frames()) != record.get("data_fingerprint"):
        created_by = key.data.get("casestudies_version")
        message = (
            f"take-home of {candidate!r}: the data regenerated from the secret seed differs from the bundle's. "
            f"Either the key was changed or this casestudies version generates {str(record['scenario_id'])!r} "
            f"differently from the one that created it ({created_by}); grade with that version."
        )
        raise TakehomeIntegrityError(message)
    if fingerprint(answer_key(case, hidden)) != record.get("answer_fingerprint"):
        raise _tampered(candidate, "the answer key differs from the labels regenerated from the secret seed", _RESTORE)
    return "data and labels regenerated from the secret seed match the bundle and the answer key"
