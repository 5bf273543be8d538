"""``casestudies leaderboard create`` options by their effect, store URLs that do not work, a lower-is-better board.

Every option is checked by what it changes for a participant or the host,
against scores computed here independently (scikit-learn on the public rows
of the revealed holdout, or the alert-budget cost written out), never by the
setting echoed back. Boards use the test suite's logistic toy (fast) with a
fixed seed, so two boards created with the same seed share their holdout and
their public part; the lower-is-better board is fraud-v1 ranked by
``expected_cost``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sqlite3
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit
from sklearn.metrics import average_precision_score, roc_auc_score

import casestudies as cs
from casestudies.cli._main import main

TOY = "plugin-toy-v1"
N_ROWS = 2000
SEED = 23
HAS_POSTGRES_DRIVER = importlib.util.find_spec("psycopg") is not None


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``casestudies ARGS`` in this process: exit code, stdout, stderr (argparse's exits included)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def toy() -> pd.DataFrame:
    """The toy case's revealed holdout: ids, labels, public/private part, true probabilities."""
    return cs.make(TOY, seed=SEED, n_rows=N_ROWS).reveal()


def blurred(truth: pd.DataFrame, scale: float) -> np.ndarray:
    """The true probabilities with log-odds noise of standard deviation ``scale`` (fixed noise): a weaker model."""
    noise = np.random.default_rng(0).normal(size=len(truth))
    return np.asarray(expit(logit(truth["probability"].to_numpy()) + scale * noise))


def public_score(truth: pd.DataFrame, values: np.ndarray, metric: str = "average_precision") -> float:
    """The exact public score, computed by scikit-learn on the rows the board scores publicly."""
    public = (truth["part"] == "public").to_numpy()
    labels = truth["label"].to_numpy()[public]
    function = average_precision_score if metric == "average_precision" else roc_auc_score
    return float(function(labels, values[public]))


def write(truth: pd.DataFrame, values: np.ndarray, path: Path) -> str:
    pd.DataFrame({"row_id": truth["row_id"], "prediction": values}).to_csv(path, index=False)
    return str(path)


def create(capsys: pytest.CaptureFixture[str], store: Path, *options: str) -> dict[str, object]:
    """A toy board with ``options``, participants ana and bo, no daily limit; the ``--json`` it prints."""
    code, out, err = run(
        capsys,
        "leaderboard",
        "create",
        "--store",
        str(store),
        "--scenario",
        TOY,
        "--param",
        f"n_rows={N_ROWS}",
        "--seed",
        str(SEED),
        "--daily-limit",
        "none",
        "--participant",
        "ana",
        "--participant",
        "bo",
        "--json",
        *options,
    )
    assert code == 0, err
    created: dict[str, object] = json.loads(out)
    return created


def submit(capsys: pytest.CaptureFixture[str], store: Path, who: str, path: str) -> dict[str, object]:
    code, out, err = run(capsys, "leaderboard", "submit", path, "--store", str(store), "--participant", who, "--json")
    assert code == 0, err
    feedback: dict[str, object] = json.loads(out)
    return feedback


def laddered(value: float, step: float, digits: int = 5) -> float:
    """What the fixed-step Ladder releases: the score rounded to a multiple of the step (Blum & Hardt)."""
    return round(round(value / step) * step, digits)


# -- --json ------------------------------------------------------------------------------------------------------------


def test_create_json_gives_the_board_and_working_tokens_but_not_the_seed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    store = tmp_path / "board.sqlite"
    created = create(capsys, store, "--name", "spring")
    assert set(created) == {"board", "tokens", "store", "data"}
    board, tokens = created["board"], created["tokens"]
    assert isinstance(board, dict) and isinstance(tokens, dict)
    assert (board["name"], board["scenario_id"], created["store"]) == ("spring", TOY, str(store))
    assert (board["n_public"], board["n_private"]) == tuple(toy["part"].value_counts()[["public", "private"]])
    assert "seed" not in board and "seed" not in created  # the host's secret stays in the store
    with cs.Leaderboard.open(store) as opened:
        assert {name: opened.authenticate(token) for name, token in tokens.items()} == {"ana": "ana", "bo": "bo"}
    # Without --json: the same board told in sentences, the tokens listed once.
    code, out, _ = run(
        capsys, "leaderboard", "create", "--store", str(tmp_path / "b.sqlite"), "--scenario", TOY, "--participant", "cy"
    )
    assert code == 0 and out.startswith("created leaderboard 'leaderboard' in ")
    assert re.search(r"^  cy: \S{32}$", out, flags=re.MULTILINE)
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


# -- --digits ----------------------------------------------------------------------------------------------------------


