"""The CP_* worksheet functions: thin adapters from Excel cells to :mod:`cpxl.core` and back.

* :mod:`cpxl.excel.catalog` — the one table of names, argument order and bilingual help;
* :mod:`cpxl.excel.adapters` — cells in, twin called, cells out; errors as short messages;
* :mod:`cpxl.excel.udfs` — the functions for classic xlwings (Windows add-in), ``UDF Modules = cpxl.excel.udfs``;
* :mod:`cpxl.excel.lite` — the ``main.py`` and ``requirements.txt`` for xlwings Lite (Windows, Mac, web);
* :mod:`cpxl.excel.config` — the xlwings user configuration that ``cpxl addin`` writes;
* :mod:`cpxl.excel.commands` — ``cpxl functions``, ``cpxl addin``, ``cpxl lite``.

Importing this package imports nothing heavy; only :mod:`cpxl.excel.udfs` imports xlwings, and it imports
the adapters and the engine (scipy) when a function is first called.
"""
