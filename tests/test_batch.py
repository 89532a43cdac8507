"""cpxl batch and cpxl.batch.build_many: many workbooks from a folder or a table, end to end.

Every path runs through click's CliRunner and through a real ``python -m cpxl batch`` process; a workbook built
is read back with cpxl.workbook.read and compared with the audit it came from (the round trip of DESIGN.md).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpxl.audit import Audit
from cpxl.audit.rows import RowError, audit_from_row, check_columns, row_columns
from cpxl.batch import BatchResult, build_many
from cpxl.batch.cleanup import LOCK_NAME
from cpxl.batch.naming import MAX_NAME_BYTES, safe_name, unique_names
from cpxl.cli import main
from cpxl.workbook import read

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"
TEMP_FILE = re.compile(r"\..+\.[a-z0-9_]{8}\.xlsx")


def small(company: str, **fields: object) -> Audit:
    return Audit.from_dict({"fields": {"company": company, **fields}})


def with_streams(company: str) -> Audit:
    data = {
        "fields": {"company": company, "tax_rate": 0.15},
        "tables": {
            "products": [{"name": "Resin", "output": 2000, "main": True}],
            "units": [{"name": "Reactor"}],
            "streams": [
                {"name": "Feed", "target": "Reactor", "measured": 100, "sigma": 2},
                {"name": "Product", "source": "Reactor", "measured": 97, "sigma": 2},
            ],
        },
    }
    return Audit.from_dict(data)


def invoke(how: str, args: list[str], cwd: Path | None = None) -> tuple[int, str]:
    """Run ``cpxl ARGS`` through CliRunner or a real process; the exit code and stderr."""
    if how == "cli":
        result = CliRunner().invoke(main, args)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stderr
    done = subprocess.run(
        [sys.executable, "-m", "cpxl", *args], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )
    return done.returncode, done.stderr


@pytest.fixture(params=["cli", "process"])
def how(request: pytest.FixtureRequest) -> str:
    return request.param


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_FILE.fullmatch(p.name))


def read_all(folder: Path, names: list[str]) -> list[Audit]:
    """The audits in the workbooks *names* of *folder*, read in two processes."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(read, [folder / name for name in names]))


def workbooks(folder: Path) -> list[str]:
    """The workbooks in *folder*, without the hidden temporary files."""
    return sorted(p.name for p in folder.glob("*.xlsx") if not p.name.startswith("."))


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- a folder of audit files -----------------------------------------------------------------------------------


def test_a_folder_of_audits_builds_workbooks_that_read_back_equal(tmp_path, how):
    audits = {"plant-a.yaml": Audit.example(), "plant-b.json": with_streams("B Co."), "plant-c.yml": small("C Co.")}
    source = tmp_path / "audits"
    source.mkdir()
    for name, audit in audits.items():
        audit.save(source / name)
    (source / "notes.txt").write_text("not an audit", encoding="utf-8")
    (source / ".hidden.yaml").write_text("{}", encoding="utf-8")
    code, err = invoke(how, ["batch", str(source), "-o", str(tmp_path / "out")])
    assert code == 0, err
    assert "built 3, skipped 0, failed 0" in err
    assert workbooks(tmp_path / "out") == ["plant-a.xlsx", "plant-b.xlsx", "plant-c.xlsx"]
    for name, audit in audits.items():
        assert read(tmp_path / "out" / f"{Path(name).stem}.xlsx") == audit


def test_a_folder_with_bad_audits_builds_the_good_ones_and_lists_every_problem(tmp_path, how):
    source = tmp_path / "audits"
    source.mkdir()
    small("Good").save(source / "good.yaml")
    (source / "bad.yaml").write_text("fields:\n  company: Bad\n  tax_rate: abc\n", encoding="utf-8")
    (source / "broken.json").write_text('{"fields": {"company": "X", "company": "Y"}}', encoding="utf-8")
    with_streams("Also good").save(source / "zz.json")
    code, err = invoke(how, ["batch", str(source), "-o", str(tmp_path / "out")])
    assert code == 1
    assert f"failed: {source / 'bad.yaml'}, fields.tax_rate: must be a number, got 'abc'" in err
    assert f"failed: {source / 'broken.json'}, line 1: the key 'company' appears twice in one object" in err
    assert "built 2, skipped 0, failed 2" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != LOCK_NAME) == ["good.xlsx", "zz.xlsx"]
    assert read(tmp_path / "out" / "zz.xlsx") == with_streams("Also good")


