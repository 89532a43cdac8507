"""The audit sheets, stage by stage: what each shows, and every computed cell's formula and cached value.

Cached values come from :mod:`cpxl.core` wherever a core function computes the
quantity; the formula next to it is the native Excel spelling of the same
number, so that the file works with no add-in. The LibreOffice tests recompute
every formula and compare. One module per part of the audit; they share a
:class:`~.context.Context`.
"""

from __future__ import annotations

from ...audit.model import Audit
from ..engine import Book, Sheet
from . import assessment, components, dashboard, energy, history, options, planning, pre_assessment
from .context import Context

__all__ = ["write_audit"]


def write_audit(book: Book, audit: Audit, rows: int = 0) -> Context:
    """Write every sheet of *audit* into *book*, the guide first (it is filled last, once all sheets exist).

    Every list table gets at least *rows* rows (and always its blank template's
    rows, and spare rows after its records). Returns the context: where every table part landed
    (``places``), with its computed columns' cached values.
    """
    ctx = Context(book, audit, rows)
    guide = Sheet(book, "guide")
    planning.team(ctx)
    for write in (
        pre_assessment.company,
        energy.energy,
        history.history,
        pre_assessment.pollutants,
        pre_assessment.wastes,
        history.facilities,
        pre_assessment.benchmark,
        pre_assessment.focus,
        pre_assessment.targets,
        assessment.flowsheet,
        assessment.balance,
        components.components,
        assessment.water,
        assessment.causes,
        options.options,
        options.costs,
        options.feasibility,
        options.implementation,
        options.continuing,
        dashboard.dashboard,
    ):
        write(ctx)
    planning.guide(ctx, guide)
    return ctx
