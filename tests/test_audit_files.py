"""Audit files from anyone: every hostile or broken file is a message naming the file and the place, fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cpxl.audit import Audit, AuditError
from cpxl.audit.files import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, read_audit_data
from cpxl.audit.model import AuditFileError
from cpxl.cli import main


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problem(path: Path) -> str:
    """The message loading *path* gives; it must be an AuditError naming the file."""
    with pytest.raises(AuditError) as info:
        Audit.load(path)
    text = str(info.value)
    assert str(path) in text
    assert "Traceback" not in text
    return text


def billion_laughs(levels: int = 9) -> str:
    lines = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nfields:\n  company: *x{levels - 1}\n"


# --- the file itself: checked before it is read --------------------------------------------------------


def test_the_ending_is_checked_before_anything_is_read(tmp_path):
    text = problem(write(tmp_path, "plant.txt", "fields: {}"))
    assert "unknown file type ('.txt'): an audit file ends in .yaml, .yml or .json" in text


@pytest.mark.parametrize("name", ["zero.yaml", "zero.json"])
def test_a_device_is_refused_without_reading_it(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    assert "is a device, pipe or socket, not a file" in problem(link)


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    (tmp_path / "plant.yaml").mkdir()
    assert "is a folder, not a file" in problem(tmp_path / "plant.yaml")
    assert "cannot be read (No such file or directory)" in problem(tmp_path / "missing.yaml")


def test_a_file_over_the_size_limit_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: takes no disk and is never read
        handle.truncate(MAX_FILE_BYTES + 1)
    assert "is 20.0 MB; an audit file may be at most 20 MB" in problem(path)


# --- decoding --------------------------------------------------------------------------------------------


def test_latin1_is_refused_with_the_offset_and_line_of_the_first_bad_byte(tmp_path):
    path = write(tmp_path, "plant.yaml", "fields:\n  company: Café\n".encode("latin-1"))
    text = problem(path)
    assert "byte offset 22 (line 2): the byte 0xE9 is not UTF-8" in text and "save it as UTF-8" in text
    assert "\n" not in text  # one line


def test_gbk_is_refused_too(tmp_path):
    text = problem(write(tmp_path, "plant.yaml", "fields:\n  company: 江南化工\n".encode("gbk")))
    assert "byte offset 19 (line 2)" in text and "GBK" in text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused_with_what_to_do(tmp_path, encoding):
    text = problem(write(tmp_path, "plant.json", '{"fields": {}}'.encode(encoding)))
    assert "save it as UTF-8" in text
    if encoding != "utf-16-be":  # with a byte-order mark
        assert f"is {encoding.upper()} text (it starts with a {encoding.upper()} byte-order mark)" in text
    else:
        assert "byte offset 0 (line 1): a NUL byte" in text


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "plant.yaml", "\ufefffields:\n  company: 江南\n".encode())
    assert Audit.load(path).fields["company"] == "江南"
    path = write(tmp_path, "plant.json", '\ufeff{"fields": {"company": "江南"}}'.encode())
    assert Audit.load(path).fields["company"] == "江南"


# --- YAML ------------------------------------------------------------------------------------------------

MEASURE = """
import resource, sys, time
from cpxl.audit import Audit, AuditError
start = time.perf_counter()
try:
    Audit.load(sys.argv[1])
    message = "loaded"
except AuditError as exc:
    message = str(exc)
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, message, sep="\\n")
"""


def measured_load(path: Path) -> tuple[float, float, str]:
    """Load *path* in a fresh interpreter: seconds, peak memory [MB], message."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seconds, peak_kb, message = done.stdout.split("\n", 2)
    return float(seconds), int(peak_kb) / 1024, message.strip()


def test_a_billion_laughs_is_refused_fast_and_small(tmp_path):
    bomb = billion_laughs()
    assert len(bomb) < 1024
    seconds, peak_mb, message = measured_load(write(tmp_path, "laughs.yaml", bomb))
    assert f"more than {MAX_NODES:,} values once its aliases (*name) are expanded" in message
    assert str(tmp_path / "laughs.yaml") in message
    assert seconds < 5 and peak_mb < 500, (seconds, peak_mb)


def test_too_many_aliases_are_refused(tmp_path):
    text = "base: &b 1\nfields:\n  company: x\nlist: [" + ", ".join(["*b"] * (MAX_ALIASES + 1)) + "]\n"
    message = problem(write(tmp_path, "plant.yaml", text))
    assert f"line 1: more than {MAX_ALIASES:,} uses of aliases (*name), the last of the value here" in message


