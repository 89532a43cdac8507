"""Stage 2, pre-assessment: company, consumption, pollutants, benchmarking and grade, audit focus, targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import core
from ...audit.schema import FIELDS, TABLES
from ..engine import Computed, Sheet
from .context import TOL, Context, num, score_and_rank


def company(ctx: Context) -> None:
    """Company fields, products with the main product's output, consumption per unit of product, steps."""
    sheet = Sheet(ctx.book, "company")
    sheet.title("company")
    for spec in FIELDS:
        if spec.sheet == "company":  # the others are shown with their tables
            sheet.field(spec.key, spec, ctx.f[spec.key])
    sheet.width(0, 30)
    sheet.result(
        "result.main_output", "main_output", f"=SUMIFS(products_output,products_main,{ctx.yes})", ctx.main_output, "num"
    )
    ctx.places["products"] = sheet.table(
        "products", "products", ctx.t["products"], ctx.rows("products"), TABLES["products"].keys
    )
    sheet.beside()
    ctx.places["consumption"] = sheet.table(
        "consumption",
        "consumption",
        ctx.t["consumption"],
        ctx.rows("consumption"),
        TABLES["consumption"].keys,
        [
            Computed(
                "intensity",
                'IF(OR({amount}="",N(main_output)<=0),"",{amount}/main_output)',
                lambda r, v: ctx.per_main(r["amount"]),
                "num3",
            )
        ],
    )
    sheet.beside()
    ctx.places["steps"] = sheet.table("steps", "steps", ctx.t["steps"], ctx.rows("steps"), TABLES["steps"].keys)
    sheet.finish(freeze=False)


def pollutants(ctx: Context) -> None:
    """Generation and discharge of pollutants: removal rate and generation per unit of product."""
    sheet = Sheet(ctx.book, "pollutants")
    mass_unit = (ctx.f["mass_unit"] or "").strip().casefold()

    def removal(r: dict[str, Any], v: dict[str, Any]) -> Any:
        if r["generated"] is None or r["discharged"] is None or r["generated"] <= 0:
            return None
        return core.reduction(r["generated"], r["discharged"])

    ctx.places["pollutants"] = sheet.table(
        "pollutants",
        "pollutants",
        ctx.t["pollutants"],
        ctx.rows("pollutants"),
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
                lambda r, v: ctx.per_main(r["generated"]),
                "num3",
            ),
            Computed(
                "mass",
                'IF(OR({generated}="",{unit}=""),"",IF(TRIM({unit})=TRIM(mass_unit),{generated},""))',
                lambda r, v: (
                    r["generated"]
                    if r["generated"] is not None and (r["unit"] or "").strip().casefold() == mass_unit and mass_unit
                    else None
                ),
                "num",
                unit="mass",
            ),
        ],
    )
    sheet.finish()


