"""Leaderboards in the library: scoring, feedback modes, limits, selection, close, storage guarantees."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import casestudies as cs
from casestudies.exceptions import (
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardClosedError,
    LeaderboardError,
    StoreError,
    SubmissionError,
    SubmissionLimitError,
    UnknownLeaderboardError,
    UnknownParticipantError,
)
from casestudies.leaderboard._feedback import (
    PairedBootstrap,
    _weighted_average_precision,
    _weighted_roc_auc,
    critical_value,
    decide,
)
from casestudies.leaderboard._settings import new_token

SCENARIO = "fraud-v1"
PARAMS = {"n_customers": 300, "n_days": 14, "fraud_intensity": 5.0}
SEED = 11


class Clock:
    """A settable clock: submissions on chosen days without waiting for them."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def dump(store: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read with the plain sqlite3 module."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}


@pytest.fixture(scope="module")
def case() -> cs.Case:
    return cs.make(SCENARIO, seed=SEED, **PARAMS)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "board.sqlite"


def create(store: Path, **settings: object) -> cs.Leaderboard:
    settings = {"scenario": SCENARIO, "params": PARAMS, "seed": SEED, "daily_limit": None, **settings}
    return cs.Leaderboard.create(store, **settings)  # type: ignore[arg-type]


def oracle(case: cs.Case) -> np.ndarray:
    return case.reveal()["probability"].to_numpy()


def part_average_precision(case: cs.Case, predictions: np.ndarray, part: str) -> float:
    """Average precision of ``predictions`` on one holdout part, from the revealed labels, with scikit-learn."""
    revealed = case.reveal()
    rows = (revealed["part"] == part).to_numpy()
    return float(average_precision_score(revealed[case.target].to_numpy()[rows], np.asarray(predictions)[rows]))


def noisy(case: cs.Case, scale: float, seed: int) -> np.ndarray:
    """The oracle's scores blurred by noise: a model of some quality."""
    rng = np.random.default_rng(seed)
    logits = np.log(np.clip(oracle(case), 1e-9, 1)) + rng.normal(0.0, scale, len(case.test))
    return 1.0 / (1.0 + np.exp(-logits))


# -- creating and what stays host-side -------------------------------------------------


def test_created_board_exports_data_without_labels_or_seed(store: Path, tmp_path: Path, case: cs.Case) -> None:
    seed = 8_675_309_123
    board = create(store, export_to=tmp_path / "data", export_format="csv", name="spring", seed=seed)
    files = sorted(path.name for path in (tmp_path / "data").iterdir())
    assert files == ["data_card.json", "prompt.md", "sample_submission.csv", "test.csv", "train.csv"]
    test = pd.read_csv(tmp_path / "data" / "test.csv")
    assert case.target not in test.columns
    assert list(test.columns) == list(case.test.columns)
    # What participants get is the case the board was made from, without its labels and seed.
    made = cs.make(SCENARIO, seed=seed, **PARAMS)
    assert (tmp_path / "data" / "train.csv").read_text() == made.train.to_csv(index=False)
    assert (tmp_path / "data" / "test.csv").read_text() == made.test.to_csv(index=False)
    assert (tmp_path / "data" / "prompt.md").read_text(encoding="utf-8") == made.prompt
    sample = pd.read_csv(tmp_path / "data" / "sample_submission.csv")
    assert list(sample.columns) == [made.id_column, "prediction"]
    np.testing.assert_array_equal(sample[made.id_column], made.test[made.id_column])
    assert (sample["prediction"] == made.y_train.mean()).all()  # the training positive rate, for every row
    card_text = (tmp_path / "data" / "data_card.json").read_text()
    card = json.loads(card_text)
    assert "seed" not in card and card["leaderboard"]["name"] == "spring"
    expected_card = {key: value for key, value in made.data_card.items() if key != "seed"}
    expected_card["leaderboard"] = {
        key: value for key, value in board.info().items() if key not in ("participants", "closed_at")
    }
    assert card == json.loads(json.dumps(expected_card, default=str))
    assert str(seed) not in card_text and str(seed) not in json.dumps(board.info())
    assert "holdout" not in board.info()
    # The sample submission is a valid submission.
    board.add_participant("ana")
    assert board.submit("ana", tmp_path / "data" / "sample_submission.csv").number == 1
    # The store, on the host's side, holds the seed.
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT seed FROM boards").fetchone()[0] == seed


