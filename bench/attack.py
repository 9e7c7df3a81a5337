"""The independent attacker of the test suite (tests/stats/attacker.py) against a release.

Builds the release of the whole catalogue for N synthetic registrants (the populations of
the stats tests) and prints how many hidden cells the attacker pins within less than the
protection (or short of the protection levels the release states, held to the true
counts), with a few of them, and how long it took; ``--integer`` solves every hidden
cell's interval over the integers instead of the reals.  Not a test: at a few hundred
registrants it solves thousands of LPs.  ``--method differential_privacy`` attacks a
private release instead (nothing hidden but percentages of published counts).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, nargs="+", default=[300])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--method", choices=("suppression", "differential_privacy"),
                        default="suppression")
    parser.add_argument("--demo", action="store_true",
                        help="attack the demo population (bench/disclosure.py's) instead")
    parser.add_argument("--frames", type=Path, help="with --demo: keep its frames here")
    parser.add_argument("--integer", action="store_true",
                        help="solve every hidden cell over the integers (slow: hundreds of "
                             "registrants)")
    args = parser.parse_args()
    from stats.dp import build_dp_release
    from stats.release import build_release, release_extract
    from tests.stats import AS_OF, cell_truth, make_population
    from tests.stats.attacker import attack, published

    for n in args.registrants:
        as_of = AS_OF
        if args.demo:
            import datetime as dt

            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from disclosure import frames

            moment = dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
            people, spells = frames(n, args.frames, moment)
            as_of = moment.date()
        else:
            people, spells = make_population(n, seed=args.seed)
        types = dict(zip(people["university"], people["university_type"]))
        if args.method == "suppression":
            release = build_release(people, spells, as_of)
        else:
            release = build_dp_release(people, spells, as_of, rho=0.5,
                                       university_types=sorted(set(types.values())))
        meta, frames = published(release)
        hidden = sum(int((f.to_numpy() != "").sum()) for _, f in frames.values())
        started = time.perf_counter()
        # Held to the protection levels the release states: each box's true count.
        truth = cell_truth(release, release_extract(people, spells, release)) \
            if args.method == "suppression" else None
        found = attack(meta, frames, types, protection=release.rules.protection or 10,
                       integer=args.integer, count=truth)
        took = time.perf_counter() - started
        kind = "demo" if args.demo else "synthetic"
        print(f"{n:,} {kind} registrants, {args.method}: {hidden:,} hidden cells; the "
              f"attacker pins {len(found):,} within less than "
              f"{release.rules.protection or 10}"
              f"{' or short of its levels' if release.rules.protection_levels else ''}"
              f"{' over the integers' if args.integer else ''} ({took:.0f} s)")
        for finding in found[:8]:
            print(f"  {finding.table} {finding.coordinates}: between {finding.low:.1f} and "
                  f"{finding.high:.1f}")


if __name__ == "__main__":
    main()
