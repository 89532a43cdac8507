"""Energy in tonnes of standard coal equivalent, and the CO2 of burning it: the one place for both tables.

This module holds the reference coefficients that turn an amount of an energy carrier into tonnes of standard
coal equivalent (tce) and into tonnes of CO2, each with its unit and its source, and the two functions that apply
them row by row, :func:`tce` and :func:`co2`. It imports numpy and the input readers of
:mod:`cpxl.core.inputs` only, so that a carrier, an amount and an override are read and refused as every other
function reads them.

Units
-----
Every carrier is counted in one unit, the one Chinese energy statistics use for it, chosen so that the
coefficient of GB/T 2589 keeps its digits: tonnes (t) for solid and liquid fuels and for steam, 10⁴ m³ for
natural gas, MWh for electricity, GJ for heat. A coefficient in kgce per kg is then the same number in tce per t,
one in kgce per kWh the same number in tce per MWh, one in kgce per MJ the same number in tce per GJ, and one in
kgce per m³ ten thousand times smaller than in tce per 10⁴ m³. :data:`CARRIERS` lists the unit of each carrier.
1 kgce = 29,307.6 kJ (7,000 kcal).

Sources, and what could be checked
----------------------------------
*Standard coal* (:data:`TCE_COEFFICIENTS`): GB/T 2589-2020 《综合能耗计算通则》, Appendix A (各种能源折标准煤参考
系数). The standard's text was not at hand. The values are those DOMAIN.md §7 (the project's domain reference)
quotes from it; electricity 0.1229 kgce/kWh, heat 0.03412 kgce/MJ (0.03412 tce/GJ), natural gas 1.3300
kgce/m³, diesel 1.4571 and gasoline 1.4714 kgce/kg were cross-checked against public tables that cite
GB/T 2589-2020 (found by a code search; not the standard itself). The standard gives natural gas as a range,
1.1000–1.3300 kgce/m³ by its heating value: the default is the upper end (38,931 kJ/m³, the heating value the
Chinese greenhouse-gas accounting guidelines use, 389.31 GJ/10⁴ m³); give the coefficient of your gas when
you know its heating value. Steam (low pressure, 3,763 MJ/t, 0.1286 kgce/kg) is taken from tables that cite
GB/T 2589-2020, unverified against its text. Electricity by its calorific equivalent (当量值) is the default;
the equivalent value of power generation (等价值, the coal burnt per kWh supplied, published yearly) is a
number the user passes (``electricity=0.300``).

*CO2* (:data:`CO2_FACTORS`): for fuels, IPCC 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 2
(Energy), ch. 1: net calorific values of Table 1.2 and CO2 emission factors of Table 1.4, with the oxidation
fraction 1 that the IPCC defaults assume; the factors of diesel (74,100 kg/TJ) and of coal (94.6 kg/GJ) were
cross-checked against public code that cites the tables, the others are as recalled from the tables and
should be checked against them. GB/T 2589's carriers map onto the IPCC's fuels as follows (a *convention*):
raw coal → other bituminous coal, washed coal → coking coal, coke → coke oven coke, kerosene → other
kerosene, diesel → gas/diesel oil, fuel oil → residual fuel oil. The IPCC gives natural gas per mass; per
volume, the net calorific value 389.31 GJ/10⁴ m³ above is used. Electricity: the national average CO2 emission
factor of electricity for 2022, 0.5366 tCO2/MWh (生态环境部、国家统计局, 关于发布2022年电力二氧化碳排放因子的公告,
20 December 2024; the announcement was found, its figure is as recalled and should be checked against it).
Heat: 0.11 tCO2/GJ, the default of the Chinese enterprise greenhouse-gas accounting guidelines (国家发展改革委,
企业温室气体排放核算方法与报告指南, 2013–2015); steam as heat, by its heat content 3.763 GJ/t. Every default is
overridable, per row.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np

from .errors import CPError
from .inputs import as_floats, as_labels, check, is_blank, position, public, scalar

__all__ = [
    "CARRIERS",
    "CO2_FACTORS",
    "ELECTRICITY_EQUIVALENT",
    "GRID_FACTOR",
    "KJ_PER_KGCE",
    "TCE_COEFFICIENTS",
    "co2",
    "tce",
]

#: The energy content of 1 kg of standard coal equivalent [kJ] (7,000 kcal).
KJ_PER_KGCE = 29_307.6


class Carrier(NamedTuple):
    """A carrier of GB/T 2589's table: its English and Chinese names, other spellings, and its unit."""

    en: str
    zh: str
    aliases: tuple[str, ...]
    unit: str


