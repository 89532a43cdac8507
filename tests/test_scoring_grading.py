"""Weighted-sum scoring and grading by the 2013 indicator-system method (DOMAIN.md §1.2, §4)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpxl
from cpxl import CPError

# --- weighted score ----------------------------------------------------------------------------------


def test_audit_focus_by_weighted_sum():
    # Three workshops rated on waste quantity (W = 10), consumption (8), CP potential (5):
    # A: 10*8 + 8*6 + 5*7 = 163; B: 50 + 72 + 20 = 142; C: 30 + 24 + 45 = 99.
    scores = cpxl.weighted_score([10, 8, 5], [[8, 6, 7], [5, 9, 4], [3, 3, 9]])
    np.testing.assert_allclose(scores, [163, 142, 99])


def test_weighted_score_pandas_in_pandas_out_and_spare_rows():
    ratings = pd.DataFrame(
        {"waste": [8, 5, None], "consumption": [6, 9, None]}, index=["workshop A", "workshop B", "spare"]
    )
    scores = cpxl.weighted_score(pd.Series([10, 8]), ratings)
    assert isinstance(scores, pd.Series)
    assert list(scores.index) == ["workshop A", "workshop B", "spare"]
    assert scores["workshop A"] == 128 and scores["workshop B"] == 122 and np.isnan(scores["spare"])


def test_weights_as_a_column_and_a_single_candidate_as_a_row():
    np.testing.assert_allclose(cpxl.weighted_score([[10], [8]], [8, 6]), [128])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [[1, None]]), "weighted_score: ratings row 1, factor 2 is blank"),
        (([1, 2, 3], [[1, 2]]), "weighted_score: ratings must have one column per weight (3), got 2 columns"),
        (([1, -2], [[1, 2]]), "weighted_score: weights must be >= 0, got -2"),
        (([1, None], [[1, 2]]), "weighted_score: weights has a blank weight"),
        (([1, 2], [[1, "high"]]), "weighted_score: ratings[2] must be a number, got 'high'"),
    ],
)
def test_weighted_score_errors(args, message):
    with pytest.raises(CPError) as info:
        cpxl.weighted_score(*args)
    assert str(info.value).startswith(message)


# --- grade -------------------------------------------------------------------------------------------

# A small indicator system written out by hand:
#   1 water per t product   lower better  I 1.5  II 2.0  III 3.0  weight 0.30  group resources
#   2 energy per t product  lower better  I 0.8  II 1.0  III 1.3  weight 0.20  group resources
#   3 water reuse rate      higher better I 0.95 II 0.90 III 0.85 weight 0.25  group recycling  (limiting)
#   4 COD per t product     lower better  I 2.0  II 4.0  III 6.0  weight 0.25  group pollution
SYSTEM = {
    "level_1": [1.5, 0.8, 0.95, 2.0],
    "level_2": [2.0, 1.0, 0.90, 4.0],
    "level_3": [3.0, 1.3, 0.85, 6.0],
    "lower_is_better": [True, True, False, True],
    "weights": [0.30, 0.20, 0.25, 0.25],
    "groups": ["resources", "resources", "recycling", "pollution"],
    "limiting": [False, False, True, False],
}


def grade_of(values, **changes):
    return cpxl.grade(values, **{**SYSTEM, **changes})


def test_grade_by_hand():
    # all four meet I: Y_I = 100 and the limiting indicator meets I
    assert grade_of([1.4, 0.7, 0.96, 1.5]) == 1
    # energy (0.20) meets II only: Y_I = 80 < 85, Y_II = 100 -> level II
    assert grade_of([1.4, 0.9, 0.96, 1.5]) == 2
    np.testing.assert_allclose(grade_of([1.4, 0.9, 0.96, 1.5], output="scores"), [80, 100, 100])
    # with energy weighing 0.15, the same plant scores Y_I = 85 exactly, which is enough for level I
    exact = {"weights": [0.30, 0.15, 0.30, 0.25]}
    np.testing.assert_allclose(grade_of([1.4, 0.9, 0.96, 1.5], **exact, output="scores"), [85, 100, 100])
    assert grade_of([1.4, 0.9, 0.96, 1.5], **exact) == 1
    # COD (0.25) at II: Y_I = 75 -> II
    assert grade_of([1.4, 0.7, 0.96, 3.0]) == 2
    # COD at III only: Y_II = 75 < 85, but every indicator meets III: Y_III = 100 -> III
    assert grade_of([1.4, 0.7, 0.96, 5.0]) == 3
    # COD beyond III: Y_III = 75 -> not attained
    assert grade_of([1.4, 0.7, 0.96, 7.0]) == 0


def test_limiting_indicator_blocks_level_one_even_at_a_high_score():
    # reuse (limiting) meets II only; with reuse weighing 0.10 the plant scores Y_I = 90
    light = {"weights": [0.35, 0.25, 0.10, 0.30]}
    np.testing.assert_allclose(grade_of([1.4, 0.7, 0.92, 1.5], **light, output="scores"), [90, 100, 100])
    assert grade_of([1.4, 0.7, 0.92, 1.5], **light) == 2
    # without the limiting mark the same plant is level I
    assert grade_of([1.4, 0.7, 0.92, 1.5], **light, limiting=None) == 1


def test_missing_value_renormalises_within_its_group():
    # energy missing: the resources group (0.50) is carried by water alone (0.30 -> 0.50).
    # water misses I (1.8): Y_I = 0.25 + 0.25 = 50; Y_II = 100.
    np.testing.assert_allclose(grade_of([1.8, None, 0.96, 1.5], output="scores"), [50, 100, 100])
    # without groups the remaining 0.80 is spread over all: water 0.375, reuse 0.3125, COD 0.3125
    np.testing.assert_allclose(grade_of([1.8, None, 0.96, 1.5], groups=None, output="scores"), [62.5, 100, 100])


def reference_grade(values, level_1, level_2, level_3, lower_is_better, weights, groups, limiting):
    """DOMAIN.md §4 written out indicator by indicator, loops and all."""
    n = len(values)
    groups = groups or ["all"] * n
    effective = []
    for i in range(n):
        if values[i] is None:
            effective.append(0.0)
            continue
        members = [j for j in range(n) if groups[j] == groups[i]]
        group_weight = sum(weights[j] for j in members)
        present_weight = sum(weights[j] for j in members if values[j] is not None)
        effective.append(weights[i] * group_weight / present_weight)
    meets = []
    for i in range(n):
        row = []
        for bench in (level_1[i], level_2[i], level_3[i]):
            if values[i] is None:
                row.append(False)
            elif lower_is_better[i]:
                row.append(values[i] <= bench)
            else:
                row.append(values[i] >= bench)
        row = [row[0], row[0] or row[1], row[0] or row[1] or row[2]]
        meets.append(row)
    y = [sum(100 * effective[i] * meets[i][k] for i in range(n)) for k in range(3)]
    limits = [all(meets[i][k] for i in range(n) if limiting[i]) for k in range(3)]
    if y[0] >= 85 - 1e-9 and limits[0]:
        return 1, y
    if y[1] >= 85 - 1e-9 and limits[1]:
        return 2, y
    if y[2] >= 100 - 1e-9:
        return 3, y
    return 0, y


@st.composite
def indicator_systems(draw):
    n = draw(st.integers(1, 8))
    lower = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    levels = []
    for i in range(n):
        a, b, c = sorted(draw(st.lists(st.integers(1, 20), min_size=3, max_size=3)))
        levels.append((a, b, c) if lower[i] else (c, b, a))
    raw = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    weights = [r / sum(raw) for r in raw]
    groups = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    limiting = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    values = draw(st.lists(st.integers(0, 21), min_size=n, max_size=n))
    return {
        "values": [float(v) for v in values],
        "level_1": [float(lv[0]) for lv in levels],
        "level_2": [float(lv[1]) for lv in levels],
        "level_3": [float(lv[2]) for lv in levels],
        "lower_is_better": lower,
        "weights": weights,
        "groups": groups,
        "limiting": limiting,
    }


@settings(max_examples=400)
@given(indicator_systems())
def test_grade_agrees_with_the_reference_written_out(system):
    expected, scores = reference_grade(**system)
    assert cpxl.grade(**system) == expected
    np.testing.assert_allclose(cpxl.grade(**system, output="scores"), scores, atol=1e-9)


def rank(level):
    """Higher is better: I > II > III > not attained."""
    return {1: 3, 2: 2, 3: 1, 0: 0}[level]


@settings(max_examples=400)
@given(indicator_systems(), st.data())
def test_improving_any_indicator_never_lowers_the_grade(system, data):
    i = data.draw(st.integers(0, len(system["values"]) - 1))
    step = data.draw(st.integers(1, 10))
    better = list(system["values"])
    better[i] += -step if system["lower_is_better"][i] else step
    assert rank(cpxl.grade(**{**system, "values": better})) >= rank(cpxl.grade(**system))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights": [0.3, 0.2, 0.25, 0.2]}, "grade: weights must sum to 1 (give 20 % as 0.2), got 0.95"),
        ({"weights": [30, 20, 25, 25]}, "grade: weights must sum to 1 (give 20 % as 0.2), got 100"),
        ({"level_2": [2.0, 1.0, 0.90]}, "grade: level_2 must have one entry per indicator (4), got 3"),
        ({"level_3": [3.0, None, 0.85, 6.0]}, "grade: level_3[2] is blank"),
        ({"level_1": [2.5, 0.8, 0.95, 2.0]}, "grade: indicator 1 has levels out of order for lower-is-better"),
        ({"lower_is_better": [True, "maybe", False, True]}, "grade: lower_is_better[2] must be TRUE or FALSE"),
        ({"output": "text"}, 'grade: output must be "grade" or "scores", got \'text\''),
        ({"limiting": [1, 0, 2, 0]}, "grade: limiting[3] must be TRUE or FALSE, got 2"),
    ],
)
def test_grade_errors(changes, message):
    with pytest.raises(CPError) as info:
        grade_of([1.4, 0.7, 0.96, 1.5], **changes)
    assert str(info.value).startswith(message)


def test_grade_errors_on_values():
    with pytest.raises(CPError, match=r"grade: values\[3\] is blank for a limiting indicator"):
        grade_of([1.4, 0.7, None, 1.5])
    with pytest.raises(CPError, match="grade: values has no value in group 'pollution'"):
        grade_of([1.4, 0.7, 0.96, None])
    with pytest.raises(CPError, match=r"grade: values\[2\] must be a number, got 'n/a'"):
        grade_of([1.4, "n/a", 0.96, 1.5])


def test_directions_as_words_and_pandas_columns():
    table = pd.DataFrame({**SYSTEM, "values": [1.4, 0.9, 0.96, 1.5]})
    table["lower_is_better"] = ["lower", "lower", "higher", "lower"]
    assert cpxl.grade(**{k: table[k] for k in table.columns}) == 2
