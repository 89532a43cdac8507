"""The balance diagram: a Sankey diagram of the plant's stream table, written as SVG by the standard library.

This module is the one place where the stream table becomes a picture. :func:`sankey` lays the diagram out
(:class:`Diagram`: every node and band with its coordinates, in SVG pixels) and :meth:`Diagram.svg` writes it;
:meth:`Diagram.save` writes ``.svg``, ``.html`` (the SVG inline in a page) or ``.png`` (the SVG converted by
LibreOffice Draw, :func:`cpxl.report.svg.svg_to_png`). It imports the standard library only (``xml.etree``
escapes every text), the audit model, and :mod:`cpxl.workbook` to read a filled workbook; LibreOffice only when
asked for a PNG.

Layout
    Every unit of the ``units`` table is a node; every boundary stream has a node of its own at the side: the
    system's inputs in the first column (left), its outputs in the last (right). A unit's column is one more
    than the longest path to it from the boundary inputs along the unit-to-unit streams, recycles (the streams
    that close a loop, found by a depth-first walk in table order) left out. Nodes are stacked in their column
    in table order, boundary nodes in the order of the unit they feed or leave, and every column is centred.

Widths
    A stream is drawn with the flow ``F``: its reconciled value (:meth:`cpxl.audit.Audit.reconcile`) when
    ``reconciled`` and the reconciliation gives one, else its measured value. Its band's width is ``F·s``, with
    one scale ``s`` (px per mass unit) for the whole picture, chosen so that the fullest column is
    :data:`FLOW_HEIGHT` px of flow. A unit's height is ``max(Σ in, Σ out)·s`` (the widths of its bands), at
    least :data:`MIN_NODE` px. An unmeasured stream is dashed; with no value at all (unobservable, or not
    reconciled) it is a thin dashed stub of :data:`STUB` px.

Marks
    A unit whose streams are all measured and whose measured closure ``(Σ in − Σ out − Δstock)/Σ in`` (the
    balance sheet's, :func:`cpxl.core.balance_closure`) exceeds the audit's ``closure_tolerance`` is outlined in
    red with its closure ("−8.2 %"). A stream whose reconciled flow differs from its measured one is labelled
    "measured → reconciled" and carries a dark tick as long as its measured width, at the middle of the band.

Examples
--------
>>> from cpxl.audit import Audit
>>> diagram = sankey(Audit.example("en"))
>>> len(diagram.bands), sorted(b.name for b in diagram.bands if b.dashed)
(15, ['Dryer dust', 'Off-gas'])
>>> off_gas = diagram.band("Off-gas")
>>> round(off_gas.flow, 2), off_gas.measured
(150.74, None)
>>> diagram.svg().startswith("<svg")
True

References
----------
Schmidt, M. (2008). The Sankey diagram in energy and material flow management. *Journal of Industrial
Ecology* 12(1), 82–94. STAN (subSTance flow ANalysis), TU Wien: reconciled flows drawn as Sankey bands.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..core.errors import CPError
from ..workbook.labels import LABELS
from .svg import document, serialise, svg_to_png
from .svg import text as _text

__all__ = ["FLOW_HEIGHT", "MIN_NODE", "STUB", "Band", "Diagram", "Node", "sankey"]

#: Pixels of flow in the fullest column: the scale is FLOW_HEIGHT / (the largest column's total flow).
FLOW_HEIGHT = 420.0
#: Width in px of a band whose flow is unknown (unmeasured and not reconciled).
STUB = 2.0
#: The least height in px of a node (a unit with no known flow).
MIN_NODE = 6.0
#: Node width, space between columns, space between nodes in a column, margins (px).
NODE_WIDTH = 14.0
COLUMN_GAP = 230.0
NODE_GAP = 28.0
SIDE = 190.0
TOP = 70.0
BOTTOM = 130.0


def _words(lang: str) -> dict[str, str]:
    """The diagram's words (title, legend, notes) in *lang*: the labels ``sankey.*``."""
    column = 0 if lang == "en" else 1
    return {key[len("sankey.") :]: texts[column] for key, texts in LABELS.items() if key.startswith("sankey.")}


