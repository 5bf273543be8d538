"""Submission validation hardened: every problem at once, true messages, scores by rank, natural forms.

Each test here pins a behaviour a user or an interviewer ran into: a
validator that stopped at its first stage, a message that miscounted or
printed a wrapped-around id, log-odds refused by metrics that only read the
order of the scores, and ``predict_proba`` output or ``case.test.assign(...)``
refused although nothing about them is ambiguous.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from scipy.stats import rankdata

import casestudies as cs
from casestudies.core import BOARD_ONLY_METRICS, METRICS, catalog_dir
from casestudies.exceptions import Problem, ProblemCode, SubmissionError, SubmissionWarning
from casestudies.scenarios.movies import GlobalMean, MostPopular
from casestudies.scoring import BinaryTask, SubmissionContext, binary_metrics
from casestudies.scoring._binary import (
    PROBABILITY_METRICS,
    RANK_BASED_METRICS,
    SCORE_FREE_METRICS,
    probability_reason,
    wants_probabilities,
)
from casestudies.scoring._submission import validate_binary

IDS = np.array([10, 11, 12, 13], dtype=np.int64)
SMALL_RATING = {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 2_000}
SMALL_TOPN = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}


def problems_of(call: object, *args: object, **kwargs: object) -> tuple[Problem, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's cast warnings and pandas' warnings are bugs here
        with pytest.raises(SubmissionError) as info:
            call(*args, **kwargs)  # type: ignore[operator]
    assert type(info.value) is SubmissionError
    return info.value.problems


def scores_json(report: cs.Report) -> str:
    """Every metric, estimate and interval of a report's submission (JSON: NaN compares equal)."""
    return json.dumps(report.to_dict()["submission"]["scores"], sort_keys=True)


@pytest.fixture(scope="module")
def fraud() -> cs.Case:
    return cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)


@pytest.fixture(scope="module")
def rating() -> cs.Case:
    return cs.make("movies-rating-v1", seed=0, **SMALL_RATING)


@pytest.fixture(scope="module")
def topn() -> cs.Case:
    return cs.make("movies-topn-v1", seed=0, **SMALL_TOPN)


# -- item 11: every problem at once, and messages that are true ------------------------------


def test_duplicate_ids_nan_and_out_of_range_are_all_reported() -> None:
    frame = pd.DataFrame({"row_id": [10, 10, 11, 12], "prediction": [np.nan, 1.5, 0.3, -0.25]})
    problems = problems_of(validate_binary, frame, scenario_id="demo-v1", ids=IDS, id_column="row_id")
    assert problems == (
        Problem(
            ProblemCode.DUPLICATE_IDS,
            "each row_id once",
            "1 repeated id, e.g. [10]",
            "Keep one prediction per id (drop_duplicates).",
        ),
        Problem(
            ProblemCode.MISSING_IDS,
            "a prediction for every one of the 4 test ids",
            "none for 1 id, e.g. [13]",
            "Predict on every row of case.test without filtering.",
        ),
        Problem(
            ProblemCode.NON_FINITE,
            "finite numbers",
            "1 NaN or infinite values at ids [10]",
            "Impute or fix the rows your pipeline could not score; every row needs a number.",
        ),
        Problem(
            ProblemCode.OUT_OF_RANGE,
            "probabilities in [0, 1]",
            "2 values outside, range [-0.25, 1.5]",
            "Use predict_proba(X)[:, 1], or map scores through a sigmoid (scipy.special.expit).",
        ),
    )


def test_values_are_checked_whatever_is_wrong_with_the_shape() -> None:
    by_pair = pd.Series([0.1, np.nan, 0.3, 0.4], index=pd.MultiIndex.from_arrays([IDS, IDS]))
    problems = problems_of(validate_binary, by_pair, scenario_id="demo-v1", ids=IDS, id_column="row_id")
    assert [p.code for p in problems] == [ProblemCode.WRONG_SHAPE, ProblemCode.NON_FINITE]
    assert problems[1].received == "1 NaN or infinite values at positions [1]"


