"""Time the university portal's alumni list: one university with 50,000 alumni among a million.

Builds the registrants in a scratch database, then times the list page (query and template,
through the test client) for a staff member, unfiltered and with filters, several times each,
and prints the medians (aim: well under 100 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.accounts.passwords import hash_password
from jgrad.extensions import db
from scratch import scratch_app
from jgrad.registrants.models import Enrolment, Registrant
from jgrad.universities.models import University

PASSWORD = "bench staff passphrase"


def populate(total: int, at_home: int) -> None:
    universities = [University(code=f"U{n:02d}", name_en=f"University {n}",
                               name_ja=f"第{n}大学") for n in range(20)]
    db.session.add_all(universities)
    db.session.flush()
    home = universities[0]
    db.session.add(Account(role="staff", email="staff@bench.example", login="staff@bench.example",
                           university_id=home.id, staff_role="viewer", state="active",
                           password_hash=hash_password(PASSWORD)))
    db.session.commit()
    now = dt.datetime.now(dt.timezone.utc)
    names = ["Sato", "Suzuki", "Takahashi", "Tanaka", "Ito", "Watanabe", "Yamamoto", "Nakamura"]
    batch = 20_000
    for start in range(0, total, batch):
        size = min(batch, total - start)
        accounts = [dict(login=f"JD{start + i:09d}", email=f"r{start + i}@bench.example",
                         email_status="valid", role="registrant", state="active",
                         session_version=1, locale="ja", created_at=now) for i in range(size)]
        table = Account.__table__
        account_ids = list(db.session.scalars(sa.insert(table).returning(
            table.c.id, sort_by_parameter_order=True), accounts))
        people = [dict(account_id=a, doctor_id=f"JD{start + i:09d}", family_name="山田",
                       given_name="花子", family_name_roman=names[i % 8],
                       given_name_roman=f"Person{start + i}", birth_year=1980 + i % 20,
                       share_with_university=i % 13 != 0, accept_contact=True,
                       supplied_by="registrant", changed_by="registrant", created_at=now,
                       changed_at=now) for i, a in enumerate(account_ids)]
        table = Registrant.__table__
        registrant_ids = list(db.session.scalars(sa.insert(table).returning(
            table.c.id, sort_by_parameter_order=True), people))
        enrolments = [dict(registrant_id=r, university_id=home.id if (start + i) < at_home
                           else universities[1 + (start + i) % 19].id,
                           graduate_school="Graduate School of Science", field=f"{i % 11:02d}",
                           programme_type="latter", entry_date=dt.date(2000 + i % 25, 4, 1),
                           status="degree_awarded", status_date=dt.date(2003 + i % 25, 3, 31),
                           student_number=f"S{start + i}", supplied_by="university",
                           changed_by="university", created_at=now, changed_at=now)
                      for i, r in enumerate(registrant_ids)]
        db.session.execute(sa.insert(Enrolment.__table__), enrolments)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--alumni", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    args = parser.parse_args()
    with scratch_app(args.database_url, context=False,
                     RATELIMIT_ENABLED=False) as (app, url, folder):
        started = time.perf_counter()
        with app.app_context():
            populate(args.registrants, args.alumni)
        print(f"database: {url.split(':')[0]}; {args.registrants:,} registrants, "
              f"{args.alumni:,} at the staff member's university, built in "
              f"{time.perf_counter() - started:.0f} s")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"csrf_token": token, "identifier": "staff@bench.example",
                                    "password": PASSWORD})
        for label, query in (("first page, by name", "/records/"),
                             ("page 200", "/records/?page=200"),
                             ("filtered: field and completion year",
                              "/records/?field=05&completion_year=2010"),
                             ("name search", "/records/?name=tanaka"),
                             ("sorted by entry", "/records/?sort=entry")):
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                response = client.get(query)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            print(f"{label:<40} median {statistics.median(times) * 1000:6.1f} ms "
                  f"(min {min(times) * 1000:.1f})")


if __name__ == "__main__":
    main()
