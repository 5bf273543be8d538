"""A report's figures in a page: standalone HTML, the notebook fragment, and Markdown with figure files.

The standalone page (``report.html`` template, ``report.css`` inlined) holds
everything it shows: figures as inline SVG, no script, no external URL, so it
reads offline, prints, and fits a phone's width (figures scale to their
column; only the wide table scrolls inside its own box). Key figures sit
beside the findings on a wide screen and above them on a narrow one.

Examples
--------
>>> from casestudies.report import Document, FigureSpec, Series
>>> from casestudies.report._output import html_page
>>> doc = Document("fraud-v1 · seed 0")
>>> doc.table(["", "AP"], [["you", "0.41"]])
>>> bars = (Series("AP", ("you", "prior"), (0.41, 0.01)),)
>>> spec = FigureSpec("demo", "bars", "You beat the prior", "row", "AP", bars)
>>> page = html_page(doc, [("Scores", "All scores.")], [spec], meta="holdout 1,000 rows")
>>> "<title>You beat the prior</title>" in page and "http" not in page.replace("http-equiv", "")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from casestudies.core import Markup, element, join, load_template, render
from casestudies.report._document import Document
from casestudies.report._figures import FigureSpec
from casestudies.report._render import figure_html

_PACKAGE: Final[str] = "casestudies.report"

_SVG_NAMESPACES: Final[str] = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
"""What a standalone ``.svg`` file declares (inline SVG in HTML needs neither)."""

KEY_FIGURES_INLINE: Final[int] = 2
"""Key figures the notebook view shows inline (the rest: ``report.plot()`` or ``to_html``)."""


def _findings_html(findings: Sequence[tuple[str, str]]) -> Markup:
    if not findings:
        return Markup("")
    items = join(element("li", join([element("b", title), ": ", text])) for title, text in findings)
    return join([element("h2", "What the numbers say"), element("ul", items, class_="findings")])


def html_page(
    doc: Document,
    findings: Sequence[tuple[str, str]],
    specs: Sequence[FigureSpec],
    *,
    meta: str,
    drawn: dict[str, str] | None = None,
) -> str:
    """The standalone page: title, meta line, the table, key figures beside the findings, then every other figure."""
    drawn = drawn or {}
    key = [spec for spec in specs if spec.key]
    others = [spec for spec in specs if not spec.key]
    key_html = join(figure_html(spec, drawn.get(spec.name)) for spec in key)
    other_html = join(figure_html(spec, drawn.get(spec.name)) for spec in others)
    return str(
        render(
            load_template(_PACKAGE, "report.html"),
            title=doc.title,
            style=Markup(load_template(_PACKAGE, "report.css")),
            meta=meta,
            summary=Markup(doc.to_html_body()),
            key_figures=key_html,
            findings=_findings_html(findings),
            figures=join([element("h2", "More figures"), element("div", other_html, class_="grid")])
            if others
            else Markup(""),
        )
    )


def notebook_fragment(fragment: str, specs: Sequence[FigureSpec], drawn: dict[str, str]) -> str:
    """The notebook view: the report's fragment, then its first key figures side by side (wrapping when narrow)."""
    key = [spec for spec in specs if spec.key][:KEY_FIGURES_INLINE]
    if not key:
        return fragment
    figures = join(
        element(
            "div",
            figure_html(spec, drawn.get(spec.name)),
            style="flex:1 1 22rem;max-width:36rem;min-width:16rem",
        )
        for spec in key
    )
    hint = element(
        "p",
        "All figures: report.plot() draws them here; report.to_html('report.html') writes a page to share.",
        style="font-size:0.85em;opacity:0.75",
    )
    row = element("div", figures, style="display:flex;flex-wrap:wrap;gap:1rem")
    return str(element("div", join([Markup(fragment), row, hint])))


def markdown(doc: Document, specs: Sequence[FigureSpec], folder: Path | None, drawn: dict[str, str]) -> str:
    """The Markdown text; with ``folder``, each figure written beside it as ``<name>.svg`` and linked."""
    text = doc.to_markdown()
    if folder is None:
        if specs:
            text += "\n" + f"_{len(specs)} figures: pass a folder to write them beside the Markdown._\n"
        return text
    folder.mkdir(parents=True, exist_ok=True)
    lines = [text, "## Figures", ""]
    for spec in specs:
        path = folder / f"{spec.name}.svg"
        path.write_text(drawn[spec.name].replace("<svg ", f"<svg {_SVG_NAMESPACES} ", 1), encoding="utf-8")
        lines += [f"![{spec.title}]({path.name})", ""]
        if spec.caption:
            lines += [f"_{spec.caption}_", ""]
    return "\n".join(lines)
