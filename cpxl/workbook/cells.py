r"""Text in workbook cells: the one place for how an .xlsx file spells a cell's text, and for reading it exactly.

An .xlsx file is XML, which cannot hold most control characters. Excel writes
such a character as the escape ``_xHHHH_`` (its UTF-16 code in hexadecimal), so
a carriage return is stored as ``_x000D_``; a text that itself contains
something of the form ``_xHHHH_`` has its underscore escaped as ``_x005F_``, so
the text ``_x0041_`` is stored as ``_x005F_x0041_`` (ECMA-376 Part 1, §22.9.2.19,
``ST_Xstring``). XlsxWriter escapes as Excel does, on every string it writes
(``xlsxwriter.xmlwriter._escape_control_characters``), so the writer needs no
help and must not get any: text escaped beforehand would be escaped twice.
:func:`cpxl.workbook.build` stores text exactly, with one exception in
XlsxWriter: it escapes escape-like sequences that share an underscore
(``_x005F_x0041_``, two sequences overlapping) only once, so Excel reads that
text back as ``_x005FA``. Only text that spells out these escapes can meet it.

The reading side does need help. openpyxl does not decode ``_xHHHH_`` at all,
and in shared strings (where Excel and XlsxWriter put every text) it instead
deletes every ``x005F_`` it finds, which loses text: ``_x005F_x0041_`` comes
back as ``_x0041_``, indistinguishable from a stored ``A``, and a typed
``x005F_`` vanishes. So:

- :func:`load_workbook` opens a workbook with openpyxl but keeps every shared
  string as the file spells it;
- :func:`decode_ooxml_escapes` then turns one cell's text into what the user
  typed. Call it on every text cell of a workbook opened with
  :func:`load_workbook` (inline strings, which openpyxl also leaves as spelled,
  included).

Imports openpyxl (only :func:`load_workbook`, lazily); nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["decode_ooxml_escapes", "load_workbook"]

_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_ooxml_escapes(text: str) -> str:
    r"""The text a cell holds, from its spelling in the file: every ``_xHHHH_`` escape decoded as Excel does.

    Escapes are read left to right without overlap, so ``_x005F_`` (an escaped
    underscore) followed by ``x0041_`` is the literal text ``_x0041_``. Hex
    digits may be upper or lower case. A pair of escaped UTF-16 surrogates
    becomes the one character they encode.

    Parameters
    ----------
    text : str
        A cell's text as stored in the .xlsx XML (what openpyxl returns for a
        workbook opened with :func:`load_workbook`) [-]

    Returns
    -------
    text : str
        The text as typed [-]

    Examples
    --------
    >>> decode_ooxml_escapes("line 1_x000D_\nline 2")
    'line 1\r\nline 2'
    >>> decode_ooxml_escapes("_x005F_x0041_"), decode_ooxml_escapes("_x0041_")
    ('_x0041_', 'A')
    >>> decode_ooxml_escapes("_x005F_x005F_")  # how Excel stores the text _x005F_
    '_x005F_'
    >>> decode_ooxml_escapes("no escape: _x41_, x005F_, _x00ZZ_")
    'no escape: _x41_, x005F_, _x00ZZ_'
    >>> decode_ooxml_escapes("_xD83D__xDE00_") == "\N{GRINNING FACE}"
    True
    """
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    if _SURROGATE.search(decoded):  # escaped halves of a pair: join them; a lone half stays for the caller to refuse
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return decoded


def load_workbook(path: str | Path | BinaryIO, *, data_only: bool = True, read_only: bool = False) -> Any:
    """An openpyxl workbook whose text cells hold the file's own spelling, for :func:`decode_ooxml_escapes`.

    This is :func:`openpyxl.load_workbook` but for the shared strings, which are
    taken as written instead of through openpyxl's reader (that one deletes
    every ``x005F_`` and so loses text; see the module's description).

    Parameters
    ----------
    path : str, Path or binary file object
        The .xlsx file, or its bytes in an ``io.BytesIO`` [-]
    data_only : bool
        Formula cells hold their cached values rather than their formulas [-]
    read_only : bool
        openpyxl's streaming mode, for large files [-]

    Returns
    -------
    workbook : openpyxl.Workbook
        The workbook; its text cells still need :func:`decode_ooxml_escapes` [-]

    Examples
    --------
    >>> import tempfile, pathlib, xlsxwriter
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "texts.xlsx"
    >>> book = xlsxwriter.Workbook(path)
    >>> sheet = book.add_worksheet()
    >>> for row, text in enumerate(["a\\r\\nb", "_x0041_", "x005F_"]):
    ...     _ = sheet.write_string(row, 0, text)
    >>> book.close()
    >>> [decode_ooxml_escapes(c.value) for c in load_workbook(path).active["A"]]
    ['a\\r\\nb', '_x0041_', 'x005F_']
    """
    from openpyxl.cell.text import Text
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is None:
                return
            tag = f"{{{SHEET_MAIN_NS}}}si"
            strings = []
            with self.archive.open(part.PartName[1:]) as source:
                for _, node in iterparse(source):
                    if node.tag == tag:
                        strings.append(Text.from_tree(node).content)
                        node.clear()
            self.shared_strings = strings

    reader = Reader(str(path) if isinstance(path, Path) else path, read_only=read_only, data_only=data_only)
    reader.read()
    return reader.wb
