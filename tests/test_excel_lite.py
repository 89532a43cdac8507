"""The ``main.py`` of ``cpxl lite`` registers every CP_* function with xlwings Lite's decorators.

Two checks: the file runs against a stub ``xlwings`` that records what ``@func``/``@arg`` receive (always
possible), and against xlwings' real Office.js custom-function code, the code xlwings Lite runs under
Pyodide (``xlwings.pro.udfs_officejs``: its decorators, ``custom_functions_meta`` that builds the metadata
Excel registers, and ``custom_functions_call`` that converts the cells Excel sends and calls the function).
That module sits in xlwings' ``pro`` package, whose ``__init__`` checks a licence that Lite does not need;
the subprocess loads the module without running that ``__init__``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

import cpxl
from cpxl.excel.adapters import WorksheetError
from cpxl.excel.catalog import CATALOG, argument_help, description
from cpxl.excel.lite import main_py, requirements_txt


def run_with_stub_xlwings(source, monkeypatch):
    calls = {"func": [], "arg": []}

    def func(f=None, **kwargs):
        def inner(g):
            calls["func"].append((g.__name__, kwargs))
            return g

        return inner(f) if f is not None else inner

    def arg(name, convert=None, **kwargs):
        def inner(g):
            calls["arg"].append((g.__name__, name, convert, kwargs))
            return g

        return inner

    stub = types.ModuleType("xlwings")
    stub.func, stub.arg, stub.ret = func, arg, lambda *a, **k: lambda g: g
    monkeypatch.setitem(sys.modules, "xlwings", stub)
    namespace: dict = {}
    exec(compile(source, "main.py", "exec"), namespace)
    return namespace, calls


def test_main_py_defines_every_function_with_its_help(monkeypatch):
    namespace, calls = run_with_stub_xlwings(main_py(), monkeypatch)
    assert [name for name, _ in calls["func"]] == list(CATALOG)
    for name, entry in CATALOG.items():
        function = namespace[name]
        assert function.__doc__ == description(name)
        assert list(function.__code__.co_varnames[: function.__code__.co_argcount]) == list(entry["args"])
        declared = {a: (convert, kw) for f, a, convert, kw in calls["arg"] if f == name}
        assert set(declared) == set(entry["args"])
        for argument, spec in entry["args"].items():
            convert, options = declared[argument]
            assert options["doc"] == argument_help(name, argument)
            if spec["range"]:
                assert convert is not None and options["ndim"] == 2 and options["dtype"] is object
            else:
                assert convert is None


def test_main_py_functions_compute_and_raise_like_lite(monkeypatch):
    namespace, _ = run_with_stub_xlwings(main_py(), monkeypatch)
    assert namespace["CP_ELF"]([[100.0], [90.0], [math.nan], [1000.0]], [[50.0]]) == cpxl.elf([100, 90, 1000], 50)
    with pytest.raises(WorksheetError, match=r"^CP_ELF: product must be > 0, got 0$"):
        namespace["CP_ELF"]([[100.0]], [[0.0]])


OFFICE_JS = textwrap.dedent(
    r"""
    import asyncio, json, os, sys, types
    import xlwings
    from xlwings.main import Engine

    pro = types.ModuleType("xlwings.pro")  # the package, without its licence-checking __init__
    pro.__path__ = [os.path.join(os.path.dirname(xlwings.__file__), "pro")]
    sys.modules["xlwings.pro"] = pro
    from xlwings.pro import _xlofficejs, udfs_officejs as office

    xlwings.engines.add(Engine(impl=_xlofficejs.engine))
    lite = types.ModuleType("xlwings")  # what `from xlwings import arg, func` gives in Lite
    lite.func, lite.arg, lite.ret = office.xlfunc, office.xlarg, office.xlret
    real, sys.modules["xlwings"] = sys.modules["xlwings"], lite
    main = types.ModuleType("main")
    exec(compile(open(sys.argv[1], encoding="utf-8").read(), "main.py", "exec"), main.__dict__)
    sys.modules["xlwings"] = real

    results = []
    for name, args in json.load(open(sys.argv[2], encoding="utf-8")):
        data = {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
                "runtime": "1.4", "culture_info_name": "en-US", "date_format": "m/d/yyyy"}
        try:
            results.append({"value": asyncio.run(office.custom_functions_call(data, main))})
        except Exception as exc:
            results.append({"error": type(exc).__name__, "message": str(exc)})
    meta = office.custom_functions_meta(main)
    json.dump({"meta": meta, "results": results}, open(sys.argv[3], "w", encoding="utf-8"), ensure_ascii=False)
    """
)

# Cells as Office.js sends them to Lite: every argument a matrix, blank cells null (None).
CALLS = [
    ("CP_ELF", [[[100], [90], [None], [1000]], [[50]]], lambda: [[cpxl.elf([100, 90, 1000], 50)]]),
    ("CP_MW", [[["CuSO4·5H2O"]]], lambda: [[cpxl.mw("CuSO4·5H2O")]]),
    ("CP_NPV", [[[0.08]], [[500_000]], [[162_500]], [[10]]], lambda: [[cpxl.npv(0.08, 500_000, 162_500, 10)]]),
    ("CP_PAYBACK", [[[1000]], [[300], [400], [500]], None, None], lambda: [[cpxl.payback(1000, [300, 400, 500])]]),
    (
        "CP_RECONCILE",
        [[[None], [None], ["A"]], [["A"], ["A"], [None]], [[60], [50], [100]], [[3], [4], [5]], None],
        lambda: [[v] for v in cpxl.reconcile(["", "", "A"], ["A", "A", ""], [60, 50, 100], [3, 4, 5]).value],
    ),
    (
        "CP_RECONCILE_COMPONENTS",
        [
            [[None], [None], ["M"]],
            [["M"], ["M"], [None]],
            [[100], [50], [150]],
            [[1], [1], [1]],
            [[0.1], [0.4], [0.22]],
            [[0.02], [0.02], [0.02]],
            [["fraction"]],
        ],
        lambda: cpxl.reconcile_components(
            ["", "", "M"], ["M", "M", ""], [100, 50, 150], [1, 1, 1], [[0.1], [0.4], [0.22]], [[0.02]] * 3
        ).fraction.tolist(),
    ),
    (
        "CP_WEIGHTED_SCORE",
        [[[10, 8, 5]], [[8, 6, 7], [5, 9, 4]]],
        lambda: [[v] for v in cpxl.weighted_score([10, 8, 5], [[8, 6, 7], [5, 9, 4]])],
    ),
    ("CP_VERSION", [], lambda: [[cpxl.__version__]]),
]
ERRORS = [
    ("CP_ELF", [[[100]], [[0]]], "CP_ELF: product must be > 0, got 0"),
    ("CP_ELF", [[[100]], None], "CP_ELF: product has no values"),  # a blank single cell arrives as None
    ("CP_OVERALL_YIELD", [[[90], [80]], None], None),
]


def office_error(text, kind):
    """An error cell as Office.js sends it to a custom function (Lite registers allowErrorForDataTypeAny)."""
    return {"type": "Error", "errorType": kind, "basicValue": text}


# An error cell in each argument of each function: in the second cell of a two-cell range, or as the single
# cell of a single-value argument; the other arguments blank (the error is refused before anything else).
for _name, _entry in CATALOG.items():
    for _index, (_argument, _spec) in enumerate(_entry["args"].items()):
        _args = [None] * len(_entry["args"])
        if _spec["range"]:
            _args[_index] = [[1.0], [office_error("#DIV/0!", "Div0")]]
            _where = f"{_argument}[2]"
        else:
            _args[_index] = [[office_error("#N/A", "NotAvailable")]]
            _where = _argument
        _shown = "#DIV/0!" if _spec["range"] else "#N/A"
        ERRORS.append((_name, _args, f"{_name}: {_where} is the Excel error {_shown}"))


@pytest.fixture(scope="module")
def office_js(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite")
    (folder / "main.py").write_text(main_py(), encoding="utf-8")
    (folder / "calls.json").write_text(json.dumps([[n, a] for n, a, _ in CALLS + ERRORS]), encoding="utf-8")
    command = [sys.executable, "-c", OFFICE_JS, *(str(folder / f) for f in ("main.py", "calls.json", "out.json"))]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads((folder / "out.json").read_text(encoding="utf-8"))


def test_lite_registers_every_function_with_its_help(office_js):
    functions = {f["id"]: f for f in office_js["meta"]["functions"]}
    assert set(functions) == set(CATALOG)
    for name, entry in CATALOG.items():
        meta = functions[name]
        assert meta["name"] == name and meta["description"] == description(name)
        assert [p["name"] for p in meta["parameters"]] == list(entry["args"])
        for parameter, (argument, spec) in zip(meta["parameters"], entry["args"].items(), strict=True):
            assert parameter["description"] == argument_help(name, argument)
            assert parameter.get("optional", False) == spec["optional"]


@pytest.mark.parametrize("index", range(len(CALLS)), ids=[c[0] for c in CALLS])
def test_lite_computes_what_the_twin_computes(index, office_js):
    got = office_js["results"][index]
    assert "value" in got, got
    want = CALLS[index][2]()
    assert len(got["value"]) == len(want)
    for g_row, w_row in zip(got["value"], want, strict=True):
        assert len(g_row) == len(w_row)
        for g, w in zip(g_row, w_row, strict=True):
            assert g == (w if isinstance(w, str) else pytest.approx(float(w), rel=1e-12))


@pytest.mark.parametrize("index", range(len(ERRORS)), ids=[e[2] or e[0] for e in ERRORS])
def test_lite_raises_the_short_message(index, office_js):
    name, _, message = ERRORS[index]
    got = office_js["results"][len(CALLS) + index]
    if message is None:
        with pytest.raises(cpxl.CPError) as info:
            cpxl.overall_yield([90, 80])
        message = f"{name}: {info.value.detail}"
    assert got == {"error": "WorksheetError", "message": message}


def test_requirements_name_cpxl_and_its_engine():
    lines = requirements_txt().split()
    assert lines[0] == f"cpxl=={cpxl.__version__}"
    assert {"molmass", "numpy", "scipy"} <= set(lines)
    assert "xlwings" not in " ".join(lines)  # Lite brings its own, pinned in its own line


def test_the_engine_is_pure_python_apart_from_numpy_and_scipy():
    # Pyodide provides numpy and scipy; everything else cpxl.core needs must install from a pure-Python wheel.
    import molmass

    assert not [p for p in Path(molmass.__file__).parent.rglob("*") if p.suffix in {".so", ".pyd", ".dylib"}]
    assert not [p for p in Path(cpxl.__file__).parent.rglob("*") if p.suffix in {".so", ".pyd", ".dylib"}]
