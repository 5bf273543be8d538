"""Realism and contract checks of the fraud-v1 simulator, at fixed seeds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import TargetEncoder
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

import casestudies as cs
from casestudies.core._data import ScenarioData
from casestudies.scenarios.fraud import (
    CATEGORIES,
    CHANNELS,
    MECHANISMS,
    TransactionFeatures,
    expert_pipeline,
    simple_baseline,
)
from casestudies.scenarios.fraud._simulator import generate

DEFAULTS = cs.spec("fraud-v1").defaults
SEED = 7


def _make(seed: int = SEED, **overrides: object) -> ScenarioData:
    return generate({**DEFAULTS, **overrides}, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def data() -> ScenarioData:
    return _make()


@pytest.fixture(scope="module")
def features(data: ScenarioData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Engineered features of train (fit_transform) and test rows."""
    X = data.train.drop(columns="is_fraud")
    transformer = TransactionFeatures().fit(X, data.train["is_fraud"])
    return transformer.transform(X), transformer.transform(data.test.drop(columns="is_fraud"))


@pytest.fixture(scope="module")
def scores(data: ScenarioData, features: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, float]:
    """Average precision of the reference models, fitted once."""
    y, y_test = data.train["is_fraud"], data.test["is_fraud"]
    X, X_test = data.train.drop(columns="is_fraud"), data.test.drop(columns="is_fraud")
    f_train, f_test = features
    tree = DecisionTreeClassifier(random_state=0).fit(f_train, y)
    lr = simple_baseline().fit(X, y).predict_proba(X_test)[:, 1]
    lgbm = expert_pipeline().fit(X, y).predict_proba(X_test)[:, 1]
    return {
        "tree_train": average_precision_score(y, tree.predict_proba(f_train)[:, 1]),
        "tree": average_precision_score(y_test, tree.predict_proba(f_test)[:, 1]),
        "lr": average_precision_score(y_test, lr),
        "lgbm": average_precision_score(y_test, lgbm),
        "lgbm_auc": roc_auc_score(y_test, lgbm),
        "oracle": average_precision_score(y_test, data.truth["probability"]),
        "oracle_auc": roc_auc_score(y_test, data.truth["probability"]),
    }


# -- contract ---------------------------------------------------------------


def test_spec_declares_every_parameter_with_bounds() -> None:
    for name, declared in cs.spec("fraud-v1").parameters.items():
        assert declared.help, name
        if declared.type in {"int", "float"}:
            assert declared.min is not None and declared.max is not None, name
            assert declared.min <= declared.default <= declared.max, name  # type: ignore[operator]


def test_same_seed_same_frames_other_seed_other_frames(data: ScenarioData) -> None:
    again = _make()
    for name in ("train", "test", "truth", "train_truth"):
        frame, other = getattr(data, name), getattr(again, name)
        assert frame.equals(other) and (frame.dtypes == other.dtypes).all()
    assert dict(data.info) == dict(again.info)
    assert not _make(seed=SEED + 1).train.equals(data.train)


def test_frames_schema(data: ScenarioData) -> None:
    dtypes = {
        "transaction_id": "int64",
        "timestamp": "datetime64[ns]",
        "customer_id": "int64",
        "terminal_id": "int64",
        "amount": "float64",
        "is_fraud": "int8",
    }
    for frame in (data.train, data.test):
        assert list(frame.columns) == [
            "transaction_id", "timestamp", "customer_id", "terminal_id",
            "amount", "merchant_category", "channel", "is_fraud",
        ]  # fmt: skip
        assert {c: str(frame[c].dtype) for c in dtypes} == dtypes
        assert list(frame["merchant_category"].cat.categories) == list(CATEGORIES)
        assert list(frame["channel"].cat.categories) == list(CHANNELS)
        assert frame["timestamp"].is_monotonic_increasing
        assert set(frame["is_fraud"].unique()) == {0, 1}
    assert (data.target, data.id_column) == ("is_fraud", "transaction_id")
    assert data.cost_column == "amount"
    assert data.oracle_observable is False
    ids = pd.concat([data.train["transaction_id"], data.test["transaction_id"]])
    assert ids.is_unique


