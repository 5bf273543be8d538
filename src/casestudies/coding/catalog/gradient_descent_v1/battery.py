"""Hidden battery of gradient-descent-v1: the loss, its gradient, the schedule, the stopping rule, the fit.

The fit is compared with ``sklearn.linear_model.LinearRegression`` (the
same least-squares optimum) on standardised columns, where gradient descent
at rate 0.1 converges; the schedule and the update are pinned by the first
three iterates, compared with the reference's.

Examples
--------
>>> "gradient_matches_finite_differences" in [test.name for test in BATTERY.tests]
True
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error

from casestudies.coding._harness import Battery, Context, check_close, check_raises, check_shape, fail

BATTERY: Final = Battery("gradient-descent-v1")
_STEP: Final = 1e-6  # central differences of a quadratic: exact up to rounding, O(eps / step) ~ 1e-10
_FIT_TOL: Final = 1e-4  # converged descent (tol 1e-14) lands this close to the least-squares solution
Array = npt.NDArray[np.float64]


def _data(ctx: Context, stream: int, *, n: int = 300, d: int = 4, offset: float = 0.0) -> tuple[Array, Array]:
    rng = ctx.rng(stream)
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) + offset + rng.normal(scale=0.5, size=n)


def _fit(ctx: Context, X: Array, y: Array, **params: float) -> Any:
    model = ctx.member("LinearRegressionGD")(**params)
    if model.fit(X, y) is not model:
        fail("fit returned something else than the model itself; end fit with `return self`.")
    return model


@BATTERY.test(hint="Half the mean squared error: mean((X @ w + b - y) ** 2) / 2.")
def loss_matches_definition(ctx: Context) -> None:
    X, y = _data(ctx, 1, n=40)
    w, b = ctx.rng(2).normal(size=4), 0.7
    expected = mean_squared_error(y, X @ w + b) / 2
    check_close(ctx.member("mse_loss")(X, y, w, b), expected, what="mse_loss", rtol=1e-9)


@BATTERY.test(
    kind="gradient", hint="dJ/dw = X.T @ (X @ w + b - y) / n and dJ/db = mean(X @ w + b - y): mind sign and 1/n."
)
def gradient_matches_finite_differences(ctx: Context) -> None:
    X, y = _data(ctx, 3, n=50)
    w, b = ctx.rng(4).normal(size=4), -0.3
    loss = ctx.reference.mse_loss
    grad_w, grad_b = ctx.member("mse_gradient")(X, y, w, b)
    numeric = np.array([(loss(X, y, w + _STEP * e, b) - loss(X, y, w - _STEP * e, b)) / (2 * _STEP) for e in np.eye(4)])
    numeric_b = (loss(X, y, w, b + _STEP) - loss(X, y, w, b - _STEP)) / (2 * _STEP)
    check_close(grad_w, numeric, what="gradient w.r.t. w vs finite differences", rtol=1e-5, atol=1e-7)
    check_close(grad_b, numeric_b, what="gradient w.r.t. b vs finite differences", rtol=1e-5, atol=1e-7)


@BATTERY.test(hint="Step t (from 0) uses learning_rate / (1 + decay * t).")
def learning_rate_schedule(ctx: Context) -> None:
    got = [ctx.member("learning_rate")(0.2, 0.5, t) for t in range(5)]
    check_close(got, [0.2 / (1 + 0.5 * t) for t in range(5)], what="learning_rate(0.2, 0.5, t) for t = 0..4")


@BATTERY.test(
    hint="Start at w = 0, b = 0; each step: w -= rate_t * dJ/dw, b -= rate_t * dJ/db, rate_t from the schedule."
)
def first_iterates_follow_the_schedule(ctx: Context) -> None:
    X, y = _data(ctx, 5, n=60)
    params = {"learning_rate": 0.3, "decay": 1.0, "max_iter": 3, "tol": -np.inf}
    model = _fit(ctx, X, y, **params)
    expected = ctx.reference.LinearRegressionGD(**params).fit(X, y)
    check_close(model.coef_, expected.coef_, what="coef_ after 3 steps with decay=1", rtol=1e-9)
    check_close(model.intercept_, expected.intercept_, what="intercept_ after 3 steps with decay=1", rtol=1e-9)


@BATTERY.test(hint="Run until the loss stops decreasing by tol: the fit must reach the least-squares solution.")
def fit_matches_sklearn(ctx: Context) -> None:
    X, y = _data(ctx, 6)
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=20_000, tol=1e-14)
    expected = LinearRegression().fit(X, y)
    check_close(model.coef_, expected.coef_, what="coef_ vs scikit-learn's least squares", rtol=_FIT_TOL, atol=_FIT_TOL)
    check_close(
        model.intercept_, expected.intercept_, what="intercept_ vs scikit-learn's", rtol=_FIT_TOL, atol=_FIT_TOL
    )


@BATTERY.test(hint="Fit an intercept b beside w, with its own gradient mean(r).")
def intercept_is_fitted(ctx: Context) -> None:
    X, y = _data(ctx, 7, offset=25.0)
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=20_000, tol=1e-14)
    expected = LinearRegression().fit(X, y)
    check_close(
        model.intercept_, expected.intercept_, what="intercept_ on data centred at 25", rtol=_FIT_TOL, atol=_FIT_TOL
    )


@BATTERY.test(hint="loss_history_[0] is the loss at w = 0, b = 0; then one entry after each step, never increasing.")
def loss_history_is_recorded(ctx: Context) -> None:
    X, y = _data(ctx, 8)
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=50, tol=-np.inf)
    history = np.asarray(model.loss_history_, dtype=np.float64)
    check_shape(history, (51,), what="loss_history_ after 50 steps (the start and one per step)")
    check_close(history[0], np.mean(y**2) / 2, what="loss_history_[0], the loss at w = 0, b = 0", rtol=1e-9)
    if np.any(np.diff(history) > 1e-12):
        fail(f"loss_history_ increases at step {int(np.argmax(np.diff(history) > 1e-12)) + 1}: a step went uphill.")


@BATTERY.test(hint="Stop as soon as a step lowers the loss by less than tol (the decrease, not the loss itself).")
def stops_when_the_loss_stalls(ctx: Context) -> None:
    X, y = _data(ctx, 9)
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=10_000, tol=1e-6)
    expected = ctx.reference.LinearRegressionGD(learning_rate=0.1, max_iter=10_000, tol=1e-6).fit(X, y)
    if model.n_iter_ != expected.n_iter_:
        fail(f"with tol=1e-6 the fit should stop after {expected.n_iter_} steps; n_iter_ is {model.n_iter_}.")


@BATTERY.test(kind="edge", hint="Take exactly max_iter steps at most: n_iter_ counts the steps taken.")
def max_iter_is_respected(ctx: Context) -> None:
    X, y = _data(ctx, 10)
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=5, tol=-np.inf)
    if model.n_iter_ != 5 or len(model.loss_history_) != 6:
        fail(
            f"max_iter=5: expected n_iter_=5 and 6 losses in loss_history_; "
            f"got {model.n_iter_} and {len(model.loss_history_)}."
        )


@BATTERY.test(
    kind="edge", hint="A constant column is collinear with the intercept: predictions must still match least squares."
)
def constant_column(ctx: Context) -> None:
    X, y = _data(ctx, 11)
    X[:, 2] = 1.0
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=20_000, tol=1e-14)
    expected = LinearRegression().fit(X, y).predict(X)
    check_close(model.predict(X), expected, what="predictions with a constant column", rtol=1e-3, atol=1e-3)


@BATTERY.test(kind="edge", hint="One row is a 2-D X of shape (1, d): the fit interpolates it.")
def one_row(ctx: Context) -> None:
    X, y = np.array([[1.0, -1.0]]), np.array([3.0])
    model = _fit(ctx, X, y, learning_rate=0.1, max_iter=20_000, tol=1e-14)
    check_close(model.predict(X), y, what="prediction on the one training row", rtol=1e-4, atol=1e-4)


@BATTERY.test(kind="edge", hint="Check the input: fit on zero rows raises ValueError.")
def empty_input_raises(ctx: Context) -> None:
    model = ctx.member("LinearRegressionGD")()
    check_raises(partial(model.fit, np.empty((0, 3)), np.empty(0)), ValueError, what="fit on 0 rows")


@BATTERY.test(kind="speed", hint="No Python loop over rows: X.T @ residual computes every row at once.", seconds=60)
def gradient_is_vectorised(ctx: Context) -> None:
    X, y = _data(ctx, 12, n=200_000, d=3)  # many rows, little work each: a loop over them pays per row
    w = np.zeros(3)
    ctx.speed(
        partial(ctx.member("mse_gradient"), X, y, w, 0.0),
        partial(ctx.reference.mse_gradient, X, y, w, 0.0),
        max_ratio=10,
        what="mse_gradient on 200,000 rows",
    )
