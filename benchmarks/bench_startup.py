"""Benchmark what starting cpxl costs: the command's help and version, ``import cpxl``, the worksheet functions.

Each work is timed as the wall time of a fresh interpreter (``subprocess.run``), cpxl's command and its baseline
run in turn so that both see the same load of a shared machine; the medians over ``--repeats`` runs and their
ratio are recorded. Baselines and targets:

* ``cpxl --version`` against ``python -c "import click"``: ratio <= 1.5;
* ``cpxl --help`` against ``python -c "import click"``: ratio <= 1.5;
* ``import cpxl`` against ``python -c "import numpy, scipy.sparse"``: ratio <= 2;
* ``import cpxl.excel.udfs`` (what loading the worksheet functions costs) against
  ``python -c "import numpy, scipy.sparse, xlwings"``: ratio <= 2.

Before the public names were imported lazily (one run on a shared 2-core machine): ``cpxl --version`` and
``cpxl --help`` about 1.5 s of CPU (44 times ``python -c pass``), ``import cpxl`` 1.2 s and ``import
cpxl.excel.udfs`` 1.7 s, against 0.13 s for ``import numpy, scipy``: scipy.stats (imported by the
reconciliation) and scipy.optimize (``brentq``, imported by the economics) were most of it.

One more work is recorded without a target, to show what is left when everything is used: ``import cpxl``
and every public name resolved (the whole engine), against the same numpy and scipy.sparse baseline; its
remainder over the baseline is the modules' own imports (most of it ``cpxl.core.reconcile``'s
scipy.sparse.linalg, csgraph, scipy.linalg and scipy.special; it imported scipy.stats, three to five times as
much, until it computed its tests with scipy.special). ``--diagnose`` prints, for each of cpxl's commands, the
modules that ``python -X importtime`` finds slowest (cumulative), to see where the time goes; it is not used for
the ratios.

Run: ``python benchmarks/bench_startup.py [--repeats 15] [--quick] [--diagnose]``
(``--quick``: 5 repeats, a smoke test).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timing import record

PYTHON = sys.executable


def cpxl_command() -> list[str]:
    """The ``cpxl`` console script beside this Python, or the same entry point through ``python -c``."""
    script = Path(PYTHON).with_name("cpxl")
    found = str(script) if script.exists() else shutil.which("cpxl")
    return [found] if found else [PYTHON, "-c", "import sys; from cpxl.cli import main; sys.exit(main())"]


def python(code: str) -> list[str]:
    """A fresh interpreter that runs *code*."""
    return [PYTHON, "-c", code]


#: The works: (name, cpxl's command, the baseline's command, the baseline's name, the target ratio or None).
WORKS = [
    ("cpxl --version", [*cpxl_command(), "--version"], python("import click"), "import click", 1.5),
    ("cpxl --help", [*cpxl_command(), "--help"], python("import click"), "import click", 1.5),
    ("import cpxl", python("import cpxl"), python("import numpy, scipy.sparse"), "import numpy, scipy.sparse", 2.0),
    (
        "import cpxl.excel.udfs",
        python("import cpxl.excel.udfs"),
        python("import numpy, scipy.sparse, xlwings"),
        "import numpy, scipy.sparse, xlwings",
        2.0,
    ),
    (
        "import cpxl, every name resolved",
        python("import cpxl; [getattr(cpxl, name) for name in cpxl.__all__]"),
        python("import numpy, scipy.sparse"),
        "import numpy, scipy.sparse",
        None,
    ),
]


def wall_time(command: list[str]) -> float:
    """Seconds a fresh process running *command* takes, output discarded; a failure stops the benchmark."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(ours: list[str], baseline: list[str], repeats: int) -> tuple[list[float], list[float]]:
    """Wall times of *ours* and *baseline*, run in turn (which goes first alternates) after one warm-up each."""
    wall_time(ours), wall_time(baseline)  # bytecode compiled, files in the page cache
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(repeats):
        order = ((ours, times[0]), (baseline, times[1]))
        for command, kept in order if i % 2 == 0 else order[::-1]:
            kept.append(wall_time(command))
    return times


def slowest_imports(command: list[str], count: int = 8) -> list[tuple[float, str]]:
    """The *count* imports with the largest cumulative time under ``python -X importtime`` [s, module]."""
    if command[0] == PYTHON:
        traced = [PYTHON, "-X", "importtime", *command[1:]]
    else:  # the console script: run it with this Python
        traced = [PYTHON, "-X", "importtime", *command]
    result = subprocess.run(traced, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative) / 1e6, name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="runs of each command (median taken)")
    parser.add_argument("--quick", action="store_true", help="5 repeats: a smoke test")
    parser.add_argument("--diagnose", action="store_true", help="print the slowest imports of each cpxl command")
    args = parser.parse_args()
    repeats = 5 if args.quick else args.repeats
    print(f"python {sys.version.split()[0]}; {repeats} runs of each, in turn with its baseline; wall time")
    for work, ours, baseline, baseline_name, target in WORKS:
        ours_times, baseline_times = paired(ours, baseline, repeats)
        mine, theirs = statistics.median(ours_times), statistics.median(baseline_times)
        print(
            f"{work:34s} {mine * 1000:7.1f} ms (min {min(ours_times) * 1000:6.1f})   "
            f"{baseline_name:38s} {theirs * 1000:7.1f} ms (min {min(baseline_times) * 1000:6.1f})   "
            f"ratio {mine / theirs:.2f}"
        )
        record(work, mine, theirs, baseline_name=baseline_name, max_ratio=target)
        if args.diagnose:
            for seconds, name in slowest_imports(ours):
                print(f"    {seconds * 1000:8.1f} ms cumulative  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
