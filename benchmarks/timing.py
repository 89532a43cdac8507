"""Timing shared by the benchmarks: medians of repeated runs, and one line per result for ``run.py``'s table.

The machines are shared and noisy: every number is the median of repeated runs, and a result is the ratio of
cpxl's median to a baseline's median measured in the same run. :func:`record` prints a result both for a reader
(one line) and for ``run.py`` (a tagged JSON line it gathers into the summary table).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

#: The tag of a result line on a benchmark's standard output, read back by ``run.py``.
RESULT_TAG = "@@result "


def median_seconds(action: Callable[[], Any], repeats: int) -> float:
    """The median wall-clock seconds of *repeats* calls of *action*."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(ours: Callable[[], Any], baseline: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """The median seconds of *ours* and of *baseline*, run alternately so that both see the same load.

    On a shared machine the load changes from second to second: alternating the two makes their ratio far
    steadier than timing one after the other.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for action, kept in ((ours, times[0]), (baseline, times[1])):
            start = time.perf_counter()
            action()
            kept.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def record(
    work: str,
    ours: float,
    baseline: float | None = None,
    *,
    baseline_name: str = "",
    max_ratio: float | None = None,
    max_seconds: float | None = None,
    unit: str = "s",
) -> bool | None:
    """Print one result: cpxl's median, the baseline's, their ratio, the target and whether it is met.

    Parameters
    ----------
    work : str
        What was measured, e.g. ``"reconcile, non-local, 10k streams"``
    ours : float
        cpxl's median [s, or *unit*]
    baseline : float, optional
        The baseline's median in the same run [s, or *unit*]
    baseline_name : str
        What the baseline is, e.g. ``"CHOLMOD"``
    max_ratio : float, optional
        The target: ours / baseline at most this [-]
    max_seconds : float, optional
        The target: ours at most this [s, or *unit*]
    unit : str
        The unit of *ours* and *baseline*

    Returns
    -------
    met : bool or None
        Whether every target given is met; None when there is none.
    """
    ratio = ours / baseline if baseline else None
    checks = []
    if max_ratio is not None and ratio is not None:
        checks.append(ratio <= max_ratio)
    if max_seconds is not None:
        checks.append(ours <= max_seconds)
    met = all(checks) if checks else None
    target = " and ".join(
        t
        for t in (
            f"ratio <= {max_ratio:g}" if max_ratio is not None else "",
            f"<= {max_seconds:g} {unit}" if max_seconds is not None else "",
        )
        if t
    )
    row = {
        "work": work,
        "ours": ours,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "target": target,
        "met": met,
        "unit": unit,
    }
    print(RESULT_TAG + json.dumps(row), flush=True)
    return met