_COLOURS = {
    "unit": "#3b5b7a",
    "boundary": "#8c8c8c",
    "band": "#6d9ecf",
    "dashed": "#b9cde3",
    "flag": "#d62728",
    "tick": "#1f1f1f",
    "text": "#222222",
}


@dataclass(frozen=True)
class Node:
    """A unit, or the side end of a boundary stream, as drawn.

    ``kind`` is ``"unit"``, ``"input"`` (left side) or ``"output"`` (right side); ``x``, ``y`` are the top-left
    corner, ``height`` the drawn height (px); ``inflow``/``outflow`` the drawn flows in and out (mass unit);
    ``closure`` the measured closure (a fraction, signed; None when a stream is unmeasured or nothing comes in);
    ``unclosed`` whether it exceeds the tolerance.
    """

    name: str
    kind: str
    column: int
    x: float
    y: float
    height: float
    inflow: float
    outflow: float
    closure: float | None = None
    unclosed: bool = False


@dataclass(frozen=True)
class Band:
    """A stream as drawn: from node ``source`` to node ``target`` (names), ``flow`` drawn (mass unit, None for a
    stub), ``width`` (px), the ``measured`` and ``reconciled`` values (None when absent), ``dashed`` when not
    measured, ``adjusted`` when reconciled ≠ measured; ``x0, y0`` the top of its end at the source, ``x1, y1``
    at the target (px); ``lane`` the height of the centre line's run back below the nodes for a recycle (a
    stream to a unit in the same or an earlier column), else None."""

    name: str
    source: str
    target: str
    flow: float | None
    width: float
    dashed: bool
    measured: float | None
    reconciled: float | None
    adjusted: bool
    x0: float
    y0: float
    x1: float
    y1: float
    lane: float | None = None


@dataclass
class Diagram:
    """The laid-out balance diagram: nodes, bands, the scale (px per mass unit), the picture's size (px).

    Examples
    --------
    >>> from cpxl.audit import Audit
    >>> d = sankey(Audit.example("en"), reconciled=False)
    >>> d.band("Reaction mass").width == 6750 * d.scale
    True
    """

    nodes: list[Node]
    bands: list[Band]
    scale: float
    width: float
    height: float
    lang: str = "en"
    reconciled: bool = True
    tolerance: float = 0.05
    title: str = ""
    mass_unit: str = ""
    notes: list[str] = field(default_factory=list)

    def node(self, name: str) -> Node:
        """The node called *name* (a unit, or a boundary stream's side end)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def band(self, name: str) -> Band:
        """The band of the stream called *name*."""
        for band in self.bands:
            if band.name == name:
                return band
        raise KeyError(name)

    def svg(self) -> str:
        """The diagram as an SVG document (UTF-8 text, no XML declaration), every text escaped."""
        return serialise(_draw(self))

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the diagram to *path*: ``.svg``, ``.html`` or ``.png`` (LibreOffice Draw converts the SVG).

        Written atomically (:func:`cpxl.io.atomic_write`); an existing file is refused unless *overwrite*.
        Raises :class:`~cpxl.core.errors.CPError` for another ending, an existing file, or a PNG that LibreOffice
        could not make.
        """
        from ..io import atomic_write

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".svg", ".png", ".html", ".htm"):
            raise CPError("sankey", "path", "must end in .svg, .png or .html", str(path))
        svg = self.svg()
        with atomic_write(path, overwrite=overwrite) as tmp:
            if suffix == ".svg":
                tmp.write_text(svg, encoding="utf-8")
            elif suffix in (".html", ".htm"):
                tmp.write_text(_html(svg, self.title), encoding="utf-8")
            else:
                tmp.write_bytes(svg_to_png(svg))
        return path


