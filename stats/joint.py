"""Secondary suppression and the interval audit over all tables of a release at once.

Cells are keys (:mod:`stats.boxes`): equal keys count the same people, and the relations
between keys (sums, nestings) are what a reader can prove from the release's own structure.
Suppression works on two levels until nothing changes: each table's lines
(:func:`stats.disclosure.secondary_mask`), and every sum between keys of the release, which
obeys the same two rules as a line -- never exactly one hidden member, and a published
parent hides at least ``protection`` people among its children.  Then the audit
(:func:`stats.audit.joint_intervals`) solves the interval LPs with every line and relation;
a hidden cell still found narrower than ``protection`` gets more cells hidden around it,
in its tables' lines and in its relations, and the audit runs again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from stats.audit import AuditProblem, KeyRelations, exposed_cells, joint_intervals
from stats.catalogue import TableSpec
from stats.disclosure import SECONDARY, Protection, secondary_mask, widen
from stats.tabulate import Cube


@dataclass
class Joint:
    """The tables of a release, their keys and protections, and the relations between keys."""

    tables: tuple[TableSpec, ...]
    cubes: list[Cube]
    keys: list[np.ndarray]
    protections: list[Protection]
    relations: KeyRelations
    protection: int
    # Protection levels (stats.audit.levels) with this threshold; None: any range that wide.
    threshold: int | None = None

    def __post_init__(self) -> None:
        size = int(max((k.max(initial=0) for k in self.keys), default=0)) + 1
        self.counts = np.zeros(size, dtype=np.int64)
        for cube, key in zip(self.cubes, self.keys):
            self.counts[key.ravel()] = cube.counts.ravel()
        self.members = defaultdict(list)  # key -> the sums it takes part in
        for i, (parent, children) in enumerate(self.relations.sums):
            for k in (parent, *children):
                self.members[k].append(i)
        self.nested = defaultdict(list)  # key -> its nesting partners
        for child, parent in self.relations.nestings:
            self.nested[child].append(parent)
            self.nested[parent].append(child)

    def hidden_keys(self) -> np.ndarray:
        """Return, per key, whether the release hides it (never published anywhere)."""
        shown = np.zeros(len(self.counts), dtype=bool)
        for spec, key, prot in zip(self.tables, self.keys, self.protections):
            if not spec.audit_only:
                shown[key[~prot.hidden]] = True
        return ~shown

    def hide_keys(self, keys) -> int:
        """Hide every cell with one of ``keys``, in every table; return cells newly hidden."""
        keys = np.fromiter(keys, dtype=np.uint64)
        if not len(keys):
            return 0
        return sum(prot.hide(np.isin(k, keys), SECONDARY)
                   for k, prot in zip(self.keys, self.protections))

    def _smallest(self, candidates, hidden: np.ndarray) -> int | None:
        """Return the published non-zero key with the fewest people (ties: lowest key)."""
        shown = [k for k in candidates if not hidden[k] and self.counts[k] > 0]
        return min(shown, key=lambda k: (self.counts[k], k)) if shown else None

    def _cheapest_in_sum(self, i: int, hidden: np.ndarray, besides: int | None = None
                         ) -> int | None:
        """Return sum ``i``'s published child with the fewest people (other than
        ``besides``), or its parent when no child is published and the parent is."""
        parent, children = self.relations.sums[i]
        choice = self._smallest([c for c in children if c != besides], hidden)
        if choice is None and not hidden[parent] and parent != besides:
            choice = parent
        return choice

    def relation_secondary(self) -> set[int]:
        """Return keys to hide so every sum protects its hidden members as a line does.

        Keys only audit-only tables hold are unknowns that need no protection of their own.
        """
        hidden = self.hidden_keys()
        guarded = np.zeros(len(self.counts), dtype=bool)
        for spec, key, prot in zip(self.tables, self.keys, self.protections):
            if not spec.audit_only:
                guarded[key[prot.hidden]] = True
        add: set[int] = set()
        for i, (parent, children) in enumerate(self.relations.sums):
            members = (parent, *children)
            if not any(guarded[k] for k in members):
                continue
            n_hidden = sum(hidden[k] for k in members)
            hidden_people = sum(self.counts[c] for c in children if hidden[c])
            if n_hidden == 1 or (not hidden[parent] and hidden_people < self.protection):
                choice = self._cheapest_in_sum(i, hidden)
                if choice is not None:
                    add.add(choice)
        return add

    def around(self, exposed_keys: np.ndarray, every: bool = False
               ) -> tuple[set[int], np.ndarray]:
        """Return keys to hide around exposed ones, and the exposed keys with no published
        partner in any relation (their tables' lines must be widened instead).

        The candidates of an exposed key are, in each sum it takes part in, the published
        member with the fewest people (the parent when no child is published), and its
        smallest published nesting partner; the one with the fewest people is hidden, or
        every candidate when ``every``.
        """
        hidden = self.hidden_keys()
        add: set[int] = set()
        stuck = []
        for key in exposed_keys.tolist():
            options = [c for i in self.members.get(key, ())
                       if (c := self._cheapest_in_sum(i, hidden, besides=key)) is not None]
            partner = self._smallest(self.nested.get(key, ()), hidden)
            if partner is not None:
                options.append(partner)
            if not options:
                stuck.append(key)
            elif every:
                add.update(options)
            else:
                add.add(min(options, key=lambda k: (self.counts[k], k)))
        return add, np.array(stuck, dtype=np.uint64)

    def suppress(self) -> None:
        """Run secondary suppression over lines and relations until nothing changes."""
        while True:
            grown = 0
            for spec, cube, prot in zip(self.tables, self.cubes, self.protections):
                if not spec.audit_only:
                    grown += prot.hide(secondary_mask(cube.counts, prot.hidden,
                                                      self.protection), SECONDARY)
            # A key hidden in one table is hidden in every table.
            spread = self.hide_keys(np.unique(np.concatenate(
                [np.zeros(0, np.uint64), *(k[p.hidden] for spec, k, p in
                 zip(self.tables, self.keys, self.protections) if not spec.audit_only)]
            )).tolist())
            related = self.hide_keys(self.relation_secondary())
            if not (grown or spread or related):
                return

    def audit(self, rounds: int = 40, thorough: int = 4) -> list[int]:
        """Audit all tables jointly, hiding more around exposed cells; return exposed counts.

        Each round hides as little as it can around each exposed cell (its cheapest
        relation partner; its tables' lines only when it has none); the last ``thorough``
        rounds hide every candidate and widen every line, so that the audit ends.  Hiding
        more cells only removes known values, so intervals proven wide stay wide and each
        round re-solves only the rest.  Tables still exposed after ``rounds`` are withheld:
        that removes equations too, so it cannot expose the other tables.
        """
        wide = np.zeros(0, dtype=np.uint64)
        exposed: list[np.ndarray] = []
        for round_ in range(rounds):
            problems = [AuditProblem(spec.id, cube.counts, prot.hidden, key)
                        for spec, cube, prot, key in zip(self.tables, self.cubes,
                                                         self.protections, self.keys)]
            intervals = joint_intervals(problems, self.protection, known_wide=wide,
                                        relations=self.relations, threshold=self.threshold)
            found = [exposed_cells(iv, p.hidden, self.protection, cube.counts, self.threshold)
                     for iv, p, cube in zip(intervals, self.protections, self.cubes)]
            # An audit-only table protects nothing of its own: its cells that matter are
            # hidden (and checked) in the tables that would publish them.
            exposed = [e & (not spec.audit_only) for e, spec in zip(found, self.tables)]
            if not any(e.any() for e in exposed):
                break
            # Proven wide: hidden and found exposed nowhere (a key an audit-only table hides
            # is one unknown with the same key in a table that publishes: not proven wide
            # because the audit-only table does not count its exposure).
            wide = np.setdiff1d(np.unique(np.concatenate(
                [wide, *(k[p.hidden & ~e] for k, p, e in
                         zip(self.keys, self.protections, found))])),
                np.concatenate([np.zeros(0, np.uint64), *(k[e] for k, e in
                                                           zip(self.keys, found))]))
            every = round_ >= rounds - thorough
            exposed_keys = np.unique(np.concatenate([k[e] for k, e in zip(self.keys, exposed)]))
            add, stuck = self.around(exposed_keys, every)
            grown = self.hide_keys(add)
            grown += sum(prot.hide(widen(cube.counts, prot.hidden,
                                         e if every else e & np.isin(k, stuck)), SECONDARY)
                         for cube, prot, e, k in zip(self.cubes, self.protections, exposed,
                                                     self.keys))
            if not grown:
                break
            self.suppress()
        return [int(e.sum()) for e in exposed]