#: The carriers, keyed by their English name, with the unit their amounts are counted in.
CARRIERS: dict[str, Carrier] = {
    "raw coal": Carrier("raw coal", "原煤", ("coal",), "t"),
    "washed coal": Carrier("washed coal", "洗精煤", ("cleaned coal", "clean coal"), "t"),
    "coke": Carrier("coke", "焦炭", (), "t"),
    "crude oil": Carrier("crude oil", "原油", (), "t"),
    "fuel oil": Carrier("fuel oil", "燃料油", ("residual fuel oil", "heavy oil", "重油"), "t"),
    "gasoline": Carrier("gasoline", "汽油", ("petrol",), "t"),
    "kerosene": Carrier("kerosene", "煤油", (), "t"),
    "diesel": Carrier("diesel", "柴油", ("diesel oil", "gas oil"), "t"),
    "LPG": Carrier("LPG", "液化石油气", ("liquefied petroleum gas",), "t"),
    "natural gas": Carrier("natural gas", "天然气", (), "10^4 m3"),
    "electricity": Carrier("electricity", "电力", ("power", "电"), "MWh"),
    "heat": Carrier("heat", "热力", ("热",), "GJ"),
    "steam": Carrier("steam", "蒸汽", ("low-pressure steam", "低压蒸汽"), "t"),
}


class Coefficient(NamedTuple):
    """A reference coefficient: its value per unit of the carrier, that unit's name, and where it comes from."""

    value: float
    unit: str
    source: str


_GBT = "GB/T 2589-2020, Appendix A"
#: Tonnes of standard coal equivalent per unit of each carrier (GB/T 2589-2020, Appendix A; see the module).
TCE_COEFFICIENTS: dict[str, Coefficient] = {
    "raw coal": Coefficient(0.7143, "tce/t", f"{_GBT}: 0.7143 kgce/kg"),
    "washed coal": Coefficient(0.9000, "tce/t", f"{_GBT}: 0.9000 kgce/kg"),
    "coke": Coefficient(0.9714, "tce/t", f"{_GBT}: 0.9714 kgce/kg"),
    "crude oil": Coefficient(1.4286, "tce/t", f"{_GBT}: 1.4286 kgce/kg"),
    "fuel oil": Coefficient(1.4286, "tce/t", f"{_GBT}: 1.4286 kgce/kg"),
    "gasoline": Coefficient(1.4714, "tce/t", f"{_GBT}: 1.4714 kgce/kg"),
    "kerosene": Coefficient(1.4714, "tce/t", f"{_GBT}: 1.4714 kgce/kg"),
    "diesel": Coefficient(1.4571, "tce/t", f"{_GBT}: 1.4571 kgce/kg"),
    "LPG": Coefficient(1.7143, "tce/t", f"{_GBT}: 1.7143 kgce/kg"),
    "natural gas": Coefficient(13.300, "tce/10^4 m3", f"{_GBT}: 1.1000-1.3300 kgce/m3, upper end (38,931 kJ/m3)"),
    "electricity": Coefficient(0.1229, "tce/MWh", f"{_GBT}: 0.1229 kgce/kWh, calorific equivalent"),
    "heat": Coefficient(0.03412, "tce/GJ", f"{_GBT}: 0.03412 kgce/MJ"),
    "steam": Coefficient(0.1286, "tce/t", "tables citing GB/T 2589-2020: low-pressure steam 0.1286 kgce/kg"),
}

#: The calorific equivalent of electricity [tce/MWh = kgce/kWh].
ELECTRICITY_EQUIVALENT = TCE_COEFFICIENTS["electricity"].value


class Factor(NamedTuple):
    """A default CO2 emission factor: net calorific value × CO2 per TJ × oxidation, or a direct factor.

    For a fuel, ``ncv`` is its net calorific value [GJ per unit of the carrier], ``per_tj`` its CO2 emission
    factor [t CO2/TJ] and ``oxidation`` the fraction of its carbon oxidised; for electricity, heat and steam,
    ``direct`` is the factor itself [t CO2 per unit of the carrier].
    """

    ncv: float
    per_tj: float
    oxidation: float
    direct: float
    source: str


_IPCC = "IPCC 2006 Vol. 2 ch. 1, Tables 1.2 and 1.4"


