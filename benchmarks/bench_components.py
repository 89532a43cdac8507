"""Benchmark :func:`cpxl.reconcile_components` (flows and component fractions together) against scipy's SLSQP.

Problems: random local flowsheets (a main line through every unit and short paths between nearby units, some of
them closed loops), each path of fixed composition so that the true flows and component flows balance; three
components; 20 % of the flows and 50 % of the fractions unmeasured, the rest measured with 1–5 % (flows) and
2–10 % (fractions) noise. Each run is the whole reconciliation: iterations, classification of every flow,
fraction and component flow, uncertainties, χ² and the tests.

Baseline, measured in the same run on the same problems (small sizes only, where it finishes): the nonlinear
problem handed to ``scipy.optimize.minimize`` (SLSQP) with the bilinear balances as equality constraints and
analytic gradients and Jacobians, started from the measured values (unmeasured: the mean measured flow and the
mean measured fraction of the component, as cpxl starts). SLSQP gives the values and χ² only: no
classification, no uncertainties.

Targets: 1,000 streams × 3 components in under 2 s; the time of 10,000 × 3 reported (no target). Results of one
run of ``python benchmarks/run.py components`` (2 shared cores): 1.16 s and 7 iterations at 1,003 streams
(2,295 measured quantities of 4,012), 11.3 s and 7 iterations at 10,029 streams; SLSQP 4 times slower than cpxl
at 24 streams and 30 times at 100 (its time varies much from run to run on a loaded machine), with the same χ².
The draw at 100 streams has no redundancy (ν = 0, χ² = 0): a timing of the computation, not of a test.

Run: ``python benchmarks/bench_components.py [--quick] [--repeats 5] [--sizes 1000 10000] [--slsqp 100 300]``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np
from timing import paired_medians, record

from cpxl import reconcile_components


def flowsheet(n_target: int, n_comp: int, rng: np.random.Generator):
    """Source, target (None = boundary), true flows and fractions of a balanced flowsheet of ~*n_target* streams."""
    n_units = max(2, n_target // 5)
    n_paths = max(1, int(n_target * 0.46))
    streams: dict[tuple[int, int], int] = {}
    flows: list[float] = []
    carried: list[np.ndarray] = []

    def hop(a: int, b: int, q: float, w: np.ndarray) -> None:
        k = streams.setdefault((a, b), len(flows))
        if k == len(flows):
            flows.append(0.0)
            carried.append(np.zeros(n_comp))
        flows[k] += q
        carried[k] = carried[k] + q * w

    for u in range(n_units - 1):
        q, w = rng.uniform(5, 50), rng.dirichlet(np.ones(n_comp + 1))[:n_comp]
        hop(-1, u, q, w)
        hop(u, u + 1, q, w)
        hop(u + 1, -1, q, w)
    for _ in range(n_paths):
        q, w = rng.uniform(1, 30), rng.dirichlet(np.ones(n_comp + 1))[:n_comp]
        u = int(rng.integers(n_units))
        path = [u]
        for _ in range(int(rng.integers(1, 4))):
            v = int(np.clip(u + rng.integers(-1, 4), 0, n_units - 1))
            if v != path[-1]:
                path.append(v)
            u = v
        if rng.random() < 0.15 and len(path) > 1:
            path = [*path, path[0]] if path[-1] != path[0] else path
        else:
            path = [-1, *path, -1]
        for a, b in itertools.pairwise(path):
            hop(a, b, q, w)
    src = [None if a < 0 else f"U{a}" for a, _ in streams]
    tgt = [None if b < 0 else f"U{b}" for _, b in streams]
    x = np.array(flows)
    return src, tgt, x, np.array(carried) / x[:, None]


def measurements(x: np.ndarray, c: np.ndarray, rng: np.random.Generator):
    """Noisy flows and fractions with σ; 20 % of the flows and 50 % of the fractions unmeasured (NaN)."""
    sx = x * rng.uniform(0.01, 0.05, x.size)
    xm = np.abs(x + sx * rng.standard_normal(x.size))
    sc = c * rng.uniform(0.02, 0.1, c.shape)
    cm = np.clip(c + sc * rng.standard_normal(c.shape), 0.0, 1.0)
    ux, uc = rng.random(x.size) < 0.2, rng.random(c.shape) < 0.5
    xm[ux] = sx[ux] = np.nan
    cm[uc] = sc[uc] = np.nan
    return xm, sx, cm, sc


def slsqp(source, target, xm, sx, cm, sc):
    """The same problem by ``scipy.optimize.minimize(method="SLSQP")``; returns its χ² (imported here: it is heavy)."""
    from scipy import optimize

    units = {u: i for i, u in enumerate(sorted({u for u in [*source, *target] if u is not None}))}
    n, k = cm.shape
    a = np.zeros((len(units), n))
    for j, (s, t) in enumerate(zip(source, target, strict=True)):
        if t is not None:
            a[units[t], j] += 1
        if s is not None:
            a[units[s], j] -= 1
    scale = float(np.nanmax(xm))
    mx, mc = ~np.isnan(xm), ~np.isnan(cm)
    x0 = np.where(mx, xm, np.nanmean(xm)) / scale
    c0 = np.where(mc, cm, np.nanmean(cm, axis=0))
    wx = np.where(mx, (scale / np.where(mx, sx, 1.0)) ** 2, 0.0)
    wc = np.where(mc, 1.0 / np.where(mc, sc, 1.0) ** 2, 0.0)
    xt, ct = np.nan_to_num(xm) / scale, np.nan_to_num(cm)

    def objective(v):
        x, c = v[:n], v[n:].reshape(n, k)
        return float(wx @ (x - xt) ** 2 + (wc * (c - ct) ** 2).sum())

    def gradient(v):
        x, c = v[:n], v[n:].reshape(n, k)
        return np.concatenate([2 * wx * (x - xt), (2 * wc * (c - ct)).ravel()])

    def cons(v):
        x, c = v[:n], v[n:].reshape(n, k)
        return np.concatenate([a @ x, *(a @ (x * c[:, q]) for q in range(k))])

    def jac(v):
        x, c = v[:n], v[n:].reshape(n, k)
        blocks = [np.hstack([a, np.zeros((a.shape[0], n * k))])]
        for q in range(k):
            dc = np.zeros((a.shape[0], n, k))
            dc[:, :, q] = a * x
            blocks.append(np.hstack([a * c[:, q], dc.reshape(a.shape[0], n * k)]))
        return np.vstack(blocks)

    res = optimize.minimize(
        objective,
        np.concatenate([x0, c0.ravel()]),
        jac=gradient,
        constraints=[{"type": "eq", "fun": cons, "jac": jac}],
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    return res.fun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 streams only, SLSQP at 30, 3 repeats")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--slsqp", type=int, nargs="*", default=[30, 100])
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.slsqp, args.repeats = [1000], [30], min(args.repeats, 3)
    n_comp = 3
    print(f"{'streams':>8}{'quantities':>12}{'cpxl (s)':>10}{'iterations':>11}{'dof':>6}")
    for size in args.sizes:
        rng = np.random.default_rng(size)
        src, tgt, x, c = flowsheet(size, n_comp, rng)
        xm, sx, cm, sc = measurements(x, c, rng)
        times, res = [], None
        for _ in range(args.repeats if size <= 2000 else max(1, args.repeats // 2)):
            start = time.perf_counter()
            res = reconcile_components(src, tgt, xm, sx, cm, sc)
            times.append(time.perf_counter() - start)
        assert res is not None
        quantities = int((~np.isnan(xm)).sum() + (~np.isnan(cm)).sum())
        ours = statistics.median(times)
        print(f"{x.size:>8}{quantities:>12}{ours:>10.3f}{res.iterations:>11}{res.dof:>6}")
        work = f"reconcile_components, {x.size:,} streams x {n_comp}, {res.iterations} iterations"
        record(work, ours, max_seconds=2 if size <= 1000 else None)
    print(f"\n{'streams':>8}{'cpxl (s)':>10}{'SLSQP (s)':>11}{'ratio':>8}{'chi2 cpxl':>12}{'chi2 SLSQP':>12}{'dof':>5}")
    for size in args.slsqp:
        rng = np.random.default_rng(size)
        src, tgt, x, c = flowsheet(size, n_comp, rng)
        xm, sx, cm, sc = measurements(x, c, rng)
        first = reconcile_components(src, tgt, xm, sx, cm, sc)
        chi2 = first.chi2
        fun = slsqp(src, tgt, xm, sx, cm, sc)
        repeats = args.repeats if size <= 30 else 1
        problem = (src, tgt, xm, sx, cm, sc)
        ours, base = paired_medians(lambda p=problem: reconcile_components(*p), lambda p=problem: slsqp(*p), repeats)
        print(f"{x.size:>8}{ours:>10.3f}{base:>11.3f}{ours / base:>8.3f}{chi2:>12.4f}{fun:>12.4f}{first.dof:>5}")
        record(
            f"reconcile_components, {x.size} streams x {n_comp}", ours, base, baseline_name="scipy SLSQP (values only)"
        )


if __name__ == "__main__":
    main()
