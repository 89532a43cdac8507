"""Collect filled audit workbooks into one table: the one place where many workbooks become rows.

Each workbook is read once, through :func:`cpxl.workbook.examine`, checked from what was read
(:func:`cpxl.batch.check.check_examined`) and dropped before the next is opened, so memory stays flat however
many files there are. Two shapes:

* **wide** (default): one row per workbook (:data:`WIDE_COLUMNS`): the file, who and when (company, industry,
  audit period, mass unit, currency), the key results as the workbook caches them (``result_*``: ELF, PMI,
  E-factor, overall yield, grade, plant closure, units to check, water reuse, options registered, passed and
  implemented, investment, saving, achieved saving, targets met), and the check's status (``ok`` or
  ``flagged``) with the number of flags;
* **long** (``long=True``): one row per record of every list table, with the file and the table's name; the
  columns of all tables side by side (:func:`long_columns`; a column whose name another table uses with another
  type is prefixed with its table, :func:`long_name`), ratings spread as ``rating_<factor>`` as
  :meth:`cpxl.audit.Audit.frame` does, so that ``frame[(frame.file == f) & (frame.table == t)]`` is that
  table of that file.

A file that is not a readable cpxl workbook (corrupt, foreign, encrypted, too large: the guard's reasons) is
skipped and reported with its reason; the others are collected. Files are opened read-only, never written.
Outputs (:func:`write_collection`) are CSV (UTF-8), XLSX (XlsxWriter, constant memory) or Parquet (pyarrow,
the extra ``cpxl[parquet]``), written through :func:`cpxl.io.atomic_write` and streamed in batches of
:data:`BATCH_ROWS` rows. This module imports pandas for :func:`collect` only, and pyarrow for Parquet only.
"""

from __future__ import annotations

import contextlib
import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.schema import TABLES
from ..core.errors import CPError
from .check import check_examined

__all__ = [
    "BATCH_ROWS",
    "OUTPUT_SUFFIXES",
    "WIDE_COLUMNS",
    "Collected",
    "collect",
    "collected_rows",
    "long_columns",
    "long_name",
    "workbook_files",
    "write_collection",
]

#: The wide table's columns: (column, where the value comes from, kind). ``fields.<key>`` is a field of the
#: audit, a ``result_*`` or ``main_output`` name a cached result of the workbook.
WIDE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("file", "file", "text"),
    ("company", "fields.company", "text"),
    ("industry", "fields.industry", "text"),
    ("audit_period", "fields.audit_period", "text"),
    ("mass_unit", "fields.mass_unit", "text"),
    ("currency", "fields.currency", "text"),
    ("main_output", "main_output", "number"),
    ("elf", "result_elf", "number"),
    ("pmi", "result_pmi", "number"),
    ("efactor", "result_efactor", "number"),
    ("overall_yield", "result_overall_yield", "number"),
    ("grade", "result_grade", "number"),
    ("system_closure", "result_system_closure", "number"),
    ("units_to_check", "result_units_to_check", "number"),
    ("water_reuse", "result_water_reuse", "number"),
    ("options", "result_options_count", "number"),
    ("options_passed", "result_options_passed", "number"),
    ("options_done", "result_options_done", "number"),
    ("investment", "result_investment", "number"),
    ("saving", "result_saving", "number"),
    ("achieved_saving", "result_achieved_saving", "number"),
    ("targets_met", "result_targets_met", "number"),
    ("check", "check", "text"),
    ("flags", "flags", "int"),
)

