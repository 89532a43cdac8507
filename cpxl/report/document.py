"""The audit report (清洁生产审核报告) as a Word document: the chapters of the audit, the workbook's tables and facts.

This module is the one place that turns an audit into the report's ``.docx``. It imports python-docx (which writes a
document that Word, WPS and LibreOffice open) and nothing else outside cpxl. The numbers come from cpxl itself: the
audit is written into a *dry* book (:class:`cpxl.workbook.engine.Book` with no file), exactly as
:func:`cpxl.workbook.build` writes it, and the report shows that book's cached results, the named single-cell
results and every table part's computed columns. No formula of the workbook is computed here a second way, so the
report and a workbook built from the same audit agree cell by cell; numbers are formatted as the workbook's number
formats show them (``#,##0.00``, ``0.0%``, ...).

The chapters follow the Chinese audit report: 企业概况 / 审核准备 / 预审核 / 审核 / 方案的产生和筛选 / 可行性分析 /
方案实施 / 持续清洁生产 / 结论 (in English: Company profile / Preparation / Pre-assessment / Assessment / Options:
generation and screening / Feasibility / Implementation / Continuing cleaner production / Conclusions). Facts are
written in template sentences where one fits ("The plant's balance closes to 3.6 %, within the 5.0 % tolerance");
a table whose audit data is empty is replaced by a sentence saying so. Chinese text renders in every client: the
styles name an East Asian font (``w:eastAsia``).

Figures: :data:`FIGURE_SLOTS` names the places where a picture (PNG) goes when the caller has one, e.g. the balance
diagram after the stream table: ``report(audit, "r.docx", figures={"balance": png_bytes})``. This module draws none.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audit.model import Audit
from ..audit.schema import TABLES
from ..core.errors import CPError
from ..io import atomic_write
from ..workbook.engine import Book, _display, _input_kind
from ..workbook.labels import LANGUAGES

__all__ = ["CHAPTERS", "FIGURE_SLOTS", "add_figure", "format_value", "report"]

#: The chapters of the report, in order: (key, English heading, Chinese heading).
CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("company", "1 Company profile", "1 企业概况"),
    ("preparation", "2 Preparation", "2 审核准备"),
    ("pre_assessment", "3 Pre-assessment", "3 预审核"),
    ("assessment", "4 Assessment", "4 审核"),
    ("options", "5 Options: generation and screening", "5 方案的产生和筛选"),
    ("feasibility", "6 Feasibility", "6 可行性分析"),
    ("implementation", "7 Implementation", "7 方案实施"),
    ("continuing", "8 Continuing cleaner production", "8 持续清洁生产"),
    ("conclusions", "9 Conclusions", "9 结论"),
)

#: Where a picture goes when the caller gives one (``figures={slot: png}``): slot -> (chapter, caption en, zh).
FIGURE_SLOTS: dict[str, tuple[str, str, str]] = {
    "consumption_trend": ("company", "Consumption per unit of product over three years", "近三年单位产品消耗趋势"),
    "pollutant_trend": ("company", "Pollutants per unit of product over three years", "近三年单位产品污染物趋势"),
    "waste_pareto": ("pre_assessment", "Pareto of the waste streams", "废物排列图"),
    "balance": ("assessment", "The material balance of the plant", "物料平衡图"),
    "portfolio": ("feasibility", "Best total NPV against the investment budget", "投资预算与最大净现值"),
    "before_after": ("implementation", "Pollutant loads before and after each option", "各方案实施前后污染物量"),
}

#: The East Asian font the styles name (Word and WPS have it; LibreOffice substitutes a CJK font it has).
EAST_ASIAN_FONT = "SimSun"
LATIN_FONT = "Arial"

#: The report's table parts: (place, title label key, columns shown). A place is where the workbook's builder put
#: the table part (``Context.places``); the columns are its keys (inputs, ``rating_*`` and computed columns).
TABLE_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "products": ("title.products", ("name", "unit", "output", "main")),
    "consumption": ("title.consumption", ("name", "category", "unit", "amount", "intensity")),
    "steps": ("title.steps", ("name", "yield")),
    "energy": ("title.energy", ("name", "carrier", "amount", "unit", "coefficient_used", "tce", "factor_used", "co2")),
    "history": (
        "title.history_table",
        ("name", "category", "unit", "year_1", "year_2", "year_3", "change", "intensity_change"),
    ),
    "team": ("title.team", ("name", "role", "department", "title", "specialty", "duties", "time")),
    "plan": ("title.plan", ("stage", "task", "start", "end", "owner", "output")),
    "pollutants": (
        "title.pollutants",
        ("name", "medium", "unit", "generated", "discharged", "removal", "intensity", "mass"),
    ),
    "wastes": ("title.wastes", ("name", "origin", "quantity", "hazard", "route", "unit_cost", "cost")),
    "facilities": (
        "title.facilities_table",
        ("name", "medium", "pollutant", "design_capacity", "throughput", "running_rate", "inlet", "outlet", "removal"),
    ),
    "indicators": (
        "title.indicators",
        ("name", "unit", "level_1", "level_2", "level_3", "value", "weight", "level"),
    ),
    "focus": (
        "title.focus",
        (
            "name",
            "rating_waste_quantity",
            "rating_consumption",
            "rating_environmental_cost",
            "rating_toxicity",
            "rating_cp_potential",
            "rating_willingness",
            "score",
            "rank",
        ),
    ),
    "targets": (
        "title.targets",
        ("name", "unit", "baseline", "near_term", "long_term", "achieved", "near_change", "attained"),
    ),
    "streams": ("title.streams", ("name", "source", "target", "measured", "sigma", "reconciled", "status")),
    "units": ("title.units", ("name", "stock_change", "inflow", "outflow", "unmeasured", "closure", "flag")),
    "components": ("title.components", ("name", "unit", "inflow", "outflow", "unmeasured", "closure", "flag")),
    "water": ("title.water_users", ("name", "fresh", "reused", "wastewater", "reuse_rate")),
    "causes": ("title.causes", ("waste", "aspect", "cause")),
    "options": (
        "title.options",
        (
            "id",
            "name",
            "aspect",
            "cost_class",
            "technical_ok",
            "environmental_ok",
            "economic_ok",
            "passed",
            "score",
            "rank",
        ),
    ),
    "costs": (
        "title.costs",
        (
            "id",
            "invest_equipment",
            "invest_construction",
            "invest_design",
            "invest_working_capital",
            "subsidy",
            "investment_total",
            "saving_total",
        ),
    ),
    "feasibility": (
        "title.feasibility",
        ("id", "name", "investment_used", "saving_used", "life", "cash_flow", "payback", "npv", "irr"),
    ),
    "environment": (
        "title.environment",
        ("id", "name", "pollutant", "before", "after", "reduction", "energy_saving", "co2_reduction"),
    ),
    "implementation": (
        "title.implementation",
        (
            "id",
            "name",
            "status",
            "completed",
            "investment_used",
            "actual_investment",
            "saving_used",
            "achieved_saving",
            "measured_reduction",
        ),
    ),
    "continuing": ("title.continuing", ("action", "owner", "due", "notes")),
}

#: The table parts of each chapter, in order; ``"figure:<slot>"`` places a figure slot.
CHAPTER_TABLES: dict[str, tuple[str, ...]] = {
    "company": (
        "products",
        "consumption",
        "steps",
        "energy",
        "history",
        "figure:consumption_trend",
        "figure:pollutant_trend",
    ),
    "preparation": ("team", "plan"),
    "pre_assessment": ("pollutants", "wastes", "figure:waste_pareto", "facilities", "indicators", "focus", "targets"),
    "assessment": ("streams", "figure:balance", "units", "components", "water", "causes"),
    "options": ("options",),
    "feasibility": ("costs", "feasibility", "figure:portfolio", "environment"),
    "implementation": ("implementation", "figure:before_after"),
    "continuing": ("continuing",),
    "conclusions": (),
}

#: The stream table's columns that the reconciliation gives (not in the table part): key -> (result field, kind).
_RECONCILED = {"reconciled": ("value", "num"), "status": ("status", "general")}


def format_value(value: Any, kind: str) -> str:
    """A value as a cell of number format *kind* shows it (:data:`cpxl.workbook.engine.NUMBER_FORMATS`).

    ``amount`` is ``#,##0.00##`` (two to four decimals), ``num`` ``#,##0.00``, ``num3`` ``#,##0.000``, ``int``
    ``#,##0``, ``pct`` ``0.0%``, ``years`` ``0.00``, ``score`` ``0.0``; ``general`` and ``text`` show numbers
    with up to ten significant digits and text as it is. A blank is an empty text.

    Parameters
    ----------
    value : Any
        The cached value: a number, a text or None [-]
    kind : str
        The cell's number-format kind [-]

    Returns
    -------
    text : str
        What the cell shows [-]

    Examples
    --------
    >>> format_value(1406264.87039406, "num"), format_value(0.0360021, "pct"), format_value(0.1229, "amount")
    ('1,406,264.87', '3.6%', '0.1229')
    >>> format_value(2000.0, "amount"), format_value(3, "int"), format_value(None, "num")
    ('2,000.00', '3', '')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    x = float(value)
    if not math.isfinite(x):
        return ""
    if kind == "amount":
        text = f"{x:,.4f}"
        while text.endswith("0") and len(text.split(".")[1]) > 2:
            text = text[:-1]
        return text
    formats = {"num": "{:,.2f}", "num3": "{:,.3f}", "int": "{:,.0f}", "years": "{:.2f}", "score": "{:.1f}"}
    if kind in formats:
        return formats[kind].format(x)
    if kind == "pct":
        return f"{x * 100:.1f}%"
    return f"{x:.10g}"


