"""Check a filled audit: the one place that decides what an auditor or a reviewer must look at in an audit.

:func:`check` takes a workbook (read through :func:`cpxl.workbook.examine`, which reports every problem of the
file itself), an audit file (``.yaml``/``.yml``/``.json``, through :meth:`cpxl.audit.Audit.load`) or an
:class:`~cpxl.audit.Audit`, and returns a :class:`CheckReport`: one :class:`Finding` per thing to look at, each
with its kind, its severity, where it is (sheet and cell in a workbook, the field path in an audit file) and a
message that says what to do. What is checked, in order (the kinds are listed in :data:`KINDS`):

* the file: bad cells, cells typed below a table, broken names, formulas replaced by values (examine's
  problems), and every cached named result (``result_*``, ``main_output``) that contradicts what its own rows
  give, which is how a hand-typed total shows up;
* the required fields (:data:`REQUIRED`): company, industry, audit period, a main product with its output, a
  stream table (the material balance), an indicator table (the grade);
* the material balance: every unit whose closure is beyond the tolerance (the audit's ``closure_tolerance``,
  5 % by default, or the one given), with its cell on ``3 Material balance``, and the plant's closure;
* the reconciliation (:func:`cpxl.core.reconcile`, DOMAIN §3): its global χ² test and the suspect streams;
* the components (``3 Component balance``): every unit whose balance of a component is beyond the tolerance,
  and the reconciliation of flows and contents together (:func:`cpxl.core.reconcile_components`): its global
  test, the suspect measurements and reconciled values out of their bounds;
* the economics of every option that is implemented (status done or in progress) or recommended (passes the
  screening), with I and P from its breakdown where one is given: NPV < 0, a payback beyond its life, an IRR
  below the discount rate, no economics at all, or a typed investment or saving that its breakdown contradicts;
* the waste streams (``2 Waste streams``): a hazardous waste with no route, or one discharged;
* targets missed;
* the environmental facilities (``2 Facilities``): one running above its design capacity or whose outlet is
  above its inlet, and (as information) one running below the audit's ``low_running_rate``;
* a negative ELF (an input is missing), and the grade (0 = not attained, or none).

The numbers are the workbook's own: the cached results a file should hold are those its builder computes for
the same audit (:func:`cpxl.workbook.sheets.write_audit`, run without writing a file, about 50 ms), and the
per-unit balance is the balance sheet's own (:func:`cpxl.workbook.sheets.assessment.unit_results`). This module
imports :mod:`cpxl.core`, :mod:`cpxl.audit` and :mod:`cpxl.workbook`; pandas only in
:meth:`CheckReport.to_frame`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import core
from ..audit import option_costs
from ..audit.model import Audit, AuditError, AuditFileError
from ..core.errors import CPError

__all__ = ["KINDS", "REQUIRED", "SEVERITIES", "CheckReport", "Finding", "check"]

#: Severities, most serious first: ``error`` (the file or the data is wrong), ``warning`` (the audit says
#: something that must be looked at), ``info`` (reported, not flagged).
SEVERITIES = ("error", "warning", "info")

#: Every kind of finding and what it means.
KINDS = {
    "unreadable": "the file cannot be read as an audit (not a workbook, encrypted, damaged, too large...)",
    "bad_cell": "a cell or value that does not fit the schema (text where a number goes, a wrong choice...)",
    "typed_below": "a cell typed below a table, where no formula sees it",
    "structure": "a broken, deleted or moved defined name, merged cells, rows inserted on one sheet only",
    "formula_replaced": "a computed cell that holds a typed value instead of its formula",
    "total_contradicts": "a cached result that its own rows contradict (a typed-over total, or not recalculated)",
    "not_calculated": "results that hold no value: the file was saved by a program that does not calculate",
    "missing": "a required field or table is empty",
    "unit_balance": "a unit operation's balance (Σ in − Σ out − Δ stock) / Σ in",
    "plant_balance": "the whole plant's balance over the system boundary",
    "reconciliation": "the reconciliation's global χ² test (DOMAIN §3)",
    "suspect_stream": "a measured stream the measurement test suspects of a gross error (largest |z|)",
    "component_balance": "a unit's balance of a component (Σ in − Σ out) / Σ in, on the component sheet",
    "component_reconciliation": "the reconciliation of flows and contents together: its global test, the "
    "suspect measurements, reconciled values out of bounds",
    "economics": "an implemented or recommended option that does not pay: NPV < 0, payback beyond its life, "
    "IRR below the discount rate, or no economics",
    "waste": "a hazardous waste (a class of the national list) with no treatment or disposal route, or discharged",
    "target": "a near-term target missed",
    "facility": "an environmental facility running above its design capacity or with its outlet above its inlet, "
    "or (information) below the low running rate",
    "metric": "a key metric that says an input is missing (a negative ELF)",
    "grade": "the grade by the indicator system (0 = not attained)",
}

#: What an audit must give, as (what, defined name of its cell, in words): checked by :func:`check`.
REQUIRED = (
    ("fields.company", "company", "the company"),
    ("fields.industry", "industry", "the industry"),
    ("fields.audit_period", "audit_period", "the audit period"),
    ("products", "main_output", "a main product with its output (> 0)"),
    ("streams", "streams_name", "the stream table (the material balance)"),
    ("indicators", "indicators_name", "the indicator table (the grade)"),
)

_AUDIT_SUFFIXES = (".yaml", ".yml", ".json")
_NOT_COMPARED = {"result_outside"}  # counts typed-below cells, which examine reports one by one


@dataclass(frozen=True)
class Finding:
    """One thing to look at: what kind, how serious, where, and a message that says what to do.

    ``sheet`` and ``cell`` (e.g. ``'3 Material balance'``, ``F13``) are given for a workbook when the place
    is known; ``path`` is the place in the audit's data (``units[2]``, ``options[3]``, ``fields.company``).
    """

    kind: str
    severity: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None

    @property
    def where(self) -> str:
        """The place in words: ``'3 Material balance'!F13 (units[2])``, ``units[2]``, or empty."""
        cell = f"'{self.sheet}'!{self.cell}" if self.sheet and self.cell else f"'{self.sheet}'" if self.sheet else ""
        if cell and self.path:
            return f"{cell} ({self.path})"
        return cell or self.path or ""

    @property
    def flagged(self) -> bool:
        """Whether this finding flags the audit (an error or a warning)."""
        return self.severity != "info"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "path": self.path,
            "message": self.message,
        }


@dataclass
class CheckReport:
    """What :func:`check` found in one workbook, audit file or audit.

    ``findings`` are in the order of the checks (the file, required fields, balances, reconciliation,
    economics, targets, grade); ``readable`` is False when the file could not be read at all (then the one
    finding says why).
    """

    source: str
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True

    @property
    def flagged(self) -> bool:
        """Whether anything is flagged (an error or a warning): ``cpxl check`` exits 1 then."""
        return any(f.flagged for f in self.findings)

    @property
    def flags(self) -> list[Finding]:
        """The findings that flag the audit (errors and warnings), without the information."""
        return [f for f in self.findings if f.flagged]

    @property
    def status(self) -> str:
        """``unreadable``, ``flagged`` or ``ok``."""
        return "unreadable" if not self.readable else "flagged" if self.flagged else "ok"

    def of_kind(self, kind: str) -> list[Finding]:
        """The findings of one kind (see :data:`KINDS`)."""
        return [f for f in self.findings if f.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): the file, its status, the number of flags, and every finding."""
        return {
            "file": self.source,
            "status": self.status,
            "flags": len(self.flags),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_frame(self) -> Any:
        """One row per finding as a pandas DataFrame: file, severity, kind, sheet, cell, path, message."""
        import pandas as pd

        columns = ["file", "severity", "kind", "sheet", "cell", "path", "message"]
        return pd.DataFrame([{"file": self.source, **f.to_dict()} for f in self.findings], columns=columns)

    def __str__(self) -> str:
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}
        shown = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        lines = [f"{self.source}: {self.status}" + (f" ({shown})" if shown else "")]
        for f in self.findings:
            where = f.where
            lines.append(f"  {f.severity:<8}{f.kind:<25}{where + ': ' if where else ''}{f.message}")
        return "\n".join(lines)


