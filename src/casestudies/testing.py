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

from ._case import Case, make
from ._export import read_frames, write_case
from ._fingerprint import fingerprint
from ._spec import ScenarioSpec

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
    oracle row; a random predictor scores an average precision whose
    interval contains its exact expectation (about the prevalence); the spec round-trips through
    ``to_dict``; exported files round-trip to the same fingerprint and hold
    no labels; a take-home bundle round-trips (``check_takehome``).

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
    assert case.target in train.columns and case.target not in test.columns, f"{spec.id}: target must be in train only"
    assert list(test.columns) == [c for c in train.columns if c != case.target], f"{spec.id}: train and test columns differ"
    mismatched = [c for c in test.columns if test[c].dtype != train[c].dtype]
    assert not mismatched, f"{spec.id}: dtypes differ between train and test for {mismatched}"
    assert set(np.unique(train[case.target])) <= {0, 1}, f"{spec.id}: binary target must be 0/1"
    train_ids, test_ids = train[case.id_column], test[case.id_column]
    assert train_ids.is_unique and test_ids.is_unique, f"{spec.id}: ids repeat"
    assert not set(train_ids) & set(test_ids), f"{spec.id}: train and test share ids"
    assert len(revealed) == len(test) and (revealed[case.id_column].to_numpy() == test_ids.to_numpy()).all()

    labels = revealed[case.target].to_numpy()
    leaking = [name for name, value in public_arrays(case).items() if _contains_labels(value, labels)]
    assert not leaking, f"{spec.id}: public attributes hold the holdout labels: {leaking}"

    truth = revealed["probability"].to_numpy()
    assert np.all((truth >= 0) & (truth <= 1)), f"{spec.id}: true probabilities outside [0, 1]"
    report = case.score(truth)
    oracle = report.reference("oracle")
    assert json.dumps(report.submission.scores, sort_keys=True) == json.dumps(oracle.scores, sort_keys=True), f"{spec.id}: scoring the truth does not give the oracle row"

    random_scores = np.random.default_rng(seed).random(len(test))
    random_ap = case.score(random_scores, baselines=False).submission.scores["all"]["average_precision"]
    expected = expected_random_average_precision(len(labels), int(labels.sum()))
    assert random_ap["low"] <= expected <= random_ap["high"], f"{spec.id}: random predictor AP {random_ap} far from its expectation {expected:.4f}"

    with tempfile.TemporaryDirectory() as folder:
        for file_format in ("parquet", "csv"):
            write_case(case, folder, format=file_format)
            train_back, test_back = read_frames(folder, format=file_format)
            assert case.target not in test_back.columns, f"{spec.id}: exported test holds the target"
            assert not _contains_labels(test_back, labels), f"{spec.id}: exported test holds the holdout labels"
            if file_format == "parquet":
                assert fingerprint(train_back, test_back) == case.fingerprint, f"{spec.id}: Parquet export does not round-trip"
            else:
                assert len(train_back) == len(train) and len(test_back) == len(test), f"{spec.id}: CSV export lost rows"

    from ._takehome_grade import check_takehome

    check_takehome(spec, params=params, seed=seed)