def _fuel(ncv: float, per_tj: float, what: str) -> Factor:
    return Factor(ncv, per_tj, 1.0, math.nan, f"{_IPCC}: {what}, NCV {ncv:g} GJ/unit, {per_tj * 1000:,.0f} kg CO2/TJ")


#: The default CO2 factors of each carrier (see the module for the sources).
CO2_FACTORS: dict[str, Factor] = {
    "raw coal": _fuel(25.8, 94.6, "other bituminous coal"),
    "washed coal": _fuel(28.2, 94.6, "coking coal"),
    "coke": _fuel(28.2, 107.0, "coke oven coke"),
    "crude oil": _fuel(42.3, 73.3, "crude oil"),
    "fuel oil": _fuel(40.4, 77.4, "residual fuel oil"),
    "gasoline": _fuel(44.3, 69.3, "motor gasoline"),
    "kerosene": _fuel(43.8, 71.9, "other kerosene"),
    "diesel": _fuel(43.0, 74.1, "gas/diesel oil"),
    "LPG": _fuel(47.3, 63.1, "liquefied petroleum gases"),
    "natural gas": Factor(
        389.31, 56.1, 1.0, math.nan, f"{_IPCC}: natural gas 56,100 kg CO2/TJ; NCV 389.31 GJ/10^4 m3 (38,931 kJ/m3)"
    ),
    "electricity": Factor(
        math.nan, math.nan, math.nan, 0.5366, "MEE and NBS, 2022 national average electricity CO2 factor (2024)"
    ),
    "heat": Factor(math.nan, math.nan, math.nan, 0.11, "NDRC enterprise GHG accounting guidelines: heat 0.11 t/GJ"),
    "steam": Factor(math.nan, math.nan, math.nan, 3.763 * 0.11, "heat 0.11 t CO2/GJ x 3.763 GJ/t (low-pressure steam)"),
}

#: The default CO2 emission factor of purchased electricity [t CO2/MWh] (2022, published 2024).
GRID_FACTOR = CO2_FACTORS["electricity"].direct

_NAMES: dict[str, str] = {}
for _key, _carrier in CARRIERS.items():
    for _name in (_carrier.en, _carrier.zh, *_carrier.aliases):
        _NAMES[_name.lower()] = _key
_KNOWN = ", ".join(CARRIERS)


def _carrier(name: str | None, func: str, where: str) -> str:
    """The key of the carrier named *name* (English or Chinese, any case, spaces and dashes alike)."""
    if name is None:
        raise CPError(func, where, "is blank: name the carrier or leave the whole row empty")
    text = " ".join(name.replace("-", " ").replace("_", " ").split()).lower()
    key = _NAMES.get(text)
    if key is None:
        raise CPError(
            func,
            where,
            f"names {name!r}, which is not in the table ({_KNOWN}; or the Chinese names): give its coefficient",
        )
    return key


def _rows(
    amount: Any, carrier: Any, override: Any, func: str, arg: str
) -> tuple[np.ndarray, list[str | None], np.ndarray, bool]:
    """Amounts, carrier names and overrides row by row (a single one repeated); and whether both were single."""
    amounts = as_floats(amount, func, "amount")
    n_carriers = _size(carrier)
    overrides = np.full(1, np.nan) if override is None else as_floats(override, func, arg)
    n = max(amounts.size, n_carriers, overrides.size)
    for name, size in (("amount", amounts.size), ("carrier", n_carriers), (arg, overrides.size)):
        check(size in (1, n), func, name, f"must have one entry per row ({n}) or a single one", size)
    names = as_labels(carrier, func, "carrier", n_carriers)
    if n_carriers == 1:
        names = names * n
    amounts = np.repeat(amounts, n) if amounts.size == 1 else amounts
    overrides = np.repeat(overrides, n) if overrides.size == 1 else overrides
    return amounts, names, overrides, n == 1 and _scalar(amount) and _scalar(carrier)


def _size(x: Any) -> int:
    if hasattr(x, "to_numpy"):
        x = x.to_numpy(dtype=object)
    return int(np.asarray(x, dtype=object).size)


def _scalar(x: Any) -> bool:
    """Whether *x* is a single value rather than a range (a one-cell range stays a range)."""
    return isinstance(x, (str, numbers.Number, np.generic)) or x is None


def _result(values: np.ndarray, scalar_call: bool) -> Any:
    return float(values[0]) if scalar_call else values


def _positive(values: np.ndarray, func: str, arg: str) -> None:
    bad = np.flatnonzero(values <= 0)  # NaN (blank: the default) compares False
    if bad.size:
        i = int(bad[0])
        raise CPError(func, position(arg, i, values.size), "must be > 0", values[i])


