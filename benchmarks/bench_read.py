"""Benchmark reading a filled audit workbook back (``cpxl.workbook.read``) against openpyxl loading it bare.

The baseline is the least a reader built on openpyxl must do: load the file once with cached values
(``openpyxl.load_workbook(path, data_only=True)``) and nothing else. ``read`` does more, all of it on purpose:
it checks the file before parsing it (``cpxl.workbook.guard``), keeps cell text exactly as stored, loads the
formulas a second time (read-only) to find formulas replaced by values, looks under every table for cells no
formula sees, and validates the audit.

Run: ``python benchmarks/bench_read.py [--repeats 15]``. Prints the median seconds of each and their ratio, for
the example and for a blank with 200 rows in every table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import openpyxl
from timing import median_seconds

from cpxl.audit import Audit
from cpxl.workbook import build, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    books = {
        "example": build(Audit.example(), folder / "example.xlsx"),
        "blank, 200 rows": build(Audit.blank(), folder / "blank200.xlsx", rows=200),
    }
    print(f"{'workbook':<18}{'read (s)':>10}{'openpyxl (s)':>14}{'ratio':>8}")
    for label, path in books.items():
        ours = median_seconds(lambda p=path: read(p), args.repeats)
        bare = median_seconds(lambda p=path: openpyxl.load_workbook(p, data_only=True), args.repeats)
        print(f"{label:<18}{ours:>10.3f}{bare:>14.3f}{ours / bare:>8.2f}")


if __name__ == "__main__":
    main()
