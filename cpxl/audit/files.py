"""Audit files (``.yaml``, ``.yml``, ``.json``): the one place where they are read from disk and written to it.

An audit file may come from anyone, so reading one is bounded before anything
is read and fails fast with one line naming the file and the place, never a
traceback (:class:`~cpxl.audit.model.AuditFileError`):

- the name must end in ``.yaml``, ``.yml`` or ``.json``, the path must be a
  regular file (not ``/dev/zero``, a pipe or a folder), and it may hold at most
  :data:`MAX_FILE_BYTES` (20 MB);
- the text must be UTF-8, decoded strictly (a leading UTF-8 byte-order mark,
  as Windows Notepad writes, is accepted; UTF-16 and a bad byte are errors with
  their offset and line);
- YAML is read by a safe loader (PyYAML's ``CSafeLoader`` when libyaml is
  there, else ``SafeLoader``: plain data only, no Python objects) that refuses
  duplicate keys and, before building any object, counts the document's
  aliases (at most :data:`MAX_ALIASES`), its values once aliases are expanded
  (at most :data:`MAX_NODES`: a kilobyte "billion laughs" file stops here) and
  its nesting (at most :data:`MAX_DEPTH` levels);
- JSON is read by the standard library, refusing duplicate keys, ``NaN`` and
  ``Infinity``, nesting deeper than :data:`MAX_DEPTH` and more than
  :data:`MAX_NODES` values.

What the data *means* is checked afterwards, once, by
:meth:`cpxl.audit.Audit.from_dict`. Writing goes through
:func:`cpxl.io.atomic_write`; YAML is written with comments that explain the
units, the fractions, the codes and the weights to whoever edits it, JSON plain.
PyYAML is imported only when a YAML file is read or written.
"""

from __future__ import annotations

import json
import os
import re
import stat
import textwrap
from pathlib import Path
from typing import Any

from .model import AuditFileError
from .schema import SCHEMA_VERSION, TABLES

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "SUFFIXES",
    "audit_text",
    "read_audit_data",
    "read_text",
]

#: The file names an audit file may have, by the ending.
SUFFIXES = (".yaml", ".yml", ".json")
#: The largest audit file read [bytes]: far above any real audit (the worked example is 20 kB).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: The deepest nesting of lists and mappings in an audit file (a real audit needs 5 levels).
MAX_DEPTH = 64
#: The most values (scalars, lists and mappings) an audit file may hold once YAML aliases are expanded.
MAX_NODES = 1_000_000
#: The most uses of YAML aliases (``*name``) in one file.
MAX_ALIASES = 1_000


class _RefusedError(Exception):
    """A file refused while reading it; the message names the place (line or field path)."""


def read_audit_data(path: str | Path) -> Any:
    """The plain data (mappings, lists, scalars) in an audit file, read within the bounds of this module.

    Parameters
    ----------
    path : str or Path
        A ``.yaml``, ``.yml`` or ``.json`` file of at most :data:`MAX_FILE_BYTES` [-]

    Returns
    -------
    data : object
        What the file holds, for :meth:`cpxl.audit.Audit.from_dict`; an empty
        YAML file gives an empty mapping [-]

    Raises
    ------
    AuditFileError
        One line naming the file and the place: ``plant.yaml: line 7: the key
        'company' appears twice (first on line 3)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plant.json"
    >>> _ = path.write_text('{"fields": {"company": "Example Co.", "company": "Other"}}', encoding="utf-8")
    >>> read_audit_data(path)
    Traceback (most recent call last):
    ...
    cpxl.audit.model.AuditFileError: .../plant.json: line 1: the key 'company' appears twice in one object
    """
    path = Path(path)
    source = str(path)
    try:
        raw = _read_bounded(path, SUFFIXES, "an audit file")
        text = _decode(raw)
        if path.suffix.lower() == ".json":
            return _load_json(text)
        data = _load_yaml(text)
        return {} if data is None else data
    except _RefusedError as exc:
        raise AuditFileError([str(exc)], source) from None