@public("tce")
def tce(amount: Any, carrier: Any, coefficient: Any = None, *, electricity: Any = "equivalent") -> Any:
    r"""Energy in tonnes of standard coal equivalent, by the GB/T 2589 reference coefficient of each carrier.

    .. math::
        E_k = a_k \, c_k

    row by row, with a_k the amount of carrier k in its unit and c_k its coefficient in tce per unit
    (:data:`TCE_COEFFICIENTS`). The comprehensive energy consumption is the sum of the rows; per unit of product,
    that sum divided by the output.

    Parameters
    ----------
    amount : float or array-like
        Amount of each row in its carrier's unit: t (coal, coke, oils, LPG, steam), 10⁴ m³ (natural gas),
        MWh (electricity), GJ (heat); may be negative (energy delivered out, or a change); blank = an empty
        row [carrier unit]
    carrier : str or array-like
        Carrier of each row, in English or Chinese as GB/T 2589's table names it, any case: "raw coal"/"原煤",
        "washed coal"/"洗精煤", "coke"/"焦炭", "crude oil"/"原油", "fuel oil"/"燃料油", "gasoline"/"汽油",
        "kerosene"/"煤油", "diesel"/"柴油", "LPG"/"液化石油气", "natural gas"/"天然气", "electricity"/"电力",
        "heat"/"热力", "steam"/"蒸汽"; a single carrier applies to every row [-]
    coefficient : float or array-like, optional
        Coefficient of each row, overriding the table (blank = the table's); with a coefficient the carrier
        may be any label [tce per carrier unit]
    electricity : {"equivalent"} or float, optional
        Conversion of electricity: "equivalent" (当量值, 0.1229 tce/MWh, the default) or the equivalent value of
        power generation (等价值) in kgce/kWh, e.g. 0.300 [tce/MWh]

    Returns
    -------
    tce : float or ndarray
        Energy in tonnes of standard coal equivalent; one per row (NaN for an empty row) when a range is
        given [tce]

    Examples
    --------
    1,000 kWh of electricity and 1 t of raw coal:

    >>> tce(1.0, "electricity"), tce(1.0, "原煤")
    (0.1229, 0.7143)
    >>> tce([1.0, 2.5, 10.0], ["electricity", "diesel", "natural gas"], electricity=0.3)
    array([  0.3    ,   3.64275, 133.     ])

    References
    ----------
    .. [1] GB/T 2589-2020 综合能耗计算通则 (General principles for calculation of the comprehensive energy
       consumption), Appendix A. Beijing: Standards Press of China, 2020.
    """
    func = "tce"
    amounts, names, coefficients, scalar_call = _rows(amount, carrier, coefficient, func, "coefficient")
    _positive(coefficients, func, "coefficient")
    power = _electricity(electricity, func)
    out = np.empty(amounts.size)
    for i, (a, name, c) in enumerate(zip(amounts.tolist(), names, coefficients.tolist(), strict=True)):
        if a != a:  # a blank amount: an empty row (a carrier with no amount yet)
            out[i] = math.nan
            continue
        if c == c:
            out[i] = a * c
            continue
        key = _carrier(name, func, position("carrier", i, amounts.size))
        out[i] = a * (power if key == "electricity" else TCE_COEFFICIENTS[key].value)
    return _result(out, scalar_call)


def _electricity(value: Any, func: str) -> float:
    """The tce per MWh of electricity: the calorific equivalent, or the power-generation value given."""
    if isinstance(value, str) and value.strip().lower() in ("equivalent", "当量", "当量值"):
        return ELECTRICITY_EQUIVALENT
    if isinstance(value, str) or is_blank(value):
        raise CPError(func, "electricity", 'must be "equivalent" or a number in kgce/kWh', value)
    number = scalar(value, func, "electricity")
    check(number > 0, func, "electricity", "must be > 0 (kgce/kWh)", number)
    check(number < 1, func, "electricity", f"must be in kgce/kWh: {number:g} gce/kWh is {number / 1000:g}", number)
    return number


