"""The cpxl engine: cleaner-production computations with numpy and scipy only.

Nothing here knows that a spreadsheet exists; the worksheet functions, the
workbook builder and the command line are thin layers over these functions.
"""

from .chemistry import atom_economy, mw
from .economics import cash_flow, irr, npv, npvr, payback
from .errors import CPError, CPWarning
from .grading import grade
from .metrics import balance_closure, efactor, elf, pmi, reduction, reuse_rate, rme
from .scoring import weighted_score
from .yields import overall_yield

__all__ = [
    "CPError",
    "CPWarning",
    "atom_economy",
    "balance_closure",
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
    "reduction",
    "reuse_rate",
    "rme",
    "weighted_score",
]