def test_a_table_read_in_order_is_length_checked() -> None:
    for in_order in (pd.DataFrame({"prediction": [0.1, 0.2]}), pd.DataFrame({0: [0.9, 0.8], 1: [0.1, 0.2]})):
        (problem,) = problems_of(validate_binary, in_order, scenario_id="demo-v1", ids=IDS, id_column="row_id")
        assert problem == Problem(
            ProblemCode.WRONG_LENGTH,
            "4 predictions (one per holdout row)",
            "2",
            "Predict on case.test without dropping or adding rows.",
        )


def test_three_text_ids_among_thousands_are_three_unknown_ids(fraud: cs.Case, tmp_path: Path) -> None:
    ids = fraud.test[fraud.id_column].to_numpy()
    frame = pd.DataFrame({fraud.id_column: ids.astype(str), "prediction": 0.5})
    frame.loc[[5, 6, 7], fraud.id_column] = ["x", "y", "z"]
    path = tmp_path / "predictions.csv"
    frame.to_csv(path, index=False)
    unknown, missing = problems_of(fraud.score, path, baselines=False)
    assert unknown.code is ProblemCode.UNKNOWN_IDS
    assert unknown.received == (
        "3 ids that are not in the test set, e.g. ['x', 'y', 'z'] (3 of them not whole numbers, unlike the test ids)"
    )
    assert missing.code is ProblemCode.MISSING_IDS
    assert missing.received == f"none for 3 ids, e.g. [{ids[5]}, {ids[6]}, {ids[7]}]"


def test_one_text_rating_is_one_problem_not_a_range_error(rating: cs.Case) -> None:
    pairs = rating.test[["user_id", "movie_id"]].assign(rating=3.5).astype({"rating": object})
    pairs.loc[pairs.index[4], "rating"] = "four"
    (problem,) = problems_of(rating.score, pairs, baselines=False)
    assert problem == Problem(
        ProblemCode.NON_NUMERIC,
        "numbers",
        "1 value that is not a number, e.g. ['four'] at positions [4]",
        "Convert predictions to floats (predicted stars), not labels or text.",
    )
    in_order = np.full(len(rating.test), 3.5).astype(object)
    in_order[2] = "four"
    (problem,) = problems_of(rating.score, in_order, baselines=False)
    assert problem.code is ProblemCode.NON_NUMERIC and problem.received.endswith("at positions [2]")


def test_ratings_are_range_checked_even_with_nan(rating: cs.Case) -> None:
    values = np.full(len(rating.test), 3.5)
    values[[1, 2]] = [np.nan, 7.0]
    problems = problems_of(rating.score, values, baselines=False)
    assert [p.code for p in problems] == [ProblemCode.NON_FINITE, ProblemCode.OUT_OF_RANGE]
    assert problems[1].received == "1 value outside, range [3.5, 7]"


def test_text_user_ids_do_not_hide_the_other_problems(rating: cs.Case) -> None:
    pairs = rating.test[["user_id", "movie_id"]].assign(rating=3.5).astype({"user_id": object})
    pairs.loc[pairs.index[0], "user_id"] = "someone"
    pairs.loc[pairs.index[1], "rating"] = np.nan
    pairs.loc[pairs.index[2], "rating"] = 9.0
    first = tuple(rating.test[["user_id", "movie_id"]].iloc[0])
    problems = problems_of(rating.score, pairs, baselines=False)
    assert [p.code for p in problems] == [
        ProblemCode.NON_NUMERIC,
        ProblemCode.MISSING_IDS,
        ProblemCode.NON_FINITE,
        ProblemCode.OUT_OF_RANGE,
    ]
    assert problems[0].received == "1 missing or non-integer values, e.g. ['someone']"
    assert problems[1].received == f"none for 1 pair, e.g. [{first}]"


def test_topn_text_ids_do_not_hide_the_other_problems(topn: cs.Case) -> None:
    users = topn.test["user_id"].to_numpy()
    table = MostPopular().fit(topn.train).recommend(users, 10).astype({"movie_id": object})
    table.loc[table.index[0], "movie_id"] = "Heat (1995)"
    table.loc[table.index[15], "rank"] = 12
    problems = problems_of(topn.score, table, baselines=False)
    assert [p.code for p in problems] == [ProblemCode.NON_NUMERIC, ProblemCode.BAD_RANKS]
    assert problems[0].received == "1 missing or non-integer values, e.g. ['Heat (1995)']"
    assert problems[1].received.startswith(f"1 user whose ranks are not 1..10, e.g. [{table['user_id'].iloc[15]}]")


