"""Hostile and foreign workbook files fail fast, with one line naming the file and the reason.

Every file is made here, small: a text file renamed .xlsx, OLE2 compound files written by hand (a legacy .xls,
a password-protected workbook), zips that are not workbooks, zip bombs that declare gigabytes or whose headers
lie, XML entity bombs. The bombs are opened in a child process, whose time and peak memory are measured.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from cpxl.audit import Audit, AuditError
from cpxl.workbook import build, read
from cpxl.workbook.guard import MAX_PARTS, MAX_XML_ELEMENTS, open_workbook
from cpxl.workbook.libreoffice import find_soffice

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
SECONDS = 5  # loose bounds for a bomb, opened in a child process
PEAK_BYTES = 500e6


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("example") / "example.xlsx", "en")


def refusal(path: Path, **options) -> str:
    """The one problem open_workbook reports for *path*; the message names the file."""
    with pytest.raises(AuditError) as info:
        open_workbook(path, **options)
    assert len(info.value.problems) == 1
    assert str(path) in str(info.value)
    problem = info.value.problems[0]
    assert "\n" not in problem and "Traceback" not in problem
    return problem


def repack(source: Path, target: Path, replace: dict[str, bytes | None] | None = None) -> Path:
    """A copy of the zip *source* with parts replaced (bytes), removed (None) or added."""
    replace = dict(replace or {})
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = replace.pop(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in replace.items():
            if data is not None:
                new.writestr(name, data)
    return target


def raw_zip(parts: list[tuple[str, bytes, int, int, int]], share_data: bool = False) -> bytes:
    """A zip written byte by byte: (name, deflated data, crc, declared size) per part, trusting every header.

    With ``share_data`` every central directory entry points at the first part's local header and data
    (the overlapping-entries zip bomb: many entries, one copy of the data).
    """
    local, central = b"", b""
    offsets = []
    for name, data, crc, size, method in parts:
        if share_data and offsets:
            offsets.append(offsets[0])
            continue
        offsets.append(len(local))
        encoded = name.encode()
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0)
        local += encoded + data
    first = parts[0]
    for (name, data, crc, size, method), offset in zip(parts, offsets, strict=True):
        if share_data:
            data, crc, method = first[1], first[2], first[4]
        encoded = name.encode()
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
            offset,
        )  # fmt: skip
        central += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(local), 0)
    return local + central + end


def zeros_deflated(megabytes: int) -> bytes:
    """A raw deflate stream of *megabytes* MiB of zeros, about 1 KB per MiB, made without inflating anything:
    one compressed MiB, flushed to a byte boundary, repeated (a run of zeros refers back only to zeros)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = compressor.compress(b"\0" * (1 << 20)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return one * megabytes + b"\x03\x00"  # an empty final block


def ole2(names: list[str], sector_shift: int = 9) -> bytes:
    """A minimal valid OLE2 compound file ([MS-CFB]) whose directory holds streams with these names.

    One FAT sector (sector 0), then the directory in a chain of sectors 1, 2, ...: four 128-byte entries a
    512-byte sector, so later names sit in later sectors and the reader must follow the chain. The streams are
    empty; the entries form a right-leaning tree under the root.
    """
    size = 1 << sector_shift
    entries = [("Root Entry", 5)] + [(name, 2) for name in names]
    per_sector = size // 128
    n_dir = -(-len(entries) // per_sector)
    fat = [0xFFFFFFFD] + [s + 2 for s in range(n_dir - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (size // 4 - len(fat))
    header = struct.pack(
        "<8s16s5H6s9L", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3 if size == 512 else 4, 0xFFFE,
        sector_shift, 6, bytes(6), 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0,
    )  # fmt: skip
    header += struct.pack("<109L", 0, *[0xFFFFFFFF] * 108)  # the DIFAT: the FAT is sector 0
    assert len(header) == 512
    header = header.ljust(size, b"\0")
    directory = b""
    for i, (name, kind) in enumerate(entries):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if kind == 5 and len(entries) > 1 else 0xFFFFFFFF
        right = i + 1 if kind == 2 and i + 1 < len(entries) else 0xFFFFFFFF
        directory += struct.pack(
            "<64sHBB3L16sL2QLQ", encoded, len(encoded), kind, 1, 0xFFFFFFFF, right, child, bytes(16), 0, 0, 0,
            0xFFFFFFFE, 0,
        )  # fmt: skip
    directory = directory.ljust(n_dir * size, b"\0")
    return header + struct.pack(f"<{size // 4}L", *fat) + directory


def measured(path: Path) -> dict:
    """Open *path* in a child process: its message, seconds inside and its peak memory (after it exits)."""
    resource = pytest.importorskip("resource")
    assert resource  # the child below reads its children's peak the same way
    child = (
        "import json, sys, time\n"
        "from cpxl.audit import AuditError\n"
        "from cpxl.workbook.guard import open_workbook\n"
        "start = time.perf_counter()\n"
        "try:\n    open_workbook(sys.argv[1]); message = None\n"
        "except AuditError as exc:\n    message = str(exc)\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'message': message}))\n"
    )
    parent = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2]], capture_output=True, text=True)\n"
        "result = json.loads(done.stdout)\n"
        "result['peak_bytes'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps(result))\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", parent, child, str(path)], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def assert_bounded(result: dict) -> None:
    print(f"opened in {result['seconds']:.3f} s, peak {result['peak_bytes'] / 1e6:.0f} MB")
    assert result["seconds"] < SECONDS, result
    assert result["peak_bytes"] < PEAK_BYTES, result


# --- the path ------------------------------------------------------------------------------------------------


def test_missing_file_folder_and_device_are_refused_without_reading(tmp_path):
    assert refusal(tmp_path / "gone.xlsx") == "the file does not exist"
    assert refusal(tmp_path) == "the path is a folder, not a workbook file"
    if Path("/dev/zero").exists():
        assert "not a regular file" in refusal(Path("/dev/zero"))
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.xlsx"
        os.mkfifo(pipe)  # opening it for reading would wait for a writer forever
        assert "not a regular file" in refusal(pipe)


def test_a_file_over_the_size_limit_is_refused_from_its_size(tmp_path):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as file:
        file.truncate(60_000_000)  # sparse: nothing is written, nothing is read
    assert refusal(big) == "the file is 60 MB, over the 50 MB limit for a workbook cpxl reads"


# --- not a zip -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"site,water,steam\nA,12,3.5\n", "is text (CSV or plain text): open it in Excel and save it as .xlsx"),
        ("工厂,用水量\n甲,12\n".encode("gb18030"), "the file is text (CSV or plain text)"),
        (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>", "the file is an HTML page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "the file is a PDF document"),
        ("\ufeff<html><table><tr><td>1</td></tr></table>".encode(), "the file is an HTML page"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "Excel 2003 XML"),
        (bytes(range(256)) * 4, "binary data of an unknown kind (it starts with 00 01 02 03"),
    ],
)
def test_a_file_that_is_not_a_zip_says_what_it_looks_like(tmp_path, content, looks_like):
    path = tmp_path / "returned.xlsx"
    path.write_bytes(content)
    problem = refusal(path)
    assert problem.startswith("not an .xlsx workbook: ")
    assert looks_like in problem


