"""Audit workbooks: build, read back, check."""
