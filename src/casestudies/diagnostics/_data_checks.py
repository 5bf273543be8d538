"""Diagnostics of the data alone: width, identifiers, leakage, covariate shift, near-duplicates, class balance.

None of them needs the user's pipeline or reads holdout labels: they look at
the training features and labels and at the holdout features.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"x": rng.normal(size=400), "code": [f"c{i}" for i in range(400)]})
>>> y = pd.Series((X["x"] + rng.normal(size=400) > 0).astype(int))
>>> identifier_check(X, X.assign(code=[f"d{i}" for i in range(400)])).evidence["columns"]
['code']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from casestudies.diagnostics._common import (
    CHANCE_AUC,
    DUPLICATE_RELATIVE_DISTANCE,
    DUPLICATE_SHARE,
    IDENTIFIER_UNIQUE_SHARE,
    IMBALANCE_SHARE,
    LEAK_AUC,
    MAX_CATEGORIES,
    ROWS_PER_FEATURE,
    SHIFT_COLUMN_AUC,
    SHIFT_MODEL_AUC,
    _auc,
    _auc_se,
    _finding,
    _folds,
    _oof_predictions,
    _r,
    _skipped,
)
from casestudies.diagnostics._figures import column_bars, distance_figure
from casestudies.preprocessing import TabularEncoder, is_categorical, is_datetime, is_numeric
from casestudies.report import Finding

# Columns listed, strongest first, in a finding's table or plot.
_TABLE_ROWS: Final[int] = 10
_PLOT_COLUMNS: Final[int] = 15

# Fewer training rows than this, and no column is checked as an identifier: uniqueness means nothing.
_MIN_IDENTIFIER_ROWS: Final[int] = 20
# Share of distinct training values from which an integer column may be an identifier (a code or a row number).
_INTEGER_UNIQUE_SHARE: Final[float] = 0.95
# Share of holdout values seen in train under which a near-unique integer column is a code issued per row.
_SEEN_SHARE: Final[float] = 0.1
# Share of unit steps between sorted values from which a near-unique integer column is a row number.
_UNIT_STEP_SHARE: Final[float] = 0.9

# Folds of the out-of-fold target-rate encoding of a categorical column.
_ENCODING_FOLDS: Final[int] = 5
# Pseudo-rows at the overall rate that smooth a category's target rate (rare categories stay near the prior).
_ENCODING_PRIOR_ROWS: Final[float] = 10.0
# Standard errors below a column's AUC that must still reach the leakage threshold (a lucky column does not).
_LEAK_STANDARD_ERRORS: Final[int] = 2
# Columns a quiet leakage scan names as the best.
_BEST_NAMED: Final[int] = 3

# Frequency share added to every category, so a category seen on one side only gets a finite ratio.
_FREQUENCY_SMOOTHING: Final[float] = 1e-3
# Rows kept from each side when adversarial validation subsamples (enough for a fold of each class).
_MIN_SAMPLE_ROWS: Final[int] = 50
# Shifted columns named in the adversarial-validation text.
_SHIFTS_NAMED: Final[int] = 6

# A differing category moves a row by 1 (two one-hot cells of 1/sqrt(2)), like one standard deviation of a number.
_CATEGORY_SCALE: Final[float] = 2.0**-0.5
# Added to the near-duplicate threshold so that exact copies stay under it despite rounding.
_EXACT_TOLERANCE: Final[float] = 1e-6
# Training rows whose nearest other training row sets the near-duplicate baseline, and the seed that picks them.
_BASELINE_ROWS: Final[int] = 300
_BASELINE_SEED: Final[int] = 0
# Baseline rows per block of the distance matrix (keeps memory bounded).
_BASELINE_BLOCK: Final[int] = 100
# Near-copied holdout rows needed before flagging duplicates (one or two happen by chance).
_MIN_DUPLICATES: Final[int] = 3
# Histogram of relative nearest distances: bins over 0 to twice the median.
_HISTOGRAM_BINS: Final[int] = 20
_HISTOGRAM_RANGE: Final[tuple[float, float]] = (0.0, 2.0)


def dimensionality(X: pd.DataFrame, y: pd.Series, *, exclude: Sequence[str] = ()) -> Finding:
    """Rows per feature: is the model asked to learn more than the data can support?

    Counts the feature columns (less ``exclude``) and their one-hot width.
    Fewer than 10 training rows per column (the classic rule of thumb for a
    linear model) is flagged as ``high_dimensional``: an unregularised model
    can fit the training labels exactly whatever they are.
    """
    frame = X.drop(columns=[c for c in exclude if c in X.columns])
    n_rows, n_columns = len(frame), frame.shape[1]
    width = 0
    for column in frame.columns:
        series = frame[column]
        width += 1 if (is_numeric(series) or is_datetime(series)) else max(1, int(series.nunique()))
    per_column = n_rows / max(n_columns, 1)
    minority = int(min(np.bincount(np.asarray(y, dtype=np.int64), minlength=2)))
    minority_per_column = minority / max(n_columns, 1)
    flagged = per_column < ROWS_PER_FEATURE
    text = (
        f"{n_rows:,} training rows for {n_columns:,} feature columns ({width:,} after one-hot encoding): "
        f"{per_column:.1f} rows per column and {minority_per_column:.1f} minority-class rows per column. "
    )
    text += (
        "With fewer rows than features a model can separate any labelling of the training rows, "
        "so train scores say nothing; regularise (L1 selects a few columns), select features, or get more rows."
        if flagged
        else "Enough rows for the number of columns."
    )
    evidence = {
        "flagged": flagged,
        "fault": "high_dimensional",
        "columns": [],
        "n_rows": n_rows,
        "n_columns": n_columns,
        "encoded_width": width,
        "rows_per_column": _r(per_column, 3),
        "minority_rows_per_column": _r(minority_per_column, 3),
    }
    return _finding("dimensionality", "Rows per feature", text, evidence)


def identifier_check(X_train: pd.DataFrame, X_test: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Columns that identify rows: memorisable in train, never seen again in the holdout.

    A text or categorical column is flagged when at least half of its
    training values are distinct; an integer column when at least 95 % are
    distinct and either fewer than 10 % of the holdout values occur in train
    or the sorted values step by one (a row number). Floats are measurements,
    not identifiers, and are not checked. Columns in ``exclude`` (the
    declared id column) are skipped.
    """
    rows: list[dict[str, str | float | None]] = []
    flagged = []
    n = len(X_train)
    for column in X_train.columns:
        if column in exclude or column not in X_test.columns:
            continue
        series = X_train[column]
        if is_datetime(series) or series.dtype.kind == "f" or series.dtype.kind == "b" or n < _MIN_IDENTIFIER_ROWS:
            continue
        unique_share = float(series.nunique()) / n
        seen = float(X_test[column].isin(set(series.dropna().tolist())).mean()) if len(X_test) else float("nan")
        rows.append({"column": str(column), "unique_share": _r(unique_share), "holdout_values_seen_in_train": _r(seen)})
        if _identifies_rows(series, unique_share, seen):
            flagged.append(str(column))
    rows.sort(key=lambda r: -float(r["unique_share"] or 0))
    if flagged:
        details = "; ".join(
            f"{r['column']} ({r['unique_share']:.0%} distinct, "
            f"{r['holdout_values_seen_in_train']:.0%} of holdout values seen in train)"
            for r in rows
            if r["column"] in flagged
        )
        text = (
            f"{len(flagged)} column(s) identify rows: {details}. A model can memorise them "
            "(one-hot codes, splits on row numbers) and gain nothing on the holdout, whose values are new. Drop them."
        )
    else:
        text = "No column other than the declared id identifies rows."
    evidence = {"flagged": bool(flagged), "fault": "identifier", "columns": flagged, "table": rows[:_TABLE_ROWS]}
    return _finding("identifiers", "Identifier columns", text, evidence)


