"""Time in the movies world: release dates, hype, users' visits and sessions, and the order they rate in.

The observed period is that of MovieLens-100K (20 September 1997 to 22 April
1998). What moves in time:

- **Release dates.** Movie ages at the end of the period are exponential, so
  a few percent of the catalogue is released *during* the period (4.6 % in
  ML-100K). Nobody rates a movie before its release.
- **Exposure by age, and hype.** A movie's exposure log-odds fall with the
  log of its age when a user sees it, plus a hype burst that decays
  exponentially after release (:func:`exposure_by_age`).
- **Visits and sessions.** Each user starts on some day of the period; most
  rate everything in one sitting (68 % of ML-100K users rate within a
  day), the others come back for a few more sessions over weeks. Inside a
  session, ratings follow each other seconds apart.
- **The order users rate in.** A user first rates what they remember best:
  popular, recent movies they loved; later ratings dig into older, obscure
  and merely-liked ones (ML-100K: the movies of a user's last fifth have 0.6
  times the ratings of their first fifth and 0.3 fewer stars). This, with
  the drift of what users seek out (see ``_world``), is what makes their
  future harder to predict than a random holdout.

.. versionadded:: 0.2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

__all__ = ["END", "START", "Visits", "draw_visits", "exposure_by_age", "release_dates", "stamp"]

START: Final = np.datetime64("1997-09-20T00:00:00", "s")
END: Final = np.datetime64("1998-04-22T23:59:59", "s")
_SPAN: Final[float] = float((END - START).astype(np.int64))
_YEAR: Final[float] = 365.25 * 86_400.0
_DAY: Final[float] = 86_400.0

# Release dates.
# Ages at the end of the period: a share of classics (exponential ages), the rest recent (gamma ages), which
# gives ML-100K's release years (median 1995, 21 % from 1997 on, 4.6 % released during the period).
_CLASSIC_SHARE: Final[float] = 0.25
_CLASSIC_MEAN_AGE_YEARS: Final[float] = 25.0
_RECENT_AGE_SHAPE: Final[float] = 2.0
_RECENT_AGE_SCALE_YEARS: Final[float] = 1.3
_MAX_AGE_YEARS: Final[float] = 78.0  # the oldest movies are from 1920
# Exposure by age (log-odds).
_AGE_WEIGHT: Final[float] = 0.25  # per unit of log(1 + age in years)
_HYPE: Final[float] = 1.5  # extra log-odds of a fresh release
_HYPE_DAYS: Final[float] = 30.0  # e-folding time of the hype
# Visits.
_START_SKEW: Final[float] = 1.1  # a user's first day is at u ** _START_SKEW of the period
_LATEST_START_SHARE: Final[float] = 0.95  # every user starts before this share of the period has passed
_ONE_SITTING_SHARE: Final[float] = 0.62  # users who rate everything in one session
_MEAN_RETURN_SHARE: Final[float] = 0.3  # returning users: mean span of their visits, as a share of the period
_RATINGS_PER_SESSION: Final[float] = 40.0  # returning users: one more session per this many ratings (mean)
_FIRST_SESSION_WEIGHT: Final[float] = 2.0  # the first session holds this many times a later one's share
_MEAN_GAP_SECONDS: Final[float] = 30.0  # mean gap between two ratings of a session (at least one second)
# The order a user rates their movies in (log-odds of coming first).
ORDER_APPEAL: Final[float] = 0.2  # widely seen movies first
ORDER_LIKING: Final[float] = 0.3  # loved movies first (per unit of latent score)
ORDER_RECENCY: Final[float] = 0.2  # recent movies first (per unit of log(1 + age in years))
_STAMP_BLOCK: Final[int] = 1_000_000  # ratings stamped at once: a few tens of MB of temporaries


def release_dates(n_movies: int, rng: np.random.Generator) -> np.ndarray:
    """Release dates (``datetime64[s]``): classics and recent movies, ages capped at 78 years.

    Examples
    --------
    >>> import numpy as np
    >>> dates = release_dates(1_000, np.random.default_rng(0))
    >>> bool((dates <= END).all()), bool(0.02 < (dates >= START).mean() < 0.1)
    (True, True)
    """
    classic = rng.random(n_movies) < _CLASSIC_SHARE
    recent = rng.gamma(_RECENT_AGE_SHAPE, _RECENT_AGE_SCALE_YEARS, size=n_movies)
    age = np.where(classic, rng.exponential(_CLASSIC_MEAN_AGE_YEARS, size=n_movies), recent)
    age = np.minimum(age, _MAX_AGE_YEARS) * _YEAR
    dates: np.ndarray = END - age.astype(np.int64).astype("timedelta64[s]")
    return dates


def exposure_by_age(age_seconds: np.ndarray) -> np.ndarray:
    """Exposure log-odds of movies seen ``age_seconds`` after release: a decaying hype minus an age penalty.

    Negative ages (not released yet) give ``-inf``.

    Examples
    --------
    >>> import numpy as np
    >>> exposure_by_age(np.array([-1.0, 0.0, 3.156e7 * 10])).round(2)
    array([-inf,  1.5, -0.6])
    """
    age = np.maximum(age_seconds, 0.0)
    term = _HYPE * np.exp(-age / (_HYPE_DAYS * _DAY)) - _AGE_WEIGHT * np.log1p(age / _YEAR)
    return np.where(age_seconds < 0, -np.inf, term)


def age_years(age_seconds: np.ndarray) -> np.ndarray:
    """``log(1 + age in years)`` of non-negative ages (negative ones count as new)."""
    result: np.ndarray = np.log1p(np.maximum(age_seconds, 0.0) / _YEAR)
    return result


@dataclass(frozen=True, slots=True)
class Visits:
    """When each user is around: first and last moment, as seconds after :data:`START`, and session counts."""

    first: np.ndarray
    last: np.ndarray
    sessions: np.ndarray

    def seen_at(self, users: np.ndarray, release: np.ndarray) -> np.ndarray:
        """When user ``users[i]`` meets each movie (seconds after START): their midpoint, or the release if later.

        Returns an array ``(len(users), n_movies)``; entries after the user's
        last moment mean the movie came out after they left.
        """
        middle = (0.5 * (self.first + self.last))[users, None]
        released = (release - START).astype(np.int64).astype(np.float64)[None, :]
        when: np.ndarray = np.maximum(middle, released)
        return when


def draw_visits(counts: np.ndarray, rng: np.random.Generator) -> Visits:
    """Each user's first day, sessions and last moment (their last session starts then).

    Examples
    --------
    >>> import numpy as np
    >>> visits = draw_visits(np.array([20, 300, 50]), np.random.default_rng(1))
    >>> bool((visits.first <= visits.last).all()), bool((visits.sessions >= 1).all())
    (True, True)
    """
    n_users = len(counts)
    first = rng.random(n_users) ** _START_SKEW * _SPAN * _LATEST_START_SHARE
    returning = rng.random(n_users) >= _ONE_SITTING_SHARE
    extra = 1 + rng.poisson(counts / _RATINGS_PER_SESSION)
    sessions = np.where(returning, 1 + extra, 1)
    span = np.minimum(_SPAN - first, rng.exponential(_MEAN_RETURN_SHARE * _SPAN, size=n_users))
    # One sitting lasts about counts * gap seconds; returning users' last session starts ``span`` later.
    last = first + np.where(returning, span, 0.0)
    return Visits(first=first, last=last, sessions=sessions)


def stamp(
    user_index: np.ndarray,
    order_key: np.ndarray,
    release: np.ndarray,
    movie_index: np.ndarray,
    visits: Visits,
    rng: np.random.Generator,
) -> np.ndarray:
    """Timestamps (``datetime64[s]``) of the ratings: each user's in ``order_key`` order, highest first.

    The user's ratings are cut into sessions (the first the largest), the
    sessions start at the user's first moment and at sorted random moments
    up to their last; inside a session ratings are seconds apart. A rating
    that would precede its movie's release moves to a moment after it (a
    return visit for a new release), within the period.
    """
    n = len(user_index)
    order = np.lexsort((-order_key, user_index))  # by user, first-rated first
    counts = np.bincount(user_index, minlength=len(visits.first))
    present = np.flatnonzero(counts)
    sizes = counts[present]
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    # Session start times: 0 for the first, then sorted uniform shares of the user's span.
    max_sessions = int(visits.sessions.max())
    offsets = np.sort(rng.random((len(visits.first), max_sessions)), axis=1)
    offsets[:, 0] = 0.0
    offsets = np.sort(offsets, axis=1)
    span = visits.last - visits.first
    # The per-rating work runs by blocks of sorted ratings: temporaries of a block, not of every rating.
    blocks = [slice(start, min(n, start + _STAMP_BLOCK)) for start in range(0, n, _STAMP_BLOCK)]
    # Session of each rating: the first session holds _FIRST_SESSION_WEIGHT shares, the others one each.
    session = np.empty(n, dtype=np.int32)
    for part in blocks:
        users = user_index[order[part]]
        rank = np.searchsorted(present, users)
        share = (np.arange(part.start, part.stop) - starts[rank] + 0.5) / sizes[rank]  # where in their sequence
        n_sessions = visits.sessions[users]
        total = _FIRST_SESSION_WEIGHT + (n_sessions - 1)
        later = np.minimum(n_sessions - 1, 1 + np.floor(share * total - _FIRST_SESSION_WEIGHT))
        session[part] = np.where(share * total < _FIRST_SESSION_WEIGHT, 0, later)
    # Seconds since the start of the session: cumulative gaps within (user, session) runs.
    new_run = np.empty(n, dtype=bool)
    new_run[:1] = True
    for part in blocks:
        low, high = max(part.start, 1), part.stop
        here, before = user_index[order[low:high]], user_index[order[low - 1 : high - 1]]
        new_run[low:high] = (here != before) | (session[low:high] != session[low - 1 : high - 1])
    run_start = np.flatnonzero(new_run)
    del new_run
    cumulative = rng.exponential(_MEAN_GAP_SECONDS, size=n)
    np.floor(cumulative, out=cumulative)
    cumulative += 1.0  # the gaps, summed in place below
    run_base = cumulative[run_start].copy()
    np.cumsum(cumulative, out=cumulative)
    run_base = cumulative[run_start] - run_base  # the cumulative sum before each run
    released_all = (release - START).astype(np.int64).astype(np.float64)
    out = np.empty(n, dtype=np.int64)
    for part in blocks:
        rows = order[part]
        users = user_index[rows]
        block_session = session[part].astype(np.int64)
        session_start = visits.first[users] + offsets[users, np.minimum(block_session, max_sessions - 1)] * span[users]
        session_start = np.where(block_session == 0, visits.first[users], session_start)
        run = np.searchsorted(run_start, np.arange(part.start, part.stop), side="right") - 1
        seconds = session_start + (cumulative[part] - run_base[run])
        # Not before the release: a later visit, a few days (the hype) after it, inside the period.
        released = released_all[movie_index[rows]]
        delay = rng.exponential(_HYPE_DAYS * _DAY / 3.0, size=len(rows))
        seconds = np.where(seconds < released, np.minimum(released + delay, _SPAN), seconds)
        out[rows] = np.minimum(seconds, _SPAN).astype(np.int64)
    stamps: np.ndarray = START + out.astype("timedelta64[s]")
    return stamps
