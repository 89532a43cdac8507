"""Build the audit workbook (.xlsx) from an audit: native formulas with cached values, in English or Chinese."""

from __future__ import annotations

import datetime
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..audit.model import Audit
from ..audit.schema import MAX_ROWS, SCHEMA_VERSION
from ..core.errors import CPError
from ..io import atomic_write
from .engine import Book, png_size
from .labels import LANGUAGES, label
from .sheets import write_audit

__all__ = ["build"]


def build(
    audit: Audit,
    path: str | Path,
    lang: str = "en",
    *,
    rows: int = 0,
    overwrite: bool = False,
    diagram: bytes | None = None,
) -> Path:
    """Write *audit* as an audit workbook at *path*, its labels in *lang* (``"en"`` or ``"zh"``).

    Every computed cell is a native Excel formula whose value is computed by
    :mod:`cpxl.core` and cached in the file, so the workbook shows correct
    numbers in any viewer and recalculates in Excel, LibreOffice and WPS without
    the add-in. Every list table has room to grow: at least its blank
    template's rows (60 streams, 60 options, ...), at least *rows*, and always
    ten empty rows after its records. The file appears whole or not at all; an
    existing file is kept unless *overwrite*.

    *diagram*, a PNG picture (the balance diagram as
    :func:`cpxl.report.svg.svg_to_png` draws it from
    ``sankey(audit, lang=lang).svg()``), is placed on the balance sheet, to
    the right of the unit table, at most 900 pixels wide on screen. It is only
    shown: reading the workbook back ignores it, and rebuilding from the
    workbook leaves it out unless it is given again. Without it the file is
    the same, byte for byte, as ever.

    Parameters
    ----------
    audit : Audit
        The audit to write (blank or filled) [-]
    path : str or Path
        Where to write the ``.xlsx`` [-]
    lang : str
        Language of the labels, ``"en"`` or ``"zh"`` [-]
    rows : int
        Least number of rows of every list table [-]
    overwrite : bool
        Replace an existing file [-]
    diagram : bytes, optional
        The balance diagram as a PNG file's bytes, for the balance sheet [-]

    Returns
    -------
    path : Path
        The file written [-]

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = build(Audit.example(), pathlib.Path(tempfile.mkdtemp()) / "audit.xlsx")
    >>> out.suffix
    '.xlsx'
    >>> build(Audit.example(), out.with_name("pictured.xlsx"), diagram=b"<svg/>")
    Traceback (most recent call last):
    ...
    cpxl.core.errors.CPError: ...diagram...must be a PNG picture...
    """
    if lang not in LANGUAGES:
        raise CPError("build", "lang", "must be 'en' or 'zh'", lang)
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
        raise CPError("build", "rows", f"must be a whole number from 0 to {MAX_ROWS}", rows)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise CPError("build", "path", "must end in .xlsx", str(path))
    pictures = {}
    if diagram is not None:
        pictures["balance"] = _png(diagram)
    with atomic_write(path, overwrite=overwrite) as tmp:
        options = {"strings_to_numbers": False, "strings_to_formulas": False, "in_memory": True}  # no temp files
        workbook = xlsxwriter.Workbook(str(tmp), options)
        units = {"mass": audit.fields.get("mass_unit") or "", "money": audit.fields.get("currency") or ""}
        book = Book(workbook, lang, units, pictures=pictures)
        write_audit(book, audit, rows)
        workbook.set_properties(
            {
                "title": label("title.guide", lang),
                "subject": audit.fields.get("company") or "",
                "author": "cpxl",
                "comments": f"cpxl {__version__}",
                "created": _fixed_date(),
            }
        )
        workbook.set_custom_property("cpxl_schema_version", SCHEMA_VERSION)
        workbook.set_custom_property("cpxl_lang", lang)
        workbook.close()
    return path


def _png(diagram: object) -> bytes:
    """The bytes of *diagram* if they are a PNG picture with a size, else a :class:`CPError` naming ``diagram``."""
    if isinstance(diagram, (bytes, bytearray, memoryview)):
        data = bytes(diagram)
        try:
            png_size(data)
        except ValueError:
            got = f"{len(data):,} bytes beginning {data[:8]!r}"
        else:
            return data
    else:
        got = f"a {type(diagram).__name__}"
    raise CPError(
        "build",
        "diagram",
        f"must be a PNG picture (the bytes of a .png file, as cpxl.report.svg.svg_to_png draws it), not {got}",
    )


def _fixed_date() -> datetime.datetime:
    """A fixed creation date, so that the same audit always gives the same bytes."""
    return datetime.datetime(2026, 1, 1)
