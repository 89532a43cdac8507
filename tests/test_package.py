"""The package as users meet it: the twins' names and arguments, the layers, the command."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cpxl
from cpxl.cli import main

# The worksheet-function contract of DESIGN.md: CP_NAME(args) <-> cpxl.name(args), same order.
CONTRACT = {
    "elf": ["raw_materials", "product"],
    "efactor": ["waste", "product"],
    "pmi": ["inputs", "product"],
    "rme": ["product", "reactants"],
    "mw": ["formula"],
    "atom_economy": ["product", "reactants", "coefficients"],
    "overall_yield": ["yields", "feeds_into"],
    "reduction": ["before", "after"],
    "reuse_rate": ["fresh", "reused"],
    "balance_closure": ["inputs", "outputs", "stock_change"],
    "cash_flow": ["saving", "investment", "life", "tax_rate"],
    "npv": ["rate", "investment", "cash_flows", "years"],
    "npvr": ["rate", "investment", "cash_flows", "years"],
    "irr": ["investment", "cash_flows", "years"],
    "payback": ["investment", "cash_flows", "years", "rate"],
    "weighted_score": ["weights", "ratings"],
    "grade": ["values", "level_1", "level_2", "level_3", "lower_is_better", "weights", "groups", "limiting", "output"],
}


# Spilling functions: the twin returns a rich result instead of taking the `output` selector.
SPILLING = {
    "reconcile": ["source", "target", "measured", "sigma"],
    "balance_test": ["source", "target", "measured", "sigma"],
    "reconcile_components": ["source", "target", "flow", "flow_sigma", "fraction", "fraction_sigma"],
    # ... and these take options of their own after the contract arguments
    "tce": ["amount", "carrier", "coefficient"],
    "co2": ["amount", "carrier", "factor"],
    "portfolio": ["values", "costs", "budget", "exclusive_groups", "requires"],
}


@pytest.mark.parametrize("name", sorted(SPILLING))
def test_spilling_twins_start_with_the_contract_arguments(name):
    parameters = list(inspect.signature(getattr(cpxl, name)).parameters)
    assert parameters[: len(SPILLING[name])] == SPILLING[name]


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_twin_has_the_contract_arguments_in_order(name):
    function = getattr(cpxl, name)
    assert list(inspect.signature(function).parameters) == CONTRACT[name]
    assert function.__doc__ and "Examples" in function.__doc__ and "References" in function.__doc__


def test_cperror_is_a_valueerror_with_its_parts():
    with pytest.raises(ValueError) as info:
        cpxl.elf([1], 0)
    error = info.value
    assert isinstance(error, cpxl.CPError)
    assert (error.function, error.argument, error.value) == ("elf", "product", 0.0)
    assert error.detail == "product must be > 0, got 0"


def test_the_core_imports_no_spreadsheet_library_and_no_pandas():
    code = (
        "import sys, cpxl, cpxl.core; "
        "bad = {'pandas', 'openpyxl', 'xlsxwriter', 'xlwings', 'formulas'} & set(sys.modules); "
        "print(sorted(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_readme_example_prints_22_8():
    code = "import cpxl; print(cpxl.elf([100, 90, 1000], 50))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "22.8"


def test_cpxl_demo_runs_and_shows_the_key_numbers():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Overall yield, 6 steps at 90 %     53.1%" in result.output
    assert "ELF" in result.output and "IRR" in result.output


def test_cpxl_version_and_help():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.strip() == f"cpxl, version {cpxl.__version__}"
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "cpxl demo" in result.output


def test_unknown_command_exits_with_2():
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2


ROOT = Path(__file__).resolve().parent.parent


def readme_commands():
    """The README's two set-up commands: the first two bash blocks of its first screen."""
    blocks = re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return blocks[0].strip(), blocks[1].strip()


def test_ci_runs_the_readmes_test_command():
    _, test_command = readme_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_the_readmes_main_command_installs_and_runs_the_cli():
    main_command, _ = readme_commands()
    assert main_command.startswith("pip install .") and "cpxl " in main_command
