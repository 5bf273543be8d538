"""A board's settings and host-side holdout, what a participant is told, and how these are stored.

The board row of the store holds everything needed to score a submission:
the settings (:class:`BoardSettings`), the holdout packed as ``npz`` bytes
(:class:`BoardHoldout`) and the metric settings of the scenario. Opening a
board reads them back; no scenario registry is involved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

import numpy as np
from numpy.typing import NDArray

from casestudies.exceptions import InvalidParameterError

StoreLike = str | os.PathLike[str]
Clock = Callable[[], dt.datetime]

_NAME: Final = re.compile(r"[^\W_][\w .@+-]{0,99}")

NAME_RULE: Final[str] = "1-100 letters, digits, spaces or . _ @ + -, starting with a letter or digit"
"""What a board, participant or user name may be."""

MAX_SHOWN_CHARS: Final[int] = 80
"""Characters of a value quoted back in a message; longer ones are cut with an ellipsis."""

EXAMPLES: Final[int] = 3
"""Values listed in a message; more are summed up as ``... (N in all)``."""

DEFAULT_FEEDBACK: Final[str] = "parameter-free"
"""A new board's feedback: the Ladder that cannot be climbed by probing."""

DEFAULT_DIGITS: Final[int] = 5
"""Decimals of a released score."""

DEFAULT_STEP: Final[float] = 0.01
"""The fixed-step Ladder's step: one point of a metric that runs from 0 to 1."""

DEFAULT_ALPHA: Final[float] = 0.05
"""The chance that a participant who never improves is ever shown a new best (parameter-free Ladder)."""

DEFAULT_DAILY_LIMIT: Final[int] = 5
"""Submissions per participant per UTC day, as on most Kaggle competitions."""

DEFAULT_N_FINAL: Final[int] = 2
"""Submissions each participant may count for the private standing, as on Kaggle."""

SEED_BITS: Final[int] = 63
"""Bits of a secret seed drawn for a board: the store's seed column holds signed 64-bit integers."""

TOKEN_BYTES: Final[int] = 24
"""Random bytes in a participant token (192 bits, 32 URL-safe characters): not guessable."""


def new_token() -> str:
    """A fresh participant token that never starts with ``-``.

    A URL-safe token starts with ``-`` one time in 64, and ``--token -x...``
    then reads as an option on the command line; such draws are redrawn.

    Examples
    --------
    >>> token = new_token()
    >>> len(token), token[0] != "-"
    (32, True)
    """
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


MAX_LABEL_CHARS: Final[int] = 200
"""A submission's label is cut to the width of the store's ``label`` column."""

PROBABILITY: Final[str] = "probability"
"""The ``predictions`` entry of a scoring table whose scenario wants probabilities in [0, 1]."""

SCORES: Final[str] = "score"
"""The ``predictions`` entry for scenarios that take scores on any scale (anything but :data:`PROBABILITY`)."""


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to :data:`MAX_SHOWN_CHARS` with an ellipsis.

    Examples
    --------
    >>> shown("ana")
    "'ana'"
    >>> len(shown("x" * 10_000))
    80
    """
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def listed(values: Sequence[object]) -> str:
    """Values for a message: ``[1, 2]``, or the first :data:`EXAMPLES` of a long list and how many.

    Examples
    --------
    >>> listed([1, 2, 3, 4, 5])
    '[1, 2, 3, ... (5 in all)]'
    """
    more = "" if len(values) <= EXAMPLES else f", ... ({len(values)} in all)"
    return "[" + ", ".join(shown(value) for value in values[:EXAMPLES]) + more + "]"


def is_name(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a well-formed board, participant or user name (see :data:`NAME_RULE`)."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(where: str, what: str, value: object) -> str:
    """``value`` if it is a well-formed board, participant or user name.

    Raises
    ------
    InvalidParameterError
        Naming the expected form and an example.
    """
    if not is_name(value):
        message = f"{where}: {what} must be {NAME_RULE}; got {shown(value)}. Pick a name like 'ana' or 'team-2'."
        raise InvalidParameterError(message)
    return value


def hash_token(token: str) -> str:
    """What the store keeps of a token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def predictions_sha256(values: NDArray[np.float64]) -> str:
    """SHA-256 of validated predictions (float64, little-endian, ``case.test`` order).

    Equal predictions hash equally whatever form they were submitted in.

    Examples
    --------
    >>> import hashlib, struct, numpy as np
    >>> from casestudies.leaderboard import predictions_sha256
    >>> digest = predictions_sha256(np.array([0.25, 0.75]))
    >>> digest == hashlib.sha256(struct.pack("<2d", 0.25, 0.75)).hexdigest()
    True
    >>> predictions_sha256(np.array([0.25, 0.75], dtype=">f8")) == digest  # big-endian input, same hash
    True
    """
    return hashlib.sha256(pack_floats(values)).hexdigest()


