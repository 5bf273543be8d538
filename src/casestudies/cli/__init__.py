"""The command line: ``casestudies`` and its subcommands, and the helpers they share.

Examples
--------
:func:`main` takes the arguments the shell would pass and returns the exit code:

>>> from casestudies.cli import main
>>> main(["list"])  # doctest: +ELLIPSIS
fraud-v1 ...
0
"""

from __future__ import annotations

from casestudies.cli._main import main

__all__ = ["main"]