def test_a_truncated_zip_is_named_as_one(tmp_path, example):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(example.read_bytes()[:20_000])
    assert "the zip is truncated or damaged" in refusal(cut)


# --- OLE2 compound files -------------------------------------------------------------------------------------


def test_the_hand_made_compound_file_is_one_libmagic_recognises(tmp_path):
    if shutil.which("file") is None:
        pytest.skip("file(1) is not installed")
    path = tmp_path / "book.xls"
    path.write_bytes(ole2(["Workbook", "\x05SummaryInformation"]))
    assert "CDFV2 Microsoft Excel" in subprocess.run(["file", str(path)], capture_output=True, text=True).stdout


@pytest.mark.parametrize("sector_shift", [9, 12])
def test_a_legacy_xls_is_named_by_its_workbook_stream(tmp_path, sector_shift):
    for stream in ("Workbook", "Book", "WORKBOOK"):
        path = tmp_path / "old.xlsx"
        path.write_bytes(ole2(["\x01CompObj", stream], sector_shift))
        assert refusal(path) == "the file is a legacy .xls workbook: open it in Excel and save as .xlsx"


def test_a_password_protected_workbook_is_named_even_when_its_streams_sit_in_later_directory_sectors(tmp_path):
    # As Excel and msoffcrypto write it: EncryptionInfo comes after the data-space streams, past the first sector
    names = ["EncryptedPackage", "\x06DataSpaces", "Version", "DataSpaceMap", "DataSpaceInfo", "EncryptionInfo"]
    path = tmp_path / "locked.xlsx"
    for streams in (names, names[1:]):  # only EncryptionInfo, in the second directory sector
        path.write_bytes(ole2(streams))
        assert refusal(path) == "the workbook is password-protected: remove the password and save again"


