"""Diagnoses: a learner's (or a diagnostic's) statement of causes, graded against planted truth.

A :class:`Diagnosis` says which causes of a train/test gap are present and,
for the causes that concern columns, which columns. It is built from a dict,
a list of cause names, or a JSON/TOML file, and graded by
:meth:`Case.grade_diagnosis <casestudies.Case.grade_diagnosis>` against the
faults the simulator planted (``case.reveal("world")["faults"]``).

Examples
--------
>>> from casestudies import Diagnosis
>>> d = Diagnosis({"label_noise": True, "target_leakage": ["days_since_last_login"], "covariate_shift": False})
>>> d.claimed()
('label_noise', 'target_leakage')
>>> d.columns("target_leakage")
('days_since_last_login',)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final, cast

from casestudies.core import closest, describe_value, element, join
from casestudies.exceptions import InvalidParameterError
from casestudies.scoring._cleaning import QUALITY_KINDS
from casestudies.scoring._regression import ASSUMPTION_KINDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found]  # installed on Python 3.10 only

__all__ = ["COLUMN_KINDS", "FAULT_KINDS", "Diagnosis", "DiagnosisGrade", "grade"]

FAULT_KINDS: Final[tuple[str, ...]] = (
    "high_dimensional",
    "label_noise",
    "target_leakage",
    "identifier",
    "covariate_shift",
    "duplicates",
    "temporal",
    "class_imbalance",
)
"""Causes a diagnosis can name, with what each means:

``high_dimensional``  too few rows per feature (small n, many noise columns);
``label_noise``       some training labels are random;
``target_leakage``    a column written after (or from) the outcome;
``identifier``        columns that identify rows (memorisable, new in the holdout);
``covariate_shift``   the holdout's feature distribution differs from train;
``duplicates``        holdout rows that are near-copies of training rows;
``temporal``          time-local effects that a random split leaks;
``class_imbalance``   the positive class is rare (10 % or less).
"""

KNOWN_KINDS: Final[tuple[str, ...]] = (*FAULT_KINDS, *QUALITY_KINDS, *ASSUMPTION_KINDS)
"""Every kind a diagnosis can name: causes of a train/test gap, then data-quality defects (``messy-*``), then
broken assumptions of linear regression (``houses-*``)."""

COLUMN_KINDS: Final[tuple[str, ...]] = (
    "target_leakage",
    "identifier",
    "covariate_shift",
    *(kind for kind in QUALITY_KINDS if kind != "duplicate_rows"),
)
"""Causes whose columns are graded as well."""

_HOW_TO = (
    "Pass a dict like {'label_noise': True, 'target_leakage': ['column'], 'covariate_shift': False} "
    "(True/False, or the list of columns), a list of cause names, or the path of a .json or .toml file with that table."
)


@dataclass(frozen=True, slots=True, init=False)
class Diagnosis:
    """Which causes of a train/test gap are present, and which columns they concern.

    Parameters
    ----------
    causes : Mapping or sequence of str
        Cause name (one of :data:`FAULT_KINDS`) to ``True`` (present),
        ``False`` (ruled out) or a list of column names (present, in those
        columns). A plain list of names means all present. Causes not
        mentioned are taken as not claimed.

    Raises
    ------
    InvalidParameterError
        Naming an unknown cause (with the closest valid one) or a value that
        is neither a bool nor a list of column names.

    Examples
    --------
    >>> from casestudies import Diagnosis
    >>> Diagnosis(["label_noise", "temporal"]).to_dict()
    {'label_noise': True, 'temporal': True}
    """

    causes: Mapping[str, bool | tuple[str, ...]]

    def __init__(self, causes: Mapping[str, object] | Sequence[str]) -> None:
        object.__setattr__(self, "causes", MappingProxyType(_normalise(causes)))

    @classmethod
    def from_file(cls, path: str | Path) -> Diagnosis:
        """Read a diagnosis from a ``.json`` or ``.toml`` file (a table of causes, or ``[causes]``).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from casestudies import Diagnosis
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "d.toml").write_text('label_noise = true\\ntarget_leakage = ["days_since_last_login"]\\n')
        >>> Diagnosis.from_file(folder / "d.toml").claimed()
        ('label_noise', 'target_leakage')
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidParameterError(f"cannot read diagnosis file {str(path)!r}: {err}. {_HOW_TO}") from err
        except UnicodeDecodeError as err:
            message = f"cannot read diagnosis file {str(path)!r}: expected UTF-8 text; got bytes that are not ({err})."
            raise InvalidParameterError(f"{message} {_HOW_TO}") from err
        try:
            if path.suffix.lower() == ".toml":
                data: object = tomllib.loads(text)
            elif path.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                suffix = path.suffix or "no suffix"
                raise InvalidParameterError(
                    f"diagnosis file {str(path)!r} must end in .json or .toml; got {suffix!r}. {_HOW_TO}"
                )
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
            raise InvalidParameterError(f"cannot parse diagnosis file {str(path)!r}: {err}. {_HOW_TO}") from err
        if isinstance(data, Mapping) and isinstance(data.get("causes"), Mapping):
            data = data["causes"]
        try:
            return cls(cast(Mapping[str, object], data))  # any other shape is refused by _normalise
        except InvalidParameterError as err:
            raise InvalidParameterError(f"diagnosis file {str(path)!r}: {err}") from err

    @classmethod
    def coerce(cls, value: object) -> Diagnosis:
        """A Diagnosis from a Diagnosis, a dict, a list of names or a file path."""
        if isinstance(value, Diagnosis):
            return value
        if isinstance(value, (str, Path)) and (
            isinstance(value, Path) or Path(value).suffix.lower() in (".json", ".toml")
        ):
            return cls.from_file(value)
        if isinstance(value, (Mapping, list, tuple)):
            return cls(value)
        raise InvalidParameterError(
            "a diagnosis must be a Diagnosis, a dict, a list of cause names or a .json/.toml path; "
            f"got {describe_value(value)}. {_HOW_TO}"
        )

    def claimed(self) -> tuple[str, ...]:
        """Causes stated present, in :data:`FAULT_KINDS` order."""
        return tuple(kind for kind in KNOWN_KINDS if self.causes.get(kind, False) not in (False,))

    def ruled_out(self) -> tuple[str, ...]:
        """Causes explicitly stated absent."""
        return tuple(kind for kind in KNOWN_KINDS if self.causes.get(kind, None) is False)

    def columns(self, kind: str) -> tuple[str, ...]:
        """Columns named for ``kind`` (empty when only ``True`` was given)."""
        value = self.causes.get(kind, False)
        return value if isinstance(value, tuple) else ()

    def to_dict(self) -> dict[str, object]:
        """Plain data: cause -> bool or list of columns."""
        return {kind: (list(value) if isinstance(value, tuple) else value) for kind, value in self.causes.items()}


