"""The seal: what every bundle's commitment covers of the key beyond the candidate's own record.

Why
---
Each candidate's key record (``secret.json``) is committed to by a salted
SHA-256 printed in the manifest of the bundle that candidate was sent (see
:mod:`casestudies.takehome._variant`), so nothing the record holds can change
without grading noticing. The record covers the candidate's own files (answer
key, references, world); the seal extends it to the rest of the key, which
grading also relies on: ``key.json`` (the parameters, the diagnosis grader
that grading imports and calls, the difficulty figures of every variant),
``rubric.json``, ``difficulty.csv``, and the two notes for people,
``README.md`` and ``rubric.md``.

How
---
Creation writes those files of the key first, then takes a checksum of each:
of ``key.json``, a SHA-256 per field over its canonical JSON (so that an error
can name the field), leaving out the four per-bundle fields that exist only
once the bundle is written (:data:`BUNDLE_FIELDS`: each is checked on its own,
against the record, the manifest or the zip); of the other files, the SHA-256
of their bytes. The seal goes into every candidate's record before its
commitment is computed, so every bundle commits to it.

What an edit does
-----------------
The point is to catch accidental edits (an editor reformatting a file, a
sync conflict, a wrong copy) and edits by anyone else with access to the
folder, not to forbid the interviewer anything:

* ``key.json``, ``rubric.json`` and ``difficulty.csv`` define the grade or
  state its context, and the bundles already sent commit to them. A change,
  the interviewer's own included, is refused with
  :class:`~casestudies.exceptions.TakehomeIntegrityError` naming the file
  (and the fields of ``key.json``): restore the file. To weigh the write-up
  differently, score it by hand; the points in ``rubric.json`` stay those the
  candidates were committed to.
* ``README.md`` and ``rubric.md`` are notes for people that grading never
  reads; the interviewer may annotate them. A change is reported in the
  grade's "not checked" list instead of stopping grading.

Limits, said in every grade that meets them: without the bundle (its folder
or its zip) the key is checked against itself only, so a deliberate rewrite
of the whole key, every record recommitted, cannot be told from the
original; and keys written before the seal existed carry none, so edits to
their ``key.json`` and ``rubric.json`` cannot be detected.

Examples
--------
>>> digests = field_digests({"format": "f", "candidates": {"ann": {"commitment": "c", "difficulty": {"oracle": 0.9}}}})
>>> sorted(digests)
['candidates/ann', 'format']
>>> digests == field_digests({"candidates": {"ann": {"commitment": "other", "difficulty": {"oracle": 0.9}}},
...                           "format": "f"})
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from casestudies.takehome._layout import DIFFICULTY_FILE, KEY_FILE, README_FILE, RUBRIC_FILE, RUBRIC_NOTES_FILE, sha256

__all__ = ["BUNDLE_FIELDS", "NOTE_FILES", "SEALED_FILES", "SEAL_FIELD", "Breaks", "check_seal", "field_digests", "seal"]

SEAL_FIELD: Final = "key_seal"
"""The field of a candidate's key record (``secret.json``) that holds the seal."""
SEALED_FILES: Final = (RUBRIC_FILE, DIFFICULTY_FILE)
"""Files of the key besides ``key.json`` whose change stops grading."""
NOTE_FILES: Final = (README_FILE, RUBRIC_NOTES_FILE)
"""Notes for people in the key: a change is reported, not refused."""
BUNDLE_FIELDS: Final = ("commitment", "manifest_sha256", "zip_sha256", "data_fingerprint")
"""Fields of a candidate's entry in ``key.json`` known only once their bundle exists; checked on their own."""

_DOMAIN: Final = b"casestudies-takehome-seal/1\n"
_CANDIDATES: Final = "candidates"


def _digest(value: object) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(_DOMAIN + canonical.encode()).hexdigest()


def field_digests(key_data: Mapping[str, object]) -> dict[str, str]:
    """A SHA-256 of each field of ``key.json``; a candidate's entry (``candidates/<name>``) without its bundle fields.

    The data goes through a JSON round trip first, so the digests of the
    values written and of the values read back agree.
    """
    data = cast(dict[str, object], json.loads(json.dumps(dict(key_data), default=str)))
    digests = {name: _digest(value) for name, value in data.items() if name != _CANDIDATES}
    candidates = data.get(_CANDIDATES)
    if isinstance(candidates, Mapping):
        for candidate, entry in candidates.items():
            kept = (
                {field: value for field, value in entry.items() if field not in BUNDLE_FIELDS}
                if isinstance(entry, Mapping)
                else entry
            )
            digests[f"{_CANDIDATES}/{candidate}"] = _digest(kept)
    elif _CANDIDATES in data:
        digests[_CANDIDATES] = _digest(candidates)
    return digests


def seal(key_data: Mapping[str, object], key_dir: Path) -> dict[str, object]:
    """The seal of a key: digests of ``key.json``'s fields (``key_data``, not yet written) and of its other files."""
    files = {name: sha256(key_dir / name) for name in (*SEALED_FILES, *NOTE_FILES)}
    return {KEY_FILE: field_digests(key_data), "files": files}


@dataclass(frozen=True, slots=True)
class Breaks:
    """What :func:`check_seal` found: changes that stop grading (``fatal``), and changed notes that do not."""

    fatal: tuple[str, ...]
    notes: tuple[str, ...]


def _current(key_dir: Path, name: str) -> str | None:
    path = key_dir / name
    return sha256(path) if path.is_file() else None


def check_seal(sealed: Mapping[str, object], key_data: Mapping[str, object], key_dir: Path) -> Breaks:
    """Compare a key with its seal: ``fatal`` names what changed in ``key.json`` and the sealed files, ``notes`` the
    changed notes for people."""
    stored = sealed.get(KEY_FILE)
    stored_fields = cast(Mapping[str, str], stored) if isinstance(stored, Mapping) else {}
    now = field_digests(key_data)
    changed = sorted(name for name in {*stored_fields, *now} if stored_fields.get(name) != now.get(name))
    fatal = [f"{KEY_FILE} (changed: {', '.join(changed)})"] if changed else []
    files = sealed.get("files")
    stored_files = cast(Mapping[str, str], files) if isinstance(files, Mapping) else {}
    fatal += [name for name in SEALED_FILES if _current(key_dir, name) != stored_files.get(name)]
    notes = [name for name in NOTE_FILES if name in stored_files and _current(key_dir, name) != stored_files[name]]
    return Breaks(tuple(fatal), tuple(notes))
