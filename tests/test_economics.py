"""Economics: cash flow, NPV, NPVR, IRR, payback (DOMAIN.md §2.1).

NPV and IRR are checked against numpy-financial, an independent implementation;
payback against brute-force discounting written out here.
"""

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpxl
from cpxl import CPError

rng = np.random.default_rng(20261128)


# --- cash flow: F = (P - D)(1 - t) + D with no negative tax ------------------------------------------


def test_cash_flow_by_hand():
    # I = 500,000 over 10 years: D = 50,000. P = 200,000: T = 150,000, E = 112,500, F = 162,500.
    assert cpxl.cash_flow(200_000, 500_000, 10, 0.25) == pytest.approx(162_500)
    # Savings in several rows are summed: 150,000 + 50,000 = 200,000.
    assert cpxl.cash_flow([150_000, 50_000], 500_000, 10, 0.25) == pytest.approx(162_500)
    # No tax: F = P.
    assert cpxl.cash_flow(200_000, 500_000, 10) == pytest.approx(200_000)


def test_no_negative_tax_when_depreciation_exceeds_the_saving():
    # P = 30,000 < D = 50,000: T = -20,000, E = T (no tax credit), F = E + D = P.
    assert cpxl.cash_flow(30_000, 500_000, 10, 0.25) == pytest.approx(30_000)
    # A net loss stays a loss.
    assert cpxl.cash_flow(-10_000, 500_000, 10, 0.25) == pytest.approx(-10_000)


@given(
    st.floats(-1e6, 1e7),
    st.floats(0, 1e7),
    st.integers(1, 30),
    st.floats(0, 0.6),
)
def test_cash_flow_never_exceeds_the_saving_and_tax_is_never_negative(saving, investment, life, tax):
    flow = cpxl.cash_flow(saving, investment, life, tax)
    assert flow <= saving + 1e-6 * max(1.0, abs(saving))
    depreciation = investment / life
    tax_paid = saving - flow
    assert tax_paid >= -1e-6 * max(1.0, abs(saving))
    if saving > depreciation:
        assert tax_paid == pytest.approx((saving - depreciation) * tax, rel=1e-9, abs=1e-6)


# --- NPV and NPVR against numpy-financial ------------------------------------------------------------


def random_project():
    n = int(rng.integers(1, 25))
    investment = float(rng.uniform(1e3, 1e7))
    flows = rng.normal(investment / n * 1.3, investment / n, size=n)
    return investment, flows


@pytest.mark.parametrize("trial", range(200))
def test_npv_matches_numpy_financial_with_investment_at_time_zero(trial):
    investment, flows = random_project()
    rate = float(rng.uniform(-0.5, 0.5))
    expected = npf.npv(rate, np.concatenate(([-investment], flows)))  # npf.npv discounts from t = 0
    assert cpxl.npv(rate, investment, flows) == pytest.approx(expected, rel=1e-10, abs=1e-6)
    assert cpxl.npvr(rate, investment, flows) == pytest.approx(expected / investment, rel=1e-10, abs=1e-12)


def test_a_single_flow_with_years_is_repeated():
    assert cpxl.npv(0.08, 500_000, 162_500, years=10) == pytest.approx(
        npf.npv(0.08, [-500_000] + [162_500] * 10), rel=1e-12
    )
    # the annuity formula, a third route to the same number
    annuity = 162_500 * (1 - 1.08**-10) / 0.08 - 500_000
    assert cpxl.npv(0.08, 500_000, 162_500, years=10) == pytest.approx(annuity, rel=1e-12)
    # without years, a single F is one year
    assert cpxl.npv(0.1, 100, 121) == pytest.approx(10.0)


def test_npv_is_not_excels_npv():
    # Excel's NPV(rate, values) discounts the first value by one period; cpxl puts I at time 0.
    rate, investment, flows = 0.1, 1000.0, [600.0, 600.0]
    excel_style = sum(v / (1 + rate) ** (j + 1) for j, v in enumerate([-investment, *flows]))
    assert cpxl.npv(rate, investment, flows) == pytest.approx(excel_style * (1 + rate))
    assert cpxl.npv(rate, investment, flows) != pytest.approx(excel_style)