def test_other_and_damaged_compound_files(tmp_path):
    path = tmp_path / "letter.xlsx"
    path.write_bytes(ole2(["WordDocument", "1Table"]))
    assert refusal(path) == "not an .xlsx workbook: the file is a legacy Word document (.doc)"
    path.write_bytes(ole2(["Contents"]))
    assert "an OLE2 compound file" in refusal(path)
    path.write_bytes(ole2(["Workbook"])[:512] + b"\xff" * 100)  # a header and nothing it points to
    assert "a damaged OLE2 compound file" in refusal(path)


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_a_legacy_xls_and_an_ods_saved_by_libreoffice_are_named(tmp_path, example):
    from cpxl.workbook.libreoffice import _convert

    (xls,) = _convert([example], tmp_path, "xls", timeout=180, recalc=False)
    assert refusal(xls) == "the file is a legacy .xls workbook: open it in Excel and save as .xlsx"
    (ods,) = _convert([example], tmp_path, "ods", timeout=180, recalc=False)
    assert "the file is an OpenDocument spreadsheet (.ods)" in refusal(ods)


# --- zips that are not .xlsx workbooks -----------------------------------------------------------------------


def test_zips_that_are_not_xlsx_workbooks_say_what_they_are(tmp_path, example):
    docx = tmp_path / "report.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert refusal(docx) == "not an .xlsx workbook: the file is a Word document (.docx)"
    ods = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # stored, first, as ODF requires
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    assert refusal(ods) == (
        "not an .xlsx workbook: the file is an OpenDocument spreadsheet (.ods): open it and save it as .xlsx"
    )
    plain = tmp_path / "data.xlsx"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    assert "a zip archive without the workbook part xl/workbook.xml" in refusal(plain)


def test_an_xlsb_is_named_by_its_binary_parts(tmp_path, example):
    xlsb = repack(example, tmp_path / "binary.xlsx", {"xl/workbook.xml": None, "xl/workbook.bin": b"\x83\x01\x00"})
    assert refusal(xlsb).startswith("the file is a binary .xlsb workbook (its parts, such as xl/workbook.bin, are")


def test_a_macro_enabled_workbook_is_read_and_its_macros_never_run(tmp_path, example):
    with zipfile.ZipFile(example) as z:
        types = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    xlsm = repack(example, tmp_path / "macros.xlsx", {"[Content_Types].xml": types, "xl/vbaProject.bin": b"\xcc" * 64})
    assert open_workbook(xlsm).sheetnames == openpyxl.load_workbook(example).sheetnames


def test_a_workbook_with_external_links_is_refused(tmp_path, example):
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    linked = repack(example, tmp_path / "linked.xlsx", {"xl/externalLinks/externalLink1.xml": link})
    assert refusal(linked) == (
        "the workbook links to other workbooks (external links): break the links in Excel (Data > Edit Links) "
        "and save again"
    )


def test_a_damaged_part_is_one_line_naming_the_file(tmp_path, example):
    broken = repack(example, tmp_path / "broken.xlsx", {"xl/styles.xml": b"<styleSheet><oops"})
    assert refusal(broken).startswith("not an .xlsx workbook that cpxl can read (")
    missing = repack(example, tmp_path / "missing.xlsx", {"[Content_Types].xml": None})
    assert refusal(missing).startswith("not an .xlsx workbook that cpxl can read (")


# --- zip bombs -----------------------------------------------------------------------------------------------


def test_a_zip_that_declares_gigabytes_is_refused_before_anything_is_inflated(tmp_path):
    data = zeros_deflated(10)  # 10 MiB of zeros in 10 KB, pointed at by 300 entries: 3 GB declared
    crc = zlib.crc32(b"\0" * (10 << 20))
    parts = [(f"xl/worksheets/sheet{i}.xml", data, crc, 10 << 20, 8) for i in range(300)]
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(raw_zip(parts, share_data=True))
    assert bomb.stat().st_size < 100_000
    assert refusal(bomb) == "the zip's parts would unpack to 3.1 GB, over the 200 MB limit: refused as a zip bomb"
    assert_bounded(measured(bomb))


