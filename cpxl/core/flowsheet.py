"""The balance model: unit operations joined by streams, and the closure of every balance.

A flowsheet is given as a *stream table*, one row per stream: the unit it leaves (``source``), the unit it
enters (``target``) and, optionally, a name. A blank end is the **system boundary** (the environment): a feed
comes from the boundary, a product, emission or waste goes to it. The boundary is not a unit and is never
balanced.

The balance of unit *i* is row *i* of the incidence matrix *A* (units × streams)::

    A[i, j] = +1  if stream j enters unit i   (target)
    A[i, j] = -1  if stream j leaves unit i   (source)

so that the steady-state balances read ``A @ x = 0`` for the vector *x* of stream flows (all ≥ 0; the
direction of a stream is given by its ends, never by a sign).

**Stock change is a stream to or from the boundary.** Material that accumulates in a unit (a tank that fills,
a stockpile that grows) leaves the process towards the boundary: a stream ``source = unit``, ``target =
blank``, flagged ``stock=True``; a stock that is drawn down is a stream from the boundary into the unit. For
the reconciliation a stock stream is an ordinary stream. For the closure it is counted as Δstock, not as an
input or output, so that the closure of every unit is the audit's

.. math::
    \\delta = \\frac{\\sum \\text{in} - \\sum \\text{out} - \\Delta\\text{stock}}{\\sum \\text{in}}

with Δstock = (flow into stock) − (flow drawn from stock), exactly as
:func:`cpxl.core.metrics.balance_closure` computes it for one unit.

References
----------
.. [1] Narasimhan, S., Jordache, C. *Data Reconciliation and Gross Error Detection: An Intelligent Use of
   Process Data*. Gulf Publishing, Houston, 2000, ch. 3 (process graphs and incidence matrices).
.. [2] Kretsovalis, A., Mah, R.S.H. Observability and redundancy classification in multicomponent process
   networks. *AIChE Journal* 33 (1987) 70–82.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .errors import CPError
from .inputs import MAX_CELLS, as_flags, as_floats, as_labels, check
from .results import _Result

__all__ = ["BalanceResult", "Flowsheet"]


def _size(x: Any) -> int:
    if x is None:
        return 0
    if hasattr(x, "to_numpy"):
        x = x.to_numpy(dtype=object)
    if isinstance(x, str):
        return 1
    return int(np.asarray(x, dtype=object).size)


_PLAIN_LABEL_TYPES = frozenset({str, int, float, type(None)})


def _plain_labels(x: Any, size: int) -> list[str | None] | None:
    """The common case of :func:`~cpxl.core.inputs.as_labels`, read without its per-item checks; or None.

    For a list, tuple or 1-D object or text array of *size* items, each a ``str``, an ``int`` (not a
    ``bool``), a ``float`` or None, the labels are those ``as_labels`` gives: blank (None, empty or
    whitespace text, NaN) is None, an integral number its integer text, any other text stripped. Anything
    else is None, and ``as_labels`` reads it, refusals included.
    """
    if type(x) is list or type(x) is tuple:
        items = x
    elif isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype.kind in "OU":
        items = x.tolist()
    else:
        return None
    if len(items) != size or size > MAX_CELLS or not set(map(type, items)) <= _PLAIN_LABEL_TYPES:
        return None
    out: list[str | None] = []
    for item in items:
        kind = type(item)
        if kind is str:
            text = item.strip()
            out.append(text if text else None)
        elif item is None:
            out.append(None)
        elif kind is int:
            out.append(str(item))
        elif item != item:  # NaN
            out.append(None)
        else:
            out.append(str(int(item)) if item.is_integer() else str(item).strip())
    return out


class BalanceResult(_Result):
    """The closure of every unit and of the whole system (see :meth:`Flowsheet.closure`).

    Keys: ``units``; per unit ``inflow``, ``outflow``, ``stock_change``, ``closure``; for the whole system
    ``system_inflow``, ``system_outflow``, ``system_stock_change``, ``system_closure``; ``tolerance`` and
    ``unbalanced`` (the units with |closure| > tolerance).
    """

    def to_frame(self) -> Any:
        """The per-unit table as a pandas DataFrame (one row per unit, plus a ``(system)`` row)."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "inflow": self.inflow,
                "outflow": self.outflow,
                "stock_change": self.stock_change,
                "closure": self.closure,
            },
            index=pd.Index(list(self.units), name="unit"),
        )
        frame.loc["(system)"] = [self.system_inflow, self.system_outflow, self.system_stock_change, self.system_closure]
        return frame


