"""Hidden battery of preprocessing-v1: splits and folds as specified, scaling and encoding without leakage.

Folds are compared with scikit-learn's ``KFold``, the scaler with
``StandardScaler`` and the encoder with ``OneHotEncoder(handle_unknown="ignore")``.
Leakage is tested directly: statistics learned on training rows must not
move when the test rows change.

Examples
--------
>>> "scale_train_test_fits_on_train_only" in [test.name for test in BATTERY.tests]
True
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import KFold
from sklearn.preprocessing import OneHotEncoder as SkOneHot
from sklearn.preprocessing import StandardScaler as SkScaler

from casestudies.coding._harness import Battery, Context, check_close, check_equal, check_raises, check_shape, fail

BATTERY: Final = Battery("preprocessing-v1")
Array = npt.NDArray[np.float64]


def _numbers(ctx: Context, stream: int, n: int = 50, d: int = 3) -> Array:
    rng = ctx.rng(stream)
    return rng.normal(loc=rng.uniform(-5, 5, d), scale=rng.uniform(0.5, 3, d), size=(n, d))


def _words(ctx: Context, stream: int, n: int = 40) -> npt.NDArray[np.object_]:
    rng = ctx.rng(stream)
    return np.column_stack([rng.choice(["red", "green", "blue"], n), rng.choice(["s", "m", "l", "xl"], n)]).astype(
        object
    )


@BATTERY.test(hint="ceil(test_size * n) test rows; train and test together hold every row exactly once.")
def split_sizes_and_partition(ctx: Context) -> None:
    for n in (10, 37):
        X = np.arange(n, dtype=np.float64)[:, None]
        X_train, X_test, _, y_test = ctx.member("train_test_split")(X, np.arange(n), 0.25, 0)
        expected_test = math.ceil(0.25 * n)
        if len(X_test) != expected_test or len(y_test) != expected_test:
            fail(
                f"train_test_split of {n} rows with test_size=0.25 gave {len(X_test)} test rows; "
                f"expected ceil(0.25 * {n}) = {expected_test}."
            )
        rows = np.sort(np.concatenate([np.asarray(X_train)[:, 0], np.asarray(X_test)[:, 0]]))
        check_equal(rows, np.arange(n), what=f"rows of train and test together ({n} rows)")


@BATTERY.test(hint="Shuffle X and y with the same permutation: row i of X stays with y[i].")
def split_keeps_rows_together(ctx: Context) -> None:
    X = _numbers(ctx, 1, n=40)
    y = X[:, 0] * 10
    X_train, X_test, y_train, y_test = ctx.member("train_test_split")(X, y, 0.25, 3)
    check_close(np.asarray(y_train), np.asarray(X_train)[:, 0] * 10, what="y_train vs the rows of X_train")
    check_close(np.asarray(y_test), np.asarray(X_test)[:, 0] * 10, what="y_test vs the rows of X_test")


@BATTERY.test(hint="Test rows are the first ceil(test_size * n) of np.random.default_rng(seed).permutation(n).")
def split_is_seeded(ctx: Context) -> None:
    X = _numbers(ctx, 2, n=30)
    y = np.arange(30)
    for seed in (0, 7):
        got = ctx.member("train_test_split")(X, y, 0.3, seed)
        expected = ctx.reference.train_test_split(X, y, 0.3, seed)
        check_equal(np.asarray(got[3]), expected[3], what=f"y_test with seed={seed}")


@BATTERY.test(hint="The first n % n_splits folds get one extra row; each test fold is a block of consecutive rows.")
def kfold_matches_sklearn(ctx: Context) -> None:
    for n, k in ((10, 3), (17, 5), (6, 6)):
        folds = ctx.member("kfold_indices")(n, k, False, 0)
        expected = list(KFold(n_splits=k).split(np.zeros(n)))
        if len(folds) != k:
            fail(f"kfold_indices({n}, {k}) returned {len(folds)} folds.")
        for index, ((train, test), (want_train, want_test)) in enumerate(zip(folds, expected, strict=True)):
            check_equal(np.sort(test), want_test, what=f"test rows of fold {index} of kfold_indices({n}, {k})")
            check_equal(np.sort(train), want_train, what=f"train rows of fold {index} of kfold_indices({n}, {k})")


@BATTERY.test(
    hint="With shuffle, permute once, then cut: every row is in exactly one test fold, never in its own train."
)
def kfold_shuffled_is_a_partition(ctx: Context) -> None:
    n, k = 23, 4
    folds = ctx.member("kfold_indices")(n, k, True, ctx.seed)
    tests = np.concatenate([np.asarray(test) for _, test in folds])
    check_equal(np.sort(tests), np.arange(n), what="every row's count over the shuffled test folds (once each)")
    for index, (train, test) in enumerate(folds):
        if np.intersect1d(train, test).size or len(train) + len(test) != n:
            fail(f"fold {index}: train and test overlap or miss rows (train {len(train)}, test {len(test)}, n {n}).")


@BATTERY.test(kind="edge", hint="n_splits must be between 2 and n_rows: raise ValueError otherwise.")
def kfold_invalid_splits_raise(ctx: Context) -> None:
    check_raises(partial(ctx.member("kfold_indices"), 5, 6, False, 0), ValueError, what="kfold_indices(5, n_splits=6)")
    check_raises(partial(ctx.member("kfold_indices"), 5, 1, False, 0), ValueError, what="kfold_indices(5, n_splits=1)")


def _scaler(ctx: Context, X: Array) -> Any:
    scaler = ctx.member("StandardScaler")()
    if scaler.fit(X) is not scaler:
        fail("StandardScaler.fit returned something else than the scaler itself; end fit with `return self`.")
    return scaler


@BATTERY.test(hint="mean_ and scale_ per column; scale_ is the population standard deviation (ddof=0).")
def scaler_matches_sklearn(ctx: Context) -> None:
    X = _numbers(ctx, 3)
    scaler, expected = _scaler(ctx, X), SkScaler().fit(X)
    check_close(scaler.mean_, expected.mean_, what="mean_")
    check_close(scaler.scale_, expected.scale_, what="scale_ (population standard deviation)")
    check_close(scaler.fit_transform(X), expected.transform(X), what="fit_transform")


@BATTERY.test(hint="transform uses the mean_ and scale_ learned in fit, not statistics of the rows it is given.")
def scaler_transform_uses_fitted_statistics(ctx: Context) -> None:
    X, new = _numbers(ctx, 4), _numbers(ctx, 5, n=10) * 3 + 1
    check_close(_scaler(ctx, X).transform(new), SkScaler().fit(X).transform(new), what="transform of new rows")


@BATTERY.test(
    kind="edge", hint="A constant column has standard deviation 0: use scale 1 (as scikit-learn), never divide by 0."
)
def scaler_constant_column(ctx: Context) -> None:
    X = _numbers(ctx, 6)
    X[:, 1] = 4.0
    scaler = _scaler(ctx, X)
    check_close(scaler.scale_, SkScaler().fit(X).scale_, what="scale_ with a constant column")
    check_close(scaler.transform(X)[:, 1], np.zeros(len(X)), what="the constant column, transformed")


@BATTERY.test(
    hint="Fit the scaler on the training rows only, then transform both parts: the test rows must not leak in."
)
def scale_train_test_fits_on_train_only(ctx: Context) -> None:
    X_train, X_test = _numbers(ctx, 7), _numbers(ctx, 8, n=20) + 10
    train, test = ctx.member("scale_train_test")(X_train, X_test)
    expected = SkScaler().fit(X_train)
    check_close(train, expected.transform(X_train), what="scaled training rows (statistics of the training rows)")
    check_close(test, expected.transform(X_test), what="scaled test rows (statistics of the training rows only)")


def _encoder(ctx: Context, X: Any) -> Any:
    encoder = ctx.member("OneHotEncoder")()
    if encoder.fit(X) is not encoder:
        fail("OneHotEncoder.fit returned something else than the encoder itself; end fit with `return self`.")
    return encoder


@BATTERY.test(hint="Categories sorted per column; blocks of 0/1 columns in the order of the input columns.")
def onehot_matches_sklearn(ctx: Context) -> None:
    X = _words(ctx, 9)
    encoder = _encoder(ctx, X)
    expected = SkOneHot(handle_unknown="ignore", sparse_output=False).fit(X)
    for column, categories in enumerate(expected.categories_):
        check_equal(
            np.asarray(encoder.categories_[column]).astype(str), categories.astype(str), what=f"categories_[{column}]"
        )
    check_close(encoder.transform(X), expected.transform(X), what="transform of the training rows")


@BATTERY.test(
    kind="edge", hint="A category not seen in fit gets all zeros in its column's block (no error, no extra column)."
)
def onehot_unknown_category_is_all_zeros(ctx: Context) -> None:
    X = _words(ctx, 10)
    new = np.array([["purple", "m"], ["red", "xxl"]], dtype=object)
    expected = SkOneHot(handle_unknown="ignore", sparse_output=False).fit(X).transform(new)
    check_close(_encoder(ctx, X).transform(new), expected, what="transform of rows with unseen categories")


@BATTERY.test(kind="edge", hint="One row: its standard deviation is 0, so scale 1, and the row scales to zeros.")
def one_row(ctx: Context) -> None:
    row = np.array([[1.0, -2.0, 3.0]])
    scaler = _scaler(ctx, row)
    check_shape(scaler.transform(row), (1, 3), what="transform of the one row")
    check_close(scaler.transform(row), np.zeros((1, 3)), what="transform of the one row it was fitted on")


@BATTERY.test(kind="edge", hint="Check the input: zero rows raise ValueError (fit, split).")
def empty_input_raises(ctx: Context) -> None:
    check_raises(
        partial(ctx.member("StandardScaler")().fit, np.empty((0, 2))), ValueError, what="StandardScaler.fit on 0 rows"
    )
    check_raises(
        partial(ctx.member("train_test_split"), np.empty((0, 2)), np.empty(0), 0.25, 0),
        ValueError,
        what="train_test_split of 0 rows",
    )


@BATTERY.test(
    kind="speed",
    hint="No Python loop over rows: np.unique and np.searchsorted encode a whole column at once.",
    seconds=60,
)
def onehot_is_vectorised(ctx: Context) -> None:
    rng = ctx.rng(11)
    X = rng.integers(0, 10, size=(100_000, 2))
    encoder = _encoder(ctx, X)
    reference = ctx.reference.OneHotEncoder().fit(X)
    ctx.speed(
        partial(encoder.transform, X),
        partial(reference.transform, X),
        max_ratio=8,
        what="one-hot transform of 100,000 rows",
    )
