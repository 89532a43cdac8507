"""Molar masses from chemical formulas, and the atom economy of a reaction.

Atomic masses and formula parsing come from :mod:`molmass` (C. Gohlke), which
uses the IUPAC standard atomic weights and isotope data; cpxl adds only the
hydrate notation auditors type (``CuSO4·5H2O``, ``CuSO4*5H2O``, ``CaSO4·0.5H2O``,
``CaSO4·½H2O``, the katakana middle dot ``CuSO4・5H2O`` of Chinese and Japanese input
methods, cement notation ``3CaO·Al2O3``) and refuses the one reading that would
silently mislead (a formula that is one part and starts with a number).
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
from molmass import Formula, FormulaError

from .errors import CPError
from .inputs import as_floats, check, is_blank, position, public

__all__ = ["atom_economy", "mw"]

# Separators between the parts of an adduct or hydrate, after NFKC normalisation (which turns the fullwidth
# full stop and asterisk into "." and "*", and the halfwidth katakana middle dot into "・"): middle dot, Greek
# ano teleia, bullet, hyphenation point, dot operator, bullet operator, katakana middle dot, word-separator
# middle dot, asterisk, period. None of them has another meaning in a formula.
_DOTS = "·\u0387•‧⋅∙・\u2e31*."
_SEPARATOR = re.compile(rf"\s*[{_DOTS}]\s*")
# A decimal count at the start or right after a separator (the "0.5" of CaSO4·0.5H2O): its point is not a
# separator.
_DECIMAL_COUNT = re.compile(rf"(?:(?<=[{_DOTS}])|^)(\s*\d+)\.(\d+)(?=\s*[A-Z(\[])")
_LEADING_COUNT = re.compile(r"^(\d+(?:,\d+)?|\d+/\d+)\s*(?=[A-Z(\[])")
# Vulgar fractions (½, ¼, ¾, ⅓, ...) with an optional whole number before them (1½) at the start of a part: a count.
_VULGAR = "".join(chr(c) for c in [*range(0xBC, 0xBF), *range(0x2150, 0x215F)])
_FRACTION = re.compile(rf"(?:(?<=[{_DOTS}\s])|^)(\d*)([{_VULGAR}])(?=\s*[A-Z(\[])")
# Superscript digits are a mass number (²H, deuterium) or a charge, never a count: NFKC would make them counts.
_SUPERSCRIPT_DIGITS = set("⁰¹²³⁴⁵⁶⁷⁸⁹")


def _fraction(match: re.Match[str]) -> str:
    value = int(match.group(1) or 0) + unicodedata.numeric(match.group(2))
    return repr(round(value, 12))


@lru_cache(maxsize=4096)
def _part_mass(part: str, func: str, arg: str, whole: str) -> float:
    try:
        mass = Formula(part).mass
    except FormulaError as exc:
        reason = str(exc).splitlines()[0]
        raise CPError(func, arg, f"is not a chemical formula ({reason})", whole) from None
    check(mass > 0, func, arg, "is not a chemical formula", whole)
    return float(mass)


def _count(text: str) -> float:
    """A part's count: ``5``, ``0,5`` (the decimal comma), ``1/2``; 0 for a zero denominator (refused)."""
    if "/" in text:
        num, den = text.split("/")
        return int(num) / int(den) if int(den) else 0.0
    return float(text.replace(",", "."))


def _formula_mass(formula: str, func: str, arg: str) -> float:
    check(
        not _SUPERSCRIPT_DIGITS.intersection(formula),
        func,
        arg,
        "has superscript digits, which may be a mass number or a charge: write an isotope in brackets ([2H]2O)",
        formula,
    )
    text = _FRACTION.sub(_fraction, formula.strip())
    check(not set(_VULGAR).intersection(text), func, arg, "has a fraction that is not the count of a part", formula)
    text = unicodedata.normalize("NFKC", text).replace("\u2044", "/")
    check(bool(text), func, arg, "is blank")
    parts = _SEPARATOR.split(_DECIMAL_COUNT.sub(r"\1,\2", text))
    # A count before the first part is read only in an adduct (cement notation, 3CaO·Al2O3); a formula that is
    # one part and starts with a number (2H2O) is refused, as molmass would read the number as an isotope.
    check(
        len(parts) > 1 or not text[0].isdigit(),
        func,
        arg,
        "starts with a number: write an isotope in brackets ([2H]2O) and give a coefficient separately",
        formula,
    )
    mass = 0.0
    for part in parts:
        count = 1.0
        match = _LEADING_COUNT.match(part)
        if match:
            count = _count(match.group(1))
            part = part[match.end() :]
        check(count > 0 and bool(part), func, arg, "has an empty or zero part", formula)
        mass += count * _part_mass(part, func, arg, formula)
    return mass


