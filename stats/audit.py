"""Interval audit: how precisely can an attacker pin down each hidden cell?

The attacker knows every published cell *exactly* (stronger than reality: published counts
are rounded) and that every line of a table adds up to its total.  For each hidden cell we
minimise and maximise its value over the non-negative reals subject to those equations
(HiGHS, through ``highspy``; the LPs are in :mod:`stats.lp`), and over the whole numbers
where the LPs are not decisive (:mod:`stats.integers`).  A table may be published only if
every hidden cell's feasible interval is at least ``protection`` wide.

Several tables are audited *jointly*: a cell is identified by a key, and cells of different
tables with equal keys are one unknown (the same people counted twice), so equations of one
table constrain hidden cells of another.  Beyond the tables' own lines, the relations
between keys of :mod:`stats.boxes` take part: a key that is the sum of others, a key that
counts no more than another (an inequality, written with a slack variable).  Independent
groups of unknowns are solved apart.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from stats.integers import reached
from stats.lp import solve_component


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
class KeyRelations:
    """Relations between keys: ``sums`` (parent, children) and ``nestings`` (child, parent)."""

    sums: Sequence[tuple[int, Sequence[int]]] = ()
    nestings: Sequence[tuple[int, int]] = ()


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


def _relation_constraints(relations: KeyRelations, keys: np.ndarray, truth: np.ndarray,
                         known: dict[int, int], lower: np.ndarray, upper: np.ndarray,
                         start: int) -> tuple[list, list, list, list, np.ndarray]:
    """Return (rows, columns, coefficients, rhs, slack truths) of the relations that hold a
    hidden key (``keys``, with their true counts ``truth``); a nesting with one published
    side becomes a bound instead (``lower`` and ``upper`` are tightened in place).  Slack
    variables are numbered after the keys."""
    var = {int(k): i for i, k in enumerate(keys)}
    rows, cols, coefs, rhs = [], [], [], []
    for parent, children in relations.sums:
        members = [(parent, -1.0), *((c, 1.0) for c in children)]
        hidden = [(var[k], a) for k, a in members if k in var]
        if not hidden:
            continue
        known_sum = sum(a * known[k] for k, a in members if k not in var)
        rows += [start] * len(hidden)
        cols += [v for v, _ in hidden]
        coefs += [a for _, a in hidden]
        rhs.append(-known_sum)
        start += 1
    slack_truth = []
    for child, parent in relations.nestings:
        if child in var and parent in var:  # child - parent + slack = 0
            rows += [start] * 3
            cols += [var[child], var[parent], len(keys) + len(slack_truth)]
            coefs += [1.0, -1.0, 1.0]
            rhs.append(0.0)
            start += 1
            slack_truth.append(truth[var[parent]] - truth[var[child]])
        elif child in var:
            upper[var[child]] = min(upper[var[child]], known[parent])
        elif parent in var:
            lower[var[parent]] = max(lower[var[parent]], known[child])
    return rows, cols, coefs, rhs, np.array(slack_truth)


def levels(counts: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the least and the greatest count each hidden cell's interval must reach, by
    its count (protection levels): 0 and ``threshold`` for a count below the threshold, so
    that whether the group is empty or as large as the threshold stays open; NaN for a
    larger count, which needs only a range ``protection`` wide, wherever it lies.

    Placing 5 either side of larger counts too was measured and not adopted: those are
    mostly cells hidden for another's sake, whose ranges tell nothing of anyone, and asking
    it hid large groups in cascades (docs/statistics.md)."""
    small = np.asarray(counts, dtype=float) < threshold
    return np.where(small, 0.0, np.nan), np.where(small, float(threshold), np.nan)


