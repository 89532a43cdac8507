"""The rich result type of cpxl's functions: a dict with attribute access, as ``scipy.optimize.OptimizeResult``.

The one place for it, importing numpy only, so that a module whose result is rich (the reconciliations, the
portfolio) needs nothing heavier to define its result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["_Result"]


class _Result(dict):
    """A dict with attribute access and a readable repr, in the style of ``scipy.optimize.OptimizeResult``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__  # type: ignore[assignment]
    __delattr__ = dict.__delitem__  # type: ignore[assignment]

    def __dir__(self) -> list[str]:
        return list(self.keys())

    def __repr__(self) -> str:
        if not self:
            return self.__class__.__name__ + "()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for key, value in self.items():
            text = (
                repr(value)
                if not isinstance(value, np.ndarray)
                else np.array2string(value, precision=6, threshold=12, edgeitems=3, separator=", ")
            )
            text = text.replace("\n", "\n" + " " * (width + 2))
            lines.append(f"{key.rjust(width)}: {text}")
        return "\n".join(lines)
