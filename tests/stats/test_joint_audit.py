"""The joint audit's rounds (stats/joint.py): what it takes as proven between rounds."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from stats.audit import AuditProblem, KeyRelations, exposed_cells, joint_intervals
from stats.disclosure import PRIMARY, Protection
from stats.joint import Joint


def _table(name: str, counts, keys, hidden, audit_only: bool = False):
    protection = Protection.empty(np.shape(counts))
    protection.hide(np.array(hidden, bool), PRIMARY)
    return (SimpleNamespace(id=name, audit_only=audit_only),
            SimpleNamespace(counts=np.array(counts)), np.array(keys, np.uint64), protection)


def test_rule10_a_key_an_audit_only_table_hides_is_not_proven_wide_by_it():
    """A 2 x 3 table with a total row and column hides four cells; another table publishes
    its first row's total; an audit-only table (every cell an unknown) holds the same keys.
    The audit-only table does not count its own exposures -- but that must not make a key
    it hides count as proven wide: then the publishing table's exposed cells would never be
    checked again after more is hidden around them."""
    published = _table("A", [[15, 23, 2, 40], [14, 0, 25, 39], [29, 23, 27, 79]],
                       np.arange(12).reshape(3, 4),
                       [[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
    total = _table("C", [40, 24, 64], [12, 13, 14], [0, 0, 0])
    unknowns = _table("B", [2, 15, 0, 23, 40], [2, 0, 5, 1, 12], [1, 1, 1, 1, 1],
                      audit_only=True)
    specs, cubes, keys, protections = map(list, zip(published, total, unknowns))
    joint = Joint(tuple(specs), cubes, keys, protections, KeyRelations(), protection=5,
                  threshold=5)
    assert joint.audit() == [0, 0, 0]
    # Audited afresh, the final release exposes nothing: the cell of 0 is not pinned.
    problems = [AuditProblem(s.id, c.counts, p.hidden, k)
                for s, c, p, k in zip(specs, cubes, protections, keys)]
    fresh = joint_intervals(problems, 5, threshold=5)
    for interval, problem in zip(fresh[:2], problems[:2]):
        assert not exposed_cells(interval, problem.hidden, 5, problem.counts, 5).any()
    exact = joint_intervals(problems)[0]
    assert exact.high[1, 1] - exact.low[1, 1] >= 5
