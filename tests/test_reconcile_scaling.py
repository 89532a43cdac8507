"""Reconciliation on every solver path: dense, inverse factor along the tree, Takahashi, and the switches.

Every path must give the values, sigmas, statuses, χ², ν and z of the independent dense reference of
``test_reconcile.dense_reconcile`` (SVD projection, no code shared with cpxl), on non-local flowsheets with
unmeasured, unobservable and exact streams; and the same numbers as each other. The paths are forced through
the modules' thresholds (``DENSE_MAX_ROWS``, ``DENSE_FILL_MAX_ROWS``, ``PATH_MAX_ENTRIES``,
``PATH_BAND_ENTRIES``, ``SMALL_STREAMS``), so that the switch between them is exercised on both sides. No
timings here: performance lives in ``benchmarks/bench_reconcile.py``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats
from test_reconcile import dense_reconcile, noisy

import cpxl.core.balance_inverse
import cpxl.core.reconcile  # noqa: F401
from cpxl.core.flowsheet import Flowsheet, _plain_labels
from cpxl.core.inputs import as_labels
from cpxl.core.reconcile import balance_test, reconcile

R = sys.modules["cpxl.core.reconcile"]  # the solver; it holds the graph threshold SMALL_STREAMS
B = sys.modules["cpxl.core.balance_inverse"]  # M, its factor and inverse: the other thresholds

# the thresholds that pick a path: (DENSE_MAX_ROWS, DENSE_FILL_MAX_ROWS, PATH_MAX_ENTRIES, SMALL_STREAMS)
PATHS = {
    "dense": (10**9, 0, B.PATH_MAX_ENTRIES, R.SMALL_STREAMS),
    "tree": (0, 0, B.PATH_MAX_ENTRIES, R.SMALL_STREAMS),
    "tree, sparse graphs": (0, 0, B.PATH_MAX_ENTRIES, -1),
    "takahashi": (0, 0, 0, R.SMALL_STREAMS),
    "dense, sparse graphs": (10**9, 0, B.PATH_MAX_ENTRIES, -1),
}


def force(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    dense_max, fill_max, path_max, small = PATHS[path]
    monkeypatch.setattr(B, "DENSE_MAX_ROWS", dense_max)
    monkeypatch.setattr(B, "DENSE_FILL_MAX_ROWS", fill_max)
    monkeypatch.setattr(B, "PATH_MAX_ENTRIES", path_max)
    monkeypatch.setattr(R, "SMALL_STREAMS", small)


def spy_modes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The mode (dense, tree, takahashi) of every M that the reconciliation factorises."""
    modes: list[str] = []
    solver = R._Balances

    class Spy(solver):  # type: ignore[misc, valid-type]
        def __init__(self, *args):
            super().__init__(*args)
            modes.append(self.mode)

    monkeypatch.setattr(R, "_Balances", Spy)
    return modes


def nonlocal_flowsheet(rng: np.random.Generator, n_units: int):
    """A flowsheet whose streams join units far apart: the factor of M fills in, bridges span the graph.

    Unit i is fed from a random earlier unit (a spanning tree), one random stream per unit joins any two
    units or a unit and the boundary, one exit per unit closes its balance (a feed from the boundary tops up
    a unit that would lose more than it gets). Returns source, target (None = boundary), true flows.
    """
    parent = np.concatenate([[-1], (rng.random(n_units - 1) * np.arange(1, n_units)).astype(int)])
    a, b = rng.integers(-1, n_units, n_units), rng.integers(-1, n_units, n_units)
    ok = (a != b) & ((a >= 0) | (b >= 0))
    src = np.concatenate([parent, a[ok]])
    tgt = np.concatenate([np.arange(n_units), b[ok]])
    flw = rng.uniform(1, 30, src.size)
    into = np.bincount(tgt[tgt >= 0], flw[tgt >= 0], minlength=n_units)
    out = np.bincount(src[src >= 0], flw[src >= 0], minlength=n_units)
    short = into - out < 1
    top_up = np.where(short, out - into + rng.uniform(1, 10, n_units), 0.0)
    src = np.concatenate([src, np.full(int(short.sum()), -1), np.arange(n_units)])
    tgt = np.concatenate([tgt, np.flatnonzero(short), np.full(n_units, -1)])
    flw = np.concatenate([flw, top_up[short], into + top_up - out])
    key = (src + 1) * (n_units + 1) + (tgt + 1)
    uniq, inv = np.unique(key, return_inverse=True)
    s, t = uniq // (n_units + 1) - 1, uniq % (n_units + 1) - 1
    return [None if u < 0 else f"U{u}" for u in s], [None if u < 0 else f"U{u}" for u in t], np.bincount(inv, flw)


