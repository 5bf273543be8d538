"""Every data-quality check on a frame, in an order where each learns from the last: :func:`profile_quality`."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from casestudies.diagnostics._quality import (
    category_variants,
    duplicate_rows,
    faults_of,
    missing_values,
    parse_numbers,
    sentinel_values,
    text_types,
    unseen_levels,
    useless_columns,
)
from casestudies.diagnostics._quality_numbers import outliers, unit_mixtures
from casestudies.report import Document, Finding, to_plain_data
from casestudies.scoring import QUALITY_KINDS, Diagnosis

__all__ = ["QualityReport", "profile_quality"]


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Findings of :func:`profile_quality`, the diagnosis they add up to, and the cells they flag.

    Attributes
    ----------
    findings : tuple of Finding
        One per check, in the order run.
    diagnosis : Diagnosis
        Kind to columns for every kind flagged; every other kind of
        :data:`casestudies.scoring.QUALITY_KINDS` stated absent (gradable with
        ``case.grade_diagnosis``).
    detected : Mapping
        Kind to column to the row positions flagged (``duplicate_rows`` under
        the column ``""``; ``unseen_levels`` rows are holdout rows).
    seconds : Mapping
        Wall time of each check.
    """

    findings: tuple[Finding, ...]
    diagnosis: Diagnosis
    detected: Mapping[str, Mapping[str, Sequence[int]]]
    seconds: Mapping[str, float]

    def __getitem__(self, name: str) -> Finding:
        for finding in self.findings:
            if finding.id == name:
                return finding
        raise KeyError(f"no check {name!r} in this report; it has {[f.id for f in self.findings]}.")

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data (the flagged cells left out: see ``detected``)."""
        findings = [
            {**f.to_dict(), "evidence": {k: v for k, v in f.evidence.items() if k not in ("cells", "rows")}}
            for f in self.findings
        ]
        data = {"findings": findings, "diagnosis": self.diagnosis.to_dict(), "seconds": dict(self.seconds)}
        return cast("dict[str, object]", to_plain_data(data))  # to_plain_data keeps a dict a dict

    def document(self) -> Document:
        """The report as a :class:`~casestudies.report.Document`."""
        doc = Document("Data-quality profile")
        doc.bullets([f"{'⚠️ ' if f.evidence.get('flagged') else ''}**{f.title}**: {f.text}" for f in self.findings])
        claimed = self.diagnosis.claimed()
        doc.para("Diagnosis: " + (", ".join(f"`{kind}`" for kind in claimed) if claimed else "no defect found") + ".")
        return doc

    def __str__(self) -> str:
        return self.document().to_markdown()

    def _repr_html_(self) -> str:
        return self.document().to_html_fragment()


def _timed(seconds: dict[str, float], name: str, started: float) -> None:
    seconds[name] = round(time.perf_counter() - started, 4)


def profile_quality(
    train: pd.DataFrame,
    test: pd.DataFrame | None = None,
    *,
    target: str | None = None,
    id_column: str | None = None,
) -> QualityReport:
    """Run every data-quality check on a training frame (and a holdout frame) and add up the diagnosis.

    The checks run in an order where each uses what the earlier ones found:
    useless columns are left out of the others; numbers stored as text are
    parsed first; sentinels are set aside before outliers are judged; values
    in another unit are converted before outliers are looked for.

    Parameters
    ----------
    train : pandas.DataFrame
        Training rows (the label column included if ``target`` is given).
    test : pandas.DataFrame, optional
        Holdout rows, for unseen levels.
    target, id_column : str, optional
        Label and id columns: not checked; the label serves the missing-value mechanism.

    Returns
    -------
    QualityReport

    Examples
    --------
    >>> import casestudies as cs
    >>> from casestudies.diagnostics import profile_quality
    >>> case = cs.make("messy-light-v1", seed=0, n_train=3000, n_test=1000)
    >>> report = profile_quality(case.train, case.test, target=case.target, id_column=case.id_column)
    >>> report.diagnosis.claimed()
    ('missing_mcar', 'sentinels', 'category_variants', 'text_numbers', 'duplicate_rows')
    >>> case.grade_diagnosis(report.diagnosis).perfect
    True
    """
    seconds: dict[str, float] = {}
    base = [c for c in (id_column, target) if c is not None]
    labels = train[target] if target is not None else None
    started = time.perf_counter()
    useless = useless_columns(train, exclude=base)
    _timed(seconds, "useless_columns", started)
    skip = [*base, *useless.evidence["reasons"]]  # type: ignore[misc]
    started = time.perf_counter()
    types = text_types(train, exclude=skip)
    _timed(seconds, "text_types", started)
    typed = [c for columns in types.evidence["faults"].values() for c in columns]  # type: ignore[attr-defined]
    working = train.drop(columns=skip)
    for column in types.evidence["faults"].get("text_numbers", []):  # type: ignore[attr-defined]
        working[column] = parse_numbers(working[column])
    findings = [useless, types]
    started = time.perf_counter()
    sentinels = sentinel_values(working)
    _timed(seconds, "sentinel_values", started)
    started = time.perf_counter()
    missing = missing_values(working, labels)
    _timed(seconds, "missing_values", started)
    started = time.perf_counter()
    variants = category_variants(working, exclude=typed)
    _timed(seconds, "category_variants", started)
    findings += [sentinels, missing, variants]
    if test is not None:
        started = time.perf_counter()
        findings.append(unseen_levels(train, test, exclude=[*skip, *typed]))
        _timed(seconds, "unseen_levels", started)
    started = time.perf_counter()
    units = unit_mixtures(working, exclude=typed)
    _timed(seconds, "unit_mixtures", started)
    converted = working.copy()
    for column, mixture in units.evidence["mixtures"].items():  # type: ignore[attr-defined]
        for level, factor in mixture["groups"].items():
            rows = (converted[mixture["grouping"]] == level).to_numpy()
            converted.loc[rows, column] = converted.loc[rows, column].to_numpy(dtype=np.float64) / factor
    started = time.perf_counter()
    found_outliers = outliers(converted, ignore=sentinels.evidence["sentinels"])  # type: ignore[arg-type]
    _timed(seconds, "outliers", started)
    started = time.perf_counter()
    duplicates = duplicate_rows(train, exclude=base)
    _timed(seconds, "duplicate_rows", started)
    findings += [units, found_outliers, duplicates]
    faults = faults_of(findings)
    causes: dict[str, bool | list[str]] = dict.fromkeys(QUALITY_KINDS, False)
    if test is None:
        del causes["unseen_levels"]
    for kind, columns in faults.items():
        causes[kind] = columns if columns else True
    return QualityReport(
        findings=tuple(findings),
        diagnosis=Diagnosis(causes),
        detected=_detected(findings),
        seconds=seconds,
    )


def _detected(findings: Sequence[Finding]) -> dict[str, dict[str, list[int]]]:
    """Kind to column to flagged row positions, from each finding's ``cells`` (and its kinds)."""
    detected: dict[str, dict[str, list[int]]] = {}
    for finding in findings:
        evidence = finding.evidence
        faults = evidence.get("faults")
        if not isinstance(faults, Mapping):
            continue
        if finding.id == "duplicate_rows" and evidence.get("flagged"):
            detected["duplicate_rows"] = {"": list(evidence["rows"])}  # type: ignore[call-overload]
            continue
        cells = evidence.get("cells")
        if not isinstance(cells, Mapping):
            continue
        for kind, columns in faults.items():
            for column in columns:
                if column in cells:
                    detected.setdefault(str(kind), {})[str(column)] = list(cells[column])
    return detected
