"""Library paths no other test walks: invalid generator output, unreadable diagnosis files, misused arguments.

Each test feeds a real case from our generators one mistake a user (or a
plugin author) makes, and asserts the error's class and what its message
says: the value received, what was expected, how to fix it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
import plugin_scenario
from casestudies.core import _registry
from casestudies.exceptions import (
    InvalidParameterError,
    ProblemCode,
    RegistrationError,
    StoreError,
    SubmissionError,
    TakehomeError,
)
from casestudies.scenarios.fraud import TransactionFeatures

TOY = "plugin-toy-v1"
FRAUD_PARAMS = {"n_customers": 300, "n_days": 35}
SMALL_TOPN = {"n_users": 300, "n_movies": 500, "n_ratings": 18_000, "cold_start_fraction": 0.1}
HAS_POSTGRES_DRIVER = importlib.util.find_spec("psycopg") is not None


# -- a generator returning invalid data -------------------------------------------------------------------------------


def generate_without_target(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """The toy generator, its label column dropped from both frames (a plugin that forgot to return it)."""
    data = plugin_scenario.generate(params, rng)
    return dataclasses.replace(data, train=data.train.drop(columns="label"), test=data.test.drop(columns="label"))


def generate_test_without_target(params: Mapping[str, object], rng: np.random.Generator) -> cs.ScenarioData:
    """The toy generator, its label dropped from the test frame only (the holdout cannot be scored)."""
    data = plugin_scenario.generate(params, rng)
    return dataclasses.replace(data, test=data.test.drop(columns="label"))


@pytest.fixture(scope="module")
def broken_scenarios() -> Iterator[dict[str, str]]:
    """Two plugin scenarios with broken generators, registered as a user would; the registry restored afterwards."""
    cs.list_scenarios()  # load the catalog first, so the snapshot holds it
    saved = dict(_registry._REGISTRY)
    ids = {}
    for name in ("generate_without_target", "generate_test_without_target"):
        scenario_id = f"paths-{name.replace('_', '-')}-v1"
        spec = dataclasses.replace(plugin_scenario.SPEC, id=scenario_id, generator=f"test_paths_library:{name}")
        ids[name] = cs.register(spec).id
    yield ids
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


def test_make_rejects_a_generator_that_returns_no_target(broken_scenarios: dict[str, str]) -> None:
    scenario_id = broken_scenarios["generate_without_target"]
    message = (
        f"generator of {scenario_id!r} returned invalid data: train has no column 'label'; test has no column 'label'."
    )
    with pytest.raises(RegistrationError, match=f"^{re.escape(message)}$"):
        cs.make(scenario_id, seed=0, n_rows=1000)


def test_make_rejects_a_test_frame_without_the_target(broken_scenarios: dict[str, str]) -> None:
    scenario_id = broken_scenarios["generate_test_without_target"]
    message = f"generator of {scenario_id!r} returned invalid data: test has no column 'label'."
    with pytest.raises(RegistrationError, match=f"^{re.escape(message)}$"):
        cs.make(scenario_id, seed=0, n_rows=1000)


# -- an unreadable diagnosis file --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def leaky_case() -> cs.Case:
    return cs.make("overfit-leaky-v1", seed=0, n_train=400, n_test=300)


def _diagnosis_paths(folder: Path) -> dict[str, tuple[Path, str]]:
    """A broken diagnosis file of each kind, with the start of the message it must give."""
    not_json = folder / "not_json.json"
    not_json.write_text("label_noise: yes\n", encoding="utf-8")
    empty = folder / "empty.json"
    empty.write_text("", encoding="utf-8")
    not_toml = folder / "not_toml.toml"
    not_toml.write_text("label_noise = = true\n", encoding="utf-8")
    a_folder = folder / "a_folder.json"
    a_folder.mkdir()
    return {
        "not JSON": (not_json, "cannot parse diagnosis file"),
        "empty": (empty, "cannot parse diagnosis file"),
        "not TOML": (not_toml, "cannot parse diagnosis file"),
        "a folder": (a_folder, "cannot read diagnosis file"),
        "missing": (folder / "missing.json", "cannot read diagnosis file"),
    }


@pytest.mark.parametrize("kind", ["not JSON", "empty", "not TOML", "a folder", "missing"])
@pytest.mark.parametrize("as_text", [False, True], ids=["Path", "str"])
def test_unreadable_diagnosis_file_is_named(leaky_case: cs.Case, tmp_path: Path, kind: str, as_text: bool) -> None:
    path, start = _diagnosis_paths(tmp_path)[kind]
    with pytest.raises(InvalidParameterError) as caught:
        leaky_case.grade_diagnosis(str(path) if as_text else path)
    message = str(caught.value)
    assert message.startswith(f"{start} {str(path)!r}: "), message
    assert "Pass a dict like {'label_noise': True" in message  # how to fix it


def test_binary_diagnosis_file_is_named(leaky_case: cs.Case, tmp_path: Path) -> None:
    path = tmp_path / "diagnosis.json"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(InvalidParameterError, match=re.escape(f"diagnosis file {str(path)!r}")):
        leaky_case.grade_diagnosis(path)


@pytest.mark.parametrize("content", ["[1, 2]", "null"])
def test_diagnosis_file_of_the_wrong_shape_is_named(leaky_case: cs.Case, tmp_path: Path, content: str) -> None:
    path = tmp_path / "diagnosis.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=re.escape(str(path))):
        leaky_case.grade_diagnosis(path)


def test_a_folder_without_a_suffix_is_refused_with_its_name(
    leaky_case: cs.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A str without .json/.toml is not taken for a file: the message repeats it and lists the accepted forms.
    monkeypatch.chdir(tmp_path)
    Path("notes").mkdir()
    message = "a diagnosis must be a Diagnosis, a dict, a list of cause names or a .json/.toml path; got 'notes' (str)."
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}"):
        leaky_case.grade_diagnosis("notes")


# -- grade_takehome argument misuse ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy_takehome(tmp_path_factory: pytest.TempPathFactory) -> cs.Takehome:
    out = tmp_path_factory.mktemp("takehome")
    return cs.create_takehome(
        TOY, candidates=["ann", "ben"], out=out, seed=3, params={"n_rows": 1000}, baselines=False, tolerance=0.5
    )


@pytest.mark.parametrize("what", ["a file", "a missing folder", "the bundles folder", "an empty folder"])
def test_grade_takehome_refuses_a_key_folder_that_is_not_one(
    toy_takehome: cs.Takehome, tmp_path: Path, what: str
) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    folder = {
        "a file": template,
        "a missing folder": tmp_path / "nowhere",
        "the bundles folder": toy_takehome.out / "bundles",
        "an empty folder": tmp_path,
    }[what]
    message = (
        f"{str(folder)!r} is not a take-home key: expected a folder with key.json, "
        "written by `casestudies takehome create` (its key/ folder)."
    )
    with pytest.raises(TakehomeError, match=f"^{re.escape(message)}$"):
        cs.grade_takehome(folder, {"ann": template}, write=False)


def test_grade_takehome_accepts_the_takehome_folder_for_its_key(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    from_out = cs.grade_takehome(toy_takehome.out, {"ann": template}, write=False)["ann"]
    from_key = cs.grade_takehome(toy_takehome.key, {"ann": template}, write=False)["ann"]
    assert from_out.status == from_key.status == "graded"
    assert from_out.scores is not None and from_key.scores is not None
    assert from_out.scores["average_precision"] == from_key.scores["average_precision"]


def test_grade_takehome_names_a_candidate_not_in_the_key(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    message = f"no candidate 'zed' in the take-home key {str(toy_takehome.key)!r}; it has ['ann', 'ben']."
    with pytest.raises(TakehomeError, match=f"^{re.escape(message)}"):
        cs.grade_takehome(toy_takehome.key, {"zed": template}, write=False)
    with pytest.raises(TakehomeError, match=f"^{re.escape(message)}"):  # a diagnosis for nobody, too
        cs.grade_takehome(toy_takehome.key, {"ann": template}, diagnoses={"zed": "notes.md"}, write=False)
    assert not (toy_takehome.key / "grades").exists()  # nothing written on the way


@pytest.mark.parametrize(
    ("submissions", "message"),
    [
        (["ann.csv"], "grade_takehome(): submissions must be a mapping {candidate: file} or a folder; got list."),
        (3, "grade_takehome(): submissions must be a mapping {candidate: file} or a folder; got int."),
    ],
)
def test_grade_takehome_refuses_submissions_of_the_wrong_type(
    toy_takehome: cs.Takehome, submissions: object, message: str
) -> None:
    with pytest.raises(TakehomeError, match=f"^{re.escape(message)}$"):
        cs.grade_takehome(toy_takehome.key, submissions, write=False)  # type: ignore[arg-type]


def test_grade_takehome_refuses_a_single_file_for_submissions(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    message = f"which is not a folder. To grade one file, pass {{'alice': {str(template)!r}}}."
    with pytest.raises(TakehomeError, match=re.escape(message)):
        cs.grade_takehome(toy_takehome.key, template, write=False)


@pytest.mark.parametrize(("submission", "received"), [(42, "int"), (None, "NoneType")])
def test_grade_takehome_refuses_a_submission_that_is_not_a_file_or_frame(
    toy_takehome: cs.Takehome, submission: object, received: str
) -> None:
    with pytest.raises(SubmissionError) as caught:
        cs.grade_takehome(toy_takehome.key, {"ann": submission}, write=False)
    (problem,) = caught.value.problems
    assert problem.code is ProblemCode.WRONG_TYPE
    assert problem.expected == "the path of a CSV or Parquet file, or a DataFrame"
    assert problem.received == received


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("errors", "ignore", "grade_takehome(): errors must be one of 'raise', 'record'; got 'ignore' (str)."),
        ("write", "yes", "grade_takehome(): write must be True or False; got 'yes' (str)."),
    ],
)
def test_grade_takehome_checks_its_options(toy_takehome: cs.Takehome, option: str, value: object, message: str) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises(InvalidParameterError, match=f"^{re.escape(message)}$"):
        cs.grade_takehome(toy_takehome.key, {"ann": template}, **{option: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [42, None])
def test_grade_takehome_refuses_a_key_that_is_not_a_path(toy_takehome: cs.Takehome, key: object) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises((InvalidParameterError, TakehomeError), match=r"grade_takehome\(\): key must be"):
        cs.grade_takehome(key, {"ann": template}, write=False)  # type: ignore[arg-type]


def test_grade_takehome_refuses_a_candidate_name_that_is_not_text(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises(TakehomeError, match=r"candidate.*\b1\b"):  # names the candidate it cannot use
        cs.grade_takehome(toy_takehome.key, {1: template}, write=False)  # type: ignore[dict-item]


def test_grade_takehome_refuses_diagnoses_that_are_not_a_mapping(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises((InvalidParameterError, TakehomeError), match="diagnoses must be a mapping"):
        cs.grade_takehome(toy_takehome.key, {"ann": template}, diagnoses="notes.md", write=False)  # type: ignore[arg-type]


def test_grade_takehome_refuses_bundles_that_are_not_a_path(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises((InvalidParameterError, TakehomeError), match="bundles"):
        cs.grade_takehome(toy_takehome.key, {"ann": template}, bundles=42, write=False)  # type: ignore[arg-type]


def test_grade_takehome_arguments_before_the_slash_are_positional(toy_takehome: cs.Takehome) -> None:
    template = toy_takehome.bundles["ann"] / "submission_template.csv"
    with pytest.raises(TypeError, match="positional-only arguments passed as keyword arguments: 'key, submissions'"):
        cs.grade_takehome(key=toy_takehome.key, submissions={"ann": template})  # type: ignore[call-arg]


# -- create_takehome(overwrite=True) -----------------------------------------------------------------------------------


def test_create_takehome_overwrite_replaces_the_key_and_bundles(tmp_path: Path) -> None:
    out = tmp_path / "th"
    small = {"params": {"n_rows": 1000}, "baselines": False, "tolerance": 0.5}
    first = cs.create_takehome(TOY, candidates=["ann", "ben"], out=out, seed=1, **small)  # type: ignore[arg-type]
    notes = out / "interviewer-notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    old_template = (first.bundles["ann"] / "submission_template.csv").read_bytes()
    with pytest.raises(TakehomeError, match=r"already holds a take-home \(key/, bundles/\)"):
        cs.create_takehome(TOY, candidates=["cy"], out=out, seed=2, **small)  # type: ignore[arg-type]
    assert (first.bundles["ann"] / "submission_template.csv").read_bytes() == old_template  # refused: untouched

    second = cs.create_takehome(TOY, candidates=["cy"], out=out, seed=2, overwrite=True, **small)  # type: ignore[arg-type]
    assert sorted(path.name for path in (out / "bundles").iterdir()) == ["cy"]
    assert sorted(path.name for path in (out / "key" / "candidates").iterdir()) == ["cy"]
    assert sorted(json.loads((second.key / "key.json").read_text())["candidates"]) == ["cy"]
    assert notes.read_text(encoding="utf-8") == "keep me"  # only key/ and bundles/ are replaced
    with pytest.raises(TakehomeError, match=re.escape("no candidate 'ann' in the take-home key")):
        cs.grade_takehome(second.key, {"ann": out / "old.csv"}, write=False)
    grade = cs.grade_takehome(second.key, {"cy": second.bundles["cy"] / "submission_template.csv"}, write=False)
    assert grade["cy"].status == "graded"


def test_create_takehome_overwrite_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "fresh" / "th"
    takehome = cs.create_takehome(
        TOY, candidates="ann", out=out, seed=1, params={"n_rows": 1000}, baselines=False, overwrite=True
    )
    assert takehome.key == out / "key" and (takehome.key / "key.json").is_file()
    assert sorted(takehome.bundles) == ["ann"]


# -- empty or None top-N output ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def topn_case() -> cs.Case:
    return cs.make("movies-topn-v1", seed=3, **SMALL_TOPN)


class Returns:
    """A recommender whose ``recommend`` returns a fixed value (what a buggy one returns)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def fit(self, ratings: pd.DataFrame) -> Returns:
        return self

    def recommend(self, users: np.ndarray, k: int) -> object:
        return self.value


