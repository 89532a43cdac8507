"""A returned workbook as the reader sees it: the one place that turns a checked .xlsx package into plain data.

The reader needs five things of a workbook, and nothing else: its defined names
(as text), its worksheets in order, each sheet's cached cell values, which cells
hold a formula, and its merged cells; plus cpxl's custom document properties.
:func:`open_package` gets them fast, without building an object per cell:

* the bytes come from :func:`cpxl.workbook.guard.checked_bytes`, so every
  hostile-file check has passed before anything is parsed;
* the cached values come from python-calamine (Rust), which decodes shared
  strings, ``_xHHHH_`` escapes and dates exactly as Excel does; an error value
  (``#DIV/0!``), which calamine turns into an empty string, is put back from
  the sheet's XML, so that a cell holding an error is never read as a blank;
* which cells hold formulas, which hold errors, and the merged cells come from
  one regular-expression pass over each worksheet's XML (no DOM);
* the defined names, the sheets and the document properties come from the
  small parts ``xl/workbook.xml``, its relationships and ``docProps/custom.xml``,
  parsed with :mod:`defusedxml`.

Imports python-calamine and defusedxml; nothing of openpyxl.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.model import AuditError

__all__ = ["MAX_SHEET_AREA", "Package", "SheetData", "cell_position", "open_package"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET = _DOC_RELS + "/worksheet"
# A cell's address, and whether its first child is a formula (the schema puts <f> before <v> and <is>).
_ADDRESSED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(\s*<(?:\w+:)?f[\s/>])?')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
# The fast path: a cell tag with a namespace prefix, white space other than a space after <c, or no attribute at
# all sends a sheet to the general expressions above.
_UNUSUAL_CELL_TAG = re.compile(rb"<(?:c[\t\r\n>/]|\w+:c[\s/>])")
_PLAIN_CELL = re.compile(rb'<c [^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(\s*<f[\s/>])?')
#: The largest rectangle of cells a sheet may span (from its first to its last cell): what the values are
#: read into at once. A cpxl sheet with the most rows a table can have spans about 60,000.
MAX_SHEET_AREA = 2_000_000
#: The most merged ranges a sheet may hold (a cpxl sheet has none; each is compared with every table's cells).
MAX_MERGED = 10_000
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)"')


@dataclass
class SheetData:
    """One worksheet: cached values of its cells, its formula cells and merged ranges (1-based).

    ``grid`` holds the values of the rectangle from the sheet's first to its
    last cell, row by row, its top-left cell at (``top``, ``left``); an empty
    cell is ``""``. A value is what a spreadsheet shows: text, float, bool, a
    date, or an error's text such as ``"#DIV/0!"``.
    """

    name: str
    grid: list[list[Any]] = field(default_factory=list)
    top: int = 1
    left: int = 1
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def values(self) -> dict[tuple[int, int], Any]:
        """(row, column) → value of every non-empty cell."""
        return {
            (r, c): value
            for r, row in enumerate(self.grid, start=self.top)
            for c, value in enumerate(row, start=self.left)
            if value != ""
        }

    def block(self, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        """The values of rows *r1*..*r2* and columns *c1*..*c2* (1-based, inclusive); ``""`` outside the grid."""
        grid, start, stop = self.grid, c1 - self.left, c2 - self.left + 1
        first, last = r1 - self.top, r2 - self.top + 1  # the rows wanted, as indices into the grid
        inside = grid[max(first, 0) : max(min(last, len(grid)), 0)]
        if inside and start >= 0 and stop <= len(grid[0]):
            rows = [row[start:stop] for row in inside]
        else:
            rows = [[row[c] if 0 <= c < len(row) else "" for c in range(start, stop)] for row in inside]
        above = min(last, 0) - first if first < 0 else 0
        below = last - max(first, len(grid)) if last > len(grid) else 0
        width = c2 - c1 + 1
        return [[""] * width for _ in range(above)] + rows + [[""] * width for _ in range(below)]

    def put(self, r: int, c: int, value: Any) -> None:
        """Set the value of cell (*r*, *c*), growing the grid to hold it."""
        if not self.grid:
            self.grid, self.top, self.left = [[value]], r, c
            return
        width = len(self.grid[0])
        if r < self.top:
            self.grid[:0] = [[""] * width for _ in range(self.top - r)]
            self.top = r
        if c < self.left:
            for row in self.grid:
                row[:0] = [""] * (self.left - c)
            width += self.left - c
            self.left = c
        if r >= self.top + len(self.grid):
            self.grid += [[""] * width for _ in range(r - self.top - len(self.grid) + 1)]
        if c >= self.left + width:
            for row in self.grid:
                row += [""] * (c - self.left - width + 1)
        self.grid[r - self.top][c - self.left] = value


@dataclass
class Package:
    """A workbook's defined names (workbook-wide, as their formula text), worksheets and custom properties."""

    source: str
    names: dict[str, str]
    sheets: dict[str, SheetData]
    properties: dict[str, str]


