"""Weighted-sum scoring (权重总和计分排序法) for the audit focus and for ranking options."""

from __future__ import annotations

import math
import operator
import sys
from typing import Any

import numpy as np

from .inputs import as_floats, check, public, small_floats

__all__ = ["weighted_score"]


@public("weighted_score")
def weighted_score(weights: Any, ratings: Any) -> Any:
    r"""Weighted sum of ratings for every candidate (an area of the plant, or an option).

    .. math::
        S_k = \sum_j W_j R_{kj}

    *ratings* has one row per candidate and one column per factor. A row that
    is entirely blank (a spare row of a table) scores NaN; a row with some
    ratings blank is refused, naming the row and factor.

    Parameters
    ----------
    weights : array-like of float
        Factor weights W_j, >= 0, one per column of *ratings* (typically 1–10) [-]
    ratings : 2-D array-like of float
        Ratings R_kj, one row per candidate (typically 1–10) [-]

    Returns
    -------
    scores : numpy.ndarray or pandas.Series
        S_k for each row; a Series with the rows' index when *ratings* is a
        DataFrame [-]

    Examples
    --------
    Choosing the audit focus among three workshops on waste quantity (W = 10),
    consumption (8) and CP potential (5):

    >>> weighted_score([10, 8, 5], [[8, 6, 7], [5, 9, 4], [3, 3, 9]])
    array([163., 142., 99.])

    References
    ----------
    .. [1] US EPA. Waste Minimization Opportunity Assessment Manual,
       EPA/625/7-88/003, 1988, worksheets 2 and 11 (weighted-sum screening).
    """
    fast = _small_scores(weights, ratings)
    if fast is not None:
        return fast
    w = as_floats(weights, "weighted_score", "weights")
    check(w.size > 0, "weighted_score", "weights", "has no values")
    check(not np.isnan(w).any(), "weighted_score", "weights", "has a blank weight")
    check(bool((w >= 0).all()), "weighted_score", "weights", "must be >= 0", float(w[np.argmin(w)]))
    table = as_floats(ratings, "weighted_score", "ratings")
    check(table.size > 0, "weighted_score", "ratings", "has no values")
    shape = np.shape(ratings.to_numpy(dtype=object) if hasattr(ratings, "to_numpy") else ratings)
    columns = shape[-1] if len(shape) >= 2 else table.size
    check(
        columns == w.size,
        "weighted_score",
        "ratings",
        f"must have one column per weight ({w.size}), got {columns} columns",
    )
    table = table.reshape(-1, w.size)
    blank = np.isnan(table)
    partly = np.flatnonzero(blank.any(axis=1) & ~blank.all(axis=1))
    if partly.size:
        row = int(partly[0])
        col = int(np.flatnonzero(blank[row])[0])
        check(False, "weighted_score", f"ratings row {row + 1}, factor {col + 1}", "is blank")
    scores = np.where(blank.all(axis=1), np.nan, np.nan_to_num(table) @ w)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(ratings, pandas.DataFrame):
        return pandas.Series(scores, index=ratings.index, name="score")
    return scores


def _small_scores(weights: Any, ratings: Any) -> np.ndarray | None:
    """The scores of a small table of valid ratings, read without numpy; None for anything else.

    Anything this declines (a blank or negative weight, a partly blank row, a shape that does not match,
    a long or unusual argument, a DataFrame) is left to the general path, which also gives every refusal.
    """
    w = small_floats(weights)
    table = small_floats(ratings)
    if not w or not table or min(w) < 0 or sum(w) != sum(w):  # blank, NaN or negative weights
        return None
    if type(ratings) is np.ndarray:
        columns = ratings.shape[-1] if ratings.ndim >= 2 else len(table)
    elif type(ratings) in (list, tuple) and type(ratings[0]) in (list, tuple):
        columns = len(ratings[0])
    else:
        columns = len(table)
    m = len(w)
    if columns != m or len(table) % m:
        return None
    scores = []
    for start in range(0, len(table), m):
        row = table[start : start + m]
        blanks = sum(v != v for v in row)
        if blanks == m:
            scores.append(math.nan)
        elif blanks:
            return None  # a partly blank row: refused by the general path
        else:
            scores.append(math.fsum(map(operator.mul, row, w)))
    return np.array(scores)
