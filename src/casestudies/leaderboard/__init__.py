"""Leaderboards that resist being overfit, a solo practice log, a server for a board and its client.

:class:`Leaderboard` and :class:`PracticeLog` are public through
``casestudies``; the command line uses the rest. Importing this folder
is cheap: the board (SQLAlchemy, the Case) and the server (FastAPI,
uvicorn) load on first access. :class:`RemoteBoard` needs only the standard library.

Examples
--------
>>> import numpy as np, os, tempfile
>>> from casestudies.leaderboard import FEEDBACK_MODES, Leaderboard
>>> FEEDBACK_MODES
('exact', 'ladder', 'parameter-free')
>>> store = os.path.join(tempfile.mkdtemp(), "class.sqlite")
>>> params = {"n_customers": 300, "n_days": 35}
>>> board = Leaderboard.create(store, scenario="fraud-v1", params=params, feedback="exact", seed=3)
>>> _ = board.add_participant("ana")
>>> n_test = board.info()["n_public"] + board.info()["n_private"]
>>> feedback = board.submit("ana", np.full(n_test, 0.5), label="constant")
>>> feedback.number, feedback.remaining_today
(1, 4)
>>> feedback.score is not None  # "exact" releases every public score, rounded
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casestudies._public import lazy_face
from casestudies.leaderboard._client import RemoteBoard
from casestudies.leaderboard._modes import FEEDBACK_MODES
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
    from casestudies.leaderboard._board import Leaderboard
    from casestudies.leaderboard._practice import PracticeLog
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

_LAZY: dict[str, str] = {
    "Leaderboard": "casestudies.leaderboard._board",
    "PracticeLog": "casestudies.leaderboard._practice",
    "create_app": "casestudies.leaderboard._server",
    "serve": "casestudies.leaderboard._server",
}
"""Names loaded on first access (PEP 562): the board and practice log need SQLAlchemy and the Case,
the server needs the ``server`` extra (FastAPI, uvicorn); the command line's parser needs none of them."""


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)
