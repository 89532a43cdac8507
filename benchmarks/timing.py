"""Timing shared by the benchmarks: the median of repeated runs (the machines are shared and noisy)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(action: Callable[[], Any], repeats: int) -> float:
    """The median wall-clock seconds of *repeats* calls of *action*."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
