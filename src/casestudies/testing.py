"""The scenario contract, runnable by anyone who writes a scenario.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.testing import check_scenario
>>> check_scenario(cs.spec("fraud-v1"), params={"n_customers": 300, "n_days": 35})
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, make
from casestudies.core import ScenarioSpec, fingerprint, read_frames, write_case

__all__ = ["check_scenario", "expected_random_average_precision", "public_arrays"]


def public_arrays(case: Case) -> dict[str, object]:
    """Every public attribute of ``case`` (the ones a learner can reach without ``_``)."""
    found = {}
    for name in dir(case):
        if name.startswith("_") or name in ("reveal", "evaluate", "score"):
            continue
        found[name] = getattr(case, name)
    return found


def expected_random_average_precision(n_rows: int, n_positives: int) -> float:
    """Exact expected average precision of a uniformly random ranking.

    For ``N`` rows of which ``R`` are positive, a positive at rank ``k`` has an
    expected precision of ``(1 + (k - 1)(R - 1)/(N - 1)) / k``, so
    ``E[AP] = (H_N + (R - 1)/(N - 1) (N - H_N)) / N`` with ``H_N`` the N-th
    harmonic number. It tends to the prevalence ``R/N`` as ``R`` grows, but
    exceeds it noticeably for a few hundred positives.

    Examples
    --------
    >>> round(expected_random_average_precision(1_000_000, 5_000), 4)
    0.005
    """
    harmonic = float(np.sum(1.0 / np.arange(1, n_rows + 1)))
    return (harmonic + (n_positives - 1) / (n_rows - 1) * (n_rows - harmonic)) / n_rows


def _contains_labels(value: object, labels: np.ndarray) -> bool:
    if isinstance(value, pd.DataFrame):
        return any(_contains_labels(value[column], labels) for column in value.columns)
    if isinstance(value, (pd.Series, np.ndarray)) and len(value) == len(labels):
        array = np.asarray(value)
        return array.dtype.kind in "biuf" and np.array_equal(array.astype(np.float64), labels.astype(np.float64))
    if isinstance(value, Mapping):
        return any(_contains_labels(item, labels) for item in value.values())
    return False


def check_scenario(spec: ScenarioSpec, *, params: Mapping[str, object] | None = None, seed: int = 0) -> None:
    """Assert that a scenario honours the contract every scenario must meet.

    Checks: same seed gives identical data and holdout, another seed other
    data; train and test share columns and dtypes, the test has no target;
    ids are unique and disjoint between train and test; no public attribute
    holds the holdout labels; scoring the true probabilities reproduces the
    oracle row; a random predictor scores an average precision (binary),
    RMSE (rating) or precision@10 (top-N) whose interval contains its exact
    expectation; the spec round-trips through
    ``to_dict``; exported files round-trip to the same fingerprint and hold
    no labels; a take-home bundle round-trips (``check_takehome``, for
    every task type).

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario to check.
    params : Mapping, optional
        Parameter overrides (smaller sizes keep the check fast).
    seed : int, default=0
        Base seed.

    Raises
    ------
    AssertionError
        Naming the first broken rule.
    """
    params = dict(params or {})
    assert ScenarioSpec.from_dict(spec.to_dict()) == spec, f"{spec.id}: spec does not round-trip through to_dict()"
    case = make(spec.id, seed=seed, **params)
    again = make(spec.id, seed=seed, **params)
    other = make(spec.id, seed=seed + 1, **params)
    revealed = case.reveal()
    assert case.fingerprint == again.fingerprint, f"{spec.id}: same seed gave different data"
    assert revealed.equals(again.reveal()), f"{spec.id}: same seed gave a different holdout"
    assert case.fingerprint != other.fingerprint, f"{spec.id}: another seed gave the same data"

    train, test = case.train, case.test
    task = spec.task
    assert case.target in train.columns and case.target not in test.columns, f"{spec.id}: target must be in train only"
    if task == "topn":
        assert set(test.columns) <= set(train.columns), f"{spec.id}: test columns must be training columns"
    else:
        assert list(test.columns) == [c for c in train.columns if c != case.target], (
            f"{spec.id}: train and test columns differ"
        )
    mismatched = [c for c in test.columns if test[c].dtype != train[c].dtype]
    assert not mismatched, f"{spec.id}: dtypes differ between train and test for {mismatched}"
    if task == "binary":
        assert set(np.unique(train[case.target])) <= {0, 1}, f"{spec.id}: binary target must be 0/1"
    else:
        assert set(np.unique(train[case.target])) <= {1, 2, 3, 4, 5}, f"{spec.id}: ratings must be 1..5 stars"
    train_ids, test_ids = train[case.id_column], test[case.id_column]
    if task == "topn":
        assert test_ids.is_unique, f"{spec.id}: test users repeat"
        assert set(test_ids) <= set(train_ids), f"{spec.id}: test users must appear in train"
    else:
        assert train_ids.is_unique and test_ids.is_unique, f"{spec.id}: ids repeat"
        assert not set(train_ids) & set(test_ids), f"{spec.id}: train and test share ids"
    assert len(revealed) == len(test) and (revealed[case.id_column].to_numpy() == test_ids.to_numpy()).all()

    labels = revealed[host_view(case).task.label_name(case.target)].to_numpy()
    leaking = [name for name, value in public_arrays(case).items() if _contains_labels(value, labels)]
    assert not leaking, f"{spec.id}: public attributes hold the holdout labels: {leaking}"

    if task == "binary":
        truth: object = revealed["probability"].to_numpy()
        assert np.all((truth >= 0) & (truth <= 1)), f"{spec.id}: true probabilities outside [0, 1]"  # type: ignore[operator]
    elif task == "rating":
        truth = revealed["expected_rating"].to_numpy()
        assert np.all((truth >= 1) & (truth <= 5)), f"{spec.id}: expected ratings outside [1, 5]"  # type: ignore[operator]
    else:
        truth = host_view(case).oracle().values
    report = case.score(truth)
    oracle = report.reference("oracle")
    assert json.dumps(report.submission.scores, sort_keys=True) == json.dumps(oracle.scores, sort_keys=True), (
        f"{spec.id}: scoring the truth does not give the oracle row"
    )

    rng = np.random.default_rng(seed)
    if task == "binary":
        random_scores = rng.random(len(test))
        random_ap = case.score(random_scores, baselines=False).submission.scores["all"]["average_precision"]
        expected = expected_random_average_precision(len(labels), int(labels.sum()))
        assert random_ap["low"] <= expected <= random_ap["high"], (
            f"{spec.id}: random predictor AP {random_ap} far from its expectation {expected:.4f}"
        )
    elif task == "rating":
        # Uniform predictions on [1, 5]: E[(r - x)^2] = (r - 3)^2 + 4/3 for each held-out star r.
        random_rmse = case.score(rng.uniform(1.0, 5.0, size=len(test)), baselines=False).submission.scores["all"][
            "rmse"
        ]
        expected = float(np.sqrt(np.mean((labels - 3.0) ** 2) + 4.0 / 3.0))
        assert _near(random_rmse, expected), (
            f"{spec.id}: random predictor RMSE {random_rmse} far from its expectation {expected:.4f}"
        )
    else:
        _check_random_topn(case, labels, rng)

    with tempfile.TemporaryDirectory() as folder:
        for file_format in ("parquet", "csv"):
            write_case(case, folder, format=file_format)
            train_back, test_back = read_frames(folder, format=file_format)
            assert case.target not in test_back.columns, f"{spec.id}: exported test holds the target"
            assert not _contains_labels(test_back, labels), f"{spec.id}: exported test holds the holdout labels"
            if file_format == "parquet":
                assert fingerprint(train_back, test_back, *case.tables.values()) == case.fingerprint, (
                    f"{spec.id}: Parquet export does not round-trip"
                )
            else:
                assert len(train_back) == len(train) and len(test_back) == len(test), f"{spec.id}: CSV export lost rows"

    from casestudies.takehome._grade import check_takehome

    check_takehome(spec, params=params, seed=seed)


def _check_random_topn(case: Case, n_relevant: np.ndarray, rng: np.random.Generator) -> None:
    """Uniformly random unseen movies: precision@k's interval must hold its exact expectation."""
    k = int(case.spec.scoring.get("k", 10))  # type: ignore[call-overload]
    n_movies = len(case.tables["movies"])
    seen = case.train.groupby("user_id")["movie_id"].agg(lambda movies: set(movies.tolist()))
    users = case.test["user_id"].to_numpy()
    rows, n_candidates = [], []
    for user in users:
        candidates = np.setdiff1d(np.arange(1, n_movies + 1), np.fromiter(seen.get(user, set()), dtype=np.int64))
        rows.append(rng.choice(candidates, size=k, replace=False))
        n_candidates.append(len(candidates))
    precision = case.score(np.array(rows), baselines=False).submission.scores["all"]["precision_at_10"]
    expected = float(np.mean(n_relevant / np.array(n_candidates)))
    assert _near(precision, expected), (
        f"{case.spec.id}: random recommender precision {precision} far from its expectation {expected:.4f}"
    )


def _near(interval: Mapping[str, float], expected: float) -> bool:
    """Within about 3.3 standard errors (a 99.9 % interval widened from the 95 % one)."""
    half = 1.7 * (interval["high"] - interval["low"]) / 2
    return abs(interval["estimate"] - expected) <= half
