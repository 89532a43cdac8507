"""Grading a plant against a cleaner-production indicator system (清洁生产评价指标体系, 2013 method)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import as_flags, as_floats, as_labels, check, position, public

__all__ = ["PASS_SCORE", "effective_weights", "grade", "levels_met"]

#: Composite score a plant needs for level I or II (DOMAIN §4); level III needs 100.
PASS_SCORE = 85.0
_TOLERANCE = 1e-9  # composite scores are sums of weights x 100; compare thresholds with this slack


def levels_met(values: np.ndarray, levels: list[np.ndarray], lower: np.ndarray) -> np.ndarray:
    """Boolean (n, 3): indicator i meets level k (meeting I counts as meeting II and III); a blank meets none.

    Examples
    --------
    >>> levels_met(np.array([1.8, np.nan]), [np.array([1.5, 1]), np.array([2.0, 2]), np.array([3.0, 3])],
    ...            np.array([True, True]))
    array([[False,  True,  True],
           [False, False, False]])
    """
    meets = np.zeros((values.size, 3), dtype=bool)
    for k, bench in enumerate(levels):
        with np.errstate(invalid="ignore"):
            meets[:, k] = np.where(lower, values <= bench, values >= bench)
    return np.logical_or.accumulate(meets, axis=1)


@public("grade")
def grade(
    values: Any,
    level_1: Any,
    level_2: Any,
    level_3: Any,
    lower_is_better: Any,
    weights: Any,
    groups: Any = None,
    limiting: Any = None,
    output: str | None = None,
) -> Any:
    r"""Cleaner-production level of a plant by the 2013 indicator-system method: 1, 2, 3, or 0 (not attained).

    Membership of indicator i at level k is 100 when it meets the level
    (value ≤ level_k when lower is better, ≥ otherwise; meeting I counts as
    meeting II and III), else 0. The composite score is

    .. math::
        Y_k = \sum_i w_i \, Y_{g_k}(x_i)

    with w_i the indicator's weight in the composite (first-level weight times
    second-level weight, summing to 1). A missing value (blank) drops the
    indicator and renormalises the weights of its group (``groups``; without
    groups, all indicators form one group). The plant is

    - level I when Y_I ≥ 85 and every limiting indicator meets I;
    - level II when Y_II ≥ 85 and every limiting indicator meets at least II;
    - level III when Y_III = 100;
    - otherwise 0, not attained.

    Parameters
    ----------
    values : array-like of float
        The plant's value of each indicator; blank when missing or not applicable [indicator unit]
    level_1, level_2, level_3 : array-like of float
        Benchmark values of levels I, II, III for each indicator [indicator unit]
    lower_is_better : array-like of bool
        Direction of each indicator: TRUE (or "lower") when lower values are better [-]
    weights : array-like of float
        Weight of each indicator in the composite, summing to 1 [-]
    groups : array-like of str, optional
        First-level group of each indicator, for renormalising missing values [-]
    limiting : array-like of bool, optional
        TRUE for limiting (限定性) indicators; blank is FALSE [-]
    output : str, optional
        ``"grade"`` (default) for the level, ``"scores"`` for (Y_I, Y_II, Y_III) [-]

    Returns
    -------
    grade : int or numpy.ndarray
        1, 2, 3 or 0; or the array [Y_I, Y_II, Y_III] on a 0–100 scale [-]

    Examples
    --------
    Three indicators: water use (lower is better, weight 0.5), reuse rate
    (higher is better, 0.3, limiting) and waste (lower is better, 0.2):

    >>> args = ([1.8, 0.92, 6.0], [1.5, 0.95, 5.0], [2.0, 0.90, 8.0], [3.0, 0.85, 12.0],
    ...         [True, False, True], [0.5, 0.3, 0.2])
    >>> grade(*args, limiting=[False, True, False])
    2
    >>> grade(*args, output="scores")
    array([  0., 100., 100.])

    References
    ----------
    .. [1] 国家发展改革委, 环境保护部, 工业和信息化部. 《清洁生产评价指标体系编制通则》(试行稿),
       2013 (综合评价指数, 限定性指标, Y_I ≥ 85 for level I).
    """
    func = "grade"
    x = as_floats(values, func, "values")
    n = x.size
    levels = []
    for k, name in enumerate(("level_1", "level_2", "level_3")):
        bench = as_floats((level_1, level_2, level_3)[k], func, name)
        check(bench.size == n, func, name, f"must have one entry per indicator ({n})", bench.size)
        levels.append(bench)
    lower = as_flags(lower_is_better, func, "lower_is_better", n)
    w = as_floats(weights, func, "weights")
    check(w.size == n, func, "weights", f"must have one entry per indicator ({n})", w.size)
    labels = as_labels(groups, func, "groups", n) if groups is not None else [None] * n
    limit = as_flags(limiting, func, "limiting", n, default=False) if limiting is not None else np.zeros(n, bool)
    mode = "grade" if output is None or not str(output).strip() else str(output).strip().lower()
    check(mode in ("grade", "scores"), func, "output", 'must be "grade" or "scores"', output)

    for i in range(n):
        row = f"indicator {i + 1}"
        check(not np.isnan(w[i]) and w[i] >= 0, func, position("weights", i, n), "must be a number >= 0", w[i])
        bench = [lv[i] for lv in levels]
        for k, value in enumerate(bench):
            check(not np.isnan(value), func, position(f"level_{k + 1}", i, n), "is blank")
        ordered = bench[0] <= bench[1] <= bench[2] if lower[i] else bench[0] >= bench[1] >= bench[2]
        direction = "lower" if lower[i] else "higher"
        check(
            ordered,
            func,
            row,
            f"has levels out of order for {direction}-is-better (level_1={bench[0]:g}, level_2={bench[1]:g}, "
            f"level_3={bench[2]:g})",
        )
        check(
            not (limit[i] and np.isnan(x[i])),
            func,
            position("values", i, n),
            "is blank for a limiting indicator: the grade needs it",
        )
    total = float(w.sum())
    check(abs(total - 1) <= 1e-6, func, "weights", "must sum to 1 (give 20 % as 0.2)", total)

    effective = effective_weights(w, x, labels)
    meets = levels_met(x, levels, lower)
    scores = 100.0 * (effective @ meets)
    if mode == "scores":
        return scores
    limits_met = meets[limit].all(axis=0) if limit.any() else np.ones(3, dtype=bool)
    if scores[0] >= PASS_SCORE - _TOLERANCE and limits_met[0]:
        return 1
    if scores[1] >= PASS_SCORE - _TOLERANCE and limits_met[1]:
        return 2
    if scores[2] >= 100.0 - _TOLERANCE:
        return 3
    return 0


def effective_weights(w: np.ndarray, x: np.ndarray, labels: list[str | None]) -> np.ndarray:
    """Weights with missing (NaN) indicators dropped and their group's weight spread over its other members.

    Examples
    --------
    >>> effective_weights(np.array([0.3, 0.2, 0.5]), np.array([1.0, np.nan, 2.0]), ["a", "a", "b"])
    array([0.5, 0. , 0.5])
    """
    missing = np.isnan(x)
    effective = np.where(missing, 0.0, w)
    for group in dict.fromkeys(labels):
        members = np.array([label == group for label in labels])
        available = effective[members].sum()
        name = "all indicators" if group is None else f"group {group!r}"
        check(
            available > 0 or w[members].sum() == 0,
            "grade",
            "values",
            f"has no value in {name}: the group's weight cannot be spread",
        )
        if available > 0:
            effective[members] *= w[members].sum() / available
    return effective
