"""The audit object: one plant's audit data, validated against the schema, in and out of YAML, JSON and pandas."""

from __future__ import annotations

import datetime
import itertools
import math
import numbers
import re
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import CPError
from .option_costs import investment_breakdown
from .schema import (
    CONTENT_UNITS,
    FIELDS,
    FORMS,
    HISTORY_YEARS,
    MAX_COMPONENTS,
    SCHEMA_VERSION,
    TABLES,
    Column,
    Field,
    Table,
)
from .versions import upgrade

__all__ = ["MAX_TEXT_LENGTH", "Audit", "AuditError", "AuditFileError", "coerce", "text_problem"]

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


class AuditFileError(AuditError):
    """A file that cannot be read as an audit at all: too large, not UTF-8, not valid YAML or JSON.

    Its message is one line naming the file and the place:
    ``plant.yaml: line 7: the key 'company' appears twice (first on line 3)``.
    """

    @property
    def detail(self) -> str:  # type: ignore[override]
        where = f"{self.source}: " if self.source else ""
        return where + "; ".join(self.problems)


def _blank(value: Any) -> bool:
    """Whether a value is missing: None or text of only whitespace (a float NaN is a value, and an error)."""
    if value is None:
        return True
    return isinstance(value, str) and not value.strip()


class _Brief(reprlib.Repr):
    """``repr`` kept short: long texts, lists and mappings are cut, huge integers are not printed."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlist, self.maxdict = 2, 60, 60, 6, 4

    def repr_int(self, x: int, level: int) -> str:
        return _show_int(x)


_BRIEF = _Brief()


def _show_int(value: int) -> str:
    if value.bit_length() <= 128:
        return str(value)
    size = abs(value)
    digits = int((size.bit_length() - 1) * math.log10(2)) + 1  # within one of the count
    digits += 10**digits <= size
    digits -= 10 ** (digits - 1) > size
    return f"an integer of {digits} digits"


def _key(key: Any) -> str:
    """A mapping key in a message: text as it is, anything else as its brief repr."""
    return key if isinstance(key, str) else _show(key)


def _show(value: Any) -> str:
    """An offending value, briefly, as the user wrote it: texts quoted, long things cut, never a huge string.

    Examples
    --------
    >>> _show("abc"), _show(-5), _show(float("nan")), _show(10**400), _show({"a": 1})
    ("'abc'", '-5', 'nan', 'an integer of 401 digits', "{'a': 1}")
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return _show_int(value)
    return _BRIEF.repr(value)


