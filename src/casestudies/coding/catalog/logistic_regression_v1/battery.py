"""Hidden battery of logistic-regression-v1: scikit-learn's fits, finite differences, named edge cases, speed.

Coefficients are compared with ``sklearn.linear_model.LogisticRegression``
fitted to a tight tolerance: unpenalised is ``C=inf``; the exercise's
``alpha`` (penalty ``alpha / 2 * ||w||^2`` on the *mean* log loss) is
scikit-learn's ``C = 1 / (alpha * n)`` (its penalty is on the *summed*
loss). Both leave the intercept unpenalised.

Examples
--------
>>> len(BATTERY.tests) >= 12
True
"""

from __future__ import annotations

import warnings
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss as sk_log_loss

from casestudies.coding._harness import Battery, Context, check_close, check_equal, check_raises, check_shape, fail

BATTERY: Final = Battery("logistic-regression-v1")
_COEF_TOL: Final = 2e-3  # a fit converged to 1e-3 of the optimum lands within this of scikit-learn's
_STEP: Final = 1e-6  # central differences: error O(step^2), rounding O(eps / step): both far below 1e-5
Array = npt.NDArray[np.float64]


def _data(ctx: Context, stream: int, *, n: int = 400, d: int = 3, offset: float = 0.0) -> tuple[Array, Array]:
    rng = ctx.rng(stream)
    X = rng.normal(size=(n, d))
    w = rng.normal(scale=1.0, size=d)
    p = 1 / (1 + np.exp(-(X @ w + offset)))
    return X, (rng.random(n) < p).astype(np.float64)


def _sklearn(X: Array, y: Array, alpha: float) -> tuple[Array, float]:
    C = np.inf if alpha == 0 else 1 / (alpha * len(y))
    model = SkLogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(X, y)
    return model.coef_[0], float(model.intercept_[0])


def _fit(ctx: Context, X: Array, y: Array, **params: float) -> Any:
    model = ctx.member("LogisticRegression")(**params)
    returned = model.fit(X, y)
    if returned is not model:
        fail("fit returned something else than the model itself; end fit with `return self`.")
    return model


def _compare_fit(ctx: Context, X: Array, y: Array, alpha: float, what: str) -> None:
    model = _fit(ctx, X, y, alpha=alpha)
    coef, intercept = _sklearn(X, y, alpha)
    check_close(model.coef_, coef, what=f"{what}: coef_", rtol=_COEF_TOL, atol=_COEF_TOL)
    check_close(model.intercept_, intercept, what=f"{what}: intercept_", rtol=_COEF_TOL, atol=_COEF_TOL)


@BATTERY.test(kind="edge", hint="exp(-z) overflows for z = -1000: use np.logaddexp, or compute each sign apart.")
def sigmoid_is_stable(ctx: Context) -> None:
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = ctx.member("sigmoid")(z)
    expected = 1 / (1 + np.exp(-np.clip(z, -700, 700)))
    check_close(values, expected, what="sigmoid([-1000, -40, 0, 40, 1000])", rtol=1e-9, atol=1e-300)
    overflow = [str(item.message) for item in caught if "overflow" in str(item.message)]
    if overflow:
        fail(f"sigmoid([-1000, ..., 1000]) warned {overflow[0]!r}: the values are right but the computation overflows.")


@BATTERY.test(hint="Mean of log(1 + exp(z)) - y z over rows, plus alpha / 2 * ||w||^2 (not on b).")
def loss_matches_definition(ctx: Context) -> None:
    X, y = _data(ctx, 1, n=50)
    w, b = ctx.rng(2).normal(size=3), 0.3
    p = 1 / (1 + np.exp(-(X @ w + b)))
    for alpha in (0.0, 0.5):
        expected = sk_log_loss(y, p) + alpha / 2 * w @ w
        check_close(ctx.member("log_loss")(X, y, w, b, alpha), expected, what=f"log_loss(alpha={alpha})", rtol=1e-8)


