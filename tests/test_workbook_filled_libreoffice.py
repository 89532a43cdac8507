"""A blank workbook filled in as a person would (typing into the cells), recalculated in LibreOffice.

Every total the sheet computes must equal what cpxl computes for the audit read back, and whatever the formulas
cannot see (a row typed below a table, text in a number cell) must be flagged in the sheet and reported by
``read()``. LibreOffice recalculates with every formula forced (see cpxl.workbook.libreoffice).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_workbook_growth import area

from cpxl.audit import TABLES, Audit, AuditError
from cpxl.audit.schema import FIELDS
from cpxl.workbook import build, read
from cpxl.workbook.labels import label
from cpxl.workbook.libreoffice import find_soffice, recalculate_many

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed"),
]


def shown(value: Any, kind: str, lang: str) -> Any:
    """What a person types for an audit value: the list's word for a code, Yes/No for a yes/no."""
    if kind == "choice":
        return label(f"choice.{value}", lang)
    if kind == "bool":
        return label("word.yes" if value else "word.no", lang)
    return value


def type_audit(wb: Any, audit: Audit, lang: str) -> None:
    """Type every field, record, rating and weight of *audit* into the named cells of a blank workbook."""
    for spec in FIELDS:
        ws, r, c, _, _ = area(wb, spec.key)
        ws.cell(r, c).value = shown(audit.fields[spec.key], spec.kind, lang)
    for key, table in TABLES.items():
        for col in table.columns:
            ws, r1, c, _, _ = area(wb, f"{key}_{col.key}")
            for i, record in enumerate(audit.tables[key]):
                if record[col.key] is not None:
                    ws.cell(r1 + i, c).value = shown(record[col.key], col.kind, lang)
        if table.ratings:
            ws, r1, c1, _, _ = area(wb, f"{key}_ratings")
            for i, record in enumerate(audit.tables[key]):
                for j, rating in enumerate(record["ratings"]):
                    ws.cell(r1 + i, c1 + j).value = rating
            ws, r, c1, _, _ = area(wb, f"{key}_weights")
            for j, weight in enumerate(audit.weights[key]):
                ws.cell(r, c1 + j).value = weight


