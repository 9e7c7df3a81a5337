"""The audit's check over the integers, where the LPs over the reals are not decisive.

Counts are whole numbers, and a reader who knows it may narrow a hidden cell further than
the LPs over the reals do: the reals' range of a cell is wide when some *real* points of
the equations lie far enough apart, and the whole numbers' range may not be.  The LPs are
decisive when the points that proved a cell's range are whole (as they usually are: the
equations of a table's lines have whole vertices), or when they proved it narrow.  For the
rest, this module searches for whole points at or beyond the bound the cell must reach:
LPs that push a fractional point's coordinates until it is whole, then integer programs
(HiGHS branch and bound); for the width alone, failing those, the cell's exact least and
greatest whole values.

A search that reaches its node limit counts as *not* finding a point, so the cell is
treated as exposed and more is hidden around it: the release stays safe.  The limit
counts nodes, not seconds, so a busy machine does not decide differently.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.sparse import csr_matrix

from stats.highs import IntegerModel, Model, Undecided

log = logging.getLogger(__name__)

#: Branch-and-bound nodes one search may take before it counts as not finding a point.
NODES = 5_000

#: LPs with random objectives tried for a whole point before an integer program.
TRIES = 4


def integral(point: np.ndarray | None) -> bool:
    """Return whether an LP's point is whole in every coordinate."""
    return point is not None and bool(np.all(np.abs(point - np.rint(point)) < 1e-6))


def reached(low: np.ndarray, high: np.ndarray, protection: float,
            levels: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Return which ranges ``[low, high]`` are ``protection`` wide or, where ``levels``
    gives them (not NaN), reach the least and the greatest count asked."""
    with np.errstate(invalid="ignore"):  # NaN (a published cell) reaches nothing
        wide = high - low >= protection - 1e-6
        if levels is None:
            return wide
        both = (low <= levels[0] + 1e-6) & (high >= levels[1] - 1e-6)
    return np.where(np.isnan(levels[0]), wide, both)


class _Searcher:
    """Search one group for whole points, widening the shared ``low``/``high`` under
    ``lock`` (one searcher per thread, each with its own programs)."""

    def __init__(self, reals: Model, whole: IntegerModel, low: np.ndarray, high: np.ndarray,
                 lock: threading.Lock, seed: int) -> None:
        self.reals, self.whole, self.low, self.high, self.lock = reals, whole, low, high, lock
        self.rng = np.random.default_rng(seed)
        self.searches = 0

    def seen(self, point: np.ndarray | None) -> None:
        if point is not None:
            with self.lock:
                np.minimum(self.low, point, out=self.low)
                np.maximum(self.high, point, out=self.high)

    def beyond(self, var: int, least: float = -np.inf, most: float = np.inf) -> bool:
        """Return whether a whole point has ``least <= x[var] <= most`` (and note it).

        A point over the reals at that bound comes first, moved by LPs that push its
        coordinates that are not whole one way or the other (cheap: each starts from the
        last); then a small integer program moving only those; then the whole program.
        """
        self.searches += 1
        near = self.reals.within(var, least, most)
        if near is None:  # none over the reals: none over the integers either
            return False
        for _ in range(TRIES):
            if integral(near):
                self.seen(np.rint(near))
                return True
            fractional = np.abs(near - np.rint(near)) > 1e-6
            objective = np.where(fractional, self.rng.choice([-1.0, 1.0], len(near)), 0.0)
            near = self.reals.within(var, least, most, objective=objective)
            if near is None:
                break
        for hint in ((near,) if near is not None else ()) + (None,):
            point = self.whole.point(var, least=least, most=most, near=hint)[1]
            self.seen(point)
            if point is not None:
                return True
        return False

    def extreme(self, var: int, sense: float) -> float:
        """Return the least whole ``sense * x[var]`` (an integer program)."""
        self.searches += 1
        value, point = self.whole.point(var, sense=sense)
        self.seen(point)
        return float(np.rint(value)) if np.isfinite(value) else value

    def settle(self, var: int, protection: float, least: float | None, most: float | None
               ) -> bool:
        """Settle one cell; return False when its search was undecided (then treated as
        exposed: given a range that fails every check)."""
        low, high = self.low, self.high
        try:
            if least is not None:
                if low[var] > least + 1e-6 and not self.beyond(var, most=least):
                    with self.lock:
                        low[var] = least + 1  # no whole point at or below the level
                if high[var] < most - 1e-6 and not self.beyond(var, least=most):
                    with self.lock:
                        high[var] = most - 1
            elif not (self.beyond(var, least=low[var] + protection)
                      or self.beyond(var, most=high[var] - protection)):
                least_value, greatest = self.extreme(var, 1.0), -self.extreme(var, -1.0)
                with self.lock:
                    low[var], high[var] = least_value, greatest
        except Undecided:
            with self.lock:
                if least is not None:
                    low[var], high[var] = least + 1, most - 1
                else:
                    high[var] = low[var]
            return False
        return True


def check(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray, upper: np.ndarray,
          cells: np.ndarray, low: np.ndarray, high: np.ndarray, protection: float,
          levels: tuple[np.ndarray, np.ndarray] | None, reals: Model) -> None:
    """Settle ``cells`` over the integers: widen ``low``/``high`` (the range of whole
    points seen so far, for every variable) by the points found, and where none is found,
    set them to bounds that fail :func:`reached` (proven, or undecided within the limit).

    Every point found is a whole point for all variables at once, so it may settle cells
    further down the list without a search of their own.  ``reals`` is the group's LP;
    with many cells they are shared among threads, each with its own programs.
    """
    lock = threading.Lock()
    undecided = []

    def run(part: np.ndarray, own: Model | None, seed: int) -> tuple[int, int]:
        searcher = _Searcher(own or Model(matrix, rhs, lower, upper),
                             IntegerModel(matrix, rhs, lower, upper, NODES), low, high, lock,
                             seed)
        for var in part.tolist():
            need = None if levels is None or np.isnan(levels[0][var]) else \
                (levels[0][var], levels[1][var])
            with lock:
                if reached(low[var:var + 1], high[var:var + 1], protection, None if need is
                           None else (levels[0][var:var + 1], levels[1][var:var + 1]))[0]:
                    continue
            if not searcher.settle(var, protection, *(need or (None, None))):
                undecided.append(var)
        return searcher.searches, searcher.whole.runs

    workers = max(1, min(os.cpu_count() or 1, len(cells) // 32))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        searches, programs = np.sum(list(pool.map(
            run, [cells[i::workers] for i in range(workers)], [reals, *[None] * (workers - 1)],
            range(workers))), axis=0)
    log.debug("integer check: %d cells, %d searches, %d integer programs, %d undecided, %d "
              "short", len(cells), searches, programs, len(undecided),
              int((~reached(low[cells], high[cells], protection, None if levels is None else
                            (levels[0][cells], levels[1][cells]))).sum()))