@BATTERY.test(kind="gradient", hint="dJ/dw = X.T @ (sigmoid(z) - y) / n + alpha * w and dJ/db = mean(sigmoid(z) - y).")
def gradient_matches_finite_differences(ctx: Context) -> None:
    X, y = _data(ctx, 3, n=60)
    w, b = ctx.rng(4).normal(size=3), -0.2
    loss = ctx.reference.log_loss
    for alpha in (0.0, 0.3):
        grad_w, grad_b = ctx.member("log_loss_gradient")(X, y, w, b, alpha)
        numeric = np.array(
            [
                (loss(X, y, w + _STEP * e, b, alpha) - loss(X, y, w - _STEP * e, b, alpha)) / (2 * _STEP)
                for e in np.eye(3)
            ]
        )
        numeric_b = (loss(X, y, w, b + _STEP, alpha) - loss(X, y, w, b - _STEP, alpha)) / (2 * _STEP)
        check_close(grad_w, numeric, what=f"gradient w.r.t. w (alpha={alpha}) vs finite differences", rtol=1e-5)
        check_close(grad_b, numeric_b, what=f"gradient w.r.t. b (alpha={alpha}) vs finite differences", rtol=1e-5)


@BATTERY.test(hint="Converge to the optimum: Newton steps, or gradient descent until the gradient is ~1e-6.")
def fit_unpenalised_matches_sklearn(ctx: Context) -> None:
    X, y = _data(ctx, 5)
    _compare_fit(ctx, X, y, 0.0, "fit with alpha=0 vs scikit-learn's unpenalised fit")


@BATTERY.test(hint="The penalty is alpha / 2 * ||w||^2 on the mean loss: its gradient is alpha * w.")
def fit_l2_matches_sklearn(ctx: Context) -> None:
    X, y = _data(ctx, 6)
    _compare_fit(ctx, X, y, 0.05, "fit with alpha=0.05 vs scikit-learn's C = 1 / (alpha n)")


@BATTERY.test(hint="Fit an intercept b beside w (a column of ones, or its own gradient), and start it at 0.")
def intercept_is_fitted(ctx: Context) -> None:
    X, y = _data(ctx, 7, offset=-2.0)
    model = _fit(ctx, X, y, alpha=0.0)
    _, intercept = _sklearn(X, y, 0.0)
    check_close(
        model.intercept_, intercept, what="intercept_ on data with 15% positives", rtol=_COEF_TOL, atol=_COEF_TOL
    )


@BATTERY.test(hint="Penalise w only: the intercept is not shrunk towards 0 (as in scikit-learn).")
def intercept_not_penalised(ctx: Context) -> None:
    X, y = _data(ctx, 8, offset=-2.0)
    model = _fit(ctx, X, y, alpha=1.0)
    _, intercept = _sklearn(X, y, 1.0)
    check_close(model.intercept_, intercept, what="intercept_ with alpha=1", rtol=_COEF_TOL, atol=_COEF_TOL)


@BATTERY.test(
    hint="predict_proba returns shape (n, 2): [P(y=0), P(y=1)] per row, from sigmoid(X @ coef_ + intercept_)."
)
def predict_proba_columns(ctx: Context) -> None:
    X, y = _data(ctx, 9)
    model = _fit(ctx, X, y, alpha=0.1)
    proba = check_shape(model.predict_proba(X), (len(y), 2), what="predict_proba(X)")
    expected = 1 / (1 + np.exp(-(X @ np.asarray(model.coef_) + float(model.intercept_))))
    check_close(proba[:, 1], expected, what="predict_proba(X)[:, 1] vs sigmoid(X @ coef_ + intercept_)", rtol=1e-8)
    check_close(proba.sum(axis=1), np.ones(len(y)), what="predict_proba(X).sum(axis=1)", rtol=1e-8)


