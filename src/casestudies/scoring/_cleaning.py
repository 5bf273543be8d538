"""Grading a cleaning: a learner's cleaned training frame against the clean truth, cell by cell.

A scenario that dirties its data on purpose keeps a :class:`CleaningTruth`
(the clean frame, the defect kind of every dirty cell, the duplicated rows
and the useless columns) in its hidden extras. :func:`grade_cleaning`
compares a cleaned frame with it the way data-cleaning systems are evaluated
(error detection and correction against ground truth):

* a cell is **detected** when the cleaning changed a dirty cell (any change:
  a new value, a new type, a blank);
* it is **repaired** when the new value is right: numbers within
  :data:`RELATIVE_TOLERANCE` of the truth, categories equal to the canonical
  level up to case and surrounding spaces, booleans and dates equal, and for
  sentinels also a blank (the sentinel meant "unknown");
* a **false alarm** is a clean cell that was changed, and **collateral
  damage** a clean cell that no longer holds its true value (a genuine
  heavy-tail value clipped, a rare level merged away);
* duplicated rows are detected by dropping them (one row of each group is
  kept), useless columns by dropping them; any other dropped row is collateral.

Examples
--------
>>> import casestudies as cs
>>> case = cs.make("messy-light-v1", seed=0, n_train=2000, n_test=500)
>>> untouched = case.grade_cleaning(case.train)
>>> untouched.recall, untouched.n_damaged
(0.0, 0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

import numpy as np
import pandas as pd

from casestudies.core import describe_value
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Document, FigureSpec, Series, figure_html, to_plain_data

__all__ = ["QUALITY_KINDS", "RELATIVE_TOLERANCE", "CleaningGrade", "CleaningTruth", "grade_cleaning"]

QUALITY_KINDS: Final[tuple[str, ...]] = (
    "missing_mcar",
    "missing_mar",
    "missing_mnar",
    "sentinels",
    "category_variants",
    "unseen_levels",
    "unit_mixture",
    "entry_errors",
    "text_numbers",
    "text_dates",
    "text_booleans",
    "duplicate_rows",
    "useless_columns",
)
"""Kinds of data-quality defect a scenario can plant and a diagnosis can name:

