"""Economic evaluation of an option as Chinese cleaner-production audits compute it (DOMAIN §2.1).

The investment I is paid at time 0 and the cash flows F_j at the end of years
1..n. (Excel's own ``NPV(rate, values)`` discounts its first value by one
period; these functions do not need that workaround.) Cash flows are given
either as one value F with ``years`` (the same F every year) or as a sequence
of yearly values; a blank between two years is refused (enter 0), trailing
blanks are ignored.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import CPWarning
from .inputs import SMALL, as_floats, check, numpy_sum, position, public, scalar, small_floats, total

__all__ = ["MAX_RATE", "MAX_YEARS", "cash_flow", "irr", "npv", "npvr", "payback"]

#: The longest project life evaluated, in years: beyond it the work (and the meaning) runs out.
MAX_YEARS = 1000
#: Rates at or above this (300 %) are refused as a percentage typed as a whole number (8 for 8 %);
#: :func:`irr` never returns one, so every rate cpxl returns is accepted back.
MAX_RATE = 3.0
#: The longest cash-flow series whose IRR is sought when the flows change sign more than once (all the
#: roots of a polynomial of this degree: work that grows with its cube).
MAX_SEARCH_YEARS = 200


def _investment(investment: Any, func: str) -> float:
    return total(investment, func, "investment")


def _rate(rate: Any, func: str) -> float:
    value = scalar(rate, func, "rate")
    check(value > -1, func, "rate", "must be > -1 (a fraction: 8 % is 0.08)", value)
    check(value < MAX_RATE, func, "rate", "must be a fraction (8 % is 0.08)", value)
    if value > 1:
        warnings.warn(
            f"{func}: rate {value:g} is {value:.0%}; if you meant {value:g} %, give {value / 100:g}",
            CPWarning,
            stacklevel=4,
        )
    return value


def _years(years: Any, func: str) -> int | None:
    if years is None:
        return None
    value = scalar(years, func, "years", default=math.nan)
    if math.isnan(value):
        return None
    check(value >= 1 and float(value).is_integer(), func, "years", "must be a whole number >= 1", value)
    if value > MAX_YEARS:
        check(False, func, "years", f"must be at most {MAX_YEARS:,} (a project life)", value)
    return int(value)


def yearly_flows(cash_flows: Any, years: Any, func: str) -> np.ndarray:
    """The cash flows F_1..F_n of years 1..n, from one F with *years* or a yearly sequence.

    Examples
    --------
    >>> yearly_flows(100, 3, "npv")
    array([100., 100., 100.])
    >>> yearly_flows([50, 60, None], None, "npv")
    array([50., 60.])
    """
    flows = as_floats(cash_flows, func, "cash_flows")
    present = np.flatnonzero(~np.isnan(flows))
    check(present.size > 0, func, "cash_flows", "has no values")
    flows = flows[: present[-1] + 1]
    check(
        flows.size <= MAX_YEARS,
        func,
        "cash_flows",
        f"must cover at most {MAX_YEARS:,} years (a project life), got {flows.size:,}",
    )
    gaps = np.flatnonzero(np.isnan(flows))
    if gaps.size:
        where = position("cash_flows", int(gaps[0]), flows.size)
        check(False, func, where, "is blank between two years: enter 0 for a year with no cash flow")
    n = _years(years, func)
    if n is None:
        return flows
    check(
        flows.size == 1,
        func,
        "years",
        "applies to a single cash flow; give either one F and years, or one value per year",
        n,
    )
    return np.full(n, flows[0])


def _yearly(cash_flows: Any, years: Any, func: str) -> list[float] | np.ndarray:
    """:func:`yearly_flows` as a Python list when there are at most :data:`~cpxl.core.inputs.SMALL` years.

    The common case is read without numpy; any refusal is left to :func:`yearly_flows`, so that both ways
    give the same flows and the same errors.
    """
    values = small_floats(cash_flows)
    if values is not None:
        while values and values[-1] != values[-1]:  # trailing blanks
            values.pop()
        summed = sum(values)
        if values and summed == summed:  # no blank between two years (no NaN; there is no inf)
            n = _years(years, func)
            if n is None:
                return values
            if len(values) == 1 and n <= SMALL:
                return values * n
    flows = yearly_flows(cash_flows, years, func)
    return flows.tolist() if flows.size <= SMALL else flows


def _discounted(flows: list[float] | np.ndarray, rate: float) -> list[float] | np.ndarray:
    """F_j / (1 + i)^j for j = 1..n, as a list for a list."""
    base = 1.0 + rate
    if isinstance(flows, list):
        return [f / base**j for j, f in enumerate(flows, start=1)]
    return flows / base ** np.arange(1, flows.size + 1)


def _sum(values: list[float] | np.ndarray) -> float:
    return numpy_sum(values) if isinstance(values, list) else float(values.sum())


@public("cash_flow")
def cash_flow(saving: Any, investment: Any, life: Any, tax_rate: Any = None) -> float:
    r"""Annual after-tax cash flow of an option, with straight-line depreciation and no negative tax.

    .. math::
        D = \frac{I}{Y}, \quad T = P - D, \quad
        E = \begin{cases} T(1 - t) & T > 0 \\ T & T \le 0 \end{cases}, \quad F = E + D

    Parameters
    ----------
    saving : float or array-like
        Annual net saving P (extra revenue plus lower operating cost), summed;
        may be negative [currency/yr]
    investment : float or array-like
        Investment I net of subsidies, summed [currency]
    life : float
        Depreciation life Y, > 0 [yr]
    tax_rate : float, optional
        Income-tax rate t in [0, 1); default 0 [-]

    Returns
    -------
    cash_flow : float
        Annual cash flow F = E + D [currency/yr]

    Examples
    --------
    An option costing 500,000 that saves 200,000 a year over 10 years, 25 % tax:

    >>> cash_flow(200_000, 500_000, 10, 0.25)
    162500.0

    References
    ----------
    .. [1] 国家清洁生产中心. 《企业清洁生产审核手册》. 北京: 中国环境科学出版社, 1996
       (方案经济评估: 折旧、应税利润、净利润、年净现金流量).
    """
    net_saving = total(saving, "cash_flow", "saving", nonnegative=False)
    invest = _investment(investment, "cash_flow")
    years = scalar(life, "cash_flow", "life")
    check(years > 0, "cash_flow", "life", "must be > 0", years)
    tax = scalar(tax_rate, "cash_flow", "tax_rate", default=0.0)
    check(0 <= tax < 1, "cash_flow", "tax_rate", "must lie in [0, 1) (25 % is 0.25)", tax)
    depreciation = invest / years  # D
    # F = E + D with E = T(1 - t) when T = P - D > 0, else E = T: written without the cancellation of
    # D - D, so that a huge D does not wipe out P.
    if net_saving > depreciation:
        return net_saving * (1 - tax) + depreciation * tax
    return net_saving


@public("npv")
def npv(rate: Any, investment: Any, cash_flows: Any, years: Any = None) -> float:
    r"""Net present value of an option whose investment is paid at time 0.

    .. math::
        \text{NPV} = \sum_{j=1}^{n} \frac{F_j}{(1 + i)^j} - I

    Parameters
    ----------
    rate : float
        Discount rate i, a fraction > −1 [1/yr]
    investment : float or array-like
        Investment I at time 0, summed [currency]
    cash_flows : float or array-like
        One F repeated for *years*, or F_1..F_n year by year [currency/yr]
    years : int, optional
        Number of years n when *cash_flows* is a single F [yr]

    Returns
    -------
    npv : float
        Net present value [currency]

    Examples
    --------
    >>> round(npv(0.08, 500_000, 162_500, years=10), 2)
    590388.23

    References
    ----------
    .. [1] Brealey, R. A., Myers, S. C., Allen, F. Principles of Corporate
       Finance, 13th ed. McGraw-Hill, 2020, ch. 2.
    """
    return _npv(rate, investment, cash_flows, years, "npv")


def _npv(rate: Any, investment: Any, cash_flows: Any, years: Any, func: str) -> float:
    i = _rate(rate, func)
    invest = _investment(investment, func)
    flows = _yearly(cash_flows, years, func)
    return _sum(_discounted(flows, i)) - invest


@public("npvr")
def npvr(rate: Any, investment: Any, cash_flows: Any, years: Any = None) -> float:
    r"""Net present value ratio: NPV per unit of investment, for ranking alternatives.

    .. math::
        \text{NPVR} = \frac{\text{NPV}}{I}

    Parameters
    ----------
    rate : float
        Discount rate i, a fraction > −1 [1/yr]
    investment : float or array-like
        Investment I at time 0, summed; must be > 0 [currency]
    cash_flows : float or array-like
        One F repeated for *years*, or F_1..F_n year by year [currency/yr]
    years : int, optional
        Number of years n when *cash_flows* is a single F [yr]

    Returns
    -------
    npvr : float
        Net present value ratio [-]

    Examples
    --------
    >>> round(npvr(0.08, 500_000, 162_500, years=10), 4)
    1.1808

    References
    ----------
    .. [1] 国家清洁生产中心. 《企业清洁生产审核手册》, 1996 (净现值率).
    """
    invest = _investment(investment, "npvr")
    check(invest > 0, "npvr", "investment", "must be > 0 for a ratio", invest)
    return _npv(rate, investment, cash_flows, years, "npvr") / invest


_V_MAX = 1e12  # v = 1/(1 + r): the IRR is sought above -1 + 1e-12, where a rate still has digits to show


#: The largest v searched for each degree up to MAX_YEARS: _V_MAX, or less where v**degree would overflow.
_V_LIMITS = tuple(min(_V_MAX, 10.0 ** (300.0 / max(degree, 1))) for degree in range(MAX_YEARS + 1))


def _v_limit(degree: int) -> float:
    """The largest v searched: _V_MAX, or less where v**degree would overflow."""
    if degree < len(_V_LIMITS):
        return _V_LIMITS[degree]
    return min(_V_MAX, 10.0 ** (300.0 / max(degree, 1)))


_RTOL = 4 * np.finfo(float).eps


def _polynomial(coefficients: list[float]) -> Callable[[float], float]:
    """p(v) = sum c_j v^j by Horner's rule in plain floats (numpy's ``polyval``, operation for operation)."""
    highest_first = coefficients[::-1]

    def p(v: float) -> float:
        value = 0.0
        for c in highest_first:
            value = value * v + c
        return value

    return p


def _single_root(coefficients: list[float], k: int, v_max: float) -> float | None:
    r"""The positive root of p(v) = sum c_j v^j when c_0 < 0 and the coefficients change sign once; or None.

    With one sign change, at degree *k* (the first positive coefficient), p = B − A where
    A(v) = −sum c_j v^j over degrees below k (none positive) and B(v) = sum c_j v^j over degrees k and
    above (none negative). On u = ln v,

    .. math::
        g(u) = \ln B(e^u) - \ln A(e^u), \qquad
        g'(u) = \frac{\sum_{j \ge k} j c_j v^j}{B} - \frac{\sum_{j < k} j |c_j| v^j}{A} \in [1, n]

    rises steadily (a difference of the mean degrees of the two groups, weighted by their terms) and is
    zero at the root alone; g'' is the difference of the variances of the degrees. From v = 1 (a rate of
    0), each step solves the second-order expansion g + g' h + g'' h^2 / 2 = 0 (Halley's method, in
    Chebyshev's form; Newton's step where the quadratic has no root), which converges cubically in a few
    steps whatever the rate; a step that leaves the bracket of the root known so far is replaced by the
    bracket's geometric midpoint. The sums and their first two derivatives are evaluated by Horner's rule
    in plain floats, faster for a few dozen terms than any numpy call. None when the root lies above
    *v_max*, when a sum leaves the float range, or after 100 steps: the caller then brackets the root by
    Brent's method.
    """
    high = coefficients[: k - 1 : -1]  # B / v^k, highest degree first: all >= 0
    low = [-c for c in coefficients[k - 1 :: -1]]  # A, highest degree first: all >= 0
    a, mean_a, spread_a = low[-1], 0.0, 0.0  # A = -c_0 alone when an investment is followed by returns
    # The error left by a step h is of the order of n^3 h^3 / 10 at most: below 1e-18 after this one.
    tolerance = 1e-6 / len(coefficients)
    v, lo, hi = 1.0, 0.0, math.inf
    for _ in range(100):
        b = db = d2b = 0.0  # B / v^k and its first derivative and half its second, in v
        for c in high:
            d2b = d2b * v + db
            db = db * v + b
            b = b * v + c
        if k > 1:
            a = da = d2a = 0.0
            for c in low:
                d2a = d2a * v + da
                da = da * v + a
                a = a * v + c
            mean_a = v * da / a
            spread_a = mean_a + 2 * v * v * d2a / a - mean_a * mean_a
        ratio = b * v**k / a
        if not 0 < ratio < math.inf:
            return None  # a sum beyond the float range
        g = math.log(ratio)
        if g == 0:
            return v
        mean_b = v * db / b
        slope = k + mean_b - mean_a  # g'
        curvature = mean_b + 2 * v * v * d2b / b - mean_b * mean_b - spread_a  # g''
        if not slope > 0:
            return None
        if g < 0:
            lo = v
        else:
            hi = v
        disc = slope * slope - 2 * g * curvature
        step = -2 * g / (slope + math.sqrt(disc)) if disc >= 0 else -g / slope
        if step > 50.0:
            step = 50.0
        elif step < -50.0:
            step = -50.0
        new = v * math.exp(step)
        inside = lo <= new <= hi
        if not inside:
            new = math.sqrt(lo * hi)
        if new > v_max:
            if v >= v_max:
                return None  # the root lies beyond the rates searched
            new, inside = v_max, False
        if inside and -tolerance <= step <= tolerance:
            return new
        v = new
    return None


def _positive_roots(coefficients: list[float], p: Callable[[float], float], v_max: float) -> list[float]:
    """Every root of the polynomial p in (0, v_max], from the companion matrix, polished by Brent's method."""
    from scipy.optimize import brentq  # only here: importing scipy costs more than most calls

    try:
        with np.errstate(all="ignore"):
            candidates = np.polynomial.polynomial.polyroots(coefficients)
    except np.linalg.LinAlgError:  # coefficients spanning more than the float range: scan for sign changes
        grid = np.geomspace(1e-12, v_max, 20001)
        values = np.array([p(v) for v in grid])
        cross = np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)
        candidates = np.array([brentq(p, grid[k], grid[k + 1], xtol=1e-300, rtol=_RTOL) for k in cross])
    magnitude = _polynomial([abs(c) for c in coefficients])
    roots: list[float] = []
    for z in np.atleast_1d(candidates).astype(complex).tolist():
        if abs(z.imag) > 1e-8 * max(1.0, abs(z)) or not 0 < z.real <= v_max:
            continue
        v = z.real
        lo, hi = v * (1 - 1e-6), v * (1 + 1e-6)
        if p(lo) * p(hi) < 0:
            v = brentq(p, lo, hi, xtol=1e-300, rtol=_RTOL)
        if abs(p(v)) > 1e-9 * magnitude(v):
            continue  # the shadow of a complex pair on the real axis, not a root
        if not any(abs(v - r) <= 1e-9 * r for r in roots):
            roots.append(v)
    return roots


