"""From worksheet cells to the Python twins and back: the one place where ``CP_*`` arguments are adapted.

Both runtimes call :func:`evaluate` with the arguments as xlwings delivers them (ranges as 2-D arrays,
blanks as NaN or None, single values as typed) and differ only in how a failure reaches the cell:

* classic xlwings (Windows add-in) shows whatever the function returns, and the *traceback* of anything it
  raises; :func:`classic_call` therefore returns the short message as the cell's text;
* xlwings Lite shows ``#VALUE!`` with the exception's message as the tooltip; :func:`lite_call` raises a
  :class:`WorksheetError` whose message is the same short text.

An Excel error value in a cell (``#DIV/0!``, ``#N/A``) is never a blank: both runtimes declare every argument
with ``err_to_str=True``, so that xlwings delivers the error as its text instead of None, and
:func:`evaluate` refuses it by position (``CP_ELF: raw_materials[2] is the Excel error #DIV/0!``) before
any twin sees it, as Excel's own ``=SUM`` shows the error.

No formula lives here: each function hands its arguments to its twin, picks the part of a rich result that
the worksheet asks for, and lays spilling results out as rows or columns. A value the engine leaves
undefined (NaN: an unobservable flow, a z-score that does not exist, a blank row's score) becomes an empty
cell, never a number.

This module imports numpy and :mod:`cpxl.core` only, so that it runs under Pyodide.
"""

from __future__ import annotations

import itertools
import logging
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import core
from ..core.errors import CPError
from ..core.inputs import SMALL, is_blank, position, scalar
from ..core.reconcile import STATUSES, balance_test, reconcile
from .catalog import CATALOG

__all__ = ["EXCEL_ERRORS", "RECONCILE_OUTPUTS", "WorksheetError", "classic_call", "evaluate", "lite_call"]

logger = logging.getLogger(__name__)

#: The values the ``output`` argument of ``CP_RECONCILE`` accepts (the first is the default).
RECONCILE_OUTPUTS = ("value", "sigma", "z", "status")
#: ... and those of ``CP_RECONCILE_COMPONENTS``: per stream, then per stream and component.
COMPONENT_OUTPUTS = (*RECONCILE_OUTPUTS, "fraction", "component_flow")

#: The error values of Excel cells, as xlwings delivers them for an argument declared with ``err_to_str=True``
#: (classic: ``xlwings._xlwindows.cell_errors``; Lite: the ``basicValue`` of an Office.js error).
EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#DATA!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)

_MESSAGE_LIMIT = 255  # keep a cell's message as short as Excel's own help texts


class WorksheetError(ValueError):
    """A ``CP_*`` function refused its input; the message is what the cell shows.

    Parameters
    ----------
    function : str
        Worksheet function name, e.g. ``"CP_ELF"``.
    detail : str
        What is wrong, e.g. ``"product must be > 0, got 0"``.

    Examples
    --------
    >>> str(WorksheetError("CP_ELF", "product must be > 0, got 0"))
    'CP_ELF: product must be > 0, got 0'
    """

    def __init__(self, function: str, detail: str):
        self.function = function
        self.detail = detail
        text = f"{function}: {detail}"
        if len(text) > _MESSAGE_LIMIT:
            text = text[: _MESSAGE_LIMIT - 3] + "..."
        super().__init__(text)


# ---------------------------------------------------------------------------------------------- arguments
def _single(value: Any) -> Any:
    """A single value typed into or referenced by an argument such as ``formula`` or ``output``.

    A one-cell range arrives as ``[[x]]`` or ``[x]`` in some runtimes; anything larger is passed on as it
    is, for the twin to refuse with its own message.
    """
    if isinstance(value, np.ndarray):
        return value.reshape(-1)[0] if value.size == 1 else value
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return _single(value[0])
    return value


def _selector(value: Any, func: str, choices: tuple[str, ...]) -> str:
    """The lower-case choice named by *value*; blank is the first choice."""
    value = _single(value)
    if is_blank(value):
        return choices[0]
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        shown = ", ".join(f'"{c}"' for c in choices[:-1]) + f' or "{choices[-1]}"'
        raise CPError(func, "output", f"must be {shown}", value)
    return text


