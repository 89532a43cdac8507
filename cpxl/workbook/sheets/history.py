"""Stage 2, pre-assessment: the last three years of output, consumption and pollutants, and the facilities.

The history (``2 History``) holds one row per item and its value in each of
three years (oldest first); the years themselves are fields typed above their
columns. Per row and year, the value per unit of the main product's output of
the same year (the history row marked as the main product, of category
product), for consumptions and pollutants only; the change from year 1 to
year 3, of the value and of the intensity; and a trend index (year 1 =
100 %: the intensity where the row has one, else the value), which the line
chart beside the table draws, every item on one scale.

The environmental facilities (``2 Facilities``) hold, per facility, its
design capacity and actual throughput, the inlet and outlet concentration of
the pollutant it treats and its operating cost: the running rate (actual /
design), flagged above 100 % and below the audit's ``low_running_rate`` (50 %
by default), and the removal efficiency, flagged below 0.
"""

from __future__ import annotations

from typing import Any

from ... import core
from ...audit.schema import FIELDS, HISTORY_YEARS, TABLES
from ..engine import Computed, Sheet, col_letter, quote_sheet
from ..labels import choice_label
from .context import Context, num

YEARS = range(1, len(HISTORY_YEARS) + 1)
WITHOUT_INTENSITY = ("product", "indicator")  # categories whose value is not divided by the main product's output


def history_outputs(audit: Any) -> list[float]:
    """Per year, the output of the history's main product (0 when none is marked), as the sheet sums it."""
    return [
        sum(num(r[f"year_{k}"]) for r in audit.tables["history"] if r["category"] == "product" and r["main"])
        for k in YEARS
    ]


def history(ctx: Context) -> None:
    """The sheet 2 History: the years and the main product's output above the table, the trend chart beside it."""
    sheet = Sheet(ctx.book, "history")
    b, ws = ctx.book, sheet.ws
    sheet.title("history")
    sheet.note(ctx.words("history_note"))
    keys = TABLES["history"].keys
    first_year_col = keys.index("year_1")
    fields = {spec.key: spec for spec in FIELDS}
    year_row = sheet.row
    ws.write_string(year_row, 0, b.text("result.year"), b.fmt("label"))
    for k in YEARS:
        sheet.named_input(f"year_{k}", fields[f"year_{k}"], ctx.f[f"year_{k}"], year_row, first_year_col + k - 1)
    outputs = history_outputs(ctx.audit)
    ws.write_string(year_row + 1, 0, b.text("result.history_output"), b.fmt("label"))
    for k in YEARS:
        col = first_year_col + k - 1
        name = f"result_history_output_{k}"
        ws.write_formula(
            year_row + 1,
            col,
            f"=SUMIFS(history_year_{k},history_category,{ctx.q(choice_label('product', ctx.lang))},"
            f"history_main,{ctx.yes})",
            b.fmt("computed", "num"),
            outputs[k - 1],
        )
        b.define(name, f"{quote_sheet(sheet.name)}!${col_letter(col)}${year_row + 2}")
        b.values[name] = outputs[k - 1]
    sheet.row = year_row + 2
    place = sheet.table(
        "history", "history_table", ctx.t["history"], ctx.rows("history"), keys, _history_columns(ctx, outputs)
    )
    ctx.places["history"] = place
    sheet.width(0, 28)
    _trend_chart(ctx, sheet, place, year_row)
    sheet.finish()


def _history_columns(ctx: Context, outputs: list[float]) -> list[Computed]:
    """Intensity per year, the changes from year 1 to year 3, and the trend index per year."""
    without = [ctx.q(choice_label(c, ctx.lang)) for c in WITHOUT_INTENSITY]
    no_intensity = ",".join(f"{{category}}={text}" for text in without)

    def intensity(k: int) -> Any:
        def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
            amount, output = r[f"year_{k}"], outputs[k - 1]
            if amount is None or r["category"] in (None, *WITHOUT_INTENSITY) or output <= 0:
                return None
            return amount / output

        return value

    def change(before: Any, after: Any) -> Any:
        return None if before is None or after is None or before <= 0 else -core.reduction(before, after)

    def trend(k: int) -> Any:
        def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if r["category"] in WITHOUT_INTENSITY:
                base, this = r["year_1"], r[f"year_{k}"]
            else:
                base, this = v["intensity_1"], v[f"intensity_{k}"]
            return None if base is None or base <= 0 or this is None else this / base

        return value

    columns = [
        Computed(
            f"intensity_{k}",
            f'IF(OR({{year_{k}}}="",{{category}}="",{no_intensity},N(result_history_output_{k})<=0),"",'
            f"{{year_{k}}}/result_history_output_{k})",
            intensity(k),
            "num3",
            12,
        )
        for k in YEARS
    ]
    columns.append(
        Computed(
            "change",
            'IF(OR({year_1}="",{year_3}="",N({year_1})<=0),"",({year_3}-{year_1})/{year_1})',
            lambda r, v: change(r["year_1"], r["year_3"]),
            "pct",
            11,
        )
    )
    columns.append(
        Computed(
            "intensity_change",
            'IF(OR({intensity_1}="",{intensity_3}="",N({intensity_1})<=0),"",'
            "({intensity_3}-{intensity_1})/{intensity_1})",
            lambda r, v: change(v["intensity_1"], v["intensity_3"]),
            "pct",
            12,
        )
    )
    columns += [
        Computed(
            f"trend_{k}",
            f'IF(OR({no_intensity}),IF(OR(N({{year_1}})<=0,{{year_{k}}}=""),"",{{year_{k}}}/{{year_1}}),'
            f'IF(OR(N({{intensity_1}})<=0,{{intensity_{k}}}=""),"",{{intensity_{k}}}/{{intensity_1}}))',
            trend(k),
            "pct",
            10,
        )
        for k in YEARS
    ]
    return columns