def check(path_or_audit: str | Path | Audit, *, tolerance: float | None = None) -> CheckReport:
    """What an auditor or a reviewer must look at in a filled workbook, an audit file or an audit.

    Nothing is raised for a problem in the file: a file that cannot be read gives a report with
    ``readable=False`` and one ``unreadable`` finding that says why.

    Parameters
    ----------
    path_or_audit : str, Path or Audit
        A workbook (``.xlsx``; any other ending is opened as one, its content decides), an audit file
        (``.yaml``, ``.yml``, ``.json``) or an :class:`~cpxl.audit.Audit` [-]
    tolerance : float, optional
        Largest acceptable |closure| of a unit's and the plant's balance, as a fraction (5 % is 0.05);
        default: the audit's ``closure_tolerance`` [-]

    Returns
    -------
    report : CheckReport
        Every finding with its kind, severity, place and message; ``.flagged``, ``.to_frame()``,
        ``.to_dict()`` [-]

    Raises
    ------
    CPError
        When *tolerance* is not a number ≥ 0, or *path_or_audit* is neither a path nor an audit.

    Examples
    --------
    >>> from cpxl.audit import Audit
    >>> report = check(Audit.example())
    >>> report.status, [(f.kind, f.path) for f in report.flags]
    ('flagged', [('target', 'targets[1]'), ('target', 'targets[4]')])
    >>> print(report.of_kind("grade")[0].message)
    grade 3 by the indicator system (Y_I 10, Y_II 75, Y_III 100)
    >>> check(Audit.example(), tolerance=0.005).of_kind("unit_balance")[-1].message
    "unit 'Solvent recovery' does not close: (in − out − Δstock) / in = +2.25 %, beyond ±0.5 %"
    """
    if tolerance is not None and (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not math.isfinite(tolerance)
        or tolerance < 0
    ):
        raise CPError("check", "tolerance", "must be a fraction >= 0 (5 % is 0.05)", tolerance)
    if isinstance(path_or_audit, Audit):
        return CheckReport("<audit>", _audit_findings(path_or_audit, "en", tolerance))
    if not isinstance(path_or_audit, (str, Path)):
        raise CPError("check", "path_or_audit", "must be a file path or an Audit", type(path_or_audit).__name__)
    path = Path(path_or_audit)
    if path.suffix.lower() in _AUDIT_SUFFIXES:
        try:
            audit = Audit.load(path)
        except AuditFileError as exc:
            return unreadable(str(path), "; ".join(exc.problems))
        except AuditError as exc:
            return CheckReport(str(path), [_audit_problem(p) for p in exc.problems])
        return CheckReport(str(path), _audit_findings(audit, "en", tolerance))
    from ..workbook import examine

    try:
        found = examine(path)
    except CPError as exc:
        return unreadable(str(path), "; ".join(getattr(exc, "problems", None) or [exc.detail]))
    return check_examined(found, tolerance=tolerance)


