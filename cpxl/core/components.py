"""Flows and component mass fractions reconciled together: STAN's goods and substance layers (Cencic 2016).

This module is the one place for the *nonlinear* reconciliation of a material balance, where the balances hold in
total mass and in every component at once. It imports numpy, scipy.sparse (SuperLU) and scipy.special, and the
reading of a stream table and of measured flows from :mod:`cpxl.core.flowsheet` and :mod:`cpxl.core.reconcile`,
so that a flow is read, defaulted and refused here exactly as :func:`~cpxl.core.reconcile.reconcile` reads it.

The problem
-----------
Stream j carries the flow x_j and the mass fractions c_jk of the components k; its component flows are
s_jk = x_j c_jk. Every unit u balances in total and in each component, and any extra linear relations among the
flows hold (exactly, or within their uncertainty):

.. math::
    \\min_{v}\\ (v - \\tilde v)^T Q^{-1} (v - \\tilde v) \\quad \\text{s.t.} \\quad
    f(v) = \\begin{pmatrix} A x \\\\ A (x \\circ c_k),\\ k = 1..K \\\\ R x - t \\end{pmatrix} = 0

where v gathers the measured quantities (flows, fractions, and the right-hand sides t of the uncertain relations)
and the unmeasured ones, Q = diag(σ²) over the measured ones (an unmeasured quantity has no weight) and A is the
incidence matrix of the flowsheet (:class:`~cpxl.core.flowsheet.Flowsheet`). The component balances are
bilinear: the problem is nonlinear.

The method (Cencic 2016 [1]_, as STAN)
--------------------------------------
Successive linearisation: at the estimate v⁽ⁱ⁾ the constraints are replaced by their first-order expansion

.. math::
    f(v) \\approx f(v^{(i)}) + J (v - v^{(i)}) = 0, \\qquad
    \\frac{\\partial (A(x\\circ c_k))_u}{\\partial x_j} = A_{uj} c_{jk}, \\quad
    \\frac{\\partial (A(x\\circ c_k))_u}{\\partial c_{jk}} = A_{uj} x_j,

the linear reconciliation problem is solved exactly, and its solution is the next estimate. Cencic eliminates the
unmeasured quantities by the reduced row echelon form of [J_y | J_x | f]; here the same linear step is solved
from its optimality (KKT) conditions, a sparse symmetric system factorised by SuperLU, in units of each
measurement's σ (an unmeasured quantity in the median σ of the measurements of its kind) with every balance
scaled to unit length:

.. math::
    \\begin{pmatrix} I_x \\oplus \\varepsilon I_y & J^T \\\\ J & -\\delta I \\end{pmatrix}
    \\begin{pmatrix} v^{(i+1)} \\\\ \\lambda^{(i+1)} \\end{pmatrix} =
    \\begin{pmatrix} \\tilde v_x \\oplus \\varepsilon v_y^{(i)} \\\\ J v^{(i)} - f(v^{(i)}) - \\delta
    \\lambda^{(i)} \\end{pmatrix}

(x: measured, y: unmeasured). The two small terms (ε = 10⁻⁹, δ = 10⁻¹⁰) make the matrix quasi-definite, so that
it can be factorised even when an unmeasured quantity is unobservable or balances are linearly dependent; they
are *proximal* terms (they pull towards the previous iterate), so they vanish at the fixed point: there
f(v) = 0 and W(v − ṽ) + Jᵀλ = 0, the optimality conditions of the nonlinear problem itself. The reconciled
values are those of the exact problem; an unobservable quantity keeps its starting value (the measured value;
for an unmeasured flow the mean measured flow, for a fraction the mean measured fraction of its component) and
is reported NaN.

Successive linearisation converges linearly, slowly where the data are far from the balances. Once the step is
below 10⁻² σ the second-order term of the bilinear balances joins the matrix (its top-left block gains
Σ_r λ_r ∇²f_r, which couples x_j and c_jk by Σ_u A_uj λ_(u,k)): Newton's method on the same optimality
conditions, with the same fixed point, converging quadratically; it is dropped for the rest of the run when two
second-order steps in a row do not halve. Without bounds a minimum may not exist (an unmeasured fraction that
grows without end as its stream's flow goes to 0 lowers χ² for ever): the run does not converge, and the error
names that fraction. The run has converged when a step moves no measured quantity by more than
10⁻¹¹ σ and every balance holds to 10⁻⁸ of the sum of its terms; a run that has not converged after
``max_iterations`` steps is an error, and so are exact values that contradict a balance.

Classification and uncertainties
--------------------------------
From the linearised system at the solution (Cencic: the Jacobians at the solution), with the covariance of the
estimate Q̂ = Q − Q A_rᵀ M⁻¹ A_r Q of the linear closed form (A_r: the balances with the unmeasured eliminated).

* **Small problems** (at most :data:`DENSE_MAX` quantities and balances, the worksheet's case), exactly, by
  Crowe's projection with dense SVDs: J_y (unmeasured columns) = U S Vᵀ; an unmeasured quantity with a component
  in the null space of J_y is **unobservable**; P (the columns of U beyond the rank) spans the left null space,
  A_r = P J_x, and a measured quantity with P a ≠ 0 is **redundant**; ν = rank A_r; the unmeasured follow as
  y = −J_y⁺ J_x x, with their covariance.
* **Large problems**, sparse: the top-left block of the inverse of the quasi-definite KKT matrix is the covariance
  of the estimate when the unmeasured carry a vanishing weight ε. Its entries are computed from the LDLᵀ factor by
  Takahashi's selected inverse [3]_, after the measured variables (a diagonal block) are eliminated exactly (a Schur
  complement on the unmeasured and the balances only). Classification: with every column of J scaled to unit length
  and every measured quantity (exact ones included) weighted 1, the unmeasured ε = 10⁻¹², an unmeasured quantity is
  unobservable when ε·Var > 10⁻⁴ (its variance is that of its vanishing prior), a measured one redundant when the
  balances reduce its variance by more than 10⁻⁶ (*conventions*: a measurement whose column is almost in the span of
  the unmeasured ones may be reported non-redundant; on random flowsheets the reductions of redundant measurements
  were above 5·10⁻⁶ and the leaks of non-redundant ones below 2·10⁻⁸). Uncertainties: the covariance at
  (t ε₀, t δ₀), ε₀ = 10⁻⁴, δ₀ = 10⁻⁶, is analytic in t for every observable quantity; its values at t = 1, 2, 4 are
  extrapolated to t = 0 (Richardson), each matrix well conditioned. The series converges as t ε₀ Var(y), so every
  unmeasured quantity is first rescaled by its standard deviation from one more solve. The reduction of a
  measurement's variance, Q_ii − Q̂_ii (the denominator of z), is extrapolated as such, not taken as a difference.
  Agreement with the exact path on the tests: about 10⁻⁷ relative in σ and z.

Then the normalised adjustments z_i = (ṽ_i − v̂_i)/√(Q_ii − Q̂_ii) of the redundant measurements,
χ² = Σ (ṽ_i − v̂_i)²/σ_i² and its degrees of freedom ν (sparse: Σ (Q_ii − Q̂_ii)/Q_ii, the trace of a projector,
the rank of the reduced balances). Entries of J below 10⁻¹² (scaled) count as 0, so that the fraction of a
stream whose flow is 0 is unobservable (the composition of nothing). A component flow is observable when its
flow and its fraction both are (or its flow is exactly 0); its variance is c² Var x̂ + x² Var ĉ + 2 x c Cov(x̂,
ĉ). The global test, the measurement test with the Šidák correction and the serial elimination of gross errors
are those of :func:`~cpxl.core.reconcile.reconcile`, over the measured flows and fractions.

Relations
---------
``relations`` is a list; each relation is a tuple ``(coefficients, rhs, sigma)`` or a dict with those keys
(``rhs`` and ``sigma`` may be left out: 0), meaning Σ_k a_k x_k = rhs ± sigma, with ``coefficients`` a dict
{stream name: a_k}; σ = 0 is an exact relation, σ > 0 an uncertain one (a measurement of Σ a_k x_k, tested and
reported like one). For example, with unit R fed by F1 and F2:

* transfer coefficient, stream P carries τ = 0.8 of R's input: ``({"P": 1, "F1": -0.8, "F2": -0.8}, 0, 0)``;
* split ratio, S1 is 30 % of the feed F of a splitter: ``({"S1": 1, "F": -0.3},)``;
* known ratio, W2 = 2 W1 ± 0.1 t/h: ``({"W2": 1, "W1": -2}, 0, 0.1)``.

Bounds
------
Reconciled values are never clipped. A negative flow, a fraction outside [0, 1] or the fractions of a stream
summing above 1 (beyond 10⁻⁹) are flagged in ``flow_out_of_bounds``, ``fraction_out_of_bounds``,
``fraction_sum_above_one`` and listed in ``bound_messages``.

Missing uncertainty (*convention*)
----------------------------------
A measured flow with a blank σ gets 5 % of its value (:data:`~cpxl.core.reconcile.DEFAULT_REL_SIGMA`), as in
:func:`~cpxl.core.reconcile.reconcile`; a measured fraction with a blank σ likewise gets 5 % of its value
(so a measured fraction 0 with a blank σ is exactly 0). σ = 0 is an exact value (a constant, not a weight).

How it scales
-------------
Every step is sparse: the Jacobian has at most 2 (1 + 2K) entries per stream, the KKT matrices are factorised
by SuperLU with a minimum-degree ordering, and the selected inverse visits the pattern of the factor only; no
dense matrix beyond :data:`DENSE_MAX`. Measured (``benchmarks/bench_components.py``, local flowsheets, 3
components, 20 % of the flows and 50 % of the fractions unmeasured, one run on 2 shared cores): 1.16 s for
1,003 streams in 7 iterations, 11.3 s for 10,029 streams in 7 iterations, most of it in the five selected
inverses (classification, scales, three for the extrapolated covariance); scipy's SLSQP on the same problem,
values only, was 4 times slower at 24 streams and 30 times at 100.

References
----------
.. [1] Cencic, O. (2016). Nonlinear data reconciliation in material flow analysis with software STAN.
   *Sustainable Environment Research* 26, 291–298. doi:10.1016/j.serj.2016.06.002
.. [2] Narasimhan, S., Jordache, C. *Data Reconciliation and Gross Error Detection*. Gulf Publishing, 2000
   (ch. 5, nonlinear reconciliation; §7.3, serial elimination).
.. [3] Takahashi, K., Fagan, J., Chen, M.-S. Formation of a sparse bus impedance matrix and its application to
   short circuit study. *Proc. 8th PICA Conference*, 1973, 63–69.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .balance_inverse import _LDL
from .errors import CPError
from .flowsheet import Flowsheet, _Result
from .inputs import as_floats, check, public
from .reconcile import DEFAULT_REL_SIGMA, STATUSES, _check_alpha, _global_test, _measurements, _sidak_z

__all__ = ["ComponentsResult", "reconcile_components"]

#: Proximal weight of an unmeasured quantity in the iteration (σ units); it vanishes at the fixed point.
EPSILON_STEP = 1e-9

#: Proximal weight of a balance's multiplier in the iteration (unit balances); it vanishes at the fixed point.
DELTA_STEP = 1e-10

#: Largest step of the linearisation (in units of each measurement's σ) at which the iteration has converged;
#: the balances must then hold to 10³ times it (scaled).
TOLERANCE = 1e-11

#: Weight of an unmeasured quantity in the classification (unit-length columns, measured quantities weighted 1).
EPSILON_CLASSIFY = 1e-12

#: Regularisation of a balance's multiplier in the classification (unit-length balances); large enough not to
#: vanish beside the entries of order 1/ε that eliminating an unmeasured quantity creates.
DELTA_CLASSIFY = 1e-6

#: Largest magnitude of a flow or its σ (and the inverse, the smallest nonzero one): their squares stay in range.
RANGE = 1e100

#: Step (in σ units) below which the second-order term of the balances joins the linearisation (Newton).
NEWTON_FROM = 1e-2

#: ε × variance above which an unmeasured quantity is unobservable (its variance is that of its vanishing prior).
UNOBSERVABLE = 1e-4

#: Relative reduction of variance (unit weights) above which a measured quantity is redundant.
REDUNDANT = 1e-6


class ComponentsResult(_Result):
    """The result of :func:`reconcile_components`: a dict with attribute access.

    Per stream (arrays in stream order), as :class:`~cpxl.core.reconcile.ReconcileResult`: ``names``,
    ``value`` (reconciled flow; NaN when unobservable), ``sigma``, ``z``, ``status``, ``measured``,
    ``measured_sigma``, ``sigma_defaulted``, ``suspect``, ``dropped``.

    Per stream × component (2-D arrays, one column per name in ``components``): ``fraction``,
    ``fraction_sigma``, ``fraction_z``, ``fraction_status``, ``fraction_measured``,
    ``fraction_measured_sigma``, ``fraction_sigma_defaulted``, ``fraction_suspect``, ``fraction_dropped``;
    ``component_flow`` (x·c), ``component_flow_sigma``, ``component_flow_status`` (observable / unobservable).

    Per relation: ``relation_value`` (Σ a_k x̂_k), ``relation_sigma``, ``relation_z``.

    Global: ``chi2``, ``dof``, ``p_value``, ``critical_value``, ``passed``, ``alpha``, ``z_critical``,
    ``eliminated`` (names of the dropped measurements: ``"S3"`` or ``"S3/Cu"``), ``iterations``, ``converged``,
    ``flow_out_of_bounds``, ``fraction_out_of_bounds``, ``fraction_sum_above_one``, ``bound_messages``,
    ``message``.
    """

    def to_frame(self) -> Any:
        """One row per stream as a pandas DataFrame: flows, then the fraction and component flow of each component."""
        import pandas as pd

        cols: dict[str, Any] = {c: self[c] for c in ("measured", "value", "sigma", "z", "status")}
        for k, name in enumerate(self.components):
            cols[f"fraction {name}"] = self.fraction[:, k]
            cols[f"fraction_sigma {name}"] = self.fraction_sigma[:, k]
            cols[f"component_flow {name}"] = self.component_flow[:, k]
        return pd.DataFrame(cols, index=pd.Index(list(self.names), name="stream"))


# ====================================================================== the public function
@public("reconcile_components")
def reconcile_components(
    source: Any,
    target: Any,
    flow: Any,
    flow_sigma: Any = None,
    fraction: Any = None,
    fraction_sigma: Any = None,
    *,
    components: Any = None,
    names: Any = None,
    relations: Any = None,
    alpha: float = 0.05,
    eliminate_gross_errors: bool = False,
    stock: Any = None,
    max_iterations: int = 100,
) -> ComponentsResult:
    """Reconcile flows and component mass fractions together so that every unit balances in total and per component.

    .. math::
        \\min\\ \\sum_{\\text{measured}} \\frac{(v_i - \\tilde v_i)^2}{\\sigma_i^2} \\quad \\text{s.t.} \\quad
        A x = 0, \\quad A (x \\circ c_k) = 0 \\ (k = 1..K), \\quad R x = t

    by successive linearisation (Cencic 2016): at the estimate v⁽ⁱ⁾ the balances become
    f(v⁽ⁱ⁾) + J (v − v⁽ⁱ⁾) = 0 with ∂(x_j c_jk)/∂x_j = c_jk and ∂(x_j c_jk)/∂c_jk = x_j; the linear
    reconciliation of that system is the next estimate (near the solution with Newton's second-order term of the
    bilinear balances), until no measured quantity moves by more than 10⁻¹¹ σ. Classification, uncertainties, χ²
    and the tests come from the linearised system at the solution (see the module documentation).

    Parameters
    ----------
    source : sequence of str or number
        For each stream, the unit it leaves; blank is the system boundary.
    target : sequence of str or number
        For each stream, the unit it enters; blank is the system boundary.
    flow : sequence of float
        Measured mass flow of each stream (any one unit, e.g. t/a; ≥ 0); blank = unmeasured.
    flow_sigma : sequence of float, optional
        Standard uncertainty of each measured flow [flow unit]; 0 = exact; blank = 5 % of the flow.
    fraction : 2-D array of float, optional
        Mass fraction of each component in each stream [kg/kg, 0–1], one row per stream and one column per
        component; blank = unmeasured. None (or no columns): no components, the result is that of
        :func:`~cpxl.core.reconcile.reconcile`. A concentration in water in mg/L is a fraction × 10⁶ at 1 kg/L.
    fraction_sigma : 2-D array of float, optional
        Standard uncertainty of each measured fraction [kg/kg]; 0 = exact; blank = 5 % of the fraction.
    components : sequence of str, optional
        Component names, one per column of ``fraction``; default ``C1, C2, ...``.
    names : sequence of str, optional
        Stream names (unique); default ``S1, S2, ...``. Relations name streams by these.
    relations : list, optional
        Extra linear relations among flows, each ``(coefficients, rhs, sigma)`` or a dict with those keys
        (``coefficients`` a dict {stream name: coefficient}; ``rhs`` [flow unit], default 0; ``sigma`` [flow
        unit], default 0 = exact): Σ a_k x_k = rhs ± sigma. See the module documentation for transfer
        coefficients, split ratios and known ratios.
    alpha : float, optional
        Significance level of the global and the measurement tests, default 0.05.
    eliminate_gross_errors : bool, optional
        Drop the measured flow or fraction with the largest |z| and reconcile again, one at a time, until the
        global test passes.
    stock : sequence of bool, optional
        Marks stock-change streams (see :class:`~cpxl.core.flowsheet.Flowsheet`); no effect on the result.
    max_iterations : int, optional
        Linearisations allowed before the run is declared not convergent (an error), default 100.

    Returns
    -------
    ComponentsResult
        Flows (``value``, ``sigma``, ``z``, ``status``), fractions (``fraction``, ``fraction_sigma``, ...),
        component flows (``component_flow``, ``component_flow_sigma``), ``chi2``, ``dof``, ``p_value``,
        ``passed``, ``iterations``, ``converged`` and the bound flags; see :class:`ComponentsResult`.

    Raises
    ------
    CPError
        For a stream table that is not a flowsheet, shapes that do not match, text, negative σ, a measured
        fraction outside [0, 1], a relation naming no stream, exact values that contradict a balance, or a run
        that does not converge; the message names the argument and the position.

    Examples
    --------
    One mixer M: feed A (100 t, 10 % copper) and feed B (50 t, 40 %) give the product P (150 t, 22 %); σ = 1 t on
    every flow and 0.02 (two percentage points) on every fraction. The total balance holds; copper does not
    (10 + 20 = 30 t in, 33 t out), so the fractions move, and the flows a little, until both balances hold:

    >>> res = reconcile_components(["", "", "M"], ["M", "M", ""], [100, 50, 150], [1, 1, 1],
    ...                            [[0.10], [0.40], [0.22]], [[0.02], [0.02], [0.02]], components=["Cu"])
    >>> res.fraction.round(4).ravel().tolist(), res.component_flow.round(2).ravel().tolist()
    ([0.1085, 0.4043, 0.2072], [10.85, 20.23, 31.08])
    >>> round(res.chi2, 4), res.dof, res.passed, res.converged
    (0.6408, 2, True, True)

    Without components it is :func:`~cpxl.core.reconcile.reconcile`:

    >>> reconcile_components(["", "", "A"], ["A", "A", ""], [60, 50, 100], [3, 4, 5]).value.round(9)
    array([ 58.2,  46.8, 105. ])
    """
    func = "reconcile_components"
    fs = Flowsheet.from_streams(source, target, names, stock=stock, func=func)
    n = fs.n_streams
    try:
        x, wx, x_default = _measurements(fs, flow, flow_sigma, DEFAULT_REL_SIGMA, func)
    except CPError as exc:  # named as this function names them
        where = re.sub(r"^measured", "flow", re.sub(r"^sigma", "flow_sigma", exc.argument))
        raise (
            CPError(func, where, exc.problem, exc.value) if exc.has_value else CPError(func, where, exc.problem)
        ) from None
    comp_names, c, wc, c_default = _fractions(fraction, fraction_sigma, components, n, func)
    raw_sigma = np.zeros(0) if flow_sigma is None else as_floats(flow_sigma, func, "flow_sigma")
    for values, where in ((x, "flow"), (raw_sigma, "flow_sigma")):
        big = np.flatnonzero((np.abs(values) > RANGE) | ((values != 0) & (np.abs(values) < 1 / RANGE)))
        if big.size:
            raise CPError(
                func, f"{where}[{big[0] + 1}]", f"must be 0 or between {1 / RANGE:g} and {RANGE:g} (change the unit)"
            )
    rel = _relations(relations, fs, func)
    alpha = _check_alpha(alpha, func)
    max_it = int(max_iterations)
    check(max_it >= 1, func, "max_iterations", "must be >= 1", max_iterations)

    problem = _Problem(fs, rel, comp_names)
    xc, wxc, cc, wcc = x.copy(), wx.copy(), c.copy(), wc.copy()
    dropped: list[tuple[int, int]] = []  # (stream, -1 for the flow or the component)
    start: tuple[np.ndarray, np.ndarray] | None = None
    while True:
        sol = problem.solve(xc, wxc, cc, wcc, func, max_it, start)
        start = (sol["x"], sol["c"])
        test = _global_test(sol["chi2"], sol["dof"], alpha)
        zx, zc = sol["zx"], sol["zc"]
        tested = int(np.isfinite(zx).sum() + np.isfinite(zc).sum())
        z_crit = _sidak_z(alpha, tested)
        if not eliminate_gross_errors or test["passed"] or not tested:
            break
        ax = np.where(np.isfinite(zx), np.abs(zx), -1.0)
        ac = np.where(np.isfinite(zc), np.abs(zc), -1.0)
        if ac.size and ac.max() > ax.max():
            j, k = np.unravel_index(int(np.argmax(ac)), ac.shape)
            dropped.append((int(j), int(k)))
            cc[j, k] = np.nan
            wcc[j, k] = np.nan
        else:
            j = int(np.argmax(ax))
            dropped.append((j, -1))
            xc[j] = np.nan
            wxc[j] = np.nan
    return _result(fs, comp_names, rel, sol, test, x, wx, x_default, c, wc, c_default, dropped, alpha, z_crit)


# ====================================================================== reading the arguments
_FLAT = re.compile(r"^fraction(_sigma)?\[(\d+)\]$")


def _matrix(values: Any, n: int, n_comp: int | None, func: str, arg: str) -> np.ndarray:
    """A streams × components array of floats (blanks NaN); positions in messages as ``arg[row, column]``."""
    try:
        shape = np.shape(values) if not isinstance(values, str) else ()
    except ValueError:  # ragged rows: refused by as_floats below
        shape = ()
    try:
        flat = as_floats(values, func, arg)
    except CPError as exc:
        width = n_comp or (shape[1] if len(shape) == 2 else 0)
        hit = _FLAT.match(exc.argument)
        if hit is None or not width:
            raise
        k = int(hit.group(2)) - 1
        raise CPError(func, f"{arg}[{k // width + 1}, {k % width + 1}]", exc.problem, exc.value) from None
    check(len(shape) <= 2, func, arg, "must be a table: one row per stream, one column per component")
    if n_comp is None:
        n_comp = shape[1] if len(shape) == 2 else (1 if flat.size == n else 0)
    if len(shape) == 2:
        check(shape[0] == n, func, arg, f"must have one row per stream ({n})", shape[0])
        check(shape[1] == n_comp, func, arg, f"must have one column per component ({n_comp})", shape[1])
    check(flat.size == n * n_comp, func, arg, f"must have {n} rows x {n_comp} columns ({n * n_comp} values)", flat.size)
    return flat.reshape(n, n_comp)


def _fractions(
    fraction: Any, fraction_sigma: Any, components: Any, n: int, func: str
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Component names, measured fractions (NaN = unmeasured), their variances and the defaulted mask."""
    n_comp: int | None = None
    if components is not None:
        labels = [str(v).strip() for v in np.asarray(components, dtype=object).ravel()]
        for i, label in enumerate(labels):
            check(bool(label), func, f"components[{i + 1}]", "is blank")
        n_comp = len(labels)
    if fraction is None or (isinstance(fraction, (list, tuple, np.ndarray)) and len(fraction) == 0):
        check(not n_comp, func, "fraction", f"must have one column per component ({n_comp})", 0)
        empty = np.zeros((n, 0))
        return [], empty, empty.copy(), np.zeros((n, 0), dtype=bool)
    c = _matrix(fraction, n, n_comp, func, "fraction")
    k = c.shape[1]
    names = labels if n_comp is not None else [f"C{i + 1}" for i in range(k)]
    if len(set(names)) != len(names):
        raise CPError(func, "components", "repeats a name", next(v for v in names if names.count(v) > 1))
    bad = np.argwhere((c < 0) | (c > 1))
    if bad.size:
        i, j = bad[0]
        raise CPError(func, f"fraction[{i + 1}, {j + 1}]", "must be between 0 and 1 (a mass fraction)", c[i, j])
    if fraction_sigma is None:
        s = np.full(c.shape, np.nan)
    else:
        s = _matrix(fraction_sigma, n, k, func, "fraction_sigma")
        neg = np.argwhere(s < 0)
        if neg.size:
            i, j = neg[0]
            raise CPError(func, f"fraction_sigma[{i + 1}, {j + 1}]", "must be >= 0", s[i, j])
        odd = np.argwhere((s > RANGE) | ((s > 0) & (s < 1 / RANGE)))
        if odd.size:
            i, j = odd[0]
            raise CPError(
                func, f"fraction_sigma[{i + 1}, {j + 1}]", f"must be 0 or between {1 / RANGE:g} and {RANGE:g}"
            )
    meas = ~np.isnan(c)
    defaulted = meas & np.isnan(s)
    s = np.where(defaulted, DEFAULT_REL_SIGMA * np.abs(c), s)
    s[~meas] = np.nan
    return names, c, s * s, defaulted


