"""LibreOffice as the real client: recalculation, comparison of cached values, pictures.

The workbooks are built here with XlsxWriter, each formula with the value we expect Excel to compute. The tests
marked ``libreoffice`` run soffice; they are skipped where it is missing, except in CI (``CI`` set), where they
fail instead, so that CI cannot pass without having run them.
"""

import os
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import xlsxwriter

from cpxl.workbook.libreoffice import (
    RECALC_ALWAYS_XCU,
    LibreOfficeError,
    Mismatch,
    compare_cached_values,
    find_soffice,
    recalculate,
    recalculate_many,
    render_png,
    sheet_names,
)

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
HAVE_SOFFICE = find_soffice() is not None


def uses_libreoffice(test):
    """Mark a test as running LibreOffice; skip it where LibreOffice is missing, unless in CI."""
    skip = pytest.mark.skipif(not HAVE_SOFFICE and not IN_CI, reason="LibreOffice (soffice) is not installed")
    return pytest.mark.libreoffice(skip(test))


# --- workbooks ---------------------------------------------------------------------------------------------

STREAMS = [("acid", "raw", 100), ("water", "raw", 90), ("salt", "product", 50), ("brine", "waste", 130)]
RATE = 0.08
CASH_FLOWS = [120, 130, 140, 150, 160]
INVESTMENT = 500


def expected_values() -> dict[str, object]:
    """What Excel computes for the sheet Calc of :func:`build_audit`, worked out in Python."""
    total = sum(mass for _, _, mass in STREAMS)
    raw = sum(mass for _, kind, mass in STREAMS if kind == "raw")
    product = next(mass for _, kind, mass in STREAMS if kind == "product")
    elf = (raw - product) / product
    npv = sum(flow / (1 + RATE) ** year for year, flow in enumerate(CASH_FLOWS, start=1)) - INVESTMENT
    return {
        "B1": total,  # 370
        "B2": raw,  # 190
        "B3": elf,  # 2.8
        "B4": "high" if elf > 2 else "low",
        "B5": "n/a",
        "B6": 1 / 3,
        "B7": npv,
        "B8": raw > total,  # False
        "B9": 0.1 + 0.2,
        "B10": "",
        "B11": f"ELF {elf:.2f}",
    }


def build_audit(path: Path, wrong: dict[str, object] | None = None) -> Path:
    """A small audit-like workbook: every cached value right, except those given in ``wrong`` (sheet Calc)."""
    values = expected_values() | (wrong or {})
    formulas = {
        "B1": "=SUM(Inputs!C1:C4)",
        "B2": '=SUMIFS(Inputs!C1:C4,Inputs!B1:B4,"raw")',
        "B3": "=(B2-Product)/Product",  # Product: a defined name
        "B4": '=IF(B3>2,"high","low")',
        "B5": '=IFERROR(B2/0,"n/a")',
        "B6": "=IFERROR(1/3,0)",
        "B7": f"=NPV(Rate,Inputs!E1:E5)-{INVESTMENT}",  # Rate: a defined name
        "B8": "=B2>B1",
        "B9": "=0.1+0.2",
        "B10": '=""',
        "B11": '="ELF "&TEXT(B3,"0.00")',
    }
    workbook = xlsxwriter.Workbook(path)
    inputs = workbook.add_worksheet("Inputs")
    for row, (name, kind, mass) in enumerate(STREAMS):
        inputs.write_row(row, 0, [name, kind, mass])
    inputs.write_column("E1", CASH_FLOWS)
    inputs.write("F1", RATE)
    workbook.define_name("Product", "=Inputs!$C$3")
    workbook.define_name("Rate", "=Inputs!$F$1")
    calc = workbook.add_worksheet("Calc")
    for cell, formula in formulas.items():
        calc.write_formula(cell, formula, None, values[cell])
    # A legacy array formula over three cells: XlsxWriter caches only the first, so write the others after it.
    doubled = [2 * mass for _, _, mass in STREAMS[:3]]
    calc.write_array_formula("D1:D3", "{=Inputs!C1:C3*2}", None, doubled[0])
    calc.write_number("D2", doubled[1])
    calc.write_number("D3", doubled[2])
    workbook.close()
    return path


