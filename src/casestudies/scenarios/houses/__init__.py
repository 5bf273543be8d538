"""houses: a regression family (house prices) that plants the faults of linear regression's assumptions."""

from __future__ import annotations

__all__: list[str] = []
