"""``cpxl functions``, ``cpxl addin`` and ``cpxl lite``: what they print, what they write, how they exit."""

from __future__ import annotations

from click.testing import CliRunner

from cpxl.cli import main
from cpxl.excel.catalog import CATALOG, argument_help, description
from cpxl.excel.config import UDF_MODULE, desired_settings, plan
from cpxl.excel.lite import main_py, requirements_txt


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_functions_lists_every_function_in_both_languages():
    for lang in ("en", "zh"):
        result = run("functions", "--lang", lang)
        assert result.exit_code == 0
        for name, entry in CATALOG.items():
            assert description(name, lang) in result.output
            for argument in entry["args"]:
                assert argument_help(name, argument, lang) in result.output
    assert "CP_ATOM_ECONOMY(product, reactants, [coefficients])" in run("functions").output
    assert run("functions", "--lang", "fr").exit_code == 2


def test_addin_writes_a_new_configuration(tmp_path):
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    result = run("addin", "--config", str(conf), "--interpreter", r"C:\Python311\python.exe")
    assert result.exit_code == 0, result.output
    assert conf.read_text(encoding="utf-8").splitlines() == [
        f'"UDF MODULES","{UDF_MODULE}"',
        r'"INTERPRETER_WIN","C:\Python311\python.exe"',
    ]
    assert "Import Functions" in result.output and "Trust access to the VBA project object model" in result.output
    again = run("addin", "--config", str(conf), "--interpreter", r"C:\Python311\python.exe")
    assert again.exit_code == 0 and "already set up" in again.output


def test_addin_keeps_other_settings_and_modules(tmp_path):
    conf = tmp_path / "xlwings.conf"
    conf.write_text('"LICENSE_KEY","abc"\n"UDF MODULES","mymodule"\n"SHOW CONSOLE","True"\n', encoding="utf-8")
    result = run("addin", "--config", str(conf), "--interpreter", "py.exe")
    assert result.exit_code == 0, result.output
    assert conf.read_text(encoding="utf-8").splitlines() == [
        '"LICENSE_KEY","abc"',
        f'"UDF MODULES","mymodule;{UDF_MODULE}"',
        '"SHOW CONSOLE","True"',
        '"INTERPRETER_WIN","py.exe"',
    ]


def test_addin_never_overwrites_another_interpreter_without_force(tmp_path):
    conf = tmp_path / "xlwings.conf"
    original = '"INTERPRETER_WIN","C:\\other\\python.exe"\n'
    conf.write_text(original, encoding="utf-8")
    refused = run("addin", "--config", str(conf), "--interpreter", "py.exe")
    assert refused.exit_code == 1
    assert "--force" in refused.output and conf.read_text(encoding="utf-8") == original
    forced = run("addin", "--config", str(conf), "--interpreter", "py.exe", "--force")
    assert forced.exit_code == 0
    assert '"INTERPRETER_WIN","py.exe"' in conf.read_text(encoding="utf-8").splitlines()


def test_addin_for_conda_and_dry_run(tmp_path):
    conf = tmp_path / "xlwings.conf"
    result = run("addin", "--config", str(conf), "--conda-path", r"C:\miniconda3", "--conda-env", "audit", "--dry-run")
    assert result.exit_code == 0
    assert '"CONDA PATH","C:\\miniconda3"' in result.output and '"CONDA ENV","audit"' in result.output
    assert not conf.exists()


def test_addin_usage_errors_exit_2(tmp_path):
    conf = str(tmp_path / "x.conf")
    assert run("addin", "--config", conf, "--conda-env", "audit").exit_code == 2
    assert run("addin", "--config", conf, "--interpreter", "a", "--conda-path", "b").exit_code == 2


def test_desired_settings_follow_xlwings_keys(monkeypatch):
    assert desired_settings(interpreter="/usr/bin/python3", platform="darwin") == {
        "INTERPRETER_MAC": "/usr/bin/python3"
    }
    monkeypatch.setenv("CONDA_EXE", r"C:\Users\me\miniconda3\Scripts\conda.exe".replace("\\", "/"))
    monkeypatch.setenv("CONDA_DEFAULT_ENV", "audit")
    assert desired_settings(platform="win32") == {"CONDA PATH": "C:/Users/me/miniconda3", "CONDA ENV": "audit"}
    assert plan("", {}).lines == [f'"UDF MODULES","{UDF_MODULE}"\n']


def test_lite_prints_main_py_and_the_requirements(tmp_path):
    result = CliRunner().invoke(main, ["lite"])
    assert result.exit_code == 0
    assert result.stdout == main_py()
    assert requirements_txt() in result.stderr
    compile(result.stdout, "main.py", "exec")
    written = run("lite", "-o", str(tmp_path), "--wheel", "https://example.org/cpxl-0.1.0-py3-none-any.whl")
    assert written.exit_code == 0
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == main_py()
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8").startswith("https://example.org/cpxl-")


def test_lite_never_replaces_main_py_without_force(tmp_path):
    (tmp_path / "main.py").write_text("my own code\n", encoding="utf-8")
    refused = run("lite", "-o", str(tmp_path))
    assert refused.exit_code == 1
    assert "main.py exists already" in refused.output and "--force" in refused.output
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == "my own code\n"
    assert not (tmp_path / "requirements.txt").exists()  # neither file is written
    forced = run("lite", "-o", str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == main_py()
    again = run("lite", "-o", str(tmp_path))  # both exist now
    assert again.exit_code == 1 and "main.py and" in again.output and "requirements.txt exist already" in again.output


def test_lite_refuses_a_wheel_url_with_whitespace_or_control_characters(tmp_path):
    for bad in ["https://example.org/a.whl\nevil-package", "https://example.org/a b.whl", "a.whl\t", "\x00", ""]:
        result = run("lite", "-o", str(tmp_path / "out"), "--wheel", bad)
        assert result.exit_code == 2, bad
        assert "--wheel" in result.output and "without spaces or control characters" in result.output
        assert not (tmp_path / "out").exists()


def test_addin_reports_a_configuration_that_is_not_utf8_in_one_line(tmp_path):
    conf = tmp_path / "xlwings.conf"
    original = '"INTERPRETER_WIN","C:\\Users\\J\xfcrgen\\python.exe"\n'.encode("latin-1")
    conf.write_bytes(original)
    result = run("addin", "--config", str(conf), "--interpreter", "py.exe")  # no traceback: catch_exceptions off
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith(f"error: {conf} is not UTF-8 text (byte 0xfc at offset 29); save it as UTF-8")
    assert conf.read_bytes() == original