def test_secret_seed_is_drawn_when_none_is_given(tmp_path: Path) -> None:
    first = cs.Leaderboard.create(tmp_path / "a.sqlite", scenario=SCENARIO, params=PARAMS)
    second = cs.Leaderboard.create(tmp_path / "b.sqlite", scenario=SCENARIO, params=PARAMS)
    assert first.info()["fingerprint"] != second.info()["fingerprint"]
    with sqlite3.connect(tmp_path / "a.sqlite") as conn:
        seed = conn.execute("SELECT seed FROM boards").fetchone()[0]
    assert 0 <= seed < 2**63
    assert cs.make(SCENARIO, seed=seed, **PARAMS).fingerprint == first.info()["fingerprint"]


def test_scores_match_case_score(store: Path, case: cs.Case) -> None:
    board = create(store, feedback="exact")
    board.add_participant("ana")
    predictions = noisy(case, 1.0, seed=0)
    feedback = board.submit("ana", predictions, label="blurred oracle")
    report = case.score(predictions, baselines=False).to_dict()["submission"]["scores"]
    assert feedback.score == round(report["public"]["average_precision"]["estimate"], 5)
    assert feedback.best == feedback.score and feedback.improved and feedback.number == 1
    board.close()
    stored = board.submissions().iloc[0]
    assert stored["public_score"] == pytest.approx(report["public"]["average_precision"]["estimate"], abs=1e-12)
    assert stored["private_score"] == pytest.approx(report["private"]["average_precision"]["estimate"], abs=1e-12)
    assert stored["label"] == "blurred oracle"


def test_same_predictions_hash_the_same_in_any_form(store: Path, case: cs.Case, tmp_path: Path) -> None:
    board = create(store, feedback="exact")
    board.add_participant("ana")
    values = noisy(case, 1.0, seed=1)
    frame = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": values})
    frame.sample(frac=1.0, random_state=0).to_parquet(tmp_path / "p.parquet", index=False)
    hashes = {
        board.submit("ana", values).predictions_sha256,
        board.submit("ana", frame).predictions_sha256,
        board.submit("ana", tmp_path / "p.parquet").predictions_sha256,
    }
    assert len(hashes) == 1
    assert list(board.history("ana")["number"]) == [1, 2, 3]


# -- bad submissions change nothing ----------------------------------------------------


def bad_submissions(case: cs.Case, tmp_path: Path) -> dict[str, object]:
    ids = case.test[case.id_column]
    good = np.full(len(case.test), 0.1)
    broken_csv = tmp_path / "broken.csv"
    broken_csv.write_bytes(b"\x00\x01 not a csv \xff")
    wrong_suffix = tmp_path / "predictions.xlsx"
    wrong_suffix.write_text("x")
    return {
        "wrong_length": good[:-3],
        "nan": np.where(np.arange(len(good)) < 2, np.nan, good),
        # Scores outside [0, 1] are valid for rank-based metrics; infinite ones never are.
        "infinite": np.where(np.arange(len(good)) < 2, np.inf, good),
        "text": ["high"] * len(good),
        # Two columns whose rows don't sum to 1 are not predict_proba output.
        "two_columns": np.column_stack([good, good]),
        "missing_ids": pd.Series(good[:-5], index=ids[:-5]),
        "duplicate_ids": pd.DataFrame({case.id_column: np.r_[ids[:-1], ids[:1]], "prediction": good}),
        "unknown_ids": pd.Series(good, index=ids + 1),
        "wrong_columns": pd.DataFrame({"id": ids, "score": good}),
        "empty": [],
        "none": None,
        "missing_file": tmp_path / "nope.csv",
        "unreadable_file": broken_csv,
        "wrong_suffix": wrong_suffix,
    }


