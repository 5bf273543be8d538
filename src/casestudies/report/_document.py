"""Documents: one small block model rendered as Markdown and HTML.

A take-home's README, rubric and grading reports, and the notebook view of a
report, are built as a :class:`Document` (headings, paragraphs, bullet
lists, tables, code), then written as Markdown, as an HTML page or as an HTML
fragment for a notebook. Inline ``**bold**`` and ```code``` spans are the only
markup inside text; all HTML goes through :mod:`casestudies.core`'s escaping
(``element``, ``join``, ``render``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from casestudies.core import Markup, element, escape, join, load_template, render
from casestudies.report._figures import FigureSpec
from casestudies.report._render import figure_html

_INLINE_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_NUMBER = re.compile(r"^[-+]?[\d,.]+(%| \[[-\d., ]+\])?$")

_PAGE_NUMBER_CELL: Final[str] = "<td class='num'>$cell</td>"
"""A number's cell on a page: the page's stylesheet right-aligns ``td.num``."""

_FRAGMENT_TITLE: Final[str] = "h4"
_FRAGMENT_HEADING: Final[str] = "h5"
"""Heading levels in a notebook fragment: an output sits under the notebook's own headings."""

_LEFT: Final[str] = "text-align:left"
_RIGHT: Final[str] = "text-align:right"
_FRAGMENT_NUMBER: Final[str] = "text-align:right;white-space:nowrap"
"""Inline alignment in a fragment: notebooks bring their own table style, which right-aligns every cell."""


def _inline_html(text: str) -> Markup:
    escaped = escape(text, quote=False)
    with_code = _INLINE_CODE.sub(r"<code>\1</code>", escaped)
    return Markup(_BOLD.sub(r"<b>\1</b>", with_code))


def _plain_html(text: str) -> Markup:
    return escape(text, quote=False)


