"""The decompositions themselves: predictions of many training draws, the truth, and the parts of the error.

Squared loss (regression, and the Brier score of a binary task)
---------------------------------------------------------------
For a row with true mean ``m``, noise variance ``v`` and the predictions
``f_1 .. f_D`` of ``D`` models fitted on independent training draws::

    E[(y - f)^2] = v + (m - E f)^2 + Var f = noise + bias² + variance

``variance`` is estimated by the sample variance over draws (``ddof=1``) and
``bias²`` by ``(m - mean f)^2 - variance / D`` (the square of the mean is
biased upward by ``Var f / D``), so both are unbiased; their sum equals
``(m - mean f)^2 + variance_ddof0`` exactly. With the observed label ``y`` of
each row, the measured expected error ``mean_d (y - f_d)^2`` has, given the
draws, expectation ``noise + bias² + variance`` whenever the truth is right:
the identity check compares the two with the standard error of their
difference over rows.

Zero-one loss (binary)
----------------------
Domingos (2000), two classes: the optimal prediction ``y* = [p >= 1/2]``, the
noise ``N = min(p, 1 - p)``, the main prediction ``y_m`` (the majority vote
of the draws, ties going to ``y*``), the bias ``B = [y_m != y*]``, the
variance ``V = P(f != y_m)``, and ``E[loss] = c1 N + B + c2 V`` with
``c1 = 2 P(f = y*) - 1`` and ``c2 = 1`` on unbiased rows, ``-1`` on biased
ones: variance adds to the error where the main prediction is right and
subtracts where it is wrong. The identity is exact for the empirical
distribution of the draws.

Monte Carlo standard errors
---------------------------
Over draws by the jackknife (leave one draw out, from running sums: O(D n)),
so they hold for any estimator that is a smooth function of the draws; for
the measured error, the label noise over rows is added. Costs are a few
passes over the ``D x n`` prediction matrix.

References
----------
Geman, Bienenstock, Doursat, "Neural networks and the bias/variance dilemma",
Neural Computation 4(1), 1992. Domingos, "A unified bias-variance
decomposition and its applications", ICML 2000. Efron & Stein, "The
jackknife estimate of variance", Annals of Statistics 9(3), 1981.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["IDENTITY_Z", "Estimate", "Split", "squared_split", "zero_one_split"]

IDENTITY_Z: Final[float] = 3.29
"""The identity holds when measured and summed errors differ by at most 3.29 standard errors: a two-sided 99.9 %
band, so a correct truth fails the check about once in a thousand runs, while a wrong noise level or mean (a
difference of many standard errors at a few hundred rows) fails it."""

MIN_DRAWS: Final[int] = 3
"""The jackknife of the variance leaves one draw out of a sample variance: it needs three draws at least."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A Monte Carlo estimate and its standard error.

    Examples
    --------
    >>> Estimate(0.25, 0.01).to_dict()
    {'value': 0.25, 'se': 0.01}
    """

    value: float
    se: float

    def to_dict(self) -> dict[str, float]:
        """Plain data."""
        return {"value": self.value, "se": self.se}


@dataclass(frozen=True, slots=True)
class Split:
    """One loss split into its parts, averaged over the evaluation rows, with the identity check.

    ``parts`` maps part names to estimates (for squared loss ``noise``,
    ``bias2``, ``variance``; for the zero-one loss also the net terms),
    ``expected`` is their sum, ``measured`` the error measured with the
    rows' observed labels, ``gap = measured - expected`` and ``gap_se`` its
    standard error; ``holds`` says whether ``|gap| <= IDENTITY_Z * gap_se``.
    ``rows`` holds per-row values (same keys as ``parts`` plus ``expected``).

    Examples
    --------
    >>> split = squared_split(np.array([[0.0], [1.0], [2.0]]), np.array([1.0]), np.array([0.5]), loss="squared")
    >>> split.to_dict()["parts"]["variance"]["value"], split.holds is None  # no labels: identity not checked
    (1.0, True)
    """

    loss: str
    parts: Mapping[str, Estimate]
    expected: Estimate
    measured: Estimate | None
    gap: float
    gap_se: float
    holds: bool | None
    rows: Mapping[str, np.ndarray]

    def to_dict(self) -> dict[str, object]:
        """Plain data (per-row values left out)."""
        return {
            "loss": self.loss,
            "parts": {name: estimate.to_dict() for name, estimate in self.parts.items()},
            "expected": self.expected.to_dict(),
            "measured": None if self.measured is None else self.measured.to_dict(),
            "gap": self.gap,
            "gap_se": self.gap_se,
            "identity_holds": self.holds,
        }


def _jackknife_se(leave_out: np.ndarray) -> float:
    """Jackknife standard error from the ``D`` leave-one-out values of a statistic."""
    d = leave_out.size
    return float(np.sqrt((d - 1) / d * np.sum((leave_out - leave_out.mean()) ** 2)))


def _gap(measured_rows: np.ndarray | None, expected_rows: np.ndarray) -> tuple[float, float, bool | None]:
    """Measured minus expected error, its standard error over rows, and whether they agree."""
    if measured_rows is None:
        return float("nan"), float("nan"), None
    difference = measured_rows - expected_rows
    gap = float(difference.mean())
    se = float(difference.std(ddof=1) / np.sqrt(difference.size)) if difference.size > 1 else float("nan")
    return gap, se, bool(abs(gap) <= IDENTITY_Z * se) if np.isfinite(se) else None


def _measured(losses: np.ndarray, gap_se: float) -> Estimate:
    """Mean of a ``D x n`` loss matrix; its error combines the draws (jackknife of a mean) and the labels."""
    per_draw = losses.mean(axis=1)
    draws_se = float(per_draw.std(ddof=1) / np.sqrt(per_draw.size))
    labels_se = gap_se if np.isfinite(gap_se) else 0.0
    return Estimate(float(losses.mean()), float(np.hypot(draws_se, labels_se)))


def squared_split(
    predictions: np.ndarray, mean: np.ndarray, noise: np.ndarray, labels: np.ndarray | None = None, *, loss: str
) -> Split:
    """Split the squared error of ``D`` draws' predictions (``D x n``) into noise, bias² and variance.

    Parameters
    ----------
    predictions : numpy.ndarray
        One row per training draw, one column per evaluation row.
    mean, noise : numpy.ndarray
        True mean and noise variance of each evaluation row.
    labels : numpy.ndarray or None
        Observed label of each evaluation row, for the measured error.
    loss : str
        Name of the loss (``"squared"`` or ``"brier"``).

    Returns
    -------
    Split

    Examples
    --------
    Three draws predicting two rows whose truth is 0 with unit noise:

    >>> P = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
    >>> split = squared_split(P, np.zeros(2), np.ones(2), loss="squared")
    >>> {name: round(part.value, 4) for name, part in split.parts.items()}
    {'noise': 1.0, 'bias2': 2.1667, 'variance': 1.0}
    """
    d = predictions.shape[0]
    if d < MIN_DRAWS:
        raise ValueError(f"the split needs at least {MIN_DRAWS} draws; got {d}.")
    total, squares = predictions.sum(axis=0), (predictions**2).sum(axis=0)
    average = total / d
    variance_rows = np.maximum(squares - total * average, 0.0) / (d - 1)
    bias2_rows = (average - mean) ** 2 - variance_rows / d
    # Leave-one-draw-out values of the row-averaged bias² and variance, from the running sums.
    out_total, out_squares = total - predictions, squares - predictions**2
    out_average = out_total / (d - 1)
    out_variance = np.maximum(out_squares - out_total * out_average, 0.0) / (d - 2)
    out_bias2 = ((out_average - mean) ** 2 - out_variance / (d - 1)).mean(axis=1)
    out_variance_mean = out_variance.mean(axis=1)
    noise_value = float(noise.mean())
    parts = {
        "noise": Estimate(noise_value, 0.0),
        "bias2": Estimate(float(bias2_rows.mean()), _jackknife_se(out_bias2)),
        "variance": Estimate(float(variance_rows.mean()), _jackknife_se(out_variance_mean)),
    }
    expected_rows = noise + bias2_rows + variance_rows
    expected = Estimate(float(expected_rows.mean()), _jackknife_se(out_bias2 + out_variance_mean))
    rows: dict[str, np.ndarray] = {
        "truth": mean,
        "mean_prediction": average,
        "noise": noise,
        "bias2": bias2_rows,
        "variance": variance_rows,
        "expected": expected_rows,
    }
    measured = None
    if labels is None:
        gap, gap_se, holds = _gap(None, expected_rows)
    else:
        losses = (predictions - labels) ** 2
        rows["measured"] = losses.mean(axis=0)
        gap, gap_se, holds = _gap(rows["measured"], expected_rows)
        measured = _measured(losses, gap_se)
    return Split(loss, parts, expected, measured, gap, gap_se, holds, rows)


def zero_one_split(
    predictions: np.ndarray, probability: np.ndarray, labels: np.ndarray | None = None, *, threshold: float = 0.5
) -> Split:
    """Domingos' split of the zero-one loss of ``D`` draws' scores (``D x n``), thresholded at ``threshold``.

    Parameters
    ----------
    predictions : numpy.ndarray
        Predicted probabilities (or hard 0/1 labels), one row per training draw.
    probability : numpy.ndarray
        True probability that each evaluation row's label is 1.
    labels : numpy.ndarray or None
        Observed label of each evaluation row, for the measured error.
    threshold : float, default=0.5
        A score at or above it predicts class 1.

    Returns
    -------
    Split
        Parts ``noise`` (``min(p, 1 - p)``), ``bias`` (share of rows whose
        main prediction is not the optimal one), ``variance`` (disagreement
        with the main prediction), ``variance_unbiased`` and
        ``variance_biased`` (its parts on unbiased and biased rows),
        ``net_noise`` (``c1 N``) and ``net_variance`` (unbiased minus biased
        variance); ``expected = net_noise + bias + net_variance``.

    Examples
    --------
    Three draws on two rows; the second row's main prediction (0) is wrong:

    >>> P = np.array([[0.9, 0.2], [0.8, 0.1], [0.3, 0.7]])
    >>> split = zero_one_split(P, np.array([0.9, 0.8]))
    >>> split.parts["bias"].value, round(split.expected.value, 4)
    (0.5, 0.4833)
    """
    d = predictions.shape[0]
    if d < MIN_DRAWS:
        raise ValueError(f"the split needs at least {MIN_DRAWS} draws; got {d}.")
    hard = predictions >= threshold
    optimal = probability >= threshold
    noise_rows = np.minimum(probability, 1.0 - probability)

    def rows_of(ones: np.ndarray, n: int) -> dict[str, np.ndarray]:
        share = ones / n
        main = (share > 0.5) | ((share == 0.5) & optimal)
        bias = (main != optimal).astype(np.float64)
        variance = np.where(main, 1.0 - share, share)
        right = np.where(optimal, share, 1.0 - share)
        net_noise = (2.0 * right - 1.0) * noise_rows
        unbiased, biased = variance * (1.0 - bias), variance * bias
        return {
            "noise": noise_rows,
            "net_noise": net_noise,
            "bias": bias,
            "variance": variance,
            "variance_unbiased": unbiased,
            "variance_biased": biased,
            "net_variance": unbiased - biased,
            "expected": net_noise + bias + unbiased - biased,
        }

    ones = hard.sum(axis=0)
    rows = rows_of(ones, d)
    out = [rows_of(ones - hard[j], d - 1) for j in range(d)]
    parts = {  # the noise does not depend on the draws: no Monte Carlo error
        name: Estimate(
            float(values.mean()), 0.0 if name == "noise" else _jackknife_se(np.array([o[name].mean() for o in out]))
        )
        for name, values in rows.items()
        if name != "expected"
    }
    expected = Estimate(float(rows["expected"].mean()), _jackknife_se(np.array([o["expected"].mean() for o in out])))
    rows["truth"] = probability
    rows["main_prediction"] = (ones / d > 0.5) | ((ones / d == 0.5) & optimal)
    measured = None
    if labels is None:
        gap, gap_se, holds = _gap(None, rows["expected"])
    else:
        losses = (hard != (labels == 1)).astype(np.float64)
        rows["measured"] = losses.mean(axis=0)
        gap, gap_se, holds = _gap(rows["measured"], rows["expected"])
        measured = _measured(losses, gap_se)
    return Split("zero_one", parts, expected, measured, gap, gap_se, holds, rows)
