"""The ``cpxl`` command.

Exit codes scripts can rely on: 0 success, 1 the input data is wrong (the
message says where), 2 the command line is wrong (click's own errors, and an
output whose name does not say what to write, e.g. ``-o notes.txt``).

Importing this module imports click and the light parts of cpxl only (the
errors, the catalogue of worksheet functions): ``cpxl --help`` and ``cpxl
--version`` start as fast as click does. Each command imports what it works with
(the audit model, the workbook builder, pandas, dask, ...) in its body, so that
``cpxl COMMAND --help`` is as quick.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .core.errors import CPError
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
      cpxl new --example -o example.xlsx   the worked example audit workbook
      cpxl new --lang zh -o audit.xlsx     a blank audit workbook in Chinese
      cpxl build audit.yaml -o audit.xlsx  a filled workbook from an audit file
      cpxl functions                       the worksheet functions (CP_*)
      cpxl demo                            the functions at work on a small plant
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


LANG = click.option(
    "--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the labels."
)
FORCE = click.option("--force", "-f", is_flag=True, help="Replace OUTPUT if it exists (otherwise ask, or refuse).")

#: What ``-o`` may name: a workbook, or the audit's data file.
OUTPUT_SUFFIXES = (".xlsx", ".yaml", ".yml", ".json")


def suffix_check(suffixes: tuple[str, ...], writes: str) -> Any:
    """A click callback for ``-o``: the path if its ending is one of *suffixes*, else a usage error (exit code 2).

    *writes* says in words what the command writes, for the message (``.svg, .png or .html``). *suffixes* may be
    a callable giving them, so that a command's module is imported only when its option is checked.
    """

    def check(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
        allowed = suffixes() if callable(suffixes) else suffixes
        if value.suffix.lower() not in allowed:
            ending = repr(value.suffix) if value.suffix else "no ending"
            raise click.BadParameter(
                f"{ctx.command_path} writes {writes}; {str(value)!r} has {ending}", ctx=ctx, param=param
            )
        return value

    return check


_output_suffix = suffix_check(OUTPUT_SUFFIXES, ".xlsx (a workbook), .yaml, .yml or .json (the audit data)")


OUTPUT = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_output_suffix,
    help="The file to write: .xlsx for a workbook, .yaml/.yml or .json for the audit data "
    "(another ending is a usage error, exit code 2).",
)


#: The most rows ``--rows`` may ask of a list table: :data:`cpxl.audit.schema.MAX_ROWS`, written here because
#: importing :mod:`cpxl.audit` imports the engine (numpy, scipy), which ``cpxl new --help`` should not wait for
#: (a test keeps the two equal).
MAX_ROWS = 2_000


#: Worker processes, for the commands that go through many inputs (outputs keep the inputs' order).
JOBS = click.option(
    "--jobs", "-j", type=click.IntRange(1, 512), default=1, show_default=True, metavar="N", help="Worker processes."
)
ROWS = click.option(
    "--rows",
    type=click.IntRange(0, MAX_ROWS),
    default=0,
    metavar="N",
    help="Give every list table at least N rows (a blank workbook has 60 streams, options and causes, 30 units, "
    "...; a filled one always 10 empty rows after its records).",
)


DIAGRAM = click.option(
    "--diagram",
    is_flag=True,
    help="Put the balance diagram (as cpxl sankey draws it) on the balance sheet, right of the unit table. "
    "Needs LibreOffice Draw and a few seconds; if LibreOffice cannot draw it, nothing is written (exit code 1).",
)


def _may_write(output: Path, force: bool) -> bool:
    """Whether OUTPUT may be written: it is new, --force was given, or the user says yes at the terminal."""
    if not output.exists() or force:
        return True
    if sys.stdin.isatty():
        return click.confirm(f"{output} exists. Replace it?", default=False)
    raise CPError("write", str(output), "exists already: choose another name or pass --force")


@main.command()
@LANG
@click.option("--example", is_flag=True, help="The worked example (a fine-chemicals plant) instead of a blank audit.")
@ROWS
@DIAGRAM
@OUTPUT
@FORCE
@reports_data_errors
def new(lang: str, example: bool, rows: int, diagram: bool, output: Path, force: bool) -> None:
    """Write a blank (or the worked-example) audit workbook, or its data file.

    \b
    The workbook walks the seven audit stages from the audit team to the
    continuing plan. Yellow cells are inputs; grey cells compute with native
    formulas, so the file works in Excel, LibreOffice and WPS with no add-in.

    \b
    Examples:
      cpxl new -o audit.xlsx
      cpxl new --lang zh --example -o 示例.xlsx
      cpxl new --rows 120 -o big-plant.xlsx   (120 rows in every list table)
      cpxl new --example -o example.yaml      (start an audit file to edit;
                                               its comments explain units and codes)
      cpxl new --example --diagram -o example.xlsx
                                              (with the example's balance diagram;
                                               needs LibreOffice Draw)

    \b
    Exit codes: 0 written, 1 not written (OUTPUT exists, or cannot be
    written, or LibreOffice could not draw the --diagram), 2 the command
    line is wrong (e.g. -o notes.txt, --diagram without --example).
    """
    if diagram and not example:
        raise click.UsageError("--diagram draws the example's balance diagram: add --example (a blank audit has none)")
    _diagram_needs_workbook(output, diagram)
    from .audit import Audit

    audit = Audit.example(lang) if example else Audit.blank()
    _write(audit, output, lang, force, rows, diagram)


@main.command()
@click.argument("audit_file", type=click.Path(dir_okay=False, path_type=Path))
@LANG
@ROWS
@DIAGRAM
@OUTPUT
@FORCE
@reports_data_errors
def build(audit_file: Path, lang: str, rows: int, diagram: bool, output: Path, force: bool) -> None:
    """Build one filled audit workbook from an audit data file (.yaml, .yml or .json) or a filled workbook.

    \b
    A filled workbook (.xlsx) is read back first, as strictly as its formulas
    read it, and written anew: every cached value recomputed, with room to grow
    (--rows). Use it when a table is full.

    \b
    Every problem in the file is listed with where it is, and nothing is
    written until the file is right. Start from: cpxl new --example -o audit.yaml
    An audit file is UTF-8 text of at most 20 MB; YAML anchors and aliases
    are limited, duplicate keys refused.

    \b
    --diagram draws the balance diagram of the audit (cpxl sankey, in the
    --lang language) and puts the picture on the balance sheet, to the right
    of the unit table. LibreOffice Draw draws it (apt-get install
    libreoffice-draw-nogui), which takes a few seconds; if it cannot, the
    command says why and writes nothing. The picture is only shown: reading
    the workbook back ignores it, and a rebuild leaves it out unless
    --diagram is given again (it is drawn anew from the rebuilt audit).

    \b
    Example:
      cpxl build plant.yaml --lang zh -o plant.xlsx
      cpxl build plant.yaml -o plant.json      (the same audit as JSON)
      cpxl build filled.xlsx --rows 150 -o roomier.xlsx
      cpxl build plant.yaml --diagram -o plant.xlsx   (with the balance diagram)

    \b
    Exit codes: 0 written, 1 AUDIT_FILE is wrong (the message says where) or
    OUTPUT was not written (it exists, or LibreOffice could not draw the
    --diagram), 2 the command line is wrong (e.g. -o notes.txt, --diagram
    with -o plant.yaml).
    """
    _diagram_needs_workbook(output, diagram)
    from .audit import Audit

    if audit_file.suffix.lower() == ".xlsx":
        from .workbook import read

        audit = read(audit_file)
    else:
        audit = Audit.load(audit_file)
    _write(audit, output, lang, force, rows, diagram)


def _diagram_needs_workbook(output: Path, diagram: bool) -> None:
    """A usage error (exit code 2) for --diagram with an audit data file as OUTPUT, which holds no picture."""
    if diagram and output.suffix.lower() != ".xlsx":
        raise click.UsageError(f"--diagram puts a picture in a workbook: -o must end in .xlsx, not {output.name!r}")


def _write(audit: Any, output: Path, lang: str, force: bool, rows: int = 0, diagram: bool = False) -> None:
    existed = output.exists()
    if not _may_write(output, force):
        click.echo("nothing written", err=True)
        sys.exit(EXIT_DATA_ERROR)
    # replace only what was there and may be replaced: a file that appears meanwhile (another run) is refused
    if output.suffix.lower() in (".yaml", ".yml", ".json"):
        audit.save(output, overwrite=existed or force)
    else:
        from .workbook import build

        png = _balance_diagram(audit, lang) if diagram else None
        build(audit, output, lang, rows=rows, overwrite=existed or force, diagram=png)
    click.echo(f"wrote {output}" + (" with the balance diagram" if diagram else ""))


def _balance_diagram(audit: Any, lang: str) -> bytes:
    """The balance diagram of *audit* as PNG bytes, drawn by LibreOffice Draw; a :class:`CPError` if it cannot be."""
    from .report.sankey import sankey as lay_out
    from .report.svg import svg_to_png
    from .workbook import libreoffice

    svg = lay_out(audit, lang=lang).svg()
    try:
        return svg_to_png(svg)
    except CPError as exc:
        if libreoffice.find_soffice() is None:
            cause = "LibreOffice (soffice) is not installed"
        else:  # what LibreOffice said, on one line; svg_to_png keeps it as the context of its error
            cause = str(exc.__context__ or exc.detail).splitlines()[0]
        raise CPError(
            "build",
            "--diagram",
            f"could not be drawn: {cause}; the balance diagram needs LibreOffice Draw "
            "(apt-get install libreoffice-draw-nogui), or leave out --diagram; nothing written",
        ) from None


# --- cpxl batch ------------------------------------------------------------------------------------------------


def _batch_output(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The -o value of cpxl batch: a folder, or a name for one; an existing file is a usage error (exit code 2)."""
    if value.exists() and not value.is_dir():
        raise click.BadParameter(f"{str(value)!r} is a file: cpxl batch writes into a folder", ctx=ctx, param=param)
    return value