def test_jobs_2_builds_in_worker_processes(tmp_path, how):
    source = tmp_path / "audits"
    source.mkdir()
    audits = {f"p{i}": small(f"Plant {i}", employees=10 + i) for i in range(3)} | {"s": with_streams("S")}
    for name, audit in audits.items():
        audit.save(source / f"{name}.yaml")
    (source / "bad.yaml").write_text("fields: [1, 2]\n", encoding="utf-8")
    code, err = invoke(how, ["batch", str(source), "-o", str(tmp_path / "out"), "--jobs", "2"])
    assert code == 1 and "built 4, skipped 0, failed 1" in err
    assert "bad.yaml, fields: must be a mapping of field names to values, got a list" in err
    for name, audit in audits.items():
        assert read(tmp_path / "out" / f"{name}.xlsx") == audit


# --- a table of audits -----------------------------------------------------------------------------------------


def test_the_example_table_builds_and_its_tables_file_gives_the_list_tables(tmp_path, how):
    code, err = invoke(how, ["batch", str(TEMPLATES / "batch-example.csv"), "-o", str(tmp_path / "out")])
    assert code == 0, err
    assert "built 3, skipped 0, failed 0" in err
    with open(TEMPLATES / "batch-example.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = ["Jiangnan Fine Chemicals Co", "Huaxin Electroplating Ltd", "Northern Paper Mill"]
    for number, (row, name) in enumerate(zip(rows, names, strict=True), start=2):
        expected = audit_from_row(row, row=number, folder=TEMPLATES)
        assert read(tmp_path / "out" / f"{name}.xlsx") == expected
    first = read(tmp_path / "out" / f"{names[0]}.xlsx")
    assert first.tables == Audit.example().tables and first.fields["company"] == "Jiangnan Fine Chemicals Co."
    second = read(tmp_path / "out" / f"{names[1]}.xlsx")
    assert second.weights["focus"][3] == 10 and second.fields["tax_rate"] == 0.15 and not second.tables["streams"]
    third = read(tmp_path / "out" / f"{names[2]}.xlsx")
    assert third.fields["currency"] == "CNY" and third.fields["tax_rate"] == 0.25  # blank cells: the defaults


def test_a_table_with_bad_rows_builds_the_others_and_names_row_and_column(tmp_path, how):
    with_streams("Plant T").save(tmp_path / "t.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.json").write_text('{"tables": {"streams": [{"name": "S", "measured": -5}]}}', "utf-8")
    (tmp_path.parent / "secret.yaml").write_text("fields: {company: Secret}\n", encoding="utf-8")
    table = write_csv(
        tmp_path / "plants.csv",
        ["fields.company", "fields.tax_rate", "fields.employees", "tables"],
        [
            ["Good one", "0.2", "12", ""],
            ["Bad rate", "abc", "3.5", ""],
            ["", "", "", ""],
            ["Escapes", "", "", "../secret.yaml"],
            ["Absolute", "", "", str(tmp_path / "t.yaml")],
            ["Bad tables", "", "", "sub\\bad.json"],
            ["With tables", "", "", "t.yaml"],
        ],
    )
    code, err = invoke(how, ["batch", str(table), "-o", str(tmp_path / "out")])
    assert code == 1
    assert "failed: plants.csv row 3, fields.tax_rate: must be a number, got 'abc'" in err
    assert "failed: plants.csv row 3, fields.employees: must be a whole number, got 3.5" in err
    assert "failed: plants.csv row 5, tables: '../secret.yaml' lies outside the table's folder" in err
    assert "failed: plants.csv row 6, tables: " in err and "must be relative to the table's folder" in err
    assert "failed: plants.csv row 7, tables: sub\\bad.json: streams[1].measured must be >= 0, got -5" in err
    assert "built 2, skipped 0, failed 4" in err
    assert read(tmp_path / "out" / "Good one.xlsx") == small("Good one", tax_rate=0.2, employees=12)
    expected = with_streams("Plant T")
    expected.fields["company"] = "With tables"
    assert read(tmp_path / "out" / "With tables.xlsx") == expected


def test_a_table_with_unknown_columns_is_refused_whole(tmp_path, how):
    table = write_csv(tmp_path / "t.csv", ["fields.company", "fields.taxrate", "Notes"], [["A", "0.1", "x"]])
    code, err = invoke(how, ["batch", str(table), "-o", str(tmp_path / "out")])
    assert code == 1
    assert "column 2, 'fields.taxrate': unknown column (did you mean fields.tax_rate?)" in err
    assert "column 3, 'Notes': unknown column" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.xlsx"))


def test_an_xlsx_table_and_csv_spellings(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "plants.xlsx"))
    sheet = book.add_worksheet()
    for r, row in enumerate([["fields.company", "fields.employees", "fields.tax_rate"], ["X Co.", 40, 0.1]]):
        sheet.write_row(r, 0, row)
    book.close()
    result = build_many(tmp_path / "plants.xlsx", tmp_path / "out")
    assert result.ok and read(result.built[0]) == small("X Co.", employees=40, tax_rate=0.1)
    bom = tmp_path / "bom.csv"  # as Excel saves "CSV UTF-8", in a locale that separates with semicolons
    bom.write_bytes("\ufefffields.company;fields.location;\r\n江苏某化工;常州;\r\n".encode())
    result = build_many(bom, tmp_path / "out2", lang="zh")
    assert result.ok and read(result.built[0]) == small("江苏某化工", location="常州")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("fields.company\n江苏\n".encode("gbk"))
    with pytest.raises(Exception, match="is not UTF-8"):
        build_many(gbk, tmp_path / "out3")