def unreadable(source: str, reason: str) -> CheckReport:
    """The report of a file that cannot be read: one ``unreadable`` error that says why."""
    return CheckReport(source, [Finding("unreadable", "error", reason)], readable=False)


def check_examined(found: Any, *, tolerance: float | None = None) -> CheckReport:
    """:func:`check` of a workbook already examined (:class:`cpxl.workbook.read.Examined`), not read again.

    ``cpxl collect`` examines each file once and checks it from here.
    """
    findings = [_workbook_problem(p) for p in found.problems]
    if found.audit is not None:
        findings += _audit_findings(found.audit, found.lang, tolerance, found)
    return CheckReport(found.source, findings)


# --- the file's own problems ----------------------------------------------------------------------------------


def _workbook_problem(problem: Any) -> Finding:
    """One of examine's problems (a :class:`cpxl.workbook.read.Problem`) as a finding at its sheet and cell."""
    message = str(problem)
    prefix = f"'{problem.sheet}'!{problem.cell}" if problem.sheet and problem.cell else None
    if prefix and message.startswith(prefix):
        message = message[len(prefix) :].lstrip(" :")
    elif problem.sheet and message.startswith(f"'{problem.sheet}':"):
        message = message[len(problem.sheet) + 3 :].lstrip()
    if problem.path and message.startswith(f"({problem.path})"):
        message = message[len(problem.path) + 2 :].lstrip()
    kind = "structure" if problem.kind == "inconsistent" else problem.kind
    return Finding(kind, "error", message, problem.sheet, problem.cell, problem.path)


def _audit_problem(problem: str) -> Finding:
    """A problem of an audit file's data as a finding at its field path (the message's first word)."""
    head = problem.split(" ", 1)[0].rstrip(":")
    path = head if re.fullmatch(r"[\w.\[\]]+", head) else None
    return Finding("bad_cell", "error", problem, path=path)


# --- where things are in the workbook ---------------------------------------------------------------------------

_REF = re.compile(r"^'((?:[^']|'')+)'!\$?([A-Z]{1,3})\$?(\d+)")