def test_create_digits_rounds_released_scores(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    values = blurred(toy, 1.0)
    exact = public_score(toy, values)
    assert round(exact, 2) != round(exact, 5)  # the two settings must release different numbers
    path = write(toy, values, tmp_path / "p.csv")
    released = {}
    for digits in ("2", "5"):
        store = tmp_path / f"digits{digits}.sqlite"
        create(capsys, store, "--feedback", "exact", "--digits", digits)
        feedback = submit(capsys, store, "ana", path)
        released[digits] = feedback["score"]
        shown = re.fullmatch(
            r"Submission 1: public average precision (\d\.\d+) \(your first\)\.", str(feedback["message"])
        )
        assert shown, feedback["message"]
        assert float(shown.group(1)) == feedback["score"] and len(shown.group(1)) <= 2 + int(digits)
    assert released == {"2": round(exact, 2), "5": round(exact, 5)}
    code, out, _ = run(capsys, "leaderboard", "show", "--store", str(tmp_path / "digits2.sqlite"), "--json")
    assert code == 0 and json.loads(out)["rows"][0]["score"] == round(exact, 2)


def test_create_digits_must_be_an_int(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "leaderboard", "create", "--store", str(tmp_path / "b.sqlite"), "--scenario", TOY, "--digits", "two"
    )
    assert code == 2 and "argument --digits: invalid int value: 'two'" in err
    assert not (tmp_path / "b.sqlite").exists()


# -- --step ------------------------------------------------------------------------------------------------------------


def test_create_step_sets_the_ladder_step(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    # Two submissions whose public scores differ by more than the default step (0.01) and by less than 0.05
    # over the first one's released value: a board with --step 0.05 must hold the better one back.
    scales = np.linspace(0.0, 6.0, 61)
    scores = {float(scale): public_score(toy, blurred(toy, scale)) for scale in scales}
    pair = next(
        (weak, strong)
        for weak in scores
        for strong in scores
        if 0.005 < scores[strong] - laddered(scores[weak], 0.05) < 0.045
        and scores[strong] - laddered(scores[weak], 0.01) > 0.015
    )
    first, second = (write(toy, blurred(toy, scale), tmp_path / f"s{scale}.csv") for scale in pair)
    for step in ("0.05", None):
        store = tmp_path / f"step{step}.sqlite"
        create(capsys, store, "--feedback", "ladder", *(("--step", step) if step else ()))
        size = float(step or 0.01)
        one, two = submit(capsys, store, "ana", first), submit(capsys, store, "ana", second)
        assert one["score"] == laddered(scores[pair[0]], size) and one["improved"] is True
        if step:
            assert two["improved"] is False and two["score"] is None and two["best"] == one["score"]
            assert "does not beat your best by more than the Ladder's step of 0.05" in str(two["message"])
        else:
            assert two["improved"] is True and two["score"] == laddered(scores[pair[1]], 0.01)
            assert "beats your best by more than the Ladder's step of 0.01" in str(two["message"])


# -- --alpha -----------------------------------------------------------------------------------------------------------


def _thresholds(store: Path) -> list[float | None]:
    """The improvement each submission had to clear, as the host's store recorded it."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("SELECT threshold FROM submissions ORDER BY id")]


def test_create_alpha_sets_the_paired_test_level(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    # Same seed, same resamples, same two submissions: the standard error of their difference is the same on
    # every board, so the thresholds differ by the critical values alone. For the first comparison with a best
    # the level is alpha / (1 * 2): z = Phi^-1(1 - alpha / 2); 'none' is Blum & Hardt's one standard error.
    first = write(toy, blurred(toy, 2.0), tmp_path / "weak.csv")
    second = write(toy, blurred(toy, 1.8), tmp_path / "better.csv")
    thresholds = {}
    for alpha in ("0.05", "0.2", "none"):
        store = tmp_path / f"alpha-{alpha}.sqlite"
        created = create(capsys, store, "--feedback", "parameter-free", "--alpha", alpha)
        board = created["board"]
        assert isinstance(board, dict)
        assert board["feedback_settings"]["alpha"] == (None if alpha == "none" else float(alpha))
        submit(capsys, store, "ana", first)
        submit(capsys, store, "ana", second)
        none_first, threshold = _thresholds(store)
        assert none_first is None and threshold is not None and threshold > 0
        thresholds[alpha] = threshold
    standard_error = thresholds["none"]
    for alpha in ("0.05", "0.2"):
        z = NormalDist().inv_cdf(1 - float(alpha) / 2)
        assert thresholds[alpha] == pytest.approx(z * standard_error, rel=1e-9)
    code, _, err = run(
        capsys, "leaderboard", "create", "--store", str(tmp_path / "x.sqlite"), "--scenario", TOY, "--alpha", "low"
    )
    assert code == 2 and "argument --alpha: expected a number or 'none'; got 'low'" in err


# -- --final -----------------------------------------------------------------------------------------------------------


def test_create_final_sets_how_many_submissions_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    scales = (3.0, 1.5, 0.0)  # weaker to stronger
    paths = [write(toy, blurred(toy, scale), tmp_path / f"s{scale}.csv") for scale in scales]
    public = [public_score(toy, blurred(toy, scale)) for scale in scales]
    assert public == sorted(public) and len(set(public)) == 3  # the last is the best public one
    private = (toy["part"] == "private").to_numpy()
    labels = toy["label"].to_numpy()[private]
    best_private = average_precision_score(labels, blurred(toy, 0.0)[private])
    for final, counted in (("1", "3"), ("3", "1, 2, 3")):
        store = tmp_path / f"final{final}.sqlite"
        created = create(capsys, store, "--feedback", "exact", "--final", final)
        assert isinstance(created["board"], dict) and created["board"]["n_final"] == int(final)
        for path in paths:
            submit(capsys, store, "ana", path)
        code, _, err = run(capsys, "leaderboard", "select", "1", "2", "--store", str(store), "--participant", "ana")
        if final == "1":
            assert code == 2 and "choose between 1 and 1 submission; got 2 ([1, 2])" in err
        else:
            assert code == 0
            code, _, _ = run(
                capsys, "leaderboard", "select", "1", "2", "3", "--store", str(store), "--participant", "ana"
            )
            assert code == 0
        code, out, err = run(capsys, "leaderboard", "close", "--store", str(store), "--json")
        assert code == 0, err
        ana = next(row for row in json.loads(out)["rows"] if row["participant"] == "ana")
        assert ana["final_submissions"] == counted
        assert ana["private_score"] == pytest.approx(best_private, abs=1e-9)  # the JSON holds 10 decimals


# -- --metric ----------------------------------------------------------------------------------------------------------


def test_create_metric_ranks_by_that_metric(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, toy: pd.DataFrame
) -> None:
    store = tmp_path / "auc.sqlite"
    created = create(capsys, store, "--feedback", "exact", "--metric", "roc_auc")
    assert isinstance(created["board"], dict) and created["board"]["metric"] == "roc_auc"
    values = blurred(toy, 1.0)
    feedback = submit(capsys, store, "ana", write(toy, values, tmp_path / "p.csv"))
    expected = public_score(toy, values, "roc_auc")
    assert expected != pytest.approx(public_score(toy, values), abs=1e-3)  # AP would be another number
    assert feedback["score"] == round(expected, 5)
    assert str(feedback["message"]).startswith("Submission 1: public ROC-AUC ")
    code, out, _ = run(capsys, "leaderboard", "show", "--store", str(store))
    assert code == 0 and out.startswith("leaderboard — public standings by roc_auc\n")


def test_create_metric_outside_the_scenario_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "b.sqlite"
    code, _, err = run(capsys, "leaderboard", "create", "--store", str(store), "--scenario", TOY, "--metric", "rmse")
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert (
        "metric must be one of ['average_precision', 'roc_auc', 'precision_at_budget', 'recall_at_budget', "
        "'accuracy'] for 'plugin-toy-v1'; got 'rmse'." in err
    )
    assert not store.exists()


# -- store URLs that do not work ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "create"])
def test_unreachable_store_url_exits_2_with_a_store_error(capsys: pytest.CaptureFixture[str], command: str) -> None:
    url = "postgresql://ann:s3cret@127.0.0.1:9/db"  # nothing listens on port 9
    extra = ("--scenario", TOY, "--param", "n_rows=1000") if command == "create" else ()
    code, out, err = run(capsys, "leaderboard", command, "--store", url, *extra)
    assert code == 2 and out == ""
    assert "Traceback" not in err and "s3cret" not in err
    if HAS_POSTGRES_DRIVER:
        assert err.startswith("error: store 'postgresql://ann:***@127.0.0.1:9/db' is unavailable (OperationalError: ")
    else:
        assert err.startswith("error: cannot open store 'postgresql://ann:***@127.0.0.1:9/db': ")
        assert "pip install 'psycopg[binary]'" in err


@pytest.mark.skipif(not HAS_POSTGRES_DRIVER, reason="needs the PostgreSQL driver (psycopg) to reach name resolution")
def test_store_url_of_an_unknown_host_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # .invalid never resolves (RFC 6761): the driver's own message names the host.
    code, _, err = run(capsys, "leaderboard", "show", "--store", "postgresql://nohost.invalid/db")
    assert code == 2 and err.startswith("error: store 'postgresql://nohost.invalid/db' is unavailable (")
    assert "nohost.invalid" in err.split("is unavailable", 1)[1] and "Traceback" not in err


def test_store_url_of_an_unknown_kind_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "leaderboard", "show", "--store", "notaurl://")
    assert code == 2 and out == "" and err.startswith("error: cannot open store 'notaurl://': ")
    assert err.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize("url", ["://nothing", "postgresql://ann:s3cret@host:notaport/db"])
def test_malformed_store_url_exits_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, _, err = run(capsys, "leaderboard", "show", "--store", url)
    assert code == 2 and "cannot be parsed" in err and "s3cret" not in err


# -- a lower-is-better board, end to end -------------------------------------------------------------------------------


def alert_cost(labels: np.ndarray, scores: np.ndarray, amounts: np.ndarray, *, budget: float, review: float) -> float:
    """Cost per row of reviewing the top ``ceil(budget * n)`` scores: missed frauds' amounts plus review fees.

    Written out plainly as the prompt states it. Rows tied at the cut share the
    slots left (random tie-breaking, in expectation): each is alerted with
    probability slots / rows in the tie.
    """
    n_alerts = math.ceil(round(budget * len(scores), 9))
    alerted = np.zeros(len(scores))
    slots = n_alerts
    for level in np.unique(scores)[::-1]:  # from the highest score down
        tied = scores == level
        share = min(1.0, slots / tied.sum())
        alerted[tied] = share
        slots -= int(tied.sum())
        if slots <= 0:
            break
    missed = float((amounts * (labels == 1) * (1.0 - alerted)).sum())
    return (missed + review * n_alerts) / len(scores)


def test_a_board_ranked_by_expected_cost_puts_the_lowest_cost_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    params = {"n_customers": 300, "n_days": 35}
    seed, step = 5, 0.05
    case = cs.make("fraud-v1", seed=seed, **params)
    truth = case.reveal()
    scoring = cs.spec("fraud-v1").scoring
    labels, amounts = truth["is_fraud"].to_numpy(), case.test["amount"].to_numpy()
    good = truth["probability"].to_numpy()  # the true probabilities: the cheapest alerts
    poor = 1.0 - pd.Series(good).rank(method="first").to_numpy() / len(good)  # the same ranking, reversed
    cost = {}
    for name, values in (("good", good), ("poor", poor)):
        pd.DataFrame({"transaction_id": truth["transaction_id"], "prediction": values}).to_csv(
            tmp_path / f"{name}.csv", index=False
        )
        for part in ("public", "private"):
            rows = (truth["part"] == part).to_numpy()
            cost[name, part] = alert_cost(
                labels[rows],
                values[rows],
                amounts[rows],
                budget=float(scoring["alert_budget"]),
                review=float(scoring["review_cost"]),
            )
    assert cost["good", "public"] < cost["poor", "public"] - 2 * step  # well apart, in the metric's units
    assert cost["good", "private"] < cost["poor", "private"]

    store = tmp_path / "cost.sqlite"
    code, out, err = run(
        capsys,
        "leaderboard",
        "create",
        "--store",
        str(store),
        "--scenario",
        "fraud-v1",
        *(f"--param={key}={value}" for key, value in params.items()),
        "--seed",
        str(seed),
        "--metric",
        "expected_cost",
        "--feedback",
        "ladder",
        "--step",
        str(step),
        "--daily-limit",
        "none",
        "--participant",
        "ana",
        "--participant",
        "bo",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["board"]["higher_is_better"] is False

    first = submit(capsys, store, "ana", str(tmp_path / "poor.csv"))
    assert first["score"] == laddered(cost["poor", "public"], step)
    better = submit(capsys, store, "ana", str(tmp_path / "good.csv"))  # a lower cost is an improvement
    assert better["improved"] is True and better["score"] == laddered(cost["good", "public"], step)
    assert str(better["message"]).startswith("Submission 2 beats your best by more than the Ladder's step of 0.05")
    worse = submit(capsys, store, "ana", str(tmp_path / "poor.csv"))  # a higher cost is not
    assert worse["improved"] is False and worse["score"] is None and worse["best"] == better["score"]
    submit(capsys, store, "bo", str(tmp_path / "poor.csv"))

    code, out, _ = run(capsys, "leaderboard", "show", "--store", str(store), "--json")
    rows = json.loads(out)["rows"]
    assert [(row["rank"], row["participant"]) for row in rows] == [(1, "ana"), (2, "bo")]
    assert [row["score"] for row in rows] == [
        laddered(cost["good", "public"], step),
        laddered(cost["poor", "public"], step),
    ]
    code, out, _ = run(capsys, "leaderboard", "close", "--store", str(store), "--json")
    rows = json.loads(out)["rows"]
    assert [(row["rank"], row["participant"]) for row in rows] == [(1, "ana"), (2, "bo")]
    # ana's final submissions are her two lowest released costs (1 and 2); the private standing takes the lower.
    assert rows[0]["final_submissions"] == "1, 2"
    assert rows[0]["private_score"] == pytest.approx(cost["good", "private"], abs=1e-9)  # JSON: 10 decimals
    assert rows[1]["private_score"] == pytest.approx(cost["poor", "private"], abs=1e-9)
