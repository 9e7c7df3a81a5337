"""An independent attacker comparing two releases: what do they prove about the one person
by whom their populations differ?

Like :mod:`tests.stats.attacker` (whose reading of a release and relations between boxes it
uses, and nothing of ``stats``): the attacker holds two releases of one date, ``smaller``
and ``larger``, and knows that ``larger`` counts exactly one person more -- someone
arrived between them, or (read the other way) someone left.  Unknowns: ``x``, the count of
each box in the smaller population, and ``d``, the person: 1 for every box holding them, 0
for the others.  Every cell of ``smaller`` bounds ``x`` of its box, every cell of ``larger``
bounds ``x + d``; every sum and nesting between boxes holds for ``x`` and for ``d`` alike;
``d`` of the box of everyone is 1, and every ``d`` is between 0 and 1.  Merged categories
are expanded into their members, and an ``Other`` group into what the other release names
on its own, so releases that group differently (a new series) share one space; and in a
release made afresh, a nationality or university named on its own has at least the rules'
number of registrants, one not named fewer (fewer than half as many again, where the release
draws each one's threshold).

A box whose least ``d`` over the reals is above 0 is proven to hold the person: the true
``d`` (0 or 1) is a solution, so it is 1.  Findings are proofs, never guesses.  (Not
modelled: that ``d`` is an integer, which could prove more; a test that finds nothing here
shows that no *linear* comparison of the two releases proves anything.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from tests.stats.attacker import (
    _LP, TOTAL, UNKNOWN, Model, labels, read_cells, relation_matrices, relations,
)

#: Each release names nationalities and universities on their own from a number of
#: registrants (its rules); the rest are counted as these.
NAMED = {"nationality_group": "min_country_size", "university_group": "min_university_size"}
ALWAYS = {"nationality_group": {"JP", "Other", UNKNOWN}, "university_group": {UNKNOWN}}


def _shown(meta: dict, frames: dict, dim: str, merged: dict) -> set:
    """Return the values of ``dim`` a release shows, merged categories expanded."""
    out: set = set()
    for table in meta["tables"]:
        if table["id"] not in frames:
            continue
        frame = frames[table["id"]][0]
        if dim in table["rows"]:
            index = frame.index
            level = table["rows"].index(dim)
            found = index.get_level_values(level) if index.nlevels > 1 else index
        elif table["column"] == dim:
            found = frame.columns
        else:
            continue
        for label in map(str, found):
            out |= merged.get(dim, {}).get(label, {label})
    return out - {TOTAL, "n"}


def _other_of(dim: str, value: str, university_types: dict[str, str]) -> str:
    """Return the group a value not named on its own is counted in."""
    if dim == "nationality_group":
        return "Other"
    kind = university_types.get(value)
    return f"Other {kind} universities" if kind else "Other universities"


def members(releases: list[tuple[dict, dict]], university_types: dict[str, str]
            ) -> tuple[list[dict], list[dict]]:
    """Return, per release, what each label stands for (merged categories expanded; an
    ``Other`` group also holding what another release names on its own), and which values
    each release names on its own (dimension -> set)."""
    merged = [labels(meta) for meta, _ in releases]
    named = [{dim: {v for v in _shown(meta, frames, dim, m)
                    if v not in ALWAYS.get(dim, set()) and not v.startswith("Other")}
              for dim in NAMED} for (meta, frames), m in zip(releases, merged)]
    out = []
    for m, mine in zip(merged, named):
        extra: dict = {}  # Other group -> values named elsewhere, counted in it here
        for dim in NAMED:
            for value in set().union(*(n[dim] for n in named)) - mine[dim]:
                extra.setdefault(dim, {}).setdefault(
                    _other_of(dim, value, university_types), set()).add(value)
        expanded: dict = {}
        for dim in set(m) | set(extra):
            groups = extra.get(dim, {})
            labels_here = set(m.get(dim, {})) | set(groups)
            expanded[dim] = {
                label: set().union(*({v} | groups.get(v, set())
                                     for v in m.get(dim, {}).get(label, {label})))
                for label in labels_here}
        out.append(expanded)
    return out, named

#: A least ``d`` above this is a proof (the LP's tolerance is far below).
PROVEN = 1e-6


@dataclass
class Proof:
    box: tuple  # the canonical box proven to hold the person
    least: float  # the least d over every solution
    cells: list  # (table, coordinates) of the cells counting that box, in either release


def attack_pair(smaller: tuple[dict, dict], larger: tuple[dict, dict],
                university_types: dict[str, str]) -> list[Proof]:
    """Return every box that comparing the two releases proves holds the one person more
    (each release given as ``(metadata, frames)``, as :func:`attacker.published` returns)."""
    (meta_s, frames_s), (meta_l, frames_l) = smaller, larger
    (members_s, members_l), named = members([smaller, larger], university_types)
    model = Model(meta_s, frames_s, university_types, more=((meta_l, frames_l),),
                  members=[members_s, members_l])
    cells_s = read_cells(meta_s, frames_s, model, members_s)
    cells_l = read_cells(meta_l, frames_l, model, members_l)
    # What naming tells in a release made afresh (a series keeps its first release's names,
    # whatever their size since): a value named on its own has at least the rule's number
    # of people, one not named (but named by the other release) fewer.
    sizes = []  # (release 0 or 1, box, least, most)
    for dim, rule in NAMED.items():
        for k, (meta, _) in enumerate((smaller, larger)):
            floor = meta["rules"].get(rule) if meta.get("previous_as_of") is None else None
            # Rounding at random, each value's threshold is drawn up to half as much again.
            ceiling = floor + floor // 2 if floor and meta["rules"].get("random_rounding") \
                else floor
            for value in (named[0][dim] | named[1][dim]) if floor else ():
                box = model.box({dim: {value}})
                if box is not None:
                    sizes.append((k, box, float(floor), np.inf) if value in named[k][dim]
                                 else (k, box, 0.0, float(ceiling) - 1))
    boxes = sorted({c.box for c in (*cells_s, *cells_l)} | {b for _, b, _, _ in sizes} | {()})
    var = {box: i for i, box in enumerate(boxes)}
    n = len(boxes)
    # Columns: x (0..n-1), then d (n..2n-1).
    low = np.zeros(2 * n)
    high = np.concatenate([np.full(n, np.inf), np.ones(n)])
    for cell in cells_s:
        i = var[cell.box]
        low[i], high[i] = max(low[i], cell.low), min(high[i], cell.high)
    least, most = np.zeros(n), np.full(n, np.inf)  # of x + d, from the larger release
    for cell in cells_l:
        i = var[cell.box]
        least[i], most[i] = max(least[i], cell.low), min(most[i], cell.high)
    for k, box, lo, hi in sizes:
        i = var[box]
        if k == 0:
            low[i], high[i] = max(low[i], lo), min(high[i], hi)
        else:
            least[i], most[i] = max(least[i], lo), min(most[i], hi)
    everyone = var[()]
    low[n + everyone] = 1.0
    cap = 2 * max([h for h in (*high[:n], *most) if np.isfinite(h)] or [1.0]) + 100
    high[:n] = np.minimum(high[:n], cap)
    a_eq, a_ub = relation_matrices(*relations(boxes, model.domains), n)
    both = np.hstack  # the same relations for x and for d
    zero_eq, zero_ub = sparse.csr_matrix(a_eq.shape), sparse.csr_matrix(a_ub.shape)
    a_eq = sparse.vstack([sparse.hstack([a_eq, zero_eq]), sparse.hstack([zero_eq, a_eq])])
    a_ub = sparse.vstack([sparse.hstack([a_ub, zero_ub]), sparse.hstack([zero_ub, a_ub])])
    told = np.flatnonzero((least > 0) | np.isfinite(most))
    rows = sparse.csr_matrix((np.ones(2 * len(told)),
                              (both([np.arange(len(told))] * 2), both([told, told + n]))),
                             shape=(len(told), 2 * n))
    lp = _LP(a_eq.tocsr(), a_ub.tocsr(), low, high, (rows, least[told], most[told]))

    # Candidates: boxes whose d no solution seen so far has put at 0.  Minimising the sum of
    # the candidates' d settles most of them at once; the rest one by one.
    candidates = np.array([i for i in range(n) if i != everyone])
    lowest = np.full(n, np.inf)

    def see(objective: np.ndarray) -> float:
        value, point = lp.minimum(objective)
        if point is None:
            raise RuntimeError("the pair LP is unbounded: a box without a cap")
        np.minimum(lowest, point[n:], out=lowest)
        return value

    while len(candidates):
        objective = np.zeros(2 * n)
        objective[n + candidates] = 1.0
        see(objective)
        left = candidates[lowest[candidates] > PROVEN]
        if len(left) == len(candidates):
            break
        candidates = left
    proven = {}
    for i in candidates:
        if lowest[i] <= PROVEN:
            continue  # a solution of an earlier LP put it at 0
        objective = np.zeros(2 * n)
        objective[n + i] = 1.0
        value = see(objective)
        if value > PROVEN:
            proven[i] = value
    return [Proof(boxes[i], value,
                  [(c.table, c.coordinates) for c in (*cells_s, *cells_l) if var[c.box] == i])
            for i, value in sorted(proven.items())]
