"""Command-line options no other test uses, checked by their effect.

``generate`` and ``evaluate`` without ``--seed`` (the drawn seed is printed
and replays the case), and ``takehome create --rubric/--hours/--force/
--max-redraws`` and ``takehome grade --bundles``. The commands run in this
process on the test suite's logistic toy (registered by conftest), except
one run of the installed ``casestudies`` script on fraud-v1, as a user runs it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import casestudies as cs
from _tools import clean_environment, installed_script
from casestudies.cli._main import main
from casestudies.takehome import takehome_rubric

TOY = "plugin-toy-v1"
SMALL = ["--param", "n_rows=1000"]
TAKEHOME = [*SMALL, "--no-baselines", "--tolerance", "0.5"]  # oracle-only difficulty: fast, and always met


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``casestudies ARGS`` in this process: exit code, stdout, stderr (argparse's exits included)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- generate and evaluate without --seed ------------------------------------------------------------------------------


def _generated_seed(out: str) -> int:
    match = re.match(rf"{TOY} seed (\d+): 700 training rows, 300 test rows\n", out)
    assert match, out
    seed = int(match.group(1))
    assert out.rstrip().endswith(f"Score predictions with: casestudies score {TOY} --seed {seed} predictions.csv")
    return seed


def test_generate_without_seed_prints_a_seed_that_replays_the_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "generate", TOY, *SMALL, "--out", str(tmp_path / "a"), "--format", "csv")
    assert code == 0, err
    seed = _generated_seed(out)
    assert json.loads((tmp_path / "a" / "data_card.json").read_text())["seed"] == seed
    code, out, _ = run(
        capsys, "generate", TOY, *SMALL, "--seed", str(seed), "--out", str(tmp_path / "b"), "--format", "csv"
    )
    assert code == 0 and _generated_seed(out) == seed
    for name in ("train.csv", "test.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # Another run without a seed draws another one, and other data.
    code, out, _ = run(capsys, "generate", TOY, *SMALL, "--out", str(tmp_path / "c"), "--format", "csv")
    assert code == 0 and _generated_seed(out) != seed
    assert (tmp_path / "c" / "train.csv").read_bytes() != (tmp_path / "a" / "train.csv").read_bytes()


def test_evaluate_without_seed_prints_a_seed_that_replays_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "evaluate", TOY, *SMALL, "--pipeline", "expert", "--no-baselines")
    assert code == 0, err
    match = re.match(rf"{TOY} · seed (\d+) · holdout 300 rows", out)
    assert match, out
    seed = int(match.group(1))
    shown = re.search(r"^you\b.*?\s(\d\.\d{3})\s+(\d\.\d{3}) \[", out, flags=re.MULTILINE)  # AP public, private
    assert shown, out
    code, out, _ = run(
        capsys, "evaluate", TOY, *SMALL, "--pipeline", "expert", "--no-baselines", "--json", "--seed", str(seed)
    )
    again = json.loads(out)
    assert code == 0 and again["seed"] == seed
    assert again["fingerprint"] == cs.make(TOY, seed=seed, n_rows=1000).fingerprint
    scores = again["submission"]["scores"]
    replayed = tuple(f"{scores[part]['average_precision']['estimate']:.3f}" for part in ("public", "private"))
    assert replayed == shown.groups()


@pytest.mark.slow
def test_installed_generate_without_seed_replays_with_the_printed_seed(tmp_path: Path) -> None:
    params = {"n_customers": 300, "n_days": 35}
    command = [installed_script(), "generate", "fraud-v1", "--out", str(tmp_path), "--format", "parquet"]
    command += [f"--param={name}={value}" for name, value in params.items()]
    done = subprocess.run(command, capture_output=True, text=True, env=clean_environment(), timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    match = re.match(r"fraud-v1 seed (\d+): ", done.stdout)
    assert match, done.stdout
    case = cs.make("fraud-v1", seed=int(match.group(1)), **params)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "train.parquet"), case.train)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "test.parquet"), case.test)


# -- takehome create --hours and --rubric ------------------------------------------------------------------------------


def _create(capsys: pytest.CaptureFixture[str], out: Path, *options: str) -> tuple[int, str, str]:
    return run(capsys, "takehome", "create", TOY, "--candidates", "ann,ben", "--out", str(out), *TAKEHOME, *options)


def _planned_hours(bundle: Path) -> list[str]:
    return re.findall(r"Plan for about (\S+) hours\.", (bundle / "README.md").read_text(encoding="utf-8"))


RUBRIC = """scenario = "plugin-toy-v1"
hours = 2.5

