"""The mess of the ``messy-*`` scenarios: every defect a knob, every dirtied cell recorded with its kind.

:func:`apply_mess` turns a clean frame into the extract as the branch systems
exported it and returns, beside it, a table of the same shape whose cells
name the defect each dirty cell carries (``""`` for a clean cell). The kinds
are the data-quality kinds of :data:`casestudies.scoring.QUALITY_KINDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

__all__ = [
    "KIND_COLUMNS",
    "STATE_VARIANTS",
    "USELESS_COLUMNS",
    "Mess",
    "apply_mess",
    "plant_duplicates",
]

KIND_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "missing_mcar": ("employment_years",),
    "missing_mar": ("credit_history_years",),
    "missing_mnar": ("monthly_debt",),
    "sentinels": ("age", "home_ownership"),
    "category_variants": ("state",),
    "unseen_levels": ("loan_purpose",),
    "unit_mixture": ("annual_income", "loan_amount"),
    "entry_errors": ("interest_rate",),
    "text_numbers": ("savings_balance",),
    "text_dates": ("application_date",),
    "text_booleans": ("has_cosigner",),
    "duplicate_rows": (),
    "useless_columns": ("branch_code", "record_version", "loan_amount_requested"),
}
"""Which columns each kind of defect dirties when it is planted."""

USELESS_COLUMNS: Final[tuple[str, ...]] = KIND_COLUMNS["useless_columns"]

STATE_NAMES: Final[dict[str, str]] = {
    "NY": "New York",
    "CA": "California",
    "TX": "Texas",
    "FL": "Florida",
    "IL": "Illinois",
    "PA": "Pennsylvania",
    "OH": "Ohio",
    "GA": "Georgia",
    "NC": "North Carolina",
    "MI": "Michigan",
}

STATE_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    code: (code.lower(), f"{code} ", f" {code.lower()}", name, name.lower(), f"{code[0]}.{code[1]}.")
    for code, name in STATE_NAMES.items()
}
"""Spellings of each state code that a branch system typed instead of it."""

NUMERIC_SENTINELS: Final[tuple[int, ...]] = (-1, 999)
"""Values written for an unknown age."""
TEXT_SENTINELS: Final[tuple[str, ...]] = ("N/A", "unknown")
"""Values written for an unknown home-ownership status."""

MAR_SOURCE: Final[str] = "branch_north"
"""The system that often leaves ``credit_history_years`` blank (missing at random given the source)."""
MAR_OTHER_SHARE: Final[float] = 0.1
"""Missing rate of the other systems, as a share of the MAR source's rate."""
MNAR_POWER: Final[float] = 3.0
"""P(blank) grows like the debt-to-income rank to this power: high debts are left blank."""
MONTHLY_SOURCE: Final[str] = "branch_south"
"""The system that records income per month, not per year."""
CENTS_SOURCE: Final[str] = "online"
"""The system that records loan amounts in cents."""
UNIT_FACTORS: Final[dict[str, float]] = {"annual_income": 1.0 / 12.0, "loan_amount": 100.0}
"""Recorded value over true value, for the rows of the mixed-up source."""
DATE_FORMATS: Final[dict[str, str]] = {"branch_north": "%Y-%m-%d", "branch_south": "%d.%m.%Y", "online": "%b %d %Y"}
"""How each system writes dates when they are exported as text."""
TRUE_TOKENS: Final[tuple[str, ...]] = ("Y", "yes", "1", "true")
FALSE_TOKENS: Final[tuple[str, ...]] = ("N", "no", "0", "false")
NEAR_CONSTANT_SHARE: Final[float] = 0.995
"""Share of ``record_version`` rows at its main value."""


@dataclass(frozen=True, slots=True)
class Mess:
    """The levels of every kind of mess (0 or False: not planted)."""

    missing_mcar: float
    missing_mar: float
    missing_mnar: float
    sentinels: float
    category_variants: float
    unseen_levels: float
    unit_mixture: bool
    entry_errors: float
    text_numbers: bool
    text_dates: bool
    text_booleans: bool
    duplicates: float
    useless_columns: bool

    def planted(self, kind: str) -> bool:
        """Whether defects of ``kind`` are planted (``duplicate_rows`` is the ``duplicates`` knob)."""
        value = self.duplicates if kind == "duplicate_rows" else getattr(self, kind)
        return bool(value)


def _mark(defects: dict[str, np.ndarray], column: str, rows: np.ndarray, kind: str) -> None:
    defects[column][rows] = kind