def test_every_bad_submission_gets_the_case_validators_problems_and_changes_nothing(
    store: Path, case: cs.Case, tmp_path: Path
) -> None:
    board = create(store)
    board.add_participant("ana")
    board.submit("ana", noisy(case, 1.0, seed=2))
    before = dump(store)
    for name, predictions in bad_submissions(case, tmp_path).items():
        with pytest.raises(SubmissionError) as on_board:
            board.submit("ana", predictions)
        with pytest.raises(SubmissionError) as on_case:
            case.score(predictions, baselines=False)
        assert on_board.value.problems == on_case.value.problems, name
        assert on_board.value.problems and all(p.expected and p.received and p.hint for p in on_board.value.problems)
    assert dump(store) == before
    assert board.submit("ana", noisy(case, 1.0, seed=3)).number == 2  # numbering unaffected


def test_unknown_participant_wrong_token_and_closed_board_change_nothing(store: Path, case: cs.Case) -> None:
    board = create(store)
    token = board.add_participant("ana")
    predictions = noisy(case, 1.0, seed=4)
    before = dump(store)
    with pytest.raises(
        UnknownParticipantError,
        match=re.escape("no participant 'anna' on leaderboard 'leaderboard'. Did you mean 'ana'?"),
    ):
        board.submit("anna", predictions)
    for wrong in ("", token[:-1] + ("x" if token[-1] != "x" else "y")):
        with pytest.raises(InvalidTokenError, match=r"(?i)ask the host for yours"):
            board.authenticate(wrong)
    assert board.authenticate(token) == "ana"
    assert dump(store) == before
    board.close()
    closed = dump(store)
    with pytest.raises(LeaderboardClosedError, match=r"was closed at .*; it takes no more submissions"):
        board.submit("ana", predictions)
    with pytest.raises(LeaderboardClosedError):
        board.add_participant("bo")
    with pytest.raises(LeaderboardClosedError):
        board.close()
    assert dump(store) == closed


def test_unknown_participant_is_reported_before_problems_of_the_file(store: Path) -> None:
    board = create(store)
    with pytest.raises(UnknownParticipantError):
        board.submit("ghost", [0.5])


def test_daily_limit_counts_per_utc_day(store: Path, case: cs.Case) -> None:
    clock = Clock(dt.datetime(2026, 3, 2, 23, 0, tzinfo=dt.timezone.utc))
    board = create(store, daily_limit=2, clock=clock)
    board.add_participant("ana")
    board.add_participant("bo")
    first = board.submit("ana", noisy(case, 1.0, seed=5))
    assert (first.submissions_today, first.remaining_today) == (1, 1)
    assert "1 submission left today" in first.message
    assert board.submit("ana", noisy(case, 1.0, seed=6)).remaining_today == 0
    before = dump(store)
    with pytest.raises(
        SubmissionLimitError,
        match=re.escape(
            "'ana' has made 2 of 2 submissions allowed on leaderboard 'leaderboard' today (2026-03-02, UTC)"
        ),
    ):
        board.submit("ana", noisy(case, 1.0, seed=7))
    assert dump(store) == before
    assert board.submit("bo", noisy(case, 1.0, seed=7)).number == 1  # limits are per participant
    clock.now = dt.datetime(2026, 3, 3, 0, 30, tzinfo=dt.timezone.utc)
    again = board.submit("ana", noisy(case, 1.0, seed=7))
    assert (again.number, again.submissions_today) == (3, 1)


# -- feedback modes --------------------------------------------------------------------


def test_exact_feedback_releases_every_rounded_score(store: Path, case: cs.Case) -> None:
    board = create(store, feedback="exact", digits=3)
    board.add_participant("ana")
    good, worse = noisy(case, 0.3, seed=8), noisy(case, 3.0, seed=8)
    first = board.submit("ana", good)
    second = board.submit("ana", worse)
    assert second.score is not None and second.score == round(second.score, 3)
    assert not second.improved and second.best == first.best
    assert "your best stays" in second.message


def test_fixed_step_ladder_releases_only_steps(store: Path, case: cs.Case) -> None:
    board = create(store, feedback="ladder", step=0.05)
    board.add_participant("ana")
    first = board.submit("ana", noisy(case, 3.0, seed=9))
    assert first.improved and first.score == pytest.approx(round(first.score / 0.05) * 0.05)
    same = board.submit("ana", noisy(case, 3.0, seed=9))
    assert not same.improved and same.score is None and same.best == first.best
    assert "step of 0.05" in same.message
    best = board.submit("ana", oracle(case))
    assert best.improved and best.best > first.best + 0.05 - 1e-12


