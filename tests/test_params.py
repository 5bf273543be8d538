"""Parameter rules, the one message formatter, and the meta-test of STYLE rule 18."""

from __future__ import annotations

import math
import re
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import casestudies as cs
import plugin_scenario
from casestudies.core import catalog_dir
from casestudies.core._params import (
    SEED_LIKE,
    AnyString,
    Boolean,
    Choice,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    check,
    check_all,
    closest,
    describe_value,
    unknown_parameter_message,
)
from casestudies.core._spec import ParameterSpec
from casestudies.exceptions import InvalidParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# -- the rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (IntRange(200, 100_000), "an int between 200 and 100000"),
        (IntRange(0), "an int >= 0"),
        (IntRange(None, 9), "an int <= 9"),
        (IntRange(), "an int"),
        (FloatRange(0.0, 1.0), "a number between 0 and 1"),
        (FloatRange(0.5), "a number >= 0.5"),
        (FloatRange(None, 2.5), "a number <= 2.5"),
        (FloatRange(), "a finite number"),
        (Choice(("a", "b")), "one of 'a', 'b'"),
        (AnyString(), "a non-empty string"),
        (Boolean(), "True or False"),
        (Optional(IntRange(0)), "None or an int >= 0"),
    ],
)
def test_rules_describe_themselves(rule: Rule, text: str) -> None:
    assert rule.describe() == text


@pytest.mark.parametrize(
    ("rule", "accepted", "rejected"),
    [
        (IntRange(1, 10), [1, 10, np.int64(5), np.uint8(3)], [0, 11, 5.0, True, "5", None, np.float64(5)]),
        (
            FloatRange(0.0, 1.0),
            [0, 0.0, 1.0, 0.5, np.float32(0.5), np.int64(1)],
            [-0.1, 1.1, math.nan, math.inf, True, "0.5", None],
        ),
        (FloatRange(), [1e300, -1e300], [math.inf, -math.inf, math.nan]),
        (Choice(("a", "b")), ["a", "b"], ["c", "", "A", 1, None]),
        (AnyString(), ["x", "2024-01-01"], ["", 1, None, b"x"]),
        (Boolean(), [True, False], [1, 0, "true", None, np.bool_(True)]),
        (SEED_LIKE, [None, 0, 2**63 - 1, np.int64(7)], [-1, 2**63, 1.0, "1", True]),
    ],
)
def test_rules_accept_and_reject(rule: Rule, accepted: list[object], rejected: list[object]) -> None:
    for value in accepted:
        assert rule.accepts(value), value
    for value in rejected:
        assert not rule.accepts(value), value


def test_describe_value_shows_repr_and_type_and_shortens() -> None:
    assert describe_value(-5) == "-5 (int)"
    assert describe_value("300") == "'300' (str)"
    assert describe_value(math.nan) == "nan (float)"
    long = describe_value("x" * 200)
    assert long.endswith("... (str)") and len(long) == 60 + len(" (str)")


def test_check_formats_the_one_standard_message() -> None:
    with pytest.raises(InvalidParameterError) as info:
        check("make('plugin-toy-v1')", "n_rows", -5, IntRange(200, 100_000))
    assert str(info.value) == "make('plugin-toy-v1'): n_rows must be an int between 200 and 100000; got -5 (int)."
    check("f()", "x", 5, IntRange(0))  # accepted: returns quietly


def test_check_all_checks_every_entry_of_the_table() -> None:
    rules = {"alpha": FloatRange(0.0, 1.0), "n": IntRange(1)}
    check_all("f()", rules, {"alpha": 0.5, "n": 3})
    with pytest.raises(InvalidParameterError, match=r"^f\(\): n must be an int >= 1; got 0 \(int\)\.$"):
        check_all("f()", rules, {"alpha": 0.5, "n": 0})


def test_closest() -> None:
    assert closest("n_row", ["n_rows", "seed"]) == "n_rows"
    assert closest("zzz", ["n_rows", "seed"]) is None
    assert closest("x", []) is None


