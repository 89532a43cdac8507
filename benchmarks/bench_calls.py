"""Benchmark small calls of the worksheet functions: what a workbook, and ``cpxl check``, make thousands of times.

Each call is timed the way Excel makes it: the function in :mod:`cpxl.excel.udfs` that xlwings calls, given what
xlwings hands over for a range declared ``np.array, ndim=2, dtype=object`` (a 2-D object array of floats and
None). The Python twin is timed too where it matters. Baselines, each written out below and timed in the same
run, interleaved with cpxl's call:

* ``CP_IRR`` / ``cpxl.irr``, 10 yearly flows: a bare Newton iteration on the same polynomial
  p(v) = -I + sum F_j v^j (v = 1/(1 + r)), Horner's rule in plain floats, from v = 1 until the step is below
  1e-12 v, no input checks. Target: at most 3 times its time. Before: ``CP_IRR`` 1.16 ms a call, against
  0.05 ms for a bare Newton iteration that evaluated the polynomial with ``numpy.polynomial.polyval``
  (printed here for reference; the plain-float baseline is ten times faster, and is the one compared with).
* ``CP_ELF`` on a 10-cell range: the arithmetic (sum - product) / product on a list of floats. Target: 25 us a
  call, absolute. Before: 86 us a call on 3 cells.
* ``CP_NPV`` and ``CP_PAYBACK``, 10 yearly flows: the arithmetic as numpy-financial writes it (arrays, a
  discount vector, a sum; a cumulative sum and an interpolation). No target: reported.

Every number is the median over ``--repeats`` samples of the per-call time of a batch of calls. The time through
the UDF includes what :mod:`cpxl.excel.udfs` adds to :func:`cpxl.excel.adapters.classic_call` (it imports the
adapters on every call); the time through ``classic_call`` alone is printed beside it.

Run: ``python benchmarks/bench_calls.py [--repeats 300] [--quick]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import record

import cpxl
from cpxl.excel import adapters, udfs

INVESTMENT = 500_000.0
FLOWS = [60_000.0, 90_000.0, 120_000.0, 140_000.0, 150_000.0, 150_000.0, 140_000.0, 120_000.0, 90_000.0, 60_000.0]
RAW = [120.0, 90.5, 1000.0, 33.2, 8.0, 14.5, 2.25, 61.0, 7.75, 410.0]
RATE = 0.08


def cells(values: list[Any]) -> np.ndarray:
    """A one-column range as classic xlwings hands it to a UDF: a 2-D object array."""
    return np.array([[v] for v in values], dtype=object)


# ------------------------------------------------------------------------------------------ the baselines
def bare_newton_irr(investment: float, flows: list[float]) -> float:
    """The IRR by Newton's method on p(v) = -I + sum F_j v^j, Horner's rule in plain floats, no checks."""
    highest_first = [*flows[::-1], -investment]
    v = 1.0
    for _ in range(100):
        p = dp = 0.0
        for c in highest_first:
            dp = dp * v + p
            p = p * v + c
        step = p / dp
        v -= step
        if abs(step) <= 1e-12 * v:
            break
    return 1.0 / v - 1.0


def polyval_newton_irr(investment: float, flows: list[float]) -> float:
    """The same iteration with numpy's polyval for p and p': the baseline the targets were first set against."""
    c = np.array([-investment, *flows])
    dc = np.polynomial.polynomial.polyder(c)
    v = 1.0
    for _ in range(100):
        step = np.polynomial.polynomial.polyval(v, c) / np.polynomial.polynomial.polyval(v, dc)
        v -= step
        if abs(step) <= 1e-12 * v:
            break
    return 1.0 / v - 1.0


def bare_elf(raw: list[float], product: float) -> float:
    return (sum(raw) - product) / product


def numpy_financial_npv(rate: float, investment: float, flows: list[float]) -> float:
    values = np.array([-investment, *flows])
    return float((values / (1 + rate) ** np.arange(values.size)).sum())


def numpy_payback(investment: float, flows: list[float]) -> float:
    cumulative = np.cumsum(np.asarray(flows))
    k = int(np.searchsorted(cumulative, investment))
    before = cumulative[k - 1] if k else 0.0
    return float(k + (investment - before) / flows[k])


# ------------------------------------------------------------------------------------------ timing
def per_call(ours: Callable[[], Any], baseline: Callable[[], Any], repeats: int, batch: int) -> tuple[float, float]:
    """Median seconds per call of each, sampled in turn (a busy machine slows both alike)."""
    a, b = [], []
    for i in range(repeats):
        for action, out in ((ours, a), (baseline, b)) if i % 2 else ((baseline, b), (ours, a)):
            start = time.perf_counter()
            for _ in range(batch):
                action()
            out.append((time.perf_counter() - start) / batch)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=300, help="samples per measurement (default 300)")
    parser.add_argument("--quick", action="store_true", help="30 samples: a smoke test")
    args = parser.parse_args()
    repeats = 30 if args.quick else args.repeats
    batch = 20

    investment_cells, flow_cells = cells([INVESTMENT]), cells(FLOWS)
    raw_cells, product_cells = cells(RAW), cells([50.0])

    # the answers agree before anything is timed
    irr = udfs.CP_IRR(investment_cells, flow_cells, None)
    assert math.isclose(irr, bare_newton_irr(INVESTMENT, FLOWS), rel_tol=1e-12), irr
    assert math.isclose(irr, polyval_newton_irr(INVESTMENT, FLOWS), rel_tol=1e-12), irr
    assert math.isclose(udfs.CP_ELF(raw_cells, product_cells), bare_elf(RAW, 50.0), rel_tol=1e-15)
    npv = udfs.CP_NPV(cells([RATE]), investment_cells, flow_cells, None)
    assert math.isclose(npv, numpy_financial_npv(RATE, INVESTMENT, FLOWS), rel_tol=1e-12), npv
    payback = udfs.CP_PAYBACK(investment_cells, flow_cells, None, None)
    assert math.isclose(payback, numpy_payback(INVESTMENT, FLOWS), rel_tol=1e-12), payback

    print(f"{repeats} samples of {batch} calls each; medians per call")
    ours, base = per_call(
        lambda: udfs.CP_IRR(investment_cells, flow_cells, None),
        lambda: bare_newton_irr(INVESTMENT, FLOWS),
        repeats,
        batch,
    )
    print(f"CP_IRR (UDF):    {ours * 1e6:8.2f} us   bare Newton {base * 1e6:6.2f} us   ratio {ours / base:.2f}")
    record(
        "CP_IRR via the UDF, 10 years",
        ours,
        base,
        baseline_name="bare Newton",
        max_ratio=3.0,
    )
    ours, base = per_call(
        lambda: adapters.classic_call("CP_IRR", investment_cells, flow_cells, None),
        lambda: bare_newton_irr(INVESTMENT, FLOWS),
        max(repeats // 3, 10),
        batch,
    )
    print(
        f"  (through adapters.classic_call, without the UDF module's own step: {ours * 1e6:.2f} us, {ours / base:.2f})"
    )
    ours, base = per_call(
        lambda: cpxl.irr(INVESTMENT, FLOWS), lambda: bare_newton_irr(INVESTMENT, FLOWS), repeats, batch
    )
    print(f"cpxl.irr:        {ours * 1e6:8.2f} us   bare Newton {base * 1e6:6.2f} us   ratio {ours / base:.2f}")
    record("cpxl.irr, 10 years", ours, base, baseline_name="bare Newton", max_ratio=3.0)
    _, polyval = per_call(lambda: None, lambda: polyval_newton_irr(INVESTMENT, FLOWS), max(repeats // 3, 10), batch)
    print(f"  (a Newton iteration through numpy's polyval takes {polyval * 1e6:.1f} us)")

    ours, base = per_call(lambda: udfs.CP_ELF(raw_cells, product_cells), lambda: bare_elf(RAW, 50.0), repeats, batch)
    print(f"CP_ELF (UDF):    {ours * 1e6:8.2f} us   arithmetic  {base * 1e6:6.2f} us   target 25 us")
    record("CP_ELF via the UDF, 10 cells", ours, base, baseline_name="arithmetic", max_seconds=25e-6)
    nested = [[v] for v in RAW]
    ours, _ = per_call(lambda: udfs.CP_ELF(nested, 50.0), lambda: None, max(repeats // 3, 10), batch)
    print(f"  (given nested lists and a float instead: {ours * 1e6:.2f} us)")

    rate_cells = cells([RATE])
    ours, base = per_call(
        lambda: udfs.CP_NPV(rate_cells, investment_cells, flow_cells, None),
        lambda: numpy_financial_npv(RATE, INVESTMENT, FLOWS),
        repeats,
        batch,
    )
    print(f"CP_NPV (UDF):    {ours * 1e6:8.2f} us   numpy-financial-style {base * 1e6:6.2f} us")
    record("CP_NPV via the UDF, 10 years", ours, base, baseline_name="numpy-financial-style")

    ours, base = per_call(
        lambda: udfs.CP_PAYBACK(investment_cells, flow_cells, None, None),
        lambda: numpy_payback(INVESTMENT, FLOWS),
        repeats,
        batch,
    )
    print(f"CP_PAYBACK (UDF): {ours * 1e6:7.2f} us   cumsum arithmetic {base * 1e6:6.2f} us")
    record("CP_PAYBACK via the UDF, 10 years", ours, base, baseline_name="cumsum arithmetic")


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        main()
