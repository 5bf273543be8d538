"""Where leaderboards and practice histories live: SQLite by default, PostgreSQL by URL.

One SQLAlchemy Core schema serves both. Writes run in short transactions
that take the write lock *before* reading (SQLite: ``BEGIN IMMEDIATE``;
PostgreSQL: row locks), so "read the participant's best, decide, append" is
atomic even with many processes submitting at once. SQLite files run in WAL
mode with a busy timeout and ``synchronous=FULL``: a writer killed mid-way
leaves the file readable with every committed row intact. Writers of one
SQLite file queue on an ``flock`` of a side file (``<store>.writer-lock``),
which the last writer out removes.

The store holds the host's seed and the holdout labels, so a SQLite store is
created readable by its owner only (mode 0600; SQLite gives its ``-wal`` and
``-shm`` files the same mode, and the lock file is created 0600 too).

Nothing stored is ever changed or deleted: triggers make submissions,
participants, selections and practice rows append-only, and a board row may
only change once, from open to closed. The schema carries its version in the
``meta`` table; a store written by a newer casestudies is refused, not guessed at.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from casestudies.exceptions import StoreError

if sys.platform != "win32":
    import fcntl
else:  # pragma: no cover - Windows has no flock; SQLite's busy timeout alone queues writers
    fcntl = None

SCHEMA_VERSION: Final[int] = 1
BUSY_TIMEOUT_SECONDS: Final[float] = 60.0

PRIVATE_FILE_MODE: Final[int] = 0o600
"""Files holding the seed and labels (the store, its lock): readable and writable by their owner only."""

PRIVATE_FOLDER_MODE: Final[int] = 0o700
"""Folders the leaderboard creates: open to their owner only."""

_DISK_FULL: Final[tuple[str, ...]] = ("disk is full", "no space left", "disk full", "quota exceeded")
_READ_ONLY: Final[tuple[str, ...]] = ("readonly", "read-only", "read only", "permission denied")
_BUSY: Final[tuple[str, ...]] = ("locked", "busy")
_USER_PASSWORD: Final = re.compile(r"(://[^:/@]*):[^@/]*@")
"""The ``user:password@`` of a URL, for hiding the password of one SQLAlchemy cannot parse."""
_FULL_ERRNOS: Final[frozenset[int]] = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_READ_ONLY_ERRNOS: Final[frozenset[int]] = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})

metadata = sa.MetaData()

meta = sa.Table(
    "casestudies_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

boards = sa.Table(
    "boards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("scenario_id", sa.String(200), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON
    sa.Column("seed", sa.BigInteger, nullable=False),  # the host's secret
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("id_column", sa.String(200), nullable=False),
    sa.Column("probabilities", sa.Boolean, nullable=False),
    sa.Column("metric", sa.String(64), nullable=False),
    sa.Column("higher_is_better", sa.Boolean, nullable=False),
    sa.Column("feedback", sa.String(32), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: digits, step, alpha, n_boot
    sa.Column("daily_limit", sa.Integer, nullable=True),
    sa.Column("n_final", sa.Integer, nullable=False),
    sa.Column("holdout", sa.LargeBinary, nullable=False),  # npz: ids, labels, public mask, costs
    sa.Column("n_public", sa.Integer, nullable=False),
    sa.Column("n_private", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40), nullable=True),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("board_id", sa.Integer, sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("board_id", "name", name="uq_participant_name"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("board_id", sa.Integer, sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),  # 1, 2, ... per participant
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),  # UTC date, for the daily limit
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("predictions_sha256", sa.String(64), nullable=False),
    sa.Column("public_score", sa.Double, nullable=False),
    sa.Column("private_score", sa.Double, nullable=False),
    sa.Column("improved", sa.Boolean, nullable=False),
    sa.Column("released_score", sa.Double, nullable=True),  # NULL: not released (Ladder)
    sa.Column("best_score", sa.Double, nullable=False),  # released best after this one
    sa.Column("threshold", sa.Double, nullable=True),
    sa.Column("replicates", sa.LargeBinary, nullable=True),  # float64 paired-bootstrap scores
    sa.UniqueConstraint("participant_id", "number", name="uq_submission_number"),
)
sa.Index("ix_submissions_participant_day", submissions.c.participant_id, submissions.c.day)

selections = sa.Table(
    "selections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False),
    sa.Column("numbers", sa.Text, nullable=False),  # JSON list of submission numbers
    sa.Column("created_at", sa.String(40), nullable=False),
)

practice = sa.Table(
    "practice",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.String(200), nullable=False),
    sa.Column("scenario_id", sa.String(200), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("metric", sa.String(64), nullable=False),
    sa.Column("public_score", sa.Double, nullable=True),
    sa.Column("private_score", sa.Double, nullable=True),
    sa.Column("all_score", sa.Double, nullable=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("report", sa.Text, nullable=False),  # the report's JSON
)
sa.Index("ix_practice_user_scenario", practice.c.user_name, practice.c.scenario_id)

APPEND_ONLY: Final[tuple[sa.Table, ...]] = (participants, submissions, selections, practice, meta)


def _sqlite_guards() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            if table is meta and action == "UPDATE":
                continue  # the schema version moves forward on migration
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table.name}_no_{action.lower()} BEFORE {action} ON {table.name} "
                f"BEGIN SELECT RAISE(ABORT, 'casestudies: {table.name} rows are never changed or deleted'); END"
            )
    unchanged = " AND ".join(
        f"NEW.{column.name} IS OLD.{column.name}" for column in boards.columns if column.name != "closed_at"
    )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS boards_only_close BEFORE UPDATE ON boards "
        f"WHEN NOT (OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL AND {unchanged}) "
        "BEGIN SELECT RAISE(ABORT, 'casestudies: a board row only changes once, from open to closed'); END"
    )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS boards_no_delete BEFORE DELETE ON boards "
        "BEGIN SELECT RAISE(ABORT, 'casestudies: boards are never deleted'); END"
    )
    return statements


def _postgres_guards() -> list[str]:
    unchanged = " AND ".join(
        f"NEW.{column.name} IS NOT DISTINCT FROM OLD.{column.name}"
        for column in boards.columns
        if column.name != "closed_at"
    )
    statements = [
        "CREATE OR REPLACE FUNCTION casestudies_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'casestudies: % rows are never changed or deleted', TG_TABLE_NAME; END $$",
        "CREATE OR REPLACE FUNCTION casestudies_board_only_close() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'UPDATE' AND OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL "
        f"AND {unchanged} THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'casestudies: a board row only changes once, from open to closed'; END $$",
        "CREATE TRIGGER boards_only_close BEFORE UPDATE OR DELETE ON boards "
        "FOR EACH ROW EXECUTE FUNCTION casestudies_board_only_close()",
    ]
    for table in APPEND_ONLY:
        actions = "DELETE" if table is meta else "UPDATE OR DELETE"
        statements.append(
            f"CREATE TRIGGER {table.name}_append_only BEFORE {actions} ON {table.name} "
            "FOR EACH ROW EXECUTE FUNCTION casestudies_append_only()"
        )
    return statements


def utc_now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.timezone.utc)


def timestamp(moment: dt.datetime) -> str:
    """ISO-8601 UTC text with microseconds: sorts as it compares."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def describe_store(store: str | os.PathLike[str]) -> str:
    """The store's location for messages, without any password in a URL (even one that cannot be parsed).

    Examples
    --------
    >>> describe_store("postgresql://ann:s3cret@host/db")
    'postgresql://ann:***@host/db'
    >>> describe_store("postgresql://ann:s3cret@host:notaport/db")
    'postgresql://ann:***@host:notaport/db'
    """
    text = os.fspath(store)
    if "://" not in text:
        return text
    try:
        return sa.engine.make_url(text).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return _USER_PASSWORD.sub(r"\1:***@", text)