def named_results(path: Path) -> dict[str, Any]:
    """The value of every single-cell defined name that holds a result."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name in wb.defined_names:
        if name.startswith("result_") or name == "main_output":
            ws, r, c, _, _ = area(wb, name)
            out[name] = ws.cell(r, c).value
    return out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return (a in (None, "") and b in (None, "")) or a == b


def many_options(audit: Audit, count: int) -> Audit:
    """The audit with *count* options: its own, then no/low-cost ones with economics, as real audits register."""
    data = audit.to_dict()
    options = data["tables"]["options"]
    for i in range(len(options), count):
        options.append(
            {
                "id": f"N{i + 1}",
                "name": f"Housekeeping measure {i + 1}",
                "aspect": "management",
                "cost_class": "no_low",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": i % 3 != 0,
                "investment": 1000.0 * (i % 7),
                "saving": 2500.0 + 10 * i,
                "life": 3,
                "status": "done" if i % 2 else "planned",
                "achieved_saving": 2000.0 if i % 2 else None,
                "ratings": [5, 6, 7, 8, i % 10],
            }
        )
    return Audit.from_dict(data)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Audit, Path, Path]]:
    """For each language: the audit typed in, the recalculated typed workbook, and cpxl's own build of it."""
    folder = tmp_path_factory.mktemp("filled")
    typed, audits, built = [], {}, []
    for lang in ("en", "zh"):
        # 58 options in a blank built for 60: more than the 20 a blank used to hold, and what real audits register
        audit = many_options(Audit.example(lang), 58)
        audits[lang] = audit
        blank = build(Audit.blank(), folder / f"blank-{lang}.xlsx", lang)
        wb = openpyxl.load_workbook(blank)
        type_audit(wb, audit, lang)
        wb.save(path := folder / f"typed-{lang}.xlsx")
        typed.append(path)
        built.append(build(audit, folder / f"built-{lang}.xlsx", lang))
    recalculated = recalculate_many(typed, folder / "recalculated")
    return {
        lang: (audits[lang], fresh, own) for lang, fresh, own in zip(("en", "zh"), recalculated, built, strict=True)
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_typed_workbook_reads_back_as_the_audit_typed(filled, lang):
    audit, recalculated, _ = filled[lang]
    assert read(recalculated) == audit


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_total_of_a_typed_workbook_equals_what_cpxl_computes(filled, lang):
    _, recalculated, built = filled[lang]
    sheet, expected = named_results(recalculated), named_results(built)
    assert set(sheet) == set(expected) and len(sheet) > 25
    assert {k: v for k, v in sheet.items() if not same(v, expected[k])} == {}
    assert expected["result_options_count"] == 58 and expected["result_outside"] == 0


def test_cells_typed_below_a_table_are_flagged_in_the_sheet_and_reported(tmp_path):
    """62 streams typed into a blank built for 60: the sheet says 2 rows are not counted, and read() where."""
    blank = build(Audit.blank(), tmp_path / "blank.xlsx", "en")
    wb = openpyxl.load_workbook(blank)
    ws, r1, c1, r2, _ = area(wb, "streams_name")
    units = area(wb, "units_name")
    units[0].cell(units[1], units[2]).value = "Tank"
    for i in range(62):
        ws.cell(r1 + i, c1).value = f"Feed {i + 1}"
        ws.cell(r1 + i, c1 + 2).value = "Tank"  # to unit
        ws.cell(r1 + i, c1 + 3).value = 10.0  # measured
    wb.save(typed := tmp_path / "typed.xlsx")
    (fresh,) = recalculate_many([typed], tmp_path / "out")

    results = named_results(fresh)
    assert results["result_outside"] == 6  # two rows of three cells
    assert results["result_system_inflow"] == 600.0  # the 60 streams in the table, as the sheet sees it
    title = next(
        cell.value
        for row in openpyxl.load_workbook(fresh, data_only=True)[ws.title].iter_rows(max_row=r1)
        for cell in row
        if isinstance(cell.value, str) and "⚠" in cell.value
    )
    assert title.endswith("⚠ 6 cells typed below the table are not counted: insert rows inside the table for them")
    with pytest.raises(AuditError) as info:
        read(fresh)
    assert [p.split(" is typed")[0] for p in info.value.problems] == [
        f"'3 Flowsheet'!{col}{row}" for col in "ACD" for row in (r2 + 1, r2 + 2)
    ]


def test_text_in_a_number_cell_is_what_the_formulas_skip_and_read_reports_it(tmp_path):
    path = build(Audit.example("en"), tmp_path / "example.xlsx", "en")
    wb = openpyxl.load_workbook(path)
    ws, r1, c, _, _ = area(wb, "streams_measured")
    ws.cell(r1, c).value = "1,500"  # Raw material A into the reactor, typed as text
    ws, r1, c, _, _ = area(wb, "options_technical_ok")
    ws.cell(r1, c).value = "yes "  # a trailing space: not the list's word
    wb.save(path)
    (fresh,) = recalculate_many([path], tmp_path / "out")

    results = named_results(fresh)
    expected = named_results(build(Audit.example("en"), tmp_path / "own.xlsx", "en"))
    assert results["result_system_inflow"] == pytest.approx(expected["result_system_inflow"] - 1500)
    assert results["result_options_passed"] == expected["result_options_passed"] - 1
    with pytest.raises(AuditError) as info:
        read(fresh)
    assert len(info.value.problems) == 2
    assert "'3 Flowsheet'!D3 (streams[1].measured) holds the text '1,500' where a number goes" in info.value.problems[0]
    assert "'4 Options'!E8 (options[1].technical_ok) must be Yes or No" in info.value.problems[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_the_reader_accepts_the_recalculated_sheet_computes_alike(tmp_path, lang):
    """Words typed in another case are read as the formulas read them: the sheet's totals equal cpxl's."""
    path = build(Audit.example(lang), tmp_path / "example.xlsx", lang)
    wb = openpyxl.load_workbook(path)
    ws, r1, c, _, _ = area(wb, "options_technical_ok")
    ws.cell(r1, c).value = label("word.no", lang).lower()  # "no": the first option now fails screening
    ws.cell(r1 + 1, c).value = label("word.yes", lang).upper()
    ws, r1, c, _, _ = area(wb, "consumption_category")
    ws.cell(r1, c).value = label("choice.raw_material", lang).upper()
    ws, r1, c, _, _ = area(wb, "products_main")
    ws.cell(r1, c).value = label("word.yes", lang).lower()
    wb.save(path)
    (fresh,) = recalculate_many([path], tmp_path / "out")

    audit = read(fresh)
    assert audit.tables["options"][0]["technical_ok"] is False and audit.tables["options"][1]["technical_ok"]
    sheet = named_results(fresh)
    expected = named_results(build(audit, tmp_path / "own.xlsx", lang))
    assert {k: v for k, v in sheet.items() if not same(v, expected[k])} == {}
    before = named_results(build(Audit.example(lang), tmp_path / "before.xlsx", lang))
    assert sheet["result_options_passed"] == before["result_options_passed"] - 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_fast_scan_of_sheets_finds_what_the_general_expression_finds(filled, lang):
    """Sheets saved by LibreOffice and written by XlsxWriter: the same cells and formula cells on both paths."""
    import zipfile

    from cpxl.workbook import package

    _, recalculated, own = filled[lang]
    for path in (recalculated, own):
        with zipfile.ZipFile(path) as archive:
            parts = [p for p in archive.namelist() if p.startswith("xl/worksheets/sheet")]
            formulas = 0
            for part in parts:
                xml = archive.read(part)
                assert package._UNUSUAL_CELL_TAG.search(xml) is None  # the fast path is the one taken
                general = package._ADDRESSED_CELL.findall(xml)
                expected = (len(general), {(int(r), package._column(c)) for c, r, f in general if f})
                assert package._addressed_cells(xml, part, str(path)) == expected
                formulas += len(expected[1])
            assert formulas > 1000, f"{path.name}: too few formulas for the comparison to prove anything"