def _only_problem(error: SubmissionError) -> tuple[ProblemCode, str, str]:
    (problem,) = error.problems
    return problem.code, problem.expected, problem.received


def test_recommender_returning_none_is_wrong_type(topn_case: cs.Case) -> None:
    for pipeline in (Returns(None), lambda train, users, k: None):
        with pytest.raises(SubmissionError) as caught:
            topn_case.evaluate(pipeline, baselines=False)
        code, _, received = _only_problem(caught.value)
        assert (code, received) == (ProblemCode.WRONG_TYPE, "None")
        assert (
            caught.value.problems[0].hint
            == "If a function of yours made these recommendations, make sure it returns them."
        )


def test_recommender_returning_an_empty_table_is_empty(topn_case: cs.Case) -> None:
    n_users, k = len(topn_case.test), 10
    empty = pd.DataFrame({"user_id": [], "movie_id": [], "rank": []})
    with pytest.raises(SubmissionError) as caught:
        topn_case.evaluate(Returns(empty), baselines=False)
    code, expected, received = _only_problem(caught.value)
    assert (code, expected, received) == (
        ProblemCode.EMPTY,
        f"{k} recommendations for each of {n_users} users",
        "a table with no rows",
    )


@pytest.mark.parametrize("value", [[], ()], ids=["list", "tuple"])
def test_recommender_returning_an_empty_list_is_empty(topn_case: cs.Case, value: object) -> None:
    with pytest.raises(SubmissionError) as caught:
        topn_case.evaluate(Returns(value), baselines=False)
    assert [problem.code for problem in caught.value.problems] == [ProblemCode.EMPTY]


