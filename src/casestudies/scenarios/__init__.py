"""Built-in scenario generators.

The scenarios themselves are declared as data in the catalog (the top-level
``scenarios/`` folder, shipped in the wheel) and point at generators here by
``"module:function"`` strings, so importing casestudies imports no generator.

Examples
--------
>>> import casestudies as cs
>>> cs.spec("fraud-v1").generator
'casestudies.scenarios.fraud._simulator:generate'
>>> from casestudies.core import generator_of
>>> generator_of(cs.spec("fraud-v1")).__module__
'casestudies.scenarios.fraud._simulator'
"""

from __future__ import annotations

__all__: list[str] = []
