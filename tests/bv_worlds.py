"""Test-only regression worlds for the bias-variance lab, with the redraw contract.

``linear``: y = b0 + x·b + N(0, SIGMA²) with x ~ N(0, I_P): ordinary least
squares is correctly specified, so its bias² is 0 and its variance is known
in closed form. ``wavy``: y = 2 sin(2 x0) + x1² / 2 + N(0, SIGMA²), x ~ U(-2, 2)²:
non-linear, for the tree-depth and kNN sweeps. The coefficients (linear) are
the world, drawn from the case's data stream; redraws draw new rows only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import pandas as pd

import casestudies as cs
from casestudies import ScenarioData, ScenarioSpec
from casestudies.core import _registry, data_seed, redraw_seed

P = 5
"""Features of the linear world."""
SIGMA = 1.0
"""Noise standard deviation of both worlds."""


def _world(rng: np.random.Generator) -> np.ndarray:
    """Intercept and coefficients of the linear world."""
    return rng.normal(0.0, 1.0, P + 1)


def _mean(kind: str, x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    if kind == "linear":
        return np.asarray(beta[0] + x @ beta[1:])
    return np.asarray(2.0 * np.sin(2.0 * x[:, 0]) + 0.5 * x[:, 1] ** 2)


def _rows(kind: str, beta: np.ndarray, n: int, first_id: int, rng: np.random.Generator) -> pd.DataFrame:
    x = rng.normal(size=(n, P)) if kind == "linear" else rng.uniform(-2.0, 2.0, size=(n, 2))
    y = _mean(kind, x, beta) + SIGMA * rng.normal(size=n)
    frame = pd.DataFrame({f"x{j}": x[:, j] for j in range(x.shape[1])})
    frame.insert(0, "row_id", np.arange(first_id, first_id + n, dtype=np.int64))
    frame["y"] = y
    return frame


def _generate(kind: str, params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    world_rng, train_rng, test_rng = rng.spawn(3)
    beta = _world(world_rng)
    n_train, n_test = int(params["n_train"]), int(params["n_test"])  # type: ignore[call-overload]
    train = _rows(kind, beta, n_train, 0, train_rng)
    test = _rows(kind, beta, n_test, n_train, test_rng)
    truth = pd.DataFrame({"expected": _mean(kind, test.filter(like="x").to_numpy(), beta)})
    return ScenarioData(train=train, test=test, target="y", id_column="row_id", truth=truth, oracle_observable=True)


def generate_linear(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    return _generate("linear", params, rng)


def generate_wavy(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    return _generate("wavy", params, rng)


def _case_beta(seed: int) -> np.ndarray:
    world_rng, _, _ = np.random.default_rng(data_seed(seed)).spawn(3)
    return _world(world_rng)


def _redraw(kind: str, params: Mapping[str, object], seed: int, draw: int, n_rows: int | None) -> pd.DataFrame:
    n = int(params["n_train"]) if n_rows is None else int(n_rows)  # type: ignore[call-overload]
    return _rows(kind, _case_beta(seed), n, 10**9 * (draw + 1), np.random.default_rng(redraw_seed(seed, draw)))


def redraw_linear(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None) -> pd.DataFrame:
    return _redraw("linear", params, seed, draw, n_rows)


def redraw_wavy(params: Mapping[str, object], seed: int, draw: int, n_rows: int | None) -> pd.DataFrame:
    return _redraw("wavy", params, seed, draw, n_rows)


def _truth(kind: str, seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    mean = _mean(kind, frame.filter(regex=r"^x\d$").to_numpy(), _case_beta(seed))
    return mean, np.full(len(frame), SIGMA**2)


def truth_linear(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return _truth("linear", seed, frame)


def truth_wavy(params: Mapping[str, object], seed: int, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return _truth("wavy", seed, frame)


def truth_wavy_half_noise(
    params: Mapping[str, object], seed: int, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """A wrong truth: half the real noise variance (the identity check must catch it)."""
    mean, noise = _truth("wavy", seed, frame)
    return mean, noise / 2


def _spec(scenario_id: str, kind: str, truth: str, n_train: int) -> ScenarioSpec:
    return ScenarioSpec.from_dict(
        {
            "id": scenario_id,
            "title": f"Bias-variance test world ({kind})",
            "summary": "A regression world for the lab's analytic tests.",
            "task": "regression",
            "generator": f"bv_worlds:generate_{kind}",
            "redraw": f"bv_worlds:redraw_{kind}",
            "truth": f"bv_worlds:{truth}",
            "metric": "rmse",
            "prompt": "Predict y.",
            "parameters": {
                "n_train": {"type": "int", "default": n_train, "min": 10, "max": 100_000},
                "n_test": {"type": "int", "default": 400, "min": 10, "max": 100_000},
            },
        }
    )


SPECS = (
    _spec("bvlinear-v1", "linear", "truth_linear", 100),
    _spec("bvwavy-v1", "wavy", "truth_wavy", 300),
    _spec("bvwrongnoise-v1", "wavy", "truth_wavy_half_noise", 300),
)


@contextmanager
def registered() -> Iterator[None]:
    """The test worlds registered for the duration of the block; the registry is restored afterwards."""
    cs.list_scenarios()  # load the catalog first, so the snapshot holds it
    saved = dict(_registry._REGISTRY)
    for spec in SPECS:
        if spec.id not in cs.registry():
            cs.register(spec)
    try:
        yield
    finally:
        _registry._REGISTRY.clear()
        _registry._REGISTRY.update(saved)
