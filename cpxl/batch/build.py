"""Many audit workbooks at once: :func:`build_many`, the Python twin of ``cpxl batch``.

The one place where a batch is put together, in this order: read the inputs
(:mod:`~cpxl.batch.inputs`), name their workbooks (:mod:`~cpxl.batch.naming`),
take the output folder's lock and remove the temporary files a killed run left
(:mod:`~cpxl.batch.cleanup`), decide for every input whose workbook exists
(skip it, replace it, or fail it), build the rest (:mod:`~cpxl.batch.executors`,
:mod:`~cpxl.batch.worker`) and report (:mod:`~cpxl.batch.result`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..audit.schema import MAX_ROWS
from ..core.errors import CPError
from .cleanup import folder_lock, remove_abandoned
from .executors import EXECUTORS, run
from .inputs import read_inputs
from .naming import safe_name, unique_names
from .result import BatchResult, Failure
from .worker import Task

__all__ = ["build_many"]

_EXISTS = "exists already: replace it with --force (force=True), or keep it with --skip-existing"


def build_many(
    inputs: Any,
    out_dir: str | Path,
    *,
    lang: str = "en",
    rows: int = 0,
    jobs: int = 1,
    skip_existing: bool = False,
    force: bool = False,
    executor: str = "local",
    scheduler: Any = None,
    name_column: str | None = None,
    progress: bool | Callable[[int, int], Any] | None = None,
) -> BatchResult:
    """Build one audit workbook per input into *out_dir*; a bad input is reported and does not stop the others.

    Every workbook is written atomically (it appears whole or not at all), and
    an existing one is never replaced unless *force*. Temporary files that a
    killed run left beside this run's outputs are removed first.

    Parameters
    ----------
    inputs : str, Path or pandas.DataFrame
        A folder of audit files (.yaml, .yml, .json), a table (.csv, .xlsx) with
        one row per enterprise and field paths as columns, or such a DataFrame
        (see :mod:`cpxl.batch.inputs` and :mod:`cpxl.audit.rows`) [-]
    out_dir : str or Path
        The folder to write into; made when missing [-]
    lang : str
        Language of the labels, ``"en"`` or ``"zh"`` [-]
    rows : int
        Least number of rows of every list table (as ``cpxl build --rows``) [-]
    jobs : int
        Worker processes (1: in this process) [-]
    skip_existing : bool
        Keep a workbook that exists and count it as skipped (to resume a run) [-]
    force : bool
        Replace a workbook that exists; without either flag an existing workbook fails its input [-]
    executor : str
        ``"local"`` (this machine) or ``"dask"`` (a dask.distributed cluster) [-]
    scheduler : str or distributed.Client, optional
        For ``"dask"``: the scheduler's address or a client; without one, a
        LocalCluster of *jobs* workers is started for the run [-]
    name_column : str, optional
        The table column whose cells name the workbooks (default ``fields.company``) [-]
    progress : bool or callable, optional
        True: a progress bar (tqdm's, which also shows in Jupyter, when tqdm
        is installed; else click's, on stderr); a callable is called as
        ``progress(done, total)``, first with ``done = 0``, then after every
        input [-]

    Returns
    -------
    result : BatchResult
        Every input's workbook and status, and every problem of those that failed [-]

    Raises
    ------
    AuditError
        The table as a whole cannot be read (its header, size or encoding), or the folder holds no audit file.
    CPError
        An argument is wrong (both *force* and *skip_existing*, an unknown executor, ...).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "plants.csv").write_text(
    ...     "fields.company,fields.tax_rate\\nAcme,0.25\\nBeta,abc\\nAcme,0.15\\n", encoding="utf-8")
    >>> result = build_many(folder / "plants.csv", folder / "out")
    >>> result
    BatchResult(built 2, skipped 0, failed 1)
    >>> [p.name for p in result.built], [str(f) for f in result.failures]
    (['Acme.xlsx', 'Acme-2.xlsx'], ["plants.csv row 3, fields.tax_rate: must be a number, got 'abc'"])
    >>> build_many(folder / "plants.csv", folder / "out", skip_existing=True)
    BatchResult(built 0, skipped 2, failed 1)
    """
    _check_options(lang, rows, jobs, skip_existing, force, executor, scheduler)
    items = read_inputs(inputs, name_column=name_column)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CPError("batch", str(out), "is a file: the output must be a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CPError("batch", str(out), f"cannot be made ({exc.strerror})") from None
    outputs = [out / f"{name}.xlsx" for name in unique_names(safe_name(item.name) for item in items)]
    for output in outputs:  # the names have no separator; this guards the guarantee
        if output.parent != out or output.name.startswith("."):
            raise CPError("batch", "name", "would be written outside the output folder", output.name)

    statuses = ["failed"] * len(items)
    failures: dict[int, list[Failure]] = {}
    tick = _progress(progress, len(items))
    started = time.time()
    with folder_lock(out) as alone:
        if alone:
            remove_abandoned(out, [o.stem for o in outputs], before=started)
        tasks = []
        for index, (item, output) in enumerate(zip(items, outputs, strict=True)):
            if os.path.lexists(output):
                if skip_existing:
                    statuses[index] = "skipped"
                    tick(1)
                    continue
                if not force:
                    failures[index] = [Failure(item.label, "", f"{output} {_EXISTS}")]
                    tick(1)
                    continue
            tasks.append(Task(index, item, output, lang, rows, overwrite=force))
        try:
            for outcome in run(tasks, executor=executor, jobs=jobs, scheduler=scheduler):
                statuses[outcome.index] = outcome.status
                label = items[outcome.index].label
                if outcome.problems:
                    failures[outcome.index] = [Failure(label, where, message) for where, message in outcome.problems]
                tick(1)
        finally:
            tick(0, close=True)
    return BatchResult(
        inputs=[item.label for item in items],
        outputs=outputs,
        statuses=statuses,
        failures=[f for index in sorted(failures) for f in failures[index]],
    )


def _check_options(
    lang: str, rows: int, jobs: int, skip_existing: bool, force: bool, executor: str, scheduler: Any
) -> None:
    if lang not in ("en", "zh"):
        raise CPError("batch", "lang", "must be 'en' or 'zh'", lang)
    if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
        raise CPError("batch", "rows", f"must be a whole number from 0 to {MAX_ROWS}", rows)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise CPError("batch", "jobs", "must be a whole number >= 1", jobs)
    if skip_existing and force:
        raise CPError(
            "batch", "force", "and skip_existing exclude each other: replace existing workbooks, or keep them"
        )
    if executor not in EXECUTORS:
        raise CPError("batch", "executor", f"must be one of {', '.join(EXECUTORS)}", executor)
    if scheduler is not None and executor != "dask":
        raise CPError("batch", "scheduler", "is for the dask executor (executor='dask')")


class _Ticker:
    """Count the inputs finished and pass the count on to a progress display; close it at the end."""

    def __init__(self, show: Callable[[int, int], Any] | None, total: int, close: Callable[[], Any] | None = None):
        self.show, self.total, self.closer, self.done = show, total, close, 0
        if show is not None:
            show(0, total)

    def __call__(self, count: int, *, close: bool = False) -> None:
        self.done += count
        if count and self.show is not None:
            self.show(self.done, self.total)
        if close and self.closer is not None:
            self.closer()


def _progress(progress: bool | Callable[[int, int], Any] | None, total: int) -> _Ticker:
    if progress is None or progress is False:
        return _Ticker(None, total)
    if callable(progress):
        return _Ticker(progress, total)
    try:
        from tqdm.auto import tqdm
    except ImportError:
        import sys

        import click

        click_bar = click.progressbar(length=total, label="building", file=sys.stderr)
        click_bar.__enter__()
        return _Ticker(lambda done, _: click_bar.update(done - click_bar.pos), total, click_bar.render_finish)
    bar = tqdm(total=total, unit="workbook", desc="building")
    return _Ticker(lambda done, _: bar.update(done - bar.n), total, bar.close)