def open_package(path: str | Path) -> Package:
    """The names, sheets and properties of the workbook in *path*, checked by the guard first.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file [-]

    Returns
    -------
    package : Package
        Defined names, worksheets (values, formula cells, merged cells) and custom properties [-]

    Raises
    ------
    AuditError
        The file is refused by :mod:`cpxl.workbook.guard`, or its parts cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.audit import Audit
    >>> from cpxl.workbook import build
    >>> book = open_package(build(Audit.example(), pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"))
    >>> book.names["tax_rate"], book.properties["cpxl_lang"]
    ("'2 Company'!$B$11", 'en')
    >>> sheet = book.sheets["2 Company"]
    >>> sheet.values[(11, 2)], (14, 2) in sheet.formulas
    (0.25, True)
    """
    from .guard import MAX_PACKAGE_ELEMENTS, checked_bytes

    source = str(path)
    parts: dict[str, bytes] = {}  # the XML the guard inflated, read from here rather than inflated again
    data = checked_bytes(path, max_elements=MAX_PACKAGE_ELEMENTS, parts=parts)
    try:
        return _read(data, source, parts)
    except AuditError:
        raise
    except Exception as exc:  # a part the parsers cannot read is the file's fault: one line, no traceback
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise AuditError([f"not an .xlsx workbook that cpxl can read ({reason})"], source) from None


