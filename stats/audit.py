"""Interval audit: how precisely can an attacker pin down each hidden cell?

The attacker knows every published cell *exactly* (stronger than reality: published counts
are rounded) and that every line of a table adds up to its total.  For each hidden cell we
minimise and maximise its value over the non-negative reals subject to those equations
(``scipy.optimize.linprog`` with HiGHS).  A table may be published only if every hidden
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

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
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
    """Hold one group's equations and minimise linear objectives over them."""

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray,
                 bounds: list[tuple[float, float | None]]) -> None:
        self.matrix, self.rhs, self.bounds = matrix, rhs, bounds

    def minimum(self, objective: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Return min of ``objective @ x`` and a minimising point (None if unbounded)."""
        res = linprog(objective, A_eq=self.matrix, b_eq=self.rhs, bounds=self.bounds,
                      method="highs")
        if res.status == 3:  # unbounded: only when maximising a cell that no total caps
            return -np.inf, None
        if res.status != 0:
            raise RuntimeError(f"interval audit LP failed: {res.message}")
        return float(res.fun), res.x


def _component(matrix: csr_matrix, rhs: np.ndarray, bounds: list[tuple[float, float | None]],
               truth: np.ndarray, protection: float | None, seed: int, wide: np.ndarray,
               exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return each variable's interval; with ``protection``, stop once that wide.

    Every feasible point found widens the proven range of *every* variable, so a few LPs
    with random objectives certify most cells before exact per-cell LPs are needed.
    """
    n = matrix.shape[1]
    low, high = truth.astype(float).copy(), truth.astype(float).copy()
    high[wide] = np.inf  # proven wide earlier; more hidden cells only widen intervals
    exact_low, exact_high = np.zeros(n, bool), np.zeros(n, bool)

    def seen(point: np.ndarray | None) -> None:
        if point is not None:
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)

    def done() -> np.ndarray:
        if protection is None:
            return exact_low & exact_high
        return (high - low >= protection) | (exact_low & exact_high)

    model = _Model(matrix, rhs, bounds)
    rng = np.random.default_rng(seed)
    for _ in range(8 if protection is not None else 0):
        if done().all():
            break
        seen(model.minimum(rng.choice([-1.0, 1.0], size=n))[1])
    for var in range(n if exact else 0):
        for sense in (-1.0, 1.0):  # maximise first: upper bounds are what totals pin
            if done()[var]:
                break
            objective = np.zeros(n)
            objective[var] = sense
            value, point = model.minimum(objective)
            seen(point)
            if sense < 0:
                high[var], exact_high[var] = -value, True
            else:
                low[var], exact_low[var] = value, True
    return low, high


def joint_intervals(problems: Sequence[AuditProblem], protection: float | None = None,
                    known_wide: np.ndarray | None = None, exact: bool = True
                    ) -> list[Intervals]:
    """Return the feasible interval of every hidden cell, all tables' equations combined.

    With ``protection`` the intervals are only proven to be *at least* that wide when they
    are (cheaper); narrower ones are always exact.  Keys in ``known_wide`` were proven wide
    by an earlier audit of the same tables with fewer hidden cells, and are not re-solved.
    With ``exact=False`` (a quick screen) narrow intervals are only inner bounds: a cell
    found narrow is a suspect, not a proven exposure.
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
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * len(keys)
    for p in problems:
        shown = np.isin(p.keys, keys) & ~p.hidden
        for key, value in zip(p.keys[shown], p.counts[shown]):
            bounds[int(np.searchsorted(keys, key))] = (float(value), float(value))

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
                matrix[eq][:, var_idx], b_eq[eq], [bounds[i] for i in var_idx],
                truth[var_idx], protection, seed=comp,
                wide=np.isin(keys[var_idx], known_wide if known_wide is not None else []),
                exact=exact)

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
