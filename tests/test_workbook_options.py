"""Options the way feasibility reports and implementation reviews state them, and the best portfolio.

The worked example (cpxl/audit/example.py) carries breakdowns for F2 and F3, a budget, an exclusive group and a
requirement, implementation results for F1, F4 and F5, and indicator values after the audit; the numbers below
are checked by hand, against cpxl.core, and (the portfolio) against every subset of the options. LibreOffice
recomputes every formula to its cached value in tests/test_workbook_libreoffice.py.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from workbook_helpers import named_column as column

from cpxl import core
from cpxl.audit import Audit, AuditError
from cpxl.batch import check
from cpxl.excel.adapters import _portfolio
from cpxl.workbook import build, read


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Audit.example("en"), tmp_path_factory.mktemp("options") / "example.xlsx")


@pytest.fixture(scope="module")
def values(example: Path) -> Any:
    return openpyxl.load_workbook(example, data_only=True)


def by_id(wb: Any, key: str) -> dict[str, Any]:
    return {i: v for i, v in zip(column(wb, "options_id"), column(wb, f"options_{key}"), strict=True) if i}


def result(wb: Any, name: str) -> Any:
    return column(wb, name)[0]


def at_build(wb: Any) -> list[Any]:
    """The column "In the portfolio (at build)" of the option register, row by row."""
    ws = wb["4 Options"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "In the portfolio (at build)")
    return [ws.cell(header.row + 1 + i, header.column).value for i in range(len(column(wb, "options_id")))]


# --- investment and benefit, broken down ---------------------------------------------------------------------


def test_i_and_p_are_the_breakdowns_totals_where_one_is_given(values):
    # F3: 800,000 + 350,000 + 150,000 + 100,000 − a 200,000 grant; 300,000 + 60,000 + 120,000 − 40,000 − 60,000
    assert by_id(values, "investment_total")["F3"] == 1_200_000
    assert by_id(values, "saving_total")["F3"] == 380_000
    assert by_id(values, "investment_total")["F1"] is None  # no breakdown: the typed values are used
    assert by_id(values, "investment_used") == pytest.approx(
        {"F1": 20000, "F2": 850000, "F3": 1200000, "F4": 45000, "F5": 8000, "F6": 160000, "F7": None, "F8": 30000}
    )


def test_a_breakdown_that_differs_from_the_typed_value_wins_and_check_says_so(tmp_path):
    data = Audit.example("en").to_dict()
    f3 = data["tables"]["options"][2]
    f3["subsidy"] = 400_000  # a larger grant: I = 1,000,000 while 1,200,000 is still typed
    audit = Audit.from_dict(data)
    wb = openpyxl.load_workbook(build(audit, tmp_path / "grant.xlsx"), data_only=True)
    assert by_id(wb, "investment_used")["F3"] == 1_000_000
    flow = core.cash_flow(380_000, 1_000_000, 10, 0.25)
    assert by_id(wb, "npv")["F3"] == pytest.approx(core.npv(0.08, 1_000_000, flow, 10), rel=1e-12)
    (finding,) = [f for f in check(audit).findings if "not the total of its breakdown" in f.message]
    assert finding.path == "options[3]" and "1.2e+06" in finding.message and "1e+06" in finding.message


def test_the_dashboard_sums_i_and_p_used_and_the_energy_and_co2_of_options_passing_screening(values):
    passed = ("F1", "F2", "F3", "F4", "F5", "F6", "F8")
    assert result(values, "result_investment") == sum(by_id(values, "investment_used")[k] for k in passed)
    assert result(values, "result_energy_saving") == -12 + 120 + 5
    assert result(values, "result_co2_reduction") == -30 + 300 + 13


# --- the portfolio -------------------------------------------------------------------------------------------


def brute_force(audit: Audit) -> tuple[set[str], float]:
    """The best set of candidates by enumerating every subset: budget, exclusive groups, requirements."""
    wb_npv = {}
    for o in audit.tables["options"]:
        passed = o["technical_ok"] and o["environmental_ok"] and o["economic_ok"]
        if passed and o["life"]:
            from cpxl.audit.option_costs import investment, saving

            flow = core.cash_flow(saving(o), investment(o), o["life"], 0.25)
            wb_npv[o["id"]] = (core.npv(0.08, investment(o), flow, o["life"]), investment(o))
    options = {o["id"]: o for o in audit.tables["options"]}
    best: tuple[float, set[str]] = (0.0, set())
    for k in range(len(wb_npv) + 1):
        for subset in itertools.combinations(wb_npv, k):
            chosen = set(subset)
            if sum(wb_npv[i][1] for i in chosen) > audit.fields["budget"]:
                continue
            groups = [options[i]["exclusive_group"] for i in chosen if options[i]["exclusive_group"]]
            if len(groups) != len(set(groups)):
                continue
            if any(options[i]["requires"] and options[i]["requires"] not in chosen for i in chosen):
                continue
            value = sum(wb_npv[i][0] for i in chosen)
            if value > best[0]:
                best = (value, chosen)
    return best[1], best[0]


def test_the_portfolio_at_build_is_the_best_subset_within_the_budget(example, values):
    ids = column(values, "options_id")
    picked = {i for i, v in zip(ids, at_build(values), strict=True) if i and v}
    chosen, npv = brute_force(Audit.example("en"))
    assert picked == chosen == {"F1", "F2", "F4", "F5", "F6", "F8"}  # F3 does not fit beside F2
    ws = values["4 Options"]
    (label,) = [c for row in ws.iter_rows(max_row=4) for c in row if c.value == "NPV of the portfolio chosen at build"]
    assert ws.cell(label.row, label.column + 1).value == pytest.approx(npv, rel=1e-12)
    assert result(values, "result_budget") == 1_500_000


def test_the_live_portfolio_is_what_cp_portfolio_gives_for_the_sheets_cells(values):
    """Evaluate the live formula's arguments as Excel would, and call the worksheet function's Python side."""
    yes = "Yes"
    passed, npv = column(values, "options_passed"), column(values, "options_npv")
    candidate = [p == yes and isinstance(v, float) for p, v in zip(passed, npv, strict=True)]

    def arg(name: str, text: bool = False) -> list[Any]:
        cells = column(values, name)
        return [("" if v is None else v) if c else "" for v, c in zip(cells, candidate, strict=True)]

    spilled = _portfolio(
        arg("options_npv"),
        arg("options_investment_used"),
        result(values, "budget"),
        arg("options_exclusive_group"),
        [str(v) if v != "" else "" for v in arg("options_requires_row")],
    )
    assert [None if r[0] == "" else r[0] for r in spilled] == at_build(values)


def test_an_option_requiring_an_unknown_one_or_itself_is_refused():
    data = Audit.example("en").to_dict()
    data["tables"]["options"][3]["requires"] = "F99"
    with pytest.raises(AuditError, match=r"options\[4\]\.requires 'F99' is not the id of an option in the table"):
        Audit.from_dict(data)
    data["tables"]["options"][3]["requires"] = "F4"
    with pytest.raises(AuditError, match=r"options\[4\]\.requires 'F4' is the option itself"):
        Audit.from_dict(data)


def test_a_subsidy_above_the_investment_is_refused():
    data = Audit.example("en").to_dict()
    data["tables"]["options"][2]["subsidy"] = 1_500_000
    with pytest.raises(
        AuditError,
        match=r"options\[3\]\.subsidy 1,500,000 is more than the investment it subsidises "
        r"\(1,400,000\)",
    ):
        Audit.from_dict(data)


def test_without_a_budget_there_is_no_portfolio(tmp_path):
    data = Audit.example("en").to_dict()
    data["fields"]["budget"] = None
    wb = openpyxl.load_workbook(build(Audit.from_dict(data), tmp_path / "nobudget.xlsx"), data_only=True)
    assert set(at_build(wb)) == {None}
    assert result(wb, "result_budget") is None


# --- implementation against the estimates; the grade after the audit -----------------------------------------


def test_implementation_results_against_the_feasibility_estimates(values):
    assert by_id(values, "investment_variance")["F4"] == 52_000 - 45_000
    assert by_id(values, "investment_variance_pct")["F4"] == pytest.approx(7 / 45)
    assert by_id(values, "saving_variance")["F1"] == 64_000 - 60_000
    assert by_id(values, "measured_reduction")["F1"] == pytest.approx((41400 - 39500) / 41400)
    assert by_id(values, "investment_variance")["F2"] is None  # planned: nothing to compare
    assert result(values, "result_implemented_investment") == 22_000 + 52_000 + 8_000
    assert result(values, "result_implemented_estimate") == 20_000 + 45_000 + 8_000
    assert result(values, "result_implemented_saving") == 64_000 + 33_000 + 18_000


def test_the_indicators_after_the_audit_are_graded_by_the_same_method(values):
    audit = Audit.example("en")
    rows = audit.tables["indicators"]
    after = core.grade(
        [r["value_after"] for r in rows],
        [r["level_1"] for r in rows],
        [r["level_2"] for r in rows],
        [r["level_3"] for r in rows],
        [r["lower_is_better"] for r in rows],
        audit.indicator_weights(),
        groups=[r["group"] for r in rows],
        limiting=[r["limiting"] for r in rows],
    )
    assert (result(values, "result_grade"), result(values, "result_grade_after")) == (3, 2) == (3, after)
    assert result(values, "result_y2_after") == pytest.approx(100)
    assert column(values, "indicators_level_after")[:8] == [2, 2, 2, 2, 2, 2, 2, 1]  # management: I


def test_a_blank_workbook_has_no_grade_after_and_reads_back(tmp_path):
    path = build(Audit.blank(), tmp_path / "blank.xlsx")
    wb = openpyxl.load_workbook(path, data_only=True)
    assert result(wb, "result_grade_after") is None
    assert read(path) == Audit.blank()
