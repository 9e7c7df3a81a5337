"""Time `demo-data` on a fresh database built by the migrations, against its floor.

The floor is a bare bulk insert of the very rows the generator wrote: every table's rows are
read back, deleted, and inserted again with one executemany per table (no Python objects, no
generation), then rolled back. Each runs once; both are reported through ``measure`` (aim:
10,000 registrants in under 60 s).
"""
from __future__ import annotations

import argparse
import time

import sqlalchemy as sa

from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from measure import report
from scratch import scratch_app


def bulk_insert_floor() -> float:
    """Re-insert every row now in the database with a plain executemany per table."""
    tables = [t for t in db.metadata.sorted_tables
              if db.session.scalar(sa.select(sa.func.count()).select_from(t))]
    rows = {t: [dict(r._mapping) for r in db.session.execute(sa.select(t))] for t in tables}
    for table in reversed(tables):
        db.session.execute(sa.delete(table))
    db.session.flush()
    started = time.perf_counter()
    for table in tables:
        db.session.execute(sa.insert(table), rows[table])
    db.session.flush()
    took = time.perf_counter() - started
    db.session.rollback()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    with scratch_app(args.database_url) as (app, url, folder):
        ensure_role_accounts(ensure_universities())
        db.session.commit()
        started = time.perf_counter()
        summary = create_registrants(args.registrants)
        db.session.commit()
        seconds = time.perf_counter() - started
        floor = bulk_insert_floor()
    print(f"database: {url.split(':')[0]}; registrants: {summary.registrants}, "
          f"enrolments: {summary.enrolments}, career spells: {summary.career_spells}")
    report("demo_data", f"generating {summary.registrants:,} registrants", seconds, floor,
           n=args.registrants, database_url=args.database_url, unit="s",
           aim="10,000 in under 60 s",
           extra={"registrants/s": round(summary.registrants / seconds)})


if __name__ == "__main__":
    main()
