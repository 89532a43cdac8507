"""Read a filled audit workbook back into an :class:`~cpxl.audit.Audit`, by its defined names.

The reader does not depend on where blocks sit: it follows the defined names the
builder wrote (``company``, ``streams_measured``, ``options_ratings``...), so a
user may insert rows above a table or move it. Every problem is reported with
its sheet and cell.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.model import NOT_PLAIN, Audit, AuditError, coerce, coerce_plain
from ..audit.schema import FIELDS, MAX_ROWS, SCHEMA_VERSION, TABLES, Column
from ..audit.versions import names_added_since
from .engine import col_letter
from .labels import LABELS, LANGUAGES, choice_code, label
from .package import Package, cell_position, open_package

__all__ = ["Examined", "Problem", "examine", "read"]


class Problem(str):
    """A problem found in a workbook: its message (the string itself), where it is, and its kind.

    ``sheet`` and ``cell`` (an address such as ``D7`` or a range ``B4:C4``)
    say where, ``path`` the audit field (``streams[5].measured``) or defined
    name; ``kind`` is one of ``bad_cell`` (a value the formulas would misread
    or the schema refuses), ``typed_below`` (typed under a table, where no
    formula sees it), ``formula_replaced`` (a value where cpxl wrote a
    formula), ``structure`` (a broken defined name, merged cells, rows
    inserted on one sheet only) and ``inconsistent`` (records that contradict
    each other, such as weights that do not sum to 1).

    Examples
    --------
    >>> p = Problem("'3 Flowsheet'!D7 (streams[5].measured) must be >= 0, got -3", sheet="3 Flowsheet", cell="D7",
    ...             path="streams[5].measured")
    >>> p.endswith("got -3"), p.cell, p.kind
    (True, 'D7', 'bad_cell')
    """

    sheet: str | None
    cell: str | None
    path: str | None
    kind: str

    def __new__(
        cls,
        message: str,
        *,
        kind: str = "bad_cell",
        sheet: str | None = None,
        cell: str | None = None,
        path: str | None = None,
    ) -> Problem:
        problem = super().__new__(cls, message)
        problem.kind, problem.sheet, problem.cell, problem.path = kind, sheet, cell, path
        return problem


@dataclass
class Examined:
    """What a filled workbook holds, read without giving up at the first problem (see :func:`examine`).

    ``audit`` is None when the workbook's inputs do not make an audit (a bad
    cell, a broken name); ``problems`` lists every problem with its sheet and
    cell, those that leave the audit readable included (a formula replaced by
    a value, a cell typed below a table); ``results`` holds the cached value
    of every named result as the file stores it (``result_grade``,
    ``result_system_closure``, ``main_output``, ...); ``lang`` is the
    workbook's language. ``areas`` gives, for every defined name read, its
    sheet and first row, first column, last row, last column (1-based);
    ``rows`` gives, per table, the 0-based row within the table of each record.
    """

    source: str
    audit: Audit | None
    problems: list[Problem] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    lang: str = "en"
    areas: dict[str, tuple[str, int, int, int, int]] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)


def examine(path: str | Path) -> Examined:
    """Everything :func:`read` finds in a workbook, without raising for a problem in it.

    The file itself is checked first (:func:`cpxl.workbook.guard.open_workbook`);
    a file that is not a readable .xlsx raises :class:`AuditError` as
    :func:`read` does. Everything else is reported in the result.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file [-]

    Returns
    -------
    examined : Examined
        The audit (or None), every problem, the cached named results and the language [-]

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.workbook import build
    >>> found = examine(build(Audit.example(), pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"))
    >>> found.audit == Audit.example(), found.problems, found.results["result_grade"]
    (True, [], 3.0)
    """
    return _Reader(open_package(path)).examine()  # checked and bounded first: see cpxl.workbook.guard


def read(path: str | Path) -> Audit:
    """The audit in a workbook made by :func:`cpxl.workbook.build` and filled in by a user.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file [-]

    Returns
    -------
    audit : Audit
        The audit; ``read(build(audit)) == audit`` [-]

    Raises
    ------
    AuditError
        Listing every problem with its sheet and cell, e.g.
        ``'3 Flowsheet'!D7 (streams[5].measured) must be >= 0, got -3``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.workbook import build
    >>> audit = Audit.example()
    >>> read(build(audit, pathlib.Path(tempfile.mkdtemp()) / "a.xlsx")) == audit
    True
    """
    found = examine(path)
    if found.problems or found.audit is None:
        raise AuditError(found.problems, found.source)
    return found.audit


#: A defined name's one area: a sheet (quoted when it must be) and an A1 reference of a cell or a range.
_AREA = re.compile(
    r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:\s]+))!(?P<ref>\$?[A-Z]{1,3}\$?[0-9]{1,7}(?::\$?[A-Z]{1,3}\$?[0-9]{1,7})?)"
)
_TABLE_PREFIXES = tuple(f"{key}_" for key in TABLES)  # the names of tables' columns begin so
#: How many cells of one kind of problem are listed one by one before the rest are counted.
_LISTED = 10
#: The most rows and columns a defined name may cover: a table of MAX_ROWS with rows inserted, and a ratings block.
_MAX_NAME_ROWS, _MAX_NAME_COLUMNS = 2 * MAX_ROWS, 64


@dataclass(frozen=True)
class _Block:
    """The cached values of a defined name's cells, rows of columns (``""`` when empty, as calamine gives them).

    An address is made only when asked for: most cells of a table are spare rows and need none.
    """

    sheet: str
    row: int  # of the first cell, 1-based
    col: int
    values: list[list[Any]]

    def where(self, i: int, j: int = 0) -> str:
        """The sheet-qualified address of the cell in row *i*, column *j* (0-based) of the block."""
        return f"'{self.sheet}'!{col_letter(self.col + j - 1)}{self.row + i}"


class _Reader:
    """Reads one workbook by its defined names, exactly as strictly as the sheet's own formulas read it."""

    def __init__(self, book: Package):
        self.book = book
        self.source = book.source
        self.problems: list[Problem] = []
        self.rows: dict[str, list[int]] = {}
        self.lang = _language(book)
        self.yes, self.no = (label(f"word.{w}", self.lang) for w in ("yes", "no"))
        self.areas: dict[str, tuple[str, int, int, int, int]] = {}  # name -> (sheet, first row, col, last row, col)
        self.added = names_added_since(_schema_version(book))  # names an older workbook lacks: blank, not missing

    # --- the defined names --------------------------------------------------------------------------

    def cells(self, name: str, shape: str, what: str) -> _Block | None:
        """The cells of the defined name *name* (their values, rows of columns), or None and a problem.

        *shape* is what the name must cover: ``cell``, ``row``, ``column`` or
        ``block``; *what* says in words what it holds, for the message.
        """
        area = self.area(name, shape, what)
        if area is None:
            return None
        sheet_name, r1, c1, r2, c2 = area
        return _Block(sheet_name, r1, c1, self.book.sheets[sheet_name].block(r1, c1, r2, c2))

    def area(self, name: str, shape: str, what: str) -> tuple[str, int, int, int, int] | None:
        """(sheet, first row, first column, last row, last column) of the defined name *name*, checked as
        :meth:`cells` checks it, or None and a problem."""
        text = self.book.names.get(name)
        if text is None and name in self.added:
            return None
        if text is None:
            self.structure(
                f"the defined name {name!r} is missing ({what}): was it deleted (Formulas > Name Manager)?", name
            )
            return None
        if "#REF!" in text:
            self.structure(
                f"the defined name {name!r} ({what}) points to deleted cells ({text}): a sheet, rows or columns "
                "it covered were deleted; restore them (undo) or rebuild the workbook",
                name,
            )
            return None
        areas = [_AREA.fullmatch(part.strip()) for part in text.split(",")]
        if not all(areas):
            self.structure(f"the defined name {name!r} ({what}) is the constant {text!r}, not cells of a sheet", name)
            return None
        if len(areas) != 1:
            self.structure(f"the defined name {name!r} ({what}) covers {len(areas)} areas ({text}), not 1", name)
            return None
        area = areas[0]
        sheet_name = (area["quoted"] or "").replace("''", "'") or area["plain"]
        ref = area["ref"]
        sheet = self.book.sheets.get(sheet_name)
        if sheet is None:
            self.structure(
                f"the defined name {name!r} ({what}) points to the sheet {sheet_name!r}, which is not in the workbook",
                name,
            )
            return None
        (r1, c1), (r2, c2) = _bounds(ref)
        if r2 - r1 >= _MAX_NAME_ROWS or c2 - c1 >= _MAX_NAME_COLUMNS:
            self.structure(
                f"the defined name {name!r} ({what}) covers {ref}, more than any cpxl table: "
                f"at most {_MAX_NAME_ROWS:,} rows and {_MAX_NAME_COLUMNS} columns",
                name,
            )
            return None
        expected = {"cell": r1 == r2 and c1 == c2, "row": r1 == r2, "column": c1 == c2, "block": True}[shape]
        if not expected:
            self.structure(f"the defined name {name!r} ({what}) must cover one {shape} of cells, got {ref}", name)
            return None
        for m1, n1, m2, n2 in sheet.merged:
            if m1 <= r2 and m2 >= r1 and n1 <= c2 and n2 >= c1:
                cells = f"{col_letter(n1 - 1)}{m1}:{col_letter(n2 - 1)}{m2}"
                self.problems.append(
                    Problem(
                        f"'{sheet_name}'!{cells} are merged cells in {what}: "
                        "unmerge them (a merged cell keeps only its first value)",
                        kind="structure",
                        sheet=sheet_name,
                        cell=cells,
                        path=name,
                    )
                )
                return None
        self.areas[name] = (sheet_name, r1, c1, r2, c2)
        return self.areas[name]

    def below(self, name: str, table: str) -> None:
        """Report every cell typed under the cells of *name* in its columns: no formula sees them."""
        sheet_name, _, c1, r2, c2 = self.areas[name]
        sheet = self.book.sheets[sheet_name]
        last = sheet.top + len(sheet.grid) - 1
        below = sheet.block(r2 + 1, c1, last, c2) if last > r2 else []
        cells = sorted((c1 + j, r2 + 1 + i) for i, row in enumerate(below) for j, v in enumerate(row) if not _blank(v))
        typed = [f"{col_letter(c - 1)}{r}" for c, r in cells]
        self.listed(
            "typed_below",
            sheet_name,
            typed,
            f" is typed below the table {table} (its last row is {r2}), where no formula sees it: "
            "insert rows inside the table and move it there",
            f"cells are typed below the table {table}",
            name,
        )

    def listed(self, kind: str, sheet_name: str, coordinates: list[str], says: str, rest: str, name: str) -> None:
        """One problem per cell for the first few *coordinates* of a sheet, then one that counts the rest."""
        for coordinate in coordinates[:_LISTED]:
            message = f"'{sheet_name}'!{coordinate}{says}"
            self.problems.append(Problem(message, kind=kind, sheet=sheet_name, cell=coordinate, path=name))
        if len(coordinates) > _LISTED:
            message = f"'{sheet_name}': {len(coordinates) - _LISTED} more {rest}"
            self.problems.append(Problem(message, kind=kind, sheet=sheet_name, path=name))

    def structure(self, message: str, name: str) -> None:
        """A problem with the workbook's defined name *name*."""
        self.problems.append(Problem(message, kind="structure", path=name))

    def computed_cells(self) -> None:
        """Report every cell that cpxl wrote as a formula and that now holds a value, or nothing."""
        for name in self.book.names:
            area = self.area(name, "block", "a computed result") if _computed_name(name) else None
            if area is None:
                continue
            sheet_name, r1, c1, r2, c2 = area
            formulas = self.book.sheets[sheet_name].formulas
            lost = [
                f"{col_letter(c - 1)}{r}"
                for r in range(r1, r2 + 1)
                for c in range(c1, c2 + 1)
                if (r, c) not in formulas
            ]
            self.listed(
                "formula_replaced",
                sheet_name,
                lost,
                f" ({name}) holds a value where cpxl wrote a formula, so the sheet no longer computes it: "
                "copy the formula from the row above, or rebuild with cpxl build",
                f"cells of {name} lost their formula",
                name,
            )

    def value(self, block: _Block, i: int, j: int, spec: Column | Any, path: str) -> Any:
        """Cell (*i*, *j*) of *block* as the schema wants it, read the way the sheet's formulas read it."""
        raw = block.values[i][j]
        if raw is None or (isinstance(raw, str) and raw == ""):
            return None
        raw = _plain(raw)
        kind = spec.kind
        plain = coerce_plain(raw, spec)  # the common cases, with no address made
        if plain is not NOT_PLAIN:
            return plain
        where = block.where(i, j)
        place = f"{where} ({path})"
        sheet, cell = block.sheet, where.rpartition("!")[2]

        def bad(message: str) -> None:
            self.problems.append(Problem(message, sheet=sheet, cell=cell, path=path))

        if kind in ("number", "fraction", "int"):
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                shown = "TRUE/FALSE" if isinstance(raw, bool) else f"the text {raw!r}"
                bad(
                    f"{place} holds {shown} where a number goes, which the sheet's formulas count as 0 or skip: "
                    "type the number itself (no quotes, units or spaces)"
                )
                return None
        elif kind == "bool":
            if isinstance(raw, str) and raw.casefold() in (self.yes.casefold(), self.no.casefold()):
                return raw.casefold() == self.yes.casefold()
            anything_else = f"(the formulas read anything else as {self.no})"
            bad(f"{place} must be {self.yes} or {self.no} {anything_else}, got {_shown(raw)}")
            return None
        elif kind == "choice":
            labels = {label(f"choice.{code}", self.lang).casefold(): code for code in spec.choices}
            if isinstance(raw, str) and raw.casefold() in labels:
                return labels[raw.casefold()]
            if isinstance(raw, str) and not raw.strip():
                return None
            hint = "" if choice_code(str(raw), spec.choices) is None else " (the formulas only match the list's words)"
            bad(f"{place} is not one of the choices of its list{hint}, got {_shown(raw)}")
            return None
        found: list[str] = []
        value = coerce(raw, spec, place, found)
        for message in found:
            bad(message)
        return value

    # --- the audit ----------------------------------------------------------------------------------

    def examine(self) -> Examined:
        """The audit (when its inputs make one), every problem, and the cached named results."""
        if not any(spec.key in self.book.names for spec in FIELDS):
            raise AuditError(
                ["not a cpxl audit workbook: it has none of the defined names cpxl writes (company, tax_rate, ...)"],
                self.source,
            )
        fields: dict[str, Any] = {}
        for spec in FIELDS:
            block = self.cells(spec.key, "cell", f"the field {spec.key}")
            if block is not None:
                fields[spec.key] = self.value(block, 0, 0, spec, f"fields.{spec.key}")
        tables = {key: self.table(key) for key in TABLES}
        weights = {}
        for key, table in TABLES.items():
            if table.ratings:
                block = self.cells(f"{key}_weights", "row", f"the factor weights of {key}")
                width = len(block.values[0]) if block is not None else 0
                if block is not None and width != len(table.ratings):
                    self.structure(
                        f"the defined name {key}_weights must cover {len(table.ratings)} cells, got {width}",
                        f"{key}_weights",
                    )
                elif block is not None:
                    spec = Column("weight", "number", minimum=0)
                    weights[key] = [self.value(block, 0, j, spec, f"weights.{key}[{j + 1}]") for j in range(width)]
        audit = None
        if not self.problems:
            try:
                audit = Audit.from_dict({"fields": fields, "tables": tables, "weights": weights}, source=self.source)
            except AuditError as exc:
                self.problems += [Problem(p, kind="inconsistent", path=p.split(" ", 1)[0]) for p in exc.problems]
        results = {}
        for name in self.book.names:
            if _computed_name(name) and not name.startswith(_TABLE_PREFIXES):
                block = self.cells(name, "cell", "a result")
                if block is not None:
                    value = _plain(block.values[0][0])
                    results[name] = None if value == "" else value
        self.computed_cells()  # a formula replaced by a value spoils a result, not the audit's inputs
        return Examined(self.source, audit, self.problems, results, self.lang, self.areas, self.rows)

    def table(self, key: str) -> list[dict[str, Any]]:
        """The records of the list table *key*: its rows that are not wholly blank, and nothing typed below it."""
        table = TABLES[key]
        columns: dict[str, _Block] = {}
        for col in table.columns:
            name = f"{key}_{col.key}"
            block = self.cells(name, "column", f"the column {col.key} of the table {key}")
            if block is not None:
                columns[col.key] = block
                self.below(name, key)
        ratings = None
        if table.ratings:
            ratings = self.cells(f"{key}_ratings", "block", f"the ratings of the table {key}")
            if ratings is not None and len(ratings.values[0]) != len(table.ratings):
                self.structure(
                    f"the defined name {key}_ratings must be {len(table.ratings)} columns wide, "
                    f"got {len(ratings.values[0])}",
                    f"{key}_ratings",
                )
                ratings = None
            elif ratings is not None:
                self.below(f"{key}_ratings", key)
        missing = [col.key for col in table.columns if col.key not in columns]
        if not columns or any(f"{key}_{k}" not in self.added for k in missing) or (table.ratings and ratings is None):
            return []
        lengths = {f"{key}_{k}": len(v.values) for k, v in columns.items()}
        if ratings is not None:
            lengths[f"{key}_ratings"] = len(ratings.values)
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{name} on '{self.areas[name][0]}' {n}" for name, n in lengths.items())
            self.structure(
                f"the table {key} has a different number of rows on its sheets ({shown}): rows were inserted or "
                "deleted on one sheet only; insert or delete the same rows on every sheet of the table, or undo",
                key,
            )
            return []
        records = []
        height = len(next(iter(columns.values())).values)
        for key in missing:  # added to the schema after the workbook was built: blank in every row
            columns[key] = _Block("", 0, 0, [[None]] * height)
        blocks = [columns[col.key] for col in table.columns]
        cells = [[row[0] for row in block.values] for block in blocks]
        if ratings is not None:
            cells += [list(column) for column in zip(*ratings.values, strict=True)]
        for i in sorted({i for column in cells for i, v in enumerate(column) if v != "" and v is not None}):
            if all(_blank(column[i]) for column in cells):
                continue  # a spare row: only blanks
            index = len(records) + 1
            record = {
                col.key: self.value(block, i, 0, col, f"{key}[{index}].{col.key}")
                for col, block in zip(table.columns, blocks, strict=True)
            }
            if ratings is not None:
                spec = Column("rating", "number", minimum=0)
                record["ratings"] = [
                    self.value(ratings, i, j, spec, f"{key}[{index}].ratings[{j + 1}]")
                    for j in range(len(ratings.values[i]))
                ]
            records.append(record)
            self.rows.setdefault(key, []).append(i)
        return records


@functools.lru_cache(maxsize=4096)
def _computed_name(name: str) -> bool:
    """Whether *name* is one that cpxl gives to computed cells: a result, or a computed column of a table."""
    if name.startswith("result_") or name == "main_output":
        return True
    table, _, key = name.partition("_")
    while table and table not in TABLES and key:  # table keys hold no underscore today; stay general
        head, _, key = key.partition("_")
        table = f"{table}_{head}"
    spec = TABLES.get(table)
    return spec is not None and key not in (*spec.keys, "ratings", "weights")


def _schema_version(book: Package) -> int:
    """The schema version a workbook was built with (its ``cpxl_schema_version`` property), else the current one."""
    try:
        version = int(str(book.properties.get("cpxl_schema_version", SCHEMA_VERSION)).strip())
    except ValueError:
        return SCHEMA_VERSION
    return version if 1 <= version <= SCHEMA_VERSION else SCHEMA_VERSION


def _language(book: Package) -> str:
    """The language a workbook was built in: its ``cpxl_lang`` property, else the language of its sheet names."""
    if book.properties.get("cpxl_lang") in LANGUAGES:
        return book.properties["cpxl_lang"]
    zh = {label(key, "zh") for key in LABELS if key.startswith("sheet.")}
    return "zh" if zh & set(book.sheets) else "en"


def _bounds(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(row, column) of the first and last cell of an A1 reference such as ``$B$9:$B$68`` (1-based)."""
    first, _, last = ref.replace("$", "").partition(":")
    return cell_position(first), cell_position(last or first)


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).upper() if isinstance(value, bool) else f"{value:g}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    """Cell values as the schema reads them (text comes decoded as typed): a date in a text column as ISO text."""
    if value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
