"""Take-homes of coding exercises: ``create_takehome("exercise:<id>")`` and grading by the hidden battery.

The kind of take-home a scenario id starting with ``exercise:`` asks for.
Each candidate's bundle holds the exercise's README (the task and the
rules, without the practice loop), ``solution.py`` stubs and the public
tests; the key holds a copy of the hidden battery and the reference
solution (``key/hidden/``, with their SHA-256 in ``key.json``), the rubric,
and each candidate's secret data seed. ``grade_takehome`` runs the battery
on each candidate's ``solution.py`` with their seed and writes the usual
reports into ``key/grades/``.

What stays secret is each candidate's data, not the tests: the battery
ships with the library, so a candidate who reads it learns what is tested,
never the data their solution is graded on.

Examples
--------
>>> is_exercise_takehome("exercise:metrics-v1"), is_exercise_takehome("fraud-v1")
(True, False)
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from casestudies._version import VERSION
from casestudies.coding import CheckResult, Exercise, check_exercise, exercise
from casestudies.exceptions import TakehomeError, TakehomeIntegrityError
from casestudies.report import Document
from casestudies.takehome._layout import (
    BUNDLES_DIR,
    GRADES_DIR,
    KEY_DIR,
    KEY_FILE,
    MANIFEST_FILE,
    README_FILE,
    RUBRIC_NOTES_FILE,
    make_private,
    private_dir,
    read_json,
    sha256,
    write_json,
    write_private,
)
from casestudies.takehome._results import CandidateGrade, Grading

__all__ = [
    "EXERCISE_PREFIX",
    "ExerciseGrade",
    "ExerciseGrading",
    "create_exercise_takehome",
    "exercise_key",
    "grade_exercise_takehome",
    "is_exercise_takehome",
]

EXERCISE_PREFIX: Final = "exercise:"
EXERCISE_KEY_FORMAT: Final = "casestudies-takehome-exercise-key/1"
HIDDEN_DIR: Final = "hidden"  # key/hidden/: the battery and the reference the grades were computed with
SOLUTION_FILE: Final = "solution.py"
_HIDDEN_FILES: Final = ("battery.py", "reference.py")
_BUNDLE_FILES: Final = {"solution.py": "solution.py.template", "test_public.py": "test_public.py.template"}
_PRACTICE_LOOP: Final = "## The loop"  # the README's practice section: a take-home bundle leaves it out
_SEED_BITS: Final = 63  # a candidate's data seed: an int numpy's generators accept


def is_exercise_takehome(scenario_id: str) -> bool:
    """True when ``scenario_id`` names a coding exercise (``exercise:<id>``) rather than a scenario."""
    return str(scenario_id).startswith(EXERCISE_PREFIX)


def exercise_key(key: str | os.PathLike[str]) -> Path | None:
    """The key folder when ``key`` (or the take-home folder holding it) is an exercise take-home's key, else None."""
    folder = Path(key)
    if not (folder / KEY_FILE).is_file() and (folder / KEY_DIR / KEY_FILE).is_file():
        folder = folder / KEY_DIR
    try:
        data = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return folder if isinstance(data, dict) and data.get("format") == EXERCISE_KEY_FORMAT else None


def _readme(chosen: Exercise, hours: float) -> str:
    text = (chosen.folder / README_FILE).read_text(encoding="utf-8")
    task = text.split(_PRACTICE_LOOP)[0].rstrip()
    return (
        f"{task}\n\n## This take-home\n\n"
        f"Time guidance: about {hours:g} hours. Fill in `{SOLUTION_FILE}` (keep every name and signature), "
        "check it with `python test_public.py`, and send back your `solution.py`. "
        "It is graded by hidden tests on data drawn for you alone, then read by your interviewer.\n"
    )


def _rubric_notes(chosen: Exercise) -> str:
    doc = Document(f"Rubric: {chosen.id}")
    doc.para("The hidden tests give the test points (each kind of test weighs its share). Score the code on:")
    doc.table(
        ["topic", "points", "look for"],
        [[str(item["topic"]), str(item["points"]), str(item["look_for"])] for item in chosen.rubric],
    )
    doc.table(["kind of hidden test", "points"], [[kind, f"{points:g}"] for kind, points in chosen.points.items()])
    return doc.to_markdown()


def _write_bundle(chosen: Exercise, folder: Path, candidate: str, hours: float, zipped: bool) -> dict[str, object]:
    folder.mkdir(parents=True)
    (folder / README_FILE).write_text(_readme(chosen, hours), encoding="utf-8")
    for written, source in _BUNDLE_FILES.items():
        shutil.copyfile(chosen.folder / source, folder / written)
    files = sorted(path.name for path in folder.iterdir())
    manifest = {"kind": "exercise", "exercise": chosen.id, "candidate": candidate, "casestudies": VERSION}
    write_json(folder / MANIFEST_FILE, manifest | {"files": {name: sha256(folder / name) for name in files}})
    entry: dict[str, object] = {"files": {name: sha256(folder / name) for name in sorted([*files, MANIFEST_FILE])}}
    if zipped:
        archive = shutil.make_archive(str(folder), "zip", root_dir=folder.parent, base_dir=folder.name)
        entry["zip_sha256"] = sha256(Path(archive))
    return entry


