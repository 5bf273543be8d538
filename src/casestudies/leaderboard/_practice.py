"""Solo practice: a personal history of reports per scenario, with the score trend."""

from __future__ import annotations

import json
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from casestudies._public import present_as_public
from casestudies.core import counted, higher_is_better, metric_label
from casestudies.exceptions import InvalidParameterError
from casestudies.leaderboard._settings import Clock, StoreLike, check_name, none_if_nan
from casestudies.leaderboard._store import Store, practice, timestamp, utc_now
from casestudies.report import Report

MAX_REPORT_NAME_CHARS: Final[int] = 500
"""A report's submission name is cut to the width of the store's ``name`` column."""

_HISTORY_COLUMNS: Final[list[str]] = [
    "recorded_at",
    "scenario_id",
    "seed",
    "name",
    "metric",
    "public",
    "private",
    "all",
]


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
        self.user = check_name("PracticeLog()", "user", user)
        self._store = Store(store, create=True)
        self._clock: Clock = clock or utc_now

    def record(self, report: Report) -> dict[str, object]:
        """Append a report (from ``case.evaluate`` or ``case.score``) to the history.

        Returns
        -------
        dict
            The stored row: scenario, seed, name, metric and the primary
            metric on the public, private and whole holdout.

        Raises
        ------
        InvalidParameterError
            If ``report`` is not a :class:`~casestudies.Report`.
        """
        report = _as_report(report)
        data = report.to_dict()
        row = {
            "user_name": self.user,
            "scenario_id": report.scenario_id,
            "seed": int(report.seed),
            "fingerprint": report.fingerprint,
            "name": report.submission.name[:MAX_REPORT_NAME_CHARS],
            "metric": report.metric,
            "public_score": none_if_nan(report.primary("public")),
            "private_score": none_if_nan(report.primary("private")),
            "all_score": none_if_nan(report.primary("all")),
            "created_at": timestamp(self._clock()),
            "report": json.dumps(data, default=str),
        }
        with self._store.write() as conn:
            conn.execute(practice.insert().values(**row))
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
        c = practice.c
        query = sa.select(
            c.created_at, c.scenario_id, c.seed, c.name, c.metric, c.public_score, c.private_score, c.all_score
        ).where(c.user_name == self.user)
        if scenario_id is not None:
            query = query.where(c.scenario_id == scenario_id)
        with self._store.read() as conn:
            rows = conn.execute(query.order_by(c.id)).all()
        table: pd.DataFrame = pd.DataFrame(rows, columns=_HISTORY_COLUMNS)
        for column in ("public", "private", "all"):
            table[column] = table[column].astype(float)
        higher = table["metric"].map(higher_is_better).astype(bool)
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
        return (
            f"{scenario_id}: {counted(len(table), 'report')}; "
            f"private {metric} {first:.3f} -> {last:.3f} (best {best:.3f}, report {where})"
        )

    def dispose(self) -> None:
        """Release the store's connections."""
        self._store.dispose()


def _as_report(value: object) -> Report:
    """``value`` if it is a report; the type check runs whatever the caller's annotations say.

    Raises
    ------
    InvalidParameterError
        If it is anything else.
    """
    if not isinstance(value, Report):
        message = (
            "PracticeLog.record(): report must be a casestudies Report (from case.evaluate or case.score); "
            f"got {type(value).__name__}."
        )
        raise InvalidParameterError(message)
    return value


present_as_public(PracticeLog)
