"""The dashboard: key results, the Paretos of waste streams by mass and by disposal cost, and charts."""

from __future__ import annotations

import warnings

from ... import core
from ...audit import option_costs
from ..engine import Sheet, col_letter, quote_sheet
from ..labels import choice_label
from .context import Context, num
from .pre_assessment import costed


def dashboard(ctx: Context) -> None:
    """Key results on one sheet: ELF, PMI, E-factor, yield, grade, closures, energy and CO2, options, targets;
    charts."""
    sheet = Sheet(ctx.book, "dashboard")
    sheet.title("dashboard")
    t, f, q = ctx.t, ctx.f, ctx.q
    amount = {
        c: sum(num(r["amount"]) for r in t["consumption"] if r["category"] == c)
        for c in ("raw_material", "auxiliary", "water")
    }
    cat = {c: f"SUMIFS(consumption_amount,consumption_category,{q(choice_label(c, ctx.lang))})" for c in amount}
    main = ctx.main_output
    fed = amount["raw_material"] + amount["auxiliary"]
    with warnings.catch_warnings():  # a negative ELF is flagged red in the sheet itself
        warnings.simplefilter("ignore", core.CPWarning)
        elf = core.elf(fed, main) if main > 0 and fed > 0 else None
    pmi = core.pmi(fed + amount["water"], main) if main > 0 and fed + amount["water"] > 0 else None
    mass_unit = (f["mass_unit"] or "").strip().casefold()
    wastes = [
        r["generated"]
        for r in t["pollutants"]
        if r["generated"] is not None and (r["unit"] or "").strip().casefold() == mass_unit and mass_unit
    ]
    efactor = core.efactor(wastes, main) if main > 0 and wastes else None
    yields = [r["yield"] for r in t["steps"] if r["yield"] is not None]
    overall = core.overall_yield(yields) if yields and all(0 < y <= 1 for y in yields) else None
    sheet.result("result.main_output", "result_main_output", "=main_output", main, "num")
    sheet.result(
        "result.elf",
        "result_elf",
        f'=IF(OR(N(main_output)<=0,{cat["raw_material"]}+{cat["auxiliary"]}<=0),"",'
        f"({cat['raw_material']}+{cat['auxiliary']}-main_output)/main_output)",
        elf,
        "num3",
        flag="AND(ISNUMBER({cell}),N({cell})<0)",
    )
    sheet.result(
        "result.pmi",
        "result_pmi",
        f'=IF(OR(N(main_output)<=0,{cat["raw_material"]}+{cat["auxiliary"]}+{cat["water"]}<=0),"",'
        f"({cat['raw_material']}+{cat['auxiliary']}+{cat['water']})/main_output)",
        pmi,
        "num3",
    )
    sheet.result(
        "result.efactor",
        "result_efactor",
        '=IF(OR(N(main_output)<=0,COUNT(pollutants_mass)=0),"",SUM(pollutants_mass)/main_output)',
        efactor,
        "num3",
    )
    sheet.result(
        "result.overall_yield",
        "result_overall_yield",
        '=IF(COUNT(steps_yield)=0,"",PRODUCT(steps_yield))',
        overall,
        "pct",
    )
    sheet.result(
        "result.grade",
        "result_grade_copy",
        "=result_grade",
        ctx.cached("result_grade"),
        "int",
        flag="{cell}=0",
    )
    sheet.result(
        "result.system_closure",
        "result_system_closure_copy",
        "=result_system_closure",
        ctx.cached("result_system_closure"),
        "pct",
        flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
    )
    sheet.result(
        "result.units_to_check",
        "result_units_to_check_copy",
        "=result_units_to_check",
        ctx.cached("result_units_to_check"),
        "int",
        flag="{cell}>0",
    )
    sheet.result(
        "result.water_reuse",
        "result_water_reuse_copy",
        "=result_water_reuse",
        ctx.cached("result_water_reuse"),
        "pct",
    )
    for key, kind in (("tce", "num"), ("energy_intensity", "num3"), ("co2", "num")):
        sheet.result(f"result.{key}", f"result_{key}_copy", f"=result_{key}", ctx.cached(f"result_{key}"), kind)
    options = t["options"]
    passed = [o for o in options if o["technical_ok"] and o["environmental_ok"] and o["economic_ok"]]
    sheet.result("result.options_count", "result_options_count", '=COUNTIF(options_id,"?*")', len(options), "int")
    sheet.result(
        "result.options_passed", "result_options_passed", f"=COUNTIF(options_passed,{ctx.yes})", len(passed), "int"
    )
    sheet.result(
        "result.options_done",
        "result_options_done",
        f"=COUNTIF(options_status,{q(choice_label('done', ctx.lang))})",
        sum(1 for o in options if o["status"] == "done"),
        "int",
    )
    sheet.result(
        "result.investment",
        "result_investment",
        f"=SUMIFS(options_investment_used,options_passed,{ctx.yes})",
        sum(num(option_costs.investment(o)) for o in passed),
        "int",
    )
    sheet.result(
        "result.saving",
        "result_saving",
        f"=SUMIFS(options_saving_used,options_passed,{ctx.yes})",
        sum(num(option_costs.saving(o)) for o in passed),
        "int",
    )
    for key in ("energy_saving", "co2_reduction"):
        sheet.result(
            f"result.{key}",
            f"result_{key}",
            f"=SUMIFS(options_{key},options_passed,{ctx.yes})",
            sum(num(o[key]) for o in passed),
            "num",
        )
    sheet.result(
        "result.achieved_saving",
        "result_achieved_saving",
        "=SUM(options_achieved_saving)",
        sum(num(o["achieved_saving"]) for o in options),
        "int",
    )
    met = ctx.words("attained")
    sheet.result(
        "result.targets_met",
        "result_targets_met",
        f"=COUNTIF(targets_attained,{q(met)})",
        sum(
            1
            for r in t["targets"]
            if r["achieved"] is not None
            and r["near_term"] is not None
            and (r["achieved"] <= r["near_term"] if r["lower_is_better"] else r["achieved"] >= r["near_term"])
        ),
        "int",
    )
    sheet.result(
        "result.outside",
        "result_outside",
        f"=COUNTA({','.join(ctx.book.below_tables)})",
        0,
        "int",
        flag="{cell}>0",
    )
    sheet.width(0, 44)
    sheet.width(1, 16)
    pareto_rows = pareto(ctx, sheet)
    charts(ctx, sheet, pareto_rows, pareto_cost(ctx, sheet))
    sheet.finish(freeze=False)


