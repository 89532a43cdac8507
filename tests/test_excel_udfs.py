"""The CP_* worksheet functions called the way xlwings calls them give their twins' answers and messages.

Cells are written here as Excel holds them (rows of values, None for a blank cell) and turned into what
xlwings hands a UDF by xlwings' own converter (``np.array, ndim=2, dtype=object``), or into the 2-D float
arrays with NaN blanks of a plain numeric range, a row instead of a column, or a bare float for one cell.
Every answer is compared with the twin in :mod:`cpxl` called with ordinary Python values.
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from xlwings import conversion

import cpxl
from cpxl.core.errors import CPError
from cpxl.excel import adapters
from cpxl.excel import udfs as classic
from cpxl.excel.adapters import WorksheetError, classic_call, evaluate, lite_call
from cpxl.excel.catalog import CATALOG, EXCEL_HELP_LIMIT, argument_help, description


def col(*values):
    """A one-column range."""
    return [[v] for v in values]


def nan_to_blank(value):
    """What a cell shows for an engine value: NaN is an empty cell."""
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return ""
    if isinstance(value, np.generic):
        return value.item()
    return value


def spill_column(values):
    return [[nan_to_blank(v)] for v in values]


def spill_row(values):
    return [[nan_to_blank(v) for v in values]]


GRADE_CELLS = (
    [[1.8, 0.92, 6.0]],
    [[1.5, 0.95, 5.0]],
    [[2.0, 0.90, 8.0]],
    [[3.0, 0.85, 12.0]],
    [[True, False, True]],
    [[0.5, 0.3, 0.2]],
)
GRADE_ARGS = ([1.8, 0.92, 6.0], [1.5, 0.95, 5.0], [2.0, 0.90, 8.0], [3.0, 0.85, 12.0], [True, False, True])
# Streams: feed -> A (measured), A -> B and B -> A (an unmeasured recycle: unobservable), B -> product.
RECYCLE = (col(None, "A", "B", "B"), col("A", "B", "A", None), col(100.0, None, None, 98.0), col(2.0, None, None, 2.0))
RECYCLE_PY = (["", "A", "B", "B"], ["A", "B", "A", ""], [100, None, None, 98], [2, None, None, 2])
MIXER = (col(None, None, "A"), col("A", "A", None), col(60.0, 50.0, 100.0), col(3.0, 4.0, 5.0))
MIXER_PY = (["", "", "A"], ["A", "A", ""], [60, 50, 100], [3, 4, 5])
# A copper mixer (two feeds, one product) with a spare row at the end of every range, as a worksheet's table has;
# two components, the second (water) unmeasured in the product.
COPPER = (
    col(None, None, "M", None),
    col("M", "M", None, None),
    col(100.0, 50.0, 150.0, None),
    col(1.0, 1.0, 1.0, None),
    [[0.10, 0.90], [0.40, 0.60], [0.22, None], [None, None]],
    [[0.02, 0.02], [0.02, 0.02], [0.02, None], [None, None]],
)
COPPER_PY = (
    ["", "", "M"],
    ["M", "M", ""],
    [100, 50, 150],
    [1, 1, 1],
    [[0.10, 0.90], [0.40, 0.60], [0.22, None]],
    [[0.02, 0.02], [0.02, 0.02], [0.02, None]],
)


def with_spare_row(rows, width):
    return [*rows, [""] * width]


def copper(field):
    return getattr(cpxl.reconcile_components(*COPPER_PY), field)


# (function, cells of each worksheet argument, the twin's answer as the cell shows it)
CASES = [
    ("CP_ELF", (col(100, 90, None, 1000), [[50]]), lambda: cpxl.elf([100, 90, 1000], 50)),
    ("CP_EFACTOR", (col(12.5, 7.5), [[4]]), lambda: cpxl.efactor([12.5, 7.5], 4)),
    ("CP_PMI", ([[100, 90], [1000, None]], [[50]]), lambda: cpxl.pmi([100, 90, 1000], 50)),
    ("CP_RME", ([[74.5]], col(57.3, 60.2)), lambda: cpxl.rme(74.5, [57.3, 60.2])),
    ("CP_MW", ("CuSO4·5H2O",), lambda: cpxl.mw("CuSO4·5H2O")),
    (
        "CP_ATOM_ECONOMY",
        ("C2H4O", col("C2H4", "Cl2", "Ca(OH)2"), None),
        lambda: cpxl.atom_economy("C2H4O", ["C2H4", "Cl2", "Ca(OH)2"]),
    ),
    (
        "CP_ATOM_ECONOMY",
        ("CH3Cl", col(32.042, "HCl", None), col(1, 1, None)),
        lambda: cpxl.atom_economy("CH3Cl", [32.042, "HCl"], [1, 1]),
    ),
    ("CP_OVERALL_YIELD", (col(*[0.9] * 6), None), lambda: cpxl.overall_yield([0.9] * 6)),
    (
        "CP_OVERALL_YIELD",
        (col(0.5, 0.5, 0.5), col(3, 3, None)),
        lambda: cpxl.overall_yield([0.5, 0.5, 0.5], [3, 3, None]),
    ),
    ("CP_REDUCTION", ([[1250]], [[1000]]), lambda: cpxl.reduction(1250, 1000)),
    ("CP_REUSE_RATE", ([[120]], [[880]]), lambda: cpxl.reuse_rate(120, 880)),
    (
        "CP_BALANCE_CLOSURE",
        (col(1000, 250), col(1180, 45), [[-20]]),
        lambda: cpxl.balance_closure([1000, 250], [1180, 45], -20),
    ),
    ("CP_BALANCE_CLOSURE", (col(1000, 250), col(1180, 45), None), lambda: cpxl.balance_closure([1000, 250], [1225])),
    ("CP_RECONCILE", (*MIXER, None), lambda: spill_column(cpxl.reconcile(*MIXER_PY).value)),
    ("CP_RECONCILE", (*MIXER, "sigma"), lambda: spill_column(cpxl.reconcile(*MIXER_PY).sigma)),
    ("CP_RECONCILE", (*MIXER, "Z"), lambda: spill_column(cpxl.reconcile(*MIXER_PY).z)),
    ("CP_RECONCILE", (*RECYCLE, "value"), lambda: spill_column(cpxl.reconcile(*RECYCLE_PY).value)),
    ("CP_RECONCILE", (*RECYCLE, "status"), lambda: spill_column(cpxl.reconcile(*RECYCLE_PY).status)),
    ("CP_RECONCILE_COMPONENTS", (*COPPER, None), lambda: spill_column([*copper("value"), math.nan])),
    ("CP_RECONCILE_COMPONENTS", (*COPPER, "status"), lambda: spill_column([*copper("status"), math.nan])),
    (
        "CP_RECONCILE_COMPONENTS",
        (*COPPER, "fraction"),
        lambda: with_spare_row([[nan_to_blank(v) for v in row] for row in copper("fraction").tolist()], 2),
    ),
    (
        "CP_RECONCILE_COMPONENTS",
        (*COPPER, "component_flow"),
        lambda: with_spare_row([[nan_to_blank(v) for v in row] for row in copper("component_flow").tolist()], 2),
    ),
    ("CP_BALANCE_TEST", (*MIXER, None), lambda: spill_row(cpxl.balance_test(*MIXER_PY).to_row())),
    (
        "CP_BALANCE_TEST",
        (*RECYCLE, [[0.01]]),
        lambda: spill_row(cpxl.balance_test(*RECYCLE_PY, alpha=0.01).to_row()),
    ),
    (
        "CP_CASH_FLOW",
        ([[200_000]], [[500_000]], [[10]], [[0.25]]),
        lambda: cpxl.cash_flow(200_000, 500_000, 10, 0.25),
    ),
    ("CP_CASH_FLOW", (col(150_000, 50_000), [[500_000]], [[10]], None), lambda: cpxl.cash_flow(200_000, 500_000, 10)),
    (
        "CP_NPV",
        ([[0.08]], [[500_000]], [[162_500]], [[10]]),
        lambda: cpxl.npv(0.08, 500_000, 162_500, 10),
    ),
    (
        "CP_NPV",
        ([[0.1]], [[1000]], col(300, 400, 500, None), None),
        lambda: cpxl.npv(0.1, 1000, [300, 400, 500]),
    ),
    ("CP_NPVR", ([[0.08]], [[500_000]], [[162_500]], [[10]]), lambda: cpxl.npvr(0.08, 500_000, 162_500, 10)),
    ("CP_IRR", ([[500_000]], [[162_500]], [[10]]), lambda: cpxl.irr(500_000, 162_500, 10)),
    ("CP_IRR", ([[1000]], col(300, 400, 500), None), lambda: cpxl.irr(1000, [300, 400, 500])),
    (
        "CP_PAYBACK",
        ([[500_000]], col(100_000, 200_000, 300_000), None, None),
        lambda: cpxl.payback(500_000, [100_000, 200_000, 300_000]),
    ),
    ("CP_PAYBACK", ([[500_000]], [[162_500]], None, [[0.08]]), lambda: cpxl.payback(500_000, 162_500, rate=0.08)),
    (
        "CP_WEIGHTED_SCORE",
        ([[10, 8, 5]], [[8, 6, 7], [5, 9, 4], [None, None, None]]),
        lambda: spill_column(cpxl.weighted_score([10, 8, 5], [[8, 6, 7], [5, 9, 4], [None, None, None]])),
    ),
    (
        "CP_GRADE",
        (*GRADE_CELLS, None, [[False, True, None]], None),
        lambda: cpxl.grade(*GRADE_ARGS, [0.5, 0.3, 0.2], limiting=[False, True, False]),
    ),
    (
        "CP_GRADE",
        (*GRADE_CELLS, [["a", "a", "b"]], None, "scores"),
        lambda: spill_row(cpxl.grade(*GRADE_ARGS, [0.5, 0.3, 0.2], groups=["a", "a", "b"], output="scores")),
    ),
    (
        "CP_TCE",
        (col(1.0, 2.5, None, 10.0), col("electricity", "柴油", None, "Natural Gas"), None),
        lambda: spill_column(cpxl.tce([1.0, 2.5, None, 10.0], ["electricity", "柴油", None, "Natural Gas"])),
    ),
    ("CP_TCE", ([[1000.0]], "原煤", None), lambda: cpxl.tce(1000.0, "原煤")),
    (
        "CP_TCE",
        (col(1.0, 1.0), col("natural gas", "biogas"), col(None, 0.714)),
        lambda: spill_column(cpxl.tce([1.0, 1.0], ["natural gas", "biogas"], [None, 0.714])),
    ),
    (
        "CP_CO2",
        (col(100.0, 20.0, None), col("raw coal", "电力", None), None),
        lambda: spill_column(cpxl.co2([100.0, 20.0, None], ["raw coal", "电力", None])),
    ),
    ("CP_CO2", ([[2.0]], "diesel", [[3.0]]), lambda: cpxl.co2(2.0, "diesel", 3.0)),
    (
        "CP_PORTFOLIO",
        (col(13, 9, None, 7, 6), col(6, 4, None, 3, 5), [[10]], None, None),
        lambda: [[1], [1], [""], [0], [0]],
    ),
    (
        "CP_PORTFOLIO",
        (col(50, 60, 30, 45), col(60, 70, 20, 30), [[100]], col("x", "x", None, None), col(None, None, None, 3)),
        lambda: spill_column(
            cpxl.portfolio([50, 60, 30, 45], [60, 70, 20, 30], 100, ["x", "x", None, None], [None, None, None, 3])
            .selected.astype(int)
            .tolist()
        ),
    ),
    ("CP_VERSION", (), lambda: cpxl.__version__),
]

# (function, cells, the twin call that raises the same error; or the expected message for worksheet-only checks)
INVALID = [
    ("CP_ELF", (col(100, 90), [[0]]), lambda: cpxl.elf([100, 90], 0)),
    ("CP_ELF", (col(100, "kg"), [[5]]), lambda: cpxl.elf([100, "kg"], 5)),
    ("CP_EFACTOR", (col(12.5, True), [[4]]), lambda: cpxl.efactor([12.5, True], 4)),
    ("CP_PMI", (col(None, None), [[4]]), lambda: cpxl.pmi([None, None], 4)),
    ("CP_RME", ([[200]], col(57.3, 60.2)), lambda: cpxl.rme(200, [57.3, 60.2])),
    ("CP_MW", ("2H2O",), lambda: cpxl.mw("2H2O")),
    ("CP_MW", (18.0,), lambda: cpxl.mw(18.0)),
    ("CP_ATOM_ECONOMY", ("C2H4O", col("C2H4", "Xq2"), None), lambda: cpxl.atom_economy("C2H4O", ["C2H4", "Xq2"])),
    ("CP_OVERALL_YIELD", (col(90, 80), None), lambda: cpxl.overall_yield([90, 80])),
    ("CP_REDUCTION", ([[0]], [[10]]), lambda: cpxl.reduction(0, 10)),
    ("CP_REUSE_RATE", ([[-1]], [[10]]), lambda: cpxl.reuse_rate(-1, 10)),
    ("CP_BALANCE_CLOSURE", (col(None), col(10), None), lambda: cpxl.balance_closure([None], [10])),
    (
        "CP_RECONCILE",
        (*MIXER, "flows"),
        'CP_RECONCILE: output must be "value", "sigma", "z" or "status", got \'flows\'',
    ),
    (
        "CP_RECONCILE",
        (col(None, "A"), col("A", None), col(100, -5), None, None),
        lambda: cpxl.reconcile(["", "A"], ["A", ""], [100, -5]),
    ),
    (
        "CP_RECONCILE_COMPONENTS",
        (*COPPER, "fractions"),
        'CP_RECONCILE_COMPONENTS: output must be "value", "sigma", "z", "status", "fraction" or "component_flow", '
        "got 'fractions'",
    ),
    (
        "CP_RECONCILE_COMPONENTS",
        (*COPPER[:4], [[0.1, 0.9], [1.4, 0.6], [0.22, None], [None, None]], COPPER[5], None),
        lambda: cpxl.reconcile_components(*COPPER_PY[:4], [[0.1, 0.9], [1.4, 0.6], [0.22, None]], COPPER_PY[5]),
    ),
    ("CP_BALANCE_TEST", (*MIXER, [[2]]), lambda: cpxl.balance_test(*MIXER_PY, alpha=2)),
    ("CP_BALANCE_TEST", (col("A"), col("A"), col(1), None, None), lambda: cpxl.balance_test(["A"], ["A"], [1])),
    ("CP_CASH_FLOW", ([[1000]], [[5000]], [[0]], None), lambda: cpxl.cash_flow(1000, 5000, 0)),
    ("CP_NPV", ([[8]], [[1000]], [[300]], [[5]]), lambda: cpxl.npv(8, 1000, 300, 5)),
    ("CP_NPVR", ([[0.08]], [[0]], [[300]], [[5]]), lambda: cpxl.npvr(0.08, 0, 300, 5)),
    ("CP_IRR", ([[1000]], col(-100, -50), None), lambda: cpxl.irr(1000, [-100, -50])),
    ("CP_IRR", ([[1000]], col(300, None, 500), None), lambda: cpxl.irr(1000, [300, None, 500])),
    ("CP_PAYBACK", ([[1000]], col(100, 200), None, None), lambda: cpxl.payback(1000, [100, 200])),
    ("CP_WEIGHTED_SCORE", ([[10, 8]], [[8, 6, 7]]), lambda: cpxl.weighted_score([10, 8], [[8, 6, 7]])),
    (
        "CP_GRADE",
        (*GRADE_CELLS[:5], [[0.5, 0.3, 0.3]], None, None, None),
        lambda: cpxl.grade(*GRADE_ARGS, [0.5, 0.3, 0.3]),
    ),
    ("CP_GRADE", (*GRADE_CELLS, None, None, "levels"), 'CP_GRADE: output must be "grade" or "scores", got \'levels\''),
    ("CP_TCE", (col(1.0, 2.0), col("coke", "biogas"), None), lambda: cpxl.tce([1.0, 2.0], ["coke", "biogas"])),
    ("CP_TCE", (col(1.0, 2.0), col("coke", None), None), lambda: cpxl.tce([1.0, 2.0], ["coke", None])),
    ("CP_TCE", (col(1.0), col("coke"), col(-1.0)), lambda: cpxl.tce([1.0], ["coke"], [-1.0])),
    ("CP_CO2", (col(1.0, 2.0), col("coke", "peat"), None), lambda: cpxl.co2([1.0, 2.0], ["coke", "peat"])),
    ("CP_CO2", (col(1.0, 2.0, 3.0), col("coke", "coke"), None), lambda: cpxl.co2([1.0, 2.0, 3.0], ["coke", "coke"])),
    (
        "CP_PORTFOLIO",
        (col(13, 9, 7), col(6, -4, 3), [[10]], None, None),
        lambda: cpxl.portfolio([13, 9, 7], [6, -4, 3], 10),
    ),
    (
        "CP_PORTFOLIO",
        (col(13, 9, 7), col(6, 4, 3), [[10]], col("a", "a", None), col(2, None, None)),
        lambda: cpxl.portfolio([13, 9, 7], [6, 4, 3], 10, ["a", "a", None], [2, None, None]),
    ),
    (
        "CP_PORTFOLIO",
        (col(13, 9, 7), col(6, 4, 3), [[10]], None, col(None, None, 9)),
        lambda: cpxl.portfolio([13, 9, 7], [6, 4, 3], 10, requires=[None, None, 9]),
    ),
    (
        "CP_PORTFOLIO",
        (col(13, None, 7), col(6, 4, 3), [[10]], None, None),
        lambda: cpxl.portfolio([13, None, 7], [6, 4, 3], 10),
    ),
]


def expected_message(name, twin_or_text):
    if isinstance(twin_or_text, str):
        return twin_or_text
    with pytest.raises(CPError) as info:
        twin_or_text()
    return f"{name}: {info.value.detail}"


# ------------------------------------------------------------------------------------------ how xlwings passes
# Excel's error values as COM hands them to xlwings (``xlwings._xlwindows.cell_errors``).
COM_ERRORS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}
DIV0 = -2146826281


class WindowsCellCleaning:
    """The one part of xlwings' Windows engine that reading UDF arguments uses: blanks and error cells.

    xlwings' converters run through the engine named "excel", which exists only where pywin32 does; this
    stand-in does what ``xlwings._xlwindows._clean_value_data_element`` does for numbers, text, blanks and
    errors: an error cell (a COM error code) becomes its text with ``err_to_str``, and None without.
    """

    name = "excel"
    type = "desktop"

    @staticmethod
    def _clean(c, empty_as, err_to_str):
        if c in ("", None):
            return empty_as
        if isinstance(c, int) and not isinstance(c, bool) and c in COM_ERRORS:
            return COM_ERRORS[c] if err_to_str else None
        return c

    @classmethod
    def clean_value_data(cls, data, datetime_builder, empty_as, number_builder, err_to_str):
        return [[cls._clean(c, empty_as, err_to_str) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x, date_format):
        return x


@pytest.fixture(autouse=True, scope="module")
def windows_engine():
    import xlwings
    from xlwings.main import Engine

    if "excel" in xlwings.engines.engines_by_name:
        yield
        return
    engine = Engine(impl=WindowsCellCleaning())
    xlwings.engines.add(engine)
    yield
    xlwings.engines.engines.remove(engine)
    del xlwings.engines.engines_by_name["excel"]


def xlwings_range(cells):
    """A range as xlwings hands it to a UDF declared with ``np.array, ndim=2, dtype=object, err_to_str=True``."""
    return conversion.read(None, cells, {"convert": np.array, "ndim": 2, "dtype": object, "err_to_str": True})


def xlwings_value(cells):
    """A single-value argument as xlwings hands it to a UDF declared with ``err_to_str=True`` (its converter)."""
    return conversion.read(None, cells, {"err_to_str": True})


def float_range(cells):
    """A numeric range as a 2-D float array with NaN blanks; ranges with text or TRUE/FALSE stay object arrays.

    (A float conversion would read TRUE as 1.0: that is why the UDFs declare ``dtype=object``.)
    """
    array = np.array([[np.nan if v is None else v for v in row] for row in cells], dtype=object)
    if any(isinstance(v, (bool, str)) for v in array.ravel()):
        return array
    return array.astype(float)


def as_row(cells):
    """The same values laid out in a row instead of a column (blocks and rows stay as they are)."""
    if isinstance(cells, list) and cells and all(len(r) == 1 for r in cells) and len(cells) > 1:
        return [[r[0] for r in cells]]
    return cells


def as_single(cells):
    """One cell passed as a bare value (a float, as when a UDF is called with a number)."""
    if isinstance(cells, list) and len(cells) == 1 and len(cells[0]) == 1:
        value = cells[0][0]
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    return cells


LAYOUTS = {
    "xlwings": xlwings_range,
    "float": float_range,
    "row": lambda cells: xlwings_range(as_row(cells)),
    "single": lambda cells: as_single(cells) if not isinstance(as_single(cells), list) else xlwings_range(cells),
}


def worksheet_args(name, cells, layout):
    specs = list(CATALOG[name]["args"].values())
    out = []
    for spec, value in zip(specs, cells, strict=True):
        if value is None or not spec["range"] or not isinstance(value, list):
            out.append(value)
        else:
            out.append(LAYOUTS[layout](value))
    return out


def same(got, want):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g_row, w_row in zip(got, want, strict=True):
            assert len(g_row) == len(w_row)
            for g, w in zip(g_row, w_row, strict=True):
                same(g, w)
    elif isinstance(want, float):
        assert isinstance(got, float) and got == pytest.approx(want, rel=1e-12, abs=1e-12)
    else:
        assert got == want and type(got) is type(want)


def cell_value(twin_result):
    value = nan_to_blank(twin_result)
    return float(value) if isinstance(value, np.floating) else value


# ------------------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize(("name", "cells", "twin"), CASES, ids=[c[0] for c in CASES])
def test_every_function_gives_its_twins_answer(name, cells, twin, layout):
    want = twin()
    want = want if isinstance(want, list) else cell_value(want)
    args = worksheet_args(name, cells, layout)
    same(getattr(classic, name)(*args), want)
    same(lite_call(name, *args), want)


def test_every_function_has_a_case_and_an_invalid_input():
    assert {c[0] for c in CASES} == set(CATALOG)
    assert {c[0] for c in INVALID} == set(CATALOG) - {"CP_VERSION"}  # CP_VERSION takes no input


@pytest.mark.parametrize("layout", ["xlwings", "float"])
@pytest.mark.parametrize(("name", "cells", "twin"), INVALID, ids=[c[0] for c in INVALID])
def test_every_invalid_input_gives_its_message(name, cells, twin, layout):
    message = expected_message(name, twin)
    assert message.startswith(f"{name}: ") and "Traceback" not in message and len(message) <= 255
    args = worksheet_args(name, cells, layout)
    assert getattr(classic, name)(*args) == message  # classic: the text in the cell
    with pytest.raises(WorksheetError) as info:  # Lite: #VALUE! with the message as the tooltip
        lite_call(name, *args)
    assert str(info.value) == message and info.value.function == name


# ------------------------------------------------------------------------------------------ Excel error cells
def _with_error(cells, code):
    """*cells* with the last cell replaced by the error *code*; its 0-based reading-order index and the size."""
    if not isinstance(cells, list):
        return [[code]], 0, 1
    rows = [list(row) for row in cells]
    rows[-1][-1] = code
    size = sum(len(row) for row in rows)
    return rows, size - 1, size


def _error_cases():
    seen, out = set(), []
    for name, cells, _ in CASES:
        for index in range(len(CATALOG[name]["args"])):
            if (name, index) in seen:
                continue
            seen.add((name, index))
            out.append((name, cells, index))
    return out


@pytest.mark.parametrize("code", sorted(COM_ERRORS))
@pytest.mark.parametrize(("name", "cells", "index"), _error_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_an_error_cell_in_any_argument_is_an_error_naming_its_position(name, cells, index, code):
    # Excel's =SUM(B2:B4) shows #DIV/0! when B3 holds =1/0; a CP_* function must not read it as a blank.
    argument = list(CATALOG[name]["args"])[index]
    bad, where, size = _with_error(cells[index], code)
    args = []
    for i, (value, arg_spec) in enumerate(zip(cells, CATALOG[name]["args"].values(), strict=True)):
        value = bad if i == index else value
        if value is None:
            args.append(None)
        elif arg_spec["range"]:
            args.append(xlwings_range(value if isinstance(value, list) else [[value]]))
        else:
            args.append(xlwings_value(value if isinstance(value, list) else [[value]]))
    message = f"{name}: {adapters.position(argument, where, size)} is the Excel error {COM_ERRORS[code]}"
    assert getattr(classic, name)(*args) == message  # classic: the text in the cell
    with pytest.raises(WorksheetError) as info:  # Lite: #VALUE! with the message as the tooltip
        lite_call(name, *args)
    assert str(info.value) == message


def test_every_argument_of_every_function_has_an_error_case():
    covered = {(name, index) for name, _, index in _error_cases()}
    assert covered == {(name, i) for name, entry in CATALOG.items() for i in range(len(entry["args"]))}


def test_without_err_to_str_xlwings_would_pass_an_error_cell_as_a_blank():
    # why every argument is declared with err_to_str=True: this is what xlwings does otherwise
    plain = conversion.read(None, col(100, DIV0, 1000), {"convert": np.array, "ndim": 2, "dtype": object})
    assert plain[1, 0] is None
    assert classic.CP_ELF(xlwings_range(col(100, DIV0, 1000)), 50.0) == (
        "CP_ELF: raw_materials[2] is the Excel error #DIV/0!"
    )


def test_an_error_at_the_end_of_a_full_column_is_found_quickly():
    column = np.full((1_048_576, 1), np.nan, dtype=object)  # A:A, as xlwings hands it
    column[:3, 0] = [100.0, 90.0, 1000.0]
    start = time.perf_counter()
    assert classic.CP_ELF(column, 50.0) == pytest.approx(cpxl.elf([100, 90, 1000], 50))
    column[-1, 0] = "#REF!"
    assert classic.CP_ELF(column, 50.0) == "CP_ELF: raw_materials[1048576] is the Excel error #REF!"
    assert time.perf_counter() - start < 5  # about 0.3 s: no Python loop over the blanks


def test_an_error_in_a_block_is_named_in_reading_order():
    ratings = xlwings_range([[8, 6, 7], [5, -2146826246, 4]])
    assert classic.CP_WEIGHTED_SCORE(xlwings_range([[10, 8, 5]]), ratings) == (
        "CP_WEIGHTED_SCORE: ratings[5] is the Excel error #N/A"
    )


def test_the_design_example_message():
    assert classic.CP_ELF(xlwings_range(col(100, 90, 1000)), xlwings_range([[0]])) == (
        "CP_ELF: product must be > 0, got 0"
    )


def test_an_unexpected_failure_is_a_short_message_not_a_traceback(monkeypatch):
    def broken(*args):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setitem(adapters._ADAPTERS, "CP_ELF", broken)
    text = classic_call("CP_ELF", [[1.0]], [[1.0]])
    assert text == "CP_ELF: unexpected error (ZeroDivisionError: float division by zero)"
    with pytest.raises(WorksheetError, match="unexpected error"):
        lite_call("CP_ELF", [[1.0]], [[1.0]])


def test_a_long_message_is_cut_to_excels_length():
    assert len(str(WorksheetError("CP_MW", "x" * 400))) == 255


def test_an_unknown_function_is_refused():
    with pytest.raises(WorksheetError, match="CP_NOPE: is not a cpxl worksheet function"):
        evaluate("CP_NOPE")


def test_an_unobservable_flow_is_an_empty_cell_never_a_number():
    shown = classic.CP_RECONCILE(*(xlwings_range(c) for c in RECYCLE), None)
    assert [row[0] for row in shown][1:3] == ["", ""]
    assert all(isinstance(row[0], float) for i, row in enumerate(shown) if i not in (1, 2))


# ------------------------------------------------------------------------------------------ the contract
@pytest.mark.parametrize("name", list(CATALOG))
def test_udfs_follow_the_catalog_and_the_twins(name):
    entry = CATALOG[name]
    parameters = inspect.signature(getattr(classic, name)).parameters
    assert list(parameters) == list(entry["args"])
    for argument, spec in entry["args"].items():
        assert (parameters[argument].default is None) == spec["optional"]
    if name == "CP_VERSION":
        return
    twin = getattr(cpxl, entry["twin"])
    twin_parameters = list(inspect.signature(twin).parameters)
    worksheet_only = {
        "CP_RECONCILE": ["output"],
        "CP_BALANCE_TEST": [],
        "CP_RECONCILE_COMPONENTS": ["output"],
        "CP_TCE": [],  # the twins take the worksheet's arguments first, then options of their own
        "CP_CO2": [],
        "CP_PORTFOLIO": [],
    }.get(name)
    if worksheet_only is None:
        assert twin_parameters == list(entry["args"])
    else:  # the twins of these functions take the contract arguments first
        shared = [a for a in entry["args"] if a not in worksheet_only and a != "alpha"]
        assert twin_parameters[: len(shared)] == shared
    assert getattr(classic, name).__doc__ == description(name)


@pytest.mark.parametrize("name", list(CATALOG))
def test_help_fits_excels_limits_in_both_languages(name):
    assert len(description(name)) <= EXCEL_HELP_LIMIT
    for argument in CATALOG[name]["args"]:
        for lang in (None, "en", "zh"):
            text = argument_help(name, argument, lang)
            assert text.strip() and len(text) <= EXCEL_HELP_LIMIT
        assert "[" in argument_help(name, argument, "en") or argument == "output"  # a unit, or [-]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in description(name, "zh"))


PLANNED_FUNCTIONS: set[str] = set()


def test_the_design_table_lists_exactly_these_functions():
    from pathlib import Path

    design = Path(__file__).resolve().parents[1].parent / "shared" / "DESIGN.md"
    if not design.exists():
        pytest.skip("DESIGN.md is not next to the repository")
    import re

    rows = re.findall(r"^\| `(CP_[A-Z0-9_]+)\(([^)]*)\)`", design.read_text(encoding="utf-8"), flags=re.M)
    # The design names a few functions ahead of the code; those, and only those, may be missing here.
    assert [r[0] for r in rows if r[0] not in PLANNED_FUNCTIONS] == list(CATALOG)
    assert {r[0] for r in rows} >= PLANNED_FUNCTIONS
    assert not PLANNED_FUNCTIONS & set(CATALOG)
    for name, arguments in rows:
        if name in PLANNED_FUNCTIONS:
            continue
        shown = [a.strip() for a in arguments.split(",") if a.strip()]
        assert shown == [f"[{a}]" if s["optional"] else a for a, s in CATALOG[name]["args"].items()]


# ------------------------------------------------------------------------------------------ what importing costs
BLOCKED = ("pandas", "openpyxl", "xlsxwriter", "polars")


def run_python(code):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_udf_module_needs_no_pandas_openpyxl_or_xlsxwriter():
    # On a machine without them (blocked here), the module imports and computes.
    out = run_python(
        f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {BLOCKED!r}:
                    raise ImportError("blocked: " + name)
        sys.meta_path.insert(0, Block())
        import numpy as np
        import cpxl.excel.udfs as u
        print(u.CP_ELF(np.array([[100.0], [np.nan], [90.0]]), np.array([[50.0]])))
        """
    )
    assert out.strip() == "2.8"


