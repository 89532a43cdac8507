"""The machinery that writes audit sheets: formats, labelled fields, list tables, named results.

A *table part* is a block of rows on one sheet: input columns from the schema,
then computed columns, each a native Excel formula written with its value
cached (so the file shows correct numbers before any recalculation). Every input
column and every computed column gets a workbook-wide defined name
``<table>_<column>`` over all its rows, spare rows included, which the reader
uses and users can type (``=SUM(streams_measured)``).

Tables grow down and nothing is ever written below a list table in its
columns: a sheet's single-cell results sit above its tables, and a second
table on a sheet goes beside the first (:meth:`Sheet.beside`). A table's title
counts the cells typed below it, which no formula sees, and turns red then;
the Dashboard adds them up.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..audit.schema import TABLES, Column
from .labels import choice_label, label

__all__ = ["Book", "Computed", "Placement", "Sheet", "col_letter", "png_size"]

INPUT_FILL, COMPUTED_FILL, HEADER_FILL, FLAG_FILL = "#FFF2CC", "#EDEDED", "#DDEBF7", "#F8CBAD"
LAST_ROW = 1048576  # the last row of a sheet in Excel, LibreOffice and WPS
NUMBER_FORMATS = {
    "amount": "#,##0.00##",
    "num": "#,##0.00",
    "num3": "#,##0.000",
    "int": "#,##0",
    "pct": "0.0%",
    "text": "@",
    "general": "General",
    "years": "0.00",
    "score": "0.0",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The most a picture placed on a sheet takes on screen, in pixels at 100 % zoom (width, height).
PICTURE_BOX = (900, 900)


def png_size(data: bytes) -> tuple[int, int, float, float]:
    """Width and height (pixels) and resolution (dots per inch, 96 when not given) of a PNG picture.

    Reads the ``IHDR`` chunk, which a PNG holds first, and the ``pHYs`` chunk where there is one, as
    XlsxWriter does to size a picture. Raises ``ValueError`` for bytes that are not a PNG with a size.

    Parameters
    ----------
    data : bytes
        The PNG file's bytes [-]

    Returns
    -------
    size : tuple
        Width [px], height [px], horizontal and vertical resolution [dpi]

    Examples
    --------
    >>> import base64
    >>> png_size(base64.b64decode(
    ...     "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="))
    (1, 1, 96.0, 96.0)
    """
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR" or len(data) < 24:
        raise ValueError("not a PNG picture")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise ValueError("a PNG picture of no size")
    dpi = [96.0, 96.0]
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"pHYs" and length == 9 and pos + 17 <= len(data):
            x, y, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            if unit == 1 and x and y:  # pixels per metre
                dpi = [x * 0.0254, y * 0.0254]
        if kind in (b"IDAT", b"IEND"):  # pHYs comes before the image data
            break
        pos += 12 + length
    return width, height, dpi[0], dpi[1]


def col_letter(col: int) -> str:
    """Excel column letters of a 0-based column index.

    Examples
    --------
    >>> col_letter(0), col_letter(25), col_letter(27)
    ('A', 'Z', 'AB')
    """
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: always quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


@dataclass
class Computed:
    """A computed column: a formula template for one row and the function giving its cached value.

    ``formula`` uses ``{column}`` for the same row's cell of another column of
    the part (input, reference or earlier computed) and ``{ratings}`` for the
    row's ratings; defined names are written as they are. ``value(record, row)`` returns the cached value from the audit
    record and the row's values so far (``None`` for an empty result).
    """

    key: str
    formula: str
    value: Callable[[dict[str, Any], dict[str, Any]], Any]
    kind: str = "num"
    width: float = 13
    flag: str | None = None  # conditional-format criterion on this cell, e.g. '{cell}<0'
    unit: str | None = None  # "mass", "money" or "money_per_mass": the header then names the audit's units


@dataclass
class Placement:
    """Where a table part landed: sheet, first data row (0-based), number of rows and column positions."""

    table: str
    sheet: str
    first_row: int
    rows: int
    columns: dict[str, int] = field(default_factory=dict)
    last_col: int = 0  # the rightmost column of the part, reserved extra columns included
    computed: dict[str, tuple[str, list[Any]]] = field(default_factory=dict)  # key -> (kind, cached value per row)

    @property
    def first_col(self) -> int:
        """The leftmost column of the part."""
        return min(self.columns.values())

    def below(self) -> str:
        """Absolute, sheet-qualified range under the part in its columns, to the last row of the sheet."""
        first, last = col_letter(self.first_col), col_letter(self.last_col)
        return f"{quote_sheet(self.sheet)}!${first}${self.first_row + self.rows + 1}:${last}${LAST_ROW}"

    def address(self, key: str, i: int) -> str:
        """Relative A1 address of row *i* (0-based) of column *key*, on its own sheet."""
        return f"{col_letter(self.columns[key])}{self.first_row + i + 1}"

    def range(self, key: str, rows: int | None = None) -> str:
        """Absolute, sheet-qualified range of column *key*: all its rows, or the first *rows*."""
        c = col_letter(self.columns[key])
        last = self.first_row + (self.rows if rows is None else rows)
        return f"{quote_sheet(self.sheet)}!${c}${self.first_row + 1}:${c}${last}"


class _Sink:
    """Takes every call and attribute of an XlsxWriter workbook and does nothing: a dry book writes nothing."""

    def __getattr__(self, name: str) -> _Sink:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Sink:
        return self


class Book:
    """An XlsxWriter workbook with cpxl's formats, labels in one language, and defined names.

    A *dry* book (``workbook=None``) writes nothing: it computes what a workbook of the audit would cache (the
    named results in ``values``) and where (``names``), with no formats, validations or widths, and its tables
    hold only their records (no room to grow). ``cpxl check`` compares a returned workbook with one.
    """

    def __init__(
        self,
        workbook: Any,
        lang: str,
        units: dict[str, str] | None = None,
        *,
        room: bool = True,
        pictures: dict[str, bytes] | None = None,
    ):
        self.dry = workbook is None
        self.wb = _Sink() if workbook is None else workbook
        self.lang = lang
        self.room = room and not self.dry  # False: tables hold only their records
        self.units = dict(units or {})  # what "mass" and "money" columns are measured in: {"mass": "t", "money": "CNY"}
        if self.units.get("money") and self.units.get("mass"):  # a price: CNY/t
            self.units.setdefault("money_per_mass", f"{self.units['money']}/{self.units['mass']}")
        self._formats: dict[tuple[str, str], Any] = {}
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}  # cached values of named single-cell results
        self.below_tables: list[str] = []  # the range under every table part, where typed cells are not counted
        # PNG pictures to place, by sheet key ("balance": the balance diagram); a dry book places none
        self.pictures: dict[str, bytes] = {} if self.dry else dict(pictures or {})

    def yes_no(self) -> tuple[str, str]:
        """The two words a yes/no cell holds in this book's language (formulas compare them case-insensitively)."""
        return self.text("word.yes"), self.text("word.no")

    def header(self, table: str, column: Column | Computed) -> str:
        """A column's header: its label, with the currency or mass unit of the audit where it has one."""
        text = self.text(f"col.{table}.{column.key}")
        unit = self.units.get(column.unit or "")
        return f"{text} ({unit})" if unit else text

    def text(self, key: str) -> str:
        """The label *key* in the book's language."""
        return label(key, self.lang)

    def fmt(self, role: str, kind: str = "general") -> Any:
        """A cell format by role (input, computed, header, title, subtitle, label, note, flag) and number kind."""
        cache_key = (role, kind)
        if cache_key not in self._formats:
            spec: dict[str, Any] = {"font_name": "Arial", "font_size": 10, "valign": "vcenter"}
            if role in ("input", "computed", "header", "label"):
                spec["border"] = 1
                spec["border_color"] = "#BFBFBF"
            if role == "input":
                spec["bg_color"] = INPUT_FILL
                spec["locked"] = False
            elif role == "computed":
                spec["bg_color"] = COMPUTED_FILL
            elif role == "header":
                spec.update(bold=True, bg_color=HEADER_FILL, text_wrap=True, align="center")
            elif role == "title":
                spec.update(bold=True, font_size=14)
            elif role == "subtitle":
                spec.update(bold=True, font_size=11)
            elif role == "flag":
                spec.update(bg_color=FLAG_FILL, font_color="#9C0006")
            elif role == "note":
                spec.update(italic=True, font_color="#595959")
            if kind in NUMBER_FORMATS and kind != "general":
                spec["num_format"] = NUMBER_FORMATS[kind]
            if kind == "text":
                spec["text_wrap"] = True
            self._formats[cache_key] = self.wb.add_format(spec)
        return self._formats[cache_key]

    def define(self, name: str, ref: str) -> None:
        """A workbook-wide defined name; a name defined twice is a programming error."""
        if name in self.names:
            raise ValueError(f"defined name {name!r} twice")
        self.names[name] = ref
        self.wb.define_name(name, f"={ref}")