def test_truth_is_aligned_and_labels_are_stochastic(data: ScenarioData) -> None:
    for frame, truth in ((data.train, data.train_truth), (data.test, data.truth)):
        assert truth is not None and len(truth) == len(frame)
        assert list(truth["mechanism"].cat.categories) == list(MECHANISMS)
        assert truth["probability"].between(0, 1).all()
    truth = data.train_truth
    assert truth is not None
    mechanism, label = truth["mechanism"].to_numpy(), data.train["is_fraud"].to_numpy()
    assert set(mechanism) == set(MECHANISMS)
    assert label[mechanism == "none"].sum() > 0  # a few genuine payments disputed
    assert (label[mechanism != "none"] == 0).any()  # not every fraud reported
    # Labels are Bernoulli(probability): the totals agree within 4 standard errors.
    p = truth["probability"].to_numpy()
    assert abs(label.sum() - p.sum()) < 4 * np.sqrt(np.sum(p * (1 - p)))


def test_gap_between_train_and_test_is_the_label_delay(data: ScenarioData) -> None:
    gap = data.test["timestamp"].min() - data.train["timestamp"].max()
    assert gap >= pd.Timedelta(days=DEFAULTS["label_delay_days"])
    assert gap < pd.Timedelta(days=DEFAULTS["label_delay_days"] + 1)
    assert data.train["timestamp"].min() >= pd.Timestamp(DEFAULTS["start_date"])


def test_info_is_public_and_json(data: ScenarioData) -> None:
    info = dict(data.info)
    json.dumps(info)
    assert info["n_train"] == len(data.train) and info["n_test"] == len(data.test)
    assert info["label_delay_days"] == DEFAULTS["label_delay_days"]
    assert info["train_fraud_rate"] == pytest.approx(data.train["is_fraud"].mean())
    assert set(info["mechanisms"]) == set(MECHANISMS)
    assert not any("test" in key and "fraud" in key for key in info)


def test_small_and_degenerate_parameters() -> None:
    tiny = _make(n_customers=50, n_terminals=20, n_days=7, n_test_days=1, label_delay_days=0)
    assert len(tiny.train) > 0 and len(tiny.test) > 0
    calm = _make(fraud_intensity=0.0)
    assert set(calm.train_truth["mechanism"].unique()) == {"none"}
    with pytest.raises(ValueError, match="start_date"):
        _make(start_date="next monday")


# -- realism ----------------------------------------------------------------


def test_fraud_rate_is_rare_and_follows_intensity(data: ScenarioData) -> None:
    rate = data.train["is_fraud"].mean()
    assert 0.002 <= rate <= 0.01
    low = _make(fraud_intensity=0.3).train["is_fraud"].mean()
    high = _make(fraud_intensity=3.0).train["is_fraud"].mean()
    assert low < 0.6 * rate and high > 2 * rate


def test_amounts_are_right_skewed(data: ScenarioData) -> None:
    amount = data.train["amount"]
    assert amount.min() > 0
    assert amount.mean() / amount.median() >= 2


def test_amounts_are_in_currency_units_with_cents(data: ScenarioData) -> None:
    """Like the ULB card data (median 22, mean 88): tens of currency units, two decimals."""
    amount = data.train["amount"]
    assert 10 <= amount.median() <= 100
    assert np.allclose(amount * 100, np.round(amount * 100))
    assert amount.min() >= 0.25


def test_fraud_is_more_frequent_at_night(data: ScenarioData) -> None:
    frame = pd.concat([data.train, data.test])
    night = frame["timestamp"].dt.hour < 6
    assert frame.loc[night, "is_fraud"].mean() > 3 * frame.loc[~night, "is_fraud"].mean()