def _irr_polynomial(coefficients: list[float]) -> tuple[list[float], int, float, int, bool]:
    """The coefficients without trailing zeros, the degree, the largest v searched, the degree of the first
    positive coefficient, and whether the coefficients change sign once (none negative after it)."""
    while coefficients[-1] == 0:
        coefficients.pop()
    degree = len(coefficients) - 1
    k = 1
    while k <= degree and coefficients[k] <= 0:
        k += 1
    return coefficients, degree, _v_limit(degree), k, k <= degree and min(coefficients[k:]) >= 0


@public("irr")
def irr(investment: Any, cash_flows: Any, years: Any = None) -> float:
    r"""Internal rate of return: the exact discount rate at which the NPV is zero.

    .. math::
        \sum_{j=1}^{n} \frac{F_j}{(1 + \text{IRR})^j} - I = 0

    Solved as a polynomial in v = 1/(1 + r): with one sign change in
    (−I, F_1, …, F_n) Descartes' rule guarantees a single root, found to
    machine precision by Halley's method on the logarithm of the ratio of the
    positive to the negative terms (which rises steadily with ln v), from a
    rate of 0, in three or four evaluations; should that fail, the root is
    bracketed and found by Brent's method. Otherwise every real root is found (companion matrix) and the IRR
    is returned only when it is unique. Textbooks interpolate
    linearly between two trial rates; cpxl reports the exact root, which
    interpolation approaches from above.

    Parameters
    ----------
    investment : float or array-like
        Investment I at time 0, summed; must be > 0 [currency]
    cash_flows : float or array-like
        One F repeated for *years*, or F_1..F_n year by year [currency/yr]
    years : int, optional
        Number of years n when *cash_flows* is a single F [yr]

    Returns
    -------
    irr : float
        Internal rate of return, a fraction [1/yr]

    Examples
    --------
    >>> round(irr(500_000, 162_500, years=10), 6)
    0.301738

    References
    ----------
    .. [1] Brealey, R. A., Myers, S. C., Allen, F. Principles of Corporate
       Finance, 13th ed. McGraw-Hill, 2020, ch. 5 (multiple rates of return).
    """
    invest = _investment(investment, "irr")
    check(invest > 0, "irr", "investment", "must be > 0 for a rate of return", invest)
    flows = _yearly(cash_flows, years, "irr")
    if isinstance(flows, np.ndarray):
        flows = flows.tolist()
    check(
        max(flows) > 0,
        "irr",
        "cash_flows",
        "are never positive: the investment is never repaid and there is no IRR",
    )
    # p(v) = sum c_j v^j with v = 1/(1 + r) > 0; its degree is the last year with a flow.
    coefficients, degree, v_max, k, single = _irr_polynomial([-invest, *flows])
    # Halley's method on ln(B/A) does not depend on the scale of the amounts (the sums leave the float range
    # only with amounts near it); the other searches work on the coefficients scaled to the largest.
    root = _single_root(coefficients, k, v_max) if single else None
    if root is None:
        largest = max(map(abs, coefficients))
        coefficients, degree, v_max, k, single = _irr_polynomial([c / largest for c in coefficients])
    if root is not None:  # Descartes: one sign change, exactly one positive root, found by Halley's method
        roots = [root]
    elif single:  # the same root bracketed, by Brent's method
        from scipy.optimize import brentq

        p = _polynomial(coefficients)
        check(p(v_max) > 0, "irr", "cash_flows", f"repay almost nothing: the IRR is below {1 / v_max - 1:.10%}")
        roots = [brentq(p, 0.0, v_max, xtol=1e-300, rtol=_RTOL, maxiter=2000)]
    else:
        check(
            degree <= MAX_SEARCH_YEARS,
            "irr",
            "cash_flows",
            f"change sign more than once over more than {MAX_SEARCH_YEARS} years: every rate with NPV = 0 "
            "would have to be sought (a polynomial of that degree), which is not done; decide with the NPV",
            degree,
        )
        roots = _positive_roots(coefficients, _polynomial(coefficients), v_max)
    check(bool(roots), "irr", "cash_flows", "give an NPV that is never zero: there is no IRR")
    if min(roots) <= 1 / (1 + MAX_RATE):
        check(
            False,
            "irr",
            "cash_flows",
            f"repay the investment so fast that the IRR is above {MAX_RATE:.0%}, beyond the rates cpxl evaluates: "
            "rank the option by its payback",
        )
    if len(roots) == 1:
        return 1.0 / roots[0] - 1.0
    rates = sorted(1.0 / v - 1.0 for v in roots)
    if len(rates) > 1:
        shown = ", ".join(f"{r:.4%}" for r in rates)
        check(
            False,
            "irr",
            "cash_flows",
            f"change sign more than once and several rates give NPV = 0 ({shown}): the IRR is ambiguous, "
            "decide with the NPV",
        )
    return rates[0]