def test_parameter_free_ladder_accepts_clear_improvements_only(store: Path, case: cs.Case) -> None:
    board = create(store)  # the default: parameter-free
    assert board.info()["feedback"] == "parameter-free"
    board.add_participant("ana")
    weak = board.submit("ana", noisy(case, 3.0, seed=10))
    assert weak.improved and weak.score is not None
    resubmitted = board.submit("ana", noisy(case, 3.0, seed=10))
    assert not resubmitted.improved and resubmitted.score is None and resubmitted.best == weak.best
    assert "cannot be climbed by trial and error" in resubmitted.message
    strong = board.submit("ana", oracle(case))
    assert strong.improved and strong.best > weak.best
    history = board.history("ana")
    assert list(history.columns) == [
        "number",
        "received_at",
        "label",
        "score",
        "best",
        "improved",
        "predictions_sha256",
        "selected",
    ]
    assert history["score"].isna().tolist() == [False, True, False]
    assert "public_score" not in history.columns and "private_score" not in history.columns


def test_parameter_free_ladder_ignores_a_blind_search(store: Path, case: cs.Case) -> None:
    """Twenty random re-blurrings of one model: the board keeps showing its first score."""
    board = create(store)
    board.add_participant("ana")
    first = board.submit("ana", noisy(case, 2.0, seed=100))
    shown = {board.submit("ana", noisy(case, 2.0, seed=100 + i)).best for i in range(1, 21)}
    assert shown == {first.best}


def test_paired_bootstrap_replicates_are_the_metric_on_resampled_rows() -> None:
    rng = np.random.default_rng(0)
    labels = (rng.random(3000) < 0.05).astype(np.int8)
    scores = np.round(rng.random(3000) + 0.5 * labels, 2)  # with ties
    bootstrap = PairedBootstrap(labels, n_boot=40, seed=3)
    counts = next(bootstrap.chunks())
    ap = _weighted_average_precision(labels, scores, counts)
    auc = _weighted_roc_auc(labels, scores, counts)
    for b in (0, 17, 39):
        rows = np.repeat(np.arange(len(labels)), counts[b].astype(np.int64))
        assert (
            np.bincount(labels[rows], minlength=2).tolist() == np.bincount(labels, minlength=2).tolist()
        )  # stratified
        assert ap[b] == pytest.approx(average_precision_score(labels[rows], scores[rows]), abs=1e-6)
        assert auc[b] == pytest.approx(roc_auc_score(labels[rows], scores[rows]), abs=1e-9)
    again = PairedBootstrap(labels, n_boot=40, seed=3).replicates("average_precision", scores, costs=None, scoring={})
    np.testing.assert_array_equal(again, bootstrap.replicates("average_precision", scores, costs=None, scoring={}))


def test_critical_values_spend_alpha() -> None:
    levels = [0.05 / (m * (m + 1)) for m in range(1, 10_000)]
    assert sum(levels) == pytest.approx(0.05, rel=1e-3)
    assert critical_value(1, 0.05) == pytest.approx(1.95996, abs=1e-4)
    assert critical_value(400, None) == 1.0
    assert critical_value(10, 0.05) < critical_value(11, 0.05)


def test_decide_handles_lower_is_better_metrics() -> None:
    first = decide("exact", public=12.3456, replicates=None, best=None, higher=False, digits=2, step=0.1, alpha=0.05)
    assert first.released == 12.35
    from casestudies.leaderboard._feedback import Best

    best = Best(number=1, public=12.3456, released=12.35, replicates=None, tries_since=0)
    assert decide(
        "exact", public=12.0, replicates=None, best=best, higher=False, digits=2, step=0.1, alpha=0.05
    ).improved
    assert not decide(
        "ladder", public=12.3, replicates=None, best=best, higher=False, digits=2, step=0.1, alpha=0.05
    ).improved
    assert (
        decide("ladder", public=12.2, replicates=None, best=best, higher=False, digits=2, step=0.1, alpha=0.05).released
        == 12.2
    )


# -- standings, selection, close -------------------------------------------------------


