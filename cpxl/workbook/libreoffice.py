"""LibreOffice as a real client: recalculate workbooks, compare cached values, render pictures.

cpxl writes every computed cell as a native formula *and* the value it expects (the cached value), so that a
workbook shows numbers before any spreadsheet application has recalculated it, and so that pandas or openpyxl
read the numbers back. This module checks those cached values against an independent engine, LibreOffice Calc
running headless, and turns sheets into PNG pictures for the documentation.

Recalculation
    LibreOffice normally *trusts* the cached values of an .xlsx. :func:`recalculate` starts it with a fresh,
    private user profile (``-env:UserInstallation=file:///tmp/cpxl-lo-…``) whose ``registrymodifications.xcu``
    (see :data:`RECALC_ALWAYS_XCU`) sets ``/org.openoffice.Office.Calc/Formula/Load`` ``OOXMLRecalcMode`` and
    ``ODFRecalcMode`` to 0 ("always recalculate"; 1 is "never", 2 is "ask", which headless means never). Every
    formula is therefore computed again on load, and the file is saved back as xlsx. Each call has its own
    profile, so calls can run concurrently; each LibreOffice runs in its own process group, which is killed
    when the call returns or times out, so no process is left behind.

Comparison
    :func:`compare_cached_values` reads the formulas of the original (openpyxl, ``data_only=False``) and, for
    every formula cell, compares the value cpxl cached with the value LibreOffice computed (``data_only=True``
    on both files). Numbers agree within a relative tolerance (and an absolute one near zero); text, booleans
    and errors (``#N/A``, ``#DIV/0!``… as strings) must be equal; an empty result and empty text are the same.
    A number never equals a boolean. Dates are compared as serial numbers.

    Array formulas, legacy (CSE) or dynamic: openpyxl shows the formula in the top-left cell of its range only;
    every cell of the range is compared, and reported with the anchor's formula. LibreOffice (before 24.8) has
    no dynamic arrays: it reads a dynamic-array formula as a CSE array over the range stored in the file (no
    spilling beyond it, no ``cm`` metadata when saved back), so the comparison uses the range of the original.

Pictures
    :func:`render_png` converts the workbook to PDF with LibreOffice, then each page to PNG with poppler's
    ``pdftoppm``. By default each sheet becomes one page (the PDF export option ``SinglePageSheets``: the page is
    sized to the sheet's used area, ignoring print ranges and page breaks), so there is one PNG per sheet. With
    ``single_page=False`` the workbook's own page setup is used (print areas, orientation, fit-to-page), and a
    sheet gives one PNG per printed page: for that, each chosen sheet is exported from a copy of the workbook in
    which every other sheet is hidden.

Examples
--------
>>> find_soffice() is None or find_soffice().endswith(("soffice", "libreoffice"))
True
>>> print(Mismatch("Data", "B1", "=SUM(A1:A3)", 999, 6))
Data!B1 =SUM(A1:A3): cached 999, LibreOffice 6

With LibreOffice installed::

    >>> from cpxl.workbook.libreoffice import recalculate, compare_cached_values
    >>> fresh = recalculate("audit.xlsx", "/tmp/recalculated")  # doctest: +SKIP
    >>> compare_cached_values("audit.xlsx", fresh)  # doctest: +SKIP
    []
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

__all__ = [
    "RECALC_ALWAYS_XCU",
    "LibreOfficeError",
    "Mismatch",
    "compare_cached_values",
    "find_soffice",
    "recalculate",
    "recalculate_many",
    "render_png",
    "sheet_names",
]

#: Where Debian/Ubuntu (and LibreOffice's own packages, via /opt) put the program when it is not on PATH.
_USUAL_PLACES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)

#: The user-profile settings that make LibreOffice recalculate every formula on load (0 = always) instead of
#: trusting the values cached in the file (the default, 1 = never).
RECALC_ALWAYS_XCU = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""

_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
_PDF_ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
_PDF_PAGE_SETUP = "pdf:calc_pdf_Export"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed, or timed out; ``command`` and ``stderr`` say what it was asked and said."""

    def __init__(self, message: str, command: Sequence[str] = (), stderr: str = "") -> None:
        detail = f"\nLibreOffice said:\n{stderr.strip()}" if stderr.strip() else ""
        super().__init__(message + detail)
        self.command = list(command)
        self.stderr = stderr


