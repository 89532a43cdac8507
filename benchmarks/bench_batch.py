"""Benchmark ``cpxl batch``: N workbooks from one table, with one and two worker processes.

The table has one row per enterprise (company, location, employees, tax rate; no list tables), so every
workbook has the cells of a blank audit with its fields filled. The baseline is ``bench_workbook.py``'s: XlsxWriter
replaying the very calls of the first row's build (cells, formats, validations, names...) as many times, nothing
computed; it is timed on a sample of ``--bare-sample`` workbooks and scaled to N. ``cpxl batch``
runs as users run it, ``python -m cpxl batch TABLE -o DIR --quiet``, start-up included. Peak memory is the
largest resident set of the run's processes (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a small
launcher process, so the worker processes are included and this benchmark's own size is not).

Run: ``python benchmarks/bench_batch.py [--count 1000] [--repeats 1] [--bare-sample 50]``. Prints workbooks per
second, peak memory and the ratios against their targets: ``--jobs 1`` / bare <= 1.3, and ``--jobs 2`` at least
1.6x as fast as ``--jobs 1`` (on two free cores).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_workbook import recorded_build, replay
from timing import median_seconds, record

from cpxl.batch.inputs import read_inputs


def write_table(path: Path, count: int) -> Path:
    """A table of *count* enterprises whose fields differ."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fields.company", "fields.location", "fields.employees", "fields.tax_rate"])
        for i in range(count):
            writer.writerow([f"Enterprise {i:05d}", f"District {i % 37}", 20 + i % 500, f"0.{15 + i % 11}"])
    return path


#: Runs a command and prints its peak resident memory (kB, children included). A process forked from this
#: benchmark would inherit its size as the starting peak (Linux keeps the high-water mark across fork and exec),
#: so the command is started from this small process instead.
LAUNCHER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def run_batch(table: Path, out: Path, jobs: int) -> int:
    """Run ``cpxl batch`` in a process; return its peak resident memory in bytes (worker processes included)."""
    command = [sys.executable, "-m", "cpxl", "batch", str(table), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"cpxl batch failed with exit code {done.returncode}: {done.stderr}")
    return int(done.stdout.split()[-1]) * (1 if sys.platform == "darwin" else 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="workbooks per run (rows of the table)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each configuration (the median is shown)")
    parser.add_argument("--bare-sample", type=int, default=50, help="workbooks the bare loop writes to time one")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    table = write_table(folder / "plants.csv", args.count)

    first = read_inputs(table)[0].audit()
    recording = recorded_build(first, folder / "reference.xlsx")
    bare_folder = folder / "bare"
    bare_folder.mkdir()
    counter = iter(range(10**9))
    sample = min(args.bare_sample, args.count)

    def bare() -> None:
        for _ in range(sample):
            replay(recording, bare_folder / f"{next(counter)}.xlsx")

    t_bare = median_seconds(bare, args.repeats) / sample * args.count

    results = {}
    for jobs in (1, 2):
        memory = []

        def batch(jobs: int = jobs, memory: list[int] = memory) -> None:
            out = folder / f"out-{jobs}-{next(counter)}"
            memory.append(run_batch(table, out, jobs))
            written = sum(1 for p in out.glob("*.xlsx") if not p.name.startswith("."))
            if written != args.count:
                raise SystemExit(f"cpxl batch wrote {written} workbooks, not {args.count}")

        results[jobs] = (median_seconds(batch, args.repeats), max(memory))

    sheets = sum(name == "add_worksheet" for _, name, *_ in recording.calls)
    print(f"{args.count} workbooks from one table ({sheets} sheets each), {os.cpu_count()} cores")
    print(f"{'':26}{'median s':>10}{'workbooks/s':>13}{'peak MB':>10}")
    print(f"{'bare XlsxWriter replay':26}{t_bare:>10.2f}{args.count / t_bare:>13.2f}{'':>10}")
    for jobs, (seconds, memory) in results.items():
        print(f"{f'cpxl batch --jobs {jobs}':26}{seconds:>10.2f}{args.count / seconds:>13.2f}{memory / 1e6:>10.0f}")
    t1, t2 = results[1][0], results[2][0]
    print(f"ratio cpxl batch --jobs 1 / bare: {t1 / t_bare:.2f} (target <= 1.3)")
    print(f"speed-up --jobs 2 over --jobs 1: {t1 / t2:.2f}x (target >= 1.6 on 2 free cores)")
    print(f"medians of {args.repeats} run(s); the bare loop timed on {sample} workbooks and scaled to {args.count}")
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; {time.strftime('%H:%M')})")
    record(f"batch --jobs 1, {args.count} workbooks", t1, t_bare, baseline_name="XlsxWriter replay", max_ratio=1.3)
    record(
        f"batch --jobs 2, {args.count} workbooks",
        t2,
        t1,
        baseline_name="batch --jobs 1 (target: 1.6x as fast)",
        max_ratio=1 / 1.6,
    )


if __name__ == "__main__":
    main()
