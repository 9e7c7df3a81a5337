"""The interval audit: a hidden cell that can be pinned down makes a table unpublishable."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from stats.audit import (
    AuditProblem, DisclosureRiskError, cell_intervals, check_table, exposed_cells,
    joint_intervals, levels, own_keys,
)
from stats.disclosure import protect
from stats.tabulate import Cube, with_totals

PROTECTION = 10


def _reference_intervals(counts: np.ndarray, hidden: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Recompute each hidden cell's range independently: scipy linprog over the full cube."""
    n = counts.size
    index = np.arange(n).reshape(counts.shape)
    rows = []
    for axis in range(counts.ndim):
        for line in np.moveaxis(index, axis, -1).reshape(-1, counts.shape[axis]):
            row = np.zeros(n)
            row[line[:-1]], row[line[-1]] = 1.0, -1.0
            rows.append(row)
    flat, flat_hidden = counts.ravel().astype(float), hidden.ravel()
    bounds = [(0, None) if h else (v, v) for v, h in zip(flat, flat_hidden)]
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    for cell in np.flatnonzero(flat_hidden):
        c = np.zeros(n)
        c[cell] = 1.0
        low[cell] = linprog(c, A_eq=np.array(rows), b_eq=np.zeros(len(rows)),
                            bounds=bounds, method="highs").fun
        res = linprog(-c, A_eq=np.array(rows), b_eq=np.zeros(len(rows)), bounds=bounds,
                      method="highs")
        high[cell] = np.inf if res.status == 3 else -res.fun
    return low.reshape(counts.shape), high.reshape(counts.shape)


def test_a_single_hidden_cell_in_a_row_with_a_published_total_is_caught():
    counts = with_totals(np.array([[3, 20, 30], [40, 50, 60]]))
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[0, 0] = True  # suppressed, but row total 53 and the other cells are published
    intervals = cell_intervals(counts, hidden)
    assert intervals.low[0, 0] == pytest.approx(3) == intervals.high[0, 0]
    with pytest.raises(DisclosureRiskError, match="withheld"):
        check_table(counts, hidden, PROTECTION, "hand-made")


def test_two_small_hidden_cells_that_only_hide_each_other_are_caught():
    counts = with_totals(np.array([[3, 2, 30], [40, 50, 60]]))
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[0, :2] = hidden[1, :2] = True  # each line has two hidden cells ...
    intervals = cell_intervals(counts, hidden)
    # ... but 3 + 2 = 5 is known from the row, so the cells sit within [0, 5].
    assert intervals.high[0, 0] == pytest.approx(5)
    with pytest.raises(DisclosureRiskError):
        check_table(counts, hidden, PROTECTION)


def test_well_suppressed_table_passes_the_audit():
    counts = with_totals(np.array([[3, 40, 50], [20, 30, 60], [25, 35, 45]]))
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[:2, :2] = True
    intervals = check_table(counts, hidden, PROTECTION)
    assert (intervals.width[hidden] >= PROTECTION).all()


_tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: st.lists(
        st.one_of(st.integers(0, 12), st.integers(10, 80)),
        min_size=shape[0] * shape[1], max_size=shape[0] * shape[1],
    ).map(lambda cells: np.array(cells, dtype=np.int64).reshape(shape)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables, st.booleans())
def test_after_suppression_every_hidden_cell_is_wide_or_the_table_is_withheld(cells, zeros):
    counts = with_totals(cells)
    prot = protect(_as_cube(counts), publish_zeros=zeros)
    low, high = _reference_intervals(counts, prot.hidden)
    truly_exposed = prot.hidden & ((high - low) < PROTECTION - 1e-6)
    try:
        intervals = check_table(counts, prot.hidden, PROTECTION)
    except DisclosureRiskError:
        assert truly_exposed.any(), "withheld although every hidden cell was protected"
    else:
        assert not truly_exposed.any(), "published a table with a pinned-down cell"
        assert np.allclose(intervals.low[prot.hidden], low[prot.hidden])
        assert np.allclose(intervals.high[prot.hidden], high[prot.hidden])
    assert (exposed_cells(cell_intervals(counts, prot.hidden), prot.hidden, PROTECTION)
            == truly_exposed).all()