@public("mw")
def mw(formula: str) -> float:
    r"""Molar mass of a chemical formula, from standard atomic weights.

    .. math::
        M = \sum_i n_i A_{r,i}

    Understands parentheses (``Ca(OH)2``), hydrates and adducts written with
    ``·``, ``・`` (katakana middle dot), ``•``, ``*`` or ``.`` (``CuSO4·5H2O``;
    fractional counts as in ``CaSO4·0.5H2O``, ``CaSO4·1/2H2O`` or
    ``CaSO4·½H2O``), cement notation with a count before every part
    (``3CaO·Al2O3``, ``2CaO·SiO2``), fullwidth characters and subscript digits
    as input methods type them (``H₂O``), isotopes in brackets (``[13C]H4``,
    ``[2H]2O``) and common group abbreviations (``Me``, ``Et``, ``Ph``). A
    formula of one part that begins with a number is refused: ``2H2O`` would
    otherwise be read as heavy water; so are superscript digits (``²H``: a
    mass number or a charge, never a count) and a fraction that is not the
    count of a part.

    Parameters
    ----------
    formula : str
        Chemical formula [-]

    Returns
    -------
    mw : float
        Molar mass [g/mol]

    Examples
    --------
    Copper sulfate pentahydrate:

    >>> round(mw("CuSO4·5H2O"), 2)
    249.68
    >>> round(mw("Ca(OH)2"), 3)
    74.093

    Tricalcium aluminate in cement notation:

    >>> round(mw("3CaO·Al2O3"), 2)
    270.19

    References
    ----------
    .. [1] Prohaska, T., et al. "Standard Atomic Weights of the Elements 2021
       (IUPAC Technical Report)." Pure Appl. Chem. 94 (2022): 573–600.
    .. [2] Gohlke, C. molmass: molecular mass calculations. PyPI, 2026.
    """
    check(isinstance(formula, str), "mw", "formula", "must be text such as 'CH3Cl'", formula)
    return _formula_mass(formula, "mw", "formula")


def _molar_masses(items: Any, func: str, arg: str) -> np.ndarray:
    """Each entry a molar mass (number > 0) or a formula; blanks as NaN."""
    if isinstance(items, str):
        items = [items]
    obj = np.asarray(items.to_numpy(dtype=object) if hasattr(items, "to_numpy") else items, dtype=object)
    obj = obj.ravel()
    if not any(isinstance(item, str) for item in obj):  # molar masses only: read at array speed
        out = as_floats(obj, func, arg)
        low = np.flatnonzero(out <= 0)
        if low.size:
            where = position(arg, int(low[0]), out.size)
            check(False, func, where, "must be a molar mass > 0 or a formula", out[low[0]])
        return out
    out = np.empty(obj.size, dtype=float)
    for i, item in enumerate(obj):
        where = position(arg, i, obj.size)
        if is_blank(item):
            out[i] = np.nan
        elif isinstance(item, str):
            out[i] = _formula_mass(item, func, where)
        else:
            if isinstance(item, decimal.Decimal) and item.is_finite():
                item = float(item)  # a molar mass typed as a Decimal is a number
            value = as_floats(item, func, where)[0]
            check(value > 0, func, where, "must be a molar mass > 0 or a formula", value)
            out[i] = value
    return out


@public("atom_economy")
def atom_economy(product: Any, reactants: Any, coefficients: Any = None) -> float:
    r"""Atom economy (Trost): the share of the reactants' mass that ends up in the product.

    .. math::
        \text{AE} = \frac{M_\text{product}}{\sum_i \nu_i M_i}

    from the balanced equation. If the product is formed with a coefficient
    other than 1, give its molar mass times that coefficient. An atom economy
    above 1 means the equation is not balanced and is refused.

    Parameters
    ----------
    product : float or str
        Molar mass of the desired product [g/mol], or its formula
    reactants : array-like of float or str
        Molar masses [g/mol] or formulas of the reactants; blanks ignored
    coefficients : array-like of float, optional
        Stoichiometric coefficients ν_i, one per reactant; default 1 [-]

    Returns
    -------
    atom_economy : float
        Atom economy, a fraction [-]

    Examples
    --------
    Methyl chloride from methanol and hydrogen chloride, CH3OH + HCl → CH3Cl + H2O:

    >>> round(atom_economy("CH3Cl", ["CH3OH", "HCl"]), 4)
    0.7370

    References
    ----------
    .. [1] Trost, B. M. "The Atom Economy — a Search for Synthetic
       Efficiency." Science 254 (1991): 1471–77.
    """
    masses = _molar_masses(reactants, "atom_economy", "reactants")
    if coefficients is None or np.isnan(as_floats(coefficients, "atom_economy", "coefficients")).all():
        nu = np.ones_like(masses)
    else:
        nu = as_floats(coefficients, "atom_economy", "coefficients")
        check(
            nu.size == masses.size,
            "atom_economy",
            "coefficients",
            f"must have one entry per reactant ({masses.size})",
            nu.size,
        )
    present = ~np.isnan(masses)
    check(bool(present.any()), "atom_economy", "reactants", "has no values")
    for i in np.flatnonzero(present):
        where = position("coefficients", i, nu.size)
        check(not np.isnan(nu[i]), "atom_economy", where, "is blank for a reactant that is given")
        check(nu[i] > 0, "atom_economy", where, "must be > 0", nu[i])
    made = _molar_masses(product, "atom_economy", "product")
    check(made.size == 1 and not np.isnan(made[0]), "atom_economy", "product", "must be one molar mass or formula")
    fed = float(np.sum(nu[present] * masses[present]))
    check(bool(np.isfinite(fed)), "atom_economy", "reactants", "weigh beyond the float range (±1.8e308)")
    value = float(made[0]) / fed
    check(
        value <= 1 + 1e-12,
        "atom_economy",
        "product",
        f"is heavier than the reactants ({fed:.4g} g/mol): the equation is not balanced",
        product,
    )
    return min(value, 1.0)
