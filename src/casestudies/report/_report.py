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
import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from casestudies.core import closest, metric_label
from casestudies.exceptions import InvalidParameterError
from casestudies.report._document import Document
from casestudies.report._figures import FigureSource, FigureSpec
from casestudies.report._output import KEY_FIGURES_INLINE, html_page, markdown, notebook_fragment
from casestudies.report._render import draw, show, svg
from casestudies.report._stakeholder import StakeholderView

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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

AUDIENCES: Final[tuple[str, ...]] = ("technical", "stakeholder")
"""Who ``summary`` and ``to_html`` speak to."""


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
    figures: tuple[FigureSpec, ...] = ()
    """Figures of the evidence (a diagnostic's plot data), drawn by the report's renderer."""

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
    charts: FigureSource = field(default_factory=FigureSource, compare=False, repr=False)
    """The task's figures, computed on first use (``figures()``, ``to_html``...), never by scoring."""
    stakeholder: StakeholderView | None = field(default=None, compare=False, repr=False)
    """The business-terms view (``summary(audience="stakeholder")``), built by the Case; None when scored elsewhere."""

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
        if self.stakeholder is not None:  # built by the Case (None for a report scored elsewhere)
            data["stakeholder"] = self.stakeholder.to_dict()
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
        label = metric_label(metric, short=short, task=self.task)
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
            if metric_label(m, short=True, task=self.task) != metric_label(m, task=self.task)
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

    # -- figures ----------------------------------------------------------------

    def figure_specs(self) -> tuple[FigureSpec, ...]:
        """Every figure of the report as data: the task's first, then the findings' (diagnostics)."""
        specs = [*self.charts.specs()]
        for finding in self.findings:
            specs.extend(finding.figures)
        return tuple(specs)

    def figures(self) -> dict[str, Figure]:
        """The report's figures as matplotlib ``Figure`` objects, keyed by name.

        Drawn on each call (cheap to keep or discard: no pyplot state);
        ``figure.savefig("pr.png")`` writes one.

        Examples
        --------
        >>> import numpy as np, casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> report = case.score(np.linspace(0, 1, len(case.test)), baselines=False)
        >>> figures = report.figures()
        >>> "pr_curve" in figures and "cost_curve" in figures
        True
        >>> figures["pr_curve"].axes[0].get_xlabel()
        'recall (share of all positives caught)'
        """
        return {spec.name: draw(spec) for spec in self.figure_specs()}

    def _spec(self, name: str) -> FigureSpec:
        specs = {spec.name: spec for spec in self.figure_specs()}
        if name not in specs:
            hint = closest(name, specs)
            message = (
                f"report of {self.scenario_id!r} has no figure {name!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + f"; it has {list(specs)}. Call report.plot() for all of them."
            )
            raise InvalidParameterError(message)
        return specs[name]

    def _drawn(self, specs: tuple[FigureSpec, ...]) -> dict[str, str]:
        return {spec.name: svg(spec) for spec in specs}

    def plot(self, name: str | None = None) -> None:
        """Draw the figure ``name`` (all of them by default) in a notebook.

        Outside a notebook, use :meth:`figures` or :meth:`to_html`.

        Raises
        ------
        InvalidParameterError
            If the report has no figure of that name (the message lists them).
        """
        specs = self.figure_specs() if name is None else (self._spec(name),)
        show([(spec, svg(spec)) for spec in specs])

    def _meta(self) -> str:
        entry = self.submission
        meta = (
            f"{self.task} task · holdout {self.holdout.get('all', 0):,} rows (public {self.holdout.get('public', 0):,},"
            f" private {self.holdout.get('private', 0):,}) · data fingerprint {self.fingerprint[:12]} · "
            f"submission: {entry.name}"
        )
        if entry.fit_seconds is not None:
            meta += f" (fit {entry.fit_seconds:.2f} s)"
        return meta

    def _page_document(self) -> Document:
        header, body = self._table(short=True)
        body[0][0] = self._label(self.submission, width=None)
        doc = Document(f"{self.scenario_id} · seed {self.seed}")
        doc.table(header, body, markup=False)  # the submission's name is the user's
        doc.para(self._legend())
        return doc

    def _stakeholder_view(self) -> StakeholderView:
        view = self.stakeholder
        if view is None or not view.available:
            why = "it was not built by a Case" if view is None else view.refusal
            message = (
                f"report of {self.scenario_id!r} has no stakeholder view: {why}. "
                "Use audience='technical' (the default) for this report."
            )
            raise InvalidParameterError(message)
        return view

    def summary(self, audience: str = "technical") -> str:
        """The report as text for ``audience``: ``"technical"`` (``str(report)``) or ``"stakeholder"``.

        The stakeholder summary says what the model would do for the business,
        in the scenario's own words, without metric names.

        Raises
        ------
        InvalidParameterError
            If ``audience`` is unknown, or the report has no stakeholder view (the message says why).

        Examples
        --------
        >>> import casestudies as cs
        >>> from casestudies.scenarios.fraud import simple_baseline
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> print(case.evaluate(simple_baseline()).summary(audience="stakeholder").splitlines()[0])
        What the model would do for the fraud team
        """
        if audience not in AUDIENCES:
            hint = closest(str(audience), AUDIENCES)
            message = (
                f"summary(): unknown audience {audience!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + f"; expected one of {list(AUDIENCES)}."
            )
            raise InvalidParameterError(message)
        return str(self) if audience == "technical" else self._stakeholder_view().text()

    def to_html(self, path: str | os.PathLike[str] | None = None, *, audience: str = "technical") -> str:
        """One self-contained HTML page: the table, the findings and every figure (inline SVG).

        No script and no external URL: it reads offline, on a phone-width
        screen, and prints. Written to ``path`` (UTF-8) when given. With
        ``audience="stakeholder"``, the one-page business summary and its figure instead.

        Examples
        --------
        >>> import numpy as np, casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> page = case.score(np.linspace(0, 1, len(case.test)), baselines=False).to_html()
        >>> page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 5 and "<script" not in page
        True
        """
        if audience != "technical":
            self.summary(audience)  # checks the audience and that the view exists
            view = self._stakeholder_view()
            doc = Document(view.title)
            for paragraph in view.paragraphs:
                doc.para(paragraph)
            shown = () if view.figure is None else (view.figure,)
            page = html_page(doc, [], shown, meta=f"{self.scenario_id} · seed {self.seed}", drawn=self._drawn(shown))
            if path is not None:
                Path(path).write_text(page, encoding="utf-8")
            return page
        specs = self.figure_specs()
        findings = [(finding.title, finding.text) for finding in self.findings]
        page = html_page(self._page_document(), findings, specs, meta=self._meta(), drawn=self._drawn(specs))
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def to_markdown(self, folder: str | os.PathLike[str] | None = None) -> str:
        """The report as Markdown (for an issue or a write-up); with ``folder``, figures as SVG files beside it.

        With ``folder``, writes ``report.md`` and one ``<name>.svg`` per
        figure there, and links them; without, the text alone.

        Examples
        --------
        >>> import numpy as np, casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> text = case.score(np.linspace(0, 1, len(case.test)), baselines=False).to_markdown()
        >>> text.splitlines()[0]
        '# fraud-v1 · seed 1'
        """
        doc = self._page_document()
        if self.findings:
            doc.heading("What the numbers say")
            doc.terms([(finding.title, finding.text) for finding in self.findings])
        if folder is None:
            return markdown(doc, self.figure_specs(), None, {})
        specs = self.figure_specs()
        text = markdown(doc, specs, Path(folder), self._drawn(specs))
        (Path(folder) / "report.md").write_text(text, encoding="utf-8")
        return text

    def _repr_html_(self) -> str:
        fragment = self._notebook_document().to_html_fragment()
        key = tuple(spec for spec in self.figure_specs() if spec.key)[:KEY_FIGURES_INLINE]
        return notebook_fragment(fragment, key, self._drawn(key))

    def __repr__(self) -> str:
        return (
            f"Report({self.scenario_id!r}, {self.metric}={self.primary('private'):.4f} private, "
            f"{self.primary('public'):.4f} public)"
        )
