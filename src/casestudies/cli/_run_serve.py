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
_INSTALL_FROM_SOURCE: Final = 'pip install ".[server]"'  # the README's command (the tests hold the two together)


def serve(args: argparse.Namespace) -> int:
    """``casestudies leaderboard serve``: serve the board over HTTP until interrupted.

    Raises
    ------
    LeaderboardError
        Without the ``server`` extra (saying how to install it), or when the
        server cannot listen on ``--host``/``--port`` (naming both).
    """
    if _MISSING_EXTRA is not None:
        message = (
            f"{_MISSING_EXTRA} From the package's source folder, as the README installs it: {_INSTALL_FROM_SOURCE}."
        )
        raise LeaderboardError(message) from _MISSING_EXTRA
    listening = False

    def announce(text: str) -> None:
        nonlocal listening
        listening = True
        print(text, flush=True)

    try:
        serve_board(
            store_of(args),
            args.board,
            host=args.host,
            port=args.port,
            max_upload_bytes=int(args.max_upload_mb * _BYTES_PER_MIB),
            announce=announce,
        )
    except OSError as err:
        if listening:  # a failure while serving is not about the address
            raise
        message = (
            f"cannot listen on --host {args.host} --port {args.port}: {err.strerror or err}. "
            "--host must be an address of this machine (127.0.0.1: this machine only; 0.0.0.0: every network "
            "interface) and --port a free port (0 picks one)."
        )
        raise LeaderboardError(message) from err
    return EXIT_OK
