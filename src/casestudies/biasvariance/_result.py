"""What the lab returns: the split of one pipeline's error, or a curve of splits, as data first, then renderings."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.biasvariance._decompose import IDENTITY_Z, Estimate, Split
from casestudies.report import Document, FigureSpec, Marker, Series, figure_html, to_plain_data

__all__ = ["BiasVarianceCurve", "BiasVarianceResult", "LabSetting"]

PART_LABELS: Final[Mapping[str, str]] = {
    "noise": "noise",
    "bias2": "bias²",
    "variance": "variance",
    "net_noise": "net noise (c1·N)",
    "bias": "bias",
    "variance_unbiased": "variance on unbiased rows",
    "variance_biased": "variance on biased rows",
    "net_variance": "net variance",
}
"""How each part is named in tables and figures."""

LOSS_LABELS: Final[Mapping[str, str]] = {
    "squared": "squared error",
    "brier": "Brier score (squared error of the probability)",
    "zero_one": "zero-one loss (Domingos)",
}

_LARGE: Final[float] = 1_000.0
"""Losses from this size on are shown as whole numbers: squared errors of prices run into the millions."""

_VERDICT_RATIO: Final[float] = 2.0
"""One part 'dominates' the reducible error when it is at least twice the other."""


@dataclass(frozen=True, slots=True)
class LabSetting:
    """Where a lab ran: the scenario, its seed and parameters, the pipeline and the draws.

    Examples
    --------
    >>> setting = LabSetting("overfit-v1", 0, {}, "binary", "LogisticRegression", 30, 250, 2000, "")
    >>> setting.to_dict()["n_draws"]
    30
    """

    scenario_id: str
    seed: int
    params: Mapping[str, object]
    task: str
    pipeline: str
    n_draws: int
    train_size: int
    n_eval: int
    truth_note: str

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "params": dict(self.params),
            "task": self.task,
            "pipeline": self.pipeline,
            "n_draws": self.n_draws,
            "train_size": self.train_size,
            "n_eval": self.n_eval,
            "truth": self.truth_note,
        }


def _number(value: float, scale: float) -> str:
    """Four decimals for small losses (Brier scores), thousands separators for large ones (squared prices)."""
    return f"{value:,.0f}" if scale >= _LARGE else f"{value:.4f}"


def _pm(estimate: Estimate | None) -> str:
    if estimate is None or math.isnan(estimate.value):
        return "n/a"
    scale = max(abs(estimate.value), estimate.se)
    return f"{_number(estimate.value, scale)} ± {_number(estimate.se, scale)}"


def _verdict(split: Split) -> str:
    """One sentence answering "is my problem bias or variance?"."""
    bias2, variance = split.parts["bias2"].value, split.parts["variance"].value
    if bias2 >= _VERDICT_RATIO * variance:
        return "Mostly **bias**: a more flexible model, better features or less regularisation should help."
    if variance >= _VERDICT_RATIO * bias2:
        return "Mostly **variance**: more data, regularisation, simpler models or averaging (bagging) should help."
    return (
        "Bias and variance are of the same size: tune complexity (see bias_variance_curve) to trade one for the other."
    )


def _split_rows(split: Split) -> list[list[str]]:
    rows = [[PART_LABELS.get(name, name), _pm(estimate)] for name, estimate in split.parts.items()]
    rows.append(["expected error (sum of the parts)", _pm(split.expected)])
    rows.append(["measured error (observed labels)", _pm(split.measured)])
    return rows


def _identity_sentence(split: Split) -> str:
    if split.holds is None:
        return "The identity was not checked (no observed labels)."
    word = "holds" if split.holds else "does NOT hold"
    return (
        f"Identity check: measured − sum of parts = {split.gap:+.4f} (standard error {split.gap_se:.4f}); it {word} "
        f"within {IDENTITY_Z} standard errors."
    )


@dataclass(frozen=True, slots=True, repr=False)
class BiasVarianceResult:
    """The expected error of one pipeline on a fixed evaluation set, split into noise, bias² and variance.

    Built by :func:`casestudies.bias_variance`. ``split`` is the squared error
    (regression) or the Brier score (binary); ``zero_one`` the Domingos split
    of the zero-one loss (binary only). Every part is an :class:`Estimate`
    with its Monte Carlo standard error.

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.dummy import DummyClassifier
    >>> result = cs.bias_variance("overfit-v1", DummyClassifier(), n_draws=5, seed=0, params={"n_test": 300})
    >>> round(result.variance, 3)  # the churn rate of 250 rows barely moves between draws
    0.0
    >>> sorted(result.to_dict())
    ['identity_holds', 'setting', 'split', 'zero_one']
    """

    setting: LabSetting
    split: Split
    zero_one: Split | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def noise(self) -> float:
        """Average noise variance of the evaluation rows (the error no model can avoid)."""
        return self.split.parts["noise"].value

    @property
    def bias2(self) -> float:
        """Average squared bias: how far the average model is from the true mean."""
        return self.split.parts["bias2"].value

    @property
    def variance(self) -> float:
        """Average variance of the predictions over training draws."""
        return self.split.parts["variance"].value

    @property
    def expected(self) -> float:
        """Expected error: noise + bias² + variance."""
        return self.split.expected.value

    @property
    def identity_holds(self) -> bool | None:
        """Whether the measured error equals the sum of the parts within its error (None: not checked)."""
        return self.split.holds

    def rows(self) -> pd.DataFrame:
        """Per evaluation row: truth, mean prediction, noise, bias², variance, expected and measured error."""
        return pd.DataFrame({name: np.asarray(values) for name, values in self.split.rows.items()})

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-ready data (NaN as None)."""
        data = {
            "setting": self.setting.to_dict(),
            "split": self.split.to_dict(),
            "zero_one": None if self.zero_one is None else self.zero_one.to_dict(),
            "identity_holds": self.split.holds,
        }
        return cast(dict[str, object], to_plain_data(data))

    def figure(self) -> FigureSpec:
        """The parts as bars with ± 2 standard errors, beside the measured error."""
        names = [*self.split.parts, "expected"]
        estimates = [*self.split.parts.values(), self.split.expected]
        if self.split.measured is not None:
            names.append("measured")
            estimates.append(self.split.measured)
        labels = tuple(PART_LABELS.get(name, name) for name in names)
        values = tuple(estimate.value for estimate in estimates)
        return FigureSpec(
            name="bias_variance",
            kind="bars",
            title="noise + bias² + variance = expected error",
            x_label="part",
            y_label=LOSS_LABELS[self.split.loss],
            series=(
                Series(
                    self.setting.pipeline,
                    labels,
                    values,
                    role="submission",
                    low=tuple(e.value - 2 * e.se for e in estimates),
                    high=tuple(e.value + 2 * e.se for e in estimates),
                ),
            ),
            caption=_identity_sentence(self.split).replace("**", ""),
        )

    def document(self) -> Document:
        """The result as a :class:`~casestudies.report.Document` (Markdown and HTML)."""
        s = self.setting
        doc = Document(f"Bias–variance split: {s.pipeline} on {s.scenario_id}")
        doc.para(
            f"{s.n_draws} training sets of {s.train_size:,} rows drawn from the same world (seed {s.seed}); "
            f"predictions on {s.n_eval:,} fixed evaluation rows whose truth is known. {s.truth_note}"
        )
        doc.para(_verdict(self.split))
        doc.table([LOSS_LABELS[self.split.loss], "value ± standard error"], _split_rows(self.split))
        doc.para(_identity_sentence(self.split))
        if self.zero_one is not None:
            doc.heading("Zero-one loss (Domingos)")
            doc.table(["part", "value ± standard error"], _split_rows(self.zero_one))
            doc.para(
                "expected = net noise + bias + net variance; variance adds to the error on rows whose main "
                "prediction is right and subtracts on rows where it is wrong. " + _identity_sentence(self.zero_one)
            )
        return doc

    def text(self) -> str:
        """Plain-text (Markdown) rendering."""
        return self.document().to_markdown()

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        s = self.setting
        return (
            f"BiasVarianceResult({s.scenario_id!r}, {s.pipeline!r}, {s.n_draws} draws of {s.train_size} rows: "
            f"noise {self.noise:.4g}, bias² {self.bias2:.4g}, variance {self.variance:.4g}, "
            f"expected {self.expected:.4g}, identity holds: {self.identity_holds})"
        )

    def _repr_html_(self) -> str:
        return self.document().to_html_fragment() + str(figure_html(self.figure()))


