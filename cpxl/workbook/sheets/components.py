"""Stage 3, assessment: the balance of each component (a pollutant, a solvent, a metal) through the stream table.

Up to :data:`~cpxl.audit.schema.MAX_COMPONENTS` components, each with the unit
its contents are measured in (:data:`~cpxl.audit.schema.CONTENT_UNITS`). Per
stream, the content of each component beside the stream's flow, and the
component flow (flow × content × the unit's factor to kg/kg); per unit and for
the plant, Σ in, Σ out and the closure of each component, flagged beyond the
tolerance, all with native formulas. The contents reconciled together with the
flows (:func:`cpxl.reconcile_components`) are stored as values at build and
recomputed live by ``CP_RECONCILE_COMPONENTS`` with the add-in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ... import core
from ...audit.schema import CONTENT_UNITS, MAX_COMPONENTS
from ..engine import Computed, Placement, Sheet, col_letter, quote_sheet
from ..labels import choice_label
from .context import Context, cell_value, num

COMPONENTS = range(1, MAX_COMPONENTS + 1)


def components(ctx: Context) -> None:
    """The component sheet: the components with the plant's balance of each, each stream's contents, each unit's
    balance of each component."""
    sheet = Sheet(ctx.book, "components")
    sheet.title("component_balance")
    sheet.note(ctx.words("components_note"))
    flows = _stream_component_flows(ctx)
    check = ctx.q(ctx.words("check"))
    unit_rows = unit_results(ctx)
    sheet.result(
        "result.component_units_to_check",
        "result_component_units_to_check",
        "=" + "+".join(f"COUNTIF(units_component_flag_{k},{check})" for k in COMPONENTS),
        sum(1 for row in unit_rows for k in COMPONENTS if row[f"component_flag_{k}"] == ctx.words("check")),
        "int",
        flag="{cell}>0",
    )
    _components_table(ctx, sheet, flows)
    sheet.beside()
    _streams_part(ctx, sheet, flows)
    sheet.beside()
    _units_part(ctx, sheet, unit_rows)
    sheet.finish()


def _factors(ctx: Context) -> list[float]:
    """Per component (all four), the factor of its unit to kg/kg; 1 where no unit is given."""
    records = ctx.t["components"]
    return [CONTENT_UNITS[(records[k - 1]["unit"] if k <= len(records) else None) or "kg_kg"] for k in COMPONENTS]


def _stream_component_flows(ctx: Context) -> list[list[float | None]]:
    """Per stream and component, measured flow × content × factor, as the sheet computes it; None if either is blank."""
    factors = _factors(ctx)
    return [
        [
            None
            if s["measured"] is None or s[f"content_{k}"] is None
            else s["measured"] * s[f"content_{k}"] * factors[k - 1]
            for k in COMPONENTS
        ]
        for s in ctx.t["streams"]
    ]


def _closure_and_flag(ctx: Context, inflow: float, outflow: float, unmeasured: int) -> tuple[Any, Any]:
    """The closure (in − out)/in and its word, as the total balances compute them; blank when nothing flows in."""
    if not inflow:
        return None, None
    closure = core.balance_closure(inflow, outflow)
    if unmeasured:
        return closure, ctx.words("incomplete_component")
    return closure, ctx.words("check" if abs(closure) > ctx.f["closure_tolerance"] else "ok")


def unit_results(ctx: Context) -> list[dict[str, Any]]:
    """Per unit, what the component sheet's formulas compute for each component k: ``component_inflow_k``,
    ``component_outflow_k``, ``component_closure_k`` and ``component_flag_k`` (None where the sheet shows a blank).
    """
    flows = _stream_component_flows(ctx)
    streams = ctx.t["streams"]
    named = len(ctx.t["components"])
    results = []
    for unit in ctx.t["units"]:
        name = unit["name"]
        row: dict[str, Any] = {}
        for k in COMPONENTS:
            keys = [f"component_{key}_{k}" for key in ("inflow", "outflow", "closure", "flag")]
            if k > named:
                row |= dict.fromkeys(keys)
                continue
            inflow = sum(num(f[k - 1]) for s, f in zip(streams, flows, strict=True) if s["target"] == name)
            outflow = sum(num(f[k - 1]) for s, f in zip(streams, flows, strict=True) if s["source"] == name)
            unmeasured = sum(
                1
                for s, f in zip(streams, flows, strict=True)
                if name in (s["source"], s["target"]) and f[k - 1] is None
            )
            row |= dict(zip(keys, (inflow, outflow, *_closure_and_flag(ctx, inflow, outflow, unmeasured)), strict=True))
        results.append(row)
    return results


def _flows_of_component(name: str) -> str:
    """The column of component flows of the component named in the cell *name*, as a formula."""
    columns = ",".join(f"streams_component_flow_{k}" for k in COMPONENTS)
    return f"CHOOSE(MATCH({name},components_name,0),{columns})"


def _components_table(ctx: Context, sheet: Sheet, flows: list[list[float | None]]) -> None:
    """The components (name, unit) with the factor of the unit and the plant's balance of each."""
    streams = ctx.t["streams"]
    records = ctx.t["components"]
    units = list(CONTENT_UNITS)
    labels = ",".join(ctx.q(choice_label(u, ctx.lang)) for u in units)
    factors = ",".join(f"{CONTENT_UNITS[u]:.17g}" for u in units)
    plant: dict[int, dict[str, Any]] = {}
    for k, record in enumerate(records, start=1):
        column = [f[k - 1] for f in flows]
        inflow = sum(num(c) for s, c in zip(streams, column, strict=True) if s["source"] is None and s["target"])
        outflow = sum(num(c) for s, c in zip(streams, column, strict=True) if s["target"] is None and s["source"])
        unmeasured = sum(
            1
            for s, c in zip(streams, column, strict=True)
            if (s["source"] is None) != (s["target"] is None) and c is None
        )
        closure, flag = _closure_and_flag(ctx, inflow, outflow, unmeasured)
        plant[id(record)] = {
            "inflow": inflow,
            "outflow": outflow,
            "unmeasured": unmeasured,
            "closure": closure,
            "flag": flag,
        }

    def result(key: str) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
        return lambda r, v: plant[id(r)][key]

    check, ok = ctx.q(ctx.words("check")), ctx.q(ctx.words("ok"))
    incomplete = ctx.q(ctx.words("incomplete_component"))
    flows_of = _flows_of_component("{name}")
    ctx.places["components"] = sheet.table(
        "components",
        "components",
        records,
        ctx.rows("components"),
        ("name", "unit"),
        [
            Computed(
                "factor",
                f'IF({{name}}="","",IF({{unit}}="",1,INDEX({{{{{factors}}}}},MATCH({{unit}},{{{{{labels}}}}},0))))',
                lambda r, v: CONTENT_UNITS[r["unit"] or "kg_kg"],
                "general",
                11,
            ),
            Computed(
                "inflow",
                f'IF({{name}}="","",SUMPRODUCT((streams_source="")*(streams_target<>""),{flows_of}))',
                result("inflow"),
                "num",
                unit="mass",
            ),
            Computed(
                "outflow",
                f'IF({{name}}="","",SUMPRODUCT((streams_target="")*(streams_source<>""),{flows_of}))',
                result("outflow"),
                "num",
                unit="mass",
            ),
            Computed(
                "unmeasured",
                f'IF({{name}}="","",SUMPRODUCT((((streams_source="")+(streams_target=""))=1)*(streams_name<>"")'
                f"*(1-ISNUMBER({flows_of}))))",
                result("unmeasured"),
                "int",
            ),
            Computed(
                "closure",
                'IF(OR({name}="",N({inflow})=0),"",({inflow}-{outflow})/{inflow})',
                result("closure"),
                "pct",
                flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
            ),
            Computed(
                "flag",
                f'IF({{closure}}="","",IF({{unmeasured}}>0,{incomplete},IF(ABS({{closure}})>closure_tolerance,'
                f"{check},{ok})))",
                result("flag"),
                "general",
                18,
                flag=f"{{cell}}={check}",
            ),
        ],
    )


