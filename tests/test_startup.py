"""What starting cpxl imports: nothing heavy until it is used.

``import cpxl``, ``cpxl --help``, ``cpxl --version`` and loading the worksheet functions
(``import cpxl.excel.udfs``) must not wait for scipy's statistics and optimisation, pandas, the spreadsheet
libraries or dask. Each check runs a fresh interpreter (a module imported once stays imported) and looks at
``sys.modules``; the time it takes is measured by ``benchmarks/bench_startup.py``, not here.

The public names are imported on first use (PEP 562): the tests below also check that every one of them
resolves, is listed by ``dir()`` and by the imports that type checkers read, and that ``cpxl.core.reconcile``
stays the function whichever of the function or the module is imported first.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cpxl
import cpxl.core
from cpxl.cli import main

#: Packages that starting cpxl must not import.
HEAVY = ("scipy.stats", "scipy.optimize", "pandas", "openpyxl", "xlsxwriter", "xlwings", "tqdm", "dask")

#: What the command line must not import to show its help or version.
NUMERIC = ("numpy", "scipy", "pandas")

MARK = "@@modules "


def imported(code: str) -> set[str]:
    """The modules in ``sys.modules`` after *code* ran in a fresh interpreter."""
    script = textwrap.dedent(code) + f"\nimport sys, json\nprint({MARK!r} + json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith(MARK))
    return set(json.loads(line[len(MARK) :]))


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The *packages* (or any of their modules) among *modules*."""
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


def command(*args: str) -> str:
    """Code that runs ``cpxl ARGS`` as the console script does, and keeps the interpreter alive afterwards."""
    return f"""
        from cpxl.cli import main
        code = main({list(args)!r}, prog_name="cpxl", standalone_mode=False)
        assert code in (0, None), code
    """


# ------------------------------------------------------------------------------------------------ import cpxl


def test_import_cpxl_imports_nothing_heavy():
    assert loaded(imported("import cpxl"), HEAVY) == []


def test_import_cpxl_core_imports_none_of_its_modules():
    modules = imported("import cpxl.core")
    assert sorted(m for m in modules if m.startswith("cpxl.core.")) == []
    assert loaded(modules, ("numpy", "scipy", *HEAVY)) == []


def test_a_twin_imports_only_its_own_module():
    modules = imported("import cpxl; cpxl.elf([100, 90, 1000], 50)")
    assert "cpxl.core.metrics" in modules
    assert loaded(modules, ("cpxl.core.economics", "cpxl.core.reconcile", "scipy", *HEAVY)) == []


def test_the_reconciliation_imports_no_statistics_until_it_tests():
    assert loaded(imported("from cpxl import reconcile, balance_test"), ("scipy.stats", "scipy.optimize")) == []


def test_the_economics_import_no_optimiser_until_irr_is_computed():
    assert loaded(imported("from cpxl import irr, npv, payback"), ("scipy.stats", "scipy.optimize")) == []


def test_the_portfolio_imports_no_scipy_until_it_solves():
    assert loaded(imported("from cpxl import portfolio, PortfolioResult"), ("scipy", *HEAVY)) == []
    assert "scipy.optimize" in imported("import cpxl; cpxl.portfolio([1, 2], [1, 1], 1)")


def test_energy_and_carbon_need_no_scipy():
    modules = imported("import cpxl; cpxl.tce(1.0, 'raw coal'); cpxl.co2([1.0, 2.0], ['diesel', 'electricity'])")
    assert "cpxl.core.energy" in modules
    assert loaded(modules, ("scipy", *HEAVY)) == []


# ------------------------------------------------------------------------------------------------ the command


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-V"], ["-h"]], ids=" ".join)
def test_help_and_version_import_no_numeric_library(args):
    modules = imported(command(*args))
    assert loaded(modules, (*NUMERIC, *HEAVY)) == []
    assert "cpxl.core.errors" in modules  # the command ran


@pytest.mark.parametrize("name", sorted(main.commands))
def test_the_help_of_every_command_imports_no_numeric_library(name):
    assert loaded(imported(command(name, "--help")), (*NUMERIC, *HEAVY)) == []