def _identifies_rows(series: pd.Series, unique_share: float, seen: float) -> bool:
    """Whether a text, categorical or integer column is an identifier (see :func:`identifier_check`)."""
    if is_categorical(series):
        return unique_share >= IDENTIFIER_UNIQUE_SHARE
    if unique_share >= _INTEGER_UNIQUE_SHARE:
        steps = np.diff(np.sort(series.dropna().to_numpy(dtype=np.float64)))
        return seen < _SEEN_SHARE or (steps.size > 0 and float(np.mean(steps == 1)) >= _UNIT_STEP_SHARE)
    return False


def _single_feature_auc(series: pd.Series, y: NDArray[np.int64], seed: int) -> float:
    """ROC-AUC of one column alone (either direction): by value, or by out-of-fold target rate of its category."""
    if is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(values).all():
            return float("nan")
        values = np.where(np.isnan(values), np.nanmedian(values), values)
        auc = _auc(y, values)
        return max(auc, 1.0 - auc)
    codes = series.astype(str).to_numpy()
    encoded = np.zeros(len(y))
    prior = float(y.mean())
    for train_rows, valid_rows in _folds(y, _ENCODING_FOLDS, seed):
        frame = pd.DataFrame({"code": codes[train_rows], "y": y[train_rows]})
        stats = frame.groupby("code")["y"].agg(["sum", "count"])
        rate = (stats["sum"] + _ENCODING_PRIOR_ROWS * prior) / (stats["count"] + _ENCODING_PRIOR_ROWS)
        encoded[valid_rows] = pd.Series(codes[valid_rows]).map(rate).fillna(prior).to_numpy()
    auc = _auc(y, encoded)
    return max(auc, 1.0 - auc)