def _units_part(ctx: Context, sheet: Sheet, unit_rows: list[dict[str, Any]]) -> None:
    """Per unit and component: Σ in, Σ out (SUMIFS over the component flows), the closure and its flag."""
    by_unit = {id(u): row for u, row in zip(ctx.t["units"], unit_rows, strict=True)}
    check, ok = ctx.q(ctx.words("check")), ctx.q(ctx.words("ok"))
    incomplete = ctx.q(ctx.words("incomplete_component"))

    def result(key: str) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
        return lambda r, v: by_unit[id(r)][key]

    computed: list[Computed] = []
    for k in COMPONENTS:
        flow, named = f"streams_component_flow_{k}", f"INDEX(components_name,{k})"
        inflow, outflow, closure = (f"{{component_{key}_{k}}}" for key in ("inflow", "outflow", "closure"))
        unmeasured = (
            f'SUMPRODUCT(((streams_target={{name}})+(streams_source={{name}}))*(streams_name<>"")*(1-ISNUMBER({flow})))'
        )
        computed += [
            Computed(
                f"component_inflow_{k}",
                f'IF(OR({{name}}="",{named}=""),"",SUMIFS({flow},streams_target,{{name}}))',
                result(f"component_inflow_{k}"),
                "num",
                unit="mass",
            ),
            Computed(
                f"component_outflow_{k}",
                f'IF(OR({{name}}="",{named}=""),"",SUMIFS({flow},streams_source,{{name}}))',
                result(f"component_outflow_{k}"),
                "num",
                unit="mass",
            ),
            Computed(
                f"component_closure_{k}",
                f'IF(OR({inflow}="",N({inflow})=0),"",({inflow}-{outflow})/{inflow})',
                result(f"component_closure_{k}"),
                "pct",
                flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
            ),
            Computed(
                f"component_flag_{k}",
                f'IF({closure}="","",IF({unmeasured}>0,{incomplete},IF(ABS({closure})>closure_tolerance,{check},{ok})))',
                result(f"component_flag_{k}"),
                "general",
                16,
                flag=f"{{cell}}={check}",
            ),
        ]
    place = sheet.table(
        "units",
        "unit_components",
        ctx.t["units"],
        ctx.rows("units"),
        (),
        computed,
        refs=[("name", ctx.places["units"], "col.units.name")],
    )
    for k in COMPONENTS:
        for key in ("inflow", "outflow", "closure", "flag"):
            _component_header(ctx, sheet, place, place.columns[f"component_{key}_{k}"], k, f"component_{key}")


