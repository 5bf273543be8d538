"""Take-home bundles, interviewer keys and grading (issue 6).

Real data from our generators, fixed seeds. Three take-homes are built once
per module: the test suite's logistic toy (baselines fitted: the reference
pipeline is cheap), fraud-v1 at a third of its default size (oracle-only
difficulty: its expert pipeline takes most of a minute per variant) and a
large toy for the chance-level checks of ids and row order.

Difficulty is held to the tolerance the product states, never a wider one:
the rubric's for scenarios that have one (fraud-v1: oracle 0.06; the movies
take-homes), ``DEFAULT_TOLERANCE`` (oracle 0.05, reference 0.10) for the toy.
fraud-v1 is measured by its oracle alone, as ``baselines=False`` does; the
reference tolerance is exercised on the toy, whose reference pipeline is
cheap.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

import casestudies as cs
from background_runs import selected, start_notebook
from casestudies.case import host_view
from casestudies.cli._main import main
from casestudies.core import higher_is_better
from casestudies.core._fingerprint import fingerprint
from casestudies.exceptions import (
    InvalidParameterError,
    ProblemCode,
    SubmissionError,
    TakehomeError,
    TakehomeIntegrityError,
)
from casestudies.takehome import Rubric, takehome_rubric
from casestudies.takehome._rubric import DEFAULT_TOLERANCE
from casestudies.takehome._variant import commitment as _commitment

TOY = "plugin-toy-v1"
CANDIDATES = ["alice", "bob", "carol"]
FRAUD = {"n_customers": 700, "n_days": 28}
SEEDS = (0, 1, 2, 3, 4)


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> cs.Takehome:
    out = tmp_path_factory.mktemp("toy")
    return cs.create_takehome(TOY, candidates=CANDIDATES, out=out, seed=11, zip_bundles=True)


@pytest.fixture(scope="module")
def fraud(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, reference_cache: Path
) -> cs.Takehome:
    out = tmp_path_factory.mktemp("fraud")
    # A third of the default customers: a holdout of about 19,000 transactions, whose oracle average precision
    # varies from variant to variant by sd 0.035 (0.031 at full size), so the rubric's stated oracle tolerance
    # (0.06) is met with a redraw now and then; no tolerance is passed, the stated one applies.
    takehome = cs.create_takehome(
        "fraud-v1",
        candidates=["alice", "bob"],
        out=out,
        seed=7,
        params=FRAUD,
        zip_bundles=True,
        baselines=False,
    )
    if selected(request, "test_starter_notebook_runs_unmodified_and_its_output_grades"):
        start_starter(takehome, tmp_path_factory.mktemp("fraud-starter"), reference_cache)
    return takehome


@pytest.fixture(scope="module")
def big_toy(tmp_path_factory: pytest.TempPathFactory) -> cs.Takehome:
    out = tmp_path_factory.mktemp("big")
    return cs.create_takehome(
        TOY, candidates=["alice", "bob"], out=out, seed=3, params={"n_rows": 100_000}, baselines=False
    )


STARTERS: dict[Path, tuple[Path, Future[list[dict[str, object]]]]] = {}
"""Starter notebooks started in the background when their take-home is created, by the take-home's folder."""


def start_starter(takehome: cs.Takehome, where: Path, cache: Path) -> None:
    """Run alice's starter notebook, unmodified, on a copy of her bundle, beside the tests that follow."""
    bundle = where / "alice"
    shutil.copytree(takehome.bundles["alice"], bundle)
    STARTERS[takehome.out] = bundle, start_notebook(bundle / "starter.ipynb", timeout=300, cache=cache)


def starter_errors(takehome: cs.Takehome, where: Path, cache: Path) -> tuple[Path, list[dict[str, object]]]:
    """The copied bundle and the error outputs of its starter notebook (started now if it was not yet)."""
    if takehome.out not in STARTERS:
        start_starter(takehome, where, cache)
    bundle, run = STARTERS.pop(takehome.out)
    return bundle, run.result()


def copy_takehome(takehome: cs.Takehome, where: Path) -> cs.Takehome:
    """A private copy to tamper with."""
    shutil.copytree(takehome.out, where)
    bundles = {name: where / "bundles" / name for name in takehome.bundles}
    return cs.Takehome(takehome.scenario_id, where, where / "key", bundles, {}, takehome.difficulty)


def key_record(takehome: cs.Takehome, name: str) -> dict[str, object]:
    return json.loads((takehome.key / "candidates" / name / "secret.json").read_text())


def answer_key(takehome: cs.Takehome, name: str) -> pd.DataFrame:
    return pd.read_parquet(takehome.key / "candidates" / name / "answer_key.parquet")


def bundle_files(takehome: cs.Takehome, name: str) -> Iterator[tuple[str, bytes]]:
    """Every file a candidate receives: the bundle folder and, when written, everything inside its zip."""
    bundle = takehome.bundles[name]
    for path in sorted(bundle.rglob("*")):
        if path.is_file():
            yield path.relative_to(bundle).as_posix(), path.read_bytes()
    if name in takehome.zips:
        with zipfile.ZipFile(takehome.zips[name]) as archive:
            for member in archive.namelist():
                yield f"zip:{member}", archive.read(member)


def rank_auc(labels: np.ndarray, values: np.ndarray) -> float:
    ranks = pd.Series(values).rank(method="average").to_numpy()
    n_pos = int(labels.sum())
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (len(labels) - n_pos)))


def chance_bound(labels: np.ndarray) -> float:
    """4.5 standard errors of the ROC-AUC of a ranking unrelated to the labels (Hanley-McNeil under the null)."""
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    return 4.5 * math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))


# -- the bundle -------------------------------------------------------------------


