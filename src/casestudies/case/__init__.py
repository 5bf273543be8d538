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
from casestudies.case._cache import CACHE_DIR_ENV, CacheInfo, cache_dir, cache_info, clear_cache
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
from casestudies.case._generate import HOST_DIR, LEARNER_DIR, generate
from casestudies.case._host import CaseHost, host_view
from casestudies.case._memory import (
    MEMORY_CHECK_ENV,
    MEMORY_LIMIT_ENV,
    available_memory,
    check_memory,
    memory_limit,
)
from casestudies.case._read import HOLDOUT_FRAME, READ_ENGINES, CaseFolder, case_folder, host_folder, read
from casestudies.case._score_dataset import in_memory_note, score_dataset, score_dataset_report, scoring_command
from casestudies.case._timeout import check_timeout, run_with_timeout

__all__ = [
    "CACHE_DIR_ENV",
    "DIAGNOSTICS_PLAN",
    "DIAGNOSTICS_RUN",
    "HOLDOUT_FRAME",
    "HOST_DIR",
    "LEARNER_DIR",
    "MEMORY_CHECK_ENV",
    "MEMORY_LIMIT_ENV",
    "ORACLE_TRUTH",
    "READ_ENGINES",
    "CacheInfo",
    "Case",
    "CaseFolder",
    "CaseHost",
    "DiagnosticsPlanner",
    "DiagnosticsRunner",
    "Scored",
    "available_memory",
    "cache_dir",
    "cache_info",
    "case_folder",
    "check_memory",
    "check_timeout",
    "clear_cache",
    "generate",
    "host_folder",
    "host_view",
    "in_memory_note",
    "make",
    "memory_limit",
    "read",
    "run_with_timeout",
    "score_dataset",
    "score_dataset_report",
    "scoring_command",
]

present_as_public(Case, make, generate, score_dataset, read)
