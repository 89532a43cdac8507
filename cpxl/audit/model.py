"""The audit object: one plant's audit data, validated against the schema, in and out of YAML, JSON and pandas."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import CPError
from ..core.flowsheet import Flowsheet
from .schema import FIELDS, SCHEMA_VERSION, TABLES, Column, Field, Table

__all__ = ["Audit", "AuditError"]

_TRUE_WORDS = {"true", "yes", "y", "1", "是", "√", "x"}
_FALSE_WORDS = {"false", "no", "n", "0", "否"}


class AuditError(CPError):
    """An audit that does not fit the schema; lists every problem with where it is.

    ``problems`` holds one line per problem, each starting with its place:
    ``streams[3].measured must be >= 0, got -5`` or, from a workbook,
    ``sheet 'Streams' D12 (streams[3].measured) must be >= 0, got -5``.
    """

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        head = f"{where}{len(problems)} problem{'s' if len(problems) != 1 else ''} in the audit"
        super().__init__("audit", "", head)
        self.args = (self.detail,)

    @property
    def detail(self) -> str:  # type: ignore[override]
        where = f"{self.source}: " if self.source else ""
        lines = [f"{where}{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} in the audit:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.detail


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def coerce(value: Any, spec: Column | Field, where: str, problems: list[str]) -> Any:
    """One cell's value as the schema wants it (None for blank); appends to *problems* when it cannot.

    Examples
    --------
    >>> from cpxl.audit.schema import Column
    >>> problems = []
    >>> coerce("12.5", Column("amount", "number"), "x", problems), coerce("yes", Column("main", "bool"), "y", problems)
    (12.5, True)
    >>> coerce(-1, Column("amount", "number", minimum=0), "consumption[1].amount", problems), problems
    (None, ['consumption[1].amount must be >= 0, got -1'])
    """
    if _blank(value):
        return None
    kind = spec.kind
    if kind in ("number", "fraction", "int"):
        number: float | None = None
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", ""))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            problems.append(f"{where} must be a number, got {_show(value)}")
            return None
        if spec.minimum is not None and number < spec.minimum:
            problems.append(f"{where} must be >= {spec.minimum:g}, got {number:g}")
            return None
        if kind == "fraction" and number > 1:
            problems.append(f"{where} must be a fraction (90 % is 0.9), got {number:g}")
            return None
        if kind == "int":
            if not number.is_integer():
                problems.append(f"{where} must be a whole number, got {number:g}")
                return None
            return int(number)
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, numbers.Real) and float(value) in (0.0, 1.0):
            return bool(value)
        word = str(value).strip().lower()
        if word in _TRUE_WORDS | _FALSE_WORDS:
            return word in _TRUE_WORDS
        problems.append(f"{where} must be TRUE or FALSE, got {_show(value)}")
        return None
    text = str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    if kind == "choice":
        choices = getattr(spec, "choices", ())
        if text not in choices:
            problems.append(f"{where} must be one of {', '.join(choices)}, got {_show(value)}")
            return None
    return text


@dataclass
class Audit:
    """One plant's cleaner-production audit: scalar fields, list tables and the weights of the scoring factors.

    The same audit is spelled four ways: this object, a YAML/JSON file
    (:meth:`load`, :meth:`save`), a filled workbook (:func:`cpxl.workbook.build`,
    :func:`cpxl.workbook.read`) and a row of a table (``cpxl batch``).

    Examples
    --------
    >>> audit = Audit.from_dict({"fields": {"company": "Example Co."},
    ...                          "tables": {"products": [{"name": "Resin", "output": 2000, "main": True}]}})
    >>> audit.fields["company"], audit.tables["products"][0]["output"], audit.fields["discount_rate"]
    ('Example Co.', 2000.0, 0.08)
    """

    fields: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    weights: dict[str, list[float]] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    # --- construction -------------------------------------------------------------------------------

    @classmethod
    def blank(cls) -> Audit:
        """An audit with every field at its default and every table empty."""
        return cls.from_dict({})

    @classmethod
    def example(cls, lang: str = "en") -> Audit:
        """The worked example: a fine-chemicals plant whose numbers agree, its text in *lang* (``en``/``zh``)."""
        from .example import example_data

        return cls.from_dict(example_data(lang))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "") -> Audit:
        """Build and validate an audit from plain data; raise :class:`AuditError` listing every problem."""
        problems: list[str] = []
        if not isinstance(data, dict):
            raise AuditError([f"the audit must be a mapping with fields and tables, got {type(data).__name__}"], source)
        unknown = set(data) - {"schema_version", "fields", "tables", "weights"}
        problems += [f"{key} is not part of the audit (expected fields, tables, weights)" for key in sorted(unknown)]
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            problems.append(f"schema_version must be {SCHEMA_VERSION}, got {_show(version)}")

        raw_fields = data.get("fields") or {}
        known = {f.key: f for f in FIELDS}
        problems += [f"fields.{key} is not a field of the audit" for key in sorted(set(raw_fields) - set(known))]
        fields = {}
        for spec in FIELDS:
            value = coerce(raw_fields.get(spec.key), spec, f"fields.{spec.key}", problems)
            fields[spec.key] = spec.default if value is None else value

        raw_tables = data.get("tables") or {}
        problems += [f"tables.{key} is not a table of the audit" for key in sorted(set(raw_tables) - set(TABLES))]
        tables = {key: _records(table, raw_tables.get(key) or [], problems) for key, table in TABLES.items()}

        raw_weights = data.get("weights") or {}
        weights = {}
        for key, table in TABLES.items():
            if not table.ratings:
                continue
            given = raw_weights.get(key)
            defaults = [w for _, w in table.ratings]
            if given is None:
                weights[key] = defaults
                continue
            if not isinstance(given, (list, tuple)) or len(given) != len(defaults):
                problems.append(f"weights.{key} must list {len(defaults)} weights, got {_show(given)}")
                weights[key] = defaults
                continue
            spec = Column("weight", "number", minimum=0)
            values = [coerce(w, spec, f"weights.{key}[{i + 1}]", problems) for i, w in enumerate(given)]
            weights[key] = [d if v is None else v for v, d in zip(values, defaults, strict=True)]

        audit = cls(fields=fields, tables=tables, weights=weights)
        problems += audit._consistency_problems()
        if problems:
            raise AuditError(problems, source)
        return audit

    def _consistency_problems(self) -> list[str]:
        """Checks across records: the stream table is a flowsheet, ids are unique, weights sum to 1."""
        problems: list[str] = []
        streams = self.tables["streams"]
        if streams:
            try:
                Flowsheet.from_streams(
                    [s["source"] for s in streams], [s["target"] for s in streams], [s["name"] for s in streams]
                )
            except CPError as exc:
                problems.append(f"streams: {exc.detail}")
        for key, column in (("options", "id"), ("units", "name"), ("products", "name")):
            seen: dict[Any, int] = {}
            for i, record in enumerate(self.tables[key], start=1):
                if record[column] in seen:
                    problems.append(f"{key}[{i}].{column} repeats {key}[{seen[record[column]]}]: {record[column]!r}")
                seen.setdefault(record[column], i)
        mains = [i for i, p in enumerate(self.tables["products"], start=1) if p["main"]]
        if len(mains) > 1:
            problems.append(f"products: only one product can be the main one, got rows {mains}")
        weights = [r["weight"] for r in self.tables["indicators"] if r["weight"] is not None]
        if weights and abs(sum(weights) - 1) > 1e-6:
            problems.append(f"indicators: weights must sum to 1 (give 20 % as 0.2), got {sum(weights):g}")
        return problems

    # --- reading and writing files ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON/YAML-ready) that :meth:`from_dict` reads back to an equal audit."""
        return {
            "schema_version": self.schema_version,
            "fields": dict(self.fields),
            "weights": {k: list(v) for k, v in self.weights.items()},
            "tables": {k: [dict(r) for r in v] for k, v in self.tables.items() if v},
        }

    @classmethod
    def load(cls, path: str | Path) -> Audit:
        """Read an audit from a ``.yaml``/``.yml`` or ``.json`` file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AuditError([f"cannot read the file: {exc.strerror}"], str(path)) from None
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AuditError(
                    [f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"], str(path)
                ) from None
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(text) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
                raise AuditError([f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"], str(path)) from None
        else:
            raise AuditError([f"unknown file type {path.suffix!r}: use .yaml, .yml or .json"], str(path))
        return cls.from_dict(data, source=str(path))

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the audit to ``.yaml``/``.yml`` or ``.json``; an existing file is kept unless *overwrite*."""
        from ..io import atomic_write

        path = Path(path)
        data = self.to_dict()
        if path.suffix.lower() == ".json":
            text = json.dumps(data, ensure_ascii=False, indent=2)
        elif path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        else:
            raise AuditError([f"unknown file type {path.suffix!r}: use .yaml, .yml or .json"], str(path))
        with atomic_write(path, overwrite=overwrite) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return path

    # --- pandas -------------------------------------------------------------------------------------

    def frame(self, table: str) -> Any:
        """The table *table* as a pandas DataFrame (one column per schema column, ratings spread out)."""
        import pandas as pd

        spec = TABLES[table]
        rows = []
        for record in self.tables[table]:
            row = {k: record.get(k) for k in spec.keys}
            for (factor, _), rating in zip(spec.ratings, record.get("ratings") or [], strict=False):
                row[f"rating_{factor}"] = rating
            rows.append(row)
        columns = list(spec.keys) + [f"rating_{f}" for f, _ in spec.ratings]
        return pd.DataFrame(rows, columns=columns)