def wastes(ctx: Context) -> None:
    """Waste streams (the EPA waste-stream worksheets): quantity, hazardous-waste class, route, annual cost.

    Its own sheet in pre-assessment, after the pollutants: the status survey lists the wastes and what their
    disposal costs, and the audit focus, chosen next, weighs that environmental cost (``2 Focus`` adds up the
    cost of the wastes arising in each candidate area). Above the table: the totals, the part that is
    hazardous, the cost per unit of main product, and the hazardous wastes with no route, flagged.
    """
    sheet = Sheet(ctx.book, "wastes")
    sheet.title("waste_streams")
    rows = ctx.t["wastes"]
    hazardous = [r for r in rows if r["hazard"]]
    cost = sum(num(r["quantity"]) * num(r["unit_cost"]) for r in rows if costed(r))
    sheet.result(
        "result.wastes_quantity",
        "result_wastes_quantity",
        "=SUM(wastes_quantity)",
        sum(num(r["quantity"]) for r in rows),
        "num",
    )
    sheet.result(
        "result.wastes_hazardous",
        "result_wastes_hazardous",
        '=SUMPRODUCT(--(wastes_hazard<>""),wastes_quantity)',
        sum(num(r["quantity"]) for r in hazardous),
        "num",
    )
    sheet.result("result.wastes_cost", "result_wastes_cost", "=SUM(wastes_cost)", cost, "int")
    sheet.result(
        "result.wastes_hazardous_cost",
        "result_wastes_hazardous_cost",
        '=SUMPRODUCT(--(wastes_hazard<>""),wastes_cost)',
        sum(num(r["quantity"]) * num(r["unit_cost"]) for r in hazardous if costed(r)),
        "int",
    )
    sheet.result(
        "result.wastes_cost_intensity",
        "result_wastes_cost_intensity",
        '=IF(N(main_output)<=0,"",result_wastes_cost/main_output)',
        ctx.per_main(cost),
        "num",
    )
    sheet.result(
        "result.wastes_no_route",
        "result_wastes_no_route",
        '=SUMPRODUCT((wastes_hazard<>"")*(wastes_route=""))',
        sum(1 for r in hazardous if r["route"] is None),
        "int",
        flag="{cell}>0",
    )
    sheet.width(0, 34)
    ctx.places["wastes"] = sheet.table(
        "wastes",
        "wastes",
        rows,
        ctx.rows("wastes"),
        TABLES["wastes"].keys,
        [
            Computed(
                "cost",
                'IF(OR({quantity}="",{unit_cost}=""),"",{quantity}*{unit_cost})',
                lambda r, v: r["quantity"] * r["unit_cost"] if costed(r) else None,
                "num",
                15,
                unit="money",
            )
        ],
    )
    sheet.finish()


def costed(record: dict[str, Any]) -> bool:
    """Whether a waste stream has what its annual cost needs: a quantity and a cost per unit of mass."""
    return record["quantity"] is not None and record["unit_cost"] is not None


def waste_cost_of(ctx: Context, area: str | None) -> float | None:
    """The annual disposal cost of the wastes whose origin is *area*, compared as the sheet's ``=`` does
    (case-insensitive); None for a blank area."""
    if area is None:
        return None
    return sum(
        r["quantity"] * r["unit_cost"]
        for r in ctx.t["wastes"]
        if costed(r) and r["origin"] is not None and r["origin"].lower() == area.lower()
    )


def benchmark(ctx: Context) -> None:
    """Indicators against levels I–III: effective weights, levels met, Y_I/Y_II/Y_III and the grade."""
    sheet = Sheet(ctx.book, "benchmark")
    sheet.title("grade")
    grading = Grading(ctx, "value")
    grading.results(sheet)
    ctx.places["indicators"] = sheet.table(
        "indicators",
        "indicators",
        ctx.t["indicators"],
        ctx.rows("indicators"),
        tuple(k for k in TABLES["indicators"].keys if k != "value_after"),
        [
            Computed(
                "weight",
                'IF(OR({name}="",{group_weight}="",{weight_in_group}=""),"",{group_weight}*{weight_in_group})',
                lambda r, v: grading.composite[grading.index[id(r)]],
                "pct",
            ),
            *grading.columns(),
        ],
    )
    sheet.finish()


