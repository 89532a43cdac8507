"""The energy sheet (``2 Energy & carbon``): energy by carrier in tce and CO2, totals and intensities.

The numbers a reader can check by hand: GB/T 2589-2020 Appendix A gives 0.1229 kgce/kWh for electricity (its
calorific equivalent), so 1,000 MWh is 122.9 tce; 0.7143 kgce/kg for raw coal; 0.03412 kgce/MJ for heat. The
CO2 defaults are IPCC 2006 Vol. 2 ch. 1 (Tables 1.2 and 1.4: diesel 43.0 GJ/t × 74,100 kg CO2/TJ = 3.1863 t/t;
other bituminous coal 25.8 GJ/t × 94,600 kg/TJ) and the national average electricity factor for 2022, 0.5366
t/MWh (MEE and NBS, 2024). The worked example's story is in cpxl/audit/example.py. Every formula of the sheet is
also recomputed by LibreOffice (tests/test_workbook_libreoffice.py: the templates and random audits with energy
rows, overrides and the electricity conversion).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_workbook_growth import area
from workbook_helpers import named_column as column

import cpxl
from cpxl.audit import Audit, AuditError
from cpxl.audit.schema import CARRIERS
from cpxl.core import energy
from cpxl.workbook import build, read
from cpxl.workbook.labels import choice_label, label
from cpxl.workbook.libreoffice import compare_cached_values, find_soffice, recalculate

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
SHEET = "2 Energy & carbon"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("energy") / "example.xlsx")


def value(wb: Any, name: str) -> Any:
    ws, r, c, _, _ = area(wb, name)
    return ws.cell(r, c).value


def rows(wb: Any) -> dict[str, dict[str, Any]]:
    """{carrier: {column: cached value}} over the energy table's filled rows."""
    keys = ("amount", "unit", "coefficient_used", "tce", "factor_used", "co2")
    table = {key: column(wb, f"energy_{key}") for key in ("carrier", *keys)}
    return {carrier: {key: table[key][i] for key in keys} for i, carrier in enumerate(table["carrier"]) if carrier}


def audit_with(energy_rows: list[dict[str, Any]], **fields: Any) -> Audit:
    data = Audit.example("en").to_dict()
    data["tables"]["energy"] = energy_rows
    data["fields"] |= fields
    return Audit.from_dict(data)


# --- what the sheet computes, by hand ----------------------------------------------------------------------------


def test_published_coefficients_give_the_tce_and_co2_of_each_row(tmp_path):
    audit = audit_with(
        [
            {"carrier": "electricity", "amount": 1000},  # MWh
            {"carrier": "raw_coal", "amount": 100},  # t
            {"carrier": "heat", "amount": 100},  # GJ
            {"carrier": "diesel", "amount": 1},  # t
            {"carrier": "natural_gas", "amount": 10},  # 10^4 m3
        ]
    )
    wb = openpyxl.load_workbook(build(audit, tmp_path / "hand.xlsx"), data_only=True)
    got = rows(wb)
    assert got["electricity"]["unit"] == "MWh"
    assert got["electricity"]["tce"] == pytest.approx(122.9)  # 1,000,000 kWh x 0.1229 kgce/kWh
    assert got["electricity"]["co2"] == pytest.approx(536.6)  # 1,000 MWh x 0.5366 t/MWh
    assert got["raw coal"]["tce"] == pytest.approx(71.43)  # 100 t x 0.7143 kgce/kg
    assert got["raw coal"]["co2"] == pytest.approx(100 * 25.8 * 94.6 / 1000)  # 244.068 t
    assert got["heat"]["tce"] == pytest.approx(3.412)  # 100,000 MJ x 0.03412 kgce/MJ
    assert got["heat"]["co2"] == pytest.approx(11.0)  # 100 GJ x 0.11 t/GJ
    assert got["diesel"]["factor_used"] == pytest.approx(3.1863)
    assert got["natural gas"]["unit"] == "10^4 m3"
    assert got["natural gas"]["tce"] == pytest.approx(133.0)  # 100,000 m3 x 1.3300 kgce/m3
    total = 122.9 + 71.43 + 3.412 + 1.4571 + 133.0
    assert value(wb, "result_tce") == pytest.approx(total)
    assert value(wb, "result_energy_intensity") == pytest.approx(total / 2000)  # the example's 2,000 t of DX-2
    assert value(wb, "result_co2") == pytest.approx(sum(r["co2"] for r in got.values()))