def build_errors(path: Path) -> Path:
    """Formulas that give errors in LibreOffice; B1 and B2 are cached as numbers, B3 and B4 as the right error."""
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Errors")
    sheet.write_column("A1", [1, 2, 3])
    sheet.write_formula("B1", "=A1/0", None, 0)
    sheet.write_formula("B2", "=NOSUCHFUNCTION(A1)", None, 1)
    sheet.write_formula("B3", "=NA()", None, "#N/A")
    sheet.write_formula("B4", '=VLOOKUP("zzz",A1:A3,1,FALSE)', None, "#N/A")
    workbook.close()
    return path


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """The test workbooks and their recalculated copies, converted in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("workbooks")
    originals = {
        "right": build_audit(folder / "right.xlsx"),
        "wrong": build_audit(folder / "wrong.xlsx", wrong={"B2": 191}),
        "errors": build_errors(folder / "errors.xlsx"),
    }
    fresh = recalculate_many(originals.values(), folder / "recalculated")
    return {name: (originals[name], copy) for name, copy in zip(originals, fresh, strict=True)}


# --- recalculation and comparison ----------------------------------------------------------------------------


@uses_libreoffice
def test_right_cached_values_agree_with_libreoffice(recalculated):
    original, fresh = recalculated["right"]
    assert fresh.name == "right.xlsx" and fresh.parent.name == "recalculated"
    assert compare_cached_values(original, fresh) == []


@uses_libreoffice
def test_a_wrong_cached_value_is_reported_and_nothing_else(recalculated):
    # B3 depends on B2, but its cached value is right, and LibreOffice recomputes it from the inputs.
    original, fresh = recalculated["wrong"]
    assert compare_cached_values(original, fresh) == [
        Mismatch("Calc", "B2", '=SUMIFS(Inputs!C1:C4,Inputs!B1:B4,"raw")', 191, 190)
    ]


@uses_libreoffice
def test_formulas_that_error_in_libreoffice_are_reported(recalculated):
    original, fresh = recalculated["errors"]
    assert compare_cached_values(original, fresh) == [
        Mismatch("Errors", "B1", "=A1/0", 0, "#DIV/0!"),
        Mismatch("Errors", "B2", "=NOSUCHFUNCTION(A1)", 1, "#NAME?"),
    ]


@uses_libreoffice
def test_concurrent_calls_use_separate_profiles(tmp_path):
    originals = [build_audit(tmp_path / f"w{i}.xlsx", wrong={"B1": i}) for i in range(2)]
    results: dict[int, object] = {}

    def work(i: int) -> None:
        try:
            results[i] = recalculate(originals[i], tmp_path / f"out{i}")
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(2):
        assert isinstance(results[i], Path), results[i]
        assert compare_cached_values(originals[i], results[i]) == [Mismatch("Calc", "B1", "=SUM(Inputs!C1:C4)", i, 370)]


@uses_libreoffice
def test_a_file_libreoffice_cannot_load_raises_with_its_message(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(LibreOfficeError, match=r"wrote no broken\.xlsx") as info:
        recalculate(broken, tmp_path / "out")
    assert "could not be loaded" in info.value.stderr
    assert not (tmp_path / "out" / "broken.xlsx").exists()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(f"{entry.name}: {command}")
    return found


@uses_libreoffice
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
def test_a_timeout_kills_libreoffice_and_leaves_no_process(tmp_path):
    with pytest.raises(LibreOfficeError, match="timed out") as info:
        recalculate(build_audit(tmp_path / "w.xlsx"), tmp_path / "out", timeout=0.05)
    profile = next(arg for arg in info.value.command if arg.startswith("-env:UserInstallation="))
    assert _processes_mentioning(profile.split("=", 1)[1]) == []


def test_recalculating_into_the_folder_of_the_original_is_refused(tmp_path):
    with pytest.raises(ValueError, match="overwrite"):
        recalculate(tmp_path / "audit.xlsx", tmp_path)


def test_the_profile_forces_recalculation_of_ooxml_and_odf():
    assert '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">' in RECALC_ALWAYS_XCU
    for setting in ("OOXMLRecalcMode", "ODFRecalcMode"):
        assert f'<prop oor:name="{setting}" oor:op="fuse"><value>0</value></prop>' in RECALC_ALWAYS_XCU


# --- the comparison rules, on hand-made "recalculated" workbooks (no LibreOffice) -----------------------------

CASES = {
    # cell: (formula, cached, "recalculated", reported?)
    "A1": ("=1+0", 1.0, 1.0 + 1e-12, False),  # within the relative tolerance
    "A2": ("=1+0", 1.0, 1.0 + 1e-6, True),
    "A3": ("=1-1", 0, 1e-13, False),  # near 0 the absolute tolerance decides
    "A4": ("=1-1", 0, 1e-9, True),
    "A5": ("=1=1", True, 1, True),  # a boolean is not a number
    "A6": ("=1=1", True, True, False),
    "A7": ('="a"', "a", "A", True),  # text exactly
    "A8": ('="a"', "a", "a", False),
    "A9": ("=NA()", "#N/A", "#N/A", False),
    "A10": ("=NA()", "#N/A", "#VALUE!", True),
    "A11": ('=""', "", "", False),
    "A12": ("=2", 2, "2", True),  # a number is not text
    "A13": ("=1/0", "#DIV/0!", 0, True),
}


def build_pair(tmp_path: Path) -> tuple[Path, Path]:
    paths = []
    for name, index in (("original", 1), ("recalculated", 2)):
        workbook = xlsxwriter.Workbook(tmp_path / f"{name}.xlsx")
        sheet = workbook.add_worksheet("S")
        for cell, case in CASES.items():
            sheet.write_formula(cell, case[0], None, case[index])
        # An array formula: every cell of its range is compared, not only the first.
        sheet.write_array_formula("C1:C3", "{=A1:A3*2}", None, 2)
        sheet.write_number("C2", 2)
        sheet.write_number("C3", 0 if index == 1 else 5)
        workbook.close()
        paths.append(workbook.filename)
    return Path(paths[0]), Path(paths[1])


def test_the_comparison_rules(tmp_path):
    original, fresh = build_pair(tmp_path)
    reported = {m.cell: m for m in compare_cached_values(original, fresh)}
    expected = {cell for cell, case in CASES.items() if case[3]} | {"C3"}
    assert set(reported) == expected
    assert reported["A5"] == Mismatch("S", "A5", "=1=1", True, 1)
    assert reported["A10"] == Mismatch("S", "A10", "=NA()", "#N/A", "#VALUE!")
    assert reported["C3"] == Mismatch("S", "C3", "=A1:A3*2", 0, 5)


def test_the_tolerances_are_parameters(tmp_path):
    original, fresh = build_pair(tmp_path)
    loose = {m.cell for m in compare_cached_values(original, fresh, rel=1e-3, abs_tol=1e-6)}
    assert {"A2", "A4"}.isdisjoint(loose) and "A7" in loose
    strict = {m.cell for m in compare_cached_values(original, fresh, rel=0, abs_tol=0)}
    assert {"A1", "A3"} <= strict


def test_a_sheet_missing_from_the_recalculated_workbook_is_an_error(tmp_path):
    original = build_audit(tmp_path / "audit.xlsx")
    other = xlsxwriter.Workbook(tmp_path / "other.xlsx")
    other.add_worksheet("Inputs")
    other.close()
    with pytest.raises(ValueError, match=r"'Calc'.*missing"):
        compare_cached_values(original, tmp_path / "other.xlsx")


# --- pictures ------------------------------------------------------------------------------------------------

needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not IN_CI, reason="pdftoppm (poppler-utils) is not installed"
)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@uses_libreoffice
@needs_pdftoppm
def test_render_png_makes_one_picture_per_chosen_sheet(tmp_path):
    workbook = build_audit(tmp_path / "audit.xlsx")
    assert sheet_names(workbook) == ["Inputs", "Calc"]
    pictures = render_png(workbook, tmp_path / "images", sheets=["Calc", "Inputs"])
    assert pictures == [tmp_path / "images" / "audit-Calc.png", tmp_path / "images" / "audit-Inputs.png"]
    for picture in pictures:
        width, height = png_size(picture)
        assert width > 100 and height > 50
    # Calc has eleven rows and Inputs five: the picture of Calc is the taller.
    assert png_size(pictures[0])[1] > png_size(pictures[1])[1]


@uses_libreoffice
@needs_pdftoppm
def test_render_png_with_the_page_setup_of_the_workbook(tmp_path):
    workbook = build_audit(tmp_path / "audit.xlsx")
    pictures = render_png(workbook, tmp_path / "images", sheets=["Inputs"], single_page=False, dpi=50)
    assert pictures == [tmp_path / "images" / "audit-Inputs-p1.png"]
    width, height = png_size(pictures[0])
    assert height > width  # an A4 or Letter page, portrait


def test_render_png_refuses_an_unknown_sheet(tmp_path):
    with pytest.raises(ValueError, match="no sheet 'Nope'"):
        render_png(build_audit(tmp_path / "audit.xlsx"), tmp_path / "images", sheets=["Nope"])


def test_the_picture_script_has_help():
    script = ROOT / "scripts" / "render_pictures.py"
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=True)
    assert "--out" in result.stdout and "--sheet" in result.stdout
