"""The bias-variance lab: analytic checks on test-only worlds, the identity, curves, refusal and renderings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

import bv_worlds
import casestudies as cs
from casestudies.biasvariance import bootstrap_bias_variance, squared_split, zero_one_split
from casestudies.cli import main
from casestudies.exceptions import InvalidParameterError, PipelineError
from casestudies.preprocessing import TabularEncoder
from casestudies.scenarios.fraud import simple_baseline


@pytest.fixture(scope="module", autouse=True)
def _test_worlds() -> Iterator[None]:
    """The test-only worlds are registered while this module runs, and only then."""
    with bv_worlds.registered():
        yield


def on_x(model: object, n_features: int) -> object:
    """The model on the x columns only (the row id is not a feature)."""
    columns = [f"x{j}" for j in range(n_features)]
    return make_pipeline(ColumnTransformer([("x", "passthrough", columns)]), model)


# -- the decompositions on known matrices --------------------------------------------------------------------------


def test_squared_split_parts_sum_to_the_exact_expected_error() -> None:
    # E_y[(y - f)^2] = v + (m - f)^2 for each draw and row; averaged over draws it must equal noise + bias² + variance.
    rng = np.random.default_rng(0)
    predictions, mean, noise = rng.normal(size=(7, 50)), rng.normal(size=50), rng.uniform(0.5, 2.0, 50)
    split = squared_split(predictions, mean, noise, loss="squared")
    exact = float(np.mean(noise + (mean - predictions) ** 2))
    total = sum(part.value for part in split.parts.values())
    assert total == pytest.approx(exact, rel=1e-12)
    assert split.expected.value == pytest.approx(exact, rel=1e-12)
    assert split.parts["variance"].value == pytest.approx(float(predictions.var(axis=0, ddof=1).mean()), rel=1e-12)


def test_zero_one_split_is_domingos_exact_expected_loss() -> None:
    # E_y[1(y != h)] = p 1(h = 0) + (1 - p) 1(h = 1); Domingos' c1 N + B + c2 V must equal its mean over draws.
    rng = np.random.default_rng(1)
    scores, p = rng.uniform(size=(9, 80)), rng.uniform(size=80)
    hard = scores >= 0.5
    exact = float(np.mean(np.where(hard, 1.0 - p, p)))
    split = zero_one_split(scores, p)
    assert split.expected.value == pytest.approx(exact, rel=1e-12)
    parts = split.parts
    assert parts["net_noise"].value + parts["bias"].value + parts["net_variance"].value == pytest.approx(exact)
    assert parts["noise"].value == pytest.approx(float(np.minimum(p, 1 - p).mean()))


def test_zero_one_variance_subtracts_on_biased_rows() -> None:
    # One row with p = 0.9 (optimal class 1) whose main prediction is 0: every draw predicting 1 lowers the loss.
    split = zero_one_split(np.array([[0.2], [0.1], [0.8]]), np.array([0.9]))
    assert split.parts["bias"].value == 1.0
    assert split.parts["variance_biased"].value == pytest.approx(1 / 3)
    assert split.parts["net_variance"].value == pytest.approx(-1 / 3)


# -- analytic checks on the test worlds ------------------------------------------------------------------------------


def test_a_constant_predictor_has_no_variance_and_the_true_functions_variance_as_bias() -> None:
    case = cs.make("bvwavy-v1", seed=0)
    mean, _ = bv_worlds.truth_wavy(case.params, case.seed, case.test)
    constant = float(mean.mean())
    result = cs.bias_variance(case, DummyRegressor(strategy="constant", constant=constant), n_draws=5)
    assert result.variance == 0.0
    assert result.bias2 == pytest.approx(float(mean.var()), rel=1e-9)  # bias² = Var over the rows of E[y|x]
    assert result.noise == pytest.approx(bv_worlds.SIGMA**2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ols_on_a_linear_world_is_unbiased_with_the_textbook_variance(seed: int) -> None:
    case = cs.make("bvlinear-v1", seed=seed)
    result = cs.bias_variance(case, on_x(LinearRegression(), bv_worlds.P), n_draws=60)
    bias2, variance = result.split.parts["bias2"], result.split.parts["variance"]
    # Theory (Gaussian design, intercept, p features, n rows): Var f(x0) = σ² (1/n + (|x0|² + p/n) / (n - p - 2)),
    # about σ² (p + 1) / n; Monte Carlo error from 60 draws, 4 standard errors of slack.
    x = case.test.filter(regex=r"^x\d$").to_numpy()
    n, p = int(case.params["n_train"]), bv_worlds.P  # type: ignore[call-overload]
    theory = bv_worlds.SIGMA**2 * float(np.mean(1 / n + ((x**2).sum(axis=1) + p / n) / (n - p - 2)))
    assert abs(bias2.value) <= 4 * bias2.se
    assert abs(variance.value - theory) <= 4 * variance.se
    assert variance.se < 0.15 * theory  # the check has power: a variance off by a third would fail
    assert result.identity_holds


@pytest.mark.slow
def test_knn_with_one_neighbour_has_more_variance_and_less_bias_than_with_fifty() -> None:
    one = cs.bias_variance("bvwavy-v1", on_x(KNeighborsRegressor(1), 2), n_draws=20, seed=0)
    fifty = cs.bias_variance("bvwavy-v1", on_x(KNeighborsRegressor(50), 2), n_draws=20, seed=0)
    # 1-NN's variance is about σ² (one noisy neighbour); 50-NN averages the noise away but smooths the sine.
    assert one.variance > 5 * fifty.variance
    assert one.bias2 + 4 * one.split.parts["bias2"].se < fifty.bias2
    assert one.variance == pytest.approx(bv_worlds.SIGMA**2, rel=0.25)


@pytest.mark.slow
def test_tree_depth_sweep_is_u_shaped() -> None:
    seed = 0  # a second non-linear world, houses-v1, is swept below
    depths = [1, 2, 3, 4, 5, 6, 8, 12]
    curve = cs.bias_variance_curve(
        "bvwavy-v1", on_x(DecisionTreeRegressor(random_state=0), 2), param="decisiontreeregressor__max_depth",
        values=depths, n_draws=20, seed=seed,
    )  # fmt: skip
    table = curve.table
    best = depths.index(curve.best)
    assert 0 < best < len(depths) - 1  # an interior minimum
    expected, se = table["expected"].to_numpy(), table["expected_se"].to_numpy()
    assert expected[0] > expected[best] + 4 * se[0] and expected[-1] > expected[best] + 4 * se[-1]
    # bias² falls and variance rises with depth (up to Monte Carlo error between neighbours)
    bias2, variance = table["bias2"].to_numpy(), table["variance"].to_numpy()
    slack = 3 * np.hypot(table["bias2_se"].to_numpy()[1:], table["bias2_se"].to_numpy()[:-1])
    assert (np.diff(bias2) <= slack).all()
    assert (
        np.diff(variance) >= -3 * np.hypot(table["variance_se"].to_numpy()[1:], table["variance_se"].to_numpy()[:-1])
    ).all()
    assert variance[-1] > 10 * variance[0] and bias2[0] > 10 * bias2[-1]
    figure = curve.figure()
    assert figure.markers[0].at == curve.best
    assert [s.label for s in figure.series] == ["noise", "bias²", "variance", "expected error"]


@pytest.mark.slow
def test_training_size_sweep_shrinks_the_variance() -> None:
    curve = cs.bias_variance_curve(
        "bvlinear-v1", on_x(LinearRegression(), bv_worlds.P), train_sizes=[30, 300], n_draws=20, seed=0
    )
    variance = curve.table["variance"].to_numpy()
    assert list(curve.table["train_rows"]) == [30, 300]
    # σ² (p + 1) / n: about 0.2 at 30 rows, 0.02 at 300
    assert variance[0] > 5 * variance[1]


def test_a_wrong_noise_level_breaks_the_identity() -> None:
    # bvwrongnoise-v1 reports half the real noise variance: the measured error exceeds the parts by about σ²/2.
    result = cs.bias_variance("bvwrongnoise-v1", on_x(DecisionTreeRegressor(max_depth=4), 2), n_draws=5, seed=0)
    assert result.identity_holds is False
    assert result.split.gap == pytest.approx(bv_worlds.SIGMA**2 / 2, abs=0.25)
    right = cs.bias_variance("bvwavy-v1", on_x(DecisionTreeRegressor(max_depth=4), 2), n_draws=5, seed=0)
    assert right.identity_holds is True


@pytest.mark.slow
def test_bootstrap_estimate_books_the_noise_as_bias() -> None:
    case = cs.make("bvlinear-v1", seed=0)
    model = on_x(LinearRegression(), bv_worlds.P)
    ours = cs.bias_variance(case, model, n_draws=20)
    theirs = bootstrap_bias_variance(case, model, n_rounds=20)
    # OLS is unbiased here: our bias² is about 0 while the bootstrap "bias" is about σ² = 1 (the noise).
    assert ours.bias2 < 0.05 * ours.noise
    assert theirs.bias == pytest.approx(ours.noise, rel=0.3)


# -- binary scenarios, parallel runs, renderings ------------------------------------------------------------------


@pytest.mark.slow
def test_binary_lab_on_overfit_splits_brier_and_zero_one() -> None:
    model = make_pipeline(TabularEncoder(), LogisticRegression(max_iter=300))
    params = {"n_test": 300, "n_noise_features": 20}
    result = cs.bias_variance("overfit-v1", model, n_draws=4, seed=0, params=params)
    assert result.identity_holds and result.zero_one is not None and result.zero_one.holds
    p = cs.make("overfit-v1", seed=0, **params).reveal()["probability"].to_numpy()
    assert result.noise == pytest.approx(float(np.mean(p * (1 - p))))  # Brier noise: p (1 - p) of the holdout
    assert result.zero_one.parts["noise"].value == pytest.approx(float(np.mean(np.minimum(p, 1 - p))))
    # The churn probability is what it predicts: it beats the base rate's Brier score r (1 - r) = 0.1875.
    assert result.expected < 0.25 * 0.75 - 0.03


@pytest.mark.slow
def test_parallel_draws_give_the_same_result() -> None:
    model = on_x(DecisionTreeRegressor(max_depth=4, random_state=0), 2)
    sequential = cs.bias_variance("bvwavy-v1", model, n_draws=4, seed=0)
    parallel = cs.bias_variance("bvwavy-v1", model, n_draws=4, seed=0, n_jobs=2)
    assert sequential.to_dict() == parallel.to_dict()


@pytest.mark.slow
def test_result_renders_as_text_html_json_and_figure() -> None:
    result = cs.bias_variance("bvwavy-v1", on_x(DecisionTreeRegressor(max_depth=3), 2), n_draws=4, seed=0)
    assert "| bias² |" in result.text() and "Identity check" in result.text()
    assert "<table" in result._repr_html_()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["setting"]["n_draws"] == 4 and data["split"]["loss"] == "squared"
    assert data["zero_one"] is None
    figure = result.figure()
    assert figure.series[0].x[:3] == ("noise", "bias²", "variance")
    rows = result.rows()
    assert len(rows) == 400 and np.allclose(rows["expected"], rows["noise"] + rows["bias2"] + rows["variance"])


# -- refusals and argument errors -------------------------------------------------------------------------------------


def test_scenarios_without_redraw_are_refused_with_the_ones_that_can() -> None:
    with pytest.raises(InvalidParameterError, match=r"'plugin-toy-v1' cannot draw another training set") as info:
        cs.bias_variance("plugin-toy-v1", DummyClassifier(), n_draws=3, seed=0)
    assert re.search(r"Scenarios that can: .*fraud-v1.*overfit-v1", str(info.value))
    with pytest.raises(InvalidParameterError, match="cannot draw another training set"):
        cs.bias_variance_curve("movies-rating-v1", DummyClassifier(), train_sizes=[10], n_draws=3, seed=0)


def test_bad_arguments_say_what_was_expected() -> None:
    with pytest.raises(InvalidParameterError, match="n_draws must be an int between 3 and"):
        cs.bias_variance("bvwavy-v1", DummyRegressor(), n_draws=2, seed=0)
    with pytest.raises(InvalidParameterError, match="n_jobs must be a positive int"):
        cs.bias_variance("bvwavy-v1", DummyRegressor(), n_jobs=0, seed=0)
    with pytest.raises(InvalidParameterError, match="give either param= and values="):
        cs.bias_variance_curve("bvwavy-v1", DummyRegressor(), seed=0)
    case = cs.make("bvwavy-v1", seed=0)
    with pytest.raises(InvalidParameterError, match="was made with seed 0; got seed=1"):
        cs.bias_variance(case, DummyRegressor(), seed=1)
    with pytest.raises(InvalidParameterError, match="Predictions alone cannot be refitted"):
        cs.bias_variance(case, np.zeros(400), n_draws=3)


def test_a_failing_pipeline_raises_its_own_error() -> None:
    def broken(X_train: object, y_train: object, X_test: object) -> object:
        raise RuntimeError("boom in the user's code")

    with pytest.raises(PipelineError, match="boom in the user's code"):
        cs.bias_variance("bvwavy-v1", broken, n_draws=3, seed=0)


# -- the command line -------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_prints_the_split_and_a_curve_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--seed", "0", "--param", "n_test=300", "--param", "n_noise_features=10", "--draws", "3", "--quiet"]
    assert main(["bias-variance", "overfit-v1", "--pipeline", "naive", *common]) == 0
    out = capsys.readouterr().out
    assert "| bias² |" in out and "Zero-one loss (Domingos)" in out
    sweep = ["--sweep", "model__C=0.01,1", "--json"]
    assert main(["bias-variance", "overfit-v1", "--pipeline", "naive", *common, *sweep]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["param"] == "model__C" and data["values"] == [0.01, 1]
    assert data["table"][0]["variance"] < data["table"][1]["variance"]  # stronger regularisation, less variance
    assert main(["bias-variance", "movies-rating-v1", "--pipeline", "global_mean", "--seed", "0"]) == 2
    assert "cannot draw another training set" in capsys.readouterr().err


@pytest.mark.slow
def test_tree_depth_sweep_on_houses_has_an_interior_minimum() -> None:
    # houses-v1 plants a non-linear age effect and an interaction: shallow trees underfit, deep ones chase the noise.
    model = make_pipeline(TabularEncoder(drop=["house_id"]), DecisionTreeRegressor(random_state=0))
    depths = [1, 2, 4, 8, 20]
    curve = cs.bias_variance_curve(
        "houses-v1", model, param="decisiontreeregressor__max_depth", values=depths, n_draws=8, seed=0
    )
    table = curve.table
    assert 0 < depths.index(curve.best) < len(depths) - 1
    assert (np.diff(table["bias2"].to_numpy()) < 0).all()
    assert table["variance"].iloc[-1] > 1.2 * table["variance"].iloc[1]
    assert table["identity_holds"].all()


@pytest.mark.slow
def test_lab_runs_on_fraud_with_its_reference_pipeline() -> None:
    params = {"n_customers": 300, "n_days": 21, "n_test_days": 5}
    result = cs.bias_variance("fraud-v1", simple_baseline(), n_draws=3, seed=0, params=params)
    p = cs.make("fraud-v1", seed=0, **params).reveal()["probability"].to_numpy()
    assert result.noise == pytest.approx(float(np.mean(p * (1 - p))))
    # The hidden origin of a payment (a fraudster's or the owner's) shows as bias no pipeline removes.
    assert result.bias2 > result.variance
    assert result.identity_holds and result.zero_one is not None and result.zero_one.holds