def _streams_part(ctx: Context, sheet: Sheet, flows: list[list[float | None]]) -> None:
    """Per stream: its flow, the content of each component and its σ (inputs), the component flows (computed),
    and the contents reconciled with the flows: the values at build, and the add-in's live ones."""
    streams = ctx.t["streams"]
    flowsheet = ctx.places["streams"]
    by_stream = {id(s): f for s, f in zip(streams, flows, strict=True)}

    def flow(k: int) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
        return lambda r, v: by_stream[id(r)][k - 1]

    inputs = [f"content_{k}" for k in COMPONENTS] + [f"content_sigma_{k}" for k in COMPONENTS]
    computed = [
        Computed(
            f"component_flow_{k}",
            f'IF(OR({{measured}}="",{{content_{k}}}=""),"",{{measured}}*{{content_{k}}}*INDEX(components_factor,{k}))',
            flow(k),
            "num",
            unit="mass",
        )
        for k in COMPONENTS
    ]
    rows = ctx.rows("streams")
    place = sheet.table(
        "streams",
        "stream_contents",
        streams,
        rows,
        inputs,
        computed,
        refs=[("name", flowsheet, "col.streams.name"), ("measured", flowsheet, "col.streams.measured")],
        extra_columns=2 * MAX_COMPONENTS,
    )
    for k in COMPONENTS:
        _component_header(ctx, sheet, place, place.columns[f"content_{k}"], k, "content", unit=True)
        _component_header(ctx, sheet, place, place.columns[f"content_sigma_{k}"], k, "content_sigma", unit=True)
        _component_header(ctx, sheet, place, place.columns[f"component_flow_{k}"], k, "component_flow")
    if ctx.book.dry:
        return
    _reconciled_contents(ctx, sheet, place, rows)


