"""The one renderer: :class:`FigureSpec` values drawn with matplotlib, and written as inline SVG.

matplotlib is imported only when a figure is drawn (``report.figures()``,
``to_html``...), so ``import casestudies`` and plain scoring never load it.
Figures are ``matplotlib.figure.Figure`` objects made without pyplot (no
global state, no GUI backend: SVG is written by matplotlib's SVG backend,
PNG by Agg). PR, ROC and reliability curves, learning and validation
curves are drawn by scikit-learn's Display objects; the renderer only
restyles their lines by role so every figure reads in greyscale.

No layout engine runs: margins are fixed per figure from its own words
(the title wrapped to the figure's width, the widest tick or category
label, a legend moved under the axes when it is long), measured once with
matplotlib's own font metrics. Constrained layout measured every text on
each drawing and took about half of the time ``to_html`` spent drawing.

Examples
--------
>>> from casestudies.report import FigureSpec, Series
>>> from casestudies.report._render import draw, svg
>>> spec = FigureSpec("demo", "bars", "Train scores hide the gap", "score", "ROC-AUC",
...                   (Series("you", ("train", "cv"), (0.99, 0.71), role="submission"),))
>>> figure = draw(spec)
>>> figure.axes[0].get_title(loc="left")
'Train scores hide the gap'
>>> text = svg(spec)
>>> text.startswith("<svg") and "<title>Train scores hide the gap</title>" in text
True
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from casestudies.core import Markup, element, escape, join
from casestudies.report._figures import FigureSpec, Marker, Series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FIGURE_SIZE: Final[tuple[float, float]] = (5.0, 4.4)
"""Inches; the SVG scales to its container, so this sets the text-to-plot proportion, not the size on screen:
at 5 inches (360 pt) wide, the 9.5 pt text stays about 9.5 px on a 390 px phone screen."""

SVG_CACHE_SIZE: Final[int] = 64
"""Figures kept drawn as SVG (a notebook re-displaying a report, ``to_html`` after ``_repr_html_``)."""

_FONT_SIZE: Final[float] = 9.5
_TITLE_SIZE: Final[float] = 10.0
_LEGEND_SIZE: Final[float] = 8.5
"""Points: text, titles and legends (the margins of :func:`draw` are computed from them)."""

_BASE_STYLE: Final[Mapping[str, object]] = {
    "svg.fonttype": "none",  # text stays text: small files, selectable, styled by the page's fonts
    "font.family": "sans-serif",
    "font.size": _FONT_SIZE,
    "axes.titlesize": _TITLE_SIZE,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "0.3",
    "legend.fontsize": _LEGEND_SIZE,
    "axes.titlelocation": "left",
    "legend.framealpha": 0.9,
}
"""Shared look of every figure."""

_ROLE_STYLE: Final[Mapping[str, Mapping[str, object]]] = {
    "submission": {"color": "0.0", "linestyle": "-", "linewidth": 2.2, "marker": "o"},
    "oracle": {"color": "0.0", "linestyle": ":", "linewidth": 1.8, "marker": "D"},
    "reference": {"color": "0.3", "linestyle": "-.", "linewidth": 1.6, "marker": "^"},
    "baseline": {"color": "0.5", "linestyle": "--", "linewidth": 1.4, "marker": "s"},
    "chance": {"color": "0.55", "linestyle": ":", "linewidth": 1.0, "marker": ""},
    "data": {"color": "0.15", "linestyle": "-", "linewidth": 1.6, "marker": "o"},
}
"""Greyscale styles by role: line style and marker tell the series apart, not colour."""

_VARIANTS: Final[tuple[tuple[object, str, str], ...]] = (
    ("--", "s", "0.5"),
    ((0, (5, 1, 1, 1)), "v", "0.4"),
    ((0, (3, 1, 1, 1, 1, 1)), "P", "0.6"),
    ((0, (8, 2)), "X", "0.45"),
    (":", "<", "0.35"),
    ("-.", ">", "0.55"),
    (":", "p", "0.45"),
    ("-.", "h", "0.35"),
    (":", "*", "0.5"),
    ("-.", "d", "0.4"),
)
"""Line style, marker and grey of the second, third... series of one role (several baselines)."""

_DATA_VARIANTS: Final[tuple[tuple[object, str, str], ...]] = (
    ("-", "o", "0.1"),
    ("--", "s", "0.45"),
    (":", "^", "0.25"),
    ("-.", "D", "0.6"),
)
"""Styles of the series of a figure that has no submission, baselines or oracle (diagnostics)."""

_HATCHES: Final[tuple[str, ...]] = ("", "///", "...", "xx", "\\\\", "++")
"""Bar fills of successive series: patterns, not colours."""

_LEGEND_BELOW: Final[int] = 3
"""Legends with more entries go under the axes, where they hide no curve."""

_UPRIGHT_BARS: Final[int] = 5
"""Up to this many bars stand upright; more lie on their side, strongest first from the top."""

_MAX_MARKERS: Final[int] = 9
"""Markers drawn along a long line (every n-th point), enough to tell it apart in greyscale."""

_GLYPH: Final[float] = 0.58
"""Average width of a glyph of the sans-serif font (DejaVu Sans), in ems: generous, so text is never clipped."""

_BOLD_GLYPH: Final[float] = 0.66
"""The same for bold text (titles)."""

_LINE: Final[float] = 1.35
"""Height of a line of text, in ems, with the pad matplotlib puts around labels."""

_SLACK: Final[float] = 1.08
"""Measured text widths are taken this much wider: hinting at other resolutions, and a browser's own fonts."""

