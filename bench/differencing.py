"""What comparing two releases shows, and proves, about the one person who arrived or left.

For each of ``--people`` registrants X drawn from N synthetic registrants (the stats tests'
population), three pairs of releases that differ by X alone:

- *arrival, series*: release A without X, then the next release of A's series with X;
- *departure, series*: a release of everyone, then the next of its series without X;
- *new series*: release A without X, then a release of everyone that starts a new series
  (read the other way round, the same pair is a departure across a new series).

Printed for each: for how many X anything an analyst sees differs (a figure, a hidden cell,
a withheld table, a merged category) and how many cells at most; and for how many X the
independent two-release attacker of the tests (``tests/stats/differ.py``) *proves* an
attribute -- a box of people (a cell's people: field, sector, sex, ...) that must hold X --
and how many boxes at most.  ``--rounding nearest`` builds every release rounding to nearest
(as series begun before random rounding do), the comparison for ``random`` (the default).
Not a test: it builds several releases and solves two LPs per pair.
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


def _differences(a, b) -> int:
    """Return how many cells differ (a difference outside the tables counts as one)."""
    a, b = _seen(a), _seen(b)
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
    parser.add_argument("--rounding", choices=("random", "nearest"), default="random")
    args = parser.parse_args()
    from stats.release import build_release
    from tests.stats import AS_OF, make_population
    from tests.stats.attacker import published
    from tests.stats.differ import attack_pair

    options = {"random_rounding": args.rounding == "random"}
    people, spells = make_population(args.registrants, seed=args.seed)
    types = dict(zip(people["university"], people["university_type"]))
    started = time.perf_counter()
    everyone = build_release(people, spells, AS_OF, **options)
    rng = np.random.default_rng(args.seed)
    modes = ("arrival, series", "departure, series", "new series")
    differ = {mode: [] for mode in modes}
    proven = {mode: [] for mode in modes}
    for pid in rng.choice(people["pid"].to_numpy(), size=args.people, replace=False):
        without = people[people["pid"] != pid], spells[spells["pid"] != pid]
        a = build_release(*without, AS_OF, **options)
        pairs = {"arrival, series": (a, build_release(people, spells, AS_OF, previous=a)),
                 "departure, series": (build_release(*without, AS_OF, previous=everyone),
                                       everyone),
                 "new series": (a, everyone)}
        for mode, (smaller, larger) in pairs.items():
            differ[mode].append(_differences(smaller, larger))
            proven[mode].append(len(attack_pair(published(smaller), published(larger), types)))
    took = time.perf_counter() - started
    print(f"{args.registrants:,} synthetic registrants, {args.people} people, rounding "
          f"{args.rounding}")
    for mode in modes:
        d, p = np.array(differ[mode]), np.array(proven[mode])
        print(f"  {mode}: something differs for {int((d > 0).sum())} of {len(d)} (cells "
              f"differing: most {int(d.max())}, median {float(np.median(d)):g}); an attribute "
              f"proven for {int((p > 0).sum())} of {len(p)} (boxes proven: most {int(p.max())})")
    print(f"({took:.0f} s)")


if __name__ == "__main__":
    main()