def test_standings_selection_and_private_close(store: Path, case: cs.Case) -> None:
    board = create(store, feedback="exact", n_final=2)
    for name in ("ana", "bo", "cy"):
        board.add_participant(name)
    submitted = {
        ("ana", 1): noisy(case, 2.0, seed=20),
        ("ana", 2): oracle(case),
        ("ana", 3): noisy(case, 1.0, seed=21),
        ("bo", 1): noisy(case, 1.5, seed=22),
    }
    for (name, _), predictions in submitted.items():
        board.submit(name, predictions)
    # What the board should say, computed here from the revealed labels: "exact" feedback shows each public
    # score rounded to 5 digits and keeps the best; the private standing counts the chosen submissions only.
    public_best = {
        name: max(
            round(part_average_precision(case, values, "public"), 5)
            for (who, _), values in submitted.items()
            if who == name
        )
        for name in ("ana", "bo")
    }
    public = board.standings()
    assert list(public.columns) == ["rank", "participant", "score", "submissions", "last_submission"]
    assert public["participant"].tolist() == [*sorted(public_best, key=public_best.__getitem__, reverse=True), "cy"]
    assert public["rank"].tolist()[:2] == [1, 2] and pd.isna(public["rank"].iloc[2])
    assert public["score"].tolist()[:2] == pytest.approx([public_best[name] for name in public["participant"][:2]])
    assert public.set_index("participant")["submissions"].to_dict() == {"ana": 3, "bo": 1, "cy": 0}
    with pytest.raises(LeaderboardError, match="private standings are revealed when the host closes it"):
        board.standings(private=True)
    history = board.history("ana")
    assert history.loc[history["selected"], "number"].tolist() == [2, 3]  # default: best two shown
    assert board.select("ana", [1]) == [1]
    with pytest.raises(
        InvalidParameterError, match=re.escape("'ana' has no submissions numbered [7]; their numbers are 1..3")
    ):
        board.select("ana", [1, 7])
    with pytest.raises(InvalidParameterError, match="choose between 1 and 2 submissions; got 3"):
        board.select("ana", [1, 2, 3])
    assert board.history("ana").loc[lambda t: t["selected"], "number"].tolist() == [1]
    final = board.close()
    assert list(final.columns) == [
        "rank",
        "participant",
        "private_score",
        "public_score",
        "final_submissions",
        "submissions",
        "last_submission",
    ]
    # ana's choice counts, not her best (the oracle); bo's one submission counts by default.
    private = {name: part_average_precision(case, submitted[(name, 1)], "private") for name in ("ana", "bo")}
    expected_order = sorted(private, key=private.__getitem__, reverse=True)  # average precision: higher is better
    assert final["participant"].tolist() == [*expected_order, "cy"]
    assert final["rank"].tolist()[:2] == [1, 2] and pd.isna(final["rank"].iloc[2])
    ranked_names = final["participant"][:2]
    assert final["private_score"].tolist()[:2] == pytest.approx([private[name] for name in ranked_names], abs=1e-12)
    assert final["public_score"].tolist()[:2] == pytest.approx([public_best[name] for name in ranked_names])
    assert pd.isna(final["private_score"].iloc[2]) and pd.isna(final["public_score"].iloc[2])
    by_name = final.set_index("participant")
    assert by_name["final_submissions"].to_dict() == {"ana": "1", "bo": "1", "cy": ""}
    assert by_name["submissions"].to_dict() == {"ana": 3, "bo": 1, "cy": 0}
    pd.testing.assert_frame_equal(board.standings(private=True), final)
    with pytest.raises(LeaderboardClosedError):
        board.select("ana", [2])


def test_default_finals_use_only_what_the_ladder_released(store: Path, case: cs.Case) -> None:
    board = create(store, n_final=1)
    board.add_participant("ana")
    board.submit("ana", noisy(case, 3.0, seed=30))
    board.submit("ana", noisy(case, 3.0, seed=31))  # withheld whatever its score
    history = board.history("ana")
    assert history.loc[history["selected"], "number"].tolist() == [1]


