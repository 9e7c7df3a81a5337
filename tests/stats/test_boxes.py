"""The release's own model of its cells (stats/boxes.py): every box counts exactly whom its
cell counts, and every sum and nesting it writes between boxes holds for the true counts,
so the audit reasons only from what is so.  (That the audit uses them is what the
independent attacker's tests in test_attacker.py show: without them it pins cells.)"""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from stats.aggregate import apply, choose
from stats.boxes import MERGED, Space, box_keys, cell_boxes, completion_triples, relations
from stats.catalogue import with_breakdowns
from stats.extract import deidentify
from stats.tabulate import build_cube
from tests.stats import AS_OF, make_population


def _counter(extract):
    """Count the people of the extract in a box, merged columns read as tuples."""
    text = extract.astype(str)
    merged = {name: np.array([hash(t) for t in zip(*(text[c] for c in columns))])
              for name, columns in MERGED.items()}

    def count(box) -> int:
        keep = np.ones(len(text), dtype=bool)
        for column, allowed in box:
            if column in merged:
                keep &= np.isin(merged[column], [hash(v) for v in allowed])
            else:
                keep &= text[column].isin(allowed).to_numpy()
        return int(keep.sum())

    return count


@pytest.mark.parametrize("size,seed", [(200, 1), (2000, 5)])
def test_every_box_and_relation_holds_for_the_true_counts(size, seed):
    people, spells = make_population(size, seed=seed)
    extract = deidentify(people, spells, AS_OF)
    # With rare categories merged as a release merges them (a bottom-coded cohort too).
    merges = choose(extract, with_breakdowns(), 50)
    assert merges
    extract = apply(extract, merges)
    space = Space.of(extract, AS_OF)
    text = extract.astype(str)
    assert set(zip(*(text[c] for c in MERGED["completion"]))) <= space.domains["completion"]
    tables = with_breakdowns()
    cubes = [build_cube(extract, spec) for spec in tables]
    arrays = [cell_boxes(cube, spec, space) for cube, spec in zip(cubes, tables)]
    keys, boxes = box_keys(arrays)
    count = _counter(extract)
    truth = np.array([count(b) for b in boxes])
    for cube, array, key in zip(cubes, arrays, keys):
        empty = np.equal(array, None)
        assert (cube.counts[empty] == 0).all()  # no one can be where no box is
        assert (truth[key[~empty].astype(np.int64)] == cube.counts[~empty]).all()
    sums, nestings = relations(boxes, space)
    assert len(sums) > 300 and len(nestings) > 50
    for parent, children in sums:
        assert truth[parent] == truth[list(children)].sum(), (boxes[parent], children)
    for child, parent in nestings:
        assert truth[child] <= truth[parent]
    # The relations the tables' own lines cannot show are there: completers are those with
    # a degree and those without; a university type is the union of its groups.
    where = {i: {k for k, a in enumerate(keys) if (a == i).any()} for i in range(len(boxes))}
    crossing = [p for p, c in sums if len(set.union(where[p], *(where[i] for i in c))) > 1]
    assert len(crossing) > 50


def test_completion_triples_follow_the_rules_of_the_extract():
    triples = completion_triples(["enrolled", "degree_awarded"],
                                 ["before FY2000", "FY2021-2023", "FY2024-2026"],
                                 date(2025, 3, 31))
    assert ("enrolled", "Not completed", "Not completed") in triples
    assert ("degree_awarded", "FY2024-2026", "0-1") in triples
    assert ("degree_awarded", "FY2024-2026", "Unknown") in triples  # dated after as_of
    assert ("degree_awarded", "FY2024-2026", "2-3") not in triples  # too recent
    assert ("degree_awarded", "FY2021-2023", "Unknown") not in triples  # all in the past
    assert {y for s, c, y in triples if c == "FY2021-2023"} == {"0-1", "2-3"}
    assert {y for s, c, y in triples if c == "before FY2000"} == {"7+"}
    assert ("degree_awarded", "Unknown", "Unknown") in triples  # completed, no date
