"""Time the university portal's alumni list: one university with 50,000 alumni among a million.

Builds the registrants in a scratch database (or, with ``--keep``, reuses one already built
at the same size), then times each case of the list page (query, template and audit event,
through the test client: the server's time) beside its floor, a hand-written SQL statement
run through the DB-API that returns the same rows (checked). The two are interleaved over
several runs, with the list's own query alone (``alumni_page``: filters, access rules and
keyset, without the request, template and audit event); medians, ratios to the floor and
the page's p95 are reported through ``measure`` (aims: the query at most 2x the floor, the
page's p95 under 50 ms). One untimed round comes first: a process's first request
compiles the page's template and statements once.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time

import sqlalchemy as sa

from jgrad.accounts.models import Account
from jgrad.accounts.passwords import hash_password
from jgrad.extensions import db
from jgrad.portal import search
from jgrad.portal.queries import LIST_COLUMNS
from measure import percentile, report
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
        # Some have no roman name and some no status date: the sorts must place them too.
        people = [dict(account_id=a, doctor_id=f"JD{start + i:09d}", family_name="山田",
                       given_name="花子", family_name_roman=names[i % 8] if i % 17 else None,
                       given_name_roman=f"Person{start + i}" if i % 17 else None, birth_year=1980 + i % 20,
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
                           status="degree_awarded" if i % 10 else "enrolled",
                           status_date=dt.date(2003 + i % 25, 3, 31) if i % 10 else None,
                           student_number=f"S{start + i}", supplied_by="university",
                           changed_by="university", created_at=now, changed_at=now)
                      for i, r in enumerate(registrant_ids)]
        db.session.execute(sa.insert(Enrolment.__table__), enrolments)
        db.session.commit()
    db.session.execute(sa.text("ANALYZE"))  # as after any large load
    db.session.commit()


# The floor's SELECT: the access rules written out by hand (rule 4), for the home university,
# reading the columns the page shows (``LIST_COLUMNS``), the Doctor ID first. (Until
# 2026-12-01 it read the Doctor ID alone, which SQLite's covering indexes served without
# the rows: less than the page needs.)
SHOWN = ", ".join(["r.doctor_id"] + [
    f"{column.table.name[0]}.{column.name}" for column in
    (getattr(shown, "element", shown) for shown in LIST_COLUMNS) if column.name != "doctor_id"])
FLOOR = """SELECT """ + SHOWN + """ FROM registrants r {r_hint}
JOIN enrolments e {e_hint} ON e.registrant_id = r.id JOIN accounts a ON a.id = r.account_id
WHERE e.university_id = ? AND r.share_with_university = ? AND a.state IN ('active', 'pending')
AND EXISTS (SELECT 1 FROM universities u WHERE u.id = ? AND u.cooperating = ?) {where}
ORDER BY {order} LIMIT 51"""
# Name order within one university: the roman names each enrolment carries (migration
# 0015), which ix_enrolments_university_name orders for each university.
NAME = "e.family_roman_key, e.given_roman_key, e.registrant_id, e.id"
NAME_KEY = ("(e.family_roman_key, e.given_roman_key, e.registrant_id, e.id) > (?, ?, ?, ?) "
            "AND e.family_roman_key >= ? AND "
            "(e.family_roman_key, e.given_roman_key, e.registrant_id) >= (?, ?, ?)")
COMPLETED = "coalesce(e.status_date, '0001-01-01')"


def deep_key(staff, sort: str, at: int) -> tuple:
    """The sort key of the row just before position ``at`` of the staff member's list."""
    from jgrad.portal import keyset
    from jgrad.portal.queries import AlumniFilter, alumni_query

    order = keyset.SORTS[sort]
    statement = alumni_query(staff, AlumniFilter(sort=sort), *keyset.key_columns(sort))
    row = db.session.execute(statement.order_by(
        *(k.desc() if order.descending else k for k in order.keys)).offset(at - 1).limit(1)).one()
    return row