``missing_mcar``       blanks unrelated to anything (missing completely at random);
``missing_mar``        blanks whose rate depends on another column (missing at random, e.g. by source system);
``missing_mnar``       blanks that depend on the value itself (missing not at random: they predict the label);
``sentinels``          codes meaning "unknown" (-1, 999, "N/A", "unknown");
``category_variants``  one level spelled several ways (case, spaces, punctuation, full name);
``unseen_levels``      levels of the holdout never seen in training;
``unit_mixture``       one source's values in another unit (monthly income, cents);
``entry_errors``       typing errors (an extra zero, a misplaced decimal point);
``text_numbers``       numbers stored as text with currency symbols and separators;
``text_dates``         dates stored as text in several formats;
``text_booleans``      booleans stored as "Y"/"N"/"yes"/"1" text;
``duplicate_rows``     the same record exported twice under different ids (exactly or nearly);
``useless_columns``    constant, near-constant or copied columns.
"""

ROW_KIND: Final[str] = "duplicate_rows"
COLUMN_KIND: Final[str] = "useless_columns"

RELATIVE_TOLERANCE: Final[float] = 0.01
"""A repaired number may differ from the truth by 1 % (rounding, unit factors written to two decimals)."""
_SAME_TOLERANCE: Final[float] = 1e-9
"""Relative difference under which a number counts as unchanged (a float copy of an integer is not a change)."""
_ROWS_NAMED: Final[int] = 5


@dataclass(frozen=True, slots=True)
class CleaningTruth:
    """What a dirty training frame should have been: the hidden side of :func:`grade_cleaning`.

    Parameters
    ----------
    id_column, target : str
        Row id and label columns (never dirty).
    dirty : pandas.DataFrame
        The training frame as the learner received it.
    clean : pandas.DataFrame
        The same rows (same order and ids) as they truly are; without the useless columns.
    defects : pandas.DataFrame
        Same rows and feature columns as ``dirty``: each cell's defect kind (one of
        :data:`QUALITY_KINDS`), ``""`` for a clean cell.
    duplicate_of : numpy.ndarray
        Per row, the id of the row it duplicates, or 0.
    """

    id_column: str
    target: str
    dirty: pd.DataFrame
    clean: pd.DataFrame
    defects: pd.DataFrame
    duplicate_of: np.ndarray

    @property
    def useless_columns(self) -> tuple[str, ...]:
        """Columns of ``dirty`` that the clean frame does not have."""
        return tuple(c for c in self.dirty.columns if c not in self.clean.columns)


@dataclass(frozen=True, slots=True)
class _Counts:
    n_dirty: int = 0
    n_detected: int = 0
    n_repaired: int = 0
    n_false_alarms: int = 0
    n_damaged: int = 0

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.n_dirty + other.n_dirty,
            self.n_detected + other.n_detected,
            self.n_repaired + other.n_repaired,
            self.n_false_alarms + other.n_false_alarms,
            self.n_damaged + other.n_damaged,
        )

    def to_dict(self) -> dict[str, float | int]:
        flagged = self.n_detected + self.n_false_alarms
        precision = self.n_detected / flagged if flagged else math.nan
        recall = self.n_detected / self.n_dirty if self.n_dirty else math.nan
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else math.nan
        if self.n_dirty and flagged and precision + recall == 0:
            f1 = 0.0
        return {
            "n_dirty": self.n_dirty,
            "n_detected": self.n_detected,
            "n_repaired": self.n_repaired,
            "n_false_alarms": self.n_false_alarms,
            "n_damaged": self.n_damaged,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "repair_accuracy": self.n_repaired / self.n_detected if self.n_detected else math.nan,
            "repair_recall": self.n_repaired / self.n_dirty if self.n_dirty else math.nan,
        }


@dataclass(frozen=True, slots=True)
class CleaningGrade:
    """A cleaned training frame compared with the clean truth, per defect kind and per column.

    Attributes
    ----------
    scenario_id : str
    seed : int
    by_kind : Mapping
        Defect kind to counts and rates: ``n_dirty``, ``n_detected`` (dirty cells
        changed), ``n_repaired`` (changed to the right value), ``n_false_alarms``
        (clean cells changed), ``n_damaged`` (clean cells broken), ``precision``,
        ``recall``, ``f1``, ``repair_accuracy`` (repaired / detected) and
        ``repair_recall`` (repaired / dirty). Rows count for ``duplicate_rows``,
        columns for ``useless_columns``, cells for the others.
    by_column : Mapping
        The same per column (cells only).
    rows_dropped_wrongly : tuple of int
        Ids of rows that were not duplicates (or the last of their group) and were dropped.
    """

    scenario_id: str
    seed: int
    by_kind: Mapping[str, Mapping[str, float | int]]
    by_column: Mapping[str, Mapping[str, float | int]]
    rows_dropped_wrongly: tuple[int, ...]

    def _total(self) -> Mapping[str, float | int]:
        total = _Counts()
        for stats in self.by_kind.values():
            total = total + _Counts(*(int(stats[key]) for key in _Counts.__slots__))
        return total.to_dict()

    @property
    def precision(self) -> float:
        """Share of the changes (cells, dropped rows and columns) that touched a defect."""
        return float(self._total()["precision"])

    @property
    def recall(self) -> float:
        """Share of the defects that were changed."""
        return float(self._total()["recall"])

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return float(self._total()["f1"])

    @property
    def n_damaged(self) -> int:
        """Clean cells broken plus rows dropped that should have been kept."""
        return int(self._total()["n_damaged"])

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data (NaN becomes None)."""
        data = {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "overall": dict(self._total()),
            "by_kind": {kind: dict(stats) for kind, stats in self.by_kind.items()},
            "by_column": {column: dict(stats) for column, stats in self.by_column.items()},
            "rows_dropped_wrongly": list(self.rows_dropped_wrongly),
        }
        return cast("dict[str, object]", to_plain_data(data))  # to_plain_data keeps a dict a dict

    def missed(self) -> dict[str, int]:
        """Defect kind to the number of defects left untouched (kinds with none left out)."""
        return {
            kind: int(stats["n_dirty"]) - int(stats["n_detected"])
            for kind, stats in self.by_kind.items()
            if int(stats["n_dirty"]) > int(stats["n_detected"])
        }

    def document(self) -> Document:
        """The grade as a :class:`~casestudies.report.Document` (headings, summary, tables)."""
        total = self._total()
        doc = Document(f"Cleaning of {self.scenario_id} (seed {self.seed})")
        doc.para(
            f"Detection precision **{_pct(total['precision'])}**, recall **{_pct(total['recall'])}**, "
            f"F1 **{_pct(total['f1'])}**; {total['n_repaired']:,} of {total['n_dirty']:,} defects repaired; "
            f"collateral damage: **{total['n_damaged']:,}** clean cells or rows broken."
        )
        header = ["kind", "dirty", "detected", "repaired", "false alarms", "damaged", "precision", "recall", "F1"]
        doc.table(header, [_row(kind, stats) for kind, stats in self.by_kind.items()], markup=False)
        doc.heading("Per column")
        doc.table(["column", *header[1:]], [_row(c, s) for c, s in self.by_column.items()], markup=False)
        missed = self.missed()
        if missed:
            doc.para("Left untouched: " + "; ".join(f"{kind} {n:,}" for kind, n in missed.items()) + ".")
        return doc

    def figure(self) -> FigureSpec:
        """Detection precision and recall per defect kind as bars; kinds with collateral damage say how much.

        Examples
        --------
        >>> import casestudies as cs
        >>> case = cs.make("messy-v1", seed=0, n_train=500, n_test=200)
        >>> spec = case.grade_cleaning(case.train).figure()  # nothing cleaned: nothing found, nothing broken
        >>> spec.series_named("recall").y[-1], spec.series[0].x[-1]
        (0.0, 'all defects')
        """
        kinds = {**self.by_kind, "all defects": self._total()}
        names = tuple(
            f"{kind} ({int(s['n_damaged']):,} broken)" if s["n_damaged"] else kind for kind, s in kinds.items()
        )
        series = (
            Series("precision", names, tuple(100 * float(s["precision"]) for s in kinds.values()), role="submission"),
            Series("recall", names, tuple(100 * float(s["recall"]) for s in kinds.values()), role="reference"),
        )
        damaged = self.n_damaged
        return FigureSpec(
            name="cleaning_grade",
            kind="bars",
            title="Which defects your cleaning found, and how cleanly",
            x_label="defect kind",
            y_label="detection (%)",
            series=series,
            caption=(
                "Precision: share of your changes that touched a defect. Recall: share of the defects you changed. "
                + (
                    f"Collateral damage: {damaged:,} clean cells or rows broken (the count beside a kind)."
                    if damaged
                    else "No clean cell or row was broken."
                )
            ),
        )

    def __str__(self) -> str:
        return self.document().to_markdown()

    def _repr_html_(self) -> str:
        return self.document().to_html_fragment() + str(figure_html(self.figure()))


