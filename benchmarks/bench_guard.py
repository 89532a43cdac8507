"""Benchmark the checks of :func:`cpxl.workbook.guard.open_workbook` on the example workbook.

The baseline is what :func:`cpxl.workbook.read` did before the guard: ``openpyxl.load_workbook(path,
data_only=True)``. The guard reads the file once, parses the zip's directory, inflates every part once more
(1 MiB at a time, counting XML elements and looking for ``<!DOCTYPE``) and then loads the same bytes with
openpyxl. Also timed: the checks alone, and ``read()`` whole, to put the overhead in proportion.

Run: ``python benchmarks/bench_guard.py [--repeats 30]``. Prints the median seconds of each and the ratio
guarded / bare load (target: <= 1.05).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl

from cpxl.audit import Audit
from cpxl.workbook import build, read
from cpxl.workbook.guard import _check, _read_bounded, open_workbook


def seconds(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def paired(first: Any, second: Any, repeats: int) -> tuple[float, float, float]:
    """Median seconds of each and the median of their ratios, the two run in turn (alternating which is first),
    so that a busy machine slows both alike."""
    a, b, ratios = [], [], []
    for i in range(repeats):
        if i % 2:
            tb, ta = seconds(second), seconds(first)
        else:
            ta, tb = seconds(first), seconds(second)
        a.append(ta)
        b.append(tb)
        ratios.append(tb / ta)
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    path = build(Audit.example(), Path(tempfile.mkdtemp()) / "example.xlsx")

    def bare() -> None:
        openpyxl.load_workbook(path, data_only=True)

    def guarded() -> None:
        open_workbook(path)

    def checks() -> None:
        _check(_read_bounded(path, str(path)), str(path), full=True)

    def whole_read() -> None:
        read(path)

    for action in (bare, guarded, checks, whole_read):  # warm up imports and caches
        action()
    t_bare, t_guarded, ratio = paired(bare, guarded, args.repeats)
    t_checks = statistics.median(seconds(checks) for _ in range(args.repeats))
    t_read = statistics.median(seconds(whole_read) for _ in range(args.repeats))
    print(f"example workbook: {path.stat().st_size:,} bytes")
    print(f"{'':26}{'median s':>10}")
    for name, value in (
        ("openpyxl load (bare)", t_bare),
        ("open_workbook (guarded)", t_guarded),
        ("the checks alone", t_checks),
        ("read() whole", t_read),
    ):
        print(f"{name:26}{value:>10.4f}")
    print(f"ratio guarded / bare load: {ratio:.3f} (target <= 1.05), median of {args.repeats} paired runs")
    print(f"the checks are {t_checks * 1e3:.1f} ms, {t_checks / t_read:.1%} of read()")


if __name__ == "__main__":
    main()
