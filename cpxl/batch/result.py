"""What a batch did: the one place for :class:`BatchResult` and :class:`Failure`, in Python and as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BatchResult", "Failure"]


@dataclass(frozen=True)
class Failure:
    """One problem of an input that was not built: the input, the place in it, and what is wrong.

    ``where`` is a field path or cell (``fields.tax_rate``, ``streams[3].measured``,
    ``line 7``), or empty when the problem is the input as a whole (its output exists).
    """

    input: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.input}, {self.where}: {self.message}" if self.where else f"{self.input}: {self.message}"


@dataclass
class BatchResult:
    """What :func:`cpxl.batch.build_many` did with every input, in input order.

    ``inputs`` names each input, ``outputs`` its workbook, ``statuses`` says
    ``built``, ``skipped`` (its workbook existed and ``skip_existing`` was
    asked) or ``failed``; ``failures`` lists every problem of the failed
    inputs. ``ok`` is true when no input failed.

    Examples
    --------
    >>> result = BatchResult(["a.yaml", "b.yaml"], [Path("out/a.xlsx"), Path("out/b.xlsx")], ["built", "failed"],
    ...                      [Failure("b.yaml", "fields.tax_rate", "must be a number, got 'abc'")])
    >>> result
    BatchResult(built 1, skipped 0, failed 1)
    >>> print(result.failures[0])
    b.yaml, fields.tax_rate: must be a number, got 'abc'
    >>> result.to_frame()[["input", "status", "where"]].values.tolist()
    [['a.yaml', 'built', ''], ['b.yaml', 'failed', 'fields.tax_rate']]
    """

    inputs: list[str]
    outputs: list[Path]
    statuses: list[str]
    failures: list[Failure] = field(default_factory=list)

    @property
    def built(self) -> list[Path]:
        """The workbooks written by this run."""
        return [o for o, s in zip(self.outputs, self.statuses, strict=True) if s == "built"]

    @property
    def skipped(self) -> list[Path]:
        """The workbooks that existed and were kept."""
        return [o for o, s in zip(self.outputs, self.statuses, strict=True) if s == "skipped"]

    @property
    def failed(self) -> list[str]:
        """The inputs that were not built."""
        return [i for i, s in zip(self.inputs, self.statuses, strict=True) if s == "failed"]

    @property
    def ok(self) -> bool:
        """Whether every input has its workbook (built now, or kept)."""
        return "failed" not in self.statuses

    def summary(self) -> str:
        """One line: ``built 3, skipped 0, failed 1``."""
        return f"built {len(self.built)}, skipped {len(self.skipped)}, failed {len(self.failed)}"

    def __repr__(self) -> str:
        return f"BatchResult({self.summary()})"

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per input, or per problem of a failed input.

        Columns: ``input``, ``output``, ``status``, ``where``, ``message``
        (the last two empty unless failed).
        """
        import pandas as pd

        by_input: dict[str, list[Failure]] = {}
        for failure in self.failures:
            by_input.setdefault(failure.input, []).append(failure)
        rows = []
        for name, output, status in zip(self.inputs, self.outputs, self.statuses, strict=True):
            problems = by_input.get(name, []) if status == "failed" else []
            for failure in problems or [Failure(name, "", "")]:
                rows.append(
                    {
                        "input": name,
                        "output": str(output),
                        "status": status,
                        "where": failure.where,
                        "message": failure.message,
                    }
                )
        return pd.DataFrame(rows, columns=["input", "output", "status", "where", "message"])
