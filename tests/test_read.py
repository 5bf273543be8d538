"""cs.read: a generated case opened as pandas or Dask frames, the hidden holdout only on purpose."""

from __future__ import annotations

import re
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.case import MEMORY_CHECK_ENV, MEMORY_LIMIT_ENV, host_view
from casestudies.case._read_size import frame_size
from casestudies.core import dataset_files
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


# --- the memory guard of engine="pandas" -------------------------------------------------------------------------

# fraud-v2 with about 38,000 training rows, about 1.6 MB in pandas: over a 1 MB limit, with columns that fit under it.
BIG = {"n_customers": 300, "n_days": 60, "n_test_days": 7}


def _never(*args: object, **kwargs: object) -> object:
    raise AssertionError("a row was read although the frame should have been refused from its metadata")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fraud-v2")
    cs.generate("fraud-v2", seed=SEED, out=folder, partition_rows=10_000, **BIG)
    return folder


@pytest.fixture
def limit_1mb(monkeypatch):
    monkeypatch.delenv(MEMORY_CHECK_ENV, raising=False)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1MB")


@pytest.mark.parametrize("frame", ["train", "test", "holdout"])
def test_the_estimate_from_the_metadata_is_close_to_what_pandas_holds(out, frame):
    folder = out / ("host" if frame == "holdout" else "learner")
    loaded = cs.read(folder, frame)
    actual = loaded.memory_usage(deep=True)
    size = frame_size(dataset_files(folder / frame), None)
    assert size.rows == len(loaded)
    assert list(size.columns) == list(loaded.columns)
    for name, dtype in loaded.dtypes.items():
        if isinstance(dtype, np.dtype):  # numbers, timestamps, flags: their item size a row, exactly
            assert size.columns[name] == actual[name], name
        else:  # categories and text: the metadata tells the categories and text lengths only roughly
            assert 0.5 <= size.columns[name] / actual[name] <= 2.0, (name, size.columns[name], actual[name])
    # the whole frame within 1.25x either way (measured: 1.00 for train and test, 1.13 for the holdout, whose
    # truth_mechanism text is judged by the lengths of its smallest and largest value)
    assert 0.8 <= size.bytes / actual.sum() <= 1.25, (size.bytes, actual.sum())


@pytest.mark.slow  # generates a movies case: about 1 s
def test_the_estimate_of_text_columns_holds_for_side_tables(tmp_path):
    cs.generate("movies-rating-v2", seed=2, out=tmp_path, partition_rows=1_000, **MOVIES)
    for name in ("movies", "users"):  # titles (all distinct), genres, occupations (repeated): dictionary-encoded
        loaded = cs.read(tmp_path, f"tables/{name}")
        actual = loaded.memory_usage(deep=True)
        size = frame_size(dataset_files(tmp_path / "learner" / "tables" / name), None)
        assert any(not isinstance(dtype, np.dtype) for dtype in loaded.dtypes), name  # text is what is tested
        assert 0.8 <= size.bytes / actual.sum() <= 1.25, (name, size.bytes, actual.sum())  # measured 0.94, 1.02


def test_a_frame_over_the_limit_is_refused_before_a_row_is_read(big, limit_1mb, monkeypatch):
    rows = len(cs.read(big, "train", columns=["is_fraud"]))
    monkeypatch.setattr("pyarrow.parquet.read_table", _never)
    with pytest.raises(InvalidParameterError) as refused:
        cs.read(big, "train")
    message = str(refused.value)
    # what was estimated: 8 columns, 43 bytes a row (id, time, customer, terminal and amount in 8 bytes each, two
    # category codes and the label in 1 byte each; the categories themselves are a few kB in all)
    assert f"read('train'): engine='pandas' would load about 2 MB into memory ({rows:,} rows x 8 columns" in message
    assert "about 43 bytes a row; widest, in bytes a row: transaction_id 8, timestamp 8, customer_id 8)" in message
    assert "estimated from the Parquet metadata" in message
    assert "the limit is 1 MB (CASESTUDIES_MEMORY_LIMIT=1MB)" in message
    # the three ways on
    assert f"engine='dask': casestudies.read({str(big)!r}, 'train', engine='dask');" in message
    assert "columns=[...]" in message
    assert f"pass memory_check=False to read(), or set {MEMORY_CHECK_ENV}=0." in message


def test_without_a_limit_of_ones_own_the_limit_is_makes_quarter_of_the_memory_available(big, monkeypatch):
    monkeypatch.delenv(MEMORY_CHECK_ENV, raising=False)
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.setattr("casestudies.case._memory.available_memory", lambda: 4_000_000)
    with pytest.raises(InvalidParameterError, match=re.escape("the limit is 1 MB (a quarter of the 4 MB available)")):
        cs.read(big, "train")
    monkeypatch.setattr("casestudies.case._memory.available_memory", lambda: 16 * 2**30)  # a laptop: it fits
    assert len(cs.read(big, "train")) > 30_000


def test_the_override_loads_it_anyway(big, limit_1mb, monkeypatch):
    expected = cs.read(big, "train", engine="pandas", memory_check=False)
    assert expected.memory_usage(deep=True).sum() > 10**6  # really over the limit
    monkeypatch.setenv(MEMORY_CHECK_ENV, "0")  # make's environment switch, the same for read
    loaded = cs.read(big, "train")
    assert loaded.equals(expected) and loaded.dtypes.equals(expected.dtypes)  # assert_frame_equal takes 1 s here
    monkeypatch.delenv(MEMORY_CHECK_ENV)
    with pytest.raises(InvalidParameterError, match=r"memory_check must be .*; got 'no'"):
        cs.read(big, "train", memory_check="no")


def test_columns_lower_the_estimate_below_the_limit(big, limit_1mb):
    with pytest.raises(InvalidParameterError, match="would load about 2 MB"):
        cs.read(big, "train")
    files = dataset_files(big / "learner" / "train")
    some = ["transaction_id", "is_fraud"]
    size = frame_size(files, some)
    assert size.bytes == size.rows * (8 + 1) < frame_size(files, None).bytes  # int64 and int8: their item sizes
    loaded = cs.read(big, "train", columns=some)
    pd.testing.assert_frame_equal(loaded, cs.read(big, "train", memory_check=False)[some])


@pytest.mark.slow  # imports Dask: about 1-2 s
def test_dask_reads_nothing_up_front_and_is_never_refused(big, limit_1mb, monkeypatch):
    monkeypatch.setattr("casestudies.case._read_size.frame_size", _never)  # not even the footers are estimated
    lazy = cs.read(big, "train", engine="dask")
    assert lazy.npartitions == len(dataset_files(big / "learner" / "train"))
    assert len(lazy) > 30_000
