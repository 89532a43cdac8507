"""Benchmark ``cpxl collect`` over N filled workbooks against python-calamine reading every cell of every file.

The baseline is the least any collector must do: open each workbook with python-calamine (Rust) and read every
cell of every sheet (``CalamineWorkbook.from_path(p)``, ``sheet.to_python()``). ``collect`` does more, on
purpose: the guard's checks of each file, :func:`cpxl.workbook.examine` (every defined name, every problem,
formulas replaced by values), :func:`cpxl.batch.check.check_examined` (the builder run dry for the cached
results, the reconciliation), and the writing of the table. Target: collect / calamine <= 2.
``collect --jobs 2`` is timed too (2 worker processes).

The N files are copies of the filled example (what is timed is reading, not building). Peak memory is the
resident peak of a child process that collects N/4 and then N files: flat in N means the two are alike. Where
the time goes is shown per file: the read (examine), the check, the rest.

The two are timed alternately (``--repeats`` times), so that both see the same load.

Run: ``python benchmarks/bench_collect.py [--count 200] [--repeats 1]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import paired_medians, record

from cpxl.audit import Audit
from cpxl.batch.check import check_examined
from cpxl.batch.collect import write_collection
from cpxl.workbook import build, examine

_CHILD = """
import json, resource, sys
from pathlib import Path
from cpxl.batch.collect import write_collection
files = sorted(Path(sys.argv[1]).glob("*.xlsx"))[: int(sys.argv[2])]
write_collection(files, Path(sys.argv[3]), overwrite=True)
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def calamine_every_cell(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
        book.close()
    return cells


def peak_mb(folder: Path, count: int, out: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), str(count), str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)["peak_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="number of workbooks")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    books = folder / "books"
    books.mkdir()
    example = build(Audit.example(), folder / "example.xlsx")
    for k in range(args.count):
        shutil.copy(example, books / f"plant-{k:05d}.xlsx")
    files = sorted(books.glob("*.xlsx"))
    out = folder / "all.csv"

    ours, bare = paired_medians(
        lambda: write_collection(files, out, overwrite=True), lambda: calamine_every_cell(files), args.repeats
    )
    print(f"{'workbooks':<12}{'collect (s)':>12}{'calamine (s)':>14}{'ratio':>8}{'per file (ms)':>15}")
    print(f"{args.count:<12}{ours:>12.2f}{bare:>14.2f}{ours / bare:>8.1f}{1000 * ours / args.count:>15.0f}")
    record(f"collect, {args.count} workbooks", ours, bare, baseline_name="python-calamine, every cell", max_ratio=2)
    two, bare2 = paired_medians(
        lambda: write_collection(files, out, overwrite=True, jobs=2), lambda: calamine_every_cell(files), args.repeats
    )
    print(f"--jobs 2: {two:.2f} s, {ours / two:.2f}x faster than --jobs 1; {two / bare2:.1f}x calamine in one process")
    record(
        f"collect --jobs 2, {args.count} workbooks",
        two,
        bare2,
        baseline_name="python-calamine, every cell, 1 process",
        max_ratio=2,
    )

    quarter = max(1, args.count // 4)
    print(
        f"peak memory: {peak_mb(books, quarter, out):.0f} MB for {quarter} workbooks, "
        f"{peak_mb(books, args.count, out):.0f} MB for {args.count}"
    )

    sample = files[: min(10, len(files))]
    read_s = check_s = 0.0
    for path in sample:
        start = time.perf_counter()
        found = examine(path)
        middle = time.perf_counter()
        check_examined(found)
        read_s += middle - start
        check_s += time.perf_counter() - middle
    per_file = ours / args.count
    read_ms, check_ms = 1000 * read_s / len(sample), 1000 * check_s / len(sample)
    print(
        f"per file: examine {read_ms:.0f} ms, check {check_ms:.0f} ms (the builder run dry and the reconciliation), "
        f"the rest {max(0.0, 1000 * per_file - read_ms - check_ms):.0f} ms; calamine {1000 * bare / args.count:.0f} ms"
    )


if __name__ == "__main__":
    main()
