"""The report's charts (cpxl.report.charts) and figures (cpxl.report.figures).

Geometry is checked on hand-made data: a bar is as tall as its value times the scale, a Pareto's bars decrease and
its cumulative line ends at 100 %, a missing value leaves a gap, a step function holds its value up to the next
step. The worked example's figures are checked against values computed here by hand from the audit's records
(cost = quantity × unit cost; trend = intensity of year k / intensity of year 1; after / before) and against the
values a built workbook caches, read with openpyxl; the NPV-against-budget curve is checked against a brute-force
search over every subset of the options at every budget. The SVG is parsed back; LibreOffice draws the PNGs.
"""

from __future__ import annotations

import itertools
import math
import os
import struct
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from workbook_helpers import named_column

from cpxl.audit import Audit
from cpxl.core.errors import CPError
from cpxl.report import charts, figures, svg
from cpxl.workbook import build
from cpxl.workbook.libreoffice import find_soffice

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def needs_libreoffice(test):
    """Mark a test that draws with LibreOffice: skipped where it is missing, except in CI (which installs it)."""
    missing = pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
    return pytest.mark.libreoffice(missing(test))


SVG = "{http://www.w3.org/2000/svg}"


# --- geometry --------------------------------------------------------------------------------------------------


def test_pareto_bars_decrease_are_proportional_and_the_share_ends_at_100_percent():
    c = charts.pareto(["a", "b", "c", "d"], [10.0, 70.0, 0.0, 20.0], title="t")
    assert [b.category for b in c.bars] == ["b", "d", "a", "c"]
    for bar in c.bars:
        assert math.isclose(bar.height, bar.value * c.scale, abs_tol=1e-9)
        assert math.isclose(bar.y + bar.height, c.plot_bottom, abs_tol=1e-9)  # every bar stands on zero
    assert c.lines[0].values == pytest.approx([0.7, 0.9, 1.0, 1.0])
    assert c.lines[0].points[-1][1] == pytest.approx(c.plot_top)
    assert c.high >= 70 and c.ticks[0] == 0


def test_pareto_refuses_negative_or_non_numbers_and_mismatched_names():
    with pytest.raises(CPError, match="≥ 0"):
        charts.pareto(["a"], [-1.0], title="t")
    with pytest.raises(CPError, match="finite"):
        charts.pareto(["a"], [float("nan")], title="t")
    with pytest.raises(CPError, match="finite"):
        charts.pareto(["a"], ["12"], title="t")
    with pytest.raises(CPError, match="2 names for 1"):
        charts.pareto(["a", "b"], [1.0], title="t")


def test_lines_put_each_value_at_its_height_and_leave_a_gap_for_a_missing_one():
    c = charts.lines(["2022", "2023", "2024"], {"x": [100.0, None, 80.0], "y": [50.0, 60.0, 70.0]}, title="t")
    x, y = c.lines
    assert x.points[1] is None
    assert x.points[0][1] - x.points[2][1] == pytest.approx(-20 * c.scale)
    assert [p[1] for p in y.points] == pytest.approx([c.y(v) for v in (50, 60, 70)])
    assert x.points[0][0] == y.points[0][0] < x.points[2][0]
    polylines = ElementTree.fromstring(c.svg()).iter(f"{SVG}polyline")
    assert len(list(polylines)) == 1  # "x" has no two consecutive points: dots only; "y" one line
    with pytest.raises(CPError, match="2 values for 3"):
        charts.lines(["a", "b", "c"], {"x": [1.0, 2.0]}, title="t")


def test_grouped_bars_side_by_side_with_negative_values_below_zero():
    c = charts.grouped_bars(["A", "B"], {"s": [40.0, -10.0], "t": [20.0, None]}, title="t")
    assert [(b.category, b.series) for b in c.bars] == [("A", "s"), ("A", "t"), ("B", "s")]
    a_s, a_t, b_s = c.bars
    assert a_s.height == pytest.approx(2 * a_t.height)
    assert a_s.x + a_s.width == pytest.approx(a_t.x)
    assert b_s.y == pytest.approx(c.y(0.0)) and b_s.height == pytest.approx(10 * c.scale)
    assert c.low < 0


def test_step_holds_each_value_up_to_the_next_step_and_marks_the_budget():
    c = charts.step([0.0, 100.0, 250.0], [0.0, 30.0, 45.0], title="t", markers=[(300.0, "B")])
    traced = [(c.x_of(px), c.value_of(py)) for px, py in c.lines[0].points]
    expected = [(0, 0), (100, 0), (100, 30), (250, 30), (250, 45), (300, 45)]
    assert traced == [pytest.approx(p) for p in expected]
    assert c.x_of(c.markers[0][0]) == pytest.approx(300)
    with pytest.raises(CPError, match="increase"):
        charts.step([5.0, 1.0], [0.0, 1.0], title="t")


