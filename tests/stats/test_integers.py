"""The audit's check over the integers (stats/integers.py), where LPs over the reals are
not decisive: counts are whole numbers, and so is what a reader may conclude."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from stats import integers
from stats.audit import AuditProblem, KeyRelations, exposed_cells, joint_intervals

TRIANGLES = 8


def _triangles(k: int = TRIANGLES):
    """Return the problems and relations of ``k`` triangles, and the key of their sum.

    In each triangle three hidden counts ``a, b, c`` are paired by published sums of 1 with
    a hidden rest: ``a + b + s_ab = 1``, ``b + c + s_bc = 1``, ``a + c + s_ac = 1``.  Over the
    reals ``a = b = c = 1/2`` fits, so the hidden sum ``S`` of every ``a, b, c`` may be as
    large as ``3k/2``; over whole numbers at most one of each triangle's three is 1, so ``S``
    is at most ``k``.  All are truly 0 (every rest is 1)."""
    keys, truth, shown, sums = [], [], [], []
    for t in range(k):
        base = 10 * t
        a, b, c = base + 1, base + 2, base + 3
        keys += [a, b, c]
        truth += [0, 0, 0]
        for i, (x, y) in enumerate(((a, b), (b, c), (a, c))):
            rest, edge = base + 4 + i, base + 7 + i
            keys.append(rest)
            truth.append(1)
            shown.append(edge)
            sums.append((edge, [x, y, rest]))
    total = 10 * k + 1
    members = [key for t in range(k) for key in (10 * t + 1, 10 * t + 2, 10 * t + 3)]
    keys.append(total)
    truth.append(0)
    sums.append((total, members))
    # A table of every hidden count with its total (also hidden), and one of the sums shown.
    hidden_table = AuditProblem(
        "hidden", np.array(truth + [sum(truth)]),
        np.ones(len(keys) + 1, bool), np.array(keys + [10 * k + 2], dtype=np.uint64))
    shown_table = AuditProblem(
        "shown", np.ones(len(shown) + 1, dtype=np.int64) * np.r_[np.ones(len(shown)), 0],
        np.zeros(len(shown) + 1, bool), np.array(shown + [10 * k + 3], dtype=np.uint64))
    return [hidden_table, shown_table], KeyRelations(sums=sums), len(keys) - 1


def _whole_maximum(k: int) -> float:
    """Return the greatest whole ``S`` by an independent integer program (scipy)."""
    n = 6 * k  # a, b, c and three rests per triangle
    rows, rhs = [], []
    for t in range(k):
        a, b, c, r0, r1, r2 = (6 * t + i for i in range(6))
        for x, y, rest in ((a, b, r0), (b, c, r1), (a, c, r2)):
            row = np.zeros(n)
            row[[x, y, rest]] = 1
            rows.append(row)
            rhs.append(1)
    objective = np.zeros(n)
    for t in range(k):
        objective[6 * t:6 * t + 3] = -1
    result = milp(objective, constraints=LinearConstraint(np.array(rows), rhs, rhs),
                  bounds=Bounds(0, np.inf), integrality=np.ones(n))
    return -result.fun


def test_a_range_wide_over_the_reals_but_not_over_whole_numbers_is_exposed():
    problems, relations, position = _triangles()
    exact = joint_intervals(problems, relations=relations)[0]  # over the reals
    assert exact.high[position] == pytest.approx(1.5 * TRIANGLES)  # 12: reaches 10
    assert _whole_maximum(TRIANGLES) == TRIANGLES  # 8 in truth: misses 10
    hidden, counts = problems[0].hidden, problems[0].counts
    reals_only = exposed_cells(exact, hidden, 10, counts, threshold=10)
    assert not reals_only[position]  # the reals alone would let it through
    audited = joint_intervals(problems, 10, relations=relations, threshold=10)[0]
    assert audited.high[position] < 10  # proven: no whole point reaches 10
    assert exposed_cells(audited, hidden, 10, counts, threshold=10)[position]


def test_with_the_width_alone_the_whole_range_is_what_counts():
    """S is 0 in truth: with a protection of 10 wide and no levels, [0, 12] passes over the
    reals and [0, 8] must not."""
    problems, relations, position = _triangles()
    hidden = problems[0].hidden
    audited = joint_intervals(problems, 10, relations=relations)[0]
    assert (audited.low[position], audited.high[position]) == (0, TRIANGLES)
    assert exposed_cells(audited, hidden, 10)[position]
    loose = joint_intervals(problems, 8, relations=relations)[0]
    assert not exposed_cells(loose, hidden, 8)[position]  # 8 wide is enough for 8


def test_a_search_that_reaches_its_limit_counts_as_exposed(monkeypatch):
    """Undecided within the node limit: hide more, never publish on a guess."""
    def undecided(*args, **kwargs):
        raise integers.Undecided("node limit")

    monkeypatch.setattr(integers.IntegerModel, "point", undecided)
    problems, relations, position = _triangles()
    audited = joint_intervals(problems, 8, relations=relations)[0]
    assert exposed_cells(audited, problems[0].hidden, 8)[position]


def test_whole_points_from_the_lps_need_no_search(monkeypatch):
    """A table's own lines have whole vertices: its audit runs no integer program."""
    def searched(*args, **kwargs):
        raise AssertionError("an integer program ran")

    monkeypatch.setattr(integers.IntegerModel, "point", searched)
    counts = np.array([[13, 9, 22], [2, 17, 19], [15, 26, 41]])
    hidden = np.zeros(counts.shape, bool)
    hidden[:2, :2] = True
    from stats.audit import own_keys
    problem = AuditProblem("t", counts, hidden, own_keys(counts.shape))
    audited = joint_intervals([problem], 10, threshold=10)[0]
    assert exposed_cells(audited, hidden, 10, counts, threshold=10)[0, 1]
    assert not exposed_cells(audited, hidden, 10, counts, threshold=10)[1, 0]
