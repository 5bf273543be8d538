"""Counted nouns and possessives for the text users read: "1 id", "3 ids", "alice's".

Every message that puts a number before a noun goes through :func:`counted`,
so a count of one never reads "1 ids"; every possessive of a name through
:func:`possessive`, so a quoted name never reads "'alice''s".

Examples
--------
>>> from casestudies.core import counted, possessive
>>> counted(1, "id"), counted(8271, "id"), counted(0, "query", "queries")
('1 id', '8,271 ids', '0 queries')
>>> possessive("alice"), possessive("james")
("alice's", "james's")
"""

from __future__ import annotations

import numbers
from typing import Final

__all__ = ["counted", "possessive"]


def counted(count: int | numbers.Integral, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one: ``"1 report"``, ``"2 reports"``.

    Parameters
    ----------
    count : int
        How many; written with thousands separators (``8,271``).
    noun : str
        The singular noun phrase (``"value outside"``, ``"id that is not in the test set"``).
    plural : str, optional
        The plural, when adding ``s`` is wrong (``"queries"``). By default the last word before a clause
        (``that``, ``with``, ``of``, ...) gets an ``s``, and a verb right after ``that``/``which``/``who``
        agrees (``is`` becomes ``are``).

    Returns
    -------
    str

    Examples
    --------
    >>> from casestudies.core import counted
    >>> counted(1, "topic"), counted(2, "topic"), counted(1_000, "row")
    ('1 topic', '2 topics', '1,000 rows')
    >>> counted(1, "id that is not in the test set"), counted(3, "id that is not in the test set")
    ('1 id that is not in the test set', '3 ids that are not in the test set')
    >>> counted(2, "test pair"), counted(2, "row with user ids that do not exist")
    ('2 test pairs', '2 rows with user ids that do not exist')
    >>> counted(2, "candidate", "people")
    '2 people'
    """
    number = int(count)
    if number == 1:
        return f"{number:,} {noun}"
    return f"{number:,} {plural if plural is not None else _plural_phrase(noun)}"


_CLAUSE_STARTS: Final = frozenset({"that", "which", "who", "whose", "with", "of", "outside", "in", "from", "for", "to"})
"""Words that end a noun phrase: the word before the first of them is the one made plural."""

_PLURAL_VERBS: Final = {"is": "are", "was": "were", "has": "have", "does": "do"}
"""Verbs right after ``that``/``which``/``who`` that agree with a plural noun."""


def _plural_phrase(noun: str) -> str:
    """``noun`` with its head word made plural (an ``s`` added) and a verb of a following ``that`` clause agreeing."""
    words = noun.split(" ")
    end = next((i for i, word in enumerate(words) if i and word in _CLAUSE_STARTS), len(words))
    words[end - 1] += "s"
    if end + 1 < len(words) and words[end] in ("that", "which", "who"):
        words[end + 1] = _PLURAL_VERBS.get(words[end + 1], words[end + 1])
    return " ".join(words)


def possessive(name: str) -> str:
    """``name``'s, written without quotes: ``"alice's"`` (never ``"'alice''s"``).

    Use it for names that are plain words (candidate names, ids); quote a
    name that may hold spaces or quotes and write "of" instead.

    Examples
    --------
    >>> from casestudies.core import possessive
    >>> possessive("alice"), possessive("alice.v2")
    ("alice's", "alice.v2's")
    """
    return f"{name}'s"
