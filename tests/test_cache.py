"""The on-disk cache of reference scores: reused across Cases, private, never trusted blindly, safe to share."""

from __future__ import annotations

import json
import shutil
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import casestudies as cs
from casestudies.case import CACHE_DIR_ENV, Case, cache_info, clear_cache, host_view
from casestudies.case import _cache as cache_module
from casestudies.case import _case as case_module
from casestudies.cli import main
from casestudies.report import Report

pytestmark = pytest.mark.slow  # the module fixture fits three reference pipelines

SMALL = {"n_customers": 200, "n_days": 21, "n_test_days": 7}
SEED = 4


@dataclass(frozen=True)
class Filled:
    folder: Path  # a cache folder holding the references of make("fraud-v1", seed=SEED, **SMALL)
    report: Report  # the constant submission's report, references fitted
    values: list[np.ndarray]  # what each reference submitted


def _make(seed: int = SEED, **options: object) -> Case:
    return cs.make("fraud-v1", seed=seed, **SMALL, **options)  # type: ignore[arg-type]


def _constant(case: Case) -> np.ndarray:
    return np.full(len(case.test), 0.01)


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "references").glob("*.npz"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    folder = tmp_path_factory.mktemp("filled")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_DIR_ENV, str(folder))
        case = _make()
        report = case.score(_constant(case))
        values = [np.asarray(item.values) for item in host_view(case).references()]
    return Filled(folder, report, values)


