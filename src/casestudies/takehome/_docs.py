"""Documents of a take-home: one small block model rendered as Markdown and HTML.

The candidate's README, the interviewer's rubric and instructions, and the
grading reports are all built as a :class:`Document` (headings, paragraphs,
bullet lists, tables, code), then written as Markdown and, for grading
reports, as standalone HTML. Inline ``**bold**`` and ```code``` spans are the
only markup inside text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_INLINE_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #1b1f24; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { background: #f6f8fa; border-radius: 4px; font-size: .9em; }
code { padding: .1em .3em; }
pre { padding: .8em; overflow-x: auto; }
""".strip()

_NUMBER = re.compile(r"^[-+]?[\d,.]+(%| \[[-\d., ]+\])?$")


def _inline_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = _INLINE_CODE.sub(r"<code>\1</code>", escaped)
    return _BOLD.sub(r"<b>\1</b>", escaped)


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
                body.append(f"<pre><code>{html.escape(block.text)}</code></pre>")
        title = html.escape(self.title)
        return (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
        )
