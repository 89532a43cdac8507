"""The report's charts, laid out as geometry and written as SVG by the standard library.

Four kinds of chart, each a function that lays it out as a :class:`Chart` (every bar and every point with its
coordinates in px, so that a test can check that a bar is as tall as its value says) and :meth:`Chart.svg`, which
draws it (:mod:`cpxl.report.svg`: ``xml.etree`` escapes every text; LibreOffice makes the PNG):

* :func:`pareto`: bars in decreasing order and the cumulative share as a line on a 0–100 % axis on the right;
* :func:`lines`: one line per series over categories (years), with a gap where a value is missing;
* :func:`grouped_bars`: for each category, one bar per series side by side;
* :func:`step`: a step function over a numeric axis (the best NPV a budget buys), with marked x values.

Every chart is :data:`WIDTH` × :data:`HEIGHT` px, so that LibreOffice converts all of a report's charts in one
run. A value axis starts at zero (or below, when a value is negative) and ends at the first "nice" number
(1, 2, 2.5 or 5 × 10ⁿ) at or above the largest value: its ticks are those numbers.

Examples
--------
>>> chart = pareto(["residue", "sludge", "cans"], [600.0, 300.0, 100.0], title="Waste by cost")
>>> [round(bar.height, 6) for bar in chart.bars] == [round(v * chart.scale, 6) for v in (600, 300, 100)]
True
>>> [round(y, 1) for _, y in chart.lines[0].points][-1] == round(chart.plot_top, 1)  # 100 % at the top
True
>>> chart.svg().startswith("<svg")
True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

from ..core.errors import CPError
from .svg import document, serialise, text

__all__ = ["HEIGHT", "WIDTH", "Bar", "Chart", "Line", "grouped_bars", "lines", "nice_ticks", "pareto", "step"]

#: Size of every chart (px).
WIDTH, HEIGHT = 900.0, 480.0
#: Margins of the plot area (px): left (value labels), right, top (title, legend), bottom (category labels).
LEFT, RIGHT, TOP, BOTTOM = 96.0, 70.0, 78.0, 110.0
#: Colours of the series, in order (colour-blind safe, Okabe–Ito), and of the axes and the grid.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
AXIS, GRID = "#555555", "#e3e3e3"


@dataclass(frozen=True)
class Bar:
    """A bar: its category, series and value, and its rectangle in px (``y`` the top, ``height`` ≥ 0)."""

    category: str
    series: str
    value: float
    x: float
    y: float
    width: float
    height: float
    label: str = ""


@dataclass
class Line:
    """A line of a series: its points in px (None where the value is missing, leaving a gap) and its values."""

    series: str
    points: list[tuple[float, float] | None]
    values: list[float | None]
    dashed: bool = False
    right_axis: bool = False
    dots: bool = True  # a dot at every point (not for a step function, whose points are its corners)


@dataclass
class Chart:
    """A laid-out chart: the plot area, the value axis (``scale`` px per unit, from ``low`` to ``high``), the
    categories or the numeric x axis, and the bars, lines and vertical markers drawn in it.

    ``y(v)`` is the height in px of the value *v*; a bar of value *v* is ``|v|·scale`` px tall.
    """

    title: str
    y_label: str
    plot_left: float
    plot_top: float
    plot_width: float
    plot_height: float
    low: float
    high: float
    ticks: list[float]
    categories: list[str] = field(default_factory=list)
    x_ticks: list[float] = field(default_factory=list)
    x_label: str = ""
    x_low: float = 0.0
    x_high: float = 1.0
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    markers: list[tuple[float, str]] = field(default_factory=list)  # (x in px, label): dashed vertical lines
    right_ticks: list[float] = field(default_factory=list)  # shares 0..1 on the right axis (Pareto)
    series: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def scale(self) -> float:
        """Pixels per unit of the value axis."""
        return self.plot_height / (self.high - self.low)

    @property
    def plot_bottom(self) -> float:
        return self.plot_top + self.plot_height

    def y(self, value: float) -> float:
        """The px of *value* on the value axis (down the picture)."""
        return self.plot_bottom - (value - self.low) * self.scale

    def x(self, value: float) -> float:
        """The px of *value* on the numeric x axis."""
        return self.plot_left + (value - self.x_low) / (self.x_high - self.x_low) * self.plot_width

    def value_of(self, py: float) -> float:
        """The value at *py* px on the value axis: the inverse of :meth:`y`."""
        return self.low + (self.plot_bottom - py) / self.scale

    def x_of(self, px: float) -> float:
        """The value at *px* px on the numeric x axis: the inverse of :meth:`x`."""
        return self.x_low + (px - self.plot_left) / self.plot_width * (self.x_high - self.x_low)

    def colour(self, series: str) -> str:
        return PALETTE[self.series.index(series) % len(PALETTE)] if series in self.series else PALETTE[0]

    def svg(self) -> str:
        """The chart as an SVG document (UTF-8 text, no XML declaration), every text escaped."""
        return serialise(_draw(self))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Ticks from a nice number ≤ *low* to one ≥ *high*, about *count* steps of 1, 2, 2.5 or 5 × 10ⁿ.

    Parameters
    ----------
    low, high : float
        The values the axis must show [-]
    count : int
        About how many steps [-]

    Returns
    -------
    ticks : list of float
        Increasing; the first ≤ *low*, the last ≥ *high* [-]

    Examples
    --------
    >>> nice_ticks(0, 826980)
    [0.0, 200000.0, 400000.0, 600000.0, 800000.0, 1000000.0]
    >>> nice_ticks(0, 1)
    [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
    >>> nice_ticks(-3, 7)
    [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 8.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise CPError("chart", "values", "must be finite numbers")
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step_size = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-12))
    first = math.floor(low / step_size + 1e-9)
    last = math.ceil(high / step_size - 1e-9)
    return [k * step_size for k in range(first, last + 1)]


def _frame(title: str, y_label: str, values: Sequence[float], *, room_right: bool = False) -> Chart:
    """A chart whose value axis holds *values* (and zero), with the plot area inside the margins."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    ticks = nice_ticks(min([0.0, *finite]), max([0.0, *finite]) or 1.0)
    return Chart(
        title=title,
        y_label=y_label,
        plot_left=LEFT,
        plot_top=TOP,
        plot_width=WIDTH - LEFT - (RIGHT if room_right else 30.0),
        plot_height=HEIGHT - TOP - BOTTOM,
        low=ticks[0],
        high=ticks[-1],
        ticks=ticks,
    )