@pytest.mark.parametrize(("low", "high"), [(0, 1), (0, 826_980), (-3.2, 7.7), (0, 0), (0.001, 0.0042), (-5e6, 0)])
def test_nice_ticks_cover_the_values_in_even_nice_steps(low, high):
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    (size,) = steps
    mantissa = size / 10 ** math.floor(math.log10(size))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert 3 <= len(ticks) - 1 <= 12


def test_every_text_is_escaped_and_the_svg_parses_back():
    name = "<b>&\"'渣"
    c = charts.pareto([name, "x"], [2.0, 1.0], title="A & B <c>")
    root = ElementTree.fromstring(c.svg())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "A & B <c>" in texts and any(name in (t or "") for t in texts)
    assert root.get("width") == f"{charts.WIDTH:.0f}" and root.get("height") == f"{charts.HEIGHT:.0f}"


# --- the worked example's figures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Audit, openpyxl.Workbook, dict[str, object]]:
    audit = Audit.example("en")
    book = build(audit, tmp_path_factory.mktemp("figures") / "example.xlsx")
    return audit, openpyxl.load_workbook(book, data_only=True), figures.charts(audit, "en")


def test_example_has_every_figure_and_the_blank_none():
    assert list(figures.charts(Audit.example("zh"), "zh")) == [
        "consumption_trend",
        "pollutant_trend",
        "waste_pareto",
        "balance",
        "portfolio",
        "before_after",
    ]
    assert figures.charts(Audit.blank()) == {}
    assert "balance" not in figures.charts(Audit.example(), diagram=False)


def test_waste_pareto_is_quantity_times_unit_cost_as_the_workbook_caches_it(example):
    audit, wb, made = example
    by_hand = {r["name"]: r["quantity"] * r["unit_cost"] for r in audit.tables["wastes"]}
    chart = made["waste_pareto"]
    assert {b.category: b.value for b in chart.bars} == pytest.approx({k: v for k, v in by_hand.items() if v})
    cached = [x for x in named_column(wb, "wastes_cost") if x not in (None, "")]
    assert sorted((b.value for b in chart.bars), reverse=True) == pytest.approx(sorted((x for x in cached if x),
                                                                                       reverse=True))  # fmt: skip
    assert chart.note.startswith(f"{sum(1 for v in by_hand.values() if not v)} stream")
    assert chart.lines[0].values[0] == pytest.approx(638_400 / 826_980)  # the residue: 77 % of the cost


def test_waste_pareto_falls_back_to_quantity_when_no_stream_has_a_cost():
    audit = Audit.example("en")
    for row in audit.tables["wastes"]:
        row["unit_cost"] = None
    chart = figures.charts(audit, diagram=False)["waste_pareto"]
    assert chart.title == "Waste streams by quantity"
    assert [b.value for b in chart.bars] == sorted((r["quantity"] for r in audit.tables["wastes"] if r["quantity"]),
                                                   reverse=True)  # fmt: skip


def test_trends_are_intensity_indexes_computed_by_hand(example):
    audit, wb, made = example
    rows = audit.tables["history"]
    main = [r for r in rows if r["category"] == "product" and r["main"]]
    output = [sum(r[f"year_{k}"] for r in main) for k in (1, 2, 3)]
    consumption, pollutants = made["consumption_trend"], made["pollutant_trend"]
    assert consumption.categories == [str(audit.fields[f"year_{k}"]) for k in (1, 2, 3)]
    for line in consumption.lines + pollutants.lines:
        row = next(r for r in rows if r["name"] == line.series)
        intensity = [row[f"year_{k}"] / output[k - 1] for k in (1, 2, 3)]
        assert line.values == pytest.approx([100 * i / intensity[0] for i in intensity])
    assert {line.series for line in consumption.lines} == {
        r["name"] for r in rows if r["category"] in ("raw_material", "auxiliary", "energy", "water")
    }
    assert {line.series for line in pollutants.lines} == {
        r["name"] for r in rows if r["category"] in ("wastewater", "waste_gas", "solid_waste")
    }
    cached = named_column(wb, "history_trend_3")
    toluene = [r["name"] for r in rows].index("Toluene (make-up)")
    assert consumption.lines[0].values[2] == pytest.approx(100 * cached[toluene])


