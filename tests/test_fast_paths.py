"""The fast paths of small calls give what the general paths give: the same numbers and the same refusals.

Short arguments of plain numbers are read without numpy (:func:`cpxl.core.inputs.small_floats`), and a
conventional IRR is found by Halley's method instead of the bracketing search. Each test runs the same call
both ways (the fast path switched off by replacing it with one that always declines) and compares, and the
IRR is also compared with numpy-financial, an independent implementation.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import itertools
import math
import warnings

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpxl
from cpxl import CPError
from cpxl.core import economics, inputs, scoring, yields
from cpxl.excel import adapters

rng = np.random.default_rng(20261129)


def outcome(call):
    """The result of *call*, or the type and message of what it raised."""
    try:
        return ("value", call())
    except (CPError, TypeError) as exc:
        return (type(exc).__name__, str(exc))


def same(a, b):
    """Equal outcomes, floats bit for bit (NaN equal to NaN, -0.0 distinct from 0.0)."""
    if a[0] != b[0]:
        return False
    x, y = a[1], b[1]
    if isinstance(x, float) and isinstance(y, float):
        return math.copysign(1.0, x) == math.copysign(1.0, y) and (x == y or (x != x and y != y))
    if isinstance(x, np.ndarray):
        return np.array_equal(x, y, equal_nan=True)
    return x == y


@contextlib.contextmanager
def general_path():
    """Every argument read by the general path: the fast reader declines everything."""
    with pytest.MonkeyPatch.context() as m:
        for module in (inputs, economics, scoring, yields):
            m.setattr(module, "small_floats", lambda x: None)
        yield


# --- reading arguments ------------------------------------------------------------------------------------

cell = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.sampled_from(["", " ", "x", "1", "#DIV/0!"]),
    st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=False),
)
argument = st.one_of(
    cell,
    st.lists(cell, max_size=70),
    st.lists(st.lists(cell, min_size=2, max_size=2), max_size=5),
    st.lists(st.lists(cell, max_size=3), max_size=4),  # ragged rows, refused
    st.lists(st.floats(-1e6, 1e6), max_size=20).map(np.array),
    st.lists(st.lists(st.one_of(st.none(), st.floats(-1e3, 1e3)), min_size=1, max_size=1), max_size=12).map(
        lambda rows: np.array(rows, dtype=object).reshape(-1, 1)
    ),
)


@settings(max_examples=600, deadline=None)
@given(x=argument, nonnegative=st.booleans(), empty=st.sampled_from([None, 0.0]))
def test_total_reads_every_argument_as_the_general_path_does(x, nonnegative, empty):
    fast = outcome(lambda: inputs.total(x, "f", "arg", nonnegative=nonnegative, empty=empty))
    with general_path():
        slow = outcome(lambda: inputs.total(x, "f", "arg", nonnegative=nonnegative, empty=empty))
    assert same(fast, slow), (fast, slow)


@settings(max_examples=400, deadline=None)
@given(x=argument, default=st.sampled_from([None, 0.0, math.nan]))
def test_scalar_reads_every_argument_as_the_general_path_does(x, default):
    fast = outcome(lambda: inputs.scalar(x, "f", "arg", default=default))
    with general_path():
        slow = outcome(lambda: inputs.scalar(x, "f", "arg", default=default))
    assert same(fast, slow), (fast, slow)


@settings(max_examples=300, deadline=None)
@given(x=argument)
def test_small_floats_gives_the_values_of_as_floats_or_declines(x):
    values = inputs.small_floats(x)
    with general_path():
        general = outcome(lambda: inputs.as_floats(x, "f", "arg"))
    if values is not None:  # read: the general path reads the same values and refuses nothing
        assert general[0] == "value"
        assert np.array_equal(np.array(values, dtype=float), general[1], equal_nan=True)


@pytest.mark.parametrize(
    "x",
    [
        True,
        [1.0, True],
        [1.0, math.inf],
        [-math.inf],
        10**400,
        [1, 10**400],
        "1",
        ["a"],
        [[1, [2]]],
        [[1, 2], [3]],
        [np.float64(1.0)],
        decimal.Decimal("1"),
        np.array([True]),
        [1.0] * (inputs.SMALL + 1),
    ],
)
def test_small_floats_declines_what_it_does_not_read(x):
    assert inputs.small_floats(x) is None


def test_numpy_sum_adds_as_numpy_does_to_the_last_bit():
    for n in range(129):
        for _ in range(20):
            values = (rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-5, 17, n)).tolist()
            expected = float(np.array(values, dtype=float).sum())
            assert same(("value", inputs.numpy_sum(values)), ("value", expected)), (n, values)
    assert math.copysign(1.0, inputs.numpy_sum([-0.0] * 9)) == 1.0


# --- the public wrapper ----------------------------------------------------------------------------------


def test_a_wrong_call_is_a_type_error_and_a_type_error_inside_is_a_cperror():
    @inputs.public("probe")
    def probe(x, y=None):
        if x == "raise":
            raise TypeError("inside")
        return float(x)

    assert probe(2) == 2.0
    with pytest.raises(TypeError):
        probe()
    with pytest.raises(TypeError):
        probe(1, 2, 3)
    with pytest.raises(TypeError):
        probe(1, z=2)
    with pytest.raises(CPError, match=r"^probe: x, y cannot be computed \(TypeError: inside\)"):
        probe("raise")
    with pytest.raises(CPError, match=r"^probe: x, y give a result beyond the float range"):
        probe(math.inf)
    with pytest.raises(CPError, match=r"^probe: x, y give a result beyond the float range"):
        probe(math.nan)


def test_an_array_result_may_hold_nan_never_an_infinity():
    @inputs.public("probe_array")
    def probe_array(values):
        return np.array(values, dtype=float)

    assert np.array_equal(probe_array([1.0, math.nan]), [1.0, math.nan], equal_nan=True)
    assert probe_array([[1.0, 2.0]]).shape == (1, 2)
    for bad in ([1.0, math.inf], [[-math.inf, 0.0]], [math.inf] * (inputs.SMALL + 1)):
        with pytest.raises(CPError, match=r"^probe_array: values give a result beyond the float range"):
            probe_array(bad)


def test_the_error_state_is_restored_after_every_call():
    before = np.geterr()
    cpxl.elf([1.0, 2.0], 1.0)
    with pytest.raises(CPError):
        cpxl.elf([1.0, 2.0], 0.0)
    assert np.geterr() == before


# --- the metrics and economics on small calls, both ways ------------------------------------------------

small_masses = st.lists(st.one_of(st.none(), st.floats(-10.0, 1e6), st.integers(-5, 10**6)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(a=small_masses, b=small_masses, c=small_masses)
def test_metrics_give_the_same_answer_both_ways(a, b, c):
    calls = [
        lambda: cpxl.elf(a, b),
        lambda: cpxl.efactor(a, b),
        lambda: cpxl.pmi(a, b),
        lambda: cpxl.balance_closure(a, b, c),
        lambda: cpxl.balance_closure(a, b),
        lambda: cpxl.cash_flow(a, b, 10, 0.25),
        lambda: cpxl.overall_yield([0.9, 0.8, None]),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpxl.CPWarning)
        fast = [outcome(call) for call in calls]
        with general_path():
            slow = [outcome(call) for call in calls]
    for f, s in zip(fast, slow, strict=True):
        assert same(f, s), (f, s)


flows_strategy = st.lists(st.one_of(st.floats(-1e6, 1e7), st.none()), min_size=1, max_size=20)


@settings(max_examples=300, deadline=None)
@given(
    rate=st.floats(-0.9, 2.5),
    investment=st.floats(0, 1e7),
    flows=flows_strategy,
    years=st.one_of(st.none(), st.integers(1, 80)),
)
def test_npv_and_payback_give_the_same_answer_both_ways(rate, investment, flows, years):
    calls = [
        lambda: cpxl.npv(rate, investment, flows, years),
        lambda: cpxl.npvr(rate, investment, flows, years),
        lambda: cpxl.payback(investment, flows, years, rate if rate >= 0 else None),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpxl.CPWarning)
        fast = [outcome(call) for call in calls]
        with general_path():
            slow = [outcome(call) for call in calls]
    for f, s in zip(fast, slow, strict=True):
        assert f[0] == s[0], (f, s)
        if f[0] == "value":
            assert f[1] == pytest.approx(s[1], rel=1e-13, abs=1e-9), (f, s)
        else:
            assert f == s


@settings(max_examples=300, deadline=None)
@given(
    weights=st.one_of(st.lists(st.one_of(st.none(), st.floats(-1, 10), st.integers(0, 10)), max_size=4), cell),
    ratings=st.one_of(
        st.lists(st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=3, max_size=3), max_size=5),
        st.lists(st.one_of(st.none(), st.floats(0, 10)), max_size=6),
        st.lists(st.lists(st.floats(0, 10), min_size=2, max_size=2), min_size=1, max_size=4).map(np.array),
    ),
)
def test_weighted_score_gives_the_same_answer_both_ways(weights, ratings):
    fast = outcome(lambda: cpxl.weighted_score(weights, ratings))
    with general_path():
        slow = outcome(lambda: cpxl.weighted_score(weights, ratings))
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "value":
        np.testing.assert_allclose(fast[1], slow[1], rtol=1e-14, atol=1e-300)
    else:
        assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    route=st.lists(st.one_of(st.none(), st.floats(-0.5, 1.5), st.integers(0, 90)), max_size=8),
    feeds_into=st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=8)),
)
def test_overall_yield_gives_the_same_answer_both_ways(route, feeds_into):
    fast = outcome(lambda: cpxl.overall_yield(route, feeds_into))
    with general_path():
        slow = outcome(lambda: cpxl.overall_yield(route, feeds_into))
    assert same(fast, slow), (fast, slow)


def test_npv_of_a_short_series_matches_numpy_financial():
    for _ in range(300):
        n = int(rng.integers(1, 60))
        investment = float(rng.uniform(1e3, 1e7))
        flows = rng.normal(investment / n, investment / n, n)
        rate = float(rng.uniform(-0.5, 0.9))
        expected = npf.npv(rate, np.concatenate(([-investment], flows)))
        assert cpxl.npv(rate, investment, flows.tolist()) == pytest.approx(expected, rel=1e-11, abs=1e-6)


# --- IRR: Halley's method against the bracketing search, the companion matrix and numpy-financial ---------


def robust_irr(investment, flows):
    """cpxl.irr with Halley's method switched off: Brent's method or the companion matrix alone."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(economics, "_single_root", lambda c, k, v_max: None)
        return outcome(lambda: cpxl.irr(investment, flows))