def test_no_raw_column_gives_fraud_away(data: ScenarioData) -> None:
    train, test = data.train, data.test
    y, y_test = train["is_fraud"], test["is_fraud"]
    auc: dict[str, float] = {}
    for column in ("amount", "transaction_id", "customer_id", "terminal_id"):
        raw = roc_auc_score(y_test, test[column])
        stump = DecisionTreeClassifier(max_depth=3, min_samples_leaf=50, random_state=0)
        stump.fit(train[[column]], y)
        tree = roc_auc_score(y_test, stump.predict_proba(test[[column]])[:, 1])
        auc[column] = max(raw, 1 - raw, tree)
    encoded = {
        "merchant_category": (train["merchant_category"], test["merchant_category"]),
        "channel": (train["channel"], test["channel"]),
        "customer_id": (train["customer_id"], test["customer_id"]),
        "terminal_id": (train["terminal_id"], test["terminal_id"]),
        "hour": (train["timestamp"].dt.hour, test["timestamp"].dt.hour),
        "weekday": (train["timestamp"].dt.day_of_week, test["timestamp"].dt.day_of_week),
    }
    for name, (fit_values, test_values) in encoded.items():
        encoder = TargetEncoder(target_type="binary", random_state=0)
        encoder.fit(fit_values.astype(str).to_frame(), y)
        score = roc_auc_score(y_test, encoder.transform(test_values.astype(str).to_frame())[:, 0])
        auc[name] = max(auc.get(name, 0.0), score)
    assert max(auc.values()) < 0.8, auc


def test_models_rank_as_in_the_handbook(scores: dict[str, float]) -> None:
    assert scores["tree_train"] >= 0.98
    assert scores["tree"] < scores["tree_train"] - 0.5  # memorises, does not generalise
    assert scores["lr"] > scores["tree"] + 0.05
    assert scores["lgbm"] > scores["lr"] + 0.05
    assert 0.35 <= scores["lgbm"] <= 0.75
    assert scores["oracle"] > scores["lgbm"] + 0.15  # hidden state is worth a lot
    # ROC-AUC flatters everyone; average precision separates them.
    assert scores["lgbm_auc"] > 0.85 and scores["oracle_auc"] > 0.95


# -- feature engineering ------------------------------------------------------


def test_features_are_numeric_complete_and_aligned(
    data: ScenarioData, features: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    f_train, f_test = features
    assert f_train.index.equals(data.train.index) and f_test.index.equals(data.test.index)
    for frame in features:
        assert (frame.dtypes == "float64").all()
        assert np.isfinite(frame.to_numpy()).all()
    # A terminal's risk in test comes only from training labels.
    assert f_test["terminal_risk_30d"].max() > 0


def test_features_never_use_own_or_fresh_labels(data: ScenarioData) -> None:
    X, y = data.train.drop(columns="is_fraud"), data.train["is_fraud"]
    cutoff = X["timestamp"].quantile(0.6)
    flipped = y.where(X["timestamp"] < cutoff, 1 - y)
    before = TransactionFeatures().fit(X, y).transform(X)
    after = TransactionFeatures().fit(X, flipped).transform(X)
    delay = pd.Timedelta(days=TransactionFeatures().label_delay_days)
    blind = (X["timestamp"] < cutoff + delay).to_numpy()
    pd.testing.assert_frame_equal(before[blind], after[blind])
    assert not before[~blind].equals(after[~blind])


def test_transformer_follows_sklearn_conventions(data: ScenarioData) -> None:
    transformer = TransactionFeatures(features=["log_amount", "new_terminal"])
    assert clone(transformer).get_params() == transformer.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(transformer)
    X = data.train.head(500)
    out = transformer.fit(X.drop(columns="is_fraud"), X["is_fraud"]).transform(X)
    assert list(out.columns) == ["log_amount", "new_terminal"]
    assert list(transformer.get_feature_names_out()) == ["log_amount", "new_terminal"]
    with pytest.raises(ValueError, match="unknown feature"):
        TransactionFeatures(features=["nope"]).fit(X, X["is_fraud"])
    for pipeline in (simple_baseline(), expert_pipeline()):
        with pytest.raises(NotFittedError):
            check_is_fitted(pipeline)