def test_unknown_parameter_message() -> None:
    valid = {"n_rows": IntRange(200, 100_000), "rate": FloatRange(0.0, 1.0)}
    assert unknown_parameter_message("make('x-v1')", "n_row", valid) == (
        "make('x-v1'): unknown parameter 'n_row'. Did you mean 'n_rows'? "
        "Valid parameters: n_rows (an int between 200 and 100000); rate (a number between 0 and 1)."
    )


@pytest.mark.parametrize(
    ("parameter", "rule"),
    [
        (ParameterSpec(name="n", type="int", default=5, min=1, max=10), IntRange(1, 10)),
        (ParameterSpec(name="r", type="float", default=0.5, min=0.0, max=1.0), FloatRange(0.0, 1.0)),
        (ParameterSpec(name="b", type="bool", default=True), Boolean()),
        (ParameterSpec(name="s", type="str", default="x"), AnyString()),
        (ParameterSpec(name="c", type="str", default="a", choices=("a", "b")), Choice(("a", "b"))),
    ],
)
def test_parameter_spec_rule(parameter: ParameterSpec, rule: Rule) -> None:
    assert parameter.rule() == rule


def test_check_rejects_an_empty_string_with_this_message() -> None:
    # No scenario declares a free string any more (dates are IsoDate): AnyString's message, through check().
    with pytest.raises(InvalidParameterError) as info:
        check("make('plugin-toy-v1')", "label", "", AnyString())
    assert str(info.value) == "make('plugin-toy-v1'): label must be a non-empty string; got '' (str)."


# -- the messages users see, written out ----------------------------------------------
#
# One row per rule type, scenario family and kind of bad value. The expected
# messages are written by hand from STYLE rule 9 and the catalog files, so a
# rule that describes itself wrongly fails here (the meta-test below builds
# nothing from describe()).

INT64_MAX = 9_223_372_036_854_775_807  # seeds: non-negative int64 (numpy's SeedSequence takes any of them)
# pd.Timestamp.min is 1677-09-21 00:12:43 and pd.Timestamp.max 2262-04-11 23:47:16: the first and last whole days.
FIRST_DAY, LAST_DAY = pd.Timestamp.min.ceil("D").date().isoformat(), pd.Timestamp.max.floor("D").date().isoformat()
ISO_DAYS = f"an ISO date (YYYY-MM-DD) between {FIRST_DAY} and {LAST_DAY}"