def nonlocal_case(seed: int, n_units: int, p_unmeasured: float = 0.2, p_exact: float = 0.0):
    rng = np.random.default_rng(seed)
    src, tgt, true = nonlocal_flowsheet(rng, n_units)
    x, sigma = noisy(rng, true, 0.05, 0.05, p_unmeasured=p_unmeasured, p_exact=p_exact)
    return src, tgt, true, x, sigma


def assert_matches_reference(res, ref, true) -> None:
    assert list(res.status) == list(ref["status"])
    np.testing.assert_allclose(res.value, ref["value"], rtol=1e-9, atol=1e-9 * np.max(true), equal_nan=True)
    np.testing.assert_allclose(res.sigma**2, ref["var"], rtol=1e-7, atol=1e-9 * np.nanmax(true) ** 2, equal_nan=True)
    np.testing.assert_allclose(res.z, ref["z"], rtol=1e-6, atol=1e-7, equal_nan=True)
    assert res.dof == ref["dof"]
    assert res.chi2 == pytest.approx(ref["chi2"], rel=1e-8, abs=1e-10)


def assert_same(a, b) -> None:
    assert list(a.status) == list(b.status)
    for key in ("value", "sigma", "z"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-12 * np.nanmax(a.value), equal_nan=True)
    assert (a.chi2, a.dof, a.passed) == (pytest.approx(b.chi2, rel=1e-10, abs=1e-12), b.dof, b.passed)


# ---------------------------------------------------------------------------------------------- every path
@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("p_unm,p_exact", [(0.2, 0.0), (0.4, 0.05)])
def test_every_path_agrees_with_the_dense_reference_on_nonlocal_flowsheets(monkeypatch, path, p_unm, p_exact):
    force(monkeypatch, path)
    modes = spy_modes(monkeypatch)
    seen = set()
    for seed in range(6):
        src, tgt, true, x, sigma = nonlocal_case(400 + seed, int(10 + 12 * seed), p_unm, p_exact)
        res = reconcile(src, tgt, x, sigma)
        ref = dense_reconcile(src, tgt, x, sigma)
        assert_matches_reference(res, ref, true)
        seen.update(res.status)
    assert {"measured-redundant", "observable", "unobservable"} <= seen  # the cases cover what they should
    expected = {"dense": "dense", "takahashi": "takahashi"}.get(path.split(",")[0], "tree")
    assert modes and set(modes) == {expected}


@pytest.mark.parametrize("path", ["tree", "takahashi", "tree, sparse graphs"])
def test_paths_agree_with_each_other_on_a_larger_nonlocal_flowsheet(monkeypatch, path):
    # ~900 streams, ~100 balances: the factor fills in and the bridges ask for entries of M⁻¹ far apart
    src, tgt, _, x, sigma = nonlocal_case(7, 300)
    force(monkeypatch, "dense")
    ref = reconcile(src, tgt, x, sigma)
    force(monkeypatch, path)
    res = reconcile(src, tgt, x, sigma)
    assert_same(res, ref)
    assert (res.status == "observable").sum() > 20 and (res.status == "unobservable").sum() > 5


