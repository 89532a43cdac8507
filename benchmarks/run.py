"""Run every benchmark of cpxl (each ``bench_*.py`` beside this file) and print one table of their results.

Each benchmark states its baseline and target in its own docstring and prints its details; the results it
records (:func:`timing.record`) are gathered here into one table: work, cpxl median, baseline median, ratio,
target, met or not. Numbers are medians of repeated runs in one process, so ratios within one run are what to
compare on a shared, noisy machine.

Run: ``python benchmarks/run.py [--quick] [NAME ...]`` (``--quick``: fewer repeats and smaller sizes, a smoke
test; NAME: run only the benchmarks whose file name contains it, e.g. ``reconcile``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import RESULT_TAG  # noqa: E402

QUICK = {
    "bench_reconcile.py": ["--quick"],
    "bench_startup.py": ["--quick"],
    "bench_workbook.py": ["--repeats", "3"],
    "bench_guard.py": ["--repeats", "5"],
    "bench_read.py": ["--repeats", "3"],
    "bench_batch.py": ["--count", "20", "--bare-sample", "5"],
    "bench_collect.py": ["--count", "20"],
    "bench_calls.py": ["--quick"],
    "bench_components.py": ["--quick"],
}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.3g} ms" if value < 1 else f"{value:.3g} s"
    return f"{value:.3g} {unit}"


def _table(results: list[dict]) -> str:
    header = ("work", "cpxl", "baseline", "ratio", "target", "met")
    rows = [
        (
            r["work"],
            _number(r["ours"], r["unit"]),
            f"{_number(r['baseline'], r['unit'])} {r['baseline_name']}".strip() if r["baseline"] else "-",
            f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
            r["target"] or "-",
            {True: "yes", False: "NO", None: "-"}[r["met"]],
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)) for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("names", nargs="*", help="run only the benchmarks whose file name contains one of these")
    args = parser.parse_args()
    failed, results = [], []
    for script in sorted(HERE.glob("bench_*.py")):
        if args.names and not any(name in script.name for name in args.names):
            continue
        print(f"\n=== {script.name}", flush=True)
        extra = QUICK.get(script.name, []) if args.quick else []
        child = subprocess.Popen([sys.executable, str(script), *extra], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(RESULT_TAG):
                results.append(json.loads(line[len(RESULT_TAG) :]))
            else:
                print(line, end="", flush=True)
        if child.wait():
            failed.append(script.name)
    if results:
        print("\n=== summary (medians; ratios measured in one run)\n" + _table(results))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
