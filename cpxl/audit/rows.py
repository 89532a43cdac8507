"""A row of a table as an audit: the one place where table columns (``fields.company``, ...) become an audit.

A table of audits (CSV or XLSX, read by :mod:`cpxl.batch.inputs`) has one row
per enterprise and one column per *field path*:

- ``fields.KEY`` for every scalar field of the schema (``fields.company``,
  ``fields.tax_rate``, ...; see :data:`cpxl.audit.schema.FIELDS`);
- ``weights.TABLE.FACTOR`` for the weight of one rating factor
  (``weights.focus.toxicity``, ``weights.options.economic``), one column per
  factor, so that every cell holds one number;
- ``tables`` (:data:`TABLES_COLUMN`): the name of an audit file (YAML/JSON)
  that provides the enterprise's list tables (streams, options, ...).

A blank cell means "not given": the value of the ``tables`` file if there is
one, else the field's default. A non-blank cell wins over the ``tables`` file.
Cells are read as :func:`cpxl.audit.model.coerce` reads any value (``"0.25"``,
``"1,200"``, ``"yes"``), and every problem is named with the row and the
column: ``row 7, fields.tax_rate: must be a number, got 'abc'``. Rows are
numbered as a spreadsheet shows them: the header is row 1, the first
enterprise row 2.

The ``tables`` file is named relative to the table's folder (``plants/acme.yaml``;
``\\`` is read as ``/``) and must stay inside that folder once ``..`` and
symbolic links are resolved: an absolute path or one that leaves the folder is
an error, so a table sent by someone else cannot make cpxl read any file
elsewhere. It is read within the bounds of :mod:`cpxl.audit.files`.

This module imports only the audit layer; the table's file format is the
batch layer's business.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .model import Audit, AuditError, AuditFileError, coerce
from .schema import FIELDS, TABLES, Column

__all__ = ["TABLES_COLUMN", "RowError", "audit_from_row", "check_columns", "row_columns"]

#: The column naming a row's audit file (its list tables).
TABLES_COLUMN = "tables"

_FIELDS = {f"fields.{spec.key}": spec for spec in FIELDS}
_WEIGHTS = {
    f"weights.{key}.{factor}": (key, index)
    for key, table in TABLES.items()
    for index, (factor, _) in enumerate(table.ratings)
}
_WEIGHT = Column("weight", "number", minimum=0)


def row_columns() -> tuple[str, ...]:
    """Every column a table of audits may have, in the order a template lists them.

    Examples
    --------
    >>> cols = row_columns()
    >>> cols[0], cols[-1], "weights.focus.toxicity" in cols
    ('fields.company', 'tables', True)
    """
    return (*_FIELDS, *_WEIGHTS, TABLES_COLUMN)


class RowError(AuditError):
    """A row of a table that is not an audit; ``items`` holds ``(column, message)`` for every problem.

    ``problems`` spells each as ``row 7, fields.tax_rate: must be a number, got 'abc'``.
    """

    def __init__(self, row: int, items: list[tuple[str, str]], source: str = ""):
        self.row = row
        self.items = list(items)
        super().__init__([f"row {row}, {column}: {message}" for column, message in items], source)


def check_columns(columns: Iterable[str], *, extra: Iterable[str] = (), source: str = "") -> None:
    """Refuse a table header with unknown, repeated or unnamed columns, naming each.

    Parameters
    ----------
    columns : iterable of str
        The header, in order [-]
    extra : iterable of str
        Further columns allowed and not read as audit data (e.g. the one naming the output files) [-]
    source : str
        The table's name, to start the message [-]

    Raises
    ------
    AuditError
        One problem per bad column.

    Examples
    --------
    >>> check_columns(["fields.company", "fields.tax_rate", "tables"])
    >>> check_columns(["fields.company", "fields.taxrate", "Company"])
    Traceback (most recent call last):
    ...
    cpxl.audit.model.AuditError: 2 problems in the audit:
      - column 2, 'fields.taxrate': unknown column (did you mean fields.tax_rate?)
      - column 3, 'Company': unknown column (columns are field paths such as fields.company, ...)
    """
    import difflib

    known = set(row_columns()) | set(extra)
    problems = []
    seen: dict[str, int] = {}
    for number, column in enumerate(columns, start=1):
        if not column:
            problems.append(f"column {number} has no name in the header row")
        elif column in seen:
            problems.append(f"column {number}, {column!r}: repeats column {seen[column]}")
        elif column not in known:
            close = difflib.get_close_matches(column, sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else "columns are field paths such as fields.company, ..."
            problems.append(f"column {number}, {column!r}: unknown column ({hint})")
        seen.setdefault(column, number)
    if problems:
        raise AuditError(problems, source)


def audit_from_row(
    cells: Mapping[str, Any],
    *,
    row: int,
    folder: str | Path | None = None,
    source: str = "",
    ignore: Iterable[str] = (),
) -> Audit:
    """The audit that one row of a table spells (see the module's docstring for the columns).

    Parameters
    ----------
    cells : mapping of str to object
        Column name -> cell value, as the table gives it (text from a CSV,
        numbers from a workbook); None or blank text is "not given" [-]
    row : int
        The row's number as a spreadsheet shows it (the header is row 1), for messages [-]
    folder : str or Path, optional
        The folder the ``tables`` file is named relative to (the table's
        folder); without one, a ``tables`` cell is an error [-]
    source : str
        The table's name, to start messages [-]
    ignore : iterable of str
        Columns that are not audit data (the one naming the output file) [-]

    Returns
    -------
    audit : Audit
        The audit: the ``tables`` file's, with the row's non-blank cells over it [-]

    Raises
    ------
    RowError
        Every problem of the row, each with the row and the column.

    Examples
    --------
    >>> audit = audit_from_row({"fields.company": "Acme", "fields.tax_rate": "0.15", "fields.currency": ""}, row=2)
    >>> audit.fields["company"], audit.fields["tax_rate"], audit.fields["currency"]
    ('Acme', 0.15, 'CNY')
    >>> audit_from_row({"fields.tax_rate": "abc", "weights.focus.toxicity": "-1"}, row=7, source="plants.csv")
    Traceback (most recent call last):
    ...
    cpxl.audit.rows.RowError: plants.csv: 2 problems in the audit:
      - row 7, fields.tax_rate: must be a number, got 'abc'
      - row 7, weights.focus.toxicity: must be >= 0, got -1
    """
    skipped = set(ignore)
    items: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    weights: dict[tuple[str, int], float] = {}
    for column, value in cells.items():
        if column in skipped or column == TABLES_COLUMN:
            continue
        problems: list[str] = []
        if column in _FIELDS:
            spec = _FIELDS[column]
            coerced = coerce(value, spec, column, problems)
            if coerced is not None:
                fields[spec.key] = coerced
        elif column in _WEIGHTS:
            coerced = coerce(value, _WEIGHT, column, problems)
            if coerced is not None:
                weights[_WEIGHTS[column]] = coerced
        else:
            problems.append(f"{column} is not a column of a table of audits")
        items += [(column, p[len(column) :].lstrip(" :")) for p in problems]

    data: dict[str, Any] = {}
    named = cells.get(TABLES_COLUMN)
    if named is not None and not (isinstance(named, str) and not named.strip()):
        try:
            data = _tables_file(named, folder)
        except _RefusedError as exc:
            items.append((TABLES_COLUMN, str(exc)))
    if items:
        raise RowError(row, items, source)

    data = dict(data)
    if isinstance(data.get("fields") or {}, dict):  # otherwise from_dict says what is wrong with the file
        data["fields"] = {**(data.get("fields") or {}), **fields}
    if weights and isinstance(data.get("weights") or {}, dict):
        merged = dict(data.get("weights") or {})
        for (key, index), weight in weights.items():
            base = merged.get(key)
            if not isinstance(base, list) or len(base) != len(TABLES[key].ratings):
                base = [w for _, w in TABLES[key].ratings]
            merged[key] = [weight if i == index else w for i, w in enumerate(base)]
        data["weights"] = merged
    try:
        return Audit.from_dict(data)
    except AuditError as exc:  # the row's own cells are valid here: what is wrong is in the tables file
        name = str(named).strip()
        raise RowError(row, [(TABLES_COLUMN, f"{name}: {p}") for p in exc.problems], source) from None


class _RefusedError(Exception):
    """A ``tables`` cell naming a file that is not read; the message says why."""


def _tables_file(named: Any, folder: str | Path | None) -> dict[str, Any]:
    """The plain data of the audit file a ``tables`` cell names, if it lies inside *folder*."""
    from .files import read_audit_data

    if not isinstance(named, str):
        raise _RefusedError(f"must name an audit file (.yaml, .yml or .json), got {named!r}")
    text = named.strip().replace("\\", "/")
    if folder is None:
        raise _RefusedError(f"{text!r}: a tables file is named relative to the table's folder, and there is none here")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).anchor:
        raise _RefusedError(f"{text!r} must be relative to the table's folder, not an absolute path")
    root = Path(folder).resolve()
    path = (root / text).resolve()
    if not path.is_relative_to(root):
        raise _RefusedError(f"{text!r} lies outside the table's folder ({root}): it must stay inside it")
    try:
        data = read_audit_data(path)
    except AuditFileError as exc:
        raise _RefusedError(f"{text}: {'; '.join(exc.problems)}") from None
    if not isinstance(data, dict):
        raise _RefusedError(f"{text}: the audit must be a mapping with fields and tables")
    return data
