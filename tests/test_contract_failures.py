"""The scenario contract rejects broken scenarios, with a message naming the broken rule.

Each broken generator below is the plugin toy scenario (``plugin_scenario``)
with one deliberate defect. Some defects ``make`` already rejects when the
generator returns (``RegistrationError: generator ... returned invalid
data``); the rest reach ``check_scenario``, which raises
``ScenarioContractError``. The last test runs the contract under
``python -O``, which strips ``assert`` statements, to show the checks are
real raises.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
import plugin_scenario
from casestudies.core import _registry
from casestudies.exceptions import RegistrationError
from casestudies.testing import ScenarioContractError, check_scenario

# Small enough to keep each check to about a second, large enough for ~100 holdout positives.
PARAMS = {"n_rows": 1000}


@pytest.fixture(autouse=True)
def scratch_registry() -> Iterator[None]:
    """Let a test register broken specs; the registry is restored afterwards."""
    cs.list_scenarios()  # load the catalog first, so the snapshot holds it
    saved = dict(_registry._REGISTRY)
    yield
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


def broken_spec(name: str) -> cs.ScenarioSpec:
    """The toy spec with its generator swapped for ``broken_<name>`` of this module, registered."""
    scenario_id = f"broken-{name.replace('_', '-')}-v1"
    spec = dataclasses.replace(plugin_scenario.SPEC, id=scenario_id, generator=f"test_contract_failures:broken_{name}")
    return cs.register(spec)


def _toy(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    return plugin_scenario.generate(params, rng)


# -- the broken generators ---------------------------------------------------------------------------------------------


def broken_leaky_column(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """A 'chargeback' column recorded after the fact: it is the label, in train and test alike."""
    data = _toy(params, rng)
    train = data.train.assign(chargeback=data.train["label"].to_numpy())
    test = data.test.assign(chargeback=data.test["label"].to_numpy())
    return dataclasses.replace(data, train=train, test=test)


def broken_shared_ids(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Train and test each numbered from 1000: the test reuses training ids."""
    data = _toy(params, rng)
    test = data.test.assign(row_id=np.arange(1000, 1000 + len(data.test), dtype=np.int64))
    return dataclasses.replace(data, test=test)


