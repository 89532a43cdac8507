"""The audit workbook and the add-in agree: CP_RECONCILE over the workbook's stream table, spare rows and all,
spills exactly the values the workbook cached for it."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from cpxl.audit import Audit
from cpxl.excel.adapters import evaluate
from cpxl.workbook import build


def named_block(wb, name):
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cp_reconcile_over_the_workbook_ranges_matches_the_cached_column(tmp_path, lang):
    path = build(Audit.example(lang), tmp_path / "audit.xlsx", lang)
    wb = openpyxl.load_workbook(path, data_only=True)
    # as xlwings hands ranges over: 2-D, blanks as None
    args = [
        np.array([[c.value for c in row] for row in named_block(wb, f"streams_{key}")], dtype=object)
        for key in ("source", "target", "measured", "sigma")
    ]
    value = evaluate("CP_RECONCILE", *args, "value")
    status = evaluate("CP_RECONCILE", *args, "status")
    measured_block = named_block(wb, "streams_measured")
    sheet = measured_block[0][0].parent
    column = measured_block[0][0].column  # after sigma: the values at build, then the live columns
    at_build = [sheet.cell(row[0].row, column + 2).value for row in measured_block]
    cached_value = [sheet.cell(row[0].row, column + 3).value for row in measured_block]
    cached_status = [sheet.cell(row[0].row, column + 5).value for row in measured_block]
    n = len(Audit.example().tables["streams"])
    assert [v[0] for v in value][n:] == [""] * (len(value) - n)  # spare rows spill nothing
    np.testing.assert_allclose([v[0] for v in value][:n], cached_value[:n], rtol=1e-12)
    np.testing.assert_allclose([v[0] for v in value][:n], at_build[:n], rtol=1e-12)
    assert [s[0] for s in status][:n] == cached_status[:n]
    test = evaluate("CP_BALANCE_TEST", *args)
    assert test[0][1] >= 1 and test[0][4] in (True, False)
