"""Small reports of every kind, built once per test session, for the figure and HTML-report tests.

Sizes are the smallest at which every figure exists (the overfit case spans
enough months for its month-effect figure, the top-N case has cold-start
users): each report takes one to five seconds on two busy cores.
"""

from __future__ import annotations

import functools

import casestudies as cs
from casestudies.report import Report

FRAUD_SMALL = {"n_customers": 300, "n_days": 35}
OVERFIT_SMALL = {"n_train": 600, "n_test": 400, "n_noise_features": 10}
RATING_SMALL = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}
HOUSES_SMALL = {"n_train": 400, "n_test": 300}
TOPN_SMALL = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}

KINDS = ("fraud", "overfit", "rating", "topn", "houses")
"""Every report kind: binary, binary with the overfit diagnostics, movie ratings, movie top-N, regression with the
assumption checks."""


@functools.cache
def fraud_case(seed: int = 1) -> cs.Case:
    return cs.make("fraud-v1", seed=seed, **FRAUD_SMALL)


@functools.cache
def report(kind: str, seed: int = 1) -> Report:
    """The report of ``kind`` on a small case of seed ``seed`` (computed once per session)."""
    if kind == "fraud":
        from casestudies.scenarios.fraud import simple_baseline

        return fraud_case(seed).evaluate(simple_baseline())
    if kind == "overfit":
        from casestudies.scenarios.overfit import naive_pipeline

        return cs.make("overfit-leaky-v1", seed=seed, **OVERFIT_SMALL).evaluate(naive_pipeline())
    if kind == "houses":
        from casestudies.scenarios.houses import linear_pipeline

        return houses_case(seed).evaluate(linear_pipeline())
    if kind == "rating":
        from casestudies.scenarios.movies import BiasBaseline

        return cs.make("movies-rating-v1", seed=seed, **RATING_SMALL).evaluate(BiasBaseline(), diagnostics=None)
    from casestudies.scenarios.movies import ItemKNN

    return cs.make("movies-topn-v1", seed=seed, **TOPN_SMALL).evaluate(ItemKNN(), diagnostics=None)


@functools.cache
def houses_case(seed: int = 1) -> cs.Case:
    return cs.make("houses-v1", seed=seed, **HOUSES_SMALL)


@functools.cache
def houses_report(seed: int = 1) -> Report:
    """A regression report with prediction intervals: the linear pipeline's predictions -/+ a fixed half-width."""
    import pandas as pd

    from casestudies.scenarios.houses import linear_pipeline

    case = houses_case(seed)
    model = linear_pipeline().fit(case.train.drop(columns=[case.target]), case.train[case.target])
    points = model.predict(case.test)
    frame = pd.DataFrame(
        {case.id_column: case.test[case.id_column], "prediction": points, "lower": points - 3e4, "upper": points + 3e4}
    )
    return case.score(frame)