def _pct(value: float | int) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else f"{100 * value:.1f} %"


def _row(name: str, stats: Mapping[str, float | int]) -> list[object]:
    counts = [f"{int(stats[key]):,}" for key in _Counts.__slots__]
    return [name, *counts, _pct(stats["precision"]), _pct(stats["recall"]), _pct(stats["f1"])]


# -- cell values ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cells:
    """A column's cells split by what they hold: blanks, numbers, booleans, texts, times."""

    missing: np.ndarray
    is_number: np.ndarray
    number: np.ndarray
    is_bool: np.ndarray
    is_text: np.ndarray
    text: np.ndarray
    is_time: np.ndarray
    time: np.ndarray


def _cells(series: pd.Series) -> _Cells:
    """Classify every cell of ``series`` (object columns cell by cell)."""
    n_rows = len(series)
    missing = series.isna().to_numpy()
    number = np.full(n_rows, np.nan)
    time = np.zeros(n_rows, dtype=np.int64)
    text = np.full(n_rows, "", dtype=object)
    flags = {key: np.zeros(n_rows, dtype=bool) for key in ("number", "bool", "text", "time")}
    kind = series.dtype.kind
    if kind == "b":
        flags["bool"] = ~missing
        number = series.to_numpy(dtype=np.float64, na_value=np.nan)
    elif kind in "iuf" and not isinstance(series.dtype, pd.CategoricalDtype):
        flags["number"] = ~missing
        number = series.to_numpy(dtype=np.float64, na_value=np.nan)
    elif kind == "M":
        flags["time"] = ~missing
        time = series.dt.floor("D").to_numpy(dtype="datetime64[ns]").astype(np.int64)
    else:
        values = series.astype(object).to_numpy()
        for i, value in enumerate(values):
            if missing[i]:
                continue
            if isinstance(value, (bool, np.bool_)):
                flags["bool"][i], number[i] = True, float(value)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                flags["number"][i], number[i] = True, float(value)
            elif isinstance(value, str):
                flags["text"][i], text[i] = True, value
            elif isinstance(value, (pd.Timestamp, np.datetime64)):
                flags["time"][i], time[i] = True, pd.Timestamp(value).floor("D").value
    return _Cells(missing, flags["number"], number, flags["bool"], flags["text"], text, flags["time"], time)