def test_before_after_are_shares_of_before_from_the_records(example):
    audit, _, made = example
    chart = made["before_after"]
    options = [o for o in audit.tables["options"] if o["before"] and o["after"] is not None]
    assert chart.categories == [f"{o['id']} {o['pollutant']}" for o in options]
    bars = {(b.category, b.series): b for b in chart.bars}
    for o in options:
        key = f"{o['id']} {o['pollutant']}"
        assert bars[(key, "before")].value == 100
        assert bars[(key, "after (expected)")].value == pytest.approx(100 * o["after"] / o["before"])
        if o["measured_before"] and o["measured_after"] is not None:
            measured = bars[(key, "after (measured)")]
            assert measured.value == pytest.approx(100 * o["measured_after"] / o["measured_before"])
            assert measured.label == f"{o['measured_after']:,.0f}"
        else:
            assert (key, "after (measured)") not in bars


def _brute_force(npv, cost, group, requires, budget):
    """The best total NPV within *budget*: every subset of the candidates tried."""
    ids = list(npv)
    best = 0.0
    for size in range(len(ids) + 1):
        for chosen in itertools.combinations(ids, size):
            groups = [group[i] for i in chosen if group[i]]
            if len(groups) != len(set(groups)) or any(requires[i] and requires[i] not in chosen for i in chosen):
                continue
            if sum(cost[i] for i in chosen) <= budget + 1e-6:
                best = max(best, sum(npv[i] for i in chosen))
    return best


def test_npv_against_budget_is_the_brute_force_optimum_at_every_budget(example):
    audit, wb, made = example
    rows = audit.tables["options"]
    npv_cells, cost_cells = named_column(wb, "options_npv"), named_column(wb, "options_investment_used")
    passed = named_column(wb, "options_passed")
    candidates = [
        i for i, r in enumerate(rows) if isinstance(npv_cells[i], float) and passed[i] in ("yes", True, 1, "Yes")
    ]
    assert len(candidates) >= 5
    npv = {rows[i]["id"]: npv_cells[i] for i in candidates}
    cost = {rows[i]["id"]: cost_cells[i] for i in candidates}
    group = {rows[i]["id"]: rows[i]["exclusive_group"] for i in candidates}
    requires = {rows[i]["id"]: rows[i]["requires"] for i in candidates}
    chart = made["portfolio"]
    corners = chart.lines[0].points
    steps = [(chart.x_of(corners[k][0]), chart.value_of(corners[k][1])) for k in range(0, len(corners), 2)]
    for budget, value in steps:
        assert value == pytest.approx(_brute_force(npv, cost, group, requires, budget), rel=1e-9, abs=1e-6)
    budget = audit.fields["budget"]
    best = _brute_force(npv, cost, group, requires, budget)
    assert chart.markers[0][1] == f"budget {budget:,.0f}: NPV {best:,.0f}"


def test_an_audit_without_budget_history_or_pollutant_loads_has_no_such_figure():
    audit = Audit.example("en")
    audit.fields["budget"] = None
    for row in audit.tables["options"]:
        row["before"] = row["after"] = None
    audit.tables["history"] = [dict(r, year_2=None, year_3=None) for r in audit.tables["history"]]
    assert sorted(figures.charts(audit, diagram=False)) == ["waste_pareto"]


# --- PNG -------------------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("lang", ["en", "zh"])
@needs_libreoffice
def test_pictures_are_drawn_in_two_libreoffice_runs(monkeypatch, lang):
    import cpxl.workbook.libreoffice as lo

    runs = []
    convert = lo._convert

    def counting(sources, *args, **kwargs):
        runs.append(len(sources))
        return convert(sources, *args, **kwargs)

    monkeypatch.setattr(lo, "_convert", counting)
    made = figures.charts(Audit.example(lang), lang)
    pngs = figures.pictures(Audit.example(lang), lang)
    assert list(pngs) == list(made)
    assert sorted(runs) == [1, 5]  # the balance diagram has its own size; the five charts share one
    for slot, png in pngs.items():
        expected = (round(made[slot].width * 2), round(made[slot].height * 2)) if slot == "balance" else (1800, 960)
        assert png_size(png) == expected


def test_pictures_of_no_figures_start_no_libreoffice(monkeypatch):
    import cpxl.workbook.libreoffice as lo

    monkeypatch.setattr(lo, "_convert", lambda *a, **k: pytest.fail("LibreOffice started"))
    assert figures.pictures(Audit.blank()) == {}
    assert svg.svgs_to_png([]) == []


