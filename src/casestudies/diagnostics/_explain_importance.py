"""What a model relies on, against what truly drives the outcome.

:func:`importance_vs_truth` fits a clone of the learner's pipeline on the
first rows of the training data and measures, on the held-out later rows,
scikit-learn's permutation importance of every raw input column in the
scenario's primary metric. Where the scenario declares a ``truth`` function
that reads only observed columns (``oracle_observable``), it measures the
*true* importance the same way: permute a column, recompute the true
probability (or mean), and take the loss in the primary metric. A column the
truth function does not read has true importance exactly 0. The finding
names the columns the model leans on that do not drive the outcome (often a
leak or an identifier) and the true drivers it ignores, with the rank
correlation of the two rankings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import average_precision_score, roc_auc_score, root_mean_squared_error
from sklearn.model_selection import train_test_split

from casestudies.case import Case, host_view
from casestudies.core import redraw_of
from casestudies.exceptions import InvalidParameterError
from casestudies.report import FigureSpec, Finding, Series

SCORERS: Final[dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], float]]]] = {
    "roc_auc": ("roc_auc", lambda y, s: float(roc_auc_score(y, s))),
    "average_precision": ("average_precision", lambda y, s: float(average_precision_score(y, s))),
    "rmse": ("neg_root_mean_squared_error", lambda y, s: -float(root_mean_squared_error(y, s))),
}
"""Primary metrics the importances are measured in: scikit-learn scorer name, and the same on plain scores."""

ROW_TASKS: Final[tuple[str, ...]] = ("binary", "regression")
"""Tasks whose rows are scored from their own columns: the ones importances are measured on."""

LEANS: Final[float] = 0.01
"""A model "leans on" a column whose permutation costs it more than this in the primary metric (for RMSE, in
standard deviations of the target)."""

IGNORES: Final[float] = 0.002
"""A true driver (true importance above :data:`LEANS`) is "ignored" when the model's importance is below this."""

TOP_DEPENDENCE: Final[int] = 2
"""Float columns with the highest model importance whose partial dependence is computed (scikit-learn refuses
integers: its grid would round them)."""


def check_task(case: Case) -> None:
    """Refuse a task the importances do not apply to (rating, top-N), with what to do instead.

    Examples
    --------
    >>> import casestudies as cs
    >>> check_task(cs.make("overfit-v1", seed=0, n_test=300)) is None
    True
    """
    where = f"importance_vs_truth() of {case.spec.id!r}"
    if case.spec.task not in ROW_TASKS or case.spec.metric not in SCORERS:
        message = (
            f"{where}: permutation importance needs a task that scores each row from its own columns, in one of "
            f"the metrics {list(SCORERS)}; {case.spec.id!r} is a {case.spec.task} task scored by "
            f"{case.spec.metric!r} (its pipelines learn from whole tables of users and movies, not row by row). "
            f"Use a scenario of task {' or '.join(ROW_TASKS)}."
        )
        raise InvalidParameterError(message)


def _checked(case: Case, pipeline: object) -> tuple[str, Callable[[np.ndarray, np.ndarray], float]]:
    check_task(case)
    where = f"importance_vs_truth() of {case.spec.id!r}"
    if not (hasattr(pipeline, "fit") and hasattr(pipeline, "get_params")):
        message = (
            f"{where}: expected a scikit-learn estimator or Pipeline (permutation importance refits and "
            f"re-predicts it); got {type(pipeline).__name__}. Wrap a function in a scikit-learn estimator, "
            "or pass the pipeline you give to evaluate()."
        )
        raise InvalidParameterError(message)
    return SCORERS[case.spec.metric]


def true_importance(
    truth: Callable[[pd.DataFrame], np.ndarray],
    X: pd.DataFrame,
    y: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    n_repeats: int,
    seed: int,
) -> dict[str, float]:
    """Loss in ``metric`` of the true function when each column of ``X`` is permuted (mean over repeats).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"a": np.arange(50.0), "b": np.ones(50)})
    >>> y = (X["a"] > 25).to_numpy().astype(int)
    >>> from sklearn.metrics import roc_auc_score
    >>> imp = true_importance(lambda f: f["a"].to_numpy(), X, y, roc_auc_score, n_repeats=2, seed=0)
    >>> imp["b"], imp["a"] > 0.3
    (0.0, True)
    """
    rng = np.random.default_rng(seed)
    base = metric(y, truth(X))
    importances = {}
    for column in X.columns:
        losses = []
        for _ in range(n_repeats):
            shuffled = X.copy()
            shuffled[column] = X[column].to_numpy()[rng.permutation(len(X))]
            losses.append(base - metric(y, truth(shuffled)))
        importances[str(column)] = float(np.mean(losses))
    return importances