@pytest.mark.parametrize("huge", [2**64, -(2**63) - 1, "18446744073709551616", 1e30])
def test_ids_beyond_int64_are_unknown_ids_shown_as_given(rating: cs.Case, topn: cs.Case, huge: object) -> None:
    pairs = rating.test[["user_id", "movie_id"]].assign(rating=3.5).astype({"user_id": object})
    pairs.loc[pairs.index[0], "user_id"] = huge
    unknown, _missing = problems_of(rating.score, pairs, baselines=False)  # no RuntimeWarning: they are errors
    assert unknown.code is ProblemCode.UNKNOWN_IDS
    assert unknown.received == f"1 row with user ids that do not exist, e.g. [{huge!r}]"
    assert "-9223372036854775808" not in unknown.received
    table = MostPopular().fit(topn.train).recommend(topn.test["user_id"].to_numpy(), 10).astype({"user_id": object})
    table.loc[table.index[0], "user_id"] = huge
    problems = problems_of(topn.score, table, baselines=False)
    assert problems[0] == Problem(
        ProblemCode.UNKNOWN_IDS,
        "user ids from case.test['user_id']",
        f"1 row with user ids that do not exist, e.g. [{huge!r}]",
        "Only use user ids listed in case.test['user_id'].",
    )


def test_a_binary_id_beyond_int64_is_an_unknown_id() -> None:
    frame = pd.DataFrame({"row_id": np.array([10, 11, 12, 2**64], dtype=object), "prediction": 0.5})
    unknown, missing = problems_of(validate_binary, frame, scenario_id="demo-v1", ids=IDS, id_column="row_id")
    assert unknown.received == "1 id that is not in the test set, e.g. [18446744073709551616]"
    assert missing.received == "none for 1 id, e.g. [13]"


def test_echoed_values_are_cut_to_80_characters() -> None:
    values = np.array(["x" * 10_000, 0.2, 0.3, 0.4], dtype=object)
    (problem,) = problems_of(validate_binary, values, scenario_id="demo-v1", ids=IDS, id_column="row_id")
    assert problem.received == f"1 value that is not a number, e.g. ['{'x' * 78}…] at positions [0]"


# -- item 12: rank metrics take any finite score --------------------------------------------------


def test_every_binary_metric_is_declared_rank_based_score_free_or_probability() -> None:
    binary = {info.name for info in (*METRICS, *BOARD_ONLY_METRICS) if info.task == "binary"}
    groups = [RANK_BASED_METRICS, SCORE_FREE_METRICS, frozenset(PROBABILITY_METRICS)]
    assert set().union(*groups) == binary
    assert sum(len(group) for group in groups) == len(binary)  # each metric in exactly one group


def test_rank_based_metrics_do_not_move_under_monotone_maps(fraud: cs.Case) -> None:
    truth = fraud.reveal()
    labels = truth[fraud.target].to_numpy()
    p = truth["probability"].to_numpy()
    costs = fraud.test["amount"].to_numpy()
    # Rounding makes ties, so the tie rules (levels, the cut inside a tied group) are exercised too.
    for scores in (p, np.round(p, 3)):
        reference = binary_metrics(labels, scores, costs=costs, alert_budget=0.02)
        for mapped in (logit(scores.clip(1e-12, 1 - 1e-12)), rankdata(scores), 3.0 * scores - 7.0, np.sqrt(scores)):
            metrics = binary_metrics(labels, mapped, costs=costs, alert_budget=0.02)
            for name in RANK_BASED_METRICS:
                assert metrics[name] == pytest.approx(reference[name], rel=1e-12, abs=1e-15), name


def test_fraud_takes_log_odds_and_ranks_and_scores_them_identically(fraud: cs.Case) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    assert p.min() > 0.0 and p.max() < 1.0  # so every log-odds is finite
    expected = scores_json(fraud.score(p, baselines=False))
    assert scores_json(fraud.score(logit(p), baselines=False)) == expected
    assert scores_json(fraud.score(rankdata(p), baselines=False)) == expected
    assert scores_json(fraud.score(rankdata(p) - 1e6, baselines=False)) == expected


