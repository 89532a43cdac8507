"""cpxl: the cleaner-production audit in the spreadsheet.

Every worksheet function ``CP_NAME`` has a Python twin ``cpxl.name`` with the
same arguments:

>>> import cpxl
>>> cpxl.elf([100, 90, 1000], 50)
22.8

``import cpxl`` imports nothing heavy: each twin (and :mod:`cpxl.core`) is
imported on first use (PEP 562), so that the ``cpxl`` command, the worksheet
functions and scripts pay only for what they call. ``from cpxl import elf``,
``dir(cpxl)`` and ``help(cpxl.elf)`` work as if everything were imported.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import core as core
    from .core import (
        BalanceResult,
        BalanceTestResult,
        ComponentsResult,
        CPError,
        CPWarning,
        Flowsheet,
        PortfolioResult,
        ReconcileResult,
        atom_economy,
        balance_closure,
        balance_test,
        cash_flow,
        co2,
        efactor,
        elf,
        grade,
        irr,
        mw,
        npv,
        npvr,
        overall_yield,
        payback,
        pmi,
        portfolio,
        reconcile,
        reconcile_components,
        reduction,
        reuse_rate,
        rme,
        tce,
        weighted_score,
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
    "__version__",
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


#: The version, as in ``pyproject.toml`` (a test keeps the two equal). Written here rather than looked up with
#: ``importlib.metadata``, which costs ``cpxl --version`` half as much again as importing click.
__version__ = "0.1.0"


def _core() -> types.ModuleType:
    """The module :mod:`cpxl.core`, imported as an import statement does (``python -X importtime`` sees it)."""
    __import__(f"{__name__}.core")
    return sys.modules[f"{__name__}.core"]


def __getattr__(name: str) -> Any:
    """Import a twin (from :mod:`cpxl.core`), or ``core`` itself, on first use (PEP 562)."""
    if name == "core":
        value: Any = _core()
    elif name in __all__:
        value = getattr(_core(), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    """The module's attributes, with every public name, imported yet or not."""
    return sorted(set(globals()) | set(__all__) | {"core"})
