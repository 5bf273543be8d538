"""Grading take-homes: verify the key and the bundle, match the submission to its variant, score, report.

The second front door of take-homes, :func:`grade_takehome`, and the
scenario contract's round trip, :func:`check_takehome`. See
:mod:`casestudies.takehome._create` for how variants are hidden and committed to.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, Protocol, cast

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, make
from casestudies.core import Boolean, Choice, Rule, ScenarioSpec, check_all, closest, fingerprint, load_object
from casestudies.core import spec as _spec
from casestudies.exceptions import InvalidParameterError, Problem, ProblemCode, SubmissionError
from casestudies.report import Entry, Finding, Report, to_plain_data
from casestudies.scoring import DiagnosisGrade, SubmissionContext, for_spec, read_prediction_file
from casestudies.takehome._content import (
    DIAGNOSIS_FILE,
    FAULTS,
    FAULTS_FILE,
    SUBMISSION_FILE,
    TEMPLATE_FILE,
    higher_is_better,
)
from casestudies.takehome._create import (
    KEY_FORMAT,
    Rubric,
    TakehomeError,
    TakehomeIntegrityError,
    _answer_key,
    _commitment,
    _Disguise,
    _disguise,
    _read_json,
    _score_seeded,
    _Secret,
    _sha256,
    _Variant,
    create_takehome,
)
from casestudies.report import Document

__all__ = [
    "CandidateGrade",
    "DiagnosisGrader",
    "DiagnosisResult",
    "Grading",
    "Placement",
    "check_takehome",
    "grade_takehome",
]

_OWN_SHARE = 0.5  # a submission belongs to a variant when most of its ids are that variant's
_SUBMISSION_SUFFIXES = (".csv", ".parquet", ".pq", ".csv.gz")


# ---------------------------------------------------------------------------
# Reading and verifying the key
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    folder: Path
    data: Mapping[str, object]
    rubric: Rubric

    @property
    def scenario_id(self) -> str:
        return str(self.data["scenario_id"])

    @property
    def candidates(self) -> Mapping[str, Mapping[str, object]]:
        return cast(Mapping[str, Mapping[str, object]], self.data["candidates"])

    def candidate_dir(self, name: str) -> Path:
        return self.folder / "candidates" / name

    def require(self, name: str) -> None:
        if name not in self.candidates:
            suggestion = closest(name, self.candidates)
            hint = f" Did you mean {suggestion!r}?" if suggestion else ""
            raise TakehomeError(
                f"no candidate {name!r} in the take-home key {str(self.folder)!r}; it has {sorted(self.candidates)}.{hint}"
            )


def _load_key(key: str | os.PathLike[str]) -> _Key:
    folder = Path(key)
    if not (folder / "key.json").is_file() and (folder / "key" / "key.json").is_file():
        folder = folder / "key"  # the take-home folder itself
    if not (folder / "key.json").is_file():
        raise TakehomeError(
            f"{str(folder)!r} is not a take-home key: expected a folder with key.json, written by `casestudies takehome create` (its key/ folder)."
        )
    data = _read_json(folder / "key.json", "the key's key.json")
    if data.get("format") != KEY_FORMAT:
        raise TakehomeError(
            f"{str(folder)!r} holds a take-home key in format {data.get('format')!r}; this casestudies reads {KEY_FORMAT!r}. Grade it with the casestudies version that created it ({data.get('casestudies_version')})."
        )
    rubric = Rubric.from_dict(
        {
            key: value
            for key, value in _read_json(folder / "rubric.json", "the key's rubric.json").items()
            if key != "source"
        },
        source="rubric.json of the key",
    )
    return _Key(folder, data, rubric)


@dataclass(frozen=True, slots=True)
class _Verified:
    candidate: str
    case: Case
    record: Mapping[str, object]
    test_ids: np.ndarray  # bundle ids in case.test order
    references: tuple[Entry, ...]
    references_all: Mapping[str, Mapping[str, Mapping[str, float]]]
    checks: tuple[str, ...]
    bundle_checked: bool
    disguise: _Disguise | None = None


@functools.lru_cache(maxsize=4)
def _regenerate(scenario_id: str, seed: int, params: str) -> Case:
    """``make`` of a variant, cached: grading a batch or the same candidate again regenerates once.

    Safe because ``make`` is deterministic; every integrity comparison is still
    made on each call.
    """
    return make(scenario_id, seed=seed, **json.loads(params))


def _tampered(candidate: str, what: str, fix: str) -> TakehomeIntegrityError:
    return TakehomeIntegrityError(f"take-home of {candidate!r}: {what}; it was changed after creation. {fix}")


def _verify(key: _Key, candidate: str, bundle_dir: Path | None) -> _Verified:
    """Check the candidate's key against its commitment, the bundle and a regeneration from the seed."""
    key.require(candidate)
    folder = key.candidate_dir(candidate)
    record = _read_json(folder / "secret.json", f"the key of {candidate!r}")
    stored = key.candidates[candidate]
    checks = []
    restore = "Restore the key from a backup, or create a new take-home."
    if record.get("commitment") != _commitment(record) or record.get("commitment") != stored.get("commitment"):
        raise _tampered(candidate, "the key record (secret.json) no longer matches its commitment", restore)
    checks.append("key record matches its commitment")
    for name, field_name in (("references.json", "references_sha256"), ("world.json", "world_sha256")):
        if not (folder / name).is_file() or _sha256(folder / name) != record.get(field_name):
            raise _tampered(candidate, f"{name} of the key differs from the one committed to", restore)
    try:
        answer = pd.read_parquet(folder / "answer_key.parquet")
    except Exception as err:
        raise _tampered(candidate, f"answer_key.parquet cannot be read ({type(err).__name__})", restore) from err
    if fingerprint(answer) != record.get("answer_fingerprint"):
        raise _tampered(candidate, "answer_key.parquet differs from the answer key committed to", restore)
    checks.append("answer key matches the commitment")

    bundle_checked = False
    if bundle_dir is not None and (bundle_dir / "manifest.json").is_file():
        manifest_path = bundle_dir / "manifest.json"
        manifest = _read_json(manifest_path, f"the manifest of {candidate!r}'s bundle")
        resend = f"Grade against the bundle as sent (bundles/{candidate}/ or its zip)."
        if manifest.get("answer_key_commitment") != record["commitment"]:
            raise _tampered(
                candidate, "the bundle's manifest commits to a different answer key than the key holds", resend
            )
        if _sha256(manifest_path) != stored.get("manifest_sha256"):
            raise _tampered(candidate, "the bundle's manifest.json differs from the one written at creation", resend)
        files = cast(Mapping[str, str], manifest.get("files", {}))
        changed = [
            name
            for name, digest in files.items()
            if not (bundle_dir / name).is_file() or _sha256(bundle_dir / name) != digest
        ]
        if changed:
            raise _tampered(candidate, f"bundle files differ from their checksums in manifest.json: {changed}", resend)
        checks.append(f"bundle manifest and {len(files)} file checksums match")
        bundle_checked = True

    scenario_id = str(record["scenario_id"])
    case = _regenerate(
        scenario_id, int(cast(int, record["variant_seed"])), json.dumps(record["params"], sort_keys=True)
    )
    secret = _Secret(int(cast(int, record["variant_seed"])), str(record["id_key"]), str(record["salt"]))
    disguise = _disguise(case, secret)
    if fingerprint(*disguise.frames()) != record.get("data_fingerprint"):
        message = (
            f"take-home of {candidate!r}: the data regenerated from the secret seed differs from the bundle's. "
            f"Either the key was changed or this casestudies version generates {scenario_id!r} differently from the one that created it "
            f"({key.data.get('casestudies_version')}); grade with that version."
        )
        raise TakehomeIntegrityError(message)
    regenerated = _answer_key(_Variant(candidate, secret, case, disguise, (), float("nan"), None))
    if fingerprint(regenerated) != record.get("answer_fingerprint"):
        raise _tampered(candidate, "the answer key differs from the labels regenerated from the secret seed", restore)
    checks.append("data and labels regenerated from the secret seed match the bundle and the answer key")

    stored_refs = json.loads((folder / "references.json").read_text(encoding="utf-8"))
    references = tuple(Entry(**item["entry"]) for item in stored_refs)
    references_all = {item["entry"]["name"]: item["all"] for item in stored_refs}
    return _Verified(
        candidate, case, record, disguise.test_ids, references, references_all, tuple(checks), bundle_checked, disguise
    )


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiagnosisResult:
    """The grade of a candidate's diagnosis file.

    Attributes
    ----------
    status : {"graded", "not supported", "not submitted", "failed"}
        ``"not supported"`` when the scenario has no diagnosis grader.
    points, max_points : float or None
        Points earned and available.
    items : tuple of Mapping
        One mapping per graded item (``item``, ``points``, ``max_points``, ``note``).
    summary : str
        One or two sentences for the report.
    """

    status: Literal["graded", "not supported", "not submitted", "failed"]
    points: float | None = None
    max_points: float | None = None
    items: tuple[Mapping[str, object], ...] = ()
    summary: str = ""

    @property
    def score(self) -> float | None:
        """Share of the points earned, in [0, 1]; None unless graded."""
        if self.points is None or not self.max_points:
            return None
        return self.points / self.max_points

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "score": self.score,
            "items": [dict(item) for item in self.items],
            "summary": self.summary,
        }

    def __str__(self) -> str:
        if self.status == "graded":
            return f"{self.points:g} / {self.max_points:g}"
        return self.status


