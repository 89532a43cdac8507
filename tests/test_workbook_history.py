"""The history of the last three years (``2 History``) and the environmental facilities (``2 Facilities``).

The numbers a reader can check by hand come from the worked example (cpxl/audit/example.py): 2023-2025, output
up from 1,720 t to 2,000 t, the toluene make-up down from 193 t to 148 t as distillation recovered more of it;
a wastewater treatment plant, a VOC condenser with activated carbon and a hazardous-waste store. Every formula
of both sheets is also recomputed by LibreOffice (tests/test_workbook_libreoffice.py: the templates and random
audits with history and facilities; here, the edge cases).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_to_tuple
from workbook_helpers import named_column as cells

from cpxl.audit import Audit, AuditError
from cpxl.audit.schema import HISTORY_CATEGORIES
from cpxl.batch import check
from cpxl.workbook import build, read
from cpxl.workbook.labels import choice_label, label
from cpxl.workbook.libreoffice import compare_cached_values, find_soffice, recalculate

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("history") / "example.xlsx")


def by_name(wb: Any, table: str, column: str) -> dict[str, Any]:
    """{record name: cached value of *column*} over the rows of *table* that have a name."""
    return {n: v for n, v in zip(cells(wb, f"{table}_name"), cells(wb, f"{table}_{column}"), strict=True) if n}


def example_with(change: Any) -> Audit:
    data = Audit.example("en").to_dict()
    change(data)
    return Audit.from_dict(data)


# --- the history, by hand ----------------------------------------------------------------------------------------


def test_the_years_and_the_main_products_output_stand_above_their_columns(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    ws = wb["2 History"]
    assert [cells(wb, f"year_{k}")[0] for k in (1, 2, 3)] == [2023, 2024, 2025]
    assert [cells(wb, f"result_history_output_{k}")[0] for k in (1, 2, 3)] == [1720, 1850, 2000]
    for k in (1, 2, 3):  # each year and its output in the column of that year's values
        year = wb.defined_names[f"year_{k}"].attr_text.rsplit("!", 1)[1].replace("$", "")
        values = wb.defined_names[f"history_year_{k}"].attr_text.rsplit("!", 1)[1].replace("$", "")
        assert coordinate_to_tuple(year)[1] == coordinate_to_tuple(values.split(":")[0])[1]
    assert ws["A3"].value == "Year" and ws["E3"].value == 2023


def test_the_toluene_per_tonne_falls_as_recovery_improved(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    toluene = "Toluene (make-up)"
    assert by_name(wb, "history", "intensity_1")[toluene] == pytest.approx(193 / 1720)  # 112 kg/t
    assert by_name(wb, "history", "intensity_2")[toluene] == pytest.approx(170 / 1850)
    assert by_name(wb, "history", "intensity_3")[toluene] == pytest.approx(148 / 2000)  # 74 kg/t
    assert by_name(wb, "history", "change")[toluene] == pytest.approx((148 - 193) / 193)  # -23.3 %
    assert by_name(wb, "history", "intensity_change")[toluene] == pytest.approx((0.074 - 193 / 1720) / (193 / 1720))
    assert by_name(wb, "history", "trend_3")[toluene] == pytest.approx(0.074 / (193 / 1720))  # 65.9 %
    # the toluene lost to the off-gas falls with it: 8.0 kg/t to 4.75 kg/t
    assert by_name(wb, "history", "intensity_1")["Toluene (VOC)"] == pytest.approx(13800 / 1720)
    assert by_name(wb, "history", "intensity_3")["Toluene (VOC)"] == pytest.approx(4.75)


def test_outputs_and_indicators_have_no_intensity_and_trend_by_their_value(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    for item in ("Intermediate DX-2", "Sodium sulfate (by-product)", "Toluene recovered by distillation"):
        for k in (1, 2, 3):
            assert by_name(wb, "history", f"intensity_{k}")[item] is None
        assert by_name(wb, "history", "intensity_change")[item] is None
    assert by_name(wb, "history", "change")["Intermediate DX-2"] == pytest.approx(280 / 1720)  # +16.3 %
    assert by_name(wb, "history", "trend_1")["Intermediate DX-2"] == 1
    assert by_name(wb, "history", "trend_2")["Toluene recovered by distillation"] == pytest.approx(88.6 / 86.5)


def test_the_latest_year_is_the_audit_periods_tables():
    audit = Audit.example("en")
    current = {r["name"]: r["output"] for r in audit.tables["products"]}
    current |= {r["name"]: r["amount"] for r in audit.tables["consumption"]}
    current |= {r["name"]: r["generated"] for r in audit.tables["pollutants"]}
    history = {r["name"]: r["year_3"] for r in audit.tables["history"]}
    shared = set(current) & set(history)
    assert len(shared) == 8  # two products, four consumptions, two pollutants
    assert {name: history[name] for name in shared} == {name: current[name] for name in shared}
    assert audit.fields["audit_period"].startswith(str(audit.fields["year_3"]))
    (main,) = [r for r in audit.tables["history"] if r["main"]]
    assert main["year_3"] == next(p["output"] for p in audit.tables["products"] if p["main"])


def test_without_a_main_product_there_are_no_intensities(tmp_path):
    def no_main(data):
        data["tables"]["history"][0]["main"] = False

    wb = openpyxl.load_workbook(build(example_with(no_main), tmp_path / "no-main.xlsx"), data_only=True)
    assert [cells(wb, f"result_history_output_{k}")[0] for k in (1, 2, 3)] == [0, 0, 0]
    assert set(cells(wb, "history_intensity_1")) == {None}
    # the changes of the values and the trend of outputs do not need it
    assert by_name(wb, "history", "change")["Toluene (make-up)"] == pytest.approx(-45 / 193)
    assert by_name(wb, "history", "trend_3")["Toluene (make-up)"] is None


def test_the_trend_chart_stands_beside_the_table_and_draws_every_item(example):
    with zipfile.ZipFile(example) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        drawings = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing")}
    (trend,) = [c for c in charts if "'2 History'" in c]
    assert trend.count("<c:ser>") == len(Audit.example("en").tables["history"])
    assert "'2 History'!$M$8:$O$8" in trend and "'2 History'!$E$3:$G$3" in trend  # trend_1..3; the years
    # anchored right of the last column of the table (O), so that the table grows down under nothing
    anchors = [d for d in drawings.values() if "<xdr:from><xdr:col>16</xdr:col>" in d]
    assert len(anchors) == 1


# --- the facilities, by hand -------------------------------------------------------------------------------------


def test_the_facilities_running_rate_and_removal_are_what_a_hand_calculation_gives(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    rate = by_name(wb, "facilities", "running_rate")
    removal = by_name(wb, "facilities", "removal")
    assert rate["Wastewater treatment plant"] == pytest.approx(9.2 / 15)  # 2,760 m3 over 300 days
    assert rate["VOC condenser and activated carbon"] == pytest.approx(0.96)
    assert rate["Hazardous-waste store"] == pytest.approx(19 / 30)
    assert removal["Wastewater treatment plant"] == pytest.approx(0.9)
    assert removal["Hazardous-waste store"] is None  # no concentrations
    # the removal agrees with the pollutants table: COD 41,400 kg generated, 4,140 kg discharged
    pollutants = by_name(wb, "pollutants", "removal")
    assert removal["Wastewater treatment plant"] == pytest.approx(pollutants["COD"])
    assert removal["VOC condenser and activated carbon"] == pytest.approx(pollutants["Toluene (VOC)"])
    assert cells(wb, "result_facilities_operating_cost") == [650000]
    assert cells(wb, "result_facilities_to_check") == [0]
    assert cells(wb, "low_running_rate") == [0.5]


def test_a_facility_above_design_below_the_low_rate_or_with_outlet_above_inlet_is_flagged(tmp_path):
    def faults(data):
        wwtp, voc, store = data["tables"]["facilities"]
        voc["throughput"] = 5600  # 112 %
        store["throughput"] = 12  # 40 %
        wwtp["outlet"] = 16000  # more out than in

    path = build(example_with(faults), tmp_path / "faults.xlsx")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert cells(wb, "result_facilities_to_check") == [3]
    found = [(f.severity, f.sheet, f.cell, f.path) for f in check(path).of_kind("facility")]
    assert found == [
        ("warning", "2 Facilities", "L9", "facilities[1]"),
        ("warning", "2 Facilities", "K10", "facilities[2]"),
        ("info", "2 Facilities", "K11", "facilities[3]"),
    ]
    ws = wb["2 Facilities"]
    assert ws["K10"].value == pytest.approx(1.12) and ws["L9"].value == pytest.approx(-1 / 15)
    messages = [f.message for f in check(path).of_kind("facility")]
    assert "runs above its design capacity: 5,600 m3/h of its design 5,000 m3/h (112.0 %)" in messages[1]
    assert "runs below 50 % of its capacity" in messages[2]


def test_the_example_has_no_facility_finding(example):
    assert check(example).of_kind("facility") == []


# --- the schema, the reader, the languages -----------------------------------------------------------------------


def test_years_out_of_order_and_a_main_that_is_no_product_are_refused():
    def backwards(data):
        data["fields"]["year_3"] = 2024

    with pytest.raises(AuditError, match=r"fields\.year_3 must be a later year than fields\.year_2 \(2024\)"):
        example_with(backwards)

    def main_water(data):
        data["tables"]["history"][3]["main"] = True

    with pytest.raises(AuditError) as info:
        example_with(main_water)
    assert any("history[4].main: only a row of category product" in p for p in info.value.problems)
    assert any("history: only one row can be the main product, got rows [1, 4]" in p for p in info.value.problems)

    def negative(data):
        data["tables"]["history"][2]["year_2"] = -1
        data["tables"]["facilities"][0]["design_capacity"] = -15

    with pytest.raises(AuditError) as info:
        example_with(negative)
    assert "history[3].year_2 must be >= 0, got -1" in str(info.value)
    assert "facilities[1].design_capacity must be >= 0, got -15" in str(info.value)


def test_a_category_of_another_table_is_refused_with_the_list():
    def wrong(data):
        data["tables"]["history"][0]["category"] = "raw"

    with pytest.raises(AuditError, match=r"history\[1\]\.category"):
        example_with(wrong)
    assert set(HISTORY_CATEGORIES) >= {"product", "raw_material", "water", "wastewater", "waste_gas", "indicator"}


def test_history_and_facilities_read_back_in_both_languages(example, tmp_path):
    assert read(example) == Audit.example("en")
    zh = build(Audit.example("zh"), tmp_path / "zh.xlsx", "zh")
    assert read(zh) == Audit.example("zh")
    wb = openpyxl.load_workbook(zh, data_only=True)
    assert wb[label("sheet.history", "zh")]["B8"].value == choice_label("product", "zh")
    assert by_name(wb, "facilities", "running_rate")["废水处理站"] == pytest.approx(9.2 / 15)


def test_text_in_a_year_cell_is_a_problem_with_its_cell(example, tmp_path):
    wb = openpyxl.load_workbook(example)
    wb["2 History"]["F3"] = "2024年"
    wb["2 History"]["E10"] = "193 t"
    wb.save(tmp_path / "typed.xlsx")
    with pytest.raises(AuditError) as info:
        read(tmp_path / "typed.xlsx")
    problems = info.value.problems
    assert any("'2 History'!F3 (fields.year_2)" in p for p in problems)
    assert any("'2 History'!E10 (history[3].year_1)" in p and "'193 t'" in p for p in problems)


def test_the_guide_lists_the_new_sheets_in_the_pre_assessment(example):
    for lang in ("en", "zh"):
        path = example if lang == "en" else build(Audit.example("zh"), example.with_name("guide-zh.xlsx"), "zh")
        ws = openpyxl.load_workbook(path)[label("sheet.guide", lang)]
        row = next(r for r in ws.iter_rows() if r[0].value == label("choice.pre_assessment", lang))
        shown = [c.value for c in row[1:] if c.value]
        keys = ("company", "energy", "history", "pollutants", "wastes", "facilities")
        assert shown[:6] == [label(f"sheet.{k}", lang) for k in keys]


def test_the_audit_file_explains_the_new_tables_and_fields(tmp_path):
    text = Audit.example("en").save(tmp_path / "example.yaml").read_text(encoding="utf-8")
    assert "# the last three years, oldest first" in text
    assert "# category: product | raw_material | auxiliary | energy | water | wastewater | waste_gas |" in text
    assert "design_capacity, throughput: the design and the actual load" in text
    assert "year_1: 2023" in text and "low_running_rate: 0.5" in text
    assert Audit.load(tmp_path / "example.yaml") == Audit.example("en")


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_the_edge_cases_recompute_in_libreoffice(tmp_path):
    def edges(data):
        history = data["tables"]["history"]
        history[2]["year_1"] = 0  # no base year: no change, no trend
        history[3]["year_2"] = None  # a year missing
        history[6]["category"] = "solid_waste"
        data["fields"]["year_2"] = None
        facilities = data["tables"]["facilities"]
        facilities[0]["outlet"] = 16000
        facilities[1]["throughput"] = 5600
        facilities[2]["design_capacity"] = 0
        facilities.append({"name": "Idle scrubber", "medium": "waste_gas", "design_capacity": 100, "throughput": 10})
        data["fields"]["low_running_rate"] = 0.2

    path = build(example_with(edges), tmp_path / "edges.xlsx")
    mismatches = compare_cached_values(path, recalculate(path, tmp_path / "out"))
    assert [m for m in mismatches if "CP_" not in (m.formula or "")] == []
    wb = openpyxl.load_workbook(path, data_only=True)
    assert cells(wb, "result_facilities_to_check") == [3]  # outlet above inlet, above design, the idle scrubber
    assert by_name(wb, "history", "change")["Toluene (make-up)"] is None
    assert by_name(wb, "history", "intensity_2")["Process water"] is None