class Grading:
    """The grade of the indicators by the values in one column (``value``, or ``value_after`` the audit).

    The effective weights, the levels met and the level of each indicator (:meth:`columns`, computed columns of
    an indicators part that has, or shows, ``name``, ``group``, ``weight``, ``lower_is_better``, ``level_1..3``
    and the value column), and Y_I, Y_II, Y_III and the grade (:meth:`results`), with the same formulas for
    both columns; names and keys of the ``value_after`` grading end in ``_after``.
    """

    def __init__(self, ctx: Context, key: str):
        self.ctx, self.key = ctx, key
        self.suffix = "" if key == "value" else "_after"
        rows = ctx.t["indicators"]
        self.rows = rows
        self.values = np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)
        self.composite = ctx.audit.indicator_weights()
        self.weights = np.array([num(w) for w in self.composite], dtype=float)
        self.groups = [r["group"] for r in rows]
        self.effective = _effective_weights(self.weights, self.values, self.groups) if rows else None
        self.lower = np.array([bool(r["lower_is_better"]) for r in rows], dtype=bool)
        self.levels = [np.array([num(r[f"level_{k}"]) for r in rows], dtype=float) for k in (1, 2, 3)]
        self.meets = core.grading.levels_met(self.values, self.levels, self.lower) if rows else None
        self.index = {id(r): i for i, r in enumerate(rows)}

    def name(self, base: str) -> str:
        """The key (and defined-name tail) of a computed column or result of this grading."""
        return base + self.suffix

    def columns(self) -> list[Computed]:
        """Effective weight, levels I–III met (1/0) and the level of each indicator."""
        ctx, key, name = self.ctx, self.key, self.name

        def eff(r: dict[str, Any], v: dict[str, Any]) -> Any:
            return None if self.effective is None else float(self.effective[self.index[id(r)]])

        def met(k: int) -> Any:
            def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
                return None if r[key] is None or self.meets is None else int(self.meets[self.index[id(r)], k - 1])

            return value

        def meets_formula(k: int) -> str:
            compare = f"IF({{lower_is_better}}={ctx.yes},--({{{key}}}<={{level_{k}}}),--({{{key}}}>={{level_{k}}}))"
            if k > 1:
                compare = f"MAX({{{name(f'meets_{k - 1}')}}},{compare})"
            return f'IF(OR({{name}}="",{{{key}}}=""),"",{compare})'

        def level(r: dict[str, Any], v: dict[str, Any]) -> Any:
            if r[key] is None:
                return None
            return next((k for k in (1, 2, 3) if v[name(f"meets_{k}")] == 1), 0)

        # SUMPRODUCT's separate arguments, not a product inside one: the blank rows' weights are "" (text)
        group_weight = "SUMPRODUCT(--(indicators_group={group}),indicators_weight)"
        present_weight = f'(SUMPRODUCT((indicators_group={{group}})*(indicators_{key}<>""),indicators_weight))'
        m1, m2, m3 = (f"{{{name(f'meets_{k}')}}}" for k in (1, 2, 3))
        return [
            Computed(
                name("effective"),
                f'IF(OR({{name}}="",{{weight}}=""),"",IF({{{key}}}="",0,'
                f"IF({present_weight}=0,0,{{weight}}*{group_weight}/{present_weight})))",
                eff,
                "pct",
            ),
            Computed(name("meets_1"), meets_formula(1), met(1), "int", 8),
            Computed(name("meets_2"), meets_formula(2), met(2), "int", 8),
            Computed(name("meets_3"), meets_formula(3), met(3), "int", 8),
            Computed(
                name("level"),
                f'IF(OR({{name}}="",{{{key}}}=""),"",IF({m1}=1,1,IF({m2}=1,2,IF({m3}=1,3,0))))',
                level,
                "int",
                9,
                flag="{cell}=0",
            ),
        ]

    def results(self, sheet: Sheet) -> None:
        """Y_I, Y_II, Y_III and the grade, as named results on *sheet*."""
        ctx, rows, name, key = self.ctx, self.rows, self.name, self.key
        scores = [None, None, None]
        if rows and self.effective is not None:
            scores = list(100.0 * (self.effective @ self.meets))
        for k in (1, 2, 3):
            sheet.result(
                name(f"result.y{k}"),
                name(f"result_y{k}"),
                f'=IF(COUNT(indicators_weight)=0,"",100*SUMPRODUCT(indicators_{name("effective")},'
                f"indicators_{name(f'meets_{k}')}))",
                scores[k - 1],
                "score",
            )
        # core.grade refuses a limiting indicator without a value and a weighted group with no value at all;
        # the workbook says "values missing" there instead of a grade.
        grade = None
        incomplete = any(r["limiting"] and r[key] is None for r in rows) or (
            rows and abs(float(self.effective.sum()) - float(self.weights.sum())) > 1e-9
        )
        if rows and incomplete:
            grade = ctx.words("missing")
        elif rows:
            grade = core.grade(
                self.values,
                *self.levels,
                self.lower,
                self.weights,
                groups=self.groups,
                limiting=[bool(r["limiting"]) for r in rows],
            )

        def limits(k: int) -> str:
            return f"SUMPRODUCT((indicators_limiting={ctx.yes})*(indicators_{name(f'meets_{k}')}=0))"

        sheet.result(
            name("result.grade"),
            name("result_grade"),
            f'=IF(COUNT(indicators_weight)=0,"",'
            f'IF(OR(SUMPRODUCT((indicators_limiting={ctx.yes})*(indicators_name<>"")*(indicators_{key}=""))>0,'
            f"ABS(SUM(indicators_{name('effective')})-SUM(indicators_weight))>{TOL}),"
            f"{ctx.q(ctx.words('missing'))},"
            f"IF(AND({name('result_y1')}>=85-{TOL},{limits(1)}=0),1,"
            f"IF(AND({name('result_y2')}>=85-{TOL},{limits(2)}=0),2,IF({name('result_y3')}>=100-{TOL},3,0)))))",
            grade,
            "int",
            flag="{cell}=0",
        )


