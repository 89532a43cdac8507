"""The CP_* worksheet functions for classic xlwings (the Windows add-in).

Point xlwings at this module (``UDF Modules = cpxl.excel.udfs``; ``cpxl addin`` writes it into the xlwings
configuration) and click *Import Functions*: xlwings generates one VBA wrapper per function below, with the
description and argument help of :data:`cpxl.excel.catalog.CATALOG` in Excel's function wizard, under the
category ``cpxl``.

Each function is a one-line adapter: it passes the cells to its Python twin through
:func:`cpxl.excel.adapters.classic_call`. Ranges arrive as 2-D object arrays (``np.array, ndim=2,
dtype=object``: blanks are NaN, and text or TRUE/FALSE stay what they are, so that a stray label in a
range of masses is reported by position instead of being read as a number). Spilling functions return a
list of rows, which Excel 365/2021 spills as a dynamic array. Every argument is declared with
``err_to_str=True``: an error cell (``#DIV/0!``) arrives as its text and is refused by position, where
xlwings would otherwise pass None, a blank. Invalid input gives the short message as the
cell's text, ``CP_ELF: product must be > 0, got 0``, instead of xlwings' traceback.

The docstring of each function is the one-line help that Excel shows (at most 255 characters); the full
documentation, with formula, units, example and reference, is the twin's: ``help(cpxl.elf)``.

Importing this module imports numpy, xlwings and the catalog only: what the decorators need. The adapters
and :mod:`cpxl.core` (with scipy) are imported by the first call of a function, so that loading the add-in's
functions into Excel does not wait for the engine. (xlwings itself imports pandas when it is installed;
cpxl does not.)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import xlwings as xw

from .catalog import CATALOG, argument_help, description

__all__ = list(CATALOG)

#: The function category in Excel's *Insert Function* dialog.
CATEGORY = "cpxl"


def _udf(function: Callable[..., Any]) -> Callable[..., Any]:
    """Declare *function* to xlwings with the catalog's help and converters (the catalog is the spec)."""
    name = function.__name__
    entry = CATALOG[name]
    parameters = inspect.signature(function).parameters
    if list(parameters) != list(entry["args"]):  # pragma: no cover - a programming error, caught on import
        raise RuntimeError(f"{name}: arguments {list(parameters)} differ from the catalog {list(entry['args'])}")
    function.__doc__ = description(name)  # xlwings reads the description from the docstring
    for argument, spec in entry["args"].items():
        optional = parameters[argument].default is not inspect.Parameter.empty
        if optional != spec["optional"]:  # pragma: no cover - a programming error, caught on import
            raise RuntimeError(f"{name}: {argument} is optional in one place and not in the other")
        doc = argument_help(name, argument)
        # err_to_str: an error cell arrives as its text ("#DIV/0!"), which the adapter refuses, not as None (a blank)
        if spec["range"]:
            function = xw.arg(argument, np.array, ndim=2, dtype=object, err_to_str=True, doc=doc)(function)
        else:
            function = xw.arg(argument, err_to_str=True, doc=doc)(function)
    return xw.func(category=CATEGORY)(function)


_adapter: Callable[..., Any] | None = None  # cpxl.excel.adapters.classic_call, once a function has been called


def classic_call(name: str, *args: Any) -> Any:
    """Hand the cells to :func:`cpxl.excel.adapters.classic_call`, imported by the first call of a function."""
    global _adapter
    if _adapter is None:  # the first call: import the engine once (an import statement per call costs µs)
        from .adapters import classic_call as adapter

        _adapter = adapter
    return _adapter(name, *args)


@_udf
def CP_ELF(raw_materials, product):  # noqa: N802
    return classic_call("CP_ELF", raw_materials, product)


@_udf
def CP_EFACTOR(waste, product):  # noqa: N802
    return classic_call("CP_EFACTOR", waste, product)


@_udf
def CP_PMI(inputs, product):  # noqa: N802
    return classic_call("CP_PMI", inputs, product)


