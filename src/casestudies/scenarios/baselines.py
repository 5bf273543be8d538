"""Baselines shared by every scenario of a task."""

from __future__ import annotations

from sklearn.dummy import DummyClassifier


def prior() -> DummyClassifier:
    """Know-nothing model: predicts the training prevalence for every row.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.baselines import prior
    >>> model = prior().fit(np.zeros((4, 1)), [0, 0, 0, 1])
    >>> model.predict_proba(np.zeros((2, 1)))[:, 1]
    array([0.25, 0.25])
    """
    return DummyClassifier(strategy="prior")