def test_a_part_compressed_more_than_100_to_1_is_refused(tmp_path, example):
    zeros = repack(example, tmp_path / "zeros.xlsx", {"xl/media/image1.png": b"\0" * 20_000_000})
    assert refusal(zeros).startswith("the part xl/media/image1.png is compressed 1,0")
    assert refusal(zeros).endswith("to 1, over the 100 to 1 limit for parts over 1.0 MB: refused as a zip bomb")


def test_a_zip_with_too_many_parts_is_refused_before_zipfile_reads_its_directory(tmp_path):
    many = tmp_path / "many.xlsx"
    many.write_bytes(raw_zip([(f"p{i}", b"\x03\x00", 0, 0, 8) for i in range(MAX_PARTS + 1)]))
    assert refusal(many) == (
        f"the zip holds {MAX_PARTS + 1:,} parts, over the limit of {MAX_PARTS:,}: refused as a zip bomb"
    )


def test_a_lying_zip_header_is_caught_by_inflating_within_the_declared_size(tmp_path, example):
    # CPython's zipfile cuts a part at the size its header declares, silently when the CRC fits the cut
    # (after inflating up to 1 GiB in one step): its headers cannot be trusted.
    declared = 1000
    small = tmp_path / "small.zip"
    small.write_bytes(raw_zip([("a.xml", zeros_deflated(1), zlib.crc32(bytes(declared)), declared, 8)]))
    assert zipfile.ZipFile(small).read("a.xml") == bytes(declared)
    # A workbook whose sheet declares 1,000 bytes and inflates to 1 GiB, from 1 MB
    with zipfile.ZipFile(example) as z:
        parts = [(i.filename, zlib.compress(z.read(i))[2:-4], i.CRC, i.file_size, 8) for i in z.infolist()]
    parts.append(("xl/worksheets/sheet99.xml", zeros_deflated(1024), zlib.crc32(bytes(declared)), declared, 8))
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(raw_zip(parts))
    assert refusal(liar) == (
        "the part xl/worksheets/sheet99.xml unpacks to more than the 1,000 bytes its zip header declares: "
        "refused as a zip bomb"
    )
    assert_bounded(measured(liar))


def test_the_hand_written_zip_of_an_honest_workbook_loads(tmp_path, example):
    with zipfile.ZipFile(example) as z:
        parts = [(i.filename, zlib.compress(z.read(i))[2:-4], i.CRC, i.file_size, 8) for i in z.infolist()]
    honest = tmp_path / "honest.xlsx"
    honest.write_bytes(raw_zip(parts))
    assert open_workbook(honest).sheetnames == openpyxl.load_workbook(example).sheetnames


# --- XML -----------------------------------------------------------------------------------------------------


def laughs(encoding: str) -> bytes:
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE sst [{"".join(entities)}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&l9;</t></si></sst>"
    ).encode(encoding)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_an_entity_bomb_in_the_shared_strings_is_refused(tmp_path, example):
    bomb = repack(example, tmp_path / "laughs.xlsx", {"xl/sharedStrings.xml": laughs("UTF-8")})
    assert refusal(bomb) == (
        "the part xl/sharedStrings.xml declares an XML document type (<!DOCTYPE), which spreadsheet "
        "applications never write: refused as a possible XML entity bomb"
    )
    assert_bounded(measured(bomb))
    # In UTF-16 the guard's byte search misses it; defusedxml, under openpyxl, refuses the entities
    wide = repack(example, tmp_path / "laughs16.xlsx", {"xl/sharedStrings.xml": laughs("UTF-16")})
    problem = refusal(wide)
    assert problem.startswith("not an .xlsx workbook that cpxl can read (") and "EntitiesForbidden" in problem
    assert_bounded(measured(wide))


