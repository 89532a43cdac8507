"""Stages 4 to 7: option register, screening and ranking, feasibility, implementation, continuing plan."""

from __future__ import annotations

from typing import Any

from ... import core
from ...audit import option_costs
from ...audit.schema import BENEFIT_PARTS, INVESTMENT_PARTS, TABLES
from ..engine import Computed, Sheet
from ..labels import choice_label
from .context import TOL, Context, num, score_and_rank
from .pre_assessment import Grading


def options(ctx: Context) -> None:
    """The option register (aspect, cost class), the yes/no screening, the weighted ranking and the portfolio.

    The portfolio is the set of options that passed screening and have an NPV which maximises the total NPV
    within the budget (:func:`cpxl.portfolio`, with each option's exclusive group and the option it requires):
    chosen at build and stored as values, and chosen again live by ``CP_PORTFOLIO`` with the add-in.
    """
    sheet = Sheet(ctx.book, "options")
    rows = ctx.t["options"]
    book = ctx.book
    chosen = portfolio(ctx)
    picked = [o for o, c in zip(rows, chosen or [], strict=False) if c]
    sheet.title("portfolio")
    sheet.result("field.budget", "result_budget", '=IF(budget="","",budget)', ctx.f["budget"], "int")
    npv_row = sheet.row  # the portfolio's NPV, written once the table says where the portfolio's column is
    sheet.row += 1
    inputs = (
        "id",
        "name",
        "aspect",
        "cost_class",
        "technical_ok",
        "environmental_ok",
        "economic_ok",
        "exclusive_group",
        "requires",
    )
    yes, no = ctx.yes, ctx.q(ctx.book.yes_no()[1])
    ids = {o["id"]: i for i, o in enumerate(rows, start=1)}
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
            Computed(
                "requires_row",
                'IF({requires}="","",IFERROR(MATCH({requires},options_id,0),{requires}))',
                lambda r, v: None if r["requires"] is None else ids.get(r["requires"], r["requires"]),
                "int",
                8,
            ),
        ],
        ratings=ctx.audit.weights["options"],
        extra_columns=2,
    )
    ctx.places["options"] = place
    if not book.dry:
        _portfolio_columns(ctx, sheet, place, chosen)
    if not book.dry:  # a value of the build, like the portfolio itself: no formula recomputes it
        sheet.ws.write_string(npv_row, 0, book.text("result.portfolio_npv"), book.fmt("label"))
        npv = sum(num(option_npv(ctx, o)) for o in picked) if chosen is not None else None
        if npv is None:
            sheet.ws.write_blank(npv_row, 1, None, book.fmt("computed", "int"))
        else:
            sheet.ws.write_number(npv_row, 1, npv, book.fmt("computed", "int"))
    sheet.finish()


def option_npv(ctx: Context, option: dict[str, Any]) -> float | None:
    """An option's NPV as the feasibility sheet computes it; None without I, P or a life."""
    investment, saving, life = option_costs.investment(option), option_costs.saving(option), option["life"]
    if investment is None or saving is None or not life:
        return None
    flow = core.cash_flow(saving, investment, life, ctx.f["tax_rate"])
    return core.npv(ctx.f["discount_rate"], investment, flow, int(life))


def portfolio(ctx: Context) -> list[bool | None] | None:
    """Per option, whether the best portfolio within the budget takes it; None without a budget or candidates.

    Candidates are the options that passed screening and have an NPV; the others cannot be chosen (None, a
    blank cell, as CP_PORTFOLIO leaves them). None too when the options contradict each other (an option
    requiring one that cannot be done): cpxl check says why.
    """
    solved = portfolio_result(ctx)
    if solved is None:
        return None
    result, feasible = solved
    return [bool(x) if f else None for x, f in zip(result.selected, feasible, strict=True)]


def portfolio_result(ctx: Context, *, details: bool = False) -> tuple[Any, list[bool]] | None:
    """The portfolio of the audit's options (:func:`cpxl.portfolio`) and which options were candidates.

    With *details*, the result has the trade-off curve (``curve_budget``, ``curve_value``) that the report draws.
    None without a budget or candidates, or when the options contradict each other.
    """
    rows = ctx.t["options"]
    budget = ctx.f["budget"]
    npv = [option_npv(ctx, o) for o in rows]
    feasible = [
        bool(o["technical_ok"] and o["environmental_ok"] and o["economic_ok"]) and v is not None
        for o, v in zip(rows, npv, strict=True)
    ]
    if budget is None or not any(feasible):
        return None
    try:
        result = core.portfolio(
            [0.0 if v is None else v for v in npv],
            [option_costs.investment(o) if f else 0.0 for o, f in zip(rows, feasible, strict=True)],
            budget,
            [o["exclusive_group"] if f else None for o, f in zip(rows, feasible, strict=True)],
            [o["requires"] if f else None for o, f in zip(rows, feasible, strict=True)],
            names=[o["id"] for o in rows],
            feasible=feasible,
            details=details,
        )
    except core.CPError:
        return None
    return result, feasible


