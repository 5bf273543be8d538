"""Reference solution of logistic-regression-v1 (hidden from learners): damped Newton on the L2-penalised log loss.

The objective is ``mean(log(1 + exp(z)) - y * z) + alpha / 2 * ||w||^2`` with
``z = X @ w + b`` (the intercept is not penalised). Newton's step solves
``H step = gradient`` by least squares (a constant column or separable data
make ``H`` singular) and is halved until the objective does not increase.
Cost: O(n d^2 + d^3) per iteration, a few iterations.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
>>> model = LogisticRegression(alpha=0.1).fit(X, np.array([0, 0, 1, 1]))
>>> model.predict(np.array([[0.0], [3.0]])).tolist()
[0, 1]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
_HALVINGS = 40  # step halvings before a Newton step is given up: 2**-40 is below any useful step


def sigmoid(z: npt.ArrayLike) -> Array:
    """1 / (1 + exp(-z)), without overflow for large |z|."""
    values = np.asarray(z, dtype=np.float64)
    out: Array = np.exp(-np.logaddexp(0.0, -values))
    return out


def _check(X: npt.ArrayLike, y: npt.ArrayLike | None = None) -> tuple[Array, Array]:
    features = np.asarray(X, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f"X must be a 2-D array with at least one row; got shape {features.shape}")
    if y is None:
        return features, np.empty(0)
    labels = np.asarray(y, dtype=np.float64)
    if labels.shape != (features.shape[0],) or not ((labels == 0) | (labels == 1)).all():
        raise ValueError("y must hold one label per row of X, each 0 or 1")
    return features, labels


def log_loss(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float, alpha: float = 0.0) -> float:
    """Mean log loss of the model (w, b) on (X, y) plus alpha / 2 * ||w||^2."""
    features, labels = _check(X, y)
    weights = np.asarray(w, dtype=np.float64)
    z = features @ weights + b
    return float(np.mean(np.logaddexp(0.0, z) - labels * z) + alpha / 2 * weights @ weights)


def log_loss_gradient(
    X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float, alpha: float = 0.0
) -> tuple[Array, float]:
    """Gradient of :func:`log_loss` with respect to w and b."""
    features, labels = _check(X, y)
    weights = np.asarray(w, dtype=np.float64)
    residual = sigmoid(features @ weights + b) - labels
    grad_w: Array = features.T @ residual / len(labels) + alpha * weights
    return grad_w, float(np.mean(residual))


class LogisticRegression:
    """Binary logistic regression with an L2 penalty ``alpha`` (0: none), fitted by damped Newton steps."""

    def __init__(self, alpha: float = 0.0, max_iter: int = 100, tol: float = 1e-8) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> LogisticRegression:
        """Fit coef_ (one weight per column), intercept_ and n_iter_; returns self."""
        features, labels = _check(X, y)
        n, d = features.shape
        design = np.hstack([features, np.ones((n, 1))])
        penalty = np.full(d + 1, self.alpha)
        penalty[-1] = 0.0
        theta = np.zeros(d + 1)

        def objective(values: Array) -> float:
            z = design @ values
            return float(np.mean(np.logaddexp(0.0, z) - labels * z) + 0.5 * np.sum(penalty * values**2))

        current = objective(theta)
        self.n_iter_ = 0
        for iteration in range(1, self.max_iter + 1):
            self.n_iter_ = iteration
            p = sigmoid(design @ theta)
            gradient = design.T @ (p - labels) / n + penalty * theta
            hessian = (design.T * (p * (1 - p))) @ design / n + np.diag(penalty)
            step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
            for _ in range(_HALVINGS):
                trial = objective(theta - step)
                if trial <= current:
                    break
                step = step / 2
            else:
                break
            theta = theta - step
            current = trial
            if np.max(np.abs(step)) < self.tol:
                break
        self.coef_: Array = theta[:-1]
        self.intercept_ = float(theta[-1])
        return self

    def predict_proba(self, X: npt.ArrayLike) -> Array:
        """Shape (n, 2): column 0 is P(y=0), column 1 is P(y=1)."""
        features, _ = _check(X)
        positive = sigmoid(features @ self.coef_ + self.intercept_)
        return np.column_stack([1 - positive, positive])

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Labels 0 or 1: 1 where P(y=1) >= 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)