_PLAIN_TYPES = (float, int, bool, type(None))  # cells that cannot be an error: checked without a Python loop
_type_of = np.frompyfunc(type, 1, 1)


def _cells(value: Any) -> tuple[list[tuple[int, Any]], int]:
    """The cells of an argument that may hold an error, each with its reading-order index; and the cell count.

    A range's rows come one after another; a single value is one cell. A numeric array holds no error text;
    in an object array only the cells that are not plain numbers, booleans or blanks are looked at, without a
    Python loop over a full column.
    """
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        if value.dtype != object or flat.size == 0:
            return [], flat.size
        types = _type_of(flat)
        plain = np.zeros(flat.size, dtype=bool)
        for kind in _PLAIN_TYPES:
            plain |= types == kind
        index = np.flatnonzero(~plain).tolist()
        return list(zip(index, flat[index].tolist(), strict=True)), flat.size
    if isinstance(value, (list, tuple)):
        cells = list(_flatten(value))
        return [(i, c) for i, c in enumerate(cells) if not isinstance(c, _PLAIN_TYPES)], len(cells)
    return ([] if isinstance(value, _PLAIN_TYPES) else [(0, value)]), 1


def _flatten(value: Any) -> Any:
    for item in value:
        if isinstance(item, (list, tuple, np.ndarray)):
            yield from _flatten(item)
        else:
            yield item


def _is_error(cell: Any) -> bool:
    if isinstance(cell, dict):  # an Office.js error that reached us unconverted
        return cell.get("type") == "Error"
    return isinstance(cell, str) and cell in EXCEL_ERRORS


def _refuse_excel_errors(name: str, args: tuple[Any, ...]) -> None:
    """Raise for the first cell that holds an Excel error, naming its argument and position."""
    for argument, value in zip(CATALOG[name]["args"], args, strict=False):
        kind = type(value)
        if kind is float or kind is int or value is None:  # a single number or blank: no error to look for
            continue
        if kind is np.ndarray:
            if value.dtype.kind != "O":  # a numeric (or text) array: as _cells, nothing to look at
                continue
            if value.size <= SMALL:
                value, kind = value.ravel().tolist(), list
        if (kind is list or kind is tuple) and len(value) <= SMALL:
            kinds = set(map(type, value))
            if kinds <= _PLAIN_CELLS:  # numbers, booleans and blanks only: nothing to look at (at C speed)
                continue
            cells = _few_cells(value) if list in kinds or tuple in kinds else value
            if cells is not None:
                _refuse_few(name, argument, cells)
                continue
        _refuse_errors_in(name, argument, *_cells(value))


def _refuse_few(name: str, argument: str, cells: Any) -> None:
    """Raise for the first error among a few cells in reading order (one plain loop over the others)."""
    candidates = []
    for i, c in enumerate(cells):
        if type(c) in _PLAIN_CELLS:
            continue
        if isinstance(c, (list, tuple, np.ndarray)):  # nested deeper: the general look
            _refuse_errors_in(name, argument, *_cells(cells))
            return
        if isinstance(c, (str, dict)):
            candidates.append((i, c))
    _refuse_errors_in(name, argument, candidates, len(cells))


_PLAIN_CELLS = frozenset(_PLAIN_TYPES)


def _few_cells(value: list[Any] | tuple[Any, ...]) -> list[Any] | None:
    """The cells of a short list of rows, rows one after another; None when they are too many."""
    cells: list[Any] = []
    for row in value:
        if type(row) is list or type(row) is tuple:
            cells.extend(row)
        else:
            cells.append(row)
    return cells if len(cells) <= SMALL else None


def _flat(value: Any) -> Any:
    """A small object range, or list of rows of one length, as the flat list of its cells in reading order.

    A single cell is its value. Anything else is returned as it is. The cells are read once, here, for the
    error scan and the twin (which reads a one-cell range and its value alike).
    """
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind != "O" or value.size > SMALL:
            return value
        cells = value.ravel().tolist()
    elif (
        (kind is list or kind is tuple)
        and value
        and len(value) <= SMALL
        and set(map(type, value)) <= _ROWS
        and len(set(map(len, value))) == 1  # rectangular, as numpy reads it
        and len(value) * len(value[0]) <= SMALL
    ):
        cells = list(itertools.chain.from_iterable(value))
    else:
        return value
    return cells[0] if len(cells) == 1 else cells