def apply_mess(
    clean: pd.DataFrame, mess: Mess, *, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The exported extract of ``clean`` and, per column, the defect kind of every cell.

    Each kind draws from its own child of ``rng``, so planting one kind does
    not move the others.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.messy._knobs import KNOBS, mess_of
    >>> from casestudies.scenarios.messy._world import draw_applications, employer_table
    >>> rng = np.random.default_rng(0)
    >>> clean = draw_applications(500, start_day=0, n_days=30, employers=employer_table(rng)[0], unseen_share=0.0,
    ...                           rng=rng)
    >>> dirty, defects = apply_mess(clean, mess_of(dict.fromkeys(KNOBS, 0.0) | {"sentinels": 0.1}), rng=rng)
    >>> bool((dirty["age"][defects["age"] == "sentinels"].isin([-1, 999])).all())
    True
    """
    streams = dict(zip(KIND_COLUMNS, rng.spawn(len(KIND_COLUMNS)), strict=True))
    n_rows = len(clean)
    dirty: dict[str, object] = {name: clean[name].to_numpy().copy() for name in clean.columns}
    defects = {name: np.full(n_rows, "", dtype=object) for name in clean.columns}
    source = clean["source_system"].to_numpy()
    _missing(dirty, defects, clean, mess, source, streams)
    _sentinels(dirty, defects, mess, streams["sentinels"])
    _variants(dirty, defects, mess, streams["category_variants"])
    if mess.unit_mixture:
        for column, group in (("annual_income", MONTHLY_SOURCE), ("loan_amount", CENTS_SOURCE)):
            rows = source == group
            values = np.asarray(dirty[column], dtype=np.float64)
            values[rows] = np.round(values[rows] * UNIT_FACTORS[column], 2)
            dirty[column] = values
            _mark(defects, column, rows, "unit_mixture")
    _entry_errors(dirty, defects, mess, streams["entry_errors"])
    _text_types(dirty, defects, clean, mess, source, streams["text_booleans"])
    frame = pd.DataFrame(dirty)
    if mess.useless_columns:
        frame = _useless(frame, defects, streams["useless_columns"])
    return frame, defects


def _missing(
    dirty: dict[str, object],
    defects: dict[str, np.ndarray],
    clean: pd.DataFrame,
    mess: Mess,
    source: np.ndarray,
    streams: dict[str, np.random.Generator],
) -> None:
    """MCAR, MAR (by source system) and MNAR (high debt-to-income left blank) missing values."""
    n_rows = len(clean)
    dti = clean["monthly_debt"].to_numpy(dtype=np.float64) * 12.0 / clean["annual_income"].to_numpy(dtype=np.float64)
    rank = (np.argsort(np.argsort(dti)) + 0.5) / n_rows
    chance = {
        "missing_mcar": np.full(n_rows, mess.missing_mcar),
        "missing_mar": np.where(source == MAR_SOURCE, 1.0, MAR_OTHER_SHARE) * mess.missing_mar,
        "missing_mnar": np.minimum((MNAR_POWER + 1.0) * mess.missing_mnar * rank**MNAR_POWER, 0.97),
    }
    for kind, p in chance.items():
        if not p.any():
            continue
        (column,) = KIND_COLUMNS[kind]
        rows = streams[kind].random(n_rows) < p
        values = np.asarray(dirty[column], dtype=np.float64)
        values[rows] = np.nan
        dirty[column] = values
        _mark(defects, column, rows, kind)


def _sentinels(dirty: dict[str, object], defects: dict[str, np.ndarray], mess: Mess, rng: np.random.Generator) -> None:
    """Unknown ages written as -1 or 999, unknown home ownership as "N/A" or "unknown"."""
    if not mess.sentinels:
        return
    n_rows = len(defects["age"])
    for column, values in (("age", NUMERIC_SENTINELS), ("home_ownership", TEXT_SENTINELS)):
        rows = rng.random(n_rows) < mess.sentinels
        chosen = rng.integers(0, len(values), n_rows)
        column_values = np.asarray(dirty[column]).copy()
        column_values[rows] = np.asarray(values, dtype=column_values.dtype)[chosen[rows]]
        dirty[column] = column_values
        _mark(defects, column, rows, "sentinels")


def _variants(dirty: dict[str, object], defects: dict[str, np.ndarray], mess: Mess, rng: np.random.Generator) -> None:
    """State codes typed as other spellings: case, spaces, punctuation, the full name."""
    if not mess.category_variants:
        return
    states = np.asarray(dirty["state"], dtype=object)
    rows = np.flatnonzero(rng.random(len(states)) < mess.category_variants)
    picks = rng.integers(0, len(next(iter(STATE_VARIANTS.values()))), rows.size)
    for row, pick in zip(rows, picks, strict=True):
        states[row] = STATE_VARIANTS[str(states[row])][pick]
    dirty["state"] = states
    _mark(defects, "state", rows, "category_variants")


def _entry_errors(
    dirty: dict[str, object], defects: dict[str, np.ndarray], mess: Mess, rng: np.random.Generator
) -> None:
    """Interest rates typed with an extra zero (x10) or a misplaced decimal point (/10)."""
    if not mess.entry_errors:
        return
    values = np.asarray(dirty["interest_rate"], dtype=np.float64)
    rows = rng.random(values.size) < mess.entry_errors
    factor = np.where(rng.random(values.size) < 0.5, 10.0, 0.1)
    values[rows] = np.round(values[rows] * factor[rows], 4)
    dirty["interest_rate"] = values
    _mark(defects, "interest_rate", rows, "entry_errors")


def _text_types(
    dirty: dict[str, object],
    defects: dict[str, np.ndarray],
    clean: pd.DataFrame,
    mess: Mess,
    source: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Numbers as currency text, dates as text in each system's format, booleans as Y/N/yes/1 text."""
    n_rows = len(clean)
    everything = np.ones(n_rows, dtype=bool)
    if mess.text_numbers:
        savings = clean["savings_balance"].to_numpy(dtype=np.float64)
        dirty["savings_balance"] = np.asarray([f"${value:,.2f}" for value in savings], dtype=object)
        _mark(defects, "savings_balance", everything, "text_numbers")
    if mess.text_dates:
        dates = pd.Series(clean["application_date"])
        text = np.empty(n_rows, dtype=object)
        for system, pattern in DATE_FORMATS.items():
            rows = source == system
            text[rows] = dates[rows].dt.strftime(pattern).to_numpy(dtype=object)
        dirty["application_date"] = text
        _mark(defects, "application_date", everything, "text_dates")
    if mess.text_booleans:
        flag = clean["has_cosigner"].to_numpy(dtype=bool)
        style = rng.integers(0, len(TRUE_TOKENS), n_rows)
        tokens = np.where(flag, np.asarray(TRUE_TOKENS, dtype=object)[style], np.asarray(FALSE_TOKENS)[style])
        dirty["has_cosigner"] = tokens.astype(object)
        _mark(defects, "has_cosigner", everything, "text_booleans")


def _useless(frame: pd.DataFrame, defects: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    """A constant, a near-constant and a copy of ``loan_amount``, appended as the systems export them."""
    n_rows = len(frame)
    version = np.where(rng.random(n_rows) < NEAR_CONSTANT_SHARE, "v2", "v1")
    extra = pd.DataFrame(
        {"branch_code": np.full(n_rows, "LN"), "record_version": version, "loan_amount_requested": frame["loan_amount"]}
    )
    for name in extra.columns:
        defects[name] = np.full(n_rows, "useless_columns", dtype=object)
    return pd.concat([frame, extra], axis=1)


def plant_duplicates(
    dirty: pd.DataFrame, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``dirty`` to export twice: the source rows, and for each whether the copy is near (not exact).

    Returns ``(sources, near, order)``: the copies are ``dirty.iloc[sources]``
    (then touched up by :func:`touch_up`), and ``order`` places all rows,
    originals then copies, back into date order with every copy after its
    original.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> sources, near, order = plant_duplicates(pd.DataFrame({"x": range(100)}), 0.05, np.random.default_rng(0))
    >>> sources.size, int(np.flatnonzero(order == 100)[0]) > int(np.flatnonzero(order == sources[0])[0])
    (5, True)
    """
    n_rows = len(dirty)
    n_copies = round(share * n_rows)
    sources = np.sort(rng.choice(n_rows, size=n_copies, replace=False))
    near = rng.random(n_copies) < 0.5
    position = np.concatenate([np.arange(n_rows), sources + rng.uniform(0.01, 0.99, n_copies)])
    order = np.argsort(position, kind="stable")
    return sources, near, order


def touch_up(copies: pd.DataFrame, near: np.ndarray) -> pd.DataFrame:
    """Near-duplicates: the employer retyped in capitals, income to the hundred and debt to the unit, as keyed again.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> copies = pd.DataFrame({"employer": ["Acme Co"], "annual_income": [4316.67], "monthly_debt": [812.4]})
    >>> touched = touch_up(copies, np.array([True]))
    >>> touched.loc[0, "employer"], float(touched.loc[0, "annual_income"]), float(touched.loc[0, "monthly_debt"])
    ('ACME CO', 4300.0, 812.0)
    """
    touched = copies.copy()
    rows = touched.index[near]
    touched.loc[rows, "employer"] = touched.loc[rows, "employer"].str.upper()
    touched.loc[rows, "annual_income"] = np.round(touched.loc[rows, "annual_income"].astype(np.float64), -2)
    touched.loc[rows, "monthly_debt"] = np.round(touched.loc[rows, "monthly_debt"].astype(np.float64), 0)
    return touched
