"""Turning what users pass (numbers, lists, arrays, pandas objects, cell ranges) into checked floats.

Every public function of :mod:`cpxl.core` reads its arguments through these helpers, so that a blank is a
blank everywhere (``None``, ``""``, NaN, ``pandas.NA``), positions in messages are counted the same way
everywhere (1-based, in reading order), and no function does its own ad-hoc parsing.
"""

from __future__ import annotations

import decimal
import functools
import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .errors import CPError

__all__ = [
    "MAX_CELLS",
    "SMALL",
    "as_flags",
    "as_floats",
    "as_labels",
    "check",
    "is_blank",
    "numpy_sum",
    "position",
    "public",
    "scalar",
    "small_floats",
    "total",
]

#: The most values one argument may hold: an Excel column (1,048,576 rows) several times over.
MAX_CELLS = 10_000_000

# Types whose every value numpy converts to float exactly as float() would (None becomes NaN): read at C speed.
_PLAIN = {float, int, type(None), np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8}
_PLAIN |= {np.uint64, np.uint32, np.uint16, np.uint8}

_FLOAT = {float}
_NUMBER_OR_NONE = {float, int, type(None)}

#: The most values an argument may hold to be read as a Python list (:func:`small_floats`) instead of an array:
#: below it, numpy's fixed cost per call is larger than the work.
SMALL = 64


def small_floats(x: Any) -> list[float] | None:
    """The common case of an argument read without numpy: its values as Python floats, blanks as NaN; or None.

    The common case is a number, None, or a list, tuple, list of rows or numpy array of at most :data:`SMALL`
    entries, every one a ``float``, an ``int`` (not a ``bool``) or a blank (None, NaN, empty text) and none
    infinite or beyond the float range. For anything else the answer is None and :func:`as_floats` decides,
    refusals included: so that reading a value this way or the general way can only differ in speed.

    Examples
    --------
    >>> small_floats([[100.0], [None], [90]])
    [100.0, nan, 90.0]
    >>> small_floats([1.0, True]) is None, small_floats(float("inf")) is None
    (True, True)
    """
    kind = type(x)
    if kind is float:
        return [x] if x - x == 0 or x != x else None
    if kind is int:
        try:
            return [float(x)]
        except OverflowError:
            return None
    if x is None:
        return [math.nan]
    if kind is list or kind is tuple:
        items = x
        if items and (type(items[0]) is list or type(items[0]) is tuple):  # rows of cells
            width = len(items[0])
            if len(items) * width > SMALL:
                return None
            flat = []
            for row in items:
                if (type(row) is not list and type(row) is not tuple) or len(row) != width:
                    return None  # ragged or mixed: refused by the general reader
                flat.extend(row)
            items = flat
        elif len(items) > SMALL:
            return None
    elif kind is np.ndarray:
        if x.size > SMALL or x.dtype.kind not in "fiuO":
            return None
        items = x.ravel().tolist()
    else:
        return None
    kinds = set(map(type, items))
    if kinds <= _NUMBER_OR_NONE:  # the usual range: numbers and empty cells, converted at C speed
        try:
            out = [math.nan if v is None else float(v) for v in items] if kinds != _FLOAT else list(items)
        except OverflowError:  # an int beyond the float range
            return None
        finite = sum(out)  # NaN or infinite if any value is (or, rarely, if the sum overflows)
        if finite - finite == 0 or (math.inf not in out and -math.inf not in out):
            return out
        return None
    out = []
    for v in items:
        kind = type(v)
        if kind is float:
            if v - v != 0 and v == v:  # an infinity
                return None
        elif kind is int:
            try:
                v = float(v)
            except OverflowError:
                return None
        elif v is None or (kind is str and not v.strip()):
            v = math.nan
        else:
            return None
        out.append(v)
    return out


def numpy_sum(values: list[float]) -> float:
    """The sum of a list of at most 128 floats, added in the order numpy's ``sum`` adds them, to the last bit.

    numpy sums an array pairwise: below 8 values one after another, up to 128 values in eight running
    sums combined as a tree, then the rest one after another. Summing the same way keeps a result read
    through :func:`small_floats` identical to the one read through an array.

    Examples
    --------
    >>> numpy_sum([0.1] * 10) == float(np.full(10, 0.1).sum()) != sum([0.1] * 10)
    True
    """
    n = len(values)
    if n < 8:
        result = 0.0
        for v in values:
            result += v
        return result
    r0, r1, r2, r3, r4, r5, r6, r7 = values[:8]
    end = n - n % 8
    for i in range(8, end, 8):
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
    result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for v in values[end:]:
        result += v
    return 0.0 + result  # numpy starts from +0.0: a sum of -0.0 is +0.0


