"""The cpxl engine: cleaner-production computations with numpy and scipy only.

Nothing here knows that a spreadsheet exists; the worksheet functions, the
workbook builder and the command line are thin layers over these functions.

Importing this package imports none of its modules: each public name (and each
module, ``cpxl.core.economics``) is imported on first use (PEP 562), so that a
script that needs :func:`elf` does not pay for :mod:`scipy.optimize` (IRR) or
the reconciliation. ``from cpxl.core import elf`` and ``cpxl.core.elf`` work as
they always did; type checkers and documentation tools read the imports under
``TYPE_CHECKING`` below.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chemistry import atom_economy, mw
    from .components import ComponentsResult, reconcile_components
    from .economics import cash_flow, irr, npv, npvr, payback
    from .energy import co2, tce
    from .errors import CPError, CPWarning
    from .flowsheet import BalanceResult, Flowsheet
    from .grading import grade
    from .metrics import balance_closure, efactor, elf, pmi, reduction, reuse_rate, rme
    from .portfolio import PortfolioResult, portfolio
    from .reconcile import BalanceTestResult, ReconcileResult, balance_test, reconcile
    from .scoring import weighted_score
    from .yields import overall_yield

#: Each public name and the module of this package that defines it.
_EXPORTS = {
    "BalanceResult": "flowsheet",
    "BalanceTestResult": "reconcile",
    "CPError": "errors",
    "ComponentsResult": "components",
    "CPWarning": "errors",
    "Flowsheet": "flowsheet",
    "PortfolioResult": "portfolio",
    "ReconcileResult": "reconcile",
    "atom_economy": "chemistry",
    "balance_closure": "metrics",
    "balance_test": "reconcile",
    "cash_flow": "economics",
    "co2": "energy",
    "efactor": "metrics",
    "elf": "metrics",
    "grade": "grading",
    "irr": "economics",
    "mw": "chemistry",
    "npv": "economics",
    "npvr": "economics",
    "overall_yield": "yields",
    "payback": "economics",
    "pmi": "metrics",
    "portfolio": "portfolio",
    "reconcile": "reconcile",
    "reconcile_components": "components",
    "reduction": "metrics",
    "reuse_rate": "metrics",
    "rme": "metrics",
    "tce": "energy",
    "weighted_score": "scoring",
}

#: The modules of this package, reachable as attributes (``cpxl.core.grading``) as when all were imported.
_SUBMODULES = frozenset(
    {
        "chemistry",
        "components",
        "economics",
        "energy",
        "errors",
        "flowsheet",
        "grading",
        "inputs",
        "metrics",
        "portfolio",
        "reconcile",
        "results",
        "scoring",
        "yields",
    }
)

__all__ = [
    "BalanceResult",
    "BalanceTestResult",
    "CPError",
    "CPWarning",
    "ComponentsResult",
    "Flowsheet",
    "PortfolioResult",
    "ReconcileResult",
    "atom_economy",
    "balance_closure",
    "balance_test",
    "cash_flow",
    "co2",
    "efactor",
    "elf",
    "grade",
    "irr",
    "mw",
    "npv",
    "npvr",
    "overall_yield",
    "payback",
    "pmi",
    "portfolio",
    "reconcile",
    "reconcile_components",
    "reduction",
    "reuse_rate",
    "rme",
    "tce",
    "weighted_score",
]


def _module(name: str) -> types.ModuleType:
    """The module ``cpxl.core.<name>``, imported as an import statement does (``python -X importtime`` sees it)."""
    qualified = f"{__name__}.{name}"
    __import__(qualified)
    return sys.modules[qualified]


def __getattr__(name: str) -> Any:
    """Import a public name, or a module of this package, on first use (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = _module(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    """The module's attributes, with every public name, imported yet or not."""
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


class _Package(types.ModuleType):
    """This package's module type: a public name never gives way to the module of the same name.

    Importing the module :mod:`cpxl.core.reconcile` makes the import system set the package's attribute
    ``reconcile`` to that module; with the names imported lazily, that would hide the function
    :func:`reconcile` whenever the module is imported first (``from cpxl.core.reconcile import ...``).
    The attribute is kept for the function, as it was when this package imported everything.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and _EXPORTS.get(name) == name
            and value.__name__ == f"{__name__}.{name}"
        ):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