class _Places:
    """The sheet and cell of a named result, or of a table's record in one of its columns.

    From the reader's areas when it gives them (``Examined.areas``: name → (sheet, first row, first column,
    last row, last column), and ``Examined.rows``: table → the 0-based row of each record in the table);
    otherwise from where the builder puts the same audit (the layout of a workbook as cpxl wrote it, records
    in their first rows).
    """

    def __init__(self, names: dict[str, str], found: Any = None):
        self.areas: dict[str, tuple[str, int, int]] = {}  # name -> (sheet, first row, first column), 1-based
        for name, ref in names.items():
            match = _REF.match(ref)
            if match:
                self.areas[name] = (match.group(1).replace("''", "'"), int(match.group(3)), _column(match.group(2)))
        self.rows: dict[str, list[int]] = {}
        self.workbook = found is not None
        given = getattr(found, "areas", None)
        if isinstance(given, dict):
            self.areas.update({name: (a[0], a[1], a[2]) for name, a in given.items()})
        rows = getattr(found, "rows", None)
        if isinstance(rows, dict):
            self.rows = rows

    def at(self, name: str, index: int | None = None) -> tuple[str | None, str | None]:
        """(sheet, cell) of the name's cell, or of record *index* (0-based) of a table column's name."""
        if not self.workbook or name not in self.areas:
            return None, None
        sheet, row, col = self.areas[name]
        if index is not None:
            table = name.split("_", 1)[0]
            offsets = self.rows.get(table)
            row += offsets[index] if offsets is not None and index < len(offsets) else index
        from ..workbook.engine import col_letter

        return sheet, f"{col_letter(col - 1)}{row}"

    def finding(
        self, kind: str, severity: str, message: str, name: str, index: int | None = None, path: str | None = None
    ) -> Finding:
        """A finding placed at the cell of *name* (and record *index*)."""
        sheet, cell = self.at(name, index)
        return Finding(kind, severity, message, sheet, cell, path)

    def on_sheet(self, kind: str, severity: str, message: str, name: str, path: str | None = None) -> Finding:
        """A finding about a whole table: on the sheet of *name*, no one cell."""
        sheet, _ = self.at(name)
        return Finding(kind, severity, message, sheet, None, path)


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _dry_build(audit: Audit, lang: str) -> Any:
    """The builder's book for *audit*, no file written: its cached results (``values``) and names.

    Tables hold only their records (no room to grow): the results are the same, and the names' first cells,
    which place findings, are where a workbook built from *audit* has them.
    """
    from ..workbook.engine import Book
    from ..workbook.sheets import write_audit

    units = {"mass": audit.fields.get("mass_unit") or "", "money": audit.fields.get("currency") or ""}
    book = Book(None, lang, units)  # dry: computed, not written
    write_audit(book, audit)
    return book


# --- the audit ------------------------------------------------------------------------------------------------


def _audit_findings(audit: Audit, lang: str, tolerance: float | None, found: Any = None) -> list[Finding]:
    """Every finding about the audit itself; with *found*, its cached results are compared as well."""
    book = _dry_build(audit, lang)
    places = _Places(book.names, found)
    findings: list[Finding] = []
    if found is not None:
        findings += _totals(found.results, book.values, places)
    findings += _required(audit, book.values, places)
    tol = audit.fields["closure_tolerance"] if tolerance is None else float(tolerance)
    findings += _balances(audit, book, tol, places)
    findings += _reconciliation(audit, places)
    findings += _component_balances(audit, book, tol, places)
    findings += _component_reconciliation(audit, places)
    findings += _economics(audit, places)
    findings += _wastes(audit, places)
    findings += _targets(audit, places)
    findings += _facilities(audit, places)
    findings += _metrics_and_grade(book.values, places)
    return findings


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(cached: Any, expected: Any) -> bool:
    """Whether a cached value is what cpxl computes: blanks alike, numbers within rounding, text alike."""
    blank_cached, blank_expected = _blank(cached), _blank(expected)
    if blank_cached or blank_expected:
        return blank_cached and blank_expected
    number = (int, float)
    if isinstance(cached, number) and isinstance(expected, number):
        return math.isclose(float(cached), float(expected), rel_tol=1e-6, abs_tol=1e-9)
    return str(cached).strip().casefold() == str(expected).strip().casefold()


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "a blank"
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return f"{value:,.6g}"
    return repr(value)