def _trend_chart(ctx: Context, sheet: Sheet, place: Any, year_row: int) -> None:
    """A line of each item's trend index over the three years, beside the table (which grows down, not right).

    One line per record of the history when the workbook is built (one empty line in a blank workbook); its
    name follows the item's cell.
    """
    b = ctx.book
    name = quote_sheet(sheet.name)
    first_year = col_letter(place.columns["year_1"])
    last_year = col_letter(place.columns[f"year_{len(HISTORY_YEARS)}"])
    categories = f"={name}!${first_year}${year_row + 1}:${last_year}${year_row + 1}"
    first, last = col_letter(place.columns["trend_1"]), col_letter(place.columns[f"trend_{len(HISTORY_YEARS)}"])
    chart = b.wb.add_chart({"type": "line"})
    for i in range(max(1, len(ctx.t["history"]))):
        row = place.first_row + i + 1
        chart.add_series(
            {
                "name": f"={name}!${col_letter(place.columns['name'])}${row}",
                "categories": categories,
                "values": f"={name}!${first}${row}:${last}${row}",
                "marker": {"type": "circle"},
            }
        )
    chart.set_title({"name": b.text("title.history_trend"), "name_font": {"size": 11}})
    chart.set_y_axis({"num_format": "0%"})
    chart.set_legend({"position": "right"})
    sheet.ws.insert_chart(place.first_row - 2, place.last_col + 2, chart, {"x_scale": 1.4, "y_scale": 1.3})


def facility_results(audit: Any) -> list[dict[str, Any]]:
    """Per facility, its running rate and removal efficiency as the sheet computes them (None where blank)."""
    rows = []
    for r in audit.tables["facilities"]:
        design, actual, inlet, outlet = r["design_capacity"], r["throughput"], r["inlet"], r["outlet"]
        rate = None if design is None or actual is None or design <= 0 else actual / design
        removal = None if inlet is None or outlet is None or inlet <= 0 else core.reduction(inlet, outlet)
        rows.append({"running_rate": rate, "removal": removal})
    return rows


def to_look_at(result: dict[str, Any], low: float) -> bool:
    """Whether a facility's results are flagged: running above its design or below *low*, or a negative removal."""
    rate, removal = result["running_rate"], result["removal"]
    return (rate is not None and (rate > 1 or rate < low)) or (removal is not None and removal < 0)


def facilities(ctx: Context) -> None:
    """The sheet 2 Facilities: the low running rate, the total operating cost and the facilities to look at above
    the table of facilities with their running rate and removal efficiency."""
    sheet = Sheet(ctx.book, "facilities")
    sheet.title("facilities")
    sheet.note(ctx.words("facilities_note"))
    spec = next(f for f in FIELDS if f.key == "low_running_rate")
    sheet.field("low_running_rate", spec, ctx.f["low_running_rate"])
    results = facility_results(ctx.audit)
    low = num(ctx.f["low_running_rate"])
    sheet.result(
        "result.facilities_operating_cost",
        "result_facilities_operating_cost",
        "=SUM(facilities_operating_cost)",
        sum(num(r["operating_cost"]) for r in ctx.t["facilities"]),
        "int",
    )
    sheet.result(
        "result.facilities_to_check",
        "result_facilities_to_check",
        "=SUMPRODUCT(--((ISNUMBER(facilities_running_rate)*((facilities_running_rate>1)"
        "+(facilities_running_rate<low_running_rate))+ISNUMBER(facilities_removal)*(facilities_removal<0))>0))",
        sum(1 for r in results if to_look_at(r, low)),
        "int",
        flag="{cell}>0",
    )
    by_id = {id(r): x for r, x in zip(ctx.t["facilities"], results, strict=True)}
    ctx.places["facilities"] = sheet.table(
        "facilities",
        "facilities_table",
        ctx.t["facilities"],
        ctx.rows("facilities"),
        TABLES["facilities"].keys,
        [
            Computed(
                "running_rate",
                'IF(OR({design_capacity}="",{throughput}="",N({design_capacity})<=0),"",'
                "{throughput}/{design_capacity})",
                lambda r, v: by_id[id(r)]["running_rate"],
                "pct",
                11,
                flag="AND(ISNUMBER({cell}),OR({cell}>1,{cell}<low_running_rate))",
            ),
            Computed(
                "removal",
                'IF(OR({inlet}="",{outlet}="",N({inlet})<=0),"",({inlet}-{outlet})/{inlet})',
                lambda r, v: by_id[id(r)]["removal"],
                "pct",
                12,
                flag="AND(ISNUMBER({cell}),{cell}<0)",
            ),
        ],
    )
    sheet.width(0, 30)
    sheet.finish()
