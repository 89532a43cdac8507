"""The balance model: incidence matrix, closure per unit and system, stock streams, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpxl.core.errors import CPError
from cpxl.core.flowsheet import Flowsheet

# Reactor R then separator S. F (feed) and W (water) into R; RS from R to S; P (product) and X (waste) leave S.
SRC = [None, None, "R", "S", "S"]
TGT = ["R", "R", "S", None, None]
NAMES = ["F", "W", "RS", "P", "X"]


def test_incidence_by_hand():
    fs = Flowsheet.from_streams(SRC, TGT, NAMES)
    assert fs.units == ("R", "S") and fs.streams == tuple(NAMES)
    # rows = units, +1 inflow, -1 outflow; F and W enter R, RS leaves R and enters S, P and X leave S
    expected = np.array([[1, 1, -1, 0, 0], [0, 0, 1, -1, -1]], float)
    np.testing.assert_array_equal(fs.incidence.toarray(), expected)
    assert fs.incidence.format == "csr"
    np.testing.assert_array_equal(fs.source, [-1, -1, 0, 1, 1])
    np.testing.assert_array_equal(fs.target, [0, 0, 1, -1, -1])
    assert len(fs) == 5 and fs.n_units == 2


def test_two_units_in_series_closure_by_hand():
    fs = Flowsheet.from_streams(SRC, TGT, NAMES)
    # R: in 100 + 20 = 120, out 118 -> (120 - 118)/120 = 1/60
    # S: in 118, out 90 + 25 = 115 -> 3/118
    # system: in 120, out 115 -> 5/120
    res = fs.closure([100, 20, 118, 90, 25], tolerance=0.02)
    np.testing.assert_allclose(res.inflow, [120, 118])
    np.testing.assert_allclose(res.outflow, [118, 115])
    np.testing.assert_allclose(res.closure, [1 / 60, 3 / 118], rtol=1e-14)
    assert res.system_closure == pytest.approx(5 / 120, rel=1e-14)
    assert res.system_inflow == 120 and res.system_outflow == 115
    assert res.unbalanced == ["S"]  # 2.5 % > 2 %, R's 1.7 % is within
    assert fs.unbalanced([100, 20, 118, 90, 25], tolerance=0.05) == []


def test_stock_change_is_a_stream_to_or_from_the_boundary():
    # Tank T: fed 100, sends 80 on; 15 accumulates (stock stream T -> boundary), 5 drawn from an old stock
    # (stock stream boundary -> T) is not counted: stock change = 15 - 5 = 10, closure = (100 - 80 - 10)/100
    fs = Flowsheet.from_streams(["", "T", "T", ""], ["T", "", "", "T"], stock=[0, 0, 1, 1])
    res = fs.closure([100, 80, 15, 5])
    assert res.inflow[0] == 100 and res.outflow[0] == 80 and res.stock_change[0] == 10
    assert res.closure[0] == pytest.approx(0.1)
    assert res.system_stock_change == 10 and res.system_closure == pytest.approx(0.1)


def _random_table(rng):
    n_units = int(rng.integers(1, 6))
    n = int(rng.integers(n_units + 1, 4 * n_units + 3))
    src, tgt, stock = [], [], []
    for _ in range(n):
        a = int(rng.integers(-1, n_units))
        b = int(rng.integers(-1, n_units))
        while b == a:
            b = int(rng.integers(-1, n_units))
        src.append(None if a < 0 else f"U{a}")
        tgt.append(None if b < 0 else f"U{b}")
        stock.append(bool((a < 0 or b < 0) and rng.random() < 0.2))
    return src, tgt, stock, rng.uniform(0, 100, n)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_closure_equals_balance_closure_unit_by_unit(seed):
    metrics = pytest.importorskip("cpxl.core.metrics")
    rng = np.random.default_rng(seed)
    src, tgt, stock, x = _random_table(rng)
    fs = Flowsheet.from_streams(src, tgt, stock=stock)
    res = fs.closure(x)
    for i, unit in enumerate(fs.units):
        ins = [x[j] for j in range(len(x)) if tgt[j] == unit and not stock[j]]
        outs = [x[j] for j in range(len(x)) if src[j] == unit and not stock[j]]
        dstock = sum(x[j] for j in range(len(x)) if src[j] == unit and stock[j]) - sum(
            x[j] for j in range(len(x)) if tgt[j] == unit and stock[j]
        )
        if sum(ins) > 0:
            expected = metrics.balance_closure(ins, outs or [0.0], stock_change=dstock)
            assert res.closure[i] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        else:
            assert np.isnan(res.closure[i])
    ins = [x[j] for j in range(len(x)) if src[j] is None and not stock[j]]
    if sum(ins) > 0:
        outs = [x[j] for j in range(len(x)) if tgt[j] is None and not stock[j]]
        dstock = sum(x[j] for j in range(len(x)) if tgt[j] is None and stock[j]) - sum(
            x[j] for j in range(len(x)) if src[j] is None and stock[j]
        )
        expected = metrics.balance_closure(ins, outs or [0.0], stock_change=dstock)
        assert res.system_closure == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_blank_value_makes_only_the_touched_units_unknown():
    fs = Flowsheet.from_streams(SRC, TGT, NAMES)
    res = fs.closure([100, 20, None, 90, 25])  # RS unknown: both R and S have no closure
    assert np.isnan(res.closure).all() and res.unbalanced == []
    res = fs.closure([100, None, 118, 90, 25])  # W unknown: only R
    assert np.isnan(res.closure[0]) and res.closure[1] == pytest.approx(3 / 118)


def test_zero_input_unit_has_undefined_closure():
    fs = Flowsheet.from_streams(["", "A"], ["A", ""])
    res = fs.closure([0, 0])
    assert np.isnan(res.closure[0]) and np.isnan(res.system_closure)


def test_frame_and_repr():
    fs = Flowsheet.from_streams(SRC, TGT, NAMES)
    frame = fs.closure([100, 20, 118, 90, 25]).to_frame()
    assert list(frame.index) == ["R", "S", "(system)"]
    assert frame.loc["(system)", "closure"] == pytest.approx(5 / 120)
    assert repr(fs) == "Flowsheet(5 streams, 2 units: 'R', 'S')"
    assert "system_closure" in repr(fs.closure([100, 20, 118, 90, 25]))


def test_numbers_as_unit_labels():
    fs = Flowsheet.from_streams([None, 1, 2.0], [1, 2, None])
    assert fs.units == ("1", "2")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"source": ["", None], "target": ["A", ""]}, "flowsheet: source[2] and target are both blank"),
        ({"source": ["A", "B"], "target": ["B", "B"]}, "flowsheet: target[2] must differ from its source, got 'B'"),
        (
            {"source": ["", "A"], "target": ["A", ""], "names": ["a", "a"]},
            "flowsheet: names[2] repeats names[1], got 'a'",
        ),
        ({"source": ["", "A"], "target": ["A", ""], "names": ["a", ""]}, "flowsheet: names[2] is blank"),
        ({"source": ["", "A"], "target": ["A"]}, "flowsheet: target must have one entry per row (2), got 1"),
        ({"source": ["", "A"], "target": ["A", ""], "names": ["a"]}, "flowsheet: names must have one entry per row"),
        (
            {"source": ["", "A"], "target": ["A", "B"], "stock": [0, 1]},
            "flowsheet: stock[2] is set for a stream between two units",
        ),
        ({"source": [], "target": []}, "flowsheet: source has no streams"),
    ],
)
def test_table_errors_name_argument_and_row(kwargs, message):
    with pytest.raises(CPError) as info:
        Flowsheet.from_streams(**kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "values,tol,message",
    [
        ([100, -1], 0.05, "closure: values[2] must be >= 0"),
        ([100], 0.05, "closure: values must have one entry per stream (2), got 1"),
        ([100, "a"], 0.05, "closure: values[2] must be a number, got 'a'"),
        ([100, 90], -1, "closure: tolerance must be >= 0, got -1"),
    ],
)
def test_closure_errors(values, tol, message):
    fs = Flowsheet.from_streams(["", "A"], ["A", ""])
    with pytest.raises(CPError) as info:
        fs.closure(values, tol)
    assert str(info.value).startswith(message)