def _records(table: Table, rows: Any, problems: list[str]) -> list[dict[str, Any]]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        rows = rows.to_dict("records")
    if not isinstance(rows, list):
        problems.append(f"tables.{table.key} must be a list of records, got {type(rows).__name__}")
        return []
    records = []
    for i, row in enumerate(rows, start=1):
        where = f"{table.key}[{i}]"
        if not isinstance(row, dict):
            problems.append(f"{where} must be a record (a mapping), got {_show(row)}")
            continue
        allowed = set(table.keys) | ({"ratings"} if table.ratings else set())
        problems += [f"{where}.{key} is not a column of {table.key}" for key in sorted(set(row) - allowed)]
        record = {col.key: coerce(row.get(col.key), col, f"{where}.{col.key}", problems) for col in table.columns}
        for col in table.columns:
            missing = col.required and record[col.key] is None and not _blank_row(row, table)
            if missing and not any(f"{where}.{col.key} " in p for p in problems):
                problems.append(f"{where}.{col.key} is required")
        if table.ratings:
            record["ratings"] = _ratings(row.get("ratings"), len(table.ratings), where, problems)
        if _blank_row(record, table):
            continue  # a wholly blank row is a spare row, not a record
        records.append(record)
    return records


def _ratings(given: Any, count: int, where: str, problems: list[str]) -> list[float | None]:
    if given is None:
        return [None] * count
    if not isinstance(given, (list, tuple)) or len(given) != count:
        problems.append(f"{where}.ratings must list {count} ratings, got {_show(given)}")
        return [None] * count
    spec = Column("rating", "number", minimum=0)
    return [coerce(r, spec, f"{where}.ratings[{k + 1}]", problems) for k, r in enumerate(given)]


def _blank_row(row: dict[str, Any], table: Table) -> bool:
    cells = [row.get(k) for k in table.keys] + list(row.get("ratings") or [])
    return all(_blank(v) for v in cells)
