"""Building one workbook of a batch: the one function the workers run, in this process, a pool or a dask cluster.

:func:`build_one` takes a :class:`Task` (the input, the output path and the
options) and returns an :class:`Outcome`, never raising: whatever goes wrong
with one input is reported as problems with their place, so that it does not
stop the others. The workbook is written by :func:`cpxl.workbook.build`,
hence atomically (:func:`cpxl.io.atomic_write`). Both classes are plain
picklable data, and the function is importable by name, as process pools and
dask workers need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import AuditError
from ..audit.rows import RowError
from ..audit.schema import TABLES
from ..core.errors import CPError
from .inputs import Input

__all__ = ["Outcome", "Task", "build_one"]


@dataclass(frozen=True)
class Task:
    """What one worker builds: *item* into *output*, in *lang*, with *rows*, replacing it when *overwrite*."""

    index: int
    item: Input
    output: Path
    lang: str = "en"
    rows: int = 0
    overwrite: bool = False


@dataclass
class Outcome:
    """What became of one task: ``status`` is ``built`` or ``failed``; ``problems`` lists ``(where, message)``."""

    index: int
    status: str
    problems: list[tuple[str, str]] = field(default_factory=list)


def build_one(task: Task) -> Outcome:
    """Read the task's audit and build its workbook; report any problem instead of raising.

    Parameters
    ----------
    task : Task
        The input, where to write and how [-]

    Returns
    -------
    outcome : Outcome
        ``built``, or ``failed`` with every problem and its place [-]

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cpxl.batch.inputs import Input
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> item = Input("plants.csv row 2", "Acme", cells=(("fields.tax_rate", "abc"),), row=2, source="plants.csv")
    >>> build_one(Task(0, item, folder / "Acme.xlsx"))
    Outcome(index=0, status='failed', problems=[('fields.tax_rate', "must be a number, got 'abc'")])
    >>> build_one(Task(0, Input("row 3", "Beta", row=3), folder / "Beta.xlsx")).status
    'built'
    """
    from ..workbook import build

    try:
        audit = task.item.audit()
        build(audit, task.output, task.lang, rows=task.rows, overwrite=task.overwrite)
    except RowError as exc:
        return Outcome(task.index, "failed", exc.items)
    except AuditError as exc:
        return Outcome(task.index, "failed", [split_problem(p) for p in exc.problems])
    except CPError as exc:
        return Outcome(task.index, "failed", [("", exc.detail)])
    except Exception as exc:  # one input's unexpected failure must not stop the batch
        return Outcome(task.index, "failed", [("", f"unexpected error {type(exc).__name__}: {exc}")])
    return Outcome(task.index, "built")


_PLACE = re.compile(
    r"(?P<where>line \d+(?:, column \d+)?|byte offset \d+ \(line \d+\)|schema_version"
    r"|(?:fields|weights|tables|" + "|".join(TABLES) + r")(?:\.\w+|\[\d+\])*)(?::\s+|\s+)(?P<message>.+)",
    re.S,
)


def split_problem(problem: str) -> tuple[str, str]:
    """A problem of an audit split into its place (a field path or a line) and its message.

    Examples
    --------
    >>> split_problem("streams[3].measured must be >= 0, got -5")
    ('streams[3].measured', 'must be >= 0, got -5')
    >>> split_problem("line 7: the key 'company' appears twice (first on line 3)")
    ('line 7', "the key 'company' appears twice (first on line 3)")
    >>> split_problem("is a folder, not a file")
    ('', 'is a folder, not a file')
    """
    match = _PLACE.fullmatch(problem)
    return (match["where"], match["message"]) if match else ("", problem)
