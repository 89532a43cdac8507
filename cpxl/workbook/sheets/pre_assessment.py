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


def benchmark(ctx: Context) -> None:
    """Indicators against levels I–III: effective weights, levels met, Y_I/Y_II/Y_III and the grade."""
    sheet = Sheet(ctx.book, "benchmark")
    rows = ctx.t["indicators"]
    values = np.array([np.nan if r["value"] is None else r["value"] for r in rows], dtype=float)
    composite = ctx.audit.indicator_weights()
    weights = np.array([num(w) for w in composite], dtype=float)
    groups = [r["group"] for r in rows]
    effective = _effective_weights(weights, values, groups) if rows else None
    lower = np.array([bool(r["lower_is_better"]) for r in rows], dtype=bool)
    levels = [np.array([num(r[f"level_{k}"]) for r in rows], dtype=float) for k in (1, 2, 3)]
    meets = core.grading.levels_met(values, levels, lower) if rows else None
    index = {id(r): i for i, r in enumerate(rows)}

    def eff(r: dict[str, Any], v: dict[str, Any]) -> Any:
        return None if effective is None else float(effective[index[id(r)]])

    def met(k: int) -> Any:
        def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
            return None if r["value"] is None or meets is None else int(meets[index[id(r)], k - 1])

        return value

    def meets_formula(k: int) -> str:
        compare = f"IF({{lower_is_better}}={ctx.yes},--({{value}}<={{level_{k}}}),--({{value}}>={{level_{k}}}))"
        if k > 1:
            compare = f"MAX({{meets_{k - 1}}},{compare})"
        return f'IF(OR({{name}}="",{{value}}=""),"",{compare})'

    def level(r: dict[str, Any], v: dict[str, Any]) -> Any:
        if r["value"] is None:
            return None
        return next((k for k in (1, 2, 3) if v[f"meets_{k}"] == 1), 0)

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
        grade = ctx.words("missing")
    elif rows:
        grade = core.grade(values, *levels, lower, weights, groups=groups, limiting=[bool(r["limiting"]) for r in rows])
    limits = f"SUMPRODUCT((indicators_limiting={ctx.yes})*(indicators_meets_{{k}}=0))"
    sheet.result(
        "result.grade",
        "result_grade",
        f'=IF(COUNT(indicators_weight)=0,"",'
        f'IF(OR(SUMPRODUCT((indicators_limiting={ctx.yes})*(indicators_name<>"")*(indicators_value=""))>0,'
        f"ABS(SUM(indicators_effective)-SUM(indicators_weight))>{TOL}),"
        f"{ctx.q(ctx.words('missing'))},"
        f"IF(AND(result_y1>=85-{TOL},{limits.format(k=1)}=0),1,"
        f"IF(AND(result_y2>=85-{TOL},{limits.format(k=2)}=0),2,IF(result_y3>=100-{TOL},3,0)))))",
        grade,
        "int",
        flag="{cell}=0",
    )
    # SUMPRODUCT's separate arguments, not a product inside one: the blank rows' weights are "" (text)
    group_weight = "SUMPRODUCT(--(indicators_group={group}),indicators_weight)"
    present_weight = '(SUMPRODUCT((indicators_group={group})*(indicators_value<>""),indicators_weight))'
    ctx.places["indicators"] = sheet.table(
        "indicators",
        "indicators",
        rows,
        ctx.rows("indicators"),
        TABLES["indicators"].keys,
        [
            Computed(
                "weight",
                'IF(OR({name}="",{group_weight}="",{weight_in_group}=""),"",{group_weight}*{weight_in_group})',
                lambda r, v: composite[index[id(r)]],
                "pct",
            ),
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
    sheet.finish()


def focus(ctx: Context) -> None:
    """Candidate audit-focus areas scored by weighted sum and ranked."""
    sheet = Sheet(ctx.book, "focus")
    ctx.places["focus"] = sheet.table(
        "focus",
        "focus",
        ctx.t["focus"],
        ctx.rows("focus"),
        TABLES["focus"].keys,
        score_and_rank(ctx, "focus", "name"),
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