@pytest.mark.parametrize(
    ("scenario_id", "name", "value", "message"),
    [
        # IntRange (fraud-v1.toml: n_customers 50..50000, n_days 7..365)
        ("fraud-v1", "n_customers", -5, "n_customers must be an int between 50 and 50000; got -5 (int)."),
        ("fraud-v1", "n_days", 366, "n_days must be an int between 7 and 365; got 366 (int)."),
        ("fraud-v1", "n_customers", True, "n_customers must be an int between 50 and 50000; got True (bool)."),
        ("fraud-v1", "n_customers", 2000.0, "n_customers must be an int between 50 and 50000; got 2000.0 (float)."),
        ("fraud-v1", "n_customers", "2000", "n_customers must be an int between 50 and 50000; got '2000' (str)."),
        (
            "fraud-v1",
            "label_delay_days",
            None,
            "label_delay_days must be an int between 0 and 60; got None (NoneType).",
        ),
        # FloatRange (fraud_intensity 0.0..20.0, dispute_rate 0.0..0.05)
        (
            "fraud-v1",
            "fraud_intensity",
            math.nan,
            "fraud_intensity must be a number between 0 and 20; got nan (float).",
        ),
        ("fraud-v1", "dispute_rate", 0.06, "dispute_rate must be a number between 0 and 0.05; got 0.06 (float)."),
        (
            "fraud-v1",
            "fraud_intensity",
            None,
            "fraud_intensity must be a number between 0 and 20; got None (NoneType).",
        ),
        ("fraud-v1", "fraud_intensity", False, "fraud_intensity must be a number between 0 and 20; got False (bool)."),
        # IsoDate: a free str parameter named *_date, within the days a pandas Timestamp holds
        ("fraud-v1", "start_date", "", f"start_date must be {ISO_DAYS}; got '' (str)."),
        ("fraud-v1", "start_date", 20250106, f"start_date must be {ISO_DAYS}; got 20250106 (int)."),
        ("fraud-v1", "start_date", "2025-02-30", f"start_date must be {ISO_DAYS}; got '2025-02-30' (str)."),
        ("fraud-v1", "start_date", "2262-04-12", f"start_date must be {ISO_DAYS}; got '2262-04-12' (str)."),
        # Choice and Boolean (movies-rating-v1.toml: split random|temporal, mnar bool, noise_sd 0.05..5.0)
        ("movies-rating-v1", "split", "time", "split must be one of 'random', 'temporal'; got 'time' (str)."),
        ("movies-rating-v1", "split", None, "split must be one of 'random', 'temporal'; got None (NoneType)."),
        ("movies-rating-v1", "mnar", 1, "mnar must be True or False; got 1 (int)."),
        ("movies-rating-v1", "mnar", "yes", "mnar must be True or False; got 'yes' (str)."),
        ("movies-rating-v1", "noise_sd", 0.0, "noise_sd must be a number between 0.05 and 5; got 0.0 (float)."),
        # movies-topn-v1.toml: cold_start_fraction 0.0..0.5, cold_start_ratings 1..20, n_ratings 600..20000000
        (
            "movies-topn-v1",
            "cold_start_fraction",
            math.inf,
            "cold_start_fraction must be a number between 0 and 0.5; got inf (float).",
        ),
        (
            "movies-topn-v1",
            "cold_start_ratings",
            21,
            "cold_start_ratings must be an int between 1 and 20; got 21 (int).",
        ),
        ("movies-topn-v1", "n_ratings", 599, "n_ratings must be an int between 600 and 20000000; got 599 (int)."),
        # the overfit family (overfit*.toml: n_train 50..100000, label_noise 0..1, positive_rate 0.01..0.6, ...)
        ("overfit-v1", "n_train", 49, "n_train must be an int between 50 and 100000; got 49 (int)."),
        ("overfit-v1", "label_noise", 1.5, "label_noise must be a number between 0 and 1; got 1.5 (float)."),
        ("overfit-v1", "positive_rate", 0.0, "positive_rate must be a number between 0.01 and 0.6; got 0.0 (float)."),
        ("overfit-v1", "random_faults", None, "random_faults must be True or False; got None (NoneType)."),
        ("overfit-random-v1", "identifiers", 4, "identifiers must be an int between 0 and 3; got 4 (int)."),
        ("overfit-leaky-v1", "leakage", -0.1, "leakage must be a number between 0 and 1; got -0.1 (float)."),
        ("overfit-shift-v1", "shift", 3.5, "shift must be a number between 0 and 3; got 3.5 (float)."),
        ("overfit-all-v1", "duplicates", 0.75, "duplicates must be a number between 0 and 0.5; got 0.75 (float)."),
        # a plugin (tests/plugin_scenario.py: n_rows 200..100000)
        ("plugin-toy-v1", "n_rows", -5, "n_rows must be an int between 200 and 100000; got -5 (int)."),
        # Optional: the seed of every scenario
        ("fraud-v1", "seed", -1, f"seed must be None or an int between 0 and {INT64_MAX}; got -1 (int)."),
        ("movies-topn-v1", "seed", 1.5, f"seed must be None or an int between 0 and {INT64_MAX}; got 1.5 (float)."),
        ("overfit-v1", "seed", True, f"seed must be None or an int between 0 and {INT64_MAX}; got True (bool)."),
        ("plugin-toy-v1", "seed", "7", f"seed must be None or an int between 0 and {INT64_MAX}; got '7' (str)."),
        (
            "movies-rating-v1",
            "seed",
            2**63,
            f"seed must be None or an int between 0 and {INT64_MAX}; got 9223372036854775808 (int).",
        ),
    ],
)
def test_make_rejects_a_bad_value_with_this_message(scenario_id: str, name: str, value: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        cs.make(scenario_id, **{name: value})
    assert str(info.value) == f"make({scenario_id!r}): {message}"


# -- meta-test: every declared constraint gets the standard message ---------------------
#
# The declarations are read from the catalog's TOML files (and the plugin's
# dict), not from the rules built from them, and the message is checked for
# what it must contain: the scenario, the parameter, the kind of value, the
# declared bounds or options, and the repr and type of the bad value.

SEED_DECLARATION: dict[str, object] = {"type": "int", "min": 0, "max": INT64_MAX, "optional": True}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
KIND_WORDS = {"int": "an int", "float": "a number", "bool": "True or False", "str": "a non-empty string"}


def declarations() -> list[tuple[str, str, dict[str, object]]]:
    """Every parameter of every registered scenario as declared (the catalog's TOML tables), and the seed.

    A scenario outside the catalog (the tests' plugin) is declared by the
    fields of its ParameterSpec: type, min, max and choices, as given.
    """
    catalog = {}
    for path in sorted(catalog_dir().glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        catalog[table["id"]] = table.get("parameters", {})
    assert set(catalog) <= set(cs.registry()), "a catalog file is not registered"
    rows = []
    for scenario_id, spec in cs.registry().items():
        parameters = catalog.get(scenario_id) or {
            name: {"type": p.type, "min": p.min, "max": p.max, "choices": list(p.choices)}
            for name, p in spec.parameters.items()
        }
        rows.append((scenario_id, "seed", SEED_DECLARATION))
        for name, declared in parameters.items():
            row = {key: value for key, value in declared.items() if value is not None}
            if row["type"] == "str" and not row.get("choices") and name.endswith("_date"):
                row.update(date=True, min=FIRST_DAY, max=LAST_DAY)  # the convention: *_date names a day
            rows.append((scenario_id, name, row))
    assert any(scenario_id == plugin_scenario.SPEC.id for scenario_id, _, _ in rows), "the plugin is not registered"
    return rows


def bad_values(declared: dict[str, object]) -> list[object]:
    """Values a parameter so declared must refuse: wrong type, out of range, non-finite, None."""
    kind, low, high = declared["type"], declared.get("min"), declared.get("max")
    values: list[object]
    if kind == "int":
        values = [True, "7", 2.5, math.nan]
    elif kind == "float":
        values = [math.nan, math.inf, -math.inf, True, "0.5"]
    elif kind == "bool":
        values = [1, 0, "true"]
    elif declared.get("choices"):
        values = ["not-an-option", 3]
    elif declared.get("date"):
        return ["", 3, "20250106", "2025-02-30", "1677-09-21", "2262-04-12", None]  # the day before / after the range
    else:
        values = ["", 3, b"x"]
    values += [] if declared.get("optional") else [None]
    values += [] if low is None else [low - 1]
    values += [] if high is None else [high + 1]
    return values


@pytest.mark.parametrize(
    ("scenario_id", "name", "declared"), declarations(), ids=lambda item: item if isinstance(item, str) else ""
)
def test_every_declared_parameter_rejects_invalid_values_with_the_standard_message(
    scenario_id: str, name: str, declared: dict[str, object]
) -> None:
    prefix = f"make({scenario_id!r}): {name} must be "
    kind = str(declared["type"])
    for value in bad_values(declared):
        with pytest.raises(InvalidParameterError) as info:
            cs.make(scenario_id, **{name: value})
        message = str(info.value)
        suffix = f"; got {value!r} ({type(value).__name__})."
        assert message.startswith(prefix) and message.endswith(suffix), message
        expected = message[len(prefix) : -len(suffix)]
        if declared.get("optional"):
            assert expected.startswith("None or "), message
            expected = expected[len("None or ") :]
        choices = declared.get("choices")
        if choices:
            assert expected == "one of " + ", ".join(f"'{option}'" for option in choices), message
        elif declared.get("date"):
            assert expected == f"an ISO date (YYYY-MM-DD) between {declared['min']} and {declared['max']}", message
        elif kind in ("bool", "str"):
            assert expected == KIND_WORDS[kind], message
        else:
            assert expected.startswith(KIND_WORDS[kind]), message
            # Decimal compares the printed bound with the declared one exactly: "20" == 20.0, "0.05" == 0.05.
            bounds = [Decimal(number) for number in NUMBER.findall(expected)]
            declared_bounds = [Decimal(str(declared[bound])) for bound in ("min", "max") if bound in declared]
            assert bounds == declared_bounds, message


def test_every_declared_default_is_valid() -> None:
    for spec in cs.registry().values():
        for name, parameter in spec.parameters.items():
            assert parameter.rule().accepts(parameter.default), f"{spec.id}: default of {name}"
