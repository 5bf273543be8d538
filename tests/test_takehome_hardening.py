"""Take-homes hardened (issue 10, items 2, 5, 7 and 8, and the README's metric directions).

What a hostile candidate, a careless interviewer or a new user broke: names
with dots sending one candidate another's data, a creation that leaves half a
take-home behind (or destroys the one it replaces), a key readable by every
user of the machine, grading that claimed to check a bundle it never saw and
let key.json and rubric.json be edited unnoticed, and Markdown reports that
embedded a candidate's text raw. Real take-homes from the test suite's
logistic toy (small and oracle-only, so each builds in well under a second).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import casestudies as cs
from casestudies.core import higher_is_better, metric_info
from casestudies.exceptions import TakehomeError, TakehomeIntegrityError
from casestudies.takehome import _create
from casestudies.takehome._grade import _scan_folder
from casestudies.takehome._variant import commitment

TOY = "plugin-toy-v1"
SMALL = {"n_rows": 2000}
CANDIDATES = ["alice", "bob", "carol"]


def create(out: Path, candidates: object = CANDIDATES, **options: object) -> cs.Takehome:
    """A small toy take-home; the tolerance is moot here (difficulty is tested in test_takehome.py)."""
    settings: dict[str, object] = {
        "seed": 11,
        "params": SMALL,
        "baselines": False,
        "tolerance": 1.0,
        "zip_bundles": True,
    }
    settings.update(options)
    return cs.create_takehome(TOY, candidates=candidates, out=out, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> cs.Takehome:
    return create(tmp_path_factory.mktemp("toy") / "takehome")


def copy_of(takehome: cs.Takehome, where: Path) -> cs.Takehome:
    """A private copy of a take-home to change."""
    shutil.copytree(takehome.out, where)
    (where / "submissions").mkdir()
    for name in takehome.bundles:
        shutil.copy(template(takehome, name), where / "submissions" / f"{name}.csv")
    bundles = {name: where / "bundles" / name for name in takehome.bundles}
    zips = {name: where / "bundles" / path.name for name, path in takehome.zips.items()}
    return cs.Takehome(takehome.scenario_id, where, where / "key", bundles, zips, takehome.difficulty)


def template(takehome: cs.Takehome, name: str) -> Path:
    return takehome.bundles[name] / "submission_template.csv"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


# -- item 2: names with dots, and creation all or nothing ------------------------------


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ("alice,bob,alice.v2", "got 'alice'/'alice.v2'"),  # bundles/alice.zip held both (Path.with_suffix)
        (["x", "X.zip"], "got 'x'/'X.zip'"),  # bundles/x.zip: x's zip and X.zip's folder
        (["Comparison", "bob"], "['Comparison'] cannot be candidate names"),  # grades/comparison.md is the table's
        (["ann", "ANN"], "repeated: 'ann'/'ANN'"),
    ],
    ids=["extends", "zip-folder", "reserved", "case"],
)
def test_names_that_would_share_files_are_refused_before_anything_is_written(
    tmp_path: Path, candidates: object, expected: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(TakehomeError, match=re.escape(expected)) as caught:
        create(out, candidates)
    if expected.startswith("got"):  # the rule is in the message, with what to do instead
        assert "No candidate name may be another one followed by '.' (ignoring case)" in str(caught.value)
        assert "Use '_' or '-' instead of the dot" in str(caught.value)
    assert not out.exists()


def test_names_outside_ascii_are_refused_with_the_rule(tmp_path: Path) -> None:
    # 'ａlice' (a fullwidth a) becomes 'alice' under NFKC; 'bob.' is the folder 'bob' on Windows.
    with pytest.raises(TakehomeError, match=re.escape("got ['ａlice', 'bob.']")) as caught:
        create(tmp_path / "out", ["ａlice", "bob.", "alice"])
    message = str(caught.value)
    assert "ASCII ones (A-Z, a-z, 0-9)" in message and "Unicode normalisation (NFKC)" in message
    assert "may not end with '.'" in message


def test_dotted_names_each_get_their_own_files(tmp_path: Path) -> None:
    names = ["x.zip", "alice.v2", "bob"]
    takehome = create(tmp_path / "out", names)
    bundles = takehome.out / "bundles"
    assert {name: path.name for name, path in takehome.zips.items()} == {name: f"{name}.zip" for name in names}
    for name in names:
        assert takehome.bundles[name] == bundles / name and (bundles / name).is_dir()
        with zipfile.ZipFile(bundles / f"{name}.zip") as archive:
            members = archive.namelist()
            manifest = json.loads(archive.read(f"{name}/manifest.json"))
        assert all(member.startswith(f"{name}/") for member in members)
        assert manifest["candidate"] == name  # the zip holds this candidate's bundle, nobody else's
        assert json.loads((bundles / name / "manifest.json").read_text())["candidate"] == name
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in names:
        shutil.copy(template(takehome, name), folder / f"{name}.csv")
    grading = cs.grade_takehome(takehome.key, folder)
    assert {name: grade.status for name, grade in grading.grades.items()} == dict.fromkeys(names, "graded")
    assert not grading.ignored


def test_a_submissions_folder_is_read_without_cutting_names_at_a_dot(tmp_path: Path) -> None:
    # Keys written before the rule may hold both 'alice' and 'alice.v2': each file goes to the longest name.
    for name in ("alice.final.csv", "alice.v2.csv", "alice.diagnosis.md", "alice.v2.diagnosis.md"):
        (tmp_path / name).write_text("")
    submissions, diagnoses, ignored = _scan_folder(tmp_path, ["alice", "alice.v2"])
    assert {name: path.name for name, path in submissions.items()} == {
        "alice": "alice.final.csv",
        "alice.v2": "alice.v2.csv",
    }
    assert {name: path.name for name, path in diagnoses.items()} == {
        "alice": "alice.diagnosis.md",
        "alice.v2": "alice.v2.diagnosis.md",
    }
    assert not ignored


def _failing_zip(after: int) -> Callable[[Path], Path]:
    """``zip_bundle`` that works ``after`` times, then is interrupted (Ctrl-C)."""
    real = _create.zip_bundle
    calls = iter(range(10**6))

    def zip_bundle(bundle_dir: Path) -> Path:
        if next(calls) >= after:
            raise KeyboardInterrupt
        return real(bundle_dir)

    return zip_bundle


def test_an_interrupted_create_leaves_nothing_and_a_rerun_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "new" / "takehome"  # neither folder exists yet
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("the interviewer's own file")
    monkeypatch.setattr(_create, "zip_bundle", _failing_zip(after=1))
    for out in (fresh, kept):
        with pytest.raises(KeyboardInterrupt):
            create(out)
    assert not (tmp_path / "new").exists()
    assert sorted(path.name for path in kept.iterdir()) == ["notes.txt"]
    monkeypatch.undo()
    for out in (fresh, kept):
        takehome = create(out)
        assert sorted(takehome.bundles) == sorted(CANDIDATES) and (out / "key" / "key.json").is_file()
        assert all(not path.name.startswith(".takehome-") for path in out.iterdir())


def test_a_failed_overwrite_keeps_the_takehome_it_would_replace(
    toy: cs.Takehome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    before = tree(copy.out)
    # No batch of variants meets a tolerance of 1e-9: creation fails after drawing, as it can in real use.
    with pytest.raises(TakehomeError, match="after 0 redraws"):
        create(copy.out, ["dave", "erin"], overwrite=True, tolerance=1e-9, max_redraws=0)
    assert tree(copy.out) == before
    monkeypatch.setattr(_create, "zip_bundle", _failing_zip(after=0))
    with pytest.raises(KeyboardInterrupt):
        create(copy.out, ["dave"], overwrite=True)
    assert tree(copy.out) == before
    grade = cs.grade_takehome(copy.key, {"alice": template(copy, "alice")}, write=False)["alice"]
    assert grade.status == "graded"
    monkeypatch.undo()
    replaced = create(copy.out, ["dave"], overwrite=True)
    assert sorted(path.name for path in (copy.out / "bundles").iterdir()) == ["dave", "dave.zip"]
    assert sorted(json.loads((replaced.key / "key.json").read_text())["candidates"]) == ["dave"]


def test_an_interrupted_move_into_place_puts_the_old_takehome_back(
    toy: cs.Takehome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    before = tree(copy.out)
    real = os.replace
    calls: list[tuple[str, str]] = []

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append((Path(source).name, Path(target).name))
        if len(calls) == 4:  # old bundles aside, new bundles in, old key aside: Ctrl-C as the new key moves in
            raise KeyboardInterrupt
        real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        create(copy.out, ["dave"], overwrite=True)
    monkeypatch.undo()
    assert calls[:4] == [
        ("bundles", "replaced-bundles"),
        ("bundles", "bundles"),
        ("key", "replaced-key"),
        ("key", "key"),
    ]
    assert tree(copy.out) == before
    assert sorted(path.name for path in copy.out.iterdir()) == ["bundles", "key", "submissions"]


# -- item 5: the key is private, bundles stay readable ---------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, so that 'readable by others' means something."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.usefixtures("umask_022")
def test_the_key_is_private_and_the_bundles_readable(tmp_path: Path) -> None:
    takehome = create(tmp_path / "out")
    grade = cs.grade_takehome(takehome.key, {"alice": template(takehome, "alice"), "bob": template(takehome, "bob")})
    key_paths = [takehome.key, *takehome.key.rglob("*")]
    assert (takehome.key / "grades" / "comparison.csv") in key_paths and grade["alice"].files["json"] in key_paths
    modes = {path.relative_to(takehome.out).as_posix(): stat.S_IMODE(path.stat().st_mode) for path in key_paths}
    folders = {name for name in modes if (takehome.out / name).is_dir()}
    assert {"key", "key/candidates", "key/candidates/alice", "key/grades"} <= folders
    assert {name: mode for name, mode in modes.items() if name in folders} == dict.fromkeys(folders, 0o700)
    files = set(modes) - folders
    assert {"key/key.json", "key/candidates/alice/secret.json", "key/candidates/alice/answer_key.parquet"} <= files
    assert {name: mode for name, mode in modes.items() if name in files} == dict.fromkeys(files, 0o600)
    sent = [*takehome.bundles.values(), *takehome.zips.values()]
    for path in [item for bundle in sent for item in (bundle, *bundle.rglob("*"))]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044, path  # group and others may read what is sent


# -- item 7: what grading checks, and says it could not ---------------------------------


def grade_template(takehome: cs.Takehome, name: str) -> cs.CandidateGrade:
    """Grade a candidate's submission template from their bundle."""
    return cs.grade_takehome(takehome.key, {name: template(takehome, name)}, write=False)[name]


