"""The component sheet (``3 Component balance``): contents, component flows and balances, reconciled contents.

The numbers a reader can check by hand come from the worked example's toluene (cpxl/audit/example.py); every
formula of the sheet is also recomputed by LibreOffice (tests/test_workbook_libreoffice.py, the templates and
random audits with components in every unit), and the live CP_RECONCILE_COMPONENTS block is evaluated here the
way Excel would hand it to the add-in.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from workbook_helpers import named_column as cells

from cpxl.audit import Audit, AuditError
from cpxl.audit.schema import CONTENT_UNITS, MAX_COMPONENTS
from cpxl.excel.adapters import _reconcile_components
from cpxl.workbook import build, read
from cpxl.workbook.labels import choice_label, label
from cpxl.workbook.libreoffice import compare_cached_values, find_soffice, recalculate

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
SHEET = "3 Component balance"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("components") / "example.xlsx")


def by_name(wb: Any, table: str, key: str, column: str) -> dict[str, Any]:
    """{record name: cached value of *column*} over the rows of *table* that have a name."""
    return {n: v for n, v in zip(cells(wb, f"{table}_{key}"), cells(wb, f"{table}_{column}"), strict=True) if n}


# --- what the sheet computes, by hand ----------------------------------------------------------------------------


def test_the_toluene_of_each_stream_is_its_flow_times_its_content(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    flows = by_name(wb, "streams", "name", "component_flow_1")
    assert flows["Fresh toluene"] == pytest.approx(148 * 99.5 / 100)
    assert flows["Wastewater"] == pytest.approx(2760 * 0.05 / 100)  # 500 mg/L
    assert flows["Raw material A"] == 0  # analysed: none
    assert flows["Off-gas"] is None and flows["Dryer dust"] is None  # neither flow nor content measured
    assert by_name(wb, "components", "name", "factor") == {"Toluene": 0.01}


def test_each_units_toluene_balance_is_what_a_hand_calculation_gives(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    inflow = by_name(wb, "units", "name", "component_inflow_1")
    outflow = by_name(wb, "units", "name", "component_outflow_1")
    closure = by_name(wb, "units", "name", "component_closure_1")
    flag = by_name(wb, "units", "name", "component_flag_1")
    # Centrifuge: slurry 6,790 t at 20.8 % in; wet cake 2,480 t at 2.5 % and mother liquor 4,350 t at 31.5 % out
    assert inflow["Centrifuge"] == pytest.approx(1412.32)
    assert outflow["Centrifuge"] == pytest.approx(62 + 1370.25)
    assert closure["Centrifuge"] == pytest.approx((1412.32 - 1432.25) / 1412.32)
    assert flag["Centrifuge"] == "ok"
    # the reactor's off-gas is not analysed: its closure is no balance
    assert inflow["Reactor"] == pytest.approx(148 * 0.995 + 1340 * 0.98)
    assert flag["Reactor"] == "streams not analysed"
    # the other component columns of a unit are blank while only one component is named
    assert set(by_name(wb, "units", "name", "component_inflow_2").values()) == {None}


def test_the_plants_toluene_balance_counts_only_streams_across_the_boundary(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    plant = {key: cells(wb, f"components_{key}")[0] for key in ("inflow", "outflow", "unmeasured", "closure", "flag")}
    out = 2000 * 0.0005 + 470 * 0.128 + 2760 * 0.0005 + 152 * 0.36
    assert plant["inflow"] == pytest.approx(147.26)
    assert plant["outflow"] == pytest.approx(out)
    assert plant["unmeasured"] == 2  # the off-gas and the dust
    assert plant["closure"] == pytest.approx((147.26 - out) / 147.26)
    assert plant["flag"] == "streams not analysed"
    assert cells(wb, "components_inflow")[1:] == [None] * (MAX_COMPONENTS - 1)


def test_the_headers_name_the_component_and_its_unit(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    ws = wb[SHEET]
    headers = {ws.cell(6, c).value for c in range(1, ws.max_column + 1)}
    assert {"Toluene (%): content", "Toluene (%): uncertainty", "Toluene: flow", "Toluene: Σ in"} <= headers
    assert {"Component 2 (kg/kg): content", "Component 4: check"} <= headers
    formulas = openpyxl.load_workbook(example)[SHEET]
    assert any(str(formulas.cell(6, c).value).startswith("=") for c in range(1, ws.max_column + 1))


@pytest.mark.parametrize("unit", list(CONTENT_UNITS))
def test_every_unit_of_content_converts_to_a_mass_fraction(tmp_path, unit):
    data = Audit.example("en").to_dict()
    data["tables"]["components"] = [{"name": "COD", "unit": unit}]
    for stream in data["tables"]["streams"]:
        stream["content_1"], stream["content_sigma_1"] = None, None
    wastewater = data["tables"]["streams"][13]
    wastewater["content_1"] = 0.5 / CONTENT_UNITS[unit]  # half of the stream
    wb = openpyxl.load_workbook(build(Audit.from_dict(data), tmp_path / "cod.xlsx"), data_only=True)
    assert cells(wb, "components_factor")[0] == CONTENT_UNITS[unit]
    assert cells(wb, "components_unit")[0] == choice_label(unit, "en")
    assert by_name(wb, "streams", "name", "component_flow_1")["Wastewater"] == pytest.approx(2760 * 0.5)


# --- the reconciled contents --------------------------------------------------------------------------------------


def test_the_contents_at_build_are_the_reconciliation_in_the_components_unit(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    result = Audit.example("en").reconcile_components()
    ws = wb[SHEET]
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(6, c).value == "Toluene (%): reconciled at build")
    at_build = [ws.cell(7 + i, col).value for i in range(len(result.names))]
    expected = [None if np.isnan(x) else 100 * x for x in result.fraction[:, 0]]
    assert at_build == pytest.approx(expected, rel=1e-12)
    assert at_build[6] == pytest.approx(20.06, abs=0.01)  # the off-gas, computed from the balances
    assert ws.cell(7 + len(result.names), col).value is None  # spare rows blank


def test_the_live_block_gives_what_the_add_in_computes_from_the_sheets_cells(example):
    """Evaluate the live formula as Excel would: its ranges' values in, CP_RECONCILE_COMPONENTS, the units out."""
    formulas = openpyxl.load_workbook(example)[SHEET]
    values = openpyxl.load_workbook(example, data_only=True)
    ws = values[SHEET]
    live = next(
        cell
        for row in formulas.iter_rows()
        for cell in row
        if "CP_RECONCILE_COMPONENTS(" in str(getattr(cell.value, "text", cell.value))
    )
    text = live.value.text  # a dynamic array formula
    blocks = re.findall(r"'[^']+'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", text)
    assert len(blocks) == 4  # the content block and the σ block, each tested for blanks and converted

    def block(c1: str, r1: str, c2: str, r2: str) -> list[list[Any]]:
        return [[c.value for c in row] for row in ws[f"{c1}{r1}:{c2}{r2}"]]

    content, sigma = block(*blocks[0]), block(*blocks[2])
    heads = [ws.cell(6, c.column).value for c in ws[f"{blocks[0][0]}{blocks[0][1]}:{blocks[0][2]}{blocks[0][1]}"][0]]
    assert heads == ["Toluene (%): content"] + [f"Component {k} (kg/kg): content" for k in range(2, 5)]
    factors = cells(values, "components_factor")
    factor = [1.0 if f in (None, "") else f for f in factors]  # a blank component's content is blank anyway

    def converted(rows: list[list[Any]]) -> list[list[Any]]:
        return [["" if v is None else v * f for v, f in zip(row, factor, strict=True)] for row in rows]

    columns = [[v if v is not None else "" for v in cells(values, f"streams_{k}")] for k in ("source", "target")]
    flows = [[v if v is not None else "" for v in cells(values, f"streams_{k}")] for k in ("measured", "sigma")]
    spilled = _reconcile_components(*columns, *flows, converted(content), converted(sigma), "fraction")
    shown = [[v / f if isinstance(v, float) else "" for v, f in zip(row, factor, strict=True)] for row in spilled]
    cached = [
        [c.value for c in row]
        for row in ws.iter_rows(
            min_row=live.row, max_row=live.row + len(shown) - 1, min_col=live.column, max_col=live.column + 3
        )
    ]
    assert [[None if v == "" else v for v in row] for row in shown] == [
        [pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for v in row] for row in cached
    ]


