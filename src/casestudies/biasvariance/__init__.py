"""The bias–variance lab: expected error split into noise, bias² and variance over fresh training draws."""

from __future__ import annotations

__all__: list[str] = []
