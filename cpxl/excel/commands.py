"""The ``cpxl functions``, ``cpxl addin`` and ``cpxl lite`` commands: getting the CP_* functions into Excel.

Importing this module imports click and :mod:`cpxl.core.errors` only; each command imports the catalogue, the
xlwings configuration or the Lite source it works with when it runs, so that ``cpxl --help`` stays quick.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import CPError

__all__ = ["addin", "functions", "lite"]

EXIT_DATA_ERROR = 1

_CLASSIC_STEPS = """\
Next, in Excel (Windows):
  1. Once: File > Options > Trust Center > Trust Center Settings > Macro Settings:
     tick "Trust access to the VBA project object model".
  2. Once: install the xlwings add-in, if you have not:  xlwings addin install
     then restart Excel; an "xlwings" tab appears.
  3. In your workbook: save it as .xlsm; press Alt+F11, Tools > References, tick "xlwings", OK.
  4. On the xlwings tab click "Import Functions".
  5. Type =CP_VERSION() in a cell (it shows the cpxl version), then e.g. =CP_ELF(B2:B4, B5).
The functions are in Insert Function under the category "cpxl"; `cpxl functions` lists them."""


@click.command()
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the help.",
)
def functions(lang: str) -> None:
    """List the CP_* worksheet functions with their arguments and help.

    \b
    Optional arguments are shown in [brackets]. Every function has a Python
    twin with the same arguments: CP_ELF <-> cpxl.elf (help(cpxl.elf)).
    """
    from .catalog import CATALOG, argument_help, description

    for name, entry in CATALOG.items():
        shown = ", ".join(f"[{a}]" if spec["optional"] else a for a, spec in entry["args"].items())
        click.echo(f"{name}({shown})")
        click.echo(f"    {description(name, lang)}")
        width = max((len(a) for a in entry["args"]), default=0)
        for argument in entry["args"]:
            click.echo(f"    {argument:<{width}}  {argument_help(name, argument, lang)}")
        click.echo("")


@click.command()
@click.option("--force", is_flag=True, help="Replace settings that already hold another value.")
@click.option(
    "--interpreter",
    type=click.Path(dir_okay=False),
    default=None,
    help="Python that has cpxl installed [default: this one].",
)
@click.option("--conda-path", default=None, help="Conda installation, e.g. C:\\Users\\me\\miniconda3 (conda users).")
@click.option("--conda-env", default=None, help="Conda environment that has cpxl installed (with --conda-path).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The xlwings configuration file [default: ~/.xlwings/xlwings.conf].",
)
@click.option("--dry-run", is_flag=True, help="Show the new configuration; write nothing.")
def addin(
    force: bool,
    interpreter: str | None,
    conda_path: str | None,
    conda_env: str | None,
    config_file: Path | None,
    dry_run: bool,
) -> None:
    """Set up classic xlwings (Excel on Windows) to import the CP_* functions.

    \b
    Writes into the xlwings user configuration:
      "UDF MODULES"      cpxl.excel.udfs (added to modules already listed)
      "INTERPRETER_WIN"  this Python (or --interpreter), or, for conda,
      "CONDA PATH", "CONDA ENV" (detected in an activated environment)
    Other settings are kept. A setting that holds another value is replaced
    only with --force. Then it prints the steps left to do in Excel.

    On a Mac or in Excel on the web use xlwings Lite instead: cpxl lite.
    """
    from .config import desired_settings, plan, user_config_file

    if conda_env and not conda_path:
        raise click.UsageError("--conda-env needs --conda-path")
    if interpreter and conda_path:
        raise click.UsageError("give either --interpreter or --conda-path, not both")
    path = config_file or user_config_file()
    existing = _read_config(path)
    settings = desired_settings(interpreter, conda_path, conda_env)
    result = plan(existing, settings, force=force)
    if result.conflicts:
        lines = [f'  "{key}" is "{old}"; cpxl would set "{new}"' for key, (old, new) in result.conflicts.items()]
        click.echo(f"{path} already has other settings:\n" + "\n".join(lines), err=True)
        if dry_run or not sys.stdin.isatty() or not click.confirm("Replace them?", default=False):
            click.echo("Nothing written. Rerun with --force to replace them.", err=True)
            sys.exit(EXIT_DATA_ERROR)
        result = plan(existing, settings, force=True)
    if dry_run:
        click.echo(result.text, nl=False)
        return
    if result.added:
        from ..io import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_write(path, overwrite=True) as tmp:
                tmp.write_text(result.text, encoding="utf-8")
        except CPError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_DATA_ERROR)
        for key, value in result.added.items():
            click.echo(f'Set "{key}" = "{value}" in {path}')
    else:
        click.echo(f"{path} is already set up for cpxl.")
    if not sys.platform.startswith("win"):
        click.echo("Note: classic xlwings runs worksheet functions on Windows only; elsewhere use `cpxl lite`.")
    click.echo(_CLASSIC_STEPS)


def _read_config(path: Path) -> str:
    """The configuration file's text ("" when there is none); exit 1 with one line if it cannot be read."""
    if not path.exists():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); save it as UTF-8"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror})"
    click.echo(f"error: {path} {problem}", err=True)
    sys.exit(EXIT_DATA_ERROR)


