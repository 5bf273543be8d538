"""Reference solution of gradient-descent-v1 (hidden from learners): batch gradient descent on half the MSE.

Loss ``J(w, b) = mean((X @ w + b - y) ** 2) / 2``; step ``t`` (from 0) uses the
rate ``learning_rate / (1 + decay * t)``; the fit stops after ``max_iter``
steps or as soon as a step lowers the loss by less than ``tol``. Cost O(n d)
per step.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0], [1.0], [2.0]])
>>> model = LinearRegressionGD(learning_rate=0.5, max_iter=5000).fit(X, 2 * X[:, 0] + 1)
>>> np.round(model.predict(np.array([[3.0]])), 3).tolist()
[7.0]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def _check(X: npt.ArrayLike, y: npt.ArrayLike | None = None) -> tuple[Array, Array]:
    features = np.asarray(X, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f"X must be a 2-D array with at least one row; got shape {features.shape}")
    if y is None:
        return features, np.empty(0)
    target = np.asarray(y, dtype=np.float64)
    if target.shape != (features.shape[0],):
        raise ValueError("y must hold one value per row of X")
    return features, target


def mse_loss(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float) -> float:
    """Half the mean squared error of the predictions X @ w + b."""
    features, target = _check(X, y)
    residual = features @ np.asarray(w, dtype=np.float64) + b - target
    return float(np.mean(residual**2) / 2)


def mse_gradient(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float) -> tuple[Array, float]:
    """Gradient of :func:`mse_loss`: (X.T @ r / n, mean(r)) with r the residuals."""
    features, target = _check(X, y)
    residual = features @ np.asarray(w, dtype=np.float64) + b - target
    grad_w: Array = features.T @ residual / len(target)
    return grad_w, float(np.mean(residual))


def learning_rate(initial: float, decay: float, t: int) -> float:
    """The rate of step t (t = 0, 1, ...): initial / (1 + decay * t)."""
    return initial / (1 + decay * t)


class LinearRegressionGD:
    """Linear regression fitted by batch gradient descent from w = 0, b = 0."""

    def __init__(
        self, learning_rate: float = 0.1, decay: float = 0.0, max_iter: int = 10_000, tol: float = 1e-10
    ) -> None:
        self.learning_rate = learning_rate
        self.decay = decay
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> LinearRegressionGD:
        """Set coef_, intercept_, n_iter_ (steps taken), loss_history_ (the loss at the start and after each step)."""
        features, target = _check(X, y)
        w, b = np.zeros(features.shape[1]), 0.0
        history = [mse_loss(features, target, w, b)]
        steps = 0
        for t in range(self.max_iter):
            grad_w, grad_b = mse_gradient(features, target, w, b)
            rate = learning_rate(self.learning_rate, self.decay, t)
            w, b = w - rate * grad_w, b - rate * grad_b
            history.append(mse_loss(features, target, w, b))
            steps = t + 1
            if history[-2] - history[-1] < self.tol:
                break
        self.coef_: Array = w
        self.intercept_ = float(b)
        self.n_iter_ = steps
        self.loss_history_ = history
        return self

    def predict(self, X: npt.ArrayLike) -> Array:
        """X @ coef_ + intercept_."""
        features, _ = _check(X)
        predicted: Array = features @ self.coef_ + self.intercept_
        return predicted
