"""Reports: data first (``to_dict``), then text and HTML renderings.

Examples
--------
>>> from casestudies.report import Entry, to_plain_data
>>> interval = {"estimate": 0.5, "low": 0.45, "high": float("nan")}
>>> scores = {"all": {"roc_auc": interval}}
>>> entry = Entry("constant", "submission", "0.5 for every row", "predictions", None, None, scores)
>>> entry.estimate("roc_auc")
0.5
>>> to_plain_data(entry.to_dict())["scores"]
{'all': {'roc_auc': {'estimate': 0.5, 'low': 0.45, 'high': None}}}
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast

from casestudies.core import metric_label
from casestudies.report._document import Document

Scores = Mapping[str, Mapping[str, Mapping[str, float]]]  # part -> metric -> estimate/low/high

KIND_LABELS = {
    "submission": "your pipeline",
    "baseline": "baseline",
    "reference": "expert reference",
    "oracle": "oracle",
}

LABEL_WIDTH: Final[int] = 28
"""Longest submission name shown in the terminal table; a longer one is shown whole on the line above it."""

TEXT_WIDTH: Final[int] = 92
"""Where the terminal rendering wraps its prose (legend and findings)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One scored row of a report: the submission, a baseline, a reference or the oracle."""

    name: str
    kind: str
    description: str
    output: str
    fit_seconds: float | None
    predict_seconds: float | None
    scores: Scores

    def estimate(self, metric: str, part: str = "all") -> float:
        """Point estimate of ``metric`` on ``part`` of the holdout."""
        return float(self.scores[part][metric]["estimate"])

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "output": self.output,
            "fit_seconds": self.fit_seconds,
            "predict_seconds": self.predict_seconds,
            "scores": {
                part: {metric: dict(values) for metric, values in metrics.items()}
                for part, metrics in self.scores.items()
            },
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One answer to a question an interviewer would ask, with its evidence."""

    id: str
    title: str
    text: str
    evidence: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "text": self.text, "evidence": dict(self.evidence)}


