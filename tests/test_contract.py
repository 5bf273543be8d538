"""The scenario contract over every registered scenario, and golden fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

import casestudies as cs
from background_runs import check_scenario_in_background, selected, stop
from casestudies.core._fingerprint import fingerprint
from casestudies.testing import check_scenario

# Small sizes keep the contract fast; the defaults are exercised elsewhere.
SMALL = {
    "movies-rating-v1": {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000},
    "movies-topn-v1": {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1},
    "movies-rating-v2": {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000},
    "movies-topn-v2": {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1},
    "movies-rating-v3": {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000},
    "movies-topn-v3": {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1},
    "movies-rating-v4": {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000},
    "movies-topn-v4": {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1},
    "fraud-v1": {"n_customers": 400, "n_days": 42},
    "fraud-v2": {"n_customers": 400, "n_days": 42},
    "overfit-v1": {"n_test": 600},
    "overfit-leaky-v1": {"n_train": 600, "n_test": 600},
    "overfit-shift-v1": {"n_train": 600, "n_test": 800},
    "overfit-all-v1": {"n_train": 400, "n_noise_features": 200, "n_test": 600},
    "overfit-random-v1": {"n_test": 600},
    "messy-v1": {"n_train": 3000, "n_test": 1500},
    "messy-light-v1": {"n_train": 3000, "n_test": 1500},
    "messy-random-v1": {"n_train": 3000, "n_test": 1500},
}
GOLDEN = Path(__file__).with_name("golden_fingerprints.json")


QUICK_CONTRACT = ("fraud-v1", "movies-topn-v1", "plugin-toy-v1")
"""One scenario per task type runs in the quick subset; the whole registry runs in the full suite."""


SPECS = list(cs.registry().values())

IN_BACKGROUND_FROM = 6
"""From this many selected scenarios on, worker processes run the contracts (starting one takes a few seconds)."""


@pytest.fixture(scope="module")
def contracts(request: pytest.FixtureRequest, reference_cache: Path) -> Iterator[dict[str, Future[None]]]:
    """The contract of each selected scenario, started at once in worker processes (two at a time)."""
    chosen = [spec for spec in SPECS if selected(request, "test_scenario_contract", spec=spec)]
    if len(chosen) < IN_BACKGROUND_FROM:
        yield {}
        return
    yield {
        spec.id: check_scenario_in_background(spec, params=SMALL.get(spec.id, {}), cache=reference_cache)
        for spec in chosen
    }
    stop("contracts")


@pytest.mark.parametrize(
    "spec",
    [pytest.param(spec, id=spec.id, marks=() if spec.id in QUICK_CONTRACT else pytest.mark.slow) for spec in SPECS],
)
def test_scenario_contract(spec: cs.ScenarioSpec, contracts: dict[str, Future[None]]) -> None:
    if spec.id in contracts:
        contracts[spec.id].result()  # check_scenario below, run in a worker process: raises what it raised
    else:
        check_scenario(spec, params=SMALL.get(spec.id, {}))


def full_fingerprint(scenario_id: str) -> str:
    """Hash of everything a seed determines: public data and the hidden holdout."""
    case = cs.make(scenario_id, seed=0, **SMALL.get(scenario_id, {}))
    return hashlib.sha256((case.fingerprint + fingerprint(case.reveal())).encode()).hexdigest()


@pytest.mark.parametrize("scenario_id", sorted(json.loads(GOLDEN.read_text())))
def test_golden_fingerprint(scenario_id: str) -> None:
    """A released version never changes its data: if this fails, add a new version instead."""
    assert full_fingerprint(scenario_id) == json.loads(GOLDEN.read_text())[scenario_id]


def test_every_builtin_scenario_has_a_golden_fingerprint() -> None:
    golden = json.loads(GOLDEN.read_text())
    catalog = Path(__file__).resolve().parents[1] / "scenarios"
    assert sorted(path.stem for path in catalog.glob("*.toml")) == sorted(golden)
