"""An independent attacker: what can a reader prove about the hidden cells of a release?

Written apart from :mod:`stats.audit`, :mod:`stats.lp` and :mod:`stats.linkage` (no code
shared): it reads only what a release publishes -- ``release.json`` (``Release.to_dict()``)
and each table's published values and flags -- plus public knowledge: the extract's rules
(which completion cohorts and years since completion can go together on the release's
date) and each university's type.  It then solves its own linear programmes (HiGHS).

The model.  Every cell, published or hidden, counts the people in a *box*: a set of allowed
values per column (the table's population filter and the cell's coordinates; a total leaves
its column free).  Columns tied by the rules are merged so that a box says exactly whom it
holds: status, cohort band and years since completion become one column of the valid
triples; university group and university type one column of the valid pairs.  Two cells
with the same box are one unknown.  Between boxes the attacker writes every relation it can
prove: where boxes equal but for one column, a box whose values in that column are split
among others is their sum, and a box inside another counts no more than it.  That is how the
sums and nestings between tables are known -- completers are those with a degree and those
without; a university type is the union of its universities; employees are among the
working; the latest cohort may be exactly those 0 to 1 years since completion.

What a published cell tells: its true count lies within the rounding of its value (a row
share is turned back into the rounded count it was computed from): within half the base
rounded to nearest, within the base less one rounded at random (``random_rounding`` in the
release's rules), either side; and a published count that is not zero is at least the
threshold -- in a release made afresh (a 0 may count a few: a category of next to no one);
in the next release of a series a figure stands while the count stays within one more than
that, below the threshold too.  A hidden cell
tells nothing.  Each hidden
cell's count is minimised and maximised over the reals: the real interval holds every
integer solution, so one narrower than the protection is a proven exposure -- every
relation used holds for every population, so the attacker never claims what is not so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import sparse

TOTAL = "Total"
COMPLETION = ("status", "cohort_band", "years_since_band")
UNIVERSITY = ("university_group", "university_type")
NOT_COMPLETED, UNKNOWN = "Not completed", "Unknown"
OTHER = "(any other value)"
COMPLETED = frozenset({"degree_awarded", "completed_without_degree"})


def _years_band(years: int) -> str:
    return "0-1" if years < 2 else "2-3" if years < 4 else "4-6" if years < 7 else "7+"


def _cohort_of(label: str) -> tuple[int, int] | None:
    """Return the fiscal years a cohort label covers ("FY2003-2005", "before FY2000")."""
    found = re.fullmatch(r"FY(\d{4})-(\d{4})", label)
    if found:
        return int(found[1]), int(found[2])
    found = re.fullmatch(r"before FY(\d{4})", label)
    return (1900, int(found[1]) - 1) if found else None


def completion_triples(statuses, cohorts, as_of: date) -> frozenset:
    """Return every (status, cohort band, years band) a registrant can have on ``as_of``."""
    out = {(s, NOT_COMPLETED, NOT_COMPLETED) for s in statuses if s not in COMPLETED}
    pairs = {(UNKNOWN, UNKNOWN)}  # completed, no date
    for label in cohorts:
        span = _cohort_of(label)
        if span is None:
            continue
        pairs.add((label, UNKNOWN))  # a completion dated after the release's date
        first = max(date(span[0], 4, 1), date(1950, 1, 1))
        last = min(date(span[1] + 1, 3, 31), as_of)
        day = first
        while day <= last:  # every day of the cohort up to the release's date
            years = as_of.year - day.year - ((day.month, day.day) > (as_of.month, as_of.day))
            pairs.add((label, _years_band(years)))
            day += timedelta(days=1)
    out |= {(s, c, y) for s in statuses if s in COMPLETED for c, y in pairs}
    return frozenset(out)


@dataclass
class Cell:
    table: str
    coordinates: tuple
    box: tuple
    hidden: bool
    low: float
    high: float


class _LP:
    """One HiGHS model of the relations and bounds; objectives changed in place, so each
    LP starts from the last optimal basis."""

    def __init__(self, a_eq, a_ub, low, high, bounded=None):
        """``a_eq @ x == 0``, ``a_ub @ x <= 0``, ``low <= x <= high`` and, when given,
        ``bounded = (matrix, least, most)``: ``least <= matrix @ x <= most``."""
        import highspy

        n = len(low)
        if bounded is None:
            bounded = (sparse.csr_matrix((0, n)), np.zeros(0), np.zeros(0))
        rows, least, most = bounded
        matrix = sparse.vstack([a_eq, a_ub, rows]).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, matrix.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = low.astype(float)
        lp.col_upper_ = np.where(np.isinf(high), highspy.kHighsInf, high).astype(float)
        infinite = highspy.kHighsInf
        lp.row_lower_ = np.concatenate([np.zeros(a_eq.shape[0]),
                                        np.full(a_ub.shape[0], -infinite),
                                        np.where(np.isinf(least), -infinite, least)])
        lp.row_upper_ = np.concatenate([np.zeros(a_eq.shape[0] + a_ub.shape[0]),
                                        np.where(np.isinf(most), infinite, most)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # keep the basis between objectives
        self.highs.setOptionValue("simplex_strategy", 4)  # primal: the last basis is feasible
        self.highs.passModel(lp)
        self.columns = np.arange(n, dtype=np.int32)
        self.kinds = highspy.HighsModelStatus

    def integral(self) -> None:
        """Make every count a whole number: later objectives are integer programmes."""
        import highspy

        n = len(self.columns)
        self.highs.setOptionValue("presolve", "on")
        self.highs.setOptionValue("simplex_strategy", 0)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.changeColsIntegrality(n, self.columns,
                                         np.full(n, highspy.HighsVarType.kInteger))

    def minimum(self, objective):
        """Return (min, a minimising point), or (None, None) when unbounded below."""
        self.highs.changeColsCost(len(self.columns), self.columns, objective.astype(float))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status in (self.kinds.kUnbounded, self.kinds.kUnboundedOrInfeasible):
            return None, None
        if status != self.kinds.kOptimal:
            raise RuntimeError(f"attacker LP: {self.highs.modelStatusToString(status)}")
        return (self.highs.getInfo().objective_function_value,
                np.array(self.highs.getSolution().col_value))


class Model:
    """The release's columns, their values, and how a box is written canonically."""

    def __init__(self, meta: dict, frames: dict, university_types: dict[str, str],
                 more: tuple = (), members: list | None = None):
        """Read the columns' values from a release (and from ``more`` releases, each a
        ``(meta, frames)`` pair); with ``members`` (one mapping per release, dimension ->
        label -> the values it stands for: :func:`tests.stats.differ.members`), a label
        stands for its members, so that releases grouping differently share one space."""
        values: dict[str, set] = {}
        shown: set[str] = set()
        for k, (meta_i, frames_i) in enumerate(((meta, frames), *more)):
            of = members[k] if members else {}
            for table in meta_i["tables"]:
                if table["id"] not in frames_i:
                    continue
                frame = frames_i[table["id"]][0]
                names = [*table["rows"], table["column"]]
                index = frame.index if isinstance(frame.index, pd.MultiIndex) else \
                    pd.MultiIndex.from_arrays([frame.index])
                found = [(dim, map(str, index.levels[level]))
                         for level, dim in enumerate(table["rows"])]
                for dim, seen in (*found, (table["column"], map(str, frame.columns))):
                    for label in seen:
                        values.setdefault(dim, set()).update(
                            of.get(dim, {}).get(label, {label}))
                shown.update(names)
                for dim, allowed in (*table["population"].items(),
                                     *table["excluding"].items()):
                    values.setdefault(dim, set()).update(allowed)
        for dim in values:
            values[dim] -= {TOTAL, "n"}
            if dim not in shown:  # only named by a filter: other values exist, unnamed
                values[dim].add(OTHER)
        as_of = date.fromisoformat(meta["as_of"])
        statuses = values.get("status", set())
        cohorts = values.get("cohort_band", set())
        self.triples = completion_triples(statuses, cohorts, as_of)
        groups = values.get("university_group", set())
        self.pairs = frozenset((g, self._type_of(g, university_types)) for g in groups)
        self.domains = {d: frozenset(v) for d, v in values.items()
                        if d not in COMPLETION and d not in UNIVERSITY}
        for merged, domain in (("C", self.triples), ("U", self.pairs)):
            if domain:
                self.domains[merged] = domain

    @staticmethod
    def _type_of(group: str, types: dict[str, str]) -> str:
        found = re.fullmatch(r"Other (.+) universities", group)
        if found:
            return found[1]
        return types.get(group, UNKNOWN)

    def box(self, sets: dict[str, set]) -> tuple | None:
        """Return the canonical box of per-column sets (None: no one can be in it)."""
        merged = {}
        triples = {t for t in self.triples
                   if all(t[i] in sets[d] for i, d in enumerate(COMPLETION) if d in sets)}
        pairs = {p for p in self.pairs
                 if all(p[i] in sets[d] for i, d in enumerate(UNIVERSITY) if d in sets)}
        if self.triples:  # a release that shows no such column has no such merged one
            merged["C"] = triples
        if self.pairs:
            merged["U"] = pairs
        for dim, allowed in sets.items():
            if dim not in COMPLETION and dim not in UNIVERSITY:
                merged[dim] = set(allowed) & self.domains[dim]
        if any(not v for v in merged.values()):
            return None
        return tuple(sorted((d, frozenset(v)) for d, v in merged.items()
                            if frozenset(v) != self.domains[d]))