def _normalise(causes: object) -> dict[str, bool | tuple[str, ...]]:
    if isinstance(causes, (list, tuple)) and all(isinstance(item, str) for item in causes):
        causes = dict.fromkeys(causes, True)
    if not isinstance(causes, Mapping):
        raise InvalidParameterError(
            f"a diagnosis must be a mapping of causes or a list of cause names; got {describe_value(causes)}. {_HOW_TO}"
        )
    result: dict[str, bool | tuple[str, ...]] = {}
    for kind in sorted(causes, key=lambda k: KNOWN_KINDS.index(k) if k in KNOWN_KINDS else len(KNOWN_KINDS)):
        value = causes[kind]
        if kind not in KNOWN_KINDS:
            hint = closest(str(kind), KNOWN_KINDS)
            message = (
                f"unknown cause {kind!r} in diagnosis"
                + (f"; did you mean {hint!r}?" if hint else ".")
                + f" Causes are {list(FAULT_KINDS)}; data-quality kinds are {list(QUALITY_KINDS)}."
            )
            raise InvalidParameterError(message)
        if isinstance(value, bool):
            result[kind] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(column, str) for column in value):
            result[kind] = tuple(dict.fromkeys(value)) if value else True
        else:
            message = (
                f"diagnosis cause {kind!r} must be true, false or a list of column names; got {describe_value(value)}."
            )
            raise InvalidParameterError(message)
    return result


