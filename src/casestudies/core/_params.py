"""Declarative parameter rules and the one formatter of parameter errors."""

from __future__ import annotations

import datetime
import difflib
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, TypeGuard

from casestudies.exceptions import InvalidParameterError

CLOSE_MATCH_CUTOFF: Final[float] = 0.6
"""Similarity (:mod:`difflib`'s ratio) a valid name needs to be suggested for a misspelt one."""

VALUE_CHARS: Final[int] = 60
"""Longest ``repr`` of a value quoted in a message; a longer one is cut and ends in ``...``."""


def describe_value(value: object) -> str:
    """Return ``repr(value) (type)`` shortened for messages."""
    text = repr(value)
    if len(text) > VALUE_CHARS:
        text = text[: VALUE_CHARS - len("...")] + "..."
    return f"{text} ({type(value).__name__})"


def closest(name: str, options: Iterable[str]) -> str | None:
    """Return the option closest to ``name``, or None if none is close."""
    matches = difflib.get_close_matches(name, list(options), n=1, cutoff=CLOSE_MATCH_CUTOFF)
    return matches[0] if matches else None


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest option, or ``""`` when none is close.

    Examples
    --------
    >>> did_you_mean("frad-v1", ["fraud-v1", "movies-rating-v1"])
    " Did you mean 'fraud-v1'?"
    >>> did_you_mean("zzz", ["fraud-v1"])
    ''
    """
    suggestion = closest(name, options)
    return f" Did you mean {suggestion!r}?" if suggestion else ""


def _is_int(value: object) -> TypeGuard[numbers.Integral]:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> TypeGuard[numbers.Real]:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class IntRange:
    """An int between ``low`` and ``high`` inclusive (``None`` = unbounded)."""

    low: int | None = None
    high: int | None = None

    def accepts(self, value: object) -> bool:
        if not _is_int(value):
            return False
        number = int(value)
        return (self.low is None or number >= self.low) and (self.high is None or number <= self.high)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"an int between {self.low} and {self.high}"
        if self.low is not None:
            return f"an int >= {self.low}"
        if self.high is not None:
            return f"an int <= {self.high}"
        return "an int"


@dataclass(frozen=True, slots=True)
class FloatRange:
    """A finite real number between ``low`` and ``high`` inclusive."""

    low: float | None = None
    high: float | None = None

    def accepts(self, value: object) -> bool:
        if not _is_real(value):
            return False
        number = float(value)
        return (
            math.isfinite(number)
            and (self.low is None or number >= self.low)
            and (self.high is None or number <= self.high)
        )

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"a number between {self.low:g} and {self.high:g}"
        if self.low is not None:
            return f"a number >= {self.low:g}"
        if self.high is not None:
            return f"a number <= {self.high:g}"
        return "a finite number"


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a fixed set of strings."""

    options: tuple[str, ...]

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value in self.options

    def describe(self) -> str:
        return "one of " + ", ".join(repr(option) for option in self.options)


@dataclass(frozen=True, slots=True)
class AnyString:
    """Any non-empty string."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and bool(value)

    def describe(self) -> str:
        return "a non-empty string"


@dataclass(frozen=True, slots=True)
class Boolean:
    """True or False."""

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)

    def describe(self) -> str:
        return "True or False"


@dataclass(frozen=True, slots=True)
class Optional:
    """``None`` or a value accepted by ``rule``."""

    rule: Rule

    def accepts(self, value: object) -> bool:
        return value is None or self.rule.accepts(value)

    def describe(self) -> str:
        return f"None or {self.rule.describe()}"


_ISO_DATE_FORM: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: object) -> datetime.date | None:
    """The date a ``YYYY-MM-DD`` string names, or None when ``value`` is anything else.

    Examples
    --------
    >>> parse_iso_date("2025-01-06")
    datetime.date(2025, 1, 6)
    >>> parse_iso_date("2025-02-30") is None, parse_iso_date("20250106") is None
    (True, True)
    """
    if not isinstance(value, str) or not _ISO_DATE_FORM.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:  # a day the calendar does not have, like 2025-02-30
        return None


@dataclass(frozen=True, slots=True)
class IsoDate:
    """A ``YYYY-MM-DD`` string naming a date between ``low`` and ``high`` inclusive (themselves ISO dates)."""

    low: str
    high: str

    def accepts(self, value: object) -> bool:
        date, low, high = parse_iso_date(value), parse_iso_date(self.low), parse_iso_date(self.high)
        return date is not None and low is not None and high is not None and low <= date <= high

    def describe(self) -> str:
        return f"an ISO date (YYYY-MM-DD) between {self.low} and {self.high}"


Rule = IntRange | FloatRange | Choice | AnyString | Boolean | Optional | IsoDate

TIMESTAMP_DAYS: Final = IsoDate("1677-09-22", "2262-04-11")
"""Days whose midnight a pandas ``Timestamp`` (nanoseconds in an int64) can hold: ``pd.Timestamp.min`` is
1677-09-21 00:12:43, ``pd.Timestamp.max`` 2262-04-11 23:47:16, so the first and last whole days in range."""

SEED_LIKE: Rule = Optional(IntRange(0, 2**63 - 1))


def check(where: str, name: str, value: object, rule: Rule) -> None:
    """Raise :class:`InvalidParameterError` unless ``rule`` accepts ``value``."""
    if not rule.accepts(value):
        message = f"{where}: {name} must be {rule.describe()}; got {describe_value(value)}."
        raise InvalidParameterError(message)


def check_all(where: str, rules: Mapping[str, Rule], values: Mapping[str, object]) -> None:
    """Check every named value against its rule (the declared constraint table)."""
    for name, rule in rules.items():
        check(where, name, values[name], rule)


def unknown_parameter_message(where: str, name: str, valid: Mapping[str, Rule]) -> str:
    """Message for a keyword the function or scenario does not declare."""
    lines = [f"{where}: unknown parameter {name!r}.{did_you_mean(name, valid)}"]
    lines.append("Valid parameters: " + "; ".join(f"{key} ({rule.describe()})" for key, rule in valid.items()) + ".")
    return " ".join(lines)
