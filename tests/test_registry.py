"""The registry: list_scenarios, spec, make, register, specs and their files."""

from __future__ import annotations

import dataclasses
import importlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import casestudies as cs
import plugin_scenario
from casestudies.core import _registry
from casestudies.core._spec import parse_id
from casestudies.exceptions import (
    CaseStudiesError,
    InvalidParameterError,
    RegistrationError,
    ScenarioDeprecationWarning,
    UnknownScenarioError,
)

TOY = "plugin-toy-v1"


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Let a test register specs; the registry is restored afterwards."""
    cs.list_scenarios()  # load the catalog first, so the snapshot holds it
    saved = dict(_registry._REGISTRY)
    yield
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(saved)


def toy_dict(**changes: object) -> dict[str, object]:
    data = plugin_scenario.SPEC.to_dict()
    data.update(changes)
    return data


# -- public names ----------------------------------------------------------------


@pytest.mark.parametrize("module_name", ["casestudies", "casestudies.exceptions", "casestudies.testing"])
def test_every_name_in_all_imports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__, f"{module_name} has an empty __all__"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{module_name}.{name}"
    namespace: dict[str, object] = {}
    exec(f"from {module_name} import *", namespace)
    assert set(module.__all__) <= set(namespace)


def test_exception_tree_refines_builtins() -> None:
    assert issubclass(InvalidParameterError, CaseStudiesError) and issubclass(InvalidParameterError, ValueError)
    assert issubclass(UnknownScenarioError, CaseStudiesError) and issubclass(UnknownScenarioError, LookupError)
    assert issubclass(RegistrationError, CaseStudiesError) and issubclass(RegistrationError, ValueError)
    assert issubclass(cs.exceptions.SubmissionError, CaseStudiesError) and issubclass(
        cs.exceptions.SubmissionError, ValueError
    )
    assert issubclass(cs.exceptions.PipelineError, CaseStudiesError) and issubclass(
        cs.exceptions.PipelineError, RuntimeError
    )
    assert issubclass(ScenarioDeprecationWarning, DeprecationWarning)


# -- list_scenarios, registry, spec ------------------------------------------------


def test_list_scenarios_maps_sorted_ids_to_summaries() -> None:
    scenarios = cs.list_scenarios()
    assert scenarios[TOY] == "A logistic toy scenario registered by the test suite."
    assert list(scenarios) == sorted(scenarios)
    assert set(scenarios) == set(cs.registry())


def test_registry_is_read_only() -> None:
    view = cs.registry()
    assert view[TOY] is cs.spec(TOY)
    with pytest.raises(TypeError):
        view["other-v1"] = cs.spec(TOY)  # type: ignore[index]


def test_spec_returns_the_registered_value() -> None:
    spec = cs.spec(TOY)
    assert spec is plugin_scenario.SPEC
    assert (spec.name, spec.version, spec.task, spec.metric) == ("plugin-toy", 1, "binary", "average_precision")
    assert spec.defaults == {"n_rows": 4000}


@pytest.mark.parametrize("typo", ["plugin-toy-v2", "plugin-tpy-v1", "plugintoy-v1", "Plugin-Toy-v1"])
def test_unknown_id_suggests_the_closest(typo: str) -> None:
    expected = f"no scenario {typo!r}. Did you mean 'plugin-toy-v1'? Run casestudies.list_scenarios() to see all."
    with pytest.raises(UnknownScenarioError, match=re.escape("Did you mean 'plugin-toy-v1'?")) as info:
        cs.make(typo)
    assert str(info.value) == expected
    with pytest.raises(UnknownScenarioError, match=re.escape(expected)):
        cs.spec(typo)


def test_unknown_id_without_a_close_match_still_says_how_to_list() -> None:
    with pytest.raises(UnknownScenarioError) as info:
        cs.spec("zzzzzzzzzzzz-v9")
    assert str(info.value) == "no scenario 'zzzzzzzzzzzz-v9'. Run casestudies.list_scenarios() to see all."


def test_unknown_scenario_error_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        cs.spec("nope-v1")


@pytest.mark.parametrize("bad", [5, None, ["plugin-toy-v1"]])
def test_spec_rejects_a_non_string_id(bad: object) -> None:
    with pytest.raises(
        UnknownScenarioError, match=re.escape(f"scenario_id must be a string like 'fraud-v1'; got {bad!r}")
    ):
        cs.spec(bad)  # type: ignore[arg-type]


def test_unversioned_name_resolves_to_latest_with_a_warning(scratch_registry: None) -> None:
    cs.register(dataclasses.replace(plugin_scenario.SPEC, id="plugin-toy-v2", summary="second version"))
    message = "'plugin-toy' has no version; using 'plugin-toy-v2'. Pass 'plugin-toy-v2' to keep results reproducible."
    with pytest.warns(ScenarioDeprecationWarning, match=re.escape(message)) as record:
        assert cs.spec("plugin-toy").id == "plugin-toy-v2"
    # Attributed to the caller, so Python's default filters show it in scripts and notebooks.
    assert record[0].filename == __file__


def test_make_with_unversioned_name_warns_at_the_callers_line() -> None:
    with pytest.warns(
        ScenarioDeprecationWarning, match=re.escape("'plugin-toy' has no version; using 'plugin-toy-v1'.")
    ) as record:
        case = cs.make("plugin-toy", seed=0, n_rows=200)
    assert case.id == TOY
    assert [item.filename for item in record] == [__file__]


def test_deprecated_version_warns_with_its_replacement(scratch_registry: None) -> None:
    note = "use 'plugin-toy-v1', which is the same data with a larger default."
    cs.register(dataclasses.replace(plugin_scenario.SPEC, id="oldtoy-v1", deprecated=note))
    with pytest.warns(ScenarioDeprecationWarning, match=re.escape(f"'oldtoy-v1' is deprecated; {note}")):
        assert cs.spec("oldtoy-v1").id == "oldtoy-v1"


def test_pinned_id_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cs.spec(TOY)
        cs.make(TOY, seed=0, n_rows=200)


# -- make -------------------------------------------------------------------------


def test_make_uses_defaults_and_overrides() -> None:
    case = cs.make(TOY, seed=3, n_rows=300)
    assert case.id == TOY and case.seed == 3
    assert dict(case.params) == {"n_rows": 300}
    assert len(case.train) + len(case.test) == 300
    assert case.target not in case.test.columns


def test_make_is_reproducible_and_seed_sensitive() -> None:
    first = cs.make(TOY, seed=11, n_rows=200)
    assert first.fingerprint == cs.make(TOY, seed=11, n_rows=200).fingerprint
    assert first.fingerprint != cs.make(TOY, seed=12, n_rows=200).fingerprint


def test_make_without_seed_records_a_replayable_seed() -> None:
    case = cs.make(TOY, n_rows=200)
    assert isinstance(case.seed, int) and case.seed >= 0
    assert cs.make(TOY, seed=case.seed, n_rows=200).fingerprint == case.fingerprint


def test_make_seed_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        cs.make(TOY, 3)  # type: ignore[misc]


def test_numpy_parameter_values_are_stored_as_python_values() -> None:
    case = cs.make(TOY, seed=np.int64(1), n_rows=np.int64(200))
    assert case.params["n_rows"] == 200 and type(case.params["n_rows"]) is int


def test_unknown_parameter_names_the_valid_ones() -> None:
    expected = (
        "make('plugin-toy-v1'): unknown parameter 'n_row'. Did you mean 'n_rows'? "
        "Valid parameters: n_rows (an int between 200 and 100000)."
    )
    with pytest.raises(InvalidParameterError) as info:
        cs.make(TOY, n_row=300)
    assert str(info.value) == expected


def test_unknown_parameter_without_a_close_match() -> None:
    with pytest.raises(InvalidParameterError) as info:
        cs.make(TOY, colour="red")
    assert str(info.value) == (
        "make('plugin-toy-v1'): unknown parameter 'colour'. Valid parameters: n_rows (an int between 200 and 100000)."
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-5, "-5 (int)"),
        (100001, "100001 (int)"),
        (True, "True (bool)"),
        ("300", "'300' (str)"),
        (300.0, "300.0 (float)"),
        (None, "None (NoneType)"),
    ],
)
def test_invalid_parameter_value_gets_the_standard_message(value: object, shown: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        cs.make(TOY, n_rows=value)
    assert str(info.value) == f"make('plugin-toy-v1'): n_rows must be an int between 200 and 100000; got {shown}."


def test_standard_message_example_from_the_brief() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("make('plugin-toy-v1'): n_rows must be an int between 200 and 100000; got -5 (int)."),
    ):
        cs.make(TOY, n_rows=-5)


@pytest.mark.parametrize(
    ("seed", "shown"),
    [(-1, "-1 (int)"), (1.5, "1.5 (float)"), (1.0, "1.0 (float)"), ("7", "'7' (str)"), (True, "True (bool)")],
)
def test_invalid_seed(seed: object, shown: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        cs.make(TOY, seed=seed)
    assert (
        str(info.value) == f"make('plugin-toy-v1'): seed must be None or an int between 0 and {2**63 - 1}; got {shown}."
    )


def test_invalid_parameter_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^make\('plugin-toy-v1'\): n_rows must be an int between 200 and 100000"):
        cs.make(TOY, n_rows=-5)


# -- register ---------------------------------------------------------------------


def test_register_a_new_spec(scratch_registry: None) -> None:
    new = dataclasses.replace(plugin_scenario.SPEC, id="othertoy-v1", summary="another toy")
    assert cs.register(new) is new
    assert cs.list_scenarios()["othertoy-v1"] == "another toy"
    assert cs.make("othertoy-v1", seed=0, n_rows=200).fingerprint == cs.make(TOY, seed=0, n_rows=200).fingerprint


def test_register_from_plain_data(scratch_registry: None) -> None:
    registered = cs.register(toy_dict(id="datatoy-v1"))
    assert registered == dataclasses.replace(plugin_scenario.SPEC, id="datatoy-v1")
    assert cs.spec("datatoy-v1") is registered


def test_identical_re_register_is_a_no_op(scratch_registry: None) -> None:
    before = dict(cs.registry())
    assert cs.register(plugin_scenario.SPEC) is plugin_scenario.SPEC
    assert cs.register(toy_dict()) == plugin_scenario.SPEC
    assert dict(cs.registry()) == before
    assert cs.spec(TOY) is plugin_scenario.SPEC


def test_register_a_different_spec_under_a_taken_id(scratch_registry: None) -> None:
    changed = dataclasses.replace(plugin_scenario.SPEC, summary="changed")
    expected = (
        "scenario 'plugin-toy-v1' is already registered with a different spec; a released id never changes. "
        "Register the new spec as 'plugin-toy-v2'."
    )
    with pytest.raises(RegistrationError) as info:
        cs.register(changed)
    assert str(info.value) == expected
    assert cs.spec(TOY) is plugin_scenario.SPEC


@pytest.mark.parametrize(
    "bad_id",
    [
        "Fraud-v1",
        "fraud-v0",
        "fraud_v1",
        "fraud-v1\n",
        "fraud",
        "fraud-v",
        "-v1",
        "fraud--x-v1",
        "fraud-v01",
        " fraud-v1",
        "fraud-V1",
        "9fraud-v1",
        "",
    ],
)
def test_malformed_ids_are_rejected(bad_id: str) -> None:
    assert parse_id(bad_id) is None
    with pytest.raises(
        RegistrationError,
        match=re.escape(f"id must look like 'name-vN' (lower-case name, version >= 1); got {bad_id!r}"),
    ):
        cs.register(toy_dict(id=bad_id))


@pytest.mark.parametrize(
    ("good_id", "parts"),
    [("fraud-v1", ("fraud", 1)), ("movies-rating-v12", ("movies-rating", 12)), ("a2b-c3-v10", ("a2b-c3", 10))],
)
def test_parse_id(good_id: str, parts: tuple[str, int]) -> None:
    assert parse_id(good_id) == parts


def test_non_string_id_is_a_registration_error() -> None:
    with pytest.raises(RegistrationError, match=re.escape("id must look like 'name-vN'")):
        cs.register(toy_dict(id=7))


@pytest.mark.parametrize("bad", [5, None, ["plugin-toy-v1"]])
def test_register_rejects_other_types(bad: object) -> None:
    with pytest.raises(
        RegistrationError,
        match=re.escape("a scenario spec must be a ScenarioSpec, a mapping or the path of a TOML file"),
    ):
        cs.register(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"task": "multiclass"}, "task must be one of ['binary', 'rating', 'topn', 'regression']; got 'multiclass'"),
        ({"generator": "no_colon"}, "generator must be 'module:function'; got 'no_colon'"),
        ({"public_fraction": 1.0}, "public_fraction must be a number strictly between 0 and 1; got 1.0"),
        ({"public_fraction": "half"}, "public_fraction must be a number strictly between 0 and 1; got 'half'"),
        ({"metric": "avg_precision"}, "unknown binary metric 'avg_precision' (did you mean 'average_precision'?)"),
        ({"secondary_metrics": ["roc-auc"]}, "unknown binary metric 'roc-auc' (did you mean 'roc_auc'?)"),
        (
            {"baselines": {"prior": "casestudies.scenarios.baselines.prior"}},
            "baseline 'prior' must be 'module:factory'",
        ),
        ({"parameters": "n_rows"}, "[parameters] must be a table"),
        ({"parameters": {"n_rows": 4000}}, "[parameters.n_rows] must be a table; got 4000"),
        (
            {"parameters": {"n_rows": {"type": "integer", "default": 5}}},
            "parameter 'n_rows': type must be one of ['int', 'float', 'bool', 'str']; got 'integer'",
        ),
        (
            {"parameters": {"n_rows": {"type": "int", "default": 50, "min": 200, "max": 100}}},
            "parameter 'n_rows': min (200) must not exceed max (100)",
        ),
        (
            {"parameters": {"n_rows": {"type": "int", "default": 50, "min": 200}}},
            "parameter 'n_rows': default must be an int >= 200; got 50",
        ),
        (
            {"parameters": {"n_rows": {"type": "int", "default": 300, "minimum": 200}}},
            "parameter 'n_rows' has unknown keys ['minimum']; valid keys are",
        ),
        (
            {"parameters": {"mode": {"type": "str", "default": "c", "choices": ["a", "b"]}}},
            "parameter 'mode': default must be one of 'a', 'b'; got 'c'",
        ),
        (
            {"parameters": {"flag": {"type": "bool", "default": False, "min": 0}}},
            "min and max apply to int and float parameters only",
        ),
    ],
)
def test_malformed_specs_are_rejected(changes: dict[str, object], fragment: str) -> None:
    with pytest.raises(RegistrationError, match=re.escape(fragment)) as info:
        cs.register(toy_dict(**changes))
    assert str(info.value).startswith("invalid scenario spec 'plugin-toy-v1': ")


def test_missing_required_keys_are_named() -> None:
    with pytest.raises(RegistrationError, match=re.escape("invalid scenario spec 'bare-v1'")) as info:
        cs.register({"id": "bare-v1"})
    for key in ("title", "summary", "task", "generator", "metric", "prompt"):  # every required key but the id
        assert f"'{key}'" in str(info.value), key


def test_several_spec_problems_are_reported_together() -> None:
    with pytest.raises(RegistrationError) as info:
        cs.register(toy_dict(task="multiclass", generator="nocolon", public_fraction=0.0))
    message = str(info.value)
    assert "task must be" in message and "generator must be" in message and "public_fraction must be" in message


def test_generator_that_cannot_be_imported(scratch_registry: None) -> None:
    cs.register(toy_dict(id="ghost-v1", generator="no_such_module_xyz:generate"))
    with pytest.raises(
        RegistrationError, match=re.escape("scenario 'ghost-v1': cannot import generator 'no_such_module_xyz:generate'")
    ):
        cs.make("ghost-v1", seed=0, n_rows=200)


# -- ScenarioSpec as a value ----------------------------------------------------------


def test_spec_round_trips_through_plain_data() -> None:
    for spec in cs.registry().values():
        data = spec.to_dict()
        assert cs.ScenarioSpec.from_dict(data) == spec
        assert cs.ScenarioSpec.from_dict(data).to_dict() == data


def test_from_dict_rejects_unknown_keys() -> None:
    data = toy_dict(colour="red")
    with pytest.raises(RegistrationError) as info:
        cs.ScenarioSpec.from_dict(data)
    message = str(info.value)
    assert message.startswith("invalid scenario spec 'plugin-toy-v1': unknown keys ['colour']; valid keys are [")
    assert "'generator'" in message


def test_spec_is_frozen_and_hashable() -> None:
    spec = cs.spec(TOY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.parameters["n_rows"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        spec.scoring["alert_budget"] = 0.5  # type: ignore[index]
    copy = cs.ScenarioSpec.from_dict(spec.to_dict())
    assert hash(copy) == hash(spec) and len({spec, copy}) == 1


def test_spec_copies_caller_mappings() -> None:
    scoring = {"alert_budget": 0.05}
    spec = dataclasses.replace(plugin_scenario.SPEC, scoring=scoring)
    scoring["alert_budget"] = 0.9
    assert spec.scoring["alert_budget"] == 0.05


# -- TOML files -------------------------------------------------------------------


def toml_text(scenario_id: str) -> str:
    return f'''id = "{scenario_id}"
title = "File toy"
summary = "A toy scenario read from a TOML file."
task = "binary"
generator = "plugin_scenario:generate"
metric = "average_precision"
secondary_metrics = ["roc_auc"]
public_fraction = 0.5
prompt = """Predict the label."""

[scoring]
alert_budget = 0.05

[baselines]
prior = "casestudies.scenarios.baselines:prior"

[parameters.n_rows]
type = "int"
default = 400
min = 200
max = 100000
help = "rows in all"
'''


def test_register_a_toml_file(tmp_path: Path, scratch_registry: None) -> None:
    path = tmp_path / "filetoy-v1.toml"
    path.write_text(toml_text("filetoy-v1"), encoding="utf-8")
    spec = cs.register(path)
    assert spec == cs.ScenarioSpec.from_file(str(path))
    assert spec.parameters["n_rows"].default == 400 and spec.scoring == {"alert_budget": 0.05}
    case = cs.make("filetoy-v1", seed=0)
    assert len(case.train) + len(case.test) == 400


def test_toml_file_name_must_match_its_id(tmp_path: Path) -> None:
    path = tmp_path / "other-v1.toml"
    path.write_text(toml_text("filetoy-v1"), encoding="utf-8")
    with pytest.raises(RegistrationError) as info:
        cs.ScenarioSpec.from_file(path)
    assert (
        str(info.value)
        == f"scenario file {str(path)!r} declares id 'filetoy-v1'; rename the file to 'filetoy-v1.toml'."
    )
    with pytest.raises(RegistrationError, match=re.escape("rename the file to 'filetoy-v1.toml'")):
        cs.register(path)


def test_unreadable_toml_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken-v1.toml"
    broken.write_text("id = \n", encoding="utf-8")
    with pytest.raises(RegistrationError, match=re.escape(f"cannot read scenario file {str(broken)!r}")):
        cs.register(broken)
    with pytest.raises(RegistrationError, match=re.escape("cannot read scenario file")):
        cs.register(tmp_path / "missing-v1.toml")


def test_shipped_catalog_files_are_valid() -> None:
    for path in sorted(_registry.catalog_dir().glob("*.toml")):
        spec = cs.ScenarioSpec.from_file(path)
        assert cs.spec(spec.id) == spec


def test_errors_survive_pickling() -> None:
    import pickle

    from casestudies.exceptions import PipelineError, Problem, ProblemCode, SubmissionError

    problem = Problem(ProblemCode.WRONG_LENGTH, "4 predictions", "3", "Predict on every row.")
    error = pickle.loads(pickle.dumps(SubmissionError("demo-v1", (problem,))))
    assert type(error) is SubmissionError and error.problems == (problem,) and error.scenario_id == "demo-v1"
    assert str(error) == str(SubmissionError("demo-v1", (problem,)))
    failed = pickle.loads(pickle.dumps(PipelineError("your pipeline f raised", stage="fit", user_traceback="tb")))
    assert (str(failed), failed.stage, failed.user_traceback) == ("your pipeline f raised", "fit", "tb")
    unknown = pickle.loads(pickle.dumps(UnknownScenarioError("no scenario 'x-v1'.")))
    assert str(unknown) == "no scenario 'x-v1'."


# -- entry-point plugins ------------------------------------------------------------------


def install_entry_point(folder: Path, value: str) -> None:
    """A minimal installed distribution declaring one ``casestudies.scenarios`` entry point."""
    dist = folder / "casestudies_probe_plugin-0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: casestudies-probe-plugin\nVersion: 0.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(f"[casestudies.scenarios]\nprobe = {value}\n", encoding="utf-8")


@pytest.fixture
def reload_registry(scratch_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next registry call load the catalog and entry points again."""
    monkeypatch.setattr(_registry, "_LOADED", False)


def test_entry_point_plugin_is_registered(
    tmp_path: Path, reload_registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "probe_plugin_ok.py").write_text(
        "import dataclasses, plugin_scenario\nSPECS = [dataclasses.replace(plugin_scenario.SPEC, id='probe-v1')]\n",
        encoding="utf-8",
    )
    install_entry_point(tmp_path, "probe_plugin_ok:SPECS")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "probe-v1" in cs.list_scenarios()
    assert cs.spec("probe-v1").generator == plugin_scenario.SPEC.generator


def test_broken_entry_point_is_named(tmp_path: Path, reload_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    install_entry_point(tmp_path, "no_such_plugin_module_xyz:SPEC")
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = (
        "entry point 'probe' = 'no_such_plugin_module_xyz:SPEC' in group 'casestudies.scenarios' "
        "failed to load (ModuleNotFoundError"
    )
    with pytest.raises(RegistrationError, match=re.escape(expected)):
        cs.list_scenarios()
    with pytest.raises(RegistrationError, match=re.escape(expected)):  # raised again, not a silently partial registry
        cs.spec(TOY)