def _totals(cached: dict[str, Any], expected: dict[str, Any], places: _Places) -> list[Finding]:
    """Every cached named result that is not what its rows give; results never calculated, once."""
    compared = [name for name in expected if name in cached and name not in _NOT_COMPARED]
    uncalculated = [name for name in compared if _blank(cached[name]) and not _blank(expected[name])]
    findings = []
    if uncalculated:
        shown = ", ".join(uncalculated[:5]) + (f" and {len(uncalculated) - 5} more" if len(uncalculated) > 5 else "")
        findings.append(
            places.finding(
                "not_calculated",
                "error",
                f"{len(uncalculated)} result{'s' if len(uncalculated) != 1 else ''} hold no value ({shown}): the "
                "workbook was saved by a program that does not calculate; open and save it in Excel, LibreOffice "
                "or WPS, or rebuild it with cpxl build",
                uncalculated[0],
                path=uncalculated[0],
            )
        )
    findings += [
        places.finding(
            "total_contradicts",
            "error",
            f"{name} shows {_shown(cached[name])} but its rows give {_shown(expected[name])}: a total typed over, "
            "or the workbook was not recalculated after its inputs changed; recalculate it (open and save in "
            "Excel, LibreOffice or WPS) or rebuild it with cpxl build",
            name,
            path=name,
        )
        for name in compared
        if name not in uncalculated and not _same(cached[name], expected[name])
    ]
    return findings


def _required(audit: Audit, values: dict[str, Any], places: _Places) -> list[Finding]:
    """The fields and tables an audit must give (:data:`REQUIRED`)."""
    findings = []
    for path, name, words in REQUIRED:
        if path.startswith("fields."):
            missing = not audit.fields.get(path.split(".", 1)[1])
        elif path == "products":
            missing = not (values.get("main_output") or 0) > 0
        else:
            missing = not audit.tables[path]
        if missing:
            findings.append(places.finding("missing", "warning", f"{words} is missing", name, path=path))
    return findings


def _pct(x: float) -> str:
    return f"{100 * x:+.2f} %"


def _balances(audit: Audit, book: Any, tolerance: float, places: _Places) -> list[Finding]:
    """Each unit's balance as the balance sheet computes it, and the plant's."""
    from ..workbook.sheets.assessment import unit_results
    from ..workbook.sheets.context import Context

    findings = []
    units = audit.tables["units"]
    for i, (unit, result) in enumerate(zip(units, unit_results(Context(book, audit)), strict=True)):
        closure, path, name = result["closure"], f"units[{i + 1}]", unit["name"]
        if closure is None:
            continue
        if result["unmeasured"]:
            findings.append(
                places.finding(
                    "unit_balance",
                    "info",
                    f"unit {name!r} has {result['unmeasured']} unmeasured stream"
                    f"{'s' if result['unmeasured'] != 1 else ''}: its measured closure {_pct(closure)} is not a "
                    "balance; the reconciliation computes the unmeasured flows",
                    "units_closure",
                    i,
                    path,
                )
            )
        elif abs(closure) > tolerance:
            findings.append(
                places.finding(
                    "unit_balance",
                    "warning",
                    f"unit {name!r} does not close: (in − out − Δstock) / in = {_pct(closure)}, "
                    f"beyond ±{100 * tolerance:g} %",
                    "units_closure",
                    i,
                    path,
                )
            )
    closure = book.values.get("result_system_closure")
    if isinstance(closure, (int, float)):
        beyond = abs(closure) > tolerance
        open_ends = sum(
            1 for s in audit.tables["streams"] if (s["source"] is None or s["target"] is None) and s["measured"] is None
        )
        note = (
            f"; {open_ends} stream{'s' if open_ends != 1 else ''} across the boundary unmeasured" if open_ends else ""
        )
        findings.append(
            places.finding(
                "plant_balance",
                "warning" if beyond else "info",
                f"the plant's balance closes at {_pct(closure)}, "
                f"{'beyond' if beyond else 'within'} ±{100 * tolerance:g} %{note}",
                "result_system_closure",
                path="streams",
            )
        )
    return findings


