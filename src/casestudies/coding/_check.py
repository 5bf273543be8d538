"""The learner's front doors: :func:`start_exercise` writes the folder, :func:`check_exercise` runs the hidden battery.

Examples
--------
>>> import tempfile
>>> folder = start_exercise("metrics-v1", tempfile.mkdtemp())
>>> sorted(path.name for path in folder.iterdir())
['README.md', 'exercise.json', 'solution.py', 'test_public.py']
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from casestudies._version import VERSION
from casestudies.coding._catalog import LEARNER_FILES, Exercise, exercise
from casestudies.coding._child import load_module
from casestudies.coding._harness import Battery
from casestudies.coding._imports import banned_imports
from casestudies.coding._result import CheckResult, TestRecord
from casestudies.coding._runner import Limits, run_battery
from casestudies.core import SEED_LIKE, Boolean, IntRange, Optional, Rule, check_all, did_you_mean
from casestudies.exceptions import ExerciseError

__all__ = ["MARKER_FILE", "check_exercise", "exercise_of", "load_battery", "start_exercise"]

MARKER_FILE: Final = "exercise.json"
"""Written by :func:`start_exercise`: which exercise a folder holds, so ``check`` needs only the folder."""
SOLUTION_FILE: Final = "solution.py"
RULES_TEST: Final = "imports_only_allowed_libraries"
_MAX_EXAMPLES: Final = 10_000

_START_RULES: Final[dict[str, Rule]] = {"overwrite": Boolean()}
_CHECK_RULES: Final[dict[str, Rule]] = {"seed": Optional(SEED_LIKE), "examples": IntRange(1, _MAX_EXAMPLES)}


def start_exercise(exercise_id: str, out: str | os.PathLike[str], /, *, overwrite: bool = False) -> Path:
    """Write an exercise's starting folder: README.md, solution.py (stubs), test_public.py.

    Parameters
    ----------
    exercise_id : str
        An exercise of :func:`exercises`, e.g. ``"logistic-regression-v1"``.
    out : path
        Folder to write into (created if needed).
    overwrite : bool, default=False
        Replace a solution.py already there (your work!) with the stubs.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ExerciseError
        If the exercise is unknown, or ``out`` already holds a solution.py and ``overwrite`` is False.

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> folder = cs.start_exercise("logistic-regression-v1", tempfile.mkdtemp())
    >>> "def fit" in (folder / "solution.py").read_text()
    True
    """
    check_all("start_exercise()", _START_RULES, {"overwrite": overwrite})
    chosen = exercise(exercise_id)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ExerciseError(f"start_exercise(): out {str(folder)!r} is a file; pass a folder (created if missing).")
    if (folder / SOLUTION_FILE).exists() and not overwrite:
        message = (
            f"start_exercise({chosen.id!r}): {str(folder / SOLUTION_FILE)!r} already exists and would be replaced "
            "by the stubs. Choose another folder, or pass overwrite=True (--force) to start again."
        )
        raise ExerciseError(message)
    folder.mkdir(parents=True, exist_ok=True)
    for written, source in LEARNER_FILES.items():
        (folder / written).write_text((chosen.folder / source).read_text(encoding="utf-8"), encoding="utf-8")
    marker = {"exercise": chosen.id, "casestudies": VERSION}
    (folder / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return folder


def exercise_of(path: str | os.PathLike[str], exercise_id: str | None = None) -> tuple[Exercise, Path]:
    """The exercise a folder (or solution file) holds, and its solution.py.

    Raises
    ------
    ExerciseError
        If there is no solution.py, or no way to tell the exercise.
    """
    given = Path(path)
    solution = given if given.is_file() else given / SOLUTION_FILE
    if not solution.is_file():
        message = (
            f"no solution to check at {str(given)!r}: expected a folder with {SOLUTION_FILE} (written by "
            "`casestudies exercise start`) or the path of the file itself."
        )
        raise ExerciseError(message)
    if exercise_id is None:
        marker = solution.parent / MARKER_FILE
        try:
            exercise_id = str(json.loads(marker.read_text(encoding="utf-8"))["exercise"])
        except (OSError, ValueError, KeyError, TypeError):
            message = (
                f"cannot tell which exercise {str(solution)!r} solves: {str(marker)!r} is missing or unreadable. "
                "Pass the exercise id (--exercise ID, or exercise_id=...)."
            )
            raise ExerciseError(message) from None
    return exercise(exercise_id), solution


def load_battery(hidden: Path, name: str) -> Battery:
    """The battery of ``hidden/battery.py`` (loaded under ``name``, so two batteries never clash)."""
    battery: Battery = load_module(hidden / "battery.py", name).BATTERY
    return battery


def _rules_record(chosen: Exercise, solution: Path) -> TestRecord:
    allowed = f"numpy and the standard library (not {', '.join(chosen.banned)})"
    hint = f"The README's rules: use {allowed}. This is a check of the imports written in the file, not a sandbox."
    try:
        found = banned_imports(solution.read_text(encoding="utf-8"), chosen.banned)
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError) as err:
        return TestRecord(RULES_TEST, "rules", False, f"solution.py cannot be parsed: {err}", hint)
    if not found:
        return TestRecord(RULES_TEST, "rules", True)
    lines = ", ".join(f"{item.module} (line {item.line})" for item in found)
    return TestRecord(RULES_TEST, "rules", False, f"solution.py imports banned libraries: {lines}.", hint)


def check_exercise(
    path: str | os.PathLike[str],
    /,
    *,
    exercise_id: str | None = None,
    seed: int | None = None,
    tests: Sequence[str] | None = None,
    examples: int = 60,
    limits: Limits | None = None,
    hidden: str | os.PathLike[str] | None = None,
) -> CheckResult:
    """Run the hidden battery on a solution: one record per test, each failure with what went wrong and a hint.

    The solution runs in a child process with a time limit per test, a
    memory limit and capped output: an endless loop, a crash, ``sys.exit``
    or megabytes of prints fail the test they happen in, and the checker
    carries on. Imports are checked by reading the file (a check, not a
    sandbox): the exercise's banned libraries (scikit-learn, scipy, ...)
    fail the rules test.

    Parameters
    ----------
    path : path
        The exercise folder (with solution.py and exercise.json) or a solution file.
    exercise_id : str, optional
        Which exercise it solves, when the folder has no exercise.json.
    seed : int, optional
        Seed of the hidden data; default the exercise's (the same seed gives the same tests).
    tests : sequence of str, optional
        Run only these hidden tests (by name); default all.
    examples : int, default=60
        Examples drawn by each property-based test.
    limits : Limits, optional
        Time, memory and output limits; default the exercise's time limit and 1 GB.
    hidden : path, optional
        A folder with ``battery.py`` and ``reference.py`` to use instead of
        the catalog's (a take-home key keeps its own copy).

    Returns
    -------
    CheckResult
        ``to_dict()`` (JSON records: name, passed, message, hint), text, Markdown and HTML.

    Raises
    ------
    ExerciseError
        If there is no solution at ``path``, the exercise is unknown, or a test name is unknown.

    Examples
    --------
    >>> import shutil, tempfile, casestudies as cs
    >>> folder = cs.start_exercise("metrics-v1", tempfile.mkdtemp())
    >>> result = cs.check_exercise(folder, tests=["accuracy_matches_sklearn"])
    >>> result.passed, result.records[-1].message
    (False, 'raised NotImplementedError: write accuracy\\n  File ...
    """
    check_all("check_exercise()", _CHECK_RULES, {"seed": seed, "examples": examples})
    chosen, solution = exercise_of(path, exercise_id)
    hidden_folder = Path(hidden) if hidden is not None else chosen.folder
    battery = load_battery(hidden_folder, f"casestudies_battery_{chosen.id.replace('-', '_')}")
    names = [test.name for test in battery.tests]
    if tests is not None:
        unknown = [name for name in tests if name not in names]
        if unknown:
            message = (
                f"check_exercise({chosen.id!r}): no hidden test {unknown[0]!r}.{did_you_mean(unknown[0], names)} "
                f"The tests are: {', '.join(names)}."
            )
            raise ExerciseError(message)
    chosen_tests = [test for test in battery.tests if tests is None or test.name in tests]
    records = run_battery(
        solution=solution,
        battery=hidden_folder / "battery.py",
        reference=hidden_folder / "reference.py",
        tests=chosen_tests,
        seed=chosen.seed if seed is None else seed,
        limits=limits or Limits(seconds=chosen.seconds),
        examples=examples,
    )
    return CheckResult(
        chosen.id,
        str(solution),
        chosen.seed if seed is None else seed,
        (_rules_record(chosen, solution), *records),
        chosen.points,
    )
