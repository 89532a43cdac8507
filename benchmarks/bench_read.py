"""Benchmark reading a filled audit workbook back (``cpxl.workbook.read``) against two bare readers.

Baselines: python-calamine reading every cell of every sheet (the least any reader of cached values must do),
and openpyxl loading the file once with cached values (what ``read`` used before). ``read`` does more, all of
it on purpose: it checks the file before parsing it (``cpxl.workbook.guard``), finds the formula, error and
merged cells in the sheets' XML, looks under every table for cells no formula sees, and validates the audit.

Target: ``read`` within 3x of python-calamine (the two are timed alternately, so that both see the same load).

Run: ``python benchmarks/bench_read.py [--repeats 15]``. Prints the median seconds of each and the ratios, for
the example and for a blank with 200 rows in every table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook
from timing import median_seconds, paired_medians, record

from cpxl.audit import Audit
from cpxl.workbook import build, read


def calamine_every_cell(path: Path) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    books = {
        "example": build(Audit.example(), folder / "example.xlsx"),
        "blank, 200 rows": build(Audit.blank(), folder / "blank200.xlsx", rows=200),
    }
    print(f"{'workbook':<18}{'read (s)':>10}{'calamine (s)':>14}{'openpyxl (s)':>14}{'/calamine':>11}{'/openpyxl':>11}")
    for label, path in books.items():
        ours, calamine = paired_medians(lambda p=path: read(p), lambda p=path: calamine_every_cell(p), args.repeats)
        bare = median_seconds(lambda p=path: openpyxl.load_workbook(p, data_only=True), args.repeats)
        print(f"{label:<18}{ours:>10.4f}{calamine:>14.4f}{bare:>14.4f}{ours / calamine:>11.1f}{ours / bare:>11.2f}")
        record(f"read, {label}", ours, calamine, baseline_name="python-calamine, every cell", max_ratio=3)


if __name__ == "__main__":
    main()