def labels(meta: dict) -> dict[str, dict[str, set]]:
    """Return the categories a release merged: dimension -> merged label -> its members."""
    return {dim: {label: set(members) for label, members in groups.items()}
            for dim, groups in (meta.get("aggregation") or {}).items()}


def read_cells(meta: dict, frames: dict, model: Model, members: dict | None = None
               ) -> list[Cell]:
    """Turn each published table's values and flags into cells with what they tell (with
    ``members``, a label's cells count the people of the values it stands for, as for a
    ``Model`` given the same)."""
    members = members or {}
    rules = meta["rules"]
    base, threshold = int(rules["rounding_base"]), int(rules["threshold"])
    fresh = meta.get("previous_as_of") is None
    # Rounded to nearest, a fresh figure is within base // 2 of its count; at random within
    # base - 1 (either side); a series carries a figure one further.
    at_random = bool(rules.get("random_rounding", False))
    slack = (base - 1 if at_random else base // 2) if fresh else \
        (base if at_random else base - 1)
    floor = float(threshold) if fresh else 0.0
    cells = []
    for table in meta["tables"]:
        if table["id"] not in frames or table["withheld"]:
            continue
        values, flags = frames[table["id"]]
        share = table["measure"] == "row_share"
        dims = [*table["rows"], table["column"]]
        population: dict[str, set] = {}
        for dim, allowed in table["population"].items():
            population[dim] = set(allowed)
        for dim, dropped in table["excluding"].items():
            population[dim] = population.get(dim, set(model.domains.get(dim, ()))
                                             | _merged_values(model, dim)) - set(dropped)
        for r, key in enumerate(values.index):
            row = key if isinstance(key, tuple) else (key,)
            n = values.iloc[r]["n"] if share else None
            for c, column in enumerate(map(str, values.columns)):
                sets = {d: set(v) for d, v in population.items()}
                for dim, label in zip(dims, (*map(str, row), column)):
                    if label not in (TOTAL, "n"):
                        named = members.get(dim, {}).get(label, {label})
                        sets[dim] = sets.get(dim, named) & named
                box = model.box(sets)
                flag, value = flags.iloc[r, c], values.iloc[r, c]
                hidden = bool(flag)
                if box is None:
                    continue  # no one can be there, as every reader knows
                if not hidden and pd.isna(value):  # a share of an empty row: no figure
                    cells.append(Cell(table["id"], (*row, column), box, False, 0.0, np.inf))
                    continue
                if hidden:
                    cells.append(Cell(table["id"], (*row, column), box, True, 0.0, np.inf))
                    continue
                if share and column != "n":
                    # A percentage to one decimal of the rounded total: the rounded count
                    # lies within half a decimal of it, the true count within the slack.
                    least = (float(value) - 0.05) * float(n) / 100.0
                    most = (float(value) + 0.05) * float(n) / 100.0
                    least, most = np.ceil(least / base) * base, np.floor(most / base) * base
                else:
                    least = most = float(value)
                low = max(0.0, least - slack, floor if least > 0 else 0.0)
                cells.append(Cell(table["id"], (*row, column), box, False, low, most + slack))
    return cells


def _merged_values(model: Model, dim: str) -> set:
    for merged, names in (("C", COMPLETION), ("U", UNIVERSITY)):
        if dim in names:
            return {t[names.index(dim)] for t in model.domains.get(merged, ())}
    return set()


def relations(boxes: list[tuple], domains: dict) -> tuple[list, list]:
    """Return (sums, insides): ``(parent, [children])`` where the children split the
    parent's values in one column, and ``(child, parent)`` where one box holds another."""
    groups: dict = {}
    for i, box in enumerate(boxes):
        as_dict = dict(box)
        for dim in domains:
            rest = tuple((d, v) for d, v in box if d != dim)
            groups.setdefault((dim, rest), []).append((as_dict.get(dim, domains[dim]), i))
    sums, insides = [], []
    for members in groups.values():
        if len(members) < 2:
            continue
        for parent_set, parent in members:
            inner = [(s, i) for s, i in members if s < parent_set]
            # Only the nearest: a box inside one inside this is inside this by the two.
            insides += [(i, parent) for s, i in inner
                        if not any(s < t < parent_set for t, _ in inner)]
            for order in (lambda m: -len(m[0]), lambda m: len(m[0])):
                covered, chosen = set(), []
                for s, i in sorted(inner, key=order):
                    if not covered & s:
                        covered |= s
                        chosen.append(i)
                if covered == parent_set and len(chosen) > 1:
                    sums.append((parent, sorted(chosen)))
                    break
    summed = {(child, parent) for parent, children in sums for child in children}
    return sums, sorted(set(insides) - summed)


def relation_matrices(sums: list, insides: list, n: int) -> tuple:
    """Return (a_eq, a_ub) over ``n`` boxes: each sum's children less its parent is 0, each
    box inside another less that other is at most 0."""
    rows, cols, vals = [], [], []
    for k, (parent, children) in enumerate(sums):
        rows += [k] * (len(children) + 1)
        cols += [parent, *children]
        vals += [-1.0] + [1.0] * len(children)
    a_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(len(sums), n))
    a_ub = sparse.csr_matrix(([1.0, -1.0] * len(insides),
                              ([k for k in range(len(insides)) for _ in (0, 1)],
                               [x for pair in insides for x in pair])),
                             shape=(len(insides), n))
    return a_eq, a_ub


