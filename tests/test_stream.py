"""Streamed generation: partitioned Parquet with make's bytes, the holdout apart, and scoring from disk."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.case import host_view
from casestudies.core import fingerprint, fingerprint_chunks, fingerprint_dataset, write_partitions
from casestudies.exceptions import InvalidParameterError

# Small enough for CI (about 4,000 training and 2,000 test rows), large enough for several partitions;
# four times the fraud rate so that the holdout holds positives (44 at this seed) and every metric is defined.
PARAMS = {"n_customers": 150, "n_days": 14, "n_test_days": 7, "fraud_intensity": 4.0}
SEED = 11


@pytest.fixture(scope="module")
def case():
    return cs.make("fraud-v1", seed=SEED, **PARAMS)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    out = tmp_path_factory.mktemp("fraud")
    manifest = cs.generate("fraud-v1", seed=SEED, out=out, partition_rows=997, **PARAMS)
    return out, manifest


@pytest.mark.slow  # three generations: about 2 s on 2 cores
@pytest.mark.parametrize("partition_rows", [997, 2_500, 10**7])
def test_stream_has_the_fingerprint_and_rows_of_make(case, tmp_path, partition_rows):
    manifest = cs.generate("fraud-v1", seed=SEED, out=tmp_path, partition_rows=partition_rows, **PARAMS)
    assert manifest["fingerprint"] == case.fingerprint
    learner = tmp_path / "learner"
    # recomputed from the files alone, one column of one partition at a time
    assert fingerprint_dataset(learner / "train", learner / "test") == case.fingerprint
    n_files = len(list((learner / "train").glob("part-*.parquet")))
    assert n_files == -(-len(case.train) // partition_rows)
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "train"), case.train)
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "test"), case.test)


def test_learner_folder_holds_no_label_and_host_holds_the_holdout(case, streamed):
    out, manifest = streamed
    learner_files = {path.relative_to(out / "learner").as_posix() for path in (out / "learner").rglob("*")}
    assert {"prompt.md", "data_card.json", "manifest.json"} <= learner_files
    test = pd.read_parquet(out / "learner" / "test")
    assert case.target not in test.columns
    holdout = pd.read_parquet(out / "host" / "holdout")
    hidden = host_view(case).holdout
    np.testing.assert_array_equal(holdout["label"].to_numpy(), hidden.labels)
    np.testing.assert_array_equal(holdout["part"].to_numpy() == 0, hidden.parts["public"])
    np.testing.assert_array_equal(holdout["truth_probability"].to_numpy(), hidden.truth["probability"].to_numpy())
    np.testing.assert_array_equal(holdout[case.id_column].to_numpy(), case.test[case.id_column].to_numpy())
    assert json.loads((out / "host" / "manifest.json").read_text())["fingerprint"] == manifest["fingerprint"]


def _scores_for(test: pd.DataFrame) -> np.ndarray:
    # An informative, tied-in-places score: large night-time amounts rank first.
    hour = pd.to_datetime(test["timestamp"]).dt.hour.to_numpy()
    return np.round(np.log1p(test["amount"].to_numpy()), 1) + (hour < 6)


def test_scoring_a_predictions_dataset_equals_scoring_in_memory(case, streamed, tmp_path):
    out, _ = streamed
    values = _scores_for(case.test)
    predictions = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": values})
    write_partitions(predictions, tmp_path / "predictions", partition_rows=1_500)  # not the holdout's 997
    streamed_scores = cs.score_dataset(out / "host", tmp_path / "predictions")
    in_memory = host_view(case).score_values(values, name="mine").entry.scores
    assert in_memory["private"]["n_positives"]["estimate"] >= 20  # no NaN metric: equality below means something
    assert streamed_scores == in_memory


def test_scoring_refuses_predictions_out_of_order_or_short(case, streamed, tmp_path):
    out, _ = streamed
    values = _scores_for(case.test)
    shuffled = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": values}).iloc[::-1]
    shuffled.to_parquet(tmp_path / "reversed.parquet")
    with pytest.raises(InvalidParameterError, match=r"predictions must be in test order; row 0 has the wrong"):
        cs.score_dataset(out / "host", tmp_path / "reversed.parquet")
    shuffled.iloc[::-1].iloc[:-5].to_parquet(tmp_path / "short.parquet")
    expected = re.escape(f"expected {len(case.test):,} predictions, one per test row")
    with pytest.raises(InvalidParameterError, match=expected):
        cs.score_dataset(out / "host", tmp_path / "short.parquet")


def test_chunked_fingerprint_equals_whole_with_text_and_empty_chunks():
    frame = pd.DataFrame(
        {
            "n": np.arange(7),
            "text": pd.Series(["a", None, "b", "c", "d", "e", "f"], dtype=object),
            "kind": pd.Categorical(list("xyxyxyz"), categories=list("zyx")),
        }
    )

    def chunks(column):  # an empty chunk first and in the middle, uneven sizes
        series = frame[column]
        return (series[:0], series[:3], series[3:3], series[3:])

    assert fingerprint_chunks([(len(frame), list(frame.columns), chunks)]) == fingerprint(frame)


def test_partition_rows_must_be_positive(tmp_path):
    with pytest.raises(InvalidParameterError, match="partition_rows must be an int"):
        cs.generate("fraud-v1", seed=0, out=tmp_path, partition_rows=0, **PARAMS)


@pytest.mark.slow  # starts two local Dask clusters: about 8 s on 2 cores
@pytest.mark.parametrize("workers", [1, 2])
def test_dask_engine_writes_the_same_bytes(case, tmp_path, workers):
    manifest = cs.generate(
        "fraud-v1", seed=SEED, out=tmp_path, partition_rows=997, engine="dask", workers=workers, **PARAMS
    )
    learner = tmp_path / "learner"
    assert manifest["fingerprint"] == case.fingerprint
    assert fingerprint_dataset(learner / "train", learner / "test") == case.fingerprint
    local = pd.read_parquet(tmp_path / "host" / "holdout")
    np.testing.assert_array_equal(local["label"].to_numpy(), host_view(case).holdout.labels)


def test_engine_options_are_checked(tmp_path):
    with pytest.raises(InvalidParameterError, match=r"engine must be one of .local., .dask.; got .spark."):
        cs.generate("fraud-v1", seed=0, out=tmp_path, engine="spark", **PARAMS)
    with pytest.raises(InvalidParameterError, match=r"workers and scheduler apply to engine='dask'"):
        cs.generate("fraud-v1", seed=0, out=tmp_path, workers=2, **PARAMS)
