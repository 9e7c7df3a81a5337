"""The audit's check over the integers (stats/integers.py), where LPs over the reals are
not decisive: counts are whole numbers, and so is what a reader may conclude."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


def test_rule10_a_range_wide_over_the_reals_but_not_over_whole_numbers_is_exposed():
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


def _graph(rng: np.random.Generator):
    """A random system like the triangles: hidden counts of 0, 1 or 2 people on the nodes
    of a graph (a few triangles and random edges), each edge a published sum of its two
    nodes and a hidden rest, and a hidden sum of some of the nodes; sometimes a nesting
    between two hidden keys."""
    triangles = int(rng.integers(1, 5))  # odd cycles: where the reals and integers part
    m = 3 * triangles + int(rng.integers(0, 4))
    nodes = ((rng.random(m) < 0.25) * np.where(rng.random(m) < 0.8, 1, 2)).astype(int)
    keys, truth, shown, shown_counts, sums = list(range(1, m + 1)), nodes.tolist(), [], [], []
    edges = {tuple(sorted(rng.choice(m, 2, replace=False).tolist()))
             for _ in range(int(rng.integers(0, m)))}
    edges |= {(3 * t + a, 3 * t + b) for t in range(triangles) for a, b in ((0, 1), (1, 2),
                                                                           (0, 2))}
    key = 1000
    for x, y in sorted(edges):
        rest = max(0, 1 - int(nodes[x] + nodes[y])) if rng.random() < 0.8 else \
            int(rng.integers(0, 3))
        keys.append(key)
        truth.append(rest)
        shown.append(key + 1)
        shown_counts.append(int(nodes[x] + nodes[y]) + rest)
        sums.append((key + 1, [x + 1, y + 1, key]))
        key += 2
    subset = sorted(set(rng.choice(m, int(rng.integers(2, m + 1)), replace=False).tolist()))
    keys.append(key)
    truth.append(int(nodes[subset].sum()))
    sums.append((key, [s + 1 for s in subset]))
    nestings = [(keys[a], keys[b]) for a, b in
                (rng.choice(len(keys), 2, replace=False) for _ in range(int(rng.integers(0, 3))))
                if truth[a] <= truth[b]]
    hidden = AuditProblem("hidden", np.array(truth + [sum(truth)]), np.ones(len(keys) + 1, bool),
                          np.array(keys + [key + 1], dtype=np.uint64))
    published = AuditProblem("shown", np.array(shown_counts + [sum(shown_counts)]),
                             np.zeros(len(shown) + 1, bool),
                             np.array(shown + [key + 2], dtype=np.uint64))
    return [hidden, published], KeyRelations(sums=sums, nestings=nestings)


def _whole_ranges(problems, relations) -> dict[int, tuple[float, float]]:
    """Each hidden key's least and greatest whole count, by scipy's milp over equations
    written here afresh (not the audit's)."""
    count = {}
    for p in problems:
        count.update(zip(p.keys.tolist(), p.counts.tolist()))
    shown = {k for p in problems for k in p.keys[~p.hidden].tolist()}
    order = {k: i for i, k in enumerate(count)}
    rows, low, high = [], [], []

    def relation(terms, least=0.0):
        row = np.zeros(len(order))
        for k, a in terms:
            row[order[k]] += a
        rows.append(row)
        low.append(least)
        high.append(0.0)

    for p in problems:  # each table: its cells add up to its total (the last cell)
        relation([*((k, 1) for k in p.keys[:-1].tolist()), (int(p.keys[-1]), -1)])
    for parent, children in relations.sums:
        relation([(parent, -1), *((c, 1) for c in children)])
    for child, parent in relations.nestings:
        relation([(child, 1), (parent, -1)], least=-np.inf)
    bounds = Bounds([count[k] if k in shown else 0 for k in order],
                    [count[k] if k in shown else np.inf for k in order])
    constraints = LinearConstraint(np.array(rows), low, high)
    ranges = {}
    for k in order:
        if k in shown:
            continue
        objective = np.zeros(len(order))
        objective[order[k]] = 1
        least = milp(objective, constraints=constraints, bounds=bounds,
                     integrality=np.ones(len(order)))
        most = milp(-objective, constraints=constraints, bounds=bounds,
                    integrality=np.ones(len(order)))
        ranges[k] = (round(least.fun), np.inf if most.status != 0 else round(-most.fun))
    return ranges


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), with_levels=st.booleans())
def test_rule10_the_audit_passes_no_hidden_count_the_whole_numbers_pin(seed, with_levels):
    """Random systems with sums and nestings, the protection set to the width the reals
    give the hidden sum (where whole numbers may give less): every cell the audit passes,
    an exact integer programme passes too."""
    problems, relations = _graph(np.random.default_rng(seed))
    reals = joint_intervals(problems, relations=relations)[0]
    at = len(problems[0].keys) - 2  # the hidden sum
    protection = max(1, int(np.floor(min(reals.high[at], 50) - reals.low[at] + 1e-6)))
    threshold = protection if with_levels else None
    audited = joint_intervals(problems, protection, relations=relations, threshold=threshold)[0]
    hidden, counts = problems[0].hidden, problems[0].counts
    passed = hidden & ~exposed_cells(audited, hidden, protection, counts, threshold)
    ranges = _whole_ranges(problems, relations)
    for position in np.flatnonzero(passed):
        least, most = ranges[int(problems[0].keys[position])]
        if threshold is not None and counts[position] < threshold:
            assert least <= 0 and most >= threshold, (position, least, most)
        else:
            assert most - least >= protection, (position, least, most)
