"""Reports: scored rows and findings as data first, then their renderings."""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.report._document import Document
from casestudies.report._report import KIND_LABELS, Entry, Finding, Report, Scores, to_plain_data

__all__ = ["KIND_LABELS", "Document", "Entry", "Finding", "Report", "Scores", "to_plain_data"]

present_as_public(Entry, Finding, Report)