_ROWS = frozenset({list, tuple})


def _refuse_errors_in(name: str, argument: str, candidates: list[tuple[int, Any]], size: int) -> None:
    for i, cell in candidates:
        if _is_error(cell):
            shown = cell.get("basicValue", "value") if isinstance(cell, dict) else cell
            raise WorksheetError(name, f"{position(argument, i, size)} is the Excel error {shown}")


# ---------------------------------------------------------------------------------------------- results
def _cell(value: Any) -> Any:
    """One result as a cell takes it: Python numbers, booleans and text; NaN as an empty cell."""
    if type(value) is float:  # the common result
        return "" if value != value else value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return "" if math.isnan(value) else value
    return value


def _column(values: Any) -> list[list[Any]]:
    return [[_cell(v)] for v in np.asarray(values, dtype=object).ravel()]


def _row(values: Any) -> list[list[Any]]:
    return [[_cell(v) for v in np.asarray(values, dtype=object).ravel()]]


# ---------------------------------------------------------------------------------------------- adapters
#: The adapters whose twins read every range in reading order only (no shape): :func:`evaluate` hands them
#: small ranges as flat lists of cells, read once.
_FLAT: set[Callable[..., Any]] = set()


def _plain(twin: Callable[..., Any], singles: tuple[int, ...] = ()) -> Callable[..., Any]:
    """Call *twin* with the worksheet arguments in order; arguments at *singles* are single values."""

    def adapter(*args: Any) -> Any:
        if singles:
            args = tuple(_single(a) if i in singles else a for i, a in enumerate(args))
        return _cell(twin(*args))

    _FLAT.add(adapter)
    return adapter


def _stream_rows(source: Any, target: Any, measured: Any, sigma: Any) -> tuple[np.ndarray, list[Any]]:
    """The rows of a stream table that hold a stream: a row blank in every column is a spare row of the range.

    Returns the mask of stream rows and the four columns cut to them (sigma None when not given).
    """
    columns = [np.asarray(c, dtype=object).ravel() for c in (source, target, measured)]
    if sigma is not None:
        columns.append(np.asarray(sigma, dtype=object).ravel())
    sizes = {c.size for c in columns}
    if len(sizes) != 1:  # let the twin name the argument whose length differs
        return np.ones(columns[0].size, dtype=bool), [source, target, measured, sigma]
    keep = ~np.array([all(is_blank(c[i]) for c in columns) for i in range(columns[0].size)], dtype=bool)
    cut = [c[keep] for c in columns]
    return keep, [*cut[:3], cut[3] if sigma is not None else None]


def _spread(keep: np.ndarray, values: Any) -> list[Any]:
    """Values of the stream rows put back in their places; spare rows stay empty."""
    out: list[Any] = [""] * keep.size
    for i, value in zip(np.flatnonzero(keep), values, strict=True):
        out[i] = value
    return out


def _reconcile(source: Any, target: Any, measured: Any, sigma: Any = None, output: Any = None) -> list[list[Any]]:
    field = _selector(output, "reconcile", RECONCILE_OUTPUTS)
    keep, columns = _stream_rows(source, target, measured, sigma)
    result = reconcile(*columns)
    values = result[field]
    if field == "status":  # the labels of STATUSES, whichever form the result holds them in
        values = [s if isinstance(s, str) else STATUSES[int(s)] for s in values]
    return _column(_spread(keep, values))


