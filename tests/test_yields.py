"""Overall yield of linear and convergent routes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cpxl
from cpxl import CPError


def test_six_steps_against_three():
    # DOMAIN.md §2, the seed's own example: a 6-step synthesis at 90 % per step
    # (0.9^6 = 53.1 %) cut to 3 steps (0.9^3 = 72.9 %).
    assert round(cpxl.overall_yield([0.9] * 6), 3) == 0.531
    assert round(cpxl.overall_yield([0.9] * 3), 3) == 0.729


def test_convergent_route_against_linear():
    # DOMAIN.md §2 table, "Overall yield, convergent": A->B, C->D, B+D->E at 50 % each
    # gives 25 %; the linear A->B->C->D->E at 50 % gives 6.25 %.
    assert cpxl.overall_yield([0.5, 0.5, 0.5], feeds_into=[3, 3, None]) == pytest.approx(0.25)
    assert cpxl.overall_yield([0.5] * 4) == pytest.approx(0.0625)


def test_longest_branch_decides_and_ties_take_the_lowest_yield():
    # 1 -> 2 -> 4 (three steps) and 3 -> 4 (two steps): the longest is 1, 2, 4.
    assert cpxl.overall_yield([0.9, 0.8, 0.5, 0.7], [2, 4, 4, None]) == pytest.approx(0.9 * 0.8 * 0.7)
    # two branches of equal length: the lower product (0.6 x 0.9) is reported
    assert cpxl.overall_yield([0.6, 0.8, 0.9], [3, 3, None]) == pytest.approx(0.54)


def test_steps_may_be_listed_in_any_order_and_blank_rows_are_skipped():
    assert cpxl.overall_yield([0.5, None, 0.5, 0.5], [None, None, 1, 1]) == pytest.approx(0.25)
    assert cpxl.overall_yield(np.array([[0.9], [np.nan], [0.9]])) == pytest.approx(0.81)


@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=12))
def test_a_chain_written_with_feeds_into_equals_the_linear_product(yields):
    chain = [*range(2, len(yields) + 1), None]
    assert cpxl.overall_yield(yields, chain) == pytest.approx(np.prod(yields), rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([90, 0.5],), "overall_yield: yields[1] must lie in (0, 1] (give 90 % as 0.9), got 90"),
        (([0, 0.5],), "overall_yield: yields[1] must lie in (0, 1], got 0"),
        (([1.2],), "overall_yield: yields must lie in (0, 1], got 1.2"),
        (([None],), "overall_yield: yields has no values"),
        (([0.5, 0.5], [2, 1]), "overall_yield: feeds_into must be blank for exactly one (final) step, got 0"),
        (([0.5, 0.5, 0.5], [2, 1, None]), "overall_yield: feeds_into[1] forms a loop"),
        (([0.5, 0.5], [2.5, None]), "overall_yield: feeds_into[1] must be a step number, got 2.5"),
        (([0.5, 0.5], [5, None]), "overall_yield: feeds_into[1] must be a step number from 1 to 2, got 5"),
        (([0.5, 0.5], [1, None]), "overall_yield: feeds_into[1] cannot be the step itself, got 1"),
        (([0.5, None, 0.5], [2, None, None]), "overall_yield: feeds_into[1] points to a step with no yield"),
        (([0.5, None, 0.5], [3, 3, None]), "overall_yield: yields[2] is blank for a step that feeds another"),
        (([0.5, 0.5], [2, None, None]), "overall_yield: feeds_into must have one entry per step (2), got 3"),
    ],
)
def test_overall_yield_errors(args, message):
    with pytest.raises(CPError) as info:
        cpxl.overall_yield(*args)
    assert str(info.value).startswith(message)
