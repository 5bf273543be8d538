"""What grading returns: each candidate's grade, the comparison of a run, and where a score falls.

Data first (``to_dict``, ``table``), rendered second: Markdown and HTML
through :class:`casestudies.report.Document`.

Examples
--------
Where a score falls among its variant's references, and what share of the
way from the prior to the expert reference and to the oracle it goes:

>>> from casestudies.takehome._results import place
>>> references = {"prior": 0.05, "simple": 0.25, "expert": 0.45, "oracle": 0.65}
>>> placement = place(0.35, references, metric="average_precision", reference="expert")
>>> placement.text, placement.beats
('between simple (0.250) and expert (0.450)', ('prior', 'simple'))
>>> round(placement.share_of_reference, 3), round(placement.share_of_oracle, 3)
(0.75, 0.5)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, cast

import pandas as pd

from casestudies.core import counted, higher_is_better
from casestudies.exceptions import Problem
from casestudies.report import Document, Finding, Report, to_plain_data
from casestudies.takehome._diagnosis import DiagnosisResult
from casestudies.takehome._layout import RUBRIC_NOTES_FILE

_LEVEL_REL_TOL: Final = 1e-9  # a score this close to a reference's is level with it, not above or below
_LEVEL_ABS_TOL: Final = 1e-12
_COUNTS: Final = ("n_rows", "n_positives", "prevalence", "accuracy_all_negative")
"""Facts of the holdout, not of a submission: left out of score tables."""

_CONTROL: Final = re.compile("[\x00-\x1f\x7f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that break a line or reorder text on screen: a candidate's text cannot use them to fake a report."""
_MARKDOWN_INLINE: Final = re.compile(r"([\\`*_\[\]~])")  # code, emphasis, links, strikethrough; `\` first of all
_MARKDOWN_LINE_START: Final = re.compile(r"^(\s*(?:\d+)?)([#>+=-]|(?<=\d)[.)])")  # headings, quotes, lists

GradeStatus = Literal["graded", "rejected", "missing", "failed"]
_NOT_GRADED: Final = DiagnosisResult("not supported")  # no diagnosis graded (immutable, so safely shared)


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


def place(score: float, references: Mapping[str, float], *, metric: str, reference: str | None) -> Placement:
    """Where ``score`` falls among the references' scores of the same metric (its direction from the metric)."""
    better = higher_is_better(metric)
    ordered = sorted(references.items(), key=lambda item: item[1] if better else -item[1])
    level = [
        name for name, value in ordered if math.isclose(score, value, rel_tol=_LEVEL_REL_TOL, abs_tol=_LEVEL_ABS_TOL)
    ]
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


def _flat(text: str) -> str:
    return _CONTROL.sub(" ", text)


def markdown_text(text: str) -> str:
    r"""``text`` from a candidate, safe inside a Markdown paragraph, list item or table cell: shown as written.

    Control characters (line breaks, tabs, bidirectional overrides) become
    spaces, so the text stays on its line; ``&``, ``<`` and ``>`` become
    entities, which every Markdown renderer shows as text, so no HTML gets
    through; the characters of inline markup are escaped with a backslash
    (CommonMark); a line-start marker (``#``, ``>``, ``-``, ``+``, ``=``,
    ``1.``) is escaped too. Table cells' ``|`` is escaped by the Document.

    Examples
    --------
    >>> print(markdown_text("<script>alert(1)</script> *x* `y`"))
    &lt;script&gt;alert(1)&lt;/script&gt; \*x\* \`y\`
    >>> print(markdown_text("# not a heading\nnor a list"))
    \# not a heading nor a list
    """
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", html.escape(_flat(text), quote=False))
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped, count=1)