class DiagnosisGrader(Protocol):
    """A scenario's diagnosis grader, named in its rubric as ``"module:function"``.

    Called with the candidate's diagnosis file and their variant's
    :class:`~casestudies.Case` (``case.reveal("world")`` holds the planted
    truth); returns a mapping ``{"points", "max_points", "items", "summary"}``
    (items: ``{"item", "points", "max_points", "note"}``), or a
    :class:`DiagnosisResult`, or the :class:`~casestudies.DiagnosisGrade` of
    :meth:`Case.grade_diagnosis <casestudies.Case.grade_diagnosis>`.
    """

    def __call__(self, path: Path, case: Case) -> object: ...


def _from_fault_grade(grade: DiagnosisGrade) -> DiagnosisResult:
    """A :class:`DiagnosisResult` from ``Case.grade_diagnosis``'s grade: a point per cause, a point per column list."""
    items: list[dict[str, object]] = []
    verdicts = (
        ("found", "found"),
        ("missed", "missed"),
        ("wrongly_claimed", "wrongly claimed"),
        ("correctly_absent", "correctly ruled out or left out"),
    )
    for attribute, note in verdicts:
        for kind in cast(Sequence[str], getattr(grade, attribute)):
            items.append(
                {
                    "item": kind,
                    "points": 1.0 if attribute in ("found", "correctly_absent") else 0.0,
                    "max_points": 1.0,
                    "note": note,
                }
            )
    for kind, part in grade.columns.items():
        named = len(part["found"]) + len(part["missed"]) + len(part["wrongly_claimed"])
        notes = [
            f"{label.replace('_', ' ')}: {', '.join(part[label])}"
            for label in ("found", "missed", "wrongly_claimed")
            if part[label]
        ]
        items.append(
            {
                "item": f"{kind} columns",
                "points": len(part["found"]) / named if named else 1.0,
                "max_points": 1.0,
                "note": "; ".join(notes),
            }
        )
    present, found, wrong = grade.present, grade.found, grade.wrongly_claimed
    summary = f"{len(found)} of {len(present)} planted causes found ({', '.join(present) or 'none planted'}); {len(wrong)} claimed wrongly."
    points = float(sum(cast(float, item["points"]) for item in items))
    return DiagnosisResult("graded", round(points, 6), float(len(items)), tuple(items), summary)


