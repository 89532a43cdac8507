"""Audit files of earlier schema versions: the one place that upgrades them to the current one.

A file records the schema version it was written with (``schema_version``).
:func:`upgrade` turns the plain data of an older version into the current
version's, exactly, before validation; the validation then speaks of the
current schema. Imports nothing but the schema.

Versions
--------
1
    Indicators carried one composite ``weight`` each (first-level weight times
    second-level weight).
2
    Indicators carry the two published levels: ``group_weight`` (the weight of
    the indicator's first-level group, 一级指标权重) and ``weight_in_group``
    (its weight within the group, 二级指标分权重); the composite is their product.
3
    Component balances: a ``components`` table (name, unit of content; at most
    four) and, per stream, the measured content of each component and its
    uncertainty (``content_1`` .. ``content_4``, ``content_sigma_1`` ..
    ``content_sigma_4``). A version 2 file has no components: it upgrades by
    its version number alone.
"""

from __future__ import annotations

from typing import Any

from .schema import SCHEMA_VERSION

__all__ = ["names_added_since", "upgrade"]

#: The fields of a version 2 audit, and the columns of its tables: what a workbook of version 2 names.
V2_FIELDS = (
    "company",
    "industry",
    "location",
    "audit_period",
    "employees",
    "description",
    "mass_unit",
    "currency",
    "discount_rate",
    "tax_rate",
    "closure_tolerance",
)
V2_COLUMNS = {
    "team": ("name", "role", "department", "title", "specialty", "duties", "time"),
    "plan": ("stage", "task", "start", "end", "owner", "output"),
    "products": ("name", "unit", "output", "main"),
    "consumption": ("name", "category", "unit", "amount"),
    "pollutants": ("name", "medium", "unit", "generated", "discharged"),
    "steps": ("name", "yield"),
    "indicators": (
        "name",
        "unit",
        "group",
        "group_weight",
        "weight_in_group",
        "lower_is_better",
        "level_1",
        "level_2",
        "level_3",
        "value",
        "limiting",
    ),
    "focus": ("name",),
    "targets": ("name", "unit", "lower_is_better", "baseline", "near_term", "long_term", "achieved"),
    "streams": ("name", "source", "target", "measured", "sigma"),
    "units": ("name", "stock_change"),
    "water": ("name", "fresh", "reused", "wastewater"),
    "causes": ("waste", "aspect", "cause"),
    "options": (
        "id",
        "name",
        "aspect",
        "cost_class",
        "technical_ok",
        "environmental_ok",
        "economic_ok",
        "investment",
        "saving",
        "life",
        "pollutant",
        "before",
        "after",
        "status",
        "achieved_saving",
    ),
    "continuing": ("action", "owner", "due", "notes"),
}


def names_added_since(version: int) -> frozenset[str]:
    """The defined names of the fields and table columns that a workbook built with schema *version* lacks.

    A workbook keeps the schema version it was built with; what later versions added is not missing from it,
    only blank. Versions before 2 give the names added since 2 (their workbooks differ in more, which the
    reader reports).

    Examples
    --------
    >>> added = names_added_since(2)
    >>> "budget" in added, "streams_content_1" in added, "streams_measured" in added
    (True, True, False)
    >>> names_added_since(SCHEMA_VERSION)
    frozenset()
    """
    from .schema import FIELDS, TABLES

    if version >= SCHEMA_VERSION:
        return frozenset()
    fields = {f.key for f in FIELDS} - set(V2_FIELDS)
    columns = {
        f"{table}_{column}"
        for table, spec in TABLES.items()
        for column in spec.keys
        if column not in V2_COLUMNS.get(table, ())
    }
    return frozenset(fields | columns)


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """The plain audit *data* of an earlier schema version as data of the current one (a new dict).

    Version 1 to 2: each group's weight is the sum of the composite weights of
    its indicators (indicators without a group form one group), and each
    indicator's weight in its group is its composite weight over that sum, so
    that their product is the composite weight given. Version 2 to 3 adds
    nothing a file must give (no components). Data of the current version, or
    of an unknown one, is returned unchanged (validation reports the latter).

    Parameters
    ----------
    data : dict
        An audit as plain data, e.g. a loaded YAML file [-]

    Returns
    -------
    data : dict
        The same audit in the current schema version [-]

    Examples
    --------
    >>> old = {"schema_version": 1, "tables": {"indicators": [
    ...     {"name": "water", "group": "resources", "weight": 0.3},
    ...     {"name": "energy", "group": "resources", "weight": 0.2},
    ...     {"name": "COD", "group": "pollution", "weight": 0.5}]}}
    >>> new = upgrade(old)
    >>> new["schema_version"], [(r["group_weight"], r["weight_in_group"]) for r in new["tables"]["indicators"]]
    (3, [(0.5, 0.6), (0.5, 0.4), (0.5, 1.0)])
    >>> upgrade({"schema_version": 2, "fields": {"company": "X"}})
    {'schema_version': 3, 'fields': {'company': 'X'}}
    """
    version = data.get("schema_version")
    if version not in (1, 2) or isinstance(version, bool):
        return data
    data = dict(data)
    data["schema_version"] = SCHEMA_VERSION
    if version == 2:
        return data
    tables = data.get("tables")
    if not isinstance(tables, dict) or not isinstance(tables.get("indicators"), list):
        return data
    records = [dict(r) if isinstance(r, dict) else r for r in tables["indicators"]]
    totals: dict[Any, float] = {}
    for record in records:
        if isinstance(record, dict) and _number(record.get("weight")):
            key = _group_key(record.get("group"))
            totals[key] = totals.get(key, 0.0) + float(record["weight"])
    for record in records:
        if not isinstance(record, dict) or "weight" not in record:
            continue
        weight = record.pop("weight")
        total = totals.get(_group_key(record.get("group")), 0.0)
        if _number(weight) and total > 0:
            record.setdefault("group_weight", round(total, 12))
            record.setdefault("weight_in_group", round(float(weight) / total, 12))
        else:  # nothing to derive from: keep the value where validation will name it
            record.setdefault("weight_in_group", weight)
    data["tables"] = {**tables, "indicators": records}
    return data


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _group_key(group: Any) -> Any:
    return group.strip() if isinstance(group, str) else group
