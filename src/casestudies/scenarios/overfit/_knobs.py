"""The fault knobs of the ``overfit-*`` scenarios, and how ``random_faults`` draws them from the seed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from casestudies.scoring import FAULT_KINDS

__all__ = ["KNOBS", "RANDOM_FAULT_RANGES", "Knobs", "draw_knobs"]

RANDOM_FAULT_RANGES: Final[dict[str, object]] = {
    "probability_present": 0.5,
    "positive_rate": {"class_imbalance": (0.04, 0.08), "balanced": (0.18, 0.40)},
    "n_train": {"high_dimensional": (300, 600), "otherwise": (1500, 3000), "max": 6000},
    "min_expected_positives": {"label_noise": 500, "temporal": 200, "otherwise": 30},
    "min_rows_label_noise": 2500,
    "n_noise_features": {"high_dimensional_per_row": (0.5, 1.5), "high_dimensional_max": 1500, "otherwise": (0, 30)},
    "label_noise": (0.25, 0.4),
    "leakage": (0.7, 1.0),
    "identifiers": (1, 2),
    "shift": (0.8, 1.5),
    "n_shifted_columns": (1, 3),
    "duplicates": (0.05, 0.2),
    "temporal": (1.0, 1.6),
}
"""What ``random_faults`` draws from (uniform; ints inclusive).

