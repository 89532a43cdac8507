"""Every command that reads a file, given hostile and foreign files: exit 1 with one line, never a traceback.

The files are small and made here: empty, text, a YAML alias bomb, deep JSON, a Latin-1 audit file, a zip that
declares gigabytes, a legacy .xls, a password-protected workbook, a workbook whose two cells span a whole sheet,
a folder, a missing path and a device. Each command must answer within a loose time bound, say what is wrong
with which file, and write nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_audit_files import billion_laughs
from test_workbook_hostile import ole2, raw_zip

from cpxl.audit import Audit
from cpxl.cli import main
from cpxl.workbook import build


def hostile_files(folder: Path) -> dict[str, Path]:
    """Small hostile or foreign files, each named by what it is."""
    files = {
        "empty.xlsx": b"",
        "notes.xlsx": b"site,water\nA,12\n",
        "bomb.yaml": billion_laughs().encode(),
        "deep.json": b"[" * 20_000 + b"]" * 20_000,
        "latin1.yaml": "fields:\n  company: Caf\xe9\n".encode("latin-1"),
        "fields-list.yaml": b"fields: [1, 2]\n",
        "declares-gigabytes.xlsx": raw_zip([("xl/workbook.xml", b"\x03\x00", 2, 3_000_000_000, 8)]),
        "legacy.xlsx": ole2(["Workbook"]),
        "locked.xlsx": ole2(["EncryptionInfo", "EncryptedPackage"]),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    corner = build(Audit.example(), folder / "corner-source.xlsx")
    wb = openpyxl.load_workbook(corner)
    wb["3 Flowsheet"].cell(1048576, 16384).value = "far"
    paths["corner.xlsx"] = folder / "corner.xlsx"
    wb.save(paths["corner.xlsx"])
    corner.unlink()
    (folder / "a-folder.xlsx").mkdir()
    paths["a-folder.xlsx"] = folder / "a-folder.xlsx"
    paths["missing.yaml"] = folder / "missing.yaml"
    if os.path.exists("/dev/zero"):
        paths["device"] = Path("/dev/zero")
    return paths


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return hostile_files(tmp_path_factory.mktemp("hostile"))


def _commands(path: Path, out: Path) -> dict[str, list[str]]:
    return {
        "build": ["build", str(path), "-o", str(out / "built.xlsx")],
        "check": ["check", str(path)],
        "check --json": ["check", "--json", str(path)],
        "collect": ["collect", str(path), "-o", str(out / "collected.csv")],
        "batch": ["batch", str(path), "-o", str(out / "batch")],
    }


@pytest.mark.parametrize("command", ["build", "check", "check --json", "collect", "batch"])
def test_every_command_refuses_every_hostile_file_in_one_line(hostile, tmp_path, command):
    for name, path in hostile.items():
        out = tmp_path / name.replace("/", "_")
        out.mkdir()
        start = time.perf_counter()
        result = CliRunner().invoke(main, _commands(path, out)[command])
        took = time.perf_counter() - start
        where = f"{command} {name}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (where, result.exception)
        assert result.exit_code in (1, 2), (where, result.exit_code, result.output)
        assert "Traceback" not in result.output, where
        assert took < 10, (where, took)
        if command != "check --json":  # the JSON document names the file inside it
            errors = [line for line in result.output.splitlines() if line.strip()]
            assert errors, where
        assert not (out / "built.xlsx").exists(), where
        if (out / "collected.csv").exists():  # collect writes what it could read: here, no row
            assert len((out / "collected.csv").read_text(encoding="utf-8").splitlines()) == 1, where
        assert not any((out / "batch").glob("*.xlsx")) if (out / "batch").exists() else True, where
