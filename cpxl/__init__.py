"""cpxl: the cleaner-production audit in the spreadsheet.

Every worksheet function ``CP_NAME`` has a Python twin ``cpxl.name`` with the
same arguments:

>>> import cpxl
>>> cpxl.elf([100, 90, 1000], 50)
22.8
"""

from importlib.metadata import PackageNotFoundError, version

from .core import (
    BalanceResult,
    BalanceTestResult,
    CPError,
    CPWarning,
    Flowsheet,
    ReconcileResult,
    atom_economy,
    balance_closure,
    balance_test,
    cash_flow,
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
    reconcile,
    reduction,
    reuse_rate,
    rme,
    weighted_score,
)

try:
    __version__ = version("cpxl")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "BalanceResult",
    "BalanceTestResult",
    "CPError",
    "CPWarning",
    "Flowsheet",
    "ReconcileResult",
    "__version__",
    "atom_economy",
    "balance_closure",
    "balance_test",
    "cash_flow",
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
    "reconcile",
    "reduction",
    "reuse_rate",
    "rme",
    "weighted_score",
]