# --- what a person types ------------------------------------------------------------------------------------------


def test_a_workbook_with_components_reads_back_equal(example):
    assert read(example) == Audit.example("en")
    zh = build(Audit.example("zh"), example.with_name("zh.xlsx"), "zh")
    assert read(zh) == Audit.example("zh")
    assert openpyxl.load_workbook(zh)[label("sheet.components", "zh")] is not None


def test_text_in_a_content_cell_is_a_problem_with_its_cell(example, tmp_path):
    wb = openpyxl.load_workbook(example)
    _, ref = wb.defined_names["streams_content_1"].attr_text.rsplit("!", 1)
    first = ref.replace("$", "").split(":")[0]
    column = re.match(r"[A-Z]+", first).group(0)
    wb[SHEET][f"{column}9"] = "99.5%"
    wb.save(tmp_path / "typed.xlsx")
    with pytest.raises(AuditError) as info:
        read(tmp_path / "typed.xlsx")
    (problem,) = info.value.problems
    assert f"'{SHEET}'!{column}9" in problem and "streams[3].content_1" in problem and "'99.5%'" in problem


def test_components_beyond_four_a_repeated_name_and_an_unknown_unit_are_refused():
    data = Audit.example("en").to_dict()
    data["tables"]["components"] = [{"name": f"C{k}"} for k in range(5)]
    with pytest.raises(AuditError, match=r"components: at most 4 records, got 5"):
        Audit.from_dict(data)
    data["tables"]["components"] = [{"name": "Cr"}, {"name": "Cr"}]
    with pytest.raises(AuditError, match=r"components\[2\]\.name repeats components\[1\]"):
        Audit.from_dict(data)
    data["tables"]["components"] = [{"name": "Cr", "unit": "ppb"}]
    with pytest.raises(AuditError, match=r"components\[1\]\.unit"):
        Audit.from_dict(data)