# --- IRR ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(300))
def test_irr_matches_numpy_financial_on_conventional_projects(trial):
    n = int(rng.integers(1, 30))
    investment = float(rng.uniform(1e2, 1e7))
    flows = rng.uniform(0.01, 2.0, size=n) * investment / n * float(rng.uniform(0.3, 4))
    ours = cpxl.irr(investment, flows)
    theirs = npf.irr(np.concatenate(([-investment], flows)))
    assert ours == pytest.approx(theirs, rel=1e-7, abs=1e-9)


@settings(max_examples=300, deadline=None)  # no timing: the first multi-root case imports scipy
@given(
    st.floats(1.0, 1e7),
    st.lists(st.floats(-1e6, 1e7), min_size=1, max_size=30),
)
def test_npv_at_the_irr_is_zero(investment, flows):
    try:
        rate = cpxl.irr(investment, flows)
    except CPError as exc:  # no IRR, or several: then say so, never a number
        assert "IRR" in str(exc)
        return
    # NPV evaluated independently; allowed error: rounding of the terms it sums, plus its slope times the
    # rounding of the rate itself (which matters only for rates near -100 %, where 1 + r loses digits)
    terms = [-investment] + [f / (1 + rate) ** j for j, f in enumerate(flows, start=1)]
    slope = math.fsum(abs(j * t) for j, t in enumerate(terms)) / (1 + rate)
    allowed = 1e-9 * math.fsum(abs(t) for t in terms) + 1e-14 * slope * max(1.0, abs(rate))
    assert abs(math.fsum(terms)) <= allowed


def test_irr_edge_cases():
    # flows that exactly repay the investment: IRR = 0
    assert cpxl.irr(1000, [500, 500]) == pytest.approx(0.0, abs=1e-12)
    # flows that repay less: a negative IRR
    assert cpxl.irr(1000, [450, 450]) == pytest.approx(npf.irr([-1000, 450, 450]), abs=1e-10)
    # a single year: IRR = F / I - 1
    assert cpxl.irr(100, 250) == pytest.approx(1.5)
    # a very profitable option: 200 % a year, accepted back by npv
    assert cpxl.irr(100, 300) == pytest.approx(2.0)
    # 1000 % a year is beyond the rates npv accepts (a percentage typed as 8 for 8 % is refused): an error
    with pytest.raises(CPError, match="irr: cash_flows repay the investment so fast that the IRR is above 300%"):
        cpxl.irr(100, 1100)
    # late zero flows do not change the root
    assert cpxl.irr(1000, [0, 0, 1331]) == pytest.approx(0.1)
    # non-conventional but with a single root: -100, +230, -132 has roots at 10 % and 20 %;
    # -100, +50, -10, +80 has one sign pattern with a single positive root
    assert cpxl.irr(100, [50, -10, 80]) == pytest.approx(npf.irr([-100, 50, -10, 80]), abs=1e-10)


def test_irr_refuses_several_roots_and_no_root():
    with pytest.raises(CPError, match=r"several rates give NPV = 0 \(10\.0000%, 20\.0000%\)"):
        cpxl.irr(100, [230, -132])
    with pytest.raises(CPError, match="never positive: the investment is never repaid and there is no IRR"):
        cpxl.irr(100, [-5, 0, -5])
    with pytest.raises(CPError, match=r"repay almost nothing: the IRR is below -99\.9999"):
        cpxl.irr(1e6, [1e-9])
    with pytest.raises(CPError, match="NPV that is never zero"):
        # -100 + 300 v - 300 v^2 + ... : two sign changes, p(v) < 0 for every v > 0
        cpxl.irr(100, [100, -100])


# --- payback -----------------------------------------------------------------------------------------


def brute_force_payback(investment, flows, rate=0.0):
    """Month-free definition: cumulate year by year; interpolate in the last year it is reached for good."""
    cumulative = [0.0]
    for j, f in enumerate(flows, start=1):
        cumulative.append(cumulative[-1] + f / (1 + rate) ** j)
    if cumulative[-1] < investment:
        return None
    last_below = max(k for k, c in enumerate(cumulative) if c < investment)
    year = last_below + 1
    gained = cumulative[year] - cumulative[year - 1]
    return last_below + (investment - cumulative[last_below]) / gained


