"""The feedback modes a board can give, in a module light enough for the command line's parser."""

from __future__ import annotations

from typing import Final

FEEDBACK_MODES: Final[tuple[str, ...]] = ("exact", "ladder", "parameter-free")
"""``exact``: Kaggle-style scores; ``ladder``: Blum & Hardt's Ladder with a fixed step;
``parameter-free``: their parameter-free Ladder with a paired test (the default)."""