def joint_intervals(problems: Sequence[AuditProblem], protection: float | None = None,
                    known_wide: np.ndarray | None = None,
                    relations: KeyRelations | None = None,
                    threshold: int | None = None) -> list[Intervals]:
    """Return the feasible interval of every hidden cell, all tables' equations combined.

    With ``protection`` the intervals are only proven to be *at least* that wide when they
    are (cheaper); a narrower one only fails the check (outer bounds, or for a cell settled
    over the whole numbers a range that fails it: see :mod:`stats.integers`), so a cell
    found narrow is exposed.  With ``threshold`` too, an interval must reach its cell's
    :func:`levels` instead, and is only proven to when it does.  Keys in ``known_wide`` were proven wide
    (or to reach their levels) by an earlier audit of the same tables with fewer hidden
    cells, and are not re-solved.
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
    n_vars = len(keys)
    if relations is not None and len(keys):
        known = {int(k): int(c) for p in problems for k, c in
                 zip(p.keys[~p.hidden].tolist(), p.counts[~p.hidden].tolist())}
        r, c, v, b, slack = _relation_constraints(relations, keys, truth, known, lower, upper,
                                                  start)
        if b:
            rows.append(np.array(r, dtype=np.int64))
            cols.append(np.array(c, dtype=np.int64))
            coefs.append(np.array(v))
            rhs.append(np.array(b))
            start += len(b)
        n_vars += len(slack)
        truth = np.concatenate([truth, slack])
        lower = np.concatenate([lower, np.zeros(len(slack))])
        upper = np.concatenate([upper, np.full(len(slack), np.inf)])
    audited = np.arange(n_vars) < len(keys)
    var_keys = np.concatenate([keys.astype(np.int64), np.full(n_vars - len(keys), -1)])
    low, high = np.full(n_vars, np.nan), np.full(n_vars, np.nan)
    if len(keys) and start:
        matrix = coo_matrix((np.concatenate(coefs), (np.concatenate(rows),
                             np.concatenate(cols))), shape=(start, n_vars)).tocsr()
        b_eq = np.concatenate(rhs)
        incidence = (abs(matrix).T @ abs(matrix)).tocsr()
        n_comp, label = connected_components(incidence, directed=False)
        groups = [np.flatnonzero(label == comp) for comp in range(n_comp)]

        def solve(comp: int):
            var_idx = groups[comp]
            eq = np.unique(matrix[:, var_idx].nonzero()[0])
            wide = np.isin(var_keys[var_idx], known_wide if known_wide is not None else [])
            need = None if threshold is None or protection is None else \
                levels(truth[var_idx], threshold)
            return solve_component(
                matrix[eq][:, var_idx], b_eq[eq], lower[var_idx], upper[var_idx],
                truth[var_idx], protection, seed=comp, wide=wide & audited[var_idx],
                audited=audited[var_idx], levels=need)

        # Groups share nothing, and HiGHS lets go of the interpreter while it solves: one
        # thread per core solves them side by side, each with its own seed (same result).
        workers = max(1, min(n_comp, os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for var_idx, (lo, hi) in zip(groups, pool.map(solve, range(n_comp))):
                low[var_idx], high[var_idx] = lo, hi

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


def exposed_cells(intervals: Intervals, hidden: np.ndarray, protection: float,
                  counts: np.ndarray | None = None, threshold: int | None = None
                  ) -> np.ndarray:
    """Return the hidden cells whose feasible interval is narrower than ``protection`` or,
    with their ``counts`` and the ``threshold``, does not reach their :func:`levels` (those
    that have them)."""
    need = None if threshold is None else levels(counts, threshold)
    return hidden & ~reached(intervals.low, intervals.high, protection, need)


def check_table(counts: np.ndarray, hidden: np.ndarray, protection: float,
                name: str = "table") -> Intervals:
    """Return the intervals of one table, raising DisclosureRiskError if any is too narrow."""
    intervals = cell_intervals(counts, hidden)
    exposed = exposed_cells(intervals, hidden, protection)
    if exposed.any():
        raise DisclosureRiskError([name], int(exposed.sum()), protection)
    return intervals
