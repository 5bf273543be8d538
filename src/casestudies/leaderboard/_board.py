"""Leaderboards for a study group or a class.

A :class:`Leaderboard` lives in a store (a SQLite file by default, PostgreSQL
by URL). The host creates it from a scenario with a secret seed, hands the
participants their data and tokens, and keeps the holdout labels: they are
written to the store, never to anything a participant receives. Each
submission is validated by the scenario's task, as :meth:`Case.score`
validates it, scored on the public and private parts of the holdout, and
answered with what the board's feedback mechanism lets the participant see
(see :mod:`casestudies.leaderboard._feedback` for the Ladder). The private
part decides the final standing at :meth:`Leaderboard.close`.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa
from numpy.typing import NDArray

from casestudies._public import present_as_public
from casestudies.case import Case, make
from casestudies.core import FORMATS, Choice, FileFormat, check, check_all, counted, did_you_mean, spec
from casestudies.exceptions import (
    InvalidParameterError,
    InvalidTokenError,
    LeaderboardError,
    UnknownLeaderboardError,
)
from casestudies.leaderboard._create import CREATE_RULES, board_row, insert_board, only_board, prepare_board
from casestudies.leaderboard._feedback import HoldoutScorer
from casestudies.leaderboard._handout import write_handout, write_record
from casestudies.leaderboard._ledger import Ledger
from casestudies.leaderboard._participants import check_new_names
from casestudies.leaderboard._practice import PracticeLog
from casestudies.leaderboard._settings import (
    DEFAULT_ALPHA,
    DEFAULT_DAILY_LIMIT,
    DEFAULT_DIGITS,
    DEFAULT_FEEDBACK,
    DEFAULT_N_FINAL,
    DEFAULT_STEP,
    MAX_LABEL_CHARS,
    SEED_BITS,
    BoardHoldout,
    BoardSettings,
    Clock,
    Feedback,
    StoreLike,
    check_name,
    hash_token,
    listed,
    new_token,
    predictions_sha256,
    shown,
)
from casestudies.leaderboard._standings import finals, private_table, public_table
from casestudies.leaderboard._store import Store, boards, timestamp, utc_now
from casestudies.leaderboard._submitting import FileBounds, store_submission, submission_scoring
from casestudies.leaderboard._taskboard import BINARY, ScoresSubmissions, TaskBoard, board_case, settings_task
from casestudies.scoring import DEFAULT_N_BOOT, BinaryTask, SubmissionContext

__all__ = ["Feedback", "Leaderboard", "PracticeLog"]

BOARD_TASK: Final[BinaryTask] = BinaryTask()
"""The task that validates a binary board's submissions.