def test_empty_list_is_empty_on_the_rating_and_binary_tasks() -> None:
    # The reference the top-N test above holds its task to: the other tasks call an empty list EMPTY.
    rating = cs.make("movies-rating-v1", seed=3, n_users=200, n_movies=400, n_ratings=12_000, n_unseen_pairs=500)
    binary = cs.make(TOY, seed=3, n_rows=1000)
    for case in (rating, binary):
        with pytest.raises(SubmissionError) as caught:
            case.score([], baselines=False)
        assert [problem.code for problem in caught.value.problems] == [ProblemCode.EMPTY], case.id


# -- TransactionFeatures.fit without y ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fraud_case() -> cs.Case:
    return cs.make("fraud-v1", seed=7, **FRAUD_PARAMS)


def test_transaction_features_fit_with_y_none_says_it_needs_labels(fraud_case: cs.Case) -> None:
    X = fraud_case.train.drop(columns=fraud_case.target)
    message = "TransactionFeatures.fit needs the labels y of the training log; got None."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        TransactionFeatures().fit(X, None)


def test_transaction_features_fit_with_labels_of_another_length(fraud_case: cs.Case) -> None:
    X, y = fraud_case.train.drop(columns=fraud_case.target), fraud_case.train[fraud_case.target]
    message = f"TransactionFeatures.fit: y must hold one label per row of X ({len(X)} rows); got shape ({len(X) - 1},)."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        TransactionFeatures().fit(X, y.iloc[:-1])


