"""The on-disk cache of a case's reference rows: baselines, expert reference and oracle, scored once per machine.

The references of a case are deterministic: the same scenario spec,
parameters and seed give the same data (its fingerprint), the same fitted
baselines and the same bootstrap resamples. Fitting them is most of the
time of ``casestudies score``, so their entries and submitted values are
kept in a user cache folder and reused by the next process that builds the
same case.

Where: ``platformdirs.user_cache_dir("casestudies")`` (for example
``~/.cache/casestudies`` on Linux), or the folder named by the environment
variable ``CASESTUDIES_CACHE_DIR``; entries live in its ``references``
subfolder, one ``.npz`` file per case, private to the user (folders 0700,
files 0600).

What a key covers: the package version and a digest of its source (a
development checkout that changes the scoring code misses the old entries),
the versions of the libraries the references are fitted with, the whole
scenario spec, the parameters, the seed and the case's fingerprint.

Safety: an entry is written to a temporary file in the same folder and
moved into place with ``os.replace``, so concurrent writers never leave a
half-written file and readers see the old entry or the new one. An entry
is trusted only if it parses (arrays without pickles), names the same key
and holds the rows expected, with the fields and types of a report row;
anything else is ignored and rewritten. ``casestudies cache clear``
deletes the entries.

Examples
--------
>>> import os, tempfile
>>> from casestudies.case import cache_info, clear_cache
>>> os.environ["CASESTUDIES_CACHE_DIR"] = tempfile.mkdtemp()
>>> clear_cache(), cache_info().files
(0, 0)
>>> del os.environ["CASESTUDIES_CACHE_DIR"]
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Final

import numpy as np
import platformdirs

from casestudies.core import VERSION, ScenarioSpec, catalog_dir
from casestudies.report import Entry

__all__ = [
    "CACHE_DIR_ENV",
    "CacheInfo",
    "cache_dir",
    "cache_info",
    "clear_cache",
    "load_references",
    "reference_key",
    "store_references",
]

CACHE_DIR_ENV: Final[str] = "CASESTUDIES_CACHE_DIR"
"""Environment variable naming the cache folder (instead of the platform's user cache folder)."""

CACHE_FORMAT: Final[int] = 1
"""Layout of a cache entry; an entry of another layout is ignored and rewritten."""

REFERENCES_DIR: Final[str] = "references"
"""Subfolder of the cache folder holding the reference entries (the only files ``clear_cache`` deletes)."""

SUFFIX: Final[str] = ".npz"

_TEMP_PREFIX: Final[str] = ".partial-"

_FOLDER_MODE: Final[int] = 0o700
"""Cache folders are the user's own: reference scores of a take-home variant are part of its answer key."""

FITTING_LIBRARIES: Final[tuple[str, ...]] = ("numpy", "pandas", "scipy", "scikit-learn", "imbalanced-learn", "lightgbm")
"""Libraries whose version changes what a fitted reference predicts: part of every key."""

MAX_CACHE_BYTES: Final[int] = 512 * 2**20
"""Size the cache is trimmed back to after each write, least recently used entries first: a default fraud-v1
entry is about 2 MB, so a few hundred cases fit, and a development checkout (whose every edit starts new keys)
does not fill the disk."""

_ENTRY_FIELDS: Final[tuple[str, ...]] = tuple(item.name for item in fields(Entry))
_INTERVAL_KEYS: Final[frozenset[str]] = frozenset({"estimate", "low", "high"})


def cache_dir() -> Path:
    """The cache folder: ``$CASESTUDIES_CACHE_DIR`` if set, else the platform's user cache folder.

    Examples
    --------
    >>> import os
    >>> from casestudies.case import cache_dir
    >>> os.environ["CASESTUDIES_CACHE_DIR"] = "/tmp/my-cache"
    >>> str(cache_dir())
    '/tmp/my-cache'
    >>> del os.environ["CASESTUDIES_CACHE_DIR"]
    """
    chosen = os.environ.get(CACHE_DIR_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else Path(platformdirs.user_cache_dir("casestudies"))


@functools.cache
def _code_digest() -> str:
    """SHA-256 of the package's source and catalog: an edited checkout keys its references afresh."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    files = [*sorted(package.rglob("*.py")), *sorted(catalog_dir().glob("*.toml"))]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _library_versions() -> dict[str, str]:
    versions = {}
    for name in FITTING_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _plugin_code(scenario: ScenarioSpec) -> dict[str, str]:
    """SHA-256 of the modules outside this package that the spec names (a plugin's generator and baselines)."""
    found = {}
    for target in (scenario.generator, *scenario.baselines.values()):
        module = target.partition(":")[0]
        if module == "casestudies" or module.startswith("casestudies."):
            continue  # covered by the package's own digest
        try:
            origin = getattr(importlib.util.find_spec(module), "origin", None)
            found[module] = hashlib.sha256(Path(str(origin)).read_bytes()).hexdigest() if origin else "unknown"
        except (ImportError, OSError, ValueError):
            found[module] = "unknown"
    return found


def reference_key(scenario: ScenarioSpec, params: Mapping[str, object], seed: int, fingerprint: str) -> str:
    """The cache key of a case's references (hex SHA-256 of everything they depend on)."""
    described = {
        "format": CACHE_FORMAT,
        "version": VERSION,
        "code": _code_digest(),
        "libraries": _library_versions(),
        "plugins": _plugin_code(scenario),
        "spec": scenario.to_dict(),
        "params": dict(params),
        "seed": seed,
        "fingerprint": fingerprint,
    }
    text = json.dumps(described, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _entry_path(scenario_id: str, key: str) -> Path:
    return cache_dir() / REFERENCES_DIR / f"{scenario_id}-{key[:32]}{SUFFIX}"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _entry_from(data: object, name: str, parts: frozenset[str]) -> Entry | None:
    """The report row stored in ``data``, if it has exactly the fields and types of one named ``name``."""
    if not isinstance(data, dict) or tuple(sorted(data)) != tuple(sorted(_ENTRY_FIELDS)) or data["name"] != name:
        return None
    if not all(isinstance(data[key], str) for key in ("kind", "description", "output")):
        return None
    if not all(data[key] is None or _is_number(data[key]) for key in ("fit_seconds", "predict_seconds")):
        return None
    scores = data["scores"]
    if not isinstance(scores, dict) or set(scores) != parts:
        return None
    for metrics in scores.values():
        if not isinstance(metrics, dict) or not metrics:
            return None
        for interval in metrics.values():
            if not isinstance(interval, dict) or not set(interval) >= _INTERVAL_KEYS:
                return None
            if not all(_is_number(value) for value in interval.values()):
                return None
    return Entry(**data)


def load_references(
    scenario_id: str, key: str, names: Sequence[str], parts: Sequence[str]
) -> list[tuple[Entry, np.ndarray]] | None:
    """The cached reference rows ``names`` of a case, or None when there is no valid entry for ``key``.

    An unreadable, foreign or malformed file counts as no entry (it is rewritten by the next store).
    """
    path = _entry_path(scenario_id, key)
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["arr_0"][()]))
            arrays = {name: stored[name] for name in stored.files if name != "arr_0"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
        return None
    rows = meta.get("references")
    if not isinstance(rows, list) or len(rows) != len(names) or len(arrays) != len(names):
        return None
    found = []
    for index, (row, name) in enumerate(zip(rows, names, strict=True)):
        entry = _entry_from(row, name, frozenset(parts))
        values = arrays.get(f"arr_{index + 1}")
        if entry is None or values is None or values.dtype.kind not in "biuf":
            return None
        found.append((entry, values))
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: trimmed last
    return found


def _plain(value: object) -> object:
    """A numpy scalar as a Python number (for ``json.dumps``)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a cache entry")


def store_references(scenario_id: str, key: str, references: Sequence[tuple[Entry, np.ndarray]]) -> Path | None:
    """Write the reference rows of a case under ``key``; return the file, or None if the folder is not writable.

    Written to a temporary file beside the entry, then moved into place in one
    step (``os.replace``): a concurrent reader or writer never sees half a file.
    """
    path = _entry_path(scenario_id, key)
    meta = {"format": CACHE_FORMAT, "key": key, "references": [entry.to_dict() for entry, _ in references]}
    arrays = [np.asarray(values) for _, values in references]
    if any(values.dtype.kind not in "biuf" for values in arrays):
        return None  # values a plain array cannot hold are not cached (never pickled)
    try:
        path.parent.parent.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)  # a new cache folder: private
        path.parent.mkdir(mode=_FOLDER_MODE, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=SUFFIX, dir=path.parent)  # mode 0600
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, np.array(json.dumps(meta, default=_plain)), *arrays)  # arr_0 meta, arr_1... values
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        return None  # a read-only or full disk costs a refit next time, never the result
    _trim(MAX_CACHE_BYTES)
    return path


def _trim(limit: int) -> None:
    """Delete the least recently used entries until the cache holds at most ``limit`` bytes."""
    sizes = []
    for path in _entries():
        if path.name.startswith(_TEMP_PREFIX):
            continue  # another process's write in progress
        with contextlib.suppress(FileNotFoundError):
            found = path.stat()
            sizes.append((found.st_mtime, found.st_size, path))
    total = sum(size for _, size, _ in sizes)
    for _, size, path in sorted(sizes, key=lambda item: item[0]):
        if total <= limit:
            break
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        total -= size


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """Where the cache is and what it holds.

    Examples
    --------
    >>> from pathlib import Path
    >>> from casestudies.case import CacheInfo
    >>> print(CacheInfo(Path("/tmp/c"), files=2, bytes=3_500_000))
    /tmp/c: 2 cached cases, 3.5 MB
    """

    folder: Path
    files: int
    bytes: int

    def __str__(self) -> str:
        megabytes = self.bytes / 1e6
        size = f"{megabytes:.1f} MB" if megabytes >= 0.1 or self.bytes == 0 else f"{math.ceil(self.bytes / 1e3)} kB"
        return f"{self.folder}: {self.files} cached case{'s' if self.files != 1 else ''}, {size}"


def _entries() -> list[Path]:
    folder = cache_dir() / REFERENCES_DIR
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.suffix == SUFFIX and path.is_file()]


def cache_info() -> CacheInfo:
    """The cache folder, the number of cached cases and their size on disk.

    Examples
    --------
    >>> import os, tempfile
    >>> from casestudies.case import cache_info
    >>> os.environ["CASESTUDIES_CACHE_DIR"] = tempfile.mkdtemp()
    >>> cache_info().files
    0
    >>> del os.environ["CASESTUDIES_CACHE_DIR"]
    """
    entries = [path for path in _entries() if not path.name.startswith(_TEMP_PREFIX)]
    return CacheInfo(cache_dir(), len(entries), sum(path.stat().st_size for path in entries))


def clear_cache() -> int:
    """Delete every cached reference entry (and leftovers of interrupted writes); return how many were deleted.

    Only the cache's own ``references/*.npz`` files are deleted, never
    anything else in a folder named by ``CASESTUDIES_CACHE_DIR``.

    Examples
    --------
    >>> import os, tempfile
    >>> from casestudies.case import clear_cache
    >>> os.environ["CASESTUDIES_CACHE_DIR"] = tempfile.mkdtemp()
    >>> clear_cache()
    0
    >>> del os.environ["CASESTUDIES_CACHE_DIR"]
    """
    removed = 0
    for path in _entries():
        with contextlib.suppress(FileNotFoundError):  # a concurrent clear got there first
            path.unlink()
            removed += not path.name.startswith(_TEMP_PREFIX)
    return removed
