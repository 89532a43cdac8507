"""The xlwings user configuration that makes the classic add-in import the CP_* functions.

The xlwings add-in reads its settings from the ``xlwings.conf`` sheet of a workbook, a ``xlwings.conf``
file next to it, then the user file ``~/.xlwings/xlwings.conf`` (on Windows ``%USERPROFILE%``). Each line
of that file is ``"KEY","value"``; the keys cpxl needs are

``UDF MODULES``
    ``;``-separated Python modules whose functions *Import Functions* brings in: ``cpxl.excel.udfs``;
``INTERPRETER_WIN`` (``INTERPRETER_MAC`` on a Mac)
    the Python that has cpxl installed;
``CONDA PATH`` and ``CONDA ENV``
    instead of the interpreter, for a conda environment (the add-in activates it).

:func:`plan` works out the new file from the old one without touching other keys; it reports a key that
already holds a different value as a conflict, which the caller resolves only when told to (``--force``).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["UDF_MODULE", "ConfigPlan", "desired_settings", "plan", "user_config_file"]

#: The module that holds the classic UDFs.
UDF_MODULE = "cpxl.excel.udfs"

_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')


def user_config_file() -> Path:
    """Where xlwings keeps the user configuration (``xlwings.USER_CONFIG_FILE``)."""
    import xlwings

    return Path(xlwings.USER_CONFIG_FILE)


def desired_settings(
    interpreter: str | None = None,
    conda_path: str | None = None,
    conda_env: str | None = None,
    platform: str | None = None,
) -> dict[str, str]:
    """The settings cpxl needs, apart from the UDF module: the interpreter, or a conda environment.

    Parameters
    ----------
    interpreter : str, optional
        Python executable; default the one running now (``sys.executable``).
    conda_path, conda_env : str, optional
        Conda installation and environment; default from ``CONDA_EXE`` and ``CONDA_DEFAULT_ENV`` when
        running inside an activated conda environment on Windows, as ``xlwings config create`` does.
    platform : str, optional
        ``sys.platform`` to configure for; default this machine's.

    Returns
    -------
    settings : dict
        Keys and values to write.

    Examples
    --------
    >>> desired_settings(interpreter=r"C:\\Python311\\python.exe", platform="win32")
    {'INTERPRETER_WIN': 'C:\\\\Python311\\\\python.exe'}
    >>> desired_settings(conda_path=r"C:\\Miniconda3", conda_env="audit", platform="win32")
    {'CONDA PATH': 'C:\\\\Miniconda3', 'CONDA ENV': 'audit'}
    """
    platform = platform or sys.platform
    if interpreter is None and conda_path is None and platform.startswith("win"):
        exe, env = os.environ.get("CONDA_EXE"), os.environ.get("CONDA_DEFAULT_ENV")
        if exe and env:  # xlwings wants the installation without \Scripts\conda.exe
            conda_path, conda_env = str(Path(exe).parent.parent), conda_env or env
    if conda_path:
        return {"CONDA PATH": conda_path, "CONDA ENV": conda_env or "base"}
    key = "INTERPRETER_MAC" if platform.startswith("darwin") else "INTERPRETER_WIN"
    return {key: interpreter or sys.executable}


@dataclass
class ConfigPlan:
    """What writing the configuration would do."""

    lines: list[str]  #: the new file, line by line
    added: dict[str, str] = field(default_factory=dict)  #: keys that are new or changed
    kept: dict[str, str] = field(default_factory=dict)  #: keys already right
    conflicts: dict[str, tuple[str, str]] = field(default_factory=dict)  #: key -> (present, wanted)

    @property
    def text(self) -> str:
        """The new file's text."""
        return "".join(self.lines)


def _parse(lines: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for i, line in enumerate(lines):
        match = _LINE.match(line)
        if match:
            found[match.group(1).upper()] = (i, match.group(2))
    return found


def plan(existing: str, settings: dict[str, str], *, force: bool = False) -> ConfigPlan:
    """The new configuration: *existing* with ``UDF MODULES`` including cpxl and *settings* applied.

    Lines that cpxl does not own are kept as they are. ``UDF MODULES`` gains ``cpxl.excel.udfs`` next to
    the modules already listed. A key of *settings* that already holds another value is a conflict: it is
    replaced only with *force*.

    Parameters
    ----------
    existing : str
        The current file's text ("" when there is none).
    settings : dict
        Keys and values to set (see :func:`desired_settings`).
    force : bool, optional
        Replace conflicting values.

    Returns
    -------
    ConfigPlan
        The new lines, what was added, kept, and what conflicts.

    Examples
    --------
    >>> p = plan('"LICENSE_KEY","abc"\\n"UDF MODULES","mymodule"\\n', {"INTERPRETER_WIN": "python.exe"})
    >>> print(p.text, end="")
    "LICENSE_KEY","abc"
    "UDF MODULES","mymodule;cpxl.excel.udfs"
    "INTERPRETER_WIN","python.exe"
    >>> plan('"INTERPRETER_WIN","C:\\\\other\\\\python.exe"\\n', {"INTERPRETER_WIN": "python.exe"}).conflicts
    {'INTERPRETER_WIN': ('C:\\\\other\\\\python.exe', 'python.exe')}
    """
    lines = [line if line.endswith("\n") else line + "\n" for line in existing.splitlines()]
    found = _parse(lines)
    result = ConfigPlan(lines=lines)

    def put(key: str, value: str) -> None:
        if key in found:
            lines[found[key][0]] = f'"{key}","{value}"\n'
        else:
            lines.append(f'"{key}","{value}"\n')
        result.added[key] = value

    modules = [m.strip() for m in found.get("UDF MODULES", (0, ""))[1].split(";") if m.strip()]
    if UDF_MODULE in modules:
        result.kept["UDF MODULES"] = ";".join(modules)
    else:
        put("UDF MODULES", ";".join([*modules, UDF_MODULE]))
    for key, value in settings.items():
        present = found.get(key.upper(), (0, None))[1]
        if present == value:
            result.kept[key] = value
        elif present is None or not present.strip() or force:
            put(key, value)
        else:
            result.conflicts[key] = (present, value)
    return result
