"""How far the release's secondary suppression is from the least it could hide.

For small two-way tables (the catalogue's two-way tables counted from N synthetic
registrants without merging, and random tables of Poisson counts), the cells below the
threshold are hidden (zeros too), then:

- *heuristic*: what a release does with one table (``stats.joint.Joint``: secondary
  suppression of the lines, then the interval audit, hiding more until no hidden cell can
  be narrowed below the protection);
- *exact*: a mixed-integer model (HiGHS) of which cells to hide, minimising the cells
  hidden, or the people in hidden cells (each cell's count, totals included, as
  ``bench/disclosure.py`` counts them), subject to the same protection.  The audit
  is a constraint no MIP states directly, so it is added as cuts (Benders-style): the
  master problem hides the small cells and, in every line, never exactly one cell; each
  pattern it returns is audited with the release's own interval LP, and for each hidden
  cell ``e`` found too narrow a capacity cut (Fischetti and Salazar) is added: by LP
  duality, a linear function of the pattern that is at least ``e``'s interval width for
  every pattern, required to be at least the protection wherever ``e`` is hidden.  The
  first pattern the audit passes is a least one -- with one caveat: the cuts bound each
  hidden cell by twice the grand total (the audit itself has no bound), which can only
  make the exact model hide more, so the gap printed is never overstated.

Printed per table: the small cells, then cells hidden and people hidden by each, and the
gap (heuristic over exact).  Not a test; tables with up to about 120 cells solve in seconds.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _lines(shape: tuple[int, int]) -> list[list[int]]:
    """Return the flat indices of every row and column of a table with totals."""
    index = np.arange(shape[0] * shape[1]).reshape(shape)
    return [list(index[i, :]) for i in range(shape[0])] + \
        [list(index[:, j]) for j in range(shape[1])]


def heuristic(counts: np.ndarray, threshold: int, protection: int) -> np.ndarray:
    """Return the cells a release hides in this table alone (primary cells given)."""
    from stats.audit import KeyRelations, own_keys
    from stats.disclosure import PRIMARY, Protection, primary_mask
    from stats.joint import Joint
    from stats.tabulate import Cube

    labels = tuple(tuple(map(str, range(n - 1))) for n in counts.shape)
    cube = Cube(("row", "column"), labels, counts)
    prot = Protection.empty(counts.shape)
    prot.hide(primary_mask(counts, threshold), PRIMARY)
    spec = SimpleNamespace(id="table", audit_only=False)
    joint = Joint((spec,), [cube], [own_keys(counts.shape)], [prot], KeyRelations(),
                  protection)
    joint.suppress()
    exposed = joint.audit()
    if exposed[0]:
        raise RuntimeError("the heuristic left a cell exposed: the table would be withheld")
    return prot.hidden


def _equations(shape: tuple[int, int]):
    """Return the lines of a table with totals as equations over its flat cells."""
    from scipy.sparse import lil_matrix

    rows, columns = shape
    m = lil_matrix((rows + columns, rows * columns))
    for k, line in enumerate(_lines(shape)):
        for c in line[:-1]:
            m[k, c] = 1.0
        m[k, line[-1]] = -1.0
    return m.tocsr()


def capacity_cut(counts: np.ndarray, hidden: np.ndarray, e: int, cap: float,
                 equations) -> np.ndarray:
    """Return coefficients ``w`` with ``w @ h`` at least the width of cell ``e``'s interval
    for *every* pattern ``h`` (every cell hidden bounded by ``cap``), equal for this one.

    The width is the largest rise of ``e`` plus its largest fall over the deviations ``z``
    from the true counts with every line adding up (``M z = 0``), ``z_c = 0`` for a
    published cell and ``-a_c <= z_c <= cap - a_c`` for a hidden one.  By LP duality, each
    is at most ``sum(alpha_c (cap - a_c) + beta_c a_c) h_c`` for the optimal bound
    multipliers, with equality at this pattern (Fischetti and Salazar's capacity cuts).
    """
    from scipy.optimize import linprog

    a = counts.ravel().astype(float)
    hide = hidden.ravel()
    bounds = np.stack([np.where(hide, -a, 0.0), np.where(hide, cap - a, 0.0)], axis=1)
    w = np.zeros(len(a))
    for sign in (1.0, -1.0):  # the rise, then the fall
        objective = np.zeros(len(a))
        objective[e] = -sign  # linprog minimises
        res = linprog(objective, A_eq=equations, b_eq=np.zeros(equations.shape[0]),
                      bounds=bounds, method="highs")
        if res.status != 0:
            raise RuntimeError(res.message)
        # How the largest rise (fall) grows as a cell's value may move up or down.
        r = -(res.lower.marginals + res.upper.marginals)
        w += np.maximum(r, 0) * (cap - a) + np.maximum(-r, 0) * a
    return w


def exact(counts: np.ndarray, threshold: int, protection: int, weights: np.ndarray,
          limit: int = 500) -> tuple[np.ndarray | None, int]:
    """Return a least-``weights`` pattern that passes the audit (None: not within ``limit``
    rounds), and the rounds taken."""
    import highspy
    from stats.audit import cell_intervals, exposed_cells

    n = counts.size
    flat = counts.ravel()
    cap = 2.0 * float(counts[-1, -1]) + protection
    equations = _equations(counts.shape)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.addVars(n, (flat < threshold).astype(float), np.ones(n))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.full(n, highspy.HighsVarType.kInteger))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), weights.astype(float))
    inf = highspy.kHighsInf
    every = np.arange(n, dtype=np.int32)
    for line in _lines(counts.shape):
        for c in line:  # hidden c: another cell of its line hidden
            others = [o for o in line if o != c]
            h.addRow(0.0, inf, len(others) + 1, np.array([c, *others], dtype=np.int32),
                     np.array([-1.0] + [1.0] * len(others)))
    for round_ in range(1, limit + 1):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(h.modelStatusToString(h.getModelStatus()))
        hidden = np.array(h.getSolution().col_value) > 0.5
        mask = hidden.reshape(counts.shape)
        too_narrow = np.flatnonzero(exposed_cells(cell_intervals(counts, mask), mask,
                                                  protection).ravel())
        if not len(too_narrow):
            return mask, round_
        for e in too_narrow:  # hidden e: its width, a function of the pattern, at least P
            w = capacity_cut(counts, mask, int(e), cap, equations)
            if w @ hidden >= protection - 1e-6:
                raise RuntimeError("a capacity cut that this pattern does not violate")
            w[e] -= protection  # w @ h >= P * h[e]: a pattern publishing e owes it nothing
            h.addRow(0.0, inf, n, every, w)
    return None, limit


def _people(counts: np.ndarray, hidden: np.ndarray) -> int:
    """Return the people in hidden cells, totals included (as bench/disclosure.py counts)."""
    return int(counts[hidden].sum())


def _tables(registrants: list[int], random: int, seed: int):
    from stats.catalogue import CATALOGUE
    from stats.extract import deidentify
    from stats.tabulate import build_cube
    from tests.stats import AS_OF, make_population

    for n in registrants:
        people, spells = make_population(n, seed=seed)
        extract = deidentify(people, spells, AS_OF)
        for spec in CATALOGUE:
            if len(spec.dimensions) == 2:
                yield f"{spec.id}, {n:,}", build_cube(extract, spec).counts
    rng = np.random.default_rng(seed)
    for k in range(random):
        rows, columns = rng.integers(3, 7), rng.integers(3, 7)
        interior = rng.poisson(rng.uniform(2, 15), size=(rows, columns))
        from stats.tabulate import with_totals

        yield f"random {rows}x{columns} #{k + 1}", with_totals(interior.astype(np.int64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, nargs="*", default=[300, 1000])
    parser.add_argument("--random", type=int, default=12, help="random tables")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--threshold", type=int, default=10)
    args = parser.parse_args()
    threshold = protection = args.threshold
    print("| table | cells | small | heuristic: cells, people hidden | least cells: cells, "
          "people | least people: cells, people | gap (cells, people) | rounds | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = np.zeros(4)
    for name, counts in _tables(args.registrants, args.random, args.seed):
        started = time.perf_counter()
        mine = heuristic(counts, threshold, protection)
        by_cells, r1 = exact(counts, threshold, protection, np.ones(counts.size))
        # People first, cells to break ties (a cell costs less than one person).
        by_people, r2 = exact(counts, threshold, protection,
                              counts.ravel() + 1.0 / (counts.size + 1))
        took = time.perf_counter() - started
        if by_cells is None or by_people is None:
            print(f"| {name} | {counts.size} | — | not solved within the cuts allowed |")
            continue
        h_cells, h_people = int(mine.sum()), _people(counts, mine)
        c_cells, p_people = int(by_cells.sum()), _people(counts, by_people)
        totals += (h_cells, c_cells, h_people, p_people)
        gap_cells = f"{h_cells / c_cells:.2f}" if c_cells else \
            ("1.00" if not h_cells else "∞")
        gap_people = f"{h_people / p_people:.2f}" if p_people else \
            ("1.00" if not h_people else "∞")
        print(f"| {name} | {counts.size} | {int((counts < threshold).sum())} | "
              f"{h_cells}, {h_people} | {c_cells}, {_people(counts, by_cells)} | "
              f"{int(by_people.sum())}, {p_people} | {gap_cells}, {gap_people} | "
              f"{r1} / {r2} | {took:.1f} s |")
    h_cells, c_cells, h_people, p_people = totals
    print(f"\nAll tables: the heuristic hid {h_cells:.0f} cells against a least {c_cells:.0f} "
          f"({h_cells / max(c_cells, 1):.2f}x), and {h_people:.0f} people against a least "
          f"{p_people:.0f} ({h_people / max(p_people, 1):.2f}x).")


if __name__ == "__main__":
    main()