def _checked(values: Sequence[float | None], what: str) -> list[float | None]:
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise CPError("chart", what, "must hold finite numbers", v)
        out.append(float(v))
    return out


def _categorical(
    categories: Sequence[str], series: dict[str, Sequence[float | None]], title: str, y_label: str
) -> tuple[Chart, dict[str, list[float | None]]]:
    """A chart over *categories* whose value axis holds every value of *series* (each checked: one per category)."""
    checked = {str(k): _checked(v, f"series {k!r}") for k, v in series.items()}
    for name, values in checked.items():
        if len(values) != len(categories):
            raise CPError("chart", f"series {name!r}", f"has {len(values)} values for {len(categories)} categories")
    chart = _frame(title, y_label, [v for vs in checked.values() for v in vs if v is not None])
    chart.categories = [str(c) for c in categories]
    chart.series = list(checked)
    return chart, checked


def pareto(
    names: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    y_label: str = "",
    share_label: str = "Cumulative",
    last_is_rest: bool = False,
) -> Chart:
    """A Pareto chart: the values as bars in decreasing order, their cumulative share as a line (right axis).

    Parameters
    ----------
    names : sequence of str
        What each value is (a waste stream) [-]
    values : sequence of float
        The values, ≥ 0 (annual cost, quantity) [any unit]
    title, y_label, share_label : str
        The chart's title, the value axis's label, the name of the cumulative line [-]
    last_is_rest : bool
        The last name and value are "the others" summed, drawn last whatever their size [-]

    Returns
    -------
    chart : Chart
        Bars in decreasing order (ties in the order given); the line's last point is at 100 % [-]

    Examples
    --------
    >>> c = pareto(["a", "b"], [1.0, 3.0], title="t")
    >>> [b.category for b in c.bars], c.lines[0].values
    (['b', 'a'], [0.75, 1.0])
    """
    checked = _checked(values, "values")
    if len(names) != len(checked):
        raise CPError("chart", "names", f"has {len(names)} names for {len(checked)} values")
    if any(v is None or v < 0 for v in checked):
        raise CPError("chart", "values", "of a Pareto must be numbers ≥ 0")
    ranked = range(len(checked) - 1) if last_is_rest else range(len(checked))
    order = sorted(ranked, key=lambda i: -float(checked[i] or 0.0)) + ([len(checked) - 1] if last_is_rest else [])
    ordered = [(str(names[i]), float(checked[i] or 0.0)) for i in order]
    chart = _frame(title, y_label, [v for _, v in ordered], room_right=True)
    chart.categories = [n for n, _ in ordered]
    chart.series = [y_label or title, share_label]
    chart.right_ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    total = sum(v for _, v in ordered)
    slot = chart.plot_width / max(1, len(ordered))
    running, points, shares = 0.0, [], []
    for k, (name, value) in enumerate(ordered):
        x = chart.plot_left + k * slot + slot * 0.15
        top = chart.y(value)
        chart.bars.append(Bar(name, chart.series[0], value, x, top, slot * 0.7, chart.y(0.0) - top, short(value)))
        running += value
        share = running / total if total else None
        shares.append(share)
        points.append(None if share is None else (x + slot * 0.35, chart.plot_bottom - share * chart.plot_height))
    chart.lines.append(Line(share_label, points, shares, right_axis=True))
    return chart