@dataclass(frozen=True)
class Mismatch:
    """A formula cell whose cached value differs from LibreOffice's recalculated value.

    Examples
    --------
    >>> m = Mismatch("Data", "B2", "=A1/0", 0, "#DIV/0!")
    >>> m.cell, m.recalculated
    ('B2', '#DIV/0!')
    >>> str(m)
    "Data!B2 =A1/0: cached 0, LibreOffice '#DIV/0!'"
    """

    sheet: str
    cell: str
    formula: str
    cached: Any
    recalculated: Any

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.formula}: cached {self.cached!r}, LibreOffice {self.recalculated!r}"


def find_soffice() -> str | None:
    """The LibreOffice program: ``soffice`` or ``libreoffice`` on PATH, else a usual install place, else None.

    Examples
    --------
    >>> path = find_soffice()
    >>> path is None or Path(path).exists()
    True
    """
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for place in _USUAL_PLACES:
        if os.access(place, os.X_OK):
            return place
    return None


def recalculate(path: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, timeout: float = 180) -> Path:
    """Open ``path`` in headless LibreOffice, recalculate every formula, save it as xlsx in ``out_dir``.

    Parameters
    ----------
    path : path-like
        The workbook (.xlsx, .xlsm, .ods, ...).
    out_dir : path-like
        Folder for the result, ``out_dir/<stem of path>.xlsx``; created if missing. It must not be the
        folder of ``path`` when that would overwrite the original.
    timeout : float
        Seconds before LibreOffice is killed and :class:`LibreOfficeError` raised.

    Returns
    -------
    Path
        The recalculated workbook.

    Raises
    ------
    LibreOfficeError
        LibreOffice is not installed, timed out, or wrote no output (it exits 0 even when it fails).

    Examples
    --------
    >>> fresh = recalculate("audit.xlsx", "/tmp/recalculated")  # doctest: +SKIP
    >>> fresh.name  # doctest: +SKIP
    'audit.xlsx'
    """
    return recalculate_many([path], out_dir, timeout=timeout)[0]


def recalculate_many(
    paths: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *, timeout: float = 180
) -> list[Path]:
    """:func:`recalculate` for several workbooks in one LibreOffice run (faster than one run each).

    The stems of the workbooks must differ, since each is saved as ``out_dir/<stem>.xlsx``. If any
    workbook fails, :class:`LibreOfficeError` names it; the others are still saved.

    Examples
    --------
    >>> recalculate_many(["a.xlsx", "b.xlsx"], "/tmp/out")  # doctest: +SKIP
    [PosixPath('/tmp/out/a.xlsx'), PosixPath('/tmp/out/b.xlsx')]
    """
    sources = [Path(p) for p in paths]
    out = Path(out_dir)
    for source in sources:
        if (out / (source.stem + ".xlsx")).resolve() == source.resolve():
            raise ValueError(f"recalculating {source} into {out} would overwrite it: choose another out_dir")
    return _convert(sources, out, _XLSX_FILTER, timeout=timeout, recalc=True)


