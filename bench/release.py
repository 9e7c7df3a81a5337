"""Time a full statistical release over N registrants against a plain pandas group-by.

Loads demo registrants (with careers) into a scratch database, then times: reading the input
frames with SQL, building the disclosure-controlled release (the catalogue and every
breakdown), writing its files, and, for comparison, a plain group-by of the same tables with
no disclosure control.
Prints the figures, their ratio (aim: at most 2) and the peak memory (aim: under 2 GB).
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path


from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from scratch import scratch_app
from jgrad.statistics.extract import people_frame, spells_frame
from jgrad.statistics.publish import write_release
from stats.catalogue import with_breakdowns
from stats.extract import deidentify
from stats.release import build_release


def plain_groupby(people, spells, as_of) -> int:
    """Count every table and breakdown with a bare group-by: no suppression, no rounding."""
    extract = deidentify(people, spells, as_of)
    cells = 0
    for spec in with_breakdowns():
        frame = extract
        for name, values in spec.population:
            frame = frame[frame[name].isin(values)]
        for name, values in spec.excluding:
            frame = frame[~frame[name].isin(values)]
        counts = frame.groupby([*spec.rows, spec.column], observed=False).size()
        cells += len(counts)
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    with scratch_app(args.database_url) as (app, url, folder):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        started = time.perf_counter()
        create_registrants(args.registrants)
        print(f"database: {url.split(':')[0]}; {args.registrants:,} demo registrants "
              f"loaded in {time.perf_counter() - started:.0f} s")
        now = dt.datetime.now(dt.timezone.utc)
        started = time.perf_counter()
        people, spells = people_frame(now), spells_frame(now)
        read = time.perf_counter() - started
        started = time.perf_counter()
        release = build_release(people, spells, now.date())
        built = time.perf_counter() - started
        started = time.perf_counter()
        write_release(release, Path(folder) / "release")
        written = time.perf_counter() - started
        started = time.perf_counter()
        cells = plain_groupby(people, spells, now.date())
        plain = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read {len(people):,} people and {len(spells):,} current spells: {read:.1f} s")
    print(f"release (de-identify, tabulate, suppress, audit, round): {built:.1f} s; "
          f"files and charts: {written:.1f} s; withheld: {len(release.withheld)}")
    print(f"plain group-by of the same {len(release.tables)} tables ({cells:,} cells): {plain:.1f} s;"
          f" ratio {built / plain:.1f} (aim: at most 2)")
    print(f"whole release including reading and files: {read + built + written:.1f} s "
          f"(aim: under 60 s); peak memory {peak:,.0f} MB (aim: under 2,048 MB)")


if __name__ == "__main__":
    main()