def sankey(audit_or_path: Any, *, lang: str = "en", reconciled: bool = True) -> Diagram:
    """Lay out the balance diagram of an audit's stream table.

    Parameters
    ----------
    audit_or_path : Audit, str or Path
        The audit, or its file: a filled workbook (.xlsx, read by :func:`cpxl.workbook.read`) or an audit file
        (.yaml, .yml, .json).
    lang : {"en", "zh"}
        Language of the title and legend (stream and unit names are drawn as the audit gives them).
    reconciled : bool
        Draw the reconciled flows where the reconciliation gives them (default); False draws measured flows.

    Returns
    -------
    Diagram
        Nodes and bands with their geometry in px; ``.svg()`` and ``.save(path)`` draw it.

    Examples
    --------
    >>> from cpxl.audit import Audit
    >>> audit = Audit.example("en")
    >>> d = sankey(audit)
    >>> [n.name for n in d.nodes if n.kind == "unit"]
    ['Reactor', 'Crystalliser', 'Centrifuge', 'Dryer', 'Solvent recovery']
    >>> d.node("Reactor").column, d.node("Dryer").column, d.node("Solvent recovery").column
    (1, 4, 4)
    >>> d.node("Raw material A").x < d.node("Reactor").x < d.node("Product DX-2").x
    True
    >>> d.band("Reaction mass").measured, round(d.band("Reaction mass").reconciled, 1)
    (6750.0, 6776.7)
    """
    if lang not in ("en", "zh"):
        raise CPError("sankey", "lang", "must be 'en' or 'zh'", lang)
    from .document import load

    audit = load(audit_or_path, "sankey")
    return _layout(audit, lang=lang, reconciled=reconciled)


# --- reading and laying out ------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _columns(units: Sequence[str], edges: Sequence[tuple[str, str]], fed: Sequence[str]) -> dict[str, int]:
    """Column of every unit: 1 + the longest path from a unit fed by the boundary, recycles left out."""
    following: dict[str, list[str]] = {u: [] for u in units}
    for a, b in edges:
        if b not in following[a]:
            following[a].append(b)
    # depth-first walk from the fed units (then any other, in table order): an edge to a unit on the path is a recycle
    recycles: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def walk(start: str) -> None:
        stack = [(start, iter(following[start]))]
        state[start] = 1
        while stack:
            unit, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                state[unit] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                recycles.add((unit, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(following[nxt])))

    for unit in [*fed, *units]:
        if unit not in state:
            walk(unit)
    column = {u: 1 for u in units}
    order: list[str] = []  # a topological order of the acyclic rest (Kahn, table order among equals)
    indegree = {u: 0 for u in units}
    forward = [(a, b) for a, b in dict.fromkeys(edges) if (a, b) not in recycles and a != b]
    for _, b in forward:
        indegree[b] += 1
    ready = [u for u in units if indegree[u] == 0]
    while ready:
        unit = ready.pop(0)
        order.append(unit)
        for a, b in forward:
            if a == unit:
                column[b] = max(column[b], column[a] + 1)
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    return column


