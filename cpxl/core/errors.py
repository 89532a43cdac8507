"""The one exception type cpxl raises for bad input, and its warning twin."""

from __future__ import annotations

from typing import Any

__all__ = ["CPError", "CPWarning"]


def _show(value: Any) -> str:
    """Render an offending value briefly and on one line, as a user would recognise it.

    A container (list, array, pandas object) is described by its size, never printed; an integer too large
    for a float by its number of digits.

    Examples
    --------
    >>> _show(2.0), _show(10**400), _show([[1, 2], [3, 4]])
    ('2', 'an integer of 401 digits', 'a list of 2 entries')
    """
    try:
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
            return f"an integer of {len(str(abs(value))) if value.bit_length() < 10_000 else 'thousands of'} digits"
        if isinstance(value, (list, tuple, dict, set)) or (hasattr(value, "shape") and getattr(value, "ndim", 0)):
            size = getattr(value, "size", None) if hasattr(value, "shape") else len(value)
            return f"a {type(value).__name__} of {size} entries"
        text = repr(value) if isinstance(value, str) else str(value)
    except Exception:  # a value whose own str fails is still reported, by its type
        text = f"a {type(value).__name__}"
    text = " ".join(text.split()) if not isinstance(value, str) else text
    return text if len(text) <= 60 else text[:57] + "..."


class CPError(ValueError):
    """Invalid input to a cpxl function.

    The message names the function, the argument and, when there is one, the
    offending value: ``"elf: product must be > 0, got 0"``. The parts are kept
    as attributes so that the worksheet layer can re-label the function
    (``CP_ELF: ...``) without parsing text.

    Parameters
    ----------
    function : str
        Name of the public function that rejected the input, e.g. ``"elf"``.
    argument : str
        Name of the argument, as the user typed it, e.g. ``"product"``; may
        carry a position (``"yields[3]"``).
    problem : str
        What is wrong, phrased to follow the argument: ``"must be > 0"``.
    value : object, optional
        The offending value; omitted from the message when not given.

    Examples
    --------
    >>> str(CPError("elf", "product", "must be > 0", 0))
    'elf: product must be > 0, got 0'
    >>> CPError("irr", "cash_flows", "never repay the investment").detail
    'cash_flows never repay the investment'
    """

    _NO_VALUE = object()

    def __init__(self, function: str, argument: str, problem: str, value: Any = _NO_VALUE):
        self.function = function
        self.argument = argument
        self.problem = problem
        self.value = None if value is CPError._NO_VALUE else value
        self.has_value = value is not CPError._NO_VALUE
        super().__init__(" ".join(f"{function}: {self.detail}".splitlines()))

    @property
    def detail(self) -> str:
        """The message without the function name."""
        text = f"{self.argument} {self.problem}" if self.argument else self.problem
        if self.has_value:
            text += f", got {_show(self.value)}"
        return text


class CPWarning(UserWarning):
    """A result that is computed correctly but deserves a second look.

    Example: a negative ELF, which means an input (air, water) is missing from
    the raw materials.
    """
