"""``casestudies score-dataset``: a predictions dataset scored against a generated case's host folder.

Run in process through ``casestudies.cli.main`` on a real generated case; the
scores must be :func:`casestudies.score_dataset`'s and the in-memory case's,
and every input error one ``error:`` line with exit code 2.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
from casestudies.case import host_view
from casestudies.cli import main
from casestudies.core import PROGRESS_ENV, write_partitions
from casestudies.report import to_plain_data

# As tests/test_stream.py: about 2,000 test rows with 44 positives at this seed (four times the fraud
# rate), so every metric and interval is defined and equality of scores means something.
PARAMS = {"n_customers": 150, "n_days": 14, "n_test_days": 7, "fraud_intensity": 4.0}
SEED = 11
N_BOOT = 200  # not the default (1,000): the option must reach the scorer


@pytest.fixture(scope="module")
def case():
    return cs.make("fraud-v1", seed=SEED, **PARAMS)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fraud")
    cs.generate("fraud-v1", seed=SEED, out=folder, partition_rows=997, **PARAMS)
    return folder


def _values(test: pd.DataFrame) -> np.ndarray:
    # An informative, tied-in-places score: large night-time amounts rank first.
    hour = pd.to_datetime(test["timestamp"]).dt.hour.to_numpy()
    return np.round(np.log1p(test["amount"].to_numpy()), 1) + (hour < 6)


@pytest.fixture(scope="module")
def predictions(case, out):
    frame = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": _values(case.test)})
    write_partitions(frame, out / "predictions", partition_rows=1_500)  # not the holdout's 997
    return frame


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(["score-dataset", *args])
    except SystemExit as exit_:  # argparse's usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    code, text, err = run([*args, "--json"], capsys)
    assert (code, err) == (0, ""), err
    return json.loads(text)


def test_scores_are_those_of_the_in_memory_case(case, out, predictions, capsys):
    report = _json([str(out / "host"), str(out / "predictions")], capsys)
    in_memory = host_view(case).score_values(predictions["prediction"].to_numpy(), name="mine").entry.scores
    assert in_memory["private"]["n_positives"]["estimate"] >= 20  # no NaN metric: the equality means something
    assert report["submission"]["scores"] == to_plain_data(in_memory)
    parts = host_view(case).holdout.parts
    assert report["holdout"] == {name: int(mask.sum()) for name, mask in parts.items()}
    assert (report["scenario_id"], report["seed"], report["fingerprint"]) == ("fraud-v1", SEED, case.fingerprint)
    assert report["references"] == []  # nothing claimed that was not scored


def test_n_boot_reaches_score_dataset_and_the_out_folder_stands_for_its_host(out, predictions, capsys):
    default = _json([str(out / "host"), str(out / "predictions")], capsys)["submission"]["scores"]
    fewer = _json([str(out), str(out / "predictions"), "--n-boot", str(N_BOOT)], capsys)["submission"]["scores"]
    assert fewer == to_plain_data(cs.score_dataset(out / "host", out / "predictions", n_boot=N_BOOT))
    assert fewer["private"]["average_precision"]["low"] != default["private"]["average_precision"]["low"]


def test_text_is_the_score_table_of_casestudies_score(out, predictions, capsys):
    code, text, err = run([str(out / "host"), str(out / "predictions"), "--quiet"], capsys)
    assert (code, err) == (0, "")
    scores = cs.score_dataset(out / "host", out / "predictions")
    assert text.startswith(f"fraud-v1 · seed {SEED} · holdout {len(predictions):,} rows (public ")
    # the row: label, AP public, AP private [low, high], then the whole-holdout metrics
    row = re.search(
        r"^you: file predictions\s+(\S+)\s+(\S+) \[(\S+), (\S+)\]\s+(\S+)\s+(\S+)", text, flags=re.MULTILINE
    )
    assert row is not None, text
    private = scores["private"]["average_precision"]
    shown = [scores["public"]["average_precision"]["estimate"], private["estimate"], private["low"], private["high"]]
    shown += [scores["all"]["average_precision"]["estimate"], scores["all"]["roc_auc"]["estimate"]]
    assert [float(cell) for cell in row.groups()] == pytest.approx(shown, abs=5e-4)  # printed to 3 decimals


def test_predictions_written_by_dask_are_read_in_their_numbered_order(case, out, predictions, tmp_path, capsys):
    # dask.dataframe.to_parquet names its files part.0.parquet ... part.11.parquet: part.10 comes after part.9
    folder = tmp_path / "from_dask"
    folder.mkdir()
    for index, piece in enumerate(np.array_split(np.arange(len(predictions)), 12)):
        predictions.iloc[piece].to_parquet(folder / f"part.{index}.parquet")
    report = _json([str(out / "host"), str(folder)], capsys)
    assert report["submission"]["scores"] == to_plain_data(cs.score_dataset(out / "host", out / "predictions"))


class _Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_progress_bar_counts_the_rows_on_a_terminal_only(out, predictions, capsys, monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    monkeypatch.setattr("casestudies.core._progress.DELAY_SECONDS", 0.0)  # 1 s in use: this case scores sooner
    for quiet, drawn in (([], True), (["--quiet"], False)):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert run([str(out / "host"), str(out / "predictions"), *quiet], capsys)[0] == 0
        shown = terminal.getvalue()
        assert ("score_dataset('fraud-v1'): reading" in shown) is drawn, shown
        assert (f"/{len(predictions)} " in shown) is drawn, shown  # counted in rows of the holdout
        assert ("1,000 bootstrap replicates" in shown) is drawn, shown
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no bar, without --quiet
    cs.score_dataset(out / "host", out / "predictions")
    assert sys.stderr.getvalue() == ""


def _bad_input(name: str, out: Path, frame: pd.DataFrame, folder: Path) -> list[str]:
    """The arguments of one wrong use of the command, writing the file it needs."""
    host, good = str(out / "host"), str(out / "predictions")
    written = {
        "no prediction column": frame.drop(columns="prediction"),
        "text predictions": frame.astype({"prediction": str}),
        "short predictions": frame.iloc[:-5],
        "NaN predictions": frame.assign(prediction=frame["prediction"].where(frame.index % 700 != 1)),  # 4 blanks
        "out of order": frame.iloc[::-1],
    }
    if name in written:
        written[name].to_parquet(folder / "bad.parquet")
        return [host, str(folder / "bad.parquet")]
    if name == "csv predictions":
        frame.to_csv(folder / "predictions.csv", index=False)
        return [host, str(folder / "predictions.csv")]
    return {
        "missing host": [str(folder / "nowhere"), good],
        "learner as host": [str(out / "learner"), good],
        "missing predictions": [host, str(folder / "absent.parquet")],
        "too few replicates": [host, str(folder / "absent.parquet"), "--n-boot", "1"],  # checked before reading
    }[name]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing host", r"found nothing at '.*nowhere'\. Check the path"),
        ("learner as host", r"is a learner's folder \(frames train, test\), which holds no labels\. Pass the host/"),
        ("missing predictions", r"no predictions file or folder at '.*absent\.parquet'"),
        (
            "no prediction column",
            r"need columns 'transaction_id' and 'prediction'; bad\.parquet lacks \['prediction'\]",
        ),
        ("csv predictions", r"predictions must be Parquet; predictions\.csv is not a Parquet file"),
        ("text predictions", r"'prediction' must hold numbers \(a score per row\); bad\.parquet stores \w*string"),
        ("short predictions", r"expected 2,175 predictions, one per test row; got 2,170 or fewer"),
        ("NaN predictions", r"predictions must be finite; got 4 NaN or infinite values"),
        ("out of order", r"predictions must be in test order; row 0 has the wrong transaction_id"),
        ("too few replicates", r"n_boot must be an int between 2 and 100000; got 1"),
    ],
)
def test_input_errors_are_one_line_and_exit_2(out, predictions, tmp_path, capsys, name, message):
    code, text, err = run(_bad_input(name, out, predictions, tmp_path), capsys)
    assert (code, text) == (2, "")
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err  # one line, no traceback
    assert re.search(message, err), err


def test_help_names_the_command_and_its_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["score-dataset", "--help"])
    assert info.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: casestudies score-dataset") and "--n-boot N" in shown and "--json" in shown
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "score-dataset" in capsys.readouterr().out  # listed among the commands


def test_a_rating_case_on_disk_is_told_the_command_that_scores_it(tmp_path, capsys):
    # Streamed scoring is binary; a movies case written to disk must not be promised it, and the command it is
    # given instead must score the learner's predictions (the same case, generated again in memory).
    out = tmp_path / "movies"
    argv = ["generate", "movies-rating-v4", "--seed", "5", "--out", str(out), "--partition-rows", "700"]
    assert main([*argv, "--param", "n_users=60", "--param", "n_movies=90", "--param", "n_ratings=2000"]) == 0
    printed = capsys.readouterr().out
    command = (
        "casestudies score movies-rating-v4 --seed 5 --param n_users=60 --param n_movies=90 --param n_ratings=2000"
    )
    assert f"score with `{command} PREDICTIONS`; it generates the case again in memory: about " in printed, printed
    assert "score-dataset" not in printed, printed
    test = pd.read_parquet(out / "learner" / "test")
    pd.DataFrame({"rating_id": test["rating_id"], "prediction": 3.5}).to_csv(tmp_path / "stars.csv", index=False)
    code = main([*command.split()[1:], str(tmp_path / "stars.csv"), "--json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, ""), captured.err
    rmse = json.loads(captured.out)["submission"]["scores"]["all"]["rmse"]["estimate"]
    held = pd.read_parquet(out / "host" / "holdout")["label"].to_numpy()
    assert rmse == pytest.approx(np.sqrt(np.mean((held - 3.5) ** 2)))  # the holdout on disk is the one scored
    code, _, err = run([str(out / "host"), str(tmp_path / "stars.csv")], capsys)
    assert code == 2 and re.search(r"Score it in memory \(it generates the case again in memory: about \d+ MB\)", err)
    assert err.rstrip().endswith(f": {command} PREDICTIONS"), err


def test_the_scoring_command_says_when_the_case_is_too_large_to_score_here(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CASESTUDIES_MEMORY_LIMIT", "1MB")  # smaller than any movies case in memory
    out = tmp_path / "movies"
    argv = ["generate", "movies-topn-v4", "--seed", "2", "--out", str(out), "--partition-rows", "5000"]
    assert main([*argv, "--param", "n_users=60", "--param", "n_movies=90", "--param", "n_ratings=2000"]) == 0
    printed = capsys.readouterr().out
    assert "over the limit of 1 MB (CASESTUDIES_MEMORY_LIMIT=1MB): score it where there is that much)" in printed
