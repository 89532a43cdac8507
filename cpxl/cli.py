"""The ``cpxl`` command.

Exit codes scripts can rely on: 0 success, 1 the input data is wrong (the
message says where), 2 the command line is wrong.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .core import CPError
from .excel.commands import addin, functions, lite

EXIT_DATA_ERROR = 1


def reports_data_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`CPError` raised by *command* into a one-line message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CPError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_DATA_ERROR)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cpxl")
def main() -> None:
    """cpxl: the cleaner-production audit in the spreadsheet.

    Metrics (ELF, E-factor, PMI, yields), balances, economics (NPV, IRR,
    payback), weighted scoring and grading, for audit workbooks and scripts.

    \b
    Start with:
      cpxl demo          the functions at work on a small example plant
    """


@main.command()
@reports_data_errors
def demo() -> None:
    """Compute the key audit numbers of a small example plant and print them.

    \b
    The plant: a batch synthesis fed 1,000 kg of reactants, 250 kg of solvent
    and 3,000 kg of water a day; out come 400 kg of product, 580 kg of solid
    waste and 3,210 kg of effluent. One option recovers the solvent.
    """
    from . import core

    raw = {"reactants": 1000.0, "solvent": 250.0, "water": 3000.0}
    product = 400.0
    outputs = {"product": product, "waste": 580.0, "effluent": 3210.0}
    saving, investment, life, tax = 120_000.0, 300_000.0, 10, 0.25
    flow = core.cash_flow(saving, investment, life, tax)
    rows = [
        ("Balance closure", core.balance_closure(list(raw.values()), list(outputs.values())), "{:+.2%}"),
        ("ELF", core.elf(list(raw.values()), product), "{:.2f}"),
        ("PMI", core.pmi(list(raw.values()), product), "{:.2f}"),
        ("E-factor (complete)", core.efactor([580.0, 3210.0], product), "{:.2f}"),
        ("Overall yield, 6 steps at 90 %", core.overall_yield([0.9] * 6), "{:.1%}"),
        ("Overall yield, 3 steps at 90 %", core.overall_yield([0.9] * 3), "{:.1%}"),
        ("Atom economy CH3OH + HCl -> CH3Cl", core.atom_economy("CH3Cl", ["CH3OH", "HCl"]), "{:.1%}"),
        ("Solvent recovery: cash flow F", flow, "{:,.0f} /yr"),
        ("  NPV at 8 %", core.npv(0.08, investment, flow, life), "{:,.0f}"),
        ("  IRR", core.irr(investment, flow, life), "{:.1%}"),
        ("  Payback", core.payback(investment, flow), "{:.2f} yr"),
    ]
    width = max(len(name) for name, _, _ in rows)
    for name, value, fmt in rows:
        click.echo(f"{name:<{width}}  {fmt.format(value)}")


main.add_command(functions)
main.add_command(addin)
main.add_command(lite)


if __name__ == "__main__":  # pragma: no cover
    main()