@_udf
def CP_RME(product, reactants):  # noqa: N802
    return classic_call("CP_RME", product, reactants)


@_udf
def CP_MW(formula):  # noqa: N802
    return classic_call("CP_MW", formula)


@_udf
def CP_ATOM_ECONOMY(product, reactants, coefficients=None):  # noqa: N802
    return classic_call("CP_ATOM_ECONOMY", product, reactants, coefficients)


@_udf
def CP_OVERALL_YIELD(yields, feeds_into=None):  # noqa: N802
    return classic_call("CP_OVERALL_YIELD", yields, feeds_into)


@_udf
def CP_REDUCTION(before, after):  # noqa: N802
    return classic_call("CP_REDUCTION", before, after)


@_udf
def CP_REUSE_RATE(fresh, reused):  # noqa: N802
    return classic_call("CP_REUSE_RATE", fresh, reused)


@_udf
def CP_BALANCE_CLOSURE(inputs, outputs, stock_change=None):  # noqa: N802
    return classic_call("CP_BALANCE_CLOSURE", inputs, outputs, stock_change)


@_udf
def CP_RECONCILE(source, target, measured, sigma=None, output=None):  # noqa: N802
    return classic_call("CP_RECONCILE", source, target, measured, sigma, output)


@_udf
def CP_BALANCE_TEST(source, target, measured, sigma=None, alpha=None):  # noqa: N802
    return classic_call("CP_BALANCE_TEST", source, target, measured, sigma, alpha)


@_udf
def CP_CASH_FLOW(saving, investment, life, tax_rate=None):  # noqa: N802
    return classic_call("CP_CASH_FLOW", saving, investment, life, tax_rate)


@_udf
def CP_NPV(rate, investment, cash_flows, years=None):  # noqa: N802
    return classic_call("CP_NPV", rate, investment, cash_flows, years)


@_udf
def CP_NPVR(rate, investment, cash_flows, years=None):  # noqa: N802
    return classic_call("CP_NPVR", rate, investment, cash_flows, years)


@_udf
def CP_IRR(investment, cash_flows, years=None):  # noqa: N802
    return classic_call("CP_IRR", investment, cash_flows, years)


@_udf
def CP_PAYBACK(investment, cash_flows, years=None, rate=None):  # noqa: N802
    return classic_call("CP_PAYBACK", investment, cash_flows, years, rate)


@_udf
def CP_WEIGHTED_SCORE(weights, ratings):  # noqa: N802
    return classic_call("CP_WEIGHTED_SCORE", weights, ratings)


@_udf
def CP_GRADE(  # noqa: N802
    values, level_1, level_2, level_3, lower_is_better, weights, groups=None, limiting=None, output=None
):
    return classic_call(
        "CP_GRADE", values, level_1, level_2, level_3, lower_is_better, weights, groups, limiting, output
    )


@_udf
def CP_RECONCILE_COMPONENTS(source, target, flow, flow_sigma, fraction, fraction_sigma, output=None):  # noqa: N802
    return classic_call("CP_RECONCILE_COMPONENTS", source, target, flow, flow_sigma, fraction, fraction_sigma, output)


@_udf
def CP_TCE(amount, carrier, coefficient=None):  # noqa: N802
    return classic_call("CP_TCE", amount, carrier, coefficient)


@_udf
def CP_CO2(amount, carrier, factor=None):  # noqa: N802
    return classic_call("CP_CO2", amount, carrier, factor)


@_udf
def CP_PORTFOLIO(values, costs, budget, exclusive_groups=None, requires=None):  # noqa: N802
    return classic_call("CP_PORTFOLIO", values, costs, budget, exclusive_groups, requires)


@_udf
def CP_VERSION():  # noqa: N802
    return classic_call("CP_VERSION")


_missing = set(CATALOG) - {name for name, obj in globals().items() if callable(obj) and name.startswith("CP_")}
if _missing:  # pragma: no cover - a programming error, caught on import
    raise RuntimeError(f"cpxl.excel.udfs: no worksheet function for {sorted(_missing)}")
