"""workbook_templates/ holds what `cpxl new` builds today: a stale template fails here.

Regenerate with `python scripts/make_templates.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from workbook_helpers import cells, defined_names

from cpxl.audit import Audit
from cpxl.workbook import read

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "workbook_templates"
spec = importlib.util.spec_from_file_location("make_templates", ROOT / "scripts" / "make_templates.py")
make_templates = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_templates)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    make_templates.main(folder)
    return folder


def to_12_digits(found: dict) -> dict:
    """Cells with their numbers to 12 significant digits: the last bits of a float differ between BLAS builds."""

    def rounded(value):
        return float(f"{value:.12g}") if isinstance(value, float) else value

    return {key: tuple(rounded(v) for v in value) for key, value in found.items()}


@pytest.mark.parametrize("name", sorted(make_templates.TEMPLATES))
def test_committed_template_is_what_the_code_builds(fresh, name):
    committed, built = FOLDER / name, fresh / name
    assert committed.exists(), f"{name} is missing: run python scripts/make_templates.py"
    if name.endswith(".xlsx"):
        same = to_12_digits(cells(committed)) == to_12_digits(cells(built))
        assert same, f"{name} is stale: run python scripts/make_templates.py"
        assert defined_names(committed) == defined_names(built)
    else:
        assert committed.read_text(encoding="utf-8") == built.read_text(encoding="utf-8")


def test_templates_read_back_as_the_audits_they_show():
    assert read(FOLDER / "blank-en.xlsx") == Audit.blank()
    assert read(FOLDER / "example-zh.xlsx") == Audit.example("zh")
    assert Audit.load(FOLDER / "example.yaml") == Audit.example("en")
