"""How big a case will be, before it is generated: the hook a generator family declares.

A generator's module may define ``estimate_size(params) -> SizeEstimate``
beside its generator function (the name is :data:`ESTIMATOR_NAME`): the
rows the parameters make and the peak memory generating them needs,
measured for that family. ``make`` asks it before generating, so an
oversized parameter set is refused in milliseconds instead of exhausting
the machine. A family without one gets :func:`default_size`, a
conservative guess from its ``n_*`` parameters.

Examples
--------
>>> from casestudies.core import size_estimate, spec
>>> estimate = size_estimate(spec("fraud-v1"), {**spec("fraud-v1").defaults, "n_customers": 1000})
>>> estimate.rows > 100_000, estimate.bytes > estimate.rows
(True, True)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from casestudies.core._registry import generator_of
from casestudies.core._spec import ScenarioSpec

__all__ = ["DEFAULT_BYTES_PER_ROW", "ESTIMATOR_NAME", "SizeEstimate", "SizeEstimator", "default_size", "size_estimate"]

ESTIMATOR_NAME: Final[str] = "estimate_size"
"""Name of the optional size estimator in a generator's module."""

DEFAULT_BYTES_PER_ROW: Final[int] = 2048
"""Peak bytes per row assumed for a family that declares no estimator: about 90 numeric columns at the 20-24
bytes a cell the built-in families measure (frames, the Case's copies, generation's temporaries). A family with
wider rows should declare its own estimator, as every built-in family does."""


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    """What a parameter set will generate: rows, peak bytes, and how they were estimated.

    Examples
    --------
    >>> from casestudies.core import SizeEstimate
    >>> SizeEstimate(rows=1_000, bytes=150_000, detail="1000 rows x 150 bytes").bytes_per_row
    150.0
    """

    rows: int
    bytes: int
    detail: str = ""

    @property
    def bytes_per_row(self) -> float:
        """Peak bytes per generated row."""
        return self.bytes / max(self.rows, 1)


SizeEstimator = Callable[[Mapping[str, object]], SizeEstimate]


def default_size(params: Mapping[str, object]) -> SizeEstimate:
    """The conservative estimate of a family without its own: every ``n_*`` count as rows.

    Examples
    --------
    >>> from casestudies.core import default_size
    >>> default_size({"n_train": 500, "n_test": 2000, "noise": 0.1}).rows
    2500
    """
    counts = [
        int(value)
        for name, value in params.items()
        if name.startswith("n_") and isinstance(value, int) and not isinstance(value, bool)
    ]
    rows = sum(counts)
    return SizeEstimate(rows, rows * DEFAULT_BYTES_PER_ROW, f"{rows:,} rows (the n_* parameters) x 2 KiB")


def size_estimate(scenario: ScenarioSpec, params: Mapping[str, object]) -> SizeEstimate:
    """Rows and peak memory of generating ``scenario`` with the resolved ``params``.

    Uses the family's ``estimate_size`` when its generator module declares
    one, else :func:`default_size`. Nothing is generated.

    Examples
    --------
    >>> from casestudies.core import size_estimate, spec
    >>> small = size_estimate(spec("overfit-v1"), spec("overfit-v1").defaults)
    >>> small.rows
    2250
    """
    generator_of(scenario)  # imports the generator's module, or says clearly why it cannot
    found = getattr(sys.modules.get(scenario.generator.partition(":")[0]), ESTIMATOR_NAME, None)
    if callable(found):
        return cast(SizeEstimator, found)(params)
    return default_size(params)