def is_blank(item: Any) -> bool:
    """True for what a spreadsheet shows as an empty cell: None, '', whitespace, NaN, pandas.NA."""
    if item is None:
        return True
    if isinstance(item, str):
        return not item.strip()
    if type(item).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(item, decimal.Decimal):
        return item.is_nan()
    if isinstance(item, numbers.Real) and not isinstance(item, bool):
        try:
            return bool(np.isnan(float(item)))
        except OverflowError:  # an int beyond the float range is a value (refused later), not a blank
            return False
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
        check(x.size <= MAX_CELLS, func, arg, f"has more than {MAX_CELLS:,} values", x.size)
        arr = x.astype(float, copy=False).ravel()
    else:
        values = small_floats(x)
        if values is not None:  # the common case: read, and accepted, without numpy's object arrays
            return np.array(values, dtype=float)
        obj = _objects(x, func, arg)
        arr = None
        if obj.size and set(map(type, obj)) <= _PLAIN:
            try:
                arr = obj.astype(float)
            except (OverflowError, ValueError, TypeError):  # an int beyond the float range: found below
                arr = None
        if arr is None:
            arr = np.empty(obj.size, dtype=float)
            for i, item in enumerate(obj):
                arr[i] = _number(item, func, arg, i, obj.size)
    bad = np.isinf(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CPError(func, position(arg, i, arr.size), "must be finite", arr[i])
    return arr


def _objects(x: Any, func: str, arg: str) -> np.ndarray:
    """*x* as a flat object array in reading order; a ragged or nested-too-deep input is refused."""
    if isinstance(x, str):
        return np.array([x], dtype=object)
    if hasattr(x, "to_numpy"):  # pandas Series/DataFrame, without importing pandas
        try:
            numeric = all(getattr(t, "kind", "O") in "fiu" for t in np.atleast_1d(getattr(x, "dtypes", x.dtype)))
            x = x.to_numpy(dtype=float, na_value=np.nan) if numeric else x.to_numpy(dtype=object)
        except (TypeError, ValueError, AttributeError):
            x = x.to_numpy(dtype=object)
    size = getattr(x, "size", None) if isinstance(x, np.ndarray) else None
    check(size is None or size <= MAX_CELLS, func, arg, f"has more than {MAX_CELLS:,} values", size)
    try:
        obj = np.asarray(x, dtype=object).ravel()
    except (ValueError, TypeError):
        raise CPError(func, arg, "must be a number or a rectangular range of numbers") from None
    check(obj.size <= MAX_CELLS, func, arg, f"has more than {MAX_CELLS:,} values", obj.size)
    return obj


def _number(item: Any, func: str, arg: str, i: int, size: int) -> float:
    """One entry as a float, NaN for a blank; anything else is refused naming its position."""
    if is_blank(item):
        return np.nan
    if isinstance(item, (numbers.Real, decimal.Decimal)) and not isinstance(item, (bool, np.bool_)):
        try:
            value = float(item)
        except (OverflowError, ValueError):
            value = np.inf
        if np.isinf(value):
            raise CPError(func, position(arg, i, size), "is out of range (beyond ±1.8e308)", item)
        return value
    raise CPError(func, position(arg, i, size), "must be a number", item)


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
    if type(x) is float and x - x == 0 and (x >= 0 or not nonnegative):
        return 0.0 + x  # as numpy sums it: -0.0 is +0.0
    values = small_floats(x)
    if values is not None:  # the common case; every refusal is left to the general path below
        present = [v for v in values if v == v]
        if present:
            if not nonnegative or min(present) >= 0:
                value = numpy_sum(present)
                if value - value == 0:
                    return value
        elif empty is not None:
            return float(empty)
    arr = as_floats(x, func, arg)
    present = ~np.isnan(arr)
    if not present.any():
        check(empty is not None, func, arg, "has no values")
        return float(empty)  # type: ignore[arg-type]
    _check_sign(arr, func, arg, nonnegative)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(arr[present].sum())
    check(bool(np.isfinite(value)), func, arg, "sums beyond the float range (±1.8e308)")
    return value


def scalar(x: Any, func: str, arg: str, *, default: float | None = None) -> float:
    """One number from *x* (a number or a one-cell range); a blank takes *default* or is an error.

    Examples
    --------
    >>> scalar([[0.25]], "cash_flow", "tax_rate")
    0.25
    >>> scalar(None, "cash_flow", "tax_rate", default=0.0)
    0.0
    """
    if type(x) is float and x - x == 0:
        return x
    values = small_floats(x)
    if values is not None and len(values) <= 1:  # the common case; refusals are left to the general path
        if values and values[0] == values[0]:
            return values[0]
        if default is not None:
            return float(default)
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
    obj = _objects(x, func, arg)
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
        elif isinstance(item, (numbers.Real, decimal.Decimal)) and item in (0, 1):
            out[i] = float(item) == 1.0
        elif isinstance(item, str) and item.strip().lower() in _TRUE | _FALSE:
            out[i] = item.strip().lower() in _TRUE
        else:
            raise CPError(func, position(arg, i, size), "must be TRUE or FALSE", item)
    return out


def as_labels(x: Any, func: str, arg: str, size: int) -> list[str | None]:
    """Group labels, one per row, as text (numbers become their text); blank is None."""
    obj = _objects(x, func, arg)
    check(obj.size == size, func, arg, f"must have one entry per row ({size})", obj.size)
    labels: list[str | None] = []
    for item in obj:
        if is_blank(item):
            labels.append(None)
        elif isinstance(item, numbers.Integral) or (
            isinstance(item, numbers.Real) and np.isfinite(float(item)) and float(item).is_integer()
        ):
            labels.append(str(int(item)))
        else:
            labels.append(str(item).strip())
    return labels


_F = TypeVar("_F", bound=Callable[..., Any])
_PUBLIC: set[str] = set()

# numpy keeps its floating-point error state in a context variable: setting it to "ignore" and back costs a
# tenth of ``np.errstate``, a cost every call of a public function pays. Where that variable is not found
# (another numpy), np.seterr and back does the same, more slowly.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _ERROR_STATE  # noqa: N812

    with np.errstate(all="ignore"):
        _IGNORE: Any = _ERROR_STATE.get()
except (ImportError, AttributeError):  # pragma: no cover - depends on the numpy installed

    class _SetErr:
        @staticmethod
        def set(_: Any) -> dict[str, str]:
            return np.seterr(all="ignore")

        @staticmethod
        def reset(token: dict[str, str]) -> None:
            np.seterr(**token)

    _ERROR_STATE, _IGNORE = _SetErr(), None  # type: ignore[assignment]


def public(name: str) -> Callable[[_F], _F]:
    """Make *name* a public function whose every outcome keeps the contract: a finite result or a CPError.

    The one place where results are checked: a float result that is not finite (overflow, underflow to a
    division by zero, cancellation to NaN) becomes a :class:`CPError` saying the inputs are out of range;
    any other exception becomes a :class:`CPError` naming the function and its arguments; an error raised
    by another public function called inside is relabelled with this function's name. Arrays may hold NaN
    where a row is blank, never ±inf.
    """

    def wrap(fn: _F) -> _F:
        signature = inspect.signature(fn)
        params = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        names = ", ".join(p.name for p in params)
        _PUBLIC.add(name)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _ERROR_STATE.set(_IGNORE)  # numpy's floating-point warnings off, as np.errstate
            try:
                result = fn(*args, **kwargs)
            except CPError as exc:
                if exc.function == name or exc.function not in _PUBLIC:
                    raise
                raise _relabel(exc, name) from None
            except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError, IndexError) as exc:
                if isinstance(exc, TypeError) and not _binds(signature, args, kwargs):
                    raise  # a wrong call is a programming error: its TypeError stays
                reason = " ".join(str(exc).split())[:80]
                raise CPError(name, names, f"cannot be computed ({type(exc).__name__}: {reason})") from exc
            finally:
                _ERROR_STATE.reset(token)
            if type(result) is float:  # the common result, checked without numpy
                if result - result == 0:
                    return result
                raise CPError(name, names, _OUT_OF_RANGE)
            if type(result) is np.ndarray and result.dtype.kind == "f" and result.ndim > 0 and result.size <= SMALL:
                values = result.tolist() if result.ndim == 1 else result.ravel().tolist()
                if math.inf not in values and -math.inf not in values:  # NaN allowed (a blank row), never ±inf
                    return result
                raise CPError(name, names, _OUT_OF_RANGE)
            _check_result(result, name, names)
            return result

        return wrapper  # type: ignore[return-value]

    return wrap


def _binds(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a call with *args* and *kwargs* matches *signature* (asked only once a TypeError happened)."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


_OUT_OF_RANGE = (
    "give a result beyond the float range (an overflow, or a division by a number too close to 0): "
    "the inputs are out of range"
)


def _relabel(exc: CPError, name: str) -> CPError:
    return (
        CPError(name, exc.argument, exc.problem, exc.value)
        if exc.has_value
        else CPError(name, exc.argument, exc.problem)
    )


def _check_result(result: Any, name: str, names: str) -> None:
    values = result
    rich = isinstance(result, dict)
    if rich:  # the rich results: their numeric fields, NaN where a field is not defined
        values = [v for v in result.values() if not isinstance(v, (str, bool, list, tuple))]
    elif hasattr(result, "to_numpy"):
        values = result.to_numpy()
    for v in values if isinstance(values, list) else [values]:
        if isinstance(v, np.ndarray) and v.dtype.kind != "f":
            continue
        if isinstance(v, (float, np.floating, np.ndarray)):
            arr = np.asarray(v, dtype=float)
            bad = np.isinf(arr).any() or (arr.ndim == 0 and not rich and np.isnan(arr))
            check(not bad, name, names, _OUT_OF_RANGE)
