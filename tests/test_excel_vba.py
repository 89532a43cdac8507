"""xlwings' own Windows UDF machinery accepts every CP_* function and writes the VBA Excel would run.

``xlwings.udfs`` is the code behind the add-in's *Import Functions* button. It needs pywin32, so its COM
modules are stubbed; everything else is xlwings' real code: its ``@xw.func``/``@xw.arg`` decorators (those
of Windows, not the no-ops of Linux), ``get_udf_module`` and ``import_udfs``, which writes the VBA module
and sets each function's description, category and argument help through ``Application.MacroOptions``. A
fake workbook records what Excel would receive. It runs in a subprocess so that the stubs and the
Windows decorators never leak into other tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest

from cpxl.excel.catalog import CATALOG, argument_help, description

SCRIPT = textwrap.dedent(
    r"""
    import json, sys, types

    class ComError(Exception):
        pass

    # pywin32's modules, as far as importing xlwings.udfs needs them
    for name in ("pythoncom", "pywintypes", "win32api", "win32com", "win32com.client"):
        sys.modules[name] = types.ModuleType(name)
    sys.modules["pythoncom"].CoInitialize = lambda: None
    sys.modules["pywintypes"].com_error = ComError
    sys.modules["win32com.client"].Dispatch = lambda *a, **k: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]

    import xlwings
    import xlwings.udfs as win

    # what xlwings/__init__.py binds on Windows
    xlwings.func, xlwings.arg, xlwings.ret = win.xlfunc, win.xlarg, win.xlret

    class Components:
        imported = None
        def __call__(self, name):
            raise ComError("no module " + name)
        def Remove(self, component):
            pass
        def Import(self, path):
            with open(path, encoding="utf-8") as f:
                Components.imported = f.read()

    class Application:
        Version = "16.0"
        options = {}
        def MacroOptions(self, macro, **kwargs):
            Application.options[macro] = kwargs

    class Workbook:
        Name = "audit.xlsm"
        VBProject = types.SimpleNamespace(VBComponents=Components())
        Application = Application()

    module = win.get_udf_module("cpxl.excel.udfs", None)
    assert module.CP_ELF.__xlfunc__  # decorated by xlwings' Windows decorators
    win.import_udfs("cpxl.excel.udfs", Workbook())
    meta = {
        name: {
            "args": [{k: a[k] for k in ("name", "doc") if k in a} | {"optional": "optional" in a,
                     "options": {k: str(v) for k, v in a["options"].items()}} for a in f.__xlfunc__["args"]],
            "category": f.__xlfunc__["category"],
        }
        for name, f in vars(module).items() if hasattr(f, "__xlfunc__")
    }
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"vba": Components.imported, "options": Application.options, "meta": meta}, out)
    """
)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("vba") / "import.json"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Imported functions from the following modules: cpxl.excel.udfs" in result.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def vba_function(vba, name):
    match = re.search(rf"^Function {name}\(([^)\n]*)\)$(.*?)^End Function$", vba, flags=re.M | re.S)
    assert match, f"no VBA wrapper for {name}"
    return match.group(1), match.group(2)


def test_xlwings_declares_exactly_the_cp_functions(imported):
    assert set(imported["meta"]) == set(CATALOG)
    assert set(re.findall(r"^Function (\w+)\(", imported["vba"], flags=re.M)) == set(CATALOG)


@pytest.mark.parametrize("name", list(CATALOG))
def test_the_vba_wrapper_has_the_arguments_in_order_with_optionals(name, imported):
    signature, body = vba_function(imported["vba"], name)
    wanted = [f"Optional {a}" if spec["optional"] else a for a, spec in CATALOG[name]["args"].items()]
    assert [p.strip() for p in signature.split(",") if p.strip()] == wanted
    call = f'XLPy.CallUDF("cpxl.excel.udfs", "{name}", Array({", ".join(CATALOG[name]["args"])}), ThisWorkbook'
    assert call in body
    assert f"{name} = Err.Description" in body  # what VBA shows when Python raises: hence messages, not raises


@pytest.mark.parametrize("name", list(CATALOG))
def test_the_function_wizard_gets_the_catalogs_help(name, imported):
    options = imported["options"][f"'audit.xlsm'!{name}"]
    assert options["Category"] == "cpxl"
    assert options["Description"] == description(name)
    helps = [argument_help(name, a) for a in CATALOG[name]["args"]]
    assert (options["ArgumentDescriptions"] or []) == helps


@pytest.mark.parametrize("name", list(CATALOG))
def test_ranges_are_read_as_2d_object_arrays_and_selectors_as_typed(name, imported):
    # err_to_str on every argument: an error cell arrives as "#DIV/0!" (refused by position), not as None (a blank)
    for arg in imported["meta"][name]["args"]:
        spec = CATALOG[name]["args"][arg["name"]]
        assert arg["optional"] == spec["optional"]
        if spec["range"]:
            assert arg["options"] == {
                "convert": str(__import__("numpy").array),
                "ndim": "2",
                "dtype": "<class 'object'>",
                "err_to_str": "True",
            }
        else:
            assert arg["options"] == {"err_to_str": "True"}


# VBA keywords that cannot name a parameter (MS-VBAL 3.3.5.2, statement and marker keywords, types, literals)
_VBA_KEYWORDS = """
    abs and any as boolean byref byte byval call case cbool cbyte ccur cdate cdbl cdec cint clng clnglng clngptr
    close const csng cstr currency cvar cverr date debug decimal declare defbool defbyte defcur defdate defdbl
    defint deflng deflnglng deflngptr defobj defsng defstr defvar dim do double each else elseif empty end endif
    enum eqv erase error event exit false fix for friend function get global gosub goto if imp implements in
    input int integer is lbound len lenb let like lock long longlong longptr loop lset me mod new next not
    nothing null on open option optional or paramarray preserve print private property public put raiseevent
    redim rem resume return rset seek select set sgn shared single spc static step stop string sub tab then to
    true type typeof ubound unlock until variant wend while with withevents write xor"""
VBA_RESERVED = set(_VBA_KEYWORDS.split())


def test_no_argument_is_a_vba_keyword():
    used = {a.lower() for entry in CATALOG.values() for a in entry["args"]}
    assert not used & VBA_RESERVED