def focus(ctx: Context) -> None:
    """Candidate audit-focus areas scored by weighted sum and ranked.

    Beside the rank, as help for the environmental-cost rating, the annual disposal cost of the waste streams
    whose origin (``2 Waste streams``) is the candidate's name.
    """
    sheet = Sheet(ctx.book, "focus")
    ctx.places["focus"] = sheet.table(
        "focus",
        "focus",
        ctx.t["focus"],
        ctx.rows("focus"),
        TABLES["focus"].keys,
        [
            *score_and_rank(ctx, "focus", "name"),
            Computed(
                "waste_cost",
                'IF({name}="","",SUMPRODUCT(--(wastes_origin={name}),wastes_cost))',
                lambda r, v: waste_cost_of(ctx, r["name"]),
                "num",
                16,
                unit="money",
            ),
        ],
        ratings=ctx.audit.weights["focus"],
    )
    sheet.finish()


def targets(ctx: Context) -> None:
    """Targets against the baseline: planned and achieved change, and whether the near-term target is met."""
    sheet = Sheet(ctx.book, "targets")

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
        return ctx.words("attained" if ok else "missed")

    change_formula = 'IF(OR({{baseline}}="",{{{0}}}="",N({{baseline}})<=0),"",({{{0}}}-{{baseline}})/{{baseline}})'
    ctx.places["targets"] = sheet.table(
        "targets",
        "targets",
        ctx.t["targets"],
        ctx.rows("targets"),
        TABLES["targets"].keys,
        [
            Computed("near_change", change_formula.format("near_term"), change("near_term"), "pct"),
            Computed("achieved_change", change_formula.format("achieved"), change("achieved"), "pct"),
            Computed(
                "attained",
                f'IF(OR({{achieved}}="",{{near_term}}=""),"",'
                f"IF(IF({{lower_is_better}}={ctx.yes},{{achieved}}<={{near_term}},{{achieved}}>={{near_term}}),"
                f"{ctx.q(ctx.words('attained'))},{ctx.q(ctx.words('missed'))}))",
                attained,
                "general",
                flag=f"{{cell}}={ctx.q(ctx.words('missed'))}",
            ),
        ],
    )
    sheet.finish()


def _effective_weights(weights: Any, values: Any, groups: list[Any]) -> Any:
    """core's effective weights, with a group that has no value at all contributing 0 (as the formulas do)."""
    empty = [g for g in dict.fromkeys(groups) if np.isnan(values[np.array([x == g for x in groups])]).all()]
    keep = np.array([g not in empty for g in groups])
    effective = np.zeros_like(weights)
    if keep.any():
        kept_groups = [g for g, k in zip(groups, keep, strict=True) if k]
        effective[keep] = core.grading.effective_weights(weights[keep], values[keep], kept_groups)
    return effective
