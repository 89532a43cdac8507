"""From an audit to what an auditor hands in: the balance diagram and the report.

* :mod:`cpxl.report.sankey`: the Sankey diagram of the stream table (SVG, PNG or HTML), ``cpxl sankey``.
* :mod:`cpxl.report.document`: the audit report as a Word document, ``cpxl report``.
* :mod:`cpxl.report.figures`: the report's figures from an audit (trends, waste Pareto, balance diagram, NPV
  against budget, before/after), as charts (:mod:`cpxl.report.charts`) or PNG.
* :mod:`cpxl.report.svg`: what the pictures share: SVG by the standard library, PNG by LibreOffice Draw.

This package imports nothing on its own, so that ``import cpxl.report`` is instant; each submodule imports what
it draws or writes with. Import the functions from their modules::

    from cpxl.report.sankey import sankey
    from cpxl.report.document import report
    from cpxl.report.figures import pictures
"""

from __future__ import annotations