def test_transaction_features_use_the_labels_they_were_fitted_with(fraud_case: cs.Case) -> None:
    # The labels matter: a terminal's fraud history, built from y, changes when y does.
    X, y = fraud_case.train.drop(columns=fraud_case.target), fraud_case.train[fraud_case.target]
    fitted = TransactionFeatures(features=["terminal_risk_30d"]).fit(X, y)
    assert fitted.history_["label"].sum() == y.sum() > 0
    risk = fitted.transform(fraud_case.test)["terminal_risk_30d"]
    no_fraud = TransactionFeatures(features=["terminal_risk_30d"]).fit(X, np.zeros(len(y)))
    assert risk.sum() > 0 and no_fraud.transform(fraud_case.test)["terminal_risk_30d"].sum() == 0


@pytest.mark.parametrize("call", ["fit", "fit_transform"])
def test_transaction_features_fit_without_y_says_it_needs_labels(fraud_case: cs.Case, call: str) -> None:
    X = fraud_case.train.drop(columns=fraud_case.target)
    with pytest.raises(ValueError, match=re.escape("TransactionFeatures.fit needs the labels y of the training log")):
        getattr(TransactionFeatures(), call)(X)


# -- an unreachable or malformed store URL -----------------------------------------------------------------------------


def _open_or_create(how: str, store: str) -> cs.Leaderboard:
    if how == "open":
        return cs.Leaderboard.open(store)
    return cs.Leaderboard.create(store, scenario=TOY, params={"n_rows": 1000}, seed=1)