@dataclass(frozen=True, slots=True, repr=False)
class BiasVarianceCurve:
    """Noise, bias², variance and expected error against a complexity parameter or the training size.

    Built by :func:`casestudies.bias_variance_curve`. ``table`` has one row
    per setting; ``best`` is the setting of least expected error.

    Examples
    --------
    >>> import casestudies as cs
    >>> from sklearn.dummy import DummyClassifier
    >>> curve = cs.bias_variance_curve(
    ...     "overfit-v1", DummyClassifier(), train_sizes=[100, 400], n_draws=4, seed=0, params={"n_test": 300}
    ... )
    >>> list(curve.table["train_size"])
    [100, 400]
    """

    setting: LabSetting
    param: str
    results: tuple[BiasVarianceResult, ...]
    values: tuple[object, ...]

    @property
    def table(self) -> pd.DataFrame:
        """One row per setting: the parts, the expected and measured error and their standard errors."""
        records = []
        for value, result in zip(self.values, self.results, strict=True):
            split = result.split
            record: dict[str, object] = {self.param: value, "train_rows": result.setting.train_size}
            for name, estimate in split.parts.items():
                record[name], record[f"{name}_se"] = estimate.value, estimate.se
            record["expected"], record["expected_se"] = split.expected.value, split.expected.se
            measured = split.measured or Estimate(float("nan"), float("nan"))
            record["measured"], record["measured_se"] = measured.value, measured.se
            record["identity_holds"] = split.holds
            records.append(record)
        return pd.DataFrame.from_records(records)

    @property
    def best(self) -> object:
        """The setting with the least expected error."""
        return self.values[int(np.argmin([result.expected for result in self.results]))]

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-ready data."""
        data = {
            "setting": self.setting.to_dict(),
            "param": self.param,
            "values": [_plain(value) for value in self.values],
            "best": _plain(self.best),
            "table": [{str(k): _plain(v) for k, v in row.items()} for row in self.table.to_dict("records")],
        }
        return cast(dict[str, object], to_plain_data(data))

    def figure(self) -> FigureSpec:
        """Noise, bias², variance and expected error against the setting, the minimum marked."""
        table = self.table
        numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in self.values)
        x: tuple[float | str, ...] = tuple(float(v) if numeric else str(v) for v in self.values)  # type: ignore[arg-type]

        def series(name: str, role: str) -> Series:
            y = tuple(float(v) for v in table[name])
            se = tuple(float(v) for v in table[f"{name}_se"])
            low = tuple(a - 2 * b for a, b in zip(y, se, strict=True))
            high = tuple(a + 2 * b for a, b in zip(y, se, strict=True))
            return Series(PART_LABELS.get(name, "expected error"), x, y, role=role, low=low, high=high)  # type: ignore[arg-type]

        best = self.best
        markers = (Marker(f"least expected error at {self.param} = {best}", "x", float(best)),) if numeric else ()  # type: ignore[arg-type]
        return FigureSpec(
            name="bias_variance_curve",
            kind="lines",
            title=f"Bias² falls and variance rises with {self.param.rsplit('__', 1)[-1]}",
            x_label=self.param,
            y_label=LOSS_LABELS[self.results[0].split.loss],
            series=(
                series("noise", "chance"),
                series("bias2", "baseline"),
                series("variance", "reference"),
                series("expected", "submission"),
            ),
            markers=markers,
            caption=f"{self.setting.n_draws} training draws per setting (the same for every setting); bands ± 2 SE.",
        )

    def document(self) -> Document:
        """The curve's table as a :class:`~casestudies.report.Document`."""
        s = self.setting
        doc = Document(f"Bias–variance curve: {s.pipeline} on {s.scenario_id}, over {self.param}")
        doc.para(f"{s.n_draws} training draws per setting; least expected error at {self.param} = {self.best}.")
        header = [self.param, "noise", "bias²", "variance", "expected", "measured"]
        rows = [
            [
                str(value),
                *(_number(r.split.parts[n].value, abs(r.split.expected.value)) for n in ("noise", "bias2", "variance")),
                _pm(r.split.expected),
                _pm(r.split.measured),
            ]
            for value, r in zip(self.values, self.results, strict=True)
        ]
        doc.table(header, rows)
        return doc

    def text(self) -> str:
        """Plain-text (Markdown) rendering."""
        return self.document().to_markdown()

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        s = self.setting
        return (
            f"BiasVarianceCurve({s.scenario_id!r}, {s.pipeline!r}, {self.param}={list(self.values)}, "
            f"{s.n_draws} draws each: least expected error at {self.best})"
        )

    def _repr_html_(self) -> str:
        return self.document().to_html_fragment() + str(figure_html(self.figure()))


def _plain(value: object) -> object:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def curve_values(values: Sequence[object]) -> tuple[object, ...]:
    """The settings of a curve as plain Python values."""
    return tuple(_plain(value) for value in values)