def _layout(audit: Any, *, lang: str, reconciled: bool) -> Diagram:
    en = lang == "en"
    words = _words("en" if en else "zh")
    streams = audit.tables["streams"]
    tolerance = _number(audit.fields.get("closure_tolerance"))
    tolerance = 0.05 if tolerance is None else tolerance
    colon = ": " if en else "："
    title = f"{words['title']}{colon}{audit.fields.get('company')}" if audit.fields.get("company") else words["title"]
    mass_unit = str(audit.fields.get("mass_unit") or "")
    notes: list[str] = []

    values: list[float | None] = [None] * len(streams)
    if reconciled and streams:
        try:
            result = audit.reconcile()
            values = [_number(v) for v in result.value]
        except CPError as exc:
            notes.append(words["failed"].format(why=exc.detail if hasattr(exc, "detail") else exc))

    unit_names = [u["name"] for u in audit.tables["units"]]
    for s in streams:  # a stream naming a unit missing from the units table still gets its node
        for end in (s["source"], s["target"]):
            if end is not None and end not in unit_names:
                unit_names.append(end)
    stock = {u["name"]: _number(u["stock_change"]) for u in audit.tables["units"]}

    # the drawn flow of every stream
    drawn: list[tuple[float | None, float | None, float | None]] = []  # (flow, measured, reconciled)
    for s, value in zip(streams, values, strict=True):
        measured = _number(s["measured"])
        flow = value if value is not None else measured
        drawn.append((flow if flow is None else max(flow, 0.0), measured, value))

    inputs = [i for i, s in enumerate(streams) if s["source"] is None]
    outputs = [i for i, s in enumerate(streams) if s["target"] is None]
    edges = [(s["source"], s["target"]) for s in streams if s["source"] is not None and s["target"] is not None]
    fed = [streams[i]["target"] for i in inputs if streams[i]["target"] is not None]
    column = _columns(unit_names, edges, fed)
    last = max(column.values(), default=0) + 1

    # flows of every node, for the scale: a unit's max(in, out), a boundary node its stream's
    def flow_of(i: int) -> float:
        return drawn[i][0] or 0.0

    unit_in = {u: sum(flow_of(i) for i, s in enumerate(streams) if s["target"] == u) for u in unit_names}
    unit_out = {u: sum(flow_of(i) for i, s in enumerate(streams) if s["source"] == u) for u in unit_names}
    columns: dict[int, list[tuple[str, str, float, int | None]]] = {}  # column -> [(name, kind, flow, stream)]
    position = {u: k for k, u in enumerate(unit_names)}
    for i in sorted(
        inputs, key=lambda i: (column.get(streams[i]["target"], last), position.get(streams[i]["target"], 0))
    ):
        columns.setdefault(0, []).append((streams[i]["name"], "input", flow_of(i), i))
    for u in unit_names:
        columns.setdefault(column[u], []).append((u, "unit", max(unit_in[u], unit_out[u]), None))
    for i in sorted(
        outputs, key=lambda i: (column.get(streams[i]["source"], 0), position.get(streams[i]["source"], 0))
    ):
        columns.setdefault(last, []).append((streams[i]["name"], "output", flow_of(i), i))

    total = max((sum(f for _, _, f, _ in entries) for entries in columns.values()), default=0.0)
    scale = FLOW_HEIGHT / total if total > 0 else 1.0

    def width_of(i: int) -> float:
        flow = drawn[i][0]
        return STUB if flow is None else flow * scale

    heights: dict[tuple[str, str], float] = {}
    for entries in columns.values():
        for name, kind, _, i in entries:
            if kind == "unit":
                into = sum(width_of(j) for j, s in enumerate(streams) if s["target"] == name)
                out = sum(width_of(j) for j, s in enumerate(streams) if s["source"] == name)
                heights[(kind, name)] = max(into, out, MIN_NODE)
            else:
                heights[(kind, name)] = width_of(i)
    body = max(
        (sum(heights[(k, n)] for n, k, _, _ in e) + NODE_GAP * (len(e) - 1) for e in columns.values()), default=0.0
    )
    width = 2 * SIDE + last * COLUMN_GAP + NODE_WIDTH

    # measured closure of every unit, as the balance sheet computes it
    closures: dict[str, tuple[float | None, bool]] = {}
    from ..core import balance_closure

    for u in unit_names:
        ends = [s for s in streams if u in (s["source"], s["target"])]
        inflow = sum(_number(s["measured"]) or 0.0 for s in ends if s["target"] == u)
        outflow = sum(_number(s["measured"]) or 0.0 for s in ends if s["source"] == u)
        complete = all(_number(s["measured"]) is not None for s in ends)
        closure = float(balance_closure(inflow, outflow, stock.get(u))) if inflow and complete else None
        closures[u] = (closure, closure is not None and abs(closure) > tolerance + 1e-12)

    nodes: list[Node] = []
    where: dict[tuple[str, int | None], Node] = {}
    for c, entries in sorted(columns.items()):
        size = sum(heights[(k, n)] for n, k, _, _ in entries) + NODE_GAP * (len(entries) - 1)
        y = TOP + (body - size) / 2
        for name, kind, _, i in entries:
            h = heights[(kind, name)]
            if kind == "unit":
                closure, unclosed = closures[name]
                node = Node(
                    name, kind, c, SIDE + c * COLUMN_GAP, y, h, unit_in[name], unit_out[name], closure, unclosed
                )
            else:
                node = Node(name, kind, c, SIDE + c * COLUMN_GAP, y, h, flow_of(i), flow_of(i))  # type: ignore[arg-type]
            nodes.append(node)
            where[(kind, name if kind == "unit" else i)] = node
            y += h + NODE_GAP

    def start_of(i: int) -> Node:
        s = streams[i]
        return where[("unit", s["source"])] if s["source"] is not None else where[("input", i)]

    def end_of(i: int) -> Node:
        s = streams[i]
        return where[("unit", s["target"])] if s["target"] is not None else where[("output", i)]

    # ports: a node's outgoing bands stacked from its top in the order of their targets' heights, incoming alike
    out_y: dict[int, float] = {}
    in_y: dict[int, float] = {}
    for node in nodes:
        leaving = [i for i in range(len(streams)) if start_of(i) is node]
        arriving = [i for i in range(len(streams)) if end_of(i) is node]
        y = node.y
        for i in sorted(leaving, key=lambda i: (end_of(i).x <= node.x, end_of(i).y, i)):
            out_y[i] = y
            y += width_of(i)
        y = node.y
        for i in sorted(arriving, key=lambda i: (start_of(i).x >= node.x, start_of(i).y, i)):
            in_y[i] = y
            y += width_of(i)

    # recycles run back under the nodes, each in a lane of its own
    lanes: dict[int, float] = {}
    lane = TOP + body + NODE_GAP
    for i in range(len(streams)):
        if end_of(i).x <= start_of(i).x:
            lanes[i] = lane + width_of(i) / 2
            lane += width_of(i) + NODE_GAP / 2
    height = lane + BOTTOM

    bands = []
    for i, s in enumerate(streams):
        flow, measured, value = drawn[i]
        a, b = start_of(i), end_of(i)
        adjusted = measured is not None and value is not None and abs(value - measured) > 1e-9 * max(1.0, abs(measured))
        bands.append(
            Band(
                name=s["name"],
                source=a.name,
                target=b.name,
                flow=flow,
                width=width_of(i),
                dashed=measured is None,
                measured=measured,
                reconciled=value,
                adjusted=adjusted,
                x0=a.x + NODE_WIDTH,
                y0=out_y[i],
                x1=b.x,
                y1=in_y[i],
                lane=lanes.get(i),
            )
        )
    if not streams:
        notes.append(words["empty"])
    return Diagram(nodes, bands, scale, width, height, lang, reconciled, tolerance, title, mass_unit, notes)