@public("payback")
def payback(investment: Any, cash_flows: Any, years: Any = None, rate: Any = None) -> float:
    r"""Payback period: years until the cumulative (discounted) cash flow repays the investment.

    .. math::
        N = (k - 1) + \frac{I - C_{k-1}}{F_k / (1 + i)^k}, \qquad
        C_k = \sum_{j=1}^{k} \frac{F_j}{(1 + i)^j}

    where k is the year in which the cumulative cash flow C reaches I for good
    (if it falls below I again later, the later crossing counts). With a
    single F and no ``years``, the flow is taken to continue indefinitely and
    the simple payback is N = I / F. Passing the pre-tax saving P instead of F
    gives the textbook's simpler pre-tax payback I / P. With ``rate`` the
    flows are discounted (discounted payback). When the investment is never
    repaid, a :class:`CPError` says so: there is no number to report.

    Parameters
    ----------
    investment : float or array-like
        Investment I at time 0, summed [currency]
    cash_flows : float or array-like
        One F (for *years*, or indefinitely), or F_1..F_n year by year [currency/yr]
    years : int, optional
        Number of years n when *cash_flows* is a single F [yr]
    rate : float, optional
        Discount rate i, a fraction; omit for the undiscounted payback [1/yr]

    Returns
    -------
    payback : float
        Payback period [yr]

    Examples
    --------
    >>> round(payback(500_000, 162_500), 4)
    3.0769
    >>> round(payback(500_000, [100_000, 200_000, 300_000]), 4)
    2.6667

    References
    ----------
    .. [1] 国家清洁生产中心. 《企业清洁生产审核手册》, 1996 (投资偿还期 N = I/F).
    """
    invest = _investment(investment, "payback")
    i = 0.0 if _blank(rate, "payback", "rate") else _rate(rate, "payback")
    n = _years(years, "payback")
    flows = _yearly(cash_flows, n, "payback")
    if isinstance(flows, np.ndarray):
        flows = flows.tolist()
    check(
        any(f > 0 for f in flows) or invest == 0,
        "payback",
        "cash_flows",
        "are never positive: the investment is never repaid",
    )
    if invest == 0:
        return 0.0
    if n is None and len(flows) == 1:
        return _payback_perpetual(invest, flows[0], i)
    present = _discounted(flows, i)
    cumulative = [0.0, *itertools.accumulate(present)]  # one after another, as numpy's cumsum
    check(
        cumulative[-1] >= invest,
        "payback",
        "cash_flows",
        f"never repay the investment within {len(flows)} years (cumulative {cumulative[-1]:,.6g} of {invest:,.6g})",
    )
    k = next(j for j in range(len(cumulative) - 1, -1, -1) if cumulative[j] < invest) + 1  # reached for good
    return (k - 1) + (invest - cumulative[k - 1]) / present[k - 1]


def _blank(x: Any, func: str, arg: str) -> bool:
    """Whether an optional argument is left blank (omitted, or every cell empty)."""
    if x is None:
        return True
    values = small_floats(x)
    if values is not None:
        return all(v != v for v in values)
    return bool(np.isnan(as_floats(x, func, arg)).all())


def _payback_perpetual(invest: float, flow: float, i: float) -> float:
    if i == 0:
        return invest / flow
    # C_k = F (1 - (1 + i)^-k) / i reaches I at the real k below; interpolate within its whole year.
    ratio = 1 - invest * i / flow
    check(
        ratio > 0,
        "payback",
        "cash_flows",
        f"never repay the investment: at rate {i:g} their present value is at most {flow / i:,.6g}",
    )
    k = math.ceil(-math.log(ratio) / math.log1p(i) - 1e-12)
    before = flow * (1 - (1 + i) ** -(k - 1)) / i
    return (k - 1) + (invest - before) / (flow / (1 + i) ** k)