def _kind_of(value: Any) -> str:
    """What a value is, in words a person editing a file knows."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    return _show(value)


#: Excel's limit on the text of one cell, in characters (UTF-16 code units, as Excel counts).
MAX_TEXT_LENGTH = 32_767

# Characters that XML 1.0, and so an .xlsx cell, cannot hold: controls other than tab, LF and CR, the
# non-characters U+FFFE and U+FFFF, and lone surrogates (halves of a pair, which are not Unicode text).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SCALARS = (str, numbers.Real, datetime.date, datetime.time)


def text_problem(text: str, where: str) -> str | None:
    r"""Why *text* cannot be stored exactly in a workbook cell, or None when it can.

    Parameters
    ----------
    text : str
        The text as given [-]
    where : str
        Its place, e.g. ``streams[3].name``, to start the message [-]

    Returns
    -------
    problem : str or None
        A message naming the first bad character by its code point and its
        1-based position, or the length when over :data:`MAX_TEXT_LENGTH` [-]

    Examples
    --------
    >>> text_problem("Acid\x01 tank", "streams[3].name")
    'streams[3].name has the control character U+0001 at position 5: remove it'
    >>> text_problem("tab\there,\r\nnew line", "x") is None
    True
    """
    bad = _ILLEGAL.search(text)
    if bad:
        code = ord(bad.group())
        what = (
            "a lone surrogate (half of a character pair, not text)"
            if 0xD800 <= code <= 0xDFFF
            else "the non-character"
            if code >= 0xFFFE
            else "the control character"
        )
        return f"{where} has {what} U+{code:04X} at position {bad.start() + 1}: remove it"
    if len(text) > MAX_TEXT_LENGTH // 2 and len(text.encode("utf-16-le")) // 2 > MAX_TEXT_LENGTH:
        return (
            f"{where} is {len(text):,} characters long; a cell holds at most {MAX_TEXT_LENGTH:,} (Excel's limit): "
            "shorten it"
        )
    return None


#: What :func:`coerce_plain` returns for a value that needs :func:`coerce`'s full checks.
NOT_PLAIN: Any = object()
_NUMBER_KINDS = frozenset({"number", "fraction", "int"})


def coerce_plain(value: Any, spec: Column | Field) -> Any:
    """The common cases of :func:`coerce`, cheaply: a finite float where a number goes, text that a cell can hold.

    Returns what :func:`coerce` would return for *value*, with no problem, or :data:`NOT_PLAIN` when the value
    needs the full checks (anything else, or anything wrong). Readers of many cells try this first and build
    a cell's place for the messages only when it returns :data:`NOT_PLAIN`.

    Examples
    --------
    >>> from cpxl.audit.schema import Column
    >>> coerce_plain(2.5, Column("amount", "number", minimum=0)), coerce_plain(" tank ", Column("name"))
    (2.5, 'tank')
    >>> coerce_plain(-1.0, Column("amount", "number", minimum=0)) is NOT_PLAIN
    True
    """
    kind = spec.kind
    if type(value) is float:
        if (
            kind in _NUMBER_KINDS
            and math.isfinite(value)
            and (spec.minimum is None or value >= spec.minimum)
            and (kind != "fraction" or value <= 1)
        ):
            if kind != "int":
                return value
            if value.is_integer():
                return int(value)
    elif type(value) is str and kind == "text" and getattr(spec, "form", None) is None and not text_problem(value, ""):
        return value.strip() or None
    return NOT_PLAIN


def coerce(value: Any, spec: Column | Field, where: str, problems: list[str]) -> Any:
    r"""One cell's value as the schema wants it (None for blank); appends to *problems* when it cannot.

    Numbers must be finite (``nan`` and ``inf`` are errors, not blanks); text
    is stored exactly, but for leading and trailing whitespace, which is
    removed: tabs and line breaks inside it are kept, characters a workbook
    cannot hold and text longer than a cell are errors (:func:`text_problem`),
    text of a column with a form (:data:`~cpxl.audit.schema.FORMS`, the hazard
    class of a waste) must match it exactly, and a list or mapping is never
    turned into text.

    Parameters
    ----------
    value : object
        The value as given: from a file, a Python dict or a workbook cell [-]
    spec : Column or Field
        Its schema entry (kind, minimum, choices) [-]
    where : str
        Its place, e.g. ``consumption[1].amount``, to start a message [-]
    problems : list of str
        Where a message is appended when the value does not fit [-]

    Returns
    -------
    value : float, int, bool, str or None
        The value as the schema kind wants it; None when blank or wrong [-]

    Examples
    --------
    >>> from cpxl.audit.schema import Column
    >>> problems = []
    >>> coerce("12.5", Column("amount", "number"), "x", problems), coerce("yes", Column("main", "bool"), "y", problems)
    (12.5, True)
    >>> coerce(-1, Column("amount", "number", minimum=0), "consumption[1].amount", problems), problems
    (None, ['consumption[1].amount must be >= 0, got -1'])
    >>> problems = []
    >>> coerce(float("nan"), Column("rate", "fraction"), "fields.discount_rate", problems), problems
    (None, ['fields.discount_rate must be a number, got nan'])
    >>> coerce("  line 1\n\tline 2 ", Column("notes"), "continuing[1].notes", problems)
    'line 1\n\tline 2'
    >>> problems = []
    >>> coerce("HW6", Column("hazard", form="hazard"), "wastes[2].hazard", problems), problems[0][:52]
    (None, 'wastes[2].hazard must be a class of the National Haz')
    """
    if value is None:
        return None
    plain = coerce_plain(value, spec)
    if plain is not NOT_PLAIN:
        return plain
    if _blank(value):
        return None
    kind = spec.kind
    if kind in _NUMBER_KINDS:
        number: float | None = None
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:  # an integer too large for a float
                number = None
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", ""))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            problems.append(f"{where} must be a number, got {_kind_of(value)}")
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
        if isinstance(value, numbers.Real) and value in (0, 1):
            return bool(value)
        word = value.strip().lower() if isinstance(value, str) else None
        if word in _TRUE_WORDS | _FALSE_WORDS:
            return word in _TRUE_WORDS
        problems.append(f"{where} must be TRUE or FALSE, got {_kind_of(value)}")
        return None
    if isinstance(value, bool):  # YAML reads an unquoted yes, no, on, off as TRUE/FALSE: never guess the text
        problems.append(f"{where} must be text, got {value} (in YAML, put yes, no, on, off in quotes: 'no')")
        return None
    if not isinstance(value, _TEXT_SCALARS) or (isinstance(value, float) and not math.isfinite(value)):
        problems.append(f"{where} must be text, got {_kind_of(value)}")
        return None
    if isinstance(value, str):
        problem = text_problem(value, where)
        if problem:
            problems.append(problem)
            return None
        text = value.strip()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        problems.append(f"{where} must be text, got {_kind_of(value)}")
        return None
    else:
        text = str(value)
    form = getattr(spec, "form", None)
    if form is not None and text and not FORMS[form][0].fullmatch(text):
        problems.append(f"{where} must be {FORMS[form][1]}, got {_show(text)}")
        return None
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
            raise AuditError([f"the audit must be a mapping with fields and tables, got {_kind_of(data)}"], source)
        unknown = set(data) - {"schema_version", "fields", "tables", "weights"}
        problems += [
            f"{_key(key)} is not part of the audit (expected schema_version, fields, tables, weights)"
            for key in sorted(unknown, key=str)
        ]
        version = data.get("schema_version", SCHEMA_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version not in (1, 2, SCHEMA_VERSION):
            problems.append(
                f"schema_version must be the whole number {SCHEMA_VERSION} (or 1 or 2, upgraded), "
                f"got {_kind_of(version)}"
            )
        data = upgrade(data)

        raw_fields = _mapping(data.get("fields"), "fields", "field names to values", problems)
        known = {f.key: f for f in FIELDS}
        problems += [
            f"fields.{_key(key)} is not a field of the audit" for key in sorted(set(raw_fields) - set(known), key=str)
        ]
        fields = {}
        for spec in FIELDS:
            value = coerce(raw_fields.get(spec.key), spec, f"fields.{spec.key}", problems)
            fields[spec.key] = spec.default if value is None else value

        raw_tables = _mapping(data.get("tables"), "tables", "table names to lists of records", problems)
        problems += [
            f"tables.{_key(key)} is not a table of the audit" for key in sorted(set(raw_tables) - set(TABLES), key=str)
        ]
        tables = {
            key: _records(table, [] if raw_tables.get(key) is None else raw_tables[key], problems)
            for key, table in TABLES.items()
        }

        raw_weights = _mapping(data.get("weights"), "weights", "table names to lists of weights", problems)
        rated = [key for key, table in TABLES.items() if table.ratings]
        problems += [
            f"weights.{_key(key)} is not a table with ratings (expected {', '.join(rated)})"
            for key in sorted(set(raw_weights) - set(rated), key=str)
        ]
        weights = {}
        for key in rated:
            given = raw_weights.get(key)
            defaults = [w for _, w in TABLES[key].ratings]
            if given is None:
                weights[key] = defaults
                continue
            if not isinstance(given, (list, tuple)) or len(given) != len(defaults):
                problems.append(f"weights.{key} must list {len(defaults)} weights, got {_kind_of(given)}")
                weights[key] = defaults
                continue
            spec = Column("weight", "number", minimum=0)
            values = [coerce(w, spec, f"weights.{key}[{i + 1}]", problems) for i, w in enumerate(given)]
            weights[key] = [d if v is None else v for v, d in zip(values, defaults, strict=True)]

        audit = cls(fields=fields, tables=tables, weights=weights)
        refused = {p.partition(" ")[0] for p in problems}  # a value refused above is not judged again below
        problems += audit._consistency_problems(refused)
        if problems:
            raise AuditError(problems, source)
        return audit

    def _consistency_problems(self, refused: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Checks across records: the stream table is a flowsheet, ids are unique, weights sum to 1, years in order."""
        from ..core.flowsheet import Flowsheet  # scipy.sparse: only when there is a stream table to check

        problems: list[str] = []
        streams = self.tables["streams"]
        if streams:
            try:
                Flowsheet.from_streams(
                    [s["source"] for s in streams], [s["target"] for s in streams], [s["name"] for s in streams]
                )
            except CPError as exc:
                problems.append(f"streams: {exc.detail}")
        for key, table in TABLES.items():
            if not table.grows and len(self.tables[key]) > table.rows:
                problems.append(f"{key}: at most {table.rows} records, got {len(self.tables[key])}")
        problems += self._content_problems(refused)
        problems += self._energy_problems()
        for key, column in (("options", "id"), ("units", "name"), ("products", "name"), ("components", "name")):
            seen: dict[Any, int] = {}
            for i, record in enumerate(self.tables[key], start=1):
                if record[column] in seen:
                    problems.append(f"{key}[{i}].{column} repeats {key}[{seen[record[column]]}]: {record[column]!r}")
                seen.setdefault(record[column], i)
        ids = {o["id"] for o in self.tables["options"]}
        for i, option in enumerate(self.tables["options"], start=1):
            net = investment_breakdown(option)
            if net is not None and net < -1e-9 * max(1.0, option["subsidy"] or 0.0):  # not a rounding of sums
                problems.append(
                    f"options[{i}].subsidy {option['subsidy']:,.12g} is more than the investment it subsidises "
                    f"({net + option['subsidy']:,.12g}): the investment I would be negative"
                )
            needed = option["requires"]
            if needed is not None and (needed not in ids or needed == option["id"]):
                what = "the option itself" if needed == option["id"] else "not the id of an option in the table"
                problems.append(f"options[{i}].requires {needed!r} is {what}: give the id of the option it needs")
        mains = [i for i, p in enumerate(self.tables["products"], start=1) if p["main"]]
        if len(mains) > 1:
            problems.append(f"products: only one product can be the main one, got rows {mains}")
        problems += _indicator_weight_problems(self.tables["indicators"])
        problems += self._history_problems()
        return problems

    def _history_problems(self) -> list[str]:
        """The history's years out of order, and a main product that is not a product or not the only one."""
        problems: list[str] = []
        years = [(key, self.fields[key]) for key in HISTORY_YEARS if self.fields[key] is not None]
        for (before, early), (after, late) in itertools.pairwise(years):
            if late <= early:
                problems.append(f"fields.{after} must be a later year than fields.{before} ({early}), got {late}")
        mains = []
        for i, record in enumerate(self.tables["history"], start=1):
            if record["main"]:
                mains.append(i)
                if record["category"] != "product":
                    problems.append(
                        f"history[{i}].main: only a row of category product can be the main product, "
                        f"got {record['category']}"
                    )
        if len(mains) > 1:
            problems.append(f"history: only one row can be the main product, got rows {mains}")
        return problems

    def _content_problems(self, refused: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """A content measured for a component that has no name, or one that is more than the whole stream.

        A component whose unit was *refused* (its path among them) is not judged in a unit it was not given in.
        """
        problems: list[str] = []
        components = self.tables["components"]
        for i, stream in enumerate(self.tables["streams"], start=1):
            for k in range(1, MAX_COMPONENTS + 1):
                content = stream[f"content_{k}"]
                if content is None and stream[f"content_sigma_{k}"] is None:
                    continue
                if k > len(components):
                    problems.append(
                        f"streams[{i}].content_{k} is given, but there is no component {k} "
                        "(name it in the components table)"
                    )
                elif f"components[{k}].unit" in refused:
                    continue
                elif content is not None and content * CONTENT_UNITS[components[k - 1]["unit"] or "kg_kg"] > 1:
                    unit = components[k - 1]["unit"] or "kg_kg"
                    problems.append(
                        f"streams[{i}].content_{k}: {content:g} {unit} of {components[k - 1]['name']} is more than "
                        "the whole stream (a mass fraction above 1)"
                    )
        return problems

    def _energy_problems(self) -> list[str]:
        """An override of 0 (a blank takes the default), and the conversion of electricity in the wrong unit.

        :func:`cpxl.tce` and :func:`cpxl.co2` take a coefficient or factor > 0 and electricity in kgce/kWh.
        """
        problems: list[str] = []
        for i, row in enumerate(self.tables["energy"], start=1):
            for key in ("coefficient", "co2_factor"):
                if row[key] == 0:
                    problems.append(f"energy[{i}].{key} must be > 0 (leave it blank for the default), got 0")
        power = self.fields["electricity_conversion"]
        if power is not None and not 0 < power < 1:
            hint = f": {power:g} gce/kWh is {power / 1000:g}" if power >= 1 else ""
            problems.append(
                "fields.electricity_conversion must be in kgce/kWh, between 0 and 1 (blank: the calorific "
                f"equivalent){hint}, got {power:g}"
            )
        return problems

    def contents(self) -> tuple[list[str], list[list[float | None]], list[list[float | None]]]:
        """The components' names and, per stream and component, the measured mass fraction and its σ [kg/kg].

        Each content is converted from its component's unit (:data:`~cpxl.audit.schema.CONTENT_UNITS`; blank is
        kg/kg); blank stays None (unmeasured, or σ by default).

        Examples
        --------
        >>> names, fraction, sigma = Audit.example().contents()
        >>> names, fraction[2], sigma[2]
        (['Toluene'], [0.995], [0.002])
        """
        components = self.tables["components"]
        factors = [CONTENT_UNITS[c["unit"] or "kg_kg"] for c in components]

        def converted(stream: dict[str, Any], key: str) -> list[float | None]:
            return [
                None if stream[f"{key}_{k}"] is None else stream[f"{key}_{k}"] * factor
                for k, factor in enumerate(factors, start=1)
            ]

        streams = self.tables["streams"]
        return (
            [c["name"] for c in components],
            [converted(s, "content") for s in streams],
            [converted(s, "content_sigma") for s in streams],
        )

    def reconcile_components(self) -> Any:
        """The stream table and its components' contents reconciled together (:func:`cpxl.reconcile_components`).

        None without streams or without components. Raises :class:`~cpxl.core.errors.CPError` when they cannot
        be reconciled.

        Examples
        --------
        >>> result = Audit.example().reconcile_components()
        >>> result.passed, result.components
        (True, ['Toluene'])
        """
        from ..core.components import reconcile_components

        streams = self.tables["streams"]
        if not streams or not self.tables["components"]:
            return None
        names, fraction, sigma = self.contents()
        key = (
            tuple((s["source"], s["target"], s["measured"], s["sigma"], s["name"]) for s in streams),
            tuple(names),
            tuple(map(tuple, fraction)),
            tuple(map(tuple, sigma)),
        )
        cached = self.__dict__.get("_components_reconciled")
        if cached is not None and cached[0] == key:
            return cached[1]
        result = reconcile_components(
            [s["source"] for s in streams],
            [s["target"] for s in streams],
            [s["measured"] for s in streams],
            [s["sigma"] for s in streams],
            fraction,
            sigma,
            components=names,
            names=[s["name"] for s in streams],
        )
        self.__dict__["_components_reconciled"] = (key, result)
        return result

    def reconcile(self) -> Any:
        """The stream table reconciled (:func:`cpxl.reconcile` with the streams' names), or None without streams.

        Raises :class:`~cpxl.core.errors.CPError` when the measurements cannot be reconciled.

        Examples
        --------
        >>> result = Audit.example().reconcile()
        >>> result.passed, round(float(result.value[6]), 2)
        (True, 150.74)
        """
        from ..core.reconcile import reconcile

        streams = self.tables["streams"]
        if not streams:
            return None
        key = tuple((s["source"], s["target"], s["measured"], s["sigma"], s["name"]) for s in streams)
        cached = self.__dict__.get("_reconciled")  # the workbook's sheet and cpxl check both need it
        if cached is not None and cached[0] == key:
            return cached[1]
        source, target, measured, sigma, names = (list(column) for column in zip(*key, strict=True))
        result = reconcile(source, target, measured, sigma, names=names)
        self.__dict__["_reconciled"] = (key, result)
        return result

    def indicator_weights(self) -> list[float | None]:
        """The composite weight of every indicator: its group's weight times its weight in the group.

        Examples
        --------
        >>> [round(w, 6) for w in Audit.example().indicator_weights()][:3]
        [0.15, 0.15, 0.1]
        """
        return [
            None
            if r["group_weight"] is None or r["weight_in_group"] is None
            else r["group_weight"] * r["weight_in_group"]
            for r in self.tables["indicators"]
        ]

    # --- reading and writing files ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON/YAML-ready) that :meth:`from_dict` reads back to an equal audit."""
        return {
            "schema_version": self.schema_version,
            "fields": dict(self.fields),
            "weights": {k: list(v) for k, v in self.weights.items()},
            "tables": {k: [self._plain_record(k, r) for r in v] for k, v in self.tables.items() if v},
        }

    def _plain_record(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        """A record as plain data; a stream without the contents of components that do not exist (all blank)."""
        if table != "streams":
            return dict(record)
        named = len(self.tables["components"])
        unused = {f"{key}_{k}" for k in range(named + 1, MAX_COMPONENTS + 1) for key in ("content", "content_sigma")}
        return {key: value for key, value in record.items() if key not in unused}

    @classmethod
    def load(cls, path: str | Path) -> Audit:
        """Read an audit from a ``.yaml``/``.yml`` or ``.json`` file.

        The file is checked before it is read and while it is parsed (its
        size, UTF-8, duplicate keys, YAML alias bombs: see
        :mod:`cpxl.audit.files`); any problem is an :class:`AuditError` naming
        the file and the place, never a traceback.

        Parameters
        ----------
        path : str or Path
            The audit file, at most 20 MB [-]

        Returns
        -------
        audit : Audit
            The audit it holds [-]

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = Audit.example().save(pathlib.Path(tempfile.mkdtemp()) / "plant.yaml")
        >>> Audit.load(path) == Audit.example()
        True
        """
        from .files import read_audit_data

        return cls.from_dict(read_audit_data(path), source=str(path))

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the audit to ``.yaml``/``.yml`` or ``.json``; an existing file is kept unless *overwrite*.

        YAML carries comments for the person who edits it (units, fractions,
        codes, weights); JSON is plain. Either loads back to an equal audit.

        Parameters
        ----------
        path : str or Path
            The file to write, ending in ``.yaml``, ``.yml`` or ``.json`` [-]
        overwrite : bool
            Replace an existing file [-]

        Returns
        -------
        path : Path
            The file written [-]
        """
        from ..io import atomic_write
        from .files import SUFFIXES, audit_text

        path = Path(path)
        if path.suffix.lower() not in SUFFIXES:
            raise AuditFileError([f"unknown file type {path.suffix!r}: use .yaml, .yml or .json"], str(path))
        text = audit_text(self.to_dict(), path.suffix)
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


def _indicator_weight_problems(records: list[dict[str, Any]]) -> list[str]:
    """The two levels of indicator weights as published: one weight per group, summing to 1 over the groups,
    and weights in a group summing to 1."""
    problems: list[str] = []
    groups: dict[Any, list[int]] = {}
    for i, record in enumerate(records, start=1):
        groups.setdefault(record["group"], []).append(i)
    group_weights: dict[Any, float] = {}
    consistent = True
    for group, rows in groups.items():
        given = {records[i - 1]["group_weight"] for i in rows} - {None}
        named = "without a group" if group is None else f"of the group {group!r}"
        if len(given) > 1:
            shown = ", ".join(f"{w:g}" for w in sorted(given))
            problems.append(f"indicators {named} (rows {rows}) must share one group_weight, got {shown}")
            consistent = False
        elif given:
            group_weights[group] = given.pop()
        within = [records[i - 1]["weight_in_group"] for i in rows if records[i - 1]["weight_in_group"] is not None]
        if within and abs(sum(within) - 1) > 1e-6:
            problems.append(
                f"indicators {named}: weight_in_group must sum to 1 within the group (give 20 % as 0.2), "
                f"got {sum(within):g}"
            )
    if consistent and group_weights and abs(sum(group_weights.values()) - 1) > 1e-6:
        problems.append(
            f"indicators: the group weights must sum to 1 over the groups (give 20 % as 0.2), "
            f"got {sum(group_weights.values()):g}"
        )
    return problems


def _records(table: Table, rows: Any, problems: list[str]) -> list[dict[str, Any]]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame: its NaN means missing
        rows = [{k: None if _missing(v) else v for k, v in row.items()} for row in rows.to_dict("records")]
    if not isinstance(rows, list):
        problems.append(f"tables.{table.key} must be a list of records, got {_kind_of(rows)}")
        return []
    records = []
    for i, row in enumerate(rows, start=1):
        where = f"{table.key}[{i}]"
        if not isinstance(row, dict):
            problems.append(f"{where} must be a record (a mapping of column names to values), got {_kind_of(row)}")
            continue
        allowed = set(table.keys) | ({"ratings"} if table.ratings else set())
        problems += [f"{where}.{key} is not a column of {table.key}" for key in sorted(set(row) - allowed, key=str)]
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
        problems.append(f"{where}.ratings must list {count} ratings, got {_kind_of(given)}")
        return [None] * count
    spec = Column("rating", "number", minimum=0)
    return [coerce(r, spec, f"{where}.ratings[{k + 1}]", problems) for k, r in enumerate(given)]


def _blank_row(row: dict[str, Any], table: Table) -> bool:
    cells = [row.get(k) for k in table.keys] + list(row.get("ratings") or [])
    return all(_blank(v) for v in cells)


def _mapping(value: Any, where: str, what: str, problems: list[str]) -> dict[Any, Any]:
    """*value* when it is a mapping (None is an empty one); otherwise a problem and an empty mapping."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where} must be a mapping of {what}, got {_kind_of(value)}")
        return {}
    return value


def _missing(value: Any) -> bool:
    """pandas' marks of a missing cell (NaN, NaT, NA); lists and other objects are values."""
    import pandas as pd

    if isinstance(value, (list, tuple, dict, set)):
        return False  # pd.isna answers a list element-wise
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array
        return False