def lines(
    categories: Sequence[str], series: dict[str, Sequence[float | None]], *, title: str, y_label: str = ""
) -> Chart:
    """A line chart: each series a line over the categories (years); a missing value leaves a gap.

    Parameters
    ----------
    categories : sequence of str
        The x axis's labels, in order [-]
    series : dict of str to sequence of float or None
        Each line's values, one per category [any unit]
    title, y_label : str
        The chart's title and the value axis's label [-]

    Returns
    -------
    chart : Chart
        One :class:`Line` per series, its points at the middle of each category's slot [-]

    Examples
    --------
    >>> c = lines(["2022", "2023", "2024"], {"toluene": [100.0, 90.0, None]}, title="t")
    >>> c.lines[0].points[2] is None, round(c.y(90.0) - c.y(100.0), 6) == round(10 * c.scale, 6)
    (True, True)
    """
    chart, checked = _categorical(categories, series, title, y_label)
    slot = chart.plot_width / max(1, len(categories))
    for name, values in checked.items():
        points = [None if v is None else (chart.plot_left + (k + 0.5) * slot, chart.y(v)) for k, v in enumerate(values)]
        chart.lines.append(Line(name, points, list(values)))
    return chart


def grouped_bars(
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    y_label: str = "",
    labels: dict[str, Sequence[str]] | None = None,
) -> Chart:
    """Grouped bars: for each category, one bar per series side by side; a missing value draws no bar.

    Parameters
    ----------
    categories : sequence of str
        The groups, in order (an option and its pollutant) [-]
    series : dict of str to sequence of float or None
        Each series's values, one per category [any unit]
    title, y_label : str
        The chart's title and the value axis's label [-]
    labels : dict of str to sequence of str, optional
        The text above each bar, by series (default: the value) [-]

    Returns
    -------
    chart : Chart
        The bars, category by category, series in order [-]

    Examples
    --------
    >>> c = grouped_bars(["F1"], {"before": [100.0], "after": [80.0]}, title="t")
    >>> [b.series for b in c.bars], round(c.bars[1].height / c.bars[0].height, 12)
    (['before', 'after'], 0.8)
    """
    chart, checked = _categorical(categories, series, title, y_label)
    slot = chart.plot_width / max(1, len(categories))
    width = slot * 0.8 / max(1, len(checked))
    for k, category in enumerate(chart.categories):
        for j, (name, values) in enumerate(checked.items()):
            value = values[k]
            if value is None:
                continue
            top, base = chart.y(max(value, 0.0)), chart.y(min(value, 0.0))
            label = (labels or {}).get(name, [None] * len(categories))[k] or short(value)
            x = chart.plot_left + k * slot + slot * 0.1 + j * width
            chart.bars.append(Bar(category, name, value, x, top, width, base - top, label))
    return chart