def close_rates(a, b, rel=1e-11):
    """Rates as close as the digits of 1 + r allow: compared through v = 1/(1 + r)."""
    return abs((1 + a) / (1 + b) - 1) <= rel


def series(kind):
    n = int(rng.integers(1, 40))
    investment = float(10 ** rng.uniform(0, 8))
    if kind == "conventional":
        flows = rng.uniform(0.01, 2.0, n) * investment / n * float(rng.uniform(0.1, 6))
    elif kind == "late start":  # costs first, then returns: one sign change after several negatives
        k = int(rng.integers(0, n))
        flows = np.concatenate((-rng.uniform(0, 0.3, k), rng.uniform(0.1, 2.0, n - k + 1))) * investment / n
    elif kind == "mixed":  # several sign changes
        flows = rng.normal(0.3, 1.0, n) * investment / n * 2
    elif kind == "near -1":  # almost nothing comes back
        flows = rng.uniform(0, 1, n) * investment * 10.0 ** -rng.uniform(3, 11)
    elif kind == "fast":  # rates of 100 % and more
        flows = rng.uniform(0.5, 1.5, n) * investment * float(rng.uniform(1.0, 3.5))
    else:  # amounts spanning many orders of magnitude
        flows = rng.uniform(0, 1, n) * investment / n * 10.0 ** rng.uniform(-12, 1.5, n)
    return investment, flows.tolist()