class Sheet:
    """One worksheet being written top to bottom; ``row`` is the next free row (0-based)."""

    def __init__(self, book: Book, key: str):
        self.book = book
        self.key = key
        self.name = book.text(f"sheet.{key}")
        self.ws = book.wb.add_worksheet(self.name)
        self.row = 0
        self.col0 = 0  # the left column of what is written next
        self.right = 0  # one past the rightmost column written so far
        self.tables_top: int | None = None  # the row where the first table of the sheet begins
        self.header_rows: tuple[int, int] | None = None
        self.widths: dict[int, float] = {}
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.ws.set_footer(f"&L{book.text('guide.made_by')}&C&A&R&P / &N")
        self.ws.hide_gridlines(2)

    def width(self, col: int, width: float) -> None:
        """Make column *col* at least *width* characters wide."""
        self.widths[col] = max(width, self.widths.get(col, 0))
        self.ws.set_column(col, col, self.widths[col])
        self.right = max(self.right, col + 1)

    def beside(self) -> None:
        """Write the next table to the right of the tables so far, one blank column apart, from the same row.

        A list table grows down, so nothing may sit below it in its columns:
        a second table on a sheet goes beside the first.
        """
        if self.tables_top is None:
            raise ValueError("beside() needs a table before it")
        self.col0 = self.right + 1
        self.row = self.tables_top
        self.width(self.col0 - 1, 3)

    # --- simple blocks ------------------------------------------------------------------------------

    def title(self, key: str) -> None:
        """A sheet or block title."""
        role = "title" if self.row == 0 else "subtitle"
        if self.row and (self.tables_top is None or self.row > self.tables_top):
            self.row += 1
        self.ws.write_string(self.row, self.col0, self.book.text(f"title.{key}"), self.book.fmt(role))
        self.row += 1

    def note(self, text: str) -> None:
        """A line of explanatory text."""
        self.ws.write_string(self.row, self.col0, text, self.book.fmt("note"))
        self.row += 1

    def field(self, key: str, spec: Any, value: Any, width_cols: int = 1) -> None:
        """A labelled input cell with the defined name *key*."""
        self.ws.write_string(self.row, 0, self.book.text(f"field.{key}"), self.book.fmt("label"))
        kind = "general" if spec.kind == "text" else _input_kind(spec)  # text runs on into the empty cells
        fmt = self.book.fmt("input", kind)
        _write_input(self.ws, self.row, 1, value, spec, fmt, self.book)
        _validate(self.ws, self.row, 1, self.row, 1, spec, self.book)
        _flag_misread(self.ws, self.row, 1, self.row, spec, self.book)
        self.book.define(key, f"{quote_sheet(self.name)}!$B${self.row + 1}")
        self.row += 1

    def named_input(self, key: str, spec: Any, value: Any, row: int, col: int) -> None:
        """An input cell without a label at (*row*, *col*), with the defined name *key*: a field shown in a header."""
        fmt = self.book.fmt("input", "pct" if spec.kind == "fraction" else "general")  # a year shows as 2025
        _write_input(self.ws, row, col, value, spec, fmt, self.book)
        _validate(self.ws, row, col, row, col, spec, self.book)
        _flag_misread(self.ws, row, col, row, spec, self.book)
        self.book.define(key, f"{quote_sheet(self.name)}!${col_letter(col)}${row + 1}")

    def result(self, key: str, name: str, formula: str, value: Any, kind: str, flag: str | None = None) -> str:
        """A labelled computed cell with a defined name; returns its absolute address."""
        text = self.book.text(key)
        c = self.col0
        self.ws.write_string(self.row, c, text, self.book.fmt("label"))
        self.width(c, min(len(text) * (2 if self.book.lang == "zh" else 1) + 2, 48))
        fmt = self.book.fmt("computed", kind)
        self.ws.write_formula(self.row, c + 1, formula, fmt, _cached(value))
        self.width(c + 1, 13)
        cell = f"${col_letter(c + 1)}${self.row + 1}"
        ref = f"{quote_sheet(self.name)}!{cell}"
        self.book.define(name, ref)
        self.book.values[name] = value
        if flag:
            criteria = flag.replace("{cell}", cell)
            self.ws.conditional_format(
                self.row,
                c + 1,
                self.row,
                c + 1,
                {"type": "formula", "criteria": f"={criteria}", "format": self.book.fmt("flag")},
            )
        self.row += 1
        return ref

    # --- tables -------------------------------------------------------------------------------------

    def table(
        self,
        table: str,
        title: str,
        records: Sequence[dict[str, Any]],
        rows: int,
        inputs: Sequence[str],
        computed: Sequence[Computed] = (),
        refs: Sequence[tuple[str, Placement, str]] = (),
        ratings: Sequence[float] | None = None,
        extra_columns: int = 0,
    ) -> Placement:
        """Write a table part under its title; returns where it landed.

        *refs* are columns shown from another part of the same table
        ``(key, placement, label key)``, as formulas: an input column, or a
        computed column of that part (its cached values come along). *ratings* (the factors'
        weights) adds one input column per rating factor, with the weights in
        a row above the header. *extra_columns* reserves columns on the right
        that the caller fills (they count as the table's own). The title
        says, in red, how many cells were typed below the table, where no
        formula sees them.
        """
        book, ws = self.book, self.ws
        spec = TABLES[table]
        if self.tables_top is None:
            self.tables_top = self.row + 1 if self.row else 0
            self.row = self.tables_top
        elif self.row != self.tables_top:
            raise ValueError(f"a table below another one on {self.name!r} could not grow: write it beside()")
        title_row = self.row
        layout: list[tuple[str, str]] = [(k, "ref") for k, _, _ in refs]
        layout += [(k, "input") for k in inputs]
        factors = spec.ratings if ratings is not None else ()
        layout += [(f"rating_{f}", "rating") for f, _ in factors]
        layout += [(c.key, "computed") for c in computed]
        columns = {key: self.col0 + i for i, (key, _) in enumerate(layout)}
        self.row = title_row + 1

        if factors:
            ws.write_string(
                self.row, columns[f"rating_{factors[0][0]}"] - 1, book.text("title.weights"), book.fmt("label")
            )
            first = columns[f"rating_{factors[0][0]}"]
            for j, weight in enumerate(ratings or ()):
                ws.write_number(self.row, first + j, weight, book.fmt("input", "general"))
            _validate(ws, self.row, first, self.row, first + len(factors) - 1, Column("w", "number", minimum=0), book)
            book.define(
                f"{table}_weights",
                f"{quote_sheet(self.name)}!${col_letter(first)}${self.row + 1}:"
                f"${col_letter(first + len(factors) - 1)}${self.row + 1}",
            )
            self.row += 1

        header = self.row
        computed_by_key = {c.key: c for c in computed}
        ref_labels = {k: lab for k, _, lab in refs}
        dry = book.dry
        for key, role in layout if not dry else ():
            if role == "ref":
                text = book.text(ref_labels[key])
            elif role == "rating":
                text = book.text(f"factor.{table}.{key[len('rating_') :]}")
            elif role == "input":
                text = book.header(table, spec.column(key))
            else:
                text = book.header(table, computed_by_key[key])
            ws.write_string(header, columns[key], text, book.fmt("header"))
        ws.set_row(header, 42)
        first_row = header + 1
        placement = Placement(table, self.name, first_row, rows, columns, self.col0 + len(layout) + extra_columns - 1)
        self.header_rows = (header, header) if self.header_rows is None else self.header_rows

        rating_keys = [f"rating_{f}" for f, _ in factors]
        ref_sources = {key: source for key, source, _ in refs}
        ref_formats = {key: book.fmt("computed", _ref_kind(key, source, spec)) for key, source, _ in refs}
        for item in computed:
            placement.computed[item.key] = (item.kind, [None] * rows)
        wrapped_texts: dict[int, list[tuple[int, Any]]] = {}
        for i in range(rows):
            record = records[i] if i < len(records) else None
            row_values: dict[str, Any] = {}
            r = first_row + i
            refs_here: dict[str, str] | None = None
            for key, role in layout:
                col = columns[key]
                if role == "ref":
                    source = ref_sources[key]
                    if key in source.computed:
                        value = source.computed[key][1][i]
                    else:
                        value = _display(record.get(key) if record else None, spec.column(key), book)
                    if not dry:
                        target = f"{quote_sheet(source.sheet)}!{source.address(key, i)}"
                        ws.write_formula(r, col, f'=IF({target}="","",{target})', ref_formats[key], _cached(value))
                    row_values[key] = value
                elif role == "input":
                    column = spec.column(key)
                    value = record.get(key) if record else None
                    if not dry:
                        _write_input(ws, r, col, value, column, book.fmt("input", _input_kind(column)), book)
                    row_values[key] = value
                elif role == "rating":
                    j = rating_keys.index(key)
                    value = (record.get("ratings") or [None] * len(factors))[j] if record else None
                    if dry:
                        pass
                    elif value is None:
                        ws.write_blank(r, col, None, book.fmt("input", "general"))
                    else:
                        ws.write_number(r, col, value, book.fmt("input", "general"))
                    row_values[key] = value
                else:
                    item = computed_by_key[key]
                    value = item.value(record, row_values) if record is not None else None
                    placement.computed[key][1][i] = value
                    if not dry:
                        if refs_here is None:
                            refs_here = {k: f"{col_letter(c)}{r + 1}" for k, c in columns.items()}
                            if factors:
                                refs_here["ratings"] = f"{refs_here[rating_keys[0]]}:{refs_here[rating_keys[-1]]}"
                        formula = "=" + item.formula.format_map(refs_here)
                        ws.write_formula(r, col, formula, book.fmt("computed", item.kind), _cached(value))
                    row_values[key] = value
            if dry:
                continue
            texts = [
                (columns[key], row_values[key])
                for key, role in layout
                if role in ("input", "ref") and key in spec.keys and spec.column(key).kind == "text" and row_values[key]
            ]
            if texts:
                wrapped_texts[r] = texts
        last = first_row + rows - 1
        for key, role in layout:
            col = columns[key]
            if role in ("input", "computed"):
                book.define(f"{table}_{key}", placement.range(key))
            if dry:
                continue
            if role == "input":
                _validate(ws, first_row, col, last, col, spec.column(key), book)
                _flag_misread(ws, first_row, col, last, spec.column(key), book)
            if role == "rating":
                _validate(ws, first_row, col, last, col, Column("r", "number", minimum=0), book)
                _flag_misread(ws, first_row, col, last, Column("r", "number"), book)
            width = (
                spec.column(key).width
                if role in ("input", "ref") and key in spec.keys
                else 13
                if role == "ref"
                else 11
                if role == "rating"
                else (computed_by_key[key].width)
            )
            self.width(col, width)
            if role == "computed" and computed_by_key[key].flag:
                cell = f"{col_letter(col)}{first_row + 1}"
                criteria = computed_by_key[key].flag.replace("{cell}", cell)
                ws.conditional_format(
                    first_row,
                    col,
                    last,
                    col,
                    {"type": "formula", "criteria": f"={criteria}", "format": book.fmt("flag")},
                )
        for r, texts in wrapped_texts.items():  # wrapped text shows whole in every client, not only where rows fit
            lines = max(_lines(text, self.widths[col]) for col, text in texts)
            if lines > 1:
                ws.set_row(r, 13 * min(lines, 4))
        if factors:
            first = columns[f"rating_{factors[0][0]}"]
            book.define(
                f"{table}_ratings",
                f"{quote_sheet(self.name)}!${col_letter(first)}${first_row + 1}:"
                f"${col_letter(first + len(factors) - 1)}${last + 1}",
            )
        if not dry:
            self._table_title(title_row, title, placement)
        self.right = max(self.right, placement.last_col + 1)
        self.row = last + 1
        return placement

    def _table_title(self, row: int, key: str, placement: Placement) -> None:
        """The title of a table part, which counts (in red) the cells typed below the part."""
        book, ws = self.book, self.ws
        below = placement.below()
        book.below_tables.append(below)
        text = book.text(f"title.{key}")
        role = "title" if row == 0 else "subtitle"
        formula = (
            f'={_string(text)}&IF(COUNTA({below})=0,"","   ⚠ "&COUNTA({below})&{_string(book.text("word.outside"))})'
        )
        ws.write_formula(row, placement.first_col, formula, book.fmt(role), text)
        ws.conditional_format(
            row,
            placement.first_col,
            row,
            placement.first_col,
            {"type": "formula", "criteria": f"=COUNTA({below})>0", "format": book.fmt("flag")},
        )

    def picture(self, description: str) -> None:
        """Place the book's picture for this sheet, if it has one, to the right of everything the sheet wrote.

        The picture's top left corner is at the first row below the frozen header (the top row when nothing
        is frozen: a picture across the split would show in both panes), one empty column right of the
        rightmost column written (:attr:`right`): list tables grow down, so nothing ever comes to lie under it.
        It is shown at most :data:`PICTURE_BOX` pixels large at 100 % zoom (a larger PNG is scaled down, never
        up), moves with the cells but keeps its size when columns or rows are resized, and *description* (a label key)
        is its alternative text. Call it after the sheet's last cell is written; a dry book places nothing.
        """
        png = self.book.pictures.get(self.key)
        if png is None:
            return
        width, height, x_dpi, y_dpi = png_size(png)
        shown = (width * 96 / x_dpi, height * 96 / y_dpi)  # pixels on screen at scale 1, as XlsxWriter sizes it
        scale = min(1.0, PICTURE_BOX[0] / shown[0], PICTURE_BOX[1] / shown[1])
        self.ws.insert_image(
            self.header_rows[1] + 1 if self.header_rows else 0,
            self.right + 1,
            f"{self.key}.png",
            {
                "image_data": io.BytesIO(png),
                "x_scale": scale,
                "y_scale": scale,
                "object_position": 2,  # move with cells, do not size with them
                "description": self.book.text(description),
            },
        )

    def finish(self, freeze: bool = True) -> None:
        """Freeze the first table's header and repeat it on printed pages."""
        if self.header_rows:
            if freeze:
                self.ws.freeze_panes(self.header_rows[1] + 1, 0)
            self.ws.repeat_rows(*self.header_rows)