def _relations(relations: Any, fs: Flowsheet, func: str) -> dict[str, np.ndarray]:
    """Relations as (row, stream, coefficient) entries, right-hand sides and variances (0 = exact)."""
    rows: list[int] = []
    cols: list[int] = []
    coef: list[float] = []
    rhs: list[float] = []
    var: list[float] = []
    index = {name: j for j, name in enumerate(fs.streams)}
    for r, item in enumerate([] if relations is None else list(relations)):
        where = f"relations[{r + 1}]"
        if isinstance(item, dict):
            unknown = set(item) - {"coefficients", "rhs", "sigma"}
            check(not unknown, func, where, "has keys other than coefficients, rhs, sigma", sorted(map(str, unknown)))
            parts = (item.get("coefficients"), item.get("rhs"), item.get("sigma"))
        elif isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
            parts = (*item, None, None)[:3]
        else:
            raise CPError(func, where, "must be (coefficients, rhs, sigma) or a dict with those keys", item)
        terms, b, s = parts
        check(isinstance(terms, dict) and len(terms) > 0, func, where, "needs coefficients {stream name: number}")
        assert isinstance(terms, dict)
        for name, a in terms.items():
            key = str(name).strip()
            check(key in index, func, where, "names no stream", name)
            value = as_floats(a, func, f"{where} coefficient of {key}")
            check(value.size == 1 and np.isfinite(value[0]), func, where, f"needs a number for {key}", a)
            rows.append(r)
            cols.append(index[key])
            coef.append(float(value[0]))
        bv = 0.0 if b is None else as_floats(b, func, f"{where} rhs")
        bs = 0.0 if s is None else as_floats(s, func, f"{where} sigma")
        b_val = float(np.nan_to_num(np.asarray(bv, dtype=float).ravel()[0]))
        s_val = float(np.nan_to_num(np.asarray(bs, dtype=float).ravel()[0]))
        check(s_val >= 0, func, f"{where} sigma", "must be >= 0", s_val)
        rhs.append(b_val)
        var.append(s_val * s_val)
    return {
        "row": np.array(rows, dtype=np.int64),
        "col": np.array(cols, dtype=np.int64),
        "coef": np.array(coef, dtype=float),
        "rhs": np.array(rhs, dtype=float),
        "var": np.array(var, dtype=float),
    }