def compare_cached_values(
    original: str | os.PathLike[str],
    recalculated: str | os.PathLike[str],
    rel: float = 1e-9,
    *,
    abs_tol: float = 1e-12,
) -> list[Mismatch]:
    """Every formula cell of ``original`` whose cached value differs from its value in ``recalculated``.

    Parameters
    ----------
    original : path-like
        The workbook as cpxl wrote it (formulas with cached values).
    recalculated : path-like
        The same workbook after :func:`recalculate`.
    rel : float
        Relative tolerance for numbers.
    abs_tol : float
        Absolute tolerance for numbers, which decides for values near 0.

    Returns
    -------
    list of Mismatch
        In sheet order, row by row; empty when every cached value is right.

    Examples
    --------
    >>> compare_cached_values("audit.xlsx", "/tmp/recalculated/audit.xlsx")  # doctest: +SKIP
    [Mismatch(sheet='Balance', cell='D7', formula='=SUM(D2:D6)', cached=0, recalculated=412.5)]
    """
    from openpyxl import load_workbook
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula

    formulas = load_workbook(original, data_only=False)
    cached = load_workbook(original, data_only=True)
    fresh = load_workbook(recalculated, data_only=True)
    mismatches = []
    for sheet in formulas.worksheets:
        if sheet.title not in fresh.sheetnames:
            raise ValueError(f"sheet {sheet.title!r} of {original} is missing from {recalculated}")
        cached_sheet, fresh_sheet = cached[sheet.title], fresh[sheet.title]
        cells: dict[str, str] = {}  # coordinate -> formula, in row order of the anchors
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, ArrayFormula):
                    min_col, min_row, max_col, max_row = range_boundaries(value.ref or cell.coordinate)
                    for r in range(min_row, max_row + 1):
                        for c in range(min_col, max_col + 1):
                            cells[f"{get_column_letter(c)}{r}"] = value.text
                elif isinstance(value, str) and value.startswith("="):
                    cells[cell.coordinate] = value
        for coordinate, formula in cells.items():
            before, after = cached_sheet[coordinate], fresh_sheet[coordinate]
            if not _same(_typed(before, cached.epoch), _typed(after, fresh.epoch), rel, abs_tol):
                mismatches.append(Mismatch(sheet.title, coordinate, formula, before.value, after.value))
    return mismatches