def test_export_results_hides_private_scores_until_close(store: Path, case: cs.Case, tmp_path: Path) -> None:
    board = create(store)
    board.add_participant("ana")
    predictions = oracle(case)
    feedback = board.submit("ana", predictions, label="oracle")
    written = board.export_results(tmp_path / "open")
    assert sorted(path.name for path in written) == ["board.json", "standings_public.csv", "submissions.csv"]
    assert json.loads((tmp_path / "open" / "board.json").read_text()) == json.loads(
        json.dumps(board.info(), default=str)
    )
    record = pd.read_csv(tmp_path / "open" / "submissions.csv", keep_default_na=False)
    assert "private_score" not in record.columns
    row = record.iloc[0]
    assert (len(record), row["participant"], row["number"], row["label"]) == (1, "ana", 1, "oracle")
    # The exact public score, computed here; what ana was told; the hash of her values as float64 little-endian.
    assert row["public_score"] == pytest.approx(part_average_precision(case, predictions, "public"), abs=1e-12)
    assert row["released_score"] == feedback.score and row["best_score"] == feedback.best
    assert row["predictions_sha256"] == hashlib.sha256(predictions.astype("<f8").tobytes()).hexdigest()
    standings = pd.read_csv(tmp_path / "open" / "standings_public.csv")
    assert standings[["rank", "participant", "score", "submissions"]].to_dict("records") == [
        {"rank": 1, "participant": "ana", "score": feedback.best, "submissions": 1}
    ]
    board.close()
    names = sorted(path.name for path in board.export_results(tmp_path / "closed"))
    assert names == ["board.json", "standings_private.csv", "standings_public.csv", "submissions.csv"]
    private = part_average_precision(case, predictions, "private")
    closed_record = pd.read_csv(tmp_path / "closed" / "submissions.csv")
    assert closed_record["private_score"].tolist() == pytest.approx([private], abs=1e-12)
    final = pd.read_csv(tmp_path / "closed" / "standings_private.csv")
    assert final[["rank", "participant", "public_score", "final_submissions"]].to_dict("records") == [
        {"rank": 1, "participant": "ana", "public_score": feedback.best, "final_submissions": 1}
    ]
    assert final["private_score"].tolist() == pytest.approx([private], abs=1e-12)
    closed_info = json.loads((tmp_path / "closed" / "board.json").read_text())
    assert closed_info["closed_at"] is not None and closed_info["closed_at"] == board.info()["closed_at"]


# -- the store -------------------------------------------------------------------------


def test_stored_rows_cannot_be_changed_or_deleted(store: Path, case: cs.Case) -> None:
    board = create(store)
    board.add_participant("ana")
    board.submit("ana", oracle(case))
    before = dump(store)
    with sqlite3.connect(store) as conn:
        for statement in (
            "UPDATE submissions SET public_score = 1.0",
            "DELETE FROM submissions",
            "UPDATE participants SET name = 'eve'",
            "DELETE FROM participants",
            "UPDATE boards SET seed = 1",
            "DELETE FROM boards",
        ):
            with pytest.raises(sqlite3.DatabaseError, match=r"never changed|never deleted|only changes once"):
                conn.execute(statement)
    assert dump(store) == before
    board.close()
    with sqlite3.connect(store) as conn, pytest.raises(sqlite3.DatabaseError, match="only changes once"):
        conn.execute("UPDATE boards SET closed_at = NULL")


def test_sqlite_store_runs_in_wal_mode(store: Path) -> None:
    create(store)
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_errors_say_what_is_wrong(tmp_path: Path, store: Path) -> None:
    with pytest.raises(StoreError, match=re.escape("no leaderboard store at")):
        cs.Leaderboard.open(tmp_path / "missing.sqlite")
    text = tmp_path / "notes.sqlite"
    text.write_text("these are notes, not a database " * 100)
    with pytest.raises(StoreError, match="is not a readable leaderboard store"):
        cs.Leaderboard.open(text)
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        create(tmp_path / "no" / "such" / "folder" / "b.sqlite")
    create(store)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE casestudies_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(
        StoreError, match=re.escape("has schema version 99, newer than this casestudies understands (1)")
    ):
        cs.Leaderboard.open(store)