def _reconciled_contents(ctx: Context, sheet: Sheet, place: Placement, rows: int) -> None:
    """The reconciled contents in each component's unit: values at build, then the live CP_RECONCILE_COMPONENTS."""
    book, ws = ctx.book, sheet.ws
    streams = ctx.t["streams"]
    factors = _factors(ctx)
    try:
        result = ctx.audit.reconcile_components()
    except core.CPError:
        result = None  # no reconciled contents; cpxl check says why
    values: list[list[float | None]] = [[None] * MAX_COMPONENTS for _ in range(rows)]
    if result is not None:
        for i in range(len(streams)):
            for k in range(len(ctx.t["components"])):
                x = float(result.fraction[i, k])
                values[i][k] = None if math.isnan(x) else x / factors[k]
    first = place.last_col - 2 * MAX_COMPONENTS + 1
    fmt = book.fmt("computed", "amount")
    for k in COMPONENTS:
        col = first + k - 1
        _component_header(ctx, sheet, place, col, k, "reconciled_content", unit=True)
        sheet.width(col, 14)
        for i in range(rows):
            value = values[i][k - 1]
            if value is None:
                ws.write_blank(place.first_row + i, col, None, fmt)
            else:
                ws.write_number(place.first_row + i, col, value, fmt)
    live = first + MAX_COMPONENTS
    for k in COMPONENTS:
        _component_header(ctx, sheet, place, live + k - 1, k, "live_content", unit=True)
        sheet.width(live + k - 1, 14)

    def block(key: str) -> str:
        c1, c2 = col_letter(place.columns[f"{key}_1"]), col_letter(place.columns[f"{key}_{MAX_COMPONENTS}"])
        r1, r2 = place.first_row + 1, place.first_row + rows
        return f"{quote_sheet(sheet.name)}!${c1}${r1}:${c2}${r2}"

    factor = "TRANSPOSE(components_factor)"
    fraction, sigma = block("content"), block("content_sigma")
    formula = (
        "=IFERROR(CP_RECONCILE_COMPONENTS(streams_source,streams_target,streams_measured,streams_sigma,"
        f'IF({fraction}="","",{fraction}*{factor}),IF({sigma}="","",{sigma}*{factor}),"fraction")/{factor},"")'
    )
    ws.write_dynamic_array_formula(
        place.first_row,
        live,
        place.first_row + rows - 1,
        live + MAX_COMPONENTS - 1,
        formula,
        fmt,
        cell_value(values[0][0]),
    )
    for i in range(rows):
        for k in COMPONENTS:
            if i == 0 and k == 1:
                continue
            value = values[i][k - 1]
            if value is None:
                ws.write_blank(place.first_row + i, live + k - 1, None, fmt)
            else:
                ws.write_number(place.first_row + i, live + k - 1, value, fmt)
    hint = ctx.q(ctx.words("components_hint"))
    ws.write_formula(place.first_row - 2, live, f'=IF(ISERROR(CP_VERSION()),{hint},"")', book.fmt("note"), "")


def _component_header(
    ctx: Context, sheet: Sheet, place: Placement, col: int, k: int, key: str, *, unit: bool = False
) -> None:
    """The header of a column of component *k*: the component's name (and its unit) in the column's words."""
    if ctx.book.dry:
        return
    records = ctx.t["components"]
    default = ctx.words("component").format(k=k)
    template = ctx.book.text(f"header.{key}")
    before, _, after = template.partition("{c}")
    name = f"INDEX(components_name,{k})"
    shown = f'IF({name}="",{ctx.q(default)},{name})'
    cached = records[k - 1]["name"] if k <= len(records) else default
    if unit:
        unit_cell = f"INDEX(components_unit,{k})"
        kg = choice_label("kg_kg", ctx.lang)
        shown += f'&" ("&IF({unit_cell}="",{ctx.q(kg)},{unit_cell})&")"'
        code = (records[k - 1]["unit"] if k <= len(records) else None) or "kg_kg"
        cached += f" ({choice_label(code, ctx.lang)})"
    parts = [ctx.q(before)] if before else []
    parts.append(shown)
    if after:
        parts.append(ctx.q(after))
    sheet.ws.write_formula(
        place.first_row - 1, col, "=" + "&".join(parts), ctx.book.fmt("header"), before + cached + after
    )
