"""Documents: one small block model rendered as Markdown and HTML.

A take-home's README, rubric and grading reports, and the notebook views of
reports and cases, are built as a :class:`Document` (headings, paragraphs,
bullet lists, tables, code), then written as Markdown or HTML. Inline
``**bold**`` and ```code``` spans are the only markup inside text; all HTML
goes through :mod:`casestudies.core._html`'s escaping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from casestudies.core._html import Markup, escape, load_template, render

_INLINE_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


_NUMBER = re.compile(r"^[-+]?[\d,.]+(%| \[[-\d., ]+\])?$")


def _inline_html(text: str) -> str:
    escaped = escape(text, quote=False)
    escaped = _INLINE_CODE.sub(r"<code>\1</code>", escaped)
    return Markup(_BOLD.sub(r"<b>\1</b>", escaped))


def _cell_markdown(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True, slots=True)
class _Block:
    kind: str  # h2 | p | ul | table | code
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Document:
    """A titled sequence of blocks, rendered by :meth:`to_markdown` and :meth:`to_html`.

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
    """

    title: str
    blocks: list[_Block] = field(default_factory=list)

    def heading(self, text: str) -> None:
        """Add a section heading (level 2)."""
        self.blocks.append(_Block("h2", text))

    def para(self, text: str) -> None:
        """Add a paragraph."""
        self.blocks.append(_Block("p", text))

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bullet list."""
        self.blocks.append(_Block("ul", items=tuple(items)))

    def table(self, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
        """Add a table; cells are converted with ``str``."""
        self.blocks.append(
            _Block(
                "table",
                header=tuple(str(cell) for cell in header),
                rows=tuple(tuple(str(cell) for cell in row) for row in rows),
            )
        )

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
            elif block.kind == "table":
                lines.append("| " + " | ".join(_cell_markdown(cell) for cell in block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                lines += ["| " + " | ".join(_cell_markdown(cell) for cell in row) + " |" for row in block.rows]
                lines.append("")
            elif block.kind == "code":
                lines += [f"```{block.items[0]}", block.text.rstrip("\n"), "```", ""]
        return "\n".join(lines)

    def to_html(self) -> str:
        """A standalone HTML page (inline CSS, no scripts, no external files)."""
        body = [f"<h1>{_inline_html(self.title)}</h1>"]
        for block in self.blocks:
            if block.kind == "h2":
                body.append(f"<h2>{_inline_html(block.text)}</h2>")
            elif block.kind == "p":
                body.append(f"<p>{_inline_html(block.text)}</p>")
            elif block.kind == "ul":
                body.append("<ul>" + "".join(f"<li>{_inline_html(item)}</li>" for item in block.items) + "</ul>")
            elif block.kind == "table":
                head = "".join(f"<th>{_inline_html(cell)}</th>" for cell in block.header)
                cells = "".join(
                    "<tr>"
                    + "".join(
                        f"<td class='num'>{_inline_html(cell)}</td>"
                        if _NUMBER.match(cell)
                        else f"<td>{_inline_html(cell)}</td>"
                        for cell in row
                    )
                    + "</tr>"
                    for row in block.rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
            elif block.kind == "code":
                body.append(f"<pre><code>{escape(block.text)}</code></pre>")
        return render(
            load_template("casestudies.report", "document.html"),
            title=self.title,
            style=Markup(load_template("casestudies.report", "document.css")),
            body=Markup("\n".join(body)),
        )
