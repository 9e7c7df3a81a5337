"""Every cell of a release as the box of people it counts, and the relations between boxes.

A cell counts the people whose columns take values in a set per column: the table's
population and the cell's coordinates (a total leaves its column free).  Columns that the
extract's rules tie together are merged, so that a box says exactly whom it holds:

* ``status``, ``cohort_band`` and ``years_since_band`` become one column of the triples a
  registrant can have on the release's date (a completion cohort can only be so many years
  ago; those who have not completed have neither);
* ``university_group`` and ``university_type`` one column of the (group, type) pairs: a
  named university has one type, "Other <type> universities" that type.

Two cells with the same box count the same people, whatever their tables.  Between boxes
that differ in one column, a reader of the release knows two kinds of relation, and so does
the audit (:mod:`stats.audit`):

* **sums** -- a box whose values in that column are split among other boxes counts their sum
  (completers are degree holders and those who completed without one; a university type is
  its universities; a table's line is its total);
* **nestings** -- a box inside another counts no more (employees are among the working; the
  latest cohort among those 0 to 1 years since completion when the two differ).

Every relation holds for every population, so the audit assumes the attacker knows them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from stats.catalogue import TableSpec
from stats.coding import UNKNOWN
from stats.tabulate import Cube
from stats.vocabulary import COMPLETED, NOT_COMPLETED, YEARS_SINCE_BANDS

#: Columns merged into one, each with the combinations of values it can take.
MERGED = {"completion": ("status", "cohort_band", "years_since_band"),
          "university": ("university_group", "university_type")}

Box = tuple[tuple[str, frozenset], ...]


def _years(day: date, as_of: date) -> int:
    return as_of.year - day.year - ((day.month, day.day) > (as_of.month, as_of.day))


def _band(years: int) -> str:
    return YEARS_SINCE_BANDS[int(np.searchsorted([2, 4, 7], years, side="right"))]


def completion_triples(statuses, cohorts, as_of: date) -> frozenset:
    """Return every (status, cohort band, years band) a registrant can have on ``as_of``.

    A completion dated on or before ``as_of`` has a cohort and a years band; one dated later
    (or in a fiscal year past the bands) has no years band; one with no date has neither.
    The years since completion fall between those of the cohort's last and first day.
    """
    pairs = {(UNKNOWN, UNKNOWN)}
    for label in cohorts:
        if label in (NOT_COMPLETED, UNKNOWN):
            continue
        if label.startswith("before FY"):  # bottom-coded: before FY2000, or merged later
            first_fy, last_fy = 1900, int(label.removeprefix("before FY")) - 1
        else:
            first_fy, last_fy = (int(y) for y in label[2:].split("-"))
        first, last = date(first_fy, 4, 1), date(last_fy + 1, 3, 31)
        if last > as_of:
            pairs.add((label, UNKNOWN))
        if first <= as_of:
            newest = _years(min(last, as_of), as_of)
            oldest = _years(first, as_of)
            bands = {_band(y) for y in (newest, oldest)}
            bands |= {b for b, start in zip(YEARS_SINCE_BANDS, (0, 2, 4, 7))
                      if newest <= start <= oldest}
            pairs |= {(label, b) for b in bands}
    out = {(s, NOT_COMPLETED, NOT_COMPLETED) for s in statuses if s not in COMPLETED}
    out |= {(s, c, y) for s in statuses if s in COMPLETED for c, y in pairs}
    return frozenset(out)


@dataclass(frozen=True)
class Space:
    """The columns of an extract, their values, and the valid combinations of merged ones."""

    domains: Mapping[str, frozenset]  # plain columns and merged ones (sets of tuples)

    @classmethod
    def of(cls, extract: pd.DataFrame, as_of: date) -> Space:
        """Return the space of ``extract``: categories, completion triples by the rules,
        and each university group's type (public: the list of universities)."""
        domains: dict[str, frozenset] = {
            c: frozenset(extract[c].cat.categories) for c in extract.columns
            if isinstance(extract[c].dtype, pd.CategoricalDtype)}
        merged = MERGED["completion"]
        if all(c in domains for c in merged):
            domains["completion"] = completion_triples(
                domains["status"], domains["cohort_band"], as_of)
        group, kind = MERGED["university"]
        if group in domains and kind in domains:
            pairs = extract[[group, kind]].drop_duplicates()
            domains["university"] = frozenset(zip(pairs[group].astype(str),
                                                  pairs[kind].astype(str)))
        for name, columns in MERGED.items():
            if name in domains:
                for c in columns:
                    domains.pop(c)
        return cls(domains)

    def box(self, sets: Mapping[str, frozenset]) -> Box | None:
        """Return the canonical box of per-column sets (None: no one can be in it)."""
        out: dict[str, frozenset] = {}
        for name, columns in MERGED.items():
            restricted = [(i, sets[c]) for i, c in enumerate(columns) if c in sets]
            if name in self.domains and restricted:
                out[name] = _within(self.domains[name], tuple(restricted))
        for column, allowed in sets.items():
            if column in self.domains:
                out[column] = frozenset(allowed) & self.domains[column]
        if any(not values for values in out.values()):
            return None
        return tuple(sorted((c, v) for c, v in out.items() if v != self.domains[c]))


