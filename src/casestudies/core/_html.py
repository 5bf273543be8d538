"""The one path from values to HTML: templates shipped as package files, every value escaped.

Pages, scripts and styles live as files next to the code that fills them
(``leaderboard/templates/page.html`` …) and are read with
:func:`load_template`. :func:`render` fills a template's ``$name``
placeholders (:class:`string.Template` syntax); every value is HTML-escaped
unless it is :class:`Markup`, which only this module and the builders that
escape their own parts produce.

Examples
--------
>>> from casestudies.core._html import Markup, escape, render
>>> render("<p>$who</p>", who="<script>")
Markup('<p>&lt;script&gt;</p>')
>>> render("<div>$body</div>", body=escape("a & b"))
Markup('<div>a &amp; b</div>')
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable
from importlib import resources


class Markup(str):
    """A string of HTML that is safe to insert as is (already escaped or authored by us)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Markup({str.__repr__(self)})"


def escape(value: object, *, quote: bool = True) -> Markup:
    """``value`` as HTML text: escaped, unless it is already :class:`Markup`.

    ``quote=False`` leaves quotes alone, for text between tags.
    """
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=quote))


def join(parts: Iterable[object], separator: str = "") -> Markup:
    """Concatenate escaped parts into one :class:`Markup`."""
    return Markup(separator.join(escape(part) for part in parts))


def element(tag: str, content: object = "", **attributes: object) -> Markup:
    """``<tag attr="…">content</tag>`` with the content and every attribute value escaped.

    A trailing underscore in an attribute name is dropped (``class_`` → ``class``).

    Examples
    --------
    >>> element("td", "<1>", class_="num")
    Markup('<td class="num">&lt;1&gt;</td>')
    """
    attrs = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())
    return Markup(f"<{tag}{attrs}>{escape(content)}</{tag}>")


def load_template(package: str, name: str) -> str:
    """The text of the template file ``name`` shipped in ``package``'s ``templates`` folder."""
    return (resources.files(package) / "templates" / name).read_text(encoding="utf-8")


def render(template: str, /, **values: object) -> Markup:
    """Fill ``$name`` placeholders of ``template``; every value escaped unless it is :class:`Markup`.

    Raises
    ------
    KeyError
        If the template names a placeholder that no value fills.
    """
    return Markup(string.Template(template).substitute({name: escape(value) for name, value in values.items()}))
