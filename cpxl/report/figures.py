"""The report's figures: from an audit to its charts and balance diagram, and from those to PNG.

Each figure has a slot of :data:`cpxl.report.document.FIGURE_SLOTS` (where the report puts it). The charts show
values that a workbook built from the audit caches, taken from the same dry book as the report's tables
(:func:`cpxl.report.document.built`), so a figure and the table above it agree:

``consumption_trend``, ``pollutant_trend``
    The trend index of ``2 History`` (year 1 = 100, of the intensity per unit of main product where there is
    one, else of the value), one line per consumption (raw and auxiliary materials, energy, water) or pollutant
    (wastewater, waste gas, solid waste) item.
``waste_pareto``
    The waste streams of ``2 Waste streams`` by annual cost (quantity × cost per unit), largest first, with the
    cumulative share; by quantity when no stream has a cost. Streams of no cost are left out, and said so.
``balance``
    The balance diagram of :mod:`cpxl.report.sankey`.
``portfolio``
    The best total NPV that each budget buys (:func:`cpxl.portfolio`'s trade-off curve over the options that pass
    screening, with their exclusive groups and requirements), the audit's budget marked.
``before_after``
    Per option with a pollutant: its load before (100 %), expected after (``5 Environment``'s reduction) and
    measured after (``6 Implementation``'s measured reduction), each as a share of its own "before", so that
    pollutants of different units share one axis; the bars are labelled with the loads themselves.

A figure with no data is left out (:func:`charts` returns only what can be drawn).

Examples
--------
>>> from cpxl.audit import Audit
>>> made = charts(Audit.example("en"))
>>> sorted(made)
['balance', 'before_after', 'consumption_trend', 'pollutant_trend', 'portfolio', 'waste_pareto']
>>> [bar.category for bar in made["waste_pareto"].bars][:2]
['Distillation residue', 'Spent activated carbon (off-gas adsorber)']
>>> sorted(charts(Audit.blank()))
[]
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..audit.model import Audit
from ..audit.schema import CATEGORIES, MEDIA
from ..core.errors import CPError
from ..workbook.labels import LANGUAGES, label
from . import charts as draw
from .document import Built, built, load
from .sankey import sankey
from .svg import svgs_to_png

__all__ = ["MOST_BARS", "MOST_LINES", "charts", "pictures"]

#: The most bars of a Pareto (the rest summed in one last bar) or groups of the before/after chart (the largest
#: expected reductions kept), and the most lines of a trend chart (the largest changes kept): beyond these a chart
#: is no longer legible, and the report's tables hold every row.
MOST_BARS = 12
MOST_LINES = 8


def _w(lang: str, key: str) -> str:
    return label(f"figure.{key}", lang)


def charts(audit_or_path: Audit | str | Path, lang: str = "en", *, diagram: bool = True) -> dict[str, Any]:
    """The figures of the audit's report that have data, by slot: :class:`~cpxl.report.charts.Chart` objects
    and (with *diagram*) the balance diagram, :class:`~cpxl.report.sankey.Diagram`.

    Parameters
    ----------
    audit_or_path : Audit, str or Path
        The audit, a filled workbook (.xlsx) or an audit file (.yaml, .yml, .json) [-]
    lang : str
        Language of the titles and labels, ``"en"`` or ``"zh"`` [-]
    diagram : bool
        Include the balance diagram [-]

    Returns
    -------
    figures : dict of str to Chart or Diagram
        In the report's order; each has ``.svg()`` [-]

    Examples
    --------
    >>> c = charts(Audit.example("en"), diagram=False)["portfolio"]
    >>> c.markers[0][1]
    'budget 1,500,000: NPV 1,890,266'
    """
    if lang not in LANGUAGES:
        raise CPError("figures", "lang", "must be 'en' or 'zh'", lang)
    audit = load(audit_or_path)
    b = built(audit, lang)
    made: dict[str, Any] = {}
    for slot, maker in (
        ("consumption_trend", lambda: _trend(b, lang, CATEGORIES, "consumption_trend")),
        ("pollutant_trend", lambda: _trend(b, lang, MEDIA, "pollutant_trend")),
        ("waste_pareto", lambda: _pareto(b, lang)),
        ("balance", lambda: sankey(audit, lang=lang) if diagram and audit.tables["streams"] else None),
        ("portfolio", lambda: _portfolio(b, lang)),
        ("before_after", lambda: _before_after(b, lang)),
    ):
        figure = maker()
        if figure is not None:
            made[slot] = figure
    return made


def pictures(audit_or_path: Audit | str | Path, lang: str = "en", *, diagram: bool = True) -> dict[str, bytes]:
    """The figures of :func:`charts` as PNG, drawn by LibreOffice in one run per picture size (two in all).

    Raises :class:`~cpxl.core.errors.CPError` when LibreOffice (with Draw) is missing or fails.

    Examples
    --------
    >>> from cpxl.workbook.libreoffice import find_soffice
    >>> pngs = pictures(Audit.example("en")) if find_soffice() else {"balance": b"\\x89PNG"}
    >>> pngs["balance"][:4]
    b'\\x89PNG'
    """
    made = charts(audit_or_path, lang, diagram=diagram)
    pngs = svgs_to_png([figure.svg() for figure in made.values()])
    return dict(zip(made, pngs, strict=True))


# --- the charts ------------------------------------------------------------------------------------------------


def _cached(b: Built, part: str, key: str) -> list[Any]:
    """The cached values of a computed column of a table part, one per record (None for blank or text)."""
    place = b.places.get(part)
    if place is None or key not in place.computed:
        return []
    return [x if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None
            for x in place.computed[key][1]]  # fmt: skip


def _trend(b: Built, lang: str, categories: tuple[str, ...], key: str) -> draw.Chart | None:
    rows = b.audit.tables["history"]
    years = [str(b.audit.fields.get(f"year_{k}") or k) for k in (1, 2, 3)]
    trends = [_cached(b, "history", f"trend_{k}") for k in (1, 2, 3)]
    series: dict[str, list[float | None]] = {}
    for i, row in enumerate(rows):
        if row["category"] not in categories or not trends[0]:
            continue
        values = [None if t[i] is None else t[i] * 100 for t in trends]
        if sum(v is not None for v in values) >= 2:  # a trend needs two years
            series[_unique(series, str(row["name"]))] = values
    if not series:
        return None
    total = len(series)
    if total > MOST_LINES:  # the lines that moved most from year 1, in table order
        moved = sorted(series, key=lambda n: -max(abs(v - 100.0) for v in series[n] if v is not None))[:MOST_LINES]
        series = {n: v for n, v in series.items() if n in moved}
    chart = draw.lines(years, series, title=_w(lang, key), y_label=_w(lang, "index"))
    if total > MOST_LINES:
        chart.note = _w(lang, "more_lines").format(n=MOST_LINES, total=total)
    return chart


def _unique(taken: dict[str, Any], name: str) -> str:
    out, k = name, 2
    while out in taken:
        out, k = f"{name} ({k})", k + 1
    return out


def _pareto(b: Built, lang: str) -> draw.Chart | None:
    rows = b.audit.tables["wastes"]
    costs = _cached(b, "wastes", "cost")
    by_cost = any(c for c in costs)
    values = costs if by_cost else [r["quantity"] for r in rows]
    kept = [(str(r["name"]), float(v)) for r, v in zip(rows, values, strict=False) if v]
    if not kept:
        return None
    nothing = len(rows) - len(kept)
    kept.sort(key=lambda item: -item[1])
    grouped = len(kept) > MOST_BARS
    if grouped:  # the largest, then the rest summed in one last bar
        rest = kept[MOST_BARS - 1 :]
        kept = [*kept[: MOST_BARS - 1], (_w(lang, "others").format(n=len(rest)), sum(v for _, v in rest))]
    unit = b.audit.fields.get("currency" if by_cost else "mass_unit") or ""
    title = _w(lang, "waste_pareto" if by_cost else "waste_pareto_quantity")
    label = f"{_w(lang, 'cost' if by_cost else 'quantity')} ({unit})" if unit else ""
    chart = draw.pareto([n for n, _ in kept], [v for _, v in kept], title=title, y_label=label,
                        share_label=_w(lang, "cumulative"), last_is_rest=grouped)  # fmt: skip
    if nothing:
        what = _w(lang, "cost" if by_cost else "quantity")
        chart.note = _w(lang, "left_out").format(n=nothing, what=what)
    return chart


def _portfolio(b: Built, lang: str) -> draw.Chart | None:
    from ..workbook.sheets.options import portfolio_result

    solved = portfolio_result(b.ctx, details=True)
    if solved is None:
        return None
    result = solved[0]
    xs, ys = [float(x) for x in result.curve_budget], [float(y) for y in result.curve_value]
    budget = float(b.audit.fields["budget"])
    best = max((y for x, y in zip(xs, ys, strict=True) if x <= budget), default=0.0)
    money = b.audit.fields.get("currency") or ""
    marker = _w(lang, "budget_marker").format(budget=f"{budget:,.0f}", npv=f"{best:,.0f}")
    return draw.step(
        xs,
        ys,
        title=_w(lang, "portfolio"),
        x_label=f"{_w(lang, 'investment')} ({money})" if money else _w(lang, "investment"),
        y_label=f"{_w(lang, 'npv')} ({money})" if money else _w(lang, "npv"),
        series=_w(lang, "npv"),
        markers=[(budget, marker)],
    )


def _before_after(b: Built, lang: str) -> draw.Chart | None:
    rows = b.audit.tables["options"]
    expected = _cached(b, "environment", "reduction")
    measured = _cached(b, "implementation", "measured_reduction")
    categories: list[str] = []
    shares: dict[str, list[float | None]] = {_w(lang, k): [] for k in ("before", "after", "measured")}
    labels: dict[str, list[str]] = {name: [] for name in shares}
    before_s, after_s, measured_s = shares
    for i, row in enumerate(rows):
        reduction = expected[i] if i < len(expected) else None
        if reduction is None:
            continue
        done = measured[i] if i < len(measured) else None
        categories.append(f"{row['id']} {row['pollutant'] or ''}".strip())
        shares[before_s].append(100.0)
        labels[before_s].append(_load(row["before"]))
        shares[after_s].append(100.0 * (1 - reduction))
        labels[after_s].append(_load(row["after"]))
        shares[measured_s].append(None if done is None else 100.0 * (1 - done))
        labels[measured_s].append("" if done is None else _load(row["measured_after"]))
    if not categories:
        return None
    total = len(categories)
    if total > MOST_BARS:  # the largest expected reductions, in table order
        kept = sorted(sorted(range(total), key=lambda k: shares[after_s][k])[:MOST_BARS])
        categories = [categories[k] for k in kept]
        shares = {name: [values[k] for k in kept] for name, values in shares.items()}
        labels = {name: [values[k] for k in kept] for name, values in labels.items()}
    if all(x is None for x in shares[measured_s]):
        del shares[measured_s], labels[measured_s]
    chart = draw.grouped_bars(categories, shares, title=_w(lang, "before_after"),
                              y_label=_w(lang, "share_of_before"), labels=labels)  # fmt: skip
    if total > MOST_BARS:
        chart.note = _w(lang, "more_options").format(n=MOST_BARS, total=total)
    return chart


def _load(value: Any) -> str:
    return "" if value is None else draw.short(float(value))
