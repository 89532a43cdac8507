"""Benchmark building the example audit workbook against a bare XlsxWriter script writing the same cells.

The baseline is the least any builder must do: the same cells (values, formulas with their cached values,
cell formats), the same defined names and column widths, written straight from a prepared list with
XlsxWriter and nothing computed. cpxl's build also validates nothing twice, computes every cached value with
cpxl.core (reconciliation included), adds validations, conditional formats and charts.

Run: ``python benchmarks/bench_workbook.py [--repeats 15]``. Prints the median seconds of each and their ratio
(target: cpxl / bare <= 1.5).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from timing import median_seconds

from cpxl.audit import Audit
from cpxl.workbook import build


def _format_spec(cell: Any) -> tuple:
    font, fill, border = cell.font, cell.fill, cell.border
    color = fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" else None
    return (
        cell.number_format,
        bool(font.b),
        bool(font.i),
        float(font.sz or 10),
        color if isinstance(color, str) else None,
        bool(border.left.style),
        bool(cell.alignment.wrap_text),
    )


def prepared_cells(path: Path) -> dict[str, Any]:
    """What the bare script writes: per sheet, every cell (formula + cached value, or value) and its format."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in formulas.worksheets:
        cached = values[ws.title]
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                value = cell.value
                formula = None
                if hasattr(value, "text"):  # array formula
                    formula, value = value.text, cached[cell.coordinate].value
                elif isinstance(value, str) and value.startswith("="):
                    formula, value = value, cached[cell.coordinate].value
                cells.append((cell.row - 1, cell.column - 1, formula, value, _format_spec(cell)))
        widths = {key: dim.width for key, dim in ws.column_dimensions.items() if dim.width}
        sheets.append((ws.title, cells, widths))
    names = {name: item.attr_text for name, item in formulas.defined_names.items()}
    return {"sheets": sheets, "names": names}


def bare_write(prepared: dict[str, Any], path: Path) -> None:
    """The baseline: XlsxWriter writes the prepared cells, formats, widths and names; nothing else."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    formats: dict[tuple, Any] = {}
    for title, cells, widths in prepared["sheets"]:
        ws = wb.add_worksheet(title)
        for letter, width in widths.items():
            ws.set_column(f"{letter}:{letter}", width)
        for row, col, formula, value, spec in cells:
            fmt = formats.get(spec)
            if fmt is None:
                num, bold, italic, size, color, border, wrap = spec
                options = {"num_format": num, "bold": bold, "italic": italic, "font_size": size, "text_wrap": wrap}
                if color:
                    options["bg_color"] = "#" + color[-6:]
                if border:
                    options["border"] = 1
                fmt = formats[spec] = wb.add_format(options)
            if formula is not None:
                ws.write_formula(row, col, formula, fmt, "" if value is None else value)
            elif value is None:
                ws.write_blank(row, col, None, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(row, col, value, fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(row, col, value, fmt)
            else:
                ws.write_string(row, col, str(value), fmt)
    for name, ref in prepared["names"].items():
        wb.define_name(name, f"={ref}")
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    audit = Audit.example()
    reference = build(audit, folder / "reference.xlsx")
    prepared = prepared_cells(reference)
    n_cells = sum(len(cells) for _, cells, _ in prepared["sheets"])
    counter = iter(range(10**9))

    def cpxl_build() -> None:
        build(audit, folder / f"cpxl{next(counter)}.xlsx")

    def bare() -> None:
        bare_write(prepared, folder / f"bare{next(counter)}.xlsx")

    cpxl_build(), bare()  # warm up imports and caches
    t_cpxl = median_seconds(cpxl_build, args.repeats)
    t_bare = median_seconds(bare, args.repeats)
    print(f"example workbook: {len(prepared['sheets'])} sheets, {n_cells} cells, {len(prepared['names'])} names")
    print(f"{'':24}{'median s':>10}")
    print(f"{'cpxl build':24}{t_cpxl:>10.4f}")
    print(f"{'bare XlsxWriter':24}{t_bare:>10.4f}")
    print(f"ratio cpxl / bare: {t_cpxl / t_bare:.2f} (target <= 1.5), medians of {args.repeats} runs")


if __name__ == "__main__":
    main()
