"""An independent Excel formula engine (PyPI ``formulas``) evaluates a workbook that calls CP_* functions.

The workbook is written with openpyxl: data, CP_* cells that reference ranges (and each other), native
formulas next to them (SUM over a spilled range, the ELF written out by hand), and the spilling functions
entered as array formulas over the cells they fill. ``formulas`` parses and evaluates every cell; the CP_*
functions are registered with it (``formulas.get_functions()``) as the classic UDFs themselves, behind a
converter that hands them ranges the way xlwings does (2-D arrays, blank cells NaN, an error cell as its text,
as the UDFs declare ``err_to_str=True``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

formulas = pytest.importorskip("formulas")
openpyxl = pytest.importorskip("openpyxl")
import schedula as sh  # noqa: E402  (installed with formulas)
from formulas.functions import wrap_func  # noqa: E402
from formulas.tokens.operand import XlError  # noqa: E402
from openpyxl.worksheet.formula import ArrayFormula  # noqa: E402

import cpxl  # noqa: E402
from cpxl.excel import udfs  # noqa: E402
from cpxl.excel.catalog import CATALOG  # noqa: E402

_blank = np.vectorize(
    lambda v: np.nan if v is sh.EMPTY else str(v) if isinstance(v, XlError) else v,  # err_to_str: "#DIV/0!"
    otypes=[object],
)


def as_xlwings(value, is_range):
    """A ``formulas`` argument (an Array with EMPTY cells, or a literal) as xlwings passes it to a UDF."""
    if isinstance(value, np.ndarray):
        cells = _blank(np.asarray(value, dtype=object))
        if is_range:
            return np.atleast_2d(cells)
        item = cells.reshape(-1)[0] if cells.size == 1 else cells
        return None if isinstance(item, float) and math.isnan(item) else item
    if isinstance(value, XlError):
        return str(value)
    return None if value is sh.EMPTY else value


def register(name):
    udf = getattr(udfs, name)
    ranges = [spec["range"] for spec in CATALOG[name]["args"].values()]

    def cell_function(*args):
        result = udf(*(as_xlwings(a, r) for a, r in zip(args, ranges, strict=False)))
        return np.asarray(result, dtype=object) if isinstance(result, list) else result

    cell_function.__name__ = name
    return wrap_func(cell_function)


@pytest.fixture(scope="module")
def functions():
    table = formulas.get_functions()
    saved = {name: table[name] for name in CATALOG if name in table}
    for name in CATALOG:
        table[name] = register(name)
    yield table
    for name in CATALOG:
        table.pop(name, None)
    table.update(saved)


RAW = [100, 90, None, 1000]
SOURCE, TARGET, MEASURED, SIGMA = ["", "", "A"], ["A", "A", ""], [60, 50, 100], [3, 4, 5]
RATINGS, WEIGHTS = [[8, 6, 7], [5, 9, 4], [3, 3, 9]], [10, 8, 5]
INDICATORS = {  # value, level I, II, III, lower is better, weight
    "V": [1.8, 0.92, 6.0],
    "W": [1.5, 0.95, 5.0],
    "X": [2.0, 0.90, 8.0],
    "Y": [3.0, 0.85, 12.0],
    "Z": [True, False, True],
    "AA": [0.5, 0.3, 0.2],
}


@pytest.fixture(scope="module")
def solution(tmp_path_factory, functions):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "AUDIT"
    for i, v in enumerate(RAW, start=1):
        if v is not None:
            ws[f"A{i}"] = v
    ws["A5"] = 50
    ws["B1"] = "=CP_ELF(A1:A4, A5)"
    ws["B2"] = "=SUM(A1:A4)"
    ws["B3"] = "=(SUM(A1:A4)-A5)/A5"
    for i, (y, f) in enumerate(zip([0.5, 0.5, 0.5], [3, 3, None], strict=True), start=1):
        ws[f"C{i}"] = y
        if f is not None:
            ws[f"D{i}"] = f
    ws["B4"] = "=CP_OVERALL_YIELD(C1:C3, D1:D3)"
    ws["E1"] = "CuSO4·5H2O"
    ws["B5"] = "=CP_MW(E1)"
    ws["F1"], ws["F2"], ws["F3"], ws["F4"] = 200_000, 500_000, 10, 0.25
    ws["B6"] = "=CP_CASH_FLOW(F1, F2, F3, F4)"
    ws["B7"] = "=CP_NPV(0.08, F2, B6, F3)"  # a CP_* result feeding another CP_* function
    ws["B8"] = "=CP_IRR(F2, B6, F3)"
    ws["B9"] = "=CP_PAYBACK(F2, B6)"
    for i, row in enumerate(zip(SOURCE, TARGET, MEASURED, SIGMA, strict=True), start=1):
        for col, v in zip("GHIJ", row, strict=True):
            if v != "":
                ws[f"{col}{i}"] = v
    ws["K1"] = ArrayFormula("K1:K3", "=CP_RECONCILE(G1:G3, H1:H3, I1:I3, J1:J3)")
    ws["L1"] = ArrayFormula("L1:L3", '=CP_RECONCILE(G1:G3, H1:H3, I1:I3, J1:J3, "status")')
    ws["M1"] = ArrayFormula("M1:Q1", "=CP_BALANCE_TEST(G1:G3, H1:H3, I1:I3, J1:J3)")
    ws["B10"] = "=SUM(K1:K3)"  # native formula over a spilled result
    for r, row in enumerate(RATINGS, start=1):
        for col, v in zip("RST", row, strict=True):
            ws[f"{col}{r}"] = v
    for col, v in zip("RST", WEIGHTS, strict=True):
        ws[f"{col}5"] = v
    ws["U1"] = ArrayFormula("U1:U3", "=CP_WEIGHTED_SCORE(R5:T5, R1:T3)")
    for col, values in INDICATORS.items():
        for r, v in enumerate(values, start=1):
            ws[f"{col}{r}"] = v
    ws["AB1"] = "=CP_GRADE(V1:V3, W1:W3, X1:X3, Y1:Y3, Z1:Z3, AA1:AA3)"
    ws["AC1"] = ArrayFormula(
        "AC1:AE1", '=CP_GRADE(V1:V3, W1:W3, X1:X3, Y1:Y3, Z1:Z3, AA1:AA3, AF1:AF3, AG1:AG3, "scores")'
    )
    ws["B11"] = "=CP_ELF(A1:A4, 0)"
    ws["B12"] = "=CP_VERSION()"
    ws["B13"] = "=B1*100"
    ws["AH1"], ws["AH2"], ws["AH3"] = 100, "=1/0", 1000  # an error cell inside a range of masses
    ws["B14"] = "=CP_ELF(AH1:AH3, A5)"
    ws["B15"] = "=SUM(AH1:AH3)"  # Excel's own answer: #DIV/0!
    ws["AI1"] = "=NA()"
    ws["B16"] = "=CP_MW(AI1)"
    path = tmp_path_factory.mktemp("formulas") / "audit.xlsx"
    book.save(path)
    model = formulas.ExcelModel().loads(str(path)).finish()
    return model.calculate()


def value(solution, ref):
    for key, cell in solution.items():
        if key.upper().endswith(f"AUDIT'!{ref}"):
            return np.asarray(cell.value, dtype=object)
    raise KeyError(ref)


def scalar(solution, ref):
    return value(solution, ref).reshape(-1)[0]


def test_single_value_functions_equal_their_twins(solution):
    flow = cpxl.cash_flow(200_000, 500_000, 10, 0.25)
    assert scalar(solution, "B1") == pytest.approx(cpxl.elf([100, 90, 1000], 50), rel=1e-12)
    assert scalar(solution, "B1") == pytest.approx(scalar(solution, "B3"), rel=1e-12)  # the native formula agrees
    assert scalar(solution, "B4") == pytest.approx(cpxl.overall_yield([0.5] * 3, [3, 3, None]), rel=1e-12)
    assert scalar(solution, "B5") == pytest.approx(cpxl.mw("CuSO4·5H2O"), rel=1e-12)
    assert scalar(solution, "B6") == pytest.approx(flow, rel=1e-12)
    assert scalar(solution, "B7") == pytest.approx(cpxl.npv(0.08, 500_000, flow, 10), rel=1e-12)
    assert scalar(solution, "B8") == pytest.approx(cpxl.irr(500_000, flow, 10), rel=1e-12)
    assert scalar(solution, "B9") == pytest.approx(cpxl.payback(500_000, flow), rel=1e-12)
    assert scalar(solution, "AB1") == cpxl.grade(*INDICATORS.values())
    assert scalar(solution, "B12") == cpxl.__version__
    assert scalar(solution, "B13") == pytest.approx(100 * cpxl.elf([100, 90, 1000], 50), rel=1e-12)


def test_spilled_functions_equal_their_twins(solution):
    result = cpxl.reconcile(SOURCE, TARGET, MEASURED, SIGMA)
    assert value(solution, "K1:K3").reshape(-1).astype(float) == pytest.approx(result.value, rel=1e-12)
    assert list(value(solution, "L1:L3").reshape(-1)) == list(result.status)
    row = value(solution, "M1:Q1").reshape(-1)
    want = cpxl.balance_test(SOURCE, TARGET, MEASURED, SIGMA).to_row()
    assert row[:4].astype(float) == pytest.approx(want[:4], rel=1e-12)
    assert bool(row[4]) is want[4]
    assert scalar(solution, "B10") == pytest.approx(result.value.sum(), rel=1e-12)
    scores = cpxl.weighted_score(WEIGHTS, RATINGS)
    assert value(solution, "U1:U3").reshape(-1).astype(float) == pytest.approx(scores, rel=1e-12)
    grade_scores = cpxl.grade(*INDICATORS.values(), output="scores")
    assert value(solution, "AC1:AE1").reshape(-1).astype(float) == pytest.approx(grade_scores, rel=1e-12)


def test_invalid_input_shows_the_message_in_the_cell(solution):
    assert scalar(solution, "B11") == "CP_ELF: product must be > 0, got 0"


def test_an_error_cell_is_an_error_naming_its_position_never_a_blank(solution):
    # Excel's =SUM over the range shows #DIV/0!; CP_ELF must not compute a number from the other cells.
    assert str(scalar(solution, "B15")) == "#DIV/0!"
    assert scalar(solution, "B14") == "CP_ELF: raw_materials[2] is the Excel error #DIV/0!"
    assert scalar(solution, "B16") == "CP_MW: formula is the Excel error #N/A"