def _reconcile_components(
    source: Any,
    target: Any,
    flow: Any,
    flow_sigma: Any,
    fraction: Any,
    fraction_sigma: Any,
    output: Any = None,
) -> list[list[Any]]:
    """CP_RECONCILE_COMPONENTS: a row blank in every argument (its fractions too) is a spare row of the ranges."""
    field = _selector(output, "reconcile_components", COMPONENT_OUTPUTS)
    columns = [np.asarray(c, dtype=object).ravel() for c in (source, target, flow, flow_sigma)]
    blocks = [np.asarray(b, dtype=object) for b in (fraction, fraction_sigma)]
    n = columns[0].size
    if any(c.size != n for c in columns) or any(b.ndim != 2 or b.shape[0] != n for b in blocks):
        keep = np.ones(n, dtype=bool)  # the twin names the argument whose size differs
        args: list[Any] = [source, target, flow, flow_sigma, fraction, fraction_sigma]
    else:
        keep = np.array(
            [not all(is_blank(v) for v in (*(c[i] for c in columns), *blocks[0][i], *blocks[1][i])) for i in range(n)],
            dtype=bool,
        )
        args = [c[keep] for c in columns] + [b[keep] for b in blocks]
    result = core.reconcile_components(*args)
    if field in ("fraction", "component_flow"):
        block = np.asarray(result[field], dtype=float)
        rows: list[list[Any]] = [[""] * block.shape[1] for _ in range(keep.size)]
        for i, values in zip(np.flatnonzero(keep), block.tolist(), strict=True):
            rows[i] = [_cell(v) for v in values]
        return rows
    values = result[field]
    if field == "status":  # the labels of STATUSES, whichever form the result holds them in
        values = [s if isinstance(s, str) else STATUSES[int(s)] for s in values]
    return _column(_spread(keep, values))


def _balance_test(source: Any, target: Any, measured: Any, sigma: Any = None, alpha: Any = None) -> list[list[Any]]:
    level = scalar(alpha, "balance_test", "alpha", default=0.05)
    _, columns = _stream_rows(source, target, measured, sigma)
    return _row(balance_test(*columns, alpha=level).to_row())


def _weighted_score(weights: Any, ratings: Any) -> list[list[Any]]:
    return _column(core.weighted_score(weights, ratings))


def _grade(
    values: Any,
    level_1: Any,
    level_2: Any,
    level_3: Any,
    lower_is_better: Any,
    weights: Any,
    groups: Any = None,
    limiting: Any = None,
    output: Any = None,
) -> Any:
    mode = _selector(output, "grade", ("grade", "scores"))
    result = core.grade(values, level_1, level_2, level_3, lower_is_better, weights, groups, limiting, mode)
    return _row(result) if mode == "scores" else _cell(result)


def _per_row(twin: Callable[..., Any]) -> Callable[..., Any]:
    """CP_TCE and CP_CO2: one value per row of the ranges (an empty row empty), or one value for one row."""

    def adapter(amount: Any, carrier: Any, override: Any = None) -> Any:
        values = np.atleast_1d(twin(amount, carrier, override))
        return _cell(float(values[0])) if values.size == 1 else _column(values)

    return adapter


def _portfolio(
    values: Any, costs: Any, budget: Any, exclusive_groups: Any = None, requires: Any = None
) -> list[list[Any]]:
    """CP_PORTFOLIO: 1 or 0 per option; a row blank in every per-option argument is a spare row, left empty.

    A spare row stays in the problem as an option that cannot be done (value and cost 0, not feasible), so that
    the rows named in ``requires`` and in messages are the worksheet's rows.
    """
    given = [a for a in (values, costs, exclusive_groups, requires) if a is not None]
    columns = [np.asarray(a, dtype=object).ravel() for a in given]
    n = columns[0].size
    keep = np.ones(n, dtype=bool)
    if all(c.size == n for c in columns):  # otherwise the twin names the argument whose length differs
        keep = ~np.array([all(is_blank(c[i]) for c in columns) for i in range(n)], dtype=bool)
        values, costs = (np.where(keep, c, 0.0) for c in columns[:2])
    result = core.portfolio(values, costs, budget, exclusive_groups, requires, feasible=keep, details=False)
    return _column(_spread(keep, result.selected[keep].astype(int)))


def _version() -> str:
    from .. import __version__

    return __version__


