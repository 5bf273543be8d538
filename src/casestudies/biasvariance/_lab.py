"""``bias_variance`` and ``bias_variance_curve``: many training draws from one world, one evaluation set.

The evaluation set is the case's own test set (``case.test``): the rows the
case scores, with their observed labels (for the measured error) and the
truth the scenario's ``truth`` function gives for them. Training sets come
from the scenario's ``redraw`` function, draw 0, 1, 2, ...: the same world
as the case, new rows each time. Every setting of a curve sees the same
draws (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casestudies.biasvariance._decompose import MIN_DRAWS, squared_split, zero_one_split
from casestudies.biasvariance._draws import DrawTask, Output, run_draws
from casestudies.biasvariance._result import BiasVarianceCurve, BiasVarianceResult, LabSetting, curve_values
from casestudies.case import Case, host_view, make
from casestudies.core import (
    SEED_LIKE,
    FloatRange,
    IntRange,
    Optional,
    RedrawFunction,
    Rule,
    check,
    check_all,
    redraw_of,
    spec,
)
from casestudies.exceptions import InvalidParameterError
from casestudies.scoring import describe

__all__ = ["bias_variance", "bias_variance_curve"]

DEFAULT_DRAWS: Final[int] = 30
"""Training draws by default: enough for standard errors of a few percent of the variance (it is an average of
sample variances over hundreds of rows), few enough to run in seconds with fast pipelines."""

LAB_TASKS: Final[Mapping[str, Output]] = {"binary": "probability", "regression": "value"}
"""Task types the lab splits, and what a pipeline predicts for each."""

_RULES: Final[Mapping[str, Rule]] = {
    "n_draws": IntRange(MIN_DRAWS, 100_000),
    "train_size": Optional(IntRange(2, None)),
    "seed": SEED_LIKE,
    "threshold": FloatRange(0.0, 1.0),
}

_TRUTH_NOTES: Final[Mapping[str, str]] = {
    "binary": "Truth: the probability p that each row's label is 1 (noise p(1 − p)), as the scenario defines it.",
    "regression": "Truth: each row's conditional mean and noise variance, as the scenario defines them.",
}


@dataclass(frozen=True, slots=True)
class _Lab:
    """A case ready for the lab: its redraw, evaluation rows, their labels and their truth."""

    case: Case
    redraw: RedrawFunction
    output: Output
    X_eval: pd.DataFrame
    labels: np.ndarray
    mean: np.ndarray
    noise: np.ndarray


def _check_n_jobs(where: str, n_jobs: object) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        message = f"{where}: n_jobs must be a positive int, or -1 for every core; got {n_jobs!r}. Use n_jobs=1 or 2."
        raise InvalidParameterError(message)
    return int(n_jobs)


def _case_of(
    where: str, scenario_or_case: object, *, seed: int | None, params: Mapping[str, object] | None
) -> tuple[Case, RedrawFunction, Output]:
    """The case to study (made here from an id) and its redraw function; refuses scenarios that cannot redraw."""
    if isinstance(scenario_or_case, Case):
        case = scenario_or_case
        if params:
            message = (
                f"{where}: params apply when you pass a scenario id; the case {case.id!r} was already made with its "
                f"own parameters. Pass the id with params=..., or drop params."
            )
            raise InvalidParameterError(message)
        if seed is not None and seed != case.seed:
            message = (
                f"{where}: the case {case.id!r} was made with seed {case.seed}; got seed={seed}. Drop seed, or pass "
                "the scenario id to make a case with that seed."
            )
            raise InvalidParameterError(message)
        scenario = case.spec
    elif isinstance(scenario_or_case, str):
        scenario = spec(scenario_or_case)
    else:
        message = (
            f"{where}: expected a scenario id such as 'overfit-v1' or a Case from casestudies.make(); got "
            f"{type(scenario_or_case).__name__}."
        )
        raise InvalidParameterError(message)
    redraw, _ = redraw_of(scenario, where=where)
    if scenario.task not in LAB_TASKS:
        message = (
            f"{where}: {scenario.id!r} is a {scenario.task} task; the lab splits the error of {list(LAB_TASKS)} "
            "tasks only (squared error, Brier score and zero-one loss)."
        )
        raise InvalidParameterError(message)
    if not isinstance(scenario_or_case, Case):
        case = make(scenario.id, seed=seed, **dict(params or {}))
    return case, redraw, LAB_TASKS[scenario.task]


def _prepare(where: str, scenario_or_case: object, *, seed: int | None, params: Mapping[str, object] | None) -> _Lab:
    case, redraw, output = _case_of(where, scenario_or_case, seed=seed, params=params)
    _, truth = redraw_of(case.spec, where=where)
    host = host_view(case)
    X_eval = host.test
    mean, noise = (np.asarray(values, dtype=np.float64) for values in truth(case.params, case.seed, X_eval))
    n = len(X_eval)
    if mean.shape != (n,) or noise.shape != (n,) or not (np.isfinite(mean).all() and np.isfinite(noise).all()):
        message = (
            f"{where}: the truth function of {case.id!r} ({case.spec.truth}) must give two finite arrays of one value "
            f"per test row ({n}); got shapes {mean.shape} and {noise.shape}. Fix the scenario's truth function."
        )
        raise InvalidParameterError(message)
    if (noise < 0).any():
        raise InvalidParameterError(f"{where}: the truth function of {case.id!r} gave negative noise variances.")
    labels = np.asarray(host.holdout.labels, dtype=np.float64)
    return _Lab(case, redraw, output, X_eval, labels, mean, noise)


def _setting(lab: _Lab, pipeline: object, n_draws: int, train_size: int) -> LabSetting:
    case = lab.case
    return LabSetting(
        scenario_id=case.id,
        seed=case.seed,
        params=dict(case.params),
        task=case.spec.task,
        pipeline=describe(pipeline),
        n_draws=n_draws,
        train_size=train_size,
        n_eval=len(lab.X_eval),
        truth_note=_TRUTH_NOTES[case.spec.task],
    )


def _result(
    lab: _Lab, pipeline: object, predictions: np.ndarray, train_size: int, threshold: float, seconds: float
) -> BiasVarianceResult:
    loss = "brier" if lab.output == "probability" else "squared"
    split = squared_split(predictions, lab.mean, lab.noise, lab.labels, loss=loss)
    zero_one = zero_one_split(predictions, lab.mean, lab.labels, threshold=threshold) if loss == "brier" else None
    return BiasVarianceResult(_setting(lab, pipeline, predictions.shape[0], train_size), split, zero_one, seconds)


def _tasks(lab: _Lab, pipelines: Sequence[object], n_draws: int, n_rows: int | None, first_key: int) -> list[DrawTask]:
    case = lab.case
    return [
        DrawTask(
            redraw=lab.redraw,
            params=dict(case.params),
            seed=case.seed,
            draw=draw,
            n_rows=n_rows,
            target=case.target,
            pipelines=tuple(pipelines),
            X_eval=lab.X_eval,
            output=lab.output,
            key=first_key + draw,
        )
        for draw in range(n_draws)
    ]


def bias_variance(
    scenario_or_case: str | Case,
    pipeline: object,
    *,
    n_draws: int = DEFAULT_DRAWS,
    train_size: int | None = None,
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
    threshold: float = 0.5,
) -> BiasVarianceResult:
    """Split a pipeline's expected error into noise, bias² and variance, with Monte Carlo standard errors.

    Draws ``n_draws`` independent training sets from the world of the case
    (the scenario's ``redraw``), fits a clone of ``pipeline`` on each and
    predicts the case's test rows, whose truth the scenario knows. Squared
    error for regression; for binary tasks the Brier score of the predicted
    probability and Domingos' split of the zero-one loss.

    Parameters
    ----------
    scenario_or_case : str or Case
        A scenario id (a case is made from it with ``seed`` and ``params``) or a Case.
    pipeline : estimator or callable
        A scikit-learn style estimator (cloned for every draw; ``predict_proba``
        is used for binary tasks when present) or ``f(X_train, y_train, X_test)``.
    n_draws : int, default=30
        Training draws (at least 3, for the jackknife standard errors).
    train_size : int or None, default=None
        Rows per training draw; None: as many as the case's training set.
    seed : int or None, default=None
        Seed of the case made from an id (None: a fresh one, kept in the result).
    params : Mapping or None, default=None
        Generator parameters of the case made from an id.
    n_jobs : int, default=1
        Parallel workers (joblib); -1 for every core.
    progress : bool or None, default=None
        Show a progress bar (None: when someone watches; see ``casestudies.core.progress_enabled``).
    threshold : float, default=0.5
        Binary tasks: a probability at or above it predicts class 1 in the zero-one loss.

    Returns
    -------
    BiasVarianceResult
        The parts averaged over the test rows (and per row, ``result.rows()``),
        the measured error and whether the parts add up to it within its error.

    Raises
    ------
    InvalidParameterError
        If the scenario cannot redraw its training data (the message lists the
        scenarios that can), is not a binary or regression task, or an argument is invalid.
    PipelineError
        If the pipeline raised on some draw.

    Notes
    -----
    The pipeline sees the columns ``case.evaluate`` gives it, the id column
    included. Redraws number their rows in ranges of their own (so that ids
    never collide with the case's), so a pipeline that uses the id as a number
    extrapolates wildly: drop it (``TabularEncoder(drop=["house_id"])``).

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from casestudies.preprocessing import TabularEncoder
    >>> model = make_pipeline(TabularEncoder(), LogisticRegression(max_iter=500))
    >>> result = cs.bias_variance("overfit-v1", model, n_draws=4, seed=0, params={"n_test": 300})
    >>> result.identity_holds
    True
    >>> result.bias2 < result.variance  # 250 rows and 300+ columns: a variance problem
    True
    """
    where = "bias_variance()"
    check_all(where, _RULES, {"n_draws": n_draws, "train_size": train_size, "seed": seed, "threshold": threshold})
    n_jobs = _check_n_jobs(where, n_jobs)
    lab = _prepare(where, scenario_or_case, seed=seed, params=params)
    started = time.perf_counter()
    title = f"bias-variance: {describe(pipeline)} on {lab.case.id}"
    predictions, sizes = run_draws(
        _tasks(lab, [pipeline], n_draws, train_size, 0), n_jobs=n_jobs, progress=progress, title=title
    )
    matrix = np.stack([predictions[draw][0] for draw in range(n_draws)])
    return _result(lab, pipeline, matrix, sizes[0], threshold, time.perf_counter() - started)


def _with_param(pipeline: object, param: str, value: object) -> object:
    from sklearn.base import clone  # keeps `import casestudies` light

    if not hasattr(pipeline, "set_params"):
        message = (
            f"bias_variance_curve(): param={param!r} is set with set_params, which {describe(pipeline)} does not have. "
            "Pass a scikit-learn estimator or Pipeline, or sweep train_sizes instead."
        )
        raise InvalidParameterError(message)
    try:
        return clone(pipeline).set_params(**{param: value})
    except ValueError as err:
        message = f"bias_variance_curve(): cannot set {param}={value!r} on {describe(pipeline)}: {err}"
        raise InvalidParameterError(message) from err


def bias_variance_curve(
    scenario_or_case: str | Case,
    pipeline: object,
    *,
    param: str | None = None,
    values: Sequence[object] | None = None,
    train_sizes: Sequence[int] | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    params: Mapping[str, object] | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
    threshold: float = 0.5,
) -> BiasVarianceCurve:
    """Noise, bias² and variance against a complexity parameter or the training size.

    Give ``param`` and ``values`` (set on a clone of the pipeline with
    ``set_params``, e.g. ``param="max_depth"`` or
    ``"decisiontreeregressor__max_depth"`` in a Pipeline) or
    ``train_sizes``. Every setting is fitted on the same ``n_draws`` training
    draws (common random numbers), so the curve moves with the setting, not
    with the luck of the draws.

    Parameters
    ----------
    scenario_or_case, pipeline, n_draws, seed, params, n_jobs, progress, threshold
        As in :func:`bias_variance`.
    param : str or None
        Name of the parameter to sweep (``set_params`` syntax).
    values : sequence or None
        Its values, in the order to show them.
    train_sizes : sequence of int or None
        Training-set sizes to sweep instead.

    Returns
    -------
    BiasVarianceCurve
        ``table`` (one row per setting), ``best`` (least expected error) and
        ``figure()`` (noise, bias², variance and total, the minimum marked).

    Raises
    ------
    InvalidParameterError
        If neither or both sweeps are given, a value cannot be set, or as :func:`bias_variance`.

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from casestudies.preprocessing import TabularEncoder
    >>> model = make_pipeline(TabularEncoder(), DecisionTreeClassifier(random_state=0))
    >>> curve = cs.bias_variance_curve("overfit-v1", model, param="decisiontreeclassifier__max_depth",
    ...                                values=[1, 20], n_draws=4, seed=0, params={"n_test": 300})
    >>> bool(curve.table["variance"].iloc[1] > curve.table["variance"].iloc[0])
    True
    """
    where = "bias_variance_curve()"
    check_all(where, _RULES, {"n_draws": n_draws, "train_size": None, "seed": seed, "threshold": threshold})
    n_jobs = _check_n_jobs(where, n_jobs)
    if (param is None) == (train_sizes is None) or (param is not None and not values):
        message = (
            f"{where}: give either param= and values= (a complexity sweep, e.g. param='max_depth', "
            "values=[1, 2, 4, 8]) or train_sizes= (e.g. [100, 300, 1000]); got "
            f"param={param!r}, values={values!r}, train_sizes={train_sizes!r}."
        )
        raise InvalidParameterError(message)
    if train_sizes is not None:
        for size in train_sizes:
            check(where, "train_sizes", size, IntRange(2, None))
    lab = _prepare(where, scenario_or_case, seed=seed, params=params)
    started = time.perf_counter()
    title = f"bias-variance curve: {describe(pipeline)} on {lab.case.id}"
    if param is not None and values is not None:
        settings = curve_values(values)
        pipelines = [_with_param(pipeline, param, value) for value in settings]
        predictions, sizes = run_draws(
            _tasks(lab, pipelines, n_draws, None, 0), n_jobs=n_jobs, progress=progress, title=title
        )
        per_setting = [np.stack([predictions[d][k] for d in range(n_draws)]) for k in range(len(settings))]
        train_rows = [sizes[0]] * len(settings)
        name = param
    else:
        sizes_given = [int(size) for size in train_sizes or ()]
        settings = curve_values(sizes_given)
        tasks = [
            task for k, size in enumerate(sizes_given) for task in _tasks(lab, [pipeline], n_draws, size, k * n_draws)
        ]
        predictions, sizes = run_draws(tasks, n_jobs=n_jobs, progress=progress, title=title)
        per_setting = [
            np.stack([predictions[k * n_draws + d][0] for d in range(n_draws)]) for k in range(len(settings))
        ]
        train_rows = [sizes[k * n_draws] for k in range(len(settings))]
        pipelines = [pipeline] * len(settings)
        name = "train_size"
    seconds = time.perf_counter() - started
    results = tuple(
        _result(lab, model, matrix, rows, threshold, seconds)
        for model, matrix, rows in zip(pipelines, per_setting, train_rows, strict=True)
    )
    setting = _setting(lab, pipeline, n_draws, train_rows[0])
    return BiasVarianceCurve(setting=setting, param=name, results=results, values=settings)
