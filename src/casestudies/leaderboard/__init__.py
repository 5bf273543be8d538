"""Leaderboards that resist being overfit, a solo practice log, a server for a board and its client.

:class:`Leaderboard` and :class:`PracticeLog` are public through
``casestudies``; the command line uses the rest. Importing this folder
imports SQLAlchemy (the store) but not the server's libraries:
:func:`serve` and :func:`create_app` load FastAPI and uvicorn on first
access. :class:`RemoteBoard` needs only the standard library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from casestudies._public import present_as_public
from casestudies.leaderboard._board import Leaderboard
from casestudies.leaderboard._client import RemoteBoard
from casestudies.leaderboard._feedback import FEEDBACK_MODES
from casestudies.leaderboard._practice import PracticeLog
from casestudies.leaderboard._settings import (
    DEFAULT_ALPHA,
    DEFAULT_DAILY_LIMIT,
    DEFAULT_DIGITS,
    DEFAULT_FEEDBACK,
    DEFAULT_N_FINAL,
    DEFAULT_STEP,
    Feedback,
    predictions_sha256,
)

if TYPE_CHECKING:
    from casestudies.leaderboard._server import create_app, serve

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_DAILY_LIMIT",
    "DEFAULT_DIGITS",
    "DEFAULT_FEEDBACK",
    "DEFAULT_N_FINAL",
    "DEFAULT_STEP",
    "FEEDBACK_MODES",
    "Feedback",
    "Leaderboard",
    "PracticeLog",
    "RemoteBoard",
    "create_app",
    "predictions_sha256",
    "serve",
]

_SERVER_MODULE = "casestudies.leaderboard._server"
_NEEDS_SERVER = frozenset({"create_app", "serve"})
"""Names that need the ``server`` extra, loaded from the server module on first access."""


def __getattr__(name: str) -> object:
    """Load :func:`serve` and :func:`create_app` (FastAPI, uvicorn) on first access (PEP 562)."""
    if name not in _NEEDS_SERVER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_SERVER_MODULE), name)
    globals()[name] = value
    return value


present_as_public(Leaderboard, PracticeLog)
