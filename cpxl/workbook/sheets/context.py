"""Shared by the sheet writers: the writing context and small helpers."""

from __future__ import annotations

from typing import Any

from ... import core
from ...audit.model import Audit
from ...audit.schema import TABLES
from ..engine import Book, Computed, Placement

TOL = "1E-9"  # slack in threshold comparisons, as in cpxl.core.grading


def num(x: Any) -> float:
    """A blank as 0, as spreadsheet sums count it."""
    return 0.0 if x is None else float(x)


def table_rows(audit: Audit, table: str, at_least: int = 0) -> int:
    """Rows a table gets in the workbook: the blank template's, *at_least*, or its records and spare rows.

    A table that does not grow (the components) always gets its template's rows.

    Examples
    --------
    >>> table_rows(Audit.blank(), "streams"), table_rows(Audit.blank(), "streams", 100)
    (60, 100)
    """
    spec = TABLES[table]
    if not spec.grows:
        return spec.rows
    return max(spec.rows, at_least, len(audit.tables[table]) + spec.spare_rows)


def score_and_rank(ctx: Context, table: str, key: str) -> list[Computed]:
    """Weighted score of a row's ratings (blank until all are given, else cpxl.weighted_score) and its rank."""
    weights = ctx.audit.weights[table]
    n = len(weights)
    rows = ctx.t[table]
    scores = [
        None if any(x is None for x in r["ratings"]) else float(core.weighted_score(weights, [r["ratings"]])[0])
        for r in rows
    ]
    by_id = {id(r): s for r, s in zip(rows, scores, strict=True)}
    return [
        Computed(
            "score",
            f'IF(OR({{{key}}}="",COUNT({{ratings}})<{n}),"",SUMPRODUCT({table}_weights,{{ratings}}))',
            lambda r, v: by_id[id(r)],
            "score",
        ),
        Computed(
            "rank",
            f'IF({{score}}="","",RANK({{score}},{table}_score))',
            lambda r, v: rank(by_id[id(r)], scores),
            "int",
            8,
        ),
    ]


def cell_value(value: Any) -> Any:
    """A cached value as XlsxWriter takes it: blank as empty text."""
    return "" if value is None else value


def rank(score: float | None, scores: list[float | None]) -> int | None:
    """Excel's RANK (descending): 1 + the number of strictly larger scores."""
    if score is None:
        return None
    return 1 + sum(1 for s in scores if s is not None and s > score)


class Context:
    """What the sheet writers share: the book, the audit, where earlier tables landed, and a few helpers."""

    def __init__(self, book: Book, audit: Audit, rows: int = 0):
        self.book = book
        self.audit = audit
        self.min_rows = rows
        self.lang = book.lang
        self.f = audit.fields
        self.t = audit.tables
        self.places: dict[str, Placement] = {}
        products = self.t["products"]
        self.main_output = sum(num(p["output"]) for p in products if p["main"])

    def words(self, key: str) -> str:
        """A word that computed cells show (ok, check, met, ...) in the book's language."""
        return self.book.text(f"word.{key}")

    def q(self, text: str) -> str:
        """A text constant inside a formula."""
        return '"' + text.replace('"', '""') + '"'

    def rows(self, table: str) -> int:
        """Rows the list table *table* gets in this workbook; in a book without room, its records (at least one)."""
        if not self.book.room:
            return max(1, len(self.audit.tables[table]))
        return table_rows(self.audit, table, self.min_rows)

    @property
    def yes(self) -> str:
        """The word of a yes/no cell that means yes, as a formula constant (``"Yes"``, ``"是"``)."""
        return self.q(self.book.yes_no()[0])

    def yes_no(self, value: Any) -> str:
        """A computed yes/no as the cell shows it."""
        return self.book.yes_no()[0 if value else 1]

    def per_main(self, amount: Any) -> Any:
        """*amount* per unit of main product; None when either is missing."""
        if amount is None or self.main_output <= 0:
            return None
        return amount / self.main_output

    def cached(self, name: str) -> Any:
        """The cached value of a named single-cell result written earlier."""
        return self.book.values[name]