def step(
    x: Sequence[float],
    y: Sequence[float],
    *,
    title: str,
    x_label: str = "",
    y_label: str = "",
    series: str = "",
    markers: Sequence[tuple[float, str]] = (),
) -> Chart:
    """A step function: the value ``y[k]`` holds from ``x[k]`` to ``x[k+1]`` (and from the last x to the end).

    Parameters
    ----------
    x : sequence of float
        Where each step begins, increasing (a budget) [any unit]
    y : sequence of float
        The value from there on (the best NPV the budget buys) [any unit]
    title, x_label, y_label, series : str
        The chart's title, the axes' labels, the line's name [-]
    markers : sequence of (float, str)
        x values marked by a dashed vertical line and a label (the audit's budget) [-]

    Returns
    -------
    chart : Chart
        One :class:`Line` whose points trace the steps (two points per step) [-]

    Examples
    --------
    >>> c = step([0.0, 10.0], [0.0, 5.0], title="t", markers=[(15.0, "budget")])
    >>> [(round(c.x_of(px), 9), round(c.value_of(py), 9)) for px, py in c.lines[0].points]
    [(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (15.0, 5.0)]
    """
    xs, ys = _checked(x, "x"), _checked(y, "y")
    if len(xs) != len(ys) or not xs or any(v is None for v in (*xs, *ys)):
        raise CPError("chart", "x, y", "must be as many numbers, at least one")
    xf, yf = [float(v or 0.0) for v in xs], [float(v or 0.0) for v in ys]
    if any(b < a for a, b in itertools.pairwise(xf)):
        raise CPError("chart", "x", "must increase")
    marked = [float(m) for m, _ in markers]
    chart = _frame(title, y_label, yf)
    x_ticks = nice_ticks(min(0.0, *xf), max([*xf, *marked]) * 1.05 or 1.0)
    chart.x_ticks, chart.x_low, chart.x_high, chart.x_label = x_ticks, x_ticks[0], x_ticks[-1], x_label
    chart.series = [series or y_label or title]
    end = max([xf[-1], *marked])
    points: list[tuple[float, float] | None] = []
    values: list[float | None] = []
    for k, (left, value) in enumerate(zip(xf, yf, strict=True)):
        right = xf[k + 1] if k + 1 < len(xf) else end
        points += [(chart.x(left), chart.y(value)), (chart.x(right), chart.y(value))]
        values += [value, value]
    chart.lines.append(Line(chart.series[0], points, values, dots=False))
    chart.markers = [(chart.x(m), label) for m, label in zip(marked, (lab for _, lab in markers), strict=True)]
    return chart


# --- drawing ---------------------------------------------------------------------------------------------------


def short(value: float) -> str:
    """A value as a label above a bar: thousands separated, three significant digits below 100.

    Examples
    --------
    >>> short(41400.0), short(2.0), short(0.1234)
    ('41,400', '2', '0.123')
    """
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _tick(value: float, step_size: float) -> str:
    decimals = max(0, -math.floor(math.log10(step_size) + 1e-9)) if step_size else 0
    return f"{value:,.{decimals}f}"


def _fit(label: str, room: float) -> str:
    """*label* cut to about *room* px at 11 px type (a CJK character is about twice a Latin one)."""
    width = 0.0
    for i, ch in enumerate(label):
        width += 11.0 if ord(ch) > 0x2E80 else 6.2
        if width > room:
            return label[: max(1, i - 1)] + "…"
    return label


