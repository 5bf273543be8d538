"""Baselines shared by every scenario of a task."""

from __future__ import annotations

from sklearn.dummy import DummyClassifier


def prior() -> DummyClassifier:
    """Know-nothing model: predicts the training prevalence for every row."""
    return DummyClassifier(strategy="prior")