def test_an_alias_that_holds_itself_is_refused(tmp_path):
    text = problem(write(tmp_path, "plant.yaml", "fields: &a\n  company: *a\n"))
    assert "line 1: this anchored value (&name) holds an alias (*name) to itself" in text


@pytest.mark.parametrize(
    "text",
    ["[" * 20_000 + "]" * 20_000, "- " * 20_000 + "x", "a:\n" + "".join(f"{' ' * i}b:\n" for i in range(1, 200))],
)
def test_deep_nesting_is_refused(tmp_path, text):
    message = problem(write(tmp_path, "deep.yaml", text))
    assert "nest" in message and "\n" not in message


def test_duplicate_keys_are_refused_with_both_lines(tmp_path):
    path = write(
        tmp_path,
        "plant.yaml",
        """\
        fields:
          company: Jiangnan
          location: Changzhou
          company: Other
        """,
    )
    assert f"{path}: line 4: the key 'company' appears twice (first on line 2)" in problem(path)


def test_a_merge_key_is_not_a_duplicate(tmp_path):
    path = write(
        tmp_path,
        "plant.yaml",
        """\
        defaults: &defaults {unit: t}
        tables:
          products:
          - <<: *defaults
            name: Resin
            output: 10
            unit: kg
        """,
    )
    assert "defaults is not part of the audit" in problem(path)  # but no duplicate-key error
    assert "appears twice" not in problem(path)


def test_only_plain_data_is_built(tmp_path):
    path = write(tmp_path, "plant.yaml", "fields:\n  company: !!python/object/apply:os.system ['true']\n")
    assert "line 2, column 12: not valid YAML" in problem(path)


def test_constructor_errors_name_their_line(tmp_path):
    path = write(tmp_path, "plant.yaml", "tables:\n  plan:\n  - stage: planning\n    task: x\n    start: 2025-13-45\n")
    assert "line 5: month must be in 1..12" in problem(path)
    path = write(tmp_path, "big.yaml", "fields:\n  employees: " + "9" * 5000 + "\n")
    assert "line 2: Exceeds the limit (4300 digits)" in problem(path)


def test_more_than_one_document_is_refused(tmp_path):
    assert "but found another document" in problem(write(tmp_path, "plant.yaml", "fields: {}\n---\nfields: {}\n"))


def test_an_empty_file_is_a_blank_audit(tmp_path):
    assert Audit.load(write(tmp_path, "plant.yaml", "")) == Audit.blank()


# --- JSON ------------------------------------------------------------------------------------------------


def test_json_duplicate_keys_are_refused(tmp_path):
    path = write(tmp_path, "plant.json", '{"fields": {\n "company": "a",\n "company": "b"}}')
    assert f"{path}: line 3: the key 'company' appears twice in one object" in problem(path)


def test_json_nesting_of_twenty_thousand_brackets_is_refused(tmp_path):
    path = write(tmp_path, "deep.json", "[" * 20_000 + "]" * 20_000)
    assert "nested too deeply" in problem(path)
    path = write(tmp_path, "deeper.json", '{"fields": ' + "[" * 100 + "]" * 100 + "}")
    assert "fields[1][1]" in problem(path) and f"nested more than {MAX_DEPTH} levels deep" in problem(path)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused_where_they_are(tmp_path, constant):
    path = write(tmp_path, "plant.json", f'{{"fields": {{"discount_rate": {constant}}}}}')
    assert f"fields.discount_rate: {constant} is not a number" in problem(path)


def test_json_errors_name_line_and_column(tmp_path):
    assert "line 2, column 1: not valid JSON" in problem(write(tmp_path, "plant.json", '{"fields": {}\n'))
    assert "Exceeds the limit" in problem(write(tmp_path, "big.json", '{"fields": {"employees": ' + "9" * 5000 + "}}"))


def test_json_with_too_many_values_is_refused(tmp_path):
    path = write(tmp_path, "many.json", "[" + ",".join(["0"] * (MAX_NODES + 1)) + "]")
    assert f"more than {MAX_NODES:,} values" in problem(path)


# --- wrong shapes: the field path, never AttributeError or TypeError -------------------------------------