@public("co2")
def co2(
    amount: Any,
    carrier: Any,
    factor: Any = None,
    *,
    ncv: Any = None,
    oxidation: Any = None,
    grid: Any = None,
) -> Any:
    r"""CO2 emission in tonnes from the amount of each energy carrier, by documented default factors.

    .. math::
        m_k = a_k \, \text{NCV}_k \, \text{EF}_k \, \text{OF}_k \quad \text{(fuels)}, \qquad
        m_k = a_k \, f_k \quad \text{(electricity, heat, steam)}

    with NCV the net calorific value [TJ per unit], EF the CO2 emission factor [t CO2/TJ] and OF the oxidised
    fraction (IPCC 2006 defaults, OF = 1), and f the factor of purchased electricity (the national grid),
    heat or steam (:data:`CO2_FACTORS`, with their sources).

    Parameters
    ----------
    amount : float or array-like
        Amount of each row in its carrier's unit, as for :func:`tce`: t, 10⁴ m³ (natural gas), MWh
        (electricity), GJ (heat); blank = an empty row [carrier unit]
    carrier : str or array-like
        Carrier of each row, named as for :func:`tce`; a single carrier applies to every row [-]
    factor : float or array-like, optional
        CO2 per unit of each row, overriding everything else (blank = the default); with a factor the
        carrier may be any label [t CO2 per carrier unit]
    ncv : float or array-like, optional
        Net calorific value of each fuel row, e.g. from the plant's own coal analysis (blank = the
        default) [GJ per carrier unit]
    oxidation : float or array-like, optional
        Oxidised fraction of each fuel row in (0, 1] (blank = 1) [-]
    grid : float, optional
        CO2 factor of purchased electricity, default 0.5366 (national average for 2022) [t CO2/MWh]

    Returns
    -------
    co2 : float or ndarray
        CO2 emitted; one per row (NaN for an empty row) when a range is given [t]

    Examples
    --------
    1 t of diesel: 43.0 GJ × 74.1 t/TJ = 3.1863 t CO2; 1,000 kWh at 0.5366 t/MWh:

    >>> round(co2(1.0, "diesel"), 6), co2(1.0, "electricity")
    (3.1863, 0.5366)
    >>> co2([100.0, 20.0], ["原煤", "电力"], grid=0.5703).round(3)
    array([244.068,  11.406])

    References
    ----------
    .. [1] IPCC. 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy, ch. 1,
       Tables 1.2 and 1.4. IGES, Hayama, 2006.
    .. [2] 生态环境部, 国家统计局. 关于发布2022年电力二氧化碳排放因子的公告. 2024.
    """
    func = "co2"
    amounts, names, factors, scalar_call = _rows(amount, carrier, factor, func, "factor")
    n = amounts.size
    _positive(factors, func, "factor")
    ncvs = _per_row(ncv, n, func, "ncv")
    _positive(ncvs, func, "ncv")
    fractions = _per_row(oxidation, n, func, "oxidation")
    bad = np.flatnonzero((fractions <= 0) | (fractions > 1))
    if bad.size:
        i = int(bad[0])
        raise CPError(func, position("oxidation", i, n), "must lie in (0, 1]", fractions[i])
    grid_factor = GRID_FACTOR if grid is None else scalar(grid, func, "grid", default=GRID_FACTOR)
    check(grid_factor > 0, func, "grid", "must be > 0 (t CO2/MWh)", grid_factor)
    check(
        grid_factor < 10,
        func,
        "grid",
        f"must be in t CO2/MWh: {grid_factor:g} g/kWh is {grid_factor / 1000:g}",
        grid_factor,
    )
    out = np.empty(n)
    for i, (a, name, f) in enumerate(zip(amounts.tolist(), names, factors.tolist(), strict=True)):
        if a != a:
            out[i] = math.nan
            continue
        if f == f:
            out[i] = a * f
            continue
        key = _carrier(name, func, position("carrier", i, n))
        default = CO2_FACTORS[key]
        if key == "electricity":
            out[i] = a * grid_factor
        elif default.direct == default.direct:
            out[i] = a * default.direct
        else:
            heat = ncvs[i] if ncvs[i] == ncvs[i] else default.ncv  # GJ per unit
            share = fractions[i] if fractions[i] == fractions[i] else default.oxidation
            out[i] = a * heat * default.per_tj / 1000 * share
    return _result(out, scalar_call)


def _per_row(x: Any, n: int, func: str, arg: str) -> np.ndarray:
    """An optional per-row number: NaN (the default) where blank; a single value applies to every row."""
    if x is None:
        return np.full(n, math.nan)
    values = as_floats(x, func, arg)
    check(values.size in (1, n), func, arg, f"must have one entry per row ({n}) or a single one", values.size)
    return np.repeat(values, n) if values.size == 1 else values
