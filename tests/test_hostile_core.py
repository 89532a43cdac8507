"""A catalogue of hostile values thrown at every argument of every public function of cpxl.core.

Starting from valid arguments, one argument at a time is replaced by a bad value. The contract: the call
returns a finite result (a number, or a rich result whose numeric fields are finite where defined) or raises
a CPError whose message is one line, starts with the function's own name and names an argument; and it
returns quickly.
"""

from __future__ import annotations

import decimal
import inspect
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpxl
from cpxl import CPError
from cpxl.core.economics import MAX_RATE, MAX_YEARS

_MILLION = np.ones(1_000_000)
_MILLION.flags.writeable = False  # shared by every case: a function must never write into its input

BAD = {
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "1e308": 1e308,
    "-1e308": -1e308,
    "1e-320": 1e-320,
    "10**400": 10**400,
    "-(10**400)": -(10**400),
    "empty text": "",
    "space": " ",
    "text": "text",
    "decimal comma": "1,5",
    "True": True,
    "None": None,
    "zero": 0,
    "minus one": -1,
    "nested": [[1, [2]]],
    "ragged": [[1, 2], [3]],
    "empty list": [],
    "million": _MILLION,
    "many objects": [None] * 199_999 + [1.0],
    "2-D": [[1, 2], [3, 4]],
    "3-D": np.ones((2, 2, 2)),
    "series with NA": pd.Series([1.0, pd.NA], dtype="Float64"),
    "frame with NA": pd.DataFrame({"a": [1.0, None], "b": [pd.NA, 2]}),
    "Decimal": decimal.Decimal("1.5"),
    "Decimal NaN": decimal.Decimal("NaN"),
    "Decimal 1e400": decimal.Decimal("1e400"),
    "numpy float": np.float64(2.5),
    "numpy int": np.int64(3),
    "numpy bool": np.bool_(True),
    "lone surrogate": "\ud800",
    "newline text": "a\nb",
    "dict": {"a": 1},
    "object": object(),
}

STREAMS = {"source": ["", "A"], "target": ["A", ""], "measured": [100, 90], "sigma": [2, 2]}
VALID = {
    cpxl.elf: {"raw_materials": [100, 90], "product": 50},
    cpxl.efactor: {"waste": [12.5, 7.5], "product": 4},
    cpxl.pmi: {"inputs": [100, 90, 1000], "product": 50},
    cpxl.rme: {"product": 74.5, "reactants": [57.3, 60.2]},
    cpxl.mw: {"formula": "CuSO4·5H2O"},
    cpxl.atom_economy: {"product": "CH3Cl", "reactants": ["CH3OH", "HCl"], "coefficients": [1, 1]},
    cpxl.overall_yield: {"yields": [0.5, 0.5, 0.5], "feeds_into": [3, 3, None]},
    cpxl.reduction: {"before": 1250, "after": 1000},
    cpxl.reuse_rate: {"fresh": 120, "reused": 880},
    cpxl.balance_closure: {"inputs": [1000, 250], "outputs": [1180, 45], "stock_change": 0},
    cpxl.cash_flow: {"saving": 200_000, "investment": 500_000, "life": 10, "tax_rate": 0.25},
    cpxl.npv: {"rate": 0.08, "investment": 500_000, "cash_flows": 162_500, "years": 10},
    cpxl.npvr: {"rate": 0.08, "investment": 500_000, "cash_flows": 162_500, "years": 10},
    cpxl.irr: {"investment": 500_000, "cash_flows": 162_500, "years": 10},
    cpxl.payback: {"investment": 500_000, "cash_flows": [100_000, 200_000, 300_000], "years": None, "rate": 0.08},
    cpxl.weighted_score: {"weights": [10, 8, 5], "ratings": [[8, 6, 7], [5, 9, 4]]},
    cpxl.grade: {
        "values": [1, 2],
        "level_1": [1, 1],
        "level_2": [2, 2],
        "level_3": [3, 3],
        "lower_is_better": [True, True],
        "weights": [0.5, 0.5],
        "groups": ["a", "b"],
        "limiting": [False, False],
        "output": "grade",
    },
    cpxl.reconcile: {**STREAMS, "names": ["in", "out"], "alpha": 0.05, "default_rel_sigma": 0.05},
    cpxl.balance_test: {**STREAMS, "names": ["in", "out"], "alpha": 0.05, "default_rel_sigma": 0.05},
    cpxl.reconcile_components: {
        "source": ["", "", "M"],
        "target": ["M", "M", ""],
        "flow": [100, 50, 150],
        "flow_sigma": [1, 1, 1],
        "fraction": [[0.1], [0.4], [0.22]],
        "fraction_sigma": [[0.02], [0.02], [0.02]],
        "components": ["Cu"],
        "names": ["a", "b", "p"],
        "relations": [({"p": 1, "a": -1, "b": -1}, 0, 0)],
        "alpha": 0.05,
        "max_iterations": 100,
    },
}