@lru_cache(maxsize=4096)
def _within(domain: frozenset, restricted: tuple) -> frozenset:
    return frozenset(t for t in domain if all(t[i] in allowed for i, allowed in restricted))


def cell_boxes(cube: Cube, spec: TableSpec, space: Space) -> np.ndarray:
    """Return, per cell of ``cube``, its box (None: no one can be in it)."""
    base: dict[str, frozenset] = {}
    full = {c: frozenset(v) for c, v in space.domains.items()}
    for name, columns in MERGED.items():  # the plain values of merged columns
        if name in full:
            for i, c in enumerate(columns):
                full[c] = frozenset(t[i] for t in full[name])
    for dim, values in spec.population:
        base[dim] = base.get(dim, full.get(dim, frozenset(values))) & frozenset(values)
    for dim, values in spec.excluding:
        base[dim] = base.get(dim, full.get(dim, frozenset())) - frozenset(values)
    out = np.empty(cube.counts.shape, dtype=object)
    for index in np.ndindex(cube.counts.shape):  # loops over cells, never over people
        sets = dict(base)
        for dim, labels, i in zip(cube.dims, cube.labels, index):
            if i < len(labels):
                sets[dim] = sets.get(dim, frozenset({labels[i]})) & {labels[i]}
        out[index] = space.box(sets)
    return out


def relations(boxes: list[Box], space: Space) -> tuple[list, list]:
    """Return ``(sums, nestings)`` between ``boxes`` (indices into the list).

    A sum ``(parent, children)``: the children split the parent's values in one column,
    the rest equal.  A nesting ``(child, parent)``: the child's values in one column lie
    within the parent's, the rest equal (only the nearest: others follow through them).
    """
    groups: dict = {}
    for i, box in enumerate(boxes):
        as_dict = dict(box)
        for column, domain in space.domains.items():
            rest = tuple(item for item in box if item[0] != column)
            groups.setdefault((column, rest), []).append((as_dict.get(column, domain), i))
    sums, nestings = set(), set()
    for members in groups.values():
        if len(members) < 2:
            continue
        for parent_set, parent in members:
            inner = [(s, i) for s, i in members if s < parent_set]
            if not inner:
                continue
            nestings.update((i, parent) for s, i in inner
                            if not any(s < t < parent_set for t, _ in inner))
            for cover in _covers(parent_set, inner):
                sums.add((parent, cover))
    summed = {(c, p) for p, children in sums for c in children}
    return sorted(sums), sorted(nestings - summed)


def _covers(whole: frozenset, parts: list[tuple[frozenset, int]]) -> list[tuple[int, ...]]:
    """Return ways of splitting ``whole`` exactly into disjoint ``parts`` (a few, not all):
    by the value of one of its (merged) columns, as a table's line does, and greedily from
    the largest part and from the smallest."""
    found = []
    index = {values: i for values, i in parts}
    sample = next(iter(whole))
    positions = range(len(sample)) if isinstance(sample, tuple) else (None,)
    for j in positions:
        blocks: dict = {}
        for value in whole:
            blocks.setdefault(value if j is None else value[j], set()).add(value)
        chosen = [index.get(frozenset(block)) for block in blocks.values()]
        if len(chosen) > 1 and None not in chosen:
            found.append(tuple(sorted(chosen)))
    for order in (sorted(parts, key=lambda p: (-len(p[0]), p[1])),
                  sorted(parts, key=lambda p: (len(p[0]), p[1]))):
        covered: set = set()
        chosen = []
        for values, i in order:
            if not covered & values:
                covered |= values
                chosen.append(i)
        if covered == whole and len(chosen) > 1:
            found.append(tuple(sorted(chosen)))
    return list(dict.fromkeys(found))


def _order(box: Box) -> tuple:
    """A total order of boxes that does not depend on the process (sets are unordered)."""
    return tuple((column, tuple(sorted(values))) for column, values in box)


def box_keys(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], list[Box]]:
    """Return integer keys per cell and the distinct boxes: key ``i`` < ``len(boxes)`` is
    ``boxes[i]``; a cell no one can be in gets a key of its own after them (it is published
    as 0: nothing links it)."""
    boxes = sorted({b for array in arrays for b in array.ravel().tolist() if b is not None},
                   key=_order)
    index = {b: i for i, b in enumerate(boxes)}
    out, extra = [], len(boxes)
    for array in arrays:
        flat = array.ravel().tolist()
        keys = np.empty(len(flat), dtype=np.uint64)
        for i, b in enumerate(flat):
            if b is None:
                keys[i], extra = extra, extra + 1
            else:
                keys[i] = index[b]
        out.append(keys.reshape(array.shape))
    return out, boxes
