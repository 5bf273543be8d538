"""Creating take-homes: one bundle per candidate and a private interviewer key.

Take-homes have two front doors: :func:`create_takehome` (here) writes one
candidate bundle per candidate and one private interviewer key;
:func:`~casestudies.takehome._grade.grade_takehome` checks a submission
against the key and writes grading reports. Both are also the
``casestudies takehome create|grade`` commands.

Every candidate gets their own variant, hidden behind keyed random ids and
committed to by the bundle's manifest (:mod:`casestudies.takehome._variant`);
the variants of a batch are checked to be equally hard
(:mod:`casestudies.takehome._difficulty`).

The key as data
---------------
A scenario's rubric and take-home settings live next to its preset, in
``scenarios/takehome/<id>.toml`` (see :class:`~casestudies.takehome._rubric.Rubric`);
a scenario without one gets a generic rubric built from its spec. Scenarios that plant causes
(``case.reveal("world")["faults"]``, the overfit family) get their
diagnosis graded by ``Case.grade_diagnosis``; a rubric may name another
*diagnosis grader*, ``"module:function"`` called as ``grader(path, case)``
(see :class:`casestudies.takehome._diagnosis.DiagnosisGrader`);
``grade_takehome`` reports "not supported" for scenarios with neither.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np

from casestudies.core import (
    SEED_LIKE,
    Boolean,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    ScenarioSpec,
    check_all,
    resolve_params,
)
from casestudies.core import spec as _spec
from casestudies.exceptions import InvalidParameterError, TakehomeError
from casestudies.takehome._bundle import Batch, write_key_files, write_key_json, write_variant, zip_bundle
from casestudies.takehome._difficulty import Difficulty, furthest, spreads
from casestudies.takehome._exercise import SOLUTION_FILE as EXERCISE_SOLUTION
from casestudies.takehome._exercise import create_exercise_takehome, is_exercise_takehome
from casestudies.takehome._layout import (
    BUNDLES_DIR,
    FAULTS,
    GRADES_DIR,
    KEY_DIR,
    SUBMISSION_FILE,
    candidate_key_dir,
    make_private,
    private_dir,
    sha256,
)
from casestudies.takehome._rubric import GENERIC_SOURCE, MAX_HOURS, Rubric, takehome_rubric, tolerances
from casestudies.takehome._seal import seal
from casestudies.takehome._variant import Secret, Variant, draw_variant

__all__ = ["Takehome", "create_takehome"]

_CANDIDATE_NAME: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?")
"""A safe folder name everywhere: ASCII, 1 to 64 characters, no leading or trailing dot."""
_RESERVED_NAMES: Final = frozenset(
    {"comparison", "con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))}
)  # grades/comparison.* belongs to the comparison; the others are devices on Windows
_STAGING_PREFIX: Final = ".takehome-"  # the folder a take-home is built in, inside ``out``, before it moves into place
_MIN_HOURS: Final = 0.25  # a quarter of an hour: shorter time guidance is a typo
_MAX_REDRAWS: Final = 100  # more redraws than this means the tolerance cannot be met, not bad luck


@dataclass(frozen=True, slots=True)
class Takehome:
    """What :func:`create_takehome` wrote.

    Attributes
    ----------
    scenario_id : str
    out : Path
        The take-home folder.
    key : Path
        The interviewer key folder (``out / "key"``): keep it private.
    bundles : Mapping[str, Path]
        Candidate -> bundle folder (``out / "bundles" / candidate``).
    zips : Mapping[str, Path]
        Candidate -> zip of the bundle (empty unless asked for).
    difficulty : Difficulty
        Each variant's oracle and reference scores, their spread and the tolerance.
    kind : {"scenario", "exercise"}
        ``"exercise"`` for a coding exercise (``exercise:<id>``): the bundles
        hold stubs, the key the hidden battery; difficulty is not measured.
    """

    scenario_id: str
    out: Path
    key: Path
    bundles: Mapping[str, Path]
    zips: Mapping[str, Path]
    difficulty: Difficulty
    kind: str = "scenario"

    def to_dict(self) -> dict[str, object]:
        """Plain data (paths as strings)."""
        return {
            "scenario_id": self.scenario_id,
            "out": str(self.out),
            "key": str(self.key),
            "bundles": {name: str(path) for name, path in self.bundles.items()},
            "zips": {name: str(path) for name, path in self.zips.items()},
            "difficulty": self.difficulty.to_dict(),
            "kind": self.kind,
        }

    def __str__(self) -> str:
        count = len(self.bundles)
        lines = [
            f"{self.scenario_id} take-home for {count} candidate{'s' if count != 1 else ''} in {self.out}",
            *([f"  {self.difficulty}"] if self.kind == "scenario" else []),
        ]
        for name, path in self.bundles.items():
            extra = f" and {self.zips[name]}" if name in self.zips else ""
            lines.append(f"  send {name}: {path}{extra}")
        lines.append(f"  keep private: {self.key} (answer keys, secret seeds, rubric)")
        first = next(iter(self.bundles), "CANDIDATE")
        submitted = SUBMISSION_FILE if self.kind == "scenario" else f"{first}/{EXERCISE_SOLUTION}"
        lines.append(f"Grade with: casestudies takehome grade {self.key} {first} {submitted}")
        return "\n".join(lines)


_CREATE_RULES: Final[dict[str, Rule]] = {
    "seed": SEED_LIKE,
    "max_redraws": IntRange(0, _MAX_REDRAWS),
    "hours": Optional(FloatRange(_MIN_HOURS, MAX_HOURS)),
    "zip_bundles": Boolean(),
    "baselines": Boolean(),
    "overwrite": Boolean(),
}


def _candidate_names(candidates: object, where: str) -> list[str]:
    """The candidate names as a list, checked (``candidates`` from any caller).

    Names map to files by appending to them: ``bundles/<name>/``,
    ``bundles/<name>.zip``, ``key/candidates/<name>/``, ``grades/<name>.md``
    and, in a folder of submissions, ``<name>.csv`` and
    ``<name>.diagnosis.md``; a submitted file belongs to the longest
    candidate name it starts with, followed by a dot. No name is cut at a
    dot, so dots are allowed, and these files never collide when: a name is
    1 to 64 ASCII letters, digits, '.', '_' or '-', starts with a letter or
    digit and does not end with '.' (ASCII only: no two names look alike or
    become one under NFKC normalisation); no two names are equal ignoring
    case (case-insensitive file systems); no name is another followed by '.'
    (``alice`` and ``alice.zip``); and none is ``comparison`` or a Windows
    device name.

    Raises
    ------
    TakehomeError
        Naming every broken rule at once, with the names that break it.
    """
    names: list[object]
    if isinstance(candidates, str):
        names = [name.strip() for name in candidates.split(",") if name.strip()]
    elif isinstance(candidates, Iterable):
        names = list(candidates)
    else:
        message = (
            f"{where}: candidates must be a list of names or a comma-separated string like 'alice,bob'; "
            f"got {candidates!r}."
        )
        raise TakehomeError(message)
    if not names:
        raise TakehomeError(f"{where}: candidates is empty; pass at least one name, like candidates=['alice', 'bob'].")
    problems = []
    bad = [name for name in names if not isinstance(name, str) or not _CANDIDATE_NAME.fullmatch(name)]
    if bad:
        problems.append(
            "candidate names become folder names, so they must start with a letter or digit and use only "
            f"letters, digits, '.', '_' and '-' (at most 64 characters); got {bad!r}. Letters and digits are the "
            "ASCII ones (A-Z, a-z, 0-9), so that no two names look alike or become one under Unicode normalisation "
            "(NFKC), and a name may not end with '.', which Windows drops from folder names. Use e.g. 'alice_smith'."
        )
    valid = [name for name in names if isinstance(name, str) and _CANDIDATE_NAME.fullmatch(name)]
    problems += _colliding_names(valid)
    if problems:
        raise TakehomeError(f"{where}: " + " ".join(problems))
    return valid


def _colliding_names(names: Sequence[str]) -> list[str]:
    """What is wrong with a list of well-formed names taken together: reserved names, repeats, shared file names."""
    problems = []
    reserved = [name for name in names if name.lower().partition(".")[0] in _RESERVED_NAMES]
    if reserved:
        problems.append(
            f"{reserved!r} cannot be candidate names: 'comparison' is the name of the grading comparison "
            f"({GRADES_DIR}/comparison.md), and con, prn, aux, nul, com1 to com9 and lpt1 to lpt9 (with or without "
            "an extension) cannot name folders on Windows. Add to the name, e.g. "
            f"{reserved[0].partition('.')[0] + '_1'!r}."
        )
    folded: dict[str, str] = {}
    repeated = []
    for name in names:
        if name.lower() in folded:
            repeated.append(f"{folded[name.lower()]!r}/{name!r}")
        folded[name.lower()] = name
    if repeated:
        problems.append(
            "Candidate names must be unique ignoring case ('Ann' and 'ann' are the same folder on macOS and "
            f"Windows); repeated: {', '.join(repeated)}."
        )
    extended = [
        (short, long)
        for short in dict.fromkeys(names)
        for long in dict.fromkeys(names)
        if long.lower().startswith(short.lower() + ".")
    ]
    if extended:
        pairs = ", ".join(f"{short!r}/{long!r}" for short, long in extended)
        example = extended[0][1]
        problems.append(
            "No candidate name may be another one followed by '.' (ignoring case): a candidate's files are named "
            "<name>.zip, <name>.csv and <name>.diagnosis.md, so 'alice' and 'alice.v2' (or 'alice.zip') would be "
            f"confused; got {pairs}. Use '_' or '-' instead of the dot, e.g. {example.replace('.', '_')!r} "
            f"for {example!r}."
        )
    return problems


def _check_out(out: Path, *, overwrite: bool, where: str) -> None:
    """Refuse an ``out`` that is a file, or holds a take-home unless ``overwrite``; nothing is changed here."""
    if out.exists() and not out.is_dir():
        raise TakehomeError(f"{where}: out {str(out)!r} is a file; pass a folder (it is created if missing).")
    taken = [out / part for part in (KEY_DIR, BUNDLES_DIR) if (out / part).exists()]
    if taken and not overwrite:
        message = (
            f"{where}: {str(out)!r} already holds a take-home ({', '.join(path.name + '/' for path in taken)}); "
            "creating another would destroy its key. "
            "Choose another folder, or pass overwrite=True (--force) to replace it."
        )
        raise TakehomeError(message)


def _pick_reference(scenario: ScenarioSpec, rubric: Rubric, baselines: bool) -> str | None:
    if not baselines:
        return None
    if rubric.reference is not None:
        return rubric.reference
    if "expert" in scenario.baselines:
        return "expert"
    others = [name for name in scenario.baselines if name != "prior"]
    return others[-1] if others else None


def create_takehome(
    scenario_id: str,
    /,
    *,
    candidates: Sequence[str] | str,
    out: str | os.PathLike[str],
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    zip_bundles: bool = False,
    tolerance: float | Mapping[str, float] | None = None,
    max_redraws: int = 8,
    baselines: bool = True,
    rubric: str | os.PathLike[str] | None = None,
    hours: float | None = None,
    overwrite: bool = False,
    progress: Callable[[str], object] | None = None,
) -> Takehome:
    """Write a take-home: one bundle per candidate and a private interviewer key.

    Each candidate gets their own variant of the scenario (a secret seed,
    keyed random ids, shuffled test rows); the variants are checked to be
    equally hard. Writes ``out/bundles/<candidate>/`` (README.md,
    ``data/train|test.parquet|csv``, ``submission_template.csv``,
    ``starter.ipynb``, ``manifest.json``), optionally
    ``out/bundles/<candidate>.zip``, and ``out/key/``, which only your user
    may read (folders 0700, files 0600).

    All or nothing: the take-home is built in a hidden folder inside ``out``
    and moved into place at the end, so an error or Ctrl-C leaves ``out`` as
    it was (a take-home it replaces included) and running again works.

    Parameters
    ----------
    scenario_id : str
        A registered scenario id, e.g. ``"fraud-v1"``; or ``"exercise:<id>"``
        for a coding exercise (``"exercise:logistic-regression-v1"``): the
        bundles hold its README, stubs and public tests, the key its hidden
        battery and each candidate's secret data seed (``params``,
        ``tolerance``, ``rubric`` and ``baselines`` do not apply).
    candidates : list of str or str
        Candidate names, or a comma-separated string. Each becomes folder and
        file names: 1 to 64 ASCII letters, digits, '.', '_' or '-', starting
        with a letter or digit and not ending with '.'; unique ignoring case;
        none another followed by '.' (``alice`` and ``alice.v2``); not
        ``comparison`` nor a Windows device name (``con``, ``nul``, ...).
    out : path
        Folder to write into; created if needed.
    seed : int or None, default=None
        Seed of the secrets. Leave it None for real take-homes (128 bits of
        fresh entropy); an int makes the whole take-home reproducible, and
        anyone who knows it can rebuild every key.
    params : Mapping, optional
        Generator parameters, as for :func:`casestudies.make`.
    zip_bundles : bool, default=False
        Also write ``bundles/<candidate>.zip``, ready to send.
    tolerance : float or Mapping, optional
        Largest spread (max - min) across variants of the oracle's and of the
        reference pipeline's primary metric on the whole holdout: one number
        for both, or ``{"oracle": ..., "reference": ...}``. Default: the
        rubric's, else :data:`~casestudies.takehome._rubric.DEFAULT_TOLERANCE`
        (0.05 and 0.10).
    max_redraws : int, default=8
        Variants that may be drawn again to meet the tolerance.
    baselines : bool, default=True
        Fit the scenario's baselines on each variant: the reference
        pipeline's score joins the difficulty check and grades are placed
        against them. False measures difficulty by the oracle alone (fast).
    rubric : path, optional
        A rubric TOML file replacing the scenario's (see :class:`Rubric`).
    hours : float, optional
        Time guidance in the README; default the rubric's.
    overwrite : bool, default=False
        Replace a take-home already in ``out`` (once the new one is complete).
    progress : callable, optional
        Called with a line of text as each variant is drawn and scored (the
        command line prints them; fitting the reference takes a while).

    Returns
    -------
    Takehome
        Paths written and the measured :class:`Difficulty`.

    Raises
    ------
    TakehomeError
        If a candidate name is invalid, ``out`` already holds a take-home, or
        no batch of variants meets the tolerance within ``max_redraws``.
    InvalidParameterError
        If a parameter is out of range.

    See Also
    --------
    grade_takehome : Grade submissions against the key.

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> out = tempfile.mkdtemp()
    >>> takehome = cs.create_takehome("fraud-v1", candidates=["alice", "bob"], out=out, seed=1,
    ...                               params={"n_customers": 300, "n_days": 35}, baselines=False)
    >>> sorted(takehome.bundles), takehome.key.name
    (['alice', 'bob'], 'key')
    >>> sorted(path.name for path in takehome.bundles["alice"].iterdir())
    ['README.md', 'data', 'manifest.json', 'starter.ipynb', 'submission_template.csv']
    """
    if is_exercise_takehome(scenario_id):  # a coding exercise: stubs in the bundles, the hidden battery in the key
        where = f"create_takehome({scenario_id!r})"
        check_all(
            where,
            _CREATE_RULES,
            {"seed": seed, "max_redraws": max_redraws, "hours": hours}
            | {"zip_bundles": zip_bundles, "baselines": baselines, "overwrite": overwrite},
        )
        names = _candidate_names(candidates, where)
        _check_out(Path(out), overwrite=overwrite, where=where)
        key, bundles, zips = create_exercise_takehome(
            scenario_id, names, Path(out), seed=seed, zip_bundles=zip_bundles, hours=hours, install=_move_into_place
        )
        same = Difficulty(metric="hidden tests", reference=None, tolerance={}, scores={}, spread={})
        return Takehome(
            scenario_id, Path(out), key, MappingProxyType(bundles), MappingProxyType(zips), same, "exercise"
        )
    scenario = _spec(scenario_id)
    where = f"create_takehome({scenario.id!r})"
    check_all(
        where,
        _CREATE_RULES,
        {
            "seed": seed,
            "max_redraws": max_redraws,
            "hours": hours,
            "zip_bundles": zip_bundles,
            "baselines": baselines,
            "overwrite": overwrite,
        },
    )
    names = _candidate_names(candidates, where)
    resolved = resolve_params(scenario, dict(params or {}), where=where)
    chosen = takehome_rubric(scenario.id, rubric=rubric)
    try:
        limit = tolerances(tolerance, chosen.tolerance)
    except ValueError as err:
        raise InvalidParameterError(f"{where}: tolerance {err}") from None
    reference = _pick_reference(scenario, chosen, baselines)
    out_dir = Path(out)
    _check_out(out_dir, overwrite=overwrite, where=where)

    rng = np.random.default_rng(np.random.SeedSequence(seed) if seed is not None else np.random.SeedSequence())

    def draw(name: str) -> Variant:
        variant = draw_variant(name, scenario, resolved, Secret.draw(rng), baselines=baselines, reference=reference)
        if progress is not None:
            measured = ", ".join(f"{measure} {value:.3f}" for measure, value in variant.difficulty().items())
            progress(
                f"drew {name}'s variant: {len(variant.case.train):,} training and {len(variant.case.test):,} "
                f"test rows; {scenario.metric} {measured}"
            )
        return variant

    variants, difficulty = _draw_batch(
        names,
        draw,
        scenario=scenario,
        reference=reference,
        limit=limit,
        max_redraws=max_redraws,
        where=where,
        progress=progress,
    )
    batch = _batch(scenario, resolved, chosen, variants, hours=hours)
    return _write_takehome(
        out_dir, batch=batch, variants=variants, difficulty=difficulty, zipped=zip_bundles, baselines=baselines
    )


def _draw_batch(
    names: Sequence[str],
    draw: Callable[[str], Variant],
    *,
    scenario: ScenarioSpec,
    reference: str | None,
    limit: Mapping[str, float],
    max_redraws: int,
    where: str,
    progress: Callable[[str], object] | None,
) -> tuple[dict[str, Variant], Difficulty]:
    """Draw a variant per candidate, then redraw the one furthest from the median until the spread is in tolerance.

    Raises
    ------
    TakehomeError
        If the spread is still over the tolerance after ``max_redraws`` redraws.
    """
    variants = {name: draw(name) for name in names}
    history = [variant.difficulty() for variant in variants.values()]
    rejected: list[dict[str, float]] = []
    while any(spread > limit[measure] for measure, spread in spreads(variants).items()):
        if len(rejected) >= max_redraws:
            found = ", ".join(
                f"{measure} {value:.3f} (tolerance {limit[measure]:g})" for measure, value in spreads(variants).items()
            )
            message = (
                f"{where}: after {max_redraws} redraws the variants' {scenario.metric} still spreads by {found}. "
                "The holdout is probably too small for that tolerance: pass a larger tolerance (--tolerance), more "
                "test rows through params, or more redraws (max_redraws)."
            )
            raise TakehomeError(message)
        worst = furthest(variants, history, limit)
        if progress is not None:
            found = ", ".join(f"{measure} {value:.3f}" for measure, value in spreads(variants).items())
            progress(
                f"spread {found} is over the tolerance; redrawing {worst}'s variant (the furthest from the median)"
            )
        rejected.append(variants[worst].difficulty())
        variants[worst] = draw(worst)
        history.append(variants[worst].difficulty())
    difficulty = Difficulty(
        metric=scenario.metric,
        reference=reference,
        tolerance=MappingProxyType({measure: limit[measure] for measure in spreads(variants)}),
        scores={name: variant.difficulty() for name, variant in variants.items()},
        spread=spreads(variants),
        redraws=len(rejected),
        rejected=tuple(rejected),
    )
    return variants, difficulty


def _batch(
    scenario: ScenarioSpec,
    params: Mapping[str, object],
    rubric: Rubric,
    variants: Mapping[str, Variant],
    *,
    hours: float | None,
) -> Batch:
    """What every bundle shares; scenarios that plant causes get the fault diagnosis (and its generic topic)."""
    guidance = float(hours if hours is not None else rubric.hours)
    first = next(iter(variants.values()))
    faults = isinstance(first.case.reveal("world").get("faults"), Mapping)
    if faults and rubric.source == GENERIC_SOURCE:
        rubric = Rubric.generic(scenario, faults=True)
    grader = rubric.diagnosis or (FAULTS if faults else "")
    return Batch(scenario=scenario, params=params, rubric=rubric, hours=guidance, grader=grader)


def _write_takehome(
    out_dir: Path,
    *,
    batch: Batch,
    variants: Mapping[str, Variant],
    difficulty: Difficulty,
    zipped: bool,
    baselines: bool,
) -> Takehome:
    """Build the take-home in a private folder inside ``out_dir``, then move its two parts into place.

    All or nothing: an error or Ctrl-C before the end leaves ``out_dir`` as it
    was (a take-home being replaced stays until the new one is in place, and a
    folder created for this one is removed), so running again works. Only a
    killed process can leave its hidden ``.takehome-*`` folder behind; it
    blocks nothing and holds a key, so delete it.
    """
    created = _missing_parents(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out_dir))  # private: mode 0700
        try:
            zips = _write_parts(
                staging, batch=batch, variants=variants, difficulty=difficulty, zipped=zipped, baselines=baselines
            )
            _move_into_place(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        for folder in created:  # deepest first; a folder someone else wrote into stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    bundles = {name: out_dir / BUNDLES_DIR / name for name in variants}
    zip_paths = {name: out_dir / BUNDLES_DIR / path.name for name, path in zips.items()}
    return Takehome(
        batch.scenario.id,
        out_dir,
        out_dir / KEY_DIR,
        MappingProxyType(bundles),
        MappingProxyType(zip_paths),
        difficulty,
    )


def _missing_parents(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    return missing


def _write_parts(
    staging: Path,
    *,
    batch: Batch,
    variants: Mapping[str, Variant],
    difficulty: Difficulty,
    zipped: bool,
    baselines: bool,
) -> dict[str, Path]:
    """Write the key's files and seal, every bundle (and zip) and the candidates' parts of the key, then ``key.json``.

    The key ends private (folders 0700, files 0600); returns the zips written.
    """
    key_dir = private_dir(staging / KEY_DIR)
    data = write_key_files(
        key_dir, batch=batch, variants=variants, difficulty=difficulty, zipped=zipped, baselines=baselines
    )
    sealed = seal(data, key_dir)
    zips: dict[str, Path] = {}
    entries: dict[str, dict[str, object]] = {}
    for name, variant in variants.items():
        bundle_dir = staging / BUNDLES_DIR / name
        entries[name] = write_variant(
            variant, batch=batch, bundle_dir=bundle_dir, key_dir=candidate_key_dir(key_dir, name), sealed=sealed
        )
        if zipped:
            zips[name] = zip_bundle(bundle_dir)
            entries[name]["zip_sha256"] = sha256(zips[name])
    write_key_json(key_dir, data, entries)
    make_private(key_dir)
    return zips


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Rename ``staging/bundles`` and ``staging/key`` into ``out_dir``, setting aside what they replace.

    Each rename within one file system is atomic; if one fails or is
    interrupted, those done are undone in reverse and what was replaced is put
    back. A move is recorded before it runs, and undone only if it happened.
    """
    moves: list[tuple[Path, Path]] = []
    try:
        for part in (BUNDLES_DIR, KEY_DIR):
            target = out_dir / part
            if target.exists() or target.is_symlink():  # overwrite: kept in staging until the new one is in place
                moves.append((target, staging / f"replaced-{part}"))
                os.replace(*moves[-1])
            moves.append((staging / part, target))
            os.replace(*moves[-1])
    except BaseException:
        for source, destination in reversed(moves):
            if destination.exists() and not source.exists():
                os.replace(destination, source)
        raise