def to_plain_data(value: object) -> object:
    """Replace NaN by None, recursively, so the dict is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: to_plain_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain_data(item) for item in value]
    return value


def _fmt(value: float | None, metric: str) -> str:
    if value is None or math.isnan(value):  # None: a NaN that went through to_dict()
        return "n/a"
    return f"{value:.2f}" if metric == "expected_cost" else f"{value:.3f}"


@dataclass(frozen=True, slots=True)
class Report:
    """The result of scoring one submission on a case's hidden holdout.

    ``to_dict()`` is the data; ``str(report)`` the terminal rendering;
    ``_repr_html_`` the notebook one.
    """

    scenario_id: str
    seed: int
    fingerprint: str
    task: str
    metric: str
    metrics: tuple[str, ...]
    scoring: Mapping[str, object]
    holdout: Mapping[str, int]
    submission: Entry
    references: tuple[Entry, ...] = ()
    findings: tuple[Finding, ...] = ()

    def primary(self, part: str = "private") -> float:
        """The submission's primary-metric estimate on ``part`` (public, private or all)."""
        return self.submission.estimate(self.metric, part)

    def reference(self, name: str) -> Entry:
        """The reference row called ``name`` (``'oracle'``, ``'expert'``, ``'prior'`` ...)."""
        for entry in self.references:
            if entry.name == name:
                return entry
        names = [entry.name for entry in self.references]
        raise KeyError(f"no reference {name!r} in this report; it has {names}.")

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data (NaN becomes None)."""
        data = {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "fingerprint": self.fingerprint,
            "task": self.task,
            "metric": self.metric,
            "metrics": list(self.metrics),
            "scoring": dict(self.scoring),
            "holdout": dict(self.holdout),
            "submission": self.submission.to_dict(),
            "references": [entry.to_dict() for entry in self.references],
            "findings": [finding.to_dict() for finding in self.findings],
        }
        return cast(dict[str, object], to_plain_data(data))  # a dict stays a dict

    def to_json(self, **kwargs: object) -> str:
        """``to_dict()`` as a JSON string; keyword arguments go to :func:`json.dumps`."""
        return json.dumps(self.to_dict(), **cast(dict[str, Any], kwargs))  # json.dumps checks its own keywords

    # -- renderings -----------------------------------------------------------

    def _rows(self) -> list[Entry]:
        return [self.submission, *self.references]

    def same_as_submission(self) -> Entry | None:
        """The reference row the submission *is*: identical scores on every part and metric, else None.

        With common random numbers, the same predictions give the same
        estimates and intervals, so passing a scenario's own baseline shows up
        here (its name need not match: ``evaluate`` names a pipeline by its steps).
        """
        for entry in self.references:
            if entry.kind != "oracle" and entry.scores == self.submission.scores:
                return entry
        return None

    def _reference_label(self, entry: Entry) -> str:
        return f"baseline: {entry.name}" if entry.kind == "baseline" else KIND_LABELS[entry.kind]

    def _label(self, entry: Entry, *, width: int | None = LABEL_WIDTH) -> str:
        if entry.kind == "submission":
            # Never cut a name: one too long for the terminal table is printed whole on the "pipeline:" line.
            label = "you" if width is not None and len(entry.name) > width else f"you: {entry.name}"
            same = self.same_as_submission()
            return label if same is None else f"{label} (= {self._reference_label(same)})"
        label = self._reference_label(entry)
        return f"{label} (= you)" if entry is self.same_as_submission() else label

    def _metric_label(self, metric: str, *, short: bool = False) -> str:
        label = metric_label(metric, short=short)
        budget = self.scoring.get("alert_budget")
        if "budget" in label and isinstance(budget, (int, float)):
            label = label.replace("@ budget", f"@ top {budget:.1%}").replace("@budget", f"@{budget:.1%}")
        return label

    def _table(self, *, short: bool = False) -> tuple[list[str], list[list[str]]]:
        primary = self._metric_label(self.metric, short=short)
        # The findings quote whole-holdout figures, so the primary metric has a whole-holdout column too.
        header = ["", f"{primary} public", f"{primary} private [95% CI]", f"{primary}*"]
        header += [f"{self._metric_label(metric, short=short)}*" for metric in self.metrics[1:]]
        body = []
        for entry in self._rows():
            public = entry.scores["public"][self.metric]
            private = entry.scores["private"][self.metric]
            estimate, low, high = (_fmt(private[key], self.metric) for key in ("estimate", "low", "high"))
            row = [self._label(entry), _fmt(public["estimate"], self.metric), f"{estimate} [{low}, {high}]"]
            row += [_fmt(entry.scores["all"][metric]["estimate"], metric) for metric in self.metrics]
            body.append(row)
        return header, body

    def _legend(self) -> str:
        shown = [self.metric, *self.metrics[1:]]
        parts = [
            f"{self._metric_label(m, short=True)} = {self._metric_label(m)}"
            for m in shown
            if metric_label(m, short=True) != metric_label(m)
        ]
        parts.append("* on the whole holdout (public and private together; the figures the findings quote)")
        return "; ".join(parts)

    def __str__(self) -> str:
        header, body = self._table(short=True)
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        lines = [
            f"{self.scenario_id} · seed {self.seed} · holdout {self.holdout.get('all', 0):,} rows "
            f"(public {self.holdout.get('public', 0):,}, private {self.holdout.get('private', 0):,})",
        ]
        timing = self.submission
        if timing.fit_seconds is not None:
            predict = f", predict {timing.predict_seconds:.2f} s" if timing.predict_seconds is not None else ""
            lines.append(
                f"pipeline: {timing.name} (fit {timing.fit_seconds:.2f} s{predict}; scores from {timing.output})"
            )
        elif len(timing.name) > LABEL_WIDTH:
            lines.append(f"submission: {timing.name}")
        lines.append("")
        for row in [header, *body]:
            lines.append(
                "  ".join(
                    cell.ljust(width) if i == 0 else cell.rjust(width)
                    for i, (cell, width) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
        lines.append(textwrap.fill(self._legend(), width=TEXT_WIDTH))
        if self.findings:
            lines.append("")
            lines.append("What the numbers say:")
            for finding in self.findings:
                wrapped = textwrap.fill(
                    f"{finding.title}: {finding.text}",
                    width=TEXT_WIDTH,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                )
                lines.append(wrapped)
        return "\n".join(lines)

    def _notebook_document(self) -> Document:
        header, body = self._table(short=True)
        body[0][0] = self._label(self.submission, width=None)
        doc = Document(f"{self.scenario_id} · seed {self.seed} · holdout {self.holdout.get('all', 0):,} rows")
        doc.table(header, body, markup=False)  # the submission's name is the user's
        doc.para(self._legend())
        if self.findings:
            doc.terms([(finding.title, finding.text) for finding in self.findings])
        return doc

    def _repr_html_(self) -> str:
        return self._notebook_document().to_html_fragment()

    def __repr__(self) -> str:
        return (
            f"Report({self.scenario_id!r}, {self.metric}={self.primary('private'):.4f} private, "
            f"{self.primary('public'):.4f} public)"
        )
