"""Stage 3, assessment: the stream table with reconciled flows, material and water balances, causes of waste."""

from __future__ import annotations

import math
from typing import Any

from ... import core
from ...audit.schema import ASPECTS, TABLES
from ..engine import Computed, Sheet, col_letter
from ..labels import choice_label
from .context import Context, cell_value, num

#: The stream table's columns on the flowsheet; the components' contents are on the component sheet.
STREAM_INPUTS = ("name", "source", "target", "measured", "sigma")


def flowsheet(ctx: Context) -> None:
    """The stream table (stream, from unit, to unit, measured, σ) with the reconciled flows.

    The reconciled flows of the last build are stored as values in one column,
    so they show in Excel, LibreOffice and WPS without the add-in; beside it,
    CP_RECONCILE (the add-in) recomputes them with their uncertainty and status.
    """
    sheet = Sheet(ctx.book, "flowsheet")
    streams = ctx.t["streams"]
    rows = ctx.rows("streams")
    try:
        result = ctx.audit.reconcile()
    except core.CPError:
        result = None  # the sheet shows no reconciled values; cpxl check says why
    outputs = (("reconciled", "value", "num"), ("reconciled_sigma", "sigma", "num"), ("status", "status", "text"))
    place = sheet.table("streams", "streams", streams, rows, STREAM_INPUTS, extra_columns=1 + len(outputs))
    ctx.places["streams"] = place
    ws, book = sheet.ws, ctx.book
    values: dict[str, list[Any]] = {}
    for _, output, kind in outputs:
        values[output] = [None] * rows
        if result is not None:
            for i in range(len(streams)):
                x = result[output][i]
                values[output][i] = (
                    None if isinstance(x, float) and math.isnan(x) else (float(x) if kind == "num" else str(x))
                )
    # The values of this build, stored as numbers: what Excel without the add-in keeps showing.
    col = place.last_col - len(outputs)
    ws.write_string(place.first_row - 1, col, book.text("col.streams.reconciled_at_build"), book.fmt("header"))
    sheet.width(col, 16)
    for i, value in enumerate(values["value"]):
        if value is None:
            ws.write_blank(place.first_row + i, col, None, book.fmt("computed", "num"))
        else:
            ws.write_number(place.first_row + i, col, value, book.fmt("computed", "num"))
    # The live columns spill from CP_RECONCILE (the add-in); without it they stay blank, and one cell says why.
    args = "streams_source,streams_target,streams_measured,streams_sigma"
    for j, (key, output, kind) in enumerate(outputs):
        col = place.last_col - len(outputs) + 1 + j
        ws.write_string(place.first_row - 1, col, book.text(f"col.streams.{key}"), book.fmt("header"))
        sheet.width(col, 16 if kind == "num" else 22)
        formula = f'=IFERROR(CP_RECONCILE({args},"{output}"),"")'
        fmt = book.fmt("computed", kind)
        column = values[output]
        ws.write_dynamic_array_formula(
            place.first_row, col, place.first_row + rows - 1, col, formula, fmt, cell_value(column[0])
        )
        for i in range(1, rows):
            value = column[i]
            if isinstance(value, float):
                ws.write_number(place.first_row + i, col, value, fmt)
            elif value:
                ws.write_string(place.first_row + i, col, value, fmt)
            else:
                ws.write_blank(place.first_row + i, col, None, fmt)
    hint = ctx.q(ctx.words("addin_hint").format(col=col_letter(place.last_col - len(outputs))))
    ws.write_formula(
        place.first_row - 2,
        place.last_col - len(outputs) + 1,
        f'=IF(ISERROR(CP_VERSION()),{hint},"")',
        book.fmt("note"),
        "",
    )
    sheet.finish()


def unit_results(ctx: Context) -> list[dict[str, Any]]:
    """Per unit, what the balance sheet's formulas compute: Σ in, Σ out, unmeasured, closure, flag."""
    streams = ctx.t["streams"]
    tolerance = ctx.f["closure_tolerance"]
    results = []
    for unit in ctx.t["units"]:
        name = unit["name"]
        inflow = sum(num(s["measured"]) for s in streams if s["target"] == name)
        outflow = sum(num(s["measured"]) for s in streams if s["source"] == name)
        unmeasured = sum(1 for s in streams if name in (s["source"], s["target"]) and s["measured"] is None)
        closure = core.balance_closure(inflow, outflow, unit["stock_change"]) if inflow else None
        if closure is None:
            flag = None
        elif unmeasured:
            flag = ctx.words("incomplete")
        else:
            flag = ctx.words("check" if abs(closure) > tolerance else "ok")
        results.append(
            {"inflow": inflow, "outflow": outflow, "unmeasured": unmeasured, "closure": closure, "flag": flag}
        )
    return results