@dataclass
class Built:
    """What the workbook's builder computed for an audit: the dry book and where its table parts landed."""

    audit: Audit
    book: Book
    places: dict[str, Any]
    reconciled: Any
    ctx: Any  # the writers' Context: the audit's portfolio is solved from it


def built(audit: Audit, lang: str) -> Built:
    """The audit written into a dry book by the workbook's own writers: its cached values, no file."""
    from ..workbook.sheets import write_audit

    units = {"mass": audit.fields.get("mass_unit") or "", "money": audit.fields.get("currency") or ""}
    book = Book(None, lang, units)
    ctx = write_audit(book, audit)
    try:
        reconciled = audit.reconcile()  # what the stream table stores as the reconciled flows at build
    except CPError:
        reconciled = None
    return Built(audit, book, dict(ctx.places), reconciled, ctx)


def load(audit_or_path: Audit | str | Path, command: str = "report") -> Audit:
    """The audit itself, or the audit read from a filled workbook (.xlsx) or an audit file (.yaml, .yml, .json).

    An :class:`Audit` is checked as a file is (:meth:`Audit.from_dict`): a value changed in Python that a file
    could not hold (text where a number goes, a control character in a name) is an
    :class:`~cpxl.audit.model.AuditError` listing every problem. Anything else is a
    :class:`~cpxl.core.errors.CPError` of *command*; the readers raise for a bad file.
    """
    if isinstance(audit_or_path, Audit):  # checked as a file would be: an audit changed in Python may be wrong
        return Audit.from_dict(audit_or_path.to_dict(), source="audit_or_path")
    if not isinstance(audit_or_path, (str, os.PathLike)):
        raise CPError(command, "audit_or_path", "must be an Audit, or the path of a workbook or an audit file")
    path = Path(audit_or_path)
    if path.suffix.lower() == ".xlsx":
        from ..workbook import read

        return read(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return Audit.load(path)
    raise CPError(
        command,
        "audit_or_path",
        "must be an Audit, a filled workbook (.xlsx) or an audit file (.yaml/.json)",
        str(path),
    )


def report(
    audit_or_path: Audit | str | Path,
    path: str | Path,
    *,
    lang: str = "en",
    overwrite: bool = False,
    figures: Mapping[str, bytes | str | Path] | None = None,
) -> Path:
    """Write the audit report of *audit_or_path* as a Word document (.docx) at *path*, in *lang*.

    The chapters follow the audit (:data:`CHAPTERS`); each holds the facts of the workbook in sentences and the
    tables an auditor copies into the report (:data:`CHAPTER_TABLES`), with the values a workbook built from the
    audit caches, formatted as its cells show them. A table with no records is a sentence saying so. The file
    appears whole or not at all; an existing file is kept unless *overwrite*.

    Parameters
    ----------
    audit_or_path : Audit, str or Path
        The audit, a filled workbook (.xlsx) or an audit file (.yaml, .yml, .json) [-]
    path : str or Path
        Where to write the report; must end in ``.docx`` [-]
    lang : str
        Language of the report, ``"en"`` or ``"zh"`` [-]
    overwrite : bool
        Replace an existing file [-]
    figures : mapping of str to bytes or path, optional
        Pictures (PNG) by slot of :data:`FIGURE_SLOTS`, e.g. ``{"balance": png}``; a slot left out shows nothing [-]

    Returns
    -------
    path : Path
        The file written [-]

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = report(Audit.example(), pathlib.Path(tempfile.mkdtemp()) / "report.docx")
    >>> import docx
    >>> [p.text for p in docx.Document(out).paragraphs if p.style.name == "Heading 1"][:2]
    ['1 Company profile', '2 Preparation']

    References
    ----------
    清洁生产审核指南 (HJ 469-2009), the chapters of the audit report; DOMAIN.md §8.
    """
    if lang not in LANGUAGES:
        raise CPError("report", "lang", "must be 'en' or 'zh'", lang)
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise CPError("report", "path", "must end in .docx", str(path))
    unknown = sorted(set(figures or {}) - set(FIGURE_SLOTS))
    if unknown:
        raise CPError("report", "figures", f"has no slot {unknown[0]!r}; the slots are {sorted(FIGURE_SLOTS)}")
    audit = load(audit_or_path)
    document = _document(built(audit, lang), lang, dict(figures or {}))
    with atomic_write(path, overwrite=overwrite) as tmp:
        document.save(str(tmp))
    return path


# --- the document ----------------------------------------------------------------------------------------------


def _document(built: Built, lang: str, figures: dict[str, bytes | str | Path]) -> Any:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # the workbook's tables are wide
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    _fonts(document)
    company = built.audit.fields.get("company") or ""
    document.add_heading(_t(lang, "Cleaner-production audit report", "清洁生产审核报告"), level=0)
    if company:
        document.add_paragraph(company)
    document.core_properties.title = _t(lang, "Cleaner-production audit report", "清洁生产审核报告")
    document.core_properties.subject = company
    document.core_properties.author = "cpxl"
    sentences = _Sentences(built, lang)
    numbers = {"table": 0, "figure": 0}
    for key, en, zh in CHAPTERS:
        document.add_heading(_t(lang, en, zh), level=1)
        for text in sentences.of(key):
            document.add_paragraph(text)
        for part in CHAPTER_TABLES[key]:
            if part.startswith("figure:"):
                slot = part.split(":", 1)[1]
                if slot in figures:
                    numbers["figure"] += 1
                    _, cap_en, cap_zh = FIGURE_SLOTS[slot]
                    caption = _t(lang, f"Figure {numbers['figure']}: {cap_en}", f"图 {numbers['figure']}　{cap_zh}")
                    add_figure(document, figures[slot], caption, 22.0 if slot == "balance" else 17.0)
                continue
            _table(document, built, part, lang, numbers)
    return document


def add_figure(document: Any, png: bytes | str | Path, caption: str, width_cm: float = 22.0) -> None:
    """Add a picture (PNG bytes or a file) at the end of *document*, with its caption below it.

    Parameters
    ----------
    document : docx.Document
        The document being written [-]
    png : bytes, str or Path
        The picture [-]
    caption : str
        The line under it [-]
    width_cm : float
        Width of the picture on the page [cm]

    Examples
    --------
    >>> import docx, base64
    >>> png = base64.b64decode(
    ...     "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    >>> d = docx.Document()
    >>> add_figure(d, png, "Figure 1: a dot")
    >>> len(d.inline_shapes), d.paragraphs[-1].text
    (1, 'Figure 1: a dot')
    """
    from docx.shared import Cm

    source = io.BytesIO(png) if isinstance(png, bytes) else str(png)
    document.add_picture(source, width=Cm(width_cm))
    document.paragraphs[-1].paragraph_format.keep_with_next = True  # the picture and its caption on one page
    document.add_paragraph(caption, style="Caption")


def _t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def _fonts(document: Any) -> None:
    """Name the Latin and the East Asian font on every style the report uses, so that Chinese text renders."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption", "Table Grid"):
        style = document.styles[name]
        style.font.name = LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), LATIN_FONT)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    document.styles["Normal"].font.size = Pt(10.5)


# --- tables ----------------------------------------------------------------------------------------------------


def _rows(built: Built, part: str, lang: str) -> tuple[list[str], list[list[str]]] | None:
    """The header and the formatted rows of a table part; None when the audit has no records of it."""
    placement = built.places.get(part)
    if placement is None:
        return None
    table = placement.table
    records = built.audit.tables[table]
    if not records:
        return None
    spec = TABLES[table]
    book = built.book
    _, keys = TABLE_PARTS[part]
    same_table = [p for p in built.places.values() if p.table == table]
    header: list[str] = []
    columns: list[tuple[str, list[str]]] = []
    for key in keys:
        if part == "streams" and key in _RECONCILED:
            field, kind = _RECONCILED[key]
            header.append(book.text(f"col.streams.{'reconciled_at_build' if key == 'reconciled' else key}"))
            values = []
            for i in range(len(records)):
                x = None if built.reconciled is None else built.reconciled[field][i]
                values.append(format_value(None if isinstance(x, float) and math.isnan(x) else x, kind))
            columns.append((key, values))
            continue
        if key.startswith("rating_"):
            factor = key[len("rating_") :]
            j = [f for f, _ in spec.ratings].index(factor)
            header.append(book.text(f"factor.{table}.{factor}"))
            columns.append((key, [format_value((r.get("ratings") or [None] * 99)[j], "general") for r in records]))
            continue
        computed = next((p.computed[key] for p in [placement, *same_table] if key in p.computed), None)
        if computed is not None:
            kind, cached = computed
            header.append(book.text(f"col.{table}.{key}"))
            columns.append((key, [format_value(cached[i], kind) for i in range(len(records))]))
            continue
        column = spec.column(key)
        year = built.audit.fields.get(key) if table == "history" and key.startswith("year_") else None
        header.append(str(year) if year else book.header(table, column))  # the workbook heads them by the year
        kind = _input_kind(column)
        shown = [_display(r.get(key), column, book) for r in records]
        columns.append((key, [format_value(x, "general" if kind == "text" else kind) for x in shown]))
    rows = [[values[i] for _, values in columns] for i in range(len(records))]
    return header, rows


def _table(document: Any, built: Built, part: str, lang: str, numbers: dict[str, int]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    title_key, _ = TABLE_PARTS[part]
    title = built.book.text(title_key)
    content = _rows(built, part, lang)
    if content is None:
        document.add_paragraph(
            _t(lang, f"{title}: the audit holds no data for this table.", f"{title}：审核数据中没有此表的内容。")
        )
        return
    numbers["table"] += 1
    n = numbers["table"]
    caption = document.add_paragraph(_t(lang, f"Table {n}: {title}", f"表 {n}　{title}"), style="Caption")
    caption.paragraph_format.keep_with_next = True  # never the caption at the foot of a page, its table overleaf
    header, rows = content
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = document.styles["Table Grid"]
    repeat = OxmlElement("w:tblHeader")  # the header row repeats at the top of every page the table runs onto
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for r, cells in enumerate([header, *rows]):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.text = text
            for paragraph in cell.paragraphs:
                if r and _numeric(text):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(8)
                    run.font.bold = r == 0
    document.add_paragraph()


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


# --- sentences -------------------------------------------------------------------------------------------------


class _Sentences:
    """The workbook's facts as template sentences, chapter by chapter; a fact with no value is left out."""

    def __init__(self, built: Built, lang: str):
        self.v = built.book.values
        self.f = built.audit.fields
        self.t = built.audit.tables
        self.lang = lang
        self.mass = self.f.get("mass_unit") or ""
        self.money = self.f.get("currency") or ""

    def of(self, chapter: str) -> list[str]:
        return [s for s in getattr(self, chapter)() if s]

    def _n(self, name: str, kind: str) -> str:
        return format_value(self.v.get(name), kind)

    def _level(self, grade: Any) -> str:
        zh = self.lang == "zh"
        if grade is None:
            return ""
        if int(grade) == 0:
            return "未达到清洁生产三级水平" if zh else "does not attain level III"
        roman = {1: "I", 2: "II", 3: "III"}[int(grade)]
        return f"清洁生产{'一二三'[int(grade) - 1]}级水平" if zh else f"level {roman}"

    def company(self) -> list[str]:
        zh, f = self.lang == "zh", self.f
        out = []
        if f.get("company"):
            about = [x for x in (f.get("industry"), f.get("location")) if x]
            staff = f.get("employees")
            if zh:
                where = "（" + "，".join(about) + "）" if about else ""
                out.append(f"{f['company']}{where}" + (f"，职工 {staff:,} 人。" if staff else "。"))
            else:
                where = " (" + ", ".join(about) + ")" if about else ""
                out.append(f"{f['company']}{where}" + (f" employs {staff:,} people." if staff else "."))
        if f.get("description"):
            out.append(f["description"])
        if f.get("audit_period"):
            out.append(f"审核期：{f['audit_period']}。" if zh else f"The audit covers {f['audit_period']}.")
        if self.v.get("main_output"):
            main = self._n("main_output", "amount")
            out.append(
                f"主产品产量 {main} {self.mass}。" if zh else f"The main products' output is {main} {self.mass}."
            )
        if self.money or self.mass:
            out.append(
                f"本报告金额单位为 {self.money}，质量单位为 {self.mass}。"
                if zh
                else f"Money is in {self.money} and mass in {self.mass} throughout."
            )
        if self.v.get("result_tce") is not None:
            tce, co2 = self._n("result_tce", "num"), self._n("result_co2", "num")
            per = self._n("result_energy_intensity", "num3")
            out.append(
                f"综合能源消费量 {tce} tce，单位产品综合能耗 {per} tce/{self.mass}；CO2 排放量 {co2} t。"
                if zh
                else f"Comprehensive energy consumption is {tce} tce, {per} tce per {self.mass} of main product; "
                f"{co2} t of CO2 are emitted."
            )
        return out

    def preparation(self) -> list[str]:
        n = len(self.t["team"])
        if not n:
            return []
        return [f"审核小组由 {n} 人组成。" if self.lang == "zh" else f"The audit team has {n} members."]

    def pre_assessment(self) -> list[str]:
        zh, out = self.lang == "zh", []
        if self.t["wastes"]:
            q, h = self._n("result_wastes_quantity", "num"), self._n("result_wastes_hazardous", "num")
            cost = self._n("result_wastes_cost", "num")
            out.append(
                f"废物产生总量 {q} {self.mass}，其中危险废物 {h} {self.mass}；年处置费用 {cost} {self.money}。"
                if zh
                else f"The waste streams total {q} {self.mass}, of which {h} {self.mass} are hazardous; their "
                f"disposal costs {cost} {self.money} a year."
            )
        out.append(self._grade_sentence())
        if self.t["targets"]:
            met, n = self._n("result_targets_met", "int"), len(self.t["targets"])
            out.append(
                f"{n} 项清洁生产目标中已完成近期目标 {met} 项。"
                if zh
                else f"Of the {n} cleaner-production targets, {met} near-term targets are met."
            )
        return out

    def _grade_sentence(self) -> str:
        zh = self.lang == "zh"
        grade, after = self.v.get("result_grade"), self.v.get("result_grade_after")
        if grade is None:
            return ""
        text = f"企业{self._level(grade)}" if zh else f"The plant rates {self._level(grade)}"
        if after is not None:
            text += f"；审核后为{self._level(after)}" if zh else f"; after the audit, {self._level(after)}"
        return text + ("。" if zh else ".")

    def assessment(self) -> list[str]:
        zh, out = self.lang == "zh", []
        closure = self.v.get("result_system_closure")
        tol = self.v.get("result_closure_tolerance")
        if closure is not None and tol is not None:
            shown, tol_shown = f"{closure * 100:.1f} %", f"{tol * 100:.1f} %"
            within = abs(closure) <= tol
            if zh:
                where = f"在 {tol_shown} 的允许误差以内" if within else f"超出 {tol_shown} 的允许误差"
                out.append(f"全厂物料平衡相对误差 {shown}，{where}。")
            else:
                where = "within" if within else "beyond"
                out.append(f"The plant's balance closes to {shown}, {where} the {tol_shown} tolerance.")
            units = self.v.get("result_units_to_check") or 0
            out.append(
                f"超出允许误差的单元 {units} 个。"
                if zh
                else f"{units} unit{'s' if units != 1 else ''} beyond tolerance."
            )
        if self.v.get("result_water_reuse") is not None:
            reuse = self._n("result_water_reuse", "pct")
            out.append(f"水重复利用率 {reuse}。" if zh else f"The water reuse rate is {reuse}.")
        return out

    def options(self) -> list[str]:
        if not self.t["options"]:
            return []
        count, passed = self._n("result_options_count", "int"), self._n("result_options_passed", "int")
        inv, saving = self._n("result_investment", "num"), self._n("result_saving", "num")
        if self.lang == "zh":
            return [
                f"共提出方案 {count} 项，通过初步筛选 {passed} 项；"
                f"其总投资 {inv} {self.money}，年收益 {saving} {self.money}。"
            ]
        return [
            f"{count} options were registered and {passed} pass screening; together they invest {inv} {self.money} "
            f"and save {saving} {self.money} a year."
        ]

    def feasibility(self) -> list[str]:
        if not self.t["options"]:
            return []
        rate, tax = self.f.get("discount_rate"), self.f.get("tax_rate")
        if rate is None:
            return []
        shown = format_value(rate, "pct")
        tax_shown = format_value(tax, "pct") if tax is not None else "—"
        if self.lang == "zh":
            return [f"经济评估采用折现率 {shown}、所得税率 {tax_shown}。"]
        return [f"The economics use a discount rate of {shown} and an income-tax rate of {tax_shown}."]

    def implementation(self) -> list[str]:
        done = self.v.get("result_implemented_count") or 0
        if not done:
            return []
        inv, est = self._n("result_implemented_investment", "num"), self._n("result_implemented_estimate", "num")
        sav, sav_est = self._n("result_implemented_saving", "num"), self._n("result_implemented_saving_estimate", "num")
        if self.lang == "zh":
            return [
                f"已实施方案 {done} 项：实际投资 {inv} {self.money}（预估 {est}），"
                f"实际年效益 {sav} {self.money}（预估 {sav_est}）。"
            ]
        return [
            f"{done} options are done: they cost {inv} {self.money} against {est} estimated, and save {sav} "
            f"{self.money} a year against {sav_est} estimated."
        ]

    def continuing(self) -> list[str]:
        n = len(self.t["continuing"])
        if not n:
            return []
        return [f"持续清洁生产计划共 {n} 项。" if self.lang == "zh" else f"The continuing plan has {n} actions."]

    def conclusions(self) -> list[str]:
        zh = self.lang == "zh"
        out = [self._grade_sentence(), *self.assessment()[:1], *self.implementation()]
        out = [s for s in out if s]
        if not out:
            out.append(
                "审核数据尚不足以得出结论。" if zh else "The audit holds too little data yet to draw conclusions."
            )
        return out
