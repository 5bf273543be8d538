"""The redraw contract on fraud and overfit: a redraw shares the case's world, not its rows; the truth agrees."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import casestudies as cs
import casestudies.testing as contract
from casestudies.core import data_seed, redraw_of, redrawable
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.fraud import _redraw as fraud_redraw
from casestudies.scenarios.fraud._simulator import generate as fraud_generate
from casestudies.scenarios.overfit import _redraw as overfit_redraw
from casestudies.testing import ScenarioContractError, check_redraw

FRAUD = {"n_customers": 300, "n_days": 35}


def test_fraud_and_every_overfit_preset_declare_a_redraw() -> None:
    able = redrawable()
    assert "fraud-v1" in able
    assert {s for s in cs.registry() if s.startswith("overfit-")} <= set(able)
    assert "movies-rating-v1" not in able and "plugin-toy-v1" not in able


@pytest.mark.parametrize(
    ("scenario_id", "params"),
    [
        ("fraud-v1", FRAUD),
        pytest.param("overfit-v1", {"n_test": 300}, marks=pytest.mark.slow),
        pytest.param("overfit-all-v1", {"n_train": 400, "n_noise_features": 50, "n_test": 400}, marks=pytest.mark.slow),
        pytest.param("overfit-random-v1", {"n_test": 300}, marks=pytest.mark.slow),
    ],
)
def test_redraw_contract_holds(scenario_id: str, params: Mapping[str, object]) -> None:
    for seed in (0, 1):
        case = cs.make(scenario_id, seed=seed, **params)
        check_redraw(case, case.reveal())


def _pairs(frame: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(frame["customer_id"].to_numpy().tolist(), frame["terminal_id"].to_numpy().tolist(), strict=True))


def test_fraud_redraw_keeps_customers_terminals_and_compromise_schedule() -> None:
    case = cs.make("fraud-v1", seed=4, **FRAUD)
    same = fraud_redraw.redraw(case.params, 4, 0)
    other = fraud_redraw.redraw(case.params, 5, 0)  # the world of another seed
    # Customers keep paying at their usual terminals (96 % of in-store payments go to 8 usual shops, 80 % of online
    # ones to 4 favourite merchants): over half of a redraw's distinct (customer, terminal) pairs occur in the case's
    # log (0.56 at this seed), almost none of another world's.
    seen = _pairs(case.train)
    recurring_same = np.mean([pair in seen for pair in _pairs(same)])
    recurring_other = np.mean([pair in seen for pair in _pairs(other)])
    assert recurring_same > 0.4 and recurring_other < 0.1
    # The skimmed terminals are the case's: compare the terminals with compromised_terminal rows in the training days.
    data = fraud_generate(dict(case.params), np.random.default_rng(data_seed(4)))
    assert data.train_truth is not None
    skimmed = set(data.train.loc[data.train_truth["mechanism"] == "compromised_terminal", "terminal_id"].tolist())
    _, labelled, _ = fraud_redraw._redrawn_log(case.params, 4, 0)
    mechanism = labelled.log.mechanism
    redrawn = set(labelled.log.terminal[mechanism == 1].tolist())  # MECHANISMS.index("compromised_terminal")
    assert skimmed and len(skimmed & redrawn) >= 0.8 * len(skimmed)
    # ... and the rows are new: no transaction of the redraw is one of the case's
    assert not same["transaction_id"].isin(case.train["transaction_id"]).any()
    assert (
        not same[["timestamp", "customer_id", "amount"]].merge(case.train[["timestamp", "customer_id", "amount"]]).size
    )


def test_fraud_truth_is_the_simulators_probability_of_every_known_row() -> None:
    case = cs.make("fraud-v1", seed=2, **FRAUD)
    p, noise = fraud_redraw.truth(case.params, 2, case.test)
    assert np.array_equal(p, case.reveal()["probability"].to_numpy())
    assert np.allclose(noise, p * (1 - p))
    fresh = fraud_redraw.redraw(case.params, 2, 3, 2_000)
    p_fresh, _ = fraud_redraw.truth(case.params, 2, fresh)
    _, labelled, _ = fraud_redraw._redrawn_log(case.params, 2, 3)
    assert np.array_equal(p_fresh, labelled.log.probability[:2_000])
    assert len(fresh) == 2_000 and fresh["timestamp"].is_monotonic_increasing
    with pytest.raises(InvalidParameterError, match="belong to no row of the case"):
        fraud_redraw.truth(case.params, 2, case.test.assign(transaction_id=case.test["transaction_id"] + 10**9))
    with pytest.raises(InvalidParameterError, match="asks for more transactions than draw 0 holds"):
        fraud_redraw.redraw(case.params, 2, 0, 10**7)


def test_overfit_redraw_is_a_training_extract_of_the_same_world() -> None:
    # Leakage and label noise belong to the training extract: a redraw has them, the holdout does not.
    case = cs.make("overfit-leaky-v1", seed=1, n_train=600, n_test=600)
    leak = case.reveal("world")["faults"]["target_leakage"]["columns"][0]
    fresh = overfit_redraw.redraw(case.params, 1, 0, 3_000)
    assert list(fresh.columns) == list(case.train.columns)
    labels = case.reveal()["churned"]
    assert roc_auc_score(fresh["churned"], fresh[leak]) > 0.9  # written from the recorded label, as in train
    assert abs(roc_auc_score(labels, case.test[leak]) - 0.5) < 0.1
    # With label noise the recorded labels' rate follows (1 - noise) p + noise * rate, not p.
    noisy = cs.make("overfit-v1", seed=1, n_test=300, label_noise=0.6, n_noise_features=5)
    big = overfit_redraw.redraw(noisy.params, 1, 0, 20_000)
    mean, variance = overfit_redraw.truth(noisy.params, 1, big)
    clean = overfit_redraw.truth(dict(noisy.params, label_noise=0.0), 1, big)[0]
    likely = clean > 0.6  # where p and the noisy-label probability differ most (0.6 p + ... is far below p)
    y = big["churned"].to_numpy()[likely]
    z_noisy = float((y - mean[likely]).sum() / np.sqrt(variance[likely].sum()))
    z_clean = float((y - clean[likely]).sum() / np.sqrt((clean * (1 - clean))[likely].sum()))
    assert abs(z_noisy) < 3.3 and z_clean < -5


def _broken(
    case: cs.Case, *, rows: str = "", truth_shift: float = 0.0
) -> tuple[object, object]:  # fmt: skip
    redraw, truth = redraw_of(case.spec, where="test")

    def bad_redraw(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None) -> pd.DataFrame:
        if rows == "case":
            return case.train.copy()
        frame = redraw(params, seed, draw, n_rows)
        if rows == "labels":
            frame[case.target] = 1 - frame[case.target]
        return frame

    def bad_truth(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        mean, noise = truth(params, seed, frame)
        return np.clip(mean + truth_shift, 0, 1), noise

    return bad_redraw, bad_truth


@pytest.mark.parametrize(
    ("breakage", "rule"),
    [
        ({"rows": "case"}, "redraw repeats rows"),
        ({"truth_shift": 0.05}, "truth disagrees with make"),
        ({"rows": "labels"}, "redrawn labels do not follow the truth"),
    ],
)
def test_check_redraw_catches_a_broken_redraw(
    monkeypatch: pytest.MonkeyPatch, breakage: Mapping[str, object], rule: str
) -> None:
    case = cs.make("overfit-v1", seed=0, n_test=300, n_noise_features=10)
    functions = _broken(case, **breakage)  # type: ignore[arg-type]
    monkeypatch.setattr(contract, "redraw_of", lambda spec, where: functions)
    with pytest.raises(ScenarioContractError, match=rule):
        check_redraw(case, case.reveal())
