"""cpxl collect and cpxl.batch.collect: good workbooks become rows, bad files are named and skipped, sources untouched.

The folder mixes two filled workbooks with a damaged one, a password-protected one, another program's .xlsx and
one over the size limit (made with the helpers of test_workbook_hostile.py); every output format goes back
through pandas and must give the same table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_workbook_hostile import ole2

from cpxl.audit import Audit
from cpxl.audit.schema import TABLES
from cpxl.batch import collect
from cpxl.batch.collect import WIDE_COLUMNS, long_columns, long_name, workbook_files, write_collection
from cpxl.cli import main
from cpxl.workbook import build, read
from cpxl.workbook.guard import MAX_FILE_BYTES

GOOD = ("a-example.xlsx", "b-zh/second.xlsx")
BAD = {
    "damaged.xlsx": "not an .xlsx workbook",
    "locked.xlsx": "password-protected",
    "foreign.xlsx": "not a cpxl audit workbook",
    "huge.xlsx": "over",
}


def second_audit() -> Audit:
    data = Audit.example("zh").to_dict()
    data["fields"]["company"] = "第二家"
    data["tables"]["options"][5]["saving"] = 5000.0  # an option in progress that does not pay: flagged
    return Audit.from_dict(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("collect") / "returned"
    (root / "b-zh").mkdir(parents=True)
    example = build(Audit.example("en"), root / GOOD[0])
    build(second_audit(), root / GOOD[1], "zh")
    (root / "damaged.xlsx").write_bytes(example.read_bytes()[:20_000])
    (root / "locked.xlsx").write_bytes(ole2(["EncryptionInfo", "EncryptedPackage"]))
    openpyxl.Workbook().save(root / "foreign.xlsx")
    with open(root / "huge.xlsx", "wb") as handle:  # sparse: refused from its size, never read
        handle.truncate(MAX_FILE_BYTES + 1)
    (root / "~$a-example.xlsx").write_bytes(b"lock")  # Excel's lock file: not a workbook to collect
    (root / "notes.txt").write_text("not collected")
    return root


@pytest.fixture(scope="module")
def wide(folder: Path) -> pd.DataFrame:
    return collect(folder)


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_the_files_of_a_folder_are_its_workbooks_in_order(folder):
    names = [p.relative_to(folder).as_posix() for p in workbook_files([folder])]
    assert names == sorted([*GOOD, *BAD])


def test_good_workbooks_are_rows_and_bad_files_are_named_with_their_reason(folder, wide):
    assert list(wide.columns) == [c for c, _, _ in WIDE_COLUMNS]
    assert wide["file"].tolist() == [str(folder / name) for name in GOOD]
    skipped = {Path(s["file"]).name: s["reason"] for s in wide.attrs["skipped"]}
    assert set(skipped) == set(BAD)
    for name, says in BAD.items():
        assert says in skipped[name], skipped[name]
    first, second = wide.to_dict("records")
    assert first["company"] == "Jiangnan Fine Chemicals Co., Ltd. (example)"
    assert (first["elf"], first["grade"], first["options"], first["options_passed"]) == (0.2765, 3.0, 8.0, 7.0)
    assert (first["check"], first["flags"]) == ("flagged", 2)  # the example misses two targets
    assert second["company"] == "第二家" and second["flags"] == 5  # and three economic flags of option F6
    assert first["system_closure"] == pytest.approx(0.0360021, rel=1e-5)


def test_the_sources_are_never_changed(folder):
    before = state(folder)
    collect(folder)
    CliRunner().invoke(main, ["collect", str(folder), "-o", str(folder.parent / "unchanged.csv")])
    assert state(folder) == before


def test_long_rows_are_each_workbooks_tables(folder):
    frame = collect(folder, long=True)
    assert list(frame.columns) == [c for c, _ in long_columns()]
    for name in GOOD:
        path = folder / name
        audit = read(path)
        for key, table in TABLES.items():
            rows = frame[(frame.file == str(path)) & (frame.table == key)]
            expected = audit.frame(key)
            columns = [long_name(key, c) for c in expected.columns]
            got = rows[columns].set_axis(list(expected.columns), axis=1).reset_index(drop=True)
            assert len(got) == len(audit.tables[key])
            for column in expected.columns:
                assert [None if pd.isna(v) else v for v in got[column]] == [
                    None if pd.isna(v) else v for v in expected[column]
                ], (name, key, column)
            assert table.key == key


def comparable(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("long", [False, True])
def test_every_output_goes_back_through_pandas_as_the_same_table(folder, suffix, long):
    out = folder.parent / f"out{'-long' if long else ''}{suffix}"
    args = ["collect", str(folder), "-o", str(out), "--quiet", "--force", *(["--long"] if long else [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1  # four files skipped
    assert result.stderr.count("skipped ") == len(BAD)
    assert (
        f"wrote {out}" in result.stdout and "from 2 workbooks (2 flagged: see cpxl check), 4 skipped" in result.stdout
    )
    read = {".csv": pd.read_csv, ".xlsx": lambda p: pd.read_excel(p, engine="calamine"), ".parquet": pd.read_parquet}
    back = read[suffix](out)
    expected = collect(folder, long=long)
    assert list(back.columns) == list(expected.columns)
    kinds = dict(long_columns()) if long else {c: k for c, _, k in WIDE_COLUMNS}
    got, want = comparable(back), comparable(expected)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        for column, kind in kinds.items():
            x, y = a[column], b[column]
            if kind == "text" and x is not None:
                x = str(x)  # CSV and XLSX give a period such as 2025 back as a number
                y = None if y is None else str(y)
            assert x == y or (kind in ("number", "int") and x == pytest.approx(y)), (column, x, y)


def test_an_existing_output_is_kept_without_force(folder):
    out = folder.parent / "kept.csv"
    out.write_text("mine")
    result = CliRunner().invoke(main, ["collect", str(folder / GOOD[0]), "-o", str(out)])
    assert result.exit_code == 1 and "exists already" in result.stderr
    assert out.read_text() == "mine"
    result = CliRunner().invoke(main, ["collect", str(folder / GOOD[0]), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["company"].tolist() == ["Jiangnan Fine Chemicals Co., Ltd. (example)"]


def test_usage_errors_exit_2_and_nothing_to_collect_exits_1(folder, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["collect", str(folder), "-o", str(tmp_path / "notes.txt")]).exit_code == 2
    assert runner.invoke(main, ["collect", "-o", str(tmp_path / "a.csv")]).exit_code == 2
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["collect", str(tmp_path / "empty"), "-o", str(tmp_path / "a.csv")])
    assert result.exit_code == 1 and "holds no .xlsx or .xlsm workbook" in result.stderr
    assert not (tmp_path / "a.csv").exists()


def test_parquet_without_pyarrow_says_how_to_get_it(folder, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = CliRunner().invoke(main, ["collect", str(folder / GOOD[0]), "-o", str(tmp_path / "a.parquet")])
    assert result.exit_code == 1
    assert "pip install 'cpxl[parquet]'" in result.stderr
    assert not list(tmp_path.iterdir())


def test_python_m_cpxl_collect_in_a_real_process(folder, tmp_path):
    out = tmp_path / "all.parquet"
    done = subprocess.run(
        [sys.executable, "-m", "cpxl", "collect", str(folder / GOOD[0]), str(folder / "locked.xlsx"), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"skipped {folder / 'locked.xlsx'}: " in done.stderr and "password-protected" in done.stderr
    assert "\r" not in done.stderr  # no progress bar when stderr is not a terminal
    assert pd.read_parquet(out)["grade"].tolist() == [3.0]


@pytest.mark.parametrize("long", [False, True])
def test_worker_processes_collect_the_same_rows_in_the_same_order(folder, wide, long):
    """--jobs 2 against one process: the same table, the same files skipped with the same reasons."""
    one = wide if not long else collect(folder, long=True)
    two = collect(folder, long=long, jobs=2)
    pd.testing.assert_frame_equal(two, one)
    assert two.attrs["skipped"] == one.attrs["skipped"]


def test_a_file_whose_worker_died_is_skipped_with_the_reason(folder):
    import importlib
    from concurrent.futures.process import BrokenProcessPool

    collect_module = importlib.import_module("cpxl.batch.collect")  # the package's name collect is the function

    class Died:
        def result(self):
            raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    path = folder / GOOD[0]
    assert collect_module._awaited(path, Died()) == (
        path,
        (
            None,
            "the process reading it stopped (BrokenProcessPool: A process in the process pool was terminated abruptly)",
        ),
    )


def test_cpxl_collect_jobs_2_through_the_cli(folder, tmp_path, wide):
    out = tmp_path / "all.csv"
    result = CliRunner().invoke(main, ["collect", str(folder), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1  # the bad files are skipped
    assert pd.read_csv(out)["file"].tolist() == wide["file"].tolist()


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_a_wrong_number_of_jobs_is_refused_before_anything_is_read_or_written(folder, tmp_path, jobs):
    from cpxl.core.errors import CPError

    with pytest.raises(CPError, match=r"^collect: jobs must be a whole number >= 1"):
        collect(folder, jobs=jobs)
    with pytest.raises(CPError, match=r"^collect: jobs must be a whole number >= 1"):
        write_collection([folder / GOOD[0]], tmp_path / "all.csv", jobs=jobs)
    assert not list(tmp_path.iterdir())