def render_png(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    sheets: Sequence[str] | None = None,
    *,
    single_page: bool = True,
    dpi: int = 110,
    recalc: bool = True,
    timeout: float = 180,
) -> list[Path]:
    """PNG pictures of the sheets of a workbook, through LibreOffice (to PDF) and ``pdftoppm`` (to PNG).

    Parameters
    ----------
    path : path-like
        The workbook.
    out_dir : path-like
        Folder for the pictures; created if missing.
    sheets : sequence of str, optional
        Names of the sheets to picture, in the order wanted; all sheets by default.
    single_page : bool
        True: one picture per sheet, ``<stem>-<sheet>.png``, the whole used area on one page (LibreOffice's
        ``SinglePageSheets`` PDF export). Empty sheets give no picture. False: the workbook's page setup
        (print areas, fit-to-page, breaks), one picture per printed page, ``<stem>-<sheet>-p<n>.png``.
    dpi : int
        Resolution of the pictures (``pdftoppm -r``).
    recalc : bool
        Recalculate every formula on load (as :func:`recalculate`), so the pictures show what LibreOffice
        computes; False shows the cached values.
    timeout : float
        Seconds before LibreOffice, or one run of pdftoppm, is killed.

    Returns
    -------
    list of Path
        The pictures, in the order of ``sheets`` (else of the workbook) and of the pages.

    Examples
    --------
    >>> render_png("audit.xlsx", "docs/images", sheets=["Balance"])  # doctest: +SKIP
    [PosixPath('docs/images/audit-Balance.png')]
    """
    source = Path(path)
    out = Path(out_dir)
    names = sheet_names(source)
    wanted = list(names) if sheets is None else list(sheets)
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise ValueError(f"no sheet {', '.join(map(repr, unknown))} in {source}; it has {names}")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeError("pdftoppm not found: install poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    pictures: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="cpxl-render-") as work:
        work_dir = Path(work)
        if single_page:
            # One page per sheet, in workbook order, hidden and empty sheets included (an empty sheet gives a
            # page a fraction of a point high, which is skipped).
            (pdf,) = _convert([source], work_dir / "pdf", _PDF_ONE_PAGE_PER_SHEET, timeout=timeout, recalc=recalc)
            sizes = _page_sizes(pdf, timeout)
            if len(sizes) != len(names):
                raise LibreOfficeError(
                    f"expected one PDF page per sheet of {source} ({len(names)}), LibreOffice made {len(sizes)}"
                )
            for name in wanted:
                page = names.index(name) + 1
                width, height = sizes[page - 1]
                if min(width, height) >= 1:
                    target = out / f"{source.stem}-{_slug(name)}.png"
                    pictures.append(_pdf_page_to_png(pdftoppm, pdf, page, target, dpi, timeout))
        else:
            copies = []
            for number, name in enumerate(wanted):
                copy = work_dir / "copies" / f"sheet{number}{source.suffix}"
                copy.parent.mkdir(parents=True, exist_ok=True)
                _only_sheet_visible(source, copy, names.index(name))
                copies.append(copy)
            pdfs = _convert(copies, work_dir / "pdf", _PDF_PAGE_SETUP, timeout=timeout, recalc=recalc)
            for name, pdf in zip(wanted, pdfs, strict=True):
                for page in range(1, len(_page_sizes(pdf, timeout)) + 1):
                    target = out / f"{source.stem}-{_slug(name)}-p{page}.png"
                    pictures.append(_pdf_page_to_png(pdftoppm, pdf, page, target, dpi, timeout))
    return pictures


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The names of the sheets of an .xlsx/.xlsm, in workbook order, hidden ones included.

    Read from ``xl/workbook.xml`` directly: faster than loading the workbook.

    Examples
    --------
    >>> sheet_names("audit.xlsx")  # doctest: +SKIP
    ['Flowsheet', 'Balance', 'Options']
    """
    with zipfile.ZipFile(path) as package:
        root = ElementTree.fromstring(package.read("xl/workbook.xml"))
    return [sheet.attrib["name"] for sheet in root.iter(f"{{{_MAIN_NS}}}sheet")]


# --- running LibreOffice -------------------------------------------------------------------------------------


def _convert(sources: Sequence[Path], out_dir: Path, convert_to: str, *, timeout: float, recalc: bool) -> list[Path]:
    """One ``soffice --convert-to`` run over ``sources``; the outputs, moved into ``out_dir``, in order."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice not found (soffice): install it, e.g. apt-get install libreoffice-calc-nogui"
        )
    for source in sources:
        if not source.is_file():
            raise FileNotFoundError(source)
    extension = convert_to.split(":", 1)[0]
    names = [source.stem + "." + extension for source in sources]
    if len(set(names)) != len(names):
        raise ValueError(f"two workbooks would both be saved as the same file: {[str(s) for s in sources]}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="cpxl-lo-profile-") as profile,
        tempfile.TemporaryDirectory(prefix=".cpxl-lo-", dir=out_dir) as fresh,
    ):
        user = Path(profile) / "user"
        user.mkdir()
        if recalc:
            (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU, encoding="utf-8")
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            convert_to,
            "--outdir",
            fresh,
            *(str(source.resolve()) for source in sources),
        ]
        started = time.time()
        stderr = _run(command, timeout)
        outputs = []
        failed = []
        for name in names:
            made = Path(fresh) / name
            if made.is_file() and made.stat().st_size > 0 and made.stat().st_mtime >= started - 2:
                target = out_dir / name
                os.replace(made, target)
                outputs.append(target)
            else:
                failed.append(name)
    if failed:
        raise LibreOfficeError(
            f"LibreOffice wrote no {', '.join(failed)} (converting to {convert_to})", command, stderr
        )
    return outputs