def test_the_python_twin_takes_a_dataframe_and_gives_a_frame(tmp_path, monkeypatch):
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    small("From file").save(tmp_path / "f.yaml")
    frame = pd.DataFrame(
        {
            "fields.company": ["A", "B", None],
            "fields.tax_rate": [0.1, float("nan"), 2.0],
            "tables": [None, "f.yaml", None],
        }
    )
    seen = []
    result = build_many(frame, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert isinstance(result, BatchResult) and repr(result) == "BatchResult(built 2, skipped 0, failed 1)"
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    table = result.to_frame()
    assert table.status.tolist() == ["built", "built", "failed"]
    assert table.iloc[2][["input", "where"]].tolist() == ["table row 4", "fields.tax_rate"]
    assert "must be a fraction" in table.iloc[2]["message"]
    assert read(tmp_path / "out" / "B.xlsx").fields["tax_rate"] == 0.25


# --- names -----------------------------------------------------------------------------------------------------

HOSTILE = {
    "../../etc/passwd": "etc_passwd",
    "..": "audit",
    "a/b\\c": "a_b_c",
    "CON": "CON_",
    "lpt1.txt": "lpt1.txt_",
    "nul ": "nul_",
    "tab\tand\nnewline": "tab and newline",
    "bell\x07": "bell",
    "right-to-left\u202eoverride": "right-to-left_override",
    "-rf": "_rf",
    ".hidden": "hidden",
    "trailing dots...": "trailing dots",
    'what?<>:"|*': "what",
    "": "audit",
}


@pytest.mark.parametrize(("given", "expected"), sorted(HOSTILE.items()))
def test_hostile_names_become_plain_names(given, expected):
    assert safe_name(given) == expected


def test_long_names_are_cut_to_whole_characters():
    name = safe_name("化" * 200)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES and name == "化" * (MAX_NAME_BYTES // 3)
    assert unique_names(["x" * 200, "X" * 200]) == ["x" * 200, "X" * 200 + "-2"]


def test_hostile_and_repeated_names_stay_inside_the_folder_and_resume(tmp_path, how):
    names = ["../../etc/passwd", "/etc/passwd", "Acme", "ACME", "acme", "CON", "", "..", "C:\\Windows\\x"]
    table = write_csv(
        tmp_path / "t.csv", ["file", "fields.employees"], [[name, str(i)] for i, name in enumerate(names, start=1)]
    )
    out = tmp_path / "deep" / "out"
    code, err = invoke(how, ["batch", str(table), "-o", str(out), "--name-column", "file"])
    assert code == 0, err
    made = sorted(p.name for p in out.iterdir() if p.name != LOCK_NAME)
    expected = [
        "ACME-2.xlsx",
        "Acme.xlsx",
        "C__Windows_x.xlsx",
        "CON_.xlsx",
        "acme-3.xlsx",
        "audit.xlsx",
        "etc_passwd-2.xlsx",
        "etc_passwd.xlsx",
        "t-row-8.xlsx",
    ]
    assert made == sorted(expected)
    assert {p.resolve().parent for p in tmp_path.rglob("*.xlsx")} == {out.resolve()}
    assert read(out / "acme-3.xlsx").fields["employees"] == 5
    code, err = invoke(how, ["batch", str(table), "-o", str(out), "--name-column", "file", "--skip-existing"])
    assert code == 0 and "built 0, skipped 9, failed 0" in err


# --- existing outputs ------------------------------------------------------------------------------------------


def test_existing_workbooks_are_kept_unless_force(tmp_path, how):
    table = write_csv(tmp_path / "t.csv", ["fields.company", "fields.employees"], [["A", "1"], ["B", "2"]])
    out = tmp_path / "out"
    out.mkdir()
    (out / "A.xlsx").write_bytes(b"someone's work")
    code, err = invoke(how, ["batch", str(table), "-o", str(out)])
    assert code == 1 and "built 1, skipped 0, failed 1" in err
    assert f"failed: t.csv row 2: {out / 'A.xlsx'} exists already: replace it with --force" in err
    assert (out / "A.xlsx").read_bytes() == b"someone's work"
    code, err = invoke(how, ["batch", str(table), "-o", str(out), "--skip-existing"])
    assert code == 0 and "built 0, skipped 2, failed 0" in err and (out / "A.xlsx").read_bytes() == b"someone's work"
    code, err = invoke(how, ["batch", str(table), "-o", str(out), "--force", "--quiet"])
    assert code == 0 and err == ""
    assert read(out / "A.xlsx") == small("A", employees=1)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--force", "--skip-existing"], "exclude each other"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler is for --executor dask"),
        (["--name-column", "fields.location"], "is not a column of t.csv"),
        (["--jobs", "0"], "0 is not in the range"),
        (["--executor", "spark"], "'spark' is not one of"),
    ],
)
def test_command_line_mistakes_exit_2(tmp_path, extra, message):
    table = write_csv(tmp_path / "t.csv", ["fields.company"], [["A"]])
    code, err = invoke("cli", ["batch", str(table), "-o", str(tmp_path / "out"), *extra])
    assert code == 2 and message in err
    assert not list(tmp_path.rglob("*.xlsx"))