def code_span(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds (a fence longer than any run inside it).

    Examples
    --------
    >>> print(code_span("submission.csv"), code_span("a`b.csv"), code_span("`x`"))
    `submission.csv` ``a`b.csv`` `` `x` ``
    """
    flat = _flat(text)
    runs = [len(run) for run in re.findall(r"`+", flat)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _as_is(text: str) -> str:
    return text


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
    status : {"graded", "rejected", "missing", "failed"}
        ``"rejected"``: the submission is invalid or belongs to another
        variant (see ``problems``); ``"missing"``: nothing was submitted;
        ``"failed"``: grading it did not finish (see ``error``).
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
    not_checked : tuple of str
        What could not be checked (the bundle folder or zip not found, a key
        older than its seal), or changed without bearing on the grade (the
        key's notes for people). Empty when everything was checked.
    problems : tuple of Problem
        Why a submission was rejected.
    submission : str
        What was graded (file name and SHA-256).
    report : Report or None
        The core report (public/private parts included) with the references.
    files : Mapping[str, Path]
        Grading reports written (``markdown``, ``html``, ``json``).
    error : str
        Why grading failed (``status="failed"``), e.g. it ran past its timeout.
    """

    candidate: str
    scenario_id: str
    metric: str
    status: GradeStatus
    scores: Mapping[str, Mapping[str, float]] | None = None
    references: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    placement: Placement | None = None
    diagnosis: DiagnosisResult = _NOT_GRADED
    findings: tuple[Finding, ...] = ()
    checks: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    submission: str = ""
    report: Report | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    error: str = ""

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
            "not_checked": list(self.not_checked),
            "problems": [problem.to_dict() for problem in self.problems],
            "submission": self.submission,
            "error": self.error,
        }
        return cast(dict[str, object], to_plain_data(data))

    def to_document(self) -> Document:
        """The grading report as a :class:`~casestudies.report.Document` (text from the candidate as written)."""
        return self._document(_as_is)

    def _document(self, user: Callable[[str], str]) -> Document:
        """The report, with ``user`` applied to every text that comes from the candidate (:func:`markdown_text` for
        Markdown; the Document escapes HTML itself)."""
        doc = Document(f"Take-home grade: {self.candidate} ({self.scenario_id})")
        doc.para(f"Status: **{self.status}**. Submission: {self.submission or 'none'}.")
        if self.error:
            doc.heading("Why grading failed")
            doc.para(user(self.error))
        if self.problems:
            doc.heading("Why the submission was rejected")
            doc.bullets(
                [
                    f"{problem.code.value}: expected {user(problem.expected)}; got {user(problem.received)}. "
                    + user(problem.hint)
                    for problem in self.problems
                ]
            )
        if self.scores is not None:
            self._score_section(doc, self.scores)
        if self.findings:
            doc.heading("What the numbers say")
            doc.bullets([f"**{finding.title}**: {finding.text}" for finding in self.findings])
        if self.report is not None:  # the core report's key figures, drawn by the report's renderer
            for spec in self.report.figure_specs():
                if spec.key:
                    doc.figure(spec)
        doc.heading("Diagnosis")
        doc.para(user(f"{self.diagnosis}. {self.diagnosis.summary}".strip()))
        if self.diagnosis.items:
            doc.table(
                ["item", "points", "note"],
                [
                    [
                        user(str(item.get("item", ""))),
                        user(f"{item.get('points', '')}/{item.get('max_points', '')}"),
                        user(str(item.get("note", ""))),
                    ]
                    for item in self.diagnosis.items
                ],
            )
        if self.checks:
            doc.heading("Integrity checks passed")
            doc.bullets(list(self.checks))
        if self.not_checked:
            doc.heading("Not checked")
            doc.bullets(list(self.not_checked))
        doc.heading("For the interviewer")
        doc.para(
            f"Score the write-up and code with `{RUBRIC_NOTES_FILE}` in the key; "
            "the numbers above are the predictions' share of the grade."
        )
        return doc

    def _score_section(self, doc: Document, own: Mapping[str, Mapping[str, float]]) -> None:
        """The score with its interval and placement, and a table of every metric beside the references'."""
        metric_label = self.metric.replace("_", " ")
        doc.heading("Score on the whole hidden holdout")
        doc.para(
            f"{metric_label}: **{_interval(own[self.metric])}** (95% bootstrap interval). "
            + (f"That is {self.placement.text}." if self.placement else "")
        )
        if self.placement is not None:
            shares = []
            if self.placement.share_of_reference is not None:
                shares.append(
                    f"{self.placement.share_of_reference:.0%} of the way from the know-nothing baseline "
                    "to the reference pipeline"
                )
            if self.placement.share_of_oracle is not None:
                shares.append(f"{self.placement.share_of_oracle:.0%} of the way to the oracle")
            if shares:
                doc.para("The submission covers " + " and ".join(shares) + ".")
        metrics = [metric for metric in own if metric not in _COUNTS and _finite(own[metric]["estimate"])]

        def cells(scores: Mapping[str, Mapping[str, float]]) -> list[str]:
            return [
                _interval(scores[metric]) if metric == self.metric else _fmt(scores[metric]["estimate"])
                for metric in metrics
            ]

        rows = [[f"**{self.candidate}**", *cells(own)]]
        for name, values in self.references.items():
            label = name if name == values["kind"] else f"{name} ({values['kind']})"
            rows.append([label, *cells(cast(Mapping[str, Mapping[str, float]], values["scores"]))])
        doc.table(["", *[metric.replace("_", " ") for metric in metrics]], rows)
        descriptions = [
            f"**{name}**: {values['description']}"
            for name, values in self.references.items()
            if values.get("description")
        ]
        if descriptions:
            doc.bullets(descriptions)

    def to_markdown(self) -> str:
        """The grading report in Markdown; the candidate's text is escaped (:func:`markdown_text`)."""
        return self._document(markdown_text).to_markdown()

    def to_html(self) -> str:
        """The grading report as a standalone HTML page."""
        return self.to_document().to_html()

    def __str__(self) -> str:
        if self.status == "missing":
            return f"{self.candidate}: no submission"
        unchecked = [f"  not checked: {item}" for item in self.not_checked]
        if self.status == "failed":
            return "\n".join([f"{self.candidate}: failed", f"  {self.error}", *unchecked])
        if self.status == "rejected":
            problems = [f"  - {problem}" for problem in self.problems]
            return "\n".join([f"{self.candidate}: rejected", *problems, *unchecked])
        assert self.scores is not None
        placed = self.placement.text if self.placement else ""
        lines = [
            f"{self.candidate}: {self.metric} {_interval(self.scores[self.metric])} on the whole holdout; {placed}"
        ]
        if self.placement is not None and self.placement.share_of_oracle is not None:
            lines.append(
                f"  {self.placement.share_of_oracle:.0%} of the way from the know-nothing baseline to the oracle"
            )
        lines.append(f"  diagnosis: {self.diagnosis}")
        lines += unchecked
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
        """One row per candidate, best primary metric first (rejected, missing and failed last)."""
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
                oracle = cast(Mapping[str, Mapping[str, float]], refs["oracle"]["scores"])
                row["variant_oracle"] = oracle[self.metric]["estimate"]
            if grade.error:
                row["problems"] = grade.error
            if grade.problems:
                row["problems"] = "; ".join(f"{problem.code.value}: {problem.received}" for problem in grade.problems)
            rows.append(row)
        frame = pd.DataFrame(rows)
        if self.metric in frame.columns:
            ascending = not higher_is_better(self.metric)
            frame = frame.sort_values(self.metric, ascending=ascending, na_position="last", kind="stable")
        ranked: pd.DataFrame = frame.reset_index(drop=True)
        return ranked

    def to_document(self) -> Document:
        """The comparison as a document (text from candidates as written)."""
        return self._document(_as_is)

    def _document(self, user: Callable[[str], str]) -> Document:
        """The comparison, with ``user`` applied to text from candidates (rejection problems, ignored file names)."""
        doc = Document(f"Take-home comparison: {self.scenario_id}")
        doc.para(
            f"{counted(len(self.grades), 'candidate')}; {self.metric.replace('_', ' ')} "
            "on each candidate's whole hidden holdout "
            "with its 95% interval. Variants differ slightly in difficulty: `share of oracle` "
            "((score - prior) / (oracle - prior)) compares across them."
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
                    "" if detail is None or (isinstance(detail, float) and math.isnan(detail)) else user(str(detail)),
                ]
            )
        doc.table(header, rows)
        unchecked = [f"{name}: {item}" for name, grade in self.grades.items() for item in grade.not_checked]
        if unchecked:
            doc.heading("Not checked")
            doc.bullets(unchecked)
        if self.ignored:
            doc.heading("Ignored files")
            doc.bullets([user(item) for item in self.ignored])
        return doc

    def to_markdown(self) -> str:
        """The comparison table in Markdown; the candidates' text is escaped (:func:`markdown_text`)."""
        return self._document(markdown_text).to_markdown()

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