def _grade_diagnosis(grader: str, diagnosis: str | os.PathLike[str] | None, case: Case) -> DiagnosisResult:
    """Grade with the key's grader: ``"faults"`` (``Case.grade_diagnosis``), ``"module:function"``, or ``""`` (none)."""
    if not grader:
        return DiagnosisResult(
            "not supported",
            summary=f"{case.spec.id} has no diagnosis grader; grade the write-up by hand with rubric.md.",
        )
    if diagnosis is None:
        name = FAULTS_FILE if grader == FAULTS else DIAGNOSIS_FILE
        return DiagnosisResult(
            "not submitted", summary=f"no diagnosis file; pass the candidate's {name} with --diagnosis."
        )
    path = Path(diagnosis)
    if not path.is_file():
        raise TakehomeError(
            f"no diagnosis file at {str(path)!r}; expected the candidate's {FAULTS_FILE if grader == FAULTS else DIAGNOSIS_FILE}."
        )
    if grader == FAULTS:
        try:
            return _from_fault_grade(case.grade_diagnosis(path))
        except InvalidParameterError as err:
            return DiagnosisResult("failed", summary=f"the diagnosis file could not be graded: {err}")
    try:
        function = cast(DiagnosisGrader, load_object(grader))
        result = function(path, case)
    except Exception as err:
        return DiagnosisResult("failed", summary=f"the diagnosis grader {grader} raised {type(err).__name__}: {err}")
    if isinstance(result, DiagnosisResult):
        return result
    if isinstance(result, DiagnosisGrade):
        return _from_fault_grade(result)
    try:
        mapping = cast(Mapping[str, object], result)
        items = tuple(dict(item) for item in cast(Sequence[Mapping[str, object]], mapping.get("items", ())))
        return DiagnosisResult(
            "graded",
            float(cast(float, mapping["points"])),
            float(cast(float, mapping["max_points"])),
            items,
            str(mapping.get("summary", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return DiagnosisResult(
            "failed",
            summary=f"the diagnosis grader {grader} returned {result!r}; expected a mapping with points, max_points, items and summary ({err}).",
        )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a score falls among the references of its variant.

    Attributes
    ----------
    text : str
        A sentence for the report ("between simple (0.24) and expert (0.45)").
    beats : tuple of str
        References whose primary metric the submission exceeds.
    share_of_reference : float or None
        (score - prior) / (reference - prior): 1 means as good as the reference pipeline.
    share_of_oracle : float or None
        (score - prior) / (oracle - prior): comparable across variants.
    """

    text: str
    beats: tuple[str, ...]
    share_of_reference: float | None
    share_of_oracle: float | None

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "text": self.text,
            "beats": list(self.beats),
            "share_of_reference": self.share_of_reference,
            "share_of_oracle": self.share_of_oracle,
        }


def _place(score: float, references: Mapping[str, float], *, metric: str, reference: str | None) -> Placement:
    better = higher_is_better(metric)
    ordered = sorted(references.items(), key=lambda item: item[1] if better else -item[1])
    level = [name for name, value in ordered if math.isclose(score, value, rel_tol=1e-9, abs_tol=1e-12)]
    beats = tuple(name for name, value in ordered if name not in level and (score > value if better else score < value))
    below = [item for item in ordered if item[0] not in beats and item[0] not in level]
    if level:
        text = "level with " + " and ".join(f"{name} ({references[name]:.3f})" for name in level)
    elif not beats:
        name, value = ordered[0]
        text = f"below every reference, {name} ({value:.3f}) included"
    elif not below:
        text = f"above every reference, {ordered[-1][0]} ({ordered[-1][1]:.3f}) included"
    else:
        low_name, low = [item for item in ordered if item[0] in beats][-1]
        high_name, high = below[0]
        text = f"between {low_name} ({low:.3f}) and {high_name} ({high:.3f})"
    floor = references.get("prior")

    def share(top_name: str | None) -> float | None:
        if floor is None or top_name is None or top_name not in references:
            return None
        span = references[top_name] - floor
        return (score - floor) / span if span and math.isfinite(span) else None

    return Placement(text, beats, share(reference), share("oracle"))


_Status = Literal["graded", "rejected", "missing"]


_COUNTS = ("n_rows", "n_positives", "prevalence", "accuracy_all_negative")  # facts of the holdout, not of a submission


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def _interval(scores: Mapping[str, float]) -> str:
    return f"{_fmt(scores['estimate'])} [{_fmt(scores['low'])}, {_fmt(scores['high'])}]"


@dataclass(frozen=True, slots=True)
class CandidateGrade:
    """The grade of one candidate's submission.

    Attributes
    ----------
    candidate, scenario_id, metric : str
    status : {"graded", "rejected", "missing"}
        ``"rejected"``: the submission is invalid or belongs to another
        variant (see ``problems``); ``"missing"``: nothing was submitted.
    scores : Mapping or None
        ``metric -> {estimate, low, high}`` on the whole hidden holdout
        (95 % bootstrap interval).
    references : Mapping
        ``name -> {"kind", "description", "scores"}`` of the baselines, the
        reference pipeline and the oracle on the same holdout.
    placement : Placement or None
    diagnosis : DiagnosisResult
    findings : tuple of Finding
        What the numbers say (accuracy paradox, PR vs ROC, alert budget, ...).
    checks : tuple of str
        Integrity checks that passed before grading.
    problems : tuple of Problem
        Why a submission was rejected.
    submission : str
        What was graded (file name and SHA-256).
    report : Report or None
        The core report (public/private parts included) with the references.
    files : Mapping[str, Path]
        Grading reports written (``markdown``, ``html``, ``json``).
    """

    candidate: str
    scenario_id: str
    metric: str
    status: _Status
    scores: Mapping[str, Mapping[str, float]] | None = None
    references: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    placement: Placement | None = None
    diagnosis: DiagnosisResult = DiagnosisResult("not supported")
    findings: tuple[Finding, ...] = ()
    checks: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    submission: str = ""
    report: Report | None = None
    files: Mapping[str, Path] = field(default_factory=dict)

    @property
    def primary(self) -> float | None:
        """The primary metric on the whole holdout (None unless graded)."""
        return None if self.scores is None else float(self.scores[self.metric]["estimate"])

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data (NaN becomes None)."""

        data = {
            "candidate": self.candidate,
            "scenario_id": self.scenario_id,
            "metric": self.metric,
            "status": self.status,
            "scores": None if self.scores is None else {metric: dict(values) for metric, values in self.scores.items()},
            "references": {name: dict(values) for name, values in self.references.items()},
            "placement": None if self.placement is None else self.placement.to_dict(),
            "diagnosis": self.diagnosis.to_dict(),
            "findings": [finding.to_dict() for finding in self.findings],
            "checks": list(self.checks),
            "problems": [problem.to_dict() for problem in self.problems],
            "submission": self.submission,
        }
        return cast(dict[str, object], to_plain_data(data))

    def to_document(self) -> Document:
        """The grading report as a :class:`~casestudies.report._document.Document`."""
        doc = Document(f"Take-home grade: {self.candidate} ({self.scenario_id})")
        doc.para(f"Status: **{self.status}**. Submission: {self.submission or 'none'}.")
        if self.problems:
            doc.heading("Why the submission was rejected")
            doc.bullets(
                [
                    f"{problem.code.value}: expected {problem.expected}; got {problem.received}. {problem.hint}"
                    for problem in self.problems
                ]
            )
        if self.scores is not None:
            metric_label = self.metric.replace("_", " ")
            doc.heading("Score on the whole hidden holdout")
            doc.para(
                f"{metric_label}: **{_interval(self.scores[self.metric])}** (95% bootstrap interval). "
                + (f"That is {self.placement.text}." if self.placement else "")
            )
            if self.placement is not None:
                shares = []
                if self.placement.share_of_reference is not None:
                    shares.append(
                        f"{self.placement.share_of_reference:.0%} of the way from the know-nothing baseline to the reference pipeline"
                    )
                if self.placement.share_of_oracle is not None:
                    shares.append(f"{self.placement.share_of_oracle:.0%} of the way to the oracle")
                if shares:
                    doc.para("The submission covers " + " and ".join(shares) + ".")
            metrics = [
                metric for metric in self.scores if metric not in _COUNTS and _finite(self.scores[metric]["estimate"])
            ]
            header = ["", *[metric.replace("_", " ") for metric in metrics]]
            rows = [
                [
                    f"**{self.candidate}**",
                    *[
                        _interval(self.scores[metric])
                        if metric == self.metric
                        else _fmt(self.scores[metric]["estimate"])
                        for metric in metrics
                    ],
                ]
            ]
            for name, values in self.references.items():
                scores = cast(Mapping[str, Mapping[str, float]], values["scores"])
                label = name if name == values["kind"] else f"{name} ({values['kind']})"
                rows.append(
                    [
                        label,
                        *[
                            _interval(scores[metric]) if metric == self.metric else _fmt(scores[metric]["estimate"])
                            for metric in metrics
                        ],
                    ]
                )
            doc.table(header, rows)
            descriptions = [
                f"**{name}**: {values['description']}"
                for name, values in self.references.items()
                if values.get("description")
            ]
            if descriptions:
                doc.bullets(descriptions)
        if self.findings:
            doc.heading("What the numbers say")
            doc.bullets([f"**{finding.title}**: {finding.text}" for finding in self.findings])
        doc.heading("Diagnosis")
        doc.para(f"{self.diagnosis}. {self.diagnosis.summary}".strip())
        if self.diagnosis.items:
            doc.table(
                ["item", "points", "note"],
                [
                    [
                        item.get("item", ""),
                        f"{item.get('points', '')}/{item.get('max_points', '')}",
                        item.get("note", ""),
                    ]
                    for item in self.diagnosis.items
                ],
            )
        if self.checks:
            doc.heading("Integrity checks passed")
            doc.bullets(list(self.checks))
        doc.heading("For the interviewer")
        doc.para(
            "Score the write-up and code with `rubric.md` in the key; the numbers above are the predictions' share of the grade."
        )
        return doc

    def to_markdown(self) -> str:
        """The grading report in Markdown."""
        return self.to_document().to_markdown()

    def to_html(self) -> str:
        """The grading report as a standalone HTML page."""
        return self.to_document().to_html()

    def __str__(self) -> str:
        if self.status == "missing":
            return f"{self.candidate}: no submission"
        if self.status == "rejected":
            return f"{self.candidate}: rejected\n" + "\n".join(f"  - {problem}" for problem in self.problems)
        assert self.scores is not None
        lines = [
            f"{self.candidate}: {self.metric} {_interval(self.scores[self.metric])} on the whole holdout; {self.placement.text if self.placement else ''}"
        ]
        if self.placement is not None and self.placement.share_of_oracle is not None:
            lines.append(
                f"  {self.placement.share_of_oracle:.0%} of the way from the know-nothing baseline to the oracle"
            )
        lines.append(f"  diagnosis: {self.diagnosis}")
        for name, path in self.files.items():
            lines.append(f"  {name} report: {path}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Grading:
    """The grades of one grading run, with a comparison table.

    Attributes
    ----------
    scenario_id, metric : str
    grades : Mapping[str, CandidateGrade]
        By candidate, in the key's order.
    ignored : tuple of str
        Files of a submissions folder that match no candidate.
    files : Mapping[str, Path]
        Comparison tables written (``markdown``, ``html``, ``csv``) when
        more than one candidate was graded.
    """

    scenario_id: str
    metric: str
    grades: Mapping[str, CandidateGrade]
    ignored: tuple[str, ...] = ()
    files: Mapping[str, Path] = field(default_factory=dict)

    def __getitem__(self, candidate: str) -> CandidateGrade:
        try:
            return self.grades[candidate]
        except KeyError:
            raise KeyError(f"no grade for {candidate!r}; graded: {sorted(self.grades)}.") from None

    def table(self) -> pd.DataFrame:
        """One row per candidate, best primary metric first (rejected and missing last)."""
        rows = []
        for name, grade in self.grades.items():
            row: dict[str, object] = {"candidate": name, "status": grade.status}
            if grade.scores is not None:
                values = grade.scores[self.metric]
                row |= {self.metric: values["estimate"], "low": values["low"], "high": values["high"]}
                for metric, scores in grade.scores.items():
                    if metric != self.metric and metric not in _COUNTS:
                        row[metric] = scores["estimate"]
            if grade.placement is not None:
                row |= {
                    "share_of_reference": grade.placement.share_of_reference,
                    "share_of_oracle": grade.placement.share_of_oracle,
                    "placement": grade.placement.text,
                }
            row["diagnosis"] = grade.diagnosis.score if grade.diagnosis.status == "graded" else grade.diagnosis.status
            refs = grade.references
            if "oracle" in refs:
                row["variant_oracle"] = cast(Mapping[str, Mapping[str, float]], refs["oracle"]["scores"])[self.metric][
                    "estimate"
                ]
            if grade.problems:
                row["problems"] = "; ".join(f"{problem.code.value}: {problem.received}" for problem in grade.problems)
            rows.append(row)
        frame = pd.DataFrame(rows)
        if self.metric in frame.columns:
            ascending = not higher_is_better(self.metric)
            frame = frame.sort_values(self.metric, ascending=ascending, na_position="last", kind="stable")
        return frame.reset_index(drop=True)

    def to_document(self) -> Document:
        """The comparison as a document."""
        doc = Document(f"Take-home comparison: {self.scenario_id}")
        doc.para(
            f"{len(self.grades)} candidates; {self.metric.replace('_', ' ')} on each candidate's whole hidden holdout with its 95% interval. "
            "Variants differ slightly in difficulty: `share of oracle` ((score - prior) / (oracle - prior)) compares across them."
        )
        table = self.table()
        header = [
            "candidate",
            "status",
            f"{self.metric.replace('_', ' ')} [95% CI]",
            "share of reference",
            "share of oracle",
            "diagnosis",
            "placement / problems",
        ]
        rows = []
        for record in table.to_dict("records"):
            estimate = record.get(self.metric)
            has_score = isinstance(estimate, float) and math.isfinite(estimate)
            interval = (
                f"{_fmt(estimate)} [{_fmt(record.get('low'))}, {_fmt(record.get('high'))}]" if has_score else "n/a"
            )
            share_ref = record.get("share_of_reference")
            share_oracle = record.get("share_of_oracle")
            detail = record.get("placement") if has_score else record.get("problems", "")
            diagnosis = record.get("diagnosis")
            rows.append(
                [
                    record["candidate"],
                    record["status"],
                    interval,
                    f"{share_ref:.0%}" if isinstance(share_ref, float) and math.isfinite(share_ref) else "n/a",
                    f"{share_oracle:.0%}" if isinstance(share_oracle, float) and math.isfinite(share_oracle) else "n/a",
                    f"{diagnosis:.0%}" if isinstance(diagnosis, float) else str(diagnosis),
                    "" if detail is None or (isinstance(detail, float) and math.isnan(detail)) else str(detail),
                ]
            )
        doc.table(header, rows)
        if self.ignored:
            doc.heading("Ignored files")
            doc.bullets(list(self.ignored))
        return doc

    def to_markdown(self) -> str:
        """The comparison table in Markdown."""
        return self.to_document().to_markdown()

    def to_html(self) -> str:
        """The comparison table as a standalone HTML page."""
        return self.to_document().to_html()

    def __str__(self) -> str:
        if len(self.grades) == 1:
            return str(next(iter(self.grades.values())))
        text = self.to_markdown()
        if self.files:
            text += "\n" + "\n".join(f"{name}: {path}" for name, path in self.files.items())
        return text


def _normalise_ids(values: pd.Series | np.ndarray) -> pd.Index:
    """Ids as strings of integers when they are integral numbers, else as strings: comparable across CSV and Parquet."""
    series = pd.Series(values)
    numbers = pd.to_numeric(series, errors="coerce")
    if len(series) and numbers.notna().all() and bool((numbers % 1 == 0).all()):
        return pd.Index(numbers.astype("int64").astype(str))
    return pd.Index(series.astype(str))


def _variant_column(frame: pd.DataFrame, verified: _Verified, id_column: str) -> tuple[str, np.ndarray]:
    """The id column that ties a submission to a variant, and this candidate's values of it.

    The row id (``id_column``); for a rating submission in ``user_id, movie_id, rating`` form, ``user_id``
    (every user and movie id of a recommender bundle is the candidate's own random number).
    """
    columns = [str(column) for column in frame.columns]
    disguise = verified.disguise
    if (
        id_column not in columns
        and "id" not in columns
        and disguise is not None
        and "user_id" in disguise.entity_ids
        and "user_id" in columns
    ):
        return "user_id", disguise.test["user_id"].to_numpy()
    return id_column, verified.test_ids


def _check_variant(frame: pd.DataFrame, *, key: _Key, candidate: str, verified: _Verified, id_column: str) -> None:
    """Reject a submission whose ids are not this candidate's, naming the variant they belong to."""
    scenario_id = key.scenario_id
    columns = [str(column) for column in frame.columns]
    id_column, own_ids = _variant_column(frame, verified, id_column)
    id_name = id_column if id_column in columns else ("id" if "id" in columns else None)
    if id_name is None:
        problem = Problem(
            ProblemCode.WRONG_COLUMNS,
            f"columns {id_column!r} and 'prediction' (a take-home submission carries the ids of the candidate's bundle)",
            f"columns {columns}",
            f"Start from {TEMPLATE_FILE} in the bundle and keep its {id_column!r} column unchanged.",
        )
        raise SubmissionError(scenario_id, (problem,))
    submitted = _normalise_ids(frame[id_name].to_numpy()).unique()
    if not len(submitted):
        return  # the core validator reports the empty submission
    own = _normalise_ids(own_ids)
    share_own = float(submitted.isin(own).mean())
    if share_own >= _OWN_SHARE:
        return
    matches = []
    for other in key.candidates:
        if other == candidate:
            continue
        try:
            their = pd.read_parquet(key.candidate_dir(other) / "answer_key.parquet", columns=[id_column])[id_column]
        except Exception:
            continue
        share = float(submitted.isin(_normalise_ids(their.to_numpy())).mean())
        if share >= _OWN_SHARE:
            matches.append((share, other))
    expected = f"the {len(own):,} {id_column} values of {candidate!r}'s bundle (bundles/{candidate}/data/test.csv)"
    if matches:
        share, other = max(matches)
        received = f"{len(submitted):,} ids of which {share:.0%} are from candidate {other!r}'s bundle and {share_own:.0%} from {candidate!r}'s"
        hint = f"This file was made for {other!r}'s variant, not {candidate!r}'s. Grade it as {other!r}'s, or ask {candidate!r} for predictions on their own test.csv."
    else:
        received = f"{len(submitted):,} ids of which {share_own:.0%} are {candidate!r}'s and none match another candidate's bundle"
        hint = f"The ids were changed, or the file was made for a bundle outside this take-home. Ask {candidate!r} for predictions on their own test.csv with the ids unchanged."
    code = ProblemCode.WRONG_VARIANT if matches else ProblemCode.UNKNOWN_IDS
    raise SubmissionError(scenario_id, (Problem(code, expected, received, hint),))


def _read_submission(submission: object, scenario_id: str) -> tuple[pd.DataFrame, str]:
    if isinstance(submission, pd.DataFrame):
        return submission, f"a DataFrame of {len(submission):,} rows"
    if isinstance(submission, (str, os.PathLike)):
        path = Path(submission)
        frame = read_prediction_file(path, scenario_id=scenario_id)
        return frame, f"`{path.name}` (SHA-256 {_sha256(path)[:16]}...)"
    problem = Problem(
        ProblemCode.WRONG_TYPE,
        "the path of a CSV or Parquet file, or a DataFrame",
        type(submission).__name__,
        f"Pass the candidate's {SUBMISSION_FILE}.",
    )
    raise SubmissionError(scenario_id, (problem,))


def _to_source_ids(frame: pd.DataFrame, case: Case, disguise: _Disguise) -> pd.DataFrame:
    """A recommender submission in the generator's ids: bundle user, movie and row ids mapped back; unknown ids become -1
    (reported by the task's validator as unknown)."""
    maps = {
        column: dict(zip(_normalise_ids(bundle), source.tolist(), strict=True))
        for column, (source, bundle) in disguise.entity_ids.items()
    }
    if case.id_column not in maps:
        maps[case.id_column] = dict(
            zip(_normalise_ids(disguise.test_ids), host_view(case).test[case.id_column].tolist(), strict=True)
        )
    translated = frame.copy()
    for column, mapping in maps.items():
        if column in translated.columns and len(translated):
            mapped = pd.Series(_normalise_ids(translated[column].to_numpy()).map(mapping), index=translated.index)
            translated[column] = pd.to_numeric(mapped, errors="coerce").fillna(-1).astype(np.int64)
    return translated


def _grade_one(
    key: _Key, candidate: str, submission: object, diagnosis: str | os.PathLike[str] | None, verified: _Verified
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
    scores = _score_seeded(case, values)
    references = {
        entry.name: {
            "kind": entry.kind,
            "description": entry.description,
            "scores": verified.references_all[entry.name],
        }
        for entry in verified.references
    }
    reference_name = cast("str | None", cast(Mapping[str, object], key.data["difficulty"]).get("reference"))
    placement = _place(
        float(scores[spec.metric]["estimate"]),
        {name: float(values["scores"][spec.metric]["estimate"]) for name, values in references.items()},  # type: ignore[index]
        metric=spec.metric,
        reference=reference_name,
    )
    return CandidateGrade(
        candidate=candidate,
        scenario_id=spec.id,
        metric=spec.metric,
        status="graded",
        scores=scores,
        references=references,
        placement=placement,
        diagnosis=_grade_diagnosis(str(key.data.get("diagnosis", "")), diagnosis, case),
        findings=findings,
        checks=(*verified.checks, "submission ids belong to this candidate's variant"),
        submission=described,
        report=report,
    )


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
        stem, _, rest = path.name.partition(".")
        owner = names.get(stem.lower())
        if owner is not None and rest.lower().startswith("diagnosis"):
            diagnoses[owner] = path
        elif owner is not None and ("." + rest.lower()).endswith(_SUBMISSION_SUFFIXES):
            submissions[owner] = path
        else:
            suggestion = closest(stem, list(names.values()))
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            ignored.append(
                f"{path.name}: matches no candidate{hint}; name files <candidate>.csv and <candidate>.diagnosis.md"
            )
    return submissions, diagnoses, ignored


def _default_bundles(key: _Key) -> Path:
    return key.folder.parent / "bundles"


_GRADE_RULES: dict[str, Rule] = {"errors": Choice(("raise", "record")), "write": Boolean()}


def grade_takehome(
    key: str | os.PathLike[str],
    submissions: Mapping[str, object] | str | os.PathLike[str],
    /,
    *,
    diagnoses: Mapping[str, str | os.PathLike[str]] | None = None,
    bundles: str | os.PathLike[str] | None = None,
    errors: Literal["raise", "record"] = "raise",
    write: bool = True,
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
        Folder of the bundles to check (default: ``bundles/`` next to the key).
        Without one, only the key is verified.
    errors : {"raise", "record"}, default="raise"
        What an invalid submission does: raise its :class:`SubmissionError`,
        or be recorded as ``status="rejected"`` with its problems.
    write : bool, default=True
        Write the grading reports into ``key/grades/``.

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
    >>> try:
    ...     cs.grade_takehome(f"{out}/key", {"bob": template}, write=False)
    ... except cs.exceptions.SubmissionError as err:
    ...     print(err.problems[0].hint)
    This file was made for 'alice''s variant, not 'bob''s. Grade it as 'alice''s, or ask 'bob' for predictions on their own test.csv.
    """
    check_all("grade_takehome()", _GRADE_RULES, {"errors": errors, "write": write})
    loaded = _load_key(key)
    ignored: list[str] = []
    found_diagnoses: dict[str, str | os.PathLike[str]] = {}
    if isinstance(submissions, (str, os.PathLike)):
        folder = Path(submissions)
        if not folder.is_dir():
            message = f"grade_takehome(): submissions must be a folder of <candidate>.csv files or a mapping {{candidate: file}}; got {str(folder)!r}, which is not a folder. To grade one file, pass {{'alice': {str(folder)!r}}}."
            raise TakehomeError(message)
        submitted, found, ignored = _scan_folder(folder, loaded.candidates)
        found_diagnoses.update(found)
        wanted: list[str] = list(loaded.candidates)
        pending: dict[str, object] = dict(submitted)
    elif isinstance(submissions, Mapping):
        pending = dict(submissions)
        wanted = list(pending)
        for name in wanted:
            loaded.require(name)
    else:
        raise TakehomeError(
            f"grade_takehome(): submissions must be a mapping {{candidate: file}} or a folder; got {type(submissions).__name__}."
        )
    for name in diagnoses or {}:
        loaded.require(name)
    found_diagnoses.update(diagnoses or {})
    bundle_root = Path(bundles) if bundles is not None else _default_bundles(loaded)

    grades: dict[str, CandidateGrade] = {}
    metric = _spec(loaded.scenario_id).metric
    for name in wanted:
        if name not in pending:
            grades[name] = CandidateGrade(name, loaded.scenario_id, metric, "missing")
            continue
        verified = _verify(loaded, name, bundle_root / name)
        try:
            grade = _grade_one(loaded, name, pending[name], found_diagnoses.get(name), verified)
        except SubmissionError as err:
            if errors == "raise":
                raise
            source = pending[name]
            described = f"`{Path(source).name}`" if isinstance(source, (str, os.PathLike)) else type(source).__name__
            grade = CandidateGrade(
                name,
                loaded.scenario_id,
                metric,
                "rejected",
                checks=verified.checks,
                problems=err.problems,
                submission=described,
            )
        if write:
            grade = _write_grade(loaded, grade)
        grades[name] = grade
    grading = Grading(loaded.scenario_id, metric, MappingProxyType(grades), tuple(ignored))
    if write and len(grades) > 1:
        grading = dataclasses.replace(grading, files=MappingProxyType(_write_comparison(loaded, grading)))
    return grading


def _write_grade(key: _Key, grade: CandidateGrade) -> CandidateGrade:
    folder = key.folder / "grades"
    folder.mkdir(exist_ok=True)
    files = {
        "markdown": folder / f"{grade.candidate}.md",
        "html": folder / f"{grade.candidate}.html",
        "json": folder / f"{grade.candidate}.json",
    }
    files["markdown"].write_text(grade.to_markdown(), encoding="utf-8")
    files["html"].write_text(grade.to_html(), encoding="utf-8")
    files["json"].write_text(json.dumps(grade.to_dict(), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return dataclasses.replace(grade, files=MappingProxyType(files))


def _write_comparison(key: _Key, grading: Grading) -> dict[str, Path]:
    folder = key.folder / "grades"
    folder.mkdir(exist_ok=True)
    files = {"markdown": folder / "comparison.md", "html": folder / "comparison.html", "csv": folder / "comparison.csv"}
    files["markdown"].write_text(grading.to_markdown(), encoding="utf-8")
    files["html"].write_text(grading.to_html(), encoding="utf-8")
    grading.table().to_csv(files["csv"], index=False)
    return files


# ---------------------------------------------------------------------------
# The scenario contract's round trip
# ---------------------------------------------------------------------------


def _rank_auc(labels: np.ndarray, values: np.ndarray) -> float:
    """ROC-AUC of ranking by ``values`` (ties count 1/2)."""
    ranks = pd.Series(values).rank(method="average").to_numpy()
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _rank_correlation(labels: np.ndarray, values: np.ndarray) -> float:
    """Spearman correlation of ``labels`` and ``values`` (average ranks for ties); NaN when either is constant."""
    a = pd.Series(labels).rank(method="average").to_numpy()
    b = pd.Series(values).rank(method="average").to_numpy()
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _check_chance(spec_id: str, task: str, test: pd.DataFrame, labels: np.ndarray, id_column: str) -> None:
    """Ids and row order of the bundle's test file rank the holdout at chance.

    Binary labels: ROC-AUC of ranking by ids or by row position within 4.5 standard errors of 0.5.
    Ratings and top-N (graded, not binary, labels): ROC-AUC is undefined, so the analogue is the Spearman
    correlation of the labels (held-out stars; relevant movies per user) with the ids or the row position,
    within 4.5 null standard errors (1/sqrt(n - 1)) of 0. User and movie ids are tested at the level of
    users and movies (their mean label), since one user's rows share that user's taste.
    """
    if task == "binary":
        if 0 < labels.sum() < len(labels):
            n_pos = int(labels.sum())
            n_neg = len(labels) - n_pos
            bound = 4.5 * math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))
            for what, values in (("ids", test[id_column].to_numpy()), ("row order", np.arange(len(test)))):
                auc = _rank_auc(labels, values)
                assert abs(auc - 0.5) <= bound, (
                    f"{spec_id}: ranking by {what} gives ROC-AUC {auc:.3f}, not chance (0.5 +/- {bound:.3f})"
                )
        return
    checks: list[tuple[str, np.ndarray, np.ndarray]] = [
        (f"ids ({id_column})", test[id_column].to_numpy(), labels),
        ("row order", np.arange(len(test)), labels),
    ]
    for column in ("user_id", "movie_id"):
        if column in test.columns and column != id_column:
            means = pd.Series(labels.astype(np.float64)).groupby(test[column].to_numpy()).mean()
            checks.append((f"{column} (per {column[:-3]})", means.index.to_numpy(), means.to_numpy()))
    for what, values, target in checks:
        if len(target) < 3:
            continue
        rho = _rank_correlation(target, values)
        bound = 4.5 / math.sqrt(len(target) - 1)
        assert not math.isfinite(rho) or abs(rho) <= bound, (
            f"{spec_id}: ranking by {what} correlates with the holdout labels (Spearman {rho:.3f}, chance 0 +/- {bound:.3f})"
        )


def _bundle_truth(key_folder: Path, candidate: str) -> pd.DataFrame:
    """The oracle's submission in the candidate's bundle ids (what a perfect candidate would hand in)."""
    record = json.loads((key_folder / "candidates" / candidate / "secret.json").read_text(encoding="utf-8"))
    answer = pd.read_parquet(key_folder / "candidates" / candidate / "answer_key.parquet")
    spec = _spec(str(record["scenario_id"]))
    id_column = str(record["id_column"])
    if spec.task == "binary":
        return pd.DataFrame({id_column: answer[id_column], "prediction": answer["probability"]})
    if spec.task == "rating":
        return pd.DataFrame(
            {"user_id": answer["user_id"], "movie_id": answer["movie_id"], "rating": answer["expected_rating"]}
        )
    case = _regenerate(spec.id, int(record["variant_seed"]), json.dumps(record["params"], sort_keys=True))
    disguise = _disguise(case, _Secret(int(record["variant_seed"]), str(record["id_key"]), str(record["salt"])))
    source, bundle = disguise.entity_ids["movie_id"]
    movies = np.asarray(host_view(case).oracle().values)
    mapped = bundle[pd.Index(source).get_indexer(movies.ravel())].reshape(movies.shape)
    k = movies.shape[1]
    return pd.DataFrame(
        {
            "user_id": np.repeat(disguise.test_ids, k),
            "movie_id": mapped.ravel(),
            "rank": np.tile(np.arange(1, k + 1), len(movies)),
        }
    )


def check_takehome(spec: ScenarioSpec, *, params: Mapping[str, object] | None = None, seed: int = 0) -> None:
    """Assert that a scenario makes a sound take-home: a bundle round trip for the scenario contract.

    Creates a two-candidate take-home (oracle-only difficulty, so it is fast)
    and checks: the bundle's files hold no label, seed or key; ids and test
    row order rank the holdout at chance (ROC-AUC for binary tasks, Spearman
    correlation for rating and top-N tasks: see ``_check_chance``); the
    manifest's commitment verifies against the key; the submission template
    and the oracle's own submission (true probabilities, true expected
    ratings, or truly best unseen movies, in the bundle's ids) grade, the
    latter exactly as the oracle; a submission made for the other candidate
    is rejected by name; a changed bundle file is detected. Works for every
    task type.

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
        out = Path(folder)
        takehome = create_takehome(
            spec.id, candidates=["ada", "grace"], out=out, seed=seed, params=params, baselines=False, tolerance=1.0
        )
        task = for_spec(spec)
        for name, bundle in takehome.bundles.items():
            record = json.loads((takehome.key / "candidates" / name / "secret.json").read_text())
            answer = pd.read_parquet(takehome.key / "candidates" / name / "answer_key.parquet")
            labels = answer[task.label_name(str(record["target"]))].to_numpy()
            manifest = json.loads((bundle / "manifest.json").read_text())
            assert manifest["answer_key_commitment"] == record["commitment"] == _commitment(record), (
                f"{spec.id}: the manifest's commitment does not verify against the key"
            )
            secrets_text = [str(record["variant_seed"]), str(record["id_key"]), str(record["salt"])]
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    content = path.read_bytes()
                    leaked = [text for text in secrets_text if text.encode() in content]
                    assert not leaked, f"{spec.id}: {path.name} of the bundle holds key material"
            test = pd.read_parquet(bundle / "data" / "test.parquet")
            assert record["target"] not in test.columns, f"{spec.id}: the bundle's test file holds the target"
            assert (test[record["id_column"]].to_numpy() == answer[record["id_column"]].to_numpy()).all(), (
                f"{spec.id}: answer key and test rows disagree"
            )
            for column in test.columns:
                values = test[column].to_numpy()
                assert not (
                    values.dtype.kind in "biuf" and np.array_equal(values.astype(np.float64), labels.astype(np.float64))
                ), f"{spec.id}: test column {column!r} equals the labels"
            _check_chance(spec.id, spec.task, test, labels, str(record["id_column"]))
        grading = grade_takehome(takehome.key, {"ada": takehome.bundles["ada"] / TEMPLATE_FILE})
        assert grading["ada"].status == "graded" and grading["ada"].files["html"].is_file(), (
            f"{spec.id}: the submission template does not grade"
        )
        perfect = _bundle_truth(takehome.key, "ada")
        graded = grade_takehome(takehome.key, {"ada": perfect}, write=False)["ada"]
        oracle = graded.references["oracle"]["scores"]
        assert json.dumps(graded.scores, sort_keys=True) == json.dumps(oracle, sort_keys=True), (
            f"{spec.id}: grading the truth does not give the oracle's scores"
        )
        try:
            grade_takehome(takehome.key, {"grace": perfect}, write=False)
        except SubmissionError as err:
            assert "made for 'ada''s variant" in err.problems[0].hint, (
                f"{spec.id}: wrong message for another variant's submission: {err}"
            )
        else:
            raise AssertionError(f"{spec.id}: a submission for another candidate's variant was accepted")
        with (takehome.bundles["ada"] / "data" / "test.csv").open("a", encoding="utf-8") as handle:
            handle.write("\n")
        try:
            grade_takehome(takehome.key, {"ada": perfect}, write=False)
        except TakehomeIntegrityError:
            pass
        else:
            raise AssertionError(f"{spec.id}: a changed bundle file was not detected")