def pack_floats(values: NDArray[np.float64]) -> bytes:
    """Float64 little-endian bytes, as stored."""
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def unpack_floats(blob: bytes | None) -> NDArray[np.float64] | None:
    """The floats of :func:`pack_floats` bytes (None stays None)."""
    return None if blob is None else np.frombuffer(blob, dtype="<f8").copy()


def none_if_nan(value: float | None) -> float | None:
    """``value`` as a float, None when missing or not finite (stored as NULL)."""
    return None if value is None or not math.isfinite(value) else float(value)


@dataclass(frozen=True, slots=True)
class BoardHoldout:
    """The host-side holdout of a board: ids, labels, the public mask and scoring settings."""

    ids: NDArray[np.generic]
    labels: NDArray[np.int8]
    public: NDArray[np.bool_]
    costs: NDArray[np.float64] | None
    scoring: Mapping[str, float]

    @property
    def private(self) -> NDArray[np.bool_]:
        """The private part's mask."""
        return ~self.public

    def pack(self) -> bytes:
        """The arrays as ``npz`` bytes (no pickles), as stored in the board row."""
        buffer = io.BytesIO()
        ids = self.ids
        if ids.dtype.kind == "O":
            ids = ids.astype(str)
        arrays: dict[str, NDArray[Any]] = {"ids": ids, "labels": self.labels, "public": self.public}
        if self.costs is not None:
            arrays["costs"] = self.costs
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def unpack(cls, blob: bytes, scoring: Mapping[str, float]) -> BoardHoldout:
        """The holdout :meth:`pack` stored, with the board's metric settings."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            ids = data["ids"]
            if ids.dtype.kind == "U":
                ids = ids.astype(object)
            costs = data["costs"] if "costs" in data.files else None
            return cls(
                ids=ids,
                labels=data["labels"].astype(np.int8),
                public=data["public"].astype(bool),
                costs=costs,
                scoring=dict(scoring),
            )


@dataclass(frozen=True, slots=True)
class Feedback:
    """What a participant is told about one submission. Nothing else leaves the host.

    Attributes
    ----------
    board, participant : str
        Where and by whom.
    number : int
        The participant's submission count, this one included (1, 2, ...).
    received_at : str
        ISO-8601 UTC time the submission was stored.
    label : str
        The participant's own description of the submission.
    metric : str
        The board's metric.
    feedback : str
        The board's feedback mode.
    score : float or None
        This submission's public score as released: rounded (``exact``), or
        only when it improved on the best (Ladder modes); None otherwise.
    best : float
        The participant's public score on the board after this submission.
    improved : bool
        Whether ``best`` changed with this submission.
    submissions_today, remaining_today : int, int or None
        The day's count (UTC) and what is left (None: no limit).
    predictions_sha256 : str
        Hash of the predictions as validated, to match against one's files.
    message : str
        The same, in a sentence.
    """

    board: str
    participant: str
    number: int
    received_at: str
    label: str
    metric: str
    feedback: str
    score: float | None
    best: float
    improved: bool
    submissions_today: int
    remaining_today: int | None
    predictions_sha256: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-serialisable data."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class BoardSettings:
    """A board's row of the store, as read when it is opened (everything but the holdout)."""

    id: int
    name: str
    scenario_id: str
    params: dict[str, object]
    seed: int
    fingerprint: str
    id_column: str
    probabilities: bool
    metric: str
    higher: bool
    feedback: str
    digits: int
    step: float
    alpha: float | None
    n_boot: int
    daily_limit: int | None
    n_final: int
    n_public: int
    n_private: int
    created_at: str

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> BoardSettings:
        """The settings of a ``boards`` row."""
        extra = json.loads(row["settings"])
        return cls(
            id=int(row["id"]),
            name=str(row["name"]),
            scenario_id=str(row["scenario_id"]),
            params=json.loads(row["params"]),
            seed=int(row["seed"]),
            fingerprint=str(row["fingerprint"]),
            id_column=str(row["id_column"]),
            probabilities=bool(row["probabilities"]),
            metric=str(row["metric"]),
            higher=bool(row["higher_is_better"]),
            feedback=str(row["feedback"]),
            digits=int(extra["digits"]),
            step=float(extra["step"]),
            alpha=extra["alpha"],
            n_boot=int(extra["n_boot"]),
            daily_limit=row["daily_limit"],
            n_final=int(row["n_final"]),
            n_public=int(row["n_public"]),
            n_private=int(row["n_private"]),
            created_at=str(row["created_at"]),
        )

    def feedback_settings(self) -> dict[str, object]:
        """The settings of the board's feedback mode that participants may know."""
        settings: dict[str, object] = {"digits": self.digits}
        if self.feedback == "ladder":
            settings["step"] = self.step
        if self.feedback == "parameter-free":
            settings |= {"alpha": self.alpha, "n_boot": self.n_boot}
        return settings
