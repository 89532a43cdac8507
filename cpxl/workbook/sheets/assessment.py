"""Stage 3, assessment: the stream table with reconciled flows, material and water balances, causes of waste."""

from __future__ import annotations

import math
from typing import Any

from ... import core
from ...audit.schema import ASPECTS, TABLES
from ..engine import Computed, Sheet
from ..labels import choice_label
from .context import Context, cell_value, num, table_rows


def flowsheet(ctx: Context) -> None:
    """The stream table (stream, from unit, to unit, measured, σ) with the reconciled flows from CP_RECONCILE."""
    sheet = Sheet(ctx.book, "flowsheet")
    sheet.title("streams")
    streams = ctx.t["streams"]
    rows = table_rows(ctx.audit, "streams")
    result = None
    if streams:
        try:
            result = core.reconcile(
                [s["source"] for s in streams],
                [s["target"] for s in streams],
                [s["measured"] for s in streams],
                [s["sigma"] for s in streams],
                names=[s["name"] for s in streams],
            )
        except core.CPError:
            result = None
    place = sheet.table("streams", streams, rows, TABLES["streams"].keys)
    ctx.places["streams"] = place
    # The reconciled columns spill from CP_RECONCILE (the add-in); without it they say so.
    fallback = ctx.q(ctx.words("needs_addin"))
    args = "streams_source,streams_target,streams_measured,streams_sigma"
    col0 = len(TABLES["streams"].keys)
    outputs = (("reconciled", "value", "num"), ("reconciled_sigma", "sigma", "num"), ("status", "status", "text"))
    for j, (key, output, kind) in enumerate(outputs):
        col = col0 + j
        sheet.ws.write_string(place.first_row - 1, col, ctx.book.text(f"col.streams.{key}"), ctx.book.fmt("header"))
        sheet.width(col, 16 if kind == "num" else 22)
        values: list[Any] = [None] * rows
        if result is not None:
            for i in range(len(streams)):
                x = result[output][i]
                values[i] = None if isinstance(x, float) and math.isnan(x) else (float(x) if kind == "num" else str(x))
        formula = f'=IFERROR(CP_RECONCILE({args},"{output}"),{fallback})'
        fmt = ctx.book.fmt("computed", kind)
        sheet.ws.write_dynamic_array_formula(
            place.first_row, col, place.first_row + rows - 1, col, formula, fmt, cell_value(values[0])
        )
        for i in range(1, rows):
            value = values[i]
            if isinstance(value, float):
                sheet.ws.write_number(place.first_row + i, col, value, fmt)
            elif value:
                sheet.ws.write_string(place.first_row + i, col, value, fmt)
            else:
                sheet.ws.write_blank(place.first_row + i, col, None, fmt)
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
    """Σ in, Σ out and closure of every unit (SUMIFS over the stream table) and of the whole plant, flagged."""
    sheet = Sheet(ctx.book, "balance")
    sheet.title("balance")
    streams = ctx.t["streams"]
    results = {id(u): r for u, r in zip(ctx.t["units"], unit_results(ctx), strict=True)}

    def result(key: str) -> Any:
        return lambda r, v: results[id(r)][key]

    check = ctx.q(ctx.words("check"))
    ctx.places["units"] = sheet.table(
        "units",
        ctx.t["units"],
        table_rows(ctx.audit, "units"),
        TABLES["units"].keys,
        [
            Computed(
                "inflow", 'IF({name}="","",SUMIFS(streams_measured,streams_target,{name}))', result("inflow"), "num"
            ),
            Computed(
                "outflow",
                'IF({name}="","",SUMIFS(streams_measured,streams_source,{name}))',
                result("outflow"),
                "num",
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
    sheet.row += 1
    inflow = sum(num(s["measured"]) for s in streams if s["source"] is None and s["target"] is not None)
    outflow = sum(num(s["measured"]) for s in streams if s["target"] is None and s["source"] is not None)
    stock = sum(num(u["stock_change"]) for u in ctx.t["units"])
    sheet.ws.write_string(sheet.row, 0, ctx.words("system"), ctx.book.fmt("subtitle"))
    sheet.row += 1
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
    sheet.finish()


def water(ctx: Context) -> None:
    """Water users with fresh and reused water, the reuse rate of each and of the plant."""
    sheet = Sheet(ctx.book, "water")
    sheet.title("water")

    def rate(r: dict[str, Any], v: dict[str, Any]) -> Any:
        if num(r["fresh"]) + num(r["reused"]) <= 0:
            return None
        return core.reuse_rate(num(r["fresh"]), num(r["reused"]))

    rows = ctx.t["water"]
    ctx.places["water"] = sheet.table(
        "water",
        rows,
        table_rows(ctx.audit, "water"),
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
    fresh = sum(num(r["fresh"]) for r in rows)
    reused = sum(num(r["reused"]) for r in rows)
    sheet.row += 1
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
    sheet.finish()


def causes(ctx: Context) -> None:
    """Causes of waste over the eight aspects, and how many causes each aspect has."""
    sheet = Sheet(ctx.book, "causes")
    sheet.title("causes")
    ctx.places["causes"] = sheet.table(
        "causes", ctx.t["causes"], table_rows(ctx.audit, "causes"), TABLES["causes"].keys
    )
    sheet.title("causes_summary")
    for aspect in ASPECTS:
        text = choice_label(aspect, ctx.lang)
        count = sum(1 for c in ctx.t["causes"] if c["aspect"] == aspect)
        sheet.ws.write_string(sheet.row, 0, text, ctx.book.fmt("label"))
        sheet.ws.write_formula(
            sheet.row, 1, f"=COUNTIF(causes_aspect,{ctx.q(text)})", ctx.book.fmt("computed", "int"), count
        )
        sheet.row += 1
    sheet.finish()
