"""Reading the interviewer key and checking that nothing changed since creation.

Before a submission is graded, :func:`verify` checks the candidate's key
record against its commitment, the rest of the key against the seal the
record commits to (:mod:`casestudies.takehome._seal`), the candidate's key
files against the record, what the candidate was sent against its manifest
(the bundle folder, and the zip against the checksum recorded at creation,
those at hand), and the data and labels regenerated from the secret seed
against the record. Any difference raises
:class:`~casestudies.exceptions.TakehomeIntegrityError`. What could not be
checked (no bundle folder or zip at hand, a key older than its seal) or
changed without bearing on the grade (the key's notes for people) is said
in :attr:`Verified.not_checked`, which every grade carries.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.case import Case, make
from casestudies.core import counted, did_you_mean, fingerprint
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
    sha256_of,
)
from casestudies.takehome._rubric import Rubric
from casestudies.takehome._seal import SEAL_FIELD, SEALED_FILES, check_seal
from casestudies.takehome._variant import Disguise, Secret, answer_key, commitment, disguise

_RESTORE: Final = "Restore the key from a backup, or create a new take-home."
_FOLDER: Final = "the bundle"  # how errors name a bundle folder (a zip is named by its file name)
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
    """A candidate's variant, regenerated and checked against the key (and the bundle, when at hand).

    ``checks`` say what was checked and held; ``not_checked`` what could not be
    checked (a bundle folder or zip not found, a key older than its seal) or
    changed without bearing on the grade (the key's notes for people).
    """

    candidate: str
    case: Case
    record: Mapping[str, object]
    test_ids: np.ndarray  # bundle ids in case.test order
    references: tuple[Entry, ...]
    references_all: Mapping[str, Mapping[str, Mapping[str, float]]]
    checks: tuple[str, ...]
    bundle_checked: bool
    disguise: Disguise | None = None
    not_checked: tuple[str, ...] = ()


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


def verify(key: Key, candidate: str, bundles: Path | None) -> Verified:
    """Check the candidate's key against its commitment, the bundle (folder and zip, in ``bundles``) and a
    regeneration from the seed.

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
    not_checked: list[str] = []
    checks = [*_check_key_files(key, candidate, folder, record, not_checked)]
    bundle = _check_sent(key, candidate, bundles, record, not_checked)
    if bundle:
        checks.append(bundle)
    case, hidden = regenerate(record)
    checks.append(_check_regeneration(key, candidate, case, hidden, record, bundle_checked=bool(bundle)))
    stored_refs = json.loads((folder / REFERENCES_FILE).read_text(encoding="utf-8"))
    references = tuple(Entry(**item["entry"]) for item in stored_refs)
    references_all = {item["entry"]["name"]: item["all"] for item in stored_refs}
    return Verified(
        candidate,
        case,
        record,
        hidden.test_ids,
        references,
        references_all,
        tuple(checks),
        bool(bundle),
        hidden,
        tuple(not_checked),
    )


def _check_key_files(
    key: Key, candidate: str, folder: Path, record: Mapping[str, object], not_checked: list[str]
) -> list[str]:
    """The key record matches its commitment and the rest of the key its seal; the candidate's files match the record.

    Changed notes for people, and a key without a seal, are added to ``not_checked``.
    """
    stored = key.candidates[candidate]
    if record.get("commitment") != commitment(record) or record.get("commitment") != stored.get("commitment"):
        raise _tampered(candidate, f"the key record ({SECRET_FILE}) no longer matches its commitment", _RESTORE)
    if stored.get("data_fingerprint", record.get("data_fingerprint")) != record.get("data_fingerprint"):
        raise _tampered(candidate, f"the data fingerprint in {KEY_FILE} differs from the key record's", _RESTORE)
    first = "key record matches its commitment" + _check_seal(key, candidate, record, not_checked)
    for name, field_name in ((REFERENCES_FILE, "references_sha256"), (WORLD_FILE, "world_sha256")):
        if not (folder / name).is_file() or sha256(folder / name) != record.get(field_name):
            raise _tampered(candidate, f"{name} of the key differs from the one committed to", _RESTORE)
    try:
        answer = pd.read_parquet(folder / ANSWER_KEY_FILE)
    except Exception as err:
        raise _tampered(candidate, f"{ANSWER_KEY_FILE} cannot be read ({type(err).__name__})", _RESTORE) from err
    if fingerprint(answer) != record.get("answer_fingerprint"):
        raise _tampered(candidate, f"{ANSWER_KEY_FILE} differs from the answer key committed to", _RESTORE)
    return [first, "answer key matches the commitment"]


def _check_seal(key: Key, candidate: str, record: Mapping[str, object], not_checked: list[str]) -> str:
    """The rest of the key against the seal in the record (see :mod:`casestudies.takehome._seal`); the check's words."""
    sealed = record.get(SEAL_FIELD)
    covered = f"{KEY_FILE}, {' and '.join(SEALED_FILES)}"
    if not isinstance(sealed, Mapping):
        not_checked.append(
            f"{covered} of the key: this key was written by casestudies {key.data.get('casestudies_version')}, "
            "before the bundles committed to them, so a change to them cannot be detected."
        )
        return ""
    found = check_seal(sealed, key.data, key.folder)
    if found.fatal:
        verb = "differs" if len(found.fatal) == 1 else "differ"
        message = f"{' and '.join(found.fatal)} of the key {verb} from what the bundles were committed to"
        fix = (
            f"{_RESTORE} The bundles you sent commit to the key as created, so grades are made against it; "
            "to weigh the write-up differently, score it by hand."
        )
        raise _tampered(candidate, message, fix)
    not_checked.extend(
        f"{name} of the key changed after creation: it is a note for people that grading does not read, so grading "
        "went on (restore it from a backup if you did not change it yourself)."
        for name in found.notes
    )
    return f", and {covered} match the seal it commits to"


def _check_sent(
    key: Key, candidate: str, bundles: Path | None, record: Mapping[str, object], not_checked: list[str]
) -> str:
    """Check what the candidate was sent: the bundle folder and the zip, those that are at hand; the check's words.

    ``""`` when neither was found (then ``not_checked`` says so).
    """
    recorded_zip = key.candidates[candidate].get("zip_sha256")
    folder = None if bundles is None else bundles / candidate
    archive = None if bundles is None else bundles / f"{candidate}.zip"
    found = []
    if folder is not None and (folder / MANIFEST_FILE).is_file():
        found.append(_check_bundle(key, candidate, folder, record))
    if archive is not None and recorded_zip is not None and archive.is_file():
        words = _check_zip(key, candidate, archive, str(recorded_zip), record)
        found.append(words if found else f"bundle folder not found, but {words}")  # "bundle ...": one check, one line
    elif recorded_zip is not None:
        where = "no bundles folder given" if archive is None else f"no file {str(archive)!r}"
        not_checked.append(f"the zip written at creation ({candidate}.zip): {where}, so the zip sent was not checked.")
    elif archive is not None and archive.is_file():
        not_checked.append(
            f"{archive.name}: no zip was written at creation (or this key predates their checksums), so this one "
            "was not checked."
        )
    if not found:
        where = "no bundles folder given" if folder is None else f"no {MANIFEST_FILE} in {str(folder)!r}"
        not_checked.append(
            f"the bundle: {where} and no zip of it, so the key was checked against itself only, not against what "
            f"{candidate!r} was sent. Pass the bundles' folder (bundles=, --bundles) to check it."
        )
    return "; ".join(found)


def _check_manifest(
    key: Key,
    candidate: str,
    record: Mapping[str, object],
    manifest: bytes,
    digest_of: Callable[[str], str | None],
    *,
    what: str,
) -> int:
    """A manifest commits to this key, is the one written at creation, and every file it lists matches its checksum.

    ``digest_of(name)`` is the SHA-256 of a file of the bundle (None when absent); ``what`` names the bundle
    ("the bundle", "alice.zip") in errors. Returns the number of files checked.
    """
    resend = f"Grade against the bundle as sent ({BUNDLES_DIR}/{candidate}/ or its zip)."
    try:
        data = json.loads(manifest.decode("utf-8"))
    except ValueError as err:
        raise _tampered(candidate, f"{what}'s {MANIFEST_FILE} cannot be read ({err})", resend) from err
    if not isinstance(data, Mapping) or data.get("answer_key_commitment") != record["commitment"]:
        raise _tampered(candidate, f"{what}'s manifest commits to a different answer key than the key holds", resend)
    if hashlib.sha256(manifest).hexdigest() != key.candidates[candidate].get("manifest_sha256"):
        raise _tampered(candidate, f"{what}'s {MANIFEST_FILE} differs from the one written at creation", resend)
    files = cast(Mapping[str, str], data.get("files", {}))
    changed = [name for name, digest in files.items() if digest_of(name) != digest]
    if changed:
        label = "bundle" if what == _FOLDER else f"{what}:"
        raise _tampered(candidate, f"{label} files differ from their checksums in {MANIFEST_FILE}: {changed}", resend)
    return len(files)


def _check_bundle(key: Key, candidate: str, bundle_dir: Path, record: Mapping[str, object]) -> str:
    """The bundle folder's manifest commits to this key and every file matches its checksum."""

    def digest_of(name: str) -> str | None:
        path = bundle_dir / name
        return sha256(path) if path.is_file() else None

    manifest = (bundle_dir / MANIFEST_FILE).read_bytes()
    count = _check_manifest(key, candidate, record, manifest, digest_of, what=_FOLDER)
    return f"bundle manifest and {counted(count, 'file checksum')} match"


def _check_zip(key: Key, candidate: str, archive: Path, recorded: str, record: Mapping[str, object]) -> str:
    """The zip is byte for byte the one written at creation, and its manifest and files verify as the folder's."""
    resend = (
        "Restore it from the copy you sent. If you replaced it yourself, move it out of the bundles folder: "
        "grading then checks the folder and says that the zip was not checked."
    )
    if sha256(archive) != recorded:
        raise _tampered(
            candidate, f"{archive.name} differs from the zip written at creation (SHA-256 in {KEY_FILE})", resend
        )
    prefix = f"{candidate}/"
    try:
        with zipfile.ZipFile(archive) as opened:
            members = {
                info.filename[len(prefix) :]: info
                for info in opened.infolist()
                if info.filename.startswith(prefix) and not info.is_dir()
            }

            def digest_of(name: str) -> str | None:
                if name not in members:
                    return None
                with opened.open(members[name]) as handle:
                    return sha256_of(handle)

            if MANIFEST_FILE not in members:
                raise _tampered(candidate, f"{archive.name} holds no {prefix}{MANIFEST_FILE}", resend)
            manifest = opened.read(members[MANIFEST_FILE])
            count = _check_manifest(key, candidate, record, manifest, digest_of, what=archive.name)
    except (zipfile.BadZipFile, OSError) as err:
        raise _tampered(candidate, f"{archive.name} cannot be read ({err})", resend) from err
    checksums = counted(count, "file checksum")
    return f"{archive.name} is byte for byte the zip written at creation, with its manifest and {checksums}"


def _check_regeneration(
    key: Key, candidate: str, case: Case, hidden: Disguise, record: Mapping[str, object], *, bundle_checked: bool
) -> str:
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
    if bundle_checked:
        return "data and labels regenerated from the secret seed match the bundle and the answer key"
    return "data and labels regenerated from the secret seed match the key's record of the bundle and the answer key"
