"""The portfolio of options: the 0/1 program against every subset enumerated, hand cases, refusals.

Random small instances (up to 9 options, with exclusive groups, requirements, infeasible options) are solved by
:func:`cpxl.portfolio` and by brute force over all 2^n subsets: the optimum, the cheapest optimal cost, what binds
and the trade-off curve must agree. Values and costs are whole numbers in most instances, so that ties are exact
and the cheapest optimal choice is unique in value and cost; a few instances use decimals.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

import cpxl
from cpxl.core.errors import CPError


# ------------------------------------------------------------------------------------------ brute force
def valid(subset, costs, budget, groups, pairs, feasible):
    chosen = set(subset)
    if any(not feasible[i] for i in chosen):
        return False
    if budget is not None and sum(costs[i] for i in chosen) > budget * (1 + 1e-12):
        return False
    for label in {g for g in groups if g is not None}:
        if sum(1 for i in chosen if groups[i] == label) > 1:
            return False
    return all(j in chosen for i, j in pairs if i in chosen)


def subsets(values, costs, budget, groups, pairs, feasible):
    n = len(values)
    for r in range(n + 1):
        for subset in itertools.combinations(range(n), r):
            if valid(subset, costs, budget, groups, pairs, feasible):
                yield subset, sum(values[i] for i in subset), sum(costs[i] for i in subset)


def brute_best(values, costs, budget, groups, pairs, feasible):
    """The optimum and the cost of the cheapest optimal subset."""
    best = max(subsets(values, costs, budget, groups, pairs, feasible), key=lambda s: (s[1], -s[2]))
    return best[1], best[2]


def brute_curve(values, costs, groups, pairs, feasible):
    points = sorted(((c, v) for _, v, c in subsets(values, costs, None, groups, pairs, feasible)), key=lambda p: p[0])
    curve, best = [], -math.inf
    for cost, value in points:
        if value > best:
            if curve and curve[-1][0] == cost:
                curve.pop()
            curve.append((cost, value))
            best = value
    return curve


def contradictory(n, groups, pairs, feasible):
    """Whether some feasible option can be in no valid subset, whatever the budget."""
    return any(
        feasible[i] and not any(i in s for s, _, _ in subsets([0] * n, [0] * n, None, groups, pairs, feasible))
        for i in range(n)
    )


def random_instance(rng, n, whole=True):
    values = [rng.randint(-5, 40) if whole else round(rng.uniform(-5, 40), 3) for _ in range(n)]
    costs = [rng.randint(0, 30) if whole else round(rng.uniform(0, 30), 3) for _ in range(n)]
    budget = rng.randint(0, sum(costs)) if whole else round(rng.uniform(0, sum(costs)), 3)
    groups = [rng.choice([None, None, "a", "b", "c"]) for _ in range(n)]
    pairs = []
    for i in range(n):
        for j in rng.sample(range(n), min(n, rng.choice([0, 0, 0, 1, 1, 2]))):
            if j != i and (i, j) not in pairs:
                pairs.append((i, j))
    feasible = [rng.random() > 0.15 for _ in range(n)]
    return values, costs, budget, groups, pairs, feasible


def requires_cells(n, pairs):
    """The requirements as the worksheet column holds them: the 1-based rows each option needs, comma-separated."""
    cells = [None] * n
    for i, j in pairs:
        cells[i] = f"{cells[i]}, {j + 1}" if cells[i] else j + 1
    return cells


def instances(count, sizes, whole=True, seed=2024):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        n = rng.choice(sizes)
        inst = random_instance(rng, n, whole)
        groups, pairs, feasible = inst[3:]
        if not contradictory(n, groups, pairs, feasible):
            out.append(inst)
    return out


def solve(inst, details=False):
    values, costs, budget, groups, pairs, feasible = inst
    return cpxl.portfolio(
        values, costs, budget, groups, requires_cells(len(values), pairs), feasible=feasible, details=details
    )


# ------------------------------------------------------------------------------------------ against brute force
@pytest.mark.parametrize("inst", instances(150, range(1, 10)))
def test_the_optimum_is_that_of_every_subset_enumerated(inst):
    values, costs, budget, groups, pairs, feasible = inst
    res = solve(inst)
    assert valid(np.flatnonzero(res.selected).tolist(), costs, budget, groups, pairs, feasible)
    assert (res.value, res.cost) == brute_best(values, costs, budget, groups, pairs, feasible)
    assert res.value == sum(v for v, s in zip(values, res.selected, strict=True) if s)
    assert res.slack == budget - res.cost


@pytest.mark.parametrize("inst", instances(40, range(2, 8), whole=False, seed=7))
def test_decimal_values_and_costs(inst):
    values, costs, budget, groups, pairs, feasible = inst
    res = solve(inst)
    value, cost = brute_best(values, costs, budget, groups, pairs, feasible)
    assert res.value == pytest.approx(value, abs=1e-9) and res.cost == pytest.approx(cost, abs=1e-9)


@pytest.mark.parametrize("inst", instances(30, range(2, 8), seed=11))
def test_what_binds_and_the_curve_are_those_of_every_subset_enumerated(inst):
    values, costs, budget, groups, pairs, feasible = inst
    res = solve(inst, details=True)
    best, _ = brute_best(values, costs, budget, groups, pairs, feasible)
    assert res.budget_binding == (brute_best(values, costs, None, groups, pairs, feasible)[0] > best)
    for label in sorted({g for g in groups if g is not None and groups.count(g) > 1}):
        dropped = [None if g == label else g for g in groups]
        assert (label in res.binding_groups) == (brute_best(values, costs, budget, dropped, pairs, feasible)[0] > best)
    names = res.names
    for i, j in pairs:
        others = [p for p in pairs if p != (i, j)]
        binds = brute_best(values, costs, budget, groups, others, feasible)[0] > best
        assert ((names[i], names[j]) in res.binding_requirements) == binds
    curve = brute_curve(values, costs, groups, pairs, feasible)
    assert res.curve_complete
    assert res.curve_budget.tolist() == [c for c, _ in curve]
    assert res.curve_value.tolist() == [v for _, v in curve]
    # the curve at the budget is the optimum
    assert res.curve_value[np.searchsorted(res.curve_budget, budget, side="right") - 1] == res.value


def test_contradictory_input_is_refused_exactly_when_some_feasible_option_can_never_be_done():
    rng = random.Random(5)
    refused = accepted = 0
    for _ in range(300):
        n = rng.randint(2, 6)
        values, costs, budget, groups, pairs, feasible = random_instance(rng, n)
        bad = contradictory(n, groups, pairs, feasible)
        try:
            cpxl.portfolio(values, costs, budget, groups, requires_cells(n, pairs), feasible=feasible, details=False)
        except CPError as exc:
            assert bad and exc.argument == "requires", exc
            refused += 1
        else:
            assert not bad
            accepted += 1
    assert refused > 20 and accepted > 20


# ------------------------------------------------------------------------------------------ hand cases
def test_a_plain_knapsack_by_hand():
    # 10 to spend: 6+4 gives 13 + 9 = 22 (6+3 gives 20, 5+4 gives 19)
    res = cpxl.portfolio([13, 9, 7, 6], [6, 4, 3, 5], 10)
    assert res.selected.tolist() == [True, True, False, False]
    assert (res.value, res.cost, res.slack) == (22.0, 10.0, 0.0)
    assert res.names == ["option 1", "option 2", "option 3", "option 4"]


def test_the_cheapest_of_the_optimal_choices():
    # option 3 adds nothing: it is not bought; of two equal values, the cheaper
    res = cpxl.portfolio([10, 10, 0], [8, 5, 1], 100, ["g", "g", None])
    assert res.selected.tolist() == [False, True, False] and res.cost == 5.0


def test_an_option_with_negative_value_is_done_only_when_it_pays_through_another():
    res = cpxl.portfolio([-5, 20], [1, 1], 10, requires=[None, 1], names=["pipe", "recovery"])
    assert res.selected.tolist() == [True, True] and res.value == 15.0
    assert res.binding_requirements == [("recovery", "pipe")]


def test_a_cycle_of_requirements_is_done_together():
    res = cpxl.portfolio([5, 5, -1], [1, 1, 1], 3, requires=[2, 3, 1])
    assert res.selected.tolist() == [True, True, True]
    assert cpxl.portfolio([5, 5, -1], [1, 1, 1], 2, requires=[2, 3, 1]).selected.tolist() == [False] * 3


def test_requirements_by_name_and_several_in_one_cell():
    res = cpxl.portfolio([1, 1, 10], [1, 1, 1], 3, requires=[None, None, "A; B"], names=["A", "B", "C"], details=True)
    assert res.selected.all() and res.binding_requirements == []


def test_costs_that_add_up_to_the_budget_in_decimal_are_within_it():
    res = cpxl.portfolio([1, 1, 1], [0.1, 0.2, 0.3], 0.6)
    assert res.selected.all() and res.cost == pytest.approx(0.6)


def test_an_infeasible_option_is_never_selected():
    res = cpxl.portfolio([100, 1], [1, 1], 10, feasible=[False, True])
    assert res.selected.tolist() == [False, True]


def test_a_zero_budget_buys_only_free_options():
    res = cpxl.portfolio([3, 4], [0, 1], 0, details=True)
    assert res.selected.tolist() == [True, False] and res.budget_binding
    assert res.curve_budget.tolist() == [0.0, 1.0] and res.curve_value.tolist() == [3.0, 7.0]


def test_nothing_binds_when_everything_is_affordable():
    res = cpxl.portfolio([3, 4], [1, 1], 10)
    assert res.selected.all() and res.budget_binding is False and res.binding_groups == []
    assert res.message == "2 of 2 options selected: value 7, cost 2; no constraint limits the choice"


def test_an_exclusive_group_that_binds():
    res = cpxl.portfolio([3, 4], [1, 1], 10, ["g", "g"], names=["a", "b"])
    assert res.selected.tolist() == [False, True] and res.binding_groups == ["g"]
    assert "limited by group 'g'" in res.message


def test_details_false_skips_the_extra_programs():
    res = cpxl.portfolio([3, 4], [1, 1], 1, details=False)
    assert res.binding_groups is None and res.curve_budget is None and res.selected.tolist() == [False, True]


def test_pandas_and_rows_of_cells():
    pd = pytest.importorskip("pandas")
    res = cpxl.portfolio(pd.Series([13, 9, 7, 6]), [[6], [4], [3], [5]], [[10]])
    assert res.to_frame()["selected"].tolist() == [True, True, False, False]


# ------------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"costs": [1, -2, 3]}, "portfolio: costs[2] must be >= 0, got -2"),
        ({"costs": [1, None, 3]}, "portfolio: costs[2] is blank: every option needs one"),
        ({"values": [1, 2, None]}, "portfolio: values[3] is blank: every option needs one"),
        ({"costs": [1, 2]}, "portfolio: costs must have one entry per option (3), got 2"),
        ({"budget": -1}, "portfolio: budget must be >= 0, got -1"),
        ({"budget": [1, 2]}, "portfolio: budget must be a single number, got 2 values"),
        ({"values": []}, "portfolio: values has no options"),
        ({"values": ["a", 1, 2]}, "portfolio: values[1] must be a number, got 'a'"),
        (
            {"requires": [None, None, "X"]},
            "portfolio: requires[3] names 'X', which is neither an option's name nor a row number from 1 to 3",
        ),
        ({"requires": [4, None, None]}, "portfolio: requires[1] names '4', which is neither"),
        ({"requires": [1.5, None, None]}, "portfolio: requires[1] names '1.5', which is neither"),
        ({"names": ["a", "b", "a"]}, "portfolio: names[3] repeats the name of option 1, got 'a'"),
        ({"names": ["a", None, "c"]}, "portfolio: names[2] is blank"),
        ({"exclusive_groups": ["g", "g"]}, "portfolio: exclusive_groups must have one entry per row (3), got 2"),
        ({"feasible": [True, "maybe", True]}, "portfolio: feasible[2] must be TRUE or FALSE, got 'maybe'"),
        (
            {"requires": [2, None, None], "feasible": [True, False, True]},
            "portfolio: requires makes option 1 ('option 1') need option 2 ('option 2'), which is not feasible",
        ),
        (
            {"requires": [2, 3, None], "feasible": [True, True, False]},
            "portfolio: requires makes option 1 ('option 1') need option 3 ('option 3'), which is not feasible",
        ),
        (
            {"requires": [2, None, None], "exclusive_groups": ["g", "g", None]},
            "portfolio: requires makes option 1 ('option 1') need options 1 ('option 1') and 2 ('option 2') "
            "together, which exclude each other (group 'g')",
        ),
        (
            {"requires": ["2, 3", None, None], "exclusive_groups": [None, "g", "g"]},
            "portfolio: requires makes option 1 ('option 1') need options 2 ('option 2') and 3 ('option 3') "
            "together, which exclude each other (group 'g')",
        ),
    ],
)
def test_every_refusal_says_what_is_wrong(kwargs, message):
    args = {"values": [1, 2, 3], "costs": [1, 1, 1], "budget": 2, **kwargs}
    with pytest.raises(CPError) as info:
        cpxl.portfolio(**args)
    assert str(info.value).startswith(message)


def test_an_infeasible_option_may_need_anything():
    res = cpxl.portfolio([1, 2], [1, 1], 2, requires=[2, None], feasible=[False, False])
    assert not res.selected.any()


def test_the_bound_on_options_is_in_the_message():
    with pytest.raises(CPError, match="must hold at most 1,000 options, got 1001"):
        cpxl.portfolio(np.ones(1001), np.ones(1001), 1)


def test_a_few_hundred_options_are_solved_quickly():
    import time

    rng = np.random.default_rng(3)
    values, costs = rng.integers(1, 1000, 300), rng.integers(1, 1000, 300)
    start = time.perf_counter()
    res = cpxl.portfolio(values, costs, 20_000, details=False)
    assert time.perf_counter() - start < 10
    assert res.cost <= 20_000
