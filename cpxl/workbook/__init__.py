"""Audit workbooks: build an audit into .xlsx with native formulas, read a filled workbook back, check it."""

from .build import build
from .read import Examined, examine, read

__all__ = ["Examined", "build", "examine", "read"]
