"""The stakeholder view of a report: what the model would do for the business, in the story's words.

A :class:`StakeholderView` is plain data (paragraphs, the numbers they quote,
one figure) built by whoever knows the business side of a case (the Case's
explanation hook); the report only renders it, as text or as a page.

Examples
--------
>>> from casestudies.report import StakeholderView
>>> view = StakeholderView("What the model does", ("Out of 10,000 calls, 30 reach a churner.",), {"reached": 30.0})
>>> print(view.text())
What the model does
===================
<BLANKLINE>
Out of 10,000 calls, 30 reach a churner.
>>> StakeholderView("", (), refusal="no business figures for this task").available
False
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Final

from casestudies.report._figures import FigureSpec

TEXT_WIDTH: Final[int] = 92
"""Where the text rendering wraps its paragraphs."""


@dataclass(frozen=True, slots=True)
class StakeholderView:
    """A one-page summary for a non-technical reader, with the numbers it quotes.

    Parameters
    ----------
    title : str
        The page's title.
    paragraphs : tuple of str
        The text, one paragraph each, with no metric jargon.
    numbers : Mapping of str to float, default={}
        Every number the paragraphs quote, by name (so each can be traced
        to the technical report).
    figure : FigureSpec or None, default=None
        The one figure of the page.
    refusal : str, default=""
        Why a report has no such view (a task it does not cover); empty when it has one.
    """

    title: str
    paragraphs: tuple[str, ...]
    numbers: Mapping[str, float] = field(default_factory=dict)
    figure: FigureSpec | None = None
    refusal: str = ""

    @property
    def available(self) -> bool:
        """Whether the view has content (``refusal`` is empty)."""
        return not self.refusal

    def to_dict(self) -> dict[str, object]:
        """Plain data: the title, paragraphs, numbers, the figure's data (or None) and the refusal.

        Examples
        --------
        >>> from casestudies.report import StakeholderView
        >>> StakeholderView("Calls", ("30 reach a churner.",), {"reached": 30.0}).to_dict()["numbers"]
        {'reached': 30.0}
        """
        return {
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "numbers": dict(self.numbers),
            "figure": None if self.figure is None else asdict(self.figure),
            "refusal": self.refusal,
        }

    def text(self) -> str:
        """The view as wrapped plain text: the title underlined, then the paragraphs."""
        lines = [self.title, "=" * len(self.title)]
        for paragraph in self.paragraphs:
            lines += ["", textwrap.fill(paragraph, width=TEXT_WIDTH)]
        return "\n".join(lines)
