"""Compare the daily dormancy selection with a hand-written SQL statement doing the same.

Builds N registrant accounts (5 % dormant) in a scratch database, then times, several times
each, the episode-creating INSERT ... SELECT that the dormancy check runs and its floor, a
hand-written equivalent through the DB-API, both rolled back and run alternately
(``measure.interleave``). Reports the medians and their ratio through ``measure.report``
(aim: at most 1.5), then the whole daily check once.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.extensions import db
from jgrad.lifecycle import dormancy
from measure import interleave, report
from scratch import scratch_app

HAND_WRITTEN = """
INSERT INTO dormancy_episodes
    (account_id, open_account_id, reason, state, started_at, deadline_at)
SELECT a.id, a.id,
       CASE WHEN a.email IS NULL THEN 'no_email'
            WHEN a.email_status = 'invalid' THEN 'invalid_email'
            ELSE 'no_login' END,
       'open', :now, :deadline
FROM accounts a
WHERE a.role = 'registrant' AND a.state IN ('active', 'pending')
  AND COALESCE(a.last_login_at, a.created_at) < :cutoff
  AND NOT EXISTS (SELECT 1 FROM dormancy_episodes e WHERE e.open_account_id = a.id)
"""


def populate(count: int, now: dt.datetime) -> None:
    rows = []
    for n in range(count):
        dormant = n % 20 == 0
        last = now - dt.timedelta(days=(3 * 365 + 30 + n % 900) if dormant else n % 1000)
        rows.append(dict(login=f"JD{n:09d}", email=f"r{n}@bench.example", email_status="valid",
                         role="registrant", state="active", session_version=1, locale="ja",
                         created_at=last - dt.timedelta(days=30), last_login_at=last))
        if len(rows) == 20_000:
            db.session.execute(sa.insert(Account.__table__), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Account.__table__), rows)
    db.session.commit()
    # Registrant rows for the dormant ones, which the notices need.
    db.session.execute(sa.text(
        "INSERT INTO registrants (account_id, doctor_id, family_name, given_name, "
        "share_with_university, accept_contact, supplied_by, changed_by, created_at, changed_at) "
        "SELECT id, login, 'Bench', 'Person', true, true, 'registrant', 'registrant', "
        "created_at, created_at FROM accounts WHERE id % 20 = 1"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE accounts"))
        db.session.commit()


def rolled_back(run):
    """Run ``run`` and roll its writes back; remember how many rows it created."""
    created = []

    def case():
        created.append(run())
        db.session.rollback()
    return case, created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    now = dt.datetime.now(dt.timezone.utc)
    with scratch_app(args.database_url) as (app, url, folder):
        started = time.perf_counter()
        populate(args.registrants, now)
        print(f"database: {url.split(':')[0]}; {args.registrants:,} registrant accounts "
              f"built in {time.perf_counter() - started:.1f} s")
        grace = app.config["DORMANCY_GRACE_DAYS"]
        params = {"now": now, "deadline": now + dt.timedelta(days=grace),
                  "cutoff": dormancy.years_before(now, app.config["DORMANCY_YEARS"])}
        if db.engine.dialect.name == "sqlite":
            params = {k: v.replace(tzinfo=None).isoformat(sep=" ") for k, v in params.items()}
        ours, created = rolled_back(lambda: dormancy._open_episodes(now, grace))
        hand, hand_created = rolled_back(
            lambda: db.session.execute(sa.text(HAND_WRITTEN), params).rowcount)
        times = interleave({"ours": ours, "floor": hand}, runs=args.repeats)
        print(f"dormant found: {created[-1]:,} (hand-written: {hand_created[-1]:,})")
        report("dormancy", "selection (episodes opened)", times["ours"], times["floor"],
               aim="ratio <= 1.5", n=args.registrants, database_url=args.database_url)
        started = time.perf_counter()
        counts = dormancy.run(now, batch=5000)
        whole = time.perf_counter() - started
    report("dormancy", f"whole daily check ({counts['notified']:,} notices)", whole, None,
           n=args.registrants, database_url=args.database_url, unit="s")


if __name__ == "__main__":
    main()