def leakage_scan(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    exclude: Sequence[str] = (),
    threshold: float = LEAK_AUC,
    seed: int = 0,
) -> Finding:
    """Single-feature leakage scan: does one column alone predict the label far better than it should?

    Each column (numbers by their rank, categories by an out-of-fold
    target-rate encoding; ``exclude`` and date columns skipped) is scored
    alone by ROC-AUC against the training labels. A legitimate driver of a
    business outcome rarely reaches 0.85 on its own; a column written after
    the outcome (a cancellation flag, days since last login recorded after
    the customer left) routinely does. A column is flagged when even the
    lower end of its AUC, ``AUC - 2 SE`` (Hanley-McNeil standard error),
    reaches ``threshold``, so a lucky column among few positives is not.
    Flagged columns should be traced back to when they are filled in, and
    dropped if after the outcome.

    Returns
    -------
    Finding
        ``leakage_scan`` with every column's single-feature AUC (top 15 in
        ``plot``) and the flagged ``columns``.
    """
    y_values = np.asarray(y, dtype=np.int64)
    scores = {}
    for column in X.columns:
        if column in exclude or is_datetime(X[column]):
            continue
        scores[str(column)] = _single_feature_auc(X[column], y_values, seed)
    ranked = sorted(((c, s) for c, s in scores.items() if math.isfinite(s)), key=lambda item: -item[1])
    n_pos = int(y_values.sum())
    n_neg = len(y_values) - n_pos
    lower = {c: a - _LEAK_STANDARD_ERRORS * _auc_se(a, n_pos, n_neg) for c, a in ranked}
    flagged = [c for c, _ in ranked if lower[c] >= threshold]
    if flagged:
        shown = ", ".join(f"{c} (AUC {scores[c]:.3f} alone, at least {lower[c]:.3f})" for c in flagged)
        runner_up = next((s for c, s in ranked if c not in flagged), float("nan"))
        text = (
            f"{shown} predict(s) the label almost on their own; the best other column reaches {runner_up:.3f}. "
            "A single column this strong is usually written after the outcome (leakage): check when it is filled in, "
            "and drop it if the value would not be known at prediction time."
        )
    else:
        top = ", ".join(f"{c} {s:.3f}" for c, s in ranked[:_BEST_NAMED])
        text = (
            f"no column predicts the label suspiciously well on its own (best: {top}; "
            f"a leak would reach {threshold:.2f} even at AUC - {_LEAK_STANDARD_ERRORS} SE)."
        )
    plotted = ranked[:_PLOT_COLUMNS]
    evidence = {
        "flagged": bool(flagged),
        "fault": "target_leakage",
        "columns": flagged,
        "threshold": threshold,
        "auc": {c: _r(s) for c, s in ranked},
        "auc_lower": {c: _r(lower[c]) for c, _ in plotted},
        "plot": {
            "kind": "bar",
            "x": [c for c, _ in plotted],
            "y": [_r(s) for _, s in plotted],
            "y_label": "single-feature ROC-AUC",
        },
    }
    lesson = (
        f"{flagged[0]} alone predicts the label with AUC {scores[flagged[0]]:.3f}: a leak"
        if flagged
        else f"No column alone reaches the leakage threshold {threshold:.2f}"
    )
    figure = column_bars(
        "leakage_scan",
        lesson,
        [c for c, _ in plotted],
        [s for _, s in plotted],
        axis="ROC-AUC of the column alone (0.5 = chance)",
        threshold=threshold,
        threshold_label=f"leak threshold {threshold:.2f}",
        flagged=flagged,
        caption=(
            "Each column scored alone against the training labels, strongest first. A legitimate driver rarely "
            "passes the threshold; a column written after the outcome does."
        ),
    )
    return _finding("leakage_scan", "Single-feature leakage scan", text, evidence, (figure,))


