"""The audit sheets, stage by stage: what each shows, and every computed cell's formula and cached value.

Cached values come from :mod:`cpxl.core` wherever a core function computes the
quantity; the formula next to it is the native Excel spelling of the same
number, so that the file works with no add-in. The LibreOffice tests recompute
every formula and compare.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import core
from ..audit.model import Audit
from ..audit.schema import ASPECTS, FIELDS, STAGES, TABLES
from .engine import Book, Computed, Placement, Sheet, quote_sheet
from .labels import choice_label

__all__ = ["write_audit"]

TOL = "1E-9"  # slack in threshold comparisons, as in cpxl.core.grading


def _num(x: Any) -> float:
    return 0.0 if x is None else float(x)


def _rows(audit: Audit, table: str) -> int:
    return len(audit.tables[table]) + TABLES[table].spare_rows


class AuditWriter:
    """Writes one audit into a :class:`Book`; keeps the placements that later sheets refer to."""

    def __init__(self, book: Book, audit: Audit):
        self.book = book
        self.audit = audit
        self.lang = book.lang
        self.f = audit.fields
        self.t = audit.tables
        self.places: dict[str, Placement] = {}
        products = self.t["products"]
        self.main_output = sum(_num(p["output"]) for p in products if p["main"])

    def words(self, key: str) -> str:
        return self.book.text(f"word.{key}")

    def q(self, text: str) -> str:
        """A text constant inside a formula."""
        return '"' + text.replace('"', '""') + '"'

    def per_main(self, amount: Any) -> Any:
        if amount is None or self.main_output <= 0:
            return None
        return amount / self.main_output

    # --- sheets -------------------------------------------------------------------------------------

    def write(self) -> None:
        guide = Sheet(self.book, "guide")
        self.team()
        self.company()
        self.pollutants()
        self.benchmark()
        self.focus()
        self.targets()
        self.flowsheet()
        self.balance()
        self.water()
        self.causes()
        self.options()
        self.feasibility()
        self.implementation()
        self.continuing()
        self.dashboard()
        self.guide(guide)

    def guide(self, sheet: Sheet) -> None:
        b, ws = self.book, sheet.ws
        sheet.title("guide")
        ws.write_string(sheet.row, 0, self.f["company"] or "", b.fmt("subtitle"))
        sheet.row += 1
        if self.f["description"]:
            ws.write_string(sheet.row, 0, self.f["description"])
            sheet.row += 1
        sheet.row += 1
        ws.write_string(sheet.row, 0, b.text("guide.how"), b.fmt("subtitle"))
        sheet.row += 1
        for k in range(1, 6):
            ws.write_string(sheet.row, 0, f"{k}. " + b.text(f"guide.how.{k}"))
            sheet.row += 1
        sheet.row += 1
        ws.write_string(sheet.row, 0, b.text("guide.stages"), b.fmt("subtitle"))
        sheet.row += 1
        sheets_of_stage = {
            "planning": ["team"],
            "pre_assessment": ["company", "pollutants", "benchmark", "focus", "targets"],
            "assessment": ["flowsheet", "balance", "water", "causes"],
            "options": ["options"],
            "feasibility": ["feasibility"],
            "implementation": ["implementation", "targets"],
            "continuous": ["continuing", "dashboard"],
        }
        for stage in STAGES:
            ws.write_string(sheet.row, 0, choice_label(stage, self.lang), b.fmt("label"))
            for j, key in enumerate(sheets_of_stage[stage]):
                name = b.text(f"sheet.{key}")
                ws.write_url(sheet.row, 1 + j, f"internal:{quote_sheet(name)}!A1", string=name)
            sheet.row += 1
        sheet.row += 1
        ws.write_string(sheet.row, 0, b.text("guide.legend"), b.fmt("subtitle"))
        sheet.row += 1
        for role, key in (("input", "guide.input"), ("computed", "guide.computed"), ("flag", "guide.flag")):
            ws.write_string(sheet.row, 0, b.text(key), b.fmt(role))
            sheet.row += 1
        sheet.width(0, 60)
        for col in range(1, 6):
            sheet.width(col, 18)
        ws.activate()

    def team(self) -> None:
        sheet = Sheet(self.book, "team")
        sheet.title("team")
        self.places["team"] = sheet.table("team", self.t["team"], _rows(self.audit, "team"), TABLES["team"].keys)
        sheet.title("plan")
        self.places["plan"] = sheet.table("plan", self.t["plan"], _rows(self.audit, "plan"), TABLES["plan"].keys)
        sheet.finish(freeze=False)

    def company(self) -> None:
        sheet = Sheet(self.book, "company")
        sheet.title("company")
        for spec in FIELDS:
            sheet.field(spec.key, spec, self.f[spec.key])
        sheet.width(0, 30)
        sheet.title("products")
        self.places["products"] = sheet.table(
            "products", self.t["products"], _rows(self.audit, "products"), TABLES["products"].keys
        )
        sheet.result(
            "result.main_output", "main_output", "=SUMIFS(products_output,products_main,TRUE)", self.main_output, "num"
        )
        sheet.title("consumption")
        self.places["consumption"] = sheet.table(
            "consumption",
            self.t["consumption"],
            _rows(self.audit, "consumption"),
            TABLES["consumption"].keys,
            [
                Computed(
                    "intensity",
                    'IF(OR({amount}="",N(main_output)<=0),"",{amount}/main_output)',
                    lambda r, v: self.per_main(r["amount"]),
                    "num3",
                )
            ],
        )
        sheet.title("steps")
        self.places["steps"] = sheet.table("steps", self.t["steps"], _rows(self.audit, "steps"), TABLES["steps"].keys)
        sheet.finish(freeze=False)

    def pollutants(self) -> None:
        sheet = Sheet(self.book, "pollutants")
        sheet.title("pollutants")
        mass_unit = (self.f["mass_unit"] or "").strip().casefold()

        def removal(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if r["generated"] is None or r["discharged"] is None or r["generated"] <= 0:
                return None
            return core.reduction(r["generated"], r["discharged"])

        self.places["pollutants"] = sheet.table(
            "pollutants",
            self.t["pollutants"],
            _rows(self.audit, "pollutants"),
            TABLES["pollutants"].keys,
            [
                Computed(
                    "removal",
                    'IF(OR({generated}="",{discharged}="",N({generated})<=0),"",({generated}-{discharged})/{generated})',
                    removal,
                    "pct",
                ),
                Computed(
                    "intensity",
                    'IF(OR({generated}="",N(main_output)<=0),"",{generated}/main_output)',
                    lambda r, v: self.per_main(r["generated"]),
                    "num3",
                ),
                Computed(
                    "mass",
                    'IF(OR({generated}="",{unit}=""),"",IF(TRIM({unit})=TRIM(mass_unit),{generated},""))',
                    lambda r, v: (
                        r["generated"]
                        if r["generated"] is not None
                        and (r["unit"] or "").strip().casefold() == mass_unit
                        and mass_unit
                        else None
                    ),
                    "num",
                ),
            ],
        )
        sheet.finish()

    def benchmark(self) -> None:
        sheet = Sheet(self.book, "benchmark")
        sheet.title("indicators")
        rows = self.t["indicators"]
        values = np.array([np.nan if r["value"] is None else r["value"] for r in rows], dtype=float)
        weights = np.array([_num(r["weight"]) for r in rows], dtype=float)
        groups = [r["group"] for r in rows]
        effective = _effective_weights(weights, values, groups) if rows else None
        lower = np.array([bool(r["lower_is_better"]) for r in rows], dtype=bool)
        levels = [np.array([_num(r[f"level_{k}"]) for r in rows], dtype=float) for k in (1, 2, 3)]
        meets = core.grading.levels_met(values, levels, lower) if rows else None
        index = {id(r): i for i, r in enumerate(rows)}

        def eff(r: dict[str, Any], v: dict[str, Any]) -> Any:
            return None if effective is None else float(effective[index[id(r)]])

        def met(k: int) -> Any:
            def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
                return None if r["value"] is None or meets is None else int(meets[index[id(r)], k - 1])

            return value

        def meets_formula(k: int) -> str:
            compare = f"IF({{lower_is_better}},--({{value}}<={{level_{k}}}),--({{value}}>={{level_{k}}}))"
            if k > 1:
                compare = f"MAX({{meets_{k - 1}}},{compare})"
            return f'IF(OR({{name}}="",{{value}}=""),"",{compare})'

        def level(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if r["value"] is None:
                return None
            return next((k for k in (1, 2, 3) if v[f"meets_{k}"] == 1), 0)

        group_weight = "SUMPRODUCT((indicators_group={group})*indicators_weight)"
        present_weight = '(SUMPRODUCT((indicators_group={group})*(indicators_value<>"")*indicators_weight))'
        self.places["indicators"] = sheet.table(
            "indicators",
            rows,
            _rows(self.audit, "indicators"),
            TABLES["indicators"].keys,
            [
                Computed(
                    "effective",
                    f'IF(OR({{name}}="",{{weight}}=""),"",IF({{value}}="",0,'
                    f"IF({present_weight}=0,0,{{weight}}*{group_weight}/{present_weight})))",
                    eff,
                    "pct",
                ),
                Computed("meets_1", meets_formula(1), met(1), "int", 8),
                Computed("meets_2", meets_formula(2), met(2), "int", 8),
                Computed("meets_3", meets_formula(3), met(3), "int", 8),
                Computed(
                    "level",
                    'IF(OR({name}="",{value}=""),"",IF({meets_1}=1,1,IF({meets_2}=1,2,IF({meets_3}=1,3,0))))',
                    level,
                    "int",
                    9,
                    flag="{cell}=0",
                ),
            ],
        )
        sheet.title("grade")
        scores = [None, None, None]
        if rows and effective is not None:
            scores = list(100.0 * (effective @ meets))
        for k in (1, 2, 3):
            sheet.result(
                f"result.y{k}",
                f"result_y{k}",
                f'=IF(COUNT(indicators_weight)=0,"",100*SUMPRODUCT(indicators_effective,indicators_meets_{k}))',
                scores[k - 1],
                "score",
            )
        # core.grade refuses a limiting indicator without a value and a weighted group with no value at all;
        # the workbook says "values missing" there instead of a grade.
        grade = None
        incomplete = any(r["limiting"] and r["value"] is None for r in rows) or (
            rows and abs(float(effective.sum()) - float(weights.sum())) > 1e-9
        )
        if rows and incomplete:
            grade = self.words("missing")
        elif rows:
            grade = core.grade(
                values, *levels, lower, weights, groups=groups, limiting=[bool(r["limiting"]) for r in rows]
            )
        limits = "SUMPRODUCT((indicators_limiting=TRUE)*(indicators_meets_{k}=0))"
        sheet.result(
            "result.grade",
            "result_grade",
            f'=IF(COUNT(indicators_weight)=0,"",'
            f'IF(OR(SUMPRODUCT((indicators_limiting=TRUE)*(indicators_name<>"")*(indicators_value=""))>0,'
            f"ABS(SUM(indicators_effective)-SUM(indicators_weight))>{TOL}),"
            f"{self.q(self.words('missing'))},"
            f"IF(AND(result_y1>=85-{TOL},{limits.format(k=1)}=0),1,"
            f"IF(AND(result_y2>=85-{TOL},{limits.format(k=2)}=0),2,IF(result_y3>=100-{TOL},3,0)))))",
            grade,
            "int",
            flag="{cell}=0",
        )
        sheet.finish()

    def focus(self) -> None:
        sheet = Sheet(self.book, "focus")
        sheet.title("focus")
        weights = self.audit.weights["focus"]
        n = len(weights)
        scores = [
            None if any(x is None for x in r["ratings"]) else float(core.weighted_score(weights, [r["ratings"]])[0])
            for r in self.t["focus"]
        ]
        by_id = {id(r): s for r, s in zip(self.t["focus"], scores, strict=True)}
        self.places["focus"] = sheet.table(
            "focus",
            self.t["focus"],
            _rows(self.audit, "focus"),
            TABLES["focus"].keys,
            _score_and_rank("focus", "name", n, by_id, scores),
            ratings=weights,
        )
        sheet.finish()

    def targets(self) -> None:
        sheet = Sheet(self.book, "targets")
        sheet.title("targets")

        def change(target_key: str) -> Any:
            def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
                if r["baseline"] is None or r[target_key] is None or r["baseline"] <= 0:
                    return None
                return -core.reduction(r["baseline"], r[target_key])

            return value

        def attained(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if r["achieved"] is None or r["near_term"] is None:
                return None
            ok = r["achieved"] <= r["near_term"] if r["lower_is_better"] else r["achieved"] >= r["near_term"]
            return self.words("attained" if ok else "missed")

        change_formula = 'IF(OR({{baseline}}="",{{{0}}}="",N({{baseline}})<=0),"",({{{0}}}-{{baseline}})/{{baseline}})'
        self.places["targets"] = sheet.table(
            "targets",
            self.t["targets"],
            _rows(self.audit, "targets"),
            TABLES["targets"].keys,
            [
                Computed("near_change", change_formula.format("near_term"), change("near_term"), "pct"),
                Computed("achieved_change", change_formula.format("achieved"), change("achieved"), "pct"),
                Computed(
                    "attained",
                    'IF(OR({achieved}="",{near_term}=""),"",IF(IF({lower_is_better},{achieved}<={near_term},'
                    f"{{achieved}}>={{near_term}}),{self.q(self.words('attained'))},{self.q(self.words('missed'))}))",
                    attained,
                    "general",
                    flag=f"{{cell}}={self.q(self.words('missed'))}",
                ),
            ],
        )
        sheet.finish()

    def flowsheet(self) -> None:
        sheet = Sheet(self.book, "flowsheet")
        sheet.title("streams")
        streams = self.t["streams"]
        rows = _rows(self.audit, "streams")
        result = None
        if streams:
            try:
                result = core.reconcile(
                    [s["source"] for s in streams],
                    [s["target"] for s in streams],
                    [s["measured"] for s in streams],
                    [s["sigma"] for s in streams],
                    names=[s["name"] for s in streams],
                )
            except core.CPError:
                result = None
        place = sheet.table("streams", streams, rows, TABLES["streams"].keys)
        self.places["streams"] = place
        # The reconciled columns spill from CP_RECONCILE (the add-in); without it they say so.
        fallback = self.q(self.words("needs_addin"))
        args = "streams_source,streams_target,streams_measured,streams_sigma"
        col0 = len(TABLES["streams"].keys)
        outputs = (("reconciled", "value", "num"), ("reconciled_sigma", "sigma", "num"), ("status", "status", "text"))
        for j, (key, output, kind) in enumerate(outputs):
            col = col0 + j
            sheet.ws.write_string(
                place.first_row - 1, col, self.book.text(f"col.streams.{key}"), self.book.fmt("header")
            )
            sheet.width(col, 16 if kind == "num" else 22)
            values: list[Any] = [None] * rows
            if result is not None:
                for i in range(len(streams)):
                    x = result[output][i]
                    values[i] = (
                        None if isinstance(x, float) and math.isnan(x) else (float(x) if kind == "num" else str(x))
                    )
            formula = f'=IFERROR(CP_RECONCILE({args},"{output}"),{fallback})'
            fmt = self.book.fmt("computed", kind)
            sheet.ws.write_dynamic_array_formula(
                place.first_row, col, place.first_row + rows - 1, col, formula, fmt, _cell(values[0])
            )
            for i in range(1, rows):
                value = values[i]
                if isinstance(value, float):
                    sheet.ws.write_number(place.first_row + i, col, value, fmt)
                elif value:
                    sheet.ws.write_string(place.first_row + i, col, value, fmt)
                else:
                    sheet.ws.write_blank(place.first_row + i, col, None, fmt)
        sheet.finish()

    def unit_results(self) -> list[dict[str, Any]]:
        """Per unit, what the balance sheet's formulas compute: Σ in, Σ out, unmeasured, closure, flag."""
        streams = self.t["streams"]
        tolerance = self.f["closure_tolerance"]
        results = []
        for unit in self.t["units"]:
            name = unit["name"]
            inflow = sum(_num(s["measured"]) for s in streams if s["target"] == name)
            outflow = sum(_num(s["measured"]) for s in streams if s["source"] == name)
            unmeasured = sum(1 for s in streams if name in (s["source"], s["target"]) and s["measured"] is None)
            closure = core.balance_closure(inflow, outflow, unit["stock_change"]) if inflow else None
            if closure is None:
                flag = None
            elif unmeasured:
                flag = self.words("incomplete")
            else:
                flag = self.words("check" if abs(closure) > tolerance else "ok")
            results.append(
                {"inflow": inflow, "outflow": outflow, "unmeasured": unmeasured, "closure": closure, "flag": flag}
            )
        return results

    def balance(self) -> None:
        sheet = Sheet(self.book, "balance")
        sheet.title("balance")
        streams = self.t["streams"]
        results = {id(u): r for u, r in zip(self.t["units"], self.unit_results(), strict=True)}

        def result(key: str) -> Any:
            return lambda r, v: results[id(r)][key]

        check = self.q(self.words("check"))
        self.places["units"] = sheet.table(
            "units",
            self.t["units"],
            _rows(self.audit, "units"),
            TABLES["units"].keys,
            [
                Computed(
                    "inflow", 'IF({name}="","",SUMIFS(streams_measured,streams_target,{name}))', result("inflow"), "num"
                ),
                Computed(
                    "outflow",
                    'IF({name}="","",SUMIFS(streams_measured,streams_source,{name}))',
                    result("outflow"),
                    "num",
                ),
                Computed(
                    "unmeasured",
                    'IF({name}="","",SUMPRODUCT(((streams_target={name})+(streams_source={name}))'
                    '*(streams_measured="")*(streams_name<>"")))',
                    result("unmeasured"),
                    "int",
                ),
                Computed(
                    "closure",
                    'IF(OR({name}="",N({inflow})=0),"",({inflow}-{outflow}-N({stock_change}))/{inflow})',
                    result("closure"),
                    "pct",
                    flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
                ),
                Computed(
                    "flag",
                    f'IF({{closure}}="","",IF({{unmeasured}}>0,{self.q(self.words("incomplete"))},'
                    f"IF(ABS({{closure}})>closure_tolerance,{check},{self.q(self.words('ok'))})))",
                    result("flag"),
                    "general",
                    20,
                    flag=f"{{cell}}={check}",
                ),
            ],
        )
        sheet.row += 1
        inflow = sum(_num(s["measured"]) for s in streams if s["source"] is None and s["target"] is not None)
        outflow = sum(_num(s["measured"]) for s in streams if s["target"] is None and s["source"] is not None)
        stock = sum(_num(u["stock_change"]) for u in self.t["units"])
        sheet.ws.write_string(sheet.row, 0, self.words("system"), self.book.fmt("subtitle"))
        sheet.row += 1
        sheet.result(
            "col.units.inflow",
            "result_system_inflow",
            '=SUMPRODUCT((streams_source="")*(streams_target<>""),streams_measured)',
            inflow,
            "num",
        )
        sheet.result(
            "col.units.outflow",
            "result_system_outflow",
            '=SUMPRODUCT((streams_target="")*(streams_source<>""),streams_measured)',
            outflow,
            "num",
        )
        sheet.result("col.units.stock_change", "result_system_stock", "=SUM(units_stock_change)", stock, "num")
        sheet.result(
            "result.system_closure",
            "result_system_closure",
            '=IF(N(result_system_inflow)=0,"",(result_system_inflow-result_system_outflow-result_system_stock)'
            "/result_system_inflow)",
            core.balance_closure(inflow, outflow, stock) if inflow > 0 else None,
            "pct",
            flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
        )
        checks = sum(1 for r in results.values() if r["flag"] == self.words("check"))
        sheet.result(
            "result.units_to_check",
            "result_units_to_check",
            f"=COUNTIF(units_flag,{check})",
            checks,
            "int",
            flag="{cell}>0",
        )
        sheet.finish()

    def water(self) -> None:
        sheet = Sheet(self.book, "water")
        sheet.title("water")

        def rate(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if _num(r["fresh"]) + _num(r["reused"]) <= 0:
                return None
            return core.reuse_rate(_num(r["fresh"]), _num(r["reused"]))

        rows = self.t["water"]
        self.places["water"] = sheet.table(
            "water",
            rows,
            _rows(self.audit, "water"),
            TABLES["water"].keys,
            [
                Computed(
                    "reuse_rate",
                    'IF(OR({name}="",N({fresh})+N({reused})<=0),"",N({reused})/(N({fresh})+N({reused})))',
                    rate,
                    "pct",
                )
            ],
        )
        fresh = sum(_num(r["fresh"]) for r in rows)
        reused = sum(_num(r["reused"]) for r in rows)
        sheet.row += 1
        sheet.result("col.water.fresh", "result_water_fresh", "=SUM(water_fresh)", fresh, "num")
        sheet.result("col.water.reused", "result_water_reused", "=SUM(water_reused)", reused, "num")
        sheet.result(
            "col.water.wastewater",
            "result_water_wastewater",
            "=SUM(water_wastewater)",
            sum(_num(r["wastewater"]) for r in rows),
            "num",
        )
        sheet.result(
            "result.water_reuse",
            "result_water_reuse",
            '=IF(result_water_fresh+result_water_reused<=0,"",result_water_reused/(result_water_fresh+result_water_reused))',
            core.reuse_rate(fresh, reused) if fresh + reused > 0 else None,
            "pct",
        )
        sheet.result(
            "result.fresh_water_intensity",
            "result_fresh_water_intensity",
            '=IF(N(main_output)<=0,"",result_water_fresh/main_output)',
            self.per_main(fresh),
            "num3",
        )
        sheet.finish()

    def causes(self) -> None:
        sheet = Sheet(self.book, "causes")
        sheet.title("causes")
        self.places["causes"] = sheet.table(
            "causes", self.t["causes"], _rows(self.audit, "causes"), TABLES["causes"].keys
        )
        sheet.title("causes_summary")
        for aspect in ASPECTS:
            text = choice_label(aspect, self.lang)
            count = sum(1 for c in self.t["causes"] if c["aspect"] == aspect)
            sheet.ws.write_string(sheet.row, 0, text, self.book.fmt("label"))
            sheet.ws.write_formula(
                sheet.row, 1, f"=COUNTIF(causes_aspect,{self.q(text)})", self.book.fmt("computed", "int"), count
            )
            sheet.row += 1
        sheet.finish()

    def options(self) -> None:
        sheet = Sheet(self.book, "options")
        sheet.title("options")
        rows = self.t["options"]
        weights = self.audit.weights["options"]
        n = len(weights)
        scores = [
            None if any(x is None for x in r["ratings"]) else float(core.weighted_score(weights, [r["ratings"]])[0])
            for r in rows
        ]
        by_id = {id(r): s for r, s in zip(rows, scores, strict=True)}
        inputs = ("id", "name", "aspect", "cost_class", "technical_ok", "environmental_ok", "economic_ok")
        place = sheet.table(
            "options",
            rows,
            _rows(self.audit, "options"),
            inputs,
            [
                Computed(
                    "passed",
                    'IF({id}="","",AND({technical_ok}=TRUE,{environmental_ok}=TRUE,{economic_ok}=TRUE))',
                    lambda r, v: bool(r["technical_ok"] and r["environmental_ok"] and r["economic_ok"]),
                    "general",
                    10,
                ),
                *_score_and_rank("options", "id", n, by_id, scores),
            ],
            ratings=weights,
        )
        self.places["options"] = place
        sheet.finish()

    def feasibility(self) -> None:
        sheet = Sheet(self.book, "feasibility")
        sheet.title("feasibility")
        register = self.places["options"]
        tax, rate = self.f["tax_rate"], self.f["discount_rate"]

        def economics(r: dict[str, Any]) -> bool:
            return r["investment"] is not None and r["saving"] is not None and bool(r["life"])

        def with_economics(fn: Any) -> Any:
            return lambda r, v: fn(r, v) if economics(r) else None

        def payback(r: dict[str, Any], v: dict[str, Any]) -> Any:
            try:
                return core.payback(r["investment"], v["cash_flow"])
            except core.CPError:
                return self.words("never")

        def pretax(r: dict[str, Any], v: dict[str, Any]) -> Any:
            try:
                return core.payback(r["investment"], r["saving"])
            except core.CPError:
                return self.words("never")

        def irr(r: dict[str, Any], v: dict[str, Any]) -> Any:
            try:
                return core.irr(r["investment"], v["cash_flow"], int(r["life"]))
            except core.CPError:
                return self.words("no_irr")

        guard = 'IF(OR({id}="",{investment}="",{saving}="",N({life})<=0),"",'
        self.places["feasibility"] = sheet.table(
            "options",
            self.t["options"],
            register.rows,
            ("investment", "saving", "life"),
            [
                Computed(
                    "depreciation",
                    guard + "{investment}/{life})",
                    with_economics(lambda r, v: r["investment"] / r["life"]),
                    "num",
                ),
                Computed(
                    "taxable",
                    guard + "{saving}-{depreciation})",
                    with_economics(lambda r, v: r["saving"] - v["depreciation"]),
                    "num",
                ),
                Computed(
                    "net_profit",
                    guard + "IF({taxable}>0,{taxable}*(1-tax_rate),{taxable}))",
                    with_economics(lambda r, v: v["taxable"] * (1 - tax) if v["taxable"] > 0 else v["taxable"]),
                    "num",
                ),
                Computed(
                    "cash_flow",
                    guard + "{net_profit}+{depreciation})",
                    with_economics(lambda r, v: core.cash_flow(r["saving"], r["investment"], r["life"], tax)),
                    "num",
                ),
                Computed(
                    "payback",
                    guard + f"IF({{cash_flow}}>0,{{investment}}/{{cash_flow}},{self.q(self.words('never'))}))",
                    with_economics(payback),
                    "years",
                ),
                Computed(
                    "payback_pretax",
                    guard + f"IF({{saving}}>0,{{investment}}/{{saving}},{self.q(self.words('never'))}))",
                    with_economics(pretax),
                    "years",
                ),
                Computed(
                    "npv",
                    guard + "-PV(discount_rate,{life},{cash_flow})-{investment})",
                    with_economics(lambda r, v: core.npv(rate, r["investment"], v["cash_flow"], int(r["life"]))),
                    "num",
                    flag="AND(ISNUMBER({cell}),N({cell})<0)",
                ),
                Computed(
                    "npvr",
                    guard + 'IF(N({investment})>0,{npv}/{investment},""))',
                    with_economics(lambda r, v: v["npv"] / r["investment"] if r["investment"] > 0 else None),
                    "pct",
                ),
                Computed(
                    "irr",
                    guard + f"IF(AND(N({{investment}})>0,{{cash_flow}}>0),"
                    f"RATE({{life}},{{cash_flow}},-{{investment}}),{self.q(self.words('no_irr'))}))",
                    with_economics(irr),
                    "pct",
                ),
            ],
            refs=[("id", register, "col.options.id"), ("name", register, "col.options.name")],
        )
        sheet.title("environment")
        self.places["environment"] = sheet.table(
            "options",
            self.t["options"],
            register.rows,
            ("pollutant", "before", "after"),
            [
                Computed(
                    "reduction",
                    'IF(OR({before}="",{after}="",N({before})<=0),"",({before}-{after})/{before})',
                    lambda r, v: (
                        core.reduction(r["before"], r["after"])
                        if r["before"] is not None and r["after"] is not None and r["before"] > 0
                        else None
                    ),
                    "pct",
                )
            ],
            refs=[("id", register, "col.options.id"), ("name", register, "col.options.name")],
        )
        sheet.finish()

    def implementation(self) -> None:
        sheet = Sheet(self.book, "implementation")
        sheet.title("implementation")
        register = self.places["options"]
        self.places["implementation"] = sheet.table(
            "options",
            self.t["options"],
            register.rows,
            ("status", "achieved_saving"),
            refs=[
                ("id", register, "col.options.id"),
                ("name", register, "col.options.name"),
                ("cost_class", register, "col.options.cost_class"),
            ],
        )
        sheet.finish()

    def continuing(self) -> None:
        sheet = Sheet(self.book, "continuing")
        sheet.title("continuing")
        self.places["continuing"] = sheet.table(
            "continuing", self.t["continuing"], _rows(self.audit, "continuing"), TABLES["continuing"].keys
        )
        sheet.finish()

    def dashboard(self) -> None:
        sheet = Sheet(self.book, "dashboard")
        sheet.title("dashboard")
        t, f, q = self.t, self.f, self.q
        amount = {
            c: sum(_num(r["amount"]) for r in t["consumption"] if r["category"] == c)
            for c in ("raw_material", "auxiliary", "water")
        }
        cat = {c: f"SUMIFS(consumption_amount,consumption_category,{q(choice_label(c, self.lang))})" for c in amount}
        main = self.main_output
        fed = amount["raw_material"] + amount["auxiliary"]
        with warnings.catch_warnings():  # a negative ELF is flagged red in the sheet itself
            warnings.simplefilter("ignore", core.CPWarning)
            elf = core.elf(fed, main) if main > 0 and fed > 0 else None
        pmi = core.pmi(fed + amount["water"], main) if main > 0 and fed + amount["water"] > 0 else None
        mass_unit = (f["mass_unit"] or "").strip().casefold()
        wastes = [
            r["generated"]
            for r in t["pollutants"]
            if r["generated"] is not None and (r["unit"] or "").strip().casefold() == mass_unit and mass_unit
        ]
        efactor = core.efactor(wastes, main) if main > 0 and wastes else None
        yields = [r["yield"] for r in t["steps"] if r["yield"] is not None]
        overall = core.overall_yield(yields) if yields and all(0 < y <= 1 for y in yields) else None
        sheet.result("result.main_output", "result_main_output", "=main_output", main, "num")
        sheet.result(
            "result.elf",
            "result_elf",
            f'=IF(OR(N(main_output)<=0,{cat["raw_material"]}+{cat["auxiliary"]}<=0),"",'
            f"({cat['raw_material']}+{cat['auxiliary']}-main_output)/main_output)",
            elf,
            "num3",
            flag="AND(ISNUMBER({cell}),N({cell})<0)",
        )
        sheet.result(
            "result.pmi",
            "result_pmi",
            f'=IF(OR(N(main_output)<=0,{cat["raw_material"]}+{cat["auxiliary"]}+{cat["water"]}<=0),"",'
            f"({cat['raw_material']}+{cat['auxiliary']}+{cat['water']})/main_output)",
            pmi,
            "num3",
        )
        sheet.result(
            "result.efactor",
            "result_efactor",
            '=IF(OR(N(main_output)<=0,COUNT(pollutants_mass)=0),"",SUM(pollutants_mass)/main_output)',
            efactor,
            "num3",
        )
        sheet.result(
            "result.overall_yield",
            "result_overall_yield",
            '=IF(COUNT(steps_yield)=0,"",PRODUCT(steps_yield))',
            overall,
            "pct",
        )
        sheet.result(
            "result.grade",
            "result_grade_copy",
            "=result_grade",
            self._cached_of("result_grade"),
            "int",
            flag="{cell}=0",
        )
        sheet.result(
            "result.system_closure",
            "result_system_closure_copy",
            "=result_system_closure",
            self._cached_of("result_system_closure"),
            "pct",
            flag="AND(ISNUMBER({cell}),ABS(N({cell}))>closure_tolerance)",
        )
        sheet.result(
            "result.units_to_check",
            "result_units_to_check_copy",
            "=result_units_to_check",
            self._cached_of("result_units_to_check"),
            "int",
            flag="{cell}>0",
        )
        sheet.result(
            "result.water_reuse",
            "result_water_reuse_copy",
            "=result_water_reuse",
            self._cached_of("result_water_reuse"),
            "pct",
        )
        options = t["options"]
        passed = [o for o in options if o["technical_ok"] and o["environmental_ok"] and o["economic_ok"]]
        sheet.result("result.options_count", "result_options_count", '=COUNTIF(options_id,"?*")', len(options), "int")
        sheet.result(
            "result.options_passed", "result_options_passed", "=COUNTIF(options_passed,TRUE)", len(passed), "int"
        )
        sheet.result(
            "result.options_done",
            "result_options_done",
            f"=COUNTIF(options_status,{q(choice_label('done', self.lang))})",
            sum(1 for o in options if o["status"] == "done"),
            "int",
        )
        sheet.result(
            "result.investment",
            "result_investment",
            "=SUMIFS(options_investment,options_passed,TRUE)",
            sum(_num(o["investment"]) for o in passed),
            "int",
        )
        sheet.result(
            "result.saving",
            "result_saving",
            "=SUMIFS(options_saving,options_passed,TRUE)",
            sum(_num(o["saving"]) for o in passed),
            "int",
        )
        sheet.result(
            "result.achieved_saving",
            "result_achieved_saving",
            "=SUM(options_achieved_saving)",
            sum(_num(o["achieved_saving"]) for o in options),
            "int",
        )
        met = self.words("attained")
        sheet.result(
            "result.targets_met",
            "result_targets_met",
            f"=COUNTIF(targets_attained,{q(met)})",
            sum(
                1
                for r in t["targets"]
                if r["achieved"] is not None
                and r["near_term"] is not None
                and (r["achieved"] <= r["near_term"] if r["lower_is_better"] else r["achieved"] >= r["near_term"])
            ),
            "int",
        )
        sheet.width(0, 44)
        sheet.width(1, 16)
        self.pareto(sheet)
        self.charts(sheet)
        sheet.finish(freeze=False)

    def _cached_of(self, name: str) -> Any:
        """The cached value of a named single-cell result written earlier."""
        return self.book.values[name]

    def pareto(self, sheet: Sheet) -> None:
        """The five largest waste streams in the mass unit, with their cumulative share."""
        ws, b = sheet.ws, self.book
        ws.write_string(0, 3, b.text("title.pareto"), b.fmt("subtitle"))
        start = 1
        ws.write_string(start, 3, b.text("col.pollutants.name"), b.fmt("header"))
        ws.write_string(start, 4, b.text("col.pollutants.generated"), b.fmt("header"))
        ws.write_string(start, 5, b.text("result.share"), b.fmt("header"))
        mass_unit = (self.f["mass_unit"] or "").strip().casefold()
        rows = [
            (r["name"], r["generated"])
            for r in self.t["pollutants"]
            if r["generated"] is not None and (r["unit"] or "").strip().casefold() == mass_unit and mass_unit
        ]
        values = sorted((g for _, g in rows), reverse=True)
        total = sum(values)
        running = 0.0
        for k in range(5):
            r = start + 1 + k
            value = values[k] if k < len(values) else None
            name = next(n for n, g in rows if g == value) if value is not None else None
            running += value or 0.0
            ws.write_formula(
                r,
                4,
                f'=IFERROR(LARGE(pollutants_mass,{k + 1}),"")',
                b.fmt("computed", "num"),
                "" if value is None else value,
            )
            ws.write_formula(
                r,
                3,
                f'=IF(E{r + 1}="","",INDEX(pollutants_name,MATCH(E{r + 1},pollutants_mass,0)))',
                b.fmt("computed", "text"),
                name or "",
            )
            ws.write_formula(
                r,
                5,
                f'=IF(OR(E{r + 1}="",N(SUM(pollutants_mass))=0),"",SUM(E${start + 2}:E{r + 1})/SUM(pollutants_mass))',
                b.fmt("computed", "pct"),
                "" if value is None or total == 0 else running / total,
            )
        sheet.width(3, 26)
        sheet.width(4, 14)
        sheet.width(5, 14)
        self.pareto_rows = (start + 1, start + 5)

    def charts(self, sheet: Sheet) -> None:
        b, ws = self.book, sheet.ws
        first, last = self.pareto_rows
        name = quote_sheet(sheet.name)
        chart = b.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": b.text("col.pollutants.generated"),
                "categories": f"={name}!$D${first + 1}:$D${last + 1}",
                "values": f"={name}!$E${first + 1}:$E${last + 1}",
                "fill": {"color": "#C55A11"},
            }
        )
        line = b.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": b.text("result.share"),
                "categories": f"={name}!$D${first + 1}:$D${last + 1}",
                "values": f"={name}!$F${first + 1}:$F${last + 1}",
                "y2_axis": True,
                "marker": {"type": "circle"},
            }
        )
        chart.combine(line)
        chart.set_title({"name": b.text("title.pareto")})
        chart.set_legend({"position": "bottom"})
        line.set_y2_axis({"min": 0, "max": 1, "num_format": "0%"})
        ws.insert_chart(last + 2, 3, chart, {"x_scale": 1.1, "y_scale": 1.0})
        # Reduction of its pollutant by each option registered when the workbook was built.
        env = self.places["environment"]
        count = max(1, len(self.t["options"]))
        ids, values = env.range("id", count), env.range("reduction", count)
        bars = b.wb.add_chart({"type": "bar"})
        bars.add_series(
            {
                "name": b.text("col.options.reduction"),
                "categories": f"={ids}",
                "values": f"={values}",
                "fill": {"color": "#70AD47"},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        bars.set_title({"name": b.text("title.reductions")})
        bars.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
        bars.set_y_axis({"reverse": True})
        bars.set_legend({"none": True})
        ws.insert_chart(last + 18, 3, bars, {"x_scale": 1.1, "y_scale": 1.0})


def _score_and_rank(table: str, key: str, n: int, by_id: dict[int, Any], scores: list[Any]) -> list[Computed]:
    """Weighted score of a row's ratings (blank until all n are given) and its rank among the rows."""
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
            lambda r, v: _rank(by_id[id(r)], scores),
            "int",
            8,
        ),
    ]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _rank(score: float | None, scores: list[float | None]) -> int | None:
    """Excel's RANK (descending): 1 + the number of strictly larger scores."""
    if score is None:
        return None
    return 1 + sum(1 for s in scores if s is not None and s > score)


def _effective_weights(weights: Any, values: Any, groups: list[Any]) -> Any:
    """core's effective weights, with a group that has no value at all contributing 0 (as the formulas do)."""
    empty = [g for g in dict.fromkeys(groups) if np.isnan(values[np.array([x == g for x in groups])]).all()]
    keep = np.array([g not in empty for g in groups])
    effective = np.zeros_like(weights)
    if keep.any():
        kept_groups = [g for g, k in zip(groups, keep, strict=True) if k]
        effective[keep] = core.grading.effective_weights(weights[keep], values[keep], kept_groups)
    return effective


def write_audit(book: Book, audit: Audit) -> None:
    """Write every sheet of *audit* into *book*."""
    AuditWriter(book, audit).write()
