"""Stage 2, pre-assessment: energy by carrier in tonnes of standard coal equivalent (tce), and its CO2.

One row per carrier and use (electricity, steam, natural gas, diesel, ...): the amount in the carrier's own unit,
and optionally the plant's own coefficient (tce per unit) or CO2 factor (t per unit). The sheet computes the
coefficient and the factor used, the tce and the CO2 of each row, their totals and their intensities per unit of
the main product, with native formulas that look the defaults up in a reference block written on the sheet
itself from the one table of :mod:`cpxl.core.energy` (GB/T 2589-2020 for tce; IPCC 2006 and the national grid
factor for CO2), each value with its source: the file works with no add-in, and a reader sees where every number
comes from. Electricity is converted by its calorific equivalent unless the field ``electricity_conversion``
gives the equivalent value of power generation. The cached values are :func:`cpxl.tce` and :func:`cpxl.co2`.
"""

from __future__ import annotations

import math
from typing import Any

from ... import core
from ...audit.schema import CARRIERS, FIELDS, TABLES
from ...core.energy import CARRIERS as TABLE
from ...core.energy import CO2_FACTORS, TCE_COEFFICIENTS
from ..engine import Computed, Sheet, col_letter, quote_sheet
from ..labels import choice_label
from .context import Context

#: Each carrier's code in an audit and its key in :data:`cpxl.core.energy.CARRIERS`.
KEYS = {key.lower().replace(" ", "_"): key for key in TABLE}
#: The reference block's columns: key, number kind and width (the sources on one line each).
REFERENCE = (
    ("name", "text", 13),
    ("unit", "text", 9),
    ("tce", "amount", 11),
    ("tce_source", "general", 66),
    ("ncv", "amount", 10),
    ("per_tj", "amount", 10),
    ("oxidation", "amount", 9),
    ("co2", "amount", 11),
    ("co2_source", "general", 100),
)


def energy(ctx: Context) -> None:
    """The energy sheet: the electricity conversion, the totals and intensities, the rows, the reference block."""
    sheet = Sheet(ctx.book, "energy")
    sheet.title("energy_carbon")
    sheet.note(ctx.words("energy_note"))
    for spec in FIELDS:
        if spec.sheet == "energy":
            sheet.field(spec.key, spec, ctx.f[spec.key])
    records = ctx.t["energy"]
    power = ctx.f["electricity_conversion"]
    electricity = "equivalent" if power is None else power
    tce: list[float] = []
    co2: list[float] = []
    if records:  # the rows one by one, as CP_TCE and CP_CO2 compute them
        keys = [KEYS[r["carrier"]] for r in records]
        amounts = [r["amount"] for r in records]
        tce = core.tce(amounts, keys, [r["coefficient"] for r in records], electricity=electricity).tolist()
        co2 = core.co2(amounts, keys, [r["co2_factor"] for r in records]).tolist()
    row_of = {id(r): i for i, r in enumerate(records)}

    def per_row(values: list[float]) -> Any:
        return lambda r, v: values[row_of[id(r)]]

    total_tce = sum(tce) if records else None
    total_co2 = sum(co2) if records else None
    sheet.result("result.tce", "result_tce", '=IF(COUNT(energy_tce)=0,"",SUM(energy_tce))', total_tce, "num")
    sheet.result("result.co2", "result_co2", '=IF(COUNT(energy_co2)=0,"",SUM(energy_co2))', total_co2, "num")
    sheet.result(
        "result.energy_intensity",
        "result_energy_intensity",
        '=IF(OR(COUNT(energy_tce)=0,N(main_output)<=0),"",SUM(energy_tce)/main_output)',
        ctx.per_main(total_tce),
        "num3",
    )
    sheet.result(
        "result.co2_intensity",
        "result_co2_intensity",
        '=IF(OR(COUNT(energy_co2)=0,N(main_output)<=0),"",SUM(energy_co2)/main_output)',
        ctx.per_main(total_co2),
        "num3",
    )

    unknown = ctx.q(ctx.words("unknown_carrier"))
    match = "MATCH({carrier},carriers_name,0)"
    electricity_label = ctx.q(choice_label("electricity", ctx.lang))
    ctx.places["energy"] = sheet.table(
        "energy",
        "energy",
        records,
        ctx.rows("energy"),
        TABLES["energy"].keys,
        [
            Computed(
                "unit",
                f'IF({{carrier}}="","",IFERROR(INDEX(carriers_unit,{match}),{unknown}))',
                lambda r, v: TABLE[KEYS[r["carrier"]]].unit,
                "general",
                10,
                flag=f"{{cell}}={unknown}",
            ),
            Computed(
                "coefficient_used",
                f'IF(OR({{carrier}}="",{{unit}}={unknown}),"",IF({{coefficient}}<>"",{{coefficient}},'
                f'IF(AND({{carrier}}={electricity_label},electricity_conversion<>""),electricity_conversion,'
                f"INDEX(carriers_tce,{match}))))",
                lambda r, v: core.tce(1.0, KEYS[r["carrier"]], r["coefficient"], electricity=electricity),
                "amount",
            ),
            Computed(
                "tce",
                'IF(OR({amount}="",{coefficient_used}=""),"",{amount}*{coefficient_used})',
                per_row(tce),
                "num",
            ),
            Computed(
                "factor_used",
                f'IF(OR({{carrier}}="",{{unit}}={unknown}),"",IF({{co2_factor}}<>"",{{co2_factor}},'
                f"INDEX(carriers_co2,{match})))",
                lambda r, v: core.co2(1.0, KEYS[r["carrier"]], r["co2_factor"]),
                "amount",
            ),
            Computed(
                "co2",
                'IF(OR({amount}="",{factor_used}=""),"",{amount}*{factor_used})',
                per_row(co2),
                "num",
            ),
        ],
    )
    sheet.beside()
    _reference(ctx, sheet)
    sheet.finish()


