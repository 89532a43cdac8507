"""Overall yield of a multi-step synthesis, linear or convergent."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .inputs import as_floats, check, position, public, small_floats

__all__ = ["overall_yield"]


@public("overall_yield")
def overall_yield(yields: Any, feeds_into: Any = None) -> float:
    r"""Overall yield of a route: along the whole chain, or along the longest linear sequence.

    Linear route:

    .. math::
        Y = \prod_i y_i

    Convergent route: each step's product feeds a later step (``feeds_into``
    gives, for each step, the 1-based number of the step its product goes to;
    blank for the final step). The overall yield is the product of the yields
    along the longest linear sequence, from a starting step to the final one.
    Where several sequences are equally long, the lowest of their yields is
    reported *(convention: the conservative choice)*.

    Steps are numbered by their position in *yields*; a row whose yield and
    ``feeds_into`` are both blank is an unused row and is skipped. Yields are
    fractions: a percentage such as 90 is refused, never guessed.

    Parameters
    ----------
    yields : array-like of float
        Yield of each step, in (0, 1] [-]
    feeds_into : array-like of int, optional
        For each step, the number of the step its product feeds; blank for the
        final step. Omit for a linear route [-]

    Returns
    -------
    overall_yield : float
        Overall yield, a fraction [-]

    Examples
    --------
    Six steps at 90 % each against three:

    >>> round(overall_yield([0.9] * 6), 4), round(overall_yield([0.9] * 3), 4)
    (0.5314, 0.729)

    Convergent: A→B (step 1) and C→D (step 2) both feed B+D→E (step 3):

    >>> overall_yield([0.5, 0.5, 0.5], feeds_into=[3, 3, None])
    0.25

    References
    ----------
    .. [1] Hendrickson, J. B. "Systematic Synthesis Design. IV. Numerical
       Codification of Construction Reactions." J. Am. Chem. Soc. 97 (1975):
       5784–5800 (convergent synthesis and the longest linear sequence).
    """
    fast = _linear_fast(yields, feeds_into)
    if fast is not None:
        return fast
    y = as_floats(yields, "overall_yield", "yields")
    links = None
    if feeds_into is not None:
        links = as_floats(feeds_into, "overall_yield", "feeds_into")
        if np.isnan(links).all():
            links = None
        else:
            check(
                links.size == y.size,
                "overall_yield",
                "feeds_into",
                f"must have one entry per step ({y.size})",
                links.size,
            )
    present = ~np.isnan(y)
    check(bool(present.any()), "overall_yield", "yields", "has no values")
    outside = np.flatnonzero(present & ~((y > 0) & (y <= 1)))
    for i in outside[:1]:  # the first yield outside (0, 1], found at array speed
        value = y[i]
        hint = f" (give {value:g} % as {value / 100:g})" if 2 <= value <= 100 else ""
        check(0 < value <= 1, "overall_yield", position("yields", i, y.size), f"must lie in (0, 1]{hint}", value)
    overall = float(np.prod(y[present])) if links is None else _convergent(y, links, present)
    # yields in (0, 1] multiply to a positive number: 0 is an underflow, not a result
    check(overall > 0, "overall_yield", "yields", "multiply to less than 1e-308: the route is out of range")
    return overall


def _linear_fast(yields: Any, feeds_into: Any) -> float | None:
    """The overall yield of a short linear route of valid yields, read without numpy; None for anything else.

    Anything this declines (a convergent route, a yield outside (0, 1], a blank route, an underflow, a long
    or unusual argument) is left to the general path, which also gives every refusal.
    """
    y = small_floats(yields)
    if y is None:
        return None
    if feeds_into is not None:
        links = small_floats(feeds_into)
        if links is None or any(v == v for v in links):
            return None
    present = [v for v in y if v == v]
    if not present or not (min(present) > 0 and max(present) <= 1):
        return None
    overall = math.prod(present)  # one after another, as numpy's prod
    return overall if overall > 0 else None


def _convergent(y: np.ndarray, links: np.ndarray, present: np.ndarray) -> float:
    n = y.size
    fed_by: list[list[int]] = [[] for _ in range(n)]
    finals = []
    for i in range(n):
        target = links[i]
        if not present[i]:
            check(
                np.isnan(target),
                "overall_yield",
                position("yields", i, y.size),
                "is blank for a step that feeds another",
            )
            continue
        if np.isnan(target):
            finals.append(i)
            continue
        where = position("feeds_into", i, n)
        check(float(target).is_integer(), "overall_yield", where, "must be a step number", target)
        k = int(target) - 1
        check(0 <= k < n, "overall_yield", where, f"must be a step number from 1 to {n}", target)
        check(k != i, "overall_yield", where, "cannot be the step itself", target)
        check(bool(present[k]), "overall_yield", where, "points to a step with no yield", target)
        fed_by[k].append(i)
    check(len(finals) == 1, "overall_yield", "feeds_into", "must be blank for exactly one (final) step", len(finals))
    # Longest path into each step (steps, yield), built from the final step backwards; a cycle never
    # reaches the final step, so any present step left unvisited sits on one.
    best: dict[int, tuple[int, float]] = {}
    order = [finals[0]]
    seen = {finals[0]}
    for step in order:
        for p in fed_by[step]:
            if p not in seen:
                seen.add(p)
                order.append(p)
    loose = [i for i in np.flatnonzero(present) if i not in seen]
    check(
        not loose,
        "overall_yield",
        position("feeds_into", loose[0], n) if loose else "feeds_into",
        "forms a loop that never reaches the final step",
    )
    for step in reversed(order):  # predecessors before the steps they feed
        inflows = [best[p] for p in fed_by[step]]
        length, worst = (0, 1.0) if not inflows else max(inflows, key=lambda lw: (lw[0], -lw[1]))
        best[step] = (length + 1, worst * float(y[step]))
    return best[finals[0]][1]
