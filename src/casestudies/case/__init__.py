"""The Case: what ``make`` returns, and the host-side view that features use.

``Case`` and ``make`` are public through ``casestudies``; ``host_view`` is for
the features of this package (and plugin authors) that keep secrets.

Examples
--------
>>> from casestudies.case import host_view, make
>>> case = make("overfit-v1", seed=0)
>>> case.id_column in case.test.columns, case.target in case.test.columns
(True, False)
>>> len(host_view(case).holdout.labels) == len(case.test)
True
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.case._case import (
    DIAGNOSTICS_PLAN,
    DIAGNOSTICS_RUN,
    ORACLE_TRUTH,
    Case,
    DiagnosticsPlanner,
    DiagnosticsRunner,
    Scored,
    make,
)
from casestudies.case._host import CaseHost, host_view

__all__ = [
    "DIAGNOSTICS_PLAN",
    "DIAGNOSTICS_RUN",
    "ORACLE_TRUTH",
    "Case",
    "CaseHost",
    "DiagnosticsPlanner",
    "DiagnosticsRunner",
    "Scored",
    "host_view",
    "make",
]

present_as_public(Case, make)
