"""What a hidden battery is made of: named tests with a hint each, a context, and checks that explain a failure.

A battery module (``catalog/<exercise>/battery.py``) builds one
:class:`Battery` and registers its tests with :meth:`Battery.test`. A test is
a function of a :class:`Context`: the learner's module, the reference
module, the data seed and the checks below. A test fails by raising
:class:`TestFailure` with a message that says what was expected and what
was received; the hint registered with the test says where the mistake
usually is. The checker runs the tests in a child process
(:mod:`casestudies.coding._child`), so nothing here guards against the
learner's code: the runner does.

Examples
--------
>>> import numpy as np
>>> battery = Battery("demo-v1")
>>> @battery.test(hint="Divide by the number of rows.")
... def mean_is_right(ctx: Context) -> None:
...     check_close(ctx.member("mean")(np.array([1.0, 3.0])), 2.0, what="mean([1, 3])")
>>> [test.name for test in battery.tests]
['mean_is_right']
>>> try:
...     check_close(np.array([1.0, 2.5]), np.array([1.0, 2.0]), what="coef_")
... except TestFailure as failure:
...     print(failure.message)
coef_: expected [1. 2.], got [1.  2.5] (largest difference 0.5 at index (1,); tolerance rtol=1e-06, atol=1e-09).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Final, Literal, NoReturn

import numpy as np
import numpy.typing as npt

__all__ = [
    "Battery",
    "Context",
    "TestCase",
    "TestFailure",
    "check_close",
    "check_equal",
    "check_raises",
    "check_shape",
]

Kind = Literal["rules", "correctness", "gradient", "edge", "speed"]
KINDS: Final[tuple[Kind, ...]] = ("rules", "correctness", "gradient", "edge", "speed")
_SHOWN: Final = 6  # array entries shown in a failure message: enough to see the pattern, short enough to read
_ROUNDS: Final = 4  # turns of reference and learner timings before a slow learner fails (see Context.speed)
_MIN_ROUNDS: Final = 2  # turns before a learner passes: one slow turn of the reference proves nothing
_FAR: Final = 3.0  # a learner this many times over the allowed ratio fails at once: a busy CPU does not do that


class TestFailure(Exception):
    """A hidden test failed: ``message`` says what was expected and received, ``hint`` where to look."""

    __test__ = False  # not a pytest test class

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class TestCase:
    """One hidden test: its name, what it checks (``kind``), the hint shown when it fails, and its function."""

    __test__ = False

    name: str
    kind: Kind
    hint: str
    function: Callable[[Context], None]
    seconds: float | None = None  # its own time limit, when it needs more than the battery's default


@dataclass
class Battery:
    """The hidden tests of one exercise, in the order they run."""

    exercise_id: str
    tests: list[TestCase] = field(default_factory=list)

    def test(
        self, *, hint: str, kind: Kind = "correctness", seconds: float | None = None
    ) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
        """Register the decorated function as a test named after it."""

        def register(function: Callable[[Context], None]) -> Callable[[Context], None]:
            self.tests.append(TestCase(function.__name__, kind, hint, function, seconds))
            return function

        return register


@dataclass
class Context:
    """What a test sees: the learner's module, the reference, the seed of the hidden data."""

    solution: ModuleType
    reference: ModuleType
    seed: int
    examples: int = 60  # examples of each property-based test

    def rng(self, stream: int = 0) -> np.random.Generator:
        """A generator of the hidden data: one stream per use, all from the battery's seed."""
        return np.random.default_rng([self.seed, stream])

    def member(self, name: str) -> Callable[..., Any]:
        """The learner's function or class ``name``; a failure naming it when ``solution.py`` lacks it."""
        found: Callable[..., Any] | None = getattr(self.solution, name, None)
        if found is None or not callable(found):
            fail(f"solution.py defines no function or class {name!r}; keep every name of the stub (see README.md).")
        return found

    def speed(
        self,
        learner: Callable[[], object],
        reference: Callable[[], object],
        *,
        max_ratio: float,
        what: str,
    ) -> None:
        """Fail when ``learner`` takes more than ``max_ratio`` times as long as ``reference`` (same data, same run).

        The two are timed in turns, two to :data:`_ROUNDS` times, and compared
        by their best times: a busy machine slows single runs of either, not
        the best of several. A learner far over the ratio fails at once.
        """
        reference_seconds = learner_seconds = float("inf")
        for turn in range(1, _ROUNDS + 1):
            reference_seconds = min(reference_seconds, _seconds(reference))
            learner_seconds = min(learner_seconds, _seconds(learner))
            ratio = learner_seconds / max(reference_seconds, 1e-6)
            if (turn >= _MIN_ROUNDS and ratio <= max_ratio) or ratio > _FAR * max_ratio:  # decided beyond noise
                break
        if ratio > max_ratio:
            fail(
                f"{what} took {learner_seconds:.3f} s, {ratio:.0f} times the reference's {reference_seconds:.3f} s "
                f"on the same data (at most {max_ratio:g} times allowed)."
            )


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def fail(message: str, hint: str = "") -> NoReturn:
    """Stop the running test with ``message`` (the test's own hint is added by the runner)."""
    raise TestFailure(message, hint)


