"""Benchmark :func:`cpxl.core.reconcile.reconcile` on local and non-local flowsheets, and on small problems.

Baselines, each measured in the same run, calls interleaved with cpxl's:

* **CHOLMOD** (scikit-sparse, when it imports; skipped otherwise): the uncertainty step — factorise
  M = A_r W A_rᵀ and compute diag(G M⁻¹ Gᵀ) for the rows G of every redundant measurement and every
  observable unmeasured stream — done by a supernodal Cholesky factor and sparse triangular solves
  (‖L⁻¹ P gᵀ‖²). cpxl's uncertainty step is timed on the same M and G. Target: within 3× at 30k
  streams (non-local).
* **dense numpy**: the textbook closed form (projection of the unmeasured columns by SVD, Crowe et al.
  1983, with the classification by rank), on the sizes up to ``--dense-max``; and on the small problems
  (30 and 300 streams), per call, where the target is cpxl within 3× of it, classification included.

Topologies (20 % of the streams unmeasured):

* *local* (:func:`random_flowsheet`): a main line through every unit plus short paths that hop between nearby
  units (bypasses and recycles), 1–10 % noise;
* *non-local* (:func:`nonlocal_flowsheet`): unit i fed from a random earlier unit (a spanning tree), random
  streams between any two units and to the boundary, one exit per unit, about 3 streams per unit, σ = 5 %.

Targets: non-local 10k streams < 0.5 s and 30k < 3 s; local 100k < 1.5 s (whole reconciliation, with
classification and every uncertainty); time growing no faster than n^1.5 on both topologies (exponent fitted
over the sizes of at least 1,000 streams).

Run: ``python benchmarks/bench_reconcile.py [--quick] [--local 1000 10000 100000] [--nonlocal 1000 10000 30000]
[--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from timing import record

import cpxl.core.reconcile  # noqa: F401  (the module, for its solver internals)
from cpxl.core.reconcile import reconcile

R = sys.modules["cpxl.core.reconcile"]

try:
    from sksparse.cholmod import cholesky as cholmod_cholesky
except ImportError:  # scikit-sparse is only a baseline: skipped where it does not build
    cholmod_cholesky = None


# ---------------------------------------------------------------------------------------------- flowsheets
def random_flowsheet(n_target: int, rng: np.random.Generator, span: int = 4):
    """Source, target (-1 = boundary) and balancing true flows of a local flowsheet with about n_target streams."""
    n_units = max(2, n_target // 4)
    n_paths = max(1, int(n_target * 0.45))
    hops = 3
    start = rng.integers(0, n_units, n_paths)
    steps = rng.integers(-1, span + 1, (n_paths, hops))
    nodes = np.clip(
        start[:, None] + np.cumsum(np.concatenate([np.zeros((n_paths, 1), int), steps], 1), 1), 0, n_units - 1
    )
    length = rng.integers(1, hops + 2, n_paths)  # units visited by each path
    q = rng.uniform(1, 30, n_paths)
    loop = (rng.random(n_paths) < 0.15) & (length > 1)
    src, tgt, flw = [], [], []
    # the main line: boundary -> 0 -> 1 -> ... -> last -> boundary
    main = np.arange(n_units)
    src += [np.array([-1]), main[:-1], main[-1:]]
    tgt += [main[:1], main[1:], np.array([-1])]
    flw += [np.full(n_units + 1, 50.0)]
    for h in range(hops):  # hop h of every path that is long enough
        on = length > h + 1
        src.append(nodes[on, h])
        tgt.append(nodes[on, h + 1])
        flw.append(q[on])
    last = nodes[np.arange(n_paths), length - 1]
    first = nodes[:, 0]
    open_ = ~loop
    src += [np.full(open_.sum(), -1), last[open_], last[loop]]
    tgt += [first[open_], np.full(open_.sum(), -1), first[loop]]
    flw += [q[open_], q[open_], q[loop]]
    return _merge(np.concatenate(src), np.concatenate(tgt), np.concatenate(flw), n_units)


def nonlocal_flowsheet(n_target: int, rng: np.random.Generator):
    """Source, target (-1 = boundary) and balancing true flows of a non-local flowsheet, about n_target streams.

    Unit i is fed from a random earlier unit (unit 0 from the boundary): a spanning tree. One random stream
    per unit joins any two units or a unit and the boundary. A feed from the boundary tops up a unit whose
    outflows would exceed its inflows; one exit per unit to the boundary closes every balance.
    """
    m = max(2, n_target // 3)
    parent = np.concatenate([[-1], (rng.random(m - 1) * np.arange(1, m)).astype(int)])
    a, b = rng.integers(-1, m, m - 1), rng.integers(-1, m, m - 1)
    ok = (a != b) & ((a >= 0) | (b >= 0))
    src = np.concatenate([parent, a[ok]])
    tgt = np.concatenate([np.arange(m), b[ok]])
    flw = rng.uniform(1, 30, src.size)
    into = np.bincount(tgt[tgt >= 0], flw[tgt >= 0], minlength=m)
    out = np.bincount(src[src >= 0], flw[src >= 0], minlength=m)
    short = into - out < 1
    top_up = np.where(short, out - into + rng.uniform(1, 10, m), 0.0)
    src = np.concatenate([src, np.full(int(short.sum()), -1), np.arange(m)])
    tgt = np.concatenate([tgt, np.flatnonzero(short), np.full(m, -1)])
    flw = np.concatenate([flw, top_up[short], into + top_up - out])
    return _merge(src, tgt, flw, m)


def _merge(s: np.ndarray, t: np.ndarray, f: np.ndarray, n_units: int):
    """One stream per (source, target) pair, flows added; a stream from a unit to itself dropped."""
    keep = s != t
    s, t, f = s[keep], t[keep], f[keep]
    key = (s + 1) * (n_units + 1) + (t + 1)
    uniq, inv = np.unique(key, return_inverse=True)
    return uniq // (n_units + 1) - 1, uniq % (n_units + 1) - 1, np.bincount(inv, f)


def measurements(true: np.ndarray, rng: np.random.Generator, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Noisy positive measurements (20 % blank) and their σ: 5 % (non-local) or 1–10 % (local)."""
    n = true.size
    sigma = true * (0.05 if kind == "non-local" else rng.uniform(0.01, 0.1, n))
    x = np.abs(true + sigma * rng.standard_normal(n))
    x[rng.random(n) < 0.2] = np.nan
    return x, sigma


