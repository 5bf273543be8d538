"""Coding exercises from scratch: start, check against a hidden battery, evaluate on a scenario."""

from __future__ import annotations

__all__: list[str] = []
