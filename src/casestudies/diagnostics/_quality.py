"""Data-quality checks of one frame: missing values, sentinels, category variants, unseen levels, types, duplicates.

Each check takes plain frames (any frame, not only a scenario's) and returns a
:class:`~casestudies.Finding` whose ``evidence`` holds the numbers, plot data
under ``figure``, the data-quality kinds it claims under ``faults`` (kind to
columns, kinds of :data:`casestudies.scoring.QUALITY_KINDS`) and the cells it
flags under ``cells`` (column to row positions). The numeric checks (unit
mixtures, outliers) are in :mod:`._quality_numbers`; :func:`profile_quality`
(:mod:`._quality_profile`) runs them all.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"state": ["NY"] * 30 + ["ny "] * 3 + ["New York"] * 2 + ["CA"] * 30})
>>> finding = category_variants(frame)
>>> finding.evidence["canonical"]["state"]
{'New York': 'NY', 'ny ': 'NY'}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, mannwhitneyu

from casestudies.preprocessing import is_numeric
from casestudies.report import Finding

__all__ = [
    "ASSOCIATION_P_VALUE",
    "BOOLEAN_TOKENS",
    "MISSING_P_VALUE",
    "SENTINEL_NUMBERS",
    "SENTINEL_TEXTS",
    "TRUE_TOKENS",
    "category_variants",
    "duplicate_rows",
    "missing_values",
    "parse_numbers",
    "sentinel_values",
    "text_columns",
    "text_types",
    "unseen_levels",
    "useless_columns",
]

MISSING_P_VALUE: Final[float] = 1e-4
"""p-value under which a column's missing-value indicator counts as depending on the label. One test per
column: with 20 columns a frame raises a false alarm about 1 time in 500."""
ASSOCIATION_P_VALUE: Final[float] = 1e-6
"""p-value under which the indicator counts as depending on another column. One test per pair of columns
(hundreds per frame), hence smaller; a source system that blanks a column gives p far below it."""
MIN_MISSING: Final[int] = 10
"""Blanks a column needs before its mechanism is judged."""
ASSOCIATION_MAX_LEVELS: Final[int] = 50
"""Categorical columns with more levels than this are not used to explain missingness (too sparse for a test)."""

SENTINEL_NUMBERS: Final[tuple[float, ...]] = (-1, -9, -99, -999, -9999, 99, 999, 9999, 99999)
"""Numbers systems write for "unknown". Zero is not among them: too often a real value to flag from data alone."""
SENTINEL_TEXTS: Final[frozenset[str]] = frozenset(
    {"n/a", "na", "unknown", "none", "null", "nan", "?", "-", "--", "missing", "not available", "undefined", ""}
)
"""Texts (after trimming and case folding) that mean "unknown"."""
SENTINEL_MIN_COUNT: Final[int] = 5
"""A sentinel must repeat at least this often (one odd value is an outlier, not a code)."""
SENTINEL_ISOLATION: Final[float] = 1.5
"""A positive sentinel lies above this multiple of the other values' 99.9th percentile."""
NEGATIVE_SHARE: Final[float] = 0.01
"""A negative sentinel sits in a column where under this share of the other values is negative."""

VARIANT_MAX_LEVELS: Final[int] = 300
"""Columns with more distinct spellings are not searched for variants (names and codes repeat by chance)."""
VARIANT_RARITY: Final[float] = 0.5
"""An abbreviation, full name or misspelling is merged into a level only when at most half as frequent."""
VARIANT_SIMILARITY: Final[float] = 0.85
"""difflib ratio of normalised spellings (5 characters or more) from which two spellings are one level."""
VARIANT_MIN_LENGTH: Final[int] = 5
ABBREVIATION_MAX_LENGTH: Final[int] = 3

UNSEEN_SHARE: Final[float] = 0.002
"""A holdout level absent from training is flagged from this share of the holdout rows (and 10 rows)."""
UNSEEN_MIN_COUNT: Final[int] = 10