@pytest.fixture
def cache(filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the filled cache folder, in use for this test."""
    folder = tmp_path / "cache"
    shutil.copytree(filled.folder, folder)
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def _refuse_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Case) -> object:
        raise AssertionError("the references were fitted although the cache holds them")

    monkeypatch.setattr(case_module.Case, "_fit_references", refuse)


def test_a_new_case_reads_the_references_instead_of_fitting_them(
    filled: Filled, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_fitting(monkeypatch)
    case = _make()
    again = case.score(_constant(case))
    assert again.to_dict() == filled.report.to_dict()  # every row, interval and timing as first scored
    for stored, loaded in zip(filled.values, host_view(case).references(), strict=True):
        np.testing.assert_array_equal(loaded.values, stored)


def test_cached_rows_equal_freshly_fitted_ones(filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "unused"))
    case = _make(cache=False)
    fresh = case.score(_constant(case))
    assert not (tmp_path / "unused").exists()  # cache=False neither reads nor writes
    timing = {"fit_seconds", "predict_seconds"}
    for cached, fitted in zip(filled.report.references, fresh.references, strict=True):
        assert {k: v for k, v in cached.to_dict().items() if k not in timing} == {
            k: v for k, v in fitted.to_dict().items() if k not in timing
        }


def test_entries_are_private_to_the_user(cache: Path, filled: Filled, tmp_path: Path) -> None:
    (entry,) = _entries(filled.folder)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700


def test_a_new_cache_folder_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, filled: Filled) -> None:
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    rows = [(entry, values) for entry, values in zip(filled.report.references, filled.values, strict=True)]
    written = cache_module.store_references("fraud-v1", "0" * 64, rows)
    assert written is not None
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "missing_row"])
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(
    damage: str, filled: Filled, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (entry,) = _entries(cache)
    if damage == "garbage":
        entry.write_bytes(b"not a cache entry")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:1000])
    elif damage == "foreign":  # another case's entry under this case's name
        monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "other"))
        other = _make(seed=SEED + 1)
        other.score(_constant(other))
        (foreign,) = _entries(tmp_path / "other")
        shutil.copy(foreign, entry)
        monkeypatch.setenv(CACHE_DIR_ENV, str(cache))
    else:  # the right key, but one reference row fewer than the spec names
        meta, arrays = _read(entry)
        meta["references"] = meta["references"][:-1]
        _write(entry, meta, arrays[:-1])
    case = _make()
    report = case.score(_constant(case))
    timing = {"fit_seconds", "predict_seconds"}
    assert [{k: v for k, v in row.items() if k not in timing} for row in report.to_dict()["references"]] == [
        {k: v for k, v in row.items() if k not in timing} for row in filled.report.to_dict()["references"]
    ]
    _refuse_fitting(monkeypatch)  # rewritten: the next case reads it
    again = _make()
    assert again.score(_constant(again)).to_dict() == report.to_dict()


def _read(path: Path) -> tuple[dict[str, object], list[np.ndarray]]:
    with np.load(path, allow_pickle=False) as stored:
        names = sorted(stored.files, key=lambda name: int(name.split("_")[1]))
        meta = json.loads(str(stored[names[0]][()]))
        return meta, [stored[name] for name in names[1:]]


def _write(path: Path, meta: dict[str, object], arrays: list[np.ndarray]) -> None:
    with path.open("wb") as file:
        np.savez(file, np.array(json.dumps(meta)), *arrays)


def test_an_entry_with_a_wrong_field_type_is_not_trusted(filled: Filled, cache: Path) -> None:
    (entry,) = _entries(cache)
    meta, arrays = _read(entry)
    names = [row["name"] for row in meta["references"]]  # type: ignore[attr-defined, index]
    parts = list(filled.report.holdout)
    key = meta["key"]
    assert cache_module.load_references("fraud-v1", str(key), names, parts) is not None
    meta["references"][0]["scores"]["all"]["average_precision"]["estimate"] = "0.9"  # type: ignore[index]
    _write(entry, meta, arrays)
    assert cache_module.load_references("fraud-v1", str(key), names, parts) is None
    meta, _ = _read(entry)
    meta["references"][0]["scores"]["all"]["average_precision"]["estimate"] = 0.9  # type: ignore[index]
    _write(entry, meta, [array.astype(object) if i == 0 else array for i, array in enumerate(arrays)])
    assert cache_module.load_references("fraud-v1", str(key), names, parts) is None
    del meta["references"][1]["scores"]["public"]  # type: ignore[index]
    _write(entry, meta, arrays)
    assert cache_module.load_references("fraud-v1", str(key), names, parts) is None


def test_the_key_covers_version_seed_and_parameters(filled: Filled, monkeypatch: pytest.MonkeyPatch) -> None:
    case = _make(cache=False)
    spec, params = case.spec, dict(case.params)
    key = cache_module.reference_key(spec, params, SEED, case.fingerprint)
    assert key == cache_module.reference_key(spec, dict(params), SEED, case.fingerprint)
    assert key != cache_module.reference_key(spec, params, SEED + 1, case.fingerprint)
    assert key != cache_module.reference_key(spec, {**params, "dispute_rate": 0.001}, SEED, case.fingerprint)
    assert key != cache_module.reference_key(spec, params, SEED, "0" * 64)
    monkeypatch.setattr(cache_module, "VERSION", "999.0")
    assert key != cache_module.reference_key(spec, params, SEED, case.fingerprint)


def test_concurrent_writers_never_expose_a_partial_entry(filled: Filled, cache: Path) -> None:
    (entry,) = _entries(cache)
    meta, _ = _read(entry)
    key, names, parts = str(meta["key"]), [r.name for r in filled.report.references], list(filled.report.holdout)
    rows = list(zip(filled.report.references, filled.values, strict=True))
    seen: list[bool] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(cache_module.load_references("fraud-v1", key, names, parts) is not None)

    def write() -> None:
        for _ in range(15):
            cache_module.store_references("fraud-v1", key, rows)

    readers = [threading.Thread(target=read) for _ in range(2)]
    writers = [threading.Thread(target=write) for _ in range(4)]
    for thread in [*readers, *writers]:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()
    assert seen and all(seen)  # every read found a whole entry, before, during and after the writes
    assert [path.name for path in (cache / "references").iterdir()] == [entry.name]  # no temporary file left


def test_the_cache_is_trimmed_least_recently_used_first(
    filled: Filled, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = list(zip(filled.report.references, filled.values, strict=True))
    (kept,) = _entries(cache)
    size = kept.stat().st_size
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", int(2.5 * size))
    older = cache_module.store_references("fraud-v1", "1" * 64, rows)
    newer = cache_module.store_references("fraud-v1", "2" * 64, rows)
    assert older is not None and newer is not None
    assert sorted(_entries(cache)) == sorted([older, newer])  # the least recently used entry went


def test_cache_commands_report_and_clear_only_their_files(
    cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = cache / "notes.txt"
    mine.write_text("not the cache's")
    assert main(["cache", "info"]) == 0
    size = sum(path.stat().st_size for path in _entries(cache))
    assert capsys.readouterr().out.strip() == f"{cache}: 1 cached case, {size / 1e6:.1f} MB"
    assert main(["cache", "clear"]) == 0
    assert capsys.readouterr().out.strip() == f"removed 1 cached case from {cache}"
    assert _entries(cache) == [] and mine.read_text() == "not the cache's"
    assert cache_info().files == 0 and clear_cache() == 0