def _dependence(
    model: object, X: pd.DataFrame, ranked: list[str], truth: Callable[[pd.DataFrame], np.ndarray] | None
) -> dict[str, dict[str, list[float]]]:
    """Partial dependence of the model (scikit-learn's) and, where the truth reads observed columns, of the truth."""
    from sklearn.inspection import partial_dependence  # only when asked for: it loads sklearn's ensembles and trees

    numeric = [column for column in ranked if pd.api.types.is_float_dtype(X[column])][:TOP_DEPENDENCE]
    curves = {}
    for column in numeric:
        result = partial_dependence(model, X, [column], kind="average", grid_resolution=20)
        grid = result["grid_values"][0]
        curve = {"grid": grid.tolist(), "average": result["average"][0].tolist()}
        if truth is not None:  # the same average over the held-out rows, of the true probability (or mean)
            curve["truth"] = [float(np.mean(truth(X.assign(**{column: value})))) for value in grid]
        curves[column] = curve
    return curves


def dependence_figures(dependence: dict[str, dict[str, list[float]]], target: str) -> tuple[FigureSpec, ...]:
    """One line figure per column of ``dependence`` (as ``importance_vs_truth`` returns it): model beside truth.

    Examples
    --------
    >>> curves = {"age": {"grid": [20.0, 40.0], "average": [0.1, 0.3], "truth": [0.1, 0.2]}}
    >>> figure = dependence_figures(curves, "predicted probability")[0]
    >>> figure.name, [series.label for series in figure.series]
    ('partial_dependence_age', ['your model', 'truth'])
    """
    figures = []
    for column, curve in dependence.items():
        series = [Series("your model", tuple(curve["grid"]), tuple(curve["average"]), role="submission")]
        if "truth" in curve:
            series.append(Series("truth", tuple(curve["grid"]), tuple(curve["truth"]), role="oracle"))
        figures.append(
            FigureSpec(
                name=f"partial_dependence_{column}",
                kind="lines",
                title=f"How the {target} moves with {column}, on average over the other columns",
                x_label=column,
                y_label=f"average {target}",
                series=tuple(series),
                caption=(
                    f"Each point sets {column} to that value on every held-out row and averages the {target}. "
                    "Where the two lines part, the model has learnt a different effect from the true one."
                    if "truth" in curve
                    else f"Each point sets {column} to that value on every held-out row and averages the {target}."
                ),
            )
        )
    return tuple(figures)


def importance_vs_truth(
    case: Case, pipeline: object, *, n_repeats: int = 3, held_out: float = 0.3, seed: int = 0
) -> Finding:
    """Permutation importance of ``pipeline`` per raw column, beside the true importance where the truth allows.

    Parameters
    ----------
    case : Case
    pipeline : scikit-learn estimator or Pipeline
        Cloned and fitted on the first ``1 - held_out`` of the training rows (in their order: time for
        time-ordered scenarios); importances are measured on the rest.
    n_repeats : int, default=3
        Permutations per column.
    held_out : float, default=0.3
        Share of training rows the importances are measured on.
    seed : int, default=0
        Seed of the permutations.

    Returns
    -------
    Finding
        ``evidence``: ``model`` and ``truth`` importances per column (``truth`` None when the truth runs
        through hidden state), ``rank_correlation`` (Spearman), ``leaned_on_non_drivers``,
        ``ignored_drivers``, ``top_model``, ``partial_dependence``; figures: both rankings side by side, and
        the partial dependence of each top column beside the truth's (when the truth reads observed columns).

    Raises
    ------
    InvalidParameterError
        For a task whose primary metric does not score rows (rating, top-N), or a pipeline that is not a
        scikit-learn estimator.

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from casestudies.diagnostics import TabularEncoder
    >>> case = cs.make("overfit-leaky-v1", seed=0, n_train=600, n_test=300, n_noise_features=2)
    >>> model = make_pipeline(TabularEncoder(), LogisticRegression(max_iter=500))
    >>> finding = importance_vs_truth(case, model, n_repeats=1)
    >>> finding.evidence["top_model"], finding.evidence["truth"]["winback_offer_sent"]
    ('winback_offer_sent', 0.0)
    """
    from sklearn.inspection import permutation_importance  # only when asked for: every evaluate() loads this module

    scorer, metric = _checked(case, pipeline)
    X, y = case.X_train, case.y_train.to_numpy()
    X_fit, X_held, y_fit, y_held = train_test_split(X, y, test_size=held_out, shuffle=False)
    model = clone(pipeline).fit(X_fit, y_fit)
    result = permutation_importance(model, X_held, y_held, scoring=scorer, n_repeats=n_repeats, random_state=seed)
    mine = {str(column): float(value) for column, value in zip(X.columns, result.importances_mean, strict=True)}
    ranked = sorted(mine, key=lambda column: -mine[column])
    truth: dict[str, float] | None = None
    true_function: Callable[[pd.DataFrame], np.ndarray] | None = None
    hidden = not (case.spec.truth and host_view(case).oracle_observable)
    if not hidden:
        _, function = redraw_of(case.spec, where=f"importance_vs_truth() of {case.spec.id!r}")
        params, case_seed = case.params, case.seed

        def oracle(frame: pd.DataFrame) -> np.ndarray:
            return np.asarray(function(params, case_seed, frame)[0], dtype=np.float64)

        true_function = oracle
        truth = true_importance(true_function, X_held, y_held, metric, n_repeats=n_repeats, seed=seed)
    # RMSE is in the target's units: the thresholds apply to losses as a share of the target's spread.
    scale = float(np.std(y_held)) if case.spec.metric == "rmse" else 1.0
    dependence = _dependence(model, X_held, ranked, true_function)
    return _finding(case, mine, ranked, truth, dependence, scale=scale)