@dataclass(frozen=True, slots=True)
class DiagnosisGrade:
    """A diagnosis compared with the causes the simulator planted.

    Attributes
    ----------
    scenario_id : str
    seed : int
    found : tuple of str
        Causes present and claimed.
    missed : tuple of str
        Causes present and not claimed.
    wrongly_claimed : tuple of str
        Causes claimed but not present.
    correctly_absent : tuple of str
        Causes not present and not claimed.
    columns : Mapping
        For each present cause of :data:`COLUMN_KINDS` that was claimed:
        ``found``, ``missed`` and ``wrongly_claimed`` column lists.
    present : tuple of str
        Every planted cause.
    """

    scenario_id: str
    seed: int
    found: tuple[str, ...]
    missed: tuple[str, ...]
    wrongly_claimed: tuple[str, ...]
    correctly_absent: tuple[str, ...]
    columns: Mapping[str, Mapping[str, tuple[str, ...]]]
    present: tuple[str, ...]

    @property
    def recall(self) -> float:
        """Share of planted causes found (1.0 when none was planted)."""
        return len(self.found) / len(self.present) if self.present else 1.0

    @property
    def perfect(self) -> bool:
        """True when every cause and every column is right."""
        columns_right = all(not part["missed"] and not part["wrongly_claimed"] for part in self.columns.values())
        return not self.missed and not self.wrongly_claimed and columns_right

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "scenario_id": self.scenario_id,
            "seed": self.seed,
            "present": list(self.present),
            "found": list(self.found),
            "missed": list(self.missed),
            "wrongly_claimed": list(self.wrongly_claimed),
            "correctly_absent": list(self.correctly_absent),
            "columns": {kind: {key: list(value) for key, value in part.items()} for kind, part in self.columns.items()},
            "recall": self.recall,
            "perfect": self.perfect,
        }

    def _lines(self) -> list[str]:
        lines = [
            f"diagnosis of {self.scenario_id} (seed {self.seed}): {len(self.found)} of {len(self.present)} causes found"
        ]
        for label, kinds in (("found", self.found), ("missed", self.missed), ("wrongly claimed", self.wrongly_claimed)):
            if kinds:
                lines.append(f"  {label}: {', '.join(kinds)}")
        for kind, part in self.columns.items():
            details = [f"{key.replace('_', ' ')} {', '.join(value)}" for key, value in part.items() if value]
            if details:
                lines.append(f"  {kind} columns: " + "; ".join(details))
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        lines = self._lines()
        items = element("ul", join(element("li", line.strip()) for line in lines[1:]))
        return element("div", join([element("b", lines[0]), items]))


def grade(diagnosis: object, *, world: Mapping[str, object], scenario_id: str, seed: int) -> DiagnosisGrade:
    """Compare a diagnosis with a case's planted faults (``world["faults"]``)."""
    faults = world.get("faults")
    if not isinstance(faults, Mapping):
        message = (
            f"{scenario_id!r} plants no causes to grade a diagnosis against; grade_diagnosis works on scenarios "
            "that record them (the overfit-* family: try casestudies.make('overfit-random-v1'))."
        )
        raise InvalidParameterError(message)
    stated = Diagnosis.coerce(diagnosis)
    kinds = tuple(kind for kind in KNOWN_KINDS if kind in faults)  # the kinds this scenario records
    present = tuple(kind for kind in kinds if isinstance(faults.get(kind), Mapping) and faults[kind].get("present"))
    claimed = set(stated.claimed())
    columns: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind in COLUMN_KINDS:
        if kind not in present or kind not in claimed:
            continue
        truth = set(faults[kind].get("columns", []))
        allowed = truth | set(faults[kind].get("also_affected", []))
        named = set(stated.columns(kind))
        columns[kind] = {
            "found": tuple(sorted(truth & named)),
            "missed": tuple(sorted(truth - named)),
            "wrongly_claimed": tuple(sorted(named - allowed)),
        }
    return DiagnosisGrade(
        scenario_id=scenario_id,
        seed=seed,
        found=tuple(kind for kind in present if kind in claimed),
        missed=tuple(kind for kind in present if kind not in claimed),
        wrongly_claimed=tuple(kind for kind in KNOWN_KINDS if kind in claimed and kind not in present),
        correctly_absent=tuple(kind for kind in kinds if kind not in present and kind not in claimed),
        columns=MappingProxyType(columns),
        present=present,
    )