def test_a_unit_refused_is_one_problem_not_one_per_stream():
    data = Audit.example("en").to_dict()
    data["tables"]["components"][0]["unit"] = "ppb"  # the contents (99.5, 98, ...) are in %, not kg/kg
    with pytest.raises(AuditError) as info:
        Audit.from_dict(data)
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("components[1].unit must be one of")


def test_an_audit_without_components_has_an_empty_component_sheet(tmp_path):
    data = Audit.example("en").to_dict()
    del data["tables"]["components"]
    for stream in data["tables"]["streams"]:
        stream.pop("content_1"), stream.pop("content_sigma_1")
    audit = Audit.from_dict(data)
    assert audit.reconcile_components() is None
    wb = openpyxl.load_workbook(build(audit, tmp_path / "none.xlsx"), data_only=True)
    assert set(cells(wb, "streams_component_flow_1")) == {None}
    assert cells(wb, "result_component_units_to_check") == [0]


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_four_components_in_four_units_recompute_in_libreoffice(tmp_path):
    data = Audit.example("en").to_dict()
    data["tables"]["components"] = [
        {"name": "Toluene", "unit": "percent"},
        {"name": "COD", "unit": "mg_l"},
        {"name": "Salt", "unit": "g_kg"},
        {"name": "Water", "unit": None},
    ]
    for i, stream in enumerate(data["tables"]["streams"]):
        if stream["measured"] is not None:
            stream["content_2"] = 100.0 * (i + 1)
            stream["content_3"] = 2.0 * i
            stream["content_4"] = 0.5 if i % 3 else None
    path = build(Audit.from_dict(data), tmp_path / "four.xlsx")
    mismatches = compare_cached_values(path, recalculate(path, tmp_path / "out"))
    assert [m for m in mismatches if "CP_" not in (m.formula or "")] == []
