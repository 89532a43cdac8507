"""Choosing the portfolio of cleaner-production options: a small 0/1 program (DOMAIN §9), solved exactly.

This module is the one place for the choice among screened options under a budget, with options that exclude
each other and options that need others. It imports numpy and the input readers of :mod:`cpxl.core.inputs` when
it is imported, and :func:`scipy.optimize.milp` (HiGHS) only when :func:`portfolio` is called, so that
``import cpxl`` stays light.

The problem
-----------
Among n options with value v_i (NPV, pollutant or CO2 reduction: any additive benefit, possibly negative) and
investment I_i ≥ 0, choose x_i ∈ {0, 1} to

.. math::
    \\max_x \\sum_i v_i x_i \\quad \\text{s.t.} \\quad \\sum_i I_i x_i \\le B, \\qquad
    \\sum_{i \\in G} x_i \\le 1 \\ \\text{for each exclusive group } G, \\qquad
    x_i \\le x_j \\ \\text{where option } i \\text{ requires option } j,

and x_i = 0 for an option that is not feasible. Among the optimal choices the cheapest is returned (a second
program minimises Σ I_i x_i with Σ v_i x_i held at the optimum), so that money is never spent for nothing.

How it is solved, and how exact it is
-------------------------------------
Both programs go to HiGHS through :func:`scipy.optimize.milp` (branch and bound, ``mip_rel_gap = 0``), with the
investments scaled by the largest of the budget and the investments, and the values by the largest |v_i|. HiGHS
accepts a constraint violated by up to 10⁻⁷ of that scale, so every choice is checked again in plain floats: a
choice that costs more than the budget by more than 10⁻¹² of the scale is cut off (Σ_{i∈S} x_i − Σ_{i∉S} x_i ≤
|S| − 1) and the program solved again. Costs that add up to the budget in decimal (0.1 + 0.2 against 0.3) are
within the budget. The optimum is exact up to HiGHS's absolute gap of 10⁻⁶ of the largest |v_i|. A knapsack
with side constraints is NP-hard, but for the tens of options an audit screens, branch and bound takes
milliseconds; at most :data:`MAX_OPTIONS` options are accepted.

What limits the choice
----------------------
A constraint is reported *binding* when dropping it alone would give a strictly better optimum (by more than
10⁻⁹ of the largest |v_i|): the budget (``budget_binding``: more money would buy more value), an exclusive group
(``binding_groups``: doing two of its options would be better), a requirement (``binding_requirements``: the
option would be worth doing without the one it needs). This costs one more program per group and per
requirement.

The trade-off curve
-------------------
The optimum as the budget varies is a step function of the budget, rising only at the costs of Pareto-optimal
choices (no other choice is cheaper and at least as valuable). They are found from the top down: the optimum
with every feasible option affordable, then the optimum with a budget just below the cost of the last choice
(10⁻⁹ of the scale below it), and so on down to the cheapest choice. ``curve_budget`` holds these costs in
increasing order and ``curve_value`` the optimum from each on: with any budget B, the optimum is the
``curve_value`` of the largest ``curve_budget`` ≤ B. At most :data:`MAX_CURVE_POINTS` steps are found, from the
top (``curve_complete`` says whether all were).

References
----------
.. [1] Martello, S., Toth, P. *Knapsack Problems: Algorithms and Computer Implementations*. Wiley, Chichester,
   1990 (0-1 knapsack, multiple-choice constraints).
.. [2] Huangfu, Q., Hall, J. A. J. Parallelizing the dual revised simplex method. *Mathematical Programming
   Computation* 10 (2018) 119–142 (HiGHS).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from .errors import CPError
from .inputs import as_flags, as_floats, as_labels, check, position, public, scalar
from .results import _Result

__all__ = ["MAX_CURVE_POINTS", "MAX_OPTIONS", "PortfolioResult", "portfolio"]

#: The most options one portfolio may hold: a 0/1 program's work grows fast with them.
MAX_OPTIONS = 1000
#: The most steps of the trade-off curve that are sought (two programs each).
MAX_CURVE_POINTS = 200

_BUDGET_SLACK = 1e-12  # a choice within this share of the cost scale above the budget is within it
_BELOW = 1e-9  # the next budget of the curve: this share of the cost scale below the cost of the last choice
_BETTER = 1e-9  # an optimum better than another by more than this share of the largest |value|
_MAX_CUTS = 100


class PortfolioResult(_Result):
    """The result of :func:`portfolio`: a dict with attribute access.

    Per option (in order): ``names``, ``selected`` (bool). The choice: ``value`` (Σ v of the options selected),
    ``cost`` (Σ I), ``budget``, ``slack`` (budget − cost). What limits it (None when ``details=False``):
    ``budget_binding`` (bool), ``binding_groups`` (labels), ``binding_requirements`` (pairs of names: the option,
    the option it requires). The trade-off curve (None when ``details=False``): ``curve_budget``, ``curve_value``
    (arrays, budget increasing), ``curve_complete``. ``message`` sums it up.
    """

    def to_frame(self) -> Any:
        """One row per option as a pandas DataFrame indexed by option name."""
        import pandas as pd

        return pd.DataFrame({"selected": self.selected}, index=pd.Index(list(self.names), name="option"))


@public("portfolio")
def portfolio(
    values: Any,
    costs: Any,
    budget: Any,
    exclusive_groups: Any = None,
    requires: Any = None,
    *,
    names: Any = None,
    feasible: Any = None,
    details: bool = True,
) -> PortfolioResult:
    """The set of options that maximises the total value within the budget (a 0/1 program, DOMAIN §9).

    .. math::
        \\max_{x \\in \\{0,1\\}^n} \\sum_i v_i x_i \\quad \\text{s.t.} \\quad \\sum_i I_i x_i \\le B, \\quad
        \\sum_{i \\in G} x_i \\le 1, \\quad x_i \\le x_j \\ (i \\text{ requires } j)

    solved exactly by branch and bound (HiGHS); among optimal choices the cheapest. See the module documentation
    for the tolerances, the binding constraints and the trade-off curve.

    Parameters
    ----------
    values : array-like
        Value v_i of each option: NPV, pollutant or CO2 reduction, any additive benefit; may be negative
        [value unit]
    costs : array-like
        Investment I_i of each option, >= 0 [currency]
    budget : float
        Budget B, >= 0 [currency]
    exclusive_groups : array-like, optional
        For each option a label: options sharing a label exclude each other; blank = none [-]
    requires : array-like, optional
        For each option, the option(s) it needs: a row number (1-based) or a name from *names*, several
        separated by commas; blank = none. Cycles are allowed (the options are then done together) [-]
    names : array-like, optional
        Option names, unique; default ``"option 1"``, ``"option 2"``, ... [-]
    feasible : array-like of bool, optional
        False for an option that cannot be done (it is never selected); default every option [-]
    details : bool, optional
        Also find the binding constraints and the trade-off curve (more programs); default True

    Returns
    -------
    PortfolioResult
        ``selected``, ``value``, ``cost``, ``slack``; ``budget_binding``, ``binding_groups``,
        ``binding_requirements``; ``curve_budget``, ``curve_value``; see :class:`PortfolioResult`.

    Raises
    ------
    CPError
        For a blank or negative investment, a blank value, lengths that differ, a requirement naming no option,
        or contradictory input: a feasible option that needs (directly or through others) an option that is not
        feasible, or two options that exclude each other.

    Examples
    --------
    Four options, 100 to spend; A and B exclude each other, D needs C (row 3). B and C give the most, 90 for
    90; without its requirement D would join B; the curve shows what each budget buys:

    >>> res = portfolio([50, 60, 30, 45], [60, 70, 20, 30], 100, ["x", "x", "", ""], [None, None, None, 3],
    ...                 names=["A", "B", "C", "D"])
    >>> res.selected, res.value, res.cost
    (array([False,  True,  True, False]), 90.0, 90.0)
    >>> res.budget_binding, res.binding_groups, res.binding_requirements
    (True, [], [('D', 'C')])
    >>> res.curve_budget
    array([  0.,  20.,  50.,  80.,  90., 110., 120.])
    >>> res.curve_value
    array([  0.,  30.,  75.,  80.,  90., 125., 135.])

    References
    ----------
    .. [1] Martello, S., Toth, P. *Knapsack Problems: Algorithms and Computer Implementations*. Wiley, 1990.
    .. [2] Huangfu, Q., Hall, J. A. J. Parallelizing the dual revised simplex method. *Mathematical Programming
       Computation* 10 (2018) 119–142.
    """
    problem = _Problem(values, costs, budget, exclusive_groups, requires, names, feasible)
    x = problem.best(problem.budget)
    value, cost = problem.value_of(x), problem.cost_of(x)
    out: dict[str, Any] = {
        "names": problem.names,
        "selected": x,
        "value": value,
        "cost": cost,
        "budget": problem.budget,
        "slack": problem.budget - cost,
        "budget_binding": None,
        "binding_groups": None,
        "binding_requirements": None,
        "curve_budget": None,
        "curve_value": None,
        "curve_complete": None,
    }
    parts = [f"{int(x.sum())} of {x.size} options selected: value {value:,.6g}, cost {cost:,.6g}"]
    if details:
        better = _BETTER * problem.value_scale
        out["budget_binding"] = problem.value_of(problem.best(math.inf)) > value + better
        out["binding_groups"] = [
            label
            for label, members in problem.groups
            if problem.value_of(problem.best(problem.budget, drop_group=label)) > value + better
        ]
        out["binding_requirements"] = [
            (problem.names[i], problem.names[j])
            for i, j in problem.pairs
            if problem.value_of(problem.best(problem.budget, drop_pair=(i, j))) > value + better
        ]
        out["curve_budget"], out["curve_value"], out["curve_complete"] = problem.curve()
        limits = (["the budget"] if out["budget_binding"] else []) + [f"group {g!r}" for g in out["binding_groups"]]
        limits += [f"{a!r} requires {b!r}" for a, b in out["binding_requirements"]]
        parts.append("limited by " + ", ".join(limits) if limits else "no constraint limits the choice")
    out["message"] = "; ".join(parts)
    return PortfolioResult(out)


_SEPARATORS = re.compile(r"[,;，；、]")


class _Problem:
    """The options read and checked, and the 0/1 programs over them."""

    def __init__(
        self, values: Any, costs: Any, budget: Any, groups: Any, requires: Any, names: Any, feasible: Any
    ) -> None:
        func = "portfolio"
        v = as_floats(values, func, "values")
        n = v.size
        check(n >= 1, func, "values", "has no options")
        check(n <= MAX_OPTIONS, func, "values", f"must hold at most {MAX_OPTIONS:,} options", n)
        _no_blank(v, func, "values")
        c = as_floats(costs, func, "costs")
        check(c.size == n, func, "costs", f"must have one entry per option ({n})", c.size)
        _no_blank(c, func, "costs")
        negative = np.flatnonzero(c < 0)
        if negative.size:
            i = int(negative[0])
            raise CPError(func, position("costs", i, n), "must be >= 0", c[i])
        b = scalar(budget, func, "budget")
        check(b >= 0, func, "budget", "must be >= 0", b)
        self.names = _names(names, n, func)
        self.feasible = (
            np.ones(n, dtype=bool) if feasible is None else as_flags(feasible, func, "feasible", n, default=True)
        )
        labels = [None] * n if groups is None else as_labels(groups, func, "exclusive_groups", n)
        members: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            if label is not None:
                members.setdefault(label, []).append(i)
        self.groups = [(label, m) for label, m in members.items() if len(m) > 1]
        self.pairs = _requirements(requires, self.names, n, func)
        _refuse_contradictions(self.pairs, labels, self.feasible, self.names, n, func)
        self.v, self.c, self.budget = v, c, b
        self.cost_scale = max(b, float(c.max()), 1e-300)
        self.value_scale = max(float(np.abs(v).max()), 1e-300)

    # ------------------------------------------------------------------------------------------ exact sums
    def value_of(self, x: np.ndarray) -> float:
        return float(self.v[x].sum())

    def cost_of(self, x: np.ndarray) -> float:
        return float(self.c[x].sum())

    # ------------------------------------------------------------------------------------------ the programs
    def best(
        self, budget: float, *, drop_group: str | None = None, drop_pair: tuple[int, int] | None = None
    ) -> np.ndarray:
        """The cheapest of the optimal choices within *budget* (inf: no budget), with a constraint dropped."""
        x = self._solve(budget, drop_group, drop_pair, None)
        value = self.value_of(x)
        floor = value - _BETTER * self.value_scale
        y = self._solve(budget, drop_group, drop_pair, floor)
        if self.value_of(y) >= value - 1e-12 * self.value_scale and self.cost_of(y) < self.cost_of(x):
            return y
        return x

    def _solve(
        self, budget: float, drop_group: str | None, drop_pair: tuple[int, int] | None, floor: float | None
    ) -> np.ndarray:
        """Max Σ v x (or, with *floor*, min Σ I x with Σ v x >= floor); a choice over the budget is cut off."""
        from scipy.optimize import Bounds, LinearConstraint, milp  # only here: importing scipy.optimize is slow

        n = self.v.size
        rows: list[np.ndarray] = []
        upper: list[float] = []
        lower: list[float] = []
        if budget < math.inf:
            rows.append(self.c / self.cost_scale)
            lower.append(-np.inf)
            upper.append(budget / self.cost_scale)
        for label, members in self.groups:
            if label != drop_group:
                row = np.zeros(n)
                row[members] = 1.0
                rows.append(row)
                lower.append(-np.inf)
                upper.append(1.0)
        for pair in self.pairs:
            if pair != drop_pair:
                row = np.zeros(n)
                row[pair[0]], row[pair[1]] = 1.0, -1.0
                rows.append(row)
                lower.append(-np.inf)
                upper.append(0.0)
        if floor is not None:
            rows.append(self.v / self.value_scale)
            lower.append(floor / self.value_scale)
            upper.append(np.inf)
        objective = self.c / self.cost_scale if floor is not None else -self.v / self.value_scale
        bounds = Bounds(np.zeros(n), self.feasible.astype(float))
        options = {"mip_rel_gap": 0.0, "presolve": True}
        for _ in range(_MAX_CUTS):
            constraints = LinearConstraint(np.array(rows), lower, upper) if rows else ()
            res = milp(objective, integrality=np.ones(n), bounds=bounds, constraints=constraints, options=options)
            if res.x is None:
                raise CPError("portfolio", "values, costs, budget", f"cannot be solved ({res.message})")
            x = np.asarray(res.x) > 0.5
            if budget == math.inf or self.cost_of(x) <= budget + _BUDGET_SLACK * self.cost_scale:
                return x
            cut = np.where(x, 1.0, -1.0)  # no more of this choice: it costs more than the budget in plain floats
            rows.append(cut)
            lower.append(-np.inf)
            upper.append(float(x.sum()) - 1.0)
        raise CPError("portfolio", "costs", "lie so close to the budget that no choice could be confirmed within it")

    def curve(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """The costs of the Pareto-optimal choices, increasing, with the optimum from each on; and completeness."""
        budgets: list[float] = []
        values: list[float] = []
        budget = math.inf
        complete = False
        while len(budgets) < MAX_CURVE_POINTS:
            x = self.best(budget)
            cost = self.cost_of(x)
            budgets.append(cost)
            values.append(self.value_of(x))
            budget = cost - _BELOW * self.cost_scale
            if budget < 0:
                complete = True
                break
        return np.array(budgets[::-1]), np.array(values[::-1]), complete


def _no_blank(x: np.ndarray, func: str, arg: str) -> None:
    blank = np.flatnonzero(np.isnan(x))
    if blank.size:
        raise CPError(func, position(arg, int(blank[0]), x.size), "is blank: every option needs one")


def _names(names: Any, n: int, func: str) -> list[str]:
    if names is None:
        return [f"option {i + 1}" for i in range(n)]
    labels = as_labels(names, func, "names", n)
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        check(label is not None, func, position("names", i, n), "is blank")
        if label in seen:
            raise CPError(func, position("names", i, n), f"repeats the name of option {seen[label] + 1}", label)
        seen[label] = i  # type: ignore[index]
    return labels  # type: ignore[return-value]


def _requirements(requires: Any, names: list[str], n: int, func: str) -> list[tuple[int, int]]:
    """The pairs (i, j), 0-based, where option i requires option j (i != j), in order, without repeats."""
    if requires is None:
        return []
    index = {name: i for i, name in enumerate(names)}
    pairs: list[tuple[int, int]] = []
    for i, entry in enumerate(as_labels(requires, func, "requires", n)):
        if entry is None:
            continue
        for token in filter(None, (t.strip() for t in _SEPARATORS.split(entry))):
            j = index.get(token)
            if j is None and re.fullmatch(r"\d+(\.0*)?", token) and 1 <= float(token) <= n:
                j = int(float(token)) - 1
            if j is None:
                problem = f"names {token!r}, which is neither an option's name nor a row number from 1 to {n}"
                raise CPError(func, position("requires", i, n), problem)
            if j != i and (i, j) not in pairs:
                pairs.append((i, j))
    return pairs


def _refuse_contradictions(
    pairs: list[tuple[int, int]], labels: list[str | None], feasible: np.ndarray, names: list[str], n: int, func: str
) -> None:
    """Refuse a feasible option that needs, directly or through others, an infeasible one or two exclusive ones."""
    needs: list[list[int]] = [[] for _ in range(n)]
    for i, j in pairs:
        needs[i].append(j)
    for i in np.flatnonzero(feasible).tolist():
        if not needs[i]:
            continue
        seen = {i}
        queue = [i]
        for k in queue:
            for j in needs[k]:
                if j not in seen:
                    seen.add(j)
                    queue.append(j)
        who = f"option {i + 1} ({names[i]!r})"
        for j in queue[1:]:
            if not feasible[j]:
                raise CPError(
                    func, "requires", f"makes {who} need option {j + 1} ({names[j]!r}), which is not feasible"
                )
        first: dict[str, int] = {}
        for j in sorted(queue):
            label = labels[j]
            if label is None:
                continue
            if label in first:
                a, b = first[label], j
                problem = (
                    f"makes {who} need options {a + 1} ({names[a]!r}) and {b + 1} ({names[b]!r}) together, "
                    f"which exclude each other (group {label!r})"
                )
                raise CPError(func, "requires", problem)
            first[label] = j
