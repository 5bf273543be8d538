"""Figures as plain data: what a task or a diagnostic wants drawn, before anything draws it.

A task declares its figures and a diagnostic returns figure data as
:class:`FigureSpec` values (numbers and words, no matplotlib); one renderer
(:mod:`casestudies.report._render`) draws every one of them. A report gets
its task's figures from a :class:`FigureSource`, which computes them on first
use only, so scoring pays nothing for figures nobody asks for.

Every spec says its lesson in ``title``, names its axes with their units,
and gives each :class:`Series` a ``role`` (``submission``, ``baseline``,
``reference``, ``oracle``, ``chance`` or ``data``): the renderer draws
roles with line styles and markers, so a figure reads in greyscale.

Examples
--------
>>> from casestudies.report import FigureSpec, Marker, Series
>>> spec = FigureSpec(
...     name="cost",
...     kind="lines",
...     title="Alerting 0.5 % of rows costs least",
...     x_label="rows alerted (%)",
...     y_label="cost per row",
...     series=(Series("you", (0.0, 0.5, 1.0), (9.0, 4.0, 6.0), role="submission"),),
...     markers=(Marker("alert budget", "x", 0.5),),
... )
>>> spec.series[0].role, spec.markers[0].at
('submission', 0.5)
>>> FigureSource(lambda: (spec,)).specs()[0].name
'cost'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Role = Literal["submission", "baseline", "reference", "oracle", "chance", "data"]
"""What a series is: styles are assigned by role, so the same role looks the same in every figure."""

FigureKind = Literal[
    "pr_curve",
    "roc_curve",
    "reliability",
    "lines",
    "bars",
    "histogram",
    "intervals",
    "scatter",
    "learning_curve",
    "validation_curve",
]
"""How a figure is drawn; the first three and the two curves use scikit-learn's Display objects."""

ROLES: Final[tuple[str, ...]] = ("submission", "baseline", "reference", "oracle", "chance", "data")
KINDS: Final[tuple[str, ...]] = (
    "pr_curve",
    "roc_curve",
    "reliability",
    "lines",
    "bars",
    "histogram",
    "intervals",
    "scatter",
    "learning_curve",
    "validation_curve",
)


@dataclass(frozen=True, slots=True)
class Series:
    """One line, set of bars or set of points of a figure.

    Parameters
    ----------
    label : str
        The legend entry.
    x, y : tuple
        Coordinates. ``x`` may hold category names (bars, categorical lines).
        A ``histogram`` series has one more ``x`` (bin edges) than ``y``; an
        ``intervals`` series has category names in ``y`` and estimates in ``x``.
    role : str, default="data"
        One of :data:`ROLES`; sets the line style and marker.
    low, high : tuple, default=()
        Lower and upper ends of an interval or band around each point.
    value : float or None, default=None
        The series' headline number (average precision of a PR curve, ROC AUC).
    samples : tuple of tuple, default=()
        Repeated measurements at each ``x`` (cross-validation folds), for the
        learning and validation curves' bands.
    """

    label: str
    x: tuple[float | str, ...]
    y: tuple[float | str, ...]
    role: Role = "data"
    low: tuple[float, ...] = ()
    high: tuple[float, ...] = ()
    value: float | None = None
    samples: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Marker:
    """A labelled reference line across a figure: ``axis="x"`` is vertical at ``x = at``, ``"y"`` horizontal."""

    label: str
    axis: Literal["x", "y"]
    at: float


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One figure as data: its name, lesson, axes, series and reference lines.

    Parameters
    ----------
    name : str
        Key in ``report.figures()``; also the file name of the figure in
        ``report.to_markdown(folder)``.
    kind : str
        One of :data:`KINDS`.
    title : str
        The lesson the figure shows, as a sentence.
    x_label, y_label : str
        Axis labels with their units.
    series : tuple of Series
    markers : tuple of Marker, default=()
    caption : str, default=""
        What to read in the figure (shown under it in HTML and Markdown).
    key : bool, default=False
        Shown inline by ``report._repr_html_()`` (the notebook view).
    x_log, y_log : bool, default=False
        Logarithmic axes.
    x_limits, y_limits : tuple of float or None, default=None
    """

    name: str
    kind: FigureKind
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    markers: tuple[Marker, ...] = ()
    caption: str = ""
    key: bool = False
    x_log: bool = False
    y_log: bool = False
    x_limits: tuple[float, float] | None = None
    y_limits: tuple[float, float] | None = None

    def series_named(self, label: str) -> Series:
        """The series whose legend entry is ``label``."""
        for series in self.series:
            if series.label == label:
                return series
        raise KeyError(f"figure {self.name!r} has no series {label!r}; it has {[s.label for s in self.series]}.")


class FigureSource:
    """Figure specs computed once, on first use, by ``build`` (thread-safe).

    Pickling or copying a source computes its specs and keeps them, so a
    copy holds plain data and no reference to whatever ``build`` closed over.
    """

    __slots__ = ("_build", "_lock", "_specs")

    def __init__(self, build: Callable[[], Sequence[FigureSpec]] | None = None) -> None:
        self._build = build
        self._specs: tuple[FigureSpec, ...] | None = None if build is not None else ()
        self._lock = threading.Lock()

    @classmethod
    def of(cls, specs: Sequence[FigureSpec]) -> FigureSource:
        """A source holding ``specs`` as they are."""
        source = cls()
        source._specs = tuple(specs)
        return source

    def specs(self) -> tuple[FigureSpec, ...]:
        """The figure specs (built on the first call)."""
        with self._lock:
            if self._specs is None:
                assert self._build is not None  # set whenever _specs is None
                self._specs = tuple(self._build())
                self._build = None  # release what the builder closed over
            return self._specs

    @property
    def computed(self) -> bool:
        """Whether the specs have been built."""
        return self._specs is not None

    def __reduce__(self) -> tuple[Callable[[Sequence[FigureSpec]], FigureSource], tuple[tuple[FigureSpec, ...]]]:
        return (FigureSource.of, (self.specs(),))

    def __repr__(self) -> str:
        state = f"{len(self._specs)} figures" if self._specs is not None else "not computed yet"
        return f"<figures: {state}>"