def test_switch_between_dense_and_sparse_at_the_threshold(monkeypatch):
    src, tgt, true, x, sigma = nonlocal_case(11, 60)
    modes = spy_modes(monkeypatch)
    monkeypatch.setattr(B, "DENSE_FILL_MAX_ROWS", 0)
    monkeypatch.setattr(B, "DENSE_MAX_ROWS", 10**9)
    reconcile(src, tgt, x, sigma)
    n_rows = reconcile(src, tgt, x, sigma).dof
    results = {}
    for limit in (n_rows, n_rows - 1):  # at the threshold: dense; one below: sparse
        monkeypatch.setattr(B, "DENSE_MAX_ROWS", limit)
        modes.clear()
        results[limit] = reconcile(src, tgt, x, sigma)
        assert modes == ["dense" if limit >= n_rows else "tree"]
    assert_same(results[n_rows], results[n_rows - 1])
    assert_matches_reference(results[n_rows - 1], dense_reconcile(src, tgt, x, sigma), true)


def test_a_factor_that_fills_in_switches_to_the_dense_inverse(monkeypatch):
    # every pair of 25 units joined by a measured stream: M is full, its tree a chain; the dense inverse is
    # cheaper than storing L⁻¹ along that chain, so it is chosen above DENSE_MAX_ROWS too
    rng = np.random.default_rng(3)
    n_units = 25
    pairs = [(a, b) for a in range(n_units) for b in range(n_units) if a < b]
    src = [f"U{a}" for a, _ in pairs] + [None] * n_units + [f"U{u}" for u in range(n_units)]
    tgt = [f"U{b}" for _, b in pairs] + [f"U{u}" for u in range(n_units)] + [None] * n_units
    q = rng.uniform(1, 10, len(pairs))
    into = np.bincount([b for _, b in pairs], q, minlength=n_units)
    out = np.bincount([a for a, _ in pairs], q, minlength=n_units)
    feed = out + 5.0
    true = np.concatenate([q, feed, into + feed - out])
    x, sigma = noisy(rng, true, 0.02, 0.05, p_unmeasured=0.1)
    modes = spy_modes(monkeypatch)
    monkeypatch.setattr(B, "DENSE_MAX_ROWS", 0)
    res = reconcile(src, tgt, x, sigma)
    assert modes == ["dense"]
    assert_matches_reference(res, dense_reconcile(src, tgt, x, sigma), true)
    monkeypatch.setattr(B, "DENSE_FILL_MAX_ROWS", 0)  # the same problem on the tree
    modes.clear()
    assert_same(reconcile(src, tgt, x, sigma), res)
    assert modes == ["tree"]


def test_small_problem_dense_path_matches_the_sparse_path(monkeypatch):
    # the worksheet's case: tens of streams, called once per output column
    for seed in range(20):
        src, tgt, true, x, sigma = nonlocal_case(900 + seed, 10, p_unmeasured=0.25, p_exact=0.05)
        force(monkeypatch, "dense")
        small = reconcile(src, tgt, x, sigma, alpha=0.1)
        force(monkeypatch, "tree, sparse graphs")
        big = reconcile(src, tgt, x, sigma, alpha=0.1)
        assert_same(small, big)
        assert small.z_critical == big.z_critical and list(small.suspect) == list(big.suspect)
        assert_matches_reference(small, dense_reconcile(src, tgt, x, sigma), true)


def test_gross_error_elimination_is_the_same_on_both_paths(monkeypatch):
    src, tgt, _, x, sigma = nonlocal_case(5, 40)
    x = x.copy()
    k = int(np.flatnonzero(~np.isnan(x))[3])
    x[k] *= 1.6
    force(monkeypatch, "dense")
    a = reconcile(src, tgt, x, sigma, eliminate_gross_errors=True)
    force(monkeypatch, "tree, sparse graphs")
    b = reconcile(src, tgt, x, sigma, eliminate_gross_errors=True)
    assert a.eliminated == b.eliminated and a.eliminated
    assert_same(a, b)


