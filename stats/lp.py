"""Interval LPs for one connected group of hidden cells (HiGHS, through ``highspy``).

Given the equations a reader of the release knows, bound each hidden cell from below and
above. Every LP solution is a feasible point for all cells at once, so most cells are proven
wide by a few LPs with random objectives; only the rest get their own min and max LPs.
:mod:`stats.audit` sets the equations up and calls :func:`solve_component`.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.sparse import csr_matrix, hstack

from stats.highs import Model
from stats.integers import check, integral, reached


def _outer_bounds(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray, rounds: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Return bounds every feasible point obeys, by propagating them through the equations.

    For each equation ``sum a_j x_j = b`` each term is at most ``b`` minus the least the
    other terms can be (and at least ``b`` minus the most), so bounds tighten one another
    until nothing moves; every variable counts people, and bounds are whole numbers.  Outer
    bounds: a cell whose outer width is already below the protection is proven exposed
    without a per-cell LP.
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
        # Counts are whole numbers, and so are these bounds (every coefficient is 1 or -1):
        # rounding keeps the floating point's error out of them.
        tighter_upper, tighter_lower = np.floor(tighter_upper + 1e-6), np.ceil(tighter_lower - 1e-6)
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
    cone = Model(hstack([matrix, matrix]).tocsr(), np.zeros(matrix.shape[0]),
                  np.zeros(2 * n), np.concatenate([free, np.where(free > 0, np.inf, 0.0)]))
    _, direction, _ = cone.minimum(np.concatenate([-np.ones(n), np.zeros(n)]))
    return direction[:n] > 0.5


def solve_component(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                    truth: np.ndarray, protection: float | None, seed: int, wide: np.ndarray,
                    audited: np.ndarray | None = None,
                    levels: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Return each variable's interval; with ``protection``, stop once that wide, or with
    ``levels`` (the least and the greatest count each must reach; NaN: the width alone),
    once it reaches them.

    Two brackets close in on every interval: outer bounds (propagated through the
    equations, so no feasible point lies outside them) and inner bounds (the range of the
    feasible points seen so far).  Every LP solution is a feasible point for *all*
    variables, so a few LPs with random objectives prove most cells wide; outer
    bounds prove many others narrow; per-cell LPs settle only what remains.  With
    ``protection`` a narrow interval is returned as its outer bounds (narrower still in
    truth), or settled over the whole numbers as a range that fails the check; without it
    every interval is exact (over the reals).  Variables not ``audited`` (slacks of
    inequalities) take part in the equations but get no LPs of their own.  With ``levels`` a
    cell that has them must reach them, the others be ``protection`` wide, and ``wide``
    means proven so earlier.  With ``protection``, a cell proven to reach it only by
    points that are not whole is settled over the whole numbers (:mod:`stats.integers`).
    """
    n = matrix.shape[1]
    skipped = np.zeros(n, bool) if audited is None else ~audited
    low, high = truth.astype(float).copy(), truth.astype(float).copy()
    high[wide] = np.inf  # proven wide earlier; more hidden cells only widen intervals
    if levels is not None:
        low[wide] = -np.inf  # reached their levels earlier
    whole_low, whole_high = low.copy(), high.copy()  # the same over whole points only
    out_low, out_high = _outer_bounds(matrix, rhs, lower, upper)
    eps = 1e-6

    def seen(point: np.ndarray | None, ray: np.ndarray | None = None) -> None:
        if point is not None:
            np.minimum(low, point, out=low)
            np.maximum(high, point, out=high)
            if integral(point):
                np.minimum(whole_low, np.rint(point), out=whole_low)
                np.maximum(whole_high, np.rint(point), out=whole_high)
        if ray is not None:  # from a whole point, whole multiples of the ray stay whole
            high[ray > eps] = out_high[ray > eps] = whole_high[ray > eps] = np.inf

    def narrow() -> np.ndarray:
        if protection is None:
            return np.zeros(n, bool)
        short = out_high - out_low < protection - eps
        if levels is not None:  # proven unable to reach a level (NaN: the width alone)
            with np.errstate(invalid="ignore"):
                missed = (out_low > levels[0] + eps) | (out_high < levels[1] - eps)
            return np.where(np.isnan(levels[0]), short, missed) & ~skipped
        return short

    def done() -> np.ndarray:
        settled = (low <= out_low + eps) & (high >= out_high - eps) | skipped
        if protection is None:
            return settled
        return reached(low, high, protection, levels) | settled | narrow()

    # When few cells are left to settle (a later round of the audit: most were proven wide
    # before), their own LPs are cheaper than the LPs that settle many cells at once.
    few = protection is not None and int((~done()).sum()) <= 64
    if not few:
        unbounded = _unbounded_above(matrix, upper)
        high[unbounded] = out_high[unbounded] = whole_high[unbounded] = np.inf
    model = Model(matrix, rhs, lower, upper)
    rng = np.random.default_rng(seed)
    if protection is not None and not few:
        for _ in range(8):
            if done().all():
                break
            seen(*model.minimum(rng.choice([-1.0, 1.0], size=n))[1:])
        # Then push many undecided cells up together: each solution may widen them all.
        for _ in range(40):
            left = np.flatnonzero(~done())
            if not len(left):
                break
            objective = np.zeros(n)
            objective[rng.permutation(left)[:max(1, len(left) // 4)]] = -1.0
            seen(*model.minimum(objective)[1:])
            if (~done()).sum() > 0.95 * len(left):
                break
    lock = threading.Lock()

    def settle(cells: np.ndarray, own: Model | None) -> None:
        own = own or Model(matrix, rhs, lower, upper)
        for var in cells:
            for sense in (-1.0, 1.0):  # maximise first: upper bounds are what totals pin
                with lock:
                    if done()[var]:
                        break
                objective = np.zeros(n)
                objective[var] = sense
                value, point, ray = own.minimum(objective)
                with lock:
                    seen(point, ray)
                    if sense < 0:
                        high[var], out_high[var] = -value, np.floor(-value + eps)
                    else:
                        low[var], out_low[var] = value, np.ceil(value - eps)

    # The cells left get their own LPs, shared among threads (HiGHS lets go of the
    # interpreter while it solves), each with its own copy of the model.  Which cells are
    # narrow does not depend on the order: every bound used is proven.
    pending = np.flatnonzero(~done())
    workers = max(1, min(os.cpu_count() or 1, len(pending) // 32))
    if workers == 1:
        settle(pending, model)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(settle, [pending[i::workers] for i in range(workers)],
                          [model, *[None] * (workers - 1)]))
    tight = narrow()
    low, high = np.where(tight, out_low, low), np.where(tight, out_high, high)
    if protection is not None:
        # Proven over the reals by points that are not whole: settle over the integers.
        pending = np.flatnonzero(~tight & ~skipped & ~wide
                                 & ~reached(whole_low, whole_high, protection, levels))
        if len(pending):
            check(matrix, rhs, lower, upper, pending, whole_low, whole_high, protection, levels,
                  model)
            low[pending], high[pending] = whole_low[pending], whole_high[pending]
    return low, high