_masked_tables = st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda shape: st.tuples(
        st.lists(st.integers(0, 40), min_size=shape[0] * shape[1],
                 max_size=shape[0] * shape[1]),
        st.lists(st.booleans(), min_size=(shape[0] + 1) * (shape[1] + 1),
                 max_size=(shape[0] + 1) * (shape[1] + 1)),
    ).map(lambda drawn: (np.array(drawn[0], dtype=np.int64).reshape(shape),
                         np.array(drawn[1]).reshape(shape[0] + 1, shape[1] + 1))))


def _audited(drawn, threshold: int | None = None):
    """Return a drawn table's counts, hidden cells, exact ranges and the quick audit's."""
    cells, hidden = drawn
    counts = with_totals(cells)
    low, high = _reference_intervals(counts, hidden)
    problem = AuditProblem("t", counts, hidden, own_keys(counts.shape))
    return counts, hidden, low, high, joint_intervals([problem], PROTECTION,
                                                       threshold=threshold)[0]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_masked_tables)
def test_the_quick_audit_finds_exactly_the_cells_an_exact_audit_finds(drawn):
    """With a protection width the audit takes shortcuts; its verdicts must not change."""
    counts, hidden, low, high, quick = _audited(drawn)
    truly_exposed = hidden & ((high - low) < PROTECTION - 1e-6)
    assert (exposed_cells(quick, hidden, PROTECTION) == truly_exposed).all()
    # Narrow intervals come back as bounds around the truth, wide ones as proven ranges.
    assert (quick.low[truly_exposed] <= low[truly_exposed] + 1e-6).all()
    assert (quick.high[truly_exposed] >= high[truly_exposed] - 1e-6).all()
    wide = hidden & ~truly_exposed
    assert (quick.low[wide] >= low[wide] - 1e-6).all()
    assert (quick.high[wide] <= high[wide] + 1e-6).all()


def _as_cube(counts: np.ndarray) -> Cube:
    labels = tuple(tuple(f"{axis}{i}" for i in range(n - 1))
                   for axis, n in enumerate(counts.shape))
    return Cube(("row", "column"), labels, counts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_masked_tables)
def test_the_quick_audit_finds_exactly_the_cells_an_exact_audit_finds_with_levels(drawn):
    """With protection levels the audit's shortcuts must not change its verdicts either."""
    counts, hidden, low, high, quick = _audited(drawn, threshold=PROTECTION)
    least, most = levels(counts, PROTECTION)
    with np.errstate(invalid="ignore"):
        missed = (low > least + 1e-6) | (high < most - 1e-6)
    truly_exposed = hidden & np.where(np.isnan(least), high - low < PROTECTION - 1e-6, missed)
    assert (exposed_cells(quick, hidden, PROTECTION, counts, PROTECTION)
            == truly_exposed).all()


def test_protection_levels_ask_a_small_count_s_range_to_reach_0_and_the_threshold():
    """a + b = 22, c + d = 19, a + c = 15, b + d = 26, all hidden (a, b, c, d = 13, 9, 2,
    17): a lies in [0, 15], b = 22 - a in [7, 22], c = 15 - a in [0, 15], d = 4 + a in
    [4, 19].  Every range is at least 10 wide, so width finds nothing; but b, a hidden 9,
    cannot be 0 -- the group is proven to exist.  With levels b is exposed, while c (2)
    reaches 0 and 10, and a (13) and d (17) need only the width."""
    counts = np.array([[0, 0, 22], [0, 0, 19], [15, 26, 41]])
    counts[0, 0], counts[0, 1], counts[1, 0], counts[1, 1] = 13, 9, 2, 17
    hidden = np.zeros(counts.shape, dtype=bool)
    hidden[:2, :2] = True
    problem = AuditProblem("t", counts, hidden, own_keys(counts.shape))
    exact = joint_intervals([problem])[0]
    assert exact.low[0, 1] == 7 and exact.high[0, 1] == 22
    assert not exposed_cells(exact, hidden, PROTECTION).any()
    by_levels = exposed_cells(exact, hidden, PROTECTION, counts, threshold=10)
    assert by_levels.tolist() == [[False, True, False], [False, False, False],
                                  [False, False, False]]
    quick = joint_intervals([problem], PROTECTION, threshold=10)[0]
    assert (exposed_cells(quick, hidden, PROTECTION, counts, threshold=10) == by_levels).all()
    low, high = levels(np.array([0, 3, 9, 10, 40]), 10)
    assert low[:3].tolist() == [0, 0, 0] and high[:3].tolist() == [10, 10, 10]
    assert np.isnan(low[3:]).all() and np.isnan(high[3:]).all()