def test_output_that_is_a_file_and_missing_input_exit_2(tmp_path):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    assert invoke("cli", ["batch", str(tmp_path), "-o", str(tmp_path / "file.txt")])[0] == 2
    assert invoke("cli", ["batch", str(tmp_path / "nothing.csv"), "-o", str(tmp_path / "out")])[0] == 2
    code, err = invoke("cli", ["batch", str(tmp_path), "-o", str(tmp_path / "out")])
    assert code == 1 and "no audit file (.yaml, .yml, .json)" in err


def test_dask_missing_is_a_usage_error(tmp_path, monkeypatch):
    table = write_csv(tmp_path / "t.csv", ["fields.company"], [["A"]])
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, err = invoke("cli", ["batch", str(table), "-o", str(tmp_path / "out"), "--executor", "dask"])
    assert code == 2 and "pip install 'cpxl[dask]'" in err


# --- rows -----------------------------------------------------------------------------------------------------


def test_row_columns_and_their_problems():
    assert {"fields.company", "weights.options.economic", "tables"} <= set(row_columns())
    check_columns(["fields.company", "file"], extra=["file"])
    with pytest.raises(Exception, match=r"column 2, .fields.company.: repeats column 1"):
        check_columns(["fields.company", "fields.company"])
    with pytest.raises(RowError) as info:
        audit_from_row({"fields.company": "\x01x", "weights.options.ease": "a lot", "tables": "t.yaml"}, row=9)
    assert info.value.items == [
        ("fields.company", "has the control character U+0001 at position 1: remove it"),
        ("weights.options.ease", "must be a number, got 'a lot'"),
        ("tables", "'t.yaml': a tables file is named relative to the table's folder, and there is none here"),
    ]
    audit = audit_from_row({"fields.employees": "1,200", "weights.options.ease": "7"}, row=2)
    assert audit.fields["employees"] == 1200 and audit.weights["options"] == [8.0, 10.0, 8.0, 7.0, 5.0]


