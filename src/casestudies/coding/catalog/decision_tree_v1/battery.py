"""Hidden battery of decision-tree-v1: predictions equal scikit-learn's tree on data without ties.

scikit-learn visits features in a random order, so when two splits are
exactly as good its choice is arbitrary. The battery therefore draws data
(float32-representable values, as scikit-learn computes in float32) and
redraws it until no node of the tree has two splits within 1e-9 of the best
impurity decrease (:func:`_tie_free`): on such data the tree is unique and
any correct CART gives scikit-learn's predictions exactly.

Examples
--------
>>> "split_at_threshold_goes_left" in [test.name for test in BATTERY.tests]
True
"""

from __future__ import annotations

from functools import partial
from types import ModuleType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.tree import DecisionTreeClassifier as SkTree

from casestudies.coding._harness import Battery, Context, check_close, check_equal, check_raises, fail

BATTERY: Final = Battery("decision-tree-v1")
_TIE: Final = 1e-9  # two splits whose weighted impurities differ by less are tied (float rounding of equal values)
_ATTEMPTS: Final = 40  # draws tried for tie-free data; the first usually is at these sizes
Array = npt.NDArray[np.float64]


def _draw(rng: np.random.Generator, n: int, d: int, n_classes: int) -> tuple[Array, npt.NDArray[np.int64]]:
    X = rng.normal(size=(n, d)).astype(np.float32).astype(np.float64)
    signal = X[:, 0] + X[:, 1] ** 2 + 0.7 * rng.normal(size=n)
    cuts = np.quantile(signal, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.searchsorted(cuts, signal).astype(np.int64)


def _node_has_tie(
    reference: ModuleType, X: Array, codes: npt.NDArray[np.int64], k: int, criterion: str, leaf: int
) -> bool:
    onehot = np.eye(k)[codes]
    n = len(codes)
    found = []
    for feature in range(X.shape[1]):
        order = np.argsort(X[:, feature], kind="mergesort")
        values = X[order, feature]
        left = np.cumsum(onehot[order], axis=0)[:-1]
        size = np.arange(1, n)
        valid = (values[1:] > values[:-1]) & (size >= leaf) & (n - size >= leaf)
        impurity = reference._impurity
        weighted = (size * impurity(left, criterion) + (n - size) * impurity(onehot.sum(axis=0) - left, criterion)) / n
        found.append(weighted[valid])
    values = np.sort(np.concatenate(found))
    return len(values) > 1 and bool(values[1] - values[0] < _TIE)


def _tree_has_tie(
    reference: ModuleType, model: Any, X: Array, codes: npt.NDArray[np.int64], criterion: str, leaf: int
) -> bool:
    stack = [(model.root_, np.arange(len(codes)))]
    k = len(model.classes_)
    while stack:
        node, rows = stack.pop()
        if node.left is None:
            continue
        if _node_has_tie(reference, X[rows], codes[rows], k, criterion, leaf):
            return True
        goes_left = X[rows, node.feature] <= node.threshold
        stack += [(node.left, rows[goes_left]), (node.right, rows[~goes_left])]
    return False


def _tie_free(
    ctx: Context,
    stream: int,
    *,
    criterion: str,
    depth: int | None,
    leaf: int = 1,
    n: int = 400,
    d: int = 3,
    n_classes: int = 2,
) -> tuple[Array, npt.NDArray[np.int64], Array]:
    """Training data whose tree has no tied split, and test rows."""
    for attempt in range(_ATTEMPTS):
        rng = ctx.rng(1000 * stream + attempt)
        X, y = _draw(rng, n, d, n_classes)
        model = ctx.reference.DecisionTreeClassifier(criterion, depth, leaf).fit(X, y)
        if not _tree_has_tie(ctx.reference, model, X, y, criterion, leaf):
            return X, y, rng.normal(size=(500, d)).astype(np.float32).astype(np.float64)
    raise RuntimeError(f"no tie-free data in {_ATTEMPTS} draws (stream {stream}): the battery needs other sizes")


def _fit(ctx: Context, X: Array, y: npt.ArrayLike, **params: Any) -> Any:
    model = ctx.member("DecisionTreeClassifier")(**params)
    if model.fit(X, y) is not model:
        fail("fit returned something else than the model itself; end fit with `return self`.")
    return model


def _compare(
    ctx: Context, stream: int, *, criterion: str, depth: int | None, leaf: int = 1, n_classes: int = 2
) -> None:
    X, y, X_test = _tie_free(ctx, stream, criterion=criterion, depth=depth, leaf=leaf, n_classes=n_classes)
    params = {"criterion": criterion, "max_depth": depth, "min_samples_leaf": leaf}
    model = _fit(ctx, X, y, **params)
    expected = SkTree(**params, random_state=0).fit(X, y)
    what = f"predict on new rows, {criterion}, max_depth={depth}, min_samples_leaf={leaf}, {n_classes} classes"
    check_equal(
        np.asarray(model.predict(X_test)).astype(int), expected.predict(X_test), what=what + " (vs scikit-learn)"
    )


@BATTERY.test(hint="Gini = 1 - sum p_k^2; entropy = -sum p_k log2 p_k (base 2), over the class shares.")
def impurity_functions(ctx: Context) -> None:
    rng = ctx.rng(1)
    for labels in ([0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 2, 2, 2], list(rng.integers(0, 3, 50))):
        shares = np.unique(labels, return_counts=True)[1] / len(labels)
        check_close(ctx.member("gini")(np.array(labels)), 1 - np.sum(shares**2), what=f"gini({labels})")
        check_close(
            ctx.member("entropy")(np.array(labels)), -np.sum(shares * np.log2(shares)), what=f"entropy({labels})"
        )


@BATTERY.test(hint="Threshold halfway between consecutive distinct sorted values; maximise the size-weighted decrease.")
def best_split_matches_sklearn_stump(ctx: Context) -> None:
    for criterion in ("gini", "entropy"):
        X, y, _ = _tie_free(ctx, 2, criterion=criterion, depth=1, n=60)
        stump = SkTree(criterion=criterion, max_depth=1, random_state=0).fit(X, y).tree_
        found = ctx.member("best_split")(X, y, criterion, 1)
        if found is None:
            fail(f"best_split returned None on 60 rows with {criterion}; a split exists.")
        feature, threshold = found
        if int(feature) != int(stump.feature[0]):
            fail(f"best_split ({criterion}) chose feature {feature}; the best split is on feature {stump.feature[0]}.")
        check_close(threshold, stump.threshold[0], what=f"best_split ({criterion}) threshold", rtol=1e-7)


@BATTERY.test(hint="Build the tree greedily from the root: each node takes its best split until max_depth.")
def gini_tree_matches_sklearn(ctx: Context) -> None:
    _compare(ctx, 3, criterion="gini", depth=3)


@BATTERY.test(hint="criterion='entropy' must use entropy (base 2) for every split, not Gini.")
def entropy_tree_matches_sklearn(ctx: Context) -> None:
    _compare(ctx, 4, criterion="entropy", depth=3)


@BATTERY.test(hint="A split is valid only if each child keeps at least min_samples_leaf rows.")
def min_samples_leaf_matches_sklearn(ctx: Context) -> None:
    _compare(ctx, 5, criterion="gini", depth=None, leaf=20)


@BATTERY.test(hint="Work with any labels: classes_ = sorted unique labels, counts per class in every node.")
def three_classes_match_sklearn(ctx: Context) -> None:
    _compare(ctx, 6, criterion="gini", depth=3, n_classes=3)


@BATTERY.test(hint="predict_proba is each leaf's class shares (counts / leaf size), columns in the order of classes_.")
def predict_proba_matches_sklearn(ctx: Context) -> None:
    X, y, X_test = _tie_free(ctx, 7, criterion="gini", depth=3)
    model = _fit(ctx, X, y, criterion="gini", max_depth=3)
    expected = SkTree(max_depth=3, random_state=0).fit(X, y).predict_proba(X_test)
    check_close(model.predict_proba(X_test), expected, what="predict_proba on new rows (vs scikit-learn)")


@BATTERY.test(
    kind="edge", hint="Rows with x <= threshold go left (also in predict): a value equal to the threshold goes left."
)
def split_at_threshold_goes_left(ctx: Context) -> None:
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = _fit(ctx, X, np.array([0, 0, 1, 1]), max_depth=1)
    check_equal(np.asarray(model.predict(np.array([[1.5]]))).astype(int), [0], what="predict at x = 1.5, the threshold")


@BATTERY.test(
    kind="edge", hint="Stop splitting at depth max_depth (the root is depth 0); get_depth() returns the depth."
)
def max_depth_is_respected(ctx: Context) -> None:
    X, y, _ = _tie_free(ctx, 8, criterion="gini", depth=2)
    for depth in (1, 2):
        model = _fit(ctx, X, y, max_depth=depth)
        if int(model.get_depth()) != depth:
            fail(f"max_depth={depth}: get_depth() is {model.get_depth()} on data that supports deeper trees.")


@BATTERY.test(
    kind="edge", hint="With max_depth=None keep splitting until leaves are pure: training rows are all predicted right."
)
def unlimited_depth_fits_training_data(ctx: Context) -> None:
    X, y = _draw(ctx.rng(9), 200, 3, 2)
    model = _fit(ctx, X, y)
    check_equal(np.asarray(model.predict(X)).astype(int), y, what="predict on the training rows, max_depth=None")


@BATTERY.test(kind="edge", hint="A pure node is a leaf; one class in y gives a single leaf that predicts it.")
def one_class_is_a_leaf(ctx: Context) -> None:
    X = ctx.rng(10).normal(size=(20, 2))
    model = _fit(ctx, X, np.full(20, 7))
    check_equal(np.asarray(model.predict(X[:3])).astype(int), [7, 7, 7], what="predict after fitting one class (7)")
    if int(model.get_depth()) != 0:
        fail(f"a tree fitted on one class should be a single leaf (depth 0); get_depth() is {model.get_depth()}.")


@BATTERY.test(
    kind="edge", hint="A constant column has no valid split (no two distinct values): skip it, never split on it."
)
def constant_column(ctx: Context) -> None:
    X, y, X_test = _tie_free(ctx, 11, criterion="gini", depth=3)
    X = np.column_stack([np.full(len(X), 2.0), X])
    X_test = np.column_stack([np.full(len(X_test), 2.0), X_test])
    model = _fit(ctx, X, y, max_depth=3)
    expected = SkTree(max_depth=3, random_state=0).fit(X, y).predict(X_test)
    check_equal(np.asarray(model.predict(X_test)).astype(int), expected, what="predict with a constant first column")


@BATTERY.test(kind="edge", hint="One row is a pure leaf: fit works and predicts its label.")
def one_row(ctx: Context) -> None:
    model = _fit(ctx, np.array([[1.0, 2.0]]), np.array([1]))
    check_equal(
        np.asarray(model.predict(np.array([[0.0, 0.0]]))).astype(int), [1], what="predict after fitting one row"
    )


@BATTERY.test(kind="edge", hint="Check the input: fit on zero rows raises ValueError.")
def empty_input_raises(ctx: Context) -> None:
    model = ctx.member("DecisionTreeClassifier")()
    check_raises(partial(model.fit, np.empty((0, 2)), np.empty(0)), ValueError, what="fit on 0 rows")


@BATTERY.test(
    kind="speed",
    hint="Sort each feature once per node and use cumulative class counts: no loop over thresholds.",
    seconds=60,
)
def fit_is_vectorised(ctx: Context) -> None:
    X, y = _draw(ctx.rng(12), 2_000, 5, 2)
    ctx.speed(
        lambda: _fit(ctx, X, y, max_depth=4),
        lambda: ctx.reference.DecisionTreeClassifier(max_depth=4).fit(X, y),
        max_ratio=10,
        what="fit on 2,000 rows, max_depth=4",
    )