Each cause is present with probability 0.5, independently, except that
``label_noise`` and ``class_imbalance`` are never planted together (when both
are drawn, a coin keeps one). The training size then grows until the expected
number of positives reaches ``min_expected_positives`` of the causes present,
and to ``min_rows_label_noise`` rows under label noise (capped at
``n_train["max"]``). These rules keep every planted cause detectable in
principle: even with the true probabilities as the score, 20-40 % random
labels among a few hundred rows (or fewer than ~400 positives) cannot be
told from a weaker signal (likelihood ratio under 10 in most draws), a probe
fitted on the noisy labels needs about 2,500 rows to see them, and month
effects need about 200 positives to stand out of binomial noise over 24
months (``benchmarks/bench_overfit_diagnostics.py`` measures how often our
diagnostics find each cause).
"""

KNOBS: Final[tuple[str, ...]] = (
    "n_train",
    "n_noise_features",
    "label_noise",
    "leakage",
    "identifiers",
    "shift",
    "n_shifted_columns",
    "duplicates",
    "temporal",
    "positive_rate",
)
"""The parameters ``random_faults`` draws (every parameter but ``n_test`` and ``random_faults``)."""

_P_KEEP_LABEL_NOISE: Final[float] = 0.5
"""When label noise and class imbalance are both drawn, the chance that the coin keeps label noise."""

_KNOB_DECIMALS: Final[int] = 4
"""Drawn strengths and rates are rounded to this many decimals, so they read like typed-in knobs."""


@dataclass(frozen=True, slots=True)
class Knobs:
    """The knobs of one case, typed (names as in the TOML files where they differ)."""

    n_train: int
    n_test: int
    n_noise: int  # n_noise_features
    label_noise: float
    leakage: float
    n_identifiers: int  # identifiers
    shift: float
    n_shifted: int  # n_shifted_columns
    duplicates: float
    temporal: float
    rate: float  # positive_rate

    @classmethod
    def of(cls, knobs: Mapping[str, object], *, n_test: int) -> Knobs:
        """Type the values of :data:`KNOBS` in ``knobs``."""
        return cls(
            n_train=int(knobs["n_train"]),  # type: ignore[call-overload]
            n_test=n_test,
            n_noise=int(knobs["n_noise_features"]),  # type: ignore[call-overload]
            label_noise=float(knobs["label_noise"]),  # type: ignore[arg-type]
            leakage=float(knobs["leakage"]),  # type: ignore[arg-type]
            n_identifiers=int(knobs["identifiers"]),  # type: ignore[call-overload]
            shift=float(knobs["shift"]),  # type: ignore[arg-type]
            n_shifted=int(knobs["n_shifted_columns"]),  # type: ignore[call-overload]
            duplicates=float(knobs["duplicates"]),  # type: ignore[arg-type]
            temporal=float(knobs["temporal"]),  # type: ignore[arg-type]
            rate=float(knobs["positive_rate"]),  # type: ignore[arg-type]
        )


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _integer(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    """Uniform integer in ``bounds``, both ends included."""
    return int(rng.integers(bounds[0], bounds[1] + 1))


def draw_knobs(rng: np.random.Generator) -> dict[str, object]:
    """Draw every fault knob from the seed (``random_faults`` mode; see :data:`RANDOM_FAULT_RANGES`)."""
    ranges: dict[str, Any] = RANDOM_FAULT_RANGES  # nested plain data, read by key below
    on = _draw_present(rng, ranges)
    rates = ranges["positive_rate"]
    rate = round(_uniform(rng, rates["class_imbalance" if on["class_imbalance"] else "balanced"]), _KNOB_DECIMALS)
    n_train = _draw_n_train(rng, ranges, on, rate)
    knobs: dict[str, object] = {
        "positive_rate": rate,
        "n_train": n_train,
        "n_noise_features": _draw_n_noise(rng, ranges["n_noise_features"], on, n_train),
    }
    knobs["label_noise"] = _draw_strength(rng, ranges["label_noise"], on["label_noise"])
    knobs["leakage"] = _draw_strength(rng, ranges["leakage"], on["target_leakage"])
    knobs["identifiers"] = _integer(rng, ranges["identifiers"]) if on["identifier"] else 0
    knobs["shift"] = _draw_strength(rng, ranges["shift"], on["covariate_shift"])
    knobs["n_shifted_columns"] = _integer(rng, ranges["n_shifted_columns"])
    knobs["duplicates"] = _draw_strength(rng, ranges["duplicates"], on["duplicates"])
    knobs["temporal"] = _draw_strength(rng, ranges["temporal"], on["temporal"])
    return knobs


def _draw_present(rng: np.random.Generator, ranges: Mapping[str, Any]) -> dict[str, bool]:
    """Which fault kinds are planted: each with probability ``probability_present``, never noise and imbalance."""
    on = {kind: bool(rng.random() < ranges["probability_present"]) for kind in FAULT_KINDS}
    if on["label_noise"] and on["class_imbalance"]:
        keep = "label_noise" if rng.random() < _P_KEEP_LABEL_NOISE else "class_imbalance"
        on["label_noise" if keep == "class_imbalance" else "class_imbalance"] = False
    return on


def _draw_n_train(rng: np.random.Generator, ranges: Mapping[str, Any], on: Mapping[str, bool], rate: float) -> int:
    """Training rows: drawn, then grown until the causes present are detectable, then capped."""
    sizes = ranges["n_train"]
    n_train = _integer(rng, sizes["high_dimensional"] if on["high_dimensional"] else sizes["otherwise"])
    needed = ranges["min_expected_positives"]
    positives = max([needed["otherwise"]] + [needed[kind] for kind in ("label_noise", "temporal") if on[kind]])
    n_train = max(n_train, int(np.ceil(positives / rate)))
    if on["label_noise"]:
        n_train = max(n_train, ranges["min_rows_label_noise"])
    return int(min(n_train, sizes["max"]))


def _draw_n_noise(rng: np.random.Generator, noise: Mapping[str, Any], on: Mapping[str, bool], n_train: int) -> int:
    """Noise columns: a multiple of the training rows when high-dimensional, a few otherwise."""
    if on["high_dimensional"]:
        per_row = _uniform(rng, noise["high_dimensional_per_row"])
        return int(min(round(per_row * n_train), noise["high_dimensional_max"]))
    return _integer(rng, noise["otherwise"])


def _draw_strength(rng: np.random.Generator, bounds: tuple[float, float], present: bool) -> float:
    """A rounded strength drawn from ``bounds`` when the cause is present, else 0 (and no draw)."""
    return round(_uniform(rng, bounds), _KNOB_DECIMALS) if present else 0.0