# Arguments that take a switch or a count rather than data are left to their own tests.
SKIP = {"eliminate_gross_errors", "max_eliminations", "stock"}

CASES = [
    pytest.param(fn, arg, key, id=f"{fn.__name__}-{arg}-{key}")
    for fn, args in VALID.items()
    for arg in inspect.signature(fn).parameters
    if arg not in SKIP
    for key in BAD
]


def _numbers(result):
    """The numeric parts of a result, as float arrays (NaN allowed where a row or field is undefined)."""
    if isinstance(result, dict):
        parts = [v for v in result.values() if not isinstance(v, (str, bool, list, tuple))]
    else:
        parts = [result]
    out = []
    for part in parts:
        if hasattr(part, "to_numpy"):
            part = part.to_numpy()
        arr = np.asarray(part)
        if arr.dtype.kind in "fiu":
            out.append(arr.astype(float))
    return out


def _keeps_contract(fn, kwargs):
    name = fn.__name__
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cpxl.CPWarning)
            warnings.simplefilter("error", RuntimeWarning)  # a numpy overflow warning is a leak
            result = fn(**kwargs)
    except CPError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith(f"{name}: "), message
        named = [p for p in inspect.signature(fn).parameters if p in message]
        assert named, f"no argument named in {message!r}"
        assert len(message) < 400, message
    else:
        for arr in _numbers(result):
            assert not np.isinf(arr).any(), (name, result)
            if arr.ndim == 0 and not isinstance(result, dict):
                assert np.isfinite(arr), (name, result)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{name} took {elapsed:.1f} s"


@pytest.mark.parametrize(("fn", "arg", "key"), CASES)
def test_hostile_value_in_each_argument(fn, arg, key):
    kwargs = dict(VALID[fn])
    kwargs[arg] = BAD[key]
    _keeps_contract(fn, kwargs)


@pytest.mark.parametrize("fn", list(VALID), ids=lambda fn: fn.__name__)
def test_valid_arguments_give_a_result(fn):
    _keeps_contract(fn, VALID[fn])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cpxl.elf([1e308, 1e308], 1), "elf: raw_materials sums beyond the float range"),
        (lambda: cpxl.elf(1, 1e-320), "elf: raw_materials, product give a result beyond the float range"),
        (lambda: cpxl.npv(-0.99, 1, [1] * 1000), "npv: rate, investment, cash_flows, years give a result beyond"),
        (lambda: cpxl.npv(0.08, 5e5, 1, 1e8), f"npv: years must be at most {MAX_YEARS:,} (a project life)"),
        (lambda: cpxl.npv(0.08, 5e5, 1, 1e12), "npv: years must be at most 1,000"),
        (lambda: cpxl.npv(0.08, 5e5, [1] * 1001), "npv: cash_flows must cover at most 1,000 years"),
        (lambda: cpxl.elf(10**400, 1), "elf: raw_materials is out of range (beyond ±1.8e308), got an integer of 401"),
        (lambda: cpxl.npv(0.08, [1, 10**400], 1, 5), "npv: investment[2] is out of range"),
        (lambda: cpxl.weighted_score([], []), "weighted_score: weights has no values"),
        (lambda: cpxl.weighted_score([1], []), "weighted_score: ratings has no values"),
        (lambda: cpxl.mw("H2O·1/0H2O"), "mw: formula"),
        (lambda: cpxl.irr(5e5, 1e308, 10), "irr: cash_flows repay the investment so fast that the IRR is above 300%"),
        (lambda: cpxl.npvr(8, 1, 1), "npvr: rate must be a fraction (8 % is 0.08), got 8"),
        (lambda: cpxl.npvr(0.08, 1, 1, 5000), "npvr: years must be at most 1,000"),
        (lambda: cpxl.elf(pd.Series([1e308, 1e308]), 1), "elf: raw_materials sums beyond the float range"),
        (lambda: cpxl.elf(["1", 2], 1), "elf: raw_materials[1] must be a number, got '1'"),
        (lambda: cpxl.elf([[1, 2], [3]], 1), "elf: raw_materials[1] must be a number, got a list of 2 entries"),
    ],
)
def test_issue_examples_are_errors(call, message):
    with pytest.raises(CPError) as info:
        call()
    assert str(info.value).startswith(message)


