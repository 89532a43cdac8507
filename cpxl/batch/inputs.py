"""What ``cpxl batch`` builds from: the one place where a folder or a table becomes a list of inputs.

An input is one enterprise's audit, not yet read: an audit file of a folder
(``.yaml``, ``.yml``, ``.json``; hidden files and other endings are passed
over; not recursive), or one row of a table (``.csv`` or ``.xlsx``, or a
pandas DataFrame in Python) whose columns are field paths
(:mod:`cpxl.audit.rows` says which). Reading the audit itself is left to the
worker that builds it (:meth:`Input.audit`), so that a bad input fails alone
and the parsing is spread over the workers.

A table is checked as a whole before anything is built: its header (unknown,
repeated or unnamed columns are errors naming each), its size (a CSV is
bounded as an audit file is, :func:`cpxl.audit.files.read_text`; an XLSX is
opened through :func:`cpxl.workbook.guard.open_workbook`, read-only, and its
first sheet read) and its rows (at most :data:`MAX_TABLE_ROWS`). A CSV is
UTF-8, with or without a byte-order mark, separated by commas, or by
semicolons when the header has no comma but a semicolon (as Excel writes in
many European locales). Wholly blank rows are passed over.

Each input carries the name its workbook is asked to have: for a table the
cell of the name column (``fields.company`` unless another is named; a blank
one gives ``<table>-row-<N>``), for a folder the file's stem.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audit import Audit, AuditError
from ..audit.files import SUFFIXES, read_text
from ..audit.rows import audit_from_row, check_columns
from ..core.errors import CPError

__all__ = ["MAX_TABLE_ROWS", "TABLE_SUFFIXES", "Input", "NameColumnError", "read_inputs"]

#: The most enterprises one table may hold.
MAX_TABLE_ROWS = 100_000
#: The endings of a table of audits.
TABLE_SUFFIXES = (".csv", ".xlsx")
#: The column that names a table's workbooks unless another is given.
DEFAULT_NAME_COLUMN = "fields.company"


class NameColumnError(CPError):
    """A name column that the input does not have (a mistake on the command line, not in the data)."""


@dataclass(frozen=True)
class Input:
    """One enterprise's audit, not yet read: an audit file, or a row of a table.

    ``label`` names it in messages (``plants/acme.yaml``, ``plants.csv row 7``);
    ``name`` is the name asked for its workbook, before :func:`cpxl.batch.naming.safe_name`.
    """

    label: str
    name: str
    path: Path | None = None
    cells: tuple[tuple[str, Any], ...] = ()
    row: int = 0
    folder: Path | None = None
    source: str = ""
    ignore: tuple[str, ...] = ()

    def audit(self) -> Audit:
        """Read the audit: load the file, or read the row (raising :class:`~cpxl.audit.AuditError`)."""
        if self.path is not None:
            return Audit.load(self.path)
        return audit_from_row(
            dict(self.cells), row=self.row, folder=self.folder, source=self.source, ignore=self.ignore
        )


def read_inputs(source: Any, *, name_column: str | None = None) -> list[Input]:
    """The inputs in *source*: a folder of audit files, a table (.csv, .xlsx), or a pandas DataFrame.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A folder, a table file, or a DataFrame whose columns are field paths
        (its ``tables`` files are named relative to the current folder) [-]
    name_column : str, optional
        The column whose cells name the workbooks (tables only; default ``fields.company``) [-]

    Returns
    -------
    inputs : list of Input
        In order: files by name, rows from the top [-]

    Raises
    ------
    AuditError
        The table as a whole is wrong (its header, its size, its encoding), or the folder holds no audit file.
    NameColumnError
        *name_column* is not a column of the table, or was given for a folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> table = pathlib.Path(tempfile.mkdtemp()) / "plants.csv"
    >>> _ = table.write_text("fields.company,fields.tax_rate\\nAcme,0.25\\n,\\nBeta,0.15\\n", encoding="utf-8")
    >>> [(i.label, i.name) for i in read_inputs(table)]
    [('plants.csv row 2', 'Acme'), ('plants.csv row 4', 'Beta')]
    >>> read_inputs(table)[1].audit().fields["tax_rate"]
    0.15
    """
    if hasattr(source, "columns") and hasattr(source, "to_dict"):
        return _frame_inputs(source, name_column)
    path = Path(source)
    if path.is_dir():
        if name_column is not None:
            raise NameColumnError(
                "batch", "name_column", "applies to a table; the workbooks of a folder are named after its files"
            )
        return _folder_inputs(path)
    if path.suffix.lower() == ".xlsx":
        header, rows = _xlsx_rows(path)
    else:
        header, rows = _csv_rows(path)
    return _table_inputs(path.name, path.parent, header, rows, name_column)


def _folder_inputs(folder: Path) -> list[Input]:
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and p.is_file()),
        key=lambda p: p.name,
    )
    if not files:
        raise AuditError([f"no audit file (.yaml, .yml, .json) in the folder {folder}"], str(folder))
    return [Input(label=str(p), name=p.stem, path=p) for p in files]


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the numbered rows of a CSV table (rows numbered as a spreadsheet shows them)."""
    text = read_text(path, suffixes=TABLE_SUFFIXES, what="a table of audits")
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = [cell.strip() for cell in cells]
                continue
            rows.append((number, cells))
            if len(rows) > MAX_TABLE_ROWS:
                raise AuditError([f"more than {MAX_TABLE_ROWS:,} rows: split the table"], str(path))
    except csv.Error as exc:
        raise AuditError([f"line {reader.line_num}: not a valid CSV table ({exc})"], str(path)) from None
    if header is None:
        raise AuditError(["is empty: the first row names the columns (fields.company, ...)"], str(path))
    return header, rows


