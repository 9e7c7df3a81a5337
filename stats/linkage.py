"""Name every cell by the people it counts, so tables of a release can be linked.

A cell counts the people whose columns take values in a set per column: the table's
population filter intersected with the cell's coordinates (a total leaves its axis free).
Written canonically -- columns left unrestricted dropped, and the one structural rule of the
extract applied (``cohort_band`` and ``years_since_band`` are ``Not completed`` exactly for
people whose status is not a completion) -- two cells of any tables have the same
definition exactly when they count the same people *by construction*, which is what a
reader of the published tables can also work out.  A definition that no one can satisfy is
a structural zero: it is public knowledge, so it is published as 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from stats.catalogue import TableSpec
from stats.extract import COMPLETED, NOT_COMPLETED
from stats.tabulate import Cube

Definition = tuple[tuple[str, tuple[str, ...]], ...]
_COMPLETION_DIMS = ("cohort_band", "years_since_band")
#: The columns whose values a definition reads beyond their labels (the completion rule).
CANONICAL_DIMS = ("status", *_COMPLETION_DIMS)


def _canonical(sets: dict[str, set[str]], domains: Mapping[str, tuple[str, ...]]
               ) -> Definition | None:
    """Return the canonical definition, or None when no one can satisfy it."""
    if "status" in domains:
        completed = set(COMPLETED)
        status = sets.get("status", set(domains["status"]))
        for dim in _COMPLETION_DIMS:  # move what a completion band implies onto status
            values = sets.get(dim, set(domains.get(dim, ())))
            if dim in sets and NOT_COMPLETED not in values:
                status = status & completed
            elif dim in sets and values == {NOT_COMPLETED}:
                status = status - completed
        for dim in _COMPLETION_DIMS:  # ... then keep only what status does not imply
            if dim not in sets:
                continue
            values = sets[dim]
            values = values - {NOT_COMPLETED} if status <= completed else values
            values = values & {NOT_COMPLETED} if not status & completed else values
            implied = (set(domains[dim]) - {NOT_COMPLETED} if status <= completed else
                       {NOT_COMPLETED} if not status & completed else set(domains[dim]))
            sets[dim] = set(domains[dim]) if values == implied and values else values
        sets["status"] = status
    if any(not values for values in sets.values()):
        return None
    return tuple(sorted((dim, tuple(sorted(values))) for dim, values in sets.items()
                        if values != set(domains[dim])))


def cell_definitions(cube: Cube, spec: TableSpec,
                     domains: Mapping[str, tuple[str, ...]]) -> np.ndarray:
    """Return, per cell of ``cube``, its canonical definition (None: structurally empty)."""
    base: dict[str, set[str]] = {}
    for dim, values in spec.population:
        base[dim] = base.get(dim, set(domains[dim])) & set(values)
    for dim, values in spec.excluding:
        base[dim] = base.get(dim, set(domains[dim])) - set(values)
    out = np.empty(cube.counts.shape, dtype=object)
    for index in np.ndindex(cube.counts.shape):  # loops over cells, never over people
        sets = {dim: set(values) for dim, values in base.items()}
        for dim, labels, i in zip(cube.dims, cube.labels, index):
            if i < len(labels):
                sets[dim] = sets.get(dim, set(domains[dim])) & {labels[i]}
        out[index] = _canonical(sets, domains)
    return out


def link_keys(definitions: list[np.ndarray]) -> list[np.ndarray]:
    """Return integer keys, equal across cubes exactly where definitions are equal."""
    ids: dict[Definition | None, int] = {}
    out = []
    for defs in definitions:
        keys = np.empty(defs.shape, dtype=np.uint64)
        for index, definition in np.ndenumerate(defs):
            # Structural zeros are published, so they need no shared identity.
            key = definition if definition is not None else ("empty", len(ids))
            keys[index] = ids.setdefault(key, len(ids))
        out.append(keys)
    return out
