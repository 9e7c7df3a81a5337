"""Interval audit: how precisely can an attacker pin down each hidden cell?

The attacker knows every published cell *exactly* (stronger than reality: published counts
are rounded) and that every line of a table adds up to its total.  For each hidden cell we
minimise and maximise its value over the non-negative reals subject to those equations
(HiGHS, through ``highspy``).  A table may be published only if every hidden
cell's feasible interval is at least ``protection`` wide.  Every LP solution is a feasible
point for all cells at once, so most cells are proven wide by a few LPs with random
objectives; only the rest get their own min and max LPs.

Several tables are audited *jointly*: a cell is identified by a key, and cells of different
tables with equal keys are one unknown (the same people counted twice), so equations of one
table constrain hidden cells of another.  Independent groups of unknowns are solved apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, hstack
from scipy.sparse.csgraph import connected_components


class DisclosureRiskError(Exception):
    """Refuse to publish: a hidden cell could be derived too precisely."""

    def __init__(self, tables: Sequence[str], cells: int, protection: float) -> None:
        self.tables = tuple(tables)
        self.cells = cells
        super().__init__(
            f"{cells} hidden cell(s) in {', '.join(self.tables)} can be derived within less "
            f"than {protection:g} from published figures; table withheld")


@dataclass
class AuditProblem:
    """One table in an audit: exact counts, which cells are hidden, and cell keys."""

    name: str
    counts: np.ndarray
    hidden: np.ndarray
    keys: np.ndarray


@dataclass
class Intervals:
    """Hold the feasible ``low``/``high`` of every hidden cell (NaN where published)."""

    low: np.ndarray
    high: np.ndarray

    @property
    def width(self) -> np.ndarray:
        """Return ``high - low`` (inf when unbounded, NaN where published)."""
        return self.high - self.low


def own_keys(shape: tuple[int, ...], offset: int = 0) -> np.ndarray:
    """Return keys that link no cell to any other (a table audited on its own)."""
    return np.arange(offset, offset + int(np.prod(shape)), dtype=np.uint64).reshape(shape)


def _line_constraints(problem: AuditProblem, var_of: np.ndarray
                      ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray],
                                 list[np.ndarray]]:
    """Return (row, column, coefficient, rhs) pieces: one equation per line with a hidden cell."""
    rows, cols, coefs, rhs = [], [], [], []
    index = np.arange(problem.counts.size).reshape(problem.counts.shape)
    flat_counts, flat_hidden = problem.counts.ravel(), problem.hidden.ravel()
    start = 0
    for axis in range(problem.counts.ndim):
        n = problem.counts.shape[axis] - 1
        cells = np.moveaxis(index, axis, -1).reshape(-1, n + 1)
        hidden = flat_hidden[cells]
        cells, hidden = cells[hidden.any(axis=1)], hidden[hidden.any(axis=1)]
        if not len(cells):
            continue
        sign = np.r_[np.ones(n), -1.0]  # interior cells minus the total = 0
        known = np.where(hidden, 0, flat_counts[cells]) * sign
        line, pos = np.nonzero(hidden)
        rows.append(start + line)
        cols.append(var_of.ravel()[cells[line, pos]])
        coefs.append(sign[pos])
        rhs.append(-known.sum(axis=1))
        start += len(cells)
    return rows, cols, coefs, rhs


class _Model:
    """Hold one group's equations in one HiGHS instance and minimise objectives over them.

    The instance keeps its optimal basis between objectives, so each further LP starts
    from the last vertex (a warm start): a few simplex steps instead of a fresh solve.
    """

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray) -> None:
        csc = matrix.tocsc()
        n = csc.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, csc.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.asarray(lower, dtype=float)
        lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper).astype(float)
        lp.row_lower_ = lp.row_upper_ = np.asarray(rhs, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # keeps the basis for warm starts
        # A new objective leaves the last basis feasible: primal simplex goes on from it.
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.passModel(lp)
        self.columns = np.arange(n, dtype=np.int32)

    def minimum(self, objective: np.ndarray
                ) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        """Return min of ``objective @ x``, a minimising point, and a ray if unbounded.

        The true counts are a feasible point, so an unbounded minimum has a ray ``d``:
        adding any multiple of ``d`` to the counts stays feasible, so every cell with
        ``d > 0`` has no upper bound at all.
        """
        highs = self.highs
        highs.changeColsCost(len(self.columns), self.columns, objective.astype(float))
        highs.run()
        status = highs.getModelStatus()
        if status in (highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):
            _, has_ray, ray = highs.getPrimalRay()
            return -np.inf, None, np.asarray(ray) if has_ray else None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"interval audit LP failed: {highs.modelStatusToString(status)}")
        return (highs.getInfo().objective_function_value,
                np.array(highs.getSolution().col_value), None)


def _outer_bounds(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray, rounds: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Return bounds every feasible point obeys, by propagating them through the equations.

    For each equation ``sum a_j x_j = b`` each term is at most ``b`` minus the least the
    other terms can be (and at least ``b`` minus the most), so bounds tighten one another
    until nothing moves.  Outer bounds: a cell whose outer width is already below the
    protection is proven exposed without a per-cell LP.
    """
    lower, upper = lower.astype(float).copy(), upper.astype(float).copy()
    coo = matrix.tocoo()
    eq, var, a = coo.row, coo.col, coo.data
    for _ in range(rounds):
        term_min = np.where(a > 0, a * lower[var], a * upper[var])
        term_max = np.where(a > 0, a * upper[var], a * lower[var])
        # Sums over the finite terms, and how many terms of each equation are infinite.
        inf_min = np.bincount(eq, np.isinf(term_min), minlength=len(rhs))
        inf_max = np.bincount(eq, np.isinf(term_max), minlength=len(rhs))
        sum_min = np.bincount(eq, np.where(np.isinf(term_min), 0.0, term_min), len(rhs))
        sum_max = np.bincount(eq, np.where(np.isinf(term_max), 0.0, term_max), len(rhs))
        with np.errstate(invalid="ignore"):
            others_min = np.where(np.isinf(term_min), np.where(inf_min[eq] > 1, -np.inf,
                                  sum_min[eq]), np.where(inf_min[eq] > 0, -np.inf,
                                  sum_min[eq] - term_min))
            others_max = np.where(np.isinf(term_max), np.where(inf_max[eq] > 1, np.inf,
                                  sum_max[eq]), np.where(inf_max[eq] > 0, np.inf,
                                  sum_max[eq] - term_max))
        term_high, term_low = rhs[eq] - others_min, rhs[eq] - others_max
        # a = +1: x <= term_high, x >= term_low; a = -1: the other way round.
        new_upper = np.where(a > 0, term_high, -term_low)
        new_lower = np.where(a > 0, term_low, -term_high)
        tighter_upper, tighter_lower = upper.copy(), lower.copy()
        np.minimum.at(tighter_upper, var, new_upper)
        np.maximum.at(tighter_lower, var, new_lower)
        moved = (tighter_upper < upper - 1e-9).any() or (tighter_lower > lower + 1e-9).any()
        lower, upper = tighter_lower, tighter_upper
        if not moved:
            break
    return lower, upper


