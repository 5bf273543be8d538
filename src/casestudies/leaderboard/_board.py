"""Leaderboards for a study group or a class, and a solo practice history.

A :class:`Leaderboard` lives in a store (a SQLite file by default, PostgreSQL
by URL). The host creates it from a scenario with a secret seed, hands the
participants their data and tokens, and keeps the holdout labels: they are
written to the store, never to anything a participant receives. Each
submission is validated by the same validator as :meth:`Case.score`, scored
on the public and private parts of the holdout, and answered with what the
board's feedback mechanism lets the participant see (see
:mod:`casestudies.leaderboard._feedback` for the Ladder). The private part
decides the final standing at :meth:`Leaderboard.close`.
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
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from numpy.typing import NDArray

from casestudies.case import Case, host_view, make
from casestudies.core import (
    FORMATS,
    SEED_LIKE,
    AnyString,
    Choice,
    FileFormat,
    FloatRange,
    IntRange,
    Optional,
    Rule,
    check,
    check_all,
    closest,
    metric_label,
)
from casestudies.core import spec as _spec
from casestudies.exceptions import (
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardClosedError,
    LeaderboardError,
    SubmissionLimitError,
    UnknownLeaderboardError,
    UnknownParticipantError,
)
from casestudies.leaderboard import _store as _db
from casestudies.leaderboard._feedback import (
    FEEDBACK_MODES,
    Best,
    Holdout,
    PairedBootstrap,
    board_metrics,
    decide,
    greater_is_better,
    metric_value,
)
from casestudies.report import Report
from casestudies.scoring import validate_binary

__all__ = ["Feedback", "Leaderboard", "PracticeLog"]

StoreLike = str | os.PathLike[str]
Clock = Callable[[], dt.datetime]

_NAME = re.compile(r"[^\W_][\w .@+-]{0,99}")
_NAME_TEXT = "1-100 letters, digits, spaces or . _ @ + -, starting with a letter or digit"
_SCORING_ARGS = ("alert_budget", "review_cost")

_CREATE_RULES: dict[str, Rule] = {
    "scenario": AnyString(),
    "name": AnyString(),
    "feedback": Choice(FEEDBACK_MODES),
    "digits": IntRange(1, 12),
    "step": FloatRange(1e-9, 1e9),
    "alpha": Optional(FloatRange(1e-9, 0.5)),
    "n_boot": IntRange(20, 100_000),
    "daily_limit": Optional(IntRange(1, 1_000_000)),
    "n_final": IntRange(1, 100),
    "seed": SEED_LIKE,
}


def _check_name(where: str, what: str, value: object) -> str:
    if not isinstance(value, str) or _NAME.fullmatch(value) is None:
        message = f"{where}: {what} must be {_NAME_TEXT}; got {value!r}. Pick a name like 'ana' or 'team-2'."
        raise InvalidParameterError(message)
    return value


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def predictions_sha256(values: NDArray[np.float64]) -> str:
    """SHA-256 of validated predictions (float64, little-endian, ``case.test`` order).

    Equal predictions hash equally whatever form they were submitted in.
    """
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()


def _pack_holdout(holdout: Holdout) -> bytes:
    buffer = io.BytesIO()
    ids = holdout.ids
    if ids.dtype.kind == "O":
        ids = ids.astype(str)
    arrays: dict[str, np.ndarray] = {"ids": ids, "labels": holdout.labels, "public": holdout.public}
    if holdout.costs is not None:
        arrays["costs"] = holdout.costs
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _unpack_holdout(blob: bytes, scoring: Mapping[str, float]) -> Holdout:
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        ids = data["ids"]
        if ids.dtype.kind == "U":
            ids = ids.astype(object)
        costs = data["costs"] if "costs" in data.files else None
        return Holdout(
            ids=ids,
            labels=data["labels"].astype(np.int8),
            public=data["public"].astype(bool),
            costs=costs,
            scoring=dict(scoring),
        )


def _pack_floats(values: NDArray[np.float64]) -> bytes:
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def _unpack_floats(blob: bytes | None) -> NDArray[np.float64] | None:
    return None if blob is None else np.frombuffer(blob, dtype="<f8").copy()


def _none_if_nan(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


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
class _Settings:
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


class Leaderboard:
    """A Kaggle-style leaderboard that resists being overfit, in a SQLite file or a PostgreSQL database.

    Create one with :meth:`create`, open an existing one with :meth:`open`.
    Submissions are scored on the public part of the scenario's hidden
    holdout; participants see what the board's feedback mode releases
    (default: Blum & Hardt's parameter-free Ladder, so the public board
    cannot be climbed by probing); the private part decides the final
    standing when the host calls :meth:`close`.

    Every method reads or writes the store in its own short transaction, so
    any number of processes (a web server, a grading script, several
    ``casestudies leaderboard submit`` calls) can use one board at once.

    Examples
    --------
    >>> import numpy as np, tempfile, os, casestudies as cs
    >>> store = os.path.join(tempfile.mkdtemp(), "class.sqlite")
    >>> board = cs.Leaderboard.create(store, scenario="fraud-v1", params={"n_customers": 300, "n_days": 35}, seed=3)
    >>> token = board.add_participant("ana")
    >>> n_test = board.info()["n_public"] + board.info()["n_private"]
    >>> first = board.submit("ana", np.full(n_test, 0.5), label="constant")
    >>> first.number, first.improved
    (1, True)
    >>> board.standings()[["rank", "participant", "submissions"]].to_dict("records")
    [{'rank': 1, 'participant': 'ana', 'submissions': 1}]
    >>> final = board.close()
    >>> list(final.columns)[:4]
    ['rank', 'participant', 'private_score', 'public_score']
    """

    def __init__(self, store: _db.Store, settings: _Settings, holdout: Holdout, *, clock: Clock | None = None) -> None:
        self._store = store
        self._settings = settings
        self._holdout = holdout
        self._clock: Clock = clock or _db.utc_now
        self._bootstrap: PairedBootstrap | None = None
        self._lock = threading.Lock()

    # -- creating and opening --------------------------------------------------

    @classmethod
    def create(
        cls,
        store: StoreLike,
        *,
        scenario: str,
        name: str = "leaderboard",
        params: Mapping[str, object] | None = None,
        feedback: str = "parameter-free",
        metric: str | None = None,
        digits: int = 5,
        step: float = 0.01,
        alpha: float | None = 0.05,
        n_boot: int = 200,
        daily_limit: int | None = 5,
        n_final: int = 2,
        seed: int | None = None,
        export_to: StoreLike | None = None,
        export_format: FileFormat = "parquet",
        clock: Clock | None = None,
    ) -> Leaderboard:
        """Create a leaderboard for a scenario, with a secret seed, in a store.

        Parameters
        ----------
        store : str or path-like
            A SQLite file (created if missing; its folder must exist) or a
            SQLAlchemy URL such as ``postgresql+psycopg://user@host/db``.
        scenario : str
            Scenario id, e.g. ``"fraud-v1"``.
        name : str, default="leaderboard"
            The board's name, unique in the store.
        params : mapping, optional
            Generator parameters (see ``casestudies.spec(scenario).parameters``).
        feedback : {"parameter-free", "ladder", "exact"}, default="parameter-free"
            What participants see: Blum & Hardt's parameter-free Ladder (a
            new public score only when a paired test says it beats the
            participant's best), the fixed-step Ladder (only when it beats it
            by more than ``step``), or every score rounded to ``digits``
            (Kaggle-style, which can be overfit).
        metric : str, optional
            Metric to rank by: the scenario's primary metric by default, one
            of its secondary metrics, or ``"accuracy"`` (scores >= 0.5 read
            as positive).
        digits : int, default=5
            Decimals of released scores.
        step : float, default=0.01
            The fixed-step Ladder's step, in the metric's units.
        alpha : float or None, default=0.05
            Parameter-free Ladder: the probability that a participant whose
            submissions are no better than their best is ever shown an
            improvement, however many times they try. None: Blum & Hardt's
            original one-standard-error rule, which leaks more.
        n_boot : int, default=200
            Paired-bootstrap resamples of the public part (parameter-free Ladder).
        daily_limit : int or None, default=5
            Submissions per participant per UTC day; None for no limit.
        n_final : int, default=2
            Submissions each participant may select for the private standing;
            by default their ``n_final`` best public ones (as shown to them).
        seed : int or None, default=None
            None (the default) draws a secret seed with :mod:`secrets`. Pass a
            seed only for tests and demonstrations: whoever knows it can
            regenerate the holdout labels.
        export_to : str or path-like, optional
            Folder to write the participants' data to (see :meth:`export_data`).
        export_format : {"parquet", "csv"}, default="parquet"
        clock : callable, optional
            Returns the current time (timezone-aware); for simulations and tests.

        Returns
        -------
        Leaderboard

        Raises
        ------
        InvalidParameterError
            If a setting is out of range or the metric is not available.
        UnknownScenarioError
            If the scenario id is not registered.
        StoreError
            If the store cannot be created or opened.
        LeaderboardError
            If the store already has a board of that name.

        Examples
        --------
        >>> import tempfile, os, casestudies as cs
        >>> store = os.path.join(tempfile.mkdtemp(), "lb.sqlite")
        >>> board = cs.Leaderboard.create(store, scenario="fraud-v1", name="spring", params={"n_customers": 300, "n_days": 35}, feedback="exact", seed=1)
        >>> board.info()["feedback"], board.info()["metric"]
        ('exact', 'average_precision')
        """
        where = "Leaderboard.create()"
        values = {
            "scenario": scenario,
            "name": name,
            "feedback": feedback,
            "digits": digits,
            "step": step,
            "alpha": alpha,
        }
        values |= {"n_boot": n_boot, "daily_limit": daily_limit, "n_final": n_final, "seed": seed}
        check_all(where, _CREATE_RULES, values)
        _check_name(where, "name", name)
        check(where, "export_format", export_format, Choice(FORMATS))
        scenario_spec = _spec(scenario)
        available = board_metrics((scenario_spec.metric, *scenario_spec.secondary_metrics))
        chosen = scenario_spec.metric if metric is None else metric
        probabilities = scenario_spec.scoring.get("predictions", "probability") == "probability"
        if chosen not in available or (chosen == "accuracy" and not probabilities):
            suggestion = closest(str(chosen), available)
            hint = f" Did you mean {suggestion!r}?" if suggestion else ""
            raise InvalidParameterError(
                f"{where}: metric must be one of {list(available)} for {scenario_spec.id!r}; got {chosen!r}.{hint}"
            )
        if seed is None:
            seed = secrets.randbits(63)
        case = make(scenario_spec.id, seed=seed, **dict(params or {}))
        holdout = _holdout_of(case)
        for part, mask in (("public", holdout.public), ("private", ~holdout.public)):
            labels = holdout.labels[mask]
            costs = None if holdout.costs is None else holdout.costs[mask]
            counts = f"{int(labels.sum())} positives and {int((labels == 0).sum())} negatives"
            if labels.min() == labels.max() or not math.isfinite(
                metric_value(chosen, labels, np.full(len(labels), 0.5), costs=costs, scoring=holdout.scoring)
            ):
                message = f"{where}: {chosen} cannot rank submissions on the {part} part of this holdout ({counts}). Generate more rows (see params) or pick another metric."
                raise InvalidParameterError(message)
        now = (clock or _db.utc_now)()
        settings_json = {
            "digits": digits,
            "step": float(step),
            "alpha": None if alpha is None else float(alpha),
            "n_boot": n_boot,
            "scoring": dict(holdout.scoring),
        }
        opened = _db.Store(store, create=True)
        try:
            with opened.write() as conn:
                taken = conn.execute(sa.select(_db.boards.c.id).where(_db.boards.c.name == name)).first()
                if taken is not None:
                    raise LeaderboardError(
                        f"store {opened.location!r} already has a leaderboard named {name!r}. Open it with Leaderboard.open(store, name={name!r}) or pick another name."
                    )
                conn.execute(
                    _db.boards.insert().values(
                        name=name,
                        scenario_id=case.id,
                        params=json.dumps(dict(case.params), sort_keys=True, default=str),
                        seed=int(seed),
                        fingerprint=case.fingerprint,
                        id_column=case.id_column,
                        probabilities=probabilities,
                        metric=chosen,
                        higher_is_better=greater_is_better(chosen),
                        feedback=feedback,
                        settings=json.dumps(settings_json, sort_keys=True),
                        daily_limit=daily_limit,
                        n_final=n_final,
                        holdout=_pack_holdout(holdout),
                        n_public=int(holdout.public.sum()),
                        n_private=int((~holdout.public).sum()),
                        created_at=_db.timestamp(now),
                        closed_at=None,
                    )
                )
        except BaseException:
            opened.dispose()
            raise
        board = cls._load(opened, name, clock=clock)
        if export_to is not None:
            board.export_data(export_to, format=export_format, case=case)
        return board

    @classmethod
    def open(cls, store: StoreLike, name: str | None = None, *, clock: Clock | None = None) -> Leaderboard:
        """Open a leaderboard of a store.

        Parameters
        ----------
        store : str or path-like
            SQLite file or SQLAlchemy URL.
        name : str, optional
            The board's name; may be omitted when the store holds one board.
        clock : callable, optional
            Returns the current time (timezone-aware); for simulations and tests.

        Raises
        ------
        StoreError
            If there is no readable store there.
        UnknownLeaderboardError
            If no board has that name (the message lists the names).
        """
        return cls._load(_db.Store(store), name, clock=clock)

    @staticmethod
    def names(store: StoreLike) -> list[str]:
        """Names of the leaderboards in a store, oldest first."""
        opened = _db.Store(store)
        try:
            with opened.read() as conn:
                return list(conn.execute(sa.select(_db.boards.c.name).order_by(_db.boards.c.id)).scalars())
        finally:
            opened.dispose()

    @classmethod
    def _load(cls, opened: _db.Store, name: str | None, *, clock: Clock | None) -> Leaderboard:
        try:
            with opened.read() as conn:
                names = list(conn.execute(sa.select(_db.boards.c.name).order_by(_db.boards.c.id)).scalars())
                if name is None:
                    if len(names) != 1:
                        listing = f"it has {names}" if names else "it has none yet"
                        raise UnknownLeaderboardError(
                            f"store {opened.location!r} holds {len(names)} leaderboards; name the one to open ({listing})."
                        )
                    name = names[0]
                row = conn.execute(sa.select(_db.boards).where(_db.boards.c.name == name)).mappings().first()
            if row is None:
                suggestion = closest(name, names)
                hint = f" Did you mean {suggestion!r}?" if suggestion else ""
                raise UnknownLeaderboardError(
                    f"no leaderboard {name!r} in store {opened.location!r}.{hint} It has {names}."
                )
        except BaseException:
            opened.dispose()
            raise
        extra = json.loads(row["settings"])
        settings = _Settings(
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
        # Everything needed to score is in the store: no scenario registry involved.
        return cls(opened, settings, _unpack_holdout(row["holdout"], extra["scoring"]), clock=clock)

    def dispose(self) -> None:
        """Release the store's connections (the board can be reopened any time)."""
        self._store.dispose()

    def __enter__(self) -> Leaderboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        s = self._settings
        return f"Leaderboard({s.name!r}, scenario={s.scenario_id!r}, metric={s.metric!r}, feedback={s.feedback!r}, store={self._store.location!r})"

    # -- what anyone may see ---------------------------------------------------

    @property
    def name(self) -> str:
        """The board's name."""
        return self._settings.name

    @property
    def closed(self) -> bool:
        """Whether the host has closed the board."""
        return self._closed_at() is not None

    def _closed_at(self) -> str | None:
        with self._store.read() as conn:
            return cast(
                "str | None",
                conn.execute(sa.select(_db.boards.c.closed_at).where(_db.boards.c.id == self._settings.id)).scalar(),
            )

    def info(self) -> dict[str, object]:
        """What participants may know about the board (no seed, no labels).

        Returns
        -------
        dict
            Name, scenario, parameters, metric and direction, feedback mode
            and its settings, limits, holdout part sizes, participant count,
            creation and closing times.
        """
        s = self._settings
        with self._store.read() as conn:
            closed_at = conn.execute(sa.select(_db.boards.c.closed_at).where(_db.boards.c.id == s.id)).scalar()
            n_participants = conn.execute(
                sa.select(sa.func.count()).select_from(_db.participants).where(_db.participants.c.board_id == s.id)
            ).scalar()
        settings: dict[str, object] = {"digits": s.digits}
        if s.feedback == "ladder":
            settings["step"] = s.step
        if s.feedback == "parameter-free":
            settings |= {"alpha": s.alpha, "n_boot": s.n_boot}
        return {
            "name": s.name,
            "scenario_id": s.scenario_id,
            "params": dict(s.params),
            "fingerprint": s.fingerprint,
            "id_column": s.id_column,
            "metric": s.metric,
            "higher_is_better": s.higher,
            "feedback": s.feedback,
            "feedback_settings": settings,
            "daily_limit": s.daily_limit,
            "n_final": s.n_final,
            "n_public": s.n_public,
            "n_private": s.n_private,
            "participants": int(n_participants or 0),
            "created_at": s.created_at,
            "closed_at": closed_at,
        }

    def standings(self, *, private: bool = False) -> pd.DataFrame:
        """The board, best first.

        Parameters
        ----------
        private : bool, default=False
            After :meth:`close`: rank by the private part (each participant's
            best private score among their final submissions).

        Returns
        -------
        pandas.DataFrame
            Public: ``rank, participant, score, submissions, last_submission``
            (``score`` is the released public score). Private: ``rank,
            participant, private_score, public_score, final_submissions,
            submissions, last_submission``. Participants who have not
            submitted come last, without a rank.

        Raises
        ------
        LeaderboardError
            For the private standings of a board that is still open.
        """
        with self._store.read() as conn:
            closed_at = conn.execute(
                sa.select(_db.boards.c.closed_at).where(_db.boards.c.id == self._settings.id)
            ).scalar()
            if private and closed_at is None:
                raise LeaderboardError(
                    f"leaderboard {self.name!r} is open; its private standings are revealed when the host closes it (Leaderboard.close())."
                )
            people = conn.execute(
                sa.select(_db.participants.c.id, _db.participants.c.name)
                .where(_db.participants.c.board_id == self._settings.id)
                .order_by(_db.participants.c.id)
            ).all()
            rows = pd.DataFrame(
                conn.execute(
                    sa.select(
                        _db.submissions.c.participant_id,
                        _db.submissions.c.number,
                        _db.submissions.c.created_at,
                        _db.submissions.c.improved,
                        _db.submissions.c.best_score,
                        _db.submissions.c.released_score,
                        _db.submissions.c.private_score,
                    )
                    .where(_db.submissions.c.board_id == self._settings.id)
                    .order_by(_db.submissions.c.participant_id, _db.submissions.c.number)
                ).all(),
                columns=[
                    "participant_id",
                    "number",
                    "created_at",
                    "improved",
                    "best_score",
                    "released_score",
                    "private_score",
                ],
            )
            chosen = self._selections(conn) if private else {}
        if private:
            return self._private_table(people, rows, chosen)
        return self._public_table(people, rows)

    def _public_table(self, people: Sequence[Any], rows: pd.DataFrame) -> pd.DataFrame:
        records = []
        for participant_id, name in people:
            mine = rows[rows["participant_id"] == participant_id]
            if mine.empty:
                records.append(
                    {"participant": name, "score": math.nan, "submissions": 0, "last_submission": None, "_reached": ""}
                )
                continue
            last = mine.iloc[-1]
            reached = mine[mine["improved"].astype(bool)].iloc[-1]["created_at"]
            records.append(
                {
                    "participant": name,
                    "score": float(last["best_score"]),
                    "submissions": len(mine),
                    "last_submission": last["created_at"],
                    "_reached": reached,
                }
            )
        return self._ranked(records, ["participant", "score", "submissions", "last_submission"], "score")

    def _ranked(self, records: list[dict[str, object]], columns: list[str], column: str) -> pd.DataFrame:
        """Sort best first (ties: who reached it first); rank the scored, the rest last without a rank."""
        table = pd.DataFrame.from_records(records, columns=[*columns, "_reached"])
        value = table[column].astype(float)
        table["_key"] = -value if self._settings.higher else value
        table = table.sort_values(["_key", "_reached", "participant"], na_position="last", kind="stable").reset_index(
            drop=True
        )
        scored = table[column].notna().to_numpy()
        table.insert(
            0, "rank", pd.Series([index + 1 if ok else None for index, ok in enumerate(scored)], dtype="Int64")
        )
        return table.drop(columns=["_key", "_reached"])

    def _selections(self, conn: sa.Connection) -> dict[int, list[int]]:
        rows = conn.execute(
            sa.select(_db.selections.c.participant_id, _db.selections.c.numbers)
            .join(_db.participants, _db.participants.c.id == _db.selections.c.participant_id)
            .where(_db.participants.c.board_id == self._settings.id)
            .order_by(_db.selections.c.id)
        ).all()
        return {int(participant_id): json.loads(numbers) for participant_id, numbers in rows}  # the latest wins

    def _finals(self, mine: pd.DataFrame, chosen: list[int] | None) -> pd.DataFrame:
        """The submissions that count: the participant's choice, else their best released ones.

        The default ranks by the scores the participant was shown, never by
        exact scores a Ladder withheld, so it reveals nothing new.
        """
        if chosen:
            return mine[mine["number"].isin(chosen)]
        shown = mine[mine["released_score"].notna()]
        key = shown["released_score"].astype(float)
        order = shown.assign(_key=-key if self._settings.higher else key).sort_values(["_key", "number"], kind="stable")
        return order.head(self._settings.n_final)

    def _private_table(
        self, people: Sequence[Any], rows: pd.DataFrame, chosen: Mapping[int, list[int]]
    ) -> pd.DataFrame:
        records = []
        for participant_id, name in people:
            mine = rows[rows["participant_id"] == participant_id]
            if mine.empty:
                records.append(
                    {
                        "participant": name,
                        "private_score": math.nan,
                        "public_score": math.nan,
                        "final_submissions": "",
                        "submissions": 0,
                        "last_submission": None,
                        "_reached": "",
                    }
                )
                continue
            finals = self._finals(mine, chosen.get(int(participant_id)))
            scores = finals["private_score"]
            best_private = float(scores.max() if self._settings.higher else scores.min())
            records.append(
                {
                    "participant": name,
                    "private_score": best_private,
                    "public_score": float(mine.iloc[-1]["best_score"]),
                    "final_submissions": ", ".join(str(int(number)) for number in sorted(finals["number"])),
                    "submissions": len(mine),
                    "last_submission": mine.iloc[-1]["created_at"],
                    "_reached": str(finals["created_at"].min()),
                }
            )
        return self._ranked(
            records,
            ["participant", "private_score", "public_score", "final_submissions", "submissions", "last_submission"],
            "private_score",
        )

    # -- host operations -------------------------------------------------------

    def add_participant(self, name: str) -> str:
        """Register a participant and return their token (shown once; only its hash is stored).

        Raises
        ------
        InvalidParameterError
            If the name is malformed.
        LeaderboardError
            If the name is taken on this board.
        LeaderboardClosedError
            If the board is closed.

        Examples
        --------
        >>> import tempfile, os, casestudies as cs
        >>> board = cs.Leaderboard.create(os.path.join(tempfile.mkdtemp(), "lb.sqlite"), scenario="fraud-v1", params={"n_customers": 300, "n_days": 35}, seed=2)
        >>> token = board.add_participant("bo")
        >>> board.authenticate(token)
        'bo'
        """
        _check_name("add_participant()", "name", name)
        token = secrets.token_urlsafe(24)
        with self._store.write() as conn:
            self._require_open(conn)
            taken = conn.execute(
                sa.select(_db.participants.c.id).where(
                    _db.participants.c.board_id == self._settings.id, _db.participants.c.name == name
                )
            ).first()
            if taken is not None:
                raise LeaderboardError(
                    f"leaderboard {self.name!r} already has a participant {name!r}; names are unique. Pick another name."
                )
            conn.execute(
                _db.participants.insert().values(
                    board_id=self._settings.id,
                    name=name,
                    token_sha256=_hash_token(token),
                    created_at=_db.timestamp(self._clock()),
                )
            )
        return token

    def participants(self) -> list[str]:
        """Participant names, in the order they were added."""
        with self._store.read() as conn:
            return list(
                conn.execute(
                    sa.select(_db.participants.c.name)
                    .where(_db.participants.c.board_id == self._settings.id)
                    .order_by(_db.participants.c.id)
                ).scalars()
            )

    def authenticate(self, token: str) -> str:
        """The participant a token belongs to.

        Raises
        ------
        InvalidTokenError
            If the token is empty or belongs to no participant of this board.
        """
        if not isinstance(token, str) or not token:
            raise InvalidTokenError(
                f"leaderboard {self.name!r} needs a participant token; got none. Ask the host for yours."
            )
        with self._store.read() as conn:
            name = conn.execute(
                sa.select(_db.participants.c.name).where(
                    _db.participants.c.board_id == self._settings.id,
                    _db.participants.c.token_sha256 == _hash_token(token),
                )
            ).scalar()
        if name is None:
            raise InvalidTokenError(
                f"that token belongs to no participant of leaderboard {self.name!r}. Check it for typos or ask the host for yours."
            )
        return str(name)

    def _require_open(self, conn: sa.Connection, *, closing: bool = False) -> None:
        query = sa.select(_db.boards.c.closed_at).where(_db.boards.c.id == self._settings.id)
        if not self._store.is_sqlite:  # SQLite: the write transaction already excludes every other writer
            # Submissions share the board row's lock; close() takes it alone, so it
            # waits for submissions in flight and later ones see the board closed.
            query = query.with_for_update(read=not closing)
        closed_at = conn.execute(query).scalar()
        if closed_at is not None:
            raise LeaderboardClosedError(
                f"leaderboard {self.name!r} was closed at {closed_at}; it takes no more submissions or selections. See its final standings with standings(private=True)."
            )

    def _participant_id(self, conn: sa.Connection, participant: str, *, lock: bool) -> int:
        query = sa.select(_db.participants.c.id).where(
            _db.participants.c.board_id == self._settings.id, _db.participants.c.name == participant
        )
        if lock and not self._store.is_sqlite:
            query = query.with_for_update()
        found = conn.execute(query).scalar()
        if found is None:
            names = list(
                conn.execute(
                    sa.select(_db.participants.c.name).where(_db.participants.c.board_id == self._settings.id)
                ).scalars()
            )
            suggestion = closest(str(participant), names)
            hint = (
                f" Did you mean {suggestion!r}?"
                if suggestion
                else " The host adds participants with add_participant()."
            )
            raise UnknownParticipantError(f"no participant {participant!r} on leaderboard {self.name!r}.{hint}")
        return int(found)

    # -- submitting ------------------------------------------------------------

    def _paired_bootstrap(self) -> PairedBootstrap:
        with self._lock:
            if self._bootstrap is None:
                public = self._holdout.public
                bootstrap = PairedBootstrap(
                    self._holdout.labels[public], n_boot=self._settings.n_boot, seed=self._settings.seed
                )
                for _ in bootstrap.chunks():  # fill its cache once, under the lock
                    pass
                self._bootstrap = bootstrap
            return self._bootstrap

    def validate(self, predictions: object) -> NDArray[np.float64]:
        """Validate a submission as :meth:`Case.score` does; return the scores in test order.

        Raises
        ------
        SubmissionError
            Listing every problem at once.
        """
        return validate_binary(
            predictions,
            scenario_id=self._settings.scenario_id,
            ids=self._holdout.ids,
            id_column=self._settings.id_column,
            probabilities=self._settings.probabilities,
        )

    def submit(self, participant: str, predictions: object, *, label: str | None = None) -> Feedback:
        """Score a participant's predictions and store the submission.

        Parameters
        ----------
        participant : str
            A participant's name (see :meth:`authenticate` for tokens).
        predictions : array-like, pandas.Series, pandas.DataFrame or path
            As accepted by :meth:`Case.score`: scores in test-row order, a
            Series indexed by id, a DataFrame with the id column (or ``id``)
            and ``prediction``, or a CSV/Parquet file with those columns.
        label : str, optional
            A note to oneself (for example the model's name).

        Returns
        -------
        Feedback
            Only what the board's feedback mode releases.

        Raises
        ------
        SubmissionError
            If the predictions are not a valid submission (every problem at once).
        UnknownParticipantError
            If no participant has that name.
        LeaderboardClosedError
            If the board is closed.
        SubmissionLimitError
            If the participant has used up today's submissions.

        Nothing is stored when an error is raised.
        """
        s = self._settings
        label_text = "" if label is None else str(label)[:200]
        with self._store.read() as conn:  # cheap checks first, so the right error comes first
            self._require_open(conn)
            self._participant_id(conn, participant, lock=False)
        values = self.validate(predictions)
        digest = predictions_sha256(values)
        holdout = self._holdout
        public, private = holdout.public, ~holdout.public
        costs = holdout.costs
        public_score = metric_value(
            s.metric,
            holdout.labels[public],
            values[public],
            costs=None if costs is None else costs[public],
            scoring=holdout.scoring,
        )
        private_score = metric_value(
            s.metric,
            holdout.labels[private],
            values[private],
            costs=None if costs is None else costs[private],
            scoring=holdout.scoring,
        )
        replicates = None
        if s.feedback == "parameter-free":
            replicates = self._paired_bootstrap().replicates(
                s.metric, values[public], costs=None if costs is None else costs[public], scoring=holdout.scoring
            )
        with self._store.write() as conn:
            self._require_open(conn)
            participant_id = self._participant_id(conn, participant, lock=True)
            now = self._clock()
            day = now.astimezone(dt.timezone.utc).date().isoformat()
            today = int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(_db.submissions)
                    .where(_db.submissions.c.participant_id == participant_id, _db.submissions.c.day == day)
                ).scalar()
                or 0
            )
            if s.daily_limit is not None and today >= s.daily_limit:
                raise SubmissionLimitError(
                    f"{participant!r} has made {today} of {s.daily_limit} submissions allowed on leaderboard {self.name!r} today ({day}, UTC). "
                    f"Try again after midnight UTC; meanwhile compare models on a validation split of the training data."
                )
            best = self._current_best(conn, participant_id)
            last_number = conn.execute(
                sa.select(sa.func.max(_db.submissions.c.number)).where(
                    _db.submissions.c.participant_id == participant_id
                )
            ).scalar()
            number = int(last_number or 0) + 1
            decision = decide(
                s.feedback,
                public=public_score,
                replicates=replicates,
                best=best,
                higher=s.higher,
                digits=s.digits,
                step=s.step,
                alpha=s.alpha,
            )
            received_at = _db.timestamp(now)
            conn.execute(
                _db.submissions.insert().values(
                    board_id=s.id,
                    participant_id=participant_id,
                    number=number,
                    created_at=received_at,
                    day=day,
                    label=label_text,
                    predictions_sha256=digest,
                    public_score=public_score,
                    private_score=private_score,
                    improved=decision.improved,
                    released_score=_none_if_nan(decision.released),
                    best_score=decision.best,
                    threshold=decision.threshold,
                    replicates=None if replicates is None else _pack_floats(replicates),
                )
            )
        remaining = None if s.daily_limit is None else s.daily_limit - today - 1
        return Feedback(
            board=s.name,
            participant=participant,
            number=number,
            received_at=received_at,
            label=label_text,
            metric=s.metric,
            feedback=s.feedback,
            score=_none_if_nan(decision.released),
            best=decision.best,
            improved=decision.improved,
            submissions_today=today + 1,
            remaining_today=remaining,
            predictions_sha256=digest,
            message=self._message(number, decision.released, decision.best, decision.improved, best is None, remaining),
        )

    def _current_best(self, conn: sa.Connection, participant_id: int) -> Best | None:
        c = _db.submissions.c
        row = conn.execute(
            sa.select(c.number, c.public_score, c.best_score, c.replicates)
            .where(c.participant_id == participant_id, c.improved.is_(True))
            .order_by(c.number.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        later = conn.execute(
            sa.select(sa.func.count())
            .select_from(_db.submissions)
            .where(c.participant_id == participant_id, c.number > row.number)
        ).scalar()
        return Best(
            number=int(row.number),
            public=float(row.public_score),
            released=float(row.best_score),
            replicates=_unpack_floats(row.replicates),
            tries_since=int(later or 0),
        )

    def _message(
        self, number: int, released: float, best: float, improved: bool, first: bool, remaining: int | None
    ) -> str:
        s = self._settings
        metric = metric_label(s.metric)
        left = "" if remaining is None else f" {remaining} submission{'s' if remaining != 1 else ''} left today."
        shown = f"{best:.{s.digits}f}".rstrip("0").rstrip(".") if math.isfinite(best) else "n/a"
        if s.feedback == "exact":
            own = f"{released:.{s.digits}f}".rstrip("0").rstrip(".")
            text = f"Submission {number}: public {metric} {own}"
            text += " (your first)." if first else (" — a new best." if improved else f"; your best stays {shown}.")
            return text + left
        if improved:
            if first:
                return f"Submission {number}: public {metric} {shown}.{left}"
            how = (
                f"by more than the Ladder's step of {s.step:g}"
                if s.feedback == "ladder"
                else "clearly (a paired test on the public part)"
            )
            return f"Submission {number} beats your best {how}: public {metric} {shown}.{left}"
        why = (
            f"by more than the Ladder's step of {s.step:g}"
            if s.feedback == "ladder"
            else "clearly enough to tell from noise on the public part"
        )
        return (
            f"Submission {number} does not beat your best {why}; your public {metric} stays {shown}. "
            f"The board shows only clear improvements, so it cannot be climbed by trial and error.{left}"
        )

    def history(self, participant: str) -> pd.DataFrame:
        """A participant's own submissions, as they were told about them.

        Returns
        -------
        pandas.DataFrame
            ``number, received_at, label, score, best, improved,
            predictions_sha256, selected`` -- released values only, never the
            exact public or private scores behind a Ladder.
        """
        with self._store.read() as conn:
            participant_id = self._participant_id(conn, participant, lock=False)
            c = _db.submissions.c
            query = sa.select(
                c.number, c.created_at, c.label, c.released_score, c.best_score, c.improved, c.predictions_sha256
            )
            rows = conn.execute(query.where(c.participant_id == participant_id).order_by(c.number)).all()
            chosen = self._selections(conn).get(participant_id)
        table = pd.DataFrame(
            rows, columns=["number", "received_at", "label", "score", "best", "improved", "predictions_sha256"]
        )
        table["improved"] = table["improved"].astype(bool)
        if chosen is None:
            finals = set(self._finals(self._own_scores(participant_id), None)["number"]) if len(table) else set()
        else:
            finals = set(chosen)
        table["selected"] = table["number"].isin(finals)
        return table

    def _own_scores(self, participant_id: int) -> pd.DataFrame:
        with self._store.read() as conn:
            c = _db.submissions.c
            rows = conn.execute(
                sa.select(c.number, c.released_score, c.created_at)
                .where(c.participant_id == participant_id)
                .order_by(c.number)
            ).all()
        return pd.DataFrame(rows, columns=["number", "released_score", "created_at"])

    def select(self, participant: str, numbers: Iterable[int]) -> list[int]:
        """Choose the submissions that count for the private standing (up to ``n_final``).

        Without a choice, a participant's ``n_final`` best public submissions
        (by the public scores they were shown) count. A new choice replaces the previous one; every choice is kept
        in the store.

        Parameters
        ----------
        participant : str
        numbers : iterable of int
            Submission numbers as in :meth:`history`.

        Returns
        -------
        list of int
            The selection, sorted.

        Raises
        ------
        InvalidParameterError
            If a number is not one of the participant's submissions, or too many are given.
        LeaderboardClosedError
            If the board is closed.
        """
        chosen = sorted({int(number) for number in numbers})
        where = f"select() on leaderboard {self.name!r}"
        if not chosen or len(chosen) > self._settings.n_final:
            raise InvalidParameterError(
                f"{where}: choose between 1 and {self._settings.n_final} submissions; got {len(chosen)} ({chosen}). Pass submission numbers from history()."
            )
        with self._store.write() as conn:
            self._require_open(conn)
            participant_id = self._participant_id(conn, participant, lock=True)
            owned = set(
                conn.execute(
                    sa.select(_db.submissions.c.number).where(_db.submissions.c.participant_id == participant_id)
                ).scalars()
            )
            unknown = [number for number in chosen if number not in owned]
            if unknown:
                have = f"1..{max(owned)}" if owned else "none yet"
                raise InvalidParameterError(
                    f"{where}: {participant!r} has no submissions numbered {unknown}; their numbers are {have}."
                )
            conn.execute(
                _db.selections.insert().values(
                    participant_id=participant_id, numbers=json.dumps(chosen), created_at=_db.timestamp(self._clock())
                )
            )
        return chosen

    def close(self) -> pd.DataFrame:
        """Close the board for good and return the private standings.

        Submissions in flight either commit before the close or are refused.

        Raises
        ------
        LeaderboardClosedError
            If it is closed already.
        """
        with self._store.write() as conn:
            self._require_open(conn, closing=True)
            conn.execute(
                _db.boards.update()
                .where(_db.boards.c.id == self._settings.id, _db.boards.c.closed_at.is_(None))
                .values(closed_at=_db.timestamp(self._clock()))
            )
        return self.standings(private=True)

    # -- exporting -------------------------------------------------------------

    def submissions(self) -> pd.DataFrame:
        """Every stored submission, host-side: exact public scores, and private ones once closed."""
        closed = self.closed
        c = _db.submissions.c
        with self._store.read() as conn:
            rows = conn.execute(
                sa.select(
                    _db.participants.c.name,
                    c.number,
                    c.created_at,
                    c.label,
                    c.predictions_sha256,
                    c.public_score,
                    c.private_score,
                    c.released_score,
                    c.best_score,
                    c.improved,
                )
                .join(_db.participants, _db.participants.c.id == c.participant_id)
                .where(c.board_id == self._settings.id)
                .order_by(c.id)
            ).all()
        table = pd.DataFrame(
            rows,
            columns=[
                "participant",
                "number",
                "received_at",
                "label",
                "predictions_sha256",
                "public_score",
                "private_score",
                "released_score",
                "best_score",
                "improved",
            ],
        )
        table["improved"] = table["improved"].astype(bool)
        return table if closed else table.drop(columns=["private_score"])

    def export_results(self, folder: StoreLike) -> list[Path]:
        """Write the board's record: ``board.json``, ``submissions.csv`` and the standings CSVs.

        Private scores and standings are written only once the board is closed.

        Returns
        -------
        list of Path
            The files written.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "board.json", out / "submissions.csv", out / "standings_public.csv"]
        written[0].write_text(json.dumps(self.info(), indent=2, default=str), encoding="utf-8")
        self.submissions().to_csv(written[1], index=False)
        self.standings().to_csv(written[2], index=False)
        if self.closed:
            written.append(out / "standings_private.csv")
            self.standings(private=True).to_csv(written[-1], index=False)
        return written

    def export_data(self, folder: StoreLike, *, format: FileFormat = "parquet", case: Case | None = None) -> list[Path]:
        """Write what participants get: training data, test features, prompt, data card, a sample submission.

        Nothing from the holdout and not the seed: ``data_card.json`` has its
        ``seed`` removed, and ``test`` has no target column.

        Parameters
        ----------
        folder : str or path-like
            Created if missing.
        format : {"parquet", "csv"}, default="parquet"
        case : Case, optional
            The board's case if already generated (internal use).

        Returns
        -------
        list of Path
            The files written.
        """
        check("export_data()", "format", format, Choice(FORMATS))
        if case is None:
            case = make(self._settings.scenario_id, seed=self._settings.seed, **self._settings.params)
        if case.fingerprint != self._settings.fingerprint:  # pragma: no cover - a changed generator
            raise LeaderboardError(
                f"scenario {case.id!r} no longer generates the board's data (fingerprint changed); export from the casestudies version that created the board."
            )
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for part, frame in (("train", case.train), ("test", case.test)):
            path = out / f"{part}.{format}"
            if format == "parquet":
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
            written.append(path)
        card = {key: value for key, value in case.data_card.items() if key != "seed"}
        card["leaderboard"] = {
            key: value for key, value in self.info().items() if key not in ("participants", "closed_at")
        }
        files = {
            "prompt.md": case.prompt,
            "data_card.json": json.dumps(card, indent=2, default=str),
        }
        for name, text in files.items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
        sample = pd.DataFrame({case.id_column: case.test[case.id_column], "prediction": float(case.y_train.mean())})
        path = out / "sample_submission.csv"
        sample.to_csv(path, index=False)
        written.append(path)
        return written


def _holdout_of(case: Case) -> Holdout:
    revealed = case.reveal()
    costs = host_view(case).holdout.costs
    return Holdout(
        ids=case.test[case.id_column].to_numpy(),
        labels=revealed[case.target].to_numpy().astype(np.int8),
        public=(revealed["part"] == "public").to_numpy(),
        costs=None if costs is None else np.asarray(costs, dtype=np.float64),
        scoring=_scoring_of(case.id),
    )


def _scoring_of(scenario_id: str) -> dict[str, float]:
    scoring = _spec(scenario_id).scoring
    return {name: float(cast(float, scoring[name])) for name in _SCORING_ARGS if name in scoring}


# ---------------------------------------------------------------------------
# Solo practice
# ---------------------------------------------------------------------------


class PracticeLog:
    """A personal history of practice reports per scenario, with the score trend.

    Lives in the same kind of store as leaderboards (the same file can hold both).

    Parameters
    ----------
    store : str or path-like
        SQLite file (created if missing) or SQLAlchemy URL.
    user : str, default="me"
        Whose history this is.
    clock : callable, optional
        Returns the current time (timezone-aware); for tests.

    Examples
    --------
    >>> import numpy as np, tempfile, os, casestudies as cs
    >>> log = cs.PracticeLog(os.path.join(tempfile.mkdtemp(), "me.sqlite"))
    >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
    >>> _ = log.record(case.score(np.full(len(case.test), 0.5), name="constant", baselines=False))
    >>> _ = log.record(case.score(case.reveal()["probability"].to_numpy(), name="oracle", baselines=False))
    >>> history = log.history("fraud-v1")
    >>> list(history["name"]), bool(history["change"].iloc[-1] > 0)
    (['constant', 'oracle'], True)
    """

    def __init__(self, store: StoreLike, *, user: str = "me", clock: Clock | None = None) -> None:
        self.user = _check_name("PracticeLog()", "user", user)
        self._store = _db.Store(store, create=True)
        self._clock: Clock = clock or _db.utc_now

    def record(self, report: Report) -> dict[str, object]:
        """Append a report (from ``case.evaluate`` or ``case.score``) to the history.

        Returns
        -------
        dict
            The stored row: scenario, seed, name, metric and the primary
            metric on the public, private and whole holdout.
        """
        if not isinstance(report, Report):
            raise InvalidParameterError(
                f"PracticeLog.record(): report must be a casestudies Report (from case.evaluate or case.score); got {type(report).__name__}."
            )
        data = report.to_dict()
        row = {
            "user_name": self.user,
            "scenario_id": report.scenario_id,
            "seed": int(report.seed),
            "fingerprint": report.fingerprint,
            "name": report.submission.name[:500],
            "metric": report.metric,
            "public_score": _none_if_nan(report.primary("public")),
            "private_score": _none_if_nan(report.primary("private")),
            "all_score": _none_if_nan(report.primary("all")),
            "created_at": _db.timestamp(self._clock()),
            "report": json.dumps(data, default=str),
        }
        with self._store.write() as conn:
            conn.execute(_db.practice.insert().values(**row))
        return {key: value for key, value in row.items() if key != "report"}

    def history(self, scenario_id: str | None = None) -> pd.DataFrame:
        """The user's practice rows, oldest first, with the trend.

        Parameters
        ----------
        scenario_id : str, optional
            Only this scenario (all scenarios if omitted).

        Returns
        -------
        pandas.DataFrame
            ``recorded_at, scenario_id, seed, name, metric, public, private,
            all, best_so_far, change``: ``best_so_far`` and ``change`` (from
            the previous row of the same scenario) follow the private score,
            the one that decides a leaderboard.
        """
        c = _db.practice.c
        query = sa.select(
            c.created_at, c.scenario_id, c.seed, c.name, c.metric, c.public_score, c.private_score, c.all_score
        ).where(c.user_name == self.user)
        if scenario_id is not None:
            query = query.where(c.scenario_id == scenario_id)
        with self._store.read() as conn:
            rows = conn.execute(query.order_by(c.id)).all()
        table = pd.DataFrame(
            rows, columns=["recorded_at", "scenario_id", "seed", "name", "metric", "public", "private", "all"]
        )
        for column in ("public", "private", "all"):
            table[column] = table[column].astype(float)
        higher = table["metric"].map(greater_is_better).astype(bool)
        signed = table["private"].where(higher, -table["private"])
        best = signed.groupby(table["scenario_id"]).cummax()
        table["best_so_far"] = best.where(higher, -best)
        table["change"] = table.groupby("scenario_id")["private"].diff()
        return table

    def summary(self, scenario_id: str) -> str:
        """One line: how many reports, first and last private score, the best.

        Examples
        --------
        >>> import tempfile, os, casestudies as cs
        >>> cs.PracticeLog(os.path.join(tempfile.mkdtemp(), "me.sqlite")).summary("fraud-v1")
        "no practice reports for 'fraud-v1' yet"
        """
        table = self.history(scenario_id)
        if table.empty:
            return f"no practice reports for {scenario_id!r} yet"
        metric = metric_label(str(table["metric"].iloc[-1]))
        first, last, best = table["private"].iloc[0], table["private"].iloc[-1], table["best_so_far"].iloc[-1]
        where = int(np.flatnonzero(table["private"].to_numpy() == best)[0]) + 1 if np.isfinite(best) else 0
        return f"{scenario_id}: {len(table)} reports; private {metric} {first:.3f} -> {last:.3f} (best {best:.3f}, report {where})"

    def dispose(self) -> None:
        """Release the store's connections."""
        self._store.dispose()
