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

from typing import TYPE_CHECKING

from casestudies._public import lazy_face

if TYPE_CHECKING:
    from casestudies.diagnostics._data_checks import (
        adversarial_validation,
        class_balance,
        dimensionality,
        identifier_check,
        leakage_scan,
        near_duplicates,
    )
    from casestudies.diagnostics._explain_causes import failure_by_cause
    from casestudies.diagnostics._explain_importance import importance_vs_truth
    from casestudies.diagnostics._noise_time import label_noise, temporal_split
    from casestudies.diagnostics._pipeline_checks import fit_gap, learning_curve, validation_curve
    from casestudies.diagnostics._quality import (
        BOOLEAN_TOKENS,
        TRUE_TOKENS,
        category_variants,
        duplicate_rows,
        missing_values,
        parse_numbers,
        sentinel_values,
        text_types,
        unseen_levels,
        useless_columns,
    )
    from casestudies.diagnostics._quality_numbers import outliers, unit_mixtures
    from casestudies.diagnostics._quality_profile import QualityReport, profile_quality
    from casestudies.diagnostics._regression import (
        REGRESSION_DIAGNOSTICS,
        autocorrelation,
        heteroscedasticity,
        influence,
        linear_design,
        multicollinearity,
        normality,
        regression_diagnostics,
        residuals_vs_fitted,
    )
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

# Public name -> the module that defines it; imported on first access. Every report loads only the explanation
# modules it uses (``_explain_hooks``), not the checks that fit models or the opt-in importances.
_LAZY: dict[str, str] = {
    "adversarial_validation": "casestudies.diagnostics._data_checks",
    "class_balance": "casestudies.diagnostics._data_checks",
    "dimensionality": "casestudies.diagnostics._data_checks",
    "identifier_check": "casestudies.diagnostics._data_checks",
    "leakage_scan": "casestudies.diagnostics._data_checks",
    "near_duplicates": "casestudies.diagnostics._data_checks",
    "failure_by_cause": "casestudies.diagnostics._explain_causes",
    "importance_vs_truth": "casestudies.diagnostics._explain_importance",
    "label_noise": "casestudies.diagnostics._noise_time",
    "temporal_split": "casestudies.diagnostics._noise_time",
    "fit_gap": "casestudies.diagnostics._pipeline_checks",
    "learning_curve": "casestudies.diagnostics._pipeline_checks",
    "validation_curve": "casestudies.diagnostics._pipeline_checks",
    "BOOLEAN_TOKENS": "casestudies.diagnostics._quality",
    "TRUE_TOKENS": "casestudies.diagnostics._quality",
    "category_variants": "casestudies.diagnostics._quality",
    "duplicate_rows": "casestudies.diagnostics._quality",
    "missing_values": "casestudies.diagnostics._quality",
    "parse_numbers": "casestudies.diagnostics._quality",
    "sentinel_values": "casestudies.diagnostics._quality",
    "text_types": "casestudies.diagnostics._quality",
    "unseen_levels": "casestudies.diagnostics._quality",
    "useless_columns": "casestudies.diagnostics._quality",
    "outliers": "casestudies.diagnostics._quality_numbers",
    "unit_mixtures": "casestudies.diagnostics._quality_numbers",
    "QualityReport": "casestudies.diagnostics._quality_profile",
    "profile_quality": "casestudies.diagnostics._quality_profile",
    "REGRESSION_DIAGNOSTICS": "casestudies.diagnostics._regression",
    "autocorrelation": "casestudies.diagnostics._regression",
    "heteroscedasticity": "casestudies.diagnostics._regression",
    "influence": "casestudies.diagnostics._regression",
    "linear_design": "casestudies.diagnostics._regression",
    "multicollinearity": "casestudies.diagnostics._regression",
    "normality": "casestudies.diagnostics._regression",
    "regression_diagnostics": "casestudies.diagnostics._regression",
    "residuals_vs_fitted": "casestudies.diagnostics._regression",
    "DEFAULT_BUDGET_SECONDS": "casestudies.diagnostics._run",
    "DIAGNOSTICS": "casestudies.diagnostics._run",
    "DiagnosticsReport": "casestudies.diagnostics._run",
    "default_diagnostics": "casestudies.diagnostics._run",
    "diagnose": "casestudies.diagnostics._run",
    "diagnosis_from_findings": "casestudies.diagnostics._run",
    "run_diagnostics": "casestudies.diagnostics._run",
    "TabularEncoder": "casestudies.preprocessing",
}

__all__ = [
    "BOOLEAN_TOKENS",
    "DEFAULT_BUDGET_SECONDS",
    "DIAGNOSTICS",
    "REGRESSION_DIAGNOSTICS",
    "TRUE_TOKENS",
    "DiagnosticsReport",
    "QualityReport",
    "TabularEncoder",
    "adversarial_validation",
    "autocorrelation",
    "category_variants",
    "class_balance",
    "default_diagnostics",
    "diagnose",
    "diagnosis_from_findings",
    "dimensionality",
    "duplicate_rows",
    "failure_by_cause",
    "fit_gap",
    "heteroscedasticity",
    "identifier_check",
    "importance_vs_truth",
    "influence",
    "label_noise",
    "leakage_scan",
    "learning_curve",
    "linear_design",
    "missing_values",
    "multicollinearity",
    "near_duplicates",
    "normality",
    "outliers",
    "parse_numbers",
    "profile_quality",
    "regression_diagnostics",
    "residuals_vs_fitted",
    "run_diagnostics",
    "sentinel_values",
    "temporal_split",
    "text_types",
    "unit_mixtures",
    "unseen_levels",
    "useless_columns",
    "validation_curve",
]


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__)
