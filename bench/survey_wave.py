"""Time the daily survey job (``survey-invitations``) over a million registrants.

Builds N registrants whose doctoral completions are spread evenly over 26 years, opens the
example career survey as an 18-month wave (± 30 days), then times, interleaved over several
simulated days:

- the job on the day the wave opens (everyone inside the 61-day window is invited);
- the job on each following day (the few hundred who reach 18 months that day);
- the floor: a hand-written SQL statement counting the people the job must find that day
  (completed enrolment in the window, active account, contact accepted), measured in the
  same run beside each day's job.

Each day's job and its floor run back to back; the medians over the following days and the
opening day are reported through ``measure`` (aim: "seconds" for the daily job over
1,000,000 registrants).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from importlib import resources

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.extensions import db
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.universities.models import University
from measure import report
from scratch import scratch_app

DAYS = 9_500  # completions spread over about 26 years
FLOOR_SQL = """
SELECT count(*) FROM registrants r JOIN accounts a ON a.id = r.account_id
WHERE a.state = 'active' AND r.accept_contact AND EXISTS (
  SELECT 1 FROM enrolments e WHERE e.registrant_id = r.id
  AND e.status IN ('degree_awarded', 'completed_without_degree')
  AND e.status_date BETWEEN :low AND :high)
"""


def populate(total: int, first_day: dt.date) -> None:
    universities = [University(code=f"U{n:02d}", name_en=f"University {n}",
                               name_ja=f"第{n}大学") for n in range(20)]
    db.session.add_all(universities)
    db.session.commit()
    now = dt.datetime.now(dt.timezone.utc)
    batch = 20_000
    for start in range(0, total, batch):
        size = min(batch, total - start)
        accounts = [dict(login=f"JD{start + i:09d}", email=f"r{start + i}@bench.example",
                         email_status="valid", role="registrant", state="active",
                         session_version=1, locale="ja" if i % 3 else "en", created_at=now)
                    for i in range(size)]
        table = Account.__table__
        account_ids = list(db.session.scalars(sa.insert(table).returning(
            table.c.id, sort_by_parameter_order=True), accounts))
        people = [dict(account_id=a, doctor_id=f"JD{start + i:09d}", family_name="山田",
                       given_name="花子", family_name_roman="Yamada",
                       given_name_roman=f"Person{start + i}", birth_year=1980 + i % 20,
                       share_with_university=True, accept_contact=(start + i) % 17 != 0,
                       supplied_by="registrant", changed_by="registrant", created_at=now,
                       changed_at=now) for i, a in enumerate(account_ids)]
        table = Registrant.__table__
        registrant_ids = list(db.session.scalars(sa.insert(table).returning(
            table.c.id, sort_by_parameter_order=True), people))
        enrolments = []
        for i, r in enumerate(registrant_ids):
            n = start + i
            completed = first_day + dt.timedelta(days=(n * 7919) % DAYS)
            enrolments.append(dict(
                registrant_id=r, university_id=universities[n % 20].id,
                graduate_school="Graduate School of Science", field=f"{n % 11:02d}",
                programme_type="latter", entry_date=completed - dt.timedelta(days=3 * 365),
                status="degree_awarded" if n % 10 else "enrolled",
                status_date=completed, student_number=f"S{n}", supplied_by="university",
                changed_by="university", created_at=now, changed_at=now))
        db.session.execute(sa.insert(Enrolment.__table__), enrolments)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def open_wave():
    from surveys import load_json, services
    from surveys.targeting import Rule

    text = resources.files("surveys").joinpath("examples/career_wave.json").read_text("utf-8")
    survey, _ = services.store(load_json(text))
    services.set_targeting(survey, Rule(wave_months=18, window_days=30))
    survey.open()
    db.session.commit()
    return survey


def floor(day: dt.date) -> tuple[float, int]:
    from surveys.targeting import add_months

    reached = add_months(day, -18)
    started = time.perf_counter()
    count = db.session.scalar(sa.text(FLOOR_SQL), {
        "low": reached - dt.timedelta(days=30), "high": reached + dt.timedelta(days=30)})
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=5, help="following days to simulate")
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    from surveys.tasks import survey_invitations

    today = dt.date(2026, 11, 30)
    with scratch_app(args.database_url, SERVER_NAME_FOR_MAIL="http://bench") as (app, url, _):
        started = time.perf_counter()
        populate(args.registrants, today - dt.timedelta(days=DAYS))
        print(f"database: {url.split(':')[0]}; {args.registrants:,} registrants built in "
              f"{time.perf_counter() - started:.0f} s")
        open_wave()
        results = []
        for offset in range(args.days + 1):
            moment = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(3),
                                         tzinfo=dt.timezone.utc)
            floor_s, in_window = floor(moment.date())
            started = time.perf_counter()
            summary = survey_invitations(moment)
            job_s = time.perf_counter() - started
            results.append((offset, job_s, floor_s, summary["invited"], in_window))
            print(json.dumps({"day": offset, "job_s": round(job_s, 3),
                              "floor_query_s": round(floor_s, 3),
                              "invited": summary["invited"], "in_window": in_window}))
        database = url if args.database_url else None
        opening = results[0]
        report("survey_wave", "the job on the opening day", opening[1], opening[2],
               n=args.registrants, database_url=database, unit="s",
               aim="seconds at 1,000,000", extra={"invited": opening[3]})
        following = results[1:]
        if following:
            report("survey_wave", "the job on each following day",
                   [r[1] for r in following], [r[2] for r in following],
                   n=args.registrants, database_url=database, unit="s",
                   aim="seconds at 1,000,000",
                   extra={"invited a day (median)": statistics.median(r[3] for r in following)})


if __name__ == "__main__":
    main()
