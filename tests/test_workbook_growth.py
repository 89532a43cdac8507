"""What people do to a workbook after it leaves cpxl: tables that grow, cells typed where no formula looks,
values the formulas would misread, and names or sheets broken by editing. Nothing is dropped silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import coordinate_to_tuple

from cpxl.audit import TABLES, Audit, AuditError
from cpxl.audit.schema import FIELDS
from cpxl.workbook import build, read
from cpxl.workbook.labels import label


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("growth")
    return {
        f"{kind}-{lang}": build(audit, folder / f"{kind}-{lang}.xlsx", lang)
        for lang in ("en", "zh")
        for kind, audit in (("example", Audit.example(lang)), ("blank", Audit.blank()))
    }


def area(wb: Any, name: str) -> tuple[Any, int, int, int, int]:
    """The sheet and (first row, first column, last row, last column) of a defined name, 1-based."""
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    first, _, last = ref.replace("$", "").partition(":")
    (r1, c1), (r2, c2) = coordinate_to_tuple(first), coordinate_to_tuple(last or first)
    return wb[sheet.strip("'").replace("''", "'")], r1, c1, r2, c2


def table_names(table: str) -> list[str]:
    spec = TABLES[table]
    return [f"{table}_{c.key}" for c in spec.columns] + ([f"{table}_ratings"] if spec.ratings else [])


def problems(path: Path) -> list[str]:
    with pytest.raises(AuditError) as info:
        read(path)
    return info.value.problems


# --- tables that grow ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("book", ["blank-en", "blank-zh", "example-en", "example-zh"])
def test_nothing_is_written_below_a_list_table_in_its_columns(books, book):
    wb = openpyxl.load_workbook(books[book])
    for table in TABLES:
        for name in table_names(table):
            ws, _, c1, r2, c2 = area(wb, name)
            below = [
                cell.coordinate
                for row in ws.iter_rows(min_row=r2 + 1, max_row=max(ws.max_row, r2 + 1), min_col=c1, max_col=c2)
                for cell in row
                if cell.value is not None
            ]
            assert below == [], (name, below)


def test_a_blank_workbook_holds_the_rows_an_audit_needs(books):
    wb = openpyxl.load_workbook(books["blank-en"])
    wanted = {
        "streams_name": 60,
        "options_id": 60,  # register and screening
        "options_ratings": 60,  # ranking
        "options_investment": 60,  # feasibility
        "options_before": 60,  # environmental evaluation
        "options_status": 60,  # implementation
        "causes_cause": 60,
        "units_name": 30,
        "consumption_amount": 30,
        "pollutants_generated": 30,
    }
    for name, rows in wanted.items():
        _, r1, _, r2, _ = area(wb, name)
        assert r2 - r1 + 1 == rows, name


def test_rows_gives_every_table_more_and_a_filled_table_keeps_spare_rows(tmp_path):
    wb = openpyxl.load_workbook(build(Audit.blank(), tmp_path / "big.xlsx", rows=150))
    for table, spec in TABLES.items():
        for name in table_names(table):
            _, r1, _, r2, _ = area(wb, name)
            assert r2 - r1 + 1 == (150 if spec.grows else spec.rows), name
    data = Audit.example().to_dict()
    data["tables"]["options"] = [
        {"id": f"F{i}", "name": f"Option {i}", "aspect": "management", "cost_class": "no_low"} for i in range(75)
    ]
    wb = openpyxl.load_workbook(build(Audit.from_dict(data), tmp_path / "many.xlsx"))
    _, r1, _, r2, _ = area(wb, "options_status")
    assert r2 - r1 + 1 == 85  # 75 options and 10 empty rows
    with pytest.raises(Exception, match="rows must be a whole number from 0 to 2000"):
        build(Audit.blank(), tmp_path / "bad.xlsx", rows=-1)


def test_every_table_title_counts_what_is_typed_below_it(books):
    wb = openpyxl.load_workbook(books["example-en"])
    below_ranges = set()
    for table in TABLES:
        for name in table_names(table):
            ws, _, c1, r2, _ = area(wb, name)
            titles = [
                cell
                for row in ws.iter_rows(max_row=r2)
                for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("=") and "COUNTA(" in cell.value
            ]
            covering = [t for t in titles if f"${r2 + 1}:" in t.value and t.column <= c1]
            assert covering, name
            below_ranges.update(t.value.split("COUNTA(")[1].split(")")[0] for t in covering)
    dashboard = openpyxl.load_workbook(books["example-en"])[label("sheet.dashboard", "en")]
    total = next(
        c.value for row in dashboard.iter_rows() for c in row if isinstance(c.value, str) and "COUNTA(" in c.value
    )
    assert all(r in total for r in below_ranges)


# --- nothing typed is dropped silently ------------------------------------------------------------------------


def test_a_stream_typed_below_the_table_is_reported_with_its_cell(books, tmp_path):
    wb = openpyxl.load_workbook(books["blank-en"])
    ws, r1, c1, r2, _ = area(wb, "streams_name")
    ws.cell(r1, c1).value = "Feed"
    _, _, tc, _, _ = area(wb, "streams_target")
    ws.cell(r1, tc).value = "Reactor"
    ws.cell(r2 + 1, c1).value = "Stream 61"
    ws.cell(r2 + 3, c1 + 3).value = 250
    wb.save(path := tmp_path / "typed-below.xlsx")
    found = problems(path)
    assert f"'3 Flowsheet'!A{r2 + 1} is typed below the table streams (its last row is {r2})" in found[0]
    assert any(f"'3 Flowsheet'!D{r2 + 3} is typed below the table streams" in p for p in found)
    assert len(found) == 2


# --- read() is as strict as the formulas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("streams_measured", "1,500", "holds the text '1,500' where a number goes"),
        ("streams_measured", "\u00a0", "holds the text '\\xa0' where a number goes"),  # a space pasted from the web
        ("streams_measured", True, "holds TRUE/FALSE where a number goes"),
        ("options_technical_ok", "yes ", "must be Yes or No (the formulas read anything else as No), got 'yes '"),
        ("options_technical_ok", True, "must be Yes or No (the formulas read anything else as No), got TRUE"),
        ("options_technical_ok", 1, "must be Yes or No (the formulas read anything else as No), got 1"),
        ("options_technical_ok", "是", "must be Yes or No"),
        ("consumption_category", "原料", "is not one of the choices of its list (the formulas only match"),
    ],
)
def test_a_cell_the_formulas_would_misread_is_reported(books, tmp_path, name, typed, message):
    wb = openpyxl.load_workbook(books["example-en"])
    ws, r1, c1, _, _ = area(wb, name)
    ws.cell(r1, c1).value = typed
    wb.save(path := tmp_path / "misread.xlsx")
    found = problems(path)
    assert len(found) == 1 and found[0].startswith(f"'{ws.title}'!{ws.cell(r1, c1).coordinate} ("), found
    assert message in found[0]


def test_what_the_formulas_accept_the_reader_accepts(books, tmp_path):
    wb = openpyxl.load_workbook(books["example-en"])
    ws, r1, c1, _, _ = area(wb, "options_technical_ok")
    ws.cell(r1, c1).value = "no"  # comparisons in formulas ignore case
    ws, r1, c1, _, _ = area(wb, "consumption_category")
    ws.cell(r1, c1).value = "RAW MATERIAL"
    wb.save(path := tmp_path / "cases.xlsx")
    audit = read(path)
    assert audit.tables["options"][0]["technical_ok"] is False
    assert audit.tables["consumption"][0]["category"] == "raw_material"


def test_yes_no_cells_are_dropdowns_in_the_books_language_and_misread_cells_are_flagged(books):
    for lang in ("en", "zh"):
        wb = openpyxl.load_workbook(books[f"example-{lang}"])
        ws, r1, c1, _, _ = area(wb, "options_technical_ok")
        assert ws.cell(r1, c1).value == label("word.yes", lang)
        coordinate = ws.cell(r1, c1).coordinate
        lists = [v for v in ws.data_validations.dataValidation if coordinate in v.sqref]
        assert [v.formula1 for v in lists] == [f'"{label("word.yes", lang)},{label("word.no", lang)}"']
        rules = [rule.formula[0] for rng in ws.conditional_formatting if coordinate in rng.sqref for rule in rng.rules]
        assert any(f'"{label("word.yes", lang)}"' in rule for rule in rules)
        ws, r1, c1, _, _ = area(wb, "streams_measured")
        coordinate = ws.cell(r1, c1).coordinate
        rules = [rule.formula[0] for rng in ws.conditional_formatting if coordinate in rng.sqref for rule in rng.rules]
        assert f'AND({coordinate}<>"",NOT(ISNUMBER({coordinate})))' in rules
        messages = [v.error for v in ws.data_validations.dataValidation if coordinate in v.sqref]
        assert messages == [{"en": "A number ≥ 0, in t.", "zh": "请输入数字，≥ 0，单位 t。"}[lang]]


# --- a broken workbook is a clear error, never an empty table --------------------------------------------------


def broken(books: dict[str, Path], tmp_path: Path, change: Any) -> list[str]:
    wb = openpyxl.load_workbook(books["example-en"])
    change(wb)
    wb.save(path := tmp_path / "broken.xlsx")
    return problems(path)


def test_a_name_whose_cells_were_deleted_is_an_error_not_an_empty_table(books, tmp_path):
    def delete(wb):
        wb.defined_names["options_id"].attr_text = "'4 Options'!#REF!"

    found = broken(books, tmp_path, delete)
    assert found == [
        "the defined name 'options_id' (the column id of the table options) points to deleted cells "
        "('4 Options'!#REF!): a sheet, rows or columns it covered were deleted; restore them (undo) or rebuild "
        "the workbook"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda wb: wb.defined_names.pop("streams_measured"), "the defined name 'streams_measured' is missing"),
        (
            lambda wb: setattr(wb.defined_names["tax_rate"], "attr_text", "0.25"),
            "the defined name 'tax_rate' (the field tax_rate) is the constant '0.25', not cells of a sheet",
        ),
        (
            lambda wb: wb.remove(wb["3 Waste causes"]),
            "the defined name 'causes_waste' (the column waste of the table causes) points to the sheet "
            "'3 Waste causes', which is not in the workbook",
        ),
        (
            lambda wb: setattr(wb["3 Flowsheet"], "title", "Streams"),
            "points to the sheet '3 Flowsheet', which is not in the workbook",
        ),
        (
            lambda wb: setattr(wb.defined_names["company"], "attr_text", "'2 Company'!$B$2:$B$3"),
            "the defined name 'company' (the field company) must cover one cell of cells, got $B$2:$B$3",
        ),
        (
            lambda wb: wb["4 Options"].merge_cells("B8:C8"),
            "'4 Options'!B8:C8 are merged cells in the column name of the table options: unmerge them",
        ),
    ],
)
def test_each_broken_name_or_sheet_is_named_in_the_problems(books, tmp_path, change, message):
    found = broken(books, tmp_path, change)
    assert any(message in p for p in found), found


def test_rows_inserted_on_one_sheet_only_are_an_error(books, tmp_path):
    def longer(wb):
        wb.defined_names["options_investment"].attr_text = "'5 Feasibility'!$C$3:$C$63"

    found = broken(books, tmp_path, longer)
    assert len(found) == 1
    assert found[0].startswith("the table options has a different number of rows on its sheets (")
    assert "options_investment on '5 Feasibility' 61" in found[0] and "options_id on '4 Options' 60" in found[0]


def test_renamed_and_reordered_sheets_still_read_when_the_names_follow(books, tmp_path):
    wb = openpyxl.load_workbook(books["example-en"])
    old, new = "3 Flowsheet", "Streams (measured)"
    for item in wb.defined_names.values():
        item.attr_text = item.attr_text.replace(f"'{old}'!", f"'{new}'!")
    wb[old].title = new
    wb.move_sheet(new, offset=-3)
    wb.save(path := tmp_path / "renamed.xlsx")
    assert read(path) == Audit.example("en")


def test_every_field_and_table_column_is_read_from_its_name_whatever_the_layout(books):
    wb = openpyxl.load_workbook(books["blank-zh"])
    for spec in FIELDS:
        area(wb, spec.key)
    assert read(books["blank-zh"]) == Audit.blank()


def test_a_formula_replaced_by_its_value_is_reported(books, tmp_path):
    lost = []

    def paste_values(wb):
        for name, value in (("units_closure", 0.025), ("result_grade", None)):  # Paste Values; a result cleared
            ws, r, c, _, _ = area(wb, name)
            ws.cell(r, c).value = value
            lost.append(f"'{ws.title}'!{ws.cell(r, c).coordinate} ({name})")

    found = broken(books, tmp_path, paste_values)
    tail = (
        " holds a value where cpxl wrote a formula, so the sheet no longer computes it: copy the formula from the "
        "row above, or rebuild with cpxl build"
    )
    assert sorted(found) == sorted(place + tail for place in lost)


def test_a_name_over_a_whole_sheet_and_a_cell_far_below_cost_nothing(books, tmp_path):
    """A hostile name must not make the reader create a billion empty cells; the last row is still searched."""
    import time

    def hostile(wb):
        wb.defined_names["team_role"].attr_text = "'1 Team & plan'!$A$1:$XFD$1048576"
        ws, _, c1, _, _ = area(wb, "streams_name")
        ws.cell(100_000, c1).value = "far below"

    start = time.perf_counter()
    found = broken(books, tmp_path, hostile)
    assert time.perf_counter() - start < 20
    assert (
        "the defined name 'team_role' (the column role of the table team) covers $A$1:$XFD$1048576, more than any "
        "cpxl table: at most 4,000 rows and 64 columns" in found
    )
    assert any(p.startswith("'3 Flowsheet'!A100000 is typed below the table streams") for p in found)


def test_cells_far_apart_are_refused_before_they_are_read(books, tmp_path):
    """A few KB whose two cells span a whole sheet (17 billion cells) must not exhaust the machine."""
    import time

    wb = openpyxl.load_workbook(books["example-en"])
    wb["3 Flowsheet"].cell(1048576, 16384).value = "corner"
    wb.save(path := tmp_path / "corner.xlsx")
    start = time.perf_counter()
    with pytest.raises(AuditError) as info:
        read(path)
    assert time.perf_counter() - start < 10
    assert info.value.problems == [
        "the sheet '3 Flowsheet' spans 1,048,576 rows by 16,384 columns, over the 2,000,000 cells cpxl reads at "
        "once: delete what was typed far outside the audit's tables"
    ]


def test_problems_say_where_and_what_kind_as_fields(books, tmp_path):
    """A program checking many workbooks needs the sheet, cell, field and kind of a problem, not only its text."""
    from cpxl.workbook import examine

    wb = openpyxl.load_workbook(books["example-en"])
    ws, r1, c1, r2, _ = area(wb, "streams_measured")
    ws.cell(r1, c1).value = "1,500"
    ws.cell(r2 + 1, c1).value = 7
    wb.save(path := tmp_path / "two.xlsx")
    found = examine(path)
    assert found.audit is None
    assert {(p.kind, p.sheet, p.cell, p.path) for p in found.problems} == {
        ("bad_cell", ws.title, f"D{r1}", "streams[1].measured"),
        ("typed_below", ws.title, f"D{r2 + 1}", "streams_measured"),
    }
    clean = examine(books["example-en"])
    assert clean.areas["streams_measured"] == (ws.title, r1, c1, r2, c1)
    assert clean.rows["streams"] == list(range(len(Audit.example().tables["streams"])))


def test_build_refreshes_a_filled_workbook_in_the_other_language_with_more_rows(books, tmp_path):
    """cpxl build FILLED.xlsx: the audit read back, every cached value recomputed (reconciled flows included)."""
    from click.testing import CliRunner

    from cpxl import reconcile
    from cpxl.cli import main

    wb = openpyxl.load_workbook(books["example-en"])
    ws, r1, c1, _, _ = area(wb, "streams_measured")
    ws.cell(r1, c1).value = 1620  # a new measurement of the first stream; openpyxl keeps no cached values
    wb.save(filled := tmp_path / "filled.xlsx")
    result = CliRunner().invoke(
        main, ["build", str(filled), "--lang", "zh", "--rows", "80", "-o", str(tmp_path / "new.xlsx")]
    )
    assert result.exit_code == 0, result.output
    audit = read(tmp_path / "new.xlsx")
    expected = Audit.example("en").to_dict()
    expected["tables"]["streams"][0]["measured"] = 1620.0
    assert audit == Audit.from_dict(expected)
    new = openpyxl.load_workbook(tmp_path / "new.xlsx", data_only=True)
    ws, r1, c1, r2, _ = area(new, "streams_measured")
    assert ws.title == label("sheet.flowsheet", "zh") and r2 - r1 + 1 == 80
    streams = audit.tables["streams"]
    flows = reconcile(*([s[k] for s in streams] for k in ("source", "target", "measured", "sigma"))).value
    at_build = [ws.cell(r1 + i, c1 + 2).value for i in range(len(streams))]
    assert at_build == pytest.approx([None if f != f else f for f in flows], rel=1e-12)
    # a workbook that does not read is not rebuilt, and nothing is written
    ws.cell(r1, c1).value = "n/a"
    new.save(broken_file := tmp_path / "broken.xlsx")
    result = CliRunner().invoke(main, ["build", str(broken_file), "-o", str(tmp_path / "never.xlsx")])
    assert result.exit_code == 1 and "holds the text 'n/a' where a number goes" in result.output
    assert not (tmp_path / "never.xlsx").exists()


@pytest.mark.slow
def test_the_largest_workbook_cpxl_builds_it_reads_back(tmp_path):
    """Every table at MAX_ROWS rows: inside every bound of the reader."""
    from cpxl.audit.schema import MAX_ROWS

    path = build(Audit.example(), tmp_path / "largest.xlsx", rows=MAX_ROWS)
    assert read(path) == Audit.example()
    with pytest.raises(Exception, match=f"from 0 to {MAX_ROWS}"):
        build(Audit.example(), tmp_path / "larger.xlsx", rows=MAX_ROWS + 1)


def test_a_sheet_of_countless_merged_ranges_is_refused(books, tmp_path):
    """Every table's cells are compared with every merged range: their number is bounded."""
    import re
    import zipfile

    from cpxl.workbook.package import MAX_MERGED

    merges = b"".join(b'<mergeCell ref="AD%d:AE%d"/>' % (r, r) for r in range(200, 201 + MAX_MERGED))
    path = tmp_path / "merges.xlsx"
    with zipfile.ZipFile(books["example-en"]) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # the guide
                data = re.sub(b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>", data)
            copy.writestr(info, data)
    with pytest.raises(AuditError) as info:
        read(path)
    assert info.value.problems == [
        f"the sheet '0 Guide' has over {MAX_MERGED:,} merged ranges: unmerge the cells of the audit"
    ]


@pytest.mark.parametrize("book", ["example-en", "example-zh"])
def test_the_fast_reader_sees_what_openpyxl_sees(books, book):
    """cpxl.workbook.package against openpyxl, an independent reader: the same values and formula cells."""
    import datetime

    from cpxl.workbook.package import open_package

    package = open_package(books[book])
    values = openpyxl.load_workbook(books[book], data_only=True)
    formulas = openpyxl.load_workbook(books[book])
    for ws in values.worksheets:
        sheet = package.sheets[ws.title]
        seen = {
            (c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None and c.value != ""
        }
        assert set(seen) == set(sheet.values), ws.title
        for key, value in seen.items():
            if isinstance(value, datetime.datetime):
                value = value.date() if value.time() == datetime.time() else value
            assert sheet.values[key] == value, (ws.title, key)
        written = {
            (c.row, c.column)
            for row in formulas[ws.title].iter_rows()
            for c in row
            if (isinstance(c.value, str) and c.value.startswith("=")) or hasattr(c.value, "text")
        }
        assert written == sheet.formulas, ws.title
