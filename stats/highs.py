"""One HiGHS instance holding a group's equations (through ``highspy``), minimising one
objective after another over them: over the reals (:mod:`stats.lp`) or over the integers
(:mod:`stats.integers`)."""

from __future__ import annotations

import highspy
import numpy as np
from scipy.sparse import csr_matrix


def _instance(matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              integral: bool = False) -> highspy.Highs:
    """Return a quiet HiGHS instance holding ``matrix @ x = rhs``, ``lower <= x <= upper``."""
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
    if integral:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    return highs


class Model:
    """Hold one group's equations in one HiGHS instance and minimise objectives over them.

    The instance keeps its optimal basis between objectives, so each further LP starts
    from the last vertex (a warm start): a few simplex steps instead of a fresh solve.
    """

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray) -> None:
        self.highs = _instance(matrix, rhs, lower, upper)
        self.lower, self.upper = np.asarray(lower, float), np.asarray(upper, float)
        self.highs.setOptionValue("presolve", "off")  # keeps the basis for warm starts
        # A new objective leaves the last basis feasible: primal simplex goes on from it.
        self.highs.setOptionValue("simplex_strategy", 4)
        self.columns = np.arange(matrix.shape[1], dtype=np.int32)

    def within(self, var: int, least: float, most: float,
               objective: np.ndarray | None = None) -> np.ndarray | None:
        """Return a point over the reals with ``least <= x[var] <= most`` minimising
        ``objective`` (by default, at the bound given: ``x[var]`` as small as it goes when
        ``least`` is given, else as large), or None when there is none (or it is
        unbounded)."""
        lower, upper = self.lower.copy(), self.upper.copy()
        lower[var], upper[var] = max(lower[var], least), min(upper[var], most)
        _bounds(self.highs, self.columns, lower, upper)
        if objective is None:
            objective = np.zeros(len(self.columns))
            objective[var] = 1.0 if np.isfinite(least) else -1.0
        try:
            _, point, _ = self.minimum(objective, feasible_only=True)
        finally:
            _bounds(self.highs, self.columns, self.lower, self.upper)
        return point

    def minimum(self, objective: np.ndarray, feasible_only: bool = False
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
        if feasible_only and status == highspy.HighsModelStatus.kInfeasible:
            return np.inf, None, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"interval audit LP failed: {highs.modelStatusToString(status)}")
        return (highs.getInfo().objective_function_value,
                np.array(highs.getSolution().col_value), None)


class Undecided(Exception):
    """An integer program reached its node limit before it decided."""


class IntegerModel:
    """Hold one group's equations over the integers, and search for points in it.

    Every search has a node limit (``nodes``), so that a search ends however hard the
    group; one that reaches it raises :class:`Undecided`.
    """

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray, nodes: int) -> None:
        self.highs = _instance(matrix, rhs, lower, upper, integral=True)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("mip_max_nodes", nodes)
        self.lower, self.upper = np.asarray(lower, float), np.asarray(upper, float)
        self.columns = np.arange(matrix.shape[1], dtype=np.int32)
        self.runs = 0  # integer programs solved

    def point(self, var: int, least: float = -np.inf, most: float = np.inf,
              sense: float = 0.0, near: np.ndarray | None = None
              ) -> tuple[float, np.ndarray | None]:
        """Return an integer point with ``least <= x[var] <= most`` minimising ``sense *
        x[var]`` (any such point when ``sense`` is 0), and that minimum; ``(inf, None)``
        when there is none, ``(-inf, None)`` when the minimum is unbounded.

        With ``near`` (a point over the reals) the search keeps every coordinate of it that
        is whole and moves only the others: a small program, usually solved at once.  None
        found then proves nothing about the whole model (the caller searches it next).
        """
        highs = self.highs
        objective = np.zeros(len(self.columns))
        objective[var] = sense
        highs.changeColsCost(len(self.columns), self.columns, objective)
        lower, upper = self.lower.copy(), self.upper.copy()
        if near is not None:
            whole = np.abs(near - np.rint(near)) < 1e-6
            lower[whole] = upper[whole] = np.rint(near[whole])
        lower[var], upper[var] = max(self.lower[var], least), min(self.upper[var], most)
        _bounds(highs, self.columns, lower, upper)
        self.runs += 1
        try:
            highs.run()
            status = highs.getModelStatus()
            value = highs.getInfo().objective_function_value
            point = np.rint(highs.getSolution().col_value)
        finally:  # (changing the model forgets how the last run ended: read it first)
            _bounds(highs, self.columns, self.lower, self.upper)
        if status == highspy.HighsModelStatus.kOptimal:
            return value, point
        if status == highspy.HighsModelStatus.kInfeasible or (
                (near is not None or sense == 0)  # nothing to be unbounded: infeasible
                and status == highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return np.inf, None
        if status == highspy.HighsModelStatus.kUnbounded or (
                status == highspy.HighsModelStatus.kUnboundedOrInfeasible
                and np.isinf(least) and np.isinf(most)):  # the true counts are feasible
            return -np.inf, None
        if status in (highspy.HighsModelStatus.kSolutionLimit,
                      highspy.HighsModelStatus.kIterationLimit):
            raise Undecided(highs.modelStatusToString(status))
        raise RuntimeError(f"interval audit integer program failed: "
                           f"{highs.modelStatusToString(status)}")


def _bounds(highs: highspy.Highs, columns: np.ndarray, lower: np.ndarray,
            upper: np.ndarray) -> None:
    """Set every column's bounds (HiGHS's infinity where ``upper`` is infinite)."""
    highs.changeColsBounds(len(columns), columns, np.asarray(lower, float),
                           np.where(np.isinf(upper), highspy.kHighsInf, upper).astype(float))
