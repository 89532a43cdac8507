"""Stages 4 to 7: option register, screening and ranking, feasibility, implementation, continuing plan."""

from __future__ import annotations

from typing import Any

from ... import core
from ...audit.schema import TABLES
from ..engine import Computed, Sheet
from .context import TOL, Context, score_and_rank


def options(ctx: Context) -> None:
    """The option register (aspect, cost class), the yes/no screening and the weighted ranking."""
    sheet = Sheet(ctx.book, "options")
    rows = ctx.t["options"]
    inputs = ("id", "name", "aspect", "cost_class", "technical_ok", "environmental_ok", "economic_ok")
    yes, no = ctx.yes, ctx.q(ctx.book.yes_no()[1])
    place = sheet.table(
        "options",
        "options",
        rows,
        ctx.rows("options"),
        inputs,
        [
            Computed(
                "passed",
                f'IF({{id}}="","",IF(AND({{technical_ok}}={yes},{{environmental_ok}}={yes},{{economic_ok}}={yes}),'
                f"{yes},{no}))",
                lambda r, v: ctx.yes_no(r["technical_ok"] and r["environmental_ok"] and r["economic_ok"]),
                "general",
                10,
            ),
            *score_and_rank(ctx, "options", "id"),
        ],
        ratings=ctx.audit.weights["options"],
    )
    ctx.places["options"] = place
    sheet.finish()


def feasibility(ctx: Context) -> None:
    """Economic evaluation per option (D, T, E, F, payback, NPV, NPVR, IRR) and the pollutant before/after."""
    sheet = Sheet(ctx.book, "feasibility")
    register = ctx.places["options"]
    tax, rate = ctx.f["tax_rate"], ctx.f["discount_rate"]

    def economics(r: dict[str, Any]) -> bool:
        return r["investment"] is not None and r["saving"] is not None and bool(r["life"])

    def with_economics(fn: Any) -> Any:
        return lambda r, v: fn(r, v) if economics(r) else None

    def payback(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(r["investment"], v["cash_flow"])
        except core.CPError:
            return ctx.words("never")

    def pretax(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(r["investment"], r["saving"])
        except core.CPError:
            return ctx.words("never")

    def discounted(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(r["investment"], v["cash_flow"], int(r["life"]), rate)
        except core.CPError:
            return ctx.words("never")

    def irr(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.irr(r["investment"], v["cash_flow"], int(r["life"]))
        except core.CPError:
            return ctx.words("no_irr")

    guard = 'IF(OR({id}="",{investment}="",{saving}="",N({life})<=0),"",'
    ctx.places["feasibility"] = sheet.table(
        "options",
        "feasibility",
        ctx.t["options"],
        register.rows,
        ("investment", "saving", "life"),
        [
            Computed(
                "depreciation",
                guard + "{investment}/{life})",
                with_economics(lambda r, v: r["investment"] / r["life"]),
                "num",
                unit="money",
            ),
            Computed(
                "taxable",
                guard + "{saving}-{depreciation})",
                with_economics(lambda r, v: r["saving"] - v["depreciation"]),
                "num",
                unit="money",
            ),
            Computed(
                "net_profit",
                guard + "IF({taxable}>0,{taxable}*(1-tax_rate),{taxable}))",
                with_economics(lambda r, v: v["taxable"] * (1 - tax) if v["taxable"] > 0 else v["taxable"]),
                "num",
                unit="money",
            ),
            Computed(
                "cash_flow",
                guard + "{net_profit}+{depreciation})",
                with_economics(lambda r, v: core.cash_flow(r["saving"], r["investment"], r["life"], tax)),
                "num",
                unit="money",
            ),
            Computed(
                "payback",
                guard + f"IF({{cash_flow}}>0,{{investment}}/{{cash_flow}},{ctx.q(ctx.words('never'))}))",
                with_economics(payback),
                "years",
            ),
            Computed(
                "payback_pretax",
                guard + f"IF({{saving}}>0,{{investment}}/{{saving}},{ctx.q(ctx.words('never'))}))",
                with_economics(pretax),
                "years",
            ),
            Computed(
                "payback_discounted",
                # k = the year in which the discounted cumulative flow reaches I; interpolated within it
                guard + f"IF(N({{investment}})=0,0,IF(AND({{cash_flow}}>0,"
                f"-PV(discount_rate,{{life}},{{cash_flow}})>={{investment}}-{TOL}),"
                f"ROUNDUP(NPER(discount_rate,{{cash_flow}},-{{investment}})-{TOL},0)-1"
                f"+({{investment}}+PV(discount_rate,ROUNDUP(NPER(discount_rate,{{cash_flow}},-{{investment}})-{TOL},0)-1,"
                f"{{cash_flow}}))/({{cash_flow}}/(1+discount_rate)^ROUNDUP(NPER(discount_rate,{{cash_flow}},"
                f"-{{investment}})-{TOL},0)),{ctx.q(ctx.words('never'))})))",
                with_economics(discounted),
                "years",
            ),
            Computed(
                "npv",
                guard + "-PV(discount_rate,{life},{cash_flow})-{investment})",
                with_economics(lambda r, v: core.npv(rate, r["investment"], v["cash_flow"], int(r["life"]))),
                "num",
                flag="AND(ISNUMBER({cell}),N({cell})<0)",
                unit="money",
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
                f"RATE({{life}},{{cash_flow}},-{{investment}}),{ctx.q(ctx.words('no_irr'))}))",
                with_economics(irr),
                "pct",
            ),
        ],
        refs=[("id", register, "col.options.id"), ("name", register, "col.options.name")],
    )
    sheet.beside()
    ctx.places["environment"] = sheet.table(
        "options",
        "environment",
        ctx.t["options"],
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


def implementation(ctx: Context) -> None:
    """Status and achieved saving of each option."""
    sheet = Sheet(ctx.book, "implementation")
    register = ctx.places["options"]
    ctx.places["implementation"] = sheet.table(
        "options",
        "implementation",
        ctx.t["options"],
        register.rows,
        ("status", "achieved_saving"),
        refs=[
            ("id", register, "col.options.id"),
            ("name", register, "col.options.name"),
            ("cost_class", register, "col.options.cost_class"),
        ],
    )
    sheet.finish()


def continuing(ctx: Context) -> None:
    """The continuing cleaner-production plan."""
    sheet = Sheet(ctx.book, "continuing")
    ctx.places["continuing"] = sheet.table(
        "continuing", "continuing", ctx.t["continuing"], ctx.rows("continuing"), TABLES["continuing"].keys
    )
    sheet.finish()
