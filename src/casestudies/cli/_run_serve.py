"""Handler of ``casestudies leaderboard serve`` (loaded by ``cli._main.main`` when it runs).

Apart from the other leaderboard handlers because the server needs the
``server`` extra (FastAPI, uvicorn): without it, only this command fails, and
with a message that says what to install.
"""

from __future__ import annotations

import argparse
from typing import Final

from casestudies.cli._common import EXIT_OK
from casestudies.cli._leaderboard import store_of
from casestudies.exceptions import LeaderboardError

_MISSING_EXTRA: ImportError | None
try:
    from casestudies.leaderboard import serve as serve_board
except ImportError as err:  # the ``server`` extra is not installed; its message says how to install it
    _MISSING_EXTRA = err
else:
    _MISSING_EXTRA = None

__all__ = ["serve"]

_BYTES_PER_MIB: Final = 1024 * 1024


def _announce(text: str) -> None:
    print(text, flush=True)


def serve(args: argparse.Namespace) -> int:
    """``casestudies leaderboard serve``: serve the board over HTTP until interrupted."""
    if _MISSING_EXTRA is not None:
        raise LeaderboardError(str(_MISSING_EXTRA)) from _MISSING_EXTRA
    serve_board(
        store_of(args),
        args.board,
        host=args.host,
        port=args.port,
        max_upload_bytes=int(args.max_upload_mb * _BYTES_PER_MIB),
        announce=_announce,
    )
    return EXIT_OK
