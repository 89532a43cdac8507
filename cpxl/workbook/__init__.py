"""Audit workbooks: build an audit into .xlsx with native formulas, read a filled workbook back, check it."""

from .build import build
from .read import read

__all__ = ["build", "read"]
