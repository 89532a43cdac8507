"""Shared helpers for the workbook tests: random audits and a semantic view of a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import strategies as st
from openpyxl.utils.cell import coordinate_to_tuple

from cpxl.audit.schema import CARRIERS, CONTENT_UNITS, FIELDS, INVESTMENT_PARTS, MAX_COMPONENTS, TABLES, Column

# Numbers a person types: at most 12 significant digits, so a round trip through the file is exact.
numbers = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False).map(float)
fractions = st.integers(0, 1000).map(lambda k: k / 1000)
# An energy coefficient or CO2 factor of one's own: > 0 (a blank takes the default), 4 decimals.
overrides = st.integers(1, 10**6).map(lambda k: k / 10**4)
hazard_codes = st.integers(1, 50).flatmap(
    lambda k: st.sampled_from([f"HW{k:02d}", f"HW{k:02d} 900-{k * 7 % 1000:03d}-{k:02d}", f"HW{k:02d} 261-001-{k:02d}"])
)
words = st.text(alphabet=st.sampled_from("abcXYZ 反应釜-_0123"), min_size=1, max_size=12).map(str.strip).filter(bool)


def value_of(column: Column) -> st.SearchStrategy[Any]:
    if column.kind == "choice":
        return st.sampled_from(column.choices)
    if column.kind == "bool":
        return st.booleans()
    if column.kind == "fraction":
        return fractions
    if column.kind == "int":
        return st.integers(1, 60)
    if column.kind == "number":
        return numbers
    return words


@st.composite
def audits(draw: Any) -> dict[str, Any]:
    """Random audits that fit the schema (streams form a flowsheet; weights sum to 1)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, table in TABLES.items():
        if key in ("streams", "units", "indicators", "components", "energy"):
            continue
        rows = []
        for i in range(draw(st.integers(0, 3))):
            record = {}
            for col in table.columns:
                if col.required or draw(st.booleans()):
                    record[col.key] = draw(value_of(col))
            if key in ("options",):
                record["id"] = f"F{i + 1}"
            if key == "units":
                record["name"] = f"U{i + 1}"
            if table.ratings:
                record["ratings"] = [draw(st.integers(0, 10)) for _ in table.ratings]
            rows.append(record)
        if key == "options":  # an option requires another one of the table, or none; a subsidy within I
            for i, row in enumerate(rows):
                if row.get("subsidy") is not None:
                    parts = sum(row.get(k) or 0.0 for k in INVESTMENT_PARTS)
                    row["subsidy"] = min(row["subsidy"], round(parts, 3))
                others = [f"F{j + 1}" for j in range(len(rows)) if j != i]
                row["requires"] = draw(st.none() | st.sampled_from(others)) if others else None
        if key == "products":
            for i, row in enumerate(rows):
                row["name"] = f"P{i + 1}"
                row["main"] = i == 0
        if key == "history":  # at most one main product, a row of category product
            main = draw(st.none() | st.integers(0, 2))
            for i, row in enumerate(rows):
                row["main"] = i == main
                if i == main:
                    row["category"] = "product"
        tables[key] = rows
    for row in tables["wastes"]:  # hazard codes of the list's form; some wastes arise in a candidate area of the focus
        if "hazard" in row:
            row["hazard"] = draw(hazard_codes)
        if "origin" in row and tables["focus"] and draw(st.booleans()):
            row["origin"] = draw(st.sampled_from([f["name"] for f in tables["focus"]]))
    units = [f"U{i}" for i in range(1, draw(st.integers(1, 4)) + 1)]
    streams = []
    for i in range(draw(st.integers(0, 6))):
        source = draw(st.sampled_from([None, *units]))
        target = draw(st.sampled_from([None, *[u for u in units if u != source]]))
        if source is None and target is None:
            target = units[0]
        measured = draw(st.none() | numbers)
        streams.append(
            {
                "name": f"S{i + 1}",
                "source": source,
                "target": target,
                "measured": measured,
                "sigma": draw(st.none() | numbers) if measured is not None else None,
            }
        )
    components = [
        {"name": f"C{k}", "unit": draw(st.none() | st.sampled_from(list(CONTENT_UNITS)))}
        for k in range(1, draw(st.integers(0, MAX_COMPONENTS)) + 1)
    ]
    for stream in streams:  # contents as analysed: at most the whole stream in the component's unit
        for k, component in enumerate(components, start=1):
            most = round(1 / CONTENT_UNITS[component["unit"] or "kg_kg"])
            stream[f"content_{k}"] = draw(st.none() | st.integers(0, 1000).map(lambda x, m=most: x * m / 1000))
            if stream[f"content_{k}"] is not None and draw(st.booleans()):
                stream[f"content_sigma_{k}"] = draw(st.integers(0, 100).map(lambda x, m=most: x * m / 10000))
    tables["streams"] = streams
    tables["components"] = components
    tables["units"] = [{"name": u, "stock_change": draw(st.none() | numbers)} for u in units]
    n = draw(st.integers(0, 4))
    groups = [draw(st.sampled_from(["a", "b"])) for _ in range(n)]

    def shares(count: int) -> list[float]:
        """Weights as a person types them (6 decimals), summing to 1."""
        raw = [draw(st.integers(1, 5)) for _ in range(count)]
        weights = [round(r / sum(raw), 6) for r in raw[:-1]]
        return [*weights, round(1 - sum(weights), 6)]

    present = sorted(set(groups))
    group_weight = dict(zip(present, shares(len(present)), strict=True)) if present else {}
    in_group = {g: iter(shares(groups.count(g))) for g in present}
    indicators = []
    for i in range(n):
        lower = draw(st.booleans())
        levels = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3)), reverse=not lower)
        indicators.append(
            {
                "name": f"I{i + 1}",
                "group": groups[i],
                "group_weight": group_weight[groups[i]],
                "weight_in_group": next(in_group[groups[i]]),
                "lower_is_better": lower,
                "level_1": levels[0],
                "level_2": levels[1],
                "level_3": levels[2],
                "value": draw(st.integers(0, 100)),
                "limiting": draw(st.booleans()),
            }
        )
    tables["indicators"] = indicators
    tables["energy"] = [  # any carrier, with or without a coefficient or factor of its own
        {
            "name": draw(st.none() | words),
            "carrier": draw(st.sampled_from(CARRIERS)),
            "amount": draw(numbers),
            "coefficient": draw(st.none() | overrides),
            "co2_factor": draw(st.none() | overrides),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    fields = {f.key: draw(value_of(Column(f.key, f.kind))) for f in FIELDS if draw(st.booleans())}
    if "tax_rate" in fields:
        fields["tax_rate"] = min(fields["tax_rate"], 0.9)
    if "electricity_conversion" in fields:  # kgce/kWh: the equivalent value of power generation
        fields["electricity_conversion"] = draw(st.integers(1, 999).map(lambda k: k / 1000))
    for k in range(1, 4):  # the history's years, oldest first
        if f"year_{k}" in fields:
            fields[f"year_{k}"] = 2000 + 10 * k + fields[f"year_{k}"] % 10
    return {"fields": fields, "tables": tables}


def cells(path: Path) -> dict[tuple[str, str], tuple[Any, str]]:
    """Every non-empty cell as (value or formula, number format), keyed by (sheet, coordinate)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if hasattr(value, "text"):  # an array formula
                    value = ("array", value.ref, value.text)
                out[(ws.title, cell.coordinate)] = (value, cell.number_format)
    return out


def defined_names(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {name: item.attr_text for name, item in wb.defined_names.items()}


def named_column(wb: Any, name: str) -> list[Any]:
    """The cached values of a one-column defined name of an openpyxl workbook, top to bottom."""
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    first, _, last = ref.replace("$", "").partition(":")
    (r1, c1), (r2, _) = coordinate_to_tuple(first), coordinate_to_tuple(last or first)
    ws = wb[sheet.strip("'").replace("''", "'")]
    return [ws.cell(r, c1).value for r in range(r1, r2 + 1)]