def _wheel_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a --wheel with whitespace or control characters: requirements.txt is one requirement a line."""
    if value is not None and (not value or any(c.isspace() or not c.isprintable() for c in value)):
        raise click.BadParameter(f"must be one URL without spaces or control characters, got {value!r}")
    return value


@click.command()
@click.option(
    "-o",
    "--output",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write main.py and requirements.txt into this folder instead of printing main.py.",
)
@click.option(
    "--wheel",
    default=None,
    callback=_wheel_url,
    help="URL of a cpxl wheel for requirements.txt instead of cpxl from PyPI.",
)
@click.option("--force", is_flag=True, help="Replace main.py and requirements.txt in the -o folder if they exist.")
def lite(directory: Path | None, wheel: str | None, force: bool) -> None:
    """Print the main.py that puts the CP_* functions into xlwings Lite.

    \b
    xlwings Lite runs in Excel on Windows, on a Mac and on the web:
      1. In Excel: Home > Add-ins, search "xlwings", Add (xlwings Lite).
      2. Open the xlwings Lite pane; in its requirements.txt tab add the
         lines this command prints to stderr (keep Lite's xlwings line).
      3. Replace the content of main.py with the code printed to stdout
         (cpxl lite > main.py, then copy and paste it).
      4. Type =CP_VERSION(), then e.g. =CP_ELF(B2:B4, B5).

    With -o DIR, existing files in DIR are replaced only with --force.
    """
    from .lite import main_py, requirements_txt

    source, requirements = main_py(), requirements_txt(wheel)
    if directory is None:
        click.echo(source, nl=False)
        click.echo("# requirements.txt (add to xlwings Lite's requirements.txt tab):", err=True)
        click.echo(requirements, nl=False, err=True)
        return
    from ..io import atomic_write

    targets = {directory / "main.py": source, directory / "requirements.txt": requirements}
    present = [str(p) for p in targets if p.exists()]
    if present and not force:  # check both before writing either
        verb = "exists" if len(present) == 1 else "exist"
        click.echo(f"error: {' and '.join(present)} {verb} already: choose another folder or use --force", err=True)
        sys.exit(EXIT_DATA_ERROR)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for target, text in targets.items():
            with atomic_write(target, overwrite=force) as tmp:
                tmp.write_text(text, encoding="utf-8")
    except CPError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_DATA_ERROR)
    except OSError as exc:
        click.echo(f"error: {directory} cannot be written ({exc.strerror})", err=True)
        sys.exit(EXIT_DATA_ERROR)
    click.echo(f"Wrote {directory / 'main.py'} and {directory / 'requirements.txt'}")