def test_the_cached_values_are_cpxl_tce_and_co2(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    records = Audit.example("en").tables["energy"]
    carriers = [energy.CARRIERS[r["carrier"].replace("_", " ")].en for r in records]
    amounts = [r["amount"] for r in records]
    tce = cpxl.tce(amounts, carriers, [r["coefficient"] for r in records])
    co2 = cpxl.co2(amounts, carriers, [r["co2_factor"] for r in records])
    assert column(wb, "energy_tce")[: len(records)] == tce.tolist()
    assert column(wb, "energy_co2")[: len(records)] == co2.tolist()
    assert value(wb, "result_tce") == pytest.approx(tce.sum(), rel=1e-12)
    assert value(wb, "result_co2") == pytest.approx(co2.sum(), rel=1e-12)


def test_the_examples_energy_is_the_395_kgce_per_t_the_benchmark_rates(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    got = rows(wb)
    assert got["electricity"]["tce"] == pytest.approx(1850 * 0.1229)  # 227.365
    assert got["steam"]["tce"] == pytest.approx(3040 * 0.1286)  # 390.944
    assert got["diesel"]["tce"] == pytest.approx(17.8 * 1.4571)  # 25.936
    # the gas bills' 35.6 MJ/m3: 35,600 / 29,307.6 = 1.2147 kgce/m3, and 356 GJ x 56.1 t/TJ per 10^4 m3
    gas_coefficient = 35_600 / energy.KJ_PER_KGCE * 10
    assert gas_coefficient == pytest.approx(12.147, abs=5e-4)
    assert got["natural gas"]["coefficient_used"] == 12.147 and got["natural gas"]["factor_used"] == 19.97
    assert got["natural gas"]["tce"] == pytest.approx(145.764)
    assert value(wb, "result_tce") == pytest.approx(790.00938)
    indicator = next(r for r in Audit.example("en").tables["indicators"] if r["unit"] == "kgce/t")
    assert 1000 * value(wb, "result_energy_intensity") == pytest.approx(indicator["value"], abs=0.01)
    assert value(wb, "result_co2") == pytest.approx(992.71 + 3040 * 3.763 * 0.11 + 239.64 + 17.8 * 3.1863)
    assert value(wb, "result_co2_intensity") == pytest.approx(value(wb, "result_co2") / 2000)
    consumption = {r["unit"]: r["amount"] for r in Audit.example("en").tables["consumption"] if r["unit"] != "t"}
    assert consumption["MWh"] == 1850 and consumption["10^4 m3"] == 12  # the consumption table agrees


def test_the_electricity_conversion_is_the_calorific_equivalent_unless_given(tmp_path):
    rows_in = [{"carrier": "electricity", "amount": 1000}, {"carrier": "electricity", "amount": 10, "coefficient": 1}]
    wb = openpyxl.load_workbook(build(audit_with(rows_in), tmp_path / "eq.xlsx"), data_only=True)
    assert column(wb, "energy_coefficient_used")[:2] == [0.1229, 1]
    assert value(wb, "electricity_conversion") is None
    path = build(audit_with(rows_in, electricity_conversion=0.305), tmp_path / "generation.xlsx")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert column(wb, "energy_coefficient_used")[:2] == [0.305, 1]  # a row's own coefficient still wins
    assert column(wb, "energy_tce")[0] == pytest.approx(305.0)
    assert column(wb, "energy_tce")[0] == cpxl.tce(1000, "electricity", electricity=0.305)
    assert read(path).fields["electricity_conversion"] == 0.305


def test_the_reference_block_is_the_one_table_of_cpxl_core_energy(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    keys = list(energy.CARRIERS)
    assert column(wb, "carriers_name") == [energy.CARRIERS[k].en for k in keys]
    assert column(wb, "carriers_unit") == [energy.CARRIERS[k].unit for k in keys]
    assert column(wb, "carriers_tce") == [energy.TCE_COEFFICIENTS[k].value for k in keys]
    assert column(wb, "carriers_co2") == pytest.approx([cpxl.co2(1.0, k) for k in keys], rel=1e-15)
    ws, r1, c1, _, _ = area(wb, "carriers_name")
    texts = {ws.cell(r, c).value for r in range(r1, r1 + len(keys)) for c in range(c1, c1 + 12)}
    assert {energy.TCE_COEFFICIENTS[k].source for k in keys} <= texts
    assert {energy.CO2_FACTORS[k].source for k in keys} <= texts
    formulas = openpyxl.load_workbook(example)
    ws, r1, _, _, _ = area(formulas, "carriers_co2")
    _, _, c, _, _ = area(formulas, "carriers_co2")
    assert str(ws.cell(r1, c).value).endswith("/1000*" + ws.cell(r1, c - 1).coordinate)  # raw coal: a formula
    assert isinstance(ws.cell(r1 + keys.index("electricity"), c).value, float)  # the grid factor: a value


def test_carriers_are_the_codes_and_names_of_cpxl_core_energy_which_cp_tce_understands():
    codes = tuple(key.lower().replace(" ", "_") for key in energy.CARRIERS)
    assert codes == CARRIERS
    for code, carrier in zip(CARRIERS, energy.CARRIERS.values(), strict=True):
        assert (choice_label(code, "en"), choice_label(code, "zh")) == (carrier.en, carrier.zh)
        for lang in ("en", "zh"):  # what a cell shows, CP_TCE and CP_CO2 take as the carrier
            assert cpxl.tce(2.0, choice_label(code, lang)) == cpxl.tce(2.0, carrier.en)
            assert cpxl.co2(2.0, choice_label(code, lang)) == cpxl.co2(2.0, carrier.en)


def test_the_sheet_is_in_the_pre_assessment_and_its_results_on_the_dashboard(example):
    wb = openpyxl.load_workbook(example, data_only=True)
    assert wb.sheetnames.index(SHEET) == wb.sheetnames.index("2 Company") + 1
    guide = wb[label("sheet.guide", "en")]
    stage = next(row for row in guide.iter_rows(values_only=True) if row[0] == choice_label("pre_assessment", "en"))
    assert stage[1:3] == ("2 Company", SHEET)
    for key in ("tce", "energy_intensity", "co2"):
        assert value(wb, f"result_{key}_copy") == value(wb, f"result_{key}")
    assert value(wb, "company") is not None and area(wb, "electricity_conversion")[0].title == SHEET


def test_a_blank_workbook_shows_no_totals(tmp_path):
    wb = openpyxl.load_workbook(build(Audit.blank(), tmp_path / "blank.xlsx"), data_only=True)
    for name in ("result_tce", "result_co2", "result_energy_intensity", "result_co2_intensity"):
        assert value(wb, name) in (None, "")
    assert len(column(wb, "energy_carrier")) == 20


# --- read back, and what a person types ---------------------------------------------------------------------------


def test_energy_reads_back_equal_in_both_languages(example, tmp_path):
    assert read(example) == Audit.example("en")
    audit = audit_with(
        [{"name": "锅炉", "carrier": "raw_coal", "amount": 2.5, "coefficient": 0.6, "co2_factor": 1.9}],
        electricity_conversion=0.3,
    )
    for lang in ("en", "zh"):
        assert read(build(audit, tmp_path / f"{lang}.xlsx", lang)) == audit
    zh = openpyxl.load_workbook(tmp_path / "zh.xlsx", data_only=True)
    assert column(zh, "energy_carrier")[0] == "原煤" and column(zh, "carriers_name")[-1] == "蒸汽"


def test_the_reader_takes_a_carrier_in_any_case_as_the_formulas_do(example, tmp_path):
    wb = openpyxl.load_workbook(example)
    ws, r, c, _, _ = area(wb, "energy_carrier")
    ws.cell(r, c).value = "ELECTRICITY"
    wb.save(path := tmp_path / "case.xlsx")
    assert read(path).tables["energy"][0]["carrier"] == "electricity"


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("energy_carrier", "coal gas", "(energy[1].carrier) is not one of the choices of its list, got 'coal gas'"),
        ("energy_carrier", "电力", "(energy[1].carrier) is not one of the choices of its list (the formulas only"),
        ("energy_amount", -5, "(energy[1].amount) must be >= 0, got -5"),
        ("energy_amount", "1,850", "(energy[1].amount) holds the text '1,850' where a number goes"),
        ("energy_coefficient", 0, "energy[1].coefficient must be > 0 (leave it blank for the default), got 0"),
        ("electricity_conversion", 305, "must be in kgce/kWh, between 0 and 1 (blank: the calorific equivalent): "),
    ],
)
def test_bad_energy_cells_are_problems_with_their_place(example, tmp_path, name, typed, message):
    wb = openpyxl.load_workbook(example)
    ws, r, c, _, _ = area(wb, name)
    ws.cell(r, c).value = typed
    wb.save(path := tmp_path / "bad.xlsx")
    with pytest.raises(AuditError) as info:
        read(path)
    assert any(message in p for p in info.value.problems), info.value.problems


def test_bad_energy_data_in_a_file_is_refused_with_its_path():
    data = Audit.example("en").to_dict()
    data["tables"]["energy"] = [
        {"carrier": "coal gas", "amount": 1},
        {"carrier": "diesel", "amount": -1},
        {"carrier": "diesel", "amount": 1, "co2_factor": 0},
        {"amount": 3},
    ]
    data["fields"]["electricity_conversion"] = 305
    with pytest.raises(AuditError) as info:
        Audit.from_dict(data)
    problems = info.value.problems
    assert "energy[1].carrier must be one of raw_coal, " in problems[0] and "got 'coal gas'" in problems[0]
    assert "energy[2].amount must be >= 0, got -1" in problems
    assert "energy[4].carrier is required" in problems
    assert "energy[3].co2_factor must be > 0 (leave it blank for the default), got 0" in problems
    assert any(p.endswith(": 305 gce/kWh is 0.305, got 305") for p in problems)


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_carrier_in_a_cell_is_flagged_and_counted_nowhere(tmp_path, lang):
    path = build(Audit.example(lang), tmp_path / "typed.xlsx", lang)
    wb = openpyxl.load_workbook(path)
    ws, r, c, _, _ = area(wb, "energy_carrier")
    ws.cell(r + 3, c).value = "coal gas"  # pasted over the diesel row, past the dropdown
    ws.cell(r + 4, c).value = choice_label("heat", lang)  # a new row, typed as a person would
    ws.cell(r + 4, c + 1).value = 100
    wb.save(path)
    fresh = openpyxl.load_workbook(recalculate(path, tmp_path / "out"), data_only=True)
    assert column(fresh, "energy_unit")[3:5] == [label("word.unknown_carrier", lang), "GJ"]
    assert column(fresh, "energy_tce")[3] in (None, "") and column(fresh, "energy_co2")[3] in (None, "")
    assert column(fresh, "energy_tce")[4] == pytest.approx(3.412)
    assert value(fresh, "result_tce") == pytest.approx(790.00938 - 17.8 * 1.4571 + 3.412)
    with pytest.raises(AuditError, match=r"energy\[4\]\.carrier\) is not one of the choices"):
        read(path)


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_carrier_overrides_and_the_power_generation_value_recompute_in_libreoffice(tmp_path, lang):
    rows_in = [{"carrier": code, "amount": 10.0 * (i + 1)} for i, code in enumerate(CARRIERS)]
    rows_in += [{"carrier": "electricity", "amount": 7, "coefficient": 0.4, "co2_factor": 0.6}]
    path = build(audit_with(rows_in, electricity_conversion=0.305), tmp_path / "all.xlsx", lang)
    mismatches = compare_cached_values(path, recalculate(path, tmp_path / "out"))
    assert [m for m in mismatches if "CP_" not in (m.formula or "")] == []
