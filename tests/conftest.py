from __future__ import annotations

import casestudies as cs
import plugin_scenario

cs.register(plugin_scenario.SPEC)