def test_several_boards_in_one_store(store: Path) -> None:
    create(store, name="spring")
    create(store, name="autumn", feedback="exact")
    assert cs.Leaderboard.names(store) == ["spring", "autumn"]
    with pytest.raises(
        UnknownLeaderboardError,
        match=re.escape("holds 2 leaderboards; name the one to open (it has ['spring', 'autumn'])"),
    ):
        cs.Leaderboard.open(store)
    with pytest.raises(UnknownLeaderboardError, match="Did you mean 'spring'"):
        cs.Leaderboard.open(store, "sprung")
    assert cs.Leaderboard.open(store, "autumn").info()["feedback"] == "exact"
    with pytest.raises(LeaderboardError, match="already has a leaderboard named 'spring'"):
        create(store, name="spring")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"feedback": "ladderr"}, "feedback must be one of 'exact', 'ladder', 'parameter-free'; got 'ladderr' (str)"),
        (
            {"metric": "accuracyy"},
            "metric must be one of ['average_precision', 'roc_auc', 'precision_at_budget', 'recall_at_budget', "
            "'expected_cost', 'accuracy'] for 'fraud-v1'; got 'accuracyy'. Did you mean 'accuracy'?",
        ),
        ({"n_final": 0}, "n_final must be an int between 1 and 100; got 0 (int)"),
        ({"daily_limit": 0}, "daily_limit must be None or an int between 1 and 1000000; got 0 (int)"),
        ({"name": "two\nlines"}, "name must be 1-100 letters, digits, spaces or . _ @ + -"),
    ],
)
def test_invalid_settings_say_what_was_expected(store: Path, settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        create(store, **settings)
    assert not store.exists() or cs.Leaderboard.names(store) == []


def test_a_holdout_without_positives_cannot_make_a_board(store: Path) -> None:
    no_fraud = {"n_customers": 50, "n_days": 7, "n_test_days": 1, "fraud_intensity": 0.0, "dispute_rate": 0.0}
    with pytest.raises(
        InvalidParameterError,
        match=(
            r"average_precision cannot rank submissions on the public part of this holdout "
            r"\(0 positives and \d+ negatives\)"
        ),
    ):
        create(store, params=no_fraud)


def test_participant_names_are_unique_and_well_formed(store: Path) -> None:
    board = create(store)
    board.add_participant("Ana María")
    with pytest.raises(LeaderboardError, match="already has a participant 'Ana María'"):
        board.add_participant("Ana María")
    with pytest.raises(InvalidParameterError, match="must be 1-100 letters"):
        board.add_participant("<script>")
    assert board.participants() == ["Ana María"]


# -- solo practice ---------------------------------------------------------------------


def test_practice_history_keeps_the_trend_per_scenario_and_user(store: Path, case: cs.Case) -> None:
    clock = Clock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    log = cs.PracticeLog(store, clock=clock)
    other = cs.PracticeLog(store, user="bo")
    for name, predictions in (
        ("blurred", noisy(case, 2.0, seed=40)),
        ("constant", np.full(len(case.test), 0.5)),
        ("oracle", oracle(case)),
    ):
        row = log.record(case.score(predictions, name=name, baselines=False))
        assert row["scenario_id"] == SCENARIO and row["seed"] == SEED
    other.record(case.score(np.full(len(case.test), 0.5), name="bo's", baselines=False))
    history = log.history(SCENARIO)
    assert history["name"].tolist() == ["blurred", "constant", "oracle"]
    private = history["private"].to_numpy()
    np.testing.assert_allclose(history["best_so_far"], np.maximum.accumulate(private))
    np.testing.assert_allclose(history["change"].iloc[1:], np.diff(private))
    assert log.summary(SCENARIO).startswith(
        f"{SCENARIO}: 3 reports; private average precision {private[0]:.3f} -> {private[2]:.3f}"
    )
    assert other.history()["name"].tolist() == ["bo's"]
    create(store)  # a board can share the file
    assert len(cs.PracticeLog(store).history()) == 3
    with pytest.raises(InvalidParameterError, match="report must be a casestudies Report"):
        log.record({"not": "a report"})  # type: ignore[arg-type]


def test_tokens_never_start_with_a_dash_so_the_command_line_reads_them_as_values() -> None:
    # One URL-safe token in 64 starts with "-": 2,000 draws would show one (1 - (63/64)**2000 > 1 - 1e-13).
    tokens = [new_token() for _ in range(2_000)]
    assert not [token for token in tokens if token.startswith("-")]
    assert len(set(tokens)) == len(tokens) and {len(token) for token in tokens} == {32}
