"""The ``main.py`` and ``requirements.txt`` that put the CP_* functions into xlwings Lite.

xlwings Lite (an Excel add-in for Windows, Mac and Excel on the web) runs Python under Pyodide and
registers the functions of the workbook's ``main.py`` that carry its ``@func`` decorator. The ``main.py``
made here declares every function of :data:`cpxl.excel.catalog.CATALOG` with Lite's ``func`` and ``arg``
decorators (argument help included) and hands the cells to :func:`cpxl.excel.adapters.lite_call`, which
raises a short message for invalid input: Lite shows ``#VALUE!`` with it as the tooltip. Every argument is
declared with ``err_to_str=True``, so that an error cell (``#DIV/0!``) reaches the adapter as its text and is
refused by position instead of arriving as None, a blank. ``main.py`` imports only numpy and xlwings when
Lite loads it; cpxl and its engine are imported by the first call of a function. cpxl itself is
installed into Lite through ``requirements.txt``; its engine needs numpy and scipy (provided by Pyodide) and
molmass (pure Python).
"""

from __future__ import annotations

from .. import __version__
from .catalog import CATALOG, argument_help, description

__all__ = ["main_py", "requirements_txt"]


def main_py() -> str:
    """Source of a ``main.py`` for xlwings Lite that registers every CP_* worksheet function.

    Returns
    -------
    source : str
        Python source: one ``@func``-decorated function per worksheet function, with ``@arg`` help.

    Examples
    --------
    >>> source = main_py()
    >>> "def CP_ELF(raw_materials, product):" in source
    True
    >>> compile(source, "main.py", "exec") is not None
    True
    """
    lines = [
        f'"""cpxl worksheet functions (CP_*) for xlwings Lite; made by `cpxl lite` from cpxl {__version__}.',
        "",
        "Each function passes its cells to its Python twin in cpxl (help(cpxl.elf) documents CP_ELF).",
        'Invalid input shows #VALUE! with a short message as the tooltip: "CP_ELF: product must be > 0, got 0".',
        "An error cell in an argument (#DIV/0!, #N/A) is refused by its position, never read as a blank.",
        "Regenerate this file with `cpxl lite` rather than editing it.",
        '"""',
        "",
        "import numpy as np",
        "from xlwings import arg, func",
        "",
        "",
        "def lite_call(name, *args):",
        '    """Hand the cells to cpxl, imported by the first call: opening the workbook does not wait for it."""',
        "    from cpxl.excel.adapters import lite_call",
        "",
        "    return lite_call(name, *args)",
    ]
    for name, entry in CATALOG.items():
        lines += ["", "", "@func"]
        params, call = [], [repr(name)]
        for argument, spec in entry["args"].items():
            doc = argument_help(name, argument)
            if spec["range"]:
                lines.append(f"@arg({argument!r}, np.array, ndim=2, dtype=object, err_to_str=True, doc={doc!r})")
            else:
                lines.append(f"@arg({argument!r}, err_to_str=True, doc={doc!r})")
            params.append(f"{argument}=None" if spec["optional"] else argument)
            call.append(argument)
        lines.append(f"def {name}({', '.join(params)}):")
        lines.append(f"    {description(name)!r}")
        lines.append(f"    return lite_call({', '.join(call)})")
    return "\n".join(lines) + "\n"


def requirements_txt(wheel: str | None = None) -> str:
    """The lines to add to xlwings Lite's ``requirements.txt`` (keep Lite's own ``xlwings`` line).

    Parameters
    ----------
    wheel : str, optional
        URL of a cpxl wheel to install instead of cpxl from PyPI.

    Returns
    -------
    lines : str
        One requirement per line.

    Examples
    --------
    >>> print(requirements_txt("https://example.org/cpxl-0.1.0-py3-none-any.whl"))
    https://example.org/cpxl-0.1.0-py3-none-any.whl
    molmass
    numpy
    scipy
    <BLANKLINE>
    """
    first = wheel or f"cpxl=={__version__}"
    # numpy and scipy come from Pyodide: its versions are tied to Lite's Pyodide, so they are not pinned.
    return "\n".join([first, "molmass", "numpy", "scipy"]) + "\n"
