"""Time `demo-data` on a fresh database built by the migrations."""
from __future__ import annotations

import argparse
import time


from jgrad.demo.generate import create_registrants, ensure_role_accounts, ensure_universities
from jgrad.extensions import db
from scratch import scratch_app


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
        seconds = time.perf_counter() - started
    print(f"database: {url.split(':')[0]}")
    print(f"registrants: {summary.registrants}, enrolments: {summary.enrolments}, "
          f"career spells: {summary.career_spells}")
    print(f"time: {seconds:.2f} s ({summary.registrants / seconds:,.0f} registrants/s); "
          f"target: 10,000 in under 60 s")


if __name__ == "__main__":
    main()
