"""Workbooks built by an earlier cpxl: what a later schema added is blank in them, not missing.

``tests/data/example-schema-2.xlsx`` is the worked example as cpxl built it with schema version 2 (before
components, energy, history, waste streams, facilities, cost breakdowns and the portfolio), kept as the file
was written; the reader, ``cpxl check`` and the refresh (``cpxl build FILLED.xlsx``) must take it as it is.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cpxl.audit import Audit, AuditError
from cpxl.audit.versions import names_added_since
from cpxl.batch import check
from cpxl.cli import main
from cpxl.workbook import build, examine, read
from cpxl.workbook.package import open_package

OLD = Path(__file__).parent / "data" / "example-schema-2.xlsx"


def test_the_file_is_a_schema_2_workbook_without_the_names_added_since():
    book = open_package(OLD)
    assert str(book.properties["cpxl_schema_version"]) == "2"
    assert not names_added_since(2) & set(book.names)
    assert "streams_measured" in book.names


def test_a_schema_2_workbook_reads_with_what_was_added_blank():
    found = examine(OLD)
    assert found.problems == []
    audit = found.audit
    assert [s["name"] for s in audit.tables["streams"]][:3] == ["Raw material A", "Raw material B", "Fresh toluene"]
    assert all(s["content_1"] is None for s in audit.tables["streams"])
    assert audit.tables["components"] == [] and audit.tables["energy"] == [] and audit.tables["wastes"] == []
    assert audit.fields["budget"] is None and audit.fields["low_running_rate"] == 0.5  # the field's default
    assert [o["investment"] for o in audit.tables["options"]][:3] == [20000, 850000, 1200000]
    assert all(o["invest_equipment"] is None for o in audit.tables["options"])


def test_a_name_of_schema_2_deleted_from_it_is_still_a_problem(tmp_path):
    wb = openpyxl.load_workbook(OLD)
    del wb.defined_names["streams_sigma"]
    wb.save(tmp_path / "broken.xlsx")
    with pytest.raises(AuditError, match="the defined name 'streams_sigma' is missing"):
        read(tmp_path / "broken.xlsx")


def test_a_current_workbook_missing_a_new_name_is_a_problem(tmp_path):
    wb = openpyxl.load_workbook(build(Audit.example(), tmp_path / "new.xlsx"))
    del wb.defined_names["streams_content_1"]
    wb.save(tmp_path / "broken.xlsx")
    with pytest.raises(AuditError, match="the defined name 'streams_content_1' is missing"):
        read(tmp_path / "broken.xlsx")


def test_check_and_refresh_take_a_schema_2_workbook(tmp_path):
    report = check(OLD)
    assert [f.kind for f in report.flags] == ["target", "target"]
    assert report.of_kind("unit_balance")[0].cell == "F12"  # where the old workbook has it
    result = CliRunner().invoke(main, ["build", str(OLD), "-o", str(tmp_path / "refreshed.xlsx")])
    assert result.exit_code == 0, result.output
    assert read(tmp_path / "refreshed.xlsx") == read(OLD)
    assert str(open_package(tmp_path / "refreshed.xlsx").properties["cpxl_schema_version"]) == "3"