def _close(a: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        close: np.ndarray = np.abs(a - b) <= rtol * np.maximum(np.abs(b), 1.0)
    return close


def _key(texts: np.ndarray) -> np.ndarray:
    return np.asarray([value.strip().casefold() for value in texts], dtype=object)


def _same(a: _Cells, b: _Cells) -> np.ndarray:
    """Cells holding the same value of the same type (both blank counts as the same)."""
    numbers = a.is_number & b.is_number & _close(a.number, b.number, _SAME_TOLERANCE)
    bools = a.is_bool & b.is_bool & (a.number == b.number)
    texts = a.is_text & b.is_text & (a.text == b.text)
    times = a.is_time & b.is_time & (a.time == b.time)
    same: np.ndarray = (a.missing & b.missing) | numbers | bools | texts | times
    return same


def _correct(cleaned: _Cells, truth: _Cells, blank_ok: np.ndarray) -> np.ndarray:
    """Cleaned cells holding the true value (numbers within the tolerance, levels up to case and spaces)."""
    numbers = cleaned.is_number & truth.is_number & _close(cleaned.number, truth.number, RELATIVE_TOLERANCE)
    as_bool = (cleaned.is_bool | cleaned.is_number) & truth.is_bool & (cleaned.number == truth.number)
    texts = cleaned.is_text & truth.is_text & (_key(cleaned.text) == _key(truth.text))
    times = cleaned.is_time & truth.is_time & (cleaned.time == truth.time)
    correct: np.ndarray = numbers | as_bool | texts | times | (blank_ok & cleaned.missing)
    return correct


# -- the grading ----------------------------------------------------------------------------------------------------


def _refuse_shape(cleaned: object, truth: CleaningTruth, where: str) -> pd.DataFrame:
    """The cleaned frame indexed like the truth's rows, or an error naming what is wrong."""
    if not isinstance(cleaned, pd.DataFrame):
        raise InvalidParameterError(
            f"{where}: expected a pandas DataFrame (your cleaned copy of case.train); got {describe_value(cleaned)}."
        )
    id_column = truth.id_column
    columns = [str(c) for c in cleaned.columns]
    optional = {*truth.useless_columns, truth.target}
    unknown = [c for c in columns if c not in truth.dirty.columns]
    absent = [c for c in truth.dirty.columns if c not in columns and c not in optional]
    if unknown or absent:
        problems = []
        if unknown:
            problems.append(f"columns not in case.train: {unknown}")
        if absent:
            problems.append(f"columns of case.train missing: {absent}")
        raise InvalidParameterError(
            f"{where}: expected the columns of case.train (useless ones may be dropped); got "
            + " and ".join(problems)
            + ". Keep the id column and every feature column under its own name; drop helper columns "
            "(missing indicators, encodings) before grading, they belong to your model's features."
        )
    ids = cleaned[id_column]
    repeated = ids[ids.duplicated()].unique().tolist()
    known = set(truth.dirty[id_column].tolist())
    strangers = [value for value in ids.unique().tolist() if value not in known]
    if repeated or strangers:
        problems = []
        if repeated:
            problems.append(f"ids repeated: {repeated[:_ROWS_NAMED]}")
        if strangers:
            problems.append(f"ids not in case.train: {strangers[:_ROWS_NAMED]}")
        raise InvalidParameterError(
            f"{where}: expected each row of case.train at most once, under its {id_column!r}; got "
            + " and ".join(problems)
            + f" ({len(repeated)} repeated, {len(strangers)} unknown). Clean rows in place; drop rows, never "
            "add or renumber them."
        )
    return cleaned.set_index(id_column)


def _row_grade(truth: CleaningTruth, kept: np.ndarray) -> tuple[_Counts, np.ndarray, np.ndarray]:
    """Duplicate rows dropped (one row of each group must stay), wrongly dropped rows, and rows graded by cell."""
    ids = truth.dirty[truth.id_column].to_numpy()
    group = np.where(truth.duplicate_of != 0, truth.duplicate_of, ids)
    frame = pd.DataFrame({"group": group, "kept": kept})
    sizes = frame.groupby("group")["kept"].agg(["size", "sum"])
    dropped = sizes["size"] - sizes["sum"]
    redundant = sizes["size"] - 1
    detected = int(np.minimum(dropped, redundant).sum())
    wrongly = (dropped - redundant).clip(lower=0)
    wrong_groups = set(wrongly[wrongly > 0].index)
    wrong_rows = ~kept & np.isin(group, list(wrong_groups)) & (truth.duplicate_of == 0)
    counts = _Counts(
        n_dirty=int(redundant.sum()),
        n_detected=detected,
        n_repaired=detected,
        n_false_alarms=int(wrong_rows.sum()),
        n_damaged=int(wrong_rows.sum()),
    )
    # Cells of dropped duplicates are handled with their row; cells of wrongly dropped rows count as missed.
    graded = kept | wrong_rows
    return counts, graded, ids[wrong_rows]


def grade_cleaning(cleaned: object, *, truth: CleaningTruth, scenario_id: str, seed: int) -> CleaningGrade:
    """Compare a cleaned training frame with the clean truth (the engine of ``Case.grade_cleaning``).

    Parameters
    ----------
    cleaned : pandas.DataFrame
        The learner's cleaned ``case.train``: the same id column, each row at
        most once (dropped rows allowed), every column but the useless ones.
    truth : CleaningTruth
        The scenario's hidden clean truth.
    scenario_id : str
    seed : int

    Returns
    -------
    CleaningGrade

    Raises
    ------
    InvalidParameterError
        Naming the unknown or missing columns, or the repeated or unknown ids.
    """
    where = f"grade_cleaning() of {scenario_id!r}"
    frame = _refuse_shape(cleaned, truth, where)
    ids = truth.dirty[truth.id_column].to_numpy()
    kept = np.isin(ids, frame.index.to_numpy())
    rows, graded, wrong_ids = _row_grade(truth, kept)
    aligned = frame.reindex(ids)
    by_kind: dict[str, _Counts] = {}
    by_column: dict[str, _Counts] = {}
    for column in truth.clean.columns:
        if column in (truth.id_column, truth.target):
            continue
        defects = truth.defects[column].to_numpy(dtype=object)
        counts = _column_grade(aligned[column], truth.dirty[column], truth.clean[column], defects, graded, kept)
        whole = counts.pop("")
        by_column[column] = whole
        for kind, kind_counts in counts.items():
            # A column's false alarms and damage count against every kind planted in it.
            alarms = _Counts(0, 0, 0, whole.n_false_alarms, whole.n_damaged)
            by_kind[kind] = by_kind.get(kind, _Counts()) + kind_counts + alarms
    if truth.duplicate_of.any():
        by_kind[ROW_KIND] = rows
    useless = truth.useless_columns
    if useless:
        dropped = sum(1 for c in useless if c not in frame.columns)
        by_kind[COLUMN_KIND] = _Counts(len(useless), dropped, dropped, 0, 0)
    ordered = {kind: by_kind[kind].to_dict() for kind in QUALITY_KINDS if kind in by_kind}
    return CleaningGrade(
        scenario_id=scenario_id,
        seed=seed,
        by_kind=ordered,
        by_column={column: counts.to_dict() for column, counts in by_column.items()},
        rows_dropped_wrongly=tuple(int(value) for value in wrong_ids),
    )


def _column_grade(
    cleaned: pd.Series,
    dirty: pd.Series,
    clean: pd.Series,
    defects: np.ndarray,
    gradable: np.ndarray,
    kept: np.ndarray,
) -> dict[str, _Counts]:
    """Counts per defect kind of one column; key ``""`` holds the whole column, false alarms included.

    ``gradable`` rows are graded; of them, rows not ``kept`` (dropped though
    they were not duplicates) count as untouched.
    """
    new, old, true = _cells(cleaned), _cells(dirty), _cells(clean)
    changed = ~_same(new, old) & kept
    is_dirty = defects != ""
    correct = _correct(new, true, blank_ok=(defects == "sentinels"))
    result: dict[str, _Counts] = {}
    for kind in [*sorted({str(k) for k in defects[is_dirty]}), ""]:
        rows = gradable & (is_dirty if kind == "" else defects == kind)
        detected = rows & changed
        result[kind] = _Counts(
            n_dirty=int(rows.sum()),
            n_detected=int(detected.sum()),
            n_repaired=int((detected & correct).sum()),
        )
    false_alarm = gradable & ~is_dirty & changed
    damaged = false_alarm & ~correct
    whole = result[""]
    result[""] = _Counts(whole.n_dirty, whole.n_detected, whole.n_repaired, int(false_alarm.sum()), int(damaged.sum()))
    return result


def kinds_of(names: Sequence[str]) -> tuple[str, ...]:
    """The names of ``names`` that are data-quality kinds, in :data:`QUALITY_KINDS` order."""
    return tuple(kind for kind in QUALITY_KINDS if kind in names)