def read_text(path: str | Path, *, suffixes: tuple[str, ...], what: str) -> str:
    r"""The text of a UTF-8 file that holds audits in another spelling (a CSV table), within this module's bounds.

    The same checks as :func:`read_audit_data` before any parsing: the name's
    ending, a regular file, at most :data:`MAX_FILE_BYTES`, strict UTF-8 with
    or without a byte-order mark.

    Parameters
    ----------
    path : str or Path
        The file [-]
    suffixes : tuple of str
        The endings its name may have, lower case with the dot, e.g. ``(".csv",)`` [-]
    what : str
        What the file is, for messages, e.g. ``"a table of audits"`` [-]

    Returns
    -------
    text : str
        The file's text, without a leading byte-order mark [-]

    Raises
    ------
    AuditFileError
        One line naming the file and what is wrong with it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plants.csv"
    >>> _ = path.write_bytes("\ufefffields.company\nAcme".encode("utf-8"))
    >>> read_text(path, suffixes=(".csv",), what="a table of audits")
    'fields.company\nAcme'
    """
    path = Path(path)
    try:
        return _decode(_read_bounded(path, suffixes, what))
    except _RefusedError as exc:
        raise AuditFileError([str(exc)], str(path)) from None


def _read_bounded(path: Path, suffixes: tuple[str, ...], what: str) -> bytes:
    """The bytes of *path*, after checking its name, its kind and its size, and never more than the limit."""
    if path.suffix.lower() not in suffixes:
        shown = repr(path.suffix) if path.suffix else "no ending"
        endings = " or ".join([", ".join(suffixes[:-1]), suffixes[-1]] if len(suffixes) > 1 else suffixes)
        raise _RefusedError(f"unknown file type ({shown}): {what} ends in {endings}")
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _RefusedError(f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
        raise _RefusedError(f"is {kind}, not a file")
    if info.st_size > MAX_FILE_BYTES:
        raise _RefusedError(_too_large(info.st_size, what))
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _RefusedError(f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after the check
        raise _RefusedError(_too_large(len(raw), what))
    return raw


def _too_large(size: int, what: str) -> str:
    return f"is {size / 2**20:,.1f} MB; {what} may be at most {MAX_FILE_BYTES // 2**20} MB"


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _decode(raw: bytes) -> str:
    """*raw* decoded as strict UTF-8, without a leading UTF-8 byte-order mark; other encodings are refused."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise _RefusedError(f"is {name} text (it starts with a {name} byte-order mark): save it as UTF-8")
    skip = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    nul = raw.find(b"\x00", skip)
    if nul >= 0:
        raise _RefusedError(
            f"byte offset {nul} (line {_line(raw, nul)}): a NUL byte, so this is not UTF-8 text "
            "(UTF-16 without a byte-order mark?): save it as UTF-8"
        )
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise _RefusedError(
            f"byte offset {offset} (line {_line(raw, offset)}): the byte 0x{raw[offset]:02X} is not "
            "UTF-8 (is the file GBK or Latin-1?): save it as UTF-8"
        ) from None


def _line(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


# --- JSON ----------------------------------------------------------------------------------------------


class _Constant:
    """A ``NaN`` or ``Infinity`` in JSON, kept as a marker until its place is known."""

    def __init__(self, name: str):
        self.name = name


def _load_json(text: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in items:
            if key in data:
                lines = _key_lines(text, key)
                where = f"line {lines[1]}: " if len(lines) > 1 else ""
                raise _RefusedError(f"{where}the key {key!r} appears twice in one object")
            data[key] = value
        return data

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_Constant)
    except json.JSONDecodeError as exc:
        raise _RefusedError(f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise _RefusedError(f"lists or objects are nested too deeply (at most {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise _RefusedError(f"not valid JSON ({exc})") from None
    _check_data(data)
    return data


def _key_lines(text: str, key: str) -> list[int]:
    """The lines on which *key* is written as a JSON key, to point at a duplicate."""
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]


def _check_data(data: Any) -> None:
    """Refuse JSON data nested deeper than MAX_DEPTH, holding more than MAX_NODES values, or NaN/Infinity."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    count = 0
    while stack:
        value, where = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _RefusedError(f"more than {MAX_NODES:,} values: an audit file holds far fewer")
        if len(where) > MAX_DEPTH:
            raise _RefusedError(f"{_path(where)}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, _Constant):
            raise _RefusedError(f"{_path(where)}: {value.name} is not a number (leave it out, or write null)")
        if isinstance(value, dict):
            stack.extend((v, (*where, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(value))


def _path(where: tuple[Any, ...]) -> str:
    """A place in the data as the audit's messages spell it: ``tables.streams[3].name``."""
    text = ""
    for step in where:
        text += f"[{step + 1}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text or "the top level"


# --- YAML ----------------------------------------------------------------------------------------------

_LOADER: type | None = None


def _yaml_loader() -> type:
    """PyYAML's safe loader (the C one when libyaml is there), refusing duplicate keys and naming lines."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except (ValueError, OverflowError, TypeError) as exc:  # a bad date, an integer of 5,000 digits
                raise _RefusedError(f"line {node.start_mark.line + 1}: {exc}") from None

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                        continue
                    key = self.construct_object(key_node)
                    line = key_node.start_mark.line + 1
                    if key in seen:
                        raise _RefusedError(f"line {line}: the key {key!r} appears twice (first on line {seen[key]})")
                    seen[key] = line
            return super().construct_mapping(node, deep=deep)

    _LOADER = Loader
    return Loader


def _load_yaml(text: str) -> Any:
    import yaml

    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise _RefusedError(f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:
        raise _RefusedError(f"lists or mappings are nested too deeply (at most {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()


def _check_nodes(root: Any) -> None:
    """Refuse a YAML document that uses too many aliases, expands to too many values or nests too deeply.

    The composed document is a graph in which an alias is a node reached a
    second time. One depth-first walk visits every node once and computes the
    number of values each would expand to (one plus its children's, from the
    children's counts), so an alias bomb is measured without being expanded:
    its cost is that of its text. The walk's path is the nesting, so an alias
    inside itself is found as a node on its own path.
    """
    size: dict[int, int] = {}  # id of a node -> values it expands to
    path: set[int] = set()  # ids of the nodes on the walk's path (started, not finished)
    aliases = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if finished:
            path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
            if size[key] > MAX_NODES:
                raise _RefusedError(
                    f"line {line}: more than {MAX_NODES:,} values once its aliases (*name) are expanded: "
                    "an audit file holds far fewer"
                )
            continue
        if key in size or key in path:
            aliases += 1
            if key in path:
                raise _RefusedError(f"line {line}: this anchored value (&name) holds an alias (*name) to itself")
            if aliases > MAX_ALIASES:
                raise _RefusedError(
                    f"line {line}: more than {MAX_ALIASES:,} uses of aliases (*name), the last of the value here"
                )
            continue
        path.add(key)
        if len(path) > MAX_DEPTH:
            raise _RefusedError(f"line {line}: nested more than {MAX_DEPTH} levels deep")
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: Any) -> list[Any]:
    value = node.value
    if isinstance(value, list):  # a sequence (nodes) or a mapping (pairs of nodes)
        return [n for item in value for n in (item if isinstance(item, tuple) else (item,))]
    return []


# --- writing -------------------------------------------------------------------------------------------


def audit_text(data: dict[str, Any], suffix: str) -> str:
    """The text of an audit file: JSON plain, YAML with comments for the person who edits it.

    Parameters
    ----------
    data : dict
        The audit as plain data, from :meth:`cpxl.audit.Audit.to_dict` [-]
    suffix : str
        ``.json``, ``.yaml`` or ``.yml`` [-]

    Returns
    -------
    text : str
        The file's text, which :func:`read_audit_data` reads back to *data* [-]

    Examples
    --------
    >>> from cpxl.audit import Audit
    >>> text = audit_text(Audit.blank().to_dict(), ".yaml")
    >>> print(text.splitlines()[0])
    # A cleaner-production audit (cpxl audit file, schema version 1).
    >>> "discount_rate: 0.08" in text
    True
    """
    if suffix.lower() == ".json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    parts = [_comment(_HEADER), _dump({"schema_version": data.get("schema_version", SCHEMA_VERSION)})]
    for section, notes, head in (
        ("fields", _FIELD_NOTES, _FIELDS_HEAD),
        ("weights", {}, _weights_head()),
        ("tables", _table_notes(), _TABLES_HEAD),
    ):
        if section not in data:
            continue
        parts.append("\n" + _comment(head) + f"{section}:\n")
        values = data[section]
        if section == "tables":  # every table, the empty ones too, so that a blank audit shows what to fill in
            values = {key: values.get(key, []) for key in TABLES} | values
        for key, value in values.items():
            if key in notes:
                parts.append(_comment(notes[key], indent="  "))
            body = _dump({section: {key: value}})
            parts.append(body.split("\n", 1)[1])
    return "".join(parts)


def _comment(text: str, indent: str = "") -> str:
    """*text* as YAML comment lines, long lines wrapped at 100 characters."""
    lines = []
    for line in text.strip("\n").splitlines():
        lines += textwrap.wrap(line, 100, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   ") or [
            f"{indent}#"
        ]
    return "".join(line + "\n" for line in lines)


def _dump(data: Any) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def lists(dumper: Any, items: list[Any]) -> Any:
        flat = all(not isinstance(v, (dict, list)) for v in items)  # weights, ratings: on one line
        return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)

    Dumper.add_representer(list, lists)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


_HEADER = """\
A cleaner-production audit (cpxl audit file, schema version 1).
Make the workbook with: cpxl build THIS_FILE.yaml -o audit.xlsx
Text is UTF-8. A value left out, or written null, is blank. Fractions are written
as fractions: 8 % is 0.08, not 8. Amounts are totals over the audit period.
"""

_FIELDS_HEAD = "fields: the plant and the audit, one value each."

_FIELD_NOTES = {
    "mass_unit": (
        "the unit of mass, e.g. t: streams and stock changes are in it, and a product, input or pollutant\n"
        "whose unit is mass_unit counts in the mass metrics (E-factor, PMI)"
    ),
    "currency": "the unit of investment and saving, e.g. CNY",
    "discount_rate": "fractions from here on: 0.08 is 8 %; closure_tolerance is the balance gap accepted",
    "electricity_conversion": (
        "not a fraction: electricity in kgce/kWh (= tce/MWh) for the energy table, blank for the\n"
        "calorific equivalent of GB/T 2589 (当量值), or the equivalent value of power generation\n"
        "(等价值, e.g. 0.300) when your report converts by it"
    ),
    "year_1": "the years of the history table's columns year_1..year_3, oldest first (2023, 2024, 2025)",
    "low_running_rate": (
        "an environmental facility running below this share of its design capacity is flagged (and one above 100 %)"
    ),
}


def _weights_head() -> str:
    lines = [
        "weights: of the rating factors, in this order; a record's ratings list one rating",
        "per factor in the same order, and its score is the sum of weight x rating.",
    ]
    for key, table in TABLES.items():
        if table.ratings:
            lines.append(f"  {key}: {', '.join(name for name, _ in table.ratings)}")
    return "\n".join(lines)


_TABLES_HEAD = """\
tables: lists of records, one mapping per row, its columns listed above the table;
a column left out is blank. Choice columns take the codes listed there (the
workbook shows them translated).
"""

_TABLE_NOTES = {
    "products": "output: over the audit period, in unit; main: true for the one main product",
    "consumption": "amount: over the audit period, in unit",
    "pollutants": "generated, discharged: over the audit period, in unit",
    "wastes": (
        "one row per waste stream (EPA waste-stream worksheets); origin: the unit, step or area where it arises (a "
        "focus candidate's name adds its cost to that candidate); quantity: over the audit period [mass_unit]; "
        "hazard: the National Hazardous Waste List class, HW and two digits, optionally a space and the "
        "eight-digit code ending in the same digits (HW06, HW49 900-039-49), blank when not hazardous; "
        "route: contractor is sent to a licensed contractor, recycled is recycled or reused; unit_cost: what "
        "treating or disposing of one mass unit costs [currency per mass_unit], 0 when it costs "
        "nothing (income from a sold waste is not counted here)"
    ),
    "history": (
        "the last three years, oldest first: year_1..year_3 hold the values of the years given as the fields "
        "year_1..year_3, in unit (a pollutant's generation, a consumption, an output, an indicator's value); "
        "main: true for the one product row whose output the intensities are per (category product); the "
        "latest year is usually the audit period, with the numbers of the products, consumption and pollutants "
        "tables"
    ),
    "facilities": (
        "design_capacity, throughput: the design and the actual load, both in capacity_unit (m3/d, m3/h, t); "
        "inlet, outlet: the pollutant's concentration (or load) before and after, in concentration_unit; "
        "operating_cost: per year, in currency"
    ),
    "steps": "yield: a fraction (0.92 is 92 %)",
    "indicators": "group_weight: the first-level weight of the indicator's group (the same on every row of the "
    "group; the groups' weights sum to 1); weight_in_group: its second-level weight (summing to 1 within the "
    "group); level_1..level_3: the thresholds of grades I-III",
    "streams": (
        "source, target: unit names (blank is outside the plant); measured: mass over the audit period "
        "[mass_unit], blank if not measured; sigma: its standard uncertainty [mass_unit]; content_k: the "
        "content of component k (the k-th of the components table) in that component's unit, 0 if the stream "
        "carries none, blank if not analysed; content_sigma_k: its standard uncertainty, in the same unit"
    ),
    "components": (
        "at most 4, in the order of the streams' content_1..content_4; unit: what their contents are given in "
        "(blank is kg_kg; g_l and mg_l are taken at a density of 1 kg/L: 1 mg/L = 1e-6 kg/kg)"
    ),
    "units": "stock_change: mass stored in the unit over the audit period [mass_unit]",
    "water": "fresh, reused, wastewater: volumes over the audit period",
    "options": "investment, saving: in currency (saving per year); life: years; before, after: of pollutant",
}


def _table_notes() -> dict[str, str]:
    notes = {}
    for key, table in TABLES.items():
        lines = [f"columns: {', '.join(table.keys)}" + (", ratings" if table.ratings else "")]
        lines += [f"{col.key}: {' | '.join(col.choices)}" for col in table.columns if col.kind == "choice"]
        if table.ratings:
            lines.append(f"ratings: one per factor ({', '.join(name for name, _ in table.ratings)})")
        if key == "energy":
            lines.append(_energy_note())
        elif key in _TABLE_NOTES:
            lines.append(_TABLE_NOTES[key])
        notes[key] = "\n".join(lines)
    return notes


def _energy_note() -> str:
    """The energy table's note: each carrier's unit, from the one table of carriers (cpxl.core.energy)."""
    from ..core.energy import CARRIERS  # numpy: only when a file is written

    units: dict[str, list[str]] = {}
    for key, carrier in CARRIERS.items():
        units.setdefault(carrier.unit, []).append(key.lower().replace(" ", "_"))
    shown = "; ".join(f"{unit}: {', '.join(codes)}" for unit, codes in units.items())
    return (
        f"amount: consumed over the audit period, in the carrier's unit ({shown}); coefficient: tce per unit "
        "of the carrier, blank for the reference coefficient of GB/T 2589-2020 (electricity: "
        "fields.electricity_conversion); co2_factor: t CO2 per unit of the carrier, blank for the default (fuels: "
        "IPCC 2006; electricity: the national grid factor); the workbook lists every default with its source"
    )