@pytest.mark.parametrize("kind", ["conventional", "late start", "mixed", "near -1", "fast", "wide"])
def test_irr_by_halley_equals_the_bracketing_search(kind):
    agreed = 0
    for _ in range(250):
        investment, flows = series(kind)
        fast = outcome(functools.partial(cpxl.irr, investment, flows))
        slow = robust_irr(investment, flows)
        assert fast[0] == slow[0], (investment, flows, fast, slow)
        if fast[0] == "value":
            assert close_rates(fast[1], slow[1]), (investment, flows, fast, slow)
            agreed += 1
        else:
            assert fast == slow
    assert agreed > 0 or kind in ("near -1", "mixed")


@pytest.mark.parametrize("kind", ["conventional", "late start", "fast"])
def test_irr_by_halley_matches_numpy_financial(kind):
    checked = 0
    for _ in range(200):
        investment, flows = series(kind)
        try:
            ours = cpxl.irr(investment, flows)
        except CPError:
            continue
        theirs = npf.irr([-investment, *flows])
        if math.isnan(theirs):  # numpy-financial finds no root it trusts
            continue
        assert ours == pytest.approx(theirs, rel=1e-7, abs=1e-9), (investment, flows)
        checked += 1
    assert checked > 50


def test_halley_finds_the_root_of_the_polynomial():
    for _ in range(500):
        investment, flows = series(rng.choice(["conventional", "late start", "fast", "near -1"]))
        largest = max(investment, *map(abs, flows))
        c = [-investment / largest] + [f / largest for f in flows]
        while c[-1] == 0:
            c.pop()
        signs = [x > 0 for x in c if x != 0]
        if sum(a != b for a, b in itertools.pairwise(signs)) != 1:
            continue
        k = next(j for j, x in enumerate(c) if x > 0)
        v_max = economics._v_limit(len(c) - 1)
        v = economics._single_root(c, k, v_max)
        if v is None:  # only when the root lies beyond the rates searched
            assert economics._polynomial(c)(v_max) <= 0
            continue
        p = economics._polynomial(c)
        magnitude = economics._polynomial([abs(x) for x in c])
        # a sign change of p within a few units in the last place of v: the root to machine precision
        assert p(v * (1 - 1e-13)) <= 1e-12 * magnitude(v) and p(v * (1 + 1e-13)) >= -1e-12 * magnitude(v)


