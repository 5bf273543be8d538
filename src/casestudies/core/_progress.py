"""Progress bars for the long steps of the everyday loop, or nothing at all.

One helper every feature uses: :class:`Progress` is a bar over the named
steps of one long task (the references of a case, an evaluation, the
variants of a take-home), and :func:`track` wraps a loop. Both draw with
``tqdm.auto``, which renders in terminals and notebooks, and both are
silent unless asked or unless someone is watching:

- ``progress=True`` / ``False`` turns them on or off for one call;
- ``progress=None`` (the default everywhere) follows the environment
  variable ``CASESTUDIES_PROGRESS`` (``0``/``off`` or ``1``/``on``) and
  otherwise shows bars only where a person reads the output: a terminal on
  standard error, or a Jupyter kernel. Output redirected to a file or a CI
  log stays clean.

A bar appears only once its task has run for :data:`DELAY_SECONDS`, so
quick calls print nothing, and while a step runs its elapsed time keeps
moving (a background tick), so a pipeline that fits for minutes still shows
a sign of life.

Examples
--------
>>> from casestudies.core import Progress, progress_enabled, track
>>> progress_enabled(False), progress_enabled(True)
(False, True)
>>> with Progress("references of fraud-v1", total=2, enabled=False) as bar:
...     with bar.step("fitting simple"):
...         pass
...     with bar.step("fitting expert"):
...         pass
>>> bar.done
2
>>> [n * n for n in track(range(4), "squares", enabled=False)]
[0, 1, 4, 9]
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar

if TYPE_CHECKING:
    from tqdm import tqdm as Bar

__all__ = ["DELAY_SECONDS", "PROGRESS_ENV", "Progress", "progress_enabled", "track"]

T = TypeVar("T")

PROGRESS_ENV: Final[str] = "CASESTUDIES_PROGRESS"
"""Environment variable that forces progress bars on (``1``, ``on``) or off (``0``, ``off``) by default."""

DELAY_SECONDS: Final[float] = 1.0
"""A bar shows only after its task has run this long: steps that finish sooner print nothing."""

TICK_SECONDS: Final[float] = 0.5
"""How often a running step's elapsed time is redrawn (between two steps the bar would otherwise freeze)."""

_ON: Final[frozenset[str]] = frozenset({"1", "true", "on", "yes"})
_OFF: Final[frozenset[str]] = frozenset({"0", "false", "off", "no"})


def _in_kernel() -> bool:
    """Whether this is a Jupyter kernel: IPython's running shell has a kernel (a terminal IPython has none).

    Only a running shell counts: a script that merely imports ``ipykernel`` (as
    notebook runners do) writes to a log or a terminal like any other.
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


def _watched() -> bool:
    """Whether a person reads the output: standard error is a terminal, or this is a Jupyter kernel."""
    if _in_kernel():
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether to draw progress bars: ``progress`` if given, else the environment (see the module docstring).

    Parameters
    ----------
    progress : bool or None, default=None
        ``True`` or ``False`` decides; ``None`` reads ``CASESTUDIES_PROGRESS``
        and otherwise draws only on a terminal or in a notebook.

    Examples
    --------
    >>> import os
    >>> from casestudies.core import progress_enabled
    >>> progress_enabled(True)
    True
    >>> os.environ["CASESTUDIES_PROGRESS"] = "off"
    >>> progress_enabled()
    False
    >>> del os.environ["CASESTUDIES_PROGRESS"]
    """
    if progress is not None:
        return bool(progress)
    setting = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if setting in _ON:
        return True
    if setting in _OFF:
        return False
    return _watched()


def _new_bar(title: str, total: int | None, unit: str) -> Bar[NoReturn]:
    # tqdm.auto picks the notebook widget when ipywidgets is installed; without it, it warns once and
    # falls back to the text bar, which notebooks show too: the warning would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm  # imported on first use: `import casestudies` stays light

        return tqdm(
            total=total,
            desc=title,
            unit=unit,
            delay=DELAY_SECONDS,
            leave=False,
            dynamic_ncols=True,
            file=sys.stderr,
        )


class Progress:
    """A progress bar over the named steps of one long task; nothing at all when disabled.

    Parameters
    ----------
    title : str
        What the task is, e.g. ``"references of fraud-v1"``.
    total : int or None
        Number of steps, if known.
    enabled : bool or None, default=None
        See :func:`progress_enabled`.
    unit : str, default="step"
        What one step is called.

    Attributes
    ----------
    done : int
        Steps finished so far (counted whether or not a bar is drawn).

    Examples
    --------
    >>> from casestudies.core import Progress
    >>> bar = Progress("variants", total=3, enabled=False)
    >>> for name in ("ada", "bob", "cy"):
    ...     with bar.step(f"drawing {name}'s variant"):
    ...         pass
    >>> bar.close()
    >>> bar.done, bar.enabled
    (3, False)
    """

    def __init__(self, title: str, *, total: int | None, enabled: bool | None = None, unit: str = "step") -> None:
        self.title = title
        self.total = total
        self.enabled = progress_enabled(enabled)
        self.done = 0
        self._bar: Bar[NoReturn] | None = _new_bar(title, total, unit) if self.enabled else None
        self._started = time.monotonic()
        self._running = threading.Event()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self._bar is not None:
            self._ticker = threading.Thread(target=self._tick, name=f"progress: {title}", daemon=True)
            self._ticker.start()

    def _due(self) -> bool:
        """Whether the task has run long enough for its bar to show."""
        return time.monotonic() - self._started >= DELAY_SECONDS

    def _tick(self) -> None:
        """Redraw the running step's elapsed time, once the bar is due to show."""
        while not self._stop.wait(TICK_SECONDS):
            bar = self._bar
            if bar is not None and self._running.is_set() and self._due():
                bar.refresh()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show ``label`` while the block runs, then count one step done."""
        if self._bar is not None:
            self._bar.set_description_str(f"{self.title}: {label}", refresh=self._due())  # a shown bar: at once
        self._running.set()
        try:
            yield
        finally:
            self._running.clear()
            self.advance()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` steps done."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Stop the bar (it is cleared from the screen); safe to call twice."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def track(
    items: Iterable[T], title: str, *, total: int | None = None, enabled: bool | None = None, unit: str = "step"
) -> Iterator[T]:
    """Yield ``items`` while a :class:`Progress` bar counts them.

    Parameters
    ----------
    items : iterable
        What the loop runs over.
    title : str
        What the loop does, e.g. ``"grading"``.
    total : int, optional
        Number of items; taken from ``len(items)`` when it has one.
    enabled : bool or None, default=None
        See :func:`progress_enabled`.
    unit : str, default="step"
        What one item is called.

    Examples
    --------
    >>> from casestudies.core import track
    >>> list(track(["ada", "bob"], "grading", enabled=False, unit="candidate"))
    ['ada', 'bob']
    """
    if total is None and isinstance(items, Sized):
        total = len(items)
    with Progress(title, total=total, enabled=enabled, unit=unit) as bar:
        for item in items:
            with bar.step(str(item)):
                yield item
