"""How package faces present their names: printed as ``casestudies.Name``, and loaded on first use."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
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


def lazy_face(
    package: str, table: Mapping[str, str], names: Iterable[str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the face ``package`` (PEP 562): each name of ``table`` is loaded from
    the module ``table`` gives, once, on first access; ``dir()`` lists ``names`` too.

    A face assigns them: ``__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)``.

    Examples
    --------
    >>> import types, sys
    >>> face = types.ModuleType("face_example")
    >>> sys.modules["face_example"] = face
    >>> face.__getattr__, face.__dir__ = lazy_face("face_example", {"sqrt": "math"}, ["sqrt"])
    >>> face.sqrt(9.0), "sqrt" in vars(face)  # loaded, then kept
    (3.0, True)
    >>> face.cbrt
    Traceback (most recent call last):
    AttributeError: module 'face_example' has no attribute 'cbrt'
    >>> del sys.modules["face_example"]
    """
    namespace = vars(sys.modules[package])
    listed = tuple(names)

    def load(name: str) -> object:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *listed})

    return load, listing
