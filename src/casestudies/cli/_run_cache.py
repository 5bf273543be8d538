"""Handlers of ``casestudies cache info|clear`` (loaded by ``cli._main.main`` when one of them runs)."""

from __future__ import annotations

import argparse
import json

from casestudies.case import cache_info, clear_cache
from casestudies.cli._common import EXIT_OK

__all__ = ["clear", "info"]


def info(args: argparse.Namespace) -> int:
    """``casestudies cache info``: where the cache is, how many cases it holds and their size.

    Examples
    --------
    >>> import argparse, os, tempfile
    >>> from casestudies.cli._run_cache import info
    >>> os.environ["CASESTUDIES_CACHE_DIR"] = tempfile.mkdtemp()
    >>> info(argparse.Namespace(json=False))
    /...: 0 cached cases, 0.0 MB
    0
    >>> del os.environ["CASESTUDIES_CACHE_DIR"]
    """
    found = cache_info()
    if args.json:
        print(json.dumps({"folder": str(found.folder), "files": found.files, "bytes": found.bytes}, indent=2))
    else:
        print(found)
    return EXIT_OK


def clear(args: argparse.Namespace) -> int:
    """``casestudies cache clear``: delete every cached reference score, print how many and where."""
    removed = clear_cache()
    print(f"removed {removed} cached case{'s' if removed != 1 else ''} from {cache_info().folder}")
    return EXIT_OK