@pytest.mark.parametrize("trial", range(200))
def test_payback_matches_brute_force(trial):
    investment, flows = random_project()
    rate = float(rng.choice([0.0, rng.uniform(0, 0.3)]))
    expected = brute_force_payback(investment, flows, rate)
    years = 1 if len(flows) == 1 else None  # a single F without years would continue indefinitely
    if expected is None:
        with pytest.raises(CPError, match="never repa"):
            cpxl.payback(investment, flows, years, rate=rate)
    else:
        assert cpxl.payback(investment, flows, years, rate=rate) == pytest.approx(expected, rel=1e-10)


def test_payback_by_hand():
    assert cpxl.payback(500_000, 162_500) == pytest.approx(500_000 / 162_500)  # N = I / F
    assert cpxl.payback(500_000, [100_000, 200_000, 300_000]) == pytest.approx(2 + 200_000 / 300_000)
    assert cpxl.payback(0, 10) == 0.0
    # the cumulative flow reaches I in year 2, falls back in year 3, reaches it again in year 4
    assert cpxl.payback(100, [50, 60, -30, 40]) == pytest.approx(3 + 20 / 40)


def test_discounted_payback_of_a_perpetual_flow_matches_the_series():
    # single F, no years: the flow continues; compare with a long explicit series
    expected = brute_force_payback(1000, [200.0] * 200, 0.08)
    assert cpxl.payback(1000, 200, rate=0.08) == pytest.approx(expected, rel=1e-12)
    assert math.floor(expected) == 6  # 200 * annuity(8 %, 6) = 924.6 < 1000 <= 1070.8 for 7 years


def test_payback_says_when_the_investment_is_never_repaid():
    with pytest.raises(CPError, match=r"payback: cash_flows never repay the investment within 3 years"):
        cpxl.payback(1000, 100, years=3)
    with pytest.raises(CPError, match=r"at rate 0\.1 their present value is at most 1,000"):
        cpxl.payback(1500, 100, rate=0.1)
    with pytest.raises(CPError, match="are never positive"):
        cpxl.payback(1500, [-1, -2])


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cpxl.cash_flow(1, 1, 0), "cash_flow: life must be > 0, got 0"),
        (lambda: cpxl.cash_flow(1, 1, 5, 25), "cash_flow: tax_rate must lie in [0, 1) (25 % is 0.25), got 25"),
        (lambda: cpxl.cash_flow(1, -1, 5), "cash_flow: investment must be >= 0, got -1"),
        (lambda: cpxl.cash_flow(1, 1, None), "cash_flow: life is blank"),
        (lambda: cpxl.cash_flow(1, 1, [5, 6]), "cash_flow: life must be a single number, got 2 values"),
        (lambda: cpxl.npv(-1, 1, 1), "npv: rate must be > -1 (a fraction: 8 % is 0.08), got -1"),
        (lambda: cpxl.npv(8, 1, 1), "npv: rate must be a fraction (8 % is 0.08), got 8"),
        (lambda: cpxl.npv(0.1, 1, [1, None, 2]), "npv: cash_flows[2] is blank between two years: enter 0"),
        (lambda: cpxl.npv(0.1, 1, [None]), "npv: cash_flows has no values"),
        (lambda: cpxl.npv(0.1, 1, [1, 2], 5), "npv: years applies to a single cash flow"),
        (lambda: cpxl.npv(0.1, 1, 1, 2.5), "npv: years must be a whole number >= 1, got 2.5"),
        (lambda: cpxl.npv(0.1, 1, 1, 0), "npv: years must be a whole number >= 1, got 0"),
        (lambda: cpxl.npvr(0.1, 0, 1), "npvr: investment must be > 0 for a ratio, got 0"),
        (lambda: cpxl.irr(0, 1), "irr: investment must be > 0 for a rate of return, got 0"),
        (lambda: cpxl.payback(1, 1, rate="x"), "payback: rate must be a number, got 'x'"),
    ],
)
def test_invalid_input_names_the_argument(call, message):
    with pytest.raises(CPError) as info:
        call()
    assert str(info.value).startswith(message)


def test_trailing_blanks_of_a_range_longer_than_the_life_are_ignored():
    assert cpxl.npv(0.1, 100, [60, 60, None, None]) == pytest.approx(cpxl.npv(0.1, 100, [60, 60]))