def grade_alice(takehome: cs.Takehome, **options: object) -> cs.CandidateGrade:
    """Grade alice's submission template (kept beside a copy's bundles, which some tests remove)."""
    kept = takehome.out / "submissions" / "alice.csv"
    submission = kept if kept.is_file() else template(takehome, "alice")
    grading = cs.grade_takehome(takehome.key, {"alice": submission}, **options)  # type: ignore[arg-type]
    return grading["alice"]


def test_everything_checked_when_bundle_and_zip_are_at_hand(toy: cs.Takehome) -> None:
    grade = grade_alice(toy, write=False)
    assert grade.not_checked == () and grade.to_dict()["not_checked"] == []
    assert any("alice.zip is byte for byte the zip written at creation" in check for check in grade.checks)
    assert any("key.json, rubric.json and difficulty.csv match the seal" in check for check in grade.checks)


def test_grading_without_the_bundle_says_it_checked_the_key_only(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    shutil.rmtree(copy.bundles["alice"])
    copy.zips["alice"].unlink()
    grade = grade_alice(copy)
    assert grade.status == "graded"
    assert not any("match the bundle" in check for check in grade.checks)
    assert "match the key's record of the bundle" in grade.checks[-2]
    said = " ".join(grade.not_checked)
    assert "the key was checked against itself only, not against what 'alice' was sent" in said
    assert "the zip written at creation (alice.zip)" in said and "the zip sent was not checked" in said
    markdown = grade.files["markdown"].read_text()
    assert "## Not checked" in markdown and "checked against itself only" in markdown
    assert "not checked: the bundle" in str(grade)
    assert json.loads(grade.files["json"].read_text())["not_checked"] == list(grade.not_checked)
    grading = cs.grade_takehome(copy.key, copy.out / "submissions")  # --all: the comparison says it too
    assert grading["bob"].not_checked == () and grading["alice"].not_checked == grade.not_checked
    comparison = grading.files["markdown"].read_text()
    assert "## Not checked" in comparison and "- alice: the bundle: no manifest.json in" in comparison


def test_a_zip_not_written_at_creation_is_named_as_not_checked(tmp_path: Path) -> None:
    takehome = create(tmp_path / "out", ["ann"], zip_bundles=False)
    assert grade_template(takehome, "ann").not_checked == ()
    shutil.make_archive(str(takehome.out / "bundles" / "ann"), "zip", takehome.out / "bundles", "ann")
    (said,) = grade_template(takehome, "ann").not_checked
    assert said.startswith("ann.zip: no zip was written at creation") and "not checked" in said


def test_the_zip_alone_is_checked_when_the_folder_is_gone(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    shutil.rmtree(copy.bundles["alice"])
    grade = grade_alice(copy, write=False)
    assert grade.not_checked == ()
    assert "bundle folder not found, but alice.zip is byte for byte the zip written at creation" in grade.checks[2]
    assert "match the bundle and the answer key" in grade.checks[3]


def _rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info)))


