"""Built-in scenario generators.

The scenarios themselves are declared as data in the catalog (the top-level
``scenarios/`` folder, shipped in the wheel) and point at generators here by
``"module:function"`` strings, so importing casestudies imports no generator.
"""

from __future__ import annotations

__all__: list[str] = []