SHAPES = [
    ("[1, 2]", "the audit must be a mapping with fields and tables, got a list"),
    ("fields: [1, 2]", "fields must be a mapping of field names to values, got a list"),
    ("tables: x", "tables must be a mapping of table names to lists of records, got 'x'"),
    ("tables: {streams: {a: 1}}", "tables.streams must be a list of records, got a mapping"),
    (
        "tables: {streams: [[S1, A, B]]}",
        "streams[1] must be a record (a mapping of column names to values), got a list",
    ),
    ("fields: {1: a, company: b, 2.5: c}", "fields.1 is not a field of the audit"),
    ("fields: {1: a, true: c}", "line 1: the key True appears twice (first on line 1)"),
    ("{1: a, fields: {}}", "1 is not part of the audit"),
    ("tables: {units: [{name: U, 7: x}]}", "units[1].7 is not a column of units"),
    ("fields: {employees: " + "9" * 400 + "}", "fields.employees must be a number, got an integer of 400 digits"),
    ("fields: {discount_rate: .nan}", "fields.discount_rate must be a number, got nan"),
    ("fields: {tax_rate: .inf}", "fields.tax_rate must be a number, got inf"),
    ("fields: {company: {name: x}}", "fields.company must be text, got a mapping"),
    ("fields: {company: [a, b]}", "fields.company must be text, got a list"),
    ("fields: {company: .nan}", "fields.company must be text, got nan"),
    ("tables: {team: [{name: Li, role: no}]}", "team[1].role must be text, got False (in YAML, put yes, no, on"),
    ("fields: {company: !!binary aGk=}", "fields.company must be text, got binary data"),
    ("tables: {products: [{name: P, output: 1, main: [1]}]}", "products[1].main must be TRUE or FALSE, got a list"),
    ("weights: {focus: {a: 1}}", "weights.focus must list 6 weights, got a mapping"),
    ("weights: [1, 2]", "weights must be a mapping of table names to lists of weights, got a list"),
    ("weights: {streams: [1]}", "weights.streams is not a table with ratings (expected focus, options)"),
    ("tables: {focus: [{name: F, ratings: {a: 1}}]}", "focus[1].ratings must list 6 ratings, got a mapping"),
    ("schema_version: '1'", "schema_version must be the whole number 3 (or 1 or 2, upgraded), got '1'"),
    ("schema_version: true", "schema_version must be the whole number 3 (or 1 or 2, upgraded), got True"),
]


@pytest.mark.parametrize(("text", "message"), SHAPES)
def test_a_wrong_shape_is_a_problem_with_its_place(tmp_path, text, message):
    assert message in problem(write(tmp_path, "plant.yaml", text))


def test_wrong_shapes_from_python_too():
    with pytest.raises(AuditError, match="fields must be a mapping"):
        Audit.from_dict({"fields": "company"})
    with pytest.raises(AuditError, match=r"streams\[1\].measured must be a number, got nan"):
        Audit.from_dict({"tables": {"streams": [{"name": "S", "target": "U", "measured": float("nan")}]}})


def test_a_dataframe_still_marks_missing_cells_with_nan():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"name": ["S1", "S2"], "target": ["U", "U"], "measured": [5.0, float("nan")]})
    audit = Audit.from_dict({"tables": {"streams": frame}})
    assert [s["measured"] for s in audit.tables["streams"]] == [5.0, None]


# --- text is stored exactly, or refused ------------------------------------------------------------------


def streams_with_name(name: str) -> dict:
    names = ["Feed", "Product", name]
    return {
        "tables": {
            "streams": [
                {"name": n, "source": "U" if i else None, "target": None if i else "U"} for i, n in enumerate(names)
            ]
        }
    }


@pytest.mark.parametrize(
    ("char", "what"),
    [
        ("\x01", "the control character U+0001"),
        ("\x00", "the control character U+0000"),
        ("\x0b", "the control character U+000B"),
        ("\x1f", "the control character U+001F"),
        ("\ufffe", "the non-character U+FFFE"),
        ("\uffff", "the non-character U+FFFF"),
        ("\ud800", "a lone surrogate (half of a character pair, not text) U+D800"),
    ],
)
def test_characters_a_cell_cannot_hold_are_refused_with_their_position(char, what):
    with pytest.raises(AuditError) as info:
        Audit.from_dict(streams_with_name(f"Tank{char} 3"))
    assert f"streams[3].name has {what} at position 5: remove it" in str(info.value)


def test_a_control_character_in_a_json_file_names_file_field_and_position(tmp_path):
    path = write(tmp_path, "plant.json", json.dumps(streams_with_name("Acid\u0001tank")))
    assert "streams[3].name has the control character U+0001 at position 5: remove it" in problem(path)
    path = write(tmp_path, "lone.json", '{"fields": {"company": "ab\\ud800"}}')
    assert "fields.company has a lone surrogate" in problem(path)