#: What ``-o`` may name.
OUTPUT_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Rows held before they are written (Parquet row groups, and the other writers' batches).
BATCH_ROWS = 5_000
#: Endings of the workbooks found in a folder (a file named on the command line is read whatever its ending).
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _kind(kind: str) -> str:
    return {"choice": "text", "fraction": "number"}.get(kind, kind)


def long_name(table: str, column: str) -> str:
    """The long table's column for *column* of *table*: its own name, unless another table has a column of
    that name and another type (``plan.output`` is text, ``products.output`` a number): then the text one is
    ``<table>_<column>``.

    Examples
    --------
    >>> long_name("products", "output"), long_name("plan", "output"), long_name("plan", "task")
    ('output', 'plan_output', 'task')
    """
    kinds = {_kind(t.column(column).kind) for t in TABLES.values() if column in t.keys}
    own = _kind(TABLES[table].column(column).kind) if column in TABLES[table].keys else "number"
    return f"{table}_{column}" if len(kinds) > 1 and own == "text" else column


def long_columns() -> list[tuple[str, str]]:
    """The long table's columns as (column, kind): file, table, then every table's columns once, in order.

    Examples
    --------
    >>> [c for c, _ in long_columns()][:5]
    ['file', 'table', 'name', 'role', 'department']
    >>> dict(long_columns())["rating_technical"], dict(long_columns())["plan_output"]
    ('number', 'text')
    """
    columns: dict[str, str] = {"file": "text", "table": "text"}
    for key, table in TABLES.items():
        for col in table.columns:
            name, kind = long_name(key, col.key), _kind(col.kind)
            if columns.setdefault(name, kind) != kind:  # one column, one type: a schema change must say how
                raise TypeError(f"the column {name!r} is {columns[name]} in one table and {kind} in another")
        for factor, _ in table.ratings:
            columns.setdefault(f"rating_{factor}", "number")
    return list(columns.items())


@dataclass
class Collected:
    """What :func:`write_collection` did: the files read, the rows written, the flagged and the skipped files.

    ``skipped`` lists (file, reason) for every file that could not be read.
    """

    output: Path | None = None
    files: int = 0
    rows: int = 0
    flagged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def workbook_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to collect: each file named, and every ``.xlsx``/``.xlsm`` in each folder and its subfolders.

    Files in a folder are taken in sorted order, without Excel's lock files (``~$name.xlsx``) and hidden files.
    A path that does not exist is kept: collecting it reports it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", "notes.txt"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in workbook_files([folder])]
    ['a.xlsx', 'b.xlsx']
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in _WORKBOOK_SUFFIXES
                and not p.name.startswith(("~$", "."))
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
        else:
            files.append(path)
    return files


def collected_rows(path: Path, *, long: bool = False, tolerance: float | None = None) -> tuple[list[dict], str]:
    """The rows of one workbook and its check status (``ok`` or ``flagged``).

    Raises
    ------
    AuditError
        When the file is not a readable cpxl workbook (the guard's and the reader's reasons).
    """
    from ..workbook import examine

    found = examine(path)
    report = check_examined(found, tolerance=tolerance)
    source = str(path)
    if long:
        rows: list[dict] = []
        if found.audit is not None:
            kinds = dict(long_columns())
            for key, table in TABLES.items():
                names = {k: long_name(key, k) for k in table.keys} | {
                    f"rating_{f}": f"rating_{f}" for f, _ in table.ratings
                }
                for record in found.audit.frame(key).to_dict("records"):
                    values = {names[k]: _plain(v, kinds[names[k]]) for k, v in record.items()}
                    rows.append({"file": source, "table": key, **values})
        return rows, report.status
    audit, results = found.audit, found.results
    row: dict[str, Any] = {}
    for column, origin, _ in WIDE_COLUMNS:
        if origin == "file":
            value: Any = source
        elif origin == "check":
            value = report.status
        elif origin == "flags":
            value = len(report.flags)
        elif origin.startswith("fields."):
            value = None if audit is None else audit.fields.get(origin.split(".", 1)[1])
        else:
            value = results.get(origin)
            value = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        row[column] = value
    return [row], report.status


def _plain(value: Any, kind: str) -> Any:
    """A value of Audit.frame as a writer takes it: NaN as None, numpy scalars as Python's, whole numbers whole."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _collected_or_reason(path: Path, long: bool, tolerance: float | None) -> tuple[list[dict] | None, str]:
    """(rows, check status) of one workbook, or (None, why it was skipped): what each worker does."""
    try:
        return collected_rows(Path(path), long=long, tolerance=tolerance)
    except CPError as exc:
        return None, "; ".join(getattr(exc, "problems", None) or [exc.detail])
    except Exception as exc:  # one damaged file must not stop a batch of hundreds: report it, go on
        return None, f"cpxl could not read it ({type(exc).__name__}: {exc})"


def _check_jobs(jobs: Any) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise CPError("collect", "jobs", "must be a whole number >= 1", jobs)


def _outcomes(
    files: Iterable[Path], long: bool, tolerance: float | None, jobs: int
) -> Iterator[tuple[Path, tuple[list[dict] | None, str]]]:
    """Each file with its :func:`_collected_or_reason`, in the order of *files*; *jobs* > 1: worker processes.

    The files are handed out a few per worker ahead of the one awaited, so that a progress bar wrapping
    *files* follows the work, and a file whose worker died is skipped with that reason.
    """
    if jobs == 1:
        for path in files:
            yield path, _collected_or_reason(path, long, tolerance)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        waiting: deque = deque()
        for path in files:
            waiting.append((path, pool.submit(_collected_or_reason, path, long, tolerance)))
            if len(waiting) >= 4 * jobs:
                yield _awaited(*waiting.popleft())
        while waiting:
            yield _awaited(*waiting.popleft())


def _awaited(path: Path, future: Any) -> tuple[Path, tuple[list[dict] | None, str]]:
    try:
        return path, future.result()
    except Exception as exc:  # the worker process died (killed, out of memory): this file is skipped, named
        return path, (None, f"the process reading it stopped ({type(exc).__name__}: {exc})")


def _rows(
    files: Iterable[Path], long: bool, tolerance: float | None, done: Collected, jobs: int = 1
) -> Iterator[dict[str, Any]]:
    """Every row of every readable file, in the order of *files*; unreadable files go to ``done.skipped``."""
    for path, (rows, status) in _outcomes(files, long, tolerance, jobs):
        if rows is None:
            done.skipped.append((str(path), status))
            continue
        done.files += 1
        done.flagged += status == "flagged"
        done.rows += len(rows)
        yield from rows


def collect(
    paths: str | Path | Iterable[str | Path], *, long: bool = False, tolerance: float | None = None, jobs: int = 1
) -> Any:
    """Filled audit workbooks (files, or folders of them) as one pandas DataFrame.

    Parameters
    ----------
    paths : str, Path, or iterable of them
        Workbook files and folders (every ``.xlsx``/``.xlsm`` inside, subfolders included) [-]
    long : bool, optional
        One row per record of every list table (columns :func:`long_columns`) instead of one row per
        workbook (:data:`WIDE_COLUMNS`) [-]
    tolerance : float, optional
        The closure tolerance of the check (see :func:`cpxl.batch.check`); default each audit's own [-]
    jobs : int, optional
        Worker processes reading the files (the rows keep the order of the files); on Windows and macOS a
        script calling this with ``jobs > 1`` must guard its top level with ``if __name__ == "__main__":`` [-]

    Returns
    -------
    frame : pandas.DataFrame
        The rows; ``frame.attrs["skipped"]`` lists ``{"file", "reason"}`` for each file not read [-]

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.audit import Audit
    >>> from cpxl.workbook import build
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = build(Audit.example(), folder / "plant.xlsx")
    >>> _ = (folder / "notes.xlsx").write_text("not a workbook")
    >>> frame = collect(folder)
    >>> frame[["elf", "grade", "check", "flags"]].to_dict("records")
    [{'elf': 0.2765, 'grade': 3.0, 'check': 'flagged', 'flags': 2}]
    >>> frame.attrs["skipped"][0]["reason"]
    'not an .xlsx workbook: the file is text (CSV or plain text): open it in Excel and save it as .xlsx'
    >>> int((collect(folder, long=True).table == "streams").sum())
    15
    """
    import pandas as pd

    _check_jobs(jobs)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    done = Collected()
    columns = [c for c, _ in long_columns()] if long else [c for c, _, _ in WIDE_COLUMNS]
    frame = pd.DataFrame(list(_rows(workbook_files(paths), long, tolerance, done, jobs)), columns=columns)
    frame.attrs["skipped"] = [{"file": f, "reason": r} for f, r in done.skipped]
    return frame


def write_collection(
    files: Iterable[Path],
    output: str | Path,
    *,
    long: bool = False,
    tolerance: float | None = None,
    overwrite: bool = False,
    jobs: int = 1,
) -> Collected:
    """Collect *files* (see :func:`workbook_files`) into *output*, streamed, written whole or not at all.

    Parameters
    ----------
    files : iterable of Path
        The workbooks, read one at a time (a progress bar may wrap the iterable) [-]
    output : str or Path
        ``.csv`` (UTF-8), ``.xlsx`` or ``.parquet`` (needs pyarrow: ``pip install 'cpxl[parquet]'``) [-]
    long : bool, optional
        The long table instead of the wide one (see :func:`collect`) [-]
    tolerance : float, optional
        The closure tolerance of the check; default each audit's own [-]
    overwrite : bool, optional
        Replace an existing *output* [-]
    jobs : int, optional
        Worker processes reading the files (see :func:`collect`) [-]

    Returns
    -------
    collected : Collected
        Files read, rows written, files flagged, files skipped with their reasons [-]

    Raises
    ------
    CPError
        For an ending other than .csv, .xlsx, .parquet, an existing *output* without *overwrite*, a
        folder that does not exist, or Parquet without pyarrow; nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.audit import Audit
    >>> from cpxl.workbook import build
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> plant = build(Audit.example(), folder / "plant.xlsx")
    >>> done = write_collection([plant], folder / "all.csv")
    >>> done.files, done.rows, done.skipped
    (1, 1, [])
    """
    from ..io import atomic_write

    _check_jobs(jobs)
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise CPError("collect", "output", "must end in .csv, .xlsx or .parquet", str(output))
    if suffix == ".parquet":
        _pyarrow()
    columns = long_columns() if long else [(c, kind) for c, _, kind in WIDE_COLUMNS]
    done = Collected(output)
    with atomic_write(output, overwrite=overwrite) as tmp:
        writer = {".csv": _Csv, ".xlsx": _Xlsx, ".parquet": _Parquet}[suffix](tmp, columns, long)
        with contextlib.closing(writer):
            batch: list[dict[str, Any]] = []
            for row in _rows(files, long, tolerance, done, jobs):
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    writer.write(batch)
                    batch = []
            writer.write(batch)
    return done


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise CPError(
            "collect", "output", "is .parquet, which needs pyarrow: pip install 'cpxl[parquet]' (or write .csv, .xlsx)"
        ) from None
    return pyarrow


class _Csv:
    """CSV in UTF-8, one header line; a blank is an empty field, TRUE/FALSE as Python writes them."""

    def __init__(self, path: Path, columns: list[tuple[str, str]], long: bool):
        self.handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self.writer = csv.DictWriter(self.handle, [c for c, _ in columns])
        self.writer.writeheader()

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.writer.writerows(rows)

    def close(self) -> None:
        self.handle.close()


class _Xlsx:
    """One sheet (``audits``, or ``records`` for the long table), written row by row in constant memory."""

    def __init__(self, path: Path, columns: list[tuple[str, str]], long: bool):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        self.sheet = self.book.add_worksheet("records" if long else "audits")
        self.columns = [c for c, _ in columns]
        bold = self.book.add_format({"bold": True})
        for j, column in enumerate(self.columns):
            self.sheet.write_string(0, j, column, bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write(self, rows: list[dict[str, Any]]) -> None:
        for record in rows:
            for j, column in enumerate(self.columns):
                value = record.get(column)
                if value is None:
                    continue
                if isinstance(value, bool):
                    self.sheet.write_boolean(self.row, j, value)
                elif isinstance(value, (int, float)):
                    self.sheet.write_number(self.row, j, value)
                else:
                    self.sheet.write_string(self.row, j, str(value))
            self.row += 1

    def close(self) -> None:
        self.book.close()


class _Parquet:
    """Parquet with a fixed schema (text, float64, int64, bool; all nullable), one row group per batch."""

    def __init__(self, path: Path, columns: list[tuple[str, str]], long: bool):
        pa = _pyarrow()
        types = {"text": pa.string(), "number": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}
        self.pa = pa
        self.schema = pa.schema([(c, types[kind]) for c, kind in columns])
        self.writer = pa.parquet.ParquetWriter(str(path), self.schema)

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.writer.write_table(self.pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