@pytest.mark.parametrize("path", list(PATHS))
def test_balance_test_is_the_same_on_every_path(monkeypatch, path):
    src, tgt, _, x, sigma = nonlocal_case(21, 50, p_exact=0.05)
    force(monkeypatch, path)
    t = balance_test(src, tgt, x, sigma, alpha=0.1)
    ref = dense_reconcile(src, tgt, x, sigma)
    assert t.dof == ref["dof"] and t.chi2 == pytest.approx(ref["chi2"], rel=1e-9)
    assert t.critical_value == pytest.approx(stats.chi2.isf(0.1, t.dof), rel=1e-12)


# ---------------------------------------------------------------------------------------------- the pieces
def grounded_laplacian(rng: np.random.Generator, n: int, extra: int):
    """Edges of a random connected graph over n nodes and a ground (row -1), with positive weights."""
    parent = (rng.random(n) * np.arange(n)).astype(int) - 1  # node 0 hangs from the ground
    a, b = rng.integers(-1, n, extra), rng.integers(-1, n, extra)
    ok = a != b
    ru = np.concatenate([np.arange(n), a[ok]])
    rv = np.concatenate([parent, b[ok]])
    return ru, rv, rng.uniform(0.1, 10.0, ru.size)


@pytest.mark.parametrize("n,extra", [(30, 10), (200, 150), (400, 900)])
def test_inverse_factor_gives_any_entry_of_the_inverse(n, extra):
    rng = np.random.default_rng(n)
    ru, rv, wk = grounded_laplacian(rng, n, extra)
    mm = B._laplacian(n, ru, rv, wk, dense=False)
    zref = np.linalg.inv(mm.toarray())
    factor = B._LDL(mm)
    tree = B._InverseFactor.build(factor)
    assert tree is not None
    i, j = rng.integers(0, n, 3000), rng.integers(0, n, 3000)  # pairs far apart, not on the pattern of L
    got = tree.entries(factor.pos[i], factor.pos[j])
    np.testing.assert_allclose(got, zref[i, j], rtol=1e-9, atol=1e-12 * np.abs(zref).max())
    np.testing.assert_allclose(tree.diag[factor.pos], np.diag(zref), rtol=1e-10)
    # and the quadratic forms of sparse rows, on every mode
    g = sp.random_array((50, n), density=0.02, random_state=rng, format="csr")
    want = np.einsum("ij,jk,ik->i", g.toarray(), zref, g.toarray())
    for dense_max in (10**9, 0):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(B, "DENSE_MAX_ROWS", dense_max)
            mp.setattr(B, "DENSE_FILL_MAX_ROWS", 0)
            bal = B._Balances(n, ru, rv, wk)
            np.testing.assert_allclose(bal.row_forms(g), want, rtol=1e-9, atol=1e-14)
            np.testing.assert_allclose(bal.row_forms(g.toarray()), want, rtol=1e-9, atol=1e-14)
            d = np.zeros((n + 1, n + 1))
            d[:n, :n] = zref
            np.testing.assert_allclose(
                bal.edge_forms(ru, rv), d[ru, ru] + d[rv, rv] - 2 * d[ru, rv], rtol=1e-9, atol=1e-14
            )


