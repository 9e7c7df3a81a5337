"""Categories no one in a table's population falls into: shown as 0, in most series.

A zero is hidden like any small count (:mod:`stats.disclosure`), so that a cell going from
0 to hidden between releases does not show that someone with a rare combination arrived.
But a category that no one in a table's population has (no one in work whose years since
completion are unknown, say) is no secret when hidden: the other categories' published
totals add up to the whole, so the audit, which reads every published figure as exact, finds
each of its cells pinned to 0 and hides hundreds of cells around them to no purpose.

So a release that begins a series shows such a category as 0 throughout each table it is
empty in, where that says nothing of anyone: the table counts at least :data:`LEAST_PEOPLE`
people and, along the same dimension, at least two other categories hold someone (were one
left, "no one is X" would say that everyone is its other) -- in most series: each series draws, for each category (dimension and value),
whether to hide it instead like any small count (one time in :data:`HIDDEN_ONE_IN`), so a
category shown empty in one series and hidden in the next does not prove that someone
arrived.  Within a series the first release's decision stands (a shown 0 is carried while
its count stays within the rounding: :mod:`stats.carry`), so an arrival into an empty
category changes nothing.

A cell of another table counting the same people (its key) is shown as 0 there too, and so
is every box inside one shown empty (the sums and nestings of :mod:`stats.boxes`): the
reader knows it holds no one, so hiding it would protect nothing and only pin it.
"""

from __future__ import annotations

import numpy as np

from stats.audit import KeyRelations
from stats.cellkey import drawn_chance
from stats.disclosure import PUBLISHED, Protection
from stats.tabulate import Cube

#: An empty category is hidden in a series one time in this many, shown as 0 otherwise.
HIDDEN_ONE_IN = 5
#: A table shows its empty categories only when it counts at least this many people.
LEAST_PEOPLE = 100


def empty_categories(cube: Cube, secret: bytes | None) -> np.ndarray:
    """Return the cells of the categories that hold no one in ``cube`` and that the series
    of ``secret`` shows as 0 (none without a secret: series begun before keep them hidden;
    none in a table that holds no one at all)."""
    out = np.zeros(cube.counts.shape, dtype=bool)
    if not secret or cube.counts.flat[-1] < LEAST_PEOPLE:
        return out
    for axis, (dim, labels) in enumerate(zip(cube.dims, cube.labels)):
        slices = np.moveaxis(cube.counts, axis, 0)[:-1]  # each category, not the total
        empty = ~slices.reshape(len(labels), -1).any(axis=1)
        if len(labels) - int(empty.sum()) < 2:
            continue  # the one category left would hold everyone
        shown = ~np.array([drawn_chance(secret, f"empty\0{dim}\0{label}", HIDDEN_ONE_IN)
                           for label in labels], dtype=bool)
        np.moveaxis(out, axis, 0)[:-1][empty & shown] = True
    return out


def show(protection: Protection, cells: np.ndarray) -> None:
    """Publish ``cells`` (all counting no one) whatever hid them."""
    protection.hidden[cells] = False
    protection.flags[cells] = PUBLISHED


def empty_keys(shown: np.ndarray, counts: np.ndarray, relations: KeyRelations
               ) -> np.ndarray:
    """Return the keys ``shown`` as 0 and every key inside one of them, as a sorted array.

    ``counts`` holds each key's count: only keys counting no one are ever added."""
    out = set(np.unique(shown).tolist())
    inside: dict[int, list[int]] = {}
    for parent, children in relations.sums:
        inside.setdefault(int(parent), []).extend(int(c) for c in children)
    for child, parent in relations.nestings:
        inside.setdefault(int(parent), []).append(int(child))
    todo = list(out)
    while todo:
        for key in inside.get(todo.pop(), ()):
            if key not in out and counts[key] == 0:
                out.add(key)
                todo.append(key)
    return np.array(sorted(k for k in out if counts[k] == 0), dtype=np.uint64)