def _ref_kind(key: str, source: Placement, spec: Any) -> str:
    """The number format of a column shown from another part: the computed column's, or its input's."""
    if key in source.computed:
        return source.computed[key][0]
    column = spec.column(key)
    return "text" if column.kind in ("text", "choice", "bool") else _input_kind(column)


def _input_kind(column: Column) -> str:
    return {"fraction": "pct", "int": "int", "number": "amount"}.get(column.kind, "text")


def _lines(value: Any, width: float) -> int:
    """Lines a text needs in a column *width* characters wide (a Chinese character is two wide)."""
    if not isinstance(value, str) or not value:
        return 1
    lines = 0
    for paragraph in value.split("\n"):
        wide = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        lines += max(1, -(-wide // max(int(width), 1)))
    return lines


def _string(text: str) -> str:
    """A text constant inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def _display(value: Any, spec: Any, book: Book) -> Any:
    """An audit value as the cell shows it: choice codes as labels, yes/no as the book's words."""
    if value is None:
        return None
    if spec.kind == "choice":
        return choice_label(value, book.lang)
    if spec.kind == "bool":
        return book.yes_no()[0 if value else 1]
    return value


def _cached(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _write_input(ws: Any, row: int, col: int, value: Any, spec: Any, fmt: Any, book: Book) -> None:
    shown = _display(value, spec, book)
    if shown is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(shown, (int, float)):
        ws.write_number(row, col, shown, fmt)
    else:
        ws.write_string(row, col, str(shown), fmt)


def _rule_text(spec: Any, book: Book) -> str:
    """The rule of an input cell in words, as its validation message and the reader's messages say it."""
    zh = book.lang == "zh"
    unit = book.units.get(getattr(spec, "unit", None) or "", "")
    if spec.kind == "fraction":
        return "0 到 1 之间的小数：8% 填 0.08。" if zh else "A fraction between 0 and 1: 8 % is 0.08."
    if spec.kind == "bool":
        yes, no = book.yes_no()
        return f"请选择“{yes}”或“{no}”。" if zh else f"Choose {yes} or {no}."
    if spec.kind == "choice":
        return "请从下拉列表中选择。" if zh else "Choose from the list."
    whole = spec.kind == "int"
    low = spec.minimum
    if zh:
        what = "整数" if whole else "数字"
        bound = f"，≥ {low:g}" if low is not None else ""
        return f"请输入{what}{bound}" + (f"，单位 {unit}" if unit else "") + "。"
    what = "A whole number" if whole else "A number"
    bound = f" ≥ {low:g}" if low is not None else ""
    return f"{what}{bound}" + (f", in {unit}" if unit else "") + "."


def _validate(ws: Any, r1: int, c1: int, r2: int, c2: int, spec: Any, book: Book) -> None:
    kind = spec.kind
    rule: dict[str, Any] | None = None
    if kind == "choice":
        rule = {"validate": "list", "source": [choice_label(c, book.lang) for c in spec.choices]}
    elif kind == "bool":
        rule = {"validate": "list", "source": list(book.yes_no())}
    elif kind in ("number", "fraction", "int"):
        rule = {"validate": "integer" if kind == "int" else "decimal"}
        low = spec.minimum
        if kind == "fraction":
            rule.update(criteria="between", minimum=0 if low is None else low, maximum=1)
        elif low is not None:
            rule.update(criteria=">=", value=low)
        else:
            rule.update(criteria="between", minimum=-1e300, maximum=1e300)
    elif getattr(spec, "form", None):  # a text of a given form: its rule shows when the cell is selected
        rule = {"validate": "any", "input_message": _form_text(spec.form, book)[:255]}
    if rule:
        if rule["validate"] != "any":
            rule["error_message"] = _rule_text(spec, book)[:255]
        ws.data_validation(r1, c1, r2, c2, rule)


def _form_text(form: str, book: Book) -> str:
    """The form a text column takes, in the book's language, as the cell's input message says it."""
    return book.text(f"form.{form}")


def _flag_misread(ws: Any, r1: int, col: int, r2: int, spec: Any, book: Book) -> None:
    """Mark red an input cell that the formulas would misread: text where a number goes, not Yes/No in a yes/no."""
    cell = f"{col_letter(col)}{r1 + 1}"
    if spec.kind in ("number", "fraction", "int"):
        criteria = f'AND({cell}<>"",NOT(ISNUMBER({cell})))'
    elif spec.kind == "bool":
        yes, no = book.yes_no()
        criteria = f'AND({cell}<>"",OR(NOT(ISTEXT({cell})),AND({cell}<>{_string(yes)},{cell}<>{_string(no)})))'
    else:
        return
    ws.conditional_format(r1, col, r2, col, {"type": "formula", "criteria": f"={criteria}", "format": book.fmt("flag")})
