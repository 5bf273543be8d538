"""Hidden battery of knn-kmeans-v1: scikit-learn's neighbours and k-means, and the two on the same data.

kNN is compared with ``KNeighborsClassifier`` (uniform weights, brute
force) on continuous data, where distance ties have probability 0; k-means
with ``KMeans(init=centres, n_init=1, algorithm="lloyd")`` from the same
starting centres, run to convergence (the same fixed point).

Examples
--------
>>> "knn_uses_labels_kmeans_does_not" in [test.name for test in BATTERY.tests]
True
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans as SkKMeans
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.neighbors import KNeighborsClassifier

from casestudies.coding._harness import Battery, Context, check_close, check_equal, check_raises, fail

BATTERY: Final = Battery("knn-kmeans-v1")
Array = npt.NDArray[np.float64]


def _data(ctx: Context, stream: int, *, n: int = 300, d: int = 3, n_classes: int = 3) -> tuple[Array, Array, Array]:
    rng = ctx.rng(stream)
    X = rng.normal(size=(n, d))
    y = np.argmax(X[:, :n_classes] + rng.normal(scale=0.7, size=(n, n_classes)), axis=1).astype(np.float64)
    return X, y, rng.normal(size=(200, d))


def _blobs(ctx: Context, stream: int, n: int = 400) -> tuple[Array, Array]:
    rng = ctx.rng(stream)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0], [6.0, 6.0]])
    X = centres[rng.integers(0, 4, n)] + rng.normal(size=(n, 2))
    return X, X[[0, 1, 2, 3]] + rng.normal(scale=0.5, size=(4, 2))  # starting centres near, not at, the blobs


def _knn(ctx: Context, k: int, X: Array, y: Array) -> Any:
    model = ctx.member("KNNClassifier")(n_neighbors=k)
    if model.fit(X, y) is not model:
        fail("KNNClassifier.fit returned something else than the model itself; end fit with `return self`.")
    return model


def _kmeans(ctx: Context, X: Array, **params: Any) -> Any:
    model = ctx.member("KMeans")(**params)
    if model.fit(X) is not model:
        fail("KMeans.fit returned something else than the model itself; end fit with `return self`.")
    return model


@BATTERY.test(
    hint="Squared Euclidean distances of all rows of A to all rows of B: |a|^2 + |b|^2 - 2 a.b, shape (len(A), len(B))."
)
def distances_match_sklearn(ctx: Context) -> None:
    rng = ctx.rng(1)
    A, B = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    expected = euclidean_distances(A, B, squared=True)
    check_close(ctx.member("pairwise_sq_distances")(A, B), expected, what="pairwise_sq_distances", rtol=1e-7, atol=1e-9)


@BATTERY.test(hint="Vote among exactly the n_neighbors nearest training rows by Euclidean distance.")
def knn_predictions_match_sklearn(ctx: Context) -> None:
    X, y, X_test = _data(ctx, 2)
    for k in (1, 5, 15):
        expected = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X, y).predict(X_test)
        check_equal(
            _knn(ctx, k, X, y).predict(X_test), expected, what=f"predict with n_neighbors={k} (vs scikit-learn)"
        )


@BATTERY.test(hint="On a tied vote the smallest label wins (np.argmax over class counts does this).")
def knn_tied_votes_go_to_the_smallest_label(ctx: Context) -> None:
    X, y, X_test = _data(ctx, 3)
    expected = KNeighborsClassifier(n_neighbors=4, algorithm="brute").fit(X, y).predict(X_test)
    check_equal(_knn(ctx, 4, X, y).predict(X_test), expected, what="predict with n_neighbors=4 (ties happen)")


@BATTERY.test(hint="predict_proba is the share of each class among the neighbours, columns in the order of classes_.")
def knn_predict_proba_matches_sklearn(ctx: Context) -> None:
    X, y, X_test = _data(ctx, 4)
    expected = KNeighborsClassifier(n_neighbors=6, algorithm="brute").fit(X, y).predict_proba(X_test)
    check_close(_knn(ctx, 6, X, y).predict_proba(X_test), expected, what="predict_proba with n_neighbors=6")


@BATTERY.test(kind="edge", hint="With n_neighbors=1 each training row is its own nearest neighbour.")
def knn_one_neighbour_returns_training_labels(ctx: Context) -> None:
    X, y, _ = _data(ctx, 5)
    check_equal(_knn(ctx, 1, X, y).predict(X), y, what="predict on the training rows with n_neighbors=1")


@BATTERY.test(kind="edge", hint="Check n_neighbors in fit: more neighbours than training rows raises ValueError.")
def knn_too_many_neighbours_raises(ctx: Context) -> None:
    X, y, _ = _data(ctx, 6, n=4)
    model = ctx.member("KNNClassifier")(n_neighbors=5)
    check_raises(partial(model.fit, X, y), ValueError, what="fit with n_neighbors=5 on 4 rows")


@BATTERY.test(hint="Alternate: assign each row to its nearest centre, move each centre to the mean of its rows.")
def kmeans_matches_sklearn(ctx: Context) -> None:
    X, init = _blobs(ctx, 7)
    model = _kmeans(ctx, X, n_clusters=4, init=init, max_iter=300, tol=1e-12)
    expected = SkKMeans(4, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-12).fit(X)
    check_close(
        model.cluster_centers_,
        expected.cluster_centers_,
        what="cluster_centers_ (vs scikit-learn)",
        rtol=1e-6,
        atol=1e-8,
    )
    check_equal(np.asarray(model.labels_).astype(int), expected.labels_, what="labels_ (vs scikit-learn)")


@BATTERY.test(hint="inertia_ is the sum over rows of the *squared* distance to the row's own centre.")
def kmeans_inertia_matches_sklearn(ctx: Context) -> None:
    X, init = _blobs(ctx, 8)
    model = _kmeans(ctx, X, n_clusters=4, init=init, max_iter=300, tol=1e-12)
    expected = SkKMeans(4, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-12).fit(X)
    check_close(model.inertia_, expected.inertia_, what="inertia_", rtol=1e-6)


@BATTERY.test(
    hint="After the fit each centre is the mean of the rows assigned to it (update the centres every iteration)."
)
def kmeans_centres_are_cluster_means(ctx: Context) -> None:
    X, init = _blobs(ctx, 9)
    model = _kmeans(ctx, X, n_clusters=4, init=init, max_iter=300, tol=1e-12)
    labels = np.asarray(model.labels_).astype(int)
    means = np.array([X[labels == cluster].mean(axis=0) for cluster in range(4)])
    check_close(
        model.cluster_centers_, means, what="cluster_centers_ vs the mean of each cluster's rows", rtol=1e-6, atol=1e-8
    )


@BATTERY.test(hint="predict assigns each new row to its nearest fitted centre.")
def kmeans_predict_nearest_centre(ctx: Context) -> None:
    X, init = _blobs(ctx, 10)
    model = _kmeans(ctx, X, n_clusters=4, init=init)
    new = ctx.rng(11).normal(size=(50, 2)) * 4 + 3
    centres = np.asarray(model.cluster_centers_, dtype=np.float64)
    expected = np.argmin(euclidean_distances(new, centres), axis=1)
    check_equal(np.asarray(model.predict(new)).astype(int), expected, what="predict on new rows: the nearest centre")


@BATTERY.test(hint="Without init, start from n_clusters distinct rows drawn with np.random.default_rng(seed).")
def kmeans_random_start_is_seeded(ctx: Context) -> None:
    X, _ = _blobs(ctx, 12)
    first = _kmeans(ctx, X, n_clusters=4, seed=3)
    again = _kmeans(ctx, X, n_clusters=4, seed=3)
    check_close(first.cluster_centers_, again.cluster_centers_, what="cluster_centers_ of two fits with seed=3")
    if len(np.unique(np.round(np.asarray(first.cluster_centers_), 8), axis=0)) != 4:
        fail("KMeans without init gave fewer than 4 distinct centres: draw distinct rows (replace=False).")


@BATTERY.test(hint="kNN learns from labels (supervised); k-means never sees them (unsupervised): its fit takes X only.")
def knn_uses_labels_kmeans_does_not(ctx: Context) -> None:
    X, _ = _blobs(ctx, 13)
    y = (X[:, 0] + X[:, 1] > 6.0).astype(np.float64)  # labels cut across the blobs
    train, test = slice(0, 300), slice(300, None)
    accuracy = float(np.mean(np.asarray(_knn(ctx, 5, X[train], y[train]).predict(X[test])) == y[test]))
    if accuracy < 0.85:
        fail(
            f"kNN with n_neighbors=5 reached accuracy {accuracy:.2f} on labels it learned from; expected at least 0.85."
        )
    clusters = np.asarray(_kmeans(ctx, X, n_clusters=2, seed=0).labels_).astype(int)
    agreement = max(np.mean(clusters == y), np.mean(clusters != y))
    if agreement > 0.95:
        fail(f"k-means clusters agree {agreement:.0%} with labels it never saw: it should find the blobs, not labels.")


@BATTERY.test(kind="edge", hint="Check the input: zero rows, or more clusters than rows, raise ValueError.")
def kmeans_invalid_input_raises(ctx: Context) -> None:
    model = ctx.member("KMeans")(n_clusters=3)
    check_raises(partial(model.fit, np.empty((0, 2))), ValueError, what="KMeans.fit on 0 rows")
    check_raises(partial(model.fit, np.zeros((2, 2))), ValueError, what="KMeans(n_clusters=3).fit on 2 rows")


@BATTERY.test(
    kind="speed",
    hint="No Python loop over rows: all distances from one matrix product, a vote with argpartition.",
    seconds=60,
)
def knn_is_vectorised(ctx: Context) -> None:
    X, y, _ = _data(ctx, 14, n=10, d=2, n_classes=2)
    X_test = ctx.rng(15).normal(size=(100_000, 2))  # many rows, little work each: a loop over them pays per row
    model = _knn(ctx, 3, X, y)
    reference = ctx.reference.KNNClassifier(n_neighbors=3).fit(X, y)
    ctx.speed(
        partial(model.predict, X_test),
        partial(reference.predict, X_test),
        max_ratio=5,
        what="kNN predict of 100,000 rows",
    )
