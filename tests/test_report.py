"""The audit report (.docx): read back with python-docx and compared with the workbook's cached values.

The example and the blank audit, in English and Chinese, are built as workbooks (cpxl.workbook.build) and the report
is written from the filled workbook, as ``cpxl report FILLED.xlsx`` does. The report's tables and sentences are
compared with the values the workbook caches, read with openpyxl (the NPV of option F2, the grade, the plant's
closure), never with the report module's own functions. LibreOffice (Writer) converts the report to PDF, and one
page is rendered to PNG and checked not to be blank.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from workbook_helpers import named_column

from cpxl.audit import Audit
from cpxl.cli import main
from cpxl.core.errors import CPError
from cpxl.report.document import CHAPTERS, FIGURE_SLOTS, report
from cpxl.report.figures import pictures
from cpxl.workbook import build
from cpxl.workbook.labels import label
from cpxl.workbook.libreoffice import _convert, find_soffice

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
LANGS = ("en", "zh")
PNG_DOT = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63fccf"
    "c0500f0004850180849a8c210000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Path]]:
    """(audit, lang) -> (the workbook built from it, the report written from that workbook, with its figures
    where LibreOffice can draw them)."""
    out = tmp_path_factory.mktemp("report")
    result = {}
    for lang in LANGS:
        for name, audit in (("example", Audit.example(lang)), ("blank", Audit.blank())):
            book = build(audit, out / f"{name}-{lang}.xlsx", lang)
            drawn = pictures(book, lang) if find_soffice() else {}
            result[(name, lang)] = (book, report(book, out / f"{name}-{lang}.docx", lang=lang, figures=drawn))
    return result


def body(path: Path) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    """The paragraphs (style, text) and the tables (rows of cell texts) of a .docx, read back."""
    document = docx.Document(path)
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def table_with(tables: list[list[list[str]]], *headers: str) -> list[list[str]]:
    found = [t for t in tables if all(h in t[0] for h in headers)]
    assert len(found) == 1, headers
    return found[0]


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def cached(book: Path, name: str) -> object:
    wb = openpyxl.load_workbook(book, data_only=True)
    return named_column(wb, name)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["example", "blank"])
def test_every_chapter_heading_is_there_in_order(made, name, lang):
    paragraphs, _ = body(made[(name, lang)][1])
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == [zh if lang == "zh" else en for _, en, zh in CHAPTERS]
    assert headings[0] == ("1 企业概况" if lang == "zh" else "1 Company profile")
    assert headings[-1] == ("9 结论" if lang == "zh" else "9 Conclusions")


@pytest.mark.parametrize("lang", LANGS)
def test_npv_of_f2_is_the_workbooks_cached_value(made, lang):
    book, doc = made[("example", lang)]
    ids, npvs = cached(book, "options_id"), cached(book, "options_npv")
    expected = npvs[ids.index("F2")]
    _, tables = body(doc)
    feasibility = table_with(tables, label("col.options.npv", lang), label("col.options.irr", lang))
    column = feasibility[0].index(label("col.options.npv", lang))
    row = next(r for r in feasibility[1:] if r[0] == "F2")
    assert row[column] == f"{expected:,.2f}"  # the workbook's #,##0.00
    assert number(row[column]) == pytest.approx(expected, abs=0.005)
    assert len(feasibility) - 1 == len(Audit.example(lang).tables["options"])


@pytest.mark.parametrize("lang", LANGS)
def test_grade_and_closure_are_the_workbooks(made, lang):
    book, doc = made[("example", lang)]
    grade, after = cached(book, "result_grade")[0], cached(book, "result_grade_after")[0]
    closure, tolerance = cached(book, "result_system_closure")[0], cached(book, "result_closure_tolerance")[0]
    assert (grade, after) == (3, 2)  # the example: level III, after the audit level II
    paragraphs, tables = body(doc)
    text = "\n".join(t for _, t in paragraphs)
    if lang == "en":
        assert "The plant rates level III; after the audit, level II." in text
        assert (
            f"The plant's balance closes to {closure * 100:.1f} %, within the {tolerance * 100:.1f} % tolerance."
            in text
        )
    else:
        assert "企业清洁生产三级水平；审核后为清洁生产二级水平。" in text
        assert f"全厂物料平衡相对误差 {closure * 100:.1f} %" in text
    assert f"{closure * 100:.1f}" == "3.6"
    # the benchmark table: every indicator's level met, as the workbook caches it
    benchmark = table_with(tables, label("col.indicators.level", lang))
    column = benchmark[0].index(label("col.indicators.level", lang))
    levels = [x for x in cached(book, "indicators_level") if x not in (None, "")]
    assert [number(r[column]) for r in benchmark[1:]] == [float(x) for x in levels]


@pytest.mark.parametrize("lang", LANGS)
def test_stream_table_holds_the_reconciled_flows_and_unit_closures(made, lang):
    book, doc = made[("example", lang)]
    _, tables = body(doc)
    streams = table_with(tables, label("col.streams.reconciled_at_build", lang))
    column = streams[0].index(label("col.streams.reconciled_at_build", lang))
    names = [r[0] for r in streams[1:]]
    assert names == [s["name"] for s in Audit.example(lang).tables["streams"]]
    reconciled = [float(x) for x in Audit.example(lang).reconcile()["value"]]
    assert [number(r[column]) for r in streams[1:]] == pytest.approx(reconciled, abs=0.005)
    units = table_with(tables, label("col.units.closure", lang), label("col.units.name", lang))
    column = units[0].index(label("col.units.closure", lang))
    closures = [x for x in cached(book, "units_closure") if x not in (None, "")]
    assert [r[column] for r in units[1:]] == [f"{x * 100:.1f}%" for x in closures]


@pytest.mark.parametrize("lang", LANGS)
def test_blank_audit_says_its_sections_are_empty(made, lang):
    paragraphs, tables = body(made[("blank", lang)][1])
    assert tables == []
    text = "\n".join(t for _, t in paragraphs)
    empty = "审核数据中没有此表的内容" if lang == "zh" else "the audit holds no data for this table"
    assert text.count(empty) >= 20
    assert f"{label('title.streams', lang)}：" in text if lang == "zh" else f"{label('title.streams', lang)}:" in text


def test_chinese_text_has_an_east_asian_font(made):
    document = docx.Document(made[("example", "zh")][1])
    from docx.oxml.ns import qn

    for name in ("Normal", "Heading 1", "Caption"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")), name


def test_figure_slot_places_a_picture_and_an_unknown_slot_is_refused(tmp_path):
    out = report(Audit.example(), tmp_path / "r.docx", figures={"balance": PNG_DOT})
    document = docx.Document(out)
    assert len(document.inline_shapes) == 1
    assert any(p.text.startswith("Figure 1:") for p in document.paragraphs)
    assert set(FIGURE_SLOTS) == {
        "consumption_trend", "pollutant_trend", "waste_pareto", "balance", "portfolio", "before_after"
    }  # fmt: skip
    with pytest.raises(CPError, match="no slot"):
        report(Audit.example(), tmp_path / "s.docx", figures={"pareto": PNG_DOT})


def test_existing_file_is_kept_without_overwrite(tmp_path):
    out = tmp_path / "r.docx"
    out.write_bytes(b"keep")
    with pytest.raises(CPError, match="exists"):
        report(Audit.blank(), out)
    assert out.read_bytes() == b"keep"
    report(Audit.blank(), out, overwrite=True)
    assert docx.Document(out).paragraphs


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", ["example", "blank"])
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_converts_the_report_to_pdf_with_every_chapter_and_figure(made, tmp_path, name, lang):
    (pdf,) = _convert([made[(name, lang)][1]], tmp_path, "pdf", timeout=180, recalc=False)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    headings = [zh if lang == "zh" else en for _, en, zh in CHAPTERS]
    found = [text.find(heading) for heading in headings]
    assert -1 not in found and found == sorted(found), dict(zip(headings, found, strict=True))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    kinds = [line.split()[2] for line in images.splitlines()[2:]]  # two header lines, then one per image or mask
    assert kinds.count("image") == (6 if name == "example" else 0)
    assert pages >= (12 if name == "example" else 2)  # nine chapters, 24 tables and six figures; or the headings
    picture = tmp_path / "page"  # every page as a grey picture (PGM: a header, then one byte per pixel)
    subprocess.run(["pdftoppm", "-gray", "-r", "30", str(pdf), str(picture)], check=True)
    rendered = sorted(tmp_path.glob("page*.pgm"))
    assert len(rendered) == pages
    for page in rendered:
        data = page.read_bytes()
        assert data[:2] == b"P5"
        width, height, _ = (int(x) for x in data.split(maxsplit=4)[1:4])
        pixels = data[-width * height :]
        assert min(pixels) < 128 < max(pixels), page.name  # ink on paper: no page is blank


def test_cli_writes_refuses_and_reports(tmp_path):
    runner = CliRunner()
    source = tmp_path / "plant.yaml"
    Audit.example().save(source)
    out = tmp_path / "report.docx"
    done = runner.invoke(main, ["report", str(source), "--lang", "zh", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "wrote" in done.output
    assert "1 企业概况" in [p.text for p in docx.Document(out).paragraphs]
    before = out.read_bytes()
    again = runner.invoke(main, ["report", str(source), "-o", str(out)])
    assert again.exit_code == 1
    assert "exists" in again.output
    assert out.read_bytes() == before
    forced = runner.invoke(main, ["report", str(source), "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert "1 Company profile" in [p.text for p in docx.Document(out).paragraphs]
    missing = runner.invoke(main, ["report", str(tmp_path / "none.xlsx"), "-o", str(tmp_path / "n.docx")])
    assert missing.exit_code == 1
    assert missing.output.strip().count("\n") == 0 and "does not exist" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("fields: [\n", encoding="utf-8")
    broken = runner.invoke(main, ["report", str(bad), "-o", str(tmp_path / "b.docx")])
    assert broken.exit_code == 1
    assert broken.output.startswith("error:")
    assert not (tmp_path / "b.docx").exists()
    usage = runner.invoke(main, ["report", str(source), "-o", str(tmp_path / "report.pdf")])
    assert usage.exit_code == 2
    assert ".docx" in usage.output


@pytest.mark.parametrize("lang", LANGS)
def test_history_and_energy_tables_hold_the_workbooks_values(made, lang):
    book, doc = made[("example", lang)]
    _, tables = body(doc)
    fields = Audit.example(lang).fields
    years = [str(fields[f"year_{k}"]) for k in (1, 2, 3)]
    history = table_with(tables, *years)  # headed by the audit's years, as the workbook's header row shows them
    assert len(history) - 1 == len(Audit.example(lang).tables["history"])
    energy = table_with(tables, label("col.energy.tce", lang))
    column = energy[0].index(label("col.energy.tce", lang))
    expected = [x for x in cached(book, "energy_tce") if x not in (None, "")]
    assert [r[column] for r in energy[1:]] == [f"{x:,.2f}" for x in expected]


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_cpxl_report_puts_each_figure_after_its_table(tmp_path):
    yaml = Audit.example("zh").save(tmp_path / "plant.yaml")
    result = CliRunner().invoke(main, ["report", str(yaml), "--lang", "zh", "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(tmp_path / "r.docx"))
    assert len(document.inline_shapes) == 6
    texts = [p.text for p in document.paragraphs]
    captions = [t for t in texts if t.startswith("图 ")]
    order = ["consumption_trend", "pollutant_trend", "waste_pareto", "balance", "portfolio", "before_after"]
    assert captions == [f"图 {k}　{FIGURE_SLOTS[slot][2]}" for k, slot in enumerate(order, 1)]
    # each follows the table it draws: the balance diagram comes after the stream table's caption
    tables = [t for t in texts if t.startswith("表 ")]
    streams = next(t for t in tables if label("title.streams", "zh") in t)
    assert texts.index(streams) < texts.index(captions[3])
    result = CliRunner().invoke(main, ["report", str(yaml), "--no-diagram", "-o", str(tmp_path / "plain.docx")])
    assert result.exit_code == 0, result.output
    assert len(docx.Document(str(tmp_path / "plain.docx")).inline_shapes) == 5
    result = CliRunner().invoke(main, ["report", str(yaml), "--no-figures", "-o", str(tmp_path / "bare.docx")])
    assert result.exit_code == 0, result.output
    assert len(docx.Document(str(tmp_path / "bare.docx")).inline_shapes) == 0


def test_cpxl_report_without_libreoffice_writes_the_report_without_figures_and_says_so(tmp_path, monkeypatch):
    import cpxl.workbook.libreoffice as lo

    monkeypatch.setattr(lo, "find_soffice", lambda: None)
    yaml = Audit.example().save(tmp_path / "plant.yaml")
    result = CliRunner().invoke(main, ["report", str(yaml), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 0, result.output
    assert "the figures are left out of the report" in result.output and "LibreOffice" in result.output
    assert len(docx.Document(str(tmp_path / "r.docx")).inline_shapes) == 0


def test_captions_stay_with_their_tables_and_header_rows_repeat_on_every_page(made):
    from docx.oxml.ns import qn

    document = docx.Document(made[("example", "en")][1])
    assert len(document.tables) == 24
    for table in document.tables:
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) == "true"
    captions = [p for p in document.paragraphs if p.text.startswith("Table ")]
    assert len(captions) == 24 and all(p.paragraph_format.keep_with_next for p in captions)