def pareto_title(ctx: Context, cost: bool = False) -> str:
    """The Pareto's title with the unit its wastes are counted in: the audit's mass unit, or its currency."""
    unit = (ctx.f["currency" if cost else "mass_unit"] or "").strip()
    title = ctx.book.text("title.pareto_cost" if cost else "title.pareto")
    return f"{title} ({unit})" if unit else title


#: The columns of the two Pareto tables on the Dashboard (0-based): by mass, and by annual disposal cost.
PARETO_MASS, PARETO_COST = 3, 8


def pareto(ctx: Context, sheet: Sheet) -> tuple[int, int]:
    """The five largest waste streams in the mass unit, with their cumulative share; returns their rows."""
    mass_unit = (ctx.f["mass_unit"] or "").strip().casefold()
    rows = [
        (r["name"], r["generated"])
        for r in ctx.t["pollutants"]
        if r["generated"] is not None and (r["unit"] or "").strip().casefold() == mass_unit and mass_unit
    ]
    return _pareto(
        ctx,
        sheet,
        PARETO_MASS,
        pareto_title(ctx),
        ("pollutants_name", "pollutants_mass"),
        ("col.pollutants.name", "col.pollutants.generated"),
        rows,
        "num",
    )


def pareto_cost(ctx: Context, sheet: Sheet) -> tuple[int, int]:
    """The five waste streams (``2 Waste streams``) that cost most a year, with their cumulative share."""
    rows = [(r["name"], r["quantity"] * r["unit_cost"]) for r in ctx.t["wastes"] if costed(r)]
    return _pareto(
        ctx,
        sheet,
        PARETO_COST,
        pareto_title(ctx, cost=True),
        ("wastes_name", "wastes_cost"),
        ("col.wastes.name", "col.wastes.cost"),
        rows,
        "int",
    )