# ====================================================================== the solver
class _Problem:
    """The structure of the balances (total, per component, relations) over a flowsheet, in scaled units."""

    def __init__(self, fs: Flowsheet, rel: dict[str, np.ndarray], comp_names: list[str]):
        n_comp = len(comp_names)
        self.comp_names = comp_names
        self.fs = fs
        self.n, self.m, self.k = fs.n_streams, fs.n_units, n_comp
        self.rel = rel
        self.nr = rel["rhs"].size
        ins = fs.target >= 0
        outs = fs.source >= 0
        cols = np.arange(self.n)
        # incidence entries (unit, stream, ±1)
        self.iu = np.concatenate([fs.target[ins], fs.source[outs]])
        self.ij = np.concatenate([cols[ins], cols[outs]])
        self.ia = np.concatenate([np.ones(int(ins.sum())), -np.ones(int(outs.sum()))])
        self.n_rows = self.m * (1 + n_comp) + self.nr

    # ------------------------------------------------------------------ constraints and Jacobian
    def residual(self, xs: np.ndarray, cs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """f(v): total balances, component balances (component-major), relations; scaled."""
        m, k = self.m, self.k
        out = np.empty(self.n_rows)
        out[:m] = np.bincount(self.iu, self.ia * xs[self.ij], minlength=m)
        for q in range(k):
            out[m * (1 + q) : m * (2 + q)] = np.bincount(self.iu, self.ia * xs[self.ij] * cs[self.ij, q], minlength=m)
        if self.nr:
            rel = self.rel
            out[m * (1 + k) :] = np.bincount(rel["row"], rel["coef"] * xs[rel["col"]], minlength=self.nr) - ts
        return out

    def magnitude(self, xs: np.ndarray, cs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """Σ |terms| of every balance, the scale its residual is judged against."""
        m, k = self.m, self.k
        out = np.empty(self.n_rows)
        ax = np.abs(xs[self.ij])
        out[:m] = np.bincount(self.iu, ax, minlength=m)
        for q in range(k):
            out[m * (1 + q) : m * (2 + q)] = np.bincount(self.iu, ax * np.abs(cs[self.ij, q]), minlength=m)
        if self.nr:
            rel = self.rel
            out[m * (1 + k) :] = np.bincount(rel["row"], np.abs(rel["coef"] * xs[rel["col"]]), minlength=self.nr)
            out[m * (1 + k) :] += np.abs(ts)
        return out

    def jacobian(
        self, xs: np.ndarray, cs: np.ndarray, vx: np.ndarray, vc: np.ndarray, vt: np.ndarray, n_var: int
    ) -> sp.coo_array:
        """J = ∂f/∂v; vx, vc, vt: the variable index of every flow, fraction, relation value (−1 = fixed)."""
        m, k = self.m, self.k
        rows, cols, vals = [self.iu], [vx[self.ij]], [self.ia]
        for q in range(k):
            rows.append(m * (1 + q) + self.iu)
            cols.append(vx[self.ij])
            vals.append(self.ia * cs[self.ij, q])
            rows.append(m * (1 + q) + self.iu)
            cols.append(vc[self.ij, q])
            vals.append(self.ia * xs[self.ij])
        if self.nr:
            rel = self.rel
            rows += [m * (1 + k) + rel["row"], m * (1 + k) + np.arange(self.nr)]
            cols += [vx[rel["col"]], vt]
            vals += [rel["coef"], -np.ones(self.nr)]
        r, cc, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        on = cc >= 0
        return sp.coo_array((v[on], (r[on], cc[on])), shape=(self.n_rows, n_var))

    def hessian(self, lam: np.ndarray, keep: np.ndarray, layout: _Layout) -> sp.coo_array:
        """H₂ = Σ_r λ_r ∇²f_r: the component balances couple x_j and c_jk by Σ_u A_uj λ_(u,k) (symmetric)."""
        full = np.zeros(self.n_rows)
        full[keep] = lam
        rows, cols, vals = [], [], []
        for q in range(self.k):
            h = np.bincount(self.ij, self.ia * full[self.m * (1 + q) + self.iu], minlength=self.n)
            on = (layout.vx >= 0) & (layout.vc[:, q] >= 0) & (h != 0)
            a, b = layout.vx[on], layout.vc[on, q]
            rows += [a, b]
            cols += [b, a]
            vals += [h[on], h[on]]
        if not rows:
            return sp.coo_array((layout.n_var, layout.n_var))
        return sp.coo_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(layout.n_var, layout.n_var)
        )

    def row_label(self, row: int) -> str:
        m, k = self.m, self.k
        comp_names = self.comp_names
        if row < m:
            return f"the total balance of {self.fs.units[row]!r}"
        if row < m * (1 + k):
            return f"the {comp_names[row // m - 1]} balance of {self.fs.units[row % m]!r}"
        return f"relations[{row - m * (1 + k) + 1}]"

    def unscaled(self, row: int, value: float, fscale: float, gscale: np.ndarray) -> float:
        """A residual of balance *row* in the user's units (flow, or component flow)."""
        m, k = self.m, self.k
        if m <= row < m * (1 + k):
            return value * fscale * float(gscale[row // m - 1])
        return value * fscale

    # ------------------------------------------------------------------ one reconciliation
    def solve(
        self,
        x: np.ndarray,
        wx: np.ndarray,
        c: np.ndarray,
        wc: np.ndarray,
        func: str,
        max_it: int,
        start: tuple[np.ndarray, np.ndarray] | None,
    ) -> dict[str, Any]:
        k, nr = self.k, self.nr
        rel = self.rel
        # ---- scales: flows by the largest measured flow, each component by its largest measured fraction
        known_x = np.abs(x[~np.isnan(x)])
        fscale = float(known_x.max()) if known_x.size and known_x.max() > 0 else 1.0
        if nr and not known_x.size:
            fscale = max(fscale, float(np.abs(rel["rhs"]).max()) or 1.0)
        gscale = np.ones(k)
        for q in range(k):
            col = np.abs(c[~np.isnan(c[:, q]), q])
            if col.size and col.max() > 0:
                gscale[q] = float(col.max())
        # ---- which quantities are variables: measured with σ > 0 (weight) or unmeasured (no weight)
        mx, mc = ~np.isnan(x), ~np.isnan(c)
        exact_x, exact_c = mx & (wx == 0), mc & (wc == 0)
        t_meas = rel["var"] > 0
        xs = np.where(mx, x, np.nan) / fscale
        cs = np.where(mc, c, np.nan) / gscale
        ts = rel["rhs"] / fscale
        # ---- start: measured values; unmeasured flows the mean measured flow, fractions the component's mean
        if start is not None:
            xs = np.where(mx, xs, start[0] / fscale)
            cs = np.where(mc, cs, start[1] / gscale)
        fill_x = float(np.mean(xs[mx])) if mx.any() else 1.0
        xs = np.where(np.isnan(xs), fill_x, xs)
        for q in range(k):
            known = cs[mc[:, q], q]
            cs[np.isnan(cs[:, q]), q] = float(known.mean()) if known.size else 0.5
        x_meas, c_meas, t_obs = xs.copy(), cs.copy(), ts.copy()
        wxs = np.where(mx & ~exact_x, fscale**2 / np.where(wx > 0, wx, 1.0), 0.0)
        wcs = np.where(mc & ~exact_c, gscale**2 / np.where(wc > 0, wc, 1.0), 0.0)
        wts = np.where(t_meas, fscale**2 / np.where(t_meas, rel["var"], 1.0), 0.0)

        free_x, free_c = ~exact_x, ~exact_c
        layout = _Layout(free_x, free_c, t_meas)
        weights = np.concatenate([wxs[free_x], wcs[free_c], wts[t_meas]])
        observed = np.concatenate([x_meas[free_x], c_meas[free_c], t_obs[t_meas]])
        measured_var = np.concatenate([(mx & ~exact_x)[free_x], (mc & ~exact_c)[free_c], t_meas[t_meas]])

        # ---- balances with no variable: must hold as given (exact values), else the data contradict
        jac = self.jacobian(xs, cs, layout.vx, layout.vc, layout.vt, layout.n_var)
        has_var = np.bincount(jac.row, minlength=self.n_rows) > 0
        f = self.residual(xs, cs, ts)
        mag = self.magnitude(xs, cs, ts)
        bad = np.flatnonzero(~has_var & (np.abs(f) > 1e-9 * np.maximum(mag, 1e-300)))
        if bad.size:
            raise CPError(
                func,
                "flow_sigma",
                f"makes values exact (sigma = 0) that contradict {self.row_label(int(bad[0]))} "
                f"by {self.unscaled(int(bad[0]), float(f[bad[0]]), fscale, gscale):g}",
            )
        keep = np.flatnonzero(has_var)
        # the linear step is solved in units of each measurement's σ (unmeasured quantities in the median σ of
        # their kind) with every balance scaled to unit length, so that the proximal terms ε, δ are relative
        d = _unit_scale(weights, measured_var, layout, k)
        lam = np.zeros(keep.size)  # multipliers of the scaled balances
        v = layout.gather(xs, cs, ts)
        prox = np.where(measured_var, 0.0, EPSILON_STEP)
        u_obs = np.where(measured_var, observed / d, 0.0)
        converged = False
        iterations = 0
        step = np.inf
        newton = was_newton = False
        allow_newton = self.k > 0
        for iterations in range(1, max_it + 1):  # noqa: B007 (the count is reported)
            jac = sp.csr_array(self.jacobian(xs, cs, layout.vx, layout.vc, layout.vt, layout.n_var))[keep]
            jd = sp.csr_array(jac @ sp.diags_array(d))
            norms = np.sqrt(np.asarray(jd.multiply(jd).sum(axis=1)).ravel())
            rs = 1.0 / np.where(norms > 0, norms, 1.0)
            js = sp.csr_array(sp.diags_array(rs) @ jd)
            f = self.residual(xs, cs, ts)[keep] * rs
            u = v / d
            second = None
            if newton:  # Σ λ_r ∇²f_r in the scaled units: D H₂ D with the multipliers of the unscaled balances
                h2 = self.hessian(lam * rs, keep, layout)
                second = sp.coo_array(h2 @ sp.diags_array(d)).tocsr()
                second = sp.coo_array(sp.diags_array(d) @ second)
            kkt = _kkt(np.where(measured_var, 1.0, 0.0) + prox, js, DELTA_STEP, second)
            factor = splu(kkt, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.1, options={"SymmetricMode": True})
            top = u_obs + prox * u + (second @ u if second is not None else 0.0)
            rhs = np.concatenate([top, js @ u - f - DELTA_STEP * lam])
            sol = factor.solve(rhs)
            for _ in range(3):  # iterative refinement: the factor is exact only to about ε × condition
                res = rhs - kkt @ sol
                if not np.max(np.abs(res), initial=0.0) > 1e-15 * np.max(np.abs(rhs), initial=1.0):
                    break
                sol = sol + factor.solve(res)
            g, lam_g = sol[: layout.n_var], sol[layout.n_var :]
            # the step, in units of each measurement's σ; unobservable quantities may drift along their null
            # directions by rounding / ε: only the measured ones decide (the observable unknowns follow from
            # them through the balances, which are checked too)
            moved = np.abs(g - u)[measured_var]
            new_step = float(moved.max()) if moved.size else 0.0
            if newton and was_newton and new_step > 0.5 * step:
                allow_newton = False  # two second-order steps that do not contract: the plain linearisation only
            was_newton = newton
            step, v, lam = new_step, g * d, lam_g
            xs, cs, ts = layout.scatter(v, xs, cs, ts)
            if step <= TOLERANCE:
                f_new = self.residual(xs, cs, ts)
                mag = self.magnitude(xs, cs, ts)
                worst = float(np.max(np.abs(f_new) / np.maximum(mag, 1.0))) if f_new.size else 0.0
                if worst <= 1e3 * TOLERANCE:
                    converged = True
                    break
            # near the solution, add the second-order term of the bilinear balances (Newton's method on the
            # optimality conditions: the same fixed point, reached quadratically where the linearisation alone
            # converges slowly)
            newton = allow_newton and step < NEWTON_FROM
        if not converged:
            f_new = self.residual(xs, cs, ts)
            mag = np.maximum(self.magnitude(xs, cs, ts), 1.0)
            worst_row = int(np.argmax(np.abs(f_new) / mag))
            if step <= 1e-6 and abs(f_new[worst_row]) / mag[worst_row] > 1e-6:
                raise CPError(
                    func,
                    "flow_sigma",
                    "makes values exact (sigma = 0) that contradict "
                    f"{self.row_label(worst_row)}: the balances cannot all hold",
                )
            why = "check for gross errors or inconsistent fractions"
            frac = np.abs(np.where(mc, 0.0, cs * gscale))
            if frac.size and frac.max() > 1.0:  # no minimum in bounds: a fraction runs away as its flow vanishes
                j, q = np.unravel_index(int(np.argmax(frac)), frac.shape)
                why = (
                    f"the fraction of {self.comp_names[q]} in {self.fs.streams[j]} grows without bound "
                    f"({float(frac[j, q]):.3g}) while its flow goes to {float(xs[j] * fscale):.3g}: measure that "
                    "flow or fraction, or check the data"
                )
            raise CPError(
                func,
                "flow",
                f"cannot be reconciled: the linearisation did not converge in {max_it} iterations "
                f"(last step {step:.3g} sigma); {why}",
            )
        return self._classify(
            xs,
            cs,
            ts,
            x_meas,
            c_meas,
            t_obs,
            layout,
            weights,
            measured_var,
            keep,
            lam,
            exact_x,
            exact_c,
            mx,
            mc,
            t_meas,
            fscale,
            gscale,
            iterations,
        )

    # ------------------------------------------------------------------ classification and uncertainties
    def _classify(
        self,
        xs: np.ndarray,
        cs: np.ndarray,
        ts: np.ndarray,
        x_meas: np.ndarray,
        c_meas: np.ndarray,
        t_obs: np.ndarray,
        layout: _Layout,
        weights: np.ndarray,
        measured_var: np.ndarray,
        keep: np.ndarray,
        lam: np.ndarray,
        exact_x: np.ndarray,
        exact_c: np.ndarray,
        mx: np.ndarray,
        mc: np.ndarray,
        t_meas: np.ndarray,
        fscale: float,
        gscale: np.ndarray,
        iterations: int,
    ) -> dict[str, Any]:
        n, k, nr = self.n, self.k, self.nr
        prior_x = np.where(mx & ~exact_x, 1.0 / np.where(mx & ~exact_x, _pick(weights, layout, "x"), 1.0), 0.0)
        prior_c = np.where(mc & ~exact_c, 1.0 / np.where(mc & ~exact_c, _pick(weights, layout, "c"), 1.0), 0.0)
        prior_t = np.where(t_meas, 1.0 / np.where(t_meas, _pick(weights, layout, "t"), 1.0), 0.0)
        every = _Layout(np.ones(n, bool), np.ones((n, k), bool), np.ones(nr, bool))
        meas_all = np.concatenate([mx, mc.ravel(), np.ones(nr, bool)])
        jac = sp.csr_array(self.jacobian(xs, cs, every.vx, every.vc, every.vt, every.n_var))
        # an entry below 10⁻¹² (scaled units) is rounding: the fraction of a stream whose flow is 0 has no column,
        # and is unobservable (the composition of nothing), instead of a column of rounding scaled to unit length
        jac.data[np.abs(jac.data) < 1e-12] = 0.0
        jac.eliminate_zeros()
        var_x = np.zeros(n)
        var_c = np.zeros((n, k))
        var_t = np.zeros(nr)
        cov_xc = np.zeros((n, k))
        # Q_ii − Q̂_ii of every measurement, computed as such (not as a difference of two variances)
        red_x_var, red_c_var, red_t_var = np.zeros(n), np.zeros((n, k)), np.zeros(nr)
        dof: int | None = None
        if every.n_var <= DENSE_MAX and jac.shape[0] <= DENSE_MAX:
            # ---- the worksheet's case: exact linear algebra (SVD) on the linearised system
            exact_all = np.concatenate([exact_x, exact_c.ravel(), ~t_meas])
            prior_all = np.concatenate([prior_x, prior_c.ravel(), prior_t])
            pairs = np.argwhere(np.ones((n, k), bool))
            ii = np.concatenate([np.arange(every.n_var), every.vx[pairs[:, 0]]])
            jj = np.concatenate([np.arange(every.n_var), every.vc[pairs[:, 0], pairs[:, 1]]])
            unobs_all, redundant_all, zz, reduction, dof = _dense_linear(
                jac.toarray(), meas_all, exact_all, prior_all, ii, jj
            )
            var_x, var_c, var_t = zz[:n], zz[n : n + n * k].reshape(n, k), zz[n + n * k : every.n_var]
            cov_xc = zz[every.n_var :].reshape(n, k)
            red_x_var, red_c_var = reduction[:n], reduction[n : n + n * k].reshape(n, k)
            red_t_var = reduction[n + n * k :]
        else:
            unobs_all, redundant_all = _classify_sparse(jac, meas_all, every.n_var)
        unobs_x = unobs_all[:n]
        unobs_c = unobs_all[n : n + n * k].reshape(n, k)
        red_x = redundant_all[:n]
        red_c = redundant_all[n : n + n * k].reshape(n, k)
        red_t = redundant_all[n + n * k :] & t_meas
        if dof is None:
            # ---- step 2: true weights, exact quantities fixed
            free_x, free_c, free_t = ~exact_x, ~exact_c, t_meas.copy()
            lay2 = _Layout(free_x, free_c, free_t)
            is_meas = np.concatenate([(mx & ~exact_x)[free_x], (mc & ~exact_c)[free_c], t_meas[free_t]])
            w2 = np.concatenate(
                [
                    _pick(weights, layout, "x")[free_x],
                    _pick(weights, layout, "c")[free_c],
                    _pick(weights, layout, "t")[free_t],
                ]
            )
            jac = sp.csr_array(self.jacobian(xs, cs, lay2.vx, lay2.vc, lay2.vt, lay2.n_var))
            rows2 = np.flatnonzero(np.diff(jac.indptr) > 0)
            if lay2.n_var:
                both = np.argwhere((lay2.vx[:, None] >= 0) & (lay2.vc >= 0))
                ii = np.concatenate([np.arange(lay2.n_var), lay2.vx[both[:, 0]]])
                jj = np.concatenate([np.arange(lay2.n_var), lay2.vc[both[:, 0], both[:, 1]]])
                # unmeasured columns scaled like the measurements of their kind (the median σ), so that the balances
                # are of one order in the units of _covariance
                scale = np.ones(lay2.n_var)
                kinds = [lay2.vx[free_x]] + [lay2.vc[free_c[:, q], q] for q in range(k)]
                for cols in kinds:
                    meas_cols = cols[is_meas[cols]]
                    if meas_cols.size:
                        scale[cols] = float(np.median(1.0 / np.sqrt(w2[meas_cols])))
                zz, reduction = _covariance(jac[rows2], w2, is_meas, scale, ii, jj)
                red_x_var[free_x] = reduction[lay2.vx[free_x]]
                red_c_var[free_c] = reduction[lay2.vc[free_c]]
                red_t_var[free_t] = reduction[lay2.vt[free_t]]
                z2 = zz[: lay2.n_var]
                var_x[free_x] = z2[lay2.vx[free_x]]
                var_c[free_c] = z2[lay2.vc[free_c]]
                var_t[free_t] = z2[lay2.vt[free_t]]
                cov_xc[both[:, 0], both[:, 1]] = zz[lay2.n_var :]
        adj_x = np.where(red_x & ~exact_x, np.maximum(red_x_var, 0.0), 0.0)
        adj_c = np.where(red_c & ~exact_c, np.maximum(red_c_var, 0.0), 0.0)
        adj_t = np.where(t_meas, np.maximum(red_t_var, 0.0), 0.0)
        if dof is None:
            red_t = t_meas & (adj_t > REDUNDANT * prior_t)
        zx = np.full(n, np.nan)
        ok = red_x & ~exact_x & (adj_x > 0)
        zx[ok] = (x_meas[ok] - xs[ok]) / np.sqrt(adj_x[ok])
        zc = np.full((n, k), np.nan)
        ok = red_c & ~exact_c & (adj_c > 0)
        zc[ok] = (c_meas[ok] - cs[ok]) / np.sqrt(adj_c[ok])
        zt = np.full(self.nr, np.nan)
        ok = red_t & (adj_t > 0)
        zt[ok] = (t_obs[ok] - ts[ok]) / np.sqrt(adj_t[ok])
        mxu, mcu = mx & ~exact_x, mc & ~exact_c
        chi2 = float(
            np.sum((x_meas[mxu] - xs[mxu]) ** 2 / prior_x[mxu])
            + np.sum((c_meas[mcu] - cs[mcu]) ** 2 / prior_c[mcu])
            + np.sum((t_obs[t_meas] - ts[t_meas]) ** 2 / prior_t[t_meas])
        )
        if dof is None:  # the trace of a projector: the rank of the reduced balances
            nu = np.sum(adj_x[mxu] / prior_x[mxu]) + np.sum(adj_c[mcu] / prior_c[mcu])
            dof = round(float(nu + np.sum(adj_t[t_meas] / prior_t[t_meas])))
        # ---- back to the user's units
        x_out = np.where(unobs_x, np.nan, xs * fscale)
        c_out = np.where(unobs_c, np.nan, cs * gscale)
        s_obs = ~unobs_x[:, None] & ~unobs_c
        s_obs |= exact_x[:, None] & (xs[:, None] == 0)
        s_val = xs[:, None] * cs * fscale * gscale
        s_var = (cs**2 * var_x[:, None] + xs[:, None] ** 2 * var_c + 2 * xs[:, None] * cs * cov_xc) * (
            fscale * gscale
        ) ** 2
        s_val = np.where(s_obs, s_val, np.nan)
        s_var = np.where(s_obs, np.maximum(s_var, 0.0), np.nan)
        rel = self.rel
        rel_value = (
            np.bincount(rel["row"], rel["coef"] * xs[rel["col"]] * fscale, minlength=self.nr)
            if self.nr
            else np.zeros(0)
        )
        touches_unobs = np.zeros(self.nr, bool)
        if self.nr:
            np.logical_or.at(touches_unobs, rel["row"], unobs_x[rel["col"]])
        rel_value = np.where(touches_unobs, np.nan, rel_value)
        return {
            "x": np.where(unobs_x, np.nan, xs * fscale),
            "c": np.where(unobs_c, np.nan, cs * gscale),
            "x_out": x_out,
            "c_out": c_out,
            "sx": np.where(unobs_x, np.nan, np.sqrt(np.maximum(var_x, 0.0)) * fscale),
            "sc": np.where(unobs_c, np.nan, np.sqrt(np.maximum(var_c, 0.0)) * gscale),
            "s": s_val,
            "ss": np.sqrt(s_var),
            "s_obs": s_obs,
            "zx": zx,
            "zc": zc,
            "zt": zt,
            "rel_value": rel_value,
            "rel_sigma": np.where(t_meas, np.sqrt(var_t) * fscale, 0.0),
            "status_x": np.where(mx, np.where(red_x, 0, 1), np.where(unobs_x, 3, 2)),
            "status_c": np.where(mc, np.where(red_c, 0, 1), np.where(unobs_c, 3, 2)),
            "chi2": max(chi2, 0.0),
            "dof": dof,
            "iterations": iterations,
            "converged": True,
        }


class _Layout:
    """Where every flow, fraction and relation value sits in the vector of variables (−1: fixed)."""

    def __init__(self, free_x: np.ndarray, free_c: np.ndarray, free_t: np.ndarray):
        self.free_x, self.free_c, self.free_t = free_x, free_c, free_t
        nx, nc, nt = int(free_x.sum()), int(free_c.sum()), int(free_t.sum())
        self.vx = np.full(free_x.shape, -1, dtype=np.int64)
        self.vx[free_x] = np.arange(nx)
        self.vc = np.full(free_c.shape, -1, dtype=np.int64)
        self.vc[free_c] = nx + np.arange(nc)
        self.vt = np.full(free_t.shape, -1, dtype=np.int64)
        self.vt[free_t] = nx + nc + np.arange(nt)
        self.n_var = nx + nc + nt

    def gather(self, xs: np.ndarray, cs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        return np.concatenate([xs[self.free_x], cs[self.free_c], ts[self.free_t]])

    def scatter(
        self, v: np.ndarray, xs: np.ndarray, cs: np.ndarray, ts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xs, cs, ts = xs.copy(), cs.copy(), ts.copy()
        xs[self.free_x] = v[self.vx[self.free_x]]
        cs[self.free_c] = v[self.vc[self.free_c]]
        ts[self.free_t] = v[self.vt[self.free_t]]
        return xs, cs, ts


def _unit_scale(weights: np.ndarray, measured: np.ndarray, layout: _Layout, k: int) -> np.ndarray:
    """σ of every measured variable; for an unmeasured one the median σ of the measured of its kind (else 1)."""
    d = np.where(measured, 1.0 / np.sqrt(np.where(measured, weights, 1.0)), 1.0)
    kinds = [layout.vx[layout.free_x], *(layout.vc[layout.free_c[:, q], q] for q in range(k))]
    for cols in kinds:
        known = cols[measured[cols]]
        if known.size:
            d[cols[~measured[cols]]] = float(np.median(d[known]))
    return d


def _pick(values: np.ndarray, layout: _Layout, kind: str) -> np.ndarray:
    """The entries of a per-variable vector for every flow ("x"), fraction ("c") or relation ("t"); 0 where fixed."""
    index = {"x": layout.vx, "c": layout.vc, "t": layout.vt}[kind]
    padded = np.append(values, 0.0)
    return padded[np.where(index >= 0, index, values.size)]


def _kkt(h: np.ndarray, jac: sp.csr_array, delta: float, second: sp.coo_array | None = None) -> sp.csc_array:
    """[[diag(h) + H₂, Jᵀ], [J, −δ I]], H₂ a symmetric sparse second-order term (optional)."""
    nv, nrow = h.size, jac.shape[0]
    jc = sp.coo_array(jac)
    rows = [np.arange(nv), nv + jc.row, jc.col, nv + np.arange(nrow)]
    cols = [np.arange(nv), jc.col, nv + jc.row, nv + np.arange(nrow)]
    vals = [h, jc.data, jc.data, np.full(nrow, -delta)]
    if second is not None:
        rows.append(second.row)
        cols.append(second.col)
        vals.append(second.data)
    rows, cols, data = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    return sp.csc_array(sp.coo_array((data, (rows, cols)), shape=(nv + nrow, nv + nrow)))


#: The regularisations (ε on the unmeasured, δ on the balances, in units of each measurement's σ) at which the
#: covariance is computed, t × (ε₀, δ₀) for t = 1, 2, 4, and the weights that extrapolate it to t = 0.
RICHARDSON = ((1.0, 8.0 / 3.0), (2.0, -2.0), (4.0, 1.0 / 3.0))
EPSILON_COV = 1e-4
DELTA_COV = 1e-6


def _covariance(
    jac: sp.csr_array, weights: np.ndarray, is_meas: np.ndarray, scale: np.ndarray, ii: np.ndarray, jj: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Entries (ii, jj) of the covariance of the estimate of the linearised problem (unmeasured: no weight).

    In units where every measured quantity has σ = 1 (columns of J scaled by σ) and every balance unit length,
    the covariance is the top-left block of K(t)⁻¹ with the regularisations t ε₀ (unmeasured) and t δ₀
    (balances); it is analytic in t for every observable quantity, so the values at t = 1, 2, 4 extrapolate
    it to t = 0 with an error O((t ε₀ Var y)³): Richardson extrapolation, each K(t) well conditioned. Every
    unmeasured y is first rescaled by its standard deviation from a solve at t = 1, so that Var y ≈ 1. Returns
    the entries and, for every measured quantity, the reduction of its variance Q_ii − Q̂_ii.
    """
    d = np.where(is_meas, 1.0 / np.sqrt(np.where(is_meas, weights, 1.0)), scale)

    def scaled(d: np.ndarray) -> sp.csr_array:
        js = sp.csr_array(jac @ sp.diags_array(d))
        norms = np.sqrt(js.multiply(js).sum(axis=1))
        return sp.csr_array(sp.diags_array(1.0 / np.where(norms > 0, norms, 1.0)) @ js)

    # the expansion in t converges as t ε₀ Var(y) for an unmeasured y (in these units): rescale every unmeasured
    # quantity by its standard deviation from a first solve, so that Var(y) ≈ 1 and the extrapolation is exact to
    # about (ε₀)^(points)
    yi = np.flatnonzero(~is_meas)
    if yi.size:
        first = _inverse_entries(np.where(is_meas, 1.0, EPSILON_COV), is_meas, scaled(d), DELTA_COV, yi, yi)
        d[yi] *= np.sqrt(np.clip(first, 1e-6, 1e8))
    js = scaled(d)
    out = np.zeros(ii.size)
    for t, coefficient in RICHARDSON:
        h = np.where(is_meas, 1.0, t * EPSILON_COV)
        out += coefficient * _inverse_entries(h, is_meas, js, t * DELTA_COV, ii, jj, prior=False)
    own = (ii == jj) & is_meas[ii]  # the variance of a measurement: its prior (1 here) less the reduction
    reduction = np.zeros(is_meas.size)
    reduction[ii[own]] = -out[own] * d[ii[own]] ** 2
    out[own] += 1.0
    return out * d[ii] * d[jj], reduction


#: Variables (and balances) up to which the classification and the uncertainties use dense exact linear algebra.
DENSE_MAX = 400


def _classify_sparse(jac: sp.csr_array, meas_all: np.ndarray, n_var: int) -> tuple[np.ndarray, np.ndarray]:
    """Unobservable and redundant quantities from the regularised KKT matrix (every quantity a variable).

    The columns of J are scaled to unit length (the classification does not depend on the scale of a column);
    measured quantities (exact ones included) are weighted 1, unmeasured ones ε: an unmeasured quantity whose
    variance stays of the order of 1/ε is unobservable, a measured one whose variance the balances reduce is
    redundant.
    """
    w1 = np.where(meas_all, 1.0, EPSILON_CLASSIFY)
    norms = np.sqrt(np.bincount(jac.indices, jac.data**2, minlength=n_var))
    js = sp.csr_array(jac @ sp.diags_array(1.0 / np.where(norms > 0, norms, 1.0)))
    rows = np.flatnonzero(np.diff(js.indptr) > 0)
    every = np.arange(n_var)
    z1 = _inverse_entries(w1, meas_all, sp.csr_array(js[rows]), DELTA_CLASSIFY, every, every)
    return ~meas_all & (EPSILON_CLASSIFY * z1 > UNOBSERVABLE), meas_all & (1.0 - z1 > REDUNDANT)


def _dense_linear(
    jac: np.ndarray, meas: np.ndarray, exact: np.ndarray, prior: np.ndarray, ii: np.ndarray, jj: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Classification and covariance of the linearised problem by dense SVDs (Crowe's projection, exactly).

    J_y (unmeasured columns, scaled to unit length) = U S Vᵀ: the rows of V beyond the rank span its null space
    (an unmeasured quantity with a component there is unobservable) and the columns of U beyond the rank its
    left null space P, so that A_r = P J_x are the reduced balances (a measured column with P a ≠ 0 is
    redundant). Over the uncertain measurements, with the dependent rows of A_r dropped (SVD again),
    Q̂ = Q − Q A_rᵀ (A_r Q A_rᵀ)⁻¹ A_r Q and ν = rank A_r; the unmeasured follow as y = −J_y⁺ J_x x.
    Returns the unobservable and redundant masks, the covariance entries (ii, jj) (exact quantities: 0), the
    reduction Q_ii − Q̂_ii of every uncertain measurement's variance, and ν.
    """
    nv = jac.shape[1]
    norms = np.sqrt((jac**2).sum(axis=0))
    js = jac / np.where(norms > 0, norms, 1.0)
    yi, mi = np.flatnonzero(~meas), np.flatnonzero(meas)
    ui = np.flatnonzero(meas & ~exact)
    jy = js[:, yi]
    if yi.size:
        u, sv, vt = np.linalg.svd(jy, full_matrices=True)
        rank = int((sv > 1e-10 * max(1.0, float(sv.max(initial=0.0)))).sum())
        null = vt[rank:].T
        unobs_y = (null**2).sum(axis=1) > 1e-12
        proj = u[:, rank:].T
        pinv = vt[:rank].T @ (u[:, :rank].T / sv[:rank, None])  # of the scaled J_y
    else:
        unobs_y = np.zeros(0, bool)
        proj = np.eye(jac.shape[0])
        pinv = np.zeros((0, jac.shape[0]))
    unobs = np.zeros(nv, bool)
    unobs[yi] = unobs_y
    redundant = np.zeros(nv, bool)
    redundant[mi] = np.sqrt(((proj @ js[:, mi]) ** 2).sum(axis=0)) > 1e-8
    cov = np.zeros((nv, nv))
    reduction = np.zeros(nv)
    dof = 0
    if ui.size:
        q = prior[ui]
        ar = proj @ jac[:, ui]
        arq = ar * np.sqrt(q)
        if arq.size:
            u2, s2, _ = np.linalg.svd(arq, full_matrices=False)
            dof = int((s2 > 1e-10 * max(float(s2.max(initial=0.0)), 1e-300)).sum())
            ar = u2[:, :dof].T @ ar
        qa = ar * q  # A_r Q
        adj = qa.T @ np.linalg.solve(qa @ ar.T, qa) if dof else np.zeros((ui.size, ui.size))
        qhat = np.diag(q) - adj
        cov[np.ix_(ui, ui)] = qhat
        reduction[ui] = np.diag(adj)
        if yi.size:
            g = -(pinv @ jac[:, ui]) / np.where(norms[yi] > 0, norms[yi], 1.0)[:, None]  # dy = G dx
            cov[np.ix_(yi, ui)] = g @ qhat
            cov[np.ix_(ui, yi)] = cov[np.ix_(yi, ui)].T
            cov[np.ix_(yi, yi)] = g @ qhat @ g.T
    return unobs, redundant, cov[ii, jj], reduction, dof


def _inverse_entries(
    w: np.ndarray,
    big: np.ndarray,
    jac: sp.csr_array,
    delta: float,
    ii: np.ndarray,
    jj: np.ndarray,
    *,
    prior: bool = True,
) -> np.ndarray:
    """Entries (ii, jj) of the top-left block of K⁻¹, K = [[diag(w), Jᵀ], [J, −δ I]], through a smaller matrix.

    The variables marked *big* (the measured ones: their weight is a number, not a vanishing ε) are eliminated
    first, exactly, as their block is diagonal: with A = diag(w) over them,

    .. math::
        S = \\begin{pmatrix} \\operatorname{diag}(w_Y) & J_Y^T \\\\ J_Y & -\\delta I - J_A A^{-1} J_A^T
        \\end{pmatrix}, \\qquad
        (K^{-1})_{AA} = A^{-1} + A^{-1} J_A^T Z_{\\lambda\\lambda} J_A A^{-1}, \\quad
        (K^{-1})_{AY} = -A^{-1} J_A^T Z_{\\lambda Y}, \\quad (K^{-1})_{YY} = Z_{YY}

    with Z = S⁻¹ (quasi-definite, so factorised without pivoting), whose entries come from Takahashi's selected
    inverse; S has the unmeasured variables and the balances only.
    """
    nv = w.size
    ai, yi = np.flatnonzero(big), np.flatnonzero(~big)
    ny, nrow = yi.size, jac.shape[0]
    where = np.full(nv, -1, dtype=np.int64)
    where[yi] = np.arange(ny)
    jcsc = sp.csc_array(jac)
    ja = sp.csc_array(jcsc[:, ai])
    jy = sp.csc_array(jcsc[:, yi])
    inv_a = 1.0 / w[ai]
    lower = sp.coo_array(-(sp.diags_array(np.full(nrow, delta)) + ja @ sp.diags_array(inv_a) @ ja.T))
    jyc = sp.coo_array(jy)
    rows = np.concatenate([np.arange(ny), ny + jyc.row, jyc.col, ny + lower.row])
    cols = np.concatenate([np.arange(ny), jyc.col, ny + jyc.row, ny + lower.col])
    vals = np.concatenate([w[yi], jyc.data, jyc.data, lower.data])
    kkt = sp.csc_array(sp.coo_array((vals, (rows, cols)), shape=(ny + nrow, ny + nrow)))
    try:
        factor: _LDL | _SolvedInverse = _LDL(kkt, definite=False, func="reconcile_components")
    except np.linalg.LinAlgError:  # pivots of the size of ε cancel: no LDLᵀ without pivoting, so solve
        factor = _SolvedInverse(kkt)
    # every request as a sum of c · Z[p, q] over pairs of positions in S
    col_of = np.full(nv, -1, dtype=np.int64)
    col_of[ai] = np.arange(ai.size)
    ja.sum_duplicates()
    ptr, idx, dat = ja.indptr, ja.indices, ja.data

    def terms(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each request variable: (request number, position in S, coefficient) of its expansion."""
        req = np.arange(v.size)
        is_a = big[v]
        # an unmeasured variable is itself: position ny-less index, coefficient 1
        out_r, out_p, out_c = [req[~is_a]], [where[v[~is_a]]], [np.ones(int((~is_a).sum()))]
        ca = col_of[v[is_a]]
        counts = ptr[ca + 1] - ptr[ca]
        starts = np.repeat(ptr[ca], counts)
        offs = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        k = starts + offs
        out_r.append(np.repeat(req[is_a], counts))
        out_p.append(ny + idx[k])
        out_c.append(-dat[k] * np.repeat(inv_a[ca], counts))
        return np.concatenate(out_r), np.concatenate(out_p), np.concatenate(out_c)

    # an unmeasured variable y is e_y in S; a measured a is −A⁻¹ J_aᵀ on the balances (its K⁻¹ rows), and
    # (K⁻¹)_ab = δ_ab/w_a + Σ (−A⁻¹J_a)_p (−A⁻¹J_b)_q Z_pq covers all four blocks
    ri, pi, ci = terms(ii)
    rj, pj, cj = terms(jj)
    # pair the terms of request t on both sides
    order_i, order_j = np.argsort(ri, kind="stable"), np.argsort(rj, kind="stable")
    ri, pi, ci = ri[order_i], pi[order_i], ci[order_i]
    rj, pj, cj = rj[order_j], pj[order_j], cj[order_j]
    ni = np.bincount(ri, minlength=ii.size)
    nj = np.bincount(rj, minlength=jj.size)
    si, sj = np.cumsum(ni) - ni, np.cumsum(nj) - nj
    per = ni * nj
    t = np.repeat(np.arange(ii.size), per)
    local = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    a_k = si[t] + local // np.maximum(nj[t], 1)
    b_k = sj[t] + local % np.maximum(nj[t], 1)
    p, q = pi[a_k], pj[b_k]
    key, inverse = np.unique(np.minimum(p, q) * np.int64(ny + nrow) + np.maximum(p, q), return_inverse=True)
    z = factor.entries(key // (ny + nrow), key % (ny + nrow))
    out = np.bincount(t, ci[a_k] * cj[b_k] * z[inverse], minlength=ii.size)
    if prior:  # without it: K⁻¹ less A⁻¹, the reduction of the measured variances (negated), as such
        same = (ii == jj) & big[ii]
        out[same] += 1.0 / w[ii[same]]
    return out


class _SolvedInverse:
    """Entries of S⁻¹ by solves with a pivoted LU of S: where S has no stable LDLᵀ without pivoting.

    Slower than Takahashi's selected inverse (one solve per distinct column asked for, in batches), but it
    needs no pivot of S to be usable as it stands.
    """

    #: Right-hand sides solved at once (a dense block of n × BATCH).
    BATCH = 256

    def __init__(self, s: sp.csc_array):
        self.n = s.shape[0]
        self.lu = splu(sp.csc_array(s))

    def entries(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Entries (i, j) of S⁻¹."""
        out = np.zeros(i.size)
        columns, which = np.unique(j, return_inverse=True)
        for start in range(0, columns.size, self.BATCH):
            batch = columns[start : start + self.BATCH]
            rhs = np.zeros((self.n, batch.size))
            rhs[batch, np.arange(batch.size)] = 1.0
            solved = self.lu.solve(rhs)
            here = (which >= start) & (which < start + batch.size)
            out[here] = solved[i[here], which[here] - start]
        return out


# ====================================================================== the result
def _result(
    fs: Flowsheet,
    comp_names: list[str],
    rel: dict[str, np.ndarray],
    sol: dict[str, Any],
    test: dict[str, Any],
    x: np.ndarray,
    wx: np.ndarray,
    x_default: np.ndarray,
    c: np.ndarray,
    wc: np.ndarray,
    c_default: np.ndarray,
    dropped: list[tuple[int, int]],
    alpha: float,
    z_crit: float,
) -> ComponentsResult:
    n, k = fs.n_streams, len(comp_names)
    zx, zc = sol["zx"], sol["zc"]
    suspect_x = np.isfinite(zx) & (np.abs(np.nan_to_num(zx)) > z_crit)
    suspect_c = np.isfinite(zc) & (np.abs(np.nan_to_num(zc)) > z_crit)
    gone_x = np.zeros(n, dtype=bool)
    gone_c = np.zeros((n, k), dtype=bool)
    for j, q in dropped:
        if q < 0:
            gone_x[j] = True
        else:
            gone_c[j, q] = True
    value, frac = sol["x_out"], sol["c_out"]
    # ---- bounds: flagged, never clipped
    tol = 1e-9
    flow_oob = np.nan_to_num(value, nan=0.0) < -tol * max(float(np.nanmax(np.abs(value), initial=0.0)), 1.0)
    frac_oob = (np.nan_to_num(frac, nan=0.5) < -tol) | (np.nan_to_num(frac, nan=0.5) > 1 + tol)
    sum_above = np.nansum(frac, axis=1) > 1 + tol if k else np.zeros(n, dtype=bool)
    bounds: list[str] = []
    for j in np.flatnonzero(flow_oob):
        bounds.append(f"flow of {fs.streams[j]} is negative ({value[j]:.6g})")
    for j, q in np.argwhere(frac_oob):
        bounds.append(f"fraction of {comp_names[q]} in {fs.streams[j]} is outside [0, 1] ({frac[j, q]:.6g})")
    for j in np.flatnonzero(sum_above):
        bounds.append(f"fractions of {fs.streams[j]} sum to {np.nansum(frac[j]):.6g} > 1")
    labels = [fs.streams[j] if q < 0 else f"{fs.streams[j]}/{comp_names[q]}" for j, q in dropped]
    parts = [
        "the balances hold within the measurement uncertainty"
        if test["passed"]
        else "the balances do NOT hold within the measurement uncertainty (chi2 > critical value)",
        f"converged in {sol['iterations']} iteration(s)",
    ]
    if labels:
        parts.append("dropped as gross errors: " + ", ".join(labels))
    n_unobs = int((sol["status_x"] == 3).sum() + (sol["status_c"] == 3).sum())
    if n_unobs:
        parts.append(f"{n_unobs} unmeasured flow(s) or fraction(s) cannot be computed (unobservable)")
    if bounds:
        parts.append(f"{len(bounds)} reconciled value(s) out of bounds")
    n_def = int(x_default.sum() + c_default.sum())
    if n_def:
        parts.append(f"{n_def} blank sigma(s) set to {DEFAULT_REL_SIGMA:g} x measured")
    status_names = np.array(STATUSES, dtype=object)
    return ComponentsResult(
        names=list(fs.streams),
        components=list(comp_names),
        value=value,
        sigma=sol["sx"],
        z=zx,
        status=status_names[sol["status_x"]],
        measured=x,
        measured_sigma=np.sqrt(wx),
        sigma_defaulted=x_default,
        suspect=suspect_x,
        dropped=gone_x,
        fraction=frac,
        fraction_sigma=sol["sc"],
        fraction_z=zc,
        fraction_status=status_names[sol["status_c"]].reshape(n, k),
        fraction_measured=c,
        fraction_measured_sigma=np.sqrt(wc),
        fraction_sigma_defaulted=c_default,
        fraction_suspect=suspect_c,
        fraction_dropped=gone_c,
        component_flow=sol["s"],
        component_flow_sigma=sol["ss"],
        component_flow_status=np.where(sol["s_obs"], STATUSES[2], STATUSES[3]).astype(object),
        relation_value=sol["rel_value"],
        relation_sigma=sol["rel_sigma"],
        relation_z=sol["zt"],
        **test,
        alpha=float(alpha),
        z_critical=z_crit,
        eliminated=labels,
        iterations=int(sol["iterations"]),
        converged=bool(sol["converged"]),
        flow_out_of_bounds=flow_oob,
        fraction_out_of_bounds=frac_oob,
        fraction_sum_above_one=sum_above,
        bound_messages=bounds,
        message="; ".join(parts),
    )
