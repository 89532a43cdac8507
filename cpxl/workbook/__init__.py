"""Audit workbooks: build an audit into .xlsx with native formulas, read a filled workbook back, check it."""

from .build import build

__all__ = ["build"]
