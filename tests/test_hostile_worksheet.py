"""A catalogue of hostile cells thrown at every argument of every CP_* worksheet function, as xlwings calls it.

Starting from each function's valid case (tests/test_excel_udfs.py), one argument at a time is replaced by a bad
cell or range, converted as xlwings converts it for a UDF declared ``np.array, ndim=2, dtype=object,
err_to_str=True``. The contract of DESIGN.md: the cell shows a finite result (numbers finite, blanks empty) or a
short error on one line that starts with the function's name; never a traceback, never an unexpected error;
and it comes back quickly.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from test_excel_udfs import CASES, windows_engine, xlwings_range  # noqa: F401 (the fixture converts ranges)

from cpxl.excel.adapters import WorksheetError, evaluate
from cpxl.excel.catalog import CATALOG

# A negative ELF from a hostile value is a result with a warning (the sheet flags it), not a failure.
pytestmark = pytest.mark.filterwarnings("ignore::cpxl.core.errors.CPWarning")

#: Bad contents of a worksheet argument, as cells (a list of rows) or one typed value.
BAD_CELLS = {
    "huge": [[1e308], [1e308]],
    "tiny": [[1e-320]],
    "negative huge": [[-1e308]],
    "empty text": [[""]],
    "space": [[" "]],
    "text": [["text"]],
    "decimal comma": [["1,5"]],
    "TRUE": [[True]],
    "#DIV/0!": [["#DIV/0!"]],
    "#N/A": [["#N/A"]],
    "lone surrogate": [["\ud800"]],
    "all blank": [[None], [None]],
    "block": [[1.0, 2.0], [3.0, 4.0]],
    "full column": [[None]] * 99_999 + [[1.0]],
}

VALID = [(name, cells) for name, cells, _ in CASES if name != "CP_VERSION"]
CALLS = [
    (name, cells, position, bad)
    for name, cells in {n: c for n, c in VALID}.items()  # one valid case per function
    for position in range(len(cells))
    for bad in BAD_CELLS
]


def _arguments(name: str, cells: tuple, position: int, bad: str) -> list:
    specs = list(CATALOG[name]["args"].values())
    out = []
    for k, (spec, value) in enumerate(zip(specs, cells, strict=False)):
        if k == position:
            value = BAD_CELLS[bad]
        if isinstance(value, list) and spec["range"]:
            out.append(xlwings_range(value))
        elif isinstance(value, list):
            out.append(value[0][0] if len(value) == 1 and len(value[0]) == 1 else xlwings_range(value))
        else:
            out.append(value)
    return out


def _finite(result: object) -> bool:
    if isinstance(result, list):
        return all(_finite(v) for row in result for v in row)
    if isinstance(result, float):
        return math.isfinite(result)
    return isinstance(result, (int, str, bool)) or result is None


@pytest.mark.parametrize(("name", "cells", "position", "bad"), CALLS, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CALLS])
def test_a_hostile_cell_gives_a_finite_result_or_one_line_naming_the_function(name, cells, position, bad):
    args = _arguments(name, cells, position, bad)
    start = time.perf_counter()
    try:
        result = evaluate(name, *args)
    except WorksheetError as exc:
        message = str(exc)
        assert message.startswith(f"{name}: ") and "\n" not in message, message
        assert "unexpected error" not in message, message
    else:
        assert _finite(np.asarray(result, dtype=object).tolist() if isinstance(result, np.ndarray) else result)
    assert time.perf_counter() - start < 3, (name, position, bad)