def test_the_udf_module_imports_only_numpy_scipy_xlwings_and_cpxl_core():
    # Whatever xlwings brings in by itself aside, importing the UDFs adds modules of cpxl, numpy, scipy,
    # molmass and the standard library only (classified by the folder each module was loaded from).
    out = run_python(
        """
        import sys, sysconfig, pathlib
        import numpy, xlwings
        before = set(sys.modules)
        import cpxl.excel.udfs
        stdlib = pathlib.Path(sysconfig.get_paths()["stdlib"]).resolve()
        for name in sorted(set(sys.modules) - before):
            path = getattr(sys.modules[name], "__file__", None)
            if path is None or name.split(".")[0] in sys.stdlib_module_names:
                continue
            path = pathlib.Path(path).resolve()
            if stdlib in path.parents and "site-packages" not in path.parts:
                continue
            parts = path.parts
            top = parts[parts.index("site-packages") + 1] if "site-packages" in parts else name.split(".")[0]
            print(name, top.split("-")[0].split(".")[0])
        """
    )
    sources = {line.split()[1] for line in out.splitlines()}
    assert sources <= {"cpxl", "numpy", "scipy", "scipy_libs", "numpy_libs", "molmass"}, sources
    cpxl_modules = {line.split()[0] for line in out.splitlines() if line.split()[1] == "cpxl"}
    assert {m for m in cpxl_modules if not m.startswith("cpxl.core")} <= {
        "cpxl",
        "cpxl.excel",
        "cpxl.excel.udfs",
        "cpxl.excel.adapters",
        "cpxl.excel.catalog",
    }