def test_bundle_layout_manifest_and_commitment(toy: cs.Takehome) -> None:
    for name in CANDIDATES:
        bundle = toy.bundles[name]
        files = sorted(path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file())
        assert files == [
            "README.md",
            "data/test.csv",
            "data/test.parquet",
            "data/train.csv",
            "data/train.parquet",
            "manifest.json",
            "starter.ipynb",
            "submission_template.csv",
        ]
        manifest = json.loads((bundle / "manifest.json").read_text())
        assert manifest["scenario_id"] == TOY and manifest["candidate"] == name
        assert set(manifest["files"]) == set(files) - {"manifest.json"}
        train, test = pd.read_parquet(bundle / "data/train.parquet"), pd.read_parquet(bundle / "data/test.parquet")
        assert manifest["data_fingerprint"] == fingerprint(train, test)
        record = key_record(toy, name)
        assert manifest["answer_key_commitment"] == record["commitment"] == _commitment(record)
        csv_test = pd.read_csv(bundle / "data/test.csv")
        assert csv_test.shape == test.shape and (csv_test["row_id"].to_numpy() == test["row_id"].to_numpy()).all()
        readme = (bundle / "README.md").read_text()
        for section in ("## The problem", "## What to submit", "## How it is scored", "## Time"):
            assert section in readme
        assert "`row_id` and `prediction`" in readme and "average precision" in readme
        assert toy.zips[name].is_file()


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_bundle_holds_no_label_seed_or_key_material(toy: cs.Takehome, fraud: cs.Takehome) -> None:
    for takehome in (toy, fraud):
        for name in takehome.bundles:
            record = key_record(takehome, name)
            answer = answer_key(takehome, name)
            target, id_column = str(record["target"]), str(record["id_column"])
            labels = answer[target].to_numpy()
            seed = int(record["variant_seed"])
            secrets = [
                str(seed).encode(),
                seed.to_bytes(8, "little"),
                str(record["id_key"]).encode(),
                str(record["salt"]).encode(),
            ]
            start = max(int(np.flatnonzero(labels)[0]) - 20, 0)
            label_text = "".join(
                map(str, labels[start : start + 200])
            ).encode()  # labels in bundle order as digits, positives included
            answer_bytes = (takehome.key / "candidates" / name / "answer_key.parquet").read_bytes()
            seen = set()
            for file_name, content in bundle_files(takehome, name):
                seen.add(file_name)
                assert not [secret for secret in secrets if secret in content], f"{file_name} holds key material"
                assert label_text not in content, f"{file_name} holds the labels as text"
                assert answer_bytes not in content
                if file_name.endswith(("test.parquet", "test.csv")):
                    frame = (
                        pd.read_parquet(io.BytesIO(content))
                        if file_name.endswith(".parquet")
                        else pd.read_csv(io.BytesIO(content))
                    )
                    assert target not in frame.columns
                    for column in frame.columns:
                        values = frame[column].to_numpy()
                        assert not (
                            values.dtype.kind in "biuf" and np.array_equal(values.astype(float), labels.astype(float))
                        )
                    assert not set(frame[id_column]) & set(answer["source_id"]), (
                        "the generator's ids reached the bundle"
                    )
                if file_name.endswith(".ipynb"):
                    notebook = json.loads(content)
                    assert all(not cell.get("outputs") for cell in notebook["cells"])
                if file_name.endswith("submission_template.csv"):
                    assert pd.read_csv(io.BytesIO(content))["prediction"].nunique() == 1
            assert any(item.startswith("zip:") for item in seen) and "manifest.json" in seen
            assert not any("data_card" in item or "key" in item.split("/")[-1] for item in seen)


def check_chance(labels: np.ndarray, values: np.ndarray) -> tuple[bool, float, float]:
    auc = rank_auc(labels, values)
    bound = chance_bound(labels)
    return abs(auc - 0.5) <= bound, auc, bound


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_ids_and_row_order_rank_the_holdout_at_chance(big_toy: cs.Takehome, fraud: cs.Takehome) -> None:
    for takehome in (big_toy, fraud):
        for name, bundle in takehome.bundles.items():
            record = key_record(takehome, name)
            labels = answer_key(takehome, name)[record["target"]].to_numpy()
            test = pd.read_parquet(bundle / "data/test.parquet")
            for what, values in (("id", test[record["id_column"]].to_numpy()), ("row position", np.arange(len(test)))):
                ok, auc, bound = check_chance(labels, values)
                where = f"{takehome.scenario_id}/{name}"
                assert ok, f"{where}: ranking by {what} gives ROC-AUC {auc:.4f}, outside 0.5 +/- {bound:.4f}"
    # The tolerance has teeth: on the big toy (about 30,000 test rows) it is about +/- 0.025, and
    # implementations that leak a little fail it.
    labels = answer_key(big_toy, "alice")["label"].to_numpy()
    assert chance_bound(labels) < 0.03
    rng = np.random.default_rng(0)
    positives_last = np.argsort(labels, kind="stable")  # rows appended class by class, not shuffled
    assert not check_chance(labels, np.argsort(positives_last))[0]
    leaky_ids = (
        pd.Series(labels * 0.05 + rng.random(len(labels))).rank().to_numpy()
    )  # ids from a slightly label-sorted order
    ok, auc, _ = check_chance(labels, leaky_ids)
    assert not ok and abs(auc - 0.5) < 0.1

    # A real one: fraud-v1's own transaction ids grow with time, and fraud comes in bursts, so keeping them
    # ranks some full-size holdouts off chance (seed 3: ROC-AUC 0.61 against a bound of +/- 0.08).
    def generator_ids_fail(seed: int) -> bool:
        case = cs.make("fraud-v1", seed=seed)
        return not check_chance(case.reveal()["is_fraud"].to_numpy(), case.test["transaction_id"].to_numpy())[0]

    assert any(generator_ids_fail(seed) for seed in range(10))


def holdout_signature(frame: pd.DataFrame, id_column: str) -> str:
    """The test features without ids, independent of row order."""
    rest = frame.drop(columns=[id_column])
    return fingerprint(rest.sort_values(list(rest.columns), kind="stable").reset_index(drop=True))


def revealed_numbers(bundle: Path, id_column: str) -> set[int]:
    """Every integer the bundle's text states, plus its row counts and the extremes of its integer columns."""
    numbers: set[int] = set()
    for name in ("README.md", "manifest.json", "starter.ipynb"):
        numbers |= {int(text.replace(",", "")) for text in re.findall(r"\d[\d,]*", (bundle / name).read_text())}
    numbers |= {
        int(text) for text in re.findall(r"\d+", (bundle / "submission_template.csv").read_text().splitlines()[0])
    }
    for part in ("train", "test"):
        frame = pd.read_parquet(bundle / f"data/{part}.parquet")
        numbers.add(len(frame))
        for column in frame.columns:
            if frame[column].dtype.kind in "iu":
                numbers |= {
                    int(frame[column].min()),
                    int(frame[column].max()),
                    int(frame[column].iloc[0]),
                    int(frame[column].iloc[-1]),
                }
    return {number for number in numbers if 0 <= number < 2**63}