BOOLEAN_TOKENS: Final[frozenset[str]] = frozenset({"y", "n", "yes", "no", "true", "false", "t", "f", "1", "0"})
"""Texts (trimmed, case folded) that spell a boolean."""
TRUE_TOKENS: Final[frozenset[str]] = frozenset({"y", "yes", "true", "t", "1"})
TEXT_PARSE_SHARE: Final[float] = 0.95
"""Share of the non-blank texts that must parse as numbers (or dates) before a column counts as typed wrong."""
DATE_SAMPLE: Final[int] = 500
"""Texts tried as dates per column (parsing is slow; a sample tells)."""
DATE_DIGIT_SHARE: Final[float] = 0.9
"""Only columns whose texts mostly hold a digit are tried as dates."""
_NUMBER_TEXT: Final[re.Pattern[str]] = re.compile(r"^\s*[-+]?\s*[$€£]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*$")

DUPLICATE_DIGITS: Final[int] = 2
"""Numbers are compared to this many significant digits when looking for near-duplicate rows."""
DUPLICATE_MIN_ROWS: Final[int] = 3
"""Repeated rows needed before duplicates are flagged."""
NEAR_CONSTANT_SHARE: Final[float] = 0.99
"""A column whose most frequent value fills this share of the rows carries next to no information."""

_FIGURE_COLUMNS: Final[int] = 20
_PATTERNS: Final[int] = 10


