"""How much a release publishes: cells and people hidden, at N demo registrants.

With ``--method differential_privacy``: every count is published, so what it prints is how
close they are (the share of counts whose 95 % margin is within 10 % and 25 % of the count).

Loads N demo registrants (the data of ``bench/release.py``) into a scratch database, reads
the input frames, builds the release of the whole catalogue and prints, over every
published table: cells, cells hidden, the share published, and the people in hidden
cells (each cell's exact count, summed) against the people in all cells; with ``--series
K``, for K new series (each its own draws), and the least, median and most share.  With
``--frames DIR`` the frames are kept in DIR and read from there the next time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from scratch import scratch_app


def frames(registrants: int, cache: Path | None, as_of: dt.datetime
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return demo ``people`` and ``spells`` frames of ``registrants`` people."""
    if cache is not None and (cache / f"people-{registrants}.pickle").exists():
        return (pd.read_pickle(cache / f"people-{registrants}.pickle"),
                pd.read_pickle(cache / f"spells-{registrants}.pickle"))
    from jgrad.demo.generate import (
        create_registrants, ensure_role_accounts, ensure_universities,
    )
    from jgrad.extensions import db
    from jgrad.statistics.extract import people_frame, spells_frame

    with scratch_app(None):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        create_registrants(registrants, today=as_of.date())
        people, spells = people_frame(as_of), spells_frame(as_of)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        people.to_pickle(cache / f"people-{registrants}.pickle")
        spells.to_pickle(cache / f"spells-{registrants}.pickle")
    return people, spells


def hidden_figures(release, people, spells, by_table: bool = False) -> dict[str, float]:
    """Return cells and people, all and hidden, over the release's published tables (and
    print each table's, most hidden cells first, with ``by_table``)."""
    from stats.release import release_extract
    from stats.tabulate import build_cube

    extract = release_extract(people, spells, release)  # as the release counted them
    cells = hidden = people_all = people_hidden = 0
    lines = []
    for table in release.tables.values():
        counts = build_cube(extract, table.spec).counts
        if table.withheld is not None:
            shown = np.zeros(counts.shape, dtype=bool)
        else:
            shown = (table.flags.to_numpy() == "").reshape(counts.shape)
        lines.append((int((~shown).sum()), counts.size, int(counts[~shown].sum()),
                      int(counts.sum()), table.spec.id, table.withheld is not None))
        cells += counts.size
        hidden += int((~shown).sum())
        people_all += int(counts.sum())
        people_hidden += int(counts[~shown].sum())
    for n_hidden, size, p_hidden, p_all, table_id, withheld in sorted(lines, reverse=True):
        if by_table:
            print(f"  {table_id:60} {n_hidden:6,} of {size:6,} cells hidden, people "
                  f"{p_hidden:8,} of {p_all:8,}{' (withheld)' if withheld else ''}")
    return {"cells": cells, "hidden": hidden, "people": people_all,
            "people_hidden": people_hidden}


def private_figures(release, people, spells, types) -> dict[str, float]:
    """Return, over every count of a private release: cells, percentages left out, and how
    many counts the noise leaves within 10 % and 25 % of the truth (95 times in 100)."""
    from stats.dp import fixed_categories
    from stats.extract import deidentify
    from stats.tabulate import build_cube

    extract = fixed_categories(deidentify(people, spells, release.as_of,
                                          min_country_size=10**12,
                                          min_university_size=10**12), types)
    truth, published, hidden = [], [], 0
    for table in release.tables.values():
        counts = build_cube(extract, table.spec).counts
        truth.append(counts.ravel())
        published.append(table.counts.to_numpy(dtype=float).ravel())
        hidden += int((table.flags.to_numpy() != "").sum())
    truth, published = np.concatenate(truth), np.concatenate(published)
    margin = release.privacy["margin_95"]
    return {"cells": len(truth), "hidden": hidden, "margin": margin,
            "within10": float((margin <= 0.10 * truth).mean()),
            "within25": float((margin <= 0.25 * truth).mean()),
            "error": float(np.median(np.abs(published - truth)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, nargs="+", default=[5_000, 36_000])
    parser.add_argument("--frames", type=Path, help="keep the demo frames in this folder")
    parser.add_argument("--method", choices=("suppression", "differential_privacy"),
                        default="suppression")
    parser.add_argument("--synthetic", action="store_true",
                        help="the stats tests' synthetic population (long-tailed) instead")
    parser.add_argument("--by-table", action="store_true",
                        help="print each table's hidden cells and people")
    parser.add_argument("--series", type=int, default=1,
                        help="build this many new series (each draws its own secret: its "
                             "rounding, merges and empty categories) and print each")
    args = parser.parse_args()
    from stats.dp import build_dp_release
    from stats.release import build_release

    as_of = dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
    for n in args.registrants:
        if args.synthetic:
            import sys

            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.stats import AS_OF, make_population

            people, spells = make_population(n, seed=3)
            as_of = dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.timezone.utc)
        else:
            people, spells = frames(n, args.frames, as_of)
        if args.method == "differential_privacy":
            # The demo's universities all have registrants: their types are the public list.
            types = sorted(people["university_type"].dropna().unique())
            started = time.perf_counter()
            release = build_dp_release(people, spells, as_of.date(), rho=0.5,
                                       university_types=types)
            built = time.perf_counter() - started
            f = private_figures(release, people, spells, types)
            print(f"{n:,} registrants ({len(people):,} counted), differential privacy at rho "
                  f"0.5: {f['cells']:,} cells in {len(release.tables)} tables, all counts "
                  f"published ({f['hidden']:,} percentages left out); margin ±{f['margin']}; "
                  f"counts the margin keeps within 10 % of the truth {f['within10']:.0%}, "
                  f"within 25 % {f['within25']:.0%}; median error {f['error']:.0f}; built "
                  f"in {built:.1f} s")
            continue
        shares = []
        for _ in range(args.series):
            started = time.perf_counter()
            release = build_release(people, spells, as_of.date())
            built = time.perf_counter() - started
            f = hidden_figures(release, people, spells, args.by_table)
            shares.append(1 - f["hidden"] / f["cells"])
            print(f"{n:,} registrants ({len(people):,} counted): {f['cells']:,} cells in "
                  f"{len(release.tables)} tables, {f['hidden']:,} hidden "
                  f"({shares[-1]:.1%} published); people in hidden cells "
                  f"{f['people_hidden']:,} of {f['people']:,} "
                  f"({1 - f['people_hidden'] / f['people']:.1%} published); withheld "
                  f"{len(release.withheld)}; built in {built:.1f} s", flush=True)
        if len(shares) > 1:
            print(f"{n:,} registrants, {len(shares)} series: cells published least "
                  f"{min(shares):.1%}, median {np.median(shares):.1%}, most {max(shares):.1%}")


if __name__ == "__main__":
    main()