It is fixed here rather than looked up in the scenario registry, so that a
binary board validates and scores from its store alone. Boards of the other
tasks validate with their task, on their case regenerated from the store's
seed (see :mod:`casestudies.leaderboard._taskboard`).
"""


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
    >>> params = {"n_customers": 300, "n_days": 35}
    >>> board = cs.Leaderboard.create(store, scenario="fraud-v1", params=params, seed=3)
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

    def __init__(
        self,
        store: Store,
        settings: BoardSettings,
        holdout: BoardHoldout,
        *,
        clock: Clock | None = None,
        task_board: TaskBoard | None = None,
    ) -> None:
        self._store = store
        self._ledger = Ledger(store, settings.id, settings.name)
        self._settings = settings
        self._clock: Clock = clock or utc_now
        self._task_board = task_board
        n_boot, seed, replicate = settings.n_boot, settings.seed, settings.feedback == "parameter-free"
        self._scorer: ScoresSubmissions = (
            HoldoutScorer(holdout, metric=settings.metric, n_boot=n_boot, seed=seed, replicate=replicate)
            if task_board is None
            else task_board.scorer(settings.metric, n_boot=n_boot, seed=seed, replicate=replicate)
        )
        n_rows = settings.n_public + settings.n_private if task_board is None else task_board.file_rows
        self._bounds = FileBounds.for_test_set(n_rows)
        self._submission = SubmissionContext(
            scenario_id=settings.scenario_id,
            id_column=settings.id_column,
            test=pd.DataFrame({settings.id_column: holdout.ids}),
            scoring=submission_scoring(holdout.scoring, probabilities=settings.probabilities, metric=settings.metric),
        )

    # -- creating and opening --------------------------------------------------

    @classmethod
    def create(
        cls,
        store: StoreLike,
        *,
        scenario: str,
        name: str = "leaderboard",
        params: Mapping[str, object] | None = None,
        feedback: str = DEFAULT_FEEDBACK,
        metric: str | None = None,
        digits: int = DEFAULT_DIGITS,
        step: float = DEFAULT_STEP,
        alpha: float | None = DEFAULT_ALPHA,
        n_boot: int = DEFAULT_N_BOOT,
        daily_limit: int | None = DEFAULT_DAILY_LIMIT,
        n_final: int = DEFAULT_N_FINAL,
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
            Scenario id of any task type, e.g. ``"fraud-v1"``,
            ``"movies-rating-v1"``, ``"movies-topn-v1"`` or ``"houses-v1"``.
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
            Metric to rank by: the scenario's primary metric by default, or
            one of its secondary metrics a board can resample (binary boards
            also ``"accuracy"``, scores >= 0.5 read as positive; other tasks
            the metrics that average over held-out rows or users, see
            :data:`~casestudies.leaderboard._taskboard.TASK_BOARD_METRICS`).
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
        >>> params = {"n_customers": 300, "n_days": 35}
        >>> board = cs.Leaderboard.create(
        ...     store, scenario="fraud-v1", name="spring", params=params, feedback="exact", seed=1
        ... )
        >>> board.info()["feedback"], board.info()["metric"]
        ('exact', 'average_precision')
        """
        where = "Leaderboard.create()"
        values = {"scenario": scenario, "name": name, "feedback": feedback, "digits": digits, "step": step}
        values |= {"alpha": alpha, "n_boot": n_boot, "daily_limit": daily_limit, "n_final": n_final, "seed": seed}
        check_all(where, CREATE_RULES, values)
        check_name(where, "name", name)
        check(where, "export_format", export_format, Choice(FORMATS))
        if seed is None:
            seed = secrets.randbits(SEED_BITS)
        prepared = prepare_board(where, spec(scenario), metric, seed=seed, params=dict(params or {}))
        case, holdout, chosen, probabilities = prepared.case, prepared.holdout, prepared.metric, prepared.probabilities
        settings: dict[str, object] = {
            "digits": digits,
            "step": float(step),
            "alpha": None if alpha is None else float(alpha),
        }
        settings |= {"n_boot": n_boot, "scoring": dict(holdout.scoring), "task": prepared.task}
        row = board_row(
            case,
            holdout,
            name=name,
            seed=seed,
            metric=chosen,
            probabilities=probabilities,
            feedback=feedback,
            settings=settings,
            daily_limit=daily_limit,
            n_final=n_final,
            created_at=timestamp((clock or utc_now)()),
        )
        opened = Store(store, create=True)
        try:
            insert_board(opened, row)
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
        return cls._load(Store(store), name, clock=clock)

    @staticmethod
    def names(store: StoreLike) -> list[str]:
        """Names of the leaderboards in a store, oldest first."""
        opened = Store(store)
        try:
            with opened.read() as conn:
                return list(conn.execute(sa.select(boards.c.name).order_by(boards.c.id)).scalars())
        finally:
            opened.dispose()

    @classmethod
    def _load(cls, opened: Store, name: str | None, *, clock: Clock | None) -> Leaderboard:
        try:
            with opened.read() as conn:
                names = list(conn.execute(sa.select(boards.c.name).order_by(boards.c.id)).scalars())
                if name is None:
                    name = only_board(opened, names)
                row = conn.execute(sa.select(boards).where(boards.c.name == name)).mappings().first()
            if row is None:
                hint = did_you_mean(name, names)
                message = f"no leaderboard {name!r} in store {opened.location!r}.{hint} It has {names}."
                raise UnknownLeaderboardError(message)
        except BaseException:
            opened.dispose()
            raise
        settings = BoardSettings.from_row(row)
        # Everything needed to score is in the store: no scenario registry involved.
        holdout = BoardHoldout.unpack(row["holdout"], json.loads(row["settings"])["scoring"])
        if settings_task(row["settings"]) == BINARY:
            return cls(opened, settings, holdout, clock=clock)
        case = board_case(settings.scenario_id, settings.seed, settings.params, settings.fingerprint)
        return cls(opened, settings, holdout, clock=clock, task_board=TaskBoard.of(case))

    def dispose(self) -> None:
        """Release the store's connections (the board can be reopened any time)."""
        self._store.dispose()

    def __enter__(self) -> Leaderboard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"Leaderboard({s.name!r}, scenario={s.scenario_id!r}, metric={s.metric!r}, "
            f"feedback={s.feedback!r}, store={self._store.location!r})"
        )

    # -- what anyone may see ---------------------------------------------------

    @property
    def name(self) -> str:
        """The board's name."""
        return self._settings.name

    @property
    def closed(self) -> bool:
        """Whether the host has closed the board."""
        with self._store.read() as conn:
            return self._ledger.closed_at(conn) is not None

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
            closed_at = self._ledger.closed_at(conn)
            n_participants = self._ledger.count_participants(conn)
        return {
            "name": s.name,
            "scenario_id": s.scenario_id,
            "params": dict(s.params),
            "fingerprint": s.fingerprint,
            "id_column": s.id_column,
            "metric": s.metric,
            "higher_is_better": s.higher,
            "feedback": s.feedback,
            "feedback_settings": s.feedback_settings(),
            "daily_limit": s.daily_limit,
            "n_final": s.n_final,
            "n_public": s.n_public,
            "n_private": s.n_private,
            "participants": n_participants,
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
        s = self._settings
        with self._store.read() as conn:
            if private and self._ledger.closed_at(conn) is None:
                message = (
                    f"leaderboard {self.name!r} is open; its private standings are revealed "
                    "when the host closes it (Leaderboard.close())."
                )
                raise LeaderboardError(message)
            people = self._ledger.people(conn)
            rows = self._ledger.standing_rows(conn)
            chosen = self._ledger.selections(conn) if private else {}
        if private:
            return private_table(people, rows, chosen, higher=s.higher, n_final=s.n_final)
        return public_table(people, rows, higher=s.higher)

    # -- host operations -------------------------------------------------------

    def add_participant(self, name: str) -> str:
        """Register a participant and return their token (shown once; only its hash is stored).

        Raises
        ------
        InvalidParameterError
            If the name is malformed.
        LeaderboardError
            If the name reads like one on the board (see :meth:`add_participants`).
        LeaderboardClosedError
            If the board is closed.

        Examples
        --------
        >>> import tempfile, os, casestudies as cs
        >>> store = os.path.join(tempfile.mkdtemp(), "lb.sqlite")
        >>> params = {"n_customers": 300, "n_days": 35}
        >>> board = cs.Leaderboard.create(store, scenario="fraud-v1", params=params, seed=2)
        >>> token = board.add_participant("bo")
        >>> board.authenticate(token)
        'bo'
        """
        return self._add("add_participant()", [name])[name]

    def add_participants(self, names: Iterable[str]) -> dict[str, str]:
        """Register several participants at once -- all of them or none -- and return their tokens.

        Every name is checked before anything is written: it must be well
        formed and read unlike every name on the board and every other name
        given. Names read alike when they differ only in case, spacing,
        Unicode compatibility forms (full-width letters) or Cyrillic and Greek
        letters that look Latin (``аna`` with a Cyrillic ``а`` reads as
        ``ana``). Then all are added in one transaction.

        Parameters
        ----------
        names : iterable of str

        Returns
        -------
        dict
            Each name's token, in the order given (shown once; only hashes are stored).

        Raises
        ------
        InvalidParameterError
            If a name is malformed (every malformed one is listed); nothing is added.
        LeaderboardError
            If names read alike (every clash is listed); nothing is added.
        LeaderboardClosedError
            If the board is closed.

        Examples
        --------
        >>> import tempfile, os, casestudies as cs
        >>> store = os.path.join(tempfile.mkdtemp(), "lb.sqlite")
        >>> board = cs.Leaderboard.create(store, scenario="fraud-v1", params={"n_customers": 300, "n_days": 35}, seed=2)
        >>> sorted(board.add_participants(["ana", "bo"]))
        ['ana', 'bo']
        >>> try:
        ...     board.add_participants(["cy", "Ana "])
        ... except cs.exceptions.LeaderboardError as err:
        ...     print(str(err)[str(err).index("got") :])
        got 'Ana ' reads as 'ana' (already on the board). Pick other names; nothing was added.
        >>> board.participants()
        ['ana', 'bo']
        """
        return self._add("add_participants()", names)

    def _add(self, where: str, names: Iterable[str]) -> dict[str, str]:
        if isinstance(names, str):
            message = f"{where}: names must be a list of names; got the single string {shown(names)}. Pass [name]."
            raise InvalidParameterError(message)
        listed = list(names)
        check_new_names(where, listed, (), board=self.name)  # the form and each other, before the store
        tokens = {name: new_token() for name in listed}
        with self._store.write() as conn:
            self._ledger.require_open(conn, exclusive=True)
            hashes = [(name, hash_token(token)) for name, token in tokens.items()]
            self._ledger.add_participants(conn, hashes, created_at=timestamp(self._clock()), where=where)
        return tokens

    @staticmethod
    def check_names(names: Iterable[str]) -> list[str]:
        """Check participant names before a board exists: each well formed, no two read alike.

        :meth:`add_participants` checks the same, and the names already on the board.

        Raises
        ------
        InvalidParameterError
            If a name is malformed.
        LeaderboardError
            If two names read alike.

        Examples
        --------
        >>> import casestudies as cs
        >>> cs.Leaderboard.check_names(["ana", "bo"])
        ['ana', 'bo']
        """
        return check_new_names("Leaderboard.check_names()", list(names), (), board=None)

    def participants(self) -> list[str]:
        """Participant names, in the order they were added."""
        with self._store.read() as conn:
            return [name for _, name in self._ledger.people(conn)]

    def authenticate(self, token: str | None) -> str:
        """The participant a token belongs to.

        Raises
        ------
        InvalidTokenError
            If the token is empty or belongs to no participant of this board.
        """
        if not isinstance(token, str) or not token:
            message = f"leaderboard {self.name!r} needs a participant token; got none. Ask the host for yours."
            raise InvalidTokenError(message)
        with self._store.read() as conn:
            name = self._ledger.token_owner(conn, hash_token(token))
        if name is None:
            message = (
                f"that token belongs to no participant of leaderboard {self.name!r}. "
                "Check it for typos or ask the host for yours."
            )
            raise InvalidTokenError(message)
        return name

    # -- submitting ------------------------------------------------------------

    def validate(self, predictions: object) -> NDArray[np.float64]:
        """Validate a submission as :meth:`Case.score` does; return the scores in test order.

        Raises
        ------
        SubmissionError
            Listing every problem at once.
        """
        if self._task_board is not None:
            return self._task_board.validate(predictions)
        return BOARD_TASK.validate(predictions, self._submission)

    def submit(
        self, participant: str, predictions: object, *, label: str | None = None, file_name: str | None = None
    ) -> Feedback:
        """Score a participant's predictions and store the submission.

        Parameters
        ----------
        participant : str
            A participant's name (see :meth:`authenticate` for tokens).
        predictions : array-like, pandas.Series, pandas.DataFrame or path
            As :meth:`Case.score` accepts for the scenario's task: for scores,
            ratings and regression, values in test-row order, a Series
            indexed by id, a DataFrame with the id column (or ``id``) and
            ``prediction``, or a CSV/Parquet file with those columns; for
            top-N, ``user_id, movie_id, rank`` rows (or a file of them).
        label : str, optional
            A note to oneself (for example the model's name).
        file_name : str, optional
            For a file, the name its messages show instead of its path (a
            server shows the upload's name, not its temporary file).

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

        Nothing is stored when an error is raised. A file is read within
        bounds on what it holds once decompressed (twice the test set's rows,
        plus 1,000, at 96 bytes a row): a larger one is refused with a
        ``TOO_LARGE`` problem before it is materialised.
        """
        s = self._settings
        label_text = "" if label is None else str(label)[:MAX_LABEL_CHARS]
        with self._store.read() as conn:  # cheap checks first, so the right error comes first
            self._ledger.require_open(conn)
            self._ledger.participant_id(conn, participant, lock=False)
        if isinstance(predictions, (str, os.PathLike)):  # read within the board's bounds, then validate
            predictions = self._bounds.read(predictions, scenario_id=s.scenario_id, shown_as=file_name)
        values = self.validate(predictions)
        scores = self._scorer.score(values)
        return store_submission(
            self._store, self._ledger, s, self._clock, participant, label_text, predictions_sha256(values), scores
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
        s = self._settings
        with self._store.read() as conn:
            participant_id = self._ledger.participant_id(conn, participant, lock=False)
            table = self._ledger.history(conn, participant_id)
            chosen = self._ledger.selections(conn).get(participant_id)
            counted: set[int] = set()
            if chosen is not None:
                counted = set(chosen)
            elif len(table):
                own = self._ledger.own_scores(conn, participant_id)
                counted = set(finals(own, None, higher=s.higher, n_final=s.n_final)["number"])
        table["selected"] = table["number"].isin(counted)
        return table

    def select(self, participant: str, numbers: Iterable[int]) -> list[int]:
        """Choose the submissions that count for the private standing (up to ``n_final``).

        Without a choice, a participant's ``n_final`` best public submissions
        (by the public scores they were shown) count. A new choice replaces
        the previous one; every choice is kept in the store.

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
        n_final = self._settings.n_final
        if not chosen or len(chosen) > n_final:
            message = (
                f"{where}: choose between 1 and {counted(n_final, 'submission')}; "
                f"got {len(chosen)} ({listed(chosen)}). "
                "Pass submission numbers from history()."
            )
            raise InvalidParameterError(message)
        with self._store.write() as conn:
            self._ledger.require_open(conn)
            participant_id = self._ledger.participant_id(conn, participant, lock=True)
            owned = self._ledger.numbers(conn, participant_id)
            unknown = [number for number in chosen if number not in owned]
            if unknown:
                have = f"1..{max(owned)}" if owned else "none yet"
                message = (
                    f"{where}: {participant!r} has no submissions numbered {listed(unknown)}; their numbers are {have}."
                )
                raise InvalidParameterError(message)
            self._ledger.select(conn, participant_id, chosen, created_at=timestamp(self._clock()))
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
            self._ledger.require_open(conn, exclusive=True)
            self._ledger.close(conn, timestamp(self._clock()))
        return self.standings(private=True)

    # -- exporting -------------------------------------------------------------

    def submissions(self) -> pd.DataFrame:
        """Every stored submission, host-side: exact public scores, and private ones once closed."""
        closed = self.closed
        with self._store.read() as conn:
            table = self._ledger.record(conn)
        return table if closed else table.drop(columns=["private_score"])

    def export_results(self, folder: StoreLike) -> list[Path]:
        """Write the board's record: ``board.json``, ``submissions.csv`` and the standings CSVs.

        Private scores and standings are written only once the board is closed.

        Returns
        -------
        list of Path
            The files written.
        """
        info, record, public = self.info(), self.submissions(), self.standings()
        private = self.standings(private=True) if self.closed else None
        return write_record(folder, info, record, public, private)

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
            message = (
                f"scenario {case.id!r} no longer generates the board's data (fingerprint changed); "
                "export from the casestudies version that created the board."
            )
            raise LeaderboardError(message)
        return write_handout(folder, case, self.info(), format=format)


present_as_public(Leaderboard)
