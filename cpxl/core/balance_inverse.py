"""M = A_r W A_rᵀ, the matrix of the reconciliation's balances, its factor, and entries of its inverse.

:func:`cpxl.core.reconcile.reconcile` needs a few entries of Z = M⁻¹, near or far apart in the graph of the
balances, for the uncertainties of reconciled and computed flows. :class:`_Balances` factorises M once and gives
them by one of three exact routes (see :mod:`cpxl.core.reconcile`, "How it scales"): a dense inverse through
LAPACK for small or filled M; the inverse factor stored along the elimination tree (:class:`_InverseFactor`,
Liu 1990); Takahashi's selected inverse (:func:`_selected_inverse`) as the last resort. :class:`_LDL` also serves
the quasi-definite KKT matrices of :func:`cpxl.core.components.reconcile_components`.

The thresholds below choose the route; tests lower them to force each one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from scipy.sparse.linalg import splu

#: Balances (rows of M) up to which M is factorised and inverted as a dense matrix (LAPACK).
DENSE_MAX_ROWS = 120

#: Balances up to which a dense inverse replaces the sparse one when the sparse factor fills in.
DENSE_FILL_MAX_ROWS = 2500

#: Entries of the inverse factor along the elimination tree (rows × (height + 1)) beyond which the selected
#: inverse is computed by Takahashi's recurrence instead.
PATH_MAX_ENTRIES = 400_000_000

#: Entries of the inverse factor held in memory at once: a taller tree is built and used in bands of depths.
PATH_BAND_ENTRIES = 4_000_000


class _Balances:
    """M = A_r W A_rᵀ over the kept balances, factorised once; solves and entries of M⁻¹.

    .. math::
        M = \\sum_k w_k (e_{u_k} - e_{v_k})(e_{u_k} - e_{v_k})^T

    over the redundant uncertain streams k, from balance v_k to balance u_k (an end whose balance is not kept
    is left out). Three ways to the entries of Z = M⁻¹ that the uncertainties need, all exact (see the module
    documentation), in ``mode``: ``"dense"`` (M = L Lᵀ by LAPACK ``potrf``, L⁻¹ by ``trtri``) for small M or
    when the sparse factor fills in so much that it is cheaper; ``"tree"``, the sparse factor M = P L D Lᵀ Pᵀ
    with the columns of D^{-1/2} L⁻¹ along the elimination tree (:class:`_InverseFactor`); ``"takahashi"``
    when that tree is too tall to store them.

    Parameters
    ----------
    n_rows : int
        Number of kept balances (rows of M).
    ru, rv : numpy.ndarray of int
        For every edge, the balance its stream enters / leaves; −1 = a balance that is not kept.
    wk : numpy.ndarray
        Variance of every edge's stream [flow²].

    Examples
    --------
    One balance, 60 ± 3 and 50 ± 4 in, 100 ± 5 out: M = 9 + 16 + 25 = 50.

    >>> bal = _Balances(1, np.array([0, 0, -1]), np.array([-1, -1, 0]), np.array([9.0, 16.0, 25.0]))
    >>> bal.mode, bal.solve(np.array([10.0])), bal.edge_forms(np.array([0]), np.array([-1]))
    ('dense', array([0.2]), array([0.02]))
    """

    def __init__(self, n_rows: int, ru: np.ndarray, rv: np.ndarray, wk: np.ndarray):
        self.n = n_rows
        self.li: np.ndarray | None = None  # L⁻¹ of the dense Cholesky factor
        self.chol: np.ndarray | None = None
        self.factor: _LDL | None = None
        self.tree: _InverseFactor | None = None
        if n_rows <= DENSE_MAX_ROWS:
            self.mode = "dense"
            self._invert(_laplacian(n_rows, ru, rv, wk, dense=True))
            return
        mm = _laplacian(n_rows, ru, rv, wk, dense=False)
        self.factor = _LDL(mm)
        self.tree = _InverseFactor.build(self.factor)
        if n_rows <= DENSE_FILL_MAX_ROWS:
            # a dense inverse costs ~n³ flops at BLAS speed; the tree ~(n + pairs)(height + 1) element
            # operations at numpy speed, about 50 times slower each
            path_cost = np.inf if self.tree is None else 50.0 * (n_rows + ru.size) * (self.tree.height + 1)
            if float(n_rows) ** 3 < path_cost:
                self.mode = "dense"
                self._invert(mm.toarray())
                return
        self.mode = "tree" if self.tree is not None else "takahashi"

    def _invert(self, mm: np.ndarray) -> None:
        chol, info = lapack.dpotrf(mm, lower=1)
        if info == 0:
            self.chol = chol
            li, info = lapack.dtrtri(chol, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError("reconcile: the balance matrix is not positive definite")
        # Z = L⁻ᵀ L⁻¹ (here M = L Lᵀ): every entry the uncertainties need is a dot product of columns of L⁻¹,
        # with a zero column last for a balance that is not kept
        self.li = np.zeros((self.n, self.n + 1))
        self.li[:, : self.n] = np.tril(li)

    def solve(self, r: np.ndarray) -> np.ndarray:
        """M⁻¹ r."""
        if self.li is not None:
            return lapack.dpotrs(self.chol, r, lower=1)[0]
        assert self.factor is not None
        return self.factor.solve(r)

    def edge_forms(self, ru: np.ndarray, rv: np.ndarray) -> np.ndarray:
        """``Z_uu + Z_vv − 2 Z_uv`` for every edge (u, v) of M; a row −1 (balance not kept) counts as 0."""
        if self.li is not None:
            d = self.li[:, ru] - self.li[:, rv]
            return np.einsum("ij,ij->j", d, d)
        assert self.factor is not None
        if self.tree is None:
            k = ru.size
            on_u, on_v = ru >= 0, rv >= 0
            g = sp.csr_array(
                (
                    np.concatenate([np.ones(int(on_u.sum())), -np.ones(int(on_v.sum()))]),
                    (
                        np.concatenate([np.flatnonzero(on_u), np.flatnonzero(on_v)]),
                        np.concatenate([ru[on_u], rv[on_v]]),
                    ),
                ),
                shape=(k, self.n),
            )
            return _quadratic_forms(self.factor, g)
        pos = self.factor.pos
        both = (ru >= 0) & (rv >= 0)
        zuv = self.tree.entries(pos[ru[both]], pos[rv[both]])  # the diagonal comes with the first pass
        dz = np.zeros(self.n + 1)
        dz[: self.n] = self.tree.diag[pos]
        out = dz[ru] + dz[rv]
        out[both] -= 2.0 * zuv
        return out

    def row_forms(self, g: Any) -> np.ndarray:
        """``g_i Z g_iᵀ`` for every row g_i of *g* (dense or sparse)."""
        if self.li is not None:
            li = self.li[:, : self.n]
            y = np.einsum("ij,kj->ki", li, g) if isinstance(g, np.ndarray) else sp.csr_array(g) @ li.T
            return np.einsum("ij,ij->i", y, y)
        g = sp.csr_array(g)
        g.sum_duplicates()
        assert self.factor is not None
        if self.tree is None:
            return _quadratic_forms(self.factor, g)
        row, a, b, prod = _row_pairs(g)
        pa, pb = self.factor.pos[a], self.factor.pos[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        off = np.flatnonzero(lo != hi)
        key, inv = np.unique(lo[off] * np.int64(self.n) + hi[off], return_inverse=True)
        zoff = self.tree.entries(key // self.n, key % self.n)
        zval = self.tree.diag[lo]
        zval[off] = zoff[inv]
        return np.bincount(row, prod * zval, minlength=g.shape[0])


def _laplacian(n_rows: int, ru: np.ndarray, rv: np.ndarray, wk: np.ndarray, *, dense: bool) -> Any:
    """M = Σ_k w_k (e_u − e_v)(e_u − e_v)ᵀ over the edges (u, v) = (ru[k], rv[k]); a row −1 is left out."""
    n1 = n_rows + 1
    u = np.where(ru < 0, n_rows, ru)
    v = np.where(rv < 0, n_rows, rv)
    rows = np.concatenate([u, v, u, v])
    cols = np.concatenate([u, v, v, u])
    data = np.concatenate([wk, wk, -wk, -wk])
    if dense:
        return np.bincount(rows * n1 + cols, data, minlength=n1 * n1).reshape(n1, n1)[:n_rows, :n_rows]
    on = (rows < n_rows) & (cols < n_rows)
    return sp.csc_array(sp.coo_array((data[on], (rows[on], cols[on])), shape=(n_rows, n_rows)).tocsc())


class _InverseFactor:
    """The columns of D^{-1/2} L⁻¹ along the elimination tree: any entry of M⁻¹ in O(tree height).

    Column j of L⁻¹ is zero off the path from j to the root of the elimination tree of L, so it is stored
    by depth: ``vs[j, d]`` is entry (a, j) of D^{-1/2} L⁻¹ for the ancestor a = ``anc[j, d]`` of j at depth
    d. It is built from the root down, ``L⁻¹ e_j = e_j − Σ_{k ∈ S_j} L_kj L⁻¹ e_k`` (S_j: the rows below j
    in column j of L, all ancestors of j), one level of the tree at a time. Then
    ``Z_ij = Σ_a (L⁻¹)_ai (L⁻¹)_aj / d_a`` over the common ancestors a of i and j.

    Each depth d is a separate recurrence, so the table is built and used in bands of depths, at most
    :data:`PATH_BAND_ENTRIES` entries at a time (one band, kept, for all but very tall trees).

    Examples
    --------
    Three balances in a row, grounded at both ends (M tridiagonal): the corner entry of M⁻¹, which need not be
    on the pattern of L, comes out as the dense inverse has it.

    >>> ru, rv, w = np.array([0, 1, 2, 2]), np.array([-1, 0, 1, -1]), np.array([1.0, 2.0, 3.0, 4.0])
    >>> factor = _LDL(_laplacian(3, ru, rv, w, dense=False))
    >>> tree = _InverseFactor.build(factor)
    >>> z = np.linalg.inv(_laplacian(3, ru, rv, w, dense=True))
    >>> i, j = factor.pos[[0, 0, 2]], factor.pos[[2, 0, 1]]
    >>> bool(np.allclose(tree.entries(i, j), [z[0, 2], z[0, 0], z[2, 1]], rtol=1e-12))
    True
    """

    def __init__(self, parent: np.ndarray, depth: np.ndarray, lower: tuple[np.ndarray, ...], d: np.ndarray):
        self.parent, self.depth = parent, depth
        self.n = depth.size
        self.height = int(depth.max()) if self.n else 0
        self.order = np.argsort(depth, kind="stable")
        self.bounds = np.searchsorted(depth[self.order], np.arange(self.height + 2))
        r, c, v = lower
        eo = np.argsort(depth[c], kind="stable")  # entries by the depth of their column, columns contiguous
        self.r, self.c, self.v = r[eo], c[eo], v[eo]
        self.ebounds = np.searchsorted(depth[self.c], np.arange(self.height + 2))
        self.isd = np.append(1.0 / np.sqrt(d), 0.0)
        width = max(1, min(self.height + 1, PATH_BAND_ENTRIES // max(self.n, 1)))
        self.bands = [(d0, min(d0 + width, self.height + 1)) for d0 in range(0, self.height + 1, width)]
        self._kept: tuple[np.ndarray, np.ndarray] | None = None
        self._diag: np.ndarray | None = None

    @classmethod
    def build(cls, factor: _LDL) -> _InverseFactor | None:
        """From the factor; None when the tree is too tall (:data:`PATH_MAX_ENTRIES`) or L is off its paths."""
        lc = sp.csc_array(factor.lu.L)
        lc.sum_duplicates()
        lc.sort_indices()
        n = factor.d.size
        cols = np.repeat(np.arange(n), np.diff(lc.indptr))
        strict = lc.indices > cols
        r, c, v = lc.indices[strict].astype(np.int64), cols[strict], lc.data[strict]
        cnt = np.bincount(c, minlength=n)
        has = cnt > 0
        parent = np.full(n, -1, dtype=np.int64)
        parent[has] = r[(np.cumsum(cnt) - cnt)[has]]  # the first row below the diagonal
        par = parent.tolist()
        dep = [0] * n
        for j in range(n - 1, -1, -1):
            p = par[j]
            if p >= 0:
                dep[j] = dep[p] + 1
        depth = np.array(dep, dtype=np.int64)
        if n * (int(depth.max(initial=0)) + 1) > PATH_MAX_ENTRIES:
            return None
        tree = cls(parent, depth, (r, c, v), factor.d)
        return tree if tree._on_paths() else None

    def _band(self, d0: int, d1: int, values: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """``anc`` and ``vs`` over the depths d0 ≤ d < d1 (``vs`` only when *values*)."""
        n, depth, order, bounds = self.n, self.depth, self.order, self.bounds
        inside = order[bounds[d0] : bounds[d1]]
        anc = np.full((n, d1 - d0), -1, dtype=np.int32)
        anc[inside, depth[inside] - d0] = inside
        for lev in range(d0 + 1, self.height + 1):
            nodes = order[bounds[lev] : bounds[lev + 1]]
            k = min(lev, d1) - d0
            anc[nodes, :k] = anc[self.parent[nodes], :k]
        if not values:
            return anc, None
        vs = np.zeros((n, d1 - d0))
        vs[inside, depth[inside] - d0] = 1.0
        r, c, v = self.r, self.c, self.v
        for lev in range(d0 + 1, self.height + 1):
            a0, a1 = int(self.ebounds[lev]), int(self.ebounds[lev + 1])
            if a0 == a1:
                continue
            k = min(lev, d1) - d0
            cc = c[a0:a1]
            starts = np.flatnonzero(np.concatenate([[True], cc[1:] != cc[:-1]]))
            contrib = v[a0:a1, None] * vs[r[a0:a1], :k]
            vs[cc[starts], :k] -= np.add.reduceat(contrib, starts, axis=0)
        vs *= self.isd[anc]  # anc = -1 (beyond the depth of the column) reads 0
        return anc, vs

    def _on_paths(self) -> bool:
        """Whether every entry of L lies on the path from its column to the root (as in a Cholesky factor)."""
        r, c, depth = self.r, self.c, self.depth
        one = len(self.bands) == 1
        for d0, d1 in self.bands:
            anc, vs = self._band(d0, d1, values=one)
            if one:
                assert vs is not None
                self._kept = (anc, vs)
            sel = (depth[r] >= d0) & (depth[r] < d1)
            if not np.array_equal(anc[c[sel], depth[r[sel]] - d0], r[sel]):
                return False
        return True

    def entries(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Z_ij for positions i, j in the factor."""
        out = np.zeros(i.size)
        diag = np.zeros(self.n) if self._diag is None else None
        low = np.minimum(self.depth[i], self.depth[j])
        for d0, d1 in self.bands:
            anc, vs = self._kept if self._kept is not None else self._band(d0, d1)
            assert vs is not None
            if diag is not None:
                diag += np.einsum("ij,ij->i", vs, vs)
            sel = np.flatnonzero(low >= d0)  # a column is zero below its own depth
            step = max(1, 2_000_000 // (d1 - d0))
            for s in range(0, sel.size, step):
                k = sel[s : s + step]
                a, b = i[k], j[k]
                out[k] += np.einsum("ij,ij->i", vs[a] * (anc[a] == anc[b]), vs[b])
        if diag is not None:
            self._diag = diag
        return out

    @property
    def diag(self) -> np.ndarray:
        """Z_jj for every position j."""
        if self._diag is None:
            self.entries(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        assert self._diag is not None
        return self._diag


class _LDL:
    """M = P L D Lᵀ Pᵀ for a sparse symmetric M (SuperLU, symmetric ordering, no pivoting).

    M is positive definite for the balances of :func:`reconcile`; with ``definite=False`` it may be
    quasi-definite (a KKT matrix, D of either sign), as for :func:`~cpxl.core.components.reconcile_components`.
    *func* names the function in the error raised when M cannot be factorised this way.
    """

    def __init__(self, mm: sp.csc_array, *, definite: bool = True, func: str = "reconcile"):
        opts = {"SymmetricMode": True}
        lu = splu(mm, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=opts)
        pos = lu.perm_c
        self.natural = False  # True: the factor is of M[order][:, order] in natural order
        what = (
            "the balance matrix is not positive definite" if definite else "the linearised system cannot be factorised"
        )
        if not np.array_equal(lu.perm_r, lu.perm_c):  # SuperLU pivoted after all: impose the ordering
            order = np.argsort(lu.perm_c)
            lu = splu(sp.csc_array(mm[order][:, order]), permc_spec="NATURAL", diag_pivot_thresh=0.0, options=opts)
            if not np.array_equal(lu.perm_r, np.arange(mm.shape[0])):
                raise np.linalg.LinAlgError(f"{func}: {what}")
            pos = np.argsort(order)
            self.natural = True
        self.pos = np.asarray(pos)  # original index -> position in the factor
        self.lu = lu
        self.d = lu.U.diagonal()
        if definite and not (self.d > 0).all():
            raise np.linalg.LinAlgError(f"{func}: {what}")

    def entries(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Entries (i, j) of M⁻¹ (original indices), by Takahashi's selected inverse."""
        if i.size == 0:
            return np.zeros(0)
        return _selected_inverse(self.lu.L, self.d, self.pos[i], self.pos[j])

    def solve(self, b: np.ndarray) -> np.ndarray:
        """M⁻¹ b."""
        if not self.natural:
            return self.lu.solve(b)  # SuperLU applies its own ordering
        y = np.empty_like(b)
        y[self.pos] = b
        return self.lu.solve(y)[self.pos]


def _row_pairs(g: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All (row, a, b, g_a·g_b) with a, b nonzero columns of the same row."""
    sizes = np.diff(g.indptr)
    sq = sizes * sizes
    row = np.repeat(np.arange(g.shape[0]), sq)
    start = np.repeat(g.indptr[:-1], sq)
    size = np.repeat(sizes, sq)
    t = np.arange(int(sq.sum())) - np.repeat(np.cumsum(sq) - sq, sq)
    ia = start + t // np.maximum(size, 1)
    ib = start + t % np.maximum(size, 1)
    return row, g.indices[ia], g.indices[ib], g.data[ia] * g.data[ib]


def _quadratic_forms(factor: _LDL, g: sp.csr_array) -> np.ndarray:
    """``g_i M⁻¹ g_iᵀ`` for every row g_i of *g*, from the selected inverse of M."""
    g = sp.csr_array(g)
    g.sum_duplicates()
    row, a, b, prod = _row_pairs(g)
    pa, pb = factor.pos[a], factor.pos[b]
    zvals = _selected_inverse(factor.lu.L, factor.d, pa, pb)
    return np.bincount(row, prod * zvals, minlength=g.shape[0])


def _selected_inverse(lmat: Any, d: np.ndarray, qi: np.ndarray, qj: np.ndarray) -> np.ndarray:
    """Entries (qi, qj) of Z = (L D Lᵀ)⁻¹ (Takahashi's recurrence on the closed pattern of L ∪ requests).

    With Z = D⁻¹L⁻¹ + (I − Lᵀ)Z, for j from last to first and S the rows below j in column j:
    ``Z[S, j] = −Z[S, S] L[S, j]`` and ``Z[j, j] = 1/d_j − L[S, j]ᵀ Z[S, j]``. The pattern must be closed
    (k ∈ S ⇒ S ∩ (k, ∞) ⊆ rows of column k); it is made so by the symbolic elimination of the requested pairs.
    """
    nm = d.size
    lc = sp.csc_array(lmat)
    lc.sum_duplicates()
    lo_i, lo_j = np.minimum(qi, qj), np.maximum(qi, qj)  # (col, row) with col < row for the lower triangle
    off = lo_i != lo_j
    # real strictly-lower entries
    cols_of = np.repeat(np.arange(nm), np.diff(lc.indptr))
    strict = lc.indices > cols_of
    r_row, r_col, r_val = lc.indices[strict], cols_of[strict], lc.data[strict]
    # requested off-diagonal pairs
    e_col, e_row = lo_i[off], lo_j[off]
    all_col = np.concatenate([r_col, e_col])
    all_row = np.concatenate([r_row, e_row])
    key = np.unique(all_col.astype(np.int64) * nm + all_row)
    k_col, k_row = key // nm, key % nm
    ptr = np.searchsorted(k_col, np.arange(nm + 1))
    # symbolic closure: the rows of column j (below the first) are passed on to its parent
    struct: list[np.ndarray] = [k_row[ptr[j] : ptr[j + 1]] for j in range(nm)]
    inherit: list[list[np.ndarray]] = [[] for _ in range(nm)]
    changed = False
    for j in range(nm):
        s = struct[j]
        if inherit[j]:
            merged = np.unique(np.concatenate([s, *inherit[j]]))
            if merged.size != s.size:
                changed = True
                s = struct[j] = merged
            inherit[j] = []
        if s.size > 1:
            inherit[int(s[0])].append(s[1:])
    if changed:
        sizes = np.array([s.size for s in struct])
        ptr = np.concatenate([[0], np.cumsum(sizes)])
        k_row = np.concatenate(struct) if nm else np.zeros(0, dtype=np.int64)
        k_col = np.repeat(np.arange(nm), sizes)
        key = k_col.astype(np.int64) * nm + k_row
    lval = np.zeros(key.size)
    lval[np.searchsorted(key, r_col.astype(np.int64) * nm + r_row)] = r_val
    zoff = np.zeros(key.size)
    zdiag = np.zeros(nm)
    inv_d = 1.0 / d
    ptr_l = ptr.tolist()
    for j in range(nm - 1, -1, -1):
        a0, a1 = ptr_l[j], ptr_l[j + 1]
        if a0 == a1:
            zdiag[j] = inv_d[j]
            continue
        rows = k_row[a0:a1]
        lv = lval[a0:a1]
        if a1 - a0 == 1:
            zz = -lv[0] * zdiag[rows[0]]
            zoff[a0] = zz
            zdiag[j] = inv_d[j] - lv[0] * zz
            continue
        ri, rk = np.meshgrid(rows, rows, indexing="ij")
        lo, hi = np.minimum(ri, rk), np.maximum(ri, rk)
        sub = np.where(lo == hi, zdiag[lo], 0.0)
        offm = lo != hi
        sub[offm] = zoff[np.searchsorted(key, lo[offm].astype(np.int64) * nm + hi[offm])]
        zcol = -(sub @ lv)
        zoff[a0:a1] = zcol
        zdiag[j] = inv_d[j] - lv @ zcol
    out = zdiag[lo_i].copy()
    if off.any():
        pos = np.searchsorted(key, lo_i[off].astype(np.int64) * nm + lo_j[off])
        out[off] = zoff[pos]
    return out
