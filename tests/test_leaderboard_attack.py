"""Blum & Hardt's boosting attack through a real Leaderboard: exact feedback leaks, the default Ladder does not.

The attack and its scenario live in ``benchmarks/bench_ladder_attack.py`` (run it
for the figures over many seeds); here one fixed seed, their n = 4000 and k = 400.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_ladder_attack

N_PUBLIC, K, SEED = 4000, 400, 0


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bench_ladder_attack.AttackResult]:
    store = tmp_path_factory.mktemp("attack") / "attack.sqlite"
    return {
        name: bench_ladder_attack.attack(
            store, mechanism=mechanism, metric="accuracy", n_public=N_PUBLIC, k=K, seed=SEED, name=name
        )
        for name, mechanism in (("exact", "exact"), ("default", "parameter-free (default)"))
    }


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_the_attack_runs_on_their_sizes(results: dict[str, bench_ladder_attack.AttackResult]) -> None:
    for result in results.values():
        assert (result.n_public, result.k) == (N_PUBLIC, K)
        # The labels are coin flips: on the private part the attack is at chance.
        assert abs(result.private - 0.5) < 0.03


def test_exact_feedback_makes_the_attack_look_clearly_better_than_chance(
    results: dict[str, bench_ladder_attack.AttackResult],
) -> None:
    exact = results["exact"]
    # Blum & Hardt: 0.427 loss (0.573 accuracy) for a true 0.50; one holdout's
    # standard error here is 0.008, so 0.05 is six of them.
    assert exact.leaked > 0.05
    assert exact.displayed_bias > 0.05
    assert exact.kept > K / 4


def test_default_ladder_keeps_the_bias_within_noise(results: dict[str, bench_ladder_attack.AttackResult]) -> None:
    ladder = results["default"]
    assert ladder.leaked <= 0.01
    assert ladder.displayed_bias <= 0.01