def test_the_lite_side_imports_no_spreadsheet_library_at_all():
    out = run_python(
        """
        import sys
        import cpxl.excel.adapters, cpxl.excel.lite, cpxl.excel.catalog
        print(" ".join(m for m in ("pandas", "openpyxl", "xlsxwriter", "xlwings", "click") if m in sys.modules))
        """
    )
    assert out.strip() == ""


def test_a_spare_row_of_cp_portfolio_stays_empty_and_the_rows_keep_their_numbers():
    # row 2 is empty; option 3 needs option 4, named by its row in the range
    cells = (col(5, None, 10, -1), col(1, None, 1, 1), [[3]], None, col(None, None, 4, None))
    args = [None if c is None else xlwings_range(c) for c in cells]
    assert classic.CP_PORTFOLIO(*args) == [[1], [""], [1], [1]]
    args[4] = xlwings_range(col(2, None, None, None))  # a requirement on the empty row
    assert classic.CP_PORTFOLIO(*args) == (
        "CP_PORTFOLIO: requires makes option 1 ('option 1') need option 2 ('option 2'), which is not feasible"
    )


def test_cp_tce_of_one_row_is_one_value_and_of_a_row_of_cells_a_column():
    assert classic.CP_TCE(xlwings_range([[1.0]]), xlwings_range([["electricity"]]), None) == 0.1229
    shown = classic.CP_TCE(xlwings_range([[1.0, 1.0]]), xlwings_range([["electricity", "原煤"]]), None)
    assert shown == [[0.1229], [0.7143]]