def _run(command: Sequence[str], timeout: float) -> str:
    """Run LibreOffice in a process group of its own; kill the whole group afterwards. Returns its output."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        stdout, stderr = process.communicate()
        raise LibreOfficeError(f"LibreOffice timed out after {timeout:g} s and was killed", command, stderr) from None
    finally:
        _kill_group(process.pid)  # soffice.bin may outlive the launcher that started it
    return f"{stdout}{stderr}"


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


# --- PDF and PNG ---------------------------------------------------------------------------------------------


def _page_sizes(pdf: Path, timeout: float) -> list[tuple[float, float]]:
    """Width and height in points of every page, from poppler's ``pdfinfo``."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        raise LibreOfficeError("pdfinfo not found: install poppler-utils")

    def info(*options: str) -> str:
        return subprocess.run(
            [pdfinfo, *options, str(pdf)], capture_output=True, text=True, check=True, timeout=timeout
        ).stdout

    pages = int(re.search(r"^Pages:\s+(\d+)", info(), re.M).group(1))  # type: ignore[union-attr]
    if pages == 0:
        return []
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info("-f", "1", "-l", str(pages)), re.M)
    return [(float(w), float(h)) for w, h in sizes]


def _pdf_page_to_png(pdftoppm: str, pdf: Path, page: int, target: Path, dpi: int, timeout: float) -> Path:
    prefix = target.with_suffix("")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
        capture_output=True,
        check=True,
        timeout=timeout,
    )
    if not target.is_file():
        raise LibreOfficeError(f"pdftoppm made no {target} from page {page} of {pdf}")
    return target


def _slug(name: str) -> str:
    """A sheet name as part of a file name: letters (any script), digits, '.', '_' and '-'."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "sheet"


def _only_sheet_visible(source: Path, target: Path, index: int) -> None:
    """Copy an .xlsx with every sheet but the ``index``-th hidden and that one active.

    Only ``xl/workbook.xml`` changes (``state`` attributes and the ``activeTab`` of the workbook view); formulas
    and cached values are copied byte for byte. LibreOffice shows a hidden sheet if it is the active one.
    """
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in package.infolist():
            data = package.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _show_only(data.decode("utf-8"), index).encode("utf-8")
            copy.writestr(item, data)


def _show_only(workbook_xml: str, index: int) -> str:
    counter = iter(range(1 << 30))

    def sheet(match: re.Match[str]) -> str:
        tag = re.sub(r'\sstate="[^"]*"', "", match.group(0))
        if next(counter) == index:
            return tag
        return re.sub(r"^(<(?:\w+:)?sheet)\s", r'\1 state="hidden" ', tag)

    xml = re.sub(r"<(?:\w+:)?sheet\s[^>]*>", sheet, workbook_xml)
    view = re.search(r"<((?:\w+:)?)workbookView\b[^>]*?(/?)>", xml)
    if view is None:
        prefix = re.search(r"<(\w+:)?sheets[\s>]", xml)
        ns = (prefix.group(1) or "") if prefix else ""
        views = f'<{ns}bookViews><{ns}workbookView activeTab="{index}"/></{ns}bookViews>'
        return re.sub(r"(<(?:\w+:)?sheets[\s>])", lambda m: views + m.group(1), xml, count=1)
    tag = re.sub(r'\s(activeTab|firstSheet)="[^"]*"', "", view.group(0))
    tag = re.sub(r"^(<(?:\w+:)?workbookView)", rf'\1 activeTab="{index}" firstSheet="{index}"', tag)
    return xml[: view.start()] + tag + xml[view.end() :]


# --- comparing values ----------------------------------------------------------------------------------------


def _typed(cell: Any, epoch: dt.datetime) -> tuple[str, Any]:
    """A cell's value as (kind, value): kind is number, text, bool, error or empty."""
    from openpyxl.utils.datetime import to_excel

    value = cell.value
    if cell.data_type == "e":
        return "error", value
    if value is None or value == "":
        return "empty", ""
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, (int, float)):
        return "number", float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return "number", float(to_excel(value, epoch))
    return "text", str(value)


def _same(a: tuple[str, Any], b: tuple[str, Any], rel: float, abs_tol: float) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "number":
        return math.isclose(a[1], b[1], rel_tol=rel, abs_tol=abs_tol)
    return a[1] == b[1]
