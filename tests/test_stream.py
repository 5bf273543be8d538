"""Streamed generation: partitioned Parquet with make's bytes, the holdout apart, and scoring from disk.

Each test runs on fraud-v1 (generated whole, then written) and fraud-v2 (generated a day at a time, a
partition at a time, by its block plan): both paths must give make's bytes.
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import casestudies as cs
from casestudies.case import host_view
from casestudies.core import as_written, fingerprint, fingerprint_chunks, fingerprint_dataset, write_partitions
from casestudies.exceptions import InvalidParameterError

# Small enough for CI (about 4,000 training and 2,000 test rows), large enough for several partitions;
# four times the fraud rate so that the holdout holds positives (44 at this seed) and every metric is defined.
PARAMS = {"n_customers": 150, "n_days": 14, "n_test_days": 7, "fraud_intensity": 4.0}
SEED = 11
WHOLE, BLOCKS = "fraud-v1", "fraud-v2"


@pytest.fixture(scope="module", params=[WHOLE, BLOCKS])
def scenario_id(request):
    return request.param


@pytest.fixture(scope="module")
def case(scenario_id):
    return cs.make(scenario_id, seed=SEED, **PARAMS)


@pytest.fixture(scope="module")
def streamed(tmp_path_factory, scenario_id):
    out = tmp_path_factory.mktemp("fraud")
    manifest = cs.generate(scenario_id, seed=SEED, out=out, partition_rows=997, **PARAMS)
    return out, manifest


@pytest.mark.slow  # three generations: about 2 s on 2 cores
@pytest.mark.parametrize("partition_rows", [997, 2_500, 10**7])
def test_stream_has_the_fingerprint_and_rows_of_make(scenario_id, case, tmp_path, partition_rows):
    manifest = cs.generate(scenario_id, seed=SEED, out=tmp_path, partition_rows=partition_rows, **PARAMS)
    assert manifest["fingerprint"] == case.fingerprint
    learner = tmp_path / "learner"
    # recomputed from the files alone, one column of one partition at a time
    assert fingerprint_dataset(learner / "train", learner / "test") == case.fingerprint
    n_files = len(list((learner / "train").glob("part-*.parquet")))
    assert n_files == -(-len(case.train) // partition_rows)
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "train"), case.train)
    pd.testing.assert_frame_equal(pd.read_parquet(learner / "test"), case.test)
    assert json.loads((learner / "data_card.json").read_text()) == json.loads(json.dumps(case.data_card, default=str))


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


def test_a_folder_holding_a_case_is_refused_and_nothing_is_left_half_written(scenario_id, streamed, tmp_path):
    out, manifest = streamed
    before = sorted(path.relative_to(out) for path in out.rglob("*"))
    with pytest.raises(InvalidParameterError, match=r"already holds learner/ and host/ of a generated case"):
        cs.generate(scenario_id, seed=SEED + 1, out=out, **PARAMS)
    assert sorted(path.relative_to(out) for path in out.rglob("*")) == before  # the first case is untouched
    assert not list(out.glob(".generating-*"))  # no staging folder left behind
    assert (out / "host").stat().st_mode & 0o077 == 0  # the hidden holdout is the owner's alone

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    fresh = tmp_path / "fresh"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("casestudies.case._generate._write_manifests", interrupted)
        with pytest.raises(KeyboardInterrupt):
            cs.generate(scenario_id, seed=SEED, out=fresh, partition_rows=997, **PARAMS)
    assert list(fresh.iterdir()) == []  # partitions were written, then removed with their staging folder
    assert cs.generate(scenario_id, seed=SEED, out=fresh, **PARAMS)["fingerprint"] == manifest["fingerprint"]


def test_partition_rows_must_be_positive(tmp_path):
    with pytest.raises(InvalidParameterError, match="partition_rows must be an int"):
        cs.generate("fraud-v1", seed=0, out=tmp_path, partition_rows=0, **PARAMS)


@pytest.mark.slow  # starts a local Dask cluster: about 4 s on 2 cores
@pytest.mark.parametrize(("scenario", "workers"), [(WHOLE, 2), (BLOCKS, 1), (BLOCKS, 2)])
def test_dask_engine_writes_the_same_bytes(tmp_path, scenario, workers):
    case = cs.make(scenario, seed=SEED, **PARAMS)
    here, there = tmp_path / "local", tmp_path / "dask"
    cs.generate(scenario, seed=SEED, out=here, partition_rows=997, **PARAMS)
    manifest = cs.generate(scenario, seed=SEED, out=there, partition_rows=997, engine="dask", workers=workers, **PARAMS)
    assert manifest["fingerprint"] == case.fingerprint
    assert fingerprint_dataset(there / "learner" / "train", there / "learner" / "test") == case.fingerprint
    holdout = pd.read_parquet(there / "host" / "holdout")
    np.testing.assert_array_equal(holdout["part"].to_numpy() == 0, host_view(case).holdout.parts["public"])
    # file for file, the bytes of the local engine
    files = sorted(path.relative_to(here) for path in here.rglob("*.parquet"))
    assert len(files) > 3 and files == sorted(path.relative_to(there) for path in there.rglob("*.parquet"))
    assert all((here / name).read_bytes() == (there / name).read_bytes() for name in files)


def test_engine_options_are_checked(tmp_path):
    with pytest.raises(InvalidParameterError, match=r"engine must be one of .local., .dask.; got .spark."):
        cs.generate("fraud-v1", seed=0, out=tmp_path, engine="spark", **PARAMS)
    with pytest.raises(InvalidParameterError, match=r"workers and scheduler apply to engine='dask'"):
        cs.generate("fraud-v1", seed=0, out=tmp_path, workers=2, **PARAMS)


MOVIES = {"n_users": 120, "n_movies": 200, "n_ratings": 5_000}


@pytest.mark.slow  # a movies world, written twice here and by Dask clusters of 1 and 2: about 9 s on 2 cores
def test_movies_stream_with_their_tables_to_make_s_bytes(tmp_path):
    case = cs.make("movies-topn-v3", seed=SEED, **MOVIES)
    assert set(case.tables) == {"movies", "users"}
    runs = {
        "small": {"partition_rows": 997},
        "whole": {"partition_rows": 10**7},
        "dask, 1 worker": {"partition_rows": 997, "engine": "dask", "workers": 1},
        "dask, 2 workers": {"partition_rows": 997, "engine": "dask", "workers": 2},
    }
    for name, options in runs.items():
        out = tmp_path / name.replace(",", "").replace(" ", "-")
        manifest = cs.generate("movies-topn-v3", seed=SEED, out=out, **options, **MOVIES)
        learner = out / "learner"
        tables = [learner / "tables" / table for table in case.tables]
        # recomputed from the files alone: train, test and the side tables, in the case's order
        assert fingerprint_dataset(learner / "train", learner / "test", *tables) == case.fingerprint, name
        assert manifest["frames"]["train"]["rows"] == len(case.train)
        movies = as_written(pq.read_table(learner / "tables" / "movies"))  # release dates in seconds, as written
        pd.testing.assert_frame_equal(movies, case.tables["movies"])


@pytest.mark.slow  # starts a local Dask cluster: about 2 s
def test_the_local_cluster_keeps_the_c_library_s_memory_trimming():
    from dask.distributed import Client

    from casestudies.case._dask import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
    # Dask's nanny would set 65536 (memory handed back at once: page faults on every partition); its other
    # settings stay, such as one OpenMP thread a worker
    assert list(seen.values()) == [(None, "1")]
