"""The audit report and its figures: from a filled workbook to the document an auditor hands in."""