def labels(s: np.ndarray) -> np.ndarray:
    """Unit labels as a worksheet passes them: numbers, blank (None) for the boundary."""
    return np.where(s < 0, None, s.astype(object))


# ---------------------------------------------------------------------------------------------- baselines
def dense_reconcile(s: np.ndarray, t: np.ndarray, x: np.ndarray, sigma: np.ndarray) -> dict[str, Any]:
    """Textbook dense closed form with classification: SVD projection of the unmeasured columns (Crowe et al.)."""
    n_units = int(max(s.max(), t.max())) + 1
    n = s.size
    a = np.zeros((n_units, n))
    cols = np.arange(n)
    a[t[t >= 0], cols[t >= 0]] += 1
    a[s[s >= 0], cols[s >= 0]] -= 1
    meas = ~np.isnan(x)
    ay, ax = a[:, ~meas], a[:, meas]
    uy, sy, vty = np.linalg.svd(ay, full_matrices=True)  # rank-revealing (QR without pivoting is not)
    rank = int((sy > 1e-9).sum())
    p = uy[:, rank:].T
    ar = p @ ax
    redundant = np.linalg.norm(ar, axis=0) > 1e-9
    observable = np.linalg.norm(vty[rank:].T, axis=1) < 1e-9
    w = sigma[meas] ** 2
    mm = (ar * w) @ ar.T
    minv = np.linalg.pinv(mm, hermitian=True)
    r = ar @ x[meas]
    lam = minv @ r
    xh = x[meas] - w * (ar.T @ lam)
    adj = w * w * np.einsum("ij,ij->j", ar, minv @ ar)
    py = np.linalg.pinv(ay)
    b = py @ ax
    bqa = (b * w) @ ar.T
    value = np.full(n, np.nan)
    var = np.full(n, np.nan)
    value[meas] = xh
    var[meas] = w - adj
    ui = np.flatnonzero(~meas)
    value[ui] = np.where(observable, -b @ xh, np.nan)
    var_y = np.einsum("ij,j,ij->i", b, w, b) - np.einsum("ij,jk,ik->i", bqa, minv, bqa)
    var[ui] = np.where(observable, var_y, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(redundant, (x[meas] - xh) / np.sqrt(adj), np.nan)
    return {"value": value, "var": var, "z": z, "chi2": float(r @ lam), "redundant": redundant}


def uncertainty_problem(src: Any, tgt: Any, x: np.ndarray, sigma: np.ndarray) -> dict[str, Any]:
    """The inputs of cpxl's uncertainty step for one reconciliation: M's edges and the bridge rows G."""
    captured: dict[str, Any] = {"g": None}
    solver = R._Balances

    class Spy(solver):  # type: ignore[misc, valid-type]
        def __init__(self, n_rows, ru, rv, wk):
            captured["args"] = (n_rows, ru, rv, wk)
            super().__init__(n_rows, ru, rv, wk)

        def row_forms(self, g):
            captured["g"] = g
            return super().row_forms(g)

    R._Balances = Spy
    try:
        reconcile(src, tgt, x, sigma)
    finally:
        R._Balances = solver
    return captured


def cpxl_uncertainty(problem: dict[str, Any]) -> np.ndarray:
    """cpxl's uncertainty step: factorise M, then the entries of M⁻¹ that every variance needs."""
    n_rows, ru, rv, wk = problem["args"]
    bal = R._Balances(n_rows, ru, rv, wk)
    q = bal.edge_forms(ru, rv)
    if problem["g"] is not None:
        q = np.concatenate([q, bal.row_forms(problem["g"])])
    return q


def cholmod_problem(problem: dict[str, Any]) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    """M and the right-hand sides Gᵀ (every redundant measurement, then every bridge) for CHOLMOD, built once."""
    n_rows, ru, rv, wk = problem["args"]
    mm = R._laplacian(n_rows, ru, rv, wk, dense=False)
    on_u, on_v = ru >= 0, rv >= 0
    k = ru.size
    edges = sp.csr_array(
        (
            np.concatenate([np.ones(int(on_u.sum())), -np.ones(int(on_v.sum()))]),
            (np.concatenate([np.flatnonzero(on_u), np.flatnonzero(on_v)]), np.concatenate([ru[on_u], rv[on_v]])),
        ),
        shape=(k, n_rows),
    )
    g = edges if problem["g"] is None else sp.vstack([edges, sp.csr_array(problem["g"])], format="csr")
    return _long(mm), _long(g.T)


def cholmod_uncertainty(mm: sp.csc_matrix, rhs: sp.csc_matrix) -> np.ndarray:
    """The same numbers by CHOLMOD: M = P L Lᵀ Pᵀ, then ‖L⁻¹ P gᵀ‖² for every row g (sparse solves)."""
    factor = cholmod_cholesky(mm)
    with warnings.catch_warnings():  # CHOLMOD converts the index type of its own permuted copy
        warnings.simplefilter("ignore")
        y = factor.solve_L(factor.apply_P(rhs), use_LDLt_decomposition=False)
    return np.asarray(y.multiply(y).sum(axis=0)).ravel()


def _long(a: Any) -> sp.csc_matrix:
    """A CSC matrix with 64-bit indices, as CHOLMOD wants them (no conversion inside the timed call)."""
    m = sp.csc_matrix(a)
    m.indices = m.indices.astype(np.int64)
    m.indptr = m.indptr.astype(np.int64)
    return m


# ---------------------------------------------------------------------------------------------- timing
def paired_medians(actions: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Median seconds of each action, the actions called in turn so that a noisy machine hurts all alike."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for action, seconds in zip(actions, times, strict=True):
            start = time.perf_counter()
            action()
            seconds.append(time.perf_counter() - start)
    return [statistics.median(s) for s in times]


def size_name(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def growth(ns: list[int], ts: list[float]) -> float:
    """Exponent p of t ∝ n^p fitted over the sizes of at least 1,000 streams (all sizes if fewer than two)."""
    n, t = np.array(ns, float), np.array(ts)
    big = n >= 1000
    if big.sum() >= 2:
        n, t = n[big], t[big]
    return float(np.polyfit(np.log(n), np.log(t), 1)[0])


# ---------------------------------------------------------------------------------------------- runs
def run_topology(kind: str, sizes: list[int], args: argparse.Namespace, rng: np.random.Generator) -> None:
    gen = nonlocal_flowsheet if kind == "non-local" else random_flowsheet
    limits = {"non-local": {10_000: 0.5, 30_000: 3.0}, "local": {100_000: 1.5}}[kind]
    print(f"\n--- {kind} flowsheets")
    print(f"{'n':>8} {'rows':>6} {'cpxl s':>9} {'step s':>9} {'CHOLMOD':>9} {'dense s':>9}  statuses")
    ns, tcs = [], []
    for size in sizes:
        s, t, true = gen(size, rng)
        x, sigma = measurements(true, rng, kind)
        src, tgt = labels(s), labels(t)
        n = s.size
        reps = args.repeats if n <= 20_000 else max(3, args.repeats // 2)
        res = reconcile(src, tgt, x, sigma)
        (tc,) = paired_medians([lambda src=src, tgt=tgt, x=x, sigma=sigma: reconcile(src, tgt, x, sigma)], reps)
        problem = uncertainty_problem(src, tgt, x, sigma)
        n_rows = problem.get("args", (0,))[0]
        step_actions = [lambda p=problem: cpxl_uncertainty(p)]
        if cholmod_cholesky is not None and n_rows:
            mm, rhs = cholmod_problem(problem)
            ours, theirs = cpxl_uncertainty(problem), cholmod_uncertainty(mm, rhs)
            err = np.max(np.abs(ours - theirs)) / max(np.abs(theirs).max(), 1e-300)
            assert err < 1e-8, f"cpxl and CHOLMOD disagree by {err:.1e} (relative)"
            step_actions.append(lambda mm=mm, rhs=rhs: cholmod_uncertainty(mm, rhs))
        steps = paired_medians(step_actions, reps) if n_rows else [0.0]
        td = np.nan
        if n <= args.dense_max:
            (td,) = paired_medians([lambda s=s, t=t, x=x, sigma=sigma: dense_reconcile(s, t, x, sigma)], 3)
            ref = dense_reconcile(s, t, x, sigma)
            known = np.isfinite(res.value)
            assert np.array_equal(known, np.isfinite(ref["value"]))
            err = np.max(np.abs(res.value[known] - ref["value"][known])) / np.abs(ref["value"][known]).max()
            assert err < 1e-6, f"cpxl and the dense baseline disagree by {err:.1e} (relative)"
        counts = [int((res.status == k).sum()) for k in R.STATUSES]
        chol_txt = f"{steps[1]:9.4f}" if len(steps) > 1 else f"{'-':>9}"
        dense_txt = f"{td:9.4f}" if np.isfinite(td) else f"{'-':>9}"
        print(f"{n:8d} {n_rows:6d} {tc:9.4f} {steps[0]:9.4f} {chol_txt} {dense_txt}  {counts}", flush=True)
        ns.append(n)
        tcs.append(tc)
        name = size_name(size)
        limit = limits.get(size)
        record(
            f"reconcile, {kind}, {name} streams",
            tc,
            td if np.isfinite(td) else None,
            baseline_name="dense numpy" if np.isfinite(td) else "",
            max_seconds=limit,
        )
        if len(steps) > 1:
            record(
                f"uncertainty step, {kind}, {name} streams",
                steps[0],
                steps[1],
                baseline_name="CHOLMOD",
                max_ratio=3.0 if (kind == "non-local" and size >= 30_000) else None,
            )
    if len(ns) >= 2:
        p = growth(ns, tcs)
        print(f"growth exponent of cpxl time in n ({kind}): {p:.2f}")
        record(f"growth exponent, {kind}, {size_name(min(sizes))}-{size_name(max(sizes))}", p, max_seconds=1.5, unit="")


def run_small(sizes: list[int], repeats: int, rng: np.random.Generator) -> None:
    print("\n--- small problems, per call (worksheet lists in, classification included)")
    print(f"{'n':>6} {'cpxl ms':>9} {'dense ms':>9} {'ratio':>6}")
    for size in sizes:
        s, t, true = nonlocal_flowsheet(size, rng)
        x, sigma = measurements(true, rng, "non-local")
        src, tgt, xs, ss = list(labels(s)), list(labels(t)), x.tolist(), sigma.tolist()
        res = reconcile(src, tgt, xs, ss)
        ref = dense_reconcile(s, t, x, sigma)
        known = np.isfinite(res.value)
        assert np.array_equal(known, np.isfinite(ref["value"]))
        np.testing.assert_allclose(res.value[known], ref["value"][known], rtol=1e-8)
        ours, dense = paired_medians(
            [
                lambda src=src, tgt=tgt, xs=xs, ss=ss: reconcile(src, tgt, xs, ss),
                lambda s=s, t=t, x=x, sigma=sigma: dense_reconcile(s, t, x, sigma),
            ],
            repeats,
        )
        print(f"{s.size:6d} {ours * 1e3:9.3f} {dense * 1e3:9.3f} {ours / dense:6.2f}", flush=True)
        record(
            f"reconcile, small, {size} streams, per call",
            ours,
            dense,
            baseline_name="dense numpy closed form",
            max_ratio=3.0,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and few repeats (a smoke test)")
    ap.add_argument("--local", type=int, nargs="*", default=None, help="sizes of the local flowsheets")
    ap.add_argument(
        "--nonlocal", dest="far", type=int, nargs="*", default=None, help="sizes of the non-local flowsheets"
    )
    ap.add_argument("--small", type=int, nargs="*", default=[30, 300], help="sizes of the small problems")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--dense-max", type=int, default=1500, help="largest n for the dense baseline")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.local is None:
        args.local = [1000, 3000] if args.quick else [1000, 10_000, 100_000]
    if args.far is None:
        args.far = [1000, 3000] if args.quick else [1000, 10_000, 30_000]
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    rng = np.random.default_rng(args.seed)
    if cholmod_cholesky is None:
        print("scikit-sparse (CHOLMOD) does not import here: its baseline is skipped")
    run_small(args.small, 30 if args.quick else 200, rng)
    run_topology("non-local", args.far, args, rng)
    run_topology("local", args.local, args, rng)


if __name__ == "__main__":
    main()