def _reconciliation(audit: Audit, places: _Places) -> list[Finding]:
    """The global χ² test of the stream table and, when it fails, the streams with the largest |z|."""
    streams = audit.tables["streams"]
    try:
        result = audit.reconcile()
    except CPError as exc:
        return [
            places.on_sheet(
                "reconciliation",
                "warning",
                f"the balance cannot be reconciled: {exc.detail}",
                "streams_measured",
                "streams",
            )
        ]
    if result is None:
        return []
    test = f"χ² = {result.chi2:.3g} with {result.dof} degrees of freedom, p = {result.p_value:.3g}"
    if result.passed:
        return [
            places.on_sheet(
                "reconciliation", "info", f"the measurements fit the balances ({test})", "streams_measured", "streams"
            )
        ]
    findings = [
        places.on_sheet(
            "reconciliation",
            "warning",
            f"the measurements do not fit the balances: the global test fails ({test}, critical value "
            f"{result.critical_value:.3g} at {100 * (1 - result.alpha):g} %)",
            "streams_measured",
            "streams",
        )
    ]
    z = [abs(v) if isinstance(v, float) and math.isfinite(v) else -1.0 for v in result.z.tolist()]
    order = sorted((k for k in range(len(z)) if z[k] >= 0), key=lambda k: -z[k])
    suspects = [k for k in order if result.suspect[k]][:3] or order[:1]
    for k in suspects:
        over = "above" if result.suspect[k] else "the largest, though within"
        findings.append(
            places.finding(
                "suspect_stream",
                "warning",
                f"stream {streams[k]['name']!r}: measured {streams[k]['measured']:,.6g}, reconciled "
                f"{float(result.value[k]):,.6g}, |z| = {z[k]:.2f} ({over} the critical {result.z_critical:.2f}): "
                "check this measurement first",
                "streams_measured",
                k,
                f"streams[{k + 1}]",
            )
        )
    return findings


def _component_balances(audit: Audit, book: Any, tolerance: float, places: _Places) -> list[Finding]:
    """Each unit's balance of each component beyond the tolerance, as the component sheet computes it."""
    from ..audit.schema import MAX_COMPONENTS
    from ..workbook.sheets.components import unit_results
    from ..workbook.sheets.context import Context

    if not audit.tables["components"]:
        return []
    names = [c["name"] for c in audit.tables["components"]]
    findings = []
    for i, (unit, result) in enumerate(zip(audit.tables["units"], unit_results(Context(book, audit)), strict=True)):
        for k in range(1, MAX_COMPONENTS + 1):
            closure = result[f"component_closure_{k}"]
            if closure is None or abs(closure) <= tolerance:
                continue
            incomplete = result[f"component_flag_{k}"] != book.text("word.check")
            findings.append(
                places.finding(
                    "component_balance",
                    "info" if incomplete else "warning",
                    f"unit {unit['name']!r}: its balance of {names[k - 1]} "
                    + (
                        f"is {_pct(closure)} with streams not analysed; the reconciliation computes them"
                        if incomplete
                        else f"does not close: (in − out) / in = {_pct(closure)}, beyond ±{100 * tolerance:g} %"
                    ),
                    f"units_component_closure_{k}",
                    i,
                    f"units[{i + 1}]",
                )
            )
    return findings


def _component_reconciliation(audit: Audit, places: _Places) -> list[Finding]:
    """Flows and contents reconciled together: the global test, the suspect measurements, values out of bounds."""
    try:
        result = audit.reconcile_components()
    except CPError as exc:
        return [
            places.on_sheet(
                "component_reconciliation",
                "warning",
                f"the flows and contents cannot be reconciled: {exc.detail}",
                "streams_content_1",
                "streams",
            )
        ]
    if result is None:
        return []
    streams, names = audit.tables["streams"], result.components
    test = f"χ² = {result.chi2:.3g} with {result.dof} degrees of freedom, p = {result.p_value:.3g}"
    bounds = [
        (i, "streams_measured", f"flow of {streams[i]['name']!r} is {float(result.value[i]):,.6g}, below 0")
        for i in range(len(streams))
        if result.flow_out_of_bounds[i]
    ]
    bounds += [
        (
            i,
            f"streams_content_{k + 1}",
            f"fraction of {names[k]} in {streams[i]['name']!r} is {float(result.fraction[i, k]):.4g}, outside [0, 1]",
        )
        for i in range(len(streams))
        for k in range(len(names))
        if result.fraction_out_of_bounds[i, k]
    ]
    bounds += [
        (i, "streams_content_1", f"fractions of the components in {streams[i]['name']!r} add up to more than 1")
        for i in range(len(streams))
        if result.fraction_sum_above_one[i] and not result.fraction_out_of_bounds[i].any()
    ]
    findings = [
        places.finding(
            "component_reconciliation",
            "warning",
            f"the reconciled {what}: a flow or a content must be wrong",
            name,
            i,
            f"streams[{i + 1}]",
        )
        for i, name, what in bounds
    ]
    if result.passed:
        findings.append(
            places.on_sheet(
                "component_reconciliation",
                "info",
                f"the flows and contents fit the balances of every component ({test})",
                "streams_content_1",
                "streams",
            )
        )
        return findings
    findings.append(
        places.on_sheet(
            "component_reconciliation",
            "warning",
            f"the flows and contents do not fit the balances: the global test fails ({test}, critical value "
            f"{result.critical_value:.3g} at {100 * (1 - result.alpha):g} %)",
            "streams_content_1",
            "streams",
        )
    )
    candidates = [(abs(float(z)), i, None) for i, z in enumerate(result.z.tolist()) if math.isfinite(z)]
    candidates += [
        (abs(float(z)), i, k)
        for i, row in enumerate(result.fraction_z.tolist())
        for k, z in enumerate(row)
        if math.isfinite(z)
    ]
    for size, i, k in sorted(candidates, reverse=True)[:3]:
        if k is None:
            what, name = f"the flow of {streams[i]['name']!r}", "streams_measured"
        else:
            what, name = f"the content of {names[k]} in {streams[i]['name']!r}", f"streams_content_{k + 1}"
        findings.append(
            places.finding(
                "component_reconciliation",
                "warning",
                f"{what}: |z| = {size:.2f} (critical {result.z_critical:.2f}): check this measurement first",
                name,
                i,
                f"streams[{i + 1}]",
            )
        )
    return findings


