"""An option's investment I and annual saving P: from their breakdown where one is given, else as typed.

Feasibility reports break an option's investment down (equipment, construction
and installation, design and other, working capital, less subsidies) and its
annual benefit too (raw materials, energy, water, waste treatment and disposal
fees, added output, labour, maintenance, other; DOMAIN §8). When any part of a
breakdown is given, its total is the option's I (or P); otherwise the value typed
in ``investment`` (``saving``) is. The workbook computes the same with native
formulas (``5 Costs & benefits``, ``5 Feasibility``). Imports only the schema.
"""

from __future__ import annotations

from typing import Any

from .schema import BENEFIT_PARTS, INVESTMENT_PARTS

__all__ = ["investment", "investment_breakdown", "saving", "saving_breakdown"]


def investment_breakdown(option: dict[str, Any]) -> float | None:
    """Σ investment parts − subsidy [currency]; None when no part and no subsidy is given.

    Examples
    --------
    >>> investment_breakdown({"invest_equipment": 600.0, "invest_construction": 150.0, "subsidy": 50.0})
    700.0
    >>> investment_breakdown({"investment": 700.0}) is None
    True
    """
    keys = (*INVESTMENT_PARTS, "subsidy")
    if all(option.get(key) is None for key in keys):
        return None
    subsidy = option.get("subsidy") or 0.0
    total = sum(option.get(key) or 0.0 for key in INVESTMENT_PARTS) - subsidy
    return max(total, 0.0) if total > -1e-9 * max(1.0, subsidy) else total  # a subsidy of all of it is 0, not -0.0


def saving_breakdown(option: dict[str, Any]) -> float | None:
    """Σ annual benefit parts [currency per year]; None when no part is given.

    Examples
    --------
    >>> saving_breakdown({"benefit_raw_materials": 300.0, "benefit_disposal": 80.0, "benefit_labour": -20.0})
    360.0
    """
    if all(option.get(key) is None for key in BENEFIT_PARTS):
        return None
    return sum(option.get(key) or 0.0 for key in BENEFIT_PARTS)


def investment(option: dict[str, Any]) -> float | None:
    """The investment I an option's economics use: its breakdown's total if given, else ``investment``.

    Examples
    --------
    >>> investment({"investment": 700.0}), investment({"investment": 700.0, "invest_equipment": 650.0})
    (700.0, 650.0)
    """
    total = investment_breakdown(option)
    return option.get("investment") if total is None else total


def saving(option: dict[str, Any]) -> float | None:
    """The annual saving P an option's economics use: its breakdown's total if given, else ``saving``.

    Examples
    --------
    >>> saving({"saving": 420.0}), saving({"saving": 420.0, "benefit_energy": 400.0})
    (420.0, 400.0)
    """
    total = saving_breakdown(option)
    return option.get("saving") if total is None else total
