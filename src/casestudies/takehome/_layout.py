"""Where a take-home keeps what: the files of a bundle and of the key, checksums and JSON.

Creation writes these names and grading reads them, so they are declared once
here. A take-home folder holds ``bundles/<candidate>/`` (what the candidate
gets, and ``bundles/<candidate>.zip`` when asked for) and ``key/`` (what the
interviewer keeps: ``key.json``, the rubric, and ``candidates/<candidate>/``
with each variant's secret record and answer key). The key is private: its
folders are 0700 and its files 0600 (:func:`make_private`,
:func:`write_private`); the bundles keep the user's default modes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import IO, Final

from casestudies.exceptions import TakehomeIntegrityError

KEY_FORMAT: Final = "casestudies-takehome-key/1"
BUNDLE_FORMAT: Final = "casestudies-takehome-bundle/1"

# -- the candidate's bundle ------------------------------------------------------

BUNDLES_DIR: Final = "bundles"
DATA_DIR: Final = "data"
README_FILE: Final = "README.md"
MANIFEST_FILE: Final = "manifest.json"
SUBMISSION_FILE: Final = "submission.csv"
TEMPLATE_FILE: Final = "submission_template.csv"
NOTEBOOK_FILE: Final = "starter.ipynb"
DIAGNOSIS_FILE: Final = "diagnosis.md"
FAULTS_FILE: Final = "diagnosis.json"
FAULTS_TEMPLATE_FILE: Final = "diagnosis_template.json"

# -- the interviewer's key ---------------------------------------------------------

KEY_DIR: Final = "key"
KEY_FILE: Final = "key.json"
CANDIDATES_DIR: Final = "candidates"
SECRET_FILE: Final = "secret.json"
ANSWER_KEY_FILE: Final = "answer_key.parquet"
REFERENCES_FILE: Final = "references.json"
WORLD_FILE: Final = "world.json"
RUBRIC_FILE: Final = "rubric.json"
RUBRIC_NOTES_FILE: Final = "rubric.md"
DIFFICULTY_FILE: Final = "difficulty.csv"
GRADES_DIR: Final = "grades"

FAULTS: Final = "faults"
"""The diagnosis grader of scenarios that plant causes (``Case.grade_diagnosis``)."""

_READ_BLOCK: Final = 1 << 20  # bytes hashed at a time: files of any size in bounded memory

PRIVATE_DIR_MODE: Final = 0o700
"""Folders of the key (seeds, answer keys, grades): only their owner may list or enter them."""
PRIVATE_FILE_MODE: Final = 0o600
"""Files of the key: only their owner may read them. Bundles keep the user's default (they are sent anyway)."""


def candidate_key_dir(key_folder: Path, candidate: str) -> Path:
    """The key's folder of one candidate's variant: ``key/candidates/<candidate>``."""
    return key_folder / CANDIDATES_DIR / candidate


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return sha256_of(handle)


def sha256_of(handle: IO[bytes]) -> str:
    """Hex SHA-256 of what is left to read in a binary file object (a file, a zip member), in bounded memory."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(_READ_BLOCK), b""):
        digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as indented JSON with a final newline (values JSON cannot hold as strings)."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def make_private(folder: Path) -> None:
    """Restrict a folder tree to its owner: folders :data:`PRIVATE_DIR_MODE`, files :data:`PRIVATE_FILE_MODE`."""
    for path in (folder, *folder.rglob("*")):
        path.chmod(PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner may enter (created if missing, restricted if it exists)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a file only its owner may read, from its creation on."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(PRIVATE_FILE_MODE)  # a file that existed keeps its mode through os.open


def read_json(path: Path, what: str) -> dict[str, object]:
    """Read a JSON object the take-home wrote.

    Raises
    ------
    TakehomeIntegrityError
        Naming ``what``, if the file is missing, unreadable or not a JSON object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = (
            f"{what} is missing: no file {str(path)!r}. Restore the folder written by `casestudies takehome create`."
        )
        raise TakehomeIntegrityError(message) from None
    except (OSError, ValueError) as err:
        raise TakehomeIntegrityError(
            f"{what} {str(path)!r} cannot be read ({err}); it was changed after creation."
        ) from err
    if not isinstance(data, dict):
        raise TakehomeIntegrityError(f"{what} {str(path)!r} is not a JSON object; it was changed after creation.")
    return data