def _economics(audit: Audit, places: _Places) -> list[Finding]:
    """NPV < 0, payback beyond the life, IRR below the discount rate: for implemented or recommended options."""
    rate, tax = audit.fields["discount_rate"], audit.fields["tax_rate"]
    findings = []
    for i, option in enumerate(audit.tables["options"]):
        status = option["status"]
        recommended = bool(option["technical_ok"] and option["environmental_ok"] and option["economic_ok"])
        if status not in ("done", "in_progress") and not recommended:
            continue
        why = {"done": "implemented", "in_progress": "in progress"}.get(status or "", "recommended")
        path, who = f"options[{i + 1}]", f"option {option['id']} ({why})"
        for typed, total, part in (
            (option["investment"], option_costs.investment_breakdown(option), "investment"),
            (option["saving"], option_costs.saving_breakdown(option), "saving"),
        ):
            if typed is not None and total is not None and abs(typed - total) > 1e-9 * max(abs(typed), abs(total)):
                findings.append(
                    places.finding(
                        "economics",
                        "warning",
                        f"{who}: the {part} typed ({typed:,.6g}) is not the total of its breakdown ({total:,.6g}); "
                        "the breakdown's total is used",
                        f"options_{part}",
                        i,
                        path,
                    )
                )
        investment, saving = option_costs.investment(option), option_costs.saving(option)
        life = option["life"]
        if investment is None or saving is None or not life:
            findings.append(
                places.finding(
                    "economics",
                    "warning",
                    f"{who} has no economic evaluation: give its investment, annual saving and life",
                    "options_investment",
                    i,
                    path,
                )
            )
            continue
        flow = core.cash_flow(saving, investment, life, tax)
        npv = core.npv(rate, investment, flow, int(life))
        if npv < 0:
            findings.append(
                places.finding(
                    "economics", "warning", f"{who} has NPV {npv:,.0f} < 0 at {100 * rate:g} %", "options_npv", i, path
                )
            )
        payback = investment / flow if flow > 0 else None
        if payback is None or payback > life:
            shown = "is never repaid" if payback is None else f"pays back in {payback:.2f} years"
            findings.append(
                places.finding(
                    "economics",
                    "warning",
                    f"{who} {shown}, beyond its life of {life} years",
                    "options_payback",
                    i,
                    path,
                )
            )
        if investment > 0:
            try:
                irr: float | None = core.irr(investment, flow, int(life))
            except CPError:
                irr = None
            if irr is None or irr < rate:
                shown = "has no IRR" if irr is None else f"has IRR {100 * irr:.1f} %"
                findings.append(
                    places.finding(
                        "economics",
                        "warning",
                        f"{who} {shown}, below the discount rate {100 * rate:g} %",
                        "options_irr",
                        i,
                        path,
                    )
                )
    return findings


def _wastes(audit: Audit, places: _Places) -> list[Finding]:
    """Every hazardous waste whose route is not given, or is discharge: where does it go, and is it allowed?"""
    findings = []
    for i, waste in enumerate(audit.tables["wastes"]):
        if not waste["hazard"] or waste["route"] not in (None, "discharged"):
            continue
        said = (
            "has no treatment or disposal route: say where it goes (a hazardous waste goes to a licensed "
            "contractor, or is treated, incinerated or landfilled under a permit)"
            if waste["route"] is None
            else "is discharged: a hazardous waste goes to a licensed contractor or is treated, incinerated or "
            "landfilled under a permit, so check the route and the class"
        )
        findings.append(
            places.finding(
                "waste",
                "warning",
                f"the hazardous waste {waste['name']!r} ({waste['hazard']}) {said}",
                "wastes_route",
                i,
                f"wastes[{i + 1}]",
            )
        )
    return findings


