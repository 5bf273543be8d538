"""The usual estimate with one training set, for comparison: bootstrap it and measure "bias" on observed labels.

This is what tools without a simulator do (mlxtend's
``bias_variance_decomp`` for instance): fit the pipeline on ``n_rounds``
bootstrap resamples of the single training set, predict the test rows, and
report, for squared loss,

- ``expected_loss = mean (y - f_r)^2`` over rounds and rows,
- ``bias = mean (y - mean_r f_r)^2``: against the *observed* labels ``y``,
- ``variance = mean var_r(f_r)``: over resamples, not over fresh draws.

Because ``y = m + noise``, the expectation of that "bias" is
``bias² + noise``: the label noise, which no model can remove, is booked as
bias. Resamples of one set also vary less than fresh training sets (they
share most rows), and their average model is not the average model over the
world. :func:`casestudies.bias_variance` measures each part against the
truth instead; the notebook ``bias_variance.ipynb`` shows both side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from casestudies.biasvariance._draws import fit_predict
from casestudies.biasvariance._lab import LAB_TASKS
from casestudies.case import Case, host_view, make
from casestudies.core import SEED_LIKE, IntRange, check_all, spec
from casestudies.exceptions import InvalidParameterError

__all__ = ["BootstrapEstimate", "bootstrap_bias_variance"]

_RULES: Final = {"n_rounds": IntRange(2, 100_000), "seed": SEED_LIKE, "random_state": IntRange(0, 2**63 - 1)}


@dataclass(frozen=True, slots=True)
class BootstrapEstimate:
    """The bootstrap estimate on one training set: expected loss, "bias" (against observed labels) and variance.

    ``bias`` contains the noise of the labels: compare it with ``noise + bias2``
    of :func:`casestudies.bias_variance` on the same case.

    Examples
    --------
    >>> BootstrapEstimate(expected_loss=1.5, bias=1.2, variance=0.3, n_rounds=10).to_dict()["bias"]
    1.2
    """

    expected_loss: float
    bias: float
    variance: float
    n_rounds: int

    def to_dict(self) -> dict[str, float | int]:
        """Plain data."""
        return {
            "expected_loss": self.expected_loss,
            "bias": self.bias,
            "variance": self.variance,
            "n_rounds": self.n_rounds,
        }


def bootstrap_bias_variance(
    scenario_or_case: str | Case,
    pipeline: object,
    *,
    n_rounds: int = 30,
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    random_state: int = 0,
) -> BootstrapEstimate:
    """The one-training-set bootstrap estimate (mlxtend-style), computed on a case's training and test rows.

    Parameters
    ----------
    scenario_or_case : str or Case
        A scenario id (made with ``seed`` and ``params``) or a Case; any binary
        or regression scenario, redraw or not.
    pipeline : estimator or callable
        Fitted (as a clone) on each bootstrap resample of ``case.train``.
    n_rounds : int, default=30
        Bootstrap resamples.
    seed, params
        Of the case made from an id.
    random_state : int, default=0
        Seed of the resampling.

    Returns
    -------
    BootstrapEstimate
        Squared loss against the observed test labels (probabilities for binary tasks).

    Raises
    ------
    InvalidParameterError
        If the scenario is not a binary or regression task, or an argument is invalid.

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.dummy import DummyClassifier
    >>> case = cs.make("overfit-v1", seed=0, n_test=300)
    >>> estimate = bootstrap_bias_variance(case, DummyClassifier(), n_rounds=5)
    >>> bool(estimate.bias > 0.1)  # the churn labels' noise, booked as bias
    True
    """
    where = "bootstrap_bias_variance()"
    check_all(where, _RULES, {"n_rounds": n_rounds, "seed": seed, "random_state": random_state})
    if isinstance(scenario_or_case, Case):
        case = scenario_or_case
    elif isinstance(scenario_or_case, str):
        case = make(spec(scenario_or_case).id, seed=seed, **dict(params or {}))
    else:
        raise InvalidParameterError(
            f"{where}: expected a scenario id or a Case; got {type(scenario_or_case).__name__}."
        )
    if case.spec.task not in LAB_TASKS:
        raise InvalidParameterError(f"{where}: {case.id!r} is a {case.spec.task} task; expected {list(LAB_TASKS)}.")
    host = host_view(case)
    train, X_eval = host.train, host.test
    labels = np.asarray(host.holdout.labels, dtype=np.float64)
    rng = np.random.default_rng(random_state)
    output = LAB_TASKS[case.spec.task]
    predictions = []
    for _ in range(n_rounds):
        sample = train.iloc[rng.integers(0, len(train), len(train))].reset_index(drop=True)
        X, y = sample.drop(columns=[case.target]), sample[case.target]
        predictions.append(fit_predict(pipeline, X, y, X_eval, output))
    matrix = np.stack(predictions)
    average = matrix.mean(axis=0)
    return BootstrapEstimate(
        expected_loss=float(((matrix - labels) ** 2).mean()),
        bias=float(((average - labels) ** 2).mean()),
        variance=float(matrix.var(axis=0).mean()),
        n_rounds=n_rounds,
    )