def _xlsx_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the numbered rows of the first sheet of an XLSX table."""
    from ..workbook.guard import open_workbook

    workbook = open_workbook(path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        header: list[str] | None = None
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            rows.append((number, list(cells)))
            if len(rows) > MAX_TABLE_ROWS:
                raise AuditError([f"more than {MAX_TABLE_ROWS:,} rows: split the table"], str(path))
    finally:
        workbook.close()
    if header is None:
        raise AuditError(["is empty: the first row names the columns (fields.company, ...)"], str(path))
    return header, rows


def _frame_inputs(frame: Any, name_column: str | None) -> list[Input]:
    header = [str(c).strip() for c in frame.columns]
    rows = [(number, [_plain(v) for v in values]) for number, values in enumerate(frame.itertuples(index=False), 2)]
    return _table_inputs("table", Path.cwd(), header, rows, name_column)


def _plain(value: Any) -> Any:
    """A DataFrame cell as a table's cell: NaN, NaT and NA are blank."""
    try:
        import pandas as pd

        return None if not isinstance(value, (list, tuple, dict)) and pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _table_inputs(
    source: str, folder: Path, header: list[str], rows: list[tuple[int, list[Any]]], name_column: str | None
) -> list[Input]:
    while (
        header
        and not header[-1]
        and all(_blank(r[len(header) - 1] if len(r) >= len(header) else None) for _, r in rows)
    ):
        header.pop()  # an unnamed, empty last column, as spreadsheets export
    problems = [
        f"row {number} has {len(cells)} cells; the header names {len(header)} columns"
        for number, cells in rows
        if len(cells) > len(header) and not all(_blank(c) for c in cells[len(header) :])
    ]
    if problems:
        raise AuditError(
            problems[:10] + ([f"... and {len(problems) - 10} more rows"] if len(problems) > 10 else []), source
        )
    naming = name_column or DEFAULT_NAME_COLUMN
    if name_column is not None and name_column not in header:
        raise NameColumnError(
            "batch", "name_column", f"is not a column of {source} (it has: {', '.join(header)})", name_column
        )
    check_columns(header, extra=[naming], source=source)
    ignore = () if naming.startswith("fields.") else (naming,)
    stem = Path(source).stem
    inputs = []
    for number, cells in rows:
        if all(_blank(c) for c in cells):
            continue
        values = dict(zip(header, list(cells) + [None] * (len(header) - len(cells)), strict=False))
        name = _text(values.get(naming)) or f"{stem}-row-{number}"
        inputs.append(
            Input(
                label=f"{source} row {number}",
                name=name,
                cells=tuple(values.items()),
                row=number,
                folder=folder,
                source=source,
                ignore=ignore,
            )
        )
    if not inputs:
        raise AuditError(["has no rows below its header: one row per enterprise"], source)
    return inputs


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A name cell as text: a whole number without its ``.0``."""
    if _blank(value):
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()
