"""Many audits at once: check them, collect them into one table, build them (``cpxl check``, ``collect``, ``batch``)."""

from .check import CheckReport, Finding, check
from .collect import collect

__all__ = ["CheckReport", "Finding", "check", "collect"]
