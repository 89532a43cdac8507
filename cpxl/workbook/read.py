"""Read a filled audit workbook back into an :class:`~cpxl.audit.Audit`, by its defined names.

The reader does not depend on where blocks sit: it follows the defined names the
builder wrote (``company``, ``streams_measured``, ``options_ratings``...), so a
user may insert rows above a table or move it. Every problem is reported with
its sheet and cell.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from ..audit.model import Audit, AuditError, coerce
from ..audit.schema import FIELDS, TABLES, Column
from .labels import choice_code

__all__ = ["read"]


def read(path: str | Path) -> Audit:
    """The audit in a workbook made by :func:`cpxl.workbook.build` and filled in by a user.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file [-]

    Returns
    -------
    audit : Audit
        The audit; ``read(build(audit)) == audit`` [-]

    Raises
    ------
    AuditError
        Listing every problem with its sheet and cell, e.g.
        ``'3 Flowsheet'!D7 (streams[5].measured) must be >= 0, got -3``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.workbook import build
    >>> audit = Audit.example()
    >>> read(build(audit, pathlib.Path(tempfile.mkdtemp()) / "a.xlsx")) == audit
    True
    """
    from .guard import open_workbook

    workbook = open_workbook(path)  # checked and bounded first: see cpxl.workbook.guard
    return _Reader(workbook, str(path)).audit()


class _Reader:
    def __init__(self, workbook: Any, source: str):
        self.wb = workbook
        self.source = source
        self.problems: list[str] = []

    def cells(self, name: str) -> list[list[tuple[str, Any]]] | None:
        """The cells of a defined name as rows of (address, value); None (and a problem) when missing."""
        defined = self.wb.defined_names.get(name)
        if defined is None:
            self.problems.append(f"the defined name {name!r} is missing: was this workbook made by cpxl?")
            return None
        rows: list[list[tuple[str, Any]]] = []
        for sheet_name, ref in defined.destinations:
            ws = self.wb[sheet_name]
            block = ws[ref.replace("$", "")]
            if not isinstance(block, tuple):
                block = ((block,),)
            elif block and not isinstance(block[0], tuple):
                block = (block,)
            for row in block:
                rows.append([(f"'{sheet_name}'!{cell.coordinate}", _plain(cell.value)) for cell in row])
        return rows

    def value(self, where: str, raw: Any, spec: Column | Any, path: str) -> Any:
        place = f"{where} ({path})"
        if spec.kind == "choice" and isinstance(raw, str) and raw.strip():
            code = choice_code(raw, spec.choices)
            if code is None:
                self.problems.append(f"{place} is not one of the choices of its list, got {raw!r}")
                return None
            return code
        return coerce(raw, spec, place, self.problems)

    def audit(self) -> Audit:
        fields: dict[str, Any] = {}
        for spec in FIELDS:
            block = self.cells(spec.key)
            if block:
                where, raw = block[0][0]
                fields[spec.key] = self.value(where, raw, spec, f"fields.{spec.key}")
        tables = {key: self.table(key) for key in TABLES}
        weights = {}
        for key, table in TABLES.items():
            if table.ratings:
                block = self.cells(f"{key}_weights")
                if block:
                    spec = Column("weight", "number", minimum=0)
                    weights[key] = [
                        self.value(where, raw, spec, f"weights.{key}[{j + 1}]")
                        for j, (where, raw) in enumerate(block[0])
                    ]
        if self.problems:
            raise AuditError(self.problems, self.source)
        return Audit.from_dict({"fields": fields, "tables": tables, "weights": weights}, source=self.source)

    def table(self, key: str) -> list[dict[str, Any]]:
        table = TABLES[key]
        columns = {}
        for col in table.columns:
            block = self.cells(f"{key}_{col.key}")
            if block is None:
                return []
            columns[col.key] = [row[0] for row in block]
        ratings = self.cells(f"{key}_ratings") if table.ratings else None
        n = min(len(v) for v in columns.values())
        records = []
        for i in range(n):
            raw = {k: columns[k][i][1] for k in columns}
            raw_ratings = [cell[1] for cell in ratings[i]] if ratings else []
            if all(_blank(v) for v in [*raw.values(), *raw_ratings]):
                continue  # a spare row
            index = len(records) + 1
            record = {
                col.key: self.value(columns[col.key][i][0], raw[col.key], col, f"{key}[{index}].{col.key}")
                for col in table.columns
            }
            if ratings:
                spec = Column("rating", "number", minimum=0)
                record["ratings"] = [
                    self.value(where, value, spec, f"{key}[{index}].ratings[{j + 1}]")
                    for j, (where, value) in enumerate(ratings[i])
                ]
            records.append(record)
        return records


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    """Cell values as the schema reads them: a date typed into a text column becomes its ISO text."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