@main.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path), metavar="INPUT")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    callback=_batch_output,
    metavar="DIR",
    help="The folder to write the workbooks into (made when missing).",
)
@LANG
@ROWS
@JOBS
@click.option("--skip-existing", is_flag=True, help="Keep workbooks that exist (resume a run); they count as skipped.")
@click.option("--force", "-f", is_flag=True, help="Replace workbooks that exist (otherwise each is a failure).")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; dask: a dask.distributed cluster (pip install 'cpxl[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="The dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask; "
    "without it, a local cluster of --jobs workers). DIR must be the same path on every worker.",
)
@click.option(
    "--name-column",
    metavar="COL",
    help="The table column whose cells name the workbooks [default: fields.company; a folder's files "
    "give their own names].",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line (failures are still listed).")
@reports_data_errors
def batch(
    source: Path,
    output: Path,
    lang: str,
    rows: int,
    jobs: int,
    skip_existing: bool,
    force: bool,
    executor: str,
    scheduler: str | None,
    name_column: str | None,
    quiet: bool,
) -> None:
    """Build one audit workbook per enterprise: from a folder of audit files, or a table with one row each.

    \b
    Examples:
      cpxl batch audits/ -o workbooks/                 every .yaml/.yml/.json in audits/
      cpxl batch plants.csv -o workbooks/ --jobs 4     one workbook per row, 4 processes
      cpxl batch plants.xlsx -o wb/ --lang zh --name-column fields.location
      cpxl batch plants.csv -o workbooks/ --skip-existing    resume a run that stopped
      cpxl batch plants.csv -o wb/ --executor dask --scheduler tcp://10.0.0.5:8786

    \b
    A table (.csv, UTF-8, or .xlsx, its first sheet) has a header of field
    paths and one row per enterprise:
      fields.company,fields.location,fields.tax_rate,weights.focus.toxicity,tables
      Acme Chemicals,Nanjing,0.25,,acme.yaml
    Columns: fields.KEY for every field (company, industry, location,
    audit_period, employees, description, mass_unit, currency, discount_rate,
    tax_rate, closure_tolerance); weights.TABLE.FACTOR for one rating weight
    (weights.focus.toxicity, weights.options.economic, ...); tables: an audit
    file (.yaml/.json, relative to the table's folder and inside it) with the
    enterprise's list tables. A blank cell is not given: the tables file's
    value, or the default; a cell that is given wins over the file. An
    unknown column is an error. See workbook_templates/batch-example.csv.

    \b
    Workbooks are named after the name column (a folder's: the file names),
    made safe for Windows and POSIX; repeats get -2, -3. Each is written
    whole or not at all; an existing one is a failure unless --force
    (replace) or --skip-existing (keep). Temporary files (.NAME.*.xlsx) that
    a killed run left are removed by the next run into DIR.

    \b
    A bad input does not stop the others: at the end, every problem is
    listed on stderr (input, field or cell, message), then a summary line.

    \b
    Exit codes: 0 every input has its workbook (built, or kept by
    --skip-existing), 1 an input failed or INPUT cannot be read as a whole
    (the messages say where), 2 the command line is wrong (also --executor
    dask without dask installed, or --name-column naming no column).
    """
    from .batch import build_many
    from .batch.executors import ExecutorUnavailableError, dask_available
    from .batch.inputs import NameColumnError

    if skip_existing and force:
        raise click.UsageError("--skip-existing and --force exclude each other: keep existing workbooks, or replace")
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler is for --executor dask")
    if executor == "dask" and not dask_available():
        raise click.UsageError(
            "--executor dask needs dask.distributed, which is not installed: pip install 'cpxl[dask]'"
        )
    bar = _BatchBar() if not quiet and sys.stderr.isatty() else None
    try:
        result = build_many(
            source,
            output,
            lang=lang,
            rows=rows,
            jobs=jobs,
            skip_existing=skip_existing,
            force=force,
            executor=executor,
            scheduler=scheduler,
            name_column=name_column,
            progress=bar,
        )
    except NameColumnError as exc:
        raise click.BadParameter(exc.detail, param_hint="--name-column") from None
    except ExecutorUnavailableError as exc:
        raise click.UsageError(exc.detail) from None
    finally:
        if bar is not None:
            bar.close()
    for failure in result.failures:
        click.echo(f"failed: {failure}", err=True)
    if not quiet:
        click.echo(result.summary(), err=True)
    if not result.ok:
        sys.exit(EXIT_DATA_ERROR)


class _BatchBar:
    """A click progress bar on stderr, made once the number of inputs is known."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


# --- cpxl collect ----------------------------------------------------------------------------------------------


def _collect_suffixes() -> tuple[str, ...]:
    from .batch.collect import OUTPUT_SUFFIXES as COLLECT_SUFFIXES

    return COLLECT_SUFFIXES


_collect_suffix = suffix_check(_collect_suffixes, ".csv, .xlsx or .parquet")


TOLERANCE = click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    metavar="T",
    help="Largest acceptable |closure| of a unit's and the plant's balance, as a fraction (0.05 = 5 %); "
    "default: each audit's own closure tolerance.",
)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE|DIR...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_collect_suffix,
    help="The table to write: .csv, .xlsx or .parquet (Parquet needs pyarrow: pip install 'cpxl[parquet]').",
)
@click.option("--long", is_flag=True, help="One row per record of every list table, not one row per workbook.")
@TOLERANCE
@JOBS
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@FORCE
@reports_data_errors
def collect(
    paths: tuple[Path, ...], output: Path, long: bool, tolerance: float | None, jobs: int, quiet: bool, force: bool
) -> None:
    """Collect filled audit workbooks into one table, one row per workbook.

    \b
    Examples:
      cpxl collect returned/ -o audits.csv          every .xlsx in the folder
      cpxl collect a.xlsx b.xlsx -o audits.parquet
      cpxl collect returned/ -o audits.csv --jobs 4 four processes
      cpxl collect returned/ --long -o records.xlsx (one row per stream,
                                                     option, unit... of each)

    \b
    A row holds the file, company, industry, audit period, mass unit and
    currency; the results the workbook caches (main output, ELF, PMI,
    E-factor, overall yield, grade, plant closure, units to check, water
    reuse, options registered / passed / done, investment, saving, achieved
    saving, targets met); and what cpxl check says (check: ok or flagged,
    flags: how many things to look at; run cpxl check on a file for them).
    --long writes the list tables instead: a file and a table column, then
    the columns of every table (ratings as rating_<factor>).

    \b
    Folders are searched with their subfolders for .xlsx and .xlsm. The
    workbooks are only read, never changed. A file that is not a readable
    cpxl workbook (damaged, password-protected, another program's, too
    large) is skipped and named with the reason; the others are collected.
    OUTPUT is written whole or not at all.

    \b
    Exit codes: 0 every file collected, 1 a file was skipped (or OUTPUT
    exists, or cannot be written), 2 the command line is wrong (e.g. -o
    notes.txt).
    """
    from .batch.collect import workbook_files, write_collection

    files = workbook_files(paths)
    if not files:
        raise CPError("collect", "FILE|DIR", "holds no .xlsx or .xlsm workbook", ", ".join(map(str, paths)))
    existed = output.exists()
    if not _may_write(output, force):
        click.echo("nothing written", err=True)
        sys.exit(EXIT_DATA_ERROR)
    options: dict[str, Any] = {"long": long, "tolerance": tolerance, "overwrite": existed, "jobs": jobs}
    if not quiet and sys.stderr.isatty():
        with click.progressbar(files, label="collecting", file=sys.stderr, show_pos=True) as bar:
            done = write_collection(bar, output, **options)
    else:
        done = write_collection(files, output, **options)
    for source, reason in done.skipped:
        click.echo(f"skipped {source}: {reason}", err=True)
    click.echo(
        f"wrote {output}: {done.rows} row{'s' if done.rows != 1 else ''} from {done.files} "
        f"workbook{'s' if done.files != 1 else ''} ({done.flagged} flagged: see cpxl check), "
        f"{len(done.skipped)} skipped"
    )
    if done.skipped:
        sys.exit(EXIT_DATA_ERROR)


# --- cpxl check ------------------------------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout: per file, its findings.")
@TOLERANCE
@reports_data_errors
def check(files: tuple[Path, ...], as_json: bool, tolerance: float | None) -> None:
    """Check filled audit workbooks or audit files: what is missing, what does not close, what contradicts.

    \b
    Examples:
      cpxl check plant.xlsx
      cpxl check returned/*.xlsx --tolerance 0.1
      cpxl check plant.yaml --json > findings.json

    \b
    Each finding says how serious it is, where it is (sheet and cell in a
    workbook, the field path in a .yaml/.json audit) and what to do:
      error    the file is wrong: a bad cell, a cell typed below a table, a
               broken name, a formula replaced by a value, a total whose
               value its own rows contradict (typed over, or not recalculated)
      warning  the audit says something to look at: a required field missing
               (company, industry, audit period, main product output, stream
               table, indicator table), a unit or the plant not closing within
               the tolerance, the reconciliation's global test failing and its
               suspect streams, an implemented or recommended option with NPV
               < 0, payback beyond its life or IRR below the discount rate, a
               target missed, a negative ELF, grade 0 (not attained) or none
      info     the grade, the plant's closure, units with unmeasured streams,
               the reconciliation passing

    \b
    Exit codes: 0 nothing flagged (no error, no warning), 1 something was
    flagged or a file could not be read (it is named, with the reason; the
    others are still checked), 2 the command line is wrong.
    """
    import json

    from .batch.check import check as check_one

    results, flagged = [], 0
    for path in files:
        report = check_one(path, tolerance=tolerance)
        flagged += report.flagged
        if as_json:
            results.append(report.to_dict())
        else:
            click.echo(str(report))
    if as_json:
        click.echo(json.dumps({"flagged": flagged, "files": results}, ensure_ascii=False, indent=2))
    elif len(files) > 1:
        click.echo(f"{len(files)} files checked, {flagged} flagged")
    if flagged:
        sys.exit(EXIT_DATA_ERROR)


# --- cpxl sankey -----------------------------------------------------------------------------------------------

#: What ``cpxl sankey -o`` may name.
SANKEY_SUFFIXES = (".svg", ".png", ".html")


_sankey_suffix = suffix_check(SANKEY_SUFFIXES, ".svg, .png or .html")


@main.command()
@click.argument("audit_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILLED.xlsx|AUDIT.yaml")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_sankey_suffix,
    help="The picture to write: .svg, .png (drawn by LibreOffice) or .html (the SVG in a page).",
)
@LANG
@click.option(
    "--reconciled/--measured",
    default=True,
    show_default=True,
    help="Band widths from the reconciled flows (measured where a flow is not reconciled), or the measured ones.",
)
@FORCE
@reports_data_errors
def sankey(audit_file: Path, output: Path, lang: str, reconciled: bool, force: bool) -> None:
    """Draw the balance diagram: a Sankey diagram of the audit's stream table.

    \b
    Units are nodes, in columns along the flowsheet; the system's inputs
    enter on the left, its outputs leave on the right; every stream is a
    band as wide as its flow. Unmeasured streams are dashed (a thin dashed
    line when their flow is unknown). A unit whose measured balance does
    not close within the audit's tolerance is outlined in red with its
    closure; a stream the reconciliation adjusted reads "measured →
    reconciled", with a tick as wide as the measured flow.

    \b
    Examples:
      cpxl sankey plant.xlsx -o balance.svg
      cpxl sankey plant.yaml --lang zh -o 物料平衡图.png
      cpxl sankey plant.xlsx --measured -o measured.html

    \b
    Exit codes: 0 written, 1 the input is wrong or OUTPUT was not written
    (it exists: pass --force; LibreOffice could not draw the PNG), 2 the
    command line is wrong (e.g. -o balance.pdf).
    """
    from .report.sankey import sankey as lay_out

    diagram = lay_out(audit_file, lang=lang, reconciled=reconciled)
    existed = output.exists()
    if not _may_write(output, force):
        click.echo("nothing written", err=True)
        sys.exit(EXIT_DATA_ERROR)
    diagram.save(output, overwrite=existed or force)
    click.echo(f"wrote {output}")


# --- cpxl report -----------------------------------------------------------------------------------------------


_docx_output = suffix_check((".docx",), "a Word document (.docx)")


@main.command()
@click.argument("audit_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILLED.xlsx|AUDIT.yaml")
@LANG
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_docx_output,
    help="The report to write (.docx; another ending is a usage error, exit code 2).",
)
@click.option(
    "--figures/--no-figures",
    "pictures",
    default=True,
    show_default=True,
    help="Put the figures (trends, waste Pareto, balance diagram, NPV against budget, before/after) in the report; "
    "LibreOffice draws them.",
)
@click.option(
    "--diagram/--no-diagram",
    default=True,
    show_default=True,
    help="With the figures, the balance diagram (as cpxl sankey draws it) after the stream table.",
)
@FORCE
@reports_data_errors
def report(audit_file: Path, lang: str, output: Path, pictures: bool, diagram: bool, force: bool) -> None:
    """Write the audit report (清洁生产审核报告) of a filled workbook or an audit file as a Word document.

    \b
    The chapters follow the audit: company profile, preparation,
    pre-assessment, assessment, options, feasibility, implementation,
    continuing cleaner production, conclusions. Each holds the workbook's
    facts in sentences ("The plant's balance closes to 3.6 %, within the
    5.0 % tolerance") and its tables (consumption, pollutants, benchmark and
    grade, focus, stream table with reconciled flows, balances, causes,
    options, economics, implementation, targets), with the numbers a
    workbook built from the audit caches. A table with no data is a sentence
    saying so. The file opens in Word, WPS and LibreOffice.

    \b
    Figures follow their tables when LibreOffice can draw them (else the
    report is written without them, and a line says why): the consumption
    and pollutant trends of the last three years, the Pareto of the waste
    streams by annual cost, the balance diagram (cpxl sankey), the best NPV
    against the investment budget, and each option's pollutant load before
    and after. A figure with no data is left out. --no-diagram leaves out
    the balance diagram; --no-figures all of them.

    \b
    Examples:
      cpxl report filled.xlsx -o report.docx
      cpxl report plant.yaml --lang zh -o 审核报告.docx

    \b
    Exit codes: 0 written, 1 the input is wrong (the message says where) or
    OUTPUT was not written, 2 the command line is wrong (e.g. -o report.pdf).
    """
    if not audit_file.is_file():
        raise CPError("report", str(audit_file), "does not exist")
    try:
        from .report.document import report as write_report
    except ImportError as exc:  # python-docx is the extra cpxl[report]
        raise CPError("report", "python-docx", f"is not installed ({exc}): pip install 'cpxl[report]'") from None

    existed = output.exists()
    if not _may_write(output, force):
        click.echo("nothing written", err=True)
        sys.exit(EXIT_DATA_ERROR)
    from .report.document import load

    audit = load(audit_file)  # a bad audit is an error of the command, read once, before anything is drawn
    figures: dict[str, bytes] = {}
    if pictures:
        from .report.figures import pictures as draw

        try:
            figures = draw(audit, lang, diagram=diagram)
        except CPError as exc:  # LibreOffice missing or failing: the report without its figures, said once
            click.echo(f"the figures are left out of the report: {exc.detail}", err=True)
    write_report(audit, output, lang=lang, overwrite=existed or force, figures=figures)
    click.echo(f"wrote {output}")


main.add_command(functions)
main.add_command(addin)
main.add_command(lite)


if __name__ == "__main__":  # pragma: no cover
    main()
