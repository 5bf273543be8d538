"""Input checks of the binary metrics: labels, scores, costs, part masks and the random generator.

Every message says what was expected, what was received and how to fix it.

Examples
--------
>>> import numpy as np
>>> from casestudies.scoring._metrics_checks import as_parts
>>> list(as_parts("score()", {"public": np.array([True, False])}, 2))
['public']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from casestudies.core import describe_value
from casestudies.exceptions import InvalidParameterError

__all__ = ["as_inputs", "as_parts", "check_rng"]


def _invalid(where: str, what: str, got: str, fix: str) -> InvalidParameterError:
    return InvalidParameterError(f"{where}: {what}; got {got}. {fix}")


def check_rng(where: str, rng: object) -> None:
    """Refuse anything but a ``numpy.random.Generator`` (callers without a type checker pass anything)."""
    if not isinstance(rng, np.random.Generator):
        message = (
            f"{where}: rng must be a numpy.random.Generator; got {describe_value(rng)}. "
            "Pass rng=numpy.random.default_rng(seed)."
        )
        raise InvalidParameterError(message)


def as_inputs(
    where: str, y_true: ArrayLike, scores: ArrayLike, costs: ArrayLike | None
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64] | None]:
    """Validated labels (bool), scores (float64) and costs (float64 or None)."""
    y = np.asarray(y_true)
    if y.ndim != 1 or y.shape[0] == 0:
        raise _invalid(
            where, "y_true must be a non-empty 1-D array of 0/1 labels", f"shape {y.shape}", "Pass one label per row."
        )
    n_rows = y.shape[0]
    if y.dtype == np.bool_:
        labels = y
    elif y.dtype.kind in "iuf":
        labels = y == 1
        if np.count_nonzero(labels) + np.count_nonzero(y == 0) != n_rows:
            values = np.unique(y[(y != 0) & (y != 1)])[:3].tolist()
            raise _invalid(
                where,
                "y_true must hold only 0 and 1",
                f"other values such as {values}",
                "Encode the positive class as 1.",
            )
    else:
        raise _invalid(where, "y_true must hold 0/1 labels", f"dtype {y.dtype}", "Pass a bool or integer array.")
    score_values = _as_finite(where, "scores", scores, n_rows)
    cost_values = None
    if costs is not None:
        cost_values = _as_finite(where, "costs", costs, n_rows, only=labels)
    return labels, score_values, cost_values


def _as_finite(
    where: str, name: str, values: ArrayLike, n_rows: int, only: NDArray[np.bool_] | None = None
) -> NDArray[np.float64]:
    array = np.asarray(values)
    if array.ndim != 1 or array.shape[0] != n_rows or array.dtype.kind not in "biuf":
        got = f"dtype {array.dtype}, shape {array.shape}"
        raise _invalid(
            where,
            f"{name} must be a 1-D numeric array with one value per row ({n_rows})",
            got,
            f"Pass {name} aligned with y_true.",
        )
    array = array.astype(np.float64, copy=False)
    checked = array if only is None else array[only]
    if not np.isfinite(checked).all():
        bad = int(np.count_nonzero(~np.isfinite(checked)))
        scope = "" if only is None else " (on positive rows)"
        raise _invalid(
            where, f"{name} must be finite{scope}", f"{bad} NaN or infinite values", "Replace them before scoring."
        )
    return array


def as_parts(where: str, parts: object, n_rows: int) -> dict[str, NDArray[np.bool_]]:
    """Validated part masks; ``parts`` is checked to be a mapping (callers without a type checker pass anything)."""
    if not isinstance(parts, Mapping) or not parts:
        raise _invalid(
            where,
            "parts must be a non-empty mapping of name to bool mask",
            describe_value(parts),
            'Pass parts={"all": np.ones(n_rows, bool)}.',
        )
    masks: dict[str, NDArray[np.bool_]] = {}
    for name, mask in parts.items():
        array = np.asarray(mask)
        if array.dtype != np.bool_ or array.shape != (n_rows,):
            got = f"dtype {array.dtype}, shape {array.shape}"
            raise _invalid(
                where,
                f"parts[{name!r}] must be a bool mask of shape ({n_rows},)",
                got,
                "Build it with a comparison, e.g. public = split == 'public'.",
            )
        if not array.any():
            raise _invalid(
                where,
                f"parts[{name!r}] must select at least one row",
                "an all-False mask",
                "Drop the part or fix the mask.",
            )
        masks[str(name)] = array
    return masks
