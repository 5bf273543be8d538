"""Equal difficulty across the variants of one batch.

The variants of one batch come from the same generator and parameters, so
they are equally hard in expectation; a finite holdout still makes one draw
luckier than another. ``create_takehome`` scores each variant's oracle and
reference pipeline on its whole holdout and redraws, one at a time, the
variant furthest from the batch's median (:func:`furthest`) until the spread
(max - min, :func:`spreads`) of both is at most the tolerance, then records
the spread in the key (:class:`Difficulty`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casestudies.takehome._variant import Variant


@dataclass(frozen=True, slots=True)
class Difficulty:
    """How hard each candidate's variant is, measured on its whole holdout.

    Attributes
    ----------
    metric : str
        The scenario's primary metric.
    reference : str or None
        The baseline used as the reference pipeline (None: oracle only).
    tolerance : Mapping
        ``"oracle"`` / ``"reference"`` -> largest allowed spread (max - min)
        of that measure across variants.
    scores : Mapping
        ``candidate -> {"oracle": value, "reference": value}``.
    spread : Mapping
        ``"oracle"`` / ``"reference"`` -> max - min across the variants.
    redraws : int
        Variants drawn again because they fell outside the tolerance.
    rejected : tuple of Mapping
        The measures of the variants that were redrawn.
    """

    metric: str
    reference: str | None
    tolerance: Mapping[str, float]
    scores: Mapping[str, Mapping[str, float]]
    spread: Mapping[str, float]
    redraws: int = 0
    rejected: tuple[Mapping[str, float], ...] = ()

    def table(self) -> pd.DataFrame:
        """One row per candidate: the oracle's and the reference's primary metric."""
        frame: pd.DataFrame = pd.DataFrame.from_dict(
            {name: dict(values) for name, values in self.scores.items()}, orient="index"
        )
        frame.index.name = "candidate"
        return frame

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "metric": self.metric,
            "reference": self.reference,
            "tolerance": dict(self.tolerance),
            "scores": {name: dict(values) for name, values in self.scores.items()},
            "spread": dict(self.spread),
            "redraws": self.redraws,
            "rejected": [dict(values) for values in self.rejected],
        }

    def __str__(self) -> str:
        parts = []
        for measure, spread in self.spread.items():
            values = [values[measure] for values in self.scores.values()]
            label = "oracle" if measure == "oracle" else f"{self.reference} reference"
            parts.append(
                f"{label} {min(values):.3f}-{max(values):.3f} "
                f"(spread {spread:.3f}, tolerance {self.tolerance[measure]:g})"
            )
        redrawn = f"; {self.redraws} variant{'s' if self.redraws != 1 else ''} redrawn" if self.redraws else ""
        return f"difficulty ({self.metric.replace('_', ' ')}, whole holdout): " + ", ".join(parts) + redrawn


def spreads(variants: Mapping[str, Variant]) -> dict[str, float]:
    """Max - min of each measure across the variants (infinite when a score is not finite)."""
    measures = [variant.difficulty() for variant in variants.values()]
    found = {}
    for measure in measures[0]:
        values = np.array([values[measure] for values in measures], dtype=np.float64)
        found[measure] = float(values.max() - values.min()) if np.isfinite(values).all() else float("inf")
    return found


def furthest(
    variants: Mapping[str, Variant], history: Sequence[Mapping[str, float]], tolerance: Mapping[str, float]
) -> str:
    """The candidate whose variant is furthest from the median of every draw so far, in tolerances.

    Ties go to the later candidate.
    """
    centre = {measure: float(np.nanmedian([values[measure] for values in history])) for measure in history[0]}

    def distance(name: str) -> float:
        found = variants[name].difficulty()
        gaps = [abs(found[measure] - centre[measure]) / tolerance[measure] for measure in centre]
        return max(gap if math.isfinite(gap) else math.inf for gap in gaps)

    names = list(variants)
    return max(names, key=lambda name: (distance(name), names.index(name)))