def _portfolio_columns(ctx: Context, sheet: Sheet, place: Any, chosen: list[bool | None] | None) -> None:
    """The portfolio chosen at build (1/0 as values) and the live CP_PORTFOLIO beside it."""
    book, ws = ctx.book, sheet.ws
    rows = place.rows
    fmt = book.fmt("computed", "int")
    at_build, live = place.last_col - 1, place.last_col
    for col, key in ((at_build, "col.options.portfolio_at_build"), (live, "col.options.portfolio")):
        ws.write_string(place.first_row - 1, col, book.text(key), book.fmt("header"))
        sheet.width(col, 12)
    values = [None] * rows
    if chosen is not None:
        values[: len(chosen)] = [None if c is None else int(c) for c in chosen]
    for i, value in enumerate(values):
        if value is None:
            ws.write_blank(place.first_row + i, at_build, None, fmt)
        else:
            ws.write_number(place.first_row + i, at_build, value, fmt)
    candidate = f"(options_passed={ctx.yes})*ISNUMBER(options_npv)"
    formula = (
        f'=IFERROR(CP_PORTFOLIO(IF({candidate},options_npv,""),IF({candidate},options_investment_used,""),budget,'
        f'IF({candidate},options_exclusive_group&"",""),IF({candidate},options_requires_row&"","")),"")'
    )
    ws.write_dynamic_array_formula(
        place.first_row, live, place.first_row + rows - 1, live, formula, fmt, "" if values[0] is None else values[0]
    )
    for i in range(1, rows):
        if values[i] is None:
            ws.write_blank(place.first_row + i, live, None, fmt)
        else:
            ws.write_number(place.first_row + i, live, values[i], fmt)
    hint = ctx.q(ctx.words("portfolio_hint"))
    ws.write_formula(place.first_row - 2, live, f'=IF(ISERROR(CP_VERSION()),{hint},"")', book.fmt("note"), "")


def reduction_column(key: str, before: str, after: str) -> Computed:
    """The reduction (before − after) / before of two columns (:func:`cpxl.reduction`); blank unless before > 0."""

    def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
        b, a = r[before], r[after]
        return core.reduction(b, a) if b is not None and a is not None and b > 0 else None

    return Computed(
        key,
        f'IF(OR({{{before}}}="",{{{after}}}="",N({{{before}}})<=0),"",({{{before}}}-{{{after}}})/{{{before}}})',
        value,
        "pct",
    )


def costs(ctx: Context) -> None:
    """Per option, the investment and the annual benefit broken down as feasibility reports state them."""
    sheet = Sheet(ctx.book, "costs")
    register = ctx.places["options"]
    first, last = INVESTMENT_PARTS[0], INVESTMENT_PARTS[-1]
    ctx.places["costs"] = sheet.table(
        "options",
        "costs",
        ctx.t["options"],
        register.rows,
        (*INVESTMENT_PARTS, "subsidy", *BENEFIT_PARTS),
        [
            Computed(
                "investment_total",
                f'IF(COUNT({{{first}}}:{{subsidy}})=0,"",SUM({{{first}}}:{{{last}}})-N({{subsidy}}))',
                lambda r, v: option_costs.investment_breakdown(r),
                "num",
                unit="money",
            ),
            Computed(
                "saving_total",
                f'IF(COUNT({{{BENEFIT_PARTS[0]}}}:{{{BENEFIT_PARTS[-1]}}})=0,"",'
                f"SUM({{{BENEFIT_PARTS[0]}}}:{{{BENEFIT_PARTS[-1]}}}))",
                lambda r, v: option_costs.saving_breakdown(r),
                "num",
                unit="money",
            ),
        ],
        refs=[("id", register, "col.options.id"), ("name", register, "col.options.name")],
    )
    sheet.finish()