_TITLE_LINE: Final[float] = 1.5
"""Height of a line of a title, in ems."""

_LEGEND_LINE: Final[float] = 1.75
"""Height of a legend row under the axes (the handle and the spacing between rows), in ems."""

_NUMBER_WIDTH: Final[float] = 0.42
"""Inches of the numeric tick labels of the y axis (up to six characters: 0.0001, 12 500)."""

_MARGIN_RIGHT: Final[float] = 0.18
"""Inches right of the axes (the last x tick label sticks out by half its width)."""

_LEGEND_HANDLE: Final[float] = 0.55
"""Inches a legend entry takes besides its text (the line sample and the gaps)."""

_LEGEND_WIDE: Final[float] = 0.45
"""A legend entry wider than this share of the axes sends the legend under the axes."""

_LONG_LEGEND: Final[int] = 5
"""A legend under the axes with more entries than this takes two columns even when some entries must wrap."""

_MAX_LEFT: Final[float] = 0.45
"""Category names down the side take at most this share of the figure's width; longer ones end in an ellipsis."""

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_SVG_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_SVG_NAMESPACES = re.compile(r'\sxmlns(:xlink)?="[^"]*"')
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_ID = re.compile(r'(\sid="|href="#|url\(#)([^")]+)')


@contextmanager
def _style(name: str) -> Iterator[None]:
    """The shared look, and SVG ids salted by the figure's name (unique when several SVGs share a page)."""
    import matplotlib as mpl  # only when drawing: keeps scoring and `import casestudies` free of matplotlib

    settings: Any = {**_BASE_STYLE, "svg.hashsalt": f"casestudies-{name}"}  # matplotlib types keys as literals
    with mpl.rc_context(settings):
        yield


def _styles(series: Sequence[Series]) -> list[dict[str, Any]]:
    """One style per series: by role, varied within a role; diagnostics' plain data series by order."""
    seen: dict[str, int] = {}
    styles = []
    for item in series:
        index = seen.get(item.role, 0)
        seen[item.role] = index + 1
        style = dict(_ROLE_STYLE[item.role])
        if item.role in ("baseline", "data"):
            variants = _VARIANTS if item.role == "baseline" else _DATA_VARIANTS
            linestyle, marker, color = variants[index % len(variants)]
            style.update(linestyle=linestyle, marker=marker, color=color)
        styles.append(style)
    return styles