def _cells_of(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def text_columns(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> list[str]:
    """Columns holding text (object, string or categorical dtypes), without ``exclude``.

    Examples
    --------
    >>> import pandas as pd
    >>> text_columns(pd.DataFrame({"a": ["x"], "b": [1.0]}))
    ['a']
    """
    return [
        str(c) for c in frame.columns if c not in exclude and not is_numeric(frame[c]) and frame[c].dtype.kind != "M"
    ]


def _texts(series: pd.Series) -> pd.Series:
    """The non-blank values of a text column as plain strings."""
    values: pd.Series = series.dropna().astype(str)
    return values


# -- missing values --------------------------------------------------------------------------------------------------


def _label_p_value(missing: np.ndarray, y: np.ndarray) -> float:
    table = np.array(
        [
            [np.sum(~missing & (y == 0)), np.sum(~missing & (y == 1))],
            [np.sum(missing & (y == 0)), np.sum(missing & (y == 1))],
        ]
    )
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(chi2_contingency(table, correction=False)[1])


def _association(frame: pd.DataFrame, column: str, missing: np.ndarray) -> tuple[str | None, float]:
    """The other column that best explains the blanks of ``column``, and its p-value."""
    best: tuple[str | None, float] = (None, 1.0)
    for other in frame.columns:
        if other == column:
            continue
        values = frame[other]
        seen = values.notna().to_numpy()
        if seen.sum() < MIN_MISSING or (missing & seen).sum() < MIN_MISSING or (~missing & seen).sum() < MIN_MISSING:
            continue
        if is_numeric(values) and values.nunique() > ASSOCIATION_MAX_LEVELS:
            numbers = values.to_numpy(dtype=np.float64)
            p = float(mannwhitneyu(numbers[missing & seen], numbers[~missing & seen]).pvalue)
        elif values.nunique() <= ASSOCIATION_MAX_LEVELS:
            table = pd.crosstab(values[seen].astype(str), missing[seen])
            if table.shape[0] < 2 or table.shape[1] < 2:
                continue
            p = float(chi2_contingency(table.to_numpy(), correction=False)[1])
        else:
            continue
        if p < best[1]:
            best = (str(other), p)
    return best


def _flags(key: object) -> tuple[bool, ...]:
    """A row of ``value_counts()`` over boolean columns, as a tuple of flags."""
    return tuple(bool(flag) for flag in (key if isinstance(key, tuple) else (key,)))


def missing_values(
    frame: pd.DataFrame, y: Sequence[int] | pd.Series | None = None, *, exclude: Sequence[str] = ()
) -> Finding:
    """Blanks by column and pattern, and their mechanism: do they depend on the label, another column, or nothing?

    A column's missing-value indicator is tested against the label (chi-square)
    and against every other column (chi-square for categories, Mann-Whitney for
    numbers). Under :data:`MISSING_P_VALUE` against the label the blanks are
    judged **missing not at random** (``missing_mnar``: they carry information
    about the outcome, so impute *and* keep an indicator); otherwise, under
    :data:`ASSOCIATION_P_VALUE` against another column, **missing at random** given that column
    (``missing_mar``); otherwise **missing completely at random**
    (``missing_mcar``). Without a label the first judgement is not possible
    and MNAR blanks that move with other columns read as MAR.

    Parameters
    ----------
    frame : pandas.DataFrame
    y : array-like of 0/1, optional
        The labels, in ``frame`` row order.
    exclude : sequence of str
        Columns not checked (ids).

    Returns
    -------
    Finding
        ``evidence["columns"]`` per column: share blank, mechanism, the label
        rate with and without a blank and the best explaining column;
        ``patterns``: the most frequent combinations of blank columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> debt = rng.normal(size=3000)
    >>> y = (debt + rng.normal(size=3000) > 1).astype(int)
    >>> frame = pd.DataFrame({"debt": np.where(debt > 1, np.nan, debt), "age": rng.integers(20, 70, 3000)})
    >>> missing_values(frame, y).evidence["faults"]
    {'missing_mnar': ['debt']}
    """
    labels = None if y is None else np.asarray(y, dtype=np.int64)
    columns = [str(c) for c in frame.columns if c not in exclude]
    blanks = frame[columns].isna()
    per_column: dict[str, dict[str, object]] = {}
    faults: dict[str, list[str]] = {}
    cells: dict[str, list[int]] = {}
    for column in columns:
        missing = blanks[column].to_numpy()
        n_missing = int(missing.sum())
        if n_missing == 0:
            continue
        info: dict[str, object] = {"n_missing": n_missing, "share": round(n_missing / len(frame), 4)}
        mechanism = "too few to judge"
        if n_missing >= MIN_MISSING and n_missing < len(frame) - MIN_MISSING:
            p_label = _label_p_value(missing, labels) if labels is not None else float("nan")
            other, p_other = _association(frame[columns], column, missing)
            if labels is not None:
                info["label_rate_blank"] = round(float(labels[missing].mean()), 4)
                info["label_rate_filled"] = round(float(labels[~missing].mean()), 4)
            info |= {"p_label": p_label, "explained_by": other, "p_explained_by": p_other}
            if labels is not None and p_label < MISSING_P_VALUE:
                mechanism = "missing_mnar"
            elif p_other < ASSOCIATION_P_VALUE:
                mechanism = "missing_mar"
            else:
                mechanism = "missing_mcar"
            faults.setdefault(mechanism, []).append(column)
            cells[column] = _cells_of(missing)
        info["mechanism"] = mechanism
        per_column[column] = info
    patterns = blanks.loc[blanks.any(axis=1)].value_counts().head(_PATTERNS)
    pattern_rows = [
        {"columns": [str(c) for c, on in zip(blanks.columns, _flags(key), strict=True) if on], "n_rows": int(n)}
        for key, n in patterns.items()
    ]
    described = {
        "missing_mnar": "blanks that predict the label (keep an indicator)",
        "missing_mar": "blanks explained by another column",
        "missing_mcar": "blanks at random",
    }
    parts = [f"{described[kind]}: {', '.join(cols)}" for kind, cols in faults.items()]
    text = "; ".join(parts) + "." if parts else "No column has blanks to judge."
    shares = {c: per_column[c]["share"] for c in list(per_column)[:_FIGURE_COLUMNS]}
    return Finding(
        "missing_values",
        "Missing values by column and mechanism",
        text,
        {
            "flagged": bool(faults),
            "faults": faults,
            "columns": per_column,
            "patterns": pattern_rows,
            "cells": cells,
            "figure": {"kind": "bar", "x": list(shares), "y": list(shares.values()), "ylabel": "share blank"},
        },
    )


# -- sentinels -------------------------------------------------------------------------------------------------------


def sentinel_values(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Codes that mean "unknown": -1 or 999 among ages, "N/A" or "unknown" among categories.

    A number of :data:`SENTINEL_NUMBERS` is a sentinel when it repeats
    (:data:`SENTINEL_MIN_COUNT`) and stands apart from the column's other
    values: negative where almost nothing else is, or above
    :data:`SENTINEL_ISOLATION` times their 99.9th percentile. A text is one
    when it spells "unknown" (:data:`SENTINEL_TEXTS`).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [30, 41, 999, 52, -1] * 10, "home": ["own", "rent", "N/A", "own", "rent"] * 10})
    >>> sentinel_values(frame).evidence["sentinels"]
    {'age': [-1.0, 999.0], 'home': ['N/A']}
    """
    found: dict[str, list[object]] = {}
    cells: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for column in (str(c) for c in frame.columns if c not in exclude):
        series = frame[column]
        if is_numeric(series) and series.dtype.kind != "b":
            values = series.to_numpy(dtype=np.float64)
            numbers = _numeric_sentinels(values)
            mask = np.isin(values, numbers)
            codes: list[object] = list(numbers)
        elif not is_numeric(series) and series.dtype.kind != "M":
            texts = series.astype(object).where(series.notna(), None)
            folded = np.asarray([v.strip().casefold() if isinstance(v, str) else None for v in texts], dtype=object)
            mask = np.isin(folded, list(SENTINEL_TEXTS))
            codes = [str(v) for v in sorted({str(v) for v in texts[mask]})] if mask.sum() >= SENTINEL_MIN_COUNT else []
            mask &= bool(codes)
        else:
            continue
        if codes:
            found[column] = list(codes)
            cells[column] = _cells_of(mask)
            counts[column] = int(mask.sum())
    text = (
        "Sentinel codes meaning unknown: "
        + "; ".join(f"{c} {found[c]} ({counts[c]:,} rows)" for c in found)
        + ". Replace them with blanks before imputing or scaling."
        if found
        else "No sentinel codes found."
    )
    return Finding(
        "sentinel_values",
        "Sentinels meaning missing",
        text,
        {
            "flagged": bool(found),
            "faults": {"sentinels": list(found)} if found else {},
            "sentinels": found,
            "counts": counts,
            "cells": cells,
            "figure": {"kind": "bar", "x": list(counts), "y": list(counts.values()), "ylabel": "rows with a sentinel"},
        },
    )


def _numeric_sentinels(values: np.ndarray) -> list[float]:
    codes = []
    finite = values[np.isfinite(values)]
    for code in SENTINEL_NUMBERS:
        hits = finite == code
        if hits.sum() < SENTINEL_MIN_COUNT:
            continue
        others = finite[~np.isin(finite, SENTINEL_NUMBERS)]
        if others.size == 0:
            continue
        lonely_negative = code < 0 and (others < 0).mean() < NEGATIVE_SHARE
        far_above = code > 0 and code > SENTINEL_ISOLATION * np.quantile(others, 0.999)
        if lonely_negative or far_above:
            codes.append(float(code))
    return codes


# -- category variants and unseen levels ----------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _initials(text: str) -> str:
    words = re.findall(r"[0-9a-z]+", text.casefold())
    return "".join(word[0] for word in words) if len(words) > 1 else ""


def _abbreviates(short: str, long: str) -> bool:
    """``short`` (2-3 characters) abbreviates ``long``: its initials, or its letters in order from the first."""
    if not 2 <= len(short) <= ABBREVIATION_MAX_LENGTH or len(long) <= len(short) or long[0] != short[0]:
        return False
    rest = iter(long[1:])
    return all(letter in rest for letter in short[1:])


def _variant_map(series: pd.Series) -> dict[str, str]:
    """Spelling to canonical spelling, for spellings that are variants of a more frequent one."""
    counts = _texts(series).value_counts()
    counts = counts[[v.strip().casefold() not in SENTINEL_TEXTS for v in counts.index]]
    by_key: dict[str, list[str]] = {}
    for spelling in counts.index:
        by_key.setdefault(_key(spelling), []).append(spelling)
    key_counts = {key: int(counts[spellings].sum()) for key, spellings in by_key.items()}
    parent = {key: key for key in by_key}
    ordered = sorted(key_counts, key=lambda k: -key_counts[k])
    for rank, key in enumerate(ordered):
        for bigger in ordered[:rank]:
            if key_counts[key] > VARIANT_RARITY * key_counts[bigger] or parent[bigger] != bigger:
                continue
            similar = (
                len(key) >= VARIANT_MIN_LENGTH
                and len(bigger) >= VARIANT_MIN_LENGTH
                and difflib.SequenceMatcher(None, key, bigger).ratio() >= VARIANT_SIMILARITY
            )
            if similar or _abbreviates(bigger, key) or any(_initials(s) == bigger for s in by_key[key]):
                parent[key] = bigger
                break
    mapping: dict[str, str] = {}
    for root in {parent[key] for key in by_key}:
        members = [key for key in by_key if parent[key] == root]
        spellings = [s for key in members for s in by_key[key]]
        if len(spellings) < 2:
            continue
        canonical = max(spellings, key=lambda s: int(counts[s]))
        mapping |= {s: canonical for s in spellings if s != canonical}
    return dict(sorted(mapping.items()))


def category_variants(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """One level spelled several ways: case, spaces, punctuation, abbreviations and full names, misspellings.

    Spellings are grouped when they agree after case folding and dropping
    everything but letters and digits ("ny ", "N.Y." and "NY"); a rarer group
    joins a more frequent one (:data:`VARIANT_RARITY`) when it is its full name
    (the frequent 2-3 letter code is its initials, or its letters in order:
    "NY" and "New York", "CA" and "California") or a near spelling (difflib
    ratio :data:`VARIANT_SIMILARITY`). The most frequent spelling of a group
    is its canonical level. Columns with more than :data:`VARIANT_MAX_LEVELS`
    spellings are skipped.

    Returns
    -------
    Finding
        ``evidence["canonical"]``: column to {variant: canonical level}.
    """
    canonical: dict[str, dict[str, str]] = {}
    cells: dict[str, list[int]] = {}
    for column in text_columns(frame, exclude):
        series = frame[column]
        if series.nunique() > VARIANT_MAX_LEVELS:
            continue
        mapping = _variant_map(series)
        if mapping:
            canonical[column] = mapping
            cells[column] = _cells_of(series.isin(list(mapping)).to_numpy())
    sizes = {column: len(rows) for column, rows in cells.items()}
    text = (
        "Levels spelled several ways: "
        + "; ".join(f"{c} ({len(canonical[c])} variants, {sizes[c]:,} rows)" for c in canonical)
        + ". Map each variant to its canonical level before encoding."
        if canonical
        else "No level is spelled several ways."
    )
    return Finding(
        "category_variants",
        "Category variants",
        text,
        {
            "flagged": bool(canonical),
            "faults": {"category_variants": list(canonical)} if canonical else {},
            "canonical": canonical,
            "cells": cells,
            "figure": {"kind": "bar", "x": list(sizes), "y": list(sizes.values()), "ylabel": "rows with a variant"},
        },
    )


def unseen_levels(train: pd.DataFrame, test: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Levels of the holdout never seen in training (compared after normalising spellings).

    A level counts when it fills at least :data:`UNSEEN_SHARE` of the holdout
    and :data:`UNSEEN_MIN_COUNT` rows: a high-cardinality column always has a
    few new rare values, which an encoder's unknown bucket handles.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"purpose": ["car", "home"] * 50})
    >>> test = pd.DataFrame({"purpose": ["car"] * 40 + ["crypto"] * 20})
    >>> unseen_levels(train, test).evidence["unseen"]
    {'purpose': {'crypto': 20}}
    """
    unseen: dict[str, dict[str, int]] = {}
    cells: dict[str, list[int]] = {}
    for column in text_columns(test, exclude):
        if column not in train.columns:
            continue
        known = {_key(v) for v in _texts(train[column]).unique()}
        counts = _texts(test[column]).value_counts()
        new = {str(v): int(n) for v, n in counts.items() if _key(str(v)) not in known}
        big = {v: n for v, n in new.items() if n >= max(UNSEEN_MIN_COUNT, UNSEEN_SHARE * len(test))}
        if big:
            unseen[column] = big
            cells[column] = _cells_of(test[column].isin(list(new)).to_numpy())
    text = (
        "Holdout levels never seen in training: "
        + "; ".join(f"{c} {sorted(levels)}" for c, levels in unseen.items())
        + ". Use an encoder with an unknown/infrequent bucket."
        if unseen
        else "Every frequent holdout level was seen in training."
    )
    return Finding(
        "unseen_levels",
        "Unseen test levels",
        text,
        {
            "flagged": bool(unseen),
            "faults": {"unseen_levels": list(unseen)} if unseen else {},
            "unseen": unseen,
            "cells": cells,
        },
    )


def _sample(texts: pd.Series) -> pd.Series:
    """An evenly spaced sample of about :data:`DATE_SAMPLE` texts: enough to tell a column's type."""
    sample: pd.Series = texts.iloc[:: max(1, len(texts) // DATE_SAMPLE)]
    return sample


# -- types ------------------------------------------------------------------------------------------------------------


def parse_numbers(series: pd.Series) -> pd.Series:
    """Numbers written as text ("$12,345.67", "7 %") as floats; anything else blank.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_numbers(pd.Series(["$12,345.67", "7 %", "n/a"])).tolist()
    [12345.67, 7.0, nan]
    """
    text = series.astype(object).where(series.notna(), None)
    cleaned = [re.sub(r"[\s$€£,%]", "", v) if isinstance(v, str) and _NUMBER_TEXT.match(v) else None for v in text]
    numbers: pd.Series = pd.to_numeric(pd.Series(cleaned, index=series.index, dtype=object), errors="coerce")
    return numbers.astype(np.float64)


def text_types(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Columns typed as text that hold numbers, dates or booleans.

    Booleans: every non-blank text is one of :data:`BOOLEAN_TOKENS`.
    Numbers: at least :data:`TEXT_PARSE_SHARE` of the texts read as a number
    once currency symbols, thousands separators and percent signs are dropped.
    Dates: at least that share of a sample parses as a date (any format).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"savings": ["$1,200.50", "$80.00"] * 5, "cosigner": ["Y", "no"] * 5,
    ...                       "applied": ["2023-01-05", "05.01.2023"] * 5, "city": ["Oslo", "Rome"] * 5})
    >>> text_types(frame).evidence["faults"]
    {'text_numbers': ['savings'], 'text_dates': ['applied'], 'text_booleans': ['cosigner']}
    """
    faults: dict[str, list[str]] = {"text_numbers": [], "text_dates": [], "text_booleans": []}
    cells: dict[str, list[int]] = {}
    for column in text_columns(frame, exclude):
        texts = _texts(frame[column])
        if texts.empty:
            continue
        folded = set(texts.str.strip().str.casefold().unique())
        kind = None
        if len(folded) >= 2 and folded <= BOOLEAN_TOKENS:
            kind = "text_booleans"
        elif _sample(texts).str.match(_NUMBER_TEXT).mean() >= TEXT_PARSE_SHARE:
            kind = "text_numbers"
        elif texts.str.contains(r"\d").mean() >= DATE_DIGIT_SHARE:
            parsed = pd.to_datetime(_sample(texts), format="mixed", errors="coerce")
            if parsed.notna().mean() >= TEXT_PARSE_SHARE:
                kind = "text_dates"
        if kind:
            faults[kind].append(column)
            cells[column] = _cells_of(frame[column].notna().to_numpy())
    faults = {kind: columns for kind, columns in faults.items() if columns}
    labels = {"text_numbers": "numbers", "text_dates": "dates", "text_booleans": "booleans"}
    text = (
        "Typed as text: " + "; ".join(f"{labels[k]} in {', '.join(cols)}" for k, cols in faults.items()) + "."
        if faults
        else "No text column holds numbers, dates or booleans."
    )
    return Finding(
        "text_types",
        "Numbers, dates and booleans stored as text",
        text,
        {"flagged": bool(faults), "faults": faults, "cells": cells},
    )


# -- rows and columns -------------------------------------------------------------------------------------------------


def _row_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cell normalised: texts trimmed and case folded, numbers to a few significant digits."""
    keys: dict[object, np.ndarray] = {}
    for column in frame.columns:
        series = frame[column]
        if is_numeric(series) and series.dtype.kind != "b":
            values = series.to_numpy(dtype=np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                magnitude = np.floor(np.log10(np.abs(values)))
            scale = np.where(np.isfinite(magnitude), 10.0 ** (magnitude - DUPLICATE_DIGITS + 1), 1.0)
            keys[column] = np.round(values / scale) * scale
        else:
            keys[column] = series.astype(str).str.strip().str.casefold().str.replace(r"\s+", " ", regex=True).to_numpy()
    return pd.DataFrame(keys, index=frame.index)


def duplicate_rows(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Rows that repeat another row under a different id: exactly, or after normalising texts and rounding numbers.

    Ids (``exclude``) are ignored. A near-duplicate agrees with an earlier
    row once texts are trimmed and case folded and numbers kept to
    :data:`DUPLICATE_DIGITS` significant digits. The later row of each pair
    is flagged; flagged when at least :data:`DUPLICATE_MIN_ROWS` rows repeat.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": [1, 2, 3, 4], "name": ["Ann", "Bob", "ann ", "Cy"],
    ...                       "pay": [51230.0, 40100.0, 51000.0, 9.0]})
    >>> duplicate_rows(frame, exclude=["id"]).evidence["n_near"]
    1
    """
    features = frame[[c for c in frame.columns if c not in exclude]]
    exact = features.duplicated(keep="first").to_numpy()
    near = _row_keys(features).duplicated(keep="first").to_numpy() & ~exact
    flagged = int(exact.sum() + near.sum()) >= DUPLICATE_MIN_ROWS
    text = (
        f"{int(exact.sum()):,} rows repeat an earlier row exactly and {int(near.sum()):,} nearly (same texts up to "
        "case and spaces, same numbers to two significant digits), under other ids. Drop them before splitting: "
        "copies across folds inflate validation scores."
    )
    return Finding(
        "duplicate_rows",
        "Duplicate and near-duplicate rows",
        text if flagged else "No row repeats another.",
        {
            "flagged": flagged,
            "faults": {"duplicate_rows": []} if flagged else {},
            "n_exact": int(exact.sum()),
            "n_near": int(near.sum()),
            "rows": _cells_of(exact | near) if flagged else [],
        },
    )


def useless_columns(frame: pd.DataFrame, *, exclude: Sequence[str] = ()) -> Finding:
    """Constant columns, near-constant ones (:data:`NEAR_CONSTANT_SHARE`) and exact copies of an earlier column.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x"] * 4, "c": [1, 2, 3, 4]})
    >>> useless_columns(frame).evidence["reasons"]
    {'b': 'constant', 'c': 'copy of a'}
    """
    reasons: dict[str, str] = {}
    columns = [str(c) for c in frame.columns if c not in exclude]
    hashes: dict[int, str] = {}
    for column in columns:
        series = frame[column]
        shares = series.value_counts(normalize=True, dropna=False)
        digest = int(pd.util.hash_pandas_object(series, index=False).sum())
        if len(shares) <= 1:
            reasons[column] = "constant"
        elif float(shares.iloc[0]) >= NEAR_CONSTANT_SHARE:
            reasons[column] = f"near-constant ({100 * float(shares.iloc[0]):.1f} % {shares.index[0]!r})"
        elif digest in hashes and frame[hashes[digest]].equals(series):
            reasons[column] = f"copy of {hashes[digest]}"
        else:
            hashes.setdefault(digest, column)
    text = (
        "Columns that carry no information of their own: "
        + "; ".join(f"{c} ({why})" for c, why in reasons.items())
        + ". Drop them."
        if reasons
        else "No constant, near-constant or copied column."
    )
    return Finding(
        "useless_columns",
        "Useless columns",
        text,
        {"flagged": bool(reasons), "faults": {"useless_columns": list(reasons)} if reasons else {}, "reasons": reasons},
    )


def faults_of(findings: Sequence[Finding]) -> dict[str, list[str]]:
    """Kind to columns over every flagged finding (the diagnosis they add up to)."""
    merged: dict[str, list[str]] = {}
    for finding in findings:
        faults = finding.evidence.get("faults")
        if not isinstance(faults, Mapping):
            continue
        for kind, columns in faults.items():
            merged.setdefault(str(kind), [])
            merged[str(kind)] += [str(c) for c in columns if c not in merged[str(kind)]]
    return merged
