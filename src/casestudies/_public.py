"""Mark objects re-exported by the public face, so they print as ``casestudies.Name``."""

from __future__ import annotations

from typing import Final

PUBLIC_MODULE: Final[str] = "casestudies"


def present_as_public(*objects: object) -> None:
    """Set ``__module__`` of classes and functions to ``casestudies`` (as httpx does for its names).

    Users see ``casestudies.Case`` in reprs, tracebacks and docs instead of the
    private module that defines it; pickling resolves through the public face.
    """
    for item in objects:
        if isinstance(item, type) or callable(item):
            item.__module__ = PUBLIC_MODULE
