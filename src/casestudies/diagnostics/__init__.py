"""Reusable diagnostics of a train/test gap, one question each (see :func:`casestudies.diagnose`).

Each function takes plain frames (and, for three of them, a pipeline) and
returns a :class:`~casestudies.Finding` whose ``evidence`` holds the numbers,
the data for a plot, and, when it speaks to a cause, ``flagged``, ``fault``
and ``columns``.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.diagnostics import leakage_scan
>>> case = cs.make("overfit-leaky-v1", seed=0, n_train=500, n_test=300)
>>> leakage_scan(case.X_train, case.y_train, exclude=[case.id_column]).evidence["columns"]
['winback_offer_sent']
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.diagnostics._data_checks import (
    adversarial_validation,
    class_balance,
    dimensionality,
    identifier_check,
    leakage_scan,
    near_duplicates,
)
from casestudies.diagnostics._noise_time import label_noise, temporal_split
from casestudies.diagnostics._pipeline_checks import fit_gap, learning_curve, validation_curve
from casestudies.diagnostics._run import (
    DEFAULT_BUDGET_SECONDS,
    DIAGNOSTICS,
    DiagnosticsReport,
    default_diagnostics,
    diagnose,
    diagnosis_from_findings,
    run_diagnostics,
)
from casestudies.preprocessing import TabularEncoder  # defined with the preprocessing; re-exported for users

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "DIAGNOSTICS",
    "DiagnosticsReport",
    "TabularEncoder",
    "adversarial_validation",
    "class_balance",
    "default_diagnostics",
    "diagnose",
    "diagnosis_from_findings",
    "dimensionality",
    "fit_gap",
    "identifier_check",
    "label_noise",
    "leakage_scan",
    "learning_curve",
    "near_duplicates",
    "run_diagnostics",
    "temporal_split",
    "validation_curve",
]

present_as_public(DiagnosticsReport, diagnose)
