"""messy: the data-cleaning round, with every defect planted and the clean truth known."""

from __future__ import annotations

__all__: list[str] = []
