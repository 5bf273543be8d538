"""The fast paths of ``make("fraud-v1")``: same bytes as before, and each shortcut equal to what it replaces."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.case._own import OwnCopy
from casestudies.core._fingerprint import fingerprint
from casestudies.scenarios.fraud._arrays import stable_order, to_datetime
from casestudies.scenarios.fraud._traffic import DAY, _Log, _merge
from casestudies.scoring._task import frame_checks

DEFAULTS_GOLDEN = "21339d4c491c8f49c0b1ff34b6338cac5165d2efe096abbaedf0f1ed18c5822e"
"""``make("fraud-v1", seed=0)`` at its defaults, hashed as tests/test_contract.py hashes (public data and holdout).

Computed with the generator as released, before any of the speed-ups: the
golden fingerprints in tests/golden_fingerprints.json cover a small log only,
and some fast paths (the radix sort's digit widths) depend on the log's size.
"""


def _full_fingerprint(case: cs.Case) -> str:
    return hashlib.sha256((case.fingerprint + fingerprint(case.reveal())).encode()).hexdigest()


def test_defaults_keep_their_bytes() -> None:
    assert _full_fingerprint(cs.make("fraud-v1", seed=0)) == DEFAULTS_GOLDEN


# -- the radix sort ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (0, 77 * DAY),  # the default period: 8-bit high digits
        (-35 * DAY, 515 * DAY),  # skimmers before day 0, the longest period: 16-bit high digits
        (-5, 5),  # negative times whose high digit rounds down to -1
        (0, 300),  # one high digit: ties everywhere
        (-(2**40), 2**40),  # too wide for two 16-bit passes: numpy's own stable sort
    ],
)
def test_stable_order_is_numpys_stable_argsort(low: int, high: int) -> None:
    times = np.random.default_rng(3).integers(low, high, 20_000)
    assert np.array_equal(stable_order(times), np.argsort(times, kind="stable"))
    assert stable_order(times[:0]).size == 0


def _random_log(rng: np.random.Generator, n: int, low: int, high: int) -> _Log:
    return _Log(
        t=rng.integers(low, high, n),
        customer=rng.integers(0, 100, n),
        terminal=rng.integers(0, 1000, n),
        amount=rng.integers(25, 10_000, n).astype(np.float64),
        probability=rng.random(n),
        mechanism=rng.integers(0, 5, n).astype(np.int8),
    )


@pytest.mark.parametrize("first_rows", [5_000, 0])
@pytest.mark.parametrize("release", [False, True])
def test_merge_orders_by_time_then_position(first_rows: int, release: bool) -> None:
    rng = np.random.default_rng(7)
    n_total = 3
    # Few distinct times (ties between and within parts) and rows outside the period on both sides.
    parts = [_random_log(rng, first_rows, 0, n_total * DAY // 60 * 60)]
    parts += [_random_log(rng, size, -DAY, (n_total + 1) * DAY) for size in (40, 0, 300)]
    for part in parts:
        part.t -= part.t % 60
    columns = {field: np.concatenate([getattr(p, field) for p in parts]) for field in _Log.__slots__}
    order = np.argsort(columns["t"], kind="stable")
    inside = order[(columns["t"][order] >= 0) & (columns["t"][order] < n_total * DAY)]

    merged = _merge(parts, n_total, release=release)

    for field in _Log.__slots__:
        assert np.array_equal(getattr(merged, field), columns[field][inside]), field
        assert getattr(merged, field).dtype == columns[field].dtype, field
    assert all(getattr(p, field).size == 0 for p in parts for field in _Log.__slots__) == release


def test_timestamps_are_numpys_datetime_arithmetic() -> None:
    seconds = np.random.default_rng(0).integers(0, 515 * DAY, 1_000)
    for day in ("2025-01-06", "1677-09-22", "1969-12-31"):
        start = np.datetime64(day, "D").astype("datetime64[s]")
        expected = (start + seconds.astype("timedelta64[s]")).astype("datetime64[ns]")
        stamps = to_datetime(start, seconds)
        assert stamps.dtype == expected.dtype
        assert np.array_equal(stamps, expected)


# -- the checks and the case -------------------------------------------------------------------------------------


def _with_ids(data: cs.ScenarioData, train_ids: np.ndarray, test_ids: np.ndarray) -> cs.ScenarioData:
    return dataclasses.replace(
        data,
        train=data.train.assign(transaction_id=train_ids),
        test=data.test.assign(transaction_id=test_ids),
    )


def test_repeated_ids_are_found_whether_or_not_they_increase() -> None:
    # The check reads increasing ids without a hash table: a repeat at the seam of train and test must still count.
    from casestudies.scenarios.fraud._simulator import generate

    params = dict(cs.spec("fraud-v1").defaults, n_customers=60, n_days=7, n_test_days=2)
    data = generate(params, np.random.default_rng(0))
    n_train, n_test = len(data.train), len(data.test)
    repeat = "'transaction_id' values repeat across train and test"
    increasing = np.arange(n_train + n_test, dtype=np.int64)
    assert frame_checks(_with_ids(data, increasing[:n_train], increasing[n_train:]), "probability") == []
    seam = increasing.copy()
    seam[n_train] = seam[n_train - 1]  # still non-decreasing
    assert frame_checks(_with_ids(data, seam[:n_train], seam[n_train:]), "probability") == [repeat]
    shuffled = np.random.default_rng(1).permutation(increasing)
    assert frame_checks(_with_ids(data, shuffled[:n_train], shuffled[n_train:]), "probability") == []
    shuffled[-1] = shuffled[0]
    assert frame_checks(_with_ids(data, shuffled[:n_train], shuffled[n_train:]), "probability") == [repeat]


SMALL = {"n_customers": 200, "n_days": 14, "n_test_days": 7}


def test_fingerprint_and_data_card_are_computed_when_first_read() -> None:
    case = cs.make("fraud-v1", seed=5, **SMALL)
    assert "fingerprint" not in vars(case) and "data_card" not in vars(case)
    assert case.data_card["fingerprint"] == case.fingerprint == fingerprint(case.train, case.test)
    assert case.data_card is case.data_card  # built once: edits to it are kept, as with any attribute


def test_the_learners_frames_are_copied_when_first_read() -> None:
    case = cs.make("fraud-v1", seed=5, **SMALL)
    assert not OwnCopy.made(case, "train") and not OwnCopy.made(case, "test")
    before = case.fingerprint
    train = case.train
    assert OwnCopy.made(case, "train") and case.train is train
    # Writes through .array bypass pandas' copy-on-write: only a real copy keeps them from the case's data.
    train["amount"].array[0] = -2.0
    train.loc[1, "amount"] = -1.0
    assert case._train.loc[[0, 1], "amount"].gt(0).all()
    assert fingerprint(case._train, case._test) == before
    assert case._edited_frames() == ["case.train (changed column(s) amount)"]
    case.restore()
    assert case._edited_frames() == [] and case.train.equals(case._train)
    case.test = pd.DataFrame()
    assert case._edited_frames() == [f"case.test ({len(case._test)} rows x 7 columns at make(), now 0 x 0)"]
