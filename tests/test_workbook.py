"""The audit workbook: structure, round trip, reading errors, and the commands that make it."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbook_helpers import audits, cells, defined_names

from cpxl.audit import TABLES, Audit, AuditError
from cpxl.audit.schema import FIELDS, STAGES
from cpxl.cli import main
from cpxl.workbook import build, read
from cpxl.workbook.labels import LABELS, label


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    return {
        "example-en": build(Audit.example("en"), folder / "example-en.xlsx", "en"),
        "example-zh": build(Audit.example("zh"), folder / "example-zh.xlsx", "zh"),
        "blank-en": build(Audit.blank(), folder / "blank-en.xlsx", "en"),
        "blank-zh": build(Audit.blank(), folder / "blank-zh.xlsx", "zh"),
    }


# --- structure ---------------------------------------------------------------------------------------


def test_every_stage_has_its_sheets_in_both_languages(books):
    for lang in ("en", "zh"):
        wb = openpyxl.load_workbook(books[f"blank-{lang}"])
        names = wb.sheetnames
        assert names[0] == label("sheet.guide", lang)
        for stage_number in range(1, 8):
            assert any(name.startswith(f"{stage_number} ") for name in names), (lang, stage_number)
        guide = wb[label("sheet.guide", lang)]
        shown = {c.value for row in guide.iter_rows() for c in row if c.value}
        for stage in STAGES:
            assert label(f"choice.{stage}", lang) in shown


def test_every_input_block_and_key_result_has_a_defined_name(books):
    names = defined_names(books["example-en"])
    for spec in FIELDS:
        assert spec.key in names
    for key, table in TABLES.items():
        for column in table.columns:
            assert f"{key}_{column.key}" in names
        if table.ratings:
            assert f"{key}_ratings" in names and f"{key}_weights" in names
    for result in (
        "main_output",
        "result_elf",
        "result_pmi",
        "result_efactor",
        "result_overall_yield",
        "result_grade",
        "result_y1",
        "result_system_closure",
        "result_water_reuse",
        "options_npv",
        "options_irr",
        "units_closure",
        "streams_measured",
    ):
        assert result in names


def test_both_languages_have_the_same_cells_and_names(books):
    en, zh = cells(books["blank-en"]), cells(books["blank-zh"])
    sheet_en = {label(k, "en"): label(k, "zh") for k in LABELS if k.startswith("sheet.")}
    assert {(sheet_en[s], c) for s, c in en} == set(zh)
    for (sheet, cell), (value, number_format) in en.items():
        other, other_format = zh[(sheet_en[sheet], cell)]
        assert number_format == other_format, (sheet, cell)
        assert is_formula(value) == is_formula(other), (sheet, cell)
    names_en, names_zh = defined_names(books["blank-en"]), defined_names(books["blank-zh"])
    assert set(names_en) == set(names_zh)
    for name, ref in names_en.items():
        sheet = re.match(r"'?(.+?)'?!", ref).group(1).replace("''", "'")
        assert names_zh[name].endswith(ref.split("!", 1)[1]) and sheet_en[sheet] in names_zh[name]


def is_formula(value) -> bool:
    return isinstance(value, tuple) or (isinstance(value, str) and value.startswith("="))


def test_inputs_have_validations_and_computed_cells_have_formulas(books):
    wb = openpyxl.load_workbook(books["example-en"])
    ws = wb[label("sheet.options", "en")]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "decimal"} <= kinds
    aspects = next(dv for dv in ws.data_validations.dataValidation if "Equipment" in (dv.formula1 or ""))
    assert "Raw materials & energy" in aspects.formula1
    feasibility = wb[label("sheet.feasibility", "en")]
    formulas = [c.value for row in feasibility.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("RATE(" in f for f in formulas) and any("PV(discount_rate" in f for f in formulas)
    assert feasibility.freeze_panes is not None
    assert feasibility.page_setup.paperSize == 9 and feasibility.page_setup.orientation == "landscape"
    balance = wb[label("sheet.balance", "en")]
    assert balance.conditional_formatting, "closure beyond tolerance is flagged"


def test_spare_rows_carry_formulas_so_that_added_rows_compute(books):
    wb = openpyxl.load_workbook(books["example-en"])
    names = wb.defined_names
    ref = names["units_closure"].attr_text
    sheet, cells_ref = ref.split("!")
    first, last = cells_ref.replace("$", "").split(":")
    ws = wb[sheet.strip("'")]
    column = ws[f"{first}:{last}"]
    assert len(column) == TABLES["units"].rows == 30  # the example's 5 units, and room for 25 more
    assert all(str(row[0].value).startswith("=IF(") for row in column)


def test_the_example_shows_its_numbers_before_any_recalculation(books):
    wb = openpyxl.load_workbook(books["example-en"], data_only=True)
    value = {}
    for name in ("result_elf", "result_pmi", "result_overall_yield", "result_grade", "main_output"):
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        value[name] = wb[sheet.strip("'")][ref.replace("$", "")].value
    # ELF = (1500 + 905 + 148 - 2000) / 2000; yield = 0.92 * 0.88 * 0.95 * 0.99
    assert value["main_output"] == 2000
    assert value["result_elf"] == pytest.approx(553 / 2000)
    assert value["result_pmi"] == pytest.approx((1500 + 905 + 148 + 3030) / 2000)
    assert value["result_overall_yield"] == pytest.approx(0.92 * 0.88 * 0.95 * 0.99)
    assert value["result_grade"] == 3


# --- round trip --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example-en", "example-zh", "blank-en", "blank-zh"])
def test_read_of_build_gives_the_audit_back(books, name):
    kind, lang = name.split("-")
    audit = Audit.example(lang) if kind == "example" else Audit.blank()
    assert read(books[name]) == audit


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(audits(), st.sampled_from(["en", "zh"]))
def test_random_audits_round_trip(tmp_path_factory, data, lang):
    audit = Audit.from_dict(data)
    path = build(audit, tmp_path_factory.mktemp("rt") / "audit.xlsx", lang)
    assert read(path) == audit


# --- errors ------------------------------------------------------------------------------------------


def test_reader_names_sheet_and_cell_of_a_bad_value(tmp_path):
    path = build(Audit.example(), tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet, ref = wb.defined_names["streams_measured"].attr_text.split("!")
    ws = wb[sheet.strip("'")]
    first = ref.replace("$", "").split(":")[0]
    column, row = re.match(r"([A-Z]+)(\d+)", first).groups()
    ws[f"{column}{int(row) + 2}"] = -7
    ws[wb.defined_names["tax_rate"].attr_text.split("!")[1].replace("$", "")] = None
    options = wb[label("sheet.options", "en")]
    aspect_ref = wb.defined_names["options_aspect"].attr_text.split("!")[1].replace("$", "").split(":")[0]
    options[aspect_ref] = "Magic"
    wb.save(path)
    with pytest.raises(AuditError) as info:
        read(path)
    text = str(info.value)
    assert f"'3 Flowsheet'!{column}{int(row) + 2} (streams[3].measured) must be >= 0, got -7" in text
    assert f"'4 Options'!{aspect_ref} (options[1].aspect) is not one of the choices of its list, got 'Magic'" in text


def test_reader_refuses_a_file_that_is_not_an_audit_workbook(tmp_path):
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(AuditError, match="not a cpxl audit workbook: it has none of the defined names") as info:
        read(other)
    assert len(info.value.problems) == 1
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(AuditError, match=r"not an \.xlsx workbook"):
        read(text)


def test_build_never_overwrites_and_never_leaves_half_a_file(tmp_path):
    target = tmp_path / "audit.xlsx"
    target.write_bytes(b"the user's own file")
    with pytest.raises(Exception, match="exists already"):
        build(Audit.example(), target)
    assert target.read_bytes() == b"the user's own file"
    assert list(tmp_path.iterdir()) == [target]


# --- commands ----------------------------------------------------------------------------------------


def test_cpxl_new_and_build(tmp_path):
    runner = CliRunner()
    data = tmp_path / "plant.yaml"
    assert runner.invoke(main, ["new", "--example", "-o", str(data)]).exit_code == 0
    book = tmp_path / "plant.xlsx"
    result = runner.invoke(main, ["build", str(data), "--lang", "zh", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert read(book) == Audit.example("en")
    # an existing output is refused without --force when nobody can be asked
    again = runner.invoke(main, ["build", str(data), "-o", str(book)])
    assert again.exit_code == 1 and "exists already" in again.output
    assert runner.invoke(main, ["build", str(data), "-o", str(book), "--force"]).exit_code == 0


def test_cpxl_build_lists_every_problem_and_writes_nothing(tmp_path):
    data = tmp_path / "plant.yaml"
    Audit.example().save(data)
    text = data.read_text(encoding="utf-8").replace("measured: 1500", "measured: -1500")
    data.write_text(text.replace("tax_rate: 0.25", "tax_rate: 25"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1
    assert "2 problems" in result.output
    assert "fields.tax_rate must be a fraction (90 % is 0.9), got 25" in result.output
    assert "streams[1].measured must be >= 0, got -1500" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_cpxl_build_reports_broken_yaml_with_its_line(tmp_path):
    data = tmp_path / "broken.yaml"
    data.write_text("fields:\n  company: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1 and "line 3" in result.output and "not valid YAML" in result.output


def test_an_unwritable_folder_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import cpxl.io

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cpxl.io.tempfile, "mkstemp", refuse)
    result = CliRunner().invoke(main, ["new", "-o", str(tmp_path / "audit.xlsx")])
    assert result.exit_code == 1
    assert f"write: {tmp_path / 'audit.xlsx'} cannot be written (Permission denied)" in result.output
