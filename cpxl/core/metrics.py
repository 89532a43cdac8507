"""Mass-based metrics of a process: ELF, E-factor, PMI, RME, reduction, reuse, balance closure.

All masses are in one unit (kg, t, ...) over one period; every mass argument may
be a single number or a range/sequence/array that is summed, with blanks
(None, '', NaN) ignored.
"""

from __future__ import annotations

import warnings
from typing import Any

from .errors import CPWarning
from .inputs import check, public, total

__all__ = ["balance_closure", "efactor", "elf", "pmi", "reduction", "reuse_rate", "rme"]


def _product(product: Any, func: str) -> float:
    value = total(product, func, "product", nonnegative=False)
    check(value > 0, func, "product", "must be > 0", value)
    return value


@public("elf")
def elf(raw_materials: Any, product: Any) -> float:
    r"""Environmental load factor (ICI): mass of material fed per unit of product, less the product itself.

    .. math::
        \text{ELF} = \frac{\sum m_\text{raw} - m_\text{product}}{m_\text{product}}

    With fresh inputs only, ELF = PMI − 1. A negative ELF means the product
    weighs more than what was fed: an input (air O₂, water) is missing. The value
    is returned and a :class:`CPWarning` says so.

    Parameters
    ----------
    raw_materials : float or array-like
        Fresh raw materials fed, summed; blanks ignored [kg]
    product : float or array-like
        Product sold, summed; must be > 0 [kg]

    Returns
    -------
    elf : float
        Environmental load factor [-]

    Examples
    --------
    Three raw materials (100, 90 and 1000 kg, the last being water) give 50 kg
    of product:

    >>> elf([100, 90, 1000], 50)
    22.8

    References
    ----------
    .. [1] Jiménez-González, C., Constable, D. J. C., Ponder, C. S. "Evaluating
       the 'Greenness' of Chemical Processes and Products in the Pharmaceutical
       Industry — a Green Metrics Primer." Chem. Soc. Rev. 41 (2012): 1485–98.
    """
    fed = total(raw_materials, "elf", "raw_materials")
    made = _product(product, "elf")
    value = (fed - made) / made
    if value < 0:
        warnings.warn(
            f"elf: ELF is negative ({value:.4g}): the product weighs more than the raw materials; "
            "an input such as air or water is probably missing",
            CPWarning,
            stacklevel=3,
        )
    return value


@public("efactor")
def efactor(waste: Any, product: Any) -> float:
    r"""Sheldon's E-factor: mass of waste per unit mass of product.

    .. math::
        E = \frac{\sum m_\text{waste}}{m_\text{product}}

    Which streams count as waste decides the variant: the simple sEF leaves out
    solvents and water, the complete cEF counts everything with no recycling.

    Parameters
    ----------
    waste : float or array-like
        Waste streams, summed; blanks ignored [kg]
    product : float or array-like
        Product, summed; must be > 0 [kg]

    Returns
    -------
    efactor : float
        E-factor [-]

    Examples
    --------
    >>> efactor([12.5, 7.5], 4)
    5.0

    References
    ----------
    .. [1] Sheldon, R. A. "The E Factor 25 Years On: The Rise of Green
       Chemistry and Sustainability." Green Chem. 19 (2017): 18–43.
    """
    return total(waste, "efactor", "waste") / _product(product, "efactor")


@public("pmi")
def pmi(inputs: Any, product: Any) -> float:
    r"""Process mass intensity: total mass of inputs (water and solvents included) per mass of product.

    .. math::
        \text{PMI} = \frac{\sum m_\text{inputs}}{m_\text{product}}

    Parameters
    ----------
    inputs : float or array-like
        All materials fed, water and solvents included, summed; blanks ignored [kg]
    product : float or array-like
        Product, summed; must be > 0 [kg]

    Returns
    -------
    pmi : float
        Process mass intensity [-]

    Examples
    --------
    >>> pmi([100, 90, 1000], 50)
    23.8

    References
    ----------
    .. [1] Jiménez-González, C., Ponder, C. S., Broxterman, Q. B., Manley,
       J. B. "Using the Right Green Yardstick: Why Process Mass Intensity Is
       Used in the Pharmaceutical Industry to Drive More Sustainable
       Processes." Org. Process Res. Dev. 15 (2011): 912–17.
    """
    return total(inputs, "pmi", "inputs") / _product(product, "pmi")