def _url_of(store: str | os.PathLike[str], *, create: bool) -> sa.engine.URL:
    text = os.fspath(store)
    if "://" in text:
        try:
            url = sa.engine.make_url(text)
            _ = url.port  # a port that is not a number fails here, not later
        except (sa.exc.ArgumentError, ValueError) as err:
            message = (
                f"store URL {describe_store(text)!r} cannot be parsed ({type(err).__name__}: {err}). "
                "Pass a SQLite file path or a URL like postgresql+psycopg://user@host/db."
            )
            raise StoreError(message) from err
        return url
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise StoreError(
            f"store {text!r} is a folder; expected a SQLite file such as {str(Path(text) / 'leaderboard.sqlite')!r}."
        )
    if not path.exists():
        if not create:
            message = f"no leaderboard store at {text!r}. Create one with casestudies.Leaderboard.create(...)."
            raise StoreError(message)
        if not path.parent.is_dir():
            raise StoreError(
                f"cannot create store {text!r}: folder {str(path.parent)!r} does not exist. Create it first."
            )
        _create_private_file(path, text)
    return sa.engine.URL.create("sqlite", database=str(path))


def _create_private_file(path: Path, shown: str) -> None:
    """Create an empty SQLite file readable by its owner only (SQLite then creates ``-wal``/``-shm`` alike).

    Raises
    ------
    StoreError
        If the folder does not let us create it.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return  # another process created it first; it opens it as we would
    except OSError as err:
        message = f"cannot create store {shown!r}: {err.strerror}. Pick a folder you can write to."
        raise StoreError(message) from err
    os.close(descriptor)


def storage_problem(err: BaseException) -> str:
    """What went wrong with the store, in words that name no path (for a server's answer).

    Looks through the chain of causes (an ``OSError``'s errno, SQLite's or
    PostgreSQL's message) for a full disk, a read-only store or a busy one.

    Examples
    --------
    >>> import errno
    >>> storage_problem(OSError(errno.ENOSPC, "No space left on device"))
    "the server's disk is full"
    >>> storage_problem(StoreError("store '/srv/x.sqlite' is unavailable (attempt to write a readonly database)"))
    'the store is read-only'
    """
    texts = []
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno in _FULL_ERRNOS:
            return "the server's disk is full"
        if isinstance(cause, OSError) and cause.errno in _READ_ONLY_ERRNOS:
            return "the store is read-only"
        texts.append(str(getattr(cause, "orig", None) or cause).lower())
        cause = cause.__cause__
    text = " ".join(texts)
    for words, problem in (
        (_DISK_FULL, "the server's disk is full"),
        (_READ_ONLY, "the store is read-only"),
        (_BUSY, "the store is busy"),
    ):
        if any(word in text for word in words):
            return problem
    return "the store is unavailable"


class Store:
    """An open leaderboard store (one engine, the schema checked).

    Parameters
    ----------
    store : str or path-like
        A SQLite file path (created if ``create``), or a SQLAlchemy URL such
        as ``postgresql+psycopg://user@host/db``.
    create : bool, default=False
        Create the file and the schema when missing.
    """

    def __init__(self, store: str | os.PathLike[str], *, create: bool = False) -> None:
        self.location = describe_store(store)
        url = _url_of(store, create=create)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        self._writer_lock = f"{url.database}.writer-lock" if self.is_sqlite and fcntl is not None else None
        try:
            if self.is_sqlite:
                self.engine = sa.create_engine(
                    url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
                )
                _configure_sqlite(self.engine)
            else:
                self.engine = sa.create_engine(url, pool_pre_ping=True)
        except (ImportError, sa.exc.ArgumentError) as err:
            hint = (
                f"A store is a SQLite file path or a URL like postgresql+psycopg://user@host/db; "
                f"{url.drivername + '://'!r} is neither."
                if isinstance(err, sa.exc.NoSuchModuleError)
                else "For PostgreSQL install a driver: pip install 'psycopg[binary]'."
            )
            raise StoreError(f"cannot open store {self.location!r}: {err}. {hint}") from err
        try:
            self._prepare(create)
        except sa.exc.DatabaseError as err:
            self.engine.dispose()
            raise StoreError(
                f"{self.location!r} is not a readable leaderboard store ({type(err.orig).__name__}: {err.orig})."
            ) from err

    def _prepare(self, create: bool) -> None:
        with self.read() as conn:
            exists = sa.inspect(conn).has_table(meta.name)
            version = (
                conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar() if exists else None
            )
        if version is None:
            if not create:
                message = (
                    f"{self.location!r} holds no leaderboard store (no casestudies schema). "
                    "Create one with casestudies.Leaderboard.create(...)."
                )
                raise StoreError(message)
            with self.write() as conn:
                if not sa.inspect(conn).has_table(meta.name):
                    metadata.create_all(conn)
                    for statement in _sqlite_guards() if self.is_sqlite else _postgres_guards():
                        # The DBAPI reads % as a placeholder marker; "%%" is a literal "%".
                        conn.exec_driver_sql(statement if self.is_sqlite else statement.replace("%", "%%"))
                    conn.execute(
                        meta.insert(),
                        [
                            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                            {"key": "created_at", "value": timestamp(utc_now())},
                        ],
                    )
            return
        if int(version) > SCHEMA_VERSION:
            message = (
                f"store {self.location!r} has schema version {version}, "
                f"newer than this casestudies understands ({SCHEMA_VERSION}). Upgrade casestudies to open it."
            )
            raise StoreError(message)
        if int(version) < SCHEMA_VERSION:  # pragma: no cover - no older versions exist yet
            message = (
                f"store {self.location!r} has schema version {version}; "
                f"this casestudies needs {SCHEMA_VERSION} and has no migration for it."
            )
            raise StoreError(message)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection inside a read transaction (a consistent snapshot)."""
        with self._unavailable_as_store_error(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection inside a write transaction; committed on success, rolled back on error.

        On SQLite the write lock is taken at ``BEGIN``, so whatever the block
        reads cannot change before it commits.
        """
        with self._unavailable_as_store_error(), self._writers_queue(), self.engine.connect() as conn:
            conn.execution_options(casestudies_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _writers_queue(self) -> Iterator[None]:
        """On SQLite, wait for one's turn to write in the kernel (``flock``), not in SQLite's busy loop.

        SQLite's busy handler polls with back-off sleeps of up to 100 ms, which
        under many concurrent writers wastes most of the time asleep. An
        exclusive ``flock`` on a side file queues writers without polling, and
        the kernel releases it when its holder exits, however it exits. Each
        acquisition opens its own descriptor, so threads queue too. The holder
        removes the file before letting go, so none is left behind; a writer
        that was waiting on the removed file sees it is gone and queues on the
        new one (:meth:`_lock_writers`). SQLite's own lock stays the guarantee.

        Raises
        ------
        StoreError
            If the lock file cannot be created (a read-only folder, a full disk).
        """
        if self._writer_lock is None:
            yield
            return
        descriptor = self._lock_writers(self._writer_lock)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(self._writer_lock)  # while holding the lock: nobody else holds the file at this path
            os.close(descriptor)  # releases the lock

    def _lock_writers(self, path: str) -> int:
        """An open descriptor holding the exclusive ``flock`` of the lock file now at ``path``."""
        while True:
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
            except OSError as err:
                message = (
                    f"store {self.location!r} cannot be written: its lock file cannot be created ({err.strerror}). "
                    "Nothing was written; check that its folder is writable and its disk not full."
                )
                raise StoreError(message) from err
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                held = os.fstat(descriptor)
                current = os.stat(path)
                if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
                    return descriptor
            except FileNotFoundError:
                pass  # its holder removed it while we waited: queue on the new one
            except BaseException:
                os.close(descriptor)
                raise
            os.close(descriptor)

    @contextlib.contextmanager
    def _unavailable_as_store_error(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.OperationalError as err:
            message = (
                f"store {self.location!r} is unavailable ({type(err.orig).__name__}: {err.orig}). "
                "Nothing was written by the failed operation; try again."
            )
            raise StoreError(message) from err

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: object, record: object) -> None:
        dbapi_connection.isolation_level = None  # type: ignore[attr-defined]  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("casestudies_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