@pytest.mark.parametrize("how", ["open", "create"])
def test_unreachable_postgres_store_is_a_store_error(how: str) -> None:
    url = "postgresql://ann:s3cret@127.0.0.1:9/db"  # nothing listens on port 9 (discard): refused at once
    with pytest.raises(StoreError) as caught:
        _open_or_create(how, url)
    message = str(caught.value)
    assert "s3cret" not in message and "postgresql://ann:***@127.0.0.1:9/db" in message  # no password shown
    if HAS_POSTGRES_DRIVER:
        assert message.startswith("store 'postgresql://ann:***@127.0.0.1:9/db' is unavailable (OperationalError: ")
        assert "port 9 failed" in message  # the cause, as the driver gives it
    else:  # the driver is the first thing missing: say how to install it
        assert "pip install 'psycopg[binary]'" in message


@pytest.mark.parametrize("how", ["open", "create"])
def test_unknown_store_scheme_is_a_store_error(how: str) -> None:
    with pytest.raises(StoreError, match=re.escape("cannot open store 'notaurl://': ")):
        _open_or_create(how, "notaurl://")


def test_unknown_store_scheme_says_what_a_store_is() -> None:
    with pytest.raises(StoreError, match=re.escape("a SQLite file path or a URL like postgresql+psycopg://")):
        cs.Leaderboard.open("notaurl://")


@pytest.mark.parametrize("url", ["://nothing", "postgresql://ann:s3cret@host:notaport/db"])
def test_malformed_store_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="cannot be parsed") as caught:
        cs.Leaderboard.open(url)
    assert "s3cret" not in str(caught.value)
