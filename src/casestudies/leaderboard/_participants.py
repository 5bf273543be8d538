"""Participant names: well formed, and told apart by how they read, not by their code points.

Two names that a person reading the standings would take for one --
``Ana`` and ``ana``, ``ana`` and ``ana `` or ``ana``, ``ana`` written with a
Cyrillic ``а`` -- are one name here. :func:`name_key` maps a name to what it
reads as: Unicode compatibility forms folded (NFKC: full-width letters,
ligatures), Cyrillic and Greek letters that look like Latin ones replaced by
those (a small explicit table, :data:`CONFUSABLES`, not Unicode's full
confusables list), case folded, and runs of white space made one space, none
at the ends. A board refuses a new name whose key is the key of a name it
has, or of another name added with it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from casestudies.exceptions import InvalidParameterError, LeaderboardError
from casestudies.leaderboard._settings import NAME_RULE, check_name, is_name, listed, shown

_CYRILLIC: Final[str] = "АВСЕНІЈКМОРЅТХУҮӀасԁеһіјӏорԛѕԝхуү"
_CYRILLIC_AS: Final[str] = "ABCEHIJKMOPSTXYYIacdehijlopqswxyy"
_GREEK: Final[str] = "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικορυνχ"
_GREEK_AS: Final[str] = "ABEZHIKMNOPTYXaikopuvx"

CONFUSABLES: Final[Mapping[str, str]] = dict(zip(_CYRILLIC + _GREEK, _CYRILLIC_AS + _GREEK_AS, strict=True))
"""Cyrillic and Greek letters read as the Latin letter they look like (``а`` -> ``a``, ``Ο`` -> ``O``).

An explicit, small table of the letters that look the same in common fonts,
not Unicode's full confusables data. It is applied before case folding, so
a capital and its small letter each map to the Latin letter they resemble
(Greek ``Ν`` reads as ``N``, ``ν`` as ``v``).
"""


def name_key(name: str) -> str:
    """What a name reads as: the key two names must not share on one board.

    Examples
    --------
    >>> name_key("Ana  María ") == name_key("ana maría")
    True
    >>> name_key("\\u0430na") == name_key("ana")  # a Cyrillic а
    True
    >>> name_key("ｂｏ") == name_key("bo")  # full-width letters
    True
    >>> name_key("ana") == name_key("anna")
    False
    """
    folded = unicodedata.normalize("NFKC", name)
    latin = "".join(CONFUSABLES.get(character, character) for character in folded)
    return " ".join(unicodedata.normalize("NFKC", latin.casefold()).split())


def check_new_names(where: str, names: Sequence[str], existing: Iterable[str], *, board: str | None) -> list[str]:
    """``names`` if each is well formed and reads unlike every other and every ``existing`` one.

    Raises
    ------
    InvalidParameterError
        If a name is malformed (listing every one that is).
    LeaderboardError
        If names read alike (listing every clash), with the rule.
    """
    malformed = [name for name in names if not is_name(name)]
    if len(malformed) == 1:
        check_name(where, "name", malformed[0])  # raises, with the usual message
    if malformed:
        message = (
            f"{where}: every name must be {NAME_RULE}; got {len(malformed)} that are not: {listed(malformed)}. "
            "Pick names like 'ana' or 'team-2'; nothing was added."
        )
        raise InvalidParameterError(message)
    taken = {name_key(name): (name, "already on the board") for name in existing}
    clashes = []
    for name in names:
        key = name_key(name)
        if key in taken:
            clashes.append((name, *taken[key]))
        else:
            taken[key] = (name, "given before it")
    if not clashes:
        return list(names)
    if len(clashes) == 1 and clashes[0][0] == clashes[0][1] and clashes[0][2] == "already on the board":
        message = (
            f"leaderboard {board!r} already has a participant {shown(clashes[0][0])}; names are unique. "
            "Pick another name."
        )
        raise LeaderboardError(message)
    found = "; ".join(f"{shown(name)} reads as {shown(other)} ({where_from})" for name, other, where_from in clashes)
    on = "a leaderboard" if board is None else f"leaderboard {board!r}"
    message = (
        f"{where}: names on {on} must differ in more than case, spacing, compatibility forms "
        f"or look-alike letters; got {found}. Pick other names; nothing was added."
    )
    raise LeaderboardError(message)