[[rubric]]
topic = "Which columns carry the signal"
points = 3
strong = "names a and b, and shows that noise adds nothing"
"""


def test_takehome_hours_and_rubric_reach_the_bundle_and_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    default_hours = takehome_rubric(TOY).hours
    assert default_hours not in (2.5, 3.0)  # the cases below must be told apart from the default
    rubric = tmp_path / "toy-rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    cases = {
        "default": ((), f"{default_hours:g}"),
        "hours": (("--hours", "3"), "3"),
        "rubric": (("--rubric", str(rubric)), "2.5"),
        "both": (("--rubric", str(rubric), "--hours", "3"), "3"),  # --hours wins over the rubric's
    }
    for name, (options, hours) in cases.items():
        out = tmp_path / name
        code, _, err = _create(capsys, out, *options)
        assert code == 0, err
        for candidate in ("ann", "ben"):
            assert _planned_hours(out / "bundles" / candidate) == [hours], (name, candidate)
        rubric_md = (out / "key" / "rubric.md").read_text(encoding="utf-8")
        has_topic = "Which columns carry the signal" in rubric_md
        assert has_topic is ("--rubric" in options), name
        if has_topic:
            assert "Source: rubric file toy-rubric.toml. 1 topic, 3 points. " in rubric_md


def test_takehome_hours_out_of_range_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _create(capsys, tmp_path / "th", "--hours", "0.1")
    assert code == 2
    assert err.startswith("error: create_takehome('plugin-toy-v1'): hours must be "), err
    assert "got 0.1 (float)" in err
    assert not (tmp_path / "th" / "key").exists()


def test_takehome_rubric_that_cannot_be_read_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    code, _, err = _create(capsys, tmp_path / "th", "--rubric", str(missing))
    assert code == 2 and str(missing) in err and "Traceback" not in err
    assert not (tmp_path / "th" / "key").exists()


# -- takehome create --force -------------------------------------------------------------------------------------------


def test_takehome_force_replaces_a_takehome_and_without_it_create_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "th"
    code, _, err = _create(capsys, out, "--seed", "1")
    assert code == 0, err
    before = (out / "key" / "key.json").read_bytes()
    code, _, err = run(capsys, "takehome", "create", TOY, "--candidates", "cy", "--out", str(out), *TAKEHOME)
    assert code == 2
    assert "already holds a take-home (key/, bundles/)" in err and "pass overwrite=True (--force)" in err
    assert (out / "key" / "key.json").read_bytes() == before and sorted(
        p.name for p in (out / "bundles").iterdir()
    ) == [
        "ann",
        "ben",
    ]
    code, printed, err = run(
        capsys, "takehome", "create", TOY, "--candidates", "cy", "--out", str(out), *TAKEHOME, "--force", "--json"
    )
    assert code == 0, err
    written = json.loads(printed)
    assert sorted(written["bundles"]) == ["cy"] and written["out"] == str(out)
    assert sorted(p.name for p in (out / "bundles").iterdir()) == ["cy"]
    assert sorted(json.loads((out / "key" / "key.json").read_text())["candidates"]) == ["cy"]
    code, _, err = run(capsys, "takehome", "grade", str(out / "key"), "ann", str(tmp_path / "x.csv"))
    assert code == 2 and "no candidate 'ann' in the take-home key" in err


# -- takehome create --max-redraws -------------------------------------------------------------------------------------


@pytest.mark.parametrize("redraws", [0, 2])
def test_takehome_max_redraws_bounds_the_redraws(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, redraws: int
) -> None:
    # No two variants have the same oracle score to 1e-9: the tolerance cannot be met, every redraw is used.
    options = [*SMALL, "--no-baselines", "--tolerance", "1e-9", "--max-redraws", str(redraws), "--seed", "4"]
    code, _, err = run(capsys, "takehome", "create", TOY, "--candidates", "ann,ben", "--out", str(tmp_path), *options)
    assert code == 2
    assert f"error: create_takehome('plugin-toy-v1'): after {redraws} redraws the variants' average_precision" in err
    assert "pass a larger tolerance (--tolerance)" in err
    assert len(re.findall(r"^spread oracle .* is over the tolerance; redrawing", err, flags=re.MULTILINE)) == redraws
    assert len(re.findall(r"^drew \w+'s variant", err, flags=re.MULTILINE)) == 2 + redraws
    assert not (tmp_path / "key").exists()


def test_takehome_max_redraws_out_of_range_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _create(capsys, tmp_path / "th", "--max-redraws", "101")
    assert code == 2
    assert (
        "error: create_takehome('plugin-toy-v1'): max_redraws must be an int between 0 and 100; got 101 (int)." in err
    )


# -- takehome grade --bundles ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def takehome(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("graded") / "th"
    cs.create_takehome(TOY, candidates=["ann", "ben"], out=out, seed=6, params={"n_rows": 1000}, baselines=False)
    return out


def _grade(
    capsys: pytest.CaptureFixture[str], key: Path, bundles: Path | None, submission: Path
) -> tuple[int, dict[str, object], str]:
    options = ["--bundles", str(bundles)] if bundles is not None else []
    code, out, err = run(capsys, "takehome", "grade", str(key), "ann", str(submission), *options, "--json")
    return code, (json.loads(out)["ann"] if code == 0 else {}), err


def _bundle_checked(grade: dict[str, object]) -> bool:
    checks = grade["checks"]
    assert isinstance(checks, list)
    return any(str(check).startswith("bundle manifest and ") for check in checks)


def test_takehome_grade_bundles_checks_the_bundles_where_they_are(
    capsys: pytest.CaptureFixture[str], takehome: Path, tmp_path: Path
) -> None:
    # The key alone, the bundles sent elsewhere: without --bundles only the key is checked; with it, the bundle too.
    shutil.copytree(takehome / "key", tmp_path / "key")
    moved = tmp_path / "sent"
    shutil.copytree(takehome / "bundles", moved)
    submission = moved / "ann" / "submission_template.csv"
    code, alone, err = _grade(capsys, tmp_path / "key", None, submission)
    assert code == 0, err
    assert not _bundle_checked(alone)
    assert any("Pass the bundles' folder (bundles=, --bundles)" in str(item) for item in alone["not_checked"])  # type: ignore[attr-defined]
    code, checked, err = _grade(capsys, tmp_path / "key", moved, submission)
    assert code == 0, err
    n_files = len(json.loads((moved / "ann" / "manifest.json").read_text())["files"])
    assert f"bundle manifest and {n_files} file checksums match" in checked["checks"]  # type: ignore[operator]
    assert checked["scores"] == alone["scores"]


def test_takehome_grade_bundles_finds_a_changed_bundle(
    capsys: pytest.CaptureFixture[str], takehome: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "changed"
    shutil.copytree(takehome / "bundles", changed)
    readme = changed / "ann" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nThe answer is in column b.\n", encoding="utf-8")
    submission = takehome / "bundles" / "ann" / "submission_template.csv"
    code, checked, err = _grade(capsys, takehome / "key", takehome / "bundles", submission)
    assert code == 0 and _bundle_checked(checked), err  # the bundles as sent pass
    code, _, err = _grade(capsys, takehome / "key", changed, submission)
    assert code == 2 and "Traceback" not in err
    assert err.startswith(
        "error: take-home of 'ann': bundle files differ from their checksums in manifest.json: ['README.md']"
    ), err


def test_takehome_grade_bundles_that_are_not_there_are_said_not_checked(
    capsys: pytest.CaptureFixture[str], takehome: Path, tmp_path: Path
) -> None:
    nowhere = tmp_path / "nowhere"
    submission = takehome / "bundles" / "ann" / "submission_template.csv"
    code, grade, err = _grade(capsys, takehome / "key", nowhere, submission)
    assert code == 0, err
    assert not _bundle_checked(grade)
    not_checked = grade["not_checked"]
    assert isinstance(not_checked, list)
    assert any(str(nowhere / "ann") in item for item in not_checked), not_checked
