"""How much a release publishes: cells and people hidden, at N demo registrants.

Loads N demo registrants (the data of ``bench/release.py``) into a scratch database, reads
the input frames, builds the release of the whole catalogue and prints, over every
published table: cells, cells hidden, the share published, and the people in hidden
cells (each cell's exact count, summed) against the people in all cells.  With
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


def hidden_figures(release, people, spells) -> dict[str, float]:
    """Return cells and people, all and hidden, over the release's published tables."""
    from stats.extract import deidentify
    from stats.tabulate import build_cube

    extract = deidentify(people, spells, release.as_of)
    cells = hidden = people_all = people_hidden = 0
    for table in release.tables.values():
        counts = build_cube(extract, table.spec).counts
        if table.withheld is not None:
            shown = np.zeros(counts.shape, dtype=bool)
        else:
            shown = (table.flags.to_numpy() == "").reshape(counts.shape)
        cells += counts.size
        hidden += int((~shown).sum())
        people_all += int(counts.sum())
        people_hidden += int(counts[~shown].sum())
    return {"cells": cells, "hidden": hidden, "people": people_all,
            "people_hidden": people_hidden}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, nargs="+", default=[5_000, 36_000])
    parser.add_argument("--frames", type=Path, help="keep the demo frames in this folder")
    args = parser.parse_args()
    from stats.release import build_release

    as_of = dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
    for n in args.registrants:
        people, spells = frames(n, args.frames, as_of)
        started = time.perf_counter()
        release = build_release(people, spells, as_of.date())
        built = time.perf_counter() - started
        f = hidden_figures(release, people, spells)
        print(f"{n:,} registrants ({len(people):,} counted): {f['cells']:,} cells in "
              f"{len(release.tables)} tables, {f['hidden']:,} hidden "
              f"({1 - f['hidden'] / f['cells']:.0%} published); people in hidden cells "
              f"{f['people_hidden']:,} of {f['people']:,} "
              f"({1 - f['people_hidden'] / f['people']:.0%} published); withheld "
              f"{len(release.withheld)}; built in {built:.1f} s")


if __name__ == "__main__":
    main()
