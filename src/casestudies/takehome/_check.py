"""What the scenario contract checks of a written take-home, before grading it.

:func:`check_bundle` asserts that a candidate's bundle holds no label, seed
or key material, that its manifest's commitment verifies against the key,
and that ids and test row order rank the holdout at chance
(``_check_chance``); :func:`bundle_truth` is the submission a perfect
candidate would hand in, which must grade exactly as the oracle.
:func:`casestudies.takehome._grade.check_takehome` runs the round trip.

The checks raise :class:`AssertionError` themselves (rather than ``assert``),
so they still run under ``python -O``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from casestudies.case import host_view
from casestudies.core import ScenarioSpec
from casestudies.core import spec as _spec
from casestudies.scoring import Task
from casestudies.takehome._layout import (
    ANSWER_KEY_FILE,
    DATA_DIR,
    MANIFEST_FILE,
    SECRET_FILE,
    candidate_key_dir,
)
from casestudies.takehome._variant import commitment
from casestudies.takehome._verify import regenerate

CHANCE_BOUND: Final = 4.5
"""Standard errors from chance that an id or row-order ranking may reach: a false alarm once in ~150,000 checks."""
_MIN_RANKED: Final = 3  # fewer values than this have no meaningful rank correlation


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _rank_auc(labels: np.ndarray, values: np.ndarray) -> float:
    """ROC-AUC of ranking by ``values`` (ties count 1/2)."""
    ranks = pd.Series(values).rank(method="average").to_numpy()
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _rank_correlation(labels: np.ndarray, values: np.ndarray) -> float:
    """Spearman correlation of ``labels`` and ``values`` (average ranks for ties); NaN when either is constant."""
    a = pd.Series(labels).rank(method="average").to_numpy()
    b = pd.Series(values).rank(method="average").to_numpy()
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _check_chance(spec_id: str, task: str, test: pd.DataFrame, labels: np.ndarray, id_column: str) -> None:
    """Ids and row order of the bundle's test file rank the holdout at chance.

    Binary labels: ROC-AUC of ranking by ids or by row position within 4.5 standard errors of 0.5.
    Ratings and top-N (graded, not binary, labels): ROC-AUC is undefined, so the analogue is the Spearman
    correlation of the labels (held-out stars; relevant movies per user) with the ids or the row position,
    within 4.5 null standard errors (1/sqrt(n - 1)) of 0. User and movie ids are tested at the level of
    users and movies (their mean label), since one user's rows share that user's taste.

    Raises
    ------
    AssertionError
        Naming the ranking that is not at chance.
    """
    if task == "binary":
        _check_binary_chance(spec_id, test, labels, id_column)
        return
    checks: list[tuple[str, np.ndarray, np.ndarray]] = [
        (f"ids ({id_column})", test[id_column].to_numpy(), labels),
        ("row order", np.arange(len(test)), labels),
    ]
    for column in ("user_id", "movie_id"):
        if column in test.columns and column != id_column:
            means = pd.Series(labels.astype(np.float64)).groupby(test[column].to_numpy()).mean()
            checks.append((f"{column} (per {column[:-3]})", means.index.to_numpy(), means.to_numpy()))
    for what, values, target in checks:
        if len(target) < _MIN_RANKED:
            continue
        rho = _rank_correlation(target, values)
        bound = CHANCE_BOUND / math.sqrt(len(target) - 1)
        _require(
            not math.isfinite(rho) or abs(rho) <= bound,
            f"{spec_id}: ranking by {what} correlates with the holdout labels "
            f"(Spearman {rho:.3f}, chance 0 +/- {bound:.3f})",
        )


def _check_binary_chance(spec_id: str, test: pd.DataFrame, labels: np.ndarray, id_column: str) -> None:
    if not 0 < labels.sum() < len(labels):
        return
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    bound = CHANCE_BOUND * math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))
    for what, values in (("ids", test[id_column].to_numpy()), ("row order", np.arange(len(test)))):
        auc = _rank_auc(labels, values)
        _require(
            abs(auc - 0.5) <= bound,
            f"{spec_id}: ranking by {what} gives ROC-AUC {auc:.3f}, not chance (0.5 +/- {bound:.3f})",
        )


def check_bundle(spec: ScenarioSpec, task: Task, bundle: Path, key_folder: Path, candidate: str) -> None:
    """One candidate's bundle: commitment, no key material, no labels, ids and row order at chance.

    Raises
    ------
    AssertionError
        Naming the first broken rule.
    """
    folder = candidate_key_dir(key_folder, candidate)
    record = json.loads((folder / SECRET_FILE).read_text())
    answer = pd.read_parquet(folder / ANSWER_KEY_FILE)
    labels = answer[task.label_name(str(record["target"]))].to_numpy()
    manifest = json.loads((bundle / MANIFEST_FILE).read_text())
    _require(
        manifest["answer_key_commitment"] == record["commitment"] == commitment(record),
        f"{spec.id}: the manifest's commitment does not verify against the key",
    )
    secrets_text = [str(record["variant_seed"]), str(record["id_key"]), str(record["salt"])]
    for path in sorted(bundle.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            leaked = [text for text in secrets_text if text.encode() in content]
            _require(not leaked, f"{spec.id}: {path.name} of the bundle holds key material")
    test = pd.read_parquet(bundle / DATA_DIR / "test.parquet")
    _require(record["target"] not in test.columns, f"{spec.id}: the bundle's test file holds the target")
    _require(
        bool((test[record["id_column"]].to_numpy() == answer[record["id_column"]].to_numpy()).all()),
        f"{spec.id}: answer key and test rows disagree",
    )
    for column in test.columns:
        values = test[column].to_numpy()
        _require(
            not (values.dtype.kind in "biuf" and np.array_equal(values.astype(np.float64), labels.astype(np.float64))),
            f"{spec.id}: test column {column!r} equals the labels",
        )
    _check_chance(spec.id, spec.task, test, labels, str(record["id_column"]))


def bundle_truth(key_folder: Path, candidate: str) -> pd.DataFrame:
    """The oracle's submission in the candidate's bundle ids (what a perfect candidate would hand in)."""
    folder = candidate_key_dir(key_folder, candidate)
    record = json.loads((folder / SECRET_FILE).read_text(encoding="utf-8"))
    answer = pd.read_parquet(folder / ANSWER_KEY_FILE)
    spec = _spec(str(record["scenario_id"]))
    id_column = str(record["id_column"])
    truth: pd.DataFrame
    if spec.task == "binary":
        truth = pd.DataFrame({id_column: answer[id_column], "prediction": answer["probability"]})
    elif spec.task == "rating":
        truth = pd.DataFrame(
            {"user_id": answer["user_id"], "movie_id": answer["movie_id"], "rating": answer["expected_rating"]}
        )
    elif spec.task == "regression":
        bounds = [column for column in ("lower", "upper") if column in answer.columns]
        truth = pd.DataFrame({id_column: answer[id_column], "prediction": answer["expected"]})
        truth = truth.assign(**{column: answer[column] for column in bounds})
    else:
        case, hidden = regenerate(record)
        source, bundle = hidden.entity_ids["movie_id"]
        movies = np.asarray(host_view(case).oracle().values)
        mapped = bundle[pd.Index(source).get_indexer(movies.ravel())].reshape(movies.shape)
        k = movies.shape[1]
        truth = pd.DataFrame(
            {
                "user_id": np.repeat(hidden.test_ids, k),
                "movie_id": mapped.ravel(),
                "rank": np.tile(np.arange(1, k + 1), len(movies)),
            }
        )
    return truth