def test_the_console_script_runs_as_python_m_cpxl():
    result = subprocess.run([sys.executable, "-m", "cpxl", "--version"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cpxl, version {cpxl.__version__}"


def test_the_bound_of_rows_is_the_schema_s():
    from cpxl import cli
    from cpxl.audit.schema import MAX_ROWS

    assert cli.MAX_ROWS == MAX_ROWS


def test_the_version_is_the_installed_distribution_s():
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("cpxl")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        pytest.skip("cpxl is not installed")
    assert cpxl.__version__ == installed


# ------------------------------------------------------------------------------------ the worksheet functions


def test_loading_the_worksheet_functions_imports_neither_pandas_nor_the_engine():
    modules = imported("import cpxl.excel.udfs")
    assert loaded(modules, ("openpyxl", "xlsxwriter", "scipy", "tqdm", "dask")) == []
    assert sorted(m for m in modules if m.startswith("cpxl.core.")) == []
    # xlwings imports pandas by itself when it is installed; cpxl adds nothing to what xlwings imports
    assert loaded(modules, HEAVY) == loaded(imported("import numpy, xlwings"), HEAVY)


def test_the_worksheet_functions_compute_on_first_call():
    modules = imported(
        """
        import numpy as np
        import cpxl.excel.udfs as u
        assert u.CP_ELF(np.array([[100.0], [np.nan], [90.0]]), np.array([[50.0]])) == 2.8
        import cpxl
        assert u.CP_VERSION() == cpxl.__version__
        """
    )
    assert "cpxl.core.metrics" in modules


def test_the_lite_main_py_imports_cpxl_on_first_call_only():
    from cpxl.excel.lite import main_py

    tree = ast.parse(main_py())
    top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    assert {alias.name for node in top for alias in node.names} == {"numpy", "arg", "func"}


# ------------------------------------------------------------------------------------------- the public names


@pytest.mark.parametrize("module", [cpxl, cpxl.core], ids=lambda m: m.__name__)
def test_every_public_name_resolves_and_is_listed(module):
    listing = dir(module)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
        assert name in listing, name
    assert len(set(module.__all__)) == len(module.__all__)


def test_the_twins_are_the_engine_s():
    for name in cpxl.core.__all__:
        assert getattr(cpxl, name) is getattr(cpxl.core, name), name
    assert set(cpxl.__all__) == {*cpxl.core.__all__, "__version__"}
    assert set(cpxl.core.__all__) == set(cpxl.core._EXPORTS)


def test_an_unknown_name_is_an_attribute_error():
    for module in (cpxl, cpxl.core):
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            module.nope  # noqa: B018
        assert not hasattr(module, "nope")


@pytest.mark.parametrize("module", [cpxl, cpxl.core], ids=lambda m: m.__name__)
def test_type_checkers_see_every_public_name(module):
    # the imports under `if TYPE_CHECKING:` are what type checkers and documentation tools read
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    imports = [node for node in block.body if isinstance(node, ast.ImportFrom)]
    names = {alias.asname or alias.name for node in imports for alias in node.names}
    assert set(module.__all__) - {"__version__"} <= names


@pytest.mark.parametrize(
    "code",
    [
        "from cpxl.core.reconcile import reconcile as f\nimport cpxl",  # the module first
        "import cpxl\nf = cpxl.reconcile\nimport cpxl.core.reconcile",  # the function first
        "import cpxl.excel.adapters\nfrom cpxl.core.reconcile import reconcile as f\nimport cpxl",
    ],
    ids=["module-first", "function-first", "adapters-first"],
)
def test_reconcile_stays_the_function_whichever_is_imported_first(code):
    imported(
        code
        + textwrap.dedent(
            """
            import cpxl.core
            from cpxl.core import reconcile
            assert cpxl.core.reconcile is reconcile is cpxl.reconcile is f, cpxl.core.reconcile
            assert callable(reconcile)
            """
        )
    )


def test_the_modules_of_the_engine_are_attributes_as_before():
    assert cpxl.core.grading.grade is cpxl.grade
    assert cpxl.core.economics.irr is cpxl.irr
    assert "economics" in dir(cpxl.core)