@pytest.mark.parametrize("which", ["toy", "fraud"])
@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_no_number_in_the_bundle_regenerates_the_holdout(which: str, toy: cs.Takehome, tmp_path: Path) -> None:
    if which == "toy":
        takehome = toy
    else:  # a small fraud log, so that regenerating it once per revealed number stays cheap
        params = {"n_customers": 150, "n_terminals": 200, "n_days": 21, "n_test_days": 7}
        takehome = cs.create_takehome(
            "fraud-v1", candidates=["alice"], out=tmp_path, seed=9, params=params, baselines=False
        )
    record = key_record(takehome, "alice")
    id_column = str(record["id_column"])
    bundle_test = pd.read_parquet(takehome.bundles["alice"] / "data/test.parquet")
    target = holdout_signature(bundle_test, id_column)
    params = record["params"]
    # the comparison can tell: the secret seed does reproduce the holdout
    assert (
        holdout_signature(cs.make(takehome.scenario_id, seed=int(record["variant_seed"]), **params).test, id_column)
        == target
    )
    numbers = revealed_numbers(takehome.bundles["alice"], id_column)
    assert len(numbers) > 50
    for number in sorted(numbers):
        regenerated = cs.make(takehome.scenario_id, seed=number, **params).test
        assert len(regenerated) != len(bundle_test) or holdout_signature(regenerated, id_column) != target, (
            f"seed {number} reproduces the holdout"
        )


# -- integrity --------------------------------------------------------------------


def _flip_a_label(takehome: cs.Takehome) -> None:
    path = takehome.key / "candidates/alice/answer_key.parquet"
    answer = pd.read_parquet(path)
    answer.loc[0, "label"] = 1 - answer.loc[0, "label"]
    answer.to_parquet(path, index=False)


def _change_seed(takehome: cs.Takehome) -> None:
    path = takehome.key / "candidates/alice/secret.json"
    record = json.loads(path.read_text())
    record["variant_seed"] += 1
    path.write_text(json.dumps(record))


def _change_seed_and_recommit(takehome: cs.Takehome) -> None:
    path = takehome.key / "candidates/alice/secret.json"
    record = json.loads(path.read_text())
    record["variant_seed"] += 1
    record["commitment"] = _commitment(record)
    path.write_text(json.dumps(record))
    key = json.loads((takehome.key / "key.json").read_text())
    key["candidates"]["alice"]["commitment"] = record["commitment"]
    (takehome.key / "key.json").write_text(json.dumps(key))


def _edit_test_csv(takehome: cs.Takehome) -> None:
    path = takehome.bundles["alice"] / "data/test.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:-1] + ("0" if lines[1][-1] != "0" else "1")
    path.write_text("\n".join(lines) + "\n")


def _edit_manifest_consistently(takehome: cs.Takehome) -> None:
    _edit_test_csv(takehome)
    path = takehome.bundles["alice"] / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["data/test.csv"] = hashlib.sha256(
        (takehome.bundles["alice"] / "data/test.csv").read_bytes()
    ).hexdigest()
    path.write_text(json.dumps(manifest, indent=2))


def _edit_references(takehome: cs.Takehome) -> None:
    path = takehome.key / "candidates/alice/references.json"
    references = json.loads(path.read_text())
    references[-1]["all"]["average_precision"]["estimate"] = 0.01
    path.write_text(json.dumps(references))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_flip_a_label, "answer_key.parquet differs from the answer key committed to"),
        (_change_seed, "the key record (secret.json) no longer matches its commitment"),
        (_change_seed_and_recommit, "the bundle's manifest commits to a different answer key"),
        (_edit_test_csv, "bundle files differ from their checksums in manifest.json: ['data/test.csv']"),
        (_edit_manifest_consistently, "the bundle's manifest.json differs from the one written at creation"),
        (_edit_references, "references.json of the key differs from the one committed to"),
    ],
    ids=["label", "seed", "seed-recommitted", "test-csv", "manifest", "references"],
)
def test_grade_detects_a_tampered_key_or_bundle(toy: cs.Takehome, tmp_path: Path, tamper: object, message: str) -> None:
    copy = copy_takehome(toy, tmp_path / "copy")
    template = copy.bundles["alice"] / "submission_template.csv"
    assert cs.grade_takehome(copy.key, {"alice": template}, write=False)["alice"].status == "graded"
    tamper(copy)  # type: ignore[operator]
    with pytest.raises(TakehomeIntegrityError, match=re.escape(message)):
        cs.grade_takehome(copy.key, {"alice": template}, write=False)