def test_text_longer_than_a_cell_is_refused_not_cut():
    with pytest.raises(AuditError, match=r"fields.description is 32,768 characters long; a cell holds at most 32,767"):
        Audit.from_dict({"fields": {"description": "x" * 32_768}})
    assert len(Audit.from_dict({"fields": {"description": "x" * 32_767}}).fields["description"]) == 32_767
    with pytest.raises(AuditError, match="is 16,384 characters long"):  # Excel counts UTF-16 units
        Audit.from_dict({"fields": {"description": "\N{GRINNING FACE}" * 16_384}})


def test_tabs_and_line_breaks_inside_text_are_kept_and_the_ends_trimmed(tmp_path):
    inside = 'line 1\n\tline 2\r\nline 3 "quoted" =1+1 @SUM(A1) _x0041_ 反应釜'
    audit = Audit.from_dict({"fields": {"description": f"  {inside}\n"}})
    assert audit.fields["description"] == inside
    for name in ("plant.yaml", "plant.json"):
        assert Audit.load(audit.save(tmp_path / name)).fields["description"] == inside


# --- written files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["plant.yaml", "plant.yml", "plant.json"])
def test_a_saved_audit_loads_back_equal(tmp_path, lang, name):
    audit = Audit.example(lang)
    assert Audit.load(audit.save(tmp_path / name)) == audit


def test_yaml_explains_units_codes_and_weights_and_json_stays_plain(tmp_path):
    text = Audit.blank().save(tmp_path / "blank.yaml").read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for words in (
        "8 % is 0.08, not 8",
        "mass_unit",
        "over the audit period",
        "stage: planning | pre_assessment | assessment",
        "aspect: materials_energy | technology",
        "cost_class: no_low | medium_high",
        "medium: wastewater | waste_gas | solid_waste",
        "category: raw_material | auxiliary | energy | water",
        "status: planned | in_progress | done",
        "focus: waste_quantity, consumption, environmental_cost",
        "sum of weight x rating",
    ):
        assert words in comments, words
    assert Audit.load(tmp_path / "blank.yaml") == Audit.blank()
    assert yaml.safe_load(text)["fields"]["discount_rate"] == 0.08
    plain = Audit.example().save(tmp_path / "plant.json").read_text(encoding="utf-8")
    assert json.loads(plain) == Audit.example().to_dict()


def test_saving_refuses_an_unknown_ending(tmp_path):
    with pytest.raises(AuditFileError, match=r"unknown file type '\.txt'"):
        Audit.blank().save(tmp_path / "plant.txt")


def test_read_audit_data_is_plain_data(tmp_path):
    path = write(tmp_path, "plant.yml", "fields:\n  company: Example\n")
    assert read_audit_data(path) == {"fields": {"company": "Example"}}


# --- the command ----------------------------------------------------------------------------------------


HOSTILE = {
    "laughs.yaml": billion_laughs().encode(),
    "latin1.yaml": "fields:\n  company: Café\n".encode("latin-1"),
    "utf16.json": '{"fields": {}}'.encode("utf-16"),
    "dupes.json": b'{"fields": {"company": "a", "company": "b"}}',
    "deep.json": b"[" * 20_000 + b"]" * 20_000,
    "shape.yaml": b"fields: [1, 2]\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_cpxl_build_reports_a_hostile_file_in_one_line(tmp_path, name):
    path = write(tmp_path, name, HOSTILE[name])
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {path}: ")
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    if name != "shape.yaml":  # a file that is not an audit at all: one line
        assert result.output.count("\n") == 1
    assert not (tmp_path / "out.xlsx").exists()


def test_cpxl_build_of_dev_zero_exits_at_once(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cpxl", "build", "/dev/zero", "-o", str(tmp_path / "x.xlsx")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == "error: /dev/zero: unknown file type (no ending): an audit file ends in .yaml, .yml or .json"
    )


@pytest.mark.parametrize("command", [["new"], ["build", "plant.yaml"]])
def test_an_output_with_an_unknown_ending_is_a_usage_error(tmp_path, command):
    result = CliRunner().invoke(main, [*command, "-o", str(tmp_path / "foo.txt")], prog_name="cpxl")
    assert result.exit_code == 2
    assert f"cpxl {command[0]} writes .xlsx (a workbook), .yaml, .yml or .json (the audit data)" in result.output
    assert not (tmp_path / "foo.txt").exists()


def test_cpxl_new_writes_a_commented_audit_file_that_builds(tmp_path):
    runner = CliRunner()
    data = tmp_path / "plant.yaml"
    assert runner.invoke(main, ["new", "--example", "-o", str(data)]).exit_code == 0
    assert data.read_text(encoding="utf-8").startswith("# A cleaner-production audit")
    assert Audit.load(data) == Audit.example()