def _draw(c: Chart) -> ElementTree.Element:
    root = document(WIDTH, HEIGHT, c.title)
    text(root, 20, 30, c.title, **{"font-size": "17", "font-weight": "bold"})
    if c.note:
        text(root, 20, HEIGHT - 12, c.note, **{"font-size": "10", "fill": AXIS})
    grid = ElementTree.SubElement(root, "g", {"id": "axes", "font-size": "11"})
    step_size = c.ticks[1] - c.ticks[0] if len(c.ticks) > 1 else 1.0
    left, right = c.plot_left, c.plot_left + c.plot_width
    for tick in c.ticks:
        y = c.y(tick)
        colour = AXIS if abs(tick) < step_size * 1e-9 else GRID
        ElementTree.SubElement(grid, "line", {"x1": f"{left:.2f}", "y1": f"{y:.2f}", "x2": f"{right:.2f}",
                                              "y2": f"{y:.2f}", "stroke": colour})  # fmt: skip
        text(grid, left - 6, y + 4, _tick(tick, step_size), **{"text-anchor": "end"})
    if c.y_label:
        text(grid, 20, 52, c.y_label, **{"font-size": "11", "fill": AXIS})
    for share in c.right_ticks:
        y = c.plot_bottom - share * c.plot_height
        text(grid, right + 6, y + 4, f"{share * 100:.0f}%")
    if c.categories:
        slot = c.plot_width / len(c.categories)
        tilt = any(len(name) * 6.2 > slot for name in c.categories)
        for k, name in enumerate(c.categories):
            x, y = left + (k + 0.5) * slot, c.plot_bottom + 16
            shown = _fit(name, 150 if tilt else slot)
            if tilt:
                text(grid, x, y, shown, **{"text-anchor": "end", "transform": f"rotate(-30 {x:.2f} {y:.2f})"})
            else:
                text(grid, x, y, shown, **{"text-anchor": "middle"})
    if c.x_ticks:
        x_step = c.x_ticks[1] - c.x_ticks[0] if len(c.x_ticks) > 1 else 1.0
        for tick in c.x_ticks:
            x = c.x(tick)
            ElementTree.SubElement(grid, "line", {"x1": f"{x:.2f}", "y1": f"{c.plot_top:.2f}", "x2": f"{x:.2f}",
                                                  "y2": f"{c.plot_bottom:.2f}", "stroke": GRID})  # fmt: skip
            text(grid, x, c.plot_bottom + 16, _tick(tick, x_step), **{"text-anchor": "middle"})
        if c.x_label:
            text(grid, left + c.plot_width / 2, c.plot_bottom + 40, c.x_label,
                 **{"text-anchor": "middle", "fill": AXIS})  # fmt: skip

    bars = ElementTree.SubElement(root, "g", {"id": "bars", "font-size": "10"})
    for bar in c.bars:
        group = ElementTree.SubElement(bars, "g", {"class": "bar"})
        ElementTree.SubElement(group, "title").text = f"{bar.category} · {bar.series}: {bar.label}"
        rect = {"x": f"{bar.x:.2f}", "y": f"{bar.y:.2f}", "width": f"{bar.width:.2f}", "height": f"{bar.height:.2f}"}
        ElementTree.SubElement(group, "rect", {**rect, "fill": c.colour(bar.series)})
        if bar.width >= 18:
            text(group, bar.x + bar.width / 2, bar.y - 4, bar.label, **{"text-anchor": "middle"})

    for line in c.lines:
        group = ElementTree.SubElement(root, "g", {"class": "line"})
        ElementTree.SubElement(group, "title").text = line.series
        runs: list[list[tuple[float, float]]] = [[]]
        for point in line.points:
            if point is None:
                runs.append([])
            else:
                runs[-1].append(point)
        style = {"fill": "none", "stroke": c.colour(line.series), "stroke-width": "2.5"}
        if line.dashed:
            style["stroke-dasharray"] = "7 4"
        for run in runs:
            if len(run) > 1:
                ElementTree.SubElement(group, "polyline", {"points": " ".join(f"{x:.2f},{y:.2f}" for x, y in run),
                                                           **style})  # fmt: skip
            for x, y in run if line.dots else ():
                ElementTree.SubElement(group, "circle", {"cx": f"{x:.2f}", "cy": f"{y:.2f}", "r": "3.5",
                                                         "fill": c.colour(line.series)})  # fmt: skip

    for x, label in c.markers:
        group = ElementTree.SubElement(root, "g", {"class": "marker"})
        ElementTree.SubElement(group, "line", {"x1": f"{x:.2f}", "y1": f"{c.plot_top:.2f}", "x2": f"{x:.2f}",
                                               "y2": f"{c.plot_bottom:.2f}", "stroke": "#d62728",
                                               "stroke-dasharray": "6 4", "stroke-width": "1.5"})  # fmt: skip
        text(group, x + 5, c.plot_top + 12, label, **{"fill": "#d62728", "font-size": "11"})

    legend = ElementTree.SubElement(root, "g", {"id": "legend", "font-size": "11"})
    x = WIDTH - 20.0
    for name in reversed(c.series if len(c.series) > 1 or c.lines else []):
        shown = _fit(name, 180)
        width = sum(11.0 if ord(ch) > 0x2E80 else 6.2 for ch in shown)
        x -= width
        text(legend, x, 56, shown)
        ElementTree.SubElement(legend, "rect", {"x": f"{x - 16:.2f}", "y": "47", "width": "11", "height": "11",
                                                "fill": c.colour(name)})  # fmt: skip
        x -= 30
    return root