def test_grade_detects_a_recommitted_key_without_the_bundle(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_takehome(toy, tmp_path / "copy")
    _change_seed_and_recommit(copy)
    with pytest.raises(
        TakehomeIntegrityError, match="the data regenerated from the secret seed differs from the bundle's"
    ):
        cs.grade_takehome(
            copy.key,
            {"alice": copy.bundles["alice"] / "submission_template.csv"},
            bundles=tmp_path / "nowhere",
            write=False,
        )


# -- variants ---------------------------------------------------------------------


def stated_tolerance(scenario_id: str, measures: Iterable[str]) -> dict[str, float]:
    """The tolerance the product states for ``scenario_id``: its rubric's, else ``DEFAULT_TOLERANCE``."""
    stated = takehome_rubric(scenario_id).tolerance or DEFAULT_TOLERANCE
    return {measure: stated[measure] for measure in measures}


def oracle_scores(takehome: cs.Takehome) -> dict[str, float]:
    """Each candidate's oracle average precision on the whole holdout, recomputed from the key by scikit-learn."""
    found = {}
    for name in takehome.bundles:
        answer = answer_key(takehome, name)
        found[name] = float(
            average_precision_score(answer[key_record(takehome, name)["target"]], answer["probability"])
        )
    return found


def redraw_spreads(lines: list[str]) -> list[dict[str, float]]:
    """The spreads create_takehome reported when it redrew a variant (from its progress lines)."""
    spreads = []
    for line in lines:
        if "is over the tolerance; redrawing" in line:
            found = re.findall(r"(oracle|reference) (\d+\.\d+)", line.split(" is over")[0])
            spreads.append({measure: float(value) for measure, value in found})
    return spreads


def test_variants_differ_in_data_not_in_difficulty(toy: cs.Takehome, fraud: cs.Takehome) -> None:
    for takehome in (toy, fraud):
        frames = {name: pd.read_parquet(bundle / "data/test.parquet") for name, bundle in takehome.bundles.items()}
        id_column = str(key_record(takehome, "alice")["id_column"])
        signatures = {name: holdout_signature(frame, id_column) for name, frame in frames.items()}
        assert len(set(signatures.values())) == len(frames), "two variants share their data"
        ids = [set(frame[id_column]) for frame in frames.values()]
        assert all(not a & b for i, a in enumerate(ids) for b in ids[i + 1 :]), "two variants share ids"
        difficulty = takehome.difficulty
        # Held to the tolerance the product states, not to a wider one passed by the caller.
        stated = stated_tolerance(takehome.scenario_id, difficulty.spread)
        assert dict(difficulty.tolerance) == stated
        for measure, spread in difficulty.spread.items():
            values = [scores[measure] for scores in difficulty.scores.values()]
            assert spread == pytest.approx(max(values) - min(values)) and spread <= stated[measure]
        # The oracle's scores are its average precision on each whole holdout (recomputed independently).
        recomputed = oracle_scores(takehome)
        assert recomputed == pytest.approx({name: scores["oracle"] for name, scores in difficulty.scores.items()})
        assert max(recomputed.values()) - min(recomputed.values()) <= stated["oracle"]
        # the key states the same numbers, and they are the oracle's and reference's scores on each whole holdout
        key = json.loads((takehome.key / "key.json").read_text())["difficulty"]
        assert key["spread"] == pytest.approx(dict(difficulty.spread)) and key["tolerance"] == stated
        for name in takehome.bundles:
            references = {
                item["entry"]["name"]: item["all"]
                for item in json.loads((takehome.key / "candidates" / name / "references.json").read_text())
            }
            assert references["oracle"]["average_precision"]["estimate"] == pytest.approx(
                difficulty.scores[name]["oracle"]
            )
        assert "spread (max - min)" in (takehome.key / "README.md").read_text()
    assert set(toy.difficulty.spread) == {"oracle", "reference"} and toy.difficulty.reference == "expert"
    assert set(fraud.difficulty.spread) == {"oracle"}  # baselines=False: oracle only
    assert dict(toy.difficulty.tolerance) == dict(DEFAULT_TOLERANCE)  # the toy has no rubric file
    assert takehome_rubric("fraud-v1").tolerance == {"oracle": 0.06, "reference": 0.12}  # scenarios/takehome/
    assert dict(fraud.difficulty.tolerance) == {"oracle": 0.06}
    assert len(fraud.difficulty.rejected) == fraud.difficulty.redraws


def test_create_redraws_variants_outside_the_tolerance(tmp_path: Path) -> None:
    lines: list[str] = []
    takehome = cs.create_takehome(
        TOY,
        candidates=["a", "b", "c"],
        out=tmp_path / "tight",
        seed=1,
        params={"n_rows": 2000},
        baselines=False,
        tolerance=0.02,
        progress=lines.append,
    )
    difficulty = takehome.difficulty
    assert difficulty.redraws >= 1 and len(difficulty.rejected) == difficulty.redraws
    assert difficulty.spread["oracle"] <= 0.02
    # a redraw only when the batch was over the tolerance (progress prints three decimals)
    spreads = redraw_spreads(lines)
    assert len(spreads) == difficulty.redraws and all(spread["oracle"] > 0.0195 for spread in spreads)
    assert "redrawn" in str(difficulty)
    with pytest.raises(
        TakehomeError,
        match=r"after 0 redraws the variants' average_precision still spreads by oracle 0\.\d+ \(tolerance 0\.001\)",
    ):
        cs.create_takehome(
            TOY,
            candidates=["a", "b"],
            out=tmp_path / "impossible",
            seed=1,
            params={"n_rows": 2000},
            baselines=False,
            tolerance=0.001,
            max_redraws=0,
        )


def test_create_holds_the_reference_pipeline_to_its_stated_tolerance(tmp_path: Path) -> None:
    # The oracle is left loose, so only the reference pipeline's stated tolerance (DEFAULT_TOLERANCE, 0.10)
    # can bind. At 1,000 rows (300 test rows) the expert's average precision varies by sd 0.10 from variant
    # to variant: three candidates' first draws often spread beyond 0.10.
    lines: list[str] = []
    takehome = cs.create_takehome(
        TOY,
        candidates=["a", "b", "c"],
        out=tmp_path / "ok",
        seed=1,
        params={"n_rows": 1000},
        tolerance={"oracle": 1.0},
        progress=lines.append,
    )
    difficulty = takehome.difficulty
    limit = DEFAULT_TOLERANCE["reference"]
    assert dict(difficulty.tolerance) == {"oracle": 1.0, "reference": limit}
    assert difficulty.redraws >= 1 and difficulty.spread["reference"] <= limit
    spreads = redraw_spreads(lines)
    assert len(spreads) == difficulty.redraws and all(spread["reference"] > limit - 0.0005 for spread in spreads)
    references = [scores["reference"] for scores in difficulty.scores.values()]
    assert max(references) - min(references) <= limit
    # Six candidates at that size spread by far more than 0.10: without redraws, create refuses.
    with pytest.raises(TakehomeError, match=r"still spreads by oracle 0\.\d+ \(tolerance 1\), reference 0\.\d+ "):
        cs.create_takehome(
            TOY,
            candidates=[f"c{i}" for i in range(6)],
            out=tmp_path / "refused",
            seed=1,
            params={"n_rows": 1000},
            tolerance={"oracle": 1.0},
            max_redraws=0,
        )
    assert not (tmp_path / "refused" / "key").exists()


@pytest.mark.slow
def test_accepted_fraud_batches_are_within_the_stated_tolerance(tmp_path: Path) -> None:
    """Five take-homes of three candidates (about 2 s each): every accepted spread is within the stated 0.06."""
    limit = stated_tolerance("fraud-v1", ["oracle"])["oracle"]
    redraws = 0
    for seed in SEEDS:
        lines: list[str] = []
        takehome = cs.create_takehome(
            "fraud-v1",
            candidates=["a", "b", "c"],
            out=tmp_path / str(seed),
            seed=seed,
            params=FRAUD,
            baselines=False,
            progress=lines.append,
        )
        recomputed = oracle_scores(takehome)
        assert max(recomputed.values()) - min(recomputed.values()) <= limit, f"seed {seed}: {recomputed}"
        assert all(spread["oracle"] > limit - 0.0005 for spread in redraw_spreads(lines)), f"seed {seed}: {lines}"
        redraws += takehome.difficulty.redraws
    # The tolerance binds at this size (oracle sd 0.035 between variants: three draws spread beyond 0.06 often).
    assert redraws >= 1


def test_a_submission_for_another_variant_is_rejected_by_name(toy: cs.Takehome, tmp_path: Path) -> None:
    bobs = toy.bundles["bob"] / "submission_template.csv"
    with pytest.raises(SubmissionError) as caught:
        cs.grade_takehome(toy.key, {"alice": bobs}, write=False)
    problem = caught.value.problems[0]
    assert problem.code is ProblemCode.WRONG_VARIANT
    assert "100% are from candidate bob's bundle and 0% from alice's" in problem.received
    assert problem.hint.startswith("This file was made for bob's variant, not alice's.")
    # ids from no bundle at all, and a file without ids
    alien = pd.read_csv(bobs).assign(row_id=lambda frame: frame["row_id"] + 1)
    with pytest.raises(SubmissionError, match="none match another candidate's bundle"):
        cs.grade_takehome(toy.key, {"alice": alien}, write=False)
    with pytest.raises(
        SubmissionError, match=re.escape("a take-home submission carries the ids of the candidate's bundle")
    ):
        cs.grade_takehome(toy.key, {"alice": pd.read_csv(bobs)[["prediction"]]}, write=False)
    # recorded instead of raised, and on the command line
    grading = cs.grade_takehome(toy.key, {"alice": bobs}, errors="record", write=False)
    assert grading["alice"].status == "rejected" and "made for bob's variant" in str(grading["alice"])


def test_cli_rejects_another_variant_with_a_clear_error(toy: cs.Takehome, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["takehome", "grade", str(toy.key), "alice", str(toy.bundles["carol"] / "submission_template.csv")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: submission for 'plugin-toy-v1' has 1 problem:")
    assert "This file was made for carol's variant, not alice's." in err and "Traceback" not in err


# -- grading ----------------------------------------------------------------------


def test_grade_scores_the_whole_holdout_and_places_it(toy: cs.Takehome) -> None:
    answer = answer_key(toy, "alice")
    perfect = pd.DataFrame({"row_id": answer["row_id"], "prediction": answer["probability"]})
    grade = cs.grade_takehome(toy.key, {"alice": perfect}, write=False)["alice"]
    assert grade.scores is not None and json.dumps(grade.scores) == json.dumps(grade.references["oracle"]["scores"])
    assert grade.scores["n_rows"]["estimate"] == len(answer)  # every row, not a public part
    assert grade.placement is not None and grade.placement.text.startswith("level with oracle")
    assert grade.placement.share_of_oracle == pytest.approx(1.0)
    assert [check.split()[0] for check in grade.checks] == ["key", "answer", "bundle", "data", "submission"]
    # The accuracy paradox is only told where positives are rare (under 10 %, as the class_balance diagnostic says);
    # the toy's holdout prevalence runs from 7 % to 11 % across seeds, on either side of that line.
    rare = grade.scores["prevalence"]["estimate"] < 0.1
    expected = {"pr_vs_roc", "alert_budget", "oracle_gap"} | ({"accuracy_paradox"} if rare else set())
    assert {finding.id for finding in grade.findings} == expected
    template = cs.grade_takehome(toy.key, {"alice": toy.bundles["alice"] / "submission_template.csv"})["alice"]
    assert template.placement is not None and template.placement.text.startswith("level with prior")
    assert template.scores is not None and template.scores["roc_auc"]["estimate"] == 0.5
    markdown, page = template.files["markdown"].read_text(), template.files["html"].read_text()
    assert "## Score on the whole hidden holdout" in markdown and "expert (reference)" in markdown
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "<script" not in page
    assert json.loads(template.files["json"].read_text())["status"] == "graded"


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_starter_notebook_runs_unmodified_and_its_output_grades(
    fraud: cs.Takehome, tmp_path: Path, reference_cache: Path
) -> None:
    bundle, errors = starter_errors(fraud, tmp_path, reference_cache)
    assert not errors
    grade = cs.grade_takehome(fraud.key, {"alice": bundle / "submission.csv"}, write=False)["alice"]
    assert grade.status == "graded" and grade.scores is not None
    assert grade.scores["roc_auc"]["estimate"] > 0.55  # the starter's logistic regression on the amount beats chance


def test_grade_all_writes_one_comparison_table(
    toy: cs.Takehome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(toy.bundles["alice"] / "submission_template.csv", folder / "alice.csv")
    answer = answer_key(toy, "bob")
    pd.DataFrame({"row_id": answer["row_id"], "prediction": answer["probability"]}).to_parquet(folder / "bob.parquet")
    shutil.copy(toy.bundles["bob"] / "submission_template.csv", folder / "carol.csv")  # carol hands in bob's file
    (folder / "alcie.csv").write_text("row_id,prediction\n")
    code = main(["takehome", "grade", str(toy.key), "--all", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(toy.key / "grades/comparison.csv")
    assert table["candidate"].tolist() == ["bob", "alice", "carol"]  # best first, rejected last
    assert table["status"].tolist() == ["graded", "graded", "rejected"]
    assert table.loc[0, "share_of_oracle"] == pytest.approx(1.0)
    assert (
        table.loc[2, "problems"].startswith("WRONG_VARIANT")
        and "from candidate bob's bundle" in table.loc[2, "problems"]
    )
    assert "alcie.csv: matches no candidate (did you mean 'alice'?)" in out
    assert (toy.key / "grades/comparison.html").read_text().count("<tr>") == 4


# -- diagnosis --------------------------------------------------------------------


def grade_toy_diagnosis(path: Path, case: cs.Case) -> dict[str, object]:
    """A scenario-provided grader, as a rubric names it: does the text name the informative columns?"""
    text = path.read_text().lower()
    items = [
        {"item": column, "points": float(f"`{column}`" in text), "max_points": 1.0, "note": ""} for column in ("a", "b")
    ]
    return {
        "points": sum(item["points"] for item in items),
        "max_points": 2.0,
        "items": items,
        "summary": f"{case.spec.id}: informative columns",
    }


def test_diagnosis_graded_where_the_scenario_supports_it(toy: cs.Takehome, fraud: cs.Takehome, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("The label depends on `a` and on nothing else.")
    template = toy.bundles["alice"] / "submission_template.csv"
    unsupported = cs.grade_takehome(toy.key, {"alice": template}, diagnoses={"alice": notes}, write=False)[
        "alice"
    ].diagnosis
    assert unsupported.status == "not supported" and "plugin-toy-v1 has no diagnosis grader" in unsupported.summary
    assert (
        cs.grade_takehome(fraud.key, {"alice": fraud.bundles["alice"] / "submission_template.csv"}, write=False)[
            "alice"
        ].diagnosis.status
        == "not supported"
    )
    # a rubric file naming a grader function
    rubric = tmp_path / "toy.toml"
    rubric.write_text(
        'scenario = "plugin-toy-v1"\ndiagnosis = "test_takehome:grade_toy_diagnosis"\n'
        'diagnosis_prompt = "which columns matter"\n'
        '[[rubric]]\ntopic = "Signal"\npoints = 2\nstrong = "finds a and b"\n'
    )
    takehome = cs.create_takehome(
        TOY,
        candidates=["ann"],
        out=tmp_path / "custom",
        seed=2,
        params={"n_rows": 1000},
        baselines=False,
        rubric=rubric,
    )
    assert "`diagnosis.md`: which columns matter" in (takehome.bundles["ann"] / "README.md").read_text()
    graded = cs.grade_takehome(
        takehome.key,
        {"ann": takehome.bundles["ann"] / "submission_template.csv"},
        diagnoses={"ann": notes},
        write=False,
    )["ann"].diagnosis
    assert (graded.status, graded.points, graded.max_points, graded.score) == ("graded", 1.0, 2.0, 0.5)
    missing = cs.grade_takehome(
        takehome.key, {"ann": takehome.bundles["ann"] / "submission_template.csv"}, write=False
    )["ann"].diagnosis
    assert missing.status == "not submitted"


def test_planted_causes_are_graded_with_case_grade_diagnosis(tmp_path: Path) -> None:
    takehome = cs.create_takehome(
        "overfit-leaky-v1",
        candidates=["ann"],
        out=tmp_path / "overfit",
        seed=4,
        params={"n_train": 400, "n_test": 400},
        baselines=False,
        tolerance=1.0,
    )
    bundle = takehome.bundles["ann"]
    assert json.loads((bundle / "diagnosis_template.json").read_text()) == dict.fromkeys(cs.FAULT_KINDS, False)
    assert "`diagnosis.json`: which causes" in (bundle / "README.md").read_text()
    world = json.loads((takehome.key / "candidates/ann/world.json").read_text())
    present = world["present"]
    assert present and "Planted in each variant" in (takehome.key / "rubric.md").read_text()
    answer = tmp_path / "diagnosis.json"
    answer.write_text(json.dumps(dict.fromkeys(present, True)))
    code = main(
        [
            "takehome",
            "grade",
            str(takehome.key),
            "ann",
            str(bundle / "submission_template.csv"),
            "--diagnosis",
            str(answer),
        ]
    )
    assert code == 0
    graded = json.loads((takehome.key / "grades/ann.json").read_text())["diagnosis"]
    assert graded["status"] == "graded" and graded["summary"].startswith(
        f"{len(present)} of {len(present)} planted causes found"
    )


# -- rubrics, errors, command line -------------------------------------------------


def test_rubrics_come_from_the_scenario_file_or_the_spec(toy: cs.Takehome, fraud: cs.Takehome, tmp_path: Path) -> None:
    topics = [item.topic for item in takehome_rubric("fraud-v1").items]
    for topic in (
        "Accuracy misleads",
        "PR-AUC vs ROC-AUC",
        "Threshold under the alert budget",
        "Label delay",
        "Leakage of future information",
    ):
        assert topic in topics
    rubric_md = (fraud.key / "rubric.md").read_text()
    assert "Source: rubric file fraud-v1.toml" in rubric_md and "## 4. Label delay" in rubric_md
    assert "accuracy of all-negative" in rubric_md  # each variant's facts
    generic = Rubric.generic(cs.spec(TOY))
    assert "Operating point" in [item.topic for item in generic.items]  # plugin-toy scores at an alert budget
    assert "generic rubric" in (toy.key / "rubric.md").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text('scenario = "plugin-toy-v1"\nhours = -1\ntolerance = 0\ncolour = "red"\n[[rubric]]\ntopic = "x"\n')
    with pytest.raises(TakehomeError) as caught:
        takehome_rubric(TOY, rubric=bad)
    message = str(caught.value)
    for part in (
        "unknown keys ['colour']",
        "'hours' must be a number between 0 and 100; got -1",
        "'tolerance' must be a positive number",
        "missing ['points', 'strong']",
    ):
        assert part in message
    valid = tmp_path / "valid.toml"
    valid.write_text('scenario = "plugin-toy-v1"\n[[rubric]]\ntopic = "x"\npoints = 1\nstrong = "y"\n')
    with pytest.raises(TakehomeError, match=re.escape("is written for 'plugin-toy-v1', not 'fraud-v1'")):
        cs.create_takehome("fraud-v1", candidates=["x"], out=tmp_path / "y", rubric=valid)


def test_create_validates_its_inputs(toy: cs.Takehome, tmp_path: Path) -> None:
    with pytest.raises(
        TakehomeError,
        match=re.escape(
            "must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 64 characters); "
            "got ['../eve', 'a b']"
        ),
    ):
        cs.create_takehome(TOY, candidates=["ok", "../eve", "a b"], out=tmp_path)
    with pytest.raises(TakehomeError, match=re.escape("repeated: 'Ann'/'ann'")):
        cs.create_takehome(TOY, candidates="Ann,ann", out=tmp_path)
    with pytest.raises(TakehomeError, match=r"already holds a take-home .*pass overwrite=True \(--force\)"):
        cs.create_takehome(TOY, candidates=["x"], out=toy.out)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "create_takehome('plugin-toy-v1'): max_redraws must be an int between 0 and 100; got -1 (int)."
        ),
    ):
        cs.create_takehome(TOY, candidates=["x"], out=tmp_path, max_redraws=-1)
    with pytest.raises(InvalidParameterError, match="tolerance must be a positive number"):
        cs.create_takehome(TOY, candidates=["x"], out=tmp_path, tolerance={"oracle": 0.1, "refrence": 0.1})
    with pytest.raises(
        TakehomeError, match=re.escape("no candidate 'alise' in the take-home key") + ".*Did you mean 'alice'\\?"
    ):
        cs.grade_takehome(toy.key, {"alise": "x.csv"})
    with pytest.raises(TakehomeError, match=re.escape("is not a take-home key: expected a folder with key.json")):
        cs.grade_takehome(tmp_path, {"alice": "x.csv"})


def test_cli_create_and_grade_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "th"
    code = main(
        [
            "takehome",
            "create",
            TOY,
            "--candidates",
            "ann,ben",
            "--out",
            str(out),
            "--zip",
            "--seed",
            "5",
            "--param",
            "n_rows=1000",
            "--no-baselines",
            "--tolerance",
            "oracle=0.5",
        ]
    )
    captured = capsys.readouterr()
    assert (
        code == 0
        and "plugin-toy-v1 take-home for 2 candidates" in captured.out
        and "drew ann's variant" in captured.err
    )
    assert (out / "bundles/ann.zip").is_file() and (out / "key/rubric.md").is_file()
    code = main(["takehome", "grade", str(out), "ann", str(out / "bundles/ann/submission_template.csv")])
    assert code == 0 and "ann: average_precision" in capsys.readouterr().out
    assert main(["takehome", "create", TOY, "--candidates", "ann", "--out", str(out)]) == 2
    assert "already holds a take-home" in capsys.readouterr().err
    assert main(["takehome", "grade", str(out / "key")]) == 2
    assert "expected KEY CANDIDATE SUBMISSION" in capsys.readouterr().err
    assert (
        main(["takehome", "create", TOY, "--candidates", "x", "--out", str(tmp_path / "z"), "--tolerance", "tight"])
        == 2
    )
    assert "--tolerance expects a number like 0.05" in capsys.readouterr().err


# -- recommender take-homes (movies-rating-v1/v2, movies-topn-v1/v2) -------------------

MOVIES = {
    "movies-rating-v1": {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 500},
    "movies-topn-v1": {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1},
    # Smaller still (each variant fits every reference, EASE and implicit ALS included): seed 5 draws no variant
    # over the rubrics' tolerances at these sizes, so nothing is redrawn.
    "movies-rating-v2": {"n_users": 100, "n_movies": 200, "n_ratings": 5_000, "n_unseen_pairs": 200},
    "movies-topn-v2": {"n_users": 200, "n_movies": 350, "n_ratings": 10_000, "cold_start_fraction": 0.1},
}
MOVIES_QUICK = ("movies-rating-v1", "movies-topn-v1")
"""One take-home per task in the quick subset; the v2 ones run in the full suite."""


@pytest.fixture(
    scope="module",
    params=[pytest.param(name, marks=() if name in MOVIES_QUICK else pytest.mark.slow) for name in sorted(MOVIES)],
)
def movies(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, reference_cache: Path
) -> cs.Takehome:
    scenario_id = request.param
    out = tmp_path_factory.mktemp(scenario_id)
    takehome = cs.create_takehome(
        scenario_id,
        candidates=["alice", "bob"],
        out=out,
        seed=5,
        params=MOVIES[scenario_id],
    )  # no tolerance passed: the rubric's stated one applies
    if selected(request, "test_movies_starter_notebook_runs_unmodified_and_grades", movies=scenario_id):
        start_starter(takehome, tmp_path_factory.mktemp(f"{scenario_id}-starter"), reference_cache)
    return takehome


def _bundle_frames(takehome: cs.Takehome, name: str) -> dict[str, pd.DataFrame]:
    return {
        table: pd.read_parquet(takehome.bundles[name] / "data" / f"{table}.parquet")
        for table in ("train", "test", "users", "movies")
    }


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_movies_bundle_remaps_users_and_movies_consistently(movies: cs.Takehome) -> None:
    frames = {name: _bundle_frames(movies, name) for name in ("alice", "bob")}
    record = json.loads((movies.key / "candidates/alice/secret.json").read_text())
    case = cs.make(movies.scenario_id, seed=record["variant_seed"], **MOVIES[movies.scenario_id])
    mine = frames["alice"]
    users, titles = set(mine["users"]["user_id"]), set(mine["movies"]["movie_id"])
    for part in ("train", "test"):
        assert set(mine[part]["user_id"]) <= users
        if "movie_id" in mine[part]:
            assert set(mine[part]["movie_id"]) <= titles
    assert (
        mine["users"]["user_id"].min() >= 10**14 and mine["movies"]["movie_id"].min() >= 10**14
    )  # no generator id survives
    assert not set(mine["users"]["user_id"]) & set(
        frames["bob"]["users"]["user_id"]
    )  # each candidate has their own ids

    # The same relation, renamed: each movie keeps its title and its number of ratings, each user their demographics.
    def per_movie(train: pd.DataFrame, table: pd.DataFrame) -> list[tuple[str, int]]:
        counts = train.groupby("movie_id").size()
        return sorted(zip(table["title"], table["movie_id"].map(counts).fillna(0).astype(int), strict=True))

    assert per_movie(mine["train"], mine["movies"]) == per_movie(case.train, case.tables["movies"])
    user_rows = mine["train"].merge(mine["users"], on="user_id")[["age", "gender", "occupation", "rating"]]
    source_rows = case.train.merge(case.tables["users"], on="user_id")[["age", "gender", "occupation", "rating"]]
    assert sorted(map(tuple, user_rows.astype(str).to_numpy())) == sorted(
        map(tuple, source_rows.astype(str).to_numpy())
    )
    # No label, seed or key material in any file; the manifest commits to the key.
    secrets = [str(record["variant_seed"]), record["id_key"], record["salt"]]
    for path in movies.bundles["alice"].rglob("*"):
        if path.is_file():
            assert not any(secret.encode() in path.read_bytes() for secret in secrets), path.name
    assert record["target"] not in mine["test"].columns
    manifest = json.loads((movies.bundles["alice"] / "manifest.json").read_text())
    assert manifest["answer_key_commitment"] == _commitment(record) and "data/movies.parquet" in manifest["files"]


def test_movies_ids_and_row_order_carry_no_label_information(movies: cs.Takehome) -> None:
    """ROC-AUC needs binary labels; the analogue is the rank correlation of the labels with ids and row order."""
    from casestudies.takehome._check import _check_chance, _rank_correlation

    record = json.loads((movies.key / "candidates/alice/secret.json").read_text())
    answer = pd.read_parquet(movies.key / "candidates/alice/answer_key.parquet")
    test = pd.read_parquet(movies.bundles["alice"] / "data/test.parquet")
    labels = answer["rating" if cs.spec(movies.scenario_id).task == "rating" else "n_relevant"].to_numpy()
    _check_chance(movies.scenario_id, cs.spec(movies.scenario_id).task, test, labels, record["id_column"])
    bound = 4.5 / math.sqrt(len(labels) - 1)
    assert abs(_rank_correlation(labels, np.arange(len(labels)))) <= bound
    assert abs(_rank_correlation(labels, test[record["id_column"]].to_numpy())) <= bound


def test_movies_grading_direction_references_and_other_variant(movies: cs.Takehome) -> None:
    from casestudies.takehome._check import bundle_truth as _bundle_truth

    spec = cs.spec(movies.scenario_id)
    template = cs.grade_takehome(movies.key, {"alice": movies.bundles["alice"] / "submission_template.csv"})["alice"]
    perfect = cs.grade_takehome(movies.key, {"alice": _bundle_truth(movies.key, "alice")}, write=False)["alice"]
    assert template.status == perfect.status == "graded" and template.files["html"].is_file()
    assert json.dumps(perfect.scores, sort_keys=True) == json.dumps(
        perfect.references["oracle"]["scores"], sort_keys=True
    )
    baselines = set(spec.baselines)
    assert baselines <= set(perfect.references)
    if spec.id == "movies-topn-v2":
        # v2's lesson: offline metrics reward what users will rate, not what they would love. The truth (the oracle's
        # lists, by true expected rating) beats every baseline on the true stars of its lists, intervals apart, and
        # random lists on held-out NDCG; the best offline model beats it on held-out NDCG.
        true_stars = "true_rating_at_10"
        assert perfect.scores[true_stars]["low"] > max(
            perfect.references[name]["scores"][true_stars]["high"] for name in baselines
        )
        ndcg = {name: perfect.references[name]["scores"]["ndcg_at_10"]["estimate"] for name in baselines}
        assert "random" in perfect.placement.beats and max(ndcg, key=ndcg.__getitem__) not in perfect.placement.beats
        # The best offline model of the candidate's own variant is the rubric's reference (EASE), as the rubric says.
        assert max(ndcg, key=ndcg.__getitem__) == cs.takehome_rubric(spec.id).reference
    else:
        assert set(perfect.placement.beats) == baselines  # the truth beats every baseline
    if spec.metric == "rmse":  # lower is better: the training mean loses to the biases, beats random stars
        assert perfect.scores["rmse"]["estimate"] < template.scores["rmse"]["estimate"]
        assert "random" in template.placement.beats and "biases" not in template.placement.beats
    else:  # the template is most-popular itself (ties between equally rated movies broken differently)
        popular = template.references["most_popular"]["scores"]["ndcg_at_10"]
        assert popular["low"] <= template.scores["ndcg_at_10"]["estimate"] <= popular["high"]
    with pytest.raises(SubmissionError) as caught:
        cs.grade_takehome(movies.key, {"alice": _bundle_truth(movies.key, "bob")}, write=False)
    assert "made for bob's variant, not alice's" in caught.value.problems[0].hint
    difficulty = json.loads((movies.key / "key.json").read_text())["difficulty"]
    assert difficulty["metric"] == spec.metric and difficulty["reference"] == cs.takehome_rubric(spec.id).reference
    stated = stated_tolerance(spec.id, difficulty["spread"])
    # The rubric's (oracle / reference): rating-v1 0.05 / 0.08 and rating-v2 0.06 / 0.06 RMSE, topn-v1 0.06 / 0.08
    # and topn-v2 0.05 / 0.04 NDCG@10.
    assert difficulty["tolerance"] == stated
    assert all(difficulty["spread"][measure] <= stated[measure] for measure in difficulty["spread"])


@pytest.mark.slow  # over a second on a 2-core machine: kept out of the quick subset
def test_movies_starter_notebook_runs_unmodified_and_grades(
    movies: cs.Takehome, tmp_path: Path, reference_cache: Path
) -> None:
    bundle, errors = starter_errors(movies, tmp_path, reference_cache)
    assert not errors
    grade = cs.grade_takehome(movies.key, {"alice": bundle / "submission.csv"}, write=False)["alice"]
    assert grade.status == "graded"
    if cs.spec(movies.scenario_id).task == "rating":  # user + movie biases: beats the global mean
        assert grade.scores["rmse"]["estimate"] < grade.references["global_mean"]["scores"]["rmse"]["estimate"]
        assert "global_mean" in grade.placement.beats
    else:  # most-popular
        popular = grade.references["most_popular"]["scores"]["ndcg_at_10"]
        assert popular["low"] <= grade.scores["ndcg_at_10"]["estimate"] <= popular["high"]


# The v2 to v4 rubrics' claims about their baselines (scenarios/takehome/movies-*-v[234].toml), measured as
# create_takehome's difficulty check measures them: every reference fitted on a variant and scored on its whole
# holdout. The small sizes are those the rubrics' comments name (the take-home tests' topn size; rating at 200 users,
# where matrix factorisation pulls clear of the biases: at 100 users it equals them on a third of seeds), on both
# versions; the default size, the one the rubrics describe, on v3 (whose seed-0 references test_movies.py caches).
RUBRIC_CLAIMS = [
    pytest.param(scenario, params, seeds, id=f"{scenario.split('-')[1]}-{scenario[-2:]}-{size}")
    for scenario, params, seeds, size in (
        *((f"movies-topn-{version}", MOVIES["movies-topn-v2"], SEEDS, "small") for version in ("v2", "v3", "v4")),
        *(
            (
                f"movies-rating-{version}",
                {"n_users": 200, "n_movies": 400, "n_ratings": 12_000, "n_unseen_pairs": 500},
                SEEDS,
                "small",
            )
            for version in ("v2", "v3", "v4")
        ),
        ("movies-topn-v3", {}, (0,), "default"),
        ("movies-rating-v3", {}, (0,), "default"),
    )
]


@pytest.mark.slow  # fits every reference on 5 small worlds or a default-size one: seconds
@pytest.mark.parametrize(("scenario_id", "params", "seeds"), RUBRIC_CLAIMS)
def test_movies_rubric_reference_is_the_strongest_baseline(
    scenario_id: str, params: dict[str, object], seeds: tuple[int, ...]
) -> None:
    spec = cs.spec(scenario_id)
    reference = takehome_rubric(scenario_id).reference
    sign = 1.0 if higher_is_better(spec.metric) else -1.0  # sign * score: higher is better for both tasks
    for seed in seeds:
        case = cs.make(scenario_id, seed=seed, **params)
        scores = {item.entry.name: sign * item.entry.estimate(spec.metric) for item in host_view(case).references()}
        baselines = sorted(spec.baselines, key=scores.__getitem__, reverse=True)
        # The reference leads every other baseline of the world, strictly, on every seed.
        assert baselines[0] == reference and scores[reference] > scores[baselines[1]], (seed, scores)
        if spec.task == "topn":
            # "EASE leads and beats the oracle, and most-popular and matrix factorisation (ranking by predicted
            # stars) stay below item-kNN, implicit ALS and EASE": the Popularity baseline topic's strong answer.
            assert scores[reference] > scores["oracle"], (seed, scores)
            ranking_models = min(scores[name] for name in ("item_knn", "implicit_als", "ease"))
            assert max(scores["most_popular"], scores["matrix_factorization"]) < ranking_models, (seed, scores)