def test_worksheets_with_too_many_cells_load_only_in_read_only_mode(tmp_path, example):
    rows = "".join(f'<row r="{r}">' + "<c><v>1</v></c>" * 10 + "</row>" for r in range(1, 15_001))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    dense = repack(example, tmp_path / "dense.xlsx", {"xl/worksheets/sheet2.xml": sheet.encode()})
    problem = refusal(dense)
    assert problem.startswith("the workbook holds 3")
    assert f"XML elements (cells, values, strings...), over the {MAX_XML_ELEMENTS:,} cpxl loads at once" in problem
    workbook = open_workbook(dense, read_only=True)
    assert next(workbook.worksheets[1].iter_rows(values_only=True)) == (1,) * 10
    workbook.close()


def test_too_many_shared_strings_are_refused_even_in_read_only_mode(tmp_path, example):
    strings = "".join(f"<si><t>string {k}</t></si>" for k in range(150_000))  # openpyxl reads them all
    table = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    crowded = repack(example, tmp_path / "strings.xlsx", {"xl/sharedStrings.xml": table.encode()})
    assert refusal(crowded, read_only=True).startswith("the workbook holds 30")


# --- a workbook made by cpxl ---------------------------------------------------------------------------------


def test_a_cpxl_workbook_passes_unchanged_whatever_its_name(tmp_path, example):
    expected = openpyxl.load_workbook(example, data_only=True)
    renamed = tmp_path / "audit.xls"  # the content decides, not the ending
    shutil.copy(example, renamed)
    for path in (example, renamed):
        workbook = open_workbook(path)
        assert workbook.sheetnames == expected.sheetnames
        assert [[c.value for c in row] for row in workbook.worksheets[2].iter_rows()] == [
            [c.value for c in row] for row in expected.worksheets[2].iter_rows()
        ]
    formulas = open_workbook(example, data_only=False)
    assert any(isinstance(c.value, str) and c.value.startswith("=") for row in formulas.worksheets[2] for c in row)


def test_read_goes_through_the_guard(tmp_path, example):
    assert read(example) == Audit.example("en")
    text = tmp_path / "notes.xlsx"
    text.write_text("site,water\nA,12\n")
    with pytest.raises(AuditError, match=r"notes\.xlsx: 1 problem.*\n  - not an \.xlsx workbook: the file is text"):
        read(text)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(ole2(["EncryptionInfo", "EncryptedPackage"]))
    with pytest.raises(AuditError, match="password-protected"):
        read(locked)


def _sheets_rewritten(source: Path, target: Path, rewrite) -> Path:
    """A copy of *source* with every worksheet's XML passed through *rewrite*."""
    with zipfile.ZipFile(source) as old:
        parts = {n: rewrite(old.read(n)) for n in old.namelist() if n.startswith("xl/worksheets/sheet")}
    return repack(source, target, parts)


def _prefixed(xml: bytes) -> bytes:
    """The same sheet with the spreadsheet namespace bound to the prefix ``x:``, as some generators write it."""
    import re

    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = xml.replace(main, main.replace(b"xmlns=", b"xmlns:x="))
    return re.sub(rb"<(/?)(?![?!])([A-Za-z])", rb"<\1x:\2", xml)


@pytest.mark.parametrize(
    "rewrite",
    [_prefixed, lambda xml: xml.replace(b"<c r=", b"<c\n r=")],
    ids=["namespace-prefix", "newline-in-cell-tags"],
)
def test_sheets_in_the_less_common_forms_of_the_xml_read_back_whole(tmp_path, example, rewrite):
    """Prefixed tags and unusual white space take the general path: the same audit, no problem."""
    from cpxl.workbook import examine

    changed = _sheets_rewritten(example, tmp_path / "changed.xlsx", rewrite)
    found = examine(changed)
    assert found.problems == []
    assert found.audit == Audit.example("en")
    assert found.results == examine(example).results


@pytest.mark.parametrize("prefix", [False, True])
@pytest.mark.parametrize("bare", [False, True], ids=["other-attributes-kept", "bare-tag"])
def test_a_cell_without_an_address_is_refused_naming_its_sheet(tmp_path, example, prefix, bare):
    import re

    def drop_one_address(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="B11"[^>]*>', b"<c>", xml, count=1) if bare else xml.replace(b'<c r="B11"', b"<c", 1)
        return _prefixed(xml) if prefix else xml

    changed = _sheets_rewritten(example, tmp_path / "changed.xlsx", drop_one_address)
    with pytest.raises(AuditError, match="cells without an address") as info:
        read(changed)
    assert "the sheet '1 Team & plan' has" in str(info.value)  # the first sheet with a B11