def _cell_markdown(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _is_number(cell: str) -> bool:
    return _NUMBER.match(cell) is not None


_BlockKind = Literal["h2", "p", "ul", "terms", "table", "code", "figure"]


@dataclass(frozen=True, slots=True)
class _Block:
    kind: _BlockKind
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    markup: bool = True  # read **bold** and `code` spans in the text
    figure: FigureSpec | None = None

    def text_html(self, text: str) -> Markup:
        return _inline_html(text) if self.markup else _plain_html(text)


def _table_html(block: _Block, *, fragment: bool) -> Markup:
    if fragment:
        # A header sits right over a column of numbers, left over anything else.
        numeric = [
            bool(block.rows) and all(i < len(row) and _is_number(row[i]) for row in block.rows)
            for i in range(len(block.header))
        ]
        head = join(
            element("th", block.text_html(cell), style=_RIGHT if right else _LEFT)
            for cell, right in zip(block.header, numeric, strict=True)
        )
    else:
        head = join(element("th", block.text_html(cell)) for cell in block.header)

    def cell_html(cell: str) -> Markup:
        content = block.text_html(cell)
        if fragment:
            return element("td", content, style=_FRAGMENT_NUMBER if _is_number(cell) else _LEFT)
        return render(_PAGE_NUMBER_CELL, cell=content) if _is_number(cell) else element("td", content)

    body = join(element("tr", join(cell_html(cell) for cell in row)) for row in block.rows)
    return element("table", join([element("thead", element("tr", head)), element("tbody", body)]))


def _block_html(block: _Block, *, fragment: bool) -> Markup:
    if block.kind == "h2":
        return element(_FRAGMENT_HEADING if fragment else "h2", _inline_html(block.text))
    if block.kind == "p":
        return element("p", _inline_html(block.text))
    if block.kind == "ul":
        return element("ul", join(element("li", block.text_html(item)) for item in block.items))
    if block.kind == "terms":
        items = (element("li", join([element("b", name), f": {text}"])) for name, text in block.rows)
        return element("ul", join(items))
    if block.kind == "table":
        return _table_html(block, fragment=fragment)
    if block.kind == "figure" and block.figure is not None:
        return figure_html(block.figure)
    return element("pre", element("code", block.text))  # block.kind == "code"


@dataclass
class Document:
    """A titled sequence of blocks, rendered by :meth:`to_markdown`, :meth:`to_html` and :meth:`to_html_fragment`.

    Examples
    --------
    >>> doc = Document("Grades")
    >>> doc.para("All **three** candidates were graded.")
    >>> doc.table(["candidate", "score"], [["alice", "0.61"]])
    >>> print(doc.to_markdown())
    # Grades
    <BLANKLINE>
    All **three** candidates were graded.
    <BLANKLINE>
    | candidate | score |
    |---|---|
    | alice | 0.61 |
    <BLANKLINE>
    >>> "<td class='num'>0.61</td>" in doc.to_html()
    True
    >>> '<td style="text-align:right;white-space:nowrap">0.61</td>' in doc.to_html_fragment()
    True
    """

    title: str
    blocks: list[_Block] = field(default_factory=list)

    def heading(self, text: str) -> None:
        """Add a section heading (level 2)."""
        self.blocks.append(_Block("h2", text))

    def para(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(_Block("p", text))

    def bullets(self, items: Sequence[str], *, markup: bool = True) -> None:
        """Add a bullet list; ``markup=False`` shows the items as given (no bold or code spans)."""
        self.blocks.append(_Block("ul", items=tuple(items), markup=markup))

    def terms(self, items: Sequence[tuple[str, str]]) -> None:
        """Add a bullet list of named items, ``name: text`` with the name in bold; both shown as given."""
        self.blocks.append(_Block("terms", rows=tuple((name, text) for name, text in items)))

    def table(self, header: Sequence[object], rows: Sequence[Sequence[object]], *, markup: bool = True) -> None:
        """Add a table; cells are converted with ``str``.

        ``markup=False`` shows the cells as given (no bold or code spans), for
        names and values that come from users.
        """
        self.blocks.append(
            _Block(
                "table",
                header=tuple(str(cell) for cell in header),
                rows=tuple(tuple(str(cell) for cell in row) for row in rows),
                markup=markup,
            )
        )

    def figure(self, spec: FigureSpec) -> None:
        """Add a figure: inline SVG in HTML, its title as a note in Markdown (which has no inline figures)."""
        self.blocks.append(_Block("figure", spec.title, figure=spec))

    def code(self, text: str, language: str = "") -> None:
        """Add a block of code or shell commands."""
        self.blocks.append(_Block("code", text, items=(language,)))

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown."""
        lines = [f"# {self.title}", ""]
        for block in self.blocks:
            if block.kind == "h2":
                lines += [f"## {block.text}", ""]
            elif block.kind == "p":
                lines += [block.text, ""]
            elif block.kind == "ul":
                lines += [f"- {item}" for item in block.items] + [""]
            elif block.kind == "terms":
                lines += [f"- **{name}**: {text}" for name, text in block.rows] + [""]
            elif block.kind == "table":
                lines.append("| " + " | ".join(_cell_markdown(cell) for cell in block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                lines += ["| " + " | ".join(_cell_markdown(cell) for cell in row) + " |" for row in block.rows]
                lines.append("")
            elif block.kind == "figure" and block.figure is not None:
                lines += [f"_Figure: {block.figure.title} (drawn in the HTML version)._", ""]
            elif block.kind == "code":
                lines += [f"```{block.items[0]}", block.text.rstrip("\n"), "```", ""]
        return "\n".join(lines)

    def to_html(self) -> str:
        """A standalone HTML page (inline CSS, no scripts, no external files)."""
        body = [element("h1", _inline_html(self.title))]
        body += [_block_html(block, fragment=False) for block in self.blocks]
        return render(
            load_template("casestudies.report", "document.html"),
            title=self.title,
            style=Markup(load_template("casestudies.report", "document.css")),
            body=join(body, "\n"),
        )

    def to_html_body(self) -> str:
        """The blocks as HTML for a page that sets its own title and style (no ``h1``, no page)."""
        return str(join([_block_html(block, fragment=False) for block in self.blocks], "\n"))

    def to_html_fragment(self) -> str:
        """An HTML fragment for a notebook cell's output (``_repr_html_``).

        No page and no stylesheet: the title is an ``h4`` and section headings
        ``h5``, and table cells carry their alignment inline (numbers right,
        text left), since a notebook's own table style right-aligns every cell.
        """
        blocks = [element(_FRAGMENT_TITLE, _inline_html(self.title))]
        blocks += [_block_html(block, fragment=True) for block in self.blocks]
        return element("div", join(blocks))
