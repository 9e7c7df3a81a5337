"""Categories almost no one in a table's population falls into: shown as 0.

A small count is hidden, zeros included (:mod:`stats.disclosure`), so that a cell going from
0 to hidden between releases does not show that someone with a rare combination arrived.
But a category that (almost) no one in a table's population has -- no one in work whose
years since completion are unknown, say -- is no secret when hidden: the other categories'
published totals add up to the whole, so the audit, which reads every published figure as
exact, finds its cells pinned near 0 and hides hundreds of cells around them to no purpose.

So a release that begins a series shows as 0, throughout a table, each category holding at
most a few people: as many as a number below the rounding base drawn for each series and
category (:func:`stats.cellkey.drawn_below`), so a 0 may be none or a few -- within the
rounding, on the side the series drew -- and no reader can tell which, nor tie a category
shown as 0 in one series and hidden in the next to one person who arrived.  Only where that
says nothing of anyone: the table counts at least :data:`LEAST_PEOPLE` people, and along the
same dimension at least two other categories hold more (were one left, "next to no one is
X" would say that almost everyone is that one).  Within a series the first release's
decision stands (a 0 shown is carried while its count stays within the rounding:
:mod:`stats.carry`), so an arrival changes nothing.

A cell of another table counting the same people (its key) is shown as 0 there too, and so
is every box inside one shown (the sums and nestings of :mod:`stats.boxes`): it counts no
more, and a reader would know it.
"""

from __future__ import annotations

import numpy as np

from stats.audit import KeyRelations
from stats.cellkey import drawn_below
from stats.disclosure import PUBLISHED, Protection
from stats.tabulate import Cube

#: A table shows its nearly empty categories only when it counts at least this many people.
LEAST_PEOPLE = 100


def empty_categories(cube: Cube, secret: bytes | None, base: int) -> np.ndarray:
    """Return the cells of the categories of ``cube`` that the series of ``secret`` shows
    as 0: those holding at most a number below ``base`` drawn for the series and the
    category (none without a secret: series begun before hide them; none in a table of
    fewer than :data:`LEAST_PEOPLE`)."""
    out = np.zeros(cube.counts.shape, dtype=bool)
    if not secret or base < 1 or cube.counts.flat[-1] < LEAST_PEOPLE:
        return out
    for axis, (dim, labels) in enumerate(zip(cube.dims, cube.labels)):
        slices = np.moveaxis(cube.counts, axis, 0)[:-1]  # each category, not the total
        held = slices.reshape(len(labels), -1)[:, -1]  # each category's total
        few = held <= np.array([drawn_below(secret, f"few\0{dim}\0{label}", base)
                                for label in labels])
        if len(labels) - int(few.sum()) < 2:
            continue  # the one category left would hold (almost) everyone
        np.moveaxis(out, axis, 0)[:-1][few] = True
    return out


def show(protection: Protection, cells: np.ndarray) -> None:
    """Publish ``cells`` (as 0: they count next to no one) whatever hid them."""
    protection.hidden[cells] = False
    protection.flags[cells] = PUBLISHED


def empty_keys(shown: np.ndarray, relations: KeyRelations) -> np.ndarray:
    """Return the keys ``shown`` as 0 and every key inside one of them, as a sorted array."""
    out = set(np.unique(shown).tolist())
    inside: dict[int, list[int]] = {}
    for parent, children in relations.sums:
        inside.setdefault(int(parent), []).extend(int(c) for c in children)
    for child, parent in relations.nestings:
        inside.setdefault(int(parent), []).append(int(child))
    todo = list(out)
    while todo:
        for key in inside.get(todo.pop(), ()):
            if key not in out:
                out.add(key)
                todo.append(key)
    return np.array(sorted(out), dtype=np.uint64)
