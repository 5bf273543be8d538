"""Parameter rules, the one message formatter, and the meta-test of STYLE rule 18."""

from __future__ import annotations

import math

import numpy as np
import pytest

import casestudies as cs
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


# -- meta-test: every declared constraint gets the standard message ---------------------


def invalid_values(rule: Rule) -> list[object]:
    """Values that ``rule`` must reject: out of range, wrong type, non-finite."""
    if isinstance(rule, Optional):
        return [value for value in invalid_values(rule.rule) if value is not None]
    if isinstance(rule, IntRange):
        values: list[object] = [True, "7", 2.5, None]
        values += [] if rule.low is None else [rule.low - 1]
        values += [] if rule.high is None else [rule.high + 1]
        return values
    if isinstance(rule, FloatRange):
        values = [math.nan, math.inf, True, "0.5", None]
        values += [] if rule.low is None else [rule.low - 1]
        values += [] if rule.high is None else [rule.high + 1]
        return values
    if isinstance(rule, Boolean):
        return [1, "true", None]
    if isinstance(rule, Choice):
        return ["not-an-option", 3, None]
    if isinstance(rule, AnyString):
        return ["", 3, None]
    raise AssertionError(f"no invalid values for {rule!r}: extend this meta-test")


def declared_constraints() -> list[tuple[str, str, Rule]]:
    rows = []
    for spec in cs.registry().values():
        rows.append((spec.id, "seed", SEED_LIKE))
        rows += [(spec.id, name, parameter.rule()) for name, parameter in spec.parameters.items()]
    return rows


@pytest.mark.parametrize(
    ("scenario_id", "name", "rule"), declared_constraints(), ids=lambda item: item if isinstance(item, str) else ""
)
def test_every_declared_parameter_rejects_invalid_values_with_the_standard_message(
    scenario_id: str, name: str, rule: Rule
) -> None:
    for value in invalid_values(rule):
        assert not rule.accepts(value)
        expected = f"make({scenario_id!r}): {name} must be {rule.describe()}; got {describe_value(value)}."
        with pytest.raises(InvalidParameterError) as info:
            cs.make(scenario_id, **{name: value})
        assert str(info.value) == expected


def test_every_declared_default_is_valid() -> None:
    for spec in cs.registry().values():
        for name, parameter in spec.parameters.items():
            assert parameter.rule().accepts(parameter.default), f"{spec.id}: default of {name}"