def _show(value: object) -> str:
    array = np.asarray(value)
    if array.size > _SHOWN:
        flat = array.ravel()
        return f"array of shape {array.shape} starting {np.array2string(flat[:_SHOWN], precision=4)}"
    return str(array) if array.ndim else repr(array.item())


def check_shape(actual: object, shape: Sequence[int], *, what: str) -> npt.NDArray[np.float64]:
    """``actual`` as a float array of ``shape``; a failure naming ``what`` otherwise."""
    try:
        array = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what}: expected numbers of shape {tuple(shape)}, got {type(actual).__name__} {actual!r:.80}.")
    if array.shape != tuple(shape):
        fail(f"{what}: expected shape {tuple(shape)}, got shape {array.shape}.")
    return array


def check_close(
    actual: object, expected: object, *, what: str, rtol: float = 1e-6, atol: float = 1e-9, hint: str = ""
) -> None:
    """Fail unless ``actual`` equals ``expected`` within tolerance, elementwise, saying where they differ most."""
    wanted = np.asarray(expected, dtype=np.float64)
    got = check_shape(actual, wanted.shape, what=what)
    if np.allclose(got, wanted, rtol=rtol, atol=atol, equal_nan=True):
        return
    gap = np.abs(got - wanted)
    gap = np.where(np.isnan(gap), np.inf, gap)
    where = np.unravel_index(int(np.argmax(gap)), gap.shape) if gap.ndim else ()
    fail(
        f"{what}: expected {_show(wanted)}, got {_show(got)} (largest difference {np.max(gap):.3g} at index "
        f"{tuple(int(i) for i in where)}; tolerance rtol={rtol:g}, atol={atol:g}).",
        hint,
    )


def check_equal(actual: object, expected: object, *, what: str, hint: str = "") -> None:
    """Fail unless ``actual`` equals ``expected`` exactly (shape and every value), saying where they differ."""
    wanted = np.asarray(expected)
    got = np.asarray(actual)
    if got.shape != wanted.shape:
        fail(f"{what}: expected shape {wanted.shape}, got shape {got.shape}.", hint)
    different = np.flatnonzero(got.ravel() != wanted.ravel())
    if different.size:
        first = int(different[0])
        fail(
            f"{what}: {different.size} of {wanted.size} values differ; first at flat index {first}: expected "
            f"{wanted.ravel()[first].tolist()!r}, got {got.ravel()[first].tolist()!r}.",
            hint,
        )


def check_raises(call: Callable[[], object], error: type[BaseException], *, what: str, hint: str = "") -> None:
    """Fail unless ``call()`` raises ``error`` (named in the message with what happened instead)."""
    try:
        returned = call()
    except error:
        return
    except Exception as err:
        fail(f"{what}: expected {error.__name__}, got {type(err).__name__}: {err}", hint)
    fail(f"{what}: expected {error.__name__}, got a return value {_show(returned)}.", hint)