# --- a run that is killed, and resumed ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_killed_run_leaves_no_half_written_workbook_and_resumes(tmp_path):
    count = 30
    rows = [[f"Plant {i:02d}", str(i), f"0.{i % 9 + 1}"] for i in range(count)]
    table = write_csv(tmp_path / "t.csv", ["fields.company", "fields.employees", "fields.tax_rate"], rows)
    expected = {
        f"Plant {i:02d}.xlsx": small(f"Plant {i:02d}", employees=i, tax_rate=float(f"0.{i % 9 + 1}"))
        for i in range(count)
    }
    out = tmp_path / "out"
    command = [sys.executable, "-m", "cpxl", "batch", str(table), "-o", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or len(workbooks(out)) < 4):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    present = workbooks(out)
    assert 4 <= len(present) < count, "kill the run mid-way"
    assert read_all(out, present) == [expected[name] for name in present]  # whole, or not there at all
    stale = out / ".Plant 29.abcd_123.xlsx"  # as a killed run leaves them (mkstemp's names)
    stale.write_bytes(b"PK half")
    os.utime(stale, (time.time() - 60, time.time() - 60))
    other = out / ".notes.abcd_123.xlsx"  # not a temporary file of this run's outputs: kept
    other.write_bytes(b"x")
    done = subprocess.run([*command, "--skip-existing"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"built {count - len(present)}, skipped {len(present)}, failed 0" in done.stderr
    assert workbooks(out) == sorted(expected)
    rest = sorted(set(expected) - set(present))
    assert read_all(out, rest) == [expected[name] for name in rest]
    assert temp_files(out) == [".notes.abcd_123.xlsx"]


# --- dask ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.slow
def test_the_dask_executor_builds_on_a_cluster(tmp_path, how, dask_cluster):
    source = tmp_path / "audits"
    source.mkdir()
    audits = {"a": small("A"), "b": with_streams("B")}
    for name, audit in audits.items():
        audit.save(source / f"{name}.json")
    (source / "bad.json").write_text(json.dumps({"fields": {"tax_rate": "abc"}}), encoding="utf-8")
    address = dask_cluster.scheduler.address
    out = tmp_path / "out"
    code, err = invoke(how, ["batch", str(source), "-o", str(out), "--executor", "dask", "--scheduler", address])
    assert code == 1 and "built 2, skipped 0, failed 1" in err
    assert "bad.json, fields.tax_rate: must be a number, got 'abc'" in err
    for name, audit in audits.items():
        assert read(out / f"{name}.xlsx") == audit
    assert temp_files(out) == []


@pytest.mark.slow
def test_the_dask_executor_takes_a_client_in_python(tmp_path, dask_cluster):
    table = write_csv(tmp_path / "t.csv", ["fields.company"], [["A"], ["B"]])
    result = build_many(table, tmp_path / "out", executor="dask", scheduler=dask_cluster)
    assert result.ok and [p.name for p in result.built] == ["A.xlsx", "B.xlsx"]
    shutil.rmtree(tmp_path / "out")


@pytest.mark.slow
def test_the_dask_executor_starts_a_local_cluster_without_a_scheduler(tmp_path):
    pytest.importorskip("distributed")
    table = write_csv(tmp_path / "t.csv", ["fields.company"], [["A"], ["B"]])
    args = ["batch", str(table), "-o", str(tmp_path / "out"), "--executor", "dask", "--jobs", "1"]
    code, err = invoke("process", args)
    assert code == 0 and "built 2, skipped 0, failed 0" in err
    assert read(tmp_path / "out" / "B.xlsx") == small("B")