@BATTERY.test(hint="predict is 1 where P(y=1) >= 0.5: a probability of exactly 0.5 is class 1.")
def predict_thresholds_at_half(ctx: Context) -> None:
    X = np.array([[-1.0], [1.0], [-1.0], [1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])  # no information: the optimum is w = 0, b = 0
    model = _fit(ctx, X, y, alpha=0.1)
    check_equal(np.asarray(model.predict(np.array([[0.0]]))).astype(int), [1], what="predict where P(y=1) = 0.5")
    data, labels = _data(ctx, 10)
    fitted = _fit(ctx, data, labels, alpha=0.1)
    expected = (np.asarray(fitted.predict_proba(data))[:, 1] >= 0.5).astype(int)
    check_equal(
        np.asarray(fitted.predict(data)).astype(int), expected, what="predict(X) vs predict_proba(X)[:, 1] >= 0.5"
    )


@BATTERY.test(
    kind="edge",
    hint="On separable data the unpenalised optimum is at infinity: stop after max_iter with finite values.",
)
def separable_data_stays_finite(ctx: Context) -> None:
    rng = ctx.rng(11)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.float64)
    model = _fit(ctx, X, y, alpha=0.0, max_iter=50)
    coef = np.asarray(model.coef_, dtype=np.float64)
    if not (np.isfinite(coef).all() and np.isfinite(model.intercept_)):
        fail(f"fit on separable data with alpha=0 gave coef_={coef}, intercept_={model.intercept_}: not finite.")
    proba = np.asarray(model.predict_proba(X))
    if not np.isfinite(proba).all():
        fail("predict_proba after a fit on separable data returned NaN or inf.")
    check_equal(np.asarray(model.predict(X)).astype(int), y.astype(int), what="predict on separable training data")


@BATTERY.test(kind="edge", hint="With alpha > 0 separable data has a finite optimum: the same as scikit-learn's.")
def separable_data_with_l2_matches_sklearn(ctx: Context) -> None:
    rng = ctx.rng(12)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] - X[:, 1] > 0).astype(np.float64)
    _compare_fit(ctx, X, y, 0.01, "fit on separable data with alpha=0.01")


@BATTERY.test(
    kind="edge", hint="A constant column makes the unpenalised Hessian singular: solve with lstsq or add alpha."
)
def constant_column(ctx: Context) -> None:
    X, y = _data(ctx, 13)
    X[:, 1] = 3.0
    _compare_fit(ctx, X, y, 0.1, "fit with a constant column and alpha=0.1")


@BATTERY.test(kind="edge", hint="Keep X 2-D: one row is shape (1, d), and predict_proba returns shape (1, 2).")
def one_row(ctx: Context) -> None:
    X, y = _data(ctx, 14)
    model = _fit(ctx, X, y, alpha=0.1)
    check_shape(model.predict_proba(X[:1]), (1, 2), what="predict_proba of one row")
    check_shape(model.predict(X[:1]), (1,), what="predict of one row")


@BATTERY.test(kind="edge", hint="Check the input: fit on zero rows raises ValueError (there is nothing to fit).")
def empty_input_raises(ctx: Context) -> None:
    model = ctx.member("LogisticRegression")()
    check_raises(lambda: model.fit(np.empty((0, 3)), np.empty(0)), ValueError, what="fit on 0 rows")


@BATTERY.test(kind="speed", hint="No Python loop over rows: X.T @ (p - y) computes every row at once.", seconds=60)
def gradient_is_vectorised(ctx: Context) -> None:
    X, y = _data(ctx, 15, n=200_000, d=3)  # many rows, little work each: a loop over them pays per row
    w = np.zeros(3)
    ctx.speed(
        lambda: ctx.member("log_loss_gradient")(X, y, w, 0.0, 0.0),
        lambda: ctx.reference.log_loss_gradient(X, y, w, 0.0, 0.0),
        max_ratio=10,
        what="log_loss_gradient on 200,000 rows",
    )
