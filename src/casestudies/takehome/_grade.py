"""Grading take-homes: match the submission to its variant, score, place, report.

The second front door of take-homes, :func:`grade_takehome`, and the
scenario contract's round trip, :func:`check_takehome`. Integrity checks of
the key and the bundle live in :mod:`casestudies.takehome._verify`; what
grading returns in :mod:`casestudies.takehome._results`. See
:mod:`casestudies.takehome._variant` for how variants are hidden and
committed to.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, run_with_timeout
from casestudies.core import Boolean, Choice, Rule, ScenarioSpec, check_all, closest, counted, possessive, track
from casestudies.core import spec as _spec
from casestudies.exceptions import (
    PipelineTimeoutError,
    Problem,
    ProblemCode,
    SubmissionError,
    TakehomeError,
    TakehomeIntegrityError,
)
from casestudies.scoring import SubmissionContext, for_spec, read_prediction_file
from casestudies.takehome._check import bundle_truth, check_bundle
from casestudies.takehome._create import create_takehome
from casestudies.takehome._diagnosis import grade_diagnosis
from casestudies.takehome._exercise import exercise_key, grade_exercise_takehome
from casestudies.takehome._grade_args import check_candidate_names, check_grade_arguments, failed_grade
from casestudies.takehome._layout import (
    ANSWER_KEY_FILE,
    BUNDLES_DIR,
    DATA_DIR,
    GRADES_DIR,
    SUBMISSION_FILE,
    TEMPLATE_FILE,
    private_dir,
    sha256,
    write_private,
)
from casestudies.takehome._results import CandidateGrade, Grading, code_span, place
from casestudies.takehome._variant import Disguise, score_seeded
from casestudies.takehome._verify import Key, Verified, default_bundles, load_key, verify

__all__ = ["check_takehome", "grade_takehome"]

_OWN_SHARE: Final = 0.5  # a submission belongs to a variant when most of its ids are that variant's
_SUBMISSION_SUFFIXES: Final = (".csv", ".parquet", ".pq", ".csv.gz")
_UNKNOWN_ID: Final = -1  # a bundle id no variant knows; the task's validator reports it as unknown


# ---------------------------------------------------------------------------
# Matching a submission to its variant
# ---------------------------------------------------------------------------


def _normalise_ids(values: pd.Series | np.ndarray) -> pd.Index:
    """Ids as strings of integers when they are integral numbers, else as strings: comparable across CSV and Parquet."""
    series = pd.Series(values)
    numbers = pd.to_numeric(series, errors="coerce")
    integral = len(series) and numbers.notna().all() and bool((numbers % 1 == 0).all())
    ids: pd.Index = pd.Index((numbers.astype("int64") if integral else series).astype(str))
    return ids


def _variant_column(frame: pd.DataFrame, verified: Verified, id_column: str) -> tuple[str, np.ndarray]:
    """The id column that ties a submission to a variant, and this candidate's values of it.

    The row id (``id_column``); for a rating submission in ``user_id, movie_id, rating`` form, ``user_id``
    (every user and movie id of a recommender bundle is the candidate's own random number).
    """
    columns = [str(column) for column in frame.columns]
    hidden = verified.disguise
    if (
        id_column not in columns
        and "id" not in columns
        and hidden is not None
        and "user_id" in hidden.entity_ids
        and "user_id" in columns
    ):
        return "user_id", hidden.test["user_id"].to_numpy()
    return id_column, verified.test_ids


def _check_variant(frame: pd.DataFrame, *, key: Key, candidate: str, verified: Verified, id_column: str) -> None:
    """Reject a submission whose ids are not this candidate's, naming the variant they belong to."""
    columns = [str(column) for column in frame.columns]
    id_column, own_ids = _variant_column(frame, verified, id_column)
    id_name = id_column if id_column in columns else ("id" if "id" in columns else None)
    if id_name is None:
        problem = Problem(
            ProblemCode.WRONG_COLUMNS,
            f"columns {id_column!r} and 'prediction' "
            "(a take-home submission carries the ids of the candidate's bundle)",
            f"columns {columns}",
            f"Start from {TEMPLATE_FILE} in the bundle and keep its {id_column!r} column unchanged.",
        )
        raise SubmissionError(key.scenario_id, (problem,))
    submitted = _normalise_ids(frame[id_name].to_numpy()).unique()
    if not len(submitted):
        return  # the core validator reports the empty submission
    own = _normalise_ids(own_ids)
    share_own = float(submitted.isin(own).mean())
    if share_own >= _OWN_SHARE:
        return
    matches = _other_variants(submitted, key=key, candidate=candidate, id_column=id_column)
    raise SubmissionError(
        key.scenario_id, (_wrong_ids(candidate, id_column, len(own), len(submitted), share_own, matches),)
    )


def _other_variants(submitted: pd.Index, *, key: Key, candidate: str, id_column: str) -> list[tuple[float, str]]:
    """``(share, candidate)`` of every other variant that most of the submitted ids belong to."""
    matches = []
    for other in key.candidates:
        if other == candidate:
            continue
        try:
            their = pd.read_parquet(key.candidate_dir(other) / ANSWER_KEY_FILE, columns=[id_column])[id_column]
        except Exception:
            continue
        share = float(submitted.isin(_normalise_ids(their.to_numpy())).mean())
        if share >= _OWN_SHARE:
            matches.append((share, other))
    return matches


def _wrong_ids(
    candidate: str, id_column: str, n_own: int, n_submitted: int, share_own: float, matches: list[tuple[float, str]]
) -> Problem:
    """The problem of a submission whose ids are another variant's, or nobody's."""
    expected = (
        f"the {counted(n_own, f'{id_column} value')} of {possessive(candidate)} bundle "
        f"({BUNDLES_DIR}/{candidate}/{DATA_DIR}/test.csv)"
    )
    if matches:
        share, other = max(matches)
        received = (
            f"{counted(n_submitted, 'id')} of which {share:.0%} are from candidate {possessive(other)} bundle "
            f"and {share_own:.0%} from {possessive(candidate)}"
        )
        hint = (
            f"This file was made for {possessive(other)} variant, not {possessive(candidate)}. "
            f"Grade it as {possessive(other)}, or ask {candidate} for predictions on their own test.csv."
        )
        return Problem(ProblemCode.WRONG_VARIANT, expected, received, hint)
    received = (
        f"{counted(n_submitted, 'id')} of which {share_own:.0%} are {possessive(candidate)} "
        "and none match another candidate's bundle"
    )
    hint = (
        "The ids were changed, or the file was made for a bundle outside this take-home. "
        f"Ask {candidate} for predictions on their own test.csv with the ids unchanged."
    )
    return Problem(ProblemCode.UNKNOWN_IDS, expected, received, hint)


def _read_submission(submission: object, scenario_id: str) -> tuple[pd.DataFrame, str]:
    if isinstance(submission, pd.DataFrame):
        return submission, f"a DataFrame of {len(submission):,} rows"
    if isinstance(submission, (str, os.PathLike)):
        path = Path(submission)
        frame = read_prediction_file(path, scenario_id=scenario_id)
        return frame, f"{code_span(path.name)} (SHA-256 {sha256(path)[:16]}...)"
    problem = Problem(
        ProblemCode.WRONG_TYPE,
        "the path of a CSV or Parquet file, or a DataFrame",
        type(submission).__name__,
        f"Pass the candidate's {SUBMISSION_FILE}.",
    )
    raise SubmissionError(scenario_id, (problem,))


def _to_source_ids(frame: pd.DataFrame, case: Case, hidden: Disguise) -> pd.DataFrame:
    """A recommender submission in the generator's ids: bundle user, movie and row ids mapped back.

    Unknown ids become ``-1`` (reported by the task's validator as unknown).
    """
    maps = {
        column: dict(zip(_normalise_ids(bundle), source.tolist(), strict=True))
        for column, (source, bundle) in hidden.entity_ids.items()
    }
    if case.id_column not in maps:
        source_ids = host_view(case).test[case.id_column].tolist()
        maps[case.id_column] = dict(zip(_normalise_ids(hidden.test_ids), source_ids, strict=True))
    translated: pd.DataFrame = frame.copy()
    for column, mapping in maps.items():
        if column in translated.columns and len(translated):
            mapped = pd.Series(_normalise_ids(translated[column].to_numpy()).map(mapping), index=translated.index)
            translated[column] = pd.to_numeric(mapped, errors="coerce").fillna(_UNKNOWN_ID).astype(np.int64)
    return translated


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------


def _grade_one(
    key: Key, candidate: str, submission: object, diagnosis: str | os.PathLike[str] | None, verified: Verified
) -> CandidateGrade:
    case = verified.case
    spec = case.spec
    frame, described = _read_submission(submission, spec.id)
    _check_variant(frame, key=key, candidate=candidate, verified=verified, id_column=case.id_column)
    host = host_view(case)
    task = host.task
    if verified.disguise is not None and verified.disguise.entity_ids:
        source = _to_source_ids(frame, case, verified.disguise)
        values = task.validate(source, host.context.submission)
    else:
        bundle_rows = pd.DataFrame({case.id_column: verified.test_ids})
        values = task.validate(frame, SubmissionContext(spec.id, case.id_column, bundle_rows, spec.scoring))
    report = case.score(values, name=candidate, baselines=False)
    findings = tuple(
        finding
        for finding in task.findings(report.submission, verified.references, spec=spec)
        if finding.id != "public_private"
    )
    report = dataclasses.replace(report, references=verified.references, findings=findings)
    scores = score_seeded(case, values)
    references: dict[str, Mapping[str, object]] = {
        entry.name: {
            "kind": entry.kind,
            "description": entry.description,
            "scores": verified.references_all[entry.name],
        }
        for entry in verified.references
    }
    difficulty = key.data["difficulty"]
    reference_name = difficulty.get("reference") if isinstance(difficulty, Mapping) else None
    placement = place(
        float(scores[spec.metric]["estimate"]),
        {name: float(verified.references_all[name][spec.metric]["estimate"]) for name in references},
        metric=spec.metric,
        reference=None if reference_name is None else str(reference_name),
    )
    return CandidateGrade(
        candidate=candidate,
        scenario_id=spec.id,
        metric=spec.metric,
        status="graded",
        scores=scores,
        references=references,
        placement=placement,
        diagnosis=grade_diagnosis(str(key.data.get("diagnosis", "")), diagnosis, case),
        findings=findings,
        checks=(*verified.checks, "submission ids belong to this candidate's variant"),
        not_checked=verified.not_checked,
        submission=described,
        report=report,
    )


def _owner(file_name: str, names: Mapping[str, str]) -> tuple[str | None, str]:
    """The candidate a file of a submissions folder belongs to, and the rest of its name after ``<candidate>.``.

    The longest candidate name (ignoring case) that the file name starts with, followed by a dot: a name is never
    cut at a dot, so ``alice.v2.csv`` belongs to ``alice.v2`` when there is one (older keys allowed both).
    """
    lowered = file_name.lower()
    owners = [folded for folded in names if lowered.startswith(folded + ".")]
    if not owners:
        return None, ""
    folded = max(owners, key=len)
    return names[folded], lowered[len(folded) + 1 :]


def _scan_folder(folder: Path, candidates: Iterable[str]) -> tuple[dict[str, Path], dict[str, Path], list[str]]:
    """Find ``<candidate>.csv|.parquet`` (or ``<candidate>/submission.*``) and ``<candidate>.diagnosis.*`` files."""
    names = {name.lower(): name for name in candidates}
    submissions: dict[str, Path] = {}
    diagnoses: dict[str, Path] = {}
    ignored = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            owner = names.get(path.name.lower())
            found = [
                item
                for item in sorted(path.iterdir())
                if item.name.lower().startswith("submission") and item.name.lower().endswith(_SUBMISSION_SUFFIXES)
            ]
            if owner is None or not found:
                ignored.append(
                    f"{path.name}/: "
                    + ("no candidate of that name" if owner is None else f"no {SUBMISSION_FILE} inside")
                )
                continue
            submissions[owner] = found[0]
            diagnosis_files = [item for item in sorted(path.iterdir()) if item.name.lower().startswith("diagnosis")]
            if diagnosis_files:
                diagnoses[owner] = diagnosis_files[0]
            continue
        owner, rest = _owner(path.name, names)
        if owner is not None and rest.startswith("diagnosis"):
            diagnoses[owner] = path
        elif owner is not None and ("." + rest).endswith(_SUBMISSION_SUFFIXES):
            submissions[owner] = path
        else:
            stem = path.name.partition(".")[0]
            suggestion = closest(stem, list(names.values()))
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""  # tests assert this wording
            ignored.append(
                f"{path.name}: matches no candidate{hint}; name files <candidate>.csv and <candidate>.diagnosis.md"
            )
    return submissions, diagnoses, ignored


_GRADE_RULES: Final[dict[str, Rule]] = {"errors": Choice(("raise", "record")), "write": Boolean()}


def grade_takehome(
    key: str | os.PathLike[str],
    submissions: Mapping[str, object] | str | os.PathLike[str],
    /,
    *,
    diagnoses: Mapping[str, str | os.PathLike[str]] | None = None,
    bundles: str | os.PathLike[str] | None = None,
    errors: Literal["raise", "record"] = "raise",
    write: bool = True,
    progress: bool | None = None,
    timeout: float | None = None,
) -> Grading:
    """Grade take-home submissions against the interviewer key.

    For each candidate: checks that the key and the bundle are unchanged
    since creation (commitment, checksums, regeneration from the secret
    seed), that the submission's ids are that candidate's (a file made for
    another variant is rejected by name), scores every row of the hidden
    holdout with 95 % intervals, places the score against the baselines,
    the reference pipeline and the oracle, grades a diagnosis where the
    scenario has a grader, and writes ``key/grades/<candidate>.md|.html|.json``
    (and ``key/grades/comparison.md|.html|.csv`` for several candidates).

    Parameters
    ----------
    key : path
        The key folder (``out/key``) or the take-home folder ``out``.
    submissions : Mapping or path
        ``{candidate: file or DataFrame}``, or a folder of
        ``<candidate>.csv|.parquet`` files (or ``<candidate>/submission.csv``),
        with optional ``<candidate>.diagnosis.md`` files.
    diagnoses : Mapping, optional
        ``{candidate: diagnosis file}``; overrides files found in a folder.
    bundles : path, optional
        Folder of the bundles to check (default: ``bundles/`` next to the key):
        each candidate's folder and, when one was written at creation, their
        zip. What is not found there cannot be checked, and each grade says so
        in ``not_checked``.
    errors : {"raise", "record"}, default="raise"
        What an invalid submission does: raise its :class:`SubmissionError`,
        or be recorded as ``status="rejected"`` with its problems.
    write : bool, default=True
        Write the grading reports into ``key/grades/``.
    progress : bool or None, default=None
        A progress bar over the candidates; ``None``: only on a terminal or
        in a notebook (see :func:`casestudies.core.progress_enabled`).
    timeout : float, optional
        Seconds each candidate's grading may take; it then runs in a separate
        process, and one that does not finish is recorded as
        ``status="failed"`` (with ``error`` saying so) while grading goes on.

    Returns
    -------
    Grading
        Grades by candidate, ``table()`` to compare them, files written.

    Raises
    ------
    TakehomeIntegrityError
        If the key or a bundle changed after creation.
    TakehomeError
        If the key folder or a candidate name is wrong.
    SubmissionError
        If a submission is invalid or made for another variant (with
        ``errors="raise"``).

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> out = tempfile.mkdtemp()
    >>> _ = cs.create_takehome("fraud-v1", candidates=["alice", "bob"], out=out, seed=1,
    ...                        params={"n_customers": 300, "n_days": 35}, baselines=False)
    >>> template = f"{out}/bundles/alice/submission_template.csv"
    >>> grading = cs.grade_takehome(f"{out}/key", {"alice": template}, write=False)
    >>> grading["alice"].status, round(grading["alice"].scores["roc_auc"]["estimate"], 2)
    ('graded', 0.5)
    >>> try:  # doctest: +NORMALIZE_WHITESPACE
    ...     cs.grade_takehome(f"{out}/key", {"bob": template}, write=False)
    ... except cs.exceptions.SubmissionError as err:
    ...     print(err.problems[0].hint)
    This file was made for alice's variant, not bob's.
    Grade it as alice's, or ask bob for predictions on their own test.csv.
    """
    check_all("grade_takehome()", _GRADE_RULES, {"errors": errors, "write": write})
    check_grade_arguments(key=key, diagnoses=diagnoses, bundles=bundles, timeout=timeout)
    exercise_folder = exercise_key(key)
    if exercise_folder is not None:  # a coding exercise's key: its hidden battery grades each solution.py
        return grade_exercise_takehome(exercise_folder, submissions, write=write)
    loaded = load_key(key)
    wanted, pending, found_diagnoses, ignored = _gather(loaded, submissions, diagnoses)
    bundle_root = Path(bundles) if bundles is not None else default_bundles(loaded)
    grades: dict[str, CandidateGrade] = {}
    metric = _spec(loaded.scenario_id).metric
    for name in track(wanted, f"grading {loaded.scenario_id}", enabled=progress, unit="candidate"):
        if name not in pending:
            grades[name] = CandidateGrade(name, loaded.scenario_id, metric, "missing")
            continue
        verified = verify(loaded, name, bundle_root)
        try:
            grade = run_with_timeout(
                _grade_one,
                loaded,
                name,
                pending[name],
                found_diagnoses.get(name),
                verified,
                seconds=timeout,
                where="grade_takehome()",
                subject=f"grading {name}",
            )
        except SubmissionError as err:
            if errors == "raise":
                raise
            grade = _rejected(loaded, name, metric, pending[name], verified, err)
        except PipelineTimeoutError as err:  # recorded whatever ``errors`` says: the others are still graded
            grade = failed_grade(loaded.scenario_id, name, metric, verified, err)
        if write:
            grade = _write_grade(loaded, grade)
        grades[name] = grade
    grading = Grading(loaded.scenario_id, metric, MappingProxyType(grades), tuple(ignored))
    if write and len(grades) > 1:
        grading = dataclasses.replace(grading, files=MappingProxyType(_write_comparison(loaded, grading)))
    return grading


def _gather(
    key: Key,
    submissions: object,  # checked here: callers without type checking pass anything
    diagnoses: Mapping[str, str | os.PathLike[str]] | None,
) -> tuple[list[str], dict[str, object], dict[str, str | os.PathLike[str]], list[str]]:
    """Candidates to grade, their submissions and diagnosis files, and files of a folder that match nobody."""
    ignored: list[str] = []
    found_diagnoses: dict[str, str | os.PathLike[str]] = {}
    if isinstance(submissions, (str, os.PathLike)):
        folder = Path(submissions)
        if not folder.is_dir():
            message = (
                "grade_takehome(): submissions must be a folder of <candidate>.csv files or a mapping "
                f"{{candidate: file}}; got {str(folder)!r}, which is not a folder. "
                f"To grade one file, pass {{'alice': {str(folder)!r}}}."
            )
            raise TakehomeError(message)
        submitted, found, ignored = _scan_folder(folder, key.candidates)
        found_diagnoses.update(found)
        wanted: list[str] = list(key.candidates)
        pending: dict[str, object] = dict(submitted)
    elif isinstance(submissions, Mapping):
        pending = dict(submissions)
        wanted = list(pending)
        check_candidate_names(wanted, key.candidates, argument="submissions")
        for name in wanted:
            key.require(name)
    else:
        message = (
            "grade_takehome(): submissions must be a mapping {candidate: file} or a folder; "
            f"got {type(submissions).__name__}."
        )
        raise TakehomeError(message)
    check_candidate_names(diagnoses or {}, key.candidates, argument="diagnoses")
    for name in diagnoses or {}:
        key.require(name)
    found_diagnoses.update(diagnoses or {})
    return wanted, pending, found_diagnoses, ignored


def _rejected(
    key: Key, name: str, metric: str, source: object, verified: Verified, err: SubmissionError
) -> CandidateGrade:
    """The grade of a submission that failed validation, recorded with its problems."""
    described = code_span(Path(source).name) if isinstance(source, (str, os.PathLike)) else type(source).__name__
    return CandidateGrade(
        name,
        key.scenario_id,
        metric,
        "rejected",
        checks=verified.checks,
        not_checked=verified.not_checked,
        problems=err.problems,
        submission=described,
    )


def _write_grade(key: Key, grade: CandidateGrade) -> CandidateGrade:
    """Write a candidate's grading reports into ``key/grades/``, readable by their owner only."""
    folder = private_dir(key.folder / GRADES_DIR)
    files = {
        "markdown": folder / f"{grade.candidate}.md",
        "html": folder / f"{grade.candidate}.html",
        "json": folder / f"{grade.candidate}.json",
    }
    write_private(files["markdown"], grade.to_markdown())
    write_private(files["html"], grade.to_html())
    write_private(files["json"], json.dumps(grade.to_dict(), indent=2, allow_nan=False) + "\n")
    return dataclasses.replace(grade, files=MappingProxyType(files))


def _write_comparison(key: Key, grading: Grading) -> dict[str, Path]:
    """Write the comparison of a grading run into ``key/grades/``, readable by its owner only."""
    folder = private_dir(key.folder / GRADES_DIR)
    files = {"markdown": folder / "comparison.md", "html": folder / "comparison.html", "csv": folder / "comparison.csv"}
    write_private(files["markdown"], grading.to_markdown())
    write_private(files["html"], grading.to_html())
    write_private(files["csv"], grading.table().to_csv(index=False))
    return files


# ---------------------------------------------------------------------------
# The scenario contract's round trip
# ---------------------------------------------------------------------------


def check_takehome(spec: ScenarioSpec, *, params: Mapping[str, object] | None = None, seed: int = 0) -> None:
    """Assert that a scenario makes a sound take-home: a bundle round trip for the scenario contract.

    Creates a two-candidate take-home (oracle-only difficulty, so it is fast)
    and checks: the bundle's files hold no label, seed or key; ids and test
    row order rank the holdout at chance (ROC-AUC for binary tasks, Spearman
    correlation for rating and top-N tasks: see
    ``casestudies.takehome._check._check_chance``); the manifest's
    commitment verifies against the key; the submission template and the
    oracle's own submission (true probabilities, true expected ratings, or
    truly best unseen movies, in the bundle's ids) grade, the latter exactly
    as the oracle; a submission made for the other candidate is rejected by
    name; a changed bundle file is detected. Works for every task type.

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario to check.
    params : Mapping, optional
        Generator parameters (small sizes keep the check fast).
    seed : int, default=0
        Seed of the take-home's secrets.

    Raises
    ------
    AssertionError
        Naming the first broken rule.

    Examples
    --------
    >>> import casestudies as cs
    >>> check_takehome(cs.spec("fraud-v1"), params={"n_customers": 300, "n_days": 35})
    """
    with tempfile.TemporaryDirectory() as folder:
        takehome = create_takehome(
            spec.id,
            candidates=["ada", "grace"],
            out=Path(folder),
            seed=seed,
            params=params,
            baselines=False,
            tolerance=float("inf"),  # any spread: this checks the bundles, not how alike the variants are
        )
        task = for_spec(spec)
        for name, bundle in takehome.bundles.items():
            check_bundle(spec, task, bundle, takehome.key, name)
        grading = grade_takehome(takehome.key, {"ada": takehome.bundles["ada"] / TEMPLATE_FILE})
        if not (grading["ada"].status == "graded" and grading["ada"].files["html"].is_file()):
            raise AssertionError(f"{spec.id}: the submission template does not grade")
        perfect = bundle_truth(takehome.key, "ada")
        graded = grade_takehome(takehome.key, {"ada": perfect}, write=False)["ada"]
        oracle = graded.references["oracle"]["scores"]
        if json.dumps(graded.scores, sort_keys=True) != json.dumps(oracle, sort_keys=True):
            raise AssertionError(f"{spec.id}: grading the truth does not give the oracle's scores")
        _check_other_variant_rejected(spec, takehome.key, perfect)
        _check_change_detected(spec, takehome.key, takehome.bundles["ada"], perfect)


def _check_other_variant_rejected(spec: ScenarioSpec, key: Path, perfect: pd.DataFrame) -> None:
    try:
        grade_takehome(key, {"grace": perfect}, write=False)
    except SubmissionError as err:
        if "made for ada's variant" not in err.problems[0].hint:
            raise AssertionError(f"{spec.id}: wrong message for another variant's submission: {err}") from err
    else:
        raise AssertionError(f"{spec.id}: a submission for another candidate's variant was accepted")


def _check_change_detected(spec: ScenarioSpec, key: Path, bundle: Path, perfect: pd.DataFrame) -> None:
    with (bundle / DATA_DIR / "test.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    try:
        grade_takehome(key, {"ada": perfect}, write=False)
    except TakehomeIntegrityError:
        pass
    else:
        raise AssertionError(f"{spec.id}: a changed bundle file was not detected")
