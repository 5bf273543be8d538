"""Reference pipelines of ``fraud-v1``: the simple baseline and the expert row of every report.

The scenario catalog (``fraud-v1.toml``) points at these factories by
``"module:function"`` strings; each report row's description is the first
line of the factory's docstring. LightGBM is imported inside
:func:`expert_pipeline`, so importing this module does not import it.

Examples
--------
>>> from casestudies.scenarios.fraud import expert_pipeline, simple_baseline
>>> [name for name, _ in simple_baseline().steps]
['features', 'scale', 'model']
>>> type(expert_pipeline().named_steps["model"]).__name__
'LGBMClassifier'
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from casestudies.scenarios.fraud._features import SIMPLE_FEATURES, TransactionFeatures

__all__ = ["expert_pipeline", "simple_baseline"]


def simple_baseline() -> Pipeline:
    """Build the simple baseline: a few engineered features into a logistic regression.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TransactionFeatures(features=SIMPLE_FEATURES)`` +
        ``StandardScaler`` + ``LogisticRegression``.
    """
    return Pipeline(
        [
            ("features", TransactionFeatures(features=SIMPLE_FEATURES)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )


def expert_pipeline() -> Pipeline:
    """Build the expert pipeline: all engineered features into LightGBM.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted ``TransactionFeatures()`` + deterministic ``LGBMClassifier``.
    """
    from lightgbm import LGBMClassifier  # heavy: imported only when the expert pipeline is built

    model = LGBMClassifier(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=7,
        min_child_samples=100,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        random_state=0,
        n_jobs=1,
        deterministic=True,
        force_row_wise=True,
        verbose=-1,
    )
    return Pipeline([("features", TransactionFeatures()), ("model", model)])