def _marks(n_points: int) -> int:
    return max(1, n_points // _MAX_MARKERS)


def _floats(values: Sequence[float | str]) -> np.ndarray:
    return np.asarray([float(v) for v in values], dtype=np.float64)


def _label(series: Series, number: str = "") -> str:
    if series.value is None or not number:
        return series.label
    return f"{series.label} ({number} {series.value:.3f})"


def _curve_kwargs(style: Mapping[str, Any], n_points: int) -> dict[str, Any]:
    return {**style, "markevery": _marks(n_points), "markersize": 4.5, "drawstyle": "default"}


def _pr_curve(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    from sklearn.metrics import PrecisionRecallDisplay

    for item, style in zip(spec.series, styles, strict=True):
        display = PrecisionRecallDisplay(precision=_floats(item.y), recall=_floats(item.x))
        kwargs = _curve_kwargs(style, len(item.x))
        kwargs["drawstyle"] = "steps-post"
        display.plot(ax=ax, name=_label(item, "AP"), curve_kwargs=kwargs)


def _roc_curve(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    from sklearn.metrics import RocCurveDisplay

    for item, style in zip(spec.series, styles, strict=True):
        display = RocCurveDisplay(fpr=_floats(item.x), tpr=_floats(item.y))
        display.plot(ax=ax, name=_label(item, "AUC"), curve_kwargs=_curve_kwargs(style, len(item.x)))


def _reliability(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    from sklearn.calibration import CalibrationDisplay

    for i, (item, style) in enumerate(zip(spec.series, styles, strict=True)):
        display = CalibrationDisplay(prob_true=_floats(item.y), prob_pred=_floats(item.x), y_prob=_floats(item.x))
        display.plot(ax=ax, name=item.label, ref_line=i == 0, **{**style, "markersize": 4.5})


def _cv_curve(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    """Learning or validation curve: train and validation, mean line and a band of one standard deviation."""
    from sklearn.model_selection import LearningCurveDisplay, ValidationCurveDisplay

    train, validation = spec.series[0], spec.series[1]
    train_scores = np.asarray(train.samples, dtype=np.float64)
    test_scores = np.asarray(validation.samples, dtype=np.float64)
    display: LearningCurveDisplay | ValidationCurveDisplay
    if spec.kind == "learning_curve":
        display = LearningCurveDisplay(
            train_sizes=_floats(train.x), train_scores=train_scores, test_scores=test_scores, score_name=spec.y_label
        )
    else:
        positions = np.arange(len(train.x), dtype=np.float64)  # values may be None (no limit): placed evenly
        display = ValidationCurveDisplay(
            param_name=spec.x_label,
            param_range=positions,
            train_scores=train_scores,
            test_scores=test_scores,
            score_name=spec.y_label,
        )
    display.plot(ax=ax, std_display_style="fill_between", fill_between_kw={"alpha": 0.18, "color": "0.5"})
    for line, band, item, style in zip(display.lines_, display.fill_between_ or [], spec.series, styles, strict=False):
        line.set(**{**style, "markersize": 4.5}, label=item.label)
        band.set(hatch="///" if item is validation else "", facecolor="0.85" if item is validation else "0.7")
    if spec.kind == "validation_curve":
        ax.set_xticks(np.arange(len(train.x)), [str(v) for v in train.x])
        ax.set_xscale("linear")


def _lines(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    categorical = any(isinstance(v, str) for item in spec.series for v in item.x)
    ticks: list[str] = []
    for item, style in zip(spec.series, styles, strict=True):
        if categorical:
            ticks = [str(v) for v in item.x] if len(item.x) > len(ticks) else ticks
            x = np.arange(len(item.x), dtype=np.float64)
        else:
            x = _floats(item.x)
        y = _floats(item.y)
        ax.plot(x, y, label=item.label, markevery=_marks(len(x)), markersize=4.5, **style)
        if item.low and item.high:
            ax.fill_between(x, item.low, item.high, color="0.6", alpha=0.2, linewidth=0)
    if categorical:
        ax.set_xticks(np.arange(len(ticks)), ticks)
    elif all(float(v).is_integer() for item in spec.series for v in item.x):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # submission numbers, months: no 1.5


def _scatter(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))  # wide numbers (prices) on a narrow axis must not touch
    for item, style in zip(spec.series, styles, strict=True):
        if item.role == "chance":  # the line a perfect prediction would sit on
            ax.plot(_floats(item.x), _floats(item.y), label=item.label, **{**style, "marker": ""})
            continue
        ax.plot(
            _floats(item.x),
            _floats(item.y),
            linestyle="none",
            marker=style["marker"] or "o",
            color=style["color"],
            markersize=7 if len(item.x) < _MAX_MARKERS else 3,
            label=item.label,
        )


def _horizontal(spec: FigureSpec) -> bool:
    """Bars lie on their side when there are many, or when their names would not fit under them side by side."""
    if spec.kind != "bars":
        return False
    names = [str(v) for v in spec.series[0].x]
    slot = (FIGURE_SIZE[0] - 1.0) / max(1, len(names))  # the room under each bar, about
    return len(names) > _UPRIGHT_BARS or max(_text_width(name, _FONT_SIZE) for name in names) > slot


def _bars(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    names = [str(v) for v in spec.series[0].x]
    width = 0.8 / len(spec.series)
    horizontal = _horizontal(spec)
    for i, item in enumerate(spec.series):  # bars tell series apart by fill and hatch, not by line style
        position = np.arange(len(item.x)) + (i - (len(spec.series) - 1) / 2) * width
        values = _floats(item.y)
        grey = str(0.2 + 0.7 * i / max(1, len(spec.series)))  # fills from dark to light, so hatches show
        hatch = _HATCHES[i % len(_HATCHES)]
        if horizontal:
            ax.barh(position, values, height=width, label=item.label, color=grey, edgecolor="0.0", hatch=hatch)
        else:
            ax.bar(position, values, width=width, label=item.label, color=grey, edgecolor="0.0", hatch=hatch)
        if item.low and item.high:
            error = np.maximum([values - np.asarray(item.low), np.asarray(item.high) - values], 0.0)
            if horizontal:
                ax.errorbar(values, position, xerr=error, fmt="none", ecolor="0.0", capsize=3)
            else:
                ax.errorbar(position, values, yerr=error, fmt="none", ecolor="0.0", capsize=3)
    if horizontal:
        ax.set_yticks(np.arange(len(names)), _truncate(names))
        ax.invert_yaxis()  # strongest first, at the top
        ax.set_xlabel(spec.y_label)
        ax.set_ylabel(spec.x_label)
    else:
        ax.set_xticks(np.arange(len(names)), names)


def _histogram(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    for i, (item, style) in enumerate(zip(spec.series, styles, strict=True)):
        ax.stairs(
            _floats(item.y),
            _floats(item.x),
            label=item.label,
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=1.8,
            hatch=_HATCHES[(i + 1) % len(_HATCHES)] if i else None,
            fill=False,
        )


def _intervals(ax: Axes, spec: FigureSpec, styles: list[dict[str, Any]]) -> None:
    rows = [str(v) for v in spec.series[0].y]
    offset = 0.32 / max(1, len(spec.series) - 1) if len(spec.series) > 1 else 0.0
    for i, (item, style) in enumerate(zip(spec.series, styles, strict=True)):
        x = _floats(item.x)
        position = np.arange(len(rows)) + (i - (len(spec.series) - 1) / 2) * offset
        error = np.vstack([x - np.asarray(item.low), np.asarray(item.high) - x])
        ax.errorbar(
            x,
            position,
            # A percentile bootstrap interval need not contain its estimate (skewed metrics): no negative bar.
            xerr=np.where(np.isfinite(error), np.maximum(error, 0.0), 0.0),
            fmt=style["marker"] or "o",
            color=style["color"],
            linestyle="none",
            capsize=3,
            markersize=6,
            markerfacecolor="white" if i else style["color"],
            label=item.label,
        )
    ax.set_yticks(np.arange(len(rows)), _truncate(rows))
    ax.invert_yaxis()


_DRAW: Final = {
    "pr_curve": _pr_curve,
    "roc_curve": _roc_curve,
    "reliability": _reliability,
    "learning_curve": _cv_curve,
    "validation_curve": _cv_curve,
    "lines": _lines,
    "scatter": _scatter,
    "bars": _bars,
    "histogram": _histogram,
    "intervals": _intervals,
}


_MARKER_STYLES: Final[tuple[str, ...]] = ("--", ":", "-.")
"""Line styles of a figure's reference lines (budget, threshold...), in order."""


def _markers(ax: Axes, markers: Sequence[Marker]) -> None:
    for i, marker in enumerate(markers):
        style = _MARKER_STYLES[i % len(_MARKER_STYLES)]
        line = ax.axvline if marker.axis == "x" else ax.axhline
        line(marker.at, color="0.35", linestyle=style, linewidth=1.2, label=marker.label)


def _plain_log_labels(axis: Any) -> None:
    """Label a logarithmic axis in plain decimals (0.001, not 10^-3: readable, and no mathtext to typeset)."""
    from matplotlib.ticker import FuncFormatter, NullLocator

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_locator(NullLocator())  # no unlabelled minor ticks: dozens of tick objects per decade to draw


@functools.cache
def _ruler() -> Any:
    """A tiny Agg renderer at 72 dpi: measures text in points, as matplotlib will lay it out."""
    from matplotlib.backends import backend_agg

    renderer: Any = backend_agg.RendererAgg  # untyped
    return renderer(8, 8, 72)


@functools.cache
def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Inches taken by ``text`` at ``size`` points in the figures' font (measured, not guessed)."""
    from matplotlib.font_manager import FontProperties

    with _style("ruler"):
        font = FontProperties(size=size, weight="bold" if bold else "normal")
        width: float = _ruler().get_text_width_height_descent(text, font, ismath=False)[0]
    return width * _SLACK / 72.0


def _category_width(spec: FigureSpec, horizontal: bool) -> float:
    """Inches of the widest category name written down the left side (bars on their side, interval rows)."""
    if horizontal:
        names = [str(v) for v in spec.series[0].x]
    elif spec.kind == "intervals":
        names = [str(v) for v in spec.series[0].y]
    else:
        return 0.0
    return max((_text_width(name, _FONT_SIZE) for name in _truncate(names)), default=0.0)


def _number_width(figure: Figure, horizontal: bool) -> float:
    """Inches of the widest numeric tick label down the left side (as the axis' own formatter writes them)."""
    axis = figure.axes[0].xaxis if horizontal else figure.axes[0].yaxis
    labels = axis.get_major_formatter().format_ticks([float(v) for v in axis.get_majorticklocs()])
    return max((_text_width(label, _FONT_SIZE) for label in labels), default=_NUMBER_WIDTH)


def _wrap(text: str, width: float, size: float, *, bold: bool = False, cut_words: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` inches.

    A word wider than a line keeps a line of its own, or with ``cut_words``
    is cut across lines (a long name without spaces in a title).
    """
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size, bold=bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while (
            cut_words and len(word) > 1 and _text_width(word, size, bold=bold) > width
        ):  # a word wider than a line is cut
            cut = next((i for i in range(len(word) - 1, 0, -1) if _text_width(word[:i], size, bold=bold) <= width), 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def _legend_shape(labels: Sequence[str], axes_width: float) -> tuple[bool, int, list[str]]:
    """Whether the legend goes under the axes, in how many columns, and its entries as shown.

    Under the axes when it has many entries or a long one (it would hide
    the data); in two columns when the entries fit half the figure's width,
    or when one column would be long (the long entries then wrap).
    """
    widest = max((_text_width(label, _LEGEND_SIZE) for label in labels), default=0.0) + _LEGEND_HANDLE
    below = len(labels) > _LEGEND_BELOW or widest > _LEGEND_WIDE * axes_width
    half = (FIGURE_SIZE[0] - 0.2) / 2
    if widest <= half:
        return below, 2, list(labels)
    if below and len(labels) > _LONG_LEGEND:
        room = half - _LEGEND_HANDLE
        return below, 2, ["\n".join(_wrap(label, room, _LEGEND_SIZE)) for label in labels]
    return below, 1, list(labels)


def _layout(
    figure: Figure, spec: FigureSpec, *, horizontal: bool, labels: Sequence[str]
) -> tuple[str, tuple[int, float, list[str]] | None]:
    """Fixed margins that fit the title, the tick labels, the axis labels and a legend under the axes.

    Much cheaper than a layout engine (which measures every text on each
    drawing): the margins come from the figure's own words, measured once.
    Returns the wrapped title and, for a legend under the axes, the number
    of its columns and the top of its room (figure fraction).
    """
    width, height = FIGURE_SIZE
    line = _FONT_SIZE * _LINE / 72.0
    ticks = _category_width(spec, horizontal) or _number_width(figure, horizontal)
    x_axis, y_axis = figure.axes[0].xaxis.label, figure.axes[0].yaxis.label
    x_text, y_text = x_axis.get_text(), y_axis.get_text()
    y_lines = [y_text] if y_text else []
    for _ in range(2):  # the y label wraps to the axes' height, which the other margins set: settle in two passes
        left = min(len(y_lines) * line + 0.1 + ticks + 0.12, _MAX_LEFT * width)  # rotated label, tick labels
        lines = _wrap(spec.title, width - left - _MARGIN_RIGHT, _TITLE_SIZE, bold=True, cut_words=True)
        top = len(lines) * _TITLE_SIZE * _TITLE_LINE / 72.0 + 0.18
        below, columns, shown = _legend_shape(labels, width - left - _MARGIN_RIGHT)
        lines_shown = [label.count("\n") + 1 for label in shown]
        rows = math.ceil(sum(lines_shown) / columns) + max(lines_shown, default=1) - 1 if below else 0
        legend = rows * _LEGEND_SIZE * _LEGEND_LINE / 72.0 + 0.08 if rows else 0.0
        x_lines = _wrap(x_text, width - left - _MARGIN_RIGHT, _FONT_SIZE)
        bottom = (1 + len(x_lines)) * line + 0.2 + legend  # tick labels, the axis label and the legend
        y_lines = _wrap(y_text, height - top - bottom - 0.1, _FONT_SIZE) if y_text else []
    x_axis.set_text("\n".join(x_lines))  # a label longer than the axes would be cut at the figure's edge
    y_axis.set_text("\n".join(y_lines))
    figure.subplots_adjust(
        left=left / width, right=1 - _MARGIN_RIGHT / width, bottom=bottom / height, top=1 - top / height
    )
    return "\n".join(lines), ((columns, legend / height, shown) if below else None)


def _truncate(labels: Sequence[str]) -> list[str]:
    """Category names shortened with an ellipsis where they would not fit in the widest left margin."""
    room = _MAX_LEFT * FIGURE_SIZE[0] - _FONT_SIZE * _LINE / 72.0 - 0.22
    shortened = []
    for label in labels:
        while len(label) > 4 and _text_width(label, _FONT_SIZE) > room:
            label = label[:-2] + "\u2026"
        shortened.append(label)
    return shortened


def draw(spec: FigureSpec) -> Figure:
    """The matplotlib figure of ``spec``: title, labelled axes, legend, reference lines."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    with _style(spec.name):
        figure = Figure(figsize=FIGURE_SIZE)
        ax = figure.add_subplot()
        styles = _styles(spec.series)
        _DRAW[spec.kind](ax, spec, styles)
        _markers(ax, spec.markers)
        if spec.kind != "bars" or not ax.get_xlabel():
            ax.set_xlabel(spec.x_label)
            ax.set_ylabel(spec.y_label)
        if spec.x_log:
            ax.set_xscale("log")
            _plain_log_labels(ax.xaxis)
        if spec.y_log:
            ax.set_yscale("log")
            _plain_log_labels(ax.yaxis)
        horizontal = _horizontal(spec)  # the value axis of bars on their side is x
        x_limits, y_limits = (spec.y_limits, spec.x_limits) if horizontal else (spec.x_limits, spec.y_limits)
        if x_limits is not None:
            ax.set_xlim(*x_limits)
        if y_limits is not None:
            ax.set_ylim(*y_limits)
        ax.set_aspect("auto")  # the Displays make PR and ROC square; the page's column sets the shape
        handles, labels = ax.get_legend_handles_labels()
        title, under = _layout(figure, spec, horizontal=horizontal, labels=labels)
        ax.set_title(title)
        if under is not None:
            columns, top, shown = under
            ax.legend(
                handles,
                shown,
                loc="upper center",
                bbox_to_anchor=(0.5, top),
                bbox_transform=figure.transFigure,
                ncols=columns,
                frameon=False,
                borderaxespad=0.0,
            )
        elif labels:
            ax.legend(loc="lower right" if horizontal else "best")
        figure.set_label(spec.name)
    return figure


def figure_svg(figure: Figure, spec: FigureSpec) -> str:
    """``figure`` as an ``<svg>`` element to inline in HTML: scales to its container, titled, no external reference.

    The XML prolog, the DOCTYPE (a URL), the metadata and the namespace
    declarations (HTML parsers do not need them) are dropped; the fixed
    width and height give way to the ``viewBox``; ``<title>`` carries the
    figure's lesson for screen readers and tooltips.
    """
    buffer = io.StringIO()
    with _style(spec.name):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _SVG_METADATA.sub("", text, count=1)
    opening = _SVG_OPEN.search(text)
    assert opening is not None  # matplotlib always writes one root element
    tag = _SVG_NAMESPACES.sub("", _SVG_SIZE.sub("", opening.group(0)))
    tag = tag[:-1].rstrip() + f' role="img" aria-label="{escape(spec.title)}">'
    title = f"<title>{escape(spec.title, quote=False)}</title>"
    body = _SVG_ID.sub(lambda match: f"{match.group(1)}{spec.name}-{match.group(2)}", text[opening.end() :].strip())
    return tag + title + body


@functools.lru_cache(maxsize=SVG_CACHE_SIZE)
def svg(spec: FigureSpec) -> str:
    """``spec`` drawn and written as inline SVG (see :func:`figure_svg`); the same spec is drawn once."""
    return figure_svg(draw(spec), spec)


def show(drawn: Sequence[tuple[FigureSpec, str]]) -> None:
    """Display drawn figures in the running notebook (IPython), or say how to see them elsewhere."""
    try:
        import IPython
        from IPython import display as ipython_display
    except ImportError:  # IPython is not a dependency: scripts have figures() and to_html()
        shell = None
    else:
        shell = IPython.get_ipython()
    if shell is None:
        names = ", ".join(spec.name for spec, _ in drawn)
        print(
            f"report.plot() draws in a notebook; here, use report.figures() (matplotlib figures: {names}) "
            "or report.to_html('report.html')."
        )
        return
    html: Any = ipython_display.HTML  # IPython is untyped
    show_html: Any = ipython_display.display
    for _, text in drawn:
        show_html(html(f'<div style="max-width:44rem">{text}</div>'))


def figure_html(spec: FigureSpec, drawn: str | None = None) -> Markup:
    """One ``<figure>`` for a page: the inline SVG (``drawn``, or drawn now) and its caption."""
    parts: list[object] = [Markup(drawn if drawn is not None else svg(spec))]
    if spec.caption:
        parts.append(element("figcaption", spec.caption))
    return element("figure", join(parts), id=f"figure-{spec.name}")