def _pareto(
    ctx: Context,
    sheet: Sheet,
    col: int,
    title: str,
    names: tuple[str, str],
    headers: tuple[str, str],
    rows: list[tuple[str, float]],
    kind: str,
) -> tuple[int, int]:
    """A Pareto table from column *col*: the five largest of the range ``names[1]`` (LARGE), the name of each
    (the first row that holds the value, as MATCH finds it) and the cumulative share; returns its rows.

    *rows* are the (name, value) pairs of the table in order, as the formulas see them (blanks left out).
    """
    ws, b = sheet.ws, ctx.book
    name_range, value_range = names
    ws.write_string(0, col, title, b.fmt("subtitle"))
    start = 1
    value_col = col_letter(col + 1)
    ws.write_string(start, col, b.text(headers[0]), b.fmt("header"))
    ws.write_string(start, col + 1, b.text(headers[1]), b.fmt("header"))
    ws.write_string(start, col + 2, b.text("result.share"), b.fmt("header"))
    values = sorted((g for _, g in rows), reverse=True)
    total = sum(values)
    running = 0.0
    for k in range(5):
        r = start + 1 + k
        value = values[k] if k < len(values) else None
        name = next(n for n, g in rows if g == value) if value is not None else None
        running += value or 0.0
        ws.write_formula(
            r,
            col + 1,
            f'=IFERROR(LARGE({value_range},{k + 1}),"")',
            b.fmt("computed", kind),
            "" if value is None else value,
        )
        ws.write_formula(
            r,
            col,
            f'=IF({value_col}{r + 1}="","",INDEX({name_range},MATCH({value_col}{r + 1},{value_range},0)))',
            b.fmt("computed", "text"),
            name or "",
        )
        ws.write_formula(
            r,
            col + 2,
            f'=IF(OR({value_col}{r + 1}="",N(SUM({value_range}))=0),"",'
            f"SUM({value_col}${start + 2}:{value_col}{r + 1})/SUM({value_range}))",
            b.fmt("computed", "pct"),
            "" if value is None or total == 0 else running / total,
        )
    sheet.width(col, 26)
    sheet.width(col + 1, 14)
    sheet.width(col + 2, 14)
    return start + 1, start + 5


def charts(ctx: Context, sheet: Sheet, pareto_rows: tuple[int, int], cost_rows: tuple[int, int]) -> None:
    """The Pareto charts of waste streams (by mass, by cost) and the chart of each option's reduction."""
    b, ws = ctx.book, sheet.ws
    _, last = pareto_rows
    _pareto_chart(ctx, sheet, PARETO_MASS, pareto_rows, pareto_title(ctx), "col.pollutants.generated", "#C55A11")
    _pareto_chart(ctx, sheet, PARETO_COST, cost_rows, pareto_title(ctx, cost=True), "col.wastes.cost", "#7030A0")
    # Reduction of its pollutant by each option registered when the workbook was built.
    env = ctx.places["environment"]
    count = max(1, len(ctx.t["options"]))
    ids, values = env.range("id", count), env.range("reduction", count)
    bars = b.wb.add_chart({"type": "bar"})
    bars.add_series(
        {
            "name": b.text("col.options.reduction"),
            "categories": f"={ids}",
            "values": f"={values}",
            "fill": {"color": "#70AD47"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    bars.set_title({"name": b.text("title.reductions")})
    bars.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    bars.set_y_axis({"reverse": True})
    bars.set_legend({"none": True})
    ws.insert_chart(last + 18, 3, bars, {"x_scale": 1.1, "y_scale": 1.0})


def _pareto_chart(
    ctx: Context, sheet: Sheet, col: int, rows: tuple[int, int], title: str, bar: str, color: str
) -> None:
    """A Pareto chart under the Pareto table at column *col*: the five values as columns, the share as a line."""
    b = ctx.book
    first, last = rows
    name = quote_sheet(sheet.name)
    names, values, shares = col_letter(col), col_letter(col + 1), col_letter(col + 2)
    chart = b.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": b.text(bar),
            "categories": f"={name}!${names}${first + 1}:${names}${last + 1}",
            "values": f"={name}!${values}${first + 1}:${values}${last + 1}",
            "fill": {"color": color},
        }
    )
    line = b.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": b.text("result.share"),
            "categories": f"={name}!${names}${first + 1}:${names}${last + 1}",
            "values": f"={name}!${shares}${first + 1}:${shares}${last + 1}",
            "y2_axis": True,
            "marker": {"type": "circle"},
        }
    )
    chart.combine(line)
    chart.set_title({"name": title})
    chart.set_legend({"position": "bottom"})
    line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
    sheet.ws.insert_chart(last + 2, col, chart, {"x_scale": 1.1, "y_scale": 1.0})