def test_every_binary_catalog_scenario_takes_any_finite_score() -> None:
    shipped = [cs.spec(path.stem) for path in sorted(catalog_dir().glob("*-v*.toml"))]
    assert len(shipped) >= 6
    for spec in shipped:
        if spec.task != "binary":
            continue
        assert probability_reason(spec.scoring, metrics=(spec.metric, *spec.secondary_metrics)) is None, spec.id
        assert "a probability, a log-odds or a rank scores the same" in " ".join(spec.prompt.split()), spec.id
        assert "monotone score works for the main metric" not in spec.prompt


def test_a_metric_that_needs_probabilities_is_named_with_its_reason(fraud: cs.Case) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    ids = fraud.test[fraud.id_column].to_numpy()
    context = SubmissionContext(
        "fraud-v1", fraud.id_column, pd.DataFrame({fraud.id_column: ids}), {"metrics": ["accuracy"]}
    )
    (problem,) = problems_of(BinaryTask().validate, logit(p), context)
    assert problem.code is ProblemCode.OUT_OF_RANGE
    assert problem.expected == (
        "probabilities in [0, 1] (accuracy reads a score at or above 0.5 as a positive prediction)"
    )
    np.testing.assert_array_equal(BinaryTask().validate(p, context), p)


def test_without_metrics_the_declared_reading_is_kept() -> None:
    # A leaderboard decides before it knows its metric's needs: probabilities unless the table says scores.
    assert wants_probabilities({}) is True
    assert wants_probabilities({"predictions": "score"}) is False
    assert wants_probabilities({}, metrics=["roc_auc", "average_precision"]) is False
    assert wants_probabilities({"predictions": "score"}, metrics=["accuracy"]) is True
    assert probability_reason({"predictions": "probability"}, metrics=["roc_auc"]) == (
        "the scoring settings declare predictions = 'probability'"
    )


# -- item 13: natural submissions --------------------------------------------------------------------


def test_predict_proba_output_is_read_as_the_positive_class(fraud: cs.Case) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    expected = scores_json(fraud.score(p, baselines=False))
    proba = np.column_stack([1.0 - p, p])
    for form in (proba, proba.astype(np.float32), pd.DataFrame(proba), pd.DataFrame(proba, columns=[False, True])):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            report = fraud.score(form, baselines=False)
        if form is proba or isinstance(form, pd.DataFrame):
            assert scores_json(report) == expected
    ids = fraud.test[fraud.id_column].to_numpy()
    by_id = pd.DataFrame(proba, index=pd.Index(ids, name=fraud.id_column)).iloc[::-1]
    assert scores_json(fraud.score(by_id, baselines=False)) == expected


def test_two_columns_that_are_not_unambiguously_predict_proba_are_refused_with_a_hint(fraud: cs.Case) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    (named,) = problems_of(fraud.score, pd.DataFrame({"legit": 1.0 - p, "fraud": p}), baselines=False)
    assert named.code is ProblemCode.WRONG_COLUMNS
    assert named.hint.startswith("These look like predict_proba output: keep only the positive class, proba[:, 1].")
    (unnormalised,) = problems_of(fraud.score, np.column_stack([p, p]), baselines=False)
    assert unnormalised.code is ProblemCode.WRONG_SHAPE
    assert unnormalised.hint == "If these come from predict_proba, pass proba[:, 1]."


def test_case_test_with_a_prediction_column_is_accepted_with_a_warning(fraud: cs.Case) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    expected = scores_json(fraud.score(p, baselines=False))
    extra = [column for column in fraud.test.columns if column != fraud.id_column]
    listed = re.escape(str(extra))
    with pytest.warns(SubmissionWarning, match=rf"the submission's columns {listed} were ignored") as caught:
        report = fraud.score(fraud.test.assign(prediction=p).sample(frac=1.0, random_state=2), baselines=False)
    assert scores_json(report) == expected
    assert caught[0].filename == __file__  # attributed to the caller's line, not ours


