"""How often one arrival shows when two releases are compared, in a series and across a new one.

For each of ``--people`` registrants X drawn from N synthetic registrants (the stats tests'
population): release A is built without X, release B with X, either as the next release of
A's series (``previous=A``) or afresh (a new series); and X leaving: the release of everyone,
then the next of its series without X.  Printed: for how many X anything an
analyst sees differs between A and B (a figure, a hidden cell, a withheld table, a merged
category), and how many published cells differ at most.  In a series nothing should differ;
afresh, what differs points at X's cells.  Not a test: it builds 2 releases per person.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _seen(release) -> dict:
    """Everything an analyst sees, table by table (values, NaN where hidden, and flags)."""
    out = {"merged": release.merged, "withheld": release.withheld}
    for tid, t in release.tables.items():
        if t.frame is not None:
            out[tid] = (t.frame.to_numpy(dtype=float, na_value=np.nan), t.flags.to_numpy())
    return out


def _differences(a: dict, b: dict) -> int:
    """Return how many cells differ (a difference outside the tables counts as one)."""
    changed = int(a["merged"] != b["merged"]) + int(a["withheld"] != b["withheld"])
    for tid in set(a) - {"merged", "withheld"}:
        if tid not in b or a[tid][0].shape != b[tid][0].shape:
            changed += 1
            continue
        (va, fa), (vb, fb) = a[tid], b[tid]
        same = (va == vb) | (np.isnan(va) & np.isnan(vb))
        changed += int((~same | (fa != fb)).sum())
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    from stats.release import build_release
    from tests.stats import AS_OF, make_population

    people, spells = make_population(args.registrants, seed=args.seed)
    started = time.perf_counter()
    everyone = build_release(people, spells, AS_OF)
    afresh_b = _seen(everyone)
    rng = np.random.default_rng(args.seed)
    shown = {"arrival, series": [], "arrival, new series": [], "departure, series": []}
    for pid in rng.choice(people["pid"].to_numpy(), size=args.people, replace=False):
        without = people[people["pid"] != pid], spells[spells["pid"] != pid]
        a = build_release(*without, AS_OF)
        seen_a = _seen(a)
        shown["arrival, series"].append(_differences(
            seen_a, _seen(build_release(people, spells, AS_OF, previous=a))))
        shown["arrival, new series"].append(_differences(seen_a, afresh_b))
        shown["departure, series"].append(_differences(
            afresh_b, _seen(build_release(*without, AS_OF, previous=everyone))))
    took = time.perf_counter() - started
    for mode, counts in shown.items():
        counts = np.array(counts)
        print(f"{args.registrants:,} registrants, one {mode}: something differs for "
              f"{int((counts > 0).sum())} of {len(counts)} people; cells differing: most "
              f"{int(counts.max())}, median {float(np.median(counts)):g}")
    print(f"({took:.0f} s)")


if __name__ == "__main__":
    main()