def _targets(audit: Audit, places: _Places) -> list[Finding]:
    """Every near-term target that the achieved value misses."""
    findings = []
    for i, target in enumerate(audit.tables["targets"]):
        achieved, near = target["achieved"], target["near_term"]
        if achieved is None or near is None:
            continue
        lower = bool(target["lower_is_better"])
        if (achieved <= near) if lower else (achieved >= near):
            continue
        unit = f" {target['unit']}" if target["unit"] else ""
        findings.append(
            places.finding(
                "target",
                "warning",
                f"target {target['name']!r} missed: achieved {achieved:,.6g}{unit} against the near-term "
                f"{near:,.6g}{unit} ({'lower' if lower else 'higher'} is better)",
                "targets_attained",
                i,
                f"targets[{i + 1}]",
            )
        )
    return findings


def _facilities(audit: Audit, places: _Places) -> list[Finding]:
    """Every facility above its design capacity, with its outlet above its inlet, or below the low running rate."""
    from ..workbook.sheets.history import facility_results

    low = audit.fields["low_running_rate"]
    findings = []
    for i, (facility, result) in enumerate(zip(audit.tables["facilities"], facility_results(audit), strict=True)):
        rate, removal, path = result["running_rate"], result["removal"], f"facilities[{i + 1}]"
        unit = f" {facility['capacity_unit']}" if facility["capacity_unit"] else ""
        load = f"{facility['throughput']:,.6g}{unit} of its design {facility['design_capacity']:,.6g}{unit}"
        if rate is not None and rate > 1:
            findings.append(
                places.finding(
                    "facility",
                    "warning",
                    f"facility {facility['name']!r} runs above its design capacity: {load} ({100 * rate:.1f} %)",
                    "facilities_running_rate",
                    i,
                    path,
                )
            )
        elif rate is not None and low is not None and rate < low:
            findings.append(
                places.finding(
                    "facility",
                    "info",
                    f"facility {facility['name']!r} runs below {100 * low:g} % of its capacity: {load} "
                    f"({100 * rate:.1f} %)",
                    "facilities_running_rate",
                    i,
                    path,
                )
            )
        if removal is not None and removal < 0:
            findings.append(
                places.finding(
                    "facility",
                    "warning",
                    f"facility {facility['name']!r}: its outlet ({facility['outlet']:,.6g}) is above its inlet "
                    f"({facility['inlet']:,.6g}), a removal of {_pct(removal)}",
                    "facilities_removal",
                    i,
                    path,
                )
            )
    return findings


def _metrics_and_grade(values: dict[str, Any], places: _Places) -> list[Finding]:
    """A negative ELF, and the grade: 0 or none is flagged, a grade of 1–3 is information."""
    findings = []
    elf = values.get("result_elf")
    if isinstance(elf, (int, float)) and elf < 0:
        findings.append(
            places.finding(
                "metric",
                "warning",
                f"ELF is {elf:.3g} < 0: the product weighs more than the raw materials fed, so an input "
                "(air, water, a reagent) is missing from the consumption table",
                "result_elf",
                path="consumption",
            )
        )
    grade = values.get("result_grade")
    scores = ", ".join(
        f"Y_{k} {values[f'result_y{i}']:.3g}"
        for i, k in ((1, "I"), (2, "II"), (3, "III"))
        if isinstance(values.get(f"result_y{i}"), (int, float))
    )
    if grade is None:
        return findings  # no indicators: reported as missing
    if isinstance(grade, str):
        findings.append(
            places.finding(
                "grade",
                "warning",
                f"no grade ({grade}): a limiting indicator, or every indicator of a weighted group, has no value",
                "result_grade",
                path="indicators",
            )
        )
    elif grade == 0:
        findings.append(
            places.finding("grade", "warning", f"grade 0: not attained ({scores})", "result_grade", path="indicators")
        )
    else:
        findings.append(
            places.finding(
                "grade",
                "info",
                f"grade {int(grade)} by the indicator system ({scores})",
                "result_grade",
                path="indicators",
            )
        )
    return findings
