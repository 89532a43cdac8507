"""Text survives the workbook exactly: build, then read, gives back every tab, line break and escape-like text."""

from __future__ import annotations

import pytest

from cpxl.audit import Audit
from cpxl.workbook import build, read
from cpxl.workbook.cells import decode_ooxml_escapes, load_workbook

#: Texts a user may type, each with what makes it hard to store.
TEXTS = {
    "tab": "before\tafter",
    "newline": "line 1\nline 2",
    "windows line break": "line 1\r\nline 2",
    "carriage return": "one\rtwo",
    "quotes": 'the "main" reactor\'s feed',
    "formula-like": "=1+1",
    "at-formula": "@SUM(A1)",
    "escape-like": "_x0041_",
    "escaped underscore": "_x005F_",
    "lower-case escape": "a_x000d_b",
    "openpyxl's deletion": "keep x005F_ here",
    "markup": "<b>&amp;</b>",
    "Chinese": "反应釜\t冷凝器\n精馏塔",
    "astral": "\N{GRINNING FACE} ok",
}


def audit_with_texts() -> Audit:
    data = Audit.example("en").to_dict()
    texts = list(TEXTS.values())
    data["fields"]["company"] = TEXTS["windows line break"]
    data["fields"]["description"] = "\n".join(texts)
    team = data["tables"]["team"]
    for record, text in zip(team, texts, strict=False):
        record["duties"] = text
    data["tables"]["continuing"] = [{"action": text, "notes": name} for name, text in TEXTS.items()]
    return Audit.from_dict(data)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory):
    return build(audit_with_texts(), tmp_path_factory.mktemp("texts") / "texts.xlsx")


def test_the_audit_keeps_every_text_exactly():
    audit = audit_with_texts()
    assert [r["action"] for r in audit.tables["continuing"]] == list(TEXTS.values())


def test_every_text_cell_reads_back_exactly_through_cells(book):
    workbook = load_workbook(book)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            found += [decode_ooxml_escapes(c.value) for c in row if isinstance(c.value, str)]
    audit = audit_with_texts()
    for text in [*TEXTS.values(), audit.fields["description"]]:
        assert text in found, text


def test_build_then_read_gives_the_same_texts(book):
    assert read(book) == audit_with_texts()
