"""Turning what users pass (numbers, lists, arrays, pandas objects, cell ranges) into checked floats.

Every public function of :mod:`cpxl.core` reads its arguments through these helpers, so that a blank is a
blank everywhere (``None``, ``""``, NaN, ``pandas.NA``), positions in messages are counted the same way
everywhere (1-based, in reading order), and no function does its own ad-hoc parsing.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .errors import CPError

__all__ = [
    "as_flags",
    "as_floats",
    "as_labels",
    "check",
    "is_blank",
    "position",
    "scalar",
    "total",
]


def is_blank(item: Any) -> bool:
    """True for what a spreadsheet shows as an empty cell: None, '', whitespace, NaN, pandas.NA."""
    if item is None:
        return True
    if isinstance(item, str):
        return not item.strip()
    if type(item).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(item, numbers.Real) and not isinstance(item, bool):
        return bool(np.isnan(float(item)))
    return False


def position(arg: str, index: int, size: int) -> str:
    """How messages name entry *index* (0-based) of an argument with *size* entries: ``arg[3]``, or ``arg``.

    Examples
    --------
    >>> position("yields", 2, 6), position("product", 0, 1)
    ('yields[3]', 'product')
    """
    return arg if size == 1 else f"{arg}[{index + 1}]"


def as_floats(x: Any, func: str, arg: str) -> np.ndarray:
    """Flatten *x* to a 1-D float array in reading order, blanks as NaN.

    Numbers, sequences, numpy arrays of any shape, pandas Series and DataFrames
    are accepted. Text, booleans and infinities are rejected with a
    :class:`CPError` naming the position.

    Examples
    --------
    >>> as_floats([1, None, 2.5], "elf", "raw_materials")
    array([1. , nan, 2.5])
    >>> as_floats([[1, 2], [3, 4]], "pmi", "inputs")
    array([1., 2., 3., 4.])
    >>> as_floats(["a"], "pmi", "inputs")
    Traceback (most recent call last):
    cpxl.core.errors.CPError: pmi: inputs must be a number, got 'a'
    """
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu":
        arr = x.astype(float, copy=False).ravel()
    else:
        if hasattr(x, "to_numpy"):  # pandas Series/DataFrame, without importing pandas
            x = x.to_numpy(dtype=object)
        obj = np.asarray(x, dtype=object).ravel() if not isinstance(x, str) else np.array([x], dtype=object)
        arr = np.empty(obj.size, dtype=float)
        for i, item in enumerate(obj):
            if is_blank(item):
                arr[i] = np.nan
            elif isinstance(item, numbers.Real) and not isinstance(item, (bool, np.bool_)):
                arr[i] = float(item)
            else:
                raise CPError(func, position(arg, i, obj.size), "must be a number", item)
    bad = np.isinf(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CPError(func, position(arg, i, arr.size), "must be finite", arr[i])
    return arr


def check(ok: bool, func: str, arg: str, problem: str, value: Any = CPError._NO_VALUE) -> None:
    """Raise ``CPError(func, arg, problem, value)`` unless *ok*."""
    if not ok:
        raise CPError(func, arg, problem, value)


def _check_sign(arr: np.ndarray, func: str, arg: str, nonnegative: bool) -> None:
    if nonnegative:
        neg = arr < 0  # NaN compares False
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise CPError(func, position(arg, i, arr.size), "must be >= 0", arr[i])


def total(x: Any, func: str, arg: str, *, nonnegative: bool = True, empty: float | None = None) -> float:
    """Sum of *x* with blanks ignored; at least one value is required unless *empty* gives the sum of none.

    Examples
    --------
    >>> total([100, None, 90, float("nan")], "elf", "raw_materials")
    190.0
    >>> total([None], "elf", "raw_materials")
    Traceback (most recent call last):
    cpxl.core.errors.CPError: elf: raw_materials has no values
    """
    arr = as_floats(x, func, arg)
    present = ~np.isnan(arr)
    if not present.any():
        check(empty is not None, func, arg, "has no values")
        return float(empty)  # type: ignore[arg-type]
    _check_sign(arr, func, arg, nonnegative)
    return float(arr[present].sum())


def scalar(x: Any, func: str, arg: str, *, default: float | None = None) -> float:
    """One number from *x* (a number or a one-cell range); a blank takes *default* or is an error.

    Examples
    --------
    >>> scalar([[0.25]], "cash_flow", "tax_rate")
    0.25
    >>> scalar(None, "cash_flow", "tax_rate", default=0.0)
    0.0
    """
    arr = as_floats(x, func, arg)
    check(arr.size <= 1, func, arg, f"must be a single number, got {arr.size} values")
    if arr.size == 0 or np.isnan(arr[0]):
        check(default is not None, func, arg, "is blank")
        return float(default)  # type: ignore[arg-type]
    return float(arr[0])


_TRUE = {"true", "yes", "y", "1", "lower", "是", "低"}
_FALSE = {"false", "no", "n", "0", "higher", "否", "高"}


def as_flags(x: Any, func: str, arg: str, size: int, *, default: bool | None = None) -> np.ndarray:
    """Booleans from TRUE/FALSE, 1/0 or words, one per row; blank takes *default* (or is an error).

    Words: ``true/false``, ``yes/no``, ``1/0``; for direction arguments also
    ``lower/higher`` (and 是/否, 低/高).

    Examples
    --------
    >>> as_flags([True, 0, "yes", None], "grade", "limiting", 4, default=False)
    array([ True, False,  True, False])
    """
    obj = np.asarray(x.to_numpy(dtype=object) if hasattr(x, "to_numpy") else x, dtype=object).ravel()
    if obj.size == 1 and size > 1:
        obj = np.repeat(obj, size)
    check(obj.size == size, func, arg, f"must have one entry per row ({size})", obj.size)
    out = np.empty(size, dtype=bool)
    for i, item in enumerate(obj):
        if is_blank(item):
            check(default is not None, func, position(arg, i, size), "is blank")
            out[i] = bool(default)
        elif isinstance(item, (bool, np.bool_)):
            out[i] = bool(item)
        elif isinstance(item, numbers.Real) and float(item) in (0.0, 1.0):
            out[i] = float(item) == 1.0
        elif isinstance(item, str) and item.strip().lower() in _TRUE | _FALSE:
            out[i] = item.strip().lower() in _TRUE
        else:
            raise CPError(func, position(arg, i, size), "must be TRUE or FALSE", item)
    return out


def as_labels(x: Any, func: str, arg: str, size: int) -> list[str | None]:
    """Group labels, one per row, as text (numbers become their text); blank is None."""
    obj = np.asarray(x.to_numpy(dtype=object) if hasattr(x, "to_numpy") else x, dtype=object).ravel()
    check(obj.size == size, func, arg, f"must have one entry per row ({size})", obj.size)
    labels: list[str | None] = []
    for item in obj:
        if is_blank(item):
            labels.append(None)
        elif isinstance(item, numbers.Real) and float(item).is_integer():
            labels.append(str(int(item)))
        else:
            labels.append(str(item).strip())
    return labels