def test_a_missing_libreoffice_is_one_clear_error(monkeypatch):
    import cpxl.workbook.libreoffice as lo

    monkeypatch.setattr(lo, "find_soffice", lambda: None)
    with pytest.raises(CPError, match="LibreOffice") as caught:
        figures.pictures(Audit.example())
    assert "\n" not in str(caught.value)


def test_the_figures_module_reads_a_filled_workbook_as_the_audit(tmp_path: Path):
    book = build(Audit.example("zh"), tmp_path / "a.xlsx", "zh")
    from_book = figures.charts(book, "zh", diagram=False)
    from_audit = figures.charts(Audit.example("zh"), "zh", diagram=False)
    assert from_book["portfolio"].lines[0].values == pytest.approx(from_audit["portfolio"].lines[0].values)
    assert [b.value for b in from_book["waste_pareto"].bars] == [b.value for b in from_audit["waste_pareto"].bars]
    with pytest.raises(CPError, match="must be"):
        figures.charts(tmp_path / "a.csv")


def test_a_long_waste_list_keeps_the_largest_bars_and_sums_the_rest_in_one_last_bar():
    audit = Audit.example("en")
    template = audit.tables["wastes"][0]
    audit.tables["wastes"] = [
        dict(template, name=f"waste {k}", quantity=float(k), unit_cost=100.0) for k in range(1, 41)
    ]
    chart = figures.charts(audit, diagram=False)["waste_pareto"]
    assert len(chart.bars) == figures.MOST_BARS
    largest = [b.category for b in chart.bars[:-1]]
    assert largest == [f"waste {k}" for k in range(40, 40 - figures.MOST_BARS + 1, -1)]
    rest = chart.bars[-1]
    assert rest.category == f"{40 - figures.MOST_BARS + 1} others"
    assert rest.value == pytest.approx(100.0 * sum(range(1, 40 - figures.MOST_BARS + 2)))  # larger than any, still last
    assert chart.lines[0].values[-1] == pytest.approx(1.0)
    assert sum(b.value for b in chart.bars) == pytest.approx(100.0 * sum(range(1, 41)))


def test_many_history_items_keep_the_lines_that_changed_most():
    audit = Audit.example("en")
    rows = audit.tables["history"]
    water = next(r for r in rows if r["category"] == "water")
    changes = [0.5 + 0.05 * k for k in range(20)]  # year 3 / year 1 of the value; output is the same each year
    for row in rows:
        if row["category"] == "product":
            row.update(year_1=1000.0, year_2=1000.0, year_3=1000.0)
    extra = [dict(water, name=f"item {k}", year_1=100.0, year_2=100.0, year_3=100.0 * c) for k, c in enumerate(changes)]
    audit.tables["history"] = [r for r in rows if r["category"] != "water"] + extra
    chart = figures.charts(audit, diagram=False)["consumption_trend"]
    assert len(chart.lines) == figures.MOST_LINES
    kept = {line.series for line in chart.lines}
    names = [
        r["name"] for r in audit.tables["history"] if r["category"] in ("raw_material", "auxiliary", "energy", "water")
    ]
    moved = {
        r["name"]: abs(r["year_3"] / r["year_1"] * 100 - 100) for r in audit.tables["history"] if r["name"] in names
    }
    threshold = sorted(moved.values(), reverse=True)[figures.MOST_LINES - 1]
    assert all(moved[name] >= threshold - 1e-9 for name in kept)
    assert chart.note.startswith(f"the {figures.MOST_LINES} items that changed most of {len(names)}")


def test_a_control_character_never_makes_an_svg_that_does_not_parse():
    chart = charts.pareto(["slag\x01", "dust"], [2.0, 1.0], title="t\x0b")
    root = ElementTree.fromstring(chart.svg())
    assert "slag\ufffd" in [t.text for t in root.iter(f"{SVG}text")]


def test_an_audit_changed_in_python_is_checked_as_a_file_would_be():
    from cpxl.audit.model import AuditError
    from cpxl.report.document import report

    audit = Audit.example()
    audit.tables["wastes"][0]["name"] = "bad\x01name"
    audit.tables["wastes"][1]["quantity"] = "lots"
    for make in (lambda: figures.charts(audit), lambda: report(audit, Path("never.docx"))):
        with pytest.raises(AuditError) as caught:
            make()
        assert "wastes[1].name" in str(caught.value) and "wastes[2].quantity" in str(caught.value)
    assert not Path("never.docx").exists()