def _read(data: bytes, source: str, parts: dict[str, bytes] | None = None) -> Package:
    from defusedxml import ElementTree
    from python_calamine import CalamineWorkbook

    archive = zipfile.ZipFile(io.BytesIO(data))

    def part(name: str) -> bytes:
        return parts[name] if parts and name in parts else archive.read(name)

    book = ElementTree.fromstring(part("xl/workbook.xml"))
    rels = ElementTree.fromstring(part("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): posixpath.normpath(posixpath.join("xl", rel.get("Target", "").lstrip("/").removeprefix("xl/")))
        for rel in rels.iter(f"{{{_RELS}}}Relationship")
        if rel.get("Type") == _WORKSHEET
    }
    names = {
        item.get("name", ""): item.text or ""
        for item in book.iter(f"{{{_MAIN}}}definedName")
        if item.get("localSheetId") is None  # a name of one sheet only is not one of cpxl's
    }
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {}
    for item in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(item.get(f"{{{_DOC_RELS}}}id"))
        if target is None:  # a chart sheet or a dialog: no cells
            continue
        name = item.get("name", "")
        sheet = SheetData(name)
        xml = part(target)
        cells, sheet.formulas = _addressed_cells(xml, name, source)  # before calamine reads the whole span
        if cells:
            cells = calamine.get_sheet_by_name(name)
            sheet.grid = cells.to_python(skip_empty_area=True)
            sheet.top, sheet.left = cells.start[0] + 1, cells.start[1] + 1
            if sheet.grid and any(len(row) != len(sheet.grid[0]) for row in sheet.grid):
                raise AuditError([f"the sheet {name!r} could not be read as a rectangle of cells"], source)
        _scan(xml, sheet, source)
        sheets[name] = sheet
    properties = {}
    if "docProps/custom.xml" in archive.namelist():
        for prop in ElementTree.fromstring(part("docProps/custom.xml")):
            if len(prop):
                properties[prop.get("name", "")] = prop[0].text or ""
    return Package(source, names, sheets, properties)


def _addressed_cells(xml: bytes, name: str, source: str) -> tuple[int, set[tuple[int, int]]]:
    """The number of cells of a worksheet and (row, column) of those holding a formula; refuses a huge span.

    Two cells far apart (A1 and XFD1048576) make a file of a few KB that spans 17 billion cells: read at
    once, that exhausts any machine. Every cell must have its address (spreadsheets always write it).

    Sheets as spreadsheets write them (no namespace prefix, a space after ``<c``) take a simpler expression
    and byte counts; anything else (prefixed tags, other white space) the general regular expression.
    """
    if _UNUSUAL_CELL_TAG.search(xml) is None:
        found = _PLAIN_CELL.findall(xml)
        tags = xml.count(b"<c ")  # a bare <c> or <c/> (no address) took the general path
    else:
        found = _ADDRESSED_CELL.findall(xml)
        tags = len(_CELL_TAG.findall(xml))
    if len(found) != tags:
        raise AuditError(
            [f"the sheet {name!r} has cells without an address, which cpxl does not read: open and save it in Excel"],
            source,
        )
    if not found:
        return 0, set()
    rows = {r: int(r) for r in {r for _, r, _ in found}}  # the few distinct addresses, converted once
    columns = {c: _column(c) for c in {c for c, _, _ in found}}
    height = max(rows.values()) - min(rows.values()) + 1
    width = max(columns.values()) - min(columns.values()) + 1
    if height * width > MAX_SHEET_AREA:
        raise AuditError(
            [
                f"the sheet {name!r} spans {height:,} rows by {width:,} columns, over the {MAX_SHEET_AREA:,} cells "
                "cpxl reads at once: delete what was typed far outside the audit's tables"
            ],
            source,
        )
    return len(found), {(rows[r], columns[c]) for c, r, formula in found if formula}


def _scan(xml: bytes, sheet: SheetData, source: str) -> None:
    """Error values and merged cells of a worksheet's XML."""
    if b't="e"' in xml:  # error values are rare: look at every cell only then
        for match in _CELL.finditer(xml):
            ref = _REF.search(match.group(1))
            if ref is not None and _ERROR_TYPE.search(match.group(1)):
                value = _VALUE.search(match.group(3) or b"")
                text = value.group(1).decode("ascii", "replace") if value else "#N/A"
                sheet.put(int(ref.group(2)), _column(ref.group(1)), text)
    if b"mergeCell" not in xml:  # a search for the long word is far cheaper than the expression
        return
    for match in _MERGE.finditer(xml):
        if len(sheet.merged) == MAX_MERGED:
            raise AuditError(
                [f"the sheet {sheet.name!r} has over {MAX_MERGED:,} merged ranges: unmerge the cells of the audit"],
                source,
            )
        first, _, last = match.group(1).decode().partition(":")
        (r1, c1), (r2, c2) = cell_position(first), cell_position(last or first)
        sheet.merged.append((r1, c1, r2, c2))


@functools.lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 address such as ``AB12``.

    Examples
    --------
    >>> cell_position("A1"), cell_position("AB12")
    ((1, 1), (12, 28))
    """
    letters = ref.rstrip("0123456789")
    if not letters or not letters.isalpha() or not letters.isupper() or len(letters) == len(ref):
        raise ValueError(f"not a cell address: {ref!r}")
    return int(ref[len(letters) :]), _column(letters.encode())
