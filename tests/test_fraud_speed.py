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
from casestudies.scenarios.fraud._arrays import GUIDE_BITS, quantile_index, stable_order, to_datetime
from casestudies.scenarios.fraud._simulator import (
    _ID_BASE_RANGE,
    _frames,
    _Labelled,
    _Settings,
    _Streams,
    generate,
)
from casestudies.scenarios.fraud._traffic import (
    _RATE_CARD,
    _RATE_SKIMMER,
    _RATE_TAKEOVER,
    _RATE_TESTING,
    DAY,
    EPOCH_WEEKDAY,
    _card_testing,
    _compromised_cards,
    _genuine,
    _Log,
    _make_world,
    _merge,
    _skimmers,
    _takeovers,
)
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


@pytest.mark.parametrize(
    "cdf",
    [
        np.array([0.1, 0.25, 0.25, 0.7, 1.0]),  # a repeated entry: searchsorted's leftmost position
        np.array([1.0]),
        np.cumsum(np.full(3 << GUIDE_BITS, 1.0 / (3 << GUIDE_BITS))),  # more entries than buckets
        np.r_[np.arange(1, 8) / 8, 1.0],  # entries on the buckets' edges
    ],
)
def test_quantile_index_is_numpys_searchsorted(cdf: np.ndarray) -> None:
    rng = np.random.default_rng(4)
    edges = np.arange(1 << GUIDE_BITS) / (1 << GUIDE_BITS)  # uniforms on and just below the buckets' edges
    u = np.concatenate([rng.random(20_000), edges, np.nextafter(edges[1:], 0.0), [0.0, np.nextafter(1.0, 0.0)]])
    assert np.array_equal(quantile_index(cdf, u), np.searchsorted(cdf, u))
    square = rng.random((300, 4))
    assert np.array_equal(quantile_index(cdf, square), np.searchsorted(cdf, square))


def _merged_parts(params: dict[str, object], seed: int) -> tuple[pd.DataFrame, ...]:
    """fraud-v1 built directly: each part whole in its own order, merged by ``_merge``, the whole log labelled."""
    settings = _Settings.from_params(params)
    streams = _Streams.spawn(np.random.default_rng(seed))
    world = _make_world(settings.n_customers, settings.n_terminals, streams.world)
    n_total, intensity = settings.n_total, settings.intensity
    first_day = settings.start.astype("datetime64[D]").astype(np.int64)
    weekday = (first_day + EPOCH_WEEKDAY + np.arange(n_total)) % 7
    genuine = _genuine(world, weekday, settings.dispute_rate, streams.genuine)
    _skimmers(world, genuine, n_total, _RATE_SKIMMER * intensity, streams.skimmers)
    parts = [
        genuine,
        _compromised_cards(world, n_total, _RATE_CARD * intensity, streams.cards),
        _card_testing(world, n_total, _RATE_TESTING * intensity, streams.card_testing),
        _takeovers(world, n_total, _RATE_TAKEOVER * intensity, streams.takeovers),
    ]
    log = _merge(parts, n_total)
    labelled = _Labelled(
        log=log,
        label=(streams.labels.random(log.t.size) < log.probability).view(np.int8),
        ids=streams.ids.integers(*_ID_BASE_RANGE) + np.arange(log.t.size, dtype=np.int64),
        timestamps=to_datetime(settings.start, log.t),
    )
    n_train = int(np.searchsorted(log.t, settings.n_days * DAY))
    n_gap_end = int(np.searchsorted(log.t, (settings.n_days + settings.delay) * DAY))
    return _frames(world, labelled, slice(0, n_train)) + _frames(world, labelled, slice(n_gap_end, None))


@pytest.mark.parametrize(
    "overrides",
    [
        {"n_customers": 300, "n_days": 21, "n_test_days": 7},
        # Many frauds at few terminals: fraudsters pay at skimmed shops, which must not skim them.
        {"n_customers": 400, "n_terminals": 40, "n_days": 14, "n_test_days": 7, "fraud_intensity": 20.0},
        {"n_customers": 200, "n_days": 7, "n_test_days": 3, "label_delay_days": 0, "dispute_rate": 0.05},
        {"n_customers": 100, "n_days": 7, "n_test_days": 1, "label_delay_days": 60, "fraud_intensity": 0.0},
    ],
)
def test_the_log_built_in_time_order_is_the_merged_parts(overrides: dict[str, object]) -> None:
    params = dict(cs.spec("fraud-v1").defaults, **overrides)
    for seed in (0, 1):
        data = generate(params, np.random.default_rng(seed))
        train, train_truth, test, truth = _merged_parts(params, seed)
        for built, direct in (
            (data.train, train),
            (data.train_truth, train_truth),
            (data.test, test),
            (data.truth, truth),
        ):
            pd.testing.assert_frame_equal(built, direct, check_exact=True)


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