class Flowsheet:
    """Units and the streams between them: the structure of a material balance.

    Build one with :meth:`from_streams`. Units are numbered in order of first appearance in the stream table
    (source before target, row by row).

    Attributes
    ----------
    streams : tuple of str
        Stream names, one per row of the table.
    units : tuple of str
        Unit names (the boundary is not a unit).
    source, target : numpy.ndarray of int
        For each stream, the index into ``units`` of the unit it leaves / enters; -1 is the boundary.
    stock : numpy.ndarray of bool
        Streams that are stock changes (counted as Δstock in :meth:`closure`).

    Examples
    --------
    A reactor R followed by a separator S; feed F and water W enter, product P and waste X leave:

    >>> fs = Flowsheet.from_streams(source=[None, None, "R", "S", "S"],
    ...                             target=["R", "R", "S", None, None],
    ...                             names=["F", "W", "RS", "P", "X"])
    >>> fs
    Flowsheet(5 streams, 2 units: 'R', 'S')
    >>> fs.incidence.toarray()
    array([[ 1.,  1., -1.,  0.,  0.],
           [ 0.,  0.,  1., -1., -1.]])
    >>> fs.unbalanced([100, 20, 119, 90, 25], tolerance=0.01)
    ['S']
    """

    def __init__(
        self,
        streams: Sequence[str],
        units: Sequence[str],
        source: np.ndarray,
        target: np.ndarray,
        stock: np.ndarray | None = None,
    ):
        self.streams = tuple(streams)
        self.units = tuple(units)
        self.source = np.asarray(source, dtype=np.int64)
        self.target = np.asarray(target, dtype=np.int64)
        n = len(self.streams)
        self.stock = np.zeros(n, dtype=bool) if stock is None else np.asarray(stock, dtype=bool)
        if not (self.source.shape == self.target.shape == self.stock.shape == (n,)):
            raise ValueError("Flowsheet: streams, source, target and stock must have one entry per stream")
        self._incidence: sp.csr_array | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_streams(
        cls, source: Any, target: Any, names: Any = None, *, stock: Any = None, func: str = "flowsheet"
    ) -> Flowsheet:
        """Build a flowsheet from a stream table.

        Parameters
        ----------
        source : sequence of str or number
            For each stream, the unit it leaves; blank (``None``, ``""``, NaN) is the system boundary.
        target : sequence of str or number
            For each stream, the unit it enters; blank is the system boundary.
        names : sequence of str, optional
            Stream names, unique and not blank; default ``S1, S2, ...``.
        stock : sequence of bool, optional
            Flags the streams that are stock changes (one end must be the boundary). Default: none.
        func : str, optional
            Function name used in error messages (``"reconcile"`` when called from there).

        Returns
        -------
        Flowsheet

        Raises
        ------
        CPError
            When the table is not a flowsheet: lengths differ, a stream has both ends blank or both ends the
            same unit, names are blank or repeated, a stock stream touches no boundary. The message names
            the argument and the 1-based row.

        Examples
        --------
        >>> fs = Flowsheet.from_streams(["", "A", "B"], ["A", "B", ""])
        >>> fs.streams, fs.units
        (('S1', 'S2', 'S3'), ('A', 'B'))
        >>> Flowsheet.from_streams(["A", ""], ["A", "B"])
        Traceback (most recent call last):
        cpxl.core.errors.CPError: flowsheet: target[1] must differ from its source, got 'A'
        """
        n = _size(source)
        check(n > 0, func, "source", "has no streams")
        # compared before either is read, so that a mistaken full-column range fails at once
        check(_size(target) == n, func, "target", f"must have one entry per row ({n})", _size(target))
        src = _plain_labels(source, n)
        if src is None:
            src = as_labels(source, func, "source", n)
        tgt = _plain_labels(target, n)
        if tgt is None:
            tgt = as_labels(target, func, "target", n)
        if names is None:
            labels: list[str] = [f"S{i + 1}" for i in range(n)]
        else:
            given = as_labels(names, func, "names", n)
            seen: dict[str, int] = {}
            labels = []
            for i, name in enumerate(given):
                check(name is not None, func, f"names[{i + 1}]", "is blank")
                assert name is not None
                if name in seen:
                    raise CPError(func, f"names[{i + 1}]", f"repeats names[{seen[name] + 1}]", name)
                seen[name] = i
                labels.append(name)
        flags = np.zeros(n, dtype=bool) if stock is None else as_flags(stock, func, "stock", n, default=False)
        index: dict[str, int] = {}
        s_idx = np.empty(n, dtype=np.int64)
        t_idx = np.empty(n, dtype=np.int64)
        for i, (a, b) in enumerate(zip(src, tgt, strict=True)):
            if a is None and b is None:
                raise CPError(func, f"source[{i + 1}]", "and target are both blank: a stream must touch a unit")
            if a is not None and a == b:
                raise CPError(func, f"target[{i + 1}]", "must differ from its source", b)
            if flags[i] and a is not None and b is not None:
                raise CPError(
                    func,
                    f"stock[{i + 1}]",
                    "is set for a stream between two units: a stock change goes to or from the boundary",
                )
            for end, out in ((a, s_idx), (b, t_idx)):
                if end is None:
                    out[i] = -1
                else:
                    out[i] = index.setdefault(end, len(index))
        return cls(labels, list(index), s_idx, t_idx, flags)

    # ------------------------------------------------------------------ structure
    def __len__(self) -> int:
        return len(self.streams)

    def __repr__(self) -> str:
        shown = ", ".join(repr(u) for u in self.units[:6]) + (", ..." if len(self.units) > 6 else "")
        return f"Flowsheet({len(self.streams)} streams, {len(self.units)} units: {shown})"

    @property
    def n_streams(self) -> int:
        """Number of streams."""
        return len(self.streams)

    @property
    def n_units(self) -> int:
        """Number of units (the boundary excluded)."""
        return len(self.units)

    @property
    def incidence(self) -> sp.csr_array:
        """The incidence matrix A (units × streams, sparse): +1 where a stream enters a unit, −1 where it leaves.

        The steady-state balances are ``A @ x = 0``.
        """
        if self._incidence is None:
            n = self.n_streams
            cols = np.arange(n)
            ins = self.target >= 0
            outs = self.source >= 0
            rows = np.concatenate([self.target[ins], self.source[outs]])
            data = np.concatenate([np.ones(ins.sum()), -np.ones(outs.sum())])
            self._incidence = sp.csr_array(
                (data, (rows, np.concatenate([cols[ins], cols[outs]]))), shape=(self.n_units, n)
            )
        return self._incidence

    def _values(self, values: Any, func: str, arg: str = "values") -> np.ndarray:
        """One flow per stream, blanks as NaN; a negative flow is refused (the direction is in the table)."""
        x = as_floats(values, func, arg)
        check(x.size == self.n_streams, func, arg, f"must have one entry per stream ({self.n_streams})", x.size)
        neg = np.flatnonzero(x < 0)
        if neg.size:
            raise CPError(
                func,
                f"{arg}[{neg[0] + 1}]",
                "must be >= 0 (the direction of a stream is given by its source and target)",
                x[neg[0]],
            )
        return x

    # ------------------------------------------------------------------ balances
    def closure(self, values: Any, tolerance: float = 0.05) -> BalanceResult:
        """The balance of every unit and of the whole system: Σ in, Σ out, Δstock and the closure.

        .. math::
            \\delta_i = \\frac{\\sum_{j \\to i} x_j - \\sum_{i \\to j} x_j - \\Delta s_i}{\\sum_{j \\to i} x_j}

        where stock streams count in Δs (into stock +, out of stock −) and not in Σ in or Σ out. The system
        balance is the same over the streams that cross the boundary. This is
        :func:`cpxl.core.metrics.balance_closure` for every unit at once.

        Parameters
        ----------
        values : sequence of float
            Flow of every stream (mass per period, any one unit), ≥ 0. A blank is an *unknown*, not a zero: a
            unit that one blank stream touches has NaN totals and closure (reconcile first).
        tolerance : float, optional
            |closure| above which a unit is listed in ``unbalanced``; default 0.05 (5 %, a common acceptance
            limit, *convention*).

        Returns
        -------
        BalanceResult
            ``units, inflow, outflow, stock_change, closure`` (arrays, one per unit), ``system_*`` the same
            for the whole system, ``tolerance`` and ``unbalanced`` (list of unit names). A unit with Σ in = 0
            has closure NaN (undefined) and is not listed.

        Examples
        --------
        Mixer M: 60 + 40 in, 97 out, 2 into stock; δ = (100 − 97 − 2)/100:

        >>> fs = Flowsheet.from_streams(["", "", "M", "M"], ["M", "M", "", ""], stock=[0, 0, 0, 1])
        >>> res = fs.closure([60, 40, 97, 2])
        >>> res.inflow, res.outflow, res.stock_change, res.closure
        (array([100.]), array([97.]), array([2.]), array([0.01]))
        >>> float(res.system_closure)
        0.01
        """
        func = "closure"
        x = self._values(values, func)
        tol = float(tolerance)
        check(bool(np.isfinite(tol)) and tol >= 0, func, "tolerance", "must be >= 0", tolerance)
        m, n = self.n_units, self.n_streams
        cols = np.arange(n)
        flow = ~self.stock

        def tally(ends: np.ndarray, mask: np.ndarray) -> np.ndarray:
            keep = mask & (ends >= 0)
            mat = sp.csr_array((np.ones(int(keep.sum())), (ends[keep], cols[keep])), shape=(m, n))
            return mat @ x  # only stored entries: a NaN reaches just the units it touches

        inflow = tally(self.target, flow)
        outflow = tally(self.source, flow)
        stock = tally(self.source, self.stock) - tally(self.target, self.stock)
        # NaN anywhere around a unit makes its whole balance unknown
        unknown = np.isnan(inflow) | np.isnan(outflow) | np.isnan(stock)
        inflow[unknown] = outflow[unknown] = stock[unknown] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = np.where(inflow > 0, (inflow - outflow - stock) / np.where(inflow > 0, inflow, 1.0), np.nan)
        delta[unknown] = np.nan

        bnd_in = flow & (self.source < 0)
        bnd_out = flow & (self.target < 0)
        s_in, s_out = float(x[bnd_in].sum()), float(x[bnd_out].sum())
        s_stock = float(x[self.stock & (self.target < 0)].sum() - x[self.stock & (self.source < 0)].sum())
        s_delta = (s_in - s_out - s_stock) / s_in if s_in > 0 else np.nan
        bad = np.flatnonzero(np.abs(np.nan_to_num(delta, nan=0.0)) > tol)
        return BalanceResult(
            units=list(self.units),
            inflow=inflow,
            outflow=outflow,
            stock_change=stock,
            closure=delta,
            system_inflow=s_in,
            system_outflow=s_out,
            system_stock_change=s_stock,
            system_closure=s_delta,
            tolerance=tol,
            unbalanced=[self.units[i] for i in bad],
        )

    def unbalanced(self, values: Any, tolerance: float = 0.05) -> list[str]:
        """Names of the units whose |closure| exceeds *tolerance* (see :meth:`closure`).

        Parameters
        ----------
        values : sequence of float
            Flow of every stream, ≥ 0.
        tolerance : float, optional
            Acceptance limit on |closure|, default 0.05 (*convention*).

        Examples
        --------
        >>> fs = Flowsheet.from_streams(["", "A"], ["A", ""])
        >>> fs.unbalanced([100, 90]), fs.unbalanced([100, 99])
        (['A'], [])
        """
        return self.closure(values, tolerance).unbalanced

    def reconcile(self, measured: Any, sigma: Any = None, **options: Any) -> Any:
        """Reconcile measured flows on this flowsheet: :func:`cpxl.core.reconcile.reconcile`.

        Examples
        --------
        >>> fs = Flowsheet.from_streams(["", "A"], ["A", ""])
        >>> fs.reconcile([100, 90], [4, 3]).value
        array([93.6, 93.6])
        """
        from .reconcile import _reconcile_flowsheet

        return _reconcile_flowsheet(self, measured, sigma, func="reconcile", **options)
