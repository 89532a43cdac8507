"""The audit workbook in LibreOffice, the real client: every formula recomputed must equal cpxl's cached value.

LibreOffice opens each workbook with recalculation forced (cpxl.workbook.libreoffice), saves it, and every
formula cell is compared with the value cpxl cached (relative 1e-9). The only cells allowed to differ are the
CP_RECONCILE cells, which need the cpxl add-in and show a fallback text without it. These tests skip only outside
CI when LibreOffice is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from workbook_helpers import audits

from cpxl.audit import Audit
from cpxl.workbook import build, read
from cpxl.workbook.labels import label
from cpxl.workbook.libreoffice import compare_cached_values, find_soffice, recalculate, recalculate_many

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xlsx"))
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed"),
]
ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "Err:")


def needs_addin(mismatch) -> bool:
    return any(
        f"{name}(" in (mismatch.formula or "")
        for name in ("CP_RECONCILE", "CP_RECONCILE_COMPONENTS", "CP_PORTFOLIO", "CP_VERSION")
    )


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("recalculated")
    return dict(zip([t.name for t in TEMPLATES], recalculate_many(TEMPLATES, out), strict=True))


def test_there_are_templates_to_check():
    assert {t.name for t in TEMPLATES} == {"blank-en.xlsx", "blank-zh.xlsx", "example-en.xlsx", "example-zh.xlsx"}


@pytest.mark.parametrize("template", [t.name for t in TEMPLATES])
def test_every_formula_recomputes_to_the_cached_value(recalculated, template):
    lang = "zh" if "zh" in template else "en"
    mismatches = compare_cached_values(ROOT / "workbook_templates" / template, recalculated[template])
    assert [m for m in mismatches if not needs_addin(m)] == []
    # without the add-in the live reconciliation cells stay blank, never #NAME?, and one cell per block says why
    addin = [m for m in mismatches if needs_addin(m)]
    hints = [m for m in addin if "CP_VERSION(" in m.formula]
    assert [m.sheet for m in hints] == [label(f"sheet.{key}", lang) for key in ("flowsheet", "components", "options")]
    assert all("cpxl" in str(m.recalculated) for m in hints)
    assert all(m.recalculated in (None, "") for m in addin if m not in hints)


@pytest.mark.parametrize("template", ["example-en.xlsx", "example-zh.xlsx"])
def test_no_error_values_after_recalculation(recalculated, template):
    wb = openpyxl.load_workbook(recalculated[template], data_only=True)
    errors = [
        f"{ws.title}!{cell.coordinate}={cell.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(ERRORS)
    ]
    assert errors == []


@settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(st.lists(audits(), min_size=6, max_size=6), st.sampled_from(["en", "zh"]))
def test_random_audits_recompute_to_their_cached_values(tmp_path_factory, batch, lang):
    folder = tmp_path_factory.mktemp("random")
    books = [build(Audit.from_dict(data), folder / f"audit{i}.xlsx", lang) for i, data in enumerate(batch)]
    for book, fresh in zip(books, recalculate_many(books, folder / "out"), strict=True):
        assert [m for m in compare_cached_values(book, fresh) if not needs_addin(m)] == [], book


def test_a_row_added_by_the_user_is_computed_and_read_back(tmp_path):
    """Type a new unit and two streams into spare rows, as a user would; the balance and the reader follow."""
    path = build(Audit.example("en"), tmp_path / "audit.xlsx")
    wb = openpyxl.load_workbook(path)

    def first_blank(name: str) -> str:
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        ws = wb[sheet.strip("'")]
        for row in ws[ref.replace("$", "")]:
            if row[0].value is None:
                return ws, row[0].row
        raise AssertionError(f"no spare row in {name}")

    ws, r = first_blank("streams_name")
    for name, source, target, measured, sigma in (
        ("Scrubber water", None, "Scrubber", 500, 10),
        ("Scrubber effluent", "Scrubber", None, 480, 10),
    ):
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"], ws[f"D{r}"], ws[f"E{r}"] = name, source, target, measured, sigma
        r += 1
    units, u = first_blank("units_name")
    units[f"A{u}"] = "Scrubber"
    wb.save(path)

    fresh = recalculate(path, tmp_path / "out")
    values = openpyxl.load_workbook(fresh, data_only=True)[label("sheet.balance", "en")]
    inflow, outflow, unmeasured, closure, flag = (values.cell(u, c).value for c in range(3, 8))
    assert (inflow, outflow, unmeasured) == (500, 480, 0)
    assert closure == pytest.approx(0.04)
    assert flag == "ok"

    audit = read(fresh)
    assert audit.tables["streams"][-1]["name"] == "Scrubber effluent"
    assert audit.tables["units"][-1] == {"name": "Scrubber", "stock_change": None}
