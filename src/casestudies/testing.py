"""The scenario contract, runnable by anyone who writes a scenario.

:func:`check_scenario` is a short list of steps, each a small ``check_*``
function below that states the rule it guarantees. A broken rule raises
:class:`ScenarioContractError` naming the scenario, what was expected, what
was received and how to fix it. The checks raise explicitly (no ``assert``),
so they also run under ``python -O``.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.testing import check_scenario
>>> check_scenario(cs.spec("fraud-v1"), params={"n_customers": 300, "n_days": 35})
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.case import Case, host_view, make
from casestudies.core import ScenarioSpec, fingerprint, read_frames, redraw_of, write_case
from casestudies.exceptions import CaseStudiesError
from casestudies.scoring import TOPN_K
from casestudies.takehome import check_takehome

__all__ = [
    "ScenarioContractError",
    "check_redraw",
    "check_scenario",
    "expected_random_average_precision",
    "public_arrays",
]

N_EXAMPLES: Final[int] = 5
"""How many offending values a message quotes: enough to recognise the pattern, short enough to read."""

NEAR_WIDENING: Final[float] = 1.7
"""Widens a 95 % interval (±1.96 SE) to about ±3.3 SE, a 99.9 % one: the contract runs on every scenario and
seed, so a check that fails 1 time in 20 by chance would be noise."""

SEEDING_HINT: Final[str] = (
    "Draw every random number from the generator's `rng` argument: never from np.random, random, the clock, "
    "a fixed seed or state kept between calls."
)


class ScenarioContractError(CaseStudiesError, AssertionError):
    """A scenario breaks a rule of the scenario contract (see :func:`check_scenario`).

    It refines ``AssertionError``, so code written for the earlier
    ``assert``-based contract (``pytest.raises(AssertionError)``) keeps
    working, but it is raised explicitly: ``python -O`` keeps the checks.

    Parameters
    ----------
    scenario_id : str
        The scenario that breaks the rule.
    rule : str
        The broken rule, in a few words ("same seed gave different data").
    expected : str
        What the contract requires.
    received : str
        What the scenario gave.
    hint : str
        How to fix the scenario.

    Examples
    --------
    >>> error = ScenarioContractError(
    ...     "toy-v1", "train and test share ids", expected="disjoint ids", received="3 shared", hint="Number rows once."
    ... )
    >>> print(error)
    toy-v1: train and test share ids: expected disjoint ids; got 3 shared. Number rows once.
    >>> isinstance(error, AssertionError)
    True
    """

    def __init__(self, scenario_id: str, rule: str, *, expected: str, received: str, hint: str) -> None:
        self.scenario_id = scenario_id
        self.rule = rule
        self.expected = expected
        self.received = received
        self.hint = hint
        super().__init__(f"{scenario_id}: {rule}: expected {expected}; got {received}. {hint}")

    def __reduce__(self) -> tuple[object, ...]:
        # The keyword-only fields are not in ``args``; rebuild from the data so the error survives pickling.
        fields = (self.scenario_id, self.rule, self.expected, self.received, self.hint)
        return (_rebuild_contract_error, (type(self), *fields))


def _rebuild_contract_error(
    cls: type[ScenarioContractError], scenario_id: str, rule: str, expected: str, received: str, hint: str
) -> ScenarioContractError:
    return cls(scenario_id, rule, expected=expected, received=received, hint=hint)


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


def check_scenario(spec: ScenarioSpec, *, params: Mapping[str, object] | None = None, seed: int = 0) -> None:
    """Check that a scenario honours the contract every scenario must meet.

    Checks: same seed gives identical data and holdout, another seed other
    data; train and test share columns and dtypes, the test has no target;
    ids are unique and disjoint between train and test; no public attribute
    holds the holdout labels; scoring the true probabilities reproduces the
    oracle row; a random predictor scores an average precision (binary),
    RMSE (rating) or precision@10 (top-N) whose interval contains its exact
    expectation; the spec round-trips through ``to_dict``; exported files
    round-trip to the same fingerprint and hold no labels; a take-home bundle round-trips (``check_takehome``, for
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
    ScenarioContractError
        Naming the first broken rule (it is also an ``AssertionError``).
    RegistrationError
        If ``make`` already rejects what the generator returns (missing
        columns, truth of the wrong length, ids repeating across train and
        test).
    """
    params = dict(params or {})
    check_spec_round_trip(spec)
    case = make(spec.id, seed=seed, **params)
    again = make(spec.id, seed=seed, **params)
    other = make(spec.id, seed=seed + 1, **params)
    check_same_seed_same_data(case, again)
    check_other_seed_other_data(case, other)
    check_columns(case)
    check_target_values(case)
    check_ids(case)
    revealed = case.reveal()
    check_holdout_alignment(case, revealed)
    labels = revealed[host_view(case).task.label_name(case.target)].to_numpy()
    check_no_label_leak(case, labels)
    check_truth_range(case, revealed)
    check_oracle_row(case, revealed)
    check_random_predictor(case, labels, np.random.default_rng(seed))
    check_export(case, labels)
    if spec.redraw:
        check_redraw(case, revealed)

    check_takehome(spec, params=params, seed=seed)


# -- determinism -------------------------------------------------------------------------------------------------------


def check_spec_round_trip(spec: ScenarioSpec) -> None:
    """``ScenarioSpec.from_dict(spec.to_dict())`` gives back ``spec``, so specs can be stored as TOML or JSON."""
    back = ScenarioSpec.from_dict(spec.to_dict())
    if back != spec:
        changed = [
            field.name for field in dataclasses.fields(spec) if getattr(back, field.name) != getattr(spec, field.name)
        ]
        raise ScenarioContractError(
            spec.id,
            "spec does not round-trip through to_dict()",
            expected="ScenarioSpec.from_dict(spec.to_dict()) == spec",
            received=f"the fields {changed} changed",
            hint="Give every field plain JSON-like values (str, numbers, lists, dicts) that from_dict() rebuilds.",
        )


def check_same_seed_same_data(case: Case, again: Case) -> None:
    """Two ``make`` calls with the same seed give identical public data and an identical holdout."""
    where = f"make({case.id!r}, seed={case.seed})"
    if case.fingerprint != again.fingerprint:
        raise ScenarioContractError(
            case.id,
            "same seed gave different data",
            expected=f"{where} twice to give the same data",
            received=f"the fingerprints {case.fingerprint[:12]} then {again.fingerprint[:12]}",
            hint=SEEDING_HINT,
        )
    first, second = case.reveal(), again.reveal()
    if not first.equals(second):
        differing = [c for c in first.columns if c not in second.columns or not first[c].equals(second[c])]
        raise ScenarioContractError(
            case.id,
            "same seed gave a different holdout",
            expected=f"{where} twice to give the same reveal() frame",
            received=f"differences in the columns {differing}",
            hint=SEEDING_HINT,
        )


def check_other_seed_other_data(case: Case, other: Case) -> None:
    """Another seed gives other public data: the generator draws from the ``rng`` it is given."""
    if case.fingerprint == other.fingerprint:
        raise ScenarioContractError(
            case.id,
            "another seed gave the same data",
            expected=f"seeds {case.seed} and {other.seed} to give different data",
            received=f"the fingerprint {case.fingerprint[:12]} for both",
            hint=SEEDING_HINT,
        )


# -- columns, values and ids -------------------------------------------------------------------------------------------


def check_columns(case: Case) -> None:
    """The target is in train only; the test has the training features (a subset for top-N), of the same dtypes."""
    train, test, target = case.train, case.test, case.target
    if target not in train.columns or target in test.columns:
        raise ScenarioContractError(
            case.id,
            "target must be in train only",
            expected=f"the target {target!r} in train and not in test",
            received=f"in train: {target in train.columns}, in test: {target in test.columns}",
            hint="Return the target column in ScenarioData.train; the task removes it from the public test.",
        )
    if case.spec.task == "topn":
        extra = [c for c in test.columns if c not in train.columns]
        if extra:
            raise ScenarioContractError(
                case.id,
                "test columns must be training columns",
                expected="every test column among the training columns",
                received=f"the test-only columns {extra}",
                hint="Name each test column after the training column it matches, or drop it.",
            )
    else:
        features = [c for c in train.columns if c != target]
        if list(test.columns) != features:
            raise ScenarioContractError(
                case.id,
                "train and test columns differ",
                expected=f"the test columns {features}",
                received=f"{list(test.columns)}",
                hint="Give train and test the same columns in the same order (the task removes the target).",
            )
    mismatched = [c for c in test.columns if test[c].dtype != train[c].dtype]
    if mismatched:
        described = [f"{c!r} is {train[c].dtype} in train, {test[c].dtype} in test" for c in mismatched]
        raise ScenarioContractError(
            case.id,
            f"dtypes differ between train and test for {mismatched}",
            expected="each test column of its training dtype",
            received="; ".join(described[:N_EXAMPLES]),
            hint="Build one frame and split it into train and test, or cast the test columns to the training dtypes.",
        )
    unknown = sorted({c for columns in case.spec.reveals.values() for c in columns} - set(test.columns))
    if unknown:
        raise ScenarioContractError(
            case.id,
            "the spec's [reveals] names columns the data does not have",
            expected=f"columns among {list(test.columns)}",
            received=f"{unknown}",
            hint="Name in each [reveals] list only observed columns of the test data.",
        )


def check_target_values(case: Case) -> None:
    """A binary target holds only 0 and 1; a rating target only whole stars 1 to 5; a regression target finite
    numbers."""
    if case.spec.task == "regression":
        _check_finite_target(case)
        return
    if case.spec.task == "binary":
        allowed, rule, hint = {0, 1}, "binary target must be 0/1", "Encode the positive class as 1, the other as 0."
    else:
        allowed, rule, hint = {1, 2, 3, 4, 5}, "ratings must be 1..5 stars", "Round and clip ratings to whole stars."
    unexpected = [value for value in np.unique(case.train[case.target]) if value not in allowed]
    if unexpected:
        raise ScenarioContractError(
            case.id,
            rule,
            expected=f"{case.target!r} values in {sorted(allowed)}",
            received=f"also {[_plain(v) for v in unexpected[:N_EXAMPLES]]}",
            hint=hint,
        )


def _check_finite_target(case: Case) -> None:
    values = pd.to_numeric(case.train[case.target], errors="coerce").to_numpy(dtype=np.float64)
    bad = case.train[case.target][~np.isfinite(values)]
    if len(bad):
        raise ScenarioContractError(
            case.id,
            "regression target must be finite numbers",
            expected=f"{case.target!r} values that are finite numbers",
            received=f"{len(bad)} others, such as {_examples(bad.to_numpy())}",
            hint="Drop or impute rows without a target, and store it as a float column.",
        )


def check_ids(case: Case) -> None:
    """Ids are unique and train and test share none (top-N: one test row per user, each a training user)."""
    id_column = case.id_column
    train_ids, test_ids = case.train[id_column], case.test[id_column]
    if case.spec.task == "topn":
        _require_unique(case, test_ids, rule="test users repeat", where="the test")
        absent = test_ids[~test_ids.isin(set(train_ids))].unique()
        if len(absent):
            raise ScenarioContractError(
                case.id,
                "test users must appear in train",
                expected=f"every test {id_column!r} among the training ones",
                received=f"{len(absent)} absent from train, such as {_examples(absent)}",
                hint="Recommend only for users with training ratings.",
            )
        return
    _require_unique(case, train_ids, rule="ids repeat", where="train")
    _require_unique(case, test_ids, rule="ids repeat", where="the test")
    shared = test_ids[test_ids.isin(set(train_ids))].unique()
    if len(shared):
        raise ScenarioContractError(
            case.id,
            "train and test share ids",
            expected=f"no {id_column!r} in both train and test",
            received=f"{len(shared)} in both, such as {_examples(shared)}",
            hint="Number the rows once over all the data, then split it.",
        )


def _require_unique(case: Case, ids: pd.Series, *, rule: str, where: str) -> None:
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        raise ScenarioContractError(
            case.id,
            rule,
            expected=f"each {case.id_column!r} once in {where}",
            received=f"{len(repeated)} repeated, such as {_examples(repeated)}",
            hint="Number the rows once over all the data, then split it.",
        )


def check_holdout_alignment(case: Case, revealed: pd.DataFrame) -> None:
    """The revealed holdout has one row per test row, with the test's ids in the test's order."""
    test_ids = case.test[case.id_column].to_numpy()
    if len(revealed) != len(test_ids):
        received = f"{len(revealed)} rows"
    else:
        out_of_place = int(np.sum(revealed[case.id_column].to_numpy() != test_ids))
        if not out_of_place:
            return
        received = f"{out_of_place} rows whose {case.id_column!r} differs from the test's"
    raise ScenarioContractError(
        case.id,
        "the holdout does not line up with the test",
        expected=f"{len(test_ids)} holdout rows in the test's {case.id_column!r} order",
        received=received,
        hint="Keep ScenarioData.truth and the test rows in the same order, one truth row per test row.",
    )


# -- labels stay hidden ------------------------------------------------------------------------------------------------


def check_no_label_leak(case: Case, labels: np.ndarray) -> None:
    """No public attribute of the case (frame column, array, mapping entry) equals the holdout labels."""
    leaking = [place for name, value in public_arrays(case).items() for place in _label_places(value, labels, name)]
    if leaking:
        raise ScenarioContractError(
            case.id,
            "public attributes hold the holdout labels",
            expected="no public attribute or column equal to the holdout labels",
            received=f"the labels in {leaking}",
            hint="Drop each such column or table, or compute it without the label: a learner reads everything public.",
        )


def _label_places(value: object, labels: np.ndarray, where: str) -> list[str]:
    """Where in ``value`` the labels sit: ``["test['hint']"]`` for a column of a frame named ``test``."""
    if isinstance(value, pd.DataFrame):
        return [
            place for column in value.columns for place in _label_places(value[column], labels, f"{where}[{column!r}]")
        ]
    if isinstance(value, (pd.Series, np.ndarray)) and len(value) == len(labels):
        array = np.asarray(value)
        if array.dtype.kind in "biuf" and np.array_equal(array.astype(np.float64), labels.astype(np.float64)):
            return [where]
        return []
    if isinstance(value, Mapping):
        return [place for key, item in value.items() for place in _label_places(item, labels, f"{where}[{key!r}]")]
    return []


# -- truth and scores --------------------------------------------------------------------------------------------------

_TRUTH_RANGES: Final[Mapping[str, tuple[str, float, float]]] = MappingProxyType(
    {"binary": ("probability", 0.0, 1.0), "rating": ("expected_rating", 1.0, 5.0)}
)
"""Truth column and its closed range, per task type (top-N truth is a ranking, with no range)."""


def check_truth_range(case: Case, revealed: pd.DataFrame) -> None:
    """True probabilities lie in [0, 1] (binary); true expected ratings in [1, 5] (rating)."""
    if case.spec.task not in _TRUTH_RANGES:
        return
    column, low, high = _TRUTH_RANGES[case.spec.task]
    truth = revealed[column].to_numpy(dtype=np.float64)
    outside = truth[~((truth >= low) & (truth <= high))]
    if len(outside):
        noun = "true probabilities" if case.spec.task == "binary" else "expected ratings"
        raise ScenarioContractError(
            case.id,
            f"{noun} outside [{low:g}, {high:g}]",
            expected=f"truth[{column!r}] within [{low:g}, {high:g}]",
            received=f"{len(outside)} of {len(truth)} outside, such as {_examples(outside)}",
            hint="Return the quantity itself (apply expit, clip), not a score, log-odds or a missing value.",
        )


def check_oracle_row(case: Case, revealed: pd.DataFrame) -> None:
    """Scoring the truth (the task's oracle values) gives exactly the report's oracle row."""
    if case.spec.task == "binary":
        truth: object = revealed["probability"].to_numpy()
    elif case.spec.task == "rating":
        truth = revealed["expected_rating"].to_numpy()
    else:
        truth = host_view(case).oracle().values
    report = case.score(truth)
    scores, oracle = report.submission.scores, report.reference("oracle").scores
    if json.dumps(scores, sort_keys=True) != json.dumps(oracle, sort_keys=True):
        differing = [
            f"{part}/{metric}"
            for part in sorted(set(scores) | set(oracle))
            for metric in sorted(set(scores.get(part, {})) | set(oracle.get(part, {})))
            if json.dumps(scores.get(part, {}).get(metric)) != json.dumps(oracle.get(part, {}).get(metric))
        ]
        raise ScenarioContractError(
            case.id,
            "scoring the truth does not give the oracle row",
            expected="case.score(truth) to equal the oracle row, metric for metric",
            received=f"differences in {differing[:N_EXAMPLES]}",
            hint="Make the task's oracle submit exactly the truth it scores against (casestudies.case.ORACLE_TRUTH).",
        )


def check_random_predictor(case: Case, labels: np.ndarray, rng: np.random.Generator) -> None:
    """A random predictor scores chance: its interval holds the metric's exact expectation for random output.

    Binary: average precision of uniform scores, expectation from
    :func:`expected_random_average_precision`. Rating: RMSE of uniform
    predictions on [1, 5]. Top-N: precision@k of uniformly random unseen
    movies. A failure points at the metric, or at labels it cannot score.
    """
    if case.spec.task == "binary":
        _check_random_binary(case, labels, rng)
    elif case.spec.task == "rating":
        _check_random_rating(case, labels, rng)
    elif case.spec.task == "regression":
        _check_random_regression(case, labels, rng)
    else:
        _check_random_topn(case, labels, rng)


def _check_random_binary(case: Case, labels: np.ndarray, rng: np.random.Generator) -> None:
    random_ap = case.score(rng.random(len(case.test)), baselines=False).submission.scores["all"]["average_precision"]
    expected = expected_random_average_precision(len(labels), int(labels.sum()))
    # Widened like the other tasks' checks: a plain 95 % interval would fail one fresh seed in twenty by chance.
    if not _near(random_ap, expected):
        raise _far_from_chance(
            case,
            "random predictor AP",
            random_ap,
            expected,
            hint="A ranking independent of the labels must score chance; a nan interval means the holdout "
            "has no positive row: put positives in the test split.",
        )


def _check_random_rating(case: Case, labels: np.ndarray, rng: np.random.Generator) -> None:
    # Uniform predictions on [1, 5]: E[(r - x)^2] = (r - 3)^2 + 4/3 for each held-out star r.
    predictions = rng.uniform(1.0, 5.0, size=len(case.test))
    random_rmse = case.score(predictions, baselines=False).submission.scores["all"]["rmse"]
    expected = float(np.sqrt(np.mean((labels - 3.0) ** 2) + 4.0 / 3.0))
    if not _near(random_rmse, expected):
        raise _far_from_chance(
            case,
            "random predictor RMSE",
            random_rmse,
            expected,
            hint="Predictions independent of the ratings must score chance; check the RMSE and the held-out stars.",
        )


def _check_random_regression(case: Case, labels: np.ndarray, rng: np.random.Generator) -> None:
    # Uniform predictions on the training range [a, b]: E[(y - x)^2] = (y - (a + b) / 2)^2 + (b - a)^2 / 12 per row.
    low, high = float(case.train[case.target].min()), float(case.train[case.target].max())
    random_rmse = case.score(rng.uniform(low, high, size=len(case.test)), baselines=False).submission.scores["all"]
    expected = float(np.sqrt(np.mean((labels - (low + high) / 2) ** 2) + (high - low) ** 2 / 12))
    if not _near(random_rmse["rmse"], expected):
        raise _far_from_chance(
            case,
            "random predictor RMSE",
            random_rmse["rmse"],
            expected,
            hint="Predictions independent of the target must score chance; check the RMSE and the held-out targets.",
        )


def _check_random_topn(case: Case, n_relevant: np.ndarray, rng: np.random.Generator) -> None:
    """Uniformly random unseen movies: precision@k's interval must hold its exact expectation."""
    k = int(cast(int, case.spec.scoring.get("k", TOPN_K)))
    n_movies = len(case.tables["movies"])
    train = case.train
    seen: dict[int, set[int]] = {
        int(cast(int, user)): set(train["movie_id"].to_numpy()[positions].tolist())
        for user, positions in train.groupby("user_id").indices.items()
    }
    users = case.test["user_id"].to_numpy()
    rows, n_candidates = [], []
    for user in users:
        candidates = np.setdiff1d(np.arange(1, n_movies + 1), np.fromiter(seen.get(user, set()), dtype=np.int64))
        rows.append(rng.choice(candidates, size=k, replace=False))
        n_candidates.append(len(candidates))
    precision = case.score(np.array(rows), baselines=False).submission.scores["all"]["precision_at_10"]
    expected = float(np.mean(n_relevant / np.array(n_candidates)))
    if not _near(precision, expected):
        raise _far_from_chance(
            case,
            "random recommender precision",
            precision,
            expected,
            hint="Random unseen movies must score chance; check precision@k and the held-out relevant movies.",
        )


def _far_from_chance(
    case: Case, what: str, interval: Mapping[str, float], expected: float, *, hint: str
) -> ScenarioContractError:
    return ScenarioContractError(
        case.id,
        f"{what} far from its expectation",
        expected=f"an interval holding the exact expectation {expected:.4f}",
        received=f"{interval['estimate']:.4f} in [{interval['low']:.4f}, {interval['high']:.4f}]",
        hint=hint,
    )


def _near(interval: Mapping[str, float], expected: float) -> bool:
    """Within about 3.3 standard errors (a 99.9 % interval widened from the 95 % one)."""
    half = NEAR_WIDENING * (interval["high"] - interval["low"]) / 2
    return abs(interval["estimate"] - expected) <= half


# -- export ------------------------------------------------------------------------------------------------------------


def check_export(case: Case, labels: np.ndarray) -> None:
    """Exported files hold no target or labels; Parquet round-trips to the fingerprint, CSV keeps every row."""
    with tempfile.TemporaryDirectory() as folder:
        for file_format in ("parquet", "csv"):
            write_case(case, folder, format=file_format)
            train_back, test_back = read_frames(folder, format=file_format)
            _check_exported_test(case, test_back, labels, file_format)
            if file_format == "parquet":
                _check_parquet_round_trip(case, train_back, test_back)
            elif len(train_back) != len(case.train) or len(test_back) != len(case.test):
                raise ScenarioContractError(
                    case.id,
                    "CSV export lost rows",
                    expected=f"{len(case.train)} train and {len(case.test)} test rows",
                    received=f"{len(train_back)} and {len(test_back)}",
                    hint="Keep text values free of unquoted newlines and separators, so every row reads back.",
                )


def _check_exported_test(case: Case, test_back: pd.DataFrame, labels: np.ndarray, file_format: str) -> None:
    """The exported test file is the public test: no target column, no column equal to the labels."""
    hint = "Export the public test (case.test), never the holdout frame."
    if case.target in test_back.columns:
        raise ScenarioContractError(
            case.id,
            "exported test holds the target",
            expected=f"no {case.target!r} column in the {file_format} test file",
            received=f"the columns {list(test_back.columns)}",
            hint=hint,
        )
    leaking = _label_places(test_back, labels, "test")
    if leaking:
        raise ScenarioContractError(
            case.id,
            "exported test holds the holdout labels",
            expected=f"no column of the {file_format} test file equal to the holdout labels",
            received=f"the labels in {leaking}",
            hint=hint,
        )


def _check_parquet_round_trip(case: Case, train_back: pd.DataFrame, test_back: pd.DataFrame) -> None:
    """Parquet files read back to exactly the case's data (same fingerprint)."""
    back = fingerprint(train_back, test_back, *case.tables.values())
    if back != case.fingerprint:
        raise ScenarioContractError(
            case.id,
            "Parquet export does not round-trip",
            expected=f"files that read back to the fingerprint {case.fingerprint[:12]}",
            received=f"{back[:12]}",
            hint="Use string column names and dtypes Parquet stores exactly (no mixed-type object columns).",
        )


def _examples(values: Sequence[object] | np.ndarray) -> str:
    """The first few values, as plain Python values: ``[3, 7, …]``, not ``[np.int64(3), np.int64(7)]``."""
    shown = [repr(_plain(value)) for value in list(values)[:N_EXAMPLES]]
    return "[" + ", ".join(shown + (["…"] if len(values) > N_EXAMPLES else [])) + "]"


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds; a float to 4 significant digits."""
    plain = value.item() if isinstance(value, np.generic) else value
    return float(f"{plain:.4g}") if isinstance(plain, float) else plain


# -- the redraw contract (the bias-variance lab) -----------------------------------------------------------------------

_TRUTH_COLUMNS: Final[Mapping[str, str]] = MappingProxyType({"binary": "probability", "regression": "expected"})
"""The holdout truth column a scenario's ``truth`` function must reproduce on the case's own test rows."""


def _redraw_error(case: Case, rule: str, expected: str, received: str) -> ScenarioContractError:
    hint = (
        "redraw(params, seed, draw, n_rows) must rebuild the world of make(id, seed=seed, **params) from "
        "casestudies.core.data_seed(seed) and draw new rows from casestudies.core.redraw_seed(seed, draw)."
    )
    return ScenarioContractError(case.id, rule, expected=expected, received=received, hint=hint)


def check_redraw(case: Case, revealed: pd.DataFrame) -> None:
    """A redraw shares the case's world and not its rows; the truth agrees with the case and the redrawn labels.

    Same draw twice gives the same frame; two draws differ; a redraw has the
    training frame's columns and dtypes and shares no feature row (all
    columns but the id and the label) with ``case.train``; ``truth`` on the
    case's test rows is the holdout truth ``make`` revealed; and the labels of
    a redraw are calibrated against ``truth`` on it: ``sum(y - mean)`` within
    about 3.3 standard errors ``sqrt(sum(noise_var))`` of 0.
    """
    redraw, truth = redraw_of(case.spec, where=f"check_redraw({case.id!r})")
    params, seed = dict(case.params), case.seed
    first, again, second = redraw(params, seed, 0, None), redraw(params, seed, 0, None), redraw(params, seed, 1, None)
    if not first.equals(again):
        raise _redraw_error(
            case, "same redraw gave different data", "redraw(params, seed, 0) twice equal", "two frames"
        )
    columns = {str(c): str(t) for c, t in case.train.dtypes.items()}
    if {str(c): str(t) for c, t in first.dtypes.items()} != columns:
        received = str({str(c): str(t) for c, t in first.dtypes.items()})
        raise _redraw_error(
            case, "redraw has other columns", f"the columns and dtypes of case.train {columns}", received
        )
    features = [c for c in case.train.columns if c not in (case.id_column, case.target)]
    row_hashes = pd.util.hash_pandas_object(first[features], index=False)
    shared = int(row_hashes.isin(pd.util.hash_pandas_object(case.train[features], index=False)).sum())
    if first[features].equals(second[features]) or shared > len(first) // 100:
        received = f"{shared} of {len(first)} feature rows shared with case.train, or draws 0 and 1 equal"
        raise _redraw_error(case, "redraw repeats rows", "new rows, other in every draw", received)
    column = _TRUTH_COLUMNS.get(case.spec.task)
    mean, noise = (np.asarray(v, dtype=np.float64) for v in truth(params, seed, case.test))
    if column in revealed.columns and not np.allclose(mean, revealed[column].to_numpy(dtype=np.float64)):
        differing = int((~np.isclose(mean, revealed[column].to_numpy(dtype=np.float64))).sum())
        received = f"{differing} of {len(mean)} test rows differ"
        raise _redraw_error(
            case, "truth disagrees with make", f"truth(params, seed, case.test) == reveal()[{column!r}]", received
        )
    mean, noise = (np.asarray(v, dtype=np.float64) for v in truth(params, seed, first))
    residual = float(np.sum(first[case.target].to_numpy(dtype=np.float64) - mean))
    se = float(np.sqrt(np.sum(noise)))
    if not abs(residual) <= NEAR_WIDENING * 1.96 * se:
        received = f"sum(y - mean) = {residual:.2f}, {abs(residual) / se if se else float('inf'):.1f} standard errors"
        raise _redraw_error(
            case, "redrawn labels do not follow the truth", "labels calibrated against truth()", received
        )
