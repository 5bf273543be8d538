"""Where a take-home keeps what: the files of a bundle and of the key, checksums and JSON.

Creation writes these names and grading reads them, so they are declared once
here. A take-home folder holds ``bundles/<candidate>/`` (what the candidate
gets) and ``key/`` (what the interviewer keeps: ``key.json``, the rubric, and
``candidates/<candidate>/`` with each variant's secret record and answer key).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Final

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


def candidate_key_dir(key_folder: Path, candidate: str) -> Path:
    """The key's folder of one candidate's variant: ``key/candidates/<candidate>``."""
    return key_folder / CANDIDATES_DIR / candidate


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as indented JSON with a final newline (values JSON cannot hold as strings)."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


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
