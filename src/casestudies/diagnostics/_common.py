"""What every diagnostic shares: the flagging thresholds, small numerical helpers, and Finding builders.

Every diagnostic returns a :class:`~casestudies.Finding` whose ``evidence``
holds the numbers, the data for a plot and, when the check speaks to a known
cause, ``flagged`` and ``fault`` (one of :data:`casestudies.FAULT_KINDS`)
with the ``columns`` concerned. :func:`_finding` and :func:`_skipped` build
them; :func:`_auc`, :func:`_folds` and :func:`_oof_predictions` are the
scoring and cross-validation the checks are made of.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Final, cast

import numpy as np
from numpy.typing import NDArray

from casestudies.report import FigureSpec, Finding

# Thresholds, documented in each diagnostic's docstring.
LEAK_AUC: Final[float] = 0.85
"""Single-column ROC-AUC (its lower end, AUC - 2 SE) that a legitimate driver rarely reaches."""
IDENTIFIER_UNIQUE_SHARE: Final[float] = 0.5
"""Share of distinct training values from which a text or categorical column identifies rows."""
SHIFT_COLUMN_AUC: Final[float] = 0.1
"""|AUC - 0.5| of one column, train vs holdout, from which the column counts as shifted."""
SHIFT_MODEL_AUC: Final[float] = 0.6
"""Train-vs-holdout ROC-AUC of the adversarial classifier from which the holdout counts as shifted."""
DUPLICATE_RELATIVE_DISTANCE: Final[float] = 0.1
"""Nearest-row distance, as a share of the median one, under which a holdout row is a near-copy."""
DUPLICATE_SHARE: Final[float] = 0.01
"""Excess share of near-copied holdout rows (over the within-train baseline) that is flagged."""
ROWS_PER_FEATURE: Final[float] = 10.0
"""Training rows per feature column under which a linear model can fit any labelling (rule of thumb)."""
IMBALANCE_SHARE: Final[float] = 0.1
"""Minority-class share under which accuracy and small folds mislead."""
NOISE_RATE: Final[float] = 0.1
"""Estimated share of random labels from which label noise is flagged."""
NOISE_LR: Final[float] = 10.0
"""Likelihood-ratio statistic (noisy vs clean labels) needed before label noise is flagged."""
TEMPORAL_P_VALUE: Final[float] = 1e-3
"""p-value of the month indicators under which the label counts as moving with time."""

CHANCE_AUC: Final[float] = 0.5
"""ROC-AUC of a score that cannot tell the two classes apart."""
MAX_CATEGORIES: Final[int] = 50
"""Categories one-hot encoded per column by the probes; rarer ones share a column, keeping probes small."""

# StratifiedKFold needs at least two folds (and, per class, as many rows as folds).
_MIN_FOLDS: Final[int] = 2


def _auc(y: NDArray[np.generic], score: NDArray[np.generic]) -> float:
    """ROC-AUC via ranks (ties count 1/2); NaN when one class is absent."""
    from scipy.stats import rankdata

    positive = np.asarray(y).astype(bool)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _auc_se(value: float, n_pos: int, n_neg: int) -> float:
    """Hanley-McNeil standard error of a ROC-AUC."""
    if not math.isfinite(value) or n_pos == 0 or n_neg == 0:
        return float("nan")
    q1, q2 = value / (2 - value), 2 * value**2 / (1 + value)
    spread = value * (1 - value) + (n_pos - 1) * (q1 - value**2) + (n_neg - 1) * (q2 - value**2)
    return math.sqrt(max(spread / (n_pos * n_neg), 0.0))


def _folds(y: NDArray[np.generic], n_splits: int, seed: int) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Shuffled stratified folds: ``n_splits`` of them, fewer when the rarer class has fewer rows."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(np.asarray(y, dtype=np.int64))
    rarest = int(counts.min()) if len(np.unique(y)) > 1 else _MIN_FOLDS
    n_splits = max(_MIN_FOLDS, min(n_splits, rarest))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def _r(value: float, digits: int = 4) -> float | None:
    """``value`` rounded for the evidence; ``None`` for NaN and infinities (strict JSON)."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _oof_predictions(
    X: NDArray[np.float64],
    y: NDArray[np.int64],
    make_model: Callable[[], object],
    splits: list[tuple[NDArray[np.intp], NDArray[np.intp]]],
) -> NDArray[np.float64]:
    """Out-of-fold probabilities of a fresh model per fold."""
    out = np.zeros(len(y))
    for train_rows, valid_rows in splits:
        model = make_model()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[train_rows], y[train_rows])  # type: ignore[attr-defined]
        out[valid_rows] = model.predict_proba(X[valid_rows])[:, 1]  # type: ignore[attr-defined]
    return out


def _columns(evidence: Mapping[str, object]) -> list[str]:
    """The ``columns`` a finding's evidence names (none when it names none)."""
    return list(cast("Iterable[str]", evidence.get("columns") or []))


def _finding(
    diagnostic: str, title: str, text: str, evidence: Mapping[str, object], figures: tuple[FigureSpec, ...] = ()
) -> Finding:
    """The finding of ``diagnostic``, its name recorded in the evidence, with the figures of its plot data."""
    return Finding(diagnostic, title, text, {"diagnostic": diagnostic, **evidence}, figures)


def _skipped(diagnostic: str, title: str, reason: str) -> Finding:
    """The finding of a diagnostic that could not run, with the reason."""
    evidence: dict[str, object] = {"flagged": False, "fault": None, "columns": [], "skipped": reason}
    return _finding(diagnostic, title, f"skipped: {reason}", evidence)
