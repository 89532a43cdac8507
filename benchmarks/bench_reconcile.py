"""Benchmark :func:`cpxl.core.reconcile.reconcile` against a straightforward dense numpy implementation.

Random connected flowsheets of about n = 100, 1,000, 10,000 and 100,000 streams, 20 % unmeasured: a main line
through every unit plus many short paths from the boundary back to the boundary (and closed recycle loops)
that hop between nearby units, so that the flowsheet has bypasses and recycles as plants do. The true flows
are the sum of the path flows (so they balance); the measurements add 1–10 % noise.

Run: ``python benchmarks/bench_reconcile.py [--sizes 100 1000 10000 100000] [--repeats 5]``.
Prints n, the median seconds of cpxl (with classification and all uncertainties) and of the dense baseline
(skipped above ``--dense-max``), their ratio, and the growth exponent of cpxl fitted over the sizes.
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import median_seconds

from cpxl.core.reconcile import reconcile


def random_flowsheet(n_target: int, rng: np.random.Generator, span: int = 4):
    """Source, target (-1 = boundary) and balancing true flows of a flowsheet with about n_target streams."""
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
    s, t, f = np.concatenate(src), np.concatenate(tgt), np.concatenate(flw)
    keep = s != t  # a hop that stays in place is no stream
    s, t, f = s[keep], t[keep], f[keep]
    key = (s + 1) * (n_units + 1) + (t + 1)
    uniq, inv = np.unique(key, return_inverse=True)
    flows = np.bincount(inv, f)
    s_u, t_u = uniq // (n_units + 1) - 1, uniq % (n_units + 1) - 1
    return s_u, t_u, flows


def dense_reconcile(s: np.ndarray, t: np.ndarray, x: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Textbook dense implementation: projection of the unmeasured columns (Crowe et al. 1983) by SVD."""
    n_units = int(max(s.max(), t.max())) + 1
    n = s.size
    a = np.zeros((n_units, n))
    cols = np.arange(n)
    a[t[t >= 0], cols[t >= 0]] += 1
    a[s[s >= 0], cols[s >= 0]] -= 1
    meas = ~np.isnan(x)
    ay, ax = a[:, ~meas], a[:, meas]
    uy, sy, _ = np.linalg.svd(ay, full_matrices=True)  # rank-revealing (QR without pivoting is not)
    rank = int((sy > 1e-9).sum())
    p = uy[:, rank:].T
    ar = p @ ax
    w = sigma[meas] ** 2
    mm = (ar * w) @ ar.T
    minv = np.linalg.pinv(mm, hermitian=True)
    r = ar @ x[meas]
    lam = minv @ r
    xh = x[meas] - w * (ar.T @ lam)
    adj = w * w * np.einsum("ij,ij->j", ar, minv @ ar)
    out = np.full(n, np.nan)
    out[meas] = xh
    py = np.linalg.pinv(ay)
    b = py @ ax
    y = -b @ xh
    bqa = (b * w) @ ar.T
    var_y = np.einsum("ij,j,ij->i", b, w, b) - np.einsum("ij,jk,ik->i", bqa, minv, bqa)
    out[~meas] = y
    return np.concatenate([out, var_y, adj])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000, 100000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dense-max", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    print(f"{'n':>8} {'units':>7} {'cpxl s':>10} {'dense s':>10} {'ratio':>8}  statuses (red/nonred/obs/unobs)")
    for size in args.sizes:
        s, t, true = random_flowsheet(size, rng)
        n = s.size
        sigma = true * rng.uniform(0.01, 0.1, n)
        x = true + sigma * rng.standard_normal(n)
        x = np.abs(x)
        x[rng.random(n) < 0.2] = np.nan
        src = np.where(s < 0, None, s.astype(object))
        tgt = np.where(t < 0, None, t.astype(object))
        res = reconcile(src, tgt, x, sigma)
        reps = args.repeats if n <= 20000 else max(1, args.repeats // 2)
        tc = median_seconds(lambda src=src, tgt=tgt, x=x, sigma=sigma: reconcile(src, tgt, x, sigma), reps)
        td = np.nan
        if size <= args.dense_max:
            td = median_seconds(
                lambda s=s, t=t, x=x, sigma=sigma: dense_reconcile(s, t, x, sigma), max(1, reps if n < 5000 else 2)
            )
            ref = dense_reconcile(s, t, x, sigma)[:n]
            known = np.isfinite(res.value)
            err = np.max(np.abs(res.value[known] - ref[known])) / np.abs(ref[known]).max()
            assert err < 1e-6, f"cpxl and the dense baseline disagree by {err:.1e} (relative)"
        counts = [
            int((res.status == k).sum())
            for k in ("measured-redundant", "measured-nonredundant", "observable", "unobservable")
        ]
        rows.append((n, tc, td))
        ratio = td / tc if np.isfinite(td) else np.nan
        dense_txt = f"{td:10.4f}" if np.isfinite(td) else f"{'skipped':>10}"
        ratio_txt = f"{ratio:8.1f}" if np.isfinite(ratio) else f"{'-':>8}"
        units = int(max(s.max(), t.max())) + 1
        print(f"{n:8d} {units:7d} {tc:10.4f} {dense_txt} {ratio_txt}  {counts}", flush=True)
    ns = np.array([r[0] for r in rows], float)
    tcs = np.array([r[1] for r in rows])
    if ns.size >= 2:
        slope = np.polyfit(np.log(ns), np.log(tcs), 1)[0]
        big = ns >= 1000
        slope_big = np.polyfit(np.log(ns[big]), np.log(tcs[big]), 1)[0] if big.sum() >= 2 else np.nan
        print(f"growth exponent of cpxl time in n: {slope:.2f} over all sizes, {slope_big:.2f} for n >= 1000")
        tds = np.array([r[2] for r in rows])
        ok = np.isfinite(tds)
        if ok.sum() >= 2:
            print(f"growth exponent of dense time in n: {np.polyfit(np.log(ns[ok]), np.log(tds[ok]), 1)[0]:.2f}")


if __name__ == "__main__":
    main()
