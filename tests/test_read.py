"""cs.read: a generated case opened as pandas or Dask frames, the hidden holdout only on purpose."""

from __future__ import annotations

import re
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.case import host_view
from casestudies.exceptions import InvalidParameterError

# As tests/test_stream.py: about 4,000 training and 2,000 test rows, several partitions of 997 rows.
PARAMS = {"n_customers": 150, "n_days": 14, "n_test_days": 7, "fraud_intensity": 4.0}
SEED = 11
MOVIES = {"n_users": 100, "n_movies": 200, "n_ratings": 3_000}


@pytest.fixture(scope="module")
def case():
    return cs.make("fraud-v1", seed=SEED, **PARAMS)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fraud")
    cs.generate("fraud-v1", seed=SEED, out=folder, partition_rows=997, **PARAMS)
    return folder


def test_train_and_test_read_back_as_make_gives_them(case, out):
    pd.testing.assert_frame_equal(cs.read(out), case.train)  # the OUT folder opens the learner's train
    pd.testing.assert_frame_equal(cs.read(out / "learner", "test"), case.test)
    some = cs.read(out, "test", columns=["amount", "transaction_id"])
    pd.testing.assert_frame_equal(some, case.test[["amount", "transaction_id"]])


def test_a_learner_folder_copied_under_another_name_still_opens(case, out, tmp_path):
    handed = shutil.copytree(out / "learner", tmp_path / "fraud-data")  # what a learner receives, renamed
    pd.testing.assert_frame_equal(cs.read(handed, "test"), case.test)


def test_the_holdout_opens_from_the_host_folder_with_frame_holdout(case, out):
    holdout = cs.read(out / "host", "holdout")
    hidden = host_view(case).holdout
    np.testing.assert_array_equal(holdout["label"].to_numpy(), hidden.labels)
    np.testing.assert_array_equal(holdout["part"].to_numpy() == 0, hidden.parts["public"])
    np.testing.assert_array_equal(holdout[case.id_column].to_numpy(), case.test[case.id_column].to_numpy())


def test_the_holdout_is_never_read_by_accident(out):
    host = re.escape(repr(str(out / "host")))
    # from the OUT folder or the learner's: the message names the host folder to pass
    for folder in (out, out / "learner"):
        with pytest.raises(InvalidParameterError, match=rf"holdout opens from the host folder itself.*read\({host}"):
            cs.read(folder, "holdout")
    # the host folder for anything else: refused, with the learner folder beside it and the way to the holdout
    learner = re.escape(repr(str(out / "learner")))
    with pytest.raises(InvalidParameterError, match=rf"is the host folder.*read\({learner}, 'train'\).*'holdout'"):
        cs.read(out / "host")


def test_an_unknown_frame_or_column_lists_what_exists(out):
    with pytest.raises(InvalidParameterError, match=r"no frame 'tarin'; it has 'train', 'test'\. Did you mean 'train'"):
        cs.read(out, "tarin")
    with pytest.raises(InvalidParameterError, match=r"no column 'amout' in this frame; it has transaction_id, .*"):
        cs.read(out, "test", columns=["transaction_id", "amout"])
    with pytest.raises(InvalidParameterError, match=r"columns must be a list of column names; got 'amount'"):
        cs.read(out, "test", columns="amount")
    with pytest.raises(InvalidParameterError, match=r"engine must be one of 'pandas', 'dask'; got 'spark'"):
        cs.read(out, engine="spark")


def test_folders_that_are_not_a_generated_case_are_refused(out, tmp_path):
    with pytest.raises(InvalidParameterError, match=r"found nothing at .*missing"):
        cs.read(tmp_path / "missing")
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "notes.txt").write_text("hi")
    with pytest.raises(InvalidParameterError, match=r"is not a case written by casestudies.generate.*holds notes\.txt"):
        cs.read(tmp_path / "stray")
    # a manifest without the frame's partitions: copied in part
    partial = shutil.copytree(out / "learner", tmp_path / "partial")
    shutil.rmtree(partial / "test")
    with pytest.raises(InvalidParameterError, match=r"lists 'test', but .* holds no part-\*\.parquet file"):
        cs.read(partial, "test")


def test_side_tables_open_by_their_frame_name(tmp_path):
    case = cs.make("movies-rating-v2", seed=2, **MOVIES)
    cs.generate("movies-rating-v2", seed=2, out=tmp_path, partition_rows=1_000, **MOVIES)
    assert set(case.tables) == {"movies", "users"}
    assert "datetime64[s]" in {str(dtype) for dtype in case.tables["movies"].dtypes}  # stored as ms by Parquet
    for name, table in case.tables.items():
        pd.testing.assert_frame_equal(cs.read(tmp_path, f"tables/{name}"), table)  # the unit written, put back
    with pytest.raises(InvalidParameterError, match=r"has no frame 'movies'.*'tables/movies'.*Did you mean"):
        cs.read(tmp_path, "movies")


def test_dask_is_optional_and_its_absence_says_how_to_install(out, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)  # importing it now raises ImportError
    with pytest.raises(InvalidParameterError, match=re.escape('pip install "casestudies[dask]"')):
        cs.read(out, engine="dask")


@pytest.mark.slow  # imports Dask: about 1-2 s
def test_dask_engine_gives_the_same_rows_lazily(case, out):
    lazy = cs.read(out, "test", engine="dask", columns=["transaction_id", "amount"])
    assert lazy.npartitions == -(-len(case.test) // 997)  # one Dask partition per Parquet partition
    frame = lazy.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, case.test[["transaction_id", "amount"]])
    holdout = cs.read(out / "host", "holdout", engine="dask").compute().reset_index(drop=True)
    np.testing.assert_array_equal(holdout["label"].to_numpy(), host_view(case).holdout.labels)