@dataclass
class Finding:
    table: str
    coordinates: tuple
    low: float
    high: float


def attack(meta: dict, frames: dict, university_types: dict[str, str], protection: float,
           seed: int = 0, integer: bool = False, count=None) -> list[Finding]:
    """Return every hidden cell whose count the release pins within less than ``protection``
    -- or, where the release states protection levels and the test gives ``count`` (a hidden
    cell's true count, by table and coordinates), a count below the threshold whose range
    does not reach both 0 and the threshold.

    Over the reals by default.  With ``integer`` every count is a whole number, as it is:
    each hidden cell's least and greatest count are then solved as integer programmes (the
    real interval holds the integer one, which may be narrower), for every hidden cell --
    decisive, and affordable at a few hundred registrants.
    """
    model = Model(meta, frames, university_types)
    cells = read_cells(meta, frames, model)
    boxes = sorted({c.box for c in cells})
    if not any(c.hidden for c in cells):
        return []  # nothing hidden (or nothing published): nothing to pin
    var = {box: i for i, box in enumerate(boxes)}
    n = len(boxes)
    low, high = np.zeros(n), np.full(n, np.inf)
    for cell in cells:
        i = var[cell.box]
        low[i], high[i] = max(low[i], cell.low), min(high[i], cell.high)
    # No count exceeds the largest published one by much: a cap that keeps every LP
    # bounded, far above anything that could look narrow.
    cap = 2 * max([h for h in high if np.isfinite(h)] or [1.0]) + 10 * protection
    unknown = np.isinf(high)
    high = np.minimum(high, cap)
    lp = _LP(*relation_matrices(*relations(boxes, model.domains), n), low, high)
    targets = np.array(sorted({var[c.box] for c in cells if c.hidden and unknown[var[c.box]]}),
                       dtype=np.int64)
    seen_low, seen_high = np.full(n, np.inf), np.full(n, -np.inf)

    def see(objective) -> float | None:
        nonlocal seen_low, seen_high
        value, point = lp.minimum(objective)
        if point is not None:
            seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
        return value

    rules = meta["rules"]
    small = np.zeros(n, dtype=bool)  # held to 0 and the threshold, not the width alone
    threshold = float(rules["threshold"])
    if count is not None and rules.get("protection_levels"):
        # A box's count is the most any of its cells counts: where the model could not tell
        # two groups apart (a tiny release withholds the tables that would), one count.
        most = np.zeros(n)
        for cell in cells:
            most[var[cell.box]] = max(most[var[cell.box]], count(cell.table, cell.coordinates))
        small = most < threshold

    def short(i, lo, hi):
        """Whether a range of hidden cell(s) ``i`` tells too much."""
        return np.where(small[i], (lo > 1e-6) | (hi < threshold - 1e-6),
                        hi - lo < protection - 1e-6)

    def undecided() -> np.ndarray:
        return targets[short(targets, seen_low[targets], seen_high[targets])]

    # Every solution is a point for all cells at once: one with every hidden cell as low as
    # it goes, then ones pushing many up together, settle most cells in a few LPs.
    weights = np.zeros(n)
    weights[targets] = 1.0
    see(weights)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        left = undecided()
        if not len(left):
            break
        batch = rng.permutation(left)[:max(1, len(left) // 4)]
        weights = np.zeros(n)
        weights[batch] = -1.0
        before = len(left)
        see(weights)
        if len(undecided()) > 0.9 * before:
            break
    interval = {}
    if integer:
        lp.integral()
    for i in (targets if integer else undecided()):
        objective = np.zeros(n)
        objective[i] = 1.0
        lo = see(objective)
        hi = see(-objective)
        interval[i] = (lo, -hi)
    out = []
    for cell in cells:
        i = var[cell.box]
        if cell.hidden and i in interval and short(i, *interval[i]):
            out.append(Finding(cell.table, cell.coordinates, *interval[i]))
    return out


def published(release) -> tuple[dict, dict]:
    """Return what a release publishes: its metadata and each table's (values, flags)."""
    frames = {}
    for table_id, table in release.tables.items():
        if table.withheld is None:
            flags = table.flags if table.spec.measure != "row_share" else \
                table.flags.set_axis(table.frame.columns, axis=1)
            frames[table_id] = (table.frame, flags)
    return release.to_dict(), frames
