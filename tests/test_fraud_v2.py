"""fraud-v2: fraud-v1's world drawn a day at a time, so that any range of rows is generated on its own.

Streaming equality with make (partition sizes, Dask workers) is in tests/test_stream.py; here the plan
itself (rows in any pieces, only the days asked for are drawn, what a pickled plan carries) and the
log's statistics against fraud-v1's, the same story with another layout of its randomness.
"""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.exceptions import InvalidParameterError
from casestudies.scenarios.fraud import MECHANISMS
from casestudies.scenarios.fraud._daily import FraudPlan, plan_blocks
from casestudies.scenarios.fraud._traffic import DAY

PARAMS = {**cs.spec("fraud-v2").defaults, "n_customers": 300, "n_days": 21, "n_test_days": 7}


def _plan(seed: int = 0, **params: object) -> FraudPlan:
    return plan_blocks({**PARAMS, **params}, np.random.default_rng(seed))


def test_rows_in_any_pieces_are_the_whole_log() -> None:
    plan = _plan()
    cuts = np.random.default_rng(5)
    for frame in ("train", "test"):
        n_rows = plan.n_rows(frame)
        whole, truth = plan.rows(frame, 0, n_rows)
        assert len(whole) == len(truth) == n_rows > 1_000
        bounds = np.unique(np.r_[0, cuts.integers(0, n_rows, 12), n_rows])  # uneven pieces, some inside a day
        fresh = _plan()  # nothing kept from generating the whole: each piece from scratch
        pieces = [fresh.rows(frame, int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        pd.testing.assert_frame_equal(pd.concat([rows for rows, _ in pieces], ignore_index=True), whole)
        pd.testing.assert_frame_equal(pd.concat([t for _, t in pieces], ignore_index=True), truth)


def test_a_range_draws_only_the_days_it_falls_on(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan()
    drawn: list[int] = []
    genuine = FraudPlan._genuine
    monkeypatch.setattr(FraudPlan, "_genuine", lambda self, day: drawn.append(day) or genuine(self, day))
    before = np.r_[0, np.cumsum(plan.day_rows)]  # rows before each day (train starts on day 0)
    start, stop = int(before[5]) + 10, int(before[7]) + 10  # from inside day 5 to inside day 7
    rows, _ = plan.rows("train", start, stop)
    assert sorted(set(drawn)) == [5, 6, 7]
    days = (rows["timestamp"] - pd.Timestamp(PARAMS["start_date"])) // pd.Timedelta(seconds=DAY)
    assert days.iloc[0] == 5 and days.iloc[-1] == 7 and days.is_monotonic_increasing


def test_the_days_row_counts_are_known_before_the_days_are_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan(seed=3)
    monkeypatch.setattr(FraudPlan, "_genuine", lambda self, day: pytest.fail("counting drew a whole day"))
    counts = plan.day_rows.copy()
    monkeypatch.undo()
    settings = plan.settings
    assert counts.size == settings.n_total  # the label-delay gap included: ids run through it
    train, _ = plan.rows("train", 0, plan.n_rows("train"))
    test, _ = plan.rows("test", 0, plan.n_rows("test"))
    days = (train["timestamp"] - pd.Timestamp(PARAMS["start_date"])) // pd.Timedelta(seconds=DAY)
    np.testing.assert_array_equal(np.bincount(days, minlength=settings.n_days), counts[: settings.n_days])
    # ids increase by one a transaction, through the gap: the first test id skips exactly the gap's rows
    gap = counts[settings.n_days : settings.n_days + settings.delay].sum()
    assert test["transaction_id"].iloc[0] - train["transaction_id"].iloc[-1] == gap + 1


def test_a_pickled_plan_gives_the_same_rows_without_recounting(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan(seed=2)
    expected, _ = plan.rows("test", 100, 900)
    shipped = pickle.loads(pickle.dumps(plan))
    assert len(pickle.dumps(plan)) < 10_000  # parameters, seed and day counts; no data
    monkeypatch.setattr(FraudPlan, "_genuine_counts", lambda *a: pytest.fail("the shipped plan recounted"))
    assert shipped.n_rows("test") == plan.n_rows("test")
    monkeypatch.undo()
    pd.testing.assert_frame_equal(shipped.rows("test", 100, 900)[0], expected)


def test_rows_outside_the_frame_are_refused() -> None:
    plan = _plan()
    with pytest.raises(IndexError, match=r"rows 0:\d+ of 'test', which holds"):
        plan.rows("test", 0, plan.n_rows("test") + 1)
    with pytest.raises(ValueError, match="frame must be 'train' or 'test'; got 'holdout'"):
        plan.rows("holdout", 0, 1)


def test_messages_name_fraud_v2() -> None:
    with pytest.raises(InvalidParameterError, match=r"^make\('fraud-v2'\): start_date must be an ISO date"):
        cs.make("fraud-v2", seed=0, start_date="06/01/2025")
    with pytest.raises(InvalidParameterError, match=r"^fraud-v2: start_date 2262-03-01 plus the simulated"):
        cs.make("fraud-v2", seed=0, start_date="2262-03-01")


def _statistics(scenario_id: str, seed: int) -> dict[str, float]:
    case = cs.make(scenario_id, seed=seed, n_customers=800, n_days=28, n_test_days=7)
    train = case.train
    time = pd.to_datetime(train["timestamp"])
    days = (time - time.dt.normalize().min()).dt.days
    per_day = np.bincount(days)
    weekday = time.dt.day_of_week.to_numpy()
    busy = np.isin(weekday, [4, 5]).mean() / 2  # share of a Friday or Saturday
    quiet = (weekday == 6).mean()
    truth = case.reveal()
    return {
        "payments_per_customer_day": per_day.mean() / 800,
        "friday_saturday_over_sunday": busy / quiet,
        "night_share": (time.dt.hour < 6).mean(),
        "fraud_rate": train["is_fraud"].mean(),
        "online_share": (train["channel"] == "online").mean(),
        "median_amount": train["amount"].median(),
        **{f"test_share_{name}": (truth["mechanism"] == name).mean() for name in MECHANISMS[1:]},
    }


@pytest.mark.slow  # 16 cases of about 45,000 rows
def test_the_log_has_fraud_v1_statistics() -> None:
    """Every statistic's mean over 8 seeds agrees with fraud-v1's within 4 standard errors of the difference.

    The two draw the same processes (fraud-v1 thins a peak-rate Poisson process by weekday, fraud-v2 draws
    each day's Poisson counts at the weekday's rate), so only seed-to-seed noise separates them; a rate,
    a weekday factor or a mechanism left out of fraud-v2 moves a mean by many standard errors.
    """
    seeds = range(8)
    v1 = pd.DataFrame([_statistics("fraud-v1", seed) for seed in seeds])
    v2 = pd.DataFrame([_statistics("fraud-v2", seed) for seed in seeds])
    difference = v2.mean() - v1.mean()
    error = np.sqrt(v1.var() / len(v1) + v2.var() / len(v2))
    assert (difference.abs() <= 4 * error).all(), pd.DataFrame({"v1": v1.mean(), "v2": v2.mean(), "se": error})
    # and the designed levels themselves: 2 payments a customer a day, busier Fridays and Saturdays
    assert 1.9 <= v2["payments_per_customer_day"].mean() <= 2.1
    assert v2["friday_saturday_over_sunday"].mean() > 1.15  # 1.10 / 0.88 = 1.25 by design
    assert 0.003 <= v2["fraud_rate"].mean() <= 0.008  # "well under 1 %", as the prompt says
    assert (v2.filter(like="test_share_").mean() > 0).all()  # every mechanism is at work