def _unbounded_above(matrix: csr_matrix, upper: np.ndarray) -> np.ndarray:
    """Return which variables have no upper bound: one LP over the recession cone.

    A variable is unbounded above exactly when some direction ``d >= 0`` with ``A d = 0``
    (fixed variables not moving) has ``d_i > 0``: adding it to the true counts stays
    feasible.  Directions add up, so with ``d = t + s``, ``0 <= t <= 1`` and ``s >= 0``,
    the largest ``sum(t)`` is reached with ``t_i = 1`` exactly on those variables.
    """
    n = matrix.shape[1]
    free = np.where(np.isinf(upper), 1.0, 0.0)
    cone = _Model(hstack([matrix, matrix]).tocsr(), np.zeros(matrix.shape[0]),
                  np.zeros(2 * n), np.concatenate([free, np.where(free > 0, np.inf, 0.0)]))
    _, direction, _ = cone.minimum(np.concatenate([-np.ones(n), np.zeros(n)]))
    return direction[:n] > 0.5


def _component(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray, upper: np.ndarray,
               truth: np.ndarray, protection: float | None, seed: int, wide: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Return each variable's interval; with ``protection``, stop once that wide.

    Two brackets close in on every interval: outer bounds (propagated through the
    equations, so no feasible point lies outside them) and inner bounds (the range of the
    feasible points seen so far).  Every LP solution is a feasible point for *all*
    variables, so a few LPs with random objectives prove most cells wide; outer
    bounds prove many others narrow; per-cell LPs settle only what remains.  With
    ``protection`` a narrow interval is returned as its outer bounds (narrower still in
    truth); without it every interval is exact.
    """
    n = matrix.shape[1]
    low, high = truth.astype(float).copy(), truth.astype(float).copy()
    high[wide] = np.inf  # proven wide earlier; more hidden cells only widen intervals
    out_low, out_high = _outer_bounds(matrix, rhs, lower, upper)
    eps = 1e-6

    def seen(point: np.ndarray | None, ray: np.ndarray | None = None) -> None:
        if point is not None:
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)
        if ray is not None:
            high[ray > eps] = out_high[ray > eps] = np.inf

    def narrow() -> np.ndarray:
        if protection is None:
            return np.zeros(n, bool)
        return out_high - out_low < protection - eps

    def done() -> np.ndarray:
        settled = (low <= out_low + eps) & (high >= out_high - eps)
        if protection is None:
            return settled
        return (high - low >= protection) | settled | narrow()

    unbounded = _unbounded_above(matrix, upper)
    high[unbounded] = out_high[unbounded] = np.inf
    model = _Model(matrix, rhs, lower, upper)
    rng = np.random.default_rng(seed)
    if protection is not None:
        for _ in range(8):
            if done().all():
                break
            seen(*model.minimum(rng.choice([-1.0, 1.0], size=n))[1:])
    for var in np.flatnonzero(~done()):
        for sense in (-1.0, 1.0):  # maximise first: upper bounds are what totals pin
            if done()[var]:
                break
            objective = np.zeros(n)
            objective[var] = sense
            value, point, ray = model.minimum(objective)
            seen(point, ray)
            if sense < 0:
                high[var] = out_high[var] = -value
            else:
                low[var] = out_low[var] = value
    tight = narrow()
    return np.where(tight, out_low, low), np.where(tight, out_high, high)


def joint_intervals(problems: Sequence[AuditProblem], protection: float | None = None,
                    known_wide: np.ndarray | None = None) -> list[Intervals]:
    """Return the feasible interval of every hidden cell, all tables' equations combined.

    With ``protection`` the intervals are only proven to be *at least* that wide when they
    are (cheaper); narrower ones are outer bounds, so a cell found narrow is a proven
    exposure.  Keys in ``known_wide`` were proven wide by an earlier audit of the same
    tables with fewer hidden cells, and are not re-solved.
    """
    hidden_keys = [p.keys[p.hidden] for p in problems]
    keys, first, inverse = np.unique(
        np.concatenate(hidden_keys) if hidden_keys else np.zeros(0, np.uint64),
        return_index=True, return_inverse=True)
    truth = np.concatenate([p.counts[p.hidden] for p in problems]
                           or [np.zeros(0)])[first].astype(float)
    var_ofs, offset = [], 0
    for p, hk in zip(problems, hidden_keys):
        var_of = np.full(p.counts.shape, -1, dtype=np.int64)
        var_of[p.hidden] = inverse[offset:offset + len(hk)]
        offset += len(hk)
        var_ofs.append(var_of)

    # A key published in one table is known: it is a constant wherever else it is hidden.
    lower, upper = np.zeros(len(keys)), np.full(len(keys), np.inf)
    for p in problems:
        shown = np.isin(p.keys, keys) & ~p.hidden
        at = np.searchsorted(keys, p.keys[shown])
        lower[at] = upper[at] = p.counts[shown]

    rows, cols, coefs, rhs, start = [], [], [], [], 0
    for p, var_of in zip(problems, var_ofs):
        r, c, v, b = _line_constraints(p, var_of)
        rows += [x + start for x in r]
        cols, coefs, rhs = cols + c, coefs + v, rhs + b
        start += sum(len(x) for x in b)
    low, high = np.full(len(keys), np.nan), np.full(len(keys), np.nan)
    if len(keys) and start:
        matrix = coo_matrix((np.concatenate(coefs), (np.concatenate(rows),
                             np.concatenate(cols))), shape=(start, len(keys))).tocsr()
        b_eq = np.concatenate(rhs)
        incidence = (abs(matrix).T @ abs(matrix)).tocsr()
        n_comp, label = connected_components(incidence, directed=False)
        for comp in range(n_comp):
            var_idx = np.flatnonzero(label == comp)
            eq = np.unique(matrix[:, var_idx].nonzero()[0])
            low[var_idx], high[var_idx] = _component(
                matrix[eq][:, var_idx], b_eq[eq], lower[var_idx], upper[var_idx],
                truth[var_idx], protection, seed=comp,
                wide=np.isin(keys[var_idx], known_wide if known_wide is not None else []))

    out = []
    for p, var_of in zip(problems, var_ofs):
        lo, hi = np.full(p.counts.shape, np.nan), np.full(p.counts.shape, np.nan)
        lo[p.hidden], hi[p.hidden] = low[var_of[p.hidden]], high[var_of[p.hidden]]
        out.append(Intervals(lo, hi))
    return out


def cell_intervals(counts: np.ndarray, hidden: np.ndarray) -> Intervals:
    """Return the feasible interval of every hidden cell of one table audited alone."""
    problem = AuditProblem("table", counts, hidden, own_keys(counts.shape))
    return joint_intervals([problem])[0]


def exposed_cells(intervals: Intervals, hidden: np.ndarray, protection: float) -> np.ndarray:
    """Return the hidden cells whose feasible interval is narrower than ``protection``."""
    width = np.where(hidden, intervals.width, np.inf)
    return width < protection - 1e-6


def check_table(counts: np.ndarray, hidden: np.ndarray, protection: float,
                name: str = "table") -> Intervals:
    """Return the intervals of one table, raising DisclosureRiskError if any is too narrow."""
    intervals = cell_intervals(counts, hidden)
    exposed = exposed_cells(intervals, hidden, protection)
    if exposed.any():
        raise DisclosureRiskError([name], int(exposed.sum()), protection)
    return intervals