def test_results_that_were_wrong_or_not_finite():
    # a huge investment no longer cancels the saving: no tax, F = P
    assert cpxl.cash_flow(200_000, 1e308, 10, 0.25) == 200_000
    assert cpxl.cash_flow(200_000, 1e300, 1e-5, 0.25) == 200_000
    # the exact rearrangement agrees with the textbook steps on ordinary numbers
    assert cpxl.cash_flow(200_000, 500_000, 10, 0.25) == pytest.approx(162_500, rel=1e-15)
    # sums that would overflow on the way to a finite answer
    assert cpxl.reuse_rate(1e308, 1e308) == 0.5
    assert cpxl.reuse_rate(120, 880) == pytest.approx(0.88, rel=1e-15)
    with pytest.raises(CPError, match=r"^atom_economy: reactants weigh beyond the float range"):
        cpxl.atom_economy(1, [1e308, 1e308])
    with pytest.raises(CPError, match=r"^overall_yield: yields multiply to less than 1e-308"):
        cpxl.overall_yield([0.5] * 2000)
    # Decimal and numpy scalars are numbers
    assert cpxl.elf(decimal.Decimal("150"), np.float32(50)) == pytest.approx(2.0)
    assert cpxl.npv(np.float64(0.08), np.int64(500_000), decimal.Decimal("162500"), np.int32(10)) == pytest.approx(
        590388.23, abs=0.01
    )
    # a full column of blanks around a few numbers is read at array speed
    column = [None] * 1_048_575 + [3.0]
    start = time.perf_counter()
    assert cpxl.elf(column, 1) == 2.0
    assert time.perf_counter() - start < 1.0


def test_a_wrong_call_stays_a_type_error():
    with pytest.raises(TypeError):
        cpxl.elf([1, 2])
    with pytest.raises(TypeError):
        cpxl.npv(0.08, 1, 1, years=5, life=3)


def test_irr_work_is_bounded():
    start = time.perf_counter()
    with pytest.raises(CPError, match=r"^irr: cash_flows change sign more than once over more than 200 years"):
        cpxl.irr(5, [1.0] * 999 + [-1.0])
    # one sign change: a single root, bracketed, over the longest life accepted
    assert cpxl.irr(5, [1.0] * 1000) == pytest.approx(0.2)
    # at the bound, every root is still sought: two rates, so no IRR
    with pytest.raises(CPError, match=r"several rates give NPV = 0 \(-50\.0000%, 20\.0000%\)"):
        cpxl.irr(5, [1.0] * 199 + [-1.0])
    assert time.perf_counter() - start < 2.0


def test_rate_guard_and_irr_agree():
    assert cpxl.irr(100, [300]) == pytest.approx(2.0)
    with pytest.warns(cpxl.CPWarning, match="rate 2 is 200%"):
        assert cpxl.npv(cpxl.irr(100, [300]), 100, [300]) == pytest.approx(0.0, abs=1e-9)
    for func in (cpxl.npv, cpxl.npvr):
        with pytest.raises(CPError, match=rf"^{func.__name__}: rate must be a fraction"):
            func(MAX_RATE, 100, [300])
    with pytest.raises(CPError, match=r"^payback: rate must be a fraction"):
        cpxl.payback(100, [300], rate=8)
    with pytest.raises(CPError, match=r"^irr: cash_flows repay the investment so fast"):
        cpxl.irr(100, [100 * (1 + MAX_RATE)])


@settings(max_examples=150, deadline=None)
@given(
    investment=st.floats(1, 1e9),
    flows=st.lists(st.floats(-1e8, 1e9), min_size=1, max_size=40),
)
def test_npv_at_cpxl_own_irr_is_zero(investment, flows):
    """Every rate irr returns is accepted back by npv, npvr and payback, and gives NPV = 0 there."""
    try:
        rate = cpxl.irr(investment, flows)
    except CPError as exc:
        assert str(exc).startswith("irr: ")
        return
    assert -1 < rate < MAX_RATE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpxl.CPWarning)
        try:
            value = cpxl.npv(rate, investment, flows)
        except CPError as exc:  # overflow of (1 + rate)^-j near rate = -1: out of range, never the rate refused
            assert "rate must" not in str(exc)
            return
        cpxl.npvr(rate, investment, flows)
        terms = [investment] + [abs(f) / (1 + rate) ** j for j, f in enumerate(flows, start=1)]
        # a rate near -1 carries few digits in 1 + rate: allow for the NPV's slope there
        slope = math.fsum(j * t for j, t in enumerate(terms)) / (1 + rate)
        assert abs(value) <= 1e-7 * math.fsum(terms) + 1e-14 * slope
        try:
            cpxl.payback(investment, flows, rate=rate)
        except CPError as exc:
            assert "rate must" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(
    raw=st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(10**400), 10**400),
            st.decimals(allow_nan=True, allow_infinity=True),
            st.text(max_size=3),
            st.booleans(),
        ),
        max_size=6,
    ),
    product=st.one_of(st.floats(), st.integers(-(10**400), 10**400), st.decimals()),
)
def test_metrics_on_any_mixture(raw, product):
    for fn in (cpxl.elf, cpxl.efactor, cpxl.pmi):
        _keeps_contract(fn, dict(zip(inspect.signature(fn).parameters, [raw, product], strict=True)))
    _keeps_contract(cpxl.rme, {"product": product, "reactants": raw})
    _keeps_contract(cpxl.reduction, {"before": product, "after": raw})
    _keeps_contract(cpxl.reuse_rate, {"fresh": product, "reused": raw})
    _keeps_contract(cpxl.balance_closure, {"inputs": raw, "outputs": product})
