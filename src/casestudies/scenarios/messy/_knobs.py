"""The mess knobs of the ``messy-*`` scenarios, and how ``random_mess`` draws them from the seed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from casestudies.scenarios.messy._mess import Mess

__all__ = ["KNOBS", "RANDOM_MESS_RANGES", "draw_knobs", "mess_of"]

RANDOM_MESS_RANGES: Final[dict[str, tuple[float, float] | None]] = {
    "missing_mcar": (0.05, 0.3),
    "missing_mar": (0.2, 0.6),
    "missing_mnar": (0.08, 0.3),
    "sentinels": (0.02, 0.08),
    "category_variants": (0.05, 0.3),
    "unseen_levels": (0.03, 0.1),
    "unit_mixture": None,
    "entry_errors": (0.005, 0.03),
    "text_numbers": None,
    "text_dates": None,
    "text_booleans": None,
    "duplicates": (0.01, 0.05),
    "useless_columns": None,
}
"""What ``random_mess`` draws from: each kind is planted with probability 1/2, its level uniform in the range
(``None``: an on/off kind). The lower ends keep every planted kind visible in ~20,000 rows: at least a few
hundred dirty cells, or whole columns."""

KNOBS: Final[tuple[str, ...]] = tuple(RANDOM_MESS_RANGES)
"""The parameters ``random_mess`` draws (every mess knob; sizes and the default rate stay as given)."""

_P_PLANTED: Final[float] = 0.5
_DECIMALS: Final[int] = 4


def draw_knobs(rng: np.random.Generator) -> dict[str, object]:
    """Every mess knob drawn from ``rng`` (a coin per kind, then its level).

    Examples
    --------
    >>> import numpy as np
    >>> knobs = draw_knobs(np.random.default_rng(0))
    >>> sorted(knobs) == sorted(KNOBS)
    True
    >>> all(knobs[name] == 0 or low <= knobs[name] <= high
    ...     for name, bounds in RANDOM_MESS_RANGES.items() if bounds is not None for low, high in [bounds])
    True
    """
    knobs: dict[str, object] = {}
    for name in KNOBS:
        planted = bool(rng.random() < _P_PLANTED)
        bounds = RANDOM_MESS_RANGES[name]
        level = float(rng.uniform(*bounds)) if bounds is not None else 1.0
        if bounds is None:
            knobs[name] = planted
        else:
            knobs[name] = round(level, _DECIMALS) if planted else 0.0
    return knobs


def mess_of(knobs: Mapping[str, object]) -> Mess:
    """The typed :class:`Mess` of the knob values.

    Examples
    --------
    >>> mess = mess_of(dict.fromkeys(KNOBS, 0.0) | {"duplicates": 0.02})
    >>> mess.planted("duplicate_rows"), mess.planted("sentinels")
    (True, False)
    """
    return Mess(
        missing_mcar=float(knobs["missing_mcar"]),  # type: ignore[arg-type]
        missing_mar=float(knobs["missing_mar"]),  # type: ignore[arg-type]
        missing_mnar=float(knobs["missing_mnar"]),  # type: ignore[arg-type]
        sentinels=float(knobs["sentinels"]),  # type: ignore[arg-type]
        category_variants=float(knobs["category_variants"]),  # type: ignore[arg-type]
        unseen_levels=float(knobs["unseen_levels"]),  # type: ignore[arg-type]
        unit_mixture=bool(knobs["unit_mixture"]),
        entry_errors=float(knobs["entry_errors"]),  # type: ignore[arg-type]
        text_numbers=bool(knobs["text_numbers"]),
        text_dates=bool(knobs["text_dates"]),
        text_booleans=bool(knobs["text_booleans"]),
        duplicates=float(knobs["duplicates"]),  # type: ignore[arg-type]
        useless_columns=bool(knobs["useless_columns"]),
    )
