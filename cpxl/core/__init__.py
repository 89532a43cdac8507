"""The cpxl engine: cleaner-production computations with numpy and scipy only.

Nothing here knows that a spreadsheet exists; the worksheet functions, the
workbook builder and the command line are thin layers over these functions.
"""

from .chemistry import atom_economy, mw
from .economics import cash_flow, irr, npv, npvr, payback
from .errors import CPError, CPWarning
from .flowsheet import BalanceResult, Flowsheet
from .grading import grade
from .metrics import balance_closure, efactor, elf, pmi, reduction, reuse_rate, rme
from .reconcile import BalanceTestResult, ReconcileResult, balance_test, reconcile
from .scoring import weighted_score
from .yields import overall_yield

__all__ = [
    "BalanceResult",
    "BalanceTestResult",
    "CPError",
    "CPWarning",
    "Flowsheet",
    "ReconcileResult",
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