def feasibility(ctx: Context) -> None:
    """Economic evaluation per option (I, P, D, T, E, F, payback, NPV, NPVR, IRR) and the pollutant before/after.

    I and P are the totals of the option's breakdown (``5 Costs & benefits``) where one is given, else the
    investment and saving typed here.
    """
    sheet = Sheet(ctx.book, "feasibility")
    register, breakdown = ctx.places["options"], ctx.places["costs"]
    tax, rate = ctx.f["tax_rate"], ctx.f["discount_rate"]
    used = {id(r): (option_costs.investment(r), option_costs.saving(r)) for r in ctx.t["options"]}

    def investment(r: dict[str, Any]) -> Any:
        return used[id(r)][0]

    def saving(r: dict[str, Any]) -> Any:
        return used[id(r)][1]

    def economics(r: dict[str, Any]) -> bool:
        return investment(r) is not None and saving(r) is not None and bool(r["life"])

    def with_economics(fn: Any) -> Any:
        return lambda r, v: fn(r, v) if economics(r) else None

    def payback(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(investment(r), v["cash_flow"])
        except core.CPError:
            return ctx.words("never")

    def pretax(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(investment(r), saving(r))
        except core.CPError:
            return ctx.words("never")

    def discounted(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.payback(investment(r), v["cash_flow"], int(r["life"]), rate)
        except core.CPError:
            return ctx.words("never")

    def irr(r: dict[str, Any], v: dict[str, Any]) -> Any:
        try:
            return core.irr(investment(r), v["cash_flow"], int(r["life"]))
        except core.CPError:
            return ctx.words("no_irr")

    guard = 'IF(OR({id}="",{investment_used}="",{saving_used}="",N({life})<=0),"",'
    ctx.places["feasibility"] = sheet.table(
        "options",
        "feasibility",
        ctx.t["options"],
        register.rows,
        ("investment", "saving", "life"),
        [
            Computed(
                "investment_used",
                'IF({investment_total}<>"",{investment_total},IF({investment}="","",{investment}))',
                lambda r, v: investment(r),
                "num",
                unit="money",
            ),
            Computed(
                "saving_used",
                'IF({saving_total}<>"",{saving_total},IF({saving}="","",{saving}))',
                lambda r, v: saving(r),
                "num",
                unit="money",
            ),
            Computed(
                "depreciation",
                guard + "{investment_used}/{life})",
                with_economics(lambda r, v: investment(r) / r["life"]),
                "num",
                unit="money",
            ),
            Computed(
                "taxable",
                guard + "{saving_used}-{depreciation})",
                with_economics(lambda r, v: saving(r) - v["depreciation"]),
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
                with_economics(lambda r, v: core.cash_flow(saving(r), investment(r), r["life"], tax)),
                "num",
                unit="money",
            ),
            Computed(
                "payback",
                guard + f"IF({{cash_flow}}>0,{{investment_used}}/{{cash_flow}},{ctx.q(ctx.words('never'))}))",
                with_economics(payback),
                "years",
            ),
            Computed(
                "payback_pretax",
                guard + f"IF({{saving_used}}>0,{{investment_used}}/{{saving_used}},{ctx.q(ctx.words('never'))}))",
                with_economics(pretax),
                "years",
            ),
            Computed(
                "payback_discounted",
                # k = the year in which the discounted cumulative flow reaches I; interpolated within it
                (
                    guard + f"IF(N({{I}})=0,0,IF(AND({{cash_flow}}>0,"
                    f"-PV(discount_rate,{{life}},{{cash_flow}})>={{I}}-{TOL}),"
                    f"ROUNDUP(NPER(discount_rate,{{cash_flow}},-{{I}})-{TOL},0)-1"
                    f"+({{I}}+PV(discount_rate,ROUNDUP(NPER(discount_rate,{{cash_flow}},-{{I}})-{TOL},0)-1,"
                    f"{{cash_flow}}))/({{cash_flow}}/(1+discount_rate)^ROUNDUP(NPER(discount_rate,{{cash_flow}},"
                    f"-{{I}})-{TOL},0)),{ctx.q(ctx.words('never'))})))"
                ).replace("{I}", "{investment_used}"),
                with_economics(discounted),
                "years",
            ),
            Computed(
                "npv",
                guard + "-PV(discount_rate,{life},{cash_flow})-{investment_used})",
                with_economics(lambda r, v: option_npv(ctx, r)),
                "num",
                flag="AND(ISNUMBER({cell}),N({cell})<0)",
                unit="money",
            ),
            Computed(
                "npvr",
                guard + 'IF(N({investment_used})>0,{npv}/{investment_used},""))',
                with_economics(lambda r, v: v["npv"] / investment(r) if investment(r) > 0 else None),
                "pct",
            ),
            Computed(
                "irr",
                guard + f"IF(AND(N({{investment_used}})>0,{{cash_flow}}>0),"
                f"RATE({{life}},{{cash_flow}},-{{investment_used}}),{ctx.q(ctx.words('no_irr'))}))",
                with_economics(irr),
                "pct",
            ),
        ],
        refs=[
            ("id", register, "col.options.id"),
            ("name", register, "col.options.name"),
            ("investment_total", breakdown, "col.options.investment_total"),
            ("saving_total", breakdown, "col.options.saving_total"),
        ],
    )
    sheet.beside()
    ctx.places["environment"] = sheet.table(
        "options",
        "environment",
        ctx.t["options"],
        register.rows,
        ("pollutant", "before", "after", "energy_saving", "co2_reduction"),
        [reduction_column("reduction", "before", "after")],
        refs=[("id", register, "col.options.id"), ("name", register, "col.options.name")],
    )
    sheet.finish()


def implementation(ctx: Context) -> None:
    """Per option its status and results against the feasibility estimate; their summary; the grade after."""
    sheet = Sheet(ctx.book, "implementation")
    register, feasibility = ctx.places["options"], ctx.places["feasibility"]
    options = ctx.t["options"]
    done = [o for o in options if o["status"] == "done"]
    word = ctx.q(choice_label("done", ctx.lang))

    def total(key: str, records: list[dict[str, Any]], value: Any = None) -> float:
        return sum(num(value(o) if value else o[key]) for o in records)

    sheet.title("implementation_summary")
    sheet.result(
        "result.options_done", "result_implemented_count", f"=COUNTIF(options_status,{word})", len(done), "int"
    )
    for key, name, formula, value in (
        ("result.implemented_investment", "result_implemented_investment", "options_actual_investment", None),
        (
            "result.implemented_estimate",
            "result_implemented_estimate",
            "options_investment_used",
            option_costs.investment,
        ),
        ("result.implemented_saving", "result_implemented_saving", "options_achieved_saving", None),
        (
            "result.implemented_saving_estimate",
            "result_implemented_saving_estimate",
            "options_saving_used",
            option_costs.saving,
        ),
    ):
        sheet.result(
            key,
            name,
            f"=SUMIFS({formula},options_status,{word})",
            total(formula.partition("_")[2], done, value),
            "int",
        )
    after = Grading(ctx, "value_after")
    after.results(sheet)

    def variance(actual: str, estimate: str, relative: bool) -> tuple[str, Any]:
        formula = f'IF(OR({{{actual}}}="",{{{estimate}}}=""),"",({{{actual}}}-{{{estimate}}})'
        if relative:
            formula = f'IF(OR({{{actual}}}="",N({{{estimate}}})=0),"",({{{actual}}}-{{{estimate}}})/{{{estimate}}})'
        else:
            formula += ")"

        def value(r: dict[str, Any], v: dict[str, Any]) -> Any:
            a, e = r[actual], v[estimate]
            if a is None or e is None or (relative and not e):
                return None
            return (a - e) / e if relative else a - e

        return formula, value

    computed = []
    for key, actual, estimate, relative, kind in (
        ("investment_variance", "actual_investment", "investment_used", False, "num"),
        ("investment_variance_pct", "actual_investment", "investment_used", True, "pct"),
        ("saving_variance", "achieved_saving", "saving_used", False, "num"),
        ("saving_variance_pct", "achieved_saving", "saving_used", True, "pct"),
    ):
        formula, value = variance(actual, estimate, relative)
        flag = None
        if relative:  # an overrun, or a shortfall, beyond a fifth of the estimate
            sign = ">" if actual == "actual_investment" else "<-"
            flag = f"AND(ISNUMBER({{cell}}),N({{cell}}){sign}0.2)"
        computed.append(Computed(key, formula, value, kind, flag=flag, unit=None if relative else "money"))
    computed.append(reduction_column("measured_reduction", "measured_before", "measured_after"))
    ctx.places["implementation"] = sheet.table(
        "options",
        "implementation",
        options,
        register.rows,
        ("status", "completed", "actual_investment", "achieved_saving", "measured_before", "measured_after"),
        computed,
        refs=[
            ("id", register, "col.options.id"),
            ("name", register, "col.options.name"),
            ("cost_class", register, "col.options.cost_class"),
            ("investment_used", feasibility, "col.options.investment_used"),
            ("saving_used", feasibility, "col.options.saving_used"),
        ],
    )
    sheet.beside()
    indicators = ctx.places["indicators"]
    sheet.table(
        "indicators",
        "after",
        ctx.t["indicators"],
        indicators.rows,
        ("value_after",),
        after.columns(),
        refs=[
            (key, indicators, f"col.indicators.{key}")
            for key in ("name", "group", "weight", "lower_is_better", "level_1", "level_2", "level_3", "value")
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
