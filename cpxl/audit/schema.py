"""The audit data model's schema: every field and table column, with its type, once.

One audit has scalar *fields* (company, period, units, economic parameters) and
*tables* (lists of records: team, streams, options, ...). The workbook builder,
the reader, the YAML/JSON loader and the CSV batch reader all work from these
definitions, so a field is declared here and nowhere else.

The schema is versioned (:data:`SCHEMA_VERSION`); a file records the version it
was written with, and files of earlier versions are upgraded on loading
(:mod:`cpxl.audit.versions` says what changed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "ASPECTS",
    "BENEFIT_PARTS",
    "CARRIERS",
    "CATEGORIES",
    "CONTENT_UNITS",
    "COST_CLASSES",
    "FIELDS",
    "FOCUS_FACTORS",
    "FORMS",
    "HISTORY_CATEGORIES",
    "HISTORY_YEARS",
    "INVESTMENT_PARTS",
    "MAX_COMPONENTS",
    "MAX_ROWS",
    "MEDIA",
    "RANKING_FACTORS",
    "ROUTES",
    "SCHEMA_VERSION",
    "STAGES",
    "STATUSES",
    "TABLES",
    "Column",
    "Field",
    "Table",
]

SCHEMA_VERSION = 3

#: The most rows a workbook gives a list table (``cpxl new --rows``): far beyond any audit (60 options is a large
#: one), and what cpxl still reads back within its bounds (about 480,000 XML elements, 2 s).
MAX_ROWS = 2_000

#: The seven audit stages (DOMAIN §1.1), as codes; labels live in the workbook's label table.
STAGES = ("planning", "pre_assessment", "assessment", "options", "feasibility", "implementation", "continuous")
#: The eight aspects of waste causes and options.
ASPECTS = (
    "materials_energy",
    "technology",
    "equipment",
    "process_control",
    "product",
    "waste",
    "management",
    "employees",
)
COST_CLASSES = ("no_low", "medium_high")
MEDIA = ("wastewater", "waste_gas", "solid_waste")
CATEGORIES = ("raw_material", "auxiliary", "energy", "water")
STATUSES = ("planned", "in_progress", "done")
#: The energy carriers of GB/T 2589's table, as codes: the keys of :data:`cpxl.core.energy.CARRIERS` in lower case
#: with ``_`` for a space (``natural gas`` is ``natural_gas``). Their units, coefficients and labels come from that
#: one table; only the codes are spelled here, so that reading an audit needs no numpy (a test keeps them equal).
CARRIERS = (
    "raw_coal",
    "washed_coal",
    "coke",
    "crude_oil",
    "fuel_oil",
    "gasoline",
    "kerosene",
    "diesel",
    "lpg",
    "natural_gas",
    "electricity",
    "heat",
    "steam",
)
#: What a row of the history table is: a product's output, a consumption (the categories of the consumption
#: table), a pollutant (by medium, as the pollutants table) or an indicator (a value that is already a ratio).
HISTORY_CATEGORIES = ("product", *CATEGORIES, *MEDIA, "indicator")
#: The years of the history table (oldest first), as the fields that hold them.
HISTORY_YEARS = ("year_1", "year_2", "year_3")
#: The components (pollutants, solvents, metals) a stream table can balance besides total mass.
MAX_COMPONENTS = 4
#: The units a component's content is measured in, with the factor that turns a content into a mass fraction
#: [kg/kg]. mg/L and g/L assume a density of 1 kg/L (water): 1 mg/L = 1 mg/kg = 10⁻⁶ kg/kg (DOMAIN §6).
CONTENT_UNITS = {"kg_kg": 1.0, "percent": 0.01, "g_kg": 1e-3, "mg_kg": 1e-6, "g_l": 1e-3, "mg_l": 1e-6}
#: Where a waste stream goes (EPA/625/7-88/003 waste-stream worksheets; the 利用/处置 of a Chinese waste ledger):
#: recycled or reused on site, treated on site, incinerated, landfilled, sent to a licensed contractor, discharged.
ROUTES = ("recycled", "treated_on_site", "incinerated", "landfilled", "contractor", "discharged")
#: Text columns that must take a form, as (pattern, the form in words for messages). ``hazard``: a class of the
#: National Hazardous Waste List (国家危险废物名录), ``HW`` and two digits, optionally a space and the waste's
#: eight-digit code ``ddd-ddd-dd`` whose last two digits repeat the class (``HW06``, ``HW49 900-039-49``).
FORMS = {
    "hazard": (
        re.compile(r"HW(\d{2})(?: \d{3}-\d{3}-\1)?", re.ASCII),
        "a class of the National Hazardous Waste List: HW and two digits (HW06), optionally a space and the "
        "eight-digit code ending in the same two digits (HW49 900-039-49); blank when not hazardous",
    ),
}
#: Weighted-sum factors for the audit focus (DOMAIN §1.2) with their conventional default weights.
FOCUS_FACTORS = (
    ("waste_quantity", 10.0),
    ("consumption", 8.0),
    ("environmental_cost", 8.0),
    ("toxicity", 8.0),
    ("cp_potential", 5.0),
    ("willingness", 2.0),
)
#: An option's investment as feasibility reports break it down [currency]: its total is I, less the subsidy.
INVESTMENT_PARTS = ("invest_equipment", "invest_construction", "invest_design", "invest_working_capital")
#: An option's annual benefit as feasibility reports break it down [currency per year]: savings (or added costs,
#: negative) in raw materials, energy, water, waste treatment and disposal fees, added output or quality, labour,
#: maintenance and the rest; its total is P.
BENEFIT_PARTS = (
    "benefit_raw_materials",
    "benefit_energy",
    "benefit_water",
    "benefit_disposal",
    "benefit_output",
    "benefit_labour",
    "benefit_maintenance",
    "benefit_other",
)
#: Weighted-sum factors for ranking options (DOMAIN §1.2), with default weights.
RANKING_FACTORS = (
    ("technical", 8.0),
    ("environmental", 10.0),
    ("economic", 8.0),
    ("ease", 5.0),
    ("production_effect", 5.0),
)

CHOICES = {
    "stage": STAGES,
    "aspect": ASPECTS,
    "cost_class": COST_CLASSES,
    "medium": MEDIA,
    "category": CATEGORIES,
    "status": STATUSES,
    "unit": tuple(CONTENT_UNITS),
    "carrier": CARRIERS,
    "route": ROUTES,
}


@dataclass(frozen=True)
class Field:
    """A scalar field of the audit.

    ``kind`` is one of ``text``, ``number``, ``fraction`` (a number in [0, 1],
    shown as %), ``int``. ``default`` is used when a file leaves it out.
    ``sheet`` is the workbook sheet that shows it: ``company`` (the profile), or
    the sheet of the table it belongs to (``history``, ``facilities``, ``energy``).
    """

    key: str
    kind: str = "text"
    default: object = None
    minimum: float | None = None
    sheet: str = "company"


@dataclass(frozen=True)
class Column:
    """A column of a table: its key, kind and, for ``choice``, the allowed codes.

    ``kind``: ``text``, ``number``, ``fraction``, ``int``, ``bool``, ``choice``;
    ``required``: a record must give it; ``minimum``: smallest allowed number;
    ``unit``: what a number is measured in, for headers and messages: ``mass``
    (the audit's mass unit over the audit period), ``money`` (the audit's
    currency), ``money_per_mass`` (currency per mass unit, a price such as
    CNY/t), ``years``, or ``None`` (the unit column of its row, or none);
    ``form``: for text, the key of :data:`FORMS` whose pattern it must match.
    """

    key: str
    kind: str = "text"
    required: bool = False
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    width: float = 12
    unit: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class Table:
    """A list table of the audit: its columns and how many rows the workbook offers.

    A blank workbook gives the table ``rows`` rows; a filled one gives at least
    that many and always ``spare_rows`` empty rows after the records.

    A table that does not ``grow`` always has exactly ``rows`` rows, and at
    most that many records.

    A table with ``ratings`` also holds, per record, a list ``ratings`` with one
    rating per factor; the factors' weights are part of the audit
    (``Audit.weights[table]``), with the defaults given here.
    """

    key: str
    columns: tuple[Column, ...]
    rows: int = 20
    spare_rows: int = 10
    ratings: tuple[tuple[str, float], ...] = field(default=())
    grows: bool = True

    def column(self, key: str) -> Column:
        """The column called *key*."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        """Column keys in order."""
        return tuple(col.key for col in self.columns)


def _c(key: str, kind: str = "text", **kw: object) -> Column:
    if kind == "choice" and "choices" not in kw:
        kw["choices"] = CHOICES[key]
    return Column(key, kind, **kw)  # type: ignore[arg-type]


FIELDS: tuple[Field, ...] = (
    Field("company"),
    Field("industry"),
    Field("location"),
    Field("audit_period"),
    Field("employees", "int", minimum=0),
    Field("description"),
    Field("mass_unit", default="t"),
    Field("currency", default="CNY"),
    Field("discount_rate", "fraction", default=0.08, minimum=0),
    Field("tax_rate", "fraction", default=0.25, minimum=0),
    Field("closure_tolerance", "fraction", default=0.05, minimum=0),
    Field("budget", "number", minimum=0),
    Field("electricity_conversion", "number", minimum=0, sheet="energy"),
    *(Field(key, "int", minimum=0, sheet="history") for key in HISTORY_YEARS),
    Field("low_running_rate", "fraction", default=0.5, minimum=0, sheet="facilities"),
)

TABLES: dict[str, Table] = {
    t.key: t
    for t in (
        Table(
            "team",
            (
                _c("name", required=True, width=12),
                _c("role", width=12),
                _c("department", width=14),
                _c("title", width=12),
                _c("specialty", width=14),
                _c("duties", width=28),
                _c("time", width=10),
            ),
        ),
        Table(
            "plan",
            (
                _c("stage", "choice", required=True, width=16),
                _c("task", required=True, width=34),
                _c("start", width=11),
                _c("end", width=11),
                _c("owner", width=12),
                _c("output", width=22),
            ),
        ),
        Table(
            "products",
            (
                _c("name", required=True, width=20),
                _c("unit", width=8),
                _c("output", "number", required=True, minimum=0),
                _c("main", "bool", width=8),
            ),
            rows=10,
        ),
        Table(
            "consumption",
            (
                _c("name", required=True, width=20),
                _c("category", "choice", required=True, width=14),
                _c("unit", width=8),
                _c("amount", "number", required=True, minimum=0),
            ),
            rows=30,
        ),
        Table(
            "energy",
            (
                _c("name", width=22),
                _c("carrier", "choice", required=True, width=14),
                _c("amount", "number", required=True, minimum=0),
                _c("coefficient", "number", minimum=0, width=13),
                _c("co2_factor", "number", minimum=0, width=13),
            ),
        ),
        Table(
            "pollutants",
            (
                _c("name", required=True, width=20),
                _c("medium", "choice", required=True, width=14),
                _c("unit", width=8),
                _c("generated", "number", required=True, minimum=0),
                _c("discharged", "number", minimum=0),
            ),
            rows=30,
        ),
        Table(
            "wastes",
            (
                _c("name", required=True, width=24),
                _c("origin", width=24),
                _c("quantity", "number", required=True, minimum=0, unit="mass"),
                _c("hazard", width=17, form="hazard"),
                _c("route", "choice", width=18),
                _c("unit_cost", "number", minimum=0, unit="money_per_mass"),
            ),
        ),
        Table(
            "history",
            (
                _c("name", required=True, width=24),
                _c("category", "choice", required=True, choices=HISTORY_CATEGORIES, width=16),
                _c("unit", width=8),
                _c("main", "bool", width=8),
                *(_c(key, "number", minimum=0, width=11) for key in HISTORY_YEARS),
            ),
            rows=30,
        ),
        Table(
            "facilities",
            (
                _c("name", required=True, width=24),
                _c("medium", "choice", required=True, width=14),
                _c("pollutant", width=14),
                _c("capacity_unit", width=9),
                _c("design_capacity", "number", minimum=0, width=11),
                _c("throughput", "number", minimum=0, width=11),
                _c("concentration_unit", width=9),
                _c("inlet", "number", minimum=0, width=11),
                _c("outlet", "number", minimum=0, width=11),
                _c("operating_cost", "number", minimum=0, unit="money", width=13),
            ),
        ),
        Table(
            "steps",
            (
                _c("name", required=True, width=26),
                _c("yield", "fraction", required=True, minimum=0),
            ),
        ),
        Table(
            "indicators",
            (
                _c("name", required=True, width=26),
                _c("unit", width=10),
                _c("group", width=14),
                _c("group_weight", "fraction", required=True, minimum=0, width=10),
                _c("weight_in_group", "fraction", required=True, minimum=0, width=10),
                _c("lower_is_better", "bool", width=9),
                _c("level_1", "number", required=True),
                _c("level_2", "number", required=True),
                _c("level_3", "number", required=True),
                _c("value", "number"),
                _c("limiting", "bool", width=9),
                _c("value_after", "number"),
            ),
            rows=30,
        ),
        Table("focus", (_c("name", required=True, width=22),), rows=15, ratings=FOCUS_FACTORS),
        Table(
            "targets",
            (
                _c("name", required=True, width=26),
                _c("unit", width=10),
                _c("lower_is_better", "bool", width=9),
                _c("baseline", "number", required=True),
                _c("near_term", "number"),
                _c("long_term", "number"),
                _c("achieved", "number"),
            ),
        ),
        Table(
            "components",
            (
                _c("name", required=True, width=16),
                _c("unit", "choice", width=10),
            ),
            rows=MAX_COMPONENTS,
            spare_rows=0,
            grows=False,
        ),
        Table(
            "streams",
            (
                _c("name", required=True, width=20),
                _c("source", width=16),
                _c("target", width=16),
                _c("measured", "number", minimum=0, unit="mass"),
                _c("sigma", "number", minimum=0, unit="mass"),
                *(_c(f"content_{k}", "number", minimum=0, width=11) for k in range(1, MAX_COMPONENTS + 1)),
                *(_c(f"content_sigma_{k}", "number", minimum=0, width=11) for k in range(1, MAX_COMPONENTS + 1)),
            ),
            rows=60,
        ),
        Table(
            "units",
            (
                _c("name", required=True, width=18),
                _c("stock_change", "number", unit="mass"),
            ),
            rows=30,
        ),
        Table(
            "water",
            (
                _c("name", required=True, width=22),
                _c("fresh", "number", required=True, minimum=0),
                _c("reused", "number", minimum=0),
                _c("wastewater", "number", minimum=0),
            ),
            rows=30,
        ),
        Table(
            "causes",
            (
                _c("waste", required=True, width=20),
                _c("aspect", "choice", required=True, width=18),
                _c("cause", required=True, width=50),
            ),
            rows=60,
        ),
        Table(
            "options",
            (
                _c("id", required=True, width=7),
                _c("name", required=True, width=28),
                _c("aspect", "choice", required=True, width=18),
                _c("cost_class", "choice", required=True, width=12),
                _c("technical_ok", "bool", width=9),
                _c("environmental_ok", "bool", width=9),
                _c("economic_ok", "bool", width=9),
                _c("investment", "number", minimum=0, unit="money"),
                _c("saving", "number", unit="money"),
                _c("life", "int", minimum=1, unit="years"),
                _c("pollutant", width=14),
                _c("before", "number", minimum=0),
                _c("after", "number", minimum=0),
                _c("status", "choice", width=12),
                _c("achieved_saving", "number", unit="money"),
                *(_c(key, "number", minimum=0, unit="money") for key in INVESTMENT_PARTS),
                _c("subsidy", "number", minimum=0, unit="money"),
                *(_c(key, "number", unit="money") for key in BENEFIT_PARTS),
                _c("energy_saving", "number"),
                _c("co2_reduction", "number"),
                _c("exclusive_group", width=10),
                _c("requires", width=10),
                _c("actual_investment", "number", minimum=0, unit="money"),
                _c("completed", width=11),
                _c("measured_before", "number", minimum=0),
                _c("measured_after", "number", minimum=0),
            ),
            rows=60,
            ratings=RANKING_FACTORS,
        ),
        Table(
            "continuing",
            (
                _c("action", required=True, width=34),
                _c("owner", width=12),
                _c("due", width=11),
                _c("notes", width=30),
            ),
        ),
    )
}