@public("rme")
def rme(product: Any, reactants: Any) -> float:
    r"""Reaction mass efficiency: mass of product per total mass of reactants.

    .. math::
        \text{RME} = \frac{m_\text{product}}{\sum m_\text{reactants}}

    The optimum efficiency is OE = RME / AE (see :func:`atom_economy`). An RME
    above 1 is impossible for a closed balance and is rejected.

    Parameters
    ----------
    product : float or array-like
        Isolated product, summed [kg]
    reactants : float or array-like
        Reactants charged, summed; blanks ignored [kg]

    Returns
    -------
    rme : float
        Reaction mass efficiency, a fraction [-]

    Examples
    --------
    >>> rme(74.5, [57.3, 60.2])
    0.634...

    References
    ----------
    .. [1] Constable, D. J. C., Curzons, A. D., Cunningham, V. L. "Metrics to
       'Green' Chemistry — Which Are the Best?" Green Chem. 4 (2002): 521–27.
    """
    made = total(product, "rme", "product")
    fed = total(reactants, "rme", "reactants")
    check(fed > 0, "rme", "reactants", "must sum to > 0", fed)
    check(made <= fed, "rme", "product", f"cannot exceed the reactants ({fed:g})", made)
    return made / fed


@public("reduction")
def reduction(before: Any, after: Any) -> float:
    r"""Relative reduction of a quantity (waste, water, energy) after a change.

    .. math::
        r = \frac{\text{before} - \text{after}}{\text{before}}

    Negative when the quantity grew.

    Parameters
    ----------
    before : float or array-like
        Quantity before, summed; must be > 0 [any unit]
    after : float or array-like
        Quantity after, summed, same unit [any unit]

    Returns
    -------
    reduction : float
        Fraction of *before* removed [-]

    Examples
    --------
    >>> reduction(1250, 1000)
    0.2

    References
    ----------
    .. [1] GB/T 25973-2010, 工业企业清洁生产审核 技术导则.
    """
    start = total(before, "reduction", "before", nonnegative=False)
    check(start > 0, "reduction", "before", "must be > 0", start)
    return (start - total(after, "reduction", "after")) / start


@public("reuse_rate")
def reuse_rate(fresh: Any, reused: Any) -> float:
    r"""Water (or material) reuse rate, 重复利用率: the reused share of all water used.

    .. math::
        R = \frac{V_r}{V_f + V_r}

    The same formula gives the cooling-water recirculation rate with
    V_cr and V_cf.

    Parameters
    ----------
    fresh : float or array-like
        Fresh intake V_f, summed [m³]
    reused : float or array-like
        Reused (recirculated, cascaded) volume V_r, summed [m³]

    Returns
    -------
    reuse_rate : float
        Fraction of the water used that is reused [-]

    Examples
    --------
    >>> reuse_rate(120, 880)
    0.88

    References
    ----------
    .. [1] GB/T 7119-2018, 节水型企业评价导则 (water reuse rate).
    """
    new = total(fresh, "reuse_rate", "fresh")
    again = total(reused, "reuse_rate", "reused")
    check(new > 0 or again > 0, "reuse_rate", "fresh", "plus reused must be > 0", new + again)
    return 1.0 / (1.0 + new / again) if again > 0 else 0.0  # never forms new + again, which may overflow


@public("balance_closure")
def balance_closure(inputs: Any, outputs: Any, stock_change: Any = None) -> float:
    r"""Relative closure error of a mass balance, 相对误差, signed.

    .. math::
        \delta = \frac{\sum \text{in} - \sum \text{out} - \Delta\text{stock}}{\sum \text{in}}

    Positive: more went in than is accounted for (a loss not measured).
    Negative: more came out than went in. ``|δ| ≤ 5 %`` is a common acceptance
    for material balances (water tools accept 10 %); the limit is the user's.

    Parameters
    ----------
    inputs : float or array-like
        Input streams, summed; must sum to > 0 [kg]
    outputs : float or array-like
        Output streams, summed [kg]
    stock_change : float or array-like, optional
        Accumulation in the unit over the period, summed; may be negative [kg]

    Returns
    -------
    closure : float
        Signed relative error [-]

    Examples
    --------
    >>> balance_closure([1000, 250], [1180, 45], stock_change=0)
    0.02

    References
    ----------
    .. [1] UNEP/UNIDO. Audit and Reduction Manual for Industrial Emissions and
       Wastes. Technical Report Series No. 7, 1991, step 11.
    """
    fed = total(inputs, "balance_closure", "inputs")
    check(fed > 0, "balance_closure", "inputs", "must sum to > 0", fed)
    out = total(outputs, "balance_closure", "outputs")
    stock = total(stock_change, "balance_closure", "stock_change", nonnegative=False, empty=0.0)
    return (fed - out - stock) / fed