def broken_ignores_seed(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Seeds its own generator instead of using ``rng``: every seed gives the same data."""
    return _toy(params, np.random.default_rng(0))


_CALLS = itertools.count()


def broken_not_deterministic(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Seeds from state kept between calls (like global np.random): the same seed gives other data."""
    return _toy(params, np.random.default_rng(next(_CALLS)))


def broken_truth_length(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Drops the last truth row: the truth no longer lines up with the test."""
    data = _toy(params, rng)
    return dataclasses.replace(data, truth=data.truth.iloc[:-1])


def broken_test_dtype(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Stores the test's 'a' column as float32, the training one as float64."""
    data = _toy(params, rng)
    return dataclasses.replace(data, test=data.test.astype({"a": np.float32}))


def broken_no_positives(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Every holdout label 0 (a time split after the positives ran out): no ranking can be scored."""
    data = _toy(params, rng)
    return dataclasses.replace(data, test=data.test.assign(label=np.int8(0)))


def broken_label_values(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """A third class (2, 'disputed') in a binary target."""
    data = _toy(params, rng)
    label = data.train["label"].to_numpy().copy()
    label[:5] = 2
    return dataclasses.replace(data, train=data.train.assign(label=label))


def broken_probability(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """Returns log-odds as the 'probability' truth column."""
    data = _toy(params, rng)
    p = data.truth["probability"].to_numpy()
    return dataclasses.replace(data, truth=pd.DataFrame({"probability": np.log(p / (1 - p))}))


# -- rejected by check_scenario ----------------------------------------------------------------------------------------


def test_label_column_in_the_test_is_rejected() -> None:
    spec = broken_spec("leaky_column")
    message = "broken-leaky-column-v1: public attributes hold the holdout labels: expected no public attribute"
    with pytest.raises(ScenarioContractError, match=re.escape(message)) as caught:
        check_scenario(spec, params=PARAMS)
    assert "the labels in [\"test['chargeback']\"]" in str(caught.value)
    assert caught.value.scenario_id == "broken-leaky-column-v1"
    assert caught.value.rule == "public attributes hold the holdout labels"


def test_generator_ignoring_its_seed_is_rejected() -> None:
    spec = broken_spec("ignores_seed")
    message = "broken-ignores-seed-v1: another seed gave the same data: expected seeds 0 and 1 to give different data"
    with pytest.raises(ScenarioContractError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


def test_generator_not_deterministic_for_one_seed_is_rejected() -> None:
    spec = broken_spec("not_deterministic")
    message = (
        "broken-not-deterministic-v1: same seed gave different data: "
        "expected make('broken-not-deterministic-v1', seed=0) twice to give the same data"
    )
    with pytest.raises(ScenarioContractError, match=re.escape(message)) as caught:
        check_scenario(spec, params=PARAMS)
    assert "never from np.random" in caught.value.hint


def test_column_dtype_differing_between_train_and_test_is_rejected() -> None:
    spec = broken_spec("test_dtype")
    message = (
        "broken-test-dtype-v1: dtypes differ between train and test for ['a']: "
        "expected each test column of its training dtype; got 'a' is float64 in train, float32 in test."
    )
    with pytest.raises(ScenarioContractError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


def test_reveals_naming_a_column_the_data_lacks_is_rejected() -> None:
    spec = cs.register(
        dataclasses.replace(plugin_scenario.SPEC, id="broken-reveals-v1", reveals={"skimming": ("a", "terminal_id")})
    )
    message = "broken-reveals-v1: the spec's [reveals] names columns the data does not have"
    with pytest.raises(ScenarioContractError, match=re.escape(message)) as caught:
        check_scenario(spec, params=PARAMS)
    assert caught.value.received == "['terminal_id']"


def test_random_predictor_away_from_chance_is_rejected() -> None:
    # With no positive in the holdout, average precision is undefined (nan): a random ranking cannot score chance.
    spec = broken_spec("no_positives")
    message = "broken-no-positives-v1: random predictor AP far from its expectation: expected an interval holding"
    with pytest.raises(ScenarioContractError, match=re.escape(message)) as caught:
        check_scenario(spec, params=PARAMS)
    assert caught.value.received == "nan in [nan, nan]"


def test_binary_target_outside_zero_one_is_rejected() -> None:
    spec = broken_spec("label_values")
    message = "broken-label-values-v1: binary target must be 0/1: expected 'label' values in [0, 1]; got also [2]."
    with pytest.raises(ScenarioContractError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


def test_probability_outside_zero_one_is_rejected() -> None:
    spec = broken_spec("probability")
    message = "broken-probability-v1: true probabilities outside [0, 1]: expected truth['probability'] within [0, 1]"
    with pytest.raises(ScenarioContractError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


# -- rejected earlier, by make() ---------------------------------------------------------------------------------------


def test_train_and_test_sharing_ids_is_rejected() -> None:
    # make() rejects repeated ids as soon as the generator returns, before check_scenario's own id check.
    spec = broken_spec("shared_ids")
    message = "generator of 'broken-shared-ids-v1' returned invalid data: 'row_id' values repeat across train and test."
    with pytest.raises(RegistrationError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


def test_truth_of_the_wrong_length_is_rejected() -> None:
    # make() rejects a truth frame of the wrong length as soon as the generator returns.
    spec = broken_spec("truth_length")
    message = (
        "generator of 'broken-truth-length-v1' returned invalid data: "
        "truth must have a 'probability' column and one row per test row."
    )
    with pytest.raises(RegistrationError, match=re.escape(message)):
        check_scenario(spec, params=PARAMS)


# -- the error itself --------------------------------------------------------------------------------------------------


def test_contract_error_is_an_assertion_error_of_the_package() -> None:
    assert issubclass(ScenarioContractError, AssertionError)
    assert issubclass(ScenarioContractError, cs.exceptions.CaseStudiesError)


def test_contract_error_survives_pickling() -> None:
    error = ScenarioContractError(
        "toy-v1", "ids repeat", expected="unique ids", received="3 repeated", hint="Renumber."
    )
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.rule, back.hint) == (type(error), str(error), "ids repeat", "Renumber.")


# -- python -O keeps the checks ----------------------------------------------------------------------------------------

OPTIMISED_RUN = """
import casestudies as cs
import test_contract_failures as broken
from casestudies.testing import check_scenario

print("__debug__ is", __debug__)
check_scenario(broken.broken_spec("leaky_column"), params=broken.PARAMS)
"""


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_python_dash_o_keeps_the_checks() -> None:
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(here), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-O", "-c", OPTIMISED_RUN],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "__debug__ is False" in result.stdout, (result.stdout, result.stderr)  # asserts really are stripped
    assert result.returncode == 1, result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "casestudies.testing.ScenarioContractError: broken-leaky-column-v1: public attributes hold the holdout labels"
    ), result.stderr