def _numeric_shift_auc(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, float]:
    """Train-vs-holdout AUC of each numeric column alone, all columns at once."""
    from scipy.stats import rankdata

    if train.shape[1] == 0:
        return {}
    values = np.vstack(
        [train.to_numpy(dtype=np.float64, na_value=np.nan), test.to_numpy(dtype=np.float64, na_value=np.nan)]
    )
    medians = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
    values = np.where(np.isnan(values), np.where(np.isfinite(medians), medians, 0.0), values)
    ranks = rankdata(values, axis=0)
    n_train, n_test = len(train), len(test)
    auc = (ranks[n_train:].sum(axis=0) - n_test * (n_test + 1) / 2) / (n_train * n_test)
    return {str(c): float(a) for c, a in zip(train.columns, auc, strict=True)}


def _column_shift_auc(train: pd.Series, test: pd.Series) -> float:
    """Train-vs-holdout AUC of one categorical column alone (0.5 = same distribution)."""
    is_test = np.r_[np.zeros(len(train)), np.ones(len(test))]
    codes_train = train.astype(str)
    codes_test = test.astype(str)
    share_train = codes_train.value_counts(normalize=True)
    share_test = codes_test.value_counts(normalize=True)
    smoothing = _FREQUENCY_SMOOTHING
    ratio = (share_test + smoothing) / (share_train.reindex(share_test.index).fillna(0) + smoothing)
    ratio = ratio.reindex(share_train.index.union(share_test.index)).fillna(smoothing / (share_train + smoothing))
    score = np.r_[codes_train.map(ratio).to_numpy(dtype=np.float64), codes_test.map(ratio).to_numpy(dtype=np.float64)]
    return _auc(is_test, score)


