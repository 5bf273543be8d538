"""Reports: scored rows and findings as data first, then their renderings.

Examples
--------
>>> from casestudies.report import Finding, to_plain_data
>>> finding = Finding("fit_gap", "Train vs validation", "A 0.30 drop.", {"train": 1.0, "holdout": float("nan")})
>>> to_plain_data(finding.to_dict())["evidence"]
{'train': 1.0, 'holdout': None}
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.report._document import Document
from casestudies.report._figures import FigureKind, FigureSource, FigureSpec, Marker, Role, Series
from casestudies.report._render import figure_html
from casestudies.report._report import KIND_LABELS, Entry, Finding, Report, Scores, to_plain_data
from casestudies.report._stakeholder import StakeholderView

__all__ = [
    "KIND_LABELS",
    "Document",
    "Entry",
    "FigureKind",
    "FigureSource",
    "FigureSpec",
    "Finding",
    "Marker",
    "Report",
    "Role",
    "Scores",
    "Series",
    "StakeholderView",
    "figure_html",
    "to_plain_data",
]

present_as_public(Entry, Finding, Report)
