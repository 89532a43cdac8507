"""The waste streams (``2 Waste streams``): annual cost per stream, totals, the focus's help column, the cost Pareto.

The numbers a reader can check by hand come from the worked example's seven waste streams (cpxl/audit/example.py):
the distillation residue, 152 t of HW06 incinerated at 4,200 CNY/t, is small in mass and the largest cost. Every
formula is also recomputed by LibreOffice (tests/test_workbook_libreoffice.py: the templates and random audits,
whose wastes arise in part in the focus's candidate areas), and once more here for cases the example lacks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_to_tuple

from cpxl.audit import Audit, AuditError
from cpxl.audit.schema import ROUTES
from cpxl.batch import check
from cpxl.workbook import build, read
from cpxl.workbook.labels import choice_label, label
from cpxl.workbook.libreoffice import compare_cached_values, find_soffice, recalculate

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
SHEET = "2 Waste streams"
#: The example's waste streams: (name, quantity [t], cost per unit [CNY/t]) and their annual costs [CNY].
COSTS = {
    "Distillation residue": 152 * 4200,
    "Process wastewater": 2760 * 18,
    "Spent activated carbon (off-gas adsorber)": 18 * 3800,
    "Wastewater treatment sludge": 85 * 600,
    "Empty toluene drums": 6.5 * 3000,
    "Raw-material bags": 0,
    "Dryer dust": 0,
}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("wastes") / "example.xlsx")


def area(wb: Any, name: str) -> tuple[Any, int, int, int]:
    """The sheet, first row, column and last row of a one-column defined name."""
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    first, _, last = ref.replace("$", "").partition(":")
    (r1, c1), (r2, _) = coordinate_to_tuple(first), coordinate_to_tuple(last or first)
    return wb[sheet.strip("'").replace("''", "'")], r1, c1, r2


def cells(wb: Any, name: str) -> list[Any]:
    """The cached values of a one-column defined name, top to bottom."""
    ws, r1, c1, r2 = area(wb, name)
    return [ws.cell(r, c1).value for r in range(r1, r2 + 1)]


def by_name(wb: Any, table: str, column: str) -> dict[str, Any]:
    """{record name: cached value of *column*} over the rows of *table* that have a name."""
    return {n: v for n, v in zip(cells(wb, f"{table}_name"), cells(wb, f"{table}_{column}"), strict=True) if n}


def result(wb: Any, name: str) -> Any:
    return cells(wb, name)[0]


# --- what the sheet computes, by hand ----------------------------------------------------------------------------


def test_each_streams_annual_cost_is_its_quantity_times_its_cost_per_tonne(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    assert by_name(wb, "wastes", "cost") == pytest.approx(COSTS)
    formulas = openpyxl.load_workbook(example)
    ws, r1, c1, _ = area(formulas, "wastes_cost")
    assert ws.cell(r1, c1).value == '=IF(OR(C11="",F11=""),"",C11*F11)'
    assert cells(wb, "wastes_cost")[len(COSTS) :] == [None] * 13  # 20 rows: the spare rows stay blank


def test_the_totals_above_the_table(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    assert result(wb, "result_wastes_quantity") == pytest.approx(152 + 2760 + 18 + 85 + 6.5 + 12 + 20)
    assert result(wb, "result_wastes_hazardous") == pytest.approx(152 + 18 + 6.5)  # HW06, HW49, HW49
    assert result(wb, "result_wastes_cost") == pytest.approx(826_980)
    assert result(wb, "result_wastes_hazardous_cost") == pytest.approx(638_400 + 68_400 + 19_500)
    assert result(wb, "result_wastes_cost_intensity") == pytest.approx(826_980 / 2000)  # CNY per t of DX-2
    assert result(wb, "result_wastes_no_route") == 0


def test_the_residue_is_small_in_mass_and_the_largest_cost(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    ws = wb["Dashboard"]
    assert ws["D1"].value == "Waste streams, largest first (t)"
    assert [ws.cell(r, 4).value for r in range(3, 8)][:2] == ["Process wastewater", "Distillation residue"]
    assert ws["I1"].value == "Waste streams by annual disposal cost (CNY)"
    names = [ws.cell(r, 9).value for r in range(3, 8)]
    values = [ws.cell(r, 10).value for r in range(3, 8)]
    shares = [ws.cell(r, 11).value for r in range(3, 8)]
    assert names == [
        "Distillation residue",
        "Spent activated carbon (off-gas adsorber)",
        "Wastewater treatment sludge",
        "Process wastewater",
        "Empty toluene drums",
    ]
    assert values == [638_400, 68_400, 51_000, 49_680, 19_500]
    assert shares[0] == pytest.approx(638_400 / 826_980)  # 77 %
    assert shares[-1] == pytest.approx(1)  # the two streams that cost nothing add nothing
    charts = openpyxl.load_workbook(example)["Dashboard"]._charts
    assert len(charts) == 3  # the two Paretos and the reductions


def test_the_focus_shows_the_cost_of_the_wastes_arising_in_each_candidate_area(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    assert by_name(wb, "focus", "waste_cost") == {
        "Synthesis workshop": pytest.approx(18 * 3800 + 6.5 * 3000 + 0),
        "Crystallisation & drying": 0,  # the dust costs no fee: its cost is the product it carries
        "Solvent recovery": pytest.approx(152 * 4200 + 2760 * 18),
        "Utilities (boiler, cooling)": 0,
    }
    # the sludge arises in the wastewater plant, which is no candidate: 51,000 CNY counted nowhere
    assert sum(by_name(wb, "focus", "waste_cost").values()) == pytest.approx(826_980 - 51_000)


def test_the_headers_name_the_audits_units(example, tmp_path):
    ws = openpyxl.load_workbook(example)[SHEET]
    headers = [ws.cell(10, c).value for c in range(1, 8)]
    assert headers == [
        "Waste stream",
        "Where it arises",
        "Quantity per year (t)",
        "Hazardous-waste class (HW..)",
        "Treatment / disposal route",
        "Cost per unit of mass (CNY/t)",
        "Annual disposal cost (CNY)",
    ]
    data = Audit.example("zh").to_dict()
    data["fields"].update(mass_unit="kg", currency="EUR")
    wb = openpyxl.load_workbook(build(Audit.from_dict(data), tmp_path / "eur.xlsx", "zh"))
    assert wb[label("sheet.wastes", "zh")].cell(10, 6).value == "单位处置费用 (EUR/kg)"
    rule = next(v for v in wb[label("sheet.wastes", "zh")].data_validations.dataValidation if "F" in str(v.sqref))
    assert "EUR/kg" in rule.error


def test_the_hazard_cells_say_the_form_of_a_code_when_selected(example):
    ws = openpyxl.load_workbook(example)[SHEET]
    (rule,) = [v for v in ws.data_validations.dataValidation if str(v.sqref).startswith("D11")]
    assert rule.type is None or rule.type == "any"
    assert "HW49 900-039-49" in rule.prompt


def test_a_hazardous_waste_with_no_route_is_counted_red_and_found_by_check(tmp_path):
    data = Audit.example("en").to_dict()
    data["tables"]["wastes"][2]["route"] = None  # the spent carbon: where does it go?
    data["tables"]["wastes"][4]["route"] = "discharged"  # the drums
    data["tables"]["wastes"][5]["route"] = None  # the bags are not hazardous: no finding
    path = build(Audit.from_dict(data), tmp_path / "routes.xlsx")
    assert result(openpyxl.load_workbook(path, data_only=True), "result_wastes_no_route") == 1
    findings = check(path).of_kind("waste")
    assert [(f.severity, f.sheet, f.cell, f.path) for f in findings] == [
        ("warning", SHEET, "E13", "wastes[3]"),
        ("warning", SHEET, "E15", "wastes[5]"),
    ]
    assert "'Spent activated carbon (off-gas adsorber)' (HW49 900-039-49) has no treatment" in findings[0].message
    assert "is discharged" in findings[1].message
    assert check(Audit.example("en")).of_kind("waste") == []


# --- read back, and what a person types ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_workbook_with_waste_streams_reads_back_equal(tmp_path, lang):
    audit = Audit.example(lang)
    path = build(audit, tmp_path / f"{lang}.xlsx", lang)
    assert read(path) == audit
    assert openpyxl.load_workbook(path)[label("sheet.wastes", lang)]["A1"].value == label("title.waste_streams", lang)


def test_every_route_reads_back_in_both_languages(tmp_path):
    data = Audit.example("en").to_dict()
    data["tables"]["wastes"] = [
        {"name": f"W{k}", "quantity": k, "route": route, "hazard": f"HW{k + 1:02d}"} for k, route in enumerate(ROUTES)
    ]
    audit = Audit.from_dict(data)
    for lang in ("en", "zh"):
        path = build(audit, tmp_path / f"routes-{lang}.xlsx", lang)
        assert read(path).tables["wastes"] == audit.tables["wastes"]
        shown = cells(openpyxl.load_workbook(path), "wastes_route")[: len(ROUTES)]
        assert shown == [choice_label(route, lang) for route in ROUTES]


@pytest.mark.parametrize("code", ["HW06", "HW49 900-039-49", "HW06 900-404-06", "HW12 264-012-12"])
def test_hazard_codes_of_the_lists_form_are_kept(code):
    data = {"tables": {"wastes": [{"name": "Residue", "quantity": 1, "hazard": f" {code} "}]}}
    assert Audit.from_dict(data).tables["wastes"][0]["hazard"] == code


@pytest.mark.parametrize(
    "code",
    ["HW6", "hw06", "HW 06", "HW06 900-039-49", "HW49  900-039-49", "HW49 900039-49", "HW49 900-39-49", "HW０6", "06"],
)
def test_a_wrong_hazard_code_is_refused_with_its_path(code):
    data = {"tables": {"wastes": [{"name": "Dust", "quantity": 1}, {"name": "Residue", "quantity": 1, "hazard": code}]}}
    with pytest.raises(AuditError) as info:
        Audit.from_dict(data)
    (problem,) = info.value.problems
    assert problem.startswith("wastes[2].hazard must be a class of the National Hazardous Waste List: HW and two")
    assert problem.endswith(f"got {code!r}")


def test_a_negative_cost_or_quantity_and_a_route_not_in_the_list_are_refused():
    data = Audit.example("en").to_dict()
    data["tables"]["wastes"][0]["unit_cost"] = -4200
    data["tables"]["wastes"][1]["quantity"] = -1
    data["tables"]["wastes"][2]["route"] = "burnt"
    del data["tables"]["wastes"][3]["quantity"]
    with pytest.raises(AuditError) as info:
        Audit.from_dict(data)
    assert info.value.problems == [
        "wastes[1].unit_cost must be >= 0, got -4200",
        "wastes[2].quantity must be >= 0, got -1",
        f"wastes[3].route must be one of {', '.join(ROUTES)}, got 'burnt'",
        "wastes[4].quantity is required",
    ]


def test_bad_cells_on_the_sheet_are_problems_with_their_cells(example, tmp_path):
    wb = openpyxl.load_workbook(example)
    ws = wb[SHEET]
    ws["D12"] = "HW6"  # the wastewater: a class with one digit
    ws["F11"] = -4200  # the residue's cost per tonne
    ws["E13"] = "委托有资质单位"  # the Chinese word in an English workbook
    ws["C14"] = "85 t"  # text where the quantity goes
    wb.save(tmp_path / "typed.xlsx")
    with pytest.raises(AuditError) as info:
        read(tmp_path / "typed.xlsx")
    problems = info.value.problems
    assert len(problems) == 4
    assert any(p.startswith(f"'{SHEET}'!D12 (wastes[2].hazard) must be a class of the National") for p in problems)
    assert f"'{SHEET}'!F11 (wastes[1].unit_cost) must be >= 0, got -4200" in problems
    assert any(f"'{SHEET}'!E13 (wastes[3].route) is not one of the choices" in p for p in problems)
    assert any(f"'{SHEET}'!C14 (wastes[4].quantity) holds the text '85 t'" in p for p in problems)


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_a_stream_typed_into_a_spare_row_is_costed_in_libreoffice_and_read_back(example, tmp_path):
    wb = openpyxl.load_workbook(example)
    ws = wb[SHEET]
    ws["A18"], ws["B18"], ws["C18"], ws["D18"], ws["E18"], ws["F18"] = (
        "Spent catalyst",
        "synthesis WORKSHOP",  # matched as the sheet's = matches text: whatever the case
        2.5,
        "HW50 261-151-50",
        "Licensed contractor",
        8000,
    )
    wb.save(tmp_path / "added.xlsx")
    fresh = recalculate(tmp_path / "added.xlsx", tmp_path / "out")
    values = openpyxl.load_workbook(fresh, data_only=True)
    assert values[SHEET]["G18"].value == 20_000
    assert result(values, "result_wastes_cost") == pytest.approx(846_980)
    assert result(values, "result_wastes_hazardous") == pytest.approx(176.5 + 2.5)
    assert by_name(values, "focus", "waste_cost")["Synthesis workshop"] == pytest.approx(87_900 + 20_000)
    assert values["Dashboard"]["I7"].value == "Spent catalyst"  # fifth by cost: 20,000 above the drums' 19,500
    audit = read(fresh)
    assert audit.tables["wastes"][-1] == {
        "name": "Spent catalyst",
        "origin": "synthesis WORKSHOP",
        "quantity": 2.5,
        "hazard": "HW50 261-151-50",
        "route": "contractor",
        "unit_cost": 8000.0,
    }
    rebuilt = build(audit, tmp_path / "rebuilt.xlsx")
    mismatches = compare_cached_values(rebuilt, recalculate(rebuilt, tmp_path / "out2"))
    assert [m for m in mismatches if "CP_" not in (m.formula or "")] == []
