"""Which cells of a release are hidden, and which tables withheld: decided, or as before.

:meth:`Decision.made` applies every rule to the tables of a release (see
:mod:`stats.release`): each table's own rules, categories of next to no one shown as 0 when a series
begins (:mod:`stats.empty`), tables too sparse to publish withheld, then secondary
suppression and the interval audit over all tables at once (:mod:`stats.joint`).
:meth:`Decision.as_before` keeps the previous release's decision whole, for the next release
of a series whose counts all stay near those it was decided on (:func:`stats.carry.frozen`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stats.audit import KeyRelations
from stats.boxes import Space, box_keys, relations
from stats.carry import as_before, initial
from stats.catalogue import TableSpec
from stats.disclosure import Protection
from stats.empty import empty_categories, empty_keys, show
from stats.joint import Joint
from stats.published import Release, Rules, TableRelease
from stats.tabulate import Cube

#: A table is withheld when its own rules would hide more than this share of its cells.
SPARSE_SHARE = 2 / 3
SPARSE_REASON = "sparse: its own rules would hide more than two thirds of its cells"


def _withheld_as_sparse(cube: Cube, prot: Protection, structural_zero: np.ndarray,
                        prior: TableRelease | None) -> bool:
    """Return whether a table's own rules hide more than ``SPARSE_SHARE`` of its cells, so
    that it is withheld before the others are protected: it would say next to nothing, and
    takes no part in their suppression or audit.

    Counted are the cells of rows that hold someone: an empty row (a cohort no respondent
    is in, say) is hidden whole but makes the rest of the table no less useful.  Within a
    series the previous release decided, so one arrival or departure never turns a table on
    or off.
    """
    if prior is not None:
        return prior.withheld == SPARSE_REASON
    occupied = np.broadcast_to(cube.counts[..., -1:] > 0, cube.counts.shape)
    counted = occupied & ~structural_zero
    return bool(counted.any()) and int((prot.hidden & counted).sum()) > \
        SPARSE_SHARE * int(counted.sum())


def _joint(tables: tuple[TableSpec, ...], cubes: list[Cube], boxes: list[np.ndarray],
           space: Space, protections: list[Protection], kept: list[int], rules: Rules
           ) -> Joint:
    """Return the kept tables as one system: their keys and the relations between them."""
    keys, distinct = box_keys([boxes[i] for i in kept])
    return Joint(tuple(tables[i] for i in kept), [cubes[i] for i in kept], keys,
                 [protections[i] for i in kept], KeyRelations(*relations(distinct, space)),
                 rules.protection, rules.threshold if rules.protection_levels else None)


@dataclass
class Decision:
    """Hold each table's hidden cells, the kept tables as one system, and the withheld."""

    protections: list[Protection]
    kept: list[int]
    withheld: dict[int, str]
    joint: Joint
    decided: dict[str, np.ndarray]  # table id -> the exact counts it was decided on
    previous: list[TableRelease | None] | None = None  # kept as before: their reasons
    zeros: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))  # shown as 0

    def reasons(self, i: int) -> dict[str, int]:
        """Return how many cells of table ``i`` each rule hid (internal record only)."""
        if self.previous is not None and self.previous[i] is not None:
            return dict(getattr(self.previous[i], "hidden_by_reason", {}))
        return self.protections[i].count()

    @classmethod
    def made(cls, tables: tuple[TableSpec, ...], cubes: list[Cube], boxes: list[np.ndarray],
             space: Space, rules: Rules, prior: list[TableRelease | None],
             fresh_series: bytes | None) -> Decision:
        """Decide every table's hidden cells (keeping what ``prior`` tables hid); a release
        beginning the series with secret ``fresh_series`` shows categories of next to no one
        as 0 (:mod:`stats.empty`)."""
        structural = [np.equal(box, None) for box in boxes]  # no one can be in these cells
        protections = [initial(cube, spec, rules, before, zero)
                       for cube, spec, before, zero in zip(cubes, tables, prior, structural)]
        empty = [empty_categories(cube, None if spec.audit_only else fresh_series,
                                  rules.rounding_base) for cube, spec in zip(cubes, tables)]
        for prot, cells in zip(protections, empty):
            show(prot, cells)
        kept = [i for i, (spec, cube, prot, zero, before) in
                enumerate(zip(tables, cubes, protections, structural, prior))
                if spec.audit_only or not _withheld_as_sparse(cube, prot, zero, before)]
        joint = _joint(tables, cubes, boxes, space, protections, kept, rules)
        # What is shown as 0 in one table is shown so wherever it is counted, and so is
        # all inside it: it counts no more, as a reader would know all the same.
        nobody = empty_keys(np.concatenate([np.zeros(0, np.uint64), *(
            joint.keys[j][empty[i]] for j, i in enumerate(kept))]), joint.relations)
        for spec, key, prot in zip(joint.tables, joint.keys, joint.protections):
            if not spec.audit_only:
                show(prot, np.isin(key, nobody))
        joint.suppress()
        exposed = dict(zip(kept, joint.audit()))
        withheld = {i: SPARSE_REASON for i in range(len(tables)) if i not in kept}
        withheld |= {i: f"interval audit: {n} hidden cell(s) derivable within less than "
                        f"{rules.protection}" for i, n in exposed.items() if n}
        for i in withheld:
            protections[i].hidden[...] = True  # nothing of a withheld table is published
        return cls(protections, kept, withheld, joint,
                   {spec.id: cube.counts for spec, cube in zip(tables, cubes)}, zeros=nobody)

    @classmethod
    def as_before(cls, tables: tuple[TableSpec, ...], cubes: list[Cube],
                  boxes: list[np.ndarray], space: Space, rules: Rules,
                  prior: list[TableRelease | None], previous: Release) -> Decision:
        """Keep the previous release's hidden cells and withheld tables as they were, and
        the counts they were decided on (see :func:`stats.carry.frozen`)."""
        protections = [as_before(cube, spec, before)
                       for cube, spec, before in zip(cubes, tables, prior)]
        kept = [i for i, (spec, before) in enumerate(zip(tables, prior))
                if spec.audit_only or before.withheld is None]
        withheld = {i: prior[i].withheld for i in range(len(tables)) if i not in kept}
        joint = _joint(tables, cubes, boxes, space, protections, kept, rules)
        return cls(protections, kept, withheld, joint, dict(previous.decided), prior)