def test_inverse_factor_refuses_a_tree_too_tall_and_builds_a_tall_one_in_bands(monkeypatch):
    rng = np.random.default_rng(1)
    ru, rv, wk = grounded_laplacian(rng, 300, 400)
    mm = B._laplacian(300, ru, rv, wk, dense=False)
    zref = np.linalg.inv(mm.toarray())
    factor = B._LDL(mm)
    one = B._InverseFactor.build(factor)
    assert one is not None and len(one.bands) == 1 and one.height > 10
    i, j = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    for band_entries in (300, 300 * 3, 300 * 7):  # one depth at a time, three, seven
        monkeypatch.setattr(B, "PATH_BAND_ENTRIES", band_entries)
        tree = B._InverseFactor.build(factor)
        assert tree is not None and len(tree.bands) == -(-(one.height + 1) // (band_entries // 300))
        got = tree.entries(factor.pos[i], factor.pos[j])
        np.testing.assert_allclose(got, zref[i, j], rtol=1e-9, atol=1e-12 * np.abs(zref).max())
        np.testing.assert_allclose(tree.diag[factor.pos], np.diag(zref), rtol=1e-10)
    monkeypatch.setattr(B, "PATH_MAX_ENTRIES", 300 * one.height)  # one depth short
    assert B._InverseFactor.build(factor) is None


def test_reconcile_on_a_tree_built_in_bands(monkeypatch):
    src, tgt, true, x, sigma = nonlocal_case(17, 200)
    force(monkeypatch, "tree")
    one = reconcile(src, tgt, x, sigma)
    monkeypatch.setattr(B, "PATH_BAND_ENTRIES", 1)
    assert_same(reconcile(src, tgt, x, sigma), one)
    assert_matches_reference(one, dense_reconcile(src, tgt, x, sigma), true)


@pytest.mark.parametrize("n_nodes,n_edges", [(1, 0), (10, 3), (50, 40), (200, 150), (300, 600)])
def test_union_find_components_equal_csgraph(monkeypatch, n_nodes, n_edges):
    rng = np.random.default_rng(n_nodes + n_edges)
    a, b = rng.integers(0, n_nodes, n_edges), rng.integers(0, n_nodes, n_edges)
    monkeypatch.setattr(R, "SMALL_STREAMS", 10**9)
    k1, lab1 = R._components(n_nodes, a, b)
    monkeypatch.setattr(R, "SMALL_STREAMS", -1)
    k2, lab2 = R._components(n_nodes, a, b)
    assert k1 == k2
    np.testing.assert_array_equal(lab1, lab2)


def test_plain_labels_equal_as_labels():
    cases = [
        ["", " ", "A", " b ", None, 1, 2.0, 2.5, float("nan"), float("inf"), -3, 10**20, 1e20, -0.0, "\t"],
        np.array(["x", "", " y"]),
        np.array([None, "a", 3, 4.0], dtype=object),
        ("P", None),
    ]
    for case in cases:
        assert _plain_labels(case, len(case)) == as_labels(case, "f", "source", len(case))
    # anything else is left to as_labels
    assert _plain_labels([True, "a"], 2) is None
    assert _plain_labels([np.int64(3)], 1) is None
    assert _plain_labels(np.array([[1, 2]], dtype=object), 2) is None
    fs = Flowsheet.from_streams(np.array([None, 1, 2], dtype=object), [1.0, 2, " "])
    assert fs.units == ("1", "2") and list(fs.target) == [0, 1, -1]


def test_tests_use_scipy_special_with_the_values_of_scipy_stats():
    # χ²(ν) quantile and tail, and the Šidák-corrected normal quantile, on the values reconcile reports
    src, tgt, _, x, sigma = nonlocal_case(2, 30)
    res = reconcile(src, tgt, x, sigma, alpha=0.01)
    assert res.critical_value == pytest.approx(stats.chi2.isf(0.01, res.dof), rel=1e-12)
    assert res.p_value == pytest.approx(stats.chi2.sf(res.chi2, res.dof), rel=1e-10)
    m = int(np.isfinite(res.z).sum())
    assert res.z_critical == pytest.approx(stats.norm.isf((1 - 0.99 ** (1 / m)) / 2), rel=1e-12)


def test_importing_reconcile_does_not_import_scipy_stats():
    code = "import sys, cpxl.core.reconcile; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