def adversarial_validation(
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    n_splits: int = 3,
    max_rows: int = 4000,
    seed: int = 0,
) -> Finding:
    """Adversarial validation: can a model tell training rows from holdout rows, and by which columns?

    A gradient-boosted classifier learns to separate training rows from
    holdout rows (mean ROC-AUC over 3 folds): about 0.5 means the holdout
    looks like the training data; 0.7 or more means it does not. With few
    rows and many columns the cross-validated AUC of a model that can learn
    nothing falls a little *below* 0.5 (held-out rows pull their own class
    away), never above. Each column
    is also compared alone (ROC-AUC of the column, or of its category's
    holdout/train frequency ratio): columns with |AUC - 0.5| >= 0.1 are named
    as shifted. ``exclude`` (ids, identifiers) and date columns are left out:
    they separate any two extracts by construction.

    Returns
    -------
    Finding
        ``adversarial_validation`` with the model's ``auc``, every column's
        ``column_auc`` and the shifted ``columns``.
    """
    keep = [c for c in X_train.columns if c not in exclude and not is_datetime(X_train[c]) and c in X_test.columns]
    train, test = _subsample(X_train[keep], X_test[keep], max_rows=max_rows, seed=seed)
    numeric = [c for c in keep if is_numeric(X_train[c])]
    column_auc = _numeric_shift_auc(X_train[numeric], X_test[numeric])
    column_auc |= {str(c): _column_shift_auc(X_train[c], X_test[c]) for c in keep if c not in numeric}
    shifted = sorted(
        (c for c, a in column_auc.items() if math.isfinite(a) and abs(a - CHANCE_AUC) >= SHIFT_COLUMN_AUC),
        key=lambda c: -abs(column_auc[c] - CHANCE_AUC),
    )
    auc = _adversary_auc(train, test, n_splits=n_splits, seed=seed)
    flagged = bool(shifted) or auc >= SHIFT_MODEL_AUC
    if flagged:
        named = ", ".join(f"{c} ({column_auc[c]:.2f})" for c in shifted[:_SHIFTS_NAMED]) or "no single column"
        text = (
            f"a classifier tells training rows from holdout rows with ROC-AUC {auc:.3f} (0.5 = indistinguishable): "
            "the holdout is drawn from a different distribution. "
            f"Shifted columns (train-vs-holdout AUC alone): {named}. Expect validation scores to overstate "
            "holdout scores; reweight training rows toward the holdout, or make the model robust to these columns."
        )
    else:
        text = (
            "a classifier cannot tell training rows from holdout rows "
            f"(ROC-AUC {auc:.3f}; 0.5 = indistinguishable): no covariate shift."
        )
    top = sorted(column_auc.items(), key=lambda item: -abs(item[1] - CHANCE_AUC))[:_PLOT_COLUMNS]
    evidence = {
        "flagged": flagged,
        "fault": "covariate_shift",
        "columns": shifted,
        "auc": _r(auc),
        "column_auc": {c: _r(a) for c, a in top},
        "plot": {
            "kind": "bar",
            "x": [c for c, _ in top],
            "y": [_r(abs(a - CHANCE_AUC)) for _, a in top],
            "y_label": "|train-vs-holdout AUC - 0.5|",
        },
    }
    lesson = (
        f"The holdout differs from train (adversary AUC {auc:.3f}); the bars show which columns moved"
        if flagged
        else f"The holdout looks like train (adversary AUC {auc:.3f}); no column moved much"
    )
    figure = column_bars(
        "adversarial_validation",
        lesson,
        [c for c, _ in top],
        [abs(a - CHANCE_AUC) for _, a in top],
        axis="|train-vs-holdout AUC of the column - 0.5|",
        threshold=SHIFT_COLUMN_AUC,
        threshold_label=f"shift threshold {SHIFT_COLUMN_AUC:g}",
        flagged=shifted,
        caption=(
            "How well each column alone tells holdout rows from training rows (0 = same distribution). Columns past "
            "the threshold shifted between the extracts."
        ),
    )
    return _finding("adversarial_validation", "Adversarial validation (covariate shift)", text, evidence, (figure,))