def _how_mechanisms_show(case: Case, leaned_on: set[str]) -> str:
    """Each hidden mechanism, what it looks like, and the columns the spec says reveal it (starred if leaned on)."""
    described = case.data_card.get("mechanisms")
    descriptions = dict(described) if isinstance(described, dict) else {}
    names = list(case.spec.reveals) or [name for name in descriptions if name != "none"]
    parts = []
    for name in names:
        columns = case.spec.reveals.get(name, ())
        shown = ", ".join(f"{column}*" if column in leaned_on else column for column in columns)
        text = str(descriptions.get(name, "")).strip()
        parts.append(f"{name.replace('_', ' ')}: {text}" + (f" (seen in {shown})" if shown else ""))
    note = (
        " (* = among the columns your model leans on most)"
        if leaned_on & {c for n in names for c in case.spec.reveals.get(n, ())}
        else ""
    )
    return "; ".join(parts) + ("." if parts else "") + note


def _finding(
    case: Case,
    mine: dict[str, float],
    ranked: list[str],
    truth: dict[str, float] | None,
    dependence: dict[str, dict[str, list[float]]],
    *,
    scale: float,
) -> Finding:
    top = ranked[0]
    evidence: dict[str, object] = {"model": mine, "truth": truth, "top_model": top, "partial_dependence": dependence}
    shown = ranked[:10]
    series = [Series("your model", tuple(shown), tuple(mine[c] for c in shown), role="submission")]
    if truth is None:
        text = (
            f"Your model leans most on {', '.join(ranked[:3])}. The truth of {case.spec.id} runs through hidden "
            "state (which terminal or card is compromised), so no column has a true importance of its own; the "
            f"mechanisms show in the data as follows. {_how_mechanisms_show(case, set(ranked[:3]))}"
        ).strip()
        evidence["reveals"] = {name: list(columns) for name, columns in case.spec.reveals.items()}
        evidence |= {"rank_correlation": None, "leaned_on_non_drivers": [], "ignored_drivers": []}
    else:
        columns = list(mine)
        rho = float(spearmanr([mine[c] for c in columns], [truth[c] for c in columns]).statistic)
        leaned = [c for c in ranked if mine[c] > LEANS * scale and truth[c] == 0.0]
        by_truth = sorted(truth, key=lambda c: -truth[c])
        ignored = [c for c in by_truth if truth[c] > LEANS * scale and mine[c] < IGNORES * scale]
        evidence |= {"rank_correlation": rho, "leaned_on_non_drivers": leaned, "ignored_drivers": ignored}
        true_top = max(truth, key=lambda c: truth[c])
        text = (
            f"Your model leans most on {top} (permuting it costs {mine[top]:.3f} in {case.spec.metric}); the "
            f"true outcome depends most on {true_top}. Rank correlation of the two rankings: {rho:.2f}."
        )
        if leaned:
            text += (
                f" It leans on {', '.join(leaned)}, which the true outcome does not depend on at all "
                "(a leak, an identifier, noise it memorised, or a stand-in for a driver it is built from)."
            )
        if ignored:
            text += f" It ignores true drivers: {', '.join(ignored)}."
        series.append(Series("true importance", tuple(shown), tuple(truth[c] for c in shown), role="oracle"))
    figure = FigureSpec(
        name="importance_vs_truth",
        kind="bars",
        title="What your model relies on, beside what truly drives the outcome",
        x_label="raw input column",
        y_label=f"loss in {case.spec.metric} when the column is permuted",
        series=tuple(series),
    )
    target = "prediction" if case.spec.task == "regression" else "predicted probability"
    figures = (figure, *dependence_figures(dependence, target))
    return Finding("importance_vs_truth", "What your model relies on", text, evidence, figures=figures)