_ADAPTERS: dict[str, Callable[..., Any]] = {
    "CP_ELF": _plain(core.elf),
    "CP_EFACTOR": _plain(core.efactor),
    "CP_PMI": _plain(core.pmi),
    "CP_RME": _plain(core.rme),
    "CP_MW": _plain(core.mw, singles=(0,)),
    "CP_ATOM_ECONOMY": _plain(core.atom_economy, singles=(0,)),
    "CP_OVERALL_YIELD": _plain(core.overall_yield),
    "CP_REDUCTION": _plain(core.reduction),
    "CP_REUSE_RATE": _plain(core.reuse_rate),
    "CP_BALANCE_CLOSURE": _plain(core.balance_closure),
    "CP_RECONCILE": _reconcile,
    "CP_BALANCE_TEST": _balance_test,
    "CP_CASH_FLOW": _plain(core.cash_flow),
    "CP_NPV": _plain(core.npv),
    "CP_NPVR": _plain(core.npvr),
    "CP_IRR": _plain(core.irr),
    "CP_PAYBACK": _plain(core.payback),
    "CP_WEIGHTED_SCORE": _weighted_score,
    "CP_GRADE": _grade,
    "CP_RECONCILE_COMPONENTS": _reconcile_components,
    "CP_TCE": _per_row(core.tce),
    "CP_CO2": _per_row(core.co2),
    "CP_PORTFOLIO": _portfolio,
    "CP_VERSION": _version,
}

if set(_ADAPTERS) != set(CATALOG):  # pragma: no cover - a programming error, caught on import
    raise RuntimeError(f"cpxl.excel: adapters and catalog differ: {sorted(set(_ADAPTERS) ^ set(CATALOG))}")


# ---------------------------------------------------------------------------------------------- entry points
def evaluate(name: str, *args: Any) -> Any:
    """Compute worksheet function *name* from its cell arguments, as the cell will show it.

    Parameters
    ----------
    name : str
        Worksheet function name, e.g. ``"CP_ELF"``.
    *args
        The worksheet arguments in order, as xlwings delivers them: ranges as 2-D arrays (blanks NaN or
        None), single values as typed, omitted optional arguments as None.

    Returns
    -------
    value : float, int, bool, str or list of list
        A single value, or the rows of a spilling result (NaN shown as an empty cell).

    Raises
    ------
    WorksheetError
        For invalid input (``"CP_ELF: product must be > 0, got 0"``) or an unexpected failure
        (``"CP_ELF: unexpected error (...)"``).

    Examples
    --------
    >>> evaluate("CP_ELF", np.array([[100.0], [90.0], [np.nan], [1000.0]]), np.array([[50.0]]))
    22.8
    >>> evaluate("CP_WEIGHTED_SCORE", [[10, 8, 5]], [[8, 6, 7], [5, 9, 4]])
    [[163.0], [142.0]]
    >>> evaluate("CP_ELF", [[100.0]], [[0.0]])
    Traceback (most recent call last):
    cpxl.excel.adapters.WorksheetError: CP_ELF: product must be > 0, got 0
    >>> evaluate("CP_ELF", np.array([[100.0], ["#DIV/0!"]], dtype=object), 50.0)
    Traceback (most recent call last):
    cpxl.excel.adapters.WorksheetError: CP_ELF: raw_materials[2] is the Excel error #DIV/0!
    """
    try:
        adapter = _ADAPTERS[name]
    except KeyError:
        raise WorksheetError(name, "is not a cpxl worksheet function") from None
    if adapter in _FLAT:  # functions that read their ranges in reading order: small ones as flat lists
        args = tuple(map(_flat, args))
    _refuse_excel_errors(name, args)
    try:
        return adapter(*args)
    except CPError as exc:
        raise WorksheetError(name, exc.detail) from None
    except Exception as exc:  # anything else is a bug: a short message in the cell, the traceback in the log
        logger.exception("%s failed", name)
        raise WorksheetError(name, f"unexpected error ({type(exc).__name__}: {exc})") from exc


def classic_call(name: str, *args: Any) -> Any:
    """Evaluate *name* for classic xlwings: the result, or the short error message as the cell's text.

    Classic xlwings would put the whole Python traceback into the cell for an exception; the message
    is what the user needs.

    Examples
    --------
    >>> classic_call("CP_ELF", [[100.0]], [[0.0]])
    'CP_ELF: product must be > 0, got 0'
    """
    try:
        return evaluate(name, *args)
    except WorksheetError as exc:
        return str(exc)


def lite_call(name: str, *args: Any) -> Any:
    """Evaluate *name* for xlwings Lite: the result, or a :class:`WorksheetError` (``#VALUE!`` + tooltip).

    Examples
    --------
    >>> lite_call("CP_MW", "H2O") == evaluate("CP_MW", [["H2O"]])
    True
    """
    return evaluate(name, *args)