def cases(app, staff, visible: int, alumni: int):
    """(label, query string, floor's condition, floor's order, floor's parameters) for each
    timed case."""
    from jgrad.portal import keyset
    from jgrad.portal.queries import CURSOR_SALT

    secret = app.config["SECRET_KEY"]
    # One alumnus with a roman name (every 17th has none), and the few whose given name
    # starts with the same digits: "person12345" at full size.
    number = min(12_345, alumni // 2)
    person = f"person{number + (number % 17 == 0)}"
    at = max(50, visible * 3 // 5 // 50 * 50)  # a page 60 % of the way down the list
    with app.app_context():
        by_name = deep_key(staff, "name", at)
        by_completion = deep_key(staff, "completion", at)
        name_cursor = keyset.cursor("name", by_name, True, secret, CURSOR_SALT)
        completion_cursor = keyset.cursor("completion", by_completion, True, secret, CURSOR_SALT)
        common, fewer, rare = (name_floor(term, staff.university_id)
                               for term in ("tanaka", "person12", person))
    name_key = keyset.key_of("name", by_name)
    completed = keyset.key_of("completion", by_completion)
    page = at // 50 + 1
    return [
        ("first page, by name", "", "", NAME, ()),
        (f"page {page} by name (keyset)", f"cursor={name_cursor}", "AND " + NAME_KEY, NAME,
         (*name_key, name_key[0], *name_key[:3])),
        ("first page, by entry", "sort=entry", "",
         "e.entry_date DESC, e.registrant_id DESC, e.id DESC", ()),
        (f"page {page} by completion (keyset)", f"sort=completion&cursor={completion_cursor}",
         f"AND ({COMPLETED}, e.registrant_id, e.id) < (?, ?, ?) AND {COMPLETED} <= ?",
         f"{COMPLETED} DESC, e.registrant_id DESC, e.id DESC",
         (completed[0].isoformat(), completed[1], completed[2], completed[0].isoformat())),
        ("first page, by Doctor ID", "sort=doctor_id", "", "r.doctor_id, e.id", ()),
        ("filtered: field and completion year", "field=05&completion_year=2010",
         "AND e.field = ? AND e.status IN ('degree_awarded', 'completed_without_degree') "
         "AND e.status_date >= ? AND e.status_date < ?", NAME,
         ("05", "2010-01-01", "2011-01-01")),
        ("name search, a common name", "name=tanaka", *common),
        ("name search, a name 1 % share (person12)", "name=person12", *fewer),
        (f"name search, one person ({person})", f"name={person}", *rare),
    ]


def name_floor(term: str, university_id: int) -> tuple[str, str, tuple]:
    """The floor of a name search: the university's enrolments with the name, found through
    the index the database has of them (migration 0016: PostgreSQL's GIN index of the
    university and the names each enrolment carries serves LIKE; SQLite's FTS5 table a
    MATCH of the words and the university's marker), then checked.
    "tanaka" is the family name of about 12 % of the registrants here (the most common name
    in Japan, Sato, is about 1.5 % of the people); "person12" is part of about 1 % of the
    given names at 1,000,000 (10,457 of them; 967 of those the university sees);
    "person12345" is part of at most eleven given names (the one person of the search)."""
    if db.engine.dialect.name == "postgresql" or not search.has_fts(search.ENROLMENT_FTS_TABLE):
        return "AND e.names_key LIKE ?", NAME, (f"%{term}%",)
    match = f'"{term}" "{search.university_marker(university_id)}"'
    return ("AND e.id IN (SELECT rowid FROM enrolment_names WHERE enrolment_names MATCH ?) "
            "AND e.names_key LIKE ?", NAME, (match, f"%{term}%"))


def floor_runner(university_id: int):
    connection = db.engine.raw_connection()
    postgres = db.engine.dialect.name == "postgresql"

    by_doctor_id = None
    if not postgres:  # the index SQLite made for the unique Doctor ID
        cursor = connection.cursor()
        cursor.execute("SELECT i.name FROM pragma_index_list('registrants') i WHERE "
                       "(SELECT group_concat(c.name) FROM pragma_index_info(i.name) c) "
                       "= 'doctor_id'")
        by_doctor_id = cursor.fetchone()[0]

    def run(where: str, order: str, params: tuple) -> list[str]:
        # On SQLite, a list by name or Doctor ID that no filter narrows walks the index.
        walk = "LIKE" not in where and "e.field" not in where and (
            ("e", "ix_enrolments_university_name") if order == NAME else
            ("r", by_doctor_id) if order.startswith("r.doctor_id") else None)
        hints = {"r_hint": "", "e_hint": ""}
        if walk and not postgres:
            hints[f"{walk[0]}_hint"] = f"INDEXED BY {walk[1]}"
        sql = FLOOR.format(where=where, order=order, **hints)
        if postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        cursor = connection.cursor()
        cursor.execute(sql, (university_id, True, university_id, True, *params))
        rows = [row[0] for row in cursor.fetchall()]
        cursor.close()
        connection.commit()
        return rows[:50]
    return run


def query_only(staff, query: str, secret: str) -> list[str]:
    """The list's own query for one page (filters, access rules, keyset), no request."""
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from jgrad.portal.queries import AlumniFilter, alumni_page

    args = MultiDict(parse_qsl(query))
    filters, problems = AlumniFilter.parse(args)
    assert not problems, problems
    found, _total = alumni_page(staff, filters, args.get("cursor"), secret)
    return [row.doctor_id for row in found.rows]


def listed(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [part.split('"')[0] for part in body.split('href="/records/')[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrants", type=int, default=1_000_000)
    parser.add_argument("--alumni", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database-url", help="a scratch database (default: a new SQLite file)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse --database-url if it already holds this many registrants")
    args = parser.parse_args()
    with scratch_app(args.database_url, context=False, keep=args.keep,
                     RATELIMIT_ENABLED=False) as (app, url, folder):
        started = time.perf_counter()
        with app.app_context():
            built = db.session.scalar(sa.select(sa.func.count()).select_from(Registrant))
            if built != args.registrants:
                if built:
                    raise SystemExit(f"the database holds {built:,} registrants, not "
                                     f"{args.registrants:,}: drop --keep to rebuild it")
                populate(args.registrants, args.alumni)
            staff = db.session.scalar(sa.select(Account).where(
                Account.email == "staff@bench.example"))
            university_id = staff.university_id
            from jgrad.portal.queries import AlumniFilter, count
            visible = count(staff, AlumniFilter(), cap=10 ** 9)
            db.session.expunge(staff)
        print(f"database: {url.split(':')[0]}; {args.registrants:,} registrants, "
              f"{args.alumni:,} at the staff member's university ({visible:,} visible), "
              f"{'reused' if built else 'built'} in {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"csrf_token": token, "identifier": "staff@bench.example",
                                    "password": PASSWORD})
        timed = cases(app, staff, visible, args.alumni)
        times = {label: ([], [], []) for label, *_ in timed}
        secret = app.config["SECRET_KEY"]
        with app.app_context():
            floor = floor_runner(university_id)
            # One round untimed first: the first request of a process compiles the page's
            # template and statements, a cost paid once per worker, not per page.
            for label, query, where, order, params in timed:
                client.get(f"/records/?{query}")
                floor(where, order, params)
                query_only(staff, query, secret)
            for _ in range(args.repeats):
                for label, query, where, order, params in timed:
                    started = time.perf_counter()
                    response = client.get(f"/records/?{query}")
                    times[label][0].append(time.perf_counter() - started)
                    assert response.status_code == 200, (label, response.status_code)
                    started = time.perf_counter()
                    rows = floor(where, order, params)
                    times[label][1].append(time.perf_counter() - started)
                    shown = listed(response.get_data(as_text=True))
                    assert shown == rows and rows, (label, shown[:3], rows[:3])
                    started = time.perf_counter()
                    found = query_only(staff, query, secret)
                    times[label][2].append(time.perf_counter() - started)
                    assert found == rows, (label, found[:3], rows[:3])
        database = url if args.database_url else None
        for label, (page_times, floor_times, query_times) in times.items():
            report("alumni_list", label, page_times, floor_times, n=args.registrants,
                   database_url=database, aim="p95 < 50 ms",
                   extra={"p95 ms": round(percentile(page_times, 0.95) * 1000, 1)})
            report("alumni_list", f"{label}: query alone", query_times, floor_times,
                   n=args.registrants, database_url=database, aim="<= 2x floor")

if __name__ == "__main__":
    main()