def _edit_test_csv(name: str, data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n", 1) if name.endswith("data/test.csv") else data


def test_a_changed_zip_is_detected(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    _rezip(toy.zips["alice"], copy.zips["alice"], _edit_test_csv)
    with pytest.raises(TakehomeIntegrityError, match=re.escape("alice.zip differs from the zip written at creation")):
        grade_alice(copy, write=False)


def test_a_zip_rebuilt_with_its_records_is_still_detected(toy: cs.Takehome, tmp_path: Path) -> None:
    # Someone changes the zip's data, rewrites its manifest's checksum and the zip's checksum in key.json.
    copy = copy_of(toy, tmp_path / "copy")
    shutil.rmtree(copy.bundles["alice"])
    with zipfile.ZipFile(toy.zips["alice"]) as archive:
        changed_csv = _edit_test_csv("data/test.csv", archive.read("alice/data/test.csv"))
        manifest = json.loads(archive.read("alice/manifest.json"))
    manifest["files"]["data/test.csv"] = hashlib.sha256(changed_csv).hexdigest()
    new_manifest = json.dumps(manifest, indent=2).encode()

    def change(name: str, data: bytes) -> bytes:
        return {"alice/data/test.csv": changed_csv, "alice/manifest.json": new_manifest}.get(name, data)

    _rezip(toy.zips["alice"], copy.zips["alice"], change)
    key = json.loads((copy.key / "key.json").read_text())
    key["candidates"]["alice"]["zip_sha256"] = hashlib.sha256(copy.zips["alice"].read_bytes()).hexdigest()
    (copy.key / "key.json").write_text(json.dumps(key, indent=2))
    with pytest.raises(
        TakehomeIntegrityError, match=re.escape("alice.zip's manifest.json differs from the one written at creation")
    ):
        grade_alice(copy, write=False)


def _json_edit(relative: str, edit: Callable[[dict[str, object]], None]) -> Callable[[cs.Takehome], None]:
    def apply(takehome: cs.Takehome) -> None:
        path = takehome.key / relative
        data = json.loads(path.read_text())
        edit(data)
        path.write_text(json.dumps(data, indent=2))

    return apply


def _set(data: dict[str, object], path: str, value: object) -> None:
    *parents, last = path.split("/")
    target: object = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
    target[int(last) if isinstance(target, list) else last] = value  # type: ignore[index]


def _append_row(takehome: cs.Takehome) -> None:
    with (takehome.key / "difficulty.csv").open("a") as handle:
        handle.write("mallory,0.99\n")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_json_edit("key.json", lambda d: _set(d, "difficulty/spread/oracle", 0.0)), "key.json (changed: difficulty)"),
        (
            _json_edit("key.json", lambda d: _set(d, "candidates/bob/difficulty/oracle", 0.99)),
            "key.json (changed: candidates/bob)",
        ),
        (_json_edit("key.json", lambda d: _set(d, "diagnosis", "os:system")), "key.json (changed: diagnosis)"),
        (_json_edit("rubric.json", lambda d: _set(d, "rubric/0/points", 100)), "rubric.json of the key differs"),
        (_append_row, "difficulty.csv of the key differs"),
    ],
    ids=["difficulty", "a-variant's-difficulty", "diagnosis-grader", "rubric-points", "difficulty-csv"],
)
def test_edits_to_the_key_beyond_the_records_are_detected(
    toy: cs.Takehome, tmp_path: Path, edit: Callable[[cs.Takehome], None], message: str
) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    edit(copy)
    with pytest.raises(TakehomeIntegrityError, match=re.escape(message)) as caught:
        grade_alice(copy, write=False)
    assert "from what the bundles were committed to" in str(caught.value)
    assert "Restore the key from a backup" in str(caught.value)