def _reference(ctx: Context, sheet: Sheet) -> None:
    """The reference block: every carrier of :mod:`cpxl.core.energy` with its unit, coefficient, CO2 factor and
    their sources, as constants (a fuel's CO2 factor as the formula NCV × EF / 1000 × oxidation)."""
    book, ws = ctx.book, sheet.ws
    top, c0 = sheet.row, sheet.col0
    columns = {key: c0 + j for j, (key, _, _) in enumerate(REFERENCE)}
    ws.write_string(top, c0, book.text("title.carriers"), book.fmt("subtitle"))
    header, first = top + 1, top + 2
    for key, _, width in REFERENCE:
        ws.write_string(header, columns[key], book.text(f"col.carriers.{key}"), book.fmt("header"))
        sheet.width(columns[key], width)
    for i, code in enumerate(CARRIERS):
        key = KEYS[code]
        coefficient, factor = TCE_COEFFICIENTS[key], CO2_FACTORS[key]
        r = first + i
        values: dict[str, Any] = {
            "name": choice_label(code, ctx.lang),
            "unit": TABLE[key].unit,
            "tce": coefficient.value,
            "tce_source": coefficient.source,
            "co2_source": factor.source,
        }
        fuel = math.isnan(factor.direct)
        if fuel:
            values |= {"ncv": factor.ncv, "per_tj": factor.per_tj, "oxidation": factor.oxidation}
        for name, kind, _ in REFERENCE:
            fmt = book.fmt("label", kind)
            if name == "co2":
                if fuel:
                    ncv, ef, share = (f"{col_letter(columns[k])}{r + 1}" for k in ("ncv", "per_tj", "oxidation"))
                    ws.write_formula(r, columns[name], f"={ncv}*{ef}/1000*{share}", fmt, core.co2(1.0, key))
                else:
                    ws.write_number(r, columns[name], factor.direct, fmt)
            elif name in values:
                value = values[name]
                if isinstance(value, str):  # text, sources included, runs on one line
                    ws.write_string(r, columns[name], value, fmt)
                else:
                    ws.write_number(r, columns[name], value, fmt)
            else:
                ws.write_blank(r, columns[name], None, fmt)
    last = first + len(CARRIERS)
    for key in ("name", "unit", "tce", "co2"):
        c = col_letter(columns[key])
        book.define(f"carriers_{key}", f"{quote_sheet(sheet.name)}!${c}${first + 1}:${c}${last}")
    ws.write_string(last + 1, c0, ctx.words("carriers_note"), book.fmt("note"))
