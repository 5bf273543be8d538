"""``casestudies leaderboard ...``: the host's and the participants' commands, locally and against a served board."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import casestudies as cs
from casestudies.cli._main import main

SCENARIO = "fraud-v1"
PARAMS = ["--param", "n_customers=300", "--param", "n_days=14", "--param", "fraud_intensity=5.0"]
SEED = 5


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["leaderboard", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tokens_of(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+): (\S+)$", output, flags=re.MULTILINE))


@pytest.fixture
def host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, str], Path]:
    store, data = tmp_path / "class.sqlite", tmp_path / "handout"
    settings = ["--seed", str(SEED), "--name", "spring", "--feedback", "exact", "--daily-limit", "none"]
    people = ["--participant", "ana", "--participant", "bo"]
    code, out, err = run(
        capsys,
        "create",
        "--store",
        str(store),
        "--scenario",
        SCENARIO,
        *PARAMS,
        *settings,
        *people,
        "--export-to",
        str(data),
        "--format",
        "csv",
    )
    assert code == 0, err
    assert "created leaderboard 'spring'" in out and "the seed is secret" in out
    tokens = tokens_of(out)
    assert set(tokens) == {"ana", "bo"}
    return store, tokens, data


def test_host_and_participants_locally(
    host: tuple[Path, dict[str, str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, _, data = host
    predictions = data / "sample_submission.csv"
    code, out, _ = run(
        capsys, "submit", str(predictions), "--store", str(store), "--participant", "ana", "--label", "prior"
    )
    assert code == 0 and out.startswith("Submission 1: public average precision")
    code, out, _ = run(capsys, "submit", str(predictions), "--store", str(store), "--participant", "bo", "--json")
    assert code == 0 and json.loads(out)["participant"] == "bo"
    code, out, _ = run(capsys, "show", "--store", str(store))
    assert code == 0 and "spring — public standings by average_precision" in out and "ana" in out
    code, out, _ = run(capsys, "show", "--store", str(store), "--participant", "ana")
    assert code == 0 and "prior" in out
    code, _, err = run(capsys, "show", "--store", str(store), "--private")
    assert code == 2 and "error: leaderboard 'spring' is open" in err
    code, out, _ = run(capsys, "select", "1", "--store", str(store), "--participant", "ana")
    assert code == 0 and out.strip() == "final submissions: 1"
    code, out, _ = run(capsys, "close", "--store", str(store))
    assert code == 0 and "final standings on the private part" in out
    code, _, err = run(capsys, "close", "--store", str(store))
    assert code == 2 and "was closed at" in err and "Traceback" not in err
    code, out, _ = run(capsys, "show", "--store", str(store), "--private", "--json")
    private_order = [row["participant"] for row in json.loads(out)["rows"]]
    assert code == 0 and private_order
    code, out, _ = run(capsys, "export", "--store", str(store), "--out", str(tmp_path / "results"))
    exported = pd.read_csv(tmp_path / "results" / "standings_private.csv")
    assert code == 0 and exported["participant"].tolist() == private_order
    code, out, _ = run(
        capsys, "export", "--store", str(store), "--out", str(tmp_path / "again"), "--data", "--format", "csv"
    )
    assert code == 0
    assert pd.read_csv(tmp_path / "again" / "test.csv").equals(pd.read_csv(data / "test.csv"))
    code, _, err = run(capsys, "add", "cy", "--store", str(store))
    assert code == 2 and "takes no more submissions" in err


def test_errors_say_what_to_do(
    host: tuple[Path, dict[str, str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, _, data = host
    code, _, err = run(
        capsys, "submit", str(data / "sample_submission.csv"), "--store", str(store), "--participant", "anna"
    )
    assert code == 2 and "Did you mean 'ana'?" in err
    broken = tmp_path / "broken.csv"
    frame = pd.read_csv(data / "sample_submission.csv")
    frame.iloc[:-4].assign(prediction=2.0).to_csv(broken, index=False)
    code, _, err = run(capsys, "submit", str(broken), "--store", str(store), "--participant", "ana")
    assert code == 2 and "[MISSING_IDS]" in err and "Predict on every row" in err and "Traceback" not in err
    code, _, err = run(capsys, "submit", str(broken), "--store", str(store))
    assert code == 2 and "needs --participant NAME with a local store, or --url and --token" in err
    code, _, err = run(capsys, "show", "--store", str(tmp_path / "nowhere.sqlite"))
    assert code == 2 and "no leaderboard store at" in err
    code, _, err = run(capsys, "submit", str(broken), "--url", "ftp://host", "--token", "t")
    assert code == 2 and "--url must start with http:// or https://" in err
    code, _, err = run(capsys, "submit", str(broken), "--url", "http://127.0.0.1:9")
    assert code == 2 and "--url needs your participant token" in err
    with pytest.raises(SystemExit) as usage:
        run(capsys, "create", "--store", str(store), "--scenario", SCENARIO, "--feedback", "kaggle")
    assert usage.value.code == 2 and "invalid choice: 'kaggle'" in capsys.readouterr().err
    assert cs.Leaderboard.open(store).submissions().empty  # nothing of this was stored


@pytest.fixture
def server(host: tuple[Path, dict[str, str], Path]) -> Iterator[str]:
    """``casestudies leaderboard serve`` in its own process, on a free port it announces."""
    store = host[0]
    command = [
        sys.executable,
        "-m",
        "casestudies",
        "leaderboard",
        "serve",
        "--store",
        str(store),
        "--port",
        "0",
        "--max-upload-mb",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
        assert match, f"no address announced: {line!r} {process.stderr.read() if process.stderr else ''}"
        yield match.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=30)  # waits, and closes the pipes


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_participants_submit_to_a_served_board(
    server: str, host: tuple[Path, dict[str, str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, tokens, data = host
    predictions = data / "sample_submission.csv"
    code, out, err = run(
        capsys, "submit", str(predictions), "--url", server, "--token", tokens["ana"], "--label", "over http"
    )
    assert code == 0, err
    assert out.startswith("Submission 1: public average precision")
    broken = tmp_path / "broken.csv"
    pd.read_csv(predictions).iloc[:-4].to_csv(broken, index=False)
    code, _, err = run(capsys, "submit", str(broken), "--url", server, "--token", tokens["ana"])
    assert code == 2 and "[MISSING_IDS] expected a prediction for every one of the" in err
    code, _, err = run(capsys, "submit", str(predictions), "--url", server, "--token", "wrong")
    assert code == 2 and "that token belongs to no participant of leaderboard 'spring'" in err
    code, out, _ = run(capsys, "show", "--url", server)
    assert code == 0 and "spring — public standings" in out and "ana" in out
    code, out, _ = run(capsys, "show", "--url", server, "--mine", "--token", tokens["ana"])
    assert code == 0 and "over http" in out
    code, out, _ = run(capsys, "select", "1", "--url", server, "--token", tokens["ana"])
    assert code == 0 and out.strip() == "final submissions: 1"
    # A participant's own process, as they would run it.
    command = [
        sys.executable,
        "-m",
        "casestudies",
        "leaderboard",
        "submit",
        str(predictions),
        "--url",
        server,
        "--json",
    ]
    done = subprocess.run(
        command, env={**os.environ, "CASESTUDIES_TOKEN": tokens["bo"]}, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["participant"] == "bo"
    assert cs.Leaderboard.open(store).submissions()["label"].tolist() == ["over http", ""]


def test_unreachable_server_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,prediction\n1,0.5\n")
    code, _, err = run(capsys, "submit", str(path), "--url", "http://127.0.0.1:9", "--token", "t")
    assert code == 2 and "cannot reach http://127.0.0.1:9/api/submissions" in err


def test_practice_history(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "me.sqlite"
    case = cs.make(SCENARIO, seed=SEED, n_customers=300, n_days=14, fraud_intensity=5.0)
    truth = case.reveal()
    for name, values in (("constant", 0.5), ("oracle", truth["probability"])):
        path = tmp_path / f"{name}.csv"
        pd.DataFrame({case.id_column: truth[case.id_column], "prediction": values}).to_csv(path, index=False)
        code, out, err = run(
            capsys, "practice", SCENARIO, str(path), "--seed", str(SEED), *PARAMS, "--store", str(store)
        )
        assert code == 0, err
        assert out.startswith(f"recorded: {name}.csv — average_precision public")
    code, out, _ = run(capsys, "history", SCENARIO, "--store", str(store))
    assert code == 0 and "constant.csv" in out and "oracle.csv" in out
    assert f"{SCENARIO}: 2 reports; private average precision" in out
    code, out, _ = run(capsys, "history", "--store", str(store), "--user", "someone-else", "--json")
    assert code == 0 and json.loads(out) == []