def test_a_csv_saved_with_its_index_is_accepted_with_the_fix_in_the_warning(fraud: cs.Case, tmp_path: Path) -> None:
    p = fraud.reveal()["probability"].to_numpy()
    path = tmp_path / "predictions.csv"
    pd.DataFrame({fraud.id_column: fraud.test[fraud.id_column], "prediction": p}).to_csv(path)
    with pytest.warns(SubmissionWarning, match=re.escape("['Unnamed: 0'] were ignored")) as caught:
        report = fraud.score(path, baselines=False)
    assert "to_csv(index=False)" in str(caught[0].message)
    assert scores_json(report) == scores_json(fraud.score(p, baselines=False))


@pytest.mark.parametrize(
    ("columns", "hint"),
    [
        ({"prediction": 0.5, "score": 0.5}, "Keep the id column 'row_id' so rows can be matched"),
        ({"row_id": IDS, "prediction": 0.5, "id": IDS}, "Build it as"),
        ({"row_id": IDS, "prediction": 0.5, "predictions": 0.5}, None),
    ],
    ids=["no-id", "two-ids", "near-duplicate-name"],
)
def test_ambiguous_tables_are_refused_with_a_hint(columns: dict[str, object], hint: str | None) -> None:
    frame = pd.DataFrame(columns, index=range(4))
    if hint is None:  # 'predictions' is just another column: accepted, and named in the warning
        with pytest.warns(SubmissionWarning, match=re.escape("['predictions'] were ignored")):
            validate_binary(frame, scenario_id="demo-v1", ids=IDS, id_column="row_id")
        return
    (problem,) = problems_of(validate_binary, frame, scenario_id="demo-v1", ids=IDS, id_column="row_id")
    assert problem.code is ProblemCode.WRONG_COLUMNS and problem.hint.startswith(hint)
    two_names = pd.DataFrame([[10, 0.5, 0.5]], columns=["row_id", "prediction", "prediction"])
    (repeated,) = problems_of(validate_binary, two_names, scenario_id="demo-v1", ids=IDS[:1], id_column="row_id")
    assert repeated.hint.startswith("Give each column its own name (['prediction'] appear more than once).")


def test_rating_takes_case_test_assign_rating(rating: cs.Case) -> None:
    predictions = GlobalMean().fit(rating.train).predict(rating.test)
    expected = scores_json(rating.score(predictions, baselines=False))
    ignored = re.escape("the submission's columns ['rating_id', 'timestamp'] were ignored")
    with pytest.warns(SubmissionWarning, match=ignored):
        report = rating.score(rating.test.assign(rating=predictions).iloc[::-1], baselines=False)
    assert scores_json(report) == expected
    with pytest.warns(SubmissionWarning, match=re.escape("['rating_id', 'timestamp'] were ignored")):
        assert scores_json(rating.score(rating.test.assign(prediction=predictions), baselines=False)) == expected
    by_id = pd.DataFrame({"rating_id": rating.test["rating_id"], "rating": predictions}).iloc[::-1]
    assert scores_json(rating.score(by_id, baselines=False)) == expected
    both = rating.test.assign(rating=predictions, prediction=predictions)
    (problem,) = problems_of(rating.score, both, baselines=False)
    assert (
        problem.code is ProblemCode.WRONG_COLUMNS
        and problem.hint == "Keep one of the columns 'rating' and 'prediction'."
    )


def test_topn_takes_a_table_with_an_extra_column(topn: cs.Case) -> None:
    users = topn.test["user_id"].to_numpy()
    table = MostPopular().fit(topn.train).recommend(users, 10)
    expected = scores_json(topn.score(table, baselines=False))
    with pytest.warns(SubmissionWarning, match=re.escape("the submission's columns ['score'] were ignored")):
        report = topn.score(table.assign(score=-table["rank"]).sample(frac=1.0, random_state=0), baselines=False)
    assert scores_json(report) == expected
    (problem,) = problems_of(topn.score, table.rename(columns={"rank": "position"}), baselines=False)
    assert problem.expected == "exactly the columns user_id, movie_id, rank"
    assert "other columns are ignored" in problem.hint