def balance(ctx: Context) -> None:
    """Σ in, Σ out and closure of every unit (SUMIFS over the stream table) and of the whole plant, flagged.

    The balance diagram (``build(..., diagram=png)``) goes to the right of the unit table.
    """
    sheet = Sheet(ctx.book, "balance")
    sheet.title("balance")
    streams = ctx.t["streams"]
    results = {id(u): r for u, r in zip(ctx.t["units"], unit_results(ctx), strict=True)}

    def result(key: str) -> Any:
        return lambda r, v: results[id(r)][key]

    check = ctx.q(ctx.words("check"))
    inflow = sum(num(s["measured"]) for s in streams if s["source"] is None and s["target"] is not None)
    outflow = sum(num(s["measured"]) for s in streams if s["target"] is None and s["source"] is not None)
    stock = sum(num(u["stock_change"]) for u in ctx.t["units"])
    sheet.ws.write_string(sheet.row, 0, ctx.words("system"), ctx.book.fmt("subtitle"))
    sheet.row += 1
    sheet.result(
        "result.closure_tolerance",
        "result_closure_tolerance",
        "=closure_tolerance",
        ctx.f["closure_tolerance"],
        "pct",
    )
    sheet.result(
        "col.units.inflow",
        "result_system_inflow",
        '=SUMPRODUCT((streams_source="")*(streams_target<>""),streams_measured)',
        inflow,
        "num",
    )
    sheet.result(
        "col.units.outflow",
        "result_system_outflow",
        '=SUMPRODUCT((streams_target="")*(streams_source<>""),streams_measured)',
        outflow,
        "num",
    )
    sheet.result("col.units.stock_change", "result_system_stock", "=SUM(units_stock_change)", stock, "num")
    sheet.result(
        "result.system_closure",
        "result_system_closure",
        '=IF(N(result_system_inflow)=0,"",(result_system_inflow-result_system_outflow-result_system_stock)'
        "/result_system_inflow)",
        core.balance_closure(inflow, outflow, stock) if inflow > 0 else None,
        "pct",
        flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
    )
    checks = sum(1 for r in results.values() if r["flag"] == ctx.words("check"))
    sheet.result(
        "result.units_to_check",
        "result_units_to_check",
        f"=COUNTIF(units_flag,{check})",
        checks,
        "int",
        flag="{cell}>0",
    )
    ctx.places["units"] = sheet.table(
        "units",
        "units",
        ctx.t["units"],
        ctx.rows("units"),
        TABLES["units"].keys,
        [
            Computed(
                "inflow",
                'IF({name}="","",SUMIFS(streams_measured,streams_target,{name}))',
                result("inflow"),
                "num",
                unit="mass",
            ),
            Computed(
                "outflow",
                'IF({name}="","",SUMIFS(streams_measured,streams_source,{name}))',
                result("outflow"),
                "num",
                unit="mass",
            ),
            Computed(
                "unmeasured",
                'IF({name}="","",SUMPRODUCT(((streams_target={name})+(streams_source={name}))'
                '*(streams_measured="")*(streams_name<>"")))',
                result("unmeasured"),
                "int",
            ),
            Computed(
                "closure",
                'IF(OR({name}="",N({inflow})=0),"",({inflow}-{outflow}-N({stock_change}))/{inflow})',
                result("closure"),
                "pct",
                flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
            ),
            Computed(
                "flag",
                f'IF({{closure}}="","",IF({{unmeasured}}>0,{ctx.q(ctx.words("incomplete"))},'
                f"IF(ABS({{closure}})>closure_tolerance,{check},{ctx.q(ctx.words('ok'))})))",
                result("flag"),
                "general",
                20,
                flag=f"{{cell}}={check}",
            ),
        ],
    )
    sheet.picture("picture.balance")  # the balance diagram, when the build was given one
    sheet.finish()


def water(ctx: Context) -> None:
    """Water users with fresh and reused water, the reuse rate of each and of the plant."""
    sheet = Sheet(ctx.book, "water")
    sheet.title("water")
    rows = ctx.t["water"]

    def rate(r: dict[str, Any], v: dict[str, Any]) -> Any:
        if num(r["fresh"]) + num(r["reused"]) <= 0:
            return None
        return core.reuse_rate(num(r["fresh"]), num(r["reused"]))

    fresh = sum(num(r["fresh"]) for r in rows)
    reused = sum(num(r["reused"]) for r in rows)
    sheet.result("col.water.fresh", "result_water_fresh", "=SUM(water_fresh)", fresh, "num")
    sheet.result("col.water.reused", "result_water_reused", "=SUM(water_reused)", reused, "num")
    sheet.result(
        "col.water.wastewater",
        "result_water_wastewater",
        "=SUM(water_wastewater)",
        sum(num(r["wastewater"]) for r in rows),
        "num",
    )
    sheet.result(
        "result.water_reuse",
        "result_water_reuse",
        '=IF(result_water_fresh+result_water_reused<=0,"",result_water_reused/(result_water_fresh+result_water_reused))',
        core.reuse_rate(fresh, reused) if fresh + reused > 0 else None,
        "pct",
    )
    sheet.result(
        "result.fresh_water_intensity",
        "result_fresh_water_intensity",
        '=IF(N(main_output)<=0,"",result_water_fresh/main_output)',
        ctx.per_main(fresh),
        "num3",
    )
    ctx.places["water"] = sheet.table(
        "water",
        "water_users",
        rows,
        ctx.rows("water"),
        TABLES["water"].keys,
        [
            Computed(
                "reuse_rate",
                'IF(OR({name}="",N({fresh})+N({reused})<=0),"",N({reused})/(N({fresh})+N({reused})))',
                rate,
                "pct",
            )
        ],
    )
    sheet.finish()


def causes(ctx: Context) -> None:
    """Causes of waste over the eight aspects, and how many causes each aspect has."""
    sheet = Sheet(ctx.book, "causes")
    ctx.places["causes"] = sheet.table("causes", "causes", ctx.t["causes"], ctx.rows("causes"), TABLES["causes"].keys)
    sheet.beside()
    sheet.title("causes_summary")
    col = sheet.col0
    for aspect in ASPECTS:
        text = choice_label(aspect, ctx.lang)
        count = sum(1 for c in ctx.t["causes"] if c["aspect"] == aspect)
        sheet.ws.write_string(sheet.row, col, text, ctx.book.fmt("label"))
        sheet.ws.write_formula(
            sheet.row, col + 1, f"=COUNTIF(causes_aspect,{ctx.q(text)})", ctx.book.fmt("computed", "int"), count
        )
        sheet.row += 1
    sheet.width(col, 20)
    sheet.width(col + 1, 8)
    sheet.finish()