def test_irr_documented_cases_are_unchanged():
    assert cpxl.irr(500_000, 162_500, years=10) == pytest.approx(0.3017380, abs=1e-7)
    assert cpxl.irr(1000, [0, 0, 1331]) == pytest.approx(0.1, rel=1e-14)
    assert cpxl.irr(100, 250) == pytest.approx(1.5, rel=1e-15)
    assert cpxl.irr(5, [1.0] * 1000) == pytest.approx(0.2, rel=1e-14)
    with pytest.raises(CPError, match=r"repay almost nothing: the IRR is below -99\.9999"):
        cpxl.irr(1e6, [1e-9])
    with pytest.raises(CPError, match=r"several rates give NPV = 0 \(10\.0000%, 20\.0000%\)"):
        cpxl.irr(100, [230, -132])
    with pytest.raises(CPError, match="so fast that the IRR is above 300%"):
        cpxl.irr(100, 1100)
    # returns so small against the investment that, scaled to it, they vanish: no rate, said so
    with pytest.raises(CPError, match=r"^irr: cash_flows give an NPV that is never zero"):
        cpxl.irr(1e300, [1e-30])
    # amounts near the float range: the sums of Halley's method overflow, the scaled search answers
    assert cpxl.irr(1e308, [1.5e308]) == pytest.approx(0.5, rel=1e-12)


# --- the worksheet layer: error cells found alike in small and large ranges ------------------------------


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(
        st.one_of(st.none(), st.floats(-1e3, 1e3), st.booleans(), st.sampled_from(["", "x", "#N/A", "#DIV/0!"])),
        max_size=12,
    ),
    shape=st.sampled_from(["column", "rows", "object array", "flat"]),
)
def test_error_cells_are_found_as_the_general_look_finds_them(cells, shape):
    if shape == "column":
        value = [[c] for c in cells]
    elif shape == "rows":
        value = [cells[i : i + 2] for i in range(0, len(cells) - len(cells) % 2, 2)]
    elif shape == "object array":
        value = np.array([*cells, None], dtype=object).reshape(-1, 1)
    else:
        value = cells

    def scan():
        adapters._refuse_excel_errors("CP_ELF", (value, 1.0))

    fast = outcome_of(scan)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(adapters, "_few_cells", lambda v: None)
        slow = outcome_of(scan)
    assert fast == slow


def outcome_of(call):
    try:
        call()
    except adapters.WorksheetError as exc:
        return str(exc)
    return None


def test_worksheet_function_on_a_small_range_gives_the_twins_answer():
    column = np.array([[100.0], [90.0], [None], [1000.0], [""]], dtype=object)
    assert adapters.evaluate("CP_ELF", column, np.array([[50.0]], dtype=object)) == cpxl.elf([100, 90, 1000], 50)
    assert adapters.evaluate("CP_IRR", [[500_000.0]], [[162_500.0]], [[10.0]]) == cpxl.irr(500_000, 162_500, 10)
    with pytest.raises(adapters.WorksheetError, match=r"^CP_ELF: raw_materials\[2\] is the Excel error #N/A"):
        adapters.evaluate("CP_ELF", [[1.0], ["#N/A"]], 1.0)


def evaluated(name, *args):
    try:
        return ("value", adapters.evaluate(name, *args))
    except adapters.WorksheetError as exc:
        return ("error", str(exc))


range_cells = st.lists(
    st.one_of(st.none(), st.floats(-10, 1e6), st.integers(0, 100), st.sampled_from(["", "x", "#N/A"])),
    min_size=1,
    max_size=6,
)
worksheet_argument = st.one_of(
    range_cells.map(lambda cells: [[c] for c in cells]),  # a column, as nested lists
    range_cells.map(lambda cells: [cells]),  # a row
    range_cells.map(lambda cells: np.array([[c] for c in cells], dtype=object)),  # as xlwings converts it
    st.lists(range_cells, min_size=1, max_size=3),  # rows of any lengths: ragged ones are refused
    st.floats(-10, 1e6),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["CP_ELF", "CP_PMI", "CP_IRR", "CP_PAYBACK", "CP_OVERALL_YIELD", "CP_BALANCE_CLOSURE"]),
    first=worksheet_argument,
    second=worksheet_argument,
)
def test_small_ranges_read_flat_give_what_the_ranges_give(name, first, second):
    args = (first, second) if name != "CP_PAYBACK" else (first, second, None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpxl.CPWarning)
        fast = evaluated(name, *args)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(adapters, "_flat", lambda value: value)
            m.setattr(adapters, "_few_cells", lambda value: None)
            slow = evaluated(name, *args)
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "value" and isinstance(fast[1], float):
        assert fast[1] == pytest.approx(slow[1], rel=1e-12)
    else:
        assert fast == slow