def _subsample(
    train: pd.DataFrame, test: pd.DataFrame, *, max_rows: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames, each cut to its share of ``max_rows`` rows (order kept) when together they are longer."""
    if len(train) + len(test) <= max_rows:
        return train, test
    rng = np.random.default_rng(seed)
    share = max_rows / (len(train) + len(test))
    train_rows = rng.choice(len(train), max(_MIN_SAMPLE_ROWS, int(share * len(train))), replace=False)
    test_rows = rng.choice(len(test), max(_MIN_SAMPLE_ROWS, int(share * len(test))), replace=False)
    return train.iloc[np.sort(train_rows)], test.iloc[np.sort(test_rows)]


def _adversary_auc(train: pd.DataFrame, test: pd.DataFrame, *, n_splits: int, seed: int) -> float:
    """Mean out-of-fold ROC-AUC of a classifier that tells ``test`` rows from ``train`` rows (0.5 without columns)."""
    both = pd.concat([train, test], ignore_index=True)
    matrix = TabularEncoder(scale=False, max_categories=MAX_CATEGORIES).fit(both).transform(both)
    is_test = np.r_[np.zeros(len(train), dtype=np.int64), np.ones(len(test), dtype=np.int64)]

    fold_auc = []
    if matrix.shape[1]:
        for train_rows, valid_rows in _folds(is_test, n_splits, seed):
            predicted = _oof_predictions(matrix, is_test, lambda: _adversary(seed), [(train_rows, valid_rows)])
            fold_auc.append(_auc(is_test[valid_rows], predicted[valid_rows]))
    # Mean of per-fold AUCs: pooling out-of-fold scores mixes folds' calibrations.
    return float(np.mean(fold_auc)) if fold_auc else CHANCE_AUC


def _adversary(seed: int) -> object:
    """The adversary: a small, heavily subsampled gradient-boosted model (fast, and hard to fool with one column)."""
    from lightgbm import LGBMClassifier

    return LGBMClassifier(
        n_estimators=50,
        learning_rate=0.1,
        num_leaves=15,
        min_child_samples=40,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.3,
        reg_lambda=1.0,
        max_bin=63,
        random_state=seed,
        n_jobs=1,
        verbose=-1,
    )


def near_duplicates(
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    relative_distance: float = DUPLICATE_RELATIVE_DISTANCE,
) -> Finding:
    """Near-duplicate rows across train and holdout: is the holdout partly a copy of the training data?

    Features (less ``exclude`` and dates) are standardised and one-hot
    encoded; each holdout row's nearest training row is found. A holdout row
    whose distance is below ``relative_distance`` (0.1) times the median
    nearest-neighbour distance is a near-duplicate. The same is measured for
    300 training rows against the other training rows: coarse columns make
    near-twins common *within* any extract. If the holdout's share exceeds
    that baseline by 1 % or more, the holdout score partly measures memory,
    not generalisation; deduplicate (by customer, not by row) before splitting.
    """
    from sklearn.metrics import pairwise_distances_argmin_min

    keep = [c for c in X_train.columns if c not in exclude and not is_datetime(X_train[c]) and c in X_test.columns]
    if not keep or not len(X_train) or not len(X_test):
        return _skipped("near_duplicates", "Near-duplicates across train and holdout", "no comparable columns")
    encoder = TabularEncoder(max_categories=MAX_CATEGORIES).fit(X_train[keep])
    a, b = encoder.transform(X_test[keep]), encoder.transform(X_train[keep])
    categorical = np.array([s not in encoder.numeric_ for s in encoder.sources_])
    a[:, categorical] *= _CATEGORY_SCALE
    b[:, categorical] *= _CATEGORY_SCALE
    _, distance = pairwise_distances_argmin_min(a, b)
    median = float(np.median(distance)) if distance.size else float("nan")
    threshold = (relative_distance * median if median > 0 else 0.0) + _EXACT_TOLERANCE
    close = distance <= threshold
    n_close, share = int(close.sum()), float(close.mean())
    baseline = _within_train_share(b, threshold)
    flagged = share - baseline >= DUPLICATE_SHARE and n_close >= _MIN_DUPLICATES
    if flagged:
        text = (
            f"{n_close:,} holdout rows ({share:.1%}) are near-copies of training rows (distance below "
            f"{relative_distance:g} x the median nearest-neighbour distance {median:.2f}), against {baseline:.1%} "
            "of training rows with a near-twin in train. The holdout score on them measures memory; a model that "
            "memorises looks better than it is on genuinely new customers. Deduplicate by entity before splitting."
        )
    elif share >= DUPLICATE_SHARE:
        text = (
            f"{share:.1%} of holdout rows have a near-identical training row, but so do {baseline:.1%} of training "
            "rows among themselves: the columns are too coarse to tell records apart, not copies across the split."
        )
    else:
        text = (
            f"no near-duplicates between train and holdout ({n_close} rows under the threshold; "
            f"median nearest distance {median:.2f})."
        )
    relative = distance / median if median > 0 else distance
    hist, edges = np.histogram(relative, bins=_HISTOGRAM_BINS, range=_HISTOGRAM_RANGE)
    evidence = {
        "flagged": flagged,
        "fault": "duplicates",
        "columns": [],
        "n_rows": n_close,
        "share": _r(share),
        "share_within_train": _r(baseline),
        "median_distance": _r(median),
        "plot": {
            "kind": "histogram",
            "x": [_r(e) for e in edges[:-1]],
            "y": hist.tolist(),
            "x_label": "nearest training row, relative distance",
        },
    }
    figure = distance_figure(edges.tolist(), hist.tolist(), threshold=relative_distance, flagged=flagged)
    return _finding("near_duplicates", "Near-duplicates across train and holdout", text, evidence, (figure,))


def _within_train_share(b: NDArray[np.float64], threshold: float) -> float:
    """Share of sampled training rows with another training row within ``threshold``.

    Coarse, low-dimensional data (a customer's repeat purchases) has many
    near-twins within any extract; only the excess across the split counts.
    """
    if len(b) > 1:
        sample = np.random.default_rng(_BASELINE_SEED).choice(len(b), size=min(len(b), _BASELINE_ROWS), replace=False)
    else:
        sample = np.array([], dtype=np.int64)
    within = []
    for start in range(0, sample.size, _BASELINE_BLOCK):
        rows = sample[start : start + _BASELINE_BLOCK]
        block = _sq_distances(b[rows], b)
        block[np.arange(len(rows)), rows] = np.inf
        within.append(np.sqrt(block.min(axis=1)))
    return float((np.concatenate(within) <= threshold).mean()) if within else 0.0


def _sq_distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared Euclidean distances between the rows of ``a`` and ``b`` (clipped at 0)."""
    squared = (a**2).sum(axis=1)[:, None] - 2.0 * a @ b.T + (b**2).sum(axis=1)[None, :]
    return np.asarray(np.maximum(squared, 0.0), dtype=np.float64)


def class_balance(y: pd.Series) -> Finding:
    """Class balance: is the minority class rare enough that accuracy and small folds mislead?"""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=2)
    share = float(counts.min() / counts.sum()) if counts.sum() else float("nan")
    flagged = bool(share < IMBALANCE_SHARE)
    text = f"{counts[1]:,} positives and {counts[0]:,} negatives in train (minority share {share:.1%}). "
    text += (
        "Accuracy is dominated by the majority class; judge by ROC-AUC or average precision, stratify folds, "
        "and expect noisy scores."
        if flagged
        else "Balanced enough for ordinary validation."
    )
    evidence = {
        "flagged": flagged,
        "fault": "class_imbalance",
        "columns": [],
        "minority_share": _r(share),
        "n_positive": int(counts[1]),
        "n_negative": int(counts[0]),
    }
    return _finding("class_balance", "Class balance", text, evidence)