# --- drawing ---------------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _percent(value: float) -> str:
    return f"{value * 100:+.1f} %".replace("-", "−")


def _centre_path(band: Band) -> str:
    """The band's centre line, stroked with the band's width: a cubic from source to target (tangents
    horizontal at both ends); a recycle runs right, down to its lane below the nodes, back left, and up."""
    h = band.width / 2
    x0, y0, x1, y1 = band.x0, band.y0 + h, band.x1, band.y1 + h
    if band.lane is not None:
        r = 18.0 + h
        return (
            f"M{x0:.2f},{y0:.2f} L{x0 + r:.2f},{y0:.2f} L{x0 + r:.2f},{band.lane:.2f} "
            f"L{x1 - r:.2f},{band.lane:.2f} L{x1 - r:.2f},{y1:.2f} L{x1:.2f},{y1:.2f}"
        )
    bend = max(abs(x1 - x0) / 2, 60.0)
    return f"M{x0:.2f},{y0:.2f} C{x0 + bend:.2f},{y0:.2f} {x1 - bend:.2f},{y1:.2f} {x1:.2f},{y1:.2f}"


def _middle(band: Band) -> tuple[float, float]:
    """The middle of the band's centre line (t = 1/2 of the symmetric cubic is the midpoint of its ends)."""
    if band.lane is not None:
        return (band.x0 + band.x1) / 2, band.lane
    return (band.x0 + band.x1) / 2, (band.y0 + band.y1 + band.width) / 2