def test_the_interviewer_may_annotate_the_notes_for_people(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    with (copy.key / "rubric.md").open("a") as handle:
        handle.write("\nalice: strong on validation.\n")
    (copy.key / "key.json").write_text(json.dumps(json.loads((copy.key / "key.json").read_text())))  # reformatted
    grade = grade_alice(copy, write=False)
    assert grade.status == "graded"
    assert len(grade.not_checked) == 1 and grade.not_checked[0].startswith("rubric.md of the key changed after")


def _unseal(takehome: cs.Takehome) -> None:
    """The record as an older casestudies wrote it: no seal, committed again; key.json follows."""
    path = takehome.key / "candidates/alice/secret.json"
    record = json.loads(path.read_text())
    record.pop("key_seal", None)  # absent from keys written before the seal
    record["commitment"] = commitment(record)
    path.write_text(json.dumps(record))
    _json_edit("key.json", lambda d: _set(d, "candidates/alice/commitment", record["commitment"]))(takehome)


def test_a_key_without_a_seal_is_graded_and_says_what_it_cannot_check(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    _unseal(copy)
    # With the bundle at hand, the recommitted record no longer matches the commitment the candidate holds.
    with pytest.raises(TakehomeIntegrityError, match="the bundle's manifest commits to a different answer key"):
        grade_alice(copy, write=False)
    grade = grade_alice(copy, write=False, bundles=tmp_path / "nowhere")
    assert grade.status == "graded" and grade.checks[0] == "key record matches its commitment"
    assert any(
        "key.json, rubric.json and difficulty.csv of the key" in item and "cannot be detected" in item
        for item in grade.not_checked
    )


# -- item 8: Markdown reports escape what the candidate wrote ---------------------------

SCRIPT = "<script>alert(1)</script>"


def test_markdown_reports_show_the_candidates_text_without_running_it(toy: cs.Takehome, tmp_path: Path) -> None:
    copy = copy_of(toy, tmp_path / "copy")
    frame = pd.read_csv(template(copy, "bob"))
    frame["prediction"] = frame["prediction"].astype(object)
    frame.loc[0, "prediction"] = SCRIPT
    folder = tmp_path / "submissions"
    folder.mkdir()
    frame.to_csv(folder / "bob.csv", index=False)
    shutil.copy(template(copy, "alice"), folder / "alice.csv")
    (folder / "<img src=x onerror=alert(1)>.csv").write_text("row_id,prediction\n")
    grading = cs.grade_takehome(copy.key, folder, errors="record")
    assert grading["bob"].status == "rejected" and SCRIPT in grading["bob"].problems[0].received
    bob = grading["bob"].files["markdown"].read_text()
    comparison = grading.files["markdown"].read_text()
    for markdown in (bob, comparison):
        assert "<script" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "<img" not in comparison and "&lt;img src=x onerror=alert(1)&gt;.csv: matches no candidate" in comparison
    assert "&lt;script&gt;" in grading["bob"].files["html"].read_text()  # the HTML report, escaped as before


def test_a_file_name_with_backticks_keeps_its_code_span(toy: cs.Takehome, tmp_path: Path) -> None:
    name = "bob`s `final` <b>.csv"
    submission = tmp_path / name
    shutil.copy(template(toy, "bob"), submission)
    grade = cs.grade_takehome(toy.key, {"bob": submission}, write=False)["bob"]
    digest = hashlib.sha256(submission.read_bytes()).hexdigest()[:16]
    # CommonMark: a span opened by two backticks runs to the next run of exactly two; the name's runs are single.
    assert f"Submission: ``{name}`` (SHA-256 {digest}...)." in grade.to_markdown()


def test_markdown_reports_render_the_candidates_text_as_text(toy: cs.Takehome, tmp_path: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="renders Markdown as GitHub does (CommonMark)")
    name = "bob`s <b>.csv"
    submission = tmp_path / name
    frame = pd.read_csv(template(toy, "bob"))
    frame["prediction"] = frame["prediction"].astype(object)
    frame.loc[0, "prediction"] = f"{SCRIPT} **bold** [link](http://x) # x"
    frame.to_csv(submission, index=False)
    grade = cs.grade_takehome(toy.key, {"bob": submission}, errors="record", write=False)["bob"]
    page = markdown_it.MarkdownIt("commonmark", {"html": True}).render(grade.to_markdown())
    assert "<script" not in page and "<strong>bold</strong>" not in page and "<a href" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [link](http://x) # x" in page
    assert "<code>bob`s &lt;b&gt;.csv</code>" in page


# -- the README's metric directions -------------------------------------------------------

MOVIES = {
    "movies-topn-v1": ({"n_users": 200, "n_movies": 300, "n_ratings": 8000}, ("coverage", "mean_popularity")),
    "movies-rating-v1": (
        {"n_users": 200, "n_movies": 300, "n_ratings": 8000, "n_unseen_pairs": 300},
        ("unseen_bias",),
    ),
}


@pytest.mark.parametrize("scenario_id", sorted(MOVIES))
def test_the_readme_gives_no_direction_to_metrics_that_describe(scenario_id: str, tmp_path: Path) -> None:
    params, describing = MOVIES[scenario_id]
    takehome = cs.create_takehome(
        scenario_id, candidates=["ann"], out=tmp_path, seed=2, params=params, baselines=False, tolerance=1.0
    )
    readme = (takehome.bundles["ann"] / "README.md").read_text()
    after = readme.split("We also look at:\n\n", 1)[1]
    bullets = after.split("\n\n", 1)[0].splitlines()  # one per secondary metric, in the spec's order
    metrics = cs.spec(scenario_id).secondary_metrics
    assert len(bullets) == len(metrics) and set(describing) <= set(metrics)
    for metric, line in zip(metrics, bullets, strict=True):
        if metric in describing:
            assert line.startswith(f"- {metric_info(metric).label}: this describes your"), line
            assert "neither higher nor lower is better" in line, line
            assert "(higher is better)" not in line and "(lower is better)" not in line, line
        else:
            assert ("higher is better" if higher_is_better(metric) else "lower is better") in line, line
