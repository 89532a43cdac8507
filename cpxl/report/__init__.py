"""From an audit to what an auditor hands in: the balance diagram and the report.

* :mod:`cpxl.report.sankey`: the Sankey diagram of the stream table (SVG, PNG or HTML), ``cpxl sankey``.
* :mod:`cpxl.report.document`: the audit report as a Word document, ``cpxl report``.

This package imports nothing on its own, so that ``import cpxl.report`` is instant; each submodule imports what
it draws or writes with. Import the functions from their modules::

    from cpxl.report.sankey import sankey
    from cpxl.report.document import report
"""

from __future__ import annotations
