"""Run every benchmark of cpxl (each ``bench_*.py`` beside this file) and print what each prints.

Each benchmark states its baseline and target in its own docstring and output; numbers are medians of repeated
runs in one process, so ratios within one run are what to compare on a shared, noisy machine.

Run: ``python benchmarks/run.py [--quick]`` (``--quick``: fewer repeats and smaller sizes, for a smoke test).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "bench_reconcile.py": ["--sizes", "100", "1000", "--repeats", "2", "--dense-max", "1000"],
    "bench_workbook.py": ["--repeats", "3"],
    "bench_guard.py": ["--repeats", "5"],
    "bench_read.py": ["--repeats", "3"],
    "bench_batch.py": ["--count", "20", "--bare-sample", "5"],
    "bench_collect.py": ["--count", "20"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    args = parser.parse_args()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name}", flush=True)
        extra = QUICK.get(script.name, []) if args.quick else []
        if subprocess.run([sys.executable, str(script), *extra]).returncode:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