def _draw(d: Diagram) -> ElementTree.Element:
    words = _words(d.lang)
    svg = document(d.width, d.height, d.title)
    _text(svg, 20, 30, d.title, **{"font-size": "18", "font-weight": "bold"})
    if d.mass_unit:
        _text(svg, 20, 50, words["unit"].format(unit=d.mass_unit), **{"font-size": "11"})

    bands = ElementTree.SubElement(svg, "g", {"id": "bands"})
    labels = ElementTree.Element("g", {"id": "labels", "font-size": "11"})  # drawn last, over bands and nodes
    for band in d.bands:
        group = ElementTree.SubElement(bands, "g", {"class": "band"})
        ElementTree.SubElement(group, "title").text = band.name
        style = {"d": _centre_path(band), "fill": "none", "stroke-width": f"{band.width:.3f}"}
        if band.lane is not None:
            style["stroke-linejoin"] = "round"
        if band.dashed:  # not measured: a light, dashed band (a thin dashed line when its flow is unknown)
            style.update({"stroke": _COLOURS["dashed"], "stroke-dasharray": "8 5"})
            if band.flow is None:
                style["stroke"] = _COLOURS["band"]
        else:
            style.update({"stroke": _COLOURS["band"], "stroke-opacity": "0.65"})
        ElementTree.SubElement(group, "path", style)
        mx, my = _middle(band)
        if band.adjusted and band.measured is not None:  # the measured width, centred on the band
            half = band.measured * d.scale / 2
            ElementTree.SubElement(
                group,
                "line",
                {"x1": f"{mx:.2f}", "y1": f"{my - half:.2f}", "x2": f"{mx:.2f}", "y2": f"{my + half:.2f}",
                 "stroke": _COLOURS["tick"], "stroke-width": "2", "class": "tick"},
            )  # fmt: skip
        value = f"{_fmt(band.measured)} → {_fmt(band.reconciled)}" if band.adjusted else _fmt(band.flow)
        inner = band.source not in {n.name for n in d.nodes if n.kind == "input"} and band.target not in {
            n.name for n in d.nodes if n.kind == "output"
        }
        label = f"{band.name}: {value}" if inner else value
        _text(labels, mx + 5, my + 4, label)

    nodes = ElementTree.SubElement(svg, "g", {"id": "nodes"})
    for node in d.nodes:
        group = ElementTree.SubElement(nodes, "g", {"class": node.kind})
        colour = _COLOURS["unit" if node.kind == "unit" else "boundary"]
        rect = {"x": f"{node.x:.2f}", "y": f"{node.y:.2f}", "width": f"{NODE_WIDTH:g}", "height": f"{node.height:.2f}",
                "fill": colour}  # fmt: skip
        if node.unclosed:
            rect.update({"stroke": _COLOURS["flag"], "stroke-width": "3"})
        ElementTree.SubElement(group, "rect", rect)
        middle = node.y + node.height / 2 + 4
        if node.kind == "input":
            _text(group, node.x - 6, middle, node.name, **{"text-anchor": "end"})
        elif node.kind == "output":
            _text(group, node.x + NODE_WIDTH + 6, middle, node.name)
        else:
            _text(group, node.x + NODE_WIDTH / 2, node.y - 6, node.name,
                  **{"text-anchor": "middle", "font-weight": "bold"})  # fmt: skip
            if node.unclosed and node.closure is not None:
                _text(group, node.x + NODE_WIDTH / 2, node.y + node.height + 16, _percent(node.closure),
                      **{"text-anchor": "middle", "fill": _COLOURS["flag"], "font-weight": "bold",
                         "class": "closure"})  # fmt: skip

    svg.append(labels)
    legend = ElementTree.SubElement(svg, "g", {"id": "legend", "font-size": "11"})
    y = d.height - BOTTOM + 36
    lines = [
        words["basis_reconciled" if d.reconciled else "basis_measured"],
        words["dashed"],
        *([words["adjusted"]] if d.reconciled else []),
        words["unclosed"].format(tol=_percent(d.tolerance).lstrip("+")),
        *d.notes,
    ]
    for line in lines:
        _text(legend, 20, y, line)
        y += 15
    return svg


def _html(svg: str, title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{svg}\n</body></html>\n"
    )
