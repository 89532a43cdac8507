"""Many audits at once: check them, collect them into one table, build them (``cpxl check``, ``collect``, ``batch``)."""

from .build import build_many
from .check import CheckReport, Finding, check
from .collect import collect
from .result import BatchResult, Failure

__all__ = ["BatchResult", "CheckReport", "Failure", "Finding", "build_many", "check", "collect"]