def create_exercise_takehome(
    scenario_id: str,
    names: Sequence[str],
    out: Path,
    *,
    seed: int | None,
    zip_bundles: bool,
    hours: float | None,
    install: Callable[[Path, Path], None],
) -> tuple[Path, dict[str, Path], dict[str, Path]]:
    """Write an exercise take-home into ``out`` (names and ``out`` already checked by ``create_takehome``).

    Builds in a private staging folder inside ``out`` and hands it to
    ``install`` (which moves ``bundles/`` and ``key/`` into place, all or
    nothing). Returns the key folder, the bundles and the zips.

    Raises
    ------
    ExerciseError
        If the exercise is unknown.
    """
    chosen = exercise(scenario_id.removeprefix(EXERCISE_PREFIX))
    guidance = float(hours if hours is not None else 3.0)
    rng = np.random.default_rng(np.random.SeedSequence(seed) if seed is not None else np.random.SeedSequence())
    seeds = {name: int(rng.integers(0, 2**_SEED_BITS)) for name in names}
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".takehome-", dir=out))
    try:
        key = private_dir(staging / KEY_DIR)
        hidden = private_dir(key / HIDDEN_DIR)
        for name in _HIDDEN_FILES:
            shutil.copyfile(chosen.folder / name, hidden / name)
        entries = {
            name: _write_bundle(chosen, staging / BUNDLES_DIR / name, name, guidance, zip_bundles)
            | {"seed": seeds[name]}
            for name in names
        }
        (key / RUBRIC_NOTES_FILE).write_text(_rubric_notes(chosen), encoding="utf-8")
        data = {
            "format": EXERCISE_KEY_FORMAT,
            "kind": "exercise",
            "exercise": chosen.id,
            "casestudies_version": VERSION,
            "hours": guidance,
            "hidden": {name: sha256(hidden / name) for name in _HIDDEN_FILES},
            "points": dict(chosen.points),
            "candidates": entries,
        }
        write_json(key / KEY_FILE, data)
        make_private(key)
        install(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    bundles = {name: out / BUNDLES_DIR / name for name in names}
    zips = {name: out / BUNDLES_DIR / f"{name}.zip" for name in names if zip_bundles}
    return out / KEY_DIR, bundles, zips


@dataclass(frozen=True, slots=True)
class ExerciseGrade(CandidateGrade):
    """A candidate's grade on an exercise take-home: the hidden battery's result (``tests``) with their seed."""

    tests: CheckResult | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain data: the grade's fields and the battery's records."""
        return CandidateGrade.to_dict(self) | {"tests": None if self.tests is None else self.tests.to_dict()}

    def _document(self, user: Callable[[str], str]) -> Document:
        doc = Document(f"Take-home grade: {self.candidate} ({self.scenario_id})")
        doc.para(f"Status: **{self.status}**. Submission: {self.submission or 'none'}.")
        if self.tests is not None:
            doc.para(user(self.tests.summary()) + " (tests weighed by the rubric's points per kind).")
            doc.table(
                ["test", "kind", "result"],
                [[item.name, item.kind, "passed" if item.passed else "FAILED"] for item in self.tests.records],
                markup=False,
            )
            if self.tests.failed:
                doc.heading("What failed")
                doc.terms([(item.name, user(f"{item.message} Hint: {item.hint}")) for item in self.tests.failed])
        doc.heading("For the interviewer")
        doc.para(
            f"Read the code with `{RUBRIC_NOTES_FILE}` in the key; the hidden tests above are its test points. "
            "They ran on data drawn from this candidate's secret seed."
        )
        return doc

    def __str__(self) -> str:
        if self.tests is None:
            return f"{self.candidate}: no submission"
        lines = [f"{self.candidate}: {self.tests.summary()}"]
        lines += [f"  FAILED {item.name}: {item.message.splitlines()[0]}" for item in self.tests.failed]
        lines += [f"  {name} report: {path}" for name, path in self.files.items()]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ExerciseGrading(Grading):
    """The grades of an exercise take-home, compared by the share of the test points earned."""

    def table(self) -> pd.DataFrame:
        """One row per candidate: status, tests passed, score; best score first."""
        rows = []
        for name, grade in self.grades.items():
            tests = grade.tests if isinstance(grade, ExerciseGrade) else None
            rows.append(
                {
                    "candidate": name,
                    "status": grade.status,
                    "tests_passed": None if tests is None else f"{tests.n_passed}/{len(tests.records)}",
                    "score": None if tests is None else tests.score,
                }
            )
        frame = pd.DataFrame(rows).sort_values("score", ascending=False, na_position="last", kind="stable")
        ranked: pd.DataFrame = frame.reset_index(drop=True)
        return ranked

    def _document(self, user: Callable[[str], str]) -> Document:
        doc = Document(f"Take-home comparison: {self.scenario_id}")
        doc.para("Share of the hidden tests' points earned, on each candidate's own data.")
        table = self.table()
        doc.table(
            ["candidate", "status", "tests passed", "score"],
            [
                [user(str(row["candidate"])), row["status"], row["tests_passed"] or "n/a", _percent(row["score"])]
                for row in table.to_dict("records")
            ],
        )
        return doc


def _percent(value: object) -> str:
    return f"{value:.0%}" if isinstance(value, float) and np.isfinite(value) else "n/a"


def _submissions(submissions: object, candidates: Sequence[str]) -> dict[str, Path]:
    """``{candidate: solution file}``: a mapping, or a folder of ``<candidate>.py`` or ``<candidate>/solution.py``."""
    if isinstance(submissions, Mapping):
        unknown = [name for name in submissions if name not in candidates]
        if unknown:
            raise TakehomeError(
                f"no candidate {unknown[0]!r} in this take-home; its candidates: {', '.join(candidates)}."
            )
        return {str(name): Path(path) for name, path in submissions.items()}
    folder = Path(str(submissions))
    if not folder.is_dir():
        raise TakehomeError(f"grade_takehome(): expected {{candidate: solution.py}} or a folder; got {str(folder)!r}.")
    found = {}
    for name in candidates:
        for path in (folder / f"{name}.py", folder / name / SOLUTION_FILE):
            if path.is_file():
                found[name] = path
                break
    return found


def grade_exercise_takehome(
    key_folder: Path, submissions: Mapping[str, object] | str | os.PathLike[str], *, write: bool = True
) -> Grading:
    """Run the key's hidden battery on each candidate's solution with their seed; write the grading reports.

    Raises
    ------
    TakehomeIntegrityError
        If the key's battery or reference changed after creation.
    TakehomeError
        If a candidate is unknown or ``submissions`` is neither a mapping nor a folder.
    """
    data = read_json(key_folder / KEY_FILE, f"the key's {KEY_FILE}")
    hidden = key_folder / HIDDEN_DIR
    recorded = data.get("hidden")
    for name in _HIDDEN_FILES:
        if (
            not isinstance(recorded, Mapping)
            or not (hidden / name).is_file()
            or sha256(hidden / name) != recorded.get(name)
        ):
            raise TakehomeIntegrityError(
                f"the key's {HIDDEN_DIR}/{name} is missing or changed after creation; restore the key folder."
            )
    exercise_id = str(data["exercise"])
    entries = data["candidates"]
    assert isinstance(entries, Mapping)
    found = _submissions(submissions, list(entries))
    wanted = list(found) if isinstance(submissions, Mapping) else list(entries)
    scenario_id = EXERCISE_PREFIX + exercise_id
    grades: dict[str, CandidateGrade] = {}
    for name in wanted:
        path = found.get(name)
        if path is None or not path.is_file():
            grades[name] = ExerciseGrade(name, scenario_id, "hidden_tests", "missing")
            continue
        seed = int(entries[name]["seed"])
        result = check_exercise(path, exercise_id=exercise_id, seed=seed, hidden=hidden)
        described = f"`{path.name}` (SHA-256 {sha256(path)[:16]}...)"
        grade = ExerciseGrade(name, scenario_id, "hidden_tests", "graded", submission=described, tests=result)
        if write:
            folder = private_dir(key_folder / GRADES_DIR)
            files = {
                kind: folder / f"{name}.{suffix}"
                for kind, suffix in (("markdown", "md"), ("html", "html"), ("json", "json"))
            }
            write_private(files["markdown"], grade.to_markdown())
            write_private(files["html"], grade.to_html())
            write_private(files["json"], json.dumps(grade.to_dict(), indent=2, allow_nan=False) + "\n")
            grade = dataclasses.replace(grade, files=MappingProxyType(files))
        grades[name] = grade
    grading = ExerciseGrading(scenario_id, "hidden_tests", MappingProxyType(grades))
    if write and len(grades) > 1:
        folder = private_dir(key_folder / GRADES_DIR)
        files = {
            "markdown": folder / "comparison.md",
            "html": folder / "comparison.html",
            "csv": folder / "comparison.csv",
        }
        write_private(files["markdown"], grading.to_markdown())
        write_private(files["html"], grading.to_html())
        write_private(files["csv"], grading.table().to_csv(index=False))
        grading = dataclasses.replace(grading, files=MappingProxyType(files))
    return grading
