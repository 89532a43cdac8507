"""The balance diagram in the workbook: build(diagram=png) and cpxl build/new --diagram.

The picture is found in the file as Excel finds it, with zipfile and ElementTree: the sheet's relationship to its
drawing, the drawing's picture and anchor, the picture's relationship to its media part. Where it lands is
checked against the cells openpyxl reads, not against the module's own bookkeeping. Reading back, cpxl check and
a rebuild must not see the picture at all; without a picture the file must not change.
"""

from __future__ import annotations

import base64
import os
import posixpath
import struct
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

import cpxl.workbook.libreoffice as libreoffice
from cpxl.audit import Audit
from cpxl.batch.check import check
from cpxl.cli import main
from cpxl.core.errors import CPError
from cpxl.report.sankey import sankey
from cpxl.workbook import build, read
from cpxl.workbook.engine import Book, Sheet, png_size
from cpxl.workbook.guard import checked_bytes, open_workbook
from cpxl.workbook.labels import label
from cpxl.workbook.sheets import write_audit

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

#: A 1 × 1 PNG (one grey pixel), as a file holds it.
ONE_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
EMU_PER_PIXEL = 9525  # DrawingML's unit: 914,400 per inch, 96 pixels per inch
NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def png(width: int, height: int, dpi: float | None = None) -> bytes:
    """A black-and-white PNG of *width* × *height* pixels (all black), with a pHYs chunk when *dpi* is given."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))  # 1 bit grey
    phys = chunk(b"pHYs", struct.pack(">IIB", round(dpi / 0.0254), round(dpi / 0.0254), 1)) if dpi else b""
    rows = (b"\x00" + bytes((width + 7) // 8)) * height
    return b"\x89PNG\r\n\x1a\n" + header + phys + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of *part*: id -> (type, target part)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for rel in ElementTree.fromstring(archive.read(rels)).iterfind("rel:Relationship", NS):
        target = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
        found[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], target)
    return found


def pictures(path: Path) -> dict[str, list[dict]]:
    """Per sheet name, its pictures as the file holds them: media part, bytes, anchor, size, description."""
    with zipfile.ZipFile(path) as archive:
        books = _rels(archive, "xl/workbook.xml")
        found: dict[str, list[dict]] = {}
        for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iterfind("main:sheets/main:sheet", NS):
            part = books[sheet.get(R_ID)][1]
            drawing = ElementTree.fromstring(archive.read(part)).find("main:drawing", NS)
            found[sheet.get("name")] = []
            if drawing is None:
                continue
            kind, drawing_part = _rels(archive, part)[drawing.get(R_ID)]
            assert kind == "drawing"
            media = _rels(archive, drawing_part)
            for anchor in ElementTree.fromstring(archive.read(drawing_part)):
                pic = anchor.find("xdr:pic", NS)
                if pic is None:  # a chart
                    continue
                kind, target = media[pic.find("xdr:blipFill/a:blip", NS).get(R_EMBED)]
                assert kind == "image"
                extent = pic.find("xdr:spPr/a:xfrm/a:ext", NS)
                found[sheet.get("name")].append(
                    {
                        "media": target,
                        "bytes": archive.read(target),
                        "col": int(anchor.find("xdr:from/xdr:col", NS).text),
                        "row": int(anchor.find("xdr:from/xdr:row", NS).text),
                        "edit_as": anchor.get("editAs"),
                        "size": (int(extent.get("cx")) / EMU_PER_PIXEL, int(extent.get("cy")) / EMU_PER_PIXEL),
                        "description": pic.find("xdr:nvPicPr/xdr:cNvPr", NS).get("descr"),
                    }
                )
        return found


def first_row_below_the_split(path, sheet):
    """The 0-based row of the top left cell of the sheet's lower pane (openpyxl's freeze_panes), 0 if none."""
    ws = openpyxl.load_workbook(path)[sheet]
    return 0 if ws.freeze_panes is None else ws[ws.freeze_panes].row - 1


def last_column_written(path: Path, sheet: str) -> int:
    """The rightmost column (0-based) of the sheet that holds a value, as openpyxl reads the cells."""
    ws = openpyxl.load_workbook(path)[sheet]
    return max(cell.column for row in ws.iter_rows() for cell in row if cell.value is not None) - 1


def findings(path: Path) -> list:
    """What cpxl check says of a workbook, without the file's name."""
    return [{k: v for k, v in f.items() if k != "file"} for f in check(path).to_dict()["findings"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("diagram")
    return {
        "plain": build(Audit.example("en"), folder / "plain.xlsx", "en"),
        "pixel": build(Audit.example("en"), folder / "pixel.xlsx", "en", diagram=ONE_PIXEL),
        "pixel-zh": build(Audit.example("zh"), folder / "pixel-zh.xlsx", "zh", diagram=ONE_PIXEL),
        "blank": build(Audit.blank(), folder / "blank.xlsx", "en", diagram=ONE_PIXEL),
    }


# --- where the picture lands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "lang"), [("pixel", "en"), ("pixel-zh", "zh"), ("blank", "en")])
def test_the_picture_is_on_the_balance_sheet_right_of_every_cell_and_nowhere_else(built, name, lang):
    found = pictures(built[name])
    balance = label("sheet.balance", lang)
    assert {sheet for sheet, pics in found.items() if pics} == {balance}
    (pic,) = found[balance]
    assert pic["media"] == "xl/media/image1.png" and pic["bytes"] == ONE_PIXEL
    assert pic["col"] == last_column_written(built[name], balance) + 2  # one empty column between
    assert pic["row"] == first_row_below_the_split(built[name], balance)  # not across the frozen header
    assert pic["edit_as"] == "oneCell"  # moves with the cells, keeps its size
    assert pic["description"] == {"en": "Balance diagram", "zh": "物料平衡图"}[lang]
    assert pic["size"] == (1, 1)  # a small picture is not enlarged


def test_the_other_sheets_keep_their_charts(built):
    with zipfile.ZipFile(built["plain"]) as plain, zipfile.ZipFile(built["pixel"]) as pixel:
        charts = sorted(n for n in plain.namelist() if n.startswith("xl/charts/"))
        assert charts and charts == sorted(n for n in pixel.namelist() if n.startswith("xl/charts/"))
        assert not [n for n in plain.namelist() if n.startswith("xl/media/")]


@pytest.mark.parametrize(
    ("width", "height", "dpi", "shown"),
    [
        (3088, 1604, None, (900, 900 * 1604 / 3088)),  # as svg_to_png draws the example: 900 px wide on screen
        (1800, 400, 192, (900, 200)),  # 192 dpi: shown at half its pixels, which is 900 px already
        (1000, 2000, None, (450, 900)),  # a tall one fits 900 px high
        (600, 300, None, (600, 300)),  # a small one keeps its size
    ],
)
def test_a_large_picture_is_shown_at_most_900_pixels(tmp_path, width, height, dpi, shown):
    data = png(width, height, dpi)
    assert png_size(data)[:2] == (width, height)
    path = build(Audit.example("en"), tmp_path / "audit.xlsx", diagram=data)
    (pic,) = pictures(path)[label("sheet.balance", "en")]
    assert pic["bytes"] == data
    assert pic["size"] == pytest.approx(shown, abs=1)


@pytest.mark.parametrize(
    "bad",
    [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a" + bytes(20), ONE_PIXEL[:8], "image.png", None],
    ids=["empty", "svg", "gif", "signature only", "a path", "None given as the bytes"],
)
def test_not_a_png_is_refused_and_nothing_is_written(tmp_path, bad):
    target = tmp_path / "audit.xlsx"
    if bad is None:  # None means no diagram: the workbook is written, without a picture
        build(Audit.example("en"), target, diagram=bad)
        assert not any(pictures(target).values())
        return
    with pytest.raises(CPError) as caught:
        build(Audit.example("en"), target, diagram=bad)
    assert caught.value.argument == "diagram" and "must be a PNG picture" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"the user's own file")  # an existing file is kept, even with overwrite
    with pytest.raises(CPError, match="diagram"):
        build(Audit.example("en"), target, diagram=bad, overwrite=True)
    assert target.read_bytes() == b"the user's own file"


def test_a_dry_book_places_no_picture():
    book = Book(None, "en", pictures={"balance": ONE_PIXEL})
    assert book.pictures == {}
    write_audit(book, Audit.example("en"))  # what cpxl check and the report compute with: no picture, no error


# --- without a picture nothing changes ------------------------------------------------------------------------


def test_without_a_diagram_the_file_is_the_same_bytes(tmp_path, monkeypatch, built):
    audit = Audit.example("en")
    assert build(audit, tmp_path / "none.xlsx", diagram=None).read_bytes() == built["plain"].read_bytes()
    # the build as it was before pictures: the balance sheet never asked for one
    monkeypatch.setattr(Sheet, "picture", lambda self, description: None)
    assert build(audit, tmp_path / "before.xlsx").read_bytes() == built["plain"].read_bytes()


@pytest.mark.parametrize("name", ["blank-en.xlsx", "example-zh.xlsx"])
def test_without_a_diagram_the_parts_are_the_committed_templates(tmp_path, name):
    lang = name[-7:-5]
    audit = Audit.blank() if name.startswith("blank") else Audit.example(lang)
    path = build(audit, tmp_path / name, lang)
    with zipfile.ZipFile(path) as made, zipfile.ZipFile(ROOT / "workbook_templates" / name) as committed:
        assert made.namelist() == committed.namelist()
        assert not [n for n in made.namelist() if n.startswith("xl/media/")]
        drawings = [n for n in made.namelist() if n.startswith("xl/drawings/")]
        assert [made.read(n) for n in drawings] == [committed.read(n) for n in drawings]


# --- reading back ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "plain_lang"), [("pixel", "en"), ("pixel-zh", "zh")])
def test_reading_back_ignores_the_picture_without_a_warning(built, name, plain_lang, tmp_path):
    plain = built["plain"] if plain_lang == "en" else build(Audit.example("zh"), tmp_path / "p.xlsx", "zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # openpyxl without Pillow drops pictures; it must do so silently
        audit = read(built[name])
        assert audit == read(plain) == Audit.example(plain_lang)
        assert findings(built[name]) == findings(plain)
        checked_bytes(built[name])  # the file guard accepts the media part
        assert open_workbook(built[name]).sheetnames == open_workbook(plain).sheetnames


def test_cpxl_check_says_the_same_of_a_workbook_with_the_picture(built):
    runner = CliRunner()
    with_picture = runner.invoke(main, ["check", str(built["pixel"])])
    without = runner.invoke(main, ["check", str(built["plain"])])
    assert with_picture.exit_code == without.exit_code
    assert with_picture.output.replace(str(built["pixel"]), "F") == without.output.replace(str(built["plain"]), "F")


def test_a_rebuild_without_diagram_leaves_the_picture_out(built, tmp_path):
    out = tmp_path / "rebuilt.xlsx"
    result = CliRunner().invoke(main, ["build", str(built["pixel"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    assert not any(pictures(out).values())
    assert read(out) == Audit.example("en")


# --- the commands ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["missing", "fails"], ids=["LibreOffice missing", "LibreOffice fails to draw"])
def test_cpxl_build_diagram_without_libreoffice_is_one_line_and_writes_nothing(tmp_path, monkeypatch, failure):
    source = Audit.example("en").save(tmp_path / "plant.yaml")
    if failure == "missing":
        monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    else:

        def broken(sources, out_dir, convert_to, **kwargs):
            raise libreoffice.LibreOfficeError(
                "LibreOffice wrote no balance.png (converting to png)", ["soffice"], "a\nb"
            )

        monkeypatch.setattr(libreoffice, "_convert", broken)
    out = tmp_path / "out.xlsx"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(source), "--diagram", "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: build: --diagram could not be drawn: ")
    cause = "LibreOffice (soffice) is not installed" if failure == "missing" else "wrote no balance.png"
    assert cause in lines[0] and "apt-get install libreoffice-draw-nogui" in lines[0]
    assert "leave out --diagram" in lines[0] and "nothing written" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plant.yaml"]
    # an existing output stays as it was, even with --force
    out.write_bytes(b"the user's own file")
    result = runner.invoke(main, ["build", str(source), "--diagram", "-o", str(out), "--force"])
    assert result.exit_code == 1 and out.read_bytes() == b"the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx", "plant.yaml"]


def test_diagram_usage_errors_exit_2(tmp_path):
    source = Audit.example("en").save(tmp_path / "plant.yaml")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(source), "--diagram", "-o", str(tmp_path / "plant.json")])
    assert result.exit_code == 2 and "-o must end in .xlsx" in result.output
    result = runner.invoke(main, ["new", "--diagram", "-o", str(tmp_path / "blank.xlsx")])
    assert result.exit_code == 2 and "add --example" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plant.yaml"]


def test_help_teaches_the_flag():
    for command in ("build", "new"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "--diagram" in result.output and "LibreOffice Draw" in result.output
    assert "cpxl build plant.yaml --diagram -o plant.xlsx" in CliRunner().invoke(main, ["build", "-h"]).output


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_cpxl_build_diagram_end_to_end(tmp_path, lang):
    audit = Audit.example(lang)
    source = audit.save(tmp_path / "plant.yaml")
    out = tmp_path / "plant.xlsx"
    result = CliRunner().invoke(main, ["build", str(source), "--lang", lang, "--diagram", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out} with the balance diagram"
    balance = label("sheet.balance", lang)
    found = pictures(out)
    assert {sheet for sheet, pics in found.items() if pics} == {balance}
    (pic,) = found[balance]
    diagram = sankey(audit, lang=lang)
    width, height, _, _ = png_size(pic["bytes"])
    assert (width, height) == (round(diagram.width * 2), round(diagram.height * 2))  # drawn at twice the SVG's size
    assert pic["size"] == pytest.approx((900, 900 * diagram.height / diagram.width), abs=1)
    assert pic["col"] == last_column_written(out, balance) + 2
    assert pic["row"] == first_row_below_the_split(out, balance) > 0
    assert read(out) == audit
    # a filled workbook with the picture is rebuilt, its diagram drawn anew
    again = tmp_path / "again.xlsx"
    result = CliRunner().invoke(main, ["build", str(out), "--lang", lang, "--diagram", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert [p["bytes"] for p in pictures(again)[balance]] == [pic["bytes"]]
    assert read(again) == audit and findings(again) == findings(out)


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_cpxl_new_example_diagram(tmp_path):
    out = tmp_path / "示例.xlsx"
    result = CliRunner().invoke(main, ["new", "--example", "--lang", "zh", "--diagram", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (pic,) = pictures(out)[label("sheet.balance", "zh")]
    assert pic["description"] == "物料平衡图" and pic["bytes"].startswith(b"\x89PNG\r\n\x1a\n")
    assert read(out) == Audit.example("zh")
