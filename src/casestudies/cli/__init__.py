"""The command line: ``casestudies`` and its subcommands, and the helpers they share."""

from __future__ import annotations

from casestudies.cli._main import main

__all__ = ["main"]
